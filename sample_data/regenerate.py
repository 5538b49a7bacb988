"""Rewrite the committed sample data and templates from the code that makes them.

    python sample_data/regenerate.py

writes sample_data/*.xlsx (seed 2026), templates/*.xlsx (zh, the names of inputs.md),
templates/en/*.xlsx, and the copies packaged in the wheel under kpi_engine/bundled/.
tests/test_templates.py and tests/test_sample_data.py fail when these files and the
code disagree.
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from kpi_engine.sample import generate_sample  # noqa: E402
from kpi_engine.write.templates import write_templates  # noqa: E402


def _fresh(folder: Path) -> Path:
    """The folder with its workbooks removed, so a renamed file leaves no stale copy."""
    folder.mkdir(parents=True, exist_ok=True)
    for old in folder.glob("*.xlsx"):
        old.unlink()
    return folder


def _copy(paths: list[Path], folder: Path) -> list[Path]:
    _fresh(folder)
    return [Path(shutil.copy2(p, folder / p.name)) for p in paths]


def main() -> None:
    sample = generate_sample(_fresh(ROOT / "sample_data"))
    zh = write_templates(_fresh(ROOT / "templates"), "zh")
    en = write_templates(_fresh(ROOT / "templates" / "en"), "en")
    data = ROOT / "kpi_engine" / "bundled"
    written = [*sample, *zh, *en,
               *_copy(sample, data / "sample_data"),
               *_copy(zh, data / "templates" / "zh"),
               *_copy(en, data / "templates" / "en")]
    for p in written:
        print(p.relative_to(ROOT))


if __name__ == "__main__":
    main()
