"""The words of the templates, in zh and en: sheet names, headers and fixed values.

One table here serves the readers (which accept either language), the template writer
(which writes one), the result writer and the CLI. Canonical codes (``"ratio"``,
``"met"``) are what the rest of the code passes around; words are for people.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Lang = Literal["zh", "en"]
LANGS: tuple[Lang, ...] = ("zh", "en")


@dataclass(frozen=True, slots=True)
class Field:
    """One column of an input sheet."""

    key: str
    zh: str
    en: str
    required: bool = False
    # A required column whose cell may be left blank (目标值, 实际值, 实到学时).
    may_be_blank: bool = False

    def label(self, lang: Lang) -> str:
        return self.zh if lang == "zh" else self.en


@dataclass(frozen=True, slots=True)
class SheetKind:
    """One kind of input sheet: its names and its columns, in template order."""

    key: str
    zh: str
    en: str
    fields: tuple[Field, ...]

    def label(self, lang: Lang) -> str:
        return self.zh if lang == "zh" else self.en

    def __reduce__(self):
        # A sheet read in a worker process comes back holding this very kind (``is`` holds).
        return kind_of, (self.key,)

    @property
    def required(self) -> tuple[Field, ...]:
        return tuple(f for f in self.fields if f.required)

    def field(self, key: str) -> Field:
        for f in self.fields:
            if f.key == key:
                return f
        raise KeyError(key)


def _f(key: str, zh: str, en: str, required: bool = False, may_be_blank: bool = False) -> Field:
    return Field(key, zh, en, required, may_be_blank)


EMPLOYEE_ID = _f("employee_id", "工号", "Employee ID", True)
PERIOD = _f("period", "期间", "Period", True)
KPI = _f("kpi", "指标", "KPI", True)
ROLE = _f("role", "岗位", "Role", True)

TARGETS = SheetKind(
    "targets",
    "目标管理",
    "Targets",
    (
        EMPLOYEE_ID,
        _f("name", "姓名", "Name", True),
        _f("team", "部门", "Team", True),
        ROLE,
        PERIOD,
        KPI,
        _f("target", "目标值", "Target", True, may_be_blank=True),
        _f("actual", "实际值", "Actual", True, may_be_blank=True),
        _f("unit", "单位", "Unit"),
        _f("note", "备注", "Note"),
        _f("base", "绩效工资基数", "Pay base"),
    ),
)

SCHEME = SheetKind(
    "scheme",
    "考核方案",
    "Scheme",
    (
        ROLE,
        KPI,
        _f("category", "类别", "Category"),
        _f("weight", "权重", "Weight", True),
        _f("direction", "方向", "Direction"),
        _f("method", "计分方式", "Method"),
        _f("cap", "封顶", "Cap"),
        _f("floor", "门槛", "Floor"),
        _f("tier_table", "分段表", "Tier table"),
        _f("points_per_unit", "每单位扣分", "Points per unit"),
        _f("step", "扣分步长", "Step"),
        _f("aggregation", "汇总方式", "Aggregation"),
        _f("source", "来源", "Source"),
        _f("unit", "单位", "Unit"),
        # Optional, advanced: last, so the columns HR already knows keep their places.
        _f("accel_from", "加速起点", "Accelerate from"),
        _f("accel_by", "加速倍数", "Accelerate by"),
    ),
)

TIERS = SheetKind(
    "tiers",
    "分段计分",
    "Tiers",
    (
        _f("table", "分段表", "Table", True),
        _f("from_r", "完成率下限", "From attainment", True),
        _f("fraction", "得分比例", "Score fraction", True),
        _f("curve", "计分曲线", "Curve"),
    ),
)

RATINGS = SheetKind(
    "ratings",
    "评分",
    "Ratings",
    (
        EMPLOYEE_ID,
        PERIOD,
        KPI,
        _f("rater_type", "评价人类型", "Rater type", True),
        _f("rater", "评价人", "Rater"),
        _f("rating", "评分", "Rating", True),
    ),
)

SETTINGS = SheetKind(
    "settings",
    "设置",
    "Settings",
    (
        _f("key", "项目", "Key", True),
        _f("value", "值", "Value", True),
    ),
)

TRAINING = SheetKind(
    "training",
    "培训记录",
    "Training",
    (
        _f("course_id", "课程编号", "Course ID", True),
        _f("course", "课程名称", "Course", True),
        _f("category", "类别", "Category"),
        _f("date", "日期", "Date", True),
        _f("planned_hours", "计划学时", "Planned hours", True),
        EMPLOYEE_ID,
        _f("name", "姓名", "Name"),
        _f("attended_hours", "实到学时", "Attended hours", True, may_be_blank=True),
        _f("pre", "培训前测", "Pre-test"),
        _f("post", "培训后测", "Post-test"),
        _f("satisfaction", "满意度", "Satisfaction"),
        _f("mandatory", "必修", "Mandatory"),
    ),
)

# 人员: one row per person, every column but 工号 and 姓名 optional (issue 10): dates in post and the
# base of 绩效工资. A person of the target sheet without a row here is scored as before.
STAFF = SheetKind(
    "staff",
    "人员",
    "Staff",
    (
        EMPLOYEE_ID,
        # 姓名 names the roster's column (工号 alone is in every sheet); a blank cell is fine.
        _f("name", "姓名", "Name", True, may_be_blank=True),
        _f("team", "部门", "Team"),
        _f("role", "岗位", "Role"),
        _f("joined", "入职日期", "Joined"),
        _f("left", "离职日期", "Left"),
        _f("base", "绩效工资基数", "Pay base"),
    ),
)

SHEET_KINDS: tuple[SheetKind, ...] = (TARGETS, SCHEME, TIERS, RATINGS, SETTINGS, TRAINING, STAFF)
SHEET_KIND = {k.key: k for k in SHEET_KINDS}


def kind_of(key: str) -> SheetKind:
    """The kind of sheet of that key (how a pickled SheetKind comes back)."""
    return SHEET_KIND[key]


# Which template file holds which sheets (inputs.md, "the three templates").
TEMPLATES: dict[str, dict] = {
    "target_sheet": {"zh": "目标管理表", "en": "target sheet", "sheets": (TARGETS, STAFF)},
    "assessment_form": {"zh": "考核表", "en": "assessment form", "sheets": (SCHEME, TIERS, RATINGS, SETTINGS)},
    "training_plan": {"zh": "培训计划表", "en": "training plan", "sheets": (TRAINING,)},
}


# --- fixed words -------------------------------------------------------------------
# Each maps a canonical code to the words accepted for it; the first zh word and the
# first en word are the ones written out.

DIRECTIONS: dict[str, tuple[str, ...]] = {
    "higher": ("越高越好", "正向", "higher"),
    "lower": ("越低越好", "反向", "lower"),
}
METHODS: dict[str, tuple[str, ...]] = {
    "ratio": ("完成率", "ratio"),
    "tiers": ("分段", "tiers"),
    "rating": ("等级", "rating"),
    "deduction": ("扣分", "deduction"),
}
# 分段计分's 计分曲线: a table's steps (the highest step reached) or a line through its points.
CURVES: dict[str, tuple[str, ...]] = {
    "steps": ("阶梯", "steps", "step", "分段"),
    "linear": ("线性", "linear", "插值"),
}
AGGREGATIONS: dict[str, tuple[str, ...]] = {
    "sum": ("合计", "sum"),
    "mean": ("平均", "mean"),
    "last": ("期末", "last"),
}
# 来源: 本人 / 培训, or 团队:指标 with the KPI after the colon (either colon width).
SOURCES: dict[str, tuple[str, ...]] = {
    "own": ("本人", "own"),
    "team": ("团队", "team"),
    "training": ("培训", "training"),
}
RATER_TYPES: dict[str, tuple[str, ...]] = {
    "manager": ("上级", "manager"),
    "peer": ("同事", "peer"),
    "self": ("自评", "self"),
    "subordinate": ("下属", "subordinate"),
    "customer": ("客户", "customer"),
}
# 评分 words and the fraction each stands for.
RATING_WORDS: dict[float, tuple[str, ...]] = {
    1.0: ("好", "excellent", "a"),
    0.8: ("较好", "good", "b"),
    0.6: ("中", "average", "c"),
    0.4: ("较差", "poor", "d"),
    0.2: ("差", "bad", "e"),
}
YES_NO: dict[bool, tuple[str, ...]] = {
    True: ("是", "yes", "y", "true"),
    False: ("否", "no", "n", "false"),
}
MISSING_DATA: dict[str, tuple[str, ...]] = {
    "renormalize": ("重新分配", "renormalize", "renormalise"),
    "zero": ("记零分", "zero"),
}
# 绩效工资 = 基数 × 系数, or 基数 × 系数 × 总分/100 (issue 10).
PAY_RULES: dict[str, tuple[str, ...]] = {
    "base_coefficient": ("基数×系数", "base*coefficient", "基数*系数", "base×coefficient"),
    "base_coefficient_total": ("基数×系数×总分/100", "base*coefficient*total/100", "基数*系数*总分/100",
                               "base×coefficient×total/100"),
}
LOWER_FORMULAS: dict[str, tuple[str, ...]] = {
    "two_minus": ("2-实际/目标", "two_minus"),
    "inverse": ("目标/实际", "inverse"),
}
# 周期汇总: how a quarter's and a year's result is built from its months.
# 强制分布方式: only compare with the target distribution, or apply it by rank.
CALIBRATION_MODES: dict[str, tuple[str, ...]] = {
    "advise": ("提示", "advise", "仅提示", "advisory"),
    "rank": ("按排名", "rank", "排名", "by rank"),
}
# 强制分布范围: the group a forced distribution is applied to.
CALIBRATION_GROUPS: dict[str, tuple[str, ...]] = {
    "all": ("全部", "all", "整体", "overall"),
    "team": ("部门", "team", "按部门", "by team"),
}
PERIOD_ROLLUPS: dict[str, tuple[str, ...]] = {
    "monthly_mean": ("月均分", "monthly_mean", "mean of months", "月度平均"),
    "cumulative": ("累计", "cumulative"),
}

STATUSES: dict[str, tuple[str, str]] = {
    "met": ("达标", "Met"),
    "near": ("持平", "Near"),
    "below": ("未达标", "Below"),
    "nodata": ("无数据", "No data"),
}
GRADES: dict[str, tuple[str, str]] = {
    "excellent": ("优秀", "Excellent"),
    "good": ("良好", "Good"),
    "pass": ("合格", "Pass"),
    "improve": ("待改进", "Needs improvement"),
}
LEVELS: dict[str, tuple[str, str]] = {
    "error": ("错误", "error"),
    "warning": ("警告", "warning"),
    "info": ("提示", "info"),
}

# 设置 keys: canonical key -> (zh, en).
SETTING_KEYS: dict[str, tuple[str, str]] = {
    "excellent_from": ("优秀线", "excellent_from"),
    "good_from": ("良好线", "good_from"),
    "pass_from": ("合格线", "pass_from"),
    "near_from": ("持平下限", "near_from"),
    "rating_met_from": ("等级达标线", "rating_met_from"),
    "rating_near_from": ("等级持平线", "rating_near_from"),
    "default_cap": ("默认封顶", "default_cap"),
    "missing_data": ("缺失数据", "missing_data"),
    "lower_formula": ("反向公式", "lower_formula"),
    "weight_manager": ("上级权重", "weight_manager"),
    "weight_peer": ("同事权重", "weight_peer"),
    "weight_self": ("自评权重", "weight_self"),
    "weight_subordinate": ("下属权重", "weight_subordinate"),
    "weight_customer": ("客户权重", "weight_customer"),
    "excellent_max_share": ("优秀比例上限", "excellent_max_share"),
    "coefficient_excellent": ("优秀系数", "coefficient_excellent"),
    "coefficient_good": ("良好系数", "coefficient_good"),
    "coefficient_pass": ("合格系数", "coefficient_pass"),
    "coefficient_improve": ("待改进系数", "coefficient_improve"),
    "pay_rule": ("绩效工资公式", "pay_rule"),
    "prorate": ("按在岗月数折算", "prorate"),
    "probation_months": ("试用期月数", "probation_months"),
    "probation_excluded": ("试用期不计入等级分布", "probation_excluded"),
    "period_rollup": ("周期汇总", "period_rollup"),
    "forced_distribution": ("强制分布", "forced_distribution"),
    "calibration_mode": ("强制分布方式", "calibration_mode"),
    "calibration_group": ("强制分布范围", "calibration_group"),
}
# The coefficient setting of each grade.
GRADE_COEFFICIENTS: dict[str, str] = {
    "excellent": "coefficient_excellent", "good": "coefficient_good",
    "pass": "coefficient_pass", "improve": "coefficient_improve",
}
# The settings whose value is a word, and their words.
SETTING_WORDS: dict[str, dict[str, tuple[str, ...]]] = {
    "missing_data": MISSING_DATA,
    "lower_formula": LOWER_FORMULAS,
    "period_rollup": PERIOD_ROLLUPS,
    "pay_rule": PAY_RULES,
    "prorate": YES_NO,
    "probation_excluded": YES_NO,
    "calibration_mode": CALIBRATION_MODES,
    "calibration_group": CALIBRATION_GROUPS,
}


def word(table: dict, code, lang: Lang) -> str:
    """The word written out for ``code`` in ``lang`` (first zh word, or first en word)."""
    words = table[code]
    if len(words) == 2 and table in (STATUSES, GRADES, LEVELS):
        return words[0] if lang == "zh" else words[1]
    if lang == "zh":
        return words[0]
    ascii_words = [w for w in words if w.isascii()]
    return ascii_words[0] if ascii_words else words[0]


def lookup(table: dict, text: str) -> object | None:
    """The code whose words include ``text`` (case-insensitive, spaces ignored), or None."""
    key = "".join(str(text).split()).casefold()
    for code, words in table.items():
        if any("".join(w.split()).casefold() == key for w in words):
            return code
    return None
