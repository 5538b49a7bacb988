"""Writing tables fast and safely with xlsxwriter, and dressing every sheet the same way.

- Every cell goes through a typed ``write_*`` call (input text is always
  ``write_string``: a name like ``=HYPERLINK(...)`` stays text) and every return value is
  checked: xlsxwriter reports failure by returning -1/-2 rather than raising.
- A table is a list of :class:`Col` (header, kind, values, formats), written column by
  column; NaN numbers and empty strings are left as blank cells.
- :func:`finish` gives a sheet its frozen header, autofilter, fitted widths (CJK
  characters count double), print titles, landscape and fit-to-one-page-wide.
"""

from __future__ import annotations

import functools
import inspect
import math
import re
from dataclasses import dataclass, field
from importlib.metadata import version
from typing import Any, Literal, Sequence

import numpy as np
import pandas as pd
from xlsxwriter.format import Format
from xlsxwriter.packager import Packager
from xlsxwriter.sharedstrings import SharedStringTable
from xlsxwriter.utility import xl_col_to_name, xl_rowcol_to_cell
from xlsxwriter.workbook import Workbook
from xlsxwriter.worksheet import Worksheet

from ..issues import IssueType, OutputError
from . import styles as st

WRITE_FAILED = IssueType(
    "writer_call_failed",
    "error",
    zh="写入结果工作簿失败：{where}（xlsxwriter 返回 {code}：{what}）。结果未写出；请把这条消息报告给维护者。",
    en="Writing the result workbook failed at {where} (xlsxwriter returned {code}: {what}). "
    "No result was written; please report this message to the maintainers.",
)


XLSXWRITER_CHANGED = IssueType(
    "xlsxwriter_untested",
    "error",
    zh="已安装的 xlsxwriter {value} 与本程序测试过的版本（xlsxwriter{tested}）内部接口不同：{what}。"
    "为免写出损坏的工作簿，结果未写出。请安装测试过的版本：pip install \"xlsxwriter{tested}\"。",
    en="The installed xlsxwriter {value} differs from the versions kpi-engine was tested with "
    "(xlsxwriter{tested}) in internals the writer relies on: {what}. No result was written, rather than "
    "risk a corrupt workbook. Install a tested version: pip install \"xlsxwriter{tested}\".",
)

# FastSheet and package.ResultBook reach into xlsxwriter's private methods and attributes. The range it was
# tested with (pyproject.toml pins the same; tests/test_write_xlsxwriter.py fails on any
# other installed version), and the internals it relies on, parameter names included: a
# release that changes them is refused before a byte is written (see docs/decisions.md).
TESTED_XLSXWRITER = ">=3.3,<3.4"
PRIVATE_METHODS: dict[tuple[type, str], tuple[str, ...]] = {
    (Worksheet, "_prepare_formula"): ("self", "formula", "expand_future_functions"),
    (Worksheet, "_check_dimensions"): ("self", "row", "col", "ignore_row", "ignore_col"),
    (Worksheet, "_write_rows"): ("self",),
    (Worksheet, "_calculate_spans"): ("self",),
    (Worksheet, "_write_row"): ("self", "row", "spans", "row_info", "empty_row"),
    (Worksheet, "_write_empty_row"): ("self", "row", "spans", "row_info"),
    (Worksheet, "_write_cell"): ("self", "row", "col", "cell"),
    (Worksheet, "_xml_end_tag"): ("self", "tag"),
    (Worksheet, "_get_range_data"): ("self", "row_start", "col_start", "row_end", "col_end"),
    (SharedStringTable, "_get_shared_string_index"): ("self", "string"),
    (Format, "_get_xf_index"): ("self",),
    # package.ResultBook._store_workbook: xlsxwriter's own, but for the zipping.
    (Workbook, "_store_workbook"): ("self",),
    (Workbook, "_get_packager"): ("self",),
    (Workbook, "_prepare_sst_string_data"): ("self",),
    (Workbook, "_prepare_vml"): ("self",),
    (Workbook, "_prepare_defined_names"): ("self",),
    (Workbook, "_prepare_drawings"): ("self",),
    (Workbook, "_add_chart_data"): ("self",),
    (Workbook, "_prepare_tables"): ("self",),
    (Workbook, "_prepare_metadata"): ("self",),
    (Packager, "_add_workbook"): ("self", "workbook"),
    (Packager, "_set_tmpdir"): ("self", "tmpdir"),
    (Packager, "_set_in_memory"): ("self", "in_memory"),
    (Packager, "_create_package"): ("self",),
    # package._Packager: each part's file comes from _filename, a StringIO that
    # XMLwriter._set_xml_writer writes into (and leaves open) rather than opening a path.
    (Packager, "_filename"): ("self", "xml_filename"),
    (Worksheet, "_set_xml_writer"): ("self", "filename"),
}
PRIVATE_ATTRIBUTES: dict[type, tuple[str, ...]] = {
    Worksheet: ("table", "row_info", "comments", "row_spans", "dim_rowmin", "dim_rowmax", "dim_colmin",
                "dim_colmax", "fh", "name", "str_table"),
    SharedStringTable: ("count",),
    Workbook: ("filename", "allow_zip64", "worksheet_meta", "worksheets_objs", "vba_project", "tmpdir"),
    Packager: ("filenames",),
}


def xlsxwriter_changes(worksheet: type = Worksheet) -> list[str]:
    """What FastSheet relies on that this xlsxwriter lacks or has changed; [] when all is as tested."""
    found = []
    for (cls, name), expected in PRIVATE_METHODS.items():
        cls = worksheet if cls is Worksheet else cls
        method = getattr(cls, name, None)
        if method is None:
            found.append(f"{cls.__name__}.{name} is missing")
            continue
        params = tuple(inspect.signature(method).parameters)
        if params != expected:
            found.append(f"{cls.__name__}.{name}({', '.join(params)}) instead of ({', '.join(expected)})")
    for cls, names in PRIVATE_ATTRIBUTES.items():
        obj = (worksheet if cls is Worksheet else cls)()
        found += [f"{type(obj).__name__}.{a} is missing" for a in names if not hasattr(obj, a)]
    return found


@functools.cache
def _check_xlsxwriter() -> None:
    changes = xlsxwriter_changes()
    if changes:
        raise OutputError(XLSXWRITER_CHANGED(value=version("xlsxwriter"), tested=TESTED_XLSXWRITER,
                                             what="; ".join(changes)))


class FastSheet(Worksheet):
    """A Worksheet that writes large tables column-wise, without a Python call per cell.

    - Cell formulas skip xlsxwriter's rewrite for Excel 365 functions (~30 regular
      expressions per formula): the engine's formulas use Excel 2010 functions only (a
      test holds every template to that list). Conditional formats and validations keep
      xlsxwriter's handling.
    - :meth:`add_bulk` registers a table's data columns; when the workbook closes,
      :meth:`_write_rows` renders their ``<c>`` elements a column at a time (vectorised
      string building) instead of one ``write_*`` call and one XML call per cell. Rows
      of a bulk block hold no other cells; everything else goes through xlsxwriter.
    """

    def __init__(self) -> None:
        _check_xlsxwriter()
        super().__init__()
        self._bulk: list[_Bulk] = []
        self.cut: list[tuple[int, int, int]] = []  # (row, col, length) of texts cut to fit a cell

    def _prepare_formula(self, formula, expand_future_functions=False):
        if expand_future_functions:
            return super()._prepare_formula(formula, expand_future_functions)
        return formula[1:] if formula.startswith("=") else formula

    def add_bulk(self, first_row: int, first_col: int, cols: list["Col"], n: int) -> None:
        if n == 0:
            return
        last_row, last_col = first_row + n - 1, first_col + len(cols) - 1
        for r, c in ((first_row, first_col), (last_row, last_col)):
            rc = self._check_dimensions(r, c)
            if rc:
                raise fail(self, r, c, rc, "add_bulk")
        block = _Bulk(first_row, n)
        for j, c in enumerate(cols):
            block.add(self, first_col + j, c, n)
        self._bulk.append(block)

    # --- rendering at close -----------------------------------------------------

    def _write_rows(self) -> None:
        # xlsxwriter's Worksheet._write_rows, row by row (_write_plain_row), with the bulk
        # blocks' rows rendered a slice at a time. The rows' XML is gathered in a list
        # (appends at C speed) and handed on to the part's file every FLUSH_WRITES writes,
        # which passes it on to the zip a piece at a time (package._Part.spill): a sheet's
        # XML is never held whole, whether its rows are bulk or xlsxwriter's own cells.
        for block in self._bulk:
            block.prime()
        self._calculate_spans()
        out, self.fh = self.fh, _Lines()
        spill = getattr(out, "spill", None)
        try:
            head, tail = self._row_tags() if self._bulk else (None, "")
            bulk = self._bulk_rows()
            at, body = next(bulk, (-1, ""))
            for row_num in range(self.dim_rowmin, self.dim_rowmax + 1):
                this = ""
                if row_num == at:
                    this = body
                    at, body = next(bulk, (-1, ""))
                if not this:
                    self._write_plain_row(row_num)
                else:
                    if self.table.get(row_num):
                        raise ValueError(f"row {row_num + 1} of {self.name} holds both bulk and single cells")
                    info = self.row_info.get(row_num)
                    if info is None and head is not None:
                        self.fh.write(f"{head}{row_num + 1}{tail}{this}</row>")
                    else:
                        self._write_row(row_num, None, info)
                        self.fh.write(this)
                        self._xml_end_tag("row")
                if len(self.fh) >= FLUSH_WRITES:
                    out.write("".join(self.fh))
                    self.fh.clear()
                    if spill is not None:
                        spill()
            out.write("".join(self.fh))
            if at != -1:
                raise ValueError(f"row {at + 1} of {self.name}'s bulk cells lies outside the sheet")
        finally:
            self.fh = out

    def _row_tags(self) -> tuple[str | None, str]:
        """What ``_write_row`` writes before and after the row number of a row without
        properties (``<row r="`` and ``">``, and the sheet's own attributes, such as a
        default height, before the ``>``), taken from xlsxwriter itself; (None, "") when
        its tag is not of that form."""
        probe = _Lines()
        self.fh, real = probe, self.fh
        try:
            for row in (0, 9, 99_999):
                self._write_row(row, None, None)
                self._xml_end_tag("row")
        finally:
            self.fh = real
        head = '<row r="'
        tail = probe[0][len(head) + 1:]
        expected = [f"{head}{row}{tail}" for row in (1, 10, 100_000)]
        if probe[::2] != expected or probe[1::2] != ["</row>"] * 3:
            return None, ""
        return head, tail

    def _bulk_rows(self):
        """(row, its bulk cells' XML) for every row of every bulk block, in row order,
        rendered SLICE_ROWS rows at a time."""
        blocks = sorted(self._bulk, key=lambda b: b.first_row)
        for before, after in zip(blocks, blocks[1:]):
            if after.first_row < before.first_row + before.n:
                raise ValueError(f"bulk blocks overlap at row {after.first_row + 1} of {self.name}")
        for block in blocks:
            for start in range(0, block.n, SLICE_ROWS):
                stop = min(start + SLICE_ROWS, block.n)
                yield from zip(range(block.first_row + start, block.first_row + stop), block.render(start, stop))

    def _write_plain_row(self, row_num: int) -> None:
        # xlsxwriter's Worksheet._write_rows, for one row.
        cells = self.table.get(row_num)
        if not (row_num in self.row_info or row_num in self.comments or cells):
            return
        span = self.row_spans.get(row_num // 16)
        info = self.row_info.get(row_num)
        if cells:
            self._write_row(row_num, span, info)
            for col_num in range(self.dim_colmin, self.dim_colmax + 1):
                if col_num in cells:
                    self._write_cell(row_num, col_num, cells[col_num])
            self._xml_end_tag("row")
        else:
            self._write_empty_row(row_num, span, info)

    def _get_range_data(self, row_start, col_start, row_end, col_end):
        # Chart caches: values of bulk cells as xlsxwriter would give them.
        if not self._bulk:
            return super()._get_range_data(row_start, col_start, row_end, col_end)
        data = []
        for row in range(row_start, row_end + 1):
            for col in range(col_start, col_end + 1):
                for block in self._bulk:
                    found, value = block.value(row, col)
                    if found:
                        data.append(value)
                        break
                else:
                    data.extend(super()._get_range_data(row, col, row, col) or [None])
        return data


class _Lines(list):
    """A file that keeps what is written as a list of strings (``write`` is ``list.append``)."""

    write = list.append


# Rows of a bulk block rendered at once, and the writes (a bulk row is one, a cell of
# xlsxwriter's own one or two) gathered before they go on to the part's file
# (package._Part, which encodes and deflates them a piece at a time): the XML of a few
# thousand rows is held at a time, however long the sheet — some 5 MB for 明细.
SLICE_ROWS = 4096
FLUSH_WRITES = 4096

MAX_STRING = 32767  # Excel's limit on a cell's text
MAX_FORMULA = 8192


TEXT_CUT = IssueType(
    "text_cut", "warning",
    zh="结果中 {sheet}!{cell} 的文字有 {value} 个字符，超过 Excel 单元格上限 32,767，已截断并以 … 结尾。完整内容见输入文件（例如各月的备注）。",
    en="The text of {sheet}!{cell} in the result has {value} characters, more than an Excel cell holds (32,767); it was cut and ends with …. The full text is in the input files (e.g. each month's notes).",
)


def fit_text(text: str) -> str:
    """Text cut to what one Excel cell holds, marked with … where it was cut.

    Input cells are within the limit, but a KPI's 备注 joins the notes of every month in
    scope and can outgrow it; the full notes stay in the input files. Callers note the
    cut (:attr:`FastSheet.cut`): each becomes a ``text_cut`` warning."""
    return text if len(text) <= MAX_STRING else text[: MAX_STRING - 1] + "…"


def cut_issues(sheets, file: str) -> list:
    """A ``text_cut`` warning per cell whose text was cut, naming the result's cell."""
    return [TEXT_CUT(file=file, sheet=ws.name, cell=xl_rowcol_to_cell(r, c), value=str(n))
            for ws in sheets for r, c, n in getattr(ws, "cut", ())]


def _num_text(v: float) -> str:
    return f"{v:.16G}"


def _xml(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _blank(v) -> bool:
    return v is None or v != v or v == ""


class _Bulk:
    """A block of rows filled column by column (see :class:`FastSheet`)."""

    def __init__(self, first_row: int, n: int) -> None:
        self.first_row = first_row
        self.n = n
        self.cols: dict[int, tuple[str, list, object, list]] = {}
        self._styles: dict = {None: ""}  # format → its s="…" attribute (formats hash by identity)

    def add(self, ws: Worksheet, col: int, c: "Col", n: int) -> None:
        kind = c.kind
        values = _as_list(c.values)
        fmts = c.fmt if (c.fmt is None or isinstance(c.fmt, Format)) else _per_row(c.fmt, n)
        saved = _as_list(c.saved) if c.saved is not None else [""] * n
        if kind == "str":
            # Shared-string indices now: xlsxwriter freezes its string table before the
            # sheets are rendered.
            index: dict[str, int] = {}
            sst = ws.str_table
            keep: list = []
            for i, v in enumerate(values):
                if v is None or v == "" or (isinstance(v, float) and v != v):
                    keep.append(None)
                    continue
                text = str(v)
                if len(text) > MAX_STRING:
                    ws.cut.append((self.first_row + i, col, len(text)))
                    text = fit_text(text)
                got = index.get(text)
                if got is None:
                    got = index[text] = sst._get_shared_string_index(text)
                else:
                    sst.count += 1  # every use counts, as write_string would count it
                keep.append(got)
            saved, values = values, keep  # the texts stay for chart caches
        elif kind == "num":
            bad = np.flatnonzero(np.isinf(np.asarray(values, dtype=float)))
            if bad.size:
                raise fail(ws, self.first_row + int(bad[0]), col, -1, "infinite number")
        else:
            for i, v in enumerate(values):
                if isinstance(v, str):
                    if len(v) > MAX_FORMULA:
                        raise fail(ws, self.first_row + i, col, -2, f"formula longer than {MAX_FORMULA} characters")
                elif isinstance(v, float) and math.isinf(v):
                    raise fail(ws, self.first_row + i, col, -1, "infinite number")
        self.cols[col] = (kind, values, fmts, saved)

    def value(self, row: int, col: int) -> tuple[bool, object]:
        i = row - self.first_row
        if not (0 <= i < self.n) or col not in self.cols:
            return False, None
        kind, values, _, saved = self.cols[col]
        v = values[i]
        if kind == "str":
            return True, (saved[i] if v is not None else None)
        if kind == "num" or (kind == "mixed" and not isinstance(v, str)):
            return True, (None if v is None or v != v else _num_text(v))
        w = saved[i]
        if w is None or (isinstance(w, float) and w != w):
            w = 0
        return True, (_num_text(w) if isinstance(w, (int, float)) else w)

    def _style(self, f) -> str:
        """The ``s`` attribute of a cell in format ``f`` ('' for the default format)."""
        got = self._styles.get(f)
        if got is None:
            i = f._get_xf_index()
            got = self._styles[f] = f' s="{i}"' if i else ""
        return got

    def prime(self) -> None:
        """Number the block's formats now, column by column as a whole-block render meets
        them: xlsxwriter numbers a format when it is first used, so rendering a slice at
        a time would otherwise number them in another order (the same styles, other bytes)."""
        for _, (_, _, fmts, _) in sorted(self.cols.items()):
            if fmts is None or isinstance(fmts, Format):
                self._style(fmts)
            else:
                for f in dict.fromkeys(fmts):
                    self._style(f)

    def render(self, start: int = 0, stop: int | None = None) -> list[str]:
        """The ``<c>`` elements of the block's rows ``start`` to ``stop`` (all by
        default), as one string per row ('' for an empty row)."""
        stop = self.n if stop is None else min(stop, self.n)
        start = min(max(start, 0), stop)
        n = stop - start
        rows = [str(r + 1) for r in range(self.first_row + start, self.first_row + stop)]
        columns: list[list[str]] = []
        style = self._style
        known = self._styles.__getitem__  # every format of the block, once primed
        for col, (kind, values, fmts, saved) in sorted(self.cols.items()):
            letter = xl_col_to_name(col)
            values = values[start:stop]
            saved = saved[start:stop]
            if fmts is None or isinstance(fmts, Format):
                styles = [style(fmts)] * n
            else:
                try:
                    styles = list(map(known, fmts[start:stop]))
                except KeyError:  # rendered without prime()
                    styles = [style(f) for f in fmts[start:stop]]
            if kind == "str":
                cells = ["" if v is None else f'<c r="{letter}{r}"{s} t="s"><v>{v}</v></c>'
                         for r, v, s in zip(rows, values, styles)]
            elif kind == "num":
                # A blank keeps its format (percent, colour) for a value typed in later.
                cells = [(f'<c r="{letter}{r}"{s}/>' if s else "") if (v is None or v != v)
                         else f'<c r="{letter}{r}"{s}><v>{v:.16G}</v></c>'
                         for r, v, s in zip(rows, values, styles)]
            else:
                cells = _formula_cells(letter, rows, values, styles, saved)
            columns.append(cells)
        return ["".join(parts) for parts in zip(*columns)]


def _formula_cells(letter: str, rows: list[str], values: list, styles: list[str], saved: list) -> list[str]:
    out = []
    for r, f, s, w in zip(rows, values, styles, saved):
        if not isinstance(f, str):  # "mixed": a plain number, or a blank (keeping its format)
            if f is None or f != f:
                out.append(f'<c r="{letter}{r}"{s}/>' if s else "")
            else:
                out.append(f'<c r="{letter}{r}"{s}><v>{f:.16G}</v></c>')
        elif not f:
            out.append("")
        else:
            f = _xml(f[1:] if f[0] == "=" else f)
            if _blank(w):
                out.append(f'<c r="{letter}{r}"{s}><f>{f}</f><v></v></c>')
            elif isinstance(w, str):
                out.append(f'<c r="{letter}{r}"{s} t="str"><f>{f}</f><v>{_xml(w)}</v></c>')
            else:
                out.append(f'<c r="{letter}{r}"{s}><f>{f}</f><v>{w:.16G}</v></c>')
    return out


def fail(ws: Worksheet, row: int, col: int, code: int, what: str) -> OutputError:
    where = f"{ws.get_name()}!{xl_rowcol_to_cell(row, col)}"
    return OutputError(WRITE_FAILED(sheet=ws.get_name(), cell=xl_rowcol_to_cell(row, col), where=where, code=code, what=what))


def check(ws: Worksheet, row: int, col: int, code: int | None, what: str = "write") -> None:
    """Raise when an xlsxwriter call reported failure (a non-zero return)."""
    if code:
        raise fail(ws, row, col, code, what)


# "mixed": formula text where the value is a str starting with "=", else a number.
Kind = Literal["str", "num", "formula", "mixed"]


@dataclass
class Col:
    """One column of a table: its header, what its cells hold, and their formats.

    ``values``: text (``""`` = blank), numbers (NaN = blank) or formula strings.
    ``fmt``: one format for the column, or one per row. ``saved``: for formulas, the
    engine's value each formula is saved with (NaN = blank). ``num``: the number format
    (for width fitting). ``width``: fixed width instead of fitting. ``group``: a
    collapsed, grouped column (parameters the formulas read).
    """

    key: str
    header: str
    kind: Kind
    values: Sequence[Any]
    fmt: Format | Sequence[Format] | None = None
    saved: Sequence[Any] | None = None
    num: str | None = None
    width: float | None = None
    group: bool = False
    max_width: float = 50


def _per_row(fmt, n: int) -> Sequence:
    if fmt is None or isinstance(fmt, Format):
        return [fmt] * n
    if isinstance(fmt, pd.Series):
        return fmt.tolist()
    return list(fmt)


def write_table(ws: Worksheet, styles: st.Styles, top: int, left: int, cols: list[Col], bulk: bool = False) -> int:
    """Write headers at row ``top`` and the columns below; return the last data row.

    ``bulk``: hand the data rows to :meth:`FastSheet.add_bulk` (large tables whose rows
    hold nothing else).
    """
    header = styles.get(header=True)
    plain = styles.get()
    for c in cols:
        if c.fmt is None:
            c.fmt = plain  # the border every table cell has
    n = max((len(c.values) for c in cols), default=0)
    rows = list(range(top + 1, top + 1 + n))
    for j, c in enumerate(cols):
        if len(c.values) != n:
            raise ValueError(f"column {c.key}: {len(c.values)} values for {n} rows")
        check(ws, top, left + j, ws.write_string(top, left + j, c.header, header), "header")
    if bulk and isinstance(ws, FastSheet):
        ws.add_bulk(top + 1, left, cols, n)
        return top + n
    for j, c in enumerate(cols):
        col = left + j
        fmts = _per_row(c.fmt, n)
        if c.kind == "str":
            _strings(ws, rows, col, c.values, fmts)
        elif c.kind == "num":
            _numbers(ws, rows, col, c.values, fmts)
        else:
            _formulas(ws, rows, col, c.values, fmts, c.saved if c.saved is not None else [""] * n)
    return top + n


def _as_list(values) -> list:
    if isinstance(values, (pd.Series, pd.Index, np.ndarray)):
        return values.tolist()
    return list(values)


def _strings(ws, rows, col, values, fmts) -> None:
    write = ws.write_string
    for r, v, f in zip(rows, _as_list(values), fmts):
        if v is None or v == "" or (isinstance(v, float) and math.isnan(v)):
            continue
        text = str(v)
        if len(text) > MAX_STRING:
            ws.cut.append((r, col, len(text)))
            text = fit_text(text)
        rc = write(r, col, text, f)
        if rc:
            raise fail(ws, r, col, rc, "write_string")


def _numbers(ws, rows, col, values, fmts) -> None:
    write = ws.write_number
    for r, v, f in zip(rows, _as_list(values), fmts):
        if v is None or v != v:  # NaN: a blank, never a zero (keeping its format)
            if f is not None:
                rc = ws.write_blank(r, col, None, f)
                if rc:
                    raise fail(ws, r, col, rc, "write_blank")
            continue
        rc = write(r, col, v, f)
        if rc:
            raise fail(ws, r, col, rc, "write_number")


def _formulas(ws, rows, col, values, fmts, saved) -> None:
    write = ws.write_formula
    number = ws.write_number
    for r, formula, f, v in zip(rows, _as_list(values), fmts, _as_list(saved)):
        if not isinstance(formula, str):
            if formula is not None and formula == formula:  # "mixed": a plain number
                rc = number(r, col, formula, f)
            else:
                rc = ws.write_blank(r, col, None, f) if f is not None else 0
            if rc:
                raise fail(ws, r, col, rc, "write_number")
            continue
        if not formula:
            continue
        if v is None or (isinstance(v, float) and v != v):
            v = ""
        rc = write(r, col, formula, f, v)
        if rc:
            raise fail(ws, r, col, rc, "write_formula")


# --- widths -------------------------------------------------------------------------

# East Asian wide and full-width characters take two columns of width.
_WIDE = r"[\u1100-\u115F\u2E80-\u303E\u3041-\u33FF\u3400-\u4DBF\u4E00-\u9FFF\uA000-\uA4CF\uAC00-\uD7A3\uF900-\uFAFF\uFE30-\uFE4F\uFF00-\uFF60\uFFE0-\uFFE6]"
_WIDE_RE = re.compile(_WIDE)


def text_width(text: str) -> int:
    """Display width of one text: CJK and full-width characters count double."""
    return len(text) + len(_WIDE_RE.findall(text))


# Up to this many texts, a plain loop over the distinct ones measures them faster than
# building pandas Series: a team's workbook of --split-by team has ~100 columns of a few
# dozen to a few hundred rows, and the Series cost ~0.4 ms a column whatever the rows.
SMALL_TEXTS = 256


def texts_width(values) -> int:
    """The widest display width among ``values`` (vectorised over the distinct texts)."""
    values = _as_list(values)
    if len(values) <= SMALL_TEXTS and all(type(v) is str for v in values):
        return max((text_width(line) for v in set(values) for line in v.split("\n")), default=0)
    s = pd.Series(pd.unique(pd.Series(values, dtype=object).astype(str)), dtype=object)
    if s.empty:
        return 0
    lengths = s.str.len() + s.str.count(_WIDE)
    # A multi-line cell is as wide as its longest line; rare, so only those are split.
    multi = s.str.contains("\n", regex=False)
    if multi.any():
        lengths[multi] = s[multi].map(lambda t: max(text_width(line) for line in t.split("\n")))
    return int(lengths.max())


def _number_text(v: float, num: str | None) -> str:
    if num in (st.PERCENT, st.SIGNED_PERCENT):
        return f"{v * 100:+.1f}%"
    if num == st.POINTS:
        return f"{v:.2f}"
    if num == st.INTEGER:
        return f"{v:,.0f}"
    if num == st.DECIMAL:
        return f"{v:,.3f}"
    if num in (st.HOURS, st.SIGNED):
        return f"{v:+.1f}"
    return f"{v:.10g}"


def numbers_width(values, num: str | None) -> int:
    if isinstance(values, (pd.Series, np.ndarray)) and isinstance(values.dtype, np.dtype) and values.dtype.kind in "fiu":
        a = np.asarray(values, dtype=float)  # numbers already: no detour through text
    else:
        a = pd.to_numeric(pd.Series(_as_list(values), dtype=object), errors="coerce").to_numpy(dtype=float)
    a = a[np.isfinite(a)]
    if a.size == 0:
        return 0
    return max(len(_number_text(float(v), num)) for v in (a.max(), a.min()))


def fitted_width(c: Col) -> float:
    """Column width in Excel units: the widest cell or the header, within bounds."""
    if c.width is not None:
        return c.width
    if c.kind == "str":
        body = texts_width(c.values)
    elif c.kind == "num":
        body = numbers_width(c.values, c.num)
    else:
        saved = _as_list(c.saved) if c.saved is not None else []
        body = max(numbers_width(saved, c.num), texts_width([v for v in saved if isinstance(v, str)]))
    # Long headers wrap instead (onto two lines above a narrow number column).
    head = min(text_width(c.header), 24 if c.kind == "str" else 12)
    return float(min(max(body, head, 4) + 2, c.max_width))


LINE_HEIGHT = 15.0  # points per line of 11-point text


def chart_rows(height: int) -> int:
    """Rows of default height (20 pixels) a chart of ``height`` pixels covers, plus one."""
    return math.ceil(height / 20) + 1


def lines_needed(text: str, width: float) -> int:
    """Lines a wrapped text takes in a column of ``width`` (Excel units)."""
    usable = max(width - 1.5, 1.0)
    # CJK glyphs render a little narrower than two digits: 0.9 keeps rows from gaping.
    return sum(max(1, math.ceil(0.9 * text_width(line) / usable)) for line in str(text).split("\n"))


def fit_row_heights(ws: Worksheet, first_row: int, columns: Sequence[Sequence[str]], widths: Sequence[float]) -> None:
    """Give rows of wrapped text the height their longest cell needs.

    Neither Excel nor LibreOffice grows a row for wrapped text in a file they did not lay
    out themselves. ``columns``: the wrapped columns' texts, row-aligned; only the rows
    whose text is wider than its column (found vectorised) are measured one by one.
    """
    need = pd.Series(1, index=range(len(columns[0]) if columns else 0))
    for texts, width in zip(columns, widths):
        s = pd.Series(_as_list(texts), dtype=object).fillna("").astype(str)
        rough = s.str.len() + s.str.count(_WIDE)
        long = (rough > width - 1.5) | s.str.contains("\n", regex=False)
        if long.any():
            lines = s[long].map(lambda t: lines_needed(t, width))
            need[long] = np.maximum(need[long], lines)
    for i, lines in need[need > 1].items():
        check(ws, first_row + i, 0, ws.set_row(first_row + i, LINE_HEIGHT * int(lines)), "set_row")


@dataclass
class Layout:
    """Where a sheet's main table sits, for :func:`finish`."""

    header_row: int = 0
    last_row: int = 0
    last_col: int = 0
    freeze_cols: int = 0
    widths: dict[int, float] = field(default_factory=dict)
    grouped: list[int] = field(default_factory=list)
    filter: bool = True
    filter_row: int | None = None  # the autofilter's header row, when not the frozen one
    # The autofilter's last column, when hidden columns that the row's formulas read
    # stand right of the printed table: a sort through the filter moves only the
    # columns inside it, so every column a formula reads must be inside.
    filter_last_col: int | None = None
    # Rows above the header (a title): printed on the first page only.
    title_rows: int = 0
    header_lines: int = 1  # lines the widest wrapped header takes
    # The printed range (tables only: a chart beside them would shrink the page to fit).
    print_last_row: int | None = None
    print_last_col: int | None = None
    print_gridlines: bool = False  # table cells have borders (styles.BORDER)
    # A hidden sheet gets no print area: LibreOffice prints a hidden sheet that has one.
    print_area: bool = True
    # Protected without a password (result sheets: no formula overwritten by accident).
    protect: bool = True


def set_widths(ws: Worksheet, left: int, cols: list[Col], layout: Layout) -> None:
    for j, c in enumerate(cols):
        w = fitted_width(c)
        layout.widths[left + j] = max(w, layout.widths.get(left + j, 0))
        if not c.group:
            layout.header_lines = max(layout.header_lines, lines_needed(c.header, layout.widths[left + j]))
        if c.group:
            layout.grouped.append(left + j)


def finish(ws: Worksheet, layout: Layout) -> None:
    """Frozen header, autofilter, widths, print titles, landscape, one page wide, protection."""
    grouped = set(layout.grouped)
    for col, w in sorted(layout.widths.items()):
        options = {"level": 1, "hidden": True} if col in grouped else None
        check(ws, 0, col, ws.set_column(col, col, w, None, options), "set_column")
    if grouped:
        # The column after a collapsed group carries the "+" that opens it.
        after = max(grouped) + 1
        check(ws, 0, after, ws.set_column(after, after, layout.widths.get(after, 8.43), None, {"collapsed": True}), "set_column")
    if layout.header_lines > 1:
        height = LINE_HEIGHT * min(layout.header_lines, 3)
        check(ws, layout.header_row, 0, ws.set_row(layout.header_row, height), "set_row")
    ws.freeze_panes(layout.header_row + 1, layout.freeze_cols)
    if layout.filter:
        top = layout.header_row if layout.filter_row is None else layout.filter_row
        right = layout.last_col if layout.filter_last_col is None else layout.filter_last_col
        check(ws, top, 0, ws.autofilter(top, 0, max(layout.last_row, top), right), "autofilter")
    ws.repeat_rows(layout.title_rows, layout.header_row)
    pr = layout.last_row if layout.print_last_row is None else layout.print_last_row
    pc = layout.last_col if layout.print_last_col is None else layout.print_last_col
    if layout.print_area:
        check(ws, 0, 0, ws.print_area(0, 0, max(pr, layout.header_row), pc), "print_area")
    ws.set_landscape()
    ws.set_paper(9)  # A4
    ws.fit_to_pages(1, 0)
    ws.set_margins(left=0.4, right=0.4, top=0.5, bottom=0.5)
    ws.hide_gridlines(0 if layout.print_gridlines else 1)  # 0: on screen and in print
    ws.set_footer("&C&P / &N")
    # 工号 such as 00123, percentages quoted in 问题 and 说明's settings are text on
    # purpose: no green "number stored as text" triangle on them.
    check(ws, 0, 0, ws.ignore_errors({"number_stored_as_text": "A1:XFD1048576"}), "ignore_errors")
    if layout.protect:
        protect(ws)


# What a protected result sheet still allows: filtering, sorting (Excel sorts only
# unlocked cells of a protected sheet: see docs/decisions.md), opening the grouped
# columns, widths and heights, selecting anything. No password: 审阅 → 撤销工作表保护.
PROTECTION = {
    "autofilter": True,
    "sort": True,
    "format_columns": True,
    "format_rows": True,
    "select_locked_cells": True,
    "select_unlocked_cells": True,
}


def protect(ws: Worksheet) -> None:
    ws.protect("", dict(PROTECTION))


def col_letter(index: int) -> str:
    return xl_col_to_name(index)


def title(ws: Worksheet, styles: st.Styles, row: int, col: int, text: str) -> None:
    check(ws, row, col, ws.write_string(row, col, text, styles.get(bold=True, bare=True)), "title")
