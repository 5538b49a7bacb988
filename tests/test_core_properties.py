"""Properties of the scoring core (hypothesis; profile "ci" by default, "deep" via
HYPOTHESIS_PROFILE=deep — both registered in tests/conftest.py)."""

from __future__ import annotations

import dataclasses
import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from kpi_engine import core
from kpi_engine.core.ratings import combined_ratings
from kpi_engine.models import RATER_TYPES, Settings

from .test_core_support import STANDARD_TIERS, inputs, rating, scheme, session, target, tiers

# A fraction of the loaded profile's budget: each example scores a whole input (~0.1 s).
FEW = max(10, settings.default.max_examples // 10)
SOME = max(10, settings.default.max_examples // 4)

MONTHS = ("2026-01", "2026-02", "2026-03")
cents = st.integers(0, 10**8).map(lambda c: c / 100)  # money as typed: two decimals
targets_ = st.one_of(cents, st.just(0.0), st.integers(1, 20).map(float))
actuals = st.one_of(cents, st.just(0.0), st.integers(-5, 20).map(float), cents.map(lambda c: -c))

kpi_specs = st.fixed_dictionaries({
    "method": st.sampled_from(["ratio", "tiers", "deduction"]),
    "direction": st.sampled_from(["higher", "lower"]),
    "aggregation": st.sampled_from(["sum", "mean", "last"]),
    "cap": st.sampled_from([math.nan, 1.0, 1.5]),
    "floor": st.sampled_from([math.nan, 0.5, 0.8]),
    "points_per_unit": st.sampled_from([0.5, 2.0]),
    "step": st.sampled_from([math.nan, 0.5, 10.0]),
    "tier_table": st.sampled_from(["标准", "线性"]),
    # 完成率 accelerators (ignored on other methods); a blank start is 100%
    "accel_from": st.sampled_from([math.nan, 0.8, 1.0, 1.3]),
    "accel_by": st.sampled_from([math.nan, 1.0, 1.5, 3.0]),
})
# Both curves over the same points: the standard steps, and a line through them.
CURVES = [*tiers(), *({**t, "curve": "linear"} for t in tiers("线性"))]
app_settings = st.builds(
    Settings,
    lower_formula=st.sampled_from(["two_minus", "inverse"]),
    missing_data=st.sampled_from(["renormalize", "zero"]),
    default_cap=st.sampled_from([1.2, 1.0, 2.0]),
)


def _bound(row, settings_: Settings) -> float:
    """scoring.md: 0 ≤ s ≤ W × max(cap, top tier fraction, 1)."""
    cap = row["cap"] if not math.isnan(row["cap"]) else settings_.default_cap
    return row["weight"] * max(cap, max(f for _, f in STANDARD_TIERS), 1.0)


@st.composite
def raised(draw):
    """One KPI X of random method, direction and aggregation, its months, and one actual moved
    the better way; Y is a plain KPI with data so the total has more than X in it."""
    spec = draw(kpi_specs)
    months = draw(st.lists(st.tuples(targets_, st.one_of(st.none(), actuals)), min_size=1, max_size=3))
    which = draw(st.integers(0, len(months) - 1))
    t, a = months[which]
    a = 1.0 if a is None else a
    months[which] = (t, a)
    delta = draw(st.one_of(cents, st.integers(1, 5).map(float)).filter(lambda x: x > 0))
    better = a + delta if spec["direction"] == "higher" else a - delta
    assume(better != a)  # delta lost in rounding next to a large actual
    moved = list(months)
    moved[which] = (t, better)
    return spec, draw(st.integers(1, 99)), months, moved


# Several scenarios per example, each its own role and pair of people, so one scoring run
# checks them all (a run costs ~0.1 s whatever its size).
@pytest.mark.slow
@settings(max_examples=SOME)
@given(cases=st.lists(raised(), min_size=1, max_size=6), cfg=app_settings)
def test_a_better_actual_never_lowers_the_score_or_the_total(cases, cfg):
    kpis, rows = [], []
    for i, (spec, weight, months, moved) in enumerate(cases):
        role = f"R{i}"
        kpis += scheme([dict(kpi="X", weight=weight, **spec), dict(kpi="Y", weight=100 - weight)], role=role, start=2 * i)
        for emp, values in ((f"E{i}a", months), (f"E{i}b", moved)):
            rows.append(target(emp, "Y", MONTHS[0], 100, 90, role=role, team=emp))
            rows += [target(emp, "X", MONTHS[m], t, np.nan if a is None else a, role=role, team=emp)
                     for m, (t, a) in enumerate(values)]
    res = core.score(inputs(rows, scheme_rows=kpis, tier_rows=CURVES, settings=cfg))
    scores = res.scores.set_index(["employee_id", "kpi"])
    people = res.people.set_index("employee_id")
    for i, (spec, *_rest) in enumerate(cases):
        base, better = f"E{i}a", f"E{i}b"
        assert scores.loc[(better, "X"), "score"] >= scores.loc[(base, "X"), "score"] - 1e-9, spec
        assert people.loc[better, "total"] >= people.loc[base, "total"] - 1e-9, spec
        assert people.loc[better, "total_rounded"] >= people.loc[base, "total_rounded"], spec
    for _, row in res.scores.iterrows():
        if row["has_data"]:
            assert 0 <= row["score"] <= _bound(row, cfg) + 1e-9


@st.composite
def companies(draw, complete: bool = False):
    """A small company: 1–6 people in two teams, every kind of KPI, ratings and training."""
    spec_a, spec_b = draw(kpi_specs), draw(kpi_specs)
    cuts = sorted(draw(st.lists(st.integers(1, 99), min_size=4, max_size=4, unique=True)))
    w = [b - a for a, b in zip([0, *cuts], [*cuts, 100])]
    kpis = scheme([
        dict(kpi="A", weight=w[0], **spec_a), dict(kpi="B", weight=w[1], **spec_b),
        dict(kpi="R", weight=w[2], method="rating"),
        dict(kpi="TA", weight=w[3], source="team", source_kpi="A"),
        dict(kpi="TR", weight=w[4], source="training", is_percent=True),
    ])
    people = [f"E{i}" for i in range(draw(st.integers(1, 6)))]
    rows, ratings, sessions = [], [], []
    for emp in people:
        team = draw(st.sampled_from(["华东", "华南"]))
        months = draw(st.lists(st.sampled_from(MONTHS), min_size=1, max_size=3, unique=True))
        for m in months:
            for kpi in ("A", "B"):
                t = draw(targets_ if complete else st.one_of(st.none(), targets_, st.just(-5.0)))
                a = draw(actuals if complete else st.one_of(st.none(), actuals))
                rows.append(target(emp, kpi, m, np.nan if t is None else t, np.nan if a is None else a,
                                   team=team, note=draw(st.sampled_from(["", "", "补录"]))))
            if draw(st.booleans()):
                rows.append(target(emp, "TA", m, draw(st.one_of(st.just(np.nan), targets_)), team=team))
            for _ in range(draw(st.integers(1 if complete else 0, 3))):
                kind = draw(st.sampled_from(["manager", "peer", "self"] if complete else RATER_TYPES))
                ratings.append(rating(emp, "R", m, kind, draw(st.sampled_from([0.2, 0.4, 0.6, 0.8, 1.0, 0.75]))))
            for _ in range(draw(st.integers(1 if complete else 0, 2))):
                planned = draw(st.sampled_from([2.0, 4.0, 8.0]))
                attended = draw(st.sampled_from([0.0, 1.0, planned]))
                sessions.append(session(emp, draw(st.sampled_from(["C1", "C2"])), m, planned, attended,
                                        pre=draw(st.sampled_from([np.nan, 40.0, 100.0])),
                                        post=draw(st.sampled_from([np.nan, 70.0]))))
    if complete:  # a month of A and TR that counts for everyone (T ≥ 0, A present)
        assume(all(r["target"] >= 0 for r in rows if r["kpi"] in ("A", "B")))
        assume(any(s["planned_hours"] > 0 for s in sessions))
    return rows, ratings, sessions, kpis


def _same(a, b) -> None:
    for name in ("people", "scores", "monthly", "teams", "team_summary", "training_people",
                 "training_courses", "before_after"):
        pd.testing.assert_frame_equal(getattr(a, name), getattr(b, name), check_exact=True, obj=name)
    assert sorted((i.code, i.value) for i in a.issues) == sorted((i.code, i.value) for i in b.issues)


@pytest.mark.slow
@settings(max_examples=FEW)
@given(company=companies(), cfg=app_settings, order=st.randoms(use_true_random=False),
       files=st.lists(st.sampled_from(["jan.xlsx", "feb.xlsx", "all.xlsx"]), min_size=1, max_size=3))
def test_row_order_and_files_never_change_a_result(company, cfg, order, files):
    rows, ratings, sessions, kpis = company
    base = core.score(inputs(rows, ratings=ratings, training=sessions, scheme_rows=kpis, tier_rows=CURVES,
                             settings=cfg))
    shuffled = [dict(r, file=order.choice(files)) for r in rows]
    order.shuffle(shuffled)
    ratings2, sessions2 = list(ratings), list(sessions)
    order.shuffle(ratings2)  # rater order never matters either
    order.shuffle(sessions2)
    moved = core.score(inputs(shuffled, ratings=ratings2, training=sessions2, scheme_rows=kpis, tier_rows=CURVES,
                              settings=cfg))
    _same(base, moved)


@pytest.mark.slow
@settings(max_examples=FEW)
@given(company=companies(complete=True), cfg=app_settings)
def test_with_no_missing_data_both_policies_agree(company, cfg):
    rows, ratings, sessions, kpis = company
    results = [core.score(inputs(rows, ratings=ratings, training=sessions, scheme_rows=kpis, tier_rows=CURVES,
                                 settings=cfg.model_copy(update={"missing_data": policy})))
               for policy in ("renormalize", "zero")]
    people = [r.people for r in results]
    assert not people[0]["incomplete"].any()
    pd.testing.assert_frame_equal(people[0], people[1], check_exact=True)


@pytest.mark.slow
@settings(max_examples=SOME)
@given(entries=st.lists(st.tuples(st.sampled_from(MONTHS), st.sampled_from(RATER_TYPES),
                                  st.sampled_from([0.2, 0.4, 0.6, 0.8, 1.0, 0.55, 0.9])), min_size=1, max_size=12),
       order=st.randoms(use_true_random=False))
def test_rater_order_never_matters(entries, order):
    rows = [rating("E1", "R", m, kind, v, row=i + 2) for i, (m, kind, v) in enumerate(entries)]
    shuffled = list(rows)
    order.shuffle(shuffled)
    rated = pd.DataFrame({"employee_id": ["E1"], "kpi": ["R"], "team": ["华东"]})
    got = [combined_ratings(inputs(ratings=r).ratings, rated, Settings())[1]["attainment"].tolist()
           for r in (rows, shuffled)]
    assert got[0] == pytest.approx(got[1], abs=1e-12)


@given(st.one_of(st.floats(-1e9, 1e9, allow_nan=False), st.integers(-10**9, 10**9).map(lambda c: c / 1000)))
def test_round_half_up_agrees_with_decimal_on_the_shortest_form(x):
    from decimal import ROUND_HALF_UP, Decimal

    expected = float(Decimal(repr(x)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))
    assert core.round_half_up(x) == expected


# --- by_team: every team's share at once is for_team's, team by team -----------------


TEAM_NAMES = ("华东", "华南", "华北", "West", "Ost 1", "a*b?")
split_people = st.lists(
    st.tuples(
        st.sampled_from(TEAM_NAMES),  # team in the latest month
        st.one_of(st.none(), st.sampled_from(TEAM_NAMES)),  # team in an earlier month: a change issue
        st.lists(st.tuples(st.sampled_from(MONTHS), st.sampled_from([1.0, -1.0, 0.0, 50.0]),
                           st.one_of(st.none(), st.sampled_from([0.5, 1.0, 80.0]))), min_size=1, max_size=3),
        st.lists(st.tuples(st.sampled_from(["C1", "C2", "C3"]), st.sampled_from(MONTHS),
                           st.sampled_from([0.0, 4.0, 8.0]), st.one_of(st.none(), st.sampled_from([50.0, 90.0]))),
                 max_size=2),  # training sessions: often none, so some teams have no training rows
        st.booleans(),  # rated
    ),
    min_size=1, max_size=9,
)


def _split_input(drawn, stranger_sessions: bool, excellent_max_share: float):
    rows, ratings, training = [], [], []
    for i, (team, before, months, sessions, rated) in enumerate(drawn):
        emp = f"E{i}"
        for period, t, a in months:
            rows.append(target(emp, kpi="销售额", period=period, t=t, a=a if a is not None else np.nan,
                               team=before if before and period == MONTHS[0] else team))
            rows.append(target(emp, kpi="费用率", period=period, t=0.05, a=0.04, team=team))
        if before:  # the latest month's team wins; the earlier one is a change
            rows.append(target(emp, kpi="销售额", period=MONTHS[-1], t=1.0, a=1.0, team=team))
        for course, period, attended, post in sessions:
            training.append(session(emp, course, period, planned=8.0, attended=attended, pre=40.0,
                                    post=post if post is not None else np.nan, satisfaction=4.0))
        if rated:
            ratings.append(rating(emp, value=0.9))
    if stranger_sessions:  # trained, but on no target sheet: in no team
        training.append(session("X1", "C1", MONTHS[0], attended=8.0))
        ratings.append(rating("X9"))
    kpis = [dict(kpi="销售额", weight=60), dict(kpi="费用率", weight=30, direction="lower", is_percent=True),
            dict(kpi="团队协作", weight=10, method="rating")]
    return inputs(rows, scheme_rows=scheme(kpis), ratings=ratings, training=training,
                  settings=Settings(excellent_max_share=excellent_max_share))


def _assert_same_results(got, expected, team):
    for f in dataclasses.fields(expected):
        a, b = getattr(expected, f.name), getattr(got, f.name)
        if isinstance(a, pd.DataFrame):
            pd.testing.assert_frame_equal(b, a, check_exact=True, obj=f"{team}: {f.name}")
        else:
            assert b == a, (team, f.name)


@settings(max_examples=SOME)
@given(split_people, st.booleans(), st.sampled_from([0.2, 1.0]))
def test_by_team_gives_each_team_exactly_what_for_team_gives(drawn, strangers, share):
    res = core.score(_split_input(drawn, strangers, share))
    teams = sorted(res.people["team"].unique())
    got = list(core.by_team(res))
    assert [t for t, _ in got] == teams
    for team, part in got:
        _assert_same_results(part, core.for_team(res, team), team)
    # Between them the teams hold every person once, and the issues kept are for_team's.
    assert sorted(pd.concat([p.people for _, p in got])["employee_id"]) == sorted(res.people["employee_id"])


def test_by_team_covers_the_corner_cases_for_team_does():
    """A team with no training rows, no issues, a team asked for that has no people, and a
    person on two rows of people (never made by score(); for_team keeps them in both)."""
    drawn = [("华东", None, [(MONTHS[0], 1.0, 1.0)], [("C1", MONTHS[0], 8.0, 90.0)], True),
             ("华南", "华东", [(MONTHS[1], -1.0, 1.0)], [], False),
             ("华北", None, [(MONTHS[2], 1.0, None)], [], True)]
    res = core.score(_split_input(drawn, True, 0.2))
    assert res.training_rows["employee_id"].isin(["X1"]).any() and res.issues
    asked = ["华北", "nobody", "华东"]
    got = list(core.by_team(res, asked))
    assert [t for t, _ in got] == asked
    for team, part in got:
        _assert_same_results(part, core.for_team(res, team), team)
    nobody = dict(got)["nobody"]
    assert nobody.people.empty and nobody.training_courses.empty and nobody.scores.empty
    assert dict(got)["华北"].training_rows.empty and dict(got)["华北"].training_courses.empty

    # General issues interleaved with the teams' own keep their order; one about a person
    # on no team's list goes to nobody.
    from kpi_engine.issues import Issue

    mixed = [Issue("g1", "info"), Issue("p", "warning", params=(("employee_id", "E1"),)),
             Issue("t", "warning", params=(("team", "华东"),)), Issue("g2", "info"),
             Issue("x", "warning", params=(("employee_id", "X1"),)), Issue("p", "error", params=(("employee_id", "E0"),)),
             Issue("g3", "info", params=(("value", "华东"),))]
    shuffled = dataclasses.replace(res, issues=mixed)
    for team, part in core.by_team(shuffled):
        _assert_same_results(part, core.for_team(shuffled, team), team)
    assert [i.code for i in dict(core.by_team(shuffled))["华东"].issues] == ["g1", "t", "g2", "p", "g3"]

    twice = dataclasses.replace(res, people=pd.concat([res.people, res.people.iloc[:1].assign(team="华北")],
                                                      ignore_index=True))
    for team, part in core.by_team(twice):
        _assert_same_results(part, core.for_team(twice, team), team)
