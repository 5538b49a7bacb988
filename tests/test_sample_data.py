"""The demo folder: deterministic, realistic, current, and carrying its planted mistakes."""

from __future__ import annotations

import filecmp
import time
from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd
import pytest

from kpi_engine import sample, vocab
from kpi_engine.resources import sample_data_dir
from tests.test_templates import workbook_content

ROOT = Path(__file__).resolve().parent.parent
COMMITTED = ROOT / "sample_data"
FILES = [f"targets_{m}.xlsx" for m in sample.MONTHS] + ["assessment_form.xlsx", "training_plan.xlsx", "staff.xlsx"]


@pytest.fixture(scope="module")
def fresh(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("sample")
    paths = sample.generate_sample(out)
    assert [p.name for p in paths] == FILES
    return out


@pytest.fixture(scope="module")
def frames() -> dict[str, pd.DataFrame]:
    return sample.build(2026)


# --- current and deterministic --------------------------------------------------------------


@pytest.mark.parametrize("name", FILES)
def test_committed_sample_is_current(fresh, name):
    assert workbook_content(COMMITTED / name) == workbook_content(fresh / name), (
        f"sample_data/{name} differs from what the generator writes: run python sample_data/regenerate.py")


def test_packaged_copy_equals_sample_data():
    packaged = sample_data_dir()
    assert sorted(p.name for p in packaged.glob("*.xlsx")) == sorted(FILES)
    assert sorted(p.name for p in COMMITTED.glob("*.xlsx")) == sorted(FILES)
    for name in FILES:
        assert filecmp.cmp(COMMITTED / name, packaged / name, shallow=False), name


def test_same_seed_same_frames_other_seed_other_frames():
    a, b, c = sample.build(2026), sample.build(2026), sample.build(7)
    for key in a:
        pd.testing.assert_frame_equal(a[key], b[key])
    assert not a["targets"]["actual"].equals(c["targets"]["actual"])
    assert not a["people"]["name"].equals(c["people"]["name"])


def test_cli_style_entry_point(tmp_path, capsys):
    start = time.perf_counter()
    assert sample.main([str(tmp_path), "11"]) == 0
    assert time.perf_counter() - start < 10, "generation should take about a second"
    assert len(capsys.readouterr().out.splitlines()) == len(FILES)
    assert sample.main([]) == 2


# --- a realistic department ------------------------------------------------------------------


def test_department_shape(frames):
    people = frames["people"]
    assert len(people) == 40
    assert set(people["team"]) == set(sample.TEAMS) == {"华东", "华南", "华北", "西南"}
    assert set(people["role"]) == set(sample.ROLES)
    assert people["employee_id"].is_unique and people["name"].is_unique
    assert set(sample.LEGACY_IDS) <= set(people["employee_id"])
    assert people["name"].str.len().between(2, 3).all()
    # Every team has exactly one manager, so 团队:销售额 has one owner per team.
    assert (people[people["role"] == "销售经理"].groupby("team").size() == 1).all()


def test_scheme_rules():
    scheme = sample._scheme_frame()
    per_role = scheme.groupby("role")
    assert (per_role["weight"].sum() == 100).all()
    assert per_role.size().between(5, 8).all()
    assert set(scheme["method"]) == {"ratio", "tiers", "rating", "deduction"}
    assert set(scheme["category"]) == {"销售业绩", "团队协作", "专业技能", "个人发展"}
    lower = scheme[scheme["direction"] == "lower"]
    assert {"费用率", "客户投诉"} <= set(lower["kpi"])
    assert (lower.loc[lower["kpi"] == "费用率", "unit"] == "%").all()
    assert "团队:销售额" in set(scheme["source"]) and "培训" in set(scheme["source"])
    tables = {t for t, _, _ in sample.TIER_TABLES}
    assert set(scheme.loc[scheme["method"] == "tiers", "tier_table"]) <= tables
    assert all(any(t == name and f == 0 for t, f, _ in sample.TIER_TABLES) for name in tables)


def test_targets_cover_every_month_and_person(frames):
    t, people = frames["targets"], frames["people"]
    assert sorted(t["period"].unique()) == list(sample.MONTHS)
    months = t.groupby("employee_id")["period"].nunique()
    assert set(months.index) == set(people["employee_id"])
    assert (months == 10).sum() == 38  # a joiner (from April) and a leaver (to August)
    assert sorted(months[months < 10]) == [7, 8]
    # A person's team changes once: the transfer.
    assert (t.groupby("employee_id")["team"].nunique() > 1).sum() == 1


def test_performance_looks_real(frames):
    t = frames["targets"]
    sales = t[(t["kpi"] == "销售额") & t["actual"].notna()]
    r = sales["actual"] / sales["target"]
    assert r.between(0.85, 1.10).mean() >= 0.55, "most people should sit in 85–110%"
    assert r.std() > 0.08, "with spread"
    per_person = (sales.groupby("employee_id")["actual"].sum() / sales.groupby("employee_id")["target"].sum())
    assert (per_person > 1.12).sum() >= 2, "a couple of stars"
    assert (per_person < 0.88).sum() >= 2, "and strugglers"
    # Seasonality: February's sales targets are well below June's.
    by_month = sales.groupby("period")["target"].sum()
    assert by_month["2026-02"] < 0.7 * by_month["2026-06"]
    # % KPIs are fractions in (0, 1]; money is whole yuan in 10,000s for targets.
    pct = t[t["unit"] == "%"]
    assert pct[["target", "actual"]].stack().between(0.005, 1.0).all()
    assert (t.loc[t["unit"] == "元", "target"] % 10_000 == 0).all()


def test_ratings_are_360_and_cover_rating_kpis(frames):
    ratings, people = frames["ratings"], frames["people"]
    assert set(ratings["rater_type"]) == {"上级", "同事", "自评"}
    words = ratings["rating"][ratings["rating"].map(lambda v: isinstance(v, str))]
    assert set(words) <= {w for ws in vocab.RATING_WORDS.values() for w in ws}
    points = ratings["rating"][ratings["rating"].map(lambda v: not isinstance(v, str))]
    assert len(points) > 0 and points.between(0, 100).all()
    rated = sample._scheme_frame().query("method == 'rating'")
    role = people.set_index("employee_id")["role"]
    pairs = set(zip(ratings["employee_id"].map(role), ratings["kpi"]))
    assert pairs == set(zip(rated["role"], rated["kpi"]))
    assert (ratings["rater"] != "").all()


def test_training_plan(frames):
    tr = frames["training"]
    assert tr["course_id"].nunique() == 8
    assert tr["date"].map(lambda d: d.month).nunique() >= 7, "sessions spread over the months"
    assert tr["mandatory"].any() and (~tr["mandatory"]).any()
    attended = tr["attended_hours"]
    assert (attended.fillna(0) <= tr["planned_hours"]).all()
    assert attended.isna().any() and (attended == 0).any(), "absent as blank and as 0"
    both = tr.dropna(subset=["pre", "post"])
    assert (both["post"] - both["pre"]).mean() > 5
    assert tr["satisfaction"].dropna().between(1, 5).all()
    assert not tr.duplicated(["course_id", "employee_id", "date"]).any()


# --- the imperfections, as written in the files -------------------------------------------------


def _rows(path: Path) -> list[tuple]:
    ws = openpyxl.load_workbook(path).worksheets[0]
    return list(ws.iter_rows(values_only=True))


def test_planted_imperfections_are_in_the_files():
    rows = {m: _rows(COMMITTED / f"targets_{m}.xlsx") for m in sample.MONTHS}
    texts = {m: [v for r in rs for v in r if isinstance(v, str)] for m, rs in rows.items()}
    assert any(v.count(",") == 2 and v.replace(",", "").isdigit() for v in texts["2026-06"])
    assert rows["2026-03"][0][0] == "2026年3月销售目标" and rows["2026-03"][2][0] == "工号"
    assert rows["2026-04"][-1][0] is None and rows["2026-04"][-1][1] == "合计"
    assert openpyxl.load_workbook(COMMITTED / "targets_2026-05.xlsx").sheetnames == ["5月目标"]
    blank = [r for r in rows["2026-05"][1:] if r[5] == "销售额" and r[7] is None]
    assert len(blank) == 1 and blank[0][9] == "数据待财务确认"
    assert any(v.endswith("万") for v in texts["2026-06"])
    assert any(len(v) == 2 and all("０" <= ch <= "９" for ch in v) for v in texts["2026-06"])
    assert sum(v.endswith("%") and v != "%" for v in texts["2026-07"]) > 50
    body = rows["2026-08"][1:]
    assert len(body) - len(set(body)) == 1, "one row pasted twice"
    assert texts["2026-09"].count("待定") == 1
    # Periods are written several ways, as team leads do.
    assert rows["2026-04"][1][4].year == 2026 and rows["2026-05"][1][4] == "2026/5"
    assert rows["2026-01"][1][4] == "2026-01"


def test_legacy_ids_are_written_as_text():
    rows = _rows(COMMITTED / "targets_2026-01.xlsx")
    ids = {r[0] for r in rows[1:]}
    assert set(sample.LEGACY_IDS) <= ids
    wb = openpyxl.load_workbook(COMMITTED / "targets_2026-01.xlsx")
    cells = [c for (c,) in wb.worksheets[0].iter_rows(min_row=2, max_col=1)]
    assert all(c.data_type == "s" and c.number_format == "@" for c in cells)


def test_percent_cells_are_percent_formatted():
    wb = openpyxl.load_workbook(COMMITTED / "targets_2026-01.xlsx")
    for row in wb.worksheets[0].iter_rows(min_row=2):
        if row[8].value == "%":
            assert row[6].number_format == "0.0%" and row[7].number_format == "0.0%"
        elif row[8].value == "元":
            assert row[6].number_format == "#,##0"


def test_settings_sheet_lists_every_key():
    wb = openpyxl.load_workbook(COMMITTED / "assessment_form.xlsx")
    assert wb.sheetnames == ["考核方案", "分段计分", "评分", "设置"]
    keys = [r[0] for r in wb["设置"].iter_rows(min_row=2, values_only=True)]
    assert keys == [zh for zh, _ in vocab.SETTING_KEYS.values()]
    values = dict(wb["设置"].iter_rows(min_row=2, values_only=True))
    assert values["优秀比例上限"] == 0.4 and values["优秀线"] == 90


def test_numpy_generator_only():
    """No clock and no global random state: the module never calls np.random.* directly."""
    source = Path(sample.__file__).read_text(encoding="utf-8")
    assert "np.random.default_rng(seed)" in source
    for banned in ("np.random.seed", "np.random.rand", "np.random.normal", "import random",
                   "datetime.now", "date.today", "time.time"):
        assert banned not in source
    assert isinstance(np.random.default_rng(1), np.random.Generator)


# --- read and scored by the engine ---------------------------------------------------------------


@pytest.fixture(scope="module")
def loaded():
    from kpi_engine.read import load

    return load([COMMITTED])


def test_sample_loads_with_only_the_planted_problems(loaded):
    flat = sorted((i.file, i.sheet, i.code, i.level, i.value) for i in loaded.report.issues)
    assert [f[:4] for f in flat] == [
        ("README.md", "", "other_file_skipped", "info"),                   # the folder's own notes …
        ("regenerate.py", "", "other_file_skipped", "info"),               # … and script (not in the demo's copy)
        ("targets_2026-04.xlsx", "目标管理", "row_without_id", "warning"),   # the 合计 row
        ("targets_2026-08.xlsx", "目标管理", "duplicate_row", "info"),       # pasted twice
        ("targets_2026-09.xlsx", "目标管理", "bad_number", "error"),         # 待定
    ]
    assert flat[4][4] == "待定"


def test_sample_row_counts_balance(loaded):
    counts = loaded.report.counts
    assert counts and all(c.balanced for c in counts)
    kinds = {c.kind for c in counts}
    assert kinds == {"scheme", "tiers", "ratings", "settings", "targets", "training", "staff"}
    targets = [c for c in counts if c.kind == "targets"]
    assert len(targets) == 10 and {c.sheet for c in targets} == {"目标管理", "5月目标"}
    assert sum(c.rejected for c in counts) == 1
    assert sum(c.duplicates for c in counts) == 1
    assert sum(c.skipped for c in counts) == 1


def test_readers_recover_the_generated_values(loaded, frames):
    """Every messy cell (1,250,000 · 52万 · １２ · 93.5% · 2026年3月 · dates) reads as generated."""
    truth = frames["targets"]
    key = ["employee_id", "period", "kpi"]
    both = truth.merge(loaded.targets, on=key, how="left", suffixes=("", "_read"), indicator=True)
    missing = both[both["_merge"] == "left_only"]
    assert missing[["period", "kpi"]].values.tolist() == [["2026-09", "销售额"]]  # the 待定 row
    both = both[both["_merge"] == "both"]
    assert len(loaded.targets) == len(truth) - 1
    for col in ("target", "actual"):
        same = np.isclose(both[col].astype(float), both[f"{col}_read"], rtol=1e-12, equal_nan=True)
        diff = both.loc[~same, key].values.tolist()
        assert diff == ([] if col == "target" else [["E0005", "2026-05", "销售额"]]), col  # left blank
    assert (both["name"] == both["name_read"]).all() and (both["team"] == both["team_read"]).all()
    assert set(loaded.targets["employee_id"]) >= set(sample.LEGACY_IDS)


def test_sample_scores_as_a_pleasant_first_look(loaded):
    from kpi_engine.core import score

    results = score(loaded)
    people = results.people
    assert len(people) == 40 and people["total"].notna().all()
    raw = people["raw_grade"].value_counts()
    assert set(raw.index) == {"excellent", "good", "pass", "improve"}
    assert 0.25 <= raw["excellent"] / 40 <= 0.45 and raw["good"] >= 12
    # 强制分布 20/70/10 by rank over all 40: 8 优秀, 4 待改进, the middle keeps 良好/合格.
    grades = people["grade"].value_counts()
    assert (grades["excellent"], grades["improve"], grades["good"] + grades["pass"]) == (8, 4, 28)
    # The blank actual shows as one incomplete person; the transfer, 华东's many 优秀 and
    # the teams above the distribution's 20% 优秀 are the core's warnings.
    assert people["incomplete"].sum() == 1
    codes = sorted(i.code for i in results.issues if i.level != "info")
    assert codes == ["core_distribution_above_target"] * 3 + ["core_excellent_share_exceeded", "core_person_changed"]
    above = sorted(dict(i.params)["team"] for i in results.issues if i.code == "core_distribution_above_target")
    assert above == ["华东", "华北", "华南"]
    assert [i.code for i in results.issues if i.level == "info"] == ["calibration_applied"]
    assert results.scores["has_data"].all()


@pytest.mark.parametrize("seed", [1, 99])
def test_other_seeds_plant_the_same_problems(tmp_path, seed):
    """The generator is a function of its seed: any seed gives a folder with the same shape."""
    from kpi_engine.read import load

    sample.generate_sample(tmp_path, seed)
    data = load([tmp_path])
    assert sorted(i.code for i in data.report.issues) == ["bad_number", "duplicate_row", "row_without_id"]
    assert all(c.balanced for c in data.report.counts)
    assert data.targets["employee_id"].nunique() == 40
