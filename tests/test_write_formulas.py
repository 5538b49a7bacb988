"""Formula texts of 明细 and 汇总 (kpi_engine.write.formulas): functions allowed, shapes."""

from __future__ import annotations

import dataclasses
import itertools
import re

import pytest

from kpi_engine.write import formulas as fx

CELLS = fx.ScoreCells(weight="I", target="J", actual="K", attainment="L", score="M", status="N",
                      cap="P", floor="Q", points_per_unit="S", step="T")
RANGES = fx.ScoreRanges(key="'明细'!$V$2:$V$9", weight="'明细'!$I$2:$I$9", score="'明细'!$M$2:$M$9",
                        status="'明细'!$N$2:$N$9", counted="'明细'!$U$2:$U$9")
WORDS = {"met": "达标", "near": "持平", "below": "未达标", "nodata": "无数据"}
GRADES = {"excellent": "优秀", "good": "良好", "pass": "合格", "improve": "待改进"}
TIER = ("'参数'!$B$20:$B$24", "'参数'!$C$20:$C$24")
LINEAR = (*TIER, "'参数'!$E$20:$E$24")  # a 线性 table: its slopes too
ACCEL = dataclasses.replace(CELLS, accel_from="U", accel_by="V")


def every_template() -> list[str]:
    out = []
    for direction, lower in itertools.product(("higher", "lower"), ("two_minus", "inverse")):
        out.append(fx.attainment(direction, lower, CELLS))
    for method, direction, zero in itertools.product(("ratio", "tiers", "deduction", "rating"),
                                                     ("higher", "lower"), (True, False)):
        out.append(fx.score(method, direction, CELLS, zero_when_no_data=zero, tier_range=TIER))
    out.append(fx.score("tiers", "higher", CELLS, zero_when_no_data=False, tier_range=LINEAR))
    out.append(fx.score("ratio", "higher", ACCEL, zero_when_no_data=False, accelerated=True))
    out += [fx.status(True, WORDS, CELLS), fx.status(False, WORDS, CELLS), fx.counted(CELLS)]
    out += [fx.total(policy, RANGES, "$N{r}") for policy in ("renormalize", "zero")]
    out += [fx.grade("$E{r}", GRADES), fx.team_rank("$E{r}", "$O{r}", "$E$2:$E$9", "$O$2:$O$9"),
            fx.overall_rank("$E{r}", "$E$2:$E$9"), fx.status_count(RANGES, "$N{r}", "达标")]
    out.append(fx.coefficient("$F{r}", GRADES))
    out += [fx.pay(rule, prorate, "$P{r}", "$O{r}", "$E{r}", "$Q{r}")
            for rule, prorate in itertools.product(("base_coefficient", "base_coefficient_total"), (True, False))]
    return out


def functions(formula: str) -> set[str]:
    return set(re.findall(r"([A-Z][A-Z0-9.]*)\(", formula))


def test_only_excel_2010_functions_that_libreoffice_knows():
    used = set().union(*(functions(f) for f in every_template()))
    assert used <= fx.FUNCTIONS, used - fx.FUNCTIONS
    assert not used & {"XLOOKUP", "LET", "IFS", "MAXIFS", "MINIFS", "SWITCH", "FILTER", "UNIQUE", "CONCAT"}


def test_every_template_is_a_formula_for_one_row_with_balanced_parentheses():
    for template in every_template():
        assert template.startswith("=") and "{r}" in template
        assert template.count("(") == template.count(")"), template
        assert template.count('"') % 2 == 0, template


def test_fill_stamps_the_row_number_everywhere():
    assert fx.fill("=L{r}*M{r}", [2, 10]) == ["=L2*M2", "=L10*M10"]


@pytest.mark.parametrize("template, expected", [
    # scoring.md "Attainment r", one shape per direction / lower formula
    (fx.attainment("higher", "two_minus", CELLS),
     '=IF(OR(COUNT(J7:K7)<2,J7<0),"",IF(J7=0,IF(K7>=0,1,0),MAX(0,K7/J7)))'),
    (fx.attainment("lower", "two_minus", CELLS),
     '=IF(OR(COUNT(J7:K7)<2,J7<0),"",IF(J7=0,IF(K7<=0,1,0),MAX(0,2-K7/J7)))'),
    (fx.attainment("lower", "inverse", CELLS),
     '=IF(OR(COUNT(J7:K7)<2,J7<0),"",IF(J7=0,IF(K7<=0,1,0),IF(K7>0,J7/K7,P7)))'),
    # "Score s": floor and tiers on r rounded to 6 decimals; deduction steps rounded too
    (fx.score("ratio", "higher", CELLS, zero_when_no_data=False),
     '=IF(ISNUMBER(L7),IF(ROUND(L7,6)<ROUND(Q7,6),0,I7*MIN(L7,P7)),"")'),
    (fx.score("tiers", "higher", CELLS, zero_when_no_data=True, tier_range=TIER),
     "=IF(ISNUMBER(L7),I7*IFERROR(LOOKUP(ROUND(L7,6),'参数'!$B$20:$B$24,'参数'!$C$20:$C$24),0),0)"),
    # 线性: the point's fraction + (r − the point) × its slope, all read with LOOKUP
    (fx.score("tiers", "higher", CELLS, zero_when_no_data=False, tier_range=LINEAR),
     "=IF(ISNUMBER(L7),I7*IFERROR(LOOKUP(ROUND(L7,6),'参数'!$B$20:$B$24,'参数'!$C$20:$C$24)"
     "+(ROUND(L7,6)-LOOKUP(ROUND(L7,6),'参数'!$B$20:$B$24,'参数'!$B$20:$B$24))"
     "*LOOKUP(ROUND(L7,6),'参数'!$B$20:$B$24,'参数'!$E$20:$E$24),0),\"\")"),
    # accelerator: start + (r − start) × multiplier above the start, then the cap; the floor on r
    (fx.score("ratio", "higher", ACCEL, zero_when_no_data=False, accelerated=True),
     '=IF(ISNUMBER(L7),IF(ROUND(L7,6)<ROUND(Q7,6),0,I7*MIN(IF(L7>U7,U7+(L7-U7)*V7,L7),P7)),"")'),
    (fx.score("deduction", "lower", CELLS, zero_when_no_data=False),
     '=IF(ISNUMBER(L7),MAX(0,I7-S7*ROUND(MAX(0,K7-J7)/T7,6)),"")'),
    (fx.score("deduction", "higher", CELLS, zero_when_no_data=False),
     '=IF(ISNUMBER(L7),MAX(0,I7-S7*ROUND(MAX(0,J7-K7)/T7,6)),"")'),
    (fx.score("rating", "higher", CELLS, zero_when_no_data=False), '=IF(ISNUMBER(L7),I7*L7,"")'),
    # "Status"
    (fx.status(False, WORDS, CELLS),
     '=IF(ISNUMBER(L7),IF(ROUND(L7,6)>=1,"达标",IF(ROUND(L7,6)>=kpi_near_from,"持平","未达标")),"无数据")'),
    (fx.status(True, {"met": "Met", "near": "Near", "below": "Below", "nodata": "No data"}, CELLS),
     '=IF(ISNUMBER(L7),IF(ROUND(L7,6)>=kpi_rating_met_from,"Met",'
     'IF(ROUND(L7,6)>=kpi_rating_near_from,"Near","Below")),"No data")'),
])
def test_formula_shapes(template, expected):
    assert fx.fill(template, [7]) == [expected]


def test_total_renormalises_only_when_some_kpi_has_no_data():
    renorm = fx.fill(fx.total("renormalize", RANGES, "$N{r}"), [3])[0]
    assert renorm.startswith('=IF(COUNTIFS(') and "ROUND(SUMIFS('明细'!$M$2:$M$9,'明细'!$V$2:$V$9,$N3),2)" in renorm
    assert "*100/SUMIFS('明细'!$I$2:$I$9,'明细'!$V$2:$V$9,$N3,'明细'!$U$2:$U$9,1)" in renorm
    zero = fx.fill(fx.total("zero", RANGES, "$N{r}"), [3])[0]
    assert "*100/" not in zero and zero.endswith(',"",ROUND(SUMIFS(\'明细\'!$M$2:$M$9,\'明细\'!$V$2:$V$9,$N3),2))')


def test_ranks_are_competition_ranks_on_the_rounded_total():
    assert fx.fill(fx.overall_rank("$E{r}", "$E$2:$E$9"), [4]) == ['=IF(ISNUMBER($E4),RANK($E4,$E$2:$E$9,0),"")']
    team = fx.fill(fx.team_rank("$E{r}", "$O{r}", "$E$2:$E$9", "$O$2:$O$9"), [4])[0]
    assert team == '=IF(ISNUMBER($E4),COUNTIFS($O$2:$O$9,$O4,$E$2:$E$9,">"&$E4)+1,"")'


def test_words_with_quotes_are_escaped():
    words = {**WORDS, "met": 'say "hi"'}
    assert '"say ""hi"""' in fx.status(False, words, CELLS)
