"""The corpus manifest: every case with its expected exit code and problem codes.

``codes`` are the problem codes the run must report (any level); every *error*-level
code reported must be among them too, so an unexpected error fails the case. ``where``
pins the issues that have a place: ``(file, sheet, cell, code)``. ``people`` are the
employee IDs that must stand in 汇总 (the clean files of the same folder, and any good
rows of the bad file). ``check`` is an extra assertion on the library's Outcome, for
cases whose point is a value (a 1904 date read as 2026, ``1.2万`` read as 12000).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

from tests.corpus import make_corpus as mc

CLEAN = ("E001", "E002", "E003", "E004")
T = "目标管理"


@dataclass(frozen=True)
class Case:
    name: str
    exit: int
    codes: frozenset[str] = frozenset()
    where: tuple[tuple[str, str, str, str], ...] = ()
    people: tuple[str, ...] = CLEAN
    check: Callable | None = None
    validate_exit: int | None = None  # when `validate` (read-only) must differ from `score`
    isolate: bool = False  # run in a subprocess, memory measured and capped
    any_error: bool = False  # the spec names no code: any error-level code will do, but one is required
    xfail: str = ""  # a known bug in another module, named precisely (strict: a fix turns the case red until removed)
    libreoffice: bool = False
    note: str = ""

    def __post_init__(self):
        object.__setattr__(self, "codes", frozenset(self.codes))


def _score(outcome, pid: str, kpi: str):
    s = outcome.results.scores
    hit = s[(s["employee_id"] == pid) & (s["kpi"] == kpi)]
    assert len(hit) == 1, (pid, kpi, s[["employee_id", "kpi"]].to_dict("records")[:20])
    return hit.iloc[0]


def _people(outcome) -> set[str]:
    return set(outcome.results.people["employee_id"])


def check_numbers_as_text(outcome):
    for i, (_t, _a, t, a) in enumerate(mc.NUMBER_FORMS[:-1], 1):
        r = _score(outcome, f"E1{i:02d}", "销售额")
        assert (r.target, r.actual) == (t, a), (i, r.target, r.actual)
    rr = _score(outcome, "E201", "回款率")
    assert math.isclose(rr.target, 0.95) and math.isclose(rr.actual, 0.95) and rr.status == "met"
    fr = _score(outcome, "E201", "费用率")
    assert math.isclose(fr.target, 0.05) and math.isclose(fr.actual, 0.05)


def check_unit_wan(outcome):
    r = _score(outcome, "E101", "销售额")
    assert (r.target, r.actual) == (100000, 112000)
    r = _score(outcome, "E102", "销售额")
    assert (r.target, r.actual) == (500000, 550000)


def check_no_data_vs_zero(outcome):
    for i in range(1, len(mc.NO_DATA_WORDS) + 1):
        pid = f"E1{i:02d}"
        sales = _score(outcome, pid, "销售额")
        assert not sales.has_data and sales.status == "nodata", pid
        clients = _score(outcome, pid, "新客户数")
        assert clients.has_data and clients.actual == 0 and clients.attainment == 0, pid


def check_periods(outcome):
    assert outcome.results.scope == ("2026-01", "2026-02")
    for i in range(1, len(mc.PERIOD_FORMS) + 1):
        assert _score(outcome, f"E1{i:02d}", "销售额").has_data


def check_1904(outcome):
    assert outcome.results.scope == ("2026-01", "2026-02"), outcome.results.scope
    assert _score(outcome, "E101", "销售额").has_data


def check_formula_saved(outcome):
    assert _score(outcome, "E101", "销售额").actual == 110000
    assert _score(outcome, "E101", "新客户数").actual == 12


def check_merged(outcome):
    for pid in ("E101", "E102"):
        for kpi in ("销售额", "新客户数", "客户投诉"):
            assert _score(outcome, pid, kpi).has_data, (pid, kpi)
    people = outcome.results.people.set_index("employee_id")
    assert people.loc["E102", "team"] == "华北" and people.loc["E102", "name"] == "员工E102"


def check_ids(outcome):
    people = outcome.results.people.set_index("employee_id")
    assert {"00123", "12345", "E103", "1E5"} <= set(people.index)
    assert people.loc["00123", "name"] == "张 伟"
    assert people.loc["00123", "team"] == "华北 一组"


def check_duplicate_conflict_across(outcome):
    # Both E001 销售额 2026-01 rows were rejected: only February is left for that KPI.
    r = _score(outcome, "E001", "销售额")
    assert r.target == 100000  # February's target alone


def check_injection_people(outcome):
    names = set(outcome.results.people["name"])
    for text in mc.INJECTIONS[:-1]:
        assert text.strip() in names, text


def check_links(outcome):
    assert _score(outcome, "E101", "销售额").actual == 110000  # the saved value, nothing fetched


def check_moved(outcome):
    people = outcome.results.people
    assert (people["employee_id"] == "E101").sum() == 1
    assert people.set_index("employee_id").loc["E101", "team"] == "华南"


def check_weights(outcome):
    people = outcome.results.people.set_index("employee_id")
    assert "E301" not in people.index or math.isnan(people.loc["E301", "total"])


def check_weight_forms(outcome):
    assert _score(outcome, "E201", "回款率").weight == 60
    assert _score(outcome, "E301", "区域销售额").weight == 70


def check_one_workbook(outcome):
    assert outcome.results.scope == ("2026-01", "2026-02")


def check_not_in(*ids):
    def check(outcome):
        assert not (set(ids) & _people(outcome)), set(ids) & _people(outcome)
    return check


def check_one_person_three_kpis(outcome):
    people = _people(outcome)
    assert "E101" in people and not any(p != "E101" and "101" in p for p in people), people
    kpis = set(outcome.results.scores.loc[outcome.results.scores["employee_id"] == "E101", "kpi"])
    assert {"销售额", "新客户数", "客户投诉"} <= kpis, kpis


def check_in(*ids):
    def check(outcome):
        assert set(ids) <= _people(outcome), set(ids) - _people(outcome)
    return check


F_BAD = "targets_bad_numbers.xlsx"

CASES: list[Case] = [
    # headers and sheets
    Case("title_rows_above_header", 0, people=CLEAN + ("E101",)),
    Case("header_below_row_10", 1, {"header_not_found"}, where=(("targets_low_header.xlsx", T, "", "header_not_found"),)),
    Case("grid_layout_classic", 0, {"grid_read"}, people=CLEAN + ("E101",)),
    Case("grid_layout_without_year", 1, {"year_missing"}, check=check_not_in("E101"),
         where=(("targets_grid.xlsx", T, "", "year_missing"),)),
    Case("month_title_vs_file_name", 1, {"period_conflict"}, check=check_not_in("E101"),
         where=(("2026-01目标.xlsx", T, "", "period_conflict"),)),
    Case("english_headers_odd_spelling", 0, people=CLEAN + ("E101",)),
    Case("unit_hint_wan", 0, people=CLEAN + ("E101", "E102"), check=check_unit_wan),
    Case("sheet_found_by_header", 0, people=CLEAN + ("E101",)),
    Case("unrecognised_sheet", 0, {"sheet_unrecognised"}, people=CLEAN + ("E101",)),
    Case("extra_columns", 0, {"unknown_columns"}, people=CLEAN + ("E101",)),
    Case("merged_data_cells", 0, people=CLEAN + ("E101", "E102"), check=check_merged),
    Case("multirow_merged_header", 0, people=CLEAN + ("E101",)),
    Case("blank_header_column", 0, people=CLEAN + ("E101",)),
    Case("duplicate_header", 1, {"duplicate_header"}, check=check_not_in("E101"),
         where=(("targets_dup_header.xlsx", T, "K1", "duplicate_header"),)),
    Case("hidden_sheet", 0, {"sheet_unrecognised"}, people=CLEAN + ("E101",)),
    Case("very_hidden_sheet", 0, {"sheet_unrecognised"}, people=CLEAN + ("E101",)),
    # cell values
    Case("numbers_as_text", 0, people=CLEAN + ("E101", "E107", "E201"), check=check_numbers_as_text),
    Case("no_data_words_vs_zero", 0, people=CLEAN + ("E101", "E110"), check=check_no_data_vs_zero),
    Case("bad_numbers", 1, {"bad_number"}, people=CLEAN + ("E101",),
         where=tuple((F_BAD, T, f"H{r}", "bad_number") for r in range(5, 5 + len(mc.BAD_NUMBERS)))),
    Case("percent_scale_mismatch", 1, {"percent_scale_mismatch"}, people=CLEAN + ("E201", "E202"),
         where=(("targets_scale.xlsx", T, "H2", "percent_scale_mismatch"),)),
    Case("formula_without_value_openpyxl", 1, {"formula_no_value"},
         where=(("targets_openpyxl_formula.xlsx", T, "H2", "formula_no_value"),), people=CLEAN + ("E101",)),
    Case("formula_xlsxwriter_fullcalc", 1, {"formula_not_recalculated"},
         where=(("targets_xlsxwriter_formula.xlsx", T, "H2", "formula_not_recalculated"),
                ("targets_xlsxwriter_formula.xlsx", T, "H3", "formula_not_recalculated")), people=CLEAN + ("E101",)),
    Case("formula_without_value_raw", 1, {"formula_no_value"},
         where=(("targets_raw_formula.xlsx", T, "H2", "formula_no_value"),), people=CLEAN + ("E101",)),
    Case("formula_with_saved_value", 0, people=CLEAN + ("E101",), check=check_formula_saved),
    Case("formula_like_text", 0, people=CLEAN + ("E101", "E109", "E150"), check=check_injection_people),
    Case("links_and_dde_in_input", 0, people=CLEAN + ("E101", "E102"), check=check_links),
    Case("error_cells", 1, {"bad_number"}, people=CLEAN + ("E101",),
         where=(("targets_errors.xlsx", T, "H5", "bad_number"), ("targets_errors.xlsx", T, "G6", "bad_number"),
                ("targets_errors.xlsx", T, "H7", "bad_number"))),
    Case("boolean_and_date_in_number", 1, {"bad_number"}, people=CLEAN + ("E101",),
         where=(("targets_bool_date.xlsx", T, "H5", "bad_number"), ("targets_bool_date.xlsx", T, "H6", "bad_number"))),
    # periods and dates
    Case("period_forms", 0, people=CLEAN + tuple(f"E1{i:02d}" for i in range(1, len(mc.PERIOD_FORMS) + 1)),
         check=check_periods),
    Case("period_bad", 1, {"period_decimal", "bad_period"}, people=CLEAN + ("E101",),
         where=(("targets_bad_period.xlsx", T, "E5", "period_decimal"), ("targets_bad_period.xlsx", T, "E6", "bad_period"),
                ("targets_bad_period.xlsx", T, "E7", "bad_period"))),
    Case("date_system_1904", 0, people=CLEAN + ("E101",), check=check_1904),
    Case("date_system_1900", 0, people=CLEAN + ("E101",), check=check_1904),
    Case("serial_60", 1, {"bad_period"}, people=CLEAN + ("E101",), where=(("targets_serial60.xlsx", T, "E5", "bad_period"),),
         check=check_not_in("E102")),
    Case("period_impossible_day", 1, {"impossible_date"}, people=CLEAN + ("E101", "E105"),
         where=(("targets_impossible_day.xlsx", T, "E5", "impossible_date"),
                ("targets_impossible_day.xlsx", T, "E6", "impossible_date"),
                ("targets_impossible_day.xlsx", T, "E7", "impossible_date"))),
    Case("notes_past_a_cell", 0, {"text_cut"}, people=CLEAN + ("E101",),
         where=(("result.xlsx", "明细", "O10", "text_cut"),),
         note="the result's own cell is named: 明细's 备注 of E101's 销售额, cut to 32,767 characters"),
    Case("ids_typed_two_ways", 0, people=CLEAN + ("E101",), check=check_one_person_three_kpis),
    Case("id_two_names_name_two_ids", 0, {"core_person_conflict", "core_same_name_two_ids"},
         people=CLEAN + ("E101", "E102", "E103"),
         where=(("targets_names.xlsx", T, "2:2", "core_person_conflict"),)),
    Case("period_far_future_date", 1, {"bad_period"}, people=CLEAN + ("E101",),
         where=(("targets_future.xlsx", T, "E6", "bad_period"),),
         note="a date cell in 2263–2999 (a month to the readers, past pandas' datetime64[ns]) crashed them"),
    # rows
    Case("rows_without_id", 0, {"row_without_id", "total_row"}, people=CLEAN + ("E101",),
         where=(("targets_totals.xlsx", T, "A5", "row_without_id"), ("targets_totals.xlsx", T, "A6", "total_row"),
                ("targets_totals.xlsx", T, "A7", "row_without_id"))),
    Case("empty_rows", 0, people=CLEAN + ("E101",)),
    Case("duplicate_rows_same_within_file", 0, {"duplicate_row"}, people=CLEAN + ("E101",)),
    Case("duplicate_rows_conflict_within_file", 1, {"conflicting_rows"}, people=CLEAN + ("E101",),
         where=(("targets_dup_conflict.xlsx", T, "H2", "conflicting_rows"), ("targets_dup_conflict.xlsx", T, "H5", "conflicting_rows"))),
    Case("duplicate_file_copy", 0, {"duplicate_row"}),
    Case("duplicate_conflict_across_files", 1, {"conflicting_rows"}, check=check_duplicate_conflict_across),
    Case("unknown_role_and_kpi", 1, {"unknown_role", "unknown_kpi"}, people=CLEAN + ("E101",),
         where=(("targets_unknown.xlsx", T, "D5", "unknown_role"), ("targets_unknown.xlsx", T, "F6", "unknown_kpi"))),
    Case("weights_not_100", 1, {"weights_not_100", "role_weights_invalid"}, check=check_weights,
         where=(("targets_managers.xlsx", T, "D2", "role_weights_invalid"),)),
    Case("weight_forms", 0, people=CLEAN + ("E201", "E301"), check=check_weight_forms),
    Case("text_fields_and_ids", 0, people=CLEAN + ("00123", "12345", "E103", "1E5"), check=check_ids),
    Case("long_and_unicode_text", 0, people=CLEAN + ("E101",)),
    Case("person_changes_team", 0, {"core_person_changed"}, people=CLEAN + ("E101",), check=check_moved),
    Case("extreme_numbers", 1, people=CLEAN + ("E101",), any_error=True,
         note="1e300 / 1e-300 and 1e308 + 1e308 overflow to inf; the row or KPI is an error, the run goes on"),
    Case("negative_target", 1, {"core_negative_target"}, people=CLEAN + ("E101",), validate_exit=0),
    # the other sheets
    Case("ratings_bad", 1, {"bad_word", "out_of_range", "bad_period", "rating_not_rating_kpi", "core_rating_weight_zero"},
         where=(("assessment_form.xlsx", "评分", "F10", "bad_word"), ("assessment_form.xlsx", "评分", "D11", "bad_word"),
                ("assessment_form.xlsx", "评分", "F12", "out_of_range"),
                ("assessment_form.xlsx", "评分", "C13", "rating_not_rating_kpi"),
                ("assessment_form.xlsx", "评分", "B14", "bad_period"))),
    Case("tiers_bad", 1, {"bad_number", "tier_table_invalid", "unknown_tier_table", "role_has_bad_rows", "role_not_scorable"},
         where=(("assessment_form.xlsx", "分段计分", "B7", "bad_number"),
                ("assessment_form.xlsx", "分段计分", "A9", "tier_table_invalid"),
                ("targets_managers.xlsx", T, "D2", "role_not_scorable")), check=check_not_in("E301")),
    Case("curves_bad", 1, {"bad_number", "out_of_range", "tier_curve_invalid", "unknown_tier_table", "role_has_bad_rows",
                           "role_not_scorable"},
         where=(("assessment_form.xlsx", "考核方案", "P6", "bad_number"), ("assessment_form.xlsx", "考核方案", "P9", "out_of_range"),
                ("assessment_form.xlsx", "分段计分", "D7", "tier_curve_invalid"),
                ("assessment_form.xlsx", "分段计分", "D9", "tier_curve_invalid"),
                ("assessment_form.xlsx", "考核方案", "I7", "unknown_tier_table"),
                ("targets_managers.xlsx", T, "D2", "role_not_scorable")), check=check_not_in("E301")),
    Case("settings_bad", 1, {"bad_number", "unknown_setting"},
         where=(("assessment_form.xlsx", "设置", "B2", "bad_number"), ("assessment_form.xlsx", "设置", "A3", "unknown_setting"))),
    Case("scheme_bad_words", 1, {"bad_word", "unknown_tier_table", "points_per_unit_missing", "role_has_bad_rows",
                                 "role_not_scorable"},
         where=(("assessment_form.xlsx", "考核方案", "E6", "bad_word"), ("assessment_form.xlsx", "考核方案", "I7", "unknown_tier_table"),
                ("assessment_form.xlsx", "考核方案", "J8", "points_per_unit_missing"),
                ("targets_managers.xlsx", T, "D2", "role_not_scorable"))),
    Case("training_bad", 1, {"out_of_range", "bad_period", "bad_word", "row_without_id"},
         where=(("training_plan.xlsx", "培训记录", "H4", "out_of_range"), ("training_plan.xlsx", "培训记录", "D5", "bad_period"),
                ("training_plan.xlsx", "培训记录", "E6", "out_of_range"), ("training_plan.xlsx", "培训记录", "K7", "out_of_range"),
                ("training_plan.xlsx", "培训记录", "L8", "bad_word"), ("training_plan.xlsx", "培训记录", "F9", "row_without_id"))),
    # files
    Case("xls_file", 1, {"bad_number"}, people=CLEAN + ("E101",), libreoffice=True,
         where=(("targets_legacy.xls", T, "G5", "bad_number"),)),
    Case("xlsm_with_macro", 0, people=CLEAN + ("E101",)),
    Case("xltx_template", 0, people=CLEAN + ("E101",)),
    Case("csv_renamed_xlsx", 1, {"file_corrupt"}, where=(("targets_csv.xlsx", "", "", "file_corrupt"),)),
    Case("zero_byte_file", 1, {"file_corrupt"}, where=(("targets_empty.xlsx", "", "", "file_corrupt"),)),
    Case("truncated_zip", 1, {"file_corrupt"}, where=(("targets_2026-02 (cut).xlsx", "", "", "file_corrupt"),)),
    Case("random_bytes", 1, {"file_corrupt"}),
    Case("encrypted_targets", 1, {"file_encrypted"}, where=(("targets_secret.xlsx", "", "", "file_encrypted"),)),
    Case("encrypted_assessment_form", 2, {"file_encrypted", "no_scheme"}, people=(),
         where=(("assessment_form.xlsx", "", "", "file_encrypted"),)),
    Case("structure_protected", 0, people=CLEAN + ("E101",)),
    Case("lock_file", 0, {"lock_file_skipped"}, where=(("~$targets_2026-01.xlsx", "", "", "lock_file_skipped"),)),
    Case("billion_laughs", 1, {"file_corrupt"}, isolate=True, check=check_not_in("E101")),
    Case("xxe_external_entity", 1, {"file_corrupt"}, isolate=True, check=check_not_in("E101")),
    Case("zip_bomb", 1, {"file_too_large"}, isolate=True, where=(("targets_bomb.xlsx", "", "", "file_too_large"),)),
    Case("zip_bomb_lying_size", 1, {"file_too_large"}, isolate=True),
    # A 50 MB cell is refused before it is decoded (xlsxscan.CELL_LIMIT), naming its cell.
    Case("huge_cell", 1, {"cell_too_long"}, isolate=True, check=check_not_in("E101"),
         where=(("targets_huge_cell.xlsx", T, "B2", "cell_too_long"),)),
    Case("row_limit_sheet", 0, {"row_without_id", "sheet_unrecognised"}, isolate=True, people=CLEAN + ("E101",)),
    # Read as it is, or refused as corrupt — never a crash; the expectation takes the first.
    Case("lying_shared_string_count", 0, isolate=True, people=CLEAN + ("E101",),
         note="calamine preallocates by uniqueCount: 'memory allocation of 51539607528 bytes failed', abort"),
    Case("lying_dimension_and_spans", 0, isolate=True, people=CLEAN + ("E101",)),
    # The merged value (华北) stands in every covered cell, so E101's rows go wrong — as errors.
    Case("merge_over_whole_sheet", 1, isolate=True, any_error=True, check=check_not_in("E101")),
    Case("stray_last_cell", 0, {"row_without_id"}, isolate=True, people=CLEAN + ("E101",)),
    Case("own_result_renamed", 0, {"result_file_skipped"}),
    Case("result_resaved_by_libreoffice", 0, {"result_file_skipped"}, libreoffice=True),
    Case("ods_file", 1, {"bad_number"}, people=CLEAN + ("E101", "E105"),
         where=(("targets_calc.ods", T, "H17", "bad_number"),)),
    Case("xlsb_file", 1, {"bad_number"}, people=CLEAN + ("E101", "E105"),
         where=(("targets_binary.xlsb", T, "H17", "bad_number"),)),
    Case("ods_billion_laughs", 1, {"file_corrupt"}, isolate=True, check=check_not_in("E101"),
         where=(("targets_laughs.ods", "", "", "file_corrupt"),)),
    Case("ods_repeat_bomb", 1, {"file_too_large"}, isolate=True, check=check_not_in("E101"),
         where=(("targets_repeats.ods", "", "", "file_too_large"),)),
    Case("xlsb_far_cell", 1, {"file_too_large"}, isolate=True, check=check_not_in("E101"),
         where=(("targets_far.xlsb", "", "", "file_too_large"),)),
    Case("encrypted_ods", 1, {"file_encrypted"}, check=check_not_in("E101"),
         where=(("targets_secret.ods", "", "", "file_encrypted"),)),
    Case("result_resaved_as_ods", 0, {"result_file_skipped"}, libreoffice=True),
    Case("non_workbook_files", 0),
    Case("template_left_with_examples", 0, {"example_row"}, people=CLEAN + ("E101",)),
    Case("one_workbook_everything", 0, check=check_one_workbook),
    Case("formula_like_file_name", 1, {"bad_number"}, people=CLEAN + ("E101",),
         where=(("=HYPERLINK(1)+cmd.xlsx", T, "G5", "bad_number"),)),
    Case("empty_folder", 2, {"no_input_files"}, people=()),
    Case("only_broken_files", 2, {"file_corrupt", "no_scheme"}, people=()),
    Case("targets_only_no_scheme", 2, {"no_scheme"}, people=()),
    Case("month_grid_only", 2, {"no_target_rows", "cause_sheet_looks_like", "sheet_unrecognised", "rating_no_person"},
         people=(),
         note="the causes printed first name the grid; the ratings' follow-on errors come after"),
]

CASE = {c.name: c for c in CASES}
