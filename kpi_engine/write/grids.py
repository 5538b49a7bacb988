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
from . import sheetkit as sk
from . import styles as st
from .detail import STATUS_CODES, _recolour, _ta_formats


# --- 月度 -----------------------------------------------------------------------------


def write_monthly(ws: Worksheet, styles: st.Styles, scores: pd.DataFrame, results: Results, lang: Lang) -> None:
    """One row per person × KPI, one column per month of the scope, then the scope's r."""
    scope = list(results.scope)
    monthly = results.monthly
    index = pd.MultiIndex.from_frame(scores[["employee_id", "kpi"]])
    grouped = monthly.groupby(["employee_id", "kpi", "period"], sort=False)
    attain = grouped["attainment"].first().unstack("period").reindex(index=index, columns=scope)
    status = grouped["status"].first().unstack("period").reindex(index=index, columns=scope)
    status = status.where(status.notna() & (status != ""), "nodata")

    settings = results.settings
    rating = (scores["method"] == "rating").to_numpy()
    met_from = np.where(rating, settings.rating_met_from, 1.0)
    near_from = np.where(rating, settings.rating_near_from, settings.near_from)
    by_pct = styles.by_status(st.PERCENT)

    cols = [
        sk.Col("employee_id", lb.label(lb.MONTHLY, "employee_id", lang), "str", scores["employee_id"]),
        sk.Col("name", lb.label(lb.MONTHLY, "name", lang), "str", scores["name"]),
        sk.Col("kpi", lb.label(lb.MONTHLY, "kpi", lang), "str", scores["kpi"]),
    ]
    for p in scope:
        cols.append(sk.Col(p, p, "num", attain[p].to_numpy(), status[p].map(by_pct).to_numpy(), num=st.PERCENT))
    cols.append(sk.Col("scope", lb.label(lb.MONTHLY, "scope", lang), "num", scores["attainment"],
                       scores["status"].map(by_pct), num=st.PERCENT))
    cols.append(sk.Col("met_from", lb.label(lb.MONTHLY, "met_from", lang), "num", met_from,
                       styles.get(st.PERCENT), num=st.PERCENT, group=True))
    cols.append(sk.Col("near_from", lb.label(lb.MONTHLY, "near_from", lang), "num", near_from,
                       styles.get(st.PERCENT), num=st.PERCENT, group=True))
    last = sk.write_table(ws, styles, 0, 0, cols, bulk=True)
    scope_col = 3 + len(scope)
    layout = sk.Layout(last_row=last, last_col=scope_col, freeze_cols=3)
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


def write_teams(book: Workbook, ws: Worksheet, styles: st.Styles, scores: pd.DataFrame, results: Results,
                lang: Lang) -> None:
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
        sk.Col("attainment", "", "num", teams["attainment"], status.map(styles.by_status(st.PERCENT)), num=st.PERCENT),
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

    # Per-team block: people, average total, count of each grade. It starts a printed
    # page of its own, under the repeated header row of the table above.
    top = last + 2
    breaks = [top]
    sk.title(ws, styles, top, 0, lb.text("teams_summary", lang))
    skeys = list(lb.TEAM_SUMMARY)
    integer = styles.get("0")
    scols = []
    for k in skeys:
        head = lb.label(lb.TEAM_SUMMARY, k, lang)
        if k == "team":
            scols.append(sk.Col(k, head, "str", summary[k]))
        elif k == "mean_total":
            scols.append(sk.Col(k, head, "num", summary[k], styles.get(st.POINTS), num=st.POINTS))
        elif k == "excellent_share":
            scols.append(sk.Col(k, head, "num", summary[k], styles.get(st.PERCENT), num=st.PERCENT))
        else:
            scols.append(sk.Col(k, head, "num", summary[k].astype(float), integer, num="0"))
    block_last = sk.write_table(ws, styles, top + 1, 0, scols)
    sk.set_widths(ws, 0, scols, layout)
    layout.print_last_row, layout.print_last_col = block_last, max(layout.last_col, len(scols) - 1)

    # Chart data: attainment per team for each 合计 KPI, and the chart beside the table.
    sums = teams[(teams["aggregation"] == "sum") & (teams["method"] != "rating")]
    if len(sums) and sums["attainment"].notna().any():
        grid = sums.pivot_table(index="team", columns="kpi", values="attainment", aggfunc="first", sort=False)
        grid = grid.reindex(index=[t for t in summary["team"] if t in grid.index] +
                            [t for t in grid.index if t not in team_pos],
                            columns=sorted(grid.columns, key=lambda k: kpi_pos.get(k, len(kpi_pos))))
        ctop = block_last + 2
        sk.title(ws, styles, ctop, 0, lb.text("teams_chart_data", lang))
        gcols = [sk.Col("team", lb.label(lb.TEAMS, "team", lang), "str", list(grid.index))]
        pct = styles.get(st.PERCENT)
        for k in grid.columns:
            gcols.append(sk.Col(str(k), str(k), "num", grid[k].to_numpy(), pct, num=st.PERCENT))
        grid_last = sk.write_table(ws, styles, ctop + 1, 0, gcols)
        sk.set_widths(ws, 0, gcols, layout)
        layout.print_last_row = grid_last
        layout.print_last_col = max(layout.print_last_col, len(gcols) - 1)
        # Right of the widest table, so that it is clear of the print area.
        _teams_chart(book, ws, lang, ctop + 1, len(grid.index), len(grid.columns), layout.print_last_col + 2)
    sk.check(ws, top, 0, ws.set_h_pagebreaks(breaks), "set_h_pagebreaks")
    sk.finish(ws, layout)


def _teams_chart(book: Workbook, ws: Worksheet, lang: Lang, header_row: int, n_teams: int, n_kpis: int,
                 at_col: int) -> None:
    name = ws.get_name()
    chart = book.add_chart({"type": "column"})
    first, last = header_row + 1, header_row + n_teams
    palette = ("#4472C4", "#ED7D31", "#A5A5A5", "#FFC000", "#5B9BD5", "#70AD47")
    for j in range(n_kpis):
        col = 1 + j
        chart.add_series({
            "name": [name, header_row, col],
            "categories": [name, first, 0, last, 0],
            "values": [name, first, col, last, col],
            "fill": {"color": palette[j % len(palette)]},
            "data_labels": {"value": True, "num_format": "0%"},
        })
    chart.set_title({"name": lb.text("chart_teams", lang), "name_font": {"size": 12}})
    chart.set_y_axis({"num_format": "0%", "min": 0, "major_gridlines": {"visible": True}})
    chart.set_legend({"position": "bottom"})
    chart.set_size({"width": max(480, min(60 * n_teams * max(n_kpis, 1) + 160, 1400)), "height": 340})
    rc = ws.insert_chart(1, at_col, chart, {"object_position": 3, "x_offset": 10})
    sk.check(ws, 1, at_col, rc, "insert_chart")
