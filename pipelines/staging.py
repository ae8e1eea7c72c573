"""Where inputs live on disk, and how a validated input becomes a staged parquet file.

Layout under the data folder (DS4E_DATA_DIR):

    inbox/              every input exactly as it arrived (never edited)
    inbox/rejected/     inputs refused whole, with <name>.errors.csv beside them
    staging/            one <sha>.parquet + <sha>.json per accepted input (canonical rows)
    warehouse/builds/   immutable published builds, one folder per build id
    warehouse/CURRENT   the id of the published build (replaced atomically)

Staging is keyed by the input's SHA-256, so ingesting the same bytes twice stages once.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import shutil
import tempfile
from dataclasses import dataclass
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


def atomic_write_bytes(path: Path, data: bytes) -> None:
    """Write to a temp file in the same folder, then os.replace: readers never see half a file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def keep_in_inbox(src: Path, paths: DataPaths, sha: str, rejected: bool = False) -> Path:
    """Copy an input into the inbox under a name that cannot collide; return the copy's path.

    A file that already lives in the inbox (an in-app survey record) is kept where it is."""
    if not rejected and src.resolve().is_relative_to(paths.inbox.resolve()):
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
    sha256: str
    name: str
    kind: Kind
    fmt: str
    rows: int
    staged_at: str
    parquet: Path

    def meta(self) -> dict:
        return {"sha256": self.sha256, "name": self.name, "kind": self.kind, "format": self.fmt,
                "rows": self.rows, "staged_at": self.staged_at, "parquet": self.parquet.name}


def stage(df: pd.DataFrame | pa.Table, *, sha: str, name: str, kind: Kind, fmt: str,
          paths: DataPaths) -> StagedInput:
    """Write validated canonical rows for one input; a second call with the same sha is a no-op."""
    paths.ensure()
    parquet = paths.staging / f"{sha[:16]}.parquet"
    meta_path = paths.staging / f"{sha[:16]}.json"
    if meta_path.exists():
        return _from_meta(json.loads(meta_path.read_text(encoding="utf-8")), paths)
    table = df if isinstance(df, pa.Table) else to_arrow(df)
    fd, tmp = tempfile.mkstemp(dir=paths.staging, prefix=".stage-", suffix=".parquet")
    os.close(fd)
    try:
        pq.write_table(table, tmp, compression="zstd")
        os.replace(tmp, parquet)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    staged = StagedInput(sha256=sha, name=name, kind=kind, fmt=fmt, rows=table.num_rows,
                         staged_at=dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
                         parquet=parquet)
    # The .json is written last: a parquet without its .json is an interrupted stage, ignored.
    atomic_write_bytes(meta_path, json.dumps(staged.meta(), indent=1).encode())
    return staged


def _from_meta(meta: dict, paths: DataPaths) -> StagedInput:
    return StagedInput(sha256=meta["sha256"], name=meta["name"], kind=meta["kind"],
                       fmt=meta["format"], rows=meta["rows"], staged_at=meta["staged_at"],
                       parquet=paths.staging / meta["parquet"])


def staged_inputs(paths: DataPaths) -> list[StagedInput]:
    """Every completed stage, in a stable order (by sha) so builds are reproducible."""
    if not paths.staging.exists():
        return []
    metas = [json.loads(p.read_text(encoding="utf-8")) for p in paths.staging.glob("*.json")]
    return [_from_meta(m, paths) for m in sorted(metas, key=lambda m: m["sha256"])]
