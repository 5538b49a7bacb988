"""Phase timings for the benchmark: off unless ``KPI_ENGINE_PROFILE`` names a file.

    KPI_ENGINE_PROFILE=phases.jsonl kpi-engine score FOLDER

appends one JSON line per phase to that file: wall and CPU seconds, and the process's
peak RSS so far (``{"phase": "score", "seconds": 1.23, "cpu": 1.2, "peak_mb": 410, …}``).
``bench/run.py`` reads them to split a run into reading, validating, scoring and
writing. Without the variable, :func:`phase` costs one dictionary lookup.
"""

from __future__ import annotations

import json
import os
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager

PROFILE_ENV = "KPI_ENGINE_PROFILE"


@contextmanager
def phase(name: str) -> Iterator[None]:
    """Time the block and log it as ``name`` when profiling is on."""
    path = os.environ.get(PROFILE_ENV)
    if not path:
        yield
        return
    start, cpu = time.perf_counter(), time.process_time()
    try:
        yield
    finally:
        took, cpu = time.perf_counter() - start, time.process_time() - cpu
        with open(path, "a", encoding="utf-8") as fh:
            fh.write(json.dumps({"phase": name, "seconds": round(took, 6), "cpu": round(cpu, 6),
                                 "peak_mb": _peak_mb(), "pid": os.getpid()}) + "\n")


def _peak_mb() -> int | None:
    try:
        import resource  # not on Windows
    except ImportError:
        return None
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KiB on Linux, bytes on macOS
    return round(peak / 1e6 if sys.platform == "darwin" else peak * 1024 / 1e6)
