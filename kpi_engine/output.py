"""The output folder: atomic writes, the leftovers of killed runs, per-team file names.

A result is written to ``.kpi-results-<pid>-XXXX.tmp`` beside it, flushed and renamed
into place, so an interrupted run leaves the old result or the new one, never half a
file (outputs.md). The writer holds a lock on its temporary file until the rename. A
run killed with SIGKILL or SIGTERM cannot clean up after itself, so the next run that
writes into the folder removes the temporaries whose writer is gone — never a live
run's (docs/decisions.md, "Command line and pipeline").
"""

from __future__ import annotations

import hashlib
import os
import re
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Iterable
from pathlib import Path

try:
    import fcntl
except ImportError:  # Windows: no flock, and os.kill(pid, 0) would not be a harmless probe
    fcntl = None

from .issues import IssueType, OutputError

OUTPUT_UNWRITABLE = IssueType(
    "output_unwritable",
    "error",
    zh="无法写入结果文件 {value}：{reason}。请检查文件夹是否存在、可写且有剩余空间，或用 -o 指定其他位置。",
    en="Cannot write the result {value}: {reason}. Check that the folder exists, is writable and has free space, or choose another place with -o.",
)

TEMP_PREFIX = ".kpi-results-"
# New temporaries name their writer's PID; older versions wrote .kpi-results-XXXXXXXX.tmp.
_TEMP_NAME = re.compile(r"\.kpi-results-(?:(?P<pid>\d+)-)?[a-z0-9_]+\.tmp")
# A temporary of the old naming (no PID) is a dead run's once it is this old: a live run
# of those versions wrote its result within a minute or two.
OLD_TEMP_AGE = 3600.0
# The longest file name taken when the file system does not say: ext4, APFS, NTFS, tmpfs.
DEFAULT_NAME_MAX = 255
HASH_DIGITS = 8


# --- writing ------------------------------------------------------------------------


def atomic_write(path: Path, write_to: Callable[[Path], None]) -> None:
    """Write to a temporary file in the target folder, flush it, rename it into place.

    The temporary name ends in .tmp, so a later run never reads a leftover one as input;
    a killed run leaves the old result untouched. An OSError becomes OutputError."""
    folder = path.parent
    try:
        folder.mkdir(parents=True, exist_ok=True)
        fd, tmp_name = tempfile.mkstemp(prefix=f"{TEMP_PREFIX}{os.getpid()}-", suffix=".tmp", dir=folder)
    except OSError as exc:
        raise OutputError(OUTPUT_UNWRITABLE(value=str(path), reason=exc.strerror or str(exc))) from exc
    tmp = Path(tmp_name)
    try:
        fd = _hold(fd)
        write_to(tmp)
        with open(tmp, "rb+") as fh:
            os.fsync(fh.fileno())
        # mkstemp makes the file private (0600); a result is an ordinary file.
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)
        os.replace(tmp, path)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise OutputError(OUTPUT_UNWRITABLE(value=str(path), reason=exc.strerror or str(exc))) from exc
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    finally:
        if fd >= 0:
            os.close(fd)


def _hold(fd: int) -> int:
    """Lock the new temporary file for as long as this run writes it; returns the fd to close.

    The lock is what another run checks before it removes a temporary (PIDs are only
    meaningful on this machine and in this PID namespace; a lock on a shared folder is
    seen by all). Where there is no flock, the fd is closed at once and -1 returned."""
    if fcntl is None:
        os.close(fd)
        return -1
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        pass  # a file system without locks: the PID in the name still protects it
    return fd


# --- leftovers of killed runs -------------------------------------------------------


def remove_stale_temps(folder: Path) -> list[str]:
    """Delete the temporaries killed runs left in ``folder``; return their names, sorted.

    A temporary is removed only when its writer is gone on both counts: the PID in its
    name is not a running process (a PID reused since keeps the file, safely) and no one
    holds its lock. A temporary of the old naming, without a PID, is removed when it is
    over an hour old and unlocked. Nothing is removed where there is no flock."""
    if fcntl is None:
        return []
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return []
    removed = []
    for entry in entries:
        match = _TEMP_NAME.fullmatch(entry.name)
        if match and _writer_gone(entry, match["pid"]) and _remove_unlocked(entry.path):
            removed.append(entry.name)
    return sorted(removed)


def _writer_gone(entry: os.DirEntry, pid: str | None) -> bool:
    try:
        if not entry.is_file(follow_symlinks=False):
            return False
        if pid is None:
            return time.time() - entry.stat(follow_symlinks=False).st_mtime > OLD_TEMP_AGE
    except OSError:
        return False
    return not _alive(int(pid))


def _alive(pid: int) -> bool:
    """Whether a process with this PID runs here; when unsure, it does."""
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (OSError, OverflowError, ValueError):
        return True  # PermissionError: another user's live process; nonsense PIDs: keep
    return True


def _remove_unlocked(path: str) -> bool:
    """Unlink ``path`` if its lock can be taken, i.e. no live writer holds it."""
    try:
        fd = os.open(path, os.O_RDWR | getattr(os, "O_NOFOLLOW", 0))
    except OSError:
        return False
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        if os.stat(path, follow_symlinks=False).st_ino != os.fstat(fd).st_ino:
            return False  # replaced since it was opened
        os.unlink(path)
        return True
    except OSError:
        return False  # locked by a live writer, or gone already
    finally:
        os.close(fd)


# --- one workbook per team ----------------------------------------------------------


def team_paths(out: Path, teams: Iterable[str]) -> dict[str, Path]:
    """``<result>_<team>.xlsx`` for each team: a valid file name, short enough, unique.

    Characters no file system takes (``< > : " / \\ | ? *``, control characters) become
    ``_``. A name longer than the folder allows (NAME_MAX: 255 bytes on Linux and macOS,
    where a Chinese character takes 3) is cut on a character boundary. A name that was
    cut, or that equals another team's once cleaned (compared ignoring case, as macOS
    and Windows do), ends in ``_`` and 8 hex digits of the SHA-256 of the full team
    name: the same team keeps the same file name from month to month."""
    limit = _name_max(out.parent)
    bases = {team: f"{out.stem}_{_clean(team)}" for team in teams}
    clashes = Counter(base.casefold() for base in bases.values())
    taken = {out.name.casefold()}
    paths = {}
    for team in sorted(bases):
        base = bases[team]
        name = f"{base}.xlsx"
        if clashes[base.casefold()] > 1 or len(name.encode("utf-8")) > limit:
            name = _tagged(base, team, limit)
        salt = 0
        while name.casefold() in taken:  # a team literally named like another's tagged name
            salt += 1
            name = _tagged(base, f"{team}\n{salt}", limit)
        taken.add(name.casefold())
        paths[team] = out.with_name(name)
    return paths


def _clean(team: str) -> str:
    """The team name with what a file name cannot hold replaced by _."""
    bad = '<>:"/\\|?*\x7f'
    text = "".join("_" if ch in bad or ord(ch) < 32 or 0xD800 <= ord(ch) <= 0xDFFF else ch for ch in team)
    # Windows drops trailing dots and spaces, which would merge "East." with "East".
    return text.strip().rstrip(".").strip() or "team"


def _tagged(base: str, key: str, limit: int) -> str:
    """``base`` cut to fit ``limit`` bytes with ``_<hash of key>.xlsx`` after it."""
    tag = "_" + hashlib.sha256(key.encode("utf-8", "surrogatepass")).hexdigest()[:HASH_DIGITS] + ".xlsx"
    budget = max(limit - len(tag), 0)
    return base.encode("utf-8")[:budget].decode("utf-8", "ignore") + tag


def _name_max(folder: Path) -> int:
    """The longest file name ``folder`` takes, in bytes (143 under eCryptfs), at most 255."""
    while not folder.exists() and folder != folder.parent:
        folder = folder.parent
    try:
        limit = os.pathconf(folder, "PC_NAME_MAX")
    except (OSError, ValueError, AttributeError):
        return DEFAULT_NAME_MAX
    return min(limit, DEFAULT_NAME_MAX) if limit > 0 else DEFAULT_NAME_MAX
