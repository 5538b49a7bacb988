"""培训, 培训课程 and 培训前后: per-person metrics, per-course metrics with the pre/post
chart, and attainment before/after training.

Each table has a sheet of its own (docs/decisions.md, "Training sheets"): on one sheet
the later tables printed under the first one's repeated header row, and only the first
could have a filter.
"""

from __future__ import annotations

import pandas as pd
from xlsxwriter.workbook import Workbook
from xlsxwriter.worksheet import Worksheet

from ..data import Results
from ..vocab import Lang
from . import labels as lb
from . import parts
from . import sheetkit as sk
from . import styles as st

# Number format of each metric column (text columns are absent).
_NUM: dict[str, str] = {
    "planned_hours": st.HOURS, "attended_hours": st.HOURS, "participation": st.PERCENT,
    "sessions_attended": "0", "sessions_planned": "0", "mandatory_missed": "0",
    "pre": st.HOURS, "post": st.HOURS, "improvement": st.SIGNED, "gain": st.PERCENT,
    "satisfaction": st.POINTS, "trainees": "0", "attendance": st.PERCENT,
    "before": st.PERCENT, "after": st.PERCENT, "change": st.SIGNED_PERCENT,
}


def _cols(frame: pd.DataFrame, table: dict, styles: st.Styles, lang: Lang) -> list[sk.Col]:
    cols = []
    for key in table:
        head = lb.label(table, key, lang)
        num = _NUM.get(key)
        if num is None:
            cols.append(sk.Col(key, head, "str", frame[key]))
        else:
            values = pd.to_numeric(frame[key], errors="coerce").astype(float)
            cols.append(sk.Col(key, head, "num", values, styles.get(num), num=num))
    return cols


def write_training(book: Workbook, courses_ws: Worksheet, people_sheets: list[tuple[Worksheet, parts.Part]],
                   before_after_sheets: list[tuple[Worksheet, parts.Part]], styles: st.Styles, results: Results,
                   lang: Lang) -> None:
    """培训 (per person), 培训课程 (per course, with the pre/post chart under it) and 培训前后
    (before/after): one table per sheet, so each has its own print titles and filter.
    培训 and 培训前后 come as one sheet per part (parts.py: one, unless too long for a sheet)."""
    people = results.training_people.reset_index(drop=True)
    courses = results.training_courses.reset_index(drop=True)
    before_after = results.before_after.reset_index(drop=True)

    for ws, part in people_sheets:
        _table(ws, styles, _cols(_rows(people, part), lb.TRAINING_PEOPLE, styles, lang), lang, freeze_cols=2)

    ws = courses_ws
    layout = _table(ws, styles, _cols(courses, lb.TRAINING_COURSES, styles, lang), lang, freeze_cols=2, finish=False)
    has_tests = courses[["pre", "post"]].notna().any().any() if len(courses) else False
    if has_tests:
        rows = _prepost_chart(book, ws, lang, 0, len(courses), layout.last_row + 2)
        layout.print_last_row = layout.last_row + 2 + rows
    sk.finish(ws, layout)

    for ws, part in before_after_sheets:
        _table(ws, styles, _cols(_rows(before_after, part), lb.BEFORE_AFTER, styles, lang), lang, freeze_cols=3)


def _rows(frame: pd.DataFrame, part: parts.Part) -> pd.DataFrame:
    return frame if part.rows == len(frame) else frame.iloc[part.start:part.stop].reset_index(drop=True)


def _table(ws: Worksheet, styles: st.Styles, cols: list[sk.Col], lang: Lang, freeze_cols: int,
           finish: bool = True) -> sk.Layout:
    last = sk.write_table(ws, styles, 0, 0, cols)
    layout = sk.Layout(last_row=last, last_col=len(cols) - 1, freeze_cols=freeze_cols)
    sk.set_widths(ws, 0, cols, layout)
    if last == 0:
        sk.check(ws, 1, 0, ws.write_string(1, 0, lb.text("no_training", lang), styles.get(italic=True)))
        layout.last_row = 1
    if finish:
        sk.finish(ws, layout)
    return layout


def _prepost_chart(book: Workbook, ws: Worksheet, lang: Lang, header_row: int, n: int, at_row: int) -> int:
    """Pre- vs post-test per course (outputs.md, "Charts"), clustered columns, under the
    table so that it prints with it; returns the rows it covers."""
    name = ws.get_name()
    keys = list(lb.TRAINING_COURSES)
    first, last = header_row + 1, header_row + n
    cat = keys.index("course")
    chart = book.add_chart({"type": "column"})
    for key, colour in (("pre", "#A5A5A5"), ("post", "#4472C4")):
        col = keys.index(key)
        chart.add_series({
            "name": [name, header_row, col],
            "categories": [name, first, cat, last, cat],
            "values": [name, first, col, last, col],
            "fill": {"color": colour},
            "data_labels": {"value": True, "num_format": "0"},
        })
    chart.set_title({"name": lb.text("chart_training", lang), "name_font": {"size": 12}})
    chart.set_y_axis({"min": 0, "max": 100, "major_gridlines": {"visible": True}})
    chart.set_legend({"position": "bottom"})
    height = 340
    chart.set_size({"width": max(480, min(90 * n + 160, 1000)), "height": height})
    rc = ws.insert_chart(at_row, 0, chart, {"object_position": 3})
    sk.check(ws, at_row, 0, rc, "insert_chart")
    return sk.chart_rows(height)
