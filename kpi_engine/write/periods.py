"""周期 / Periods: each person's total, grade, 绩效系数 and 绩效工资 per month, quarter and
year (core.periods), and a chart of the monthly average per team.

One row per person, in 汇总's order. Columns: 工号, 姓名, 部门, 岗位, 绩效工资基数 (a value,
unlocked for a what-if base, as on 汇总); per month 总分, 等级 (values: the month scored
alone, coloured by grade), 系数, 绩效工资; per quarter, then per year, 总分, 等级, 计入月数
(months with a total / months in the period), 系数 and 绩效工资. Under 周期汇总 = 月均分 a
quarter's total is a live formula — ``ROUND(AVERAGE(its month totals), 2)`` — and its
计入月数 ``COUNT`` of the same cells, so a month total edited by hand follows through;
under 累计 the total is the engine's score of the quarter's months taken together (no
formula can recompute that from the month totals). Every 等级 is the 汇总 grade formula
over its total (the grade lines on 参数), every 系数 汇总's coefficient formula over that
等级 (``kpi_coef_*``) and every 绩效工资 汇总's pay formula over the row's 基数, that 系数
and total, with the person's months in post in the period and the period's months in the
scope written into it as numbers (docs/decisions.md, "Periods", pay). Each quarter stands
right after its months, each year after its last quarter; printed a quarter per page
(:func:`_print_pages`).
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

# Column widths (Excel units), zh / en: narrow, so that a quarter's months and the
# quarter print on one page (_print_pages), but never below 8: a bold "2026-01" over
# each column must not break.
WIDTHS = {
    "total": (8, 8),  # 108.77
    "grade": (8, 17),  # 待改进 / Needs improvement
    "counted": (8, 9),  # 10/12
    "coefficient": (8, 11),  # 1.20 / Coefficient
    "pay": (10, 10),  # 12,345.00
    "base": (9, 9),
}


def _width(field: str, lang: Lang) -> float:
    return WIDTHS[field][0 if lang == "zh" else 1]
HEADER_ROW = 1  # a title row above: the rule in force and where the chart is
KINDS = ("month", "quarter", "year")


def period_columns(periods: pd.DataFrame) -> list[tuple[str, str, int, int]]:
    """(period, kind, months covered, months in period) in display order: each quarter
    after its months, each year after its last quarter (2026-01, 2026-02, 2026-03, 2026-Q1,
    2026-04 … 2026-Q4, 2026), so that a quarter prints on one page with its months."""
    if periods.empty:
        return []
    first = periods.drop_duplicates("period")
    shown = [(p, k, int(c), int(n)) for p, k, c, n in
             zip(first["period"], first["kind"], first["months_covered"], first["months_in_period"])]
    return sorted(shown, key=lambda x: _place(x[0], x[1]))


def _place(period: str, kind: str) -> tuple:
    """Sort key: year, quarter (a year's block after its fourth), months before their quarter."""
    quarter = 5 if kind == "year" else int(period[-1]) if kind == "quarter" else (int(period[5:7]) - 1) // 3 + 1
    return period[:4], quarter, KINDS.index(kind), period


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

    # Each period's rows in 汇总's order, made once: a column per period and field is
    # then a lookup (filtering every time cost ~90 scans of the table per workbook, most
    # of a small team's workbook under --split-by team).
    by_period = {p: got.set_index("employee_id").reindex(index)
                 for p, got in periods.groupby("period", sort=False)}

    def column(period: str, field: str) -> pd.Series:
        return by_period[period][field]

    cols = [sk.Col(k, lb.label(lb.PERIODS, k, lang), "str", people[k]) for k in ("employee_id", "name", "team", "role")]
    base_cell = f"${sk.col_letter(len(cols))}{{r}}"
    cols.append(sk.Col("base", lb.label(lb.PERIODS, "base", lang), "num", people["base"].to_numpy(dtype=float),
                       styles.get(MONEY, unlocked=True), num=MONEY, width=_width("base", lang)))
    month_cells: dict[str, str] = {}  # month → its 总分 column letter
    for period, kind, covered, length in shown:
        total = column(period, "total_rounded").astype(float)
        grade = column(period, "grade").fillna("")
        grade_fmt = [styles.grade(g) if g else plain for g in grade]
        saved_grade = grade.map(lambda g: grades.get(g, "")).tolist()
        partial = "" if covered >= length else lb.text("periods_partial", lang, covered=covered, length=length)
        total_header = lb.text("periods_total", lang, period=period) + partial
        total_width = _width("total", lang) + (3 if partial else 0)  # "（数据 10/12 月）" wraps onto 2 lines
        total_col = sk.col_letter(len(cols))
        if kind == "month":
            month_cells[period] = total_col
            cols.append(sk.Col(f"{period}:total", total_header, "num", total.to_numpy(), grade_fmt, num=st.POINTS,
                               width=total_width))
        else:
            months = [c for p, c in month_cells.items() if _in(p, period, kind)]
            cells = ",".join(f"{c}{{r}}" for c in months)
            counted = column(period, "months_counted").fillna(0).astype(float)
            if live and months:
                formula = f'=IF(COUNT({cells})>0,ROUND(AVERAGE({cells}),2),"")'
                cols.append(sk.Col(f"{period}:total", total_header, "formula", fx.fill(formula, rows),
                                   styles.get(st.POINTS, bold=True), saved=total, num=st.POINTS,
                                   width=total_width))
            else:
                cols.append(sk.Col(f"{period}:total", total_header, "num", total.to_numpy(),
                                   styles.get(st.POINTS, bold=True), num=st.POINTS, width=total_width))
        grade_col = sk.col_letter(len(cols))
        cols.append(sk.Col(f"{period}:grade", lb.text("periods_grade", lang, period=period), "formula",
                           fx.fill(fx.grade(f"{total_col}{{r}}", grades), rows), grade_fmt, saved=saved_grade,
                           width=_width("grade", lang)))
        if kind != "month":
            of = f'0"/{length}"'
            header = lb.text("periods_counted", lang, period=period)
            if months:
                cols.append(sk.Col(f"{period}:counted", header, "formula",
                                   fx.fill(f"=COUNT({','.join(f'{c}{{r}}' for c in months)})", rows),
                                   styles.get(of), saved=counted, num=of, width=_width("counted", lang)))
            else:
                cols.append(sk.Col(f"{period}:counted", header, "num", counted.to_numpy(), styles.get(of), num=of,
                                   width=_width("counted", lang)))
        cols += _pay_columns(period, kind, covered, len(cols), rows, column, base_cell, total_col, grade_col, grades,
                             styles, settings, lang)

    pay_rule = vocab.word(vocab.PAY_RULES, settings.pay_rule, lang) + (
        lb.text("periods_prorate", lang) if settings.prorate else "")
    title = lb.text("periods_title", lang, rule=rule, pay=pay_rule)
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
        # Where the chart is, in words (no link: a result's sheets carry none but 总览's),
        # right of the title (13-point bold: about 1.3 of a column unit per character).
        at, edge = 0, 0.0
        while at < len(cols) - 1 and edge < 1.3 * sk.text_width(title) + 2:
            edge += layout.widths.get(at, 8.43)
            at += 1
        sk.check(ws, 0, at, ws.write_string(0, at, lb.text("periods_chart_link", lang), styles.get(italic=True)),
                 "write")
    sk.finish(ws, layout)
    _print_pages(ws, cols, layout.widths)


# A4 landscape less the 0.4" side margins (sheetkit.finish), in column pixels at 100 %.
# LibreOffice prints a column of p pixels p/72 inch wide, Excel p/96: sized for the wider,
# so that neither cuts a quarter (Excel's pages are then a quarter emptier).
PAGE_PX = (11.69 - 0.8) * 72
MIN_SCALE = 50  # below this the print is too small to read: a page may then hold less than a quarter


def _px(width: float) -> int:
    """Pixels of a column of ``width`` (Excel units, as xlsxwriter sizes them)."""
    return int(width * 7 + 0.5) + 5


def _print_pages(ws: Worksheet, cols: list[sk.Col], widths: dict[int, float]) -> None:
    """Print one quarter per page, never one page wide (70 columns on one A4 are
    unreadable): each quarter's months with the quarter's block form a unit (the first
    unit also holds 工号 … 基数, a year's block is a unit of its own), page breaks fall
    between units, 工号 and 姓名 repeat on every page, and the scale is the largest at
    which the widest unit fits (not above 100 %, not below MIN_SCALE). A unit wider than
    a page even then (long English headers) breaks between its periods, never inside one."""
    units: list[list[list[int]]] = []  # unit → its blocks (a period's columns) → columns
    last_unit = last_period = None
    for j, c in enumerate(cols):
        period, _, field = c.key.partition(":")
        place = _place(period, _kind(period))[:2] if field else None
        if not units or (place is not None and last_unit is not None and place != last_unit):
            units.append([])
        if not units[-1] or (field and period != last_period):
            units[-1].append([])
        units[-1][-1].append(j)
        if place is not None:
            last_unit, last_period = place, period

    def px(columns: list[int]) -> int:
        return sum(_px(widths.get(j, 8.43)) for j in columns)

    repeated = px([0, 1])
    width = [sum(px(b) for b in unit) for unit in units]
    widest = max([width[0], *(repeated + w for w in width[1:])])
    scale = max(MIN_SCALE, min(100, int(100 * PAGE_PX / widest)))
    budget = PAGE_PX * 100 / scale
    breaks, used = [], 0
    for u, (unit, w) in enumerate(zip(units, width)):
        if u and used + w <= budget:
            used += w
        elif u and repeated + w <= budget:
            breaks.append(unit[0][0])
            used = repeated + w
        else:  # wider than a page (or the first unit): its periods one by one
            for b, block in enumerate(unit):
                if (u or b) and used + px(block) > budget:
                    breaks.append(block[0])
                    used = repeated
                used += px(block)
    ws.set_print_scale(scale)  # (turns off sheetkit.finish's one page wide)
    ws.set_v_pagebreaks(breaks)
    if breaks:
        ws.repeat_columns(0, 1)


def _kind(period: str) -> str:
    return "quarter" if "-Q" in period else "month" if "-" in period else "year"


MONEY = "#,##0.00"


def _pay_columns(period: str, kind: str, covered: int, at: int, rows: list[int], column, base_cell: str,
                 total_col: str, grade_col: str, grades: dict[str, str], styles: st.Styles, settings,
                 lang: Lang) -> list[sk.Col]:
    """系数 and 绩效工资 of one period (the 系数 column at position ``at``), as 汇总 writes
    them (formulas.coefficient / .pay): the coefficient over the period's 等级 cell, the
    pay over the row's 基数, that coefficient and the period's total; proration by the
    person's months in post in the period (a number per row) over the period's months in
    the scope (one number per column)."""
    coef_cell = f"{sk.col_letter(at)}{{r}}"
    coefficient = column(period, "coefficient").astype(float)
    in_post = column(period, "months_in_post").fillna(0).astype(int).to_numpy()
    template = fx.pay(settings.pay_rule, settings.prorate, base_cell, coef_cell, f"{total_col}{{r}}", "{m}",
                      str(covered))
    parts = template.split("{r}")
    formulas = [str(r).join(parts).replace("{m}", str(m)) for r, m in zip(rows, in_post.tolist())]
    bold = kind != "month"  # a quarter's and a year's figures are bold, as their totals
    return [
        sk.Col(f"{period}:coefficient", lb.text("periods_coefficient", lang, period=period), "formula",
               fx.fill(fx.coefficient(f"{grade_col}{{r}}", grades), rows),
               styles.get("0.00"), saved=coefficient, num="0.00", width=_width("coefficient", lang)),
        sk.Col(f"{period}:pay", lb.text("periods_pay", lang, period=period), "formula", formulas,
               styles.get(MONEY, bold=bold), saved=column(period, "pay").astype(float), num=MONEY, width=_width("pay", lang)),
    ]


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
