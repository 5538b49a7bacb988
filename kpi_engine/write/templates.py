"""The three blank templates HR fills in (inputs.md, "the three templates").

``write_templates(out_dir, lang)`` writes target_sheet.xlsx, assessment_form.xlsx and
training_plan.xlsx: a 填写说明 / Instructions sheet first, then the input sheets with
headers from :mod:`kpi_engine.vocab`, grey example rows whose first required cell starts
with 示例 / Example (the readers skip them with a warning), drop-down lists on every
fixed-word column, % formats, a frozen header and fitted widths.

The sheet-styling helpers at the top (``new_workbook``, ``Styles``, ``write_table``) are
shared with the sample-data generator so the demo folder looks like filled templates.
"""

from __future__ import annotations

import math
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any, Iterable, Sequence

import xlsxwriter
from xlsxwriter.workbook import Workbook
from xlsxwriter.worksheet import Worksheet

from .. import vocab
from ..models import Settings
from ..vocab import Field, Lang, SheetKind

# --- sheet styling, shared with kpi_engine.sample --------------------------------------

# Regenerated files keep the same content: the creation date is fixed (templates.md).
FIXED_CREATED = datetime(2026, 1, 1, 9, 0, 0)

NUMBER_FORMATS: dict[str, str] = {
    "general": "General",
    "text": "@",
    "percent": "0%",
    "percent1": "0.0%",
    "date": "yyyy-mm-dd",
    "month": "yyyy-mm",
    "money": "#,##0",
}

REQUIRED_FILL = "#1F4E78"  # dark blue header: a required column
OPTIONAL_FILL = "#5B9BD5"  # light blue header: an optional column
EXAMPLE_FONT = "#808080"  # grey italic example rows that HR deletes
EXAMPLE_FILL = "#F2F2F2"
FONT = "微软雅黑"  # the default face of Chinese Office; other systems substitute cleanly
LAST_ROW = 1_048_575  # drop-downs cover the whole column below the header

FILE_NAMES: dict[str, str] = {
    "target_sheet": "target_sheet.xlsx",
    "assessment_form": "assessment_form.xlsx",
    "training_plan": "training_plan.xlsx",
}


def new_workbook(path: str | Path, title: str, subject: str = "") -> Workbook:
    """A workbook that writes text as text and carries fixed document properties."""
    wb = xlsxwriter.Workbook(
        str(path),
        {
            # What is typed stays what is typed: "00123", "=HYPERLINK(..)", URLs.
            "strings_to_numbers": False,
            "strings_to_formulas": False,
            "strings_to_urls": False,
        },
    )
    wb.set_properties(
        {"title": title, "subject": subject, "author": "kpi-engine", "created": FIXED_CREATED}
    )
    return wb


class Styles:
    """The formats of one workbook, made once each (xlsxwriter wants formats reused)."""

    def __init__(self, wb: Workbook) -> None:
        self.wb = wb
        self._cache: dict[tuple, Any] = {}

    def get(self, kind: str = "general", *, example: bool = False, header: str = "",
            bold: bool = False, wrap: bool = False, size: int = 10, fill: str = "") -> Any:
        key = (kind, example, header, bold, wrap, size, fill)
        if key not in self._cache:
            props: dict[str, Any] = {"font_name": FONT, "font_size": size, "valign": "vcenter"}
            if kind != "general":
                props["num_format"] = NUMBER_FORMATS[kind]
            if header:
                props.update(bold=True, font_color="#FFFFFF", bg_color=header, border=1,
                             border_color="#BFBFBF", align="center", text_wrap=True)
            if example:
                props.update(font_color=EXAMPLE_FONT, italic=True, bg_color=EXAMPLE_FILL)
            if bold:
                props["bold"] = True
            if wrap:
                props.update(text_wrap=True, valign="top")
            if fill:
                props["bg_color"] = fill
            self._cache[key] = self.wb.add_format(props)
        return self._cache[key]


def display_width(value: Any) -> int:
    """Character columns a value takes on screen: CJK and full-width characters count 2."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return 0
    if isinstance(value, bool):
        text = str(value)
    elif isinstance(value, (int, float)):
        text = f"{value:,.0f}" if float(value).is_integer() else f"{value:,.2f}"
    elif isinstance(value, (datetime, date)):
        text = "2026-01-01"
    else:
        text = str(value)
    return sum(2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1 for ch in text)


def fitted_width(values: Iterable[Any], minimum: float = 8, maximum: float = 48) -> float:
    """A column width that fits its widest value, with a little air, within bounds."""
    widest = max((display_width(v) for v in values), default=0)
    return float(min(maximum, max(minimum, widest + 3)))


def check(rc: int | None, what: str) -> None:
    """xlsxwriter returns -1/-2 instead of raising (STYLE.md habit 8): make it loud."""
    if rc not in (0, None):
        raise ValueError(f"xlsxwriter refused to {what} (code {rc})")


def write_cell(ws: Worksheet, row: int, col: int, value: Any, fmt: Any = None) -> None:
    """Write one value with the method of its type, never guessing from text."""
    if value is None or (isinstance(value, float) and math.isnan(value)) or value == "":
        rc = ws.write_blank(row, col, None, fmt)
    elif isinstance(value, bool):
        rc = ws.write_boolean(row, col, value, fmt)
    elif isinstance(value, (int, float)):
        rc = ws.write_number(row, col, value, fmt)
    elif isinstance(value, (datetime, date)):
        rc = ws.write_datetime(row, col, value, fmt)
    else:
        rc = ws.write_string(row, col, str(value), fmt)
    check(rc, f"write {value!r} at row {row + 1}, column {col + 1}")


@dataclass(frozen=True, slots=True)
class Column:
    """One column of an input sheet as written: header, required or not, default format."""

    header: str
    required: bool = False
    kind: str = "general"  # a key of NUMBER_FORMATS, also applied to the empty cells below
    width_values: tuple = ()  # more values to fit the width to (drop-down words)


def write_table(
    ws: Worksheet,
    styles: Styles,
    columns: Sequence[Column],
    rows: Sequence[Sequence[Any]],
    *,
    first_row: int = 0,
    cell_kinds: Sequence[Sequence[str | None]] | None = None,
    example_rows: int = 0,
) -> int:
    """Write a header at ``first_row`` and ``rows`` under it, styled as an HR sheet.

    ``cell_kinds`` overrides single cells' formats (a % KPI's target on a target sheet
    whose other rows are money). The first ``example_rows`` rows are grey examples.
    Returns the 0-based index of the row after the last one written.
    """
    for c, col in enumerate(columns):
        write_cell(ws, first_row, c, col.header,
                   styles.get(header=REQUIRED_FILL if col.required else OPTIONAL_FILL))
    check(ws.set_row(first_row, 30), "set the header height")
    shown: list[list[Any]] = [[col.header, *col.width_values] for col in columns]
    for r, values in enumerate(rows):
        for c, value in enumerate(values):
            kind = (cell_kinds[r][c] if cell_kinds is not None else None) or columns[c].kind
            write_cell(ws, first_row + 1 + r, c, value, styles.get(kind, example=r < example_rows))
            shown[c].append(_as_shown(value, kind))
    for c, col in enumerate(columns):
        check(ws.set_column(c, c, fitted_width(shown[c]), styles.get(col.kind)),
              f"set the width of column {c + 1}")
    check(ws.freeze_panes(first_row + 1, 0), "freeze the header")
    _print_setup(ws, first_row)
    return first_row + 1 + len(rows)


def _print_setup(ws: Worksheet, header_row: int | None) -> None:
    """Landscape, one page wide, the header repeated on every printed page."""
    ws.set_landscape()
    ws.set_paper(9)  # A4
    ws.fit_to_pages(1, 0)
    if header_row is not None:
        check(ws.repeat_rows(header_row), "repeat the header when printing")


def _as_shown(value: Any, kind: str) -> Any:
    """The value as Excel displays it under ``kind``, for sizing and the instructions."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        if isinstance(value, (datetime, date)):
            return value.strftime("%Y-%m-%d")
        return value
    if kind.startswith("percent"):
        return f"{value * 100:.1f}".rstrip("0").rstrip(".") + "%"
    if kind == "money":
        return f"{value:,.0f}"
    return f"{value:g}"


# --- what the templates say -------------------------------------------------------------

# What each column takes, per sheet kind and field key: (zh, en).
HELP: dict[tuple[str, str], tuple[str, str]] = {
    ("targets", "employee_id"): ("员工工号。按文本保存，前导零会保留（00123 仍是 00123）。",
                                 "Employee ID. Kept as text, leading zeros stay (00123 stays 00123)."),
    ("targets", "name"): ("员工姓名。", "The employee's name."),
    ("targets", "team"): ("所在部门或团队，用于团队汇总和排名。", "Team or department, for team roll-ups and ranks."),
    ("targets", "role"): ("岗位，须与考核表“考核方案”中的岗位一致。",
                          "Role; must be a role of the assessment form's Scheme sheet."),
    ("targets", "period"): ("考核月份：2026-03、2026/3、2026年3月 或 202603。不要写 2026.1 这样的小数（1 月还是 10 月？）。",
                            "The month: 2026-03, 2026/3 or 202603. Not a decimal such as 2026.1 (January or October?)."),
    ("targets", "kpi"): ("指标，须是该岗位在“考核方案”中的指标。", "A KPI of the employee's role in the Scheme sheet."),
    ("targets", "target"): ("目标值，数字：120000、12万、1,250,000、95%。可留空；留空表示无数据，不等于 0。",
                            "Target, a number: 120000, 1,250,000, 95%. May be blank; blank means no data, never 0."),
    ("targets", "actual"): ("实际值，写法同目标值。可留空（无数据）；0 就是 0。",
                            "Actual, written like the target. May be blank (no data); 0 is zero."),
    ("targets", "unit"): ("单位：写 % 表示百分比指标；元、个、次等只作说明。",
                          "Unit: % marks a percentage KPI; other units (CNY, pcs) are for reading only."),
    ("targets", "note"): ("备注，会带入结果表。", "A note, carried into the result workbook."),
    ("targets", "base"): ("绩效工资基数（选填），每人一个数，可只写在一行；人员表有基数时以人员表为准。",
                          "Pay base (optional), one number per person, on any of their rows; a base on the Staff sheet wins."),
    ("staff", "employee_id"): ("员工工号，与目标管理表一致。", "Employee ID, as on the target sheet."),
    ("staff", "name"): ("员工姓名（参考）。", "The employee's name (for reference)."),
    ("staff", "team"): ("所在部门（参考）。", "Team (for reference)."),
    ("staff", "role"): ("岗位（参考）。", "Role (for reference)."),
    ("staff", "joined"): ("入职日期（Excel 日期或 2026-03-15）。期间内入职的人标记 新入职，绩效工资可按在岗月数折算。",
                          "Joining date (an Excel date or 2026-03-15). Joined inside the period: flagged new hire; pay may be prorated by months in post."),
    ("staff", "left"): ("离职日期，仍在职留空。不能早于入职日期。",
                        "Leaving date; blank while still employed. Not before the joining date."),
    ("staff", "base"): ("绩效工资基数，0 或正数。绩效工资 = 基数 × 系数（见考核表“设置”）。",
                        "Pay base, 0 or more. Pay = base × coefficient (see the assessment form's Settings)."),
    ("scheme", "role"): ("岗位名称。同一岗位的各指标权重合计须为 100。",
                         "Role. The weights of one role's KPIs must add up to 100."),
    ("scheme", "kpi"): ("指标名称，同一岗位内不重复。", "KPI name, once per role."),
    ("scheme", "category"): ("类别，用于分组显示，如 销售业绩、团队协作、专业技能、个人发展。",
                             "Category for grouping, e.g. Sales, Teamwork, Skills, Development."),
    ("scheme", "weight"): ("权重（100 分中的分数）：30、30% 和 0.3 都表示 30 分。",
                           "Weight, points out of 100: 30, 30% and 0.3 all mean 30 points."),
    ("scheme", "direction"): ("方向，默认 越高越好；费用率、投诉数等写 越低越好。",
                              "Direction, higher by default; expense ratio or complaints are lower."),
    ("scheme", "method"): ("计分方式，默认 完成率。分段 需填分段表；扣分 需填每单位扣分；等级 按“评分”表计分。",
                           "Method, ratio by default. tiers needs a tier table, deduction needs points per unit, rating uses the Ratings sheet."),
    ("scheme", "cap"): ("完成率计分的封顶，如 120%。留空则用“设置”中的默认封顶。",
                        "Attainment cap for ratio scoring, e.g. 120%. Blank: the default cap of Settings."),
    ("scheme", "floor"): ("门槛：完成率低于此值时该指标得 0 分。默认 0。",
                          "Floor: below this attainment a ratio KPI scores 0. Default 0."),
    ("scheme", "tier_table"): ("分段计分时，填“分段计分”表中的表名，如 标准。",
                               "For tiers: a table name of the Tiers sheet, e.g. Standard."),
    ("scheme", "points_per_unit"): ("扣分时，每差一个步长扣的分数。", "For deduction: points lost per step of shortfall."),
    ("scheme", "step"): ("扣分步长，按指标自己的单位，默认 1。百分比指标写 1% 表示 1 个百分点。",
                         "Size of one step in the KPI's own unit, default 1. For % KPIs write 1% for one percentage point."),
    ("scheme", "aggregation"): ("多个月如何汇总：合计、平均 或 期末（最后一个月）。默认：百分比指标 平均，其他 合计。",
                                "How months combine: sum, mean or last. Default: mean for % KPIs, sum otherwise."),
    ("scheme", "source"): ("数据来源，默认 本人。团队:指标（如 团队:销售额）取本团队该指标的汇总，请直接输入；培训 取培训出勤率。",
                           "Source, own by default. team:KPI (e.g. team:Sales) takes the team's roll-up of that KPI, type it in; training takes the training attendance."),
    ("scheme", "unit"): ("写 % 表示百分比指标（目标管理表未写单位时使用）。",
                         "% marks a percentage KPI (used when the target sheet gives no unit)."),
    ("scheme", "accel_from"): ("完成率计分的加速起点，如 100%：完成率超过此值的部分按加速倍数计，再按封顶截止。填了加速倍数而此列留空时为 100%。",
                               "For ratio: attainment above this (e.g. 100%) counts by the accelerate-by multiplier, still capped. Blank with a multiplier: 100%."),
    ("scheme", "accel_by"): ("加速倍数，1 或以上，如 1.5：超过加速起点后每 1% 完成率按 1.5% 计。留空表示不加速。",
                             "Multiplier of 1 or more, e.g. 1.5: above the start each point of attainment counts 1.5 points. Blank: no accelerator."),
    ("tiers", "table"): ("表名。同一表名的多行组成一张分段表，由考核方案的“分段表”列引用。",
                         "Table name. The rows of one name form a table, named in the Scheme's Tier table column."),
    ("tiers", "from_r"): ("完成率下限：完成率达到此值即按本档计分。每张表须有一档从 0% 开始。",
                          "From attainment: a row applies from this attainment up. Each table needs a 0% row."),
    ("tiers", "fraction"): ("本档得分占权重的比例，如 80% 表示得权重的八成。",
                            "Share of the weight scored in this tier, e.g. 80%."),
    ("tiers", "curve"): ("计分曲线，按表：阶梯（默认，取达到的最高一档）或 线性（在相邻两档之间按完成率插值，最高一档以上不再增加）。写在表的一行或每行均可。",
                         "Curve, per table: steps (default, the highest tier reached) or linear (interpolated between neighbouring "
                         "tiers, flat above the top one). Write it on one row of the table or on every row."),
    ("ratings", "employee_id"): ("被评价人的工号。", "Employee ID of the person rated."),
    ("ratings", "period"): ("评分所属月份，写法同目标管理表。", "The month rated, written as on the target sheet."),
    ("ratings", "kpi"): ("被评价人岗位中计分方式为 等级 的指标。", "A rating KPI of the person's role."),
    ("ratings", "rater_type"): ("评价人类型。各类型的权重在“设置”中。", "Rater type. Each type's weight is in Settings."),
    ("ratings", "rater"): ("评价人姓名，可不填。", "The rater's name, optional."),
    ("ratings", "rating"): ("评分：好/较好/中/较差/差（= 100%/80%/60%/40%/20%），或 0–100 的分数。",
                            "Rating: excellent/good/average/poor/bad (or A–E) = 100/80/60/40/20%, or points 0–100."),
    ("settings", "key"): ("设置项，中文或英文名均可，见下方设置项表。", "Setting name, zh or en; see the table of settings below."),
    ("settings", "value"): ("设置值。删去某一行即使用该项的默认值。", "Setting value. Delete a row to use that setting's default."),
    ("training", "course_id"): ("课程编号。", "Course ID."),
    ("training", "course"): ("课程名称。", "Course name."),
    ("training", "category"): ("课程类别，如 产品知识、销售技巧、团队管理。", "Category, e.g. Product, Selling skills, Management."),
    ("training", "date"): ("上课日期（Excel 日期或 2026-03-10）；其月份即该行的考核期间。",
                           "Session date (an Excel date or 2026-03-10); its month is the row's period."),
    ("training", "planned_hours"): ("计划学时，大于 0。", "Planned hours, more than 0."),
    ("training", "employee_id"): ("学员工号。", "Trainee's employee ID."),
    ("training", "name"): ("学员姓名。", "Trainee's name."),
    ("training", "attended_hours"): ("实到学时，0 到计划学时之间；留空表示缺席（0 学时）。",
                                     "Attended hours, 0 up to the planned hours; blank means absent (0 hours)."),
    ("training", "pre"): ("培训前测成绩，0–100。", "Pre-test score, 0–100."),
    ("training", "post"): ("培训后测成绩，0–100。", "Post-test score, 0–100."),
    ("training", "satisfaction"): ("满意度，1–5。", "Satisfaction, 1–5."),
    ("training", "mandatory"): ("是否必修，默认 是。", "Mandatory course? Default yes."),
}

# Fixed-word columns: (sheet kind, field) -> the vocab table whose words the cell takes.
WORD_TABLES: dict[tuple[str, str], dict] = {
    ("scheme", "direction"): vocab.DIRECTIONS,
    ("scheme", "method"): vocab.METHODS,
    ("scheme", "aggregation"): vocab.AGGREGATIONS,
    ("scheme", "source"): vocab.SOURCES,
    ("tiers", "curve"): vocab.CURVES,
    ("ratings", "rater_type"): vocab.RATER_TYPES,
    ("ratings", "rating"): vocab.RATING_WORDS,
    ("training", "mandatory"): vocab.YES_NO,
}

# Default number format of each column whose cells HR types into (others: General).
COLUMN_KINDS: dict[tuple[str, str], str] = {
    ("targets", "employee_id"): "text",
    ("targets", "period"): "text",  # so that 2026-03 stays text instead of becoming a date
    ("targets", "base"): "money",
    ("staff", "employee_id"): "text",
    ("staff", "joined"): "date",
    ("staff", "left"): "date",
    ("staff", "base"): "money",
    ("scheme", "cap"): "percent",
    ("scheme", "floor"): "percent",
    ("scheme", "accel_from"): "percent",
    ("tiers", "from_r"): "percent",
    ("tiers", "fraction"): "percent",
    ("ratings", "employee_id"): "text",
    ("ratings", "period"): "text",
    ("training", "course_id"): "text",
    ("training", "date"): "date",
    ("training", "employee_id"): "text",
}

# Settings written as percentages (the others are points or words).
PERCENT_SETTINGS = frozenset({
    "near_from", "rating_met_from", "rating_near_from", "default_cap", "weight_manager",
    "weight_peer", "weight_self", "weight_subordinate", "weight_customer", "excellent_max_share",
})

SETTING_HELP: dict[str, tuple[str, str]] = {
    "excellent_from": ("总分达到此分数为 优秀。", "Total score from which the grade is Excellent."),
    "good_from": ("总分达到此分数为 良好。", "Total score from which the grade is Good."),
    "pass_from": ("总分达到此分数为 合格，低于为 待改进。", "Total score from which the grade is Pass; below is Needs improvement."),
    "near_from": ("完成率在此值与 100% 之间为 持平（黄色）。", "Attainment from this value up to 100% is Near (yellow)."),
    "rating_met_from": ("等级指标的综合评分达到此值为 达标。", "A rating KPI at or above this is Met."),
    "rating_near_from": ("等级指标的综合评分达到此值为 持平。", "A rating KPI at or above this (and below the Met line) is Near."),
    "default_cap": ("考核方案未写封顶时，完成率计分的封顶。", "Cap of ratio scoring when the Scheme gives none."),
    "missing_data": ("某指标无数据时：重新分配（按有数据指标折算到 100 分）或 记零分。",
                     "A KPI without data: renormalize (scale the others to 100) or zero."),
    "lower_formula": ("越低越好指标的完成率：2-实际/目标 或 目标/实际。",
                      "Attainment of lower-is-better KPIs: two_minus (2 - A/T) or inverse (T/A)."),
    "weight_manager": ("评分中 上级 的权重。", "Weight of manager ratings."),
    "weight_peer": ("评分中 同事 的权重。", "Weight of peer ratings."),
    "weight_self": ("评分中 自评 的权重。", "Weight of self ratings."),
    "weight_subordinate": ("评分中 下属 的权重。", "Weight of subordinate ratings."),
    "weight_customer": ("评分中 客户 的权重。", "Weight of customer ratings."),
    "excellent_max_share": ("某部门 优秀 人数占比超过此值时提示。留空表示不限。",
                            "Warn when a team's share of Excellent is above this. Blank: no limit."),
    "coefficient_excellent": ("等级为 优秀 的绩效系数。", "Pay coefficient of the grade Excellent."),
    "coefficient_good": ("等级为 良好 的绩效系数。", "Pay coefficient of the grade Good."),
    "coefficient_pass": ("等级为 合格 的绩效系数。", "Pay coefficient of the grade Pass."),
    "coefficient_improve": ("等级为 待改进 的绩效系数。", "Pay coefficient of the grade Needs improvement."),
    "pay_rule": ("绩效工资 = 基数×系数，或 基数×系数×总分/100。基数来自人员表或目标管理表的“绩效工资基数”列。",
                 "Pay = base*coefficient, or base*coefficient*total/100. The base comes from the Staff sheet or the target sheet's Pay base column."),
    "prorate": ("是：期间内入职或离职的人，绩效工资 × 在岗月数 ÷ 评分月数。",
                "yes: for people who joined or left inside the period, pay × months in post ÷ months in the period."),
    "probation_months": ("入职不满此月数（截至期间最后一个月）标记为 试用期。0 表示不标记。",
                         "Joined fewer months than this before the period's last month: on probation. 0: never."),
    "probation_excluded": ("是：试用期的人不计入部门的等级分布和优秀比例（本人仍有等级）。",
                           "yes: people on probation are left out of the teams' grade counts and Excellent share (they keep their grade)."),
    "period_rollup": ("季度和年度的总分：月均分（各月总分的平均）或 累计（把整个季度/年度的数据合在一起评分）。",
                      "Quarter and year totals: monthly_mean (mean of the monthly totals) or cumulative "
                      "(the whole quarter's / year's data scored together)."),
    "forced_distribution": ("目标等级分布，用 / 分隔的百分数：20/70/10（优秀/良好+合格/待改进）或 10/40/40/10（每个等级一个），"
                            "合计 100%。留空表示不用。",
                            "Target grade distribution as percentages separated by /: 20/70/10 (Excellent / Good+Pass / "
                            "Needs improvement) or 10/40/40/10 (one per grade), adding up to 100%. Blank: none."),
    "calibration_mode": ("提示：只对比实际分布和目标分布；按排名：按总分排名套用强制分布（写出校准等级，系数和绩效工资按校准等级）。"
                         "不足 25 人的范围只作提示。",
                         "advise: only compare the grades with the target distribution; rank: apply it by rank of total "
                         "(a calibrated grade, which pay follows). Groups under 25 people are advisory only."),
    "calibration_group": ("强制分布按 全部（所有人一起排名）或 部门（每个部门分别排名）套用。",
                          "Apply the forced distribution to all (everyone ranked together) or per team."),
}

TEXT: dict[str, dict[Lang, Any]] = {
    "instructions": {"zh": "填写说明", "en": "Instructions"},
    "columns": {
        "zh": ("工作表", "列名", "必填", "填写说明", "示例", "可选值"),
        "en": ("Sheet", "Column", "Required", "What to write", "Example", "Accepted words"),
    },
    "settings_table": {
        "zh": ("设置项", "英文名", "默认值", "含义"),
        "en": ("Setting (zh)", "Setting (en)", "Default", "Meaning"),
    },
    "settings_heading": {"zh": "设置项（“设置”表）", "en": "Settings (the Settings sheet)"},
    "columns_heading": {"zh": "各列说明", "en": "The columns"},
    "yes": {"zh": "是", "en": "yes"},
    "no": {"zh": "否", "en": "no"},
    "yes_blank": {"zh": "是（单元格可留空）", "en": "yes (cell may be blank)"},
    "none": {"zh": "（不限）", "en": "(none)"},
    "or_points": {"zh": "或 0–100 的分数", "en": "or points 0–100"},
    "team_typed": {"zh": "团队:指标（直接输入，如 团队:销售额）", "en": "team:KPI (type it, e.g. team:Sales)"},
    "choose": {"zh": "请从列表中选择", "en": "Choose from the list"},
    "also": {"zh": "也接受同义词，见“填写说明”。", "en": "Synonyms are accepted too; see Instructions."},
    "general": {
        "zh": (
            "第一行是表头：请勿修改表头文字。深蓝色表头为必填列，浅蓝色为选填列（可删除）。",
            "灰色斜体的示例行（第一列以“示例”开头）仅供参考，请在填写前删除；未删除的示例行会被跳过并在问题清单中提示。",
            "带下拉箭头的列请从列表中选择；程序也接受下表“可选值”中的同义词。",
            "数字可写 120000、12万、1,250,000 或 95%；留空或填 -、无、N/A 表示无数据（无数据不等于 0）。",
            "表头上方可以加标题行（如 2026年3月销售目标），但表头须在前 10 行内。",
        ),
        "en": (
            "The first row is the header: keep its words. Dark blue headers are required columns, light blue ones optional (may be deleted).",
            "Grey italic example rows (first column starting with \"Example\") are for reference: delete them before filling in; example rows left in are skipped and listed as a problem.",
            "Columns with a drop-down arrow take a word from the list; the synonyms under \"Accepted words\" below work too.",
            "Numbers may be written 120000, 1,250,000 or 95%; a blank cell or -, N/A means no data (no data is not 0).",
            "A title row may stand above the header (e.g. \"Sales targets March 2026\"), but the header must be within the first 10 rows.",
        ),
    },
}

TEMPLATE_NOTES: dict[str, dict[Lang, tuple[str, ...]]] = {
    "target_sheet": {
        "zh": (
            "每行是一名员工 × 一个指标 × 一个月。每月一个文件或多个月放在一个文件里都可以。",
            "百分比指标在“单位”列写 %，目标值和实际值写 95% 或 0.95。",
            "来源为 团队 或 培训 的指标可以不写目标值和实际值；等级 指标在考核表的“评分”表中评分，这里不用填。",
            "人员表（选填）：每人一行，写入职日期、离职日期和绩效工资基数，用于新入职/离职标记、在岗月数和绩效工资；不需要时可删去。",
        ),
        "en": (
            "One row per employee × KPI × month. One file per month, or several months in one file, both work.",
            "For a percentage KPI write % under Unit, and targets and actuals as 95% or 0.95.",
            "KPIs whose source is team or training may leave target and actual blank; rating KPIs are rated on the assessment form's Ratings sheet, not here.",
            "Staff (optional): one row per person with joining date, leaving date and pay base, for the new hire / leaver flags, months in post and pay; delete it when not needed.",
        ),
    },
    "assessment_form": {
        "zh": (
            "考核方案：每行是一个岗位的一个指标，同一岗位的权重合计须为 100。",
            "分段计分：已填好 标准 表（这几行不是示例，可直接使用），可修改，或用新的表名增加分段表。",
            "评分：每行是一位评价人对一名员工一个 等级 指标、一个月的评分。",
            "设置：已列出全部设置项及其默认值，可修改值；删去某一行即使用该项默认值。",
        ),
        "en": (
            "Scheme: one row per role × KPI; the weights of one role must add up to 100.",
            "Tiers: the Standard table is filled in (real rows, not examples, ready to use); change it or add tables under new names.",
            "Ratings: one row per rater × employee × rating KPI × month.",
            "Settings: every setting is listed with its default value; change a value, or delete a row to use the default.",
        ),
    },
    "training_plan": {
        "zh": (
            "每行是一名学员 × 一次课程安排。",
            "日期所在月份即该行的考核期间；实到学时留空表示缺席（0 学时），不能超过计划学时。",
        ),
        "en": (
            "One row per trainee × session.",
            "The date's month is the row's period; a blank attended-hours cell means absent (0 hours), and it may not exceed the planned hours.",
        ),
    },
}

# Example rows (grey) and real rows, per sheet kind and language, in field order.
_T = date  # brevity in the tables below
EXAMPLES: dict[str, dict[Lang, list[dict[str, Any]]]] = {
    "targets": {
        "zh": [
            dict(employee_id="示例-E0001", name="张伟", team="华东", role="销售代表", period="2026-03",
                 kpi=kpi, target=t, actual=a, unit=u, note=n)
            for kpi, t, a, u, n in (
                ("销售额", 500000, 560000, "元", ""),
                ("新客户数", 10, 9, "个", ""),
                ("费用率", 0.05, 0.06, "%", "百分比指标：单位写 %"),
                ("核心客户保有率", 0.95, 0.925, "%", ""),
                ("客户投诉", 0, 3, "次", ""),
            )
        ],
        "en": [
            dict(employee_id="Example-E0001", name="Zhang Wei", team="East", role="Sales Rep", period="2026-03",
                 kpi=kpi, target=t, actual=a, unit=u, note=n)
            for kpi, t, a, u, n in (
                ("Sales", 500000, 560000, "CNY", ""),
                ("New customers", 10, 9, "pcs", ""),
                ("Expense ratio", 0.05, 0.06, "%", "a percentage KPI: write % as unit"),
                ("Key account retention", 0.95, 0.925, "%", ""),
                ("Complaints", 0, 3, "pcs", ""),
            )
        ],
    },
}


def _scheme_examples(lang: Lang) -> list[dict[str, Any]]:
    """销售代表 of scoring.md's worked examples, and a manager with team and training KPIs."""
    zh = lang == "zh"
    w = lambda table, code: vocab.word(table, code, lang)  # noqa: E731
    rep, mgr = ("示例-销售代表", "示例-销售经理") if zh else ("Example-Sales Rep", "Example-Sales Manager")
    sales, dev, team_c, skill = (("销售业绩", "个人发展", "团队协作", "专业技能") if zh
                                 else ("Sales", "Development", "Teamwork", "Skills"))
    std = "标准" if zh else "Standard"
    hi, lo = w(vocab.DIRECTIONS, "higher"), w(vocab.DIRECTIONS, "lower")
    ratio, tiers, rating, deduct = (w(vocab.METHODS, m) for m in ("ratio", "tiers", "rating", "deduction"))
    total, mean = w(vocab.AGGREGATIONS, "sum"), w(vocab.AGGREGATIONS, "mean")
    own, training = w(vocab.SOURCES, "own"), w(vocab.SOURCES, "training")
    team_src = ("团队:销售额" if zh else "team:Sales")
    names = (("销售额", "新客户数", "费用率", "客户投诉", "核心客户保有率", "团队协作",
              "团队销售额", "回款率", "团队管理", "培训参与率") if zh else
             ("Sales", "New customers", "Expense ratio", "Complaints", "Key account retention",
              "Teamwork", "Team sales", "Collection rate", "Team leadership", "Training attendance"))
    money, pcs = ("元", "个") if zh else ("CNY", "pcs")
    rows = (
        (rep, names[0], sales, 40, hi, ratio, 1.2, 0.6, "", None, None, total, own, money),
        (rep, names[1], sales, 20, hi, tiers, None, None, std, None, None, total, own, pcs),
        (rep, names[2], sales, 15, lo, ratio, None, None, "", None, None, mean, own, "%"),
        (rep, names[3], skill, 10, lo, deduct, None, None, "", 2, 1, total, own, pcs),
        (rep, names[4], sales, 10, hi, deduct, None, None, "", 2, 0.01, mean, own, "%"),
        (rep, names[5], team_c, 5, hi, rating, None, None, "", None, None, "", own, ""),
        (mgr, names[6], sales, 60, hi, ratio, None, None, "", None, None, total, team_src, money),
        (mgr, names[7], sales, 20, hi, ratio, None, None, "", None, None, mean, own, "%"),
        (mgr, names[8], team_c, 10, hi, rating, None, None, "", None, None, "", own, ""),
        (mgr, names[9], dev, 10, hi, ratio, None, None, "", None, None, mean, training, "%"),
    )
    keys = [f.key for f in vocab.SCHEME.fields]
    return [dict(zip(keys, r)) for r in rows]


def _ratings_examples(lang: Lang) -> list[dict[str, Any]]:
    """scoring.md example 8, and the next month's rating written as points."""
    zh = lang == "zh"
    pid = "示例-E0001" if zh else "Example-E0001"
    kpi = "团队协作" if zh else "Teamwork"
    rt = lambda code: vocab.word(vocab.RATER_TYPES, code, lang)  # noqa: E731
    rw = lambda frac: vocab.word(vocab.RATING_WORDS, frac, lang)  # noqa: E731
    boss, p1, p2, me = ("王经理", "李娜", "刘洋", "张伟") if zh else ("Wang", "Li Na", "Liu Yang", "Zhang Wei")
    rows = (
        (pid, "2026-03", kpi, rt("manager"), boss, rw(0.8)),
        (pid, "2026-03", kpi, rt("peer"), p1, rw(1.0)),
        (pid, "2026-03", kpi, rt("peer"), p2, rw(0.6)),
        (pid, "2026-03", kpi, rt("self"), me, rw(1.0)),
        (pid, "2026-04", kpi, rt("manager"), boss, 85),
    )
    keys = [f.key for f in vocab.RATINGS.fields]
    return [dict(zip(keys, r)) for r in rows]


def _training_examples(lang: Lang) -> list[dict[str, Any]]:
    zh = lang == "zh"
    yes, no = vocab.word(vocab.YES_NO, True, lang), vocab.word(vocab.YES_NO, False, lang)
    c1, c2 = ("新品知识培训", "顾问式销售技巧") if zh else ("New products", "Consultative selling")
    k1, k2 = ("产品知识", "销售技巧") if zh else ("Product", "Selling skills")
    p1, p2 = ("示例-E0001", "示例-E0002") if zh else ("Example-E0001", "Example-E0002")
    n1, n2 = ("张伟", "李娜") if zh else ("Zhang Wei", "Li Na")
    rows = (
        ("C01", c1, k1, _T(2026, 3, 10), 8, p1, n1, 6, 60, 78, 5, yes),
        ("C02", c2, k2, _T(2026, 3, 24), 4, p2, n2, None, None, None, None, no),
    )
    keys = [f.key for f in vocab.TRAINING.fields]
    return [dict(zip(keys, r)) for r in rows]


def _staff_examples(lang: Lang) -> list[dict[str, Any]]:
    """A person in post all along, one who joined in March and one who left in May."""
    zh = lang == "zh"
    pre = "示例-" if zh else "Example-"
    team, role = ("华东", "销售代表") if zh else ("East", "Sales Rep")
    names = ("张伟", "李娜", "刘洋") if zh else ("Zhang Wei", "Li Na", "Liu Yang")
    rows = (
        (pre + "E0001", names[0], team, role, _T(2023, 5, 8), None, 3000),
        (pre + "E0002", names[1], team, role, _T(2026, 3, 2), None, 2500),
        (pre + "E0003", names[2], team, role, _T(2024, 9, 1), _T(2026, 5, 31), 2800),
    )
    keys = [f.key for f in vocab.STAFF.fields]
    return [dict(zip(keys, r)) for r in rows]


STANDARD_TIERS: tuple[tuple[float, float], ...] = (
    (1.2, 1.2), (1.0, 1.0), (0.9, 0.8), (0.8, 0.6), (0.0, 0.0),
)  # inputs.md, 分段计分


def _tier_rows(lang: Lang) -> list[dict[str, Any]]:
    name = "标准" if lang == "zh" else "Standard"
    return [dict(table=name, from_r=f, fraction=s) for f, s in STANDARD_TIERS]


def setting_value(key: str, lang: Lang) -> Any:
    """A setting's default as written in 设置: a number, a word, or None for no limit."""
    value = getattr(Settings(), key)
    if key in vocab.SETTING_WORDS:
        return vocab.word(vocab.SETTING_WORDS[key], value, lang)
    return value


def _setting_rows(lang: Lang) -> list[dict[str, Any]]:
    idx = 0 if lang == "zh" else 1
    return [dict(key=words[idx], value=setting_value(k, lang)) for k, words in vocab.SETTING_KEYS.items()]


def sheet_rows(kind: SheetKind, lang: Lang) -> tuple[list[dict[str, Any]], int]:
    """The rows a template sheet starts with, and how many of them are grey examples."""
    if kind.key == "targets":
        rows = EXAMPLES["targets"][lang]
        return rows, len(rows)
    if kind.key == "scheme":
        rows = _scheme_examples(lang)
        return rows, len(rows)
    if kind.key == "ratings":
        rows = _ratings_examples(lang)
        return rows, len(rows)
    if kind.key == "training":
        rows = _training_examples(lang)
        return rows, len(rows)
    if kind.key == "tiers":
        return _tier_rows(lang), 0
    if kind.key == "staff":
        rows = _staff_examples(lang)
        return rows, len(rows)
    return _setting_rows(lang), 0


# --- writing ----------------------------------------------------------------------------


def accepted_words(kind_key: str, field_key: str, lang: Lang) -> str:
    """The 可选值 cell of the instructions: every word of each code, codes separated."""
    table = WORD_TABLES.get((kind_key, field_key))
    if table is None:
        return ""
    sep, inner = ("；", "、") if lang == "zh" else ("; ", ", ")
    groups = [inner.join(words) for code, words in table.items()
              if not (table is vocab.SOURCES and code == "team")]
    if table is vocab.SOURCES:
        groups.append(TEXT["team_typed"][lang])
    if table is vocab.RATING_WORDS:
        groups.append(TEXT["or_points"][lang])
    return sep.join(groups)


def dropdown_words(kind_key: str, field_key: str, lang: Lang) -> list[str]:
    """The words of a column's drop-down list (团队 is typed with its KPI, so not listed)."""
    table = WORD_TABLES[(kind_key, field_key)]
    return [vocab.word(table, code, lang) for code in table
            if not (table is vocab.SOURCES and code == "team")]


def _add_dropdown(ws: Worksheet, col: int, first_row: int, kind: SheetKind, f: Field, lang: Lang) -> None:
    words = dropdown_words(kind.key, f.key, lang)
    # 来源 (团队:指标) and 评分 (0–100 points) also take typed values: the list guides,
    # an information box lets the value stand. Elsewhere a warning lets a synonym such
    # as 正向 stand too; the readers are the real check (decisions.md).
    typed = (kind.key, f.key) in {("scheme", "source"), ("ratings", "rating")}
    rc = ws.data_validation(first_row, col, LAST_ROW, col, {
        "validate": "list",
        "source": words,
        "input_title": f.label(lang)[:32],
        "input_message": HELP[(kind.key, f.key)][0 if lang == "zh" else 1][:255],
        "error_type": "information" if typed else "warning",
        "error_title": TEXT["choose"][lang],
        "error_message": ((" / ".join(words) + "\n" + TEXT["also"][lang])[:255]),
    })
    check(rc, f"add a drop-down to {kind.key}.{f.key}")


def _setting_validations(ws: Worksheet, first_row: int, rows: list[dict[str, Any]], lang: Lang) -> None:
    """Each 值 cell of 设置 explains its key; the two word settings get a drop-down."""
    tables = vocab.SETTING_WORDS
    for i, key in enumerate(vocab.SETTING_KEYS):
        r = first_row + 1 + i
        message = SETTING_HELP[key][0 if lang == "zh" else 1]
        options: dict[str, Any] = {"input_title": rows[i]["key"][:32], "input_message": message[:255]}
        if key in tables:
            words = [vocab.word(tables[key], c, lang) for c in tables[key]]
            options.update(validate="list", source=words, error_type="warning",
                           error_title=TEXT["choose"][lang], error_message=" / ".join(words))
        else:
            options["validate"] = "any"
        check(ws.data_validation(r, 1, r, 1, options), f"add a note to setting {key}")


def _write_input_sheet(wb: Workbook, styles: Styles, kind: SheetKind, lang: Lang) -> None:
    ws = wb.add_worksheet(kind.label(lang))
    rows, n_examples = sheet_rows(kind, lang)
    columns = [
        Column(
            f.label(lang),
            f.required,
            COLUMN_KINDS.get((kind.key, f.key), "general"),
            tuple(dropdown_words(kind.key, f.key, lang)) if (kind.key, f.key) in WORD_TABLES else (),
        )
        for f in kind.fields
    ]
    values = [[row.get(f.key) for f in kind.fields] for row in rows]
    write_table(ws, styles, columns, values, cell_kinds=_cell_kinds(kind, rows),
                example_rows=n_examples)
    for c, f in enumerate(kind.fields):
        if (kind.key, f.key) in WORD_TABLES:
            _add_dropdown(ws, c, 1, kind, f, lang)
    if kind.key == "settings":
        _setting_validations(ws, 0, rows, lang)
    check(ws.autofilter(0, 0, len(rows), len(kind.fields) - 1), "add the autofilter")


def _cell_kinds(kind: SheetKind, rows: list[dict[str, Any]]) -> list[list[str | None]]:
    """Per-cell formats: % KPIs' values (targets), % steps (scheme), % settings."""
    out: list[list[str | None]] = []
    for row in rows:
        kinds: list[str | None] = [None] * len(kind.fields)
        for c, f in enumerate(kind.fields):
            if kind.key == "targets" and row.get("unit") == "%" and f.key in ("target", "actual"):
                kinds[c] = "percent1"
            elif kind.key == "scheme" and row.get("unit") == "%" and f.key == "step":
                kinds[c] = "percent"
            elif kind.key == "settings" and f.key == "value":
                code = vocab.lookup({k: v for k, v in vocab.SETTING_KEYS.items()}, row["key"])
                kinds[c] = "percent" if code in PERCENT_SETTINGS else None
        out.append(kinds)
    return out


INSTRUCTION_WIDTHS = (14, 16, 14, 60, 16, 40)


def _write_instructions(wb: Workbook, styles: Styles, template: str, lang: Lang) -> None:
    ws = wb.add_worksheet(TEXT["instructions"][lang])
    spec = vocab.TEMPLATES[template]
    title = spec[lang] if lang == "zh" else spec[lang].capitalize()
    write_cell(ws, 0, 0, f"{title} · {TEXT['instructions'][lang]}", styles.get(bold=True, size=14))
    check(ws.set_row(0, 24), "set the title height")
    r = 2
    wrap = styles.get(wrap=True)
    for line in (*TEXT["general"][lang], *TEMPLATE_NOTES[template][lang]):
        # Merged over the table's width and wrapped; Excel does not size merged rows,
        # so the height is set from the text's length.
        text = f"• {line}"
        check(ws.merge_range(r, 0, r, len(INSTRUCTION_WIDTHS) - 1, text, wrap), "merge a note")
        lines = -(-display_width(text) // int(sum(INSTRUCTION_WIDTHS) * 0.95))
        check(ws.set_row(r, 15 * max(1, lines)), "size a note row")
        r += 1
    r += 1
    write_cell(ws, r, 0, TEXT["columns_heading"][lang], styles.get(bold=True, size=12))
    r += 1
    header = styles.get(header=REQUIRED_FILL)
    for c, text in enumerate(TEXT["columns"][lang]):
        write_cell(ws, r, c, text, header)
    r += 1
    for kind in spec["sheets"]:
        rows, _ = sheet_rows(kind, lang)
        for f in kind.fields:
            required = (TEXT["yes_blank"] if f.may_be_blank else TEXT["yes"] if f.required else TEXT["no"])[lang]
            cells = (kind.label(lang), f.label(lang), required,
                     HELP[(kind.key, f.key)][0 if lang == "zh" else 1],
                     _example_of(kind, f, rows), accepted_words(kind.key, f.key, lang))
            for c, text in enumerate(cells):
                write_cell(ws, r, c, text, wrap)
            r += 1
    if template == "assessment_form":
        r += 1
        write_cell(ws, r, 0, TEXT["settings_heading"][lang], styles.get(bold=True, size=12))
        r += 1
        for c, text in enumerate(TEXT["settings_table"][lang]):
            write_cell(ws, r, c, text, header)
        r += 1
        for key, (zh, en) in vocab.SETTING_KEYS.items():
            value = setting_value(key, lang)
            shown = TEXT["none"][lang] if value is None else _as_shown(
                value, "percent" if key in PERCENT_SETTINGS else "general")
            for c, text in enumerate((zh, en, shown, SETTING_HELP[key][0 if lang == "zh" else 1])):
                write_cell(ws, r, c, text, wrap)
            r += 1
    for c, width in enumerate(INSTRUCTION_WIDTHS):
        check(ws.set_column(c, c, width), "set an instructions column width")
    _print_setup(ws, None)
    ws.activate()


def _example_of(kind: SheetKind, f: Field, rows: list[dict[str, Any]]) -> str:
    """The first non-empty value of the field among the sheet's starting rows, as shown."""
    for row in rows:
        value = row.get(f.key)
        if value is None or value == "":
            continue
        percent = (COLUMN_KINDS.get((kind.key, f.key), "").startswith("percent")
                   or (row.get("unit") == "%" and f.key in ("target", "actual", "step")))
        return str(_as_shown(value, "percent" if percent else "general"))
    return ""


def write_template(path: Path, template: str, lang: Lang = "zh") -> Path:
    """Write one template (a key of ``vocab.TEMPLATES``) to ``path``."""
    spec = vocab.TEMPLATES[template]
    wb = new_workbook(path, spec[lang], "kpi-engine template")
    styles = Styles(wb)
    _write_instructions(wb, styles, template, lang)
    for kind in spec["sheets"]:
        _write_input_sheet(wb, styles, kind, lang)
    wb.close()
    return path


def write_templates(out_dir: Path, lang: Lang = "zh") -> list[Path]:
    """Write the three blank templates of inputs.md into ``out_dir`` (created if needed)."""
    if lang not in vocab.LANGS:
        raise ValueError(f"lang must be one of {vocab.LANGS}, not {lang!r}")
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    return [write_template(out_dir / name, key, lang) for key, name in FILE_NAMES.items()]
