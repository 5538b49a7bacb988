"""评分: qualitative and 360° ratings of 等级 KPIs (inputs.md)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from .. import vocab
from ..data import RATING_COLUMNS, frame
from ..issues import IssueType
from ..models import Rating, validate_columns
from .rows import BAD_WORD, OUT_OF_RANGE, Rows
from .values import parse_numbers, word_lookup

RATING_AMBIGUOUS = IssueType(
    "rating_ambiguous", "error",
    zh="{where}：评分 {value} 介于 0 和 1 之间，无法判断是 {value} 分还是 {percent}。请写分数（如 80）或百分比（如 80%）；这一行未使用。",
    en="{where}: rating {value} lies between 0 and 1: is it {value} points or {percent}? Write points (e.g. 80) or a percentage (e.g. 80%); this row was not used.",
)
RATING_NO_PERSON = IssueType(
    "rating_no_person", "error",
    zh="{where}：工号 {value} 在目标管理表中没有任何行，无法确定其岗位，评分未使用。请先在目标管理表中为此人填写目标。",
    en="{where}: employee {value} has no row in the target sheet, so their role is unknown and the rating was not used. Add their targets to the target sheet first.",
)
RATING_ROLE_NOT_SCORABLE = IssueType(
    "rating_role_not_scorable", "error",
    zh="{where}：{value} 的岗位 {role} 在考核方案中有错误，此人不计分，评分未使用。请先更正考核方案。",
    en="{where}: {value}'s role {role} has errors in the scheme, so this person is not scored and the rating was not used. Correct the scheme first.",
)
RATING_NOT_RATING_KPI = IssueType(
    "rating_not_rating_kpi", "error",
    zh="{where}：指标 {value} 不是岗位 {role} 的等级类指标（该岗位的等级指标：{known}）。请更正；这一行未使用。",
    en="{where}: KPI {value} is not a rating KPI of role {role} (its rating KPIs: {known}). Correct it; this row was not used.",
)

RATING_ALLOWED = "好/较好/中/较差/差, Excellent/Good/Average/Poor/Bad, A–E, 0–100"


def read_ratings(rows: Rows, targets: pd.DataFrame, scheme: pd.DataFrame, invalid_roles) -> pd.DataFrame:
    """``targets``: (employee_id, period, role) of the target rows that name a person, a
    month and a role; ``invalid_roles``: roles dropped from the scheme."""
    rows.skip_non_rows("employee_id")
    rows.reject_formulas([f.key for f in rows.kind.fields])
    rows.require(["kpi", "rater_type", "rating"])
    p = pd.DataFrame(index=rows.df.index)
    for key in ("employee_id", "kpi", "rater"):
        p[key] = rows.text(key)
    p["period"] = rows.periods("period").values
    p["rater_type"] = rows.words("rater_type", vocab.RATER_TYPES)
    p["rating"] = _ratings(rows)
    rows.dedupe(["employee_id", "kpi", "period", "rater_type", "rater"], ["rating"], p,
                lambda g: "工号/ID " + g["employee_id"] + " · " + g["kpi"] + " · " + g["period"]
                + " · " + g["rater_type"].astype(str) + " " + g["rater"])
    _cross_check(rows, p, targets, scheme, invalid_roles)
    live = rows.live
    out = p[live].copy()
    df = rows.df.loc[live, ["file", "sheet", "row"]]
    out["file"], out["sheet"], out["row"] = df["file"], df["sheet"], df["row"]
    out = out.sort_values(["employee_id", "kpi", "period", "rater_type", "rater", "file", "row"], kind="stable")
    out = frame(RATING_COLUMNS, out.reset_index(drop=True))
    validate_columns(out, Rating)  # the safety net: pydantic's constraints, a column at a time
    return out


def _ratings(rows: Rows) -> pd.Series:
    """Words (好…差, Excellent…Bad, A–E) → 1.0…0.2; numbers are points 0–100; ``80%`` is 0.8."""
    raw = rows.df["rating"]
    codes, unknown, blank = word_lookup(raw, vocab.RATING_WORDS)
    n = parse_numbers(raw.where(unknown, ""))
    value = pd.Series(codes, index=raw.index, dtype="float64")
    points = n.values.where(n.percent, n.values / 100)
    value = value.where(codes.notna(), points)
    ambiguous = unknown & ~n.percent & n.values.gt(0) & n.values.lt(1)
    rows.flag(rows.checkable & unknown & (n.bad | n.values.isna()), BAD_WORD, "rating", allowed=RATING_ALLOWED)
    out = unknown & n.values.notna() & ((value < 0) | (value > 1))
    rows.flag(rows.checkable & out, OUT_OF_RANGE, "rating", range="0–100")
    flagged = rows.checkable & ambiguous
    # The message's percentage, for the flagged rows only (a Python format per row).
    shown_pct = (n.values[flagged] * 100).map(lambda v: f"{v:g}%" if np.isfinite(v) else "")
    rows.flag(flagged, RATING_AMBIGUOUS, "rating", percent=shown_pct.astype(object).reindex(raw.index, fill_value=""))
    return value


def _cross_check(rows: Rows, p: pd.DataFrame, targets: pd.DataFrame, scheme: pd.DataFrame,
                 invalid_roles) -> None:
    """The person's role comes from their target rows — that month's, else their latest —
    including rows rejected for another cell (they still say who the person is)."""
    live = rows.live
    t = targets.sort_values(["employee_id", "period"])
    same_month = t.drop_duplicates(["employee_id", "period"], keep="last").set_index(["employee_id", "period"])["role"]
    latest = t.drop_duplicates("employee_id", keep="last").set_index("employee_id")["role"]
    key = pd.MultiIndex.from_frame(p[["employee_id", "period"]])
    role = pd.Series(same_month.reindex(key).to_numpy(), index=p.index, dtype=object)
    role = role.where(role.notna(), p["employee_id"].map(latest))
    nobody = live & role.isna()
    rows.flag(nobody, RATING_NO_PERSON, "employee_id")
    rows.flag(rows.live & role.isin(set(invalid_roles)), RATING_ROLE_NOT_SCORABLE, "employee_id", role=role)
    rating_kpis = scheme.loc[scheme["method"] == "rating", ["role", "kpi"]]
    ok = pd.Series(
        pd.MultiIndex.from_arrays([role.fillna(""), p["kpi"]]).isin(pd.MultiIndex.from_frame(rating_kpis)),
        index=p.index,
    )
    wrong = rows.live & ~ok
    if wrong.any():
        known = rating_kpis.groupby("role")["kpi"].agg(lambda k: "、".join(k))
        rows.flag(wrong, RATING_NOT_RATING_KPI, "kpi", role=role.fillna(""), known=role.map(known).fillna("—"))

