"""问题 (every issue, worst first) and 说明 (legend, formulas, settings, files, row counts)."""

from __future__ import annotations

from datetime import datetime

import pandas as pd
from xlsxwriter.worksheet import Worksheet

from .. import vocab
from ..core.calibration import MIN_GROUP, shares_text
from ..data import Outcome
from ..issues import ISSUE_COLUMNS
from ..models import Settings
from ..vocab import Lang
from . import labels as lb
from . import parts
from . import sheetkit as sk
from . import styles as st

# --- 问题 -----------------------------------------------------------------------------


def write_issues(sheets: list[tuple[Worksheet, parts.Part]], styles: st.Styles, outcome: Outcome, lang: Lang) -> None:
    """Every issue, worst first, on one sheet per part (parts.py: one, unless too many for a sheet)."""
    issues = outcome.report.sorted()
    for ws, part in sheets:
        _issues_sheet(ws, styles, issues[part.start:part.stop], lang)


def _issues_sheet(ws: Worksheet, styles: st.Styles, issues: list, lang: Lang) -> None:
    rows = pd.DataFrame([i.row(lang) for i in issues], columns=list(ISSUE_COLUMNS))
    levels = pd.Series([i.level for i in issues], dtype=object)
    level_fmt = levels.map(lambda lv: styles.get(status=st.LEVEL_COLOURS[lv]))
    wrap = styles.get(wrap=True)
    cols = []
    for key, (zh, en) in ISSUE_COLUMNS.items():
        head = zh if lang == "zh" else en
        if key == "level":
            cols.append(sk.Col(key, head, "str", rows[key], level_fmt))
        elif key == "message":
            cols.append(sk.Col(key, head, "str", rows[key], wrap, max_width=90))
        elif key == "value":
            cols.append(sk.Col(key, head, "str", rows[key], wrap, max_width=40))
        else:
            cols.append(sk.Col(key, head, "str", rows[key], max_width=40))
    last = sk.write_table(ws, styles, 0, 0, cols)
    layout = sk.Layout(last_row=last, last_col=len(cols) - 1, freeze_cols=1)
    sk.set_widths(ws, 0, cols, layout)
    keys = list(ISSUE_COLUMNS)
    wrapped = [keys.index("value"), keys.index("message")]
    if issues:
        sk.fit_row_heights(ws, 1, [rows[keys[j]] for j in wrapped], [layout.widths[j] for j in wrapped])
    if not issues:
        sk.check(ws, 1, 0, ws.write_string(1, 0, lb.text("no_issues", lang), styles.get(italic=True)))
    sk.finish(ws, layout)


# --- 说明 -----------------------------------------------------------------------------

_T: dict[str, tuple[str, str]] = {
    "title": ("kpi-engine 结果说明", "kpi-engine result: about this workbook"),
    "general": ("基本信息", "General"),
    "version": ("引擎版本", "Engine version"),
    "created": ("生成时间", "Created"),
    "scope": ("考核范围", "Scope"),
    "scope_value": ("{first} 至 {last}（{n} 个月：{months}）", "{first} to {last} ({n} months: {months})"),
    "people": ("人数", "People"),
    "people_value": ("{n} 人，其中 {scored} 人有总分", "{n}, of whom {scored} have a total"),
    "issues": ("问题", "Issues"),
    "issues_value": ("错误 {error}，警告 {warning}，提示 {info}（详见“{sheet}”工作表）",
                     "{error} errors, {warning} warnings, {info} info (see the {sheet} sheet)"),
    "rows": ("行数合计", "Rows in total"),
    "rows_value": ("读取 {read} = 使用 {used} + 拒绝 {rejected} + 重复 {duplicates} + 跳过 {skipped}",
                   "read {read} = used {used} + rejected {rejected} + duplicates {duplicates} + skipped {skipped}"),
    "legend": ("颜色说明", "Colour legend"),
    "formulas": ("计算公式", "Formulas in force"),
    "tiers": ("分段表", "Tier tables"),
    "settings": ("设置", "Settings in force"),
    "files": ("输入文件", "Input files"),
    "counts": ("各输入工作表行数核对（读取 = 使用 + 拒绝 + 重复 + 跳过）",
               "Rows per input sheet (read = used + rejected + duplicates + skipped)"),
    "item": ("项目", "Item"),
    "value": ("内容", "Value"),
    "file": ("文件", "File"),
    "file_status": ("状态", "Status"),
    "sha256": ("SHA-256", "SHA-256"),
    "sheets": ("识别的工作表", "Sheets recognised"),
    "sheet": ("工作表", "Sheet"),
    "kind": ("类型", "Kind"),
    "read": ("读取", "Read"),
    "used": ("使用", "Used"),
    "rejected": ("拒绝", "Rejected"),
    "duplicates": ("重复", "Duplicates"),
    "skipped": ("跳过", "Skipped"),
    "balanced": ("核对", "Check"),
    "balanced_yes": ("相符", "adds up"),
    "balanced_no": ("不相符", "does not add up"),
    "none": ("无", "none"),
    "no_files": ("（无）", "(none)"),
}
TEXT_WIDTH = 72  # column B of 说明: the long texts, wrapped
_FILE_STATUS = {"read": ("已读取", "read"), "skipped": ("已跳过", "skipped"), "refused": ("已拒绝", "refused"),
                "ignored": ("未读取（不是工作簿）", "not read (not a workbook)")}


def _t(key: str, lang: Lang, **params) -> str:
    zh, en = _T[key]
    return (zh if lang == "zh" else en).format(**params)


def _pct(v: float) -> str:
    return f"{v * 100:.10g}%"


def _num(v: float) -> str:
    return f"{v:.10g}"


def legend(settings: Settings, lang: Lang) -> list[tuple[str, str]]:
    """(status code, meaning) for the colour legend."""
    near, rmet, rnear = _pct(settings.near_from), _pct(settings.rating_met_from), _pct(settings.rating_near_from)
    if lang == "zh":
        return [
            ("met", f"绿色：完成率 ≥ 100%（等级类指标 ≥ {rmet}）"),
            ("near", f"黄色：{near} ≤ 完成率 < 100%（等级类指标 {rnear} ≤ 完成率 < {rmet}）"),
            ("below", f"红色：完成率 < {near}（等级类指标 < {rnear}）"),
            ("nodata", "无颜色、灰字：没有数据（目标或实际缺失，或没有评分）"),
        ]
    return [
        ("met", f"green: attainment ≥ 100% (rating KPIs ≥ {rmet})"),
        ("near", f"yellow: {near} ≤ attainment < 100% (rating KPIs {rnear} ≤ attainment < {rmet})"),
        ("below", f"red: attainment < {near} (rating KPIs < {rnear})"),
        ("nodata", "no colour, grey text: no data (target or actual missing, or no rating)"),
    ]


# 周期: how each month, quarter and year is scored (docs/decisions.md, "Periods").
_MONTHS_ZH = "“周期”表中每个月的总分、等级和排名都按该月单独评分（与 --period 该月的结果相同）"
_MONTHS_EN = "on Periods, each month's total, grade and ranks are that month scored alone (as --period would score it)"
_PERIODS_ZH = {
    "monthly_mean": _MONTHS_ZH + "；季度和年度按设置“周期汇总 = 月均分”：该期间有总分的各月总分的平均，四舍五入到两位小数"
                    "（“周期”表中是公式 ROUND(AVERAGE(各月总分),2)），没有总分的月份不计入；“计入月数”= 有总分的月数/期间月数",
    "cumulative": _MONTHS_ZH + "；季度和年度按设置“周期汇总 = 累计”：把该期间各月的数据合在一起评分（与 --from/--to 该期间相同）；"
                  "“计入月数”= 有总分的月数/期间月数",
}
_PERIODS_EN = {
    "monthly_mean": _MONTHS_EN + "; quarters and years by the setting period_rollup = monthly_mean: the mean of the "
                    "period's monthly totals that exist, rounded half-up to 2 decimals (a formula, ROUND(AVERAGE(month "
                    "totals),2), on Periods); a month without a total is left out; Months counted = months with a total / "
                    "months in the period",
    "cumulative": _MONTHS_EN + "; quarters and years by the setting period_rollup = cumulative: the period's months "
                  "scored together (as --from/--to over the period would); Months counted = months with a total / "
                  "months in the period",
}


def formulas_in_force(settings: Settings, lang: Lang, params_sheet: str) -> list[tuple[str, str]]:
    """The formulas of scoring.md in plain words, with the settings in force filled in."""
    s = settings
    weights = {t: getattr(s, f"weight_{t}") for t in ("manager", "peer", "self", "subordinate", "customer")}
    sep = "、" if lang == "zh" else ", "
    rater = sep.join(f"{vocab.word(vocab.RATER_TYPES, t, lang)} {_pct(w)}" for t, w in weights.items() if w > 0)
    if lang == "zh":
        lower = ("2 − 实际 ÷ 目标，最低 0" if s.lower_formula == "two_minus"
                 else "目标 ÷ 实际，不超过封顶；实际为 0（或负数）时取封顶值")
        total = ("有数据指标的得分之和 × 100 ÷ 有数据指标的权重之和（缺数据指标的权重按比例分给其他指标）"
                 if s.missing_data == "renormalize" else "各指标得分之和；缺数据的指标记 0 分")
        return [
            ("完成率（越高越好）", "实际 ÷ 目标，最低 0；目标为 0 时，实际 ≥ 0 记 100%，否则 0；目标为负数时不计算"),
            ("完成率（越低越好）", f"{lower}；目标为 0 时，实际 ≤ 0 记 100%，否则 0"),
            ("完成率（等级）", f"每月先在各评价人类型内取平均，再按评价人权重合并（{rater}），只计有评分的类型；多月取平均"),
            ("多月汇总", "合计 = 各月之和，平均 = 各月平均，期末 = 最后一个月；只计目标和实际都有的月份"),
            ("得分（完成率）", f"完成率 < 门槛 得 0 分，否则 权重 × min(完成率, 封顶)；默认封顶 {_pct(s.default_cap)}。设了加速的指标：完成率超过加速起点的部分乘以加速倍数（起点 + (完成率 − 起点) × 倍数）后再封顶"),
            ("得分（分段）", "阶梯表：权重 × 完成率达到的最高一段的得分比例；线性表：在相邻两段之间按完成率插值，最高一段以上不再增加（分段表见下）"),
            ("得分（扣分）", "权重 − 每单位扣分 × 差额 ÷ 扣分步长，最低 0；差额 = 目标 − 实际（越高越好）或 实际 − 目标（越低越好），不为负"),
            ("得分（等级）", "权重 × 综合评分"),
            ("状态", f"达标：完成率 ≥ 100%；持平：≥ {_pct(s.near_from)}；否则未达标。等级类指标：达标 ≥ {_pct(s.rating_met_from)}，持平 ≥ {_pct(s.rating_near_from)}。比较前完成率四舍五入到 6 位小数"),
            ("总分", f"{total}；四舍五入到两位小数，等级和排名都用这个两位小数的总分"),
            ("等级", f"优秀 ≥ {_num(s.excellent_from)}，良好 ≥ {_num(s.good_from)}，合格 ≥ {_num(s.pass_from)}，否则待改进"),
            ("系数与绩效工资", _pay_text(s, "zh")),
            ("强制分布", _calibration_text(s, "zh")),
            ("在岗月数", _post_text(s, "zh")),
            ("排名", "按总分从高到低，同分同名次（1、2、2、4）；部门排名在部门内排；没有任何指标数据的人不计总分、等级和排名"),
            ("周期", _PERIODS_ZH[s.period_rollup]),
            ("部门汇总", "部门成员在范围内的数据按指标的汇总方式合并后计算完成率和状态；平均分 = 成员总分的平均"),
            ("培训", "参训率 = 实到学时 ÷ 计划学时；提升 = 后测 − 前测；标准化增益 = (后测 − 前测) ÷ (100 − 前测)"),
            ("实时公式", f"“明细”的完成率、得分、状态和“汇总”的总分、等级、排名、状态计数都是公式：改动明细里的目标值或实际值，结果和颜色随之更新。公式用到的设置和分段表在深度隐藏的“{params_sheet}”工作表"),
            ("目标为 0", "目标为 0 时完成率只有 100% 或 0 两种，不反映差多少：完成率一栏显示“未超出目标 / 超出目标”（越低越好）或“达到目标 / 低于目标”（越高越好），颜色和状态照常；扣分类指标的得分按超出的数量扣分"),
            ("排序与筛选", "各表的筛选范围包括公式读取的隐藏列，按任意列排序或筛选，总分、等级和排名都不会错位"),
            ("工作表保护", "结果工作表已保护（无密码），防止误改公式；“明细”的目标值和实际值可以直接修改。筛选可直接使用；Excel 不允许在受保护的工作表上对含锁定单元格的区域排序，需要排序时请先点“审阅 → 撤销工作表保护”（无需密码）"),
        ]
    lower = ("2 − actual ÷ target, at least 0" if s.lower_formula == "two_minus"
             else "target ÷ actual, at most the cap; the cap when the actual is 0 or less")
    total = ("sum of the scores of the KPIs with data × 100 ÷ sum of their weights (the weight of KPIs without data is shared out)"
             if s.missing_data == "renormalize" else "sum of the scores; a KPI without data scores 0")
    return [
        ("Attainment (higher is better)", "actual ÷ target, at least 0; with a target of 0: 100% when the actual ≥ 0, else 0; a negative target is not scored"),
        ("Attainment (lower is better)", f"{lower}; with a target of 0: 100% when the actual ≤ 0, else 0"),
        ("Attainment (rating)", f"each month, ratings averaged within each rater type, then combined with the rater weights ({rater}) over the types that rated; months averaged"),
        ("Several months", "sum = the months added up, mean = their average, last = the latest month; only months with both a target and an actual count"),
        ("Score (ratio)", f"0 when attainment < floor, else weight × min(attainment, cap); default cap {_pct(s.default_cap)}. With an accelerator: attainment above its start counts by the multiplier (start + (attainment − start) × multiplier), then the cap"),
        ("Score (tiers)", "step tables: weight × the score fraction of the highest tier the attainment reaches; linear tables: interpolated between neighbouring tiers, flat above the top one (tier tables below)"),
        ("Score (deduction)", "weight − points per unit × shortfall ÷ step, at least 0; shortfall = target − actual (higher is better) or actual − target (lower is better), never negative"),
        ("Score (rating)", "weight × the combined rating"),
        ("Status", f"Met: attainment ≥ 100%; Near: ≥ {_pct(s.near_from)}; else Below. Rating KPIs: Met ≥ {_pct(s.rating_met_from)}, Near ≥ {_pct(s.rating_near_from)}. Attainment is rounded to 6 decimals before comparing"),
        ("Total", f"{total}; rounded half-up to 2 decimals, and grade and ranks use that rounded total"),
        ("Grade", f"Excellent ≥ {_num(s.excellent_from)}, Good ≥ {_num(s.good_from)}, Pass ≥ {_num(s.pass_from)}, else Needs improvement"),
        ("Coefficient and pay", _pay_text(s, "en")),
        ("Forced distribution", _calibration_text(s, "en")),
        ("Months in post", _post_text(s, "en")),
        ("Rank", "by total, highest first; ties share a rank (1, 2, 2, 4); team rank within the team; a person without any KPI data has no total, grade or rank"),
        ("Periods", _PERIODS_EN[s.period_rollup]),
        ("Team roll-up", "the members' rows in the scope combined with each KPI's aggregation, then attainment and status; average total = mean of the members' totals"),
        ("Training", "participation = attended hours ÷ planned hours; improvement = post − pre; normalised gain = (post − pre) ÷ (100 − pre)"),
        ("Live formulas", f"attainment, score and status on Scores, and total, grade, ranks and status counts on Summary are formulas: edit a target or actual on Scores and results and colours follow. The settings and tier tables they use are on the very hidden {params_sheet} sheet"),
        ("Target of 0", "with a target of 0, attainment is only ever 100% or 0 and says nothing about the size of the miss: the attainment cell shows 'within target / over target' (lower is better) or 'target reached / below target' (higher is better); colour and status as usual; a deduction KPI loses points per unit over the target"),
        ("Sorting and filtering", "every filter range includes the hidden columns the formulas read: sort or filter by any column and totals, grades and ranks stay with their person"),
        ("Sheet protection", "result sheets are protected without a password so that no formula is overwritten by accident; Target and Actual on Scores stay editable. Filtering works as it is; Excel does not sort ranges with locked cells on a protected sheet: to sort, use Review → Unprotect Sheet (no password)"),
    ]


def _pay_text(s: Settings, lang: Lang) -> str:
    """The pay rule in force, in words (core.pay)."""
    c = s.coefficients()
    if lang == "zh":
        coefs = "、".join(f"{vocab.word(vocab.GRADES, g, 'zh')} {_num(v)}" for g, v in c.items())
        rule = "基数 × 系数" + (" × 总分 ÷ 100" if s.pay_rule == "base_coefficient_total" else "")
        pro = " × 在岗月数 ÷ 评分月数" if s.prorate else ""
        return (f"系数按等级：{coefs}。绩效工资 = {rule}{pro}，四舍五入到两位小数；没有绩效工资基数时只显示系数。"
                "系数和绩效工资是“汇总”上的公式，随等级变化。“周期”表中每个月、季度和年度也各有系数和绩效工资，"
                "按该期间的等级和同一个基数计算（与只对该期间评分时“汇总”上的结果相同）"
                + ("：在岗月数和期间月数都只数该期间在评分范围内的月份" if s.prorate else ""))
    coefs = ", ".join(f"{vocab.word(vocab.GRADES, g, 'en')} {_num(v)}" for g, v in c.items())
    rule = "base × coefficient" + (" × total ÷ 100" if s.pay_rule == "base_coefficient_total" else "")
    pro = " × months in post ÷ months in the period" if s.prorate else ""
    return (f"coefficient by grade: {coefs}. Pay = {rule}{pro}, rounded half-up to 2 decimals; without a pay base "
            "only the coefficient shows. Coefficient and pay are formulas on Summary that follow the grade. On Periods "
            "each month, quarter and year has its own, from that period's grade and the same base (what Summary shows "
            "for a run over that period)"
            + ("; months in post and months in the period count only the period's months in the scope"
               if s.prorate else ""))


def _calibration_text(s: Settings, lang: Lang) -> str:
    """The forced distribution in force, in words (core.calibration)."""
    shares = s.forced_distribution
    if shares is None:
        return "未设置" if lang == "zh" else "none"
    pct = shares_text(shares)
    if lang == "zh":
        what = "优秀/良好+合格/待改进" if len(shares) == 3 else "优秀/良好/合格/待改进"
        where = "全部人员一起" if s.calibration_group == "all" else "每个部门分别"
        if s.calibration_mode == "advise":
            return (f"目标分布 {pct}（{what}），只作提示：在“强制分布”工作表对比各部门和全部的实际分布，"
                    "优秀比例高于目标的部门列在“问题”，等级不调整")
        return (f"目标分布 {pct}（{what}），按排名套用（{where}）：目标人数 = 比例 × 计入等级分布的人数，按最大余数法取整"
                "（余数相同的给较高一档）；按总分排名（同分同名次）依次分档，同分的人不拆开，都归入名次所在的一档"
                + ("；中间一档保留原等级，原为优秀的记良好，原为待改进的记合格" if len(shares) == 3 else "")
                + f"。不足 {MIN_GROUP} 人的范围只作提示。“汇总”的等级是按总分的原始等级，校准等级是套用后的等级，系数和绩效工资按校准等级")
    what = "Excellent / Good+Pass / Needs improvement" if len(shares) == 3 else "one per grade"
    where = "everyone ranked together" if s.calibration_group == "all" else "each team on its own"
    if s.calibration_mode == "advise":
        return (f"target distribution {pct} ({what}), advisory: the Calibration sheet compares each team's and "
                "everyone's grades with it; teams above its Excellent share are listed on Issues; no grade changes")
    return (f"target distribution {pct} ({what}), applied by rank ({where}): head counts = share × the people "
            "counted in the grade distribution, rounded by the largest remainder (an equal remainder to the better "
            "bucket); people take buckets in order of total (ties share a rank and are never split: they take the "
            "bucket their rank falls in)"
            + ("; the middle bucket keeps the raw grade, Excellent becoming Good and Needs improvement Pass"
               if len(shares) == 3 else "")
            + f". Groups under {MIN_GROUP} people are advisory only. Summary's Grade is the raw grade by total; Calibrated "
            "grade is the one applied, which coefficient and pay follow")


def _post_text(s: Settings, lang: Lang) -> str:
    probation = s.probation_months
    if lang == "zh":
        out = ("人员表有入职/离职日期时按日期，否则按此人有数据的第一个和最后一个月判断新入职、离职；在岗月数 = 评分期间内"
               "从入职月到离职月（含）的月数")
        if probation:
            out += f"；入职不满 {probation} 个月（截至期间最后一个月）标记为试用期"
            if s.probation_excluded:
                out += "，不计入部门的等级分布和优秀比例"
        return out
    out = ("joining and leaving from the Staff sheet's dates, or without them from the person's first and last "
           "month with rows; months in post = the period's months from the joining month to the leaving month, both counted")
    if probation:
        out += f"; joined less than {probation} months before the period's last month: on probation"
        if s.probation_excluded:
            out += ", left out of the teams' grade distribution and Excellent share"
    return out


def settings_in_force(settings: Settings, lang: Lang) -> list[tuple[str, str]]:
    percent = {"near_from", "rating_met_from", "rating_near_from", "default_cap", "weight_manager",
               "weight_peer", "weight_self", "weight_subordinate", "weight_customer", "excellent_max_share"}
    out = []
    for key, (zh, en) in vocab.SETTING_KEYS.items():
        v = getattr(settings, key)
        if v is None:
            shown = _t("none", lang)
        elif key in vocab.SETTING_WORDS:
            shown = vocab.word(vocab.SETTING_WORDS[key], v, lang)
        elif isinstance(v, bool):
            shown = vocab.word(vocab.YES_NO, v, lang)
        elif isinstance(v, tuple):  # 强制分布
            shown = shares_text(v)
        elif key in percent:
            shown = _pct(v)
        else:
            shown = _num(v)
        out.append((zh if lang == "zh" else en, shown))
    return out


def write_about(ws: Worksheet, styles: st.Styles, outcome: Outcome, lang: Lang, created: datetime,
                params_sheet: str) -> None:
    results = outcome.results
    settings = results.settings
    bold = styles.get(bold=True, wrap=True)
    wrap = styles.get(wrap=True)
    row = 0
    # Column A holds labels, B the long texts (wrapped) and the SHA-256; C-I the counts.
    names = [f.name for f in outcome.files] + [c.file for c in outcome.report.counts]
    first_width = min(max([24] + [sk.text_width(x) + 2 for x in names]), 50)

    def put(r: int, c: int, text: str, fmt=None) -> None:
        sk.check(ws, r, c, ws.write_string(r, c, text, fmt), "write_string")

    def section(title_key: str) -> None:
        nonlocal row
        row += 1
        put(row, 0, _t(title_key, lang), styles.get(header=True))
        put(row, 1, "", styles.get(header=True))
        row += 1

    def pairs(items, fmt_first=None) -> None:
        nonlocal row
        for a, b in items:
            put(row, 0, a, fmt_first or bold)
            put(row, 1, b, wrap)
            lines = max(sk.lines_needed(a, first_width), sk.lines_needed(b, TEXT_WIDTH))
            if lines > 1:
                sk.check(ws, row, 0, ws.set_row(row, sk.LINE_HEIGHT * lines), "set_row")
            row += 1

    put(0, 0, _t("title", lang), styles.get(title=True))
    row = 1
    section("general")
    scope = list(results.scope)
    levels = outcome.report.by_level()
    totals = {k: sum(getattr(c, k) for c in outcome.report.counts)
              for k in ("read", "used", "rejected", "duplicates", "skipped")}
    people = results.people
    pairs([
        (_t("version", lang), outcome.version or "—"),
        (_t("created", lang), created.strftime("%Y-%m-%d %H:%M")),
        (_t("scope", lang), _t("scope_value", lang, first=scope[0], last=scope[-1], n=len(scope),
                                months=("、" if lang == "zh" else ", ").join(scope)) if scope else "—"),
        (_t("people", lang), _t("people_value", lang, n=len(people), scored=int(people["total"].notna().sum()))),
        (_t("issues", lang), _t("issues_value", lang, sheet=lb.sheet_name("issues", lang),
                                **{k: levels.get(k, 0) for k in ("error", "warning", "info")})),
        (_t("rows", lang), _t("rows_value", lang, **totals)),
    ])

    section("legend")
    for code, meaning in legend(settings, lang):
        put(row, 0, vocab.word(vocab.STATUSES, code, lang), styles.get(status=code, bold=True))
        put(row, 1, meaning, wrap)
        if sk.lines_needed(meaning, TEXT_WIDTH) > 1:
            sk.check(ws, row, 0, ws.set_row(row, sk.LINE_HEIGHT * sk.lines_needed(meaning, TEXT_WIDTH)), "set_row")
        row += 1

    section("formulas")
    pairs(formulas_in_force(settings, lang, params_sheet))

    section("tiers")
    tiers = results.tiers.sort_values(["table", "from_r"], ascending=[True, False], kind="stable")
    for table, group in tiers.groupby("table", sort=False):
        linear = (group["curve"] == "linear").any()
        steps = ("；" if lang == "zh" else "; ").join(
            f"{'' if linear else '≥ '}{_pct(a)} → {_pct(b)}" for a, b in zip(group["from_r"], group["fraction"]))
        name = f"{table}（{vocab.word(vocab.CURVES, 'linear', lang)}）" if linear and lang == "zh" else \
            f"{table} ({vocab.word(vocab.CURVES, 'linear', lang)})" if linear else str(table)
        pairs([(name, steps)])
    if tiers.empty:
        pairs([(_t("none", lang), "")])

    section("settings")
    pairs(settings_in_force(settings, lang))

    section("files")
    head = styles.get(header=True)
    for j, k in enumerate(("file", "sha256", "file_status", "sheets")):
        put(row, j, _t(k, lang), head)
    row += 1
    for f in outcome.files:
        put(row, 0, f.name)
        put(row, 1, f.sha256)
        put(row, 2, _FILE_STATUS.get(f.status, (f.status, f.status))[0 if lang == "zh" else 1])
        put(row, 3, ", ".join(f.sheets))
        row += 1
    if not outcome.files:
        put(row, 0, _t("no_files", lang))
        row += 1

    row += 1
    put(row, 0, _t("counts", lang), styles.get(bold=True, bare=True))
    row += 1
    count_keys = ("file", "sheet", "kind", "read", "used", "rejected", "duplicates", "skipped", "balanced")
    counts_header = row
    for j, k in enumerate(count_keys):
        put(row, j, _t(k, lang), head)
    row += 1
    integer = styles.get("0")
    for c in outcome.report.counts:
        kind = vocab.SHEET_KIND[c.kind].label(lang) if c.kind in vocab.SHEET_KIND else c.kind
        put(row, 0, c.file)
        put(row, 1, c.sheet)
        put(row, 2, kind)
        for j, k in enumerate(("read", "used", "rejected", "duplicates", "skipped")):
            sk.check(ws, row, 3 + j, ws.write_number(row, 3 + j, getattr(c, k), integer), "write_number")
        ok = c.balanced
        put(row, 8, _t("balanced_yes" if ok else "balanced_no", lang), styles.get(status="met" if ok else "below"))
        row += 1

    widths = {0: first_width, 1: TEXT_WIDTH, 2: 12, 3: 10, 4: 10, 5: 10, 6: 10, 7: 10, 8: 14}
    layout = sk.Layout(header_row=0, last_row=row - 1, last_col=len(count_keys) - 1, widths=widths,
                       filter_row=counts_header, print_gridlines=False)
    sk.finish(ws, layout)
