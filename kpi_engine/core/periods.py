"""Every period in one run: each month, quarter and year of the scope (docs/decisions.md,
"Periods").

A month is scored exactly as ``score(data, (month,))`` would score it. Rather than
calling the core once per month (twelve passes over the whole input: 2.5 times the
main scoring at 5,000 people), every row is tagged with its month and scored in ONE
pass: a person's rows of one month become their own "person" ``month␟工号``, a team's
rows of one month their own team ``month␟部门``. Nothing in scoring crosses from one
such person to another except team roll-ups, which stay inside the tagged team, i.e.
the month; so each tagged person's total is the month's total. Grades follow from the
rounded totals, ranks are taken within each month (team ranks within its tagged team).

Quarters and years follow the setting 周期汇总 (``settings.period_rollup``):

- 月均分 ``monthly_mean`` (default): the mean of the person's monthly totals (rounded, as
  shown) over the period's months that have one, rounded half-up to 2 decimals;
- 累计 ``cumulative``: the period's months scored together, as ``score(data, months)``
  would (the same tagging, with the quarter or year as the tag).

Every period has ``months_counted`` (months with a total for the person),
``months_covered`` (the period's months in the scope with data) and
``months_in_period`` (1, 3 or 12): a quarter is listed when any of its months is
covered, and flagged partial by ``months_covered < months_in_period``.

And its pay (:func:`with_pay`): the grade's coefficient, the months of the period in the
scope the person was in post, and 绩效工资 as 汇总 pays a run over those months.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace

import numpy as np
import pandas as pd

from .. import data as d
from ..data import InputData, Results
from ..models import Settings
from . import scheme as sch
from .ratings import combined_ratings
from .rounding import round_half_up
from .aggregate import valid_months
from .attainment import attainment
from .methods import method_scores, top_step
from .pay import coefficient_of, month_number, pay
from .scope import identify, in_scope
from .sources import monthly_rows
from .totals import competition_rank, grades, person_totals, weighted_totals

SEP = "\x1f"  # never in a cell the readers pass on (control characters are refused or dropped)
ROWS_AT_ONCE = 262_144  # person × KPI × month rows month_totals scores at a time
KINDS = ("month", "quarter", "year")


def quarter_of(period: str) -> str:
    """"2026-05" → "2026-Q2"."""
    return f"{period[:4]}-Q{(int(period[5:7]) - 1) // 3 + 1}"


def year_of(period: str) -> str:
    return period[:4]


LABEL = {"month": lambda p: p, "quarter": quarter_of, "year": year_of}
MONTHS_IN = {"month": 1, "quarter": 3, "year": 12}


def periods(data: InputData, scope: Sequence[str], results: Results | None = None,
            kept: dict | None = None) -> pd.DataFrame:
    """PERIOD_COLUMNS: one row per person and period (month, quarter, year) of ``scope``
    in which the person has target rows.

    ``results`` and ``kept``: the main run's results over ``scope`` and the frames its
    ``score(..., keep=kept)`` kept; with them each month is scored from the main run's
    monthly rows (:func:`month_totals`), without them by :func:`tagged_totals`."""
    scope = tuple(sorted(set(scope)))
    if not scope or data.targets.empty:
        return d.frame(d.PERIOD_COLUMNS)
    settings = data.settings
    if results is not None and kept:
        months = month_totals(data, scope, results, kept)
    else:
        months = tagged_totals(data, scope, LABEL["month"])
    months["kind"] = "month"
    months["months_in_period"] = 1
    months["months_covered"] = 1
    months["months_counted"] = months["total"].notna().astype("int64")
    parts = [months]
    for kind in ("quarter", "year"):
        if settings.period_rollup == "cumulative":
            labels = {LABEL[kind](p) for p in scope}
            if results is not None and len(labels) == 1:
                # The period's months in the scope are the scope: the main run scored them together.
                whole = results.people[["employee_id", "team", "total"]].assign(period=labels.pop())
                got = _finish(whole, settings)
            else:
                got = tagged_totals(data, scope, LABEL[kind])
            counted = _counted(months, LABEL[kind])
            got["months_counted"] = counted.reindex(pd.MultiIndex.from_frame(got[["employee_id", "period"]])
                                                    ).fillna(0).to_numpy(dtype="int64")
        else:
            got = _mean_of_months(months, LABEL[kind], settings)
        covered = pd.Series([LABEL[kind](p) for p in scope]).value_counts()
        got["kind"] = kind
        got["months_in_period"] = MONTHS_IN[kind]
        got["months_covered"] = got["period"].map(covered).fillna(0).astype("int64")
        parts.append(got)
    out = pd.concat(parts, ignore_index=True)
    kind_order = out["kind"].map({k: i for i, k in enumerate(KINDS)})
    out = out.assign(_k=kind_order).sort_values(["_k", "period", "employee_id"], kind="stable").reset_index(drop=True)
    if results is None:
        from .engine import score  # engine imports this module's caller

        results = score(data, scope)
    return d.frame(d.PERIOD_COLUMNS, with_pay(out, results.people, scope, settings))


def with_pay(periods: pd.DataFrame, people: pd.DataFrame, scope: Sequence[str], settings: Settings) -> pd.DataFrame:
    """``periods`` with coefficient, months_in_post and pay (docs/decisions.md, "Periods", pay).

    Each period is paid as 汇总 pays a run over the period's months in the scope: the
    grade's coefficient, the person's 基数 (``people["base"]``, the same for every period),
    months in post = the period's months in the scope from the person's joining month to
    their leaving month (``people["joined"]``/``["left"]``, as 汇总 counts them), over the
    period's months in the scope (``months_covered``)."""
    p = people.drop_duplicates("employee_id")
    who = pd.Index(p["employee_id"].to_numpy(dtype=object)).get_indexer(periods["employee_id"].to_numpy(dtype=object))
    months = month_number(list(scope))
    joined, left = month_number(p["joined"]), month_number(p["left"])
    lo = np.where(np.isnan(joined), -np.inf, joined)
    hi = np.where(np.isnan(left), np.inf, left)
    posted = ((months[None, :] >= lo[:, None]) & (months[None, :] <= hi[:, None])).astype(np.int64)
    posted = np.vstack([posted, np.zeros((1, len(months)), dtype=np.int64)])  # row -1: nobody
    in_post = np.zeros(len(periods), dtype=np.int64)
    kinds = periods["kind"].to_numpy(dtype=object)
    for kind in KINDS:
        rows = np.flatnonzero(kinds == kind)
        if not len(rows):
            continue
        labels = [LABEL[kind](m) for m in scope]
        names = pd.Index(sorted(set(labels)))
        of_label = np.zeros((len(scope), len(names)), dtype=np.int64)
        of_label[np.arange(len(scope)), names.get_indexer(labels)] = 1
        per_label = posted @ of_label  # person × period: months in post
        at = names.get_indexer(periods["period"].to_numpy(dtype=object)[rows])
        in_post[rows] = np.where(at >= 0, per_label[who[rows], np.maximum(at, 0)], 0)
    base = np.append(p["base"].to_numpy(dtype="float64"), np.nan)[who]
    coefficient = coefficient_of(periods["grade"].to_numpy(dtype=object), settings)
    return periods.assign(
        coefficient=coefficient, months_in_post=in_post,
        pay=pay(base, coefficient, periods["total_rounded"], in_post, settings, periods["months_covered"]))


def _counted(months: pd.DataFrame, label: Callable[[str], str]) -> pd.Series:
    tag = months["period"].map(label)
    return months["total"].notna().groupby([months["employee_id"], tag]).sum()


def _mean_of_months(months: pd.DataFrame, label: Callable[[str], str], settings: Settings) -> pd.DataFrame:
    """月均分: the mean of the rounded monthly totals that exist; team of the latest month.

    The monthly totals have two decimals: they are added up as whole cents, so the mean
    is rounded half-up on its exact decimal value (104.165 → 104.17), as ROUND(AVERAGE())
    on 周期 gives it — not on a binary 104.16499999999999."""
    m = months.assign(tag=months["period"].map(label))
    cents = np.rint(m["total_rounded"].to_numpy(dtype="float64") * 100)
    m = m.assign(cents=cents)
    g = m.groupby(["employee_id", "tag"], sort=True)
    out = pd.DataFrame({
        "cents": g["cents"].sum(min_count=1),  # NaN skipped: a month without a total is left out
        "months_counted": g["cents"].count(),
        "team": g["team"].last(),  # months are in order within a person
    }).reset_index().rename(columns={"tag": "period"})
    total, n = out["cents"].to_numpy(dtype="float64"), out["months_counted"].to_numpy(dtype="float64")
    with np.errstate(divide="ignore", invalid="ignore"):
        out["total"] = total / n / 100
        # Half away from zero on the exact quotient of whole numbers: ⌊(2|c| + n) / 2n⌋.
        half_up = np.floor((2 * np.abs(total) + n) / (2 * n)) * np.sign(total)
    rounded = np.where(n > 0, half_up / 100, np.nan)
    return _finish(out.drop(columns="cents"), settings, rounded)


def _finish(people: pd.DataFrame, settings: Settings, rounded: np.ndarray | None = None) -> pd.DataFrame:
    """total_rounded (``rounded``, or the total rounded half-up), grade, and competition
    ranks within each period (and team)."""
    people = people.copy()
    people["total_rounded"] = round_half_up(people["total"].astype("float64"), 2) if rounded is None else rounded
    people["grade"] = grades(people["total_rounded"], settings)
    people["overall_rank"] = competition_rank(people["total_rounded"], people["period"])
    people["team_rank"] = competition_rank(people["total_rounded"], people["period"] + SEP + people["team"])
    return people


def tagged_totals(data: InputData, scope: Sequence[str], label: Callable[[str], str]) -> pd.DataFrame:
    """Each person's total for each group of months (``label(month)``) of ``scope``, as
    ``score(data, those months)`` gives it, all groups in one pass. Columns: employee_id,
    period (the label), team (the person's latest team in it), total, total_rounded,
    grade, team_rank, overall_rank."""
    from .engine import _canonical, _scores  # engine imports this module's caller

    settings = data.settings
    tag_names = sorted(set(label(p) for p in scope))
    tag_of = {p: tag_names.index(label(p)) for p in scope}
    # 工号 and 部门 become numbers (tag × n + the text's number): groupby and merge over
    # 900,000 numbers take a fraction of their time over texts. Rows of a 工号 with no
    # target row (ratings, training) get -1 and match nobody, as in a separate run.
    in_targets = in_scope(data.targets, scope)
    people_index = pd.Index(pd.unique(in_targets["employee_id"].astype(object)))
    team_index = pd.Index(pd.unique(in_targets["team"].astype(object)))

    def number(tags: np.ndarray, values: pd.Series, index: pd.Index) -> np.ndarray:
        at = index.get_indexer(values.astype(object))
        return np.where(at >= 0, tags * max(len(index), 1) + at, -1)

    def tagged(frame: pd.DataFrame, keys: list[str], team: bool = False) -> pd.DataFrame:
        # The main run's canonical order (person, KPI, month, …), then a stable sort by the
        # tag: within each tagged person the rows keep the order a separate run of those
        # months sums them in (bit-identical totals), without sorting 900,000 rows again.
        frame = _canonical(in_scope(frame, scope), keys)
        if frame.empty:  # numbers all the same, for the merges
            none = np.zeros(0, dtype=np.int64)
            return frame.assign(employee_id=none, **({"team": none} if team else {}))
        tags = frame["period"].map(tag_of).to_numpy(dtype=np.int64)
        changed = {"employee_id": number(tags, frame["employee_id"], people_index)}
        if team:
            changed["team"] = number(tags, frame["team"], team_index)
        return frame.assign(**changed).take(np.argsort(tags, kind="stable")).reset_index(drop=True)

    targets = tagged(data.targets, ["employee_id", "kpi", "period", "target", "actual"], team=True)
    ratings = tagged(data.ratings, ["employee_id", "kpi", "period", "rater_type", "rating"])
    training = tagged(data.training, ["employee_id", "period", "course_id", "planned_hours", "attended_hours"])
    tiers = data.tiers.sort_values(["table", "from_r"], kind="stable").reset_index(drop=True)

    ident, _ = identify(targets, warn=False)
    scheme, _ = sch.checked(sch.normalise(data.scheme, settings))
    info = sch.kpi_info(scheme)
    # One row per tagged person × KPI (900,000 at 5,000 people × 12 months): the scheme's
    # words as categories, so that comparing and mapping them is per word, not per row.
    words = [c for c in ("category", "direction", "method", "tier_table", "aggregation", "source", "source_kpi")
             if c in scheme.columns]
    kpis, _ = sch.person_kpis(ident, scheme.astype({c: "category" for c in words}), tiers)
    months, _team_monthly, bad, _ = monthly_rows(targets, kpis, training, info)
    rated = kpis.loc[kpis["method"] == "rating", ["employee_id", "kpi", "team"]]
    _rating_months, rating_scope, _ = combined_ratings(ratings, rated, settings)
    scores = _scores(kpis, months, bad, rating_scope, tiers, settings)
    totals = person_totals(scores, settings)[["employee_id", "total"]]
    people = ident[["employee_id", "team"]].merge(totals, on="employee_id", how="left")
    person = people["employee_id"].to_numpy(dtype=np.int64)
    team = people["team"].to_numpy(dtype=np.int64)
    n_people, n_teams = max(len(people_index), 1), max(len(team_index), 1)
    out = pd.DataFrame({
        "employee_id": np.asarray(people_index, dtype=object)[person % n_people],
        "period": np.asarray(tag_names, dtype=object)[person // n_people],
        "team": np.asarray(team_index, dtype=object)[team % n_teams],
        "total": people["total"].to_numpy(dtype="float64"),
    })
    return _finish(out, settings).sort_values(["period", "employee_id"], kind="stable").reset_index(drop=True)


def month_totals(data: InputData, scope: Sequence[str], results: Results, kept: dict) -> pd.DataFrame:
    """Each person's total in each month of ``scope`` with target rows, as tagged_totals
    gives it, from the main run's monthly rows: vectorised over person × KPI × month.

    A month alone is the main run's monthly row of each KPI taken as the whole scope:
    T and A are that row's (a 平均 row's n-weighted mean of itself, (T·n)/n, as
    aggregate computes it), r, s and the total follow by the same functions. What a
    month alone sees differently — a person whose team or role changes inside the scope
    (their KPIs, and a team roll-up that counts them) — is scored by tagged_totals for
    the people concerned."""
    settings = data.settings
    kpis, months, rating_months, tiers = kept["kpis"], kept["months"], kept["rating_months"], kept["tiers"]
    people = results.people
    targets = in_scope(data.targets, scope)
    n_months = len(scope)
    period_index = pd.Index(list(scope))
    ids = pd.Index(people["employee_id"].to_numpy(dtype=object))

    # Person-months with target rows: a person is in a month's run when they have rows in it.
    e = ids.get_indexer(targets["employee_id"].astype(object)).astype(np.int64)
    pairs = np.unique(e * n_months + period_index.get_indexer(targets["period"]))
    slow = _moved(people, targets, kpis)
    pair_person, pair_month = pairs // n_months, pairs % n_months

    # Monthly rows by (pk, month): one per key and month, as the readers guarantee.
    months = months.loc[valid_months(months)]
    mkey = months["pk"].to_numpy(dtype=np.int64) * n_months + period_index.get_indexer(months["period"])
    mkey_index = pd.Index(mkey)
    if not mkey_index.is_unique:  # not expected: those people take the slow path
        twice = np.unique(mkey[mkey_index.duplicated()] // n_months)
        slow = np.union1d(slow, ids.get_indexer(kpis["employee_id"].to_numpy(dtype=object)[twice]))
        keep_rows = ~np.isin(mkey // n_months, twice)
        months, mkey = months.loc[keep_rows], mkey[keep_rows]
        mkey_index = pd.Index(mkey)
    fast = ~np.isin(pair_person, slow)
    pair_person, pair_month = pair_person[fast], pair_month[fast]

    # Every KPI of the person in each of their months (a KPI without data counts too).
    kpi_person = ids.get_indexer(kpis["employee_id"].to_numpy(dtype=object))
    order = np.argsort(kpi_person, kind="stable")  # pk order within each person
    counts = np.bincount(kpi_person, minlength=len(ids))
    starts = np.concatenate([[0], np.cumsum(counts)[:-1]])
    per_pair = counts[pair_person]
    pair_of_row = np.repeat(np.arange(len(pair_person)), per_pair)
    offset = np.arange(int(per_pair.sum())) - np.repeat(np.cumsum(per_pair) - per_pair, per_pair)
    pk = order[np.repeat(starts[pair_person], per_pair) + offset]
    month = pair_month[pair_of_row]

    t = months["target"].to_numpy(dtype="float64")
    a = months["actual"].to_numpy(dtype="float64")
    n = months["n"].to_numpy(dtype="float64")
    mean = months["aggregation"].to_numpy(dtype=object) == "mean"
    with np.errstate(divide="ignore", invalid="ignore"):
        t = np.where(mean, t * n / n, t)
        a = np.where(mean, a * n / n, a)
    t, a = np.append(t, np.nan), np.append(a, np.nan)  # position -1: no valid row that month

    method = kpis["method"].to_numpy(dtype=object)
    rating_kpi = method == "rating"
    top = top_step(kpis["method"], kpis["tier_table"], tiers)
    lower = kpis["direction"].to_numpy(dtype=object) == "lower"
    rkey = rated = None
    if rating_kpi.any() and len(rating_months):
        rm = rating_months.merge(kpis[["employee_id", "kpi", "pk"]], on=["employee_id", "kpi"], how="inner")
        rkey = pd.Index(rm["pk"].to_numpy(dtype=np.int64) * n_months + period_index.get_indexer(rm["period"]))
        rated = rm["attainment"].to_numpy(dtype="float64")
    cols = ("cap", "floor", "points_per_unit", "step", "accel_from", "accel_by")
    per_kpi = {c: kpis[c].to_numpy(dtype="float64") for c in cols}
    tier_table, direction = kpis["tier_table"].to_numpy(dtype=object), kpis["direction"].to_numpy(dtype=object)
    weight = kpis["weight"].to_numpy(dtype="float64")[pk]
    usable = kpis["usable"].to_numpy(dtype=bool)
    score, has = np.empty(len(pk), dtype="float64"), np.empty(len(pk), dtype=bool)
    # Every step below is row by row, so the rows are scored ROWS_AT_ONCE at a time: the
    # same numbers as all at once, but the frame and the arrays that score them stay
    # small (at 20,000 people, 3.8M person × KPI × month rows held ~1 GB at once).
    for lo in range(0, len(pk), ROWS_AT_ONCE):
        p, m = pk[lo:lo + ROWS_AT_ONCE], month[lo:lo + ROWS_AT_ONCE]
        at = mkey_index.get_indexer(p * n_months + m)
        target, actual = t[at], a[at]
        is_rating = rating_kpi[p]
        target[is_rating] = np.nan
        actual[is_rating] = np.nan
        r = attainment(target, actual, lower[p], settings.lower_formula == "inverse", per_kpi["cap"][p], top[p])
        if rkey is not None:
            rat = rkey.get_indexer(p * n_months + m)
            r = np.where(is_rating, np.where(rat >= 0, rated[np.maximum(rat, 0)], np.nan), r)
        elif is_rating.any():
            r = np.where(is_rating, np.nan, r)
        frame = pd.DataFrame({
            "weight": weight[lo:lo + ROWS_AT_ONCE],
            **{c: v[p] for c, v in per_kpi.items()},
            "method": method[p], "tier_table": tier_table[p], "direction": direction[p],
            "target": target, "actual": actual,
        })
        s = method_scores(frame, r, tiers)
        ok = ~np.isnan(r) & ~np.isnan(s) & usable[p]
        has[lo:lo + ROWS_AT_ONCE] = ok
        score[lo:lo + ROWS_AT_ONCE] = np.where(ok, s, np.nan if settings.missing_data == "renormalize" else 0.0)

    # person_totals, per person-month instead of per person (same sums in the same order).
    total = weighted_totals(score, weight, has, pair_of_row, settings)
    total = total.reindex(np.arange(len(pair_person)))  # a person without KPIs: NaN
    out = pd.DataFrame({
        "employee_id": np.asarray(ids, dtype=object)[pair_person],
        "period": np.asarray(scope, dtype=object)[pair_month],
        "team": people["team"].to_numpy(dtype=object)[pair_person],
        "total": total.to_numpy(dtype="float64"),
    })
    if len(slow):
        who = set(np.asarray(ids, dtype=object)[slow])

        def mine(frame: pd.DataFrame) -> pd.DataFrame:
            return frame.loc[frame["employee_id"].isin(who)].reset_index(drop=True)

        some = replace(data, targets=mine(data.targets), ratings=mine(data.ratings), training=mine(data.training))
        moved = tagged_totals(some, scope, LABEL["month"])[["employee_id", "period", "team", "total"]]
        out = pd.concat([out, moved], ignore_index=True)
    return _finish(out, settings).sort_values(["period", "employee_id"], kind="stable").reset_index(drop=True)


def _moved(people: pd.DataFrame, targets: pd.DataFrame, kpis: pd.DataFrame) -> np.ndarray:
    """Positions in ``people`` of those a month alone sees differently from the whole scope:
    a team or role that changes inside it, and — when some KPI rolls up a team — every
    member of the teams such a person belonged to."""
    changes = people["changes"].to_numpy(dtype=object)
    moved = np.array([any(c.startswith(("team:", "role:")) for c in ch) for ch in changes], dtype=bool) \
        if len(changes) else np.zeros(0, dtype=bool)
    if moved.any() and (kpis["source"].astype(object) == "team").any():
        ids = set(people["employee_id"].to_numpy(dtype=object)[moved])
        teams = set(targets.loc[targets["employee_id"].isin(ids), "team"])
        members = set(targets.loc[targets["team"].isin(teams), "employee_id"])
        moved |= people["employee_id"].isin(members).to_numpy()
    return np.flatnonzero(moved)
