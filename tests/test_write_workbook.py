"""The result workbook read back with openpyxl: sheets, headers, values, formats, colours,
formulas, properties, hostile text, page setup (outputs.md, "The result workbook")."""

from __future__ import annotations

import math
import zipfile
from dataclasses import replace
from datetime import datetime
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from kpi_engine import core, vocab
from kpi_engine.data import RESULT_PROPERTY
from kpi_engine.issues import ISSUE_COLUMNS
from kpi_engine.models import Settings
from kpi_engine.write import labels as lb
from kpi_engine.write import styles as st
from kpi_engine.write.sheetkit import text_width
from kpi_engine.write.detail import summary_order
from kpi_engine.write.workbook import write_workbook

from . import outcome_fixture as fx

CREATED = datetime(2026, 4, 1, 9, 30)
SUMMARY_FIRST = 3  # 汇总: a title row, the header row, then the people
STATUS_FILL = {"met": "FFC6EFCE", "near": "FFFFEB9C", "below": "FFFFC7CE"}
STATUS_FONT = {"met": "FF006100", "near": "FF9C5700", "below": "FF9C0006", "nodata": "FF808080"}


@pytest.fixture(scope="module")
def outcome():
    return fx.build()


@pytest.fixture(scope="module")
def books(outcome, tmp_path_factory):
    """{lang: (workbook with formulas, workbook with saved values, path)}"""
    out = {}
    for lang in ("zh", "en"):
        path = tmp_path_factory.mktemp(f"wb_{lang}") / f"result_{lang}.xlsx"
        write_workbook(outcome, path, lang=lang, created=CREATED)
        out[lang] = (openpyxl.load_workbook(path), openpyxl.load_workbook(path, data_only=True), path)
    return out


def _sheet(books, lang, key, values=False):
    book = books[lang][1 if values else 0]
    return book[lb.sheet_name(key, lang)]


def _rows(ws, first=2):
    return list(ws.iter_rows(min_row=first, values_only=True))


def _people(outcome):
    """汇总 order: by overall rank, ties by 工号, people without a total last."""
    return summary_order(outcome.results.people)


def _scores(outcome):
    """明细 order: people in 汇总 order, KPIs in scheme order."""
    people = list(_people(outcome)["employee_id"])
    s = outcome.results.scores.copy()
    s["_p"] = s["employee_id"].map({e: i for i, e in enumerate(people)})
    return s.sort_values(["_p", "order"], kind="stable").reset_index(drop=True)


def _same(a, b) -> bool:
    if a is None or a == "":
        return b is None or b is pd.NA or (isinstance(b, float) and math.isnan(b)) or b == ""
    if b is pd.NA:
        return False
    if isinstance(a, (int, float)) and isinstance(b, (int, float)):
        return abs(a - b) < 1e-9
    return a == b


# --- sheets and headers --------------------------------------------------------------


@pytest.mark.parametrize("lang, names", [
    ("zh", ["总览", "汇总", "明细", "月度", "周期", "团队", "培训", "培训课程", "培训前后", "问题", "说明", "参数"]),
    ("en", ["Overview", "Summary", "Scores", "Monthly", "Periods", "Teams", "Training", "Courses", "Before-after", "Issues",
            "About", "Parameters"]),
])
def test_sheet_names_order_and_very_hidden_parameters(books, lang, names):
    book = books[lang][0]
    assert book.sheetnames == names
    assert [book[n].sheet_state for n in names] == ["visible"] * 11 + ["veryHidden"]
    assert book.active.title == names[0]


@pytest.mark.parametrize("lang, key, expected", [
    ("zh", "summary", ["工号", "姓名", "部门", "岗位", "总分", "等级", "部门排名", "总排名", "达标", "持平", "未达标", "无数据", "备注",
                       "标记"]),
    ("en", "summary", ["Employee ID", "Name", "Team", "Role", "Total", "Grade", "Team rank", "Overall rank",
                       "Met", "Near", "Below", "No data", "Notes", "Flags"]),
    ("zh", "scores", ["工号", "姓名", "部门", "岗位", "类别", "指标", "方向", "计分方式", "权重", "目标值", "实际值",
                      "完成率", "得分", "状态", "备注"]),
    ("en", "scores", ["Employee ID", "Name", "Team", "Role", "Category", "KPI", "Direction", "Method", "Weight",
                      "Target", "Actual", "Attainment", "Score", "Status", "Notes"]),
    ("zh", "monthly", ["工号", "姓名", "指标", "2026-02", "2026-03", "合计/平均"]),
    ("en", "monthly", ["Employee ID", "Name", "KPI", "2026-02", "2026-03", "Total/Mean"]),
    ("zh", "teams", ["部门", "指标", "汇总方式", "目标值", "实际值", "完成率", "状态"]),
    ("en", "teams", ["Team", "KPI", "Aggregation", "Target", "Actual", "Attainment", "Status"]),
    ("zh", "issues", ["级别", "文件", "工作表", "单元格", "字段", "值", "说明"]),
    ("en", "issues", ["Level", "File", "Sheet", "Cell", "Field", "Value", "Message"]),
    ("zh", "training", list(zh for zh, _ in lb.TRAINING_PEOPLE.values())),
    ("en", "training", list(en for _, en in lb.TRAINING_PEOPLE.values())),
])
def test_headers(books, lang, key, expected):
    ws = _sheet(books, lang, key)
    header_row = SUMMARY_FIRST - 1 if key == "summary" else 1
    header = [c.value for c in ws[header_row]][: len(expected)]
    assert header == expected


# --- 明细 ------------------------------------------------------------------------------


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_scores_rows_hold_the_engines_values(books, outcome, lang):
    scores = _scores(outcome)
    rows = _rows(_sheet(books, lang, "scores", values=True))
    assert len(rows) == len(scores)
    for row, s in zip(rows, scores.itertuples(index=False)):
        assert row[:6] == (s.employee_id, s.name, s.team, s.role, s.category or None, s.kpi)
        assert row[6] == vocab.word(vocab.DIRECTIONS, s.direction, lang)
        assert row[7] == vocab.word(vocab.METHODS, s.method, lang)
        assert row[8] == s.weight
        assert _same(row[9], s.target) and _same(row[10], s.actual)
        assert _same(row[11], s.attainment), (s.employee_id, s.kpi)
        assert _same(row[12], s.score), (s.employee_id, s.kpi)
        assert row[13] == vocab.word(vocab.STATUSES, s.status, lang)


def test_scores_live_formulas_where_the_spec_wants_them(books, outcome):
    scores = _scores(outcome)
    ws = _sheet(books, "zh", "scores")
    for i, s in enumerate(scores.itertuples(index=False), start=2):
        attainment, score, status = ws[f"L{i}"], ws[f"M{i}"], ws[f"N{i}"]
        unscorable = s.employee_id == "N01"  # its tier table does not exist: no r either
        if s.method == "rating":
            assert attainment.data_type == "n", "a 等级 row holds the combined rating as a value"
        elif unscorable:
            assert attainment.value is None and score.value is None
        else:
            assert attainment.data_type == "f" and "ROUND" not in attainment.value
        assert (score.data_type == "f" or unscorable) and status.data_type == "f"
        assert "ROUND(L%d,6)" % i in status.value  # r rounded to 6 decimals before comparing
    # The formulas use the row's own cells and the 参数 names, nothing of another row.
    assert ws["M2"].value.count("2") >= 1 and "kpi_near_from" in ws["N2"].value


def test_scores_formats_and_colours(books, outcome):
    scores = _scores(outcome)
    ws = _sheet(books, "zh", "scores")
    for i, s in enumerate(scores.itertuples(index=False), start=2):
        for cell in (ws[f"L{i}"], ws[f"N{i}"]):
            if s.status == "nodata":
                assert cell.fill.patternType is None
            else:
                assert cell.fill.fgColor.rgb == STATUS_FILL[s.status]
            assert cell.font.color.rgb == STATUS_FONT[s.status]
        zero = s.target == 0 and s.method != "rating"
        assert ws[f"L{i}"].number_format == (st.zero_target_format(s.direction, "zh") if zero else "0.0%")
        assert ws[f"M{i}"].number_format == "0.00"
        if s.is_percent and not math.isnan(s.target):
            assert ws[f"J{i}"].number_format == "0.0%" and ws[f"K{i}"].number_format == "0.0%"
        elif s.kpi == "销售额" and not math.isnan(s.target):
            assert ws[f"J{i}"].number_format == "#,##0"


def test_parameter_columns_are_grouped_and_collapsed(books):
    ws = _sheet(books, "zh", "scores")
    assert [ws.cell(1, c).value for c in range(16, 25)] == ["封顶", "门槛", "分段表", "每单位扣分", "扣分步长", "加速起点",
                                                          "加速倍数", "有数据", "人员序号"]
    # openpyxl folds neighbouring columns of equal width into one dimension (min..max)
    grouped = {c for d in ws.column_dimensions.values() if d.hidden and d.outlineLevel == 1
               for c in range(d.min, d.max + 1)}
    assert set(range(16, 25)) <= grouped  # P..X


def test_conditional_formats_recolour_attainment_and_status(books, outcome):
    n = len(outcome.results.scores)
    ws = _sheet(books, "zh", "scores")
    ranges = {str(cf.sqref): cf.rules for cf in ws.conditional_formatting}
    for rng in (f"L2:L{n + 1}", f"N2:N{n + 1}"):
        rules = ranges[rng]
        assert [r.formula[0] for r in rules] == [f'$N2="{w}"' for w in ("达标", "持平", "未达标", "无数据")]
        assert all(r.stopIfTrue for r in rules)
    monthly = _sheet(books, "zh", "monthly")
    assert any(str(cf.sqref) == f"D2:F{n + 1}" and len(cf.rules) == 4 for cf in monthly.conditional_formatting)


# --- 汇总 ------------------------------------------------------------------------------


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_summary_formulas_saved_with_the_engines_values(books, outcome, lang):
    people = _people(outcome)
    ws = _sheet(books, lang, "summary")
    values = _rows(_sheet(books, lang, "summary", values=True), SUMMARY_FIRST)
    assert len(values) == len(people)
    for i, (row, p) in enumerate(zip(values, people.itertuples(index=False)), start=SUMMARY_FIRST):
        assert row[:4] == (p.employee_id, p.name, p.team, p.role)
        for col in "EFGHIJKL":
            assert ws[f"{col}{i}"].data_type == "f", f"{col}{i}"
        assert _same(row[4], p.total_rounded)
        assert row[5] == (vocab.word(vocab.GRADES, p.grade, lang) if p.grade else "") or (row[5] is None and not p.grade)
        assert _same(row[6], p.team_rank) and _same(row[7], p.overall_rank)
        assert row[8:12] == (p.met, p.near, p.below, p.nodata)
    assert ws["E3"].number_format == "0.00"
    ranks = [r[7] for r in values if r[7] is not None]
    assert ranks == sorted(ranks), "汇总 is in overall-rank order"
    assert "2026-02 – 2026-03" in ws["A1"].value


def test_summary_flags_and_grade_colours(books, outcome):
    ws = _sheet(books, "zh", "summary")
    rows = {r[0]: r for r in _rows(_sheet(books, "zh", "summary", values=True), SUMMARY_FIRST)}
    assert rows["E003"][13] == "权重重分配"  # renormalised over the KPIs with data
    assert rows["E002"][13] is None and "总分超过 100" in rows["E002"][12]
    for i in range(SUMMARY_FIRST, SUMMARY_FIRST + len(rows)):
        grade = ws[f"F{i}"]
        code = {"优秀": "excellent", "良好": "good", "合格": "pass", "待改进": "improve"}.get(rows[ws[f"A{i}"].value][5])
        if code:
            assert grade.fill.fgColor.rgb == "FF" + st.GRADE_COLOURS[code]["bg_color"][1:]


def test_summary_notes_name_missing_kpis_and_months(books, outcome):
    notes = {r[0]: r[12] for r in _rows(_sheet(books, "zh", "summary", values=True), SUMMARY_FIRST)}
    assert "无数据：费用率" in notes["E003"] and "费用率 2026-02" in notes["E003"]
    assert notes["E004"].startswith("没有任何指标数据")
    en = {r[0]: r[12] for r in _rows(_sheet(books, "en", "summary", values=True), SUMMARY_FIRST)}
    assert "no data: 费用率" in en["E003"]


def test_ranks_of_a_team_workbook_stay_the_companys(outcome, tmp_path):
    """--split-by team keeps ranks among everyone: there they are values, not formulas."""
    part = replace(outcome, results=core.for_team(outcome.results, "华东"))
    path = tmp_path / "team.xlsx"
    write_workbook(part, path, created=CREATED)
    ws = openpyxl.load_workbook(path)["汇总"]
    people = summary_order(part.results.people)
    for i, p in enumerate(people.itertuples(index=False), start=SUMMARY_FIRST):
        assert ws[f"E{i}"].data_type == "f"
        assert ws[f"G{i}"].data_type == "f"  # the team rank is the same within the team
        assert ws[f"H{i}"].data_type == "n" and ws[f"H{i}"].value == p.overall_rank


# --- 月度, 团队, 培训, 问题, 说明 ----------------------------------------------------------


def test_monthly_grid_values_and_colours(books, outcome):
    scores = _scores(outcome)
    monthly = outcome.results.monthly.set_index(["employee_id", "kpi", "period"])
    ws = _sheet(books, "zh", "monthly")
    for i, s in enumerate(scores.itertuples(index=False), start=2):
        assert (ws[f"A{i}"].value, ws[f"C{i}"].value) == (s.employee_id, s.kpi)
        for col, period in zip("DE", ("2026-02", "2026-03")):
            cell = ws[f"{col}{i}"]
            key = (s.employee_id, s.kpi, period)
            m = monthly.loc[key] if key in monthly.index else None
            if m is None or math.isnan(m["attainment"]):
                assert cell.value is None
                continue
            zero = m["target"] == 0 and s.method != "rating"
            assert _same(cell.value, m["attainment"])
            assert cell.number_format == (st.zero_target_format(s.direction, "zh") if zero else "0.0%")
            if m["status"] in STATUS_FILL:
                assert cell.fill.fgColor.rgb == STATUS_FILL[m["status"]]
        scope = ws[f"F{i}"]
        assert _same(scope.value, s.attainment)
        assert scope.font.color.rgb == STATUS_FONT[s.status]


def test_teams_sheet_rollup_and_chart_beside_it(books, outcome):
    ws = _sheet(books, "zh", "teams")
    teams = outcome.results.teams
    rows = _rows(ws)
    assert len(rows) == len(teams)
    assert {(r[0], r[1]) for r in rows} == set(zip(teams["team"], teams["kpi"]))
    assert all(r[6] in ("达标", "持平", "未达标", "无数据") for r in rows)
    assert all(len(r) <= 7 or all(v is None for v in r[7:]) for r in rows), "nothing beside the filtered table"


def test_overview_per_team_block(books, outcome):
    ws = _sheet(books, "zh", "overview", values=True)
    cells = list(ws.iter_rows(values_only=True))
    at = next(i for i, r in enumerate(cells) if r[0] and str(r[0]).startswith("各部门汇总"))
    assert list(cells[at + 1][:9]) == ["部门", "人数", "已评分", "平均分", "优秀", "良好", "合格", "待改进", "优秀占比"]
    summary = outcome.results.team_summary.set_index("team")
    block = {r[0]: r for r in cells[at + 2: at + 2 + len(summary)]}
    assert set(block) == set(summary.index)
    for team, r in block.items():
        t = summary.loc[team]
        assert r[1:3] == (t.people, t.scored)
        assert r[4:8] == (t.excellent, t.good, t["pass"], t.improve)
    means = [r[3] for r in block.values() if r[3] is not None]
    assert means == sorted(means, reverse=True)


def test_overview_grade_counts_top_five_and_link(books, outcome):
    ws = _sheet(books, "zh", "overview")
    values = _sheet(books, "zh", "overview", values=True)
    people = outcome.results.people
    grades = {r[0]: r[1] for r in values.iter_rows(min_row=7, max_row=10, values_only=True)}
    assert grades == {vocab.word(vocab.GRADES, g, "zh"): int((people["grade"] == g).sum()) for g in vocab.GRADES}
    assert ws["B7"].data_type == "f" and "COUNTIFS('汇总'!$F$3:$F$" in ws["B7"].value
    texts = [c.value for row in values.iter_rows() for c in row if isinstance(c.value, str)]
    assert any(t.startswith("错误") and "问题" in t for t in texts)
    links = [c.hyperlink for row in ws.iter_rows() for c in row if c.hyperlink]
    assert [(h.location, h.target) for h in links] == [("'问题'!A1", None)]


def test_training_sheets_one_table_each(books, outcome):
    people = outcome.results.training_people
    ws = _sheet(books, "zh", "training")
    assert [r[0] for r in _rows(ws)] == list(people["employee_id"])
    assert ws["F2"].number_format == "0.0%"  # participation
    courses = _sheet(books, "zh", "courses")
    assert [c.value for c in courses[1]][:9] == [zh for zh, _ in lb.TRAINING_COURSES.values()]
    before = _sheet(books, "zh", "before_after")
    assert [c.value for c in before[1]][:7] == [zh for zh, _ in lb.BEFORE_AFTER.values()]


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_issues_sheet_lists_every_issue_worst_first(books, outcome, lang):
    rows = _rows(_sheet(books, lang, "issues", values=True))
    expected = [tuple(i.row(lang)[k] or None for k in ISSUE_COLUMNS) for i in outcome.report.sorted()]
    assert rows == expected
    assert rows[0][0] == vocab.word(vocab.LEVELS, "error", lang)


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_about_sheet_states_files_settings_scope_and_counts(books, outcome, lang):
    ws = _sheet(books, lang, "about", values=True)
    cells = [c.value for row in ws.iter_rows() for c in row if c.value is not None]
    text = "\n".join(str(v) for v in cells)
    for f in outcome.files:
        assert f.sha256 in cells and f.name in cells
    assert "0.1.0-test" in cells
    assert "2026-02" in text and "2026-03" in text
    for word in ("优秀线", "反向公式") if lang == "zh" else ("excellent_from", "lower_formula"):
        assert word in cells
    count = outcome.report.counts[0]
    row = next(r for r in ws.iter_rows(values_only=True) if r[0] == count.file and r[1] == count.sheet)
    assert row[3:8] == (count.read, count.used, count.rejected, count.duplicates, count.skipped)
    legend = [vocab.word(vocab.STATUSES, s, lang) for s in ("met", "near", "below", "nodata")]
    assert all(w in cells for w in legend)
    assert ws.auto_filter.ref and ws.freeze_panes


# --- safety, properties, page setup ------------------------------------------------------


def test_hostile_text_is_written_as_text(books):
    book = books["zh"][0]
    seen = 0
    for ws in book.worksheets:
        # The one link: 总览's pointer to 问题, inside the workbook.
        links = [c.hyperlink for row in ws.iter_rows() for c in row if c.hyperlink]
        assert all(h.location and not h.target for h in links), ws.title
        for row in ws.iter_rows():
            for cell in row:
                if cell.value in (fx.HOSTILE_NAME, fx.HOSTILE_ID, fx.HOSTILE_TEAM, "=1+1"):
                    assert cell.data_type == "s", (ws.title, cell.coordinate)
                    seen += 1
    assert seen >= 20


def test_custom_property_and_created_date(books):
    book = books["en"][0]
    props = {p.name: p.value for p in book.custom_doc_props}
    assert props[RESULT_PROPERTY] == "0.1.0-test"
    assert book.properties.created == CREATED


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_every_sheet_frozen_filtered_printable_and_protected(books, lang):
    book = books[lang][0]
    for ws in book.worksheets:
        assert ws.page_setup.orientation == "landscape", ws.title
        if ws.title == lb.sheet_name("periods", lang):
            # A quarter per page at a fixed scale, not one page wide (docs/decisions.md, "周期").
            assert not ws.sheet_properties.pageSetUpPr.fitToPage and 50 <= ws.page_setup.scale <= 100
        else:
            assert ws.sheet_properties.pageSetUpPr.fitToPage and ws.page_setup.fitToWidth in (None, 1)
        assert ws.protection.sheet and not ws.protection.password, ws.title
        assert ws.protection.autoFilter is False and ws.protection.sort is False, ws.title  # False: allowed
        if ws.title == lb.sheet_name("overview", lang):
            assert ws.page_setup.fitToHeight in (None, 1) and ws.print_area  # one printed page (1 is the default)
            continue
        assert ws.freeze_panes, ws.title
        assert ws.auto_filter.ref, ws.title
        assert ws.print_title_rows, ws.title
        assert ws.print_area or ws.sheet_state != "visible", ws.title
        # fitToWidth 1 is the file format's default, so it may be left out
        assert ws.page_setup.fitToHeight == 0 or ws.title == lb.sheet_name("periods", lang)


def test_only_target_and_actual_are_editable_on_scores(books):
    ws = _sheet(books, "zh", "scores")
    for row in ws.iter_rows(min_row=2, max_row=6):
        unlocked = {c.column_letter for c in row if c.protection.locked is False}
        assert unlocked == {"J", "K"}


def test_column_widths_count_cjk_characters_double(books):
    assert text_width("销售额") == 6 and text_width("abc") == 3 and text_width("Ａ１") == 4
    ws = _sheet(books, "zh", "scores")
    kpi = ws.column_dimensions["F"].width
    assert kpi >= text_width("核心客户保有率") >= 14
    assert ws.column_dimensions["A"].width < kpi


def test_native_charts_inside_their_print_areas(books):
    path = books["zh"][2]
    with zipfile.ZipFile(path) as z:
        charts = sorted(n for n in z.namelist() if n.startswith("xl/charts/chart"))
        xml = [z.read(n).decode("utf-8") for n in charts]
    assert len(charts) == 6  # 总览 ×2, 汇总, 团队, 周期, 培训课程
    assert any("'汇总'!$E$3" in x and "<c:barChart>" in x for x in xml)
    assert any("参数!" in x.replace("'", "") and "<c:barChart>" in x for x in xml)  # 团队's, data on 参数
    assert any("培训课程!" in x.replace("'", "") for x in xml)
    assert any("参数!" in x.replace("'", "") and "<c:lineChart>" in x for x in xml)  # 周期's, data on 参数
    book = books["zh"][0]
    for ws in book.worksheets:
        area = ws.print_area
        for chart in ws._charts:
            anchor = chart.anchor._from
            assert area, ws.title
            last_col, last_row = _area_end(area)
            assert anchor.col <= last_col and anchor.row <= last_row, (ws.title, anchor.col, anchor.row, area)


def _area_end(area) -> tuple[int, int]:
    from openpyxl.utils.cell import range_boundaries
    ref = (area[0] if isinstance(area, (list, tuple)) else area).split("!")[-1].replace("$", "")
    _, _, max_col, max_row = range_boundaries(ref)
    return max_col - 1, max_row - 1


def test_same_input_and_date_give_identical_bytes(outcome, tmp_path):
    a, b = tmp_path / "a.xlsx", tmp_path / "b.xlsx"
    write_workbook(outcome, a, created=CREATED)
    write_workbook(outcome, b, created=CREATED)
    assert a.read_bytes() == b.read_bytes()


# --- policies and failures --------------------------------------------------------------


def test_zero_policy_totals_and_inverse_formula(tmp_path):
    outcome = fx.build(Settings(missing_data="zero", lower_formula="inverse"))
    path = tmp_path / "zero.xlsx"
    write_workbook(outcome, path, created=CREATED)
    saved = openpyxl.load_workbook(path, data_only=True)["汇总"]
    formulas = openpyxl.load_workbook(path)
    people = summary_order(outcome.results.people)
    for i, p in enumerate(people.itertuples(index=False), start=SUMMARY_FIRST):
        assert _same(saved[f"E{i}"].value, p.total_rounded)
    assert "COUNTIFS" in formulas["汇总"]["E3"].value and "*100/" not in formulas["汇总"]["E3"].value
    scores = _scores(outcome)
    row = int(scores.index[(scores["kpi"] == "费用率")][0]) + 2
    assert "/K%d" % row in formulas["明细"][f"L{row}"].value  # T / A


def test_an_empty_department_part_still_writes(outcome, tmp_path):
    r = outcome.results
    empty = replace(r, training_people=r.training_people.iloc[0:0], training_courses=r.training_courses.iloc[0:0],
                    before_after=r.before_after.iloc[0:0])
    part = replace(outcome, results=empty, report=type(outcome.report)())
    path = tmp_path / "empty.xlsx"
    write_workbook(part, path, lang="en", created=CREATED)
    book = openpyxl.load_workbook(path)
    assert book["Training"]["A2"].value == lb.text("no_training", "en")
    assert book["Issues"]["A2"].value == lb.text("no_issues", "en")


def test_text_longer_than_a_cell_holds_is_cut_with_an_ellipsis(outcome, tmp_path):
    # A KPI's 备注 joins every month's notes and can outgrow Excel's 32,767 characters.
    scores = outcome.results.scores.copy()
    scores.loc[0, "note"] = "备" * 40_000
    part = replace(outcome, results=replace(outcome.results, scores=scores))
    raised = write_workbook(part, tmp_path / "long.xlsx", name="result.xlsx")
    book = openpyxl.load_workbook(tmp_path / "long.xlsx")
    cells = [c for c in book["明细"]["O"] if c.value]
    longest = max(cells, key=lambda c: len(c.value))
    assert len(longest.value) == 32767
    assert longest.value == "备" * 32766 + "…"
    # … and says so, naming the cell: returned to the caller and on 问题 (issue 12).
    assert [(i.code, i.level, i.file, i.sheet, i.cell, i.value) for i in raised] == [
        ("text_cut", "warning", "result.xlsx", "明细", longest.coordinate, "40000")]
    issues = [r for r in book["问题"].iter_rows(values_only=True) if r and f"明细!{longest.coordinate}" in str(r)]
    assert len(issues) == 1 and "40000" in str(issues[0])
    assert write_workbook(outcome, tmp_path / "short.xlsx") == []  # nothing cut, nothing raised


def test_bad_language_and_unwritable_path(outcome, tmp_path):
    with pytest.raises(ValueError):
        write_workbook(outcome, tmp_path / "x.xlsx", lang="fr")
    with pytest.raises(OSError):
        write_workbook(outcome, tmp_path / "no-such-folder" / "x.xlsx")
    assert not Path(tmp_path / "no-such-folder").exists()


@pytest.mark.parametrize("lang, expected", [
    ("zh", "无数据：费用率、客户投诉；未计入的月份（目标或实际缺失）：销售额 2026-02；范围内变动：部门：华北 → 华东"),
    ("en", "no data: 费用率, 客户投诉; months left out (target or actual missing): 销售额 2026-02; "
           "changes in the scope: Team: 华北 → 华东"),
])
def test_person_notes_in_the_workbooks_language(lang, expected):
    from kpi_engine.write.detail import person_notes

    people = pd.DataFrame({
        "total": [80.0, math.nan], "total_rounded": [80.0, math.nan], "missing_kpis": [("费用率", "客户投诉"), ()],
        "left_out": [(("销售额", "2026-02"),), ()], "changes": [("team: 华北 → 华东",), ()],
        "incomplete": [True, True],
    })
    notes = person_notes(people, lang)
    assert notes[0] == expected
    assert notes[1] == lb.text("note_no_data_at_all", lang)
