"""When nothing can be scored: the few causes that explain it, before the long list (issue 12).

A run that scores nothing used to say "no target row could be scored" and leave the
user to find, among dozens of follow-on errors, the one info line that mattered (the
target sheet was not recognised; it looked like a month grid). :func:`causes` reads
the loaded input and its report and names, most fundamental first, what stopped the
run: files that could not be read, no scheme, no target sheet (and what the sheets
that were there look like), every target row rejected (and for what, most often),
or no row in the months asked for. Pure: no files, only the loaded input.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

from .data import InputData
from .issues import Issue, IssueType

MAX_CAUSES = 5

FILES_REFUSED = IssueType(
    "cause_files_refused", "error",
    zh="{count} 个文件无法读取：{value}（原因见下方列表）。",
    en="{count} file(s) could not be read: {value} (reasons in the list below).",
)
NO_TARGET_SHEET = IssueType(
    "cause_no_target_sheet", "error",
    zh="没有工作表被识别为目标管理表：表名应为“目标管理”，或前 10 行中有一行表头包含 {headers_zh}。",
    en="No sheet was recognised as a target sheet: name it 目标管理 / Targets, or give it a header row "
       "(within the first 10 rows) holding {headers_en}.",
)
LOOKS_LIKE = IssueType(
    "cause_sheet_looks_like", "error",
    zh="{file} 的工作表 {sheet} 未被识别。{hint_zh}",
    en="Sheet {sheet} of {file} was not recognised.{hint_en}",
)
ALL_REJECTED = IssueType(
    "cause_all_rejected", "error",
    zh="目标管理表的 {value} 行全部被拒绝。最常见的原因：{reasons}。例如：{example_zh}",
    en="All {value} target rows were rejected. Most frequent reasons: {reasons}. For example: {example_en}",
)
NOT_IN_SCOPE = IssueType(
    "cause_not_in_scope", "error",
    zh="所选期间{scope}中没有目标行；数据中的月份：{value}。请换一个期间，或不加 --period/--from/--to。",
    en="The months asked for{scope} hold no target row; the data has: {value}. Choose other months, "
       "or leave out --period/--from/--to.",
)

# Issues that refuse a whole sheet: when one is about the only target sheet, it is the cause.
SHEET_REFUSALS = frozenset({"header_not_found", "duplicate_header", "period_missing", "year_missing", "period_conflict"})
_REFUSED_FILES = ("file_corrupt", "file_encrypted", "file_too_large", "cell_too_long", "unsupported_file")


def causes(data: InputData, scope: Sequence[str] | None = None, scope_text: str = "") -> list[Issue]:
    """Up to :data:`MAX_CAUSES` issues explaining why ``data`` gives nothing to score
    over ``scope`` (the months resolved for the run; None when not resolved yet)."""
    from . import vocab  # the vocabulary's field labels, for the header list

    issues = data.report.issues
    found: list[Issue] = []
    refused = sorted({i.file for i in issues if i.code in _REFUSED_FILES and i.file})
    if refused:
        found.append(FILES_REFUSED(value="、".join(refused), count=str(len(refused))))
    unrecognised = [i for i in issues if i.code == "sheet_unrecognised"]

    def looks_like(kind: str) -> list[Issue]:
        near = [i for i in unrecognised if dict(i.params).get("kind") == kind]
        # A grid (many month headers) first: the likeliest reason such a sheet is there.
        near.sort(key=lambda i: -int(dict(i.params).get("months", "0") or 0))
        return [LOOKS_LIKE(file=i.file, sheet=i.sheet, hint_zh=dict(i.params).get("hint_zh", ""),
                           hint_en=dict(i.params).get("hint_en", "")) for i in near]

    if data.scheme.empty:
        header = [i for i in issues if i.code in SHEET_REFUSALS and i.file and _kind_of(i, data) == "scheme"]
        found += header or looks_like("scheme") or [i for i in issues if i.code == "no_scheme"]
    counts = [c for c in data.report.counts if c.kind == "targets"]
    used = sum(c.used for c in counts)
    if not used:
        header = [i for i in issues if i.code in SHEET_REFUSALS and _kind_of(i, data) == "targets"]
        refused_sheets = {(i.file, i.sheet) for i in header}
        rejected = [c for c in counts if (c.file, c.sheet) not in refused_sheets]
        found += header
        read = sum(c.read for c in rejected)
        # Without a scheme every row is rejected: the scheme's cause above says it all.
        if read and not data.scheme.empty:
            target_files = {c.file for c in rejected}
            errors = [i for i in issues if i.level == "error" and i.file in target_files and i.code not in SHEET_REFUSALS]
            top = Counter(i.code for i in errors).most_common(3)
            reasons = "; ".join(f"{code} × {n}" for code, n in top)
            first = errors[0] if errors else None
            found.append(ALL_REJECTED(value=str(read), reasons=reasons or "—",
                                      example_zh=first.message("zh") if first else "",
                                      example_en=first.message("en") if first else ""))
        elif not read and not header:
            near = looks_like("targets")
            if near:
                found += near
            else:
                kind = vocab.SHEET_KIND["targets"]
                found.append(NO_TARGET_SHEET(headers_zh="、".join(f.zh for f in kind.required),
                                             headers_en=", ".join(f.en for f in kind.required)))
    elif scope is not None and not data.targets.empty and not set(scope) & set(data.targets["period"]):
        months = sorted(m for m in set(data.targets["period"]) if m)
        shown = "、".join(months[:12]) + (" …" if len(months) > 12 else "")
        found.append(NOT_IN_SCOPE(value=shown, scope=scope_text))
    return found[:MAX_CAUSES]


def _kind_of(issue: Issue, data: InputData) -> str:
    """The kind of sheet a header_not_found issue is about (from the counts of refused sheets)."""
    for c in data.report.counts:
        if c.file == issue.file and c.sheet == issue.sheet:
            return c.kind
    return ""
