"""The three blank templates: what they hold, and that the committed copies are current.

Workbooks are compared by content read back with openpyxl (values, number formats,
merged ranges, frozen panes, data validations, widths), never by zip bytes.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from kpi_engine import vocab
from kpi_engine.models import Settings
from kpi_engine.resources import sample_data_dir, templates_dir
from kpi_engine.write import templates as T
from kpi_engine.write.templates import write_templates

ROOT = Path(__file__).resolve().parent.parent
NAMES = ("target_sheet.xlsx", "assessment_form.xlsx", "training_plan.xlsx")


def workbook_content(path: Path) -> dict:
    """Everything about a workbook that matters to its reader, as plain data."""
    wb = openpyxl.load_workbook(path)
    out: dict = {"sheets": wb.sheetnames, "created": wb.properties.created, "title": wb.properties.title}
    for ws in wb.worksheets:
        out[ws.title] = {
            "cells": [(c.coordinate, c.value, c.number_format, bool(c.font.i), c.font.color.rgb if c.font.color else None)
                      for row in ws.iter_rows() for c in row if c.value is not None or c.number_format != "General"],
            "merged": sorted(str(r) for r in ws.merged_cells.ranges),
            "freeze": ws.freeze_panes,
            "widths": {k: round(d.width, 2) for k, d in ws.column_dimensions.items()},
            "validations": sorted(
                (str(dv.sqref), dv.type, dv.formula1, dv.errorStyle, dv.promptTitle, dv.prompt, dv.error)
                for dv in ws.data_validations.dataValidation
            ),
            "autofilter": ws.auto_filter.ref,
        }
    return out


@pytest.fixture(scope="module")
def fresh(tmp_path_factory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("templates")
    return {lang: root / lang for lang in vocab.LANGS if write_templates(root / lang, lang)}


def _sheet(fresh, lang: str, name: str, sheet: str):
    return openpyxl.load_workbook(fresh[lang] / name)[sheet]


# --- the committed copies are what the code writes ------------------------------------

COPIES = [
    ("zh", ROOT / "templates"),
    ("en", ROOT / "templates" / "en"),
    ("zh", None),  # packaged: kpi_engine/bundled/templates/zh
    ("en", None),
]


@pytest.mark.parametrize("lang,folder", COPIES, ids=["templates", "templates/en", "packaged zh", "packaged en"])
@pytest.mark.parametrize("name", NAMES)
def test_committed_template_is_current(fresh, lang, folder, name):
    folder = folder or templates_dir(lang)
    committed = folder / name
    assert committed.exists(), f"{committed} missing: run python sample_data/regenerate.py"
    assert workbook_content(committed) == workbook_content(fresh[lang] / name), (
        f"{committed} differs from what write_templates writes: run python sample_data/regenerate.py")


def test_committed_folders_hold_only_the_templates():
    assert sorted(p.name for p in (ROOT / "templates").glob("*.xlsx")) == sorted(NAMES)
    for lang in vocab.LANGS:
        assert sorted(p.name for p in templates_dir(lang).glob("*.xlsx")) == sorted(NAMES)


def test_resources_point_into_the_package():
    pkg = ROOT / "kpi_engine" / "bundled"
    assert templates_dir("zh") == pkg / "templates" / "zh"
    assert templates_dir("en") == pkg / "templates" / "en"
    assert sample_data_dir() == pkg / "sample_data"
    with pytest.raises(ValueError):
        templates_dir("fr")  # type: ignore[arg-type]


# --- what the templates hold -------------------------------------------------------------


def test_write_templates_returns_the_three_files(tmp_path):
    paths = write_templates(tmp_path / "new" / "folder")
    assert [p.name for p in paths] == list(NAMES)
    assert all(p.exists() for p in paths)
    with pytest.raises(ValueError, match="lang"):
        write_templates(tmp_path, "fr")  # type: ignore[arg-type]


@pytest.mark.parametrize("lang", vocab.LANGS)
@pytest.mark.parametrize("template,name", [(k, T.FILE_NAMES[k]) for k in vocab.TEMPLATES])
def test_sheets_and_headers_come_from_vocab(fresh, lang, template, name):
    wb = openpyxl.load_workbook(fresh[lang] / name)
    kinds = vocab.TEMPLATES[template]["sheets"]
    assert wb.sheetnames == [T.TEXT["instructions"][lang], *(k.label(lang) for k in kinds)]
    assert wb.active.title == T.TEXT["instructions"][lang]
    assert wb.properties.created == T.FIXED_CREATED
    assert wb.properties.created == datetime(2026, 1, 1, 9, 0, 0)
    for kind in kinds:
        ws = wb[kind.label(lang)]
        assert [c.value for c in ws[1]] == [f.label(lang) for f in kind.fields]
        assert ws.freeze_panes == "A2"
        assert ws.print_title_rows == "$1:$1"
        # Required columns have the dark header, optional ones the light one.
        fills = [c.fill.fgColor.rgb[-6:] for c in ws[1]]
        assert fills == [("1F4E78" if f.required else "5B9BD5") for f in kind.fields]
        for col, f in enumerate(kind.fields, start=1):
            letter = openpyxl.utils.get_column_letter(col)
            width = _column(ws, letter).width
            assert width >= T.display_width(f.label(lang)) + 2, f"{kind.key}.{f.key} too narrow"


EXAMPLE_PREFIX = {"zh": "示例", "en": "Example"}
EXAMPLE_SHEETS = [  # (file, kind, first required field, example rows)
    ("target_sheet.xlsx", vocab.TARGETS, "employee_id", 5),
    ("assessment_form.xlsx", vocab.SCHEME, "role", 10),
    ("assessment_form.xlsx", vocab.RATINGS, "employee_id", 5),
    ("training_plan.xlsx", vocab.TRAINING, "employee_id", 2),
    ("target_sheet.xlsx", vocab.STAFF, "employee_id", 3),
]


@pytest.mark.parametrize("lang", vocab.LANGS)
@pytest.mark.parametrize("name,kind,field,count", EXAMPLE_SHEETS, ids=lambda v: getattr(v, "key", None))
def test_example_rows_are_grey_and_marked(fresh, lang, name, kind, field, count):
    ws = _sheet(fresh, lang, name, kind.label(lang))
    col = [f.key for f in kind.fields].index(field) + 1
    rows = list(ws.iter_rows(min_row=2))
    assert len(rows) == count
    for row in rows:
        assert str(row[col - 1].value).startswith(EXAMPLE_PREFIX[lang])
        assert all(c.font.i and c.font.color.rgb[-6:] == "808080" for c in row)
    # The examples are valid rows otherwise: every required cell filled (bar may-be-blank).
    for row in rows:
        for f, c in zip(kind.fields, row):
            if f.required and not f.may_be_blank:
                assert c.value not in (None, ""), f"{kind.key}.{f.key} empty in the example"


def test_scheme_example_roles_sum_to_100(fresh):
    for lang in vocab.LANGS:
        ws = _sheet(fresh, lang, "assessment_form.xlsx", vocab.SCHEME.label(lang))
        sums: dict[str, float] = {}
        for role, _kpi, _cat, weight, *_ in ws.iter_rows(min_row=2, values_only=True):
            sums[role] = sums.get(role, 0) + weight
        assert sums and all(s == 100 for s in sums.values()), sums


@pytest.mark.parametrize("lang", vocab.LANGS)
def test_tiers_hold_the_standard_table(fresh, lang):
    ws = _sheet(fresh, lang, "assessment_form.xlsx", vocab.TIERS.label(lang))
    rows = list(ws.iter_rows(min_row=2))
    name = "标准" if lang == "zh" else "Standard"
    assert [(r[0].value, r[1].value, r[2].value) for r in rows] == [
        (name, 1.2, 1.2), (name, 1, 1), (name, 0.9, 0.8), (name, 0.8, 0.6), (name, 0, 0)]
    assert all(r[1].number_format == "0%" and r[2].number_format == "0%" for r in rows)
    assert not any(r[0].font.i for r in rows), "the 标准 rows are real rows, not grey examples"


@pytest.mark.parametrize("lang", vocab.LANGS)
def test_settings_list_every_key_with_its_default(fresh, lang):
    ws = _sheet(fresh, lang, "assessment_form.xlsx", vocab.SETTINGS.label(lang))
    rows = {r[0].value: r[1] for r in ws.iter_rows(min_row=2)}
    idx = 0 if lang == "zh" else 1
    assert list(rows) == [words[idx] for words in vocab.SETTING_KEYS.values()]
    defaults = Settings()
    for code, words in vocab.SETTING_KEYS.items():
        cell = rows[words[idx]]
        expected = getattr(defaults, code)
        if code in vocab.SETTING_WORDS:
            assert vocab.lookup(vocab.SETTING_WORDS[code], cell.value) == expected, code
        else:
            assert cell.value == expected, code
        if code in T.PERCENT_SETTINGS:
            assert cell.number_format == "0%", code


def _column(ws, letter: str):
    """The <col> entry covering a column (openpyxl keys a run of equal columns by its first)."""
    idx = openpyxl.utils.column_index_from_string(letter)
    for dim in ws.column_dimensions.values():
        if dim.min and dim.max and dim.min <= idx <= dim.max:
            return dim
    raise AssertionError(f"no width set for column {letter}")


def _validations(ws) -> dict[str, tuple]:
    """Column letter (or cell) -> (type, formula1, errorStyle) of each data validation."""
    out = {}
    for dv in ws.data_validations.dataValidation:
        ref = str(dv.sqref)
        out[ref] = (dv.type, dv.formula1, dv.errorStyle)
    return out


DROPDOWNS = [  # (file, kind, field, column letter, error style)
    ("assessment_form.xlsx", vocab.SCHEME, "direction", "E", "warning"),
    ("assessment_form.xlsx", vocab.SCHEME, "method", "F", "warning"),
    ("assessment_form.xlsx", vocab.SCHEME, "aggregation", "L", "warning"),
    ("assessment_form.xlsx", vocab.SCHEME, "source", "M", "information"),
    ("assessment_form.xlsx", vocab.TIERS, "curve", "D", "warning"),
    ("assessment_form.xlsx", vocab.RATINGS, "rater_type", "D", "warning"),
    ("assessment_form.xlsx", vocab.RATINGS, "rating", "F", "information"),
    ("training_plan.xlsx", vocab.TRAINING, "mandatory", "L", "warning"),
]
EXPECTED_WORDS = {
    ("zh", "direction"): "越高越好,越低越好", ("en", "direction"): "higher,lower",
    ("zh", "method"): "完成率,分段,等级,扣分", ("en", "method"): "ratio,tiers,rating,deduction",
    ("zh", "aggregation"): "合计,平均,期末", ("en", "aggregation"): "sum,mean,last",
    ("zh", "source"): "本人,培训", ("en", "source"): "own,training",
    ("zh", "rater_type"): "上级,同事,自评,下属,客户",
    ("en", "rater_type"): "manager,peer,self,subordinate,customer",
    ("zh", "rating"): "好,较好,中,较差,差", ("en", "rating"): "excellent,good,average,poor,bad",
    ("zh", "mandatory"): "是,否", ("en", "mandatory"): "yes,no",
    ("zh", "curve"): "阶梯,线性", ("en", "curve"): "steps,linear",
}


@pytest.mark.parametrize("lang", vocab.LANGS)
@pytest.mark.parametrize("name,kind,field,letter,style", DROPDOWNS, ids=[d[2] for d in DROPDOWNS])
def test_fixed_word_columns_have_dropdowns(fresh, lang, name, kind, field, letter, style):
    ws = _sheet(fresh, lang, name, kind.label(lang))
    assert [f.key for f in kind.fields].index(field) == openpyxl.utils.column_index_from_string(letter) - 1
    dv = _validations(ws)[f"{letter}2:{letter}1048576"]
    assert dv == ("list", f'"{EXPECTED_WORDS[(lang, field)]}"', style)


@pytest.mark.parametrize("lang", vocab.LANGS)
def test_only_fixed_word_columns_have_dropdowns(fresh, lang):
    for name, kinds in [("target_sheet.xlsx", [vocab.TARGETS]), ("training_plan.xlsx", [vocab.TRAINING]),
                        ("assessment_form.xlsx", [vocab.SCHEME, vocab.TIERS, vocab.RATINGS])]:
        for kind in kinds:
            ws = _sheet(fresh, lang, name, kind.label(lang))
            expected = {f"{d[3]}2:{d[3]}1048576" for d in DROPDOWNS if d[1] is kind}
            assert set(_validations(ws)) == expected, kind.key


@pytest.mark.parametrize("lang", vocab.LANGS)
def test_setting_values_explain_themselves(fresh, lang):
    ws = _sheet(fresh, lang, "assessment_form.xlsx", vocab.SETTINGS.label(lang))
    dvs = {str(dv.sqref): dv for dv in ws.data_validations.dataValidation}
    assert sorted(dvs) == sorted(f"B{i}" for i in range(2, 2 + len(vocab.SETTING_KEYS)))
    assert all(dv.prompt for dv in dvs.values())
    words = {"zh": ('"重新分配,记零分"', '"2-实际/目标,目标/实际"'), "en": ('"renormalize,zero"', '"two_minus,inverse"')}
    keys = list(vocab.SETTING_KEYS)
    assert dvs[f"B{2 + keys.index('missing_data')}"].formula1 == words[lang][0]
    assert dvs[f"B{2 + keys.index('lower_formula')}"].formula1 == words[lang][1]


PERCENT_COLUMNS = [  # (file, kind, field)
    ("assessment_form.xlsx", vocab.SCHEME, "cap"),
    ("assessment_form.xlsx", vocab.SCHEME, "floor"),
    ("assessment_form.xlsx", vocab.SCHEME, "accel_from"),
    ("assessment_form.xlsx", vocab.TIERS, "from_r"),
    ("assessment_form.xlsx", vocab.TIERS, "fraction"),
]
TEXT_COLUMNS = [
    ("target_sheet.xlsx", vocab.TARGETS, "employee_id"),
    ("target_sheet.xlsx", vocab.TARGETS, "period"),
    ("assessment_form.xlsx", vocab.RATINGS, "employee_id"),
    ("assessment_form.xlsx", vocab.RATINGS, "period"),
    ("training_plan.xlsx", vocab.TRAINING, "employee_id"),
]


@pytest.mark.parametrize("lang", vocab.LANGS)
@pytest.mark.parametrize("name,kind,field,fmt",
                         [(*c, "0%") for c in PERCENT_COLUMNS] + [(*c, "@") for c in TEXT_COLUMNS]
                         + [("training_plan.xlsx", vocab.TRAINING, "date", "yyyy-mm-dd")],
                         ids=lambda v: getattr(v, "key", None))
def test_column_formats_reach_the_cells_hr_fills_in(fresh, lang, name, kind, field, fmt):
    """The column's format applies to empty cells too: typing 120 in 封顶 gives 120%."""
    ws = _sheet(fresh, lang, name, kind.label(lang))
    letter = openpyxl.utils.get_column_letter([f.key for f in kind.fields].index(field) + 1)
    assert _column(ws, letter).number_format == fmt
    for (cell,) in ws.iter_rows(min_row=2, min_col=ws[letter + "1"].column, max_col=ws[letter + "1"].column):
        if cell.value is not None:
            assert cell.number_format == fmt


@pytest.mark.parametrize("lang", vocab.LANGS)
def test_percent_kpi_examples_are_percent_formatted(fresh, lang):
    ws = _sheet(fresh, lang, "target_sheet.xlsx", vocab.TARGETS.label(lang))
    for row in ws.iter_rows(min_row=2):
        pct = row[8].value == "%"
        assert (row[6].number_format == "0.0%") == pct and (row[7].number_format == "0.0%") == pct


@pytest.mark.parametrize("lang", vocab.LANGS)
@pytest.mark.parametrize("template,name", [(k, T.FILE_NAMES[k]) for k in vocab.TEMPLATES])
def test_instructions_explain_every_column(fresh, lang, template, name):
    ws = openpyxl.load_workbook(fresh[lang] / name)[T.TEXT["instructions"][lang]]
    rows = [r for r in ws.iter_rows(values_only=True)]
    header = list(T.TEXT["columns"][lang])
    start = next(i for i, r in enumerate(rows) if list(r[: len(header)]) == header)
    table = {(r[0], r[1]): r for r in rows[start + 1:] if r[0] and r[1]}
    for kind in vocab.TEMPLATES[template]["sheets"]:
        for f in kind.fields:
            sheet, column, required, what, example, words = table[(kind.label(lang), f.label(lang))]
            assert what == T.HELP[(kind.key, f.key)][0 if lang == "zh" else 1]
            assert required == T.TEXT["yes_blank" if f.may_be_blank else "yes" if f.required else "no"][lang]
            if (kind.key, f.key) in T.WORD_TABLES:
                for w in T.dropdown_words(kind.key, f.key, lang):
                    assert w in words
    # No row of the instructions holds every required header of a sheet kind, so the
    # readers never mistake the instructions for an input sheet.
    for kind in vocab.SHEET_KINDS:
        labels = {f.zh for f in kind.required} | {f.en for f in kind.required}
        for r in rows:
            cells = {str(v).strip() for v in r if v is not None}
            assert not {f.zh for f in kind.required} <= cells and not {f.en for f in kind.required} <= cells, (
                kind.key, r, labels)


ACCEPTED = [  # (lang, kind, field, expected 可选值 text)
    ("zh", "scheme", "direction", "越高越好、正向、higher；越低越好、反向、lower"),
    ("en", "scheme", "aggregation", "合计, sum; 平均, mean; 期末, last"),
    ("zh", "scheme", "source", "本人、own；培训、training；团队:指标（直接输入，如 团队:销售额）"),
    ("en", "ratings", "rating",
     "好, excellent, a; 较好, good, b; 中, average, c; 较差, poor, d; 差, bad, e; or points 0–100"),
    ("zh", "targets", "kpi", ""),
]


@pytest.mark.parametrize("lang,kind,field,expected", ACCEPTED)
def test_accepted_words(lang, kind, field, expected):
    assert T.accepted_words(kind, field, lang) == expected


WIDTHS = [("abc", 3), ("工号", 4), ("１２", 4), (1250000.0, 9), (0.925, 4), (None, 0), (float("nan"), 0)]


@pytest.mark.parametrize("value,width", WIDTHS)
def test_display_width(value, width):
    assert T.display_width(value) == width


def test_fitted_width_bounds():
    assert T.fitted_width([]) == 8
    assert T.fitted_width(["销售额"]) == 9
    assert T.fitted_width(["x" * 200]) == 48


def test_check_raises_on_xlsxwriter_error_codes():
    T.check(0, "ok")
    T.check(None, "ok")
    with pytest.raises(ValueError, match="refused to merge"):
        T.check(-1, "merge")


# --- read back by the engine ---------------------------------------------------------------


@pytest.mark.parametrize("lang", vocab.LANGS)
def test_blank_templates_load_with_only_example_warnings(fresh, lang):
    from kpi_engine.read import load

    data = load([fresh[lang]])
    flat = sorted((i.file, i.sheet, i.code, i.level) for i in data.report.issues)
    assert flat == sorted(
        (name, kind.label(lang), "example_row", "warning") for name, kind, _, _ in EXAMPLE_SHEETS)
    assert all(c.balanced for c in data.report.counts)
    assert data.settings == Settings()
    assert sorted(zip(data.tiers["from_r"], data.tiers["fraction"])) == sorted(T.STANDARD_TIERS)
    assert data.targets.empty and data.scheme.empty and data.ratings.empty and data.training.empty


def _strip_example_marks(src: Path, dst: Path) -> None:
    """The templates as if HR had typed the example rows for real."""
    dst.mkdir()
    for path in src.glob("*.xlsx"):
        wb = openpyxl.load_workbook(path)
        for ws in wb.worksheets[1:]:
            for row in ws.iter_rows(min_row=2):
                for c in row:
                    for mark in ("示例-", "Example-"):
                        if isinstance(c.value, str) and c.value.startswith(mark):
                            c.value = c.value[len(mark):]
        wb.save(dst / path.name)


@pytest.mark.parametrize("lang", vocab.LANGS)
def test_example_rows_are_scoring_md_worked_examples(fresh, tmp_path, lang):
    """Typed in for real, the examples load cleanly and score as scoring.md examples 1, 4–8."""
    from kpi_engine.core import score
    from kpi_engine.read import load

    _strip_example_marks(fresh[lang], tmp_path / "filled")
    data = load([tmp_path / "filled"])
    assert data.report.issues == []
    results = score(data, ["2026-03"])
    got = results.scores.set_index("kpi")[["attainment", "score", "status"]].round(6)
    names = [r["kpi"] for r in T._scheme_examples(lang)[:6]]
    expected = pd.DataFrame(
        [(1.12, 44.8, "met"), (0.9, 16.0, "below"), (0.8, 12.0, "below"), (0.0, 4.0, "below"),
         (0.973684, 5.0, "near"), (0.84, 4.2, "met")],
        columns=["attainment", "score", "status"], index=pd.Index(names, name="kpi"))
    pd.testing.assert_frame_equal(got.loc[names], expected, check_dtype=False)
    assert results.people["total"].round(6).tolist() == [86.0]
