"""Pictures of the target-sheet layouts the readers accept (README, "Layouts HR already keeps").

    python docs/make_layout_pictures.py      # writes docs/screenshots/layout_<name>.png

Each layout of tests/data/make_layouts.py is written, given readable column widths and a
one-page-wide landscape print setup (a copy: the example files stay as the tests use
them), printed to PDF by LibreOffice and rendered at 60 dpi by pdftoppm.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from openpyxl import load_workbook
from openpyxl.styles import Font, PatternFill

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.data import make_layouts as ml  # noqa: E402

OUT = ROOT / "docs" / "screenshots"
GREY = PatternFill("solid", fgColor="DDDDDD")


def _width(value) -> int:
    """Characters a cell needs, a CJK character counting two."""
    if value is None:
        return 0
    text = f"{value:.1%}" if isinstance(value, float) and value < 1 else str(value)[:10]
    return sum(2 if ord(ch) > 0x2E80 else 1 for ch in text)


def _dress(path: Path, header_rows: set[int]) -> None:
    wb = load_workbook(path)
    ws = wb.worksheets[0]
    from openpyxl.utils import get_column_letter
    for j, col in enumerate(ws.iter_cols(min_row=1, max_row=ws.max_row), 1):
        width = max(_width(c.value) for c in col if c.row > 1 or c.row in header_rows)
        ws.column_dimensions[get_column_letter(j)].width = min(max(4, width + 1), 16)
    for r in header_rows:
        for c in ws[r]:
            if c.__class__.__name__ != "MergedCell":
                c.font, c.fill = Font(bold=True), GREY
    for row in ws.iter_rows():
        for c in row:
            if c.__class__.__name__ == "MergedCell":
                continue
            if isinstance(c.value, float) and c.value < 1:
                c.number_format = "0.0%"
            elif c.value is not None and hasattr(c.value, "year"):
                c.number_format = "yyyy-mm"
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A3 if ws.max_column > 16 else ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth, ws.page_setup.fitToHeight = 1, 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_options.gridLines = True
    wb.save(path)


def picture(src: Path, name: str, header_rows: set[int], work: Path) -> Path:
    copy = work / f"layout_{name}.xlsx"
    shutil.copy(src, copy)
    _dress(copy, header_rows)
    subprocess.run(["soffice", "--headless", "--convert-to", "pdf", "--outdir", str(work), str(copy)],
                   check=True, capture_output=True, timeout=180)
    png = OUT / f"layout_{name}"
    subprocess.run(["pdftoppm", "-png", "-r", "60", "-f", "1", "-l", "1", "-singlefile", str(copy.with_suffix(".pdf")),
                    str(png)], check=True)
    return png.with_suffix(".png")


SHOWN = {  # layout → (file in its folder, header rows to grey)
    "long": ("target_sheet.xlsx", {1}),
    "classic": ("目标管理表.xlsx", {3}),
    "iso_months": ("业绩跟踪.xlsx", {1}),
    "label_rows": ("目标管理表.xlsx", {2}),
    "paired_two_rows": ("2026年目标管理表.xlsx", {1, 2}),
    "paired_english": ("targets.xlsx", {2}),
    "month_outside": ("2026-08目标管理表.xlsx", {2}),
}


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        for name, (file, rows) in SHOWN.items():
            folder = ml.folder_for(work / "in", name, long_per_month=False)
            print(picture(folder / file, name, rows, work))


if __name__ == "__main__":
    main()
