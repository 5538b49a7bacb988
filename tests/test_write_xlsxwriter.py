"""The xlsxwriter internals the fast writer relies on: a tested version, or a loud refusal.

sheetkit.FastSheet overrides and calls private xlsxwriter methods (issue 13). These
tests fail, naming what moved, as soon as the installed xlsxwriter is outside the range
pyproject.toml pins or its internals differ from what FastSheet was written against.
"""

from __future__ import annotations

import hashlib
import inspect
import tomllib
from importlib.metadata import version
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.specifiers import SpecifierSet
from typer.testing import CliRunner
from xlsxwriter.worksheet import Worksheet

from kpi_engine.cli import app
from kpi_engine.write import sheetkit
from tests import builders

ROOT = Path(__file__).resolve().parent.parent


def test_pyproject_pins_the_tested_range():
    deps = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["dependencies"]
    pinned = [Requirement(d) for d in deps if Requirement(d).name.lower() == "xlsxwriter"]
    assert [str(r.specifier) for r in pinned] == [str(SpecifierSet(sheetkit.TESTED_XLSXWRITER))]


def test_installed_xlsxwriter_is_a_tested_version():
    installed = version("xlsxwriter")
    assert SpecifierSet(sheetkit.TESTED_XLSXWRITER).contains(installed), (
        f"xlsxwriter {installed} is installed, but kpi-engine's fast writer (write/sheetkit.py, FastSheet) "
        f"uses xlsxwriter's private methods and was tested with xlsxwriter{sheetkit.TESTED_XLSXWRITER} only. "
        "Run the whole suite against the new version, check sheetkit.PRIVATE_METHODS against its source, "
        "then widen TESTED_XLSXWRITER and the pin in pyproject.toml together."
    )


def test_private_methods_and_attributes_are_as_tested():
    changes = sheetkit.xlsxwriter_changes()
    assert changes == [], f"xlsxwriter {version('xlsxwriter')} moved what FastSheet relies on: " + "; ".join(changes)


def test_fastsheet_overrides_keep_the_base_signatures():
    overridden = [n for n in vars(sheetkit.FastSheet) if n.startswith("_") and not n.startswith("__")
                  and callable(getattr(Worksheet, n, None))]
    assert overridden  # _prepare_formula, _write_rows, _get_range_data
    for name in overridden:
        assert (Worksheet, name) in sheetkit.PRIVATE_METHODS, name
        assert (list(inspect.signature(getattr(sheetkit.FastSheet, name)).parameters)
                == list(inspect.signature(getattr(Worksheet, name)).parameters)), name


def test_a_changed_signature_or_a_missing_attribute_is_named():
    class Renamed(Worksheet):
        def _write_row(self, row, spans, properties=None, empty_row=False):  # xlsxwriter 3.2's parameters
            pass

        def __init__(self):
            super().__init__()
            vars(self).pop("row_info", None)

    assert sheetkit.xlsxwriter_changes(Renamed) == [
        "Renamed._write_row(self, row, spans, properties, empty_row) instead of (self, row, spans, row_info, empty_row)",
        "Renamed.row_info is missing",
    ]


@pytest.fixture
def changed_xlsxwriter(monkeypatch):
    def old_write_row(self, row, spans, properties=None, empty_row=False):
        raise AssertionError("never reached: the writer refuses first")

    sheetkit._check_xlsxwriter.cache_clear()
    monkeypatch.setattr(Worksheet, "_write_row", old_write_row)
    yield
    monkeypatch.undo()
    sheetkit._check_xlsxwriter.cache_clear()


def test_a_changed_xlsxwriter_is_refused_before_anything_is_written(changed_xlsxwriter, tmp_path: Path):
    drop = builders.clean_folder(tmp_path / "drop")
    out = tmp_path / "out"
    out.mkdir()
    result = CliRunner().invoke(app, ["score", str(drop), "-o", str(out / "result.xlsx"), "--lang", "en"])
    assert result.exit_code == 2, result.output
    assert (f"Error: The installed xlsxwriter {version('xlsxwriter')} differs from the versions kpi-engine was "
            f"tested with (xlsxwriter{sheetkit.TESTED_XLSXWRITER}) in internals the writer relies on: "
            "Worksheet._write_row(self, row, spans, properties, empty_row) instead of "
            "(self, row, spans, row_info, empty_row). No result was written") in " ".join(result.output.split())
    assert list(out.iterdir()) == []  # no result, no temporary file


# package.ResultBook._store_workbook is a copy of xlsxwriter 3.3's, with the zipping
# replaced: a release that changes the original must be read and the copy brought in line.
STORE_WORKBOOK_SHA256 = "3168682e923985b93181d0b87e15e791fed8eb9978ee4ed41a18ed59c8a634e9"


def test_the_copied_store_workbook_is_still_xlsxwriters():
    from xlsxwriter.workbook import Workbook

    source = inspect.getsource(Workbook._store_workbook)
    assert hashlib.sha256(source.encode()).hexdigest() == STORE_WORKBOOK_SHA256, (
        f"xlsxwriter {version('xlsxwriter')} changed Workbook._store_workbook: compare it with "
        "kpi_engine/write/package.py's ResultBook._store_workbook, update the copy, then this hash.")


def test_the_streaming_packager_overrides_keep_the_base_signatures():
    from xlsxwriter.packager import Packager
    from xlsxwriter.workbook import Workbook

    from kpi_engine.write import package

    for ours, base in ((package._Packager, Packager), (package.ResultBook, Workbook)):
        overridden = [n for n in vars(ours) if n.startswith("_") and not n.startswith("__")
                      and callable(getattr(base, n, None))]
        assert overridden  # _filename, _create_package; _get_packager, _store_workbook
        for name in overridden:
            assert (base, name) in sheetkit.PRIVATE_METHODS, name
            assert (list(inspect.signature(getattr(ours, name)).parameters)
                    == list(inspect.signature(getattr(base, name)).parameters)), name
