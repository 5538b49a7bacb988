"""The scheme with every default of inputs.md resolved and checked, and who is scored on which KPI."""

from __future__ import annotations

from typing import get_args

import numpy as np
import pandas as pd

from .. import models, vocab
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


BAD_SCHEME_VALUE = IssueType(
    "core_bad_scheme_value",
    "error",
    zh="考核方案中岗位 {role} 的指标 {kpi}：{field}为“{value}”，应为{expected_zh}。该岗位的人员均未评分"
    "（与考核方案有错误行时相同）。请改正后重新评分。",
    en="KPI {kpi} of role {role} in the scheme: the {field} is \"{value}\", expected {expected_en}. Nobody "
    "of that role is scored (as when a scheme row is in error). Correct it and score again.",
)

TEXT_COLUMNS = ("method", "direction", "aggregation", "source", "source_kpi", "tier_table")


def _one_of(field: str, allowed) -> tuple[str, str, str]:
    """(field, expected in zh, expected in en) for a column that takes one of ``allowed``'s codes."""
    table = {"method": vocab.METHODS, "direction": vocab.DIRECTIONS,
             "aggregation": vocab.AGGREGATIONS, "source": vocab.SOURCES}[field]
    codes = get_args(allowed)
    zh = "、".join(f"{c}（{vocab.word(table, c, 'zh')}）" for c in codes)
    return field, f"其中之一：{zh}", "one of " + ", ".join(codes)


# What the core needs of every normalised scheme row (models.SchemeRow says the same to the
# readers): field, the rows that break it, and what is expected, in zh and en.
CHECKS = (
    (*_one_of("method", models.Method), lambda s: ~s["method"].isin(get_args(models.Method))),
    (*_one_of("direction", models.Direction), lambda s: ~s["direction"].isin(get_args(models.Direction))),
    (*_one_of("aggregation", models.Aggregation), lambda s: ~s["aggregation"].isin(get_args(models.Aggregation))),
    (*_one_of("source", models.Source), lambda s: ~s["source"].isin(get_args(models.Source))),
    ("weight", "0 到 100 之间的数字", "a number from 0 to 100", lambda s: ~s["weight"].between(0, 100)),
    ("points_per_unit", "0 或以上的数字（扣分指标必填）", "a number of 0 or more (a deduction KPI needs one)",
     lambda s: (s["method"] == "deduction") & ~(s["points_per_unit"] >= 0)),
    ("accel_by", "1 或以上的倍数（或留空）", "a multiplier of 1 or more (or blank)",
     lambda s: s["accel_by"].notna() & ~(s["accel_by"] >= 1)),
    ("accel_from", "0 或以上的完成率（或留空）", "an attainment of 0 or more (or blank)",
     lambda s: s["accel_from"].notna() & ~(s["accel_from"] >= 0)),
    ("source", "团队:指标，写明汇总哪个指标", "team:KPI, naming the KPI rolled up",
     lambda s: (s["source"] == "team") & (s["source_kpi"] == "")),
)


def checked(scheme: pd.DataFrame) -> tuple[pd.DataFrame, list[Issue]]:
    """The normalised scheme less every role with a row the core cannot score, and an error per
    bad value.

    The readers never hand over such a row, but a library user may build InputData by
    hand: an unknown method would otherwise score as "no data" without a word, and an
    unknown direction as higher-is-better. As the readers do, a role is all or nothing
    (a total over some of its KPIs would look complete); its people then get
    core_role_without_kpis."""
    issues: list[Issue] = []
    bad_roles: set[str] = set()
    for field, expected_zh, expected_en, breaks in CHECKS:
        for row in scheme.loc[breaks(scheme)].itertuples(index=False):  # one per bad cell
            value = getattr(row, field)
            issues.append(BAD_SCHEME_VALUE(
                field=field, value="" if pd.isna(value) else value, role=row.role, kpi=row.kpi,
                expected_zh=expected_zh, expected_en=expected_en,
            ))
            bad_roles.add(row.role)
    if not bad_roles:
        return scheme, issues
    return scheme.loc[~scheme["role"].isin(bad_roles)].reset_index(drop=True), issues


def normalise(scheme: pd.DataFrame, settings: Settings) -> pd.DataFrame:
    """Fill the scheme's blanks with the defaults of inputs.md and settings."""
    s = scheme.copy()
    for col in TEXT_COLUMNS:  # a hand-built frame may hold None or NaN for a blank
        s[col] = s[col].where(s[col].notna(), "")
    pct = s["is_percent"].astype(bool)
    s["method"] = s["method"].where(s["method"] != "", "ratio")
    s["direction"] = s["direction"].where(s["direction"] != "", "higher")
    s["source"] = s["source"].where(s["source"] != "", "own")
    s["cap"] = s["cap"].fillna(settings.default_cap)
    s["floor"] = s["floor"].fillna(0.0)
    # 完成率 accelerator: from 100% unless written; none on other methods (the readers warn).
    ratio = s["method"] == "ratio"
    s["accel_by"] = s["accel_by"].where(ratio)
    s["accel_from"] = s["accel_from"].fillna(1.0).where(ratio & s["accel_by"].notna())
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
