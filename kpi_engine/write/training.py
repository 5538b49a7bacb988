"""培训: per-person metrics, then per-course metrics with the pre/post chart, then before/after.

The three tables stand one below the other; the first (per person) carries the frozen
header and the autofilter (a sheet has one autofilter), the others have their own
header rows under a title.
"""

from __future__ import annotations

import pandas as pd
from xlsxwriter.workbook import Workbook
from xlsxwriter.worksheet import Worksheet

from ..data import Results
from ..vocab import Lang
from . import labels as lb
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


def write_training(book: Workbook, ws: Worksheet, styles: st.Styles, results: Results, lang: Lang) -> None:
    people = results.training_people.reset_index(drop=True)
    courses = results.training_courses.reset_index(drop=True)
    before_after = results.before_after.reset_index(drop=True)

    pcols = _cols(people, lb.TRAINING_PEOPLE, styles, lang)
    last = sk.write_table(ws, styles, 0, 0, pcols)
    layout = sk.Layout(last_row=last, last_col=len(pcols) - 1, freeze_cols=2)
    sk.set_widths(ws, 0, pcols, layout)
    if people.empty:
        sk.check(ws, 1, 0, ws.write_string(1, 0, lb.text("no_training", lang), styles.get(italic=True)))
        last = 1

    # Each further table starts a printed page (under the repeated header row).
    top = last + 2
    breaks = [top]
    sk.title(ws, styles, top, 0, lb.text("training_courses", lang))
    ccols = _cols(courses, lb.TRAINING_COURSES, styles, lang)
    course_header = top + 1
    last = sk.write_table(ws, styles, course_header, 0, ccols)
    sk.set_widths(ws, 0, ccols, layout)

    top = last + 2
    breaks.append(top)
    sk.title(ws, styles, top, 0, lb.text("training_before_after", lang))
    bcols = _cols(before_after, lb.BEFORE_AFTER, styles, lang)
    layout.print_last_row = sk.write_table(ws, styles, top + 1, 0, bcols)
    sk.set_widths(ws, 0, bcols, layout)

    has_tests = courses[["pre", "post"]].notna().any().any() if len(courses) else False
    if has_tests:
        _prepost_chart(book, ws, lang, course_header, len(courses), layout.last_col + 2)
    sk.check(ws, top, 0, ws.set_h_pagebreaks(breaks), "set_h_pagebreaks")
    sk.finish(ws, layout)


def _prepost_chart(book: Workbook, ws: Worksheet, lang: Lang, header_row: int, n: int, at_col: int) -> None:
    """Pre- vs post-test per course (outputs.md, "Charts"), clustered columns."""
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
    chart.set_size({"width": max(480, min(90 * n + 160, 1400)), "height": 340})
    # Level with the course table it draws from, right of the widest table (clear of
    # the print area: a chart inside it would be cut at the page edge).
    rc = ws.insert_chart(header_row, at_col, chart, {"object_position": 3, "x_offset": 10})
    sk.check(ws, header_row, at_col, rc, "insert_chart")
