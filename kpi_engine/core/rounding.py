"""Half-up rounding on a number's shortest decimal form (scoring.md, "Total, grade, rank").

89.995 is stored as the double 89.99499999999999744…, so naive rounding gives 89.99;
HR typed 89.995 and expects 90.00. A double's shortest decimal form is "89.995" exactly
when it is the double nearest to 89.995, and that double is ``8999.5 / 100`` (IEEE
division of exact operands is correctly rounded). So we compare each value with the
half-way double between its two 2-decimal neighbours: no strings, fully vectorised.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

# Beyond 2**52 (after scaling) a double has no fractional part left to round.
_EXACT = 2.0**52


def round_half_up(values, digits: int = 2):
    """Round half away from zero on the shortest decimal form: 59.995 → 60.00, 89.994 → 89.99.

    Accepts a scalar, a sequence, a numpy array or a pandas Series (index kept); NaN and
    infinities pass through.
    """
    x = np.asarray(values, dtype="float64")
    scale = 10.0**digits
    a = np.abs(x)
    with np.errstate(invalid="ignore", over="ignore"):
        y = a * scale
        k = np.floor(y)
        # y itself may sit one ulp off an integer; comparing a with the half-way double
        # (k + 0.5) / scale decides on the value as written, whichever k floor() gave.
        half = (k + 0.5) / scale
        rounded = np.where(a >= half, k + 1.0, k) / scale
        out = np.where(np.isfinite(y) & (y < _EXACT), np.copysign(rounded, x), x)
    if isinstance(values, pd.Series):
        return pd.Series(out, index=values.index, name=values.name)
    if out.ndim == 0:
        return float(out)
    return out
