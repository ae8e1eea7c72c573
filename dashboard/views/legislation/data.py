"""Inputs and pure helpers of the Legislation tab and the laws API (no Dash callbacks here).

The readiness engine (pipelines/maturity/readiness.py) does the work; this module assembles its
inputs from a published build and caches what is static per build:
- `inputs(ctx)`: the engine's static inputs from the framework (per framework checksum);
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
"""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from dashboard import laws
from dashboard.context import AppContext
from dashboard.laws import DEFAULT_HORIZON, inputs
from dashboard.lru import Lru
from dashboard.store import Snapshot
from pipelines.disclosure import area_of
from pipelines.maturity.cube import MISSING
from pipelines.maturity.readiness import (
    ALL_DEADLINES,
    N_STATUS,
    ConditionTable,
    PopulationReadiness,
    ReadinessInputs,
    population_readiness,
    resolve_municipality,
    resolve_population,
    status_summary,
)
from pipelines.reference import SIZE_CLASSES

ALL = "all"  # the horizon's value in URLs and the API for ALL_DEADLINES
MAX_HORIZON = 3650
DUE_WINDOW = 365  # "due in the next 12 months"
NIS2_CHOICES = ("all", "threshold", "none", "pending")

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


# ------------------------------------------------------------------ law facts


def law_name(law, lang: str) -> str:
    return law.name.get(lang) if hasattr(law.name, "get") else str(law.name)


def law_short(inp: ReadinessInputs, law_id: str) -> str:
    """What the page shows for a law id (AI_ACT -> "AI Act"): the law file's short name, as
    the policy and knowledge pages show it; the id itself for a law the framework lacks."""
    return inp.law(law_id).short if law_id in inp.law_ids else law_id


def condition_label(ctx: AppContext, cid: str, lang: str) -> str:
    """What the page shows for a condition id: its description in conditions.yaml, without the
    final full stop (competent_for_annex_ii_procedure -> "The municipality is competent for
    ..."); the id itself for an unknown condition."""
    for c in ctx.framework.conditions:
        if c.id == cid:
            return c.description.get(lang).rstrip(". ")
    return cid


def element_label(ctx: AppContext, eid: str, lang: str) -> str:
    """An element code with its name, "SEC-01 · Information security policy"."""
    el = ctx.framework.element_by_id.get(eid)
    return f"{eid} · {el.name.get(lang)}" if el is not None else eid


def law_deadlines(inp: ReadinessInputs, law, country: str | None) -> list[tuple[dt.date, bool]]:
    """(deadline, unverified) of a law's requirements; a member-state date for `country` (the
    default member-state entry at EU level). Sorted, distinct."""
    cond = resolve_municipality(inp, country or "--")
    out: dict[dt.date, bool] = {}
    for r in law.requirements:
        ref = cond[r.deadline_ref] if r.deadline is None else None
        d = r.deadline if ref is None else ref.value
        if d is not None:
            out[d] = out.get(d, False) or r.confidence == "check" or (
                ref is not None and ref.confidence == "check")
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
    """A fact of the law file itself (law or requirement) is not confirmed by a primary source."""
    return law.confidence == "check" or any(r.confidence == "check" for r in law.requirements)


def country_conditions(inp: ReadinessInputs, countries) -> dict[str, dict]:
    """Every condition resolved per country (no municipality attributes): member-state facts."""
    return {c: resolve_municipality(inp, c) for c in sorted(set(countries))}


def unverified_countries(inp: ReadinessInputs, law, conditions: Mapping[str, Mapping]) -> list[str]:
    """The countries (keys of `conditions`, from `country_conditions`) whose member-state facts
    behind this law's figures are unconfirmed: the national date a deadline comes from
    (`deadline_ref`) or a member-state condition that decides whether a requirement applies
    (NIS2 scope). Framework rule 5: the Legislation tab says which figures rest on such a fact."""
    refs = {r.deadline_ref for r in law.requirements if r.deadline is None and r.deadline_ref}
    refs |= {r.applies_if for r in law.requirements
             if r.applies_if and inp.condition_source.get(r.applies_if) == "member_state"}
    return [c for c, cond in conditions.items()
            if any(cond[x].confidence == "check" for x in refs)]


LAW_TABLE_COLUMNS = ("law", "name", "law_status", "binding", "municipalities", *COUNT_KEYS,
                     "share_ready", "suppressed", "first_deadline", "next_deadline", "unverified",
                     "law_unverified", "unverified_countries", "ambition_due",
                     "ambition_share_met")


def law_table(ctx: AppContext, snap: Snapshot, sel: Selection, at: dt.date, horizon: int | None,
              lang: str) -> pd.DataFrame:
    """One row per law over the answered municipalities of the selection: to how many it
    applies, counts per status and the share ready among those where something counts
    (`public_counts`: None where suppressed), the next deadline and whether facts are
    unverified: the law file's own (`unverified`) or the member-state facts of the selection's
    countries (`unverified_countries`). Only legal duties count for readiness; the
    recommendations (ambition) have their own due count and share met, shown apart. Counts are
    nullable integers (a suppressed count is <NA>, never NaN)."""
    inp = inputs(ctx)
    sub, res = population(ctx, snap, sel, at, horizon)
    conds = country_conditions(inp, base(ctx, snap).countries[sub.rows])
    rows = []
    for law_id in res.law_ids:
        law = inp.law(law_id)
        ok = published(ctx, snap, sel)
        c = public_counts(np.bincount(res.status[:, res.column(law_id)], minlength=N_STATUS),
                          ctx.settings.min_group, ok)
        a = public_counts(np.bincount(res.ambition_status[:, res.column(law_id)],
                                      minlength=N_STATUS), ctx.settings.min_group, ok)
        dls = law_deadlines(inp, law, sel.country)
        states = unverified_countries(inp, law, conds)
        upcoming = [d for d, _ in dls if d > at]
        rows.append({
            "law": law_id, "name": law_name(law, lang), "law_status": law.status,
            "binding": law.binding_on_municipalities, "municipalities": len(sub.rows),
            **{k: c[k] for k in COUNT_KEYS}, "share_ready": c["share_ready"],
            "suppressed": c["suppressed"],
            "first_deadline": dls[0][0].isoformat() if dls else None,
            "next_deadline": upcoming[0].isoformat() if upcoming else None,
            "unverified": unverified(law) or bool(states), "law_unverified": unverified(law),
            "unverified_countries": states,
            "ambition_due": a["due"], "ambition_share_met": a["share_ready"],
        })
    df = pd.DataFrame(rows, columns=list(LAW_TABLE_COLUMNS))
    for k in ("municipalities", *COUNT_KEYS, "ambition_due"):
        df[k] = df[k].astype("Int64")
    for k in ("share_ready", "ambition_share_met"):
        df[k] = df[k].astype("Float64")
    return df


def lacking_table(ctx: AppContext, res: PopulationReadiness, law_ids,
                  due: int | Mapping[str, Any], top: int = 3, lang: str = "en") -> pd.DataFrame:
    """Per law the elements that cause most non-readiness (known gaps, then unknown levels);
    `share_gap` is over the municipalities with something of the law due (`due`: per law, or
    one number for all)."""
    fw = ctx.framework
    out = []
    for law_id in law_ids:
        n = due.get(law_id) if isinstance(due, Mapping) else due
        n = None if n is None or pd.isna(n) else int(n)
        for element, gaps, unknown in res.lacking(law_id)[:top]:
            out.append({"law": law_id, "element": element,
                        "element_name": fw.element_by_id[element].name.get(lang),
                        "gap": gaps, "unknown": unknown,
                        "share_gap": gaps / n if n else None})
    return pd.DataFrame(out, columns=["law", "element", "element_name", "gap", "unknown",
                                      "share_gap"])


def heatmap_table(ctx: AppContext, snap: Snapshot, sel: Selection, at: dt.date,
                  horizon: int | None) -> pd.DataFrame:
    """Share ready per law (rows) and region (columns: countries, or NUTS 2 in a country) among
    the municipalities where something of the law counts; NaN where that is suppressed
    (`public_counts`) or where the law asks nothing of the region's municipalities. Why a cell
    is empty is in attrs["state"] (same shape: "na" does not apply, "not_due" nothing due yet,
    "suppressed" too few, "" a share)."""
    sub, res = population(ctx, snap, sel, at, horizon)
    b = base(ctx, snap)
    field = b.countries if sel.group_field == "country" else b.nuts2
    regions = field[sub.rows]
    if len(regions):
        codes, inv = np.unique(regions, return_inverse=True)
    else:
        codes, inv = np.array([]), np.array([], int)
    counts = np.bincount(inv, minlength=len(codes)) if len(codes) else np.array([], int)
    names = [str(c) for c in codes]
    data, state = {}, {}
    shown = [region_published(ctx, snap, sel, c) for c in names]
    for law_id in res.law_ids:
        g = res.by_group(law_id, inv, len(codes)) if len(codes) else np.zeros((0, N_STATUS), int)
        cells = [public_counts(row, ctx.settings.min_group, ok)
                 for row, ok in zip(g, shown, strict=True)]
        data[law_id] = [np.nan if c["share_ready"] is None else c["share_ready"] for c in cells]
        state[law_id] = [
            "suppressed" if c["suppressed_group"] else "na" if c["applies"] == 0 else
            "not_due" if c["due"] == 0 else "suppressed" if c["suppressed"] else ""
            for c in cells]
    df = pd.DataFrame(data, index=names, dtype=float).T
    df.attrs["counts"] = dict(zip(names, counts.tolist(), strict=True))
    df.attrs["state"] = pd.DataFrame(state, index=names).T
    return df


HEAT_NOTES = {"na": "not applicable", "not_due": "nothing due yet",
              "suppressed": "fewer than min_group: not shown", "": ""}


def heatmap_long(hm: pd.DataFrame) -> pd.DataFrame:
    """The heatmap as a CSV-ready long table: one row per law and area with the share ready
    and, where there is none, why (a blank share never stands for 0 % or 100 %)."""
    state = hm.attrs.get("state")
    rows = [{"law": law, "area": area, "municipalities": hm.attrs["counts"].get(area),
             "share_ready": None if pd.isna(hm.at[law, area]) else round(float(hm.at[law, area]), 4),
             "note": HEAT_NOTES[state.at[law, area]] if state is not None else ""}
            for law in hm.index for area in hm.columns]
    return pd.DataFrame(rows, columns=["law", "area", "municipalities", "share_ready", "note"])


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
