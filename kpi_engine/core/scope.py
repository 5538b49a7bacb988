"""The months scored, and who each person is within them (scoring.md, "Scope and aggregation")."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import numpy as np
import pandas as pd

from ..issues import Issue, IssueType
from .collect import collect

PERSON_CHANGED = IssueType(
    "core_person_changed",
    "warning",
    zh="{person}（{employee_id}）的{field}在评分期间内有变化：{change}。按最近一个月（{period}）的{field}计入"
    "汇总、排名与团队，并按该月岗位的考核方案评分。如属录入错误，请改正目标管理表。",
    en="The {field} of {person} ({employee_id}) changes inside the scope: {change}. The latest month's "
    "({period}) {field} is used for the summary, ranks and teams, and that month's role's scheme for scoring. "
    "If this is a typing mistake, correct the target sheet.",
)

PERSON_CONFLICT = IssueType(
    "core_person_conflict",
    "warning",
    zh="{person}（{employee_id}）在 {period} 的目标行中{field}不一致：{change}。按 {chosen} 计入。"
    "请在目标管理表中统一为同一个{field}。",
    en="The rows of {person} ({employee_id}) for {period} disagree on {field}: {change}. {chosen} is used. "
    "Make them the same in the target sheet.",
)
SAME_NAME_TWO_IDS = IssueType(
    "core_same_name_two_ids",
    "warning",
    zh="团队 {team} 中有 {count} 个工号的姓名都是 {person}：{ids}，按不同的人分别评分。如果是同一个人，"
    "请在目标管理表中统一工号；如果确是同名的不同员工，可忽略本提示。",
    en="In team {team}, {count} employee IDs have the same name {person}: {ids}; they are scored as different "
    "people. If they are one person, use one ID in the target sheet; if they are namesakes, ignore this note.",
)

# The identity fields of a person, in the order changes are reported.
IDENTITY = ("team", "role", "name")


def resolve_scope(
    periods: Iterable[str],
    period: str | None = None,
    start: str | None = None,
    end: str | None = None,
) -> tuple[str, ...]:
    """The months to score, sorted: every month present by default; ``(period,)`` for one
    month; the months present in ``[start, end]`` (either end may be open) for a range."""
    if period is not None and (start is not None or end is not None):
        raise ValueError("give either period, or start/end, not both")
    if period is not None:
        return (period,)
    present = sorted(p for p in pd.unique(pd.Series(periods, dtype=object)) if isinstance(p, str) and p)
    return tuple(p for p in present if (start is None or p >= start) and (end is None or p <= end))


def in_scope(frame: pd.DataFrame, scope: Sequence[str]) -> pd.DataFrame:
    return frame.loc[frame["period"].isin(list(scope))].reset_index(drop=True)


def _first_changed_row(targets: pd.DataFrame, changes: pd.DataFrame, field: str) -> dict:
    """Where each person's first change shows: (file, sheet, "row N") of the first target row
    of the month the new value starts, for the warning to point at."""
    if "file" not in targets or changes.empty:
        return {}
    first = changes.drop_duplicates("employee_id")[["employee_id", "period", field]]
    rows = targets.merge(first, on=["employee_id", "period", field])
    rows = rows.sort_values(["employee_id", "file", "sheet", "row"], kind="stable").drop_duplicates("employee_id")
    return {e: (f, s, f"{r}:{r}") for e, f, s, r in zip(rows["employee_id"], rows["file"], rows["sheet"], rows["row"])}


def identify(targets: pd.DataFrame, warn: bool = True) -> tuple[pd.DataFrame, list[Issue]]:
    """One row per person with target rows in scope: name, team and role of the latest month.

    ``warn=False``: the people alone, without the warnings and the ``changes`` chains
    (core.periods scores every month at once and leaves the warnings to the main run).

    Returns (people with employee_id, name, team, role, period (the latest month with
    rows), first_period, changes) and a warning per
    person and field that changes inside the scope.
    """
    cols = ["employee_id", "period", *IDENTITY]
    if targets.empty:
        empty = pd.DataFrame({c: pd.Series([], dtype=object) for c in [*cols, "first_period"]})
        empty["changes"] = pd.Series([], dtype=object)
        return empty, []
    # One identity per person and month. Rows of one month that disagree are a data slip; the
    # choice among them is by value (not by row order), so the input's order never matters.
    distinct = targets[cols].drop_duplicates().sort_values(cols, kind="stable")
    monthly = distinct.groupby(["employee_id", "period"], sort=False)[list(IDENTITY)].last().reset_index()
    people = monthly.groupby("employee_id", sort=False).last().reset_index()[cols]
    # The first month with rows (monthly is sorted by person, then period).
    people["first_period"] = monthly.groupby("employee_id", sort=False)["period"].first().to_numpy()
    if not warn:
        people["changes"] = [()] * len(people)
        return people, []

    issues: list[Issue] = _conflicts(targets, distinct, monthly, people) + _namesakes(targets, people)
    chains: list[pd.Series] = []
    first = monthly["employee_id"].ne(monthly["employee_id"].shift())
    latest = people.set_index("employee_id")
    for field in IDENTITY:
        values = monthly[field]
        changed = ~first & values.ne(values.shift())
        who = monthly.loc[changed, "employee_id"].unique()
        if len(who) == 0:
            continue
        # Only the (few) people with a change: their chain of values, e.g. 华东 → 华南.
        steps = monthly.loc[monthly["employee_id"].isin(who) & (first | changed)]
        chain = collect(steps, ["employee_id"], field, join=" → ")
        chains.append(field + ": " + chain)
        where = _first_changed_row(targets, monthly.loc[changed], field)
        for emp, text in chain.items():
            file, sheet, row = where.get(emp, ("", "", ""))
            issues.append(PERSON_CHANGED(
                file=file, sheet=sheet, cell=row, field=field, value=text, person=latest.at[emp, "name"],
                employee_id=emp, team=latest.at[emp, "team"], change=text, period=latest.at[emp, "period"],
            ))
    if chains:
        joined = collect(pd.concat(chains).rename("change").rename_axis("employee_id").reset_index(),
                         ["employee_id"], "change")
        people["changes"] = people["employee_id"].map(joined)
    else:
        people["changes"] = np.nan
    people["changes"] = [c if isinstance(c, tuple) else () for c in people["changes"]]
    return people, issues


def _conflicts(targets: pd.DataFrame, distinct: pd.DataFrame, monthly: pd.DataFrame,
               people: pd.DataFrame) -> list[Issue]:
    """A warning per person, month and field whose rows of that month disagree (issue 12:
    one 工号 under two names). The value used is the one :func:`identify` keeps."""
    issues: list[Issue] = []
    if len(distinct) == len(monthly):  # one identity per person and month: the usual case
        return issues
    names = people.set_index("employee_id")["name"]
    for field in IDENTITY:
        counts = distinct.groupby(["employee_id", "period"], sort=False)[field].nunique()
        split = counts[counts > 1].index
        if len(split) == 0:
            continue
        keys = pd.MultiIndex.from_frame(distinct[["employee_id", "period"]])
        rows = distinct.loc[keys.isin(split), ["employee_id", "period", field]].drop_duplicates()
        values = collect(rows, ["employee_id", "period"], field, join="、")
        chosen = monthly.set_index(["employee_id", "period"])[field]
        for (emp, period), text in values.items():
            used = chosen.at[(emp, period)]
            file, sheet, cell = _first_row_with_other(targets, emp, period, field, used)
            issues.append(PERSON_CONFLICT(
                file=file, sheet=sheet, cell=cell, field=field, value=text, person=names.get(emp, emp),
                employee_id=emp, period=period, change=text, chosen=used,
            ))
    return issues


def _first_row_with_other(targets: pd.DataFrame, emp: str, period: str, field: str, used: str) -> tuple[str, str, str]:
    if "file" not in targets:
        return "", "", ""
    mine = (targets["employee_id"] == emp) & (targets["period"] == period) & (targets[field] != used)
    hit = targets.loc[mine]
    if hit.empty:
        return "", "", ""
    first = hit.sort_values(["file", "sheet", "row"], kind="stable").iloc[0]
    return first["file"], first["sheet"], f"{first['row']}:{first['row']}"


def _first_rows(targets: pd.DataFrame, ids: list[str]) -> dict[str, tuple[str, str, str]]:
    """(file, sheet, "row N:N") of each of ``ids``' first target row, in file, sheet, row order."""
    if "file" not in targets or not ids:
        return {}
    hit = targets.loc[targets["employee_id"].isin(ids), ["employee_id", "file", "sheet", "row"]]
    hit = hit.sort_values(["employee_id", "file", "sheet", "row"], kind="stable").drop_duplicates("employee_id")
    return {e: (f, s, f"{r}:{r}") for e, f, s, r in zip(hit["employee_id"], hit["file"], hit["sheet"], hit["row"])}


def _namesakes(targets: pd.DataFrame, people: pd.DataFrame) -> list[Issue]:
    """A warning per team where one name stands for two or more 工号 (issue 12): often one
    person typed two ways (Ｅ０００１ is E0001 after NFKC, but E0001 and E0010 are not)."""
    named = people.loc[people["name"].astype(str) != ""]
    ids = named.groupby(["team", "name"], sort=True)["employee_id"].agg(lambda x: tuple(sorted(x)))
    ids = ids[ids.map(len) > 1]
    issues: list[Issue] = []
    # Pointed at the first row of the second 工号: the likelier slip. Found for all of them
    # in one pass over the rows (one scan per name costs a second at a million rows).
    first_rows = _first_rows(targets, [group[1] for group in ids])
    for (team, name), group in ids.items():
        file, sheet, cell = first_rows.get(group[1], ("", "", ""))
        issues.append(SAME_NAME_TWO_IDS(
            file=file, sheet=sheet, cell=cell, value="、".join(group), person=name, team=team,
            ids="、".join(group), count=str(len(group)),
        ))
    return issues
