"""Element heatmap grids: row grouping, column order (overall, one element, ties by name),
missing levels kept as missing, and the region matrix with suppression. Pure numpy."""

from __future__ import annotations

import numpy as np
import pytest

from pipelines.maturity.cube import MISSING, MaturityCube
from pipelines.maturity.heatmap import (
    NO_DATA,
    OVERALL,
    SUPPRESSED,
    VALUE,
    block_spans,
    element_order,
    extremes,
    filter_mask,
    municipality_grid,
    order_columns,
    region_grid,
)
from pipelines.maturity.peers import Attributes

# Blocks deliberately interleaved: rows must come out grouped (AAA, AAA, BBB, BBB).
ELEMENTS = ("AAA-01", "BBB-01", "AAA-02", "BBB-02")
IDS = np.array(["X_1", "X_2", "X_3", "X_4", "X_5"])
NAMES = ["Delta", "alpha", "Charlie", "Bravo", "Echo"]
_ = MISSING


def cube(levels) -> MaturityCube:
    arr = np.array(levels, dtype=np.int8)
    return MaturityCube(levels=arr, waves=("w1",), municipality_ids=IDS[: arr.shape[1]],
                        element_ids=ELEMENTS, element_blocks=tuple(e[:3] for e in ELEMENTS))


@pytest.fixture()
def c():
    # overall: X_1 2.0, X_2 2.0 (tie with X_1), X_3 3.0, X_4 NaN (1 of 4 known), X_5 1.0
    return cube([[
        [2, 2, 2, 2],
        [4, 0, 2, _],
        [3, 3, 3, 3],
        [_, 4, _, _],
        [1, 1, 1, 1],
    ]])


def test_rows_grouped_by_block():
    rows = element_order(tuple(e[:3] for e in ELEMENTS))
    assert [ELEMENTS[e] for e in rows] == ["AAA-01", "AAA-02", "BBB-01", "BBB-02"]
    assert block_spans(tuple(e[:3] for e in ELEMENTS), rows) == [("AAA", 0, 2), ("BBB", 2, 4)]


def test_order_columns_descending_nan_last_ties_by_name():
    keys = np.array([2.0, np.nan, 3.0, 2.0, 2.0])
    names = ["b", "a", "z", "B", "A"]
    order = order_columns(keys, names, tiebreak=["id1", "id2", "id3", "id4", "id5"])
    # 3.0 first; the three 2.0s by name case-insensitively (A, b/B by id); NaN last
    assert order.tolist() == [2, 4, 0, 3, 1]


def test_grid_by_overall_with_ties_and_missing_last(c):
    g = municipality_grid(c, 0, np.arange(5), NAMES)
    # X_3 (3.0); X_2 "alpha" and X_1 "Delta" tie at 2.0 -> by name; X_5 (1.0); X_4 (NaN) last
    assert IDS[g.columns].tolist() == ["X_3", "X_2", "X_1", "X_5", "X_4"]
    assert g.z.dtype == np.int8 and g.z.shape == (4, 5)
    np.testing.assert_allclose(g.overall[:4], [3.0, 2.0, 2.0, 1.0])
    assert np.isnan(g.overall[4])


def test_missing_is_kept_as_missing_not_zero(c):
    g = municipality_grid(c, 0, np.arange(5), NAMES)
    x4 = g.z[:, IDS[g.columns].tolist().index("X_4")]
    assert x4.tolist() == [MISSING, MISSING, 4, MISSING]  # rows AAA-01, AAA-02, BBB-01, BBB-02
    x2 = g.z[:, IDS[g.columns].tolist().index("X_2")]
    assert x2.tolist() == [4, 2, 0, MISSING]  # a real 0 stays 0, a missing stays -1
    means = g.element_means()
    # AAA-01 over known levels only: (3 + 4 + 2 + 1) / 4
    assert means[0] == pytest.approx(2.5)


def test_grid_by_one_element_ties_by_name(c):
    g = municipality_grid(c, 0, np.arange(5), NAMES, sort="BBB-01")
    # BBB-01 levels: X_1 2, X_2 0, X_3 3, X_4 4, X_5 1
    assert IDS[g.columns].tolist() == ["X_4", "X_3", "X_1", "X_5", "X_2"]
    g = municipality_grid(c, 0, np.arange(5), NAMES, sort="AAA-02")
    # AAA-02: X_1 2, X_2 2, X_3 3, X_4 missing, X_5 1 -> tie X_1/X_2 by name (alpha < Delta)
    assert IDS[g.columns].tolist() == ["X_3", "X_2", "X_1", "X_5", "X_4"]


def test_grid_of_a_subset_and_unknown_sort_falls_back_to_overall(c):
    g = municipality_grid(c, 0, np.array([4, 0]), [NAMES[4], NAMES[0]], sort="NOPE-01")
    assert IDS[g.columns].tolist() == ["X_1", "X_5"]
    assert g.n_columns == 2


def test_extremes():
    assert extremes(np.array([1.0, 3.0, np.nan, 0.5])) == (1, 3)
    assert extremes(np.array([np.nan, np.nan])) is None


# ------------------------------------------------------------------ regions


def agg_rows():
    """Aggregate rows as the mart holds them (suppressed by the build at n < 5)."""
    rows = [
        # area, measure, n, suppressed, median, share
        ("R1", "AAA-01", 10, False, 3.0, 0.6),
        ("R1", "AAA-02", 10, False, 2.0, 0.2),
        ("R1", "BBB-01", 4, True, None, None),      # suppressed by the build
        ("R1", "ALL", 10, False, 2.4, 0.3),
        ("R2", "AAA-01", 6, False, 1.0, 0.0),      # kept by the build, but min_group 8 below
        ("R2", "AAA-02", 9, False, 2.0, 0.4),
        ("R2", "BBB-01", 9, False, 4.0, 1.0),
        ("R2", "BBB-02", 9, False, 3.5, 0.7),
        ("R2", "ALL", 9, False, 2.4, 0.5),
        ("R2", "AAA", 9, False, 2.0, 0.1),         # a block score: ignored
        ("R9", "AAA-01", 50, False, 4.0, 1.0),     # a region not asked for: ignored
    ]
    cols = list(zip(*rows, strict=True))
    return {"area_id": cols[0], "measure": cols[1], "n": cols[2], "suppressed": cols[3],
            "median": [np.nan if v is None else v for v in cols[4]],
            "share_ge3": [np.nan if v is None else v for v in cols[5]]}


def test_region_matrix_with_suppression_and_no_data():
    rows = element_order(tuple(e[:3] for e in ELEMENTS))
    g = region_grid(["R1", "R2", "R3"], ["Beta", "Alpha", "Gamma"], ELEMENTS, **agg_rows(),
                    min_group=8, rows=rows)
    # overall: R1 2.4 and R2 2.4 tie -> by name (Alpha = R2 first); R3 has nothing -> last
    assert g.regions.tolist() == ["R2", "R1", "R3"]
    # rows in display order: AAA-01, AAA-02, BBB-01, BBB-02
    assert g.status.tolist() == [
        [SUPPRESSED, VALUE, NO_DATA],   # R2 AAA-01: n 6 < min_group 8
        [VALUE, VALUE, NO_DATA],
        [VALUE, SUPPRESSED, NO_DATA],   # R1 BBB-01: suppressed by the build
        [VALUE, NO_DATA, NO_DATA],      # R1 has no BBB-02 row at all
    ]
    assert np.isnan(g.median[0, 0]) and np.isnan(g.share_ge3[0, 0])  # suppressed: no value
    assert g.n[0, 0] == 6  # the count stays, for the hover
    assert g.median[0, 1] == 3.0 and g.share_ge3[0, 1] == pytest.approx(0.6)
    assert g.median[3, 0] == 3.5
    assert np.isnan(g.median[:, 2]).all()
    # means over shown cells only: AAA-01 has only R1's 3.0 left
    assert g.element_means()[0] == pytest.approx(3.0)
    assert g.element_means()[2] == pytest.approx(4.0)


def test_region_matrix_sorted_by_element():
    g = region_grid(["R1", "R2", "R3"], ["Beta", "Alpha", "Gamma"], ELEMENTS, **agg_rows(),
                    min_group=5, sort="AAA-01")
    assert g.regions.tolist() == ["R1", "R2", "R3"]  # 3.0 > 1.0 > none
    g = region_grid(["R1", "R2", "R3"], ["Beta", "Alpha", "Gamma"], ELEMENTS, **agg_rows(),
                    min_group=5, sort="AAA-02")
    assert g.regions.tolist() == ["R2", "R1", "R3"]  # 2.0 tie -> by name
    g = region_grid(["R1", "R2"], ["Beta", "Alpha"], ELEMENTS, **agg_rows(), min_group=100,
                    sort=OVERALL)
    assert (g.status != VALUE).all() and np.isnan(g.median).all()


def test_filter_mask_and_peer_group():
    attrs = Attributes.from_columns(["NL", "NL", "NL", "BE", "NL"],
                                    ["NL31", "NL32", "NL31", "BE21", "NL31"],
                                    ["lt5k", "lt5k", "ge250k", "lt5k", "lt5k"])
    assert filter_mask(attrs, "NL").tolist() == [True, True, True, False, True]
    assert filter_mask(attrs, "NL", "NL31").tolist() == [True, False, True, False, True]
    assert filter_mask(attrs, "NL", "NL31", "lt5k").tolist() == [True, False, False, False, True]
    assert filter_mask(attrs, "NL", "BE21").tolist() == [False] * 5
    # peers of municipality 0: same country and size class, itself included, other filters ignored
    assert filter_mask(attrs, "BE", "BE21", "ge250k", peers_of=0).tolist() == [
        True, True, False, False, True]
