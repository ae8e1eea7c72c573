"""The Legislation view's selections and counts, shared with the laws API (pure: no Dash).

The readiness engine (pipelines/maturity/readiness.py) does the work; this module assembles its
inputs from a published build and caches what is static per build:
- `inputs(ctx)` (dashboard/laws.py): the engine's static inputs from the framework (per
  framework checksum);
- `base(ctx, snap)`: the latest wave's levels in framework element order, which municipalities
  answered it, and every condition resolved without overrides (`resolve_population`), per build;
- `subset(...)`: the rows of a selection (EU / country / NUTS 2 / size class) that answered, with
  their levels and condition table sliced once per (build, selection).

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
from pipelines.disclosure import area_of
from pipelines.maturity.cube import MISSING
from pipelines.maturity.readiness import (
    ALL_DEADLINES,
    ConditionTable,
    PopulationReadiness,
    ReadinessInputs,
    population_readiness,
    resolve_population,
    status_summary,
)
from pipelines.reference import SIZE_CLASSES

ALL = "all"  # the horizon's value in URLs and the API for ALL_DEADLINES
MAX_HORIZON = 3650

_LOCK = threading.RLock()
_CACHE: dict[tuple, Any] = {}
_RESULTS = Lru(32)  # population runs per build, date, horizon and selection
_SUBSETS = Lru(64)  # a selection's rows and condition table per build


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
    levels: np.ndarray
    table: ConditionTable


def slice_table(table: ConditionTable, rows: np.ndarray) -> ConditionTable:
    return table.take(rows)


def subset(ctx: AppContext, snap: Snapshot, sel: Selection) -> Subset:
    def build() -> Subset:
        b = base(ctx, snap)
        mask = selection_mask(b, sel)
        rows = np.flatnonzero(mask & b.answered)
        return Subset(rows, int(mask.sum()), np.ascontiguousarray(b.levels[rows]),
                      slice_table(b.table, rows))
    return _SUBSETS.get((snap.build_id, sel.key()), build)


def population(ctx: AppContext, snap: Snapshot, sel: Selection, at: dt.date,
               horizon: int) -> tuple[Subset, PopulationReadiness]:
    sub = subset(ctx, snap, sel)
    res = _RESULTS.get((snap.build_id, sel.key(), at, horizon), lambda: population_readiness(
        inputs(ctx), sub.levels, sub.table, at=at, horizon_days=horizon))
    return sub, res


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
