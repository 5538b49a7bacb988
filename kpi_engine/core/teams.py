"""Team roll-ups and the team summary (scoring.md, "Team roll-up")."""

from __future__ import annotations

import numpy as np
import pandas as pd

from .. import data as d
from ..issues import Issue, IssueType
from ..models import Settings
from .aggregate import aggregate
from .calibration import counted_in_distribution
from .attainment import attainment, status
from .methods import top_step

TOO_MANY_EXCELLENT = IssueType(
    "core_excellent_share_exceeded",
    "warning",
    zh="部门 {team} 有 {excellent} 人评为优秀，占已评分 {scored} 人的 {share}，超过设置的优秀比例上限 {limit}。"
    "请复核该部门的评分。",
    en="Team {team} has {excellent} of {scored} scored people rated Excellent ({share}), above the "
    "maximum share {limit} in Settings. Review the team's scores.",
)


def team_kpis(scores: pd.DataFrame, team_monthly: pd.DataFrame, kpi_info: pd.DataFrame, tiers: pd.DataFrame,
              settings: Settings) -> pd.DataFrame:
    """One row per team × KPI of its members' roles (团队-source KPIs excepted: they show a
    roll-up that already has its own row), in TEAM_COLUMNS."""
    pairs = scores.loc[scores["source"] != "team", ["team", "kpi"]].drop_duplicates()
    info = kpi_info[["kpi", "aggregation", "is_percent", "direction", "method", "cap", "order", "tier_table"]]
    pairs = pairs.merge(info, on="kpi", how="left")

    rolled = aggregate(team_monthly, ["team", "kpi"])
    out = pairs.merge(rolled[["team", "kpi", "target", "actual"]], on=["team", "kpi"], how="left")
    is_rating = out["method"].to_numpy(dtype=object) == "rating"
    r = attainment(out["target"], out["actual"], out["direction"] == "lower",
                   settings.lower_formula == "inverse", out["cap"], top_step(out["method"], out["tier_table"], tiers))
    # A 等级 KPI has no target or actual: the team's value is the mean of its members' ratings.
    members = scores.loc[scores["method"] == "rating"].groupby(["team", "kpi"])["attainment"].mean()
    rating_r = pd.Series(list(zip(out["team"], out["kpi"]))).map(members).to_numpy(dtype="float64")
    out["attainment"] = np.where(is_rating, rating_r, r)
    out.loc[is_rating, ["target", "actual"]] = np.nan
    out["status"] = status(out["attainment"], is_rating, settings)
    out = out.sort_values(["team", "order", "kpi"], kind="stable")
    return d.frame(d.TEAM_COLUMNS, out)


def team_summary(people: pd.DataFrame, settings: Settings) -> tuple[pd.DataFrame, list[Issue]]:
    """people, scored, mean of members' totals, grade counts and 优秀 share per team."""
    if people.empty:
        return d.frame(d.TEAM_SUMMARY_COLUMNS), []
    # 试用期不计入等级分布 = 是: people on probation leave the grade counts and the 优秀 share
    # (and the count of scored people those shares are of); they keep their own grade.
    excluded = pd.Series(False, index=people.index)
    if "flags" in people:
        excluded = pd.Series(~counted_in_distribution(people["flags"], settings), index=people.index)
    counted = people.loc[~excluded]
    grades = pd.crosstab(counted["team"], counted["grade"])
    g = people.groupby("team", sort=True)
    out = pd.DataFrame({
        "people": g.size(),
        "scored": counted.groupby("team", sort=True)["total"].count().reindex(g.size().index).fillna(0).astype(int),
        "mean_total": g["total"].mean(),
        "excluded": excluded.groupby(people["team"], sort=True).sum().astype(int),
    })
    for grade in ("excellent", "good", "pass", "improve"):
        out[grade] = grades[grade].reindex(out.index).fillna(0).astype(int) if grade in grades else 0
    out["excellent_share"] = out["excellent"] / out["scored"].where(out["scored"] > 0)
    out = out.reset_index()
    issues: list[Issue] = []
    limit = settings.excellent_max_share
    if limit is not None:
        # Compared on 6 decimals, like every other share, so 1/5 is not above 20%.
        over = out.loc[np.round(out["excellent_share"], 6) > round(limit, 6)]
        for row in over.itertuples(index=False):  # one per team
            issues.append(TOO_MANY_EXCELLENT(
                value=f"{row.excellent_share:.1%}", team=row.team, excellent=row.excellent,
                scored=row.scored, share=f"{row.excellent_share:.1%}", limit=f"{limit:.0%}",
            ))
    return d.frame(d.TEAM_SUMMARY_COLUMNS, out), issues
