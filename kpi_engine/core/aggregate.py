"""Aggregation over the months of the scope (scoring.md, "Scope and aggregation").

Every KPI, whatever its source, is first a set of monthly rows ``(keys…, period, target,
actual, n)``. ``n`` weighs a month in a mean: 1 for a person's own row, the number of
member-rows behind a team's monthly mean, the planned hours behind a training month.
That one weight makes a team's 平均 the mean of all member-months, and a training
KPI's A the attended hours over the planned hours of the whole scope.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

MONTH_COLUMNS = ("period", "target", "actual", "n")


def valid_months(rows: pd.DataFrame) -> pd.Series:
    """A month counts when both target and actual are present and the target is not negative."""
    return rows["target"].notna() & rows["actual"].notna() & ~(rows["target"] < 0)


def aggregate(rows: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    """T and A per ``keys`` over the given (valid) monthly rows, by each row's ``aggregation``.

    Returns ``keys`` + target, actual, months. 合计 sums; 平均 is the n-weighted mean;
    期末 takes the latest month.
    """
    if rows.empty:
        return pd.DataFrame({**{k: pd.Series([], dtype=rows[k].dtype) for k in keys},
                             "target": pd.Series([], dtype="float64"),
                             "actual": pd.Series([], dtype="float64"),
                             "months": pd.Series([], dtype="int64")})
    n = rows["n"].to_numpy(dtype="float64")
    work = pd.DataFrame({
        **{k: rows[k].to_numpy() for k in keys},
        "period": rows["period"].to_numpy(),
        "aggregation": rows["aggregation"].to_numpy(),
        "t": rows["target"].to_numpy(dtype="float64"),
        "a": rows["actual"].to_numpy(dtype="float64"),
        "tn": rows["target"].to_numpy(dtype="float64") * n,
        "an": rows["actual"].to_numpy(dtype="float64") * n,
        "n": n,
    })
    # Stable sort by period so "last" is the latest month whatever the input row order.
    work = work.sort_values("period", kind="stable")
    g = work.groupby(keys, sort=False, observed=True)
    out = g.agg(
        t_sum=("t", "sum"), a_sum=("a", "sum"), tn=("tn", "sum"), an=("an", "sum"),
        n=("n", "sum"), t_last=("t", "last"), a_last=("a", "last"),
        aggregation=("aggregation", "first"), months=("period", "nunique"),
    ).reset_index()
    agg = out["aggregation"].to_numpy(dtype=object)
    with np.errstate(divide="ignore", invalid="ignore"):
        mean_t = out["tn"].to_numpy() / out["n"].to_numpy()
        mean_a = out["an"].to_numpy() / out["n"].to_numpy()
    conds = [agg == "sum", agg == "mean", agg == "last"]
    out["target"] = np.select(conds, [out["t_sum"], mean_t, out["t_last"]], default=np.nan)
    out["actual"] = np.select(conds, [out["a_sum"], mean_a, out["a_last"]], default=np.nan)
    return out[[*keys, "target", "actual", "months"]]


def rollup_months(rows: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    """Combine several people's valid monthly rows into one monthly row per ``keys`` × period.

    The result is again monthly rows that :func:`aggregate` takes: 合计 sums the members;
    平均 is the n-weighted mean of the members, weighted by the summed n; 期末 sums the
    members' month (a percent KPI averages them: a team's end-of-period rate is a mean).
    """
    n = rows["n"].to_numpy(dtype="float64")
    work = pd.DataFrame({
        **{k: rows[k].to_numpy() for k in keys},
        "period": rows["period"].to_numpy(),
        "aggregation": rows["aggregation"].to_numpy(),
        "is_percent": rows["is_percent"].to_numpy(dtype=bool),
        "t": rows["target"].to_numpy(dtype="float64"),
        "a": rows["actual"].to_numpy(dtype="float64"),
        "tn": rows["target"].to_numpy(dtype="float64") * n,
        "an": rows["actual"].to_numpy(dtype="float64") * n,
        "n": n,
    })
    out = work.groupby([*keys, "period"], sort=False, observed=True).agg(
        t=("t", "sum"), a=("a", "sum"), tn=("tn", "sum"), an=("an", "sum"), n=("n", "sum"),
        aggregation=("aggregation", "first"), is_percent=("is_percent", "first"),
    ).reset_index()
    agg = out["aggregation"].to_numpy(dtype=object)
    averaged = (agg == "mean") | ((agg == "last") & out["is_percent"].to_numpy())
    with np.errstate(divide="ignore", invalid="ignore"):
        out["target"] = np.where(averaged, out["tn"] / out["n"], out["t"])
        out["actual"] = np.where(averaged, out["an"] / out["n"], out["a"])
    out["n"] = np.where(agg == "mean", out["n"], 1.0)
    return out[[*keys, "period", "target", "actual", "n", "aggregation", "is_percent"]]
