"""总览 / Overview: the one printed page a sales director reads first.

What was scored (period, teams, people), the grade distribution (against the 优秀 share
limit when 设置 sets one), team averages ranked, the top and bottom five, the KPIs most
often red, and how many problems the input had, with a link to 问题. Two native charts
sit inside the print area, beside the tables they draw.

The grade counts and team averages are formulas over 汇总 (COUNTIFS / AVERAGEIFS on
whole columns of rows, so a sort or filter on 汇总 changes nothing and an edited actual
follows through); the top/bottom five and the red KPIs are the engine's values at run
time, as their order is.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from xlsxwriter.workbook import Workbook
from xlsxwriter.worksheet import Worksheet

from .. import vocab
from ..data import Outcome
from ..vocab import Lang
from . import formulas as fx
from . import labels as lb
from . import sheetkit as sk
from . import styles as st
from .detail import SUMMARY_HEADER_ROW, SUMMARY_KEYS, by_rank, in_distribution, summary_order, summary_title

GRADE_CODES = tuple(vocab.GRADES)
KEY_COL = 9  # column J, hidden: the team keys the AVERAGEIFS/COUNTIFS match on
CHART_COL = 10  # charts start in column K, right of the tables (A:I)
TOP_N = 5
RED_KPIS = 8


def _summary_range(summary_name: str, key: str, n: int) -> str:
    c = sk.col_letter(SUMMARY_KEYS.index(key))
    first = SUMMARY_HEADER_ROW + 2
    return f"'{summary_name}'!${c}${first}:${c}${max(first + n - 1, first)}"


def _target_share(settings, grade: str, lang: Lang) -> str:
    """The 强制分布 share of a grade's row (a three-share distribution's middle on 良好's
    row, as 良好+合格), or ""."""
    shares = settings.forced_distribution
    if shares is None:
        return ""
    if len(shares) == 4:
        return f"{shares[GRADE_CODES.index(grade)]:.0%}"
    at = {"excellent": 0, "good": 1, "improve": 2}
    if grade not in at:
        return ""
    suffix = {"zh": "（良好+合格）", "en": " (Good+Pass)"}[lang]
    return f"{shares[at[grade]]:.0%}" + (suffix if grade == "good" else "")


def write_overview(book: Workbook, ws: Worksheet, styles: st.Styles, outcome: Outcome, lang: Lang,
                   summary_name: str, issues_name: str) -> None:
    results = outcome.results
    people = summary_order(results.people)
    n = len(people)
    t = lambda key, **kw: lb.text(key, lang, **kw)  # noqa: E731
    head = styles.get(header=True)
    bold = styles.get(bold=True, bare=True)
    integer = styles.get("0")
    centred = styles.get("0", center=True)
    cell = styles.get()
    points = styles.get(st.POINTS)
    percent = styles.get(st.PERCENT)
    # The grade pay follows: 校准等级 under a forced distribution applied by rank.
    grades_rng = _summary_range(summary_name, "calibrated_grade" if by_rank(results.settings) else "grade", n)
    totals_rng = _summary_range(summary_name, "total", n)
    team_keys_rng = _summary_range(summary_name, "team_key", n)
    words = {g: vocab.word(vocab.GRADES, g, lang) for g in GRADE_CODES}
    # 试用期不计入等级分布 = 是: the grade counts skip people on probation (汇总's hidden
    # 计入等级分布 column is 0 for them), as the team summary does.
    counted = in_distribution(results.settings, people).astype(bool)
    only = (f",{_summary_range(summary_name, 'in_distribution', n)},1"
            if results.settings.probation_excluded else "")
    widths: dict[int, float] = {0: 16, 1: 12, 2: 12, 3: 12, 4: 12, 5: 12, 6: 12, 7: 12, 8: 12}

    def put(r: int, c: int, text: str, fmt=None) -> None:
        sk.check(ws, r, c, ws.write_string(r, c, text, fmt), "write_string")

    def headers(r: int, texts: list[str]) -> None:
        for j, h in enumerate(texts):
            put(r, j, h, head)

    def formula(r: int, c: int, text: str, fmt, value) -> None:
        value = "" if value is None or (isinstance(value, float) and np.isnan(value)) else value
        sk.check(ws, r, c, ws.write_formula(r, c, text, fmt, value), "write_formula")

    def number(r: int, c: int, value, fmt) -> None:
        if value is None or (isinstance(value, float) and np.isnan(value)):
            return
        sk.check(ws, r, c, ws.write_number(r, c, float(value), fmt), "write_number")

    put(0, 0, t("overview_title"), styles.get(title=True))
    put(1, 0, summary_title(results, lang, "overview_scope"))
    scored = int(people["total"].notna().sum())
    put(2, 0, t("overview_people", n=n, scored=scored))

    # --- grade distribution --------------------------------------------------------
    row = 4
    put(row, 0, t("overview_grades") + (t("overview_calibrated") if by_rank(results.settings) else ""), bold)
    row += 1
    grade_header = row
    limit = results.settings.excellent_max_share
    headers(row, [t("ov_grade"), t("ov_count"), t("ov_share"), t("ov_target")])
    counts = people.loc[counted, "grade"].value_counts()
    in_grades = int(people.loc[counted, "total"].notna().sum())
    first_grade = row + 1
    for g in GRADE_CODES:
        row += 1
        put(row, 0, words[g], styles.grade(g))
        count = int(counts.get(g, 0))
        formula(row, 1, f"=COUNTIFS({grades_rng},{fx.quote(words[g])}{only})", integer, count)
        formula(row, 2, f'=IF(SUM($B${first_grade + 1}:$B${first_grade + len(GRADE_CODES)})>0,'
                        f'B{row + 1}/SUM($B${first_grade + 1}:$B${first_grade + len(GRADE_CODES)}),"")',
                percent, count / in_grades if in_grades else None)
        target = _target_share(results.settings, g, lang)
        if target:
            put(row, 3, target, cell)
        elif g == "excellent" and limit is not None:
            put(row, 3, f"≤ {limit:.0%}", cell)
    row += 1
    put(row, 0, t("ov_total"), bold)
    formula(row, 1, f"=SUM(B{first_grade + 1}:B{row})", styles.get("0", bold=True), in_grades)
    if in_grades and counts.get("excellent", 0) and limit is not None and counts.get("excellent", 0) / in_grades > limit + 1e-9:
        put(row + 1, 0, t("ov_over_limit", limit=f"{limit:.0%}"), styles.get(status="below"))
        row += 1
    _grade_chart(book, ws, lang, grade_header, first_grade, len(GRADE_CODES))
    row = max(row, grade_header + 15) + 2

    # --- team averages, ranked -------------------------------------------------------
    put(row, 0, t("overview_teams"), bold)
    row += 1
    team_header = row
    headers(row, [t("ov_team"), t("ov_people"), t("ov_scored"), t("ov_mean"), *[words[g] for g in GRADE_CODES],
                  t("ov_excellent_share")])
    sk.check(ws, row, 0, ws.set_row(row, sk.LINE_HEIGHT * 2), "set_row")  # headers on two lines
    team_key = pd.Series(pd.factorize(people["team"])[0] + 1, index=people.index)
    frame = pd.DataFrame({"team": people["team"], "key": team_key, "total": people["total_rounded"],
                          "grade": people["grade"].where(counted, "")})
    teams = frame.groupby("key", sort=False).agg(team=("team", "first"), people=("team", "size"),
                                                  mean=("total", "mean"))
    teams["scored"] = frame.loc[counted & frame["total"].notna()].groupby("key").size().reindex(
        teams.index, fill_value=0)
    teams = teams.sort_values(["mean", "team"], ascending=[False, True], na_position="last", kind="stable")
    # A groupby, not pd.crosstab: the same counts at a quarter of the cost, which a team's
    # workbook of --split-by team pays once per team.
    by_grade = frame.groupby(["key", "grade"]).size().unstack(fill_value=0).reindex(
        index=teams.index, columns=list(GRADE_CODES), fill_value=0)
    key_col = sk.col_letter(KEY_COL)
    grade_cols = f"{sk.col_letter(4)}{{r}}:{sk.col_letter(3 + len(GRADE_CODES))}{{r}}"
    for key, rec in teams.iterrows():
        row += 1
        r = row + 1
        put(row, 0, str(rec.team), cell)
        number(row, 1, rec.people, integer)
        formula(row, 2, f"=SUM({grade_cols.format(r=r)})", integer, int(rec.scored))
        formula(row, 3, f'=IFERROR(AVERAGEIFS({totals_rng},{team_keys_rng},${key_col}{r}),"")', points,
                round(float(rec["mean"]), 10) if pd.notna(rec["mean"]) else None)
        for j, g in enumerate(GRADE_CODES):
            formula(row, 4 + j, f"=COUNTIFS({team_keys_rng},${key_col}{r},{grades_rng},{fx.quote(words[g])}{only})",
                    integer, int(by_grade.at[key, g]))
        formula(row, 4 + len(GRADE_CODES), f'=IF(C{r}>0,E{r}/C{r},"")', percent,
                by_grade.at[key, "excellent"] / rec.scored if rec.scored else None)
        number(row, KEY_COL, key, None)
    chart_rows = 0
    if len(teams) and teams["mean"].notna().any():
        chart_rows = _team_chart(book, ws, lang, team_header, len(teams))
    row = max(row, team_header - 1 + chart_rows) + 2

    # --- top and bottom five -------------------------------------------------------------
    ranked = people.loc[people["total_rounded"].notna()]
    for title_key, part in (("overview_top", ranked.head(TOP_N)),
                            ("overview_bottom", ranked.tail(TOP_N).iloc[::-1] if len(ranked) > TOP_N else ranked.iloc[0:0])):
        put(row, 0, t(title_key, n=TOP_N), bold)
        row += 1
        headers(row, [t("ov_rank"), t("ov_id"), t("ov_name"), t("ov_team"), t("ov_score"), t("ov_grade")])
        for rec in part.itertuples(index=False):
            row += 1
            number(row, 0, rec.overall_rank, centred)
            put(row, 1, str(rec.employee_id), cell)
            put(row, 2, str(rec.name), cell)
            put(row, 3, str(rec.team), cell)
            number(row, 4, rec.total_rounded, points)
            put(row, 5, words.get(rec.grade, ""), styles.grade(rec.grade) if rec.grade else cell)
        if part.empty:
            row += 1
            put(row, 0, t("ov_none"), styles.get(italic=True))
        row += 2

    # --- KPIs most often red -----------------------------------------------------------------
    put(row, 0, t("overview_red"), bold)
    row += 1
    headers(row, [t("ov_kpi"), t("ov_below"), t("ov_with_data"), t("ov_below_share")])
    scores = results.scores
    with_data = scores.loc[scores["status"] != "nodata"].groupby("kpi", sort=False).size()
    below = scores.loc[scores["status"] == "below"].groupby("kpi", sort=False).size()
    red = pd.DataFrame({"below": below, "with_data": with_data.reindex(below.index)})
    red["share"] = red["below"] / red["with_data"]
    red = red.rename_axis("kpi").reset_index().sort_values(["below", "share", "kpi"], ascending=[False, False, True],
                                                           kind="stable").head(RED_KPIS)
    for rec in red.itertuples(index=False):
        row += 1
        put(row, 0, str(rec.kpi), cell)
        number(row, 1, rec.below, styles.get("0", status="below"))
        number(row, 2, rec.with_data, integer)
        number(row, 3, rec.share, percent)
    if red.empty:
        row += 1
        put(row, 0, t("ov_none"), styles.get(italic=True))
    row += 2

    # --- problems in the input ---------------------------------------------------------------
    levels = outcome.report.by_level()
    put(row, 0, t("overview_issues"), bold)
    row += 1
    text = t("ov_issues", error=levels.get("error", 0), warning=levels.get("warning", 0), info=levels.get("info", 0),
             sheet=issues_name)
    link = styles.get(status="below" if levels.get("error", 0) else ("near" if levels.get("warning", 0) else None),
                      bold=True)
    sk.check(ws, row, 0, ws.write_url(row, 0, f"internal:'{issues_name}'!A1", link, text, t("ov_issues_tip")),
             "write_url")
    last_row = row

    # Column A holds grade words, team names and KPI names: as wide as the widest (≤ 30).
    names = [*words.values(), *people["team"].astype(str), *red["kpi"].astype(str)]
    widths[0] = float(min(max([16] + [sk.text_width(x) + 2 for x in names]), 30))
    for col, w in widths.items():
        sk.check(ws, 0, col, ws.set_column(col, col, w), "set_column")
    # The hidden team keys the AVERAGEIFS/COUNTIFS match on.
    sk.check(ws, 0, KEY_COL, ws.set_column(KEY_COL, KEY_COL, 4, None, {"hidden": True}), "set_column")
    ws.set_landscape()
    ws.set_paper(9)
    ws.fit_to_pages(1, 1)  # one printed page
    ws.set_margins(left=0.4, right=0.4, top=0.5, bottom=0.5)
    ws.hide_gridlines(2)
    ws.set_footer("&C&P / &N")
    sk.check(ws, 0, 0, ws.print_area(0, 0, last_row, CHART_COL + 8), "print_area")
    sk.check(ws, 0, 0, ws.ignore_errors({"number_stored_as_text": "A1:XFD1048576"}), "ignore_errors")
    sk.protect(ws)


def _grade_chart(book: Workbook, ws: Worksheet, lang: Lang, header_row: int, first_row: int, n: int) -> None:
    name = ws.get_name()
    chart = book.add_chart({"type": "column"})
    points = [{"fill": {"color": st.GRADE_COLOURS[g]["font_color"]}} for g in GRADE_CODES]
    chart.add_series({
        "name": [name, header_row, 1],
        "categories": [name, first_row, 0, first_row + n - 1, 0],
        "values": [name, first_row, 1, first_row + n - 1, 1],
        "points": points,
        "data_labels": {"value": True},
    })
    chart.set_title({"name": lb.text("overview_grades", lang), "name_font": {"size": 11}})
    chart.set_legend({"none": True})
    chart.set_y_axis({"min": 0, "major_gridlines": {"visible": True}})
    chart.set_size({"width": 520, "height": 290})
    rc = ws.insert_chart(header_row - 1, CHART_COL, chart, {"object_position": 3})
    sk.check(ws, header_row - 1, CHART_COL, rc, "insert_chart")


def _team_chart(book: Workbook, ws: Worksheet, lang: Lang, header_row: int, n: int) -> int:
    """Team averages as bars; returns the rows the chart covers."""
    name = ws.get_name()
    chart = book.add_chart({"type": "bar"})
    chart.add_series({
        "name": [name, header_row, 3],
        "categories": [name, header_row + 1, 0, header_row + n, 0],
        "values": [name, header_row + 1, 3, header_row + n, 3],
        "fill": {"color": "#5B9BD5"},
        "data_labels": {"value": True, "num_format": "0.00"},
    })
    chart.set_title({"name": lb.text("overview_teams", lang), "name_font": {"size": 11}})
    chart.set_legend({"none": True})
    chart.set_x_axis({"min": 0, "num_format": "0", "major_gridlines": {"visible": True}})
    chart.set_y_axis({"reverse": True})
    height = int(min(max(290, 26 * n + 90), 1200))
    chart.set_size({"width": 520, "height": height})
    rc = ws.insert_chart(header_row - 1, CHART_COL, chart, {"object_position": 3})
    sk.check(ws, header_row - 1, CHART_COL, rc, "insert_chart")
    return sk.chart_rows(height)
