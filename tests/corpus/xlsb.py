"""A small .xlsb (Excel binary workbook) writer for tests: no library writes the format
and LibreOffice only imports it, so the records are laid out here (MS-XLSB).

``write_xlsb(path, [XlsbSheet(name, rows)])`` writes numbers (BrtCellReal), text
(shared strings, BrtCellIsst; or inline BrtCellSt), :class:`~tests.corpus.xl.Err`
cells (BrtCellError) and :class:`BinFormula` cells (BrtFmlaNum / BrtFmlaString /
BrtFmlaError, each with its cached value, which is what the format always carries),
merged ranges and hidden sheets; ``dim`` overrides the BrtWsDim record (which Excel
writes as the used range) and ``cells`` adds cells at arbitrary places (a stray far
cell). A ``datetime.date`` is written as its 1900-system serial under the built-in
date format (a styles part with two cell formats: General and m/d/yyyy). LibreOffice opens the result (tests check that), so it is a real workbook.
"""

from __future__ import annotations

import datetime as dt
import struct
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from tests.corpus.xl import Err

ERROR_CODES = {"#NULL!": 0x00, "#DIV/0!": 0x07, "#VALUE!": 0x0F, "#REF!": 0x17, "#NAME?": 0x1D,
               "#NUM!": 0x24, "#N/A": 0x2A}


@dataclass(frozen=True)
class BinFormula:
    """A formula cell (``=1+0`` in the records) whose cached value is ``value``: a number,
    text, or an Err."""

    value: object


@dataclass
class XlsbSheet:
    name: str
    rows: list[list] = field(default_factory=list)
    hidden: bool = False
    merged: list[tuple[int, int, int, int]] = field(default_factory=list)  # (r1, c1, r2, c2), 0-based
    dim: tuple[int, int, int, int] | None = None  # (r1, r2, c1, c2) written in BrtWsDim; default: the real one
    cells: dict[tuple[int, int], object] = field(default_factory=dict)  # extra cells by (row, col)


def _rec(typ: int, body: bytes = b"") -> bytes:
    if typ < 0x80:
        head = bytes([typ])
    else:
        head = bytes([(typ & 0x7F) | 0x80, typ >> 7])
    n = len(body)
    size = bytearray()
    while True:
        b = n & 0x7F
        n >>= 7
        size.append(b | (0x80 if n else 0))
        if not n:
            break
    return head + bytes(size) + body


def _wide(text: str) -> bytes:
    raw = text.encode("utf-16-le")
    return struct.pack("<I", len(raw) // 2) + raw


_FORMULA = struct.pack("<I", 3) + b"\x1e\x01\x00" + struct.pack("<I", 0)  # cce, PtgInt 1, cb


def _cell(col: int, value, strings: dict[str, int], inline: bool) -> bytes:
    head = struct.pack("<II", col, 0)
    if isinstance(value, BinFormula):
        v = value.value
        if isinstance(v, Err):
            return _rec(0x0B, head + bytes([ERROR_CODES[v.code]]) + b"\x00\x00" + _FORMULA)
        if isinstance(v, str):
            return _rec(0x08, head + _wide(v) + b"\x00\x00" + _FORMULA)
        return _rec(0x09, head + struct.pack("<d", float(v)) + b"\x00\x00" + _FORMULA)
    if isinstance(value, Err):
        return _rec(0x03, head + bytes([ERROR_CODES[value.code]]))
    if isinstance(value, dt.date):
        serial = (value - dt.date(1899, 12, 30)).days
        return _rec(0x05, struct.pack("<II", col, 1) + struct.pack("<d", float(serial)))
    if isinstance(value, bool):
        return _rec(0x04, head + bytes([int(value)]))
    if isinstance(value, (int, float)):
        return _rec(0x05, head + struct.pack("<d", float(value)))
    text = str(value)
    if inline:
        return _rec(0x06, head + _wide(text))
    idx = strings.setdefault(text, len(strings))
    return _rec(0x07, head + struct.pack("<I", idx))


def _sheet_bin(sh: XlsbSheet, strings: dict[str, int], inline: bool) -> bytes:
    grid: dict[int, dict[int, object]] = {}
    for r, row in enumerate(sh.rows):
        for c, v in enumerate(row):
            if v is not None and v != "":
                grid.setdefault(r, {})[c] = v
    for (r, c), v in sh.cells.items():
        grid.setdefault(r, {})[c] = v
    rows = sorted(grid)
    cols = [c for r in rows for c in grid[r]]
    dim = sh.dim or ((rows[0], rows[-1], min(cols), max(cols)) if rows else (0, 0, 0, 0))
    out = [_rec(0x81), _rec(0x94, struct.pack("<IIII", *dim)), _rec(0x91)]
    for r in rows:
        out.append(_rec(0x00, struct.pack("<IIH", r, 0, 300) + b"\x00\x00\x00" + struct.pack("<I", 0)))
        for c in sorted(grid[r]):
            out.append(_cell(c, grid[r][c], strings, inline))
    out.append(_rec(0x92))
    if sh.merged:
        out.append(_rec(0xB1, struct.pack("<I", len(sh.merged))))
        for r1, c1, r2, c2 in sh.merged:
            out.append(_rec(0xB0, struct.pack("<IIII", r1, r2, c1, c2)))
        out.append(_rec(0xB2))
    out.append(_rec(0x82))
    return b"".join(out)


def _calc_prop(full_calc: bool) -> bytes:
    # recalcID, fAutoRecalc, cCalcCount, xnumDelta, cUserThreadCount, options (bit 0: fFullCalcOnLoad,
    # bit 1: fRefA1): 26 bytes, as Excel writes it
    flags = 0x0002 | (0x0001 if full_calc else 0)
    return _rec(0x9D, struct.pack("<IIIdiH", 191029, 1, 100, 0.001, 1, flags))


CT = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
      '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
      '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
      '<Default Extension="xml" ContentType="application/xml"/>'
      '<Override PartName="/xl/workbook.bin" ContentType="application/vnd.ms-excel.sheet.binary.macroEnabled.main"/>'
      '{sheets}'
      '<Override PartName="/xl/sharedStrings.bin" ContentType="application/vnd.ms-excel.sharedStrings"/>'
      '<Override PartName="/xl/styles.bin" ContentType="application/vnd.ms-excel.styles"/>'
      '</Types>')


def _xf(fmt: int) -> bytes:
    # ixfeParent, iFmt, iFont, iFill, ixBorder, trot, indent, flags, xfGrbitAtr, unused
    return _rec(0x2F, struct.pack("<HHHHHBBHBB", 0xFFFF, fmt, 0, 0, 0, 0, 0, 0, 0, 0))


STYLES = b"".join([_rec(0x116), _rec(0x269, struct.pack("<I", 2)), _xf(0), _xf(14), _rec(0x26A), _rec(0x117)])
RELS = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.bin"/>'
        '</Relationships>')
R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"


def write_xlsb(path: Path, sheets: list[XlsbSheet], *, inline: bool = False, full_calc: bool = False,
               extra: dict[str, bytes] | None = None, ct_prolog: str = "") -> Path:
    """Write the workbook; ``extra`` adds or replaces members, ``ct_prolog`` goes before
    [Content_Types].xml's root (a DTD, for the entity tests)."""
    strings: dict[str, int] = {}
    parts = {f"xl/worksheets/sheet{i}.bin": _sheet_bin(sh, strings, inline) for i, sh in enumerate(sheets, 1)}
    book = [_rec(0x83), _rec(0x99, struct.pack("<II", 0, 0) + _wide("")), _rec(0x8F)]
    for i, sh in enumerate(sheets, 1):
        book.append(_rec(0x9C, struct.pack("<II", 1 if sh.hidden else 0, i) + _wide(f"rId{i}") + _wide(sh.name)))
    book += [_rec(0x90), _calc_prop(full_calc), _rec(0x84)]
    sst = [_rec(0x9F, struct.pack("<II", len(strings), len(strings)))]
    sst += [_rec(0x13, b"\x00" + _wide(s)) for s in strings]
    sst.append(_rec(0xA0))
    wb_rels = "".join(
        f'<Relationship Id="rId{i}" Type="{R}/worksheet" Target="worksheets/sheet{i}.bin"/>' for i in range(1, len(sheets) + 1))
    wb_rels += f'<Relationship Id="rId{len(sheets) + 1}" Type="{R}/sharedStrings" Target="sharedStrings.bin"/>'
    wb_rels += f'<Relationship Id="rId{len(sheets) + 2}" Type="{R}/styles" Target="styles.bin"/>'
    sheet_ct = "".join(f'<Override PartName="/xl/worksheets/sheet{i}.bin" ContentType="application/vnd.ms-excel.worksheet"/>'
                       for i in range(1, len(sheets) + 1))
    members = {
        "[Content_Types].xml": (ct_prolog + CT.format(sheets=sheet_ct)).encode(),
        "_rels/.rels": RELS.encode(),
        "xl/workbook.bin": b"".join(book),
        "xl/_rels/workbook.bin.rels": (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            f'<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">{wb_rels}</Relationships>'
        ).encode(),
        "xl/sharedStrings.bin": b"".join(sst),
        "xl/styles.bin": STYLES,
        **parts,
        **(extra or {}),
    }
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for name, body in members.items():
            z.writestr(name, body)
    return path
