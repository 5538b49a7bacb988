"""The library: scoring a loaded input is pure, so one load can be scored again and again."""

from __future__ import annotations

import copy
import dataclasses

import pandas as pd
import pytest

from kpi_engine import pipeline
from kpi_engine.data import InputData, Outcome
from kpi_engine.resources import sample_data_dir


@pytest.fixture(scope="module")
def sample() -> InputData:
    """The bundled sample department (ten months, one rejected row), loaded once."""
    return pipeline.load([sample_data_dir()])


def assert_same_input(a: InputData, b: InputData) -> None:
    """Every field equal: frames cell by cell (dtypes too), the rest by value."""
    for f in dataclasses.fields(InputData):
        x, y = getattr(a, f.name), getattr(b, f.name)
        if isinstance(x, pd.DataFrame):
            pd.testing.assert_frame_equal(x, y, obj=f.name)
        else:
            assert x == y, f.name


def assert_same_outcome(a: Outcome, b: Outcome) -> None:
    assert a.report == b.report
    assert a.files == b.files
    for f in dataclasses.fields(a.results):
        x, y = getattr(a.results, f.name), getattr(b.results, f.name)
        if isinstance(x, pd.DataFrame):
            pd.testing.assert_frame_equal(x, y, obj=f.name)
        else:
            assert x == y, f.name


# (period, start, end) of each run; every scope moves some rows to skipped but the last.
SCOPES = [
    ("2026-03", None, None),
    (None, "2026-02", "2026-04"),
    (None, None, "2026-01"),
    (None, None, None),
]


@pytest.mark.parametrize(("period", "start", "end"), SCOPES)
def test_scoring_twice_gives_the_same_outcome_and_leaves_the_input_as_it_was(sample, period, start, end):
    before = copy.deepcopy(sample)
    first = pipeline.run([], period=period, start=start, end=end, data=sample)
    second = pipeline.run([], period=period, start=start, end=end, data=sample)
    assert_same_outcome(first, second)
    assert_same_input(sample, before)
    counts = pipeline.row_counts(first.report)
    assert counts["read"] == counts["used"] + counts["rejected"] + counts["duplicates"] + counts["skipped"]
    assert all(c.used >= 0 and c.balanced for c in first.report.counts)


def test_scores_of_other_scopes_in_between_change_nothing(sample):
    """The bug this pins: run twice over one load and the issues grew 3 → 14 → 25 while a
    sheet's used count went below zero, because the run moved rows to skipped in the
    readers' own report."""
    alone = pipeline.run([], period="2026-03", data=sample)
    for period, start, end in SCOPES:
        pipeline.run([], period=period, start=start, end=end, data=sample)
    again = pipeline.run([], period="2026-03", data=sample)
    assert_same_outcome(alone, again)
    assert len(sample.report.issues) == 3
    skipped = {(c.file, c.sheet): c.skipped for c in alone.report.counts if c.skipped}
    assert skipped and all(c.skipped <= 1 for c in sample.report.counts)  # only the readers' own skip


def test_writing_leaves_the_outcome_as_it_was(sample, tmp_path):
    outcome = pipeline.score(sample, period="2026-03")
    before = copy.deepcopy(outcome)
    pipeline.write(outcome, tmp_path / "r.xlsx", split_by="team")
    assert_same_outcome(outcome, before)


def test_the_readers_counts_cannot_be_changed_in_place(sample):
    with pytest.raises(dataclasses.FrozenInstanceError):
        sample.report.counts[0].used -= 1
