"""The core checks what it receives: InputData built by hand fails loudly, never as silent "no data"."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from kpi_engine import core
from kpi_engine.data import InputData

from .test_core_support import ROLE, inputs, one, rating, scheme, target

ASSISTANT = scheme([dict(kpi="销售额", weight=100)], role="销售助理", start=10)


def people_rows() -> list[dict]:
    """E1, a 销售代表 on the worked-example scheme; E2, a 销售助理 on 销售额 alone."""
    e1 = [target("E1", kpi, t=100, a=100) for kpi in ("销售额", "新客户数", "费用率", "客户投诉", "核心客户保有率")]
    return [*e1, target("E2", "销售额", t=100, a=90, role="销售助理", row=9)]


def scored_with(change: dict, kpi: str = "销售额"):
    """Score E1 and E2 after changing one scheme row of 销售代表's ``kpi``."""
    rows = [{**r, **change} if r["kpi"] == kpi else r for r in scheme()]
    return core.score(inputs(people_rows(), scheme_rows=rows + ASSISTANT, ratings=[rating("E1")]))


# (case, the change to one 销售代表 KPI, that KPI, the field reported, the value reported)
BAD_VALUES = [
    ("unknown method", {"method": "Ratio"}, "销售额", "method", "Ratio"),
    ("method as a zh word", {"method": "完成率"}, "销售额", "method", "完成率"),
    ("unknown direction", {"direction": "down"}, "费用率", "direction", "down"),
    ("unknown aggregation", {"aggregation": "median"}, "销售额", "aggregation", "median"),
    ("unknown source", {"source": "company"}, "销售额", "source", "company"),
    ("weight missing", {"weight": np.nan}, "销售额", "weight", ""),
    ("weight above 100", {"weight": 140}, "销售额", "weight", "140"),
    ("deduction without points", {"points_per_unit": np.nan}, "客户投诉", "points_per_unit", ""),
    ("team source without its KPI", {"source": "team", "source_kpi": ""}, "销售额", "source", "team"),
]


@pytest.mark.parametrize(("case", "change", "kpi", "field", "value"), BAD_VALUES, ids=[c[0] for c in BAD_VALUES])
def test_a_bad_scheme_value_is_an_error_and_its_role_is_not_scored(case, change, kpi, field, value):
    res = scored_with(change, kpi)
    errors = [(i.code, i.field, i.value, dict(i.params)["role"], dict(i.params)["kpi"])
              for i in res.issues if i.level == "error"]
    assert errors == [("core_bad_scheme_value", field, value, ROLE, kpi)]
    assert math.isnan(one(res, "E1")["total"]) and one(res, "E1")["incomplete"]
    assert "core_role_without_kpis" in [i.code for i in res.issues]
    assert res.scores["employee_id"].tolist() == ["E2"]  # no KPI row of the role: none scores "no data"
    assert one(res, "E2")["total"] == 90.0  # other roles are scored as usual


def test_blank_and_none_take_the_defaults():
    res = scored_with({"method": None, "direction": "", "aggregation": np.nan, "source": None})
    assert [i.code for i in res.issues] == []
    assert one(res, "E1", "销售额")["method"] == "ratio" and one(res, "E1")["total"] > 0


def test_bad_scheme_value_message_names_role_kpi_value_and_the_fix():
    issue = next(i for i in scored_with({"method": "Ratio"}).issues if i.level == "error")
    assert issue.message("zh") == (
        "考核方案中岗位 销售代表 的指标 销售额：计分方式为“Ratio”，应为其中之一：ratio（完成率）、tiers（分段）、"
        "rating（等级）、deduction（扣分）。该岗位的人员均未评分（与考核方案有错误行时相同）。请改正后重新评分。"
    )
    assert issue.message("en") == (
        'KPI 销售额 of role 销售代表 in the scheme: the Method is "Ratio", expected one of ratio, tiers, rating, '
        "deduction. Nobody of that role is scored (as when a scheme row is in error). Correct it and score again."
    )


def _drop(name: str, column: str):
    def change(data: InputData) -> None:
        setattr(data, name, getattr(data, name).drop(columns=column))
    return change


def _set(name: str, column: str, value):
    def change(data: InputData) -> None:
        setattr(data, name, getattr(data, name).assign(**{column: value}))
    return change


# (case, what is done to a good InputData, the exception, words of its message)
BROKEN = [
    ("scheme without method", _drop("scheme", "method"), ValueError,
     "InputData.scheme lacks the columns method: build it with kpi_engine.data.frame(kpi_engine.data.SCHEME_COLUMNS"),
    ("targets without file", _drop("targets", "file"), ValueError, "InputData.targets lacks the columns file"),
    ("weights as text", _set("scheme", "weight", "40"), ValueError,
     "InputData.scheme: the columns weight must hold numbers"),
    ("actual as text", _set("targets", "actual", "100"), ValueError, "the columns actual must hold numbers"),
    ("period not YYYY-MM", _set("targets", "period", "2026-3"), ValueError,
     "InputData.targets: periods must be text YYYY-MM, as 2026-03; found '2026-3'"),
    ("period as a date", _set("ratings", "period", pd.Timestamp("2026-01-01")), ValueError,
     "InputData.ratings: periods must be text YYYY-MM"),
    ("settings as a dict", lambda data: setattr(data, "settings", {"excellent_from": 90}), TypeError,
     "InputData.settings must be kpi_engine.models.Settings, not dict"),
    ("targets as a list", lambda data: setattr(data, "targets", []), TypeError,
     "InputData.targets must be a pandas DataFrame, not list"),
]


@pytest.mark.parametrize(("case", "change", "error", "words"), BROKEN, ids=[c[0] for c in BROKEN])
def test_input_that_breaks_the_contract_is_refused_by_name(case, change, error, words):
    data = inputs(people_rows(), scheme_rows=scheme() + ASSISTANT, ratings=[rating("E1")])
    change(data)
    with pytest.raises(error) as caught:
        core.score(data)
    assert words in str(caught.value)


def test_something_other_than_input_data_is_refused():
    with pytest.raises(TypeError, match="score\\(\\) takes InputData, not list"):
        core.score([])
