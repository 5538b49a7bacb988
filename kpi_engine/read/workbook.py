"""One workbook → its sheets as grids of raw cell values, plus what calamine cannot tell.

python-calamine reads the values (both Excel date systems, merged ranges, .xls too).
The few facts it hides come from the package's XML, read with zipfile and defusedxml
only when needed: ``fullCalcOnLoad`` in workbook.xml, and which formula cells carry
no saved value (inputs.md, "Formulas"). Merged ranges are filled here so that the value
of a merged range applies to every row it spans (inputs.md, "Merged cells").
"""

from __future__ import annotations

import io
import posixpath
import re
import zipfile
from dataclasses import dataclass, field

import numpy as np
from defusedxml import ElementTree as SafeET
from python_calamine import CalamineWorkbook, SheetTypeEnum, SheetVisibleEnum

from .files import read_member

_NS_MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_NS_REL = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"


@dataclass(slots=True)
class Grid:
    """A sheet's used range as an object array; ``row0``/``col0`` place it in the sheet (0-based)."""

    name: str
    cells: np.ndarray  # 2-D object array of calamine values ('' for empty)
    row0: int = 0
    col0: int = 0
    hidden: bool = False


@dataclass(slots=True)
class Book:
    """An opened workbook: its worksheets in order, and how to find formula cells without a trusted value."""

    grids: list[Grid]
    full_calc_on_load: bool = False
    _zip: zipfile.ZipFile | None = None
    _sheet_paths: dict[str, str] = field(default_factory=dict)

    def untrusted_formulas(self, sheet: str) -> set[tuple[int, int]]:
        """0-based (row, col) of formula cells whose saved value cannot be used.

        A formula with no saved value always; every formula when the workbook asks for a
        full recalculation on load (its saved values may all be 0)."""
        if self._zip is None or sheet not in self._sheet_paths:
            return set()
        return scan_formulas(self._zip, self._sheet_paths[sheet], every=self.full_calc_on_load)

    def close(self) -> None:
        if self._zip is not None:
            self._zip.close()


class WorkbookError(Exception):
    """calamine could not read the workbook (the caller reports it as corrupt)."""


def open_book(data: bytes, kind: str) -> Book:
    """Parse a workbook from its bytes (never from the path: the file is never reopened)."""
    try:
        wb = CalamineWorkbook.from_filelike(io.BytesIO(data))
        grids = []
        for meta in wb.sheets_metadata:
            if meta.typ != SheetTypeEnum.WorkSheet:  # chart sheets and macro sheets hold no rows
                continue
            sh = wb.get_sheet_by_name(meta.name)
            rows = sh.to_python(skip_empty_area=False)
            cells = _as_grid(rows)
            start = (0, 0)
            merged = sh.merged_cell_ranges or []
            _fill_merged(cells, start, merged)
            grids.append(Grid(meta.name, cells, start[0], start[1], meta.visible != SheetVisibleEnum.Visible))
    except Exception as e:  # calamine raises its own error types for damaged parts
        raise WorkbookError(str(e).splitlines()[0][:200] if str(e) else type(e).__name__) from e
    book = Book(grids)
    if kind == "zip":
        zf = zipfile.ZipFile(io.BytesIO(data))
        book._zip = zf
        book.full_calc_on_load, book._sheet_paths = _workbook_facts(zf)
    return book


def _as_grid(rows: list[list]) -> np.ndarray:
    if not rows:
        return np.empty((0, 0), dtype=object)
    width = max(len(r) for r in rows)
    if all(len(r) == width for r in rows):
        arr = np.empty((len(rows), width), dtype=object)
        arr[:] = rows
        return arr
    arr = np.full((len(rows), width), "", dtype=object)
    for i, r in enumerate(rows):  # ragged rows only come from odd writers: rare and small
        arr[i, : len(r)] = r
    return arr


def _fill_merged(cells: np.ndarray, start: tuple[int, int], merged) -> None:
    """Copy each merged range's top-left value into every cell it covers."""
    for (r1, c1), (r2, c2) in merged:
        a, b = r1 - start[0], c1 - start[1]
        if a < 0 or b < 0 or a >= cells.shape[0] or b >= cells.shape[1]:
            continue
        value = cells[a, b]
        cells[a : r2 - start[0] + 1, b : c2 - start[1] + 1] = value


def _workbook_facts(zf: zipfile.ZipFile) -> tuple[bool, dict[str, str]]:
    """(fullCalcOnLoad, sheet name → XML part path) from workbook.xml and its rels."""
    raw = read_member(zf, "xl/workbook.xml", 20_000_000)
    if not raw:
        return False, {}
    try:
        root = SafeET.fromstring(raw)
    except Exception:
        return False, {}
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
        except Exception:
            pass
    paths = {}
    sheets = root.find(f"{_NS_MAIN}sheets")
    for sh in sheets if sheets is not None else ():
        rid = sh.get(f"{_NS_REL}id")
        if rid in rels:
            paths[sh.get("name")] = rels[rid]
    return full, paths


_CELL = re.compile(rb"<c\b([^>]*?)(?:/>|>(.*?)</c>)", re.S)
_REF = re.compile(rb'\br="([A-Z]+)(\d+)"')
_STR_TYPE = re.compile(rb'\bt="str"')
_HAS_VALUE = re.compile(rb"<v>[^<]")
_CHUNK = 8_000_000


def scan_formulas(zf: zipfile.ZipFile, part: str, every: bool) -> set[tuple[int, int]]:
    """Stream a sheet's XML and collect formula cells without a usable saved value.

    Chunks are cut after the last ``</row>`` so that no cell is split; a chunk without
    ``<f`` is skipped after one ``bytes.find`` (the common case costs one inflate)."""
    out: set[tuple[int, int]] = set()
    try:
        fh = zf.open(part)
    except KeyError:
        return out
    with fh:
        carry = b""
        while True:
            block = fh.read(_CHUNK)
            buf = carry + block
            if block:
                cut = buf.rfind(b"</row>")
                if cut < 0:
                    carry = buf
                    continue
                cut += len(b"</row>")
                buf, carry = buf[:cut], buf[cut:]
            if b"<f" in buf:
                _scan_block(buf, every, out)
            if not block:
                break
    return out


def _scan_block(buf: bytes, every: bool, out: set[tuple[int, int]]) -> None:
    for m in _CELL.finditer(buf):
        body = m.group(2)
        if not body or b"<f" not in body:
            continue
        attrs = m.group(1)
        if not every:
            if _HAS_VALUE.search(body):
                continue
            # An empty <v></v> under t="str" is a formula whose result is the empty text.
            if b"<v>" in body and _STR_TYPE.search(attrs):
                continue
        ref = _REF.search(attrs)
        if ref:
            out.add((int(ref.group(2)) - 1, _col_index(ref.group(1).decode())))


def _col_index(letters: str) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + ord(ch) - 64
    return n - 1


def col_letter(index: int) -> str:
    """0-based column index → Excel letters (0 → A, 26 → AA)."""
    s = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        s = chr(65 + rem) + s
    return s
