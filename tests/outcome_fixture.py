"""A small hand-built Outcome for the result-writer tests.

The KPI rows are the worked examples of scoring.md (销售代表, weights 40/20/15/10/10/5);
their attainment, score and status are computed here by a few lines that follow the
spec's tables, independently of ``kpi_engine.core``, and the people's totals, grades and
ranks from those. It holds every method, both directions, a tie, an incomplete person,
a person without any data, and hostile text (``=HYPERLINK(...)``, ``+cmd``, ``@x``).
"""

from __future__ import annotations

import math
from decimal import ROUND_HALF_UP, Decimal

import numpy as np
import pandas as pd

from kpi_engine import data
from kpi_engine.data import (
    BEFORE_AFTER_COLUMNS, MONTHLY_COLUMNS, PEOPLE_COLUMNS, SCORE_COLUMNS, TEAM_COLUMNS,
    TEAM_SUMMARY_COLUMNS, TIER_COLUMNS, TRAINING_COURSE_COLUMNS, TRAINING_PEOPLE_COLUMNS,
    InputFile, Outcome, Results, frame,
)
from kpi_engine.issues import IssueType, Report, SheetCount
from kpi_engine.models import Settings

NAN = math.nan
TIERS = [("标准", 1.2, 1.2), ("标准", 1.0, 1.0), ("标准", 0.9, 0.8), ("标准", 0.8, 0.6), ("标准", 0.0, 0.0)]

# kpi, category, weight, direction, method, is_percent, floor, ppu, step, aggregation
SCHEME = [
    ("销售额", "销售业绩", 40.0, "higher", "ratio", False, 0.6, NAN, 1.0, "sum"),
    ("新客户数", "销售业绩", 20.0, "higher", "tiers", False, 0.0, NAN, 1.0, "sum"),
    ("费用率", "销售业绩", 15.0, "lower", "ratio", True, 0.0, NAN, 0.01, "mean"),
    ("客户投诉", "专业技能", 10.0, "lower", "deduction", False, 0.0, 2.0, 1.0, "sum"),
    ("核心客户保有率", "专业技能", 10.0, "higher", "deduction", True, 0.0, 2.0, 0.01, "mean"),
    ("团队协作", "团队协作", 5.0, "higher", "rating", False, 0.0, NAN, 1.0, "mean"),
]
HOSTILE_NAME = '=HYPERLINK("http://x","y")'
# id, name, team, then per KPI (T, A) — for 团队协作 the combined rating.
PEOPLE = [
    ("E001", "张伟", "华东", [(500000, 560000), (10, 9), (0.05, 0.06), (0, 3), (0.95, 0.925), 0.84]),
    ("E002", "王芳", "华东", [(500000, 700000), (10, 12), (0.05, 0.04), (0, 0), (0.95, 0.95), 1.0]),
    ("E006", "赵敏", "华东", [(500000, 560000), (10, 9), (0.05, 0.06), (0, 3), (0.95, 0.925), 0.84]),
    ("E003", "李娜", "华南", [(500000, 280000), (10, 8), (0.05, NAN), (0, 1), (0.95, 0.9025), 0.6]),
    ("E004", "刘洋", "华南", [(NAN, NAN), (10, NAN), (NAN, NAN), (NAN, NAN), (NAN, NAN), NAN]),
    ("+cmd", HOSTILE_NAME, "@x", [(100, 100), (10, 10), (0.05, 0.05), (0, 0), (0.95, 0.95), 0.8]),
]


def round_half_up(x: float) -> float:
    """scoring.md: half-up to 2 decimals on the value's shortest decimal form."""
    return float(Decimal(repr(x)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))


def _r(direction, t, a, settings: Settings, cap):
    if math.isnan(t) or math.isnan(a) or t < 0:
        return NAN
    if direction == "higher":
        return (1.0 if a >= 0 else 0.0) if t == 0 else max(0.0, a / t)
    if t == 0:
        return 1.0 if a <= 0 else 0.0
    if settings.lower_formula == "inverse":
        return cap if a == 0 else max(0.0, t / a)
    return max(0.0, 2 - a / t)


def _score(method, direction, w, t, a, r, floor, cap, ppu, step, settings):
    if math.isnan(r):
        return 0.0 if settings.missing_data == "zero" else NAN
    rr = round(r, 6)
    if method == "ratio":
        return 0.0 if rr < floor else w * min(r, cap)
    if method == "tiers":
        fractions = [f for lo, f in sorted((lo, f) for _, lo, f in TIERS) if lo <= rr]
        return w * (fractions[-1] if fractions else 0.0)
    if method == "deduction":
        short = max(0.0, a - t) if direction == "lower" else max(0.0, t - a)
        return max(0.0, w - ppu * short / step)
    return w * r


def _status(method, r, s: Settings):
    if math.isnan(r):
        return "nodata"
    rr = round(r, 6)
    met, near = (s.rating_met_from, s.rating_near_from) if method == "rating" else (1.0, s.near_from)
    return "met" if rr >= met else "near" if rr >= near else "below"


def _grade(total, s: Settings):
    if math.isnan(total):
        return ""
    if total >= s.excellent_from:
        return "excellent"
    if total >= s.good_from:
        return "good"
    return "pass" if total >= s.pass_from else "improve"


def scores_frame(settings: Settings, people=PEOPLE) -> pd.DataFrame:
    rows = []
    for emp, name, team, values in people:
        for order, ((kpi, cat, w, d, m, pct, floor, ppu, step, agg), v) in enumerate(zip(SCHEME, values)):
            cap = settings.default_cap
            if m == "rating":
                t = a = NAN
                r = float(v)
            else:
                t, a = (float(x) for x in v)
                r = _r(d, t, a, settings, cap)
            s = _score(m, d, w, t, a, r, floor, cap, ppu, step, settings)
            rows.append(dict(
                employee_id=emp, name=name, team=team, role="销售代表", category=cat, kpi=kpi,
                direction=d, method=m, weight=w, target=t, actual=a, attainment=r, score=s,
                status=_status(m, r, settings), has_data=not math.isnan(r), is_percent=pct,
                cap=cap, floor=floor, tier_table="标准" if m == "tiers" else "", points_per_unit=ppu,
                step=step, aggregation=agg, source="own", source_kpi="",
                left_out=("2026-02",) if (emp == "E003" and kpi == "费用率") else (),
                note="客户流失" if (emp == "E003" and kpi == "核心客户保有率") else "", order=order,
            ))
    return frame(SCORE_COLUMNS, pd.DataFrame(rows))


def people_frame(scores: pd.DataFrame, settings: Settings) -> pd.DataFrame:
    rows = []
    for emp, g in scores.groupby("employee_id", sort=False):
        with_data = g[g["attainment"].notna()]
        if with_data.empty:
            total = NAN
        elif settings.missing_data == "zero":
            total = float(g["score"].sum())
        else:
            total = float(with_data["score"].sum()) * 100 / float(with_data["weight"].sum())
        missing = tuple(g.loc[g["attainment"].isna(), "kpi"])
        left = tuple((k, p) for k, lo in zip(g["kpi"], g["left_out"]) for p in lo)
        counts = g["status"].value_counts()
        rows.append(dict(
            employee_id=emp, name=g["name"].iat[0], team=g["team"].iat[0], role=g["role"].iat[0],
            total=total, total_rounded=NAN if math.isnan(total) else round_half_up(total),
            grade="", met=counts.get("met", 0), near=counts.get("near", 0), below=counts.get("below", 0),
            nodata=counts.get("nodata", 0), incomplete=bool(missing or left),
            missing_kpis=missing, left_out=left, changes=("部门: 华北 → 华东",) if emp == "E006" else (),
        ))
    people = pd.DataFrame(rows)
    people["grade"] = [_grade(t, settings) for t in people["total_rounded"]]
    people["team_rank"] = people.groupby("team")["total_rounded"].rank(method="min", ascending=False)
    people["overall_rank"] = people["total_rounded"].rank(method="min", ascending=False)
    return frame(PEOPLE_COLUMNS, people)


def monthly_frame(scores: pd.DataFrame) -> pd.DataFrame:
    """2026-03 is the scope's value; 2026-02 has its own numbers for a few rows."""
    march = scores[["employee_id", "kpi", "target", "actual", "attainment", "status"]].assign(period="2026-03")
    feb = march[march["kpi"].isin(["销售额", "新客户数"])].copy()
    feb["period"] = "2026-02"
    feb["attainment"] = feb["attainment"] * 0.97
    feb["status"] = np.where(feb["attainment"].isna(), "nodata",
                             np.where(feb["attainment"].round(6) >= 1, "met",
                                      np.where(feb["attainment"].round(6) >= 0.95, "near", "below")))
    return frame(MONTHLY_COLUMNS, pd.concat([feb, march], ignore_index=True))


def teams_frame(scores: pd.DataFrame) -> pd.DataFrame:
    rows = []
    for (team, kpi), g in scores[scores["method"] != "rating"].groupby(["team", "kpi"], sort=False):
        ok = g[g["target"].notna() & g["actual"].notna()]
        t, a = float(ok["target"].sum()), float(ok["actual"].sum())
        first = g.iloc[0]
        r = _r(first["direction"], t, a, Settings(), 1.2) if len(ok) and t > 0 else NAN
        rows.append(dict(team=team, kpi=kpi, aggregation=first["aggregation"], is_percent=first["is_percent"],
                         direction=first["direction"], method=first["method"], target=t if len(ok) else NAN,
                         actual=a if len(ok) else NAN, attainment=r, status=_status(first["method"], r, Settings())))
    return frame(TEAM_COLUMNS, pd.DataFrame(rows))


def team_summary_frame(people: pd.DataFrame) -> pd.DataFrame:
    rows = []
    for team, g in people.groupby("team", sort=False):
        grades = g["grade"].value_counts()
        scored = int(g["total"].notna().sum())
        rows.append(dict(team=team, people=len(g), scored=scored, mean_total=g["total"].mean(),
                         excellent=grades.get("excellent", 0), good=grades.get("good", 0),
                         **{"pass": grades.get("pass", 0)}, improve=grades.get("improve", 0),
                         excellent_share=grades.get("excellent", 0) / scored if scored else NAN))
    return frame(TEAM_SUMMARY_COLUMNS, pd.DataFrame(rows))


FIXTURE_ISSUE = IssueType("fixture_bad_number", "error",
                          zh="{where} 的值 {value} 不是数字。", en="{value} at {where} is not a number.")
FIXTURE_WARNING = IssueType("fixture_no_id", "warning", zh="{where} 没有工号，已跳过。", en="{where} has no employee ID; skipped.")


def build(settings: Settings | None = None) -> Outcome:
    settings = settings or Settings()
    scores = scores_frame(settings)
    people = people_frame(scores, settings)
    results = Results(
        scope=("2026-02", "2026-03"),
        settings=settings,
        people=people,
        scores=scores,
        monthly=monthly_frame(scores),
        teams=teams_frame(scores),
        team_summary=team_summary_frame(people),
        training_people=frame(TRAINING_PEOPLE_COLUMNS, {
            "employee_id": ["E001", "E003"], "name": ["张伟", "李娜"], "team": ["华东", "华南"],
            "planned_hours": [8.0, 4.0], "attended_hours": [6.0, 4.0], "participation": [0.75, 1.0],
            "sessions_attended": [2, 1], "sessions_planned": [2, 1], "mandatory_missed": [0, 0],
            "pre": [60.0, 70.0], "post": [78.0, 85.0], "improvement": [18.0, 15.0], "gain": [0.45, 0.5],
            "satisfaction": [4.5, 4.0], "first_session": ["2026-02", "2026-03"]}),
        training_courses=frame(TRAINING_COURSE_COLUMNS, {
            "course_id": ["C01", "C02"], "course": ["产品知识", HOSTILE_NAME], "category": ["产品知识", "销售技巧"],
            "trainees": [2, 1], "attendance": [0.8, 1.0], "pre": [65.0, 60.0], "post": [80.0, 78.0],
            "improvement": [15.0, 18.0], "satisfaction": [4.2, 4.5]}),
        before_after=frame(BEFORE_AFTER_COLUMNS, {
            "employee_id": ["E001"], "name": ["张伟"], "kpi": ["销售额"], "first_session": ["2026-02"],
            "before": [1.02], "after": [1.12], "change": [0.1]}),
        tiers=frame(TIER_COLUMNS, pd.DataFrame(TIERS, columns=["table", "from_r", "fraction"])),
    )
    report = Report()
    report.add(FIXTURE_WARNING(file="targets.xlsx", sheet="目标管理", cell="A9"))
    report.add(FIXTURE_ISSUE(file="targets.xlsx", sheet="目标管理", cell="H17", field="actual", value="+cmd"))
    report.add(FIXTURE_ISSUE(file="targets.xlsx", sheet="目标管理", cell="H5", field="actual", value="=1+1"))
    report.counts.append(SheetCount("targets.xlsx", "目标管理", "targets", read=40, used=36, rejected=2, duplicates=1, skipped=1))
    report.counts.append(SheetCount("form.xlsx", "考核方案", "scheme", read=6, used=6))
    files = [
        InputFile("/in/targets.xlsx", "targets.xlsx", "a" * 64, "read", ("目标管理 (targets)",)),
        InputFile("/in/form.xlsx", "form.xlsx", "b" * 64, "read", ("考核方案 (scheme)", "分段计分 (tiers)")),
        InputFile("/in/~$targets.xlsx", "~$targets.xlsx", "c" * 64, "skipped"),
    ]
    return Outcome(results=results, report=report, files=files, version="0.1.0-test")


__all__ = ["build", "HOSTILE_NAME", "round_half_up", "data"]
