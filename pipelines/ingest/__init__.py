"""Ingest survey files: read, validate, keep the original, stage good rows.

    report = ingest_files([Path("survey.csv")], DataPaths(Path("data")))
    print(report.summary())

Files are canonical CSV/XLSX or survey-tool exports (LimeSurvey, Microsoft Forms,
KoboToolbox, Qualtrics, a wide table; pipelines/ingest/tools/). `fmt="auto"` (the default)
detects which from the headers; a tool export needs a mapping file (`mapping=`) that says
which question is which element and which answer is which level. A tool export's rows are
its respondents: one respondent row with any error is rejected whole, and errors name the
export's own row numbers and headers.

By default the batch is all-or-nothing: if any file has a bad row, nothing is staged, every bad
file is kept under inbox/rejected/ with `<kept name>.errors.csv` beside it, and
`report.ok` is False. With `skip_invalid=True` the good rows of every file are staged and the
bad rows are written, with their row number and reason, to a rejects CSV. A file that yields
no usable row at all (unreadable, a missing column, every row bad) is rejected in both modes.

Files are never modified. Staging is keyed by the file's SHA-256 and reflects the last import
of each file: the same file with the same result is "already staged" (the counts are this
import's); with another result (a corrected mapping, wave or option) the new rows *replace* the
earlier import's, the report says which ("replaces the import of <date> (mapping lime.yaml,
wave 2025 → 2026)"), and the replaced rows move to staging/replaced/.
"""

from __future__ import annotations

import datetime as dt
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

import pandas as pd
from tqdm import tqdm

from pipelines.csv_safe import csv_bytes
from pipelines.ingest.errors import group_errors, skippable, wave_warnings
from pipelines.ingest.read import IngestError, RawTable, read_grid, read_table
from pipelines.ingest.tools import (
    ADAPTERS,
    LOOKED_FOR,
    TOOLS,
    Mapping,
    MappingError,
    convert,
    detect,
    label,
    load_mapping,
)
from pipelines.ingest.validate import RowError, blank_rows, validate_canonical
from pipelines.staging import (
    DataPaths,
    StagedInput,
    atomic_write_bytes,
    keep_in_inbox,
    sha256_file,
    stage_input,
    staged_inputs,
)

__all__ = [
    "ERROR_COLUMNS", "FORMATS", "FileReport", "IngestError", "IngestReport", "MappingError",
    "RawTable", "RowError", "ingest_files", "read_table", "validate_canonical",
]

Status = Literal["staged", "already staged", "rejected", "staged with rejects", "not staged"]
ERROR_COLUMNS = ("file", "row", "column", "reason", "value")
FORMATS = ("auto", "canonical", *TOOLS)


@dataclass
class FileReport:
    """What happened to one input file.

    status: 'staged' (new, or replacing an earlier import of the same file: `replaces`),
    'already staged' (this file was staged before with the same result), 'rejected' (this
    file has errors and nothing of it was staged), 'staged with rejects' (skip_invalid: the good
    rows were staged, the bad ones written to `rejects_path`) or 'not staged' (this file is fine
    but another file of the batch was rejected, and the batch is all-or-nothing).
    """

    name: str
    sha256: str
    rows_read: int
    rows_staged: int
    errors: list[RowError] = field(default_factory=list)
    status: Status = "staged"
    kept_path: Path | None = None  # the copy under inbox/ (or inbox/rejected/)
    rejects_path: Path | None = None  # errors.csv (rejected) or the rejected-rows CSV (skip)
    detected: str | None = None  # e.g. "canonical CSV", "LimeSurvey CSV"
    mapping: str | None = None  # the mapping file's name (survey-tool exports)
    answers: int | None = None  # survey-tool exports: staged answers (rows are respondents)
    skipped: dict[str, int] = field(default_factory=dict)  # rows that are not answers, by reason
    replaces: str | None = None  # the earlier import of this export that this one replaced
    kept_earlier: str | None = None  # not staged: the earlier import that stays staged
    warnings: list[str] = field(default_factory=list)  # not errors: e.g. a wave that does not
    # fit the submission dates (pipelines/ingest/errors.py)

    def heading(self) -> str:
        """'survey.csv (LimeSurvey CSV, mapping limesurvey.yaml)'."""
        about = [a for a in (self.detected, self.mapping and f"mapping {self.mapping}") if a]
        return f"{self.name} ({', '.join(about)})" if about else self.name

    def answers_note(self) -> str:
        """' (120 answers)' for survey-tool exports (their rows are respondents), else ''."""
        return f" ({self.answers} answers)" if self.answers is not None else ""

    def skipped_note(self) -> str:
        """'; 3 incomplete skipped, 1 without answers skipped' when rows were skipped."""
        if not self.skipped:
            return ""
        return "; " + ", ".join(f"{n} {why} skipped" for why, n in self.skipped.items())


@dataclass
class IngestReport:
    files: list[FileReport]
    skip_invalid: bool = False

    @property
    def ok(self) -> bool:
        """True when no file was rejected (skipped rows under skip_invalid are fine)."""
        return all(f.status not in ("rejected", "not staged") for f in self.files)

    @property
    def rejected(self) -> bool:
        return not self.ok

    @property
    def errors(self) -> list[RowError]:
        return [e for f in self.files for e in f.errors]

    @property
    def rows_staged(self) -> int:
        return sum(f.rows_staged for f in self.files)

    def summary(self, max_errors: int = 20) -> str:
        """One line per file, its warnings, then up to `max_errors` error lines per file: one
        line per distinct problem (pipelines/ingest/errors.py); the errors CSV lists every cell."""
        lines = []
        for f in self.files:
            head, answers, skipped = f.heading(), f.answers_note(), f.skipped_note()
            replaces = f"; replaces {f.replaces}" if f.replaces else ""
            if f.status in ("staged", "already staged"):
                lines.append(f"{head}: {f.status}, {f.rows_staged} of {f.rows_read} rows"
                             f"{answers}{skipped}{replaces}")
            elif f.status == "staged with rejects":
                lines.append(f"{head}: staged {f.rows_staged} of {f.rows_read} rows{answers}, "
                             f"{f.rows_read - f.rows_staged} rows rejected ({_errors(len(f.errors))})"
                             f"{skipped}{replaces}")
            elif f.status == "not staged":
                kept = (f"; the import of {f.kept_earlier} stays staged" if f.kept_earlier
                        else "")
                lines.append(f"{head}: not staged ({f.rows_read} good rows), because another "
                             f"file was rejected{skipped}{kept}")
            else:
                lines.append(f"{head}: rejected, nothing staged ({_errors(len(f.errors))}){skipped}")
            lines.extend(f"  warning: {w}" for w in f.warnings)
            problems = group_errors(f.errors)
            lines.extend(problems[:max_errors])
            if len(problems) > max_errors:
                where = f", all in {f.rejects_path}" if f.rejects_path else ""
                lines.append(f"... and {len(problems) - max_errors} more problems "
                             f"({_errors(len(f.errors))} in all{where})")
        if not self.ok:
            lines.append(self._advice())
        return "\n".join(lines)

    def _advice(self) -> str:
        """What to do about the rejected files; --skip-invalid only where it would help."""
        rejected = [f for f in self.files if f.status == "rejected"]
        whole = [f.name for f in rejected if not skippable(f.errors, f.rows_read)]
        fix = (f"{', '.join(whole)} cannot be used as a whole: fix what is named above (the "
               "file, a missing column, the mapping) and ingest again")
        if self.skip_invalid:
            bad_rows = [f.name for f in rejected if f.name not in whole]
            return "Not staged: " + "; ".join(
                ([fix] if whole else []) + ([f"{', '.join(bad_rows)}: every row has an error; "
                                             "fix them and ingest again"] if bad_rows else [])
            ) + "."
        if rejected and len(whole) == len(rejected):
            return f"Nothing was staged: {fix} (--skip-invalid would not help)."
        tail = f" ({fix})" if whole else ""
        return ("Nothing was staged: fix the errors and ingest again, or use --skip-invalid to "
                f"stage the good rows{tail}.")


@dataclass
class _Checked:
    path: Path
    sha: str
    raw: RawTable | None
    clean: pd.DataFrame | None
    rows_read: int
    errors: list[RowError]
    rejected_rows: pd.DataFrame | None  # original cells + file, row, reason (skip_invalid)
    fmt: str = "csv"  # what staging records: "csv"/"xlsx" (canonical) or the tool
    detected: str | None = None
    mapping: str | None = None
    rows_good: int | None = None  # survey-tool exports: respondent rows to stage
    skipped: dict[str, int] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)

    @property
    def unusable(self) -> bool:
        """No row of this file can be staged (unreadable, missing column, all rows bad)."""
        return bool(self.errors) and (self.clean is None or len(self.clean) == 0)


def ingest_files(files: list[Path], paths: DataPaths, *, fmt: str = "auto",
                 mapping: Path | str | Mapping | None = None, framework=None, index=None,
                 skip_invalid: bool = False, rejected_out: Path | None = None,
                 now: dt.datetime | None = None, progress: bool = True) -> IngestReport:
    """Read, validate, keep and stage survey files; see the module docstring.

    fmt: "auto" (detect per file), "canonical" or a tool (limesurvey, msforms, kobo,
    qualtrics, wide) for every file. mapping: the mapping file (or a loaded Mapping) for
    survey-tool exports. Raises MappingError, before any file is read, for a bad mapping file
    or a tool format without one.
    """
    from pipelines.framework import load_framework
    from pipelines.reference import build_index
    from pipelines.survey.demo import is_demo_record
    from pipelines.survey.records import is_record

    if fmt not in FORMATS:
        raise ValueError(f"unknown format {fmt!r}; one of {', '.join(FORMATS)}")
    files = [Path(f) for f in files]
    missing = [str(f) for f in files if not f.is_file()]
    if missing:
        raise FileNotFoundError(f"no such file: {', '.join(missing)}")
    fw = framework if framework is not None else load_framework()
    element_ids = set(fw.element_ids)
    if mapping is not None and not isinstance(mapping, Mapping):
        mapping = load_mapping(mapping, element_ids)
    if fmt in TOOLS and fmt != "wide" and mapping is None:
        raise MappingError([f"--format {fmt} needs a mapping file (--mapping MAP.yaml) that maps "
                            "questions to elements and answers to levels; examples in "
                            "data/survey_mappings/"])
    if fmt in TOOLS and mapping is not None and mapping.tool != fmt:
        raise MappingError([f"{mapping.name}: tool: the mapping is for {mapping.tool}, "
                            f"but the format is {fmt}"])
    index = build_index(index)
    now = now if now is not None else dt.datetime.now(dt.UTC)

    checked: list[_Checked] = []
    bar = tqdm(files, desc="ingest", unit="file", file=sys.stderr, disable=not progress)
    for path in bar:
        bar.set_postfix_str(path.name, refresh=False)
        checked.append(_check_any(path, fmt=fmt, mapping=mapping, element_ids=element_ids,
                                  index=index, now=now, collect_rejects=skip_invalid,
                                  record=is_record(path, paths.survey_state)))
    bar.close()

    paths.ensure()
    reports: list[FileReport] = []
    batch_rejected = not skip_invalid and any(c.errors for c in checked)
    combined_rejects: list[pd.DataFrame] = []
    for c in checked:
        name = c.path.name
        if c.unusable or (batch_rejected and c.errors):
            kept = keep_in_inbox(c.path, paths, c.sha, rejected=True)
            errors_csv = kept.with_name(kept.name + ".errors.csv")
            atomic_write_bytes(errors_csv, _errors_csv(c.errors))
            reports.append(FileReport(name, c.sha, c.rows_read, 0, c.errors, "rejected", kept,
                                      errors_csv, **_about(c)))
        elif batch_rejected:  # a good file in a rejected batch: staging left as it was
            earlier = _staged(paths, c.sha)
            reports.append(FileReport(name, c.sha, c.rows_read, 0, c.errors, "not staged",
                                      **_about(c), kept_earlier=earlier.describe()
                                      if earlier is not None else None))
        else:
            kept = keep_in_inbox(c.path, paths, c.sha)
            # answers given through the demo wave's public links are demo data (survey/demo.py)
            kind = "demo" if is_demo_record(c.path, paths.survey_state) else "real"
            done = stage_input(c.clean, sha=c.sha, name=name, kind=kind, fmt=c.fmt, paths=paths,
                               about=_staged_about(c, skip_invalid))
            staged = done.input
            rejects_path = None
            if c.errors:
                if rejected_out is None:
                    rejects_path = paths.rejected / f"{c.sha[:12]}-{name}.rejected.csv"
                    atomic_write_bytes(rejects_path, _csv_bytes(c.rejected_rows))
                else:
                    rejects_path = Path(rejected_out)
                    combined_rejects.append(c.rejected_rows)
            status: Status = ("already staged" if done.status == "already staged"
                              else "staged with rejects" if c.errors else "staged")
            reports.append(FileReport(name, c.sha, c.rows_read,
                                      staged.rows if c.rows_good is None else c.rows_good,
                                      c.errors, status, kept, rejects_path,
                                      **_about(c, staged.rows),
                                      replaces=_replaces(done.replaced, staged)))
    if combined_rejects:
        atomic_write_bytes(Path(rejected_out), _csv_bytes(pd.concat(combined_rejects,
                                                                    ignore_index=True)))
    return IngestReport(reports, skip_invalid=skip_invalid)


def _about(c: _Checked, answers: int | None = None) -> dict:
    """The FileReport fields that say what the file was read as."""
    tool = c.rows_good is not None
    return {"detected": c.detected, "mapping": c.mapping, "skipped": dict(c.skipped),
            "answers": answers if tool and answers is not None else None,
            "warnings": list(c.warnings)}


def _errors(n: int) -> str:
    return "1 error" if n == 1 else f"{n} errors"


def _staged(paths: DataPaths, sha: str) -> StagedInput | None:
    """The current staged import of an input, if any (the marker stage_input writes last)."""
    marker = paths.staging / f"{sha[:16]}.json"
    if not marker.exists():
        return None
    return next((s for s in staged_inputs(paths) if s.sha256 == sha), None)


def _staged_about(c: _Checked, skip_invalid: bool) -> dict:
    """What staging records about an import, so `status` and a later re-import can say it."""
    respondents = c.rows_good is not None
    good = c.rows_good if respondents else (len(c.clean) if c.clean is not None else 0)
    return {"mapping": c.mapping, "options": {"format": c.fmt, "skip_invalid": skip_invalid},
            "rows_read": c.rows_read, "rows_good": good,
            "rows_rejected": max(c.rows_read - good, 0) if c.errors else 0,
            "respondents": respondents}


def _replaces(old: StagedInput | None, new: StagedInput) -> str | None:
    """'the import of 2026-12-06 10:12 (mapping lime.yaml, wave 2025 → 2026, 10 → 39 rows)'."""
    if old is None:
        return None
    when = old.staged_at.replace("T", " ")[:16]
    bits = []
    if old.about.get("mapping") or new.about.get("mapping"):
        a, b = old.about.get("mapping") or "none", new.about.get("mapping") or "none"
        bits.append(f"mapping {a}" if a == b else f"mapping {a} → {b}")
    ow, nw = ", ".join(old.about.get("waves") or ()), ", ".join(new.about.get("waves") or ())
    if ow or nw:
        bits.append(f"wave {ow}" if ow == nw else f"wave {ow or '?'} → {nw or '?'}")
    bits.append(f"{old.rows:,} rows" if old.rows == new.rows else f"{old.rows:,} → {new.rows:,} rows")
    return f"the import of {when} ({', '.join(bits)})"


def _check_any(path: Path, *, fmt: str, mapping: Mapping | None, element_ids: set[str], index,
               now: dt.datetime, collect_rejects: bool, record: bool = False) -> _Checked:
    """Check one file in the format asked for, or the one its headers show (fmt="auto")."""
    if fmt == "canonical":
        return _check(path, element_ids=element_ids, index=index, now=now,
                      collect_rejects=collect_rejects, record=record)
    try:
        grid = read_grid(path)
    except IngestError:  # let the canonical reader say what is wrong, exactly as it always has
        return _check(path, element_ids=element_ids, index=index, now=now,
                      collect_rejects=collect_rejects, record=record)
    tool, problem, use_mapping = fmt, None, mapping
    kind = _kind(grid.fmt, grid.delimiter)
    if fmt == "auto":
        tool = detect(grid, element_ids).fmt
        if tool == "canonical":
            checked = _check(path, element_ids=element_ids, index=index, now=now,
                             collect_rejects=collect_rejects, record=record)
            checked.detected = label("canonical", _kind(checked.raw.fmt, checked.raw.delimiter)
                                     if checked.raw is not None else checked.fmt)
            return checked
        if tool is None and mapping is not None:
            tool = mapping.tool  # the headers alone did not say; the mapping does
        elif tool is None:
            problem = f"not a recognised survey file; looked for {LOOKED_FOR}"
        elif tool == "wide":
            use_mapping = mapping if mapping is not None and mapping.tool == "wide" else None
        elif mapping is None:
            problem = (f"looks like a {label(tool, kind)} export: give a mapping file with "
                       "--mapping (examples in data/survey_mappings/)")
        elif tool != mapping.tool:
            problem = (f"looks like a {label(tool, kind)} export, but the mapping "
                       f"{mapping.name} is for {mapping.tool}; use --format {mapping.tool} to "
                       "read it that way anyway")
    sha = sha256_file(path)
    detected = label(tool, kind) if tool else None
    if problem:
        return _Checked(path, sha, None, None, 0, [RowError(path.name, 0, "", problem, "")], None,
                        fmt=tool or grid.fmt, detected=detected, rows_good=0)
    result = convert(grid, ADAPTERS[tool], use_mapping, name=path.name, index=index,
                     element_ids=element_ids, now=now)
    errors = result.errors
    if result.rows_read == 0 and not errors:
        why = ", ".join(f"{n} {r}" for r, n in result.skipped.items())
        errors = [RowError(path.name, 0, "", f"no responses to stage ({why} skipped)" if why
                           else "the file has a header but no data rows", "")]
    rejected_rows = (_rejected_rows(result.original, errors, path.name, result.first_row)
                     if collect_rejects and errors and result.original is not None else None)
    return _Checked(path, sha, None, result.clean, result.rows_read, errors, rejected_rows,
                    fmt=tool, detected=detected,
                    mapping=use_mapping.name if use_mapping is not None else None,
                    rows_good=result.rows_good, skipped=result.skipped,
                    warnings=[*result.warnings, *wave_warnings(result.clean)])


def _kind(fmt: str, delimiter: str | None) -> str:
    """What to call the file in messages: csv, tsv (tab-separated) or xlsx."""
    return "tsv" if fmt == "csv" and delimiter == "\t" else fmt


def _check(path: Path, *, element_ids: set[str], index, now: dt.datetime,
           collect_rejects: bool, record: bool = False) -> _Checked:
    """Check a canonical file; `record`: an in-app survey record, whose formula-looking text
    the app neutralised when it wrote it (pipelines/survey/records.py) and is restored here."""
    sha = sha256_file(path)
    try:
        raw = read_table(path)
    except IngestError as exc:
        err = RowError(path.name, exc.row or 0, exc.column or "", exc.reason, "")
        return _Checked(path, sha, None, None, 0, [err], None)
    frame = raw.frame
    if record:
        from pipelines.survey.records import record_cells

        frame = record_cells(frame)
    rows_read = int((~blank_rows(frame)).sum())
    clean, errors = validate_canonical(frame, file=path.name, index=index,
                                       element_ids=element_ids, now=now)
    if rows_read == 0 and not errors:
        errors = [RowError(path.name, 0, "", "the file has a header but no data rows", "")]
    rejected_rows = _rejected_rows(frame, errors, path.name) if collect_rejects and errors else None
    return _Checked(path, sha, raw, clean, rows_read, errors, rejected_rows, fmt=raw.fmt,
                    warnings=wave_warnings(clean))


def _rejected_rows(frame: pd.DataFrame, errors: list[RowError], name: str,
                   first_row: int = 2) -> pd.DataFrame:
    """The bad rows with their original cells, plus file, row and the reasons (one line a row)."""
    by_row: dict[int, list[str]] = {}
    for e in errors:
        if e.row >= first_row:
            by_row.setdefault(e.row, []).append(f"{e.column}: {e.reason}")
    rows = sorted(by_row)
    body = frame.iloc[[r - first_row for r in rows]].reset_index(drop=True)
    head = pd.DataFrame({"file": name, "row": rows, "reason": ["; ".join(by_row[r]) for r in rows]})
    extra = [c for c in body.columns if c in head.columns]
    body = body.rename(columns={c: f"original_{c}" for c in extra})
    return pd.concat([head, body], axis=1)


def _csv_bytes(df: pd.DataFrame) -> bytes:
    # Rejects and errors files are for people: they quote cells as typed, so a formula in an
    # upload would run in the spreadsheet that opens them.
    return csv_bytes(df)


def _errors_csv(errors: list[RowError]) -> bytes:
    df = pd.DataFrame([(e.file, e.row, e.column, e.reason, e.value) for e in errors],
                      columns=list(ERROR_COLUMNS))
    return _csv_bytes(df)
