"""Sheets longer than Excel allows, written as several: 明细 (1), 明细 (2) …

Excel holds 1,048,576 rows per sheet, header rows included. 明细 and 月度 have one row
per person × KPI (75,000 people × 16 KPIs is 1.2 million), 培训前后 one per trained
person × KPI, 问题 one per issue: any of them can outgrow a sheet. Such a table is
written as several sheets of the same layout (header, filter, frozen panes, formats),
cut between people, never through one person's rows, so that each 汇总 row's SUMIFS and
COUNTIFS read the one part that holds all of that person's rows (docs/decisions.md,
"Result workbook"). The parts are as even as those cuts allow.

:func:`plan` decides it all from the scored results alone, before a byte is written: the
pipeline calls it right after scoring (an info issue per split sheet, shown in 问题 and on
the terminal) and the writer calls it again to lay the sheets out. What cannot be cut —
one person with more rows than a sheet holds, or more people than 汇总 holds — is
refused there with :data:`TOO_MANY_ROWS`.

:data:`EXCEL_ROWS` is read at each call, so a test can set it small and split a small
workbook.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ..data import Outcome, Results
from ..issues import Issue, IssueType, OutputError
from ..vocab import Lang
from . import labels as lb

EXCEL_ROWS = 1_048_576  # rows per worksheet in Excel 2007 and later (and LibreOffice since 7.x)

SHEET_SPLIT = IssueType(
    "sheet_split",
    "info",
    zh="结果的“{table}”有 {rows} 行（含表头），超过 Excel 每个工作表 {limit} 行的上限：已分成 {count} 个工作表"
    "（{names}），表头、筛选和格式相同，同一个人的行都在同一个工作表里{formulas_zh}。",
    en="The result's {table} sheet has {rows} rows (header included), more than the {limit} rows an Excel sheet "
    "holds: it was written as {count} sheets ({names}) with the same header, filter and formats, each person's "
    "rows all on one of them{formulas_en}.",
)
TOO_MANY_ROWS = IssueType(
    "too_many_rows",
    "error",
    zh="结果的“{table}”需要 {rows} 行，超过 Excel 每个工作表 {limit} 行的上限，而且无法拆分：{why_zh}。结果未写出。"
    "请每次只给一部分人评分（例如每个大区的文件放在一个文件夹里分别运行），或用 --period / --from --to "
    "缩短期间（只在其他月份出现的人不再计入）。",
    en="The result's {table} sheet needs {rows} rows, more than the {limit} rows an Excel sheet holds, and cannot "
    "be split: {why_en}. No result was written. Score fewer people per run (for example one folder per region), or "
    "a shorter period with --period or --from/--to (people who only appear in other months drop out).",
)
_WHY = {
    "person": ("工号 {who} 一个人就有 {size} 行，而同一个人的行不能分到两个工作表",
               "employee {who} alone has {size} rows, and one person's rows are never split over two sheets"),
    "people": ("“{sheet}”每人一行，共 {size} 人；总览和排名的公式读取整张汇总表，它不能拆分",
               "{sheet} has one row per person, {size} people; the overview's and the ranks' formulas read it "
               "whole, so it is never split"),
}
_WHY["cut"] = ("写入时又多出 {size} 条“文字被截断”的提示，而工作表已经建好",
               "{size} more 'text cut' warnings arose while writing, after the sheets were laid out")
_FORMULAS = ("；“{summary}”的公式各自读取本人所在的那个工作表", "; each formula on {summary} reads the one holding its person")

# The sheets that may be split, with the rows above their data (header, title).
SPLIT_SHEETS: dict[str, int] = {"scores": 1, "monthly": 1, "training": 1, "before_after": 1, "issues": 1}
SUMMARY_TOP_ROWS = 2  # 汇总: a title row above the header row (detail.SUMMARY_HEADER_ROW + 1)


@dataclass(frozen=True)
class Part:
    """One sheet of a table: its name and its rows ``start:stop`` of the table's frame."""

    name: str
    start: int
    stop: int

    @property
    def rows(self) -> int:
        return self.stop - self.start


@dataclass
class Plan:
    """Each splittable sheet's parts (one part: the sheet as always), and the info issues."""

    parts: dict[str, list[Part]] = field(default_factory=dict)
    issues: list[Issue] = field(default_factory=list)

    def names(self, key: str, lang: Lang) -> list[str]:
        got = self.parts.get(key)
        return [p.name for p in got] if got else [lb.sheet_name(key, lang)]


class TooLong(Exception):
    def __init__(self, index: int, size: int):
        super().__init__(f"group {index} has {size} rows")
        self.index, self.size = index, size


def bounds(sizes, top_rows: int = 1) -> list[tuple[int, int]]:
    """Cut a table whose rows come in groups of ``sizes`` (in row order) into as few parts
    as fit a sheet below ``top_rows`` header rows, never inside a group; as even as the
    group edges allow. ``[(start, stop)]`` over the rows; one part when it fits.

    Raises :class:`TooLong` when one group alone is longer than a sheet holds."""
    cap = EXCEL_ROWS - top_rows
    sizes = np.asarray(sizes, dtype=np.int64)
    n = int(sizes.sum())
    if n <= cap:
        return [(0, n)]
    big = np.flatnonzero(sizes > cap)
    if big.size:
        raise TooLong(int(big[0]), int(sizes[big[0]]))
    cuts = np.unique(np.concatenate([[0], np.cumsum(sizes)]))  # rows where a part may start
    # Greedy, each part as full as it can be: the fewest parts.
    greedy = [0]
    while greedy[-1] < n:
        greedy.append(int(cuts[np.searchsorted(cuts, greedy[-1] + cap, side="right") - 1]))
    k = len(greedy) - 1
    # As many parts, cut at the group edges nearest to even shares, when they all fit.
    even = n * np.arange(1, k) / k
    at = np.clip(np.searchsorted(cuts, even), 1, len(cuts) - 1)
    nearest = np.where(cuts[at] - even < even - cuts[at - 1], cuts[at], cuts[at - 1])
    edges = [0, *(int(x) for x in nearest), n]
    if len(set(edges)) == k + 1 and all(b - a <= cap for a, b in zip(edges, edges[1:])):
        return list(zip(edges, edges[1:]))
    return list(zip(greedy, greedy[1:]))


def _runs(keys: pd.Series) -> np.ndarray:
    """Sizes of the runs of equal keys, in row order (a person's rows are contiguous)."""
    a = keys.to_numpy()
    if len(a) == 0:
        return np.zeros(0, dtype=np.int64)
    starts = np.flatnonzero(np.concatenate([[True], a[1:] != a[:-1]]))
    return np.diff(np.concatenate([starts, [len(a)]]))


def score_groups(results: Results) -> tuple[np.ndarray, list[str]]:
    """Rows of 明细 per person, in 汇总's order (detail.ordered_scores), and the people's 工号;
    rows of no listed person (none in practice) come last as one group."""
    from .detail import summary_order

    ids = summary_order(results.people)["employee_id"]
    counts = results.scores["employee_id"].value_counts(sort=False)
    sizes = counts.reindex(ids.to_numpy(), fill_value=0).to_numpy(dtype=np.int64)
    rest = len(results.scores) - int(sizes.sum())
    if rest:
        return np.append(sizes, rest), [*ids, ""]
    return sizes, list(ids)


def _names(key: str, lang: Lang, k: int) -> list[str]:
    base = lb.sheet_name(key, lang)
    return [base] if k == 1 else [f"{base} ({i})" for i in range(1, k + 1)]


def _refuse(key: str, lang: Lang, rows: int, why: str, **params) -> OutputError:
    """The sheet named as the workbook names it; the reason in both languages."""
    sheet = lb.sheet_name(key, lang)
    zh, en = (text.format(sheet=sheet, **params) for text in _WHY[why])
    return OutputError(TOO_MANY_ROWS(table=sheet, rows=f"{rows:,}", limit=f"{EXCEL_ROWS:,}", why_zh=zh, why_en=en))


def plan(outcome: Outcome, lang: Lang = "zh") -> Plan:
    """How many sheets each long table takes, and why (an info issue per split table).

    Raises OutputError (:data:`TOO_MANY_ROWS`) when a table cannot be cut to fit."""
    results = outcome.results
    out = Plan()
    n_people = len(results.people)
    if n_people + SUMMARY_TOP_ROWS > EXCEL_ROWS:
        raise _refuse("summary", lang, n_people + SUMMARY_TOP_ROWS, "people", size=f"{n_people:,}")

    sizes, ids = score_groups(results)
    groups: dict[str, tuple[np.ndarray, list[str] | None]] = {
        "scores": (sizes, ids),
        "monthly": (sizes, ids),  # the same rows as 明细
        "training": (np.ones(len(results.training_people), dtype=np.int64), None),
        "before_after": (_runs(results.before_after["employee_id"]), None),
    }
    for key, (sizes, who) in groups.items():
        out.parts[key] = _parts(key, lang, sizes, who, results)

    # 问题: one row per issue, the info issues about the split sheets among them.
    issues = [_split_issue(key, parts, lang, int(groups[key][0].sum()))
              for key, parts in out.parts.items() if len(parts) > 1]
    known = outcome.report.issues
    n_issues = len(known) + (sum(i not in known for i in issues) if issues else 0)
    top = SPLIT_SHEETS["issues"]
    if n_issues + top > EXCEL_ROWS and not _has_split_issue(known, lb.sheet_name("issues", lang)):
        n_issues += 1  # the line about 问题 itself
    edges = bounds(np.ones(max(n_issues, 1), dtype=np.int64), top)  # an empty 问题 has one row: "no problems"
    out.parts["issues"] = [Part(name, a, b) for name, (a, b) in zip(_names("issues", lang, len(edges)), edges)]
    if len(edges) > 1:
        issues.append(_split_issue("issues", out.parts["issues"], lang, n_issues))
    out.issues = issues
    return out


def spread(planned: list[Part], n: int, key: str, lang: Lang) -> list[Part]:
    """The planned sheets of a table that grew while writing (问题: the warnings about texts
    cut to fit a cell, known only once the other sheets are written), as even as before.
    Its sheets exist already, in their place: when the rows no longer fit them, refused."""
    if n == planned[-1].stop:
        return planned
    top = SPLIT_SHEETS[key]
    edges = bounds(np.ones(n, dtype=np.int64), top)
    if len(edges) > len(planned):
        raise _refuse(key, lang, n + top, "cut", size=f"{n - planned[-1].stop:,}")
    if len(edges) < len(planned):  # as many sheets as planned, none empty
        edges = [(n * i // len(planned), n * (i + 1) // len(planned)) for i in range(len(planned))]
    return [Part(p.name, a, b) for p, (a, b) in zip(planned, edges)]


def _has_split_issue(issues: list[Issue], table: str) -> bool:
    return any(i.code == SHEET_SPLIT.code and dict(i.params).get("table") == table for i in issues)


def _parts(key: str, lang: Lang, sizes: np.ndarray, who: list[str] | None, results: Results) -> list[Part]:
    top = SPLIT_SHEETS[key]
    try:
        edges = bounds(sizes, top)
    except TooLong as exc:
        person = who[exc.index] if who else str(results.before_after["employee_id"].iloc[
            int(np.sum(sizes[:exc.index]))])
        raise _refuse(key, lang, int(sizes.sum()) + top, "person", who=person, size=f"{exc.size:,}") from None
    return [Part(name, a, b) for name, (a, b) in zip(_names(key, lang, len(edges)), edges)]


def _split_issue(key: str, parts: list[Part], lang: Lang, plan_rows: int) -> Issue:
    sep = lb.text("list_sep", lang)
    names = sep.join(p.name for p in parts) if len(parts) <= 4 else f"{parts[0].name} … {parts[-1].name}"
    formulas = ("", "")
    if key == "scores":
        summary = lb.sheet_name("summary", lang)
        formulas = tuple(text.format(summary=summary) for text in _FORMULAS)
    return SHEET_SPLIT(table=lb.sheet_name(key, lang), rows=f"{plan_rows + SPLIT_SHEETS[key]:,}",
                       limit=f"{EXCEL_ROWS:,}", count=len(parts), names=names,
                       formulas_zh=formulas[0], formulas_en=formulas[1])
