"""OpenDocument (.ods) and Excel binary (.xlsb) workbooks: read like .xlsx, with the same
safety checks (issue 12, item 3).

The sample months come from committed fixtures (tests/data/make_ods_xlsb.py says how
they were made); the crafted files (entities, bombs, repeats, long cells, error and
formula cells) are built here with tests/corpus/ods.py and tests/corpus/xlsb.py.
"""

from __future__ import annotations

import io
import shutil
import zipfile
from pathlib import Path

import msoffcrypto.format.ooxml
import pandas as pd
import pytest

from kpi_engine import pipeline
from kpi_engine.read import find_input_files, load
from kpi_engine.read.xlsxscan import CELL_LIMIT
from tests import builders
from tests.corpus.make_corpus import HEADER, person, row
from tests.corpus.ods import OdsCell, ods_bytes, rows_xml, write_ods
from tests.corpus.xl import Err
from tests.corpus.xlsb import BinFormula, XlsbSheet, write_xlsb
from tests.data.make_ods_xlsb import BAD_CELL, ODS_MONTH, XLSB_MONTH, bad_value_rows

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "tests" / "data"
T = "目标管理"


def issues(data, code=None):
    return [(i.file, i.sheet, i.cell, i.code) for i in data.report.issues if code is None or i.code == code]


def errors(data):
    return sorted({(i.file, i.code) for i in data.report.issues if i.level == "error"})


def message(data, code, lang="en"):
    return next(i for i in data.report.issues if i.code == code).message(lang)


# --- the sample, month by month in other formats -------------------------------------


def _sample(folder: Path) -> Path:
    shutil.copytree(ROOT / "sample_data", folder, ignore=shutil.ignore_patterns("*.py", "*.md"))
    return folder


def test_sample_months_as_ods_and_xlsb_score_like_xlsx(tmp_path):
    plain = _sample(tmp_path / "xlsx")
    other = _sample(tmp_path / "other")
    (other / f"targets_{ODS_MONTH}.xlsx").unlink()
    (other / f"targets_{XLSB_MONTH}.xlsx").unlink()
    shutil.copy(DATA / f"targets_{ODS_MONTH}.ods", other)
    shutil.copy(DATA / f"targets_{XLSB_MONTH}.xlsb", other)

    a, b = pipeline.load([plain]), pipeline.load([other])
    status = {f.name: f.status for f in b.files}
    assert status[f"targets_{ODS_MONTH}.ods"] == status[f"targets_{XLSB_MONTH}.xlsb"] == "read"
    assert not [i for i in b.report.issues if i.code in ("file_not_workbook", "file_corrupt", "file_too_large")]
    # Both months are there, with every row of the .xlsx months.
    # (Row by row too: the values, with their cells; only the file differs.)
    keep = [c for c in a.targets.columns if c != "file"]
    pd.testing.assert_frame_equal(a.targets[keep].reset_index(drop=True), b.targets[keep].reset_index(drop=True))
    for month in (ODS_MONTH, XLSB_MONTH):
        assert (b.targets["period"] == month).sum() == (a.targets["period"] == month).sum() > 0
    # Same problems at the same cells (the sample plants some), only the file names differ.
    rename = {f"targets_{ODS_MONTH}.xlsx": f"targets_{ODS_MONTH}.ods",
              f"targets_{XLSB_MONTH}.xlsx": f"targets_{XLSB_MONTH}.xlsb"}
    want = sorted((rename.get(f, f), s, c, code) for f, s, c, code in issues(a))
    assert sorted(issues(b)) == want
    ra, rb = pipeline.score(a).results, pipeline.score(b).results
    assert ra.scope == rb.scope and ODS_MONTH in ra.scope
    pd.testing.assert_frame_equal(ra.people, rb.people)  # totals, grades, ranks
    pd.testing.assert_frame_equal(ra.scores, rb.scores)
    pd.testing.assert_frame_equal(ra.monthly, rb.monthly)


def test_ods_xlsb_and_template_are_found_fods_is_listed_not_read(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    for name in ("a.ods", "b.xlsb", "c.ots", "d.ODS", "e.fods"):
        (folder / name).write_bytes(b"")
    files, found = find_input_files([folder])
    assert [f.name for f in files] == ["a.ods", "b.xlsb", "c.ots", "d.ODS"]
    assert [(i.file, i.code) for i in found] == [("e.fods", "file_not_workbook")]


# --- a bad value is named at its cell --------------------------------------------------


def test_bad_value_in_ods_names_its_cell(tmp_path):
    folder = builders.clean_folder(tmp_path / "in")
    shutil.copy(DATA / "bad-value.ods", folder)
    data = load([folder])
    assert ("bad-value.ods", T, BAD_CELL, "bad_number") in issues(data)
    assert errors(data) == [("bad-value.ods", "bad_number")]
    assert {f"E{i}" for i in range(101, 106)} <= set(data.targets["employee_id"])


def test_bad_value_in_xlsb_names_its_cell(tmp_path):
    folder = builders.clean_folder(tmp_path / "in")
    write_xlsb(folder / "bad-value.xlsb", [XlsbSheet(T, bad_value_rows())])
    write_xlsb(folder / "inline.xlsb", [XlsbSheet(T, [HEADER, *person("E201")])], inline=True)
    data = load([folder])
    assert ("bad-value.xlsb", T, BAD_CELL, "bad_number") in issues(data)
    assert errors(data) == [("bad-value.xlsb", "bad_number")]
    assert {"E105", "E201"} <= set(data.targets["employee_id"])


# --- what calamine hides: error cells, formulas, merged cells --------------------------


def test_ods_error_cell_and_formula_without_value_are_reported(tmp_path):
    folder = builders.clean_folder(tmp_path / "in")
    err = OdsCell('table:formula="of:=1/0" office:value-type="string" office:string-value="" '
                  'calcext:value-type="error"', "<text:p>#DIV/0!</text:p>")
    no_value = OdsCell('table:formula="of:=[.G2]*2"')
    rows = [HEADER, row("E101", "销售额", 100000, err, unit="元"), row("E102", "销售额", 100000, no_value, unit="元"),
            *person("E103")]
    write_ods(folder / "calc.ods", {T: rows_xml(rows)})
    data = load([folder])
    got = issues(data)
    assert ("calc.ods", T, "H2", "bad_number") in got
    assert "#DIV/0!" in next(i for i in data.report.issues if i.cell == "H2").message("en")
    assert ("calc.ods", T, "H3", "formula_no_value") in got
    assert "E103" in set(data.targets["employee_id"])


def test_xlsb_error_cells_and_recalc_flag(tmp_path):
    folder = builders.clean_folder(tmp_path / "in")
    rows = [HEADER, row("E101", "销售额", 100000, Err("#N/A"), unit="元"),
            row("E102", "销售额", 100000, BinFormula(Err("#DIV/0!")), unit="元"),
            row("E103", "销售额", 100000, BinFormula(120000.0), unit="元"), *person("E104")]
    write_xlsb(folder / "calc.xlsb", [XlsbSheet(T, rows)])
    write_xlsb(folder / "recalc.xlsb", [XlsbSheet(T, [HEADER, row("E301", "销售额", 1, BinFormula(0.0), unit="元")])],
               full_calc=True)
    data = load([folder])
    got = issues(data)
    assert ("calc.xlsb", T, "H2", "bad_number") in got
    assert ("calc.xlsb", T, "H3", "bad_number") in got  # calamine skips a formula's error record entirely
    assert ("recalc.xlsb", T, "H2", "formula_not_recalculated") in got
    t = data.targets.set_index("employee_id")
    assert t.loc["E103", "actual"] == 120000  # a formula's cached value is the value
    assert "E104" in t.index


def test_merged_cells_fill_in_ods_and_xlsb(tmp_path):
    folder = builders.clean_folder(tmp_path / "in")
    rows = [HEADER, *person("E101"), *person("E102")]
    team_rows = [r[:] for r in rows]
    for r in team_rows[2:7]:
        r[2] = ""  # 部门 only in the first row of the merged range C2:C7
    merged = OdsCell('office:value-type="string" table:number-rows-spanned="6"', "<text:p>华南</text:p>")
    ods_rows = [r[:] for r in team_rows]
    ods_rows[1][2] = merged
    write_ods(folder / "m.ods", {T: rows_xml(ods_rows)})
    xb = [r[:] for r in team_rows]
    xb[1][2] = "华南"
    write_xlsb(folder / "m2.xlsb", [XlsbSheet(T, [[c if c is not None else "" for c in r] for r in xb],
                                                merged=[(1, 2, 6, 2)])])
    data = load([folder])
    assert errors(data) == []
    t = data.targets
    for f in ("m.ods", "m2.xlsb"):
        rows_of = t[t["source_file"] == f] if "source_file" in t else t
        assert len(rows_of) >= 6
    assert set(t[t["employee_id"].isin(["E101", "E102"])]["team"]) == {"华南"}


# --- refused, naming the file (and the sheet and cell where there is one) -------------


def _ods_folder(tmp_path, name: str, raw: bytes) -> Path:
    folder = builders.clean_folder(tmp_path / "in")
    (folder / name).write_bytes(raw)
    return folder


def test_ods_with_entities_is_refused(tmp_path):
    prolog = '<!DOCTYPE x [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>\n'
    rows = [HEADER, row("E101", "销售额", 1, 1, name="&b;")]
    folder = _ods_folder(tmp_path, "laughs.ods", ods_bytes({T: rows_xml(rows).replace("&amp;b;", "&b;")}, prolog=prolog))
    data = load([folder])
    assert errors(data) == [("laughs.ods", "file_corrupt")]
    assert "DTD" in message(data, "file_corrupt")
    assert "E101" not in set(data.targets["employee_id"])


def test_ods_lying_zip_bomb_is_refused(tmp_path):
    body = b'<?xml version="1.0"?><x>' + b" " * (8 << 20) + b"</x>"
    raw = bytearray(ods_bytes({}, content=body))
    # declared size 1 KB in both headers
    name = b"content.xml"
    for sig, off in ((b"PK\x03\x04", 22), (b"PK\x01\x02", 24)):
        start = 0
        while (pos := raw.find(sig, start)) >= 0:
            name_at = pos + (30 if sig == b"PK\x03\x04" else 46)
            if raw[name_at : name_at + len(name)] == name:
                raw[pos + off : pos + off + 4] = (1024).to_bytes(4, "little")
            start = pos + 4
    data = load([_ods_folder(tmp_path, "bomb.ods", bytes(raw))])
    assert errors(data) == [("bomb.ods", "file_too_large")]


@pytest.mark.parametrize("rows, what", [
    # one value repeated over every column of a row repeated a million times
    ('<table:table-row table:number-rows-repeated="1048576"><table:table-cell office:value-type="float" '
     'office:value="1" table:number-columns-repeated="16384"/></table:table-row>', "XFD"),
    # one stray value far away, after empty repeats (calamine fills the gap with cells)
    ('<table:table-row table:number-rows-repeated="1000000"><table:table-cell table:number-columns-repeated="16000"/>'
     '</table:table-row><table:table-row><table:table-cell table:number-columns-repeated="16000"/>'
     '<table:table-cell office:value-type="string"><text:p>x</text:p></table:table-cell></table:table-row>', "row 1,000,005 and column WQK"),
])
def test_ods_huge_repeats_are_refused_naming_the_sheet(tmp_path, rows, what):
    table = rows_xml([HEADER, *person("E101")]) + rows
    data = load([_ods_folder(tmp_path, "huge.ods", ods_bytes({T: table}))])
    assert errors(data) == [("huge.ods", "file_too_large")]
    msg = message(data, "file_too_large")
    assert "huge.ods" in msg and T in msg and what in msg
    assert "E001" in set(data.targets["employee_id"])


def test_ods_honest_empty_repeats_are_read(tmp_path):
    """LibreOffice pads every sheet with empty repeated rows and cells to the sheet's end."""
    table = rows_xml([HEADER, *person("E101")]) + (
        '<table:table-row table:number-rows-repeated="1048570"><table:table-cell table:number-columns-repeated="16384"/>'
        '</table:table-row>')
    data = load([_ods_folder(tmp_path, "padded.ods", ods_bytes({T: table}))])
    assert errors(data) == []
    assert "E101" in set(data.targets["employee_id"])


def test_ods_cell_too_long_is_refused_naming_the_cell(tmp_path):
    long = "长" * (CELL_LIMIT // 2)
    rows = [HEADER, *person("E101"), row("E102", "销售额", 1, 1, note=long)]
    data = load([_ods_folder(tmp_path, "long.ods", ods_bytes({T: rows_xml(rows)}))])
    assert ("long.ods", T, "J5", "cell_too_long") in issues(data)
    assert errors(data) == [("long.ods", "cell_too_long")]


def test_xlsb_cell_too_long_is_refused_naming_the_cell(tmp_path):
    folder = builders.clean_folder(tmp_path / "in")
    long = "长" * CELL_LIMIT
    write_xlsb(folder / "inline.xlsb", [XlsbSheet(T, [HEADER, *person("E101"), row("E102", "销售额", 1, 1, note=long)])],
               inline=True)
    write_xlsb(folder / "shared.xlsb", [XlsbSheet(T, [HEADER, *person("E201"), row("E202", "销售额", 1, 1, note=long)])])
    data = load([folder])
    got = issues(data, "cell_too_long")
    assert ("inline.xlsb", T, "J5", "cell_too_long") in got
    assert ("shared.xlsb", T, "J5", "cell_too_long") in got


def test_xlsb_stray_far_cell_is_refused_not_allocated(tmp_path):
    folder = builders.clean_folder(tmp_path / "in")
    # BrtWsDim says A1:J4 (a lie): the cell in column 2,000,000,000 is found by the walk
    write_xlsb(folder / "far.xlsb", [XlsbSheet(T, [HEADER, *person("E101")], cells={(5, 2_000_000_000): 1.0},
                                               dim=(0, 3, 0, 9))])
    data = load([folder])
    assert errors(data) == [("far.xlsb", "file_too_large")]
    assert T in message(data, "file_too_large")


def test_encrypted_ods_and_xlsb_are_password_errors(tmp_path):
    folder = builders.clean_folder(tmp_path / "in")
    write_ods(folder / "secret.ods", {T: rows_xml([HEADER, *person("E101")])}, encrypted=True)
    plain = write_xlsb(tmp_path / "plain.xlsb", [XlsbSheet(T, [HEADER, *person("E102")])])
    with open(plain, "rb") as fi, open(folder / "secret.xlsb", "wb") as fo:
        msoffcrypto.format.ooxml.OOXMLFile(fi).encrypt("hr-2026", fo)
    data = load([folder])
    assert errors(data) == [("secret.ods", "file_encrypted"), ("secret.xlsb", "file_encrypted")]
    assert "password" in message(data, "file_encrypted")


def test_damaged_ods_and_xlsb_are_corrupt_with_a_reason(tmp_path):
    folder = builders.clean_folder(tmp_path / "in")
    write_ods(folder / "letter.ods", {}, mimetype="application/vnd.oasis.opendocument.text")
    good = write_xlsb(tmp_path / "g.xlsb", [XlsbSheet(T, [HEADER, *person("E101")])])
    with zipfile.ZipFile(good) as zin, zipfile.ZipFile(folder / "cut.xlsb", "w") as zout:
        for info in zin.infolist():
            body = zin.read(info.filename)
            zout.writestr(info.filename, body[: len(body) // 2] if info.filename.endswith("sheet1.bin") else body)
    with zipfile.ZipFile(good) as zin, zipfile.ZipFile(folder / "dtd.xlsb", "w") as zout:
        for info in zin.infolist():
            body = zin.read(info.filename)
            if info.filename == "[Content_Types].xml":
                body = b'<!DOCTYPE x [<!ENTITY a "a">]>' + body
            zout.writestr(info.filename, body)
    data = load([folder])
    assert errors(data) == [("cut.xlsb", "file_corrupt"), ("dtd.xlsb", "file_corrupt"), ("letter.ods", "file_corrupt")]
    reasons = {i.file: i.message("en") for i in data.report.issues if i.code == "file_corrupt"}
    assert "not a spreadsheet" in reasons["letter.ods"]
    assert "DTD" in reasons["dtd.xlsb"]


def test_ods_template_is_read(tmp_path):
    folder = builders.clean_folder(tmp_path / "in")
    write_ods(folder / "t.ots", {T: rows_xml([HEADER, *person("E101")])},
              mimetype="application/vnd.oasis.opendocument.spreadsheet-template")
    data = load([folder])
    assert errors(data) == []
    assert "E101" in set(data.targets["employee_id"])


def test_watch_reacts_to_ods_and_xlsb():
    from kpi_engine.watch import relevant

    assert relevant("/in/targets_2026-03.ods") and relevant("/in/t.XLSB") and relevant("/in/t.ots")
    assert not relevant("/in/t.fods") and not relevant("/in/~$t.ods")


@pytest.mark.slow
@pytest.mark.libreoffice
def test_ods_scan_extent_matches_calamine_on_libreoffice_output(tmp_path):
    """The scan's extent and count of filled cells are calamine's own, on what LibreOffice
    writes: equal neighbours and identical rows (saved as repeats), gaps, a far cell,
    styled empty cells, merged ranges."""
    import openpyxl
    from openpyxl.styles import PatternFill
    from python_calamine import CalamineWorkbook

    from kpi_engine.read import odsscan
    from kpi_engine.read.xlsxscan import scan_package
    from tests.data.make_ods_xlsb import soffice

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "repeats"
    for r in range(1, 40):
        ws.append(["same", "same", "same", 1, 1, None, None, 2] if r % 3 else ["row", r, None, None, "x"])
    ws2 = wb.create_sheet("gaps")
    ws2["B3"], ws2["AA300"], ws2["C7"] = "a", 5, 0
    ws2["Z2"].fill = PatternFill("solid", fgColor="FFFF00")  # styled, empty
    ws2.merge_cells("D10:F12")
    ws2["D10"] = "merged"
    ws3 = wb.create_sheet("identical rows")
    for _ in range(50):
        ws3.append(["E001", "张三", 100, None, "note"])
    ws3.append([None] * 12 + ["far"])
    src = tmp_path / "grids.xlsx"
    wb.save(src)
    ods = soffice(src, "ods", tmp_path / "out")
    data = ods.read_bytes()
    scan = odsscan.OdsScan()
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        scan_package(data, zf, set(), False, {odsscan.CONTENT: scan})
    book = CalamineWorkbook.from_filelike(io.BytesIO(data))
    for name in ("repeats", "gaps", "identical rows"):
        sh = book.get_sheet_by_name(name)
        grid = sh.to_python(skip_empty_area=False)
        filled = sum(1 for row in grid for v in row if v != "")
        f = scan.facts[name]
        assert (f.max_row + 1, f.max_col + 1) == (len(grid), max(map(len, grid))), name
        assert f.cells == filled, name
    assert scan.facts["gaps"].merged == [((9, 3), (11, 5))]
