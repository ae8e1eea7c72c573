"""Inputs and pure helpers of the Legislation tab and the laws API (no Dash callbacks here).

The readiness engine (pipelines/maturity/readiness.py) does the work; this module assembles its
inputs from a published build and caches what is static per build:
- `inputs(ctx)`: the engine's static inputs from the framework (per framework checksum);
- `base(ctx, snap)`: the latest wave's levels in framework element order, which municipalities
  answered it, and every condition resolved without overrides (`resolve_population`), per build;
- `subset(...)`: the rows of a selection (EU / country / NUTS 2 / size class) that answered, with
  their levels and condition table sliced once per (build, selection).

Aggregates count the municipalities that answered the latest wave (a municipality without answers
would be "unknown" for every law and say nothing about readiness). "Ready" includes municipalities
for which nothing of the law counts yet (not applicable), as the engine's `ready_total`.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from dashboard.context import AppContext
from dashboard.lru import Lru
from dashboard.store import Snapshot
from pipelines.maturity.cube import MISSING
from pipelines.maturity.readiness import (
    ConditionTable,
    PopulationReadiness,
    ReadinessInputs,
    population_readiness,
    readiness_inputs,
    resolve_municipality,
    resolve_population,
)

DEFAULT_HORIZON = 365
MAX_HORIZON = 3650
DUE_WINDOW = 365  # "due in the next 12 months"
NIS2_CHOICES = ("all", "threshold", "none", "pending")

_LOCK = threading.RLock()
_CACHE: dict[tuple, Any] = {}
_RESULTS = Lru(32)  # population runs per build, date, horizon and selection


def today() -> dt.date:
    """The default evaluation date (one place, so that tests can monkeypatch it)."""
    return dt.date.today()


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


def inputs(ctx: AppContext) -> ReadinessInputs:
    fw = ctx.framework
    return _cached(("fw", fw.checksum, "inputs"), lambda: readiness_inputs(fw))


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
        countries = ref["country"].astype(str).to_numpy()
        pop = ref["population"].to_numpy(dtype=np.float64, na_value=np.nan)
        table = resolve_population(inputs(ctx), countries, pop)
        return Base(snap.waves[w], lv, (lv != MISSING).any(axis=1), countries,
                    ref["nuts2"].astype(str).to_numpy(), ref["size_class"].astype(str).to_numpy(),
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
    return ConditionTable(table.countries[rows], table.population[rows], table.bools[:, rows],
                          table.dates[:, rows], table.bool_origin[:, rows], table.date_origin[:, rows])


def subset(ctx: AppContext, snap: Snapshot, sel: Selection) -> Subset:
    def build() -> Subset:
        b = base(ctx, snap)
        mask = selection_mask(b, sel)
        rows = np.flatnonzero(mask & b.answered)
        return Subset(rows, int(mask.sum()), np.ascontiguousarray(b.levels[rows]),
                      slice_table(b.table, rows))
    return _cached(("build", snap.build_id, "subset", sel.key()), build)


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
        return today()
    try:
        return dt.date.fromisoformat(str(value).strip())
    except ValueError:
        raise ValueError(f"{value!r} is not a date (YYYY-MM-DD)") from None


def parse_horizon(value: Any, default: int = DEFAULT_HORIZON) -> int:
    if value is None or str(value).strip() == "":
        return default
    v = str(value).strip()
    if not v.isdigit() or int(v) > MAX_HORIZON:
        raise ValueError(f"{value!r} is not a number of days from 0 to {MAX_HORIZON}")
    return int(v)


# ------------------------------------------------------------------ law facts


def law_name(law, lang: str) -> str:
    return law.name.get(lang) if hasattr(law.name, "get") else str(law.name)


def law_deadlines(inp: ReadinessInputs, law, country: str | None) -> list[tuple[dt.date, bool]]:
    """(deadline, unverified) of a law's requirements; a member-state date for `country` (the
    default member-state entry at EU level). Sorted, distinct."""
    cond = resolve_municipality(inp, country or "--")
    out: dict[dt.date, bool] = {}
    for r in law.requirements:
        d = r.deadline if r.deadline is not None else cond[r.deadline_ref].value
        if d is not None:
            out[d] = out.get(d, False) or r.confidence == "check"
    return sorted(out.items())


def timing(d: dt.date | None, at: dt.date) -> str:
    if d is None:
        return "no_date"
    if d <= at:
        return "overdue"
    if d <= at + dt.timedelta(days=DUE_WINDOW):
        return "due_12m"
    return "later"


def unverified(law) -> bool:
    return law.confidence == "check" or any(r.confidence == "check" for r in law.requirements)


def law_table(ctx: AppContext, snap: Snapshot, sel: Selection, at: dt.date, horizon: int,
              lang: str) -> pd.DataFrame:
    """One row per law: counts per status among the answered municipalities of the selection,
    the share ready (None when suppressed), the next deadline and whether facts are unverified."""
    inp = inputs(ctx)
    sub, res = population(ctx, snap, sel, at, horizon)
    n = len(sub.rows)
    suppressed = n < ctx.settings.min_group
    rows = []
    for law_id in res.law_ids:
        law = inp.law(law_id)
        s = res.summary(law_id)
        dls = law_deadlines(inp, law, sel.country)
        upcoming = [d for d, _ in dls if d > at]
        rows.append({
            "law": law_id, "name": law_name(law, lang), "law_status": law.status,
            "binding": law.binding_on_municipalities,
            "municipalities": n,
            "ready": None if suppressed else s["ready_total"],
            "not_applicable": None if suppressed else s["not_applicable"],
            "not_ready": None if suppressed else s["not_ready"],
            "unknown": None if suppressed else s["unknown"],
            "share_ready": None if suppressed or n == 0 else s["ready_total"] / n,
            "first_deadline": dls[0][0].isoformat() if dls else None,
            "next_deadline": upcoming[0].isoformat() if upcoming else None,
            "unverified": unverified(law),
        })
    return pd.DataFrame(rows)


def lacking_table(ctx: AppContext, res: PopulationReadiness, law_ids, n: int, top: int = 3,
                  lang: str = "en") -> pd.DataFrame:
    """Per law the elements that cause most non-readiness (known gaps, then unknown levels)."""
    fw = ctx.framework
    out = []
    for law_id in law_ids:
        for element, gaps, unknown in res.lacking(law_id)[:top]:
            out.append({"law": law_id, "element": element,
                        "element_name": fw.element_by_id[element].name.get(lang),
                        "gap": gaps, "unknown": unknown,
                        "share_gap": gaps / n if n else None})
    return pd.DataFrame(out, columns=["law", "element", "element_name", "gap", "unknown",
                                      "share_gap"])


def heatmap_table(ctx: AppContext, snap: Snapshot, sel: Selection, at: dt.date,
                  horizon: int) -> pd.DataFrame:
    """Share ready per law (rows) and region (columns: countries, or NUTS 2 in a country);
    NaN where fewer than min_group municipalities answered."""
    sub, res = population(ctx, snap, sel, at, horizon)
    b = base(ctx, snap)
    field = b.countries if sel.group_field == "country" else b.nuts2
    regions = field[sub.rows]
    if len(regions):
        codes, inv = np.unique(regions, return_inverse=True)
    else:
        codes, inv = np.array([]), np.array([], int)
    counts = np.bincount(inv, minlength=len(codes)) if len(codes) else np.array([], int)
    ok = counts >= ctx.settings.min_group
    data = {}
    for law_id in res.law_ids:
        g = res.by_group(law_id, inv, len(codes)) if len(codes) else np.zeros((0, 4), int)
        ready = g[:, 0] + g[:, 1]
        share = np.where(ok, ready / np.maximum(counts, 1), np.nan)
        data[law_id] = share
    df = pd.DataFrame(data, index=[str(c) for c in codes]).T
    df.attrs["counts"] = dict(zip([str(c) for c in codes], counts.tolist(), strict=True))
    return df


def condition_overrides(inp: ReadinessInputs, resolved: Mapping[str, Any], checked) -> dict:
    """Municipality-condition overrides from a checklist: only where it differs from the value
    without overrides (so that the origin of the others stays visible)."""
    checked = set(checked or [])
    out = {}
    for c in municipality_conditions(inp):
        want = c in checked
        if bool(resolved[c].value) != want:
            out[c] = want
    return out


def municipality_conditions(inp: ReadinessInputs) -> list[str]:
    return [c for c in inp.bool_conditions if inp.condition_source[c] == "municipality"]


def country_overrides(country: str, nis2: str | None) -> dict:
    if nis2 in NIS2_CHOICES and country:
        return {country: {"nis2_local_scope": nis2}}
    return {}
