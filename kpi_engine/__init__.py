"""kpi-engine: score a sales department's KPI sheets into a colour-coded workbook.

The library, in three calls (README.md, "Use it from Python")::

    from kpi_engine import load, score, save

    data = load("drop/")                     # read and validate files and/or folders
    outcome = score(data, period="2026-03")  # pure: data is left as it was
    outcome.results.people                   # pandas DataFrames
    outcome.report.to_frame()                # every problem found, one row each
    save(outcome, "result.xlsx")             # the workbook, written atomically

They are ``pipeline.load``, ``pipeline.score`` and ``pipeline.write``, the functions the
command line runs. The writer is ``save`` because ``kpi_engine.write`` is the writer's
subpackage: importing it rebinds that attribute, so a function of that name would not
survive. Nothing heavy is imported until a name is used (PEP 562), so ``import
kpi_engine`` stays as quick as the command line needs.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING

__version__ = "0.1.0"

# name -> (module, attribute): looked up on first use.
_API = {
    "load": ("kpi_engine.pipeline", "load"),
    "score": ("kpi_engine.pipeline", "score"),
    "save": ("kpi_engine.pipeline", "write"),
    "InputData": ("kpi_engine.data", "InputData"),
    "Outcome": ("kpi_engine.data", "Outcome"),
    "Results": ("kpi_engine.data", "Results"),
    "Report": ("kpi_engine.issues", "Report"),
    "Issue": ("kpi_engine.issues", "Issue"),
    "KpiEngineError": ("kpi_engine.issues", "KpiEngineError"),
}

__all__ = [*_API, "__version__"]

if TYPE_CHECKING:  # for type checkers and editors; at run time __getattr__ does it
    from .data import InputData, Outcome, Results
    from .issues import Issue, KpiEngineError, Report
    from .pipeline import load, score
    from .pipeline import write as save


def __getattr__(name: str):
    try:
        module, attribute = _API[name]
    except KeyError:
        raise AttributeError(f"module 'kpi_engine' has no attribute {name!r}") from None
    value = getattr(import_module(module), attribute)
    globals()[name] = value  # once found, an ordinary attribute
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *_API})
