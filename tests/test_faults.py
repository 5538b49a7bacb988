"""A run killed while writing, and the watched drop folder — real processes, real signals."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from tests import builders

ROOT = Path(__file__).resolve().parent.parent


def kpi(*args, **kw) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "kpi_engine.cli", *map(str, args)],
        capture_output=True, text=True, cwd=ROOT, timeout=120, **kw,
    )


def test_sigkill_while_writing_leaves_the_old_result(tmp_path: Path):
    drop = builders.clean_folder(tmp_path / "drop")
    first = kpi("score", drop)
    assert first.returncode == 0, first.stderr
    out = drop / "kpi-results_2026-01_2026-02.xlsx"
    old = out.read_bytes()

    # A run whose writer dies mid-file: SIGKILL, no chance to clean up.
    script = textwrap.dedent(
        f"""
        import os, signal, sys
        sys.path.insert(0, {str(ROOT)!r})
        import kpi_engine.write.workbook as wb
        def dying(outcome, path, lang="zh", created=None):
            with open(path, "wb") as fh:
                fh.write(b"PK\\x03\\x04 half a zip")
                fh.flush()
            os.kill(os.getpid(), signal.SIGKILL)
        wb.write_workbook = dying
        from kpi_engine.cli import main
        sys.argv = ["kpi-engine", "score", {str(drop)!r}]
        main()
        """
    )
    killed = subprocess.run([sys.executable, "-c", script], capture_output=True, cwd=ROOT, timeout=120)
    assert killed.returncode == -signal.SIGKILL
    assert out.read_bytes() == old  # the old result, intact

    # The leftover temporary file is never read as input by a later run.
    leftovers = list(drop.glob(".kpi-results-*.tmp"))
    assert leftovers
    again = kpi("score", drop, "--json")
    assert again.returncode == 0, again.stdout + again.stderr
    assert json.loads(again.stdout)["issues"]["error"] == 0


@pytest.mark.slow
def test_watch_scores_a_dropped_file_and_stops_on_ctrl_c(tmp_path: Path):
    drop = tmp_path / "drop"
    drop.mkdir()
    staging = builders.clean_folder(tmp_path / "staging", months=("2026-01",))
    proc = subprocess.Popen(
        [sys.executable, "-m", "kpi_engine.cli", "watch", str(drop), "--debounce", "0.5", "--lang", "en"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=ROOT,
    )
    try:
        time.sleep(2)
        for f in staging.iterdir():
            shutil.copy(f, drop / f.name)
        result = drop / "kpi-results_2026-01_2026-01.xlsx"
        deadline = time.monotonic() + 60
        while not result.exists() and time.monotonic() < deadline:
            time.sleep(0.3)
        assert result.exists(), "watch did not score the dropped files"
        # A bad file keeps the watcher alive.
        (drop / "broken.xlsx").write_bytes(b"not a workbook at all")
        time.sleep(3)
        assert proc.poll() is None
    finally:
        proc.send_signal(signal.SIGINT)
        stdout, stderr = proc.communicate(timeout=30)
    assert proc.returncode == 0, stderr
    assert "Watching" in stdout
    assert "Result written to" in stdout
    assert "Stopped watching." in stdout
    assert "Traceback" not in stderr


@pytest.mark.slow
def test_watch_does_not_trigger_itself_with_a_custom_output_name(tmp_path: Path):
    drop = builders.clean_folder(tmp_path / "drop", months=("2026-01",))
    result = drop / "monthly.xlsx"  # not the default kpi-results_* name
    proc = subprocess.Popen(
        [sys.executable, "-m", "kpi_engine.cli", "watch", str(drop), "-o", str(result), "--debounce", "0.3", "--lang", "en"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=ROOT,
    )
    try:
        deadline = time.monotonic() + 60
        while not result.exists() and time.monotonic() < deadline:
            time.sleep(0.3)
        assert result.exists()
        time.sleep(4)  # several debounce periods: a self-triggered run would show by now
    finally:
        proc.send_signal(signal.SIGINT)
        stdout, stderr = proc.communicate(timeout=30)
    assert proc.returncode == 0, stderr
    assert stdout.count("Result written to") == 1, stdout
