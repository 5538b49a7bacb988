"""What an OpenDocument spreadsheet's content.xml holds, learnt before calamine sees it.

calamine parses every sheet of an .ods when the workbook is opened, expanding
``table:number-columns-repeated`` and ``table:number-rows-repeated`` into real cells:
one ``<table:table-cell office:value="1" table:number-columns-repeated="16384"/>`` in a
row repeated a million times is 17 billion cells, and the process aborts. This scan
runs over the same inflated chunks as :func:`.xlsxscan.scan_package` (sizes checked,
DTDs refused) and notes per sheet, in calamine's own terms:

- the extent (last row and column holding a value, repeats counted) and the number
  of cells with a value, so that :mod:`.workbook` refuses an absurd sheet up front;
- error cells (``calcext:value-type="error"``: calamine reads them as ``""``), kept
  with their text (``#DIV/0!``);
- formula cells without a value (``table:formula`` and no ``office:*value``);
- merged ranges (``table:number-rows-spanned`` / ``number-columns-spanned``), which
  calamine does not report for .ods;
- any cell whose XML runs past :data:`.xlsxscan.CELL_LIMIT` bytes (TooLongText).

Cells count as holding a value exactly as calamine decides: an ``office:value``,
``office:string-value``, ``office:date-value``, ``office:time-value`` or
``office:boolean-value`` attribute, ``office:value-type="string"``, or a formula.
"""

from __future__ import annotations

import html
import re

from .xlsxscan import CELL_LIMIT, SheetFacts, TooLongText, UnsafePackage, _check_length

CONTENT = "content.xml"
MIMETYPE = b"application/vnd.oasis.opendocument.spreadsheet"  # "-template" follows for .ots

_TOKEN = re.compile(
    rb"<table:table(?=[\s/>])([^>]*?)(/?)>|</table:table>"
    rb"|<table:table-row(?=[\s/>])([^>]*?)(?:/>|>(.*?)</table:table-row>)",
    re.S,
)
_CELL = re.compile(
    rb"<table:(?:covered-)?table-cell(?=[\s/>])([^>]*?)(?:/>|>(.*?)</table:(?:covered-)?table-cell>)", re.S)
_NAME = re.compile(rb'\btable:name="([^"]*)"')
_ROWS_REP = re.compile(rb'\btable:number-rows-repeated="([^"]*)"')
_COLS_REP = re.compile(rb'\btable:number-columns-repeated="([^"]*)"')
_ROWS_SPAN = re.compile(rb'\btable:number-rows-spanned="([^"]*)"')
_COLS_SPAN = re.compile(rb'\btable:number-columns-spanned="([^"]*)"')
_VALUE = re.compile(rb'\boffice:(?:value|string-value|date-value|time-value|boolean-value)=')
_VALUED = re.compile(rb'\boffice:(?:value|string-value|date-value|time-value|boolean-value)=|'
                     rb'\boffice:value-type="string"|\btable:formula=')
_ERROR = re.compile(rb'\bcalcext:value-type="error"')
_STRING = re.compile(rb'\boffice:value-type="string"')
_ANNOTATION = re.compile(rb"<office:annotation\b.*?</office:annotation>", re.S)
_P = re.compile(rb"<text:p\b[^>]*>(.*?)</text:p>", re.S)
_TAGS = re.compile(rb"<[^>]*>")

# A row holding any of these is looked at cell by cell (as is one with repeats before
# its last value); others take the fast path.
_ERR_TEXT = b'calcext:value-type="error"'
_DETAILS = (b"table:formula", b"calcext:value-type=\"error\"", b"spanned")

_CELL_STARTS = (b"<table:table-cell", b"<table:covered-table-cell")
_CELL_STOPS = _CELL_STARTS + (b"<table:table-row", b"</table:table-row>", b"</table:table>")


def _count(rx: re.Pattern, attrs: bytes, default: int = 1) -> int:
    m = rx.search(attrs)
    if not m:
        return default
    try:
        n = int(m.group(1))
    except ValueError:
        raise UnsafePackage("corrupt", f"{CONTENT}: {m.group(0).decode('utf-8', 'replace')}") from None
    if n < 1:
        raise UnsafePackage("corrupt", f"{CONTENT}: {m.group(0).decode('utf-8', 'replace')}")
    return n


def _text(body: bytes) -> str:
    body = _ANNOTATION.sub(b"", body)
    p = _P.search(body)
    raw = _TAGS.sub(b"", p.group(1)) if p else b""
    return html.unescape(raw.decode("utf-8", "replace")).strip()


class OdsScan:
    """Fed content.xml's inflated pieces in order; ``facts`` maps sheet name → SheetFacts."""

    def __init__(self) -> None:
        self.facts: dict[str, SheetFacts] = {}
        self.order: list[str] = []
        self._sheet: SheetFacts | None = None
        self._name = ""
        self._row = 0
        self._carry = b""

    def feed(self, piece: bytes) -> None:
        buf = self._carry + piece
        try:
            _check_length(buf, CONTENT, _CELL_STARTS, _CELL_STOPS)
        except TooLongText as e:
            raise self._named(buf, e.size) from None
        ends = [p + len(m) for m in (b"</table:table-row>", b"</table:table>") if (p := buf.rfind(m)) >= 0]
        cut = max(ends, default=0)
        self._block(buf[:cut])
        self._carry = buf[cut:]

    def close(self) -> None:
        self._block(self._carry)
        self._carry = b""

    def _named(self, buf: bytes, size: int) -> TooLongText:
        """The too-long cell with its place (sheet and ``C7``): the rows before its row are
        scanned first, then the cells of its row before it are counted."""
        p = 0
        while True:
            nxt = [q for q in (buf.find(s, p + 1) for s in _CELL_STOPS) if q >= 0]
            q = min(nxt, default=len(buf))
            if buf.startswith(_CELL_STARTS, p) and q - p > CELL_LIMIT:
                break
            if not nxt:
                return TooLongText(CONTENT, size, ref="")
            p = q
        row_start = max(buf.rfind(b"<table:table-row", 0, p), 0)
        self._block(buf[:row_start])
        col = sum(_count(_COLS_REP, m.group(1)) for m in _CELL.finditer(buf, row_start, p))
        from .workbook import col_letter  # workbook imports this module

        return TooLongText(CONTENT, size, ref=f"{col_letter(col)}{self._row + 1}", sheet=self._name)

    def _block(self, buf: bytes) -> None:
        """Whole rows and tables. Split at the rows' ends (fast, in C); a piece that holds
        just one row's start goes straight to :meth:`_rowel`, anything else (a table's
        start or end, self-closing rows) through the token regex."""
        pieces = buf.split(b"</table:table-row>")
        last = len(pieces) - 1
        for i, piece in enumerate(pieces):
            if i < last:
                s = piece.find(b"<table:table-row")
                if s >= 0 and piece.find(b"<table:table", 0, s) < 0 and piece.find(b"</table:table>", 0, s) < 0 \
                        and piece.find(b"<table:table-row", s + 16) < 0:
                    e = piece.find(b">", s)
                    if e > 0 and piece[e - 1] != 0x2F and piece[s + 16] in b" \t\r\n>":  # not "/>"
                        self._rowel(piece[s + 16 : e], piece[e + 1 :])
                        continue
                piece += b"</table:table-row>"
            self._tokens(piece)

    def _tokens(self, buf: bytes) -> None:
        for m in _TOKEN.finditer(buf):
            if m.group(0).startswith(b"</table:table>"):
                self._sheet = None
                continue
            if m.group(0).startswith(b"<table:table-row"):
                self._rowel(m.group(3), m.group(4))
                continue
            name = _NAME.search(m.group(1))
            self._name = html.unescape(name.group(1).decode("utf-8", "replace")) if name else ""
            self._sheet = SheetFacts()
            self._row = 0
            if self._name not in self.facts:
                self.order.append(self._name)
            self.facts[self._name] = self._sheet
            if m.group(2):  # <table:table/>: no rows
                self._sheet = None

    def _rowel(self, attrs: bytes, body: bytes | None) -> None:
        sf = self._sheet
        rep = _count(_ROWS_REP, attrs) if b"repeated" in attrs else 1
        if sf is None or not body or _VALUED.search(body) is None:
            self._row += rep
            return
        fast = b"table:formula" not in body and b"spanned" not in body and _ERR_TEXT not in body
        if fast:
            # The common row: the last cell holding a value, found from the end (past the
            # empty, repeated cells LibreOffice ends rows with); when no repeat comes before
            # it, its column is the number of cells before it. A few C-level scans per row.
            p = len(body)
            while True:
                q = max(body.rfind(b"<table:table-cell", 0, p), body.rfind(b"<table:covered-table-cell", 0, p))
                if q < 0 or _VALUED.search(body, q, p) is not None:
                    break
                p = q
            fast = q >= 0 and body.find(b"repeated", 0, p) < 0
        if fast:
            last = body.count(b"<table:table-cell", 0, q) + body.count(b"<table:covered-table-cell", 0, q)
            cells = min(body.count(b"office:value-type=") or 1, last + 1)
        else:
            col, last, cells = 0, -1, 0
            for c in _CELL.finditer(body):
                a = c.group(1)
                crep = _count(_COLS_REP, a) if b"repeated" in a else 1
                if _VALUED.search(a) is not None:
                    cells += crep
                    last = col + crep - 1
                    if rep * crep <= 1_000_000 and any(w in a for w in _DETAILS):
                        # beyond a million cells the extent refuses the sheet anyway
                        self._details(sf, a, c.group(2) or b"", self._row, rep, col, crep)
                col += crep
        if last >= 0:
            sf.max_row = max(sf.max_row, self._row + rep - 1)
            sf.max_col = max(sf.max_col, last)
            sf.cells += cells * rep
        self._row += rep

    @staticmethod
    def _details(sf: SheetFacts, a: bytes, body: bytes, row: int, rep: int, col: int, crep: int) -> None:
        places = [(r, c) for r in range(row, row + rep) for c in range(col, col + crep)]
        if _ERROR.search(a) is not None:
            text = _text(body) or "#ERROR"
            for pos in places:
                sf.errors[pos] = text
        elif b"table:formula=" in a and _VALUE.search(a) is None:
            # no saved value: calamine gives "" (or the text of a string cell, when it has any)
            if not (_STRING.search(a) is not None and _text(body)):
                for pos in places:
                    sf.formulas[pos] = False
        if b"spanned=" in a:
            rs, cs = _count(_ROWS_SPAN, a), _count(_COLS_SPAN, a)
            if rs > 1 or cs > 1:
                for r, c in places:
                    sf.merged.append(((r, c), (r + rs - 1, c + cs - 1)))
