"""The command line: arguments in, messages and exit codes out (outputs.md, "Command line").

The only module that knows typer and rich. Exit codes: 0 everything scored (warnings
allowed), 1 some rows or files rejected, or a team's workbook not written (the result is
still written), 2 nothing could be scored (no input, no scheme, bad arguments, output not
writable), 130 stopped by Ctrl-C (one line says what is on disk).

The engine (pandas, numpy, the Excel libraries, pydantic) is imported inside the
commands, never at import time: ``--help`` and a mistyped option answer in a fraction of
the time (tests/test_cli.py checks what ``--help`` loads).
"""

from __future__ import annotations

import json
import os
import sys
import traceback
from dataclasses import dataclass, field
from enum import Enum
from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.console import Console
from rich.table import Table

from . import __version__
from .issues import KpiEngineError, Report, ISSUE_COLUMNS


class Lang(str, Enum):
    zh = "zh"
    en = "en"


class SplitBy(str, Enum):
    team = "team"


app = typer.Typer(
    name="kpi-engine",
    help="Score a sales department's KPI sheets into a colour-coded Excel workbook.",
    add_completion=False,
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)

err = Console(stderr=True, highlight=False)
out = Console(highlight=False)

TEXT = {
    "zh": {
        "scored": "已评分 {people} 人，其中 {scored} 人有总分（期间 {scope}）",
        "grades": "等级：优秀 {excellent} · 良好 {good} · 合格 {pass} · 待改进 {improve}",
        "periods": "周期：{month} 个月 · {quarter} 个季度 · {year} 个年度，季度和年度按“{rule}”（见“周期”工作表）",
        "calibrated": "强制分布 {shares}：{groups} 按排名校准，{changed} 人的等级有变动（见“强制分布”工作表和汇总的“校准等级”）",
        "distribution": "强制分布 {shares}：{mode}（见“强制分布”工作表）",
        "issues": "问题：错误 {error} · 警告 {warning} · 提示 {info}",
        "rows": "行数：读取 {read} = 使用 {used} + 拒绝 {rejected} + 重复 {duplicates} + 跳过 {skipped}",
        "written": "结果已写入：{path}",
        "forms_written": "考核表已写入：{path}",
        "rejected_note": "部分行被拒绝：详见结果文件的“问题”工作表。",
        "not_read": "未读取的文件（{count}）：{names}",
        "causes": "原因：",
        "all_issues": "全部问题（{count} 条，按级别排序）：",
        "more_issues": "…… 还有 {more} 条：运行 kpi-engine validate <输入> 查看全部。",
        "clean": "没有发现问题。",
        "error": "错误：{message}",
        "crash": "内部错误：{message}。请加 --debug 重新运行并把输出发给维护者。",
        "templates": "模板已写入：{path}",
        "demo": "示例数据：{path}",
        "reading": "读取",
        "scoring": "评分",
        "writing": "写入",
        "watching": "正在监视 {path}（按 Ctrl-C 停止）",
        "watch_run": "{time} {status} {message}",
        "stopped": "已停止监视。",
        "interrupted_nothing": "已中断：没有写入任何文件。",
        "interrupted_kept": "已中断：没有写入任何文件，原有结果保持不变：{path}",
        "interrupted_teams": "已中断：结果已写入 {path}，但按团队拆分的文件只写完 {done}/{total} 个；请重新运行。",
        "interrupted_done": "已中断：所有文件均已写入，结果：{path}",
    },
    "en": {
        "scored": "Scored {people} people, {scored} with a total (scope {scope})",
        "grades": "Grades: Excellent {excellent} · Good {good} · Pass {pass} · Needs improvement {improve}",
        "periods": "Periods: {month} months · {quarter} quarters · {year} years; quarters and years by {rule} (see the Periods sheet)",
        "calibrated": "Forced distribution {shares}: {groups} calibrated by rank, {changed} changed grade (see the Calibration sheet and Summary's Calibrated grade)",
        "distribution": "Forced distribution {shares}: {mode} (see the Calibration sheet)",
        "issues": "Issues: {error} errors · {warning} warnings · {info} info",
        "rows": "Rows: read {read} = used {used} + rejected {rejected} + duplicates {duplicates} + skipped {skipped}",
        "written": "Result written to: {path}",
        "forms_written": "Forms written to: {path}",
        "rejected_note": "Some rows were rejected: see the Issues sheet of the result.",
        "not_read": "Files not read ({count}): {names}",
        "causes": "Why:",
        "all_issues": "Every issue ({count}, by level):",
        "more_issues": "… and {more} more: run kpi-engine validate <inputs> to see them all.",
        "clean": "No problems found.",
        "error": "Error: {message}",
        "crash": "Internal error: {message}. Run again with --debug and send the output to the maintainers.",
        "templates": "Templates written to: {path}",
        "demo": "Sample data: {path}",
        "reading": "Reading",
        "scoring": "Scoring",
        "writing": "Writing",
        "watching": "Watching {path} (Ctrl-C to stop)",
        "watch_run": "{time} {status} {message}",
        "stopped": "Stopped watching.",
        "interrupted_nothing": "Interrupted: nothing was written.",
        "interrupted_kept": "Interrupted: nothing was written; the previous result is kept: {path}",
        "interrupted_teams": "Interrupted: the result was written to {path}, but only {done} of {total} team files; run again.",
        "interrupted_done": "Interrupted: every file had been written; the result: {path}",
    },
}

LangOpt = Annotated[Lang, typer.Option("--lang", help="Language of headers, words and messages: zh or en.")]
DebugOpt = Annotated[bool, typer.Option("--debug", help="Show a traceback when something unexpected fails.")]
InputsArg = Annotated[
    list[Path],
    typer.Argument(help="Input workbooks (.xlsx/.xlsm/.xls/.xlsb/.ods) and/or folders holding them.", show_default=False),
]


def t(lang: Lang | str, key: str, **kw) -> str:
    return TEXT[str(getattr(lang, "value", lang))][key].format(**kw)


def _interactive() -> bool:
    return sys.stderr.isatty()


def _fail(exc: BaseException, lang: Lang, debug: bool) -> typer.Exit:
    """Turn what stopped a run into a message and exit code 2; no traceback unless --debug."""
    if isinstance(exc, KpiEngineError):
        issue = exc.issue
        message = issue.message(lang.value)
        if issue.file and issue.file not in message:
            message = f"{issue.file}: {message}"
        err.print(t(lang, "error", message=message), markup=False, soft_wrap=True)
        _print_causes(exc, lang)
    else:
        if debug:
            traceback.print_exc()
        err.print(t(lang, "crash", message=f"{type(exc).__name__}: {exc}"), markup=False, soft_wrap=True)
    return typer.Exit(2)


LIST_SHOWN = 20  # issues printed after the causes of a run that scored nothing


def _print_causes(exc: BaseException, lang: Lang) -> None:
    """A run that scored nothing: the causes first, then the start of the issue list."""
    causes = getattr(exc, "causes", ())
    for k, cause in enumerate(causes, 1):
        if k == 1:
            err.print(t(lang, "causes"), markup=False)
        err.print(f"  {k}. {cause.message(lang.value)}", markup=False, soft_wrap=True)
    report = getattr(exc, "report", None)
    if report is None or not report.issues:
        return
    issues = report.sorted()
    err.print(t(lang, "all_issues", count=len(issues)), markup=False)
    print_issues(Report(issues=issues[:LIST_SHOWN]), lang, err, keep_order=True)
    if len(issues) > LIST_SHOWN:
        err.print(t(lang, "more_issues", more=len(issues) - LIST_SHOWN), markup=False, soft_wrap=True)


@dataclass
class _Written:
    """What a run has put on disk so far, for the line Ctrl-C prints."""

    target: Path | None = None
    existed: bool = False  # an earlier result at target, which a write replaces whole or not at all
    total: int = 0
    paths: list[Path] = field(default_factory=list)


def _interrupted(state: _Written, lang: Lang) -> typer.Exit:
    """Ctrl-C: one line saying what is on disk now; exit 130 (128 + SIGINT), as shells do."""
    if state.paths and len(state.paths) >= state.total:
        line = t(lang, "interrupted_done", path=state.paths[0])
    elif state.paths:
        line = t(lang, "interrupted_teams", path=state.paths[0], done=len(state.paths) - 1, total=state.total - 1)
    elif state.existed:
        line = t(lang, "interrupted_kept", path=state.target)
    else:
        line = t(lang, "interrupted_nothing")
    err.print(line, markup=False, soft_wrap=True)
    return typer.Exit(130)


def print_issues(report: Report, lang: Lang, console: Console | None = None, keep_order: bool = False) -> None:
    """The issues table: a rich table on a terminal, tab-separated lines otherwise."""
    console = console or out
    issues = report.issues if keep_order else report.sorted()
    if not issues:
        return
    headers = [ISSUE_COLUMNS[k][0 if lang == Lang.zh else 1] for k in ISSUE_COLUMNS]
    if console.is_terminal:
        table = Table(*headers, show_lines=False, header_style="bold")
        for issue in issues:
            row = issue.row(lang.value)
            style = {"error": "red", "warning": "yellow"}.get(issue.level)
            table.add_row(*(row[k] for k in ISSUE_COLUMNS), style=style)
        console.print(table)
    else:  # plain tab-separated lines for pipes and scripts (rich would expand the tabs)
        lines = ["\t".join(headers)]
        lines += ["\t".join(_one_line(issue.row(lang.value)[k]) for k in ISSUE_COLUMNS) for issue in issues]
        console.file.write("\n".join(lines) + "\n")


def _one_line(text: str) -> str:
    return " ".join(str(text).replace("\t", " ").split())


def _print_summary(outcome, paths: list[Path], lang: Lang, late: int) -> None:
    """The summary lines; then the issues the write itself raised (``report.issues[late:]``),
    which the result workbook, already written, cannot show."""
    from . import pipeline

    s = pipeline.summary(outcome, lang=lang.value, periods=False)
    scope = s["scope"][0] if len(s["scope"]) == 1 else f"{s['scope'][0]} – {s['scope'][-1]}"
    lines = [
        t(lang, "scored", people=s["people"], scored=s["scored"], scope=scope),
        t(lang, "grades", **s["grades"]),
    ]
    kinds = outcome.results.periods.drop_duplicates("period")["kind"].value_counts()
    if len(kinds):
        from . import vocab

        lines.append(t(lang, "periods", month=int(kinds.get("month", 0)), quarter=int(kinds.get("quarter", 0)),
                       year=int(kinds.get("year", 0)),
                       rule=vocab.word(vocab.PERIOD_ROLLUPS, outcome.results.settings.period_rollup, lang.value)))
    settings = outcome.results.settings
    if settings.forced_distribution is not None:
        people = outcome.results.people
        from .core.calibration import MIN_GROUP, shares_text

        shares = shares_text(settings.forced_distribution)
        applied = outcome.results.calibration.drop_duplicates("group").query("applied")["group"].tolist()
        if applied:
            everyone = "全部" if lang.value == "zh" else "everyone"
            lines.append(t(lang, "calibrated", shares=shares, groups="、".join(g or everyone for g in applied),
                           changed=int((people["grade"] != people["raw_grade"]).sum())))
        else:
            small = settings.calibration_mode == "rank"
            mode = (f"只作提示{f'（不足 {MIN_GROUP} 人）' if small else ''}" if lang.value == "zh"
                    else f"advisory{f' (under {MIN_GROUP} people)' if small else ''}")
            lines.append(t(lang, "distribution", shares=shares, mode=mode))
    lines += [
        t(lang, "issues", **s["issues"]),
        t(lang, "rows", **pipeline.row_counts(outcome.report)),
    ]
    if pipeline.exit_code(Report(issues=outcome.report.issues[:late])):
        lines.append(t(lang, "rejected_note"))
    not_read = [f.name for f in outcome.files if f.status in ("refused", "ignored")]
    if not_read:  # each with its reason in 问题; named here so that none goes unnoticed
        lines.append(t(lang, "not_read", count=len(not_read), names=", ".join(not_read)))
    from .write.forms import is_forms_file

    lines += [t(lang, "forms_written" if is_forms_file(p) else "written", path=p) for p in paths]
    lines += [issue.message(lang.value) for issue in outcome.report.issues[late:] if issue.level != "error"]
    for line in lines:
        out.print(line, markup=False, soft_wrap=True)


def _print_write_errors(outcome, lang: Lang, late: int) -> None:
    """A team's workbook that could not be written: on stderr, also under --json."""
    for issue in outcome.report.issues[late:]:
        if issue.level == "error":
            err.print(t(lang, "error", message=issue.message(lang.value)), markup=False, soft_wrap=True)


def _score(
    inputs: list[Path],
    output: Optional[Path],
    period: Optional[str],
    start: Optional[str],
    end: Optional[str],
    lang: Lang,
    as_json: bool,
    split_by: Optional[SplitBy],
    quiet: bool = False,
    state: _Written | None = None,
    forms: bool = False,
) -> tuple[int, list[Path]]:
    from . import pipeline

    state = state or _Written()
    progress = None
    if _interactive() and not as_json and not quiet:
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

        progress = Progress(TextColumn("{task.description:<6}"), BarColumn(), MofNCompleteColumn(),
                            TextColumn("{task.fields[name]}"), TimeElapsedColumn(), console=err, transient=True)
        progress.start()
    try:
        task = progress.add_task(t(lang, "reading"), total=None, name="") if progress else None

        def advance(done: int, total: int, name: str) -> None:
            if progress:
                progress.update(task, completed=done, total=total, name=name)

        data = pipeline.load(inputs, progress=advance)
        if progress:
            progress.update(task, description=t(lang, "scoring"), total=1, completed=0, name="")
        outcome = pipeline.run(inputs, period=period, start=start, end=end, data=data)
        del data  # the input frames are not needed to write: their memory goes before the writer's peak
        target = output or pipeline.default_output(inputs, outcome)
        if target.is_dir():
            target = target / pipeline.default_output(inputs, outcome).name
        teams = outcome.results.people["team"].nunique() if split_by else 0
        state.target, state.existed, state.total = target, target.is_file(), 1 + teams
        if forms:  # each workbook's forms beside it, and the full forms' PDF when LibreOffice is there
            from .write.forms import soffice

            state.total = 2 * (1 + teams) + (1 if soffice() else 0)
        if progress:
            progress.update(task, description=t(lang, "writing"), total=state.total, completed=0)

        def wrote(path: Path) -> None:
            state.paths.append(path)
            if progress:
                progress.update(task, advance=1, name=path.name)

        late = len(outcome.report.issues)
        paths = pipeline.write(outcome, target, lang=lang.value, split_by=split_by.value if split_by else None,
                               on_file=wrote, forms=forms)
    finally:
        if progress:
            progress.stop()
    code = pipeline.exit_code(outcome.report)
    if as_json:
        payload = pipeline.summary(outcome, lang=lang.value)
        payload["outputs"] = [str(p) for p in paths]
        sys.stdout.write(json.dumps(payload, ensure_ascii=False, indent=2) + "\n")
    elif not quiet:
        _print_summary(outcome, paths, lang, late)
    if not quiet:
        _print_write_errors(outcome, lang, late)
    return code, paths


@app.command()
def score(
    inputs: InputsArg,
    output: Annotated[Optional[Path], typer.Option("-o", "--output", help="Result workbook (default: kpi-results_<first>_<last>.xlsx in the input folder).")] = None,
    period: Annotated[Optional[str], typer.Option("--period", help="Score one month, e.g. 2026-03.")] = None,
    start: Annotated[Optional[str], typer.Option("--from", help="First month of a range, e.g. 2026-01.")] = None,
    end: Annotated[Optional[str], typer.Option("--to", help="Last month of a range, e.g. 2026-06.")] = None,
    lang: LangOpt = Lang.zh,
    as_json: Annotated[bool, typer.Option("--json", help="Print the summary, per-person totals and every issue as JSON on stdout.")] = False,
    split_by: Annotated[Optional[SplitBy], typer.Option("--split-by", help="Also write one workbook per team, for its manager.")] = None,
    forms: Annotated[bool, typer.Option("--forms", help="Also write the printable assessment form, one A4 page per person: <result>_考核表.xlsx beside the result (per team too with --split-by), and its PDF when LibreOffice is installed.")] = False,
    debug: DebugOpt = False,
) -> None:
    """Score files and/or folders into one result workbook."""
    state = _Written()
    try:
        code, _ = _score(inputs, output, period, start, end, lang, as_json, split_by, state=state, forms=forms)
    except KeyboardInterrupt:
        raise _interrupted(state, lang) from None
    except Exception as exc:  # noqa: BLE001 - every failure becomes a message and exit 2
        raise _fail(exc, lang, debug) from None
    raise typer.Exit(code)


@app.command()
def validate(inputs: InputsArg, lang: LangOpt = Lang.zh, debug: DebugOpt = False) -> None:
    """Read and check the input only: print the problems found; write nothing."""
    from . import pipeline

    try:
        data = pipeline.load(inputs)
    except KeyboardInterrupt:
        raise _interrupted(_Written(), lang) from None
    except Exception as exc:  # noqa: BLE001
        raise _fail(exc, lang, debug) from None
    report = data.report
    nothing = data.scheme.empty or data.targets.empty
    if nothing:  # what stops scoring comes first, then the whole list
        from .diagnose import causes

        found = causes(data)
        if found:
            out.print(t(lang, "causes"), markup=False)
        for k, cause in enumerate(found, 1):
            out.print(f"  {k}. {cause.message(lang.value)}", markup=False, soft_wrap=True)
    print_issues(report, lang)
    levels = report.by_level()
    out.print(t(lang, "issues", **{k: levels.get(k, 0) for k in ("error", "warning", "info")}), markup=False)
    out.print(t(lang, "rows", **pipeline.row_counts(report)), markup=False)
    if not report.issues:
        out.print(t(lang, "clean"), markup=False)
    if nothing:
        raise typer.Exit(2)
    raise typer.Exit(pipeline.exit_code(report))


@app.command()
def template(
    output: Annotated[Path, typer.Option("-o", "--output", help="Folder to write the three templates into.")] = Path("."),
    lang: LangOpt = Lang.zh,
    debug: DebugOpt = False,
) -> None:
    """Write the three blank templates: target sheet, assessment form, training plan."""
    from .write.templates import write_templates

    try:
        paths = write_templates(output, lang.value)
    except OSError as exc:
        err.print(t(lang, "error", message=f"{output}: {exc.strerror or exc}"), markup=False)
        raise typer.Exit(2) from None
    except Exception as exc:  # noqa: BLE001
        raise _fail(exc, lang, debug) from None
    for p in paths:
        out.print(t(lang, "templates", path=p), markup=False, soft_wrap=True)


@app.command()
def demo(
    output: Annotated[Path, typer.Option("-o", "--output", help="Folder for the demo result.")] = Path("kpi-demo"),
    lang: LangOpt = Lang.zh,
    debug: DebugOpt = False,
) -> None:
    """Score the bundled sample data into ./kpi-demo/ — the first thing to try."""
    from .resources import sample_data_dir

    sample = sample_data_dir()
    state = _Written()
    try:
        output.mkdir(parents=True, exist_ok=True)
        out.print(t(lang, "demo", path=sample), markup=False, soft_wrap=True)
        code, _ = _score([sample], output, None, None, None, lang, False, None, state=state)
    except KeyboardInterrupt:
        raise _interrupted(state, lang) from None
    except Exception as exc:  # noqa: BLE001
        raise _fail(exc, lang, debug) from None
    # The sample data holds deliberate imperfections: rejected rows are the point of
    # the demo, not a failure of it.
    raise typer.Exit(0 if code in (0, 1) else code)


@app.command()
def watch(
    folder: Annotated[Path, typer.Argument(help="The drop folder to watch.", show_default=False)],
    output: Annotated[Optional[Path], typer.Option("-o", "--output", help="Result workbook (default: in the folder).")] = None,
    lang: LangOpt = Lang.zh,
    debounce: Annotated[float, typer.Option("--debounce", help="Seconds a file must stay unchanged before a run.")] = 2.0,
    debug: DebugOpt = False,
) -> None:
    """Score the folder again whenever a workbook lands or changes there, until Ctrl-C."""
    from .watch import watch_folder

    def run_once() -> str:
        try:
            code, paths = _score([folder], output, None, None, None, lang, False, None, quiet=True)
            status = "OK" if code == 0 else "!!"
            return f"{status} {t(lang, 'written', path=paths[0])}"
        except Exception as exc:  # noqa: BLE001 - keep watching after a bad file
            if isinstance(exc, KpiEngineError):
                return "XX " + t(lang, "error", message=exc.issue.message(lang.value))
            if debug:
                traceback.print_exc()
            return "XX " + t(lang, "crash", message=f"{type(exc).__name__}: {exc}")

    if not folder.is_dir():
        err.print(t(lang, "error", message=f"{folder}: not a folder / 不是文件夹"), markup=False)
        raise typer.Exit(2)
    out.print(t(lang, "watching", path=folder), markup=False, soft_wrap=True)
    watch_folder(folder, run_once, debounce=debounce, echo=lambda line: out.print(line, markup=False, soft_wrap=True),
                 ignore=(output,) if output else ())
    out.print(t(lang, "stopped"), markup=False)


def _version(value: bool) -> None:
    if value:
        out.print(f"kpi-engine {__version__}")
        raise typer.Exit()


@app.callback()
def _main(
    version: Annotated[bool, typer.Option("--version", callback=_version, is_eager=True, help="Show the version and exit.")] = False,
) -> None:
    """kpi-engine: sales KPI sheets in, a scored, colour-coded workbook out."""


# --- help in the user's language ------------------------------------------------------------
#
# The help texts above are English (what `CliRunner(app)` shows); the command a user runs
# (`main`) shows them in Chinese unless `--lang en` is on the line or the locale is English
# (LC_ALL, LC_MESSAGES, LANG: the first one set decides). Keys: (command, parameter), with
# "*" for the options every command shares and "" for the group itself.

HELP_ZH: dict[tuple[str, str | None], str] = {
    ("", None): "kpi-engine：销售 KPI 表格进，已计分、按颜色标注的工作簿出。",
    ("", "version"): "显示版本号并退出。",
    ("*", "lang"): "表头、词语和消息的语言：zh 或 en。",
    ("*", "debug"): "出现意外错误时显示调用栈（traceback）。",
    ("*", "inputs"): "输入的工作簿（.xlsx/.xlsm/.xls/.xlsb/.ods）或文件夹。",
    ("score", None): "把文件和/或文件夹评分，写成一个结果工作簿。",
    ("score", "output"): "结果工作簿（默认：输入文件夹中的 kpi-results_<首月>_<末月>.xlsx）。",
    ("score", "period"): "只评一个月，例如 2026-03。",
    ("score", "start"): "期间范围的第一个月，例如 2026-01。",
    ("score", "end"): "期间范围的最后一个月，例如 2026-06。",
    ("score", "as_json"): "在标准输出打印 JSON：摘要、每人总分和全部问题。",
    ("score", "split_by"): "另外为每个团队写一个工作簿，交给团队经理。",
    ("score", "forms"): "另外写出可打印的绩效考核表，每人一页 A4：结果旁的 <结果>_考核表.xlsx（配合 --split-by 时每个团队也有一份）；装有 LibreOffice 时同时生成 PDF。",
    ("validate", None): "只读取并检查输入：列出发现的问题，不写任何文件。",
    ("template", None): "写出三个空白模板：目标管理表、考核表、培训计划。",
    ("template", "output"): "模板写入的文件夹。",
    ("demo", None): "为内置示例数据评分，结果写入 ./kpi-demo/ —— 第一次使用就从这里开始。",
    ("demo", "output"): "示例结果的文件夹。",
    ("watch", None): "监视文件夹：每当有工作簿放入或改动就重新评分，直到按 Ctrl-C。",
    ("watch", "folder"): "要监视的投放文件夹。",
    ("watch", "output"): "结果工作簿（默认：在该文件夹中）。",
    ("watch", "debounce"): "文件保持不变多少秒后才开始评分。",
    ("*", "help"): "显示本帮助并退出。",
}
PANELS_ZH = {"ARGUMENTS_PANEL_TITLE": "参数", "OPTIONS_PANEL_TITLE": "选项", "COMMANDS_PANEL_TITLE": "命令",
             "REQUIRED_LONG_STRING": "[必填]", "DEFAULT_STRING": "[默认：{}]"}


def help_language(argv: list[str], environ) -> str:
    """"en" with ``--lang en`` on the command line or an English locale, else "zh"."""
    for i, arg in enumerate(argv):
        if arg.startswith("--lang="):
            return "en" if arg.split("=", 1)[1].strip().lower() == "en" else "zh"
        if arg == "--lang" and i + 1 < len(argv):
            return "en" if argv[i + 1].strip().lower() == "en" else "zh"
    for var in ("LC_ALL", "LC_MESSAGES", "LANG"):
        value = environ.get(var, "")
        if value:
            return "en" if value.lower().startswith("en") else "zh"
    return "zh"


def command(lang: str = "zh"):
    """The click command behind ``app``, its help texts in ``lang``."""
    group = typer.main.get_command(app)
    if lang != "zh":
        return group
    import typer.rich_utils as panels  # help only: loaded with the help itself

    for name, text in PANELS_ZH.items():
        setattr(panels, name, text)
    group.help = HELP_ZH[("", None)]
    commands = [("", group), *group.commands.items()]
    for name, cmd in commands:
        if name:
            cmd.help = HELP_ZH.get((name, None), cmd.help)
        for param in cmd.params:
            text = HELP_ZH.get((name, param.name)) or HELP_ZH.get(("*", param.name))
            if text and hasattr(param, "help"):
                param.help = text
        # --help's own option: click makes it on first demand (and keeps it), in English.
        option = cmd.get_help_option(cmd.context_class(cmd, info_name=name or "kpi-engine"))
        if option is not None:
            option.help = HELP_ZH[("*", "help")]
    return group


def main() -> None:
    command(help_language(sys.argv[1:], os.environ))(prog_name="kpi-engine")


if __name__ == "__main__":
    main()
