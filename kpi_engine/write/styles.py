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
    ) -> Format:
        key = (num, status, bold, header, title, wrap, fill, italic)
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
        fmt = self._book.add_format(props)
        self._cache[key] = fmt
        return fmt

    def cf(self, status: str) -> Format:
        """The conditional format (dxf) that recolours a cell to ``status``."""
        found = self._cf.get(status)
        if found is None:
            found = self._book.add_format(dict(CF_COLOURS[status]))
            self._cf[status] = found
        return found

    def by_status(self, num: str | None = None) -> dict[str, Format]:
        """{status: format}, for mapping a status column to its cells' formats."""
        return {s: self.get(num, s) for s in STATUS_COLOURS}
