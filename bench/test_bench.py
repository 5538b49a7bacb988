"""Checks of the benchmark's own parts (``python -m pytest bench -q``), at a tiny size.

The benchmark is only as honest as its floor: these tests hold that the generated
folder is what the docstring says, that the engine scores it, that the floor writes the
very cells (values, formulas, formats) of the result it copies and reads the same cells
with threads as without, and that a month too long for one file is split into files the
engine reads as one month (the path 75,000 people take, here at 20 with a tiny limit).
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest
import xlsxwriter
from python_calamine import CalamineWorkbook

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import floor  # noqa: E402
import generate  # noqa: E402
import run  # noqa: E402
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


# --- a month over several files ------------------------------------------------------------

SMALL = 100  # target rows per file: a month of 20 people (300 rows) goes in 4 parts of 75


def _rows(path: Path, sheet: str = "目标管理") -> list[list]:
    return CalamineWorkbook.from_path(str(path)).get_sheet_by_name(sheet).to_python()


@pytest.fixture(scope="module")
def split_folder(tmp_path_factory) -> Path:
    return generate.generate(N, seed=3, out=tmp_path_factory.mktemp("split"), max_rows=SMALL)


def test_a_long_month_is_split_between_people_into_files_holding_the_same_rows(folder: Path, split_folder: Path):
    assert split_folder.name.startswith(f"n{N}_s3_r{SMALL}_")  # cached apart from the unsplit folder
    for m in generate.MONTHS:
        names = sorted(p.name for p in split_folder.glob(f"targets_{m}*.xlsx"))
        assert names == [f"targets_{m}_part{i}.xlsx" for i in (1, 2, 3, 4)]
        parts = [_rows(split_folder / name) for name in names]
        for rows in parts:
            assert rows[0][:3] == ["工号", "姓名", "部门"] and len(rows) - 1 <= SMALL
        # No person is cut in two, and the parts are the unsplit month's rows in order.
        ids = [{r[0] for r in rows[1:]} for rows in parts]
        assert all(not (a & b) for i, a in enumerate(ids) for b in ids[i + 1:])
        assert [r for rows in parts for r in rows[1:]] == _rows(folder / f"targets_{m}.xlsx")[1:]


def test_ratings_past_the_limit_go_to_more_files_cut_between_people(folder: Path, split_folder: Path):
    # 20 people × 12 months × 3 raters = 720 评分 rows: the form keeps 90, seven files the rest.
    extra = sorted(p.name for p in split_folder.glob("ratings_part*.xlsx"))
    assert extra == [f"ratings_part{i}.xlsx" for i in range(2, 9)]
    assert not list(folder.glob("ratings_part*.xlsx"))  # under the limit all stay in the form
    parts = [_rows(split_folder / "assessment_form.xlsx", "评分")] + [_rows(split_folder / n, "评分") for n in extra]
    assert all(rows[0][:2] == ["工号", "期间"] and len(rows) - 1 <= SMALL for rows in parts)
    assert [r for rows in parts for r in rows[1:]] == _rows(folder / "assessment_form.xlsx", "评分")[1:]
    keys = [{(r[0], r[1]) for r in rows[1:]} for rows in parts]  # a person's month is never cut in two
    assert all(not (a & b) for i, a in enumerate(keys) for b in keys[i + 1:])


def test_the_engine_scores_a_split_month_as_one(folder: Path, split_folder: Path):
    whole, split = pipeline.run([folder]), pipeline.run([split_folder])
    cols = ["employee_id", "total", "grade"]
    assert split.results.people[cols].equals(whole.results.people[cols])
    assert pipeline.row_counts(split.report) == pipeline.row_counts(whole.report)


def test_parts_are_as_few_and_even_as_the_limit_allows():
    ids = np.repeat(np.arange(75_000), 15)  # a month of 75,000 people
    assert [(s.start, s.stop) for s in generate.parts(ids)] == [(0, 375_000), (375_000, 750_000), (750_000, 1_125_000)]
    assert generate.parts(np.repeat(np.arange(20_000), 15)) == [slice(0, 300_000)]  # 20,000 people: one file
    uneven = np.repeat(np.arange(7), [3, 1, 4, 4, 2, 5, 1])
    for limit in range(5, 21):
        chunks = generate.parts(uneven, limit)
        assert chunks[0].start == 0 and chunks[-1].stop == len(uneven)
        assert all(a.stop == b.start for a, b in zip(chunks, chunks[1:]))
        assert all(s.stop - s.start <= limit for s in chunks)
        assert all(s.start == 0 or uneven[s.start] != uneven[s.start - 1] for s in chunks)  # between people
    for people, limit in [(7, 15), (7, 44), (7, 45), (100, 200), (999, 1000), (20, 100)]:
        chunks = generate.parts(np.repeat(np.arange(people), 15), limit)
        per_file = limit // 15  # whole people a file holds: the fewest files, sizes one person apart
        sizes = {(s.stop - s.start) // 15 for s in chunks}
        assert len(chunks) == -(-people // per_file) and max(sizes) - min(sizes) <= 1
    with pytest.raises(ValueError, match="one person has 5 target rows"):
        generate.parts(uneven, 4)
    assert generate.target_files("2025-01", 1) == ["targets_2025-01.xlsx"]
    names = generate.target_files("2025-01", 12)
    assert names[0] == "targets_2025-01_part01.xlsx" and names == sorted(names)  # the engine reads by path


def test_a_refused_cell_stops_the_generator_naming_file_sheet_and_cell(tmp_path: Path):
    path = tmp_path / "refused.xlsx"
    wb, styles = generate.new_book(path)
    sh = generate.Sheet(wb, styles, "目标管理", vocab.TARGETS)
    cols = [np.array(["E00001"], dtype=object)] * sh.width
    long = np.array(["长" * 40_000], dtype=object)  # a cell holds 32,767 characters
    with pytest.raises(generate.WriteRefused, match=r"refused\.xlsx, sheet 目标管理, cell C2: .*code -2"):
        sh.columns([*cols[:2], long, *cols[3:]], [None] * sh.width)
    sh.row = generate.EXCEL_MAX_ROWS  # the sheet is full
    with pytest.raises(generate.WriteRefused, match="1,048,577 rows do not fit"):
        sh.columns(cols, [None] * sh.width)
    wb.close()
    with pytest.raises(ValueError, match="max_rows"):
        generate.generate(N, out=tmp_path, max_rows=generate.EXCEL_MAX_ROWS)


def test_check_passes_success_codes_and_names_cells():
    generate.check(0, "f.xlsx", "s", 0, 0)
    generate.check(None, "f.xlsx", "s", 0, 0)
    assert [generate.cell_name(0, c) for c in (0, 25, 26, 701, 702)] == ["A1", "Z1", "AA1", "ZZ1", "AAA1"]
    ws = xlsxwriter.Workbook(None, {"in_memory": True}).add_worksheet()
    with pytest.raises(generate.WriteRefused, match=r"f\.xlsx, sheet s, cell A1048577: .*code -1"):
        generate.check(ws.write_number(generate.EXCEL_MAX_ROWS, 0, 1), "f.xlsx", "s", generate.EXCEL_MAX_ROWS, 0)


# --- the multi-core floor --------------------------------------------------------------------


def test_the_threaded_floor_reads_the_same_cells_as_the_sequential_one(split_folder: Path):
    seen: dict[int, dict] = {1: {}, 4: {}}
    counts = {}
    for threads, got in seen.items():
        counts[threads] = floor.read_inputs(split_folder, threads=threads,
                                            sink=lambda path, sheet, rows, got=got: got.__setitem__((path.name, sheet), rows))
    assert counts[1] == counts[4] > N * 15 * 12 * 10
    assert len(seen[1]) == len(floor.workbooks(split_folder)) + 3  # the form has four sheets
    assert seen[4] == seen[1]


# --- the report -------------------------------------------------------------------------------


def _fake(n: int, wall: float, rss: int, floor_s: float, floor_mc: float) -> dict:
    runs = [{"wall": wall, "cpu": wall * 0.9, "rss": rss, "exit": 1, "peak_mb": {},
             "phases": {"read": 0.4 * wall, "validate": 0.1 * wall, "score": 0.05 * wall, "write": 0.3 * wall,
                        "other": 0.15 * wall}}]
    floors = [{"floor": floor_s, "read": 0.3 * floor_s, "write": 0.7 * floor_s, "cpu": floor_s,
               "floor_mc": floor_mc, "read_mc": floor_mc - 0.7 * floor_s, "cpu_mc": 1.2 * floor_s, "threads": 2,
               "wall": floor_s + 1, "rss": rss // 2, "cells_read": 1, "cells_written": 1}]
    return runs, floors


def test_report_gives_both_floors_cpu_ratios_and_growth_per_row(folder: Path):
    results = [run.summarise(n, folder, *_fake(n, wall, rss, fl, mc))
               for n, wall, rss, fl, mc in ((1000, 7.2, 360_000_000, 6.0, 5.0), (5000, 30.0, 1_800_000_000, 40.0, 32.0))]
    r = results[1]
    assert r["target_rows"] == 900_000
    assert r["s_per_m_rows"] == pytest.approx(30.0 / 0.9)
    assert r["bytes_per_row"] == pytest.approx(2_000)
    assert r["ratio"] == pytest.approx(0.75) and r["ratio_mc"] == pytest.approx(30 / 32)
    assert r["cpu_ratio"] == pytest.approx(27 / 40) and r["cpu_ratio_mc"] == pytest.approx(27 / 48)
    table = run.report(results, 1).splitlines()
    header = [c.strip() for c in table[0].strip("|").split("|")]
    assert header[:9] == ["N people", "target rows", "run / floor", "run / 2-core floor", "CPU-time ratio (1 / 2 cores)",
                          "run / (read floor + our write)", "s per M rows", "peak RSS", "bytes per row"]
    row = [c.strip() for c in table[3].strip("|").split("|")]
    assert row[:9] == ["5,000", "900,000", "**0.75**", "0.94", "0.68 / 0.56", "1.43", "33.3", "1.68 GiB", "2,000"]
    assert "2-thread read" in table[5] and "| 5,000 | 14 files, " in table[8]
    lines = run.verdict(results)
    assert "N=1000: run/floor 1.20 ≤ 1.5 met (single-core floor; 1.44 against the 2-core floor)" in lines
    assert "N=5000: run/floor 0.75 ≤ 0.8 met (single-core floor; 0.94 against the 2-core floor)" in lines
    slower = run.summarise(5000, folder, *_fake(5000, 33.0, 1_800_000_000, 40.0, 32.0))
    assert "N=5000: run/floor 0.82 > 0.8 NOT met" in run.verdict([slower])[0]


@pytest.mark.slow
def test_bench_runs_end_to_end_on_a_split_month(tmp_path: Path):
    # What --sizes 75000 does, at 20 people with 100 target rows per file.
    result = run.bench_size(N, 1, seed=3, inputs=tmp_path / "inputs", work_dir=tmp_path / "runs", max_rows=SMALL)
    assert result["input_files"] == 12 * 4 + 2 + 7  # the months in 4 parts, the form and plan, 7 of 评分
    assert result["cells_read"] == floor.read_inputs(generate.input_dir(N, 3, tmp_path / "inputs", SMALL))
    assert result["ratio"] > 0 and result["ratio_mc"] > 0 and result["cpu_ratio_mc"] > 0
    assert result["runs"][0]["exit"] == 1  # the planted 待定 cells
    assert "| 20 | 3,600 |" in run.report([result], 1)


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="/proc is Linux's")
def test_peak_memory_counts_the_workers_of_a_run_too():
    # A process forks, then it and its child each take 150 MB, both alive at once:
    # os.wait4 alone says ~160 MB (the larger of the two), the tree ~320 MB.
    holds = ("import os, time; pid = os.fork(); a = bytearray(150 << 20); time.sleep(0.6)\n"
             "if pid == 0:\n    os._exit(0)\n"
             "os.waitpid(pid, 0)")
    _, _, peak, code, _ = run.spawn([sys.executable, "-c", holds])
    assert code == 0 and peak > 280 << 20
