"""A realistic, deterministic demo folder: one fictional sales department, 2026-01 … 2026-10.

``generate_sample(out_dir, seed)`` writes what an HR analyst would have collected by
the end of October: one target sheet per month (``targets_2026-01.xlsx`` …), the
assessment form (scheme, tiers, ratings, settings) and the training plan. Everything
comes from a numpy Generator seeded with ``seed`` — no clock — so the same seed gives
the same cells.

About 40 people in four teams (华东, 华南, 华北, 西南) and five roles. Performance is
drawn per person (ability: a couple of stars and strugglers) and month (a seasonal
effect: 春节 in February, the 618 push in June). A few imperfections that real sheets
have are planted on purpose (``IMPERFECTIONS``) so the demo's 问题 sheet shows the
readers at work; none of them makes more than a row unscorable.

Run ``python -m kpi_engine.sample OUT_DIR`` to write the sample folder elsewhere, or
``python sample_data/regenerate.py`` to rewrite the committed copies.
"""

from __future__ import annotations

import dataclasses
import sys
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from . import vocab
from .write.templates import (
    Column,
    Styles,
    check,
    new_workbook,
    setting_value,
    write_cell,
    write_table,
)

MONTHS: tuple[str, ...] = tuple(f"2026-{m:02d}" for m in range(1, 11))
TEAMS: tuple[str, ...] = ("华东", "华南", "华北", "西南")
ROLES: tuple[str, ...] = ("销售经理", "区域销售经理", "销售代表", "客户经理", "销售助理")

# People per team and role (40 in all).
STAFFING: dict[str, dict[str, int]] = {
    "华东": {"销售经理": 1, "区域销售经理": 1, "销售代表": 6, "客户经理": 2, "销售助理": 2},
    "华南": {"销售经理": 1, "区域销售经理": 1, "销售代表": 5, "客户经理": 2, "销售助理": 1},
    "华北": {"销售经理": 1, "区域销售经理": 1, "销售代表": 5, "客户经理": 2, "销售助理": 1},
    "西南": {"销售经理": 1, "区域销售经理": 1, "销售代表": 4, "客户经理": 1, "销售助理": 1},
}
# Market size of each region: money targets scale with it.
TEAM_SIZE: dict[str, float] = {"华东": 1.25, "华南": 1.1, "华北": 1.0, "西南": 0.8}
# Typical attainment of each team: 华东 leads, 华北 lags a little.
TEAM_FORM: dict[str, float] = {"华东": 0.96, "华南": 0.935, "华北": 0.92, "西南": 0.935}
# Targets follow the calendar (春节 in February, the 618 push in June, 国庆 in October) …
SEASON = np.array([0.95, 0.70, 1.00, 1.00, 1.05, 1.20, 0.95, 0.95, 1.10, 1.05])
# … and so do results, a little beyond what the targets foresaw.
MONTH_EFFECT = np.array([0.99, 0.93, 1.00, 1.01, 1.02, 1.05, 0.98, 0.97, 1.03, 1.00])

SURNAMES = tuple("王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶程苏魏吕丁任沈姚卢")
GIVEN = (
    "伟", "芳", "娜", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰", "娟", "涛", "明", "超",
    "秀英", "桂英", "建华", "志强", "晓东", "海燕", "雪梅", "国庆", "俊杰", "思远", "子涵", "欣怡",
    "宇轩", "梓萱", "浩然", "雨桐", "佳怡", "一鸣", "文博", "嘉欣", "天宇", "诗琪", "晨曦", "振华",
    "立新", "春燕", "丹丹", "婷婷", "鹏飞", "晓明", "红梅", "建军", "永刚",
)
DIRECTOR = "周建国"  # 销售总监: rates the four team managers (not scored here)
# IDs carried over from an acquired subsidiary: text with leading zeros (inputs.md 工号).
LEGACY_IDS: tuple[str, ...] = ("00123", "00145", "00208")


@dataclass(frozen=True, slots=True)
class Kpi:
    """One scheme row, with how the generator draws its monthly values."""

    role: str
    kpi: str
    category: str
    weight: float
    direction: str = "higher"
    method: str = "ratio"
    cap: float | None = None
    floor: float | None = None
    tier_table: str = ""
    points_per_unit: float | None = None
    step: float | None = None
    aggregation: str = ""  # "" leaves the default (平均 for %, 合计 otherwise)
    source: str = ""  # "" is 本人; "团队:销售额", "培训"
    unit: str = ""
    gen: str = ""  # money | count | pct | pct_lower | defects | points | "" (no own rows)
    base: float = 0.0  # money/count: monthly target; pct/points: the target; defects: λ


SCHEME: tuple[Kpi, ...] = (
    Kpi("销售经理", "团队销售额", "销售业绩", 35, source="团队:销售额", unit="元", gen="team_target"),
    Kpi("销售经理", "团队新客户数", "销售业绩", 10, method="tiers", tier_table="标准", source="团队:新客户数", unit="个"),
    Kpi("销售经理", "回款率", "销售业绩", 15, unit="%", gen="pct", base=0.90),
    Kpi("销售经理", "费用率", "销售业绩", 10, direction="lower", unit="%", gen="pct_lower", base=0.06),
    Kpi("销售经理", "客户投诉", "专业技能", 10, direction="lower", method="deduction", points_per_unit=2, step=1, unit="次", gen="defects", base=0.08),
    Kpi("销售经理", "团队管理", "团队协作", 15, method="rating"),
    Kpi("销售经理", "培训参与率", "个人发展", 5, source="培训", unit="%"),
    Kpi("区域销售经理", "销售额", "销售业绩", 35, cap=1.3, unit="元", gen="money", base=800_000),
    Kpi("区域销售经理", "新客户数", "销售业绩", 15, method="tiers", tier_table="标准", unit="个", gen="count", base=10),
    Kpi("区域销售经理", "回款率", "销售业绩", 15, floor=0.8, unit="%", gen="pct", base=0.90),
    Kpi("区域销售经理", "毛利率", "销售业绩", 10, unit="%", gen="pct", base=0.25),
    Kpi("区域销售经理", "客户投诉", "专业技能", 10, direction="lower", method="deduction", points_per_unit=2, step=1, unit="次", gen="defects", base=0.1),
    Kpi("区域销售经理", "团队协作", "团队协作", 10, method="rating"),
    Kpi("区域销售经理", "培训参与率", "个人发展", 5, source="培训", unit="%"),
    # 销售代表 is scoring.md's worked scheme (40/20/15/10/10/5).
    Kpi("销售代表", "销售额", "销售业绩", 40, unit="元", gen="money", base=500_000),
    Kpi("销售代表", "新客户数", "销售业绩", 20, method="tiers", tier_table="标准", unit="个", gen="count", base=8),
    Kpi("销售代表", "费用率", "销售业绩", 15, direction="lower", unit="%", gen="pct_lower", base=0.05),
    Kpi("销售代表", "客户投诉", "专业技能", 10, direction="lower", method="deduction", points_per_unit=2, step=1, unit="次", gen="defects", base=0.12),
    Kpi("销售代表", "核心客户保有率", "销售业绩", 10, method="deduction", points_per_unit=2, step=0.01, unit="%", gen="pct", base=0.95),
    Kpi("销售代表", "团队协作", "团队协作", 5, method="rating"),
    Kpi("客户经理", "核心客户保有率", "销售业绩", 25, method="deduction", points_per_unit=2, step=0.01, unit="%", gen="pct", base=0.95),
    Kpi("客户经理", "续约额", "销售业绩", 20, unit="元", gen="money", base=300_000),
    Kpi("客户经理", "回款率", "销售业绩", 20, unit="%", gen="pct", base=0.92),
    Kpi("客户经理", "客户满意度", "专业技能", 15, aggregation="平均", unit="分", gen="points", base=90),
    Kpi("客户经理", "客户投诉", "专业技能", 10, direction="lower", method="deduction", points_per_unit=2, step=1, unit="次", gen="defects", base=0.1),
    Kpi("客户经理", "专业能力", "专业技能", 5, method="rating"),
    Kpi("客户经理", "培训参与率", "个人发展", 5, source="培训", unit="%"),
    Kpi("销售助理", "订单处理及时率", "销售业绩", 30, cap=1.05, unit="%", gen="pct", base=0.95),
    Kpi("销售助理", "单据差错数", "专业技能", 20, direction="lower", method="deduction", points_per_unit=2, step=1, unit="件", gen="defects", base=0.2),
    Kpi("销售助理", "合同归档及时率", "销售业绩", 15, method="tiers", tier_table="宽松", unit="%", gen="pct", base=0.98),
    Kpi("销售助理", "服务态度", "团队协作", 15, method="rating"),
    Kpi("销售助理", "业务知识", "专业技能", 10, method="rating"),
    Kpi("销售助理", "培训参与率", "个人发展", 10, source="培训", unit="%"),
)

TIER_TABLES: tuple[tuple[str, float, float], ...] = (
    ("标准", 1.2, 1.2), ("标准", 1.0, 1.0), ("标准", 0.9, 0.8), ("标准", 0.8, 0.6), ("标准", 0.0, 0.0),
    ("宽松", 1.0, 1.0), ("宽松", 0.95, 0.9), ("宽松", 0.85, 0.7), ("宽松", 0.0, 0.0),
)

# The settings this department changed from the defaults; every other key is written
# with its default, as the template lists it.
SETTINGS_CHANGED: dict[str, Any] = {"excellent_max_share": 0.4, "forced_distribution": "20/70/10",
                                    "calibration_mode": "按排名"}

# (id, course, category, planned hours, mandatory, roles, session dates by team group)
COURSES: tuple[tuple[str, str, str, float, bool, tuple[str, ...], tuple[date, ...]], ...] = (
    ("C01", "新品知识培训", "产品知识", 8, True, ROLES, (date(2026, 1, 15), date(2026, 1, 22))),
    ("C02", "CRM系统操作", "产品知识", 3, True, ROLES, (date(2026, 2, 25), date(2026, 3, 4))),
    ("C03", "顾问式销售技巧", "销售技巧", 6, False, ("区域销售经理", "销售代表"), (date(2026, 3, 12), date(2026, 3, 26))),
    ("C04", "团队管理与辅导", "团队管理", 8, True, ("销售经理", "区域销售经理"), (date(2026, 4, 16),)),
    ("C05", "大客户谈判", "销售技巧", 4, False, ("销售经理", "区域销售经理", "客户经理"), (date(2026, 5, 14),)),
    ("C06", "合规与风控", "合规", 2, True, ROLES, (date(2026, 6, 10),)),
    ("C07", "客户服务礼仪", "服务技能", 4, False, ("客户经理", "销售助理"), (date(2026, 7, 9),)),
    ("C08", "回款管理实务", "财务知识", 3, False, ("区域销售经理", "销售代表", "客户经理"), (date(2026, 8, 20), date(2026, 9, 17))),
)

TARGET_HEADERS = [f.zh for f in vocab.TARGETS.fields]
# Period as written in each month's file: HR teams are not consistent (inputs.md 期间).
PERIOD_STYLE: dict[str, str] = {"2026-03": "年月", "2026-04": "date", "2026-05": "slash"}

# What is planted on purpose, and where (checked by tests/test_sample_data.py).
IMPERFECTIONS: dict[str, str] = {
    "thousands": "2026-06: an actual typed as text with thousands separators (\"1,250,000\")",
    "title_row": "2026-03: a title row 2026年3月销售目标 above the header",
    "total_row": "2026-04: a 合计 row under the table (no 工号)",
    "blank_actual": "2026-05: one 销售额 actual left blank, 备注 says why",
    "sheet_name": "2026-05: the sheet is named 5月目标, found by its header",
    "wan": "2026-06: a target typed as text in 万 (\"52万\")",
    "fullwidth": "2026-06: a count typed with full-width digits (\"１２\")",
    "percent_text": "2026-07: percentages typed as text (\"93.5%\")",
    "duplicate": "2026-08: one row pasted twice, identical",
    "tbd": "2026-09: an actual written 待定 (not a number: that row is rejected)",
    "transfer": "2026-07: a 客户经理 moves from 华北 to 华东",
    "joiner_leaver": "a 销售代表 joins in 2026-04; another leaves after 2026-08 (人员 has their dates)",
}

# 绩效工资基数 by role (元 per period), before each person's own step.
PAY_BASE: dict[str, int] = {"销售经理": 9000, "区域销售经理": 7000, "销售代表": 4000, "客户经理": 5000, "销售助理": 2500}


# --- people --------------------------------------------------------------------------


def make_people(rng: np.random.Generator) -> pd.DataFrame:
    """The department: one row per person, with ability and the months they are here."""
    rows = []
    for team, roles in STAFFING.items():
        for role in ROLES:
            rows += [{"team": team, "role": role} for _ in range(roles[role])]
    people = pd.DataFrame(rows)
    n = len(people)
    people["person"] = range(n)  # display order: team, then role, as HR lists them
    people["employee_id"] = [f"E{i + 1:04d}" for i in range(n)]
    legacy = rng.choice(np.flatnonzero(people["role"] != "销售经理"), size=len(LEGACY_IDS), replace=False)
    people.loc[np.sort(legacy), "employee_id"] = LEGACY_IDS
    people["name"] = _names(rng, n)
    # Ability: the team's form plus a personal spread centred within the team, so the
    # teams differ by design (华东 strongest) and not by the luck of a few draws.
    spread = rng.normal(0, 0.055, n)
    spread -= pd.Series(spread).groupby(people["team"]).transform("mean").to_numpy()
    ability = people["team"].map(TEAM_FORM).to_numpy() + spread
    # Two stars and two strugglers among the people with sales targets.
    sellers = np.flatnonzero(people["role"].isin(["销售代表", "区域销售经理"]).to_numpy())
    picks = rng.choice(sellers, size=4, replace=False)
    ability[picks] = (1.20, 1.15, 0.80, 0.84)
    people["ability"] = ability.round(3)
    people["first"], people["last"] = 0, len(MONTHS) - 1
    reps = {t: np.flatnonzero(((people["team"] == t) & (people["role"] == "销售代表")).to_numpy())
            for t in TEAMS}
    people.loc[reps["华南"][-1], "first"] = MONTHS.index("2026-04")  # a new hire
    people.loc[reps["华北"][-1], "last"] = MONTHS.index("2026-08")  # left after August
    people["moves_to"] = ""
    mover = np.flatnonzero(((people["team"] == "华北") & (people["role"] == "客户经理")).to_numpy())[0]
    people.loc[mover, "moves_to"] = "华东"
    return people


def _names(rng: np.random.Generator, n: int) -> list[str]:
    """n distinct Chinese names from the surname and given-name lists."""
    names: list[str] = []
    while len(names) < n:
        name = str(rng.choice(list(SURNAMES))) + str(rng.choice(list(GIVEN)))
        if name not in names:
            names.append(name)
    return names


MOVE_MONTH = MONTHS.index("2026-07")


def person_months(people: pd.DataFrame) -> pd.DataFrame:
    """One row per person × month they are employed, with that month's team."""
    pm = people.merge(pd.DataFrame({"m": range(len(MONTHS))}), how="cross")
    pm = pm[(pm["m"] >= pm["first"]) & (pm["m"] <= pm["last"])].copy()
    moved = (pm["moves_to"] != "") & (pm["m"] >= MOVE_MONTH)
    pm.loc[moved, "team"] = pm.loc[moved, "moves_to"]
    pm["period"] = np.array(MONTHS)[pm["m"].to_numpy()]
    return pm.reset_index(drop=True)


# --- targets and actuals ---------------------------------------------------------------


def make_targets(people: pd.DataFrame, rng: np.random.Generator) -> pd.DataFrame:
    """Every own-source KPI row: person × month × KPI with target and actual drawn."""
    pm = person_months(people)
    # Monthly form: ability, the month's mood, and a person-month wobble.
    pm["perf"] = (pm["ability"] * MONTH_EFFECT[pm["m"].to_numpy()]
                  * np.exp(rng.normal(0, 0.06, len(pm))))
    # A territory factor per person: some patches are bigger than others.
    territory = dict(zip(people["employee_id"], rng.normal(1.0, 0.12, len(people)).clip(0.75, 1.3)))
    scheme = _scheme_frame()
    own = scheme["gen"].isin(["money", "count", "pct", "pct_lower", "defects", "points"])
    rows = pm.merge(scheme[own], on="role")
    rows = rows.sort_values(["m", "person", "order"], kind="stable").reset_index(drop=True)
    n = len(rows)
    m = rows["m"].to_numpy()
    perf = rows["perf"].to_numpy()
    base = rows["base"].to_numpy(dtype=float)
    gen = rows["gen"].to_numpy()
    size = rows["team"].map(TEAM_SIZE).to_numpy() * rows["employee_id"].map(territory).to_numpy()
    noise = rng.normal(0, 1, n)
    target = np.full(n, np.nan)
    actual = np.full(n, np.nan)

    money = gen == "money"
    target[money] = np.round(base[money] * size[money] * SEASON[m[money]], -4)
    actual[money] = np.round(target[money] * perf[money] * np.exp(0.05 * noise[money]), -2)

    count = gen == "count"
    target[count] = np.maximum(3, np.round(base[count] * SEASON[m[count]]))
    actual[count] = rng.poisson(target[count] * perf[count])

    pct = gen == "pct"
    ceiling = np.where(base >= 0.9, 1.0, 0.6)  # a rate near 100% cannot pass it
    target[pct] = base[pct]
    # Rates move less than sales: a 10% weaker month costs a few points of 回款率.
    actual[pct] = np.clip(base[pct] * (1 + 0.3 * (perf[pct] - 1) + 0.015 * noise[pct]),
                          0.5 * base[pct], ceiling[pct]).round(3)

    lower = gen == "pct_lower"
    target[lower] = base[lower]
    actual[lower] = np.clip(base[lower] * (1 - 0.8 * (perf[lower] - 1) + 0.07 * noise[lower]),
                            0.01, None).round(3)

    defects = gen == "defects"
    target[defects] = 0
    actual[defects] = rng.poisson(base[defects] / np.clip(perf[defects], 0.5, None) ** 2)

    points = gen == "points"
    target[points] = base[points]
    actual[points] = np.clip(np.round(base[points] * (1 + 0.4 * (perf[points] - 1)) + 2.5 * noise[points]),
                             60, 100)

    rows["target"], rows["actual"] = target, actual
    team_rows = _team_targets(rows, pm, scheme)
    out = pd.concat([rows, team_rows], ignore_index=True)
    out["note"] = ""
    # HR lists each month by team, then role; a person who moved appears in the new team.
    out["team_order"] = out["team"].map({t: i for i, t in enumerate(TEAMS)})
    out = out.sort_values(["m", "team_order", "role_order", "person", "order"], kind="stable")
    return out.reset_index(drop=True)[
        ["employee_id", "name", "team", "role", "period", "m", "kpi", "target", "actual",
         "unit", "note", "order", "role_order"]]


def _team_targets(rows: pd.DataFrame, pm: pd.DataFrame, scheme: pd.DataFrame) -> pd.DataFrame:
    """A manager's 团队销售额 row: the company's target for the team, actual left blank.

    The target is a 3% stretch on the sum of the members' 销售额 targets; the actual
    comes from the team (scoring.md, sources), so HR leaves it blank.
    """
    sales = rows[rows["kpi"] == "销售额"].groupby(["m", "team"], as_index=False)["target"].sum()
    kpi = scheme[scheme["gen"] == "team_target"]
    managers = pm[pm["role"].isin(kpi["role"])].merge(kpi, on="role").merge(sales, on=["m", "team"])
    managers["target"] = np.round(managers["target"] * 1.03, -4)
    managers["actual"] = np.nan
    return managers


def _scheme_frame() -> pd.DataFrame:
    df = pd.DataFrame([dataclasses.asdict(k) for k in SCHEME])
    df["order"] = df.groupby("role").cumcount()
    df["role_order"] = df["role"].map({r: i for i, r in enumerate(ROLES)})
    return df


# --- ratings and training ----------------------------------------------------------------

RATING_STEPS = np.array([0.95, 0.78, 0.6, 0.45])  # latent ≥ step → 好, 较好, 中, 较差; else 差
RATING_LADDER = np.array(["好", "较好", "中", "较差", "差"])


def make_ratings(people: pd.DataFrame, rng: np.random.Generator) -> pd.DataFrame:
    """360° ratings of every 等级 KPI, each month: 上级, one or two 同事, and 自评."""
    pm = person_months(people)
    rated = _scheme_frame().query("method == 'rating'")[["role", "kpi", "order"]]
    base = pm.merge(rated, on="role")
    managers = pm[pm["role"] == "销售经理"].set_index(["m", "team"])["name"]
    key = pd.MultiIndex.from_arrays([base["m"], base["team"]])
    boss = managers.reindex(key).to_numpy()
    boss = np.where(base["role"].to_numpy() == "销售经理", DIRECTOR, boss)

    parts = []
    # 上级: always. 同事: one, and a second one two times in three. 自评: nine in ten.
    for rater_type, share in (("上级", 1.0), ("同事", 1.0), ("同事", 0.66), ("自评", 0.9)):
        keep = rng.random(len(base)) < share
        part = base[keep].copy()
        part["rater_type"] = rater_type
        if rater_type == "上级":
            part["rater"] = boss[keep]
        elif rater_type == "自评":
            part["rater"] = part["name"]
        else:
            part["rater"] = _peers(part, pm, rng)
        bias = {"上级": 0.0, "同事": 0.02, "自评": 0.08}[rater_type]
        part["latent"] = 0.8 * part["ability"] + bias + rng.normal(0, 0.09, len(part))
        parts.append(part)
    ratings = pd.concat(parts, ignore_index=True)
    ratings = ratings.drop_duplicates(["employee_id", "m", "kpi", "rater_type", "rater"])
    latent = ratings["latent"].to_numpy()
    words = RATING_LADDER[np.searchsorted(-RATING_STEPS, -latent, side="right")]
    # Some managers score in points out of 100 instead of words (inputs.md 评分).
    as_points = (ratings["rater_type"].to_numpy() == "上级") & (rng.random(len(ratings)) < 0.12)
    points = np.clip(np.round(latent * 100), 40, 100).astype(int)
    ratings["rating"] = pd.Series(words, index=ratings.index, dtype=object)
    ratings.loc[as_points, "rating"] = points[as_points]
    type_order = {"上级": 0, "同事": 1, "自评": 2}
    ratings["type_order"] = ratings["rater_type"].map(type_order)
    ratings = ratings.sort_values(["m", "person", "order", "type_order", "rater"], kind="stable")
    return ratings.reset_index(drop=True)[
        ["employee_id", "name", "period", "kpi", "rater_type", "rater", "rating"]]


def _peers(part: pd.DataFrame, pm: pd.DataFrame, rng: np.random.Generator) -> np.ndarray:
    """A colleague of the same team that month (managers are rated by other managers)."""
    pool = pm.assign(group=np.where(pm["role"] == "销售经理", "经理", pm["team"]))
    part_group = np.where(part["role"] == "销售经理", "经理", part["team"])
    out = np.empty(len(part), dtype=object)
    grouped = {k: g["name"].to_numpy() for k, g in pool.groupby(["m", "group"])}
    pick = rng.random(len(part))
    for i, (m, group, me) in enumerate(zip(part["m"], part_group, part["name"])):
        names = grouped[(m, group)]
        names = names[names != me]
        out[i] = names[int(pick[i] * len(names))]
    return out


def make_training(people: pd.DataFrame, rng: np.random.Generator) -> pd.DataFrame:
    """Sessions of the eight courses, each trainee once per course, with tests and satisfaction."""
    pm = person_months(people)
    parts = []
    for cid, course, category, hours, mandatory, roles, dates in COURSES:
        for s, day in enumerate(dates):
            m = MONTHS.index(f"{day:%Y-%m}")
            here = pm[(pm["m"] == m) & pm["role"].isin(roles)]
            # Two sessions: the eastern teams go to the first, the others to the second.
            if len(dates) == 2:
                here = here[here["team"].isin(TEAMS[:2]) == (s == 0)]
            part = here[["employee_id", "name", "team", "person", "ability"]].copy()
            part["course_id"], part["course"], part["category"] = cid, course, category
            part["date"], part["planned_hours"], part["mandatory"] = day, float(hours), mandatory
            parts.append(part)
    t = pd.concat(parts, ignore_index=True)
    n = len(t)
    u = rng.random(n)
    absent = u < (0.05 + 0.08 * ~t["mandatory"].to_numpy())
    partial = (~absent) & (rng.random(n) < 0.12)
    attended = t["planned_hours"].to_numpy().copy()
    attended[partial] = np.maximum(1, attended[partial] - rng.integers(1, 3, n)[partial])
    attended[absent] = np.nan
    # A couple of absences are written as 0 rather than left blank.
    attended[absent & (rng.random(n) < 0.25)] = 0
    pre = np.clip(np.round(rng.normal(62, 10, n) + 20 * (t["ability"].to_numpy() - 1)), 30, 95)
    post = np.clip(pre + np.round(rng.normal(14, 6, n) * (attended / t["planned_hours"].to_numpy())), 0, 100)
    sat = rng.choice([3, 4, 5], size=n, p=[0.15, 0.45, 0.40]).astype(float)
    no_test = absent | (rng.random(n) < 0.05)
    pre[no_test], post[no_test] = np.nan, np.nan
    sat[absent | (rng.random(n) < 0.08)] = np.nan
    t["attended_hours"], t["pre"], t["post"], t["satisfaction"] = attended, pre, post, sat
    t = t.sort_values(["date", "course_id", "person"], kind="stable").reset_index(drop=True)
    return t[["course_id", "course", "category", "date", "planned_hours", "employee_id", "name",
              "attended_hours", "pre", "post", "satisfaction", "mandatory"]]


# --- imperfections -------------------------------------------------------------------------


def plant_imperfections(targets: pd.DataFrame, rng: np.random.Generator) -> pd.DataFrame:
    """The sheet as HR would receive it: values as typed (text where a person typed text)."""
    t = targets.copy()
    t["target"] = t["target"].astype(object)
    t["actual"] = t["actual"].astype(object)

    def first(period: str, kpi: str, role: str = "", nth: int = 0) -> int:
        hit = (t["period"] == period) & (t["kpi"] == kpi)
        if role:
            hit &= t["role"] == role
        return int(np.flatnonzero(hit.to_numpy())[nth])

    june_sales = t[(t["period"] == "2026-06") & (t["kpi"] == "销售额")]
    i = int(june_sales["actual"].astype(float).idxmax())  # the month's best: seven digits
    t.at[i, "actual"] = f"{int(t.at[i, 'actual']):,}"
    i = first("2026-05", "销售额", "销售代表", 2)
    t.at[i, "actual"] = None
    t.at[i, "note"] = "数据待财务确认"
    i = first("2026-06", "销售额", "销售代表", 1)
    t.at[i, "target"] = f"{t.at[i, 'target'] / 10_000:g}万"
    counts = t[(t["period"] == "2026-06") & (t["kpi"] == "新客户数")]
    i = int(counts["actual"].astype(float).idxmax())  # two digits, so both turn full-width
    t.at[i, "actual"] = str(int(t.at[i, "actual"])).translate(_FULL_WIDTH)
    july_pct = ((t["period"] == "2026-07") & (t["unit"] == "%")).to_numpy()
    for col in ("target", "actual"):
        t.loc[july_pct, col] = [f"{v * 100:.1f}".rstrip("0").rstrip(".") + "%" for v in t.loc[july_pct, col]]
    i = first("2026-09", "销售额", "销售代表", 4)
    t.at[i, "actual"] = "待定"
    t.at[i, "note"] = "客户尚未签回"
    # Notes a team lead writes.
    for period, kpi, nth, note in (("2026-02", "销售额", 0, "春节假期"), ("2026-06", "销售额", 5, "618 大单"),
                                   ("2026-09", "新客户数", 2, "新开拓成都市场")):
        t.at[first(period, kpi, "销售代表", nth), "note"] = note
    for i in np.flatnonzero(((t["period"] == "2026-07") & (t["team"] == "华东")
                             & (t["employee_id"].isin(_movers(t)))).to_numpy()):
        t.at[i, "note"] = "7月起调入华东"
    i = first("2026-08", "回款率", "客户经理", 1)
    t = pd.concat([t.iloc[: i + 1], t.iloc[[i]], t.iloc[i + 1:]], ignore_index=True)
    return t


_FULL_WIDTH = str.maketrans("0123456789", "０１２３４５６７８９")


def _movers(t: pd.DataFrame) -> list[str]:
    teams = t.groupby("employee_id")["team"].nunique()
    return list(teams[teams > 1].index)


# --- writing -----------------------------------------------------------------------------------


def write_targets(path: Path, period: str, rows: pd.DataFrame) -> Path:
    wb = new_workbook(path, f"{period} 目标管理表", "kpi-engine sample data")
    styles = Styles(wb)
    sheet = "5月目标" if period == "2026-05" else vocab.TARGETS.zh
    ws = wb.add_worksheet(sheet)
    style = PERIOD_STYLE.get(period, "text")
    year, month = int(period[:4]), int(period[5:])
    shown_period: Any = {"年月": f"{year}年{month}月", "slash": f"{year}/{month}",
                         "date": datetime(year, month, 1)}.get(style, period)
    columns = [Column(f.zh, f.required, "text" if f.key in ("employee_id", "period") else "general")
               for f in vocab.TARGETS.fields if f.key != "base"]  # 基数: on 人员 (staff.xlsx)
    values, kinds = [], []
    for r in rows.itertuples(index=False):
        values.append([r.employee_id, r.name, r.team, r.role, shown_period, r.kpi,
                       _cell(r.target), _cell(r.actual), r.unit, r.note])
        number_kind = "percent1" if r.unit == "%" else "money" if r.unit == "元" else "general"
        kinds.append([None, None, None, None, "month" if style == "date" else None, None,
                      number_kind, number_kind, None, None])
    first_row = 0
    if period == "2026-03":
        title = styles.get(bold=True, size=14)
        check(ws.merge_range(0, 0, 0, len(columns) - 1, f"{year}年{month}月销售目标", title),
              "merge the title row")
        first_row = 2
    end = write_table(ws, styles, columns, values, first_row=first_row, cell_kinds=kinds)
    if period == "2026-04":
        sales = rows[rows["kpi"] == "销售额"]
        total_fmt = styles.get("money", bold=True)
        write_cell(ws, end, 1, "合计", styles.get(bold=True))
        write_cell(ws, end, 5, "销售额", styles.get(bold=True))
        write_cell(ws, end, 6, float(sales["target"].sum()), total_fmt)
        write_cell(ws, end, 7, float(sales["actual"].sum()), total_fmt)
    check(ws.autofilter(first_row, 0, first_row + len(values), len(columns) - 1), "add the autofilter")
    wb.close()
    return path


def _cell(value: Any) -> Any:
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return None
    if isinstance(value, (np.integer, np.floating)):
        value = value.item()
    if isinstance(value, float) and value.is_integer() and abs(value) >= 1:
        return int(value)
    return value


def write_assessment_form(path: Path, ratings: pd.DataFrame) -> Path:
    wb = new_workbook(path, "考核表", "kpi-engine sample data")
    styles = Styles(wb)
    scheme = _scheme_frame()
    # The optional accelerator columns stay off: this department does not use them.
    fields = [f for f in vocab.SCHEME.fields if f.key not in ("accel_from", "accel_by")]
    columns = [Column(f.zh, f.required, "percent" if f.key in ("cap", "floor") else "general") for f in fields]
    values, kinds = [], []
    for k in scheme.itertuples(index=False):
        row = {
            "role": k.role, "kpi": k.kpi, "category": k.category, "weight": k.weight,
            "direction": vocab.word(vocab.DIRECTIONS, k.direction, "zh"),
            "method": vocab.word(vocab.METHODS, k.method, "zh"),
            "cap": k.cap, "floor": k.floor, "tier_table": k.tier_table,
            "points_per_unit": k.points_per_unit, "step": k.step,
            "aggregation": k.aggregation,
            "source": k.source or vocab.word(vocab.SOURCES, "own", "zh"), "unit": k.unit,
        }
        values.append([_cell(row[f.key]) for f in fields])
        kinds.append(["percent" if f.key == "step" and k.unit == "%" else None for f in fields])
    write_table(wb.add_worksheet(vocab.SCHEME.zh), styles, columns, values, cell_kinds=kinds)

    tier_cols = [Column(f.zh, True, "general" if f.key == "table" else "percent")
                 for f in vocab.TIERS.fields if f.key != "curve"]  # every table here is steps
    write_table(wb.add_worksheet(vocab.TIERS.zh), styles, tier_cols, [list(t) for t in TIER_TABLES])

    rating_cols = [Column(f.zh, f.required, "text" if f.key in ("employee_id", "period") else "general")
                   for f in vocab.RATINGS.fields]
    rating_rows = ratings[["employee_id", "period", "kpi", "rater_type", "rater", "rating"]]
    write_table(wb.add_worksheet(vocab.RATINGS.zh), styles, rating_cols,
                [[_cell(v) for v in r] for r in rating_rows.itertuples(index=False)])

    settings_cols = [Column(f.zh, True) for f in vocab.SETTINGS.fields]
    setting_rows, setting_kinds = [], []
    for key, (zh, _en) in vocab.SETTING_KEYS.items():
        value = SETTINGS_CHANGED.get(key, setting_value(key, "zh"))
        setting_rows.append([zh, value])
        percent = isinstance(value, float) and key not in ("excellent_from", "good_from", "pass_from",
                                                           *vocab.GRADE_COEFFICIENTS.values())
        setting_kinds.append([None, "percent" if percent else None])
    write_table(wb.add_worksheet(vocab.SETTINGS.zh), styles, settings_cols, setting_rows,
                cell_kinds=setting_kinds)
    wb.close()
    return path


def write_training_plan(path: Path, training: pd.DataFrame) -> Path:
    wb = new_workbook(path, "培训计划表", "kpi-engine sample data")
    styles = Styles(wb)
    kinds = {"date": "date", "employee_id": "text", "course_id": "text"}
    columns = [Column(f.zh, f.required, kinds.get(f.key, "general")) for f in vocab.TRAINING.fields]
    yes, no = vocab.word(vocab.YES_NO, True, "zh"), vocab.word(vocab.YES_NO, False, "zh")
    rows = []
    for r in training.itertuples(index=False):
        rows.append([r.course_id, r.course, r.category, r.date, _cell(r.planned_hours), r.employee_id,
                     r.name, _cell(r.attended_hours), _cell(r.pre), _cell(r.post),
                     _cell(r.satisfaction), yes if r.mandatory else no])
    write_table(wb.add_worksheet(vocab.TRAINING.zh), styles, columns, rows)
    wb.close()
    return path


def make_staff(people: pd.DataFrame, rng: np.random.Generator) -> pd.DataFrame:
    """人员: joining dates (the joiner's in April 2026, everyone else's years before), the
    leaver's leaving date at the end of August, and a 绩效工资基数 per person."""
    n = len(people)
    days = rng.integers(0, 8 * 365, n)  # joined between 2017 and 2025
    joined = [date(2017, 3, 1) + pd.Timedelta(days=int(d)) for d in days]
    left: list[date | None] = [None] * n
    for i, (first, last) in enumerate(zip(people["first"], people["last"])):
        if first > 0:
            year, month = map(int, MONTHS[first].split("-"))
            joined[i] = date(year, month, 7)
        if last < len(MONTHS) - 1:
            year, month = map(int, MONTHS[last].split("-"))
            left[i] = (pd.Timestamp(year, month, 1) + pd.offsets.MonthEnd(0)).date()
    step = rng.integers(0, 5, n) * 250  # seniority within the role
    base = people["role"].map(PAY_BASE).to_numpy() + step
    # The team after a move (人员 lists where a person is now).
    team = people["moves_to"].where(people["moves_to"] != "", people["team"])
    return pd.DataFrame({"employee_id": people["employee_id"], "name": people["name"], "team": team,
                         "role": people["role"], "joined": joined, "left": left, "base": base})


def write_staff(path: Path, staff: pd.DataFrame) -> Path:
    wb = new_workbook(path, "人员", "kpi-engine sample data")
    styles = Styles(wb)
    kinds = {"employee_id": "text", "joined": "date", "left": "date", "base": "money"}
    columns = [Column(f.zh, f.required, kinds.get(f.key, "general")) for f in vocab.STAFF.fields]
    rows = [[r.employee_id, r.name, r.team, r.role, r.joined, r.left, _cell(r.base)]
            for r in staff.itertuples(index=False)]
    write_table(wb.add_worksheet(vocab.STAFF.zh), styles, columns, rows)
    wb.close()
    return path


def build(seed: int = 2026) -> dict[str, pd.DataFrame]:
    """The sample as frames (people, targets as typed, ratings, training), before writing."""
    rng = np.random.default_rng(seed)
    people = make_people(rng)
    targets = make_targets(people, rng)
    ratings = make_ratings(people, rng)
    training = make_training(people, rng)
    typed = plant_imperfections(targets, rng)
    staff = make_staff(people, rng)
    return {"people": people, "targets": targets, "typed": typed, "ratings": ratings, "training": training,
            "staff": staff}


def generate_sample(out_dir: Path, seed: int = 2026) -> list[Path]:
    """Write the sample folder: targets_2026-01 … 10, assessment_form, training_plan, staff."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    frames = build(seed)
    typed = frames["typed"]
    paths = [write_targets(out_dir / f"targets_{p}.xlsx", p, typed[typed["period"] == p]) for p in MONTHS]
    paths.append(write_assessment_form(out_dir / "assessment_form.xlsx", frames["ratings"]))
    paths.append(write_training_plan(out_dir / "training_plan.xlsx", frames["training"]))
    paths.append(write_staff(out_dir / "staff.xlsx", frames["staff"]))
    return paths


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if len(args) not in (1, 2):
        print("usage: python -m kpi_engine.sample OUT_DIR [SEED]", file=sys.stderr)
        return 2
    seed = int(args[1]) if len(args) == 2 else 2026
    for p in generate_sample(Path(args[0]), seed):
        print(p)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
