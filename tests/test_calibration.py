"""强制分布 / calibration (issue 10, item 4; docs/decisions.md, "Calibration").

Worked examples as tables, the reading of the setting with its bad values, and the
properties: calibration never reverses the order of totals, keeps ties together, meets
the head counts when there are no ties, and with the setting off changes nothing."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings as hsettings, strategies as st

from kpi_engine import core
from kpi_engine.core.calibration import MIN_GROUP, head_counts
from kpi_engine.models import Settings
from kpi_engine.read import load
from kpi_engine.read.settings import distribution
from tests.data.make_fixtures import RATING_HEADER, assessment_form

from .test_core_support import inputs, scheme, target
from .test_read_rows import folder_with, problems

ONE_KPI = scheme([dict(kpi="销售额", weight=100, cap=2.0)])
SAMPLE = Path(__file__).resolve().parent.parent / "kpi_engine" / "bundled" / "sample_data"
GRADE_ORDER = {"excellent": 0, "good": 1, "pass": 2, "improve": 3}


def _score(totals: dict[str, float], teams: dict[str, str] | None = None, **setting) -> core.Results:
    """One month, one KPI of weight 100 with a 200% cap: a person's total is 100 × A/T."""
    rows = [target(emp, "销售额", "2026-03", t=100.0, a=float(total), row=i + 2,
                   team=(teams or {}).get(emp, "华东"))
            for i, (emp, total) in enumerate(totals.items())]
    return core.score(inputs(rows, scheme_rows=ONE_KPI, settings=Settings(**setting)))


def _people(totals, **kw) -> pd.DataFrame:
    return _score(totals, **kw).people.set_index("employee_id")


# --- worked examples ------------------------------------------------------------------------

# Largest remainder: floors first, then the seats left to the largest fractional parts,
# an equal remainder to the better bucket.
HEAD_COUNTS = [
    (25, (0.2, 0.7, 0.1), (5, 18, 2)),          # 5 / 17.5 / 2.5: the tie of .5 goes to the middle
    (30, (0.2, 0.7, 0.1), (6, 21, 3)),          # exact
    (27, (0.1, 0.4, 0.4, 0.1), (3, 11, 11, 2)),  # 2.7 / 10.8 / 10.8 / 2.7: .8, .8, then .7 to 优秀
    (26, (0.15, 0.35, 0.35, 0.15), (4, 9, 9, 4)),  # 3.9 / 9.1 / 9.1 / 3.9
    (40, (0.2, 0.3, 0.4, 0.1), (8, 12, 16, 4)),
    (0, (0.2, 0.7, 0.1), (0, 0, 0)),
]


@pytest.mark.parametrize("n, shares, seats", HEAD_COUNTS)
def test_head_counts_by_largest_remainder(n, shares, seats):
    assert tuple(head_counts(n, shares)) == seats


def _descending(n: int, top: float = 100.0) -> dict[str, float]:
    return {f"E{i + 1:03d}": top - i for i in range(n)}


# 25 people with totals 100, 99, … 76 (raw: 11 优秀, 10 良好, 4 合格). By rank:
# (rule, calibrated grades by rank 1…25 as runs of (grade, how many))
RANK_EXAMPLES = [
    # 20/30/40/10 → 5 / 7.5 / 10 / 2.5 → 5 / 8 / 10 / 2 (the .5 tie to 良好)
    ((0.2, 0.3, 0.4, 0.1), [("excellent", 5), ("good", 8), ("pass", 10), ("improve", 2)]),
    # 20/70/10 → 5 / 18 / 2: ranks 6–23 keep their raw grade clamped into 良好/合格: raw 优秀
    # (ranks 6–11) → 良好, raw 良好 (12–21) stays, raw 合格 (22–23) stays.
    ((0.2, 0.7, 0.1), [("excellent", 5), ("good", 16), ("pass", 2), ("improve", 2)]),
]


def _runs(grades) -> list[tuple[str, int]]:
    out: list[tuple[str, int]] = []
    for g in grades:
        if out and out[-1][0] == g:
            out[-1] = (g, out[-1][1] + 1)
        else:
            out.append((g, 1))
    return out


@pytest.mark.parametrize("shares, runs", RANK_EXAMPLES)
def test_calibration_by_rank_worked_examples(shares, runs):
    people = _people(_descending(25), forced_distribution=shares, calibration_mode="rank")
    people = people.sort_values("total", ascending=False)
    assert _runs(people["grade"]) == runs
    assert _runs(people["raw_grade"]) == [("excellent", 11), ("good", 10), ("pass", 4)]
    assert list(people["calibration_rank"]) == list(range(1, 26))
    # Pay follows the calibrated grade.
    coef = Settings().coefficients()
    assert (people["coefficient"] == people["grade"].map(coef)).all()


def test_a_tie_across_a_boundary_keeps_together_in_the_better_bucket():
    totals = _descending(25)
    totals["E006"] = totals["E005"]  # ranks 5 and 6 tie on 96: both rank 5
    people = _people(totals, forced_distribution=(0.2, 0.3, 0.4, 0.1), calibration_mode="rank")
    assert people.loc[["E005", "E006"], "calibration_rank"].tolist() == [5, 5]
    assert people.loc[["E005", "E006"], "grade"].tolist() == ["excellent", "excellent"]
    assert (people["grade"] == "excellent").sum() == 6  # one above the five seats, said in the table
    table = _score(totals, forced_distribution=(0.2, 0.3, 0.4, 0.1), calibration_mode="rank").calibration
    top = table.loc[table["bucket"] == "excellent"].iloc[0]
    assert (top["target"], top["calibrated"], top["raw"]) == (5, 6, 11)


def test_below_25_people_it_is_advisory_and_teams_above_the_target_are_flagged():
    res = _score(_descending(24), forced_distribution=(0.2, 0.7, 0.1), calibration_mode="rank")
    assert (res.people["grade"] == res.people["raw_grade"]).all()
    codes = [i.code for i in res.issues]
    assert "calibration_advisory_small" in codes and "calibration_applied" not in codes
    above = [i for i in res.issues if i.code == "core_distribution_above_target"]
    assert len(above) == 1 and dict(above[0].params)["team"] == "华东"  # 11 of 24 优秀 > 20%
    assert set(res.calibration["applied"]) == {False}


def test_by_team_each_team_is_its_own_group():
    totals = _descending(30) | {f"S{i:03d}": 95.0 - i for i in range(10)}
    teams = {e: ("华南" if e.startswith("S") else "华东") for e in totals}
    res = _score(totals, teams=teams, forced_distribution=(0.2, 0.7, 0.1), calibration_mode="rank",
                 calibration_group="team")
    people = res.people.set_index("employee_id")
    east = people.loc[people["team"] == "华东"]
    assert (east["grade"] == "excellent").sum() == 6  # 30 × 20%
    south = people.loc[people["team"] == "华南"]
    assert (south["grade"] == south["raw_grade"]).all()  # 10 people: advisory
    applied = res.calibration.groupby("group")["applied"].first().to_dict()
    assert applied == {"": False, "华东": True, "华南": False}  # everyone: shown for comparison


# --- the setting ---------------------------------------------------------------------------

@pytest.mark.parametrize("text, shares", [
    ("20/70/10", (0.2, 0.7, 0.1)), ("20%/70%/10%", (0.2, 0.7, 0.1)), ("0.2、0.7、0.1", (0.2, 0.7, 0.1)),
    ("１０／４０／４０／１０", (0.1, 0.4, 0.4, 0.1)), ("20 / 70 / 10", (0.2, 0.7, 0.1)),
    ("20/80", None), ("优秀20/70/10", None), (0.2, None), ("", None),
])
def test_distribution_text(text, shares):
    assert distribution(text) == shares


def _settings_of(tmp_path, rows):
    form = assessment_form(设置=[["项目", "值"], *rows], 评分=[RATING_HEADER])
    return load([folder_with(tmp_path, form=form)])


def test_the_settings_are_read(tmp_path):
    data = _settings_of(tmp_path, [["强制分布", "10/40/40/10"], ["强制分布方式", "按排名"], ["强制分布范围", "部门"]])
    assert problems(data) == []
    assert data.settings.forced_distribution == (0.1, 0.4, 0.4, 0.1)
    assert (data.settings.calibration_mode, data.settings.calibration_group) == ("rank", "team")


@pytest.mark.parametrize("value, code, words", [
    ("20/70/20", "distribution_not_100", ("20/70/20", "110%", "100%")),
    ("20/70", "bad_distribution", ("20/70", "20/70/10")),
    ("很多", "bad_distribution", ("很多",)),
])
def test_a_bad_distribution_names_its_cell(tmp_path, value, code, words):
    data = _settings_of(tmp_path, [["强制分布方式", "按排名"], ["强制分布", value]])
    assert problems(data) == [("设置", "B3", code)]
    issue = next(i for i in data.report.issues if i.code == code)
    assert all(w in issue.message("zh") for w in words)
    assert data.settings.forced_distribution is None and data.settings.calibration_mode == "rank"


# --- properties ----------------------------------------------------------------------------

totals_st = st.lists(st.integers(30, 120).map(float), min_size=MIN_GROUP, max_size=45)
shares_st = st.sampled_from([(0.2, 0.7, 0.1), (0.1, 0.4, 0.4, 0.1), (0.3, 0.3, 0.3, 0.1), (0.05, 0.9, 0.05),
                             (0.0, 0.5, 0.5, 0.0)])


@hsettings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(values=totals_st, shares=shares_st, group=st.sampled_from(["all", "team"]))
def test_calibration_keeps_the_order_of_totals_and_ties(values, shares, group):
    totals = {f"E{i:03d}": v for i, v in enumerate(values)}
    teams = {e: ("华东" if i % 3 else "华南") for i, e in enumerate(totals)}
    on = _score(totals, teams=teams, forced_distribution=shares, calibration_mode="rank", calibration_group=group)
    off = _score(totals, teams=teams)
    p = on.people.set_index("employee_id")
    q = off.people.set_index("employee_id").loc[p.index]
    # Totals and ranks never change.
    assert p["total"].equals(q["total"]) and p["overall_rank"].equals(q["overall_rank"])
    key = p["team"] if group == "team" else pd.Series("", index=p.index)
    for _, g in p.groupby(key):
        order = g["total"].to_numpy()
        level = g["grade"].map(GRADE_ORDER).to_numpy()
        hi, lo = np.meshgrid(order, order, indexing="ij")
        better = hi > lo  # a higher total never gets a worse grade
        assert not (better & (level[:, None] > level[None, :])).any()
        same = hi == lo  # equal totals, same grade
        assert not (same & (level[:, None] != level[None, :])).any()
        if len(g) >= MIN_GROUP and len(shares) == 4 and g["total"].is_unique:
            counts = g["grade"].value_counts().reindex(list(GRADE_ORDER), fill_value=0).to_numpy()
            assert tuple(counts) == tuple(head_counts(len(g), shares))
    assert (p["coefficient"] == p["grade"].map(Settings().coefficients())).all()


@hsettings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(values=totals_st, shares=shares_st)
def test_with_the_setting_off_nothing_changes(values, shares):
    totals = {f"E{i:03d}": v for i, v in enumerate(values)}
    plain = _score(totals).people
    for setting in ({"forced_distribution": shares}, {"calibration_mode": "rank"}):
        other = _score(totals, **setting).people
        assert other.drop(columns=["calibration_rank"]).equals(plain.drop(columns=["calibration_rank"]))
        assert (other["grade"] == other["raw_grade"]).all()


# --- the workbook: live formulas, recalculated by LibreOffice -------------------------------

@pytest.mark.libreoffice
@pytest.mark.slow
@pytest.mark.parametrize("shares, group", [((0.2, 0.3, 0.4, 0.1), "all"), ((0.2, 0.7, 0.1), "team")])
def test_calibrated_grades_recalculate_and_follow_an_edited_actual(tmp_path, shares, group):
    """汇总's 校准名次 / 校准等级 / 系数, 总览's counts and the 强制分布 sheet recalculate to the
    engine's values; after an actual is edited on 明细 (the last person becomes the first)
    they give what the engine gives for the edited input."""
    import openpyxl

    from kpi_engine.write.workbook import write_workbook

    from . import libreoffice as lo
    from . import outcome_fixture as fx
    from .test_recalc_libreoffice import CREATED, _equal, _find_row, _formulas_agree

    totals = {f"E{i:03d}": 100.0 - i * 1.5 for i in range(30)}  # 100 … 56.5
    totals["E010"] = totals["E009"]  # a tie
    teams = {e: ("华东" if i < 27 else "华南") for i, e in enumerate(totals)}

    def data_with(last: float):
        values = {**totals, "E029": last}
        rows = [target(e, "销售额", "2026-03", t=100.0, a=v, row=i + 2, team=teams[e])
                for i, (e, v) in enumerate(values.items())]
        return inputs(rows, scheme_rows=ONE_KPI, settings=Settings(
            forced_distribution=shares, calibration_mode="rank", calibration_group=group))

    before = fx.outcome_of(data_with(totals["E029"]))
    src = tmp_path / "result.xlsx"
    write_workbook(before, src, created=CREATED)
    checked, wrong = _formulas_agree(src, lo.recalc(src, tmp_path / "out"))
    assert wrong == [] and checked > 0
    book = openpyxl.load_workbook(src)
    assert "强制分布" in book.sheetnames
    book["明细"][f"K{_find_row(book['明细'], 'E029', '销售额')}"] = 120.0
    edited = tmp_path / "edited.xlsx"
    book.save(edited)
    got = openpyxl.load_workbook(lo.recalc(edited, tmp_path / "out-edited"), data_only=True)
    expected = fx.outcome_of(data_with(120.0)).results
    people = expected.people.set_index("employee_id")
    assert people.at["E029", "grade"] == "excellent" and people.at["E029", "raw_grade"] == "excellent"
    summary = got["汇总"]
    col = {h: i for i, h in enumerate(c.value for c in summary[2])}
    words = {"excellent": "优秀", "good": "良好", "pass": "合格", "improve": "待改进"}
    seen = 0
    for r in summary.iter_rows(min_row=3, values_only=True):
        if r[0] not in people.index:
            continue
        p = people.loc[r[0]]
        assert r[col["校准等级"]] == words[p["grade"]], r[0]
        assert r[col["等级"]] == words[p["raw_grade"]], r[0]
        assert _equal(float(p["coefficient"]), r[col["系数"]]), r[0]
        assert _equal(float(p["calibration_rank"]), r[col["校准名次"]]), r[0]
        seen += 1
    assert seen == 30
    sheet = got["强制分布"]
    header = [c.value for c in sheet[2]]
    table = expected.calibration.set_index(["group", "bucket"])
    for r in sheet.iter_rows(min_row=3, values_only=True):
        g = "" if r[0] == "全部" else r[0]
        for j, h in enumerate(header):
            if h and "\n" in h:
                bucket = next(b for b in ("excellent", "middle", "good", "pass", "improve")
                              if (g, b) in table.index and h.startswith(_bucket_word(b)))
                kind = {"目标人数": "target", "按总分": "raw", "校准后": "calibrated"}[h.split("\n")[1][:4].rstrip("（")]
                assert r[j] == table.at[(g, bucket), kind], (r[0], h)


def _bucket_word(bucket: str) -> str:
    return {"excellent": "优秀", "middle": "良好+合格", "good": "良好", "pass": "合格", "improve": "待改进"}[bucket]


def test_the_terminal_says_what_the_distribution_did(tmp_path):
    """`kpi-engine score` on the sample (20/70/10 by rank over 40 people) names the change;
    `--json` carries the raw grade and the table."""
    import json

    from .test_cli import invoke

    out = tmp_path / "r.xlsx"
    res = invoke("score", str(SAMPLE), "-o", str(out))
    assert res.exit_code == 1, res.output  # the sample's planted rejected row
    assert "强制分布 20/70/10%：全部 按排名校准，10 人的等级有变动" in res.output
    res = invoke("score", str(SAMPLE), "-o", str(tmp_path / "j.xlsx"), "--json")
    got = json.loads(res.stdout)
    assert got["calibration"]["shares"] == [0.2, 0.7, 0.1] and got["calibration"]["mode"] == "rank"
    everyone = [g for g in got["calibration"]["groups"] if g["group"] == ""]
    assert [g["calibrated"] for g in everyone] == [g["target"] for g in everyone] == [8, 28, 4]
    changed = [p for p in got["totals"] if p["grade"] != p["raw_grade"]]
    assert len(changed) == 10
