"""Funding what-if: what changes when a package of elements is funded to a target level in some
municipalities. Pure numpy, no Dash, no files: the caller gives the levels and the engines'
inputs; every count comes from the existing engines on the funded levels.

A *package* is one or more (element, target level, cost per municipality) items. Funding it in
a municipality raises each package element to at least its target (`raise_levels`; a level
already at or above the target stays, an unknown level becomes the target: the money buys the
element whatever the survey did not say). A municipality *needs* the package when one of its
package elements is below the target or unknown (`needs`); the cost is the sum of the costs of
the elements it needs.

Which municipalities are funded: the caller groups them in *units* (one municipality each where
every result is public; otherwise an area whose statistics are published, so that two what-ifs
never differ by less than a published area), ranks the units by a rule (`rank`) and `choose`
takes them in that order while the municipalities that need the package (the *reach*) and the
cost (the *budget*) still fit:

- `leverage`: the highest mean unlock of the package elements first (the roadmap engine's
  unlock component, as in the policy view's leverage table),
- `readiness`: the lowest share ready for a chosen law first (the legislation-readiness
  engine's status; units where the law asks nothing come last),
- `smallest`: the fewest inhabitants first (public data),
- `below`: everything below target (no order needed; the reach still caps it).

`evaluate` answers, for the municipalities of a selection: how many are ready for each law
before and after (legal duties and ambition separately, `readiness.population_readiness`, only
the funded rows are recomputed: the others do not change), per group (region, size class), the
municipalities at level >= 3 per element before and after, and why (the package gaps closed per
law; the element most often still missing among the funded that stay not ready).
`first_phase_counts` runs the roadmap engine (`roadmap_population.population_roadmap`, first
phase only) on funded levels, so the caller compares it with the stored first phases.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from pipelines.maturity.readiness import (
    DUE_STATUSES,
    ConditionTable,
    PopulationReadiness,
    ReadinessInputs,
    population_readiness,
)
from pipelines.maturity.readiness_slots import SlotGaps, after_change, readiness_and_gaps
from pipelines.maturity.roadmap import MISSING, LawRequirements, Peers, RoadmapModel
from pipelines.maturity.roadmap_population import first_phase, population_roadmap, raised_state

# An illustrative cost of bringing one element to its target in one municipality (EUR). Not a
# measured figure: every package item can carry its own cost, and the page and API say so.
DEFAULT_COST = 25_000.0
MAX_ITEMS = 10
LEVELS = (1, 2, 3, 4)
RULES = ("leverage", "readiness", "smallest", "below")
MASTERED = 3  # "at level >= 3" in the element shares


class PackageError(ValueError):
    """A bad package; `field` names the place (package.1.level) for API and CLI answers."""

    def __init__(self, field: str, problem: str):
        self.field, self.problem = field, problem
        super().__init__(f"{field}: {problem}")


@dataclass(frozen=True)
class PackageItem:
    element: str
    level: int
    cost: float = DEFAULT_COST


@dataclass(frozen=True)
class Package:
    items: tuple[PackageItem, ...]

    @property
    def elements(self) -> tuple[str, ...]:
        return tuple(i.element for i in self.items)

    def text(self) -> str:
        """'SEC-02:3,SEC-01:3' (with ':cost' where an item's cost is not the default)."""
        return ",".join(f"{i.element}:{i.level}" + (f":{i.cost:g}" if i.cost != DEFAULT_COST
                                                     else "") for i in self.items)

    def positions(self, element_ids: Sequence[str]) -> np.ndarray:
        index = {e: j for j, e in enumerate(element_ids)}
        return np.array([index[i.element] for i in self.items], dtype=np.intp)

    def targets(self) -> np.ndarray:
        return np.array([i.level for i in self.items], dtype=np.int8)

    def costs(self) -> np.ndarray:
        return np.array([i.cost for i in self.items], dtype=np.float64)


def make_package(items: Iterable[Mapping | tuple], element_ids: Sequence[str]) -> Package:
    """Items as {element, level, cost?} or (element, level[, cost]) -> a checked Package."""
    known = set(element_ids)
    out: list[PackageItem] = []
    items = list(items)
    if not items:
        raise PackageError("package", "needs at least one element")
    if len(items) > MAX_ITEMS:
        raise PackageError("package", f"at most {MAX_ITEMS} elements")
    for k, raw in enumerate(items):
        if isinstance(raw, Mapping):
            element, level, cost = raw.get("element"), raw.get("level"), raw.get("cost")
        else:
            element, level, cost = (*raw, None)[:3]
        where = f"package.{k}"
        element = str(element or "").strip().upper()
        if element not in known:
            raise PackageError(f"{where}.element", f"unknown element {element!r}")
        if element in {i.element for i in out}:
            raise PackageError(f"{where}.element", f"{element} is in the package twice")
        try:
            lv = int(level)
        except (TypeError, ValueError):
            lv = None
        if lv is None or isinstance(level, bool) or lv not in LEVELS or float(level) != lv:
            raise PackageError(f"{where}.level", f"expected a target level 1-4, got {level!r}")
        if cost is None:
            c = DEFAULT_COST
        else:
            try:
                c = float(cost)
            except (TypeError, ValueError):
                c = math.nan
            if isinstance(cost, bool) or not math.isfinite(c) or not 0 <= c <= 1e9:
                raise PackageError(f"{where}.cost", f"expected a cost from 0 to 1e9, got {cost!r}")
        out.append(PackageItem(element, lv, c))
    return Package(tuple(out))


def parse_package(text: str, element_ids: Sequence[str]) -> Package:
    """'SEC-02:3,SEC-01:3:40000' (element:level[:cost per municipality]) -> Package."""
    parts = [p.strip() for p in str(text or "").split(",") if p.strip()]
    items = []
    for k, p in enumerate(parts):
        bits = [b.strip() for b in p.split(":")]
        if len(bits) not in (2, 3):
            raise PackageError(f"package.{k}", f"expected ELEMENT:LEVEL[:COST], got {p!r}")
        items.append(tuple(bits))
    return make_package(items, element_ids)


# ------------------------------------------------------------------ levels


def needs(levels: np.ndarray, pkg: Package, element_ids: Sequence[str]) -> np.ndarray:
    """bool[M, P]: the package element is below its target or unknown."""
    lv = np.asarray(levels)[:, pkg.positions(element_ids)]
    return lv < pkg.targets()[None, :]  # MISSING (-1) is below every target


def raise_levels(levels: np.ndarray, funded: np.ndarray, pkg: Package,
                 element_ids: Sequence[str]) -> np.ndarray:
    """A copy of `levels` int8[M, E] with the package elements of the `funded` rows (bool[M])
    raised to at least their targets. Never lowers a level."""
    out = np.array(levels, dtype=np.int8, copy=True)
    pos, tg = pkg.positions(element_ids), pkg.targets()
    rows = np.flatnonzero(funded)
    sub = out[np.ix_(rows, pos)]
    out[np.ix_(rows, pos)] = np.maximum(sub, tg[None, :])
    return out


# ------------------------------------------------------------------ who is funded


def rank(rule: str, *, leverage: np.ndarray | None = None, share_ready: np.ndarray | None = None,
         population: np.ndarray | None = None) -> np.ndarray:
    """Unit positions in the order a rule funds them (ties keep the units' order).

    leverage float[U]: higher first; share_ready float[U] (NaN: the law asks nothing there):
    lower first, NaN last; population float[U]: smaller first (NaN last)."""
    if rule not in RULES:
        raise ValueError(f"unknown rule {rule!r}; one of {', '.join(RULES)}")
    arrays = {"leverage": leverage, "readiness": share_ready, "smallest": population}
    if rule == "below":
        size = next(len(a) for a in arrays.values() if a is not None)
        return np.arange(size)
    return np.argsort(_key(rule, arrays[rule]), kind="stable")


def _key(rule: str, a: np.ndarray | None) -> np.ndarray:
    """float64[U]: the rule's sort key, smaller first, NaN last (as +inf)."""
    if a is None:
        raise ValueError(f"rule {rule!r} needs its values")
    a = np.asarray(a, dtype=np.float64)
    key = -a if rule == "leverage" else a
    return np.where(np.isnan(key), np.inf, key)


def choose(order: np.ndarray, need: np.ndarray, cost: np.ndarray, *, reach: int | None = None,
           budget: float | None = None) -> np.ndarray:
    """bool[U]: the units funded. In `order`, a unit with municipalities that need the package
    (`need` int[U]) is taken when its need and `cost` float[U] still fit in what is left of the
    reach (municipalities) and the budget; a unit that does not fit is passed over (a smaller
    one after it may fit). None: no cap."""
    need = np.asarray(need, dtype=np.int64)
    cost = np.asarray(cost, dtype=np.float64)
    order = np.asarray(order, dtype=np.intp)
    out = np.zeros(len(need), dtype=bool)
    _take_in_order(order[need[order] > 0], need, cost, reach, budget, out)
    return out


def choose_ranked(rule: str, need: np.ndarray, cost: np.ndarray, *, reach: int | None = None,
                  budget: float | None = None, leverage: np.ndarray | None = None,
                  share_ready: np.ndarray | None = None, population: np.ndarray | None = None
                  ) -> np.ndarray:
    """`choose(rank(rule, ...), need, cost, reach=, budget=)` without ordering every unit: a
    reach or budget funds the first few hundred of tens of thousands of units, so only the
    first k units of the rule's order are sorted (k grows until the rest cannot change the
    answer). Over the EU's municipalities the full stable sort was ~3 ms of a 12 ms what-if."""
    need = np.asarray(need, dtype=np.int64)
    cost = np.asarray(cost, dtype=np.float64)
    arrays = {"leverage": leverage, "readiness": share_ready, "smallest": population}
    if rule not in RULES:
        raise ValueError(f"unknown rule {rule!r}; one of {', '.join(RULES)}")
    if rule == "below" or (reach is None and budget is None):
        order = rank(rule, leverage=leverage, share_ready=share_ready, population=population)
        return choose(order, need, cost, reach=reach, budget=budget)
    key = _key(rule, arrays[rule])
    cand = np.flatnonzero(need > 0)  # a unit that needs nothing is never funded
    out = np.zeros(len(need), dtype=bool)
    k = max(FIRST_UNITS, 0 if reach is None else int(reach) + 1)
    while True:
        if k >= len(cand):  # all of them: the plain way
            _take_in_order(cand[np.argsort(key[cand], kind="stable")], need, cost, reach,
                           budget, out)
            return out
        first, rest = _first_in_order(key[cand], k)
        left = cand[rest]
        if _take_in_order(cand[first], need, cost, reach, budget, out,
                          tail_need=int(need[left].min()), tail_cost=float(cost[left].min())):
            return out
        out[:] = False
        k *= 8


FIRST_UNITS = 64  # units sorted at first by `choose_ranked` (times 8 while not enough)


def _first_in_order(key: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    """(first, rest): positions of the k smallest keys in stable order (ties by position, as
    `np.argsort(kind="stable")[:k]`), and the other positions (any order); 0 < k < len(key)."""
    kth = np.partition(key, k - 1)[k - 1]
    below = key < kth
    ties = np.flatnonzero(key == kth)[:k - int(below.sum())]
    pick = below
    pick[ties] = True
    picked = np.flatnonzero(pick)  # in position order: the stable sort keeps it among ties
    return picked[np.argsort(key[picked], kind="stable")], np.flatnonzero(~pick)


def _take_in_order(order: np.ndarray, need: np.ndarray, cost: np.ndarray, reach: int | None,
                   budget: float | None, out: np.ndarray, *, tail_need: float = math.inf,
                   tail_cost: float = math.inf) -> bool:
    """Marks in `out` the units of `order` (all needing) funded one after the other; True when
    no unit after `order` can still be funded (`tail_need` and `tail_cost`: the smallest need
    and cost of the units after it, inf when there are none)."""
    left_n = math.inf if reach is None else int(reach)
    left_c = math.inf if budget is None else float(budget)
    # the longest prefix that fits whole, at once (vectorised: the common case)
    fits = (np.cumsum(need[order]) <= left_n) & (np.cumsum(cost[order]) <= left_c + 1e-6)
    k = int(np.argmin(fits)) if not fits.all() else len(order)
    out[order[:k]] = True
    left_n -= int(need[order[:k]].sum())
    left_c -= float(cost[order[:k]].sum())
    rest = order[k:]
    if len(rest):
        # then unit by unit: one that does not fit is passed over, a smaller one after it may
        # fit; stop once nothing after can fit (the smallest need and cost still to come)
        min_need = np.minimum(np.minimum.accumulate(need[rest][::-1])[::-1], tail_need)
        min_cost = np.minimum(np.minimum.accumulate(cost[rest][::-1])[::-1], tail_cost)
        for i, u in enumerate(rest.tolist()):
            if left_n < min_need[i] or left_c + 1e-6 < min_cost[i]:
                return True
            n, c = need[u], cost[u]
            if n > left_n or c > left_c + 1e-6:
                continue
            out[u] = True
            left_n -= n
            left_c -= c
    return left_n < tail_need or left_c + 1e-6 < tail_cost


# ------------------------------------------------------------------ what changes


@dataclass(frozen=True, eq=False)
class FundingResult:
    """Counts over the S municipalities of a selection (rows given to `evaluate`)."""

    law_ids: tuple[str, ...]
    element_ids: tuple[str, ...]
    n: int  # municipalities of the selection (answering)
    funded: int  # municipalities funded (they needed the package)
    raised: np.ndarray  # int64[P] funded municipalities whose package element was raised
    cost: float  # sum of the costs of the raised elements
    due: np.ndarray  # int64[L] something of the law counts (legal); the same after
    ready_before: np.ndarray  # int64[L]
    ready_after: np.ndarray  # int64[L]
    ambition_due: np.ndarray  # int64[L]
    ambition_before: np.ndarray  # int64[L]
    ambition_after: np.ndarray  # int64[L]
    mastered_before: np.ndarray  # int64[E] at level >= 3
    mastered_after: np.ndarray  # int64[E]
    groups: dict  # field -> (n int64[G], gained int64[G, L], ambition gained int64[G, L])
    gaps_closed: np.ndarray  # int64[L, P] funded with a legal gap on the item's element before,
    # none after (for the laws that gain municipalities made ready; 0 for the others)
    still_missing: np.ndarray  # int64[L, E] funded still not ready after: gaps per element

    @property
    def gained(self) -> np.ndarray:
        return self.ready_after - self.ready_before

    @property
    def ambition_gained(self) -> np.ndarray:
        return self.ambition_after - self.ambition_before

    def cost_per_ready(self) -> np.ndarray:
        """float64[L]: cost / municipalities made ready (legal); NaN where none."""
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.where(self.gained > 0, self.cost / np.maximum(self.gained, 1), np.nan)


def _due(res: PopulationReadiness, ambition: bool = False) -> np.ndarray:
    status = res.ambition_status if ambition else res.status
    lo, hi = min(DUE_STATUSES), max(DUE_STATUSES)  # ready, not ready, unknown: 1..3
    assert set(DUE_STATUSES) == set(range(lo, hi + 1))
    return (status >= lo) & (status <= hi)


def selection_totals(before: PopulationReadiness, levels: np.ndarray) -> dict[str, np.ndarray]:
    """The counts of a selection that no package changes (int64): due, ready, ambition due,
    ambition ready per law, at level >= 3 per element. `evaluate` takes them when the caller
    keeps them per selection: over every EU municipality they are most of its time."""
    return {"due": _due(before).sum(axis=0).astype(np.int64),
            "ready": before.ready.sum(axis=0).astype(np.int64),
            "ambition_due": _due(before, True).sum(axis=0).astype(np.int64),
            "ambition_ready": before.ambition_ready.sum(axis=0).astype(np.int64),
            "mastered": (np.asarray(levels) >= MASTERED).sum(axis=0).astype(np.int64)}


def evaluate(inputs: ReadinessInputs, levels: np.ndarray, table: ConditionTable,
             funded: np.ndarray, pkg: Package, *, at: dt.date, horizon_days: int | None = 0,
             before: PopulationReadiness | None = None,
             groups: Mapping[str, tuple[np.ndarray, int]] | None = None,
             totals: Mapping[str, np.ndarray] | None = None,
             before_rows: np.ndarray | None = None, gaps: SlotGaps | None = None
             ) -> FundingResult:
    """The package funded in the `funded` rows (bool[S]) of `levels` int8[S, E] (the selection,
    rows as `table`); `groups`: {field: (code int[S], number of codes)} for the breakdowns;
    `totals`: `selection_totals` of the selection, when cached.

    `before`: `population_readiness` of the selection's rows, with `gaps` the slot gap flags of
    the same run (`readiness_slots.readiness_and_gaps`): then only the package elements' slots
    of the funded rows are evaluated (`readiness_slots.after_change`), before and after.
    Without them the funded rows are evaluated in full first. `before_rows` int[S]: `table`,
    `before` and `gaps` are of a larger population whose row before_rows[i] is the selection's
    row i (no copy of the selection's rows of each)."""
    eids = tuple(inputs.element_ids)
    lv = np.asarray(levels)
    funded = np.asarray(funded, dtype=bool)
    rows = np.flatnonzero(funded)
    b_rows = rows if before_rows is None else np.asarray(before_rows)[rows]
    pos = pkg.positions(eids)
    lv_f = lv[rows]
    need = needs(lv_f, pkg, eids)
    after_lv = raise_levels(lv_f, np.ones(len(rows), dtype=bool), pkg, eids)
    t_rows = table.take(b_rows)
    if totals is None:
        if before is None:
            if before_rows is not None:
                raise ValueError("before_rows needs the larger population's `before`")
            before = population_readiness(inputs, lv, table, at=at, horizon_days=horizon_days)
        sel_before = before if before_rows is None else rows_of(before, before_rows)
        totals = selection_totals(sel_before, lv)
    if gaps is None or before is None:  # the funded rows in full, then their slots
        before, gaps = readiness_and_gaps(inputs, lv_f, t_rows, at=at, horizon_days=horizon_days)
        b_rows = np.arange(len(rows))
    ch = after_change(inputs, before, b_rows, lv_f, after_lv, t_rows, pos, gaps, at=at,
                      horizon_days=horizon_days)
    # funding never lowers a level, so never a readiness: a gain is 0 or 1 per row and law, and
    # only in the laws with a slot on a package element (ch.laws)
    laws = ch.laws
    n_laws = len(before.law_ids)
    gain = ch.ready[:, laws] & ~before.ready[b_rows][:, laws]
    gain_amb = ch.ambition_ready[:, laws] & ~before.ambition_ready[b_rows][:, laws]
    out_groups = {}
    for field, (codes, size) in (groups or {}).items():
        c = np.asarray(codes, dtype=np.int64)
        n = np.bincount(c, minlength=size).astype(np.int64)
        cf = c[rows]

        def per(x, cf=cf, size=size):  # gains are sparse: count only the rows that change
            r, k = np.nonzero(x)
            return np.bincount(cf[r] * n_laws + laws[k], minlength=size * n_laws).astype(
                np.int64).reshape(size, n_laws)
        out_groups[field] = (n, per(gain), per(gain_amb))
    # why: per law that gains, funded with a gap on a package element before and none after;
    # and among the funded that stay not ready, the elements still missing (legal gaps)
    gained = np.zeros(n_laws, dtype=np.int64)
    gained[laws] = gain.sum(axis=0, dtype=np.int64)
    gained_amb = np.zeros(n_laws, dtype=np.int64)
    gained_amb[laws] = gain_amb.sum(axis=0, dtype=np.int64)
    closed = np.zeros((n_laws, len(pos)), dtype=np.int64)
    gaining = np.flatnonzero(gained)
    if len(rows) and len(gaining):
        closed[gaining] = (ch.gap_counts_before[gaining][:, pos]
                           - ch.gap_counts_after[gaining][:, pos])
    mastered_b = totals["mastered"]
    delta = (after_lv >= MASTERED).sum(axis=0).astype(np.int64) - \
        (lv_f >= MASTERED).sum(axis=0).astype(np.int64)
    return FundingResult(
        law_ids=tuple(before.law_ids), element_ids=eids, n=int(lv.shape[0]),
        funded=int(need.any(axis=1).sum()), raised=need.sum(axis=0).astype(np.int64),
        cost=float((need * pkg.costs()[None, :]).sum()),
        due=totals["due"], ready_before=totals["ready"],
        ready_after=totals["ready"] + gained,
        ambition_due=totals["ambition_due"], ambition_before=totals["ambition_ready"],
        ambition_after=totals["ambition_ready"] + gained_amb,
        mastered_before=mastered_b, mastered_after=mastered_b + delta, groups=out_groups,
        gaps_closed=closed, still_missing=ch.gap_counts_after)


def rows_of(res: PopulationReadiness, rows: np.ndarray) -> PopulationReadiness:
    """The readiness of some rows as far as `selection_totals` reads it (status and ready flags,
    legal and ambition); the per-row counts are left out (None: a reader fails loudly instead of
    reading other rows) rather than copied."""
    return PopulationReadiness(
        res.law_ids, res.element_ids, res.at, res.cutoff, res.status[rows], res.ready[rows],
        None, None, None, None, res.ambition_status[rows], res.ambition_ready[rows], None, None,
        res.gap_counts, res.unknown_counts)


def first_phase_counts(model: RoadmapModel, levels: np.ndarray, *,
                       requirements: LawRequirements | None, profile: np.ndarray | int = 0,
                       peers: Peers | None = None, per_phase: int = 3,
                       targets: np.ndarray | int | None = None) -> tuple[np.ndarray, np.ndarray]:
    """(first phase int16[M, per_phase], counts int64[E]): the roadmap engine's first phase for
    the rows of `levels` (funded levels), with the stored run's inputs (law requirements per
    profile, peer proof [M, E]); only answering rows are counted, as the policy view counts."""
    if len(levels) == 0:
        return np.zeros((0, per_phase), dtype=np.int16), np.zeros(model.size, dtype=np.int64)
    run = population_roadmap(model, levels, targets=targets, requirements=requirements,
                             profile=profile, peers=peers, phases=1, per_phase=per_phase)
    return run.first_phase, run.first_phase_counts()


def first_phase_after(model: RoadmapModel, levels: np.ndarray, pkg: Package, *,
                      requirements: LawRequirements | None, profile: np.ndarray | int = 0,
                      peer_share: np.ndarray | None = None, per_phase: int = 3,
                      targets: np.ndarray | int | None = None,
                      state: np.ndarray | None = None) -> np.ndarray:
    """int16[M, per_phase]: the first phase of `first_phase_counts` on the rows of `levels`
    (int8[M, E], as stored) with the package funded in every row, computing only that: one
    vectorised run over all rows (`roadmap_population.first_phase`), and, given the rows'
    stored sequencing state (`state` float32 [M, 2E] of `levels`, `roadmap_population.state_of`;
    only with whole weights, `integer_state`), the state after funding as that state plus the
    raised package elements instead of the matrix products over every element."""
    eids = model.element_ids
    lv = np.asarray(levels)
    if len(lv) == 0:
        return np.zeros((0, per_phase), dtype=np.int16)
    after = raise_levels(lv, np.ones(len(lv), dtype=bool), pkg, eids)
    if state is not None:
        state = raised_state(model, state, lv, after, pkg.positions(eids), targets)
    return first_phase(model, after, targets=targets, requirements=requirements,
                       profile=profile, peer_share=peer_share, per_phase=per_phase, state=state)


def first_phase_shift(before: np.ndarray, after: np.ndarray, n_elements: int
                      ) -> tuple[np.ndarray, np.ndarray]:
    """(before int64[E], after int64[E]): how often each element is in the first phases given
    (int16[M, k], -1 = none)."""
    def count(seq):
        s = np.asarray(seq).reshape(-1)
        return np.bincount(s[s >= 0].astype(np.int64), minlength=n_elements)
    return count(before), count(after)


def mastered_unknown(levels: np.ndarray) -> np.ndarray:
    """int64[E]: unknown levels per element (they are not at level >= 3 as far as we know)."""
    return (np.asarray(levels) == MISSING).sum(axis=0).astype(np.int64)
