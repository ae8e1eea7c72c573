"""The build stores every municipality's legal readiness for every law (issue 7: precomputed)."""

from __future__ import annotations

import datetime as dt

import numpy as np

from pipelines.build import build
from pipelines.demo_stage import stage_demo
from pipelines.framework import load_framework
from pipelines.maturity.readiness import (
    ALL_DEADLINES,
    STATUS_NAMES,
    population_readiness,
    readiness_inputs,
    resolve_population,
)
from pipelines.readiness_build import READINESS_FILE
from pipelines.reference import load_municipalities
from pipelines.staging import DataPaths, sha256_file


def test_stored_readiness_equals_the_engine(tmp_path):
    stage_demo(DataPaths(tmp_path).ensure(), scope="be", waves=1, seed=3)
    result = build(tmp_path)
    stored = np.load(result.path / READINESS_FILE)
    fw = load_framework()
    inputs = readiness_inputs(fw)
    ref = load_municipalities()
    levels = np.load(result.path / "levels_cube.npy")[-1]
    table = resolve_population(inputs, ref["country"].to_numpy(), ref["population"].to_numpy())
    at = dt.date.fromisoformat(str(stored["evaluation_date"]))
    engine = population_readiness(inputs, levels, table, at=at, horizon_days=ALL_DEADLINES)
    assert str(stored["horizon"]) == "all"
    assert tuple(stored["status_names"]) == STATUS_NAMES
    assert tuple(stored["law_ids"]) == engine.law_ids
    assert np.array_equal(stored["status"], engine.status)
    assert np.array_equal(stored["n_gap"], engine.n_gap)
    assert stored["status"].shape == (len(ref), len(engine.law_ids))
    # Belgian municipalities that answered have a legal status other than 'unknown' for GDPR
    be = (ref["country"] == "BE").to_numpy()
    gdpr = engine.law_ids.index("GDPR")
    assert (stored["status"][be, gdpr] != 3).any()
    # the stored file is part of the manifest and stable across a forced rebuild
    digest = result.manifest["files"][READINESS_FILE]
    again = build(tmp_path, force=True)
    assert sha256_file(again.path / READINESS_FILE) == digest
