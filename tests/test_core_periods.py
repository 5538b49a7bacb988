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
