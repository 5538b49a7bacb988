"""考核方案 and 分段计分: the KPIs of each role, and the step tables (inputs.md).

The scheme is small (roles × KPIs), so after the vectorised parsing its rows are also
validated through pydantic (``TypeAdapter(list[SchemeRow])``) as a safety net.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from pydantic import TypeAdapter, ValidationError

from .. import vocab
from ..data import SCHEME_COLUMNS, TIER_COLUMNS, frame
from ..issues import IssueType
from ..models import SchemeRow, Tier
from .rows import MISSING_VALUE, REJECTED, Rows
from .values import normalise_word, word_lookup

WEIGHT_TOLERANCE = 1e-6

TIER_TABLE_INVALID = IssueType(
    "tier_table_invalid", "error",
    zh="分段表 {value}：{reason}。完成率下限须从 0% 开始且不重复；这张表未使用，引用它的指标无法计分。",
    en="Tier table {value}: {reason}. The from-attainments must start at 0% and not repeat; the table was not used and KPIs using it cannot be scored.",
)
TIER_TABLE_MISSING = IssueType(
    "tier_table_missing", "error",
    zh="{where}：计分方式为分段，但没有填写分段表。请填写分段计分表中的表名；这一行未使用。",
    en="{where}: the method is tiers but no tier table is given. Write a table name from the Tiers sheet; this row was not used.",
)
TIER_CURVE_INVALID = IssueType(
    "tier_curve_invalid", "error",
    zh="{where}：分段表 {value}：{reason_zh}这张表未使用，引用它的指标无法计分。",
    en="{where}: tier table {value}: {reason_en} The table was not used and KPIs using it cannot be scored.",
)
ACCELERATOR_MISSING = IssueType(
    "accelerator_missing", "error",
    zh="{where}：填写了加速起点，但没有加速倍数。请填写加速倍数（如 1.5），或清空加速起点；这一行未使用。",
    en="{where}: an accelerate-from is given but no accelerate-by. Write the multiplier (e.g. 1.5) or clear the accelerate-from; this row was not used.",
)
ACCELERATOR_IGNORED = IssueType(
    "accelerator_ignored", "warning",
    zh="{where}：加速起点/加速倍数只用于计分方式为完成率的指标，指标 {value} 的计分方式不是完成率，已忽略。"
    "分段指标可改用线性分段表。",
    en="{where}: accelerate-from/-by apply to ratio KPIs only; KPI {value} is scored by another method, so they "
    "were ignored. A tiers KPI can use a linear tier table instead.",
)
UNKNOWN_TIER_TABLE = IssueType(
    "unknown_tier_table", "error",
    zh="{where}：分段表 {value} 不存在于分段计分表中（现有：{known}）。这一行未使用。",
    en="{where}: tier table {value} is not in the Tiers sheet (known: {known}). This row was not used.",
)
POINTS_PER_UNIT_MISSING = IssueType(
    "points_per_unit_missing", "error",
    zh="{where}：计分方式为扣分，但没有填写每单位扣分。请填写；这一行未使用。",
    en="{where}: the method is deduction but no points per unit is given. Fill it in; this row was not used.",
)
BAD_SOURCE = IssueType(
    "bad_source", "error",
    zh="{where}：来源 {value} 无法识别。请写 本人、培训 或 团队:指标（如 团队:销售额）；这一行未使用。",
    en="{where}: source {value} is not understood. Write own, training or team:KPI (e.g. team:Sales); this row was not used.",
)
UNKNOWN_SOURCE_KPI = IssueType(
    "unknown_source_kpi", "error",
    zh="{where}：来源中的指标 {value} 不在考核方案中（现有：{known}）。这一行未使用。",
    en="{where}: the KPI {value} named in the source is not in the scheme (known: {known}). This row was not used.",
)
WEIGHTS_NOT_100 = IssueType(
    "weights_not_100", "error",
    zh="{where}：岗位 {value} 的权重合计为 {sum}，应为 100。该岗位的人员不计分；请调整权重。",
    en="{where}: the weights of role {value} add up to {sum}, not 100. People in this role are not scored; adjust the weights.",
)
ROLE_HAS_BAD_ROWS = IssueType(
    "role_has_bad_rows", "error",
    zh="岗位 {value} 的考核方案有错误的行（见上），该岗位的人员不计分。请更正后重新运行。",
    en="Role {value} has rows in error in the scheme (see above); people in this role are not scored. Correct them and run again.",
)
PERCENT_STEP_LARGE = IssueType(
    "percent_step_large", "warning",
    zh="{where}：{value} 是百分比指标，扣分步长 {step} 相当于 {points} 个百分点。如指 1 个百分点，请写 1%。",
    en="{where}: {value} is a percentage KPI, so a step of {step} is {points} percentage points. For one percentage point write 1%.",
)
SCHEME_ROW_INVALID = IssueType(
    "scheme_row_invalid", "error",
    zh="{where}：考核方案这一行无效（{reason}）。这一行未使用。",
    en="{where}: this scheme row is not valid ({reason}). This row was not used.",
)

PERCENT_UNITS = frozenset({"%", "percent", "百分比", "pct"})


def fractions(values: pd.Series, percent: pd.Series) -> pd.Series:
    """Fraction fields (cap, floor, tier values, settings rates): ``120%`` and ``1.2`` are 1.2;
    a plain number above 2 is read as percentage points (``120`` → 1.2), decisions.md."""
    return values.where(percent | (values.abs() <= 2), values / 100)


def is_percent_unit(units: pd.Series) -> pd.Series:
    return normalise_word(units).isin(PERCENT_UNITS)


# --- 分段计分 ------------------------------------------------------------------------------


def read_tiers(rows: Rows) -> tuple[pd.DataFrame, set[str]]:
    """The valid tier tables, sorted by from-attainment, and their names."""
    rows.skip_non_rows("table")
    rows.reject_formulas([f.key for f in rows.kind.fields])
    rows.require(["table"])
    table = rows.text("table")
    parsed = {"table": table}
    for key in ("from_r", "fraction"):
        n = rows.numbers(key)
        missing = rows.checkable & n.values.isna() & ~n.bad
        rows.flag(missing, MISSING_VALUE, key, "")
        parsed[key] = fractions(n.values, n.percent)
        rows.range_check(key, parsed[key], parsed[key] >= 0, "≥ 0")
    parsed["curve"] = rows.words("curve", vocab.CURVES)
    p = pd.DataFrame(parsed)
    rows.dedupe(["table", "from_r"], ["fraction", "curve"], p, lambda g: "分段表/Table " + g["table"].astype(str)
                + " " + (g["from_r"] * 100).round(6).astype(str) + "%")
    # A table with any row in error, a repeated from-value, or no 0% step is refused whole.
    names_all = table[(rows.status != "skipped") & (table != "")]
    valid: set[str] = set()
    for name in sorted(set(names_all)):
        in_table = (table == name) & (rows.status != "skipped")
        live = in_table & rows.live
        reason = ""
        if (in_table & (rows.status == REJECTED)).any():
            reason = "有错误的行 / has rows in error"
        else:
            froms = p.loc[live, "from_r"].round(9)
            if froms.duplicated().any():
                reason = f"完成率下限重复 / repeated from-attainment {froms[froms.duplicated()].iloc[0]:.0%}"
            elif froms.min() != 0:
                reason = f"最低完成率下限为 {froms.min():.0%}，不是 0% / lowest from-attainment is {froms.min():.0%}, not 0%"
        curves = set(p.loc[live, "curve"].dropna())
        curve_reason = ("", "")
        if not reason and len(curves) > 1:
            curve_reason = ("各行的计分曲线不一致（阶梯与线性并存），请在这张表各行写同一种，或只在一行写。",
                            "its rows give different curves (steps and linear); write one curve on every row, or on one row only.")
        elif not reason and curves == {"linear"} and live.sum() < 2:
            curve_reason = ("线性表至少需要两个点（如 0% 得 0%、100% 得 100%），请补充。",
                            "a linear table needs at least two points (e.g. 0% scores 0%, 100% scores 100%); add one.")
        if curve_reason[0]:
            # The cell to fix: the first row whose curve differs from the table's first one.
            given = p.loc[live & p["curve"].notna(), "curve"]
            first = (given != given.iloc[0]).idxmax() if len(curves) > 1 else given.index[0]
            s = rows.sheets[rows.df.at[first, "_sid"]]
            rows.issues.append(TIER_CURVE_INVALID(
                file=s.file, sheet=s.name, cell=rows.cells("curve", rows.df.index == first).iloc[0],
                field="curve", value=name, reason_zh=curve_reason[0], reason_en=curve_reason[1],
            ))
            rows.status[live] = REJECTED
        elif reason:
            first = in_table.idxmax()
            s = rows.sheets[rows.df.at[first, "_sid"]]
            rows.issues.append(TIER_TABLE_INVALID(
                file=s.file, sheet=s.name, cell=rows.cells("table", rows.df.index == first).iloc[0],
                field="table", value=name, reason=reason,
            ))
            rows.status[live] = REJECTED
        else:
            valid.add(name)
            p.loc[in_table, "curve"] = curves.pop() if curves else "steps"  # a blank row takes the table's
    keep = rows.live
    out = p[keep].copy()
    out = out.sort_values(["table", "from_r"], kind="stable")
    TypeAdapter(list[Tier]).validate_python(out.to_dict("records"))
    return frame(TIER_COLUMNS, out.reset_index(drop=True)), valid


# --- 考核方案 ------------------------------------------------------------------------------


class Scheme:
    """The parsed scheme before the percent KPIs are known (those need the target sheets' units)."""

    def __init__(self, rows: Rows, parsed: pd.DataFrame, invalid_roles: dict[str, str]):
        self.rows = rows
        self.parsed = parsed  # aligned with rows.df
        self.invalid_roles = invalid_roles  # role → the reason its people are not scored ("sum:95" or "rows")

    @property
    def roles(self) -> set[str]:
        return set(self.parsed.loc[self.rows.live, "role"])


def read_scheme(rows: Rows, tier_tables: set[str]) -> Scheme:
    rows.skip_non_rows("role")
    rows.reject_formulas([f.key for f in rows.kind.fields])
    rows.require(["role", "kpi"])
    p = pd.DataFrame(index=rows.df.index)
    for key in ("role", "kpi", "category", "tier_table", "unit"):
        p[key] = rows.text(key)

    w = rows.numbers("weight")
    rows.flag(rows.checkable & w.values.isna() & ~w.bad, MISSING_VALUE, "weight", "")
    rows.range_check("weight", w.values, (w.values >= 0) & (w.values <= np.where(w.percent, 1, 100)), "0–100")
    p["_weight_raw"] = w.values
    p["_weight_pct"] = w.percent

    p["direction"] = rows.words("direction", vocab.DIRECTIONS)
    p["method"] = rows.words("method", vocab.METHODS)
    p["aggregation"] = rows.words("aggregation", vocab.AGGREGATIONS)
    for key in ("cap", "floor"):
        n = rows.numbers(key)
        p[key] = fractions(n.values, n.percent)
        rows.range_check(key, p[key], p[key] >= 0, "≥ 0")
    n = rows.numbers("points_per_unit")
    p["points_per_unit"] = n.values
    rows.range_check("points_per_unit", n.values, n.values >= 0, "≥ 0")
    n = rows.numbers("step")
    p["step"] = n.values
    p["_step_text"] = rows.text("step")
    rows.range_check("step", n.values, n.values > 0, "> 0")
    _sources(rows, p)
    _accelerator(rows, p)

    rows.dedupe(["role", "kpi"], [c for c in p.columns if c not in ("role", "kpi")], p,
                lambda g: "岗位/Role " + g["role"] + " · 指标/KPI " + g["kpi"])

    live = rows.live
    tiers = live & (p["method"] == "tiers")
    rows.flag(tiers & (p["tier_table"] == ""), TIER_TABLE_MISSING, "tier_table", "")
    known = "、".join(sorted(tier_tables)) or "—"
    rows.flag(tiers & (p["tier_table"] != "") & ~p["tier_table"].isin(tier_tables), UNKNOWN_TIER_TABLE,
              "tier_table", known=known)
    rows.flag(rows.checkable & (p["method"] == "deduction") & p["points_per_unit"].isna(), POINTS_PER_UNIT_MISSING,
              "points_per_unit", "")
    team = rows.live & (p["source"] == "team")
    # Any KPI written in the scheme may be rolled up, even one whose own row has an error.
    kpis = set(p.loc[rows.status != "skipped", "kpi"]) - {""}
    rows.flag(team & ~p["source_kpi"].isin(kpis), UNKNOWN_SOURCE_KPI, "source", p["source_kpi"],
              known="、".join(sorted(kpis)))

    p["weight"] = np.nan
    invalid = _weights(rows, p)
    return Scheme(rows, p, invalid)


def _sources(rows: Rows, p: pd.DataFrame) -> None:
    """来源: 本人 / 培训 / 团队:指标 (either colon width) → source, source_kpi."""
    text = rows.text("source")
    text = text.str.replace("：", ":", regex=False)
    has_colon = text.str.contains(":", regex=False)
    parts = text.astype(object).str.extract(r"^([^:]*)(?::(.*))?$")
    head = parts[0].astype(object).fillna("").str.strip()
    tail = parts[1].astype(object).fillna("").str.strip()
    codes, unknown, blank = word_lookup(head.astype(object), vocab.SOURCES)
    codes = codes.where(~blank, "own")
    bad = unknown | ((codes == "team") & (tail == "")) | ((codes != "team") & has_colon & (tail != ""))
    rows.flag(rows.checkable & bad & (text != ""), BAD_SOURCE, "source")
    p["source"] = codes.where(~bad, "own")
    p["source_kpi"] = tail.where(codes == "team", "")


def _accelerator(rows: Rows, p: pd.DataFrame) -> None:
    """加速起点 (a fraction, like 封顶) and 加速倍数 (a plain multiplier ≥ 1) of 完成率 KPIs.

    A multiplier without a start accelerates from 100% (the core's default); a start without a
    multiplier is an error; on a KPI of another method both are ignored with a warning."""
    n = rows.numbers("accel_from")
    p["accel_from"] = fractions(n.values, n.percent)
    rows.range_check("accel_from", p["accel_from"], p["accel_from"] >= 0, "≥ 0")
    by = rows.numbers("accel_by")
    p["accel_by"] = by.values
    rows.range_check("accel_by", by.values, by.values >= 1, "≥ 1")
    rows.flag(rows.checkable & p["accel_from"].notna() & by.values.isna() & ~by.bad, ACCELERATOR_MISSING,
              "accel_by", "")
    given = p["accel_from"].notna() | p["accel_by"].notna()
    other = p["method"].notna() & (p["method"] != "ratio")
    ignored = rows.checkable & given & other
    field = np.where(p["accel_by"].notna(), "accel_by", "accel_from")
    for key in ("accel_by", "accel_from"):
        rows.flag(ignored & (field == key), ACCELERATOR_IGNORED, key, p["kpi"], status=None)
    p.loc[other, ["accel_from", "accel_by"]] = np.nan


def _weights(rows: Rows, p: pd.DataFrame) -> dict[str, str]:
    """权重 → points. ``30%`` is 30 points; plain numbers are fractions when the role's plain
    weights sum to 1, points when they sum to 100. A role not summing to 100, or with any
    row in error, is dropped: its rows are rejected, its people not scored."""
    invalid: dict[str, str] = {}
    seen = rows.status != "skipped"
    role_rows = p.loc[seen & (p["role"] != "")]
    if role_rows.empty:
        return invalid
    live = rows.live
    pct_pts = (p["_weight_raw"] * 100).where(p["_weight_pct"], 0.0).where(live, 0.0)
    plain = p["_weight_raw"].where(~p["_weight_pct"], 0.0).where(live, 0.0)
    by_role = pd.DataFrame({"role": p["role"], "pct": pct_pts, "plain": plain, "live": live,
                            "rej": rows.status == REJECTED, "seen": seen})
    by_role = by_role[by_role["seen"] & (by_role["role"] != "")]
    g = by_role.groupby("role", sort=True).agg(pct=("pct", "sum"), plain=("plain", "sum"),
                                              rej=("rej", "any"), n=("live", "sum"))
    as_points = (g["plain"] + g["pct"] - 100).abs() <= WEIGHT_TOLERANCE
    as_fraction = (g["plain"] * 100 + g["pct"] - 100).abs() <= WEIGHT_TOLERANCE
    factor = pd.Series(np.where(as_points, 1.0, np.where(as_fraction, 100.0, np.nan)), index=g.index)
    role_factor = p["role"].map(factor)
    p["weight"] = np.where(p["_weight_pct"], p["_weight_raw"] * 100, p["_weight_raw"] * role_factor)
    for role, r in g.iterrows():  # one iteration per role: a handful
        in_role = seen & (p["role"] == role)
        if r["rej"]:
            invalid[role] = "rows"
            first = in_role.idxmax()
            s = rows.sheets[rows.df.at[first, "_sid"]]
            rows.issues.append(ROLE_HAS_BAD_ROWS(file=s.file, sheet=s.name, value=role))
        elif np.isnan(factor[role]):
            # Shown as points: plain weights read as fractions when none is above 1.
            plain_max = p.loc[in_role & live & ~p["_weight_pct"], "_weight_raw"].max()
            total = g.at[role, "pct"] + g.at[role, "plain"] * (100 if (np.isnan(plain_max) or plain_max <= 1) else 1)
            invalid[role] = _fmt(total)
            first = (in_role & live).idxmax()
            s = rows.sheets[rows.df.at[first, "_sid"]]
            rows.issues.append(WEIGHTS_NOT_100(
                file=s.file, sheet=s.name, cell=rows.cells("weight", rows.df.index == first).iloc[0],
                field="weight", value=role, sum=_fmt(total),
            ))
        else:
            continue
        rows.status[in_role & live] = REJECTED
    return invalid


def _fmt(x: float) -> str:
    return f"{x:.6f}".rstrip("0").rstrip(".")


def finish_scheme(scheme: Scheme, percent: pd.Series) -> pd.DataFrame:
    """Resolve the defaults that depend on whether each KPI is a percentage, then validate.

    ``percent`` is aligned with the scheme rows: True for a % KPI."""
    rows, p = scheme.rows, scheme.parsed
    p["is_percent"] = percent.reindex(p.index, fill_value=False).astype(bool)
    p["aggregation"] = p["aggregation"].where(p["aggregation"].notna(),
                                              np.where(p["is_percent"], "mean", "sum"))
    p["direction"] = p["direction"].fillna("higher")
    p["method"] = p["method"].fillna("ratio")
    p["floor"] = p["floor"].fillna(0.0)
    p["step"] = p["step"].where(p["step"].notna(), np.where(p["is_percent"], 0.01, 1.0))
    large = rows.live & p["is_percent"] & (p["step"] >= 1) & (p["_step_text"] != "")
    rows.flag(large, PERCENT_STEP_LARGE, "step", p["kpi"], status=None,
              step=p["_step_text"], points=(p["step"] * 100).map(_fmt))
    live = rows.live
    out = p[live].copy()
    out["order"] = np.arange(len(out))
    out = frame(SCHEME_COLUMNS, out.reset_index(drop=True))
    _validate(rows, out, p.index[live])
    return frame(SCHEME_COLUMNS, out[rows.live[p.index[live]].to_numpy()].reset_index(drop=True))


def _validate(rows: Rows, out: pd.DataFrame, source_index) -> None:
    """pydantic on the (small) scheme: a row the vectorised checks let through but the model
    refuses is reported, never passed on."""
    records = out.to_dict("records")
    try:
        TypeAdapter(list[SchemeRow]).validate_python(records)
        return
    except ValidationError as e:
        bad = {err["loc"][0]: err["msg"] for err in e.errors() if err["loc"]}
    for i, msg in bad.items():
        idx = source_index[i]
        rows.flag(rows.df.index == idx, SCHEME_ROW_INVALID, "kpi", reason=msg)
