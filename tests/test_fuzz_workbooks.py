"""Property-based workbooks: whatever a target sheet holds, the readers and the pipeline
neither crash nor lose a row.

Each example writes a drop folder of 20 random 目标管理 workbooks with xlsxwriter (random cell types:
numbers, text numbers in every form, full-width, no-data words, junk, dates, booleans,
blanks, formulas and their error values; random header order and spelling — zh/en,
case, spaces, unit hints; title rows; extra columns and extra sheets) and loads them with
an assessment form and one clean month and one clean month (people E001–E004), in-process:
``kpi_engine.read.load`` then ``kpi_engine.pipeline.run`` on the loaded data.

Properties: no exception but NothingToScoreError; every sheet balances (read = used +
rejected + duplicates + skipped); every row written with content is counted, and every
row of a fuzzed sheet that is not used is named by an issue (or is a duplicate); the
clean people are always scored; every issue has a registered code and a fully
formatted message in both languages.

Each example also adds a random role to the scheme (random weights in every form,
methods, caps, floors, tier tables, sources, units) and random 设置 rows.

Two more properties take damaged files: an .xlsx whose parts have bytes replaced, cut
or repeated and hostile XML spliced in, and an .xls with bytes flipped anywhere — each
is refused (error naming the file) or read, and ``read.load`` never raises.

Profiles: ``ci`` (default) runs a fixed, derandomized 100 examples of 20 workbooks
each (2,000 workbooks) and 40 of each damaged kind; ``deep`` (``HYPOTHESIS_PROFILE=deep``)
runs 1,000 random ones of each.
"""

from __future__ import annotations

import os
import re
import tempfile
from datetime import date, datetime
from pathlib import Path

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from kpi_engine import pipeline, read, vocab
from kpi_engine.issues import REGISTRY, NothingToScoreError
from tests import builders
from tests.corpus.make_corpus import assessment_form_with
from tests.corpus.xl import Formula, xw_book

pytestmark = pytest.mark.slow  # minutes of random workbooks: the full run only (README, developers)

DEEP = os.environ.get("HYPOTHESIS_PROFILE") == "deep"
# One read.load + pipeline.run costs ~0.5 s however small the input (the assessment
# form's sheets dominate), and ~30 ms per extra workbook; so each example is a drop
# folder of PER_EXAMPLE random workbooks loaded together: 60 × 20 = 1,200 workbooks per
# CI run (derandomized, so the same ones each time; HYPOTHESIS_PROFILE=deep runs 1,000 examples).
PER_EXAMPLE = 20
EXAMPLES = int(os.environ.get("KPI_FUZZ_EXAMPLES", 1_000 if DEEP else 60))
FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=not DEEP,
    database=None,
    # Shrinking a 20-workbook example costs minutes; KPI_FUZZ_NO_SHRINK=1 reports the raw one.
    phases=[p for p in Phase if not (os.environ.get("KPI_FUZZ_NO_SHRINK") and p == Phase.shrink)],
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.function_scoped_fixture],
)

CLEAN = {"E001", "E002", "E003", "E004"}
RANDOM_ROLE = "随机岗"  # a role of random scheme rows, added to the builders' scheme each example
RANDOM_KPIS = ["甲指标", "乙指标", "丙指标"]
FIELDS = vocab.TARGETS.fields
REQUIRED = [f for f in FIELDS if f.required]
OPTIONAL = [f for f in FIELDS if not f.required]
PERSON_LEVEL = {"role_not_scorable", "role_weights_invalid"}
# Sheet- or file-level problems: they have no single cell.
NO_CELL = {"header_not_found", "duplicate_header", "unknown_columns", "sheet_unrecognised", "weights_not_100",
           "role_has_bad_rows", "file_corrupt", "file_encrypted", "file_too_large", "rows_out_of_scope"}


# --- cell values ------------------------------------------------------------------------

def _fullwidth(text: str) -> str:
    return "".join(chr(ord(ch) + 0xFEE0) if "!" <= ch <= "~" else ch for ch in text)


finite = st.floats(min_value=-1e9, max_value=1e9, allow_nan=False, allow_infinity=False)
small = st.one_of(st.integers(-1000, 200000), finite, st.sampled_from([0, 0.0, 0.95, 1, 95, 100, 1e-9, 2.5]))


@st.composite
def text_number(draw, negative: bool = True) -> str:
    n = draw(st.one_of(st.integers(0, 10**7), st.floats(0, 1e6, allow_nan=False).map(lambda x: round(x, 2))))
    forms = ["plain", "comma", "yen", "wan", "pct", "full", "spaces", "rmb", "yuan"] + (["neg"] if negative else [])
    form = draw(st.sampled_from(forms))
    if form == "comma":
        return f"{n:,}"
    if form == "yen":
        return draw(st.sampled_from(["¥", "￥", "$"])) + f"{n:,}"
    if form == "wan":
        return f"{n / 10000:g}" + draw(st.sampled_from(["万", "万元"]))
    if form == "pct":
        return f"{n / 1000:g}" + draw(st.sampled_from(["%", "％", " %"]))
    if form == "full":
        return _fullwidth(f"{n:,}").replace("，", draw(st.sampled_from([",", "，"])))
    if form == "spaces":
        return f"  {n}\u3000"
    if form == "rmb":
        return f"RMB {n}"
    if form == "yuan":
        return f"{n}元"
    if form == "neg":
        return f"-{n}"
    return str(n)


NO_DATA = ["-", "—", "–", "/", "N/A", "NA", "无", "暂无", "空", "n/a"]
JUNK = ["十二", "1.2.3", "abc", "TBD", "约100", "1,2,3,4.5.6", "=1+1", "+cmd", "@SUM(A1)", "#N/A", "\t7", "１２．３．４"]
# Excel's last date. (A 期间 date in 2263–2999 once crashed the readers; corpus case
# period_far_future_date keeps it fixed.)
LAST_DATE = datetime(9999, 12, 31)
ERRORS = ["#N/A", "#DIV/0!", "#REF!", "#VALUE!", "#NAME?"]

number_cell = st.one_of(
    small, text_number(), st.sampled_from(NO_DATA), st.sampled_from(JUNK), st.none(), st.booleans(),
    st.datetimes(datetime(1990, 1, 1), datetime(2040, 1, 1)),
    st.builds(lambda v: Formula("=G2*1", value=v), small),
    st.sampled_from(ERRORS).map(lambda e: Formula("=NA()", value=e)),
    st.text(max_size=6),
)

PERIODS = ["2026-01", "2026/1", "2026.01", "2026年1月", "202601", 202601, datetime(2026, 1, 15), date(2026, 1, 31),
           "2026-02", 202602, "2026.1", 2026.1, "三月", "2026-13", "", "2025-12"]
period_cell = st.one_of(st.sampled_from(PERIODS), st.integers(190001, 209912), st.datetimes(datetime(1950, 1, 1), LAST_DATE),
                        st.text(max_size=8), st.none())
ids = st.one_of(st.sampled_from(["E901", "E902", "E903", " E904 ", "00905", "合计", "小计", ""]), st.integers(900, 999),
                st.text(max_size=5), st.none())
KPIS = [r[1] for r in builders.SCHEME[1:]] + ["利润", "销售额 ", "", "团队销售额"]
kpi_cell = st.one_of(st.sampled_from(KPIS), st.text(max_size=4), st.none())
role_cell = st.one_of(st.sampled_from(["销售代表", "销售代表 ", "外星人", ""]), st.text(max_size=4), st.none())
text_cell = st.one_of(st.sampled_from(["张伟", "王 芳", "=HYPERLINK(\"x\")", "华北", "", "  "]), st.text(max_size=10), st.none())
unit_cell = st.one_of(st.sampled_from(["元", "%", "个", "", "万元"]), st.none())

FIELD_CELLS = {  # anything, mostly wrong
    "employee_id": ids, "name": text_cell, "team": text_cell, "role": role_cell, "period": period_cell,
    "kpi": kpi_cell, "target": number_cell, "actual": number_cell, "unit": unit_cell, "note": text_cell,
    "base": number_cell,  # 绩效工资基数: a bad one is reported, never costs the row
}
valid_number = st.one_of(st.integers(0, 500000), st.floats(0, 1e6, allow_nan=False).map(lambda x: round(x, 2)),
                         text_number(negative=False), st.sampled_from(NO_DATA), st.none())
VALID_CELLS = {  # what a careful HR analyst writes, in every accepted form
    "employee_id": st.sampled_from(["E901", "E902", "E903", " E904 ", "00905", 906, "E907", "E908"]),
    "name": st.sampled_from(["张伟", "王 芳", "李娜", "Zoë"]),
    "team": st.sampled_from(["华北", "华南", " 华北 "]),
    "role": st.sampled_from(["销售代表", " 销售代表", RANDOM_ROLE]),
    "period": st.sampled_from(["2026-01", "2026/1", "2026.01", "2026年1月", "202601", 202601, datetime(2026, 1, 15),
                               "2026-02", "2026年2月", 202602, date(2026, 2, 28)]),
    "kpi": st.sampled_from(["销售额", "新客户数", "客户投诉", *RANDOM_KPIS]),
    "target": valid_number, "actual": valid_number,
    "unit": st.sampled_from(["元", "个", "", None]), "note": text_cell,
    "base": st.one_of(st.integers(0, 20000), st.none()),
}


@st.composite
def data_row(draw, keys):
    """A row as HR writes it; in most rows one or two cells go wrong."""
    wild = set(draw(st.lists(st.sampled_from([k for k in keys if k] or [None]), max_size=2)))
    row = []
    for key in keys:
        if key is None:
            row.append(draw(any_cell))
        elif key in wild:
            row.append(draw(FIELD_CELLS[key]))
        else:
            row.append(draw(VALID_CELLS[key]))
    return row


any_cell = st.one_of(small, st.text(max_size=10), st.none(), st.booleans(), text_number())


# --- headers ---------------------------------------------------------------------------------

UNIT_HINTS = ["(元)", "（元）", " (CNY)", "（万元）", "(万)", "（个）"]


@st.composite
def header_label(draw, f: vocab.Field) -> str:
    label = draw(st.sampled_from([f.zh, f.en]))
    if label.isascii():
        label = draw(st.sampled_from([label, label.upper(), label.lower(), label.title()]))
    if draw(st.booleans()):
        label = draw(st.sampled_from(["", " ", "  ", "\u3000"])) + label + draw(st.sampled_from(["", " ", "  "]))
    if draw(st.booleans()) and len(label) > 2:
        i = draw(st.integers(1, len(label) - 1))
        label = label[:i] + " " + label[i:]
    if f.key in ("target", "actual") and draw(st.integers(0, 4)) == 0:
        label += draw(st.sampled_from(UNIT_HINTS))
    return label


EXTRA_HEADERS = ["序号", "联系电话", "审核人", "Region", "备用", "Extra", "季度", "上月实际"]


@st.composite
def target_sheet(draw):
    fields = REQUIRED + draw(st.lists(st.sampled_from(OPTIONAL), unique_by=lambda f: f.key))
    extras = draw(st.lists(st.sampled_from(EXTRA_HEADERS), max_size=3, unique=True))
    columns = [(f.key, draw(header_label(f))) for f in fields] + [(None, e) for e in extras]
    columns = draw(st.permutations(columns))
    titles = draw(st.lists(st.sampled_from([["2026年1月销售目标"], ["制表：HR"], [], ["说明", None, "请填写"]]), max_size=3))
    n = draw(st.integers(0, 6))
    rows = []
    for _ in range(n):
        if draw(st.integers(0, 12)) == 0:
            rows.append([])  # a fully empty row
            continue
        rows.append(draw(data_row([key for key, _label in columns])))
    if rows and draw(st.integers(0, 5)) == 0:
        rows.append(list(rows[draw(st.integers(0, len(rows) - 1))]))  # an exact duplicate
    name = draw(st.sampled_from(["目标管理", "Targets", " targets ", "Sheet1", "2026年1月"]))
    extra_sheets = draw(st.lists(st.sampled_from(["说明", "Sheet2", "备忘", "数据"]), max_size=2, unique=True))
    extra_sheets = [s for s in extra_sheets if s != name]
    others = {s: draw(st.lists(st.lists(any_cell, max_size=4), max_size=4)) for s in extra_sheets}
    return name, titles, [label for _k, label in columns], [k for k, _l in columns], rows, others


# --- a random extra role in the scheme, and random settings ---------------------------------

SCHEME_CELLS = [  # one strategy per 考核方案 column after 岗位 and 指标
    st.sampled_from([None, "销售业绩", "=1+1"]),
    st.one_of(st.sampled_from([30, "30%", 0.3, 40, "40%", 0.4, 60, 0.6, 100, 0, -10, "abc", None, 33.3, "１００"]),
              st.integers(0, 100)),
    st.sampled_from(["越高越好", "越低越好", "正向", "反向", "lower", "higher", "越大越好", None]),
    st.sampled_from(["完成率", "ratio", "分段", "tiers", "等级", "扣分", "deduction", "随便", None, ""]),
    st.one_of(st.sampled_from([None, "120%", 1.2, "150%", 0, -1, "abc", 1]), st.floats(0, 3)),
    st.sampled_from([None, 0, "60%", 0.6, 2, "abc"]),
    st.sampled_from([None, "标准", "不存在", ""]),
    st.sampled_from([None, 2, "2", 0, -1, "x"]),
    st.sampled_from([None, 1, "1%", 0.01, 0, -1]),
    st.sampled_from([None, "合计", "平均", "期末", "sum", "mean", "last", "中位数"]),
    st.sampled_from([None, "本人", "团队:销售额", "团队：新客户数", "培训", "团队:不存在", "团队", "外部"]),
    st.sampled_from([None, "%", "元", ""]),
]
SETTING_WORDS = [w for pair in vocab.SETTING_KEYS.values() for w in pair] + ["奖金系数", ""]
setting_value = st.one_of(st.sampled_from(["95%", 0.95, 90, "90", "九十", "重新分配", "zero", "inverse", "2-实际/目标",
                                           "abc", None, -1, 200, "20%"]), small)


@st.composite
def random_form(draw):
    """The builders' scheme plus a random role; random 设置 rows."""
    kpis = draw(st.lists(st.sampled_from(RANDOM_KPIS), min_size=1, max_size=4))
    extra = [[RANDOM_ROLE, kpi, *(draw(c) for c in SCHEME_CELLS)] for kpi in kpis]
    settings_rows = [["项目", "值"]] + draw(st.lists(
        st.tuples(st.sampled_from(SETTING_WORDS), setting_value).map(list), max_size=4))
    return extra, settings_rows


def _has_content(v) -> bool:
    if v is None:
        return False
    if isinstance(v, str):
        return v.strip() != ""
    return True


# --- the property --------------------------------------------------------------------------


@pytest.fixture(scope="module")
def clean_files(tmp_path_factory) -> list[Path]:
    folder = tmp_path_factory.mktemp("fuzz-clean")
    return [builders.target_sheet(folder / "targets_2026-01.xlsx", "2026-01")]


@FUZZ
@given(form=random_form(), specs=st.lists(target_sheet(), min_size=PER_EXAMPLE, max_size=PER_EXAMPLE))
def test_random_target_workbooks_never_crash_or_lose_rows(form, specs, clean_files):
    extra_scheme, settings_rows = form
    with tempfile.TemporaryDirectory(prefix="kpi-fuzz-") as tmp:
        paths = [assessment_form_with(Path(tmp) / "assessment_form.xlsx", extra_scheme, settings=settings_rows)]
        for k, (name, titles, header, _keys, rows, others) in enumerate(specs):
            paths.append(xw_book(Path(tmp) / f"fuzz{k:02d}.xlsx", {name: [*titles, header, *rows], **others}))
        data = read.load([*clean_files, *paths])
        uncovered, duplicates = [], 0
        for path, (name, titles, _header, keys, rows, _others) in zip(paths[1:], specs):
            u, d = check_rows(data, path.name, len(titles) + 1, keys, rows)
            uncovered, duplicates = uncovered + u, duplicates + d
        # A row left out without an issue naming it must be a duplicate (of a row here or
        # in another workbook of the folder).
        assert len(uncovered) <= duplicates, (uncovered, duplicates, [
            i for i in data.report.issues if (i.file, i.cell[1:]) in {(f, str(r)) for f, r in uncovered} or i.code.startswith("role")])
        try:
            outcome = pipeline.run([], data=data)
        except NothingToScoreError:  # pragma: no cover - the clean month is always there
            pytest.fail("the clean files alone can be scored")
        check_report(outcome.report)  # the readers' issues and the core's
        assert CLEAN <= set(outcome.results.people["employee_id"])


def check_report(report) -> None:
    for count in report.counts:
        assert count.balanced, count
    for issue in report.issues:
        assert issue.code in REGISTRY, issue
        for lang in ("zh", "en"):
            message = issue.message(lang)
            assert not re.search(r"\{[a-z_]+\}", message), (issue, message)
        if issue.file.startswith(("fuzz", "damaged")) and issue.level == "error" and issue.sheet and issue.code not in NO_CELL:
            assert issue.cell, issue


def check_rows(data, file: str, header_row: int, keys, rows) -> tuple[list, int]:
    """Every row with content is counted; returns (rows neither used nor named by an issue, duplicates)."""
    counts = [c for c in data.report.counts if c.file == file and c.kind == "targets"]
    if not counts:
        # Not recognised as a target sheet: only acceptable when the sheet was refused with a reason.
        assert any(i.file == file and i.level == "error" for i in data.report.issues), (file, data.report.issues)
        return [], 0
    (count,) = counts
    known = [i for i, k in enumerate(keys) if k]
    with_content = [header_row + 1 + n for n, r in enumerate(rows) if any(_has_content(v) for v in r)]
    with_known = [header_row + 1 + n for n, r in enumerate(rows) if any(_has_content(r[i]) for i in known if i < len(r))]
    assert len(with_known) <= count.read <= len(with_content), (count, with_known, with_content)

    targets = data.targets
    used = set(targets.loc[targets["file"] == file, "row"].astype(int))
    named = {int(m.group(1)) for i in data.report.issues if i.file == file
             for m in [re.search(r"(\d+)$", i.cell)] if m}
    # A role that cannot be scored lists each of its people once (inputs.md, "Weights":
    # "each listed in 问题"): that issue covers all of the person's rows, in every file.
    persons = {i.value for i in data.report.issues if i.code in PERSON_LEVEL}
    id_col = keys.index("employee_id")
    row_id = {header_row + 1 + n: _norm_id(r[id_col]) for n, r in enumerate(rows) if id_col < len(r)}
    uncovered = [(file, r) for r in with_known if r not in used and r not in named and row_id.get(r) not in persons]
    return uncovered, count.duplicates


def _norm_id(v) -> str:
    if isinstance(v, float) and v.is_integer():
        v = int(v)
    return " ".join(str(v).split()) if v is not None else ""


# --- damaged packages ------------------------------------------------------------------------
#
# A valid target workbook whose parts are damaged the way a bad sync, a half-finished
# download or a hand-edited XML damages them: bytes replaced, cut, repeated, and
# hostile snippets spliced in. The readers must refuse the file or read it — never raise.

SNIPPETS = [
    b'<c r="XFD1048576" t="inlineStr"><is><t>x</t></is></c>', b'<row r="0">', b'<row r="1048577"><c r="A1048577"><v>1</v></c></row>',
    b'<c r="A2" t="s"><v>99999</v></c>', b'<c r="B2" t="e"><v>#N/A</v></c>', b'<c r="G2"><f>1/0</f></c>',
    b'<!DOCTYPE x [<!ENTITY a "aaaaaaaaaa">]>', b'&a;', b"<mergeCell ref=\"A1:XFD1048576\"/>", b"\xff\xfe\x00",
    b'<c r="E2" s="999"><v>60</v></c>', b'<v>1e400</v>', b'<v>NaN</v>', b'<t>\x00</t>', b"]]>", b"<![CDATA[",
    '<sheet name="目标管理" sheetId="9" r:id="rId99"/>'.encode(), b'<dimension ref="A1:XFD1048576"/>',
]
MEMBERS = ["xl/worksheets/sheet1.xml", "xl/workbook.xml", "xl/styles.xml", "xl/_rels/workbook.xml.rels",
           "[Content_Types].xml", "xl/sharedStrings.xml"]


@st.composite
def damage(draw):
    member = draw(st.sampled_from(MEMBERS))
    edits = draw(st.lists(st.tuples(
        st.sampled_from(["replace", "cut", "repeat", "splice", "truncate"]),
        st.floats(0, 1), st.integers(1, 64), st.binary(max_size=16), st.sampled_from(SNIPPETS),
    ), min_size=1, max_size=4))
    return member, edits


def _damaged(good: Path, out: Path, member: str, edits) -> Path:
    import zipfile

    with zipfile.ZipFile(good) as zf:
        parts = {i.filename: zf.read(i.filename) for i in zf.infolist()}
    data = bytearray(parts.get(member, b""))
    for op, where, length, noise, snippet in edits:
        at = int(where * len(data))
        if op == "replace":
            data[at:at + len(noise)] = noise
        elif op == "cut":
            del data[at:at + length]
        elif op == "repeat":
            data[at:at] = data[at:at + length] * 3
        elif op == "splice":
            data[at:at] = snippet
        else:
            del data[at:]
    parts[member] = bytes(data)
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, body in parts.items():
            zf.writestr(name, body)
    return out


@pytest.fixture(scope="module")
def good_targets(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("fuzz-good")
    rows = [builders.TARGETS_HEADER] + [
        ["E901", "张伟", "华北", "销售代表", "2026-01", "销售额", 100000, "110,000", "元", "note"],
        ["E902", "王芳", "华北", "销售代表", datetime(2026, 1, 5), "新客户数", 10, 9, None, None],
    ]
    return xw_book(folder / "targets.xlsx", {"目标管理": rows, "说明": [["x"]]})


@settings(FUZZ, max_examples=int(os.environ.get("KPI_FUZZ_DAMAGE_EXAMPLES", 1_000 if DEEP else 40)))
@given(hurt=damage())
def test_damaged_packages_are_refused_or_read_never_raise(hurt, good_targets):
    member, edits = hurt
    with tempfile.TemporaryDirectory(prefix="kpi-fuzz-") as tmp:
        path = _damaged(good_targets, Path(tmp) / "damaged.xlsx", member, edits)
        data = read.load([path])
        check_report(data.report)
        assert data.files and data.files[0].status in {"read", "refused"}, data.files
        if data.files[0].status == "refused":
            assert any(i.level == "error" and i.file == "damaged.xlsx" for i in data.report.issues), data.report.issues


@pytest.fixture(scope="module")
def good_xls(good_targets, tmp_path_factory) -> Path:
    from tests.corpus.make_corpus import _soffice_convert

    return _soffice_convert(good_targets, "xls", tmp_path_factory.mktemp("fuzz-xls"))


@pytest.mark.libreoffice
@settings(FUZZ, max_examples=int(os.environ.get("KPI_FUZZ_DAMAGE_EXAMPLES", 1_000 if DEEP else 40)))
@given(flips=st.lists(st.tuples(st.floats(0, 1, exclude_max=True), st.integers(0, 255)), min_size=1, max_size=24))
def test_damaged_xls_is_refused_or_read_never_raises(flips, good_xls):
    """The legacy format: an OLE compound file with bytes flipped anywhere (headers, FAT, BIFF records)."""
    data = bytearray(good_xls.read_bytes())
    for where, byte in flips:
        data[int(where * len(data))] = byte
    with tempfile.TemporaryDirectory(prefix="kpi-fuzz-") as tmp:
        path = Path(tmp) / "damaged.xls"
        path.write_bytes(bytes(data))
        loaded = read.load([path])
        check_report(loaded.report)
        assert loaded.files and loaded.files[0].status in {"read", "refused"}, loaded.files
