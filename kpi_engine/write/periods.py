"""周期 / Periods: each person's total and grade per month, quarter and year (core.periods),
and a chart of the monthly average per team.

One row per person, in 汇总's order. Columns: 工号, 姓名, 部门, 岗位; per month 总分, 等级
(values: the month scored alone, coloured by grade); per quarter, then per year, 总分, 等级
and 计入月数 (months with a total / months in the period). Under 周期汇总 = 月均分 a
quarter's total is a live formula — ``ROUND(AVERAGE(its month totals), 2)`` — and its
计入月数 ``COUNT`` of the same cells, so a month total edited by hand follows through;
under 累计 the total is the engine's score of the quarter's months taken together (no
formula can recompute that from the month totals). Every 等级 is the 汇总 grade formula
over its total (the grade lines on 参数). Coefficient and pay columns (issue 10) belong
after each period's 等级.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from xlsxwriter.workbook import Workbook
from xlsxwriter.worksheet import Worksheet

from .. import vocab
from ..data import Results
from ..vocab import Lang
from . import formulas as fx
from . import labels as lb
from . import sheetkit as sk
from . import styles as st
from .detail import summary_order

WIDTH = 10  # a period's columns: "2026-Q1" over "总分", a total, a grade word
HEADER_ROW = 1  # a title row above: the rule in force and where the chart is
KINDS = ("month", "quarter", "year")


def period_columns(periods: pd.DataFrame) -> list[tuple[str, str, int, int]]:
    """(period, kind, months covered, months in period) in display order: months, quarters, years."""
    if periods.empty:
        return []
    first = periods.drop_duplicates("period")
    rank = first["kind"].map({k: i for i, k in enumerate(KINDS)})
    first = first.assign(_k=rank).sort_values(["_k", "period"], kind="stable")
    return [(p, k, int(c), int(n)) for p, k, c, n in
            zip(first["period"], first["kind"], first["months_covered"], first["months_in_period"])]


def write_periods(book: Workbook, ws: Worksheet, params: Worksheet, styles: st.Styles, results: Results,
                  lang: Lang) -> None:
    people = summary_order(results.people)
    periods = results.periods
    settings = results.settings
    grades = {g: vocab.word(vocab.GRADES, g, lang) for g in vocab.GRADES}
    rule = vocab.word(vocab.PERIOD_ROLLUPS, settings.period_rollup, lang)
    live = settings.period_rollup == "monthly_mean"
    shown = period_columns(periods)
    n = len(people)
    rows = list(range(HEADER_ROW + 2, HEADER_ROW + 2 + n))
    plain = styles.get()
    index = pd.Index(people["employee_id"].to_numpy(dtype=object))

    def column(period: str, field: str) -> pd.Series:
        got = periods.loc[periods["period"] == period]
        return got.set_index("employee_id")[field].reindex(index)

    cols = [sk.Col(k, lb.label(lb.PERIODS, k, lang), "str", people[k]) for k in ("employee_id", "name", "team", "role")]
    month_cells: dict[str, str] = {}  # month → its 总分 column letter
    for period, kind, covered, length in shown:
        total = column(period, "total_rounded").astype(float)
        grade = column(period, "grade").fillna("")
        grade_fmt = [styles.grade(g) if g else plain for g in grade]
        saved_grade = grade.map(lambda g: grades.get(g, "")).tolist()
        partial = "" if covered >= length else lb.text("periods_partial", lang, covered=covered, length=length)
        total_header = lb.text("periods_total", lang, period=period) + partial
        total_col = sk.col_letter(len(cols))
        if kind == "month":
            month_cells[period] = total_col
            cols.append(sk.Col(f"{period}:total", total_header, "num", total.to_numpy(), grade_fmt, num=st.POINTS,
                               width=WIDTH))
        else:
            months = [c for p, c in month_cells.items() if _in(p, period, kind)]
            cells = ",".join(f"{c}{{r}}" for c in months)
            counted = column(period, "months_counted").fillna(0).astype(float)
            if live and months:
                formula = f'=IF(COUNT({cells})>0,ROUND(AVERAGE({cells}),2),"")'
                cols.append(sk.Col(f"{period}:total", total_header, "formula", fx.fill(formula, rows),
                                   styles.get(st.POINTS, bold=True), saved=total, num=st.POINTS, width=WIDTH))
            else:
                cols.append(sk.Col(f"{period}:total", total_header, "num", total.to_numpy(),
                                   styles.get(st.POINTS, bold=True), num=st.POINTS, width=WIDTH))
        cols.append(sk.Col(f"{period}:grade", lb.text("periods_grade", lang, period=period), "formula",
                           fx.fill(fx.grade(f"{total_col}{{r}}", grades), rows), grade_fmt, saved=saved_grade,
                           width=WIDTH if lang == "zh" else WIDTH + 4))
        if kind != "month":
            of = f'0"/{length}"'
            header = lb.text("periods_counted", lang, period=period)
            if months:
                cols.append(sk.Col(f"{period}:counted", header, "formula",
                                   fx.fill(f"=COUNT({','.join(f'{c}{{r}}' for c in months)})", rows),
                                   styles.get(of), saved=counted, num=of, width=WIDTH))
            else:
                cols.append(sk.Col(f"{period}:counted", header, "num", counted.to_numpy(), styles.get(of), num=of,
                                   width=WIDTH))

    title = lb.text("periods_title", lang, rule=rule)
    sk.check(ws, 0, 0, ws.write_string(0, 0, title, styles.get(title=True)), "title")
    if not shown:
        sk.check(ws, HEADER_ROW, 0, ws.write_string(HEADER_ROW, 0, lb.text("periods_none", lang), plain), "write")
        return
    last = sk.write_table(ws, styles, HEADER_ROW, 0, cols, bulk=True)
    layout = sk.Layout(header_row=HEADER_ROW, title_rows=HEADER_ROW, last_row=last, last_col=len(cols) - 1,
                       freeze_cols=2, header_lines=2)
    sk.set_widths(ws, 0, cols, layout)
    if n:
        # A grade formula that changes (a month total edited) recolours its cell.
        for c, col in enumerate(cols):
            if col.key.endswith(":grade"):
                for code in vocab.GRADES:
                    rc = ws.conditional_format(HEADER_ROW + 1, c, last, c, {
                        "type": "cell", "criteria": "==", "value": fx.quote(grades[code]),
                        "format": styles.grade_cf(code), "stop_if_true": True})
                    sk.check(ws, HEADER_ROW + 1, c, rc, "conditional_format")
    months = [p for p, k, _, _ in shown if k == "month"]
    if months and periods.loc[periods["kind"] == "month", "total_rounded"].notna().any() \
            and last + 2 + sk.chart_rows(CHART_HEIGHT) < 1_048_576:
        layout.print_last_row = _average_chart(book, ws, params, styles, periods, months, lang, last + 2)
        sk.check(ws, last + 2, 0, ws.set_h_pagebreaks([last + 2]), "set_h_pagebreaks")
        # Where the chart is, in words (no link: a result's sheets carry none but 总览's).
        sk.check(ws, 0, 12, ws.write_string(0, 12, lb.text("periods_chart_link", lang), styles.get(italic=True)),
                 "write")
    sk.finish(ws, layout)


def _in(month: str, period: str, kind: str) -> bool:
    return month[:4] == period[:4] if kind == "year" else f"{month[:4]}-Q{(int(month[5:7]) - 1) // 3 + 1}" == period


CHART_HEIGHT = 360
MAX_TEAM_LINES = 8


def monthly_averages(periods: pd.DataFrame, months: list[str]) -> pd.DataFrame:
    """Mean monthly total (rounded, as shown) per month: the whole result, then each team."""
    got = periods.loc[periods["kind"] == "month"]
    overall = got.groupby("period")["total_rounded"].mean().reindex(months)
    teams = got.pivot_table(index="period", columns="team", values="total_rounded", aggfunc="mean").reindex(months)
    out = pd.DataFrame({"": overall})
    if 1 < teams.shape[1] <= MAX_TEAM_LINES:
        out = out.join(teams)
    return out


def _average_chart(book: Workbook, ws: Worksheet, params: Worksheet, styles: st.Styles, periods: pd.DataFrame,
                   months: list[str], lang: Lang, top: int) -> int:
    """A line per team (and the whole) of the monthly average total; data on the hidden
    参数 sheet, right of what stands there. Returns the last row the chart covers."""
    data = monthly_averages(periods, months)
    data = data.rename(columns={"": lb.text("periods_all", lang)})
    at = max(int(getattr(params, "dim_colmax", 0) or 0), 0) + 2
    sk.title(params, styles, 0, at, lb.text("periods_chart_data", lang))
    gcols = [sk.Col("period", lb.text("periods_month", lang), "str", months)]
    for name in data.columns:
        gcols.append(sk.Col(str(name), str(name), "num", data[name].to_numpy(dtype=float), styles.get(st.POINTS),
                            num=st.POINTS))
    sk.write_table(params, styles, 1, at, gcols)
    chart = book.add_chart({"type": "line"})
    name = params.get_name()
    palette = ("#404040", "#4472C4", "#ED7D31", "#A5A5A5", "#FFC000", "#5B9BD5", "#70AD47", "#7030A0", "#C00000")
    for j in range(len(data.columns)):
        col = at + 1 + j
        chart.add_series({
            "name": [name, 1, col],
            "categories": [name, 2, at, 1 + len(months), at],
            "values": [name, 2, col, 1 + len(months), col],
            "line": {"color": palette[j % len(palette)], "width": 2.75 if j == 0 else 1.5},
            "marker": {"type": "circle", "size": 5 if j == 0 else 3},
            "data_labels": {"value": True, "num_format": "0.0"} if j == 0 else {},
        })
    chart.set_title({"name": lb.text("periods_chart", lang), "name_font": {"size": 12}})
    low = float(np.nanmin(data.to_numpy(dtype=float)))
    chart.set_y_axis({"num_format": "0", "major_gridlines": {"visible": True},
                      "min": max(0.0, np.floor(low / 10 - 0.5) * 10)})
    chart.set_legend({"position": "bottom"})
    chart.show_hidden_data()  # its data is on the hidden 参数 sheet
    chart.set_size({"width": 900, "height": CHART_HEIGHT})
    rc = ws.insert_chart(top, 0, chart, {"object_position": 3})
    sk.check(ws, top, 0, rc, "insert_chart")
    return top + sk.chart_rows(CHART_HEIGHT)
