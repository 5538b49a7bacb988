"""Cell formats of the result workbook: Excel's Good / Neutral / Bad colours, number formats.

xlsxwriter makes one style record per ``add_format`` call, so every format is made once
and cached by its properties (:meth:`Styles.get`); the sheet writers ask for
``styles.get(num=PERCENT, status="met")`` as often as they like.
"""

from __future__ import annotations

from xlsxwriter.format import Format
from xlsxwriter.workbook import Workbook

# outputs.md, "Colours": Excel's own Good / Neutral / Bad cell styles.
STATUS_COLOURS: dict[str, dict[str, str]] = {
    "met": {"bg_color": "#C6EFCE", "font_color": "#006100"},
    "near": {"bg_color": "#FFEB9C", "font_color": "#9C5700"},
    "below": {"bg_color": "#FFC7CE", "font_color": "#9C0006"},
    "nodata": {"font_color": "#808080"},  # no fill, grey text
}
# Conditional formats must also clear a fixed fill when a cell turns 无数据; a dxf cannot
# say "no fill", so the rule paints white (what an unfilled cell looks like).
CF_COLOURS: dict[str, dict[str, str]] = {
    **{k: v for k, v in STATUS_COLOURS.items() if k != "nodata"},
    "nodata": {"bg_color": "#FFFFFF", "font_color": "#808080"},
}
# Grades on 汇总 and 总览: Excel's Good green, a light blue, Neutral yellow, Bad red.
GRADE_COLOURS: dict[str, dict[str, str]] = {
    "excellent": {"bg_color": "#C6EFCE", "font_color": "#006100"},
    "good": {"bg_color": "#DDEBF7", "font_color": "#1F4E78"},
    "pass": {"bg_color": "#FFEB9C", "font_color": "#9C5700"},
    "improve": {"bg_color": "#FFC7CE", "font_color": "#9C0006"},
}
LEVEL_COLOURS: dict[str, str] = {"error": "below", "warning": "near", "info": "nodata"}

# Number formats (outputs.md: attainment as a percent, scores and totals two decimals).
PERCENT = "0.0%"
POINTS = "0.00"
INTEGER = "#,##0"
DECIMAL = "#,##0.0##"  # a non-integer target or actual: up to 3 decimals, no stray "."
HOURS = "0.0"
SIGNED = "+0.0;-0.0;0.0"
SIGNED_PERCENT = "+0.0%;-0.0%;0.0%"
GENERAL = None

HEADER_FILL = "#DDEBF7"
BORDER = "#BFBFBF"

# A target of 0 makes r 0% or 100% whatever the size of the miss (scoring.md, "Attainment
# r"): such cells show what r means instead of a percentage (docs/decisions.md, "Target 0").
ZERO_TARGET_WORDS: dict[tuple[str, str], tuple[str, str]] = {
    ("lower", "zh"): ("未超出目标", "超出目标"),
    ("lower", "en"): ("within target", "over target"),
    ("higher", "zh"): ("达到目标", "低于目标"),
    ("higher", "en"): ("target reached", "below target"),
}


def zero_target_format(direction: str, lang: str) -> str:
    """The number format of an attainment whose target is 0: a word for r = 1 and for r = 0."""
    good, bad = ZERO_TARGET_WORDS[(direction if direction == "lower" else "higher", lang)]
    return f'[=1]"{good}";"{bad}"'


class Styles:
    """One workbook's formats, made on first use and cached."""

    def __init__(self, book: Workbook) -> None:
        self._book = book
        self._cache: dict[tuple, Format] = {}
        self._cf: dict[str, Format] = {}

    def get(
        self,
        num: str | None = None,
        status: str | None = None,
        *,
        bold: bool = False,
        header: bool = False,
        title: bool = False,
        wrap: bool = False,
        fill: str | None = None,
        italic: bool = False,
        unlocked: bool = False,
        center: bool = False,
        bare: bool = False,
    ) -> Format:
        """A cached format. Table cells get a thin grey border (the sheets print without
        gridlines, so that a chart in the print area sits on white); ``title`` and ``bare``
        formats have none."""
        key = (num, status, bold, header, title, wrap, fill, italic, unlocked, center, bare)
        found = self._cache.get(key)
        if found is not None:
            return found
        props: dict[str, object] = {}
        if num:
            props["num_format"] = num
        if status:
            props.update(STATUS_COLOURS[status])
            if status != "nodata":
                props["pattern"] = 1
        if header:
            props.update(bold=True, bg_color=HEADER_FILL, pattern=1, bottom=1, text_wrap=True, valign="vcenter")
        if title:
            props.update(bold=True, font_size=13)
        if bold:
            props["bold"] = True
        if wrap:  # wrapped text reads from the top of a tall row
            props.update(text_wrap=True, valign="top")
        if fill:
            props.update(bg_color=fill, pattern=1)
        if italic:
            props.update(italic=True, font_color="#595959")
        if unlocked:  # editable on a protected sheet (明细's 目标值 / 实际值: the what-if path)
            props["locked"] = False
        if center:
            props["align"] = "center"
        if not (title or bare or italic):
            props.update(border=1, border_color=BORDER)
        fmt = self._book.add_format(props)
        self._cache[key] = fmt
        return fmt

    def grade(self, grade: str) -> Format:
        """A grade's fixed fill (a reader that ignores conditional formats still shows it)."""
        key = ("grade", grade)
        found = self._cache.get(key)
        if found is None:
            found = self._cache[key] = self._book.add_format(
                {**GRADE_COLOURS[grade], "pattern": 1, "bold": True, "border": 1, "border_color": BORDER})
        return found

    def grade_cf(self, grade: str) -> Format:
        """The conditional format that recolours a grade cell when its formula changes."""
        return self._dxf(f"grade:{grade}", GRADE_COLOURS[grade])

    def cf(self, status: str) -> Format:
        """The conditional format (dxf) that recolours a cell to ``status``."""
        return self._dxf(status, CF_COLOURS[status])

    def _dxf(self, key: str, props: dict[str, str]) -> Format:
        found = self._cf.get(key)
        if found is None:
            found = self._cf[key] = self._book.add_format(dict(props))
        return found

    def by_status(self, num: str | None = None) -> dict[str, Format]:
        """{status: format}, for mapping a status column to its cells' formats."""
        return {s: self.get(num, s) for s in STATUS_COLOURS}
