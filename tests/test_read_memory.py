"""What reading lets go of, and the integer-code duplicate check (docs/decisions.md, Performance)."""

from __future__ import annotations

import datetime as dt
import gc
import weakref

import numpy as np
import pandas as pd
import pytest

from kpi_engine import vocab
from kpi_engine.read.rows import Rows, duplicated_rows
from kpi_engine.read.sheets import Sheet


def _sheet(sid: int, n: int) -> Sheet:
    kind = next(k for k in vocab.SHEET_KINDS if k.key == "targets")
    keys = [f.key for f in kind.fields]
    block = np.array([[f"{k}{i % 7}" for k in keys] for i in range(n)], dtype=object)
    raw = pd.DataFrame(block, columns=keys, dtype=object)  # one 2-D object block, as a sheet's cells can be
    return Sheet(sid=sid, file=f"f{sid}.xlsx", name="目标管理", kind=kind, header_row=1,
                 letters={k: chr(65 + j) for j, k in enumerate(keys)}, scale={}, raw=raw,
                 rows=np.arange(2, n + 2))


def test_rows_let_the_sheets_cells_go():
    kind = next(k for k in vocab.SHEET_KINDS if k.key == "targets")
    sheets = [_sheet(0, 300), _sheet(1, 200)]
    blocks = [weakref.ref(b.values.base if b.values.base is not None else b.values)
              for s in sheets for b in s.raw._mgr.blocks]
    rows = Rows(kind, sheets)
    gc.collect()
    assert all(b() is None for b in blocks)  # not even kept alive by an empty view
    assert len(rows.df) == 500
    assert rows.df["file"].tolist() == ["f0.xlsx"] * 300 + ["f1.xlsx"] * 200
    assert rows.df["row"].tolist() == list(range(2, 302)) + list(range(2, 202))
    assert rows.df["employee_id"].tolist()[298:302] == ["employee_id4", "employee_id5", "employee_id0", "employee_id1"]
    rows.drop_cells()
    assert list(rows.df.columns) == ["file", "sheet", "row", "_sid"]


@pytest.mark.parametrize("frame", [
    pd.DataFrame({"a": ["x", "y", "x", "x", ""], "b": ["1", "1", "1", "2", ""]}),
    pd.DataFrame({"a": [1.0, np.nan, np.nan, 1.0, 2.0], "b": [None, np.nan, None, None, 1]}),
    pd.DataFrame({"a": [1, 1.0, True, "1", 1], "b": ["p"] * 5}),  # one key to a hash table, as in duplicated
    pd.DataFrame({"a": pd.to_datetime(["2026-01-01", None, None, "2026-01-01", "2026-01-02"]),
                  "b": [dt.date(2026, 1, 1)] * 5}),
])
def test_integer_codes_find_the_same_duplicates_as_pandas(frame):
    got = duplicated_rows([frame[c].to_numpy() for c in frame.columns])
    assert got.tolist() == frame.duplicated(keep=False).tolist()


def test_integer_codes_beyond_counting_range():
    """Keys whose range outgrows the rows are hashed again: still the same duplicates."""
    rng = np.random.default_rng(3)
    frame = pd.DataFrame({c: rng.integers(0, 400, 3000).astype(str) for c in "abc"})
    frame = pd.concat([frame, frame.iloc[::7]], ignore_index=True)  # every 7th row twice
    got = duplicated_rows([frame[c].to_numpy() for c in frame.columns])
    assert got.tolist() == frame.duplicated(keep=False).tolist()
    assert got.any() and not got.all()
