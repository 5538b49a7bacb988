"""Any text from the input comes back from the result workbook exactly as typed (property test).

Control characters are left out: the file format stores them as ``_xHHHH_`` escapes,
which Excel decodes and openpyxl does not, so they cannot round-trip through openpyxl.
"""

from __future__ import annotations

from dataclasses import replace

import openpyxl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kpi_engine.write.workbook import write_workbook

from . import outcome_fixture as fx

BASE = fx.build()
TEXT = st.text(st.characters(blacklist_categories=("Cs", "Cc")), min_size=1, max_size=40).map(str.strip).filter(bool)
HOSTILE = st.sampled_from(["=1+1", "+cmd", "-2", "@SUM(A1)", '=HYPERLINK("http://x","y")', "_x0041_", "0012",
                           "1e5", "TRUE", "http://example.com", "  spaced  ", "<b>&amp;</b>"])


# A fifth of the profile's examples: each one writes and reads a whole workbook.
@pytest.mark.slow
@settings(max_examples=max(10, settings.default.max_examples // 5), deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(name=st.one_of(TEXT, HOSTILE), note=st.one_of(TEXT, HOSTILE), team=st.one_of(TEXT, HOSTILE))
def test_text_round_trips_as_text(tmp_path, name, note, team):
    r = BASE.results
    people, scores = r.people.copy(), r.scores.copy()
    emp = people.loc[0, "employee_id"]
    people.loc[0, ["name", "team"]] = [name, team]
    scores.loc[scores["employee_id"] == emp, ["name", "team"]] = [name, team]
    first = scores.index[scores["employee_id"] == emp][0]
    scores.loc[first, "note"] = note
    outcome = replace(BASE, results=replace(r, people=people, scores=scores))
    path = tmp_path / "text.xlsx"
    write_workbook(outcome, path)
    book = openpyxl.load_workbook(path)
    summary, detail = book["汇总"], book["明细"]
    s = next(i for i in range(3, summary.max_row + 1) if summary[f"A{i}"].value == emp)  # title, header, people
    d = next(i for i in range(2, detail.max_row + 1) if detail[f"A{i}"].value == emp)
    assert (summary[f"B{s}"].value, summary[f"C{s}"].value) == (name, team)
    assert (detail[f"B{d}"].value, detail[f"C{d}"].value) == (name, team)
    assert detail[f"O{d}"].value == note
    for cell in (summary[f"B{s}"], summary[f"C{s}"], detail[f"B{d}"], detail[f"O{d}"]):
        assert cell.data_type == "s"
