"""The writer's streaming path: big sheets rendered a slice of rows at a time, parts
deflated piece by piece as they are written and put straight into the zip (issue 13,
memory).

None of it may change a byte of the result: the slices, the pieces, the size of the
writes and the number of threads only bound what is held at once. And whatever stops a
write — an error, Ctrl-C, a full disk — leaves no file, thread or temporary behind.
"""

from __future__ import annotations

import gc
import io
import sys
import tempfile
import threading
import zipfile
from datetime import datetime
from pathlib import Path

import pytest

from kpi_engine import pipeline
from kpi_engine.issues import OutputError
from kpi_engine.write import package, sheetkit
from kpi_engine.write.workbook import write_workbook

from . import builders
from . import outcome_fixture as fx

CREATED = datetime(2026, 4, 1, 9, 30)


@pytest.fixture(scope="module")
def outcome():
    return fx.build()


@pytest.fixture(scope="module")
def whole(outcome, tmp_path_factory) -> bytes:
    """The result as written in one slice and one piece per part."""
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(sheetkit, "SLICE_ROWS", 10**9)
        mp.setattr(sheetkit, "FLUSH_WRITES", 10**9)
        mp.setattr(package, "PIECE", 2**31)
        path = tmp_path_factory.mktemp("whole") / "whole.xlsx"
        write_workbook(outcome, path, created=CREATED)
    return path.read_bytes()


def _parts(raw: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(raw)) as zf:
        assert zf.testzip() is None
        return {n: zf.read(n) for n in zf.namelist()}


@pytest.mark.parametrize("rows, writes", [(1, 1), (2, 5), (3, 10**9), (7, 4)])
def test_sheets_rendered_in_slices_are_the_sheets_rendered_whole(outcome, whole, tmp_path, monkeypatch, rows, writes):
    monkeypatch.setattr(sheetkit, "SLICE_ROWS", rows)
    monkeypatch.setattr(sheetkit, "FLUSH_WRITES", writes)
    monkeypatch.setattr(package, "PIECE", 2**31)  # one piece per part: the same deflate as `whole`
    path = tmp_path / "sliced.xlsx"
    write_workbook(outcome, path, created=CREATED)
    assert path.read_bytes() == whole
    assert len(outcome.results.scores) > 3 * rows  # 明细 took several slices


@pytest.mark.parametrize("piece", [997, 4096])
def test_parts_cut_in_pieces_hold_the_same_xml(outcome, whole, tmp_path, monkeypatch, piece):
    # Pieces end on a sync flush: the zip differs from one deflated whole, the XML may not.
    monkeypatch.setattr(package, "PIECE", piece)
    monkeypatch.setattr(sheetkit, "SLICE_ROWS", 3)
    path = tmp_path / "pieces.xlsx"
    write_workbook(outcome, path, created=CREATED)
    got, expected = _parts(path.read_bytes()), _parts(whole)
    assert list(got) == list(expected)  # same parts in the same order
    assert got == expected
    assert max(len(v) for v in got.values()) > 5 * piece  # the big sheets took many pieces


def _stream(chunks, workers=2) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        with package.Stream(zf, workers) as stream:
            for name, texts in chunks:
                part = stream.part(name)
                for text in texts:
                    part.write(text)
                    part.spill()  # as FastSheet does after each slice of rows
                part.end()
            stream.finish()
    return buffer.getvalue()


def test_pieces_are_cut_at_the_same_bytes_however_the_text_was_written(monkeypatch):
    monkeypatch.setattr(package, "PIECE", 100)
    # Three-byte characters straddle the piece boundaries; some writes are longer than a piece.
    text = "".join(f'<c r="A{i}" t="s"><v>数据{i}</v></c>' + "明" * (i % 70) for i in range(400))
    cuts = [text[i:i + n] for n in (1, 7, 333) for i in range(0, len(text), n)]
    one = _stream([("a.xml", [text])])
    for n in (1, 7, 333):
        many = _stream([("a.xml", [text[i:i + n] for i in range(0, len(text), n)])])
        assert many == one, n
    assert len(cuts) > 3
    assert one == _write_parts([("a.xml", text.encode())])  # bytes in at once: the same zip
    with zipfile.ZipFile(io.BytesIO(one)) as zf:
        assert zf.read("a.xml").decode() == text


def _write_parts(parts, workers=2) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        package.write_parts(zf, parts, workers=workers)
    return buffer.getvalue()


@pytest.mark.parametrize("size", [0, 1, 99, 100, 101, 200, 201, 1000])
def test_a_part_of_any_size_around_the_piece_reads_back(monkeypatch, size):
    monkeypatch.setattr(package, "PIECE", 100)
    data = bytes(range(256)) * 4
    data = data[:size]
    raw = _write_parts([("x.bin", data), ("after.xml", b"<a/>")])
    assert _parts(raw) == {"x.bin": data, "after.xml": b"<a/>"}
    assert raw == _write_parts([("x.bin", data), ("after.xml", b"<a/>")], workers=1)


def test_no_more_than_a_few_pieces_wait_however_slow_the_threads(monkeypatch):
    monkeypatch.setattr(package, "PIECE", 64)
    real = package._deflate
    gate = threading.Semaphore(0)

    def slow(piece, last):
        gate.acquire()  # a thread deflates only when the test lets it
        return real(piece, last)

    monkeypatch.setattr(package, "_deflate", slow)
    most = 0
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        with package.Stream(zf, workers=2) as stream:
            real_drain = stream._drain

            def drain(keep):
                nonlocal most
                most = max(most, stream._pieces)
                if stream._pieces > keep:
                    gate.release()  # the writer waits for the oldest piece: let one through
                real_drain(keep)

            stream._drain = drain
            part = stream.part("big.xml")
            for i in range(2000):
                part.write(f"<row r='{i}'/>")
                part.spill()
            for _ in range(10_000):
                gate.release()
            stream.finish()
    assert len(buffer.getvalue()) > 0
    assert _parts(buffer.getvalue())["big.xml"] == "".join(f"<row r='{i}'/>" for i in range(2000)).encode()
    assert 6 <= most <= 2 * 2 + 2 + 1  # it did queue, and never more than keep (+ the one just queued)


def test_a_part_past_the_zip_limit_is_refused_as_zipfile_would(monkeypatch):
    monkeypatch.setattr(package, "ZIP64_LIMIT", 1000)
    buffer = io.BytesIO()
    with pytest.raises(zipfile.LargeZipFile):
        with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as zf:
            package.write_parts(zf, [("small.xml", b"<a/>"), ("big.xml", b"x" * 1001)])
    assert _parts(buffer.getvalue()) == {"small.xml": b"<a/>"}  # the zip still closes, without the refused part


def test_the_zip_handles_still_take_deflated_bytes():
    # Stream hands zipfile its deflated pieces through the write handle's compressor and
    # abandons a failed zip through its fp: were those renamed, this says so first.
    with zipfile.ZipFile(io.BytesIO(), "w", compression=zipfile.ZIP_DEFLATED) as zf:
        assert hasattr(zf, "fp") and zf._writing is False
        with zf.open(zipfile.ZipInfo("a.xml"), "w") as dest:
            assert dest._compressor is None  # ZipInfo's default: stored; set to deflate below
        info = zipfile.ZipInfo("b.xml")
        info.compress_type = zipfile.ZIP_DEFLATED
        with zf.open(info, "w") as dest:
            assert dest._compressor is not None


# --- nothing left behind ------------------------------------------------------------------


@pytest.fixture
def clean_slate(tmp_path, monkeypatch):
    """The system temp dir redirected to an empty folder; the threads and unraisable
    exceptions (a zip complaining when collected) of the test recorded."""
    system_tmp = tmp_path / "system-tmp"
    system_tmp.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(system_tmp))
    unraisable = []
    monkeypatch.setattr(sys, "unraisablehook", unraisable.append)
    before = set(threading.enumerate())
    yield system_tmp, unraisable
    gc.collect()
    assert not unraisable, [u.exc_value for u in unraisable]
    assert list(system_tmp.iterdir()) == []
    left = [t.name for t in set(threading.enumerate()) - before if t.name.startswith("kpi-zip")]
    assert left == []


def _folder_after(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


def test_a_written_result_leaves_no_temporary_anywhere(clean_slate, tmp_path, monkeypatch):
    monkeypatch.setattr(package, "PIECE", 1000)
    drop = builders.clean_folder(tmp_path / "drop")
    out = tmp_path / "out"
    pipeline.write(pipeline.score(pipeline.load(drop)), out / "r.xlsx")
    assert _folder_after(out) == ["r.xlsx"]
    assert _parts((out / "r.xlsx").read_bytes())


class Boom(Exception):
    pass


@pytest.mark.parametrize("where", ["rows", "deflate", "ctrl-c"])
def test_a_write_that_fails_midway_leaves_nothing(clean_slate, tmp_path, monkeypatch, where):
    monkeypatch.setattr(package, "PIECE", 1000)  # many pieces queued when it fails
    monkeypatch.setattr(sheetkit, "SLICE_ROWS", 2)
    drop = builders.clean_folder(tmp_path / "drop")
    outcome = pipeline.score(pipeline.load(drop))
    out = tmp_path / "out"
    out.mkdir()
    (out / "r.xlsx").write_bytes(b"the old result")
    error = KeyboardInterrupt if where == "ctrl-c" else Boom
    if where == "deflate":
        real, calls = package._deflate, []

        def failing(piece, last):
            calls.append(1)
            if len(calls) == 5:
                raise error("deflate failed")
            return real(piece, last)

        monkeypatch.setattr(package, "_deflate", failing)
    else:
        real_rows, rendered = sheetkit._Bulk.render, []

        def failing(self, start=0, stop=None):
            rendered.append(start)
            if len(rendered) == 4:  # the first big sheet, some slices already in the zip
                raise error("stopped while rendering")
            return real_rows(self, start, stop)

        monkeypatch.setattr(sheetkit._Bulk, "render", failing)
    with pytest.raises((error, OutputError)):
        pipeline.write(outcome, out / "r.xlsx")
    assert _folder_after(out) == ["r.xlsx"]
    assert (out / "r.xlsx").read_bytes() == b"the old result"


class FullDisk(io.RawIOBase):
    """A file that takes ``room`` bytes, then fails as a full disk does."""

    def __init__(self, room: int):
        self.room, self.data = room, bytearray()

    def writable(self):
        return True

    def seekable(self):
        return True

    def tell(self):
        return len(self.data)

    def seek(self, pos, whence=0):
        return len(self.data)

    def write(self, b):
        if len(self.data) + len(b) > self.room:
            raise OSError(28, "No space left on device")
        self.data += b
        return len(b)


def test_a_full_disk_is_one_oserror_and_no_complaint_when_collected(clean_slate, outcome, monkeypatch):
    from kpi_engine.write import workbook

    monkeypatch.setattr(package, "PIECE", 1000)
    real_open = open

    def full_open(file, mode="r", *args, **kwargs):
        if str(file).endswith("full.xlsx") and "w" in mode:
            return FullDisk(20_000)
        return real_open(file, mode, *args, **kwargs)

    monkeypatch.setattr(package, "open", full_open, raising=False)
    with pytest.raises(OSError) as got:
        workbook.write_workbook(outcome, Path("full.xlsx"), created=CREATED)
    assert got.value.errno == 28


@pytest.mark.parametrize("setup", ["plain", "default height", "hidden rows"])
def test_a_bulk_rows_tag_is_the_one_xlsxwriter_writes(setup):
    book = package.ResultBook(io.BytesIO(), {"in_memory": True})
    ws = book.add_worksheet("s", worksheet_class=sheetkit.FastSheet)
    if setup == "default height":
        ws.set_default_row(30)
    elif setup == "hidden rows":
        ws.set_default_row(hide_unused_rows=True)
    head, tail = ws._row_tags()
    for row in (0, 4, 1_048_575):
        got = sheetkit._Lines()
        ws.fh = got
        ws._write_row(row, None, None)
        ws._xml_end_tag("row")
        assert head is not None
        assert f"{head}{row + 1}{tail}</row>" == "".join(got)
    book.fileclosed = True  # never saved


def test_rows_tagged_by_xlsxwriter_itself_give_the_same_sheets(outcome, whole, tmp_path, monkeypatch):
    monkeypatch.setattr(sheetkit.FastSheet, "_row_tags", lambda self: (None, ""))  # _write_row for every row
    monkeypatch.setattr(package, "PIECE", 2**31)
    path = tmp_path / "tagged.xlsx"
    write_workbook(outcome, path, created=CREATED)
    assert path.read_bytes() == whole


def test_the_forms_rendered_in_slices_are_the_forms_rendered_whole(outcome, tmp_path, monkeypatch):
    from kpi_engine.write import forms

    got = {}
    for rows in (10**9, 3):
        monkeypatch.setattr(sheetkit, "SLICE_ROWS", rows)
        path = tmp_path / f"forms{rows}.xlsx"
        forms.write_forms(outcome, path, created=CREATED)
        got[rows] = path.read_bytes()
    assert got[3] == got[10**9]
    assert len(_parts(got[3])["xl/worksheets/sheet1.xml"]) > 10_000  # many slices of 3 rows


def test_no_sheet_is_held_whole_bulk_or_not(outcome, whole, tmp_path, monkeypatch):
    # Every part's text is encoded a piece at a time: what a part holds when it is passed
    # on stays near a piece, however long the sheet (培训前后 is xlsxwriter's own cells).
    monkeypatch.setattr(package, "PIECE", 1000)
    monkeypatch.setattr(sheetkit, "FLUSH_WRITES", 1)  # on after every row: a piece and a row at most
    held: dict[str, int] = {}
    real = package._Part._encode

    def encode(self):
        held[self.name] = max(held.get(self.name, 0), self.tell())
        real(self)

    monkeypatch.setattr(package._Part, "_encode", encode)
    path = tmp_path / "held.xlsx"
    write_workbook(outcome, path, created=CREATED)
    sizes = {n: len(v.decode()) for n, v in _parts(path.read_bytes()).items()}
    sheets = [n for n in sizes if n.startswith("xl/worksheets/sheet")]
    assert sum(sizes[n] > 9_000 for n in sheets) >= 4  # long sheets: 明细, 汇总 … and 说明, xlsxwriter's own
    assert max(held[n] for n in sheets) < 5_000, {n: held[n] for n in sheets}  # a piece, a row, the sheet's end


def test_the_zipfile_internals_the_stream_relies_on_are_there(tmp_path):
    """package.Stream hands zipfile pre-deflated bytes through two private names of the
    standard library (``_ZipWriteFile._compressor``, ``ZipFile._writing``): fail loudly on
    a Python that moved them, rather than write a broken zip."""
    import zipfile

    with zipfile.ZipFile(tmp_path / "probe.zip", "w", zipfile.ZIP_DEFLATED) as zf:
        with zf.open("a.xml", "w") as dest:
            assert zf._writing is True
            assert hasattr(dest, "_compressor") and hasattr(dest._compressor, "compress")
            dest.write(b"<a/>")
        assert zf._writing is False
