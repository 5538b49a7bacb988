"""Where the data shipped inside the package lives: the demo folder and the templates.

The files are committed copies under ``kpi_engine/bundled/`` (declared as package data in
pyproject.toml), rewritten by ``python sample_data/regenerate.py`` and kept equal to
what the code writes by tests/test_templates.py and tests/test_sample_data.py.
"""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path

from .vocab import LANGS, Lang


def _data_dir() -> Path:
    # A regular (not zipped) install: the package's data folder is a real folder.
    return Path(str(files("kpi_engine") / "bundled"))


def sample_data_dir() -> Path:
    """The packaged sample folder: kpi_engine/bundled/sample_data (what `kpi-engine demo` scores)."""
    return _data_dir() / "sample_data"


def templates_dir(lang: Lang = "zh") -> Path:
    """The packaged blank templates of one language: kpi_engine/bundled/templates/zh|en."""
    if lang not in LANGS:
        raise ValueError(f"lang must be one of {LANGS}, not {lang!r}")
    return _data_dir() / "templates" / lang
