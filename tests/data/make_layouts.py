"""One department's targets in the layouts HR already keeps (issue 12), and in the long template.

    python -m tests.data.make_layouts OUT_DIR [LAYOUT ...]

Each layout is a drop folder: the assessment form plus the department's targets in that
layout. ``long`` holds the same rows in the template's layout: every layout must score
exactly like it (tests/test_read_layouts.py). docs/layouts.md shows a picture of each.
"""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

from tests import builders
from tests.data.make_fixtures import write_xlsx

YEAR = 2026
REPORTED = 8  # months with actuals: 1月–8月; 9月–12月 are still blank
ROLE_S, ROLE_M = "销售代表", "客户经理"
PEOPLE = [  # id, name, team, role
    ("E001", "张伟", "销售一部", ROLE_S),
    ("E002", "王芳", "销售一部", ROLE_S),
    ("E003", "李娜", "销售一部", ROLE_S),
    ("E004", "刘洋", "销售二部", ROLE_S),
    ("M001", "陈静", "销售一部", ROLE_M),
    ("M002", "杨磊", "销售二部", ROLE_M),
]
KPIS = {  # role → (kpi, unit)
    ROLE_S: [("销售额", "元"), ("新客户数", "个"), ("客户投诉", "次")],
    ROLE_M: [("回款率", "%"), ("费用率", "%")],
}
SCHEME_EXTRA = [
    [ROLE_M, "回款率", "销售业绩", 60, "越高越好", "完成率", None, None, None, None, None, "平均", "本人", "%"],
    [ROLE_M, "费用率", "销售业绩", 40, "越低越好", "完成率", None, None, None, None, None, "平均", "本人", "%"],
]
RATING_WORDS = ["好", "较好", "中", "较好"]


def target(pid: str, kpi: str, month: int, per_month: bool) -> float:
    """The month's target; constant over the year unless ``per_month`` (a seasonal plan)."""
    k = int(pid[1:])
    base = {"销售额": 100000 + 20000 * k, "新客户数": 8 + k, "客户投诉": 0, "回款率": 0.95, "费用率": 0.05}[kpi]
    if per_month and kpi == "销售额":
        return base + 10000 * (month % 3)
    if per_month and kpi == "新客户数":
        return base + month % 2
    return base


def actual(pid: str, kpi: str, month: int) -> float | None:
    if month > REPORTED:
        return None
    k = int(pid[1:])
    wobble = ((k * 7 + month * 13) % 9) - 4  # −4 … 4
    return {
        "销售额": 100000 + 20000 * k + 6000 * wobble,
        "新客户数": 8 + k + wobble // 2,
        "客户投诉": abs(wobble) // 2,
        "回款率": round(0.95 + 0.01 * wobble, 2),
        "费用率": round(0.05 + 0.005 * wobble, 3),
    }[kpi]


def records(per_month: bool):
    """(person, kpi, unit, [(month, target, actual) for 1…12])."""
    for person in PEOPLE:
        for kpi, unit in KPIS[person[3]]:
            yield person, kpi, unit, [(m, target(person[0], kpi, m, per_month), actual(person[0], kpi, m))
                                      for m in range(1, 13)]


def assessment_form(path: Path, ratings: bool = True) -> Path:
    ratings, with_ratings = [builders.RATINGS_HEADER], ratings
    for m in range(1, REPORTED + 1 if with_ratings else 1):
        for i, (pid, _n, _t, role) in enumerate(PEOPLE):
            if role == ROLE_S:
                ratings.append([pid, f"{YEAR}-{m:02d}", "团队协作", "上级", "经理", RATING_WORDS[(i + m) % 4]])
    return write_xlsx(path, {"考核方案": [*builders.SCHEME, *SCHEME_EXTRA], "分段计分": builders.TIERS,
                             "评分": ratings, "设置": builders.SETTINGS})


def long_rows(per_month: bool) -> list[list]:
    rows = [builders.TARGETS_HEADER]
    for (pid, name, team, role), kpi, unit, months in records(per_month):
        for m, t, a in months[:REPORTED]:
            rows.append([pid, name, team, role, f"{YEAR}-{m:02d}", kpi, t, a, unit, None])
    return rows


def _sum(values, unit):
    got = [v for v in values if v is not None]
    if not got:
        return None
    total = sum(got) / len(got) if unit == "%" else sum(got)  # HR's 合计 of a % KPI is its average
    return round(total, 6)


ID_HEADER = ["工号", "姓名", "部门", "岗位", "指标", "单位"]
MONTHS_ZH = [f"{m}月" for m in range(1, 13)]


def classic(folder: Path) -> Path:
    """目标值 column + 1月 … 12月 actuals + 合计; the year in the title."""
    rows = [[f"{YEAR}年销售部目标管理表"], [], [*ID_HEADER, "目标值", *MONTHS_ZH, "合计"]]
    for (pid, name, team, role), kpi, unit, months in records(False):
        acts = [a for _m, _t, a in months]
        rows.append([pid, name, team, role, kpi, unit, months[0][1], *acts, _sum(acts, unit)])
    return write_xlsx(folder / "目标管理表.xlsx", {"目标管理": rows})


def iso_months(folder: Path) -> Path:
    """Month headers typed as 2026-01 (Excel makes them date cells), no title; 全年 column."""
    header = [*ID_HEADER, "目标值", *[dt.datetime(YEAR, m, 1) for m in range(1, 13)], "全年"]
    rows = [header]
    for (pid, name, team, role), kpi, unit, months in records(False):
        acts = [a for _m, _t, a in months]
        rows.append([pid, name, team, role, kpi, unit, months[0][1], *acts, _sum(acts, unit)])
    formats = {"Sheet1": {f"{chr(ord('H') + i)}1": "yyyy-mm" for i in range(12)}}
    return write_xlsx(folder / "业绩跟踪.xlsx", {"Sheet1": rows}, formats=formats)


def label_rows(folder: Path) -> Path:
    """Two rows per person × KPI, 项目 = 目标 / 实际, the identity merged over both; 年度 cell."""
    rows = [["年度", YEAR], [*ID_HEADER, "项目", *MONTHS_ZH, "合计"]]
    merges = []
    for (pid, name, team, role), kpi, unit, months in records(True):
        r = len(rows) + 1
        tgts = [t for _m, t, _a in months]
        acts = [a for _m, _t, a in months]
        rows.append([pid, name, team, role, kpi, unit, "目标", *tgts, _sum(tgts, unit)])
        rows.append([None] * 6 + ["实际", *acts, _sum(acts, unit)])
        merges += [f"{c}{r}:{c}{r + 1}" for c in "ABCDEF"]
    return write_xlsx(folder / "目标管理表.xlsx", {"目标管理": rows}, merges={"目标管理": merges})


def paired_two_rows(folder: Path) -> Path:
    """1月 merged over 目标 | 实际 (a two-row header); the year in the file name."""
    upper = [*ID_HEADER]
    lower = [None] * 6
    merges = [f"{c}1:{c}2" for c in "ABCDEF"]
    for m in range(1, 13):
        upper += [f"{m}月", None]
        lower += ["目标", "实际"]
        c1 = 6 + 2 * (m - 1)
        merges.append(f"{_col(c1)}1:{_col(c1 + 1)}1")
    rows = [upper, lower]
    for (pid, name, team, role), kpi, unit, months in records(True):
        cells = []
        for _m, t, a in months:
            cells += [t, a]
        rows.append([pid, name, team, role, kpi, unit, *cells])
    return write_xlsx(folder / f"{YEAR}年目标管理表.xlsx", {"目标管理": rows}, merges={"目标管理": merges})


def paired_english(folder: Path) -> Path:
    """English headers, 'Jan Target' / 'Jan Actual' in one header row; the year in the title."""
    names = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
    header = ["Employee ID", "Name", "Team", "Role", "KPI", "Unit"]
    for n in names:
        header += [f"{n} Target", f"{n} Actual"]
    rows = [[f"FY{YEAR} sales targets"], header]
    for (pid, name, team, role), kpi, unit, months in records(True):
        cells = []
        for _m, t, a in months:
            cells += [t, a]
        rows.append([pid, name, team, role, kpi, unit, *cells])
    return write_xlsx(folder / "targets.xlsx", {"Targets": rows})


def month_outside(folder: Path) -> Path:
    """The long layout without 期间, one file a month: the month in the title or the file name."""
    header = [h for h in builders.TARGETS_HEADER if h != "期间"]
    by_month: dict[int, list[list]] = {m: [] for m in range(1, REPORTED + 1)}
    for (pid, name, team, role), kpi, unit, months in records(True):
        for m, t, a in months[:REPORTED]:
            by_month[m].append([pid, name, team, role, kpi, t, a, unit, None])
    for m, rows in by_month.items():
        if m <= 6:  # 1月.xlsx … 6月.xlsx, the year in the title
            write_xlsx(folder / f"{m}月.xlsx", {"目标管理": [[f"{YEAR}年销售目标"], header, *rows]})
        else:  # 2026-07目标管理表.xlsx with the title 2026年7月销售目标
            write_xlsx(folder / f"{YEAR}-{m:02d}目标管理表.xlsx",
                       {"目标管理": [[f"{YEAR}年{m}月销售目标"], header, *rows]})
    return folder


def _col(i: int) -> str:
    from kpi_engine.read.workbook import col_letter
    return col_letter(i)


LAYOUTS = {
    "long": None,
    "classic": classic,
    "iso_months": iso_months,
    "label_rows": label_rows,
    "paired_two_rows": paired_two_rows,
    "paired_english": paired_english,
    "month_outside": month_outside,
}
PER_MONTH = {"label_rows", "paired_two_rows", "paired_english", "month_outside"}


def folder_for(out: Path, layout: str, long_per_month: bool | None = None) -> Path:
    """A drop folder: the form and the department in ``layout`` (``long``: the template's
    layout, with per-month targets when ``long_per_month``)."""
    folder = out / layout
    folder.mkdir(parents=True, exist_ok=True)
    assessment_form(folder / "assessment_form.xlsx")
    if layout == "long":
        write_xlsx(folder / "target_sheet.xlsx", {"目标管理": long_rows(bool(long_per_month))})
    else:
        LAYOUTS[layout](folder)
    return folder


def main(argv: list[str]) -> None:
    out = Path(argv[0])
    for name in argv[1:] or [n for n in LAYOUTS if n != "long"]:
        print(folder_for(out, name))


if __name__ == "__main__":
    main(sys.argv[1:])
