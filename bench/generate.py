"""A seeded generator of large, realistic input folders for the benchmark.

    python bench/generate.py N [--seed 7] [--out bench/out/inputs]

N people (one 销售经理 and nine 销售代表 per team of ten) × 15 target-sheet KPIs ×
12 months (2025-01 … 2025-12), as HR receives them: one target file per month
(``targets_2025-01.xlsx`` …, sheet 目标管理), the assessment form (考核方案, 分段计分,
评分 with 上级/同事/自评 ratings every month, 设置) and the training plan (four sessions
per person). N = 100, 1,000, 5,000, 20,000, 75,000 give 18k, 180k, 900k, 3.6M, 13.5M
target rows.

A month whose target rows exceed ``MAX_ROWS_PER_FILE`` (500,000: under half of Excel's
1,048,576-row sheet, so a file stays about 20 MB and opens in Excel in seconds) is split
over several files on person boundaries, in parts of near-equal size:
``targets_2025-01_part1.xlsx``, ``targets_2025-01_part2.xlsx`` … — the engine reads
every workbook of the folder, so a month may come in any number of files. Up to 33,333
people no month is split and the files are as before; 75,000 people give three parts of
375,000 rows a month. The 评分 rows (36 a person: three raters, twelve months) are cut
the same way: the first part stays in the form, the others go to ``ratings_part2.xlsx``
… (one 评分 sheet each); up to 13,888 people they all stay in the form, 75,000 give
2.7 million rows in six parts.

Each role has 16 KPIs: the 15 on the target sheet cover every method (完成率, 分段,
扣分), both directions, all three aggregations and every source (a manager's 团队销售额
and 团队新客户数 come from the team, 培训参与率 from the training plan, so HR leaves
those actuals blank), plus one 等级 KPI scored from 评分. Like real sheets, about 2% of
actuals are blank, 0.2% of numbers are typed as text (``1,250,000``, ``93.5%``), and
each month has one ``待定`` actual that the readers reject.

Files are written with xlsxwriter in constant-memory mode, styled like the templates
(header fills, 工号/期间 as text, money and percent formats), and cached under
``bench/out/inputs/n<N>_s<seed>_<generator hash>/``: a folder is reused only when a
``.complete`` marker says it was written in full by this very generator. Every
xlsxwriter call's return code is checked: a refused cell (beyond the sheet's rows or
columns, a text longer than a cell holds) stops the generator with the file, sheet and
cell, rather than leaving a silently short or truncated input.
"""

from __future__ import annotations

import argparse
import hashlib
import shutil
import sys
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import xlsxwriter

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # run from a checkout, uninstalled

from kpi_engine import vocab  # noqa: E402
from kpi_engine.write.templates import OPTIONAL_FILL, REQUIRED_FILL, Styles, setting_value  # noqa: E402

OUT = ROOT / "bench" / "out" / "inputs"
MONTHS = tuple(f"2025-{m:02d}" for m in range(1, 13))
TEAM_SIZE = 10  # one manager and nine reps
EXCEL_MAX_ROWS = 1_048_576  # rows of a worksheet, the header included
MAX_ROWS_PER_FILE = 500_000  # target rows (below the header) of one generated file

# (kpi, weight, method, direction, unit, aggregation, source, cap, floor, tier table,
#  points per unit, step, generator, base). Weights sum to 100 per role.
_REP = [
    ("销售额", 15, "完成率", "越高越好", "元", "", "", 1.2, None, "", None, None, "money", 500_000),
    ("回款额", 8, "完成率", "越高越好", "元", "", "", None, None, "", None, None, "money", 450_000),
    ("毛利额", 7, "完成率", "越高越好", "元", "", "", None, None, "", None, None, "money", 120_000),
    ("新客户数", 8, "分段", "越高越好", "个", "", "", None, None, "标准", None, None, "count", 8),
    ("拜访次数", 5, "完成率", "越高越好", "次", "", "", None, None, "", None, None, "count", 40),
    ("商机数", 5, "完成率", "越高越好", "个", "", "", None, 0.6, "", None, None, "count", 12),
    ("回款率", 6, "完成率", "越高越好", "%", "", "", None, None, "", None, None, "pct", 0.90),
    ("毛利率", 6, "完成率", "越高越好", "%", "", "", None, None, "", None, None, "pct", 0.25),
    ("费用率", 6, "完成率", "越低越好", "%", "", "", None, None, "", None, None, "pct_lower", 0.05),
    ("客户投诉", 5, "扣分", "越低越好", "次", "", "", None, None, "", 2, 1, "defects", 0.15),
    ("核心客户保有率", 6, "扣分", "越高越好", "%", "", "", None, None, "", 2, 0.01, "pct", 0.95),
    ("订单准确率", 5, "分段", "越高越好", "%", "", "", None, None, "宽松", None, None, "pct", 0.98),
    ("续约额", 5, "完成率", "越高越好", "元", "期末", "", 1.3, None, "", None, None, "money", 300_000),
    ("报价及时率", 3, "完成率", "越高越好", "%", "", "", None, 0.5, "", None, None, "pct", 0.95),
    ("培训参与率", 5, "完成率", "越高越好", "%", "", "培训", None, None, "", None, None, "", 0),
    ("团队协作", 5, "等级", "越高越好", "", "", "", None, None, "", None, None, "", 0),
]
# A manager: the team's sales and new customers instead of their own, and 团队管理.
_SWAP = {
    "销售额": ("团队销售额", "团队:销售额", "team_target"),
    "新客户数": ("团队新客户数", "团队:新客户数", ""),
    "团队协作": ("团队管理", "", ""),
}
_MANAGER = [
    (_SWAP[k][0], w, m, d, u, a, _SWAP[k][1], c, f, t, p, s, _SWAP[k][2], b) if k in _SWAP
    else (k, w, m, d, u, a, src, c, f, t, p, s, g, b)
    for (k, w, m, d, u, a, src, c, f, t, p, s, g, b) in _REP
]
SCHEME_COLUMNS = ["kpi", "weight", "method", "direction", "unit", "aggregation", "source", "cap",
                  "floor", "tier_table", "points_per_unit", "step", "gen", "base"]
TIERS = (("标准", 1.2, 1.2), ("标准", 1.0, 1.0), ("标准", 0.9, 0.8), ("标准", 0.8, 0.6), ("标准", 0.0, 0.0),
         ("宽松", 1.0, 1.0), ("宽松", 0.95, 0.9), ("宽松", 0.85, 0.7), ("宽松", 0.0, 0.0))
COURSES = (("C01", "新品知识培训", "产品知识", 8.0, True), ("C02", "CRM系统操作", "产品知识", 3.0, True),
           ("C03", "顾问式销售技巧", "销售技巧", 6.0, False), ("C04", "大客户谈判", "销售技巧", 4.0, False),
           ("C05", "合规与风控", "合规", 2.0, True), ("C06", "回款管理实务", "财务知识", 3.0, False))
SURNAMES = tuple("王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶程苏魏吕丁任沈姚卢")
GIVEN = ("伟", "芳", "娜", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰", "娟", "涛", "明", "超",
         "秀英", "桂英", "建华", "志强", "晓东", "海燕", "雪梅", "国庆", "俊杰", "思远", "子涵", "欣怡",
         "宇轩", "梓萱", "浩然", "雨桐", "佳怡", "一鸣", "文博", "嘉欣", "天宇", "诗琪", "晨曦")
REGIONS = ("华东", "华南", "华北", "华中", "西南", "西北", "东北")


def generator_hash() -> str:
    """Inputs are cached per version of this file: a changed generator writes afresh."""
    return hashlib.sha256(Path(__file__).read_bytes()).hexdigest()[:10]


def input_dir(n: int, seed: int, out: Path = OUT, max_rows: int = MAX_ROWS_PER_FILE) -> Path:
    limit = "" if max_rows == MAX_ROWS_PER_FILE else f"_r{max_rows}"
    return out / f"n{n}_s{seed}{limit}_{generator_hash()}"


def scheme() -> pd.DataFrame:
    rows = [("销售经理", *r) for r in _MANAGER] + [("销售代表", *r) for r in _REP]
    df = pd.DataFrame(rows, columns=["role", *SCHEME_COLUMNS])
    df["order"] = df.groupby("role").cumcount()
    return df


# --- frames ---------------------------------------------------------------------------


def people(n: int, rng: np.random.Generator) -> pd.DataFrame:
    """n people in teams of ten; the first of each team is its manager."""
    i = np.arange(n)
    team_no = i // TEAM_SIZE
    team = np.array([f"{REGIONS[t % len(REGIONS)]}{t // len(REGIONS) + 1}部" for t in range(team_no.max() + 1)])
    names = (np.array(SURNAMES)[rng.integers(0, len(SURNAMES), n)].astype(object)
             + np.array(GIVEN)[rng.integers(0, len(GIVEN), n)].astype(object))
    return pd.DataFrame({
        "employee_id": [f"E{k + 1:05d}" for k in i],
        "name": names,
        "team": team[team_no],
        "role": np.where(i % TEAM_SIZE == 0, "销售经理", "销售代表"),
        "ability": rng.normal(0.92, 0.08, n).clip(0.7, 1.25),
        "territory": rng.normal(1.0, 0.12, n).clip(0.75, 1.3),
    })


def targets(ppl: pd.DataFrame, rng: np.random.Generator) -> pd.DataFrame:
    """Person × month × the role's 15 target-sheet KPIs, with target and actual drawn."""
    sch = scheme()
    sch = sch[sch["method"] != "等级"]
    pm = ppl.merge(pd.DataFrame({"m": range(len(MONTHS))}), how="cross")
    rows = pm.merge(sch, on="role").sort_values(["m", "employee_id", "order"], kind="stable")
    rows = rows.reset_index(drop=True)
    n = len(rows)
    season = np.array([0.95, 0.70, 1.0, 1.0, 1.05, 1.2, 0.95, 0.95, 1.1, 1.05, 1.1, 1.25])
    m = rows["m"].to_numpy()
    perf = rows["ability"].to_numpy() * np.exp(rng.normal(0, 0.08, n))
    base = rows["base"].to_numpy(dtype=float)
    gen = rows["gen"].to_numpy()
    size = rows["territory"].to_numpy()
    noise = rng.normal(0, 1, n)
    t = np.full(n, np.nan)
    a = np.full(n, np.nan)
    money = gen == "money"
    t[money] = np.round(base[money] * size[money] * season[m[money]], -4)
    a[money] = np.round(t[money] * perf[money], -2)
    count = gen == "count"
    t[count] = np.maximum(3, np.round(base[count] * season[m[count]]))
    a[count] = rng.poisson(t[count] * perf[count])
    pct = gen == "pct"
    t[pct] = base[pct]
    a[pct] = np.clip(base[pct] * (1 + 0.3 * (perf[pct] - 1) + 0.015 * noise[pct]), 0.5 * base[pct], 1.0).round(3)
    low = gen == "pct_lower"
    t[low] = base[low]
    a[low] = np.clip(base[low] * (1 - 0.8 * (perf[low] - 1) + 0.07 * noise[low]), 0.01, None).round(3)
    defects = gen == "defects"
    t[defects] = 0
    a[defects] = rng.poisson(base[defects] / np.clip(perf[defects], 0.5, None) ** 2)
    team_target = gen == "team_target"  # the company's target for the team; actual from the team
    t[team_target] = np.round(base[team_target] * 9.3 * season[m[team_target]], -4) if team_target.any() else 0
    blank = (rng.random(n) < 0.02) & np.isin(gen, ["money", "count", "pct", "pct_lower"])
    a[blank] = np.nan
    rows["target"], rows["actual"] = t, a
    rows["period"] = np.array(MONTHS)[m]
    rows["note"] = np.where(blank, "数据待确认", "")
    return rows[["employee_id", "name", "team", "role", "period", "m", "kpi", "target", "actual", "unit", "note"]]


def as_typed(rows: pd.DataFrame, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Target and actual cells as HR types them: numbers, a few as text, one 待定 a month."""
    t = rows["target"].to_numpy(dtype=object).copy()
    a = rows["actual"].to_numpy(dtype=object).copy()
    n = len(rows)
    unit = rows["unit"].to_numpy()
    as_text = np.flatnonzero((rng.random(n) < 0.002) & pd.notna(rows["actual"]).to_numpy())
    for i in as_text:  # a few hundred cells at most: not a hot path of the product
        v = float(a[i])
        a[i] = f"{v * 100:.1f}%" if unit[i] == "%" else f"{v:,.0f}"
    money = np.flatnonzero((unit == "元") & pd.notna(rows["actual"]).to_numpy())
    months = rows["m"].to_numpy()[money]
    for m in np.unique(months):
        a[rng.choice(money[months == m])] = "待定"
    return t, a


def ratings(ppl: pd.DataFrame, rng: np.random.Generator) -> pd.DataFrame:
    """Every month: 上级, one 同事 and 自评 rate each person's 等级 KPI."""
    kpi = np.where(ppl["role"] == "销售经理", "团队管理", "团队协作")
    pm = ppl.assign(kpi=kpi).merge(pd.DataFrame({"period": MONTHS}), how="cross")
    pm = pm.merge(pd.DataFrame({"rater_type": ["上级", "同事", "自评"], "t": range(3)}), how="cross")
    pm = pm.sort_values(["period", "employee_id", "t"], kind="stable").reset_index(drop=True)
    latent = 0.8 * pm["ability"].to_numpy() + np.array([0, 0.02, 0.08])[pm["t"]] + rng.normal(0, 0.09, len(pm))
    ladder = np.array(["好", "较好", "中", "较差", "差"])
    pm["rating"] = ladder[np.searchsorted(-np.array([0.95, 0.78, 0.6, 0.45]), -latent, side="right")]
    pm["rater"] = np.where(pm["t"] == 2, pm["name"], np.where(pm["t"] == 0, "主管", "同事"))
    return pm[["employee_id", "period", "kpi", "rater_type", "rater", "rating"]]


def training(ppl: pd.DataFrame, rng: np.random.Generator) -> pd.DataFrame:
    """Four sessions per person, spread over the year."""
    n = len(ppl)
    rows = ppl.loc[np.repeat(np.arange(n), 4), ["employee_id", "name", "ability"]].reset_index(drop=True)
    course = (np.tile(np.arange(4), n) + np.repeat(rng.integers(0, len(COURSES), n), 4)) % len(COURSES)
    c = np.array(COURSES, dtype=object)[course]
    rows["course_id"], rows["course"], rows["category"] = c[:, 0], c[:, 1], c[:, 2]
    rows["planned_hours"], rows["mandatory"] = c[:, 3].astype(float), c[:, 4].astype(bool)
    month = (course * 2 + rng.integers(0, 2, len(rows))) % 12
    rows["date"] = [date(2025, m + 1, 15) for m in month]
    k = len(rows)
    absent = rng.random(k) < 0.08
    attended = rows["planned_hours"].to_numpy().copy()
    attended[absent] = np.nan
    pre = np.clip(np.round(rng.normal(62, 10, k)), 30, 95)
    post = np.clip(pre + np.round(rng.normal(14, 6, k)), 0, 100)
    pre[absent], post[absent] = np.nan, np.nan
    rows["attended_hours"], rows["pre"], rows["post"] = attended, pre, post
    rows["satisfaction"] = np.where(absent, np.nan, rng.choice([3.0, 4.0, 5.0], k))
    return rows


# --- writing ----------------------------------------------------------------------------------


class WriteRefused(RuntimeError):
    """xlsxwriter returned an error code instead of writing a cell."""


_CODES = {
    -1: "beyond the sheet's 1,048,576 rows or 16,384 columns",
    -2: "a text longer than the 32,767 characters a cell holds (truncated), or a row already "
        "flushed in constant-memory mode",
    -3: "a URL longer than Excel allows",
}


def cell_name(row: int, col: int) -> str:
    letters = ""
    col += 1
    while col:
        col, rem = divmod(col - 1, 26)
        letters = chr(65 + rem) + letters
    return f"{letters}{row + 1}"


def check(code: int | None, path: str, sheet: str, row: int, col: int) -> None:
    """Raise on an xlsxwriter error code (0 or None is success)."""
    if code:
        why = _CODES.get(code, "an unknown error")
        raise WriteRefused(f"{path}, sheet {sheet}, cell {cell_name(row, col)}: xlsxwriter refused the cell "
                           f"(code {code}: {why}). Lower MAX_ROWS_PER_FILE in bench/generate.py for long months, "
                           f"or shorten the text.")


class Sheet:
    """A constant-memory sheet written row by row with typed calls, styled like a template."""

    def __init__(self, wb: xlsxwriter.Workbook, styles: Styles, name: str, kind: vocab.SheetKind,
                 col_kinds: dict[str, str] | None = None) -> None:
        self.ws = wb.add_worksheet(name)
        self.path = wb.filename
        self.name = name
        self.styles = styles
        col_kinds = col_kinds or {}
        # The optional 绩效工资基数 column is left out: HR's KPI sheets rarely carry it.
        fields = [f for f in kind.fields if f.key != "base"]
        for c, f in enumerate(fields):
            fmt = styles.get(header=REQUIRED_FILL if f.required else OPTIONAL_FILL)
            check(self.ws.write_string(0, c, f.zh, fmt), self.path, name, 0, c)
            check(self.ws.set_column(c, c, 14, styles.get(col_kinds.get(f.key, "general"))), self.path, name, 0, c)
        check(self.ws.set_row(0, 30), self.path, name, 0, 0)
        self.ws.freeze_panes(1, 0)
        self.width = len(fields)
        self.row = 1

    def columns(self, cols: list[np.ndarray], fmts: list[Any]) -> None:
        """Write whole columns; a NaN, None or "" cell is left empty."""
        ws = self.ws
        n = len(cols[0])
        cols = [c.tolist() if isinstance(c, np.ndarray) else list(c) for c in cols]
        # Formats may vary by row (a % KPI beside a money KPI): lists or a single format.
        fmts = [f if isinstance(f, list) else [f] * n for f in fmts]
        r0 = self.row
        if r0 + n > EXCEL_MAX_ROWS:
            raise WriteRefused(f"{self.path}, sheet {self.name}: {r0 + n:,} rows do not fit in a sheet "
                               f"(Excel holds {EXCEL_MAX_ROWS:,}); lower MAX_ROWS_PER_FILE in bench/generate.py.")
        for i in range(n):
            r = r0 + i
            for c in range(len(cols)):  # optional trailing columns (加速起点…) stay blank
                v = cols[c][i]
                if v is None or v == "" or (isinstance(v, float) and v != v):
                    continue
                if isinstance(v, str):
                    code = ws.write_string(r, c, v, fmts[c][i])
                elif isinstance(v, date):
                    code = ws.write_datetime(r, c, v, fmts[c][i])
                elif isinstance(v, bool):
                    code = ws.write_string(r, c, "是" if v else "否", fmts[c][i])
                else:
                    code = ws.write_number(r, c, v, fmts[c][i])
                if code:
                    check(code, self.path, self.name, r, c)
        self.row += n
        check(ws.autofilter(0, 0, self.row - 1, self.width - 1), self.path, self.name, self.row - 1, self.width - 1)


def new_book(path: Path) -> tuple[xlsxwriter.Workbook, Styles]:
    wb = xlsxwriter.Workbook(str(path), {"constant_memory": True, "strings_to_numbers": False,
                                         "strings_to_formulas": False, "strings_to_urls": False})
    wb.set_properties({"author": "HR", "title": path.stem})
    return wb, Styles(wb)


def write_targets(path: Path, rows: pd.DataFrame, t: np.ndarray, a: np.ndarray) -> None:
    wb, styles = new_book(path)
    sh = Sheet(wb, styles, vocab.TARGETS.zh, vocab.TARGETS, {"employee_id": "text", "period": "text"})
    unit = rows["unit"].to_numpy()
    number = {"%": styles.get("percent1"), "元": styles.get("money")}
    num_fmt = [number.get(u, styles.get("general")) for u in unit]
    text = styles.get("text")
    plain = styles.get("general")
    sh.columns([rows["employee_id"].to_numpy(), rows["name"].to_numpy(), rows["team"].to_numpy(),
                rows["role"].to_numpy(), rows["period"].to_numpy(), rows["kpi"].to_numpy(), t, a, unit,
                rows["note"].to_numpy()],
               [text, plain, plain, plain, text, plain, num_fmt, num_fmt, plain, plain])
    wb.close()


def write_form(path: Path, rates: pd.DataFrame) -> None:
    wb, styles = new_book(path)
    sch = scheme()
    plain, pct = styles.get("general"), styles.get("percent")
    sh = Sheet(wb, styles, vocab.SCHEME.zh, vocab.SCHEME)
    f = {k: sch[k].to_numpy(dtype=object) for k in sch.columns}
    source = np.where(f["source"] == "", "本人", f["source"])
    sh.columns([f["role"], f["kpi"], np.full(len(sch), "销售业绩", dtype=object), f["weight"], f["direction"],
                f["method"], f["cap"], f["floor"], f["tier_table"], f["points_per_unit"], f["step"],
                f["aggregation"], source, f["unit"]],
               [plain, plain, plain, plain, plain, plain, pct, pct, plain, plain,
                [pct if u == "%" else plain for u in f["unit"]], plain, plain, plain])
    sh = Sheet(wb, styles, vocab.TIERS.zh, vocab.TIERS)
    tiers = np.array(TIERS, dtype=object)
    sh.columns([tiers[:, 0], tiers[:, 1], tiers[:, 2]], [plain, pct, pct])
    ratings_sheet(wb, styles, rates)
    sh = Sheet(wb, styles, vocab.SETTINGS.zh, vocab.SETTINGS)
    keys = [zh for zh, _ in vocab.SETTING_KEYS.values()]
    values = [setting_value(k, "zh") for k in vocab.SETTING_KEYS]
    sh.columns([np.array(keys, dtype=object), np.array(values, dtype=object)],
               [plain, [pct if isinstance(v, float) and v <= 1 else plain for v in values]])
    wb.close()


def ratings_sheet(wb: xlsxwriter.Workbook, styles: Styles, rates: pd.DataFrame) -> None:
    plain = styles.get("general")
    sh = Sheet(wb, styles, vocab.RATINGS.zh, vocab.RATINGS, {"employee_id": "text", "period": "text"})
    sh.columns([rates[k].to_numpy() for k in ("employee_id", "period", "kpi", "rater_type", "rater", "rating")],
               [styles.get("text"), styles.get("text"), plain, plain, plain, plain])


def write_ratings(path: Path, rates: pd.DataFrame) -> None:
    """Ratings beyond what the form's 评分 sheet holds: a workbook of one more 评分 sheet."""
    wb, styles = new_book(path)
    ratings_sheet(wb, styles, rates)
    wb.close()


def write_plan(path: Path, tr: pd.DataFrame) -> None:
    wb, styles = new_book(path)
    plain = styles.get("general")
    sh = Sheet(wb, styles, vocab.TRAINING.zh, vocab.TRAINING, {"employee_id": "text", "course_id": "text"})
    keys = [f.key for f in vocab.TRAINING.fields]
    fmts = [styles.get("date") if k == "date" else styles.get("text") if k in ("employee_id", "course_id")
            else plain for k in keys]
    sh.columns([tr[k].to_numpy(dtype=object) for k in keys], fmts)
    wb.close()


def parts(employee_ids: np.ndarray, max_rows: int = MAX_ROWS_PER_FILE) -> list[slice]:
    """A month's rows (sorted by person) → slices of at most max_rows, cut between people,
    as few and as even as possible."""
    n = len(employee_ids)
    if n <= max_rows:
        return [slice(0, n)]
    starts = np.flatnonzero(np.r_[True, employee_ids[1:] != employee_ids[:-1]])  # each person's first row
    widest = int(np.diff(np.r_[starts, n]).max())
    if widest > max_rows:
        raise ValueError(f"one person has {widest} target rows in a month, more than the {max_rows:,} "
                         f"rows a file may hold: raise max_rows")
    k = -(-n // max_rows)
    while True:
        # Cut at the last person start at or before each even share of the rows.
        even = (np.arange(1, k) * n) // k
        cuts = np.r_[0, starts[np.searchsorted(starts, even, side="right") - 1], n]
        cuts = np.unique(cuts)
        if (np.diff(cuts) <= max_rows).all():
            return [slice(int(a), int(b)) for a, b in zip(cuts[:-1], cuts[1:])]
        k += 1


def target_files(period: str, count: int) -> list[str]:
    """File names of a month in `count` parts; one part keeps the plain name."""
    if count == 1:
        return [f"targets_{period}.xlsx"]
    width = len(str(count))  # part01 … part12 sort in order, as the engine reads by path
    return [f"targets_{period}_part{i:0{width}d}.xlsx" for i in range(1, count + 1)]


def rating_files(count: int) -> list[str]:
    """The workbooks of the 评分 rows after the form's own, when they are in ``count`` parts."""
    width = len(str(count))
    return [f"ratings_part{i:0{width}d}.xlsx" for i in range(2, count + 1)]


def generate(n: int, seed: int = 7, out: Path = OUT, max_rows: int = MAX_ROWS_PER_FILE) -> Path:
    """Write (or reuse) the input folder for n people; returns the folder.

    ``max_rows`` caps the target rows of one file (a month over it is split); the tests
    lower it to split tiny months."""
    if not 0 < max_rows < EXCEL_MAX_ROWS:
        raise ValueError(f"max_rows must be between 1 and {EXCEL_MAX_ROWS - 1:,} (one row is the header)")
    folder = input_dir(n, seed, out, max_rows)
    if (folder / ".complete").exists():
        return folder
    if folder.exists():
        shutil.rmtree(folder)
    folder.mkdir(parents=True)
    rng = np.random.default_rng([seed, n])
    ppl = people(n, rng)
    rows = targets(ppl, rng)
    t, a = as_typed(rows, rng)
    months = rows["m"].to_numpy()
    ids = rows["employee_id"].to_numpy()
    for m, period in enumerate(MONTHS):
        sel = np.flatnonzero(months == m)
        chunks = parts(ids[sel], max_rows)
        for name, chunk in zip(target_files(period, len(chunks)), chunks):
            part = sel[chunk]
            write_targets(folder / name, rows.iloc[part], t[part], a[part])
    rates = ratings(ppl, rng)
    chunks = parts(rates["employee_id"].to_numpy(), max_rows)  # by month, then person: cut between people
    write_form(folder / "assessment_form.xlsx", rates.iloc[chunks[0]])
    for name, chunk in zip(rating_files(len(chunks)), chunks[1:]):
        write_ratings(folder / name, rates.iloc[chunk])
    write_plan(folder / "training_plan.xlsx", training(ppl, rng))
    files = len(list(folder.glob("*.xlsx")))
    (folder / ".complete").write_text(f"{n} people, seed {seed}, {len(rows)} target rows, {files} files\n")
    return folder


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("n", type=int, nargs="+")
    p.add_argument("--seed", type=int, default=7)
    p.add_argument("--out", type=Path, default=OUT)
    p.add_argument("--max-rows", type=int, default=MAX_ROWS_PER_FILE,
                   help=f"target rows per file; a longer month is split (default {MAX_ROWS_PER_FILE:,})")
    args = p.parse_args(argv)
    for n in args.n:
        print(generate(n, args.seed, args.out, args.max_rows))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
