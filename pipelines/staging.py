"""Where inputs live on disk, and how a validated input becomes a staged parquet file.

Layout under the data folder (DS4E_DATA_DIR):

    inbox/              every input exactly as it arrived (never edited)
    inbox/rejected/     inputs refused whole, with <name>.errors.csv beside them
    staging/            one <sha>-<content>.parquet + <sha>.json per accepted input
    staging/replaced/   earlier imports of an input that a later import replaced
    warehouse/builds/   immutable published builds, one folder per build id
    warehouse/CURRENT   the id of the published build (replaced atomically)

The in-app survey's files (survey/, inbox/survey/) live under the *state* folder, which is the
data folder unless DS4E_STATE_DIR names another (`DataPaths.survey_state`): it is the one place
a serving process writes to, so the rest may be read-only.

Staging is keyed by the input's SHA-256: one staged import per input. Importing the same bytes
again with the same result stages nothing new; with a different result (a corrected mapping)
it replaces the earlier import, which moves to staging/replaced/ (`stage_input`).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from pipelines.canonical import to_arrow

Kind = Literal["real", "demo"]


@dataclass(frozen=True)
class DataPaths:
    root: Path
    state: Path | None = None  # the survey's folder (DS4E_STATE_DIR); None: the data folder

    @property
    def survey_state(self) -> Path:
        """The folder holding survey/ and inbox/survey/ (waves, links, drafts, records)."""
        return Path(self.state) if self.state is not None else self.root

    @property
    def inbox(self) -> Path:
        return self.root / "inbox"

    @property
    def rejected(self) -> Path:
        return self.inbox / "rejected"

    @property
    def staging(self) -> Path:
        return self.root / "staging"

    @property
    def warehouse(self) -> Path:
        return self.root / "warehouse"

    @property
    def builds(self) -> Path:
        return self.warehouse / "builds"

    @property
    def current(self) -> Path:
        return self.warehouse / "CURRENT"

    def ensure(self) -> DataPaths:
        for p in (self.inbox, self.rejected, self.staging, self.builds):
            p.mkdir(parents=True, exist_ok=True)
        return self


def sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def _umask() -> int:
    mask = os.umask(0)  # the only way to read it; set back at once (at import, before threads)
    os.umask(mask)
    return mask


UMASK = _umask()


def readable_by_others(fd: int) -> None:
    """Give a temp file from mkstemp (0600) the mode of a normally created file (umask
    applies): survey records are read by the build, possibly as another user than the app."""
    os.fchmod(fd, 0o666 & ~UMASK)


def atomic_write_bytes(path: Path, data: bytes) -> None:
    """Write to a temp file in the same folder, then os.replace: readers never see half a file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        # mkstemp makes the file 0600: the published manifest, CURRENT and an export must be
        # readable as any other file written here (a server may read as another user)
        os.chmod(tmp, 0o666 & ~UMASK)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def keep_in_inbox(src: Path, paths: DataPaths, sha: str, rejected: bool = False) -> Path:
    """Copy an input into the inbox under a name that cannot collide; return the copy's path.

    A file that already lives in the inbox (an in-app survey record, also in the state
    folder's inbox) is kept where it is."""
    inboxes = {paths.inbox.resolve(), (paths.survey_state / "inbox").resolve()}
    if not rejected and any(src.resolve().is_relative_to(i) for i in inboxes):
        return src
    folder = paths.rejected if rejected else paths.inbox
    dest = folder / f"{sha[:12]}-{src.name}"
    if not dest.exists():
        folder.mkdir(parents=True, exist_ok=True)
        tmp = folder / f".{dest.name}.part"
        shutil.copyfile(src, tmp)
        os.replace(tmp, dest)
    return dest


@dataclass(frozen=True)
class StagedInput:
    """One staged input: the export (`sha256` of its bytes) and what its latest import made of
    it (`content_sha256` of the staged parquet, and `about`: mapping, waves, counts)."""

    sha256: str
    name: str
    kind: Kind
    fmt: str
    rows: int
    staged_at: str
    parquet: Path
    content_sha256: str = ""
    about: dict = field(default_factory=dict)  # mapping, options, waves, rows_read, ...
    history: tuple[dict, ...] = ()  # earlier imports of the same export, oldest first

    def meta(self) -> dict:
        return {"sha256": self.sha256, "name": self.name, "kind": self.kind, "format": self.fmt,
                "rows": self.rows, "staged_at": self.staged_at, "parquet": self.parquet.name,
                "content_sha256": self.content_sha256, **self.about,
                "history": list(self.history)}

    def describe(self) -> str:
        """'2026-12-06 10:12 (mapping lime.yaml, wave 2025, 10 rows)': for 'replaces ...'."""
        when = self.staged_at.replace("T", " ")[:16]
        bits = [f"mapping {self.about['mapping']}"] if self.about.get("mapping") else []
        waves = self.about.get("waves") or []
        if waves:
            bits.append(("wave " if len(waves) == 1 else "waves ") + ", ".join(waves))
        bits.append(f"{self.rows:,} rows")
        return f"{when} ({', '.join(bits)})"


@dataclass(frozen=True)
class Staged:
    """What `stage` did: the input as staged now, and the import it replaced (if any)."""

    input: StagedInput
    status: Literal["staged", "already staged", "replaced"]
    replaced: StagedInput | None = None


_ABOUT_KEYS = ("mapping", "options", "waves", "rows_read", "rows_good",
               "rows_rejected", "respondents")


def stage(df: pd.DataFrame | pa.Table, *, sha: str, name: str, kind: Kind, fmt: str,
          paths: DataPaths, about: dict | None = None) -> StagedInput:
    """Stage validated canonical rows for one input (see `stage_input`); the staged input."""
    return stage_input(df, sha=sha, name=name, kind=kind, fmt=fmt, paths=paths,
                       about=about).input


def stage_input(df: pd.DataFrame | pa.Table, *, sha: str, name: str, kind: Kind, fmt: str,
                paths: DataPaths, about: dict | None = None) -> Staged:
    """Stage validated canonical rows for one input, keyed by the input's bytes.

    Staging reflects what the user last imported: the same export imported again with the
    same result is "already staged"; with a different result (another mapping, wave or
    options) it *replaces* the earlier import, whose staged rows move to staging/replaced/
    (nothing is lost; the export itself stays in the inbox). Crash-safe: the new rows are
    written under their own content name first, then the `.json` marker (which names the
    parquet) is replaced atomically, and only then is the old parquet moved away; a reader
    sees the old import or the new one, never half of either."""
    paths.ensure()
    key = sha[:16]
    meta_path = paths.staging / f"{key}.json"
    old = _from_meta(json.loads(meta_path.read_text(encoding="utf-8")), paths) \
        if meta_path.exists() else None
    table = df if isinstance(df, pa.Table) else to_arrow(df)
    fd, tmp = tempfile.mkstemp(dir=paths.staging, prefix=".stage-", suffix=".parquet")
    os.close(fd)
    try:
        pq.write_table(table, tmp, compression="zstd")
        content = sha256_file(Path(tmp))
        if old is not None and old.content_sha256 == content:
            Path(tmp).unlink()
            return Staged(old, "already staged")
        parquet = paths.staging / f"{key}-{content[:12]}.parquet"
        os.replace(tmp, parquet)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    about = {k: v for k, v in (about or {}).items() if k in _ABOUT_KEYS}
    about.setdefault("waves", _waves(table))
    history = (*old.history, _history_entry(old)) if old is not None else ()
    staged = StagedInput(sha256=sha, name=name, kind=kind, fmt=fmt, rows=table.num_rows,
                         staged_at=dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
                         parquet=parquet, content_sha256=content, about=about, history=history)
    # The .json is written last: a parquet without a .json naming it is not staged.
    atomic_write_bytes(meta_path, json.dumps(staged.meta(), indent=1).encode())
    if old is not None and old.parquet.exists() and old.parquet != parquet:
        _retire(old, paths)
    return Staged(staged, "staged" if old is None else "replaced", old)


def _waves(table: pa.Table) -> list[str]:
    if "wave" not in table.column_names:
        return []
    return sorted({str(w) for w in table.column("wave").unique().to_pylist() if w is not None})


def _history_entry(old: StagedInput) -> dict:
    return {"staged_at": old.staged_at, "rows": old.rows, "content_sha256": old.content_sha256,
            "replaced_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
            "kept_as": f"replaced/{old.parquet.name}", **old.about}


def _retire(old: StagedInput, paths: DataPaths) -> None:
    """Move a replaced import's rows (and a copy of its marker) to staging/replaced/."""
    folder = paths.staging / "replaced"
    folder.mkdir(exist_ok=True)
    os.replace(old.parquet, folder / old.parquet.name)
    atomic_write_bytes(folder / (old.parquet.stem + ".json"),
                       json.dumps(old.meta(), indent=1).encode())


def unstage(staged: StagedInput, paths: DataPaths) -> None:
    """Remove an input from staging (marker first, so no marker names a missing file)."""
    (paths.staging / f"{staged.sha256[:16]}.json").unlink(missing_ok=True)
    staged.parquet.unlink(missing_ok=True)


def _from_meta(meta: dict, paths: DataPaths) -> StagedInput:
    parquet = paths.staging / meta["parquet"]
    content = meta.get("content_sha256") or (sha256_file(parquet) if parquet.exists() else "")
    return StagedInput(sha256=meta["sha256"], name=meta["name"], kind=meta["kind"],
                       fmt=meta["format"], rows=meta["rows"], staged_at=meta["staged_at"],
                       parquet=parquet, content_sha256=content,
                       about={k: meta[k] for k in _ABOUT_KEYS if k in meta},
                       history=tuple(meta.get("history") or ()))


def staged_inputs(paths: DataPaths) -> list[StagedInput]:
    """Every completed stage, in a stable order (by sha) so builds are reproducible."""
    if not paths.staging.exists():
        return []
    metas = [json.loads(p.read_text(encoding="utf-8")) for p in paths.staging.glob("*.json")]
    return [_from_meta(m, paths) for m in sorted(metas, key=lambda m: m["sha256"])]
