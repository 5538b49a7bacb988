"""The words of the result workbook, in zh and en: sheet names, column headers, texts.

Column headers are keyed by a stable column key (``"total"``), so the sheet writers and
the tests name columns the same way whatever the language. Words for codes (status,
grade, method…) come from :mod:`kpi_engine.vocab`; only what is the result workbook's
own is here.
"""

from __future__ import annotations

from ..vocab import Lang

Pair = tuple[str, str]

SHEETS: dict[str, Pair] = {
    "overview": ("总览", "Overview"),
    "summary": ("汇总", "Summary"),
    "scores": ("明细", "Scores"),
    "monthly": ("月度", "Monthly"),
    "periods": ("周期", "Periods"),
    "teams": ("团队", "Teams"),
    "calibration": ("强制分布", "Calibration"),
    "training": ("培训", "Training"),
    "courses": ("培训课程", "Courses"),
    "before_after": ("培训前后", "Before-after"),
    "issues": ("问题", "Issues"),
    "about": ("说明", "About"),
    # Hidden: settings and tier tables that the live formulas look up.
    "params": ("参数", "Parameters"),
}
SHEET_ORDER = ("overview", "summary", "scores", "monthly", "periods", "teams", "calibration", "training", "courses", "before_after", "issues", "about", "params")

SUMMARY: dict[str, Pair] = {
    "employee_id": ("工号", "Employee ID"),
    "name": ("姓名", "Name"),
    "team": ("部门", "Team"),
    "role": ("岗位", "Role"),
    "total": ("总分", "Total"),
    "grade": ("等级", "Grade"),
    "team_rank": ("部门排名", "Team rank"),
    "overall_rank": ("总排名", "Overall rank"),
    "met": ("达标", "Met"),
    "near": ("持平", "Near"),
    "below": ("未达标", "Below"),
    "nodata": ("无数据", "No data"),
    "notes": ("备注", "Notes"),
    "flags": ("标记", "Flags"),
    "calibrated_grade": ("校准等级", "Calibrated grade"),
    "coefficient": ("系数", "Coefficient"),
    "base": ("绩效工资基数", "Pay base"),
    "months_in_post": ("在岗月数", "Months in post"),
    "pay": ("绩效工资", "Pay"),
    # hidden keys the formulas match on (numbers: exact, no wildcard or text-as-number trap)
    "person_key": ("人员序号", "Person key"),
    "team_key": ("部门序号", "Team key"),
    "in_distribution": ("计入等级分布", "In grade distribution"),
    "calibration_rank": ("校准名次", "Calibration rank"),
}

SCORES: dict[str, Pair] = {
    "employee_id": ("工号", "Employee ID"),
    "name": ("姓名", "Name"),
    "team": ("部门", "Team"),
    "role": ("岗位", "Role"),
    "category": ("类别", "Category"),
    "kpi": ("指标", "KPI"),
    "direction": ("方向", "Direction"),
    "method": ("计分方式", "Method"),
    "weight": ("权重", "Weight"),
    "target": ("目标值", "Target"),
    "actual": ("实际值", "Actual"),
    "attainment": ("完成率", "Attainment"),
    "score": ("得分", "Score"),
    "status": ("状态", "Status"),
    "note": ("备注", "Notes"),
    # grouped (collapsed) parameter columns the row's formulas read
    "cap": ("封顶", "Cap"),
    "floor": ("门槛", "Floor"),
    "tier_table": ("分段表", "Tier table"),
    "points_per_unit": ("每单位扣分", "Points per unit"),
    "step": ("扣分步长", "Step"),
    "accel_from": ("加速起点", "Accelerate from"),
    "accel_by": ("加速倍数", "Accelerate by"),
    "counted": ("有数据", "Has data"),
    "person_key": ("人员序号", "Person key"),
}

PARAMS: dict[str, Pair] = {
    "key": ("项目", "Key"),
    "value": ("值", "Value"),
    "text": ("文字值", "Text value"),
    "name": ("公式中的名称", "Name in formulas"),
    "slope": ("斜率（线性表）", "Slope (linear tables)"),
    # 强制分布 per calibration group: cumulative head counts of the first three buckets
    "cal_group": ("强制分布范围", "Calibration group"),
    "cal_scored": ("计入人数", "People counted"),
    "cal_upto1": ("第1档累计人数", "Bucket 1 up to"),
    "cal_upto2": ("第2档累计人数", "Bucket 2 up to"),
    "cal_upto3": ("第3档累计人数", "Bucket 3 up to"),
    "cal_on": ("按排名校准（1/0）", "Calibrated by rank (1/0)"),
}

MONTHLY: dict[str, Pair] = {
    "employee_id": ("工号", "Employee ID"),
    "name": ("姓名", "Name"),
    "kpi": ("指标", "KPI"),
    "scope": ("合计/平均", "Total/Mean"),
    "met_from": ("达标线", "Met from"),
    "near_from": ("持平线", "Near from"),
}

PERIODS: dict[str, Pair] = {
    "employee_id": ("工号", "Employee ID"),
    "name": ("姓名", "Name"),
    "team": ("部门", "Team"),
    "role": ("岗位", "Role"),
    "base": ("绩效工资基数", "Pay base"),
}

TEAMS: dict[str, Pair] = {
    "team": ("部门", "Team"),
    "kpi": ("指标", "KPI"),
    "aggregation": ("汇总方式", "Aggregation"),
    "target": ("目标值", "Target"),
    "actual": ("实际值", "Actual"),
    "attainment": ("完成率", "Attainment"),
    "status": ("状态", "Status"),
}
TEAM_SUMMARY: dict[str, Pair] = {
    "team": ("部门", "Team"),
    "people": ("人数", "People"),
    "scored": ("已评分", "Scored"),
    "mean_total": ("平均分", "Average total"),
    "excellent": ("优秀", "Excellent"),
    "good": ("良好", "Good"),
    "pass": ("合格", "Pass"),
    "improve": ("待改进", "Needs improvement"),
    "excellent_share": ("优秀占比", "Excellent share"),
}

TRAINING_PEOPLE: dict[str, Pair] = {
    "employee_id": ("工号", "Employee ID"),
    "name": ("姓名", "Name"),
    "team": ("部门", "Team"),
    "planned_hours": ("计划学时", "Planned hours"),
    "attended_hours": ("实到学时", "Attended hours"),
    "participation": ("参训率", "Participation"),
    "sessions_attended": ("出勤场次", "Sessions attended"),
    "sessions_planned": ("计划场次", "Sessions planned"),
    "mandatory_missed": ("必修缺勤", "Mandatory missed"),
    "pre": ("平均前测", "Mean pre-test"),
    "post": ("平均后测", "Mean post-test"),
    "improvement": ("平均提升", "Mean improvement"),
    "gain": ("平均标准化增益", "Mean normalised gain"),
    "satisfaction": ("平均满意度", "Mean satisfaction"),
    "first_session": ("首次培训", "First session"),
}
TRAINING_COURSES: dict[str, Pair] = {
    "course_id": ("课程编号", "Course ID"),
    "course": ("课程名称", "Course"),
    "category": ("类别", "Category"),
    "trainees": ("学员数", "Trainees"),
    "attendance": ("出勤率", "Attendance"),
    "pre": ("平均前测", "Mean pre-test"),
    "post": ("平均后测", "Mean post-test"),
    "improvement": ("平均提升", "Mean improvement"),
    "satisfaction": ("平均满意度", "Mean satisfaction"),
}
BEFORE_AFTER: dict[str, Pair] = {
    "employee_id": ("工号", "Employee ID"),
    "name": ("姓名", "Name"),
    "kpi": ("指标", "KPI"),
    "first_session": ("首次培训", "First session"),
    "before": ("培训前完成率", "Attainment before"),
    "after": ("培训后完成率", "Attainment after"),
    "change": ("变化", "Change"),
}

TEXTS: dict[str, Pair] = {
    # section titles
    "teams_chart_data": ("图表数据：各部门合计类指标完成率", "Chart data: attainment per team, sum KPIs"),
    "no_training": ("范围内没有培训记录。", "No training records in the scope."),
    "no_issues": ("没有发现问题。", "No problems found."),
    # charts
    "chart_totals": ("总分（按人员）", "Total score per person"),
    "chart_teams": ("各部门完成率（合计类指标）", "Attainment per team (sum KPIs)"),
    "chart_training": ("培训前测与后测（按课程）", "Pre- and post-test per course"),
    # 总览
    "overview_title": ("KPI 考核总览", "KPI overview"),
    "overview_people": ("参评 {n} 人，其中 {scored} 人有总分", "{n} people, {scored} with a total"),
    "overview_grades": ("等级分布", "Grade distribution"),
    "overview_teams": ("各部门汇总（按平均分从高到低）", "Per team, by average total"),
    "overview_top": ("总分前 {n} 名", "Top {n}"),
    "overview_bottom": ("总分后 {n} 名", "Bottom {n}"),
    "overview_red": ("未达标最多的指标", "KPIs most often below target"),
    "overview_issues": ("输入数据中的问题", "Problems in the input"),
    "ov_grade": ("等级", "Grade"),
    "ov_count": ("人数", "People"),
    "ov_share": ("占比", "Share"),
    "ov_target": ("目标占比", "Target share"),
    "ov_total": ("合计", "Total"),
    "ov_score": ("总分", "Total score"),
    "ov_over_limit": ("优秀占比超过设置的上限 {limit}", "Excellent share above the limit of {limit} in 设置"),
    "ov_team": ("部门", "Team"),
    "ov_people": ("人数", "People"),
    "ov_mean": ("平均分", "Average total"),
    "ov_scored": ("已评分", "Scored"),
    "ov_excellent_share": ("优秀占比", "Excellent share"),
    "ov_rank": ("总排名", "Rank"),
    "ov_id": ("工号", "Employee ID"),
    "ov_name": ("姓名", "Name"),
    "ov_kpi": ("指标", "KPI"),
    "ov_below": ("未达标人数", "Below"),
    "ov_with_data": ("有数据人数", "With data"),
    "ov_below_share": ("未达标占比", "Share below"),
    "ov_none": ("（无）", "(none)"),
    "ov_issues": ("错误 {error} · 警告 {warning} · 提示 {info}：点此查看“{sheet}”工作表",
                  "{error} errors · {warning} warnings · {info} info: click to open the {sheet} sheet"),
    "ov_issues_tip": ("每个问题的文件、工作表、单元格和改法", "file, sheet, cell and how to fix each problem"),
    # 汇总 备注
    "note_no_data_at_all": ("没有任何指标数据：不计总分、等级和排名", "no KPI data at all: no total, grade or rank"),
    "note_missing": ("无数据：{kpis}", "no data: {kpis}"),
    "note_left_out": ("未计入的月份（目标或实际缺失）：{months}", "months left out (target or actual missing): {months}"),
    "note_changes": ("范围内变动：{changes}", "changes in the scope: {changes}"),
    "note_incomplete": ("数据不完整", "incomplete data"),
    "note_left_out_row": ("未计入：{months}", "left out: {months}"),
    "note_calibrated": ("强制分布按排名校准：按总分为 {raw}，校准为 {grade}",
                        "forced distribution by rank: {raw} by total, calibrated to {grade}"),
    "note_over_100": ("总分超过 100：有指标完成率超过 100% 且封顶高于 100%", "total above 100: some KPIs above 100% with a cap above 100%"),
    "flag_new_hire": ("新入职", "new hire"),
    "flag_leaver": ("离职", "leaver"),
    "flag_probation": ("试用期", "on probation"),
    "period_months": ("评分月数", "Months in period"),
    "overview_calibrated": ("（强制分布校准后，见“强制分布”工作表）", " (after the forced distribution; see Calibration)"),
    # 强制分布 sheet
    "cal_title": ("强制分布 {shares}（{buckets}）· 方式：{mode} · 范围：{group} · 不足 {minimum} 人的范围只作提示",
                  "Forced distribution {shares} ({buckets}) · mode: {mode} · group: {group} · advisory under {minimum} people"),
    "cal_group": ("范围", "Group"),
    "cal_everyone": ("全部", "Everyone"),
    "cal_scored": ("计入人数", "People counted"),
    "cal_use": ("套用", "Use"),
    "cal_applied": ("已按排名校准", "calibrated by rank"),
    "cal_small": ("只作提示（不足 {minimum} 人）", "advisory (under {minimum} people)"),
    "cal_compare": ("对比（校准范围：{group}）", "comparison (calibrated over: {group})"),
    "cal_advisory": ("只作提示", "advisory"),
    "cal_target": ("目标人数", "target"),
    "cal_raw": ("按总分", "by total"),
    "cal_after": ("校准后", "calibrated"),
    "flag_reweighted": ("权重重分配", "re-weighted"),
    "summary_title": ("考核汇总　{period}　部门：{teams}　共 {n} 人", "KPI summary  {period}  Teams: {teams}  {n} people"),
    "overview_scope": ("期间 {period}　部门：{teams}", "Period {period}  Teams: {teams}"),
    "and_more": (" 等 {n} 个", " and others ({n} in all)"),
    "list_sep": ("、", ", "),
    # 周期
    "periods_title": ("各月、季度和年度的总分、等级与绩效工资　季度/年度按“{rule}”汇总（设置：周期汇总）　绩效工资＝{pay}",
                      "Total, grade and pay per month, quarter and year  Quarters and years: {rule} (setting "
                      "period_rollup)  Pay = {pay}"),
    "periods_prorate": ("×在岗月数/周期月数", "×months in post/months of the period"),
    "periods_total": ("{period}\n总分", "{period}\nTotal"),
    "periods_grade": ("{period}\n等级", "{period}\nGrade"),
    "periods_counted": ("{period}\n计入月数", "{period}\nMonths counted"),
    "periods_coefficient": ("{period}\n系数", "{period}\nCoefficient"),
    "periods_pay": ("{period}\n绩效工资", "{period}\nPay"),
    "periods_partial": ("（数据 {covered}/{length} 月）", " (data {covered}/{length} months)"),
    "periods_none": ("范围内没有可评分的月份。", "No month in the scope could be scored."),
    "periods_chart": ("部门月均分", "Average total per month"),
    "periods_chart_data": ("图表数据：各月平均总分", "Chart data: average total per month"),
    "periods_chart_link": ("↓ 部门月均分图表（表格下方）", "↓ Chart of the monthly average (below the table)"),
    "periods_all": ("全部", "All"),
    "periods_month": ("月份", "Month"),
    "part_sep": ("；", "; "),
}


def label(table: dict[str, Pair], key: str, lang: Lang) -> str:
    """The zh or en word for ``key`` in ``table``."""
    zh, en = table[key]
    return zh if lang == "zh" else en


def headers(table: dict[str, Pair], keys, lang: Lang) -> list[str]:
    return [label(table, k, lang) for k in keys]


def sheet_name(key: str, lang: Lang) -> str:
    return label(SHEETS, key, lang)


def text(key: str, lang: Lang, **params: object) -> str:
    return label(TEXTS, key, lang).format(**params)
