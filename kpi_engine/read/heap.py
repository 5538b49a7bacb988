"""Handing the memory reading freed back to the system (glibc; elsewhere nothing happens).

Reading 900,000 target rows makes and drops many arrays of a few MB. glibc serves an
allocation above its mmap threshold with its own mapping, returned on free — but each
such free *raises* the threshold (up to 32 MB), so the next arrays of that size come from
the heap instead, where a freed block stays resident as long as anything lives above
it. Measured on bench/generate.py's 5,000 people (bench/memory.py): 680 MB of RSS still
held when ``load()`` returns, for 220 MB of live data.

- :func:`tune` fixes the threshold at 16 MiB, which also stops it from moving: arrays
  of 2 million numbers and up are mapped and unmapped. ``read.load`` calls it first
  thing, so the run's own process is tuned (it builds the frames, scores and writes) and
  the reading workers forked from it inherit it. It was 1 MiB while the files were read
  in the run's own process; the workers now take reading's churn with them when they
  exit, and below 16 MiB the mapping cost CPU everywhere else: at 5,000 people the run
  took 26.1 s with 1 MiB, 24.1 s with 16 MiB and 24.0 s untuned (peak 0.92, 1.02 and
  1.04 GiB); at 20,000 people 112 s, 104 s and 102 s (peak 2.42, 2.43 and 2.99 GiB: the
  untuned threshold climbs to 32 MiB and the scoring and writing heap keeps their
  freed 29 MB columns);
- :func:`release` asks glibc to return the free pages left inside the heap
  (``malloc_trim``), once, at the end of reading.
"""

from __future__ import annotations

import ctypes
import sys

M_MMAP_THRESHOLD = -3  # <malloc.h>
MMAP_THRESHOLD = 16 << 20

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
