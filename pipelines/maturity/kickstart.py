"""Kickstart peers ("who can help"): for an element a municipality should develop next, the most
similar nearby municipalities that already have it, and the ones that have it as their own next
step (candidates to develop it together, after seed 004: one builds, others join and reuse).

Pure numpy, no Dash.

Similarity of municipality i to the chosen municipality m, between 0 and 1:

    sim(i) = 0.3 x [same country] + 0.1 x [same NUTS 2 region] + 0.2 x nearness(i)
           + 0.2 x [same size class] + 0.2 x closeness(i)
    nearness(i)  = max(0, 1 - distance(i, m) / 150 km)   (0 when a coordinate is missing)
    closeness(i) = 1 - mean over blocks b of |score(i, b) - score(m, b)| / 4

where score(., b) is the building-block score (mean known level, 0-4) and the mean runs over
the blocks with a score for both; closeness is 0 when they share none. A neighbour one town over
counts more than a municipality of the same size at the other end of the country: a CIO calls
the one nearby. Ties: higher similarity first, then reference order (GISCO id), so the answer is
deterministic.

- helpers of element e: answered municipalities other than m at a *known* level >= max(3,
  target) on e;
- partners of element e: answered municipalities other than m whose own roadmap has e in its
  first phase (`first_phase`, int[M, P] element positions, -1 = none) and whose level on e is
  known (the roadmap never develops an unknown level; this also guards older stored runs).
Only rows where `shown` is True (consent, or an open deployment) are named, at most `k` per
list; the others are counted (`*_hidden`) so the page can say how many are not shown by name.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property

import numpy as np

FULL = 3
SIMILARITY_WEIGHTS = {"country": 0.3, "region": 0.1, "near": 0.2, "size": 0.2, "profile": 0.2}
NEAR_KM = 150.0  # nearness falls to 0 at this distance
EARTH_KM = 6371.0
DEFAULT_K = 5


@dataclass(frozen=True, eq=False)
class Profiles:
    """Block scores float[M, B] (NaN = no score) in the form `similarity` reads fast: the
    scores with NaN as 0 and a 0/1 mask of the known ones (made once per build and wave)."""

    values: np.ndarray  # float32[M, B], NaN -> 0
    known: np.ndarray  # float32[M, B], 1 where known

    @classmethod
    def from_scores(cls, scores: np.ndarray) -> Profiles:
        s = np.asarray(scores, dtype=np.float32)
        known = ~np.isnan(s)
        return cls(np.where(known, s, np.float32(0)), known.astype(np.float32))


@dataclass(frozen=True, eq=False)
class Similarity:
    """Similarity to municipality `target`: the attribute part for everyone at once
    (`structure` = 0.4 same country + 0.2 same region + 0.2 same size class), the profile part
    only for the rows asked (`score(rows)`): ranking needs it for few rows (see `top`)."""

    target: int
    structure: np.ndarray  # float32[M]
    same_country: np.ndarray  # bool[M]
    same_region: np.ndarray  # bool[M]
    same_size: np.ndarray  # bool[M]
    profiles: Profiles
    distance_km: np.ndarray | None = None  # float32[M], NaN = unknown
    # one request's scored rows (`Scored`): their closeness is not computed again
    scored: Scored | None = None

    def closeness(self, rows: np.ndarray) -> np.ndarray:
        """float32: 1 - mean |block score difference| / 4 over blocks both know (0: none)."""
        if self.scored is not None:
            return self.scored.closeness(rows)
        return _closeness(self.profiles, self.target, rows)

    def score(self, rows: np.ndarray) -> np.ndarray:
        rows = np.asarray(rows, dtype=np.intp)
        return self.structure[rows] + np.float32(SIMILARITY_WEIGHTS["profile"]) \
            * self.closeness(rows)


def _closeness(profiles: Profiles, target: int, rows: np.ndarray) -> np.ndarray:
    """Each row's value is the same whichever other rows are asked with it: summed block by
    block in float64 (exact for these few float32 terms), not by a matrix product, whose BLAS
    kernel rounds a row differently by its position in a block of rows (a last-digit
    difference that could reorder equal matches when fewer rows are scored)."""
    v, k = profiles.values, profiles.known
    both = np.flatnonzero(k[target])
    kr = k[rows][:, both]
    diff = np.abs(v[rows][:, both].astype(np.float64) - v[target, both]) * kr
    total = np.zeros(len(kr))
    for b in range(len(both)):  # in block order: the same sum for a row whatever the rows
        total += diff[:, b]
    n = kr.sum(axis=1, dtype=np.float64)  # a count: exact in any order
    return np.where(n > 0, 1 - total / (4 * np.maximum(n, 1)), 0).astype(np.float32)


def distances_km(lon: np.ndarray, lat: np.ndarray, target: int) -> np.ndarray:
    """float32[M]: great-circle distance to `target` in km (NaN where a coordinate is missing)."""
    lo, la = np.radians(np.asarray(lon, dtype=np.float64)), np.radians(np.asarray(lat, dtype=np.float64))
    dlo, dla = lo - lo[target], la - la[target]
    h = np.sin(dla / 2) ** 2 + np.cos(la) * np.cos(la[target]) * np.sin(dlo / 2) ** 2
    return (2 * EARTH_KM * np.arcsin(np.sqrt(np.clip(h, 0, 1)))).astype(np.float32)


def similarity(country: np.ndarray, region: np.ndarray, size: np.ndarray,
               profiles: Profiles | np.ndarray, target: int,
               lon: np.ndarray | None = None, lat: np.ndarray | None = None) -> Similarity:
    """Similarity to `target` from integer-coded country, NUTS 2 region and size class (int[M]),
    the block scores (`Profiles`, or float[M, B] with NaN for no score) and the coordinates
    (degrees; without them nearness is 0 for everyone)."""
    if not isinstance(profiles, Profiles):
        profiles = Profiles.from_scores(profiles)
    country, region, size = np.asarray(country), np.asarray(region), np.asarray(size)
    same_country = country == country[target]
    same_region = same_country & (region == region[target])
    same_size = size == size[target]
    w = SIMILARITY_WEIGHTS
    structure = same_country * np.float32(w["country"])
    structure += same_region * np.float32(w["region"])
    structure += same_size * np.float32(w["size"])
    dist = None
    if lon is not None and lat is not None:
        dist = distances_km(lon, lat, target)
        near = np.nan_to_num(np.clip(1 - dist / np.float32(NEAR_KM), 0, 1), nan=0.0)
        structure += near.astype(np.float32) * np.float32(w["near"])
    return Similarity(int(target), structure.astype(np.float32), same_country, same_region,
                      same_size, profiles, dist)


@dataclass(frozen=True)
class Match:
    row: int
    similarity: float
    same_country: bool
    same_region: bool
    same_size: bool
    closeness: float
    level: int | None = None  # the match's level on the element (helpers)
    distance_km: float | None = None


@dataclass(frozen=True)
class ElementHelp:
    element: str
    helpers: tuple[Match, ...]  # most similar first, named ones only
    helpers_total: int  # every answered municipality (m excluded) at level >= 3
    helpers_hidden: int  # of those, not shown by name
    partners: tuple[Match, ...]
    partners_total: int | None  # None: no population roadmap to take next steps from
    partners_hidden: int | None


def top(sim: Similarity, mask: np.ndarray, k: int = DEFAULT_K,
        levels: np.ndarray | None = None) -> tuple[Match, ...]:
    """The k rows of `mask` with the highest similarity, ties in row order (`top_rows`)."""
    return top_rows(sim, np.flatnonzero(mask), k, levels)


def top_rows(sim: Similarity, rows: np.ndarray, k: int = DEFAULT_K,
             levels: np.ndarray | None = None) -> tuple[Match, ...]:
    """The k of `rows` (ascending) with the highest similarity, ties in row order. The profile
    part adds at most 0.2, so only rows whose attribute part is within 0.2 of the k-th best can
    make the top k: their closeness is computed, the others' never is."""
    if not len(rows) or k <= 0:
        return ()
    st = sim.structure[rows]
    if len(rows) > k:
        kth = np.partition(st, len(st) - k)[len(st) - k]
        rows = rows[st >= kth - np.float32(SIMILARITY_WEIGHTS["profile"]) - np.float32(1e-6)]
    close = sim.closeness(rows)
    score = sim.structure[rows] + np.float32(SIMILARITY_WEIGHTS["profile"]) * close
    order = np.lexsort((rows, -score))[:k]
    def km(row: int) -> float | None:
        if sim.distance_km is None or np.isnan(sim.distance_km[row]):
            return None
        return round(float(sim.distance_km[row]), 1)
    return tuple(Match(int(rows[i]), float(score[i]), bool(sim.same_country[rows[i]]),
                       bool(sim.same_region[rows[i]]), bool(sim.same_size[rows[i]]),
                       float(close[i]), None if levels is None else int(levels[rows[i]]),
                       km(int(rows[i])))
                 for i in order)


def who_can_help(levels: np.ndarray, elements: Sequence[int], element_ids: Sequence[str],
                 target: int, sim: Similarity, *, shown: np.ndarray, answered: np.ndarray,
                 first_phase: np.ndarray | None = None, k: int = DEFAULT_K,
                 level_target: int = FULL) -> list[ElementHelp]:
    """Helpers and partners per element position in `elements` (levels int8[M, E] of one wave,
    -1 = unknown; `shown`, `answered` bool[M]); helpers are at `level_target` (the roadmap's
    target, at least 3) or higher."""
    others = np.asarray(answered, dtype=bool).copy()
    others[target] = False
    shown = np.asarray(shown, dtype=bool)
    need = max(int(level_target), FULL)
    out = []
    for j in elements:
        col = levels[:, j]
        has = others & (col >= need)
        named = has & shown
        helpers = top(sim, named, k, col)
        partners: tuple[Match, ...] = ()
        p_total = p_hidden = None
        if first_phase is not None:
            nxt = first_phase[:, 0] == j
            for c in range(1, first_phase.shape[1]):  # faster than .any(axis=1) on 3 columns
                nxt |= first_phase[:, c] == j
            nxt &= others & (col >= 0)  # a known level: the roadmap never develops an unknown
            p_named = nxt & shown
            partners = top(sim, p_named, k, col)
            p_total = int(np.count_nonzero(nxt))
            p_hidden = p_total - int(np.count_nonzero(p_named))
        total = int(np.count_nonzero(has))
        out.append(ElementHelp(element_ids[j], helpers, total,
                               total - int(np.count_nonzero(named)), partners, p_total, p_hidden))
    return out


# ------------------------------------------------------------------ per build: candidates first
# `who_can_help` above scores every municipality (distance and attributes for all M rows, then a
# mask per element): ~10-30 ms at EU scale (98,584). The ones that can be named are a few
# thousand per element, so a build's candidates are listed once (`Candidates`), the coordinates
# prepared once (`Geo`), and a request scores only the candidates (`Scored`). The
# arithmetic is the same, element by element, so the answer is the same (tests compare them).


@dataclass(frozen=True, eq=False)
class Geo:
    """Integer-coded country, NUTS 2 region and size class (int[M]) and the coordinates in
    radians with cos(latitude), computed once instead of per request."""

    country: np.ndarray
    region: np.ndarray
    size: np.ndarray
    lon: np.ndarray | None  # float64[M] radians, NaN = unknown; None: no coordinates
    lat: np.ndarray | None
    cos_lat: np.ndarray | None

    @classmethod
    def of(cls, country, region, size, lon=None, lat=None) -> Geo:
        if lon is None or lat is None:
            return cls(np.asarray(country), np.asarray(region), np.asarray(size), None, None, None)
        lo = np.radians(np.asarray(lon, dtype=np.float64))
        la = np.radians(np.asarray(lat, dtype=np.float64))
        return cls(np.asarray(country), np.asarray(region), np.asarray(size), lo, la, np.cos(la))

    @cached_property
    def groups(self) -> Groups:
        """The rows' groups for bounding (`Groups`), made on first use."""
        return Groups.of_geo(self)


def _structure_at(geo: Geo, t: int, rows: np.ndarray):
    """(attribute part float32, same country, same region, same size, distance km float32 or
    None) at `rows`: the same float32 operations in the same order as `similarity` and
    `distances_km`, so each value is the same whichever rows are asked with it."""
    c = geo.country[rows] == geo.country[t]
    r = c & (geo.region[rows] == geo.region[t])
    z = geo.size[rows] == geo.size[t]
    w = SIMILARITY_WEIGHTS
    st = c * np.float32(w["country"])
    st += r * np.float32(w["region"])
    st += z * np.float32(w["size"])
    d = None
    if geo.lon is not None:
        lo, la = geo.lon[rows], geo.lat[rows]
        dlo, dla = lo - geo.lon[t], la - geo.lat[t]
        # cos of the target's latitude as `distances_km` takes it (a scalar call)
        h = np.sin(dla / 2) ** 2 + geo.cos_lat[rows] * np.cos(geo.lat[t]) * np.sin(dlo / 2) ** 2
        d = (2 * EARTH_KM * np.arcsin(np.sqrt(np.clip(h, 0, 1)))).astype(np.float32)
        near = np.nan_to_num(np.clip(1 - d / np.float32(NEAR_KM), 0, 1), nan=0.0)
        st += near.astype(np.float32) * np.float32(w["near"])
    return st, c, r, z, d


class Scored:
    """The similarity to one municipality of the rows asked so far, each part of a row
    computed once: a request's lists (helpers and partners of each element) share most of
    their best candidates, and the shortlists' floors, the similarity and the top rows each
    scored them again. A row's values are the same whichever rows are computed with it
    (`_structure_at`, `_closeness`), so computing them once changes no answer. The attribute
    part and the closeness are kept apart: the union of the shortlists needs the first only.
    Rows never asked hold 0, False and NaN."""

    def __init__(self, geo: Geo, profiles: Profiles, target: int):
        m = len(geo.country)
        self.geo, self.profiles, self.target = geo, profiles, int(target)
        self.has_structure = np.zeros(m, dtype=bool)
        self.has_close = np.zeros(m, dtype=bool)
        self.structure = np.zeros(m, dtype=np.float32)
        self.same = [np.zeros(m, dtype=bool) for _ in range(3)]  # country, region, size
        self.distance_km = None if geo.lon is None else np.full(m, np.nan, dtype=np.float32)
        self.close = np.zeros(m, dtype=np.float32)

    def fill(self, rows: np.ndarray) -> None:
        """The attribute part of `rows` (int)."""
        new = rows[~self.has_structure[rows]]
        if not len(new):
            return
        st, c, r, z, d = _structure_at(self.geo, self.target, new)
        self.structure[new] = st
        for a, v in zip(self.same, (c, r, z), strict=True):
            a[new] = v
        if d is not None:
            self.distance_km[new] = d
        self.has_structure[new] = True

    def closeness(self, rows: np.ndarray) -> np.ndarray:
        rows = np.asarray(rows, dtype=np.intp)
        new = rows[~self.has_close[rows]]
        if len(new):
            self.close[new] = _closeness(self.profiles, self.target, new)
            self.has_close[new] = True
        return self.close[rows]

    def score(self, rows: np.ndarray) -> np.ndarray:
        """As `Similarity.score` computes it."""
        rows = np.asarray(rows, dtype=np.intp)
        self.fill(rows)
        return self.structure[rows] + np.float32(SIMILARITY_WEIGHTS["profile"]) \
            * self.closeness(rows)

    def similarity(self) -> Similarity:
        """The `Similarity` of the rows filled so far (read only those)."""
        return Similarity(self.target, self.structure, *self.same, self.profiles,
                          self.distance_km, self)


# ------------------------------------------------------------------ groups: bounds before scores
# Under an open deployment an element has up to ~36,000 candidates at EU scale; scoring them all
# (distance, then a partition per list) was ~2/3 of a roadmap answer. Nearly all of them cannot
# make the top 5: the attribute part (country, region, size class, nearness) decides within
# 0.2. Candidates are kept grouped by (country, region, size class, 0.5-degree cell); a group's
# upper bound of the attribute part (its centre's distance minus its radius) tells which groups
# can hold a top-5 row, and only their rows are scored. The top 5 of that shortlist is the top 5
# of all (`shortlist`), so the answer is the same (tests compare them).

CELL_RAD = float(np.radians(0.5))  # ~55 km north-south: a group's radius stays small
SHORT = 512  # lists this short are scored whole (bounding them costs about as much)
_MARGIN_KM = 0.5  # the bound's distance is shortened by this (float64 vs float32 rounding)
_MARGIN = 1e-5  # and its score raised by this
FLOOR_GROUPS = 16  # the best-bounded groups scored for the floor (any rows give a floor)
# and of those, the best-bounded until they hold this many rows: in a dense region 16 groups
# held thousands of rows, all scored for a floor that 256 of the nearest set about as high
# (roadmap callback at EU, interleaved in-process runs: mean 6.2-8.4 -> 4.5-5.4 ms, p95
# 9.6-12.4 -> 5.6-7.2 ms; 64, 128 and 1,024 rows measured too)
FLOOR_ROWS = 256


def _haversine_km(lon1, lat1, cos_lat1, lon2, lat2, cos_lat2):
    h = np.sin((lat2 - lat1) / 2) ** 2 + cos_lat1 * cos_lat2 * np.sin((lon2 - lon1) / 2) ** 2
    return 2 * EARTH_KM * np.arcsin(np.sqrt(np.clip(h, 0, 1)))


@dataclass(frozen=True, eq=False)
class Groups:
    """Every row's group (same country, NUTS 2 region, size class and 0.5-degree cell; the rows
    without coordinates form cells of their own) with each group's codes, centre and radius."""

    of: np.ndarray  # int32[M]: group of each row
    country: np.ndarray  # [G] codes as in Geo
    region: np.ndarray
    size: np.ndarray
    lon: np.ndarray | None  # float64[G] centre, radians; NaN: members without coordinates
    lat: np.ndarray | None
    cos_lat: np.ndarray | None
    radius_km: np.ndarray | None  # float64[G]: no member is farther from the centre

    @classmethod
    def of_geo(cls, geo: Geo) -> Groups:
        m = len(geo.country)
        cols = [np.unique(np.asarray(a), return_inverse=True)[1].reshape(m)
                for a in (geo.country, geo.region, geo.size)]
        if geo.lon is not None:
            bad = np.isnan(geo.lon) | np.isnan(geo.lat)
            for a in (geo.lon, geo.lat):
                cols.append(np.where(bad, -(10 ** 6), np.floor(np.nan_to_num(a) / CELL_RAD))
                            .astype(np.int64))
        _, first, of = np.unique(np.stack(cols, axis=1), axis=0, return_index=True,
                                 return_inverse=True)
        of = of.reshape(m).astype(np.int32)
        g = len(first)
        country, region, size = (np.asarray(a)[first] for a in (geo.country, geo.region,
                                                               geo.size))
        if geo.lon is None:
            return cls(of, country, region, size, None, None, None, None)
        n = np.bincount(of, minlength=g).astype(np.float64)
        # the mean of the members' coordinates: any point works for the bound, a central one
        # keeps the radius small (a cell does not straddle the date line in Europe's data)
        lon = np.bincount(of, weights=geo.lon, minlength=g) / n
        lat = np.bincount(of, weights=geo.lat, minlength=g) / n
        d = _haversine_km(lon[of], lat[of], np.cos(lat[of]), geo.lon, geo.lat, geo.cos_lat)
        radius = np.zeros(g)
        np.maximum.at(radius, of, np.nan_to_num(d, nan=0.0))
        return cls(of, country, region, size, lon, lat, np.cos(lat), radius)

    def upper_bounds(self, geo: Geo, t: int) -> np.ndarray:
        """float64[G]: no member of a group has an attribute part (similarity without the
        profile) above this, for the municipality in row `t`."""
        w = SIMILARITY_WEIGHTS
        c = self.country == geo.country[t]
        ub = c * w["country"] + (c & (self.region == geo.region[t])) * w["region"] \
            + (self.size == geo.size[t]) * w["size"]
        if self.lon is not None and not (np.isnan(geo.lon[t]) or np.isnan(geo.lat[t])):
            # only groups within NEAR_KM north-south can be near (the distance along a meridian
            # is at most the great-circle distance; a group without coordinates never is)
            g = np.flatnonzero(EARTH_KM * np.abs(self.lat - geo.lat[t]) - self.radius_km
                               < NEAR_KM + _MARGIN_KM)
            d = _haversine_km(geo.lon[t], geo.lat[t], geo.cos_lat[t], self.lon[g], self.lat[g],
                              self.cos_lat[g]) - self.radius_km[g] - _MARGIN_KM
            ub[g] += w["near"] * np.nan_to_num(np.clip(1 - d / NEAR_KM, 0, 1), nan=0.0)
        return ub + _MARGIN


@dataclass(frozen=True, eq=False)
class Grouped:
    """One candidate list sorted by group: `rows[starts[i]:starts[i + 1]]` are in group
    `ids[i]`."""

    rows: np.ndarray  # int32
    ids: np.ndarray  # int[n groups present]
    starts: np.ndarray  # int[n + 1]

    @classmethod
    def of(cls, rows: np.ndarray, groups: Groups) -> Grouped:
        g = groups.of[rows]
        order = np.argsort(g, kind="stable")
        ids, starts = np.unique(g[order], return_index=True)
        return cls(rows[order], ids, np.append(starts, len(rows)))


def shortlist(geo: Geo, profiles: Profiles, grouped: Grouped, ub: np.ndarray, t: int, k: int,
              scored: Scored | None = None) -> np.ndarray:
    """The rows of a grouped list (ascending, `t` left out) that can be among its k most similar
    to `t`. The rows of the best-bounded groups (FLOOR_GROUPS at most, until FLOOR_ROWS rows)
    are scored: the kth best similarity of any rows is a floor for the kth best of all (the
    best-bounded give a high one); a row whose group's attribute bound plus 0.2 (the most the
    profile part adds) is below that floor cannot reach it."""
    rows = grouped.rows
    u = ub[grouped.ids]
    counts = np.diff(grouped.starts)
    best = np.argpartition(-u, FLOOR_GROUPS)[:FLOOR_GROUPS] if len(u) > FLOOR_GROUPS \
        else np.arange(len(u))
    best = best[np.lexsort((best, -u[best]))]  # best bound first (ties: list order)
    best = best[:np.searchsorted(np.cumsum(counts[best]), FLOOR_ROWS) + 1]
    some = np.concatenate([rows[grouped.starts[i]:grouped.starts[i + 1]] for i in best])
    some = some[some != t].astype(np.intp)
    if len(some) < k:  # too few for a floor
        return np.sort(rows[rows != t])
    # the similarity of these rows, as `Similarity.score` computes it
    score = (scored or Scored(geo, profiles, t)).score(some)
    kth = float(np.partition(score, len(score) - k)[len(score) - k])
    keep = np.repeat(u >= kth - SIMILARITY_WEIGHTS["profile"] - _MARGIN, counts)
    out = rows[keep]
    return np.sort(out[out != t])


@dataclass(frozen=True, eq=False)
class Candidates:
    """Per element position j (one build, wave, helper level and `shown`): the rows that may be
    named as helpers (answered, known level >= need, shown) and as partners (answered, j in
    their first phase, known level, shown), ascending, with the totals before `shown`. The
    municipality asking is taken out per request (`who_can_help_indexed`)."""

    need: int
    helpers: tuple[np.ndarray, ...]  # int32 rows per element
    helpers_total: np.ndarray  # int[E]
    partners: tuple[np.ndarray, ...] | None  # None: no first phases
    partners_total: np.ndarray | None
    first_phase: np.ndarray | None  # int[M, P] as given (not copied): the asker's own next steps
    # the lists above sorted by group (`Grouped`, None: no geo given, or a list too short to
    # bound), for `shortlist`
    helpers_grouped: tuple[Grouped | None, ...] | None = None
    partners_grouped: tuple[Grouped | None, ...] | None = None

    @classmethod
    def of(cls, levels: np.ndarray, *, shown: np.ndarray, answered: np.ndarray,
           first_phase: np.ndarray | None = None, level_target: int = FULL,
           geo: Geo | None = None, short: int = SHORT) -> Candidates:
        """`geo`: group the lists longer than `short` rows, so a request scores only the
        groups that can hold a top-k row (`shortlist`)."""
        need = max(int(level_target), FULL)
        answered = np.asarray(answered, dtype=bool)
        shown = np.asarray(shown, dtype=bool)
        has = (levels >= need) & answered[:, None]  # bool[M, E]
        helpers = tuple(np.flatnonzero(has[:, j] & shown).astype(np.int32)
                        for j in range(levels.shape[1]))
        partners = p_total = None
        if first_phase is not None:
            flags = np.zeros(levels.shape, dtype=bool)
            idx = np.arange(len(levels))
            for c in range(first_phase.shape[1]):
                col = first_phase[:, c].astype(np.intp)
                ok = col >= 0
                flags[idx[ok], col[ok]] = True
            flags &= answered[:, None] & (levels >= 0)
            partners = tuple(np.flatnonzero(flags[:, j] & shown).astype(np.int32)
                             for j in range(levels.shape[1]))
            p_total = flags.sum(axis=0)
        h_grouped = p_grouped = None
        if geo is not None:
            def grouped(lists):
                return None if lists is None else tuple(
                    Grouped.of(a, geo.groups) if len(a) > short else None for a in lists)
            h_grouped, p_grouped = grouped(helpers), grouped(partners)
        return cls(need, helpers, has.sum(axis=0), partners, p_total, first_phase, h_grouped,
                   p_grouped)


def who_can_help_indexed(levels: np.ndarray, elements: Sequence[int],
                         element_ids: Sequence[str], target: int, geo: Geo, profiles: Profiles,
                         cand: Candidates, *, shown: np.ndarray, answered: np.ndarray,
                         k: int = DEFAULT_K) -> list[ElementHelp]:
    """`who_can_help` from a build's `Candidates` (same answer): only the candidates of the
    elements asked are scored."""
    t = int(target)
    bounds: list[np.ndarray] = []  # the groups' bounds, made when a list is long
    done = Scored(geo, profiles, t)

    def scored(rows: np.ndarray, grouped: Grouped | None) -> np.ndarray:
        """The rows to score: all (t left out), or the shortlist of a grouped list."""
        if grouped is None:
            return rows[rows != t]
        if not bounds:
            bounds.append(geo.groups.upper_bounds(geo, t))
        return shortlist(geo, profiles, grouped, bounds[0], t, k, done)

    def grouped_of(lists, j):
        return None if lists is None else lists[j]
    full = [(cand.helpers[j], cand.partners[j] if cand.partners is not None else None)
            for j in elements]
    mine = [(scored(h, grouped_of(cand.helpers_grouped, j)),
             None if p is None else scored(p, grouped_of(cand.partners_grouped, j)))
            for j, (h, p) in zip(elements, full, strict=True)]
    every = np.zeros(len(levels), dtype=bool)  # their union (np.unique hashes: slower)
    for pair in mine:
        for a in pair:
            if a is not None:
                every[a] = True
    every[t] = False
    done.fill(np.flatnonzero(every))
    sim = done.similarity()
    me_answered, me_shown = bool(answered[t]), bool(shown[t])
    out = []
    for j, (h_rows, p_rows), (h_some, p_some) in zip(elements, full, mine, strict=True):
        col = levels[:, j]
        me_has = me_answered and bool(col[t] >= cand.need)  # not its own helper
        helpers = top_rows(sim, h_some, k, col)
        total = int(cand.helpers_total[j]) - me_has
        named = len(h_rows) - (me_has and me_shown)
        partners: tuple[Match, ...] = ()
        p_total = p_hidden = None
        if p_rows is not None:
            me_next = me_answered and bool(col[t] >= 0) and bool((cand.first_phase[t] == j).any())
            partners = top_rows(sim, p_some, k, col)
            p_total = int(cand.partners_total[j]) - me_next
            p_hidden = p_total - (len(p_rows) - (me_next and me_shown))
        out.append(ElementHelp(element_ids[j], helpers, total, total - named, partners,
                               p_total, p_hidden))
    return out
