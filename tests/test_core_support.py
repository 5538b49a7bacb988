"""Builders of in-memory InputData for the core's tests (no Excel involved).

Rows are given as short dicts; every column not given takes the value a reader would
produce for a blank cell. The scheme of scoring.md's worked examples is SALES_REP.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from kpi_engine import data as d
from kpi_engine.data import InputData
from kpi_engine.models import Settings

ROLE = "销售代表"

SCHEME_DEFAULTS = {
    "category": "", "direction": "higher", "method": "ratio", "cap": np.nan, "floor": np.nan,
    "tier_table": "", "points_per_unit": np.nan, "step": np.nan, "aggregation": "",
    "source": "own", "source_kpi": "", "is_percent": False,
}

# scoring.md, "Worked examples": weights 40/20/15/10/10/5 = 100.
SALES_REP = [
    dict(kpi="销售额", weight=40),
    dict(kpi="新客户数", weight=20, method="tiers", tier_table="标准"),
    dict(kpi="费用率", weight=15, direction="lower", is_percent=True),
    dict(kpi="客户投诉", weight=10, direction="lower", method="deduction", points_per_unit=2),
    dict(kpi="核心客户保有率", weight=10, method="deduction", points_per_unit=2, step=0.01, is_percent=True),
    dict(kpi="团队协作", weight=5, method="rating"),
]

STANDARD_TIERS = [(1.2, 1.2), (1.0, 1.0), (0.9, 0.8), (0.8, 0.6), (0.0, 0.0)]


def scheme(rows=SALES_REP, role=ROLE, start=0) -> list[dict]:
    """Scheme rows for one role, in order."""
    return [{**SCHEME_DEFAULTS, "role": role, "order": start + i, **r} for i, r in enumerate(rows)]


def tiers(table="标准", steps=STANDARD_TIERS) -> list[dict]:
    return [{"table": table, "from_r": f, "fraction": s} for f, s in steps]


def target(emp="E1", kpi="销售额", period="2026-01", t=np.nan, a=np.nan, *, name=None, team="华东",
           role=ROLE, note="", file="targets.xlsx", row=2) -> dict:
    return {
        "employee_id": emp, "name": name if name is not None else f"员工{emp}", "team": team, "role": role,
        "period": period, "kpi": kpi, "target": t, "actual": a, "note": note,
        "file": file, "sheet": "目标管理", "row": row, "target_cell": f"G{row}", "actual_cell": f"H{row}",
    }


def rating(emp="E1", kpi="团队协作", period="2026-01", rater_type="manager", value=0.8, rater="", row=2) -> dict:
    return {"employee_id": emp, "period": period, "kpi": kpi, "rater_type": rater_type, "rater": rater,
            "rating": value, "file": "form.xlsx", "sheet": "评分", "row": row}


def session(emp="E1", course_id="C1", period="2026-01", planned=8.0, attended=8.0, *, course="产品知识",
            pre=np.nan, post=np.nan, satisfaction=np.nan, mandatory=True, name="", row=2) -> dict:
    return {
        "course_id": course_id, "course": course, "category": "", "date": pd.Timestamp(period + "-15"),
        "period": period, "planned_hours": planned, "employee_id": emp, "name": name,
        "attended_hours": attended, "pre": pre, "post": post, "satisfaction": satisfaction,
        "mandatory": mandatory, "file": "training.xlsx", "sheet": "培训记录", "row": row,
    }


def _rows(columns, rows) -> pd.DataFrame:
    rows = list(rows)
    if not rows:
        return d.frame(columns)
    return d.frame(columns, pd.DataFrame(rows))


def inputs(targets=(), *, scheme_rows=None, tier_rows=None, ratings=(), training=(), settings=None) -> InputData:
    return InputData(
        scheme=_rows(d.SCHEME_COLUMNS, scheme() if scheme_rows is None else scheme_rows),
        tiers=_rows(d.TIER_COLUMNS, tiers() if tier_rows is None else tier_rows),
        targets=_rows(d.TARGET_COLUMNS, targets),
        ratings=_rows(d.RATING_COLUMNS, ratings),
        training=_rows(d.TRAINING_COLUMNS, training),
        settings=settings or Settings(),
    )


def one(results, emp="E1", kpi=None):
    """The people row of ``emp``, or its scores row for ``kpi``, as a dict."""
    frame = results.people if kpi is None else results.scores
    sel = frame["employee_id"] == emp
    if kpi is not None:
        sel &= frame["kpi"] == kpi
    rows = frame.loc[sel]
    assert len(rows) == 1, rows
    return rows.iloc[0].to_dict()
