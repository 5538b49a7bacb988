"""Low-level workbook writers for the corpus: typed xlsxwriter sheets and raw OOXML packages.

The raw writer exists because the interesting bad inputs are the ones no friendly
library will write: a formula with (or without) a saved value, a 1904 workbook with raw
serials, an error cell, a DOCTYPE with entities, a million rows written in a second, a
zip member that lies about its size.
"""

from __future__ import annotations

import struct
import zipfile
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from xml.sax.saxutils import escape

import xlsxwriter
from xlsxwriter.utility import xl_rowcol_to_cell


@dataclass(frozen=True)
class Formula:
    """A formula cell; ``value`` is the saved value (None: nothing saved)."""

    text: str
    value: object = None


@dataclass(frozen=True)
class Err:
    """An error cell as Excel saves it (``#N/A``, ``#DIV/0!``)."""

    code: str


@dataclass(frozen=True)
class Serial:
    """A raw number under a date format: the reader must apply the date system."""

    value: float


# --- typed xlsxwriter sheets ----------------------------------------------------------


def xw_book(path: Path, sheets: dict[str, list[list]], *, hidden=(), very_hidden=(), merges=None) -> Path:
    """Write each value with its own type: a str is always a string cell (never a formula)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    # in_memory: no temporary file per sheet — ten times faster, which the fuzz needs.
    wb = xlsxwriter.Workbook(str(path), {"strings_to_formulas": False, "strings_to_urls": False, "in_memory": True})
    date_fmt = wb.add_format({"num_format": "yyyy-mm-dd"})
    for name, rows in sheets.items():
        ws = wb.add_worksheet(name)
        for r, row in enumerate(rows):
            for c, value in enumerate(row):
                _xw_write(ws, r, c, value, date_fmt)
        for rng, value in (merges or {}).get(name, ()):
            ws.merge_range(rng, "", None)
            first = rng.split(":")[0]
            ws.write_string(first, value) if isinstance(value, str) else ws.write(first, value)
        if name in hidden:
            ws.hide()
        if name in very_hidden:
            ws.very_hidden()
    wb.close()
    return path


def _xw_write(ws, r: int, c: int, value, date_fmt) -> None:
    if value is None:
        return
    if isinstance(value, Formula):
        ws.write_formula(r, c, value.text, None, value.value if value.value is not None else 0)
    elif isinstance(value, bool):
        ws.write_boolean(r, c, value)
    elif isinstance(value, (int, float)):
        ws.write_number(r, c, value)
    elif isinstance(value, (date, datetime)):
        ws.write_datetime(r, c, value, date_fmt)
    elif isinstance(value, str):
        ws.write_string(r, c, value)
    else:
        raise TypeError(f"xw_book cannot write {value!r}")


# --- raw OOXML packages --------------------------------------------------------------

NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
CT_SHEET = "application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"
CT_WORKBOOK = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"
CT_WORKBOOK_MACRO = "application/vnd.ms-excel.sheet.macroEnabled.main+xml"
CT_STYLES = "application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"
REL_SHEET = f"{REL_NS}/worksheet"
REL_STYLES = f"{REL_NS}/styles"

STYLES = f"""<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<styleSheet xmlns="{NS}"><fonts count="1"><font><sz val="11"/><name val="Calibri"/></font></fonts>
<fills count="2"><fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/></fill></fills>
<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>
<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>
<cellXfs count="2"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>
<xf numFmtId="14" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/></cellXfs>
<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>
</styleSheet>"""


def cell_xml(ref: str, value) -> str:
    """One <c> element; strings are inline (no shared-strings part needed)."""
    if value is None:
        return ""
    if isinstance(value, Formula):
        saved = "" if value.value is None else f"<v>{escape(str(value.value))}</v>"
        kind = ' t="str"' if isinstance(value.value, str) else ""
        return f'<c r="{ref}"{kind}><f>{escape(value.text.lstrip("="))}</f>{saved}</c>'
    if isinstance(value, Err):
        return f'<c r="{ref}" t="e"><v>{escape(value.code)}</v></c>'
    if isinstance(value, Serial):
        return f'<c r="{ref}" s="1"><v>{value.value!r}</v></c>'
    if isinstance(value, bool):
        return f'<c r="{ref}" t="b"><v>{int(value)}</v></c>'
    if isinstance(value, (int, float)):
        return f'<c r="{ref}"><v>{value!r}</v></c>'
    if isinstance(value, str):
        return f'<c r="{ref}" t="inlineStr"><is><t xml:space="preserve">{escape(value)}</t></is></c>'
    raise TypeError(f"cell_xml cannot write {value!r}")


def sheet_xml(rows: list[list], *, first_row: int = 1, merges=(), prolog: str = "", tail_rows: str = "") -> str:
    """A worksheet part from rows of values; ``prolog`` goes before the root (a DOCTYPE)."""
    body = []
    for i, row in enumerate(rows):
        r = first_row + i
        cells = "".join(cell_xml(xl_rowcol_to_cell(r - 1, c), v) for c, v in enumerate(row))
        if cells:
            body.append(f'<row r="{r}">{cells}</row>')
    merge = ""
    if merges:
        merge = f'<mergeCells count="{len(merges)}">' + "".join(f'<mergeCell ref="{m}"/>' for m in merges) + "</mergeCells>"
    return (
        f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n{prolog}'
        f'<worksheet xmlns="{NS}" xmlns:r="{REL_NS}"><sheetData>{"".join(body)}{tail_rows}</sheetData>{merge}</worksheet>'
    )


@dataclass
class RawSheet:
    name: str
    xml: str | bytes | None = None  # None: ``stream`` writes it
    state: str = ""  # "" | "hidden" | "veryHidden"
    stream: object = None  # callable(write) producing the part in chunks


def raw_xlsx(path: Path, sheets: list[RawSheet], *, date1904: bool = False, macro: bytes | None = None,
             level: int = 6) -> Path:
    """A minimal SpreadsheetML package: workbook, styles, the sheets (and a VBA part)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    overrides = [
        ("/xl/workbook.xml", CT_WORKBOOK_MACRO if macro is not None else CT_WORKBOOK),
        ("/xl/styles.xml", CT_STYLES),
    ] + [(f"/xl/worksheets/sheet{i}.xml", CT_SHEET) for i in range(1, len(sheets) + 1)]
    if macro is not None:
        overrides.append(("/xl/vbaProject.bin", "application/vnd.ms-office.vbaProject"))
    content_types = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        + "".join(f'<Override PartName="{p}" ContentType="{t}"/>' for p, t in overrides)
        + "</Types>"
    )
    root_rels = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        f'<Relationship Id="rId1" Type="{REL_NS}/officeDocument" Target="xl/workbook.xml"/></Relationships>'
    )
    sheet_entries = "".join(
        f'<sheet name="{escape(s.name)}" sheetId="{i}"{f" state={chr(34)}{s.state}{chr(34)}" if s.state else ""} r:id="rId{i}"/>'
        for i, s in enumerate(sheets, 1)
    )
    pr = '<workbookPr date1904="1"/>' if date1904 else "<workbookPr/>"
    workbook = (
        f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<workbook xmlns="{NS}" xmlns:r="{REL_NS}">'
        f"{pr}<bookViews><workbookView/></bookViews><sheets>{sheet_entries}</sheets></workbook>"
    )
    n = len(sheets)
    rels = [f'<Relationship Id="rId{i}" Type="{REL_SHEET}" Target="worksheets/sheet{i}.xml"/>' for i in range(1, n + 1)]
    rels.append(f'<Relationship Id="rId{n + 1}" Type="{REL_STYLES}" Target="styles.xml"/>')
    if macro is not None:
        rels.append(f'<Relationship Id="rId{n + 2}" Type="http://schemas.microsoft.com/office/2006/relationships/vbaProject" Target="vbaProject.bin"/>')
    wb_rels = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">' + "".join(rels) + "</Relationships>"
    )
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=level) as zf:
        zf.writestr("[Content_Types].xml", content_types)
        zf.writestr("_rels/.rels", root_rels)
        zf.writestr("xl/workbook.xml", workbook)
        zf.writestr("xl/_rels/workbook.xml.rels", wb_rels)
        zf.writestr("xl/styles.xml", STYLES)
        for i, s in enumerate(sheets, 1):
            name = f"xl/worksheets/sheet{i}.xml"
            if s.stream is not None:
                info = zipfile.ZipInfo(name, date_time=(2026, 1, 1, 0, 0, 0))
                info.compress_type = zipfile.ZIP_DEFLATED
                info._compresslevel = level  # zipfile ignores the archive's level for open("w")
                # No zip64: members stay under 2 GiB, and lie_about_size needs plain headers.
                with zf.open(info, "w") as fh:
                    s.stream(fh.write)
            else:
                zf.writestr(name, s.xml)
        if macro is not None:
            zf.writestr("xl/vbaProject.bin", macro)
    return path


def lie_about_size(path: Path, member: str, fake_size: int) -> None:
    """Rewrite the uncompressed size a zip declares for ``member`` (local header and central directory).

    Only for members written without zip64 extras and without a data descriptor.
    """
    data = bytearray(path.read_bytes())
    with zipfile.ZipFile(path) as zf:
        info = zf.getinfo(member)
    off = info.header_offset
    assert data[off:off + 4] == b"PK\x03\x04" and not info.flag_bits & 0x08
    struct.pack_into("<I", data, off + 22, fake_size)
    eocd = data.rfind(b"PK\x05\x06")
    entries, _size, cd = struct.unpack_from("<HII", data, eocd + 10)
    for _ in range(entries):
        assert data[cd:cd + 4] == b"PK\x01\x02"
        name_len, extra_len, comment_len = struct.unpack_from("<HHH", data, cd + 28)
        if bytes(data[cd + 46:cd + 46 + name_len]).decode() == member:
            struct.pack_into("<I", data, cd + 24, fake_size)
            break
        cd += 46 + name_len + extra_len + comment_len
    else:
        raise ValueError(f"{member} not in central directory")
    path.write_bytes(bytes(data))


def patch_member(path: Path, member: str, edit) -> Path:
    """Rewrite one part of a package through ``edit(bytes) -> bytes``, keeping the others."""
    with zipfile.ZipFile(path) as zf:
        parts = [(i, zf.read(i.filename)) for i in zf.infolist()]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for info, body in parts:
            zf.writestr(info, edit(body) if info.filename == member else body)
    return path
