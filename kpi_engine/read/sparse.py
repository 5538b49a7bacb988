"""A small streaming reader for sheets too sparse for a dense range.

calamine builds a dense rectangle from A1 to the last cell: one stray character in
XFD1048576 makes that 17 billion cells and the process aborts. Such sheets (rare, and
detected by :mod:`.xlsxscan` before calamine sees them) are read here cell by cell and
kept as a compact grid of only the rows and columns that hold something. The parts are
already checked (real sizes verified, no DTD), so the stdlib pull parser is safe here.
"""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from xml.etree.ElementTree import XMLPullParser

import numpy as np
from defusedxml import ElementTree as SafeET
from openpyxl.styles.numbers import BUILTIN_FORMATS, is_date_format

from .workbook import HEAD_ROWS
from .xlsxscan import member_chunks

NS = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
LIMIT = 2_000_000_000


def _stream(data: bytes, zf: zipfile.ZipFile, part: str):
    try:
        info = zf.getinfo(part)
    except KeyError:
        return
    parser = XMLPullParser(events=("end",))
    for piece in member_chunks(data, info, LIMIT):
        parser.feed(piece)
        yield from parser.read_events()
    parser.close()
    yield from parser.read_events()


def _shared_strings(data: bytes, zf: zipfile.ZipFile) -> list[str]:
    out = []
    for _ev, el in _stream(data, zf, "xl/sharedStrings.xml"):
        if el.tag == f"{NS}si":
            # Phonetic runs (<rPh>) are not part of the text.
            out.append("".join(t.text or "" for t in el.iter(f"{NS}t") if t not in _phonetic(el)))
            el.clear()
    return out


def _phonetic(si) -> set:
    return {t for ph in si.iter(f"{NS}rPh") for t in ph.iter(f"{NS}t")}


def _date_styles(zf: zipfile.ZipFile) -> list[bool]:
    try:
        root = SafeET.fromstring(zf.read("xl/styles.xml"))
    except KeyError:
        return []
    custom = {int(n.get("numFmtId")): n.get("formatCode", "") for n in root.iter(f"{NS}numFmt")}
    xfs = root.find(f"{NS}cellXfs")
    out = []
    for xf in xfs if xfs is not None else ():
        fid = int(xf.get("numFmtId", "0"))
        code = custom.get(fid) or BUILTIN_FORMATS.get(fid, "General")
        out.append(is_date_format(code))
    return out


def _date1904(zf: zipfile.ZipFile) -> bool:
    root = SafeET.fromstring(zf.read("xl/workbook.xml"))
    pr = root.find(f"{NS}workbookPr")
    return pr is not None and pr.get("date1904") in ("1", "true")


def _serial_to_date(v: float, date1904: bool):
    if date1904:
        base = dt.datetime(1904, 1, 1)
    elif v < 60:
        base = dt.datetime(1899, 12, 31)
    elif v < 61:
        return dt.date(1900, 2, 28)  # serial 60 is 1900-02-29, a day that never was (as calamine)
    else:
        base = dt.datetime(1899, 12, 30)
    d = base + dt.timedelta(days=v)
    return d.date() if d.time() == dt.time(0) else d


def _col(letters: str) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + ord(ch) - 64
    return n - 1


def read_sparse(data: bytes, part: str, head_only: bool = False):
    """(cells, rows, cols): a compact object grid and the sheet positions of its rows/columns."""
    zf = zipfile.ZipFile(io.BytesIO(data))
    with zf:
        sst = _shared_strings(data, zf)
        dates = _date_styles(zf)
        d1904 = _date1904(zf)
        values: dict[tuple[int, int], object] = {}
        merges = []
        for _ev, el in _stream(data, zf, part):
            tag = el.tag
            if tag == f"{NS}c":
                ref = el.get("r", "")
                letters = ref.rstrip("0123456789")
                if not letters:
                    el.clear()
                    continue
                r, c = int(ref[len(letters):]) - 1, _col(letters)
                if head_only and r >= HEAD_ROWS:
                    break
                v = _value(el, sst, dates, d1904)
                if v != "":
                    values[(r, c)] = v
                el.clear()
            elif tag == f"{NS}row":
                el.clear()
            elif tag == f"{NS}mergeCell":
                merges.append(el.get("ref", ""))
    rows = np.array(sorted({r for r, _ in values}), dtype=np.int64)
    cols = np.array(sorted({c for _, c in values}), dtype=np.int64)
    cells = np.full((len(rows), len(cols)), "", dtype=object)
    ri = {int(r): i for i, r in enumerate(rows)}
    ci = {int(c): j for j, c in enumerate(cols)}
    for (r, c), v in values.items():
        cells[ri[r], ci[c]] = v
    for ref in merges:
        _fill(cells, ri, ci, values, ref)
    return cells, rows, cols


def _value(el, sst, dates, d1904):
    t = el.get("t", "n")
    if t == "inlineStr":
        is_ = el.find(f"{NS}is")
        return "".join(x.text or "" for x in is_.iter(f"{NS}t")) if is_ is not None else ""
    v = el.find(f"{NS}v")
    text = v.text if v is not None and v.text is not None else ""
    if text == "":
        return ""
    if t == "s":
        i = int(text)
        return sst[i] if 0 <= i < len(sst) else ""
    if t in ("str", "e"):
        return text
    if t == "b":
        return text.strip() in ("1", "true")
    try:
        num = float(text)
    except ValueError:
        return text
    s = int(el.get("s", "0"))
    if 0 <= s < len(dates) and dates[s]:
        return _serial_to_date(num, d1904)
    return num


def _fill(cells, ri, ci, values, ref: str) -> None:
    if ":" not in ref:
        return
    a, b = ref.split(":")
    la, lb = a.rstrip("0123456789"), b.rstrip("0123456789")
    r1, c1 = int(a[len(la):]) - 1, _col(la)
    r2, c2 = int(b[len(lb):]) - 1, _col(lb)
    v = values.get((r1, c1), "")
    for r, i in ri.items():
        if r1 <= r <= r2:
            for c, j in ci.items():
                if c1 <= c <= c2:
                    cells[i, j] = v
