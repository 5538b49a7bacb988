"""绩效考核表 (``score --forms``): one printed A4 page per person, read back and rendered.

docs/decisions.md, "Forms": a workbook of its own beside the result, values (not formulas),
a manual page break before every person, print titles, one page wide on A4 portrait,
and a PDF through LibreOffice when it is installed.
"""

from __future__ import annotations

import math
import subprocess
from dataclasses import replace
from datetime import datetime
from pathlib import Path

import numpy as np
import pytest
from openpyxl import load_workbook
from typer.testing import CliRunner

from kpi_engine import load, score, vocab
from kpi_engine.cli import app
from kpi_engine.resources import sample_data_dir
from kpi_engine.write import forms
from tests import builders

CREATED = datetime(2026, 4, 1, 9, 30)
runner = CliRunner()


@pytest.fixture(scope="module")
def outcome():
    return score(load(sample_data_dir()))


def blocks(ws) -> list[int]:
    """1-based first rows of the people's blocks (the 姓名 row)."""
    return [r for r in range(1, ws.max_row + 1) if ws.cell(r, 1).value == "姓名"]


def shown(value, expected) -> bool:
    """A number on the form against the engine's: equal, or a dash where there is none."""
    if expected is None or (isinstance(expected, float) and math.isnan(expected)):
        return value == "—"
    return isinstance(value, (int, float)) and abs(value - expected) < 1e-9


def test_one_block_per_person_with_the_results_values(outcome, tmp_path: Path):
    path = tmp_path / "forms.xlsx"
    forms.write_forms(outcome, path, created=CREATED)
    ws = load_workbook(path)["考核表"]
    people = forms.form_order(outcome.results.people)
    starts = blocks(ws)
    assert len(starts) == len(people) == 40
    assert ws["A1"].value == "绩效考核表" and "2026-01 – 2026-10" in ws["A2"].value
    scores = outcome.results.scores
    for start, person in zip(starts, people.itertuples(index=False)):
        assert ws.cell(start, 2).value == person.name
        assert ws.cell(start, 4).value == person.employee_id  # text: 00123 keeps its zeros
        assert ws.cell(start, 6).value == person.team
        assert ws.cell(start + 1, 2).value == person.role
        assert ws.cell(start + 1, 4).value == "2026-01 – 2026-10"
        assert ws.cell(start + 3, 2).value == "考核指标"
        mine = scores.loc[scores["employee_id"] == person.employee_id].sort_values(["order", "kpi"])
        for k, kpi in enumerate(mine.itertuples(index=False)):
            r = start + 4 + k
            row = [ws.cell(r, c).value for c in range(1, 9)]
            assert row[0] == k + 1 and row[1] == kpi.kpi
            for got, want in zip(row[2:7], (kpi.weight, kpi.target, kpi.actual, kpi.attainment, kpi.score)):
                assert shown(got, want), (person.employee_id, kpi.kpi, row)
            assert row[7] == vocab.word(vocab.STATUSES, kpi.status, "zh")
        total_row = start + 4 + len(mine)
        assert ws.cell(total_row, 1).value == "合计"
        assert shown(ws.cell(total_row, 3).value, float(mine["weight"].sum()))
        result = total_row + 2
        assert [ws.cell(result, c).value for c in (1, 3, 5, 7)] == ["总分", "等级", "绩效系数", "绩效工资"]
        assert shown(ws.cell(result, 2).value, person.total_rounded)
        assert ws.cell(result, 4).value == vocab.word(vocab.GRADES, person.grade, "zh")
        # The coefficient of the grade; the pay only with a 基数 (this fixture has none): a dash.
        assert shown(ws.cell(result, 6).value, person.coefficient)
        assert shown(ws.cell(result, 8).value, person.pay)
        texts = [ws.cell(r, c).value for r in range(result, result + 14) for c in (1, 5)]
        assert "员工意见：" in texts and "被考核人签字：" in texts and "考核人签字：" in texts
        assert texts.count("日期：") == 2


def test_one_printed_page_per_person(outcome, tmp_path: Path):
    path = tmp_path / "forms.xlsx"
    forms.write_forms(outcome, path, created=CREATED)
    ws = load_workbook(path)["考核表"]
    starts = blocks(ws)
    # A manual break above every block but the first (a break's id is the row above it).
    assert [b.id for b in ws.row_breaks.brk] == [s - 1 for s in starts[1:]]
    assert ws.page_setup.paperSize == 9 and ws.page_setup.orientation == "portrait"
    assert ws.sheet_properties.pageSetUpPr.fitToPage
    # One page wide (1 is the default, which xlsxwriter leaves out), as tall as it takes.
    assert ws.page_setup.fitToWidth in (None, 1) and ws.page_setup.fitToHeight == 0
    assert ws.print_title_rows == "$1:$2"
    assert ws.print_area == f"'考核表'!$A$1:$H${ws.max_row}"
    # At the width's scale the widest line fits A4 and the tallest block fits under the titles.
    scale = forms.width_scale() / 100
    assert scale >= 0.9
    heights = [ws.row_dimensions[r].height or ws.sheet_format.defaultRowHeight for r in range(1, ws.max_row + 1)]
    ends = [*[s - 1 for s in starts[1:]], ws.max_row]
    tallest = max(sum(heights[s - 1:e]) for s, e in zip(starts, ends))
    assert (sum(heights[:2]) + tallest) * scale <= 842 - 2 * 72 * forms.MARGIN_TB


def test_a_block_too_tall_for_a_page_gets_a_scale_that_fits_it():
    assert forms.print_scale(500) == forms.width_scale()
    small = forms.print_scale(2000)
    assert small < forms.width_scale()
    assert (forms.H_TITLE + forms.H_PERIOD + 2000) * small / 100 <= 842 - 2 * 72 * forms.MARGIN_TB


def test_coefficient_and_pay_show_when_the_results_have_them(outcome, tmp_path: Path):
    people = outcome.results.people.copy()
    people["coefficient"] = people["grade"].map({"excellent": 1.2, "good": 1.0, "pass": 0.8, "improve": 0.6})
    people["pay"] = np.where(people.index % 2 == 0, people["coefficient"] * 5000, np.nan)
    with_pay = replace(outcome, results=replace(outcome.results, people=people))
    path = tmp_path / "forms.xlsx"
    forms.write_forms(with_pay, path, created=CREATED)
    ws = load_workbook(path)["考核表"]
    ordered = forms.form_order(people)
    found = [r for r in range(1, ws.max_row + 1) if ws.cell(r, 1).value == "总分"]
    assert len(found) == len(ordered)
    for r, person in zip(found, ordered.itertuples(index=False)):
        assert shown(ws.cell(r, 6).value, person.coefficient)
        assert shown(ws.cell(r, 8).value, person.pay)


def test_more_people_than_a_sheet_keeps_breaks_for_go_on_further_sheets(outcome, tmp_path: Path, monkeypatch):
    monkeypatch.setattr(forms, "PEOPLE_PER_SHEET", 15)  # Excel keeps 1,023 breaks a sheet; 1,000 in real use
    path = tmp_path / "forms.xlsx"
    forms.write_forms(outcome, path, lang="en", created=CREATED)
    book = load_workbook(path)
    assert book.sheetnames == ["Forms", "Forms (2)", "Forms (3)"]
    counts = [sum(1 for r in range(1, ws.max_row + 1) if ws.cell(r, 1).value == "Name") for ws in book]
    assert counts == [15, 15, 10]
    assert [len(ws.row_breaks.brk) for ws in book] == [14, 14, 9]


# --- the command -----------------------------------------------------------------------------


def invoke(*args):
    return runner.invoke(app, [str(a) for a in args], catch_exceptions=False)


@pytest.fixture
def no_soffice(monkeypatch):
    monkeypatch.setattr(forms, "soffice", lambda: None)


def test_score_forms_writes_the_forms_beside_the_result(tmp_path: Path, no_soffice):
    drop = builders.clean_folder(tmp_path / "drop")
    out = tmp_path / "out" / "result.xlsx"
    done = invoke("score", drop, "-o", out, "--forms")
    assert done.exit_code == 0, done.output
    path = tmp_path / "out" / "result_考核表.xlsx"
    assert path.is_file() and not path.with_suffix(".pdf").exists()
    assert f"考核表已写入：{path}" in done.output
    assert "未找到 LibreOffice" in done.output  # said, not an error
    people = score(load([drop])).results.people
    assert len(blocks(load_workbook(path)["考核表"])) == len(people)


def test_score_without_forms_writes_no_forms(tmp_path: Path, no_soffice):
    drop = builders.clean_folder(tmp_path / "drop")
    done = invoke("score", drop, "-o", tmp_path / "r.xlsx")
    assert done.exit_code == 0
    assert sorted(p.name for p in tmp_path.glob("*.xlsx")) == ["r.xlsx"]


def test_forms_in_the_input_folder_are_skipped_next_time(tmp_path: Path, no_soffice):
    drop = builders.clean_folder(tmp_path / "drop")
    first = invoke("score", drop, "--forms", "--json")
    assert first.exit_code == 0
    import json

    outputs = json.loads(first.output)["outputs"]
    assert [Path(p).name for p in outputs] == ["kpi-results_2026-01_2026-02.xlsx", "kpi-results_2026-01_2026-02_考核表.xlsx"]
    (drop / "kpi-results_2026-01_2026-02_考核表.pdf").write_bytes(b"%PDF-1.4\n")  # as LibreOffice leaves it
    data = load([drop])
    status = {f.name: f.status for f in data.files}
    assert status["kpi-results_2026-01_2026-02_考核表.xlsx"] == "skipped"
    assert "kpi-results_2026-01_2026-02_考核表.pdf" not in status
    assert invoke("score", drop).exit_code == 0


def test_split_by_team_writes_each_teams_forms(tmp_path: Path, no_soffice):
    drop = builders.clean_folder(tmp_path / "drop", teams={"E01": "华东", "E02": "华北"})
    out = tmp_path / "out" / "r.xlsx"
    done = invoke("score", drop, "-o", out, "--split-by", "team", "--forms", "--lang", "en")
    assert done.exit_code == 0, done.output
    names = sorted(p.name for p in out.parent.iterdir())
    teams = sorted(score(load([drop])).results.people["team"].unique())
    assert names == sorted(["r.xlsx", "r_forms.xlsx", *[f"r_{t}.xlsx" for t in teams], *[f"r_{t}_forms.xlsx" for t in teams]])
    for team in teams:
        ws = load_workbook(out.parent / f"r_{team}_forms.xlsx")["Forms"]
        starts = [r for r in range(1, ws.max_row + 1) if ws.cell(r, 1).value == "Name"]
        assert {ws.cell(r, 6).value for r in starts} == {team}
    assert "Forms written to:" in done.output


def test_forms_that_cannot_be_written_are_an_error_but_the_result_stays(tmp_path: Path, no_soffice):
    drop = builders.clean_folder(tmp_path / "drop")
    out = tmp_path / "out" / "r.xlsx"
    (tmp_path / "out" / "r_考核表.xlsx").mkdir(parents=True)  # a folder in the way
    done = invoke("score", drop, "-o", out, "--forms")
    assert done.exit_code == 1
    assert out.is_file()
    assert "r_考核表.xlsx" in done.output and "考核表" in done.output


# --- rendered -------------------------------------------------------------------------------------


@pytest.mark.libreoffice
@pytest.mark.slow
def test_the_pdf_has_one_page_per_person(tmp_path: Path):
    out = tmp_path / "r.xlsx"
    done = invoke("score", sample_data_dir(), "-o", out, "--forms")
    assert done.exit_code == 1, done.output  # the sample data's deliberate rejected row
    pdf = tmp_path / "r_考核表.pdf"
    assert f"考核表已写入：{pdf}" in done.output
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
    pages = int(next(line.split()[-1] for line in info.splitlines() if line.startswith("Pages:")))
    people = score(load(sample_data_dir())).results.people
    assert pages == len(people)
    # Each page is one person's: their 工号 on it, with the title and the signature lines.
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    page_texts = text.split("\f")[:pages]
    for page, person in zip(page_texts, forms.form_order(people).itertuples(index=False)):
        assert person.employee_id in page and person.name in page
        assert "绩效考核表" in page and "被考核人签字" in page and "员工意见" in page
