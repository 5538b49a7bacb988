"""A cell whose text runs past xlsxscan.CELL_LIMIT is refused before calamine decodes it.

One 50 MB cell in a 15 MB file took a run past 1.4 GB (and then the writer failed on
it); the scan now names the file, sheet and cell, and the other files are still scored.
The in-process tests shrink the limit and the scan's piece size, so that the windows,
the carried row and the shared-string count cross piece boundaries on small files.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import xlsxwriter

from kpi_engine.read import load, xlsxscan
from tests import builders
from tests.test_corpus import run_isolated
from tests.corpus import make_corpus as mc
from tests.corpus.xl import RawSheet, patch_member, raw_xlsx, sheet_xml

ROOT = Path(__file__).resolve().parent.parent
LIMIT = 4096


@pytest.fixture
def small_limit(monkeypatch):
    monkeypatch.setattr(xlsxscan, "CELL_LIMIT", LIMIT)
    monkeypatch.setattr(xlsxscan, "CHUNK", 1000)  # pieces far smaller than a row of the long cell


def too_long(data) -> list[tuple[str, str, str]]:
    return [(i.file, i.sheet, i.cell) for i in data.report.issues if i.code == "cell_too_long"]


def people(data) -> set[str]:
    return set(data.targets["employee_id"])


def targets(folder: Path, name: str, xml: str) -> Path:
    return raw_xlsx(folder / name, [RawSheet("目标管理", xml)])


@pytest.mark.parametrize("form", ["inline", "value", "rich_runs"])
def test_long_cell_refuses_its_file_naming_the_cell(tmp_path, small_limit, form):
    folder = builders.clean_folder(tmp_path / "drop")
    xml = sheet_xml([mc.HEADER, *mc.person("E101"), *mc.person("E102")])
    text = "长" * (2 * LIMIT)
    if form == "inline":
        xml = xml.replace("员工E102", text, 1)  # row 5: E102's first row, 姓名 in B
    elif form == "value":  # a formula's saved text: <v>
        xml = xml.replace('<c r="B5" t="inlineStr"><is><t xml:space="preserve">员工E102</t></is></c>',
                          f'<c r="B5" t="str"><f>A5</f><v>{text}</v></c>', 1)
    else:  # many short runs, each with its font: no run is long, the cell is
        runs = "".join(f'<r><rPr><color rgb="FF000000"/><b/></rPr><t>{"长" * 50}</t></r>' for _ in range(200))
        xml = xml.replace('<is><t xml:space="preserve">员工E102</t></is>', f"<is>{runs}</is>", 1)
    assert text in xml or form == "rich_runs"
    targets(folder, "targets_long.xlsx", xml)
    data = load([folder])
    assert too_long(data) == [("targets_long.xlsx", "目标管理", "B5")]
    issue = next(i for i in data.report.issues if i.code == "cell_too_long")
    assert issue.level == "error"
    assert "targets_long.xlsx" in issue.message("zh") and "目标管理!B5" in issue.message("zh")
    assert "targets_long.xlsx" in issue.message("en") and "目标管理!B5" in issue.message("en")
    assert "32,767" in issue.message("en")
    # The file is not read (not even E101's good rows); the other files are.
    assert "E101" not in people(data) and "E001" in people(data)


def test_long_shared_string_names_the_cell_showing_it(tmp_path, small_limit):
    folder = builders.clean_folder(tmp_path / "drop")
    path = folder / "targets_sst.xlsx"
    wb = xlsxwriter.Workbook(str(path))  # shared strings, as Excel writes them
    ws = wb.add_worksheet("说明")
    for r in range(300):  # strings enough that the long one's number crosses pieces
        ws.write(r, 0, f"备注{r}")
    ws = wb.add_worksheet("目标管理")
    for r, values in enumerate([mc.HEADER, *mc.person("E101"), *mc.person("E102")]):
        ws.write_row(r, 0, values)
    wb.close()
    patch_member(path, "xl/sharedStrings.xml", lambda b: b.replace("员工E102".encode(), ("长" * 2 * LIMIT).encode(), 1))
    data = load([folder])
    assert too_long(data) == [("targets_sst.xlsx", "目标管理", "B5")]
    assert "E101" not in people(data) and "E001" in people(data)


def test_long_but_legal_parts_are_read(tmp_path, small_limit):
    """Long rows of short cells, a long <cols> before the data and a long list of merged
    ranges after it: many bytes without a cell, none of them a long cell."""
    folder = builders.clean_folder(tmp_path / "drop")
    just = "长" * ((LIMIT - 200) // 3)  # a cell just under the limit
    wide = [*mc.person("E101")[0], *(["x" * 30] * 300)]  # one row of 310 cells, ~20 KB
    xml = sheet_xml([mc.HEADER, wide, *mc.person("E101")[1:]], merges=[f"Z{r}:AA{r}" for r in (100, 200)] * 400)
    xml = xml.replace("<sheetData>", "<cols>" + '<col min="30" max="30" width="9"/>' * 400 + "</cols><sheetData>", 1)
    xml = xml.replace("<c r=\"J3\"", f'<c r="K3" t="inlineStr"><is><t>{just}</t></is></c><c r="J3"', 1)
    targets(folder, "targets_wide.xlsx", xml)
    data = load([folder])
    assert too_long(data) == []
    assert "E101" in people(data)


def test_50_mb_cell_stays_far_under_1_gib(tmp_path):
    """The real limit, the real command, in a child whose peak RSS is its own rusage."""
    folder = builders.clean_folder(tmp_path / "drop")
    xml = sheet_xml([mc.HEADER, *mc.person("E101")]).replace("员工E101", mc.huge_text(50_000_000), 1)
    path = raw_xlsx(folder / "targets_huge.xlsx", [RawSheet("目标管理", xml)], level=1)
    assert path.stat().st_size < 20_000_000
    del xml
    # In a grandchild: a child forked from a big pytest process inherits its peak RSS
    # (Linux keeps ru_maxrss across exec), which once failed this test in the full suite.
    iso = run_isolated(["validate", str(folder), "--lang", "en"])
    out = iso["stdout"] + iso["stderr"]
    assert iso["code"] == 1, out
    assert "targets_huge.xlsx" in out and "目标管理!B2" in out, out
    peak_mb = iso["rss_mb"]
    assert peak_mb < 400, f"peak RSS {peak_mb:.0f} MB"
