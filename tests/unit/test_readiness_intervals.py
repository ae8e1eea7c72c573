"""Readiness per deadline interval: a law's readiness is the same for every cutoff between two
consecutive dates of `cutoff_points`, so the run at the interval's own cutoff (`interval_cutoff`)
equals the run at any date in it, bit for bit (what the Legislation view and the laws API
serve from)."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pipelines.maturity.readiness import (
    ALL_DEADLINES,
    NEVER,
    cutoff,
    cutoff_interval,
    cutoff_points,
    interval_cutoff,
    population_readiness,
    readiness_inputs,
    resolve_population,
)
from tests.unit.test_readiness import _random_population

ARRAYS = ("status", "ready", "n_required", "n_gap", "n_unknown", "gap_total", "ambition_status",
          "ambition_ready", "ambition_n_gap", "ambition_n_unknown")


@pytest.fixture(scope="module")
def inputs(fw):
    return readiness_inputs(fw)


@pytest.fixture(scope="module")
def population(fw, inputs):
    """300 municipalities with country overrides and municipality NIS2 dates: many member-state
    dates, so that a law's points differ per municipality."""
    levels, countries, pop, muni, country = _random_population(fw, inputs, 300, 4)
    # out of NIS2's scope without a national date: its recommendation is due from the law's
    # applies_from (a date only the fallback names)
    country["CZ"] = {"nis2_local_scope": "none", "nis2_date": None}
    return levels, resolve_population(inputs, countries, pop, country_overrides=country,
                                      municipality_overrides=muni)


def same_law(a, b, li: int) -> None:
    for name in ARRAYS:
        assert np.array_equal(getattr(a, name)[:, li], getattr(b, name)[:, li]), name
    assert np.array_equal(a.gap_counts[li], b.gap_counts[li])
    assert np.array_equal(a.unknown_counts[li], b.unknown_counts[li])


def dates_to_check(inputs, table) -> list[dt.date]:
    """Before the first date, on each, the day before and after it, after the last: every date
    any law or member state (or override) of the population names, not only the law's points."""
    c = inputs.compiled
    every = np.concatenate([c.req_fixed, c.req_fb_date, np.unique(table.dates)])
    out = {dt.date(1990, 1, 1), dt.date(2100, 1, 1)}
    for p in np.unique(every[every < NEVER]):
        for d in (-1, 0, 1):
            out.add(dt.date.fromordinal(int(p) + d))
    return sorted(out)


def test_points_hold_the_law_and_member_state_dates(inputs, population):
    _, table = population
    nis2 = cutoff_points(inputs, table, "NIS2")
    assert dt.date(2026, 3, 1).toordinal() in nis2  # DE's overridden national date
    assert dt.date(2027, 1, 1).toordinal() in nis2  # FR's
    assert np.all(np.diff(nis2) > 0)
    gdpr = cutoff_points(inputs, table, "GDPR")
    assert dt.date(2018, 5, 25).toordinal() in gdpr
    assert cutoff_interval(gdpr, dt.date(2018, 5, 24)) + 1 == cutoff_interval(gdpr, dt.date(2018, 5, 25))


def test_every_date_of_every_law_equals_its_interval(inputs, population):
    """All laws, on, before and after each of their points, and the whole horizon."""
    levels, table = population
    for li, law_id in enumerate(inputs.law_ids):
        points = cutoff_points(inputs, table, law_id)
        runs = {}
        for day in [*dates_to_check(inputs, table), dt.date.max]:
            k = cutoff_interval(points, day)
            if k not in runs:
                runs[k] = population_readiness(inputs, levels, table, at=interval_cutoff(points, k),
                                               horizon_days=0, laws=[law_id])
            want = population_readiness(inputs, levels, table, at=day, horizon_days=0)
            same_law(_as_one(want, li), runs[k], 0)


def _as_one(res, li: int):
    """The run of every law, cut to law `li` (as a run with laws=[that law] gives it)."""
    class One:
        pass
    one = One()
    for name in ARRAYS:
        setattr(one, name, getattr(res, name)[:, li:li + 1])
    one.gap_counts, one.unknown_counts = res.gap_counts[li:li + 1], res.unknown_counts[li:li + 1]
    return one


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(day=st.dates(dt.date(2000, 1, 1), dt.date(2040, 12, 31)),
       horizon=st.one_of(st.none(), st.integers(0, 3650)), law=st.integers(0, 100))
def test_any_date_and_horizon_equals_its_interval(inputs, population, day, horizon, law):
    levels, table = population
    law_id = inputs.law_ids[law % len(inputs.law_ids)]
    li = inputs.law_ids.index(law_id)
    points = cutoff_points(inputs, table, law_id)
    cut = cutoff(day, horizon)
    if horizon is ALL_DEADLINES:
        assert cut == dt.date.max and cutoff_interval(points, cut) == len(points)
    rep = interval_cutoff(points, cutoff_interval(points, cut))
    assert cutoff_interval(points, rep) == cutoff_interval(points, cut)
    want = population_readiness(inputs, levels, table, at=day, horizon_days=horizon)
    got = population_readiness(inputs, levels, table, at=rep, horizon_days=0, laws=[law_id])
    same_law(_as_one(want, li), got, 0)


def test_a_law_without_points_has_one_interval(inputs):
    assert interval_cutoff(np.zeros(0, dtype=np.int64), 0) == dt.date.max
    assert cutoff_interval(np.zeros(0, dtype=np.int64), dt.date(2026, 1, 1)) == 0


def test_the_out_of_scope_recommendation_date_is_a_point(fw, inputs):
    """A member state out of NIS2's scope without a national date: the recommendation is due
    from the law's applies_from, a date no requirement or member state names here."""
    levels = _random_population(fw, inputs, 80, 5)[0]
    table = resolve_population(inputs, np.array(["CZ"] * 80), np.full(80, 5000.0),
                               country_overrides={"CZ": {"nis2_local_scope": "none",
                                                         "nis2_date": None}})
    law = inputs.law("NIS2")
    li = inputs.law_ids.index("NIS2")
    points = cutoff_points(inputs, table, "NIS2")
    assert law.applies_from.toordinal() in points
    for day in (law.applies_from - dt.timedelta(days=1), law.applies_from):
        k = cutoff_interval(points, day)
        got = population_readiness(inputs, levels, table, at=interval_cutoff(points, k),
                                   horizon_days=0, laws=["NIS2"])
        same_law(_as_one(population_readiness(inputs, levels, table, at=day, horizon_days=0), li),
                 got, 0)
    before, on = (population_readiness(inputs, levels, table, at=d, horizon_days=0, laws=["NIS2"])
                  for d in (law.applies_from - dt.timedelta(days=1), law.applies_from))
    assert not np.array_equal(before.ambition_status, on.ambition_status)  # the date matters
