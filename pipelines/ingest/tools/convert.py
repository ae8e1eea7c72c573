"""A survey-tool export -> checked canonical rows, with every error in the file's own terms.

1. Find the columns the mapping and the tool name (missing, ambiguous or personal columns are
   errors on the header row; then nothing else is read).
2. Skip blank rows and rows that are not answers (incomplete, tests): counted, not errors.
3. Check response ids (empty, repeated) and map every answer to a level (an option the
   mapping does not know is an error); an empty answer cell is "not answered" (no row).
4. Build the raw canonical long table (one row per answer), remembering for each long row its
   file row and for each value the header it came from, and run `validate_canonical` on it.
5. Report each error at the file row and original header, with the cell as the file has it.
   A respondent row with any error is rejected whole.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass, field, replace

import numpy as np
import pandas as pd

from pipelines.ingest.read import RawGrid
from pipelines.ingest.tools.base import PERSONAL_COLUMNS, Adapter, ToolTable
from pipelines.ingest.tools.keys import element_key, text_key
from pipelines.ingest.tools.mapping import (
    Field,
    Mapping,
    Question,
    detect_questions,
    header_element,
)
from pipelines.ingest.validate import RowError, blank_rows, empty_canonical, parse_dates, validate_canonical
from pipelines.reference import MunicipalityIndex

R_UNMAPPED_ANSWER = "answer option not in the mapping"
R_EMPTY_ID = "empty response id"
_OFFSET = r"(?:Z|[+-][0-9]{2}:?[0-9]{2})$"
_FIRST_AT = re.compile(r"first at row (\d+)")
_ELEMENT_ID = re.compile(r"^[A-Z]{3}-[0-9]{2}$")


@dataclass
class ToolResult:
    clean: pd.DataFrame  # canonical rows of the good respondents
    errors: list[RowError]
    rows_read: int  # respondent rows considered (not blank, not skipped)
    rows_good: int  # respondent rows staged
    skipped: dict[str, int] = field(default_factory=dict)  # reason -> rows (not errors)
    original: pd.DataFrame | None = None  # the data rows under their own headers, without
    # personal columns (for the rejects file)
    first_row: int = 2  # the spreadsheet row of original's first row
    warnings: list[str] = field(default_factory=list)  # not errors (e.g. a block's missing
    # subquestions), for the report


@dataclass
class _Source:
    """One input of a canonical column: a body column (pos) or a constant."""

    header: str  # the header the user sees, or "<key> (mapping <file>)" for a constant
    pos: int | None = None
    value: str = ""
    field: Field | None = None


def convert(grid: RawGrid, adapter: Adapter, mapping: Mapping | None, *, name: str,
            index: MunicipalityIndex, element_ids: set[str], now: dt.datetime) -> ToolResult:
    table = adapter.table(grid, name)
    mapping = adapter.mapping_for(table, mapping, element_ids)
    if mapping is None:
        raise ValueError(f"a {adapter.label} export needs a mapping")
    found: list[tuple[str, str]] = []
    if mapping.name:  # headers that start with an element id the mapping does not name
        mapping, found = detect_questions(mapping, table.headers, element_ids)
    header_errors = [RowError(name, 1, h, why, "") for h, why in found]
    body = table.body
    original = _original(table)
    locate = _Locator(table, adapter, mapping, header_errors)

    # -- 1. columns
    rid_src = (locate.field(mapping.respondent_id) if mapping.respondent_id is not None
               else locate.tool_column(adapter.response_id, "response id"))
    when_src = (locate.field(mapping.submitted_at) if mapping.submitted_at is not None
                else locate.tool_column(adapter.submitted_at, "submission time"))
    fields = {key: locate.field(getattr(mapping, key)) for key in
              ("municipality", "country", "wave", "respondent_role", "publish_consent")}
    shared_confidence = locate.field(mapping.confidence)
    named_questions = bool(mapping.questions)
    mapping, warnings = _present_block_columns(mapping, locate)
    questions = [(q, locate.question(q),
                  locate.field(q.confidence) if q.confidence is not None else shared_confidence,
                  locate.field(q.evidence)) for q in mapping.questions]
    if not named_questions and not found:
        header_errors.append(RowError(name, 1, "", "no question column: the mapping names none "
                                      "and no header starts with an element id (such as STR-01)"
                                      if mapping.name else "no column is named by an element id "
                                      "(such as STR-01)", ""))
    blank = blank_rows(body) if len(body) else np.zeros(0, dtype=bool)
    if header_errors:
        return ToolResult(empty_canonical(), _dedupe(header_errors), int((~blank).sum()), 0,
                          original=original, first_row=table.first_row, warnings=warnings)

    # -- 2. rows that are not answers
    n = len(body)
    rows = np.arange(table.first_row, table.first_row + n, dtype=np.int64)
    active = ~blank
    skipped: dict[str, int] = {}
    for reason, mask in adapter.skipped(table):
        hit = active & mask
        if hit.any():
            skipped[reason] = skipped.get(reason, 0) + int(hit.sum())
        active &= ~mask

    # -- 3. response ids, answers
    rid = _cells(body, rid_src)
    errors, excluded = ([], np.zeros(n, dtype=bool)) if not adapter.unique_ids \
        else _check_response_ids(rid, rid_src, active, rows, name)
    at, qnum, levels = _map_answers(body, questions, active & ~excluded, rows, name, mapping,
                                    errors)

    bad_rows = {e.row for e in errors}
    answers = np.bincount(at, minlength=n)
    without = active & ~excluded & (answers == 0) & ~np.isin(rows, list(bad_rows))
    if without.any():
        skipped["without answers"] = int(without.sum())
    rows_read = int((active & ~without).sum())

    # -- 4. long table + where each value came from
    long_rows = rows[at]
    raw, shown, sources = _long_table(body, at, qnum, levels, questions, fields, rid, rid_src,
                                      when_src, adapter, mapping, table)
    clean, v_errors = validate_canonical(raw, file=name, index=index, element_ids=element_ids,
                                         now=now, first_row=0)

    # -- 5. errors in the file's terms, respondents rejected whole
    for e in v_errors:
        i = e.row
        value = e.value if e.reason.startswith("duplicate") else str(shown[e.column][i])
        reason = _FIRST_AT.sub(lambda m: f"first at row {long_rows[int(m.group(1))]}", e.reason)
        errors.append(RowError(name, int(long_rows[i]), str(sources[e.column][i]), reason, value))
    errors = _sorted(_dedupe(errors), table.headers)
    bad = {e.row for e in errors}
    good_long = np.setdiff1d(np.arange(len(raw)), [e.row for e in v_errors])
    keep = ~np.isin(long_rows[good_long], list(bad))
    clean = clean.loc[keep].reset_index(drop=True)
    rows_good = len(np.unique(long_rows[good_long][keep]))
    return ToolResult(clean, errors, rows_read, rows_good, skipped, original, table.first_row,
                      warnings)


def _present_block_columns(mapping: Mapping, locate: _Locator) -> tuple[Mapping, list[str]]:
    """The mapping without the block-pattern questions whose column the export lacks.

    A block whose pattern finds no column at all is a header error (the pattern is wrong); one
    that finds some is a warning naming the elements left out (the survey did not ask them).
    """
    keep: list[Question] = []
    missing: dict[str, list[Question]] = {}
    total: dict[str, int] = {}
    for q in mapping.questions:
        if q.optional:
            total[q.source] = total.get(q.source, 0) + 1
            if not locate._positions(q.column):
                missing.setdefault(q.source, []).append(q)
                continue
        keep.append(q)
    warnings = []
    for source, qs in missing.items():
        cols = _listed([q.column for q in qs])
        if len(qs) == total[source]:
            locate._header_error(qs[0].column, f"missing column (named by "
                                 f"{locate._where(source)}: no column matches its pattern; "
                                 f"looked for {cols})")
        else:
            warnings.append(f"{source} in the mapping {mapping.name}: no column {cols}; "
                            f"{_listed([q.element_id for q in qs])} not imported")
    if not missing:
        return mapping, []
    return replace(mapping, questions=tuple(keep)), warnings


def _listed(items: list[str], most: int = 4) -> str:
    shown = ", ".join(items[:most])
    return f"{shown} and {len(items) - most} more" if len(items) > most else shown


def _check_response_ids(rid: pd.Series, src: _Source, active: np.ndarray, rows: np.ndarray,
                        name: str) -> tuple[list[RowError], np.ndarray]:
    """Errors for empty and repeated response ids, and the rows they exclude."""
    errors: list[RowError] = []
    excluded = np.zeros(len(rid), dtype=bool)
    if src.pos is None:  # a constant: nothing to check
        return errors, excluded
    empty = active & (rid == "").to_numpy(dtype=bool)
    for i in np.flatnonzero(empty):
        errors.append(RowError(name, int(rows[i]), src.header, R_EMPTY_ID, ""))
    at = np.flatnonzero(active & ~empty)
    dup = rid.iloc[at].duplicated(keep="first").to_numpy(dtype=bool)
    if dup.any():
        first = pd.Series(at, index=rid.iloc[at].to_numpy()).groupby(level=0).min()
        for i in at[dup]:
            errors.append(RowError(name, int(rows[i]), src.header, f"duplicate response id "
                                   f"(first at row {rows[first[rid.iloc[i]]]})", rid.iloc[i]))
    excluded[empty] = True
    excluded[at[dup]] = True
    return errors, excluded


def _map_answers(body: pd.DataFrame, questions: list, usable: np.ndarray, rows: np.ndarray,
                 name: str, mapping: Mapping, errors: list[RowError]
                 ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Every answer of the usable rows as (body row, question number, level text), in file
    order; an option the mapping does not know is added to `errors` instead."""
    long_body, long_q, long_level = [], [], []
    for qi, (q, src, _, _) in enumerate(questions):
        cells = _cells(body, src)
        answered = usable & (cells != "").to_numpy(dtype=bool)
        if q.answers:
            level = _lookup(cells, q.answers)
            unknown = answered & level.isna().to_numpy(dtype=bool)
            for i in np.flatnonzero(unknown):
                errors.append(RowError(name, int(rows[i]), src.header,
                                       f"{R_UNMAPPED_ANSWER} {mapping.name} ({q.element_id})",
                                       str(body.iat[i, src.pos])))
            answered &= ~unknown
        else:  # no scale: the cell is read like the canonical level column
            level = cells
        at = np.flatnonzero(answered)
        long_body.append(at)
        long_q.append(np.full(len(at), qi, dtype=np.int64))
        long_level.append(level.iloc[at].astype(str).to_numpy(dtype=object))
    if not long_body:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64), np.zeros(0, dtype=object)
    at, qnum, levels = (np.concatenate(long_body), np.concatenate(long_q),
                        np.concatenate(long_level))
    order = np.lexsort((qnum, at))
    return at[order], qnum[order], levels[order]


# -------------------------------------------------------------------------------- columns


class _Locator:
    """Finds the columns a mapping names; records header errors instead of raising."""

    def __init__(self, table: ToolTable, adapter: Adapter, mapping: Mapping,
                 errors: list[RowError]):
        self.table, self.mapping, self.errors = table, mapping, errors
        self.keys = table.keys()
        self.alt = adapter.alt_keys(table)
        self.adapter = adapter

    def _where(self, key_name: str) -> str:
        return f"{key_name} in the mapping {self.mapping.name}" if self.mapping.name else key_name

    def _positions(self, ref: str) -> list[int]:
        key = text_key(ref)
        exact = [i for i, k in enumerate(self.keys) if k == key]
        found = exact or [i for i, alt in enumerate(self.alt) if key in alt]
        element = element_key(ref)
        if not found and _ELEMENT_ID.match(element):  # `column: STR-01`: the header that
            found = [i for i, h in enumerate(self.table.headers)  # starts with STR-01
                     if header_element(h, {element}) == element]
        return found

    def _header_error(self, column: str, reason: str) -> None:
        self.errors.append(RowError(self.table.name, 1, column, reason, ""))

    def column(self, ref: str, key_name: str, occurrence: int | None = None) -> _Source | None:
        found = self._positions(ref)
        if not found:
            self._header_error(ref, f"missing column (named by {self._where(key_name)})"
                               if self.mapping.name else
                               "missing column (a wide table without a mapping needs it)")
            return None
        if occurrence is not None:
            if occurrence > len(found):
                self._header_error(ref, f"{self._where(key_name)} asks for occurrence "
                                        f"{occurrence} but the header appears {len(found)} times")
                return None
            found = [found[occurrence - 1]]
        if len(found) > 1:
            cols = ", ".join(_column_name(i, self.table.fmt) for i in found)
            self._header_error(ref, f"ambiguous: {len(found)} columns have this header ({cols});"
                                    f" add `occurrence: 1` (or 2, ...) to {self._where(key_name)}")
            return None
        pos = found[0]
        if self.keys[pos] in PERSONAL_COLUMNS:
            self._header_error(ref, f"is personal data, which is never imported "
                                    f"(named by {self._where(key_name)})")
            return None
        return _Source(self.table.headers[pos], pos=pos)

    def tool_column(self, names: tuple[str, ...], what: str) -> _Source | None:
        for ref in names:
            if self._positions(ref):
                return self.column(ref, what)
        label = self.adapter.label if self.adapter.tool != "wide" else "the wide format"
        self._header_error(names[0], f"missing column (the {what} of {label})")
        return None

    def field(self, spec: Field | None) -> _Source | None:
        if spec is None:
            return None
        if spec.value is not None:
            header = f"{spec.key} (mapping {self.mapping.name})" if self.mapping.name else spec.key
            return _Source(header, value=spec.translate(spec.value), field=spec)
        src = self.column(spec.column, spec.key, spec.occurrence)
        if src is not None:
            src.field = spec
        return src

    def question(self, q) -> _Source | None:
        return self.column(q.column, q.key, q.occurrence)


def _column_name(pos: int, fmt: str) -> str:
    if fmt != "xlsx":
        return f"column {pos + 1}"
    letters, n = "", pos + 1
    while n:
        n, rem = divmod(n - 1, 26)
        letters = chr(65 + rem) + letters
    return f"column {letters}"


# -------------------------------------------------------------------------------- values


def _cells(body: pd.DataFrame, src: _Source | None) -> pd.Series:
    """The stripped cells of a source, one per body row ('' when there is no source)."""
    if src is None:
        return pd.Series([""] * len(body), dtype=str)
    if src.pos is None:
        return pd.Series([src.value] * len(body), dtype=str)
    return body[src.pos].astype(str).str.strip()


def _lookup(cells: pd.Series, table: dict[str, str]) -> pd.Series:
    """cells -> table[text_key(cell)], NaN when absent; each distinct cell looked up once."""
    codes, uniques = pd.factorize(cells, use_na_sentinel=False)
    found = [table.get(text_key(u)) for u in uniques.tolist()]
    return pd.Series(np.asarray(found, dtype=object)[codes] if len(codes) else [], dtype=object,
                     index=cells.index)


def _translated(cells: pd.Series, spec: Field | None) -> pd.Series:
    if spec is None or not spec.answers or spec.value is not None:
        return cells
    found = _lookup(cells, spec.answers)
    return found.where(found.notna(), cells).astype(str)


def _to_utc(texts: pd.Series, timezone: str) -> pd.Series:
    """Times without offset read in `timezone`, as ISO 8601 UTC text; others unchanged."""
    parsed = parse_dates(texts)
    ok = ~np.asarray(parsed.isna()) & ~texts.str.contains(_OFFSET).to_numpy(dtype=bool)
    if not ok.any():
        return texts
    wall = pd.DatetimeIndex(parsed[ok]).tz_convert(None)
    if timezone.upper() != "UTC":
        wall = wall.tz_localize(timezone, ambiguous=np.zeros(len(wall), dtype=bool),
                                nonexistent="shift_forward")
    else:
        wall = wall.tz_localize("UTC")
    out = texts.to_numpy(dtype=object).copy()
    out[ok] = wall.tz_convert("UTC").strftime("%Y-%m-%dT%H:%M:%S+00:00").to_numpy(dtype=object)
    return pd.Series(out, dtype=str, index=texts.index)


def _long_table(body, at, qnum, levels, questions, fields, rid, rid_src, when_src, adapter,
                mapping, table) -> tuple[pd.DataFrame, dict, dict]:
    """The raw canonical long table, the original cells and the source header per value."""
    raw: dict[str, object] = {}
    shown: dict[str, np.ndarray] = {}
    sources: dict[str, np.ndarray] = {}
    n = len(at)

    def put(column: str, values: pd.Series | np.ndarray, original: pd.Series | np.ndarray,
            source: str | np.ndarray) -> None:
        raw[column] = np.asarray(values, dtype=object)
        shown[column] = np.asarray(original, dtype=object)
        sources[column] = (np.full(n, source, dtype=object) if isinstance(source, str)
                           else np.asarray(source, dtype=object))

    def from_source(column: str, src: _Source | None,
                    convert: Callable[[pd.Series], pd.Series] | None = None) -> None:
        cells = _cells(body, src).iloc[at].reset_index(drop=True)
        values = _translated(cells, src.field if src else None)
        if convert is not None:
            values = convert(values)
        put(column, values, cells, src.header if src else column)

    from_source("municipality_id", fields["municipality"])
    if fields["country"] is not None:
        from_source("country", fields["country"])
    from_source("wave", fields["wave"])
    q_headers = np.array([src.header for _, src, _, _ in questions], dtype=object)
    elements = np.array([q.element_id for q, _, _, _ in questions], dtype=object)
    put("element_id", elements[qnum], q_headers[qnum], q_headers[qnum])
    answer_cells = np.array([body.iat[i, questions[k][1].pos]
                             for i, k in zip(at.tolist(), qnum.tolist(), strict=True)], dtype=object)
    put("level", levels, answer_cells, q_headers[qnum])
    ids = rid.iloc[at].to_numpy(dtype=object)
    prefixed = np.array([f"{adapter.tool}:{v}" for v in ids], dtype=object) if adapter.prefix_ids \
        else ids
    put("respondent_id", prefixed, ids, rid_src.header)
    from_source("respondent_role", fields["respondent_role"])
    timezone = (adapter.date_timezone(table, when_src.pos) if when_src.pos is not None else None) \
        or mapping.timezone
    from_source("submitted_at", when_src, lambda s: _to_utc(s, timezone))
    for column, k in (("confidence", 2), ("evidence", 3)):  # per question: its own columns
        values = np.full(n, "", dtype=object)
        original = np.full(n, "", dtype=object)
        names = np.full(n, column, dtype=object)
        for qi, parts in enumerate(questions):
            src = parts[k]
            mine = np.flatnonzero(qnum == qi)
            if src is None or not len(mine):
                continue
            cells = _cells(body, src).iloc[at[mine]].reset_index(drop=True)
            values[mine] = _translated(cells, src.field).to_numpy(dtype=object)
            original[mine] = cells.to_numpy(dtype=object)
            names[mine] = src.header
        put(column, values, original, names)
    if fields["publish_consent"] is not None:
        from_source("publish_consent", fields["publish_consent"])
    frame = pd.DataFrame({c: pd.Series(v, dtype=str) for c, v in raw.items()})
    if not n:
        frame = pd.DataFrame({c: pd.Series([], dtype=str) for c in raw})
    return frame, shown, sources


# -------------------------------------------------------------------------------- errors


def _dedupe(errors: list[RowError]) -> list[RowError]:
    """One error per (row, column, reason, value): a bad municipality is one error, not one
    per answer of the respondent."""
    return list(dict.fromkeys(errors))


def _sorted(errors: list[RowError], headers: list[str]) -> list[RowError]:
    position: dict[str, int] = {}
    for i, h in enumerate(headers):
        position.setdefault(h, i)
    return sorted(errors, key=lambda e: (e.row, position.get(e.column, len(headers))))


def _original(table: ToolTable) -> pd.DataFrame:
    """The data rows under their own headers, personal columns left out."""
    keep = [i for i, k in enumerate(table.keys()) if k not in PERSONAL_COLUMNS]
    frame = table.body[keep].copy()
    frame.columns = [table.headers[i] or f"column {i + 1}" for i in keep]
    return frame.reset_index(drop=True)


