"""The command line: every command, the main options, exit codes and message texts."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from openpyxl import load_workbook
from typer.testing import CliRunner

import kpi_engine
from kpi_engine import pipeline
from kpi_engine.cli import app
from tests import builders

ROOT = Path(__file__).resolve().parent.parent
runner = CliRunner()


def invoke(*args: str):
    return runner.invoke(app, [str(a) for a in args], catch_exceptions=False)


def digest(folder: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir()) if p.is_file()}


@pytest.fixture
def clean(tmp_path: Path) -> Path:
    return builders.clean_folder(tmp_path / "drop")


def test_every_command_has_help_text():
    result = invoke("--help")
    assert result.exit_code == 0
    for command in ("score", "validate", "template", "demo", "watch"):
        assert command in result.output
        sub = invoke(command, "--help")
        assert sub.exit_code == 0
        assert len(sub.output.strip().splitlines()) > 3


# What --help must not load: the engine and its heavy libraries (issue 13: --help in
# well under 0.3 s; the time itself is measured in docs/decisions.md, not here).
HEAVY = ("pandas", "numpy", "openpyxl", "xlsxwriter", "python_calamine", "xlrd", "msoffcrypto", "watchdog",
         "pydantic", "kpi_engine.pipeline", "kpi_engine.read", "kpi_engine.write", "kpi_engine.core",
         "kpi_engine.models", "kpi_engine.data")
HELP_PROBE = """
import json, sys
sys.argv = ["kpi-engine", *sys.argv[1:]]
import kpi_engine.cli
try:
    kpi_engine.cli.main()
except SystemExit as exc:
    code = exc.code
print(json.dumps({"code": code, "file": kpi_engine.__file__, "modules": sorted(sys.modules)}))
"""


@pytest.mark.parametrize("args", [["--help"], ["--version"], *([c, "--help"] for c in
                                  ("score", "validate", "template", "demo", "watch"))], ids=" ".join)
def test_help_loads_no_heavy_library(args: list[str]):
    done = subprocess.run([sys.executable, "-c", HELP_PROBE, *args], capture_output=True, text=True, cwd=ROOT,
                          timeout=60, check=True)
    *printed, last = done.stdout.strip().splitlines()
    probe = json.loads(last)
    assert probe["code"] in (0, None)
    assert Path(probe["file"]).resolve().is_relative_to(ROOT)  # this tree's package, not an installed one
    assert "Usage: kpi-engine" in "\n".join(printed) or args == ["--version"]
    loaded = set(probe["modules"])
    # typer >= 0.2x coerces every subcommand option through pydantic, by its own import;
    # what matters is that kpi_engine does not bring pydantic in (kpi_engine.models).
    allowed = {"pydantic"} if "typer._adapters" in loaded else set()
    heavy = sorted({h for m in loaded for h in HEAVY if (m == h or m.startswith(h + ".")) and h not in allowed})
    assert heavy == [], f"kpi-engine {' '.join(args)} imported {heavy}"


def test_score_clean_folder_exits_0_and_writes_default_name(clean: Path):
    before = digest(clean)
    result = invoke("score", clean)
    assert result.exit_code == 0, result.output
    out = clean / "kpi-results_2026-01_2026-02.xlsx"
    assert out.exists()
    assert f"结果已写入：{out}" in result.output
    assert "已评分 4 人，其中 4 人有总分（期间 2026-01 – 2026-02）" in result.output
    after = digest(clean)
    assert {k: v for k, v in after.items() if k in before} == before  # inputs untouched
    assert not list(clean.glob("*.tmp"))


def test_second_run_skips_own_result_and_gives_same_totals(clean: Path):
    first = invoke("score", clean, "--json")
    second = invoke("score", clean, "--json")
    assert first.exit_code == second.exit_code == 0
    a, b = json.loads(first.output), json.loads(second.output)
    assert a["totals"] == b["totals"]
    # The only difference: the second run says it skipped the first run's result.
    assert {**b["issues"], "info": b["issues"]["info"] - 1} == a["issues"]


def test_copying_a_month_again_changes_nothing(clean: Path):
    before = json.loads(invoke("score", clean, "--json").output)
    shutil.copy(clean / "targets_2026-01.xlsx", clean / "targets_2026-01 (copy).xlsx")
    after = json.loads(invoke("score", clean, "--json").output)
    assert after["totals"] == before["totals"]
    assert after["exit_code"] == 0


def test_adding_next_month_extends_the_scope(clean: Path):
    builders.target_sheet(clean / "targets_2026-03.xlsx", "2026-03", factor=1.1)
    result = json.loads(invoke("score", clean, "--json").output)
    assert result["scope"] == ["2026-01", "2026-02", "2026-03"]
    assert Path(result["outputs"][0]).name == "kpi-results_2026-01_2026-03.xlsx"


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_json_equals_the_library(clean: Path, tmp_path: Path, lang: str):
    wb_path = clean / "targets_2026-02.xlsx"  # one rejected cell, so the issue list is not empty
    wb = load_workbook(wb_path)
    wb["目标管理"]["H2"] = "十二"
    wb.save(wb_path)
    result = invoke("score", clean, "--json", "--lang", lang, "-o", tmp_path / "r.xlsx")
    payload = json.loads(result.output)
    library = pipeline.summary(pipeline.run([clean]), lang=lang)
    assert payload.pop("outputs") == [str(tmp_path / "r.xlsx")]
    assert payload == json.loads(json.dumps(library, ensure_ascii=False))
    # The issue list, as kpi_engine.score(...).report.to_frame(lang) holds it too.
    frame = kpi_engine.score(kpi_engine.load(clean)).report.to_frame(lang)
    assert payload["issue_list"] == frame.to_dict("records")
    first = payload["issue_list"][0]
    assert (first["level"], first["code"], first["file"], first["sheet"], first["cell"], first["field"],
            first["value"]) == ("error", "bad_number", "targets_2026-02.xlsx", "目标管理", "H2", "actual", "十二")
    starts = {"zh": "目标管理!H2：十二 不是数字", "en": "目标管理!H2: 十二 is not a number"}
    assert first["message"].startswith(starts[lang])
    assert sum(payload["issues"].values()) == len(payload["issue_list"])


def test_period_scores_one_month(clean: Path, tmp_path: Path):
    result = invoke("score", clean, "--period", "2026年2月", "--json", "-o", tmp_path / "feb.xlsx")
    payload = json.loads(result.output)
    assert payload["scope"] == ["2026-02"]
    assert result.exit_code == 0


def test_from_to_range(clean: Path, tmp_path: Path):
    result = invoke("score", clean, "--from", "2026-01", "--to", "2026-01", "--json", "-o", tmp_path / "r.xlsx")
    assert json.loads(result.output)["scope"] == ["2026-01"]


def test_bad_period_argument_exits_2_with_message(clean: Path):
    result = invoke("score", clean, "--period", "2026-13")
    assert result.exit_code == 2
    assert "错误：期间参数 2026-13 不是月份。请写成 2026-03 这样的形式。" in result.output


def test_period_with_range_exits_2(clean: Path):
    result = invoke("score", clean, "--period", "2026-01", "--from", "2026-01", "--lang", "en")
    assert result.exit_code == 2
    assert "Error: --period cannot be combined with --from/--to" in result.output


def test_period_without_rows_exits_2(clean: Path):
    result = invoke("score", clean, "--period", "2025-12", "--lang", "en")
    assert result.exit_code == 2
    assert "No target-sheet row could be scored (2025-12)." in result.output


def test_missing_input_exits_2(tmp_path: Path):
    result = invoke("score", tmp_path / "nowhere")
    assert result.exit_code == 2
    assert "错误：" in result.output
    assert "nowhere" in result.output
    assert "Traceback" not in result.output


def test_no_scheme_exits_2(tmp_path: Path):
    drop = tmp_path / "drop"
    builders.target_sheet(drop / "targets.xlsx", "2026-01")
    result = invoke("score", drop, "--lang", "en")
    assert result.exit_code == 2
    assert "No scheme (a 考核方案 / Scheme sheet) was found" in result.output
    assert not list(drop.glob("kpi-results*"))


def test_rejected_rows_exit_1_and_result_still_written(clean: Path):
    wb_path = clean / "targets_2026-02.xlsx"
    wb = load_workbook(wb_path)
    wb["目标管理"]["H2"] = "十二"
    wb.save(wb_path)
    result = invoke("score", clean)
    assert result.exit_code == 1
    assert "部分行被拒绝" in result.output
    out = clean / "kpi-results_2026-01_2026-02.xlsx"
    issues = load_workbook(out, read_only=True)["问题"]
    cells = [tuple(r) for r in issues.iter_rows(values_only=True)]
    assert any("十二" in [str(v) for v in row] for row in cells)


def test_output_never_replaces_an_input(clean: Path):
    target = clean / "targets_2026-01.xlsx"
    before = target.read_bytes()
    result = invoke("score", clean, "-o", target)
    assert result.exit_code == 2
    assert "结果绝不会覆盖输入" in result.output
    assert target.read_bytes() == before


def test_unwritable_output_folder_exits_2(clean: Path, tmp_path: Path):
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(0o500)
    try:
        probe = locked / "probe"
        try:
            probe.touch()
        except PermissionError:
            pass
        else:  # running as root: permissions do not stop us, use a path under a file instead
            probe.unlink()
            locked = tmp_path / "a-file"
            locked.write_text("x")
        result = invoke("score", clean, "-o", locked / "r.xlsx", "--lang", "en")
        assert result.exit_code == 2
        assert "Cannot write the result" in result.output
    finally:
        (tmp_path / "locked").chmod(0o700)


def test_validate_writes_nothing_and_prints_problems(clean: Path):
    wb_path = clean / "targets_2026-01.xlsx"
    wb = load_workbook(wb_path)
    wb["目标管理"]["H3"] = "abc"
    wb.save(wb_path)
    before = digest(clean)
    result = invoke("validate", clean, "--lang", "en")
    assert result.exit_code == 1
    assert digest(clean) == before
    assert "Level\tFile\tSheet\tCell\tField\tValue\tMessage" in result.output
    line = next(l for l in result.output.splitlines() if "\tabc\t" in l)
    assert line.startswith("error\ttargets_2026-01.xlsx\t目标管理\tH3\tActual\tabc\t")


def test_validate_clean_exits_0(clean: Path):
    result = invoke("validate", clean)
    assert result.exit_code == 0, result.output


def test_template_writes_three_files(tmp_path: Path):
    result = invoke("template", "-o", tmp_path, "--lang", "en")
    assert result.exit_code == 0
    names = sorted(p.name for p in tmp_path.glob("*.xlsx"))
    assert names == ["assessment_form.xlsx", "target_sheet.xlsx", "training_plan.xlsx"]


def test_demo_writes_a_result(tmp_path: Path):
    result = invoke("demo", "-o", tmp_path / "demo")
    assert result.exit_code == 0, result.output
    written = list((tmp_path / "demo").glob("kpi-results_*.xlsx"))
    assert len(written) == 1
    assert "结果已写入" in result.output


def test_split_by_team_writes_one_workbook_per_team(clean: Path, tmp_path: Path):
    result = invoke("score", clean, "-o", tmp_path / "r.xlsx", "--split-by", "team", "--json")
    outputs = [Path(p).name for p in json.loads(result.output)["outputs"]]
    assert outputs == ["r.xlsx", "r_华南.xlsx", "r_华东.xlsx"] or sorted(outputs) == sorted(["r.xlsx", "r_华南.xlsx", "r_华东.xlsx"])
    east = load_workbook(tmp_path / "r_华东.xlsx", read_only=True)
    summary_sheet = east["汇总"]
    ids = {row[0] for row in summary_sheet.iter_rows(min_row=3, values_only=True) if row and row[0]}
    assert ids == {"E001", "E002"}


def test_failed_write_leaves_the_old_result(clean: Path, monkeypatch):
    assert invoke("score", clean).exit_code == 0
    out = clean / "kpi-results_2026-01_2026-02.xlsx"
    old = out.read_bytes()

    def broken(outcome, path, lang="zh", created=None, name=None):
        Path(path).write_bytes(b"half a workbook")
        raise OSError(28, "No space left on device")

    monkeypatch.setattr("kpi_engine.write.workbook.write_workbook", broken)
    result = invoke("score", clean, "--lang", "en")
    assert result.exit_code == 2
    assert "No space left on device" in result.output
    assert out.read_bytes() == old
    assert not list(clean.glob(".kpi-results-*"))


# --- help in the user's language (issue 12) -----------------------------------------------

@pytest.mark.parametrize("argv, environ, lang", [
    (["score", "--help"], {}, "zh"),
    (["score", "--help"], {"LANG": "C.UTF-8"}, "zh"),
    (["score", "--help"], {"LANG": "en_US.UTF-8"}, "en"),
    (["score", "--help"], {"LC_ALL": "zh_CN.UTF-8", "LANG": "en_GB.UTF-8"}, "zh"),  # LC_ALL first
    (["score", "--lang", "en", "--help"], {}, "en"),
    (["score", "--lang=en", "--help"], {"LANG": "zh_CN.UTF-8"}, "en"),
    (["score", "--lang", "zh", "--help"], {"LANG": "en_US.UTF-8"}, "zh"),
])
def test_help_language(argv, environ, lang):
    from kpi_engine.cli import help_language

    assert help_language(argv, environ) == lang


def _cjk(text: str) -> bool:
    return any("\u4e00" <= ch <= "\u9fff" for ch in text)


def test_every_help_text_has_its_chinese():
    from kpi_engine.cli import command

    group = command("zh")
    assert _cjk(group.help)
    for name, cmd in group.commands.items():
        assert _cjk(cmd.help), name
        for param in cmd.params:
            assert _cjk(param.help or ""), (name, param.name, param.help)


@pytest.mark.parametrize("args, environ, expected, absent", [
    (["score", "--help"], {"LANG": "C.UTF-8"}, "只评一个月", "Score one month"),
    (["score", "--help"], {"LANG": "en_US.UTF-8"}, "Score one month", "只评一个月"),
    (["--help"], {"LANG": "C.UTF-8"}, "监视文件夹", "Score the folder again"),
    (["demo", "--lang", "en", "--help"], {"LANG": "zh_CN.UTF-8"}, "Folder for the demo result", "示例结果"),
])
def test_the_command_speaks_the_users_language(args, environ, expected, absent):
    env = {k: v for k, v in os.environ.items() if k not in ("LC_ALL", "LC_MESSAGES", "LANG")}
    done = subprocess.run([sys.executable, "-m", "kpi_engine.cli", *args], capture_output=True, text=True, cwd=ROOT,
                          env={**env, **environ, "PYTHONPATH": str(ROOT), "COLUMNS": "200"}, timeout=60)
    assert done.returncode == 0, done.stderr
    assert expected in done.stdout and absent not in done.stdout, done.stdout
