"""Roadmaps computed at build time: the stored population run equals the engine, the files are
byte-identical on a rebuild, and the first-phase table matches the arrays."""

from __future__ import annotations

import datetime as dt
import hashlib
import json

import duckdb
import numpy as np
import pandas as pd
import pytest

from pipelines.build import BUILD_LOGIC_VERSION, build
from pipelines.demo_stage import stage_demo
from pipelines.maturity.peers import Attributes, peer_mask
from pipelines.maturity.roadmap import Peers, model_from_framework, roadmap
from pipelines.reference import load_municipalities
from pipelines.roadmap_build import (
    FIRST_PHASE_FILE,
    PER_PHASE,
    PHASES,
    ROADMAP_FILE,
    law_profiles,
    read_roadmaps,
    write_npz,
    write_roadmaps,
)
from pipelines.staging import DataPaths, sha256_file


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    data = tmp_path_factory.mktemp("roadmap-build")
    stage_demo(DataPaths(data).ensure(), scope="nl", waves=2, seed=11)
    result = build(data)
    return data, result


@pytest.fixture(scope="module")
def stored(built):
    return read_roadmaps(built[1].path)


@pytest.fixture(scope="module")
def cube(built):
    path = built[1].path
    ids = pd.read_parquet(path / "cube_municipalities.parquet")["municipality_id"].to_numpy()
    return np.load(path / "levels_cube.npy"), ids


@pytest.fixture(scope="module")
def reference(cube):
    return load_municipalities().set_index("municipality_id").loc[cube[1]]


@pytest.fixture(scope="module")
def attrs(reference):
    return Attributes.from_columns(reference["country"], reference["nuts2"], reference["size_class"])


@pytest.fixture(scope="module")
def population(reference):
    return reference["population"].to_numpy(dtype=np.float64, na_value=np.nan)


def test_a_new_build_logic_is_never_served_from_an_older_build(built, monkeypatch):
    """The same inputs built under another logic version publish a new build, so a data folder
    built before a logic change (stored roadmaps, law urgency, readiness statuses) is rebuilt
    instead of answering 'already published and up to date'."""
    import pipelines.build as build_module

    data, first = built
    again = build(data)
    assert (again.build_id, again.published) == (first.build_id, False)  # nothing changed
    monkeypatch.setattr(build_module, "BUILD_LOGIC_VERSION", f"{BUILD_LOGIC_VERSION}-next")
    newer = build(data)
    assert newer.published and newer.build_id != first.build_id
    monkeypatch.undo()
    back = build(data)  # the original logic again: its build is still kept, and current again
    assert back.build_id == first.build_id


def test_files_are_in_the_build_and_the_manifest(built):
    _, result = built
    files = json.loads((result.path / "manifest.json").read_text())["files"]
    for name in (ROADMAP_FILE, FIRST_PHASE_FILE):
        assert (result.path / name).exists()
        assert files[name] == sha256_file(result.path / name)


def test_shapes_settings_and_evaluation_date(built, stored, cube, fw):
    _, result = built
    levels, ids = cube
    m, k = len(ids), PHASES * PER_PHASE
    pop = stored.population
    assert pop.sequence.shape == (m, k) and pop.sequence.dtype == np.int16
    for name in ("score", "readiness", "unlock", "urgency", "peer"):
        arr = getattr(pop, name)
        assert arr.shape == (m, k) and arr.dtype == np.float32, name
    assert pop.answered.dtype == bool and pop.answered.shape == (m,)
    np.testing.assert_array_equal(pop.answered, (levels[-1] != -1).any(axis=1))
    assert stored.element_ids == tuple(fw.element_ids)
    assert stored.wave == result.manifest["waves"][-1]
    assert (stored.phases, stored.per_phase, stored.target) == (PHASES, PER_PHASE, 3)
    assert stored.peer_group == "country_size" and stored.min_group == 5
    # the evaluation date is the last submission of the latest wave, not today
    last = duckdb.sql(f"SELECT max(last_submitted) AS t FROM read_parquet("
                      f"'{result.path / 'coverage.parquet'}') WHERE wave = '{stored.wave}'"
                      ).df()["t"].iloc[0]
    assert stored.evaluation_date == pd.Timestamp(last).tz_convert("UTC").date()


def _assert_stored_equals_engine(stored, lv, attrs, population, fw, rows):
    """Each row's stored roadmap is the engine's single roadmap with the build's settings and
    the municipality's member-state law profile, bit for bit."""
    model = model_from_framework(fw)
    laws = law_profiles(fw, stored.evaluation_date, attrs, population)
    pop = stored.population
    for m in rows:
        peers = Peers.from_levels(lv[peer_mask(attrs, m, "country_size")], stored.min_group)
        one = roadmap(model, lv[m], requirements=laws.requirements, profile=laws.profile(m),
                      peers=peers, weights=stored.weights, phases=stored.phases,
                      per_phase=stored.per_phase, horizon_years=stored.horizon_years)
        got = [model.element_ids[j] for j in pop.sequence[m] if j >= 0]
        assert got == one.ids, m
        n = len(one.steps)
        assert (pop.sequence[m, n:] == -1).all()
        for name in ("score", "readiness", "unlock", "urgency", "peer"):
            np.testing.assert_array_equal(
                getattr(pop, name)[m, :n],
                np.array([getattr(s, name) for s in one.steps], dtype=np.float32),
                err_msg=f"{name} of row {m}")


def test_stored_roadmap_equals_the_engine_for_sampled_municipalities(stored, cube, attrs,
                                                                     population, fw):
    levels, _ = cube
    rng = np.random.default_rng(3)
    answered = np.flatnonzero(stored.population.answered)
    silent = np.flatnonzero(~stored.population.answered)
    sample = np.concatenate([rng.choice(answered, 25, replace=False), silent[:3]])
    _assert_stored_equals_engine(stored, levels[-1], attrs, population, fw, sample.tolist())


def _rows_of(attrs, population, country, above=None, below=None, k=3):
    mask = attrs.mask_for("country", country)
    with np.errstate(invalid="ignore"):
        if above is not None:
            mask &= population > above
        if below is not None:
            mask &= population < below
    return np.flatnonzero(mask)[:k].tolist()


def test_stored_urgency_follows_the_member_states_for_answering_municipalities_elsewhere(
        built, tmp_path, fw, attrs, population):
    """Give municipalities of other countries answers (NIS2: Sweden all, Italy above 100,000,
    Germany none, Poland not researched), store the roadmaps and compare them with the engine;
    NIS2 urgency appears exactly where the member state brings municipalities into scope."""
    _, result = built
    waves = result.manifest["waves"]
    cube = np.load(result.path / "levels_cube.npy")
    groups = {"SE": _rows_of(attrs, population, "SE"),
              "IT_big": _rows_of(attrs, population, "IT", above=100_000),
              "IT_small": _rows_of(attrs, population, "IT", below=100_000),
              "DE": _rows_of(attrs, population, "DE"), "PL": _rows_of(attrs, population, "PL")}
    rows = [m for g in groups.values() for m in g]
    rng = np.random.default_rng(8)
    model = model_from_framework(fw)
    nis2_only = model.indices(["INF-04", "SEC-03", "STR-02"])
    lv = rng.integers(2, 5, (len(rows), model.size)).astype(np.int8)
    lv[:, nis2_only] = 0  # what NIS2 asks for is missing everywhere
    cube[-1, rows] = lv
    folder = tmp_path / "b"
    folder.mkdir()
    np.save(folder / "levels_cube.npy", cube)
    con = duckdb.connect()
    con.read_parquet(str(result.path / "coverage.parquet")).create_view("coverage")
    ref = load_municipalities()
    con.register("reference", ref[["municipality_id", "country", "nuts2", "size_class"]])
    con.register("reference_population", ref[["municipality_id", "country", "population"]])
    write_roadmaps(con, folder, fw, waves)
    stored = read_roadmaps(folder)
    _assert_stored_equals_engine(stored, cube[-1], attrs, population, fw, rows)
    pop = stored.population
    chosen_nis2 = {name: [bool(np.isin(pop.sequence[m], nis2_only).any()) for m in g]
                   for name, g in groups.items()}
    urgent = {name: [float(pop.urgency[m][np.isin(pop.sequence[m], nis2_only)].max(initial=0))
                     for m in g] for name, g in groups.items()}
    for name in ("SE", "IT_big"):
        assert all(u == 1.0 for u, c in zip(urgent[name], chosen_nis2[name], strict=True) if c)
        assert any(chosen_nis2[name]), name  # urgency 1 puts a NIS2 element in the roadmap
    for name in ("IT_small", "DE", "PL"):
        assert all(u == 0.0 for u in urgent[name]), name


def test_first_phase_table_matches_the_arrays(built, stored, cube):
    _, result = built
    _, ids = cube
    df = pd.read_parquet(result.path / FIRST_PHASE_FILE)
    assert list(df.columns) == ["municipality_id", "wave", "rank", "element_id", "score",
                                "readiness", "unlock", "urgency", "peer"]
    pop = stored.population
    answered = set(ids[pop.answered])
    assert set(df["municipality_id"]) <= answered
    assert (df["wave"] == stored.wave).all()
    expected = []
    for m in np.flatnonzero(pop.answered):
        for r, j in enumerate(pop.sequence[m, :PER_PHASE].tolist()):
            if j >= 0:
                expected.append((ids[m], r + 1, stored.element_ids[j], pop.score[m, r]))
    got = list(zip(df["municipality_id"], df["rank"], df["element_id"], df["score"],
                   strict=True))
    assert got == expected


def test_rebuild_is_byte_identical(built):
    data, first = built
    before = {n: sha256_file(first.path / n) for n in (ROADMAP_FILE, FIRST_PHASE_FILE)}
    again = build(data)
    assert not again.published
    forced = build(data, force=True)
    assert forced.build_id == first.build_id
    after = {n: sha256_file(forced.path / n) for n in (ROADMAP_FILE, FIRST_PHASE_FILE)}
    assert after == before
    files = json.loads((forced.path / "manifest.json").read_text())["files"]
    assert {n: files[n] for n in before} == before


def test_a_fixed_date_passed_in_is_used_and_deterministic(built, tmp_path, fw):
    _, result = built
    waves = result.manifest["waves"]
    con = duckdb.connect()
    con.read_parquet(str(result.path / "coverage.parquet")).create_view("coverage")
    ref = load_municipalities()
    con.register("reference", ref[["municipality_id", "country", "nuts2", "size_class"]])
    con.register("reference_population", ref[["municipality_id", "country", "population"]])
    out = []
    for sub in ("a", "b"):
        folder = tmp_path / sub
        folder.mkdir()
        (folder / "levels_cube.npy").write_bytes((result.path / "levels_cube.npy").read_bytes())
        info = write_roadmaps(con, folder, fw, waves, at=dt.date(2030, 1, 1))
        assert info["evaluation_date"] == "2030-01-01"
        out.append(hashlib.sha256((folder / ROADMAP_FILE).read_bytes()).hexdigest())
    assert out[0] == out[1]
    later = read_roadmaps(tmp_path / "a")
    assert later.evaluation_date == dt.date(2030, 1, 1)
    # in 2030 every framework deadline has passed: urgency is 1 wherever a law needs it
    assert later.population.urgency.max() == 1.0


def test_write_npz_is_deterministic_and_loadable(tmp_path):
    arrays = {"a": np.arange(6, dtype=np.int16).reshape(2, 3), "b": np.array("x", dtype=str)}
    write_npz(tmp_path / "one.npz", arrays)
    write_npz(tmp_path / "two.npz", arrays)
    assert (tmp_path / "one.npz").read_bytes() == (tmp_path / "two.npz").read_bytes()
    with np.load(tmp_path / "one.npz") as z:
        np.testing.assert_array_equal(z["a"], arrays["a"])
        assert str(z["b"]) == "x"


def test_a_build_folder_without_roadmaps_reads_as_none(tmp_path):
    assert read_roadmaps(tmp_path) is None
