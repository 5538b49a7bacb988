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
        return kind, None
    for i, row in enumerate(top):
        matches = []
        for kind in vocab.SHEET_KINDS:
            found = _row_fields(row, kind.key)
            if _holds_all(found, kind):
                matches.append((len(found), -vocab.SHEET_KINDS.index(kind), kind))
        if matches:
            return max(matches, key=lambda m: m[:2])[2], i
    return None, None


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
        sheets.append(sheet)
        issues.extend(sheet_issues)
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


def _build(book: Book, grid: Grid, file: str, kind: vocab.SheetKind, hrow: int, sid: int) -> tuple[Sheet, list[Issue]]:
    issues: list[Issue] = []
    header = grid.cells[hrow]
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
