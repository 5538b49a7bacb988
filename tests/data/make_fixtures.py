"""Builders for the readers' test workbooks, and the named regression fixtures.

``python tests/data/make_fixtures.py`` rewrites the committed fixtures in tests/data/;
the tests import the builders (``write_xlsx``, the standard sheets) to make small
workbooks of their own in tmp_path.
"""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

import openpyxl

HERE = Path(__file__).parent

TARGET_HEADER = ["工号", "姓名", "部门", "岗位", "期间", "指标", "目标值", "实际值", "单位", "备注"]
SCHEME_HEADER = ["岗位", "指标", "类别", "权重", "方向", "计分方式", "封顶", "门槛", "分段表", "每单位扣分",
                 "扣分步长", "汇总方式", "来源", "单位"]
TIER_HEADER = ["分段表", "完成率下限", "得分比例"]
RATING_HEADER = ["工号", "期间", "指标", "评价人类型", "评价人", "评分"]
SETTING_HEADER = ["项目", "值"]
TRAINING_HEADER = ["课程编号", "课程名称", "类别", "日期", "计划学时", "工号", "姓名", "实到学时", "培训前测",
                   "培训后测", "满意度", "必修"]

# The worked examples' scheme (scoring.md): 销售代表 40/20/15/10/10/5, and a manager role.
SCHEME_ROWS = [
    ["销售代表", "销售额", "销售业绩", 40, "越高越好", "完成率", "120%", "", "", "", "", "合计", "本人", ""],
    ["销售代表", "新客户数", "销售业绩", 20, "", "分段", "", "", "标准", "", "", "", "", ""],
    ["销售代表", "费用率", "销售业绩", 15, "越低越好", "完成率", "", "", "", "", "", "", "", "%"],
    ["销售代表", "客户投诉", "团队协作", 10, "越低越好", "扣分", "", "", "", 2, "", "", "", ""],
    ["销售代表", "核心客户保有率", "销售业绩", 10, "", "扣分", "", "", "", 2, "1%", "", "", "%"],
    ["销售代表", "团队协作", "团队协作", 5, "", "等级", "", "", "", "", "", "", "", ""],
    ["销售经理", "团队销售额", "销售业绩", "60%", "", "", "", "", "", "", "", "", "团队:销售额", ""],
    ["销售经理", "培训参与率", "个人发展", "20%", "", "", "", "", "", "", "", "", "培训", "%"],
    ["销售经理", "团队协作", "团队协作", "20%", "", "等级", "", "", "", "", "", "", "", ""],
]
TIER_ROWS = [["标准", "120%", "120%"], ["标准", "100%", "100%"], ["标准", "90%", "80%"],
             ["标准", "80%", "60%"], ["标准", "0%", "0%"]]
SETTING_ROWS = [["优秀线", 90], ["持平下限", "95%"], ["缺失数据", "重新分配"]]
TARGET_ROWS = [
    ["E001", "张三", "华东", "销售代表", "2026-03", "销售额", 500000, 560000, "", ""],
    ["E001", "张三", "华东", "销售代表", "2026-03", "新客户数", 10, 9, "", ""],
    ["E001", "张三", "华东", "销售代表", "2026-03", "费用率", "5%", "6%", "%", ""],
    ["E001", "张三", "华东", "销售代表", "2026-03", "客户投诉", 0, 3, "", ""],
    ["E001", "张三", "华东", "销售代表", "2026-03", "核心客户保有率", 95, 92.5, "%", "按百分点填写"],
    ["M001", "李四", "华东", "销售经理", "2026-03", "团队销售额", "", "", "", ""],
    ["M001", "李四", "华东", "销售经理", "2026-03", "培训参与率", "", "", "", ""],
]
RATING_ROWS = [
    ["E001", "2026-03", "团队协作", "上级", "李四", "较好"],
    ["E001", "2026-03", "团队协作", "同事", "王五", "好"],
    ["E001", "2026-03", "团队协作", "同事", "赵六", "中"],
    ["E001", "2026-03", "团队协作", "自评", "张三", "好"],
]
TRAINING_ROWS = [
    ["C01", "产品知识", "产品知识", dt.date(2026, 3, 10), 8, "E001", "张三", 6, 60, 78, 4, "是"],
    ["C02", "销售技巧", "销售技巧", "2026/3/20", 4, "M001", "李四", "", "", "", "", ""],
]


def write_xlsx(path: Path, sheets: dict[str, list[list]], *, merges: dict[str, list[str]] | None = None,
               hidden: tuple[str, ...] = (), formats: dict[str, dict[str, str]] | None = None,
               epoch1904: bool = False) -> Path:
    """A workbook with one sheet per entry (rows as lists; a str starting with '=' is a formula)."""
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    if epoch1904:
        wb.epoch = openpyxl.utils.datetime.CALENDAR_MAC_1904
    for name, rows in sheets.items():
        ws = wb.create_sheet(name)
        for r in rows:
            ws.append(list(r))
        for rng in (merges or {}).get(name, []):
            ws.merge_cells(rng)
        for cell, fmt in (formats or {}).get(name, {}).items():
            ws[cell].number_format = fmt
        if name in hidden:
            ws.sheet_state = "hidden"
    path.parent.mkdir(parents=True, exist_ok=True)
    wb.save(path)
    return path


def assessment_form(**over) -> dict[str, list[list]]:
    sheets = {
        "考核方案": [SCHEME_HEADER, *SCHEME_ROWS],
        "分段计分": [TIER_HEADER, *TIER_ROWS],
        "评分": [RATING_HEADER, *RATING_ROWS],
        "设置": [SETTING_HEADER, *SETTING_ROWS],
    }
    sheets.update(over)
    return sheets


def target_sheet(rows=None) -> dict[str, list[list]]:
    return {"目标管理": [TARGET_HEADER, *(TARGET_ROWS if rows is None else rows)]}


def training_plan(rows=None) -> dict[str, list[list]]:
    return {"培训记录": [TRAINING_HEADER, *(TRAINING_ROWS if rows is None else rows)]}


def standard_folder(folder: Path) -> Path:
    """The three templates filled with the worked examples, one file each."""
    write_xlsx(folder / "assessment_form.xlsx", assessment_form())
    write_xlsx(folder / "target_sheet.xlsx", target_sheet())
    write_xlsx(folder / "training_plan.xlsx", training_plan())
    return folder


def big_target_sheet(path: Path, n: int) -> Path:
    """``n`` target rows (inline strings, written streaming): the readers' speed case."""
    import xlsxwriter

    kpis = ("销售额", "新客户数", "费用率")
    wb = xlsxwriter.Workbook(str(path), {"constant_memory": True})
    ws = wb.add_worksheet("目标管理")
    ws.write_row(0, 0, TARGET_HEADER)
    for i in range(n):
        pid = i // 36
        kpi = kpis[(i // 12) % 3]
        pct = kpi == "费用率"
        ws.write_row(i + 1, 0, [
            f"E{pid:06d}", f"员工{pid}", f"T{pid % 20:02d}", "销售代表", f"2026-{i % 12 + 1:02d}", kpi,
            5 if pct else 1000 + i % 7, 6 if pct else 900 + i % 11, "%" if pct else "", "",
        ])
    wb.close()
    return path


# --- named regression fixtures (each read by a test in tests/test_read_*.py) --------------


def merged_team_cells(path: Path) -> Path:
    """部门 and 岗位 merged down over a person's rows, as team leads like to do."""
    rows = [
        ["E001", "张三", "华东", "销售代表", "2026-03", "销售额", 500000, 560000, "", ""],
        ["E001", "张三", "", "", "2026-03", "新客户数", 10, 9, "", ""],
        ["E002", "王五", "", "", "2026-03", "销售额", 400000, 380000, "", ""],
    ]
    sheets = {**assessment_form(), **target_sheet(rows)}
    return write_xlsx(path, sheets, merges={"目标管理": ["C2:C4", "D2:D4"]})


def title_rows_and_units(path: Path) -> Path:
    """A title above the header, English headers with unit hints, and a 万元 column."""
    rows = [
        ["2026年3月销售目标"],
        [],
        ["Employee ID", "Name", "Team", "Role", "Period", "KPI", "Target (万元)", "Actual（万元）", "Unit", "Note"],
        ["E001", "张三", "华东", "销售代表", "2026-03", "销售额", 50, "56万", "", ""],
    ]
    return write_xlsx(path, {**assessment_form(), "Sheet1": rows})


FIXTURES = {
    "merged-team-cells.xlsx": merged_team_cells,
    "title-rows-and-units.xlsx": title_rows_and_units,
}


def main(argv: list[str]) -> None:
    out = Path(argv[1]) if len(argv) > 1 else HERE
    for name, make in FIXTURES.items():
        make(out / name)
        print("wrote", out / name)


if __name__ == "__main__":
    main(sys.argv)
