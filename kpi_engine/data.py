"""The two frames-of-record that cross module boundaries.

``InputData`` is what the readers hand the core: validated, typed, one DataFrame per
kind of row. ``Results`` is what the core hands the writer and the CLI. The column lists
below are the contract; ``frame(COLUMNS)`` makes an empty frame with the right dtypes.

Conventions everywhere:
- periods are text ``"YYYY-MM"``;
- fractions are fractions (95% is 0.95), also for percent KPIs' targets and actuals;
- codes, not words (``"met"``, ``"ratio"``): :mod:`kpi_engine.vocab` turns them into zh/en;
- a missing number is NaN; a missing text is ``""``;
- ``file`` is the input file's name as shown to the user, ``sheet`` the sheet's name as
  written, ``row`` the 1-based Excel row number.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from .issues import Report
from .models import Settings

# dtype shorthands: "str" text ("" when missing), "float" (NaN when missing), "int",
# "Int64" (nullable int), "bool", "object" (Python objects such as tuples).

SCHEME_COLUMNS = {
    "role": "str", "kpi": "str", "category": "str", "weight": "float",
    "direction": "str", "method": "str", "cap": "float", "floor": "float",
    "accel_from": "float", "accel_by": "float",  # 完成率 accelerator (NaN: none)
    "tier_table": "str", "points_per_unit": "float", "step": "float",
    "aggregation": "str", "source": "str", "source_kpi": "str",
    "is_percent": "bool", "order": "int",
}
TIER_COLUMNS = {"table": "str", "from_r": "float", "fraction": "float",
                "curve": "str"}  # "steps" ("" too) or "linear", the same on every row of a table
PROVENANCE = {"file": "str", "sheet": "str", "row": "int"}
TARGET_COLUMNS = {
    "employee_id": "str", "name": "str", "team": "str", "role": "str",
    "period": "str", "kpi": "str", "target": "float", "actual": "float",
    "note": "str", **PROVENANCE,
    "target_cell": "str", "actual_cell": "str",  # e.g. "G7", "H7", for messages about T/A
}
RATING_COLUMNS = {
    "employee_id": "str", "period": "str", "kpi": "str", "rater_type": "str",
    "rater": "str", "rating": "float", **PROVENANCE,
}
TRAINING_COLUMNS = {
    "course_id": "str", "course": "str", "category": "str", "date": "datetime64[ns]",
    "period": "str", "planned_hours": "float", "employee_id": "str", "name": "str",
    "attended_hours": "float", "pre": "float", "post": "float",
    "satisfaction": "float", "mandatory": "bool", **PROVENANCE,
}

# 人员 rows (one per person), and the 绩效工资基数 cells of the target sheet (one per person
# and month, ``period`` set; the other columns blank). ``joined``/``left`` NaT when blank.
STAFF_COLUMNS = {
    "employee_id": "str", "name": "str", "team": "str", "role": "str",
    "joined": "datetime64[ns]", "left": "datetime64[ns]", "base": "float",
    "period": "str",  # "" for a 人员 row; the month of a target-sheet 基数
    **PROVENANCE,
    "id_cell": "str",  # the 工号 cell, e.g. "A7", for messages about the row
}


@dataclass(frozen=True, slots=True)
class InputFile:
    """One file that was found: what became of it, and its fingerprint for 说明."""

    path: str  # absolute path
    name: str  # as shown to the user (relative to the input folder, or the file name)
    sha256: str
    status: str  # "read" | "skipped" (lock file, own result) | "refused" (encrypted, corrupt, bomb) | "ignored" (not a workbook, not a regular file)
    sheets: tuple[str, ...] = ()  # the sheets recognised in it, as "name (kind)"


@dataclass
class InputData:
    """Validated input, ready for the core. Rows that failed are in ``report`` instead."""

    scheme: pd.DataFrame
    tiers: pd.DataFrame
    targets: pd.DataFrame
    ratings: pd.DataFrame
    training: pd.DataFrame
    settings: Settings = field(default_factory=Settings)
    files: list[InputFile] = field(default_factory=list)
    report: Report = field(default_factory=Report)
    # 人员 / Staff and the target sheet's 绩效工资基数 (STAFF_COLUMNS); optional.
    staff: pd.DataFrame = field(default_factory=lambda: frame(STAFF_COLUMNS))

    @classmethod
    def empty(cls) -> "InputData":
        return cls(
            scheme=frame(SCHEME_COLUMNS),
            tiers=frame(TIER_COLUMNS),
            targets=frame(TARGET_COLUMNS),
            ratings=frame(RATING_COLUMNS),
            training=frame(TRAINING_COLUMNS),
            staff=frame(STAFF_COLUMNS),
        )


# --- Results ------------------------------------------------------------------------

PEOPLE_COLUMNS = {
    "employee_id": "str", "name": "str", "team": "str", "role": "str",
    "total": "float",          # full precision; NaN: no KPI data at all (or role not scorable)
    "total_rounded": "float",  # half-up to 2 decimals on the shortest decimal form
    "grade": "str",            # "excellent" | "good" | "pass" | "improve" | "" (no total)
    "team_rank": "Int64", "overall_rank": "Int64",  # competition ranks on total_rounded
    "met": "int", "near": "int", "below": "int", "nodata": "int",  # status counts
    "incomplete": "bool",      # some KPI without data, or months left out
    "missing_kpis": "object",  # tuple[str, ...]: KPIs without data
    "left_out": "object",      # tuple[tuple[str, str], ...]: (kpi, period) months left out
    "changes": "object",       # tuple[str, ...]: e.g. ("team: 华东 → 华南",) inside the scope
    "first_period": "str", "last_period": "str",  # the person's first and last month with rows in scope
    # tuple[str, ...] of PERSON_FLAGS: joined after the scope's first month, left before its
    # last (no rows in its last months), total re-weighted over the KPIs with data
    "flags": "object",
    # Pay (issue 10; docs/decisions.md, "Pay"): the grade's 绩效系数, the 绩效工资基数
    # (NaN: none given), months in post within the scope, and 绩效工资 (NaN without a base
    # or a grade), rounded half-up to 2 decimals.
    "coefficient": "float", "base": "float", "months_in_post": "int", "pay": "float",
    "joined": "str", "left": "str",  # YYYY-MM of joining / leaving when known ("" if not)
    # 强制分布 (core.calibration): the grade by the total and the grade lines; ``grade`` is
    # the calibrated one where a forced distribution was applied by rank (else the same).
    # The rank inside the calibration group (NA: not counted in the distribution).
    "raw_grade": "str", "calibration_rank": "Int64",
}
# new_hire / leaver: joined after the scope's first month, left before its last (人员 dates,
# else the first/last month with rows); probation: on probation at the scope's end;
# reweighted: total re-weighted over the KPIs with data.
PERSON_FLAGS = ("new_hire", "leaver", "probation", "reweighted")
SCORE_COLUMNS = {
    "employee_id": "str", "name": "str", "team": "str", "role": "str",
    "category": "str", "kpi": "str", "direction": "str", "method": "str",
    "weight": "float",        # points
    "target": "float", "actual": "float",  # the scope's aggregated T and A (NaN for 等级)
    "attainment": "float",    # r, uncapped; the combined rating for 等级; NaN: no data
    "score": "float",         # full precision; NaN: no data (renormalize); 0 under "zero"
    "status": "str",          # "met" | "near" | "below" | "nodata"
    "has_data": "bool",
    "is_percent": "bool",
    "cap": "float",           # resolved (scheme or settings.default_cap)
    "floor": "float", "tier_table": "str", "points_per_unit": "float", "step": "float",
    "accel_from": "float", "accel_by": "float",  # 完成率 accelerator, resolved (NaN: none)
    "aggregation": "str", "source": "str", "source_kpi": "str",
    "left_out": "object",     # tuple[str, ...]: periods with target or actual missing
    "note": "str",            # 备注 of the input rows, joined with "; "
    "order": "int",           # scheme order, for display
}
MONTHLY_COLUMNS = {
    "employee_id": "str", "kpi": "str", "period": "str",
    "target": "float", "actual": "float", "attainment": "float", "status": "str",
}
TEAM_COLUMNS = {
    "team": "str", "kpi": "str", "aggregation": "str", "is_percent": "bool",
    "direction": "str", "method": "str",
    "target": "float", "actual": "float", "attainment": "float", "status": "str",
}
TEAM_SUMMARY_COLUMNS = {
    "team": "str", "people": "int", "scored": "int", "mean_total": "float",
    "excellent": "int", "good": "int", "pass": "int", "improve": "int",
    "excellent_share": "float",
    "excluded": "int",  # people on probation left out of the grade counts (probation_excluded)
}
# 强制分布 (core.calibration): per group (everyone "" or a team) and bucket (the grades, or
# excellent / middle / improve for a three-share distribution), the people counted, whether
# it was applied by rank, the target share and head count, and the raw and final counts.
CALIBRATION_COLUMNS = {
    "group": "str", "scored": "int", "applied": "bool", "bucket": "str", "share": "float",
    "target": "int", "raw": "int", "calibrated": "int",
}
TRAINING_PEOPLE_COLUMNS = {
    "employee_id": "str", "name": "str", "team": "str",
    "planned_hours": "float", "attended_hours": "float", "participation": "float",
    "sessions_attended": "int", "sessions_planned": "int", "mandatory_missed": "int",
    "pre": "float", "post": "float", "improvement": "float", "gain": "float",
    "satisfaction": "float", "first_session": "str",  # period of the first attended session
}
TRAINING_COURSE_COLUMNS = {
    "course_id": "str", "course": "str", "category": "str",
    "trainees": "int", "attendance": "float",
    "pre": "float", "post": "float", "improvement": "float", "satisfaction": "float",
}
# One row per person and period (core.periods; docs/decisions.md, "Periods"). A place
# for more per-period columns (a coefficient, pay) next to total and grade.
PERIOD_COLUMNS = {
    "employee_id": "str",
    "period": "str",           # "2026-03" (month), "2026-Q1" (quarter), "2026" (year)
    "kind": "str",             # "month" | "quarter" | "year"
    "team": "str",             # the person's team in the period's latest month with rows
    "total": "float",          # full precision; 月均分: the mean of the monthly total_rounded
    "total_rounded": "float",
    "grade": "str",
    "team_rank": "Int64", "overall_rank": "Int64",  # within the period
    "months_counted": "int",   # the period's months with a total for the person
    "months_covered": "int",   # the period's months in the scope
    "months_in_period": "int",  # 1, 3 or 12
    # Pay for the period (docs/decisions.md, "Periods"): the grade's 绩效系数, the months
    # of the period (in the scope) the person was in post, and 绩效工资 at the person's
    # 基数 (NaN without a base or a grade), as 汇总 pays a run over those months.
    "coefficient": "float", "months_in_post": "int", "pay": "float",
}
BEFORE_AFTER_COLUMNS = {
    "employee_id": "str", "name": "str", "kpi": "str", "first_session": "str",
    "before": "float", "after": "float", "change": "float",
}


@dataclass
class Results:
    """Everything the core computed for one scope."""

    scope: tuple[str, ...]  # the months scored, sorted
    settings: Settings
    people: pd.DataFrame
    scores: pd.DataFrame
    monthly: pd.DataFrame
    teams: pd.DataFrame
    team_summary: pd.DataFrame
    training_people: pd.DataFrame
    training_courses: pd.DataFrame
    before_after: pd.DataFrame
    tiers: pd.DataFrame  # the tier tables in force (for the writer's live formulas)
    issues: list = field(default_factory=list)  # list[Issue] found by the core
    # The training rows in scope (TRAINING_COLUMNS), so one team's course figures can be
    # recomputed for --split-by team (core.for_team).
    training_rows: pd.DataFrame = field(default_factory=lambda: frame(TRAINING_COLUMNS))
    # Each month, quarter and year of the scope (PERIOD_COLUMNS); pipeline.score fills it
    # (core.periods), core.score alone leaves it empty.
    periods: pd.DataFrame = field(default_factory=lambda: frame(PERIOD_COLUMNS))
    # The forced distribution per group and bucket (CALIBRATION_COLUMNS; empty without one).
    calibration: pd.DataFrame = field(default_factory=lambda: frame(CALIBRATION_COLUMNS))


def frame(columns: dict[str, str], data: dict | None = None) -> pd.DataFrame:
    """A DataFrame with exactly ``columns`` in order and their dtypes."""
    df = pd.DataFrame(data if data is not None else {c: [] for c in columns})
    out = {}
    for col, dtype in columns.items():
        s = df[col] if col in df else pd.Series([None] * len(df), dtype="object")
        out[col] = _as(s, dtype)
    return pd.DataFrame(out, index=range(len(df)))


def _as(s: pd.Series, dtype: str) -> pd.Series:
    s = s.reset_index(drop=True)
    if dtype == "str":
        if s.dtype == object and pd.api.types.infer_dtype(s.to_numpy(), skipna=False) == "string":
            return s.astype(str)  # text already, no NaN: one scan that stops at the first non-text
        return s.astype("object").where(s.notna(), "").astype(str)
    if dtype == "float":
        return pd.to_numeric(s, errors="coerce").astype("float64")
    if dtype == "int":
        return s.fillna(0).astype("int64")
    if dtype == "Int64":
        return s.astype("Int64")
    if dtype == "bool":
        return s.fillna(False).astype(bool)
    if dtype.startswith("datetime64"):
        return pd.to_datetime(s)
    return s.astype("object")


# The custom document property the result writer sets, and the readers look for, so
# that a later run over the same folder skips the engine's own results (inputs.md).
RESULT_PROPERTY = "kpi-engine-result"


@dataclass
class Outcome:
    """One run, as the writer and the CLI see it."""

    results: Results
    report: Report  # every issue (readers' and core's) and the row counts per sheet
    files: list[InputFile]
    version: str = ""
