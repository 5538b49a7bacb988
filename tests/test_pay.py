"""Grade → 绩效系数 → 绩效工资, months in post, probation and the --from/--to gap warning
(issue 10, items 2 and 3; docs/decisions.md, "Pay")."""

from __future__ import annotations

import math
from datetime import date

import numpy as np
import openpyxl
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings as hsettings, strategies as st

from kpi_engine import core, pipeline, vocab
from kpi_engine import data as d
from kpi_engine.core.pay import coefficient_of, pay
from kpi_engine.core.rounding import round_half_up
from kpi_engine.models import Settings
from kpi_engine.write.workbook import write_workbook as write_result

from . import builders as b
from .test_core_support import inputs, scheme, target

ONE_KPI = scheme([dict(kpi="销售额", weight=100, cap=2.0)])


def _staff(rows) -> pd.DataFrame:
    """人员 rows: (工号, 入职, 离职, 基数); dates as "YYYY-MM-DD" or None."""
    return d.frame(d.STAFF_COLUMNS, pd.DataFrame({
        "employee_id": [r[0] for r in rows], "name": "", "team": "", "role": "",
        "joined": pd.to_datetime([r[1] for r in rows]), "left": pd.to_datetime([r[2] for r in rows]),
        "base": [r[3] for r in rows], "period": "", "file": "staff.xlsx", "sheet": "人员",
        "row": range(2, len(rows) + 2),
    }))


def _score(people: dict[str, dict[str, float]], staff=(), settings: Settings | None = None):
    """people: 工号 → {month: attainment of the one KPI (target 100)}."""
    rows = [target(emp, "销售额", month, t=100.0, a=100.0 * r, row=i + 2)
            for i, (emp, months) in enumerate((e, m) for e, ms in people.items() for m in [ms])
            for month, r in months.items()]
    data = inputs(rows, scheme_rows=ONE_KPI, settings=settings or Settings())
    if staff:
        data.staff = _staff(staff)
    return core.score(data).people.set_index("employee_id")


# --- worked examples (docs/decisions.md, "Pay") -------------------------------------------

# (rule, prorate, grade, total, base, months in post, months in period, coefficient, pay)
PAY_EXAMPLES = [
    ("base_coefficient", True, "excellent", 93.5, 3000.0, 3, 3, 1.2, 3600.00),
    ("base_coefficient", True, "good", 85.0, 3000.0, 3, 3, 1.0, 3000.00),
    ("base_coefficient", True, "pass", 70.0, 3000.0, 2, 3, 0.8, 1600.00),      # joined in month 2 of 3
    ("base_coefficient", False, "pass", 70.0, 3000.0, 2, 3, 0.8, 2400.00),     # 按在岗月数折算 = 否
    ("base_coefficient", True, "improve", 55.0, 2500.0, 1, 3, 0.6, 500.00),
    ("base_coefficient_total", True, "excellent", 93.5, 3000.0, 3, 3, 1.2, 3366.00),
    ("base_coefficient_total", True, "good", 81.25, 4000.0, 1, 3, 1.0, 1083.33),  # 1083.333… rounded
    ("base_coefficient", True, "good", 85.0, float("nan"), 3, 3, 1.0, float("nan")),  # no 基数: coefficient only
    ("base_coefficient", True, "", float("nan"), 3000.0, 3, 3, float("nan"), float("nan")),  # no total
]


@pytest.mark.parametrize("rule, prorate, grade, total, base, months, n, coefficient, expected", PAY_EXAMPLES)
def test_pay_worked_examples(rule, prorate, grade, total, base, months, n, coefficient, expected):
    s = Settings(pay_rule=rule, prorate=prorate)
    c = coefficient_of(grade, s)
    assert (math.isnan(c) and math.isnan(coefficient)) or c == coefficient
    got = pay(base, c, total, months, s, n)
    assert (math.isnan(got) and math.isnan(expected)) or got == expected


# (case, people's months with rows, 人员 rows, settings, expected per person: joined, left, months in post, flags)
POST_EXAMPLES = [
    ("rows only: joiner and leaver",
     {"A": ["2026-01", "2026-02", "2026-03"], "J": ["2026-02", "2026-03"], "L": ["2026-01"]}, (),
     Settings(), {"A": ("", "", 3, ()), "J": ("2026-02", "", 2, ("new_hire",)), "L": ("", "2026-01", 1, ("leaver",))}),
    ("人员 dates win over rows",
     {"A": ["2026-01", "2026-02", "2026-03"], "J": ["2026-01", "2026-02", "2026-03"]},
     (("J", "2026-02-10", None, 3000.0), ("A", "2019-05-01", "2026-02-28", 3000.0)), Settings(),
     {"J": ("2026-02", "", 2, ("new_hire", "probation")), "A": ("2019-05", "2026-02", 2, ("leaver",))}),
    # Joined 2025-12, the period ends 2026-03: three months on (Dec, Jan, Feb) at its last month.
    ("on probation: fewer months than 试用期月数",
     {"P": ["2026-01", "2026-02", "2026-03"]}, (("P", "2025-12-01", None, 3000.0),),
     Settings(probation_months=4), {"P": ("2025-12", "", 3, ("probation",))}),
    ("probation over: as many months as 试用期月数",
     {"P": ["2026-01", "2026-02", "2026-03"]}, (("P", "2025-12-01", None, 3000.0),),
     Settings(probation_months=3), {"P": ("2025-12", "", 3, ())}),
]


@pytest.mark.parametrize("case, months, staff, settings, expected", POST_EXAMPLES, ids=[c[0] for c in POST_EXAMPLES])
def test_months_in_post_worked_examples(case, months, staff, settings, expected):
    people = _score({e: {m: 1.0 for m in ms} for e, ms in months.items()}, staff, settings)
    for emp, (joined, left, n, flags) in expected.items():
        p = people.loc[emp]
        assert (p["joined"], p["left"], p["months_in_post"], p["flags"]) == (joined, left, n, flags), emp


def test_a_joiners_pay_is_prorated_and_the_base_of_the_target_sheet_counts():
    staff = (("J", "2026-02-10", None, 3000.0),)
    people = _score({"A": {"2026-01": 1.0, "2026-02": 1.0, "2026-03": 1.0},
                     "J": {"2026-02": 0.95, "2026-03": 0.95}}, staff)
    assert people.at["J", "grade"] == "excellent" and people.at["J", "coefficient"] == 1.2
    assert people.at["J", "pay"] == 2400.0  # 3000 × 1.2 × 2/3
    assert people.at["J", "months_in_post"] == 2
    assert math.isnan(people.at["A", "base"]) and math.isnan(people.at["A", "pay"])
    assert people.at["A", "coefficient"] == 1.2  # without a base the coefficient still shows


def test_probation_can_leave_the_grade_distribution():
    staff = (("J", "2026-03-01", None, 3000.0),)
    scores = {"A": {"2026-03": 1.0}, "B": {"2026-03": 0.85}, "J": {"2026-03": 1.0}}
    rows = [target(e, "销售额", m, t=100.0, a=100.0 * r, row=i + 2)
            for i, (e, ms) in enumerate(scores.items()) for m, r in ms.items()]
    for excluded, (excellent, scored) in ((False, (2, 3)), (True, (1, 2))):
        data = inputs(rows, scheme_rows=ONE_KPI, settings=Settings(probation_excluded=excluded))
        data.staff = _staff(staff)
        res = core.score(data)
        team = res.team_summary.iloc[0]
        assert (team["excellent"], team["scored"], team["excluded"]) == (excellent, scored, int(excluded))
        assert res.people.set_index("employee_id").at["J", "grade"] == "excellent"  # keeps their grade


# --- the property: coefficient and pay follow the grade ------------------------------------

coef = st.floats(0, 3, allow_nan=False).map(lambda v: round(v, 2))


@hsettings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    attainments=st.lists(st.floats(0, 1.5, allow_nan=False, allow_subnormal=False), min_size=1, max_size=6),
    bases=st.lists(st.one_of(st.none(), st.floats(0, 50_000, allow_nan=False).map(lambda v: round(v, 2))),
                   min_size=6, max_size=6),
    firsts=st.lists(st.integers(0, 2), min_size=6, max_size=6),
    coefficients=st.tuples(coef, coef, coef, coef),
    rule=st.sampled_from(["base_coefficient", "base_coefficient_total"]),
    prorate=st.booleans(),
)
def test_coefficient_and_pay_follow_the_grade(attainments, bases, firsts, coefficients, rule, prorate):
    months = ("2026-01", "2026-02", "2026-03")
    s = Settings(**dict(zip(vocab.GRADE_COEFFICIENTS.values(), coefficients)), pay_rule=rule, prorate=prorate)
    people = {f"E{i}": {m: r for m in months[firsts[i]:]} for i, r in enumerate(attainments)}
    staff = [(f"E{i}", None, None, bases[i]) for i in range(len(attainments)) if bases[i] is not None]
    got = _score(people, staff, s)
    start = min(firsts[:len(attainments)])  # the scope: the months with rows
    n = 3 - start
    for emp, p in got.iterrows():
        i = int(emp[1:])
        assert p["coefficient"] == s.coefficients()[p["grade"]]  # every person here has a grade
        assert p["months_in_post"] == 3 - firsts[i]
        assert ("new_hire" in p["flags"]) == (firsts[i] > start)
        if bases[i] is None:
            assert math.isnan(p["pay"])
            continue
        v = bases[i] * p["coefficient"]
        if rule == "base_coefficient_total":
            v = v * p["total_rounded"] / 100
        if prorate:
            v = v * (3 - firsts[i]) / n
        assert p["pay"] == round_half_up(v, 2)
    # Same grade and base, same months: same pay; a better grade never pays less when the
    # coefficients rise with the grade.
    if list(coefficients) == sorted(coefficients, reverse=True) and rule == "base_coefficient":
        order = ["improve", "pass", "good", "excellent"]
        same = got.assign(rank=got["grade"].map(order.index), per_month=got["pay"] / got["months_in_post"])
        same = same[got["base"] == got["base"].max()].dropna(subset=["pay"])
        ranked = same.sort_values("rank")
        if prorate is False or (same["months_in_post"] == 3).all():
            assert ranked["pay"].is_monotonic_increasing


# --- bad input names its cell -----------------------------------------------------------------


def _folder(tmp_path, settings_rows=(), staff_rows=None, targets_extra=None):
    folder = b.clean_folder(tmp_path / "in", months=("2026-01", "2026-02"))
    form = folder / "assessment_form.xlsx"
    wb = openpyxl.load_workbook(form)
    for row in settings_rows:
        wb["设置"].append(list(row))
    wb.save(form)
    if staff_rows is not None:
        b.write_workbook(folder / "staff.xlsx", {"人员": [["工号", "姓名", "部门", "岗位", "入职日期", "离职日期", "绩效工资基数"],
                                                         *staff_rows]})
    return folder


def test_bad_pay_input_is_named_by_cell(tmp_path):
    folder = _folder(
        tmp_path,
        settings_rows=[("优秀系数", "一点二"), ("良好系数", -1), ("按在岗月数折算", "也许")],
        staff_rows=[["E001", "张伟", "华东", "销售代表", date(2020, 1, 1), None, -500],
                    ["E002", "王芳", "华东", "销售代表", date(2026, 2, 1), date(2025, 12, 31), 3000],
                    ["E003", "李娜", "华南", "销售代表", "去年", None, "三千"]])
    data = pipeline.load([folder])
    issues = {(i.code, i.sheet, i.cell) for i in data.report.issues}
    assert ("bad_number", "设置", "B5") in issues            # 优秀系数 一点二
    assert ("out_of_range", "设置", "B6") in issues          # 良好系数 -1
    assert ("bad_word", "设置", "B7") in issues              # 按在岗月数折算 也许
    assert ("negative_pay_base", "人员", "G2") in issues     # 基数 -500
    assert ("left_before_joined", "人员", "F3") in issues    # 离职 < 入职
    assert ("bad_period", "人员", "E4") in issues            # 入职日期 去年
    assert ("bad_number", "人员", "G4") in issues            # 基数 三千
    msg = next(i for i in data.report.issues if i.code == "left_before_joined")
    assert "2025-12-31" in msg.message("zh") and "2026-02-01" in msg.message("zh")
    assert data.settings.coefficient_excellent == 1.2 and data.settings.prorate is True  # defaults kept
    # The bad cells are left out; the people are still scored.
    res = pipeline.score(data).results.people.set_index("employee_id")
    assert res["total"].notna().all()
    assert math.isnan(res.at["E001", "pay"]) and res.at["E002", "flags"] == ()


def test_settings_and_target_sheet_base_reach_the_pay(tmp_path):
    folder = _folder(tmp_path, settings_rows=[("优秀系数", 1.5), ("良好系数", "110%"),
                                              ("绩效工资公式", "基数×系数×总分/100"), ("按在岗月数折算", "否")])
    sheet = folder / "targets_2026-02.xlsx"
    wb = openpyxl.load_workbook(sheet)
    ws = wb["目标管理"]
    ws.cell(1, 11, "绩效工资基数")
    ws.cell(2, 11, 4000)  # E001's first row
    wb.save(sheet)
    data = pipeline.load([folder])
    assert (data.settings.coefficient_excellent, data.settings.coefficient_good) == (1.5, 1.1)
    people = pipeline.score(data).results.people.set_index("employee_id")
    p = people.loc["E001"]
    assert p["base"] == 4000.0
    assert p["pay"] == round_half_up(4000 * p["coefficient"] * p["total_rounded"] / 100, 2)
    assert people["base"].isna().sum() == len(people) - 1


def test_a_range_with_months_without_data_says_so(tmp_path):
    folder = b.clean_folder(tmp_path / "in", months=("2026-01", "2026-02"))
    data = pipeline.load([folder])
    got = pipeline.score(data, start="2025-11", end="2026-02")
    warn = [i for i in got.report.issues if i.code == "range_months_missing"]
    assert len(warn) == 1 and warn[0].level == "warning"
    assert "2025-11、2025-12" in warn[0].message("zh") and "2025-11、2025-12" in warn[0].message("en")
    assert got.results.scope == ("2026-01", "2026-02")
    full = pipeline.score(data, start="2026-01", end="2026-02")
    assert not [i for i in full.report.issues if i.code == "range_months_missing"]


def test_summary_shows_coefficient_and_pay_as_formulas(tmp_path):
    staff = (("J", "2026-02-10", None, 3000.0), ("A", None, None, 2000.0))
    rows = [target(e, "销售额", m, t=100.0, a=a, row=i + 2) for i, (e, m, a) in enumerate(
        [("A", "2026-01", 80.0), ("A", "2026-02", 90.0), ("J", "2026-02", 95.0), ("N", "2026-01", 70.0),
         ("N", "2026-02", 70.0)])]
    data = inputs(rows, scheme_rows=ONE_KPI)
    data.staff = _staff(staff)
    from .outcome_fixture import outcome_of

    outcome = outcome_of(data)
    out = tmp_path / "r.xlsx"
    write_result(outcome, out)
    ws = openpyxl.load_workbook(out)["汇总"]
    values = openpyxl.load_workbook(out, data_only=True)["汇总"]
    header = [c.value for c in ws[2]]
    col = {h: i for i, h in enumerate(header)}
    people = outcome.results.people.set_index("employee_id")
    for r in range(3, 3 + len(people)):
        emp = ws.cell(r, 1).value
        coef_cell, pay_cell = ws.cell(r, col["系数"] + 1), ws.cell(r, col["绩效工资"] + 1)
        assert coef_cell.data_type == "f" and "kpi_coef_excellent" in coef_cell.value
        assert pay_cell.data_type == "f" and "kpi_period_months" in pay_cell.value
        p = people.loc[emp]
        saved_pay = values.cell(r, col["绩效工资"] + 1).value
        assert (saved_pay in (None, "") and math.isnan(p["pay"])) or saved_pay == p["pay"]
        assert values.cell(r, col["系数"] + 1).value == p["coefficient"]
        assert values.cell(r, col["在岗月数"] + 1).value == p["months_in_post"]
    assert np.isnan(people.at["N", "pay"]) and people.at["J", "pay"] == 1800.0  # 3000 × 1.2 × 1/2


# --- 人员 rows of someone without target rows (docs/decisions.md, "人员 rows without target rows") ---


def test_staff_rows_without_target_rows_are_listed_and_counted_as_skipped(tmp_path):
    """Every 人员 row is used or listed: someone out of post for the whole scope by their own
    dates is an info, someone in post (or without dates) a warning; their rows move from used
    to skipped and the sheet's counts still add up."""
    folder = _folder(tmp_path, staff_rows=[
        ["E001", "张伟", "华东", "销售代表", date(2020, 1, 1), None, 3000],       # scored
        ["E099", "赵敏", "华东", "销售代表", None, None, 3000],                   # in post, no rows
        ["E098", "钱进", "华南", "销售代表", date(2019, 3, 1), date(2025, 12, 31), 3000],  # left before
        ["E097", "孙悦", "华南", "销售代表", date(2026, 3, 2), None, 3000],        # joins after
        ["E096", "李雷", "华南", "销售代表", date(2021, 3, 2), date(2026, 1, 31), None],  # left inside, no rows
    ])
    outcome = pipeline.score(pipeline.load([folder]))
    got = [(i.code, i.level, i.file, i.sheet, i.cell, i.value) for i in outcome.report.issues
           if i.code.startswith("staff_")]
    assert got == [
        ("staff_without_targets", "warning", "staff.xlsx", "人员", "A3", "E099"),
        ("staff_left_before_scope", "info", "staff.xlsx", "人员", "A4", "2025-12-31"),
        ("staff_joined_after_scope", "info", "staff.xlsx", "人员", "A5", "2026-03-02"),
        ("staff_without_targets", "warning", "staff.xlsx", "人员", "A6", "E096"),
    ]
    warning = next(i for i in outcome.report.issues if i.code == "staff_without_targets")
    assert warning.message("zh") == (
        "人员!A3：人员表中的 E099（赵敏）在评分期间 2026-01 – 2026-02 内没有任何目标行；未评分。如果此人应参加考核，"
        "请在目标管理表中加入其目标行（工号须与人员表完全一致，例如 00123 与 123 不同）；如果此人已离职，请在人员表填写离职日期。")
    assert "E098 (钱进)" in next(i for i in outcome.report.issues if i.code == "staff_left_before_scope").message("en")
    staff = next(c for c in outcome.report.counts if c.kind == "staff")
    assert (staff.read, staff.used, staff.skipped) == (5, 1, 4)
    assert staff.read == staff.used + staff.rejected + staff.duplicates + staff.skipped
    assert set(outcome.results.people["employee_id"]) >= {"E001"}
    assert not {"E099", "E098", "E097", "E096"} & set(outcome.results.people["employee_id"])


def test_a_staff_row_outside_a_shorter_scope_is_listed_for_that_run(tmp_path):
    """--period 2026-01 with a 人员 row of someone whose rows are in February only: not scored
    in January, so listed (a warning: no dates say they were out of post)."""
    folder = _folder(tmp_path, staff_rows=[["E001", "张伟", "华东", "销售代表", None, None, 3000]])
    data = pipeline.load([folder])
    data.targets = data.targets.loc[~((data.targets["employee_id"] == "E001")
                                      & (data.targets["period"] == "2026-01"))].reset_index(drop=True)
    jan = pipeline.score(data, period="2026-01")
    assert [(i.code, i.cell) for i in jan.report.issues if i.code.startswith("staff_")] == [
        ("staff_without_targets", "A2")]
    both = pipeline.score(data)  # February has E001's rows: nothing to say
    assert not [i for i in both.report.issues if i.code.startswith("staff_")]
    assert next(c for c in both.report.counts if c.kind == "staff").skipped == 0
