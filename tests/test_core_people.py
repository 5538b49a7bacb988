"""Scope, identity, notes, monthly grid, the issues the core finds, team summary, for_team."""

from __future__ import annotations

import math

import numpy as np
import pytest

from kpi_engine import core
from kpi_engine.models import Settings

from .test_core_support import inputs, one, rating, scheme, session, target, tiers

SOLO = scheme([dict(kpi="销售额", weight=100)])
PERIODS = ["2026-03", "2026-01", "2026-02", "2026-01", "2025-12"]

SCOPES = [
    ("every month present, sorted", {}, ("2025-12", "2026-01", "2026-02", "2026-03")),
    ("one month", {"period": "2026-02"}, ("2026-02",)),
    ("one month not present", {"period": "2026-07"}, ("2026-07",)),
    ("a range", {"start": "2026-01", "end": "2026-02"}, ("2026-01", "2026-02")),
    ("a range from", {"start": "2026-02"}, ("2026-02", "2026-03")),
    ("a range to", {"end": "2025-12"}, ("2025-12",)),
    ("an empty range", {"start": "2027-01", "end": "2027-03"}, ()),
]


@pytest.mark.parametrize(("case", "kwargs", "expected"), SCOPES, ids=[c[0] for c in SCOPES])
def test_resolve_scope(case, kwargs, expected):
    assert core.resolve_scope(PERIODS, **kwargs) == expected


def test_resolve_scope_refuses_period_with_range():
    with pytest.raises(ValueError):
        core.resolve_scope(PERIODS, period="2026-01", start="2026-01")


def test_scope_applies_to_targets_ratings_and_training():
    rows = [target(period="2026-01", t=100, a=100), target(period="2026-02", t=100, a=50)]
    res = core.score(inputs(rows, scheme_rows=SOLO, training=[session(period="2026-02")]), ["2026-01"])
    assert res.scope == ("2026-01",)
    assert one(res)["total"] == 100.0
    assert res.training_people.empty and set(res.monthly["period"]) == {"2026-01"}


def test_latest_month_gives_team_and_role_and_a_change_is_a_warning():
    rows = [target(period="2026-01", team="华东", t=1, a=1), target(period="2026-02", team="华南", t=1, a=1),
            target(period="2026-03", team="华南", t=1, a=1)]
    res = core.score(inputs(rows, scheme_rows=SOLO))
    person = one(res)
    assert (person["team"], person["changes"]) == ("华南", ("team: 华东 → 华南",))
    assert [(i.code, i.level, i.field) for i in res.issues] == [("core_person_changed", "warning", "team")]
    assert "华东 → 华南" in res.issues[0].message("zh") and "部门" in res.issues[0].message("zh")
    assert "Team" in res.issues[0].message("en")


def test_one_id_under_two_names_in_a_month_is_a_warning_naming_both():
    rows = [target(kpi="销售额", name="张三", t=1, a=1, row=2), target(kpi="销售额", name="张三丰", t=1, a=1, row=3,
                                                                   period="2026-01")]
    rows[1]["kpi"] = "新客户数"
    res = core.score(inputs(rows, scheme_rows=scheme([dict(kpi="销售额", weight=50), dict(kpi="新客户数", weight=50)])))
    assert one(res)["name"] == "张三丰"  # by value, never by row order: the same whatever the order
    conflict = [i for i in res.issues if i.code == "core_person_conflict"]
    assert [(i.level, i.field, i.value, i.cell) for i in conflict] == [("warning", "name", "张三、张三丰", "2:2")]
    assert "张三、张三丰" in conflict[0].message("zh") and "按 张三丰 计入" in conflict[0].message("zh")


def test_one_name_under_two_ids_in_a_team_is_a_warning_namesakes_elsewhere_are_not():
    rows = [target(emp="E1", name="王五", t=1, a=1), target(emp="E2", name="王五", t=1, a=1, row=3),
            target(emp="E3", name="王五", team="华南", t=1, a=1, row=4)]
    res = core.score(inputs(rows, scheme_rows=SOLO))
    found = [(i.code, i.value, i.cell, dict(i.params)["team"]) for i in res.issues]
    assert found == [("core_same_name_two_ids", "E1、E2", "3:3", "华东")]
    assert "王五" in res.issues[0].message("en") and "E1、E2" in res.issues[0].message("en")


def test_no_change_no_warning():
    res = core.score(inputs([target(period=p, t=1, a=1) for p in ("2026-01", "2026-02")], scheme_rows=SOLO))
    assert one(res)["changes"] == () and res.issues == []


def test_negative_target_is_an_error_on_its_cell_and_the_kpi_has_no_data():
    rows = [target(period="2026-01", t=-100, a=50, row=7), target(period="2026-02", t=100, a=100, row=8)]
    res = core.score(inputs(rows, scheme_rows=SOLO))
    assert [(i.file, i.sheet, i.cell, i.code, i.level, i.value) for i in res.issues] == [
        ("targets.xlsx", "目标管理", "G7", "core_negative_target", "error", "-100")]
    row = one(res, "E1", "销售额")
    assert not row["has_data"] and row["status"] == "nodata"
    assert math.isnan(one(res)["total"])


def test_left_out_months_and_notes():
    rows = [target(period="2026-01", t=100, a=90, note="补录"), target(period="2026-02", t=100, note="补录"),
            target(period="2026-03", a=5, note="调整")]
    res = core.score(inputs(rows, scheme_rows=SOLO))
    row = one(res, "E1", "销售额")
    assert row["left_out"] == ("2026-02", "2026-03") and row["note"] == "补录; 调整"
    assert row["attainment"] == pytest.approx(0.9)
    person = one(res)
    assert person["left_out"] == (("销售额", "2026-02"), ("销售额", "2026-03"))
    assert person["incomplete"] and person["missing_kpis"] == ()


def test_monthly_grid():
    rows = [target(period="2026-01", t=100, a=90), target(period="2026-02", t=100)]
    data = inputs(rows, scheme_rows=scheme([dict(kpi="销售额", weight=90), dict(kpi="团队协作", weight=10, method="rating")]),
                  ratings=[rating(period="2026-02", value=0.6)])
    monthly = core.score(data).monthly
    got = [(r.kpi, r.period, None if math.isnan(r.attainment) else round(r.attainment, 6), r.status)
           for r in monthly.itertuples()]
    assert got == [("销售额", "2026-01", 0.9, "below"), ("销售额", "2026-02", None, "nodata"),
                   ("团队协作", "2026-02", 0.6, "near")]


def test_rater_type_of_weight_zero_does_not_count_and_is_reported():
    ratings = [rating(rater_type="manager", value=0.8, row=2), rating(rater_type="customer", value=0.2, row=3),
               rating(rater_type="customer", value=0.2, row=4)]
    data = inputs([target()], scheme_rows=scheme([dict(kpi="团队协作", weight=100, method="rating")]), ratings=ratings)
    res = core.score(data)
    assert one(res)["total"] == pytest.approx(80.0)
    assert [(i.code, i.level, i.value) for i in res.issues] == [("core_rating_weight_zero", "info", "customer")]
    assert "客户" in res.issues[0].message("zh") and "3, 4" in res.issues[0].message("en")


def test_settings_rater_weights_renormalise():
    ratings = [rating(rater_type="manager", value=1.0), rating(rater_type="customer", value=0.5)]
    data = inputs([target()], scheme_rows=scheme([dict(kpi="团队协作", weight=100, method="rating")]),
                  ratings=ratings, settings=Settings(weight_customer=0.2))
    assert one(core.score(data))["total"] == pytest.approx(100 * (0.6 * 1.0 + 0.2 * 0.5) / 0.8)


def test_ratings_of_nobody_scored_are_reported():
    data = inputs([target()], scheme_rows=scheme([dict(kpi="团队协作", weight=100, method="rating")]),
                  ratings=[rating(emp="E9", row=5), rating(emp="E9", row=6)])
    res = core.score(data)
    assert [(i.code, i.value) for i in res.issues] == [("core_rating_unused", "E9")]
    assert math.isnan(one(res)["total"])


def test_unknown_tier_table_is_an_error_and_the_kpi_has_no_data():
    rows = scheme([dict(kpi="销售额", weight=50), dict(kpi="新客户数", weight=50, method="tiers", tier_table="高级")])
    res = core.score(inputs([target(t=1, a=1), target(kpi="新客户数", t=1, a=1)], scheme_rows=rows, tier_rows=tiers()))
    assert [(i.code, i.level, i.value) for i in res.issues] == [("core_unknown_tier_table", "error", "高级")]
    assert not one(res, "E1", "新客户数")["has_data"] and one(res)["total"] == 100.0


def test_a_person_whose_role_has_no_kpi_is_listed_without_total():
    res = core.score(inputs([target("E1", t=1, a=1), target("E2", role="实习生", t=1, a=1)], scheme_rows=SOLO))
    person = one(res, "E2")
    assert math.isnan(person["total"]) and person["grade"] == "" and person["incomplete"]
    assert [(i.code, i.value) for i in res.issues] == [("core_role_without_kpis", "实习生")]


def _company(settings=None):
    people = [("E1", "华东", 0.95), ("E2", "华东", 0.92), ("E3", "华东", 0.7), ("E4", "华南", 0.85), ("E5", "华南", np.nan)]
    rows = [target(e, t=1, a=a, team=team) for e, team, a in people]
    return inputs(rows, scheme_rows=SOLO, settings=settings,
                  training=[session("E1", "C1"), session("E4", "C1", attended=2), session("E4", "C2")])


def test_team_summary():
    res = core.score(_company())
    got = res.team_summary.set_index("team")
    assert got.loc["华东", ["people", "scored", "excellent", "good", "pass", "improve"]].tolist() == [3, 3, 2, 0, 1, 0]
    assert got.loc["华东", "mean_total"] == pytest.approx((95 + 92 + 70) / 3)
    assert got.loc["华东", "excellent_share"] == pytest.approx(2 / 3)
    assert got.loc["华南", ["people", "scored", "good"]].tolist() == [2, 1, 1]
    assert res.issues == []


def test_excellent_share_above_the_limit_names_the_team():
    res = core.score(_company(Settings(excellent_max_share=0.5)))
    assert [(i.code, i.level, dict(i.params)["team"]) for i in res.issues] == [
        ("core_excellent_share_exceeded", "warning", "华东")]
    assert "华东" in res.issues[0].message("zh") and "66.7%" in res.issues[0].message("en")


def test_for_team_keeps_one_teams_people_and_rollups():
    res = core.score(_company())
    part = core.for_team(res, "华南")
    assert part.people["employee_id"].tolist() == ["E4", "E5"]
    assert set(part.scores["employee_id"]) == {"E4", "E5"} and set(part.monthly["employee_id"]) == {"E4", "E5"}
    assert set(part.teams["team"]) == {"华南"} and part.team_summary["team"].tolist() == ["华南"]
    assert part.training_people["employee_id"].tolist() == ["E4"]
    # Course figures over the team's own trainees: C1 was attended by E1 (华东) too.
    courses = part.training_courses.set_index("course_id")
    assert courses.loc["C1", "trainees"] == 1 and courses.loc["C1", "attendance"] == pytest.approx(0.25)
    # Ranks stay as computed over the whole company.
    assert part.people["overall_rank"].tolist()[0] == res.people.set_index("employee_id").loc["E4", "overall_rank"]
    assert part.scope == res.scope and part.tiers.equals(res.tiers)


def test_for_team_keeps_issues_about_the_team_and_general_ones():
    rows = [target("E1", period="2026-01", team="华东", t=1, a=1), target("E1", period="2026-02", team="华南", t=1, a=1),
            target("E2", team="华北", t=-1, a=1)]
    res = core.score(inputs(rows, scheme_rows=SOLO, ratings=[rating("E9")]))
    codes = {t: sorted(i.code for i in core.for_team(res, t).issues) for t in ("华南", "华北")}
    assert codes == {"华南": ["core_person_changed"], "华北": ["core_negative_target"]}


@pytest.mark.parametrize("scope", [None, ["2027-01"]])
def test_nothing_in_scope_gives_empty_results_of_the_right_shape(scope):
    data = inputs([] if scope is None else [target(t=1, a=1)], scheme_rows=SOLO)
    res = core.score(data, scope)
    assert res.people.empty and res.scores.empty and res.monthly.empty and res.teams.empty
    assert list(res.people.columns) == list(core.score(inputs([target(t=1, a=1)], scheme_rows=SOLO)).people.columns)
    assert res.issues == []


def test_flags_new_hire_leaver_and_reweighted():
    """汇总 标记 (docs/decisions.md, "汇总 layout"): rows starting after the scope's first
    month mark a new hire, rows ending before its last a leaver; a renormalised total is
    re-weighted. With missing_data = zero nothing is re-weighted."""
    from dataclasses import replace

    from . import outcome_fixture as fx

    data = fx.inputs()
    t = data.targets
    keep = ~(((t["employee_id"] == "E001") & (t["period"] == "2026-02"))
             | ((t["employee_id"] == "E006") & (t["period"] == "2026-03")))
    people = core.score(replace(data, targets=t.loc[keep].reset_index(drop=True)), fx.SCOPE).people
    flags = dict(zip(people["employee_id"], people["flags"]))
    assert flags["E001"] == ("new_hire",) and flags["E006"] == ("leaver",)
    assert flags["E003"] == ("reweighted",)  # 费用率 without data, total over 85 points
    assert flags["E002"] == ()
    firsts = dict(zip(people["employee_id"], people["first_period"]))
    lasts = dict(zip(people["employee_id"], people["last_period"]))
    assert (firsts["E001"], lasts["E006"]) == ("2026-03", "2026-02")

    zero = core.score(replace(data, settings=Settings(missing_data="zero")), fx.SCOPE).people
    assert not any("reweighted" in f for f in zero["flags"])
