"""core.periods.month_totals scores its person × KPI × month rows a slice at a time
(``ROWS_AT_ONCE``, issue 13: memory): the slices joined are exactly the rows scored at once."""

from __future__ import annotations

import importlib

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kpi_engine import pipeline

from .test_core_properties import app_settings, companies
from .test_core_support import inputs, target

periods_module = importlib.import_module("kpi_engine.core.periods")
SOME = max(10, settings.default.max_examples // 5)


@settings(max_examples=SOME, deadline=None)
@given(company=companies(), cfg=app_settings, rule=st.sampled_from(["monthly_mean", "cumulative"]),
       rows=st.sampled_from([1, 2, 7, 16]))
def test_month_totals_in_slices_are_the_totals_at_once(company, cfg, rule, rows):
    people, ratings, sessions, kpis = company
    data = inputs(people, ratings=ratings, training=sessions, scheme_rows=kpis,
                  settings=cfg.model_copy(update={"period_rollup": rule}))
    whole = pipeline.score(data).results.periods
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(periods_module, "ROWS_AT_ONCE", rows)
        sliced = pipeline.score(data).results.periods
    pd.testing.assert_frame_equal(sliced, whole)


def test_the_rows_are_scored_a_slice_at_a_time(monkeypatch):
    sizes = []
    real = periods_module.method_scores

    def counted(frame, r, tiers):
        sizes.append(len(frame))
        return real(frame, r, tiers)

    monkeypatch.setattr(periods_module, "method_scores", counted)
    monkeypatch.setattr(periods_module, "ROWS_AT_ONCE", 5)
    rows = [target(f"E{i}", kpi, period, 100.0, 90.0 + i, row=2 + n)
            for n, (i, period, kpi) in enumerate((i, p, k) for i in range(3) for p in ("2026-01", "2026-02")
                                                 for k in ("销售额", "新客户数"))]
    pipeline.score(inputs(rows))
    assert len(sizes) > 2 and max(sizes) <= 5 and sum(sizes) >= 3 * 2 * 6  # 3 people × 2 months × 6 KPIs
