"""Attainment r and status (scoring.md, "Attainment r" and "Status")."""

from __future__ import annotations

import numpy as np

from ..models import Settings

# r is rounded to 6 decimals before every comparison, so that 0.95/1.0 computed as
# 0.9499999999 is still 0.95 (scoring.md, "Status").
COMPARE_DECIMALS = 6


def for_comparison(values) -> np.ndarray:
    return np.round(np.asarray(values, dtype="float64"), COMPARE_DECIMALS)


def attainment(target, actual, lower, inverse: bool, cap, top_step=None) -> np.ndarray:
    """r for each row, uncapped; NaN where T or A is missing or T < 0.

    ``lower`` is a bool array (越低越好), ``inverse`` the setting 反向公式 = 目标/实际,
    ``cap`` the row's resolved cap and ``top_step`` the top 完成率下限 of a 分段 KPI's table
    (NaN otherwise): with the inverse formula, A = 0 takes the best attainment the method
    allows, the larger of the two.
    """
    t = np.asarray(target, dtype="float64")
    a = np.asarray(actual, dtype="float64")
    lower = np.asarray(lower, dtype=bool)
    cap = np.broadcast_to(np.asarray(cap, dtype="float64"), t.shape)
    best = cap if top_step is None else np.fmax(cap, np.broadcast_to(np.asarray(top_step, dtype="float64"), t.shape))
    with np.errstate(divide="ignore", invalid="ignore"):
        q = a / t
        higher_pos = np.maximum(0.0, q)
        lower_two = np.maximum(0.0, 2.0 - q)
        # scoring.md: T / A; when A = 0 (an actual below 0 is taken as 0) the best the
        # method allows — at least the cap, and at least a 分段 table's top step — so a
        # zero never scores below a small actual (issue 10).
        lower_inv = np.where(a > 0, t / a, best)
    lower_pos = lower_inv if inverse else lower_two
    r = np.select(
        [
            np.isnan(t) | np.isnan(a) | (t < 0),
            ~lower & (t > 0),
            ~lower & (t == 0),
            lower & (t > 0),
            lower & (t == 0),
        ],
        [
            np.nan,
            higher_pos,
            np.where(a >= 0, 1.0, 0.0),
            lower_pos,
            np.where(a <= 0, 1.0, 0.0),
        ],
        default=np.nan,
    )
    return r.astype("float64")


def status(r, is_rating, settings: Settings) -> np.ndarray:
    """"met" | "near" | "below" | "nodata" for each r (NaN: no data)."""
    r6 = for_comparison(r)
    is_rating = np.asarray(is_rating, dtype=bool)
    met_from = np.where(is_rating, settings.rating_met_from, 1.0)
    near_from = np.where(is_rating, settings.rating_near_from, settings.near_from)
    met_from, near_from = for_comparison(met_from), for_comparison(near_from)
    return np.select(
        [np.isnan(r6), r6 >= met_from, r6 >= near_from],
        ["nodata", "met", "near"],
        default="below",
    ).astype(object)
