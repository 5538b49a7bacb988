"""人员 / Staff: one row per person, every column but 工号 and 姓名 optional (issue 10), and the
target sheet's optional 绩效工资基数 column. Both become ``InputData.staff``.

A bad 基数 or date is an error naming its cell; the person is then scored as if the
cell were blank (a 人员 row is never a KPI row, so nothing else is lost).
"""

from __future__ import annotations

import pandas as pd

from ..data import STAFF_COLUMNS, frame
from ..issues import IssueType
from .rows import BAD_NUMBER, BAD_PERIOD, IMPOSSIBLE_DATE, OUT_OF_RANGE, Rows
from .values import parse_numbers, parse_periods

LEFT_BEFORE_JOINED = IssueType(
    "left_before_joined", "error",
    zh="{where}：离职日期 {value} 早于入职日期 {joined}。请更正；这两个日期均未使用（按有数据的月份判断在岗）。",
    en="{where}: the leaving date {value} is before the joining date {joined}. Correct it; neither date was used "
       "(months in post follow the months with rows).",
)
NEGATIVE_BASE = IssueType(
    "negative_pay_base", "error",
    zh="{where}：绩效工资基数 {value} 小于 0。请填写 0 或正数；此人的绩效工资按没有基数处理（只显示系数）。",
    en="{where}: the pay base {value} is below 0. Write 0 or more; this person's pay is left blank (the "
       "coefficient still shows).",
)


def read_staff(rows: Rows) -> pd.DataFrame:
    """人员 rows → STAFF_COLUMNS (period "")."""
    rows.skip_non_rows("employee_id")
    rows.reject_formulas([f.key for f in rows.kind.fields])
    p = pd.DataFrame(index=rows.df.index)
    for key in ("employee_id", "name", "team", "role"):
        p[key] = rows.text(key)
    cells = {}
    for key in ("joined", "left"):
        got = parse_periods(rows.df[key], want_day=True)
        unreadable = rows.checkable & (got.bad | got.decimal)
        rows.flag(unreadable, BAD_PERIOD, key, status=None)
        rows.flag(rows.checkable & got.impossible, IMPOSSIBLE_DATE, key, status=None)
        ok = ~(got.bad | got.decimal | got.impossible) & (got.values != "")
        # A month without a day (2026-03) stands for the month's first day.
        day = got.date.where(got.date.notna(), pd.to_datetime(got.values.where(ok, None) + "-01",
                                                              format="%Y-%m-%d", errors="coerce"))
        p[key] = day.where(ok)
        cells[key] = got
    backwards = rows.checkable & p["joined"].notna() & p["left"].notna() & (p["left"] < p["joined"])
    rows.flag(backwards, LEFT_BEFORE_JOINED, "left", status=None,
              joined=p["joined"].dt.strftime("%Y-%m-%d").fillna(""))
    p.loc[backwards, ["joined", "left"]] = pd.NaT
    p["base"] = parse_base(rows)
    p["period"] = ""
    rows.dedupe(["employee_id"], ["name", "team", "role", "joined", "left", "base"], p,
                lambda g: "工号/ID " + g["employee_id"])
    return _out(rows, p)


def target_bases(rows: Rows, parsed: pd.DataFrame) -> pd.DataFrame:
    """The target sheet's 绩效工资基数 cells (parsed by parse_targets, as ``parsed["base"]``)
    → STAFF_COLUMNS rows (one per person and month).

    Only rows the target reader kept (``rows.live`` after it finished) count. A bad cell is
    reported and left out; the KPI row itself is still used."""
    if "base" not in parsed:
        return frame(STAFF_COLUMNS)
    base = parsed["base"]
    keep = rows.live & base.notna()
    p = pd.DataFrame({"employee_id": parsed["employee_id"], "period": parsed["period"], "base": base})
    out = p[keep].copy()
    df = rows.df.loc[keep, ["file", "sheet", "row"]]
    out["file"], out["sheet"], out["row"] = df["file"], df["sheet"], df["row"]
    out["id_cell"] = rows.cells("employee_id", keep)
    out = out.sort_values(["employee_id", "period", "file", "row"], kind="stable")
    return frame(STAFF_COLUMNS, out.reset_index(drop=True))


def parse_base(rows: Rows) -> pd.Series:
    """绩效工资基数: a number ≥ 0; bad cells are errors naming the cell and read as blank."""
    scale = rows.per_sheet(lambda s: s.scale.get("base", 1.0)).astype("float64")
    n = parse_numbers(rows.df["base"], scale)
    rows.flag(rows.checkable & n.bad, BAD_NUMBER, "base", status=None)
    v = n.values.where(~n.bad)
    negative = rows.checkable & v.notna() & (v < 0)
    rows.flag(negative, NEGATIVE_BASE, "base", status=None)
    huge = rows.checkable & v.notna() & (v.abs() > 1e15)
    rows.flag(huge, OUT_OF_RANGE, "base", status=None, range="0 … 1e15")
    return v.where(~negative & ~huge)


def _out(rows: Rows, p: pd.DataFrame) -> pd.DataFrame:
    live = rows.live
    out = p[live].copy()
    df = rows.df.loc[live, ["file", "sheet", "row"]]
    out["file"], out["sheet"], out["row"] = df["file"], df["sheet"], df["row"]
    out["id_cell"] = rows.cells("employee_id", live)
    out = out.sort_values(["employee_id", "file", "row"], kind="stable")
    return frame(STAFF_COLUMNS, out.reset_index(drop=True))

