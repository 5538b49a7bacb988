"""Sort and filter a sheet's autofilter range with openpyxl, the way a spreadsheet's filter drop-down does.

Why: the result workbook's live formulas must survive what a user does with the filter
buttons (issue 11, item 1). A sort through the drop-down, in Excel as in LibreOffice:

* permutes the data rows of the autofilter range, the rows below its header row;
* moves only the cells inside the filter's columns: a cell outside them stays where it
  is, so a formula that reads such a column afterwards pairs its row with another
  row's data;
* leaves hidden (filtered-out) rows where they are and sorts the visible rows among the
  visible positions ("hidden rows are not moved when you sort rows");
* moves values, formulas and formats with their row, and translates a moved formula like
  a copy: relative row references follow the row (``$N5`` moved to row 3 is ``$N3``),
  absolute ones (``$A$2:$A$40``) stay;
* orders numbers, then text, then booleans (descending: the reverse), blanks last either
  way, and keeps ties in their order.

openpyxl does not know a formula's value, so the sort key of a formula cell comes from a
``data_only`` twin of the sheet (the values saved in the file), which is permuted
alongside so that a second sort or filter still sees the right values.

:func:`uncovered_columns` is the static side of the same defect: a column that some
formula reads within a sheet's data rows must be inside that sheet's filter, or a sort
tears it away from its row.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from copy import copy
from dataclasses import dataclass
from datetime import date, datetime

from openpyxl.formula.tokenizer import Token, Tokenizer
from openpyxl.formula.translate import Translator
from openpyxl.utils import get_column_letter, range_boundaries
from openpyxl.utils.datetime import to_excel
from openpyxl.workbook import Workbook
from openpyxl.worksheet.worksheet import Worksheet


@dataclass(frozen=True)
class Table:
    """A sheet's autofilter range: header row, data rows, filter columns, and columns by header text."""

    sheet: str
    header_row: int
    first_col: int
    last_col: int
    last_row: int
    headers: dict[str, int]  # header text -> column, over the whole header row (inside the filter or not)

    @property
    def data_rows(self) -> range:
        return range(self.header_row + 1, self.last_row + 1)

    @property
    def filter_columns(self) -> range:
        return range(self.first_col, self.last_col + 1)

    def col(self, header: str) -> int:
        try:
            return self.headers[header]
        except KeyError:
            raise KeyError(f"{self.sheet}: no column headed {header!r} in row {self.header_row}; "
                           f"headers are {list(self.headers)}") from None


def table(ws: Worksheet) -> Table:
    """The autofilter range of ``ws``; its first row is the header row, wherever it is."""
    if not ws.auto_filter.ref:
        raise ValueError(f"{ws.title} has no autofilter")
    first_col, header_row, last_col, last_row = range_boundaries(ws.auto_filter.ref)
    headers: dict[str, int] = {}
    for cell in ws[header_row]:
        if isinstance(cell.value, str) and cell.value.strip():
            headers.setdefault(cell.value.strip(), cell.column)
    return Table(ws.title, header_row, first_col, last_col, last_row, headers)


def row_index(ws: Worksheet, t: Table, *headers: str) -> dict[tuple, int]:
    """Data row of each key (the values under ``headers``); read after a sort to find a person's row."""
    cols = [t.col(h) for h in headers]
    index: dict[tuple, int] = {}
    for r in t.data_rows:
        key = tuple(ws.cell(r, c).value for c in cols)
        if key in index:
            raise ValueError(f"{t.sheet}: {dict(zip(headers, key))} on rows {index[key]} and {r}")
        index[key] = r
    return index


def visible_rows(ws: Worksheet, t: Table) -> list[int]:
    return [r for r in t.data_rows if not ws.row_dimensions[r].hidden]


def _blank(value: object) -> bool:
    return value is None or value == ""


def _sort_key(value: object) -> tuple:
    """Spreadsheet order: numbers (and dates, as serials) < text (ignoring case) < booleans."""
    if isinstance(value, bool):
        return (2, value)
    if isinstance(value, (int, float)):
        return (0, value)
    if isinstance(value, (datetime, date)):
        return (0, to_excel(value))
    return (1, str(value).casefold())


def sort_rows(ws: Worksheet, header: str, *, descending: bool = False,
              shown: Worksheet | None = None) -> dict[int, int]:
    """Sort the visible data rows of ``ws``'s filter range by the column headed ``header``.

    ``shown`` is the data_only twin of ``ws``: it gives the values of formula cells and is
    permuted too. Returns ``{row: row it came from}`` for every visible data row.
    """
    t = table(ws)
    col = t.col(header)
    if col not in t.filter_columns:
        raise ValueError(f"{t.sheet}: {header!r} has no filter button, a user cannot sort by it")
    rows = visible_rows(ws, t)
    keys = {r: (shown if shown is not None else ws).cell(r, col).value for r in rows}
    filled = sorted((r for r in rows if not _blank(keys[r])), key=lambda r: _sort_key(keys[r]),
                    reverse=descending)  # Python's sort is stable with reverse too
    order = filled + [r for r in rows if _blank(keys[r])]
    moves = dict(zip(rows, order))
    _permute(ws, t, moves, translate=True)
    if shown is not None:
        _permute(shown, t, moves, translate=False)
    return moves


def _permute(ws: Worksheet, t: Table, moves: dict[int, int], *, translate: bool) -> None:
    """Put row ``moves[r]``'s filter-range cells on row ``r``; cells outside the filter stay."""
    moving = {new: old for new, old in moves.items() if new != old}
    taken = {(old, c): _take(ws.cell(old, c)) for old in moving.values() for c in t.filter_columns}
    for new, old in moving.items():
        for c in t.filter_columns:
            value, data_type, style = taken[(old, c)]
            if data_type == "f" and translate:
                value = _translate(value, get_column_letter(c), old, new)
            cell = ws.cell(new, c)
            # Not cell.value = ...: that would turn text like '=HYPERLINK(...)' into a formula.
            cell._value, cell.data_type, cell._style = value, data_type, copy(style)


def _take(cell) -> tuple:
    return cell._value, cell.data_type, copy(cell._style)


def _translate(formula: object, letter: str, old: int, new: int) -> str:
    if not isinstance(formula, str):
        raise TypeError(f"{letter}{old}: cannot move a {type(formula).__name__} (array formula?)")
    return Translator(formula, origin=f"{letter}{old}").translate_formula(f"{letter}{new}")


def hide_rows(ws: Worksheet, header: str, hide: Callable[[object], bool],
              shown: Worksheet | None = None) -> list[int]:
    """Hide the data rows whose value under ``header`` satisfies ``hide``, as a filter criterion does.

    Only the rows' hidden flag is set: that is what a sort and the formulas see (SUMIFS and
    COUNTIFS still count hidden rows). Returns the rows hidden.
    """
    t = table(ws)
    col = t.col(header)
    source = shown if shown is not None else ws
    hidden = [r for r in visible_rows(ws, t) if hide(source.cell(r, col).value)]
    for r in hidden:
        ws.row_dimensions[r].hidden = True
    return hidden


# --- which columns the formulas read ---------------------------------------------------


def _unquote(sheet: str) -> str:
    if len(sheet) >= 2 and sheet[0] == sheet[-1] == "'":
        return sheet[1:-1].replace("''", "'")
    return sheet


def references(formula: str) -> Iterator[tuple[str | None, tuple]]:
    """(sheet or None, (min_col, min_row, max_col, max_row)) of each cell or range a formula names.

    Defined names and whole-row ranges name no column and are skipped; a whole-column
    range has no rows (None).
    """
    text = formula if formula.startswith("=") else "=" + formula
    for tok in Tokenizer(text).items:
        if tok.type != Token.OPERAND or tok.subtype != Token.RANGE:
            continue
        sheet, _, ref = tok.value.rpartition("!")
        try:
            bounds = range_boundaries(ref.replace("$", ""))
        except ValueError:
            continue  # a defined name
        if bounds[0] is not None:
            yield (_unquote(sheet) if sheet else None), bounds


def _formulas(ws: Worksheet) -> Iterator[str]:
    """Every formula on ``ws``: in cells, and in conditional-format rules."""
    for row in ws.iter_rows():
        for cell in row:
            if cell.data_type == "f" and isinstance(cell.value, str):
                yield cell.value
    for cf in ws.conditional_formatting:
        for rule in cf.rules:
            for formula in rule.formula or []:
                yield from _applied(formula, cf.sqref)


def _applied(formula: str, sqref) -> Iterator[str]:
    """A conditional format's formula as it reads at each column of its ranges' first and last rows.

    Its relative references are written for the top-left cell and shift with the cell
    the rule colours: ``D2`` in a rule on D2:F47 also reads E and F.
    """
    ranges = list(sqref.ranges)
    origin = f"{get_column_letter(ranges[0].min_col)}{ranges[0].min_row}"
    text = "=" + formula
    for rng in ranges:
        for c in range(rng.min_col, rng.max_col + 1):
            for r in {rng.min_row, rng.max_row}:
                yield Translator(text, origin=origin).translate_formula(f"{get_column_letter(c)}{r}")


def columns_read(book: Workbook) -> dict[str, set[int]]:
    """Per sheet with an autofilter: the columns some formula reads within its data rows.

    A reference counts for a sheet when it is on that sheet unqualified (cell formulas and
    conditional formats), or qualified with its name from any sheet (汇总's SUMIFS over
    明细's key column tears just as much as 明细's own formulas do).
    """
    tables = {ws.title: table(ws) for ws in book.worksheets if ws.auto_filter.ref}
    read: dict[str, set[int]] = {name: set() for name in tables}
    for ws in book.worksheets:
        for formula in _formulas(ws):
            for sheet, (c1, r1, c2, r2) in references(formula):
                t = tables.get(sheet if sheet is not None else ws.title)
                if t is None:
                    continue
                if r1 is None or (r1 <= t.last_row and r2 >= t.data_rows.start):
                    read[t.sheet].update(range(c1, c2 + 1))
    return read


def uncovered_columns(book: Workbook) -> dict[str, list[str]]:
    """Per sheet, the columns read within its data rows but outside its filter, as 'N (header)'."""
    out: dict[str, list[str]] = {}
    for name, cols in columns_read(book).items():
        ws = book[name]
        t = table(ws)
        outside = sorted(c for c in cols if c not in t.filter_columns)
        if outside:
            out[name] = [f"{get_column_letter(c)} ({ws.cell(t.header_row, c).value})" for c in outside]
    return out


def widen_filters(book: Workbook) -> None:
    """Stretch every autofilter over the columns its sheet's data rows are read from.

    For the harness's control: with the writer's filters widened this way a sort must keep
    every figure right, so a failure without it is the workbook's, not the harness's.
    """
    for name, cols in columns_read(book).items():
        ws = book[name]
        t = table(ws)
        first, last = min([t.first_col, *cols]), max([t.last_col, *cols])
        ws.auto_filter.ref = f"{get_column_letter(first)}{t.header_row}:{get_column_letter(last)}{t.last_row}"
