"""Time core.score on a large in-memory input: 5,000 people × 15 KPIs × 12 months.

    python bench/core_speed.py [people] [months]

Builds InputData directly (no Excel): 900,000 target rows (13 own KPIs of every method,
a 团队 and a 培训 KPI), 5,000 × 12 × 3 ratings of a 等级 KPI and a training sheet, with
5 % of actuals blank.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run from a checkout, uninstalled

from kpi_engine import core  # noqa: E402
from kpi_engine import data as d  # noqa: E402
from kpi_engine.data import InputData  # noqa: E402
from kpi_engine.models import Settings  # noqa: E402


def build(people: int = 5000, months: int = 12, seed: int = 1) -> InputData:
    rng = np.random.default_rng(seed)
    own = [("K%02d" % i, "ratio", "higher") for i in range(9)] + [
        ("TIER", "tiers", "higher"), ("COST", "ratio", "lower"), ("DED", "deduction", "lower"),
        ("PCT", "ratio", "higher"),
    ]
    rows = [dict(kpi=k, weight=5.0, method=m, direction=dr) for k, m, dr in own]  # 13 × 5
    rows += [dict(kpi="RATE", weight=10.0, method="rating"),
             dict(kpi="TEAM", weight=10.0, source="team", source_kpi="K00"),
             dict(kpi="TRAIN", weight=15.0, source="training", is_percent=True)]
    scheme = pd.DataFrame(rows).assign(role="rep", order=range(len(rows)))
    scheme.loc[scheme["kpi"] == "TIER", "tier_table"] = "std"
    scheme.loc[scheme["kpi"] == "DED", "points_per_unit"] = 1.0
    scheme.loc[scheme["kpi"] == "PCT", "is_percent"] = True
    tiers = pd.DataFrame({"table": "std", "from_r": [0.0, 0.8, 0.9, 1.0, 1.2], "fraction": [0, 0.6, 0.8, 1.0, 1.2]})

    periods = [f"2025-{m:02d}" for m in range(1, months + 1)]
    emp = np.array([f"E{i:05d}" for i in range(people)])
    team = np.array([f"T{i // 10:03d}" for i in range(people)])
    target_kpis = [k for k, *_ in own] + ["TEAM", "TRAIN"]
    n = people * len(target_kpis) * len(periods)
    e_idx = np.repeat(np.arange(people), len(target_kpis) * len(periods))
    k_idx = np.tile(np.repeat(np.arange(len(target_kpis)), len(periods)), people)
    p_idx = np.tile(np.arange(len(periods)), people * len(target_kpis))
    kpi = np.array(target_kpis)[k_idx]
    t = rng.uniform(50, 150, n)
    a = t * rng.uniform(0.5, 1.4, n)
    a[rng.random(n) < 0.05] = np.nan
    other_source = np.isin(kpi, ["TEAM", "TRAIN"])
    t[other_source] = np.nan
    a[other_source] = np.nan
    targets = d.frame(d.TARGET_COLUMNS, {
        "employee_id": emp[e_idx], "name": emp[e_idx], "team": team[e_idx], "role": "rep",
        "period": np.array(periods)[p_idx], "kpi": kpi, "target": t, "actual": a,
        "file": "t.xlsx", "sheet": "目标管理", "row": np.arange(n) + 2,
    })
    r_e = np.repeat(np.arange(people), len(periods) * 3)
    ratings = d.frame(d.RATING_COLUMNS, {
        "employee_id": emp[r_e], "period": np.tile(np.repeat(periods, 3), people), "kpi": "RATE",
        "rater_type": np.tile(["manager", "peer", "self"], people * len(periods)),
        "rating": rng.choice([0.2, 0.4, 0.6, 0.8, 1.0], len(r_e)), "file": "f.xlsx", "sheet": "评分",
        "row": np.arange(len(r_e)) + 2,
    })
    s_e = np.repeat(np.arange(people), 4)
    training = d.frame(d.TRAINING_COLUMNS, {
        "course_id": np.tile(["C1", "C2", "C3", "C4"], people), "course": "course", "category": "",
        "date": pd.Timestamp("2025-03-01"), "period": np.tile(periods[:4], people),
        "planned_hours": 8.0, "employee_id": emp[s_e], "name": "",
        "attended_hours": rng.choice([0.0, 4.0, 8.0], len(s_e)), "pre": rng.uniform(30, 90, len(s_e)),
        "post": rng.uniform(40, 100, len(s_e)), "satisfaction": 4.0, "mandatory": True,
        "file": "tr.xlsx", "sheet": "培训记录", "row": np.arange(len(s_e)) + 2,
    })
    return InputData(scheme=d.frame(d.SCHEME_COLUMNS, scheme), tiers=d.frame(d.TIER_COLUMNS, tiers),
                     targets=targets, ratings=ratings, training=training, settings=Settings())


def main() -> None:
    people = int(sys.argv[1]) if len(sys.argv) > 1 else 5000
    months = int(sys.argv[2]) if len(sys.argv) > 2 else 12
    data = build(people, months)
    start = time.perf_counter()
    results = core.score(data)
    took = time.perf_counter() - start
    print(f"{len(data.targets):,} target rows, {len(data.ratings):,} ratings, {len(data.training):,} training rows: "
          f"score() in {took:.2f} s ({len(results.people):,} people, {len(results.scores):,} scores, "
          f"{len(results.monthly):,} monthly rows)")


if __name__ == "__main__":
    main()
