"""The readers: a folder of .xlsx → validated :class:`~kpi_engine.data.InputData` and every problem.

Modules, in the order a run uses them:

- ``files``     discovery (files and folders), lock files, own results, encrypted/corrupt/zip-bomb checks
- ``workbook``  calamine grids with merged ranges filled; formula cells without a trusted value
- ``sheets``    sheet recognition by name or header row; header matching; unit hints
- ``values``    vectorised cell parsing: numbers, no-data words, text, periods, fixed words
- ``rows``      rows of one kind from every file: status, issues, common checks, duplicates, counts
- ``settings``, ``scheme`` (+ tiers), ``targets``, ``ratings``, ``training``: one per kind of sheet
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable, Sequence
from pathlib import Path

from .. import vocab
from ..data import InputData, InputFile
from ..issues import Issue, IssueType, NothingToScoreError, Report, SheetCount
from ..timing import phase
from . import heap
from .files import FILE_CORRUPT, FILE_TOO_LARGE, LOCK_FILE_SKIPPED, NO_INPUT_FILES, discover, open_candidate
from .ratings import read_ratings
from .rows import REJECTED, Rows
from .scheme import finish_scheme, read_scheme, read_tiers
from .settings import read_settings
from .sheets import Sheet, read_sheets
from .targets import finish_targets, parse_targets, people_roles, percent_kpis
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
    readable = [c for c in candidates if not c.lock]
    if not readable:
        issue = next((i for i in found_issues if i.level == "error"), None) or NO_INPUT_FILES(
            value=", ".join(str(p) for p in inputs))
        raise NothingToScoreError(issue)

    files: list[InputFile] = []
    sheets: list[Sheet] = []
    refused_counts = []
    for done, c in enumerate(candidates, 1):
        if progress and done > 1:
            progress(done - 1, len(candidates), candidates[done - 2].name)
        if c.lock:
            report.add(LOCK_FILE_SKIPPED(file=c.name))
            files.append(InputFile(str(c.path), c.name, _sha256(c.path), "skipped"))
            continue
        opened = open_candidate(c)
        if opened.issue or opened.skipped:
            report.add(opened.issue or opened.skipped)
            files.append(InputFile(str(c.path), c.name, opened.sha256, "refused" if opened.issue else "skipped"))
            continue
        try:
            book = open_book(opened.data, opened.kind)
            found, issues, refused = read_sheets(book, c.name, len(sheets))
        except WorkbookError as e:
            report.add((FILE_TOO_LARGE if e.kind == "too_large" else FILE_CORRUPT)(file=c.name, reason=str(e)))
            files.append(InputFile(str(c.path), c.name, opened.sha256, "refused"))
            continue
        report.extend(issues)
        sheets.extend(found)
        refused_counts.extend((c.name, name, n) for name, n in refused.items())
        files.append(InputFile(str(c.path), c.name, opened.sha256, "read",
                               tuple(f"{s.name} ({s.kind.label('zh')})" for s in found)))

    if progress:
        progress(len(candidates), len(candidates), candidates[-1].name)
    with phase("validate"):  # bench/run.py splits reading from validating by it
        data = _validate(sheets, report)
    data.files = files
    for file, name, (kind, n) in refused_counts:
        report.counts.append(SheetCount(file=file, sheet=name, kind=kind, read=n, rejected=n))
    return data


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

    for key in ("settings", "tiers", "scheme", "targets", "ratings", "training"):
        report.extend(of[key].issues)
        if key == "settings":
            report.extend(settings_issues)
        report.counts.extend(of[key].counts())
    return data
