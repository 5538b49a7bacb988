"""团队:KPI and 培训 sources, aggregation across members, and the team sheet (scoring.md)."""

from __future__ import annotations

import math

import numpy as np
import pytest

from kpi_engine import core

from .test_core_support import inputs, one, scheme, session, target

REP = scheme([dict(kpi="销售额", weight=100)], role="销售代表")
MANAGER = scheme([dict(kpi="团队销售额", weight=100, source="team", source_kpi="销售额")], role="经理", start=10)
MANAGER_SELLS = scheme([dict(kpi="销售额", weight=50),
                        dict(kpi="团队销售额", weight=50, source="team", source_kpi="销售额")], role="经理", start=10)


def _team(manager_rows=(), scheme_rows=REP + MANAGER):
    rows = [
        target("E1", period="2026-01", t=100, a=90, row=2), target("E1", period="2026-02", t=100, a=110, row=3),
        target("E2", period="2026-01", t=200, a=220, row=4),
        target("E3", period="2026-01", t=100, a=50, team="华南", row=5),  # another team: never counts
        *manager_rows,
    ]
    return inputs(rows, scheme_rows=scheme_rows)


def _m(period, t=np.nan, a=np.nan, kpi="团队销售额", row=20):
    return target("M1", kpi=kpi, period=period, t=t, a=a, role="经理", row=row)


# (case, inputs, employee, kpi, T, A, r, score)
CASES = [
    ("team roll-up: sums over members and months", _team([_m("2026-01"), _m("2026-02", row=21)]),
     "M1", "团队销售额", 400, 420, 1.05, 105.0),
    ("team roll-up: a team-source row without any own cell", _team([_m("2026-01")]),
     "M1", "团队销售额", 400, 420, 1.05, 105.0),
    ("own target where written, the roll-up's elsewhere", _team([_m("2026-01", t=250), _m("2026-02", row=21)]),
     "M1", "团队销售额", 350, 420, 1.2, 120.0),
    ("the manager's own rows of the KPI count in the roll-up",
     _team([_m("2026-01"), _m("2026-01", kpi="销售额", t=100, a=100, row=21)], REP + MANAGER_SELLS),
     "M1", "团队销售额", 500, 520, 1.04, 52.0),
    ("an own actual on a team-source row is not used", _team([_m("2026-01", a=9999)]),
     "M1", "团队销售额", 400, 420, 1.05, 105.0),
]


@pytest.mark.parametrize(("case", "data", "emp", "kpi", "t", "a", "r", "s"), CASES, ids=[c[0] for c in CASES])
def test_team_source(case, data, emp, kpi, t, a, r, s):
    row = one(core.score(data), emp, kpi)
    assert (row["target"], row["actual"]) == (pytest.approx(t), pytest.approx(a))
    assert row["attainment"] == pytest.approx(r)
    assert row["score"] == pytest.approx(s)


def test_team_source_without_team_data_has_no_data():
    data = inputs([target("M1", kpi="团队销售额", role="经理", team="华北")], scheme_rows=REP + MANAGER)
    row = one(core.score(data), "M1", "团队销售额")
    assert not row["has_data"] and row["status"] == "nodata"


def test_team_sheet_rolls_up_each_kpi():
    res = core.score(_team([_m("2026-01")]))
    teams = res.teams.set_index(["team", "kpi"])
    assert teams.loc[("华东", "销售额"), ["target", "actual"]].tolist() == [400, 420]
    assert teams.loc[("华东", "销售额"), "status"] == "met"
    assert teams.loc[("华南", "销售额"), "attainment"] == pytest.approx(0.5)
    # The 团队-source KPI is a view of 销售额's roll-up, which has its own row.
    assert ("华东", "团队销售额") not in teams.index


PCT = scheme([dict(kpi="回款率", weight=100, is_percent=True)], role="销售代表")
PCT_MANAGER = scheme([dict(kpi="团队回款率", weight=100, source="team", source_kpi="回款率", is_percent=True)],
                     role="经理", start=10)


def test_team_mean_is_over_all_member_months():
    rows = [target("E1", "回款率", "2026-01", 0.9, 0.8), target("E1", "回款率", "2026-02", 0.9, 1.0),
            target("E2", "回款率", "2026-01", 0.8, 0.8), target("M1", "团队回款率", "2026-02", role="经理")]
    res = core.score(inputs(rows, scheme_rows=PCT + PCT_MANAGER))
    team = res.teams.set_index(["team", "kpi"]).loc[("华东", "回款率")]
    # (0.9 + 0.9 + 0.8) / 3 and (0.8 + 1.0 + 0.8) / 3, not the mean of the monthly means.
    assert team["target"] == pytest.approx(2.6 / 3) and team["actual"] == pytest.approx(2.6 / 3)
    assert team["attainment"] == pytest.approx(1.0)
    manager = one(res, "M1", "团队回款率")
    assert (manager["target"], manager["actual"]) == (pytest.approx(2.6 / 3), pytest.approx(2.6 / 3))


def test_team_last_takes_the_latest_month_of_the_team():
    last = scheme([dict(kpi="客户数", weight=100, aggregation="last")])
    rows = [target("E1", "客户数", "2026-01", 10, 8), target("E1", "客户数", "2026-02", 10, 12),
            target("E2", "客户数", "2026-01", 5, 5)]
    res = core.score(inputs(rows, scheme_rows=last))
    team = res.teams.set_index(["team", "kpi"]).loc[("华东", "客户数")]
    assert (team["target"], team["actual"]) == (10, 12)
    assert one(res, "E2", "客户数")["attainment"] == 1.0


TRAINING = scheme([dict(kpi="销售额", weight=50), dict(kpi="培训完成率", weight=50, source="training", is_percent=True)])


@pytest.mark.parametrize(("own_target", "t", "r"), [(np.nan, 1.0, 10 / 12), (0.8, 0.8, 10 / 12 / 0.8)])
def test_training_source(own_target, t, r):
    rows = [target(t=100, a=100), target(kpi="培训完成率", t=own_target, row=3)]
    sessions = [session(course_id="C1", planned=8, attended=6), session(course_id="C2", planned=4, attended=4),
                session(course_id="C3", period="2026-03", planned=4, attended=0)]  # outside the scope
    row = one(core.score(inputs(rows, scheme_rows=TRAINING, training=sessions)), "E1", "培训完成率")
    assert row["actual"] == pytest.approx(10 / 12) and row["target"] == pytest.approx(t)
    assert row["attainment"] == pytest.approx(r)
    assert row["score"] == pytest.approx(50 * min(r, 1.2))


def test_training_source_without_training_rows_has_no_data():
    res = core.score(inputs([target(t=100, a=100)], scheme_rows=TRAINING))
    row = one(res, "E1", "培训完成率")
    assert not row["has_data"] and math.isnan(row["attainment"])
    assert one(res)["total"] == pytest.approx(100.0)  # renormalised over 销售额 alone
    assert one(res)["missing_kpis"] == ("培训完成率",)
