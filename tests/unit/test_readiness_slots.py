"""Readiness after some elements change, from those elements' slots alone
(`readiness_slots.after_change`), equals the population core run on the changed levels over
every slot: for any population, evaluation date, set of rows, elements and new levels (raised,
lowered, made unknown). And the packed slot gap flags count any rows' gaps as the core does."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pipelines.maturity.readiness import (
    ALL_DEADLINES,
    population_readiness,
    readiness_inputs,
    resolve_population,
)
from pipelines.maturity.readiness_slots import after_change, readiness_and_gaps
from tests.unit.test_readiness import _random_population
from tests.unit.test_readiness_intervals import ARRAYS

M = 400
WHEN = [(dt.date(2026, 6, 1), 0), (dt.date(2025, 1, 1), 400), (dt.date(2030, 12, 31), 0),
        (dt.date(2024, 1, 1), ALL_DEADLINES)]


@pytest.fixture(scope="module")
def inputs(fw):
    return readiness_inputs(fw)


@pytest.fixture(scope="module")
def population(fw, inputs):
    levels, countries, pop, muni, country = _random_population(fw, inputs, M, 11)
    return levels, resolve_population(inputs, countries, pop, country_overrides=country,
                                      municipality_overrides=muni)


@pytest.mark.parametrize("at,horizon", WHEN)
def test_the_run_with_gaps_is_the_plain_run_and_its_flags_count_any_rows(inputs, population,
                                                                           at, horizon):
    levels, table = population
    plain = population_readiness(inputs, levels, table, at=at, horizon_days=horizon)
    res, gaps = readiness_and_gaps(inputs, levels, table, at=at, horizon_days=horizon)
    for name in (*ARRAYS, "gap_counts", "unknown_counts"):
        assert np.array_equal(getattr(res, name), getattr(plain, name)), name
    assert np.array_equal(gaps.counts(np.arange(M)), plain.gap_counts)
    for n in (11, 37, 390):  # few rows read bit by bit, more through a packed mask
        rows = np.random.default_rng(n).choice(M, n, replace=False)
        part = population_readiness(inputs, levels[rows], table.take(rows), at=at,
                                    horizon_days=horizon)
        assert np.array_equal(gaps.counts(rows), part.gap_counts)
    assert gaps.counts(rows[:0]).sum() == 0


SETTINGS = settings(max_examples=60, deadline=None,
                    suppress_health_check=[HealthCheck.function_scoped_fixture])


@SETTINGS
@given(when=st.sampled_from(WHEN), seed=st.integers(0, 2**32 - 1),
       n_rows=st.integers(0, M), n_elements=st.integers(1, 4),
       change=st.sampled_from(["raise", "any", "unknown"]))
def test_after_a_change_equals_the_full_run(fw, inputs, population, when, seed, n_rows,
                                            n_elements, change):
    at, horizon = when
    levels, table = population
    rng = np.random.default_rng(seed)
    before, gaps = readiness_and_gaps(inputs, levels, table, at=at, horizon_days=horizon)
    rows = np.sort(rng.choice(M, n_rows, replace=False))
    cols = rng.choice(len(fw.element_ids), n_elements, replace=False)
    old = levels[rows]
    new = old.copy()
    if change == "raise":  # what funding does: at least the target, unknown becomes the target
        new[:, cols] = np.maximum(new[:, cols], rng.integers(1, 5, n_elements).astype(np.int8))
    elif change == "any":
        new[:, cols] = rng.integers(-1, 5, (n_rows, n_elements)).astype(np.int8)
    else:
        new[:, cols] = -1
    t_rows = table.take(rows)
    got = after_change(inputs, before, rows, old, new, t_rows, cols, gaps, at=at,
                       horizon_days=horizon)
    full = population_readiness(inputs, new, t_rows, at=at, horizon_days=horizon)
    assert np.array_equal(got.ready, full.ready)
    assert np.array_equal(got.ambition_ready, full.ambition_ready)
    assert np.array_equal(got.gap_counts_after, full.gap_counts)
    was = population_readiness(inputs, old, t_rows, at=at, horizon_days=horizon)
    assert np.array_equal(got.gap_counts_before[:, cols], was.gap_counts[:, cols])
