"""Sheets and cells (inputs.md, "How sheets are found", formulas, dates, merged cells)."""

from __future__ import annotations

import datetime as dt
import zipfile
from pathlib import Path

import pytest
import xlsxwriter

from kpi_engine.read import load
from tests.data import make_fixtures as mf
from tests.data.make_fixtures import (
    TARGET_HEADER, assessment_form, target_sheet, write_xlsx,
)

DATA = Path(__file__).parent / "data"
ROW = ["E001", "张三", "华东", "销售代表", "2026-03", "销售额", 500000, 560000, "", ""]


def problems(data, levels=("error", "warning", "info")):
    return sorted((i.sheet, i.cell, i.code) for i in data.report.issues if i.level in levels)


def with_form(tmp_path: Path, name: str, sheets: dict, **kw) -> Path:
    folder = tmp_path / "in"
    write_xlsx(folder / "assessment_form.xlsx", assessment_form(评分=[mf.RATING_HEADER]))
    write_xlsx(folder / name, sheets, **kw)
    return folder


def value(data, pid, kpi, col):
    t = data.targets
    hit = t[(t["employee_id"] == pid) & (t["kpi"] == kpi)]
    assert len(hit) == 1, hit
    return hit.iloc[0][col]


@pytest.mark.parametrize("sheet_name", ["目标管理", "Targets", " targets ", "TARGETS"])
def test_sheet_found_by_name(tmp_path, sheet_name):
    data = load([with_form(tmp_path, "t.xlsx", {sheet_name: [TARGET_HEADER, ROW]})])
    assert list(data.targets["employee_id"]) == ["E001"]
    assert problems(data) == []


def test_sheet_found_by_header_row_below_a_title(tmp_path):
    rows = [["2026年3月销售目标"], ["制表：HR"], [], TARGET_HEADER, ROW]
    data = load([with_form(tmp_path, "t.xlsx", {"Sheet1": rows})])
    assert value(data, "E001", "销售额", "row") == 5
    assert value(data, "E001", "销售额", "actual_cell") == "H5"


def test_header_below_row_10_is_an_error_naming_the_sheet(tmp_path):
    rows = [[]] * 10 + [TARGET_HEADER, ROW]
    data = load([with_form(tmp_path, "t.xlsx", {"目标管理": rows})])
    assert problems(data) == [("目标管理", "", "header_not_found")]
    count = next(c for c in data.report.counts if c.sheet == "目标管理")
    assert (count.read, count.rejected) == (2, 2) and count.balanced


def test_english_headers_with_unit_hints_and_wan_scale(tmp_path):
    header = ["Employee ID", "name", "TEAM", "Role ", "Period", "KPI", "Target (万元)", "Actual（万元）", "Unit", "Note"]
    rows = [header, ["E001", "张三", "华东", "销售代表", "2026-03", "销售额", 50, "56万", "", ""],
            ["E002", "李四", "华东", "销售代表", "2026-03", "销售额", "1.2", "500元", "", ""]]
    data = load([with_form(tmp_path, "t.xlsx", {"Sheet1": rows})])
    assert (value(data, "E001", "销售额", "target"), value(data, "E001", "销售额", "actual")) == (500000, 560000)
    assert (value(data, "E002", "销售额", "target"), value(data, "E002", "销售额", "actual")) == (12000, 500)


def test_header_spacing_and_brackets(tmp_path):
    header = [" 工 号 ", "姓名", "部门", "岗位", "期间", "指标", "目标值(元)", "实际值【元】", "单位", "备注"]
    data = load([with_form(tmp_path, "t.xlsx", {"目标管理": [header, ROW]})])
    assert value(data, "E001", "销售额", "actual") == 560000


def test_unrecognised_sheet_and_unknown_columns_are_info(tmp_path):
    sheets = {"目标管理": [[*TARGET_HEADER, "奖金", "上月"], [*ROW, 1, 2]], "备忘": [["随手记"]]}
    data = load([with_form(tmp_path, "t.xlsx", sheets)])
    assert problems(data) == [("备忘", "", "sheet_unrecognised"), ("目标管理", "", "unknown_columns")]
    assert "奖金" in next(i for i in data.report.issues if i.code == "unknown_columns").value


def test_duplicate_header_refuses_the_sheet(tmp_path):
    sheets = {"目标管理": [[*TARGET_HEADER, "实际值"], [*ROW, 999999]]}
    data = load([with_form(tmp_path, "t.xlsx", sheets)])
    assert problems(data) == [("目标管理", "K1", "duplicate_header")]
    assert data.targets.empty
    count = next(c for c in data.report.counts if c.sheet == "目标管理")
    assert (count.read, count.rejected) == (1, 1)


def test_hidden_sheets_are_read(tmp_path):
    sheets = {"封面": [["2026年3月"]], "目标管理": [TARGET_HEADER, ROW]}
    data = load([with_form(tmp_path, "t.xlsx", sheets, hidden=("目标管理",))])
    assert list(data.targets["employee_id"]) == ["E001"]


def test_merged_team_cells_fixture():
    """tests/data/merged-team-cells.xlsx: 部门 and 岗位 merged down over three rows."""
    data = load([DATA / "merged-team-cells.xlsx"])
    assert problems(data, ("error", "warning")) == []
    assert set(data.targets["team"]) == {"华东"}
    assert set(data.targets["role"]) == {"销售代表"}
    assert len(data.targets) == 3


def test_title_rows_and_units_fixture():
    data = load([DATA / "title-rows-and-units.xlsx"])
    assert (value(data, "E001", "销售额", "target"), value(data, "E001", "销售额", "actual")) == (500000, 560000)


def test_fixtures_are_current(tmp_path):
    """The committed fixtures are what make_fixtures.py writes (compared by cell values)."""
    import openpyxl

    for name, make in mf.FIXTURES.items():
        fresh = make(tmp_path / name)
        a, b = openpyxl.load_workbook(fresh), openpyxl.load_workbook(DATA / name)
        assert a.sheetnames == b.sheetnames
        for ws in a.worksheets:
            assert [list(r) for r in ws.iter_rows(values_only=True)] == \
                   [list(r) for r in b[ws.title].iter_rows(values_only=True)]
            assert sorted(map(str, ws.merged_cells.ranges)) == sorted(map(str, b[ws.title].merged_cells.ranges))


def test_formula_without_saved_value_openpyxl(tmp_path):
    rows = [TARGET_HEADER, ["E001", "张三", "华东", "销售代表", "2026-03", "销售额", 500000, "=G2*1.1", "", ""],
            ["E002", "李四", "华东", "销售代表", "2026-03", "销售额", 500000, 1, "", ""]]
    data = load([with_form(tmp_path, "t.xlsx", {"目标管理": rows})])
    assert problems(data) == [("目标管理", "H2", "formula_no_value")]
    assert list(data.targets["employee_id"]) == ["E002"]


def _xlsxwriter_book(path: Path, rows, *, value=None) -> Path:
    wb = xlsxwriter.Workbook(str(path))
    ws = wb.add_worksheet("目标管理")
    for r, row in enumerate(rows):
        for c, v in enumerate(row):
            if isinstance(v, str) and v.startswith("="):
                ws.write_formula(r, c, v, None, value)
            else:
                ws.write(r, c, v)
    wb.close()
    return path


def test_formula_value_untrusted_when_recalculated_on_load(tmp_path):
    folder = with_form(tmp_path, "x.xlsx", target_sheet([]))
    rows = [TARGET_HEADER, ["E001", "张三", "华东", "销售代表", "2026-03", "销售额", 500000, "=G2*1.1", "", ""]]
    _xlsxwriter_book(folder / "f.xlsx", rows, value=550000)  # xlsxwriter flags fullCalcOnLoad
    data = load([folder])
    assert problems(data) == [("目标管理", "H2", "formula_not_recalculated")]


def test_formula_with_saved_value_is_used(tmp_path):
    folder = with_form(tmp_path, "x.xlsx", target_sheet([]))
    path = _xlsxwriter_book(folder / "f.xlsx", [TARGET_HEADER, [*ROW[:7], "=G2*1.1", "", ""]], value=550000)
    # What Excel does on save: keep the value, drop the recalculation flag.
    raw = {}
    with zipfile.ZipFile(path) as zf:
        for n in zf.namelist():
            raw[n] = zf.read(n)
    raw["xl/workbook.xml"] = raw["xl/workbook.xml"].replace(b' fullCalcOnLoad="1"', b"")
    with zipfile.ZipFile(path, "w") as zf:
        for n, b in raw.items():
            zf.writestr(n, b)
    data = load([folder])
    assert problems(data) == []
    assert value(data, "E001", "销售额", "actual") == 550000


def test_error_cells_are_bad_numbers(tmp_path):
    folder = with_form(tmp_path, "x.xlsx", target_sheet([]))
    path = _xlsxwriter_book(folder / "f.xlsx", [TARGET_HEADER, ROW])
    raw = {}
    with zipfile.ZipFile(path) as zf:
        for n in zf.namelist():
            raw[n] = zf.read(n)
    sheet = raw["xl/worksheets/sheet1.xml"]
    sheet = sheet.replace(b'<c r="H2"><v>560000</v></c>', b'<c r="H2" t="e"><v>#DIV/0!</v></c>')
    assert b"#DIV/0!" in sheet
    raw["xl/worksheets/sheet1.xml"] = sheet
    with zipfile.ZipFile(path, "w") as zf:
        for n, b in raw.items():
            zf.writestr(n, b)
    data = load([folder])
    assert problems(data) == [("目标管理", "H2", "bad_number")]
    assert next(i for i in data.report.issues if i.code == "bad_number").value == "#DIV/0!"


@pytest.mark.parametrize("epoch1904", [False, True])
def test_both_date_systems(tmp_path, epoch1904):
    rows = [TARGET_HEADER, [*ROW[:4], dt.datetime(2026, 1, 15), *ROW[5:]]]
    data = load([with_form(tmp_path, "t.xlsx", {"目标管理": rows}, epoch1904=epoch1904)])
    assert list(data.targets["period"]) == ["2026-01"]


def test_stray_cell_in_the_last_column_and_row(tmp_path):
    """A stray character in XFD1048576 must not make a dense 17-billion-cell range."""
    folder = with_form(tmp_path, "x.xlsx", target_sheet([]))
    path = write_xlsx(folder / "stray.xlsx", {"目标管理": [TARGET_HEADER, ROW]})
    raw = {}
    with zipfile.ZipFile(path) as zf:
        for n in zf.namelist():
            raw[n] = zf.read(n)
    sheet = raw["xl/worksheets/sheet1.xml"]
    tail = b'<row r="1048576"><c r="XFD1048576" t="inlineStr"><is><t>.</t></is></c></row></sheetData>'
    raw["xl/worksheets/sheet1.xml"] = sheet.replace(b"</sheetData>", tail)
    with zipfile.ZipFile(path, "w") as zf:
        for n, b in raw.items():
            zf.writestr(n, b)
    data = load([folder])
    assert list(data.targets["employee_id"]) == ["E001"]
    assert ("目标管理", "A1048576", "row_without_id") in problems(data)
