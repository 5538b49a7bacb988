"""One streaming pass over an .xlsx package's parts, before any parser sees them.

For every member it inflates the compressed bytes itself, in chunks, and counts what
really comes out: a member that inflates past its declared size (a zip bomb lying in
its header) or past the limits is refused before calamine would inflate it whole. An
XML part declaring a DTD or entities (billion laughs, XXE) is refused too: Excel never
writes one. For each worksheet it notes, from the same chunks:

- the extent of its cells (last row, widest column, number of cells), so that a sheet
  with one stray cell in XFD1048576 is not handed to calamine, which would allocate
  every cell of the rectangle and abort the process;
- formula cells without a saved value (inputs.md, "Formulas"), or every formula cell
  when the workbook asks for recalculation on load;
- error cells (``#DIV/0!``), whose text calamine hides behind an empty string.

A cell (or shared string) whose XML runs past :data:`CELL_LIMIT` bytes is refused here
(:class:`TooLongText`), before calamine would decode it: Excel holds at most 32,767
characters in a cell, and one 50 MB cell in a 15 MB file took calamine and the checks
past 1.4 GB.
"""

from __future__ import annotations

import io
import re
import struct
import zipfile
import zlib
from dataclasses import dataclass, field

from .files import MAX_MEMBER_RATIO, MAX_TOTAL_UNCOMPRESSED, RATIO_CHECK_FROM

CHUNK = 8 * 1024 * 1024
# One cell's XML, or one shared string's: Excel's 32,767 characters take at most 131 KB
# as UTF-8; the rest leaves room for escapes (&amp;) and rich-text runs with their fonts.
CELL_LIMIT = 1024 * 1024


class UnsafePackage(Exception):
    """The package cannot be read safely; ``kind`` is "too_large" or "corrupt"."""

    def __init__(self, kind: str, reason: str):
        super().__init__(reason)
        self.kind = kind
        self.reason = reason


class TooLongText(Exception):
    """A cell's text (``part`` a worksheet, ``ref`` its cell) or a shared string (``part``
    sharedStrings.xml, ``index`` the string's number) runs past CELL_LIMIT bytes."""

    def __init__(self, part: str, size: int, ref: str = "", index: int = -1, sheet: str = ""):
        super().__init__(f"{part}: {ref or f'shared string #{index}'} over {size:,} bytes")
        self.part, self.size, self.ref, self.index = part, size, ref, index
        self.sheet = sheet  # when known without the part (.ods: one part holds every sheet)


@dataclass(slots=True)
class SheetFacts:
    max_row: int = -1  # 0-based
    max_col: int = -1  # 0-based
    cells: int = 0
    # (row, col) → has a saved value, for the formula cells whose value cannot be used:
    # those without one, and every formula when the workbook recalculates on load.
    formulas: dict[tuple[int, int], bool] = field(default_factory=dict)
    errors: dict[tuple[int, int], str] = field(default_factory=dict)  # (row, col) → "#DIV/0!"
    # ((r1, c1), (r2, c2)) merged ranges, for formats calamine reports none for (.ods, .xlsb)
    merged: list[tuple[tuple[int, int], tuple[int, int]]] = field(default_factory=list)

    @property
    def extent(self) -> int:
        return (self.max_row + 1) * (self.max_col + 1)


def member_chunks(data: bytes, info: zipfile.ZipInfo, limit: int):
    """Inflate one member from the package bytes, refusing more than ``limit`` or than declared."""
    off = info.header_offset
    head = data[off : off + 30]
    if len(head) < 30 or head[:4] != b"PK\x03\x04":
        raise UnsafePackage("corrupt", f"{info.filename}: bad local header")
    name_len, extra_len = struct.unpack("<HH", head[26:30])
    start = off + 30 + name_len + extra_len
    raw = memoryview(data)[start : start + info.compress_size]
    declared = info.file_size
    produced = 0
    if info.compress_type == zipfile.ZIP_STORED:
        pieces = (bytes(raw[i : i + CHUNK]) for i in range(0, len(raw), CHUNK))
    elif info.compress_type == zipfile.ZIP_DEFLATED:
        pieces = _inflate(raw)
    else:
        raise UnsafePackage("corrupt", f"{info.filename}: compression method {info.compress_type}")
    for piece in pieces:
        produced += len(piece)
        if produced > declared:
            raise UnsafePackage("too_large", f"{info.filename} declares {declared:,} bytes but inflates to more")
        if produced > limit:
            raise UnsafePackage("too_large", f"{info.filename} inflates past {limit / 1e6:.0f} MB")
        yield piece


def _inflate(raw: memoryview):
    d = zlib.decompressobj(-15)
    pos = 0
    feed = 1024 * 1024
    try:
        while pos < len(raw) or d.unconsumed_tail:
            if d.unconsumed_tail:
                out = d.decompress(d.unconsumed_tail, CHUNK)
            else:
                out = d.decompress(bytes(raw[pos : pos + feed]), CHUNK)
                pos += feed
            if out:
                yield out
            if d.eof:
                return
        tail = d.flush()
        if tail:
            yield tail
    except zlib.error as e:
        raise UnsafePackage("corrupt", f"inflate: {e}") from e


_DTD = re.compile(rb"<!DOCTYPE|<!ENTITY", re.I)
_CELL = re.compile(rb"<c\b([^>]*?)(?:/>|>(.*?)</c>)", re.S)
_REF = re.compile(rb'\br="([A-Z]{1,3})(\d+)"')
_WIDE = re.compile(rb' r="([A-Z]{2,3})\d')
_ANY_COL = re.compile(rb' r="([A-Z]{1,3})\d')
_DIM = re.compile(rb'<dimension ref="[A-Z]*\d*:?([A-Z]{1,3})\d*"')
_ROW = re.compile(rb'<row\b[^>]*?\br="(\d+)"')
_T_STR = re.compile(rb'\bt="str"')
_T_ERR = re.compile(rb'\bt="e"')
_V = re.compile(rb"<v>([^<]*)</v>")


SHARED_STRINGS = "xl/sharedStrings.xml"
_SST_COUNT = re.compile(rb'\b(?:unique)?[cC]ount="(\d+)"')
SST_SLACK = 1000  # a declared count this far above the real one is a lie, not a slip


def scan_package(data: bytes, zf: zipfile.ZipFile, sheet_parts: set[str], every_formula: bool,
                 readers: dict | None = None) -> tuple[dict[str, SheetFacts], int | None]:
    """Verify every member's real size; return the facts of the worksheet parts, and the
    real number of shared strings when sharedStrings.xml declares far more (calamine
    reserves memory by the declared count: 2^31 of them abort the process).

    ``readers`` maps other members (an .ods's content.xml, an .xlsb's binary sheets) to
    an object whose ``feed(piece)`` sees each checked piece in order and ``close()`` the
    end, so that other formats are learnt in the same single pass."""
    readers = readers or {}
    facts: dict[str, SheetFacts] = {}
    total = 0
    sst_declared, sst_real = 0, 0
    for info in zf.infolist():
        if info.is_dir():
            continue
        budget = MAX_TOTAL_UNCOMPRESSED - total
        if info.file_size > RATIO_CHECK_FROM:
            budget = min(budget, int(info.compress_size * MAX_MEMBER_RATIO))
        is_xml = info.filename.endswith((".xml", ".rels", ".vml", ".rdf"))
        reader = readers.get(info.filename)
        is_sheet = info.filename in sheet_parts
        sf = SheetFacts() if is_sheet else None
        is_sst = info.filename == SHARED_STRINGS
        carry = b""
        si_done = 0  # shared strings wholly before ``carry``
        first = True
        for piece in member_chunks(data, info, max(budget, 0)):
            total += len(piece)
            if is_xml and first and _DTD.search(piece[:4096]):
                raise UnsafePackage("corrupt", f"{info.filename} declares a DTD or entities (not written by Excel)")
            if is_sst:
                if first:
                    head = piece[: piece.find(b">", piece.find(b"<sst")) + 1] if b"<sst" in piece[:4096] else b""
                    sst_declared = max((int(x) for x in _SST_COUNT.findall(head)), default=0)
                # The strings so far, and the last one, unfinished, carried into the next piece.
                buf = carry + piece
                _check_length(buf, info.filename, _SI_STARTS, _SI_STOPS, si_done)
                last = max(buf.rfind(b"<si>"), buf.rfind(b"<si "), 0)
                si_done += _si_count(buf[:last])
                carry = buf[last:]
                sst_real += piece.count(b"<si>") + piece.count(b"<si ")
            first = False
            if reader is not None:
                reader.feed(piece)
            if sf is None:
                continue
            buf = carry + piece
            _check_length(buf, info.filename, _CELL_STARTS, _CELL_STOPS)
            cut = buf.rfind(b"</row>")
            if cut < 0:
                carry = buf
                continue
            cut += len(b"</row>")
            _scan_sheet_block(buf[:cut], sf, every_formula)
            carry = buf[cut:]
        if reader is not None:
            reader.close()
        if sf is not None:
            if carry:
                _scan_sheet_block(carry, sf, every_formula)
            facts[info.filename] = sf
    return facts, (sst_real if sst_declared > sst_real + SST_SLACK else None)


# An element of interest starts at one of its starts, and ends before the next of its stops.
_CELL_STARTS = (b"<c ", b"<c>")
_CELL_STOPS = (b"<c ", b"<c>", b"<row ", b"<row>", b"</row>", b"</sheetData>")
_SI_STARTS = (b"<si>", b"<si ")
_SI_STOPS = (b"<si>", b"<si ", b"</sst>")


def _si_count(buf: bytes) -> int:
    return buf.count(b"<si>") + buf.count(b"<si ")


def _check_length(buf: bytes, part: str, starts: tuple, stops: tuple, si_before: int = 0) -> None:
    """Raise TooLongText when an element (a cell, a shared string) in ``buf`` runs past
    CELL_LIMIT bytes; one still open at the end of ``buf`` counts as far as it got (the
    caller carries an open element into the next piece, so it is seen again, longer).

    Cheap on ordinary parts: a run of ``limit`` bytes without any stop holds a whole
    aligned window of ``limit / 2`` bytes without one, so one bounded ``find`` per window
    clears it; only a window without a stop is looked at closely."""
    limit = CELL_LIMIT
    step = limit // 2
    n = len(buf)
    known = -2  # the last stop before the current window, once looked up
    for w in range(0, n - step + 1, step):
        end = w + step
        if any(buf.find(m, w, end) >= 0 for m in stops):
            known = -2
            continue
        if known == -2:
            known = max(buf.rfind(m, 0, w + len(m) - 1) for m in stops)
        p = known
        if p < 0 or not buf.startswith(starts, p):
            continue  # before the first element, or after the last (a row's end, </sheetData>)
        nexts = [q for q in (buf.find(m, p + 1) for m in stops) if q >= 0]
        q = min(nexts) if nexts else n
        if q - p > limit:
            raise _too_long(buf, part, p, q - p, starts, si_before)


def _too_long(buf: bytes, part: str, p: int, size: int, starts: tuple, si_before: int) -> TooLongText:
    if starts is _SI_STARTS:
        return TooLongText(part, size, index=si_before + _si_count(buf[:p]))
    ref = _REF.search(buf, p, p + 200)
    return TooLongText(part, size, ref=(ref.group(1) + ref.group(2)).decode() if ref else "")


def shared_string_user(data: bytes, zf: zipfile.ZipFile, parts: list[str], index: int) -> tuple[str, str]:
    """(worksheet part, cell) of the first cell showing shared string ``index``, or ("", "")."""
    want = re.compile(rb"<c\b([^>]*)>\s*<v>\s*" + str(index).encode() + rb"\s*</v>")
    for part in parts:
        try:
            info = zf.getinfo(part)
        except KeyError:
            continue
        tail = b""
        for piece in member_chunks(data, info, MAX_TOTAL_UNCOMPRESSED):
            buf = tail + piece
            for m in want.finditer(buf):
                if b't="s"' in m.group(1):
                    ref = _REF.search(m.group(1))
                    return part, (ref.group(1) + ref.group(2)).decode() if ref else ""
            tail = buf[-256:]
    return "", ""


def fix_shared_string_count(data: bytes, real: int) -> bytes:
    """The package again, with sharedStrings.xml declaring its real number of strings."""
    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            body = src.read(info.filename)
            if info.filename == SHARED_STRINGS:
                end = body.find(b">", body.find(b"<sst")) + 1
                body = _SST_COUNT.sub(lambda m: m.group(0).split(b'"')[0] + b'"%d"' % real, body[:end]) + body[end:]
            dst.writestr(info, body)
    return out.getvalue()


def _scan_sheet_block(buf: bytes, sf: SheetFacts, every: bool) -> None:
    rows = _ROW.findall(buf[buf.rfind(b"<row ") :]) if b"<row " in buf else []
    if rows:
        sf.max_row = max(sf.max_row, int(rows[-1]) - 1)
    sf.cells += buf.count(b"<c ") + buf.count(b"<c>")
    # The widest column: any multi-letter reference in the block (rare, one regex pass),
    # else the last row's cells, else the <dimension> Excel writes (see the docstring).
    wide = _WIDE.findall(buf)
    col = max((_col(w) for w in wide), default=-1)
    if col < 0:
        last = buf[buf.rfind(b"<row ") :] if b"<row " in buf else buf[-4096:]
        col = max((_col(w) for w in _ANY_COL.findall(last)), default=-1)
    sf.max_col = max(sf.max_col, col)
    if b"<dimension" in buf[:8192]:
        dim = _DIM.search(buf[:8192])
        if dim:
            sf.max_col = max(sf.max_col, _col(dim.group(1)))
    if b"<f" not in buf and b't="e"' not in buf:
        return
    for m in _CELL.finditer(buf):
        body = m.group(2)
        if not body:
            continue
        attrs = m.group(1)
        has_f = b"<f" in body
        is_err = _T_ERR.search(attrs) is not None
        if not has_f and not is_err:
            continue
        ref = _REF.search(attrs)
        if not ref:
            continue
        pos = (int(ref.group(2)) - 1, _col(ref.group(1)))
        v = _V.search(body)
        if is_err:
            sf.errors[pos] = v.group(1).decode("utf-8", "replace") if v else "#ERROR"
        if has_f:
            saved = bool(v and v.group(1)) or (b"<v" in body and _T_STR.search(attrs) is not None)
            if every or not saved:
                sf.formulas[pos] = saved


def _col(letters: bytes) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + ch - 64
    return n - 1
