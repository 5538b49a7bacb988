"""The one orchestrator: read → validate → score → write.

Everything the CLI does goes through here, so a script can do the same (the package's
``load``, ``score`` and ``save`` are ``load``, ``score`` and ``write`` below):

    data = pipeline.load(["drop/"])                 # read and validate, once
    outcome = pipeline.score(data, period="2026-03")  # pure: data is left as it was
    paths = pipeline.write(outcome, pipeline.default_output(["drop/"], outcome), lang="zh")
"""

from __future__ import annotations

import gc
import os
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import replace
from datetime import datetime
from pathlib import Path

import pandas as pd

from . import __version__, core, diagnose, output, read
from .timing import phase
from .core.pay import unscored_staff
from .data import InputData, Outcome
from .issues import (
    Issue,
    IssueType,
    KpiEngineError,
    NothingToScoreError,
    OutputError,
    Report,
    SheetCount,
    UsageError,
)

NO_TARGETS = IssueType(
    "no_target_rows",
    "error",
    zh="没有可评分的目标管理行{scope_text}：无法评分。请检查目标管理表及其中列出的错误。",
    en="No target-sheet row could be scored{scope_text}. Check the target sheets and the errors listed for them.",
)
BAD_PERIOD_ARG = IssueType(
    "bad_period_argument",
    "error",
    zh="期间参数 {value} 不是月份。请写成 2026-03 这样的形式。",
    en="The period argument {value} is not a month. Write it like 2026-03.",
)
PERIOD_CONFLICT = IssueType(
    "period_argument_conflict",
    "error",
    zh="--period 不能与 --from/--to 同时使用；单月用 --period，区间用 --from 和 --to。",
    en="--period cannot be combined with --from/--to: use --period for one month, --from and --to for a range.",
)
EMPTY_RANGE = IssueType(
    "empty_period_range",
    "error",
    zh="期间区间 {value} 的起点晚于终点。",
    en="The period range {value} starts after it ends.",
)
OUT_OF_SCOPE = IssueType(
    "rows_out_of_scope",
    "info",
    zh="{count} 行属于评分期间（{scope}）以外的月份，未参与评分。",
    en="{count} rows belong to months outside the scope ({scope}) and were not scored.",
)
RANGE_MONTHS_MISSING = IssueType(
    "range_months_missing",
    "warning",
    zh="所选期间 {range} 中有 {count} 个月没有任何目标管理数据：{value}。只对有数据的 {scored} 个月评分；"
    "如果这些月份应有数据，请把它们的目标管理表放进输入文件夹。",
    en="{count} months of the requested range {range} have no target-sheet data: {value}. Only the {scored} "
    "months with data were scored; if those months should have data, put their target sheets in the input folder.",
)
OUTPUT_IS_INPUT = IssueType(
    "output_is_input",
    "error",
    zh="输出文件 {value} 是一个输入文件：结果绝不会覆盖输入。请用 -o 指定其他文件名。",
    en="The output {value} is one of the input files; a result never replaces an input. Choose another name with -o.",
)
TEAM_OUTPUT_FAILED = IssueType(
    "team_output_failed",
    "error",
    zh="团队 {team} 的结果文件 {value} 未能写入：{reason}。总结果和其他团队的文件已写入；请移走占用这个文件名的东西（例如同名的文件夹）或腾出磁盘空间，然后重新运行。",
    en="Team {team}'s result {value} could not be written: {reason}. The full result and the other teams' files were written; move what stands in the way (a folder of that name?) or free disk space, and run again.",
)
STALE_TEMPS_REMOVED = IssueType(
    "stale_temps_removed",
    "info",
    zh="已删除被中断的运行留在结果文件夹中的 {count} 个临时文件：{value}。",
    en="Removed {count} temporary files that interrupted runs had left in the result folder: {value}.",
)
FORMS_FAILED = IssueType(
    "forms_output_failed",
    "error",
    zh="考核表 {value} 未能写入：{reason}。结果文件已写入；请移走占用这个文件名的东西或腾出磁盘空间，然后重新运行。",
    en="The forms {value} could not be written: {reason}. The result was written; move what stands in the way or free disk space, and run again.",
)
FORMS_PDF_FAILED = IssueType(
    "forms_pdf_failed",
    "warning",
    zh="考核表的 PDF {value} 未能生成：{reason}。考核表工作簿已写入，可以直接打印或在 Excel 中另存为 PDF。",
    en="The forms PDF {value} could not be made: {reason}. The forms workbook was written: print it, or save it as PDF from Excel.",
)
FORMS_NO_PDF = IssueType(
    "forms_no_pdf",
    "info",
    zh="未找到 LibreOffice（soffice）：只写了考核表工作簿，没有 PDF。安装 LibreOffice 后 --forms 会同时生成 PDF。",
    en="LibreOffice (soffice) was not found: the forms workbook was written, no PDF. With LibreOffice installed, --forms also makes the PDF.",
)


def parse_scope_args(period: str | None, start: str | None, end: str | None) -> tuple[str | None, str | None, str | None]:
    """Check and normalise --period / --from / --to (any period form of inputs.md)."""
    if period and (start or end):
        raise UsageError(PERIOD_CONFLICT())
    out = []
    for value in (period, start, end):
        if value is None:
            out.append(None)
            continue
        month = read.parse_period(value)
        if month is None:
            raise UsageError(BAD_PERIOD_ARG(value=value))
        out.append(month)
    if out[1] and out[2] and out[1] > out[2]:
        raise UsageError(EMPTY_RANGE(value=f"{out[1]} … {out[2]}"))
    return out[0], out[1], out[2]


@contextmanager
def gc_paused() -> Iterator[None]:
    """Pause Python's cyclic garbage collector for one phase of a run.

    Reading a million rows makes and frees millions of small objects (calamine's row
    lists, cell values) with no reference cycles among them; the collector would walk
    every live object again and again finding nothing — about a tenth of the reading
    time at 900,000 rows (docs/decisions.md, Performance). Reference counting still
    frees everything as usual; the collector resumes when the phase ends."""
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()


def load(
    inputs: str | os.PathLike | Sequence[str | os.PathLike],
    progress: Callable[[int, int, str], None] | None = None,
) -> InputData:
    """Read and validate workbooks and/or folders (one path or several); raises
    NothingToScoreError when no input file is found. Rows that fail are in ``.report``.

    ``progress(done, total, file_name)`` is called after each file (for a progress bar)."""
    with phase("load"), gc_paused():
        return read.load(inputs, progress=progress)


def run(
    inputs: Sequence[str | os.PathLike],
    *,
    period: str | None = None,
    start: str | None = None,
    end: str | None = None,
    data: InputData | None = None,
) -> Outcome:
    """Read, validate and score (``data``: input loaded already). Raises NothingToScoreError
    when nothing can be scored."""
    period, start, end = parse_scope_args(period, start, end)  # before reading: a bad argument fails fast
    if data is None:
        data = load(inputs)
    return score(data, period=period, start=start, end=end)


def score(
    data: InputData,
    *,
    period: str | None = None,
    start: str | None = None,
    end: str | None = None,
) -> Outcome:
    """Score loaded input over one month, a range or (by default) every month present.

    Pure: ``data`` and its report are left exactly as they were, so one load can be
    scored again for another period (a script, ``watch``) and give the same outcome.
    The outcome's report is a new one: the readers' issues and counts, the rows outside
    the scope moved from used to skipped, then the core's issues.
    Raises NothingToScoreError when nothing can be scored."""
    if not isinstance(data, InputData):
        raise TypeError(f"score() takes the InputData that load() returns, not {type(data).__name__}: "
                        "score(load(paths))")
    core.check_input(data)  # a frame built by hand fails here, by name, before anything is counted
    period, start, end = parse_scope_args(period, start, end)
    scope_text = _scope_text(period, start, end)

    def nothing(issue, scope=None) -> NothingToScoreError:
        # The causes in both languages are built from the issue list: the CLI picks one.
        return NothingToScoreError(issue, causes=diagnose.causes(data, scope, scope_text), report=data.report)

    if data.scheme.empty:
        raise nothing(read.NO_SCHEME())
    scope = core.resolve_scope(data.targets["period"], period=period, start=start, end=end)
    if not scope:
        raise nothing(NO_TARGETS(scope_text=scope_text), scope)
    counts, skipped = _out_of_scope(data, scope)
    skipped = [*_missing_months(data, scope, start, end), *skipped]
    with phase("score"), gc_paused():
        kept: dict = {}
        results = core.score(data, scope, keep=kept)
        # Each month, quarter and year of the scope, for 周期 and --json (core.periods).
        results = replace(results, periods=core.periods(data, scope, results, kept))
        del kept
    if results.people.empty:
        raise nothing(NO_TARGETS(scope_text=scope_text), scope)
    counts, unscored = _unscored_staff(data, counts, results.people["employee_id"], scope)
    report = Report(issues=[*data.report.issues, *skipped, *unscored, *results.issues], counts=counts)
    return Outcome(results=results, report=report, files=list(data.files), version=__version__)


def _missing_months(data: InputData, scope: Sequence[str], start: str | None, end: str | None) -> list[Issue]:
    """A --from/--to range with months that have no target rows: one warning naming them,
    instead of scoring the shorter range silently. An open end stands for the data's first
    or last month."""
    if start is None and end is None:
        return []
    present = set(scope)
    periods = [p for p in pd.unique(data.targets["period"]) if isinstance(p, str) and p]
    lo = start or min(periods, default=scope[0])
    hi = end or max(periods, default=scope[-1])
    wanted = [str(p) for p in pd.period_range(lo, hi, freq="M")]
    missing = [m for m in wanted if m not in present]
    if not missing:
        return []
    shown = "、".join(missing[:24]) + (" …" if len(missing) > 24 else "")
    return [RANGE_MONTHS_MISSING(value=shown, count=len(missing), range=f"{lo} – {hi}", scored=len(scope))]


def _scope_text(period, start, end) -> str:
    if period:
        return f" ({period})"
    if start or end:
        return f" ({start or '…'} – {end or '…'})"
    return ""


def _out_of_scope(data: InputData, scope: Sequence[str]) -> tuple[list[SheetCount], list[Issue]]:
    """Rows of months outside the scope are read but not scored: new counts with them moved
    from used to skipped, and one info issue per sheet. The readers' counts stay as they are."""
    in_scope = set(scope)
    scope_label = scope[0] if len(scope) == 1 else f"{scope[0]} – {scope[-1]}"
    outside: Counter = Counter()
    issues: list[Issue] = []
    for frame in (data.targets, data.ratings, data.training):
        if frame.empty:
            continue
        rows = frame.loc[~frame["period"].isin(in_scope), ["file", "sheet"]]
        for (file, sheet), n in rows.value_counts(sort=False).items():
            outside[(file, sheet)] += int(n)
            issues.append(OUT_OF_SCOPE(file=file, sheet=sheet, count=int(n), scope=scope_label))
    counts = [
        replace(c, used=c.used - outside[(c.file, c.sheet)], skipped=c.skipped + outside[(c.file, c.sheet)])
        for c in data.report.counts
    ]
    return counts, issues


def _unscored_staff(data: InputData, counts: list[SheetCount], scored: pd.Series, scope: Sequence[str]
                    ) -> tuple[list[SheetCount], list[Issue]]:
    """人员 rows of someone without a target row in the scope: one issue each
    (core.pay.unscored_staff), and the rows moved from used to skipped on their sheet."""
    issues = unscored_staff(data.staff, scored, scope)
    if not issues:
        return counts, []
    moved = Counter((i.file, i.sheet) for i in issues)
    return [replace(c, used=c.used - moved[(c.file, c.sheet)], skipped=c.skipped + moved[(c.file, c.sheet)])
            if c.kind == "staff" else c for c in counts], issues


def exit_code(report: Report) -> int:
    """0: everything scored (warnings allowed); 1: some rows or files were rejected.

    (2, nothing could be scored, is a NothingToScoreError raised before there is a report.)"""
    return 1 if report.has_errors else 0


# --- output -------------------------------------------------------------------------


def default_output(inputs: Sequence[str | os.PathLike], outcome: Outcome) -> Path:
    """``kpi-results_<first>_<last>.xlsx`` inside the (first) input folder, or beside the input file."""
    first = Path(inputs[0])
    folder = first if first.is_dir() else first.parent
    scope = outcome.results.scope
    return folder / f"kpi-results_{scope[0]}_{scope[-1]}.xlsx"


def write(
    outcome: Outcome,
    out: Path,
    *,
    lang: str = "zh",
    split_by: str | None = None,
    created: datetime | None = None,
    on_file: Callable[[Path], None] | None = None,
    forms: bool = False,
) -> list[Path]:
    """Write the result (and one workbook per team with split_by="team"), each atomically.

    ``forms``: after each result workbook, its printable 考核表 beside it
    (``<result>_考核表.xlsx``, kpi_engine.write.forms), and for the full result a PDF of
    it when LibreOffice is installed. A forms file that fails is an issue, never a stop.

    Temporaries that killed runs left in the folder are removed first (an info issue
    names them). The full result is written first: when it cannot be, OutputError stops
    the run with nothing written. A team's workbook that fails after it does not undo
    it: the failure becomes an error issue in ``outcome.report`` naming the team and the
    path (exit code 1) and the other teams are still written. Returns the paths written."""
    from .write.workbook import write_workbook

    out = Path(out)
    if out.suffix == "":
        out = out.with_suffix(".xlsx")
    _plan_sheets(outcome, lang)
    jobs: list[tuple[Path, str | None]] = [(out, None)]
    if split_by == "team":
        teams = sorted(outcome.results.people["team"].unique())
        jobs += [(path, team) for team, path in output.team_paths(out, teams).items()]
    forms_paths = {path: _forms_path(path, lang, [p for p, _ in jobs]) for path, _ in jobs} if forms else {}
    _refuse_inputs(outcome, [path for path, _ in jobs] + list(forms_paths.values()))
    removed = output.remove_stale_temps(out.parent)
    if removed:
        outcome.report.add(STALE_TEMPS_REMOVED(count=len(removed), value=", ".join(removed)))
    # Each team's share is cut as its turn comes (every table grouped once, core.by_team),
    # so one team's results are held at a time, never every team's.
    shares = core.by_team(outcome.results, [team for _, team in jobs[1:]])
    written = []
    for path, team in jobs:
        part = outcome
        if team is not None:
            with phase("split"):
                _, results = next(shares)
            # A manager sees the issues about their own people and team (the core knows
            # whose they are); problems in the sheets themselves stay in the full result.
            part = replace(outcome, results=results, report=Report(issues=list(results.issues), counts=outcome.report.counts))
        try:
            raised: list = []
            with phase("write"), gc_paused():
                output.atomic_write(path, lambda tmp, part=part, path=path: raised.extend(
                    write_workbook(part, tmp, lang=lang, created=created, name=path.name)))
            outcome.report.extend(raised)
        except Exception as exc:
            if team is None:
                raise
            outcome.report.add(TEAM_OUTPUT_FAILED(value=str(path), team=team, reason=_reason(exc, lang)))
            continue
        written.append(path)
        if on_file:
            on_file(path)
        if forms:
            for done in _write_forms(part, forms_paths[path], lang=lang, created=created, team=team,
                                     report=outcome.report):
                written.append(done)
                if on_file:
                    on_file(done)
    return written


def _forms_path(result: Path, lang: str, taken: Sequence[Path]) -> Path:
    """``<result>_考核表.xlsx``; should a team be called 考核表 itself, ``<result>_考核表_.xlsx``."""
    from .write.forms import forms_path

    path = forms_path(result, lang)
    names = {p.name.casefold() for p in taken}
    while path.name.casefold() in names:
        path = path.with_name(path.stem + "_.xlsx")
    return path


def _write_forms(part: Outcome, path: Path, *, lang: str, created: datetime | None, team: str | None,
                 report: Report) -> list[Path]:
    """The forms workbook of one result (and its PDF for the full result): the paths
    written. A failure becomes an issue in ``report``; the result stays written."""
    from .write import forms

    try:
        raised: list = []
        with phase("forms"), gc_paused():
            output.atomic_write(path, lambda tmp: raised.extend(forms.write_forms(part, tmp, lang=lang, created=created)))
        report.extend(raised)
    except Exception as exc:  # noqa: BLE001 - the result is written: say what failed, go on
        report.add(FORMS_FAILED(value=str(path), reason=_reason(exc, lang)))
        return []
    done = [path]
    if team is None:
        pdf = path.with_suffix(".pdf")
        program = forms.soffice()
        if program is None:
            report.add(FORMS_NO_PDF())
            return done
        try:
            with phase("forms_pdf"):
                forms.to_pdf(path, pdf, len(part.results.people), program)
            done.append(pdf)
        except Exception as exc:  # noqa: BLE001 - never required
            reason = str(exc) if isinstance(exc, RuntimeError) else _reason(exc, lang)
            report.add(FORMS_PDF_FAILED(value=str(pdf), reason=reason))
    return done


def _plan_sheets(outcome: Outcome, lang: str) -> None:
    """Before a byte is written: a table longer than an Excel sheet is split over several
    sheets (an info issue says which, shown in 问题 and on the terminal), or, when it cannot
    be, OutputError stops the run (kpi_engine.write.parts)."""
    from .write import parts

    for issue in parts.plan(outcome, lang).issues:
        if issue not in outcome.report.issues:
            outcome.report.add(issue)


def _refuse_inputs(outcome: Outcome, paths: Sequence[Path]) -> None:
    """A result never replaces an input: checked for every file before any is written."""
    # An earlier result in the folder was skipped, not read: replacing it is the point.
    inputs = {os.path.realpath(f.path) for f in outcome.files if f.status != "skipped"}
    for path in paths:
        if os.path.realpath(path) in inputs:
            raise OutputError(OUTPUT_IS_INPUT(value=str(path)))


def _reason(exc: Exception, lang: str) -> str:
    """Why a team's workbook failed, in a few words: the system's reason when there is one."""
    cause = exc.__cause__ if isinstance(exc.__cause__, OSError) else exc
    if isinstance(cause, OSError):
        return cause.strerror or str(cause)
    if isinstance(cause, KpiEngineError):
        return cause.issue.message(lang)
    return f"{type(cause).__name__}: {cause}"


def summary(outcome: Outcome, lang: str = "zh", periods: bool = True) -> dict:
    """The run's summary, per-person totals and every issue (messages in ``lang``), as --json
    prints them. ``issues`` counts them by level; ``issue_list`` lists them as
    ``Report.records`` does (the 问题 sheet's order, level and field as codes). ``periods``:
    each month, quarter and year with every person's result in it (:func:`period_summary`),
    under the rule ``period_rollup`` in force."""
    people = outcome.results.people
    levels = outcome.report.by_level()
    grades = people["grade"].value_counts()
    return {
        "version": outcome.version,
        "scope": list(outcome.results.scope),
        "people": int(len(people)),
        "scored": int(people["total"].notna().sum()),
        "grades": {g: int(grades.get(g, 0)) for g in ("excellent", "good", "pass", "improve")},
        "issues": {lvl: int(levels.get(lvl, 0)) for lvl in ("error", "warning", "info")},
        "exit_code": exit_code(outcome.report),
        "totals": [
            {
                "employee_id": r.employee_id,
                "name": r.name,
                "team": r.team,
                "role": r.role,
                "total": None if pd.isna(r.total_rounded) else float(r.total_rounded),
                "grade": r.grade or None,
                "raw_grade": r.raw_grade or None,  # before a forced distribution by rank (else the same)
                "team_rank": None if pd.isna(r.team_rank) else int(r.team_rank),
                "overall_rank": None if pd.isna(r.overall_rank) else int(r.overall_rank),
                "incomplete": bool(r.incomplete),
                "coefficient": None if pd.isna(r.coefficient) else float(r.coefficient),
                "base": None if pd.isna(r.base) else float(r.base),
                "months_in_post": int(r.months_in_post),
                "pay": None if pd.isna(r.pay) else float(r.pay),
                "flags": list(r.flags) if isinstance(r.flags, tuple) else [],
            }
            for r in people.itertuples(index=False)
        ],
        "calibration": calibration_summary(outcome.results),
        "period_rollup": outcome.results.settings.period_rollup,
        "periods": period_summary(outcome.results.periods) if periods else [],
        "issue_list": outcome.report.records(lang),
    }


def calibration_summary(results) -> dict | None:
    """The forced distribution (core.calibration) as --json prints it: the setting, and per
    group (``""`` for everyone) and bucket the target share and head count and the counts
    by total and after calibration; None without one."""
    s = results.settings
    if s.forced_distribution is None:
        return None
    return {
        "shares": list(s.forced_distribution), "mode": s.calibration_mode, "group": s.calibration_group,
        "groups": [{"group": r.group, "scored": int(r.scored), "applied": bool(r.applied), "bucket": r.bucket,
                    "share": float(r.share), "target": int(r.target), "raw": int(r.raw),
                    "calibrated": int(r.calibrated)} for r in results.calibration.itertuples(index=False)],
    }


def period_summary(periods: pd.DataFrame) -> list[dict]:
    """Each month, quarter and year of the scope (core.periods) with every person's total,
    grade, ranks, months counted, coefficient, months in post and pay in it, as --json
    prints them."""
    out = []
    if periods.empty:
        return out
    frame = pd.DataFrame({
        "employee_id": periods["employee_id"],
        "total": periods["total_rounded"].astype(object).where(periods["total_rounded"].notna(), None),
        "grade": periods["grade"].where(periods["grade"] != "", None),
        "team_rank": periods["team_rank"].astype(object).where(periods["team_rank"].notna(), None),
        "overall_rank": periods["overall_rank"].astype(object).where(periods["overall_rank"].notna(), None),
        "months_counted": periods["months_counted"],
        "coefficient": periods["coefficient"].astype(object).where(periods["coefficient"].notna(), None),
        "months_in_post": periods["months_in_post"],
        "pay": periods["pay"].astype(object).where(periods["pay"].notna(), None),
    })
    for (kind, period), at in periods.groupby(["kind", "period"], sort=False).indices.items():
        first = periods.iloc[at[0]]
        rows = frame.iloc[at]
        totals = periods["total_rounded"].iloc[at]
        out.append({
            "period": period,
            "kind": kind,
            "months_covered": int(first["months_covered"]),
            "months_in_period": int(first["months_in_period"]),
            "mean_total": None if totals.isna().all() else float(round(totals.mean(), 2)),
            "results": [{k: (int(v) if k in ("team_rank", "overall_rank", "months_counted", "months_in_post")
                             and v is not None
                             else float(v) if k in ("total", "coefficient", "pay") and v is not None else v)
                         for k, v in r.items()} for r in rows.to_dict("records")],
        })
    return out


def row_counts(report: Report) -> dict[str, int]:
    """Totals over all sheets: read, used, rejected, duplicates, skipped."""
    keys = ("read", "used", "rejected", "duplicates", "skipped")
    return {k: sum(getattr(c, k) for c in report.counts) for k in keys}


__all__ = [
    "run",
    "load",
    "score",
    "write",
    "default_output",
    "exit_code",
    "summary",
    "parse_scope_args",
    "row_counts",
]
