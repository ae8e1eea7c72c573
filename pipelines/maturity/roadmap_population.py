"""The roadmap for a whole population at once, peer proof per group, and policy aggregates.

Pure numpy. The same core as `roadmap.roadmap` (`_sequence_block`) runs over blocks of rows
(`chunk`, default 2048 municipalities, so the working set stays in the CPU cache), so every
municipality's row equals its single roadmap bit for bit (the tests check it).

- `population_roadmap`: the sequenced top-k (phases x per_phase) for all M municipalities, with
  the score and components at the moment each element was chosen.
- `peers_by_group`: leave-one-out peer proof for everyone (the municipality itself is never its
  own peer, like `peers.peer_mask`).
- `leverage`: per element over a selection of municipalities,
    lacking(e)     = number of selected municipalities below target on e,
    mean_unlock(e) = the mean unlock component of e over those municipalities (current levels,
                     no sequencing: the weight of e's dependants each of them still lacks,
                     divided by the matrix's largest row sum),
    leverage(e)    = lacking(e) x mean_unlock(e) = the sum of e's unlock over them,
  i.e. where support for one element helps most municipalities build most; together with how
  often e is a first-phase (and a first-step) recommendation when a population run is given.
- `leverage_by_group`: the same lacking / leverage per group (region, size class) for heatmaps.
Municipalities without any known level (`PopulationRoadmap.answered` False) get a roadmap like
everyone else, but the aggregates leave them out unless `include_unanswered=True`: they lack
nothing we know of.

Typical build step (law requirements per member state, peers by country and size class):

    model = model_from_framework(fw)
    laws = requirements_for_municipalities(fw, at, countries, population)  # profiles + index
    peers = peers_by_group(levels, group_codes(attrs))
    pop = population_roadmap(model, levels, requirements=laws.requirements, profile=laws.index,
                             peers=peers)
    table = leverage(model, levels, rows=attrs.mask_for("country", "NL"), result=pop).rows()
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from pipelines.maturity.peers import Attributes
from pipelines.maturity.roadmap import (
    DEFAULT_HORIZON_YEARS,
    DEFAULT_WEIGHTS,
    MISSING,
    F,
    LawRequirements,
    Peers,
    RoadmapModel,
    Weights,
    _credit6,
    _lacking6,
    _prepare_levels,
    _sequence_block,
    _state,
    _static,
    _targets,
    _weights32,
    urgency,
    urgency_table,
)

DEFAULT_CHUNK = 2048


@dataclass(frozen=True, eq=False)
class PopulationRoadmap:
    element_ids: tuple[str, ...]
    sequence: np.ndarray  # int16[M, K] element positions in order, -1 = no further step
    score: np.ndarray  # float32[M, K] at the moment of choice
    readiness: np.ndarray  # float32[M, K]
    unlock: np.ndarray  # float32[M, K]
    urgency: np.ndarray  # float32[M, K]
    peer: np.ndarray  # float32[M, K]
    per_phase: int
    answered: np.ndarray  # bool[M]: at least one known level (the others' roadmaps are guesses)

    @property
    def k(self) -> int:
        return self.sequence.shape[1]

    @property
    def first_phase(self) -> np.ndarray:
        """int16[M, per_phase]: the first-phase recommendations (-1 = none)."""
        return self.sequence[:, : self.per_phase]

    def ids(self, row: int) -> list[list[str]]:
        """One municipality's roadmap as element ids per phase."""
        seq = [self.element_ids[j] for j in self.sequence[row] if j >= 0]
        return [seq[i: i + self.per_phase] for i in range(0, len(seq), self.per_phase)]

    def _rows(self, rows, include_unanswered: bool) -> np.ndarray:
        keep = np.ones(len(self.sequence), dtype=bool) if include_unanswered else self.answered
        if rows is not None:
            sel = np.zeros(len(self.sequence), dtype=bool)
            sel[rows] = True
            keep = keep & sel
        return self.sequence[keep]

    def first_phase_counts(self, rows: np.ndarray | slice | None = None,
                           include_unanswered: bool = False) -> np.ndarray:
        """int64[E]: in how many (selected, answered) municipalities each element is in the
        first phase."""
        s = self._rows(rows, include_unanswered)[:, : self.per_phase]
        return np.bincount(s[s >= 0].astype(np.int64), minlength=len(self.element_ids))

    def first_step_counts(self, rows: np.ndarray | slice | None = None,
                          include_unanswered: bool = False) -> np.ndarray:
        """int64[E]: in how many (selected, answered) municipalities each element is the very
        first step."""
        s = self._rows(rows, include_unanswered)[:, 0]
        return np.bincount(s[s >= 0].astype(np.int64), minlength=len(self.element_ids))


def population_roadmap(model: RoadmapModel, levels: np.ndarray, *,
                       targets: np.ndarray | int | None = None,
                       requirements: LawRequirements | None = None,
                       profile: np.ndarray | int = 0, peers: Peers | None = None,
                       weights: Weights = DEFAULT_WEIGHTS, phases: int = 3, per_phase: int = 3,
                       horizon_years: float = DEFAULT_HORIZON_YEARS,
                       chunk: int = DEFAULT_CHUNK) -> PopulationRoadmap:
    """Sequenced roadmaps for all rows of `levels` int8[M, E] (-1 = unknown), in blocks of
    `chunk` rows (the result does not depend on it: rows are independent).

    targets: int8[E] for everyone or int8[M, E]; profile: int[M] row of `requirements.days` per
    municipality (e.g. its country code when the profiles are per country); peers: [M, E] (e.g.
    from `peers_by_group`) or [E] shared by all."""
    n = model.size
    lv = _prepare_levels(levels, n)
    if lv.ndim != 2:
        raise ValueError("levels must be int8[M, E]")
    m = lv.shape[0]
    if phases < 0 or per_phase < 1:
        raise ValueError("phases must be >= 0 and per_phase >= 1")
    k = phases * per_phase
    tg = _targets(targets, n)
    prof = np.broadcast_to(np.asarray(profile, dtype=np.int64), (m,))
    share = (peers or Peers.none(n)).share
    if share.shape not in ((n,), (m, n)):
        raise ValueError(f"peer shares must be [{n}] or [{m}, {n}]")
    wr, cu6, wg, wp = _weights32(model, weights)
    seq = np.full((m, k), -1, dtype=np.int16)
    outs = [np.zeros((m, k), dtype=F) for _ in range(5)]  # score, readiness, unlock, urgency, peer
    table = urgency_table(requirements, n, horizon_years)
    chunk = max(int(chunk), 1)

    def run(a: int) -> None:
        b = min(a + chunk, m)
        urg = urgency(requirements, lv[a:b], n, prof[a:b], table=table)
        peer = share[a:b] if share.ndim == 2 else np.broadcast_to(share, (b - a, n))
        t = tg[a:b] if tg.ndim == 2 else tg
        s, sc, rd, ul = _sequence_block(model, lv[a:b], t, _static(urg, peer, wg, wp), wr, cu6, k)
        seq[a:b] = s
        pos = np.maximum(s, 0).astype(np.intp)
        valid = s >= 0
        for out, val in zip(outs, (sc, rd, ul, np.take_along_axis(urg, pos, axis=1) * valid,
                                   np.take_along_axis(peer, pos, axis=1) * valid), strict=True):
            out[a:b] = val

    for a in range(0, m, chunk):
        run(a)
    return PopulationRoadmap(model.element_ids, seq, *outs, per_phase=per_phase,
                             answered=(lv != MISSING).any(axis=1))


def first_phase(model: RoadmapModel, levels: np.ndarray, *,
                targets: np.ndarray | int | None = None,
                requirements: LawRequirements | None = None, profile: np.ndarray | int = 0,
                peer_share: np.ndarray | None = None, weights: Weights = DEFAULT_WEIGHTS,
                per_phase: int = 3, horizon_years: float = DEFAULT_HORIZON_YEARS,
                state: np.ndarray | None = None, chunk: int = DEFAULT_CHUNK) -> np.ndarray:
    """int16[M, per_phase]: `population_roadmap(..., phases=1).first_phase`, computing only
    that (the funding what-if reports nothing else): the same core (`_sequence_block`), so the
    same choices bit for bit, without the scores and components at each choice, with the peer
    shares only (float32 [M, E] or [E]) and, where the caller has it, the rows' sequencing
    state (`state_of`, float32 [M, 2E], e.g. a stored one updated by the raised elements)."""
    n = model.size
    lv = _prepare_levels(levels, n)
    if lv.ndim != 2:
        raise ValueError("levels must be int8[M, E]")
    if per_phase < 1:
        raise ValueError("per_phase must be >= 1")
    m = lv.shape[0]
    tg = _targets(targets, n)
    prof = np.broadcast_to(np.asarray(profile, dtype=np.int64), (m,))
    share = np.zeros(n, dtype=F) if peer_share is None else np.asarray(peer_share, dtype=F)
    if share.shape not in ((n,), (m, n)):
        raise ValueError(f"peer shares must be [{n}] or [{m}, {n}]")
    if state is not None and state.shape != (m, 2 * n):
        raise ValueError(f"the state must be [{m}, {2 * n}]")
    wr, cu6, wg, wp = _weights32(model, weights)
    seq = np.full((m, per_phase), -1, dtype=np.int16)
    table = urgency_table(requirements, n, horizon_years)
    chunk = max(int(chunk), 1)
    for a in range(0, m, chunk):
        b = min(a + chunk, m)
        urg = urgency(requirements, lv[a:b], n, prof[a:b], table=table)
        peer = share[a:b] if share.ndim == 2 else np.broadcast_to(share, (b - a, n))
        t = tg[a:b] if tg.ndim == 2 else tg
        st = None if state is None else state[a:b]
        seq[a:b] = _sequence_block(model, lv[a:b], t, _static(urg, peer, wg, wp), wr, cu6,
                                   per_phase, state=st, outputs=False)[0]
    return seq


def state_of(model: RoadmapModel, levels: np.ndarray, targets: np.ndarray | int | None = None
             ) -> np.ndarray:
    """float32[M, 2E]: the sequencing state [num6 | unl6] of the rows before any step (what
    `first_phase` takes as `state`)."""
    n = model.size
    lv = _prepare_levels(levels, n)
    tg = np.ascontiguousarray(np.broadcast_to(_targets(targets, n), lv.shape))
    return _state(model, lv, tg)


def raised_state(model: RoadmapModel, state: np.ndarray, before: np.ndarray, after: np.ndarray,
                 columns: np.ndarray, targets: np.ndarray | int | None = None) -> np.ndarray:
    """The state of levels `after` from the `state` of levels `before` (float32 [M, 2E], not
    changed), where the levels differ only in `columns`: each changed element adds its change
    of credit to the readiness numerators and of lack to the unlock numerators (`_state` is
    linear in both). Equal to `state_of(after)` bit for bit when `integer_state(model)`."""
    n = model.size
    cols = np.asarray(columns, dtype=np.intp)
    tg = np.broadcast_to(_targets(targets, n), np.shape(before))[:, cols]
    b, a = np.asarray(before)[:, cols], np.asarray(after)[:, cols]
    d_cred = (_credit6(a) - _credit6(b)).astype(F)
    d_lack = (_lacking6(a, tg) - _lacking6(b, tg)).astype(F)
    out = np.array(state, dtype=F, copy=True)
    num, unl = out[:, :n], out[:, n:]
    for p, j in enumerate(cols.tolist()):  # a few package elements: no BLAS
        num += d_cred[:, p:p + 1] * model.weights[j]
        unl += d_lack[:, p:p + 1] * model.weights_t[j]
    return out


def integer_state(model: RoadmapModel) -> bool:
    """Whether the state is made of small integers (whole weights): then it is exact in
    float32, and a stored state plus the change of a few elements equals `state_of` of the
    changed levels bit for bit, whatever the order of the sums."""
    w = model.weights
    return bool(np.array_equal(w, np.round(w)) and np.abs(w).sum() * 6 < 2 ** 24)


# ------------------------------------------------------------------ peers


def group_codes(attrs: Attributes, kind: str = "country_size") -> np.ndarray:
    """int64[M] peer-group code per municipality: 'country_size' (default), 'nuts2', 'country'."""
    if kind == "country_size":
        return attrs.country.astype(np.int64) * max(len(attrs.size_labels), 1) + attrs.size_class
    if kind == "nuts2":
        return attrs.nuts2.astype(np.int64)
    if kind == "country":
        return attrs.country.astype(np.int64)
    raise ValueError(f"no group codes for peer group {kind!r}")


def peers_by_group(levels: np.ndarray, group: np.ndarray, min_group: int = 5,
                   withheld: np.ndarray | None = None, targets=None) -> Peers:
    """Peer proof [M, E] for everyone: the other members of the own group (itself excluded)
    at the target level (default 3) or higher, with the same counts and suppression as
    `Peers.from_levels` on that group; rows in `withheld` (bool[M]: their group's statistics may
    not be published) get none."""
    lv = np.asarray(levels)
    _, inv = np.unique(np.asarray(group, dtype=np.int64), return_inverse=True)
    at_least = Peers.thresholds(targets, lv.shape[1])
    if at_least.ndim == 1:
        count = _leave_one_out(inv, lv >= at_least)
    else:  # a target per municipality: count per level, then read each row's own level
        by_level = [_leave_one_out(inv, lv >= t) for t in range(1, 5)]
        count = np.choose(at_least.astype(np.intp) - 1, by_level)
    known = _leave_one_out(inv, lv != MISSING)
    share, suppressed = Peers.shares(count, known, min_group)
    if withheld is not None and np.any(withheld):
        rows = np.asarray(withheld, dtype=bool)
        share[rows], suppressed[rows] = 0, True
    return Peers(share, count, known, suppressed, at_least)


def _leave_one_out(inv: np.ndarray, flags: np.ndarray) -> np.ndarray:
    """int32[M, E]: per row, how many *other* rows of its group have the flag (one bincount)."""
    e = flags.shape[1]
    n_groups = int(inv.max()) + 1 if inv.size else 0
    cell = (inv.astype(np.intp)[:, None] * e + np.arange(e)).reshape(-1)
    per_group = np.bincount(cell[flags.reshape(-1)], minlength=n_groups * e).reshape(n_groups, e)
    return (per_group[inv] - flags).astype(np.int32)


# ------------------------------------------------------------------ policy aggregates


@dataclass(frozen=True, eq=False)
class Leverage:
    element_ids: tuple[str, ...]
    selected: int  # municipalities in the selection
    lacking: np.ndarray  # int64[E] below target
    mean_unlock: np.ndarray  # float64[E], NaN when nobody lacks it
    leverage: np.ndarray  # float64[E] = lacking * mean_unlock
    first_phase: np.ndarray | None = None  # int64[E] first-phase recommendations
    first_step: np.ndarray | None = None  # int64[E] first recommendations

    def rows(self) -> list[dict]:
        """One dict per element, highest leverage first (ties in framework order): CSV/JSON."""
        order = np.argsort(-self.leverage, kind="stable")
        out = []
        for j in order:
            row = {"element": self.element_ids[j], "lacking": int(self.lacking[j]),
                   "mean_unlock": None if np.isnan(self.mean_unlock[j]) else float(self.mean_unlock[j]),
                   "leverage": float(self.leverage[j])}
            if self.first_phase is not None:
                row["first_phase"] = int(self.first_phase[j])
            if self.first_step is not None:
                row["first_step"] = int(self.first_step[j])
            out.append(row)
        return out


def _unlock_lacking(model: RoadmapModel, lv: np.ndarray, tg: np.ndarray):
    """(below bool[M, E], unlock float32[M, E] where below, else 0) on the current levels:
    below = known and below target (an unknown level lacks nothing we know of), unlock as the
    roadmap counts it (an unknown dependant counts half)."""
    below = (lv != MISSING) & (lv < tg)
    unlock = (_lacking6(lv, tg).astype(F) @ model.weights_t) * F(1.0 / (6 * model.unlock_norm))
    unlock *= below
    return below, unlock


def _selection(lv: np.ndarray, rows, include_unanswered: bool) -> np.ndarray:
    """bool[M]: the selected rows (bool mask or positions; None = all), answered ones only
    unless asked: a municipality without any known level lacks nothing we know of."""
    keep = np.ones(len(lv), dtype=bool) if include_unanswered else (lv != MISSING).any(axis=1)
    if rows is not None:
        sel = np.zeros(len(lv), dtype=bool)
        sel[rows] = True
        keep &= sel
    return keep


def leverage(model: RoadmapModel, levels: np.ndarray, *, targets: np.ndarray | int | None = None,
             rows: np.ndarray | slice | None = None, result: PopulationRoadmap | None = None,
             include_unanswered: bool = False) -> Leverage:
    """Leverage per element over the selected rows (bool mask or positions; None = all),
    leaving out municipalities without any known level unless `include_unanswered`."""
    n = model.size
    lv = _prepare_levels(levels, n)
    tg = _targets(targets, n)
    keep = _selection(lv, rows, include_unanswered)
    sel = lv[keep]
    tsel = tg if tg.ndim == 1 else tg[keep]
    below, unl = _unlock_lacking(model, sel, tsel)
    lacking = below.sum(axis=0, dtype=np.int64)
    total = unl.sum(axis=0, dtype=np.float64)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = np.where(lacking > 0, total / lacking, np.nan)
    fp = fs = None
    if result is not None:
        fp = result.first_phase_counts(keep, include_unanswered=True)
        fs = result.first_step_counts(keep, include_unanswered=True)
    return Leverage(model.element_ids, int(sel.shape[0]), lacking, mean, total, fp, fs)


def leverage_by_group(model: RoadmapModel, levels: np.ndarray, group: np.ndarray, *,
                      targets: np.ndarray | int | None = None, n_groups: int | None = None,
                      include_unanswered: bool = False) -> tuple[np.ndarray, np.ndarray]:
    """(lacking int64[G, E], leverage float64[G, E]) per group code 0..G-1 (e.g. NUTS 2 region
    or size class): the bottleneck heatmap. mean unlock = leverage / lacking. Municipalities
    without any known level are left out unless `include_unanswered`."""
    n = model.size
    lv = _prepare_levels(levels, n)
    g = np.asarray(group, dtype=np.int64)
    size = int(n_groups if n_groups is not None else (g.max() + 1 if g.size else 0))
    keep = _selection(lv, None, include_unanswered)
    lv, g = lv[keep], g[keep]
    tg = _targets(targets, n)
    below, unl = _unlock_lacking(model, lv, tg if tg.ndim == 1 else tg[keep])
    cell = (g[:, None] * n + np.arange(n)).reshape(-1)
    lacking = np.bincount(cell, weights=below.reshape(-1), minlength=size * n)
    lev = np.bincount(cell, weights=unl.reshape(-1), minlength=size * n)
    return lacking.astype(np.int64).reshape(size, n), lev.reshape(size, n)
