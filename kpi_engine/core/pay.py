"""Grade → 绩效系数 → 绩效工资, and months in post (issue 10; docs/decisions.md, "Pay").

The two rules are small functions so that every sheet that shows a coefficient or a pay
(汇总, 周期, a form per person) computes them the same way:

- :func:`coefficient_of` — the grade's coefficient from 设置 (NaN for no grade);
- :func:`pay` — 基数 × 系数 (× 总分/100 under ``基数×系数×总分/100``), × months in post /
  months in the period when ``按在岗月数折算`` is 是, rounded half-up to 2 decimals.

The writer's formulas (kpi_engine.write.formulas.coefficient / .pay) are the same rules
with the same order of operations, so LibreOffice recalculates the engine's value.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from ..issues import Issue, IssueType
from ..models import Settings
from .rounding import round_half_up

# 人员 rows of someone with no target row in the scope (docs/decisions.md, "人员 rows
# without target rows"): out of post for the whole scope by their own dates is normal
# (info); otherwise they were in post and their rows are missing, or the 工号 differs
# from the target sheet's (warning).
STAFF_LEFT_BEFORE = IssueType(
    "staff_left_before_scope", "info",
    zh="{where}：人员表中的 {employee_id}（{person}）已于 {value} 离职，早于评分期间 {scope}，期间内没有此人的目标行；未评分。",
    en="{where}: {employee_id} ({person}) on the staff sheet left on {value}, before the scope {scope}, and has no "
       "target rows in it; not scored.",
)
STAFF_JOINED_AFTER = IssueType(
    "staff_joined_after_scope", "info",
    zh="{where}：人员表中的 {employee_id}（{person}）于 {value} 入职，晚于评分期间 {scope}，期间内没有此人的目标行；未评分。",
    en="{where}: {employee_id} ({person}) on the staff sheet joined on {value}, after the scope {scope}, and has no "
       "target rows in it; not scored.",
)
STAFF_WITHOUT_TARGETS = IssueType(
    "staff_without_targets", "warning",
    zh="{where}：人员表中的 {employee_id}（{person}）在评分期间 {scope} 内没有任何目标行；未评分。如果此人应参加考核，"
       "请在目标管理表中加入其目标行（工号须与人员表完全一致，例如 00123 与 123 不同）；如果此人已离职，请在人员表填写离职日期。",
    en="{where}: {employee_id} ({person}) on the staff sheet has no target rows in the scope {scope}; not scored. "
       "If they should be scored, add their rows to the target sheet (the 工号 must match the staff sheet's exactly: "
       "00123 is not 123); if they have left, write their leaving date on the staff sheet.",
)


def coefficient_of(grade, settings: Settings):
    """绩效系数 of a grade code (or an array of them): NaN where there is no grade."""
    table = settings.coefficients()
    if isinstance(grade, str):
        return float(table.get(grade, np.nan))
    codes = pd.Series(np.asarray(grade, dtype=object))
    return codes.map(table).astype("float64").to_numpy()


def pay(base, coefficient, total, months, settings: Settings, period_months):
    """绩效工资, rounded half-up to 2 decimals; NaN without a base or a coefficient.

    ``total`` is the rounded 总分 (used only by 基数×系数×总分/100; a rule that needs it
    gives NaN without it), ``months`` the months in post within the period and
    ``period_months`` the months in the period (a number, or one per value: 周期's
    periods differ in length). The operations run left to right as the
    live formula writes them: base × coefficient [× total / 100] [× months / period]."""
    b = np.asarray(base, dtype="float64")
    v = b * np.asarray(coefficient, dtype="float64")
    if settings.pay_rule == "base_coefficient_total":
        v = v * np.asarray(total, dtype="float64") / 100
    if settings.prorate:
        n = np.asarray(period_months, dtype="float64")
        with np.errstate(divide="ignore", invalid="ignore"):
            v = np.where(n > 0, v * np.asarray(months, dtype="float64") / n, v)
    return round_half_up(v, 2)


def month_number(periods) -> np.ndarray:
    """"YYYY-MM" → year × 12 + month − 1; NaN for ""."""
    s = pd.Series(np.asarray(periods, dtype=object)).fillna("").astype(str)
    ok = s.str.len() == 7
    year = pd.to_numeric(s.str[:4].where(ok), errors="coerce")
    month = pd.to_numeric(s.str[5:7].where(ok), errors="coerce")
    return (year * 12 + month - 1).to_numpy(dtype="float64")


def in_post(people: pd.DataFrame, staff: pd.DataFrame, scope: Sequence[str], settings: Settings) -> pd.DataFrame:
    """Per person (aligned with ``people``): joined, left (YYYY-MM or ""), months_in_post,
    base, new_hire, leaver, probation.

    ``people`` holds employee_id, first_period and last_period (their first and last month
    with rows in scope). The joining month is 人员's 入职日期, or, without one, the first
    month with rows when that is after the scope's first month (the person joined inside
    it); leaving likewise with 离职日期 and the last month with rows. Months in post: the
    scope's months from the joining month to the leaving month, both counted."""
    ids = people["employee_id"].astype(str)
    rows = staff.loc[staff["period"] == ""].drop_duplicates("employee_id", keep="first").set_index("employee_id")
    joined_date = rows["joined"].reindex(ids).dt.strftime("%Y-%m").fillna("").to_numpy(dtype=object)
    left_date = rows["left"].reindex(ids).dt.strftime("%Y-%m").fillna("").to_numpy(dtype=object)
    first = people["first_period"].astype(str).to_numpy(dtype=object)
    last = people["last_period"].astype(str).to_numpy(dtype=object)
    start, end = (scope[0], scope[-1]) if scope else ("", "")
    joined = np.where(joined_date != "", joined_date, np.where(first > start, first, ""))
    left = np.where(left_date != "", left_date, np.where(last < end, last, ""))

    months = month_number(list(scope))
    j, lv = month_number(joined), month_number(left)
    lo = np.where(np.isnan(j), -np.inf, j)
    hi = np.where(np.isnan(lv), np.inf, lv)
    months_in_post = ((months[None, :] >= lo[:, None]) & (months[None, :] <= hi[:, None])).sum(axis=1) if len(
        months) else np.zeros(len(people), dtype=int)
    end_n = months[-1] if len(months) else np.nan
    # 试用期 only from 人员's 入职日期: a first month with rows says when data starts, not
    # when a contract did.
    hired = month_number(joined_date)
    with np.errstate(invalid="ignore"):
        probation = (settings.probation_months > 0) & ~np.isnan(hired) & (end_n - hired < settings.probation_months) & (
            end_n >= hired)

    # 基数: 人员's, else the target sheet's of the person's latest month in scope that has one.
    base = rows["base"].reindex(ids).to_numpy(dtype="float64")
    monthly = staff.loc[(staff["period"] != "") & staff["period"].isin(list(scope)) & staff["base"].notna()]
    if len(monthly):
        latest = monthly.sort_values(["employee_id", "period"], kind="stable").groupby("employee_id")["base"].last()
        from_targets = latest.reindex(ids).to_numpy(dtype="float64")
        base = np.where(np.isnan(base), from_targets, base)
    return pd.DataFrame({
        "joined": joined, "left": left, "months_in_post": months_in_post.astype(int), "base": base,
        "new_hire": (joined != "") & (joined > start), "leaver": (left != "") & (left < end),
        "probation": probation,
    }, index=people.index)


def unscored_staff(staff: pd.DataFrame, scored: Sequence[str], scope: Sequence[str]) -> list[Issue]:
    """One issue per 人员 row whose 工号 has no target row in ``scope`` (``scored``: the
    工号 with rows in it): info when the row's own dates put the person out of post for
    the whole scope (离职日期 before its first month, 入职日期 after its last), else a
    warning. In 人员's row order."""
    rows = staff.loc[(staff["period"] == "") & ~staff["employee_id"].isin(set(scored))]
    if rows.empty or not scope:
        return []
    # A frame built by hand may lack the provenance columns: the issue then names less.
    rows = rows.assign(**{c: rows[c] if c in rows else "" for c in ("name", "file", "sheet", "id_cell")},
                       row=rows["row"] if "row" in rows else 0)
    rows = rows.sort_values(["file", "sheet", "row"], kind="stable")
    left = rows["left"].dt.strftime("%Y-%m").fillna("")
    joined = rows["joined"].dt.strftime("%Y-%m").fillna("")
    gone = ((left != "") & (left < scope[0])).to_numpy()
    later = ((joined != "") & (joined > scope[-1])).to_numpy()
    label = scope[0] if len(scope) == 1 else f"{scope[0]} – {scope[-1]}"
    left_day = rows["left"].dt.strftime("%Y-%m-%d").fillna("").to_numpy(dtype=object)
    joined_day = rows["joined"].dt.strftime("%Y-%m-%d").fillna("").to_numpy(dtype=object)
    out = []
    for i, r in enumerate(rows.itertuples(index=False)):  # one per 人员 row, never per data row
        kind, value = ((STAFF_LEFT_BEFORE, left_day[i]) if gone[i] else (STAFF_JOINED_AFTER, joined_day[i]) if later[i]
                       else (STAFF_WITHOUT_TARGETS, r.employee_id))
        out.append(kind(file=r.file, sheet=r.sheet, cell=r.id_cell, field="employee_id", value=value,
                        employee_id=r.employee_id, person=r.name, scope=label))
    return out
