"""The result workbook (outputs.md, "The result workbook"): one call writes it all.

Sheets, in order: 总览, 汇总, 明细, 月度, 周期, 团队, 培训, 培训课程, 培训前后, 问题, 说明 (en:
Overview, Summary, Scores, Monthly, Periods, Teams, Training, Courses, Before-after, Issues, About),
and the very hidden 参数 that the live formulas read. The
workbook carries the custom document property ``data.RESULT_PROPERTY`` so that a later
run over the same folder recognises it as the engine's own and skips it.

Module map of ``kpi_engine.write`` (the result workbook; ``templates.py`` is separate):

- ``workbook``  this entry point: workbook options, sheet order, document properties
- ``overview``  总览: the one-page overview (grade distribution, teams, top/bottom, red KPIs)
- ``detail``    汇总, 明细 and 参数: the sheets whose formulas reference each other
- ``formulas``  the formula texts (pure strings, Excel 2010 + LibreOffice functions)
- ``grids``     月度 (month grid) and 团队 (team roll-up, per-team block, chart)
- ``periods``   周期 (each month, quarter and year per person; chart of the monthly average)
- ``training``  培训, 培训课程 (chart), 培训前后
- ``about``     问题 (issues) and 说明 (legend, formulas, settings, files, row counts)
- ``sheetkit``  typed, checked cell writing; widths; frozen header, filter, print setup
- ``styles``    the Good/Neutral/Bad colours and number formats, cached
- ``labels``    sheet names, headers and texts in zh and en
"""

from __future__ import annotations

import io
from dataclasses import replace
from datetime import datetime
from pathlib import Path

from xlsxwriter.exceptions import FileCreateError

from .. import __version__
from ..data import RESULT_PROPERTY, Outcome
from ..issues import Issue, Report
from ..vocab import Lang
from . import about, calibration, detail, grids, overview, parts, periods, training
from . import labels as lb
from .package import ResultBook
from . import sheetkit as sk
from .sheetkit import FastSheet
from .styles import Styles

# Input text is written as text, never as a formula, URL or number (outputs.md,
# "Nothing lost"); NaN is never handed to xlsxwriter (blank cells instead), so a NaN
# that slipped through raises rather than becoming #NUM!.
WORKBOOK_OPTIONS = {
    "strings_to_formulas": False,
    "strings_to_urls": False,
    "strings_to_numbers": False,
    "nan_inf_to_errors": False,
    # No temporary files in /tmp (xlsxwriter's default, one per part): a full or
    # size-limited disk then fails in one place, the result's own file. package.ResultBook
    # streams the parts into the zip as they are written, not through memory either.
    "in_memory": True,
}


def write_workbook(outcome: Outcome, path: Path, lang: Lang = "zh", created: datetime | None = None,
                   name: str | None = None) -> list[Issue]:
    """Write the whole result workbook to ``path`` (the caller picks a temporary name and renames).

    ``created`` fixes the document's creation time (deterministic output for tests);
    by default it is now. ``name`` is the file name the workbook will have (``path``'s
    by default), for the issues it raises itself, which it returns: texts cut to fit a
    cell (``text_cut``).
    """
    if lang not in ("zh", "en"):
        raise ValueError(f"lang must be 'zh' or 'en', not {lang!r}")
    created = created or datetime.now()
    results = outcome.results
    version = outcome.version or __version__

    # Long tables as several sheets (明细 (1), 明细 (2) …): decided, or refused, before a
    # byte is written (parts.py).
    plan = parts.plan(outcome, lang)
    new = [i for i in plan.issues if i not in outcome.report.issues] if plan.issues else []
    if new:  # written by a script that called no pipeline.write: 问题, 总览 and 说明 still say so
        outcome = replace(outcome, report=Report(issues=[*outcome.report.issues, *new], counts=outcome.report.counts))

    # The zip goes straight to ``path`` as its parts are made (package.ResultBook): the
    # sheets' XML is never held whole, in memory or on disk. When the disk is full, the
    # writing stops with that OSError and the half-written file is the caller's to remove.
    book = ResultBook(str(path), WORKBOOK_OPTIONS)
    styles = Styles(book)
    sheets: dict[str, list[FastSheet]] = {
        key: [book.add_worksheet(name, worksheet_class=FastSheet) for name in plan.names(key, lang)]
        for key in lb.SHEET_ORDER if key != "calibration" or results.settings.forced_distribution is not None}
    one = {key: got[0] for key, got in sheets.items()}

    def split(key: str) -> list[tuple[FastSheet, parts.Part]]:
        return list(zip(sheets[key], plan.parts[key]))

    def rows(frame, part: parts.Part):
        return frame if part.rows == len(frame) else frame.iloc[part.start:part.stop].reset_index(drop=True)

    scores = detail.ordered_scores(results)
    tier_ranges = detail.write_params(book, one["params"], styles, results, lang)
    for ws, part in split("scores"):
        detail.write_scores(ws, styles, rows(scores, part), results, lang, tier_ranges)
    detail.write_summary(book, one["summary"], styles, results, lang, detail.score_parts(scores, plan.parts["scores"]))
    grids.write_monthly(split("monthly"), styles, scores, results, lang)
    grids.write_teams(book, one["teams"], one["params"], styles, scores, results, lang)
    del scores  # 明细's sorted copy of the scores: its cells are taken, the sheets render at close
    periods.write_periods(book, one["periods"], one["params"], styles, results, lang)
    if "calibration" in one:
        calibration.write_calibration(one["calibration"], styles, results, lang, lb.sheet_name("summary", lang))
    training.write_training(book, one["courses"], split("training"), split("before_after"), styles, results, lang)
    # Texts cut to fit a cell are warnings of this very workbook: on 问题, counted on 说明
    # and 总览, and handed back to the caller for the terminal.
    cut = sk.cut_issues(book.worksheets(), name or Path(path).name)
    if cut:
        outcome = replace(outcome, report=Report(issues=[*outcome.report.issues, *cut], counts=outcome.report.counts))
        plan.parts["issues"] = parts.spread(plan.parts["issues"], len(outcome.report.issues), "issues", lang)
    about.write_issues(split("issues"), styles, outcome, lang)
    about.write_about(one["about"], styles, outcome, lang, created, lb.sheet_name("params", lang))
    overview.write_overview(book, one["overview"], styles, outcome, lang, lb.sheet_name("summary", lang),
                            plan.names("issues", lang)[0])
    one["overview"].activate()

    book.set_properties({
        "title": "KPI 考核结果" if lang == "zh" else "KPI results",
        "subject": " – ".join(dict.fromkeys((results.scope[0], results.scope[-1]))) if results.scope else "",
        "author": "kpi-engine",
        "comments": f"kpi-engine {version}",
        "created": created,
    })
    if book.set_custom_property(RESULT_PROPERTY, version):
        raise ValueError(f"the custom property {RESULT_PROPERTY}={version!r} was refused")
    save(book)
    return cut


def save(book, buffer: io.BytesIO | None = None, path: Path | None = None) -> None:
    """Close a workbook; one built in ``buffer`` is then written to ``path`` in one go.

    The pipeline reports an OSError as "cannot write the output" (exit code 2), so
    xlsxwriter's own error is turned back into the OSError behind it."""
    try:
        book.close()
    except FileCreateError as exc:
        cause = exc.__cause__ or exc.__context__
        raise (cause if isinstance(cause, OSError) else OSError(str(exc))) from exc
    if buffer is not None:
        with open(path, "wb") as fh:
            fh.write(buffer.getbuffer())
