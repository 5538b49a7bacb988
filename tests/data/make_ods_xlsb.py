"""The committed .ods and .xlsb fixtures, and how they were made.

    python tests/data/make_ods_xlsb.py

- ``targets_2026-03.ods``: sample_data/targets_2026-03.xlsx saved as .ods by LibreOffice
  (``soffice --headless --convert-to ods``), as HR would with LibreOffice or WPS.
- ``targets_2026-04.xlsb``: sample_data/targets_2026-04.xlsx's cells (as calamine reads
  them) written by tests/corpus/xlsb.py — LibreOffice only imports .xlsb, and no library
  writes it.
- ``bad-value.ods``: a small 目标管理 whose 实际值 in H17 is ``abc`` (LibreOffice from a
  workbook built here). :func:`bad_value_rows` gives the same rows to the .xlsb test.

When sample_data is regenerated, run this again (test_read_ods_xlsb compares the
fixtures' scores with the sample's .xlsx months).
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).parent
ROOT = HERE.parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

ODS_MONTH = "2026-03"
XLSB_MONTH = "2026-04"
BAD_CELL = "H17"


def bad_value_rows() -> list[list]:
    """Header + 16 rows (E101–E105 clean, E106's 实际值 ``abc``, in row 17)."""
    from tests.corpus.make_corpus import HEADER, person, row

    rows = [HEADER]
    for i in range(101, 106):
        rows += person(f"E{i}")
    rows.append(row("E106", "销售额", 100000, "abc", unit="元"))
    return rows


def soffice(src: Path, fmt: str, outdir: Path) -> Path:
    profile = Path(tempfile.mkdtemp(prefix="kpi-fixture-lo-"))
    try:
        subprocess.run(["soffice", f"-env:UserInstallation=file://{profile}", "--headless", "--convert-to", fmt,
                        "--outdir", str(outdir), str(src)], check=True, capture_output=True, timeout=180)
    finally:
        shutil.rmtree(profile, ignore_errors=True)
    return outdir / f"{src.stem}.{fmt}"


def xlsx_to_xlsb(src: Path, dst: Path) -> Path:
    from python_calamine import CalamineWorkbook

    from tests.corpus.xlsb import XlsbSheet, write_xlsb

    wb = CalamineWorkbook.from_path(str(src))
    sheets = [XlsbSheet(name, wb.get_sheet_by_name(name).to_python(skip_empty_area=False)) for name in wb.sheet_names]
    return write_xlsb(dst, sheets)


def main() -> None:
    from tests import builders

    with tempfile.TemporaryDirectory() as tmp:
        t = Path(tmp)
        shutil.copy(ROOT / "sample_data" / f"targets_{ODS_MONTH}.xlsx", t / f"targets_{ODS_MONTH}.xlsx")
        shutil.copy(soffice(t / f"targets_{ODS_MONTH}.xlsx", "ods", t / "out"), HERE / f"targets_{ODS_MONTH}.ods")
        builders.write_workbook(t / "bad-value.xlsx", {"目标管理": bad_value_rows()})
        shutil.copy(soffice(t / "bad-value.xlsx", "ods", t / "out"), HERE / "bad-value.ods")
    xlsx_to_xlsb(ROOT / "sample_data" / f"targets_{XLSB_MONTH}.xlsx", HERE / f"targets_{XLSB_MONTH}.xlsb")


if __name__ == "__main__":
    main()
