"""Time reading one big 目标管理 as .xlsx, .ods and .xlsb: the safety scan, calamine alone, and load().

    python bench/formats.py [rows]    (default 100,000 rows = 1,000,000 cells; needs soffice for the .ods)

The .xlsx is tests/data/make_fixtures.big_target_sheet's; LibreOffice saves it as .ods;
tests/corpus/xlsb.py writes the .xlsb from calamine's reading of it. Each line is one
run; run twice and compare ratios within a run (the machine is shared).
"""

from __future__ import annotations

import io
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run from a checkout, uninstalled

from python_calamine import CalamineWorkbook  # noqa: E402

from kpi_engine.read import load  # noqa: E402
from kpi_engine.read.workbook import _scan_other  # noqa: E402
from tests.data.make_fixtures import big_target_sheet  # noqa: E402
from tests.data.make_ods_xlsb import xlsx_to_xlsb  # noqa: E402


def main(rows: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        t = Path(tmp)
        xlsx = big_target_sheet(t / "big.xlsx", rows)
        xlsx_to_xlsb(xlsx, t / "big.xlsb")
        subprocess.run(["soffice", f"-env:UserInstallation=file://{t}/lo", "--headless", "--convert-to", "ods",
                        "--outdir", str(t), str(xlsx)], check=True, capture_output=True, timeout=600)
        for _ in range(2):
            for name, kind in (("big.xlsx", "zip"), ("big.ods", "ods"), ("big.xlsb", "xlsb")):
                data = (t / name).read_bytes()
                t0 = time.perf_counter()
                if kind != "zip":
                    _scan_other(data, kind)
                t1 = time.perf_counter()
                wb = CalamineWorkbook.from_filelike(io.BytesIO(data))
                wb.get_sheet_by_name("目标管理").to_python()
                t2 = time.perf_counter()
                load([t / name])
                t3 = time.perf_counter()
                print(f"{name:9} {len(data) / 1e6:5.1f} MB  scan {t1 - t0:5.2f} s  calamine alone {t2 - t1:5.2f} s  "
                      f"load() {t3 - t2:5.2f} s", flush=True)


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 100_000)
