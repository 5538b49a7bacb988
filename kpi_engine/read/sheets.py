"""Recognising sheets and their header rows (inputs.md, "How sheets are found").

A sheet is recognised by its name (zh or en, case and spaces ignored) or, failing that,
by a header row holding every required header of one kind. The header row is the first
row, within the first 10, holding all required headers. Headers match in zh or en,
case-insensitive, spaces ignored, a unit hint in brackets ignored — except that a hint
of 万/万元 scales the column ×10,000.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from .. import vocab
from ..issues import Issue, IssueType
from . import layouts
from .values import blank_mask
from .workbook import Book, Grid, col_letter

HEADER_ROWS = 10

# The templates' instruction sheets, and the sheet of drop-down lists: known, not input.
IGNORED_SHEETS = frozenset({"填写说明", "说明", "instructions", "readme", "lists", "列表", "下拉列表"})

SHEET_UNRECOGNISED = IssueType(
    "sheet_unrecognised", "info",
    zh="工作表 {sheet} 不是可识别的输入表（名称和表头都不匹配），已忽略。{hint_zh}",
    en="Sheet {sheet} is not an input sheet (neither its name nor its headers match one); ignored.{hint_en}",
)
HEADER_NOT_FOUND = IssueType(
    "header_not_found", "error",
    zh="工作表 {sheet} 的前 10 行中没有找到完整的表头，缺少：{missing}。请按模板填写表头；本表的 {rows} 行未读取。",
    en="Sheet {sheet}: no row among the first 10 holds every required header; missing: {missing}. Use the template's headers; the sheet's {rows} rows were not read.",
)
DUPLICATE_HEADER = IssueType(
    "duplicate_header", "error",
    zh="{where}：表头 {value} 与 {first} 列重复，无法判断该用哪一列，本表未读取。请删除或改名多余的列。",
    en="{where}: header {value} repeats column {first}; which one is meant cannot be told, so the sheet was not read. Delete or rename the extra column.",
)
UNKNOWN_COLUMNS = IssueType(
    "unknown_columns", "info",
    zh="工作表 {sheet} 中的列 {value} 不是模板中的列，已忽略。",
    en="Sheet {sheet}: column(s) {value} are not template columns; ignored.",
)

CELL_TOO_LONG = IssueType(
    "cell_too_long", "error",
    zh="{file} 的单元格 {where} 文本过长（{value}；Excel 单元格最多 32,767 个字符），可能是损坏或恶意文件，整个文件未读取。请删除或缩短该单元格后另存。",
    en="{file}: cell {where} holds too long a text ({value}; an Excel cell holds at most 32,767 characters); the file may be damaged or malicious and was not read. Delete or shorten that cell and save it again.",
)

_BRACKETS = re.compile(r"[(\[【〔（]([^)\]】〕）]*)[)\]】〕）]")
_WAN = frozenset({"万", "万元", "万元人民币", "万人民币", "10k"})


def _norm(text: str) -> str:
    return re.sub(r"[\s*＊:：]", "", unicodedata.normalize("NFKC", text)).casefold()


def header_key(value) -> tuple[str, str]:
    """A header cell → (normalised label without unit hints, the hint normalised)."""
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return "", ""
    text = unicodedata.normalize("NFKC", str(value))
    hints = _BRACKETS.findall(text)
    base = _BRACKETS.sub("", text)
    return _norm(base), _norm(hints[0]) if hints else ""


def _labels(kind: vocab.SheetKind) -> dict[str, str]:
    out = {}
    for f in kind.fields:
        for label in (f.zh, f.en, f.key.replace("_", "")):
            out.setdefault(_norm(label), f.key)
    return out


LABELS: dict[str, dict[str, str]] = {k.key: _labels(k) for k in vocab.SHEET_KINDS}
SHEET_NAMES: dict[str, str] = {
    _norm(label): k.key for k in vocab.SHEET_KINDS for label in (k.zh, k.en)
}


@dataclass(slots=True)
class Sheet:
    """A recognised input sheet: where its columns are and its data rows as raw cells."""

    sid: int
    file: str
    name: str
    kind: vocab.SheetKind
    header_row: int  # 1-based Excel row
    letters: dict[str, str]  # field key → column letter
    scale: dict[str, float]  # field key → 10,000 under a 万/万元 hint, else 1
    raw: pd.DataFrame  # one object column per field of the kind ('' where the column is absent); non-empty rows only
    rows: np.ndarray  # 1-based Excel row of each raw row
    untrusted: dict[str, np.ndarray] = field(default_factory=dict)  # field → bool mask of formula cells without a trusted value
    novalue: dict[str, np.ndarray] = field(default_factory=dict)  # field → … of those, the ones with no saved value at all
    full_calc: bool = False  # the workbook asks for recalculation on load
    refused: bool = False  # a header problem refuses every row (reported once, on the header)
    # field → (codes, distinct values) of a text-only column: raw[field] == values[codes]
    distinct: dict[str, tuple[np.ndarray, np.ndarray]] = field(default_factory=dict)
    # field → each raw row's own cell ('H17', '' for none), for a sheet reshaped from a
    # month grid (layouts.py), where 期间/目标值/实际值 move from column to column
    cells: dict[str, np.ndarray] = field(default_factory=dict)


def _row_fields(cells: np.ndarray, kind_key: str) -> dict[int, tuple[str, str]]:
    """Column index → (field key, hint) for the header cells of one row matching ``kind_key``."""
    labels = LABELS[kind_key]
    out = {}
    for j, v in enumerate(cells):
        base, hint = header_key(v)
        if base in labels:
            out[j] = (labels[base], hint)
    return out


def _holds_all(found: dict[int, tuple[str, str]], kind: vocab.SheetKind) -> bool:
    keys = {k for k, _ in found.values()}
    return all(f.key in keys for f in kind.required)


def _top(grid: Grid) -> np.ndarray:
    """The grid rows among the sheet's first 10."""
    return grid.cells[: int(np.searchsorted(grid.rows, HEADER_ROWS))]


def _layout(cells: np.ndarray, i: int) -> layouts.Shape | None:
    """Row ``i`` as the header of a target sheet in a layout HR keeps (a month grid, or the
    long layout without 期间), or None (layouts.py)."""
    row = cells[i]
    header = layouts.combine(cells[i - 1] if i else None, row)
    keys = {k for k, _ in _row_fields(header, "targets").values()}
    return layouts.shape_of(header, keys, lambda v: header_key(v)[1], two_rows=header is not row)


def recognise(grid: Grid) -> tuple[vocab.SheetKind | None, int | None]:
    """(kind, header row index in the grid) — kind None when nothing matches, row None
    when the name matched but no header row holds every required header."""
    by_name = SHEET_NAMES.get(_norm(grid.name))
    top = _top(grid)
    if by_name:
        kind = vocab.SHEET_KIND[by_name]
        for i, row in enumerate(top):
            if _holds_all(_row_fields(row, kind.key), kind):
                return kind, i
        if kind is vocab.TARGETS:
            for i in range(len(top)):
                if _layout(top, i) is not None:
                    return kind, _lower(top, i)
        return kind, None
    for i, row in enumerate(top):
        matches = []
        for kind in vocab.SHEET_KINDS:
            found = _row_fields(row, kind.key)
            if _holds_all(found, kind) and _enough(found, kind):
                matches.append((len(found), -vocab.SHEET_KINDS.index(kind), kind))
        if matches:
            return max(matches, key=lambda m: m[:2])[2], i
        if _layout(top, i) is not None:
            return vocab.TARGETS, _lower(top, i)
    return None, None


def _enough(found: dict, kind: vocab.SheetKind) -> bool:
    """人员 needs only 工号, which many sheets have: by its headers alone a sheet is 人员 only
    when it also has a date in post or a 基数 (or else it is named 人员 / Staff)."""
    if kind is not vocab.STAFF:
        return True
    return bool({k for k, _ in found.values()} & {"joined", "left", "base"})


# Header cells that name a month: 1月, 2026-01, 2026年1月, Jan, January.
_MONTH_HEADER = re.compile(
    r"^(?:\d{1,2}月(?:份)?|\d{4}\s*[-/.年]\s*\d{1,2}\s*月?|(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?)$",
    re.I)


def closest(grid: Grid) -> dict[str, str]:
    """For a sheet recognised as nothing: what it looks most like, for the message and for
    the causes a run that scores nothing prints first (issue 12). Params of
    SHEET_UNRECOGNISED: ``kind`` (the kind key whose required headers one row holds most
    of, at least two), ``missing`` (those it lacks), ``months`` (month-like headers in
    that row: a grid with a column per month)."""
    best = (0, 0, None, -1, set())  # (matched, month headers, kind, row, keys)
    for i, row in enumerate(_top(grid)):
        months = sum(bool(_MONTH_HEADER.match(_norm(str(v)))) for v in row if isinstance(v, str))
        for kind in vocab.SHEET_KINDS:
            keys = {k for k, _ in _row_fields(row, kind.key).values()} & {f.key for f in kind.required}
            if (len(keys), months) > best[:2]:
                best = (len(keys), months, kind, i, keys)
    matched, months, kind, _, keys = best
    out = {"hint_zh": "", "hint_en": "", "kind": "", "missing": "", "months": str(months)}
    if kind is None or matched < 2:
        return out
    missing = [f for f in kind.required if f.key not in keys]
    out.update(kind=kind.key, missing="、".join(f"{f.zh}/{f.en}" for f in missing))
    if months >= 2 and kind.key == "targets":
        out["hint_zh"] = f"它看起来是按月分列的{kind.zh}表（表头有 {months} 个月份列），缺少：{out['missing']}。"
        out["hint_en"] = (f" It looks like a {kind.en} grid with a column per month ({months} month headers); "
                          f"missing: {out['missing']}.")
    else:
        out["hint_zh"] = f"它最接近{kind.zh}表，但缺少表头：{out['missing']}。"
        out["hint_en"] = f" It comes closest to a {kind.en} sheet but lacks the headers: {out['missing']}."
    return out


def _lower(top: np.ndarray, i: int) -> int:
    """A month header over 目标 / 实际 reads as one header ending on the lower row."""
    below = _layout(top, i + 1) if i + 1 < len(top) else None
    return i + 1 if below is not None and below.two_rows else i


def _missing(grid: Grid, kind: vocab.SheetKind) -> str:
    """The required headers absent from the best candidate row, for the message."""
    best: set[str] = set()
    for row in _top(grid):
        keys = {k for k, _ in _row_fields(row, kind.key).values()}
        if len(keys) > len(best):
            best = keys
    return "、".join(f"{f.zh}/{f.en}" for f in kind.required if f.key not in best)


def read_sheets(book: Book, file: str, first_sid: int) -> tuple[list[Sheet], list[Issue], dict[str, tuple[str, int]]]:
    """Every sheet of a workbook → recognised sheets, issues, and for sheets refused as a
    whole their kind and the number of rows they held (for the row counts).

    Hidden sheets are read like any other (decisions.md). Only the first rows of a sheet
    are read until it is recognised, so a big unrelated sheet costs little."""
    sheets: list[Sheet] = []
    issues: list[Issue] = []
    refused: dict[str, int] = {}
    if book.too_long is not None:
        sheet, cell, size = book.too_long
        return [], [CELL_TOO_LONG(file=file, sheet=sheet, cell=cell, value=f"> {size / 1e6:.1f} MB")], refused
    sid = first_sid
    for name, hidden in book.sheets:
        head = book.grid(name, hidden, head_only=True)
        kind, hrow = recognise(head)
        if kind is None:
            if _norm(name) not in IGNORED_SHEETS and _nonblank_rows(head.cells):
                issues.append(SHEET_UNRECOGNISED(file=file, sheet=name, **closest(head)))
            continue
        grid = book.grid(name, hidden)
        if hrow is None:
            n = _nonblank_rows(grid.cells)
            issues.append(HEADER_NOT_FOUND(file=file, sheet=name, missing=_missing(grid, kind), rows=n))
            refused[name] = (kind.key, n)
            continue
        sheet, sheet_issues = _build(book, grid, file, kind, hrow, sid)
        issues.extend(sheet_issues)
        if isinstance(sheet, int):  # refused as a whole (a grid without its year …): rows counted
            refused[name] = (kind.key, sheet)
            continue
        sheets.append(sheet)
        sid += 1
    return sheets, issues, refused


def _nonblank_rows(cells: np.ndarray) -> int:
    return int(_content(cells).sum()) if cells.size else 0


def _shared(values: np.ndarray) -> tuple[np.ndarray, tuple[np.ndarray, np.ndarray] | None]:
    """A text-only column with each distinct text one object, and its (codes, distinct
    values). calamine makes a new string per cell, and a month's sheet repeats a few
    thousand ids, names and KPIs: at 900,000 rows the copies weigh some 500 MB. The
    codes also spare the checks a pass over the column (rows.Rows._distinct)."""
    if pd.api.types.infer_dtype(values, skipna=False) != "string":
        return values, None
    codes, uniques = pd.factorize(values)
    uniques = np.asarray(uniques, dtype=object)
    return uniques[codes], (codes.astype(np.int32), uniques)  # int32: half of intp, held to validation


def _content(cells: np.ndarray) -> np.ndarray:
    """Rows with anything in any column. Column by column, each looking only at the rows
    not yet known to hold something: the first column (the 工号) settles nearly all."""
    content = np.zeros(cells.shape[0], dtype=bool)
    for j in range(cells.shape[1]):
        todo = np.flatnonzero(~content)
        if todo.size == 0:
            break
        filled = ~blank_mask(pd.Series(cells[todo, j], dtype=object)).to_numpy()
        content[todo[filled]] = True
    return content


def _build(book: Book, grid: Grid, file: str, kind: vocab.SheetKind, hrow: int, sid: int) -> tuple[Sheet | int, list[Issue]]:
    """The sheet, or the number of its rows when it is refused as a whole."""
    issues: list[Issue] = []
    shape = _layout(grid.cells, hrow) if kind is vocab.TARGETS else None
    header = grid.cells[hrow] if shape is None else shape.header
    labels = LABELS[kind.key]
    columns: dict[str, int] = {}  # field → grid column
    scale: dict[str, float] = {}
    unknown: list[str] = []
    excel_header_row = int(grid.rows[hrow]) + 1
    refuse = False
    for j, v in enumerate(header):
        base, hint = header_key(v)
        if not base:
            continue
        key = labels.get(base)
        letter = col_letter(int(grid.cols[j]))
        if shape is not None and j in shape.used:
            continue
        if key is None:
            unknown.append(str(v).strip())
            continue
        if key in columns:
            # Two columns for one field: which one is meant is a guess not to make.
            issues.append(DUPLICATE_HEADER(
                file=file, sheet=grid.name, cell=f"{letter}{excel_header_row}", value=str(v).strip(),
                first=col_letter(int(grid.cols[columns[key]])),
            ))
            refuse = True
            continue
        columns[key] = j
        scale[key] = 10_000.0 if hint in _WAN else 1.0
    if unknown:
        issues.append(UNKNOWN_COLUMNS(file=file, sheet=grid.name, value="、".join(unknown)))

    body = grid.cells[hrow + 1 :]
    body_rows = grid.rows[hrow + 1 :]
    period = ""
    if shape is not None:
        when = _outside(grid, hrow, shape, file)
        if shape.kind == "grid":
            return _build_grid(book, grid, file, kind, hrow, sid, shape, columns, scale, issues, refuse, when)
        period, n_or_issue = when
        if not period:
            issues.append(n_or_issue(rows=_nonblank_rows(body)))
            return _nonblank_rows(body), issues
        issues.append(n_or_issue)
    n = body.shape[0]
    raw = {}
    masks = {}
    novalue = {}
    untrusted = book.untrusted(grid.name)
    row_pos = {int(r): i for i, r in enumerate(body_rows)} if untrusted else {}
    distinct = {}
    for f in kind.fields:
        if f.key in columns:
            values, got = _shared(body[:, columns[f.key]])
            raw[f.key] = pd.Series(values, dtype=object)
            if got is not None:
                distinct[f.key] = got
        else:
            raw[f.key] = pd.Series([""] * n, dtype=object)
            distinct[f.key] = (np.zeros(n, dtype=np.int32), np.array([""], dtype=object))
        if untrusted and f.key in columns:
            col = int(grid.cols[columns[f.key]])
            m = np.zeros(n, dtype=bool)
            nv = np.zeros(n, dtype=bool)
            for (r, c), saved in untrusted.items():
                i = row_pos.get(r)
                if c == col and i is not None:
                    m[i] = True
                    nv[i] = not saved
            if m.any():
                masks[f.key] = m
                novalue[f.key] = nv
    if period:
        raw["period"] = pd.Series([period] * n, dtype=object)
        distinct["period"] = (np.zeros(n, dtype=np.int32), np.array([period], dtype=object))
    frame = pd.DataFrame(raw, index=range(n))
    # Fully empty rows are skipped and not counted (inputs.md, "Rows"): a row with
    # anything in any column counts, so a stray note is reported, never lost. A formula
    # cell without a saved value is content.
    content = _content(body) if body.size else np.zeros(n, dtype=bool)
    for m in masks.values():
        content |= m
    keep = np.flatnonzero(content)
    frame = frame.iloc[keep].reset_index(drop=True)
    masks = {k: m[keep] for k, m in masks.items()}
    novalue = {k: m[keep] for k, m in novalue.items()}
    distinct = {k: (codes[keep], uniques) for k, (codes, uniques) in distinct.items()}
    sheet = Sheet(
        sid=sid, file=file, name=grid.name, kind=kind, header_row=excel_header_row,
        letters={k: col_letter(int(grid.cols[j])) for k, j in columns.items()},
        scale=scale, raw=frame, rows=body_rows[keep].astype(np.int64) + 1, untrusted=masks, novalue=novalue,
        full_calc=book.full_calc_on_load, refused=refuse, distinct=distinct,
    )
    return sheet, issues


# --- target sheets in the layouts HR keeps (layouts.py) ---------------------------------


def _outside(grid: Grid, hrow: int, shape: layouts.Shape, file: str):
    """The year (a grid whose month headers lack it) or the month (a long sheet without
    期间) from a 年度 cell, the title rows or the file name.

    → (value, info issue or None) when found — value the year, or the period 'YYYY-MM';
    → (None, a function rows → the error issue) when missing or contradictory."""
    top = grid.cells[: hrow - 1 if shape.two_rows else hrow]

    def addr(i: int, j: int) -> str:
        return f"{col_letter(int(grid.cols[j]))}{int(grid.rows[i]) + 1}"

    found = layouts.outside(top, addr, file)
    sheet = grid.name

    def conflict(a, b, what_zh, what_en):
        return None, lambda rows: layouts.OUTSIDE_CONFLICT(
            file=file, sheet=sheet, rows=rows, first_zh=f"{a.zh}（{what_of(a, what_zh)}）",
            second_zh=f"{b.zh}（{what_of(b, what_zh)}）", first_en=f"{a.en} ({what_of(a, what_zh)})",
            second_en=f"{b.en} ({what_of(b, what_zh)})", what_zh=what_zh, what_en=what_en)

    def what_of(f, what_zh):
        return f"{f.year}年" if what_zh == "年份" else (f"{f.year}年{f.month}月" if f.year else f"{f.month}月")

    year_src, clash = layouts.settle(found, "year")
    if shape.kind == "grid":
        if all(m.year is not None for m in shape.months):
            return 0, None
        if clash:
            return conflict(*clash, "年份", "year")
        if year_src is None:
            return None, lambda rows: layouts.YEAR_MISSING(
                file=file, sheet=sheet, rows=rows, what_zh="月份列只写了月（如 1月）", what_en="the month columns name no year (1月, Jan)")
        return year_src.year, (f"，年份 {year_src.year} 取自{year_src.zh}", f"; the year {year_src.year} comes from {year_src.en}")
    month_src, mclash = layouts.settle(found, "month")
    if mclash:
        return conflict(*mclash, "月份", "month")
    if month_src is None:
        return None, lambda rows: layouts.MONTH_MISSING(file=file, sheet=sheet, rows=rows)
    year = month_src.year
    if year is None:
        if clash:
            return conflict(*clash, "年份", "year")
        if year_src is None:
            return None, lambda rows: layouts.YEAR_MISSING(
                file=file, sheet=sheet, rows=rows, what_zh=f"月份 {month_src.month}月 取自{month_src.zh}",
                what_en=f"its month ({month_src.month}) comes from {month_src.en}")
        year = year_src.year
    elif clash and year_src is not None and year_src.year != year:
        other = clash[0] if clash[0].year != year else clash[1]
        return conflict(month_src, other, "年份", "year")
    period = f"{year:04d}-{month_src.month:02d}"
    src_zh, src_en = month_src.zh, month_src.en
    if month_src.year is None:
        src_zh, src_en = f"{src_zh}（年份取自{year_src.zh}）", f"{src_en} (the year from {year_src.en})"
    return period, layouts.PERIOD_FROM_OUTSIDE(file=file, sheet=sheet, value=period, source_zh=src_zh, source_en=src_en)


def _build_grid(book: Book, grid: Grid, file: str, kind: vocab.SheetKind, hrow: int, sid: int,
                shape: layouts.Shape, columns: dict[str, int], scale: dict[str, float], issues: list[Issue],
                refuse: bool, when) -> tuple[Sheet | int, list[Issue]]:
    """A month grid → a Sheet of long rows, each value keeping its own cell (layouts.py)."""
    body = grid.cells[hrow + 1 :]
    body_rows = grid.rows[hrow + 1 :]
    keep = np.flatnonzero(_content(body)) if body.size else np.zeros(0, dtype=np.int64)
    body, body_rows = body[keep], body_rows[keep]
    year, note = when
    if year is None:
        issues.append(note(rows=len(keep)))
        return len(keep), issues
    excel_header_row = int(grid.rows[hrow]) + 1
    hints = {j: header_key(v)[1] for j, v in enumerate(shape.header)}

    def scale_of(j: int) -> float:
        return 10_000.0 if hints.get(j) in _WAN else 1.0

    got = layouts.reshape(body, body_rows, grid.cols, columns, shape, year or None, file, grid.name,
                          int(grid.rows[hrow - 1 if shape.two_rows else hrow]), scale_of, note or ("", ""))
    if got.refused is not None:
        issues.append(got.refused)
        return len(keep), issues
    issues.extend(got.issues)
    n = len(got.rows)
    raw, distinct = {}, {}
    for f in kind.fields:
        values, d = _shared(got.raw[f.key] if f.key in got.raw else np.full(n, "", dtype=object))
        raw[f.key] = pd.Series(values, dtype=object)
        if d is not None:
            distinct[f.key] = d
    letters = {k: col_letter(int(grid.cols[j])) for k, j in columns.items() if k in layouts.CARRIED}
    col_letters = np.array([col_letter(int(c)) for c in grid.cols] + [""], dtype=object)  # [-1] → ""
    cells = {}
    for f, (r, c) in got.src.items():
        row_text = pd.Series(r + 1).astype(str).where(c >= 0, "")
        cells[f] = (pd.Series(col_letters[c]) + row_text).to_numpy(dtype=object)
    for f in ("target", "actual"):
        scale[f] = scale_of(got.scale_cols.get(f, -1))
    masks, novalue = {}, {}
    untrusted = book.untrusted(grid.name)
    if untrusted:
        big = 1 << 20  # (sheet row, sheet column) as one integer
        keys = np.array([r * big + c for r, c in untrusted], dtype=np.int64)
        saved = np.array(list(untrusted.values()), dtype=bool)
        sheet_cols = np.r_[grid.cols.astype(np.int64), -1]
        for f in kind.fields:
            if f.key in got.src:
                r, c = got.src[f.key]
                at = r.astype(np.int64) * big + sheet_cols[c]
                at[c < 0] = -1
            elif f.key in columns:
                at = got.rows.astype(np.int64) * big + int(grid.cols[columns[f.key]])
            else:
                continue
            m = np.isin(at, keys)
            if m.any():
                masks[f.key] = m
                novalue[f.key] = m & ~np.isin(at, keys[saved])
    sheet = Sheet(
        sid=sid, file=file, name=grid.name, kind=kind, header_row=excel_header_row, letters=letters, scale=scale,
        raw=pd.DataFrame(raw, index=range(n)), rows=got.rows.astype(np.int64) + 1, untrusted=masks, novalue=novalue,
        full_calc=book.full_calc_on_load, refused=refuse, distinct=distinct, cells=cells,
    )
    return sheet, issues
