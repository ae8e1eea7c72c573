"""The level cube, peer groups and profiles: pure numpy, checked against hand-computed values."""

from __future__ import annotations

import numpy as np
import pytest

from pipelines.maturity.cube import MISSING, MaturityCube, as_float
from pipelines.maturity.peers import Attributes, peer_mask
from pipelines.maturity.profile import compare, element_profile, percentile_rank, quartiles, trend

ELEMENTS = ("AAA-01", "AAA-02", "BBB-01", "BBB-02")
M = ["X_1", "X_2", "X_3", "X_4", "X_5", "X_6", "Y_1"]


def cube(levels) -> MaturityCube:
    arr = np.array(levels, dtype=np.int8)
    return MaturityCube(levels=arr, waves=tuple(f"w{i}" for i in range(arr.shape[0])),
                        municipality_ids=np.array(M[: arr.shape[1]]), element_ids=ELEMENTS,
                        element_blocks=tuple(e[:3] for e in ELEMENTS))


@pytest.fixture()
def c():
    return cube([[
        [3, 1, 2, 2],
        [4, 4, MISSING, MISSING],
        [0, 1, 2, 3],
        [2, 2, 2, 2],
        [1, MISSING, 4, 4],
        [MISSING] * 4,
        [3, 3, 3, 3],
    ], [
        [4, 2, 3, 3],
        [4, 4, 4, 4],
        [1, 1, 2, 3],
        [2, 2, 2, 2],
        [1, 1, 4, 4],
        [0, 0, 0, 0],
        [3, 3, 3, 3],
    ]])


@pytest.fixture()
def attrs():
    return Attributes.from_columns(
        country=["X"] * 6 + ["Y"], nuts2=["X1", "X1", "X1", "X2", "X2", "X2", "Y1"],
        size_class=["s", "s", "s", "s", "l", "l", "s"])


def test_shape_is_checked():
    with pytest.raises(ValueError, match="does not match"):
        MaturityCube(np.zeros((1, 2, 3), np.int8), ("w",), np.array(["a", "b"]), ("e1", "e2"),
                     ("E", "E"))


def test_lookups(c):
    assert c.index_of("X_3") == 2
    assert c.wave_index(None) == 1 and c.wave_index("w0") == 0
    assert c.blocks == ("AAA", "BBB")
    with pytest.raises(KeyError):
        c.index_of("nope")


def test_block_scores_and_overall(c):
    scores = c.block_scores(0)
    assert scores[0].tolist() == [2.0, 2.0]
    # X_2: AAA known (4, 4), BBB unknown -> NaN; X_5: AAA has 1 of 2 known (half is enough)
    assert scores[1][0] == 4.0 and np.isnan(scores[1][1])
    assert scores[4].tolist() == [1.0, 4.0]
    assert np.isnan(scores[5]).all()
    overall = c.overall(0)
    assert overall[0] == 2.0 and overall[1] == 4.0  # 2 of 4 known is half: still scored
    assert np.isnan(overall[5])
    assert c.answered(0).tolist() == [True, True, True, True, True, False, True]


def test_peer_groups(attrs):
    assert peer_mask(attrs, 0).tolist() == [False, True, True, True, False, False, False]
    assert peer_mask(attrs, 3, "nuts2").tolist() == [False, False, False, False, True, True, False]
    assert peer_mask(attrs, 0, "country").sum() == 5
    assert peer_mask(attrs, 0, "custom", [2, 6, 0]).tolist() == [
        False, False, True, False, False, False, True]
    with pytest.raises(ValueError, match="unknown peer group"):
        peer_mask(attrs, 0, "planet")
    assert attrs.label("country_size", 4) == "X:l"
    assert attrs.mask_for("country", "Y").tolist() == [False] * 6 + [True]
    assert not attrs.mask_for("country", "ZZ").any()


def test_quartiles_match_numpy_linear():
    rng = np.random.default_rng(1)
    x = rng.integers(0, 5, (50, 6)).astype(float)
    x[rng.random(x.shape) < 0.2] = np.nan
    x[:, 5] = np.nan
    q1, med, q3 = quartiles(x)
    expected = np.nanpercentile(x[:, :5], [25, 50, 75], axis=0)
    assert np.allclose(np.vstack([q1, med, q3])[:, :5], expected)
    assert np.isnan([q1[5], med[5], q3[5]]).all()


def test_percentile_rank_mid_rank():
    peers = np.array([[1.0], [2.0], [2.0], [3.0], [np.nan]])
    assert percentile_rank(np.array([2.0]), peers)[0] == pytest.approx(50.0)
    assert percentile_rank(np.array([4.0]), peers)[0] == pytest.approx(100.0)
    assert np.isnan(percentile_rank(np.array([np.nan]), peers)[0])


def test_element_profile_against_hand_computed(c, attrs):
    mask = peer_mask(attrs, 0, "country")  # X_2..X_6; X_6 has nothing in wave 0
    p = element_profile(c, 0, 0, mask, min_group=3)
    assert p.labels == ELEMENTS
    assert p.own.tolist() == [3, 1, 2, 2]
    # AAA-01 peers: 4, 0, 2, 1 -> q1 0.75, median 1.5, q3 2.5
    assert (p.q1[0], p.median[0], p.q3[0]) == (0.75, 1.5, 2.5)
    assert p.n.tolist() == [4, 3, 3, 3]
    assert p.percentile[0] == pytest.approx(75.0)
    strict = element_profile(c, 0, 0, mask, min_group=4)
    assert strict.suppressed.tolist() == [False, True, True, True]
    assert np.isnan(strict.median[1]) and np.isnan(strict.percentile[1])
    rows = strict.rows()
    assert rows[1]["peer_median"] is None and rows[0]["peer_median"] == 1.5


def test_compare_without_peers():
    p = compare(np.array([1.0, 2.0]), np.empty((0, 2)), ("a", "b"), 5)
    assert p.suppressed.all() and np.isnan(p.median).all()


def test_trend(c):
    tr = trend(c, 4)
    assert tr["ALL"] == [pytest.approx(3.0), pytest.approx(2.5)]
    assert tr["AAA"] == [1.0, 1.0]
    assert trend(c, 5)["ALL"][0] is None


def test_as_float():
    out = as_float(np.array([0, MISSING, 4], dtype=np.int8))
    assert out[0] == 0 and np.isnan(out[1]) and out[2] == 4


def test_wave_levels_in_another_element_order():
    c = cube([[[0, 1, 2, 3], [4, -1, 2, 1]]])
    assert np.shares_memory(c.wave_levels(0, ELEMENTS), c.levels)  # same order: a view
    out = c.wave_levels(0, ("BBB-02", "NEW-01", "AAA-01"))
    assert out.tolist() == [[3, MISSING, 0], [1, MISSING, 4]]
    assert out.dtype == np.int8
