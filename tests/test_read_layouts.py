"""Target sheets in the layouts HR already keeps (issue 12, items 1 and 2).

Every layout of ``tests/data/make_layouts.py`` holds the same department as the long
template; scored through the real pipeline, each gives the long template's totals and
scores, and one person's figures are checked against numbers worked out by hand.
"""

from __future__ import annotations

import datetime as dt
import math
from pathlib import Path

import pytest
from typer.testing import CliRunner

from kpi_engine import pipeline
from kpi_engine.cli import app
from kpi_engine.read import load
from kpi_engine.read.layouts import month_header, when_of_text
from tests.data import make_layouts as ml
from tests.data.make_fixtures import write_xlsx

LAYOUTS = [n for n in ml.LAYOUTS if n != "long"]


@pytest.fixture(scope="module")
def made(tmp_path_factory):
    out = tmp_path_factory.mktemp("layouts")
    refs = {per: pipeline.run([ml.folder_for(out / f"ref{int(per)}", "long", per)]) for per in (False, True)}
    return out, refs


def _by(frame, *keys):
    return frame.set_index(list(keys)).sort_index()


@pytest.mark.parametrize("layout", LAYOUTS)
def test_layout_scores_like_the_long_template(made, layout):
    out, refs = made
    ref = refs[layout in ml.PER_MONTH]
    got = pipeline.run([ml.folder_for(out, layout)])
    assert got.results.scope == ref.results.scope == tuple(f"2026-{m:02d}" for m in range(1, 9))
    people, want = _by(got.results.people, "employee_id"), _by(ref.results.people, "employee_id")
    assert list(people.index) == ["E001", "E002", "E003", "E004", "M001", "M002"]
    assert people["total"].tolist() == want["total"].tolist()
    assert people["grade"].tolist() == want["grade"].tolist()
    s, w = _by(got.results.scores, "employee_id", "kpi"), _by(ref.results.scores, "employee_id", "kpi")
    for col in ("target", "actual", "attainment", "score"):
        assert s[col].fillna(-1).tolist() == w[col].fillna(-1).tolist(), col
    # Nothing but the layout's own info line: no error, no warning.
    assert [i.code for i in got.report.issues if i.level != "info"] == []
    counts = [c for c in got.report.counts if c.kind == "targets"]
    assert sum(c.used for c in counts) == 6 * 0 + (4 * 3 + 2 * 2) * 8 and all(c.balanced for c in counts)


def test_hand_computed_classic_sales(made):
    """E001's 销售额 in the classic grid: target 120,000 a month, actuals 1月–8月 from the grid."""
    out, _ = made
    got = pipeline.run([ml.folder_for(out, "classic")])
    s = _by(got.results.scores, "employee_id", "kpi").loc[("E001", "销售额")]
    # E001: base 120,000 + 6,000 × wobble, wobble (7 + 13m) % 9 − 4 for m = 1…8 → −2, 2, −3, 1, −4, 0, 4, −1
    actuals = [108000, 132000, 102000, 126000, 96000, 120000, 144000, 114000]
    assert s["target"] == 8 * 120000 == 960000
    assert s["actual"] == sum(actuals) == 942000
    assert math.isclose(s["score"], 60 * 942000 / 960000)  # 58.875 points


def test_hand_computed_label_rows_percent(made):
    """M001 (客户经理) in the 目标/实际 grid: two % KPIs averaged over 8 months."""
    out, _ = made
    got = pipeline.run([ml.folder_for(out, "label_rows")])
    s = _by(got.results.scores, "employee_id", "kpi")
    # M001: k = 1, wobble (7 + 13m) % 9 − 4 → −2, 2, −3, 1, −4, 0, 4, −1 (sum −3)
    back = (0.93 + 0.97 + 0.92 + 0.96 + 0.91 + 0.95 + 0.99 + 0.94) / 8  # 0.94625
    cost = (0.04 + 0.06 + 0.035 + 0.055 + 0.03 + 0.05 + 0.07 + 0.045) / 8  # 0.048125
    assert math.isclose(s.loc[("M001", "回款率"), "actual"], back)
    assert math.isclose(s.loc[("M001", "费用率"), "actual"], cost)
    r1, r2 = back / 0.95, 2 - cost / 0.05  # lower is better: 2 − A/T
    total = _by(got.results.people, "employee_id").loc["M001", "total"]
    assert math.isclose(total, 60 * r1 + 40 * r2)


def test_hand_computed_paired_targets_per_month(made):
    """E002's 销售额 with a target per month: 140,000 + 10,000 × (m mod 3)."""
    out, _ = made
    got = pipeline.run([ml.folder_for(out, "paired_two_rows")])
    s = _by(got.results.scores, "employee_id", "kpi").loc[("E002", "销售额")]
    targets = [140000 + 10000 * (m % 3) for m in range(1, 9)]
    assert s["target"] == sum(targets) == 1_210_000
    # E002: wobble (14 + 13m) % 9 − 4 for m = 1…8 → −4, 0, 4, −1, 3, −2, 2, −3 (sum −1)
    assert s["actual"] == 8 * 140000 + 6000 * -1 == 1_114_000


def test_hand_computed_month_outside(made):
    out, _ = made
    data = load([ml.folder_for(out, "month_outside")])
    t = data.targets[(data.targets["employee_id"] == "E003") & (data.targets["kpi"] == "新客户数")]
    assert t["period"].tolist() == [f"2026-{m:02d}" for m in range(1, 9)]
    assert t["target"].tolist() == [11 + m % 2 for m in range(1, 9)]
    # where each month came from, said in 问题 (info)
    by_file = {i.file: i.message("zh") for i in data.report.issues if i.code == "period_from_title"}
    assert by_file["1月.xlsx"] == "工作表 目标管理 没有期间列，期间 2026-01 取自文件名 1月.xlsx（年份取自标题 A1（2026年销售目标））。"
    assert by_file["2026-08目标管理表.xlsx"] == "工作表 目标管理 没有期间列，期间 2026-08 取自标题 A1（2026年8月销售目标）。"


# --- each value keeps its own cell -----------------------------------------------------


def test_cells_are_the_grid_cells(made):
    out, _ = made
    data = load([ml.folder_for(out, "classic")])
    t = data.targets.set_index(["employee_id", "kpi", "period"])
    # Header on row 3; E001 销售额 is row 4; 目标值 in G, 1月 in H … 8月 in O.
    assert t.loc[("E001", "销售额", "2026-01"), "actual_cell"] == "H4"
    assert t.loc[("E001", "销售额", "2026-08"), "actual_cell"] == "O4"
    assert t.loc[("E001", "销售额", "2026-08"), "target_cell"] == "G4"
    assert t.loc[("E001", "销售额", "2026-08"), "row"] == 4
    label = load([ml.folder_for(out, "label_rows")]).targets.set_index(["employee_id", "kpi", "period"])
    # 目标 row 3, 实际 row 4; 1月 is column H
    assert label.loc[("E001", "销售额", "2026-01"), ["target_cell", "actual_cell"]].tolist() == ["H3", "H4"]
    paired = load([ml.folder_for(out, "paired_two_rows")]).targets.set_index(["employee_id", "kpi", "period"])
    # header rows 1–2; 3月 is columns K (目标) and L (实际); E001 销售额 is row 3
    assert paired.loc[("E001", "销售额", "2026-03"), ["target_cell", "actual_cell"]].tolist() == ["K3", "L3"]


def _grid(tmp_path, rows, name="目标管理表.xlsx", sheet="目标管理", **kw) -> Path:
    folder = tmp_path / "in"
    ml.assessment_form(folder / "assessment_form.xlsx", ratings=False)
    write_xlsx(folder / name, {sheet: rows}, **kw)
    return folder


HEADER = [*ml.ID_HEADER, "目标值", *ml.MONTHS_ZH, "合计"]


def _row(pid="E001", kpi="销售额", target=100000, actuals=(100000, 110000), total=None):
    acts = [*actuals, *[None] * (12 - len(actuals))]
    return ["E001" if pid is None else pid, "张伟", "销售一部", ml.ROLE_S, kpi, "元", target, *acts, total]


def _problems(data):
    return sorted((i.level, i.sheet, i.cell, i.code) for i in data.report.issues if i.level != "info")


def test_bad_month_cell_is_named_by_its_own_cell(tmp_path):
    rows = [["2026年目标管理表"], HEADER, _row(actuals=(100000, "十二")), _row(kpi="新客户数", target=10, actuals=(9, 11))]
    data = load([_grid(tmp_path, rows)])
    assert _problems(data) == [("error", "目标管理", "I3", "bad_number")]
    issue = next(i for i in data.report.issues if i.code == "bad_number")
    assert issue.message("zh").startswith("目标管理!I3：十二 不是数字。")
    # the other month of that row and the other KPI are read
    assert sorted(zip(data.targets["kpi"], data.targets["period"])) == [
        ("新客户数", "2026-01"), ("新客户数", "2026-02"), ("销售额", "2026-01")]


def test_total_column_checked_against_the_months(tmp_path):
    rows = [["2026年目标管理表"], HEADER, _row(actuals=(100000, 110000), total=210000),
            _row(kpi="新客户数", target=10, actuals=(9, 11), total=25)]
    data = load([_grid(tmp_path, rows)])
    # T is 合计 (column T); row 4's 25 is neither 9 + 11 nor their mean
    assert _problems(data) == [("warning", "目标管理", "T4", "grid_total_mismatch")]
    msg = next(i for i in data.report.issues if i.code == "grid_total_mismatch").message("zh")
    assert msg == "目标管理!T4：合计 25 与各月实际值不符（各月合计 20，平均 10）。该列不参与计分（按月份计算），请核对月份数据或该单元格。"
    assert len(data.targets) == 4  # the 合计 column is never read as a month


def test_totals_row_and_note_rows_are_reported_once(tmp_path):
    rows = [["2026年目标管理表"], HEADER, _row(), ["合计", None, None, None, None, None, 100000, 100000, 110000],
            [None, "注：数据来自财务系统"]]
    data = load([_grid(tmp_path, rows)])
    assert _problems(data) == [("warning", "目标管理", "A4", "total_row"), ("warning", "目标管理", "A5", "row_without_id")]
    count = next(c for c in data.report.counts if c.sheet == "目标管理")
    assert (count.read, count.used, count.skipped) == (4, 2, 2) and count.balanced


def test_missing_year_is_an_error_asking_for_it(tmp_path):
    rows = [HEADER, _row()]
    data = load([_grid(tmp_path, rows, name="目标管理表.xlsx")])
    assert _problems(data) == [("error", "目标管理", "", "year_missing")]
    issue = next(i for i in data.report.issues if i.code == "year_missing")
    assert issue.message("zh") == (
        "目标管理表.xlsx 的工作表 目标管理：月份列只写了月（如 1月），但找不到年份，本表的 1 行未读取。"
        "请在表头上方加一个“年度”单元格（如 年度 | 2026），或把年份写进标题（2026年销售目标管理表）或文件名（2026目标管理表.xlsx）。")
    assert "no year was found" in issue.message("en")
    count = next(c for c in data.report.counts if c.sheet == "目标管理")
    assert (count.read, count.rejected) == (1, 1) and count.balanced


@pytest.mark.parametrize("top, name, year", [
    ([["年度", 2026]], "t.xlsx", 2026),
    ([["考核年度：2025"]], "t.xlsx", 2025),
    ([["年份", "2024年"]], "t.xlsx", 2024),
    ([["2026年度销售目标管理表"]], "t.xlsx", 2026),
    ([], "2023年目标管理表.xlsx", 2023),
    ([["制表日期：2025-01-05"], ["销售目标"]], "2026目标.xlsx", 2026),  # a prepared-on date is not the year
])
def test_year_sources(tmp_path, top, name, year):
    data = load([_grid(tmp_path, [*top, HEADER, _row()], name=name)])
    assert set(data.targets["period"]) == {f"{year}-01", f"{year}-02"}, _problems(data)


def test_year_conflict_between_title_and_file_name(tmp_path):
    data = load([_grid(tmp_path, [["2025年目标管理表"], HEADER, _row()], name="2026目标管理表.xlsx")])
    assert _problems(data) == [("error", "目标管理", "", "period_conflict")]
    msg = next(i for i in data.report.issues if i.code == "period_conflict").message("zh")
    assert "标题 A1（2025年目标管理表）（2025年）与文件名 2026目标管理表.xlsx（2026年）不一致" in msg


LONG_NO_PERIOD = [h for h in ml.builders.TARGETS_HEADER if h != "期间"]


def _long(pid="E001"):
    return [pid, "张伟", "销售一部", ml.ROLE_S, "销售额", 100000, 90000, "元", None]


def test_month_conflict_title_against_file_name_is_an_error_naming_both(tmp_path):
    folder = _grid(tmp_path, [["2026年8月销售目标"], LONG_NO_PERIOD, _long()], name="2026-07目标管理表.xlsx")
    data = load([folder])
    assert _problems(data) == [("error", "目标管理", "", "period_conflict")]
    msg = next(i for i in data.report.issues if i.code == "period_conflict")
    assert msg.message("zh") == (
        "2026-07目标管理表.xlsx 的工作表 目标管理：标题 A1（2026年8月销售目标）（2026年8月）与文件名 2026-07目标管理表.xlsx（2026年7月）"
        "不一致，无法判断是哪个月份，本表的 1 行未读取。请改正其中一处。")
    assert data.targets.empty


def test_month_missing_is_an_error(tmp_path):
    data = load([_grid(tmp_path, [["销售目标"], LONG_NO_PERIOD, _long()], name="targets.xlsx")])
    assert _problems(data) == [("error", "目标管理", "", "period_missing")]


def test_month_only_in_file_name_needs_a_year(tmp_path):
    data = load([_grid(tmp_path, [LONG_NO_PERIOD, _long()], name="8月.xlsx")])
    assert _problems(data) == [("error", "目标管理", "", "year_missing")]


def test_long_without_period_through_the_command(tmp_path):
    folder = _grid(tmp_path, [["2026年8月销售目标"], LONG_NO_PERIOD, _long()], name="8月目标.xlsx")
    res = CliRunner().invoke(app, ["validate", str(folder), "--lang", "en"])
    assert res.exit_code == 0, res.output
    assert "2026-08" in res.output


@pytest.mark.parametrize("cell, want", [
    ("1月", (None, 1, "")), ("12月份", (None, 12, "")), ("十一月", (None, 11, "")), ("2026-03", (2026, 3, "")),
    ("2026年3月", (2026, 3, "")), ("2026/3", (2026, 3, "")), ("202603", (2026, 3, "")), (202603, (2026, 3, "")),
    ("Jan", (None, 1, "")), ("September", (None, 9, "")), ("Sept", (None, 9, "")), ("Mar-26", (2026, 3, "")),
    (dt.datetime(2026, 5, 1), (2026, 5, "")), ("1月目标", (None, 1, "target")), ("1月实际值", (None, 1, "actual")),
    ("目标1月", (None, 1, "target")), ("Jan Actual", (None, 1, "actual")), ("3月(万元)", (None, 3, "")),
    ("1月完成率", None), ("13月", None), ("合计", None), ("目标值", None), ("工号", None), (2026.1, None), ("Mayor", None),
])
def test_month_headers(cell, want):
    assert month_header(cell) == want


@pytest.mark.parametrize("text, want", [
    ("2026年8月销售目标", (2026, 8)), ("2026-08目标管理表", (2026, 8)), ("202608", (2026, 8)), ("8月", (None, 8)),
    ("2026年销售目标", (2026, None)), ("FY2026 targets", (2026, None)), ("十二月目标", (None, 12)),
    ("targets Aug 2026", (2026, 8)), ("目标管理表", (None, None)),
])
def test_when_of_text(text, want):
    assert when_of_text(text) == want
