"""强制分布 / calibration (issue 10; docs/decisions.md, "Calibration").

A target distribution from 设置 (``强制分布 = 20/70/10`` for 优秀 / 良好+合格 / 待改进, or
one share per grade) is compared with the grades everywhere, and — only with
``强制分布方式 = 按排名`` and in a group of at least :data:`MIN_GROUP` people — applied by
rank:

* a group is everyone (``强制分布范围 = 全部``, the default) or each team (``部门``); its
  members are the people with a total who count in the grade distribution (people on
  probation are left out under 试用期不计入等级分布, as everywhere);
* head counts per bucket are the shares × the group's size, rounded by the largest
  remainder (Hamilton): floors first, then the seats left over to the largest fractional
  parts, an equal remainder to the better bucket;
* members take the bucket of their competition rank on the rounded total (1, 2, 2, 4):
  rank ≤ the first bucket's count is the first bucket, and so on. People tied on a total
  share a rank, so a tie is never split — it takes the bucket its first place falls in,
  which may leave a bucket above its count (the distribution table shows the counts);
* with three shares the middle bucket keeps the raw grade, clamped into 良好 / 合格
  (a raw 优秀 ranked into the middle is 良好, a raw 待改进 is 合格).

The raw grade (from the total and the grade lines) is kept beside the calibrated one;
pay follows the calibrated grade. Totals and ranks never change.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .. import data as d
from ..issues import Issue, IssueType
from ..models import Settings

MIN_GROUP = 25  # below this many people a forced distribution is advisory only
GRADES = ("excellent", "good", "pass", "improve")
BUCKETS = {3: ("excellent", "middle", "improve"), 4: GRADES}
ALL = ""  # the group key of everyone

ABOVE_TARGET = IssueType(
    "core_distribution_above_target", "warning",
    zh="部门 {team} 有 {count} 人按总分评为优秀，占计入等级分布的 {scored} 人的 {share}，高于强制分布的 {target}。"
    "请复核该部门的评分（强制分布方式为 按排名 时，汇总的“校准等级”是校准后的等级）。",
    en="Team {team} has {count} of {scored} people graded Excellent by their totals ({share}), above the forced "
    "distribution's {target}. Review the team's scores (with calibration by rank, Summary's Calibrated grade is "
    "the grade after calibration).",
)
CALIBRATED = IssueType(
    "calibration_applied", "info",
    zh="{group}：计入等级分布的 {scored} 人按排名校准为 {counts}（目标 {targets}）；{changed} 人的等级有变动，"
    "汇总的“校准等级”列列出，系数和绩效工资按校准等级计算。",
    en="{group_en}: the {scored} people counted in the grade distribution were calibrated by rank to {counts} "
    "(target {targets}); {changed} changed grade, shown in Summary's Calibrated grade column, which the "
    "coefficient and pay follow.",
)
ADVISORY_SMALL = IssueType(
    "calibration_advisory_small", "info",
    zh="{group}：计入等级分布的只有 {scored} 人，不足 {minimum} 人，强制分布只作提示，等级未调整。",
    en="{group_en}: only {scored} people count in the grade distribution, fewer than {minimum}; the forced "
    "distribution is advisory there and no grade was changed.",
)


def shares_text(shares) -> str:
    """A forced distribution as written back to a person: ``20/70/10%``."""
    return "/".join(f"{x * 100:.10g}" for x in shares) + "%"


def counted_in_distribution(flags: pd.Series, settings: Settings) -> np.ndarray:
    """Who counts in the grade distribution: everyone, but people on probation when
    试用期不计入等级分布 = 是 (team_summary, 总览 and the forced distribution agree)."""
    if not settings.probation_excluded:
        return np.ones(len(flags), dtype=bool)
    return np.array([not (isinstance(f, tuple) and "probation" in f) for f in flags], dtype=bool)


def head_counts(n: int, shares) -> np.ndarray:
    """Seats per bucket for ``n`` people by the largest remainder; an equal remainder goes
    to the earlier (better) bucket. Sums to ``n``."""
    exact = np.asarray(shares, dtype=float) * n
    seats = np.floor(np.round(exact, 9)).astype(int)
    left = n - int(seats.sum())
    if left > 0:
        remainder = np.round(exact - seats, 9)
        seats[np.argsort(-remainder, kind="stable")[:left]] += 1
    return seats


def calibrate(people: pd.DataFrame, counted: np.ndarray, settings: Settings
              ) -> tuple[pd.DataFrame, pd.DataFrame, list[Issue]]:
    """``people`` with ``raw_grade``, ``grade`` (calibrated where applied) and
    ``calibration_rank``; the distribution table (d.CALIBRATION_COLUMNS); issues.

    ``counted``: who counts in the grade distribution (bool per row of ``people``)."""
    out = people.copy()
    out["raw_grade"] = out["grade"]
    out["calibration_rank"] = pd.array([pd.NA] * len(out), dtype="Int64")
    shares = settings.forced_distribution
    if shares is None or out.empty:
        return out, d.frame(d.CALIBRATION_COLUMNS), []
    buckets = BUCKETS[len(shares)]
    member = np.asarray(counted, dtype=bool) & out["total_rounded"].notna().to_numpy()
    group = (out["team"] if settings.calibration_group == "team" else pd.Series(ALL, index=out.index)).astype(str)
    rank = (out["total_rounded"].where(member).groupby(group, sort=False)
            .rank(method="min", ascending=False))
    out["calibration_rank"] = rank.astype("Int64")
    sizes = group[member].value_counts()
    raw = out["grade"].to_numpy(dtype=object)
    new = raw.copy()
    issues = []
    apply = settings.calibration_mode == "rank"
    groups = group.to_numpy()
    applied_in: dict[str, bool] = {}
    for key in sorted(set(groups), key=lambda g: (g != ALL, g)):
        n = int(sizes.get(key, 0))
        seats = head_counts(n, shares)
        applied_in[key] = applied = apply and n >= MIN_GROUP
        mine = member & (groups == key)
        label = "全部" if key == ALL else f"部门 {key}"
        label_en = "Everyone" if key == ALL else f"Team {key}"
        about = {} if key == ALL else {"team": key}  # a team's workbook (--split-by team) keeps its own
        if applied:
            # The bucket of each member's rank: the first whose cumulative count reaches it.
            at = np.searchsorted(np.cumsum(seats), rank.to_numpy()[mine], side="left")
            picked = np.asarray(buckets, dtype=object)[np.minimum(at, len(buckets) - 1)]
            if len(buckets) == 3:
                clamp = {"excellent": "good", "improve": "pass", "good": "good", "pass": "pass"}
                middle = picked == "middle"
                picked[middle] = [clamp[g] for g in raw[mine][middle]]
            new[mine] = picked
            issues.append(CALIBRATED(value=label, group=label, group_en=label_en, scored=n, **about,
                                     counts=_show(_bucket_counts(new[mine], buckets)), targets=_show(seats),
                                     changed=int((new[mine] != raw[mine]).sum())))
        elif apply:
            issues.append(ADVISORY_SMALL(value=label, group=label, group_en=label_en, scored=n, **about,
                                         minimum=MIN_GROUP))
    out["grade"] = new
    # The table: everyone, then each team, whatever the calibration group — targets for
    # comparison where it is not one; ``applied`` only on the groups calibrated.
    teams = out["team"].astype(str).to_numpy()
    rows = []
    for key in [ALL, *sorted(set(teams))]:
        mine = member & ((teams == key) if key != ALL else True)
        n = int(mine.sum())
        seats = head_counts(n, shares)
        is_group = (settings.calibration_group == "team") == (key != ALL)
        for b, share, seat, rc, fc in zip(buckets, shares, seats, _bucket_counts(raw[mine], buckets),
                                          _bucket_counts(new[mine], buckets)):
            rows.append({"group": key, "scored": n, "applied": is_group and applied_in.get(key, False),
                         "bucket": b, "share": float(share), "target": int(seat), "raw": int(rc),
                         "calibrated": int(fc)})
    table = pd.DataFrame(rows)
    issues += _above_target(out, raw, member, shares)
    return out, d.frame(d.CALIBRATION_COLUMNS, table), issues


def _above_target(people: pd.DataFrame, raw: np.ndarray, member: np.ndarray, shares) -> list[Issue]:
    """Teams whose share of 优秀 by their totals is above the distribution's (one each)."""
    frame = pd.DataFrame({"team": people["team"].to_numpy()[member], "top": raw[member] == "excellent"})
    if frame.empty:
        return []
    by_team = frame.groupby("team", sort=True)["top"].agg(count="sum", scored="size")
    by_team["share"] = by_team["count"] / by_team["scored"]
    target = float(shares[0])
    over = by_team.loc[np.round(by_team["share"], 6) > round(target, 6)]
    return [ABOVE_TARGET(value=f"{share:.1%}", team=team, count=int(count), scored=int(scored),
                         share=f"{share:.1%}", target=f"{target:.0%}")
            for team, count, scored, share in over[["count", "scored", "share"]].itertuples()]


def _bucket_counts(grades: np.ndarray, buckets: tuple[str, ...]) -> list[int]:
    if len(buckets) == 4:
        return [int((grades == b).sum()) for b in buckets]
    return [int((grades == "excellent").sum()), int(np.isin(grades, ("good", "pass")).sum()),
            int((grades == "improve").sum())]


def _show(counts) -> str:
    return "/".join(str(int(c)) for c in counts)
