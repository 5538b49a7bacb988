"""Rows and cross-checks of every sheet kind (inputs.md, "Rows", "Duplicates", the sheets)."""

from __future__ import annotations

import math
from pathlib import Path

import pandas as pd
import pytest

from kpi_engine.models import Settings
from kpi_engine.read import load
from tests.data import make_fixtures as mf
from tests.data.make_fixtures import (
    RATING_HEADER, SCHEME_HEADER, TIER_HEADER, assessment_form,
    standard_folder, target_sheet, training_plan, write_xlsx,
)

T = "目标管理"


def problems(data, levels=("error", "warning")):
    return sorted((i.sheet, i.cell, i.code) for i in data.report.issues if i.level in levels)


def row(pid, kpi, target, actual, *, role="销售代表", month="2026-03", unit="", name=None, team="华东"):
    return [pid, name or f"员工{pid}", team, role, month, kpi, target, actual, unit, ""]


def folder_with(tmp_path: Path, *, targets=None, form=None, training=None) -> Path:
    folder = tmp_path / "in"
    write_xlsx(folder / "assessment_form.xlsx", form or assessment_form(评分=[RATING_HEADER]))
    write_xlsx(folder / "targets.xlsx", target_sheet(targets if targets is not None else []))
    if training is not None:
        write_xlsx(folder / "training.xlsx", training_plan(training))
    return folder


def count(data, sheet):
    c = next(c for c in data.report.counts if c.sheet == sheet)
    assert c.balanced, c
    return c.read, c.used, c.rejected, c.duplicates, c.skipped


def test_the_standard_folder_reads_clean(tmp_path):
    data = load([standard_folder(tmp_path / "in")])
    assert problems(data, ("error", "warning", "info")) == []
    assert (len(data.scheme), len(data.tiers), len(data.targets), len(data.ratings), len(data.training)) == (9, 5, 7, 4, 2)
    assert all(c.balanced and c.read == c.used for c in data.report.counts)
    assert [f.status for f in data.files] == ["read"] * 3


# --- rows ----------------------------------------------------------------------------------


def test_empty_rows_uncounted_totals_and_rows_without_id_skipped(tmp_path):
    rows = [row("E001", "销售额", 100, 90), [], [None, None], row("E002", "销售额", 100, 95),
            ["合计", "", "", "", "", "", 200, 185, "", ""], ["", "", "", "", "", "", 200, 185, "", "合计"]]
    data = load([folder_with(tmp_path, targets=rows)])
    assert problems(data) == [(T, "A6", "total_row"), (T, "A7", "row_without_id")]
    assert count(data, T) == (4, 2, 0, 0, 2)


def test_example_rows_are_skipped_with_one_warning(tmp_path):
    rows = [row("示例001", "销售额", 100, 90), row("Example-2", "销售额", 100, 90), row("E001", "销售额", 100, 90)]
    data = load([folder_with(tmp_path, targets=rows)])
    assert problems(data) == [(T, "A2", "example_row")]
    assert count(data, T) == (3, 1, 0, 0, 2)


def test_employee_ids_stay_text(tmp_path):
    rows = [row("00123", "销售额", 1, 1), row(123.0, "销售额", 1, 1), row(" E9 ", "销售额", 1, 1)]
    data = load([folder_with(tmp_path, targets=rows)])
    assert sorted(data.targets["employee_id"]) == ["00123", "123", "E9"]


@pytest.mark.parametrize("typed, read", [
    ("Ｅ０００１", "E0001"), ("E0001\u00a0", "E0001"), ("\u3000E0001", "E0001"), ("E0001\u200b", "E0001"),
    ("２００５", "2005"), ("E\u2002\u20020001", "E 0001"),  # inner spaces fold, they are not removed
])
def test_ids_typed_with_full_width_characters_or_odd_spaces_are_one_id(tmp_path, typed, read):
    rows = [row(typed, "销售额", 1, 1), row("E0001" if read.startswith("E0") else read, "新客户数", 1, 1)]
    data = load([folder_with(tmp_path, targets=rows)])
    assert set(data.targets["employee_id"]) == {read}


def test_names_teams_and_kpis_are_nfkc_notes_are_as_typed(tmp_path):
    rows = [row("E1", "销售额", 1, 1, name="李（四）", team="华东Ａ组")]
    rows[0][-1] = "全角（备注）ＡＢＣ"
    data = load([folder_with(tmp_path, targets=rows)])
    got = data.targets.iloc[0]
    assert (got["name"], got["team"]) == ("李(四)", "华东A组")
    assert got["note"] == "全角（备注）ＡＢＣ"


def test_blank_is_not_zero_and_zero_is_not_blank(tmp_path):
    data = load([folder_with(tmp_path, targets=[row("E001", "销售额", 0, ""), row("E002", "销售额", "-", 0)])])
    t = data.targets.set_index("employee_id")
    assert t.loc["E001", "target"] == 0 and math.isnan(t.loc["E001", "actual"])
    assert math.isnan(t.loc["E002", "target"]) and t.loc["E002", "actual"] == 0


def test_bad_cells_reject_their_row_only(tmp_path):
    rows = [row("E001", "销售额", 100, "十二"), row("E002", "销售额", 100, 90), row("E003", "销售额", 100, 90, month=2026.1),
            row("E004", "销售额", 100, 90, month="二月"), ["E005", "", "华东", "销售代表", "2026-03", "销售额", 1, 1, "", ""]]
    data = load([folder_with(tmp_path, targets=rows)])
    assert problems(data) == [(T, "B6", "missing_value"), (T, "E4", "period_decimal"), (T, "E5", "bad_period"),
                              (T, "H2", "bad_number")]
    assert list(data.targets["employee_id"]) == ["E002"]
    assert count(data, T) == (5, 1, 4, 0, 0)
    msg = next(i for i in data.report.issues if i.code == "bad_number").message("zh")
    assert msg.startswith("目标管理!H2：十二 不是数字")


# --- duplicates ----------------------------------------------------------------------------


def test_identical_duplicate_kept_once(tmp_path):
    rows = [row("E001", "销售额", 100, 90), row("E001", "销售额", "100", 90.0)]
    data = load([folder_with(tmp_path, targets=rows)])
    assert problems(data, ("error", "warning", "info")) == [(T, "A3", "duplicate_row")]
    assert len(data.targets) == 1 and count(data, T) == (2, 1, 0, 1, 0)


def test_conflicting_duplicates_all_rejected_on_the_differing_cell(tmp_path):
    rows = [row("E001", "销售额", 100, 90), row("E002", "销售额", 100, 90), row("E001", "销售额", 100, 95)]
    data = load([folder_with(tmp_path, targets=rows)])
    assert problems(data) == [(T, "H2", "conflicting_rows"), (T, "H4", "conflicting_rows")]
    assert list(data.targets["employee_id"]) == ["E002"]


def test_duplicates_across_files(tmp_path):
    folder = folder_with(tmp_path, targets=[row("E001", "销售额", 100, 90), row("E002", "销售额", 100, 90)])
    write_xlsx(folder / "copy.xlsx", target_sheet([row("E001", "销售额", 100, 90), row("E002", "销售额", 100, 99)]))
    data = load([folder])
    flat = sorted((i.file, i.cell, i.code) for i in data.report.issues)
    # copy.xlsx sorts first, so the targets.xlsx row is the one counted as the duplicate
    assert flat == [("copy.xlsx", "H3", "conflicting_rows"), ("targets.xlsx", "A2", "duplicate_row"),
                    ("targets.xlsx", "H3", "conflicting_rows")]
    assert list(data.targets["employee_id"]) == ["E001"]
    # each file's sheet counts its own rows
    assert sorted((c.file, c.read, c.used, c.rejected, c.duplicates) for c in data.report.counts if c.kind == "targets") == [
        ("copy.xlsx", 2, 1, 1, 0), ("targets.xlsx", 2, 0, 1, 1)]


# --- cross-checks ---------------------------------------------------------------------------


def test_unknown_role_and_kpi_name_the_cell_and_known_values(tmp_path):
    rows = [row("E001", "销售额", 1, 1, role="销售代表 "), row("E002", "销售额", 1, 1, role="司机"),
            row("E003", "利润", 1, 1)]
    data = load([folder_with(tmp_path, targets=rows)])
    assert problems(data) == [(T, "D3", "unknown_role"), (T, "F4", "unknown_kpi")]
    role_msg = next(i for i in data.report.issues if i.code == "unknown_role").message("en")
    assert "司机" in role_msg and "销售代表" in role_msg and "销售经理" in role_msg
    kpi_msg = next(i for i in data.report.issues if i.code == "unknown_kpi").message("en")
    assert "利润" in kpi_msg and "新客户数" in kpi_msg


@pytest.mark.parametrize("weights", [(60, 40), ("60%", "40%"), (0.6, 0.4), ("60%", 0.4), ("60%", 40)])
def test_weight_forms_are_points(tmp_path, weights):
    scheme = [SCHEME_HEADER, ["经理", "甲", "", weights[0], *[""] * 10], ["经理", "乙", "", weights[1], *[""] * 10]]
    data = load([folder_with(tmp_path, form=assessment_form(考核方案=scheme, 评分=[RATING_HEADER]),
                             targets=[row("M1", "甲", 1, 1, role="经理")])])
    assert problems(data) == []
    assert data.scheme.set_index("kpi")["weight"].to_dict() == {"甲": 60.0, "乙": 40.0}


def test_role_not_summing_to_100_is_dropped_with_one_issue_per_person(tmp_path):
    scheme = [SCHEME_HEADER, *mf.SCHEME_ROWS, ["经理", "甲", "", 60, *[""] * 10], ["经理", "乙", "", 30, *[""] * 10]]
    rows = [row("M1", "甲", 1, 1, role="经理"), row("M1", "乙", 1, 1, role="经理"),
            row("M1", "甲", 1, 1, role="经理", month="2026-04"), row("M2", "甲", 1, 1, role="经理"),
            row("E001", "销售额", 1, 1)]
    data = load([folder_with(tmp_path, form=assessment_form(考核方案=scheme, 评分=[RATING_HEADER]), targets=rows)])
    assert problems(data) == [(T, "D2", "role_weights_invalid"), (T, "D5", "role_weights_invalid"),
                              ("考核方案", "D11", "weights_not_100")]
    assert "经理" not in set(data.scheme["role"])
    assert list(data.targets["employee_id"]) == ["E001"]
    issue = next(i for i in data.report.issues if i.code == "role_weights_invalid")
    assert issue.value == "M1" and "90" in issue.message("en")
    assert count(data, T) == (5, 1, 4, 0, 0)
    assert count(data, "考核方案") == (11, 9, 2, 0, 0)


# --- percent KPIs ----------------------------------------------------------------------------


def test_percent_kpis_hold_fractions(tmp_path):
    rows = [row("E001", "费用率", "5%", "6%", unit="%"), row("E002", "费用率", 5, 6),
            row("E003", "费用率", 0.05, 0.06), row("E004", "费用率", 95, 0), row("E005", "费用率", 95, 0.9),
            row("E006", "核心客户保有率", 95, 92.5, unit="%")]
    data = load([folder_with(tmp_path, targets=rows)])
    assert problems(data) == [(T, "H6", "percent_scale_mismatch")]
    t = data.targets.set_index("employee_id")
    for pid in ("E001", "E002", "E003"):
        assert (t.loc[pid, "target"], t.loc[pid, "actual"]) == pytest.approx((0.05, 0.06))
    assert (t.loc["E004", "target"], t.loc["E004", "actual"]) == (0.95, 0)
    assert (t.loc["E006", "target"], t.loc["E006", "actual"]) == pytest.approx((0.95, 0.925))
    s = data.scheme.set_index(["role", "kpi"])
    assert s.loc[("销售代表", "费用率"), "is_percent"] and not s.loc[("销售代表", "销售额"), "is_percent"]


def test_a_target_unit_makes_a_percent_kpi(tmp_path):
    data = load([folder_with(tmp_path, targets=[row("E001", "销售额", 95, 96, unit="％")])])
    s = data.scheme.set_index(["role", "kpi"]).loc[("销售代表", "销售额")]
    assert s["is_percent"] and s["aggregation"] == "sum"  # written explicitly as 合计 in the scheme
    assert data.targets.iloc[0]["target"] == 0.95


# --- scheme and tiers -----------------------------------------------------------------------------


def test_scheme_defaults_and_sources(tmp_path):
    data = load([standard_folder(tmp_path / "in")])
    s = data.scheme.set_index(["role", "kpi"])
    fee = s.loc[("销售代表", "费用率")]
    assert (fee["direction"], fee["method"], fee["aggregation"], fee["step"]) == ("lower", "ratio", "mean", 0.01)
    assert math.isnan(fee["cap"]) and fee["floor"] == 0
    sales = s.loc[("销售代表", "销售额")]
    assert (sales["cap"], sales["aggregation"], sales["step"]) == (1.2, "sum", 1.0)
    team = s.loc[("销售经理", "团队销售额")]
    assert (team["source"], team["source_kpi"], team["weight"]) == ("team", "销售额", 60.0)
    assert s.loc[("销售经理", "培训参与率"), "source"] == "training"
    assert list(data.scheme["order"]) == list(range(9))


def test_scheme_row_problems(tmp_path):
    scheme = [SCHEME_HEADER,
              ["区域经理", "甲", "", 25, "越大越好", "", "", "", "", "", "", "", "", ""],
              ["区域经理", "乙", "", 25, "", "分段", "", "", "不存在", "", "", "", "", ""],
              ["区域经理", "丙", "", 25, "", "扣分", "", "", "", "", "", "", "", ""],
              ["区域经理", "丁", "", 25, "", "", "", "", "", "", "", "", "团队：利润", ""],
              ["店长", "戊", "", 100, "", "", "", "", "", "", "", "", "团队：甲", ""]]
    data = load([folder_with(tmp_path, form=assessment_form(考核方案=scheme, 评分=[RATING_HEADER]),
                             targets=[row("R1", "甲", 1, 1, role="区域经理"), row("S1", "戊", 1, 1, role="店长")])])
    assert problems(data) == [(T, "D2", "role_not_scorable"), ("考核方案", "", "role_has_bad_rows"),
                              ("考核方案", "E2", "bad_word"), ("考核方案", "I3", "unknown_tier_table"),
                              ("考核方案", "J4", "points_per_unit_missing"), ("考核方案", "M5", "unknown_source_kpi")]
    assert set(data.scheme["role"]) == {"店长"}
    assert data.scheme.iloc[0]["source_kpi"] == "甲"


@pytest.mark.parametrize("tiers,problem", [
    ([["标准", 1, 1], ["标准", 0, 0], ["标准", "90%", "80%"]], None),  # any order; sorted on reading
    ([["标准", 1, 1], ["标准", 0.5, 0.5]], "tier_table_invalid"),  # does not start at 0%
    ([["标准", 1, 1], ["标准", 0, 0], ["标准", "100%", 0.9]], "tier_table_invalid"),  # repeated from-value
])
def test_tier_tables(tmp_path, tiers, problem):
    data = load([folder_with(tmp_path, form=assessment_form(分段计分=[TIER_HEADER, *tiers], 评分=[RATING_HEADER]))])
    codes = {c for _s, _c, c in problems(data)}
    if problem is None:
        assert codes == set()
        assert list(data.tiers["from_r"]) == [0, 0.9, 1]
    else:
        assert {problem, "unknown_tier_table", "role_has_bad_rows"} <= codes
        assert data.tiers.empty


# 计分曲线 (docs/decisions.md, "Scoring curves"): per table, on one row or every row.
CURVE_HEADER = [*TIER_HEADER, "计分曲线"]


@pytest.mark.parametrize("tiers,problem,cell", [
    ([["标准", 1, 1, "线性"], ["标准", 0, 0, ""], ["标准", "80%", "60%", ""]], None, ""),  # one row names it
    ([["标准", 1, 1, "linear"], ["标准", 0, 0, "插值"]], None, ""),  # every row, in any accepted word
    ([["标准", 1, 1, "线性"], ["标准", 0, 0, ""], ["标准", 0.5, 0.4, "阶梯"]], "tier_curve_invalid", "D4"),
    ([["标准", 0, 0.5, "线性"]], "tier_curve_invalid", "D2"),  # a line needs two points
    ([["标准", 1, 1, "曲线"], ["标准", 0, 0, ""]], "bad_word", "D2"),
])
def test_tier_curves(tmp_path, tiers, problem, cell):
    data = load([folder_with(tmp_path, form=assessment_form(分段计分=[CURVE_HEADER, *tiers], 评分=[RATING_HEADER]))])
    found = [(c, code) for sheet, c, code in problems(data) if sheet == "分段计分"]
    if problem is None:
        assert found == []
        assert set(data.tiers["curve"]) == {"linear"} and len(data.tiers) == len(tiers)
    else:
        assert (cell, problem) in found
        assert data.tiers.empty  # the table is refused whole; the KPIs using it are reported
        assert "unknown_tier_table" in {code for *_x, code in problems(data)}


def test_a_tier_table_without_the_curve_column_is_steps(tmp_path):
    data = load([standard_folder(tmp_path / "in")])
    assert set(data.tiers["curve"]) == {"steps"}
    assert data.scheme["accel_from"].isna().all() and data.scheme["accel_by"].isna().all()


ACCEL_HEADER = [*SCHEME_HEADER, "加速起点", "加速倍数"]


def _accel_row(kpi, weight, method="", start="", by=""):
    return ["店长", kpi, "", weight, "", method, "", "", "标准" if method == "分段" else "", "", "", "", "", "", start, by]


@pytest.mark.parametrize("rows,expected,accel", [
    # start and multiplier as typed: 100% / 1.5; 80 (points) / 150%; a multiplier alone
    ([_accel_row("甲", 50, start="100%", by=1.5), _accel_row("乙", 50, start=80, by="150%")], [], [(1.0, 1.5), (0.8, 1.5)]),
    ([_accel_row("甲", 100, by=2)], [], [(None, 2.0)]),  # the core starts it at 100%
    ([_accel_row("甲", 100, by="一点五")], [("P2", "bad_number")], None),
    ([_accel_row("甲", 100, start="100%", by=0.8)], [("P2", "out_of_range")], None),
    ([_accel_row("甲", 100, start="100%")], [("P2", "accelerator_missing")], None),
    ([_accel_row("甲", 100, start="-10%", by=2)], [("O2", "out_of_range")], None),
    # on a tiers KPI: a warning, ignored, the KPI still scored by its table
    ([_accel_row("甲", 100, "分段", start="100%", by=2)], [("P2", "accelerator_ignored")], [(None, None)]),
])
def test_scheme_accelerator(tmp_path, rows, expected, accel):
    form = assessment_form(考核方案=[ACCEL_HEADER, *rows], 评分=[RATING_HEADER])
    data = load([folder_with(tmp_path, form=form, targets=[row("S1", "甲", 1, 1, role="店长")])])
    found = [(c, code) for sheet, c, code in problems(data) if sheet == "考核方案" and c]
    if accel is None:
        assert found[0] == expected[0]  # the cell to fix; the role is then not scored
        assert "店长" not in set(data.scheme["role"])
        return
    assert found == expected
    got = [tuple(None if math.isnan(v) else v for v in pair) for pair in data.scheme[["accel_from", "accel_by"]].to_numpy()]
    assert got == accel

# --- settings ---------------------------------------------------------------------------------------


def test_settings_keys_values_and_defaults(tmp_path):
    settings = [["项目", "值"], ["优秀线", 85], ["near_from", "90%"], ["默认封顶", 150], ["缺失数据", "记零分"],
                ["lower_formula", "inverse"], ["优秀比例上限", "20%"], ["奖金系数", 1.5], ["良好线", "八十"],
                ["上级权重", "50%"]]
    data = load([folder_with(tmp_path, form=assessment_form(设置=settings, 评分=[RATING_HEADER]))])
    assert problems(data) == [("设置", "A8", "unknown_setting"), ("设置", "B9", "bad_number")]
    assert data.settings == Settings(excellent_from=85, near_from=0.9, default_cap=1.5, missing_data="zero",
                                     lower_formula="inverse", excellent_max_share=0.2, weight_manager=0.5)
    assert count(data, "设置") == (9, 7, 1, 0, 1)


# --- ratings --------------------------------------------------------------------------------------------


def test_ratings(tmp_path):
    ratings = [RATING_HEADER,
               ["E001", "2026-03", "团队协作", "上级", "经理", "较好"],
               ["E001", "2026-03", "团队协作", "peer", "王", "B"],
               ["E001", "2026-03", "团队协作", "同事", "李", 90],
               ["E001", "2026-03", "团队协作", "自评", "", "85%"],
               ["E001", "2026-03", "团队协作", "同事", "赵", "优"],
               ["E001", "2026-03", "团队协作", "老板", "", "好"],
               ["E001", "2026-03", "团队协作", "客户", "甲", 150],
               ["E001", "2026-03", "销售额", "上级", "经理", "好"],
               ["E404", "2026-03", "团队协作", "上级", "经理", "好"],
               ["E001", "2026-03", "团队协作", "同事", "钱", 0.8]]
    data = load([folder_with(tmp_path, form=assessment_form(评分=ratings),
                             targets=[row("E001", "销售额", 1, 1)])])
    assert problems(data) == [("评分", "A10", "rating_no_person"), ("评分", "C9", "rating_not_rating_kpi"),
                              ("评分", "D7", "bad_word"), ("评分", "F11", "rating_ambiguous"),
                              ("评分", "F6", "bad_word"), ("评分", "F8", "out_of_range")]
    assert data.ratings.set_index("rater")["rating"].to_dict() == {"经理": 0.8, "王": 0.8, "李": 0.9, "": 0.85}
    assert set(data.ratings["rater_type"]) == {"manager", "peer", "self"}


# --- training ----------------------------------------------------------------------------------------------


def test_training(tmp_path):
    rows = [["C01", "产品知识", "产品知识", "2026/3/10", 8, "E001", "张三", "", 60, 78, 4, ""],
            ["C01", "产品知识", "产品知识", "2026-03-10", 8, "E002", "李四", 9, "", "", "", "否"],
            ["C02", "销售技巧", "", "昨天", 4, "E001", "张三", 4, "", "", "", ""],
            ["C02", "销售技巧", "", "2026-04-02", 0, "E001", "张三", 0, "", "", 6, "也许"],
            ["C02", "销售技巧", "", "2026-04-02", 4, "", "", 4, "", "", "", ""]]
    data = load([folder_with(tmp_path, training=rows)])
    assert problems(data) == [("培训记录", "D4", "bad_period"), ("培训记录", "E5", "out_of_range"),
                              ("培训记录", "F6", "row_without_id"), ("培训记录", "H3", "out_of_range"),
                              ("培训记录", "K5", "out_of_range"), ("培训记录", "L5", "bad_word")]
    t = data.training
    assert len(t) == 1
    r = t.iloc[0]
    assert (r["period"], r["date"], r["attended_hours"], r["mandatory"]) == (
        "2026-03", pd.Timestamp("2026-03-10"), 0.0, True)


# --- no scheme, order and splitting --------------------------------------------------------------------------


def test_no_scheme_is_one_error(tmp_path):
    folder = tmp_path / "in"
    write_xlsx(folder / "targets.xlsx", target_sheet())
    data = load([folder])
    assert problems(data) == [("", "", "no_scheme")]
    assert data.scheme.empty and data.targets.empty
    assert count(data, T) == (7, 0, 7, 0, 0)


def test_order_and_split_of_files_change_nothing(tmp_path):
    one = tmp_path / "one"
    write_xlsx(one / "all.xlsx", {**assessment_form(), **target_sheet(), **training_plan()})
    split = standard_folder(tmp_path / "split")
    a, b = load([one]), load([split / "training_plan.xlsx", split / "target_sheet.xlsx", split / "assessment_form.xlsx"])
    for kind in ("scheme", "tiers", "targets", "ratings", "training"):
        fa, fb = getattr(a, kind), getattr(b, kind)
        cols = [c for c in fa.columns if c not in ("file",)]
        pd.testing.assert_frame_equal(fa[cols], fb[cols])
    assert a.settings == b.settings


def test_training_date_past_2261_is_a_bad_date(tmp_path):
    rows = [["C01", "产品知识", "", "2500-01-15", 8, "E001", "张三", 8, "", "", "", ""],
            ["C01", "产品知识", "", "2026-03", 8, "E002", "李四", 8, "", "", "", ""]]
    data = load([folder_with(tmp_path, training=rows)])
    assert problems(data) == [("培训记录", "D2", "bad_period")]
    assert data.training.iloc[0]["date"] == pd.Timestamp("2026-03-01")


def test_absurd_magnitudes_are_out_of_range(tmp_path):
    rows = [row("E001", "销售额", 1e-300, 1e300), row("E002", "销售额", 1e308, 100), row("E003", "销售额", 1e14, 0.5)]
    data = load([folder_with(tmp_path, targets=rows)])
    assert problems(data) == [(T, "G2", "out_of_range"), (T, "G3", "out_of_range"), (T, "H2", "out_of_range")]
    assert list(data.targets["employee_id"]) == ["E003"]


def test_ratings_of_people_in_a_dropped_role_say_so(tmp_path):
    scheme = [SCHEME_HEADER, *mf.SCHEME_ROWS, ["经理", "甲", "", 60, *[""] * 10],
              ["经理", "协作", "", 30, "", "等级", *[""] * 8]]
    ratings = [RATING_HEADER, ["M1", "2026-03", "协作", "上级", "总监", "好"]]
    data = load([folder_with(tmp_path, form=assessment_form(考核方案=scheme, 评分=ratings),
                             targets=[row("M1", "甲", 1, 1, role="经理")])])
    assert problems(data) == [(T, "D2", "role_weights_invalid"), ("考核方案", "D11", "weights_not_100"),
                              ("评分", "A2", "rating_role_not_scorable")]


def test_messages_name_the_place_and_say_how_to_fix(tmp_path):
    rows = [row("E001", "销售额", 100, 90), row("E001", "销售额", 100, 90), row("E002", "销售额", 1, 1, role="司机")]
    data = load([folder_with(tmp_path, targets=rows)])
    by_code = {i.code: i for i in data.report.issues}
    assert by_code["duplicate_row"].message("en") == (
        "目标管理!A3: identical to 目标管理!A2 (targets.xlsx) (工号/ID E001 · 销售额 · 2026-03); counted once.")
    assert by_code["unknown_role"].message("zh") == (
        "目标管理!D4：岗位 司机 不在考核方案中（现有岗位：销售代表、销售经理）。请更正岗位或在考核方案中添加；这一行未使用。")
