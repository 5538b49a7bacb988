"""How many threads a run uses: one per core this process may use.

Reading (python-calamine parses a sheet without the GIL) and zipping the result (zlib
compresses without it) run on that many threads; the rest of a run is one thread.
``KPI_ENGINE_THREADS`` overrides it — 1 does everything on the calling thread, as
before threads were used (the benchmark compares both).
"""

from __future__ import annotations

import os


def threads() -> int:
    """``KPI_ENGINE_THREADS`` when set to a positive number, else the usable cores."""
    env = os.environ.get("KPI_ENGINE_THREADS", "").strip()
    if env.isdigit() and int(env) > 0:
        return int(env)
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def processes() -> bool:
    """Whether reading may use worker processes (``KPI_ENGINE_PROCESSES=0``: threads only)."""
    return os.environ.get("KPI_ENGINE_PROCESSES", "").strip() != "0"
