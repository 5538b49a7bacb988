"""设置: key / value pairs, every key optional (inputs.md). Builds :class:`models.Settings`."""

from __future__ import annotations

import math
import re
import unicodedata

import pandas as pd
from pydantic import ValidationError

from .. import vocab
from ..core.calibration import shares_text
from ..issues import Issue, IssueType
from ..models import Settings
from .rows import BAD_NUMBER, BAD_WORD, OUT_OF_RANGE, REJECTED, SKIPPED, Rows, allowed_words
from .scheme import fractions
from .values import parse_numbers, word_lookup

UNKNOWN_SETTING = IssueType(
    "unknown_setting", "warning",
    zh="{where}：设置项 {value} 无法识别，已忽略。可用的设置项：{known}。",
    en="{where}: setting {value} is not known; ignored. Known settings: {known}.",
)
CONFLICTING_SETTING = IssueType(
    "conflicting_setting", "error",
    zh="{where}：设置 {key} 出现多次且值不同（{value}），沿用默认值 {default}。请只保留一个。",
    en="{where}: setting {key} is given more than once with different values ({value}); the default {default} is used. Keep one.",
)
SETTINGS_INVALID = IssueType(
    "settings_invalid", "error",
    zh="设置之间互相矛盾（{reason}），全部沿用默认值。请更正设置表。",
    en="The settings contradict each other ({reason}); all defaults are used. Correct the Settings sheet.",
)

BAD_DISTRIBUTION = IssueType(
    "bad_distribution", "error",
    zh="{where}：强制分布 {value} 无法识别。请写三个或四个百分数，用 / 分隔：20/70/10（优秀/良好+合格/待改进）"
    "或 10/40/40/10（优秀/良好/合格/待改进）。未启用强制分布。",
    en="{where}: forced distribution {value} cannot be read. Write three or four percentages separated by /: "
    "20/70/10 (Excellent / Good+Pass / Needs improvement) or 10/40/40/10 (one per grade). No forced distribution is used.",
)
DISTRIBUTION_NOT_100 = IssueType(
    "distribution_not_100", "error",
    zh="{where}：强制分布 {value} 合计 {sum}，应为 100%。请更正；未启用强制分布。",
    en="{where}: forced distribution {value} adds up to {sum}, not 100%. Correct it; no forced distribution is used.",
)

POINTS_KEYS = ("excellent_from", "good_from", "pass_from")
WORD_KEYS = vocab.SETTING_WORDS
# Plain numbers, never read as percentage points (a coefficient of 1.2, or 120%; 3 months).
COEFFICIENT_KEYS = tuple(vocab.GRADE_COEFFICIENTS.values())
COUNT_KEYS = {"probation_months": (0, 24)}


def _key_table() -> dict[str, tuple[str, ...]]:
    return {k: (zh, en, k.replace("_", "")) for k, (zh, en) in vocab.SETTING_KEYS.items()}


def read_settings(rows: Rows) -> tuple[Settings, list[Issue]]:
    rows.skip_non_rows("key")
    rows.reject_formulas(["key", "value"])
    keys, unknown, _ = word_lookup(rows.df["key"], _key_table())
    known = "、".join(zh for zh, _ in vocab.SETTING_KEYS.values())
    rows.flag(rows.live & unknown, UNKNOWN_SETTING, "key", known=known, status=SKIPPED)

    raw = rows.df["value"]
    n = parse_numbers(raw)
    values: dict[str, object] = {}
    defaults = Settings()
    parsed = pd.Series([None] * len(raw), index=raw.index, dtype=object)
    bad = pd.Series(False, index=raw.index)
    for key in vocab.SETTING_KEYS:
        m = rows.live & (keys == key)
        if not m.any():
            continue
        if key == "forced_distribution":
            filled = m & ~raw.map(_blank).astype(bool)
            shares = pd.Series(None, index=raw.index, dtype=object)
            shares[m] = raw[m].map(distribution).to_numpy(object)
            ok = shares.map(lambda v: isinstance(v, tuple) and abs(sum(v) - 1) <= 1e-6).astype(bool)
            parsed[m & ok] = shares[m & ok].to_numpy(object)
            rows.flag(filled & shares.isna(), BAD_DISTRIBUTION, "value")
            off = filled & shares.notna() & ~ok
            rows.flag(off, DISTRIBUTION_NOT_100, "value", sum=shares[off].map(lambda v: f"{sum(v):.0%}"))
        elif key in WORD_KEYS:
            codes, unk, blank = word_lookup(raw[m], WORD_KEYS[key])
            parsed[m] = codes.to_numpy(object)
            bad[m] = unk.to_numpy(bool)
        elif key in POINTS_KEYS:
            v = n.values[m].where(~n.percent[m], n.values[m] * 100)  # 90% on a points line means 90
            parsed[m] = v.astype(object).where(v.notna(), None).to_numpy(object)
            bad[m] = (n.bad[m] | (v.notna() & ~v.between(0, 200))).to_numpy(bool)
        elif key in COEFFICIENT_KEYS:
            v = n.values[m].where(~n.percent[m], n.values[m])  # 120% is 1.2 already
            parsed[m] = v.astype(object).where(v.notna(), None).to_numpy(object)
            bad[m] = (n.bad[m] | (v.notna() & (v < 0))).to_numpy(bool)
        elif key in COUNT_KEYS:
            lo, hi = COUNT_KEYS[key]
            v = n.values[m]
            whole = v.notna() & (v == v.round()) & v.between(lo, hi) & ~n.percent[m]
            parsed[m] = v.astype(object).where(v.notna(), None).map(lambda x: None if x is None else int(x)).to_numpy(object)
            bad[m] = (n.bad[m] | (v.notna() & ~whole)).to_numpy(bool)
        else:
            v = fractions(n.values[m], n.percent[m])
            parsed[m] = v.astype(object).where(v.notna(), None).to_numpy(object)
            bad[m] = (n.bad[m] | (v.notna() & (v < 0))).to_numpy(bool)
    # Bad values: the row is rejected and the key keeps its default (the message says so).
    for key in vocab.SETTING_KEYS:
        m = rows.live & (keys == key) & bad
        if not m.any():
            continue
        where_default = {"default": _show(getattr(defaults, key)), "key": vocab.SETTING_KEYS[key][0]}
        if key in WORD_KEYS:
            rows.flag(m, BAD_WORD, "value", allowed=allowed_words(WORD_KEYS[key]))
        else:
            unreadable = m & n.bad
            rows.flag(unreadable, BAD_NUMBER, "value")
            shown_range = ("0–200" if key in POINTS_KEYS else
                           f"{COUNT_KEYS[key][0]}–{COUNT_KEYS[key][1]}" if key in COUNT_KEYS else "≥ 0")
            rows.flag(m & ~unreadable, OUT_OF_RANGE, "value", range=shown_range, **where_default)
    live = rows.live
    # Several sheets (or rows) may set the same key: the same value is fine, different ones are not.
    for key, grp in parsed[live & parsed.notna()].groupby(keys[live & parsed.notna()], sort=False):
        distinct = set(map(_show, grp))
        if len(distinct) > 1:
            m = (keys == key) & rows.live & parsed.notna()
            rows.flag(m, CONFLICTING_SETTING, "value", key=vocab.SETTING_KEYS[key][0],
                      default=_show(getattr(defaults, key)))
        else:
            values[key] = grp.iloc[0]
    issues: list[Issue] = []
    try:
        settings = Settings(**values)
    except ValidationError as e:
        reason = "; ".join(err["msg"] for err in e.errors())
        issues.append(SETTINGS_INVALID(reason=reason))
        settings = Settings()
        rows.status[rows.live & keys.notna()] = REJECTED
    return settings, issues


def distribution(value) -> tuple[float, ...] | None:
    """``20/70/10``, ``20%/70%/10%``, ``0.2、0.7、0.1`` or ``10/40/40/10`` → shares as
    fractions (summing to 1 when written right); None when it is not three or four numbers.
    Percent signs or a sum near 100 mean percentages; a sum near 1, fractions."""
    if _blank(value) is not False:
        return None
    text = unicodedata.normalize("NFKC", str(value))
    parts = [p for p in re.split(r"[/|,;、:\s]+", text.strip()) if p]
    if len(parts) not in (3, 4):
        return None
    try:
        nums = [float(p.rstrip("%")) for p in parts]
    except ValueError:
        return None
    if any(not math.isfinite(x) or x < 0 for x in nums):
        return None
    if any(p.endswith("%") for p in parts) or abs(sum(nums) - 1) > 1e-6:
        nums = [x / 100 for x in nums]
    return tuple(round(x, 9) for x in nums)


def _blank(v) -> bool | None:
    """True for an empty cell, False for one with something in it."""
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return True
    return str(v).strip() == ""


def _show(v) -> str:
    if v is None:
        return "—"
    if isinstance(v, tuple):
        return shares_text(v)
    if isinstance(v, bool):
        return vocab.word(vocab.YES_NO, v, "zh")
    if isinstance(v, float):
        return f"{v:g}"
    return str(v)

