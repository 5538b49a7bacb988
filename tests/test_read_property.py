"""Property: whatever the cells hold, the readers never crash and every row is accounted for.

Profiles come from tests/conftest.py (``ci`` by default, ``HYPOTHESIS_PROFILE=deep``); this
module writes a workbook per example, so it runs a quarter of the profile's examples.
"""

from __future__ import annotations

import datetime as dt
import tempfile
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kpi_engine.read import load
from tests.data.make_fixtures import TARGET_HEADER, assessment_form, write_xlsx

EXAMPLES = max(20, settings.default.max_examples // 4)

TEXT = st.text(alphabet=st.characters(blacklist_categories=("Cs", "Cc")), max_size=8)
ANY = st.one_of(
    st.none(),
    st.integers(-10**6, 10**9),
    st.floats(allow_nan=False, allow_infinity=False, width=32),
    st.booleans(),
    st.dates(dt.date(1900, 3, 1), dt.date(2100, 1, 1)),
    st.sampled_from(["", " ", "-", "N/A", "无", "十二", "1.2.3", "95%", "１２０", "1.2万", "¥1,000", "合计",
                     "示例", "2026.1", "=1+2", "\u3000"]),
    TEXT,
)
ROW = st.tuples(
    st.one_of(st.sampled_from(["E1", "E2", "00123", "", "合计", "Example"]), st.integers(1, 3), TEXT),  # 工号
    st.one_of(st.sampled_from(["张三", ""]), ANY),  # 姓名
    st.sampled_from(["华东", "华南", ""]),  # 部门
    st.one_of(st.sampled_from(["销售代表", "销售经理", "司机"]), ANY),  # 岗位
    st.one_of(st.sampled_from(["2026-03", "2026/4", 202605, dt.date(2026, 6, 1)]), ANY),  # 期间
    st.one_of(st.sampled_from(["销售额", "新客户数", "费用率", "核心客户保有率", "团队销售额"]), ANY),  # 指标
    ANY, ANY,  # 目标值, 实际值
    st.sampled_from(["", "%", "元"]),  # 单位
    ANY,  # 备注
)


@pytest.mark.slow
@settings(max_examples=EXAMPLES, deadline=None)
@given(rows=st.lists(ROW, max_size=12))
def test_any_cells_read_without_crash_and_rows_balance(rows):
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        write_xlsx(folder / "form.xlsx", assessment_form(评分=[["工号", "期间", "指标", "评价人类型", "评分"]]))
        write_xlsx(folder / "targets.xlsx", {"目标管理": [TARGET_HEADER, *[list(r) for r in rows]]})
        data = load([folder])
    counts = [c for c in data.report.counts if c.kind == "targets"]
    assert len(counts) == 1
    c = counts[0]
    assert c.balanced, c
    assert c.read <= len(rows)
    assert c.used == len(data.targets)
    # every rejected row stands in the issues with an error on one of its cells
    error_rows = {int("".join(ch for ch in i.cell if ch.isdigit())) for i in data.report.issues
                  if i.level == "error" and i.sheet == "目标管理" and i.cell}
    assert len(error_rows) == c.rejected
    # what was kept is well-formed
    t = data.targets
    assert (t["employee_id"] != "").all() and t["period"].str.fullmatch(r"\d{4}-(0[1-9]|1[0-2])").all()
    assert not (t.duplicated(["employee_id", "kpi", "period"])).any()
