"""Hand-made OpenDocument spreadsheets for tests: what LibreOffice writes, reduced to what
a reader needs (mimetype first and stored, manifest, content.xml), so that a test can
put exactly the XML it means into content.xml — a repeat count, an entity, an error
cell, a formula without a value.

``ods_bytes({"目标管理": rows_xml}, …)``: ``rows_xml`` is the XML of the table's rows;
:func:`rows_xml` makes it from plain values (str, int/float, :class:`OdsCell` for any
attributes and body of one's own).
"""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass
from html import escape
from pathlib import Path

MIMETYPE = "application/vnd.oasis.opendocument.spreadsheet"
NS = ('xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
      'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
      'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" '
      'xmlns:calcext="urn:org:documentfoundation:names:experimental:calc:xmlns:calcext:1.0" '
      'xmlns:of="urn:oasis:names:tc:opendocument:xmlns:of:1.2"')
MANIFEST = ('<?xml version="1.0" encoding="UTF-8"?>\n'
            '<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.3">'
            '<manifest:file-entry manifest:full-path="/" manifest:media-type="{mime}"/>'
            '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml">{enc}</manifest:file-entry>'
            '</manifest:manifest>')
ENCRYPTION = ('<manifest:encryption-data manifest:checksum-type="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0#sha256-1k" '
              'manifest:checksum="AAAA"><manifest:algorithm manifest:algorithm-name="http://www.w3.org/2001/04/xmlenc#aes256-cbc" '
              'manifest:initialisation-vector="AAAA"/></manifest:encryption-data>')


@dataclass(frozen=True)
class OdsCell:
    """One cell's own attributes and body: ``OdsCell('office:value-type="float" office:value="1"')``."""

    attrs: str
    body: str = ""


def cell_xml(v) -> str:
    if isinstance(v, OdsCell):
        return f"<table:table-cell {v.attrs}>{v.body}</table:table-cell>" if v.body else f"<table:table-cell {v.attrs}/>"
    if v is None or v == "":
        return "<table:table-cell/>"
    if isinstance(v, (int, float)) and not isinstance(v, bool):
        return (f'<table:table-cell office:value-type="float" office:value="{v}" calcext:value-type="float">'
                f"<text:p>{v}</text:p></table:table-cell>")
    return (f'<table:table-cell office:value-type="string" calcext:value-type="string"><text:p>{escape(str(v), quote=False)}'
            "</text:p></table:table-cell>")


def rows_xml(rows: list[list]) -> str:
    return "".join("<table:table-row>" + "".join(cell_xml(v) for v in r) + "</table:table-row>" for r in rows)


def content_xml(tables: dict[str, str], prolog: str = "") -> str:
    body = "".join(f'<table:table table:name="{escape(name)}">{rows}</table:table>' for name, rows in tables.items())
    return (f'<?xml version="1.0" encoding="UTF-8"?>\n{prolog}<office:document-content {NS} office:version="1.3">'
            f"<office:body><office:spreadsheet>{body}</office:spreadsheet></office:body></office:document-content>")


def ods_bytes(tables: dict[str, str], *, prolog: str = "", mimetype: str = MIMETYPE, encrypted: bool = False,
              content: bytes | None = None) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr(zipfile.ZipInfo("mimetype"), mimetype, compress_type=zipfile.ZIP_STORED)
        z.writestr("META-INF/manifest.xml", MANIFEST.format(mime=mimetype, enc=ENCRYPTION if encrypted else ""))
        z.writestr("content.xml", content if content is not None else content_xml(tables, prolog).encode())
    return out.getvalue()


def write_ods(path: Path, tables: dict[str, str], **kw) -> Path:
    path.write_bytes(ods_bytes(tables, **kw))
    return path
