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


class UnsafePackage(Exception):
    """The package cannot be read safely; ``kind`` is "too_large" or "corrupt"."""

    def __init__(self, kind: str, reason: str):
        super().__init__(reason)
        self.kind = kind
        self.reason = reason


@dataclass(slots=True)
class SheetFacts:
    max_row: int = -1  # 0-based
    max_col: int = -1  # 0-based
    cells: int = 0
    # (row, col) → has a saved value, for the formula cells whose value cannot be used:
    # those without one, and every formula when the workbook recalculates on load.
    formulas: dict[tuple[int, int], bool] = field(default_factory=dict)
    errors: dict[tuple[int, int], str] = field(default_factory=dict)  # (row, col) → "#DIV/0!"

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


def scan_package(data: bytes, zf: zipfile.ZipFile, sheet_parts: set[str], every_formula: bool
                 ) -> tuple[dict[str, SheetFacts], int | None]:
    """Verify every member's real size; return the facts of the worksheet parts, and the
    real number of shared strings when sharedStrings.xml declares far more (calamine
    reserves memory by the declared count: 2^31 of them abort the process)."""
    facts: dict[str, SheetFacts] = {}
    total = 0
    sst_declared, sst_real = 0, 0
    for info in zf.infolist():
        if info.is_dir():
            continue
        budget = MAX_TOTAL_UNCOMPRESSED - total
        if info.file_size > RATIO_CHECK_FROM:
            budget = min(budget, int(info.compress_size * MAX_MEMBER_RATIO))
        is_xml = info.filename.endswith((".xml", ".rels", ".vml"))
        is_sheet = info.filename in sheet_parts
        sf = SheetFacts() if is_sheet else None
        carry = b""
        first = True
        for piece in member_chunks(data, info, max(budget, 0)):
            total += len(piece)
            if is_xml and first and _DTD.search(piece[:4096]):
                raise UnsafePackage("corrupt", f"{info.filename} declares a DTD or entities (not written by Excel)")
            if info.filename == SHARED_STRINGS:
                if first:
                    head = piece[: piece.find(b">", piece.find(b"<sst")) + 1] if b"<sst" in piece[:4096] else b""
                    sst_declared = max((int(x) for x in _SST_COUNT.findall(head)), default=0)
                sst_real += piece.count(b"<si>") + piece.count(b"<si ")
            first = False
            if sf is None:
                continue
            buf = carry + piece
            cut = buf.rfind(b"</row>")
            if cut < 0:
                carry = buf
                continue
            cut += len(b"</row>")
            _scan_sheet_block(buf[:cut], sf, every_formula)
            carry = buf[cut:]
        if sf is not None:
            if carry:
                _scan_sheet_block(carry, sf, every_formula)
            facts[info.filename] = sf
    return facts, (sst_real if sst_declared > sst_real + SST_SLACK else None)


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
