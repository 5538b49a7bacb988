"""Finding and opening input files (inputs.md, "Files"): discovery, skipped and refused files."""

from __future__ import annotations

import hashlib
import io
import zipfile
from pathlib import Path

import msoffcrypto.format.ooxml
import openpyxl
import pytest

from kpi_engine.data import RESULT_PROPERTY
from kpi_engine.issues import NothingToScoreError
from kpi_engine.read import find_input_files, load
from kpi_engine.read import files as files_mod
from tests.data.make_fixtures import assessment_form, standard_folder, target_sheet, write_xlsx


def codes(data, level=None):
    return sorted((i.file, i.code) for i in data.report.issues if level is None or i.level == level)


def test_defusedxml_guards_openpyxl():
    assert openpyxl.DEFUSEDXML is True


def test_files_and_folders_mixed_sorted_recursive(tmp_path):
    (tmp_path / "in" / "sub").mkdir(parents=True)
    for name in ("b.xlsx", "a.XLSX", "sub/c.xlsm", "sub/d.xls", "e.xltx", "f.xltm", "notes.txt", "x.csv"):
        (tmp_path / "in" / name).write_bytes(b"")
    (tmp_path / "in" / "~$a.xlsx").write_bytes(b"")
    single = tmp_path / "single.xlsx"
    single.write_bytes(b"")
    files, issues = find_input_files([single, tmp_path / "in", tmp_path / "in" / "b.xlsx"])
    assert [f.name for f in files] == ["a.XLSX", "b.xlsx", "e.xltx", "f.xltm", "c.xlsm", "d.xls", "single.xlsx"]
    # Every other file in the folder is named, with why it is not read.
    assert [(i.file, i.code, i.level) for i in issues] == [
        ("notes.txt", "file_not_workbook", "warning"),
        ("x.csv", "file_not_workbook", "warning"),
        ("~$a.xlsx", "lock_file_skipped", "info"),
    ]


def test_missing_path_and_empty_folder_stop_the_run(tmp_path):
    with pytest.raises(NothingToScoreError) as e:
        load([tmp_path / "nope"])
    assert e.value.issue.code == "input_not_found"
    (tmp_path / "empty").mkdir()
    with pytest.raises(NothingToScoreError) as e:
        load([tmp_path / "empty"])
    assert e.value.issue.code == "no_input_files"


def test_a_missing_path_beside_good_ones_is_an_error_not_a_stop(tmp_path):
    folder = standard_folder(tmp_path / "in")
    data = load([folder, tmp_path / "nope.xlsx"])
    assert ("", "input_not_found") in codes(data, "error")
    assert len(data.targets) > 0


def test_an_explicit_non_workbook_is_refused(tmp_path):
    folder = standard_folder(tmp_path / "in")
    (tmp_path / "t.csv").write_text("工号,姓名\n", encoding="utf-8")
    data = load([folder, tmp_path / "t.csv"])
    assert ("t.csv", "unsupported_file") in codes(data, "error")


def _encrypt(src: Path, dst: Path) -> None:
    with open(src, "rb") as fi, open(dst, "wb") as fo:
        msoffcrypto.format.ooxml.OOXMLFile(fi).encrypt("hr-2026", fo)


def _corrupt_cases(folder: Path, good: Path) -> dict[str, str]:
    raw = good.read_bytes()
    (folder / "empty.xlsx").write_bytes(b"")
    (folder / "random.xlsx").write_bytes(bytes(range(256)) * 8)
    (folder / "csv.xlsx").write_text("工号,姓名,部门\nE001,张三,华东\n", encoding="utf-8")
    (folder / "cut.xlsx").write_bytes(raw[: len(raw) // 2])
    (folder / "notzip.xlsx").write_bytes(b"PK\x03\x04broken")
    _encrypt(good, folder / "secret.xlsx")
    return {"empty.xlsx": "file_corrupt", "random.xlsx": "file_corrupt", "csv.xlsx": "file_corrupt",
            "cut.xlsx": "file_corrupt", "notzip.xlsx": "file_corrupt", "secret.xlsx": "file_encrypted"}


def test_encrypted_and_corrupt_files_are_refused_by_name_and_others_load(tmp_path):
    folder = standard_folder(tmp_path / "in")
    good = write_xlsx(tmp_path / "more.xlsx", target_sheet([
        ["E002", "王五", "华东", "销售代表", "2026-03", "销售额", 100, 90, "", ""]]))
    expected = _corrupt_cases(folder, good)
    before = {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in folder.iterdir()}
    data = load([folder])
    assert codes(data, "error") == sorted(expected.items(), key=lambda kv: (kv[0], kv[1]))
    status = {f.name: f.status for f in data.files}
    assert {name: status[name] for name in expected} == {name: "refused" for name in expected}
    assert status["target_sheet.xlsx"] == "read"
    assert "E001" in set(data.targets["employee_id"])
    # fingerprints are of the bytes as found, and nothing was written
    assert {f.name: f.sha256 for f in data.files} == before
    assert {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in folder.iterdir()} == before
    msg = next(i for i in data.report.issues if i.code == "file_encrypted").message("en")
    assert "secret.xlsx" in msg and "password" in msg


def _bomb(path: Path, size: int) -> Path:
    """A valid-looking workbook whose sheet inflates to ``size`` bytes of zeros-like XML."""
    good = write_xlsx(path.with_suffix(".tmp.xlsx"), target_sheet())
    with zipfile.ZipFile(good) as zin, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            zout.writestr(info, zin.read(info.filename))
        with zout.open("xl/worksheets/padding.xml", "w") as fh:
            block = b" " * (1 << 20)
            for _ in range(size >> 20):
                fh.write(block)
    good.unlink()
    return path


def test_zip_bomb_refused_before_inflating(tmp_path, monkeypatch):
    folder = standard_folder(tmp_path / "in")
    _bomb(folder / "bomb.xlsx", 60 << 20)  # 60 MB of spaces: ratio far above 200
    data = load([folder])
    assert ("bomb.xlsx", "file_too_large") in codes(data, "error")
    assert len(data.targets) > 0


def test_zip_bomb_lying_about_its_size(tmp_path):
    folder = standard_folder(tmp_path / "in")
    path = _bomb(folder / "liar.xlsx", 4 << 20)
    raw = bytearray(path.read_bytes())
    # Rewrite the padding member's declared size (local header and central directory) to 1 KB.
    with zipfile.ZipFile(path) as zf:
        info = zf.getinfo("xl/worksheets/padding.xml")
    name = info.filename.encode()
    for sig, off in ((b"PK\x03\x04", 22), (b"PK\x01\x02", 24)):
        start = 0
        while (pos := raw.find(sig, start)) >= 0:
            name_at = pos + (30 if sig == b"PK\x03\x04" else 46)
            if raw[name_at : name_at + len(name)] == name:
                raw[pos + off : pos + off + 4] = (1024).to_bytes(4, "little")
            start = pos + 4
    path.write_bytes(bytes(raw))
    data = load([folder])
    assert ("liar.xlsx", "file_too_large") in codes(data, "error")


def test_xml_with_entities_is_refused(tmp_path):
    folder = standard_folder(tmp_path / "in")
    src = folder / "target_sheet.xlsx"
    bad = folder / "laughs.xlsx"
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(bad, "w") as zout:
        for info in zin.infolist():
            body = zin.read(info.filename)
            if info.filename == "xl/worksheets/sheet1.xml":
                body = b'<!DOCTYPE x [<!ENTITY a "aaaaaaaaaa">]>' + body
            zout.writestr(info, body)
    data = load([folder])
    assert ("laughs.xlsx", "file_corrupt") in codes(data, "error")


def test_own_result_workbook_skipped_by_its_property(tmp_path):
    folder = standard_folder(tmp_path / "in")
    result = folder / "renamed by HR.xlsx"
    wb = openpyxl.Workbook()
    wb.active.title = "目标管理"  # looks like an input by name
    from openpyxl.packaging.custom import StringProperty
    wb.custom_doc_props.append(StringProperty(name=RESULT_PROPERTY, value="1"))
    wb.save(result)
    data = load([folder])
    assert ("renamed by HR.xlsx", "result_file_skipped") in codes(data, "info")
    assert {f.name: f.status for f in data.files}["renamed by HR.xlsx"] == "skipped"


def test_lock_files_are_listed_and_skipped(tmp_path):
    folder = standard_folder(tmp_path / "in")
    (folder / "~$target_sheet.xlsx").write_bytes(b"\x00lock")
    data = load([folder])
    assert ("~$target_sheet.xlsx", "lock_file_skipped") in codes(data, "info")
    assert {f.name: f.status for f in data.files}["~$target_sheet.xlsx"] == "skipped"


def test_limits_let_a_big_honest_sheet_through():
    """Declared sizes of a 1,000,000-row sheet (measured: 420 MB at ~14:1) pass the checks."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("xl/workbook.xml", b"<workbook/>")
    with zipfile.ZipFile(buf) as zf:
        info = zf.infolist()[0]
        info.file_size, info.compress_size = 420_000_000, 30_000_000
        assert files_mod.zip_bomb_check(zf) == ""
        info.file_size, info.compress_size = 1_536_000_000, 1_500_000
        assert files_mod.zip_bomb_check(zf) != ""


def test_xlsm_and_templates_forms_are_read(tmp_path):
    folder = tmp_path / "in"
    write_xlsx(folder / "assessment_form.xltx", assessment_form())
    write_xlsx(folder / "targets.xlsm", target_sheet())
    data = load([folder])
    assert len(data.targets) == 7 and len(data.scheme) == 9
    assert not data.report.has_errors


def test_same_file_names_in_two_folders_are_told_apart(tmp_path):
    a = standard_folder(tmp_path / "a")
    b = tmp_path / "b"
    write_xlsx(b / "target_sheet.xlsx", target_sheet([["E009", "赵", "华南", "销售代表", "2026-03", "销售额", 1, 1, "", ""]]))
    data = load([a, b])
    names = sorted(f.name for f in data.files)
    assert str(b / "target_sheet.xlsx") in names and str(a / "target_sheet.xlsx") in names
    assert "assessment_form.xlsx" in names


def test_lying_shared_string_count_is_read_as_it_is(tmp_path):
    """sharedStrings.xml claiming 2^31 strings: calamine would reserve memory by it and abort
    the process, so the load runs in a child process with a capped address space."""
    import re
    import subprocess
    import sys

    import xlsxwriter

    from tests.data.make_fixtures import TARGET_HEADER, TARGET_ROWS

    folder = standard_folder(tmp_path / "in")
    path = folder / "target_sheet.xlsx"
    wb = xlsxwriter.Workbook(str(path))  # xlsxwriter writes a sharedStrings part (openpyxl here: inline)
    ws = wb.add_worksheet("目标管理")
    for r, values in enumerate([TARGET_HEADER, *TARGET_ROWS]):
        ws.write_row(r, 0, values)
    wb.close()
    with zipfile.ZipFile(path) as zf:
        parts = {n: zf.read(n) for n in zf.namelist()}
    sst = parts["xl/sharedStrings.xml"]
    parts["xl/sharedStrings.xml"] = re.sub(rb'uniqueCount="\d+"', b'uniqueCount="2147483647"', sst)
    assert parts["xl/sharedStrings.xml"] != sst
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for n, b in parts.items():
            zf.writestr(n, b)
    code = (
        "import resource, sys\n"
        "resource.setrlimit(resource.RLIMIT_AS, (3 * 1024**3, 3 * 1024**3))\n"
        "from kpi_engine.read import load\n"
        f"d = load([{str(folder)!r}])\n"
        "print(len(d.targets), d.report.has_errors)\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120,
                          cwd=Path(__file__).resolve().parent.parent)
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.split() == ["7", "False"]
