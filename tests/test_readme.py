"""The README's quick start, run as a new user would (in a fresh virtual environment), and its Python example."""

from __future__ import annotations

import importlib.util
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from openpyxl import load_workbook

ROOT = Path(__file__).resolve().parent.parent
spec = importlib.util.spec_from_file_location("readme_commands", ROOT / ".ci" / "readme_commands.py")
readme_commands = importlib.util.module_from_spec(spec)
spec.loader.exec_module(readme_commands)


def test_quick_start_has_exactly_two_commands():
    demo, test = readme_commands.quick_start()
    assert "pip install ." in demo and "kpi-engine demo" in demo
    assert '".[test]"' in test and "pytest" in test


@pytest.mark.slow
def test_quick_start_commands_work_in_a_fresh_venv(tmp_path: Path):
    # --system-site-packages: the registry is not asked again for what is already here;
    # the project itself is built and installed into the venv exactly as the README says.
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--system-site-packages", str(venv)], check=True)
    env = {**os.environ, "PATH": f"{venv / 'bin'}{os.pathsep}{os.environ['PATH']}", "VIRTUAL_ENV": str(venv)}
    env.pop("PYTHONPATH", None)
    workdir = tmp_path / "user"
    workdir.mkdir()
    # Run from a copy-free clone location: the commands use ".", so cd to the project,
    # but the demo writes into the current folder, so send it to workdir with -o.
    demo, test = readme_commands.quick_start()
    done = subprocess.run(
        ["bash", "-c", f"cd {ROOT} && {demo} -o {workdir / 'kpi-demo'}"],
        capture_output=True, text=True, env=env, timeout=600,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert list((workdir / "kpi-demo").glob("kpi-results_*.xlsx"))
    assert (venv / "bin" / "kpi-engine").exists()

    # The demo also works from any folder once installed (data ships in the package).
    elsewhere = subprocess.run(
        [str(venv / "bin" / "kpi-engine"), "demo"], cwd=workdir, capture_output=True, text=True, env=env, timeout=300
    )
    assert elsewhere.returncode == 0, elsewhere.stdout + elsewhere.stderr
    assert list((workdir / "kpi-demo").glob("kpi-results_*.xlsx"))

    # The test command: install the extras for real, then let pytest collect (running
    # the whole suite inside itself would recurse; CI runs it for real).
    collect = subprocess.run(
        ["bash", "-c", f"cd {ROOT} && {test} --collect-only -p no:cacheprovider"],
        capture_output=True, text=True, env=env, timeout=600,
    )
    assert collect.returncode == 0, collect.stdout[-2000:] + collect.stderr[-2000:]
    collected = re.search(r"(\d+) tests? collected", collect.stdout)
    assert collected and int(collected.group(1)) > 50


def python_example(readme: Path = ROOT / "README.md") -> str:
    """The ```python block of README.md's "Use it from Python"."""
    section = readme.read_text(encoding="utf-8").split("## Use it from Python", 1)[1].split("\n## ", 1)[0]
    return re.search(r"```python\n(.*?)```", section, re.S).group(1)


def test_python_example_runs_as_written(tmp_path: Path, monkeypatch, capsys):
    shutil.copytree(ROOT / "sample_data", tmp_path / "sample_data")  # "from the project folder"
    monkeypatch.chdir(tmp_path)
    names: dict = {}
    exec(compile(python_example(), "README.md (Use it from Python)", "exec"), names)  # noqa: S102 - our own README
    printed = capsys.readouterr().out
    assert "total_rounded" in printed and "mean_total" in printed
    assert "targets_2026-09.xlsx" in printed and "待定 is not a number" in printed  # the sample's one rejected cell
    assert names["march"].results.scope == ("2026-03",)
    assert names["year"].results.scope == tuple(f"2026-{m:02d}" for m in range(1, 7))
    assert list(names["problems"].columns) == ["level", "code", "file", "sheet", "cell", "field", "value", "message"]
    result = tmp_path / "kpi-results_2026-03.xlsx"
    assert load_workbook(result, read_only=True).sheetnames[:2] == ["Overview", "Summary"]
