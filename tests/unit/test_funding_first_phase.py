"""The funding what-if's first phase after funding (`funding.first_phase_after`: only the first
phase, from a stored sequencing state plus the raised package elements) equals the roadmap
engine's full population run on the funded levels (`population_roadmap`, what the what-if ran
before), for any matrix, gates, levels (don't-knows included), targets, laws, peers, weights,
phase size, package and rows (none included): hypothesis."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pipelines.maturity import funding as fe
from pipelines.maturity.roadmap import LawRequirements, Peers, RoadmapModel, Weights
from pipelines.maturity.roadmap_population import (
    first_phase,
    integer_state,
    population_roadmap,
    raised_state,
    state_of,
)


@st.composite
def cases(draw):
    n = draw(st.integers(1, 9))
    ids = tuple(f"E{i:02d}" for i in range(n))
    rows = draw(st.sampled_from([0, 1, 2, 5, 40]))
    rng = np.random.default_rng(draw(st.integers(0, 2**31 - 1)))
    density = draw(st.sampled_from([0.0, 0.3, 0.9]))
    w = rng.integers(1, 4, (n, n)) * (rng.random((n, n)) < density)
    if draw(st.booleans()):  # weights that are not whole: the state is made afresh
        w = w * draw(st.sampled_from([0.5, 0.3, 1.7]))
    np.fill_diagonal(w, 0)
    gates = (rng.integers(1, 4, (n, n)) * (w > 0) * (rng.random((n, n)) < 0.4)
             if draw(st.booleans()) else None)
    levels = rng.integers(-1, 5, (rows, n)).astype(np.int8)  # -1: "don't know"
    if draw(st.booleans()):  # many ties and many unknowns
        levels = rng.choice(np.array([-1, 0, 3], dtype=np.int8), (rows, n))
    targets = (3 if draw(st.booleans()) else rng.integers(0, 5, n).astype(np.int8))
    r = draw(st.integers(0, 6))
    days = rng.choice([-300.0, 0.0, 200.0, 700.0, 1500.0, np.nan], (2, r))
    req = LawRequirements(rng.integers(0, n, r), rng.integers(0, 5, r),
                          tuple(f"L{i}" for i in range(r)), days,
                          enforcement=rng.integers(1, 4, r))
    known = rng.integers(0, 12, (rows, n))
    count = np.minimum(rng.integers(0, 12, (rows, n)), known)
    share, suppressed = Peers.shares(count, known, min_group=draw(st.sampled_from([0, 5])))
    weights = Weights(*draw(st.tuples(*[st.sampled_from([0.0, 0.1, 0.25, 1.0, 3.0])] * 4)
                            .filter(lambda x: sum(x) > 0)))
    k = draw(st.integers(1, min(n, 3)))
    pkg = fe.Package(tuple(fe.PackageItem(ids[j], int(rng.integers(1, 5)))
                           for j in rng.choice(n, k, replace=False)))
    return dict(model=RoadmapModel(ids, w, gates), levels=levels, targets=targets, req=req,
                profile=rng.integers(0, 2, rows),
                peers=Peers(share, count, known, suppressed), weights=weights,
                per_phase=draw(st.integers(1, 4)), pkg=pkg)


def reference(c) -> np.ndarray:
    """What the what-if ran before: the engine's whole population run (scores, components and
    all) on the funded levels, of which it kept the first phase."""
    model = c["model"]
    after = fe.raise_levels(c["levels"], np.ones(len(c["levels"]), dtype=bool), c["pkg"],
                            model.element_ids)
    if len(after) == 0:
        return np.zeros((0, c["per_phase"]), dtype=np.int16)
    return population_roadmap(model, after, targets=c["targets"], requirements=c["req"],
                              profile=c["profile"], peers=c["peers"], weights=c["weights"],
                              phases=1, per_phase=c["per_phase"]).first_phase


@settings(max_examples=300, deadline=None)
@given(cases())
def test_the_first_phase_after_funding_equals_the_engines_full_run(c):
    model = c["model"]
    expected = reference(c)
    kw = dict(requirements=c["req"], profile=c["profile"], peer_share=c["peers"].share,
              per_phase=c["per_phase"], targets=c["targets"])
    # from the stored state plus the raised elements (whole weights), and made afresh
    state = state_of(model, c["levels"], c["targets"]) if integer_state(model) else None
    for s in (state, None):
        got = _first_phase_after(c, state=s, **kw)
        assert got.dtype == np.int16 and got.shape == expected.shape
        assert np.array_equal(got, expected)


def _first_phase_after(c, **kw):
    if c["weights"] == Weights():
        return fe.first_phase_after(c["model"], c["levels"], c["pkg"], **kw)
    # the what-if runs the default weights; other weights through the same core
    after = fe.raise_levels(c["levels"], np.ones(len(c["levels"]), dtype=bool), c["pkg"],
                            c["model"].element_ids)
    state = kw.pop("state")
    if state is not None:
        state = raised_state(c["model"], state, c["levels"], after,
                             c["pkg"].positions(c["model"].element_ids), c["targets"])
    return first_phase(c["model"], after, weights=c["weights"], state=state, **kw)


@settings(max_examples=200, deadline=None)
@given(cases())
def test_the_raised_state_is_the_state_of_the_raised_levels(c):
    model = c["model"]
    eids = model.element_ids
    after = fe.raise_levels(c["levels"], np.ones(len(c["levels"]), dtype=bool), c["pkg"], eids)
    got = raised_state(model, state_of(model, c["levels"], c["targets"]), c["levels"], after,
                       c["pkg"].positions(eids), c["targets"])
    want = state_of(model, after, c["targets"])
    if integer_state(model):
        assert np.array_equal(got, want)  # bit for bit: small integers, exact in float32
    else:
        assert np.allclose(got, want, atol=1e-4)


def test_whole_weights_are_exact_and_others_are_not_taken_as_such():
    ids = ("A", "B")
    assert integer_state(RoadmapModel(ids, np.array([[0, 2], [3, 0]])))
    assert not integer_state(RoadmapModel(ids, np.array([[0, 0.5], [1, 0]])))


def test_shapes_are_checked():
    model = RoadmapModel(("A", "B"), np.array([[0, 1], [0, 0]]))
    lv = np.zeros((3, 2), dtype=np.int8)
    with pytest.raises(ValueError, match="state"):
        first_phase(model, lv, state=np.zeros((2, 4), dtype=np.float32))
    with pytest.raises(ValueError, match="peer"):
        first_phase(model, lv, peer_share=np.zeros((2, 2), dtype=np.float32))
    assert first_phase(model, lv[:0], per_phase=2).shape == (0, 2)
