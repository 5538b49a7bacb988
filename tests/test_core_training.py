"""Training metrics per person, per course, and before/after (scoring.md, "Training metrics")."""

from __future__ import annotations

import functools
import math

import numpy as np
import pytest

from kpi_engine import core

from .test_core_support import inputs, scheme, session, target

PLAN = [
    session("E1", "C1", "2026-01", planned=8, attended=6, pre=60, post=78, satisfaction=4, row=2),
    session("E1", "C2", "2026-02", planned=4, attended=0, pre=np.nan, post=np.nan, row=3),  # mandatory, missed
    session("E1", "C3", "2026-02", planned=4, attended=np.nan, mandatory=False, row=4),  # blank = absent
    session("E2", "C1", "2026-01", planned=8, attended=8, pre=100, post=100, satisfaction=5, row=5),
    session("E9", "C1", "2026-01", planned=8, attended=4, pre=50, post=np.nan, name="外援", row=6),
]
TARGETS = [target("E1", period=p, t=1, a=1) for p in ("2026-01", "2026-02")] + [target("E2", team="华南", t=1, a=1)]


@functools.cache  # one scoring run shared by the rows of the table below (read only)
def _people():
    res = core.score(inputs(TARGETS, scheme_rows=scheme([dict(kpi="销售额", weight=100)]), training=PLAN))
    return res.training_people.set_index("employee_id"), res.training_courses.set_index("course_id")


# (employee, column, expected)
PERSON = [
    ("E1", "planned_hours", 16.0), ("E1", "attended_hours", 6.0), ("E1", "participation", 6 / 16),
    ("E1", "sessions_attended", 1), ("E1", "sessions_planned", 3), ("E1", "mandatory_missed", 1),
    ("E1", "pre", 60.0), ("E1", "post", 78.0), ("E1", "improvement", 18.0), ("E1", "gain", 0.45),
    ("E1", "satisfaction", 4.0), ("E1", "first_session", "2026-01"), ("E1", "team", "华东"), ("E1", "name", "员工E1"),
    ("E2", "improvement", 0.0), ("E2", "gain", math.nan),  # pre = 100: no room to gain
    ("E2", "participation", 1.0), ("E2", "mandatory_missed", 0), ("E2", "team", "华南"),
    ("E9", "name", "外援"), ("E9", "team", ""), ("E9", "improvement", math.nan), ("E9", "pre", 50.0),
]


@pytest.mark.parametrize(("emp", "column", "expected"), PERSON)
def test_training_person(emp, column, expected):
    got = _people()[0].loc[emp, column]
    if isinstance(expected, float) and math.isnan(expected):
        assert math.isnan(got)
    elif isinstance(expected, float):
        assert got == pytest.approx(expected)
    else:
        assert got == expected


def test_training_course():
    courses = _people()[1]
    c1 = courses.loc["C1"]
    assert (c1["trainees"], c1["course"]) == (3, "产品知识")
    assert c1["attendance"] == pytest.approx(18 / 24)
    assert c1["pre"] == pytest.approx(70.0) and c1["post"] == pytest.approx(89.0)
    assert c1["improvement"] == pytest.approx(9.0) and c1["satisfaction"] == pytest.approx(4.5)
    assert courses.loc["C2", "attendance"] == 0.0


def test_before_after_compares_months_before_and_from_the_first_session():
    kpis = scheme([dict(kpi="销售额", weight=60), dict(kpi="回款率", weight=40, is_percent=True)])
    rows = [target(period="2026-01", t=100, a=80), target(period="2026-02", t=100, a=90),
            target(period="2026-03", t=100, a=110), target(period="2026-04", t=100, a=120),
            *[target(kpi="回款率", period=p, t=0.9, a=0.9) for p in ("2026-01", "2026-03")],  # 平均: not a 合计 KPI
            target("E2", period="2026-01", t=100, a=100)]  # E2 trained in its only month: nothing before
    sessions = [session(period="2026-02", attended=0), session(period="2026-03", attended=4),
                session("E2", period="2026-01")]
    got = core.score(inputs(rows, scheme_rows=kpis, training=sessions)).before_after
    assert got[["employee_id", "kpi", "first_session"]].values.tolist() == [["E1", "销售额", "2026-03"]]
    row = got.iloc[0]
    assert row["before"] == pytest.approx(0.85) and row["after"] == pytest.approx(1.15)
    assert row["change"] == pytest.approx(0.3) and row["name"] == "员工E1"


def test_no_training_rows():
    res = core.score(inputs([target(t=1, a=1)], scheme_rows=scheme([dict(kpi="销售额", weight=100)])))
    assert res.training_people.empty and res.training_courses.empty and res.before_after.empty
    assert list(res.training_people.columns)[:3] == ["employee_id", "name", "team"]
