"""Cell values (inputs.md, "Reading cell values"): numbers, no-data words, periods, text."""

from __future__ import annotations

import datetime as dt
import math

import pandas as pd
import pytest

from kpi_engine.read import parse_period
from kpi_engine.read.values import blank_mask, clean_text, parse_numbers, parse_periods, word_lookup
from kpi_engine import vocab

NAN = float("nan")

# (cell, column unit scale, value, unreadable)
NUMBERS = [
    (120000.0, 1, 120000, False),
    (0.0, 1, 0, False),  # a 0 is never a blank
    (" 100000 ", 1, 100000, False),
    ("１２０", 1, 120, False),  # full-width digits
    ("１２０％", 1, 1.2, False),
    ("95%", 1, 0.95, False),
    ("１００，０００", 1, 100000, False),
    ("1,200,000", 1, 1200000, False),
    ("¥100,000", 1, 100000, False),
    ("￥110,000", 1, 110000, False),
    ("RMB 100000", 1, 100000, False),
    ("$110000", 1, 110000, False),
    ("100000元", 1, 100000, False),
    ("1.2万", 1, 12000, False),
    ("10万元", 1, 100000, False),
    ("－5", 1, -5, False),
    ("−5", 1, -5, False),  # the minus sign U+2212
    # the column's 万元 hint scales plain numbers, but not text carrying its own unit
    (50.0, 10_000, 500000, False),
    ("50", 10_000, 500000, False),
    ("50万", 10_000, 500000, False),
    ("500元", 10_000, 500, False),
    ("95%", 10_000, 0.95, False),
    # no data
    ("", 1, NAN, False),
    ("   ", 1, NAN, False),
    ("-", 1, NAN, False),
    ("—", 1, NAN, False),
    ("–", 1, NAN, False),
    ("/", 1, NAN, False),
    ("N/A", 1, NAN, False),
    ("na", 1, NAN, False),
    ("无", 1, NAN, False),
    ("暂无", 1, NAN, False),
    ("空", 1, NAN, False),
    (None, 1, NAN, False),
    # anything else is an error on the cell
    ("十二", 1, NAN, True),
    ("1.2.3", 1, NAN, True),
    ("abc", 1, NAN, True),
    ("12元5", 1, NAN, True),
    ("1,2,3,4.5.6", 1, NAN, True),
    ("#DIV/0!", 1, NAN, True),
    (True, 1, NAN, True),
    (dt.date(2026, 1, 5), 1, NAN, True),
]


@pytest.mark.parametrize("cell,scale,value,bad", NUMBERS)
def test_numbers(cell, scale, value, bad):
    n = parse_numbers(pd.Series([cell], dtype=object), float(scale))
    got = n.values.iloc[0]
    assert bool(n.bad.iloc[0]) is bad
    if math.isnan(value):
        assert math.isnan(got)
    else:
        assert got == pytest.approx(value, rel=0, abs=1e-12)


def test_percent_is_exact():
    # 95% must be 0.95 itself, not 0.9500000000000001 (thresholds compare on it)
    assert parse_numbers(pd.Series(["95%"], dtype=object)).values.iloc[0] == 0.95


def test_numbers_many_repeated_values_match_single_ones():
    """The distinct-values path (long columns) gives what the short path gives."""
    cells = [c for c, *_ in NUMBERS] * 20
    long = parse_numbers(pd.Series(cells, dtype=object))
    for i, (cell, *_rest) in enumerate(NUMBERS):
        one = parse_numbers(pd.Series([cell], dtype=object))
        a, b = long.values.iloc[i], one.values.iloc[0]
        assert (math.isnan(a) and math.isnan(b)) or a == b
        assert long.bad.iloc[i] == one.bad.iloc[0]


PERIODS = [
    ("2026-03", "2026-03"),
    ("2026-3", "2026-03"),
    (" 2026-1 ", "2026-01"),
    ("2026/3", "2026-03"),
    ("2026.03", "2026-03"),
    ("2026年3月", "2026-03"),
    ("２０２６年３月", "2026-03"),
    ("202603", "2026-03"),
    (202603.0, "2026-03"),
    (202603, "2026-03"),
    ("2026-03-15", "2026-03"),
    ("2026年3月15日", "2026-03"),
    (dt.date(2026, 3, 31), "2026-03"),
    (dt.datetime(2026, 2, 1, 9, 30), "2026-02"),
    ("Mar 2026", "2026-03"),
    ("March 2026", "2026-03"),
    (2026.1, None),  # ambiguous: January or October?
    ("2026-13", None),
    ("二月", None),
    ("abc", None),
    (2026.0, None),
    ("", None),
    (None, None),
    (dt.date(1900, 2, 28), None),  # Excel serial 60 (1900-02-29) as calamine gives it
]


@pytest.mark.parametrize("cell,period", PERIODS)
def test_parse_period(cell, period):
    assert parse_period(cell) == period


@pytest.mark.parametrize(
    "cell, impossible",
    [
        ("2026-02-30", True), ("20260230", True), (20260230, True), ("2026-2-0", True), ("2026年2月30日", True),
        ("2025-02-29", True), ("2026-04-31 09:00", True), ("2026/13/01", False),  # month 13: not a month at all
        ("2024-02-29", False), ("2026-02-28", False), (20260228, False), ("2026-02", False), (202602, False),
        (dt.date(2026, 2, 28), False), ("2000-02-29", False), ("1900-02-29", False),  # 1900: refused as a year
    ],
)
def test_a_day_the_month_does_not_have_is_an_error_not_its_month(cell, impossible):
    for want_day in (False, True):
        p = parse_periods(pd.Series([cell], dtype=object), want_day=want_day)
        assert bool(p.impossible.iloc[0]) is impossible, (cell, want_day)
        if impossible:
            assert p.values.iloc[0] == "" and not p.bad.iloc[0]  # one message, the precise one
            assert pd.isna(p.date.iloc[0])


def test_decimal_period_is_its_own_problem():
    p = parse_periods(pd.Series([2026.1, "2026.1", 46000.0], dtype=object))
    assert p.decimal.tolist() == [True, False, False]
    assert p.values.tolist() == ["", "2026-01", ""]  # as text, 2026.1 is written on purpose
    assert p.bad.tolist() == [False, False, True]


def test_days_for_training_dates():
    p = parse_periods(pd.Series(["2026/3/20", dt.date(2026, 3, 10), "2026-03", 20260305], dtype=object),
                      want_day=True)
    assert p.values.tolist() == ["2026-03"] * 4
    assert p.date.iloc[0] == pd.Timestamp("2026-03-20")
    assert p.date.iloc[1] == pd.Timestamp("2026-03-10")
    assert pd.isna(p.date.iloc[2])
    assert p.date.iloc[3] == pd.Timestamp("2026-03-05")


@pytest.mark.parametrize("cell,text", [
    ("  张　 伟  ", "张 伟"),
    (" 华北 　一组 ", "华北 一组"),
    ("00123", "00123"),
    (123.0, "123"),
    (12345, "12345"),
    (1.5, "1.5"),
    ("1E5", "1E5"),
    ("=HYPERLINK(1)", "=HYPERLINK(1)"),
    (None, ""),
    ("line1\nline2", "line1 line2"),
])
def test_text(cell, text):
    assert clean_text(pd.Series([cell], dtype=object)).iloc[0] == text


def test_blank():
    cells = ["", " ", "\u3000", None, 0.0, "0", "-"]
    assert blank_mask(pd.Series(cells, dtype=object)).tolist() == [True, True, True, True, False, False, False]


@pytest.mark.parametrize("word,code", [
    ("越高越好", "higher"), ("Higher", "higher"), (" 反 向 ", "lower"), ("LOWER", "lower"),
    ("越大越好", None), ("", None),
])
def test_words(word, code):
    codes, unknown, blank = word_lookup(pd.Series([word], dtype=object), vocab.DIRECTIONS)
    assert codes.iloc[0] == code
    assert bool(unknown.iloc[0]) is (code is None and word != "")


def test_far_future_dates_do_not_overflow():
    """pandas' nanosecond timestamps end in 2262: a month in 2500 is a month, not a day."""
    cells = pd.Series([dt.date(2500, 1, 15), "2500-01-15", 25000115, dt.date(9999, 12, 31)], dtype=object)
    assert parse_periods(cells).values.tolist() == ["2500-01", "2500-01", "2500-01", ""]
    days = parse_periods(cells, want_day=True)
    assert days.date.isna().all()


def test_infinite_numbers_are_unreadable():
    n = parse_numbers(pd.Series(["1e999", 1e305, "-1e999"], dtype=object), 10_000.0)
    assert n.bad.tolist() == [True, True, True]
    assert n.values.isna().all()
