"""The bad-input corpus through the real command: whatever arrives, nothing is lost or injected.

For every case of ``tests/corpus/cases.py`` (built by ``tests/corpus/make_corpus.py``):

- ``kpi-engine score`` exits with the spec's code and prints no traceback;
- the expected problem codes are reported, no unexpected error is, and each located
  problem names its file, sheet and cell — in the library's report, in the 问题 sheet of
  the result, and in ``validate``'s table;
- the clean files of the same folder are still scored (their people stand in 汇总);
- every input file is byte-identical afterwards, and nothing is written beside them;
- every sheet's rows balance: read = used + rejected + duplicates + skipped, and 说明
  states the same numbers the library counted;
- the result holds no formula outside the writer's own formula columns, no error cell,
  no hyperlink or external link, and text from the input stays text;
- cases marked ``isolate`` (bombs, entity expansion, the row limit) run in a subprocess
  whose peak RSS must stay under 500 MB (and whose address space is capped, to keep
  this machine alive if a reader does inflate the bomb).
"""

from __future__ import annotations

import hashlib
import json
import re
import resource
import subprocess
import sys
import zipfile
from collections import Counter
from pathlib import Path

import pytest
from openpyxl import load_workbook
from typer.testing import CliRunner

from kpi_engine import pipeline, vocab
from kpi_engine.cli import app
from kpi_engine.issues import ISSUE_COLUMNS, KpiEngineError, Report
from tests.corpus import make_corpus
from tests.corpus.cases import CASE, CASES, Case

# An exception swallowed at garbage collection ("Exception ignored in …", a traceback on
# stderr of the real command) fails the case; so does a file left open.
pytestmark = [
    pytest.mark.filterwarnings("error::pytest.PytestUnraisableExceptionWarning"),
    pytest.mark.filterwarnings("error::ResourceWarning"),
]

ROOT = Path(__file__).resolve().parent.parent
RSS_LIMIT_MB = 500
ADDRESS_SPACE_CAP = 6 * 1024**3  # a runaway reader hits MemoryError here, not the OOM killer

# Where the writer puts formulas (outputs.md, "Live formulas"): 明细 and 汇总, and 总览's
# grade counts and team averages over 汇总.
FORMULA_SHEETS = {"明细", "汇总", "总览", "周期", "Scores", "Summary", "Overview", "Periods"}
# Columns whose cells come from input text: always string cells, never formulas.
TEXT_HEADERS = {"工号", "姓名", "部门", "岗位", "类别", "指标", "备注", "文件", "工作表", "单元格", "字段", "值", "说明",
                "课程编号", "课程名称", "分段表",
                "Employee ID", "Name", "Team", "Role", "Category", "KPI", "Notes", "File", "Sheet", "Cell", "Field",
                "Value", "Message", "Course ID", "Course"}
# Issues that are about a whole run or a whole file carry no sheet/cell.
FILE_LEVEL = {"file_corrupt", "file_encrypted", "file_too_large", "lock_file_skipped", "result_file_skipped",
              "unsupported_file", "no_input_files", "input_not_found", "no_scheme_found", "no_target_rows",
              "no_scheme", "no_targets"}
SHEET_LEVEL = {"header_not_found", "year_missing", "period_missing", "period_conflict", "grid_without_target",
               "grid_read", "period_from_title", "role_has_bad_rows", "core_rating_weight_zero", "sheet_unrecognised",
               "unknown_columns", "rows_out_of_scope"}
# The column headers of the result (outputs.md) and of the inputs: a row holding two or
# more of them, and nothing but text, starts a table (团队 and 说明 hold several).
HEADER_WORDS = TEXT_HEADERS | {
    "总分", "等级", "部门排名", "总排名", "达标", "持平", "未达标", "无数据", "方向", "计分方式", "权重", "目标值", "实际值",
    "完成率", "得分", "状态", "汇总方式", "人数", "已评分", "平均分", "读取", "使用", "拒绝", "重复", "跳过", "级别", "类型",
    "Total", "Grade", "Team rank", "Overall rank", "Met", "Near", "Below", "No data", "Direction", "Method", "Weight",
    "Target", "Actual", "Attainment", "Score", "Status", "Aggregation", "Level", "People", "Scored", "Average total",
    "Read", "Used", "Rejected", "Duplicates", "Skipped", "Kind", "Check", "Trainees", "Attendance",
    # 总览's tables
    "占比", "目标占比", "优秀占比", "未达标人数", "有数据人数", "未达标占比",
    "Share", "Target share", "Excellent share", "With data", "Share below", "Rank", "Total score",
}


def snapshot(folder: Path) -> dict[str, str]:
    """SHA-256 of every file under ``folder`` (the bytes HR gave us)."""
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*")) if p.is_file()
    }


class Recorder:
    """Wraps pipeline.load/run so the CLI's own run is the one inspected (no second run)."""

    def __init__(self, monkeypatch):
        self.data = None
        self.outcome = None
        self.stopped: KpiEngineError | None = None
        load, run = pipeline.load, pipeline.run

        def rec_load(inputs, *args, **kw):
            try:
                self.data = load(inputs, *args, **kw)
            except KpiEngineError as exc:
                self.stopped = exc
                raise
            return self.data

        def rec_run(inputs, *args, **kw):
            try:
                self.outcome = run(inputs, *args, **kw)
            except KpiEngineError as exc:
                self.stopped = exc
                raise
            return self.outcome

        monkeypatch.setattr(pipeline, "load", rec_load)
        monkeypatch.setattr(pipeline, "run", rec_run)

    @property
    def report(self) -> Report:
        if self.outcome is not None:
            return self.outcome.report
        if self.data is not None:
            return self.data.report
        return Report()

    def codes(self) -> Counter:
        codes = Counter(i.code for i in self.report.issues)
        if self.stopped is not None:
            codes[self.stopped.issue.code] += 1
            codes.update(c.code for c in getattr(self.stopped, "causes", ()))  # what the CLI prints first
        return codes

    def errors(self) -> set[str]:
        errs = {i.code for i in self.report.issues if i.level == "error"}
        if self.stopped is not None:
            errs.add(self.stopped.issue.code)
        return errs


def run_isolated(args: list[str]) -> dict:
    """Run the CLI in a grandchild; return its exit code, output and peak RSS (MB)."""
    wrapper = (
        "import json, resource, subprocess, sys\n"
        "cap = int(sys.argv[1])\n"
        "def limit():\n"
        "    resource.setrlimit(resource.RLIMIT_AS, (cap, cap))\n"
        "p = subprocess.run(sys.argv[2:], capture_output=True, text=True, preexec_fn=limit, timeout=600)\n"
        "rss = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss\n"
        "print(json.dumps({'code': p.returncode, 'stdout': p.stdout, 'stderr': p.stderr, 'rss_mb': rss / 1024}))\n"
    )
    cmd = [sys.executable, "-c", wrapper, str(ADDRESS_SPACE_CAP), sys.executable, "-m", "kpi_engine.cli", *args]
    done = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT, timeout=900)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def assert_no_crash(text: str) -> None:
    assert "Traceback" not in text, text
    assert "内部错误" not in text and "Internal error" not in text, text


@pytest.fixture(scope="session")
def corpus_dir(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("corpus")


def test_manifest_names_every_built_case():
    assert set(CASE) == set(make_corpus.BUILDERS)
    assert QUICK_CASES <= set(CASE)
    assert len(CASES) >= 40
    assert len(CASE) == len(CASES)


# The corpus-wide runs are `slow` (over a minute); these few stay in the quick local
# selection (`pytest -m "not slow"`): a clean value case, a rejected-row case, text that
# looks like a formula, and one workbook holding every sheet kind.
QUICK_CASES = {"numbers_as_text", "bad_numbers", "formula_like_text", "one_workbook_everything"}


def _marks(case: Case):
    marks = []
    if case.libreoffice:
        marks.append(pytest.mark.libreoffice)
    if case.isolate or case.libreoffice or case.name not in QUICK_CASES:
        marks.append(pytest.mark.slow)
    if case.xfail:
        marks.append(pytest.mark.xfail(strict=True, reason=case.xfail))
    return marks


@pytest.mark.parametrize("case", [pytest.param(c, id=c.name, marks=_marks(c)) for c in CASES])
def test_case(case: Case, corpus_dir: Path, tmp_path: Path, monkeypatch):
    folder = make_corpus.build(case.name, corpus_dir / case.name / "drop")
    before = snapshot(folder)
    out = tmp_path / "out" / "result.xlsx"
    args = ["score", str(folder), "-o", str(out)]

    if case.isolate:
        iso = run_isolated(args)
        assert_no_crash(iso["stdout"] + iso["stderr"])
        assert iso["code"] == case.exit, iso["stdout"] + iso["stderr"]
        assert iso["rss_mb"] < RSS_LIMIT_MB, f"peak RSS {iso['rss_mb']:.0f} MB"
        assert snapshot(folder) == before
        out.unlink(missing_ok=True)

    # The real command, in-process, with the library's own objects recorded.
    recorder = Recorder(monkeypatch)
    result = CliRunner().invoke(app, args)
    output = result.output
    assert_no_crash(output)
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    assert result.exit_code == case.exit, output

    # Problem codes: the expected ones are there; no unexpected error is.
    codes = recorder.codes()
    missing = case.codes - set(codes)
    assert not missing, f"expected codes not reported: {missing}; got {dict(codes)}"
    unexpected = recorder.errors() - case.codes
    if case.any_error:
        assert recorder.errors(), "an error-level issue was expected"
        unexpected = set()
    assert not unexpected, f"unexpected errors {unexpected}: {[i for i in recorder.report.issues if i.code in unexpected]}"
    assert_located(recorder.report, case)

    # Nothing changed in the input folder, nothing was written into it.
    assert snapshot(folder) == before

    # Rows balance, sheet by sheet; the CLI's summary line agrees.
    for count in recorder.report.counts:
        assert count.balanced, count
    if case.exit != 2:
        totals = pipeline.row_counts(recorder.report)
        assert f"行数：读取 {totals['read']} = 使用 {totals['used']} + 拒绝 {totals['rejected']}" in output, output

    if case.exit == 2:
        assert not out.exists()
        assert case.people == ()
    else:
        outcome = recorder.outcome
        assert out.exists()
        assert set(case.people) <= set(outcome.results.people["employee_id"]), (
            set(case.people) - set(outcome.results.people["employee_id"]))
        check_result_workbook(out, case, recorder.report)
        if case.check:
            case.check(outcome)

    # validate reads the same problems and exits with the same code, writing nothing.
    validated = CliRunner().invoke(app, ["validate", str(folder)])
    assert_no_crash(validated.output)
    expected_validate = case.exit if case.validate_exit is None else case.validate_exit
    assert validated.exit_code == expected_validate, validated.output
    assert snapshot(folder) == before
    check_validate_table(validated.output, recorder.report)


@pytest.mark.slow
@pytest.mark.parametrize("name", ["formula_like_text", "links_and_dde_in_input", "bad_numbers", "ratings_bad"])
def test_case_in_english(name: str, corpus_dir: Path, tmp_path: Path, monkeypatch):
    """The same guarantees for a result written with --lang en (other sheet names, words)."""
    case = CASE[name]
    folder = make_corpus.build(case.name, corpus_dir / f"{case.name}-en" / "drop")
    before = snapshot(folder)
    out = tmp_path / "result.xlsx"
    recorder = Recorder(monkeypatch)
    result = CliRunner().invoke(app, ["score", str(folder), "-o", str(out), "--lang", "en"])
    assert_no_crash(result.output)
    assert result.exit_code == case.exit, result.output
    assert snapshot(folder) == before
    check_result_workbook(out, case, recorder.report, lang="en")


def assert_located(report: Report, case: Case) -> None:
    """Each pinned issue is there with its file, sheet and cell; row-level issues have a cell."""
    have = {(i.file, i.sheet, i.cell, i.code) for i in report.issues}
    for file, sheet, cell, code in case.where:
        if sheet or cell:
            assert (file, sheet, cell, code) in have, f"{(file, sheet, cell, code)} not in {sorted(have)}"
        else:
            assert any(f == file and c == code for f, _s, _c, c in have), f"{file} {code} not in {sorted(have)}"
    for issue in report.issues:
        if issue.code in FILE_LEVEL:
            continue
        if issue.level != "info":
            assert issue.file, issue
        if issue.level == "error" and issue.sheet:
            # An error inside a sheet names its cell; only these are about a whole sheet or role.
            assert issue.cell or issue.code in SHEET_LEVEL, issue


def _issue_rows(report: Report, lang: str = "zh") -> Counter:
    return Counter((r["file"], r["sheet"], r["cell"], r["value"]) for r in (i.row(lang) for i in report.issues))


SHEET_NAMES = {"zh": ("汇总", "问题", "说明"), "en": ("Summary", "Issues", "About")}


def check_result_workbook(path: Path, case: Case, report: Report, lang: str = "zh") -> None:
    summary_name, issues_name, about_name = SHEET_NAMES[lang]
    with zipfile.ZipFile(path) as zf:
        names = zf.namelist()
        assert not [n for n in names if n.startswith("xl/externalLinks")], names
        for n in names:
            if n.endswith(".rels"):
                rels = zf.read(n).decode("utf-8")
                assert 'TargetMode="External"' not in rels, (n, rels)
                assert "hyperlink" not in rels, (n, rels)
        assert "xl/vbaProject.bin" not in names

    wb = load_workbook(path)  # formulas as written, cell types as stored
    for ws in wb.worksheets:
        assert not ws._hyperlinks, (ws.title, [h.ref for h in ws._hyperlinks])
        header: dict[int, str] = {}
        for row in ws.iter_rows():
            filled = [c for c in row if c.value is not None]
            if (len([c for c in filled if c.data_type == "s" and str(c.value).strip() in HEADER_WORDS]) >= 2
                    and all(c.data_type == "s" for c in filled)):
                header = {c.column: str(c.value).strip() for c in filled}
                continue
            for c in row:
                if c.value is None:
                    continue
                assert c.data_type != "e", f"error cell {ws.title}!{c.coordinate}: {c.value!r}"
                head = header.get(c.column, "")
                if c.data_type == "f":
                    where = f"{ws.title}!{c.coordinate} ({head}) = {c.value!r}"
                    assert ws.title in FORMULA_SHEETS, f"formula outside 明细/汇总/总览/周期: {where}"
                    assert head not in TEXT_HEADERS, f"formula in a text column: {where}"
                    assert not any(p.strip("=+-@\t ")[:12] in str(c.value) for p in make_corpus.INJECTIONS if len(p) > 6), where
                    assert not any(bad in str(c.value) for bad in ("[", "|", "HYPERLINK", "http", "file:")), where
                elif head in TEXT_HEADERS:
                    assert c.data_type == "s", f"{ws.title}!{c.coordinate} ({head}) is {c.data_type}: {c.value!r}"
        if case.name == "xxe_external_entity" and make_corpus.SECRET.exists():
            secret = make_corpus.SECRET.read_text().strip()
            for row in ws.iter_rows(values_only=True):
                assert not any(isinstance(v, str) and secret and secret in v for v in row), ws.title

    summary = _sheet(wb, summary_name)
    ids = {str(r[0]) for r in summary.iter_rows(min_row=3, values_only=True) if r and r[0] is not None}
    assert set(case.people) <= ids, set(case.people) - ids

    issues = _sheet(wb, issues_name)
    heads = [c.value for c in issues[1]]
    assert heads[: len(ISSUE_COLUMNS)] == [v[0 if lang == "zh" else 1] for v in ISSUE_COLUMNS.values()], heads
    level_words = {w for pair in vocab.LEVELS.values() for w in pair}
    rows = Counter(
        tuple("" if v is None else str(v) for v in (r[1], r[2], r[3], r[5]))
        for r in issues.iter_rows(min_row=2, values_only=True) if r[0] in level_words
    )
    expected = _issue_rows(report, lang)
    assert rows == expected, (rows - expected, expected - rows)

    if case.name == "formula_like_text":
        # As Excel shows them: _xHHHH_ is how OOXML carries a control character.
        strings = {re.sub(r"_x([0-9A-Fa-f]{4})_", lambda m: chr(int(m.group(1), 16)), c.value)
                   for ws in wb.worksheets for row in ws.iter_rows() for c in row if c.data_type == "s"}
        for text in make_corpus.INJECTIONS:
            assert text.strip() in strings, text

    check_about_counts(_sheet(wb, about_name), report)


def _sheet(wb, name: str):
    assert name in wb.sheetnames, wb.sheetnames
    return wb[name]


def check_about_counts(about, report: Report) -> None:
    """说明 states, per input sheet, the numbers the library counted."""
    text_rows = [[v for v in r if v is not None] for r in about.iter_rows(values_only=True)]
    for count in report.counts:
        numbers = [count.read, count.used, count.rejected, count.duplicates, count.skipped]
        hit = [r for r in text_rows if count.file in map(str, r) and count.sheet in map(str, r)
               and [v for v in r if isinstance(v, (int, float)) and not isinstance(v, bool)][-5:] == numbers]
        assert hit, f"说明 does not state {count}"


def check_validate_table(output: str, report: Report) -> None:
    """validate prints one line per issue, naming its file, sheet and cell.

    (Matched by content, not by splitting on tabs: the separator is the CLI's business.)"""
    lines = output.splitlines()
    for issue in report.issues:
        if issue.code.startswith(("core_", "staff_")) or issue.code in {"rows_out_of_scope", "no_target_rows",
                                                                          "text_cut"}:
            continue  # found by scoring or writing, which validate does not do
        parts = [p for p in (issue.file, issue.sheet, issue.cell) if p]
        assert any(all(p in line for p in parts) for line in lines), f"validate does not list {issue}"


# --- faults: where the result cannot be written -------------------------------------------
#
# Real file systems, not monkeypatching: a read-only and a full tmpfs mounted in a private
# user+mount namespace (``unshare -rm``; root is not needed, and chmod would not stop root),
# and a file-size limit (RLIMIT_FSIZE) that works everywhere. Each must end in exit 2 with
# the CLI's "Cannot write the result" message, no traceback, no temporary file left behind,
# and an older result in the same folder untouched.


def _namespaces_work() -> bool:
    try:
        probe = subprocess.run(["unshare", "-rm", "sh", "-c", "mount -t tmpfs tmpfs /mnt && echo ok"],
                               capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.SubprocessError):
        return False
    return probe.stdout.strip() == "ok"


needs_namespaces = pytest.mark.skipif(not _namespaces_work(), reason="no unprivileged user+mount namespaces here")

OLD_RESULT = b"PK\x03\x04 an older result that must survive"


def _score_on_mount(tmp_path: Path, mount_opts: str, prepare: str) -> subprocess.CompletedProcess:
    drop = make_corpus.build("title_rows_above_header", tmp_path / "drop")
    out = tmp_path / "out"
    out.mkdir()
    (tmp_path / "old.xlsx").write_bytes(OLD_RESULT)
    script = f"""
        set -u
        mount -t tmpfs -o {mount_opts} tmpfs {out}
        {prepare}
        {sys.executable} -m kpi_engine.cli score {drop} -o {out}/result.xlsx --lang en
        echo "exit=$?"
        echo "left=$(ls -A {out} | tr '\\n' ' ')"
        echo "old=$(sha256sum {out}/result.xlsx 2>/dev/null | cut -c1-64)"
    """
    return subprocess.run(["unshare", "-rm", "sh", "-c", script], capture_output=True, text=True, cwd=ROOT, timeout=300)


@needs_namespaces
def test_read_only_output_folder_exits_2_with_a_clear_message(tmp_path: Path):
    done = _score_on_mount(tmp_path, "ro,size=1m", "")
    text = done.stdout + done.stderr
    assert_no_crash(text)
    assert "exit=2" in done.stdout, text
    assert "Cannot write the result" in text and "Read-only file system" in text, text
    assert "left= \n" in done.stdout or "left=\n" in done.stdout, text


@needs_namespaces
def test_full_output_folder_exits_2_and_keeps_the_old_result(tmp_path: Path):
    old = tmp_path / "old.xlsx"
    prepare = (f"cp {old} {{out}}/result.xlsx && (dd if=/dev/zero of={{out}}/filler bs=4k 2>/dev/null || true)")
    done = _score_on_mount(tmp_path, "size=64k", prepare.format(out=tmp_path / "out"))
    text = done.stdout + done.stderr
    assert_no_crash(text)
    assert "exit=2" in done.stdout, text
    assert "Cannot write the result" in text and "No space left on device" in text, text
    # Only the old result and the filler remain: the temporary file was removed …
    assert re.search(r"left=filler result\.xlsx ?\n", done.stdout), done.stdout
    # … and the old result is byte for byte what it was.
    assert f"old={hashlib.sha256(OLD_RESULT).hexdigest()}" in done.stdout, done.stdout


def test_file_size_limit_exits_2_and_keeps_the_old_result(tmp_path: Path):
    """RLIMIT_FSIZE makes every write past 16 KB fail with EFBIG (Python ignores SIGXFSZ)."""
    drop = make_corpus.build("title_rows_above_header", tmp_path / "drop")
    out = tmp_path / "out"
    out.mkdir()
    (out / "result.xlsx").write_bytes(OLD_RESULT)

    def limit():
        resource.setrlimit(resource.RLIMIT_FSIZE, (16 * 1024, 16 * 1024))

    done = subprocess.run([sys.executable, "-m", "kpi_engine.cli", "score", str(drop), "-o", str(out / "result.xlsx"),
                           "--lang", "en"], capture_output=True, text=True, cwd=ROOT, timeout=300, preexec_fn=limit)
    text = done.stdout + done.stderr
    assert_no_crash(text)
    assert done.returncode == 2, text
    assert "Cannot write the result" in text and "File too large" in text, text
    assert sorted(p.name for p in out.iterdir()) == ["result.xlsx"]
    assert (out / "result.xlsx").read_bytes() == OLD_RESULT
