"""How much memory reading holds per target row, and how high reading peaks.

    python bench/memory.py FOLDER [FOLDER …] [--detail]
    python bench/memory.py --people 1000 5000      # bench/generate.py's cached folders

Each folder is read in a fresh child process (so nothing of one run survives into the
next), which reports:

- ``held``: RSS after ``kpi_engine.read.load()`` returned, the result still alive, minus
  RSS just before the call (imports done, ``gc.collect()`` and glibc's ``malloc_trim(0)``
  run first). Divided by the number of target rows: the bytes each row costs the process
  at the end of reading — the figure the target (≤ 0.5 KB) is about;
- ``live``: the same after one more ``gc.collect()`` + ``malloc_trim(0)``: what is left
  once the allocator hands back everything free;
- ``deep``: the InputData frames' own ``memory_usage(deep=True)``, per target row — what
  the frames hold, without the allocator's slack;
- ``peak``: the child's peak RSS (``ru_maxrss``) minus the RSS before reading.

``--detail`` prints each InputData frame's columns with their dtype and deep size.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
KIB = 1024
MIB = 1024 * 1024

CHILD = r"""
import ctypes, gc, json, resource, sys
sys.path.insert(0, sys.argv[1])

def rss():
    with open("/proc/self/statm") as fh:
        return int(fh.read().split()[1]) * resource.getpagesize()

def trim():
    gc.collect()
    try:
        ctypes.CDLL("libc.so.6").malloc_trim(0)
    except OSError:
        pass

import pandas, numpy  # noqa: F401 — imports are not the result's
from kpi_engine.read import load
trim()
before = rss()
data = load([sys.argv[2]])
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
untrimmed = rss()
trim()
held = rss()
frames = {k: getattr(data, k) for k in ("targets", "ratings", "training", "scheme", "tiers")}
print(json.dumps({
    "rows": len(data.targets),
    "before": before, "untrimmed": untrimmed - before, "held": held - before, "peak": peak - before,
    "deep": {k: int(f.memory_usage(deep=True).sum()) for k, f in frames.items()},
    "columns": {k: [[c, str(f[c].dtype), int(f[c].memory_usage(deep=True))] for c in f.columns]
                for k, f in frames.items()},
    "issues": len(data.report.issues),
}))
"""


def measure(folder: Path) -> dict:
    out = subprocess.run([sys.executable, "-c", CHILD, str(ROOT), str(folder)],
                         check=True, capture_output=True, text=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def report(folder: Path, got: dict, detail: bool) -> None:
    n = max(got["rows"], 1)
    deep = sum(got["deep"].values())
    print(f"{folder.name}: {got['rows']:,} target rows, {got['issues']:,} issues")
    print(f"  held after load   {got['untrimmed'] / MIB:8.1f} MiB  {got['untrimmed'] / n:7.0f} B/row")
    print(f"  live (trimmed)    {got['held'] / MIB:8.1f} MiB  {got['held'] / n:7.0f} B/row")
    print(f"  frames (deep)     {deep / MIB:8.1f} MiB  {deep / n:7.0f} B/row"
          f"   (targets {got['deep']['targets'] / n:.0f} B/row)")
    print(f"  peak while read   {got['peak'] / MIB:8.1f} MiB  {got['peak'] / n:7.0f} B/row")
    if detail:
        for name, cols in got["columns"].items():
            print(f"  {name}:")
            for col, dtype, size in cols:
                print(f"    {col:<16} {dtype:<16} {size / MIB:8.1f} MiB {size / n:7.1f} B/row")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("folders", nargs="*", type=Path)
    ap.add_argument("--people", type=int, nargs="*", default=[],
                    help="read bench/generate.py's folder for N people (generated if missing)")
    ap.add_argument("--detail", action="store_true", help="every column's dtype and size")
    args = ap.parse_args()
    folders = list(args.folders)
    if args.people:
        sys.path.insert(0, str(ROOT / "bench"))
        import generate

        folders += [Path(generate.generate(n)) for n in args.people]
    if not folders:
        ap.error("give a folder or --people N")
    for folder in folders:
        report(folder, measure(folder), args.detail)


if __name__ == "__main__":
    main()
