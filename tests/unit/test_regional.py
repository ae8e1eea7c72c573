"""Map values: own values per measure, status codes, extremes and map views (pure numpy)."""

from __future__ import annotations

import numpy as np
import pytest

from pipelines.maturity.cube import MISSING, MaturityCube
from pipelines.maturity.regional import (
    SCALES,
    Scale,
    extremes,
    fit_view,
    main_cluster,
    measure_kind,
    own_statistic,
    own_values,
    status_codes,
)

ELEMENTS = ("AAA-01", "AAA-02", "BBB-01", "BBB-02")


@pytest.fixture()
def cube():
    levels = np.array([[[3, 1, 2, 2], [4, 4, MISSING, MISSING], [0, MISSING, MISSING, MISSING],
                        [MISSING] * 4]], dtype=np.int8)
    return MaturityCube(levels=levels, waves=("w1",), municipality_ids=np.array(["a", "b", "c", "d"]),
                        element_ids=ELEMENTS, element_blocks=tuple(e[:3] for e in ELEMENTS))


def test_measure_kind(cube):
    assert [measure_kind(cube, m) for m in ("ALL", "BBB", "AAA-02")] == [
        "overall", "block", "element"]
    with pytest.raises(ValueError):
        measure_kind(cube, "ZZZ-01")


def test_own_values(cube):
    rows = np.arange(4)
    np.testing.assert_array_equal(own_values(cube, 0, rows, "AAA-02"), [1, 4, np.nan, np.nan])
    # block: mean of known levels when at least half the block is known
    np.testing.assert_array_equal(own_values(cube, 0, rows, "AAA"), [2, 4, 0, np.nan])
    np.testing.assert_array_equal(own_values(cube, 0, rows, "BBB"), [2, np.nan, np.nan, np.nan])
    np.testing.assert_array_equal(own_values(cube, 0, rows, "ALL"), [2, 4, np.nan, np.nan])
    np.testing.assert_array_equal(own_values(cube, 0, np.array([1]), "ALL"), [4])


def test_own_statistic():
    values = np.array([3.0, 2.99, np.nan, 4.0])
    np.testing.assert_array_equal(own_statistic(values, "share_ge3"), [1, 0, np.nan, 1])
    assert own_statistic(values, "median") is values


def test_scale_bands_sit_below_the_values():
    s = Scale(0.0, 4.0)
    assert (s.zmin, s.hidden, s.empty, s.zmax) == pytest.approx((-0.8, -0.6, -0.2, 4.0))
    assert s.position(s.zmin) == 0 and s.position(4.0) == 1
    assert s.position(0.0) == pytest.approx(2 / 12)
    assert SCALES["share_ge3"].hidden == pytest.approx(-0.15)


def test_status_codes_hide_values():
    s = SCALES["median"]
    z = status_codes(np.array([2.5, np.nan, 3.0, np.nan]), np.array([False, False, True, True]), s)
    assert z.dtype == np.float32
    np.testing.assert_allclose(z, [2.5, s.empty, s.hidden, s.hidden], rtol=1e-6)


def test_extremes():
    assert extremes(["a", "b", "c"], np.array([1.0, np.nan, 3.0])) == (("c", 3.0), ("a", 1.0))
    assert extremes(["a"], np.array([np.nan])) is None


def test_main_cluster_drops_distant_islands():
    lon = np.array([-9.0, -8.0, -7.5, -7.0, -17.0, -28.0])
    assert main_cluster(lon, 3.0).tolist() == [True, True, True, True, False, False]


def test_fit_view():
    # mainland points plus a far island: the view fits the mainland
    lon = np.r_[np.linspace(3, 7, 50), [-60.0]]
    lat = np.r_[np.linspace(50, 53, 50), [15.0]]
    view = fit_view(lon, lat, width=800, height=560)
    assert view["center"]["lon"] == pytest.approx(5.0, abs=0.1)
    assert 51 < view["center"]["lat"] < 52
    assert 5 < view["zoom"] < 8
    assert fit_view(np.array([np.nan]), np.array([np.nan]))["zoom"] == 2.6
