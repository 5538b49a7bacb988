"""Results longer than an Excel sheet: 明细 (1), 明细 (2) … (issue 13, item 2).

Excel holds 1,048,576 rows per sheet. ``kpi_engine.write.parts.EXCEL_ROWS`` is set small
here, so that the test department's 46 明细 rows need two or three sheets: every row
must land on exactly one of them, no person's rows on two, every sheet dressed like the
single one, and 汇总's formulas, recalculated by LibreOffice (also after a user's sort
and filter), must give the engine's own figures.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import replace
from datetime import datetime
from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as hs

from kpi_engine import core, pipeline, vocab
from kpi_engine.issues import IssueType, OutputError, Report
from kpi_engine.write import labels as lb
from kpi_engine.write import parts
from kpi_engine.write.detail import SCORE_KEYS, SUMMARY_KEYS
from kpi_engine.write.workbook import write_workbook

from . import libreoffice as lo
from . import outcome_fixture as fx
from . import sorting as so

CREATED = datetime(2026, 4, 1, 9, 30)
SAMPLE = Path(__file__).resolve().parents[1] / "kpi_engine" / "bundled" / "sample_data"


@pytest.fixture
def limit(monkeypatch):
    """Set Excel's row limit (header rows included) for one test."""
    def set_to(rows: int) -> None:
        monkeypatch.setattr(parts, "EXCEL_ROWS", rows)
    return set_to


def _names(book, key: str, lang: str = "zh") -> list[str]:
    base = lb.sheet_name(key, lang)
    return [n for n in book.sheetnames if n == base or (n.startswith(base + " (") and n.endswith(")"))]


def _table(ws) -> list[tuple]:
    return list(ws.iter_rows(min_row=2, values_only=True))


# --- where the cuts go ----------------------------------------------------------------


def test_a_table_that_fits_is_one_part(limit):
    limit(10)
    assert parts.bounds([3, 3, 3], 1) == [(0, 9)]
    assert parts.bounds([], 1) == [(0, 0)]


def test_cuts_fall_between_groups_as_evenly_as_they_can(limit):
    limit(11)  # 10 rows below the header
    assert parts.bounds([4] * 5, 1) == [(0, 8), (8, 12), (12, 20)]  # not 8 + 8 + 4
    assert parts.bounds([1] * 30, 1) == [(0, 10), (10, 20), (20, 30)]
    assert parts.bounds([1] * 12, 1) == [(0, 6), (6, 12)]  # even, not 10 + 2


def test_a_group_longer_than_a_sheet_cannot_be_cut(limit):
    limit(11)
    with pytest.raises(parts.TooLong) as got:
        parts.bounds([3, 11, 2], 1)
    assert (got.value.index, got.value.size) == (1, 11)


@given(sizes=hs.lists(hs.integers(0, 9), max_size=60), rows=hs.integers(10, 40), top=hs.integers(1, 2))
def test_parts_cover_every_row_once_fit_and_never_cut_a_group(sizes, rows, top):
    saved = parts.EXCEL_ROWS
    parts.EXCEL_ROWS = rows
    try:
        got = parts.bounds(sizes, top)
    finally:
        parts.EXCEL_ROWS = saved
    n, cap = sum(sizes), rows - top
    assert got[0][0] == 0 and got[-1][1] == n
    assert all(a == b for (_, a), (b, _) in zip(got, got[1:]))  # contiguous, each row once
    assert all(b - a <= cap for a, b in got)
    edges = set(np.cumsum([0, *sizes]).tolist())
    assert all(a in edges for a, _ in got)  # every part starts where a group starts
    assert len(got) == _fewest_parts(sizes, cap)
    if n:
        assert all(b > a for a, b in got)  # no empty sheet


def _fewest_parts(sizes: list[int], cap: int) -> int:
    """Whole groups into sheets of ``cap`` rows, in order, each sheet filled up: the fewest sheets."""
    count, used = 1, 0
    for s in sizes:
        if used + s > cap:
            count, used = count + 1, 0
        used += s
    return count


# --- the workbook, read back ------------------------------------------------------------


@pytest.mark.parametrize("rows, count", [(40, 2), (20, 3)])
def test_every_row_is_on_exactly_one_part_and_no_person_on_two(tmp_path, limit, rows, count):
    limit(rows)
    outcome = fx.build()
    path = tmp_path / "result.xlsx"
    write_workbook(outcome, path, created=CREATED)
    book = openpyxl.load_workbook(path)
    assert book.sheetnames == ["总览", "汇总", *[f"明细 ({i})" for i in range(1, count + 1)],
                               *[f"月度 ({i})" for i in range(1, count + 1)],
                               "周期", "团队", "培训", "培训课程", "培训前后", "问题", "说明", "参数"]
    want = Counter((s.employee_id, s.kpi) for s in outcome.results.scores.itertuples(index=False))
    for key, kpi_col in (("scores", SCORE_KEYS.index("kpi")), ("monthly", 2)):
        names = _names(book, key)
        assert len(names) == count
        seen: Counter = Counter()
        person_sheet: dict[str, set] = {}
        headers = set()
        for name in names:
            ws = book[name]
            assert ws.max_row <= rows
            headers.add(tuple(c.value for c in ws[1]))
            assert ws.freeze_panes == book[names[0]].freeze_panes
            assert ws.auto_filter.ref == f"A1:{ws.auto_filter.ref.split(':')[1][0]}{ws.max_row}"
            assert ws.protection.sheet
            for row in _table(ws):
                seen[(row[0], row[kpi_col])] += 1
                person_sheet.setdefault(row[0], set()).add(name)
        assert seen == want  # every row once, none made up
        assert all(len(s) == 1 for s in person_sheet.values()), person_sheet
        assert len(headers) == 1
    # Each person's 汇总 formulas read the part that holds their rows, and only it.
    summary = book["汇总"]
    key_col = SUMMARY_KEYS.index("employee_id") + 1
    total_col = SUMMARY_KEYS.index("total") + 1
    scores_of = {}
    for name in _names(book, "scores"):
        for row in _table(book[name]):
            scores_of[row[0]] = name
    for r in range(3, summary.max_row + 1):
        emp, formula = summary.cell(r, key_col).value, summary.cell(r, total_col).value
        if emp is None or not isinstance(formula, str):
            continue
        sheets = {n for n in _names(book, "scores") if f"'{n}'!" in formula}
        assert sheets == {scores_of[emp]}, (emp, formula)


def test_the_split_is_said_in_issues_and_on_the_summary_counts(tmp_path, limit):
    limit(20)
    outcome = fx.build()
    path = tmp_path / "result.xlsx"
    write_workbook(outcome, path, lang="en", created=CREATED)
    book = openpyxl.load_workbook(path)
    messages = [row[6] for row in _table(book["Issues"])]
    scores = [m for m in messages if m and m.startswith("The result's Scores sheet has 47 rows")]
    assert len(scores) == 1 and "3 sheets (Scores (1), Scores (2), Scores (3))" in scores[0]
    assert any(m.startswith("The result's Monthly sheet has 47 rows") for m in messages)
    assert outcome.report.issues == fx.build().report.issues  # the caller's outcome is left as it was


def test_a_long_issues_sheet_is_split_too(tmp_path, limit):
    limit(20)
    outcome = fx.build()
    many = IssueType("test_many", "warning", zh="第 {value} 个问题", en="problem {value}")
    report = Report(issues=[*outcome.report.issues, *(many(value=i) for i in range(40))], counts=outcome.report.counts)
    outcome = replace(outcome, report=report)
    path = tmp_path / "result.xlsx"
    write_workbook(outcome, path, created=CREATED)
    book = openpyxl.load_workbook(path)
    names = _names(book, "issues")
    assert names == ["问题 (1)", "问题 (2)", "问题 (3)"]
    messages = [row[6] for n in names for row in _table(book[n])]
    # 7 issues of the fixture, 40 more, and one line for each split sheet (明细, 月度, 问题).
    assert len(messages) == 7 + 40 + 3 and len(set(messages)) == len(messages)
    assert all(f"第 {i} 个问题" in messages for i in range(40))
    assert sum(m.startswith("结果的“问题”有 51 行") for m in messages) == 1
    assert all(book[n].max_row <= 20 for n in names)
    # 总览's link opens the first of them.
    assert any(c.hyperlink is not None and c.hyperlink.location == "'问题 (1)'!A1"
               for row in book["总览"].iter_rows() for c in row)


def test_the_command_says_so_and_writes_the_split_result(tmp_path, limit):
    """Through the real pipeline (what the CLI does): the info line is in the outcome's
    report (the terminal and --json print it) and in the 问题 sheet."""
    limit(100)
    out = tmp_path / "result.xlsx"
    outcome = pipeline.run([SAMPLE])
    assert pipeline.write(outcome, out, lang="zh", created=CREATED) == [out]
    infos = [i.message("zh") for i in outcome.report.issues if i.code == "sheet_split"]
    assert [m[:12] for m in infos] == ["结果的“明细”有 256", "结果的“月度”有 256"]
    assert "已分成 3 个工作表（明细 (1)、明细 (2)、明细 (3)）" in infos[0]
    book = openpyxl.load_workbook(out, data_only=True)
    assert infos[0] in [row[6] for row in _table(book["问题"])]
    scored = {row[0] for n in _names(book, "scores") for row in _table(book[n])}
    assert scored == set(outcome.results.people["employee_id"])
    # The saved totals on 汇总 are the engine's.
    totals = {row[0]: row[4] for row in book["汇总"].iter_rows(min_row=3, values_only=True)}
    for p in outcome.results.people.itertuples(index=False):
        assert totals[p.employee_id] == pytest.approx(p.total_rounded)


def test_one_person_longer_than_a_sheet_is_refused_before_anything_is_written(tmp_path, limit):
    limit(6)  # 华南's four people fit 汇总 (title, header, 4 rows); 明细 holds 5 rows, they have 6 KPIs each
    full = fx.build()
    outcome = replace(full, results=core.for_team(full.results, "华南"))
    out = tmp_path / "result.xlsx"
    with pytest.raises(OutputError) as got:
        pipeline.write(outcome, out, lang="en")
    message = got.value.issue.message("en")
    assert message.startswith("The result's Scores sheet needs 20 rows, more than the 6 rows an Excel sheet holds, "
                              "and cannot be split: employee E")
    assert "alone has 6 rows, and one person's rows are never split over two sheets" in message
    assert "--period" in message and "No result was written" in message
    assert list(tmp_path.iterdir()) == []
    with pytest.raises(OutputError, match="alone has 6 rows"):
        write_workbook(outcome, out)
    assert list(tmp_path.iterdir()) == []


def test_more_people_than_a_summary_sheet_holds_is_refused(tmp_path, limit):
    limit(10)  # 汇总 has a title and a header row: 8 people fit, the fixture has 9
    with pytest.raises(OutputError) as got:
        write_workbook(fx.build(), tmp_path / "result.xlsx")
    message = got.value.issue.message("zh")
    assert message.startswith("结果的“汇总”需要 11 行，超过 Excel 每个工作表 10 行的上限，而且无法拆分")
    assert "共 9 人" in message


# --- recalculated by LibreOffice ---------------------------------------------------------


def _equal(saved, recalculated) -> bool:
    if saved in (None, ""):
        return recalculated in (None, "")
    if isinstance(saved, (int, float)) and isinstance(recalculated, (int, float)):
        return abs(saved - recalculated) < 1e-9
    return saved == recalculated


def _summary_wrong(got, results, lang: str = "zh") -> list:
    """Every 汇总 figure that is not the engine's, found by 工号 wherever a sort put it."""
    ws = got[lb.sheet_name("summary", lang)]
    rows = {r[0]: r for r in ws.iter_rows(min_row=3, values_only=True) if r[0] is not None}
    wrong = []
    for p in results.people.itertuples(index=False):
        r = rows[p.employee_id]
        grade = vocab.word(vocab.GRADES, p.grade, lang) if p.grade else ""
        want = (*(None if pd.isna(v) else float(v) for v in (p.total_rounded,)), grade,
                *(None if pd.isna(v) else int(v) for v in (p.team_rank, p.overall_rank)),
                p.met, p.near, p.below, p.nodata)
        have = (r[4], r[5] or "", *r[6:12])
        wrong += [(p.employee_id, i, w, h) for i, (w, h) in enumerate(zip(want, have)) if not _equal(w, h)]
    return wrong


@pytest.mark.libreoffice
@pytest.mark.slow
def test_every_formula_of_a_split_workbook_recalculates_to_the_engines_value(tmp_path, limit):
    limit(20)
    outcome = fx.build()
    src = tmp_path / "result.xlsx"
    write_workbook(outcome, src, created=CREATED)
    out = lo.recalc(src, tmp_path / "out")
    formulas = openpyxl.load_workbook(src)
    saved = openpyxl.load_workbook(src, data_only=True)
    recalculated = openpyxl.load_workbook(out, data_only=True)
    assert len(_names(formulas, "scores")) == 3
    checked, wrong = 0, []
    for ws in formulas.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                if cell.data_type != "f":
                    continue
                checked += 1
                a, b = saved[ws.title][cell.coordinate].value, recalculated[ws.title][cell.coordinate].value
                if not _equal(a, b):
                    wrong.append((ws.title, cell.coordinate, cell.value, a, b))
    assert checked > 200
    assert wrong == []
    assert _summary_wrong(recalculated, outcome.results) == []


@pytest.mark.libreoffice
@pytest.mark.slow
def test_sorting_and_filtering_the_parts_keeps_every_persons_figures(tmp_path, limit):
    """A user sorts 汇总 and one part of 明细, filters another, and edits an actual wherever
    it is: after LibreOffice recalculates, every 汇总 figure is the engine's for the edited input."""
    limit(20)
    data = fx.inputs()
    before = fx.outcome_of(data)
    src = tmp_path / "result.xlsx"
    write_workbook(before, src, created=CREATED)
    book = openpyxl.load_workbook(src)
    shown = openpyxl.load_workbook(src, data_only=True)
    names = _names(book, "scores")
    assert len(names) == 3
    head = lambda key: lb.label(lb.SCORES, key, "zh")  # noqa: E731
    for ws, col, descending in ((book["汇总"], lb.label(lb.SUMMARY, "employee_id", "zh"), True),
                                (book[names[1]], head("attainment"), False)):
        moves = so.sort_rows(ws, col, descending=descending, shown=shown[ws.title])
        assert any(new != old for new, old in moves.items()), f"sorting {ws.title} moved nothing"
    nodata = vocab.word(vocab.STATUSES, "nodata", "zh")
    assert so.hide_rows(book[names[2]], head("status"), lambda s: s == nodata, shown=shown[names[2]])

    # The edit of tests/test_recalc_libreoffice.py: 销售额 100 of 200 is below the floor.
    emp, kpi, value, months = fx.HOSTILE_ID, "销售额", 100.0, {"2026-03": 0.0}
    where = [(n, r) for n in names for r, row in enumerate(_table(book[n]), start=2) if row[0] == emp and row[5] == kpi]
    assert len(where) == 1
    name, r = where[0]
    book[name].cell(r, SCORE_KEYS.index("actual") + 1).value = value
    edited = tmp_path / "edited.xlsx"
    book.save(edited)
    got = openpyxl.load_workbook(lo.recalc(edited, tmp_path / "out"), data_only=True)

    expected = fx.outcome_of(fx.with_actuals(data, emp, kpi, months)).results
    changed = [expected.people.set_index("employee_id").at[emp, "total_rounded"],
               before.results.people.set_index("employee_id").at[emp, "total_rounded"]]
    assert changed[0] != changed[1]  # the edit matters
    assert _summary_wrong(got, expected) == []


@pytest.mark.slow
def test_a_split_workbook_passes_the_strict_ooxml_check(tmp_path, limit):
    audit = pytest.importorskip("openxml_audit")
    from .test_ooxml import findings

    limit(20)
    outcome = fx.build()
    many = IssueType("test_many", "warning", zh="第 {value} 个问题", en="problem {value}")
    outcome = replace(outcome, report=Report(issues=[*outcome.report.issues, *(many(value=i) for i in range(40))],
                                             counts=outcome.report.counts))
    path = tmp_path / "result.xlsx"
    write_workbook(outcome, path, lang="en", created=CREATED)
    assert {"Scores (3)", "Monthly (3)", "Issues (3)"} <= set(openpyxl.load_workbook(path).sheetnames)
    validator = audit.OpenXmlValidator(file_format=audit.FileFormat.OFFICE_2019, max_errors=0)
    assert findings(validator, path) == []


def test_warnings_raised_while_writing_spread_over_the_planned_issue_sheets(tmp_path, limit):
    """A text cut to fit a cell is a warning known only once 明细 is written, after 问题's
    sheets were laid out: they take it, every issue still on exactly one of them."""
    limit(20)
    outcome = fx.build()
    scores = outcome.results.scores.copy()
    scores["note"] = scores["note"].astype(object)
    scores.loc[scores.index[:3], "note"] = "长" * 40_000  # three 备注 past Excel's 32,767 characters
    many = IssueType("test_many", "warning", zh="第 {value} 个问题", en="problem {value}")
    outcome = replace(outcome, results=replace(outcome.results, scores=scores),
                      report=Report(issues=[*outcome.report.issues, *(many(value=i) for i in range(40))],
                                    counts=outcome.report.counts))
    path = tmp_path / "result.xlsx"
    raised = write_workbook(outcome, path, created=CREATED)
    assert [i.code for i in raised] == ["text_cut"] * 3
    book = openpyxl.load_workbook(path)
    names = _names(book, "issues")
    assert names == ["问题 (1)", "问题 (2)", "问题 (3)"]
    messages = [row[6] for n in names for row in _table(book[n])]
    assert len(messages) == 7 + 40 + 3 + 3 and len(set(messages)) == len(messages)
    assert all(i.message("zh") in messages for i in raised)
    assert all(book[n].max_row <= 20 for n in names)


def test_a_table_that_outgrows_its_planned_sheets_while_writing_is_refused(limit):
    limit(11)
    planned = [parts.Part("问题 (1)", 0, 10), parts.Part("问题 (2)", 10, 20)]
    assert parts.spread(planned, 20, "issues", "zh") is planned
    # Fewer rows than planned cannot happen (warnings are only ever added); kept sound anyway.
    assert [(p.name, p.start, p.stop) for p in parts.spread(planned, 13, "issues", "zh")] == [
        ("问题 (1)", 0, 6), ("问题 (2)", 6, 13)]
    assert [(p.start, p.stop) for p in parts.spread(planned[:1], 3, "issues", "zh")] == [(0, 3)]
    with pytest.raises(OutputError) as got:
        parts.spread(planned, 21, "issues", "zh")
    assert "写入时又多出 1 条“文字被截断”的提示" in got.value.issue.message("zh")
