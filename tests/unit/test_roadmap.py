"""The roadmap engine: a hand-worked example, each component, what-if, passive use, the
framework adapters and the population run, checked against numbers written out by hand."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest

from pipelines.maturity.peers import Attributes, peer_mask
from pipelines.maturity.readiness import municipality_readiness, readiness_inputs
from pipelines.maturity.roadmap import (
    DAYS_PER_YEAR,
    DEFAULT_HORIZON_YEARS,
    LawRequirements,
    Peers,
    RoadmapModel,
    Weights,
    assess_text,
    check_plan,
    components,
    explain_text,
    law_needs,
    model_from_framework,
    readiness,
    requirement_urgency,
    requirements_for_municipalities,
    requirements_from_framework,
    roadmap,
    time_factor,
    urgency,
)
from pipelines.maturity.roadmap_population import (
    group_codes,
    leverage,
    leverage_by_group,
    peers_by_group,
    population_roadmap,
)

# ------------------------------------------------------------------ the hand-worked example
#
# Five elements A..E; W[i, j] = how much i enables j:
#   A -> B 2, A -> C 1, B -> C 2, B -> D 3, C -> E 1, D -> E 2
#   column sums (enabler weight): A 0, B 2, C 3, D 3, E 3
#   row sums: A 3, B 5, C 1, D 2, E 0  -> unlock norm 5
# Levels: A 3, B 1, C 0, D unknown (-1), E 2; targets 3 everywhere -> candidates B, C, E;
# D is unknown: not developed, but advice to establish where the municipality stands.
# An unknown enabler earns half credit; an unknown dependant counts half in unlock.
# One law, LAW (enforcement 3: consequence 1): D at level 2 in 1.5 years, E at level 3 100 days
# overdue. u = time x (0.4 + 0.6 x (0.6 x 1 + 0.4 x gap/3)):
#   E at 2 (gap 1): 1 x (0.4 + 0.6 x 0.73333) = 0.84;  D at 0 (gap 2): 0.5 x 0.92 = 0.46.
# Peers (10 answered everywhere) at level >= 3: A 9, B 8, C 2, D 5, E 10.
# Default weights 0.35 / 0.25 / 0.25 / 0.15.
#
# Step 1 (A3 B1 C0 D? E2):
#   B: readiness A 2*1/2 = 1   unlock (C 2 + D 3/2)/5 = 0.7   urgency 0   peer .8
#      score .35 + .175 + 0 + .12 = .645
#   C: readiness (1*1 + 2*1/3)/3 = 5/9   unlock E 1*(1/3)/5 (E lacks one level of three)
#      peer .2 -> .19444 + .01667 + .03 = .24111
#   E: readiness (D 2*1/2 + C 1*0)/3 = 1/3   unlock 0   urgency .84   peer 1
#      -> .11667 + 0 + .21 + .15 = .47667
#   -> B
# Step 2 (B raised to 3): C readiness 1 -> .35 + .01667 + .03 = .39667; E .47667 -> E
# Step 3 (E raised): C unlock 0 (E is at target) -> .35 + 0 + .03 = .38          -> C
# One phase of 3: [B, E, C]. Assess: D (LAW needs level 2, u .46; it helps E).

IDS = ("A", "B", "C", "D", "E")
W = np.zeros((5, 5))
for (i, j), w in {(0, 1): 2, (0, 2): 1, (1, 2): 2, (1, 3): 3, (2, 4): 1, (3, 4): 2}.items():
    W[i, j] = w
LEVELS = np.array([3, 1, 0, -1, 2], dtype=np.int8)
AT = dt.date(2026, 1, 1)
YEAR = 365.25


@pytest.fixture()
def model():
    return RoadmapModel(IDS, W)


@pytest.fixture()
def law(model):
    return LawRequirements.build(model, [("LAW", "D", 2, 1.5 * YEAR), ("LAW", "E", 3, -100.0)], at=AT)


@pytest.fixture()
def peers():
    count = np.array([9, 8, 2, 5, 10])
    known = np.full(5, 10)
    return Peers(count / known, count, known, np.zeros(5, dtype=bool))


@pytest.fixture()
def rm(model, law, peers):
    return roadmap(model, LEVELS, requirements=law, peers=peers)


def test_hand_worked_order_and_phases(rm):
    assert rm.ids == ["B", "E", "C"]
    assert [[s.element for s in phase] for phase in rm.phases] == [["B", "E", "C"]]
    assert [s.rank for s in rm.steps] == [1, 2, 3]
    assert [s.phase for s in rm.steps] == [1, 1, 1]
    assert [s.score for s in rm.steps] == pytest.approx([0.645, 0.35 / 3 + 0.36, 0.38], abs=1e-6)
    assert rm.known == 4


def test_hand_worked_components(rm):
    expected = {  # element: readiness, unlock, urgency, peer
        "B": (1.0, 0.7, 0.0, 0.8),
        "E": (1 / 3, 0.0, 0.84, 1.0),
        "C": (1.0, 0.0, 0.0, 0.2),
    }
    for s in rm.steps:
        assert (s.readiness, s.unlock, s.urgency, s.peer) == pytest.approx(expected[s.element], abs=1e-6)
        assert s.explanation.components == {"readiness": s.readiness, "unlock": s.unlock,
                                            "urgency": s.urgency, "peer": s.peer}


def test_an_unknown_level_is_advice_not_a_step(rm):
    """D was not rated: it is never developed and never counted as 0; the roadmap advises to
    establish where the municipality stands, with the duty on it and what it helps build."""
    assert "D" not in rm.ids
    (d,) = rm.assess
    assert (d.element, d.target) == ("D", 3)
    assert [(x.law, x.min_level, x.days) for x in d.laws] == [("LAW", 2, 1.5 * YEAR)]
    assert d.urgency == pytest.approx(0.46)
    # E lacks one level of three: it counts 2 x 1/3
    assert d.unlocks == (("E", 2.0),) and d.unlock_weight == pytest.approx(2 / 3)
    assert d.gates == ()
    text = assess_text(d, "en", law_names={"LAW": "The Law"})
    assert text == ("Establish where you stand on D: The Law requires level 2 by 2027-07-02; "
                    "it helps 1 element(s): E.")
    assert assess_text(d, "nl").startswith("Stel vast waar u staat op D: LAW vereist niveau 2")


def test_hand_worked_explanation_of_e(rm):
    e = rm.steps[1].explanation
    assert (e.element, e.level, e.target) == ("E", 2, 3)
    assert [(x.element, x.weight, x.level, x.credit, x.status, x.source) for x in e.enablers] == [
        ("D", 2.0, None, 0.5, "unknown", "survey"), ("C", 1.0, 0, 0.0, "missing", "survey")]
    assert (e.readiness_credit, e.readiness_weight) == (1.0, 3.0)
    assert e.unlocks == () and e.unlock_weight == 0.0
    assert e.law is not None
    assert (e.law.law, e.law.min_level, e.law.days) == ("LAW", 3, -100.0)
    assert e.law.deadline == AT - dt.timedelta(days=100) and e.law.overdue
    assert e.law.urgency == pytest.approx(0.84)
    assert (e.peers_count, e.peers_known, e.peers_suppressed, e.peers_level) == (10, 10, False, 3)
    assert e.weights == pytest.approx({"readiness": 0.35, "unlock": 0.25, "urgency": 0.25,
                                       "peer": 0.15})


def test_hand_worked_explanation_of_b_and_c(rm):
    b = rm.steps[0].explanation
    assert [(x.element, x.level, x.status, x.source) for x in b.enablers] == [
        ("A", 3, "in_place", "survey")]
    # helped most first: C lacks all three levels (2 x 1), D is unknown and counts half (3 x 1/2)
    assert b.unlocks == (("C", 2.0), ("D", 3.0))
    assert b.unlock_weight == 3.5
    assert b.law is None and b.laws == ()
    c = rm.steps[2].explanation
    assert [(x.element, x.weight, x.level, x.status, x.source) for x in c.enablers] == [
        ("B", 2.0, 3, "in_place", "roadmap"), ("A", 1.0, 3, "in_place", "survey")]
    assert (c.peers_count, c.peers_known) == (2, 10)


def recompute(expl) -> tuple[float, float, float, float, float]:
    """The components and the score from the explanation's own numbers."""
    r = expl.readiness_credit / expl.readiness_weight if expl.readiness_weight else 1.0
    u = expl.unlock_weight / expl.unlock_norm
    g = expl.law.urgency if expl.law else 0.0
    p = expl.peers_count / expl.peers_known if expl.peers_known else expl.components["peer"]
    w = expl.weights
    score = w["readiness"] * r + w["unlock"] * u + w["urgency"] * g + w["peer"] * p
    return r, u, g, p, score


def test_explanation_numbers_match_the_score(rm):
    for s in rm.steps:
        r, u, g, p, score = recompute(s.explanation)
        assert (r, u, g, p) == pytest.approx((s.readiness, s.unlock, s.urgency, s.peer), abs=1e-6)
        assert score == pytest.approx(s.score, abs=1e-6)


def test_sentences_in_english_and_dutch(rm):
    e = rm.steps[1].explanation
    en = explain_text(e, "en", names={"D": "Identity"}, law_names={"LAW": "The Law"})
    assert en.startswith("E (level 2 → 3):")
    assert "Missing: C (level 0)." in en
    assert "Not known (counted as half in place): Identity (D) (level unknown)." in en
    assert ("The Law requires level 3 by 2025-09-23 (overdue); a supervisor can order measures "
            "and fine.") in en
    assert "10 of 10 similar municipalities have it at level 3 or higher." in en
    assert ("Score when chosen 0.48 = readiness 0.33 × 0.35 + unlock 0.00 × 0.25 + urgency 0.84 "
            "× 0.25 + peers 1.00 × 0.15.") in en
    c = explain_text(rm.steps[2].explanation, "nl")
    assert c.startswith("C (niveau 0 → 3):")
    assert "Aanwezig: B (niveau 3, eerder in deze roadmap gepland), A (niveau 3)." in c
    assert "2 van 10 vergelijkbare gemeenten" in c


def test_to_dict_is_json_ready(rm):
    import json

    data = json.loads(json.dumps(rm.to_dict()))
    assert [[s["element"] for s in phase] for phase in data["phases"]] == [["B", "E", "C"]]
    first = data["phases"][0][0]["explanation"]
    assert first["unlocks"][0] == {"element": "C", "weight": 2.0}
    assert data["phases"][0][1]["explanation"]["laws"][0]["deadline"] == "2025-09-23"
    assert data["phases"][0][1]["phase"] == 1
    assert data["assess"][0]["element"] == "D" and data["assess"][0]["laws"][0]["min_level"] == 2


def test_phases_and_size(model, law, peers):
    rm = roadmap(model, LEVELS, requirements=law, peers=peers, phases=1, per_phase=2)
    assert rm.ids == ["B", "E"]
    rm = roadmap(model, LEVELS, requirements=law, peers=peers, phases=0)
    assert rm.ids == [] and [a.element for a in rm.assess] == ["D"]


# ------------------------------------------------------------------ gates


GATED = W.copy()
GATES = np.zeros((5, 5), dtype=np.int8)
GATES[1, 2] = 3  # B must be at 3 before C is developed


def test_a_gate_holds_an_element_back_until_its_prerequisite_is_met(law, peers):
    """With B a prerequisite of C at level 3, C (readiness 5/9, score .27) still comes after B;
    and where B is not pursued (target 0) the gate holds nothing."""
    gated = RoadmapModel(IDS, GATED, GATES)
    rm = roadmap(gated, LEVELS, requirements=law, peers=peers,
                 weights=Weights(readiness=0, unlock=0, urgency=0, peer=1))
    # peers alone would pick E (1.0), B (.8), C (.2): the gate does not reorder that
    assert rm.ids == ["E", "B", "C"]
    c = rm.steps[2].explanation
    assert [(x.element, x.gate, x.level, x.source) for x in c.gates] == [("B", 3, 3, "roadmap")]
    assert "It waited for its prerequisite(s): B (level 3, planned earlier in this roadmap)." \
        in explain_text(c)
    # C before B would be chosen on its own (peer .9 > .8) but waits for B
    keen = Peers(np.array([0.9, 0.8, 0.9, 0.5, 0.0]))
    rm = roadmap(gated, LEVELS, peers=keen, weights=Weights(0, 0, 0, 1))
    assert rm.ids.index("B") < rm.ids.index("C")
    assert roadmap(RoadmapModel(IDS, GATED), LEVELS, peers=keen,
                   weights=Weights(0, 0, 0, 1)).ids.index("C") < 2
    comps = components(gated, LEVELS)
    assert comps.gated.tolist() == [False, False, True, False, False]
    # B not pursued: the gate is met by definition
    targets = np.array([3, 0, 3, 3, 3])
    assert "C" in roadmap(gated, LEVELS, targets=targets).ids
    assert not components(gated, LEVELS, targets=targets).gated.any()


def test_an_unknown_prerequisite_holds_its_element_back_and_is_advice(peers):
    gates = np.zeros((5, 5), dtype=np.int8)
    gates[3, 4] = 2  # D (unknown) must be at 2 before E
    gated = RoadmapModel(IDS, W, gates)
    rm = roadmap(gated, LEVELS, peers=peers)
    assert "E" not in rm.ids and rm.gated == ("E",)
    (d,) = rm.assess
    assert d.gates == ("E",)
    assert "it decides whether E can start" in assess_text(d)
    # marking D done (what-if) opens the gate
    assert "E" in roadmap(gated, LEVELS, peers=peers, done=["D"]).ids


def test_gates_are_validated():
    with pytest.raises(ValueError, match="enabling weight"):
        RoadmapModel(("A", "B"), np.zeros((2, 2)), np.array([[0, 2], [0, 0]]))
    with pytest.raises(ValueError, match="levels 0-3"):
        RoadmapModel(("A", "B"), np.array([[0, 1], [0, 0]]), np.array([[0, 4], [0, 0]]))


# ------------------------------------------------------------------ the blocked rule, ties, weights


def test_blocked_element_waits_for_a_better_equipped_one(model, law, peers):
    # D rated 0 this time: E's enablers (C, D) are all known and at 0: blocked. With urgency
    # alone E (overdue, .84) beats D (.46), but D goes first.
    levels = np.array([3, 1, 0, 0, 2], dtype=np.int8)
    urgent = Weights(readiness=0, unlock=0, urgency=1, peer=0)
    rm = roadmap(model, levels, requirements=law, peers=peers, weights=urgent)
    assert rm.steps[0].element == "D"
    assert rm.steps[0].score == pytest.approx(0.46)
    comps = components(model, levels, requirements=law, peers=peers, weights=urgent)
    assert comps.blocked.tolist() == [False, False, False, False, True]
    assert comps.score[4] == pytest.approx(0.84)
    # an unknown enabler is not "absent": with D unknown, E is not blocked
    assert not components(model, LEVELS).blocked.any()


def test_all_blocked_chooses_the_best_blocked(model):
    levels = np.zeros(5, dtype=np.int8)  # A has no enablers: readiness 1, never blocked
    assert roadmap(model, levels).ids[0] == "A"
    ring = W.copy()
    ring[4, 0] = 1  # E enables A: now every element has an enabler, and all are blocked
    rm = roadmap(RoadmapModel(IDS, ring), np.zeros(5, dtype=np.int8))
    # the best blocked one goes first: B unlocks most (5 of 5); then C and D have an enabler
    assert rm.steps[0].element == "B" and rm.steps[0].readiness == 0.0
    assert rm.steps[0].score == pytest.approx(0.25)
    assert rm.steps[1].readiness > 0
    assert sorted(rm.ids) == list(IDS)


def test_ties_go_to_framework_order():
    model = RoadmapModel(("X", "Y", "Z"), np.zeros((3, 3)))
    assert roadmap(model, np.zeros(3, dtype=np.int8)).ids == ["X", "Y", "Z"]
    peers = Peers(np.array([0.0, 0.5, 0.5]))
    assert roadmap(model, np.zeros(3, dtype=np.int8), peers=peers).ids == ["Y", "Z", "X"]


def test_weights_change_the_order(model, law, peers):
    by_peers = roadmap(model, LEVELS, requirements=law, peers=peers,
                       weights=Weights(readiness=0, unlock=0, urgency=0, peer=1))
    assert by_peers.ids == ["E", "B", "C"]
    assert by_peers.steps[0].score == pytest.approx(1.0)
    doubled = roadmap(model, LEVELS, requirements=law, peers=peers,
                      weights=Weights(0.7, 0.5, 0.5, 0.3))
    assert doubled.ids == ["B", "E", "C"]  # only the ratios count
    assert [s.score for s in doubled.steps] == pytest.approx([0.645, 0.47667, 0.38], abs=1e-5)


def test_weights_are_validated():
    with pytest.raises(ValueError, match=">= 0"):
        Weights(readiness=-1)
    with pytest.raises(ValueError, match="above 0"):
        Weights(0, 0, 0, 0)
    with pytest.raises(ValueError, match="unknown weight"):
        Weights.from_mapping({"speed": 1})
    assert Weights.from_mapping({"urgency": 1}).normalised() == pytest.approx(
        (0.35 / 1.75, 0.25 / 1.75, 1 / 1.75, 0.15 / 1.75))


def test_targets(model, law, peers):
    targets = np.array([3, 1, 3, 3, 3])  # B counts as reached at level 1
    rm = roadmap(model, LEVELS, requirements=law, peers=peers, targets=targets)
    assert "B" not in rm.ids
    assert rm.steps[0].element == "E"  # E .47667 beats C (readiness 5/9): .27444
    assert rm.steps[0].score == pytest.approx(0.47667, abs=1e-5)
    assert roadmap(model, LEVELS, targets=0).ids == []
    assert roadmap(model, LEVELS, targets=0).assess == ()  # nothing pursued, nothing to assess
    four = roadmap(model, LEVELS, targets=4)
    assert "A" in four.ids  # A at 3 is below target 4
    with pytest.raises(ValueError, match="targets"):
        roadmap(model, LEVELS, targets=np.array([3, 3]))


def test_everything_at_target_gives_an_empty_roadmap(model, law, peers):
    assert roadmap(model, np.full(5, 3, dtype=np.int8), requirements=law, peers=peers).steps == ()
    assert roadmap(model, np.full(5, 4, dtype=np.int8)).phases == []


# ------------------------------------------------------------------ components one by one


def test_readiness_formula(model):
    # C: A (w1) at level 2 -> 2/3 credit, B (w2) at 3 -> full: (2/3 + 2) / 3
    r = readiness(model, np.array([2, 3, 0, 0, 0], dtype=np.int8))
    assert r[2] == pytest.approx((2 / 3 + 2) / 3)
    assert r[0] == 1.0  # no enablers: nothing blocks it
    assert r[4] == 0.0
    # level 4 earns no more than level 3; unknown earns half, never 0
    assert readiness(model, np.array([4, 4, 0, 0, 0]))[2] == 1.0
    assert readiness(model, np.array([-1, -1, 0, 0, 0]))[2] == 0.5
    rows = readiness(model, np.array([[2, 3, 0, 0, 0], [3, 3, 3, 3, 3]]))
    assert rows.shape == (2, 5) and rows[1].tolist() == [1.0] * 5


def test_unlock_formula(model):
    c = components(model, np.array([0, 0, 0, 0, 0], dtype=np.int8))
    assert c.unlock.tolist() == pytest.approx([3 / 5, 5 / 5, 1 / 5, 2 / 5, 0.0])
    c = components(model, np.array([0, 0, 3, 0, 0], dtype=np.int8))  # C at target
    assert c.unlock[0] == pytest.approx(2 / 5) and c.unlock[1] == pytest.approx(3 / 5)
    assert not c.candidate[2]
    c = components(model, np.array([0, 0, -1, 0, 0], dtype=np.int8))  # C unknown: half
    assert c.unlock[0] == pytest.approx(2.5 / 5) and c.unlock[1] == pytest.approx(4 / 5)
    assert not c.candidate[2] and c.unknown[2]


def test_time_factor():
    days = np.array([-400, 0, 0.75 * YEAR, 1.5 * YEAR, 3 * YEAR, 4 * YEAR, np.nan])
    assert time_factor(days).tolist() == pytest.approx([1, 1, 0.75, 0.5, 0, 0, 0])
    assert time_factor(days, horizon_years=6).tolist() == pytest.approx(
        [1, 1, 0.875, 0.75, 0.5, 1 / 3, 0], abs=1e-6)
    assert time_factor(days, horizon_years=0).tolist() == [1, 1, 0, 0, 0, 0, 0]


def test_urgency_takes_the_most_urgent_unmet_requirement(model):
    # u = time x (0.4 + 0.6 x (0.6 x enforcement/3 + 0.4 x gap/3)); enforcement 3 here
    req = LawRequirements.build(model, [("L1", "C", 2, 2.25 * YEAR), ("L2", "C", 3, 0.75 * YEAR),
                                        ("L3", "C", 1, -5.0), ("L4", "A", 2, None)])
    u = urgency(req, np.array([0, 0, 0, 0, 0]), 5)
    # L3 overdue, gap 1: .84; L2 .75 x 1.0 = .75; L1 .25 x .92 = .23; L4 does not apply
    assert u.tolist() == pytest.approx([0, 0, 0.84, 0, 0])
    u = urgency(req, np.array([0, 0, 1, 0, 0]), 5)  # L3 met: L2 (.75 x .92) beats L1 (.25 x .84)
    assert u[2] == pytest.approx(0.69)
    assert urgency(req, np.array([0, 0, 2, 0, 0]), 5)[2] == pytest.approx(0.75 * 0.84)
    assert urgency(req, np.array([0, 0, 3, 0, 0]), 5)[2] == 0.0
    assert urgency(req, np.array([0, 0, -1, 0, 0]), 5)[2] == pytest.approx(0.84)  # read as 0
    assert urgency(req, np.array([0, 0, 2, 0, 0]), 5, horizon_years=0.5)[2] == 0.0
    assert urgency(None, np.zeros(5), 5).tolist() == [0] * 5


def test_urgency_orders_overdue_duties_by_consequence_and_gap(model):
    """Duties overdue for years no longer all score 1: a supervised duty far below its minimum
    comes first, a duty nobody enforces one level short last; an imminent supervised duty
    still outranks an old unenforced one."""
    req = LawRequirements.build(model, [
        ("FINES", "A", 3, -3000.0, 3), ("QUIET", "B", 2, -3000.0, 1),
        ("SOON", "C", 3, 1.0, 3), ("MONITORED", "D", 3, -10.0, 2)])
    u = urgency(req, np.array([0, 1, 1, 1, 0]), 5)
    assert u[0] == pytest.approx(1.0)  # fines, gap 3
    assert u[1] == pytest.approx(0.4 + 0.6 * (0.2 + 0.4 / 3))  # unenforced, gap 1: .6
    assert u[2] == pytest.approx((1 - 1 / (3 * YEAR)) * 0.92, abs=1e-6)  # due tomorrow, gap 2
    assert u[3] == pytest.approx(0.4 + 0.6 * (0.4 + 0.8 / 3))  # monitored, gap 2: .8
    assert u[0] > u[2] > u[3] > u[1]
    assert requirement_urgency(1.0, 3, 3) == pytest.approx(1.0)


def test_urgency_per_profile(model):
    req = LawRequirements(model.indices(["D"]), [3], ("NIS2",),
                          np.array([[np.nan], [-10.0], [1.5 * YEAR]]))
    lv = np.zeros((3, 5), dtype=np.int8)
    assert urgency(req, lv, 5, profile=np.array([0, 1, 2]))[:, 3].tolist() == pytest.approx([0, 1, 0.5])
    rm = roadmap(RoadmapModel(IDS, np.zeros((5, 5))), lv[0], requirements=req, profile=1)
    assert rm.ids[0] == "D" and rm.steps[0].explanation.law.law == "NIS2"


def test_peers_from_levels_and_suppression():
    peer_levels = np.array([[3, 0], [4, -1], [2, -1], [-1, -1], [3, 3], [1, 1]])
    p = Peers.from_levels(peer_levels, min_group=3)
    assert p.count.tolist() == [3, 1] and p.known.tolist() == [5, 3]
    assert p.share.tolist() == pytest.approx([0.6, 1 / 3])
    p = Peers.from_levels(peer_levels, min_group=4)
    assert p.suppressed.tolist() == [False, True] and p.share[1] == 0.0
    with pytest.raises(ValueError, match=r"0\.\.1"):
        Peers(np.array([1.5]))


def test_peer_proof_is_relative_to_the_target():
    """At target 4 the peers that count are those at 4, not at 3: '18 of 20 have it' no longer
    lifts a 3 -> 4 step above a real gap."""
    peer_levels = np.array([[3, 3], [3, 4], [4, 3], [3, 3], [4, 0]])
    at4 = Peers.from_levels(peer_levels, min_group=3, targets=4)
    assert at4.count.tolist() == [2, 1] and at4.share.tolist() == pytest.approx([0.4, 0.2])
    mixed = Peers.from_levels(peer_levels, min_group=3, targets=np.array([3, 4]))
    assert mixed.count.tolist() == [5, 1]
    model = RoadmapModel(("A", "B"), np.zeros((2, 2)))
    rm = roadmap(model, np.array([3, 3]), targets=4, peers=at4)
    assert "2 of 5 similar municipalities have it at level 4 or higher." in \
        explain_text(rm.steps[0].explanation)


def test_peer_suppression_is_explained(model):
    rng = np.random.default_rng(3)
    p = Peers.from_levels(rng.integers(0, 5, (3, 5)), min_group=5)
    rm = roadmap(model, LEVELS, peers=p)
    expl = rm.steps[0].explanation
    assert expl.peers_suppressed and expl.components["peer"] == 0.0
    assert "Too few similar municipalities" in explain_text(expl)


# ------------------------------------------------------------------ what-if and passive use


def test_what_if_done(model, law, peers):
    rm = roadmap(model, LEVELS, requirements=law, peers=peers, done=["B"])
    assert rm.ids == ["E", "C"]  # C (.43) after E (.47667), as in the full roadmap
    assert rm.done == ("B",)
    c = rm.steps[1].explanation
    assert [(x.element, x.level, x.source) for x in c.enablers] == [("B", 3, "done"),
                                                                     ("A", 3, "survey")]
    assert "marked done" in explain_text(c)
    # done on an unknown element: it counts as reached, no advice left
    assert roadmap(model, LEVELS, done=["D"]).assess == ()
    with pytest.raises(KeyError, match="unknown element"):
        roadmap(model, LEVELS, done=["Q"])


def test_check_plan(model, law, peers):
    check = check_plan(model, LEVELS, ["E", "C", "A"], requirements=law, peers=peers)
    assert check.planned == ("E", "C", "A")
    assert [(x.element, x.missing, x.add_first) for x in check.lacking] == [("E", ("D", "C"), ("D",))]
    assert check.lacking[0].readiness == pytest.approx(1 / 3)  # D unknown: half credit
    assert check.at_target == ("A",)
    assert check.missed_first_phase == ("B",)
    assert check.missed == ("B",)
    strict = check_plan(model, LEVELS, ["C"], threshold=0.6)
    assert [x.element for x in strict.lacking] == ["C"] and strict.lacking[0].add_first == ("B",)
    assert check_plan(model, LEVELS, ["E"], done=["B", "D"]).lacking == ()


# ------------------------------------------------------------------ the real framework


def test_real_framework_through_the_adapter(fw):
    model = model_from_framework(fw)
    assert model.weights.shape == (39, 39) and model.element_ids == tuple(fw.element_ids)
    j = model.index["DAT-01"]
    assert {model.element_ids[i]: w for i, w in model.enabler_lists[j]} == {
        c.enabler: c.weight for c in fw.enablers_of("DAT-01")}
    req = requirements_from_framework(fw, dt.date(2026, 11, 27))
    rng = np.random.default_rng(5)
    levels = rng.integers(-1, 5, 39).astype(np.int8)
    rm = roadmap(model, levels, requirements=req, peers=Peers.from_levels(rng.integers(-1, 5, (30, 39))))
    assert len(rm.steps) == 9 and len(set(rm.ids)) == 9
    for s in rm.steps:
        assert levels[s.index] < 3
        assert recompute(s.explanation)[4] == pytest.approx(s.score, abs=1e-6)
        assert explain_text(s.explanation, "nl")
    assert roadmap(model, np.full(39, 3, dtype=np.int8), requirements=req).steps == ()


def test_requirements_adapter_defaults(fw):
    at = dt.date(2026, 11, 27)
    req = requirements_from_framework(fw, at)
    laws = set(req.law_ids)
    assert "DDPP" not in laws  # not binding on municipalities
    assert "NIS2" not in {law for law, d in zip(req.law_ids, req.days[0], strict=True) if d == d}
    sec02 = [(law, int(m), d) for law, e, m, d in zip(req.law_ids, req.element, req.min_level, req.days[0],
                                                      strict=True)
             if e == fw.element_ids.index("SEC-02") and d == d]
    assert ("GDPR", 2, float((dt.date(2018, 5, 25) - at).days)) in sec02  # 1.3.0: Art. 33 at level 2
    # uses_ai defaults to true: the AI Act's literacy duty applies; high-risk AI defaults to false
    gov05 = fw.element_ids.index("GOV-05")
    applying = {(law, int(m)) for law, e, m, d in zip(req.law_ids, req.element, req.min_level,
                                                      req.days[0], strict=True) if e == gov05 and d == d}
    assert ("AI_ACT", 2) in applying and ("AI_ACT", 3) not in applying
    assert set(req.status) == {"required"}


def test_requirements_adapter_profiles_and_overrides(fw):
    at = dt.date(2026, 11, 27)
    profiles = [{}, {"nis2_in_scope": True, "nis2_date": "2027-01-01"}, {"nis2_in_scope": "true"},
                {"nis2_in_scope": True, "deploys_high_risk_ai": True},
                {"nis2_in_scope": False, "nis2_date": dt.date(2025, 10, 17)}]
    req = requirements_from_framework(fw, at, profiles)
    nis2 = [r for r, law in enumerate(req.law_ids) if law == "NIS2"]
    assert len(nis2) == 9
    days = req.days[:, nis2]
    assert np.isnan(days[0]).all()  # by_country: not in scope
    assert (days[1] == (dt.date(2027, 1, 1) - at).days).all()
    assert np.isnan(days[2]).all()  # in scope but no date: skipped
    fallback = requirements_from_framework(fw, at, profiles, ref_date_default=dt.date(2024, 10, 17))
    assert (fallback.days[2, nis2] < 0).all()
    high_risk = [r for r, (law, m) in enumerate(zip(req.law_ids, req.min_level, strict=True))
                 if law == "AI_ACT" and req.element[r] == fw.element_ids.index("GOV-05") and m == 3]
    assert np.isnan(req.days[0, high_risk]).all() and not np.isnan(req.days[3, high_risk]).any()
    # NIS2 recommends level 2 where it does not apply, when recommended requirements are asked for
    rec = requirements_from_framework(fw, at, profiles, statuses=("required", "recommended"))
    out_of_scope = [r for r, (law, s) in enumerate(zip(rec.law_ids, rec.status, strict=True))
                    if law == "NIS2" and s == "recommended"]
    assert len(out_of_scope) == 9 and set(rec.min_level[out_of_scope].tolist()) == {2}
    assert (rec.days[4, out_of_scope] < 0).all()  # out of scope, with a national date
    # out of scope without a national date: due from the law's applies_from, as the readiness
    # engine's ambition counts it (one rule for both engines)
    applies_from = next(law for law in fw.laws if law.id == "NIS2").applies_from
    assert (rec.days[0, out_of_scope] == (applies_from - at).days).all()
    assert np.isnan(rec.days[1:4, out_of_scope]).all()  # in scope: required instead
    ddpp = requirements_from_framework(fw, at, statuses=("target",), include_non_binding=True)
    assert set(ddpp.law_ids) == {"DDPP"} and (ddpp.days[0] > 0).all()


# ------------------------------------------------------------------ member-state law requirements

# Elements that only NIS2 requires among the binding laws in force (so their urgency is NIS2's)
NIS2_ONLY = ("INF-04", "SEC-03", "STR-02")
HORIZON_DAYS = DEFAULT_HORIZON_YEARS * DAYS_PER_YEAR


def _urgency(fw, at, countries, population, inputs=None):
    """(model, law profiles, urgency float32[M, E]) of municipalities at level 0 everywhere."""
    model = model_from_framework(fw)
    laws = requirements_for_municipalities(fw, at, countries, population, inputs=inputs)
    zero = np.zeros((len(countries), model.size), np.int8)
    return model, laws, components(model, zero, requirements=laws.requirements,
                                   profile=laws.index).urgency


def test_nis2_adds_urgency_only_where_the_member_state_brings_municipalities_into_scope(fw):
    at = dt.date(2026, 11, 27)
    # SE and NL: all municipalities; IT: above 100,000 inhabitants; DE, BE: none; FR: pending;
    # PL: not researched (default "check": not in scope)
    countries = ["SE", "NL", "IT", "IT", "DE", "BE", "FR", "PL"]
    population = [5_000, 20_000, 150_000, 20_000, 600_000, 50_000, 400_000, 10_000]
    model, laws, urg = _urgency(fw, at, countries, population)
    nis2 = model.indices(NIS2_ONLY)
    assert (urg[:, nis2] > 0).all(axis=1).tolist() == [True, True, True] + [False] * 5
    assert (urg[3:, nis2] == 0).all()
    # SE (2026-01-15), NL (2026-06-30) and IT (2024-10-16) dates have passed: full urgency
    assert (urg[:3, nis2] == 1).all()
    # a municipality that meets the levels gets none
    met = np.zeros((1, model.size), np.int8)
    met[0, nis2] = 3
    assert (components(model, met, requirements=laws.requirements,
                       profile=laws.index[:1]).urgency[0, nis2] == 0).all()
    # the explanation names NIS2 with the member state's date
    rm = roadmap(model, np.zeros(model.size, np.int8), requirements=laws.requirements,
                 profile=laws.profile(0))
    needs = law_needs(laws.requirements, laws.profile(0))[model.index["INF-04"]]
    assert [(x.law, x.min_level, x.deadline) for x in needs] == [("NIS2", 3, dt.date(2026, 1, 15))]
    de = law_needs(laws.requirements, laws.profile(4)).get(model.index["INF-04"], ())
    assert de == ()
    assert rm.steps  # a roadmap as usual


def test_the_member_states_nis2_date_sets_the_urgency(fw):
    at = dt.date(2026, 3, 1)
    model, _, urg = _urgency(fw, at, ["SE", "NL", "IT", "FR"], [5_000, 5_000, 150_000, 400_000])
    j = model.index["INF-04"]
    assert urg[0, j] == 1.0  # in force in Sweden since 2026-01-15: overdue
    nl_days = (dt.date(2026, 6, 30) - at).days  # the Dutch date lies ahead
    assert urg[1, j] == pytest.approx(1 - nl_days / HORIZON_DAYS, abs=1e-6)
    assert urg[2, j] == 1.0
    assert urg[3, j] == 0.0  # France: pending, no date
    # another national date moves the urgency with it
    states = fw.member_states
    nl = states.countries["NL"]
    later = states.model_copy(update={"countries": {**states.countries, "NL": nl.model_copy(
        update={"nis2_date": nl.nis2_date.model_copy(update={"value": dt.date(2027, 3, 1)})})}})
    _, _, moved = _urgency(fw, at, ["NL"], [5_000],
                           inputs=readiness_inputs(fw, member_states=later, laws=fw.laws))
    assert moved[0, j] == pytest.approx(1 - 365 / HORIZON_DAYS, abs=1e-6)
    # ... and a date beyond the horizon gives none
    far = states.model_copy(update={"countries": {**states.countries, "NL": nl.model_copy(
        update={"nis2_date": nl.nis2_date.model_copy(update={"value": dt.date(2030, 1, 1)})})}})
    _, _, none = _urgency(fw, at, ["NL"], [5_000],
                          inputs=readiness_inputs(fw, member_states=far, laws=fw.laws))
    assert none[0, j] == 0.0


def test_requirements_per_municipality_are_the_readiness_engines(fw):
    """Every required requirement applies to a municipality, with the deadline, exactly as the
    legislation-readiness engine says, and municipalities share profiles."""
    at = dt.date(2026, 11, 27)
    codes = [*sorted(fw.member_states.countries), "PL", "EL"]
    countries = [c for c in codes for _ in range(2)]
    population = [p for _ in codes for p in (250_000, 8_000)]
    laws = requirements_for_municipalities(fw, at, countries, population)
    req = laws.requirements
    assert req.profiles == len(set(laws.index.tolist())) < len(countries)
    inputs = readiness_inputs(fw)
    rows = [(law.id, pos) for law in fw.all_laws
            if law.status in ("in_force", "adopted") and law.binding_on_municipalities
            for pos, r in enumerate(law.requirements) if r.status == "required"]
    assert [x for x, _ in rows] == list(req.law_ids)
    for m, (c, pop) in enumerate(zip(countries, population, strict=True)):
        one = municipality_readiness(inputs, np.zeros(len(fw.element_ids)), country=c,
                                     population=pop, at=at)
        for r, (law, pos) in enumerate(rows):
            check = one.law(law).requirements[pos]
            days = req.days[laws.profile(m), r]
            if check.applies and check.deadline is not None:
                assert days == (check.deadline - at).days, (c, pop, law, pos)
            else:
                assert np.isnan(days), (c, pop, law, pos)


def test_model_is_validated():
    with pytest.raises(ValueError, match="shape"):
        RoadmapModel(("A", "B"), np.zeros((3, 3)))
    with pytest.raises(ValueError, match="itself"):
        RoadmapModel(("A", "B"), np.eye(2))
    with pytest.raises(ValueError, match=">= 0"):
        RoadmapModel(("A", "B"), -np.ones((2, 2)) + np.eye(2))
    with pytest.raises(ValueError, match="-1"):
        roadmap(RoadmapModel(("A", "B"), np.zeros((2, 2))), np.array([5, 0]))


# ------------------------------------------------------------------ population


def test_population_matches_the_hand_worked_example(model, law, peers):
    levels = np.stack([LEVELS, np.full(5, 3), np.array([0, 0, 0, 0, 0])]).astype(np.int8)
    pop = population_roadmap(model, levels, requirements=law, peers=peers)
    assert pop.ids(0) == [["B", "E", "C"]]
    assert pop.ids(1) == []
    assert pop.sequence.shape == (3, 9) and pop.sequence[0, 3:].tolist() == [-1] * 6
    assert pop.score[0, :3].tolist() == pytest.approx([0.645, 0.47667, 0.38], abs=1e-5)
    assert pop.urgency[0, :3].tolist() == pytest.approx([0, 0.84, 0])
    assert pop.peer[0, :3].tolist() == pytest.approx([0.8, 1.0, 0.2])
    assert pop.first_phase[0].tolist() == [1, 4, 2]
    for row in range(3):
        single = roadmap(model, levels[row], requirements=law, peers=peers)
        assert pop.ids(row) == [[s.element for s in ph] for ph in single.phases]


def test_population_chunks_do_not_matter(fw):
    model = model_from_framework(fw)
    rng = np.random.default_rng(11)
    levels = rng.integers(-1, 5, (1000, 39)).astype(np.int8)
    group = rng.integers(0, 7, 1000)
    peers = peers_by_group(levels, group)
    req = requirements_from_framework(fw, dt.date(2026, 11, 27), [{}, {"nis2_in_scope": True,
                                                                       "nis2_date": "2025-10-17"}])
    a = population_roadmap(model, levels, requirements=req, profile=group % 2, peers=peers, chunk=97)
    b = population_roadmap(model, levels, requirements=req, profile=group % 2, peers=peers)
    assert np.array_equal(a.sequence, b.sequence) and np.array_equal(a.score, b.score)
    for m in rng.choice(1000, 25, replace=False):
        p = Peers(peers.share[m], peers.count[m], peers.known[m], peers.suppressed[m])
        single = roadmap(model, levels[m], requirements=req, profile=int(group[m] % 2), peers=p)
        k = len(single.steps)
        assert a.sequence[m, :k].tolist() == [s.index for s in single.steps]
        assert (a.sequence[m, k:] == -1).all()
        assert a.score[m, :k].tolist() == [s.score for s in single.steps]
        assert a.readiness[m, :k].tolist() == [s.readiness for s in single.steps]
        assert a.unlock[m, :k].tolist() == [s.unlock for s in single.steps]
        assert a.urgency[m, :k].tolist() == [s.urgency for s in single.steps]


def test_peers_by_group_is_leave_one_out():
    rng = np.random.default_rng(2)
    levels = rng.integers(-1, 5, (40, 4)).astype(np.int8)
    attrs = Attributes.from_columns(country=rng.choice(["X", "Y"], 40), nuts2=["R"] * 40,
                                    size_class=rng.choice(["s", "l"], 40))
    group = group_codes(attrs)
    p = peers_by_group(levels, group, min_group=3)
    for m in range(40):
        single = Peers.from_levels(levels[peer_mask(attrs, m)], min_group=3)
        assert p.count[m].tolist() == single.count.tolist()
        assert p.known[m].tolist() == single.known.tolist()
        assert p.share[m].tolist() == single.share.tolist()
        assert p.suppressed[m].tolist() == single.suppressed.tolist()
    assert group_codes(attrs, "country").tolist() == attrs.country.tolist()
    with pytest.raises(ValueError):
        group_codes(attrs, "custom")


def test_leverage_by_hand(model):
    # municipality 1: all 0 -> lacking everything; unlock A 3/5, B 5/5, C 1/5, D 2/5, E 0
    # municipality 2: A, B at 3 -> lacking C, D, E; unlock C 1/5, D 2/5, E 0
    # municipality 3: nothing answered -> left out
    levels = np.array([[0, 0, 0, 0, 0], [3, 3, 0, 0, 0], [-1] * 5], dtype=np.int8)
    lev = leverage(model, levels)
    assert lev.selected == 2
    assert lev.lacking.tolist() == [1, 1, 2, 2, 2]
    assert lev.leverage.tolist() == pytest.approx([3 / 5, 1.0, 2 / 5, 4 / 5, 0])
    assert lev.mean_unlock.tolist() == pytest.approx([3 / 5, 1.0, 1 / 5, 2 / 5, 0])
    assert [r["element"] for r in lev.rows()][:3] == ["B", "D", "A"]
    # a municipality without answers lacks nothing we know of, even when included
    everyone = leverage(model, levels, include_unanswered=True)
    assert everyone.selected == 3 and everyone.lacking.tolist() == [1, 1, 2, 2, 2]
    only_second = leverage(model, levels, rows=np.array([1]))
    assert only_second.lacking.tolist() == [0, 0, 1, 1, 1]
    assert np.isnan(only_second.mean_unlock[0])
    assert {r["element"]: r["mean_unlock"] for r in only_second.rows()}["A"] is None
    pop = population_roadmap(model, levels)
    with_counts = leverage(model, levels, result=pop)
    # first steps: A (no enablers, readiness 1: .35 + .25 * 3/5) for municipality 1; for
    # municipality 2 D (readiness 1, unlock 2/5: .45) before C (readiness 1, unlock 1/5: .40)
    assert with_counts.first_step.tolist() == [1, 0, 0, 1, 0]
    assert with_counts.first_phase.sum() == 6
    # the unanswered municipality gets no development steps at all (only advice to assess)
    assert pop.first_step_counts(include_unanswered=True).sum() == 2
    lacking, lev_g = leverage_by_group(model, levels, np.array([0, 1, 1]), n_groups=2)
    assert lacking.tolist() == [[1, 1, 1, 1, 1], [0, 0, 1, 1, 1]]
    assert lev_g[1].tolist() == pytest.approx([0, 0, 1 / 5, 2 / 5, 0])
