"""Every file in an input folder is read or named with why not (issue 12, item 6).

A pipe, a CSV, a document or a file whose name is not UTF-8 never stops a run and never
disappears in silence: each gets a line in 问题, in 说明's file list and in the terminal.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from openpyxl import load_workbook

from kpi_engine.read import files as files_mod
from kpi_engine.read import load
from tests import builders

ROOT = Path(__file__).resolve().parent.parent
GBK_NAME = os.fsdecode("目标_2026-03".encode("gbk") + b".xlsx")  # as unzip leaves a name zipped on Chinese Windows


def _issues(data) -> list[tuple[str, str, str]]:
    return sorted((i.file, i.code, i.level) for i in data.report.issues if i.code != "duplicate_row")


def test_other_files_in_a_folder_are_named_with_their_reason(tmp_path):
    drop = builders.clean_folder(tmp_path / "drop")
    (drop / "targets_2026-03.csv").write_text("工号,期间\nE001,2026-03\n", encoding="utf-8")
    (drop / "old.numbers").write_bytes(b"PK\x03\x04")  # (.ods is read since issue 12, item 3)
    (drop / "方案说明.docx").write_bytes(b"PK\x03\x04")
    (drop / ".DS_Store").write_bytes(b"\x00")
    (drop / ".kpi-results-123-abcd.tmp").write_bytes(b"")  # our own temporary: output.py's business
    data = load([drop])
    assert _issues(data) == [
        (".DS_Store", "system_file_skipped", "info"),
        ("old.numbers", "file_not_workbook", "warning"),
        ("targets_2026-03.csv", "file_not_workbook", "warning"),
        ("方案说明.docx", "other_file_skipped", "info"),
    ]
    ignored = {f.name: f for f in data.files if f.status == "ignored"}
    assert set(ignored) == {".DS_Store", "old.numbers", "targets_2026-03.csv", "方案说明.docx"}
    assert all(f.sha256 == "" for f in ignored.values())  # never opened
    assert len(data.targets) > 0


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="named pipes are a POSIX thing")
def test_a_pipe_is_listed_not_opened(tmp_path):
    # Opening a FIFO for reading blocks until a writer comes: run in a child with a timeout.
    drop = builders.clean_folder(tmp_path / "drop")
    os.mkfifo(drop / "targets_2026-03.xlsx")
    explicit = tmp_path / "pipe.xlsx"
    os.mkfifo(explicit)
    code = ("import json, sys; from kpi_engine.read import load; d = load(sys.argv[1:]); "
            "print(json.dumps(sorted((i.file, i.code, i.level) for i in d.report.issues "
            "if i.code.startswith('file_')))); print(len(d.targets))")
    got = subprocess.run([sys.executable, "-c", code, str(drop), str(explicit)], capture_output=True, text=True,
                         timeout=120, cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert got.returncode == 0, got.stderr
    issues, rows = got.stdout.splitlines()
    assert issues == ('[["pipe.xlsx", "file_not_regular", "warning"], '
                      '["targets_2026-03.xlsx", "file_not_regular", "warning"]]')
    assert int(rows) > 0


def test_a_name_that_is_not_utf8_is_read_and_shown_decoded(tmp_path):
    drop = builders.clean_folder(tmp_path / "drop")
    builders.target_sheet(drop / GBK_NAME, "2026-03")
    data = load([drop])
    assert ("目标_2026-03.xlsx", "file_name_not_utf8", "info") in _issues(data)
    assert "目标_2026-03.xlsx" in {f.name for f in data.files if f.status == "read"}
    assert set(data.targets["period"]) == {"2026-01", "2026-02", "2026-03"}


def test_display_names():
    assert files_mod.display_name("正常.xlsx") == ("正常.xlsx", "")
    assert files_mod.display_name(GBK_NAME) == ("目标_2026-03.xlsx", "GBK / GB18030")
    assert files_mod.display_name(os.fsdecode(b"bad\xff\xfe.xlsx")) == ("bad\ufffd\ufffd.xlsx", "\ufffd")


def test_the_command_writes_a_result_and_names_the_files_not_read(tmp_path):
    drop = builders.clean_folder(tmp_path / "drop")
    builders.target_sheet(drop / GBK_NAME, "2026-03")
    (drop / os.fsdecode(b"notes\xff.txt")).write_text("x", encoding="utf-8")
    out = tmp_path / "out" / "result.xlsx"
    got = subprocess.run([sys.executable, "-m", "kpi_engine.cli", "score", str(drop), "-o", str(out), "--lang", "en"],
                         capture_output=True, text=True, timeout=300, cwd=ROOT,
                         env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert got.returncode == 0, got.stdout + got.stderr  # warnings only: exit 0, not 2
    assert "Files not read (1): notes\ufffd.txt" in got.stdout
    wb = load_workbook(out, read_only=True)
    issues = [r for r in wb["Issues"].iter_rows(values_only=True) if r and "notes\ufffd.txt" in map(str, r)]
    assert issues, "the unread file has a line on Issues"
    about = [str(c) for r in wb["About"].iter_rows(values_only=True) for c in r if c]
    assert "目标_2026-03.xlsx" in about and "notes\ufffd.txt" in about
