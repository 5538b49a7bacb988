"""Both cores: files read in worker processes (or threads), the result's parts deflated on threads.

Neither may change a thing a user sees: the same rows, issues in the same order, the
same cells in the workbook. These tests run each path with 1 thread and with more, and
compare.
"""

from __future__ import annotations

import io
import os
import pickle
import sys
import zipfile
import zlib

import pandas as pd
import pytest
from openpyxl import load_workbook

from kpi_engine import cores, pipeline, read, vocab
from kpi_engine.read import _read_file as read_file
from kpi_engine.read import files as read_files
from kpi_engine.write import package
from tests import builders


def _messy_folder(root):
    """Several monthly files and the kinds of file that are not read: a lock file, a
    corrupt one, an earlier result — each leaves an issue whose place must not move."""
    drop = builders.clean_folder(root / "drop", months=("2026-01", "2026-02", "2026-03", "2026-04"))
    (drop / "~$targets_2026-01.xlsx").write_bytes(b"lock")
    (drop / "broken.xlsx").write_bytes(b"PK\x03\x04 not really a zip")
    (drop / "notes.xlsx").write_text("a,b\n1,2\n", encoding="utf-8")
    builders.target_sheet(drop / "sub" / "targets_2026-05.xlsx", "2026-05")
    return drop


def _load(folder, monkeypatch, threads: int, processes: bool = True):
    monkeypatch.setenv("KPI_ENGINE_THREADS", str(threads))
    monkeypatch.setenv("KPI_ENGINE_PROCESSES", "" if processes else "0")
    assert cores.threads() == threads
    seen = []
    data = pipeline.load(folder, progress=lambda done, total, name: seen.append((done, total, name)))
    return data, seen


@pytest.mark.parametrize("processes", [True, False], ids=["processes", "threads"])
def test_reading_on_several_cores_gives_what_reading_one_by_one_gives(tmp_path, monkeypatch, processes):
    drop = _messy_folder(tmp_path)
    one, seen_one = _load(drop, monkeypatch, 1)
    many, seen_many = _load(drop, monkeypatch, 3, processes)

    pd.testing.assert_frame_equal(one.targets, many.targets)
    pd.testing.assert_frame_equal(one.ratings, many.ratings)
    pd.testing.assert_frame_equal(one.scheme, many.scheme)
    assert [(i.code, i.file, i.sheet, i.cell, i.message("en")) for i in one.report.issues] == \
           [(i.code, i.file, i.sheet, i.cell, i.message("en")) for i in many.report.issues]
    assert one.report.counts == many.report.counts
    assert one.files == many.files
    assert {"file_corrupt", "lock_file_skipped"} <= {i.code for i in many.report.issues}
    # Progress: once per file, in the files' order, counting up.
    names = [f.name for f in many.files]
    assert seen_many == seen_one == [(k, len(names), name) for k, name in enumerate(names, 1)]


def test_the_scores_do_not_depend_on_the_threads(tmp_path, monkeypatch):
    drop = builders.clean_folder(tmp_path / "drop", months=("2026-01", "2026-02", "2026-03"))
    totals = []
    for threads in (1, 2):
        monkeypatch.setenv("KPI_ENGINE_THREADS", str(threads))
        outcome = pipeline.score(pipeline.load(drop))
        totals.append(outcome.results.people.set_index("employee_id")["total"])
    pd.testing.assert_series_equal(*totals)


def test_threads_default_to_the_usable_cores(monkeypatch):
    monkeypatch.delenv("KPI_ENGINE_THREADS", raising=False)
    assert cores.threads() >= 1
    for bad in ("0", "-2", "two", ""):
        monkeypatch.setenv("KPI_ENGINE_THREADS", bad)
        assert cores.threads() >= 1


def test_a_file_that_fails_to_read_on_a_thread_still_names_itself(tmp_path, monkeypatch):
    drop = builders.clean_folder(tmp_path / "drop")
    (drop / "zz_bomb.xlsx").write_bytes((drop / "targets_2026-01.xlsx").read_bytes())
    monkeypatch.setattr(read_files, "MAX_TOTAL_UNCOMPRESSED", 10)  # every file now "inflates too far"
    monkeypatch.setenv("KPI_ENGINE_THREADS", "2")
    data = pipeline.load(drop)
    refused = sorted(i.file for i in data.report.issues if i.code == "file_too_large")
    assert refused == sorted(f.name for f in data.files)


MAIN = os.getpid()
READ_HERE: list[str] = []  # files read by this process itself, not by a worker


def _read_in_a_worker_that_dies(c):
    """Reading as usual, but a worker process dies (as the OOM killer would end it) on
    the second month's file."""
    if os.getpid() != MAIN and c.name == "targets_2026-02.xlsx":
        os._exit(9)
    if os.getpid() == MAIN:
        READ_HERE.append(c.name)
    return read_file(c)


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="worker processes read on Linux only")
def test_a_worker_process_that_dies_costs_nothing_but_time(tmp_path, monkeypatch):
    drop = builders.clean_folder(tmp_path / "drop", months=("2026-01", "2026-02", "2026-03", "2026-04"))
    one, _ = _load(drop, monkeypatch, 1)
    monkeypatch.setattr(read, "_read_file", _read_in_a_worker_that_dies)
    READ_HERE.clear()
    many, seen = _load(drop, monkeypatch, 2)
    assert "targets_2026-02.xlsx" in READ_HERE  # read again here, once its worker was gone
    # From the first file whose result the broken pool lost (the other worker's may be
    # lost with it), every file is read here, in order, once.
    names = [f.name for f in one.files]
    assert READ_HERE == names[names.index(READ_HERE[0]):]
    pd.testing.assert_frame_equal(one.targets, many.targets)
    assert one.files == many.files and one.report.counts == many.report.counts
    assert [k for k, _, _ in seen] == list(range(1, len(one.files) + 1))


def test_a_sheet_read_in_another_process_comes_back_as_it_was(tmp_path):
    drop = builders.clean_folder(tmp_path / "drop")
    got = read_file(read_files.Candidate(drop / "targets_2026-01.xlsx", "targets_2026-01.xlsx"))
    back = pickle.loads(pickle.dumps(got))
    assert back.file == got.file and back.issues == got.issues
    for a, b in zip(got.sheets, back.sheets, strict=True):
        assert b.kind is a.kind is vocab.TARGETS  # the readers compare kinds with ``is``
        pd.testing.assert_frame_equal(a.raw, b.raw)
        assert (a.name, a.header_row, a.letters, a.cells) == (b.name, b.header_row, b.letters, b.cells)


def test_processes_can_be_turned_off(monkeypatch):
    monkeypatch.delenv("KPI_ENGINE_PROCESSES", raising=False)
    assert cores.processes()
    monkeypatch.setenv("KPI_ENGINE_PROCESSES", "0")
    assert not cores.processes()


# --- zipping on threads ---------------------------------------------------------------------

def _zip(parts, workers):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        package.write_parts(zf, parts, workers=workers)
    return buffer.getvalue()


@pytest.mark.parametrize("workers", [1, 2, 4])
def test_parts_deflated_in_pieces_read_back_whole(monkeypatch, workers):
    monkeypatch.setattr(package, "PIECE", 1000)  # many pieces per part, and a part of exactly two
    parts = [
        ("xl/worksheets/sheet1.xml", ("<row>" + "数据 cell " * 700 + "</row>").encode()),
        ("empty.xml", b""),
        ("exact.bin", bytes(range(256)) * 7 + b"\x00" * 208),  # 2,000 bytes: two full pieces
        ("tiny.xml", b"<a/>"),
    ]
    raw = _zip(parts, workers)
    with zipfile.ZipFile(io.BytesIO(raw)) as zf:
        assert zf.testzip() is None  # every CRC checks
        assert zf.namelist() == [name for name, _ in parts]
        for name, data in parts:
            assert zf.read(name) == data
            info = zf.getinfo(name)
            assert info.compress_type == zipfile.ZIP_DEFLATED
            assert info.date_time == package.ZIP_TIME


def test_pieces_cost_next_to_nothing_in_size():
    data = b"".join(b'<c r="A%d" s="3"><v>%d</v></c>' % (i, i * 7) for i in range(400_000))
    whole = len(zlib.compress(data))
    pieces = len(_zip([("sheet.xml", data)], workers=2))
    assert len(data) > 3 * package.PIECE
    assert pieces < whole * 1.01 + 500


def test_zipfile_still_lets_the_deflated_bytes_in():
    # write_parts hands zipfile its deflated pieces through the write handle's
    # compressor; were that attribute renamed, zipfile would deflate again (still a
    # correct file, but the work done twice): this test says so first.
    with zipfile.ZipFile(io.BytesIO(), "w", compression=zipfile.ZIP_DEFLATED) as zf:
        info = zipfile.ZipInfo("a.xml")
        info.compress_type = zipfile.ZIP_DEFLATED
        with zf.open(info, "w") as dest:
            assert dest._compressor is not None



def test_the_result_workbook_is_the_same_whatever_the_threads(tmp_path, monkeypatch):
    drop = builders.clean_folder(tmp_path / "drop")
    outcome = pipeline.score(pipeline.load(drop))
    monkeypatch.setattr(package, "PIECE", 2000)
    books = {}
    for threads in (1, 2):
        monkeypatch.setenv("KPI_ENGINE_THREADS", str(threads))
        out = tmp_path / f"result{threads}.xlsx"
        pipeline.write(outcome, out, created=pd.Timestamp("2026-01-31").to_pydatetime())
        with zipfile.ZipFile(out) as zf:
            assert zf.testzip() is None
            books[threads] = {n: zf.read(n) for n in zf.namelist()}
    assert books[1] == books[2]  # part for part, byte for byte
    wb = load_workbook(tmp_path / "result2.xlsx")
    assert wb.sheetnames[0] in ("总览", "Overview")
