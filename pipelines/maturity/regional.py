"""Values for maturity maps: a municipality's own value for a measure, status codes for what is
not shown, and the map view that fits a set of points. Pure numpy.

A map colours every location with one number. Locations whose value must not be shown (an
aggregate over too few municipalities, a municipality that did not consent) or that have no value
(no answers) get a *status code* below the value range instead, so one trace draws them in grey
(see `status_codes`): the values never reach the browser.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from pipelines.maturity.cube import MaturityCube, as_float

OVERALL = "ALL"
STATISTICS = ("median", "share_ge3")


def measure_kind(cube: MaturityCube, measure: str) -> str:
    """'overall', 'block' or 'element'; ValueError for an unknown measure."""
    if measure == OVERALL:
        return "overall"
    if measure in cube.blocks:
        return "block"
    if measure in cube.element_ids:
        return "element"
    raise ValueError(f"unknown measure {measure!r}")


def own_values(cube: MaturityCube, wave: int, rows: np.ndarray, measure: str) -> np.ndarray:
    """float64[R]: each municipality's own level (element) or score (block, overall); NaN = none."""
    kind = measure_kind(cube, measure)
    if kind == "element":
        values = as_float(cube.levels[wave, rows, cube.element_ids.index(measure)])
    elif kind == "block":
        values = cube.block_scores(wave, rows)[:, cube.blocks.index(measure)]
    else:
        values = cube.overall(wave, rows)
    return np.asarray(values, dtype=np.float64)


def own_statistic(values: np.ndarray, stat: str) -> np.ndarray:
    """The municipal counterpart of an area statistic: the value itself ('median'), or 1/0 for
    reaching level 3 ('share_ge3': the aggregate is the share of municipalities with a 1)."""
    if stat == "share_ge3":
        out = (values >= 3).astype(np.float64)
        out[np.isnan(values)] = np.nan
        return out
    return values


@dataclass(frozen=True)
class Scale:
    """A value range [vmin, vmax] with two status bands below it: HIDDEN (suppressed or not
    public) and EMPTY (no answers), each a tenth of the range wide."""

    vmin: float
    vmax: float

    @property
    def band(self) -> float:
        return (self.vmax - self.vmin) / 10

    @property
    def hidden(self) -> float:
        return self.vmin - 1.5 * self.band

    @property
    def empty(self) -> float:
        return self.vmin - 0.5 * self.band

    @property
    def zmin(self) -> float:
        return self.vmin - 2 * self.band

    @property
    def zmax(self) -> float:
        return self.vmax

    def position(self, value: float) -> float:
        """Where `value` sits on the colour bar, 0..1."""
        return (value - self.zmin) / (self.zmax - self.zmin)


SCALES = {"median": Scale(0.0, 4.0), "share_ge3": Scale(0.0, 1.0)}


def status_codes(values: np.ndarray, hidden: np.ndarray, scale: Scale) -> np.ndarray:
    """float32 z: the value where it may be shown, scale.hidden where `hidden`, scale.empty
    where there is no value. Hidden wins, so a hidden value never leaves the server."""
    z = np.asarray(values, dtype=np.float64).round(3)
    z = np.where(np.isnan(z), scale.empty, z)
    z = np.where(hidden, scale.hidden, z)
    return z.astype(np.float32)


def extremes(labels, values: np.ndarray) -> tuple[tuple[str, float], tuple[str, float]] | None:
    """(label, value) of the highest and the lowest non-NaN value (first on ties), or None."""
    values = np.asarray(values, dtype=np.float64)
    ok = np.flatnonzero(~np.isnan(values))
    if not len(ok):
        return None
    hi = ok[np.argmax(values[ok])]
    lo = ok[np.argmin(values[ok])]
    return (labels[hi], float(values[hi])), (labels[lo], float(values[lo]))


def main_cluster(values: np.ndarray, gap: float) -> np.ndarray:
    """bool mask of the largest run of `values` without a gap wider than `gap` (so overseas
    regions and distant islands do not pull a country's map off its mainland)."""
    order = np.argsort(values)
    breaks = np.flatnonzero(np.diff(values[order]) > gap) + 1
    runs = np.split(order, breaks)
    keep = np.zeros(len(values), dtype=bool)
    keep[max(runs, key=len)] = True
    return keep


def fit_view(lon: np.ndarray, lat: np.ndarray, width: int = 720, height: int = 520,
             max_zoom: float = 9.0, gap: float = 3.0) -> dict:
    """Map centre and zoom (web-mercator, 512 px tiles) that fit the central 98% of the main
    cluster of points (separated from the rest by more than `gap` degrees)."""
    lon = np.asarray(lon, dtype=np.float64)
    lat = np.asarray(lat, dtype=np.float64)
    ok = ~(np.isnan(lon) | np.isnan(lat))
    if not ok.any():
        return {"center": {"lat": 52.0, "lon": 12.0}, "zoom": 2.6}
    lon, lat = lon[ok], lat[ok]
    keep = main_cluster(lon, gap)
    lon, lat = lon[keep], lat[keep]
    keep = main_cluster(lat, gap)
    lon, lat = lon[keep], lat[keep]
    lo_x, hi_x = np.percentile(lon, [1, 99])
    lo_y, hi_y = np.percentile(lat, [1, 99])

    def merc(y):
        return math.log(math.tan(math.pi / 4 + math.radians(y) / 2))

    span_x = max(hi_x - lo_x, 0.05) / 360
    span_y = max(merc(hi_y) - merc(lo_y), 0.001) / (2 * math.pi)
    zoom = min(math.log2(width / (512 * span_x)), math.log2(height / (512 * span_y))) - 0.35
    centre_y = math.degrees(2 * math.atan(math.exp((merc(lo_y) + merc(hi_y)) / 2)) - math.pi / 2)
    return {"center": {"lat": round(centre_y, 4), "lon": round(float(lo_x + hi_x) / 2, 4)},
            "zoom": round(max(min(zoom, max_zoom), 1.0), 2)}
