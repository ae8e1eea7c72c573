"""Peer statistics from level counts equal the percentile-based ones in profile.py."""

from __future__ import annotations

import numpy as np
import pytest

from pipelines.maturity import distribution, profile
from pipelines.maturity.cube import MaturityCube


def random_cube(rng, m, e=9, waves=2):
    levels = rng.integers(-1, 5, size=(waves, m, e)).astype(np.int8)
    levels[:, rng.random(m) < 0.3] = -1  # municipalities without answers
    levels[:, :, 0] = np.where(rng.random((waves, m)) < 0.9, -1, levels[:, :, 0])  # rare element
    ids = np.array([f"XX_{i:05d}" for i in range(m)])
    elements = tuple(f"B{i // 3}-0{i % 3 + 1}" for i in range(e))
    return MaturityCube(levels, tuple(str(2024 + w) for w in range(waves)), ids, elements,
                        tuple(x.split("-")[0] for x in elements))


def test_level_counts():
    lv = np.array([[0, -1], [4, 2], [4, -1]], dtype=np.int8)
    assert distribution.level_counts(lv).tolist() == [[1, 0, 0, 0, 2], [0, 0, 1, 0, 0]]


@pytest.mark.parametrize("q", [0.25, 0.5, 0.75, 0.1, 1.0, 0.0])
def test_quantiles_equal_numpy(q):
    rng = np.random.default_rng(3)
    for n in (1, 2, 3, 7, 50, 1001):
        values = rng.integers(0, 5, size=(n, 6))
        counts = distribution.level_counts(values.astype(np.int8))
        assert np.allclose(distribution.quantiles_from_counts(counts, q),
                           np.percentile(values, 100 * q, axis=0))
    assert np.isnan(distribution.quantiles_from_counts(np.zeros((2, 5), dtype=int), 0.5)).all()


@pytest.mark.parametrize("seed", range(20))
def test_element_distribution_equals_element_profile(seed):
    rng = np.random.default_rng(seed)
    cube = random_cube(rng, int(rng.integers(3, 400)))
    target = int(rng.integers(0, len(cube.municipality_ids)))
    peers = rng.random(len(cube.municipality_ids)) < 0.6
    peers[target] = False
    slow = profile.element_profile(cube, 1, target, peers, 5)
    fast, counts = distribution.element_distribution(cube, 1, target, peers, 5)
    assert fast.labels == slow.labels
    for field in ("own", "q1", "median", "q3", "percentile"):
        assert np.allclose(getattr(fast, field), getattr(slow, field), equal_nan=True), field
    assert (fast.n == slow.n).all() and (fast.suppressed == slow.suppressed).all()
    assert (counts.sum(axis=1) == fast.n).all()
    assert fast.rows() == slow.rows()


@pytest.mark.parametrize("seed", range(20))
def test_group_statistics_minus_one_member_equal_compare(seed):
    """A group's cached counts / sorted scores minus one member give profile.compare's numbers
    for that member against the rest of the group."""
    rng = np.random.default_rng(100 + seed)
    cube = random_cube(rng, int(rng.integers(2, 300)))
    group = rng.random(len(cube.municipality_ids)) < 0.7
    members = np.flatnonzero(group)
    if not len(members):
        return
    target = int(rng.choice(members))
    peers = group.copy()
    peers[target] = False

    levels = cube.levels[1]
    counts = distribution.remove_own(distribution.level_counts(levels[group]), levels[target])
    own = levels[target].astype(float)
    own[levels[target] < 0] = np.nan
    fast = distribution.profile_from_counts(own, counts, cube.element_ids, 5)
    slow = profile.element_profile(cube, 1, target, peers, 5)
    assert fast.rows() == slow.rows()

    scores = cube.block_scores(1)
    columns = distribution.sorted_columns(scores[group])
    own_scores = scores[target].astype(float)
    fast = distribution.profile_from_sorted(
        own_scores, [distribution.without(c, v) for c, v in zip(columns, own_scores, strict=True)],
        cube.blocks, 5)
    slow = profile.block_profile(cube, 1, target, peers, 5)
    assert fast.rows() == slow.rows()


def test_without():
    col = np.array([1.0, 2.0, 2.0, 3.0])
    assert distribution.without(col, 2.0).tolist() == [1.0, 2.0, 3.0]
    assert distribution.without(col, 2.5).tolist() == col.tolist()
    assert distribution.without(col, np.nan) is col
