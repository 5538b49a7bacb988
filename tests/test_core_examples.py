"""scoring.md's worked examples 1–13, threshold edges and rounding, one table row each."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from kpi_engine import core
from kpi_engine.models import Settings

from .test_core_support import SALES_REP, inputs, one, rating, scheme, session, target, tiers

# A scheme with one KPI of weight 100, for edge cases that only need one KPI.
SOLO = [dict(kpi="销售额", weight=100)]
ZERO = Settings(missing_data="zero")
RATED = [rating(rater_type="manager", value=0.8, row=2), rating(rater_type="peer", value=1.0, row=3),
         rating(rater_type="peer", value=0.6, row=4), rating(rater_type="self", value=1.0, row=5)]


def _sales_rep_floor(floor):
    return scheme([{**SALES_REP[0], "floor": floor}, *SALES_REP[1:]])


# (case, inputs, kpi, expected attainment, expected score, expected status)
KPI_CASES = [
    ("ex1 ratio", inputs([target(t=500_000, a=560_000)]), "销售额", 1.12, 44.8, "met"),
    ("ex2 ratio capped", inputs([target(t=500_000, a=700_000)]), "销售额", 1.4, 48.0, "met"),
    ("ex3 below floor", inputs([target(t=500_000, a=280_000)], scheme_rows=_sales_rep_floor(0.6)),
     "销售额", 0.56, 0.0, "below"),
    ("ex4 lower ratio two_minus", inputs([target(kpi="费用率", t=0.05, a=0.06)]), "费用率", 0.8, 12.0, "below"),
    ("ex5 lower deduction T=0", inputs([target(kpi="客户投诉", t=0, a=3)]), "客户投诉", 0.0, 4.0, "below"),
    ("ex6 higher deduction % step", inputs([target(kpi="核心客户保有率", t=0.95, a=0.925)]),
     "核心客户保有率", 0.925 / 0.95, 5.0, "near"),
    ("ex7 tiers", inputs([target(kpi="新客户数", t=10, a=9)]), "新客户数", 0.9, 16.0, "below"),
    ("ex8 rating with self", inputs([target()], ratings=RATED), "团队协作", 0.84, 4.2, "met"),
    ("ex8 rating without self", inputs([target()], ratings=RATED[:3]), "团队协作", 0.8, 4.0, "met"),
    ("ex9 sum over months", inputs([target(period="2026-01", t=100, a=90), target(period="2026-02", t=100, a=130)]),
     "销售额", 1.1, 44.0, "met"),
    ("ex9 mean of a % KPI",
     inputs([target(kpi="回款率", period="2026-01", t=0.9, a=0.85), target(kpi="回款率", period="2026-02", t=0.9, a=0.95)],
            scheme_rows=scheme([dict(kpi="回款率", weight=100, is_percent=True)])),
     "回款率", 1.0, 100.0, "met"),
    # Threshold edges: r is compared on 6 decimals.
    ("exactly 95% is near", inputs([target(t=100, a=95)], scheme_rows=scheme(SOLO)), "销售额", 0.95, 95.0, "near"),
    ("exactly 100% is met", inputs([target(t=100, a=100)], scheme_rows=scheme(SOLO)), "销售额", 1.0, 100.0, "met"),
    ("0.9499999999 is near", inputs([target(t=1, a=0.9499999999)], scheme_rows=scheme(SOLO)),
     "销售额", 0.9499999999, 94.99999999, "near"),
    ("1.045/1.1 float below 95% is near", inputs([target(t=1.1, a=1.045)], scheme_rows=scheme(SOLO)),
     "销售额", 0.95, 95.0, "near"),
    ("0.9499994 is below", inputs([target(t=1, a=0.9499994)], scheme_rows=scheme(SOLO)),
     "销售额", 0.9499994, 94.99994, "below"),
    ("tier edge exactly 90%", inputs([target(kpi="新客户数", t=10, a=9)]), "新客户数", 0.9, 16.0, "below"),
    ("tier edge 0.99/1.1 lands at 0.8999999999999999", inputs([target(kpi="新客户数", t=1.1, a=0.99)]),
     "新客户数", 0.9, 16.0, "below"),
    ("tier just below 90%", inputs([target(kpi="新客户数", t=1, a=0.8999994)]), "新客户数", 0.8999994, 12.0, "below"),
    ("floor edge exactly 60% scores", inputs([target(t=100, a=60)], scheme_rows=_sales_rep_floor(0.6)),
     "销售额", 0.6, 24.0, "below"),
    ("floor edge 4.02/6.7 lands at 0.5999999999999999", inputs([target(t=6.7, a=4.02)], scheme_rows=_sales_rep_floor(0.6)),
     "销售额", 0.6, 24.0, "below"),
    ("cap edge", inputs([target(t=0.17, a=0.204)]), "销售额", 1.2, 48.0, "met"),
    # The rest of the attainment table.
    ("higher T=0, A≥0", inputs([target(t=0, a=0)]), "销售额", 1.0, 40.0, "met"),
    ("higher T=0, A<0", inputs([target(t=0, a=-5)]), "销售额", 0.0, 0.0, "below"),
    ("higher T>0, A<0 clips at 0", inputs([target(t=10, a=-5)]), "销售额", 0.0, 0.0, "below"),
    ("lower T=0, A>0", inputs([target(kpi="费用率", t=0, a=0.01)]), "费用率", 0.0, 0.0, "below"),
    ("lower T=0, A=0", inputs([target(kpi="费用率", t=0, a=0)]), "费用率", 1.0, 15.0, "met"),
    ("lower two_minus clips at 0", inputs([target(kpi="费用率", t=0.05, a=0.2)]), "费用率", 0.0, 0.0, "below"),
    ("lower inverse", inputs([target(kpi="费用率", t=0.05, a=0.055)], settings=Settings(lower_formula="inverse")),
     "费用率", 0.05 / 0.055, 15 * 0.05 / 0.055, "below"),
    ("lower inverse is shown uncapped, scored capped",
     inputs([target(kpi="费用率", t=0.05, a=0.04)], settings=Settings(lower_formula="inverse")),
     "费用率", 0.05 / 0.04, 18.0, "met"),
    ("lower inverse tiers read r uncapped",
     inputs([target(kpi="费用率", t=2, a=1)], settings=Settings(lower_formula="inverse", default_cap=1.0),
            scheme_rows=scheme([dict(kpi="费用率", weight=10, direction="lower", method="tiers", tier_table="标准")])),
     "费用率", 2.0, 12.0, "met"),
    ("lower inverse A=0 takes the cap", inputs([target(kpi="费用率", t=0.05, a=0)], settings=Settings(lower_formula="inverse")),
     "费用率", 1.2, 18.0, "met"),
    # A = 0 is the best attainment the method allows: a 分段 table's top step (1.2) above
    # the cap (1.0), so a zero scores what a tiny actual scores (12), never less (issue 10).
    ("lower inverse A=0 on a 分段 table takes its top step",
     inputs([target(kpi="费用率", t=2, a=0)], settings=Settings(lower_formula="inverse", default_cap=1.0),
            scheme_rows=scheme([dict(kpi="费用率", weight=10, direction="lower", method="tiers", tier_table="标准")])),
     "费用率", 1.2, 12.0, "met"),
    ("deduction never below 0", inputs([target(kpi="客户投诉", t=0, a=30)]), "客户投诉", 0.0, 0.0, "below"),
    ("deduction met", inputs([target(kpi="客户投诉", t=2, a=1)]), "客户投诉", 1.5, 10.0, "met"),
    ("default cap from settings", inputs([target(t=100, a=200)], settings=Settings(default_cap=1.5)),
     "销售额", 2.0, 60.0, "met"),
    ("scheme cap wins", inputs([target(t=100, a=200)], scheme_rows=scheme([{**SALES_REP[0], "cap": 1.0}])),
     "销售额", 2.0, 40.0, "met"),
    ("mean aggregation", inputs([target(period="2026-01", t=100, a=90), target(period="2026-02", t=300, a=330)],
                                scheme_rows=scheme([{**SALES_REP[0], "aggregation": "mean"}])),
     "销售额", 210 / 200, 42.0, "met"),
    ("last aggregation", inputs([target(period="2026-02", t=100, a=90), target(period="2026-01", t=300, a=330)],
                                scheme_rows=scheme([{**SALES_REP[0], "aggregation": "last"}])),
     "销售额", 0.9, 36.0, "below"),
    ("a month with the actual missing is left out", inputs([target(period="2026-01", t=100, a=90), target(period="2026-02", t=100)]),
     "销售额", 0.9, 36.0, "below"),
    ("rating thresholds: 60% is near", inputs([target()], ratings=[rating(value=0.6)]), "团队协作", 0.6, 3.0, "near"),
    ("rating below 60%", inputs([target()], ratings=[rating(value=0.4)]), "团队协作", 0.4, 2.0, "below"),
    ("rating: mean over months", inputs([target(), target(period="2026-02")], ratings=[rating(value=1.0), rating(period="2026-02", value=0.6)]),
     "团队协作", 0.8, 4.0, "met"),
    ("rating outside the scope does not count", inputs([target()], ratings=[rating(value=1.0), rating(period="2026-02", value=0.2)]),
     "团队协作", 1.0, 5.0, "met"),
]


# Scoring curves (docs/decisions.md, "Scoring curves"), one worked example per rule.
# A 线性 table through HR's A/B/C/D points: 0% → 0%, 80% → 60%, 100% → 100%, 120% → 120%.
LINEAR_POINTS = [(1.2, 1.2), (1.0, 1.0), (0.8, 0.6), (0.0, 0.0)]
LINEAR_TIERS = [*tiers(), *({**t, "curve": "linear"} for t in tiers("线性", LINEAR_POINTS))]


def _linear(a, t=10):
    return inputs([target(kpi="新客户数", t=t, a=a)], tier_rows=LINEAR_TIERS,
                  scheme_rows=scheme([dict(kpi="新客户数", weight=20, method="tiers", tier_table="线性")]))


def _accelerated(a, **kpi):
    """销售额 (W 40, T 500,000, cap 120%) with an accelerator: above 100%, ×1.5 unless given."""
    return inputs([target(t=500_000, a=a)],
                  scheme_rows=scheme([{**SALES_REP[0], "accel_from": 1.0, "accel_by": 1.5, **kpi}]))


CURVE_CASES = [
    ("linear: exactly on a point", _linear(8), "新客户数", 0.8, 12.0, "below"),
    ("linear: between points, 60% + 5 × 2", _linear(8.5), "新客户数", 0.85, 14.0, "below"),
    ("linear: between 0% and the first point", _linear(4), "新客户数", 0.4, 6.0, "below"),
    ("linear: between 100% and 120%", _linear(11), "新客户数", 1.1, 22.0, "met"),
    ("linear: on the top point", _linear(12), "新客户数", 1.2, 24.0, "met"),
    ("linear: above the top point is flat", _linear(15), "新客户数", 1.5, 24.0, "met"),
    ("linear: r rounded to 6 decimals first (0.99/1.1)", _linear(0.99, t=1.1), "新客户数", 0.9, 16.0, "below"),
    ("linear: steps on the same points give the lower step", inputs(
        [target(kpi="新客户数", t=10, a=8.5)], tier_rows=[*tiers(), *tiers("线性", LINEAR_POINTS)],
        scheme_rows=scheme([dict(kpi="新客户数", weight=20, method="tiers", tier_table="线性")])),
     "新客户数", 0.85, 12.0, "below"),
    ("accelerator: below the start, as ratio", _accelerated(450_000), "销售额", 0.9, 36.0, "below"),
    ("accelerator: at the start", _accelerated(500_000), "销售额", 1.0, 40.0, "met"),
    ("accelerator: above the start, 100% + 8 × 1.5", _accelerated(540_000), "销售额", 1.08, 44.8, "met"),
    ("accelerator: reaches the cap", _accelerated(600_000), "销售额", 1.2, 48.0, "met"),
    ("accelerator: the floor reads r itself", _accelerated(280_000, floor=0.6), "销售额", 0.56, 0.0, "below"),
    ("accelerator: a multiplier alone starts at 100%", _accelerated(525_000, accel_from=np.nan, accel_by=2.0),
     "销售额", 1.05, 44.0, "met"),
    ("accelerator: from 80%, ×2, cap 150%", _accelerated(450_000, accel_from=0.8, accel_by=2.0, cap=1.5),
     "销售额", 0.9, 40.0, "below"),
    ("accelerator: ignored on a tiers KPI", inputs([target(kpi="新客户数", t=10, a=11)], scheme_rows=scheme(
        [dict(kpi="新客户数", weight=20, method="tiers", tier_table="标准", accel_from=1.0, accel_by=3.0)])),
     "新客户数", 1.1, 20.0, "met"),
]
KPI_CASES += CURVE_CASES

@pytest.mark.parametrize(("case", "data", "kpi", "r", "s", "status"), KPI_CASES, ids=[c[0] for c in KPI_CASES])
def test_kpi(case, data, kpi, r, s, status):
    row = one(core.score(data), "E1", kpi)
    assert row["attainment"] == pytest.approx(r, abs=1e-9)
    assert row["score"] == pytest.approx(s, abs=1e-9)
    assert core.round_half_up(row["score"]) == round(s, 2)
    assert row["status"] == status
    assert row["has_data"]


def _example10(settings=None):
    rows = [target(kpi="销售额", t=500_000, a=560_000, row=2), target(kpi="新客户数", t=10, a=9, row=3),
            target(kpi="费用率", t=0.05, a=0.06, row=4), target(kpi="客户投诉", t=0, a=3, row=5)]
    return inputs(rows, ratings=RATED, settings=settings)


# (case, inputs, expected total, rounded, grade, incomplete, missing KPIs)
PERSON_CASES = [
    ("ex10 renormalize", _example10(), 90.0, 90.0, "excellent", True, ("核心客户保有率",)),
    ("ex10 zero", _example10(ZERO), 81.0, 81.0, "good", True, ("核心客户保有率",)),
    ("no data at all", inputs([target()]), math.nan, math.nan, "", True,
     ("销售额", "新客户数", "费用率", "客户投诉", "核心客户保有率", "团队协作")),
    ("no data at all, zero", inputs([target()], settings=ZERO), math.nan, math.nan, "", True,
     ("销售额", "新客户数", "费用率", "客户投诉", "核心客户保有率", "团队协作")),
    ("ex11 89.995 shows 90.00", inputs([target(t=1, a=0.89995)], scheme_rows=scheme(SOLO)), 89.995, 90.0, "excellent", False, ()),
    ("ex11 89.994 shows 89.99", inputs([target(t=1, a=0.89994)], scheme_rows=scheme(SOLO)), 89.994, 89.99, "good", False, ()),
    ("ex11 59.995 shows 60.00", inputs([target(t=1, a=0.59995)], scheme_rows=scheme(SOLO)), 59.995, 60.0, "pass", False, ()),
    ("below the pass line", inputs([target(t=1, a=0.5)], scheme_rows=scheme(SOLO)), 50.0, 50.0, "improve", False, ()),
]


@pytest.mark.parametrize(("case", "data", "total", "rounded", "grade", "incomplete", "missing"),
                         PERSON_CASES, ids=[c[0] for c in PERSON_CASES])
def test_person(case, data, total, rounded, grade, incomplete, missing):
    person = one(core.score(data))
    if math.isnan(total):
        assert math.isnan(person["total"]) and math.isnan(person["total_rounded"])
        assert pd.isna(person["team_rank"]) and pd.isna(person["overall_rank"])
    else:
        assert person["total"] == pytest.approx(total, abs=1e-9)
        assert person["total_rounded"] == rounded
    assert person["grade"] == grade
    assert person["incomplete"] is incomplete or person["incomplete"] == incomplete
    assert person["missing_kpis"] == missing


# scoring.md example 11, on the value's shortest decimal form; half-up away from zero.
ROUNDING = [(89.995, 90.0), (89.994, 89.99), (59.995, 60.0), (0.285, 0.29), (1.005, 1.01), (2.675, 2.68),
            (44.8, 44.8), (0.0, 0.0), (-1.005, -1.01), (100.0, 100.0), (89.99499999999, 89.99),
            (89.99500000000001, 90.0), (1e20, 1e20)]


@pytest.mark.parametrize(("value", "expected"), ROUNDING)
def test_round_half_up(value, expected):
    assert core.round_half_up(value) == expected
    assert core.round_half_up(np.array([value]))[0] == expected
    assert core.round_half_up(pd.Series([value], index=[7])).loc[7] == expected


def test_round_half_up_passes_nan_and_other_digits():
    assert math.isnan(core.round_half_up(math.nan))
    assert core.round_half_up(0.125, 2) == 0.13
    assert core.round_half_up(0.0005, 3) == 0.001
    assert core.round_half_up(12.5, 0) == 13.0


def test_ex12_ranks_ties_share():
    people = [("E1", 0.912, "华东"), ("E2", 0.88, "华东"), ("E3", 0.88, "华南"), ("E4", 0.755, "华南")]
    data = inputs([target(emp, t=1, a=a, team=team) for emp, a, team in people], scheme_rows=scheme(SOLO))
    got = core.score(data).people.set_index("employee_id")
    assert got["total_rounded"].tolist() == [91.2, 88.0, 88.0, 75.5]
    assert got["overall_rank"].tolist() == [1, 2, 2, 4]
    assert got["team_rank"].tolist() == [1, 2, 1, 2]


def test_ranks_skip_people_without_total():
    data = inputs([target("E1", t=1, a=0.9), target("E2"), target("E3", t=1, a=0.9)], scheme_rows=scheme(SOLO))
    got = core.score(data).people.set_index("employee_id")
    assert got["overall_rank"].astype(object).where(got["overall_rank"].notna(), None).tolist() == [1, None, 1]


def test_ex13_training():
    data = inputs([target()], training=[session(planned=8, attended=6, pre=60, post=78, satisfaction=4)])
    got = core.score(data).training_people.iloc[0].to_dict()
    assert got["participation"] == pytest.approx(0.75)
    assert got["improvement"] == pytest.approx(18.0)
    assert got["gain"] == pytest.approx(0.45)
    assert (got["planned_hours"], got["attended_hours"], got["sessions_attended"], got["sessions_planned"]) == (8, 6, 1, 1)
    assert got["first_session"] == "2026-01" and got["satisfaction"] == 4.0
