"""Every period in one run (core.periods; docs/decisions.md, "Periods"): each month scored as
its own --period run, quarters and years by 周期汇总 (月均分 or 累计)."""

from __future__ import annotations

import importlib
import math
from decimal import ROUND_HALF_UP, Decimal

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kpi_engine import core, pipeline
from kpi_engine.models import Settings

from .test_core_properties import app_settings, companies
from .test_core_support import inputs, scheme, target

periods_module = importlib.import_module("kpi_engine.core.periods")
FIELDS = ["total", "total_rounded", "grade", "team_rank", "overall_rank"]
SOME = max(10, settings.default.max_examples // 5)


def _moved(company, draw_moves):
    """The company with some people in the other team in some months (team changes)."""
    rows, ratings, sessions, kpis = company
    other = {"华东": "华南", "华南": "华东"}
    moved = [dict(r, team=other[r["team"]]) if (r["employee_id"], r["period"]) in draw_moves else r for r in rows]
    return moved, ratings, sessions, kpis


def _same_month(got: pd.DataFrame, month_run: pd.DataFrame) -> None:
    a = got.set_index("employee_id")[FIELDS].sort_index()
    b = month_run.set_index("employee_id")[FIELDS].sort_index()
    assert list(a.index) == list(b.index)
    for f in FIELDS:
        x, y = a[f].to_numpy(dtype=object), b[f].to_numpy(dtype=object)
        same = [(pd.isna(u) and pd.isna(v)) or (not pd.isna(u) and not pd.isna(v) and u == v) for u, v in zip(x, y)]
        assert all(same), (f, a[f].tolist(), b[f].tolist())


@settings(max_examples=SOME, deadline=None)
@given(company=companies(), cfg=app_settings, rule=st.sampled_from(["monthly_mean", "cumulative"]),
       moves=st.sets(st.tuples(st.sampled_from([f"E{i}" for i in range(6)]),
                               st.sampled_from(["2026-01", "2026-02", "2026-03"])), max_size=3))
def test_each_months_totals_are_those_of_a_separate_period_run(company, cfg, rule, moves):
    """The property of issue 10: a person's monthly totals, grades and ranks are exactly
    those of `--period` on that month — also for people who change teams (tagged path)."""
    rows, ratings, sessions, kpis = _moved(company, moves)
    data = inputs(rows, ratings=ratings, training=sessions, scheme_rows=kpis,
                  settings=cfg.model_copy(update={"period_rollup": rule}))
    outcome = pipeline.score(data)
    periods = outcome.results.periods
    tagged = periods_module.tagged_totals(data, outcome.results.scope, periods_module.LABEL["month"])
    for month in outcome.results.scope:
        alone = pipeline.score(data, period=month).results.people
        _same_month(periods.loc[periods["period"] == month], alone)
        _same_month(tagged.loc[tagged["period"] == month], alone)


@settings(max_examples=SOME, deadline=None)
@given(company=companies(), cfg=app_settings, rule=st.sampled_from(["monthly_mean", "cumulative"]))
def test_a_quarter_is_the_mean_of_its_months_or_its_months_scored_together(company, cfg, rule):
    rows, ratings, sessions, kpis = company
    data = inputs(rows, ratings=ratings, training=sessions, scheme_rows=kpis,
                  settings=cfg.model_copy(update={"period_rollup": rule}))
    outcome = pipeline.score(data)
    periods = outcome.results.periods
    months = periods.loc[periods["kind"] == "month"]
    for kind in ("quarter", "year"):
        for row in periods.loc[periods["kind"] == kind].itertuples(index=False):
            mine = months.loc[(months["employee_id"] == row.employee_id) & months["period"].str.startswith(row.period[:4])]
            if kind == "quarter":
                mine = mine.loc[mine["period"].map(periods_module.quarter_of) == row.period]
            shown = mine["total_rounded"].dropna()
            assert row.months_counted == len(shown)
            assert row.months_in_period == (3 if kind == "quarter" else 12)
            if rule == "monthly_mean":
                if len(shown):
                    assert row.total == pytest.approx(shown.mean(), abs=1e-9)
                    exact = sum(Decimal(repr(x)) for x in shown) / len(shown)
                    assert row.total_rounded == float(exact.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))
                else:
                    assert math.isnan(row.total)
            else:
                first, last = _bounds(row.period)
                together = pipeline.score(data, start=first, end=last)
                want = together.results.people.set_index("employee_id").loc[row.employee_id]
                assert (row.total == want["total"]) or (math.isnan(row.total) and math.isnan(want["total"]))
                assert row.grade == want["grade"]


def _bounds(period: str) -> tuple[str, str]:
    """The first and last month of a quarter ("2026-Q2") or a year ("2026")."""
    if "-Q" in period:
        q = int(period[-1])
        return f"{period[:4]}-{3 * q - 2:02d}", f"{period[:4]}-{3 * q:02d}"
    return f"{period}-01", f"{period}-12"


# --- the worked examples of docs/decisions.md, "Periods" ---------------------------------------

# One KPI, 销售额, weight 100, 完成率 with the default cap 120%: (T, A) per month of Q1;
# None is a month with a row but no actual (no total that month).
EXAMPLES = [
    # rule,          Jan,        Feb,        Mar,        month totals,        Q1 total, grade, counted
    ("monthly_mean", (100, 80), (100, 100), (200, 260), (80.0, 100.0, 120.0), 100.00, "excellent", 3),
    ("cumulative",   (100, 80), (100, 100), (200, 260), (80.0, 100.0, 120.0), 110.00, "excellent", 3),
    ("monthly_mean", (100, 80), (100, 95), (100, None), (80.0, 95.0, None),   87.50, "good", 2),
    ("cumulative",   (100, 80), (100, 95), (100, None), (80.0, 95.0, None),   87.50, "good", 2),
    ("monthly_mean", (300, 150), (100, 110), (100, 100), (50.0, 110.0, 100.0), 86.67, "good", 3),
    ("cumulative",   (300, 150), (100, 110), (100, 100), (50.0, 110.0, 100.0), 72.00, "pass", 3),
]


@pytest.mark.parametrize("rule, jan, feb, mar, month_totals, q1, grade, counted", EXAMPLES)
def test_worked_examples(rule, jan, feb, mar, month_totals, q1, grade, counted):
    rows = [target("E1", "销售额", m, t, np.nan if a is None else a)
            for m, (t, a) in zip(("2026-01", "2026-02", "2026-03"), (jan, feb, mar))]
    data = inputs(rows, scheme_rows=scheme([dict(kpi="销售额", weight=100)]),
                  settings=Settings(period_rollup=rule))
    periods = pipeline.score(data).results.periods.set_index("period")
    got = tuple(None if math.isnan(periods.at[m, "total_rounded"]) else periods.at[m, "total_rounded"]
                for m in ("2026-01", "2026-02", "2026-03"))
    assert got == month_totals
    assert periods.at["2026-Q1", "total_rounded"] == q1
    assert periods.at["2026-Q1", "grade"] == grade
    assert periods.at["2026-Q1", "months_counted"] == counted
    assert periods.at["2026-Q1", "months_covered"] == 3
    assert (periods.at["2026", "months_covered"], periods.at["2026", "months_in_period"]) == (3, 12)
    assert periods.at["2026", "total_rounded"] == q1  # the year so far is the quarter


def test_a_quarter_is_listed_when_any_of_its_months_has_data_and_flagged_partial():
    rows = [target("E1", "销售额", m, 100, 90) for m in ("2026-03", "2026-04")]
    data = inputs(rows, scheme_rows=scheme([dict(kpi="销售额", weight=100)]))
    periods = pipeline.score(data).results.periods.set_index("period")
    assert list(periods.index) == ["2026-03", "2026-04", "2026-Q1", "2026-Q2", "2026"]
    assert periods.loc["2026-Q1", ["months_counted", "months_covered", "months_in_period"]].tolist() == [1, 1, 3]
    assert periods.loc["2026", ["months_counted", "months_covered", "months_in_period"]].tolist() == [2, 2, 12]


def test_the_mean_is_rounded_half_up_on_its_decimal_value():
    """80.02 and 90.07 average to 85.045, which binary arithmetic gives as 85.04499…: the
    quarter is 85.05, as ROUND(AVERAGE(…),2) on 周期 shows it."""
    rows = [target("E1", "销售额", "2026-01", 100, 80.02), target("E1", "销售额", "2026-02", 100, 90.07)]
    assert repr((80.02 + 90.07) / 2) == "85.04499999999999"
    periods = pipeline.score(inputs(rows, scheme_rows=scheme([dict(kpi="销售额", weight=100)]))).results.periods
    assert periods.set_index("period").at["2026-Q1", "total_rounded"] == 85.05


def test_ranks_are_within_each_period_and_a_person_absent_from_a_month_is_not_in_it():
    rows = [target("E1", "销售额", "2026-01", 100, 90), target("E2", "销售额", "2026-01", 100, 95),
            target("E2", "销售额", "2026-02", 100, 50), target("E3", "销售额", "2026-02", 100, 70, team="华南")]
    data = inputs(rows, scheme_rows=scheme([dict(kpi="销售额", weight=100)]))
    p = pipeline.score(data).results.periods
    jan = p.loc[p["period"] == "2026-01"].set_index("employee_id")
    feb = p.loc[p["period"] == "2026-02"].set_index("employee_id")
    assert jan["overall_rank"].to_dict() == {"E1": 2, "E2": 1}
    assert feb["overall_rank"].to_dict() == {"E2": 2, "E3": 1}
    assert feb["team_rank"].to_dict() == {"E2": 1, "E3": 1}
    q1 = p.loc[p["period"] == "2026-Q1"].set_index("employee_id")
    assert q1["total_rounded"].to_dict() == {"E1": 90.0, "E2": 72.5, "E3": 70.0}
    assert q1["months_counted"].to_dict() == {"E1": 1, "E2": 2, "E3": 1}


def test_by_team_splits_the_periods_with_their_people():
    rows = [target("E1", "销售额", "2026-01", 100, 90), target("E2", "销售额", "2026-01", 100, 95, team="华南")]
    results = pipeline.score(inputs(rows, scheme_rows=scheme([dict(kpi="销售额", weight=100)]))).results
    shares = dict(core.by_team(results))
    assert set(shares["华南"].periods["employee_id"]) == {"E2"}
    assert shares["华东"].periods.equals(core.for_team(results, "华东").periods)


# --- 系数 and 绩效工资 per period (docs/decisions.md, "Periods", pay) ---------------------------------

# One KPI 销售额 (weight 100, target 100, cap 200%): a month's total is its actual. The scope
# is 2026-01 … 2026-06 (N has rows in every month).
#   J: 人员 入职 2026-02-10, 基数 3000; rows Feb–Jun, actuals 95, 85, 70, 100, 50.
#   L: 人员 离职 2026-05-31, 基数 2000; rows Jan–Jun (June's came in late), 90 each month.
#   N: no 人员 row, no 基数; rows Jan–Jun, 80 each month.
PAY_PEOPLE = {
    "J": dict(zip(("2026-02", "2026-03", "2026-04", "2026-05", "2026-06"), (95, 85, 70, 100, 50))),
    "L": {f"2026-0{m}": 90 for m in range(1, 7)},
    "N": {f"2026-0{m}": 80 for m in range(1, 7)},
}
PAY_STAFF = (("J", "2026-02-10", None, 3000.0), ("L", "2019-05-01", "2026-05-31", 2000.0))
NONE = float("nan")
# (pay rule, 折算, person, period, total, grade, coefficient, months in post, months of the
#  period in the scope, 绩效工资)
PERIOD_PAY_EXAMPLES = [
    ("base_coefficient", True, "J", "2026-02", 95.00, "excellent", 1.2, 1, 1, 3600.00),
    ("base_coefficient", True, "J", "2026-06", 50.00, "improve", 0.6, 1, 1, 1800.00),
    ("base_coefficient", True, "J", "2026-Q1", 90.00, "excellent", 1.2, 2, 3, 2400.00),  # 3000 × 1.2 × 2/3
    ("base_coefficient", True, "J", "2026-Q2", 73.33, "pass", 0.8, 3, 3, 2400.00),
    ("base_coefficient", True, "J", "2026", 80.00, "good", 1.0, 5, 6, 2500.00),  # 3000 × 1.0 × 5/6
    ("base_coefficient", False, "J", "2026-Q1", 90.00, "excellent", 1.2, 2, 3, 3600.00),  # 折算 否
    ("base_coefficient", False, "J", "2026", 80.00, "good", 1.0, 5, 6, 3000.00),
    ("base_coefficient_total", True, "J", "2026-Q1", 90.00, "excellent", 1.2, 2, 3, 2160.00),  # × 90/100
    ("base_coefficient", True, "L", "2026-05", 90.00, "excellent", 1.2, 1, 1, 2400.00),
    ("base_coefficient", True, "L", "2026-06", 90.00, "excellent", 1.2, 0, 1, 0.00),  # after 离职: not in post
    ("base_coefficient", True, "L", "2026-Q2", 90.00, "excellent", 1.2, 2, 3, 1600.00),  # 2000 × 1.2 × 2/3
    ("base_coefficient", True, "L", "2026", 90.00, "excellent", 1.2, 5, 6, 2000.00),
    ("base_coefficient", True, "N", "2026-Q1", 80.00, "good", 1.0, 3, 3, NONE),  # no 基数: coefficient only
]


def _pay_data(rule: str = "base_coefficient", prorate: bool = True, rollup: str = "monthly_mean"):
    from .test_pay import _staff

    rows = [target(emp, "销售额", m, 100, a) for emp, months in PAY_PEOPLE.items() for m, a in months.items()]
    data = inputs(rows, scheme_rows=scheme([dict(kpi="销售额", weight=100, cap=2.0)]),
                  settings=Settings(pay_rule=rule, prorate=prorate, period_rollup=rollup))
    data.staff = _staff(PAY_STAFF)
    return data


@pytest.mark.parametrize("rule, prorate, emp, period, total, grade, coefficient, in_post, covered, pay",
                         PERIOD_PAY_EXAMPLES)
def test_period_pay_worked_examples(rule, prorate, emp, period, total, grade, coefficient, in_post, covered, pay):
    periods = pipeline.score(_pay_data(rule, prorate)).results.periods
    row = periods.loc[(periods["employee_id"] == emp) & (periods["period"] == period)].iloc[0]
    assert (row["total_rounded"], row["grade"], row["coefficient"]) == (total, grade, coefficient)
    assert (row["months_in_post"], row["months_covered"]) == (in_post, covered)
    assert (math.isnan(row["pay"]) and math.isnan(pay)) or row["pay"] == pay


def test_a_partial_quarter_pays_over_its_months_in_the_scope():
    """Scope 2026-01 … 02: Q1 has 2 of its 3 months; someone in post in both is paid in full
    for it, as 汇总 pays a run over those two months (3000 × 1.0 × 2/2)."""
    from .test_pay import _staff

    rows = [target("E1", "销售额", m, 100, 85) for m in ("2026-01", "2026-02")]
    data = inputs(rows, scheme_rows=scheme([dict(kpi="销售额", weight=100)]))
    data.staff = _staff((("E1", None, None, 3000.0),))
    results = pipeline.score(data).results
    q1 = results.periods.set_index("period").loc["2026-Q1"]
    assert (q1["months_in_post"], q1["months_covered"], q1["months_in_period"], q1["pay"]) == (2, 2, 3, 3000.0)
    assert results.people.at[0, "pay"] == q1["pay"]


def test_json_periods_carry_coefficient_months_in_post_and_pay():
    outcome = pipeline.score(_pay_data())
    got = {(p["period"], r["employee_id"]): r for p in pipeline.summary(outcome)["periods"] for r in p["results"]}
    j = got[("2026-Q1", "J")]
    assert (j["coefficient"], j["months_in_post"], j["pay"]) == (1.2, 2, 2400.0)
    assert got[("2026-Q1", "N")]["pay"] is None and got[("2026-Q1", "N")]["coefficient"] == 1.0
    import json

    json.dumps(pipeline.summary(outcome))  # every value a JSON value


staff_dates = st.sampled_from([None, "2025-06-01", "2026-01-15", "2026-02-10", "2026-03-01"])
leaving = st.sampled_from([None, "2026-01-31", "2026-02-20", "2026-03-31", "2026-09-30"])
bases = st.one_of(st.none(), st.sampled_from([0.0, 2500.0, 3333.33, 10_000.0]))
coefficients = st.tuples(*[st.sampled_from([0.0, 0.6, 0.8, 1.0, 1.15, 1.2, 1.5])] * 4)


@settings(max_examples=SOME, deadline=None)
@given(company=companies(), cfg=app_settings, rollup=st.sampled_from(["monthly_mean", "cumulative"]),
       pay_rule=st.sampled_from(["base_coefficient", "base_coefficient_total"]), prorate=st.booleans(),
       staff=st.lists(st.tuples(staff_dates, leaving, bases), min_size=6, max_size=6), coefs=coefficients)
def test_a_periods_coefficient_follows_its_grade_and_its_pay_is_that_of_a_run_over_it(
        company, cfg, rollup, pay_rule, prorate, staff, coefs):
    """Every period: 系数 is its grade's (none without a grade), 在岗月数 counts its months in
    the scope between the person's joining and leaving months, 绩效工资 is the pay rule over
    those; and a month (and under 累计 the quarter and year, here all three months) pays what
    汇总 pays in a run over just those months."""
    from kpi_engine import vocab
    from kpi_engine.core.pay import pay

    from .test_pay import _staff

    rows, ratings, sessions, kpis = company
    s = cfg.model_copy(update={"period_rollup": rollup, "pay_rule": pay_rule, "prorate": prorate,
                               **dict(zip(vocab.GRADE_COEFFICIENTS.values(), coefs))})
    data = inputs(rows, ratings=ratings, training=sessions, scheme_rows=kpis, settings=s)
    valid = [(f"E{i}", j, lv, b) for i, (j, lv, b) in enumerate(staff) if not (j and lv and lv < j)]
    data.staff = _staff(valid)
    outcome = pipeline.score(data)
    results = outcome.results
    people = results.people.set_index("employee_id")
    table = s.coefficients()
    for row in results.periods.itertuples(index=False):
        if row.grade:
            assert row.coefficient == table[row.grade]
        else:
            assert math.isnan(row.coefficient) and math.isnan(row.pay)
        joined, left = people.at[row.employee_id, "joined"], people.at[row.employee_id, "left"]
        mine = [m for m in results.scope if periods_module.LABEL[row.kind](m) == row.period]
        assert row.months_covered == len(mine)
        assert row.months_in_post == sum(1 for m in mine if (not joined or m >= joined) and (not left or m <= left))
        want = pay(people.at[row.employee_id, "base"], row.coefficient, row.total_rounded, row.months_in_post, s,
                   row.months_covered)
        assert (math.isnan(row.pay) and math.isnan(want)) or row.pay == want
    runs = [(m, dict(period=m)) for m in results.scope]
    if rollup == "cumulative":
        runs.append((periods_module.quarter_of(results.scope[0]), {}))  # the months are Q1: the whole scope
    for period, scope_args in runs:
        alone = pipeline.score(data, **scope_args).results.people.set_index("employee_id")
        got = results.periods.loc[results.periods["period"] == period].set_index("employee_id")
        for emp, row in got.iterrows():
            for field in ("coefficient", "months_in_post", "pay"):
                a, b = row[field], alone.at[emp, field]
                assert (pd.isna(a) and pd.isna(b)) or a == b, (period, emp, field, a, b)


# --- the setting 周期汇总 ------------------------------------------------------------------------


@pytest.mark.parametrize("value, rule, found", [
    ("月均分", "monthly_mean", []),
    ("累计", "cumulative", []),
    ("cumulative", "cumulative", []),
    ("季度平均", "monthly_mean", [("设置", "B2", "bad_word")]),  # not a word it knows: the default, and the cell named
])
def test_the_setting_is_read_and_a_bad_word_names_its_cell(tmp_path, value, rule, found):
    from kpi_engine.read import load

    from .test_read_rows import RATING_HEADER, assessment_form, folder_with, problems

    form = assessment_form(设置=[["项目", "值"], ["周期汇总", value]], 评分=[RATING_HEADER])
    data = load([folder_with(tmp_path, form=form)])
    assert data.settings.period_rollup == rule
    assert problems(data) == found
    if found:
        issue = next(i for i in data.report.issues if i.code == "bad_word")
        assert "月均分" in issue.message("zh") and "累计" in issue.message("zh")


# --- 周期 in the workbook, recalculated by LibreOffice ------------------------------------------------


@pytest.mark.libreoffice
@pytest.mark.slow
@pytest.mark.parametrize("rule", ["monthly_mean", "cumulative"])
def test_the_periods_sheet_recalculates_to_the_engines_values_also_after_an_edit(tmp_path, rule):
    import openpyxl

    from kpi_engine.write.workbook import write_workbook

    from . import libreoffice as lo

    if not lo.available():
        pytest.skip("soffice is not installed")
    rows = [target(f"E{i}", "销售额", m, 100, a, team="华东" if i < 2 else "华南")
            for i, values in enumerate([(80, 100, 260), (95, None, 101), (60, 75, 90)])
            for m, a in zip(("2026-01", "2026-02", "2026-03"), values) if a is not None]
    rows += [target("E0", "销售额", "2026-04", 100, 91)]
    data = inputs(rows, scheme_rows=scheme([dict(kpi="销售额", weight=100)]), settings=Settings(period_rollup=rule))
    outcome = pipeline.score(data)
    src = tmp_path / "result.xlsx"
    write_workbook(outcome, src)
    book = openpyxl.load_workbook(src)
    ws = book["周期"]
    header = [c.value for c in ws[2]]
    at = {h: i + 1 for i, h in enumerate(header)}
    e0 = next(r for r in range(3, ws.max_row + 1) if ws.cell(r, 1).value == "E0")
    q1 = ws.cell(e0, at["2026-Q1\n总分"])
    assert (q1.data_type == "f") == (rule == "monthly_mean")  # live under 月均分 only

    recalculated = openpyxl.load_workbook(lo.recalc(src, tmp_path / "out"), data_only=True)["周期"]
    periods = outcome.results.periods
    for r in range(3, ws.max_row + 1):
        emp = ws.cell(r, 1).value
        for period in ("2026-Q1", "2026-Q2", "2026"):
            got = periods.loc[(periods["employee_id"] == emp) & (periods["period"] == period)]
            total = recalculated.cell(r, _column(at, f"{period}\n总分")).value
            grade = recalculated.cell(r, at[f"{period}\n等级"]).value
            counted = recalculated.cell(r, at[f"{period}\n计入月数"]).value
            if got.empty or np.isnan(got["total_rounded"].iloc[0]):
                assert total in (None, ""), (emp, period, total)
                continue
            assert total == pytest.approx(got["total_rounded"].iloc[0], abs=1e-9), (emp, period)
            assert grade == {"excellent": "优秀", "good": "良好", "pass": "合格", "improve": "待改进"}[got["grade"].iloc[0]]
            assert counted == got["months_counted"].iloc[0]

    # Edit a month total by hand: under 月均分 the quarter, its grade and months counted follow.
    if rule == "monthly_mean":
        ws.protection.sheet = False
        ws.cell(e0, at["2026-02\n总分"]).value = None  # E0's February left out
        ws.cell(e0, at["2026-01\n总分"]).value = 50
        edited = tmp_path / "edited" / "result.xlsx"
        edited.parent.mkdir()
        book.save(edited)
        again = openpyxl.load_workbook(lo.recalc(edited, tmp_path / "out2"), data_only=True)["周期"]
        assert again.cell(e0, at["2026-Q1\n总分"]).value == pytest.approx(85.0)
        assert again.cell(e0, _column(at, "2026\n总分")).value == pytest.approx((50 + 120 + 91) / 3, abs=0.005)  # (50 + 120) / 2
        assert again.cell(e0, at["2026-Q1\n等级"]).value == "良好"
        assert again.cell(e0, at["2026-Q1\n计入月数"]).value == 2


def _column(at: dict, start: str) -> int:
    """The column whose header starts with ``start`` (a partial period's header says how partial)."""
    return next(i for h, i in at.items() if h and h.startswith(start))


def test_the_periods_sheet_shows_coefficient_and_pay_per_period_and_prints_a_quarter_per_page(tmp_path):
    """周期's layout (docs/decisions.md, "Result workbook", 周期): 绩效工资基数 after 岗位 (a
    value, unlocked); each month 总分 等级 系数 绩效工资, each quarter after its months and the
    year after its last quarter with 计入月数 before 系数; 系数 is 汇总's formula over the
    period's 等级, 绩效工资 汇总's over the row's 基数 with the months in post and the period's
    months in the scope as numbers; page breaks fall before a quarter's first month, 工号 and
    姓名 repeat."""
    import openpyxl

    from kpi_engine.write.workbook import write_workbook

    outcome = pipeline.score(_pay_data())
    src = tmp_path / "result.xlsx"
    write_workbook(outcome, src)
    ws = openpyxl.load_workbook(src)["周期"]
    values = openpyxl.load_workbook(src, data_only=True)["周期"]
    header = [c.value for c in ws[2]]
    assert header[:5] == ["工号", "姓名", "部门", "岗位", "绩效工资基数"]
    periods = [h.split("\n")[0] for h in header[5::]]
    blocks = list(dict.fromkeys(periods))
    assert blocks == ["2026-01", "2026-02", "2026-03", "2026-Q1", "2026-04", "2026-05", "2026-06", "2026-Q2", "2026"]
    assert [h.split("\n")[1] for h in header[5:9]] == ["总分", "等级", "系数", "绩效工资"]
    q1 = header.index("2026-Q1\n总分")
    assert [h.split("\n")[1] for h in header[q1:q1 + 5]] == ["总分", "等级", "计入月数", "系数", "绩效工资"]
    at = {h: i + 1 for i, h in enumerate(header)}
    j = next(r for r in range(3, ws.max_row + 1) if ws.cell(r, 1).value == "J")
    grade_cell, coef_cell = (openpyxl.utils.get_column_letter(at[f"2026-Q1\n{h}"]) + str(j) for h in ("等级", "系数"))
    assert ws.cell(j, at["2026-Q1\n系数"]).value.startswith(f'=IF({grade_cell}="优秀",kpi_coef_excellent,')
    assert ws.cell(j, at["2026-Q1\n绩效工资"]).value == (
        f'=IF(AND(ISNUMBER($E{j}),ISNUMBER({coef_cell})),ROUND($E{j}*{coef_cell}*2/3,2),"")')  # in post 2 of 3
    assert ws.cell(j, at["2026\n绩效工资"]).value.endswith(f"*5/6,2),\"\")")
    assert values.cell(j, at["2026-Q1\n绩效工资"]).value == 2400.0 and values.cell(j, at["绩效工资基数"]).value == 3000
    n = next(r for r in range(3, ws.max_row + 1) if ws.cell(r, 1).value == "N")
    assert values.cell(n, at["2026-Q1\n系数"]).value == 1.0 and values.cell(n, at["2026-Q1\n绩效工资"]).value in (None, "")
    assert not ws.cell(j, at["绩效工资基数"]).protection.locked and ws.cell(j, at["2026-Q1\n绩效工资"]).protection.locked
    breaks = [b.id for b in ws.col_breaks.brk]
    # 0-based: Q2's page starts at April, the year's after Q2 (a full quarter leaves no room for it)
    assert breaks == [at["2026-04\n总分"] - 1, _column(at, "2026\n总分") - 1]
    assert ws.print_title_cols == "$A:$B" and 50 <= ws.page_setup.scale <= 100
