"""Build: staged answers -> marts (DuckDB SQL in pipelines/sql/) -> an atomically published build.

A build is a folder of parquet marts, dense numpy cubes and a manifest.json. Its id is a hash of
everything it was made from (staged inputs, framework, reference data, build logic, settings), so
building the same inputs again publishes nothing new: the build is idempotent.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import shutil
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import duckdb
import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from pipelines.disclosure_build import write_disclosure
from pipelines.framework import Framework, load_framework
from pipelines.integrity import file_checksums
from pipelines.readiness_build import write_readiness
from pipelines.reference import MUNICIPALITIES_FILE, REFERENCE_DIR
from pipelines.roadmap_build import write_roadmaps
from pipelines.staging import DataPaths, atomic_write_bytes, sha256_file, staged_inputs
from pipelines.survey.demo import retire_demo_wave

SQL_DIR = Path(__file__).parent / "sql"
# Bump when the build logic changes in a way that changes the published data.
# 4: the stored roadmaps' law urgency follows the member states' flags (NIS2 scope and dates).
# 5: stored readiness counts every deadline and tells not applicable / not due from ready.
# 6: demo only when every input is demo (a build of mixed inputs published as demo under 5 would
#    otherwise stay current, with the demo's public survey links, until the inputs change).
# 7: disclosure.parquet (complementary suppression) and roadmap peer proof that respects it.
# 8: stored roadmaps: unknown levels are advice, not steps; gates; urgency by consequence and
#    gap; peer proof relative to the target; adjacent instruments' duties count.
BUILD_LOGIC_VERSION = "8"
MIN_GROUP = 5
KEEP_BUILDS = 3
# Marts in the order they are built; each is one SQL file creating a table of that name
# (aggregates.sql: the query of one wave, which `_build_aggregates` runs per wave).
MARTS = ("answers", "levels", "coverage", "scores", "aggregates", "coverage_areas")
# Sort keys make every published file byte-for-byte reproducible, except the last bits of
# aggregates' `mean` (DuckDB's avg sums doubles in a thread-dependent order).
SORT_KEYS = {
    "levels": "municipality_id, wave, element_id",
    "coverage": "municipality_id, wave",
    "scores": "municipality_id, wave, scope",
    "aggregates": "wave, measure, area_type, area_id",
    "coverage_areas": "wave, area_type, area_id",
}
MISSING = -1  # cube value for "no consolidated level" (not answered or don't know)
# DuckDB's buffer limit: above it, sorts, windows and aggregates spill to the build's spill
# folder instead of growing; the whole build then peaks at ~1.7 GB at EU scale (README "Measured").
DUCKDB_MEMORY_LIMIT = "1.5GB"


class BuildError(RuntimeError):
    """The build cannot run; the message says why and what to do."""


@dataclass(frozen=True)
class BuildResult:
    build_id: str
    path: Path
    published: bool  # False when the same build was already current
    manifest: dict
    seconds: float


def sql(name: str) -> str:
    return (SQL_DIR / f"{name}.sql").read_text(encoding="utf-8")


def build_id_for(inputs: list[dict], fw: Framework, reference_sha: str, min_group: int) -> str:
    h = hashlib.sha256()
    # what is staged, not only which files arrived: a corrected re-import of the same export
    # stages other rows, and so gives another build
    payload = {"inputs": sorted(f"{i['sha256']}:{i.get('content_sha256', '')}" for i in inputs),
               "framework": fw.checksum,
               "reference": reference_sha, "logic": BUILD_LOGIC_VERSION, "min_group": min_group}
    h.update(json.dumps(payload, sort_keys=True).encode())
    return h.hexdigest()[:16]


def current_build_id(paths: DataPaths) -> str | None:
    try:
        value = paths.current.read_text(encoding="utf-8").strip()
    except FileNotFoundError:
        return None
    return value or None


def read_manifest(paths: DataPaths, build_id: str | None = None) -> dict | None:
    build_id = build_id or current_build_id(paths)
    if not build_id:
        return None
    path = paths.builds / build_id / "manifest.json"
    return json.loads(path.read_text(encoding="utf-8")) if path.exists() else None


def _connect(staged: list, reference_file: Path, fw: Framework,
             spill_dir: Path | None = None) -> duckdb.DuckDBPyConnection:
    con = duckdb.connect()
    con.execute("SET preserve_insertion_order = false")
    if spill_dir is not None:
        con.execute(f"SET memory_limit = '{DUCKDB_MEMORY_LIMIT}'")
        con.execute("SET temp_directory = ?", [str(spill_dir)])
    files = [str(s.parquet) for s in staged]
    order = {str(s.parquet): i for i, s in enumerate(staged)}
    con.execute(
        "CREATE TABLE input_order AS SELECT * FROM (VALUES " +
        ", ".join("(?, ?, ?)" for _ in staged) + ") t(file, input_order, input_sha)",
        [v for s in staged for v in (str(s.parquet), order[str(s.parquet)], s.sha256)],
    )
    # The relation API binds the file list as data, not SQL text.
    con.read_parquet(files, filename=True).create_view("staged_files")
    con.execute(
        """CREATE VIEW staged AS
           SELECT CAST(s.municipality_id AS VARCHAR) AS municipality_id,
                  CAST(s.wave AS VARCHAR) AS wave,
                  CAST(s.element_id AS VARCHAR) AS element_id,
                  s.level, s.respondent_id, CAST(s.respondent_role AS VARCHAR) AS respondent_role,
                  s.submitted_at, CAST(s.confidence AS VARCHAR) AS confidence, s.evidence,
                  s.publish_consent, o.input_order, o.input_sha
           FROM staged_files s JOIN input_order o ON o.file = s.filename""")
    con.read_parquet(str(reference_file)).select(
        "municipality_id, country, nuts2, nuts3, size_class").create_view("reference")
    con.read_parquet(str(reference_file)).select(
        "municipality_id, country, population").create_view("reference_population")
    sizes = {b.id: len(fw.elements_of(b.id)) for b in fw.blocks}
    con.execute("CREATE TABLE elements (element_id VARCHAR, block VARCHAR, block_size INTEGER)")
    con.executemany("INSERT INTO elements VALUES (?, ?, ?)",
                    [(e.id, e.block, sizes[e.block]) for e in fw.elements])
    return con


def _check_inputs(con: duckdb.DuckDBPyConnection, fw: Framework) -> None:
    """Staged rows were validated at ingest; a changed framework or reference can still orphan them."""
    unknown_el = con.execute(
        "SELECT DISTINCT element_id FROM staged WHERE element_id NOT IN "
        "(SELECT element_id FROM elements) LIMIT 5").fetchall()
    if unknown_el:
        raise BuildError(f"staged answers use elements not in framework {fw.version}: "
                         f"{', '.join(r[0] for r in unknown_el)}; re-ingest or map them")
    unknown_m = con.execute(
        "SELECT DISTINCT municipality_id FROM staged WHERE municipality_id NOT IN "
        "(SELECT municipality_id FROM reference) LIMIT 5").fetchall()
    if unknown_m:
        raise BuildError("staged answers use municipalities missing from the reference data: "
                         + ", ".join(r[0] for r in unknown_m))


def _build_aggregates(con: duckdb.DuckDBPyConnection, min_group: int) -> None:
    """The aggregates mart one wave at a time (see aggregates.sql); the rows' order does not
    matter, the file is written sorted."""
    query = sql("aggregates")
    waves = [r[0] for r in con.execute("SELECT DISTINCT wave FROM levels ORDER BY wave").fetchall()]
    params = {"min_group": min_group, "wave": waves[0] if waves else None}
    con.execute(f"CREATE OR REPLACE TABLE aggregates AS {query}", params)
    for wave in waves[1:]:
        con.execute(f"INSERT INTO aggregates {query}", {**params, "wave": wave})


def _write_marts(con: duckdb.DuckDBPyConnection, out: Path) -> dict[str, int]:
    counts = {}
    for name, order in SORT_KEYS.items():
        table = con.sql(f"SELECT * FROM {name} ORDER BY {order}").to_arrow_table()
        pq.write_table(table, out / f"{name}.parquet", compression="zstd")
        counts[name] = table.num_rows
        del table
    return counts


def _write_cubes(con: duckdb.DuckDBPyConnection, out: Path, fw: Framework,
                 reference_ids: np.ndarray, waves: list[str]) -> None:
    """Dense int8[wave, municipality, element] levels (-1 = missing) for the hot serving paths."""
    cube = np.full((len(waves), len(reference_ids), len(fw.element_ids)), MISSING, dtype=np.int8)
    # positions joined in DuckDB: fetching 6.4 M ids as Python strings to look them up took
    # most of this step's time and memory at EU scale
    con.register("cube_m", pa.table({"municipality_id": pa.array(reference_ids, pa.string()),
                                     "i": np.arange(len(reference_ids), dtype=np.int32)}))
    con.register("cube_w", pa.table({"wave": pa.array(waves, pa.string()),
                                     "i": np.arange(len(waves), dtype=np.int32)}))
    con.register("cube_e", pa.table({"element_id": pa.array(fw.element_ids, pa.string()),
                                     "i": np.arange(len(fw.element_ids), dtype=np.int32)}))
    rows = con.sql("SELECT w.i AS wi, m.i AS mi, e.i AS ei, l.level FROM levels l "
                   "JOIN cube_m m USING (municipality_id) JOIN cube_w w USING (wave) "
                   "JOIN cube_e e USING (element_id) WHERE l.level IS NOT NULL").to_arrow_table()
    for name in ("cube_m", "cube_w", "cube_e"):
        con.unregister(name)
    if rows.num_rows:
        cube[rows["wi"].to_numpy(), rows["mi"].to_numpy(), rows["ei"].to_numpy()] = (
            rows["level"].to_numpy())
    np.save(out / "levels_cube.npy", cube)
    pq.write_table(pa.table({"municipality_id": reference_ids}), out / "cube_municipalities.parquet")


def build(data_dir: Path | str, *, framework: Framework | None = None,
          reference_dir: Path | str | None = None, min_group: int = MIN_GROUP,
          progress: Callable[[str], None] | None = None, force: bool = False,
          state_dir: Path | str | None = None) -> BuildResult:
    """Build and publish the marts from everything staged; a no-op if nothing changed.
    `state_dir`: the survey's folder (DS4E_STATE_DIR) when not the data folder."""
    started = time.perf_counter()
    say = progress or (lambda _msg: None)
    paths = DataPaths(Path(data_dir), Path(state_dir) if state_dir else None).ensure()
    recover(paths)
    fw = framework or load_framework()
    reference_file = Path(reference_dir or REFERENCE_DIR) / MUNICIPALITIES_FILE
    if not reference_file.exists():
        raise BuildError(f"reference data missing: {reference_file}")
    staged = staged_inputs(paths)
    if not staged:
        raise BuildError("nothing is staged: run `python -m pipelines demo` or "
                         "`python -m pipelines ingest FILE` first")
    _check_staged_files(staged)
    inputs = [s.meta() for s in staged]
    reference_sha = sha256_file(reference_file)
    build_id = build_id_for(inputs, fw, reference_sha, min_group)
    final = paths.builds / build_id
    if not force and final.exists() and current_build_id(paths) == build_id:
        return BuildResult(build_id, final, False, read_manifest(paths, build_id) or {},
                           time.perf_counter() - started)

    tmp = paths.builds / f".tmp-{build_id}-{os.getpid()}"
    # beside the build folder, not in it (its files are the build); `recover` removes it when
    # the build dies, as it does the work folder
    spill = paths.builds / f".tmp-{build_id}-spill-{os.getpid()}"
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)
    try:
        con = _connect(staged, reference_file, fw, spill)
        _check_inputs(con, fw)
        n_answers = 0
        for name in MARTS:
            say(f"building {name}")
            if name == "aggregates":
                _build_aggregates(con, min_group)
            else:
                con.execute(sql(name), _params(name, fw, min_group))
            if name == "coverage":
                # the largest table, and the last mart that reads it: freed before the others
                n_answers = con.execute("SELECT count(*) FROM answers").fetchone()[0]
                con.execute("DROP TABLE answers")
        say("writing marts")
        counts = {**_write_marts(con, tmp), "answers": n_answers}
        waves = [r[0] for r in con.execute(
            "SELECT wave FROM coverage GROUP BY wave ORDER BY min(first_submitted), wave").fetchall()]
        reference_ids = con.sql(
            "SELECT municipality_id FROM reference ORDER BY municipality_id").to_arrow_table()[
            "municipality_id"].to_numpy(zero_copy_only=False)
        say("writing cubes")
        _write_cubes(con, tmp, fw, reference_ids, waves)
        say("disclosure control")
        write_disclosure(con, tmp, waves, min_group)
        write_roadmaps(con, tmp, fw, waves, min_group=min_group, progress=say)
        say("computing law readiness")
        write_readiness(con, tmp, fw, waves)
        con.close()
        manifest = {
            "build_id": build_id,
            "built_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
            # Demo only when every input is: real data on top of leftover demo inputs are
            # real, and must not carry the demo's public survey links (survey/demo.py).
            "demo": bool(inputs) and all(i["kind"] == "demo" for i in inputs),
            "framework": {"version": fw.version, "checksum": fw.checksum},
            "reference": {"file": MUNICIPALITIES_FILE, "sha256": reference_sha,
                          "municipalities": len(reference_ids)},
            "inputs": inputs,
            "waves": waves,
            "elements": fw.element_ids,
            "min_group": min_group,
            "consolidation": "lower median of respondents' known levels; disagree = spread >= 2",
            "counts": counts,
            # every file's SHA-256: the server checks them when it opens the build
            # (pipelines/integrity.py), so a damaged file is never served
            "files": file_checksums(tmp),
        }
        atomic_write_bytes(tmp / "manifest.json", json.dumps(manifest, indent=1).encode())
        _move_into_place(tmp, final)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    finally:
        shutil.rmtree(spill, ignore_errors=True)
    publish(paths, build_id)
    retire_demo_wave(paths.survey_state, demo=manifest["demo"])
    return BuildResult(build_id, final, True, manifest, time.perf_counter() - started)


def _check_staged_files(staged: list) -> None:
    """Every staged parquet is there and whole (its footer readable, its row count the marker's):
    a damaged one fails the build with its name, not deep inside DuckDB."""
    for s in staged:
        try:
            rows = pq.read_metadata(s.parquet).num_rows
        except FileNotFoundError:
            raise BuildError(f"staged file {s.parquet.name} (input {s.name}) is missing; "
                             "ingest the input again (its original is kept in inbox/)") from None
        except (OSError, pa.ArrowException) as exc:
            raise BuildError(f"staged file {s.parquet.name} (input {s.name}) is damaged ({exc}); "
                             "ingest the input again (its original is kept in inbox/)") from exc
        if rows != s.rows:
            raise BuildError(f"staged file {s.parquet.name} (input {s.name}) has {rows} rows, "
                             f"its marker says {s.rows}; ingest the input again")


def _move_into_place(tmp: Path, final: Path) -> None:
    """Rename a finished build folder to its final name.

    A folder of that name already there (a forced rebuild of the published build) is renamed
    aside first and deleted only after the new one is in place: deleting it first would leave
    CURRENT naming a missing or half-deleted folder if the process died in between. A death
    between the two renames leaves `.old-<id>-<pid>`, which `recover` puts back."""
    old = final.with_name(f".old-{final.name}-{os.getpid()}") if final.exists() else None
    if old is not None:
        os.replace(final, old)
    try:
        os.replace(tmp, final)
    except BaseException:
        if old is not None and not final.exists():
            os.replace(old, final)
        raise
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


def recover(paths: DataPaths) -> None:
    """Repair what a build killed mid-publish left: put the published build's folder back if it
    was moved aside (`_move_into_place`), and delete the work folders of builds that died."""
    if not paths.builds.exists():
        return
    current = current_build_id(paths)
    for folder in sorted(paths.builds.iterdir()):
        kind, _, rest = folder.name.partition("-")
        build_id, _, pid = rest.rpartition("-")
        if kind not in (".tmp", ".old") or not pid.isdigit() or _alive(int(pid)):
            continue
        if kind == ".old" and build_id == current and not (paths.builds / build_id).exists():
            os.replace(folder, paths.builds / build_id)
        else:
            shutil.rmtree(folder, ignore_errors=True)


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _params(name: str, fw: Framework, min_group: int) -> dict:
    if name == "scores":
        return {"n_elements": len(fw.elements)}
    return {}


def publish(paths: DataPaths, build_id: str) -> None:
    """Point CURRENT at a complete build (atomic replace), then drop builds beyond the newest few."""
    atomic_write_bytes(paths.current, (build_id + "\n").encode())
    builds = sorted((p for p in paths.builds.iterdir() if p.is_dir() and not p.name.startswith(".")),
                    key=lambda p: p.stat().st_mtime, reverse=True)
    for old in builds[KEEP_BUILDS:]:
        if old.name != build_id:
            shutil.rmtree(old, ignore_errors=True)
