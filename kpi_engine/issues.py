"""Problems found in the input, as values: collected, never raised.

An :class:`IssueType` is defined once, next to the code that detects it, with a stable
code, a level and a message template in zh and en::

    BAD_NUMBER = IssueType("bad_number", "error",
        zh="{value} 不是数字。请填写数字，例如 120000 或 12万。",
        en="{value} is not a number. Write a number such as 120000 or 12万.")

    report.add(BAD_NUMBER(file="targets.xlsx", sheet="目标管理", cell="H17",
                          field="actual", value="十二"))

Templates may use ``{file}``, ``{sheet}``, ``{cell}``, ``{where}`` (``目标管理!H17``),
``{field}`` (the field's label in the message's language), ``{value}`` and any keyword
passed as a parameter. The exceptions at the bottom are for what stops a whole run.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Literal

from . import vocab

Level = Literal["error", "warning", "info"]
LEVEL_ORDER: dict[str, int] = {"error": 0, "warning": 1, "info": 2}

REGISTRY: dict[str, "IssueType"] = {}


@dataclass(frozen=True, slots=True)
class IssueType:
    """A kind of problem: stable code, level and message templates."""

    code: str
    level: Level
    zh: str
    en: str

    def __post_init__(self) -> None:
        known = REGISTRY.get(self.code)
        if known is not None and known != self:
            raise ValueError(f"issue code {self.code!r} defined twice with different texts")
        REGISTRY[self.code] = self

    def __call__(
        self,
        *,
        file: str = "",
        sheet: str = "",
        cell: str = "",
        field: str = "",
        value: object = "",
        level: Level | None = None,
        **params: object,
    ) -> "Issue":
        return Issue(
            code=self.code,
            level=level or self.level,
            file=str(file),
            sheet=str(sheet),
            cell=str(cell),
            field=str(field),
            value=_show(value),
            params=tuple(sorted((k, _show(v)) for k, v in params.items())),
        )


def _show(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def field_label(key: str, lang: vocab.Lang) -> str:
    """The header a person sees for a field key (``actual`` -> 实际值 / Actual)."""
    for kind in vocab.SHEET_KINDS:
        for f in kind.fields:
            if f.key == key:
                return f.label(lang)
    return key


@dataclass(frozen=True, slots=True)
class Issue:
    """One problem, located as precisely as the input allows."""

    code: str
    level: Level
    file: str = ""
    sheet: str = ""
    cell: str = ""
    field: str = ""
    value: str = ""
    params: tuple[tuple[str, str], ...] = ()

    @property
    def where(self) -> str:
        """``目标管理!H17``, or the sheet alone, or ''."""
        if self.sheet and self.cell:
            return f"{self.sheet}!{self.cell}"
        return self.sheet or self.cell

    def message(self, lang: vocab.Lang = "zh") -> str:
        kind = REGISTRY[self.code]
        template = kind.zh if lang == "zh" else kind.en
        values = {
            "file": self.file,
            "sheet": self.sheet,
            "cell": self.cell,
            "where": self.where,
            "field": field_label(self.field, lang) if self.field else "",
            "value": self.value,
            **dict(self.params),
        }
        return template.format_map(_Lenient(values))

    def record(self, lang: vocab.Lang = "zh") -> dict[str, str]:
        """The issue for a script (``--json``, ``Report.to_frame``): codes, not words, for
        level and field, so a filter such as ``level == "error"`` holds in both languages;
        the message in ``lang``."""
        return {
            "level": self.level,
            "code": self.code,
            "file": self.file,
            "sheet": self.sheet,
            "cell": self.cell,
            "field": self.field,
            "value": self.value,
            "message": self.message(lang),
        }

    def row(self, lang: vocab.Lang = "zh") -> dict[str, str]:
        """The issue as the 问题 sheet and the CLI table show it."""
        return {
            "level": vocab.word(vocab.LEVELS, self.level, lang),
            "file": self.file,
            "sheet": self.sheet,
            "cell": self.cell,
            "field": field_label(self.field, lang) if self.field else "",
            "value": self.value,
            "message": self.message(lang),
        }


class _Lenient(dict):
    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


# The keys of Issue.record: the columns of Report.to_frame and of --json's issue_list.
RECORD_COLUMNS = ("level", "code", "file", "sheet", "cell", "field", "value", "message")

# Column headers of the issues table (CLI and the 问题 sheet).
ISSUE_COLUMNS: dict[str, tuple[str, str]] = {
    "level": ("级别", "Level"),
    "file": ("文件", "File"),
    "sheet": ("工作表", "Sheet"),
    "cell": ("单元格", "Cell"),
    "field": ("字段", "Field"),
    "value": ("值", "Value"),
    "message": ("说明", "Message"),
}


@dataclass(frozen=True, slots=True)
class SheetCount:
    """Row conservation for one input sheet: read = used + rejected + duplicates + skipped.

    Frozen: the readers' counts are shared by every outcome scored from one load, so a
    run that moves rows to skipped makes new counts (``dataclasses.replace``)."""

    file: str
    sheet: str
    kind: str
    read: int = 0
    used: int = 0
    rejected: int = 0
    duplicates: int = 0
    skipped: int = 0

    @property
    def balanced(self) -> bool:
        return self.read == self.used + self.rejected + self.duplicates + self.skipped


@dataclass(slots=True)
class Report:
    """Everything a run found: the issues, and the row counts per sheet."""

    issues: list[Issue] = field(default_factory=list)
    counts: list[SheetCount] = field(default_factory=list)

    def add(self, issue: Issue) -> None:
        self.issues.append(issue)

    def extend(self, issues) -> None:
        self.issues.extend(issues)

    def by_level(self) -> Counter:
        return Counter(i.level for i in self.issues)

    @property
    def has_errors(self) -> bool:
        return any(i.level == "error" for i in self.issues)

    def sorted(self) -> list[Issue]:
        """Errors first, then by file, sheet and row order of the cell."""
        return sorted(self.issues, key=_issue_sort_key)

    def flat(self) -> list[tuple[str, str, str]]:
        """``[(sheet, cell, code)]`` — the projection tests compare."""
        return [(i.sheet, i.cell, i.code) for i in self.issues]

    def records(self, lang: vocab.Lang = "zh") -> list[dict[str, str]]:
        """Every issue as :meth:`Issue.record`, in the order of the 问题 sheet (errors first)."""
        return [i.record(lang) for i in self.sorted()]

    def to_frame(self, lang: vocab.Lang = "zh"):
        """Every issue as a pandas DataFrame, one row per issue in the order of the 问题 sheet,
        with the columns of RECORD_COLUMNS (also when there is no issue)."""
        import pandas as pd  # here, not at the top: the CLI imports this module before it needs pandas

        return pd.DataFrame(self.records(lang), columns=list(RECORD_COLUMNS)).astype(str)


def _issue_sort_key(i: Issue):
    letters = "".join(ch for ch in i.cell if ch.isalpha())
    digits = "".join(ch for ch in i.cell if ch.isdigit())
    return (LEVEL_ORDER[i.level], i.file, i.sheet, int(digits) if digits else 0, len(letters), letters, i.code)


# --- what stops a whole run ---------------------------------------------------------


class KpiEngineError(Exception):
    """Base class of the errors that stop a run; the CLI turns them into exit code 2."""

    def __init__(self, issue: Issue) -> None:
        super().__init__(issue.message("en"))
        self.issue = issue


class NothingToScoreError(KpiEngineError):
    """No input file, no usable scheme, or no target row in scope: nothing can be scored.

    ``causes``: the few issues that explain it, most fundamental first (kpi_engine.diagnose);
    ``report``: the readers' report, when the input was read, for the full list."""

    def __init__(self, issue: Issue, causes: Sequence[Issue] = (), report: Report | None = None) -> None:
        super().__init__(issue)
        self.causes = tuple(causes)
        self.report = report


class OutputError(KpiEngineError):
    """The result could not be written (read-only or full folder, output would replace an input)."""


class UsageError(KpiEngineError):
    """The command's arguments are off (bad period, --period with --from)."""
