"""The readers: a folder of .xlsx → validated :class:`~kpi_engine.data.InputData` and every problem.

Modules, in the order a run uses them:

- ``files``     discovery (files and folders), lock files, own results, encrypted/corrupt/zip-bomb checks
- ``workbook``  calamine grids with merged ranges filled; formula cells without a trusted value
- ``sheets``    sheet recognition by name or header row; header matching; unit hints
- ``values``    vectorised cell parsing: numbers, no-data words, text, periods, fixed words
- ``rows``      rows of one kind from every file: status, issues, common checks, duplicates, counts
- ``settings``, ``scheme`` (+ tiers), ``targets``, ``ratings``, ``training``, ``staff``: one per kind of sheet
"""

from __future__ import annotations

import ctypes
import hashlib
import itertools
import multiprocessing
import os
import signal
import sys
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import BrokenExecutor, Executor, Future, ProcessPoolExecutor, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from .. import cores, vocab
from ..data import InputData, InputFile
from ..issues import Issue, IssueType, NothingToScoreError, Report, SheetCount
from ..timing import phase
from . import heap
from .files import FILE_CORRUPT, FILE_TOO_LARGE, LOCK_FILE_SKIPPED, NO_INPUT_FILES, Candidate, discover, open_candidate
from .ratings import read_ratings
from .rows import REJECTED, Rows
from .scheme import finish_scheme, read_scheme, read_tiers
from .settings import read_settings
from .sheets import Sheet, read_sheets
from .targets import finish_targets, parse_targets, people_roles, percent_kpis
from .staff import read_staff, target_bases
from .training import read_training
from .values import parse_period
from .workbook import WorkbookError, open_book

__all__ = ["load", "find_input_files", "parse_period"]

NO_SCHEME = IssueType(
    "no_scheme", "error",
    zh="没有找到考核方案（考核方案 / Scheme 工作表），无法计分。请把考核表（assessment_form.xlsx）放进输入文件夹。",
    en="No scheme (a 考核方案 / Scheme sheet) was found, so nothing can be scored. Put the assessment form (assessment_form.xlsx) in the input folder.",
)


def find_input_files(inputs: Sequence[str | os.PathLike]) -> tuple[list[Path], list[Issue]]:
    """Files and folders → the workbook files to read (lock files left out, with an info)."""
    candidates, issues, _ = discover(inputs)
    files = []
    for c in candidates:
        if c.lock:
            issues.append(LOCK_FILE_SKIPPED(file=c.name))
        elif c.unread:
            issues.append(c.unread)
        else:
            files.append(c.path)
    return files, issues


def load(inputs: Sequence[str | os.PathLike],
         progress: Callable[[int, int, str], None] | None = None) -> InputData:
    """Files and/or folders → validated InputData; every problem in ``data.report``.

    ``progress(done, total, file_name)`` is called after each file, for a progress bar.
    Raises NothingToScoreError only when no input workbook at all is found."""
    if isinstance(inputs, (str, os.PathLike)):
        inputs = [inputs]
    candidates, found_issues, _ = discover(inputs)
    report = Report()
    report.extend(found_issues)
    readable = [c for c in candidates if not c.lock and not c.unread]
    if not readable:
        unread = [c.unread for c in candidates if c.unread]
        issue = next((i for i in found_issues + unread if i.level == "error"), None) or NO_INPUT_FILES(
            value=", ".join(str(p) for p in inputs))
        raise NothingToScoreError(issue)

    # Here, not only where a workbook opens: that is in a worker process now, and this
    # process still builds the frames, scores and writes (docs/decisions.md, Memory).
    heap.tune()
    files: list[InputFile] = []
    sheets: list[Sheet] = []
    refused_counts = []
    for done, (c, got) in enumerate(zip(candidates, _read_all(candidates)), 1):
        if progress:
            progress(done, len(candidates), c.name)
        files.append(got.file)
        report.extend(got.issues)
        for sheet in got.sheets:  # numbered in the order of the files, whichever thread read them
            sheet.sid = len(sheets)
            sheets.append(sheet)
        refused_counts.extend((c.name, name, n) for name, n in got.refused.items())

    with phase("validate"):  # bench/run.py splits reading from validating by it
        data = _validate(sheets, report)
    data.files = files
    for file, name, (kind, n) in refused_counts:
        report.counts.append(SheetCount(file=file, sheet=name, kind=kind, read=n, rejected=n))
    return data


@dataclass(slots=True)
class _FileRead:
    """What reading one candidate gave: its line in 说明's file list, sheets and issues."""

    file: InputFile
    sheets: list[Sheet] = field(default_factory=list)
    issues: list[Issue] = field(default_factory=list)
    refused: dict[str, tuple[str, int]] = field(default_factory=dict)


def _read_file(c: Candidate) -> _FileRead:
    """One file: safety checks, calamine, sheet recognition. Touches nothing shared, so
    that several files can be read at once."""
    if c.unread:  # never opened: it may be a pipe, or anything but a workbook
        return _FileRead(InputFile(str(c.path), c.name, "", "ignored"), issues=[c.unread])
    if c.lock:
        return _FileRead(InputFile(str(c.path), c.name, _sha256(c.path), "skipped"), issues=[LOCK_FILE_SKIPPED(file=c.name)])
    opened = open_candidate(c)
    if opened.issue or opened.skipped:
        status = "refused" if opened.issue else "skipped"
        return _FileRead(InputFile(str(c.path), c.name, opened.sha256, status), issues=[opened.issue or opened.skipped])
    try:
        book = open_book(opened.data, opened.kind)
        found, issues, refused = read_sheets(book, c.name, 0)
    except WorkbookError as e:
        issue = (FILE_TOO_LARGE if e.kind == "too_large" else FILE_CORRUPT)(file=c.name, reason=str(e))
        return _FileRead(InputFile(str(c.path), c.name, opened.sha256, "refused"), issues=[issue])
    status = "refused" if book.too_long is not None else "read"  # a cell too long to decode refuses the file
    return _FileRead(InputFile(str(c.path), c.name, opened.sha256, status,
                               tuple(f"{s.name} ({s.kind.label('zh')})" for s in found)), found, issues, refused)


def _read_all(candidates: Sequence[Candidate]) -> Iterator[_FileRead]:
    """Each candidate's reading, in the candidates' order, several files at a time.

    Reading a file is mostly Python under the GIL (the safety scan, building the grid's
    values, recognising the sheets), so on Linux the files are read in worker processes,
    one per core (:func:`_pool`): two of them read the 5,000-person bench in about half
    the time one does, where two threads took 0.73 of it (docs/decisions.md, Performance).
    What comes back is small: a sheet's cells travel as codes into its table of distinct
    values (sheets.py), some 8 MB and 40 ms a month of 75,000 rows. Elsewhere, or where
    processes cannot be made, threads read them (python-calamine parses without the GIL).

    At most one file per worker is in flight beyond the one awaited, which bounds the
    extra memory to those files' bytes and grids. A worker that dies (killed, out of
    memory) is not the input's fault: its file and the rest are read here instead."""
    workers = min(cores.threads(), len(candidates))
    if workers <= 1:
        yield from map(_read_file, candidates)
        return
    pool = _pool(workers)
    broken = False

    def start(c: Candidate) -> Future | None:
        try:
            return pool.submit(_read_file, c)
        except BrokenExecutor:
            return None

    def result(c: Candidate, future: Future | None) -> _FileRead:
        nonlocal broken
        if future is not None and not broken:
            try:
                return future.result()
            except BrokenExecutor:
                pass
        broken = True  # the pool is gone: this file and every later one are read here
        return _read_file(c)

    finished = False
    try:
        todo = iter(candidates)
        pending: deque = deque((c, start(c)) for c in itertools.islice(todo, workers + 1))
        while pending:
            got = result(*pending.popleft())
            nxt = next(todo, None)
            if nxt is not None:
                pending.append((nxt, None if broken else start(nxt)))
            yield got
        finished = True
    finally:
        if finished and not broken:
            pool.shutdown(wait=True)  # the workers are idle: they exit at once
        else:  # Ctrl-C, an error or a dead worker: files not started are not read, workers are stopped
            _stop(pool)


def _pool(workers: int) -> Executor:
    """Worker processes forked from this one (Linux), else threads.

    fork: a worker starts in milliseconds with every module already imported, and the
    process has no threads of its own yet when reading starts (the CLI's progress bar
    aside, which a worker never touches). Not on macOS, where a forked process may crash
    in the system's libraries (Python's own default there is spawn, which would import
    pandas again in every worker). ``KPI_ENGINE_PROCESSES=0`` keeps reading on threads."""
    if cores.processes() and sys.platform.startswith("linux"):
        try:
            return ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("fork"),
                                       initializer=_worker_start, initargs=(os.getpid(),))
        except (OSError, ImportError, NotImplementedError):  # no POSIX semaphores (some sandboxes)
            pass
    return ThreadPoolExecutor(workers, thread_name_prefix="kpi-read")


PR_SET_PDEATHSIG = 1  # <linux/prctl.h>


def _worker_start(run: int) -> None:
    """A reading process leaves Ctrl-C to the run that made it (which stops it), and dies
    with it: a run killed outright (SIGKILL, the OOM killer) cannot stop its workers,
    which would otherwise wait for work forever. The pool forks its workers from the
    run's main thread, whose end is the run's end."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        ctypes.CDLL(None).prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    except (OSError, AttributeError):  # not Linux: the pool is threads there anyway
        pass
    if os.getppid() != run:  # the run died before the line above
        os._exit(1)


def _stop(pool: Executor) -> None:
    """Stop reading at once: threads finish the file they are on (unwaited for), worker
    processes are ended, then the pool is closed — waited for, which takes no time once
    its workers are gone; not waiting would leave Python's exit hook a closed pipe to
    write to ("Exception ignored … Bad file descriptor" after the interrupted line)."""
    if not isinstance(pool, ProcessPoolExecutor):
        pool.shutdown(wait=False, cancel_futures=True)
        return
    for proc in list((pool._processes or {}).values()):  # no public way before Python 3.14's terminate_workers
        if proc.is_alive():
            proc.terminate()
    pool.shutdown(wait=True, cancel_futures=True)


def _sha256(path: Path) -> str:
    """A lock file's fingerprint, when Excel lets us read it ("" when it does not)."""
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError:
        return ""


def _validate(sheets: list[Sheet], report: Report) -> InputData:
    """Recognised sheets → InputData; the memory reading freed is handed back (heap)."""
    data = _check(sheets, report)
    heap.release()
    return data


def _check(sheets: list[Sheet], report: Report) -> InputData:
    """Recognised sheets → InputData, kind by kind, in the order the checks need."""
    of = {k.key: Rows(k, [s for s in sheets if s.kind.key == k.key]) for k in vocab.SHEET_KINDS}
    data = InputData.empty()
    data.report = report

    data.settings, settings_issues = read_settings(of["settings"])
    data.tiers, tables = read_tiers(of["tiers"])
    scheme = read_scheme(of["scheme"], tables)
    targets_rows = of["targets"]
    parsed = parse_targets(targets_rows)
    percent = percent_kpis(scheme, targets_rows, parsed)
    data.scheme = finish_scheme(scheme, percent)

    has_scheme = bool(of["scheme"].sheets)
    if not has_scheme:
        report.add(NO_SCHEME())
        # Without a scheme no row can be checked: the one error above stands for them all.
        for key in ("targets", "ratings"):
            of[key].status[of[key].live] = REJECTED
    data.targets = finish_targets(targets_rows, parsed, scheme, data.scheme)
    data.ratings = read_ratings(of["ratings"], people_roles(targets_rows, parsed), data.scheme,
                                scheme.invalid_roles)
    data.training = read_training(of["training"])
    staff = read_staff(of["staff"])
    bases = target_bases(targets_rows, parsed)
    data.staff = pd.concat([staff, bases], ignore_index=True) if len(bases) else staff

    for key in ("settings", "tiers", "scheme", "targets", "ratings", "training", "staff"):
        report.extend(of[key].issues)
        if key == "settings":
            report.extend(settings_issues)
        report.counts.extend(of[key].counts())
    return data
