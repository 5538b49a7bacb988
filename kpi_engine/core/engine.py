"""score(): InputData → Results, every formula of scoring.md; for_team() and by_team() for
--split-by team."""

from __future__ import annotations

import heapq
import re
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import replace

import numpy as np
import pandas as pd

from .. import data as d
from ..data import InputData, Results
from ..models import Settings
from . import scheme as sch
from .aggregate import aggregate, valid_months
from .attainment import attainment, status
from .collect import collect
from .methods import method_scores, top_step
from .pay import coefficient_of, in_post, pay
from .ratings import combined_ratings
from .scope import identify, in_scope, resolve_scope
from .sources import monthly_rows
from .calibration import calibrate, counted_in_distribution
from .teams import team_kpis, team_summary
from .totals import finish_people, person_totals
from .training import before_after, training_courses, training_courses_by, training_people

KEYS = ["employee_id", "kpi"]


def score(data: InputData, scope: Sequence[str] | None = None, keep: dict | None = None) -> Results:
    """Score validated input over ``scope`` (default: every month in the targets).

    ``keep``: a dict that receives the intermediate frames core.periods scores each month
    from (person × KPI rows ``kpis``, monthly rows ``months``, ``rating_months``, ``tiers``).

    Raises TypeError or ValueError when ``data`` breaks the contract of kpi_engine.data
    (a frame without its columns, a number column holding text, a period not written
    YYYY-MM): the readers never hand such a frame over, a script building InputData by
    hand may. A bad value in the scheme is an error issue instead (scheme.checked)."""
    check_input(data)
    settings = data.settings
    scope = tuple(sorted(set(scope))) if scope is not None else resolve_scope(data.targets["period"])
    # Sums and means run in a canonical row order, so that the same rows in another order or
    # split over other files give bit-identical results.
    targets = _canonical(in_scope(data.targets, scope), ["employee_id", "kpi", "period", "target", "actual"])
    ratings = _canonical(in_scope(data.ratings, scope), ["employee_id", "kpi", "period", "rater_type", "rating"])
    training = _canonical(in_scope(data.training, scope),
                          ["employee_id", "period", "course_id", "planned_hours", "attended_hours"])
    tiers = data.tiers.sort_values(["table", "from_r"], kind="stable").reset_index(drop=True)
    issues: list = []

    ident, found = identify(targets)
    issues += found
    scheme, found = sch.checked(sch.normalise(data.scheme, settings))
    issues += found
    info = sch.kpi_info(scheme)
    kpis, found = sch.person_kpis(ident, scheme, tiers)
    issues += found

    months, team_monthly, bad, found = monthly_rows(targets, kpis, training, info)
    issues += found
    rated = kpis.loc[kpis["method"] == "rating", [*KEYS, "team"]]
    rating_months, rating_scope, found = combined_ratings(ratings, rated, settings)
    issues += found

    scores = _scores(kpis, months, bad, rating_scope, tiers, settings)
    scores = _with_notes_and_left_out(scores, targets, months)
    grid = _monthly(months, rating_months, kpis, tiers, settings)

    people, calibration, found = _people(ident, scores, settings, scope, data.staff)
    issues += found
    teams = team_kpis(scores, team_monthly, info, tiers, settings)
    summary, found = team_summary(people, settings)
    issues += found

    trainees = training_people(training, ident)
    if keep is not None:
        keep.update(kpis=kpis, months=months, rating_months=rating_months, tiers=tiers)
    return Results(
        scope=scope,
        settings=settings,
        people=people,
        scores=d.frame(d.SCORE_COLUMNS, scores),
        monthly=d.frame(d.MONTHLY_COLUMNS, grid),
        teams=teams,
        team_summary=summary,
        training_people=trainees,
        training_courses=training_courses(training),
        before_after=before_after(grid, scores, trainees, ident),
        tiers=d.frame(d.TIER_COLUMNS, tiers),
        issues=issues,
        training_rows=training,
        calibration=calibration,
    )


# The frames of InputData, their column contracts, and the columns that must hold numbers.
FRAMES = {"scheme": "SCHEME_COLUMNS", "tiers": "TIER_COLUMNS", "targets": "TARGET_COLUMNS",
          "ratings": "RATING_COLUMNS", "training": "TRAINING_COLUMNS"}
PERIOD = re.compile(r"\d{4}-(0[1-9]|1[0-2])")


def check_input(data: InputData) -> None:
    """What score() needs of its input, checked before any arithmetic, so that a frame built
    by hand fails with its name and the fix instead of scoring as "no data" (or a KeyError
    deep inside pandas)."""
    if not isinstance(data, InputData):
        raise TypeError(f"score() takes InputData, not {type(data).__name__}")
    if not isinstance(data.settings, Settings):
        raise TypeError(f"InputData.settings must be kpi_engine.models.Settings, not {type(data.settings).__name__}")
    for name, contract in FRAMES.items():
        frame, columns = getattr(data, name), getattr(d, contract)
        if not isinstance(frame, pd.DataFrame):
            raise TypeError(f"InputData.{name} must be a pandas DataFrame, not {type(frame).__name__}")
        missing = [c for c in columns if c not in frame.columns]
        if missing:
            raise ValueError(f"InputData.{name} lacks the columns {', '.join(missing)}: build it with "
                             f"kpi_engine.data.frame(kpi_engine.data.{contract}, rows)")
        text = [c for c, kind in columns.items() if kind in ("float", "int") and frame[c].dtype.kind not in "fiub"]
        if text:
            raise ValueError(f"InputData.{name}: the columns {', '.join(text)} must hold numbers (NaN when blank), "
                             f"not {frame[text[0]].dtype}")
        if "period" in columns:
            bad = [p for p in pd.unique(frame["period"]) if not (isinstance(p, str) and PERIOD.fullmatch(p))]
            if bad:
                shown = ", ".join(repr(p) for p in bad[:5])
                raise ValueError(f"InputData.{name}: periods must be text YYYY-MM, as 2026-03; found {shown}")


def _canonical(frame: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    # The readers hand over targets already in this order: checking it costs a few
    # vectorised comparisons, sorting 900,000 rows by text costs most of a second.
    if _in_order(frame, keys):
        return frame.reset_index(drop=True)
    return frame.sort_values(keys, kind="stable", na_position="last").reset_index(drop=True)


def _in_order(frame: pd.DataFrame, keys: list[str]) -> bool:
    """Whether a stable sort by ``keys`` (NaN last) would leave ``frame`` as it is."""
    if len(frame) < 2:
        return True
    tied = np.ones(len(frame) - 1, dtype=bool)  # pairs (row i-1, row i) equal on the keys so far
    for key in keys:
        col = frame[key]
        if col.dtype.kind == "f":
            v = col.to_numpy()
            prev, cur = v[:-1], v[1:]
            p_nan, c_nan = np.isnan(prev), np.isnan(cur)
            with np.errstate(invalid="ignore"):
                after = (prev > cur) | (p_nan & ~c_nan)
                equal = (prev == cur) | (p_nan & c_nan)
        elif col.dtype.kind in "OUT" or pd.api.types.is_string_dtype(col.dtype):
            v = col.to_numpy(dtype=object)
            if any(not isinstance(x, str) for x in (v[0], v[-1])) or col.isna().any():
                return False  # mixed or missing text: leave the order to sort_values
            prev, cur = v[:-1], v[1:]
            after = prev > cur
            equal = prev == cur
        else:
            return False
        if (tied & after).any():
            return False
        tied &= equal
        if not tied.any():
            return True
    return True


def _scores(kpis, months, bad, rating_scope, tiers, settings: Settings) -> pd.DataFrame:
    """Person × KPI: aggregated T and A, r, s, status (SCORE_COLUMNS less notes)."""
    ok = valid_months(months) & ~np.isin(months["pk"].to_numpy(), bad)
    totals = aggregate(months.loc[ok], ["pk"]).set_index("pk")
    scores = kpis.copy()
    scores["target"] = totals["target"].reindex(kpis["pk"]).to_numpy()
    scores["actual"] = totals["actual"].reindex(kpis["pk"]).to_numpy()
    rating_r = rating_scope.set_index(KEYS)["attainment"].reindex(pd.MultiIndex.from_frame(kpis[KEYS]))

    is_rating = (scores["method"] == "rating").to_numpy()
    scores.loc[is_rating, ["target", "actual"]] = np.nan
    r = attainment(scores["target"], scores["actual"], scores["direction"] == "lower",
                   settings.lower_formula == "inverse", scores["cap"],
                   top_step(scores["method"], scores["tier_table"], tiers))
    r = np.where(is_rating, rating_r.to_numpy(dtype="float64"), r)
    s = method_scores(scores, r, tiers)
    has = ~np.isnan(r) & ~np.isnan(s) & scores["usable"].to_numpy(dtype=bool)
    scores["has_data"] = has
    scores["attainment"] = np.where(has, r, np.nan)
    # Without data: NaN (renormalize: left out of the total) or 0 points (zero).
    scores["score"] = np.where(has, s, np.nan if settings.missing_data == "renormalize" else 0.0)
    scores["status"] = status(scores["attainment"], is_rating, settings)
    return scores


def _with_notes_and_left_out(scores: pd.DataFrame, targets: pd.DataFrame, months: pd.DataFrame) -> pd.DataFrame:
    """备注 of the person's rows of the KPI, and the months left out (T or A missing)."""
    noted = targets.loc[targets["note"] != "", [*KEYS, "period", "note"]]
    noted = noted.sort_values("period", kind="stable").drop_duplicates([*KEYS, "note"])
    notes = collect(noted, KEYS, "note", join="; ")
    gaps = months.loc[months["target"].isna() | months["actual"].isna(), ["pk", "period"]]
    left = collect(gaps.drop_duplicates().sort_values("period", kind="stable"), ["pk"], "period")
    scores["note"] = notes.reindex(pd.MultiIndex.from_frame(scores[KEYS])).fillna("").to_numpy()
    scores["left_out"] = _tuples(left.reindex(scores["pk"]))
    return scores


def _monthly(months, rating_months, kpis, tiers, settings: Settings) -> pd.DataFrame:
    """Person × KPI × month attainment and status; 等级 KPIs show the month's combined rating.

    Keeps ``pk`` (dropped by d.frame for the public frame)."""
    pk = months["pk"].to_numpy(dtype="int64")
    top = top_step(kpis["method"], kpis["tier_table"], tiers)[pk]
    r = attainment(months["target"], months["actual"], kpis["direction"].to_numpy(dtype=object)[pk] == "lower",
                   settings.lower_formula == "inverse", kpis["cap"].to_numpy(dtype="float64")[pk], top)
    m = months.assign(attainment=r, status=status(r, np.zeros(len(months), dtype=bool), settings))
    rm = rating_months.merge(kpis[[*KEYS, "pk"]], on=KEYS, how="inner")
    rm = rm.assign(target=np.nan, actual=np.nan,
                   status=status(rm["attainment"], np.ones(len(rm), dtype=bool), settings))
    cols = ["pk", *d.MONTHLY_COLUMNS]
    both = pd.concat([m[cols], rm[cols]], ignore_index=True)
    # pk follows person and scheme order, so this is the display order.
    order = np.lexsort((pd.factorize(both["period"], sort=True)[0], both["pk"].to_numpy()))
    return both.take(order).reset_index(drop=True)


def _people(ident: pd.DataFrame, scores: pd.DataFrame, settings: Settings, scope: Sequence[str],
            staff: pd.DataFrame | None = None) -> tuple[pd.DataFrame, pd.DataFrame, list]:
    """One row per person (PEOPLE_COLUMNS), the forced distribution's table and its issues."""
    totals = person_totals(scores, settings)
    people = ident.merge(totals, on="employee_id", how="left")
    for code in ("met", "near", "below", "nodata"):
        people[code] = people[code].fillna(0).astype(int)
    gaps = scores.loc[scores["left_out"].map(len).astype(int) > 0, ["employee_id", "kpi", "left_out"]].explode("left_out")
    gaps = gaps.assign(pair=list(zip(gaps["kpi"], gaps["left_out"])))
    left = collect(gaps, ["employee_id"], "pair")
    people["left_out"] = _tuples(people["employee_id"].map(left))
    people["missing_kpis"] = _tuples(people["missing_kpis"])
    no_kpis = people["total"].isna() & (people["nodata"] == 0)  # role without KPIs: not scored
    people["incomplete"] = (people["nodata"] > 0) | (people["left_out"].map(len).astype(int) > 0) | no_kpis
    people = finish_people(people, settings).sort_values("employee_id", kind="stable")
    people["last_period"] = people["period"]
    post = in_post(people, staff if staff is not None else d.frame(d.STAFF_COLUMNS), scope, settings)
    people["joined"], people["left"] = post["joined"], post["left"]
    people["months_in_post"], people["base"] = post["months_in_post"], post["base"]
    people["flags"] = _flags(people, post, settings, scope)
    # 强制分布: pay follows the calibrated grade (core.calibration).
    people, calibration, issues = calibrate(people, counted_in_distribution(people["flags"], settings), settings)
    people["coefficient"] = coefficient_of(people["grade"].to_numpy(dtype=object), settings)
    people["pay"] = pay(people["base"], people["coefficient"], people["total_rounded"],
                        people["months_in_post"], settings, len(scope))
    return d.frame(d.PEOPLE_COLUMNS, people), calibration, issues


def _flags(people: pd.DataFrame, post: pd.DataFrame, settings: Settings, scope: Sequence[str]
           ) -> list[tuple[str, ...]]:
    """新入职 / 离职 / 试用期 / 权重重分配 per person (docs/decisions.md, "Flags on 汇总").

    Joining and leaving come from 人员's dates, or without them from the rows: a person
    whose rows start after the scope's first month joined inside it, and one whose rows
    stop before its last month left (core.pay.in_post); a total renormalised over the
    KPIs with data was re-weighted."""
    if people.empty or not scope:
        return [()] * len(people)
    marks = {
        "new_hire": post["new_hire"].to_numpy(dtype=bool),
        "leaver": post["leaver"].to_numpy(dtype=bool),
        "probation": post["probation"].to_numpy(dtype=bool),
        "reweighted": ((settings.missing_data == "renormalize") & (people["nodata"] > 0)
                       & people["total"].notna()).to_numpy(),
    }
    return [tuple(code for code in d.PERSON_FLAGS if marks[code][i]) for i in range(len(people))]


def _tuples(values: pd.Series) -> list[tuple]:
    return [v if isinstance(v, tuple) else () for v in values]


# --- one team's share of the results ---------------------------------------------------


def for_team(results: Results, team: str) -> Results:
    """The same results restricted to one team: its people, their rows and the team's roll-ups.

    Ranks are kept as computed (the team rank, and the rank in the whole company); course
    statistics are recomputed over the team's trainees; issues about other people or teams
    are dropped, general ones kept.
    """
    people = results.people.loc[results.people["team"] == team]
    ids = set(people["employee_id"])

    def mine(frame: pd.DataFrame) -> pd.DataFrame:
        return frame.loc[frame["employee_id"].isin(ids)].reset_index(drop=True)

    rows = results.training_rows
    team_rows = rows.loc[rows["employee_id"].isin(ids)].reset_index(drop=True)
    return replace(
        results,
        people=people.reset_index(drop=True),
        scores=mine(results.scores),
        monthly=mine(results.monthly),
        teams=results.teams.loc[results.teams["team"] == team].reset_index(drop=True),
        team_summary=results.team_summary.loc[results.team_summary["team"] == team].reset_index(drop=True),
        training_people=mine(results.training_people),
        training_courses=training_courses(team_rows),
        before_after=mine(results.before_after),
        issues=[i for i in results.issues if _about(i, ids, team)],
        training_rows=team_rows,
        periods=mine(results.periods),
        calibration=_calibration_of(results.calibration, team),
    )


def _calibration_of(table: pd.DataFrame, team: str) -> pd.DataFrame:
    """The forced distribution rows a team's workbook shows: everyone's and the team's."""
    return table.loc[table["group"].isin(["", team])].reset_index(drop=True)


def _about(issue, ids: set[str], team: str) -> bool:
    params = dict(issue.params)
    if "employee_id" in params:
        return params["employee_id"] in ids
    if "team" in params:
        return params["team"] == team
    return True


def by_team(results: Results, teams: Iterable[str] | None = None) -> Iterator[tuple[str, Results]]:
    """``(team, for_team(results, team))`` for each of ``teams`` (default: every team with
    people, sorted), grouping each table once instead of filtering it again per team.

    for_team() per team reads every row of every table once per team: O(teams × rows),
    hours at 75,000 people. Here each table is split by one stable sort of its rows' team
    numbers, the course figures come from one groupby over (team, course) and the issues
    are bucketed once; each team's share is then a ``take`` of its own rows. Shares are
    made one at a time as the caller iterates, so only one is held beside the whole.
    The results are exactly for_team()'s (tests/test_core_people.py compares them)."""
    people = results.people
    teams = sorted(people["team"].unique()) if teams is None else list(teams)
    if not people["employee_id"].is_unique:
        # A person on two rows of people (score() never makes that): for_team keeps their
        # rows in each of their teams, which one team number per row cannot.
        for team in teams:
            yield team, for_team(results, team)
        return
    names = pd.Index(list(dict.fromkeys(teams)), dtype=object)
    n = len(names)
    person_code = names.get_indexer(people["team"].to_numpy(dtype=object))
    persons = pd.Index(people["employee_id"].to_numpy(dtype=object))

    def by_person(frame: pd.DataFrame) -> np.ndarray:
        at = persons.get_indexer(frame["employee_id"].to_numpy(dtype=object))
        return np.where(at >= 0, person_code[at], -1)

    def by_name(values) -> np.ndarray:
        return names.get_indexer(np.asarray(values, dtype=object))

    rows = results.training_rows
    row_code = by_person(rows)
    course_team, courses = training_courses_by(
        rows, pd.Series(np.where(row_code >= 0, np.asarray(names, dtype=object)[np.maximum(row_code, 0)], None),
                        dtype=object))
    tables = {
        "people": (people, person_code),
        "scores": (results.scores, by_person(results.scores)),
        "monthly": (results.monthly, by_person(results.monthly)),
        "teams": (results.teams, by_name(results.teams["team"])),
        "team_summary": (results.team_summary, by_name(results.team_summary["team"])),
        "training_people": (results.training_people, by_person(results.training_people)),
        "training_courses": (courses, by_name(course_team)),
        "before_after": (results.before_after, by_person(results.before_after)),
        "training_rows": (rows, row_code),
        "periods": (results.periods, by_person(results.periods)),
    }
    split = {key: (frame, _positions(codes, n)) for key, (frame, codes) in tables.items()}
    general, own = _bucket_issues(results.issues, people)
    for team in teams:
        code = names.get_loc(team)
        parts = {key: frame.take(at[code]).reset_index(drop=True) for key, (frame, at) in split.items()}
        issues = [results.issues[i] for i in heapq.merge(general, own.get(team, ()))]
        yield team, replace(results, issues=issues, calibration=_calibration_of(results.calibration, team), **parts)


def _positions(codes: np.ndarray, n: int) -> list[np.ndarray]:
    """The row positions of each code 0 … n-1, in row order (-1: in no group)."""
    order = np.argsort(codes, kind="stable")
    bounds = np.searchsorted(codes[order], np.arange(n + 1), side="left")
    return [order[bounds[k]:bounds[k + 1]] for k in range(n)]


def _bucket_issues(issues: list, people: pd.DataFrame) -> tuple[list[int], dict[str, list[int]]]:
    """The issues every team sees (general) and each team's own, as positions in
    ``issues``: _about() decided once per issue rather than once per issue and team."""
    team_of = dict(zip(people["employee_id"], people["team"]))
    general: list[int] = []
    own: dict[str, list[int]] = defaultdict(list)
    for i, issue in enumerate(issues):
        params = dict(issue.params)
        if "employee_id" in params:
            team = team_of.get(params["employee_id"])
            if team is not None:
                own[team].append(i)
        elif "team" in params:
            own[params["team"]].append(i)
        else:
            general.append(i)
    return general, own
