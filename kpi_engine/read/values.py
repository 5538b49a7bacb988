"""Cell values → typed columns, vectorised (inputs.md, "Reading cell values").

Every parser takes a column of raw cells as calamine gives them (``str``, ``float``,
``int``, ``bool``, ``datetime.date``/``datetime``, ``''`` for an empty cell) and returns
the parsed column plus a mask of the cells that could not be read. Nothing here knows
about sheets, files or issues: the callers turn the masks into issues.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata

import numpy as np
import pandas as pd

# "No data" words of inputs.md, compared after NFKC, trimming and casefolding.
NO_DATA_WORDS = frozenset({"", "-", "—", "–", "/", "n/a", "na", "无", "暂无", "空"})

_NUMBER = re.compile(r"^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:e[+-]?\d+)?$")
_CURRENCY_PRE = re.compile(r"^(?:rmb|cny|[¥$])\s*")
_CURRENCY_POST = re.compile(r"\s*(?:元|rmb|cny)$")
# Thousands separators only where they group digits: 1,200,000 or 120,0000 (万 grouping).
_GROUPED = re.compile(r"^[+-]?(?:\d{1,3}(?:,\d{3})+|\d{1,4}(?:,\d{4})+)(?:\.\d+)?$")
# Characters NFKC leaves alone but people type for a minus sign or a space.
_TRANSLATE = str.maketrans({"\u2212": "-", "\u00a0": " ", "\u3000": " ", "\u200b": ""})


def on_distinct(text: pd.Series, fn):
    """``fn`` (vectorised over a Series of str) run on the distinct values only, then spread
    back: a KPI sheet repeats a few names, teams, roles, KPIs and months a million times,
    and pandas' string methods cost a Python call per element. ``text`` holds str only."""
    if len(text) < 256:
        return fn(text.astype(object))
    codes, uniques = pd.factorize(text.to_numpy(dtype=object))
    out = fn(pd.Series(uniques, dtype=object))
    if isinstance(out, pd.DataFrame):
        res = out.iloc[codes]
        res.index = text.index
        return res
    return pd.Series(out.to_numpy()[codes], index=text.index, dtype=out.dtype)


# infer_dtype's answer for a column all of one type (no NaN): that type for every cell.
_UNIFORM = {"string": str, "floating": float, "integer": int}


def kinds(s: pd.Series) -> pd.Series:
    """The Python type of every cell, for masks (``map(type)`` runs in C, not per row in Python).

    A column of one type only (all text, or all numbers — the usual case) is recognised by
    one scan that stops at the first odd cell, and skips the per-cell map."""
    if len(s) and s.dtype == object:  # (a str-dtype column answers from its dtype, NaN or not)
        uniform = _UNIFORM.get(pd.api.types.infer_dtype(s.to_numpy(), skipna=False))
        if uniform is not None:
            return pd.Series(np.full(len(s), uniform, dtype=object), index=s.index)
    return s.map(type)


def _is_number_type(t: pd.Series) -> pd.Series:
    return t.isin([float, int, np.float64, np.int64])


def _is_date_type(t: pd.Series) -> pd.Series:
    return t.isin([dt.date, dt.datetime, pd.Timestamp])


def blank_mask(s: pd.Series) -> pd.Series:
    """Cells with nothing in them: empty, whitespace only, or None/NaN."""
    arr = s.to_numpy(dtype=object)
    # Empty cells ('' from calamine) and NaN/None first, without looking at types; only
    # the other cells can still be text of spaces.
    blank = pd.isna(arr) | (arr == "")
    rest = np.flatnonzero(~blank)
    if rest.size:
        sub = pd.Series(arr[rest], dtype=object)
        isstr = (kinds(sub) == str).to_numpy()
        if isstr.any():
            spaces = on_distinct(sub[isstr], lambda u: u.str.translate(_TRANSLATE).str.strip() == "")
            blank[rest[isstr]] = spaces.to_numpy(dtype=bool)
    return pd.Series(blank, index=s.index)


def _text_of(s: pd.Series, t: pd.Series) -> pd.Series:
    """Every cell as text: numbers without a spurious ``.0``, dates as ISO, bools as TRUE/FALSE."""
    isstr = t == str
    if isstr.all():
        return s.astype(object)
    out = pd.Series([""] * len(s), index=s.index, dtype=object)
    out[isstr] = s[isstr].to_numpy()
    isnum = _is_number_type(t)
    if isnum.any():
        v = s[isnum].astype(float)
        whole = np.isfinite(v) & (v == np.floor(v)) & (v.abs() < 1e15)
        out[isnum & whole.reindex(s.index, fill_value=False)] = v[whole].astype(np.int64).astype(str)
        rest = isnum & ~whole.reindex(s.index, fill_value=False)
        out[rest] = v[~whole].map(repr)
    other = ~isstr & ~isnum & s.notna()
    if other.any():
        out[other] = s[other].map(_other_text)
    return out


def _other_text(v) -> str:
    if isinstance(v, bool):
        return "TRUE" if v else "FALSE"
    if isinstance(v, (dt.datetime, pd.Timestamp)):
        return v.strftime("%Y-%m-%d %H:%M") if (v.hour or v.minute) else v.strftime("%Y-%m-%d")
    if isinstance(v, dt.date):
        return v.isoformat()
    return str(v)


def clean_text(s: pd.Series) -> pd.Series:
    """Text fields: trimmed (full-width spaces too), inner runs of whitespace folded to one space."""
    text = _text_of(s, kinds(s))
    if len(text) == 0:
        return text.astype(object)
    return on_distinct(text, lambda u: u.str.translate(_TRANSLATE).str.replace(r"\s+", " ", regex=True)
                       .str.strip().astype(object))


def normalise_word(s: pd.Series) -> pd.Series:
    """Text for matching fixed words: NFKC, spaces removed, casefolded."""
    text = clean_text(s)
    if len(text) == 0:
        return text.astype(object)
    return on_distinct(text, lambda u: u.str.normalize("NFKC").str.replace(r"\s+", "", regex=True)
                       .str.casefold().astype(object))


def _prepared(text: pd.Series) -> pd.Series:
    """Number text after NFKC (full-width → half-width), trimming and casefolding."""
    return text.astype(str).str.normalize("NFKC").str.translate(_TRANSLATE).str.strip().str.casefold()


class Numbers:
    """A parsed number column: values, which cells were unreadable, and how they were written."""

    __slots__ = ("values", "bad", "percent", "own_unit", "is_text")

    def __init__(self, values, bad, percent, own_unit, is_text):
        self.values: pd.Series = values  # float64, NaN for no data (and for bad cells)
        self.bad: pd.Series = bad  # bool: neither a number nor a no-data word
        self.percent: pd.Series = percent  # bool: written with a trailing %
        self.own_unit: pd.Series = own_unit  # bool: text carrying its own unit (%, 万, 元, ¥ …)
        self.is_text: pd.Series = is_text  # bool: the cell held text (not a numeric cell)


def parse_numbers(s: pd.Series, scale: float | pd.Series = 1.0) -> Numbers:
    """Numbers per inputs.md. ``scale`` is the column's unit hint (10,000 under ``(万元)``),
    one number or one per cell; a text value carrying its own unit is read by that unit alone."""
    idx = s.index
    scale = pd.Series(scale, index=idx, dtype="float64") if np.isscalar(scale) else scale.astype("float64")
    t = kinds(s)
    values = pd.Series(np.nan, index=idx, dtype="float64")
    bad = pd.Series(False, index=idx)
    percent = pd.Series(False, index=idx)
    own = pd.Series(False, index=idx)

    isnum = _is_number_type(t)
    if isnum.any():
        values[isnum] = (s[isnum].astype("float64") * scale[isnum]).to_numpy()
    isstr = t == str
    if isstr.any():
        got = on_distinct(s[isstr], _text_numbers)
        ok, has_unit = got["ok"].to_numpy(bool), got["unit"].to_numpy(bool)
        factor = np.where(has_unit, got["factor"].to_numpy(float), scale[isstr].to_numpy())
        values[isstr] = np.where(ok, got["num"].to_numpy(float) * factor, np.nan)
        bad[isstr] = ~ok & ~got["nodata"].to_numpy(bool)
        percent[isstr] = got["pct"].to_numpy(bool) & ok
        own[isstr] = has_unit & ok
    # bools, dates and anything else are not numbers
    other = ~isnum & ~isstr & s.notna()
    bad |= other
    # 1e999, or 1e305 under a 万 hint, is no amount: infinity would poison every sum.
    infinite = values.notna() & ~np.isfinite(values)
    bad |= infinite
    values[infinite] = np.nan
    return Numbers(values, bad, percent, own, isstr)


def _text_numbers(u: pd.Series) -> pd.DataFrame:
    """Number text → (num, ok, nodata, pct, unit, factor) for each distinct text."""
    text = _prepared(u)
    nodata = text.isin(NO_DATA_WORDS)
    pct = text.str.endswith("%")
    body = text.str.replace(r"%$", "", regex=True).str.strip()
    wan = body.str.contains(r"万元?$", regex=True)
    body = body.str.replace(r"万元?$", "", regex=True).str.strip()
    # Currency marks only before or after the number: 12元5 is not a number.
    pre = body.str.contains(_CURRENCY_PRE, regex=True)
    body = body.str.replace(_CURRENCY_PRE, "", regex=True)
    post = body.str.contains(_CURRENCY_POST, regex=True)
    body = body.str.replace(_CURRENCY_POST, "", regex=True).str.strip()
    grouped = body.str.match(_GROUPED)
    body = body.where(~grouped, body.str.replace(",", "", regex=False))
    ok = body.str.match(_NUMBER) & ~nodata
    num = pd.to_numeric(body.where(ok, None), errors="coerce")
    ok &= num.notna()  # e.g. 1e999, which some pandas versions refuse instead of giving inf
    # Divide for %, so that 95% is exactly 0.95 (95 * 0.01 is 0.9500000000000001).
    num = num.where(~pct, num / 100)
    return pd.DataFrame({
        "num": num.astype(float), "ok": ok.astype(bool), "nodata": nodata.astype(bool),
        "pct": pct.astype(bool), "unit": (pct | wan | pre | post).astype(bool),
        "factor": np.where(wan & ~pct, 10_000.0, 1.0),
    }, index=u.index)


# --- periods -------------------------------------------------------------------------

_PERIOD_PATTERNS = (
    # 2026-03, 2026/3, 2026.03, 2026年3月, 2026-03-15, 2026/3/15, 2026年3月15日
    re.compile(r"^(?P<y>\d{4})\s*(?:[-/.]|年)\s*(?P<m>\d{1,2})\s*(?:月)?(?:\s*(?:[-/.]|月)?\s*(?P<d>\d{1,2})\s*日?)?(?:[ t]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?$"),
    re.compile(r"^(?P<y>\d{4})(?P<m>\d{2})(?P<d>\d{2})?$"),  # 202603, 20260315
)
DAY_MAX_YEAR = 2261  # the last full year of pandas' datetime64[ns]
_MONTHS = {m: i for i, m in enumerate(
    ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"], start=1)}
_EN_MONTH = re.compile(r"^(?P<mn>[a-z]{3})[a-z]*\.?[\s,/-]*(?P<y>\d{4})$")


class Periods:
    """A parsed period column: ``"YYYY-MM"`` or ``""``, and why a cell failed."""

    __slots__ = ("values", "bad", "decimal", "blank", "date", "impossible")

    def __init__(self, values, bad, decimal, blank, date, impossible):
        self.values: pd.Series = values
        self.bad: pd.Series = bad  # not a month
        self.decimal: pd.Series = decimal  # a decimal number such as 2026.1: ambiguous
        self.blank: pd.Series = blank
        self.date: pd.Series = date  # the day, where the cell named one (datetime64, NaT otherwise)
        self.impossible: pd.Series = impossible  # names a day its month does not have (2026-02-30, 20260230)


_DAYS_IN_MONTH = np.array([31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31])


def _real_day(y: pd.Series, m: pd.Series, d: pd.Series) -> pd.Series:
    """True where (y, m, d) is a day of the calendar, for any year (no datetime64 bounds)."""
    y = pd.to_numeric(y, errors="coerce").fillna(0).astype("int64")
    m = pd.to_numeric(m, errors="coerce").fillna(0).astype("int64")
    d = pd.to_numeric(d, errors="coerce").fillna(0).astype("int64")
    leap = (y % 4 == 0) & ((y % 100 != 0) | (y % 400 == 0))
    last = pd.Series(_DAYS_IN_MONTH[m.clip(1, 12) - 1], index=m.index) + (leap & (m == 2)).astype("int64")
    return m.between(1, 12) & (d >= 1) & (d <= last)


def _ym(y: pd.Series, m: pd.Series) -> tuple[pd.Series, pd.Series]:
    y = pd.to_numeric(y, errors="coerce")
    m = pd.to_numeric(m, errors="coerce")
    # 1900 is refused: a date there is Excel's serial 0–60 zone (serial 60 is 1900-02-29,
    # a day that never was), i.e. a small number under a date format, not a KPI month.
    ok = y.between(1901, 2999) & m.between(1, 12)
    text = y.fillna(0).astype(int).astype(str).str.zfill(4) + "-" + m.fillna(0).astype(int).astype(str).str.zfill(2)
    return text.where(ok, ""), ok


def parse_periods(s: pd.Series, *, want_day: bool = False) -> Periods:
    """Months per inputs.md: text forms, the number 202603, Excel dates (any day → its month).

    A non-integer number is refused as ambiguous (2026.1: January or October?).
    With ``want_day``, text and numbers naming a day (``2026-03-15``, ``20260315``) also
    give that date in ``Periods.date`` (培训记录's 日期)."""
    idx = s.index
    t = kinds(s)
    values = pd.Series("", index=idx, dtype=object)
    bad = pd.Series(False, index=idx)
    decimal = pd.Series(False, index=idx)
    date = pd.Series(pd.NaT, index=idx, dtype="datetime64[ns]")
    impossible = pd.Series(False, index=idx)
    blank = blank_mask(s)

    isdate = _is_date_type(t)
    if isdate.any():
        cells = s[isdate]
        y, m = cells.map(lambda d: d.year), cells.map(lambda d: d.month)
        ym, ok = _ym(y, m)
        values[isdate] = ym.to_numpy()
        bad[isdate] = (~ok).to_numpy()
        if want_day:
            # A day must fit pandas' nanosecond timestamps (to 2262); a month needs not.
            fits = ok & y.between(1901, DAY_MAX_YEAR)
            bad[isdate] = (~fits).to_numpy()
            days = cells[fits].map(lambda d: f"{d.year:04d}-{d.month:02d}-{d.day:02d}")
            date[days.index] = pd.to_datetime(days, format="%Y-%m-%d").astype("datetime64[ns]").to_numpy()
    isnum = _is_number_type(t)
    if isnum.any():
        v = s[isnum].astype("float64")
        whole = v == np.floor(v)
        iv = v.where(whole, 0).astype("int64")
        six = whole & iv.between(190001, 299912)
        eight = whole & iv.between(19000101, 29991231)
        day_ok = eight & iv.between(19010101, DAY_MAX_YEAR * 10000 + 1231)
        y = (iv // 100).where(six, iv // 10000)
        m = (iv % 100).where(six, (iv // 100) % 100)
        text, ok = _ym(y, m)
        ok &= six | eight
        unreal = ok & eight & ~six & ~_real_day(y, m, iv % 100)
        ok &= ~unreal
        impossible[isnum] = unreal.to_numpy(bool)
        values[isnum] = text.where(ok, "").to_numpy()
        if want_day and day_ok.any():
            got = pd.to_datetime(iv[day_ok].astype(str), format="%Y%m%d", errors="coerce")
            date[got.index] = got.astype("datetime64[ns]").to_numpy()
        dec = (~whole & v.between(1900, 3000)).to_numpy(bool)
        decimal[isnum] = dec
        bad[isnum] = ~ok.to_numpy(bool) & ~dec & ~unreal.to_numpy(bool)
    isstr = (t == str) & ~blank
    if isstr.any():
        got = on_distinct(s[isstr], lambda u: _text_periods(u, want_day))
        values[isstr] = got["ym"].to_numpy()
        impossible[isstr] = got["impossible"].to_numpy(bool)
        bad[isstr] = ((got["ym"] == "") & ~got["impossible"]).to_numpy(bool)
        if want_day:
            date[isstr] = got["date"].to_numpy()
    other = ~isdate & ~isnum & (t != str) & s.notna()
    bad |= other
    return Periods(values, bad & ~blank, decimal, blank, date, impossible)


def _text_periods(u: pd.Series, want_day: bool) -> pd.DataFrame:
    text = _prepared(u)
    got = pd.Series("", index=text.index, dtype=object)
    impossible = pd.Series(False, index=text.index)
    for pat in _PERIOD_PATTERNS:
        parts = text.str.extract(pat)
        ym, ok = _ym(parts["y"], parts["m"])
        take = ok & (got == "") & ~impossible
        # A month with a day must be a real day: 2026-02-30 and 20260230 are typing slips,
        # not February (issue 12).
        unreal = take & parts["d"].notna() & ~_real_day(parts["y"], parts["m"], parts["d"])
        impossible |= unreal
        take &= ~unreal
        got[take] = ym[take]
    parts = text.str.extract(_EN_MONTH)
    mn = parts["mn"].map(_MONTHS)
    ym, ok = _ym(parts["y"], mn)
    take = ok & (got == "")
    got[take] = ym[take]
    date = _text_dates(text) if want_day else pd.Series(pd.NaT, index=text.index, dtype="datetime64[ns]")
    return pd.DataFrame({"ym": got, "date": date.astype("datetime64[ns]"), "impossible": impossible},
                        index=u.index)


def _text_dates(text: pd.Series) -> pd.Series:
    """The day named by date text (2026-03-15, 2026/3/15, 2026年3月15日, 20260315); NaT when none."""
    parts = text.str.extract(
        r"^(?P<y>\d{4})\s*(?:[-/.]|年)\s*(?P<m>\d{1,2})\s*(?:[-/.]|月)\s*(?P<d>\d{1,2})\s*日?(?:[ t].*)?$"
    )
    eight = text.str.extract(r"^(?P<y>\d{4})(?P<m>\d{2})(?P<d>\d{2})$")
    parts = parts.fillna(eight)
    joined = parts["y"] + "-" + parts["m"].str.zfill(2) + "-" + parts["d"].str.zfill(2)
    fits = pd.to_numeric(parts["y"], errors="coerce").between(1901, DAY_MAX_YEAR)
    out = pd.Series(pd.NaT, index=text.index, dtype="datetime64[ns]")
    if fits.any():
        out[fits] = pd.to_datetime(joined[fits], format="%Y-%m-%d", errors="coerce").astype("datetime64[ns]").to_numpy()
    return out


def month_start(ym: pd.Series) -> pd.Series:
    """``"YYYY-MM"`` → the month's first day (NaT for "" and for years past DAY_MAX_YEAR)."""
    out = pd.Series(pd.NaT, index=ym.index, dtype="datetime64[ns]")
    fits = (ym != "") & pd.to_numeric(ym.str[:4], errors="coerce").between(1901, DAY_MAX_YEAR)
    if fits.any():
        out[fits] = pd.to_datetime(ym[fits] + "-01", format="%Y-%m-%d").astype("datetime64[ns]").to_numpy()
    return out


def parse_period(value) -> str | None:
    """One cell → ``"YYYY-MM"``, or None when it is not a month (see :func:`parse_periods`)."""
    if isinstance(value, float) and np.isnan(value):
        return None
    got = parse_periods(pd.Series([value], dtype=object))
    out = got.values.iloc[0]
    return out or None


# --- fixed words ---------------------------------------------------------------------


def word_lookup(s: pd.Series, table: dict) -> tuple[pd.Series, pd.Series, pd.Series]:
    """Fixed words (vocab tables) → codes. Returns (codes with None for blank/unknown,
    unknown mask, blank mask). Matching is case-insensitive, spaces ignored, NFKC."""
    key = normalise_word(s)
    mapping = {}
    for code, words in table.items():
        for w in words:
            mapping[unicodedata.normalize("NFKC", "".join(w.split())).casefold()] = code
    codes = key.map(mapping)
    blank = key == ""
    unknown = codes.isna() & ~blank
    return codes.astype(object).where(codes.notna(), None), unknown, blank
