"""How long the result writer takes for 75,000 明细 rows (12,500 people × 6 KPIs).

    python bench/write_speed.py
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from kpi_engine.write.workbook import write_workbook  # noqa: E402
from tests.test_write_big import big_outcome  # noqa: E402


def main() -> None:
    outcome = big_outcome()
    with tempfile.TemporaryDirectory() as tmp:
        w0, c0 = time.perf_counter(), time.process_time()
        write_workbook(outcome, Path(tmp) / "big.xlsx")
        print(f"{len(outcome.results.scores):,} 明细 rows written in "
              f"{time.perf_counter() - w0:.2f} s wall, {time.process_time() - c0:.2f} s CPU")


if __name__ == "__main__":
    main()
