"""Training metrics per person, per course, and before/after (scoring.md, "Training metrics")."""

from __future__ import annotations

import numpy as np
import pandas as pd

from .. import data as d


def _sessions(training: pd.DataFrame) -> pd.DataFrame:
    """Training rows with the per-session values the means are taken over."""
    attended = training["attended_hours"].fillna(0.0)  # blank 实到学时 = 0, absent (inputs.md)
    pre, post = training["pre"], training["post"]
    both = pre.notna() & post.notna()
    improvement = (post - pre).where(both)
    with np.errstate(divide="ignore", invalid="ignore"):
        gain = ((post - pre) / (100.0 - pre)).where(both & (pre < 100))
    return training.assign(
        attended_hours=attended,
        was_there=attended > 0,
        missed_mandatory=training["mandatory"].astype(bool) & ~(attended > 0),
        improvement=improvement,
        gain=gain,
    )


def training_people(training: pd.DataFrame, people: pd.DataFrame) -> pd.DataFrame:
    """One row per trainee with rows in scope (TRAINING_PEOPLE_COLUMNS)."""
    if training.empty:
        return d.frame(d.TRAINING_PEOPLE_COLUMNS)
    s = _sessions(training)
    g = s.groupby("employee_id", sort=True)
    out = g.agg(
        planned_hours=("planned_hours", "sum"),
        attended_hours=("attended_hours", "sum"),
        sessions_attended=("was_there", "sum"),
        sessions_planned=("planned_hours", "size"),
        mandatory_missed=("missed_mandatory", "sum"),
        pre=("pre", "mean"), post=("post", "mean"),
        improvement=("improvement", "mean"), gain=("gain", "mean"),
        satisfaction=("satisfaction", "mean"),
    ).reset_index()
    # pandas 2.2 cannot take the min of text mixed with NaN: take it over attended rows only,
    # as the min of sorted integer codes (a min of text runs per group in Python: 20× slower).
    there = s.loc[s["was_there"], ["employee_id", "period"]]
    codes, months = pd.factorize(there["period"], sort=True)
    first_code = pd.Series(codes, index=there.index).groupby(there["employee_id"]).min()
    first = pd.Series(np.asarray(months, dtype=object)[first_code.to_numpy()], index=first_code.index)
    out["first_session"] = out["employee_id"].map(first)
    named = s.loc[s["name"] != ""].groupby("employee_id")["name"].last()
    out["participation"] = out["attended_hours"] / out["planned_hours"].where(out["planned_hours"] > 0)
    # Name and team from the target sheet when the person is scored, else the training sheet.
    known = people.set_index("employee_id")
    scored = out["employee_id"].map(known["name"]).astype(object)
    out["name"] = scored.where(scored.notna(), out["employee_id"].map(named).astype(object))
    out["team"] = out["employee_id"].map(known["team"])
    return d.frame(d.TRAINING_PEOPLE_COLUMNS, out)


def training_courses(training: pd.DataFrame) -> pd.DataFrame:
    """One row per course (TRAINING_COURSE_COLUMNS); attendance = attended / planned hours."""
    if training.empty:
        return d.frame(d.TRAINING_COURSE_COLUMNS)
    return d.frame(d.TRAINING_COURSE_COLUMNS, _course_stats(training, ["course_id"]))


def training_courses_by(training: pd.DataFrame, groups: pd.Series) -> tuple[np.ndarray, pd.DataFrame]:
    """training_courses() of each group of rows at once: one groupby over (group, course).

    ``groups`` labels each row of ``training`` (NaN: in no group). Returns the group of
    each output row and the rows (TRAINING_COURSE_COLUMNS), by group then course; a
    group's rows are exactly what training_courses() of its rows alone gives, since
    each (group, course) aggregates the same rows in the same order."""
    keep = groups.notna().to_numpy()
    rows = training.loc[keep].assign(_group=groups.to_numpy()[keep])
    if rows.empty:
        return np.array([], dtype=object), d.frame(d.TRAINING_COURSE_COLUMNS)
    out = _course_stats(rows, ["_group", "course_id"])
    return out["_group"].to_numpy(dtype=object), d.frame(d.TRAINING_COURSE_COLUMNS, out)


def _course_stats(training: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    s = _sessions(training)
    out = s.groupby(keys, sort=True).agg(
        course=("course", "first"), category=("category", "first"),
        trainees=("employee_id", "nunique"),
        attended=("attended_hours", "sum"), planned=("planned_hours", "sum"),
        pre=("pre", "mean"), post=("post", "mean"),
        improvement=("improvement", "mean"), satisfaction=("satisfaction", "mean"),
    ).reset_index()
    out["attendance"] = out["attended"] / out["planned"].where(out["planned"] > 0)
    return out


def before_after(monthly: pd.DataFrame, scores: pd.DataFrame, trainees: pd.DataFrame,
                 people: pd.DataFrame) -> pd.DataFrame:
    """For each trained person and each of their own 合计 KPIs: mean monthly attainment in
    the months before the first attended session and from it on; rows where both exist.

    ``monthly`` and ``scores`` carry ``pk`` (person × KPI number)."""
    first = trainees.loc[trainees["first_session"] != ""].set_index("employee_id")["first_session"]
    wanted = scores.loc[(scores["aggregation"] == "sum") & (scores["source"] == "own")
                        & (scores["method"] != "rating") & scores["employee_id"].isin(first.index), "pk"]
    rows = monthly.loc[np.isin(monthly["pk"].to_numpy(), wanted.to_numpy()) & monthly["attainment"].notna(),
                       ["pk", "employee_id", "period", "attainment"]]
    if rows.empty:
        return d.frame(d.BEFORE_AFTER_COLUMNS)
    start = rows["employee_id"].map(first)
    after = rows["period"] >= start
    out = pd.DataFrame({
        "before": rows["attainment"].where(~after).groupby(rows["pk"]).mean(),
        "after": rows["attainment"].where(after).groupby(rows["pk"]).mean(),
    }).dropna()
    info = scores.set_index("pk").loc[out.index, ["employee_id", "kpi"]]
    out = pd.concat([info, out], axis=1).reset_index(drop=True)  # pk order: person, then scheme order
    out["first_session"] = out["employee_id"].map(first)
    out["change"] = out["after"] - out["before"]
    out["name"] = out["employee_id"].map(people.set_index("employee_id")["name"])
    return d.frame(d.BEFORE_AFTER_COLUMNS, out)
