"""75,000 明细 rows: the bulk column writer produces a workbook with every row in it.

Timing lives in the benchmark, not here: ``python bench/write_speed.py``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from kpi_engine import core
from kpi_engine import data as d
from kpi_engine.data import InputData, Outcome
from kpi_engine.issues import Report
from kpi_engine.write.detail import summary_order
from kpi_engine.write.workbook import write_workbook

from . import outcome_fixture as fx

pytestmark = pytest.mark.slow

BASE = {"销售额": 250000, "新客户数": 5, "费用率": 0.05, "客户投诉": 0, "核心客户保有率": 0.95}


def big_outcome(people: int = 12_500) -> Outcome:
    """people × 6 KPIs of the 销售代表 scheme (one month, no ratings): 75,000 明细 rows."""
    rng = np.random.default_rng(7)
    kpis = list(BASE)
    emp = np.repeat([f"E{i:06d}" for i in range(people)], len(kpis))
    kpi = np.tile(kpis, people)
    t = np.array([BASE[k] for k in kpi], dtype=float)
    a = np.where(t > 0, t * rng.uniform(0.5, 1.4, len(t)), rng.integers(0, 4, len(t)))
    a[rng.random(len(a)) < 0.03] = np.nan
    targets = pd.DataFrame({
        "employee_id": emp, "name": "张三", "team": np.repeat([f"部门{i % 40}" for i in range(people)], len(kpis)),
        "role": fx.REP, "period": "2026-03", "kpi": kpi, "target": t, "actual": a, "note": "",
        "file": "t.xlsx", "sheet": "目标管理", "row": np.arange(len(t)) + 2, "target_cell": "", "actual_cell": "",
    })
    base = fx.inputs()
    data = InputData(scheme=base.scheme, tiers=base.tiers, targets=d.frame(d.TARGET_COLUMNS, targets),
                     ratings=d.frame(d.RATING_COLUMNS), training=d.frame(d.TRAINING_COLUMNS))
    return Outcome(results=core.score(data), report=Report(), files=[], version="bench")


def test_75000_score_rows_are_all_written(tmp_path):
    outcome = big_outcome()
    assert len(outcome.results.scores) == 75_000
    write_workbook(outcome, tmp_path / "big.xlsx")
    from python_calamine import CalamineWorkbook

    rows = CalamineWorkbook.from_path(str(tmp_path / "big.xlsx")).get_sheet_by_name("明细").to_python()
    assert len(rows) == 75_001
    # 明细 lists people in 汇总's order (overall rank, ties by 工号), each with all their KPIs.
    last = summary_order(outcome.results.people)["employee_id"].iloc[-1]
    assert rows[-1][0] == last
    assert sorted(r[0] for r in rows[1:]) == sorted(outcome.results.scores["employee_id"])
