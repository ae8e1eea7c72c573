"""Law readiness for the lobby view (pipelines.maturity.lobby) on hand-made requirements, and the
policy cells (pipelines.maturity.policy) against the engine's leverage."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest

from pipelines.maturity.lobby import lobby_counts, lobby_table, not_evaluated
from pipelines.maturity.peers import Attributes
from pipelines.maturity.policy import policy_cells
from pipelines.maturity.roadmap import (
    LawRequirements,
    RoadmapModel,
    model_from_framework,
    requirements_from_framework,
)
from pipelines.maturity.roadmap_population import (
    leverage,
    leverage_by_group,
    population_roadmap,
)

AT = dt.date(2026, 1, 1)
NAN = np.nan

# Elements 0..3. Two profiles (e.g. two countries).
#   LAW_A: e0 >= 3 (deadline 2025-01-01: 365 days overdue, both profiles)
#          e1 >= 2 (2027-01-01, profile 0 only)
#   LAW_B: e2 >= 3 (2026-07-01, both profiles), e2 >= 4 (2028-01-01, profile 1 only)
#   LAW_C: e3 >= 1 (no profile: a member-state condition not set)
REQ = LawRequirements(
    element=np.array([0, 1, 2, 2, 3]), min_level=np.array([3, 2, 3, 4, 1]),
    law_ids=("LAW_A", "LAW_A", "LAW_B", "LAW_B", "LAW_C"),
    days=np.array([[-365, 365, 181, NAN, NAN],
                   [-365, NAN, 181, 730, NAN]]), at=AT)

# Six municipalities: levels, profile, group
LEVELS = np.array([
    [3, 2, 3, 0],    # p0: A ready, B ready (e2 3)
    [3, 1, 4, 0],    # p0: A not ready (e1 1 < 2), B ready
    [-1, 2, 2, 0],   # p0: A not ready (e0 unknown), B not ready
    [3, 0, 3, 0],    # p1: A ready (e1 does not apply), B not ready (e2 3 < 4)
    [2, 0, 4, 0],    # p1: A not ready (e0), B ready
    [3, 3, 4, 4],    # p1: ready for both
], dtype=np.int8)
PROFILE = np.array([0, 0, 0, 1, 1, 1])
GROUP = np.array([0, 0, 1, 1, 2, 2])


def test_counts_per_group_and_select():
    c = lobby_counts(LEVELS, REQ, PROFILE, GROUP, 3)
    assert c.law_ids == ("LAW_A", "LAW_B", "LAW_C")
    assert c.pairs == (("LAW_A", 0), ("LAW_A", 1), ("LAW_B", 2), ("LAW_C", 3))
    assert c.n.tolist() == [2, 2, 2]
    assert c.applies.tolist() == [[2, 2, 0], [2, 2, 0], [2, 2, 0]]
    #                 group 0: rows 0,1   group 1: rows 2,3   group 2: rows 4,5
    assert c.not_ready.tolist() == [[1, 0, 0], [1, 2, 0], [1, 0, 0]]
    assert c.pair_unmet.tolist() == [[0, 1, 0, 0], [1, 0, 2, 0], [1, 0, 0, 0]]
    assert c.profiles.tolist() == [[2, 0], [1, 1], [0, 2]]
    total = c.select()
    assert total.n.tolist() == [6] and total.not_ready.tolist() == [[3, 2, 0]]
    part = c.select(np.array([True, False, True]))
    assert part.not_ready.tolist() == [[2, 0, 0]] and part.n.tolist() == [4]


def test_table_shares_gaps_deadlines_and_order():
    rows = lobby_table(lobby_counts(LEVELS, REQ, PROFILE), REQ)
    assert [r.law for r in rows] == ["LAW_A", "LAW_B"]  # A: 3/6 not ready, B: 2/6
    a, b = rows
    assert (a.municipalities, a.not_ready, a.share_not_ready) == (6, 3, 0.5)
    assert a.requirements == 2
    assert a.gaps == ((0, 2, pytest.approx(2 / 6)), (1, 1, pytest.approx(1 / 6)))
    assert a.deadline == dt.date(2025, 1, 1) and a.last_deadline == dt.date(2027, 1, 1)
    assert a.next_deadline == dt.date(2027, 1, 1)
    assert (b.not_ready, b.share_ready) == (2, pytest.approx(4 / 6))
    assert b.gaps == ((2, 2, pytest.approx(2 / 6)),)
    assert b.deadline == AT + dt.timedelta(days=181)
    assert b.last_deadline == AT + dt.timedelta(days=730)


def test_only_the_profiles_present_decide_deadlines_and_requirements():
    rows = lobby_table(lobby_counts(LEVELS[:3], REQ, PROFILE[:3]), REQ)
    b = next(r for r in rows if r.law == "LAW_B")
    assert b.requirements == 1 and b.last_deadline == AT + dt.timedelta(days=181)
    a = next(r for r in rows if r.law == "LAW_A")
    assert (a.not_ready, a.municipalities) == (2, 3)


def test_min_group_suppresses_laws_and_not_evaluated_laws_are_named():
    c = lobby_counts(LEVELS, REQ, PROFILE)
    assert lobby_table(c, REQ, min_group=7) == []
    assert [r.law for r in lobby_table(c, REQ, min_group=6)] == ["LAW_A", "LAW_B"]
    assert not_evaluated(c, REQ) == ["LAW_C"]


def test_ties_in_readiness_go_to_the_nearest_deadline():
    req = LawRequirements(np.array([0, 1]), np.array([3, 3]), ("LATE", "SOON"),
                          np.array([[900.0, 100.0]]), at=AT)
    rows = lobby_table(lobby_counts(np.zeros((5, 2), np.int8), req), req)
    assert [r.law for r in rows] == ["SOON", "LATE"]
    assert all(r.share_not_ready == 1.0 for r in rows)


def test_unknown_counts_as_not_ready_and_min_zero_is_always_met():
    req = LawRequirements(np.array([0, 1]), np.array([0, 1]), ("Z", "Z"),
                          np.array([[10.0, 10.0]]), at=AT)
    lv = np.array([[-1, 1], [-1, -1]], np.int8)
    (row,) = lobby_table(lobby_counts(lv, req), req)
    assert (row.not_ready, row.gaps) == (1, ((1, 1, 0.5),))


def test_framework_laws_nis2_is_not_evaluated_without_member_state_flags(fw):
    req = requirements_from_framework(fw, AT)
    lv = np.zeros((10, len(fw.element_ids)), np.int8)
    c = lobby_counts(lv, req)
    assert "NIS2" in not_evaluated(c, req)
    rows = lobby_table(c, req)
    assert rows and all(r.share_not_ready == 1.0 for r in rows)
    assert "GDPR" in {r.law for r in rows}


# ------------------------------------------------------------------ policy cells


@pytest.fixture(scope="module")
def population():
    rng = np.random.default_rng(5)
    e = 6
    w = np.zeros((e, e), np.float32)
    for i, j, v in ((0, 1, 2), (0, 2, 1), (1, 3, 3), (2, 3, 1), (3, 4, 2), (1, 5, 1)):
        w[i, j] = v
    model = RoadmapModel(tuple(f"E{i}" for i in range(e)), w)
    m = 400
    levels = rng.integers(-1, 5, size=(m, e)).astype(np.int8)
    levels[:20] = -1  # never answered
    attrs = Attributes.from_columns(rng.choice(["AA", "BB", "CC"], m),
                                    rng.choice(["R1", "R2", "R3", "R4"], m),
                                    rng.choice(["lt5k", "5k-20k"], m))
    pop = population_roadmap(model, levels)
    req = LawRequirements(np.array([1, 3]), np.array([3, 2]), ("L1", "L2"),
                          np.array([[10.0, 20.0]]), at=AT)
    return model, levels, attrs, pop, policy_cells(model, levels, attrs, pop, req, 0)


def test_cells_give_the_engines_leverage_for_any_selection(population):
    model, levels, attrs, pop, cells = population
    for country, nuts2, size in ((None, None, None), (0, None, None), (1, 2, None),
                                 (None, None, 1), (2, 3, 0)):
        mask = np.ones(len(levels), bool)
        for codes, v in ((attrs.country, country), (attrs.nuts2, nuts2),
                         (attrs.size_class, size)):
            if v is not None:
                mask &= codes == v
        got = cells.leverage(cells.mask(country, nuts2, size))
        exp = leverage(model, levels, rows=mask, result=pop)
        assert got.selected == exp.selected
        np.testing.assert_array_equal(got.lacking, exp.lacking)
        np.testing.assert_array_equal(got.leverage, exp.leverage)  # bit for bit
        np.testing.assert_array_equal(got.mean_unlock, exp.mean_unlock)
        np.testing.assert_array_equal(got.first_phase, exp.first_phase)
        np.testing.assert_array_equal(got.first_step, exp.first_step)
        assert [r["element"] for r in got.rows()] == [r["element"] for r in exp.rows()]


def test_cells_by_group_equal_leverage_by_group(population):
    model, levels, attrs, pop, cells = population
    n, lacking, lev, fp = cells.by("nuts2", n_groups=len(attrs.nuts2_labels))
    exp_lacking, exp_lev = leverage_by_group(model, levels, attrs.nuts2,
                                             n_groups=len(attrs.nuts2_labels))
    np.testing.assert_array_equal(lacking, exp_lacking)
    np.testing.assert_array_equal(lev, exp_lev)
    answered = (levels != -1).any(axis=1)
    assert n.tolist() == np.bincount(attrs.nuts2[answered], minlength=4).tolist()
    for g in range(4):
        np.testing.assert_array_equal(
            fp[g], pop.first_phase_counts(attrs.nuts2 == g))


def test_cells_lobby_equals_direct_counts(population):
    _, levels, _, _, cells = population
    answered = (levels != -1).any(axis=1)
    lv = np.maximum(levels[answered], 0)
    total = cells.lobby.select()
    assert total.not_ready[0].tolist() == [int((lv[:, 1] < 3).sum()), int((lv[:, 3] < 2).sum())]
    assert total.n[0] == answered.sum()


def test_framework_model_runs_through_the_cells(fw):
    model = model_from_framework(fw)
    rng = np.random.default_rng(1)
    levels = rng.integers(-1, 5, size=(50, model.size)).astype(np.int8)
    attrs = Attributes.from_columns(["NL"] * 50, ["NL33"] * 25 + ["NL32"] * 25, ["lt5k"] * 50)
    req = requirements_from_framework(fw, AT)
    pop = population_roadmap(model, levels, requirements=req)
    cells = policy_cells(model, levels, attrs, pop, req, 0)
    assert cells.leverage().selected == int((levels != -1).any(axis=1).sum())
