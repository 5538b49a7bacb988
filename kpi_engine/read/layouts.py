"""Target sheets in the layouts HR already keeps (issue 12), turned into the long layout.

Two shapes besides the template's one row per person × KPI × month:

- **the month grid** (目标管理表): one row per person × KPI, month columns (1月 … 12月,
  2026-01 …, Jan …, or date cells) holding the actuals, with one of
  (a) a 目标值 column: the month's target, the same for every month;
  (b) a target per month: paired columns (1月目标 / 1月实际, or 1月 merged over a
      second header row holding 目标 / 实际);
  (c) a label column (目标 / 实际) and two rows per person × KPI.
  合计 / 平均 / 全年 columns are not read, only checked against the months.
- **the month outside the table**: a monthly long sheet without 期间, its month in the
  title row (2026年8月销售目标) or the file name (2026-08目标管理表.xlsx, 8月.xlsx).

A grid is reshaped here into the long layout *before* the row checks, so every check,
duplicate rule and count of the long template applies unchanged; each value keeps the
address of the cell it came from (目标管理!H17) for messages. This module only parses:
it returns plain arrays, :mod:`.sheets` builds the :class:`~.sheets.Sheet`.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from ..issues import Issue, IssueType
from .values import blank_mask, clean_text, parse_numbers

ID_FIELDS = ("employee_id", "name", "team", "role", "kpi")
CARRIED = ("employee_id", "name", "team", "role", "kpi", "unit", "note")  # copied to every month of a row
MOVED = ("period", "target", "actual")  # fields whose cell changes from month to month

TARGET, ACTUAL = "target", "actual"
_ROLE_WORDS = {  # longest first: 目标值 before 目标
    TARGET: ("目标值", "目标额", "目标", "计划值", "计划", "target", "plan"),
    ACTUAL: ("实际值", "实际完成", "实际", "完成值", "完成额", "完成", "实绩", "actual"),
}
# Rows or columns derived from the others: never read.
_DERIVED = ("完成率", "达成率", "达成", "完成比例", "比例", "差额", "差异", "得分", "同比", "环比", "率",
            "rate", "attainment", "score", "%")
_TOTALS = {
    "sum": ("合计", "总计", "累计", "全年", "年度合计", "全年合计", "年累计", "小计", "total", "sum", "ytd"),
    "mean": ("平均", "月均", "平均值", "月平均", "average", "avg", "mean"),
}
_CN_MONTH = {"一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9, "十": 10,
             "十一": 11, "十二": 12}
_EN_MONTH = {m: i for i, m in enumerate(
    ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"), 1)}
_YEAR = r"((?:19|20)\d{2})"

# --- issues ------------------------------------------------------------------------

GRID_READ = IssueType(
    "grid_read", "info",
    zh="工作表 {sheet} 是按月份排列的目标表（{layout_zh}），已按每人每指标每月一行读取：{first} 至 {last}，共 {months} 个月{year_zh}。{later_zh}",
    en="Sheet {sheet} is a month grid ({layout_en}), read as one row per person × KPI × month: {first} to {last}, {months} month(s){year_en}.{later_en}",
)
PERIOD_FROM_OUTSIDE = IssueType(
    "period_from_title", "info",
    zh="工作表 {sheet} 没有期间列，期间 {value} 取自{source_zh}。",
    en="Sheet {sheet} has no 期间/Period column; its month {value} was taken from {source_en}.",
)
YEAR_MISSING = IssueType(
    "year_missing", "error",
    zh="{file} 的工作表 {sheet}：{what_zh}，但找不到年份，本表的 {rows} 行未读取。请在表头上方加一个“年度”单元格（如 年度 | 2026），或把年份写进标题（2026年销售目标管理表）或文件名（2026目标管理表.xlsx）。",
    en="{file}, sheet {sheet}: {what_en}, but no year was found, so the sheet's {rows} rows were not read. Add a 年度 cell above the header (年度 | 2026), or put the year in the title (2026年销售目标管理表) or the file name (2026目标管理表.xlsx).",
)
MONTH_MISSING = IssueType(
    "period_missing", "error",
    zh="{file} 的工作表 {sheet} 没有期间列，标题和文件名中也没有月份，本表的 {rows} 行未读取。请加上期间列，或把月份写进标题（2026年8月销售目标）或文件名（2026-08目标管理表.xlsx）。",
    en="{file}, sheet {sheet}: there is no 期间/Period column and neither the title nor the file name names a month, so the sheet's {rows} rows were not read. Add a 期间 column, or put the month in the title (2026年8月销售目标) or the file name (2026-08目标管理表.xlsx).",
)
OUTSIDE_CONFLICT = IssueType(
    "period_conflict", "error",
    zh="{file} 的工作表 {sheet}：{first_zh}与{second_zh}不一致，无法判断是哪个{what_zh}，本表的 {rows} 行未读取。请改正其中一处。",
    en="{file}, sheet {sheet}: {first_en} and {second_en} disagree, so which {what_en} is meant cannot be told; the sheet's {rows} rows were not read. Correct one of them.",
)
GRID_NO_TARGET = IssueType(
    "grid_without_target", "error",
    zh="{file} 的工作表 {sheet} 有月份列，但没有目标值列、每月目标列（1月目标/1月实际）或 目标/实际 标签列，无法判断哪些是目标，本表的 {rows} 行未读取。请加一个目标值列，或按模板填写。",
    en="{file}, sheet {sheet}: it has month columns but no 目标值/Target column, no per-month target columns (1月目标 / 1月实际) and no 目标/实际 label column, so which cells are targets cannot be told; the sheet's {rows} rows were not read. Add a 目标值 column, or use the template.",
)
TOTAL_MISMATCH = IssueType(
    "grid_total_mismatch", "warning",
    zh="{where}：{header} {value} 与各月{what_zh}不符（各月合计 {sum}，平均 {mean}）。该列不参与计分（按月份计算），请核对月份数据或该单元格。",
    en="{where}: {header} {value} does not match the months' {what_en} (their sum is {sum}, their mean {mean}). The column is not used in scoring (the months are); check the months or this cell.",
)
LABEL_UNKNOWN = IssueType(
    "grid_label_unknown", "warning",
    zh="{where}：标签 {value} 不是 目标 或 实际，这一行未读取。请写 目标 或 实际（完成率等计算行会自动忽略）。",
    en="{where}: label {value} is neither 目标/Target nor 实际/Actual; this row was not read. Write 目标 or 实际 (rows such as 完成率 are ignored on their own).",
)
LABEL_UNPAIRED = IssueType(
    "grid_label_unpaired", "warning",
    zh="{where}：{value} 只有{have_zh}行，没有对应的{miss_zh}行；其{miss_zh}按空白（无数据）读取。",
    en="{where}: {value} has a {have_en} row but no matching {miss_en} row; its {miss_en} values are read as blank (no data).",
)


# --- header cells ------------------------------------------------------------------


def _text(value) -> str:
    """A cell as normalised text: NFKC, no spaces or separators, casefolded."""
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return ""
    t = unicodedata.normalize("NFKC", str(value)).casefold()
    t = re.sub(r"[(\[【〔（][^)\]】〕）]*[)\]】〕）]", "", t)  # a unit hint: 1月(万元)
    t = re.sub(r"[\s_·:：()（）\[\]【】]", "", t)
    return re.sub(r"[-—/.]+", "-", t).strip("-")  # 2026/3, 2026.03 and 2026-03 alike


def _strip_role(t: str) -> tuple[str, str]:
    for role, words in _ROLE_WORDS.items():
        for w in words:
            if t.endswith(w) and len(t) > len(w):
                return t[: -len(w)].strip("-"), role
            if t.startswith(w) and len(t) > len(w):
                return t[len(w):].strip("-"), role
    return t, ""


def _month_of_text(t: str) -> tuple[int | None, int] | None:
    """'1月', '一月', '2026-01', '2026年1月', '202601', 'jan', 'january2026' → (year, month)."""
    if m := re.fullmatch(r"(\d{1,2})月份?", t):
        n = int(m[1])
        return (None, n) if 1 <= n <= 12 else None
    if m := re.fullmatch(r"([一二三四五六七八九十]{1,2})月份?", t):
        n = _CN_MONTH.get(m[1])
        return (None, n) if n else None
    if m := re.fullmatch(_YEAR + r"(?:[-年])?(\d{1,2})月?份?", t):
        n = int(m[2])
        if 1 <= n <= 12 and (len(m[2]) == 2 or "年" in t or "-" in t):
            return int(m[1]), n
        return None
    if m := re.fullmatch(r"([a-z]{3,9})-?(\d{2}|\d{4})?", t):
        word, n = m[1], _EN_MONTH.get(m[1][:3])
        full = ("january", "february", "march", "april", "may", "june", "july", "august", "september",
                "october", "november", "december")
        if n and (word == word[:3] or word == "sept" or word == full[n - 1]):
            year = None if not m[2] else (2000 + int(m[2]) if len(m[2]) == 2 else int(m[2]))
            return year, n
    return None


def _words(t: str, words) -> bool:
    return any(t == w for w in words)


@dataclass(frozen=True, slots=True)
class MonthCol:
    j: int  # grid column index
    year: int | None
    month: int
    role: str  # "" (actuals, or a label grid's values), "target" or "actual"
    hint: str  # unit hint in brackets (万元)


@dataclass(frozen=True, slots=True)
class TotalCol:
    j: int
    how: str  # "sum" | "mean"
    role: str


def month_header(value) -> tuple[int | None, int, str] | None:
    """A header cell → (year or None, month, role) when it names a month, else None."""
    if isinstance(value, (dt.date, dt.datetime)):
        return value.year, value.month, ""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        if float(value).is_integer() and 190101 <= value <= 209912 and 1 <= int(value) % 100 <= 12:
            return int(value) // 100, int(value) % 100, ""
        return None
    t = _text(value)
    if not t or any(d in t for d in _DERIVED):
        return None
    rest, role = _strip_role(t)
    got = _month_of_text(rest)
    return None if got is None else (*got, role)


def total_header(value) -> tuple[str, str] | None:
    """合计 / 平均 / 全年 (with an optional 目标/实际) → (how, role)."""
    t = _text(value)
    if not t or any(d in t for d in _DERIVED):
        return None
    rest, role = _strip_role(t)
    for how, words in _TOTALS.items():
        if _words(rest, words):
            return how, role
    return None


def label_of(values: pd.Series) -> pd.Series:
    """A label column's cells → "target" / "actual" / "derived" / "" (blank) / "?" (other)."""
    t = values.map(_text)
    out = pd.Series("?", index=values.index, dtype=object)
    out[t == ""] = ""
    out[t.map(lambda x: any(d in x for d in _DERIVED))] = "derived"
    for role, words in _ROLE_WORDS.items():
        out[t.isin(words)] = role
    return out


def combine(upper: np.ndarray | None, lower: np.ndarray) -> np.ndarray:
    """Two header rows read as one where a month stands over 目标 / 实际 (a merged 1月 over
    two columns, filled into both): those cells become '1月目标'. Nothing else changes."""
    if upper is None or len(upper) != len(lower):
        return lower
    out = lower.copy()
    changed = False
    for j, (u, lo) in enumerate(zip(upper, lower)):
        t = _text(lo)
        if t in _ROLE_WORDS[TARGET] + _ROLE_WORDS[ACTUAL] and (m := month_header(u)) is not None and not m[2]:
            out[j] = f"{u.strftime('%Y-%m') if isinstance(u, (dt.date, dt.datetime)) else _text(u)}{t}"
            changed = True
    if not changed:
        return lower
    # The identity headers stand over both rows (merged, or typed in the upper row only).
    for j, (u, lo) in enumerate(zip(upper, lower)):
        if _text(lo) == "" and _text(u) and month_header(u) is None:
            out[j] = u
    return out


@dataclass(slots=True)
class Shape:
    """A target header that is not the template's: ``grid`` (month columns) or ``no_period``
    (the long layout without 期间)."""

    kind: str
    header: np.ndarray
    months: list[MonthCol] = field(default_factory=list)
    totals: list[TotalCol] = field(default_factory=list)
    two_rows: bool = False  # months in the row above (merged over 目标 / 实际)

    @property
    def used(self) -> set[int]:
        return {m.j for m in self.months} | {t.j for t in self.totals}


def shape_of(header: np.ndarray, keys: set[str], hint_of, two_rows: bool = False) -> Shape | None:
    """``keys``: the target fields the header row holds; ``hint_of(value)`` its unit hint."""
    if not set(ID_FIELDS) <= keys or "period" in keys:
        return None
    months, totals = [], []
    for j, v in enumerate(header):
        if (m := month_header(v)) is not None:
            months.append(MonthCol(j, m[0], m[1], m[2], hint_of(v)))
        elif (t := total_header(v)) is not None:
            totals.append(TotalCol(j, *t))
    if months:
        return Shape("grid", header, months, totals, two_rows)
    if {"target", "actual"} <= keys:
        return Shape("no_period", header)
    return None


# --- year and month outside the table ----------------------------------------------


def when_of_text(text: str) -> tuple[int | None, int | None]:
    """(year, month) named in a title or a file name; either may be None."""
    t = unicodedata.normalize("NFKC", text)
    for pat in (_YEAR + r"\s*年\s*(\d{1,2})\s*月", _YEAR + r"\s*[-/._]\s*(\d{1,2})(?!\d)",
                r"(?<!\d)" + _YEAR + r"(0[1-9]|1[0-2])(?!\d)"):
        if (m := re.search(pat, t)) and 1 <= int(m[2]) <= 12:
            return int(m[1]), int(m[2])
    year = None
    if m := re.search(r"(?<!\d)" + _YEAR + r"(?!\d)", t):
        year = int(m[1])
    month = None
    if m := re.search(r"(?<!\d)(\d{1,2})\s*月", t):
        month = int(m[1]) if 1 <= int(m[1]) <= 12 else None
    elif m := re.search(r"(十[一二]?|[一二三四五六七八九])月", t):
        month = _CN_MONTH[m[1]]
    elif m := re.search(r"(?i)(?<![a-z])(jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*(?![a-z])", t):
        month = _EN_MONTH[m[1].lower()]
    return year, month


@dataclass(frozen=True, slots=True)
class Found:
    """A year and/or month found outside the table, and where (both languages)."""

    year: int | None
    month: int | None
    zh: str
    en: str


_NOT_TITLE = ("制表", "填表", "日期", "打印", "更新", "date", "printed")
_YEAR_CELL = re.compile(r"^(?:考核|统计|目标)?(?:年度|年份)|^(?:fiscal)?year", re.I)


def outside(top: np.ndarray, addr, file: str) -> list[Found]:
    """Years and months above the header (a 年度 cell, title cells) and in the file name,
    in that order of trust."""
    cells: list[Found] = []
    titles: list[Found] = []
    for i in range(top.shape[0]):
        row = top[i]
        for j, v in enumerate(row):
            if not isinstance(v, str) or not v.strip():
                continue
            text = unicodedata.normalize("NFKC", v).strip()
            where = addr(i, j)
            if _YEAR_CELL.match(text.replace(" ", "")):
                rest = _YEAR_CELL.sub("", text.replace(" ", "")).lstrip(":：")
                year, _ = when_of_text(rest) if rest else (None, None)
                if year is None:  # the year in the next filled cell to the right
                    for k in range(j + 1, len(row)):
                        nxt = row[k]
                        if isinstance(nxt, (int, float)) and not isinstance(nxt, bool) and float(nxt).is_integer() \
                                and 1901 <= nxt <= 2999:
                            year, where = int(nxt), addr(i, k)
                            break
                        if isinstance(nxt, str) and nxt.strip():
                            year, _ = when_of_text(nxt)
                            where = addr(i, k)
                            break
                if year is not None:
                    cells.append(Found(year, None, f"年度单元格 {where}", f"the 年度 cell {where}"))
                continue
            if any(w in text.casefold() for w in _NOT_TITLE):
                continue
            year, month = when_of_text(text)
            if year is not None or month is not None:
                short = text if len(text) <= 30 else text[:30] + "…"
                titles.append(Found(year, month, f"标题 {where}（{short}）", f"the title {where} ({short})"))
    out = cells + titles[:1]
    name = Path(file).name
    year, month = when_of_text(Path(name).stem)
    if year is not None or month is not None:
        out.append(Found(year, month, f"文件名 {name}", f"the file name {name}"))
    return out


def settle(found: list[Found], attr: str) -> tuple[Found | None, tuple[Found, Found] | None]:
    """The source of a year or month, or the first two sources that disagree."""
    have = [f for f in found if getattr(f, attr) is not None]
    for f in have[1:]:
        if getattr(f, attr) != getattr(have[0], attr):
            return None, (have[0], f)
    return (have[0] if have else None), None


# --- reshaping a grid ----------------------------------------------------------------


@dataclass(slots=True)
class Reshaped:
    """A grid as long rows: raw cells per field, each row's Excel row, and for the moved
    fields each value's cell (sheet row and column, 0-based; -1 for none)."""

    raw: dict[str, np.ndarray]
    rows: np.ndarray  # 0-based sheet row of each long row
    src: dict[str, tuple[np.ndarray, np.ndarray]]
    scale_cols: dict[str, int]  # field → grid column whose unit hint applies (-1: none)
    issues: list[Issue]
    refused: Issue | None = None


def _num(values: np.ndarray, scale: float) -> np.ndarray:
    return parse_numbers(pd.Series(values.ravel(), dtype=object), scale).values.to_numpy().reshape(values.shape)


def _fmt(x: float) -> str:
    if np.isnan(x):
        return "—"
    return f"{x:,.0f}" if float(x).is_integer() else f"{x:,.4f}".rstrip("0").rstrip(".")


def reshape(body: np.ndarray, body_rows: np.ndarray, cols: np.ndarray, columns: dict[str, int], shape: Shape,
            year: int | None, file: str, sheet: str, header_row: int, scale_of,
            year_note: tuple[str, str] = ("", "")) -> Reshaped:
    """A month grid's data rows (``body``, content rows only) → long rows.

    ``columns``: field → grid column of the fields the header names; ``year`` for month
    headers without one; ``scale_of(j)`` the ×10,000 of column j's unit hint."""
    issues: list[Issue] = []
    n = body.shape[0]
    letter = _letters(cols)

    def addr(i, j) -> str:
        return f"{letter[j]}{int(body_rows[i]) + 1}"

    periods = sorted({f"{m.year or year:04d}-{m.month:02d}" for m in shape.months})
    col_of: dict[str, dict[str, int]] = {p: {} for p in periods}  # period → role → column
    for m in shape.months:
        col_of[f"{m.year or year:04d}-{m.month:02d}"].setdefault(m.role or ACTUAL, m.j)
    paired = any(m.role == TARGET for m in shape.months)

    ids = clean_text(pd.Series(body[:, columns["employee_id"]], dtype=object), True)
    label_j = None
    if not paired and "target" not in columns:
        label_j = _label_column(body, shape, columns)
        if label_j is None:
            return Reshaped({}, body_rows[:0], {}, {}, issues, refused=GRID_NO_TARGET(file=file, sheet=sheet, rows=n))
    layout_zh, layout_en = (("每月目标列", "a target per month") if paired else
                            ("目标/实际 标签行", "目标/实际 label rows") if label_j is not None else
                            ("目标值列 + 各月实际值", "a 目标值 column and monthly actuals"))
    low = ids.str.casefold()
    data = (ids != "").to_numpy() & ~low.isin({"合计", "总计", "小计", "共计", "total", "subtotal", "sum", "总和"}).to_numpy() \
        & ~low.str.startswith(("示例", "example", "例：", "例:")).to_numpy()

    # Which body row gives each record its target and its actual (-1: none).
    if label_j is None:
        rec = np.flatnonzero(data)
        t_row, a_row = rec, rec
    else:
        labels = label_of(pd.Series(body[:, label_j], dtype=object)).to_numpy()
        # The 实际 row under its 目标 row often leaves 工号 … blank (or merged): it is the same record.
        prev_lab = np.concatenate([np.array([""], dtype=object), labels[:-1]])
        follows = (~data) & (ids == "").to_numpy() & np.isin(labels, [TARGET, ACTUAL]) \
            & np.isin(prev_lab, [TARGET, ACTUAL]) & (prev_lab != labels) & np.r_[False, data[:-1]]
        owner = np.where(follows, np.arange(n) - 1, np.arange(n))
        data = data | follows
        unknown = data & ~np.isin(labels, [TARGET, ACTUAL, "derived"])
        for i in np.flatnonzero(unknown):
            issues.append(LABEL_UNKNOWN(file=file, sheet=sheet, cell=addr(i, label_j), value=str(body[i, label_j]).strip()))
        key = pd.DataFrame({"pid": ids.to_numpy()[owner], "kpi": clean_text(
            pd.Series(body[:, columns["kpi"]], dtype=object), True).to_numpy()[owner]})
        parts = {}
        for role in (TARGET, ACTUAL):
            sel = np.flatnonzero(data & (labels == role))
            k = key.iloc[sel].copy()
            k["nth"] = k.groupby(["pid", "kpi"]).cumcount()
            k[role] = sel
            parts[role] = k
        both = parts[TARGET].merge(parts[ACTUAL], on=["pid", "kpi", "nth"], how="outer", sort=False)
        t_row = both[TARGET].fillna(-1).to_numpy(dtype=np.int64)
        a_row = both[ACTUAL].fillna(-1).to_numpy(dtype=np.int64)
        order = np.argsort(np.where(t_row >= 0, t_row, a_row), kind="stable")
        t_row, a_row = t_row[order], a_row[order]
        for ti, ai in zip(t_row.tolist(), a_row.tolist()):
            if ti < 0 or ai < 0:
                i = ti if ti >= 0 else ai
                have, miss = (("目标", "实际", "target", "actual") if ai < 0 else ("实际", "目标", "actual", "target"))
                issues.append(LABEL_UNPAIRED(file=file, sheet=sheet, cell=addr(i, label_j),
                                             value=f"{ids.iloc[owner[i]]} · {body[i, columns['kpi']]}",
                                             have_zh=have, miss_zh=miss, have_en=_kind_en(have), miss_en=_kind_en(miss)))
        owner_of = owner
        rec = np.where(t_row >= 0, owner_of[np.maximum(t_row, 0)], owner_of[np.maximum(a_row, 0)])

    # The months read: up to the last one holding any actual (later ones are not reported yet).
    actual_cols = np.array([col_of[p].get(ACTUAL, -1) for p in periods])
    a_src = a_row if label_j is not None else rec
    has_actual = np.zeros(len(periods), dtype=bool)
    if len(a_src):
        ok_rows = a_src[a_src >= 0]
        for k, j in enumerate(actual_cols):
            if j >= 0 and len(ok_rows):
                has_actual[k] = (~blank_mask(pd.Series(body[ok_rows, j], dtype=object))).any()
    horizon = int(np.flatnonzero(has_actual).max()) + 1 if has_actual.any() else 0
    read = periods[:horizon]
    later = periods[horizon:]

    # Long rows: every record × every month read; rows that are no record (合计, notes, no 工号) once.
    others = np.flatnonzero(~data)
    nrec, nm = len(rec), len(read)
    r_id = np.concatenate([np.repeat(rec, nm), others])
    out_rows = body_rows[r_id]
    raw: dict[str, np.ndarray] = {}
    for f in CARRIED:
        raw[f] = body[r_id, columns[f]] if f in columns else np.full(len(r_id), "", dtype=object)
    per = np.tile(np.arange(nm), nrec)
    blank_tail = np.full(len(others), -1, dtype=np.int64)
    raw["period"] = np.concatenate([np.array(read, dtype=object)[per], np.full(len(others), "", dtype=object)])
    hdr_row = np.full(len(r_id), header_row, dtype=np.int64)
    src: dict[str, tuple[np.ndarray, np.ndarray]] = {}
    month_j = np.array([col_of[p].get(ACTUAL, col_of[p].get(TARGET, -1)) for p in read], dtype=np.int64)
    src["period"] = (hdr_row, np.concatenate([month_j[per], blank_tail]))
    scale_cols = {}
    for role in (TARGET, ACTUAL):
        if label_j is not None:
            rows_of = np.repeat(t_row if role == TARGET else a_row, nm)
            cj = np.array([col_of[p].get(ACTUAL, -1) for p in read], dtype=np.int64)[per]
        elif role == TARGET and not paired:
            rows_of = np.repeat(rec, nm)
            cj = np.full(len(rows_of), columns["target"], dtype=np.int64)
        else:
            rows_of = np.repeat(rec, nm)
            cj = np.array([col_of[p].get(role, -1) for p in read], dtype=np.int64)[per]
        cj = np.where(rows_of >= 0, cj, -1)
        vals = np.full(len(rows_of), "", dtype=object)
        ok = cj >= 0
        vals[ok] = body[rows_of[ok], cj[ok]]
        raw[role] = np.concatenate([vals, np.full(len(others), "", dtype=object)])
        src_r = np.where(ok, body_rows[np.maximum(rows_of, 0)], -1)
        src[role] = (np.concatenate([src_r, blank_tail]), np.concatenate([cj, blank_tail]))
        first = cj[ok][0] if ok.any() else -1
        scale_cols[role] = int(first)
    # Records first, in sheet order; the rows that are none keep their place among them.
    order = np.argsort(out_rows, kind="stable")
    raw = {k: v[order] for k, v in raw.items()}
    src = {k: (r[order], c[order]) for k, (r, c) in src.items()}
    out_rows = out_rows[order]

    issues.extend(_check_totals(body, shape, col_of, periods, rec, t_row, a_row, label_j, paired, columns,
                                addr, file, sheet, scale_of))
    if nm:
        issues.append(GRID_READ(
            file=file, sheet=sheet, layout_zh=layout_zh, layout_en=layout_en, first=read[0], last=read[-1], months=nm,
            year_zh=year_note[0], year_en=year_note[1],
            later_zh=f"{later[0]} 至 {later[-1]} 还没有实际值，未读取。" if later else "",
            later_en=f" {later[0]} to {later[-1]} hold no actual yet and were not read." if later else ""))
    return Reshaped(raw, out_rows, src, scale_cols, issues)


def _kind_en(zh: str) -> str:
    return {"目标": "target", "实际": "actual"}[zh]


def _letters(cols: np.ndarray) -> list[str]:
    from .workbook import col_letter
    return [col_letter(int(c)) for c in cols]


def _label_column(body: np.ndarray, shape: Shape, columns: dict[str, int]) -> int | None:
    """The column whose cells say 目标 / 实际 (its header is free: 项目, 类型, or blank)."""
    taken = set(columns.values()) | shape.used
    best, best_n = None, 0
    for j in range(body.shape[1]):
        if j in taken:
            continue
        lab = label_of(pd.Series(body[:, j], dtype=object))
        roles = lab[lab != ""]
        if roles.empty:
            continue
        t, a = (roles == TARGET).sum(), (roles == ACTUAL).sum()
        if t and a and (t + a) >= 0.5 * len(roles) and t + a > best_n:
            best, best_n = j, t + a
    return best


def _check_totals(body, shape, col_of, periods, rec, t_row, a_row, label_j, paired, columns, addr, file, sheet,
                  scale_of) -> list[Issue]:
    """合计 / 平均 columns against the months they stand for (a warning naming the cell)."""
    out: list[Issue] = []
    if not shape.totals:
        return out
    if label_j is not None:
        groups = [(np.unique(t_row[t_row >= 0]), TARGET), (np.unique(a_row[a_row >= 0]), ACTUAL)]
    else:
        groups = [(rec, "")]
    header = shape.header
    for tc in shape.totals:
        for rows_, row_role in groups:
            if not len(rows_):
                continue
            role = row_role or tc.role or ACTUAL
            # A label grid's totals stand for the row's own label (its months sit under ACTUAL);
            # a paired grid's for the role in their header.
            cols_role = ACTUAL if label_j is not None else (tc.role or ACTUAL)
            js = [col_of[p][cols_role] for p in periods if cols_role in col_of[p]]
            if not js:
                continue
            scale = scale_of(js[0])
            months = _num(body[np.ix_(rows_, js)], scale)
            total = _num(body[rows_, tc.j], scale_of(tc.j) if scale_of(tc.j) != 1 else scale)
            have = ~np.isnan(months)
            cnt = have.sum(axis=1)
            s = np.where(cnt > 0, np.nansum(np.where(have, months, 0), axis=1), np.nan)
            mean = np.where(cnt > 0, s / np.maximum(cnt, 1), np.nan)

            def close(x, y):
                return np.abs(x - y) <= np.maximum(0.005, 1e-6 * np.abs(y))

            ok = close(total, mean) if tc.how == "mean" else (close(total, s) | close(total, mean))
            bad = ~np.isnan(total) & (cnt > 0) & ~ok
            what_zh, what_en = ("目标", "targets") if role == TARGET else ("实际值", "actuals")
            for k in np.flatnonzero(bad):
                i = rows_[k]
                out.append(TOTAL_MISMATCH(file=file, sheet=sheet, cell=addr(i, tc.j), value=body[i, tc.j],
                                          header=str(header[tc.j]).strip(), what_zh=what_zh, what_en=what_en,
                                          sum=_fmt(s[k]), mean=_fmt(mean[k])))
    return out
