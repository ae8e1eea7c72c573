"""The funding what-if engine (pipelines/maturity/funding.py): a hand-worked population, the
package parser, who a rule funds, and properties that hold for any levels."""

from __future__ import annotations

import dataclasses
import datetime as dt

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pipelines.maturity import funding as fe
from pipelines.maturity.readiness import (
    MISSING,
    compile_laws,
    population_readiness,
    readiness_inputs,
    resolve_population,
    validate_profile,
)

AT = dt.date(2027, 1, 1)


@pytest.fixture(scope="module")
def tiny(fw):
    """The framework's elements with one law of one requirement: SEC-02 at level 3 (legal), and
    one ambition (recommended) requirement: SEC-01 at level 2."""
    inputs = readiness_inputs(fw)
    law = validate_profile({"id": "TINY", "name": "Tiny law", "requirements": [
        {"element": "SEC-02", "min": 3, "deadline": "2026-01-01"},
        {"element": "SEC-01", "min": 2, "deadline": "2026-01-01", "status": "recommended"}]},
        inputs)
    return dataclasses.replace(inputs, compiled=compile_laws(inputs, [law]))


def population(fw, rows: list[dict]) -> np.ndarray:
    """Levels int8[M, E]: every element at 4 except the ones given per row."""
    lv = np.full((len(rows), len(fw.element_ids)), 4, dtype=np.int8)
    for i, changes in enumerate(rows):
        for el, v in changes.items():
            lv[i, fw.element_ids.index(el)] = v
    return lv


# six municipalities; the law needs SEC-02 at 3 (three elements vary: SEC-01, SEC-02, SEC-03)
SIX = [{"SEC-02": 1, "SEC-01": 2},  # not ready: SEC-02 only
       {"SEC-02": 2, "SEC-03": 0},  # not ready: SEC-02 only (SEC-03 is not asked)
       {"SEC-02": 0, "SEC-01": 1},  # not ready; ambition gap on SEC-01 too
       {"SEC-02": 3},  # ready
       {"SEC-02": 4, "SEC-01": 0},  # ready; ambition not ready
       {"SEC-02": MISSING}]  # unknown


def run(tiny, fw, funded, pkg_text="SEC-02:3", groups=None):
    lv = population(fw, SIX)
    table = resolve_population(tiny, ["NL"] * 6, [10_000] * 6)
    pkg = fe.parse_package(pkg_text, fw.element_ids)
    return fe.evaluate(tiny, lv, table, np.array(funded, dtype=bool), pkg, at=AT,
                       groups=groups)


def test_funding_two_not_ready_municipalities_makes_exactly_two_more_ready(tiny, fw):
    r = run(tiny, fw, [1, 1, 0, 0, 0, 0], groups={"size": (np.array([0, 1, 1, 0, 0, 1]), 2)})
    assert (r.law_ids, r.n, int(r.due[0])) == (("TINY",), 6, 6)
    assert (int(r.ready_before[0]), int(r.ready_after[0]), int(r.gained[0])) == (2, 4, 2)
    assert (r.funded, r.raised.tolist(), r.cost) == (2, [2], 2 * fe.DEFAULT_COST)
    assert r.cost_per_ready()[0] == fe.DEFAULT_COST
    n, gained, _ = r.groups["size"]
    assert n.tolist() == [3, 3] and gained[:, 0].tolist() == [1, 1]
    assert r.gaps_closed[0].tolist() == [2]  # both closed their SEC-02 gap
    # SEC-02 at >= 3: rows 3, 4 before; rows 0, 1 too after
    j = fw.element_ids.index("SEC-02")
    assert (int(r.mastered_before[j]), int(r.mastered_after[j])) == (2, 4)


def test_ambition_is_counted_apart_from_legal_duties(tiny, fw):
    # row 2 lacks SEC-01 for the ambition: SEC-02 alone makes it legally ready, not ambitious
    r = run(tiny, fw, [0, 0, 1, 0, 0, 0])
    assert int(r.gained[0]) == 1
    # ambition (SEC-01 >= 2): rows 0, 1, 3 and 5 meet it; SEC-02 does not change that
    assert (int(r.ambition_before[0]), int(r.ambition_after[0])) == (4, 4)
    r2 = run(tiny, fw, [0, 0, 1, 0, 1, 0], "SEC-02:3,SEC-01:2")
    assert int(r2.gained[0]) == 1 and int(r2.ambition_gained[0]) == 2  # rows 2 and 4
    assert int(r2.ambition_after[0]) == 6


def test_an_unknown_level_is_funded_and_then_known(tiny, fw):
    r = run(tiny, fw, [0, 0, 0, 0, 0, 1])
    assert (r.funded, int(r.gained[0])) == (1, 1)


def test_funding_a_ready_municipality_costs_and_changes_nothing(tiny, fw):
    r = run(tiny, fw, [0, 0, 0, 1, 1, 0])
    assert (r.funded, r.cost, int(r.gained[0])) == (0, 0.0, 0)
    assert np.isnan(r.cost_per_ready()[0])


def test_the_funded_still_not_ready_say_what_they_miss(fw):
    inputs = readiness_inputs(fw)
    lv = population(fw, [{"SEC-01": 0, "SEC-02": 0}] * 5)
    table = resolve_population(inputs, ["NL"] * 5, [50_000] * 5)
    r = fe.evaluate(inputs, lv, table, np.ones(5, dtype=bool),
                    fe.parse_package("SEC-02:4", fw.element_ids), at=AT)
    gdpr = r.law_ids.index("GDPR")
    assert int(r.gained[gdpr]) == 0  # GDPR also needs SEC-01
    assert int(r.still_missing[gdpr, fw.element_ids.index("SEC-01")]) == 5


# ------------------------------------------------------------------ package and rules


def test_package_text_round_trip_and_errors_name_the_item(fw):
    pkg = fe.parse_package("sec-02:3, SEC-01:4:40000", fw.element_ids)
    assert pkg.elements == ("SEC-02", "SEC-01") and pkg.targets().tolist() == [3, 4]
    assert pkg.costs().tolist() == [fe.DEFAULT_COST, 40_000.0]
    assert pkg.text() == "SEC-02:3,SEC-01:4:40000"
    for text, where in (("SEC-99:3", "package.0.element"), ("SEC-02:5", "package.0.level"),
                        ("SEC-02:3,SEC-01:x", "package.1.level"),
                        ("SEC-02:3,SEC-02:4", "package.1.element"),
                        ("SEC-02:3:-1", "package.0.cost"), ("SEC-02", "package.0"),
                        ("", "package")):
        with pytest.raises(fe.PackageError) as e:
            fe.parse_package(text, fw.element_ids)
        assert e.value.field == where, text


def test_rules_order_units():
    lev = np.array([0.2, 0.9, 0.5])
    assert fe.rank("leverage", leverage=lev).tolist() == [1, 2, 0]
    assert fe.rank("readiness", share_ready=np.array([0.5, np.nan, 0.1])).tolist() == [2, 0, 1]
    assert fe.rank("smallest", population=np.array([5e4, 1e3, 2e4])).tolist() == [1, 2, 0]
    assert fe.rank("below", leverage=lev).tolist() == [0, 1, 2]
    with pytest.raises(ValueError):
        fe.rank("richest", leverage=lev)


def test_choose_fills_the_reach_and_budget_in_order_and_skips_what_does_not_fit():
    order = np.array([0, 1, 2, 3])
    need = np.array([5, 8, 3, 0])
    cost = need * 10.0
    assert fe.choose(order, need, cost, reach=10).tolist() == [True, False, True, False]
    assert fe.choose(order, need, cost, budget=130).tolist() == [True, True, False, False]
    assert fe.choose(order, need, cost).tolist() == [True, True, True, False]  # need 0: no
    assert not fe.choose(order, need, cost, reach=2).any()


# ------------------------------------------------------------------ properties


levels_st = st.integers(2, 30).flatmap(lambda m: st.tuples(
    st.lists(st.lists(st.integers(-1, 4), min_size=3, max_size=3), min_size=m, max_size=m),
    st.lists(st.booleans(), min_size=m, max_size=m)))


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=levels_st, targets=st.tuples(st.integers(1, 4), st.integers(1, 4)))
def test_funding_never_lowers_a_level_and_never_makes_anyone_less_ready(fw, data, targets):
    inputs = readiness_inputs(fw)
    rows, funded = data
    m = len(rows)
    lv = np.full((m, len(fw.element_ids)), 2, dtype=np.int8)
    cols = [fw.element_ids.index(e) for e in ("SEC-01", "SEC-02", "GOV-01")]
    lv[:, cols] = np.array(rows, dtype=np.int8)
    pkg = fe.parse_package(f"SEC-01:{targets[0]},SEC-02:{targets[1]}", fw.element_ids)
    f = np.array(funded, dtype=bool)
    after = fe.raise_levels(lv, f, pkg, fw.element_ids)
    assert (after >= lv).all()  # never lowers (an unknown becomes known)
    assert (after[~f] == lv[~f]).all()  # only the funded change
    table = resolve_population(inputs, ["NL"] * m, [30_000] * m)
    r = fe.evaluate(inputs, lv, table, f, pkg, at=AT)
    assert (r.ready_after >= r.ready_before).all()
    assert (r.ambition_after >= r.ambition_before).all()
    assert (r.mastered_after >= r.mastered_before).all()
    assert r.funded <= int(f.sum())
    # the "after" counts are those of a full readiness run on the funded levels
    full = population_readiness(inputs, after, table, at=AT)
    assert r.ready_after.tolist() == full.ready.sum(axis=0).tolist()


@settings(max_examples=60, deadline=None)
@given(need=st.lists(st.integers(0, 40), min_size=1, max_size=30), reach=st.integers(0, 300),
       seed=st.integers(0, 1000))
def test_the_reach_caps_the_funded_count(need, reach, seed):
    need = np.array(need)
    order = np.random.default_rng(seed).permutation(len(need))
    chosen = fe.choose(order, need, need * 1.0, reach=reach)
    assert need[chosen].sum() <= reach
    # whatever is left out needed nothing or did not fit in what was left when its turn came
    left = reach
    for u in order:
        if chosen[u]:
            left -= need[u]
        else:
            assert need[u] == 0 or need[u] > left or left <= 0
    more = fe.choose(order, need, need * 1.0, reach=reach + 1)
    assert need[more].sum() <= reach + 1


def _choose_slowly(order, need, cost, reach, budget):
    out = np.zeros(len(need), dtype=bool)
    left_n = np.inf if reach is None else reach
    left_c = np.inf if budget is None else budget
    for u in order:
        if need[u] <= 0 or need[u] > left_n or cost[u] > left_c + 1e-6:
            continue
        out[u] = True
        left_n -= need[u]
        left_c -= cost[u]
    return out


@settings(max_examples=80, deadline=None)
@given(need=st.lists(st.integers(0, 12), min_size=1, max_size=40),
       costs=st.lists(st.integers(0, 9), min_size=40, max_size=40),
       reach=st.none() | st.integers(0, 150), budget=st.none() | st.integers(0, 400),
       seed=st.integers(0, 1000))
def test_choose_equals_the_plain_loop(need, costs, reach, budget, seed):
    need = np.array(need)
    cost = need * np.array(costs[:len(need)], dtype=float)
    order = np.random.default_rng(seed).permutation(len(need))
    assert fe.choose(order, need, cost, reach=reach, budget=budget).tolist() == \
        _choose_slowly(order, need, cost, reach, budget).tolist()


@settings(max_examples=300, deadline=None)
@given(keys=st.lists(st.sampled_from([0.0, 0.5, 1.0, 2.5, np.nan, 7.0, -1.0]), min_size=2,
                     max_size=60), data=st.data())
def test_the_first_k_in_order_equal_the_stable_sorts_first_k(keys, data):
    key = np.where(np.isnan(keys), np.inf, keys)
    k = data.draw(st.integers(1, len(key) - 1))
    first, rest = fe._first_in_order(key.copy(), k)
    assert first.tolist() == np.argsort(key, kind="stable")[:k].tolist()
    assert sorted(rest.tolist()) == sorted(set(range(len(key))) - set(first.tolist()))


@settings(max_examples=300, deadline=None)
@given(n=st.integers(1, 200), data=st.data(), first=st.sampled_from([1, 2, 5, 64]),
       rule=st.sampled_from(["leverage", "readiness", "smallest", "below"]))
def test_choose_ranked_equals_ranking_every_unit(n, data, first, rule):
    """Only the first units of the rule's order sorted (growing until the rest cannot change
    the answer) = every unit ranked, then chosen; with ties, NaN values, units needing
    nothing, units too large for what is left and a smaller one after them."""
    import pipelines.maturity.funding as engine
    saved = engine.FIRST_UNITS
    engine.FIRST_UNITS = first
    try:
        values = np.array(data.draw(st.lists(st.sampled_from([0.0, 0.1, 0.5, 3.0, np.nan, 1e5]),
                                             min_size=n, max_size=n)))
        need = np.array(data.draw(st.lists(st.integers(0, 6), min_size=n, max_size=n)))
        cost = need * np.array(data.draw(st.lists(st.sampled_from([0.0, 1.0, 2.5, 10.0]),
                                                  min_size=n, max_size=n)))
        reach = data.draw(st.none() | st.integers(0, 3 * n))
        budget = data.draw(st.none() | st.sampled_from([0.0, 5.0, 20.0, 1e3]))
        arrays = {"leverage": values, "share_ready": values, "population": values}
        fast = fe.choose_ranked(rule, need, cost, reach=reach, budget=budget, **arrays)
        plain = fe.choose(fe.rank(rule, **arrays), need, cost, reach=reach, budget=budget)
    finally:
        engine.FIRST_UNITS = saved
    assert fast.tolist() == plain.tolist()
    assert fast.tolist() == _choose_slowly(fe.rank(rule, **arrays), need, cost, reach,
                                           budget).tolist()
