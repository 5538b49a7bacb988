"""Small, clean input workbooks for CLI and pipeline tests, written with openpyxl."""

from __future__ import annotations

from pathlib import Path

from openpyxl import Workbook

SCHEME = [
    ["岗位", "指标", "类别", "权重", "方向", "计分方式", "封顶", "门槛", "分段表", "每单位扣分", "扣分步长", "汇总方式", "来源", "单位"],
    ["销售代表", "销售额", "销售业绩", 60, "越高越好", "完成率", 1.2, 0, None, None, None, "合计", "本人", "元"],
    ["销售代表", "新客户数", "销售业绩", 20, "越高越好", "分段", None, None, "标准", None, None, "合计", "本人", None],
    ["销售代表", "客户投诉", "专业技能", 10, "越低越好", "扣分", None, None, None, 2, 1, "合计", "本人", None],
    ["销售代表", "团队协作", "团队协作", 10, "越高越好", "等级", None, None, None, None, None, None, "本人", None],
]
TIERS = [
    ["分段表", "完成率下限", "得分比例"],
    ["标准", 1.2, 1.2],
    ["标准", 1.0, 1.0],
    ["标准", 0.9, 0.8],
    ["标准", 0.8, 0.6],
    ["标准", 0, 0],
]
SETTINGS = [["项目", "值"], ["优秀线", 90], ["良好线", 80], ["合格线", 60]]
RATINGS_HEADER = ["工号", "期间", "指标", "评价人类型", "评价人", "评分"]
TARGETS_HEADER = ["工号", "姓名", "部门", "岗位", "期间", "指标", "目标值", "实际值", "单位", "备注"]

PEOPLE = [
    # id, name, team, sales actual factor, new clients, complaints, rating word
    ("E001", "张伟", "华东", 1.12, 10, 0, "好"),
    ("E002", "王芳", "华东", 0.95, 9, 1, "较好"),
    ("E003", "李娜", "华南", 0.80, 8, 3, "中"),
    ("E004", "刘洋", "华南", 1.30, 12, 0, "较好"),
]


def write_workbook(path: Path, sheets: dict[str, list[list]]) -> Path:
    wb = Workbook()
    wb.remove(wb.active)
    for name, rows in sheets.items():
        ws = wb.create_sheet(name)
        for row in rows:
            ws.append(row)
    path.parent.mkdir(parents=True, exist_ok=True)
    wb.save(path)
    return path


def assessment_form(path: Path) -> Path:
    ratings = [RATINGS_HEADER]
    for month in ("2026-01", "2026-02"):
        for pid, *_rest, word in PEOPLE:
            ratings.append([pid, month, "团队协作", "上级", "经理", word])
    return write_workbook(path, {"考核方案": SCHEME, "分段计分": TIERS, "评分": ratings, "设置": SETTINGS})


def target_sheet(path: Path, month: str, factor: float = 1.0, teams: dict[str, str] | None = None) -> Path:
    """``teams`` (工号 → 部门) moves people to other teams."""
    rows = [TARGETS_HEADER]
    for pid, name, team, sales, clients, complaints, _ in PEOPLE:
        team = (teams or {}).get(pid, team)
        rows.append([pid, name, team, "销售代表", month, "销售额", 100000, round(100000 * sales * factor), "元", None])
        rows.append([pid, name, team, "销售代表", month, "新客户数", 10, clients, None, None])
        rows.append([pid, name, team, "销售代表", month, "客户投诉", 0, complaints, None, None])
    return write_workbook(path, {"目标管理": rows})


def clean_folder(folder: Path, months=("2026-01", "2026-02"), teams: dict[str, str] | None = None) -> Path:
    """A drop folder with the assessment form and one target sheet per month, no problems."""
    folder.mkdir(parents=True, exist_ok=True)
    assessment_form(folder / "assessment_form.xlsx")
    for i, month in enumerate(months):
        target_sheet(folder / f"targets_{month}.xlsx", month, factor=1.0 + 0.01 * i, teams=teams)
    return folder
