"""绩效考核表 / Assessment forms: one printed A4 page per person (``score --forms``).

A workbook of its own beside the result (``<result>_考核表.xlsx``; en ``<result>_forms.xlsx``),
not a sheet of the result: at 5,000 people the forms are some 150,000 rows that only a
printer reads, and HR prints or hands out this one file (docs/decisions.md, "Forms").

Each person's block: name, 工号, team, role, period and ranks; each KPI with weight,
target, actual, attainment, score and status (in the status colours); the total, the
grade, 绩效系数 and 绩效工资 (from ``people["coefficient"]`` / ``people["pay"]`` when the
core provides them, a dash otherwise); the notes of 汇总; a 员工意见 box and the
被考核人 / 考核人 signature and date lines. The sheet's first two rows (title, period)
are print titles, repeated on every page; a manual page break stands before every
person, and the sheet prints at a fixed scale that fits the widest line and the tallest
block on one A4 portrait page (Excel ignores manual page breaks under "fit to pages").

The numbers are values, not formulas: the form is a printout of the result, and a
formula pointing into the result workbook would break as soon as either file moves.

Written fast: the cells of every block are built column-wise for all people at once
and rendered straight to XML (:class:`_Grid`, through :class:`sheetkit.FastSheet`'s
bulk path), not one xlsxwriter call per cell.
"""

from __future__ import annotations

import io
import math
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import numpy as np
import pandas as pd
from xlsxwriter.format import Format
from xlsxwriter.utility import xl_col_to_name

from .. import __version__, vocab
from ..data import RESULT_PROPERTY, Outcome
from ..vocab import Lang
from . import sheetkit as sk
from . import styles as st
from .detail import person_notes
from .package import ResultBook
from .workbook import WORKBOOK_OPTIONS, save

SUFFIX = {"zh": "_考核表", "en": "_forms"}
SHEET = {"zh": "考核表", "en": "Forms"}
# Excel keeps at most 1,023 manual page breaks per sheet (xlsxwriter drops the rest):
# more people than this go on further sheets, 考核表 (2), 考核表 (3) …
PEOPLE_PER_SHEET = 1000

WORDS: dict[str, tuple[str, str]] = {
    "title": ("绩效考核表", "Performance assessment form"),
    "period_line": ("考核期间：{period}", "Period: {period}"),
    "name": ("姓名", "Name"),
    "employee_id": ("工号", "ID"),
    "team": ("部门", "Team"),
    "role": ("岗位", "Role"),
    "period": ("期间", "Period"),
    "rank": ("排名", "Rank"),
    "rank_text": ("部门 {team} / 总 {overall}", "team {team} / overall {overall}"),
    "no": ("序号", "No."),
    "kpi": ("考核指标", "KPI"),
    "weight": ("权重", "Weight"),
    "target": ("目标值", "Target"),
    "actual": ("实际值", "Actual"),
    "attainment": ("完成率", "Attainment"),
    "score": ("得分", "Score"),
    "status": ("状态", "Status"),
    "sum": ("合计", "Sum"),
    "total": ("总分", "Total"),
    "grade": ("等级", "Grade"),
    "coefficient": ("绩效系数", "Coefficient"),
    "pay": ("绩效工资", "Pay"),
    "notes": ("备注", "Notes"),
    "opinion": ("员工意见：", "Employee's comments:"),
    "appraisee": ("被考核人签字：", "Employee's signature:"),
    "appraiser": ("考核人签字：", "Assessor's signature:"),
    "date": ("日期：", "Date:"),
    "date_blank": ("　　　年　　月　　日", "____ / ___ / ___"),
    "dash": ("—", "—"),
}

# Columns A–H: 序号, 指标, 权重, 目标值, 实际值, 完成率, 得分, 状态 (Excel width units).
WIDTHS = (7.0, 24.0, 8.0, 12.0, 12.0, 10.0, 10.0, 11.0)
LAST_COL = len(WIDTHS) - 1
# Row heights in points.
H_TITLE, H_PERIOD, H_INFO, H_GAP, H_HEAD, H_KPI, H_RESULT, H_BOX, H_SIGN = (
    30.0, 20.0, 22.0, 8.0, 24.0, 20.0, 28.0, 24.0, 34.0)
BOX_ROWS = 5  # the 员工意见 box
H_KPI_MIN = 14.0  # a KPI row is never lower: 10-point text still reads
# The page: A4 portrait, margins in inches.
A4_POINTS = (595.0, 842.0)
MARGIN_LR, MARGIN_TB, MARGIN_HF = 0.4, 0.6, 0.3
TITLE_ROWS = 2  # the print titles: title and period, on every page
SAFETY = 0.96  # LibreOffice and Excel measure fonts a little differently


def word(key: str, lang: Lang, **kw) -> str:
    zh, en = WORDS[key]
    return (zh if lang == "zh" else en).format(**kw)


def forms_path(result: Path, lang: Lang) -> Path:
    """``<result>_考核表.xlsx`` (en ``<result>_forms.xlsx``) beside the result."""
    result = Path(result)
    return result.with_name(f"{result.stem}{SUFFIX['zh' if lang == 'zh' else 'en']}.xlsx")


def is_forms_file(path: Path) -> bool:
    path = Path(path)
    return path.suffix.lower() in (".xlsx", ".pdf") and any(path.stem.endswith(s) for s in SUFFIX.values())


def column_pixels(width: float) -> int:
    """Excel's column width in pixels (default font: 7 px per digit, 5 px padding)."""
    return int(width * 7 + 5) if width >= 1 else int(width * 12 + 0.5)


# --- the cells, column-wise -----------------------------------------------------------


@dataclass
class _Grid:
    """The cells of a sheet as pieces (rows, column, XML per cell), rendered into
    :class:`sheetkit.FastSheet`'s bulk path (it asks for ``first_row``, ``n``,
    ``prime()``, ``render(start, stop)`` and ``value()``, as of a ``_Bulk``)."""

    ws: sk.FastSheet
    rows: list[np.ndarray] = field(default_factory=list)
    cols: list[np.ndarray] = field(default_factory=list)
    cells: list[list[str]] = field(default_factory=list)
    first_row: int = 0
    n: int = 0
    _sst: dict[str, int] = field(default_factory=dict)
    _xf: dict[int, str] = field(default_factory=dict)
    _sorted: tuple | None = None  # the cells in row order and each row's bounds, once rendered

    def _style(self, fmt: Format | None) -> str:
        if fmt is None:
            return ""
        got = self._xf.get(id(fmt))
        if got is None:
            i = fmt._get_xf_index()
            got = self._xf[id(fmt)] = f' s="{i}"' if i else ""
        return got

    def _string(self, text: str) -> int:
        got = self._sst.get(text)
        sst = self.ws.str_table
        if got is None:
            got = self._sst[text] = sst._get_shared_string_index(text)
        else:
            sst.count += 1  # every use counts, as write_string would count it
        return got

    def _styles(self, fmt, n: int) -> list[str]:
        if fmt is None or isinstance(fmt, Format):
            return [self._style(fmt)] * n
        return [self._style(f) for f in fmt]

    def text(self, rows, col: int, values, fmt=None) -> None:
        """Text cells (a single text or one per row); an empty text leaves a blank, formatted cell."""
        rows = np.asarray(rows, dtype=np.int64)
        n = len(rows)
        if isinstance(values, str):
            values = [values] * n
        styles = self._styles(fmt, n)
        letter = xl_col_to_name(col)
        out = []
        for r, v, s in zip(rows.tolist(), values, styles):
            if v == "" or v is None:
                out.append(f'<c r="{letter}{r + 1}"{s}/>')
                continue
            v = str(v)
            if len(v) > sk.MAX_STRING:
                self.ws.cut.append((r, col, len(v)))
                v = sk.fit_text(v)
            out.append(f'<c r="{letter}{r + 1}"{s} t="s"><v>{self._string(v)}</v></c>')
        self._add(rows, col, out)

    def number(self, rows, col: int, values, fmt=None, dash_fmt=None, dash: str = "—") -> None:
        """Numbers; a missing one (NaN) shows ``dash`` in ``dash_fmt``."""
        rows = np.asarray(rows, dtype=np.int64)
        v = np.asarray(values, dtype=float)
        if np.isinf(v).any():
            i = int(np.flatnonzero(np.isinf(v))[0])
            raise sk.fail(self.ws, int(rows[i]), col, -1, "infinite number")
        has = ~np.isnan(v)
        styles = self._styles(fmt, len(rows))
        keep = [s for s, h in zip(styles, has) if h]
        letter = xl_col_to_name(col)
        self._add(rows[has], col, [f'<c r="{letter}{r + 1}"{s}><v>{x:.16G}</v></c>'
                                   for r, x, s in zip(rows[has].tolist(), v[has].tolist(), keep)])
        if (~has).any():
            self.text(rows[~has], col, dash, dash_fmt)

    def blank(self, rows, col: int, fmt) -> None:
        self.text(rows, col, "", fmt)

    def _add(self, rows: np.ndarray, col: int, cells: list[str]) -> None:
        if len(cells):
            self.rows.append(rows)
            self.cols.append(np.full(len(rows), col, dtype=np.int64))
            self.cells.append(cells)

    # --- FastSheet's bulk interface ---------------------------------------------------

    def close(self, last_row: int) -> None:
        """Register with the sheet: called once every cell is in."""
        self.n = last_row + 1
        for r, c in ((0, 0), (last_row, LAST_COL)):
            rc = self.ws._check_dimensions(r, c)
            if rc:
                raise sk.fail(self.ws, r, c, rc, "forms")
        self.ws._bulk.append(self)

    def prime(self) -> None:
        """Nothing to number: the grid's formats got their indices as its cells were made."""

    def render(self, start: int = 0, stop: int | None = None) -> list[str]:
        """The ``<c>`` elements of rows ``start`` to ``stop`` (all by default), one string per row."""
        if self._sorted is None:
            rows = np.concatenate(self.rows) if self.rows else np.zeros(0, dtype=np.int64)
            cols = np.concatenate(self.cols) if self.cols else np.zeros(0, dtype=np.int64)
            cells = [c for piece in self.cells for c in piece]
            order = np.lexsort((cols, rows))
            rows = rows[order]
            key = rows * (LAST_COL + 1) + cols[order]
            if len(key) > 1 and (np.diff(key) == 0).any():
                dup = int(np.flatnonzero(np.diff(key) == 0)[0])
                raise sk.fail(self.ws, int(rows[dup]), int(cols[order][dup]), -1, "two values for one cell")
            bounds = np.searchsorted(rows, np.arange(self.n + 1))
            self._sorted = ([cells[i] for i in order.tolist()], bounds.tolist())
        ordered, b = self._sorted
        stop = self.n if stop is None else min(stop, self.n)
        return ["".join(ordered[b[i]:b[i + 1]]) for i in range(max(start, 0), stop)]

    def value(self, row: int, col: int) -> tuple[bool, object]:
        return False, None  # no chart reads the forms


# --- formats ----------------------------------------------------------------------------


class _Formats:
    """The form's own formats, made once per workbook (borders, alignment, status colours)."""

    def __init__(self, book: ResultBook) -> None:
        self.book = book
        self._cache: dict[tuple, Format] = {}

    def get(self, **props) -> Format:
        key = tuple(sorted(props.items()))
        got = self._cache.get(key)
        if got is None:
            base = {"font_size": 10, "valign": "vcenter"}
            got = self._cache[key] = self.book.add_format({**base, **props})
        return got

    def cell(self, num: str | None = None, status: str | None = None, **more) -> Format:
        props = {"border": 1, "border_color": "#808080", **more}
        if num:
            props["num_format"] = num
        if status:
            props.update(st.STATUS_COLOURS[status])
            if status != "nodata":
                props["pattern"] = 1
        return self.get(**props)

    def label(self, **more) -> Format:
        return self.cell(bold=True, bg_color=st.HEADER_FILL, pattern=1, align="center", text_wrap=True, **more)

    def grade(self, grade: str) -> Format:
        if grade not in st.GRADE_COLOURS:
            return self.cell(align="center", bold=True)
        return self.cell(align="center", bold=True, pattern=1, **st.GRADE_COLOURS[grade])


# --- the workbook ------------------------------------------------------------------------


def write_forms(outcome: Outcome, path: Path, lang: Lang = "zh", created: datetime | None = None) -> list:
    """Write the forms workbook to ``path`` (the caller picks a temporary name and renames).

    Returns the issues it raised itself (texts cut to fit a cell)."""
    if lang not in ("zh", "en"):
        raise ValueError(f"lang must be 'zh' or 'en', not {lang!r}")
    results = outcome.results
    buffer = io.BytesIO()
    book = ResultBook(buffer, WORKBOOK_OPTIONS)
    fmts = _Formats(book)
    people = form_order(results.people)
    scores = results.scores
    chunks = [people.iloc[i:i + PEOPLE_PER_SHEET] for i in range(0, max(len(people), 1), PEOPLE_PER_SHEET)]
    name = SHEET["zh" if lang == "zh" else "en"]
    for k, chunk in enumerate(chunks):
        ws = book.add_worksheet(name if k == 0 else f"{name} ({k + 1})", worksheet_class=sk.FastSheet)
        _write_sheet(ws, fmts, chunk.reset_index(drop=True), scores, results, lang)
    book.set_properties({
        "title": word("title", lang),
        "subject": _period(results.scope),
        "author": "kpi-engine",
        "comments": f"kpi-engine {outcome.version or __version__}",
        "created": created or datetime.now(),
    })
    # A later run over the folder skips this workbook as the engine's own, like the result.
    if book.set_custom_property(RESULT_PROPERTY, outcome.version or __version__):
        raise ValueError(f"the custom property {RESULT_PROPERTY} was refused")
    save(book, buffer, path)
    return sk.cut_issues(book.worksheets(), Path(path).name)


def form_order(people: pd.DataFrame) -> pd.DataFrame:
    """The order forms are printed in: by team, then 工号 (a team's forms together)."""
    order = np.lexsort((people["employee_id"].to_numpy(dtype=str), people["team"].to_numpy(dtype=str)))
    return people.take(order).reset_index(drop=True)


def _period(scope) -> str:
    scope = list(scope)
    return " – ".join(dict.fromkeys((scope[0], scope[-1]))) if scope else "—"


def _write_sheet(ws: sk.FastSheet, fmts: _Formats, people: pd.DataFrame, all_scores: pd.DataFrame, results,
                 lang: Lang) -> None:
    n = len(people)
    grid = _Grid(ws)
    dash = word("dash", lang)
    centred = fmts.cell(align="center")
    plain = fmts.cell()
    label = fmts.label()
    heights: dict[int, float] = {}

    # Print titles: the form's title and the period, repeated on every page.
    grid.text([0], 0, word("title", lang), fmts.get(bold=True, font_size=16, align="center"))
    grid.text([1], 0, word("period_line", lang, period=_period(results.scope)), fmts.get(align="center"))
    for r in (0, 1):
        ws.merge.append([r, 0, r, LAST_COL])
    heights[0], heights[1] = H_TITLE, H_PERIOD

    # Each person's KPIs, in scheme order; the people in form order.
    pos = pd.Series(np.arange(n), index=people["employee_id"].to_numpy())
    scores = all_scores.loc[all_scores["employee_id"].isin(pos.index)].copy()
    scores["_p"] = scores["employee_id"].map(pos).to_numpy()
    scores = scores.sort_values(["_p", "order", "kpi"], kind="stable").reset_index(drop=True)
    kpis = np.bincount(scores["_p"].to_numpy(dtype=np.int64), minlength=n) if n else np.zeros(0, dtype=np.int64)

    # Rows of a block, relative to its start: info (2), gap, KPI header, KPIs, 合计, gap,
    # result, notes, gap, 员工意见 label, box, gap, two signature lines.
    o_info2, o_gap1, o_head, o_kpi = 1, 2, 3, 4
    after = [("sum", 1), ("gap2", 1), ("result", 1), ("notes", 1), ("gap3", 1), ("opinion", 1),
             ("box", BOX_ROWS), ("gap4", 1), ("sign1", 1), ("sign2", 1)]
    size = o_kpi + kpis + sum(k for _, k in after)
    start = TITLE_ROWS + np.concatenate([[0], np.cumsum(size)[:-1]]).astype(np.int64) if n else np.zeros(0, np.int64)
    at: dict[str, np.ndarray] = {}
    offset = start + o_kpi + kpis
    for key, k in after:
        at[key] = offset.copy()
        offset = offset + k
    last_row = int(offset[-1] - 1) if n else TITLE_ROWS

    # --- info: name, 工号, team / role, period, ranks -------------------------------------
    r0, r1 = start, start + o_info2
    for col, key in ((0, "name"), (2, "employee_id"), (4, "team")):
        grid.text(r0, col, word(key, lang), label)
    grid.text(r0, 1, people["name"].tolist(), fmts.cell(bold=True))
    grid.text(r0, 3, people["employee_id"].tolist(), centred)
    grid.text(r0, 5, people["team"].tolist(), fmts.cell(text_wrap=True))
    for c in (6, 7):
        grid.blank(r0, c, plain)
    grid.text(r1, 0, word("role", lang), label)
    grid.text(r1, 1, people["role"].tolist(), fmts.cell(text_wrap=True))
    grid.text(r1, 2, word("period", lang), label)
    grid.text(r1, 3, _period(results.scope), centred)
    grid.blank(r1, 4, centred)
    grid.text(r1, 5, word("rank", lang), label)
    ranks = [word("rank_text", lang, team=_int(t), overall=_int(o))
             for t, o in zip(people["team_rank"].tolist(), people["overall_rank"].tolist())]
    grid.text(r1, 6, ranks, centred)
    grid.blank(r1, 7, centred)
    merges = [(r0, 5, r0, 7), (r1, 3, r1, 4), (r1, 6, r1, 7)]
    for r in r0:
        heights[int(r)] = H_INFO
    for r, role in zip(r1.tolist(), people["role"].tolist()):
        heights[r] = max(H_INFO, sk.LINE_HEIGHT * sk.lines_needed(role, WIDTHS[1]) + 4)
    for r in (start + o_gap1).tolist():
        heights[r] = H_GAP

    # --- the KPI table ---------------------------------------------------------------------
    head = start + o_head
    for col, key in enumerate(("no", "kpi", "weight", "target", "actual", "attainment", "score", "status")):
        grid.text(head, col, word(key, lang), label)
    for r in head.tolist():
        heights[r] = H_HEAD
    p = scores["_p"].to_numpy(dtype=np.int64)
    idx = np.arange(len(scores)) - np.concatenate([[0], np.cumsum(kpis)[:-1]])[p] if len(scores) else np.zeros(0, np.int64)
    krow = start[p] + o_kpi + idx
    grid.number(krow, 0, idx + 1, centred)
    grid.text(krow, 1, scores["kpi"].tolist(), fmts.cell(text_wrap=True))
    grid.number(krow, 2, scores["weight"], fmts.cell("0.##", align="center"), centred, dash)
    percent = (scores["is_percent"] | (scores["source"] == "training")).to_numpy()
    for col, key in ((3, "target"), (4, "actual")):
        v = scores[key].to_numpy(dtype=float)
        whole = np.isfinite(v) & (np.floor(v) == v)
        num = np.where(percent, st.PERCENT, np.where(whole, st.INTEGER, st.DECIMAL))
        cache = {k: fmts.cell(k) for k in (st.PERCENT, st.INTEGER, st.DECIMAL)}
        grid.number(krow, col, v, [cache[k] for k in num], centred, dash)
    grid.number(krow, 5, scores["attainment"], _attainment_formats(scores, fmts, lang),
                fmts.cell(status="nodata", align="center"), dash)
    grid.number(krow, 6, scores["score"], fmts.cell(st.POINTS), centred, dash)
    status = scores["status"].where(scores["status"].isin(list(st.STATUS_COLOURS)), "nodata")
    status_fmt = {s: fmts.cell(status=s, align="center") for s in st.STATUS_COLOURS}
    grid.text(krow, 7, [vocab.word(vocab.STATUSES, s, lang) for s in status.tolist()],
              [status_fmt[s] for s in status.tolist()])
    kpi_names = scores["kpi"].astype(str)
    wide = kpi_names.str.len() * 2 > WIDTHS[1] - 2  # a long name wraps: its row grows
    for r, name in zip(krow[wide.to_numpy()].tolist(), kpi_names[wide].tolist()):
        heights[r] = max(H_KPI, sk.LINE_HEIGHT * sk.lines_needed(name, WIDTHS[1]) + 3)

    # 合计: the weights' sum and the total.
    rs = at["sum"]
    grid.text(rs, 0, word("sum", lang), fmts.label())
    grid.blank(rs, 1, fmts.label())
    weight_sum = scores.groupby("_p")["weight"].sum().reindex(range(n)).to_numpy(dtype=float)
    grid.number(rs, 2, weight_sum, fmts.cell("0.##", align="center", bold=True), centred, dash)
    for c in (3, 4, 5, 7):
        grid.blank(rs, c, plain)
    grid.number(rs, 6, people["total_rounded"], fmts.cell(st.POINTS, bold=True), centred, dash)
    merges.append((rs, 0, rs, 1))

    # --- total, grade, 绩效系数, 绩效工资 ------------------------------------------------------
    rr = at["result"]
    for col, key in ((0, "total"), (2, "grade"), (4, "coefficient"), (6, "pay")):
        grid.text(rr, col, word(key, lang), label)
    grid.number(rr, 1, people["total_rounded"], fmts.cell(st.POINTS, bold=True, font_size=12, align="center"),
                centred, dash)
    grades = people["grade"].fillna("").astype(str)
    grid.text(rr, 3, [vocab.word(vocab.GRADES, g, lang) if g in vocab.GRADES else dash for g in grades.tolist()],
              [fmts.grade(g) for g in grades.tolist()])
    nan = np.full(n, np.nan)
    # From the pay step when the core has it (columns "coefficient" and "pay"), a dash before.
    coefficient = people.get("coefficient")
    pay = people.get("pay")
    grid.number(rr, 5, nan if coefficient is None else pd.to_numeric(coefficient, errors="coerce"),
                fmts.cell("0.00", align="center", bold=True), centred, dash)
    grid.number(rr, 7, nan if pay is None else pd.to_numeric(pay, errors="coerce"),
                fmts.cell("#,##0.00", bold=True), centred, dash)
    for r in rr.tolist():
        heights[r] = H_RESULT

    # --- notes --------------------------------------------------------------------------------
    rn = at["notes"]
    notes = _notes(people, lang)
    grid.text(rn, 0, word("notes", lang), label)
    grid.text(rn, 1, [x or dash for x in notes], fmts.cell(text_wrap=True))
    for c in range(2, LAST_COL + 1):
        grid.blank(rn, c, plain)
    merges.append((rn, 1, rn, LAST_COL))
    notes_width = sum(WIDTHS[1:])
    for r, text in zip(rn.tolist(), notes):
        heights[r] = max(H_INFO, sk.LINE_HEIGHT * sk.lines_needed(text or dash, notes_width) + 4)

    # --- 员工意见 and the signatures ----------------------------------------------------------
    grid.text(at["opinion"], 0, word("opinion", lang), fmts.get(bold=True))
    box = at["box"]
    box_fmt = fmts.cell(valign="top", text_wrap=True, border=2)
    for j in range(BOX_ROWS):
        for c in range(LAST_COL + 1):
            grid.blank(box + j, c, box_fmt)
        for r in (box + j).tolist():
            heights[r] = H_BOX
    merges.append((box, 0, box + BOX_ROWS - 1, LAST_COL))
    for key in ("gap2", "gap3", "gap4"):
        for r in at[key].tolist():
            heights[r] = H_GAP if key != "gap4" else 2 * H_GAP
    line = fmts.get(bottom=1, align="center", valign="bottom")
    right = fmts.get(align="right", valign="bottom", bold=True)
    for key, who in (("sign1", "appraisee"), ("sign2", "appraiser")):
        r = at[key]
        grid.text(r, 0, word(who, lang), right)
        grid.blank(r, 1, right)
        grid.blank(r, 2, line)
        grid.blank(r, 3, line)
        grid.text(r, 4, word("date", lang), right)
        grid.text(r, 5, word("date_blank", lang), line)
        grid.blank(r, 6, line)
        grid.blank(r, 7, line)
        merges += [(r, 0, r, 1), (r, 2, r, 3), (r, 5, r, 7)]
        for x in r.tolist():
            heights[x] = H_SIGN

    for r1_, c1, r2, c2 in merges:
        r1a, r2a = np.broadcast_arrays(np.asarray(r1_), np.asarray(r2))
        ws.merge.extend([[a, c1, b, c2] for a, b in zip(r1a.tolist(), r2a.tolist())])
    grid.close(last_row)

    # --- layout and print setup ---------------------------------------------------------------
    # Rows without a height of their own (the KPIs, 合计, the 员工意见 label) share what
    # the page leaves: as tall as H_KPI, lower for a long KPI list, never below H_KPI_MIN.
    fixed = np.zeros(n)
    free = np.zeros(n)
    for i, (s0, k) in enumerate(zip(start.tolist(), size.tolist())):
        own = [heights[r] for r in range(s0, s0 + k) if r in heights]
        fixed[i], free[i] = sum(own), k - len(own)
    room = SAFETY * (A4_POINTS[1] - 2 * 72 * MARGIN_TB) * 100 / width_scale() - H_TITLE - H_PERIOD
    default = H_KPI
    if n:
        default = float(np.clip(np.floor(np.min((room - fixed) / np.maximum(free, 1))), H_KPI_MIN, H_KPI))
    ws.set_default_row(default)
    for r, h in heights.items():
        if h != default:
            sk.check(ws, r, 0, ws.set_row(r, h), "set_row")
    for c, w in enumerate(WIDTHS):
        sk.check(ws, 0, c, ws.set_column(c, c, w), "set_column")
    block_points = fixed + free * default
    ws.set_portrait()
    ws.set_paper(9)  # A4
    ws.set_margins(left=MARGIN_LR, right=MARGIN_LR, top=MARGIN_TB, bottom=MARGIN_TB)
    ws.set_header("", {"margin": MARGIN_HF})
    ws.set_footer("&C&P / &N", {"margin": MARGIN_HF})
    ws.center_horizontally()
    ws.hide_gridlines(2)
    ws.repeat_rows(0, TITLE_ROWS - 1)
    sk.check(ws, 0, 0, ws.print_area(0, 0, last_row, LAST_COL), "print_area")
    ws.set_h_pagebreaks(start[1:].tolist())
    # One page wide, as tall as it takes: Excel and LibreOffice keep the manual page breaks
    # then (not under "fit to 1 × N pages"). A block too tall for a page even at the
    # width's scale (some 35 KPIs) gets a fixed scale that fits it instead.
    scale = print_scale(float(block_points.max()) if n else 0.0)
    if scale < width_scale():
        ws.set_print_scale(scale)
    else:
        ws.fit_to_pages(1, 0)
    sk.check(ws, 0, 0, ws.ignore_errors({"number_stored_as_text": "A1:XFD1048576"}), "ignore_errors")
    ws.freeze_panes(TITLE_ROWS, 0)


def width_scale() -> int:
    """The scale (percent) at which the columns fill the A4 width, in Excel's default font."""
    width = sum(column_pixels(w) for w in WIDTHS) * 0.75  # points
    page_w = A4_POINTS[0] - 2 * 72 * MARGIN_LR
    return int(max(10, min(100, math.floor(SAFETY * page_w / width * 100))))


def print_scale(tallest_block: float) -> int:
    """The print scale (percent, 10–100) at which every column fits the A4 width and the
    tallest block, under the print titles, fits one A4 page."""
    page_h = A4_POINTS[1] - 2 * 72 * MARGIN_TB
    tall = H_TITLE + H_PERIOD + tallest_block
    return int(max(10, min(width_scale(), math.floor(SAFETY * page_h / max(tall, 1.0) * 100))))


def _int(v) -> str:
    return "—" if v is None or pd.isna(v) else str(int(v))


def _attainment_formats(scores: pd.DataFrame, fmts: _Formats, lang: Lang) -> list[Format]:
    """Attainment in its status colour: a percent, a rating (等级) as a number, the word
    for r when the target is 0 (as on 明细)."""
    status = scores["status"].where(scores["status"].isin(list(st.STATUS_COLOURS)), "nodata").tolist()
    method = scores["method"].tolist()
    zero = ((scores["target"] == 0) & (scores["method"] != "rating")).tolist()
    direction = scores["direction"].where(scores["direction"] == "lower", "higher").tolist()
    cache: dict[tuple, Format] = {}
    out = []
    for key in zip(status, method, zero, direction):
        got = cache.get(key)
        if got is None:
            s, m, z, d = key
            num = "0.00" if m == "rating" else (st.zero_target_format(d, lang) if z else st.PERCENT)
            got = cache[key] = fmts.cell(num, status=s, align="center")
        out.append(got)
    return out


def _notes(people: pd.DataFrame, lang: Lang) -> list[str]:
    """汇总's 备注, with the flags (新入职, 离职 …) in front."""
    from . import labels as lb

    notes = person_notes(people, lang)
    sep = lb.text("part_sep", lang)
    flags = people["flags"].map(lambda v: tuple(v) if isinstance(v, (tuple, list)) else ())
    out = []
    for note, fl in zip(notes, flags.tolist()):
        words = [lb.text(f"flag_{f}", lang) for f in fl if f"flag_{f}" in lb.TEXTS]
        out.append(sep.join([*words, note] if note else words))
    return out


# --- PDF through LibreOffice (when installed) -------------------------------------------------

PDF_SECONDS_BASE, PDF_SECONDS_PER_PERSON = 120.0, 0.5  # timeout: generous, LibreOffice is slow to start


def soffice() -> str | None:
    """The LibreOffice program, or None when it is not installed."""
    import shutil

    return shutil.which("soffice") or shutil.which("libreoffice")


def to_pdf(src: Path, dest: Path, people: int, program: str | None = None) -> None:
    """Print ``src`` to ``dest`` (PDF) with LibreOffice headless, in a private profile.

    The PDF is made in a temporary folder beside ``dest`` and renamed into place, so a
    failed or killed conversion never leaves half a PDF. Raises RuntimeError (with
    LibreOffice's own words) or OSError when it fails or takes too long."""
    import os
    import subprocess
    import tempfile

    program = program or soffice()
    if not program:
        raise RuntimeError("LibreOffice (soffice) not found")
    dest = Path(dest)
    timeout = PDF_SECONDS_BASE + PDF_SECONDS_PER_PERSON * people
    with tempfile.TemporaryDirectory(prefix=".kpi-forms-pdf-", dir=dest.parent) as work, \
            tempfile.TemporaryDirectory(prefix="kpi-lo-profile-") as profile:
        cmd = [program, f"-env:UserInstallation={Path(profile).as_uri()}", "--headless", "--norestore",
               "--nolockcheck", "--convert-to", "pdf", "--outdir", work, str(Path(src).resolve())]
        try:
            done = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout,
                                  env={**os.environ, "HOME": profile}, stdin=subprocess.DEVNULL)
        except subprocess.TimeoutExpired as exc:
            raise RuntimeError(f"LibreOffice took longer than {timeout:.0f} s") from exc
        made = Path(work) / (Path(src).stem + ".pdf")
        if done.returncode != 0 or not made.is_file():
            said = " ".join((done.stderr or done.stdout or "").split())[:300]
            raise RuntimeError(f"LibreOffice exit code {done.returncode}{': ' + said if said else ''}")
        os.chmod(made, 0o666 & ~_umask())
        os.replace(made, dest)


def _umask() -> int:
    import os

    mask = os.umask(0)
    os.umask(mask)
    return mask
