"""The library: kpi_engine.load, score and save; scoring a loaded input is pure, so one load can be
scored again and again."""

from __future__ import annotations

import copy
import dataclasses
import json
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

import kpi_engine
from kpi_engine import pipeline
from kpi_engine.data import InputData, Outcome
from kpi_engine.issues import RECORD_COLUMNS, NothingToScoreError, Report, UsageError
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


# --- the public API: kpi_engine.load, score, save ------------------------------------

ROOT = Path(__file__).resolve().parents[1]


def test_importing_the_package_loads_nothing_heavy():
    """`import kpi_engine` stays cheap: the API is looked up on first use (PEP 562)."""
    code = "import json, sys, kpi_engine; print(json.dumps(sorted(sys.modules)))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT)
    loaded = json.loads(out.stdout)
    assert [m for m in loaded if m.split(".")[0] in ("pandas", "numpy", "pydantic", "typer")] == []
    assert [m for m in loaded if m.startswith("kpi_engine")] == ["kpi_engine"]


def test_every_public_name_is_there():
    names: dict = {}
    exec("from kpi_engine import *", names)  # noqa: S102
    assert set(kpi_engine.__all__) <= set(names) | {"__version__"}
    assert (kpi_engine.load, kpi_engine.score, kpi_engine.save) == (pipeline.load, pipeline.score, pipeline.write)
    assert set(kpi_engine.__all__) <= set(dir(kpi_engine))
    with pytest.raises(AttributeError, match="no attribute 'scores'"):
        kpi_engine.scores  # noqa: B018


def test_save_survives_importing_the_writer_subpackage():
    """Why the writer is `save`: importing kpi_engine.write rebinds the package's `write`."""
    import kpi_engine.write.workbook  # noqa: F401

    from kpi_engine import save
    assert save is pipeline.write


# How load() takes its inputs: one path as text or Path, or a list of them.
LOAD_FORMS = [
    ("text", lambda p: str(p)),
    ("Path", lambda p: p),
    ("list", lambda p: [p]),
    ("file and folder", lambda p: [p / "assessment_form.xlsx", p]),
]


@pytest.mark.parametrize(("form", "given"), LOAD_FORMS, ids=[f[0] for f in LOAD_FORMS])
def test_load_takes_one_path_or_several(sample, form, given):
    data = kpi_engine.load(given(sample_data_dir()))
    pd.testing.assert_frame_equal(data.targets, sample.targets)
    assert data.report.issues == sample.report.issues


# (case, arguments of score(), what it raises)
SCORE_REFUSES = [
    ("paths instead of InputData", (["sample_data"],), {}, TypeError),
    ("a month that is not one", (None,), {"period": "2026-13"}, UsageError),
    ("period with a range", (None,), {"period": "2026-03", "start": "2026-01"}, UsageError),
    ("a month without rows", (None,), {"period": "2025-12"}, NothingToScoreError),
]


@pytest.mark.parametrize(("case", "args", "kwargs", "error"), SCORE_REFUSES, ids=[c[0] for c in SCORE_REFUSES])
def test_score_refuses_what_it_cannot_score(sample, case, args, kwargs, error):
    args = tuple(sample if a is None else a for a in args)
    with pytest.raises(error):
        kpi_engine.score(*args, **kwargs)


def test_score_checks_input_built_by_hand_before_anything_else(sample):
    broken = dataclasses.replace(sample, scheme=sample.scheme.drop(columns="method"))
    with pytest.raises(ValueError, match="InputData.scheme lacks the columns method"):
        kpi_engine.score(broken)


def test_results_are_data_frames_and_problems_a_frame_too(sample):
    outcome = kpi_engine.score(sample, start="2026-01", end="2026-02")
    results = outcome.results
    frames = [f.name for f in dataclasses.fields(results) if isinstance(getattr(results, f.name), pd.DataFrame)]
    assert {"people", "scores", "monthly", "teams", "team_summary", "training_people"} <= set(frames)
    problems = outcome.report.to_frame("en")
    assert list(problems.columns) == list(RECORD_COLUMNS)
    assert len(problems) == len(outcome.report.issues)
    assert problems.to_dict("records") == outcome.report.records("en")
    assert problems["level"].tolist() == sorted(problems["level"], key=["error", "warning", "info"].index)
    first = problems.iloc[0].to_dict()
    assert first == {
        "level": "error", "code": "bad_number", "file": "targets_2026-09.xlsx", "sheet": "目标管理", "cell": "H31",
        "field": "actual", "value": "待定", "message": first["message"],
    }
    assert first["message"].startswith("目标管理!H31: 待定 is not a number.")
    assert outcome.report.to_frame("zh").iloc[0]["message"].startswith("目标管理!H31：待定 不是数字")


def test_no_problem_is_an_empty_frame_with_the_columns():
    frame = Report().to_frame()
    assert frame.empty and list(frame.columns) == list(RECORD_COLUMNS)


def test_save_writes_the_workbook_and_returns_its_paths(sample, tmp_path):
    outcome = kpi_engine.score(sample, period="2026-03")
    paths = kpi_engine.save(outcome, tmp_path / "march", lang="en", split_by="team")
    assert paths[0] == tmp_path / "march.xlsx"
    teams = sorted(outcome.results.people["team"].unique())
    assert sorted(p.name for p in paths[1:]) == [f"march_{t}.xlsx" for t in teams]
    assert all(p.exists() for p in paths) and not list(tmp_path.glob("*.tmp"))
