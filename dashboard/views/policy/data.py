"""Policy, funding and lobby insight: the data behind /policy and /api/v1/insight/leverage.

No Dash here. Per published build (and process) the stored roadmaps (`Snapshot.roadmaps`) are
turned once into cells (`pipelines.maturity.policy.policy_cells`: country x NUTS 2 x size class),
after which every selection's first-phase counts, leverage table, bottleneck heatmaps and law
readiness are sums over cells (well under a millisecond each). The tables come out as
DataFrames, ready for the page, the CSV downloads and the API. What a selection is and how it is
read from controls and parameters: selection.py.

Law readiness (the lobby table) is the legislation-readiness engine's
(`pipelines.maturity.lobby`, `pipelines.maturity.readiness`), counted per cell: member-state
flags and dates per country, unknown levels apart from gaps, at the roadmaps' evaluation date
with the Legislation tab's default horizon, so that tab shows the same figures for that date.

Rules: only municipalities that answered in the roadmaps' wave count; a selection (or heatmap
column, or law) with fewer than `min_group` of them is suppressed; nothing names a municipality.
"""

from __future__ import annotations

import datetime as dt
import threading
from dataclasses import dataclass

import numpy as np
import pandas as pd

from dashboard.components.places import country_name, region_name
from dashboard.context import AppContext
from dashboard.laws import DEFAULT_HORIZON
from dashboard.store import Snapshot
from dashboard.views.policy.selection import Selection
from pipelines.disclosure import area_of
from pipelines.framework import Law
from pipelines.maturity.cube import MISSING
from pipelines.maturity.lobby import (
    LawReadiness,
    LobbyCounts,
    first_due_after,
    lobby_counts,
    lobby_table,
    not_evaluated,
)
from pipelines.maturity.policy import PolicyCells, policy_cells
from pipelines.maturity.readiness import readiness_inputs, resolve_population
from pipelines.maturity.roadmap import RoadmapModel, model_from_framework
from pipelines.maturity.roadmap_population import Leverage
from pipelines.reference import SIZE_CLASS_KEYS, size_class_label
from pipelines.roadmap_build import StoredRoadmaps

LEVERAGE_FORMULA = ("leverage = municipalities below target on the element x their mean "
                    "unlock, where unlock = the enabling weight of the element's dependants the "
                    "municipality still lacks / the largest such weight of any element (0-1)")
# The lobby table counts the deadlines the Legislation tab and the laws API count by default
# (every requirement against its own deadline): one default, so both tabs show the same numbers.
LOBBY_HORIZON_DAYS = DEFAULT_HORIZON
# Laws in the lobby table: binding on municipalities, in force or adopted (the laws whose
# requirements the roadmap's urgency uses); proposed laws and targets are not lobbied on here.
LOBBY_LAW_STATUSES = ("in_force", "adopted")


# ------------------------------------------------------------------ per build


@dataclass(frozen=True, eq=False)
class PolicyData:
    build_id: str
    roadmaps: StoredRoadmaps
    model: RoadmapModel
    cells: PolicyCells
    lobby: LobbyCounts  # per cell, cells as `cells`
    min_group: int

    def code(self, ctx: AppContext, field: str, value: str | None) -> int | None:
        if value is None:
            return None
        labels = {"country": ctx.attributes.country_labels, "nuts2": ctx.attributes.nuts2_labels,
                  "size_class": ctx.attributes.size_labels}[field]
        hit = np.flatnonzero(labels == value)
        return int(hit[0]) if len(hit) else -1  # -1: matches no cell

    def mask(self, ctx: AppContext, sel: Selection, *, ignore: str | None = None) -> np.ndarray:
        """bool[G]: the selection's cells (optionally without one of its restrictions)."""
        return self.cells.mask(
            country=self.code(ctx, "country", sel.country),
            nuts2=None if ignore == "nuts2" else self.code(ctx, "nuts2", sel.nuts2),
            size_class=None if ignore == "size" else self.code(ctx, "size_class", sel.size))

    def counts(self, ctx: AppContext, sel: Selection) -> tuple[int, int]:
        """(answering, all) municipalities in the selection."""
        m = self.mask(ctx, sel)
        return int(self.cells.n[m].sum()), int(self.cells.members[m].sum())


_CACHE: dict[tuple[str, int, str], PolicyData] = {}  # at most 8 (cleared past that)
_LOCK = threading.Lock()


def policy_data(ctx: AppContext, snap: Snapshot | None) -> PolicyData | None:
    """The cells of a build's stored roadmaps (computed once per build and process); None when
    nothing is published or the build has no roadmaps."""
    if snap is None:
        return None
    key = (str(ctx.settings.reference_dir), ctx.settings.min_group, str(snap.path))
    hit = _CACHE.get(key)
    if hit is not None:
        return hit
    with _LOCK:
        hit = _CACHE.get(key)
        if hit is not None:
            return hit
        rm = snap.roadmaps
        if rm is None:
            return None
        cube = snap.maturity
        if tuple(cube.element_ids) != rm.element_ids or rm.wave not in cube.waves:
            return None  # a build whose roadmaps do not match its cube: treat as absent
        attrs = ctx.attributes
        fw = ctx.framework
        model = model_from_framework(fw)
        if model.element_ids != rm.element_ids:
            return None
        levels = cube.levels[cube.wave_index(rm.wave)]
        cells = policy_cells(model, levels, attrs, rm.population, targets=rm.target)
        lobby = _lobby_counts(ctx, levels, cells, rm.evaluation_date)
        if len(_CACHE) > 8:
            _CACHE.clear()
        data = _CACHE[key] = PolicyData(snap.build_id, rm, model, cells, lobby,
                                        ctx.settings.min_group)
        return data


def lobby_laws(fw) -> list[Law]:
    """The laws of the lobby table (framework order)."""
    return [law for law in fw.laws
            if law.status in LOBBY_LAW_STATUSES and law.binding_on_municipalities]


def _lobby_counts(ctx: AppContext, levels: np.ndarray, cells: PolicyCells,
                  at: dt.date) -> LobbyCounts:
    """Law readiness of the answering municipalities per cell, by the readiness engine (every
    condition resolved from the member states' flags and the defaults, as the Legislation tab
    resolves them without overrides)."""
    ref = ctx.municipalities
    rows = np.flatnonzero((levels != MISSING).any(axis=1))
    inputs = readiness_inputs(ctx.framework, laws=lobby_laws(ctx.framework))
    table = resolve_population(inputs, ref["country"].astype(str).to_numpy()[rows],
                               ref["population"].to_numpy(dtype=np.float64, na_value=np.nan)[rows])
    return lobby_counts(inputs, levels[rows], table, at=at, horizon_days=LOBBY_HORIZON_DAYS,
                        group=cells.cell_of[rows], n_groups=len(cells.n))


# ------------------------------------------------------------------ tables


def _element_names(ctx: AppContext, lang: str) -> dict[str, str]:
    return {e.id: e.name.get(lang) for e in ctx.framework.elements}


def leverage_of(ctx: AppContext, data: PolicyData, sel: Selection) -> Leverage:
    return data.cells.leverage(data.mask(ctx, sel))


def leverage_columns(ctx: AppContext, data: PolicyData, sel: Selection, lang: str = "en",
                     lev: Leverage | None = None) -> dict[str, list | np.ndarray]:
    """`leverage_frame`'s columns (a missing mean unlock is None): the page's table reads them
    as they are, a DataFrame of them cost it more than the table."""
    lev = lev or leverage_of(ctx, data, sel)
    names = _element_names(ctx, lang)
    n = max(lev.selected, 1)
    rows = lev.rows()
    return {
        "rank": np.arange(1, len(rows) + 1),
        "element_id": [r["element"] for r in rows],
        "element": [names.get(r["element"], r["element"]) for r in rows],
        "lacking": [r["lacking"] for r in rows],
        "share_lacking": [round(r["lacking"] / n, 4) for r in rows],
        "mean_unlock": [None if r["mean_unlock"] is None else round(r["mean_unlock"], 4)
                        for r in rows],
        "leverage": [round(r["leverage"], 3) for r in rows],
        "first_phase": [r["first_phase"] for r in rows],
        "first_phase_share": [round(r["first_phase"] / n, 4) for r in rows],
        "first_step": [r["first_step"] for r in rows],
    }


def leverage_frame(ctx: AppContext, data: PolicyData, sel: Selection, lang: str = "en",
                   lev: Leverage | None = None) -> pd.DataFrame:
    """One row per element, highest leverage first (ties in framework order): the engine's
    `Leverage.rows()` plus names and shares."""
    df = pd.DataFrame(leverage_columns(ctx, data, sel, lang, lev))
    df["mean_unlock"] = df["mean_unlock"].astype("Float64")
    return df


def first_phase_columns(ctx: AppContext, data: PolicyData, sel: Selection, lang: str = "en",
                        lev: Leverage | None = None) -> dict:
    """`first_phase_frame`'s columns (arrays and lists; `municipalities` one number), for the
    page's chart and caption."""
    lev = lev or leverage_of(ctx, data, sel)
    names = _element_names(ctx, lang)
    n = max(lev.selected, 1)
    order = np.argsort(-lev.first_phase, kind="stable")
    ids = [lev.element_ids[j] for j in order]
    return {
        "element_id": ids, "element": [names.get(e, e) for e in ids],
        "first_phase": lev.first_phase[order], "share": np.round(lev.first_phase[order] / n, 4),
        "first_step": lev.first_step[order],
        "municipalities": lev.selected}


def first_phase_frame(ctx: AppContext, data: PolicyData, sel: Selection, lang: str = "en",
                      lev: Leverage | None = None) -> pd.DataFrame:
    """How often each element is a first-phase recommendation, most often first."""
    return pd.DataFrame(first_phase_columns(ctx, data, sel, lang, lev))


@dataclass(frozen=True)
class Heat:
    """A bottleneck heatmap: elements (rows) x groups (columns), suppressed groups left out."""

    field: str  # 'country', 'nuts2' or 'size_class'
    columns: list[str]  # group labels (country code, NUTS id, size-class key)
    n: np.ndarray  # int64[C] answering municipalities per column
    lacking: np.ndarray  # int64[E, C]
    leverage: np.ndarray  # float64[E, C]
    rows: np.ndarray  # element positions, in display order
    hidden: int  # groups with answers not shown (under min_group, or withheld for privacy)
    highlight: int | None  # column of the selected region / size class

    @property
    def per_municipality(self) -> np.ndarray:
        return self.leverage / np.maximum(self.n, 1)[None, :]


def heat(ctx: AppContext, data: PolicyData, sel: Selection, field: str,
         order: np.ndarray) -> Heat:
    """Regions (of the selected country; countries at EU level) or size classes (of the
    selected area) as columns. The other restrictions of the selection apply."""
    attrs = ctx.attributes
    if field == "size_class":
        cells = data.mask(ctx, sel, ignore="size")
        labels = attrs.size_labels
        chosen = sel.size
        keys = [k for k in SIZE_CLASS_KEYS if k in set(labels.tolist())]
        positions = [int(np.flatnonzero(labels == k)[0]) for k in keys]
    else:
        cells = data.mask(ctx, sel, ignore="nuts2")
        labels = attrs.nuts2_labels if field == "nuts2" else attrs.country_labels
        chosen = sel.nuts2 if field == "nuts2" else None
        positions = None
    n, lacking, lev, _ = data.cells.by(field, cells, n_groups=len(labels))
    if positions is None:
        positions = [int(i) for i in np.flatnonzero(n > 0)]  # by code
    answered = [i for i in positions if n[i] > 0]
    snap = ctx.warehouse.snapshot()

    def area(i):
        label = str(labels[i])
        if field == "size_class":
            return area_of(sel.country, sel.nuts2, label)
        return area_of(None, label, sel.size) if field == "nuts2" else area_of(label, None,
                                                                               sel.size)
    shown = [i for i in answered if n[i] >= data.min_group
             and snap is not None and snap.published(data.roadmaps.wave, *area(i))]
    cols = [str(labels[i]) for i in shown]
    idx = np.array(shown, dtype=np.intp)
    return Heat(field, cols, n[idx], lacking[idx][:, order].T, lev[idx][:, order].T, order,
                len(answered) - len(shown), cols.index(chosen) if chosen in cols else None)


def heat_frame(ctx: AppContext, h: Heat, element_ids, lang: str = "en") -> pd.DataFrame:
    """A heatmap in long form: one row per column x element, in display order."""
    names = _element_names(ctx, lang)
    e_ids = [element_ids[j] for j in h.rows]
    n_rows, n_cols = len(e_ids), len(h.columns)
    col = np.repeat(np.arange(n_cols), n_rows)
    row = np.tile(np.arange(n_rows), n_cols)
    if h.field == "size_class":
        col_names = [size_class_label(c, lang) for c in h.columns]
    elif h.field == "nuts2":
        col_names = [region_name(ctx, c) for c in h.columns]
    else:
        col_names = [country_name(ctx, c, lang) for c in h.columns]
    return pd.DataFrame({
        h.field: np.array(h.columns, dtype=object)[col] if n_cols else [],
        "name": np.array(col_names, dtype=object)[col] if n_cols else [],
        "municipalities": h.n[col],
        "element_id": np.array(e_ids, dtype=object)[row] if n_rows else [],
        "element": np.array([names[e] for e in e_ids], dtype=object)[row] if n_rows else [],
        "lacking": h.lacking[row, col],
        "leverage": np.round(h.leverage[row, col], 3),
        "leverage_per_municipality": np.round(h.per_municipality[row, col], 4),
    })


def published(ctx: AppContext, data: PolicyData, sel: Selection) -> bool:
    """May statistics of the selection be shown (the disclosure pattern of the roadmaps' wave)?"""
    snap = ctx.warehouse.snapshot()
    return snap is not None and snap.published(data.roadmaps.wave,
                                               *area_of(sel.country, sel.nuts2, sel.size))


def lobby_of(ctx: AppContext, data: PolicyData, sel: Selection) -> tuple[list[LawReadiness],
                                                                          list[str]]:
    """(evaluated laws, least ready first; laws not evaluated) for the selection."""
    counts = data.lobby.select(data.mask(ctx, sel))
    return (lobby_table(counts, top=3, min_group=data.min_group), not_evaluated(counts))


def lobby_due_later(ctx: AppContext, data: PolicyData, sel: Selection,
                    laws: list[str]) -> dict[str, dt.date]:
    """Of `laws` (not evaluated), those that apply in the selection but are first due after the
    cutoff, with that date."""
    counts = data.lobby.select(data.mask(ctx, sel))
    later = {law: first_due_after(counts, law) for law in laws}
    return {law: d for law, d in later.items() if d is not None}


def lobby_frame(ctx: AppContext, rows: list[LawReadiness], element_ids, lang: str = "en"
                ) -> pd.DataFrame:
    laws = {law.id: law for law in ctx.framework.laws}
    names = _element_names(ctx, lang)

    def iso(d):
        return d.isoformat() if d else None
    return pd.DataFrame({
        "law": [r.law for r in rows],
        "name": [laws[r.law].name.get(lang) if r.law in laws else r.law for r in rows],
        "municipalities": [r.municipalities for r in rows],
        "not_ready": [r.not_ready for r in rows],
        "share_not_ready": [round(r.share_not_ready, 4) for r in rows],
        "unknown": [r.unknown for r in rows],
        "share_unknown": [round(r.share_unknown, 4) for r in rows],
        "ready": [r.ready for r in rows],
        "requirements": [r.requirements for r in rows],
        "first_deadline": [iso(r.deadline) for r in rows],
        "next_deadline": [iso(r.next_deadline) for r in rows],
        "last_deadline": [iso(r.last_deadline) for r in rows],
        "elements_behind_gap": ["; ".join(f"{element_ids[e]} {names.get(element_ids[e], '')} "
                                          f"({k}, {s:.0%})" for e, k, s in r.gaps)
                                for r in rows],
        "elements_unknown": ["; ".join(f"{element_ids[e]} {names.get(element_ids[e], '')} "
                                       f"({k}, {s:.0%})" for e, k, s in r.unknowns)
                             for r in rows],
    }, columns=["law", "name", "municipalities", "not_ready", "share_not_ready", "unknown",
                "share_unknown", "ready", "requirements", "first_deadline", "next_deadline",
                "last_deadline", "elements_behind_gap", "elements_unknown"])
