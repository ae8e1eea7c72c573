"""The Legislation view's selections and counts, shared with the laws API (pure: no Dash).

The readiness engine (pipelines/maturity/readiness.py) does the work; this module assembles its
inputs from a published build and caches what is static per build:
- `inputs(ctx)` (dashboard/laws.py): the engine's static inputs from the framework (per
  framework checksum);
- `base(ctx, snap)`: the latest wave's levels in framework element order, which municipalities
  answered it, and every condition resolved without overrides (`resolve_population`), per build;
- `subset(...)`: the rows of a selection (EU / country / NUTS 2 / size class) that answered, with
  their levels and condition table sliced once per (build, selection);
- `intervals(...)` / `population(...)`: a selection's counts per law and deadline interval (a
  law's readiness changes only on its deadlines), so that any date and horizon is a binary
  search, not a run over every municipality.

Aggregates count the municipalities that answered the latest wave (a municipality without answers
would be "unknown" for every law and say nothing about readiness). A law that does not apply to a
municipality, or asks nothing of it yet, is neither ready nor not ready: ready shares are taken
over the municipalities where something of the law counts (`public_counts`).

The default horizon is every deadline (`ALL_DEADLINES`): each requirement that applies counts,
against its own deadline, so that a law due next year is not "ready" today because nothing is due
yet. "Due by a date" (horizon 0, or N days) is the other choice.

The tables built on these are in data_tables.py, facts about laws and conditions in
data_laws.py, one municipality in data_municipality.py and the draft law in data_draft.py.
"""

from __future__ import annotations

import datetime as dt
import threading
from dataclasses import dataclass
from typing import Any

import numpy as np

from dashboard import laws
from dashboard.context import AppContext
from dashboard.laws import DEFAULT_HORIZON, inputs
from dashboard.lru import Lru
from dashboard.store import Snapshot
from dashboard.views.legislation.data_laws import country_conditions
from pipelines.disclosure import area_of
from pipelines.maturity.cube import MISSING
from pipelines.maturity.readiness import (
    ALL_DEADLINES,
    ConditionTable,
    ReadinessInputs,
    cutoff,
    cutoff_interval,
    cutoff_points,
    interval_cutoff,
    lacking_rows,
    population_readiness,
    resolve_population,
    status_summary,
)
from pipelines.reference import SIZE_CLASS_KEYS, SIZE_CLASSES

ALL = "all"  # the horizon's value in URLs and the API for ALL_DEADLINES
MAX_HORIZON = 3650

_LOCK = threading.RLock()
_CACHE: dict[tuple, Any] = {}
# Regions and size classes: a few of many, kept while used. The EU and each whole country are
# kept for the build instead (`_per_selection`).
_INTERVALS = Lru(64)  # a selection's counts per deadline interval, per build
_SUBSETS = Lru(64)  # a selection's rows and condition table per build
_COUNTRY_GROUPS = Lru(64)  # a selection's answering rows grouped by country, per build


def _cached(key: tuple, build):
    value = _CACHE.get(key)
    if value is None:
        with _LOCK:
            value = _CACHE.get(key)
            if value is None:
                if key[0] == "build":  # drop the values of an older build
                    for k in [k for k in _CACHE if k[0] == "build" and k[1] != key[1]]:
                        del _CACHE[k]
                value = _CACHE[key] = build()
    return value


def _per_selection(ctx: AppContext, snap: Snapshot, sel: Selection, name: str, lru: Lru, build):
    """A selection's value: the EU's, each whole country's and each size class of the EU's
    kept for the build, made in the master before the fork (`warm_intervals`) and shared by the
    workers; any other selection in `lru`. Measured: with every selection in one 64-entry LRU,
    the benchmark's page visits (regions and size classes) pushed the EU out, and the first
    draft-law what-if for all EU after them made its rows, levels and country groups again in
    the worker (19 ms against a p95 of 6); a size class of the EU made on a visit cost up to
    45 ms (the smallest class, ~40 % of the EU)."""
    if kept_for_build(ctx, snap, sel):
        return _cached(("build", snap.build_id, name, sel.key()), build)
    return lru.get((snap.build_id, sel.key()), build)


def kept_for_build(ctx: AppContext, snap: Snapshot, sel: Selection) -> bool:
    """The EU, a country of the build, or a size class of the EU (a few dozen selections)."""
    if sel.nuts2 is not None or (sel.country is not None and sel.size_class is not None):
        return False
    if sel.country is not None:
        return sel.country in country_codes(ctx, snap)
    return sel.size_class is None or sel.size_class in SIZE_CLASS_KEYS


def clear_caches() -> None:
    """Forget every kept value (tests; a new build replaces its own)."""
    with _LOCK:
        _CACHE.clear()
    for lru in (_INTERVALS, _SUBSETS, _COUNTRY_GROUPS):
        lru.clear()


# ------------------------------------------------------------------ per build


@dataclass(frozen=True)
class Base:
    wave: str
    levels: np.ndarray  # int8[M, E] latest wave, framework element order
    answered: np.ndarray  # bool[M]
    countries: np.ndarray  # str[M]
    nuts2: np.ndarray  # str[M]
    size_class: np.ndarray  # str[M]
    population: np.ndarray  # float[M]
    table: ConditionTable  # no overrides


def base(ctx: AppContext, snap: Snapshot) -> Base:
    def build() -> Base:
        ref = ctx.municipalities
        w = len(snap.waves) - 1
        lv = snap.maturity.wave_levels(w, ctx.framework.element_ids)
        # fixed-width str arrays, not objects: shared by gunicorn's workers (dashboard/warmup.py)
        countries = ref["country"].astype(str).to_numpy(dtype=str)
        pop = ref["population"].to_numpy(dtype=np.float64, na_value=np.nan)
        table = resolve_population(inputs(ctx), countries, pop)
        return Base(snap.waves[w], lv, (lv != MISSING).any(axis=1), countries,
                    ref["nuts2"].astype(str).to_numpy(dtype=str),
                    ref["size_class"].astype(str).to_numpy(dtype=str),
                    pop, table)
    return _cached(("build", snap.build_id, "base"), build)


def country_codes(ctx: AppContext, snap: Snapshot) -> frozenset[str]:
    """The build's country codes (a bound on the selections kept for the build)."""
    return _cached(("build", snap.build_id, "country codes"),
                   lambda: frozenset(np.unique(base(ctx, snap).countries).tolist()))


@dataclass(frozen=True)
class Selection:
    country: str | None = None
    nuts2: str | None = None
    size_class: str | None = None

    def key(self) -> tuple:
        return (self.country, self.nuts2, self.size_class)

    @property
    def group_field(self) -> str:
        """Regions of the heatmap: countries at EU level, NUTS 2 within a country."""
        return "nuts2" if self.country else "country"


def published(ctx: AppContext, snap: Snapshot, sel: Selection) -> bool:
    """May statistics of this selection's answering municipalities be shown (latest wave)?"""
    return snap.published(base(ctx, snap).wave, *area_of(sel.country, sel.nuts2, sel.size_class))


def region_published(ctx: AppContext, snap: Snapshot, sel: Selection, code: str) -> bool:
    """A region of the selection's breakdown (a country, or a NUTS 2 region in a country),
    with the selection's size class: an area of the hierarchy too."""
    if sel.group_field == "country":
        return snap.published(base(ctx, snap).wave, *area_of(code, None, sel.size_class))
    return snap.published(base(ctx, snap).wave, *area_of(None, code, sel.size_class))


# A draft law's population threshold applies at a size-class bound: "more than 30,000" could be
# moved one inhabitant at a time to single out a municipality (its population is public), while
# the size-class bounds only ever split a selection into areas the disclosure pattern knows.
THRESHOLD_BOUNDS = tuple(c.lower for c in SIZE_CLASSES if c.lower)


def snap_threshold(value) -> int | None:
    """The size-class bound nearest to a population threshold (ties to the lower bound);
    None for none. The draft then applies to municipalities of at least that many inhabitants
    (population_above = bound - 1)."""
    if value is None or str(value).strip() == "":
        return None
    v = float(value)
    return min(THRESHOLD_BOUNDS, key=lambda b: (abs(b - v), b))


def threshold_published(ctx: AppContext, snap: Snapshot, sel: Selection, bound: int | None,
                        region: str | None = None) -> bool:
    """With a threshold, a draft's counts are over the size classes from `bound` up, inside the
    selection (or one of its regions): each of those areas must be published, so the counts are
    sums of publishable areas."""
    if bound is None:
        return True
    wave = base(ctx, snap).wave
    country, nuts2 = (sel.country, sel.nuts2)
    if region is not None:
        country, nuts2 = (region, None) if sel.group_field == "country" else (sel.country, region)
    sizes = [c.key for c in SIZE_CLASSES if c.lower is not None and c.lower >= bound]
    if sel.size_class:
        sizes = [sel.size_class] if sel.size_class in sizes else []
    return all(snap.published(wave, *area_of(country, nuts2, s)) for s in sizes)


def selection_mask(b: Base, sel: Selection) -> np.ndarray:
    mask = np.ones(len(b.countries), dtype=bool)
    if sel.country:
        mask &= b.countries == sel.country
    if sel.nuts2:
        mask &= b.nuts2 == sel.nuts2
    if sel.size_class:
        mask &= b.size_class == sel.size_class
    return mask


@dataclass(frozen=True)
class Subset:
    rows: np.ndarray  # int[n] reference rows (answered, in the selection)
    n_selected: int  # municipalities in the selection, answered or not
    # int8[n, E] in column order: the readiness core reads it transposed (element rows), and a
    # C-ordered copy cost a transposing copy per what-if (~1 ms for all EU)
    levels: np.ndarray
    table: ConditionTable


def slice_table(table: ConditionTable, rows: np.ndarray) -> ConditionTable:
    return table.take(rows)


def subset(ctx: AppContext, snap: Snapshot, sel: Selection) -> Subset:
    def build() -> Subset:
        b = base(ctx, snap)
        mask = selection_mask(b, sel)
        rows = np.flatnonzero(mask & b.answered)
        return Subset(rows, int(mask.sum()), np.asfortranarray(b.levels[rows]),
                      slice_table(b.table, rows))
    return _per_selection(ctx, snap, sel, "subset", _SUBSETS, build)


def country_groups(ctx: AppContext, snap: Snapshot, sel: Selection) -> tuple[np.ndarray, np.ndarray]:
    """The countries of the selection's answering municipalities (sorted) and each of its rows'
    index into them: np.unique over ~60,000 country codes was ~2 ms of every what-if for all EU.
    Shared between requests: never change them."""
    def build() -> tuple[np.ndarray, np.ndarray]:
        rows = subset(ctx, snap, sel).rows
        return np.unique(base(ctx, snap).countries[rows], return_inverse=True)
    return _per_selection(ctx, snap, sel, "country groups", _COUNTRY_GROUPS, build)


# ------------------------------------------------------------------ readiness per deadline interval
#
# A law's readiness changes only on its deadlines (a requirement's date, a member state's date,
# the date a recommendation takes effect): between two of them every evaluation date gives the
# same counts. So per build, selection and law the counts the page and the API show are made once
# per interval between consecutive deadlines (`cutoff_points`), and a date finds its interval by
# binary search: a new date no longer recomputes the readiness of every municipality (~90 ms at
# EU size). The whole EU is filled in the master before the fork (`warm_intervals`, one run per
# law and interval: 57 at EU size, 0.3 s); any other selection fills the intervals a date falls
# in the first time, in one run at that date for the laws that lack theirs.


@dataclass(frozen=True)
class LawCounts:
    """One law over one selection in one deadline interval: what the answers show of it."""

    status: np.ndarray  # int64[N_STATUS] municipalities per legal status code
    ambition: np.ndarray  # int64[N_STATUS] per ambition status code
    gap_counts: np.ndarray  # int64[E] with a known gap on each element (legal)
    unknown_counts: np.ndarray  # int64[E] with an unknown level on it (where it counts)
    regions: np.ndarray  # int64[G, N_STATUS] per region of the selection's breakdown


class Intervals:
    """A selection's counts per law and deadline interval (filled as dates come), per build."""

    def __init__(self, ctx: AppContext, snap: Snapshot, sel: Selection):
        self.inp = inputs(ctx)
        self.sub = subset(ctx, snap, sel)
        b = base(ctx, snap)
        field = (b.countries if sel.group_field == "country" else b.nuts2)[self.sub.rows]
        if len(field):
            codes, inv = np.unique(field, return_inverse=True)
        else:
            codes, inv = np.array([], dtype=str), np.array([], dtype=np.int64)
        self.regions = tuple(str(c) for c in codes)  # the heatmap's columns, sorted
        self.region_index = inv.reshape(-1)
        self.region_sizes = np.bincount(self.region_index, minlength=len(codes))
        self.points = {lid: cutoff_points(self.inp, self.sub.table, lid)
                       for lid in self.inp.law_ids}
        self._counts: dict[tuple[str, int], LawCounts] = {}
        self._conditions: dict | None = None

    def interval(self, law_id: str, cut: dt.date) -> int:
        return cutoff_interval(self.points[law_id], cut)

    def counts(self, law_id: str, k: int) -> LawCounts:
        value = self._counts.get((law_id, k))
        if value is None:  # two threads may both compute it: the same value, no lock needed
            value = self._counts[(law_id, k)] = self._compute(law_id, k)
        return value

    def _compute(self, law_id: str, k: int) -> LawCounts:
        res = population_readiness(self.inp, self.sub.levels, self.sub.table,
                                   at=interval_cutoff(self.points[law_id], k), horizon_days=0,
                                   laws=[law_id])
        return self._law_counts(res, law_id)

    def _law_counts(self, res, law_id: str) -> LawCounts:
        li = res.column(law_id)
        return LawCounts(res.counts(law_id), res.ambition_counts(law_id),
                         res.gap_counts[li].astype(np.int64),
                         res.unknown_counts[li].astype(np.int64),
                         res.by_group(law_id, self.region_index, len(self.regions)))

    def at_cutoff(self, cut: dt.date) -> dict[str, tuple[int, LawCounts]]:
        """Each law's (interval, counts) at cutoff `cut`. The laws whose interval is not made
        yet are computed in one run at `cut` itself (it lies in each of their intervals), not
        one run per law: a new selection costs what one date cost before."""
        ks = {lid: self.interval(lid, cut) for lid in self.inp.law_ids}
        missing = [lid for lid, k in ks.items() if (lid, k) not in self._counts]
        if missing:
            res = population_readiness(
                self.inp, self.sub.levels, self.sub.table, at=cut, horizon_days=0,
                laws=None if len(missing) == len(ks) else missing)
            for lid in missing:
                self._counts.setdefault((lid, ks[lid]), self._law_counts(res, lid))
        return {lid: (k, self._counts[(lid, k)]) for lid, k in ks.items()}

    def fill(self) -> None:
        """Every interval of every law (the master's warm-up)."""
        for law_id, points in self.points.items():
            for k in range(len(points) + 1):
                self.counts(law_id, k)

    def conditions(self) -> dict[str, dict]:
        """Every condition resolved per country of the selection (date-independent; ~13 ms at
        EU size when made per request)."""
        if self._conditions is None:
            self._conditions = country_conditions(self.inp, self.sub.table.countries)
        return self._conditions


@dataclass(frozen=True)
class SelectionReadiness:
    """The readiness of a selection at one date and horizon, as counts per law (the same
    `counts`, `ambition_counts`, `lacking` as PopulationReadiness gives for the selection's rows;
    `by_region`: per region of the selection's breakdown, `regions`)."""

    law_ids: tuple[str, ...]
    element_ids: tuple[str, ...]
    at: dt.date
    cutoff: dt.date
    regions: tuple[str, ...]
    region_sizes: np.ndarray
    laws: dict[str, LawCounts]
    # each law's deadline interval: equal tuples, equal counts (a key for what is made of them)
    intervals: tuple[int, ...]

    def column(self, law_id: str) -> int:
        return self.law_ids.index(law_id)

    def counts(self, law_id: str) -> np.ndarray:
        return self.laws[law_id].status

    def ambition_counts(self, law_id: str) -> np.ndarray:
        return self.laws[law_id].ambition

    def by_region(self, law_id: str) -> np.ndarray:
        return self.laws[law_id].regions

    def lacking(self, law_id: str) -> list[tuple[str, int, int]]:
        c = self.laws[law_id]
        return lacking_rows(self.element_ids, c.gap_counts, c.unknown_counts)


def intervals(ctx: AppContext, snap: Snapshot, sel: Selection) -> Intervals:
    return _per_selection(ctx, snap, sel, "intervals", _INTERVALS,
                          lambda: Intervals(ctx, snap, sel))


def population(ctx: AppContext, snap: Snapshot, sel: Selection, at: dt.date,
               horizon: int | None) -> tuple[Subset, SelectionReadiness]:
    """The selection's readiness at `at` with `horizon`: each law's counts of the deadline
    interval its cutoff falls in."""
    iv = intervals(ctx, snap, sel)
    cut = cutoff(at, horizon)
    got = iv.at_cutoff(cut)
    return iv.sub, SelectionReadiness(iv.inp.law_ids, iv.inp.element_ids, at, cut, iv.regions,
                                      iv.region_sizes, {lid: c for lid, (_, c) in got.items()},
                                      tuple(k for k, _ in got.values()))


def selection_conditions(ctx: AppContext, snap: Snapshot, sel: Selection) -> dict[str, dict]:
    """`country_conditions` of the selection's answering municipalities, once per build."""
    return intervals(ctx, snap, sel).conditions()


def warm_countries(b: Base) -> list[str]:
    """The countries with answers in the latest wave: the selections warmed besides the EU."""
    return sorted(set(np.unique(b.countries[b.answered]).tolist()))


def warm_sizes(b: Base) -> list[str]:
    """The size classes with answers in the latest wave: each warmed for the whole EU."""
    return sorted(set(np.unique(b.size_class[b.answered]).tolist()) & set(SIZE_CLASS_KEYS))


def warm_intervals(ctx: AppContext) -> None:
    """Before the first request (dashboard/warmup.py): every deadline interval of the whole EU,
    the selection the laws API and the page open with, of each country with answers (a
    country's first aggregate otherwise made its rows, conditions and counts on a visitor's
    request: 10-30 ms at EU size, up to ~55 ms in the benchmark's check run; all 35 countries
    take ~0.5 s) and of each size class of the EU (9-45 ms each on a first visit at EU size).
    All are kept for the build (`kept_for_build`)."""
    snap = ctx.warehouse.snapshot()
    if snap is None or not snap.waves:
        return
    b = base(ctx, snap)
    for sel in [Selection(), *(Selection(country=c) for c in warm_countries(b)),
                *(Selection(size_class=s) for s in warm_sizes(b))]:
        iv = intervals(ctx, snap, sel)
        iv.fill()
        iv.conditions()


# ------------------------------------------------------------------ parsing (page and API)


def parse_at(value: Any) -> dt.date:
    """An evaluation date: YYYY-MM-DD, or today's date when empty. ValueError otherwise."""
    if value is None or str(value).strip() == "":
        return laws.today()
    try:
        return dt.date.fromisoformat(str(value).strip())
    except ValueError:
        raise ValueError(f"{value!r} is not a date (YYYY-MM-DD)") from None


def parse_horizon(value: Any, default: int | None = DEFAULT_HORIZON) -> int | None:
    """A horizon: "all" (every deadline: None), or days after the evaluation date (0-3650)."""
    if value is None or str(value).strip() == "":
        return default
    v = str(value).strip().lower()
    if v == ALL:
        return ALL_DEADLINES
    if not v.isdigit() or int(v) > MAX_HORIZON:
        raise ValueError(f"{value!r} is not 'all' or a number of days from 0 to {MAX_HORIZON}")
    return int(v)


def horizon_text(horizon: int | None) -> str:
    """The horizon as URLs and the API write it."""
    return ALL if horizon is ALL_DEADLINES else str(int(horizon))


# ------------------------------------------------------------------ what may be published


COUNT_KEYS = ("applies", "not_applicable", "not_due", "due", "ready", "not_ready", "unknown")


def public_counts(counts, min_group: int, published: bool = True) -> dict[str, Any]:
    """Readiness counts of one law over one group of answering municipalities (counts per status
    code), as they may be shown: nothing when the group is below `min_group` or the disclosure
    pattern does not publish its area (`published`); who the law applies to (from reference data
    and conditions, not from answers) but no ready / not ready / unknown when fewer than
    `min_group` have something due, so that a law applying to two municipalities of a large
    selection does not show their readiness. `share_ready` = ready / due."""
    s = status_summary(counts)
    small_group = s["municipalities"] < min_group or not published
    small_due = small_group or s["due"] < min_group
    out: dict[str, Any] = {"municipalities": s["municipalities"], "suppressed": small_due,
                           "suppressed_group": small_group}
    for k in ("applies", "not_applicable", "not_due", "due"):
        out[k] = None if small_group else s[k]
    for k in ("ready", "not_ready", "unknown"):
        out[k] = None if small_due else s[k]
    out["share_ready"] = None if small_due else s["share_ready"]
    return out



def law_short(inp: ReadinessInputs, law_id: str) -> str:
    """A law's Dutch (or only) short name; the pages show `dashboard.laws.law_short` with the
    page's language."""
    return laws.law_short(inp, law_id)
