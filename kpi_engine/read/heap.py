"""Handing the memory reading freed back to the system (glibc; elsewhere nothing happens).

Reading 900,000 target rows makes and drops many arrays of a few MB. glibc serves an
allocation above its mmap threshold with its own mapping, returned on free — but each
such free *raises* the threshold (up to 32 MB), so the next arrays of that size come from
the heap instead, where a freed block stays resident as long as anything lives above
it. Measured on bench/generate.py's 5,000 people (bench/memory.py): 680 MB of RSS still
held when ``load()`` returns, for 220 MB of live data.

- :func:`tune` fixes the threshold at 1 MiB, which also stops it from moving: arrays
  of a sheet's column and up are mapped and unmapped (no measurable cost beside the
  reading; 128 KiB cost some 5 % CPU);
- :func:`release` asks glibc to return the free pages left inside the heap
  (``malloc_trim``), once, at the end of reading.
"""

from __future__ import annotations

import ctypes
import sys

M_MMAP_THRESHOLD = -3  # <malloc.h>
MMAP_THRESHOLD = 1 << 20

_libc = None
_tuned = False


def _glibc():
    global _libc
    if _libc is None:
        _libc = False
        if sys.platform.startswith("linux"):
            try:
                libc = ctypes.CDLL("libc.so.6")
                if hasattr(libc, "mallopt") and hasattr(libc, "malloc_trim"):
                    _libc = libc
            except OSError:  # musl and others: no libc.so.6, nothing to tune
                pass
    return _libc


def tune() -> None:
    """Fix glibc's mmap threshold (once per process)."""
    global _tuned
    if _tuned:
        return
    _tuned = True
    libc = _glibc()
    if libc:
        libc.mallopt(M_MMAP_THRESHOLD, MMAP_THRESHOLD)


def release() -> None:
    """Return the heap's free pages to the system."""
    libc = _glibc()
    if libc:
        libc.malloc_trim(0)
