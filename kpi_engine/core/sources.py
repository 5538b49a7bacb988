"""Monthly rows of every target-based KPI, whatever its source (scoring.md, "Sources other
than the person's own rows").

- 本人 own: the person's own 目标管理 rows.
- 培训 training: A = attended / planned hours of the month's training rows (weight n =
  planned hours, so the scope's A is Σ attended / Σ planned); T = the person's own target
  when written, else 100%.
- 团队:KPI team: A = the team's monthly roll-up of that KPI over every member's rows; T =
  the person's own target when written, else the roll-up's.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..issues import Issue, IssueType
from .aggregate import rollup_months, valid_months

NEGATIVE_TARGET = IssueType(
    "core_negative_target",
    "error",
    zh="{where}：{person}（{employee_id}）{period} 的指标 {kpi} 目标值为 {value}。负数目标无法计算完成率，"
    "该指标按无数据处理。请把目标值改为 0 或正数。",
    en="{where}: the target of KPI {kpi} for {person} ({employee_id}) in {period} is {value}. A negative "
    "target gives no meaningful attainment, so the KPI has no data. Change the target to 0 or more.",
)

MONTHLY = ["pk", "employee_id", "kpi", "period", "target", "actual", "n", "aggregation"]


def _empty_monthly() -> pd.DataFrame:
    return pd.DataFrame({
        "pk": pd.Series([], dtype="int64"), "employee_id": pd.Series([], dtype=object), "kpi": pd.Series([], dtype=object),
        "period": pd.Series([], dtype=object), "target": pd.Series([], dtype="float64"),
        "actual": pd.Series([], dtype="float64"), "n": pd.Series([], dtype="float64"),
        "aggregation": pd.Series([], dtype=object),
    })


def monthly_rows(
    targets: pd.DataFrame,
    kpis: pd.DataFrame,
    training: pd.DataFrame,
    kpi_info: pd.DataFrame,
) -> tuple[pd.DataFrame, pd.DataFrame, np.ndarray, list[Issue]]:
    """Every target-based person × KPI × month row of the scope.

    ``kpis``: one row per scored person × KPI of their role (scheme columns resolved, plus
    the person's team and name, numbered by ``pk``). ``kpi_info``: one row per KPI name
    (aggregation, is_percent) for roll-ups. Returns (monthly rows, team monthly roll-ups,
    the pk of the person × KPI pairs with a negative target, issues).
    """
    keys = ["employee_id", "kpi"]
    target_based = kpis.loc[kpis["method"] != "rating"]
    matched = targets[[*keys, "period", "target", "actual", "file", "sheet", "target_cell"]].merge(
        target_based[[*keys, "pk", "source", "aggregation", "name", "team"]], on=keys, how="inner"
    )

    issues: list[Issue] = []
    negative = matched.loc[matched["target"] < 0]
    for row in negative.itertuples(index=False):  # one per erroneous cell, never per data row
        issues.append(NEGATIVE_TARGET(
            file=row.file, sheet=row.sheet, cell=row.target_cell, field="target", value=row.target,
            person=row.name, employee_id=row.employee_id, team=row.team, kpi=row.kpi, period=row.period,
        ))
    bad = negative["pk"].unique()

    own = matched.loc[matched["source"] == "own", [*MONTHLY[:6], "aggregation"]].assign(n=1.0)
    trained = _training_rows(matched, target_based, training)
    base = pd.concat([_empty_monthly(), own[MONTHLY], trained[MONTHLY]], ignore_index=True)

    team_monthly = team_rollup_months(base, kpis, kpi_info)
    teamed = _team_rows(matched, target_based, team_monthly, kpi_info)
    rows = pd.concat([base, teamed[MONTHLY]], ignore_index=True)
    return rows, team_monthly, bad, issues


def team_rollup_months(base: pd.DataFrame, kpis: pd.DataFrame, kpi_info: pd.DataFrame) -> pd.DataFrame:
    """team × KPI × month roll-ups over the valid monthly rows of every member (a person's
    team is their latest team in scope), with each KPI's own aggregation."""
    rows = base.loc[valid_months(base)]
    pk = rows["pk"].to_numpy(dtype="int64")
    # One aggregation per KPI name for roll-ups, whatever role a member holds (kpi_info);
    # looked up once per person × KPI, then taken by pk for the monthly rows.
    info = kpi_info.set_index("kpi")
    aggregation = kpis["kpi"].map(info["aggregation"]).fillna(kpis["aggregation"]).to_numpy(dtype=object)
    is_percent = kpis["kpi"].map(info["is_percent"]).fillna(False).to_numpy(dtype=bool)
    rows = rows.assign(team=kpis["team"].to_numpy(dtype=object)[pk], aggregation=aggregation[pk],
                       is_percent=is_percent[pk])
    if rows.empty:
        out = _empty_monthly().assign(team=pd.Series([], dtype=object), is_percent=pd.Series([], dtype=bool))
        return out[["team", "kpi", "period", "target", "actual", "n", "aggregation", "is_percent"]]
    return rollup_months(rows, ["team", "kpi"])


def _training_rows(matched: pd.DataFrame, target_based: pd.DataFrame, training: pd.DataFrame) -> pd.DataFrame:
    wanted = target_based.loc[target_based["source"] == "training", ["pk", "employee_id", "kpi"]]
    if wanted.empty or training.empty:
        return _empty_monthly()
    hours = training.assign(attended=training["attended_hours"].fillna(0.0))  # blank = 0, absent
    months = hours.groupby(["employee_id", "period"], sort=False).agg(
        attended=("attended", "sum"), planned=("planned_hours", "sum")
    ).reset_index()
    rows = wanted.merge(months, on="employee_id", how="inner")
    own_targets = matched.loc[matched["source"] == "training", ["employee_id", "kpi", "period", "target"]]
    rows = rows.merge(own_targets, on=["employee_id", "kpi", "period"], how="left")
    with np.errstate(divide="ignore", invalid="ignore"):
        actual = rows["attended"] / rows["planned"].where(rows["planned"] > 0)
    return rows.assign(
        target=rows["target"].fillna(1.0),  # T = 100% unless the person's own row gives one
        actual=actual,
        n=rows["planned"],
        # A training KPI's aggregation is always 平均 (scheme.normalise), and with n = planned
        # hours that mean is Σ attended / Σ planned over the scope.
        aggregation="mean",
    )


def _team_rows(
    matched: pd.DataFrame, target_based: pd.DataFrame, team_monthly: pd.DataFrame, kpi_info: pd.DataFrame
) -> pd.DataFrame:
    wanted = target_based.loc[
        target_based["source"] == "team", ["pk", "employee_id", "kpi", "team", "source_kpi", "aggregation"]
    ]
    if wanted.empty:
        return _empty_monthly()
    # The roll-up uses the source KPI's aggregation (the team sheet shows the same numbers).
    info = kpi_info.set_index("kpi")["aggregation"]
    wanted = wanted.assign(aggregation=wanted["source_kpi"].map(info).fillna(wanted["aggregation"]))
    source = team_monthly.rename(columns={"kpi": "source_kpi", "target": "team_target"})
    from_team = wanted.drop(columns="aggregation").merge(source, on=["team", "source_kpi"], how="inner")
    own_targets = matched.loc[matched["source"] == "team", ["employee_id", "kpi", "period", "target"]]
    keys = ["employee_id", "kpi", "period"]
    rows = from_team[[*keys, "team_target", "actual", "n"]].merge(own_targets, on=keys, how="outer")
    rows = rows.merge(wanted[["pk", "employee_id", "kpi", "aggregation"]], on=["employee_id", "kpi"], how="left")
    return rows.assign(
        target=rows["target"].fillna(rows["team_target"]),
        n=rows["n"].fillna(1.0),
    )
