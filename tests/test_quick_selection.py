"""The quick local selection, `pytest -m "not slow"`, stays meaningful; CI still runs everything.

How long it takes is measured in docs/decisions.md ("Performance"), not here.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from tests.test_readme import readme_commands

ROOT = Path(__file__).resolve().parent.parent

# At least one of each kind the quick selection must keep (file, or file::test prefix).
KEPT = [
    "tests/test_core_examples.py::test_kpi",  # scoring.md's worked examples
    "tests/test_core_examples.py::test_person",
    "tests/test_core_people.py",
    "tests/test_read_rows.py",
    "tests/test_read_values.py",
    "tests/test_cli.py::test_score_clean_folder_exits_0_and_writes_default_name",
    "tests/test_cli.py::test_help_loads_no_heavy_library",
    "tests/test_write_workbook.py",  # the result read back
    "tests/test_write_xlsxwriter.py",
    "tests/test_templates.py",
    "tests/test_corpus.py::test_case[",
    "tests/test_faults.py::test_sigkill_while_writing_leaves_the_old_result",
    "bench/test_bench.py::test_parts_are_as_few_and_even_as_the_limit_allows",  # pyproject's testpaths
]


def collect(*args: str) -> list[str]:
    done = subprocess.run([sys.executable, "-m", "pytest", "--collect-only", "-q", "-p", "no:cacheprovider", *args],
                          capture_output=True, text=True, cwd=ROOT, timeout=300)
    assert done.returncode in (0, 5), done.stdout[-2000:] + done.stderr[-2000:]  # 5: nothing collected
    return [line for line in done.stdout.splitlines() if "::" in line]


def test_quick_selection_keeps_each_kind_and_drops_the_slow_ones():
    quick = collect("-m", "not slow")
    missing = [k for k in KEPT if not any(t.startswith(k) for t in quick)]
    assert missing == []
    # LibreOffice, fuzzing and the fresh-venv install are never in the quick selection.
    assert collect("-m", "libreoffice and not slow") == []
    assert not [t for t in quick if t.startswith(("tests/test_fuzz_workbooks.py", "tests/test_recalc_libreoffice.py",
                                                  "tests/test_readme.py::test_quick_start_commands_work"))]


def test_ci_runs_every_test():
    # CI runs the README's test command; it must not deselect anything.
    _, test = readme_commands.quick_start()
    pytest_args = test.split("-m pytest", 1)[1].split()
    assert pytest_args == ["-q"]
