"""汇总, 明细 and the hidden 参数 sheet: the three sheets whose formulas reference each other.

outputs.md, "Live formulas": on 明细, 完成率 (except 等级 rows), 得分 and 状态 are formulas
over the row's own cells; on 汇总, 总分, 等级, the ranks and the status counts are
formulas over 明细. Each formula is saved with the engine's own value, so a reader that
does not recalculate still sees the right numbers.

Rows are matched by hidden numeric keys (人员序号, 部门序号), not by 工号 or 部门 text:
SUMIFS/COUNTIFS treat criteria text specially (``*`` and ``?`` are wildcards, ``>5`` is a
comparison, ``00123`` matches the number 123), and 工号 and 部门 come from the input.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from xlsxwriter.workbook import Workbook
from xlsxwriter.worksheet import Worksheet

from .. import vocab
from ..core.calibration import counted_in_distribution
from ..core.methods import tier_points
from ..data import Results
from ..issues import field_label
from ..vocab import Lang
from . import formulas as fx
from . import labels as lb
from . import parts
from . import sheetkit as sk
from . import styles as st

SCORE_KEYS = (
    "employee_id", "name", "team", "role", "category", "kpi", "direction", "method",
    "weight", "target", "actual", "attainment", "score", "status", "note",
    "cap", "floor", "tier_table", "points_per_unit", "step", "accel_from", "accel_by", "counted", "person_key",
)
SUMMARY_KEYS = (
    "employee_id", "name", "team", "role", "total", "grade", "team_rank", "overall_rank",
    "met", "near", "below", "nodata", "notes", "flags", "calibrated_grade",
    "coefficient", "base", "months_in_post", "pay",
    "person_key", "team_key", "in_distribution", "calibration_rank",
)
# 汇总 opens with a title row (period, teams) above its header row (0-based rows).
SUMMARY_HEADER_ROW = 1
STATUS_CODES = ("met", "near", "below", "nodata")


def _col(keys, key: str) -> str:
    return sk.col_letter(keys.index(key))


def summary_order(people: pd.DataFrame) -> pd.DataFrame:
    """汇总's rows: by overall rank, ties by 工号; people without a total last, by 工号."""
    key = pd.to_numeric(people["overall_rank"], errors="coerce").astype(float)
    order = np.lexsort((people["employee_id"].to_numpy(dtype=str), np.nan_to_num(key, nan=np.inf)))
    return people.take(order).reset_index(drop=True)


def ordered_scores(results: Results) -> pd.DataFrame:
    """明细 rows: people in 汇总 order, each person's KPIs in scheme order."""
    people = summary_order(results.people)
    pos = pd.Series(np.arange(len(people)), index=people["employee_id"].to_numpy())
    scores = results.scores.copy()
    scores["person_key"] = scores["employee_id"].map(pos).astype("float") + 1
    scores = scores.sort_values(["person_key", "order", "kpi"], kind="stable", na_position="last")
    return scores.reset_index(drop=True)


# --- 参数 -----------------------------------------------------------------------------


def write_params(book: Workbook, ws: Worksheet, styles: st.Styles, results: Results, lang: Lang
                 ) -> dict[str, tuple[str, str]]:
    """Settings under defined names, and the tier tables; returns each table's LOOKUP ranges
    (完成率下限, 得分比例, and for a 线性 table its slopes)."""
    name = lb.sheet_name("params", lang)
    settings = results.settings
    keys = list(vocab.SETTING_KEYS)
    values = [getattr(settings, k) for k in keys]
    # Below the settings, the months of the period: the divisor of 绩效工资's proration.
    names = [vocab.SETTING_KEYS[k][0 if lang == "zh" else 1] for k in keys] + [lb.text("period_months", lang)]
    keys.append("period_months")
    values.append(float(len(results.scope)))
    defined_names = {**fx.SETTING_NAMES, "period_months": fx.PERIOD_MONTHS}
    cols = [
        sk.Col("key", "", "str", names),
        # Thresholds rounded to 6 decimals, as the engine compares them (scoring.md, "Status").
        sk.Col("value", "", "num",
               [round(float(v), 6) if isinstance(v, (int, float)) and not isinstance(v, bool) else np.nan
                for v in values]),
        sk.Col("text", "", "str", [v if isinstance(v, str) else "" for v in values]),
        sk.Col("name", "", "str", [defined_names.get(k, "") for k in keys]),
    ]
    for c in cols:
        c.header = lb.label(lb.PARAMS, c.key, lang)
    layout = sk.Layout(print_area=False)
    last = sk.write_table(ws, styles, 0, 0, cols)
    sk.set_widths(ws, 0, cols, layout)
    for i, k in enumerate(keys):
        defined = defined_names.get(k)
        if defined:
            sk.check(ws, i + 1, 1, book.define_name(defined, f"='{name}'!$B${i + 2}"), "define_name")

    # Bounds rounded to 6 decimals like r (scoring.md, "Status"); of two equal bounds the
    # larger fraction sorts last, which LOOKUP finds, as the engine does. A 线性 table's
    # formulas also read its slopes (kpi_engine.core.methods.tier_points).
    tiers = tier_points(results.tiers)
    top = last + 2
    curve = np.where(tiers["linear"], vocab.word(vocab.CURVES, "linear", lang), vocab.word(vocab.CURVES, "steps", lang))
    tier_cols = [
        sk.Col("table", vocab.TIERS.field("table").label(lang), "str", tiers["table"]),
        sk.Col("from_r", vocab.TIERS.field("from_r").label(lang), "num", tiers["from6"], styles.get(st.PERCENT), num=st.PERCENT),
        sk.Col("fraction", vocab.TIERS.field("fraction").label(lang), "num", tiers["fraction"], styles.get(st.PERCENT), num=st.PERCENT),
        sk.Col("curve", vocab.TIERS.field("curve").label(lang), "str", pd.Series(curve)),
        sk.Col("slope", lb.label(lb.PARAMS, "slope", lang), "num", tiers["slope"]),
    ]
    sk.write_table(ws, styles, top, 0, tier_cols)
    sk.set_widths(ws, 0, tier_cols, layout)
    ranges: dict[str, tuple[str, ...]] = {}
    if len(tiers):
        first = tiers.groupby("table", sort=False).cumcount() == 0
        starts = tiers.index[first]
        ends = list(starts[1:] - 1) + [len(tiers) - 1]
        for s, e in zip(starts, ends):
            a, b = top + 2 + s, top + 2 + e  # 1-based Excel rows below the header
            rng = tuple(f"'{name}'!${c}${a}:${c}${b}" for c in "BC")
            ranges[tiers.at[s, "table"]] = (*rng, f"'{name}'!$E${a}:$E${b}") if tiers.at[s, "linear"] else rng
    layout.last_row, layout.last_col = last, 3  # the autofilter: the settings table
    layout.print_last_row = top + len(tiers)
    if by_rank(settings):
        layout.print_last_row = _write_calibration_params(book, ws, styles, results, lang, top + len(tiers) + 3)
    sk.finish(ws, layout)
    # Very hidden (only a macro shows it again): its cells are what the formulas read.
    ws.very_hidden()
    return ranges


def by_rank(settings) -> bool:
    """A forced distribution applied by rank (强制分布方式 = 按排名): 汇总 shows 校准等级."""
    return settings.forced_distribution is not None and settings.calibration_mode == "rank"


def calibration_groups(results: Results) -> pd.DataFrame:
    """The rows of 参数's calibration table, in the order 汇总's formulas index them: one
    row for everyone, or one per team in 部门序号 order. Cumulative head counts of the
    first three buckets and whether the group is calibrated (core.calibration)."""
    table = results.calibration
    wide = table.assign(upto=table.groupby("group", sort=False)["target"].cumsum())
    per = {g: rows for g, rows in wide.groupby("group", sort=False)}
    if results.settings.calibration_group == "team":
        groups = list(pd.unique(summary_order(results.people)["team"]))
    else:
        groups = [""]
    out = []
    for g in groups:
        rows = per.get(g)
        upto = [0, 0, 0] if rows is None else [*rows["upto"].tolist(), 0, 0][:3]
        out.append({"group": g, "scored": 0 if rows is None else int(rows["scored"].iloc[0]),
                    "upto1": upto[0], "upto2": upto[1], "upto3": upto[2],
                    "on": 1.0 if rows is not None and bool(rows["applied"].iloc[0]) else 0.0})
    return pd.DataFrame(out)


def calibration_live(results: Results) -> bool:
    """Whether 汇总 can rank its own rows for the calibration: always per team; for
    everyone only when the workbook holds everyone counted (not a team's workbook of
    --split-by team, whose company-wide ranks stand as values)."""
    return results.settings.calibration_group == "team" or holds_everyone(results)


def holds_everyone(results: Results) -> bool:
    """Whether this workbook's people are everyone the forced distribution counted (a
    team's workbook of --split-by team holds one team's)."""
    everyone = results.calibration.loc[results.calibration["group"] == ""]
    people = results.people
    here = int((people["total_rounded"].notna() & people["calibration_rank"].notna()).sum())
    return not everyone.empty and int(everyone["scored"].iloc[0]) == here


def _write_calibration_params(book: Workbook, ws: Worksheet, styles: st.Styles, results: Results, lang: Lang,
                              top: int) -> int:
    """参数's 强制分布 table under defined names (fx.CALIBRATION_NAMES); returns its last row."""
    name = lb.sheet_name("params", lang)
    groups = calibration_groups(results)
    everyone = lb.text("cal_everyone", lang)
    cols = [
        sk.Col("group", lb.label(lb.PARAMS, "cal_group", lang), "str", groups["group"].replace("", everyone)),
        sk.Col("scored", lb.label(lb.PARAMS, "cal_scored", lang), "num", groups["scored"].astype(float)),
        *[sk.Col(k, lb.label(lb.PARAMS, f"cal_{k}", lang), "num", groups[k].astype(float))
          for k in ("upto1", "upto2", "upto3", "on")],
    ]
    last = sk.write_table(ws, styles, top, 0, cols)
    first, end = top + 2, top + 1 + max(len(groups), 1)
    for defined, c in zip(fx.CALIBRATION_NAMES, "CDEF"):
        sk.check(ws, top, 0, book.define_name(defined, f"='{name}'!${c}${first}:${c}${end}"), "define_name")
    return last


# --- 明细 -----------------------------------------------------------------------------


def _ta_formats(values: pd.Series, percent: pd.Series, styles: st.Styles, unlocked: bool = False
                ) -> tuple[list, list[str]]:
    """Percent KPIs' T/A as percent; integers without decimals; others up to 3 decimals.

    ``unlocked``: editable on the protected sheet (明细's what-if path)."""
    v = values.to_numpy(dtype=float)
    whole = np.isfinite(v) & (np.floor(v) == v)
    num = np.where(percent.to_numpy(), st.PERCENT, np.where(whole, st.INTEGER, st.DECIMAL))
    cache = {n: styles.get(n, unlocked=unlocked) for n in (st.PERCENT, st.INTEGER, st.DECIMAL)}
    return [cache[n] for n in num], num.tolist()


def _row_notes(scores: pd.DataFrame, lang: Lang) -> list[str]:
    sep = lb.text("list_sep", lang)
    left = scores["left_out"].map(lambda t: lb.text("note_left_out_row", lang, months=sep.join(t)) if t else "")
    note = scores["note"].fillna("")
    both = (note != "") & (left != "")
    out = note.where(~both, note + lb.text("part_sep", lang) + left)
    return out.where(note != "", left).tolist()


def write_scores(ws: Worksheet, styles: st.Styles, scores: pd.DataFrame, results: Results, lang: Lang,
                 tier_ranges: dict[str, tuple[str, str]]) -> sk.Layout:
    keys = SCORE_KEYS
    cells = fx.ScoreCells(**{k: _col(keys, k) for k in (
        "weight", "target", "actual", "attainment", "score", "status", "cap", "floor", "points_per_unit", "step",
        "accel_from", "accel_by")})
    settings = results.settings
    n = len(scores)
    rows = np.arange(2, n + 2)  # Excel rows of the data
    words = {s: vocab.word(vocab.STATUSES, s, lang) for s in STATUS_CODES}
    zero = settings.missing_data == "zero"
    method = scores["method"]
    direction = scores["direction"]
    is_rating = (method == "rating").to_numpy()

    # 完成率: a formula per direction; 等级 rows hold the combined rating as a value. A
    # row the engine could not score although T and A are there (a 分段 KPI whose table
    # is missing) keeps its blank as a value: a formula would compute an r there.
    t, a = scores["target"], scores["actual"]
    unscorable = scores["attainment"].isna() & t.notna() & a.notna() & (t >= 0)
    live = (~(method == "rating") & ~unscorable).to_numpy()
    attain = pd.Series([None] * n, dtype=object)
    for d in ("higher", "lower"):
        mask = live & (direction == d).to_numpy()
        attain[mask] = fx.fill(fx.attainment(d, settings.lower_formula, cells), rows[mask])
    if settings.lower_formula == "inverse":  # A = 0 on a 分段 KPI: its table's top step counts too
        for table, (start, *_rest) in tier_ranges.items():
            mask = live & (direction == "lower").to_numpy() & (method == "tiers").to_numpy() & \
                (scores["tier_table"] == table).to_numpy()
            if mask.any():
                attain[mask] = fx.fill(fx.attainment("lower", "inverse", cells, top_step=start), rows[mask])
    attain[~live] = scores["attainment"][~live]

    # 得分: a formula per method (and direction, for 扣分).
    score = pd.Series([""] * n, dtype=object)
    for (m, d), idx in scores.groupby(["method", "direction"], sort=False).groups.items():
        mask = scores.index.isin(idx)
        if m == "tiers":
            for table, tidx in scores[mask].groupby("tier_table", sort=False).groups.items():
                tmask = scores.index.isin(tidx)
                if table in tier_ranges:
                    score[tmask] = fx.fill(fx.score(m, d, cells, zero_when_no_data=zero, tier_range=tier_ranges[table]), rows[tmask])
                else:  # no such table in force: the engine's value stands as a value
                    score[tmask] = scores["score"][tmask]
        elif m == "ratio":  # a row with an accelerator reads its 加速起点/加速倍数 cells
            fast = mask & scores["accel_by"].notna().to_numpy()
            for sub, on in ((mask & ~fast, False), (fast, True)):
                if sub.any():
                    score[sub] = fx.fill(fx.score(m, d, cells, zero_when_no_data=zero, accelerated=on), rows[sub])
        else:
            score[mask] = fx.fill(fx.score(m, d, cells, zero_when_no_data=zero), rows[mask])

    status = pd.Series([""] * n, dtype=object)
    status[is_rating] = fx.fill(fx.status(True, words, cells), rows[is_rating])
    status[~is_rating] = fx.fill(fx.status(False, words, cells), rows[~is_rating])

    percent = scores["is_percent"] | (scores["source"] == "training")
    t_fmt, _ = _ta_formats(scores["target"], percent, styles, unlocked=True)
    a_fmt, _ = _ta_formats(scores["actual"], percent, styles, unlocked=True)
    by_text = styles.by_status()
    status_words = scores["status"].map(words).fillna("")
    has = scores["attainment"].notna()
    points = styles.get(st.POINTS)
    muted = styles.get(st.GENERAL)
    notes = _row_notes(scores, lang)

    cols = [
        sk.Col("employee_id", "", "str", scores["employee_id"]),
        sk.Col("name", "", "str", scores["name"]),
        sk.Col("team", "", "str", scores["team"]),
        sk.Col("role", "", "str", scores["role"]),
        sk.Col("category", "", "str", scores["category"]),
        sk.Col("kpi", "", "str", scores["kpi"]),
        sk.Col("direction", "", "str", direction.map(lambda c: vocab.word(vocab.DIRECTIONS, c, lang))),
        sk.Col("method", "", "str", method.map(lambda c: vocab.word(vocab.METHODS, c, lang))),
        sk.Col("weight", "", "num", scores["weight"]),
        sk.Col("target", "", "num", scores["target"], t_fmt, num=st.DECIMAL),
        sk.Col("actual", "", "num", scores["actual"], a_fmt, num=st.DECIMAL),
        sk.Col("attainment", "", "mixed", attain, attainment_formats(scores, styles, lang), saved=scores["attainment"],
               num=st.PERCENT),
        sk.Col("score", "", "mixed", score, points, saved=scores["score"], num=st.POINTS),
        sk.Col("status", "", "formula", status, scores["status"].map(by_text), saved=status_words),
        sk.Col("note", "", "str", notes, styles.get(wrap=True), max_width=60),
        sk.Col("cap", "", "num", scores["cap"], styles.get(st.PERCENT), num=st.PERCENT, group=True),
        sk.Col("floor", "", "num", scores["floor"], styles.get(st.PERCENT), num=st.PERCENT, group=True),
        sk.Col("tier_table", "", "str", scores["tier_table"], group=True),
        sk.Col("points_per_unit", "", "num", scores["points_per_unit"], muted, group=True),
        sk.Col("step", "", "num", scores["step"], muted, group=True),
        sk.Col("accel_from", "", "num", scores["accel_from"], styles.get(st.PERCENT), num=st.PERCENT, group=True),
        sk.Col("accel_by", "", "num", scores["accel_by"], muted, group=True),
        sk.Col("counted", "", "formula", fx.fill(fx.counted(cells), rows), saved=has.astype(int), group=True),
        sk.Col("person_key", "", "num", scores["person_key"], group=True),
    ]
    for c in cols:
        c.header = lb.label(lb.SCORES, c.key, lang)
    last = sk.write_table(ws, styles, 0, 0, cols, bulk=True)
    # The filter spans the grouped columns too: a sort must move what the formulas read.
    layout = sk.Layout(last_row=last, last_col=keys.index("note"), freeze_cols=2, filter_last_col=len(keys) - 1)
    sk.set_widths(ws, 0, cols, layout)
    sk.fit_row_heights(ws, 1, [notes], [layout.widths[keys.index("note")]])
    if n:
        status_col = cells.status
        for key in ("attainment", "status"):
            c = keys.index(key)
            _recolour(ws, styles, 1, c, n, c, f"${status_col}2", words)
    sk.finish(ws, layout)
    return layout


def attainment_formats(frame: pd.DataFrame, styles: st.Styles, lang: Lang) -> list:
    """Each attainment cell's format: a percent in its status colour, or, when the target is
    0, the word for what r means there (styles.zero_target_format) in that colour."""
    status = frame["status"].where(frame["status"].notna() & (frame["status"] != ""), "nodata")
    by_pct = styles.by_status(st.PERCENT)
    out = status.map(by_pct)
    zero = ((frame["target"] == 0) & (frame["method"] != "rating")).to_numpy()
    if zero.any():
        direction = frame["direction"].where(frame["direction"] == "lower", "higher")
        keys = pd.Series(list(zip(direction[zero], status[zero])), index=out.index[zero])
        fmts = {k: styles.get(st.zero_target_format(k[0], lang), k[1]) for k in set(keys)}
        out[zero] = keys.map(fmts)
    return out.tolist()


def _recolour(ws: Worksheet, styles: st.Styles, first_row: int, first_col: int, last_row: int, last_col: int,
              status_cell: str, words: dict[str, str]) -> None:
    """Conditional formats: the cells follow the status word when a value is edited."""
    for code in STATUS_CODES:
        rc = ws.conditional_format(first_row, first_col, last_row, last_col, {
            "type": "formula",
            "criteria": f'={status_cell}="{words[code]}"',
            "format": styles.cf(code),
            "stop_if_true": True,
        })
        sk.check(ws, first_row, first_col, rc, "conditional_format")


# --- 汇总 -----------------------------------------------------------------------------


def person_notes(people: pd.DataFrame, lang: Lang) -> list[str]:
    """汇总 备注: KPIs without data, months left out, team/role changes (scoring.md)."""
    sep, part = lb.text("list_sep", lang), lb.text("part_sep", lang)

    def one(row) -> str:
        parts = []
        if pd.isna(row.total):
            parts.append(lb.text("note_no_data_at_all", lang))
        if row.missing_kpis:
            parts.append(lb.text("note_missing", lang, kpis=sep.join(row.missing_kpis)))
        if row.left_out:
            parts.append(lb.text("note_left_out", lang, months=sep.join(f"{k} {p}" for k, p in row.left_out)))
        if row.changes:
            parts.append(lb.text("note_changes", lang, changes=sep.join(_change(c, lang) for c in row.changes)))
        if row.incomplete and not parts:
            parts.append(lb.text("note_incomplete", lang))
        if row.total_rounded > 100:
            parts.append(lb.text("note_over_100", lang))
        if row.raw_grade and row.grade != row.raw_grade:
            parts.append(lb.text("note_calibrated", lang, raw=vocab.word(vocab.GRADES, row.raw_grade, lang),
                                 grade=vocab.word(vocab.GRADES, row.grade, lang)))
        return part.join(parts)

    frame = people[["total", "total_rounded", "missing_kpis", "left_out", "changes", "incomplete",
                    *(c for c in ("grade", "raw_grade") if c in people)]].copy()
    for c in ("grade", "raw_grade"):
        if c not in frame:
            frame[c] = ""
        frame[c] = frame[c].fillna("").astype(str)
    for c in ("missing_kpis", "left_out", "changes"):
        frame[c] = frame[c].map(lambda v: tuple(v) if isinstance(v, (tuple, list)) else ())
    return [one(r) for r in frame.itertuples(index=False)]


def _change(text: str, lang: Lang) -> str:
    """The core's ``"team: 华北 → 华东"`` with the field in the workbook's language."""
    key, found, rest = text.partition(": ")
    if found and key in ("team", "role", "name"):
        return f"{field_label(key, lang)}{'：' if lang == 'zh' else ': '}{rest}"
    return text


def _competition_rank(values: pd.Series, groups: pd.Series | None = None) -> pd.Series:
    if groups is None:
        return values.rank(method="min", ascending=False)
    return values.groupby(groups).rank(method="min", ascending=False)


def _same(a: pd.Series, b: pd.Series) -> bool:
    a = pd.to_numeric(a, errors="coerce").astype(float)
    b = pd.to_numeric(b, errors="coerce").astype(float)
    return bool(((a == b) | (a.isna() & b.isna())).all())


def summary_title(results: Results, lang: Lang, key: str = "summary_title") -> str:
    """The line above 汇总's table: what was scored, for whom."""
    scope = list(results.scope)
    period = " – ".join(dict.fromkeys((scope[0], scope[-1]))) if scope else "—"
    teams = list(dict.fromkeys(results.people["team"]))
    sep = lb.text("list_sep", lang)
    shown = sep.join(teams[:8]) + (lb.text("and_more", lang, n=len(teams)) if len(teams) > 8 else "")
    return lb.text(key, lang, period=period, teams=shown, n=len(results.people))


@dataclass(frozen=True)
class ScoresPart:
    """One sheet of 明细, as 汇总's formulas read it: its name, data rows and first 人员序号."""

    name: str
    rows: int
    first_key: float


def score_parts(scores: pd.DataFrame, parts: list) -> list[ScoresPart]:
    """The sheets of 明细 (parts.Part over ``scores``, the rows of :func:`ordered_scores`)."""
    keys = scores["person_key"].to_numpy(dtype=float)
    return [ScoresPart(p.name, p.rows, float(keys[p.start]) if p.rows else np.inf) for p in parts]


def write_summary(book: Workbook, ws: Worksheet, styles: st.Styles, results: Results, lang: Lang,
                  scores_parts: list[ScoresPart]) -> sk.Layout:
    people = summary_order(results.people)
    keys = SUMMARY_KEYS
    n = len(people)
    head = SUMMARY_HEADER_ROW
    rows = np.arange(head + 2, n + head + 2)  # Excel rows of the data
    first, end = head + 2, max(n + head + 1, head + 2)

    def ranges(part: ScoresPart) -> fx.ScoreRanges:
        q, last = f"'{part.name}'!", part.rows + 1

        def rng(key: str) -> str:
            c = _col(SCORE_KEYS, key)
            return f"{q}${c}$2:${c}${max(last, 2)}"

        return fx.ScoreRanges(key=rng("person_key"), weight=rng("weight"), score=rng("score"),
                              status=rng("status"), counted=rng("counted"))

    # A person's rows of 明细 are all on one of its sheets (parts.py): their row here reads
    # that sheet only. Person k (人员序号 k, this sheet's row k) is on the last sheet whose
    # first 人员序号 is k or less.
    first_keys = np.array([p.first_key for p in scores_parts[1:]], dtype=float)
    on_part = np.searchsorted(first_keys, np.arange(1, n + 1, dtype=float), side="right")
    by_part = [(ranges(p), on_part == i) for i, p in enumerate(scores_parts)]

    def per_person(template) -> list[str]:
        """``template(ranges)`` for each person's sheet of 明细, filled for their row."""
        if len(by_part) == 1:
            return fx.fill(template(by_part[0][0]), rows)
        out = np.empty(n, dtype=object)
        for rg, mask in by_part:
            if mask.any():
                out[mask] = fx.fill(template(rg), rows[mask])
        return out.tolist()

    key_cell = f"${_col(keys, 'person_key')}{{r}}"
    team_key_cell = f"${_col(keys, 'team_key')}{{r}}"
    total_cell = f"${_col(keys, 'total')}{{r}}"
    grade_cell = f"${_col(keys, 'grade')}{{r}}"
    total_col = _col(keys, "total")
    totals = f"${total_col}${first}:${total_col}${end}"
    tk = _col(keys, "team_key")
    team_keys = f"${tk}${first}:${tk}${end}"
    grades = {g: vocab.word(vocab.GRADES, g, lang) for g in vocab.GRADES}
    words = {s: vocab.word(vocab.STATUSES, s, lang) for s in STATUS_CODES}

    team_key = pd.Series(pd.factorize(people["team"])[0] + 1, dtype=float)
    rounded = people["total_rounded"]
    # A per-team workbook (--split-by team) keeps the ranks among everyone: those no
    # formula over this workbook's rows can give, so they stand as values there.
    team_rank_live = _same(_competition_rank(rounded, people["team"]), people["team_rank"])
    overall_live = _same(_competition_rank(rounded), people["overall_rank"])

    def ranks(live: bool, template: str, saved: pd.Series) -> tuple[str, list]:
        if live:
            return "mixed", fx.fill(template, rows)
        return "num", pd.to_numeric(saved, errors="coerce").astype(float).tolist()

    tr_kind, tr_values = ranks(team_rank_live, fx.team_rank(total_cell, team_key_cell, totals, team_keys), people["team_rank"])
    or_kind, or_values = ranks(overall_live, fx.overall_rank(total_cell, totals), people["overall_rank"])
    rank_saved = {
        "team_rank": pd.to_numeric(people["team_rank"], errors="coerce").astype(float),
        "overall_rank": pd.to_numeric(people["overall_rank"], errors="coerce").astype(float),
    }
    integer = styles.get("0")
    notes = person_notes(people, lang)
    flags = person_flags(people, lang)
    plain = styles.get()
    grade_fmt = people["raw_grade"].map(lambda g: styles.grade(g) if g else plain).tolist()
    calibrated_col, rank_col, pay_grade_cell = _calibration_cols(results, people, styles, lang, rows, {
        "total": total_cell, "grade": grade_cell, "totals": totals, "team_keys": team_keys,
        "team_key": team_key_cell, "first": first, "end": end})
    cols = [
        sk.Col("employee_id", "", "str", people["employee_id"]),
        sk.Col("name", "", "str", people["name"]),
        sk.Col("team", "", "str", people["team"]),
        sk.Col("role", "", "str", people["role"]),
        sk.Col("total", "", "formula", per_person(lambda rg: fx.total(results.settings.missing_data, rg, key_cell)),
               styles.get(st.POINTS, bold=True), saved=rounded, num=st.POINTS),
        sk.Col("grade", "", "formula", fx.fill(fx.grade(total_cell, grades), rows), grade_fmt,
               saved=people["raw_grade"].map(lambda g: grades.get(g, "")).fillna("")),
        sk.Col("team_rank", "", tr_kind, tr_values, integer, saved=rank_saved["team_rank"], num="0"),
        sk.Col("overall_rank", "", or_kind, or_values, integer, saved=rank_saved["overall_rank"], num="0"),
        *[sk.Col(s, "", "formula", per_person(lambda rg, s=s: fx.status_count(rg, key_cell, words[s])), integer,
                 saved=people[s].astype(float), num="0") for s in STATUS_CODES],
        sk.Col("notes", "", "str", notes, styles.get(wrap=True), max_width=70),
        sk.Col("flags", "", "str", flags, styles.get(wrap=True), max_width=24),
        calibrated_col,
        sk.Col("coefficient", "", "formula", fx.fill(fx.coefficient(pay_grade_cell, grades), rows), styles.get("0.00"),
               saved=people["coefficient"], num="0.00"),
        sk.Col("base", "", "num", people["base"], styles.get("#,##0.00", unlocked=True), num="#,##0.00"),
        sk.Col("months_in_post", "", "num", people["months_in_post"].astype(float), integer, num="0"),
        sk.Col("pay", "", "formula",
               fx.fill(fx.pay(results.settings.pay_rule, results.settings.prorate, f"${_col(keys, 'base')}{{r}}",
                              f"${_col(keys, 'coefficient')}{{r}}", total_cell,
                              f"${_col(keys, 'months_in_post')}{{r}}"), rows),
               styles.get("#,##0.00", bold=True), saved=people["pay"], num="#,##0.00"),
        sk.Col("person_key", "", "num", np.arange(1, n + 1, dtype=float), group=True),
        sk.Col("team_key", "", "num", team_key, group=True),
        # 1: counted in the grade distribution (总览's counts); 0: on probation with
        # 试用期不计入等级分布 = 是.
        sk.Col("in_distribution", "", "num", in_distribution(results.settings, people), group=True),
        rank_col,
    ]
    for c in cols:
        c.header = lb.label(lb.SUMMARY, c.key, lang)
    sk.check(ws, 0, 0, ws.write_string(0, 0, summary_title(results, lang), styles.get(title=True)), "title")
    last_row = sk.write_table(ws, styles, head, 0, cols, bulk=True)
    # The status-count headers wear their status's colour: the legend where it is read.
    for s in STATUS_CODES:
        c = keys.index(s)
        fmt = styles.get(status=s, header=False, bold=True)
        sk.check(ws, head, c, ws.write_string(head, c, lb.label(lb.SUMMARY, s, lang), fmt), "header")
    # The filter spans the hidden keys: a sort through it moves the keys with their row.
    layout = sk.Layout(header_row=head, title_rows=head, last_row=last_row, last_col=keys.index("pay"),
                       freeze_cols=2, filter_last_col=len(keys) - 1)
    sk.set_widths(ws, 0, cols, layout)
    sk.fit_row_heights(ws, head + 1, [notes, flags],
                       [layout.widths[keys.index("notes")], layout.widths[keys.index("flags")]])
    if n:
        for g in [keys.index("grade")] + ([keys.index("calibrated_grade")] if by_rank(results.settings) else []):
            for code in vocab.GRADES:
                rc = ws.conditional_format(head + 1, g, last_row, g, {
                    "type": "cell", "criteria": "==", "value": fx.quote(grades[code]),
                    "format": styles.grade_cf(code), "stop_if_true": True})
                sk.check(ws, head + 1, g, rc, "conditional_format")
    if n and rounded.notna().any() and last_row + 2 + sk.chart_rows(_chart_height(n)) < parts.EXCEL_ROWS:
        # On a printed page of its own, right after the table (below a table of a million
        # people there is no room, and no use, for it).
        layout.print_last_row = _totals_chart(book, ws, n, lang, keys, last_row + 2)
        sk.check(ws, last_row + 2, 0, ws.set_h_pagebreaks([last_row + 2]), "set_h_pagebreaks")
    sk.finish(ws, layout)
    return layout


def in_distribution(settings, people: pd.DataFrame) -> np.ndarray:
    """1.0 where the person counts in the grade distribution, 0.0 where not (on probation
    with 试用期不计入等级分布 = 是; core.teams.team_summary leaves the same people out)."""
    return counted_in_distribution(people["flags"], settings).astype(float)


def _calibration_cols(results: Results, people: pd.DataFrame, styles: st.Styles, lang: Lang, rows: np.ndarray,
                      cells: dict) -> tuple[sk.Col, sk.Col, str]:
    """汇总's 校准等级 and hidden 校准名次 columns, and the grade cell 系数 reads.

    Without 强制分布方式 = 按排名 both are blank, collapsed columns and 系数 reads 等级.
    Otherwise 校准名次 ranks the row in its group and 校准等级 looks its bucket up on
    参数 (fx.calibrated_grade); in a team's workbook of a company-wide calibration the
    ranks are the company's, so both stand as the engine's values."""
    n = len(people)
    grades = {g: vocab.word(vocab.GRADES, g, lang) for g in vocab.GRADES}
    settings = results.settings
    if not by_rank(settings):
        return (sk.Col("calibrated_grade", "", "str", [""] * n, group=True),
                sk.Col("calibration_rank", "", "num", [np.nan] * n, group=True), cells["grade"])
    keys = SUMMARY_KEYS
    rank_cell = f"${_col(keys, 'calibration_rank')}{{r}}"
    counted_col = _col(keys, "in_distribution")
    counted = f"${counted_col}${cells['first']}:${counted_col}${cells['end']}"
    saved_rank = pd.to_numeric(people["calibration_rank"], errors="coerce").astype(float)
    saved_grade = people["grade"].map(lambda g: grades.get(g, "")).fillna("")
    fmt = people["grade"].map(lambda g: styles.grade(g) if g else styles.get()).tolist()
    by_team = settings.calibration_group == "team"
    if calibration_live(results):
        group = cells["team_key"] if by_team else "1"
        rank = sk.Col("calibration_rank", "", "formula", fx.fill(fx.calibration_rank(
            cells["total"], f"${counted_col}{{r}}", cells["totals"], counted,
            cells["team_key"] if by_team else None, cells["team_keys"] if by_team else None), rows),
            styles.get("0"), saved=saved_rank, num="0", group=True)
        grade = sk.Col("calibrated_grade", "", "formula", fx.fill(fx.calibrated_grade(
            rank_cell, cells["grade"], group, len(settings.forced_distribution), grades), rows), fmt,
            saved=saved_grade)
    else:
        rank = sk.Col("calibration_rank", "", "num", saved_rank, styles.get("0"), num="0", group=True)
        grade = sk.Col("calibrated_grade", "", "str", saved_grade, fmt)
    return grade, rank, f"${_col(keys, 'calibrated_grade')}{{r}}"


def person_flags(people: pd.DataFrame, lang: Lang) -> list[str]:
    """汇总 标记: 新入职 / 离职 / 权重重分配, one per line."""
    return ["\n".join(lb.text(f"flag_{code}", lang) for code in codes) if isinstance(codes, tuple) else ""
            for codes in people["flags"]]


def _chart_height(n: int) -> int:
    """One landscape page holds ~40 bars; beyond that the chart runs on over pages."""
    return int(min(max(320, 15 * n + 90), 690)) if n <= 40 else int(min(22 * n + 90, 6000))


def _totals_chart(book: Workbook, ws: Worksheet, n: int, lang: Lang, keys, top: int) -> int:
    """Native bar chart of 总分 per person (outputs.md, "Charts"), below the table so that
    it prints with it; returns the last row it covers."""
    name = ws.get_name()
    first = SUMMARY_HEADER_ROW + 2
    chart = book.add_chart({"type": "bar"})
    names = f"='{name}'!$B${first}:$B${n + first - 1}"
    values = f"='{name}'!${_col(keys, 'total')}${first}:${_col(keys, 'total')}${n + first - 1}"
    chart.add_series({
        "name": lb.label(lb.SUMMARY, "total", lang),
        "categories": names,
        "values": values,
        "fill": {"color": "#5B9BD5"},
        "data_labels": {"value": True, "num_format": "0.00"},
    })
    chart.set_title({"name": lb.text("chart_totals", lang), "name_font": {"size": 12}})
    chart.set_legend({"none": True})
    # In an xlsxwriter bar chart the x axis is the horizontal (value) axis.
    chart.set_x_axis({"min": 0, "num_format": "0", "major_gridlines": {"visible": True}})
    chart.set_y_axis({"reverse": True})  # first person on top, as in the table
    height = _chart_height(n)
    chart.set_size({"width": 720, "height": height})
    rc = ws.insert_chart(top, 0, chart, {"object_position": 3})
    sk.check(ws, top, 0, rc, "insert_chart")
    return top + sk.chart_rows(height)
