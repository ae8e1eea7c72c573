"""Who can help (pipelines/maturity/kickstart.py) and what-if (pipelines/maturity/whatif.py) on
small hand-made examples."""

from __future__ import annotations

import numpy as np
import pytest

from pipelines.maturity.kickstart import (
    SIMILARITY_WEIGHTS,
    Candidates,
    Geo,
    Profiles,
    Scored,
    shortlist,
    similarity,
    top,
    who_can_help,
    who_can_help_indexed,
)
from pipelines.maturity.roadmap import RoadmapModel, readiness
from pipelines.maturity.whatif import done_effects, roadmap_change

NAN = np.nan
# six municipalities: country, region, size class, block scores (2 blocks)
COUNTRY = np.array([0, 0, 0, 0, 1, 0])
REGION = np.array([0, 0, 1, 1, 2, 0])
SIZE = np.array([0, 0, 0, 1, 0, 1])
BLOCKS = np.array([[2.0, 2.0], [2.0, 3.0], [2.0, 2.0], [NAN, 4.0], [2.0, 2.0], [NAN, NAN]])


def test_similarity_by_hand():
    sim = similarity(COUNTRY, REGION, SIZE, BLOCKS, 0)
    assert SIMILARITY_WEIGHTS == {"country": 0.3, "region": 0.1, "near": 0.2, "size": 0.2,
                                  "profile": 0.2}
    rows = np.arange(6)
    expected = [  # no coordinates: nearness 0 for everyone
        0.3 + 0.1 + 0.2 + 0.2 * 1.0,  # itself
        0.3 + 0.1 + 0.2 + 0.2 * (1 - 0.5 / 4),  # same region and size, one block 1 apart
        0.3 + 0.2 + 0.2 * 1.0,  # same country and size, other region, same profile
        0.3 + 0.2 * (1 - 2 / 4),  # same country, other size; only block 2 known: 2 apart
        0.2 + 0.2 * 1.0,  # other country, same size, same profile
        0.3 + 0.1 + 0.0,  # same region, no block in common: closeness 0
    ]
    assert sim.score(rows) == pytest.approx(expected, abs=1e-6)
    assert sim.closeness(np.array([5]))[0] == 0
    # NaN block scores and Profiles give the same
    again = similarity(COUNTRY, REGION, SIZE, Profiles.from_scores(BLOCKS), 0)
    assert np.array_equal(again.score(rows), sim.score(rows))


def test_a_neighbour_counts_more_than_a_far_municipality_of_the_same_size():
    """Row 3 lies 7 km away (nearness 1 - 7/150) but is another size class; row 5 is in the same
    region with no coordinates. Without coordinates the two tie (0.4); with them the neighbour
    comes first. Row 2 (same size and profile) lies 300 km away: no nearness."""
    lon = np.array([6.0, 6.0, 6.0, 6.1, 10.0, 6.0])
    lat = np.array([52.0, 52.0, 54.7, 52.0, 48.0, np.nan])
    sim = similarity(COUNTRY, REGION, SIZE, BLOCKS, 0, lon=lon, lat=lat)
    assert sim.distance_km[3] == pytest.approx(6.85, abs=0.05)
    assert sim.distance_km[2] == pytest.approx(300, abs=1)
    assert np.isnan(sim.distance_km[5])
    near3 = 1 - float(sim.distance_km[3]) / 150
    assert sim.score(np.array([3]))[0] == pytest.approx(0.3 + 0.2 * near3 + 0.2 * 0.5, abs=1e-5)
    assert sim.score(np.array([2]))[0] == pytest.approx(0.3 + 0.2 + 0.2, abs=1e-6)  # too far
    every = np.array([False, False, True, True, False, True])
    got = top(sim, every, k=3)
    assert [m.row for m in got] == [2, 3, 5]
    assert [m.row for m in top(similarity(COUNTRY, REGION, SIZE, BLOCKS, 0), every, 3)] == [2, 3, 5]
    assert top(similarity(COUNTRY, REGION, SIZE, BLOCKS, 0), every, 3)[1].similarity == \
        pytest.approx(0.4)  # tied with row 5 without coordinates; now 0.59 against 0.4
    assert got[1].similarity == pytest.approx(0.3 + 0.2 * near3 + 0.1, abs=1e-5)
    assert got[1].distance_km == pytest.approx(6.85, abs=0.1) and got[2].distance_km is None


def test_top_is_exact_and_breaks_ties_by_row():
    sim = similarity(COUNTRY, REGION, SIZE, BLOCKS, 0)
    every = np.ones(6, dtype=bool)
    every[0] = False
    got = top(sim, every, k=3)
    assert [m.row for m in got] == [1, 2, 3]  # 0.775, 0.7, then a tie at 0.4: row order
    assert got[0].same_region and got[0].same_size and not got[1].same_region
    assert [m.row for m in top(sim, every, k=10)] == [1, 2, 3, 4, 5]
    assert top(sim, np.zeros(6, dtype=bool)) == ()


def test_top_matches_a_full_sort_on_random_data():
    rng = np.random.default_rng(3)
    m = 2_000
    country, region, size = (rng.integers(0, n, m) for n in (3, 6, 4))
    blocks = rng.uniform(0, 4, (m, 8))
    blocks[rng.random((m, 8)) < 0.2] = np.nan
    for target in (0, 17, 999):
        sim = similarity(country, region, size, blocks, target)
        mask = rng.random(m) < 0.5
        mask[target] = False
        rows = np.flatnonzero(mask)
        score = sim.score(rows)
        expected = rows[np.lexsort((rows, -score))][:5]
        assert [x.row for x in top(sim, mask, 5)] == expected.tolist()


def test_who_can_help_counts_hidden_and_uses_first_phase():
    levels = np.array([[1, 0], [3, 1], [4, 0], [3, -1], [2, 2], [-1, -1]], dtype=np.int8)
    sim = similarity(COUNTRY, REGION, SIZE, BLOCKS, 0)
    shown = np.array([True, True, False, True, True, True])
    answered = (levels != -1).any(axis=1)
    first = np.array([[0, 1, -1], [1, -1, -1], [1, 0, -1], [-1, -1, -1], [1, 0, 0], [0, -1, -1]],
                     dtype=np.int16)
    out = who_can_help(levels, [0, 1], ("A", "B"), 0, sim, shown=shown, answered=answered,
                       first_phase=first)
    a, b = out
    assert a.element == "A" and [m.row for m in a.helpers] == [1, 3]  # row 2 has not consented
    assert a.helpers_total == 3 and a.helpers_hidden == 1
    assert [m.level for m in a.helpers] == [3, 3]
    # A is in the first phase of rows 2 and 4 (row 0 is the municipality itself, row 5 did not
    # answer); row 2 is hidden
    assert [m.row for m in a.partners] == [4] and a.partners_total == 2 and a.partners_hidden == 1
    assert b.helpers == () and b.helpers_total == 0
    assert [m.row for m in b.partners] == [1, 4] and b.partners_hidden == 1
    none = who_can_help(levels, [0], ("A", "B"), 0, sim, shown=shown, answered=answered)
    assert none[0].partners == () and none[0].partners_total is None
    # the per-build candidates give the same answer
    geo = Geo.of(COUNTRY, REGION, SIZE)
    cand = Candidates.of(levels, shown=shown, answered=answered, first_phase=first)
    assert who_can_help_indexed(levels, [0, 1], ("A", "B"), 0, geo, Profiles.from_scores(BLOCKS),
                                cand, shown=shown, answered=answered) == out
    bare = Candidates.of(levels, shown=shown, answered=answered)
    assert who_can_help_indexed(levels, [0], ("A", "B"), 0, geo, Profiles.from_scores(BLOCKS),
                                bare, shown=shown, answered=answered) == none


@pytest.mark.parametrize(("seed", "m"), [(0, 400), (1, 400), (2, 25), (3, 25)])
def test_candidates_give_the_same_answer_as_scoring_everyone(seed, m):
    """`who_can_help_indexed` (a build's candidates, only they scored) equals `who_can_help`
    (everyone scored) for every municipality asking, with and without coordinates, helper level
    3 and 4, including askers that are themselves at the level or have the element next (they
    are not their own helper or partner) and elements nobody can help with."""
    rng = np.random.default_rng(seed)
    e, b = 6, 3  # m: a few candidates per element (fewer than k) or many
    levels = rng.integers(-1, 5, size=(m, e)).astype(np.int8)
    levels[:, 5] = np.minimum(levels[:, 5], 2)  # nobody at 3 or more
    levels[rng.random(m) < 0.1] = -1  # did not answer
    answered = (levels != -1).any(axis=1)
    shown = rng.random(m) < 0.4
    country, region, size = (rng.integers(0, n, m) for n in (3, 6, 4))
    lon, lat = rng.uniform(4, 8, m), rng.uniform(50, 53, m)
    lat[rng.random(m) < 0.05] = np.nan
    scores = rng.uniform(0, 4, size=(m, b)).round(1)
    scores[rng.random((m, b)) < 0.2] = np.nan
    first = rng.integers(-1, e, size=(m, 3)).astype(np.int16)
    prof = Profiles.from_scores(scores)
    ids = tuple("ABCDEF")
    for coords in (False, True):
        geo = Geo.of(country, region, size, *((lon, lat) if coords else ()))
        for level_target in (3, 4):
            cand = Candidates.of(levels, shown=shown, answered=answered, first_phase=first,
                                 level_target=level_target)
            # every list grouped and bounded (`shortlist`), however short
            grouped = Candidates.of(levels, shown=shown, answered=answered, first_phase=first,
                                    level_target=level_target, geo=geo, short=0)
            for t in range(0, m, 7 if m > 100 else 1):
                sim = similarity(country, region, size, prof, t,
                                 **({"lon": lon, "lat": lat} if coords else {}))
                want = who_can_help(levels, range(e), ids, t, sim, shown=shown,
                                    answered=answered, first_phase=first,
                                    level_target=level_target)
                got = who_can_help_indexed(levels, list(range(e)), ids, t, geo, prof, cand,
                                           shown=shown, answered=answered)
                assert got == want, (t, coords, level_target)
                assert who_can_help_indexed(levels, list(range(e)), ids, t, geo, prof, grouped,
                                            shown=shown, answered=answered) == want, (t, coords)


@pytest.mark.parametrize("seed", [0, 1])
def test_shortlists_give_the_same_answer_over_a_wide_map(seed):
    """The grouped candidates (`Groups`, `shortlist`: only groups whose bound can reach the top
    k are scored) equal scoring everyone on a map where the bound prunes: 4,000 rows over 20 x 12
    degrees, regions that follow the map, countries with borders (neighbours abroad within 150
    km), many rows of one size class, rows without coordinates, ties in the attribute part (rows
    at the same place), and lists long and short (`short`)."""
    rng = np.random.default_rng(seed)
    m, e, b = 4000, 5, 3
    lon, lat = rng.uniform(0, 20, m), rng.uniform(42, 54, m)
    lon[:40], lat[:40] = 10.0, 48.0  # one place, many rows: equal distances
    country = (lon // 5).astype(int) * 3 + (lat // 4).astype(int)  # 12 countries
    region = country * 4 + ((lon % 5) // 2.5).astype(int) * 2 + ((lat % 4) // 2).astype(int)
    size = np.where(rng.random(m) < 0.8, 0, rng.integers(1, 5, m))
    nan = rng.random(m) < 0.03
    lon[nan] = np.nan
    levels = rng.integers(-1, 5, size=(m, e)).astype(np.int8)
    levels[:, 4] = np.where(rng.random(m) < 0.01, 4, np.minimum(levels[:, 4], 2))  # few helpers
    answered = (levels != -1).any(axis=1)
    shown = rng.random(m) < 0.7
    scores = rng.uniform(0, 4, size=(m, b)).round(1)
    scores[rng.random((m, b)) < 0.2] = np.nan
    scores[:40] = 2.0  # equal profiles too: ties broken by row
    first = rng.integers(-1, e, size=(m, 3)).astype(np.int16)
    prof = Profiles.from_scores(scores)
    geo = Geo.of(country, region, size, lon, lat)
    ids = tuple("ABCDE")
    pruned = 0
    for short in (0, 100):
        cand = Candidates.of(levels, shown=shown, answered=answered, first_phase=first,
                             geo=geo, short=short)
        for t in [*range(0, 45, 3), *range(45, m, 97), *np.flatnonzero(nan)[:5]]:
            t = int(t)
            sim = similarity(country, region, size, prof, t, lon=lon, lat=lat)
            want = who_can_help(levels, range(e), ids, t, sim, shown=shown, answered=answered,
                                first_phase=first)
            got = who_can_help_indexed(levels, list(range(e)), ids, t, geo, prof, cand,
                                       shown=shown, answered=answered)
            assert got == want, (t, short)
            ub = geo.groups.upper_bounds(geo, t)
            g = cand.helpers_grouped[0]
            pruned += len(shortlist(geo, prof, g, ub, t, 5)) < len(g.rows) // 4
    assert pruned > 0  # the bound did prune: the test is not only of the unpruned path


# ------------------------------------------------------------------ what-if

IDS = ("A", "B", "C", "D")
W = np.zeros((4, 4), dtype=np.float32)
W[0, 2] = 2  # A enables C
W[1, 2] = 1  # B enables C
W[0, 3] = 1  # A enables D
MODEL = RoadmapModel(IDS, W)


def test_done_effects_by_hand():
    levels = np.array([0, 3, 0, 4], dtype=np.int8)  # D is above target already
    (a,) = done_effects(MODEL, levels, ["A"])
    # C: enablers A (2) and B (1); before 1*3/(3*3) = 1/3, after (2*3+1*3)/9 = 1
    assert a.element == "A" and not a.already
    assert [(r.element, r.before, r.after) for r in a.raised] == [
        ("C", pytest.approx(1 / 3), pytest.approx(1.0))]
    (b,) = done_effects(MODEL, levels, ["B"])
    assert b.already and b.raised == ()
    # two marks: each is credited with its own part (the other applied in "before")
    levels = np.array([0, 0, 0, 0], dtype=np.int8)
    a, b = done_effects(MODEL, levels, ["A", "B"])
    assert [(r.element, r.before, r.after) for r in a.raised] == [  # largest rise first
        ("D", 0.0, 1.0), ("C", pytest.approx(1 / 3), pytest.approx(1.0))]
    assert [(r.element, r.before, r.after) for r in b.raised] == [
        ("C", pytest.approx(2 / 3), pytest.approx(1.0))]
    after = readiness(MODEL, np.array([3, 3, 0, 0], dtype=np.int8))
    assert a.raised[1].after == pytest.approx(float(after[2]))
    # a dependant marked done itself is not reported
    a, _ = done_effects(MODEL, levels, ["A", "C"])
    assert [r.element for r in a.raised] == ["D"]


def test_roadmap_change():
    assert roadmap_change(["A", "B", "C"], ["B", "D", "C"]) == (["D"], ["A"])
    assert roadmap_change([], []) == ([], [])


def test_closeness_of_a_row_does_not_depend_on_the_rows_scored_with_it():
    """A shortlist scores fewer rows than the whole list: each row's closeness (and so the order
    of near-equal matches) must be the same either way (a float32 matrix product rounded a row by
    its position in a block of rows)."""
    rng = np.random.default_rng(5)
    m, b = 5000, 7
    scores = rng.uniform(0, 4, size=(m, b)).astype(np.float32)
    scores[rng.random((m, b)) < 0.15] = np.nan
    sim = similarity(np.zeros(m, int), np.zeros(m, int), np.zeros(m, int),
                     Profiles.from_scores(scores), 0)
    every = sim.closeness(np.arange(m))
    for start, step in ((1, 1), (3, 7), (2, 13), (4999, 1)):
        rows = np.arange(start, m, step)
        assert np.array_equal(sim.closeness(rows), every[rows]), (start, step)
        assert np.array_equal(sim.closeness(rows[::-1]), every[rows[::-1]])


def test_a_requests_scores_are_the_same_in_whatever_pieces_they_are_asked():
    """`Scored` computes each row once per request, in the pieces the lists ask for (with
    repeats and overlaps): every value equals the similarity of everyone at once."""
    rng = np.random.default_rng(11)
    m = 3000
    lon, lat = rng.uniform(0, 10, m), rng.uniform(45, 52, m)
    lon[rng.random(m) < 0.05] = np.nan
    country, region, size = rng.integers(0, 3, m), rng.integers(0, 9, m), rng.integers(0, 4, m)
    scores = rng.uniform(0, 4, size=(m, 4)).round(1)
    scores[rng.random((m, 4)) < 0.2] = np.nan
    prof, geo = Profiles.from_scores(scores), Geo.of(country, region, size, lon, lat)
    for t in (0, 17, int(np.flatnonzero(np.isnan(lon))[0])):
        want = similarity(country, region, size, prof, t, lon=lon, lat=lat)
        done = Scored(geo, prof, t)
        asked = np.zeros(m, dtype=bool)
        for _ in range(12):  # overlapping pieces, some asked for their score, some filled only
            rows = np.unique(rng.integers(0, m, rng.integers(1, 600)))
            asked[rows] = True
            if rng.random() < 0.5:
                assert np.array_equal(done.score(rows), want.score(rows))
            else:
                done.fill(rows)
                assert np.array_equal(done.closeness(rows), want.closeness(rows))
        got, rows = done.similarity(), np.flatnonzero(asked)
        assert np.array_equal(got.structure[rows], want.structure[rows])
        assert np.array_equal(got.score(rows), want.score(rows))
        for name in ("same_country", "same_region", "same_size"):
            assert np.array_equal(getattr(got, name)[rows], getattr(want, name)[rows]), name
        assert np.array_equal(got.distance_km[rows], want.distance_km[rows], equal_nan=True)
