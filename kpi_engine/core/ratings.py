"""Combined ratings of 等级 KPIs (scoring.md, "Ratings (等级)")."""

from __future__ import annotations

import pandas as pd

from .. import vocab
from ..issues import Issue, IssueType
from ..models import Settings

ZERO_WEIGHT_RATINGS = IssueType(
    "core_rating_weight_zero",
    "info",
    zh="{where} 有 {count} 条“{rater_zh}”评分（第 {rows} 行）：设置中该评价人类型的权重为 0，这些评分不计入等级。"
    "如需计入，请在设置中为该类型填写权重。",
    en="{where} holds {count} ratings by {rater_en} raters (rows {rows}); that rater type's weight in Settings is 0, "
    "so they do not count. To count them, give the type a weight in Settings.",
)
UNUSED_RATINGS = IssueType(
    "core_rating_unused",
    "info",
    zh="{where} 第 {rows} 行：工号 {employee_id} 的指标 {kpi} 有 {count} 条评分，但此人在评分期间内没有以该指标为等级指标的"
    "目标管理行，评分未使用。请检查工号与指标名称。",
    en="{where} rows {rows}: {count} ratings of KPI {kpi} for employee {employee_id}, who has no target-sheet "
    "row in the scope whose role rates that KPI; the ratings were not used. Check the employee ID and the KPI name.",
)

_SHOWN_ROWS = 5  # rows listed in a message before "…"


def _rows_text(rows: pd.Series) -> str:
    shown = [str(r) for r in sorted(rows)[:_SHOWN_ROWS]]
    return ", ".join(shown) + (" …" if len(rows) > _SHOWN_ROWS else "")


def combined_ratings(
    ratings: pd.DataFrame, rated: pd.DataFrame, settings: Settings
) -> tuple[pd.DataFrame, pd.DataFrame, list[Issue]]:
    """Monthly and scope-wide combined ratings for the (employee_id, kpi) pairs in ``rated``.

    ``rated`` holds employee_id, kpi and team of every scored person's 等级 KPI.
    Returns (monthly: employee_id, kpi, period, attainment), (scope: employee_id, kpi,
    attainment) and info issues for unused and zero-weight ratings.
    """
    issues: list[Issue] = []
    keys = ["employee_id", "kpi"]
    matched = ratings.merge(rated[[*keys, "team"]], on=keys, how="left", indicator=True)
    unused = matched.loc[matched["_merge"] == "left_only"]
    if not unused.empty:
        for (emp, kpi, file, sheet), g in unused.groupby([*keys, "file", "sheet"], sort=True):
            issues.append(UNUSED_RATINGS(
                file=file, sheet=sheet, field="employee_id", value=emp, employee_id=emp, kpi=kpi,
                count=len(g), rows=_rows_text(g["row"]),
            ))
    used = matched.loc[matched["_merge"] == "both"].drop(columns="_merge")

    weights = pd.Series(settings.rater_weights(), dtype="float64")
    used = used.assign(w=used["rater_type"].map(weights).fillna(0.0))
    # A type whose weight is 0 does not count; its ratings are reported as info.
    zero = used.loc[used["w"] <= 0]
    for (rater_type, file, sheet), g in zero.groupby(["rater_type", "file", "sheet"], sort=True):
        issues.append(ZERO_WEIGHT_RATINGS(
            file=file, sheet=sheet, field="rater_type", value=rater_type,
            rater_zh=vocab.word(vocab.RATER_TYPES, rater_type, "zh") if rater_type in vocab.RATER_TYPES else rater_type,
            rater_en=vocab.word(vocab.RATER_TYPES, rater_type, "en") if rater_type in vocab.RATER_TYPES else rater_type,
            count=len(g), rows=_rows_text(g["row"]),
        ))
    used = used.loc[used["w"] > 0]

    # Average within each rater type, then combine types renormalised over those that rated.
    by_type = used.groupby([*keys, "period", "rater_type"], sort=False).agg(
        rating=("rating", "mean"), w=("w", "first")
    ).reset_index()
    by_type["wr"] = by_type["w"] * by_type["rating"]
    monthly = by_type.groupby([*keys, "period"], sort=False).agg(wr=("wr", "sum"), w=("w", "sum")).reset_index()
    monthly["attainment"] = monthly["wr"] / monthly["w"]
    monthly = monthly[[*keys, "period", "attainment"]]
    scope = monthly.groupby(keys, sort=False)["attainment"].mean().reset_index()
    return monthly, scope, issues
