"""A small department scored by the real core, as the result-writer tests' Outcome.

The scheme is scoring.md's 销售代表 (weights 40/20/15/10/10/5, 销售额 with a 60% floor)
plus a 销售经理 whose KPIs come from other sources (团队:销售额, 培训) and a 新人 role
whose tier table does not exist. Two months. The people cover every method and both
directions, the edges of the attainment table (T = 0, negative actual, negative target),
a tie, an incomplete person, one without any data, an unscorable KPI and
hostile text (``=HYPERLINK(...)``, ``+cmd``, ``@x``) in every text field a reader
passes on. :func:`inputs` builds the InputData, :func:`build` scores it; tests that edit
an actual score an edited copy of the same input.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pandas as pd

from kpi_engine import core
from kpi_engine import data as d
from kpi_engine.data import InputData, InputFile, Outcome
from kpi_engine.issues import IssueType, Report, SheetCount
from kpi_engine.models import Settings

NAN = np.nan
REP, MANAGER, NEWBIE = "销售代表", "销售经理", "新人"
HOSTILE_NAME = '=HYPERLINK("http://x","y")'
HOSTILE_ID = "+cmd"
HOSTILE_TEAM = "@x"
SCOPE = ("2026-02", "2026-03")

_SCHEME_DEFAULTS = {
    "category": "", "direction": "higher", "method": "ratio", "cap": NAN, "floor": NAN,
    "tier_table": "", "points_per_unit": NAN, "step": NAN, "aggregation": "",
    "source": "own", "source_kpi": "", "is_percent": False,
}
SCHEME = [
    dict(role=REP, kpi="销售额", category="销售业绩", weight=40, floor=0.6),
    dict(role=REP, kpi="新客户数", category="销售业绩", weight=20, method="tiers", tier_table="标准"),
    dict(role=REP, kpi="费用率", category="销售业绩", weight=15, direction="lower", is_percent=True),
    dict(role=REP, kpi="客户投诉", category="专业技能", weight=10, direction="lower", method="deduction",
         points_per_unit=2),
    dict(role=REP, kpi="核心客户保有率", category="专业技能", weight=10, method="deduction", points_per_unit=2,
         step=0.01, is_percent=True),
    dict(role=REP, kpi="团队协作", category="团队协作", weight=5, method="rating"),
    dict(role=MANAGER, kpi="团队销售额", category="销售业绩", weight=50, source="team", source_kpi="销售额"),
    dict(role=MANAGER, kpi="培训参与率", category="个人发展", weight=20, source="training", is_percent=True),
    dict(role=MANAGER, kpi="团队协作", category="团队协作", weight=30, method="rating"),
    dict(role=NEWBIE, kpi="新客户数", category="销售业绩", weight=100, method="tiers", tier_table="缺失的表"),
]
TIERS = [("标准", 1.2, 1.2), ("标准", 1.0, 1.0), ("标准", 0.9, 0.8), ("标准", 0.8, 0.6), ("标准", 0.0, 0.0)]

# Per 销售代表: (销售额 T, A), (新客户数), (费用率), (客户投诉), (核心客户保有率) for Feb and Mar.
REPS = {
    "E001": ("张伟", "华东", [[(250000, 270000), (5, 4), (0.05, 0.06), (0, 1), (0.95, 0.925)],
                              [(250000, 290000), (5, 5), (0.05, 0.06), (0, 2), (0.95, 0.925)]]),
    "E002": ("王芳", "华东", [[(250000, 350000), (5, 6), (0.05, 0.04), (0, 0), (0.95, 0.95)],
                              [(250000, 350000), (5, 6), (0.05, 0.04), (0, 0), (0.95, 0.95)]]),
    "E006": ("赵敏", "华东", [[(250000, 270000), (5, 4), (0.05, 0.06), (0, 1), (0.95, 0.925)],
                              [(250000, 290000), (5, 5), (0.05, 0.06), (0, 2), (0.95, 0.925)]]),
    "E003": ("李娜", "华南", [[(250000, 140000), (5, 4), (0.05, NAN), (0, 1), (0.95, 0.9)],
                              [(250000, 140000), (5, 4), (0.05, NAN), (0, 0), (0.95, 0.905)]]),
    "E004": ("刘洋", "华南", [[(NAN, NAN)] * 5, [(NAN, NAN)] * 5]),
    # Edges of the attainment table: T = 0 both ways, a negative actual, a negative target.
    "E007": ("吴边界", "华南", [[(0, 5), (10, -1), (0, 0.01), (-1, 2), (0.95, 1.0)],
                                [(0, 0), (10, 12), (0, 0.0), (-1, 0), (0.95, 0.97)]]),
    HOSTILE_ID: (HOSTILE_NAME, HOSTILE_TEAM, [[(100, 100), (5, 5), (0.05, 0.05), (0, 0), (0.95, 0.95)],
                                               [(100, 104), (5, 5), (0.05, 0.05), (0, 0), (0.95, 0.95)]]),
}
REP_KPIS = ["销售额", "新客户数", "费用率", "客户投诉", "核心客户保有率"]
# (employee_id, period, rater_type, rating)
RATINGS = [
    ("E001", "2026-02", "manager", 0.8), ("E001", "2026-02", "peer", 1.0), ("E001", "2026-02", "peer", 0.6),
    ("E001", "2026-02", "self", 1.0), ("E001", "2026-03", "manager", 0.8),
    ("E002", "2026-03", "manager", 1.0), ("E006", "2026-02", "manager", 0.8), ("E006", "2026-02", "peer", 1.0),
    ("E006", "2026-02", "peer", 0.6), ("E006", "2026-02", "self", 1.0), ("E006", "2026-03", "manager", 0.8),
    ("E003", "2026-03", "manager", 0.6), (HOSTILE_ID, "2026-03", "manager", 0.8),
    ("M01", "2026-02", "manager", 0.8), ("M01", "2026-03", "subordinate", 1.0), ("M01", "2026-03", "manager", 1.0),
]
# (employee_id, course_id, course, period, planned, attended, pre, post, satisfaction)
SESSIONS = [
    ("E001", "C01", "产品知识", "2026-03", 4.0, 4.0, 60.0, 78.0, 4.5),
    ("E001", "C02", HOSTILE_NAME, "2026-03", 4.0, 2.0, 70.0, 80.0, 4.0),
    ("E003", "C01", "产品知识", "2026-02", 4.0, 4.0, 50.0, 70.0, 3.5),
    ("M01", "C01", "产品知识", "2026-02", 4.0, 4.0, 80.0, 90.0, 5.0),
    ("M01", "C03", "团队管理", "2026-03", 8.0, 6.0, NAN, NAN, NAN),
]


def _target(emp, name, team, role, period, kpi, t, a, row, note="") -> dict:
    return {"employee_id": emp, "name": name, "team": team, "role": role, "period": period, "kpi": kpi,
            "target": t, "actual": a, "note": note, "file": "targets.xlsx", "sheet": "目标管理", "row": row,
            "target_cell": f"G{row}", "actual_cell": f"H{row}"}


def inputs(settings: Settings | None = None) -> InputData:
    targets = []
    row = 2
    for emp, (name, team, months) in REPS.items():
        for period, values in zip(SCOPE, months):
            for kpi, (t, a) in zip(REP_KPIS, values):
                note = "客户流失" if (emp == "E003" and kpi == "核心客户保有率" and period == "2026-03") else ""
                targets.append(_target(emp, name, team, REP, period, kpi, t, a, row, note))
                row += 1
    for period in SCOPE:
        for kpi in ("团队销售额", "培训参与率"):
            targets.append(_target("M01", "孙经理", "华东", MANAGER, period, kpi, NAN, NAN, row))
            row += 1
        targets.append(_target("N01", "新人甲", "华南", NEWBIE, period, "新客户数", 5, 6, row))
        row += 1
    ratings = [{"employee_id": e, "period": p, "kpi": "团队协作", "rater_type": rt, "rater": "", "rating": v,
                "file": "form.xlsx", "sheet": "评分", "row": i + 2} for i, (e, p, rt, v) in enumerate(RATINGS)]
    training = [{"course_id": c, "course": cn, "category": "", "date": pd.Timestamp(p + "-15"), "period": p,
                 "planned_hours": pl, "employee_id": e, "name": "", "attended_hours": at, "pre": pre,
                 "post": post, "satisfaction": sat, "mandatory": True, "file": "training.xlsx",
                 "sheet": "培训记录", "row": i + 2}
                for i, (e, c, cn, p, pl, at, pre, post, sat) in enumerate(SESSIONS)]
    scheme = [{**_SCHEME_DEFAULTS, **r, "order": i} for i, r in enumerate(SCHEME)]
    return InputData(
        scheme=d.frame(d.SCHEME_COLUMNS, pd.DataFrame(scheme)),
        tiers=d.frame(d.TIER_COLUMNS, pd.DataFrame(TIERS, columns=["table", "from_r", "fraction"])),
        targets=d.frame(d.TARGET_COLUMNS, pd.DataFrame(targets)),
        ratings=d.frame(d.RATING_COLUMNS, pd.DataFrame(ratings)),
        training=d.frame(d.TRAINING_COLUMNS, pd.DataFrame(training)),
        settings=settings or Settings(),
    )


def with_actuals(data: InputData, emp: str, kpi: str, actuals: dict[str, float]) -> InputData:
    """A copy of ``data`` with the actuals of one person's KPI changed, month by month."""
    targets = data.targets.copy()
    for period, actual in actuals.items():
        sel = (targets["employee_id"] == emp) & (targets["kpi"] == kpi) & (targets["period"] == period)
        assert sel.sum() == 1
        targets.loc[sel, "actual"] = actual
    return replace(data, targets=targets)


FIXTURE_ISSUE = IssueType("fixture_bad_number", "error",
                          zh="{where} 的值 {value} 不是数字。", en="{value} at {where} is not a number.")
FIXTURE_WARNING = IssueType("fixture_no_id", "warning",
                            zh="{where} 没有工号，已跳过。", en="{where} has no employee ID; skipped.")


def outcome_of(data: InputData, scope=None) -> Outcome:
    kept: dict = {}
    results = core.score(data, scope, keep=kept)  # as pipeline.score: with every month, quarter and year
    results = replace(results, periods=core.periods(data, results.scope, results, kept))
    report = Report()
    report.extend(results.issues)
    report.add(FIXTURE_WARNING(file="targets.xlsx", sheet="目标管理", cell="A90"))
    report.add(FIXTURE_ISSUE(file="targets.xlsx", sheet="目标管理", cell="H17", field="actual", value=HOSTILE_ID))
    report.add(FIXTURE_ISSUE(file="targets.xlsx", sheet="目标管理", cell="H5", field="actual", value="=1+1"))
    n = len(data.targets)
    report.counts.append(SheetCount("targets.xlsx", "目标管理", "targets", read=n + 4, used=n, rejected=2,
                                    duplicates=1, skipped=1))
    report.counts.append(SheetCount("form.xlsx", "考核方案", "scheme", read=len(data.scheme), used=len(data.scheme)))
    files = [
        InputFile("/in/targets.xlsx", "targets.xlsx", "a" * 64, "read", ("目标管理 (targets)",)),
        InputFile("/in/form.xlsx", "form.xlsx", "b" * 64, "read", ("考核方案 (scheme)", "分段计分 (tiers)")),
        InputFile("/in/~$targets.xlsx", "~$targets.xlsx", "c" * 64, "skipped"),
    ]
    return Outcome(results=results, report=report, files=files, version="0.1.0-test")


def build(settings: Settings | None = None) -> Outcome:
    return outcome_of(inputs(settings))
