"""Every kind of workbook the engine writes passes a strict OOXML check (issue 11).

The checker is ``openxml-audit`` (the ``test`` extra), a pure-Python port of the Open XML
SDK validator: package structure, every XML part against the ECMA-376 schemas (element
order, required attributes, enumerations, patterns), relationships, shared-string
indices, custom and core properties. The workbooks are made the way users get them:

- the result workbook: ``kpi-engine demo``, and ``write_workbook`` on the hostile
  result-writer fixture (tests/outcome_fixture.py) in zh and en;
- per-team workbooks: ``kpi-engine score --split-by team`` over the sample data, zh and en;
- the blank templates: ``kpi-engine template``, zh and en.

openxml-audit 0.8.0 accepts a part that is not well-formed XML without a word (the parse
error is recorded after the package's errors were collected), so every XML part is also
parsed here: the FastSheet writer (write/sheetkit.py) builds ``<c>`` elements by hand,
and a bad escape there must not slip through.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import zipfile
import xml.etree.ElementTree as ET
from collections import defaultdict
from datetime import datetime
from pathlib import Path

import pytest

from kpi_engine.resources import sample_data_dir
from kpi_engine.write.workbook import write_workbook

from . import outcome_fixture as fx

openxml_audit = pytest.importorskip(
    "openxml_audit",
    reason="openxml-audit is not installed: pip install '.[test]' (the test extra) brings it",
)

ROOT = Path(__file__).resolve().parent.parent
TEAMS = 4  # teams in the bundled sample data: one extra workbook each with --split-by team
TEMPLATES = {"target_sheet.xlsx", "assessment_form.xlsx", "training_plan.xlsx"}


def kpi(*args) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "kpi_engine.cli", *map(str, args)],
        capture_output=True, text=True, cwd=ROOT, timeout=300,
    )


def ran(done: subprocess.CompletedProcess, codes=(0,)) -> None:
    assert done.returncode in codes, f"exit {done.returncode}\n{done.stdout}\n{done.stderr}"


@pytest.fixture(scope="module")
def workbooks(tmp_path_factory) -> dict[str, Path]:
    """{label: path} of every workbook kind the engine writes."""
    tmp = tmp_path_factory.mktemp("ooxml")
    books: dict[str, Path] = {}

    ran(kpi("demo", "-o", tmp / "demo"))
    (result,) = (tmp / "demo").glob("kpi-results_*.xlsx")
    books["demo result"] = result

    outcome = fx.build()
    for lang in ("zh", "en"):
        path = tmp / f"fixture_{lang}.xlsx"
        write_workbook(outcome, path, lang=lang, created=datetime(2026, 4, 1, 9, 30))
        books[f"fixture result ({lang})"] = path

    for lang in ("zh", "en"):
        drop = shutil.copytree(sample_data_dir(), tmp / f"sample_{lang}")
        out = tmp / f"split_{lang}"
        # Exit 1: the sample data holds a deliberately rejected row; the result is written.
        ran(kpi("score", drop, "--split-by", "team", "--lang", lang, "-o", out / "result.xlsx"), codes=(0, 1))
        written = sorted(out.glob("*.xlsx"))
        assert len(written) == 1 + TEAMS, [p.name for p in written]
        for path in written:
            books[f"score --split-by team ({lang}): {path.name}"] = path

    for lang in ("zh", "en"):
        out = tmp / f"templates_{lang}"
        ran(kpi("template", "-o", out, "--lang", lang))
        assert {p.name for p in out.glob("*.xlsx")} == TEMPLATES
        for path in sorted(out.glob("*.xlsx")):
            books[f"template ({lang}): {path.name}"] = path
    return books


def not_well_formed(path: Path) -> list[tuple[str, str, str]]:
    """(part, '', parse error) for every XML part of the package that lxml cannot parse."""
    bad = []
    with zipfile.ZipFile(path) as z:
        for name in z.namelist():
            if name.endswith((".xml", ".rels")):
                try:
                    ET.fromstring(z.read(name))
                except ET.ParseError as exc:
                    bad.append((f"/{name}", "", f"not well-formed XML: {exc}"))
    return bad


def findings(validator, path: Path) -> list[tuple[str, str, str]]:
    """(part, element, message) of every error-severity finding, plus unparseable parts."""
    result = validator.validate(path)
    found = [
        (e.part_uri, _element(e.path, e.node), e.description)
        for e in result.errors
        if e.severity == openxml_audit.ValidationSeverity.ERROR
    ]
    return found + not_well_formed(path)


def _element(xpath: str | None, node: str | None) -> str:
    """'/worksheet/conditionalFormatting/cfRule (type)': the element without positions (so
    one fault repeated on every row is one group) and the attribute or child at fault."""
    where = re.sub(r"\[\d+\]", "", xpath or "")
    return f"{where} ({node})" if node else where


def grouped(per_book: dict[str, list[tuple[str, str, str]]]) -> str:
    """One line per (part, element, message), with how often and in which workbooks."""
    groups: dict[tuple[str, str, str], dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for label, found in per_book.items():
        for key in found:
            groups[key][label] += 1
    lines = []
    for (part, element, message), where in sorted(groups.items()):
        total = sum(where.values())
        lines.append(f"{part} {element} ×{total}: {message}\n    in: {', '.join(sorted(where))}")
    return "\n".join(lines)


@pytest.mark.slow
def test_every_written_workbook_passes_the_strict_ooxml_check(workbooks: dict[str, Path]):
    validator = openxml_audit.OpenXmlValidator(file_format=openxml_audit.FileFormat.OFFICE_2019, max_errors=0)
    per_book = {label: findings(validator, path) for label, path in workbooks.items()}
    bad = {label: found for label, found in per_book.items() if found}
    assert not bad, (
        f"{sum(map(len, bad.values()))} OOXML errors in {len(bad)} of {len(workbooks)} workbooks "
        f"(openxml-audit {openxml_audit.__version__}):\n{grouped(bad)}"
    )


def test_the_check_is_not_vacuous(tmp_path: Path):
    """The same check fails on an xlsxwriter workbook with a part out of schema order, or not XML."""
    import xlsxwriter

    good = tmp_path / "good.xlsx"
    book = xlsxwriter.Workbook(str(good))
    sheet = book.add_worksheet()
    sheet.write_string(0, 0, "x")
    sheet.freeze_panes(1, 0)
    book.close()

    def broken(name: str, edit) -> Path:
        out = tmp_path / name
        with zipfile.ZipFile(good) as zin, zipfile.ZipFile(out, "w") as zout:
            for info in zin.infolist():
                data = zin.read(info)
                if info.filename == "xl/worksheets/sheet1.xml":
                    edited = edit(data.decode())
                    assert edited != data.decode()
                    data = edited.encode()
                zout.writestr(info, data)
        return out

    validator = openxml_audit.OpenXmlValidator(max_errors=0)
    assert findings(validator, good) == []
    # <sheetFormatPr> moved after <sheetData>: well-formed, but out of the schema's order.
    misordered = broken("order.xlsx", lambda s: re.sub(r"(<sheetFormatPr[^>]*/>)(.*</sheetData>)", r"\2\1", s, flags=re.S))
    assert any(part.endswith("sheet1.xml") for part, _, _ in findings(validator, misordered))
    # A duplicated attribute: not XML at all (openxml-audit alone reports nothing here).
    malformed = broken("malformed.xlsx", lambda s: s.replace("<pane ", '<pane state="split" ', 1))
    assert any("not well-formed" in message for _, _, message in findings(validator, malformed))
