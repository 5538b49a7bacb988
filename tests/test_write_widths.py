"""Column widths: the short-list path of texts_width measures as the vectorised one does."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from kpi_engine.write import sheetkit as sk

TEXTS = st.lists(st.text(st.sampled_from("ab 1\n中文Ａ１、—é"), max_size=12), max_size=sk.SMALL_TEXTS)


@given(TEXTS)
def test_short_lists_measure_like_long_ones(values):
    # Repeated past SMALL_TEXTS, the same texts take the pandas path; the widest is the same.
    long = values * (sk.SMALL_TEXTS // max(len(values), 1) + 1)
    assert len(long) > sk.SMALL_TEXTS or not values
    assert sk.texts_width(values) == sk.texts_width(long or [""])


def test_short_list_widths():
    assert sk.texts_width([]) == 0 and sk.texts_width(["", "abc"]) == 3
    assert sk.texts_width(["销售额", "ab\n核心客户保有率"]) == 14


def test_numbers_measure_alike_from_an_array_or_a_list():
    import numpy as np

    from kpi_engine.write import styles as st

    for values in ([1.5, np.nan, -1234.5678, 0.0], [3, 12000, -7], [np.inf, np.nan]):
        for num in (st.PERCENT, st.INTEGER, st.DECIMAL, None):
            assert sk.numbers_width(np.array(values), num) == sk.numbers_width(list(values), num)
