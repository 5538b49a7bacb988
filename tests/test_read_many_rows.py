"""Many target rows: all of them arrive in InputData, none is lost or mis-counted.

Timing lives in the benchmark, not here: ``python bench/read_speed.py --rows 1000000``.
"""

from __future__ import annotations

import os

import pytest

from kpi_engine.read import load
from tests.data.make_fixtures import assessment_form, big_target_sheet, write_xlsx

ROWS = int(os.environ.get("KPI_ENGINE_BENCH_ROWS", "50000"))


@pytest.mark.slow
def test_many_target_rows_all_arrive(tmp_path):
    write_xlsx(tmp_path / "form.xlsx", assessment_form(评分=[["工号", "期间", "指标", "评价人类型", "评分"]]))
    big_target_sheet(tmp_path / "targets.xlsx", ROWS)
    data = load([tmp_path])
    assert len(data.targets) == ROWS
    assert not data.report.has_errors
    (count,) = [c for c in data.report.counts if c.kind == "targets"]
    assert (count.read, count.used) == (ROWS, ROWS)
    assert data.targets["employee_id"].str.len().gt(0).all()
