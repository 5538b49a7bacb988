"""Totals, grades and ranks (scoring.md, "Total, grade, rank")."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..models import Settings
from .collect import collect
from .rounding import round_half_up

STATUS_CODES = ("met", "near", "below", "nodata")


def grades(total_rounded, settings: Settings) -> np.ndarray:
    """Grade codes from the ROUNDED total; "" where there is no total."""
    t = np.asarray(total_rounded, dtype="float64")
    return np.select(
        [np.isnan(t), t >= settings.excellent_from, t >= settings.good_from, t >= settings.pass_from],
        ["", "excellent", "good", "pass"],
        default="improve",
    ).astype(object)


def competition_rank(values: pd.Series, groups: pd.Series | None = None) -> pd.Series:
    """Descending competition ranks (1, 2, 2, 4); <NA> where the value is missing."""
    if groups is None:
        ranks = values.rank(method="min", ascending=False)
    else:
        ranks = values.groupby(groups, sort=False).rank(method="min", ascending=False)
    return ranks.astype("Int64")


def weighted_totals(score, weight, has, groups, settings: Settings) -> pd.Series:
    """Σ points per group; with 缺失数据 = 重新分配 scaled to 100 over the weight of the
    KPIs with data when some lack it; NaN for a group with no data at all (scoring.md,
    "Total"). Sums run in row order, so the same rows give the same bits."""
    has = pd.Series(np.asarray(has, dtype=bool))
    groups = np.asarray(groups)
    g_score = pd.Series(np.where(has, np.asarray(score, dtype="float64"), 0.0)).groupby(groups, sort=False).sum()
    g_weight = pd.Series(np.where(has, np.asarray(weight, dtype="float64"), 0.0)).groupby(groups, sort=False).sum()
    any_data = has.groupby(groups, sort=False).any()
    all_data = has.groupby(groups, sort=False).all()
    if settings.missing_data == "renormalize":
        with np.errstate(divide="ignore", invalid="ignore"):
            renorm = g_score * 100.0 / g_weight.where(g_weight > 0)
        total = g_score.where(all_data, renorm)
    else:
        total = g_score
    return total.where(any_data)


def person_totals(scores: pd.DataFrame, settings: Settings) -> pd.DataFrame:
    """Per employee_id: total, status counts and the KPIs without data.

    ``scores`` holds score (NaN without data), weight, has_data, status, kpi, order.
    With renormalize and some KPI without data, total = Σ s × 100 / Σ W of the KPIs with
    data; with zero, a KPI without data adds 0. No data at all: NaN.
    """
    emp = scores["employee_id"]
    has = scores["has_data"].astype(bool)
    total = weighted_totals(scores["score"], scores["weight"], has, emp, settings)

    counts = pd.DataFrame({code: (scores["status"] == code).groupby(emp, sort=False).sum()
                           for code in STATUS_CODES})
    missing = collect(scores.loc[~has].sort_values("order", kind="stable"), ["employee_id"], "kpi")
    out = pd.DataFrame({"total": total}).join(counts)
    out["missing_kpis"] = missing.reindex(out.index)
    out.index.name = "employee_id"
    return out.reset_index()


def finish_people(people: pd.DataFrame, settings: Settings) -> pd.DataFrame:
    """Add total_rounded, grade and ranks to a people frame that has total and team."""
    people = people.copy()
    people["total_rounded"] = round_half_up(people["total"].astype("float64"), 2)
    people["grade"] = grades(people["total_rounded"], settings)
    people["team_rank"] = competition_rank(people["total_rounded"], people["team"])
    people["overall_rank"] = competition_rank(people["total_rounded"])
    return people
