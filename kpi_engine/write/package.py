"""Zipping the result's parts on every core, as they are written.

A result workbook is a zip of XML parts; at 20,000 people they hold some 0.8 GB of XML.
xlsxwriter keeps every part in memory (``in_memory``) or in a temporary file, and zips
them one after another, on one core, once they are all written
(``Workbook._store_workbook``). Here no big part is held whole: as xlsxwriter writes a
part (:class:`_Part`; FastSheet hands on a big sheet's rows a slice at a time), its XML
is encoded and cut into pieces of ``PIECE`` bytes, threads deflate the pieces at once,
the way pigz does, and the main thread puts each deflated piece into the zip, in
order, as soon as it is ready (:class:`Stream`). A few pieces per thread are held at
any time, however large the sheets; no temporary file is made, and the zip goes
straight to its file.

Every piece but a part's last ends on a byte boundary (``Z_SYNC_FLUSH``), so the pieces
joined are one valid deflate stream. Pieces are cut at fixed byte offsets of the part,
whatever the size of the writes that made it, so the zip is byte for byte the same for
any number of threads and however the XML was written (one string or many). zipfile
still writes the headers, the CRC and the central directory; it is only handed the
deflated bytes instead of deflating them itself (:class:`_Deflated`).

Same compression level as xlsxwriter (zlib's default): level 1 would be faster still,
but makes the file a third larger (docs/decisions.md, Performance).
"""

from __future__ import annotations

import io
import os
import zlib
from collections import deque
from concurrent.futures import Future, ThreadPoolExecutor
from io import StringIO
from zipfile import ZIP64_LIMIT, ZIP_DEFLATED, LargeZipFile, ZipFile, ZipInfo

from xlsxwriter.packager import Packager
from xlsxwriter.workbook import Workbook

from ..cores import threads

PIECE = 4 * 1024 * 1024  # bytes of XML per piece: large enough that the flush markers cost nothing
LEVEL = zlib.Z_DEFAULT_COMPRESSION
ZIP_TIME = (1980, 1, 1, 0, 0, 0)  # Excel's own timestamp, as xlsxwriter writes it


def _deflate(piece: bytes, last: bool) -> bytes:
    c = zlib.compressobj(LEVEL, zlib.DEFLATED, -15)  # raw deflate, as in a zip
    return c.compress(piece) + c.flush(zlib.Z_FINISH if last else zlib.Z_SYNC_FLUSH)


class _Deflated:
    """Stands in for zipfile's compressor: hands over each piece deflated beforehand.

    zipfile computes the CRC and the size from the raw piece written; ``ready`` is what
    that write puts in the zip instead of deflating the piece again."""

    def __init__(self) -> None:
        self.ready = b""

    def compress(self, _data) -> bytes:
        out, self.ready = self.ready, b""
        return out

    def flush(self) -> bytes:
        return b""


class Stream:
    """Parts written into ``zf`` in order, their pieces deflated on ``workers`` threads.

    ``part(name)`` opens the next part (the previous one must be ended); what is written
    to it is cut into pieces and queued. The queue — open a part, its pieces, end it — is
    worked through on the calling thread whenever a piece is queued: pieces already
    deflated go into the zip, and while more than ``2 × workers + 2`` pieces wait, the
    oldest is waited for. Use as a context manager: leaving it on an exception cancels
    what is queued and waits for the threads; :meth:`finish` writes what is left."""

    def __init__(self, zf: ZipFile, workers: int | None = None, zip64: bool = False):
        workers = workers or threads()
        self._zf = zf
        self._zip64 = zip64
        self._pool = ThreadPoolExecutor(workers, thread_name_prefix="kpi-zip")
        self._keep = 2 * workers + 2  # pieces queued before the oldest is waited for
        self._queue: deque = deque()  # ("open", name) | ("piece", raw, future) | ("end", size)
        self._pieces = 0
        self._dest = None
        self._feed = _Deflated()
        self._current: _Part | None = None

    def __enter__(self) -> "Stream":
        return self

    def __exit__(self, kind, exc, tb) -> None:
        if kind is not None:
            self.abort()
        self._pool.shutdown(wait=True)

    def part(self, name: str) -> "_Part":
        if self._current is not None and not self._current.ended:
            raise RuntimeError(f"part {name} opened before {self._current.name} was ended")
        self._queue.append(("open", name, None))
        self._current = _Part(self, name)
        return self._current

    def add(self, name: str, data: bytes) -> None:
        """A whole part at once (a binary part, or XML already encoded)."""
        part = self.part(name)
        part.write_bytes(data)
        part.end()

    def finish(self) -> None:
        """End the last part and put everything still queued into the zip."""
        if self._current is not None and not self._current.ended:
            self._current.end()
        self._drain(-1)

    def abort(self) -> None:
        """Drop what is queued and stop the threads; the part being written is left out of the zip."""
        for _, _, future in self._queue:
            if isinstance(future, Future):
                future.cancel()
        self._queue.clear()
        self._pool.shutdown(wait=True, cancel_futures=True)
        if self._dest is not None:
            # Closed without completing its entry (nothing more is written for it): the
            # zip can still be closed, without that part, or abandoned.
            io.BufferedIOBase.close(self._dest)
            self._zf._writing = False
            self._dest = None

    def _piece(self, raw: bytes, last: bool) -> None:
        self._queue.append(("piece", raw, self._pool.submit(_deflate, raw, last)))
        self._pieces += 1
        self._drain(self._keep)

    def _end(self, size: int) -> None:
        if size > ZIP64_LIMIT and not self._zip64:  # as zipfile would refuse it, before the header is final
            raise LargeZipFile("Filesize would require ZIP64 extensions")
        self._queue.append(("end", size, None))
        self._drain(self._keep)

    def _drain(self, keep: int) -> None:
        """Write the queue's front into the zip: deflated pieces, and while more than
        ``keep`` pieces are queued, the oldest once deflated."""
        queue = self._queue
        while queue:
            kind, value, future = queue[0]
            if kind == "piece":
                if self._pieces <= keep and not future.done():
                    return
                self._feed.ready = future.result()
                queue.popleft()
                self._pieces -= 1
                self._dest.write(value)  # zipfile: CRC and size of the raw piece, then _Deflated's bytes
            elif kind == "open":
                queue.popleft()
                info = ZipInfo(value, ZIP_TIME)
                info.compress_type = ZIP_DEFLATED
                self._dest = self._zf.open(info, "w", force_zip64=self._zip64)
                self._dest._compressor = self._feed
            else:
                queue.popleft()
                self._dest.close()
                self._dest = None


class _Part(StringIO):
    """One part of the zip as xlsxwriter writes it: a StringIO that is emptied a piece at a time.

    xlsxwriter writes into it at StringIO's own speed (``XMLwriter._set_xml_writer``
    takes a StringIO and leaves it open). :meth:`spill` — called by FastSheet every few
    thousand rows of a sheet, and by :meth:`end` — encodes what it holds to UTF-8 once
    that is a piece or more, and hands every ``PIECE`` bytes of the part to the stream to
    be deflated. The parts that are not sheets (styles, shared strings, the workbook)
    are held until they end, as xlsxwriter's own tables for them are."""

    def __init__(self, stream: Stream, name: str):
        super().__init__()
        self.name = name
        self.ended = False
        self._stream = stream
        self._buf = bytearray()
        self._size = 0

    def spill(self) -> None:
        """Hand on what is held, if it is at least a piece (in characters: as many bytes or more)."""
        if self.tell() >= PIECE:
            self._encode()

    def write_bytes(self, data: bytes) -> None:
        self._encode()
        self._buf += data
        self._cut()

    def end(self) -> None:
        """The part is complete: its last piece goes out, and the part is closed in the zip."""
        if self.ended:
            return
        self._encode()
        last, self._buf = bytes(self._buf), bytearray()
        self._size += len(last)
        self.ended = True
        self._stream._piece(last, True)  # a part of 0 bytes too: one empty, final piece
        self._stream._end(self._size)

    def _encode(self) -> None:
        if self.tell():
            self._buf += self.getvalue().encode("utf-8")
            self.seek(0)
            self.truncate()
        self._cut()

    def _cut(self) -> None:
        # Strictly more than a piece: the bytes left over may be the part's last piece.
        buf = self._buf
        while len(buf) > PIECE:
            with memoryview(buf) as view:
                piece = bytes(view[:PIECE])
            del buf[:PIECE]
            self._size += PIECE
            self._stream._piece(piece, False)


class _Packager(Packager):
    """xlsxwriter's Packager, writing each part into the stream instead of a StringIO.

    ``_filename`` is where the Packager makes each part's file; a part is complete when
    the next one is made (or the package is), and so are binary parts (images) that it
    appends to its list itself in between."""

    def __init__(self, stream: Stream):
        super().__init__()
        self._stream = stream
        self._sent = 0  # entries of self.filenames handed to the stream

    def _filename(self, xml_filename):
        self._send()
        part = self._stream.part(xml_filename)
        self.filenames.append((part, xml_filename, False))
        return part

    def _create_package(self):
        files = super()._create_package()
        self._send()
        return files

    def _send(self) -> None:
        while self._sent < len(self.filenames):
            handle, name, is_binary = self.filenames[self._sent]
            if isinstance(handle, _Part):
                handle.end()
            else:  # in_memory mode: a BytesIO of an image or VBA project, appended as it is
                self._stream.add(name, handle.getvalue() if is_binary else handle.getvalue().encode("utf-8"))
            self._sent += 1


def write_parts(zf: ZipFile, parts, workers: int | None = None) -> None:
    """Write ``parts`` — (name in the zip, bytes) — into ``zf``, deflated by ``workers`` threads."""
    with Stream(zf, workers) as stream:
        for name, data in parts:
            stream.add(name, data)
        stream.finish()


class ResultBook(Workbook):
    """xlsxwriter's Workbook, writing its parts straight into the zip (:class:`Stream`).

    ``filename`` is a path (the zip is written to it as the parts are made) or a binary
    file object. ``_store_workbook`` is xlsxwriter 3.3's own (tests/test_write_xlsxwriter.py
    pins its source), up to the loop that zips the parts, which is replaced: the parts
    go into the zip as the Packager writes them (:class:`_Packager`). When anything
    fails, the zip is abandoned unfinished and the threads are stopped; the caller
    removes the file (output.atomic_write)."""

    _stream: Stream | None = None

    def _get_packager(self):
        return _Packager(self._stream)

    def _store_workbook(self) -> None:
        own = isinstance(self.filename, (str, os.PathLike))
        fh = open(self.filename, "wb") if own else self.filename  # noqa: SIM115 - closed below
        xlsx_file = None
        try:
            xlsx_file = ZipFile(fh, "w", compression=ZIP_DEFLATED, allowZip64=self.allow_zip64)
            with Stream(xlsx_file, zip64=self.allow_zip64) as self._stream:
                packager = self._get_packager()
                if not self.worksheets():
                    self.add_worksheet()
                if self.worksheet_meta.activesheet == 0:
                    self.worksheets_objs[0].selected = 1
                    self.worksheets_objs[0].hidden = 0
                for sheet in self.worksheets():
                    if sheet.index == self.worksheet_meta.activesheet:
                        sheet.active = 1
                if self.vba_project:
                    for sheet in self.worksheets():
                        if sheet.vba_codename is None:
                            sheet.set_vba_name()
                self._prepare_sst_string_data()
                self._prepare_vml()
                self._prepare_defined_names()
                self._prepare_drawings()
                self._add_chart_data()
                self._prepare_tables()
                self._prepare_metadata()
                packager._add_workbook(self)
                packager._set_tmpdir(self.tmpdir)
                packager._set_in_memory(True)  # images as BytesIO; the XML parts go to the stream
                packager._create_package()
                packager = None
                self._stream.finish()
            xlsx_file.close()
        except BaseException:
            if xlsx_file is not None:
                xlsx_file.fp = None  # abandoned: no end records written now or when collected
            if own:
                try:
                    fh.close()
                except OSError:
                    pass  # the error that stopped the writing is the one to report
            raise
        finally:
            self._stream = None
        if own:
            fh.close()  # a full disk may only show here, when the last bytes are flushed
