"""The output folder's rules: per-team file names, and which leftover temporaries go."""

from __future__ import annotations

import fcntl
import hashlib
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from kpi_engine import output


def tag(team: str) -> str:
    return hashlib.sha256(team.encode()).hexdigest()[:8]


@pytest.mark.parametrize(
    ("teams", "names"),
    [
        (["华东", "华南"], ["r_华东.xlsx", "r_华南.xlsx"]),  # ordinary names are left alone
        (["华北/一", "华北一"], ["r_华北_一.xlsx", "r_华北一.xlsx"]),  # cleaned, no clash: no tag
        (["华北/一", "华北:一"], [f"r_华北_一_{tag('华北/一')}.xlsx", f"r_华北_一_{tag('华北:一')}.xlsx"]),
        (["East", "east"], [f"r_East_{tag('East')}.xlsx", f"r_east_{tag('east')}.xlsx"]),  # one file on macOS
        (["East.", "East"], [f"r_East_{tag('East.')}.xlsx", f"r_East_{tag('East')}.xlsx"]),  # Windows drops the dot
        (["a\tb", "c\x7fd"], ["r_a_b.xlsx", "r_c_d.xlsx"]),
        (["  "], ["r_team.xlsx"]),
    ],
)
def test_team_file_names(teams: list[str], names: list[str]):
    paths = output.team_paths(Path("/nowhere/r.xlsx"), teams)
    assert [paths[t].name for t in teams] == names


def test_a_long_team_name_is_cut_on_a_character_boundary(monkeypatch):
    team = "华东" + "a" * 300
    for limit in (255, 143):  # 143: eCryptfs
        monkeypatch.setattr(output, "_name_max", lambda folder, limit=limit: limit)
        name = output.team_paths(Path("/nowhere/r.xlsx"), [team])[team].name
        assert name == f"r_华东{'a' * (limit - 22)}_{tag(team)}.xlsx" and len(name.encode()) == limit
    monkeypatch.setattr(output, "_name_max", lambda folder: 255)
    cjk = "华" * 100
    name = output.team_paths(Path("/nowhere/r.xlsx"), [cjk])[cjk].name
    # 255 − 14 bytes of tag leave 241 for "r_" and 3-byte characters: 79 of them, not 79⅔.
    assert name == f"r_{'华' * 79}_{tag(cjk)}.xlsx" and len(name.encode()) == 253


def test_a_tagged_name_never_takes_another_teams_literal_name():
    twin = f"华北_一_{tag('华北/一')}"  # a team literally named like another's tagged file
    paths = output.team_paths(Path("/nowhere/r.xlsx"), ["华北/一", "华北:一", twin])
    assert len({p.name.casefold() for p in paths.values()}) == 3


def dead_pid() -> int:
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    return proc.pid


def test_only_temporaries_of_gone_writers_are_removed(tmp_path: Path):
    gone = dead_pid()
    files = {
        f".kpi-results-{gone}-abc.tmp": True,  # its writer is dead
        f".kpi-results-{os.getpid()}-abc.tmp": False,  # this process writes it
        f".kpi-results-{gone}-locked.tmp": False,  # dead PID here, but a writer (elsewhere) holds the lock
        ".kpi-results-old_one.tmp": True,  # the old naming, two hours old
        ".kpi-results-new_one.tmp": False,  # the old naming, just written
        f"kpi-results-{gone}-abc.tmp": False,  # not ours
        f".kpi-results-{gone}-abc.xlsx": False,
    }
    for name in files:
        (tmp_path / name).write_bytes(b"PK")
    os.utime(tmp_path / ".kpi-results-old_one.tmp", (time.time() - 7200,) * 2)
    with open(tmp_path / f".kpi-results-{gone}-locked.tmp", "rb+") as held:
        fcntl.flock(held, fcntl.LOCK_EX)
        removed = output.remove_stale_temps(tmp_path)
    assert removed == sorted(name for name, stale in files.items() if stale)
    assert {p.name for p in tmp_path.iterdir()} == {name for name, stale in files.items() if not stale}


def test_the_writer_holds_its_temporary_locked_until_the_rename(tmp_path: Path):
    seen = {}

    def write_to(tmp: Path) -> None:
        seen["name"] = tmp.name
        with open(tmp, "rb+") as other:
            with pytest.raises(BlockingIOError):
                fcntl.flock(other, fcntl.LOCK_EX | fcntl.LOCK_NB)
        tmp.write_bytes(b"done")

    output.atomic_write(tmp_path / "r.xlsx", write_to)
    assert seen["name"].startswith(f".kpi-results-{os.getpid()}-")
    assert [p.name for p in tmp_path.iterdir()] == ["r.xlsx"]
