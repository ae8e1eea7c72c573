"""The funding what-if on the published build: the Policy tab's section, the API
(POST /api/v1/insight/funding-what-if) and the CLI (`python -m pipelines funding`) all call
`what_ifs` here (`what_if` for one package), so all three give the same answer. No Dash.

Per build (and process) `funding_base` keeps what every what-if starts from: the answering
municipalities of the stored roadmaps' wave, their levels, their law conditions and their
readiness for every law (`readiness.population_readiness`, at the roadmaps' evaluation date with
the lobby table's horizon: the same "before" as the lobby table), each one's unlock per element
(the roadmap engine's, as the leverage table sums it), and the stored run's inputs (law
requirements per member state, peer proof) so that the first phase after funding comes from the
same engine with the same settings (`pipelines.maturity.funding`).

Privacy (README "Privacy model"): only aggregates of published areas leave this module.
- The selection is shown only where its area is published (as the rest of the Policy tab);
  every region and size class of a breakdown only where its area is published.
- Who is funded: under DS4E_VISIBILITY=open every result is public, so the rule picks single
  municipalities. Under the consent rule a rule over single municipalities would let two
  what-ifs differ by one municipality (reach 10 and 11), and the difference is that
  municipality's result; so the units are the published NUTS 2 x size-class areas (the policy
  cells), ranked by their published statistics and funded whole. Any two what-ifs then differ
  by whole published areas, whose statistics the disclosure pattern already allows; areas that
  are not published are not funded (counted and said). A budget or reach that does not reach
  a whole area funds fewer municipalities than asked, and the answer says how many.
- Funded municipalities are named only where they consented (or under open visibility).
"""

from __future__ import annotations

import datetime as dt
import os
import threading
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field

import numpy as np

from dashboard.context import AppContext
from dashboard.store import Snapshot
from dashboard.views.policy.data import LOBBY_HORIZON_DAYS, PolicyData, policy_data
from dashboard.views.policy.selection import Selection
from pipelines.disclosure import area_of
from pipelines.maturity import funding as fe
from pipelines.maturity.cube import MISSING
from pipelines.maturity.readiness import (
    ConditionTable,
    PopulationReadiness,
    ReadinessInputs,
    readiness_inputs,
    resolve_population,
)
from pipelines.maturity.readiness_slots import SlotGaps, readiness_and_gaps
from pipelines.maturity.roadmap import LawProfiles, Peers
from pipelines.maturity.roadmap_population import (
    _unlock_lacking,
    group_codes,
    integer_state,
    peers_by_group,
    state_of,
)
from pipelines.reference import SIZE_CLASS_KEYS
from pipelines.roadmap_build import PEER_GROUP, law_profiles, withheld_peer_groups

AREA, MUNICIPALITY = "area", "municipality"
MAX_NAMED = 200  # funded municipalities listed by name at most (the rest counted)


class FundingError(ValueError):
    """A bad request: `field` names it (rule, law, reach, budget, package.0.level)."""

    def __init__(self, field: str, problem: str):
        self.field, self.problem = field, problem
        super().__init__(f"{field}: {problem}")


# ------------------------------------------------------------------ per build


@dataclass(frozen=True, eq=False)
class FundingBase:
    data: PolicyData
    rows: np.ndarray  # int64[A] answering municipalities (cube positions)
    levels: np.ndarray  # int8[A, E]
    table: ConditionTable  # their conditions
    inputs: ReadinessInputs  # every law of the framework
    before: PopulationReadiness  # their readiness now
    gaps: SlotGaps  # which of them have a legal gap in each (law, element) slot, from `before`
    unlock: np.ndarray  # float32[A, E] the unlock component where below target, else 0
    population: np.ndarray  # float64[A]
    laws: LawProfiles  # the stored run's law requirements (profile per row: laws.index[rows])
    peers: Peers  # the stored run's peer proof, [A, E]
    first_phase: np.ndarray  # int16[A, per_phase] stored
    cell: np.ndarray  # int64[A] policy cell
    ids: np.ndarray  # str[A] municipality ids
    names: np.ndarray  # str[A] their names
    name_rank: np.ndarray  # int64[A] position in name order
    # int16[A, 2E] the roadmap engine's sequencing state of the stored levels (None when the
    # weights are not whole: then it is not exact and each what-if makes it for its rows)
    state: np.ndarray | None
    groups: dict = field(default_factory=dict)  # selection -> _groups(...), filled on use


_CACHE: dict[tuple, FundingBase] = {}
_LOCK = threading.Lock()


def funding_base(ctx: AppContext, snap: Snapshot | None) -> FundingBase | None:
    data = policy_data(ctx, snap)
    if data is None:
        return None
    # the visibility too: the base keeps what the disclosure pattern of this app publishes
    key = (str(ctx.settings.reference_dir), ctx.settings.min_group, ctx.settings.visibility,
           str(snap.path))
    hit = _CACHE.get(key)
    if hit is not None:
        return hit
    with _LOCK:
        hit = _CACHE.get(key)
        if hit is not None:
            return hit
        base = _make_base(ctx, snap, data)
        if len(_CACHE) > 4:
            _CACHE.clear()
        _CACHE[key] = base
        return base


def _make_base(ctx: AppContext, snap: Snapshot, data: PolicyData) -> FundingBase:
    rm = data.roadmaps
    cube = snap.maturity
    all_levels = cube.levels[cube.wave_index(rm.wave)]
    rows = np.flatnonzero((all_levels != MISSING).any(axis=1))
    levels = np.ascontiguousarray(all_levels[rows])
    levels.flags.writeable = False  # what-ifs over the whole EU read it without a copy
    ref = ctx.municipalities
    population = ref["population"].to_numpy(dtype=np.float64, na_value=np.nan)
    inputs = readiness_inputs(ctx.framework)
    table = resolve_population(inputs, ref["country"].astype(str).to_numpy()[rows],
                               population[rows])
    before, gaps = readiness_and_gaps(inputs, levels, table, at=rm.evaluation_date,
                                      horizon_days=LOBBY_HORIZON_DAYS)
    _, unlock = _unlock_lacking(data.model, levels, np.full(levels.shape[1], rm.target,
                                                            dtype=np.int8))
    attrs = ctx.attributes
    names = ref["name"].astype(str).to_numpy(dtype=str)[rows]
    laws = law_profiles(ctx.framework, rm.evaluation_date, attrs, population)
    withheld = withheld_peer_groups(snap.path, rm.wave, attrs)
    peers = peers_by_group(all_levels, group_codes(attrs, PEER_GROUP), rm.min_group, withheld)
    peers = Peers(peers.share[rows], peers.count[rows], peers.known[rows],
                  peers.suppressed[rows], np.asarray(peers.at_least))
    return FundingBase(data, rows, levels, table, inputs, before, gaps, unlock, population[rows], laws,
                       peers, np.asarray(rm.population.first_phase[rows]),
                       data.cells.cell_of[rows],
                       ref["municipality_id"].to_numpy(dtype=str)[rows],
                       names, np.argsort(np.argsort(names, kind="stable"), kind="stable"),
                       _stored_state(data, levels))


def _stored_state(data: PolicyData, levels: np.ndarray) -> np.ndarray | None:
    """The sequencing state of the stored levels, kept so that a what-if's first phase after
    funding starts from it plus the raised package elements (`fe.first_phase_after`) instead
    of two matrix products over every element of every funded row. Small integers (sixths of
    a level times whole weights): int16 holds them exactly at half the memory of float32."""
    model = data.model
    if not integer_state(model):
        return None
    state = state_of(model, levels, data.roadmaps.target)
    if len(state) and np.abs(state).max() >= np.iinfo(np.int16).max:
        return None
    return state.astype(np.int16)


# ------------------------------------------------------------------ one what-if


@dataclass(frozen=True)
class Request:
    sel: Selection
    package: fe.Package
    rule: str = "leverage"
    reach: int | None = None  # municipalities that need the package, at most
    budget: float | None = None  # EUR, at most
    law: str | None = None  # the rule `readiness`: lowest share ready for this law first


@dataclass(frozen=True, eq=False)
class Answer:
    request: Request
    status: str  # ok | suppressed (selection not published) | empty (nobody answered)
    wave: str
    at: dt.date
    unit: str  # AREA or MUNICIPALITY
    n: int = 0  # answering municipalities of the selection
    units: int = 0  # units that could be funded (with municipalities that need the package)
    units_chosen: int = 0
    unfundable: int = 0  # answering municipalities needing the package in areas not published
    needing: int = 0  # municipalities of the selection that need the package
    result: fe.FundingResult | None = None
    first_phase_before: np.ndarray | None = None  # int64[E] over the selection
    first_phase_after: np.ndarray | None = None
    groups: dict = field(default_factory=dict)  # field -> [(label, position)] shown
    hidden_groups: dict = field(default_factory=dict)  # field -> groups not shown
    named: tuple[tuple[str, str], ...] = ()  # (id, name) of funded municipalities shown
    unnamed: int = 0  # funded municipalities not named (no consent)
    chosen_areas: tuple[str, ...] = ()  # nuts2_size ids of the funded areas (AREA units)
    # rule 'readiness': funded municipalities in units the law asks nothing of yet (no share
    # ready to order them by: taken in list order, after the others)
    unordered: int = 0


def _selection_rows(ctx: AppContext, base: FundingBase, sel: Selection) -> np.ndarray:
    """Positions (in base rows) of the selection's answering municipalities."""
    cells = base.data.mask(ctx, sel)
    return np.flatnonzero(cells[base.cell])


def _published(ctx: AppContext, snap: Snapshot, wave: str, sel: Selection) -> bool:
    return snap.published(wave, *area_of(sel.country, sel.nuts2, sel.size))


def _check(ctx: AppContext, req: Request) -> None:
    if req.rule not in fe.RULES:
        raise FundingError("rule", f"expected one of {', '.join(fe.RULES)}, got {req.rule!r}")
    if req.rule == "readiness":
        ids = [law.id for law in ctx.framework.all_laws]
        if req.law not in ids:
            raise FundingError("law", f"the rule 'readiness' needs a law, one of {', '.join(ids)}")
    if req.reach is not None and (isinstance(req.reach, bool) or int(req.reach) < 0):
        raise FundingError("reach", "expected a number of municipalities >= 0")
    if req.budget is not None and not (0 <= float(req.budget) < 1e13):
        raise FundingError("budget", "expected an amount >= 0")
    if req.reach is None and req.budget is None and req.rule != "below":
        raise FundingError("reach", "give a reach (municipalities) or a budget, or the rule "
                           "'below' (every municipality below target)")


def what_if(ctx: AppContext, req: Request) -> Answer | None:
    """The what-if of one package (None when nothing is published or there are no roadmaps)."""
    answers = what_ifs(ctx, [req])
    return None if answers is None else answers[0]


def what_ifs(ctx: AppContext, reqs: list[Request]) -> list[Answer] | None:
    """`what_if` of each request, on one snapshot; requests of one selection (the Policy tab's
    packages A and B) share its rows, levels and units instead of each making them."""
    for req in reqs:
        _check(ctx, req)
    snap = ctx.warehouse.snapshot()
    base = funding_base(ctx, snap)
    if base is None:
        return None
    shared: dict[Selection, _Units | None] = {}
    out = []
    for req in reqs:
        if req.sel not in shared:
            shared[req.sel] = _units_of(ctx, snap, base, req.sel)
        out.append(_answer(ctx, snap, base, req, shared[req.sel]))
    return out


@dataclass(frozen=True, eq=False)
class _Units:
    """What a selection's what-ifs share whatever the package: its rows and their levels, the
    units funded whole (each municipality, or each published area under the consent rule)
    and per unit the municipalities and the key of the rule 'smallest'."""
    s_rows: np.ndarray  # positions in base rows
    lv: np.ndarray  # int8[S, E] their levels (the base's own array for the whole EU: no copy)
    whole: bool  # every answering municipality
    unit_of: np.ndarray  # int64[S] unit of each row; -1: in an area that is not published
    keep: np.ndarray  # bool[S] unit_of >= 0
    cells: np.ndarray | None  # AREA: the policy cell of each unit; MUNICIPALITY: None
    n_u: np.ndarray  # float64[U] municipalities per unit
    pop_u: np.ndarray  # float64[U] smaller first ('smallest')

    @property
    def n_units(self) -> int:
        return len(self.n_u)

    def per_unit(self, x) -> np.ndarray:
        """float64[U]: the sum of a per-row value over each unit's rows."""
        x = np.asarray(x, dtype=np.float64)
        if self.cells is None:  # a unit per row, in row order: the sums are the values
            return x
        return np.bincount(self.unit_of[self.keep], weights=x[self.keep],
                           minlength=self.n_units)

    def lev_row(self, base: FundingBase, pos: np.ndarray) -> np.ndarray:
        """float64[S]: each row's unlock summed over the package elements, a column at a time
        (indexing rows x package columns copied every element's column first: 1.6 -> 0.7 ms
        over the EU's answering municipalities). float32 values added in float64: the same
        sums as `sum(axis=1, dtype=float64)` for a package's few columns."""
        out = np.zeros(len(self.s_rows))
        for p in pos.tolist():
            out += base.unlock[:, p] if self.whole else base.unlock[self.s_rows, p]
        return out


def _units_of(ctx: AppContext, snap: Snapshot, base: FundingBase, sel: Selection
              ) -> _Units | None:
    """The selection's rows and units; None where it is empty or not published (then nothing
    else is made)."""
    s_rows = _selection_rows(ctx, base, sel)
    if len(s_rows) < max(base.data.min_group, 1) or not _published(
            ctx, snap, base.data.roadmaps.wave, sel):
        return None
    whole = len(s_rows) == len(base.rows)
    lv = base.levels if whole else base.levels[s_rows]
    pop = np.nan_to_num(base.population[s_rows], nan=np.inf)
    if ctx.settings.visibility == "open":
        n = len(s_rows)
        return _Units(s_rows, lv, whole, np.arange(n), np.ones(n, dtype=bool), None,
                      np.ones(n), pop)
    # published NUTS 2 x size-class areas of the selection
    cells, unit_of = _units(base.cell[s_rows], len(base.data.cells.n))
    ok = _cells_published(ctx, snap, base)[cells]
    unit_of = np.where(ok[unit_of], unit_of, -1)
    keep = unit_of >= 0
    n_units = len(cells)
    n_u = np.bincount(unit_of[keep], minlength=n_units).astype(np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        pop_u = np.bincount(unit_of[keep], weights=pop[keep], minlength=n_units) / np.maximum(
            n_u, 1)
    # smallest first: by size class, then mean population
    pop_u = _size_rank(ctx, base.data, cells) * 1e12 + np.minimum(pop_u, 1e11)
    return _Units(s_rows, lv, whole, unit_of, keep, cells, n_u, pop_u)


def _answer(ctx: AppContext, snap: Snapshot, base: FundingBase, req: Request,
            units: _Units | None) -> Answer:
    data, rm = base.data, base.data.roadmaps
    sel = req.sel
    unit = MUNICIPALITY if ctx.settings.visibility == "open" else AREA
    common = {"request": req, "wave": rm.wave, "at": rm.evaluation_date, "unit": unit}
    if units is None:
        n = len(_selection_rows(ctx, base, sel))
        return Answer(status="empty" if n == 0 else "suppressed", n=n, **common)
    s_rows, lv = units.s_rows, units.lv
    common["n"] = len(s_rows)
    eids = data.model.element_ids
    need = fe.needs(lv, req.package, eids)
    needs_any = need.any(axis=1)
    cost_row = (need * req.package.costs()[None, :]).sum(axis=1)
    pos = req.package.positions(eids)
    li = base.before.law_ids.index(req.law) if req.rule == "readiness" else None
    unfundable = 0 if units.cells is None else int(needs_any[~units.keep].sum())
    per_unit = units.per_unit
    n_u = units.n_u
    need_u = np.rint(per_unit(needs_any)).astype(np.int64)
    cost_u = per_unit(cost_row)
    leverage = share_ready = None
    with np.errstate(divide="ignore", invalid="ignore"):
        if req.rule == "leverage":
            leverage = per_unit(units.lev_row(base, pos)) / np.maximum(n_u, 1)
        if li is not None:
            due = np.isin(base.before.status[s_rows, li], (1, 2, 3))
            ready = base.before.ready[s_rows, li]
            gap = base.before.gap_total[s_rows, li].astype(np.float64)
            due_u = per_unit(due)
            share_ready = np.where(due_u > 0, (per_unit(ready) - per_unit(gap) / 1000)
                                   / np.maximum(due_u, 1), np.nan)
    chosen = fe.choose_ranked(req.rule, need_u, cost_u, reach=req.reach, budget=req.budget,
                              leverage=leverage, share_ready=share_ready,
                              population=units.pop_u)
    funded = units.keep & needs_any & chosen[np.maximum(units.unit_of, 0)]
    f_rows = s_rows[funded]
    unordered = 0 if share_ready is None else int(
        np.isnan(share_ready[units.unit_of[funded]]).sum())
    # the roadmap engine's first phase of the funded levels runs beside the readiness engine
    # (numpy releases the GIL: on two cores the what-if takes the longer of the two) where it
    # is long; for fewer rows the hand-over to a thread and the two threads' turns at the GIL
    # cost more than they save (EU bench mix in-process: p50 4.5 -> 2.4 ms, p95 11.8 -> 8.2;
    # from ~4,000 funded rows the thread still wins ~10%)
    if len(f_rows) >= THREAD_ROWS:
        later = pool().submit(_first_phase_after, base, f_rows, req.package)
    else:
        later = Future()
        later.set_result(_first_phase_after(base, f_rows, req.package))
    groups_spec, shown, hidden, totals, before_counts = _selection_parts(ctx, snap, base, sel,
                                                                         s_rows, lv)
    res = fe.evaluate(base.inputs, lv, base.table, funded,
                      req.package, at=rm.evaluation_date, horizon_days=LOBBY_HORIZON_DAYS,
                      before=base.before, before_rows=s_rows, gaps=base.gaps,
                      groups=groups_spec, totals=totals)
    old, new = later.result()
    named, unnamed = _named(ctx, snap, base, f_rows)
    chosen_areas: tuple[str, ...] = ()
    if units.cells is not None:
        chosen_areas = tuple(_cell_id(ctx, data, int(units.cells[i]))
                             for i in np.flatnonzero(chosen))
    return Answer(status="ok", units=int((need_u > 0).sum()), units_chosen=int(chosen.sum()),
                  unfundable=unfundable, needing=int(needs_any.sum()), result=res,
                  first_phase_before=before_counts, first_phase_after=before_counts - old + new,
                  groups=shown, hidden_groups=hidden, named=named, unnamed=unnamed,
                  chosen_areas=chosen_areas, unordered=unordered, **common)


def _selection_parts(ctx: AppContext, snap: Snapshot, base: FundingBase, sel: Selection,
                     s_rows: np.ndarray, lv: np.ndarray):
    """What a selection's what-ifs share, whatever the package, kept per build: its breakdown
    (groups, shown, hidden), the counts no package changes (`fe.selection_totals`) and the
    stored first phases counted per element."""
    rm = base.data.roadmaps
    hit = base.groups.get(sel)
    if hit is None:  # a selection's breakdown depends on nothing else: once per build
        if len(base.groups) > 256:
            base.groups.clear()  # the cells' flags too: made again on the next use
        hit = base.groups[sel] = _groups(ctx, snap, base.data, rm.wave, sel, base.rows[s_rows])
    totals = base.groups.get(("totals", sel))
    if totals is None:  # what no package changes: once per selection (~15 ms over the EU)
        whole = len(s_rows) == len(base.rows)  # the EU: no copy of every row
        before = base.before if whole else _take(base.before, s_rows)
        totals = base.groups[("totals", sel)] = fe.selection_totals(before, lv)
    before_counts = base.groups.get(("first phase", sel))
    if before_counts is None:  # the stored first phases of the selection: once per selection
        fp_b = base.first_phase[s_rows]
        before_counts, _ = fe.first_phase_shift(fp_b, fp_b[:0], base.levels.shape[1])
        before_counts.flags.writeable = False  # shared by the selection's answers
        base.groups[("first phase", sel)] = before_counts
    return (*hit, totals, before_counts)


def warm(ctx: AppContext) -> None:
    """Before the first request (dashboard/warmup.py): the base, and the shared parts of the
    EU's and every answering country's what-ifs (~0.1 s at EU size; a country's first what-if
    paid 1-6 ms more than the next)."""
    snap = ctx.warehouse.snapshot()
    base = funding_base(ctx, snap) if snap is not None else None
    if base is None:
        return
    data = base.data
    countries = np.unique(ctx.attributes.country[base.rows])
    for sel in [Selection(), *(Selection(str(ctx.attributes.country_labels[c]))
                               for c in countries)]:
        s_rows = _selection_rows(ctx, base, sel)
        if len(s_rows) >= data.min_group and _published(ctx, snap, data.roadmaps.wave, sel):
            _selection_parts(ctx, snap, base, sel, s_rows, base.levels[s_rows])


_POOL: ThreadPoolExecutor | None = None
THREAD_ROWS = 4000  # funded municipalities from which the first phase runs in a thread


def pool() -> ThreadPoolExecutor:
    """This process's pool. gunicorn's master runs the funding what-if in its rehearsal and then
    forks: a pool made before the fork has no threads in the worker yet believes it has, so a
    task handed to it never runs and the request waits forever (measured: the Policy tab's
    funding answer hung under gunicorn). Each process makes its own, after any fork."""
    global _POOL
    if _POOL is None:
        with _LOCK:
            if _POOL is None:
                _POOL = ThreadPoolExecutor(max_workers=2, thread_name_prefix="funding")
    return _POOL


def _forget_pool() -> None:
    global _POOL
    _POOL = None  # the parent's pool object: its threads did not come along


os.register_at_fork(after_in_child=_forget_pool)


def _first_phase_after(base: FundingBase, f_rows: np.ndarray, pkg: fe.Package
                       ) -> tuple[np.ndarray, np.ndarray]:
    """(before, after) int64[E]: how often each element is in the first phase of the funded
    municipalities, stored and with the package funded (the stored run's inputs)."""
    data, rm = base.data, base.data.roadmaps
    # only the first phase, from the stored state plus the raised elements: equal to the
    # engine's full run on the funded levels (tests/unit/test_funding_first_phase.py)
    state = None if base.state is None else base.state[f_rows].astype(np.float32)
    seq = fe.first_phase_after(
        data.model, base.levels[f_rows], pkg, requirements=base.laws.requirements,
        profile=base.laws.index[base.rows[f_rows]], peer_share=base.peers.share[f_rows],
        per_phase=rm.per_phase, targets=rm.target, state=state)
    return fe.first_phase_shift(base.first_phase[f_rows], seq, len(data.model.element_ids))


# the selection's status and ready flags only (what `fe.selection_totals` reads), not every
# per-row array (~1 ms per what-if over a large country); module-level so tests can swap it
_take = fe.rows_of


def _units(cell: np.ndarray, n_cells: int) -> tuple[np.ndarray, np.ndarray]:
    """np.unique(cell, return_inverse=True) for policy cells 0..n_cells-1, by counting instead
    of sorting: 0.2 ms instead of 6 ms over every EU municipality."""
    present = np.bincount(cell, minlength=n_cells) > 0
    return np.flatnonzero(present), (np.cumsum(present) - 1)[cell]


def _cell_id(ctx: AppContext, data: PolicyData, cell: int) -> str:
    attrs = ctx.attributes
    return (f"{attrs.nuts2_labels[data.cells.nuts2[cell]]}:"
            f"{attrs.size_labels[data.cells.size_class[cell]]}")


def _cells_published(ctx: AppContext, snap: Snapshot, base: FundingBase) -> np.ndarray:
    """bool[G]: may each policy cell (NUTS 2 x size class) be funded as a unit: its area is
    published and has min_group answering municipalities (once per build)."""
    hit = base.groups.get("cells published")
    if hit is None:
        data = base.data
        hit = base.groups["cells published"] = np.array([
            bool(data.cells.n[c] >= data.min_group) and snap.published(
                data.roadmaps.wave, "nuts2_size", _cell_id(ctx, data, c))
            for c in range(len(data.cells.n))], dtype=bool)
    return hit


def _size_rank(ctx: AppContext, data: PolicyData, cells: np.ndarray) -> np.ndarray:
    labels = ctx.attributes.size_labels[data.cells.size_class[cells]]
    order = {k: i for i, k in enumerate(SIZE_CLASS_KEYS)}
    return np.array([order.get(str(x), len(order)) for x in labels], dtype=np.float64)


def _groups(ctx: AppContext, snap: Snapshot, data: PolicyData, wave: str, sel: Selection,
            cube_rows: np.ndarray):
    """({field: (code[S], K)}, {field: [(label, code)] shown}, {field: groups not shown}): the
    regions (countries at EU level) and size classes of the selection, each shown only where
    its area is published (as the heatmaps)."""
    attrs = ctx.attributes
    region = "nuts2" if sel.country else "country"
    spec, shown, hidden = {}, {}, {}
    for fld in (region, "size_class"):
        codes = getattr(attrs, fld)[cube_rows].astype(np.int64)
        labels = {"nuts2": attrs.nuts2_labels, "country": attrs.country_labels,
                  "size_class": attrs.size_labels}[fld]
        spec[fld] = (codes, len(labels))
        present = np.unique(codes)
        keep = []
        for c in present.tolist():
            label = str(labels[c])
            if fld == "size_class":
                area = area_of(sel.country, sel.nuts2, label)
            elif fld == "nuts2":
                area = area_of(None, label, sel.size)
            else:
                area = area_of(label, None, sel.size)
            n = int((codes == c).sum())
            if n >= data.min_group and snap.published(wave, *area):
                keep.append((label, int(c)))
        if fld == "size_class":
            rank = {k: i for i, k in enumerate(SIZE_CLASS_KEYS)}
            keep.sort(key=lambda x: rank.get(x[0], len(rank)))
        shown[fld] = keep
        hidden[fld] = len(present) - len(keep)
    return spec, shown, hidden


def _named(ctx: AppContext, snap: Snapshot, base: FundingBase, rows: np.ndarray
           ) -> tuple[tuple[tuple[str, str], ...], int]:
    """Funded municipalities by name where their results are public (consent, or open); `rows`
    are positions in the base."""
    visible = rows if ctx.settings.visibility == "open" else rows[snap.consent[base.rows[rows]]]
    rank = base.name_rank[visible]
    if len(rank) > MAX_NAMED:  # the first MAX_NAMED by name, without sorting them all
        keep = np.argpartition(rank, MAX_NAMED)[:MAX_NAMED]
        visible, rank = visible[keep], rank[keep]
    visible = visible[np.argsort(rank)]
    # numpy strings to Python ones in one call each (was two str() per name, up to 200 names)
    named = tuple(zip(base.ids[visible].tolist(), base.names[visible].tolist(), strict=True))
    return named, int(len(rows) - len(named))
