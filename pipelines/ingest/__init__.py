"""Ingest canonical survey files (CSV/XLSX): read, validate, keep the original, stage good rows.

    report = ingest_files([Path("survey.csv")], DataPaths(Path("data")))
    print(report.summary())

By default the batch is all-or-nothing: if any file has a bad row, nothing is staged, every bad
file is kept under inbox/rejected/ with `<kept name>.errors.csv` beside it, and
`report.ok` is False. With `skip_invalid=True` the good rows of every file are staged and the
bad rows are written, with their row number and reason, to a rejects CSV. A file that yields
no usable row at all (unreadable, a missing column, every row bad) is rejected in both modes.

Files are never modified; staging is keyed by the file's SHA-256, so ingesting the same file
again stages nothing new ("already staged").
"""

from __future__ import annotations

import datetime as dt
import io
import json
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

import pandas as pd
from tqdm import tqdm

from pipelines.ingest.read import IngestError, RawTable, read_table
from pipelines.ingest.validate import RowError, blank_rows, validate_canonical
from pipelines.staging import DataPaths, atomic_write_bytes, keep_in_inbox, sha256_file, stage

__all__ = [
    "ERROR_COLUMNS", "FileReport", "IngestError", "IngestReport", "RawTable", "RowError",
    "ingest_files", "read_table", "validate_canonical",
]

Status = Literal["staged", "already staged", "rejected", "staged with rejects", "not staged"]
ERROR_COLUMNS = ("file", "row", "column", "reason", "value")


@dataclass
class FileReport:
    """What happened to one input file.

    status: 'staged', 'already staged' (the same bytes were staged before), 'rejected' (this
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
        """One line per file, then up to `max_errors` error lines per file."""
        lines = []
        for f in self.files:
            if f.status in ("staged", "already staged"):
                lines.append(f"{f.name}: {f.status}, {f.rows_staged} of {f.rows_read} rows")
            elif f.status == "staged with rejects":
                lines.append(f"{f.name}: staged {f.rows_staged} of {f.rows_read} rows, "
                             f"{f.rows_read - f.rows_staged} rows rejected ({len(f.errors)} errors)")
            elif f.status == "not staged":
                lines.append(f"{f.name}: not staged ({f.rows_read} good rows), because another "
                             "file was rejected")
            else:
                lines.append(f"{f.name}: rejected, nothing staged ({len(f.errors)} errors)")
            lines.extend(e.describe() for e in f.errors[:max_errors])
            if len(f.errors) > max_errors:
                where = f", all in {f.rejects_path}" if f.rejects_path else ""
                lines.append(f"... and {len(f.errors) - max_errors} more errors{where}")
        if not self.ok:
            lines.append("Nothing was staged: fix the errors and ingest again, "
                         "or use --skip-invalid to stage the good rows.")
        return "\n".join(lines)


@dataclass
class _Checked:
    path: Path
    sha: str
    raw: RawTable | None
    clean: pd.DataFrame | None
    rows_read: int
    errors: list[RowError]
    rejected_rows: pd.DataFrame | None  # original cells + file, row, reason (skip_invalid)

    @property
    def unusable(self) -> bool:
        """No row of this file can be staged (unreadable, missing column, all rows bad)."""
        return bool(self.errors) and (self.clean is None or len(self.clean) == 0)


def ingest_files(files: list[Path], paths: DataPaths, *, framework=None, index=None,
                 skip_invalid: bool = False, rejected_out: Path | None = None,
                 now: dt.datetime | None = None, progress: bool = True) -> IngestReport:
    """Read, validate, keep and stage canonical survey files; see the module docstring."""
    from pipelines.framework import load_framework
    from pipelines.reference import build_index

    files = [Path(f) for f in files]
    missing = [str(f) for f in files if not f.is_file()]
    if missing:
        raise FileNotFoundError(f"no such file: {', '.join(missing)}")
    fw = framework if framework is not None else load_framework()
    element_ids = set(fw.element_ids)
    index = build_index(index)
    now = now if now is not None else dt.datetime.now(dt.UTC)

    checked: list[_Checked] = []
    bar = tqdm(files, desc="ingest", unit="file", file=sys.stderr, disable=not progress)
    for path in bar:
        bar.set_postfix_str(path.name, refresh=False)
        checked.append(_check(path, element_ids=element_ids, index=index, now=now,
                              collect_rejects=skip_invalid))
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
                                      errors_csv))
        elif batch_rejected:  # a good file in a rejected batch: left as it was
            if _is_staged(paths, c.sha):
                reports.append(FileReport(name, c.sha, c.rows_read, _staged_rows(paths, c.sha),
                                          c.errors, "already staged"))
            else:
                reports.append(FileReport(name, c.sha, c.rows_read, 0, c.errors, "not staged"))
        else:
            already = _is_staged(paths, c.sha)
            kept = keep_in_inbox(c.path, paths, c.sha)
            staged = stage(c.clean, sha=c.sha, name=name, kind="real", fmt=c.raw.fmt, paths=paths)
            rejects_path = None
            if c.errors:
                if rejected_out is None:
                    rejects_path = paths.rejected / f"{c.sha[:12]}-{name}.rejected.csv"
                    atomic_write_bytes(rejects_path, _csv_bytes(c.rejected_rows))
                else:
                    rejects_path = Path(rejected_out)
                    combined_rejects.append(c.rejected_rows)
            status: Status = ("already staged" if already
                              else "staged with rejects" if c.errors else "staged")
            reports.append(FileReport(name, c.sha, c.rows_read, staged.rows, c.errors, status,
                                      kept, rejects_path))
    if combined_rejects:
        atomic_write_bytes(Path(rejected_out), _csv_bytes(pd.concat(combined_rejects,
                                                                    ignore_index=True)))
    return IngestReport(reports, skip_invalid=skip_invalid)


def _is_staged(paths: DataPaths, sha: str) -> bool:
    return (paths.staging / f"{sha[:16]}.json").exists()  # the marker stage() writes last


def _staged_rows(paths: DataPaths, sha: str) -> int:
    meta = json.loads((paths.staging / f"{sha[:16]}.json").read_text(encoding="utf-8"))
    return int(meta["rows"])


def _check(path: Path, *, element_ids: set[str], index, now: dt.datetime,
           collect_rejects: bool) -> _Checked:
    sha = sha256_file(path)
    try:
        raw = read_table(path)
    except IngestError as exc:
        err = RowError(path.name, exc.row or 0, "", exc.reason, "")
        return _Checked(path, sha, None, None, 0, [err], None)
    frame = raw.frame
    rows_read = int((~blank_rows(frame)).sum())
    clean, errors = validate_canonical(frame, file=path.name, index=index,
                                       element_ids=element_ids, now=now)
    if rows_read == 0 and not errors:
        errors = [RowError(path.name, 0, "", "the file has a header but no data rows", "")]
    rejected_rows = _rejected_rows(frame, errors, path.name) if collect_rejects and errors else None
    return _Checked(path, sha, raw, clean, rows_read, errors, rejected_rows)


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
    buf = io.StringIO()
    df.to_csv(buf, index=False, lineterminator="\n")
    return buf.getvalue().encode("utf-8")


def _errors_csv(errors: list[RowError]) -> bytes:
    df = pd.DataFrame([(e.file, e.row, e.column, e.reason, e.value) for e in errors],
                      columns=list(ERROR_COLUMNS))
    return _csv_bytes(df)
