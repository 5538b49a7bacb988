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

    Returns ``keys`` + target, actual. 合计 sums; 平均 is the n-weighted mean; 期末 takes
    the latest month (one row per key and month is assumed, as the readers guarantee).
    """
    if rows.empty:
        return pd.DataFrame({**{k: pd.Series([], dtype=rows[k].dtype) for k in keys},
                             "target": pd.Series([], dtype="float64"),
                             "actual": pd.Series([], dtype="float64")})
    n = rows["n"].to_numpy(dtype="float64")
    t = rows["target"].to_numpy(dtype="float64")
    a = rows["actual"].to_numpy(dtype="float64")
    # Months as sortable integers: the latest month of a key is its largest code.
    month = pd.factorize(rows["period"], sort=True)[0]
    work = pd.DataFrame({**{k: rows[k].to_numpy() for k in keys}, "t": t, "a": a, "tn": t * n, "an": a * n,
                         "n": n, "month": month, "aggregation": rows["aggregation"].to_numpy(dtype=object)})
    g = work.groupby(keys, sort=False)
    out = g[["t", "a", "tn", "an", "n"]].sum()
    latest = work.loc[month == g["month"].transform("max").to_numpy()]
    last = latest.groupby(keys, sort=False)[["t", "a"]].last().reindex(out.index)
    agg = g["aggregation"].first().reindex(out.index).to_numpy(dtype=object)
    with np.errstate(divide="ignore", invalid="ignore"):
        mean_t = out["tn"].to_numpy() / out["n"].to_numpy()
        mean_a = out["an"].to_numpy() / out["n"].to_numpy()
    conds = [agg == "sum", agg == "mean", agg == "last"]
    result = out.index.to_frame(index=False)
    result["target"] = np.select(conds, [out["t"].to_numpy(), mean_t, last["t"].to_numpy()], default=np.nan)
    result["actual"] = np.select(conds, [out["a"].to_numpy(), mean_a, last["a"].to_numpy()], default=np.nan)
    return result


def rollup_months(rows: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    """Combine several people's valid monthly rows into one monthly row per ``keys`` × period.

    The result is again monthly rows that :func:`aggregate` takes: 合计 sums the members;
    平均 is the n-weighted mean of the members, weighted by the summed n; 期末 sums the
    members' month (a percent KPI averages them: a team's end-of-period rate is a mean).
    ``aggregation`` and ``is_percent`` must be the same on every row of a key.
    """
    # Group on one integer made of the codes of keys and period (text keys group slowly).
    codes, uniques = zip(*(pd.factorize(rows[c], sort=False) for c in [*keys, "period"]))
    group = np.zeros(len(rows), dtype="int64")
    for code, unique in zip(codes, uniques):
        group = group * len(unique) + code
    n = rows["n"].to_numpy(dtype="float64")
    t = rows["target"].to_numpy(dtype="float64")
    a = rows["actual"].to_numpy(dtype="float64")
    work = pd.DataFrame({"g": group, "t": t, "a": a, "tn": t * n, "an": a * n, "n": n})
    sums = work.groupby("g", sort=False).sum()
    first = pd.Series(np.arange(len(rows))).groupby(group, sort=False).first().reindex(sums.index).to_numpy()
    out = pd.DataFrame({c: rows[c].to_numpy()[first] for c in [*keys, "period", "aggregation", "is_percent"]})
    agg = out["aggregation"].to_numpy(dtype=object)
    averaged = (agg == "mean") | ((agg == "last") & out["is_percent"].to_numpy(dtype=bool))
    with np.errstate(divide="ignore", invalid="ignore"):
        out["target"] = np.where(averaged, sums["tn"].to_numpy() / sums["n"].to_numpy(), sums["t"].to_numpy())
        out["actual"] = np.where(averaged, sums["an"].to_numpy() / sums["n"].to_numpy(), sums["a"].to_numpy())
    out["n"] = np.where(agg == "mean", sums["n"].to_numpy(), 1.0)
    return out[[*keys, "period", "target", "actual", "n", "aggregation", "is_percent"]]
