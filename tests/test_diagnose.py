"""A run that scores nothing names the few causes first, then the list (issue 12, item 7)."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from kpi_engine import pipeline
from kpi_engine.cli import app
from kpi_engine.issues import NothingToScoreError
from tests import builders


def _grid(drop: Path) -> None:
    rows = [["工号", "姓名", "部门", "指标", "目标值", "1月", "2月", "3月", "合计"]]
    rows += [[pid, name, team, "销售额", 100000, 90000, 95000, 100000, 285000] for pid, name, team, *_ in builders.PEOPLE]
    builders.write_workbook(drop / "目标管理表2026.xlsx", {"Sheet1": rows})


def _no_period_column(drop: Path) -> None:
    rows = [["工号", "姓名", "部门", "岗位", "指标", "目标值", "实际值"], ["E001", "张伟", "华东", "销售代表", "销售额", 1, 1]]
    builders.write_workbook(drop / "targets.xlsx", {"目标管理": rows})


def _no_kpi_column(drop: Path) -> None:
    rows = [["工号", "姓名", "部门", "岗位", "期间", "目标值", "实际值"], ["E001", "张伟", "华东", "销售代表", "2026-01", 1, 1]]
    builders.write_workbook(drop / "targets.xlsx", {"目标管理": rows})


def _every_row_bad(drop: Path) -> None:
    builders.target_sheet(drop / "targets.xlsx", "三月")


def _scheme_renamed(drop: Path) -> None:
    builders.target_sheet(drop / "targets.xlsx", "2026-01")
    scheme = [["职位", "指标", "权重", "计分方式"] + r[4:] for r in builders.SCHEME]  # 岗位 typed as 职位
    builders.write_workbook(drop / "form.xlsx", {"Sheet2": scheme})


def _corrupt_only(drop: Path) -> None:
    (drop / "targets.xlsx").write_bytes(b"PK\x03\x04 broken")


CASES = [
    # (name, build, with the assessment form, extra args, cause codes in order, words in the first cause)
    ("a month grid", _grid, True, [], ["cause_sheet_looks_like"], "按月分列"),
    ("a sheet named right, 期间 missing and no month in title or name", _no_period_column, True, [], ["period_missing"], "期间"),
    ("a sheet named right, a header missing", _no_kpi_column, True, [], ["header_not_found"], "指标"),
    ("every row rejected", _every_row_bad, True, [], ["cause_all_rejected"], "bad_period × 12"),
    ("the scheme's headers renamed", _scheme_renamed, False, [], ["cause_sheet_looks_like"], "考核方案"),
    ("only a corrupt file", _corrupt_only, True, [], ["cause_files_refused", "cause_no_target_sheet"], "targets.xlsx"),
    ("a month not in the data", lambda d: builders.target_sheet(d / "t.xlsx", "2026-01"), True,
     ["--period", "2026-05"], ["cause_not_in_scope"], "2026-01"),
]


@pytest.mark.parametrize("name, build, form, args, codes, words", CASES, ids=[c[0] for c in CASES])
def test_the_causes_come_first(tmp_path, name, build, form, args, codes, words):
    drop = tmp_path / "drop"
    drop.mkdir()
    if form:
        builders.assessment_form(drop / "assessment_form.xlsx")
    build(drop)
    period = args[1] if args else None
    with pytest.raises(NothingToScoreError) as caught:
        pipeline.run([drop], period=period)
    assert [c.code for c in caught.value.causes] == codes
    assert words in caught.value.causes[0].message("zh")
    assert caught.value.report is not None

    # The command: error line, causes, then the list — causes before any listed issue.
    result = CliRunner().invoke(app, ["score", str(drop), "-o", str(tmp_path / "r.xlsx"), *args])
    assert result.exit_code == 2
    lines = result.output.splitlines()
    assert lines[0].startswith("错误：") and lines[1] == "原因："
    assert words in lines[2]
    listed = [i for i, line in enumerate(lines) if line.startswith(("错误\t", "警告\t", "提示\t"))]
    assert not listed or listed[0] > 1 + len(codes)
    assert not (tmp_path / "r.xlsx").exists()


def test_validate_puts_the_causes_first_too(tmp_path):
    drop = tmp_path / "drop"
    drop.mkdir()
    builders.assessment_form(drop / "assessment_form.xlsx")
    _grid(drop)
    result = CliRunner().invoke(app, ["validate", str(drop), "--lang", "en"])
    assert result.exit_code == 2
    lines = result.output.splitlines()
    assert lines[0] == "Why:" and "grid with a column per month" in lines[1]


def test_a_long_list_is_cut_with_a_pointer_to_validate(tmp_path):
    drop = tmp_path / "drop"
    drop.mkdir()
    builders.assessment_form(drop / "assessment_form.xlsx")
    rows = [builders.TARGETS_HEADER] + [[f"E{i:03d}", "某", "华东", "销售代表", "三月", "销售额", 1, 1, "", ""]
                                         for i in range(40)]
    builders.write_workbook(drop / "targets.xlsx", {"目标管理": rows})
    result = CliRunner().invoke(app, ["score", str(drop), "--lang", "en"])
    assert result.exit_code == 2
    assert "Every issue (" in result.output and "more: run kpi-engine validate" in result.output
    listed = [line for line in result.output.splitlines() if "\t" in line]
    assert len(listed) == 1 + 20  # the header and twenty issues
