"""How long N target rows take from .xlsx cells to validated InputData.

    python bench/read_speed.py --rows 1000000

Prints the wall and CPU time of ``kpi_engine.read.load`` beside a bare calamine read of
the same file (the floor), and their ratio.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from python_calamine import CalamineWorkbook  # noqa: E402

from kpi_engine.read import load  # noqa: E402
from tests.data.make_fixtures import assessment_form, big_target_sheet, write_xlsx  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rows", type=int, default=200_000)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        write_xlsx(folder / "form.xlsx", assessment_form(评分=[["工号", "期间", "指标", "评价人类型", "评分"]]))
        big_target_sheet(folder / "targets.xlsx", args.rows)
        runs = []
        for _ in range(args.repeat):
            w0, c0 = time.perf_counter(), time.process_time()
            CalamineWorkbook.from_path(str(folder / "targets.xlsx")).get_sheet_by_index(0).to_python()
            floor = (time.perf_counter() - w0, time.process_time() - c0)
            w0, c0 = time.perf_counter(), time.process_time()
            data = load([folder])
            full = (time.perf_counter() - w0, time.process_time() - c0)
            assert len(data.targets) == args.rows
            runs.append((floor, full))
        runs.sort(key=lambda r: r[1][0])
        (fw, fc), (lw, lc) = runs[len(runs) // 2]
        print(f"{args.rows:,} target rows (median of {args.repeat})")
        print(f"  calamine read only : {fw:6.2f} s wall  {fc:6.2f} s CPU")
        print(f"  read.load          : {lw:6.2f} s wall  {lc:6.2f} s CPU")
        print(f"  ratio load / read  : {lw / fw:6.2f} wall  {lc / fc:6.2f} CPU")


if __name__ == "__main__":
    main()
