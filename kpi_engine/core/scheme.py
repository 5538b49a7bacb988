"""The scheme with every default of inputs.md resolved, and who is scored on which KPI."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..issues import Issue, IssueType
from ..models import Settings
from .methods import UNKNOWN_TIER_TABLE

ROLE_WITHOUT_KPIS = IssueType(
    "core_role_without_kpis",
    "warning",
    zh="{person}（{employee_id}）的岗位 {value} 在考核方案中没有可用的指标，此人未评分。"
    "请在考核方案中为该岗位添加指标并使权重合计为 100，或改正目标管理表中的岗位。",
    en="The role {value} of {person} ({employee_id}) has no usable KPI in the scheme, so this person "
    "is not scored. Give the role KPIs whose weights sum to 100 in the scheme, or correct the role "
    "in the target sheet.",
)


def normalise(scheme: pd.DataFrame, settings: Settings) -> pd.DataFrame:
    """Fill the scheme's blanks with the defaults of inputs.md and settings."""
    s = scheme.copy()
    pct = s["is_percent"].astype(bool)
    s["method"] = s["method"].where(s["method"] != "", "ratio")
    s["direction"] = s["direction"].where(s["direction"] != "", "higher")
    s["source"] = s["source"].where(s["source"] != "", "own")
    s["cap"] = s["cap"].fillna(settings.default_cap)
    s["floor"] = s["floor"].fillna(0.0)
    # 扣分步长 default: 1 unit, which for a % KPI (held as fractions) is one percentage point.
    s["step"] = s["step"].where(s["step"] > 0, np.where(pct, 0.01, 1.0))
    default_agg = np.where(pct, "mean", "sum")
    s["aggregation"] = s["aggregation"].where(s["aggregation"] != "", default_agg)
    # 培训: A is attended / planned hours over the scope, an n-weighted mean by construction.
    s["aggregation"] = s["aggregation"].where(s["source"] != "training", "mean")
    return s.sort_values(["order", "role"], kind="stable").reset_index(drop=True)


def kpi_info(scheme: pd.DataFrame) -> pd.DataFrame:
    """One row per KPI name (its first scheme row): how team roll-ups treat that KPI."""
    return scheme.drop_duplicates("kpi", keep="first").reset_index(drop=True)


def person_kpis(people: pd.DataFrame, scheme: pd.DataFrame, tiers: pd.DataFrame) -> tuple[pd.DataFrame, list[Issue]]:
    """Every scored person × every KPI of their (latest) role, with the scheme's columns.

    Sorted by person and scheme order; ``pk`` numbers the rows. Adds ``usable`` (False for a 分段 KPI whose table is missing). Issues: a person whose
    role has no KPI; a tier table that does not exist (once per role × KPI).
    """
    issues: list[Issue] = []
    kpis = people[["employee_id", "name", "team", "role"]].merge(scheme, on="role", how="inner")
    unscored = people.loc[~people["role"].isin(scheme["role"])]
    for row in unscored.itertuples(index=False):  # one per person not scored
        issues.append(ROLE_WITHOUT_KPIS(
            field="role", value=row.role, person=row.name, employee_id=row.employee_id, team=row.team,
        ))
    no_table = (scheme["method"] == "tiers") & ~scheme["tier_table"].isin(tiers["table"])
    for row in scheme.loc[no_table].itertuples(index=False):
        issues.append(UNKNOWN_TIER_TABLE(field="tier_table", value=row.tier_table, role=row.role, kpi=row.kpi))
    kpis["usable"] = ~((kpis["method"] == "tiers") & ~kpis["tier_table"].isin(tiers["table"]))
    # pk: the row's position, in display order. The large monthly frames carry this integer
    # instead of (employee_id, kpi) text, which keeps their groupbys and lookups fast.
    kpis = kpis.sort_values(["employee_id", "order", "kpi"], kind="stable").reset_index(drop=True)
    kpis["pk"] = np.arange(len(kpis))
    return kpis, issues
