"""The I/O floor of a run: read the inputs' cells, write the result's cells, nothing else.

    python bench/floor.py RECIPE.pkl INPUT_DIR OUT.xlsx [--threads T]  (prints one JSON line)

- **Read**: every sheet of every workbook in INPUT_DIR through python-calamine
  (``to_python()``, the fastest way to all cell values), timed twice: one file after
  another on one core (the *single-core floor*), and the files spread over a pool of T
  threads (default ``os.cpu_count()``; the *multi-core floor*). calamine releases the
  GIL while it parses a sheet, so threads overlap the parsing; building the Python
  values takes the GIL. The biggest files go first so that no large file starts last.
  The two reads alternate order (``--parallel-first``) across repeats.
- **Write**: the cells of a result workbook the engine wrote, written again with
  xlsxwriter's public API, timed: same sheets (hidden 参数 too), rows, columns, values,
  formulas with their saved values, cell formats, column widths and formats, frozen
  panes, autofilters and defined names — and no scoring. The result is turned into a
  *recipe* once, untimed (:func:`extract`, a streaming parse of the package's XML).
  Left out, as small beside the cells: conditional formats, data validations, charts,
  merged ranges, row heights, print setup and document properties.

One typed call per cell (``write_number``, ``write_string``, ``write_formula`` with its
value …), with shared strings like the engine's result (``--constant-memory`` streams
rows with inline strings instead: no faster on these workbooks, measured). Formulas
skip xlsxwriter's rewriting of Excel 365 function names, as the engine's writer does:
that is string work, not I/O, and would only make the floor slower.
"""

from __future__ import annotations

import argparse
import json
import os
import pickle
import re
import sys
import time
import zipfile
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from xml.etree.ElementTree import iterparse

NS = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
RNS = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
PKG_RNS = "{http://schemas.openxmlformats.org/package/2006/relationships}"

# Cell kinds in a recipe.
NUM, STR, FORMULA, BLANK, BOOL = range(5)


@dataclass
class SheetRecipe:
    name: str
    hidden: bool = False
    cols: list[tuple[int, int, float, bool, int | None]] = field(default_factory=list)  # first, last, width, hidden, style
    freeze: tuple[int, int] | None = None  # (row, col)
    autofilter: tuple[int, int, int, int] | None = None
    # One tuple per cell, in row order: (row, col, kind, value, formula, style index or None).
    cells: list[tuple] = field(default_factory=list)


@dataclass
class Recipe:
    sheets: list[SheetRecipe]
    formats: list[dict]  # cellXfs index → xlsxwriter format properties
    names: list[tuple[str, str]]  # defined names (not the _xlnm built-ins)
    active: int = 0


# --- extract (untimed) ---------------------------------------------------------------------

_CELL_REF = re.compile(r"([A-Z]+)(\d+)")


def _col_index(letters: str) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + ord(ch) - 64
    return n - 1


def _ref(ref: str) -> tuple[int, int]:
    m = _CELL_REF.match(ref.replace("$", ""))
    return int(m.group(2)) - 1, _col_index(m.group(1))


def _formats(z: zipfile.ZipFile) -> list[dict]:
    """styles.xml cellXfs → xlsxwriter format properties (number format, font, fill, border, alignment)."""
    root = _parse(z, "xl/styles.xml")
    codes = {int(n.get("numFmtId")): n.get("formatCode") for n in root.iter(f"{NS}numFmt")}
    fonts = []
    for f in root.find(f"{NS}fonts"):
        p: dict = {}
        if f.find(f"{NS}b") is not None:
            p["bold"] = True
        if f.find(f"{NS}i") is not None:
            p["italic"] = True
        if (sz := f.find(f"{NS}sz")) is not None:
            p["font_size"] = float(sz.get("val"))
        if (c := f.find(f"{NS}color")) is not None and c.get("rgb"):
            p["font_color"] = "#" + c.get("rgb")[-6:]
        if (nm := f.find(f"{NS}name")) is not None:
            p["font_name"] = nm.get("val")
        fonts.append(p)
    fills = []
    for f in root.find(f"{NS}fills"):
        pf = f.find(f"{NS}patternFill")
        fg = pf.find(f"{NS}fgColor") if pf is not None else None
        fills.append({"bg_color": "#" + fg.get("rgb")[-6:]} if fg is not None and fg.get("rgb") else {})
    borders = []
    for b in root.find(f"{NS}borders"):
        p = {}
        for side in ("left", "right", "top", "bottom"):
            e = b.find(f"{NS}{side}")
            if e is not None and e.get("style"):
                p[side] = 1
        borders.append(p)
    out = []
    for xf in root.find(f"{NS}cellXfs"):
        p = {}
        num = int(xf.get("numFmtId", 0))
        if num:
            p["num_format"] = codes.get(num, num)
        p.update(fonts[int(xf.get("fontId", 0))])
        p.update(fills[int(xf.get("fillId", 0))])
        p.update(borders[int(xf.get("borderId", 0))])
        if (al := xf.find(f"{NS}alignment")) is not None:
            if al.get("wrapText") == "1":
                p["text_wrap"] = True
            if al.get("horizontal"):
                p["align"] = al.get("horizontal")
            if al.get("vertical"):
                p["valign"] = {"center": "vcenter"}.get(al.get("vertical"), al.get("vertical"))
        out.append(p)
    return out


def _parse(z: zipfile.ZipFile, name: str):
    from xml.etree.ElementTree import fromstring

    return fromstring(z.read(name))


def _shared_strings(z: zipfile.ZipFile) -> list[str]:
    if "xl/sharedStrings.xml" not in z.namelist():
        return []
    out = []
    for si in _parse(z, "xl/sharedStrings.xml").iter(f"{NS}si"):
        out.append("".join(t.text or "" for t in si.iter(f"{NS}t")))
    return out


def _sheet(z: zipfile.ZipFile, part: str, sheet: SheetRecipe, sst: list[str]) -> None:
    cells = sheet.cells
    with z.open(part) as fh:
        for _, el in iterparse(fh, events=("end",)):
            tag = el.tag
            if tag == f"{NS}c":
                r, c = _ref(el.get("r"))
                s = el.get("s")
                style = int(s) if s is not None else None
                t = el.get("t")
                f = el.find(f"{NS}f")
                v = el.find(f"{NS}v")
                text = v.text if v is not None else None
                if f is not None:
                    if f.get("t") == "shared":
                        raise ValueError(f"{sheet.name}!{el.get('r')}: shared formulas are not expected")
                    if t in ("str", "s"):
                        value = text or ""
                    elif t == "b":
                        value = bool(int(text))
                    else:
                        value = float(text) if text else 0
                    cells.append((r, c, FORMULA, value, "=" + (f.text or ""), style))
                elif t == "s":
                    cells.append((r, c, STR, sst[int(text)], None, style))
                elif t == "inlineStr":
                    cells.append((r, c, STR, "".join(x.text or "" for x in el.iter(f"{NS}t")), None, style))
                elif t == "b":
                    cells.append((r, c, BOOL, bool(int(text)), None, style))
                elif text is None:
                    cells.append((r, c, BLANK, None, None, style))
                else:
                    cells.append((r, c, NUM, float(text), None, style))
                el.clear()
            elif tag == f"{NS}row":
                el.clear()
            elif tag == f"{NS}col":
                sheet.cols.append((int(el.get("min")) - 1, int(el.get("max")) - 1, float(el.get("width", 8.43)),
                                   el.get("hidden") == "1", int(el.get("style")) if el.get("style") else None))
            elif tag == f"{NS}pane" and el.get("state") == "frozen":
                sheet.freeze = (int(float(el.get("ySplit", 0))), int(float(el.get("xSplit", 0))))
            elif tag == f"{NS}autoFilter":
                a, b = el.get("ref").split(":")
                sheet.autofilter = (*_ref(a), *_ref(b))


def extract(result: Path) -> Recipe:
    """A result workbook → what the floor writes again (sheets, cells, formats, names)."""
    with zipfile.ZipFile(result) as z:
        wb = _parse(z, "xl/workbook.xml")
        rels = {r.get("Id"): r.get("Target") for r in _parse(z, "xl/_rels/workbook.xml.rels").iter(f"{PKG_RNS}Relationship")}
        sst = _shared_strings(z)
        sheets = []
        for s in wb.find(f"{NS}sheets"):
            target = rels[s.get(f"{RNS}id")].lstrip("/")
            part = target if target.startswith("xl/") else "xl/" + target
            sheet = SheetRecipe(s.get("name"), hidden=s.get("state") in ("hidden", "veryHidden"))
            _sheet(z, part, sheet, sst)
            sheets.append(sheet)
        names = [(d.get("name"), "=" + d.text) for d in wb.iter(f"{NS}definedName")
                 if not d.get("name").startswith("_xlnm")]
        view = wb.find(f"{NS}bookViews/{NS}workbookView")
        active = int(view.get("activeTab", 0)) if view is not None else 0
        return Recipe(sheets, _formats(z), names, active)


# --- the timed parts -----------------------------------------------------------------------


def workbooks(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*") if p.suffix.lower() in (".xlsx", ".xlsm", ".xls"))


def read_file(path: Path, sink=None) -> int:
    """Every cell value of every sheet of one workbook; returns the cell count.

    ``sink(path, sheet, rows)``, when given, receives each sheet's values (the tests)."""
    from python_calamine import CalamineWorkbook

    cells = 0
    wb = CalamineWorkbook.from_path(str(path))
    for name in wb.sheet_names:
        rows = wb.get_sheet_by_name(name).to_python()
        cells += sum(len(r) for r in rows)
        if sink is not None:
            sink(path, name, rows)
    wb.close()
    return cells


def read_inputs(folder: Path, threads: int = 1, sink=None) -> int:
    """Every cell value of every sheet of every workbook in the folder; returns the cell count.

    threads > 1 reads the files concurrently, biggest first, on a pool of that many threads."""
    paths = workbooks(folder)
    if threads <= 1:
        return sum(read_file(p, sink) for p in paths)
    paths.sort(key=lambda p: p.stat().st_size, reverse=True)
    with ThreadPoolExecutor(max_workers=threads) as pool:
        return sum(pool.map(lambda p: read_file(p, sink), paths))


def _plain_sheet_class():
    from xlsxwriter.worksheet import Worksheet

    class PlainFormulas(Worksheet):
        """Formulas written as given: xlsxwriter's rewrite of Excel 365 function names
        (~30 regular expressions per formula) is string work, not I/O, and the engine's
        formulas use Excel 2010 functions only — so the floor does not pay for it."""

        def _prepare_formula(self, formula, expand_future_functions=False):
            return formula[1:] if formula.startswith("=") else formula

    return PlainFormulas


def write(recipe: Recipe, out: Path, constant_memory: bool = False) -> int:
    """Write the recipe's cells with xlsxwriter, one typed call per cell; returns the cell count."""
    from xlsxwriter import Workbook

    sheet_class = _plain_sheet_class()

    book = Workbook(str(out), {"constant_memory": constant_memory, "strings_to_formulas": False,
                               "strings_to_urls": False, "strings_to_numbers": False,
                               "nan_inf_to_errors": False})
    formats = [book.add_format(p) for p in recipe.formats]
    n = 0
    for i, sheet in enumerate(recipe.sheets):
        ws = book.add_worksheet(sheet.name, worksheet_class=sheet_class)
        for first, last, width, hidden, style in sheet.cols:
            ws.set_column(first, last, width, formats[style] if style is not None else None,
                          {"hidden": True} if hidden else None)
        write_number, write_string, write_formula = ws.write_number, ws.write_string, ws.write_formula
        write_blank, write_boolean = ws.write_blank, ws.write_boolean
        for r, c, kind, value, formula, style in sheet.cells:
            fmt = formats[style] if style is not None else None
            if kind == NUM:
                rc = write_number(r, c, value, fmt)
            elif kind == STR:
                rc = write_string(r, c, value, fmt)
            elif kind == FORMULA:
                rc = write_formula(r, c, formula, fmt, value)
            elif kind == BOOL:
                rc = write_boolean(r, c, value, fmt)
            else:
                rc = write_blank(r, c, None, fmt)
            if rc not in (0, None):
                raise ValueError(f"xlsxwriter refused {sheet.name} row {r + 1} col {c + 1} (code {rc})")
        n += len(sheet.cells)
        if sheet.freeze:
            ws.freeze_panes(*sheet.freeze)
        if sheet.autofilter:
            ws.autofilter(*sheet.autofilter)
        if sheet.hidden:
            ws.hide()
        if i == recipe.active:
            ws.activate()
    for name, ref in recipe.names:
        book.define_name(name, ref)
    book.close()
    return n


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description="Time the I/O floor: calamine read + xlsxwriter write.")
    p.add_argument("recipe", type=Path)
    p.add_argument("inputs", type=Path)
    p.add_argument("out", type=Path)
    p.add_argument("--constant-memory", action="store_true", help="stream rows with inline strings")
    p.add_argument("--threads", type=int, default=0,
                   help="threads of the multi-core read (default: os.cpu_count())")
    p.add_argument("--parallel-first", action="store_true", help="time the multi-core read before the single-core one")
    args = p.parse_args(argv)
    threads = args.threads or os.cpu_count() or 1
    with open(args.recipe, "rb") as fh:
        recipe = pickle.load(fh)
    timed: dict[str, tuple[float, float, int]] = {}

    def read(mode: str) -> None:
        t, c = time.perf_counter(), time.process_time()
        cells = read_inputs(args.inputs, threads=1 if mode == "single" else threads)
        timed[mode] = (time.perf_counter() - t, time.process_time() - c, cells)

    for mode in (("multi", "single") if args.parallel_first else ("single", "multi")):
        read(mode)
    if timed["single"][2] != timed["multi"][2]:
        raise RuntimeError(f"the threaded read saw {timed['multi'][2]} cells, the sequential one {timed['single'][2]}")
    t, c = time.perf_counter(), time.process_time()
    cells_written = write(recipe, args.out, constant_memory=args.constant_memory)
    write_s, write_cpu = time.perf_counter() - t, time.process_time() - c
    print(json.dumps({
        "read": timed["single"][0], "write": write_s, "cpu": timed["single"][1] + write_cpu,
        "read_mc": timed["multi"][0], "cpu_mc": timed["multi"][1] + write_cpu, "threads": threads,
        "cells_read": timed["single"][2], "cells_written": cells_written}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
