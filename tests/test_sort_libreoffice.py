"""Sorting and filtering the result workbook like a user keeps every figure on its own person.

README, "The result workbook": totals, grades, ranks and statuses are live formulas. Issue
11, item 1: a sort through the autofilter drop-down moves only the filter's columns, so a
formula that reads a column outside the filter (a hidden key, a parameter, a threshold)
pairs one person's row with another person's data. Here a user's sorts and filters are
done with openpyxl as a spreadsheet does them (tests/sorting.py), LibreOffice recalculates
(tests/libreoffice.py), and every figure, found by 工号 (and 指标) wherever the sort put
it, must be the engine's. Nothing assumes the header is row 1 or a column's letter: the
header row is the autofilter's first row and columns are found by their header text.
"""

from __future__ import annotations

import math
import numbers
from collections import Counter
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from openpyxl.workbook import Workbook

from kpi_engine import vocab
from kpi_engine.data import Outcome, Results
from kpi_engine.write import labels as lb
from kpi_engine.write.workbook import write_workbook

from . import libreoffice as lo
from . import outcome_fixture as fx
from . import sorting as so

CREATED = datetime(2026, 4, 1, 9, 30)
LABELS = {"summary": lb.SUMMARY, "scores": lb.SCORES, "monthly": lb.MONTHLY, "teams": lb.TEAMS}
SUMMARY_FIGURES = ("total", "grade", "team_rank", "overall_rank", "met", "near", "below", "nodata")


def needs_libreoffice(test):
    """libreoffice and slow, per test: the static checks in this file need neither."""
    return pytest.mark.libreoffice(pytest.mark.slow(test))


def _blank(value: object) -> object:
    """The engine's value as the cell shows it: NaN/NA blank, numpy scalars as Python's."""
    if value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value)):
        return None
    return value.item() if hasattr(value, "item") else value


def _same(want: object, got: object) -> bool:
    want = _blank(want)
    if want in (None, ""):
        return got in (None, "")
    if isinstance(want, numbers.Real) and isinstance(got, numbers.Real) and not isinstance(got, bool):
        return abs(want - got) < 1e-9
    return want == got


def _report(wrong: list[tuple]) -> str:
    """How many figures are wrong on each sheet, and the first of them."""
    per_sheet = Counter(w[0] for w in wrong)
    lines = [f"  {sheet} {key} {header}: want {_blank(want)!r}, got {got!r}"
             for sheet, key, header, want, got in wrong[:12]]
    return f"{len(wrong)} figures wrong ({dict(per_sheet)}); first:\n" + "\n".join(lines)


class Book:
    """The written workbook as a user has it open: its formulas, and the values it shows."""

    def __init__(self, outcome: Outcome, tmp_path: Path, lang: str):
        self.lang, self.tmp = lang, tmp_path
        path = tmp_path / "result.xlsx"
        write_workbook(outcome, path, lang=lang, created=CREATED)
        self.formulas = openpyxl.load_workbook(path)
        self.shown = openpyxl.load_workbook(path, data_only=True)

    def name(self, sheet: str) -> str:
        return lb.sheet_name(sheet, self.lang)

    def header(self, sheet: str, col: str) -> str:
        """A column's header text; a month column's header is its period."""
        return lb.label(LABELS[sheet], col, self.lang) if col in LABELS[sheet] else col

    def table(self, sheet: str) -> so.Table:
        return so.table(self.formulas[self.name(sheet)])

    def sort(self, sheet: str, col: str, descending: bool = False) -> None:
        name = self.name(sheet)
        moves = so.sort_rows(self.formulas[name], self.header(sheet, col), descending=descending,
                             shown=self.shown[name])
        assert any(new != old for new, old in moves.items()), f"sorting {name} by {col} moved nothing"

    def hide(self, sheet: str, col: str, hide: Callable[[object], bool]) -> list[int]:
        name = self.name(sheet)
        rows = so.hide_rows(self.formulas[name], self.header(sheet, col), hide, shown=self.shown[name])
        assert rows, f"the filter on {name} hid nothing"
        return rows

    def read(self, book: Workbook, sheet: str, keys: tuple[str, ...], cols: tuple[str, ...]) -> dict:
        """{key: {header: value}} of ``book``'s sheet, laid out as this book's sheet is."""
        t, ws = self.table(sheet), book[self.name(sheet)]
        heads = [self.header(sheet, c) for c in cols]
        return {key: {h: ws.cell(r, t.col(h)).value for h in heads}
                for key, r in so.row_index(ws, t, *(self.header(sheet, k) for k in keys)).items()}

    def wrong(self, book: Workbook, sheet: str, keys: tuple[str, ...], expected: dict) -> list[tuple]:
        """(sheet, key, header, want, got) of every figure of ``expected`` that ``book`` does not show."""
        cols = next(iter(expected.values())).keys()
        got = self.read(book, sheet, keys, tuple(cols))
        assert set(got) == set(expected), f"{self.name(sheet)}: rows {set(got) ^ set(expected)}"
        return [(self.name(sheet), key, self.header(sheet, col), want, got[key][self.header(sheet, col)])
                for key, figures in expected.items() for col, want in figures.items()
                if not _same(want, got[key][self.header(sheet, col)])]

    def recalculated(self) -> Workbook:
        """Save the sorted workbook and read back the values LibreOffice recalculates for it."""
        edited = self.tmp / "sorted.xlsx"
        self.formulas.save(edited)
        return openpyxl.load_workbook(lo.recalc(edited, self.tmp / "out"), data_only=True)

    # --- the engine's figures, per row key ---------------------------------------------

    def summary_wrong(self, book: Workbook, results: Results) -> list[tuple]:
        expected = {}
        for p in results.people.itertuples(index=False):
            grade = vocab.word(vocab.GRADES, p.grade, self.lang) if p.grade else None
            expected[(p.employee_id,)] = dict(zip(SUMMARY_FIGURES, (
                p.total_rounded, grade, p.team_rank, p.overall_rank, p.met, p.near, p.below, p.nodata)))
        return self.wrong(book, "summary", ("employee_id",), expected)

    def scores_wrong(self, book: Workbook, results: Results) -> list[tuple]:
        expected = {(s.employee_id, s.kpi): {
            "attainment": s.attainment, "score": s.score,
            "status": vocab.word(vocab.STATUSES, s.status or "nodata", self.lang)}
            for s in results.scores.itertuples(index=False)}
        return self.wrong(book, "scores", ("employee_id", "kpi"), expected)

    def thresholds(self) -> dict:
        """月度's 达标线/持平线 per (工号, 指标) as written, if the sheet has them (its colours read them)."""
        heads = self.table("monthly").headers
        cols = tuple(c for c in ("met_from", "near_from") if self.header("monthly", c) in heads)
        return self.read(self.formulas, "monthly", ("employee_id", "kpi"), cols)

    def monthly_wrong(self, book: Workbook, results: Results, thresholds: dict) -> list[tuple]:
        """Each month's attainment, the scope's, and the row's thresholds as written before the sort."""
        attain = results.monthly.groupby(["employee_id", "kpi", "period"])["attainment"].first()
        expected = {}
        for s in results.scores.itertuples(index=False):
            key = (s.employee_id, s.kpi)
            months = {p: attain.get((*key, p)) for p in results.scope}
            expected[key] = {**months, "scope": s.attainment, **thresholds[key]}
        return self.wrong(book, "monthly", ("employee_id", "kpi"), expected)

    def teams_wrong(self, book: Workbook, results: Results) -> list[tuple]:
        expected = {(t.team, t.kpi): {
            "attainment": t.attainment, "status": vocab.word(vocab.STATUSES, t.status or "nodata", self.lang)}
            for t in results.teams.itertuples(index=False)}
        return self.wrong(book, "teams", ("team", "kpi"), expected)


# --- static: every filter covers what its rows are read for -------------------------------


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_every_filter_covers_every_column_its_rows_are_read_from(tmp_path, lang):
    """A column read by a cell formula or a conditional format within a sheet's data rows
    (from that sheet, or from another by name) must move with the row, so be inside the filter."""
    path = tmp_path / "result.xlsx"
    write_workbook(fx.build(), path, lang=lang, created=CREATED)
    book = openpyxl.load_workbook(path)
    read = so.columns_read(book)
    assert read[lb.sheet_name("summary", lang)] and read[lb.sheet_name("scores", lang)]
    assert so.uncovered_columns(book) == {}


def test_the_sort_moves_rows_like_a_spreadsheet():
    """The harness itself: header not on row 1, a hidden row, blanks last, formulas translated
    like a copy, cells outside the filter left behind, text that looks like a formula kept as text."""
    book = openpyxl.Workbook()
    ws = book.active
    ws.append(["title"])
    ws.append(["id", "n", "twice", "key"])
    for i, (ident, n) in enumerate([("a", 3), ("=b", None), ("c", 1), ("d", 0), ("e", 2)], start=3):
        ws.append([ident, n, f"=$B{i}*2+SUM($B$3:$B$7)", i])
    ws["A4"].data_type = "s"  # '=b' is text, as the writer's hostile names are
    ws.auto_filter.ref = "A2:C7"
    ws.row_dimensions[6].hidden = True  # "d" is filtered out
    moves = so.sort_rows(ws, "n", descending=True)
    assert moves == {3: 3, 4: 7, 5: 5, 7: 4}
    assert [ws.cell(r, 1).value for r in range(3, 8)] == ["a", "e", "c", "d", "=b"]
    assert ws["C4"].value == "=$B4*2+SUM($B$3:$B$7)" and ws["C7"].value == "=$B7*2+SUM($B$3:$B$7)"
    assert (ws["A7"].data_type, ws["C7"].data_type) == ("s", "f")
    assert [ws.cell(r, 4).value for r in range(3, 8)] == [3, 4, 5, 6, 7]  # outside the filter: stays
    assert so.uncovered_columns(book) == {}
    ws["C3"] = "=$D3"
    assert so.uncovered_columns(book) == {"Sheet": ["D (key)"]}


# --- sorted, recalculated ------------------------------------------------------------------

# 汇总 by 总分 ascending: the writer may already list people by total, highest first, and a
# sort that moves no row proves nothing (Book.sort refuses it).
SORTS = [
    pytest.param("zh", [("summary", "total", False)], id="zh-汇总-总分"),
    pytest.param("zh", [("summary", "employee_id", True)], id="zh-汇总-工号-desc"),
    pytest.param("zh", [("scores", "attainment", False)], id="zh-明细-完成率"),
    pytest.param("zh", [("scores", "kpi", False)], id="zh-明细-指标"),
    pytest.param("en", [("summary", "total", False), ("scores", "attainment", False)], id="en-Summary-and-Scores"),
]


@needs_libreoffice
@pytest.mark.parametrize("lang, sorts", SORTS)
def test_a_sorted_sheet_recalculates_to_each_persons_own_figures(tmp_path, lang, sorts):
    """汇总 and 明细 both checked whatever was sorted: sorting 明细 must not break 汇总 either."""
    outcome = fx.build()
    book = Book(outcome, tmp_path, lang)
    for sheet, col, descending in sorts:
        book.sort(sheet, col, descending)
    got = book.recalculated()
    wrong = book.summary_wrong(got, outcome.results) + book.scores_wrong(got, outcome.results)
    assert not wrong, _report(wrong)


@needs_libreoffice
def test_a_sorted_monthly_grid_keeps_each_rows_attainment_and_colour_thresholds(tmp_path):
    """月度's colours compare each cell with its row's 达标线/持平线 (a 等级 KPI's are lower):
    those must travel with the row as the attainments do."""
    outcome = fx.build()
    book = Book(outcome, tmp_path, "zh")
    thresholds = book.thresholds()
    book.sort("monthly", outcome.results.scope[0], descending=True)
    wrong = book.monthly_wrong(book.recalculated(), outcome.results, thresholds)
    assert not wrong, _report(wrong)


# (employee, KPI, new aggregated actual on 明细, the same edit on the input): 销售额 100 of 200
# is below the 60% floor: 0 points, 优秀 → 待改进, and the overall ranks below move up.
EDIT = (fx.HOSTILE_ID, "销售额", 100.0, {"2026-03": 0.0})


@needs_libreoffice
def test_an_actual_edited_after_filtering_and_sorting_recalculates_like_the_engine(tmp_path):
    emp, kpi, shown, months = EDIT
    data = fx.inputs()
    before = fx.outcome_of(data)
    book = Book(before, tmp_path, "zh")
    book.hide("summary", "team", lambda team: team == "华南")
    book.hide("scores", "status", lambda status: status == vocab.word(vocab.STATUSES, "nodata", "zh"))
    book.sort("summary", "employee_id", descending=True)
    book.sort("scores", "attainment")

    ws, t = book.formulas[book.name("scores")], book.table("scores")
    row = so.row_index(ws, t, book.header("scores", "employee_id"), book.header("scores", "kpi"))[(emp, kpi)]
    assert not ws.row_dimensions[row].hidden  # a user edits a row they see
    ws.cell(row, t.col(book.header("scores", "actual"))).value = shown

    expected = fx.outcome_of(fx.with_actuals(data, emp, kpi, months)).results
    totals = [r.people.set_index("employee_id").at[emp, "total_rounded"] for r in (before.results, expected)]
    assert totals[0] != totals[1]  # the edit matters
    got = book.recalculated()
    wrong = book.summary_wrong(got, expected) + book.scores_wrong(got, expected)
    assert not wrong, _report(wrong)


@needs_libreoffice
def test_control_with_every_filter_widened_the_same_sorts_keep_every_figure(tmp_path):
    """The harness is right: stretch each filter over every column its rows are read from
    (团队's already is) and the sorts above keep every figure — so when they fail, the
    workbook's filters are what is wrong, not the sorting."""
    outcome = fx.build()
    book = Book(outcome, tmp_path, "zh")
    so.widen_filters(book.formulas)
    assert so.uncovered_columns(book.formulas) == {}
    thresholds = book.thresholds()
    book.sort("summary", "total")
    book.sort("scores", "attainment")
    book.sort("monthly", outcome.results.scope[0], descending=True)
    book.sort("teams", "attainment")
    got = book.recalculated()
    r = outcome.results
    wrong = (book.summary_wrong(got, r) + book.scores_wrong(got, r) + book.monthly_wrong(got, r, thresholds)
             + book.teams_wrong(got, r))
    assert not wrong, _report(wrong)
