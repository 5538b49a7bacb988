"""Gather a column's values per group into tuples (or joined text) for the notes columns.

pandas' ``groupby().agg(tuple)`` calls Python once per group through a slow generic
path; here each group is one slice of a list (one step per group, never per data row).
"""

from __future__ import annotations

import numpy as np
import pandas as pd


def collect(frame: pd.DataFrame, keys: list[str], value: str, join: str | None = None) -> pd.Series:
    """Series indexed by ``keys`` (an Index for one key, else a MultiIndex) holding the tuple
    of ``value`` in each group, in the frame's row order; or the values joined by ``join``."""
    if frame.empty:
        index = (pd.Index([], name=keys[0], dtype=object) if len(keys) == 1
                 else pd.MultiIndex.from_arrays([[] for _ in keys], names=keys))
        return pd.Series([], index=index, dtype=object)
    codes, uniques = pd.factorize(
        pd.MultiIndex.from_frame(frame[keys]) if len(keys) > 1 else frame[keys[0]], sort=False
    )
    order = np.argsort(codes, kind="stable")
    values = frame[value].to_numpy(dtype=object)[order].tolist()
    bounds = np.flatnonzero(np.diff(codes[order])) + 1
    starts = [0, *bounds.tolist()]
    ends = [*bounds.tolist(), len(values)]
    if join is None:
        out = [tuple(values[s:e]) for s, e in zip(starts, ends)]
    else:
        out = [join.join(values[s:e]) for s, e in zip(starts, ends)]
    index = uniques if isinstance(uniques, pd.MultiIndex) else pd.Index(uniques, name=keys[0])
    if isinstance(index, pd.MultiIndex):
        index = index.set_names(keys)
    return pd.Series(out, index=index, dtype=object)
