"""Checks of the benchmark's own parts (``python -m pytest bench -q``), at a tiny size.

The benchmark is only as honest as its floor: these tests hold that the generated
folder is what the docstring says, that the engine scores it, and that the floor
writes the very cells (values, formulas, formats) of the result it copies.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from python_calamine import CalamineWorkbook

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import floor  # noqa: E402
import generate  # noqa: E402
from kpi_engine import pipeline, vocab  # noqa: E402

N = 20  # two teams of ten


@pytest.fixture(scope="module")
def folder(tmp_path_factory) -> Path:
    return generate.generate(N, seed=3, out=tmp_path_factory.mktemp("inputs"))


@pytest.fixture(scope="module")
def result(folder: Path, tmp_path_factory) -> Path:
    outcome = pipeline.run([folder])
    out = tmp_path_factory.mktemp("result") / "result.xlsx"
    pipeline.write(outcome, out)
    return out


def test_folder_holds_one_target_file_per_month_with_15_rows_per_person(folder: Path):
    names = sorted(p.name for p in folder.glob("*.xlsx"))
    assert names == sorted([f"targets_{m}.xlsx" for m in generate.MONTHS] + ["assessment_form.xlsx", "training_plan.xlsx"])
    for m in generate.MONTHS:
        rows = CalamineWorkbook.from_path(str(folder / f"targets_{m}.xlsx")).get_sheet_by_name("目标管理").to_python()
        assert rows[0][:3] == ["工号", "姓名", "部门"]
        assert len(rows) - 1 == N * 15
        assert {r[4] for r in rows[1:]} == {m}


def test_generation_is_cached_and_seeded(folder: Path, tmp_path: Path):
    assert generate.generate(N, seed=3, out=folder.parent) == folder  # reused, not rewritten
    again = generate.generate(N, seed=3, out=tmp_path)
    first = CalamineWorkbook.from_path(str(folder / "targets_2025-06.xlsx")).get_sheet_by_name("目标管理").to_python()
    second = CalamineWorkbook.from_path(str(again / "targets_2025-06.xlsx")).get_sheet_by_name("目标管理").to_python()
    assert first == second


def test_engine_scores_everyone_and_rejects_only_the_planted_cells(folder: Path):
    outcome = pipeline.run([folder])
    people = outcome.results.people
    assert len(people) == N and people["total"].notna().all()
    errors = [(i.code, i.value) for i in outcome.report.issues if i.level == "error"]
    assert errors == [("bad_number", "待定")] * len(generate.MONTHS)
    counts = pipeline.row_counts(outcome.report)
    assert counts["rejected"] == len(generate.MONTHS)
    assert counts["read"] == N * 15 * 12 + N * 12 * 3 + N * 4 + len(generate.scheme()) + len(generate.TIERS) + len(vocab.SETTING_KEYS)


def test_floor_writes_the_same_cells_formats_and_formulas(result: Path, tmp_path: Path):
    recipe = floor.extract(result)
    assert [s.name for s in recipe.sheets][:3] == ["总览", "汇总", "明细"]
    assert any(kind == floor.FORMULA for s in recipe.sheets for _, _, kind, *_ in s.cells)
    copy = tmp_path / "floor.xlsx"
    written = floor.write(recipe, copy)
    assert written == sum(len(s.cells) for s in recipe.sheets)
    again = floor.extract(copy)
    assert [s.name for s in again.sheets] == [s.name for s in recipe.sheets]
    for a, b in zip(recipe.sheets, again.sheets):
        assert b.hidden == a.hidden and b.freeze == a.freeze
        # Same cells, values and formulas; formats equal as properties (indices may differ).
        assert [c[:5] for c in b.cells] == [c[:5] for c in a.cells]
        assert [recipe.formats[c[5] or 0] for c in a.cells] == [again.formats[c[5] or 0] for c in b.cells]


def test_floor_reads_every_input_cell(folder: Path):
    cells = floor.read_inputs(folder)
    assert cells >= N * 15 * 12 * 10  # every target cell at least
