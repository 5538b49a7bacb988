"""目标管理: one row per employee × KPI × month (inputs.md).

This is the sheet that can hold a million rows, so everything here is column-wise; the
checks mirror :class:`kpi_engine.models.TargetRow` (non-empty 工号/岗位/指标, a
``YYYY-MM`` period, float or NaN target and actual) instead of running pydantic per
row — see docs/decisions.md for the measurement.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..data import TARGET_COLUMNS
from ..data import _as as as_dtype
from ..issues import IssueType
from .rows import REJECTED, Rows
from .scheme import Scheme, is_percent_unit
from .values import clean_text

UNKNOWN_ROLE = IssueType(
    "unknown_role", "error",
    zh="{where}：岗位 {value} 不在考核方案中（现有岗位：{known}）。请更正岗位或在考核方案中添加；这一行未使用。",
    en="{where}: role {value} is not in the scheme (known roles: {known}). Correct the role or add it to the scheme; this row was not used.",
)
UNKNOWN_KPI = IssueType(
    "unknown_kpi", "error",
    zh="{where}：指标 {value} 不是岗位 {role} 在考核方案中的指标（该岗位的指标：{known}）。请更正；这一行未使用。",
    en="{where}: KPI {value} is not a KPI of role {role} in the scheme (its KPIs: {known}). Correct it; this row was not used.",
)
PERCENT_SCALE_MISMATCH = IssueType(
    "percent_scale_mismatch", "error",
    zh="{where}：百分比指标的目标值 {target} 与实际值 {actual} 的写法不一致（一个像 95，一个像 0.95），无法判断。请统一写成 95% 的形式；这一行未使用。",
    en="{where}: for this percentage KPI the target {target} and the actual {actual} are on different scales (one like 95, the other like 0.95). Write both like 95%; this row was not used.",
)
ROLE_WEIGHTS_INVALID = IssueType(
    "role_weights_invalid", "error",
    zh="{where}：{value} 的岗位 {role} 权重合计为 {sum}，不是 100，此人不计分（{rows} 行）。请在考核方案中调整权重。",
    en="{where}: {value}'s role {role} has weights adding up to {sum}, not 100, so this person is not scored ({rows} rows). Adjust the weights in the scheme.",
)
ROLE_NOT_SCORABLE = IssueType(
    "role_not_scorable", "error",
    zh="{where}：{value} 的岗位 {role} 在考核方案中有错误，此人不计分（{rows} 行）。请先更正考核方案。",
    en="{where}: {value}'s role {role} has errors in the scheme, so this person is not scored ({rows} rows). Correct the scheme first.",
)


def parse_targets(rows: Rows) -> pd.DataFrame:
    """Per-row parsing: ids, texts, period, numbers (percent scale comes later)."""
    rows.skip_non_rows("employee_id")
    rows.reject_formulas([f.key for f in rows.kind.fields])
    rows.require(["name", "team", "role", "kpi"])
    p = pd.DataFrame(index=rows.df.index)
    for key in ("employee_id", "name", "team", "role", "kpi", "unit", "note"):
        p[key] = rows.text(key)
    p["period"] = rows.periods("period").values
    t = rows.numbers("target")
    a = rows.numbers("actual")
    p["target"], p["actual"] = t.values, a.values
    if rows.has_column("base"):  # 绩效工资基数 (optional): read now, the raw cells go in finish_targets
        from .staff import parse_base

        p["base"] = parse_base(rows)
    return p


def percent_kpis(scheme: Scheme, rows: Rows, p: pd.DataFrame) -> pd.Series:
    """Which scheme rows are % KPIs: the target rows' 单位 is %, or, when none of the
    role × KPI's target rows gives a unit, the scheme's 单位 is %. Aligned with scheme rows."""
    sp = scheme.parsed
    live = rows.status != "skipped"
    t = pd.DataFrame({"role": p["role"], "kpi": p["kpi"], "pct": rows.text_map("unit", is_percent_unit),
                      "unit": p["unit"] != ""})[live]
    by = t.groupby(["role", "kpi"]).agg(pct=("pct", "any"), unit=("unit", "any"))
    key = pd.MultiIndex.from_frame(sp[["role", "kpi"]])
    from_targets = pd.Series(by["pct"].reindex(key).to_numpy(), index=sp.index)
    has_unit = pd.Series(by["unit"].reindex(key).to_numpy(), index=sp.index).eq(True)
    from_scheme = is_percent_unit(sp["unit"])
    return from_targets.where(has_unit, from_scheme).eq(True)


def people_roles(rows: Rows, p: pd.DataFrame) -> pd.DataFrame:
    """(employee_id, period, role) of every target row that names them, used or rejected."""
    keep = rows.status.isin(["ok", "rejected"]) & (p["employee_id"] != "") & (p["period"] != "") & (p["role"] != "")
    return p.loc[keep, ["employee_id", "period", "role"]]


def finish_targets(rows: Rows, p: pd.DataFrame, scheme: Scheme, scheme_frame: pd.DataFrame) -> pd.DataFrame:
    """Percent scale, duplicates, and the cross-checks against the scheme → TARGET_COLUMNS."""
    _percent_scale(rows, p, scheme_frame)
    rows.dedupe(["employee_id", "kpi", "period"], ["name", "team", "role", "target", "actual"], p,
                lambda g: "工号/ID " + g["employee_id"] + " · " + g["kpi"] + " · " + g["period"])
    _cross_check(rows, p, scheme, scheme_frame)
    # Every check is made: the raw cells go before the result is built (the peak).
    rows.drop_cells()
    live_mask = rows.live
    live = np.flatnonzero(live_mask.to_numpy())
    # Live rows are unique on (工号, 指标, 期间) once duplicates are settled, so file and row
    # never break a tie: sorting on integer codes of the three keys is the same order.
    order = np.lexsort([pd.factorize(p[k].to_numpy()[live], sort=True)[0] for k in ("period", "kpi", "employee_id")])
    take = live[order]
    # One column at a time, straight into its place and type: no copy of the whole frame
    # to filter, another to sort and two more to type it (data.frame).
    out = {}
    for col, dtype in TARGET_COLUMNS.items():
        if col.endswith("_cell"):  # target_cell, actual_cell: named for the live rows, in their order
            values = rows.cells(col.removesuffix("_cell"), live_mask).to_numpy()[order]
        elif col in ("file", "sheet", "row"):
            values = rows.df[col].array.take(take)
        else:
            values = p[col].to_numpy()[take]
        out[col] = _typed(values, dtype)
    return pd.DataFrame(out, index=range(len(take)), copy=False)


_STR = pd.Series([""]).astype(str).dtype  # the dtype data.frame gives a "str" column


def _typed(values, dtype: str) -> pd.Series:
    """One result column in the dtype data.frame gives it; text already in that dtype is kept."""
    s = pd.Series(values, copy=False)
    if dtype == "str" and s.dtype == _STR and not s.isna().any():
        return s
    return as_dtype(s, dtype)


def _percent_scale(rows: Rows, p: pd.DataFrame, scheme_frame: pd.DataFrame) -> None:
    """In a % KPI a row whose non-zero values are all above 2 is on the points scale (95 → 0.95);
    one above 2 and the other at most 2 (both non-zero) is refused, never guessed."""
    pct = scheme_frame.loc[scheme_frame["is_percent"], ["role", "kpi"]]
    if pct.empty:
        return
    key = pd.MultiIndex.from_frame(p[["role", "kpi"]])
    is_pct = rows.live & pd.Series(key.isin(pd.MultiIndex.from_frame(pct)), index=p.index)
    t, a = p["target"], p["actual"]
    nz_t = is_pct & t.notna() & (t != 0)
    nz_a = is_pct & a.notna() & (a != 0)
    big_t, big_a = t.abs() > 2, a.abs() > 2
    mismatch = nz_t & nz_a & (big_t != big_a)
    if mismatch.any():
        target_text = clean_text(rows.df.loc[mismatch, "target"]).reindex(p.index)
        actual_text = clean_text(rows.df.loc[mismatch, "actual"]).reindex(p.index)
        rows.flag(mismatch, PERCENT_SCALE_MISMATCH, "actual", actual_text, target=target_text, actual=actual_text)
    points = is_pct & ~mismatch & (nz_t | nz_a) & (~nz_t | big_t) & (~nz_a | big_a)
    p.loc[points, "target"] = t[points] / 100
    p.loc[points, "actual"] = a[points] / 100


def _cross_check(rows: Rows, p: pd.DataFrame, scheme: Scheme, scheme_frame: pd.DataFrame) -> None:
    live = rows.live
    valid_roles = set(scheme_frame["role"])
    known_roles = valid_roles | set(scheme.invalid_roles)
    unknown = live & ~p["role"].isin(known_roles)
    rows.flag(unknown, UNKNOWN_ROLE, "role", known="、".join(sorted(known_roles)) or "—")

    # One issue per person of a role that cannot be scored (brief: not one per row).
    bad_role = rows.live & p["role"].isin(set(scheme.invalid_roles))
    if bad_role.any():
        sub = p[bad_role]
        firsts = ~sub.duplicated(["employee_id", "role"])
        n_rows = sub.groupby(["employee_id", "role"])["kpi"].transform("size")
        reason = sub["role"].map(scheme.invalid_roles)
        weights = bad_role & firsts.reindex(p.index, fill_value=False) & (reason != "rows").reindex(p.index, fill_value=False)
        others = bad_role & firsts.reindex(p.index, fill_value=False) & (reason == "rows").reindex(p.index, fill_value=False)
        rows.flag(weights, ROLE_WEIGHTS_INVALID, "role", p["employee_id"], status=None,
                  role=p["role"], sum=p["role"].map(scheme.invalid_roles), rows=n_rows.reindex(p.index))
        rows.flag(others, ROLE_NOT_SCORABLE, "role", p["employee_id"], status=None,
                  role=p["role"], rows=n_rows.reindex(p.index))
        rows.status[bad_role] = REJECTED

    live = rows.live
    pairs = pd.MultiIndex.from_frame(scheme_frame[["role", "kpi"]])
    ok = pd.Series(pd.MultiIndex.from_frame(p[["role", "kpi"]]).isin(pairs), index=p.index)
    wrong = live & ~ok
    if wrong.any():
        kpis_of = scheme_frame.groupby("role")["kpi"].agg(lambda k: "、".join(k))
        rows.flag(wrong, UNKNOWN_KPI, "kpi", role=p["role"], known=p["role"].map(kpis_of).fillna("—"))
