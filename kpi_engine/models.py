"""Typed models of validated input: one pydantic model per kind of row, and the settings.

These define what a valid row *is*. The readers parse raw cells vectorised with pandas,
then validate whole columns at once through :func:`validate_columns` (a pydantic
``TypeAdapter`` over a column's list of values runs the loop in Rust, not in Python). The frames
that flow on to the core have exactly the columns of these models, plus provenance
(``file``, ``sheet``, ``row``) where a row came from a sheet.
"""

from __future__ import annotations

import math
from functools import cache
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, field_validator, model_validator

Period = Annotated[str, Field(pattern=r"^\d{4}-(0[1-9]|1[0-2])$")]
Fraction = Annotated[float, Field(ge=0)]

Direction = Literal["higher", "lower"]
Method = Literal["ratio", "tiers", "rating", "deduction"]
Curve = Literal["steps", "linear"]
Aggregation = Literal["sum", "mean", "last"]
Source = Literal["own", "team", "training"]
RaterType = Literal["manager", "peer", "self", "subordinate", "customer"]
RATER_TYPES: tuple[str, ...] = ("manager", "peer", "self", "subordinate", "customer")


def _nan_to_none(v):
    if isinstance(v, float) and math.isnan(v):
        return None
    return v


class _Row(BaseModel):
    model_config = ConfigDict(frozen=True, extra="ignore", str_strip_whitespace=True)

    @model_validator(mode="before")
    @classmethod
    def _nans(cls, data):
        if isinstance(data, dict):
            return {k: _nan_to_none(v) for k, v in data.items()}
        return data


class SchemeRow(_Row):
    """One KPI of one role (考核方案), with every default resolved."""

    role: Annotated[str, Field(min_length=1)]
    kpi: Annotated[str, Field(min_length=1)]
    category: str = ""
    weight: Annotated[float, Field(ge=0, le=100)]  # points out of 100
    direction: Direction = "higher"
    method: Method = "ratio"
    cap: Fraction | None = None  # None: settings.default_cap
    floor: Fraction = 0.0
    # 完成率 accelerator: above accel_from each point of attainment counts accel_by times
    # (before the cap). None: no accelerator (accel_from defaults to 100% when accel_by is set).
    accel_from: Fraction | None = None
    accel_by: Annotated[float, Field(ge=1)] | None = None
    tier_table: str = ""
    points_per_unit: Annotated[float, Field(ge=0)] | None = None
    step: Annotated[float, Field(gt=0)] = 1.0  # in the KPI's unit; 0.01 for % KPIs by default
    aggregation: Aggregation = "sum"
    source: Source = "own"
    source_kpi: str = ""  # the KPI rolled up, for source == "team"
    is_percent: bool = False
    order: int = 0  # position in the scheme sheet, for display

    @model_validator(mode="after")
    def _method_needs(self):
        if self.method == "tiers" and not self.tier_table:
            raise ValueError("a 分段 KPI needs a 分段表")
        if self.method == "deduction" and self.points_per_unit is None:
            raise ValueError("a 扣分 KPI needs 每单位扣分")
        if self.source == "team" and not self.source_kpi:
            raise ValueError("a 团队 source needs a KPI after the colon")
        return self


class Tier(_Row):
    """One step of a 分段计分 table."""

    table: Annotated[str, Field(min_length=1)]
    from_r: Fraction
    fraction: Fraction
    curve: Curve = "steps"  # the table's: the highest step reached, or a line through the points


class TargetRow(_Row):
    """One employee × KPI × month of 目标管理. Percent KPIs hold fractions (95% = 0.95)."""

    employee_id: Annotated[str, Field(min_length=1)]
    name: str = ""
    team: str = ""
    role: Annotated[str, Field(min_length=1)]
    period: Period
    kpi: Annotated[str, Field(min_length=1)]
    target: float | None = None
    actual: float | None = None
    note: str = ""


class Rating(_Row):
    """One rater's rating of one person's 等级 KPI for one month, as a fraction."""

    employee_id: Annotated[str, Field(min_length=1)]
    period: Period
    kpi: Annotated[str, Field(min_length=1)]
    rater_type: RaterType
    rater: str = ""
    rating: Annotated[float, Field(ge=0, le=1)]


class TrainingRow(_Row):
    """One trainee × session of 培训记录."""

    course_id: Annotated[str, Field(min_length=1)]
    course: Annotated[str, Field(min_length=1)]
    category: str = ""
    period: Period
    planned_hours: Annotated[float, Field(gt=0)]
    employee_id: Annotated[str, Field(min_length=1)]
    name: str = ""
    attended_hours: Annotated[float, Field(ge=0)] = 0.0
    pre: Annotated[float, Field(ge=0, le=100)] | None = None
    post: Annotated[float, Field(ge=0, le=100)] | None = None
    satisfaction: Annotated[float, Field(ge=1, le=5)] | None = None
    mandatory: bool = True

    @model_validator(mode="after")
    def _attended_within_planned(self):
        if self.attended_hours > self.planned_hours + 1e-9:
            raise ValueError("实到学时 is more than 计划学时")
        return self


class Settings(BaseModel):
    """设置, every key optional (inputs.md). Fractions are fractions: 95% is 0.95."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    excellent_from: float = 90.0
    good_from: float = 80.0
    pass_from: float = 60.0
    near_from: Annotated[float, Field(ge=0, le=1)] = 0.95
    rating_met_from: Annotated[float, Field(ge=0, le=1)] = 0.80
    rating_near_from: Annotated[float, Field(ge=0, le=1)] = 0.60
    default_cap: Annotated[float, Field(gt=0)] = 1.20
    missing_data: Literal["renormalize", "zero"] = "renormalize"
    lower_formula: Literal["two_minus", "inverse"] = "two_minus"
    weight_manager: Fraction = 0.60
    weight_peer: Fraction = 0.20
    weight_self: Fraction = 0.20
    weight_subordinate: Fraction = 0.0
    weight_customer: Fraction = 0.0
    excellent_max_share: Annotated[float, Field(ge=0, le=1)] | None = None
    # Grade → coefficient → pay (issue 10; docs/decisions.md, "Pay").
    coefficient_excellent: Annotated[float, Field(ge=0)] = 1.2
    coefficient_good: Annotated[float, Field(ge=0)] = 1.0
    coefficient_pass: Annotated[float, Field(ge=0)] = 0.8
    coefficient_improve: Annotated[float, Field(ge=0)] = 0.6
    pay_rule: Literal["base_coefficient", "base_coefficient_total"] = "base_coefficient"
    prorate: bool = True  # 按在岗月数折算: pay × months in post / months in the period
    probation_months: Annotated[int, Field(ge=0, le=24)] = 3
    probation_excluded: bool = False  # 试用期 people left out of the grade distribution
    # 周期汇总: a quarter's / year's total is the mean of its monthly totals (月均分) or the
    # score of its months taken together (累计) — docs/decisions.md, "Periods".
    period_rollup: Literal["monthly_mean", "cumulative"] = "monthly_mean"
    # 强制分布 (issue 10; docs/decisions.md, "Calibration"): target shares of 优秀 /
    # 良好+合格 / 待改进 (three) or of each grade (four), summing to 1; compared with the
    # grades (提示) or applied by rank (按排名) over everyone (全部) or each team (部门).
    forced_distribution: tuple[float, ...] | None = None
    calibration_mode: Literal["advise", "rank"] = "advise"
    calibration_group: Literal["all", "team"] = "all"

    @field_validator("excellent_from", "good_from", "pass_from")
    @classmethod
    def _points(cls, v: float) -> float:
        if not 0 <= v <= 200:
            raise ValueError("a grade line is points out of 100")
        return v

    @model_validator(mode="after")
    def _ordered(self):
        if not self.excellent_from >= self.good_from >= self.pass_from:
            raise ValueError("优秀线 ≥ 良好线 ≥ 合格线 must hold")
        if not self.rating_met_from >= self.rating_near_from:
            raise ValueError("等级达标线 ≥ 等级持平线 must hold")
        shares = self.forced_distribution
        if shares is not None and (len(shares) not in (3, 4) or min(shares) < 0
                                   or abs(sum(shares) - 1) > 1e-6):
            raise ValueError("强制分布 is three or four shares summing to 100%")
        return self

    def coefficients(self) -> dict[str, float]:
        """Grade code → 绩效系数."""
        return {g: getattr(self, f"coefficient_{g}") for g in ("excellent", "good", "pass", "improve")}

    def rater_weights(self) -> dict[str, float]:
        return {t: getattr(self, f"weight_{t}") for t in RATER_TYPES}


MODELS: dict[str, type[_Row]] = {
    "scheme": SchemeRow,
    "tiers": Tier,
    "targets": TargetRow,
    "ratings": Rating,
    "training": TrainingRow,
}


@cache
def _column_adapters(model: type[_Row]) -> dict[str, TypeAdapter]:
    """One ``TypeAdapter(list[field type])`` per field, with the field's own constraints."""
    out = {}
    for name, f in model.model_fields.items():
        t = Annotated[(f.annotation, *f.metadata)] if f.metadata else f.annotation
        out[name] = TypeAdapter(list[t], config=ConfigDict(str_strip_whitespace=True))
    return out


def validate_columns(frame, model: type[_Row]) -> None:
    """Check a frame against a row model column by column; raises pydantic's ValidationError.

    Each column goes through pydantic once as a list (a Rust loop over the values), with
    exactly the field's type and constraints — instead of a dict and a model per row,
    which costs seconds per hundred thousand rows. NaN counts as None (a blank cell).
    Columns the frame lacks are left to their defaults; the model's own ``after``
    validators (cross-field rules) are the caller's to mirror. The ValueError raised
    names the model and field, with pydantic's error (and row number) as its cause."""
    for name, adapter in _column_adapters(model).items():
        if name not in frame.columns:
            continue
        col = frame[name]
        values = col.astype(object).where(col.notna(), None).tolist()
        try:
            adapter.validate_python(values)
        except ValueError as e:  # pydantic's ValidationError names neither model nor field
            raise ValueError(f"{model.__name__}.{name}: {e}") from e
