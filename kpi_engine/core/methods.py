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


def tier_points(tiers: pd.DataFrame) -> pd.DataFrame:
    """The tier tables as both the engine and the workbook's formulas read them.

    Columns table, from6 (the 完成率下限 rounded to 6 decimals, as r is), fraction, linear
    (the table's 计分曲线 is 线性) and slope: on a linear table the rise per unit of r up to
    the next point, 0 on the last point (flat above it), on a step table and before an equal
    bound. Sorted by table, from6, fraction: of two equal bounds the larger fraction comes
    last, which both merge_asof and LOOKUP pick. The slope is kept to the 16 significant
    digits the workbook stores, so the 参数 sheet holds exactly the engine's number."""
    table = tiers["table"].astype(str).to_numpy()
    curve = tiers["curve"].astype(str).to_numpy() if "curve" in tiers else np.full(len(tiers), "")
    linear_tables = set(table[curve == "linear"])
    t = pd.DataFrame({
        "table": table,
        "from6": for_comparison(tiers["from_r"]),
        "fraction": tiers["fraction"].to_numpy(dtype="float64"),
        "linear": np.isin(table, list(linear_tables)),
    }).sort_values(["table", "from6", "fraction"], kind="stable").reset_index(drop=True)
    same = (t["table"].shift(-1) == t["table"]).to_numpy()
    dx = (t["from6"].shift(-1) - t["from6"]).to_numpy()
    rise = (t["fraction"].shift(-1) - t["fraction"]).to_numpy()
    use = same & (dx > 0) & t["linear"].to_numpy()
    slope = np.zeros(len(t))
    slope[use] = rise[use] / dx[use]
    t["slope"] = [float(f"{x:.16G}") for x in slope]  # a handful of rows
    return t


def tier_fraction(r, table, tiers: pd.DataFrame) -> np.ndarray:
    """The score fraction of r (rounded to 6 decimals) on each row's tier table.

    Steps: the fraction of the highest tier whose 完成率下限 ≤ r. Linear: that point's
    fraction plus the slope to the next point times how far r is past it, so a line
    through the points, flat above the last one (and r ≥ 0 never falls below the first,
    which is 0%). NaN where r is NaN or the table is unknown; 0 when r is below every tier
    of a known table (a hand-built table without a 0% tier)."""
    r6 = for_comparison(r)
    table = np.asarray(table, dtype=object)
    out = np.full(len(r6), np.nan)
    known = set(tiers["table"])
    want = ~np.isnan(r6) & np.isin(table, list(known))
    if not want.any():
        return out
    left = pd.DataFrame({"pos": np.flatnonzero(want), "r6": r6[want], "table": table[want].astype(str)})
    right = tier_points(tiers)[["table", "from6", "fraction", "slope"]]
    hit = pd.merge_asof(
        left.sort_values("r6", kind="stable"), right.sort_values("from6", kind="stable"),
        left_on="r6", right_on="from6", by="table", direction="backward",
    )
    # As the workbook: LOOKUP(r,X,F) + (r − LOOKUP(r,X,X)) × LOOKUP(r,X,S), the same float steps.
    value = hit["fraction"].to_numpy() + (hit["r6"].to_numpy() - hit["from6"].to_numpy()) * hit["slope"].to_numpy()
    out[hit["pos"].to_numpy()] = np.where(np.isnan(value), 0.0, value)
    return out


def accelerated(r, accel_from, accel_by) -> np.ndarray:
    """The attainment a 完成率 KPI scores on before its cap: above accel_from each point of r
    counts accel_by times (start + (r − start) × multiplier); r itself where there is no
    accelerator (NaN multiplier) or r is at or below the start."""
    r = np.asarray(r, dtype="float64")
    start = np.asarray(accel_from, dtype="float64")
    by = np.asarray(accel_by, dtype="float64")
    on = ~np.isnan(by) & (r > start)
    return np.where(on, start + (r - start) * by, r)


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
    # The floor reads r itself; the cap bounds the accelerated attainment.
    boosted = accelerated(r, df["accel_from"], df["accel_by"])
    ratio = np.where(r6 < floor6, 0.0, w * np.minimum(boosted, cap))

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
