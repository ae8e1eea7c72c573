"""Errors and warnings as a survey coordinator reads them: one line per distinct problem.

The errors CSV keeps one line per cell; the ingest summary shows `group_errors`: a respondent
who picked an answer option the mapping does not know in 37 questions, or five respondents who
all did, is one line

    survey.csv: answer option '3 – Vastgesteld' not in the mapping ls.yaml: 37 cells in
    columns SEC[SQ001], SEC[SQ002] and 6 more, rows 2–6

not 37. `wave_warnings` says when a file's wave does not fit its submission dates.
"""

from __future__ import annotations

import re

import pandas as pd

from pipelines.ingest.validate import RowError

R_UNMAPPED_ANSWER = "answer option not in the mapping"  # as pipelines/ingest/tools/convert.py
_ELEMENT_SUFFIX = re.compile(r" \([A-Z]{3}-[0-9]{2}\)$")  # "... not in the mapping x (STR-02)"
_FIRST_AT = re.compile(r" \(first at row [0-9]+\)$")  # "duplicate answer (first at row 3)"
_YEAR = re.compile(r"(?<![0-9])((?:19|20)[0-9]{2})(?![0-9])")
MAX_LISTED = 3  # row ranges and columns named in one line before "and N more"


def _general(reason: str) -> str:
    """The reason without what differs from cell to cell (the element, the first row)."""
    return _FIRST_AT.sub("", _ELEMENT_SUFFIX.sub("", reason))


def _what(reason: str, value: str) -> str:
    if reason.startswith(R_UNMAPPED_ANSWER):
        return f"answer option {value!r} not in the mapping{reason[len(R_UNMAPPED_ANSWER):]}"
    return f"{reason} (value {value!r})" if value != "" else reason


def format_rows(rows: list[int]) -> str:
    """[2, 3, 4, 5, 6] -> 'rows 2–6'; [2, 5, 9, 11, 12, 20] -> 'rows 2, 5, 9 and 3 more'."""
    rows = sorted(set(rows))
    if len(rows) == 1:
        return f"row {rows[0]}"
    runs: list[tuple[int, int]] = []
    for r in rows:
        if runs and r == runs[-1][1] + 1:
            runs[-1] = (runs[-1][0], r)
        else:
            runs.append((r, r))
    shown = [f"{a}" if a == b else f"{a}, {b}" if b == a + 1 else f"{a}–{b}"
             for a, b in runs[:MAX_LISTED]]
    rest = sum(b - a + 1 for a, b in runs[MAX_LISTED:])
    if not rest:
        return "rows " + (shown[0] if len(shown) == 1
                          else f"{', '.join(shown[:-1])} and {shown[-1]}")
    return f"rows {', '.join(shown)} and {rest} more"


def _columns(columns: list[str]) -> str:
    columns = list(dict.fromkeys(c for c in columns if c))
    if not columns:
        return ""
    if len(columns) == 1:
        return f" in column {columns[0]}"
    if len(columns) <= MAX_LISTED:
        return f" in columns {', '.join(columns[:-1])} and {columns[-1]}"
    return (f" in {len(columns)} columns ({', '.join(columns[:MAX_LISTED])} and "
            f"{len(columns) - MAX_LISTED} more)")


def group_errors(errors: list[RowError]) -> list[str]:
    """One line per distinct problem, ordered by the first row it occurs in.

    Errors of the file as a whole (row 0) and of its header (row 1) keep a line each. Cell
    errors are grouped by reason and value, whatever the column: the element a reason names
    ("(STR-02)") and the row a duplicate first occurs ("(first at row 3)") do not count. A
    problem met once is shown as `RowError.describe()` gives it; more often as
    `<file>: <problem>: <n> cells in <columns>, rows <rows>`.
    """
    groups: dict[tuple, list[RowError]] = {}
    for e in errors:
        key = (e.file, e.row, e.column, e.reason, e.value) if e.row <= 1 \
            else (e.file, _general(e.reason), e.value)
        groups.setdefault(key, []).append(e)
    ordered = sorted(groups.values(), key=lambda g: min(e.row for e in g))  # stable
    lines = []
    for group in ordered:
        first = group[0]
        if len(group) == 1 or first.row <= 1:
            lines.append(first.describe())
            continue
        what = _what(_general(first.reason), first.value)
        cells = f"{len(group)} cells" + _columns([e.column for e in group])
        lines.append(f"{first.file}: {what}: {cells}, {format_rows([e.row for e in group])}")
    return lines


def skippable(errors: list[RowError], rows_read: int) -> bool:
    """True when --skip-invalid could stage something of the file: it has rows and its errors
    are errors of rows, not of the file as a whole (unreadable, a missing column, a header)."""
    return rows_read > 0 and any(e.row >= 2 for e in errors)


def wave_year(wave: str) -> int | None:
    """The year a wave is named by ('2025', 'voorjaar 2025', '2025-Q1'), None if none."""
    found = _YEAR.findall(str(wave))
    return int(found[0]) if len(found) == 1 else None


def wave_warnings(clean: pd.DataFrame | None) -> list[str]:
    """A warning per wave whose submissions do not fit it.

    A wave's answers are submitted in its own year or in the year before (a "2026" survey may
    open in December 2025); answers of wave 2025 submitted in 2026 usually mean the mapping's
    `wave:` was not updated for a new round. Counted in respondents; waves without a year
    (or with two) are not checked.
    """
    if clean is None or not len(clean) or "wave" not in clean or "submitted_at" not in clean:
        return []
    when = pd.to_datetime(clean["submitted_at"], utc=True, errors="coerce")
    frame = pd.DataFrame({"wave": clean["wave"].astype(str).to_numpy(),
                          "year": when.dt.year.to_numpy(),
                          "respondent": clean["respondent_id"].astype(str).to_numpy()
                          if "respondent_id" in clean else ""})
    out = []
    for wave, rows in frame.groupby("wave", sort=True):
        year = wave_year(wave)
        rows = rows.dropna(subset=["year"])
        if year is None or not len(rows):
            continue
        off = rows[~rows["year"].isin([year, year - 1])]
        if not len(off):
            continue
        n_off, n_all = off["respondent"].nunique(), rows["respondent"].nunique()
        years = ", ".join(str(int(y)) for y in sorted(off["year"].unique()))
        who = "every respondent" if n_off == n_all else f"{n_off} of {n_all} respondents"
        out.append(f"wave {wave!r} does not fit the submission dates: {who} submitted in "
                   f"{years}, not in {year - 1} or {year}; check the wave (the mapping's "
                   "`wave:` or the file's wave column)")
    return out
