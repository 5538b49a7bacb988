"""One workbook → its sheets as grids of raw cell values, plus what calamine cannot tell.

python-calamine reads the values (both Excel date systems, merged ranges, .xls too).
What it hides comes from :mod:`.xlsxscan`'s one pass over the package: formula cells
without a trusted saved value, error cells, and sheets so sparse (a stray cell in
XFD1048576) that calamine's dense range would not fit in memory — those are read by
the small streaming reader in :mod:`.sparse` instead. Merged ranges are filled here, so
that the value of a merged range applies to every cell it spans (inputs.md).
"""

from __future__ import annotations

import io
import posixpath
import zipfile
from dataclasses import dataclass, field

import numpy as np
from defusedxml import ElementTree as SafeET
from python_calamine import CalamineWorkbook, SheetTypeEnum, SheetVisibleEnum

from . import heap
from .files import read_member
from . import odsscan, xlsbscan
from .xlsxscan import (
    SheetFacts,
    TooLongText,
    UnsafePackage,
    fix_shared_string_count,
    scan_package,
    shared_string_user,
)

_NS_MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_NS_REL = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"

HEAD_ROWS = 10  # inputs.md: the header row is within the first 10
# A sheet is read densely (calamine) when its rectangle is small, or mostly filled and
# not absurd; otherwise sparsely. 1,000,000 rows × 10 columns is dense and fine.
DENSE_ALWAYS = 5_000_000
DENSE_MAX = 60_000_000
DENSE_FILL = 0.25


@dataclass(slots=True)
class Grid:
    """Cells of a sheet as an object array; ``rows``/``cols`` give each grid row's and
    column's 0-based position in the sheet (contiguous for dense sheets, gaps for sparse)."""

    name: str
    cells: np.ndarray  # 2-D object array of values ('' for empty)
    rows: np.ndarray
    cols: np.ndarray
    hidden: bool = False


class WorkbookError(Exception):
    """The workbook could not be read; ``kind`` is "corrupt" or "too_large"."""

    def __init__(self, reason: str, kind: str = "corrupt"):
        super().__init__(reason)
        self.kind = kind


@dataclass(slots=True)
class Book:
    """An opened workbook: sheet names in order, with grids read on demand."""

    data: bytes
    kind: str  # "zip" (xlsx family), "xlsb", "ods" or "ole"
    sheets: list[tuple[str, bool]]  # (name, hidden), worksheets only
    full_calc_on_load: bool = False
    _wb: CalamineWorkbook | None = None
    _facts: dict[str, SheetFacts] = field(default_factory=dict)  # sheet name → facts (xlsx)
    _parts: dict[str, str] = field(default_factory=dict)  # sheet name → part path
    _open: dict = field(default_factory=dict)  # sheet name → calamine sheet read for its head
    # (sheet, cell, bytes) of a cell whose text runs past xlsxscan.CELL_LIMIT: the file
    # is refused, never handed to calamine (sheets.read_sheets reports it)
    too_long: tuple[str, str, int] | None = None

    def facts(self, name: str) -> SheetFacts:
        return self._facts.get(name) or SheetFacts()

    def grid(self, name: str, hidden: bool, head_only: bool = False) -> Grid:
        """The sheet's cells; ``head_only`` reads just the first rows (for recognition)."""
        facts = self._facts.get(name)
        try:
            if facts is not None and _too_sparse(facts):
                from .sparse import read_sparse  # rare: sheets with far-flung stray cells

                cells, rows, cols = read_sparse(self.data, self._parts[name], head_only=head_only)
            else:
                # calamine parses the whole sheet on get_sheet_by_name: keep it from the
                # first look (the head) for the full read, then let it go.
                sh = self._open.pop(name, None) or self._wb.get_sheet_by_name(name)
                if head_only:
                    self._open[name] = sh
                values = sh.to_python(skip_empty_area=False, nrows=HEAD_ROWS) if head_only else sh.to_python(
                    skip_empty_area=False)
                cells = _as_grid(values)
                if facts is not None and not head_only:
                    cells = _widen(cells, facts)
                rows, cols = np.arange(cells.shape[0]), np.arange(cells.shape[1])
                if not head_only:
                    _fill_merged(cells, sh.merged_cell_ranges or (facts.merged if facts is not None else []))
        except (UnsafePackage, MemoryError):
            raise
        except Exception as e:  # calamine raises its own types for damaged parts
            raise WorkbookError(_first_line(e)) from e
        if facts is not None and facts.errors:
            _put_errors(cells, rows, cols, facts.errors)
        return Grid(name, cells, rows, cols, hidden)

    def untrusted(self, name: str) -> dict[tuple[int, int], bool]:
        """(row, col) → has a saved value, for formula cells whose saved value cannot be used."""
        return self.facts(name).formulas


def _first_line(e: Exception) -> str:
    text = str(e)
    return text.splitlines()[0][:200] if text else type(e).__name__


def _too_sparse(f: SheetFacts) -> bool:
    extent = f.extent
    if extent <= DENSE_ALWAYS:
        return False
    return extent > DENSE_MAX or f.cells < DENSE_FILL * extent


def _too_dense(name: str, f: SheetFacts) -> str:
    """'' when calamine may read the sheet as a dense grid, else why not (for .ods and
    .xlsb, which have no sparse reader: calamine reads them whole on open)."""
    if not _too_sparse(f):
        return ""
    return (f"sheet {name}: cells up to row {f.max_row + 1:,} and column {col_letter(f.max_col)}, "
            f"{f.extent:,} in all, {f.cells:,} of them filled / 工作表 {name} 的单元格延伸到第 "
            f"{f.max_row + 1:,} 行、{col_letter(f.max_col)} 列")


def open_book(data: bytes, kind: str) -> Book:
    """Open a workbook from its bytes (the file is never reopened, never written)."""
    heap.tune()
    full, parts = False, {}
    facts: dict[str, SheetFacts] = {}
    if kind in ("ods", "xlsb"):
        facts, full, too_long = _scan_other(data, kind)
        if too_long is not None:
            return too_long
    elif kind == "zip":
        try:
            zf = zipfile.ZipFile(io.BytesIO(data))
        except zipfile.BadZipFile as e:
            raise WorkbookError(str(e)) from e
        with zf:
            full, parts = _workbook_facts(zf)
            try:
                by_part, real_strings = scan_package(data, zf, set(parts.values()), every_formula=full)
            except UnsafePackage as e:
                raise WorkbookError(e.reason, e.kind) from e
            except TooLongText as e:
                return _refused(data, zf, parts, e)
        facts = {name: by_part[p] for name, p in parts.items() if p in by_part}
        if real_strings is not None:
            data = fix_shared_string_count(data, real_strings)
    try:
        wb = CalamineWorkbook.from_filelike(io.BytesIO(data))
        sheets = [(m.name, m.visible != SheetVisibleEnum.Visible) for m in wb.sheets_metadata
                  if m.typ == SheetTypeEnum.WorkSheet]  # chart and macro sheets hold no rows
    except Exception as e:
        raise WorkbookError(_first_line(e)) from e
    return Book(data, kind, sheets, full, wb, facts, parts)


def _scan_other(data: bytes, kind: str) -> tuple[dict[str, SheetFacts], bool, Book | None]:
    """An .ods or .xlsb: every member checked in one pass, and per sheet its facts; a
    sheet too large to read densely refuses the file (WorkbookError "too_large")."""
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile as e:
        raise WorkbookError(str(e)) from e
    with zf:
        try:
            if kind == "ods":
                scan, full = odsscan.OdsScan(), False
                scan_package(data, zf, set(), False, {odsscan.CONTENT: scan})
                facts = scan.facts
            else:
                full, parts = xlsbscan.workbook_facts(zf)
                walks = {p: xlsbscan.SheetWalk(p, full) for p in parts.values()}
                scan_package(data, zf, set(), full, {**walks, xlsbscan.SHARED_STRINGS: xlsbscan.SharedStrings()})
                facts = {name: walks[p].facts for name, p in parts.items()}
        except UnsafePackage as e:
            raise WorkbookError(e.reason, e.kind) from e
        except TooLongText as e:
            if kind == "ods":
                names = scan.order
                return {}, False, Book(data, kind, [(n, False) for n in names], too_long=(e.sheet, e.ref, e.size))
            part, ref = e.part, e.ref
            if e.index >= 0:
                part, ref = xlsbscan.shared_string_user(data, zf, list(parts.values()), e.index)
            sheet = next((name for name, p in parts.items() if p == part), "")
            return {}, False, Book(data, kind, [(n, False) for n in parts], too_long=(sheet, ref, e.size))
    for name, f in facts.items():
        why = _too_dense(name, f)
        if why:
            raise WorkbookError(why, "too_large")
    return facts, full, None


def _refused(data: bytes, zf: zipfile.ZipFile, parts: dict[str, str], e: TooLongText) -> Book:
    """A book whose too long cell is named, and nothing else read (calamine never opens it)."""
    part, ref = e.part, e.ref
    if e.index >= 0:  # a shared string: the first cell showing it
        part, ref = shared_string_user(data, zf, list(parts.values()), e.index)
    sheet = next((name for name, p in parts.items() if p == part), "")
    return Book(data, "zip", [(name, False) for name in parts], too_long=(sheet, ref, e.size))


def _as_grid(rows: list[list]) -> np.ndarray:
    if not rows:
        return np.empty((0, 0), dtype=object)
    lengths = set(map(len, rows))
    width = max(lengths)
    if len(lengths) == 1 and width:
        arr = np.empty((len(rows), width), dtype=object)
        arr[:] = rows
        return arr
    arr = np.full((len(rows), width), "", dtype=object)
    for i, r in enumerate(rows):  # ragged rows only come from odd writers: rare and small
        arr[i, : len(r)] = r
    return arr


def _widen(cells: np.ndarray, facts: SheetFacts) -> np.ndarray:
    """calamine's range ends at the last cell with a value: a formula or error cell without
    one may lie beyond it. Grow the grid so those cells have a place."""
    hidden = list(facts.errors) + list(facts.formulas)
    if not hidden:
        return cells
    need_r = max(r for r, _ in hidden) + 1
    need_c = max(c for _, c in hidden) + 1
    if need_r <= cells.shape[0] and need_c <= cells.shape[1]:
        return cells
    grown = np.full((max(need_r, cells.shape[0]), max(need_c, cells.shape[1])), "", dtype=object)
    grown[: cells.shape[0], : cells.shape[1]] = cells
    return grown


def _put_errors(cells: np.ndarray, rows: np.ndarray, cols: np.ndarray, errors: dict) -> None:
    """Error cells read as their text (#DIV/0!), so that a number column reports them."""
    ri = {int(r): i for i, r in enumerate(rows)} if len(rows) != cells.shape[0] or (len(rows) and rows[0] != 0) else None
    ci = {int(c): j for j, c in enumerate(cols)} if len(cols) != cells.shape[1] or (len(cols) and cols[0] != 0) else None
    for (r, c), text in errors.items():
        i = ri.get(r) if ri is not None else (r if r < cells.shape[0] else None)
        j = ci.get(c) if ci is not None else (c if c < cells.shape[1] else None)
        if i is not None and j is not None:
            cells[i, j] = text


def _fill_merged(cells: np.ndarray, merged) -> None:
    """Copy each merged range's top-left value into every cell it covers."""
    for (r1, c1), (r2, c2) in merged:
        if r1 >= cells.shape[0] or c1 >= cells.shape[1]:
            continue
        cells[r1 : r2 + 1, c1 : c2 + 1] = cells[r1, c1]


def _workbook_facts(zf: zipfile.ZipFile) -> tuple[bool, dict[str, str]]:
    """(fullCalcOnLoad, sheet name → XML part path) from workbook.xml and its rels."""
    raw = read_member(zf, "xl/workbook.xml", 20_000_000)
    if not raw:
        raise WorkbookError("no xl/workbook.xml")
    try:
        root = SafeET.fromstring(raw)
    except Exception as e:  # defusedxml refuses DTDs and entities: not an Excel file
        raise WorkbookError(f"xl/workbook.xml: {_first_line(e)}") from e
    calc = root.find(f"{_NS_MAIN}calcPr")
    full = calc is not None and calc.get("fullCalcOnLoad") in ("1", "true")
    rels = {}
    rraw = read_member(zf, "xl/_rels/workbook.xml.rels", 20_000_000)
    if rraw:
        try:
            for rel in SafeET.fromstring(rraw):
                target = rel.get("Target", "")
                path = target.lstrip("/") if target.startswith("/") else posixpath.normpath(posixpath.join("xl", target))
                rels[rel.get("Id")] = path
        except Exception as e:
            raise WorkbookError(f"xl/_rels/workbook.xml.rels: {_first_line(e)}") from e
    paths = {}
    sheets = root.find(f"{_NS_MAIN}sheets")
    for sh in sheets if sheets is not None else ():
        rid = sh.get(f"{_NS_REL}id")
        if rid in rels:
            paths[sh.get("name")] = rels[rid]
    return full, paths


def col_letter(index: int) -> str:
    """0-based column index → Excel letters (0 → A, 26 → AA)."""
    s = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        s = chr(65 + rem) + s
    return s
