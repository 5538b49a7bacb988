"""The live formulas of 明细 and 汇总, as text (scoring.md, formula by formula).

Pure string building, no xlsxwriter: each function returns a *template* in which
``{r}`` stands for the Excel row number, and :func:`fill` stamps it for many rows at
once. Only functions that Excel 2010 and LibreOffice both evaluate are used (no XLOOKUP,
LET, IFS, MAXIFS); ``FUNCTIONS`` lists them and a test holds every template to it.

明细 (one row per person × KPI) reads its own row: weight, target, actual and the
grouped parameter columns (cap, floor, points per unit, step, accelerator); tier tables and the
settings live on the hidden 参数 sheet under defined names (``kpi_near_from``…). Status
words are written into the formulas in the workbook's language.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable

# Every function the templates may call: Excel 2010 + LibreOffice, no _xlfn. prefix.
FUNCTIONS = frozenset({
    "IF", "AND", "OR", "NOT", "ISNUMBER", "COUNT", "MAX", "MIN", "ROUND", "LOOKUP", "IFERROR",
    "SUMIFS", "COUNTIFS", "RANK", "AVERAGE", "INDEX",
})

# Defined names on the 参数 sheet (one cell each), keyed by Settings field.
SETTING_NAMES: dict[str, str] = {
    "near_from": "kpi_near_from",
    "rating_met_from": "kpi_rating_met_from",
    "rating_near_from": "kpi_rating_near_from",
    "excellent_from": "kpi_excellent_from",
    "good_from": "kpi_good_from",
    "pass_from": "kpi_pass_from",
    "coefficient_excellent": "kpi_coef_excellent",
    "coefficient_good": "kpi_coef_good",
    "coefficient_pass": "kpi_coef_pass",
    "coefficient_improve": "kpi_coef_improve",
}
# The months of the scored period, on 参数 below the settings (the divisor of proration).
PERIOD_MONTHS = "kpi_period_months"
# 强制分布 on 参数, one row per calibration group (everyone, or each team by 部门序号): the
# cumulative head counts of the first three buckets and whether it is applied (1/0).
CALIBRATION_NAMES = ("kpi_cal_upto1", "kpi_cal_upto2", "kpi_cal_upto3", "kpi_cal_on")


@dataclass(frozen=True)
class ScoreCells:
    """Column letters of 明细 that the row formulas read."""

    weight: str
    target: str
    actual: str
    attainment: str
    score: str
    status: str
    cap: str
    floor: str
    points_per_unit: str
    step: str
    accel_from: str = ""  # read only by an accelerated 完成率 row
    accel_by: str = ""


def fill(template: str, rows: Iterable[int]) -> list[str]:
    """The template once per Excel row number (``{r}`` replaced)."""
    parts = template.split("{r}")
    return [str(r).join(parts) for r in rows]


def quote(word: str) -> str:
    """A text literal inside a formula."""
    return '"' + word.replace('"', '""') + '"'


_q = quote


# --- 明细 ---------------------------------------------------------------------------


def attainment(direction: str, lower_formula: str, c: ScoreCells, top_step: str | None = None) -> str:
    """r from T and A (scoring.md, "Attainment r"); blank when T or A is missing or T < 0.

    ``top_step``: a 分段 KPI's range of 完成率下限 on 参数 — with the inverse formula, an
    actual of 0 takes the larger of the cap and the table's top step."""
    t, a = f"{c.target}{{r}}", f"{c.actual}{{r}}"
    if direction == "lower":
        at_zero = f"IF({a}<=0,1,0)"
        if lower_formula == "inverse":
            # T/A; for an actual of 0 or below the best the method allows (as
            # kpi_engine.core.attainment): the cap, or a 分段 table's top step if higher.
            best = f"{c.cap}{{r}}" if top_step is None else f"MAX({c.cap}{{r}},{top_step})"
            core = f"IF({a}>0,{t}/{a},{best})"
        else:
            core = f"MAX(0,2-{a}/{t})"
    else:
        at_zero = f"IF({a}>=0,1,0)"
        core = f"MAX(0,{a}/{t})"
    # COUNT(T:A) < 2: a target or actual is blank (or text) -> no data.
    return f'=IF(OR(COUNT({t}:{a})<2,{t}<0),"",IF({t}=0,{at_zero},{core}))'


def score(method: str, direction: str, c: ScoreCells, *, zero_when_no_data: bool,
          tier_range: tuple[str, ...] | None = None, accelerated: bool = False) -> str:
    """s for a KPI of weight W (scoring.md, "Score s"); r rounded to 6 decimals before comparing.

    ``tier_range``: the 参数 ranges of a 分段 table's 完成率下限 and 得分比例, and for a 线性
    table its slopes too (kpi_engine.core.methods.tier_points). ``accelerated``: a 完成率 row
    whose 加速起点/加速倍数 cells apply (kpi_engine.core.methods.accelerated)."""
    r = f"{c.attainment}{{r}}"
    w = f"{c.weight}{{r}}"
    rr = f"ROUND({r},6)"
    if method == "ratio":
        scored = r
        if accelerated:
            start, by = f"{c.accel_from}{{r}}", f"{c.accel_by}{{r}}"
            scored = f"IF({r}>{start},{start}+({r}-{start})*{by},{r})"
        body = f"IF({rr}<ROUND({c.floor}{{r}},6),0,{w}*MIN({scored},{c.cap}{{r}}))"
    elif method == "tiers":
        if tier_range is None:
            raise ValueError("a 分段 formula needs its tier table's range")
        start, fraction, *slope = tier_range
        found = f"LOOKUP({rr},{start},{fraction})"
        if slope:  # 线性: the point's fraction + (r − the point) × the slope to the next point
            found += f"+({rr}-LOOKUP({rr},{start},{start}))*LOOKUP({rr},{start},{slope[0]})"
        body = f"{w}*IFERROR({found},0)"
    elif method == "deduction":
        t, a = f"{c.target}{{r}}", f"{c.actual}{{r}}"
        shortfall = f"MAX(0,{a}-{t})" if direction == "lower" else f"MAX(0,{t}-{a})"
        # Steps rounded like r: 0.025 / 0.01 is 2.5 steps, not 2.5000000000000004.
        body = f"MAX(0,{w}-{c.points_per_unit}{{r}}*ROUND({shortfall}/{c.step}{{r}},6))"
    elif method == "rating":
        body = f"{w}*{r}"
    else:
        raise ValueError(f"unknown method {method!r}")
    no_data = "0" if zero_when_no_data else '""'
    return f"=IF(ISNUMBER({r}),{body},{no_data})"


def status(is_rating: bool, words: dict[str, str], c: ScoreCells) -> str:
    """达标 / 持平 / 未达标 / 无数据 from r (scoring.md, "Status")."""
    rr = f"ROUND({c.attainment}{{r}},6)"
    # The thresholds on 参数 are stored rounded to 6 decimals, as the engine compares them.
    met = SETTING_NAMES["rating_met_from"] if is_rating else "1"
    near = SETTING_NAMES["rating_near_from" if is_rating else "near_from"]
    return (
        f"=IF(ISNUMBER({c.attainment}{{r}}),"
        f"IF({rr}>={met},{_q(words['met'])},IF({rr}>={near},{_q(words['near'])},{_q(words['below'])})),"
        f"{_q(words['nodata'])})"
    )


def counted(c: ScoreCells) -> str:
    """1 when the KPI has data (its weight counts in the total), else 0."""
    return f"=IF(ISNUMBER({c.attainment}{{r}}),1,0)"


# --- 汇总 ---------------------------------------------------------------------------


@dataclass(frozen=True)
class ScoreRanges:
    """Absolute ranges over 明细's data rows, for 汇总's SUMIFS/COUNTIFS."""

    key: str
    weight: str
    score: str
    status: str
    counted: str


def total(missing_data: str, rg: ScoreRanges, key_cell: str) -> str:
    """总分 rounded half-up to 2 decimals (scoring.md, "Total, grade, rank").

    Σ s when every KPI has data; renormalize: Σ s × 100 / Σ W over the KPIs with data
    when some have none; zero: Σ s (a no-data KPI scores 0). No KPI with data at all (or,
    renormalising, only weight-0 KPIs with data): blank — no total, grade or rank.
    """
    k = key_cell
    n_data = f"COUNTIFS({rg.key},{k},{rg.counted},1)"
    sum_s = f"SUMIFS({rg.score},{rg.key},{k})"
    if missing_data == "zero":
        return f'=IF({n_data}=0,"",ROUND({sum_s},2))'
    n_without = f"COUNTIFS({rg.key},{k},{rg.counted},0)"
    sum_w = f"SUMIFS({rg.weight},{rg.key},{k},{rg.counted},1)"
    renorm = f'IF({sum_w}>0,ROUND({sum_s}*100/{sum_w},2),"")'
    return f'=IF({n_data}=0,"",IF({n_without}=0,ROUND({sum_s},2),{renorm}))'


def grade(total_cell: str, words: dict[str, str]) -> str:
    t = total_cell
    n = SETTING_NAMES
    return (
        f'=IF(ISNUMBER({t}),IF({t}>={n["excellent_from"]},{_q(words["excellent"])},'
        f'IF({t}>={n["good_from"]},{_q(words["good"])},'
        f'IF({t}>={n["pass_from"]},{_q(words["pass"])},{_q(words["improve"])}))),"")'
    )


def team_rank(total_cell: str, team_key_cell: str, totals: str, team_keys: str) -> str:
    """Competition rank (1, 2, 2, 4) within the team, on the rounded total."""
    return (
        f'=IF(ISNUMBER({total_cell}),'
        f'COUNTIFS({team_keys},{team_key_cell},{totals},">"&{total_cell})+1,"")'
    )


def overall_rank(total_cell: str, totals: str) -> str:
    """Competition rank overall: RANK gives ties the same rank and skips the next."""
    return f'=IF(ISNUMBER({total_cell}),RANK({total_cell},{totals},0),"")'


def status_count(rg: ScoreRanges, key_cell: str, word: str) -> str:
    return f"=COUNTIFS({rg.key},{key_cell},{rg.status},{_q(word)})"


def coefficient(grade_cell: str, words: dict[str, str]) -> str:
    """绩效系数 from the grade on the same row: the grade's coefficient on 参数, blank
    without a grade (core.pay.coefficient_of)."""
    g = grade_cell
    body = '""'
    for code in ("improve", "pass", "good", "excellent"):
        body = f'IF({g}={_q(words[code])},{SETTING_NAMES["coefficient_" + code]},{body})'
    return "=" + body


def pay(rule: str, prorate: bool, base_cell: str, coefficient_cell: str, total_cell: str, months_cell: str,
        period_months: str = PERIOD_MONTHS) -> str:
    """绩效工资 = 基数 × 系数 [× 总分/100] [× 在岗月数/评分月数], rounded to 2 decimals;
    blank without a base or a coefficient (core.pay.pay, same order of operations).

    ``period_months``: the divisor — the defined name of the scope's months (汇总), or a
    cell or number for another period (a sheet of months or quarters)."""
    needs = [f"ISNUMBER({base_cell})", f"ISNUMBER({coefficient_cell})"]
    expr = f"{base_cell}*{coefficient_cell}"
    if rule == "base_coefficient_total":
        needs.append(f"ISNUMBER({total_cell})")
        expr += f"*{total_cell}/100"
    if prorate:
        expr += f"*{months_cell}/{period_months}"
    return f'=IF(AND({",".join(needs)}),ROUND({expr},2),"")'


def calibration_rank(total_cell: str, counted_cell: str, totals: str, counted: str,
                     group_cell: str | None = None, groups: str | None = None) -> str:
    """Competition rank on the rounded total among the people counted in the grade
    distribution, in the whole workbook or (``group_cell``) in the row's team; blank for
    one without a total or not counted (core.calibration)."""
    same = f"{groups},{group_cell}," if group_cell else ""
    return (f'=IF(AND(ISNUMBER({total_cell}),{counted_cell}=1),'
            f'COUNTIFS({same}{counted},1,{totals},">"&{total_cell})+1,"")')


def calibrated_grade(rank_cell: str, grade_cell: str, group: str, buckets: int, words: dict[str, str]) -> str:
    """The grade by the row's calibration rank against its group's cumulative head counts
    on 参数 (``group``: the row of that table, ``1`` or the team key cell); the raw grade
    where the group is advisory or the person not ranked. Three buckets: the middle keeps
    the raw grade, clamped into 良好 / 合格."""
    up1, up2, up3, on = (f"INDEX({name},{group})" for name in CALIBRATION_NAMES)
    q = {code: _q(w) for code, w in words.items()}
    r, g = rank_cell, grade_cell
    if buckets == 4:
        body = (f'IF({r}<={up1},{q["excellent"]},IF({r}<={up2},{q["good"]},'
                f'IF({r}<={up3},{q["pass"]},{q["improve"]})))')
    else:
        clamp = f'IF({g}={q["excellent"]},{q["good"]},IF({g}={q["improve"]},{q["pass"]},{g}))'
        body = f'IF({r}<={up1},{q["excellent"]},IF({r}<={up2},{clamp},{q["improve"]}))'
    return f'=IF(OR({r}="",{on}<>1),{g},{body})'
