"""Validating a raw canonical table: typed canonical rows plus one error per bad (row, column).

Vectorised throughout: whole-column string operations, and per-value work (resolving a
municipality code, parsing a level or a date) done once per distinct value, then mapped back
with `pd.factorize`. A million rows validate in about a second (three when every timestamp
is distinct).

Row numbers are those a user sees in a spreadsheet: the header is row 1, the first data row 2.
Rows whose cells are all empty are skipped silently (they are neither answers nor errors).
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
import pandas as pd
import pyarrow as pa

from pipelines.canonical import (
    COLUMNS,
    CONFIDENCE_VALUES,
    DONT_KNOW,
    FALSE_WORDS,
    REQUIRED_COLUMNS,
    TRUE_WORDS,
)
from pipelines.ingest.names import looks_like_name, name_index
from pipelines.reference import MunicipalityIndex, resolve_many

LEVEL_MIN, LEVEL_MAX = 0, 4
FUTURE_TOLERANCE = dt.timedelta(days=1)
DUPLICATE_COLUMN = "element_id"  # the column a duplicate answer is reported on

R_MISSING_COLUMN = "missing column"
R_UNKNOWN_MUNICIPALITY = "unknown municipality"
R_UNKNOWN_ELEMENT = "unknown element"
R_LEVEL_NOT_WHOLE = "level is not a whole number"
R_LEVEL_RANGE = f"level out of range {LEVEL_MIN}-{LEVEL_MAX}"
R_BAD_DATE = "unparseable date"
R_FUTURE_DATE = "date in the future"
R_CONFIDENCE = "confidence must be low, medium or high"
R_CONSENT = "publish_consent must be true or false (yes/no, ja/nee, 1/0) or empty"

# [0-9] and [ \t] rather than \d and \s: pandas then runs these in Arrow (RE2), not Python re
_ISO_START = re.compile(r"^[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}(?:$|[T ])")
_DMY = re.compile(r"^[0-9]{1,2}[-/][0-9]{1,2}[-/][0-9]{4}(?: [0-9]{1,2}:[0-9]{2}(?::[0-9]{2})?)?$")
_DMY_FORMATS = ("%d-%m-%Y", "%d-%m-%Y %H:%M", "%d-%m-%Y %H:%M:%S")
_SPACED_OFFSET = re.compile(r"[ \t]+([+-][0-9]{2}:?[0-9]{2}|Z)$")
_SPACED_OFFSET_TEST = r"[ \t]+(?:[+-][0-9]{2}:?[0-9]{2}|Z)$"
_GISCO_LIKE = re.compile(r"^[A-Z]{2}_")
_NL_GM = re.compile(r"^GM\d{1,4}$")


@dataclass(frozen=True)
class RowError:
    file: str
    row: int  # spreadsheet row: header = 1, first data row = 2; 0 = the file as a whole
    column: str
    reason: str
    value: str

    def describe(self) -> str:
        """One line, e.g. `survey.csv row 14, column level: level out of range 0-4 (value '7')`."""
        where = self.file if self.row == 0 else f"{self.file} row {self.row}"
        if self.column:
            where += f", column {self.column}"
        value = f" (value {self.value!r})" if self.value != "" else ""
        return f"{where}: {self.reason}{value}"


def empty_canonical() -> pd.DataFrame:
    """A canonical frame with no rows and the dtypes validate_canonical returns."""
    return pd.DataFrame({
        "municipality_id": pd.Series([], dtype=str), "wave": pd.Series([], dtype=str),
        "element_id": pd.Series([], dtype=str), "level": pd.Series([], dtype="Int8"),
        "respondent_id": pd.Series([], dtype=str),
        "respondent_role": pd.Series([], dtype=object),
        "submitted_at": pd.Series([], dtype="datetime64[ns, UTC]"),
        "confidence": pd.Series([], dtype=object), "evidence": pd.Series([], dtype=object),
        "publish_consent": pd.Series([], dtype="boolean"),
    })[list(COLUMNS)]


def blank_rows(raw: pd.DataFrame) -> np.ndarray:
    """True for rows whose cells are all empty or whitespace.

    Column by column, only over the rows still blank so far: after the first column that is
    usually a handful, so this costs about one column strip.
    """
    candidates = np.arange(len(raw))
    for col in raw.columns:
        if not len(candidates):
            break
        cells = raw[col].iloc[candidates].astype(str).str.strip()
        candidates = candidates[(cells == "").to_numpy(dtype=bool)]
    blank = np.zeros(len(raw), dtype=bool)
    blank[candidates] = True
    return blank


class _Errors:
    """Errors collected as arrays (one block per check), turned into RowErrors once at the end."""

    def __init__(self, rows: np.ndarray, raw: pd.DataFrame):
        self.rows, self.raw = rows, raw
        self.bad = np.zeros(len(rows), dtype=bool)
        self.blocks: list[tuple[np.ndarray, str, np.ndarray, np.ndarray]] = []

    def add(self, mask: np.ndarray, column: str, reason: str | np.ndarray,
            values: np.ndarray | None = None) -> None:
        """Record `reason` for the rows in `mask`; the value shown is the raw cell by default."""
        where = np.flatnonzero(np.asarray(mask, dtype=bool))
        if not len(where):
            return
        self.bad[where] = True
        reasons = (np.full(len(where), reason, dtype=object) if isinstance(reason, str)
                   else np.asarray(reason, dtype=object)[where])
        shown = (self.raw[column].iloc[where].to_numpy(dtype=object) if values is None
                 else np.asarray(values, dtype=object)[where])
        self.blocks.append((self.rows[where], column, reasons, shown))

    def to_list(self, file: str) -> list[RowError]:
        if not self.blocks:
            return []
        order = {c: i for i, c in enumerate(self.raw.columns)}
        rows = np.concatenate([b[0] for b in self.blocks])
        cols = np.concatenate([np.full(len(b[0]), b[1], dtype=object) for b in self.blocks])
        pos = np.concatenate([np.full(len(b[0]), order.get(b[1], len(order))) for b in self.blocks])
        reasons = np.concatenate([b[2] for b in self.blocks])
        values = np.concatenate([b[3] for b in self.blocks])
        idx = np.lexsort((pos, rows))
        return [RowError(file, int(r), c, str(why), str(v)) for r, c, why, v in
                zip(rows[idx].tolist(), cols[idx].tolist(), reasons[idx].tolist(),
                    values[idx].tolist(), strict=True)]


def _parse_level(text: str) -> tuple[int | None, str | None]:
    """Parse one level: "3", "3.0" or "3,0" give (3, None); anything else (None, reason)."""
    if "_" in text:
        return None, R_LEVEL_NOT_WHOLE  # float() would read "1_0" as 10
    try:
        number = float(text.replace(",", ".") if "." not in text else text)
    except ValueError:
        return None, R_LEVEL_NOT_WHOLE
    if not math.isfinite(number) or not number.is_integer():
        return None, R_LEVEL_NOT_WHOLE
    if not LEVEL_MIN <= number <= LEVEL_MAX:
        return None, R_LEVEL_RANGE
    return int(number), None


def parse_dates(values: Iterable[str] | pd.Series) -> pd.DatetimeIndex:
    """ISO 8601 dates/datetimes (naive = UTC; Z and offsets converted), DD-MM-YYYY, DD/MM/YYYY.

    Values are stripped; unparseable ones give NaT. Each distinct value is parsed once.
    """
    series = values if isinstance(values, pd.Series) else pd.Series(list(values), dtype=str)
    codes, uniques = pd.factorize(series.astype(str).str.strip(), use_na_sentinel=False)
    text = pd.Series(uniques, dtype=str)
    parsed = pd.Series(pd.NaT, index=text.index, dtype="datetime64[ns, UTC]")
    iso = text.str.match(_ISO_START.pattern).to_numpy(dtype=bool, na_value=False)
    if iso.any():
        # "2025-03-14 10:22 +01:00": drop the space before an offset, which ISO 8601 forbids
        cleaned = text[iso]
        spaced = cleaned.str.contains(_SPACED_OFFSET_TEST).to_numpy(dtype=bool, na_value=False)
        if spaced.any():  # rare: fix those few in Python (a back-reference is not vectorised)
            cleaned = cleaned.copy()
            cleaned[spaced] = [_SPACED_OFFSET.sub(r"\1", v) for v in cleaned[spaced].tolist()]
        parsed[iso] = _ns(pd.to_datetime(cleaned, format="ISO8601", utc=True, errors="coerce"))
    dmy = text.str.match(_DMY.pattern).to_numpy(dtype=bool, na_value=False)
    if dmy.any():
        cleaned = text[dmy].str.replace("/", "-", regex=False)
        got = pd.Series(pd.NaT, index=cleaned.index, dtype="datetime64[ns, UTC]")
        for fmt in _DMY_FORMATS:
            todo = got.isna()
            if not todo.any():
                break
            got[todo] = _ns(pd.to_datetime(cleaned[todo], format=fmt, utc=True,
                                           errors="coerce"))
        parsed[dmy] = got
    return pd.DatetimeIndex(parsed.array.take(codes))


def _ns(parsed: pd.Series) -> pd.Series:
    """Parsed dates in ns; one ns cannot hold (before 1677, after 2262: '9999-12-31') is NaT,
    so it is an unparseable date rather than an OutOfBoundsDatetime traceback."""
    lo, hi = pd.Timestamp.min.tz_localize("UTC"), pd.Timestamp.max.tz_localize("UTC")
    return parsed.where(parsed.isna() | ((parsed >= lo) & (parsed <= hi))).dt.as_unit("ns")


def _utc(now: dt.datetime | pd.Timestamp) -> pd.Timestamp:
    ts = pd.Timestamp(now)
    return ts.tz_localize("UTC") if ts.tzinfo is None else ts.tz_convert("UTC")


def _municipality_reason(code: str, country: str) -> str:
    if country:
        return f"{R_UNKNOWN_MUNICIPALITY} in country {country}"
    if looks_like_name(code):
        return f"{R_UNKNOWN_MUNICIPALITY} (a name or a national code needs a country column)"
    if not _GISCO_LIKE.match(code) and not _NL_GM.match(code):
        return f"{R_UNKNOWN_MUNICIPALITY} (a national code needs a country column)"
    return R_UNKNOWN_MUNICIPALITY


def _strings(values: list[str | None], codes: np.ndarray) -> pd.Series:
    """values[codes] as a str Series (None -> missing), via an Arrow take (no Python loop)."""
    taken = pa.array(values, type=pa.string()).take(pa.array(codes, type=pa.int64()))
    return pd.Series(taken, dtype=str)


def _key_codes(series: pd.Series | np.ndarray) -> tuple[np.ndarray, int]:
    codes, uniques = pd.factorize(series)
    return codes.astype(np.int64), max(len(uniques), 1)


def _resolve(code: pd.Series, country: pd.Series | None, index: MunicipalityIndex
             ) -> tuple[np.ndarray, list[str | None], list[str]]:
    """Resolve each distinct (code, country) pair once.

    Returns per-row codes into the pair list, the resolved id of each pair (None = unknown) and
    the error reason of each pair. GISCO ids present in the index are taken as they are; the
    rest go through `resolve_many(errors="coerce")`, and what is still unknown and has a
    country is looked up as a name (pipelines/ingest/names.py).
    """
    if country is None:
        pair_codes, pairs = pd.factorize(code, use_na_sentinel=False)
        u_code = [str(c) for c in pairs.tolist()]
        u_country: list[str] = [""] * len(u_code)
    else:
        pair_codes, pairs = pd.factorize(code + "\x1f" + country, use_na_sentinel=False)
        split = [p.split("\x1f", 1) for p in pairs.tolist()]
        u_code, u_country = [p[0] for p in split], [p[1] for p in split]
    resolved: list[str | None] = [None] * len(u_code)
    todo = []
    for i, (c, cc) in enumerate(zip(u_code, u_country, strict=True)):
        if c in index.ids and (not cc or c[:2] == cc):
            resolved[i] = c  # the common case: a GISCO id, no Python-level parsing needed
        elif c:
            todo.append(i)
    if todo:
        got = resolve_many([u_code[i] for i in todo], [u_country[i] or None for i in todo],
                           table=index, errors="coerce")
        for i, mid in zip(todo, got.tolist(), strict=True):
            resolved[i] = mid if isinstance(mid, str) else None
    reasons = [_municipality_reason(c, cc) for c, cc in zip(u_code, u_country, strict=True)]
    unnamed = [i for i in todo if resolved[i] is None and u_country[i]]
    if unnamed:  # names with a country: "Gemeente Amsterdam", "'s-Hertogenbosch" (names.py)
        got = name_index(index).resolve([u_code[i] for i in unnamed],
                                        [u_country[i] for i in unnamed])
        for i, (mid, why) in zip(unnamed, got, strict=True):
            resolved[i] = mid
            reasons[i] = why or reasons[i]
    return np.asarray(pair_codes, dtype=np.int64), resolved, reasons


def validate_canonical(raw: pd.DataFrame, *, file: str, index: MunicipalityIndex,
                       element_ids: set[str], now: dt.datetime, first_row: int = 2
                       ) -> tuple[pd.DataFrame, list[RowError]]:
    """Check a raw canonical table; return (clean canonical rows, errors sorted by row, column).

    The clean frame holds only the rows without any error, typed: municipality_id resolved to
    the GISCO id, element_id upper case, level Int8 (NA = don't know), submitted_at
    datetime64[ns, UTC], confidence lower case or None, evidence/respondent_role str or None,
    publish_consent boolean (NA when not given). Errors within a row are ordered as the columns
    are in the file. One error at most per (row, column).
    """
    missing = [c for c in REQUIRED_COLUMNS if c not in raw.columns]
    if missing:
        return empty_canonical(), [RowError(file, 1, c, R_MISSING_COLUMN, "") for c in missing]

    not_text = [c for c in raw.columns if raw[c].dtype != "str"]
    if not_text:  # a frame built by hand: missing cells become '' like read_table gives
        raw = raw.assign(**{c: raw[c].astype(object).where(raw[c].notna(), "").astype(str)
                            for c in not_text})
    rows = np.arange(first_row, first_row + len(raw), dtype=np.int64)
    keep = ~blank_rows(raw)
    if not keep.all():
        raw, rows = raw.loc[keep].reset_index(drop=True), rows[keep]
    n = len(raw)
    if n == 0:
        return empty_canonical(), []
    errors = _Errors(rows, raw)

    def text(col: str) -> pd.Series:
        return raw[col].astype(str).str.strip()

    # municipality_id (+ optional country)
    code = text("municipality_id").str.upper()
    country = text("country").str.upper() if "country" in raw.columns else None
    empty_code = (code == "").to_numpy(dtype=bool)
    errors.add(empty_code, "municipality_id", "empty municipality_id")
    pair_codes, pair_ids, pair_reasons = _resolve(code, country, index)
    mid_known = np.array([m is not None for m in pair_ids], dtype=bool)[pair_codes]
    errors.add(~empty_code & ~mid_known, "municipality_id",
               np.asarray(pair_reasons, dtype=object)[pair_codes])

    # element_id
    element = text("element_id").str.upper()
    empty_el = (element == "").to_numpy(dtype=bool)
    bad_el = ~empty_el & ~element.isin(element_ids).to_numpy(dtype=bool)
    errors.add(empty_el, "element_id", "empty element_id")
    errors.add(bad_el, "element_id", R_UNKNOWN_ELEMENT)

    # level: empty / don't-know word -> NA; else a whole number 0-4
    level_text = text("level")
    folded = level_text.str.lower().str.replace("’", "'", regex=False)
    dont_know = ((level_text == "") | folded.isin(DONT_KNOW)).to_numpy(dtype=bool)
    level_values = np.zeros(n, dtype=np.int8)
    level_na = np.ones(n, dtype=bool)
    answered = np.flatnonzero(~dont_know)
    if len(answered):
        lv_codes, lv_uniques = pd.factorize(level_text.iloc[answered], use_na_sentinel=False)
        parsed = [_parse_level(str(u)) for u in lv_uniques.tolist()]
        u_level = np.array([-1 if p[0] is None else p[0] for p in parsed], dtype=np.int16)
        u_reason = np.array([p[1] for p in parsed], dtype=object)
        lv = u_level[lv_codes]
        ok = lv >= 0
        level_values[answered[ok]] = lv[ok]
        level_na[answered[ok]] = False
        reasons = np.empty(n, dtype=object)
        reasons[answered] = u_reason[lv_codes]
        bad_level = np.zeros(n, dtype=bool)
        bad_level[answered[~ok]] = True
        errors.add(bad_level, "level", reasons)

    # submitted_at
    when_text = text("submitted_at")
    empty_when = (when_text == "").to_numpy(dtype=bool)
    submitted = parse_dates(when_text)
    nat = np.asarray(submitted.isna(), dtype=bool)
    errors.add(empty_when, "submitted_at", "empty submitted_at")
    errors.add(nat & ~empty_when, "submitted_at", R_BAD_DATE)
    future = ~nat & np.asarray(submitted > _utc(now) + FUTURE_TOLERANCE, dtype=bool)
    errors.add(future, "submitted_at", R_FUTURE_DATE)

    # wave, respondent_id (required), respondent_role (optional)
    wave = text("wave")
    respondent = text("respondent_id")
    empty_wave = (wave == "").to_numpy(dtype=bool)
    empty_resp = (respondent == "").to_numpy(dtype=bool)
    errors.add(empty_wave, "wave", "empty wave")
    errors.add(empty_resp, "respondent_id", "empty respondent_id")

    # confidence
    confidence = text("confidence").str.lower()
    no_conf = (confidence == "").to_numpy(dtype=bool)
    errors.add(~no_conf & ~confidence.isin(CONFIDENCE_VALUES).to_numpy(dtype=bool),
               "confidence", R_CONFIDENCE)

    # publish_consent (optional column)
    consent_true = np.zeros(n, dtype=bool)
    consent_na = np.ones(n, dtype=bool)
    if "publish_consent" in raw.columns:
        consent = text("publish_consent").str.lower()
        consent_true = consent.isin(TRUE_WORDS).to_numpy(dtype=bool)
        is_false = consent.isin(FALSE_WORDS).to_numpy(dtype=bool)
        consent_na = ~(consent_true | is_false)
        errors.add(consent_na & (consent != "").to_numpy(dtype=bool), "publish_consent",
                   R_CONSENT)

    # duplicate answers: the same (municipality, wave, element, respondent) again in the file
    key_ok = mid_known & ~empty_code & ~empty_el & ~bad_el & ~empty_wave & ~empty_resp
    if key_ok.sum() > 1:
        _duplicates(errors, np.flatnonzero(key_ok), rows, pair_codes, pair_ids,
                    wave, element, respondent)

    good = np.flatnonzero(~errors.bad)
    mid = _strings(pair_ids, pair_codes[good])
    frame = pd.DataFrame({
        "municipality_id": mid,
        "wave": _subset(wave, good),
        "element_id": _subset(element, good),
        "level": pd.arrays.IntegerArray(level_values[good], level_na[good]),
        "respondent_id": _subset(respondent, good),
        "respondent_role": _none_if_empty(text("respondent_role"), good),
        "submitted_at": pd.DatetimeIndex(submitted[good]).as_unit("ns"),
        "confidence": _none_if_empty(confidence, good),
        "evidence": _none_if_empty(text("evidence"), good),
        "publish_consent": pd.arrays.BooleanArray(consent_true[good], consent_na[good]),
    })
    return frame[list(COLUMNS)], errors.to_list(file)


def _duplicates(errors: _Errors, at: np.ndarray, rows: np.ndarray, pair_codes: np.ndarray,
                pair_ids: list[str | None], wave: pd.Series, element: pd.Series,
                respondent: pd.Series) -> None:
    """Flag every later occurrence of a key among the rows `at` (positions)."""
    # one int64 per key: factorize each part, then combine (mixed radix) when it fits
    mid_codes, _ = _key_codes(np.asarray(pair_ids, dtype=object))
    parts = [_key_codes(mid_codes[pair_codes[at]]), _key_codes(wave.iloc[at]),
             _key_codes(element.iloc[at]), _key_codes(respondent.iloc[at])]
    key = np.zeros(len(at), dtype=np.int64)
    radix = 1
    for codes, size in parts:
        radix *= size
        if radix >= 2**62:  # cannot happen for real files; stay exact regardless
            frame = pd.DataFrame({i: p[0] for i, p in enumerate(parts)})
            key = frame.groupby(list(frame.columns), sort=False).ngroup().to_numpy(np.int64)
            break
        key = key * size + codes
    _, first, inverse = np.unique(key, return_index=True, return_inverse=True)
    first_pos = first[inverse]  # position (within `at`) of each key's first occurrence
    dup = np.flatnonzero(first_pos != np.arange(len(at)))
    if not len(dup):
        return
    n = len(rows)
    mask = np.zeros(n, dtype=bool)
    mask[at[dup]] = True
    reasons = np.empty(n, dtype=object)
    reasons[at[dup]] = [f"duplicate answer (first at row {r})" for r in
                        rows[at[first_pos[dup]]].tolist()]
    values = np.empty(n, dtype=object)
    values[at[dup]] = [f"{m}, wave {w}, {e}, respondent {r}" for m, w, e, r in zip(
        [pair_ids[c] for c in pair_codes[at[dup]].tolist()], wave.iloc[at[dup]].tolist(),
        element.iloc[at[dup]].tolist(), respondent.iloc[at[dup]].tolist(), strict=True)]
    errors.add(mask, DUPLICATE_COLUMN, reasons, values)


def _subset(values: pd.Series, good: np.ndarray) -> pd.Series:
    return values.iloc[good].reset_index(drop=True)


def _none_if_empty(values: pd.Series, good: np.ndarray) -> pd.Series:
    """Selected rows as an object Series with None for an empty cell."""
    arr = values.iloc[good].to_numpy(dtype=object)
    arr[arr == ""] = None
    return pd.Series(arr, dtype=object)
