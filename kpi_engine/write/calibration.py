"""强制分布 / Calibration: the target grade distribution against the grades, everyone's and
each team's (issue 10, item 4; core.calibration).

Written only when 设置 sets a 强制分布. One row per group — everyone first, then each team —
with the people counted in the grade distribution, how the distribution was used there
(applied by rank, advisory because the group is under 25, or advisory by the setting), and
per bucket the target head count, the count by total (汇总's 等级) and, when applied by
rank, the count after calibration (汇总's 校准等级). The counts are COUNTIFS over 汇总, so
they follow an edit; a count by total above its target in the top bucket is red: the
"teams above it" the distribution flags. The target head counts are the engine's values.
"""

from __future__ import annotations

import pandas as pd
from xlsxwriter.worksheet import Worksheet

from .. import vocab
from ..core.calibration import MIN_GROUP, shares_text
from ..data import Results
from ..vocab import Lang
from . import formulas as fx
from . import labels as lb
from . import sheetkit as sk
from . import styles as st
from .detail import SUMMARY_HEADER_ROW, SUMMARY_KEYS, by_rank, holds_everyone, summary_order

HEADER_ROW = 1  # a title row above


def _range(summary: str, key: str, n: int) -> str:
    c = sk.col_letter(SUMMARY_KEYS.index(key))
    first = SUMMARY_HEADER_ROW + 2
    return f"'{summary}'!${c}${first}:${c}${max(first + n - 1, first)}"


def _bucket_words(bucket: str, lang: Lang) -> list[str]:
    """The grade words a bucket counts (the middle of three: 良好 and 合格)."""
    if bucket == "middle":
        return [vocab.word(vocab.GRADES, g, lang) for g in ("good", "pass")]
    return [vocab.word(vocab.GRADES, bucket, lang)]


def bucket_label(bucket: str, lang: Lang) -> str:
    return "+".join(_bucket_words(bucket, lang))


def write_calibration(ws: Worksheet, styles: st.Styles, results: Results, lang: Lang, summary: str) -> None:
    settings = results.settings
    table = results.calibration
    shares = settings.forced_distribution
    t = lambda key, **kw: lb.text(key, lang, **kw)  # noqa: E731
    people = summary_order(results.people)
    n = len(people)
    team_key = dict(zip(pd.unique(people["team"]), range(1, n + 1)))
    rank = by_rank(settings)
    groups = list(dict.fromkeys(table["group"]))
    buckets = list(dict.fromkeys(table["bucket"]))
    per = {(g, b): r for g, b, r in zip(table["group"], table["bucket"], table.itertuples(index=False))}
    first_of = {g: per[(g, buckets[0])] for g in groups}

    # Live counts over 汇总, but for everyone in a team's workbook of --split-by team (its
    # rows are one team's): those stand as the engine's values.
    whole = holds_everyone(results)
    counted = f",{_range(summary, 'in_distribution', n)},1"
    teams_rng = _range(summary, "team_key", n)
    grade_rng = {"raw": _range(summary, "grade", n), "calibrated": _range(summary, "calibrated_grade", n)}

    def count(group: str, bucket: str, which: str) -> str:
        where = "" if group == "" else f",{teams_rng},{team_key.get(group, 0)}"
        return "=" + "+".join(f"COUNTIFS({grade_rng[which]},{fx.quote(w)}{where}{counted})"
                              for w in _bucket_words(bucket, lang))

    def use(group: str) -> str:
        row = first_of[group]
        if row.applied:
            return t("cal_applied")
        calibrated_here = (settings.calibration_group == "team") == (group != "")
        if rank and calibrated_here:
            return t("cal_small", minimum=MIN_GROUP)
        if rank:
            return t("cal_compare", group=vocab.word(vocab.CALIBRATION_GROUPS, settings.calibration_group, lang))
        return t("cal_advisory")

    cols = [
        sk.Col("group", t("cal_group"), "str", [t("cal_everyone") if g == "" else g for g in groups]),
        sk.Col("scored", t("cal_scored"), "num", [float(first_of[g].scored) for g in groups], styles.get("0"), num="0"),
        sk.Col("use", t("cal_use"), "str", [use(g) for g in groups], styles.get(wrap=True), max_width=30),
    ]
    kinds = [("target", t("cal_target")), ("raw", t("cal_raw"))] + ([("calibrated", t("cal_after"))] if rank else [])
    for b, share in zip(buckets, shares):
        name = bucket_label(b, lang)
        for kind, word in kinds:
            header = f"{name}\n{word}" + (f"（{share:.0%}）" if kind == "target" and lang == "zh" else
                                           f" ({share:.0%})" if kind == "target" else "")
            saved = [float(getattr(per[(g, b)], kind)) for g in groups]
            if kind == "target":
                cols.append(sk.Col(f"{b}_{kind}", header, "num", saved, styles.get("0"), num="0"))
                continue
            live = [g != "" or whole for g in groups]
            values = [count(g, b, kind) if ok else v for g, ok, v in zip(groups, live, saved)]
            fmt = styles.get("0", bold=kind == "calibrated")
            cols.append(sk.Col(f"{b}_{kind}", header, "mixed", values, fmt, saved=saved, num="0"))
    title = t("cal_title", shares=shares_text(shares), minimum=MIN_GROUP,
              buckets=" / ".join(bucket_label(b, lang) for b in buckets),
              mode=vocab.word(vocab.CALIBRATION_MODES, settings.calibration_mode, lang),
              group=vocab.word(vocab.CALIBRATION_GROUPS, settings.calibration_group, lang))
    sk.check(ws, 0, 0, ws.write_string(0, 0, title, styles.get(title=True)), "title")
    last_row = sk.write_table(ws, styles, HEADER_ROW, 0, cols)
    layout = sk.Layout(header_row=HEADER_ROW, title_rows=HEADER_ROW, last_row=last_row, last_col=len(cols) - 1,
                       freeze_cols=1)
    sk.set_widths(ws, 0, cols, layout)
    for c in range(3, len(cols)):
        layout.widths[c] = max(layout.widths.get(c, 0), 9)
    if groups:
        # The top bucket by total above its target: the group is above the distribution.
        target_col, raw_col = 3, 4
        first, last = HEADER_ROW + 1, last_row
        a, b = sk.col_letter(target_col), sk.col_letter(raw_col)
        rc = ws.conditional_format(first, raw_col, last, raw_col, {
            "type": "formula", "criteria": f"=${b}{first + 1}>${a}{first + 1}",
            "format": styles.get(status="below", header=False)})
        sk.check(ws, first, raw_col, rc, "conditional_format")
    sk.finish(ws, layout)
