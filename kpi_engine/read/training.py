"""培训记录: one row per trainee × session (inputs.md)."""

from __future__ import annotations

import pandas as pd

from .. import vocab
from ..data import TRAINING_COLUMNS, frame
from ..models import TrainingRow, validate_columns
from .rows import BAD_PERIOD, MISSING_VALUE, OUT_OF_RANGE, Rows
from .values import month_start


def read_training(rows: Rows) -> pd.DataFrame:
    rows.skip_non_rows("employee_id")
    rows.reject_formulas([f.key for f in rows.kind.fields])
    rows.require(["course_id", "course"])
    p = pd.DataFrame(index=rows.df.index)
    for key in ("course_id", "course", "category", "employee_id", "name"):
        p[key] = rows.text(key)
    when = rows.periods("date", want_day=True)
    p["period"] = when.values
    # A month without a day (2026-03) stands for the month's first day. A day past 2261
    # (pandas' timestamps end there) is no session date: reported like any bad date.
    p["date"] = when.date.where(when.date.notna(), month_start(when.values.astype(object)))
    rows.flag(rows.checkable & (when.values != "") & p["date"].isna(), BAD_PERIOD, "date")
    planned = rows.numbers("planned_hours")
    rows.flag(rows.checkable & planned.values.isna() & ~planned.bad, MISSING_VALUE, "planned_hours", "")
    rows.range_check("planned_hours", planned.values, planned.values > 0, "> 0")
    attended = rows.numbers("attended_hours")
    rows.range_check("attended_hours", attended.values, attended.values >= 0, "≥ 0")
    p["planned_hours"] = planned.values
    p["attended_hours"] = attended.values.fillna(0.0)  # blank = 0, absent (inputs.md)
    over = rows.checkable & (p["attended_hours"] > p["planned_hours"] + 1e-9)
    rows.flag(over, OUT_OF_RANGE, "attended_hours", range="0–" + rows.text("planned_hours") + " (计划学时/planned)")
    for key, lo, hi in (("pre", 0, 100), ("post", 0, 100), ("satisfaction", 1, 5)):
        n = rows.numbers(key)
        p[key] = n.values
        rows.range_check(key, n.values, n.values.between(lo, hi), f"{lo}–{hi}")
    mandatory = rows.words("mandatory", vocab.YES_NO)
    p["mandatory"] = mandatory.where(mandatory.notna(), True).astype(bool)  # default 是

    rows.dedupe(["course_id", "employee_id", "date"],
                ["course", "category", "name", "planned_hours", "attended_hours", "pre", "post",
                 "satisfaction", "mandatory"], p,
                lambda g: "课程/Course " + g["course_id"] + " · 工号/ID " + g["employee_id"] + " · "
                + g["date"].dt.strftime("%Y-%m-%d").fillna(""))
    live = rows.live
    out = p[live].copy()
    df = rows.df.loc[live, ["file", "sheet", "row"]]
    out["file"], out["sheet"], out["row"] = df["file"], df["sheet"], df["row"]
    out = out.sort_values(["employee_id", "date", "course_id", "file", "row"], kind="stable")
    out = frame(TRAINING_COLUMNS, out.reset_index(drop=True))
    # The safety net: pydantic's constraints a column at a time, and TrainingRow's own
    # cross-field rule (attended within planned) mirrored.
    validate_columns(out, TrainingRow)
    if (out["attended_hours"] > out["planned_hours"] + 1e-9).any():
        raise ValueError("TrainingRow: 实到学时 above 计划学时 in a row the checks let through")
    return out
