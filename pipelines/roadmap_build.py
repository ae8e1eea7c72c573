"""Build step: the roadmap of every municipality in the latest wave, stored with the build.

Runs right after the level cube is written (`pipelines.build.build`) and writes two files into the
build folder (hashed into the manifest like every other file):

- `roadmap.npz`: the population run of `pipelines.maturity.roadmap_population.population_roadmap`
  for all M municipalities of the reference (cube order): `sequence` int16[M, K] (element
  positions, -1 = no further step), `score`, `readiness`, `unlock`, `urgency`, `peer`
  float32[M, K] (the components at the moment each element was chosen), `answered` bool[M] (at
  least one known level in the wave), `element_ids`, and the settings it was computed with
  (`wave`, `evaluation_date`, `phases`, `per_phase`, `target`, `weights` (raw, in COMPONENTS
  order), `horizon_years`, `min_group`, `peer_group`).
- `roadmap_first_phase.parquet`: the first phase of every answering municipality, long format
  (municipality_id, wave, rank, element_id, score and its four components), sorted by
  municipality and rank.

Settings: the engine's defaults (weights, target 3 everywhere, 3 phases of 3), peer proof from
the other municipalities of the same country and size class (leave-one-out, suppressed under
`min_group` peers with a level), law requirements from the framework law profiles, status
"required" only, evaluated at `evaluation_date`: the date of the latest submission in the latest
wave (so rebuilding the same inputs gives byte-identical files; never today's date), or a date
passed in. Which requirements apply to a municipality, and by when, is resolved by the
legislation-readiness engine from its country's member-state flags and its population
(`law_profiles`): NIS2 adds urgency only where the member state brought local government into
scope, from the national date; the eIDAS wallet requirement counts from the member state's
wallet date. The Roadmap tab, the roadmap API and the policy view use the same function.

`.npz` files written by numpy carry the time of writing in each zip entry; this module writes the
archive itself with a fixed timestamp, so the bytes depend only on the arrays. The entries are
stored uncompressed with each array's data at a 64-byte boundary of the file (padding in the
entry's extra field, as Android's zipalign does), so that a server maps them read-only
(`read_npz_mapped`): every gunicorn worker then reads the same pages of the OS page cache instead
of holding a private copy.
"""

from __future__ import annotations

import datetime as dt
import io
import mmap
import struct
import time
import zipfile
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from pipelines.maturity.peers import Attributes
from pipelines.maturity.readiness import ReadinessInputs
from pipelines.maturity.roadmap import (
    COMPONENTS,
    DEFAULT_HORIZON_YEARS,
    DEFAULT_TARGET,
    DEFAULT_WEIGHTS,
    LawProfiles,
    Weights,
    model_from_framework,
    requirements_for_municipalities,
)
from pipelines.maturity.roadmap_population import (
    PopulationRoadmap,
    group_codes,
    peers_by_group,
    population_roadmap,
)

ROADMAP_FILE = "roadmap.npz"
FIRST_PHASE_FILE = "roadmap_first_phase.parquet"
PHASES = 3
PER_PHASE = 3
PEER_GROUP = "country_size"
_ZIP_TIME = (1980, 1, 1, 0, 0, 0)
_ALIGN = 64  # np.lib.format pads an array's header to this, so its data start there too
_PAD_ID = 0xD935  # the extra-field id zipalign uses for padding; zip readers skip unknown ids
ARRAYS = ("sequence", "score", "readiness", "unlock", "urgency", "peer", "answered")


def law_profiles(fw, at: dt.date, attrs: Attributes, population: np.ndarray | None, *,
                 inputs: ReadinessInputs | None = None) -> LawProfiles:
    """The framework's required law requirements at `at` for the municipalities of `attrs`
    (cube order) with their population (NaN = unknown), resolved per member state by the
    legislation-readiness engine: one applicability profile per group of municipalities with
    equal conditions (about one per country), and each municipality's profile. Used by the
    build, the Roadmap tab and the roadmap API, so all of them apply the same requirements."""
    return requirements_for_municipalities(fw, at, attrs.country_labels[attrs.country], population,
                                           inputs=inputs)


def evaluation_date(con, wave: str) -> dt.date:
    """The date (UTC) of the latest submission in `wave`: fixed by the inputs."""
    # epoch seconds: a TIMESTAMPTZ would need pytz to reach Python
    value = con.execute("SELECT CAST(epoch(max(last_submitted)) AS BIGINT) FROM coverage "
                        "WHERE wave = ?", [wave]).fetchall()[0][0]
    if value is None:
        raise ValueError(f"no submissions in wave {wave}")
    return dt.datetime.fromtimestamp(int(value), dt.UTC).date()


def compute(fw, levels: np.ndarray, attrs: Attributes, at: dt.date, *,
            population: np.ndarray | None, min_group: int = 5,
            laws: LawProfiles | None = None,
            withheld: np.ndarray | None = None) -> PopulationRoadmap:
    """The population run of one wave's levels int8[M, E] with the build's settings;
    `population` float[M] (NaN = unknown) decides population-dependent member-state scope
    (NIS2 thresholds); `laws`: `law_profiles(...)` of the same municipalities and date, when
    already made."""
    model = model_from_framework(fw)
    laws = laws if laws is not None else law_profiles(fw, at, attrs, population)
    peers = peers_by_group(levels, group_codes(attrs, PEER_GROUP), min_group, withheld)
    return population_roadmap(model, levels, requirements=laws.requirements, profile=laws.index,
                              peers=peers, weights=DEFAULT_WEIGHTS, phases=PHASES,
                              per_phase=PER_PHASE, horizon_years=DEFAULT_HORIZON_YEARS)


def withheld_peer_groups(out: Path, wave: str, attrs: Attributes) -> np.ndarray | None:
    """bool[M]: municipalities whose peer group (country x size class) the disclosure pattern
    does not publish under the consent rule in `wave` (disclosure.parquet, written first):
    their peer proof would count the rest of a group whose statistics are withheld."""
    from pipelines.disclosure_build import DISCLOSURE_FILE

    path = out / DISCLOSURE_FILE
    if not path.exists():
        return None
    df = pd.read_parquet(path)
    df = df[(df["wave"] == wave) & (df["area_type"] == PEER_GROUP)]
    shown = set(df.loc[df["publish_consent"], "area_id"])
    labels = np.array([f"{c}:{s}" for c, s in zip(attrs.country_labels[attrs.country],
                                                  attrs.size_labels[attrs.size_class],
                                                  strict=True)], dtype=object)
    return ~np.isin(labels, list(shown))


def write_npz(path: Path, arrays: Mapping[str, np.ndarray]) -> None:
    """An uncompressed .npz (readable by np.load) whose bytes depend only on the arrays, each
    entry starting at a multiple of 64 bytes (`read_npz_mapped` maps its data aligned)."""
    with open(path, "wb") as fh, zipfile.ZipFile(fh, "w", compression=zipfile.ZIP_STORED) as zf:
        for name, value in arrays.items():
            buf = io.BytesIO()
            np.lib.format.write_array(buf, np.asanyarray(value), allow_pickle=False)
            info = zipfile.ZipInfo(f"{name}.npy", date_time=_ZIP_TIME)
            info.compress_type = zipfile.ZIP_STORED
            info.external_attr = 0o644 << 16
            # local header: 30 bytes, the name, the extra field (4 bytes + padding)
            pad = -(fh.tell() + 30 + len(info.filename.encode()) + 4) % _ALIGN
            info.extra = struct.pack("<HH", _PAD_ID, pad) + bytes(pad)
            zf.writestr(info, buf.getvalue())


def read_npz_mapped(file: Path) -> dict[str, np.ndarray]:
    """The arrays of an uncompressed .npz as read-only views of one memory map of the file
    (not writeable: `arr.base` is the mmap); entries that cannot be mapped (compressed, object
    arrays) are read into memory. Several processes mapping the same build share its pages."""
    out: dict[str, np.ndarray] = {}
    with open(file, "rb") as fh:
        mapped = mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ)
        with zipfile.ZipFile(fh) as zf:
            for info in zf.infolist():
                name = info.filename.removesuffix(".npy")
                if info.compress_type != zipfile.ZIP_STORED:
                    out[name] = np.load(io.BytesIO(zf.read(info)), allow_pickle=False)
                    continue
                head = mapped[info.header_offset:info.header_offset + 30]
                n_name, n_extra = struct.unpack("<HH", head[26:30])
                fh.seek(info.header_offset + 30 + n_name + n_extra)
                version = np.lib.format.read_magic(fh)
                read_header = (np.lib.format.read_array_header_1_0 if version == (1, 0)
                               else np.lib.format.read_array_header_2_0)
                shape, fortran, dtype = read_header(fh)
                if dtype.hasobject:
                    raise ValueError(f"{file}: {info.filename} holds Python objects")
                count = int(np.prod(shape, dtype=np.int64))
                arr = np.frombuffer(mapped, dtype=dtype, count=count, offset=fh.tell())
                out[name] = arr.reshape(shape, order="F" if fortran else "C")
    return out


def first_phase_table(pop: PopulationRoadmap, municipality_ids: np.ndarray,
                      wave: str) -> pa.Table:
    """Long table of the first phase of every answering municipality (municipality, rank)."""
    rows = np.flatnonzero(pop.answered)
    fp = pop.first_phase[rows]
    r_idx, k_idx = np.nonzero(fp >= 0)  # row-major: by municipality, then rank
    m = rows[r_idx]
    ids = np.asarray(pop.element_ids, dtype=object)
    cols = {"municipality_id": pa.array(np.asarray(municipality_ids, dtype=object)[m],
                                        pa.string()),
            "wave": pa.array([wave] * len(m), pa.string()),
            "rank": pa.array((k_idx + 1).astype(np.int16)),
            "element_id": pa.array(ids[fp[r_idx, k_idx]], pa.string())}
    for name in ("score", *COMPONENTS):
        cols[name] = pa.array(getattr(pop, name)[m, k_idx].astype(np.float32))
    return pa.table(cols)


def write_roadmaps(con, out: Path, fw, waves: list[str], *, min_group: int = 5,
                   at: dt.date | None = None,
                   progress: Callable[[str], None] | None = None) -> dict:
    """Compute and write the roadmaps of the latest wave into the build folder `out` (which
    already holds levels_cube.npy and cube_municipalities.parquet); `con` is the build's DuckDB
    connection (coverage and reference tables). Returns a summary (wave, date, seconds)."""
    started = time.perf_counter()
    if progress:
        progress("computing roadmaps")
    wave = waves[-1]
    at = at or evaluation_date(con, wave)
    cube = np.load(out / "levels_cube.npy", mmap_mode="r")
    levels = np.ascontiguousarray(cube[len(waves) - 1])
    ref = con.sql("SELECT r.municipality_id, r.country, r.nuts2, r.size_class, p.population "
                  "FROM reference r LEFT JOIN reference_population p USING (municipality_id) "
                  "ORDER BY r.municipality_id").to_arrow_table()
    ids = ref["municipality_id"].to_numpy(zero_copy_only=False)
    if len(ids) != levels.shape[0]:
        raise ValueError("reference and level cube differ in size")
    attrs = Attributes.from_columns(*(ref[c].to_numpy(zero_copy_only=False)
                                      for c in ("country", "nuts2", "size_class")))
    population = ref["population"].to_numpy(zero_copy_only=False).astype(np.float64)
    withheld = withheld_peer_groups(out, wave, attrs)
    pop = compute(fw, levels, attrs, at, population=population, min_group=min_group,
                  withheld=withheld)
    arrays = {name: getattr(pop, name) for name in ARRAYS}
    arrays.update(
        element_ids=np.array(pop.element_ids, dtype=str),
        wave=np.array(wave, dtype=str),
        evaluation_date=np.array(at.isoformat(), dtype=str),
        phases=np.array(PHASES, dtype=np.int16),
        per_phase=np.array(PER_PHASE, dtype=np.int16),
        target=np.array(DEFAULT_TARGET, dtype=np.int16),
        weights=np.array(DEFAULT_WEIGHTS.raw(), dtype=np.float64),
        horizon_years=np.array(DEFAULT_HORIZON_YEARS, dtype=np.float64),
        min_group=np.array(min_group, dtype=np.int16),
        peer_group=np.array(PEER_GROUP, dtype=str),
    )
    write_npz(out / ROADMAP_FILE, arrays)
    pq.write_table(first_phase_table(pop, ids, wave), out / FIRST_PHASE_FILE,
                   compression="zstd")
    return {"wave": wave, "evaluation_date": at.isoformat(), "answered": int(pop.answered.sum()),
            "seconds": round(time.perf_counter() - started, 3)}


@dataclass(frozen=True, eq=False)
class StoredRoadmaps:
    """A build's stored population run and the settings it was computed with."""

    wave: str
    evaluation_date: dt.date
    population: PopulationRoadmap
    phases: int
    per_phase: int
    target: int
    weights: Weights
    horizon_years: float
    min_group: int
    peer_group: str

    @property
    def element_ids(self) -> tuple[str, ...]:
        return self.population.element_ids


def read_roadmaps(path: Path) -> StoredRoadmaps | None:
    """The roadmaps stored in a build folder (None for a build made before they existed)."""
    file = Path(path) / ROADMAP_FILE
    if not file.exists():
        return None
    # mapped, not loaded: ~20 MB at EU scale that every server process would otherwise copy
    a = read_npz_mapped(file)
    pop = PopulationRoadmap(tuple(str(e) for e in a["element_ids"]),
                            *(a[k] for k in ARRAYS[:-1]), per_phase=int(a["per_phase"]),
                            answered=a["answered"])
    return StoredRoadmaps(
        wave=str(a["wave"]), evaluation_date=dt.date.fromisoformat(str(a["evaluation_date"])),
        population=pop, phases=int(a["phases"]), per_phase=int(a["per_phase"]),
        target=int(a["target"]),
        weights=Weights(**dict(zip(COMPONENTS, a["weights"].tolist(), strict=True))),
        horizon_years=float(a["horizon_years"]), min_group=int(a["min_group"]),
        peer_group=str(a["peer_group"]))
