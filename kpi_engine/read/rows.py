"""Rows of one kind of sheet, gathered from every file, with their fate and their problems.

:class:`Rows` holds the raw cells of every sheet of one kind in one frame, each row
knowing its file, sheet and Excel row, and a status: ``ok`` (used), ``rejected``,
``duplicate`` or ``skipped`` — the four terms of the row count (inputs.md, "Counts").
Checks mark rows by boolean masks; issues are made only for the rows a mask selects.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import pandas as pd

from .. import vocab
from ..issues import Issue, IssueType, SheetCount
from .sheets import Sheet
from .values import Numbers, Periods, clean_text, on_distinct, parse_numbers, parse_periods, word_lookup

OK, REJECTED, DUPLICATE, SKIPPED = "ok", "rejected", "duplicate", "skipped"
STATUS_DTYPE = pd.CategoricalDtype([OK, REJECTED, DUPLICATE, SKIPPED])
MAX_NUMBER, MIN_NUMBER = 1e15, 1e-9  # magnitudes a KPI sheet can hold

EXAMPLE_ROWS = IssueType(
    "example_row", "warning",
    zh="{where}：模板的示例行（{value}）未读取，共 {count} 行。请删除示例行。",
    en="{where}: the template's example rows ({value}) were not read, {count} row(s). Delete the example rows.",
)
NO_ID_ROW = IssueType(
    "row_without_id", "warning",
    zh="{where}：这一行有内容但没有{field}（如合计行或备注），已跳过。如果是数据，请补上{field}。",
    en="{where}: this row has content but no {field} (a totals row or a note?); skipped. If it is data, fill in {field}.",
)
TOTAL_ROW = IssueType(
    "total_row", "warning",
    zh="{where}：{value} 行是合计行，已跳过（合计由程序计算）。",
    en="{where}: the {value} row is a totals row; skipped (the engine computes totals).",
)
MISSING_VALUE = IssueType(
    "missing_value", "error",
    zh="{where}：{field}不能为空。请填写后重新运行；这一行未使用。",
    en="{where}: {field} must not be blank. Fill it in and run again; this row was not used.",
)
FORMULA_NO_VALUE = IssueType(
    "formula_no_value", "error",
    zh="{where}：公式没有保存计算结果（文件由程序生成、未在 Excel 中打开过）。请在 Excel 中打开并保存，或把公式粘贴为数值。",
    en="{where}: the formula has no saved result (the file was written by a program and never opened in Excel). Open and save it in Excel, or paste the values.",
)
FORMULA_NOT_RECALCULATED = IssueType(
    "formula_not_recalculated", "error",
    zh="{where}：该工作簿标记为“打开时重新计算”，公式保存的值不可信。请在 Excel 中打开并保存，或把公式粘贴为数值。",
    en="{where}: the workbook is flagged for recalculation on open, so the formula's saved value cannot be trusted. Open and save it in Excel, or paste the values.",
)
DUPLICATE_ROW = IssueType(
    "duplicate_row", "info",
    zh="{where}：与 {other} 完全相同（{key}），只计一次。",
    en="{where}: identical to {other} ({key}); counted once.",
)
CONFLICTING_ROWS = IssueType(
    "conflicting_rows", "error",
    zh="{where}：{key} 出现多次且内容不同（{other}），这些行都未使用。请只保留正确的一行。",
    en="{where}: {key} appears more than once with different values ({other}); none of these rows was used. Keep only the right one.",
)
# Fields that say who or what a row is: compared as NFKC text (issue 12), so that
# Ｅ０００１ and E0001, or 销售额 typed with a full-width space, are one key.
KEY_FIELDS = frozenset({"employee_id", "name", "team", "role", "kpi", "rater", "course_id", "course",
                        "tier_table", "table", "category"})

BAD_NUMBER = IssueType(
    "bad_number", "error",
    zh="{where}：{value} 不是数字。请填写数字，例如 120000、12万 或 95%；没有数据请留空；这一行未使用。",
    en="{where}: {value} is not a number. Write a number such as 120000, 12万 or 95%; leave it blank when there is no data; this row was not used.",
)
BAD_PERIOD = IssueType(
    "bad_period", "error",
    zh="{where}：{value} 不是月份。请写成 2026-03、2026/3、2026年3月 或 202603；这一行未使用。",
    en="{where}: {value} is not a month. Write it as 2026-03, 2026/3, 2026年3月 or 202603; this row was not used.",
)
IMPOSSIBLE_DATE = IssueType(
    "impossible_date", "error",
    zh="{where}：{value} 不是真实的日期（这个月没有这一天）。请改正日期，例如 2026-02-28，或只写月份 2026-02；这一行未使用。",
    en="{where}: {value} is not a real date (the month has no such day). Correct the date, e.g. 2026-02-28, or write the month alone, 2026-02; this row was not used.",
)
PERIOD_DECIMAL = IssueType(
    "period_decimal", "error",
    zh="{where}：{value} 是小数，无法判断月份（2026.1 是 1 月还是 10 月？）。请把单元格设为文本并写成 2026-01 或 2026-10；这一行未使用。",
    en="{where}: {value} is a decimal number, which is ambiguous (is 2026.1 January or October?). Format the cell as text and write 2026-01 or 2026-10; this row was not used.",
)
BAD_WORD = IssueType(
    "bad_word", "error",
    zh="{where}：{field}不能是 {value}，可选：{allowed}。这一行未使用。",
    en="{where}: {field} cannot be {value}; use one of: {allowed}. This row was not used.",
)
OUT_OF_RANGE = IssueType(
    "out_of_range", "error",
    zh="{where}：{field} {value} 超出范围（{range}）。请更正；这一行未使用。",
    en="{where}: {field} {value} is out of range ({range}). Correct it; this row was not used.",
)

EXAMPLE_PREFIXES = ("示例", "example", "例：", "例:")
TOTAL_WORDS = frozenset({"合计", "总计", "小计", "共计", "total", "subtotal", "sum", "总和"})


class Rows:
    """Every row of one kind of sheet, from every file, in file then row order."""

    def __init__(self, kind: vocab.SheetKind, sheets: list[Sheet]):
        self.kind = kind
        self.sheets = {s.sid: s for s in sheets}
        self.df = _gather(kind, sheets)
        # Formula cells without a trusted value are few: a field's mask is kept only when
        # some sheet has one (not two columns of a million False per field).
        self._formula_masks: dict[tuple[str, str], np.ndarray] = {}
        for attr in ("untrusted", "novalue"):
            for fl in kind.fields:
                parts = [getattr(s, attr).get(fl.key) for s in sheets]
                if any(m is not None for m in parts):
                    self._formula_masks[(attr, fl.key)] = np.concatenate(
                        [m if m is not None else np.zeros(len(s.raw), dtype=bool) for m, s in zip(parts, sheets)])
        # Cells of their own (a month grid reshaped, sheets.Sheet.cells): field → (has one, the cell).
        self._own_cells: dict[str, tuple[np.ndarray, np.ndarray]] = {}
        for fl in kind.fields:
            parts = [s.cells.get(fl.key) for s in sheets]
            if any(p is not None for p in parts):
                cells = np.concatenate([p if p is not None else np.full(len(s.raw), "", dtype=object)
                                        for p, s in zip(parts, sheets)])
                has = np.concatenate([np.full(len(s.raw), p is not None) for p, s in zip(parts, sheets)])
                self._own_cells[fl.key] = has, cells
        # Categorical: `status == OK` compares small codes, not a million Python strings.
        self.status = pd.Series(OK, index=self.df.index, dtype=STATUS_DTYPE)
        refused = [sid for sid, s in self.sheets.items() if s.refused]
        self._refused = self.df["_sid"].isin(refused)
        self.status[self._refused] = REJECTED
        self.issues: list[Issue] = []
        self._text: dict[str, pd.Series] = {}
        self._blank: dict[str, pd.Series] = {}
        self._codes: dict[str, tuple | None] = {}
        self._text_distinct: dict[str, pd.Series] = {}
        # The sheets' own (codes, distinct values) of text columns, joined: the column is
        # then never hashed again here (sheets.Sheet.distinct).
        parts_of = {fl.key: [s.distinct.get(fl.key) for s in sheets] for fl in kind.fields}
        for key, parts in parts_of.items():
            if sheets and len(self.df) >= 256 and all(p is not None for p in parts):
                merged, uniques = pd.factorize(np.concatenate([u for _, u in parts]))
                offsets = np.cumsum([0] + [len(u) for _, u in parts[:-1]])
                codes = np.concatenate([merged[c + off] for (c, _), off in zip(parts, offsets)])
                self._codes[key] = _small(codes), pd.Series(uniques, dtype=object)
        # The sheets' cells now live in self.df: let the sheets' own copies go, so that a
        # million rows are not held twice while they are checked (bench/memory.py). A
        # copy, not ``raw.iloc[:0]``: that is a view, which keeps the whole block alive.
        for s in sheets:
            s.raw, s.distinct, s.cells = s.raw.iloc[:0].copy(), {}, {}

    def drop_cells(self) -> None:
        """Let the raw cells and their cleaned views go, once every check is made: only
        where each row is from (file, sheet, row) and its status stay, for the counts.
        The cells of a million rows are most of what reading holds (bench/memory.py)."""
        self.df = self.df[["file", "sheet", "row", "_sid"]]
        self._text, self._blank, self._codes, self._text_distinct = {}, {}, {}, {}
        self._formula_masks = {}

    def untrusted(self, key: str) -> pd.Series:
        """Formula cells of ``key`` whose saved value cannot be used."""
        return self._formula_mask("untrusted", key)

    def novalue(self, key: str) -> pd.Series:
        """Formula cells of ``key`` with no saved value at all."""
        return self._formula_mask("novalue", key)

    def _formula_mask(self, attr: str, key: str) -> pd.Series:
        m = self._formula_masks.get((attr, key))
        return pd.Series(m if m is not None else False, index=self.df.index, dtype=bool)

    # --- cached column views (each raw column is cleaned once, however many checks read it) ---

    def text(self, key: str) -> pd.Series:
        """The column as trimmed, whitespace-folded text."""
        if key not in self._text:
            d = self._clean_distinct(key)
            self._text[key] = clean_text(self.df[key], key in KEY_FIELDS) if d is None else self._spread(d[1], d[0])
        return self._text[key]

    def _distinct(self, key: str):
        """(codes, distinct values) of a raw column holding text only, else None.

        A KPI sheet repeats a few thousand ids, names, KPIs and months over a million
        rows: every parse of such a column runs on its distinct values, then is spread
        back by integer codes. Text only, because to a hash table 1, 1.0 and True are one
        key but not one cell."""
        if key not in self._codes:
            arr = self.df[key].to_numpy(dtype=object)
            got = None
            if len(arr) >= 256 and pd.api.types.infer_dtype(arr, skipna=False) == "string":
                codes, uniques = pd.factorize(arr)
                got = _small(codes), pd.Series(uniques, dtype=object)
            self._codes[key] = got
        return self._codes[key]

    def _clean_distinct(self, key: str):
        """(codes, cleaned text of each distinct value), or None (see :meth:`_distinct`)."""
        d = self._distinct(key)
        if d is None:
            return None
        if key not in self._text_distinct:
            self._text_distinct[key] = clean_text(d[1], key in KEY_FIELDS)
        return d[0], self._text_distinct[key]

    def _spread(self, values: pd.Series, codes: np.ndarray) -> pd.Series:
        """Per-distinct-value results → one per row."""
        return pd.Series(values.to_numpy()[codes], index=self.df.index, dtype=values.dtype)

    def text_map(self, key: str, fn) -> pd.Series:
        """``fn`` (vectorised over a Series of cleaned text) applied to the column's text."""
        d = self._clean_distinct(key)
        if d is None:
            return on_distinct(self.text(key), fn)
        return self._spread(fn(d[1]), d[0])

    def blank(self, key: str) -> pd.Series:
        # The cleaned text is empty exactly for blank cells (nothing, spaces, NaN), and the
        # checks want that text anyway: one pass over the column serves both.
        if key not in self._blank:
            d = self._clean_distinct(key)
            if d is None:
                self._blank[key] = (self.text(key) == "") | self.df[key].isna()  # (NaN's text is "nan")
            else:
                self._blank[key] = self._spread(d[1] == "", d[0])
        return self._blank[key]

    # --- locating ------------------------------------------------------------------

    def cells(self, field: str, mask=None) -> pd.Series:
        """Excel cell references (``H17``) of ``field`` for the rows of ``mask``."""
        index = self.df.index
        sid, row = self.df["_sid"].to_numpy(dtype=np.int64), self.df["row"].to_numpy(dtype=np.int64)
        if mask is not None:
            at = np.flatnonzero(pd.Series(mask, index=index).to_numpy(dtype=bool))
            index, sid, row = index[at], sid[at], row[at]
        if len(index) == 0:
            return pd.Series("", index=index, dtype=object)
        # A field without a column in that sheet has no cell to name ("").
        letter_of = {s_id: s.letters.get(field, "") for s_id, s in self.sheets.items()}
        letters = sorted(set(letter_of.values()))
        code_of = np.zeros(max(letter_of) + 1, dtype=np.int64)
        for s_id, letter in letter_of.items():
            code_of[s_id] = letters.index(letter)
        letter = code_of[sid]
        # Every month's file repeats the same cells (H2 … H75001): each distinct one is
        # named once, then spread back.
        base = int(row.max()) + 1
        codes, uniques = pd.factorize(letter * base + row)
        u_letter, u_row = np.divmod(uniques, base)
        names = np.array([f"{letters[c]}{r}" if letters[c] else "" for c, r in zip(u_letter.tolist(), u_row.tolist())],
                         dtype=object)
        out = names[codes]
        own = self._own_cells.get(field)
        if own is not None:
            pos = index.to_numpy()
            out = np.where(own[0][pos], own[1][pos], out)
        return pd.Series(out, index=index, dtype=object)

    def per_sheet(self, attr) -> pd.Series:
        """A per-sheet fact (``attr(sheet)``) spread over the rows, via a dict map (no per-row Python)."""
        return self.df["_sid"].map({sid: attr(s) for sid, s in self.sheets.items()})

    def has_column(self, field: str) -> bool:
        return any(field in s.letters for s in self.sheets.values())

    @property
    def checkable(self) -> pd.Series:
        """Rows whose cells are still checked: live ones, and ones already rejected for another
        cell (so that HR sees every problem of a row at once) — not skipped rows, duplicates or
        rows of a refused sheet."""
        return ((self.status == OK) | (self.status == REJECTED)) & ~self._refused

    @property
    def live(self) -> pd.Series:
        """Rows still in play (neither rejected, skipped nor a duplicate)."""
        return self.status == OK

    # --- marking ---------------------------------------------------------------------

    def flag(self, mask, issue: IssueType, field: str = "", value=None, *, status: str | None = REJECTED,
             **params) -> None:
        """One issue per row of ``mask``; the rows take ``status`` (None: keep their status).

        ``value`` is a Series aligned with the frame (the value shown), or None for the
        raw cell of ``field``. ``params`` values may be Series too (one value per row)."""
        mask = pd.Series(mask, index=self.df.index).eq(True)  # NaN and None are False
        if not mask.any():
            return
        sub = self.df[mask]
        cells = self.cells(field, mask) if field else pd.Series("", index=sub.index)
        if value is None:
            shown = clean_text(sub[field]) if field else pd.Series("", index=sub.index)
        else:
            shown = pd.Series(value, index=self.df.index)[mask]
        per_row = {k: (v[mask] if isinstance(v, pd.Series) else None) for k, v in params.items()}
        fixed = {k: v for k, v in params.items() if not isinstance(v, pd.Series)}
        for i, (idx, file, sheet, cell, val) in enumerate(
            zip(sub.index, sub["file"], sub["sheet"], cells, shown)
        ):
            extra = {k: s.iloc[i] for k, s in per_row.items() if s is not None}
            self.issues.append(issue(file=file, sheet=sheet, cell=cell, field=field, value=val, **fixed, **extra))
        if status is not None:
            self.status[mask] = status

    # --- common checks --------------------------------------------------------------

    def skip_non_rows(self, id_field: str) -> None:
        """Example rows, totals rows and rows without their identifying cell → skipped (warnings)."""
        ids = self.text(id_field)
        example = self.live & self.text_map(id_field, lambda u: u.str.casefold().str.startswith(EXAMPLE_PREFIXES))
        for first_field in [f.key for f in self.kind.required][:1]:
            if first_field != id_field:
                example |= self.live & self.text_map(first_field,
                                                     lambda u: u.str.casefold().str.startswith(EXAMPLE_PREFIXES))
        if example.any():
            # One warning per sheet: the rows are the template's, not HR's.
            for sid, grp in self.df[example].groupby("_sid", sort=True):
                first = grp.index[0]
                s = self.sheets[sid]
                rows = grp["row"].tolist()
                self.issues.append(EXAMPLE_ROWS(
                    file=s.file, sheet=s.name, cell=self.cells(id_field, self.df.index == first).iloc[0],
                    field=id_field, value=_ranges(rows), count=len(rows),
                ))
            self.status[example] = SKIPPED
        total = self.live & self.text_map(
            id_field, lambda u: u.str.casefold().str.replace(r"[\s:：]", "", regex=True).isin(TOTAL_WORDS))
        self.flag(total, TOTAL_ROW, id_field, status=SKIPPED)
        no_id = self.live & (ids == "") & ~self.untrusted(id_field)
        self.flag(no_id, NO_ID_ROW, id_field, status=SKIPPED)

    def reject_formulas(self, fields) -> None:
        """Formula cells without a trusted saved value reject their row (inputs.md, "Formulas")."""
        for key in fields:
            m = self.checkable & self.untrusted(key)
            if not m.any():
                continue
            novalue = self.novalue(key)
            self.flag(m & novalue, FORMULA_NO_VALUE, key, "", status=None)
            self.flag(m & ~novalue, FORMULA_NOT_RECALCULATED, key, "", status=None)
            self.status[m] = REJECTED

    def require(self, fields) -> None:
        """Required text cells left blank → error on the cell, row rejected."""
        for key in fields:
            m = self.checkable & self.blank(key) & ~self.untrusted(key)
            self.flag(m, MISSING_VALUE, key, "", status=None)
            self.status[m] = REJECTED

    def dedupe(self, key_cols: list[str], value_cols: list[str], parsed: pd.DataFrame, key_label) -> None:
        """Same key twice (in one file or across files): identical values → kept once (info);
        different values → every row of the key rejected (error). Never summed."""
        live = np.flatnonzero(self.live.to_numpy())
        if len(live) < 2:
            return
        # Which live rows share a key, on integer codes one column at a time: no copy of
        # the key and value columns of every row (a million rows, most of them unique).
        dup_key = duplicated_rows(parsed[k].to_numpy()[live] for k in key_cols)  # one column gathered at a time
        if not dup_key.any():
            return
        grp = parsed.loc[parsed.index[live[dup_key]], key_cols + value_cols]
        # NaN equals NaN here: a blank written twice is the same blank.
        filled = grp[value_cols].astype(object).where(grp[value_cols].notna(), "\x00nan")
        nvals = filled.astype(str).groupby([grp[k] for k in key_cols], sort=False, dropna=False).transform("nunique")
        conflict = (nvals > 1).any(axis=1)
        keyframe = grp[key_cols]
        # Other rows are named by the cell of their key's first column: 目标管理!A48 (file).
        index_mask = self.df.index.isin(grp.index)
        where = (self.df.loc[grp.index, "sheet"].astype(str) + "!" + self.cells(key_cols[0], index_mask)
                 + " (" + self.df.loc[grp.index, "file"].astype(str) + ")")
        # For each row, the other rows of its key, for the message.
        gid = keyframe.groupby(key_cols, sort=False, dropna=False).ngroup()
        first_of = where.groupby(gid).transform("first")
        # The full list only for conflicts (rarer): a file dropped twice makes a million identical pairs.
        joined = where[conflict].groupby(gid[conflict]).agg(", ".join)
        all_of = gid[conflict].map(joined)
        keytext = key_label(grp)
        ids = self.df.index
        first = ~grp.duplicated(key_cols, keep="first")
        same = ~conflict
        dup_rows = (same & ~first).reindex(ids, fill_value=False)
        self.flag(dup_rows, DUPLICATE_ROW, self.kind.fields[0].key, value=keytext.reindex(ids, fill_value=""),
                  status=DUPLICATE, other=first_of.reindex(ids), key=keytext.reindex(ids))
        # A conflict is reported on the first column whose values differ (实际值 → H17).
        first_diff = (nvals > 1).idxmax(axis=1)
        fields = {f.key for f in self.kind.fields}
        for col in value_cols:
            bad = (conflict & (first_diff == col)).reindex(ids, fill_value=False)
            if not bad.any():
                continue
            name = col.lstrip("_").removesuffix("_raw").removesuffix("_pct").removesuffix("_text")
            field = name if name in fields else self.kind.fields[0].key
            self.flag(bad, CONFLICTING_ROWS, field, value=None if field == name else keytext.reindex(ids, fill_value=""),
                      other=all_of.reindex(ids), key=keytext.reindex(ids))

    # --- parsing with issues ---------------------------------------------------------

    def numbers(self, key: str) -> Numbers:
        """A number column of live rows (万 header hints applied); unreadable cells reject their row."""
        scale = self.per_sheet(lambda s: s.scale.get(key, 1.0)).astype("float64")
        n = parse_numbers(self.df[key], scale)
        self.flag(self.checkable & n.bad, BAD_NUMBER, key)
        # Beyond 10^15 Excel keeps no exact digits, and below 10^-9 nothing is measured: such
        # a number is a slipped exponent, and its ratios and sums would overflow to infinity.
        size = n.values.abs()
        absurd = (size > MAX_NUMBER) | ((size > 0) & (size < MIN_NUMBER))
        self.flag(self.checkable & absurd, OUT_OF_RANGE, key, range="1e-9 … 1e15")
        n.values[absurd] = float("nan")
        return n

    def words(self, key: str, table: dict) -> pd.Series:
        """A fixed-word column → codes (None when blank); unknown words reject their row."""
        d = self._distinct(key)
        if d is None:
            codes, unknown, _blank = word_lookup(self.df[key], table)
        else:
            codes, unknown, _blank = (self._spread(x, d[0]) for x in word_lookup(d[1], table))
        self.flag(self.checkable & unknown, BAD_WORD, key, allowed=allowed_words(table))
        return codes

    def periods(self, key: str = "period", *, want_day: bool = False) -> Periods:
        """A month column; blank, decimal-number and unreadable cells reject their row."""
        d = self._distinct(key)
        if d is None:
            p = parse_periods(self.df[key], want_day=want_day)
        else:
            got = parse_periods(d[1], want_day=want_day)
            p = Periods(*(self._spread(getattr(got, a), d[0]) for a in Periods.__slots__))
        untrusted = self.untrusted(key)
        self.flag(self.checkable & p.blank & ~untrusted, MISSING_VALUE, key, "")
        self.flag(self.checkable & p.decimal, PERIOD_DECIMAL, key)
        self.flag(self.checkable & p.bad, BAD_PERIOD, key)
        self.flag(self.checkable & p.impossible, IMPOSSIBLE_DATE, key)
        return p

    def range_check(self, key: str, values: pd.Series, ok: pd.Series, shown_range: str) -> None:
        """Numbers outside their range (``ok`` False where a value is present) reject their row."""
        bad = self.checkable & values.notna() & ~ok.eq(True)
        self.flag(bad, OUT_OF_RANGE, key, range=shown_range)

    # --- counting ------------------------------------------------------------------------

    def counts(self) -> list[SheetCount]:
        out = []
        for sid, s in self.sheets.items():
            st = self.status[self.df["_sid"] == sid].value_counts()
            out.append(SheetCount(
                file=s.file, sheet=s.name, kind=self.kind.key,
                read=int(st.sum()), used=int(st.get(OK, 0)), rejected=int(st.get(REJECTED, 0)),
                duplicates=int(st.get(DUPLICATE, 0)), skipped=int(st.get(SKIPPED, 0)),
            ))
        return out


def _gather(kind: vocab.SheetKind, sheets: list[Sheet]) -> pd.DataFrame:
    """The sheets' raw cells in one frame, with each row's file, sheet, Excel row and sheet id.

    Each column is copied once, straight into its place (no per-sheet copies, no
    concatenation of frames), and the frame is not consolidated into one 2-D block
    (which would copy every column again): the peak of reading (bench/memory.py)."""
    fields = [fl.key for fl in kind.fields]
    if not sheets:
        cols = {k: pd.Series(dtype=object) for k in fields}
        return pd.DataFrame({**cols, "file": pd.Series(dtype=object), "sheet": pd.Series(dtype=object),
                             "row": pd.Series(dtype="int64"), "_sid": pd.Series(dtype="int64")})
    sizes = [len(s.raw) for s in sheets]
    which = np.repeat(np.arange(len(sheets)), sizes)
    cols = {k: np.concatenate([s.raw[k].to_numpy(dtype=object) for s in sheets]) for k in fields}
    for key, attr in (("file", "file"), ("sheet", "name")):
        names = pd.array([getattr(s, attr) for s in sheets], dtype="str")
        cols[key] = names.take(which)
    cols["row"] = np.concatenate([s.rows.astype("int64") for s in sheets])
    cols["_sid"] = np.repeat(np.array([s.sid for s in sheets], dtype="int64"), sizes)
    return pd.DataFrame(cols, copy=False)


def duplicated_rows(columns: Iterable[np.ndarray]) -> np.ndarray:
    """Rows whose values in every column also occur in another row (``keep=False``), compared
    as ``DataFrame.duplicated`` compares: by :func:`pandas.factorize`, NaN equal to NaN.

    On integer codes a column at a time: each column's codes (0 for NaN) are joined into
    one key, counted with ``bincount`` while the key's range stays within a few times the
    number of rows (a KPI sheet's 工号 × 指标 × 期间 does), hashed again only beyond that.
    No frame of the columns is copied, and no hash table is built over a million keys."""
    key, size = None, 1
    for values in columns:
        codes, uniques = pd.factorize(values)  # NaN, None, NaT → -1
        codes = codes.astype(np.int64, copy=False) + 1
        n = len(uniques) + 1
        if key is None:
            key, size = codes, n
        else:
            key = key * n + codes  # key < size ≤ 4 × rows and n ≤ rows + 1: no overflow
            size *= n
            if size > 4 * len(key) + 1024:
                key, uniques = pd.factorize(key)
                size = len(uniques)
    if key is None:
        return np.zeros(0, dtype=bool)
    return np.bincount(key, minlength=size)[key] > 1


def _small(codes: np.ndarray) -> np.ndarray:
    """Factorize codes as int32 (half of intp): a sheet has far fewer than 2^31 distinct values."""
    return codes.astype(np.int32) if len(codes) and codes.max() < 2**31 - 1 else codes


def _ranges(rows: list[int]) -> str:
    """[3, 4, 5, 9] → '3-5, 9'."""
    out, start, prev = [], None, None
    for r in sorted(rows):
        if start is None:
            start = prev = r
        elif r == prev + 1:
            prev = r
        else:
            out.append(f"{start}-{prev}" if prev != start else f"{start}")
            start = prev = r
    if start is not None:
        out.append(f"{start}-{prev}" if prev != start else f"{start}")
    return ", ".join(out)


def allowed_words(table: dict) -> str:
    """The words a fixed-word column accepts, for messages: '越高越好/正向/higher, …'."""
    return "; ".join("/".join(w for w in words) for words in table.values())
