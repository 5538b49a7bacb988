"""Zipping the result's parts on every core.

A result workbook is a zip of XML parts; at 5,000 people they hold some 180 MB of XML
and deflating them was a third of the write phase, on one core (xlsxwriter zips the
parts one after another in ``Workbook._store_workbook``). zlib lets go of the GIL while
it compresses, so here each part is cut into pieces that threads deflate at once, the
way pigz does: every piece but a part's last ends on a byte boundary (``Z_SYNC_FLUSH``),
so the pieces joined are one valid deflate stream, and the zip holds exactly what a
single-threaded zip would hold, bar a few bytes per piece. zipfile still writes the
headers, the CRC and the central directory; it is only handed the deflated bytes
instead of deflating them itself (:class:`_Deflated`).

Same compression level as xlsxwriter (zlib's default): level 1 would be faster still,
but makes the file a third larger (docs/decisions.md, Performance).
"""

from __future__ import annotations

import zlib
from concurrent.futures import Future, ThreadPoolExecutor
from zipfile import ZIP_DEFLATED, ZipFile, ZipInfo

from xlsxwriter.workbook import Workbook

from ..cores import threads

PIECE = 4 * 1024 * 1024  # bytes of XML per piece: large enough that the flush markers cost nothing
LEVEL = zlib.Z_DEFAULT_COMPRESSION
ZIP_TIME = (1980, 1, 1, 0, 0, 0)  # Excel's own timestamp, as xlsxwriter writes it


def _deflate(piece: memoryview, last: bool) -> bytes:
    c = zlib.compressobj(LEVEL, zlib.DEFLATED, -15)  # raw deflate, as in a zip
    return c.compress(piece) + c.flush(zlib.Z_FINISH if last else zlib.Z_SYNC_FLUSH)


class _Deflated:
    """Stands in for zipfile's compressor: hands over the pieces deflated beforehand."""

    def __init__(self, pieces: list[Future]):
        self._pieces = pieces

    def compress(self, _data) -> bytes:  # zipfile computes the CRC and sizes from the data it writes
        return b"".join(p.result() for p in self._pieces)

    def flush(self) -> bytes:
        return b""


def write_parts(zf: ZipFile, parts, workers: int | None = None) -> None:
    """Write ``parts`` — (name in the zip, bytes) — into ``zf``, deflated by ``workers`` threads.

    Every part is queued for compression before the first is written, so the threads
    keep busy while the zip is written in order."""
    workers = workers or threads()
    with ThreadPoolExecutor(workers, thread_name_prefix="kpi-zip") as pool:
        queued = []
        for name, data in parts:
            view = memoryview(data)
            starts = range(0, len(data), PIECE) if data else [0]
            pieces = [pool.submit(_deflate, view[i : i + PIECE], i + PIECE >= len(data)) for i in starts]
            queued.append((name, data, pieces))
        try:
            for name, data, pieces in queued:
                info = ZipInfo(name, ZIP_TIME)
                info.compress_type = ZIP_DEFLATED
                info.file_size = len(data)  # zipfile decides on ZIP64 from it
                with zf.open(info, "w") as dest:
                    dest._compressor = _Deflated(pieces)
                    dest.write(data)
        finally:
            for _, _, pieces in queued:
                for p in pieces:
                    p.cancel()


class ResultBook(Workbook):
    """xlsxwriter's Workbook, zipping its parts with :func:`write_parts`.

    ``_store_workbook`` is xlsxwriter 3.3's own (tests/test_write_xlsxwriter.py pins its
    source), up to the loop that zips the parts, which is replaced."""

    def _store_workbook(self) -> None:
        xlsx_file = ZipFile(self.filename, "w", compression=ZIP_DEFLATED, allowZip64=self.allow_zip64)
        try:
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
            packager._set_in_memory(True)  # the parts stay in memory: they are deflated from there
            xml_files = packager._create_package()
            packager = None
            write_parts(xlsx_file, _encoded(xml_files))
        finally:
            xlsx_file.close()


def _encoded(xml_files: list):
    """xlsxwriter's in-memory parts as (name, bytes), each let go of once encoded."""
    for i, (handle, name, is_binary) in enumerate(xml_files):
        xml_files[i] = None
        yield name, handle.getvalue() if is_binary else handle.getvalue().encode("utf-8")
