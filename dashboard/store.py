"""Per-process read access to the published build: DuckDB views over its parquet files.

Each server process holds one in-memory DuckDB connection with views over the current build and
opens a cursor per query. Every request first reads warehouse/CURRENT (a few bytes); when the
build id changed, the new build is opened and the old one dropped, so a new build is picked up
without a restart. Published builds are immutable folders, so a reader never sees a mix.
"""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd

from pipelines.build import current_build_id
from pipelines.maturity.cube import MaturityCube
from pipelines.roadmap_build import StoredRoadmaps, read_roadmaps
from pipelines.staging import DataPaths

QUERY_DIR = Path(__file__).parent / "queries"
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
    _con: duckdb.DuckDBPyConnection = field(init=False, repr=False)
    _patterns: dict = field(init=False, repr=False, default_factory=dict)

    def __post_init__(self):
        self._con = duckdb.connect()
        for name in VIEWS:
            self._con.read_parquet(str(self.path / f"{name}.parquet")).create_view(name)
        self._con.read_parquet(str(self.path / "aggregates.parquet")).create_view(
            "aggregates_all")
        # a table, not a registered frame: cursors (one per query) do not see registrations
        self._con.register("_disclosure", self.disclosure.reset_index())
        self._con.execute("CREATE TABLE disclosure AS SELECT * FROM _disclosure")
        self._con.unregister("_disclosure")
        self._con.execute(AGGREGATES_VIEW.format(k=int(self.min_group)))
        self._con.read_csv(str(self.reference_dir / "countries.csv"), header=True).create_view(
            "countries")
        self._con.read_parquet(str(self.reference_dir / "municipalities.parquet")).create_view(
            "municipalities")

    @property
    def demo(self) -> bool:
        return bool(self.manifest.get("demo"))

    @property
    def waves(self) -> list[str]:
        return list(self.manifest.get("waves", []))

    def query(self, name: str, **params) -> pd.DataFrame:
        """Run dashboard/queries/<name>.sql with named parameters on a fresh cursor."""
        cur = self._con.cursor()
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
        return MaturityCube(levels=np.load(self.path / "levels_cube.npy"),
                            waves=tuple(self.waves), municipality_ids=ids.to_numpy(),
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
        try:
            return bool(self.pattern(visibility or self.visibility).at[
                (wave, area_type, area_id), "publish"])
        except KeyError:
            return False

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
        self._con.close()


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

    def snapshot(self) -> Snapshot | None:
        build_id = current_build_id(self.paths)
        snap = self._snapshot
        if snap is not None and snap.build_id == build_id:
            return snap
        with self._lock:
            if self._snapshot is not None and self._snapshot.build_id == build_id:
                return self._snapshot
            # close the build before the previous one: by now no request still reads it (a
            # request reads one snapshot for well under a second; builds come minutes apart)
            if self._retired is not None:
                self._retired.close()
            self._retired = self._snapshot
            self._snapshot = self._open(build_id) if build_id else None
            return self._snapshot

    def _open(self, build_id: str) -> Snapshot | None:
        path = self.paths.builds / build_id
        manifest_path = path / "manifest.json"
        if not manifest_path.exists():
            return None
        manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
        return Snapshot(build_id=build_id, path=path, manifest=manifest,
                        reference_dir=self.reference_dir, visibility=self.visibility,
                        min_group=self.min_group)
