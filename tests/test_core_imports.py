"""The core is pure: importing it loads no file, Excel or CLI library (STYLE.md)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

FORBIDDEN = ("openpyxl", "xlsxwriter", "python_calamine", "xlrd", "typer", "click", "rich", "watchdog",
             "msoffcrypto", "kpi_engine.read", "kpi_engine.write", "kpi_engine.cli", "kpi_engine.pipeline")
ALLOWED_PROJECT = {"kpi_engine", "kpi_engine.data", "kpi_engine.models", "kpi_engine.issues", "kpi_engine.vocab"}


def test_core_imports_no_io_library():
    code = ("import json, sys; import kpi_engine.core; "
            "print(json.dumps(sorted(m for m in sys.modules)))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                         cwd=Path(__file__).resolve().parents[1])
    loaded = json.loads(out.stdout)
    bad = [m for m in loaded if any(m == f or m.startswith(f + ".") for f in FORBIDDEN)]
    assert bad == []
    project = {m for m in loaded if m.startswith("kpi_engine") and not m.startswith("kpi_engine.core")}
    assert project <= ALLOWED_PROJECT


def test_core_reads_no_clock_and_no_randomness():
    """score() must give the same result for the same input: no clock, no random numbers."""
    core_dir = Path(__file__).resolve().parents[1] / "kpi_engine" / "core"
    words = ("datetime.now", "date.today", "time.time", "perf_counter", "import random", "np.random", "os.environ")
    found = [(p.name, w) for p in sorted(core_dir.glob("*.py")) for w in words if w in p.read_text(encoding="utf-8")]
    assert found == []
