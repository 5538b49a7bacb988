"""月度 (the classic 目标管理表 grid) and 团队 (team × KPI roll-up, per-team block, chart)."""

from __future__ import annotations

import numpy as np
import pandas as pd
from xlsxwriter.workbook import Workbook
from xlsxwriter.worksheet import Worksheet

from .. import vocab
from ..data import Results
from ..vocab import Lang
from . import labels as lb
from . import parts
from . import sheetkit as sk
from . import styles as st
from .detail import STATUS_CODES, _recolour, _ta_formats, attainment_formats


# --- 月度 -----------------------------------------------------------------------------


def write_monthly(sheets: list[tuple[Worksheet, parts.Part]], styles: st.Styles, scores: pd.DataFrame,
                  results: Results, lang: Lang) -> None:
    """One row per person × KPI, one column per month of the scope, then the scope's r.

    ``sheets``: the sheet for each part of ``scores`` (one, unless it is longer than a
    sheet holds: parts.py), each with the same layout."""
    scope = list(results.scope)
    monthly = results.monthly
    index = pd.MultiIndex.from_frame(scores[["employee_id", "kpi"]])
    grouped = monthly.groupby(["employee_id", "kpi", "period"], sort=False)
    attain = grouped["attainment"].first().unstack("period").reindex(index=index, columns=scope)
    status = grouped["status"].first().unstack("period").reindex(index=index, columns=scope)
    status = status.where(status.notna() & (status != ""), "nodata")
    target = grouped["target"].first().unstack("period").reindex(index=index, columns=scope)
    for ws, part in sheets:
        cut = slice(part.start, part.stop)
        rows = scores if part.rows == len(scores) else scores.iloc[cut].reset_index(drop=True)
        _monthly_sheet(ws, styles, rows, attain.iloc[cut], status.iloc[cut], target.iloc[cut], results, lang)


def _monthly_sheet(ws: Worksheet, styles: st.Styles, scores: pd.DataFrame, attain: pd.DataFrame,
                   status: pd.DataFrame, target: pd.DataFrame, results: Results, lang: Lang) -> None:
    scope = list(results.scope)
    settings = results.settings
    rating = (scores["method"] == "rating").to_numpy()
    met_from = np.where(rating, settings.rating_met_from, 1.0)
    near_from = np.where(rating, settings.rating_near_from, settings.near_from)

    cols = [
        sk.Col("employee_id", lb.label(lb.MONTHLY, "employee_id", lang), "str", scores["employee_id"]),
        sk.Col("name", lb.label(lb.MONTHLY, "name", lang), "str", scores["name"]),
        sk.Col("kpi", lb.label(lb.MONTHLY, "kpi", lang), "str", scores["kpi"]),
    ]
    for p in scope:
        month = pd.DataFrame({"status": status[p].to_numpy(), "target": target[p].to_numpy(),
                              "method": scores["method"].to_numpy(), "direction": scores["direction"].to_numpy()})
        cols.append(sk.Col(p, p, "num", attain[p].to_numpy(), attainment_formats(month, styles, lang), num=st.PERCENT))
    cols.append(sk.Col("scope", lb.label(lb.MONTHLY, "scope", lang), "num", scores["attainment"],
                       attainment_formats(scores, styles, lang), num=st.PERCENT))
    cols.append(sk.Col("met_from", lb.label(lb.MONTHLY, "met_from", lang), "num", met_from,
                       styles.get(st.PERCENT), num=st.PERCENT, group=True))
    cols.append(sk.Col("near_from", lb.label(lb.MONTHLY, "near_from", lang), "num", near_from,
                       styles.get(st.PERCENT), num=st.PERCENT, group=True))
    last = sk.write_table(ws, styles, 0, 0, cols, bulk=True)
    scope_col = 3 + len(scope)
    # The filter spans the hidden thresholds the colour rules read, so they sort with their row.
    layout = sk.Layout(last_row=last, last_col=scope_col, freeze_cols=3, filter_last_col=scope_col + 2)
    sk.set_widths(ws, 0, cols, layout)
    n = len(scores)
    if n:
        met_col = sk.col_letter(scope_col + 1)
        near_col = sk.col_letter(scope_col + 2)
        first = "D2"
        # The grid holds values, not statuses: the rules compare each cell with its
        # row's thresholds (hidden 达标线 / 持平线), r rounded to 6 decimals (scoring.md).
        rules = [
            ("met", f"=AND(ISNUMBER({first}),ROUND({first},6)>=${met_col}2)"),
            ("near", f"=AND(ISNUMBER({first}),ROUND({first},6)>=${near_col}2)"),
            ("below", f"=ISNUMBER({first})"),
            ("nodata", f"=NOT(ISNUMBER({first}))"),
        ]
        for code, criteria in rules:
            rc = ws.conditional_format(1, 3, n, scope_col, {
                "type": "formula", "criteria": criteria, "format": styles.cf(code), "stop_if_true": True})
            sk.check(ws, 1, 3, rc, "conditional_format")
    sk.finish(ws, layout)


# --- 团队 -----------------------------------------------------------------------------


def _kpi_order(scores: pd.DataFrame) -> dict[str, int]:
    first = scores.groupby("kpi", sort=False)["order"].min().sort_values(kind="stable")
    return {k: i for i, k in enumerate(first.index)}


def write_teams(book: Workbook, ws: Worksheet, params: Worksheet, styles: st.Styles, scores: pd.DataFrame,
                results: Results, lang: Lang) -> None:
    summary = results.team_summary.reset_index(drop=True)
    team_pos = {t: i for i, t in enumerate(summary["team"])}
    kpi_pos = _kpi_order(scores)
    teams = results.teams.copy()
    teams["_t"] = teams["team"].map(team_pos).fillna(len(team_pos))
    teams["_k"] = teams["kpi"].map(kpi_pos).fillna(len(kpi_pos))
    teams = teams.sort_values(["_t", "team", "_k", "kpi"], kind="stable").reset_index(drop=True)

    words = {s: vocab.word(vocab.STATUSES, s, lang) for s in STATUS_CODES}
    status = teams["status"].where(teams["status"] != "", "nodata")
    t_fmt, _ = _ta_formats(teams["target"], teams["is_percent"], styles)
    a_fmt, _ = _ta_formats(teams["actual"], teams["is_percent"], styles)
    keys = ("team", "kpi", "aggregation", "target", "actual", "attainment", "status")
    cols = [
        sk.Col("team", "", "str", teams["team"]),
        sk.Col("kpi", "", "str", teams["kpi"]),
        # A 等级 KPI has no T or A to sum or average: its r is the mean rating.
        sk.Col("aggregation", "", "str", teams["aggregation"].where(teams["method"] != "rating", "").map(
            lambda a: vocab.word(vocab.AGGREGATIONS, a, lang) if a in vocab.AGGREGATIONS else "")),
        sk.Col("target", "", "num", teams["target"], t_fmt, num=st.DECIMAL),
        sk.Col("actual", "", "num", teams["actual"], a_fmt, num=st.DECIMAL),
        sk.Col("attainment", "", "num", teams["attainment"], attainment_formats(teams, styles, lang), num=st.PERCENT),
        sk.Col("status", "", "str", status.map(words), status.map(styles.by_status())),
    ]
    for c in cols:
        c.header = lb.label(lb.TEAMS, c.key, lang)
    last = sk.write_table(ws, styles, 0, 0, cols)
    layout = sk.Layout(last_row=last, last_col=len(keys) - 1, freeze_cols=1)
    sk.set_widths(ws, 0, cols, layout)
    if len(teams):
        s = keys.index("status")
        for key in ("attainment", "status"):
            c = keys.index(key)
            _recolour(ws, styles, 1, c, len(teams), c, f"${sk.col_letter(s)}2", words)

    # The per-team block (people, average total, grade counts) is on 总览: beside this table
    # a filter would hide its rows, below it it would print under this table's header
    # (docs/decisions.md, "One table per sheet"). The chart's data stands on the hidden
    # 参数 sheet for the same reason; the chart sits beside the table, in the print area.
    # A KPI whose team target is 0 has an attainment of 0% or 100% that says nothing about
    # how far off it is: it is left out of the chart.
    sums = teams[(teams["aggregation"] == "sum") & (teams["method"] != "rating") & (teams["target"] != 0)]
    if len(sums) and sums["attainment"].notna().any():
        grid = sums.pivot_table(index="team", columns="kpi", values="attainment", aggfunc="first", sort=False)
        grid = grid.reindex(index=[t for t in summary["team"] if t in grid.index] +
                            [t for t in grid.index if t not in team_pos],
                            columns=sorted(grid.columns, key=lambda k: kpi_pos.get(k, len(kpi_pos))))
        sk.title(params, styles, 0, CHART_DATA_COL, lb.text("teams_chart_data", lang))
        gcols = [sk.Col("team", lb.label(lb.TEAMS, "team", lang), "str", list(grid.index))]
        pct = styles.get(st.PERCENT)
        for k in grid.columns:
            gcols.append(sk.Col(str(k), str(k), "num", grid[k].to_numpy(), pct, num=st.PERCENT))
        sk.write_table(params, styles, 1, CHART_DATA_COL, gcols)
        # Beside the table, from its first row: it prints on the table's first page and
        # stays put (does not move or size with cells) when a filter hides rows.
        at = layout.last_col + 2
        rows = _teams_chart(book, ws, params.get_name(), lang, 1, CHART_DATA_COL, len(grid.index), len(grid.columns), at)
        layout.print_last_row = max(last, rows)
        layout.print_last_col = at + 8
    sk.finish(ws, layout)


# Where 团队's chart data stands on the hidden 参数 sheet (right of its tables).
CHART_DATA_COL = 6


def _teams_chart(book: Workbook, ws: Worksheet, name: str, lang: Lang, header_row: int, first_col: int,
                 n_teams: int, n_kpis: int, at_col: int) -> int:
    """Attainment per team for each 合计 KPI (data on sheet ``name``); returns the rows it covers."""
    chart = book.add_chart({"type": "column"})
    first, last = header_row + 1, header_row + n_teams
    palette = ("#4472C4", "#ED7D31", "#A5A5A5", "#FFC000", "#5B9BD5", "#70AD47")
    for j in range(n_kpis):
        col = first_col + 1 + j
        chart.add_series({
            "name": [name, header_row, col],
            "categories": [name, first, first_col, last, first_col],
            "values": [name, first, col, last, col],
            "fill": {"color": palette[j % len(palette)]},
            "data_labels": {"value": True, "num_format": "0%"},
        })
    chart.set_title({"name": lb.text("chart_teams", lang), "name_font": {"size": 12}})
    chart.set_y_axis({"num_format": "0%", "min": 0, "major_gridlines": {"visible": True}})
    chart.set_legend({"position": "bottom"})
    chart.show_hidden_data()  # its data is on the hidden 参数 sheet
    height = 340
    chart.set_size({"width": 560, "height": height})
    rc = ws.insert_chart(0, at_col, chart, {"object_position": 3})
    sk.check(ws, 0, at_col, rc, "insert_chart")
    return sk.chart_rows(height)
