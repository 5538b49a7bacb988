"""Score s of a KPI from its attainment, by method (scoring.md, "Score s").

Works on a frame of person × KPI rows at once; one vectorised branch per method.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..issues import IssueType
from .attainment import for_comparison

UNKNOWN_TIER_TABLE = IssueType(
    "core_unknown_tier_table",
    "error",
    zh="岗位 {role} 的指标 {kpi} 使用分段表 {value}，但分段计分中没有这张表，该指标按无数据处理。"
    "请在分段计分中添加这张表，或改正考核方案中的分段表名称。",
    en="KPI {kpi} of role {role} uses the tier table {value}, which is not in the Tiers sheet, "
    "so the KPI has no data. Add the table to Tiers or correct the table name in the scheme.",
)


def tier_fraction(r, table, tiers: pd.DataFrame) -> np.ndarray:
    """The fraction of the highest tier whose 完成率下限 ≤ r (r and bounds rounded to 6 decimals).

    NaN where r is NaN or the table is unknown; 0 when r is below every tier of a known table.
    """
    r6 = for_comparison(r)
    table = np.asarray(table, dtype=object)
    out = np.full(len(r6), np.nan)
    known = set(tiers["table"])
    want = ~np.isnan(r6) & np.isin(table, list(known))
    if not want.any():
        return out
    left = pd.DataFrame({"pos": np.flatnonzero(want), "r6": r6[want], "table": table[want].astype(str)})
    right = pd.DataFrame(
        {"from6": for_comparison(tiers["from_r"]), "table": tiers["table"].astype(str).to_numpy(),
         "fraction": tiers["fraction"].to_numpy(dtype="float64")}
    )
    # Two tiers with the same bound: the larger fraction wins (sorted last).
    right = right.sort_values(["from6", "fraction"], kind="stable")
    hit = pd.merge_asof(
        left.sort_values("r6", kind="stable"), right,
        left_on="r6", right_on="from6", by="table", direction="backward",
    )
    out[hit["pos"].to_numpy()] = hit["fraction"].fillna(0.0).to_numpy()
    return out


def top_step(method, table, tiers: pd.DataFrame) -> np.ndarray:
    """The highest 完成率下限 of each 分段 row's tier table; NaN for other methods and
    unknown tables (the inverse formula's best attainment, see attainment.attainment)."""
    tops = tiers.groupby("table")["from_r"].max() if len(tiers) else pd.Series(dtype="float64")
    table = pd.Series(np.asarray(table, dtype=object))
    out = table.map(tops).to_numpy(dtype="float64")
    return np.where(np.asarray(method, dtype=object) == "tiers", out, np.nan)


def method_scores(df: pd.DataFrame, r, tiers: pd.DataFrame) -> np.ndarray:
    """s for each row of ``df`` (scheme columns resolved; target/actual aggregated) given r.

    NaN where r is NaN (no data) or the method cannot be applied (unknown tier table).
    """
    r = np.asarray(r, dtype="float64")
    method = df["method"].to_numpy(dtype=object)
    w = df["weight"].to_numpy(dtype="float64")
    r6 = for_comparison(r)

    floor6 = for_comparison(df["floor"].fillna(0.0))
    cap = df["cap"].to_numpy(dtype="float64")
    ratio = np.where(r6 < floor6, 0.0, w * np.minimum(r, cap))

    tiers_s = w * tier_fraction(r, df["tier_table"].to_numpy(dtype=object), tiers)

    t = df["target"].to_numpy(dtype="float64")
    a = df["actual"].to_numpy(dtype="float64")
    lower = df["direction"].to_numpy(dtype=object) == "lower"
    shortfall = np.maximum(0.0, np.where(lower, a - t, t - a))
    # Steps of shortfall rounded like r, so 0.025 / 0.01 is 2.5 steps, not 2.5000000000000004.
    steps = for_comparison(shortfall / df["step"].to_numpy(dtype="float64"))
    deduction = np.maximum(0.0, w - df["points_per_unit"].to_numpy(dtype="float64") * steps)

    rating = w * r
    s = np.select(
        [method == "ratio", method == "tiers", method == "deduction", method == "rating"],
        [ratio, tiers_s, deduction, rating],
        default=np.nan,
    )
    return np.where(np.isnan(r), np.nan, s)
