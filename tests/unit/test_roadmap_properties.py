"""Properties of the roadmap engine that hold for any matrix, gates, levels (don't-knows
included), targets, laws, peers and weights (hypothesis): nothing at target and nothing unknown
is recommended, an unknown is advice instead; at target everywhere -> empty; raising an enabler
never lowers readiness; every step is the best eligible candidate of its state (no unmet gate),
ties in framework order, blocked elements last; the explanation reproduces the score; the
population run equals the single runs."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from pipelines.maturity.roadmap import (
    LawRequirements,
    Peers,
    RoadmapModel,
    Weights,
    components,
    readiness,
    roadmap,
)
from pipelines.maturity.roadmap_population import population_roadmap

SETTINGS = settings(max_examples=150, deadline=None)


@st.composite
def cases(draw, max_elements: int = 7, rows: int = 1):
    n = draw(st.integers(1, max_elements))
    ids = tuple(f"E{i:02d}" for i in range(n))
    density = draw(st.sampled_from([0.0, 0.2, 0.5, 0.9]))
    seed = draw(st.integers(0, 2**31 - 1))
    rng = np.random.default_rng(seed)
    w = rng.integers(1, 4, (n, n)) * (rng.random((n, n)) < density)
    np.fill_diagonal(w, 0)
    gates = (rng.integers(1, 4, (n, n)) * (w >= 2) * (rng.random((n, n)) < 0.3)
             if draw(st.booleans()) else None)
    levels = rng.integers(-1, 5, (rows, n)).astype(np.int8)
    if draw(st.booleans()):  # many ties: few distinct levels
        levels = rng.choice(np.array([-1, 0, 3], dtype=np.int8), (rows, n))
    targets = (np.full(n, 3, dtype=np.int8) if draw(st.booleans())
               else rng.integers(0, 5, n).astype(np.int8))
    r = draw(st.integers(0, 6))
    days = rng.choice([-300.0, 0.0, 200.0, 700.0, 1500.0, np.nan], (2, r))
    req = LawRequirements(rng.integers(0, n, r), rng.integers(0, 5, r),
                          tuple(f"L{i}" for i in range(r)), days,
                          enforcement=rng.integers(1, 4, r))
    profile = rng.integers(0, 2, rows)
    known = rng.integers(0, 12, (rows, n))
    count = np.minimum(rng.integers(0, 12, (rows, n)), known)
    share, suppressed = Peers.shares(count, known, min_group=draw(st.sampled_from([0, 5])))
    peers = Peers(share, count, known, suppressed)
    weights = Weights(*draw(st.tuples(*[st.sampled_from([0.0, 0.1, 0.25, 1.0, 3.0])] * 4)
                            .filter(lambda x: sum(x) > 0)))
    phases, per_phase = draw(st.integers(0, 4)), draw(st.integers(1, 4))
    done = tuple(i for i in ids if rng.random() < 0.2) if draw(st.booleans()) else ()
    return dict(model=RoadmapModel(ids, w, gates), levels=levels, targets=targets, req=req,
                profile=profile, peers=peers, weights=weights, phases=phases,
                per_phase=per_phase, done=done)


def _peers_row(c, row: int = 0) -> Peers:
    p = c["peers"]
    return Peers(p.share[row], p.count[row], p.known[row], p.suppressed[row])


def single(c, row: int = 0, **over):
    args = dict(targets=c["targets"], requirements=c["req"], profile=int(c["profile"][row]),
                peers=_peers_row(c, row), weights=c["weights"], phases=c["phases"], per_phase=c["per_phase"],
                done=c["done"])
    args.update(over)
    return roadmap(c["model"], c["levels"][row], **args)


def start_levels(c, row: int = 0) -> np.ndarray:
    lv = c["levels"][row].copy()
    for e in c["done"]:
        j = c["model"].index[e]
        lv[j] = max(lv[j], c["targets"][j])
    return lv


@SETTINGS
@given(cases())
def test_nothing_at_or_above_target_is_recommended(c):
    rm = single(c)
    lv = start_levels(c)
    chosen = [s.index for s in rm.steps]
    assert len(chosen) == len(set(chosen))
    assert all(0 <= lv[j] < c["targets"][j] for j in chosen)  # known and below target
    assert not set(rm.ids) & set(c["done"])
    candidates = int(((lv >= 0) & (lv < c["targets"])).sum())
    k = c["phases"] * c["per_phase"]
    assert len(chosen) <= min(candidates, k)
    if not c["model"].has_gates:  # only a gate can end a roadmap early
        assert len(chosen) == min(candidates, k)
    elif len(chosen) < min(candidates, k):
        assert rm.gated  # the rest waits for a gate that stays unmet
    assert [s.rank for s in rm.steps] == list(range(1, len(chosen) + 1))
    assert all(s.phase == (s.rank - 1) // c["per_phase"] + 1 for s in rm.steps)
    # every unknown element that is pursued is advice, and only those
    unknown = {c["model"].element_ids[j] for j in range(len(lv))
               if lv[j] == -1 and c["targets"][j] > 0}
    assert {a.element for a in rm.assess} == unknown


@SETTINGS
@given(cases())
def test_at_target_everywhere_gives_an_empty_roadmap(c):
    at_target = np.maximum(c["levels"], c["targets"]).astype(np.int8)
    c = dict(c, levels=at_target)
    assert single(c).steps == ()
    assert (population_roadmap(c["model"], at_target, targets=c["targets"]).sequence == -1).all()


@SETTINGS
@given(cases(), st.data())
def test_raising_an_enabler_never_lowers_readiness(c, data):
    model = c["model"]
    lv = c["levels"][0]
    before = readiness(model, lv)
    i = data.draw(st.integers(0, model.size - 1))
    raised = lv.copy()
    # an unknown enabler counts as half in place (between levels 1 and 2): learning it is at 2
    # or more never lowers readiness; a known level raised never does either
    raised[i] = data.draw(st.integers(max(int(lv[i]), 0) if lv[i] >= 0 else 2, 4))
    after = readiness(model, raised)
    assert (after >= before).all()
    dependants = model.weights[i] > 0
    assert (after[~dependants] == before[~dependants]).all()
    assert ((after >= 0) & (after <= 1)).all()


@SETTINGS
@given(cases())
def test_each_step_is_the_best_eligible_candidate_of_its_state(c):
    """Replays the sequence: in each state the chosen element has the top score among the
    eligible candidates (ties: first in framework order), a blocked element is chosen only when
    every ungated candidate is blocked, a gated one never, and the reported components are
    those of that state; the roadmap ends only when nothing ungated is left or it is full."""
    rm = single(c)
    again = single(c)
    assert again.ids == rm.ids and [s.score for s in again.steps] == [s.score for s in rm.steps]
    model = c["model"]
    state = start_levels(c)

    def comps_of(state):
        return components(model, state, targets=c["targets"], requirements=c["req"],
                          profile=int(c["profile"][0]), peers=_peers_row(c), weights=c["weights"])
    for s in rm.steps:
        comp = comps_of(state)
        open_ = comp.candidate & ~comp.gated
        eligible = open_ & ~comp.blocked
        pick = eligible if eligible.any() else open_
        top = comp.score[pick].max()
        assert s.score == comp.score[s.index] == top
        assert pick[s.index]
        assert s.index == int(np.flatnonzero(pick & (comp.score == top))[0])
        assert (s.readiness, s.unlock, s.urgency, s.peer) == (
            comp.readiness[s.index], comp.unlock[s.index], comp.urgency[s.index], comp.peer[s.index])
        assert all(0 <= x <= 1 for x in (s.readiness, s.unlock, s.urgency, s.peer, s.score))
        state[s.index] = max(state[s.index], c["targets"][s.index])
    if len(rm.steps) < c["phases"] * c["per_phase"]:
        comp = comps_of(state)
        assert not (comp.candidate & ~comp.gated).any()


@SETTINGS
@given(cases())
def test_the_explanation_reproduces_the_score(c):
    for s in single(c).steps:
        e = s.explanation
        r = e.readiness_credit / e.readiness_weight if e.readiness_weight else 1.0
        u = e.unlock_weight / e.unlock_norm
        g = e.law.urgency if e.law else 0.0
        p = 0.0 if e.peers_suppressed else (e.peers_count / e.peers_known if e.peers_known else 0.0)
        assert abs(r - s.readiness) < 1e-6 and abs(u - s.unlock) < 1e-6
        assert g == s.urgency and abs(p - s.peer) < 1e-6
        w = e.weights
        assert abs(sum(w.values()) - 1) < 1e-6
        score = w["readiness"] * r + w["unlock"] * u + w["urgency"] * g + w["peer"] * p
        assert abs(score - s.score) < 1e-6
        assert e.components == {"readiness": s.readiness, "unlock": s.unlock,
                                "urgency": s.urgency, "peer": s.peer}
        # the words follow the numbers
        assert len(e.in_place) + len(e.partial) + len(e.missing) + len(e.unknown) == len(e.enablers)
        assert all(x.level is not None and x.level >= 3 for x in e.in_place)
        assert all(x.status == "unknown" and x.credit == 0.5 for x in e.enablers if x.level is None)
        assert all(x.level == 0 for x in e.missing)
        # the gates it waited for are met in the state it was chosen in
        assert all(x.level is not None for x in e.gates)


@settings(max_examples=60, deadline=None)
@given(cases(rows=40))
def test_the_population_run_equals_the_single_runs(c):
    pop = population_roadmap(c["model"], c["levels"], targets=c["targets"], requirements=c["req"],
                             profile=c["profile"], peers=c["peers"], weights=c["weights"],
                             phases=c["phases"], per_phase=c["per_phase"], chunk=7)
    for row in range(0, 40, 3):
        rm = single(c, row, done=())
        k = len(rm.steps)
        assert pop.sequence[row, :k].tolist() == [s.index for s in rm.steps]
        assert (pop.sequence[row, k:] == -1).all()
        assert pop.score[row, :k].tolist() == [s.score for s in rm.steps]
        assert pop.readiness[row, :k].tolist() == [s.readiness for s in rm.steps]
        assert pop.unlock[row, :k].tolist() == [s.unlock for s in rm.steps]
        assert pop.urgency[row, :k].tolist() == [s.urgency for s in rm.steps]
        assert pop.peer[row, :k].tolist() == [s.peer for s in rm.steps]
