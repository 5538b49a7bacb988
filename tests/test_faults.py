"""A run killed while writing, and the watched drop folder — real processes, real signals."""

from __future__ import annotations

import hashlib
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
from openpyxl import load_workbook

from tests import builders

ROOT = Path(__file__).resolve().parent.parent


def kpi(*args, **kw) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "kpi_engine.cli", *map(str, args)],
        capture_output=True, text=True, cwd=ROOT, timeout=120, **kw,
    )


# The real CLI, held in its write phase: each workbook the run writes calls the patched
# writer, which stops before the PAUSE_AT-th file (its temporary already made and locked)
# until a line arrives on stdin.
PAUSING = textwrap.dedent(
    """
    import os, sys
    import kpi_engine.write.workbook as wb
    real, calls = wb.write_workbook, []
    def paused(outcome, path, lang="zh", created=None, name=None):
        calls.append(path)
        if len(calls) == int(os.environ["PAUSE_AT"]):
            print("PAUSED", path, flush=True)
            sys.stdin.readline()
        return real(outcome, path, lang=lang, created=created, name=name)
    wb.write_workbook = paused
    from kpi_engine.cli import main
    sys.argv = ["kpi-engine", *sys.argv[1:]]
    main()
    """
)


def _sigint_as_on_a_terminal() -> None:
    # A shell without job control starts background commands with SIGINT ignored, and
    # Python then never raises KeyboardInterrupt: give the run what a terminal gives it.
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def paused_run(*args, pause_at: int = 1) -> tuple[subprocess.Popen, Path]:
    """Start ``kpi-engine ARGS`` and return once it waits in its write phase, with the temporary it writes."""
    proc = subprocess.Popen(
        [sys.executable, "-c", PAUSING, *map(str, args)],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=ROOT,
        env={**os.environ, "PAUSE_AT": str(pause_at)}, preexec_fn=_sigint_as_on_a_terminal,
    )
    line = proc.stdout.readline()
    if not line.startswith("PAUSED "):
        proc.kill()
        raise AssertionError(line + proc.communicate(timeout=30)[1])
    return proc, Path(line.removeprefix("PAUSED ").strip())


def finish(proc: subprocess.Popen, sig: int | None = None) -> tuple[str, str]:
    """Let a paused run go on (or send it ``sig``) and wait for it."""
    if sig is None:
        proc.stdin.write("\n")
        proc.stdin.flush()
    else:
        proc.send_signal(sig)
    return proc.communicate(timeout=120)


def temps(folder: Path) -> set[str]:
    return {p.name for p in folder.glob(".kpi-results-*.tmp")}


def test_next_run_removes_temps_of_killed_runs_never_a_live_runs(tmp_path: Path):
    drop = builders.clean_folder(tmp_path / "drop")
    # Three runs reach their write phase together; two are killed there and cannot clean up.
    killed, live = [paused_run("score", drop) for _ in range(2)], paused_run("score", drop)
    assert all(f"-{proc.pid}-" in tmp.name for proc, tmp in [*killed, live])
    finish(killed[0][0], signal.SIGKILL)
    finish(killed[1][0], signal.SIGTERM)
    assert killed[0][0].returncode == -signal.SIGKILL and killed[1][0].returncode == -signal.SIGTERM
    # Temporaries of an older version name no writer: removed only when over an hour old.
    old, recent = drop / ".kpi-results-ab12cd_3.tmp", drop / ".kpi-results-ef45gh_6.tmp"
    old.write_bytes(b"PK half"), recent.write_bytes(b"PK half")
    os.utime(old, (time.time() - 7200, time.time() - 7200))
    dead = sorted([killed[0][1].name, killed[1][1].name, old.name])
    assert temps(drop) == {*dead, recent.name, live[1].name}

    again = kpi("score", drop, "--lang", "en")
    assert again.returncode == 0, again.stdout + again.stderr
    assert f"Removed 3 temporary files that interrupted runs had left in the result folder: {', '.join(dead)}." in again.stdout
    assert temps(drop) == {recent.name, live[1].name}  # the live run's temporary is left alone

    stdout, stderr = finish(live[0])
    assert live[0].returncode == 0, stdout + stderr
    assert temps(drop) == {recent.name}
    assert load_workbook(drop / "kpi-results_2026-01_2026-02.xlsx", read_only=True)["汇总"]


def test_ctrl_c_before_anything_is_written_says_so_and_exits_130(tmp_path: Path):
    drop = builders.clean_folder(tmp_path / "drop")
    proc, _ = paused_run("score", drop)
    stdout, stderr = finish(proc, signal.SIGINT)
    assert proc.returncode == 130
    assert stderr == "已中断：没有写入任何文件。\n"
    assert stdout == "" and not temps(drop) and not list(drop.glob("kpi-results_*"))


# The real CLI, held while its worker processes read: each file's reading, in the worker,
# says which process reads it and sleeps.
READING_SLOWLY = textwrap.dedent(
    """
    import os, sys, time
    import kpi_engine.read as rd
    real = rd._read_file
    def slow_read(c):
        os.write(1, b"READING %d\\n" % os.getpid())  # one write: two workers' lines never interleave
        time.sleep(60)
        return real(c)
    rd._read_file = slow_read
    from kpi_engine.cli import main
    sys.argv = ["kpi-engine", *sys.argv[1:]]
    main()
    """
)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # A zombie is dead but not yet reaped by its parent's parent: not reading any more.
    status = Path(f"/proc/{pid}/stat")
    return status.exists() and status.read_text().split(") ")[-1][:1] not in "ZX"


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="worker processes read on Linux only")
def test_ctrl_c_while_worker_processes_read_stops_them_and_says_so(tmp_path: Path):
    drop = builders.clean_folder(tmp_path / "drop")
    proc = subprocess.Popen(
        [sys.executable, "-c", READING_SLOWLY, "score", str(drop)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=ROOT,
        env={**os.environ, "KPI_ENGINE_THREADS": "2", "KPI_ENGINE_PROCESSES": ""},
        preexec_fn=_sigint_as_on_a_terminal,
    )
    readers = {int(proc.stdout.readline().split()[1]) for _ in range(2)}
    assert proc.pid not in readers  # two files read at once, each in a process of its own
    start = time.monotonic()
    stdout, stderr = finish(proc, signal.SIGINT)
    assert proc.returncode == 130
    assert stderr == "已中断：没有写入任何文件。\n"
    assert time.monotonic() - start < 30  # not after the workers' 60-second files
    assert not any(_alive(pid) for pid in readers)
    assert not list(drop.glob("kpi-results_*")) and not temps(drop)


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="worker processes read on Linux only")
@pytest.mark.parametrize("sig", [signal.SIGKILL, signal.SIGTERM])
def test_worker_processes_die_with_a_run_killed_while_they_read(tmp_path: Path, sig):
    drop = builders.clean_folder(tmp_path / "drop")
    proc = subprocess.Popen(
        [sys.executable, "-c", READING_SLOWLY, "score", str(drop)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=ROOT,
        env={**os.environ, "KPI_ENGINE_THREADS": "2", "KPI_ENGINE_PROCESSES": ""},
    )
    readers = {int(proc.stdout.readline().split()[1]) for _ in range(2)}
    finish(proc, sig)
    assert proc.returncode == -sig
    deadline = time.monotonic() + 10
    while any(_alive(pid) for pid in readers) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not any(_alive(pid) for pid in readers)  # none left waiting for work, ever


def test_ctrl_c_while_writing_keeps_the_old_result_and_says_so(tmp_path: Path):
    drop = builders.clean_folder(tmp_path / "drop")
    assert kpi("score", drop).returncode == 0
    out = drop / "kpi-results_2026-01_2026-02.xlsx"
    old = out.read_bytes()
    proc, _ = paused_run("score", drop, "--lang", "en")
    stdout, stderr = finish(proc, signal.SIGINT)
    assert proc.returncode == 130
    assert stderr == f"Interrupted: nothing was written; the previous result is kept: {out}\n"
    assert out.read_bytes() == old and not temps(drop)


def test_ctrl_c_between_team_files_names_the_result_written(tmp_path: Path):
    drop = builders.clean_folder(tmp_path / "drop")
    out = tmp_path / "out" / "r.xlsx"
    proc, _ = paused_run("score", drop, "-o", out, "--split-by", "team", "--lang", "en", pause_at=2)
    stdout, stderr = finish(proc, signal.SIGINT)
    assert proc.returncode == 130
    assert stderr == f"Interrupted: the result was written to {out}, but only 0 of 2 team files; run again.\n"
    assert sorted(p.name for p in out.parent.iterdir()) == ["r.xlsx"]


def test_team_names_too_long_or_alike_for_file_names_are_shortened_and_unique(tmp_path: Path):
    long_team = "华东大区" * 50  # 200 characters, 600 bytes of UTF-8: over any file name limit
    teams = {"E001": long_team, "E002": long_team, "E003": "华北/一", "E004": "华北:一"}
    drop = builders.clean_folder(tmp_path / "drop", teams=teams)
    out = tmp_path / "out" / "r.xlsx"
    result = kpi("score", drop, "-o", out, "--split-by", "team", "--json")
    assert result.returncode == 0, result.stdout + result.stderr
    written = [Path(p) for p in json.loads(result.stdout)["outputs"]]

    def tag(team: str) -> str:
        return hashlib.sha256(team.encode()).hexdigest()[:8]

    names = sorted(p.name for p in written)
    assert names == sorted(["r.xlsx", f"r_华北_一_{tag('华北/一')}.xlsx", f"r_华北_一_{tag('华北:一')}.xlsx",
                            next(n for n in names if n.startswith("r_华东大区"))])
    cut = next(n for n in names if n.startswith("r_华东大区"))
    assert cut.endswith(f"_{tag(long_team)}.xlsx") and 250 <= len(cut.encode()) <= 255
    assert sorted(p.name for p in out.parent.iterdir()) == names
    for path, ids in ((out.with_name(cut), {"E001", "E002"}), (out.with_name(f"r_华北_一_{tag('华北/一')}.xlsx"), {"E003"})):
        people = load_workbook(path, read_only=True)["汇总"].iter_rows(min_row=3, values_only=True)
        assert {row[0] for row in people if row and row[0]} == ids


def test_a_team_file_that_cannot_be_written_is_an_error_not_exit_2(tmp_path: Path):
    drop = builders.clean_folder(tmp_path / "drop")
    out = tmp_path / "out" / "r.xlsx"
    blocked = out.with_name("r_华南.xlsx")
    blocked.mkdir(parents=True)  # a folder where the team's workbook should go
    result = kpi("score", drop, "-o", out, "--split-by", "team", "--lang", "en")
    assert result.returncode == 1, result.stdout + result.stderr
    assert f"Result written to: {out}" in result.stdout
    assert f"Result written to: {out.with_name('r_华东.xlsx')}" in result.stdout
    assert "Some rows were rejected" not in result.stdout
    assert result.stderr == (
        f"Error: Team 华南's result {blocked} could not be written: Is a directory. The full result and the other "
        "teams' files were written; move what stands in the way (a folder of that name?) or free disk space, and run again.\n"
    )
    assert blocked.is_dir() and not temps(out.parent)
    summary = json.loads(kpi("score", drop, "-o", out, "--split-by", "team", "--json").stdout)
    assert summary["exit_code"] == 1 and summary["issues"]["error"] == 1
    assert sorted(Path(p).name for p in summary["outputs"]) == ["r.xlsx", "r_华东.xlsx"]


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
        def dying(outcome, path, lang="zh", created=None, name=None):
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

    # The leftover temporary file is never read as input by a later run, which removes it.
    leftovers = list(drop.glob(".kpi-results-*.tmp"))
    assert leftovers
    again = kpi("score", drop, "--json")
    assert again.returncode == 0, again.stdout + again.stderr
    assert json.loads(again.stdout)["issues"]["error"] == 0
    assert not list(drop.glob(".kpi-results-*.tmp"))


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
