"""Per-process read access to the published build: DuckDB views over its parquet files.

Each server process holds one in-memory DuckDB connection with views over the current build and
opens a cursor per query. Every request first reads warehouse/CURRENT (a few bytes); when the
build id changed, the new build is opened and the old one dropped, so a new build is picked up
without a restart. Published builds are immutable folders, so a reader never sees a mix.

A build is opened only after its files match the SHA-256 checksums of its manifest
(pipelines/integrity.py): a damaged or missing file is never read. While the published build
fails, the newest build that passes (normally the one before) is served, `Warehouse.integrity`
says what failed (for /api/v1/health and the pages' banner), and the check is repeated every
RECHECK_SECONDS, so a repaired or rebuilt folder is picked up without a restart.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd

from pipelines.build import current_build_id
from pipelines.integrity import Verdict, read_manifest_file, verify_build
from pipelines.maturity.cube import MaturityCube
from pipelines.roadmap_build import StoredRoadmaps, read_roadmaps
from pipelines.row_index import RowIndex, shared_ids
from pipelines.staging import DataPaths

log = logging.getLogger(__name__)
_INHERITED: list = []  # DuckDB connections a forked process got from its parent (Snapshot)
QUERY_DIR = Path(__file__).parent / "queries"
# A published build that failed its check is checked again after this long; in between, requests
# cost nothing extra (no hashing per request).
RECHECK_SECONDS = 30.0
VIEWS = ("levels", "coverage", "scores", "coverage_areas")
# The aggregates mart holds every area's statistics; the app reads them only through the view
# `aggregates`, which applies the disclosure pattern (pipelines/disclosure.py) for the app's
# visibility and minimum group: a suppressed area keeps its number of answering municipalities
# (public: who answered is public) and nothing else.
AGGREGATES_VIEW = """
CREATE OR REPLACE VIEW aggregates AS
SELECT a.wave, a.measure, a.area_type, a.area_id,
       CASE WHEN p.publish AND a.n >= {k} THEN a.n ELSE coalesce(p.n, 0) END AS n,
       NOT (coalesce(p.publish, false) AND a.n >= {k}) AS suppressed,
       CASE WHEN p.publish AND a.n >= {k} THEN a.q1 END AS q1,
       CASE WHEN p.publish AND a.n >= {k} THEN a.median END AS median,
       CASE WHEN p.publish AND a.n >= {k} THEN a.q3 END AS q3,
       CASE WHEN p.publish AND a.n >= {k} THEN a.mean END AS mean,
       CASE WHEN p.publish AND a.n >= {k} THEN a.share_ge3 END AS share_ge3
FROM aggregates_all a
LEFT JOIN disclosure p ON p.wave = a.wave AND p.area_type = a.area_type
                       AND p.area_id = a.area_id
"""


def area_key(wave: str, area_type: str, area_id: str) -> str:
    """One text per area of the disclosure pattern (no label holds a tab)."""
    return f"{wave}\t{area_type}\t{area_id}"


def query_text(name: str) -> str:
    return (QUERY_DIR / f"{name}.sql").read_text(encoding="utf-8")


@dataclass
class Snapshot:
    """One published build, opened for reading."""

    build_id: str
    path: Path
    manifest: dict
    reference_dir: Path
    visibility: str = "consent"
    min_group: int = 5
    _con: duckdb.DuckDBPyConnection | None = field(init=False, repr=False, default=None)
    _con_pid: int = field(init=False, repr=False, default=0)  # the process that opened _con
    _con_lock: threading.RLock = field(init=False, repr=False, default_factory=threading.RLock)
    _opening: duckdb.DuckDBPyConnection | None = field(init=False, repr=False, default=None)
    _patterns: dict = field(init=False, repr=False, default_factory=dict)
    _published: dict = field(init=False, repr=False, default_factory=dict)

    def __post_init__(self):
        self._connection()  # a build whose files DuckDB cannot read fails here, not later

    def _connection(self) -> duckdb.DuckDBPyConnection:
        """This process's DuckDB connection, opened on first use (again after `close()`). A
        connection never crosses a fork: gunicorn's master opens the build to warm the caches
        its workers share (gunicorn.conf.py), but DuckDB's threads stay in the master, so a
        worker opens its own."""
        con, pid = self._con, os.getpid()
        if con is not None and self._con_pid == pid:
            return con
        with self._con_lock:  # re-entrant: the disclosure pattern below may query (consent)
            if self._con is not None and self._con_pid == pid:
                return self._con
            if self._opening is not None:  # this thread, while it opens the connection
                return self._opening
            if self._con is not None:  # inherited through a fork: never used, never closed
                _INHERITED.append(self._con)  # (closing it would wait for the master's threads)
            con = self._opening = duckdb.connect()
            try:
                # Memory per process (benchmarks/bench_memory.py measures the whole): the
                # build's files are read through the OS page cache, which every worker shares,
                # not copied into each DuckDB's own file cache; and DuckDB hands memory back
                # after a query instead of keeping up to 128 MB per process for the next one.
                con.execute("SET enable_external_file_cache = false")
                con.execute("SET allocator_flush_threshold = '16MB'")
                for name in VIEWS:
                    con.read_parquet(str(self.path / f"{name}.parquet")).create_view(name)
                con.read_parquet(str(self.path / "aggregates.parquet")).create_view(
                    "aggregates_all")
                # a table, not a registered frame: cursors (one per query) do not see
                # registrations
                con.register("_disclosure", self.disclosure.reset_index())
                con.execute("CREATE TABLE disclosure AS SELECT * FROM _disclosure")
                con.unregister("_disclosure")
                con.execute(AGGREGATES_VIEW.format(k=int(self.min_group)))
                con.read_csv(str(self.reference_dir / "countries.csv"), header=True).create_view(
                    "countries")
                con.read_parquet(str(self.reference_dir / "municipalities.parquet")).create_view(
                    "municipalities")
            except BaseException:
                con.close()
                raise
            finally:
                self._opening = None
            self._con, self._con_pid = con, pid
            return con

    @property
    def demo(self) -> bool:
        return bool(self.manifest.get("demo"))

    @property
    def waves(self) -> list[str]:
        return list(self.manifest.get("waves", []))

    def query(self, name: str, **params) -> pd.DataFrame:
        """Run dashboard/queries/<name>.sql with named parameters on a fresh cursor."""
        cur = self._connection().cursor()
        try:
            # the relational path, as the build uses: the DB-API path (execute().fetch...)
            # returned ORDER BY results in a varying order under threads on DuckDB 2.0
            return cur.sql(query_text(name), params=params).df()
        finally:
            cur.close()

    @cached_property
    def maturity(self) -> MaturityCube:
        """The int8[wave, municipality, element] levels (-1 = missing) with their labels."""
        ids = pd.read_parquet(self.path / "cube_municipalities.parquet")["municipality_id"]
        elements = tuple(self.manifest["elements"])
        # mapped read-only, not loaded: the workers of one server share the file's pages (the
        # cube is never written to; a write would raise)
        levels = np.asarray(np.load(self.path / "levels_cube.npy", mmap_mode="r"))
        return MaturityCube(levels=levels,
                            waves=tuple(self.waves),
                            # fixed-width, not Python objects: read by every request of every
                            # worker, it stays in the pages they share (dashboard/warmup.py)
                            municipality_ids=shared_ids(ids.to_numpy(dtype=str)),
                            element_ids=elements,
                            element_blocks=tuple(e.split("-")[0] for e in elements))

    @cached_property
    def roadmaps(self) -> StoredRoadmaps | None:
        """The roadmap of every municipality in the latest wave, computed at build time; None
        for a build made before roadmaps were stored (rebuild with --force)."""
        return read_roadmaps(self.path)

    @property
    def disclosure(self) -> pd.DataFrame:
        """Which areas' statistics may be published, per wave (index wave, area_type, area_id;
        columns n, hidden, publish) for this app's visibility and minimum group size."""
        return self.pattern(self.visibility)

    def pattern(self, visibility: str) -> pd.DataFrame:
        """The disclosure pattern for a visibility ("consent" or "open"): the build's, or
        computed here when the app's DS4E_MIN_GROUP differs from the build's (or the build
        predates disclosure.parquet)."""
        cached = self._patterns.get(visibility)
        if cached is not None:
            return cached
        from pipelines.disclosure_build import DISCLOSURE_FILE, patterns

        column = "publish_open" if visibility == "open" else "publish_consent"
        stored = self.path / DISCLOSURE_FILE
        if stored.exists() and int(self.manifest.get("min_group", -1)) == int(self.min_group):
            df = pd.read_parquet(stored)
        else:
            from pipelines.disclosure import hierarchy

            ref = pd.read_parquet(self.reference_dir / "municipalities.parquet").set_index(
                "municipality_id").loc[self.maturity.municipality_ids]
            h = hierarchy(ref["country"], ref["nuts2"], ref["nuts3"], ref["size_class"])
            df = patterns(h, self.maturity.levels, self.waves, self.consent, self.min_group)
        out = df[["wave", "area_type", "area_id", "n", "hidden", column]].rename(
            columns={column: "publish"}).set_index(["wave", "area_type", "area_id"]).sort_index()
        self._patterns[visibility] = out
        return out

    def published(self, wave: str, area_type: str, area_id: str,
                  visibility: str | None = None) -> bool:
        """May statistics of this area in this wave be shown? (False for an unknown area.)"""
        keys, publish = self._published_index(visibility or self.visibility)
        row = keys.get(area_key(wave, area_type, area_id))
        return False if row is None else bool(publish[row])

    def _published_index(self, visibility: str) -> tuple[RowIndex, np.ndarray]:
        """The pattern's areas as one sorted array of keys and their publish flags: a lookup is
        a binary search (~10 us) where `.at` on the MultiIndex took ~1 ms, and a breakdown asks
        once per region (the draft-law what-if over the EU: ~36 times per request)."""
        hit = self._published.get(visibility)
        if hit is None:
            df = self.pattern(visibility).reset_index()
            keys = [area_key(w, t, a) for w, t, a in zip(
                df["wave"].tolist(), df["area_type"].tolist(), df["area_id"].tolist(), strict=True)]
            hit = self._published[visibility] = (
                RowIndex(keys), df["publish"].to_numpy(dtype=bool))
        return hit

    @cached_property
    def consent(self) -> np.ndarray:
        """bool[M] in cube order: the municipality consented to publication by name."""
        df = self.query("consent")
        out = np.zeros(len(self.maturity.municipality_ids), dtype=bool)
        if len(df):
            idx = pd.Index(self.maturity.municipality_ids).get_indexer(df["municipality_id"])
            out[idx[idx >= 0]] = df["publish_consent"].to_numpy(dtype=bool)[idx >= 0]
        return out

    def close(self) -> None:
        """Close this process's connection (a later query opens a new one)."""
        with self._con_lock:
            if self._con is not None and self._con_pid == os.getpid():
                self._con.close()
                self._con = None


class Warehouse:
    """The published data as the app sees it: `snapshot()` is None until something is built."""

    def __init__(self, data_dir: Path, reference_dir: Path, visibility: str = "consent",
                 min_group: int = 5):
        self.paths = DataPaths(Path(data_dir))
        self.reference_dir = Path(reference_dir)
        self.visibility, self.min_group = visibility, min_group
        self._lock = threading.Lock()
        self._snapshot: Snapshot | None = None
        self._retired: Snapshot | None = None  # the previous build: requests may still read it
        self.integrity: Verdict | None = None  # the last check of the published build
        self.recheck_seconds = RECHECK_SECONDS
        self._refused_at = 0.0  # time.monotonic() when the published build last failed

    def snapshot(self) -> Snapshot | None:
        """The build to read: the published one, or while that fails its check the newest one
        that passes (None when there is none, or nothing is published)."""
        build_id = current_build_id(self.paths)
        snap = self._snapshot
        if snap is not None and snap.build_id == build_id:
            return snap
        if self._refused(build_id):
            return self._snapshot  # read after: it is set before the refusal (below)
        with self._lock:
            snap = self._snapshot
            if (snap is not None and snap.build_id == build_id) or self._refused(build_id):
                return snap
            new, verdict = self._open(build_id) if build_id else (None, None)
            if new is None and build_id:
                new = self._fallback(build_id)
            if new is not snap:
                # close the build before the previous one: by now no request still reads it (a
                # request reads one snapshot for well under a second; builds come minutes apart)
                if self._retired is not None:
                    self._retired.close()
                self._retired, self._snapshot = snap, new
            # Only now, after the fallback is in place: a request that sees the refusal without
            # taking the lock (another thread, e.g. the pages' warm-up) must find it.
            if verdict is not None and not verdict.ok:
                self._refused_at = time.monotonic()
            self.integrity = verdict
            return new

    def _refused(self, build_id: str | None) -> bool:
        """This published build failed its check a moment ago: do not hash it on every request."""
        v = self.integrity
        return (build_id is not None and v is not None and not v.ok and v.build_id == build_id
                and time.monotonic() - self._refused_at < self.recheck_seconds)

    def _open(self, build_id: str) -> tuple[Snapshot | None, Verdict]:
        """The published build, opened after checking its files (None when they fail), and the
        outcome of the check."""
        verdict = verify_build(self.paths.builds / build_id, build_id)
        if not verdict.ok:
            log.error("published build %s failed its integrity check, not served: %s",
                      build_id, verdict.summary())
            return None, verdict
        return self._snapshot_of(build_id, verdict.manifest), verdict

    def _fallback(self, failed: str) -> Snapshot | None:
        """The newest other build whose files pass, served while the published one fails
        (normally the build before it). Newest by the manifest's build time, so every worker
        and machine falls back to the same build, whatever it served before."""
        try:
            folders = [p for p in self.paths.builds.iterdir()
                       if p.is_dir() and not p.name.startswith(".") and p.name != failed]
        except FileNotFoundError:
            return None
        dated = []
        for folder in folders:
            manifest, _ = read_manifest_file(folder)
            if manifest is not None:
                dated.append((str(manifest.get("built_at", "")), folder.name))
        for _, build_id in sorted(dated, reverse=True):
            if self._snapshot is not None and self._snapshot.build_id == build_id:
                return self._snapshot  # checked when it was opened
            verdict = verify_build(self.paths.builds / build_id, build_id)
            if verdict.ok:
                log.warning("serving build %s while the published build %s fails its check",
                            build_id, failed)
                return self._snapshot_of(build_id, verdict.manifest)
        return None

    def _snapshot_of(self, build_id: str, manifest: dict) -> Snapshot:
        return Snapshot(build_id=build_id, path=self.paths.builds / build_id, manifest=manifest,
                        reference_dir=self.reference_dir, visibility=self.visibility,
                        min_group=self.min_group)
