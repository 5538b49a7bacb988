"""A real spreadsheet program recalculates the result workbook and gets the engine's values.

outputs.md, "Live formulas": "Recalculated by a real spreadsheet program, every formula
gives the engine's own value", and "A person who corrects an actual in Excel sees
attainment, score, colour, total, grade and rank follow". LibreOffice stands in for
Excel, with recalculation on load forced (tests/libreoffice.py).
"""

from __future__ import annotations

import math
import subprocess
from datetime import datetime
from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd
import pytest
import xlsxwriter

from kpi_engine import vocab
from kpi_engine.models import Settings
from kpi_engine.write.workbook import write_workbook

from . import libreoffice as lo
from . import outcome_fixture as fx

pytestmark = [pytest.mark.libreoffice, pytest.mark.slow]
CREATED = datetime(2026, 4, 1, 9, 30)


def _equal(saved, recalculated) -> bool:
    if saved in (None, ""):
        return recalculated in (None, "")
    if isinstance(saved, (int, float)) and isinstance(recalculated, (int, float)):
        return abs(saved - recalculated) < 1e-9
    return saved == recalculated


def test_recalculation_really_happens(tmp_path):
    """Saved values that are deliberately wrong come back right: LibreOffice recalculated."""
    src = tmp_path / "wrong.xlsx"
    book = xlsxwriter.Workbook(src)
    ws = book.add_worksheet()
    ws.write_number(0, 0, 2)
    ws.write_formula(0, 1, "=A1*3", None, 99)
    ws.write_formula(0, 2, '=IF(A1>1,"big","small")', None, "WRONG")
    book.close()
    out = lo.recalc(src, tmp_path / "out")
    ws = openpyxl.load_workbook(out, data_only=True).active
    assert (ws["B1"].value, ws["C1"].value) == (6, "big")


@pytest.mark.parametrize("lang, settings", [
    ("zh", Settings()),
    ("en", Settings(missing_data="zero", lower_formula="inverse", near_from=0.9)),
])
def test_every_formula_recalculates_to_the_engines_value(tmp_path, lang, settings):
    src = tmp_path / "result.xlsx"
    write_workbook(fx.build(settings), src, lang=lang, created=CREATED)
    checked, wrong = _formulas_agree(src, lo.recalc(src, tmp_path / "out"))
    assert checked > 200
    assert wrong == []


def _find_row(ws, emp: str, kpi: str) -> int:
    for i, row in enumerate(ws.iter_rows(min_row=2, values_only=True), start=2):
        if row[0] == emp and row[5] == kpi:
            return i
    raise KeyError((emp, kpi))


# (employee, KPI, new aggregated actual on 明细 or None to clear it, the same edit on the input)
EDITS = [
    # 销售额 (合计): 100 + 0 = 100 of 200 is 50%, below the 60% floor: 0 points,
    # 优秀 → 待改进, and the ranks below move up.
    (fx.HOSTILE_ID, "销售额", 100.0, {"2026-03": 0.0}),
    # 费用率 cleared in both months: no data, the total is renormalised over 85 points.
    (fx.HOSTILE_ID, "费用率", None, {"2026-02": np.nan, "2026-03": np.nan}),
    # 新客户数 (分段): 8 of 10 lands on the 60% tier; E001 drops below its tie partner E006.
    ("E001", "新客户数", 8.0, {"2026-03": 4.0}),
]


@pytest.mark.parametrize("emp, kpi, shown, months", EDITS, ids=["below-floor", "cleared", "tier"])
def test_an_edited_actual_recalculates_like_the_engine(tmp_path, emp, kpi, shown, months):
    data = fx.inputs()
    src = tmp_path / "result.xlsx"
    before = fx.outcome_of(data)
    write_workbook(before, src, created=CREATED)

    book = openpyxl.load_workbook(src)
    row = _find_row(book["明细"], emp, kpi)
    book["明细"][f"K{row}"] = shown
    edited = tmp_path / "edited.xlsx"
    book.save(edited)
    out = lo.recalc(edited, tmp_path / "out")
    got = openpyxl.load_workbook(out, data_only=True)

    expected = fx.outcome_of(fx.with_actuals(data, emp, kpi, months)).results
    old_total = before.results.people.set_index("employee_id").at[emp, "total_rounded"]
    assert expected.people.set_index("employee_id").at[emp, "total_rounded"] != old_total  # the edit matters
    scores = got["明细"]
    for s in expected.scores.itertuples(index=False):
        r = _find_row(scores, s.employee_id, s.kpi)
        cells = [scores[f"{c}{r}"].value for c in "LMN"]
        assert _equal(None if math.isnan(s.attainment) else s.attainment, cells[0]), (s.employee_id, s.kpi)
        assert _equal(None if math.isnan(s.score) else s.score, cells[1]), (s.employee_id, s.kpi)
        assert cells[2] == vocab.word(vocab.STATUSES, s.status, "zh")

    summary = {r[0]: r for r in got["汇总"].iter_rows(min_row=2, values_only=True)}
    for p in expected.people.itertuples(index=False):
        row = summary[p.employee_id]
        total = None if math.isnan(p.total_rounded) else p.total_rounded
        assert _equal(total, row[4]), p.employee_id
        assert (row[5] or "") == (vocab.word(vocab.GRADES, p.grade, "zh") if p.grade else "")
        assert _equal(None if pd.isna(p.team_rank) else int(p.team_rank), row[6]), p.employee_id
        assert _equal(None if pd.isna(p.overall_rank) else int(p.overall_rank), row[7]), p.employee_id
        assert tuple(row[8:12]) == (p.met, p.near, p.below, p.nodata)


def test_the_workbook_prints(tmp_path):
    """PDF through LibreOffice: every visible sheet prints, hostile text as typed."""
    src = tmp_path / "result.xlsx"
    write_workbook(fx.build(), src, created=CREATED)
    pdf = lo.to_pdf(src, tmp_path / "pdf")
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True,
                          check=True).stdout
    for word in ("KPI 考核总览", "超出目标", "总分", "部门排名", "合计/平均", "各部门汇总", "课程编号", "培训前完成率", "级别", "颜色说明",
                 fx.HOSTILE_NAME):
        assert word in text, word
    pages = lo.to_png(pdf, tmp_path / "page", dpi=30, last=2)
    assert len(pages) == 2 and all(p.stat().st_size > 1000 for p in pages)
    assert not (Path(tmp_path / "pdf") / "result.xlsx").exists()


def test_inverse_a_zero_on_a_tier_table_recalculates_to_its_top_step(tmp_path):
    """反向公式 = 目标/实际 and a 分段 KPI whose table tops out above the cap: an actual of
    0 takes the top step (issue 10), in the engine and in the workbook's formulas, also
    after a user types 0 over a small actual."""
    from .test_core_support import inputs, scheme, target

    settings = Settings(lower_formula="inverse", default_cap=1.0)
    rows = scheme([dict(kpi="费用率", weight=60, direction="lower", method="tiers", tier_table="标准"),
                   dict(kpi="销售额", weight=40)])
    targets = [target("E1", "费用率", t=2, a=0), target("E1", "销售额", t=100, a=100, row=3),
               target("E2", "费用率", t=2, a=1, row=4), target("E2", "销售额", t=100, a=100, row=5)]
    data = inputs(targets, scheme_rows=rows, settings=settings)
    outcome = fx.outcome_of(data)
    scores = outcome.results.scores.set_index(["employee_id", "kpi"])
    assert scores.at[("E1", "费用率"), "attainment"] == 1.2  # the table's top step, above the cap 1.0
    assert scores.at[("E1", "费用率"), "score"] >= scores.at[("E2", "费用率"), "score"]

    src = tmp_path / "result.xlsx"
    write_workbook(outcome, src, created=CREATED)
    book = openpyxl.load_workbook(src)
    book["明细"][f"K{_find_row(book['明细'], 'E2', '费用率')}"] = 0  # E2's small actual becomes 0
    edited = tmp_path / "edited.xlsx"
    book.save(edited)
    got = openpyxl.load_workbook(lo.recalc(edited, tmp_path / "out"), data_only=True)["明细"]
    zero = fx.outcome_of(inputs([*targets[:2], target("E2", "费用率", t=2, a=0, row=4), targets[3]],
                                scheme_rows=rows, settings=settings)).results.scores
    for s in zero.itertuples(index=False):
        r = _find_row(got, s.employee_id, s.kpi)
        assert _equal(s.attainment, got[f"L{r}"].value) and _equal(s.score, got[f"M{r}"].value), (s.employee_id, s.kpi)
    assert got[f"L{_find_row(got, 'E2', '费用率')}"].value == pytest.approx(1.2)


def test_coefficient_and_pay_follow_an_edited_actual(tmp_path):
    """系数 and 绩效工资 on 汇总 are formulas over the grade (issue 10): recalculated they give
    the engine's values, and after an actual is edited on 明细 they follow the new grade,
    under both pay rules, with a joiner's proration."""
    from kpi_engine import data as d

    from .test_core_support import inputs, scheme, target

    rows = scheme([dict(kpi="销售额", weight=100, cap=2.0)])
    cells = [("A", "2026-01", 95.0), ("A", "2026-02", 96.0), ("J", "2026-02", 83.0), ("N", "2026-01", 70.0),
             ("N", "2026-02", 50.0)]
    staff = d.frame(d.STAFF_COLUMNS, pd.DataFrame({
        "employee_id": ["A", "J"], "name": "", "team": "", "role": "",
        "joined": pd.to_datetime(["2019-01-01", "2026-02-10"]), "left": pd.to_datetime([None, None]),
        "base": [3333.33, 2500.0], "period": "", "file": "staff.xlsx", "sheet": "人员", "row": [2, 3]}))

    def data_with(j_actual: float, rule: str):
        targets = [target(e, "销售额", m, t=100.0, a=j_actual if e == "J" else a, row=i + 2)
                   for i, (e, m, a) in enumerate(cells)]
        data = inputs(targets, scheme_rows=rows, settings=Settings(pay_rule=rule))
        data.staff = staff
        return data

    for rule in ("base_coefficient", "base_coefficient_total"):
        before = fx.outcome_of(data_with(83.0, rule))
        src = tmp_path / f"{rule}.xlsx"
        write_workbook(before, src, created=CREATED)
        book = openpyxl.load_workbook(src)
        book["明细"][f"K{_find_row(book['明细'], 'J', '销售额')}"] = 93.0  # 良好 → 优秀
        edited = tmp_path / f"{rule}-edited.xlsx"
        book.save(edited)
        got = openpyxl.load_workbook(lo.recalc(edited, tmp_path / f"out-{rule}"), data_only=True)["汇总"]
        header = [c.value for c in got[2]]
        col = {h: i for i, h in enumerate(header)}
        expected = fx.outcome_of(data_with(93.0, rule)).results.people.set_index("employee_id")
        assert expected.at["J", "grade"] != before.results.people.set_index("employee_id").at["J", "grade"]
        seen = 0
        for r in got.iter_rows(min_row=3, values_only=True):
            if r[0] not in expected.index:
                continue
            p = expected.loc[r[0]]
            assert _equal(None if math.isnan(p["coefficient"]) else p["coefficient"], r[col["系数"]]), (rule, r[0])
            assert _equal(None if math.isnan(p["pay"]) else p["pay"], r[col["绩效工资"]]), (rule, r[0])
            seen += 1
        assert seen == 3
        # J joined in February, the second of the two months: 2500 × 1.2 [× 93/100] × 1/2.
        assert expected.at["J", "pay"] == (1500.0 if rule == "base_coefficient" else 1395.0)


def test_probation_left_out_of_the_distribution_recalculates(tmp_path):
    """试用期不计入等级分布 = 是: 总览's live grade counts skip the person on probation (汇总's
    hidden 计入等级分布 column), and every formula recalculates to the saved value."""
    from kpi_engine import data as d

    from .test_core_support import inputs, scheme, target

    rows = scheme([dict(kpi="销售额", weight=100, cap=2.0)])
    targets = [target(e, "销售额", "2026-03", t=100.0, a=a, row=i + 2)
               for i, (e, a) in enumerate([("A", 95.0), ("B", 85.0), ("J", 99.0)])]
    data = inputs(targets, scheme_rows=rows, settings=Settings(probation_excluded=True))
    data.staff = d.frame(d.STAFF_COLUMNS, pd.DataFrame({
        "employee_id": ["J"], "name": "", "team": "", "role": "", "joined": pd.to_datetime(["2026-03-02"]),
        "left": pd.to_datetime([None]), "base": [2000.0], "period": "", "file": "staff.xlsx", "sheet": "人员",
        "row": [2]}))
    outcome = fx.outcome_of(data)
    src = tmp_path / "result.xlsx"
    write_workbook(outcome, src, created=CREATED)
    out = lo.recalc(src, tmp_path / "out")
    _, wrong = _formulas_agree(src, out)
    assert wrong == []
    overview = openpyxl.load_workbook(out, data_only=True)["总览"]
    counts = {r[0]: r[1] for r in overview.iter_rows(values_only=True) if r[0] in ("优秀", "良好")}
    assert counts == {"优秀": 1, "良好": 1}  # J (优秀, on probation) is not counted
    assert outcome.results.team_summary.iloc[0]["excellent"] == 1


def _formulas_agree(src: Path, out: Path) -> tuple[int, list]:
    """Every formula cell of ``src``: its saved value against LibreOffice's recalculated one."""
    formulas = openpyxl.load_workbook(src)
    saved = openpyxl.load_workbook(src, data_only=True)
    recalculated = openpyxl.load_workbook(out, data_only=True)
    checked, wrong = 0, []
    for ws in formulas.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                if cell.data_type == "f":
                    checked += 1
                    a, b = saved[ws.title][cell.coordinate].value, recalculated[ws.title][cell.coordinate].value
                    if not _equal(a, b):
                        wrong.append((ws.title, cell.coordinate, cell.value, a, b))
    return checked, wrong


def test_linear_tiers_and_accelerators_recalculate_to_the_engines_value(tmp_path):
    """Scoring curves (issue 10): a 线性 tier table and 完成率 accelerators, in the engine and
    in the workbook's formulas — on a point, between points, above the top; below the start,
    above it, at the cap — also after a user edits an actual on 明细."""
    from .test_core_support import inputs, scheme, target, tiers

    rows = scheme([dict(kpi="新客户数", weight=30, method="tiers", tier_table="线性"),
                   dict(kpi="销售额", weight=50, cap=1.2, accel_from=1.0, accel_by=1.5),
                   dict(kpi="回款率", weight=20, floor=0.6, accel_by=2.0)])  # starts at 100%
    points = [(0.0, 0.0), (0.8, 0.6), (1.0, 1.0), (1.2, 1.2)]
    tier_rows = [*tiers(), *({**t, "curve": "linear"} for t in tiers("线性", points))]
    cases = {"E1": (8, 90, 95), "E2": (8.5, 108, 105), "E3": (15, 130, 50), "E4": (11, 100, 61)}
    targets = [target(e, k, t=t, a=a, row=2 + 3 * i + j)
               for i, (e, actuals) in enumerate(cases.items())
               for j, (k, t, a) in enumerate(zip(("新客户数", "销售额", "回款率"), (10, 100, 100), actuals))]
    data = inputs(targets, scheme_rows=rows, tier_rows=tier_rows)
    outcome = fx.outcome_of(data)
    scores = outcome.results.scores.set_index(["employee_id", "kpi"])["score"]
    assert scores[("E2", "新客户数")] == pytest.approx(30 * 0.7)  # 60% + 5 points × 2
    assert scores[("E2", "销售额")] == pytest.approx(50 * 1.12)  # 100% + 8 × 1.5
    assert scores[("E3", "销售额")] == pytest.approx(50 * 1.2)  # accelerated past the cap
    assert scores[("E4", "回款率")] == pytest.approx(20 * 0.61)  # below the start: r itself

    src = tmp_path / "result.xlsx"
    write_workbook(outcome, src, created=CREATED)
    checked, wrong = _formulas_agree(src, lo.recalc(src, tmp_path / "out"))
    assert checked > 40 and wrong == []

    # Edits on 明细: E1's 新客户数 8 → 9.3 (between points), E4's 销售额 100 → 112 (above the
    # start), E3's 回款率 50 → 130 (accelerated to the cap).
    edits = {("E1", "新客户数"): 9.3, ("E4", "销售额"): 112, ("E3", "回款率"): 130}
    book = openpyxl.load_workbook(src)
    for (e, k), a in edits.items():
        book["明细"][f"K{_find_row(book['明细'], e, k)}"] = a
    edited = tmp_path / "edited.xlsx"
    book.save(edited)
    got = openpyxl.load_workbook(lo.recalc(edited, tmp_path / "out2"), data_only=True)
    changed = [target(t.employee_id, t.kpi, t=t.target, a=edits.get((t.employee_id, t.kpi), t.actual), row=t.row)
               for t in data.targets.itertuples(index=False)]
    expected = fx.outcome_of(inputs(changed, scheme_rows=rows, tier_rows=tier_rows)).results
    for s in expected.scores.itertuples(index=False):
        r = _find_row(got["明细"], s.employee_id, s.kpi)
        cells = [got["明细"][f"{c}{r}"].value for c in "LMN"]
        assert _equal(s.attainment, cells[0]) and _equal(s.score, cells[1]), (s.employee_id, s.kpi, s.score, cells)
        assert cells[2] == vocab.word(vocab.STATUSES, s.status, "zh")
    summary = {r[0]: r for r in got["汇总"].iter_rows(min_row=2, values_only=True)}
    for p in expected.people.itertuples(index=False):
        assert _equal(p.total_rounded, summary[p.employee_id][4]), p.employee_id
    moved = expected.scores.set_index(["employee_id", "kpi"])["score"]
    assert moved[("E1", "新客户数")] == pytest.approx(30 * (0.6 + 0.13 * 2))
    assert moved[("E4", "销售额")] == pytest.approx(50 * 1.18)
    assert moved[("E3", "回款率")] == pytest.approx(20 * 1.2)  # 100% + 30 × 2 = 160%, capped at 120%


@pytest.mark.parametrize("rollup", ["monthly_mean", "cumulative"])
def test_period_coefficient_and_pay_recalculate_also_after_an_edited_month(tmp_path, rollup):
    """周期's 系数 and 绩效工资 (issue 10) are 汇总's formulas over each period's 等级: recalculated
    they give the engine's values for every month, quarter and year (the worked example of
    docs/decisions.md, "Periods": a joiner, a leaver whose late June row is not paid, someone
    without a 基数). Under 月均分, J's April actual edited from 70 to 92 (合格 → 优秀): typed on
    明细 it moves 汇总; the month's total typed on 周期 (a value there: the month scored alone)
    moves April's grade, 系数 and 绩效工资, Q2's total, grade, 系数 and 绩效工资 and the
    year's; and a what-if 基数 typed on 周期 moves every pay of the row. Each figure is then
    the engine's for the edited input."""
    from kpi_engine import pipeline

    from .test_core_periods import _pay_data

    data = _pay_data(rollup=rollup)
    before = pipeline.score(data)
    src = tmp_path / "result.xlsx"
    write_workbook(before, src, created=CREATED)
    _check_periods(openpyxl.load_workbook(lo.recalc(src, tmp_path / "out"), data_only=True)["周期"],
                   before.results.periods)
    if rollup != "monthly_mean":
        return

    book = openpyxl.load_workbook(src)
    ws = book["周期"]
    at = {c.value: c.column for c in ws[2]}
    j = next(r for r in range(3, ws.max_row + 1) if ws.cell(r, 1).value == "J")
    ws.protection.sheet = False
    ws.cell(j, at["2026-04\n总分"]).value = 92.0
    ws.cell(j, at["绩效工资基数"]).value = 4000.0
    scores = book["明细"]
    scores[f"K{_find_row(scores, 'J', '销售额')}"] = 95 + 85 + 92 + 100 + 50
    edited = tmp_path / "edited" / "result.xlsx"
    edited.parent.mkdir()
    book.save(edited)
    got = openpyxl.load_workbook(lo.recalc(edited, tmp_path / "out2"), data_only=True)

    data.targets.loc[(data.targets["employee_id"] == "J") & (data.targets["period"] == "2026-04"), "actual"] = 92.0
    data.staff.loc[data.staff["employee_id"] == "J", "base"] = 4000.0
    after = pipeline.score(data).results
    periods = after.periods.set_index(["employee_id", "period"])
    old = before.results.periods.set_index(["employee_id", "period"])
    assert (old.at[("J", "2026-04"), "grade"], periods.at[("J", "2026-04"), "grade"]) == ("pass", "excellent")
    assert (old.at[("J", "2026-Q2"), "grade"], periods.at[("J", "2026-Q2"), "grade"]) == ("pass", "good")
    assert periods.at[("J", "2026-Q2"), "pay"] == 4000.0  # 4000 × 1.0 × 3/3
    _check_periods(got["周期"], after.periods)
    summary = got["汇总"]
    col = {c.value: c.column - 1 for c in summary[2]}
    row = next(r for r in summary.iter_rows(min_row=3, values_only=True) if r[0] == "J")
    p = after.people.set_index("employee_id").loc["J"]
    assert _equal(p["total_rounded"], row[col["总分"]]) and _equal(p["coefficient"], row[col["系数"]])
    assert p["base"] == 4000.0 and row[col["绩效工资基数"]] == 3000.0  # 汇总's base was not edited
    assert _equal(round(3000.0 * p["coefficient"] * 5 / 6, 2), row[col["绩效工资"]])


def _check_periods(ws, periods: pd.DataFrame) -> None:
    """Every person's total, grade, 系数 and 绩效工资 on 周期 against core.periods."""
    header = [c.value for c in ws[2]]
    seen = 0
    for r in range(3, ws.max_row + 1):
        emp = ws.cell(r, 1).value
        if emp is None:
            break
        mine = periods.loc[periods["employee_id"] == emp]
        for c, h in enumerate(header, start=1):
            if not h or "\n" not in h:
                continue
            period, field = h.split("\n")
            field = field.split("（")[0]
            got = mine.loc[mine["period"] == period]
            value = ws.cell(r, c).value
            if got.empty:
                assert value in (None, "", 0), (emp, h, value)
                continue
            g = got.iloc[0]
            want = {"总分": g["total_rounded"], "系数": g["coefficient"], "绩效工资": g["pay"],
                    "等级": vocab.word(vocab.GRADES, g["grade"], "zh") if g["grade"] else None,
                    "计入月数": g["months_counted"]}[field]
            if isinstance(want, float) and math.isnan(want):
                want = None
            assert _equal(want, value), (emp, h, want, value)
            seen += 1
    assert seen > 50
