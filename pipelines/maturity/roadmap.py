"""The roadmap engine: which elements a municipality is best equipped to develop next, and why.

Pure numpy and small dataclasses: no Dash, no DuckDB, no files. The framework is turned into the
engine's static inputs once, by the adapters at the bottom (`model_from_framework`,
`requirements_from_framework`); everything else takes arrays. The whole-population run, peer
shares per group and leverage live in `roadmap_population.py` and share this module's core, so
one municipality's roadmap is, bit for bit, its row of the population run.

Inputs (E elements in framework order)
--------------------------------------
- levels int8[E]: the current level 0-4, or -1 (MISSING, "don't know"). A missing level scores
  as 0 everywhere, and explanations call it "unknown".
- targets int8[E]: the level to reach per element (default 3 everywhere; 0 = not pursued).
  An element is a *candidate* when its level is below its target.
- the enabling weights W float[E, E] (0-3): W[i, j] > 0 means element i enables element j; the
  column of j lists j's enablers, the row of i its dependants (`RoadmapModel`).
- law requirements (`LawRequirements`): per requirement its element, minimum level, law id and
  the deadline as days from the evaluation date (negative = overdue), for G applicability
  profiles (e.g. one per country): `days[g, r]` is NaN where requirement r does not apply.
- peer proof (`Peers`): per element the share of peers at level >= 3, with the counts behind it
  when known ("14 of 20 similar municipalities have it").

Score components (each in 0..1) for a candidate element j
---------------------------------------------------------
- readiness(j) = sum_i W[i,j] * min(level_i, 3) / 3  /  sum_i W[i,j]
  the weighted share of j's enablers in place: level >= 3 earns full credit, levels 1-2 earn
  level/3, 0 or unknown nothing. An element without enablers has readiness 1 (nothing blocks it).
- unlock(j) = sum_k W[j,k] * [level_k < target_k]  /  max_i sum_k W[i,k]
  the weight of j's dependants still below target, divided by the largest row sum of the matrix
  (the most any element could unlock), so it is comparable across elements and municipalities.
- urgency(j) = max over the applicable requirements r on j with min_r > level_j of
  u(days_r), where u = 1 when the deadline is today or overdue, 1 - years/horizon when it lies
  within the horizon (default 3 years; years = days / 365.25), and 0 beyond it. 0 without any
  such requirement. Only requirements with status "required" of binding laws count by default.
- peer(j) = share of the peers with a known level on j that are at level >= 3 (0 when fewer than
  `min_group` peers answered: the small-n suppression of the product).
- score(j) = (w_r * readiness + w_u * unlock + w_g * urgency + w_p * peer) / (w_r + w_u + w_g + w_p)
  with default weights 0.4, 0.25, 0.2, 0.15 (`Weights`); they need not sum to 1.
Arithmetic is float32 and the same code runs for one municipality and for the population: the
numerators of readiness (in thirds of a level) and unlock are small integers, so they are exact;
the score is formed as (readiness * w_r) + unlock numerator * (w_u / norm) + (w_g * urgency +
w_p * peer), which equals the formula above to about 1e-7, and equal components give equal
scores (so ties are real ties).

Sequencing
----------
Choose the best candidate, assume it raised to its target, recompute readiness and unlock (law
urgency and peer proof do not depend on other elements), repeat; K = phases x per_phase steps
(default 3 x 3) cut into phases in order. An element that has enablers but none of them at any
level (readiness 0) is *blocked*: it is chosen only when every remaining candidate is blocked.
Order: score descending, ties by framework order (first element wins). Deterministic.
A municipality without any known level gets the roadmap of "everything at 0" (`Roadmap.known`
is 0 then); the population aggregates leave such municipalities out.

Explanations, what-if and passive use
-------------------------------------
Every recommendation carries an `Explanation` (structured: the UI translates it; `explain_text`
writes English or Dutch): its enablers with level, weight and whether they are in place, partial
or missing, and whether a level came from the survey, a what-if "done" mark or an earlier step;
the dependants it unlocks; the laws that need it (driving law first) with required level and
deadline; the peer counts; the four components, the normalised weights and the score. The
integers in it reproduce the components, and the components with the weights the score.
`done` marks elements as reached (level raised to target) before anything is computed.
`check_plan` validates an existing strategy: planned elements with readiness below a threshold
and the enablers to add first, planned elements already at target, and recommended elements the
plan misses.

Adapters (framework -> engine)
------------------------------
Law requirements come from the legislation-readiness engine (`readiness.py`), so that a law
adds urgency exactly where, and with the deadline with which, the Legislation tab counts it:
`requirements_for_municipalities` resolves every municipality's conditions there (member-state
flags from member_states.yaml such as NIS2's local scope, threshold and national date and the
EUDI wallet date, else the conditions.yaml default), groups municipalities with equal
conditions into profiles (about one per country) and turns the readiness engine's schedule into
`LawRequirements` (`requirements_from_schedule`) plus each municipality's profile.
`requirements_from_framework` does the same for hand-set profiles of condition values (tests,
illustrations; member-state flags not consulted). Laws with status "proposed" and non-binding
laws are left out by default; requirements with status "recommended" or "target" only when asked
(`statuses`), and then a law's `recommended_if_out_of_scope` level counts as a recommended
requirement where it does not apply.

Speed (benchmarks/bench_roadmap.py, 2-core VM): one explained roadmap about 1 ms; the population
run (98,584 x 39, sequenced top 9) about 0.3-0.4 s of CPU; the law requirements per member state
for all of them (resolve, group into 9 profiles, schedule) about 30-50 ms. The sequencing state is updated by
one row of a precomputed table per step, and the choice uses arithmetic masks instead of
np.where (which costs 3-8 ns per cell against 0.3-0.5 for a multiply).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from functools import cached_property
from typing import Any

import numpy as np

from pipelines.maturity.readiness import (
    NEVER,
    ReadinessInputs,
    RequirementSchedule,
    condition_profiles,
    condition_table,
    readiness_inputs,
    requirement_schedule,
    resolve_population,
)

MISSING = -1
FULL = 3  # level that earns full enabler credit and counts as "has it" for peers
DEFAULT_TARGET = 3
DEFAULT_HORIZON_YEARS = 3.0
DAYS_PER_YEAR = 365.25
COMPONENTS = ("readiness", "unlock", "urgency", "peer")
F = np.float32


# ------------------------------------------------------------------ static inputs


@dataclass(frozen=True)
class Weights:
    """Weights of the four components; normalised by their sum, so any non-negative mix works."""

    readiness: float = 0.4
    unlock: float = 0.25
    urgency: float = 0.2
    peer: float = 0.15

    def __post_init__(self):
        values = self.raw()
        if not all(np.isfinite(v) and v >= 0 for v in values):
            raise ValueError(f"weights must be finite and >= 0, got {values}")
        if sum(values) <= 0:
            raise ValueError("at least one weight must be above 0")

    def raw(self) -> tuple[float, float, float, float]:
        return (float(self.readiness), float(self.unlock), float(self.urgency), float(self.peer))

    def normalised(self) -> tuple[float, float, float, float]:
        """The weights as used, float32-rounded, in COMPONENTS order."""
        raw = np.array(self.raw(), dtype=np.float64)
        return tuple(float(x) for x in (raw / raw.sum()).astype(F))

    @classmethod
    def from_mapping(cls, values: Mapping[str, float] | None) -> Weights:
        if not values:
            return cls()
        unknown = set(values) - set(COMPONENTS)
        if unknown:
            raise ValueError(f"unknown weight(s) {', '.join(sorted(unknown))}; use {', '.join(COMPONENTS)}")
        return cls(**{k: float(v) for k, v in values.items()})


DEFAULT_WEIGHTS = Weights()


@dataclass(frozen=True, eq=False)
class RoadmapModel:
    """The enabling matrix in the engine's form: W[i, j] = how much element i enables element j."""

    element_ids: tuple[str, ...]
    weights: np.ndarray  # float32[E, E], row enables column

    def __post_init__(self):
        w = np.ascontiguousarray(np.asarray(self.weights, dtype=F))
        e = len(self.element_ids)
        if w.shape != (e, e):
            raise ValueError(f"matrix shape {w.shape} does not match {e} elements")
        if not np.all(np.isfinite(w)) or (w < 0).any():
            raise ValueError("matrix weights must be finite and >= 0")
        if np.diagonal(w).any():
            raise ValueError("an element cannot enable itself (non-zero diagonal)")
        if len(set(self.element_ids)) != e:
            raise ValueError("element ids must be unique")
        object.__setattr__(self, "element_ids", tuple(self.element_ids))
        object.__setattr__(self, "weights", w)

    @property
    def size(self) -> int:
        return len(self.element_ids)

    @cached_property
    def index(self) -> dict[str, int]:
        return {e: i for i, e in enumerate(self.element_ids)}

    def indices(self, ids: Iterable[str]) -> np.ndarray:
        """Positions of element ids; KeyError names an unknown id."""
        out = []
        for x in ids:
            if x not in self.index:
                raise KeyError(f"unknown element {x!r}")
            out.append(self.index[x])
        return np.array(out, dtype=np.int64)

    @cached_property
    def enabler_weight(self) -> np.ndarray:
        """float32[E]: sum of each element's enabler weights (its column sum)."""
        return self.weights.sum(axis=0, dtype=F)

    @cached_property
    def has_enablers(self) -> np.ndarray:
        return self.enabler_weight > 0

    @cached_property
    def den3(self) -> np.ndarray:
        """Readiness denominator in thirds of a level: 3 * column sum, 1 without enablers."""
        return np.where(self.has_enablers, F(FULL) * self.enabler_weight, F(1)).astype(F)

    @cached_property
    def offset3(self) -> np.ndarray:
        """Added to the readiness numerator: 1 for elements without enablers (readiness 1/1)."""
        return (~self.has_enablers).astype(F)

    @cached_property
    def unlock_norm(self) -> float:
        """The largest row sum (what the best-connected element can unlock); 1 for an empty matrix."""
        m = float(self.weights.sum(axis=1, dtype=F).max()) if self.size else 0.0
        return m if m > 0 else 1.0

    @cached_property
    def enabler_lists(self) -> tuple[tuple[tuple[int, float], ...], ...]:
        """Per element its enablers (position, weight), strongest first, then framework order."""
        return tuple(tuple((int(i), float(self.weights[i, j]))
                           for i in sorted(np.flatnonzero(self.weights[:, j]),
                                           key=lambda i, j=j: (-self.weights[i, j], i)))
                     for j in range(self.size))

    @cached_property
    def dependant_lists(self) -> tuple[tuple[tuple[int, float], ...], ...]:
        """Per element its dependants (position, weight), strongest first, then framework order."""
        return tuple(tuple((int(k), float(self.weights[j, k]))
                           for k in sorted(np.flatnonzero(self.weights[j]),
                                           key=lambda k, j=j: (-self.weights[j, k], k)))
                     for j in range(self.size))

    @cached_property
    def step_table(self) -> np.ndarray:
        """float32[4E, 2E]: row d*E + b = [d * W[b, :], -W[:, b]], the change of the sequencing
        state [num3 | unl] when element b is raised by d thirds of a level (and reaches target)."""
        e = self.size
        out = np.zeros((4 * e, 2 * e), dtype=F)
        for d in range(FULL + 1):
            out[d * e:(d + 1) * e, :e] = F(d) * self.weights
            out[d * e:(d + 1) * e, e:] = -self.weights_t
        return out

    @cached_property
    def weights_t(self) -> np.ndarray:
        """Contiguous transpose: row j holds the weights of j's enablers."""
        return np.ascontiguousarray(self.weights.T)


@dataclass(frozen=True, eq=False)
class LawRequirements:
    """Law requirements resolved for an evaluation date, for G applicability profiles.

    `days[g, r]` is the number of days from the evaluation date to requirement r's deadline in
    profile g (negative = overdue), NaN where r does not apply in that profile.
    """

    element: np.ndarray  # int[R] element positions
    min_level: np.ndarray  # int[R]
    law_ids: tuple[str, ...]  # per requirement
    days: np.ndarray  # float64[G, R]
    status: tuple[str, ...] = ()  # per requirement, default "required"
    confidence: tuple[str, ...] = ()  # per requirement, default "verified"
    at: dt.date | None = None  # the evaluation date (to turn days back into a date)
    _memo: dict = field(default_factory=dict, repr=False, compare=False)

    def __post_init__(self):
        element = np.asarray(self.element, dtype=np.int64).reshape(-1)
        r = len(element)
        days = np.asarray(self.days, dtype=np.float64)
        if days.ndim == 1:
            days = days.reshape(1, -1)
        if days.shape[1] != r or len(self.law_ids) != r or len(self.min_level) != r:
            raise ValueError("requirement arrays have different lengths")
        object.__setattr__(self, "element", element)
        object.__setattr__(self, "min_level", np.asarray(self.min_level, dtype=np.int64).reshape(-1))
        object.__setattr__(self, "law_ids", tuple(self.law_ids))
        object.__setattr__(self, "days", days)
        object.__setattr__(self, "status", tuple(self.status) or ("required",) * r)
        object.__setattr__(self, "confidence", tuple(self.confidence) or ("verified",) * r)

    def memo(self, key: tuple, make):
        """Derived tables (urgency per horizon, law needs per profile) are made once: the
        requirements are immutable and reused by every call."""
        if key not in self._memo:
            self._memo[key] = make()
        return self._memo[key]

    @property
    def profiles(self) -> int:
        return self.days.shape[0]

    def __len__(self) -> int:
        return len(self.element)

    @classmethod
    def empty(cls, profiles: int = 1) -> LawRequirements:
        return cls(np.zeros(0, np.int64), np.zeros(0, np.int64), (), np.zeros((profiles, 0)))

    @classmethod
    def build(cls, model: RoadmapModel, rows: Sequence[tuple[str, str, int, float | None]],
              at: dt.date | None = None) -> LawRequirements:
        """One profile from (law id, element id, min level, days to deadline or None = n/a)."""
        if not rows:
            return cls.empty()
        laws, elements, mins, days = zip(*rows, strict=True)
        return cls(model.indices(elements), np.array(mins), tuple(laws),
                   np.array([[np.nan if d is None else d for d in days]], dtype=np.float64), at=at)


def time_factor(days: np.ndarray, horizon_years: float = DEFAULT_HORIZON_YEARS) -> np.ndarray:
    """Urgency of a deadline `days` away: 1 when due or overdue, falling linearly to 0 at the
    horizon, 0 beyond it and for NaN (does not apply). float32, same shape."""
    d = np.asarray(days, dtype=np.float64)
    with np.errstate(invalid="ignore"):
        if horizon_years > 0:
            f = np.clip(1.0 - d / (DAYS_PER_YEAR * horizon_years), 0.0, 1.0)
        else:
            f = np.zeros_like(d)
        f = np.where(d <= 0, 1.0, f)
    f = np.where(np.isnan(d), 0.0, f)
    return f.astype(F)


def urgency_table(requirements: LawRequirements | None, n_elements: int,
                  horizon_years: float = DEFAULT_HORIZON_YEARS) -> np.ndarray:
    """float32[G, E, 5]: the urgency of element e in profile g at current level l (0-4), i.e.
    the largest time factor of the applicable requirements on e with min > l (0 if none)."""
    if requirements is None:
        return np.zeros((1, n_elements, 5), dtype=F)
    return requirements.memo(("urgency", n_elements, float(horizon_years)),
                             lambda: _urgency_table(requirements, n_elements, horizon_years))


def _urgency_table(requirements: LawRequirements, n_elements: int, horizon_years: float):
    table = np.zeros((requirements.profiles, n_elements, 5), dtype=F)
    tf = time_factor(requirements.days, horizon_years)  # [G, R]
    for r in range(len(requirements)):
        e, need = int(requirements.element[r]), int(requirements.min_level[r])
        if need > 0:
            np.maximum(table[:, e, :need], tf[:, r, None], out=table[:, e, :need])
    table.flags.writeable = False
    return table


def urgency(requirements: LawRequirements | None, levels: np.ndarray, n_elements: int,
            profile: np.ndarray | int = 0, horizon_years: float = DEFAULT_HORIZON_YEARS,
            table: np.ndarray | None = None) -> np.ndarray:
    """float32[M, E] (or [E] for one municipality): the urgency component of every element.

    `levels` are current levels (MISSING counts as 0); `profile` picks each municipality's row of
    `requirements.days`; `table` is `urgency_table(...)` when already computed."""
    if table is None:
        table = urgency_table(requirements, n_elements, horizon_years)
    lv0 = np.clip(np.asarray(levels), 0, 4).astype(np.intp)
    prof = np.asarray(profile, dtype=np.intp)
    if prof.ndim:
        prof = prof[:, None]
    idx = prof * (n_elements * 5) + np.arange(n_elements, dtype=np.intp) * 5 + lv0
    return table.reshape(-1)[idx]


@dataclass(frozen=True, eq=False)
class Peers:
    """Peer proof per element: `share` of peers at level >= 3 (0 where suppressed), with the
    counts behind it when known. Arrays are [E] for one municipality or [M, E] for many."""

    share: np.ndarray  # float32
    count: np.ndarray | None = None  # peers at >= 3
    known: np.ndarray | None = None  # peers with a known level
    suppressed: np.ndarray | None = None  # bool: fewer than min_group peers with a level

    def __post_init__(self):
        share = np.asarray(self.share, dtype=F)
        if np.isnan(share).any() or (share < 0).any() or (share > 1).any():
            raise ValueError("peer shares must lie in 0..1")
        object.__setattr__(self, "share", share)

    @staticmethod
    def shares(count: np.ndarray, known: np.ndarray, min_group: int = 5
               ) -> tuple[np.ndarray, np.ndarray]:
        """(share float32, suppressed bool) from counts; one formula for single and population."""
        count = np.asarray(count)
        known = np.asarray(known)
        suppressed = known < max(int(min_group), 1)
        with np.errstate(invalid="ignore", divide="ignore"):
            share = np.where(suppressed, F(0), count.astype(F) / known.astype(F))
        return share.astype(F), suppressed

    @classmethod
    def from_levels(cls, peer_levels: np.ndarray, min_group: int = 5) -> Peers:
        """From the peers' levels int8[N, E] (the municipality itself excluded)."""
        lv = np.asarray(peer_levels).reshape(-1, np.shape(peer_levels)[-1])
        count = (lv >= FULL).sum(axis=0)
        known = (lv != MISSING).sum(axis=0)
        share, suppressed = cls.shares(count, known, min_group)
        return cls(share, count, known, suppressed)

    @classmethod
    def none(cls, n_elements: int) -> Peers:
        return cls(np.zeros(n_elements, dtype=F))


# ------------------------------------------------------------------ the scoring core


def _score(num3: np.ndarray, unl: np.ndarray, static: np.ndarray, den3: np.ndarray, wr, cu,
           out: np.ndarray | None = None, tmp: np.ndarray | None = None) -> np.ndarray:
    """score = (num3 / den3) * w_r + unl * (w_u / norm) + static, float32: the one place the
    score is formed (single runs, population runs and `components` alike). readiness =
    num3 / den3 and unlock = unl / norm; static = w_g * urgency + w_p * peer."""
    out = np.divide(num3, den3, out=out)
    out *= wr
    out += np.multiply(unl, cu, out=tmp)
    out += static
    # a weighted mean of values in 0..1; float32 rounding can overshoot 1 by an ulp
    return np.minimum(out, 1.0, out=out)


def _static(urg: np.ndarray, peer: np.ndarray, wg, wp) -> np.ndarray:
    s = urg * wg
    s += peer * wp
    return s.astype(F, copy=False)


def _weights32(model: RoadmapModel, weights: Weights):
    """(w_r, w_u / norm, w_g, w_p) as float32 scalars, and the normalised weights."""
    wr, wu, wg, wp = weights.normalised()
    return F(wr), F(wu / model.unlock_norm), F(wg), F(wp)


NOT_CANDIDATE = F(-4)  # added to the score of elements at or above target (scores lie in 0..1)


def _initial_state(model: RoadmapModel, lv0: np.ndarray):
    """(cred3, num3): each element's credit as an enabler and each element's readiness
    numerator, both in thirds of a level (small integers, exact in float32)."""
    cred3 = np.minimum(lv0, FULL).astype(F)
    num3 = cred3 @ model.weights
    num3 += model.offset3
    return cred3, num3


BLAS_ROWS = 128  # rows per matrix product (see `_state`)


def _state(model: RoadmapModel, lv0: np.ndarray, tg: np.ndarray) -> np.ndarray:
    """float32[m, 2E]: [num3 | unl], the readiness numerators in thirds of a level and the
    unlock numerators unl[m, i] = sum_j W[i, j] * [level_j < target_j]. Small integers, exact.
    The products run on BLAS_ROWS rows at a time: small products keep OpenBLAS on one thread,
    whose helper threads otherwise spin and cost more than they save on a busy 2-core machine
    (the values are exact integers either way)."""
    m, e = lv0.shape
    out = np.empty((m, 2 * e), dtype=F)
    cred3 = np.minimum(lv0, FULL).astype(F)
    below = (lv0 < tg).astype(F)
    w, wt = model.weights, model.weights_t
    for a in range(0, m, BLAS_ROWS):
        b = min(a + BLAS_ROWS, m)
        out[a:b, :e] = cred3[a:b] @ w
        out[a:b, e:] = below[a:b] @ wt
    out[:, :e] += model.offset3
    return out


def _sequence_block(model: RoadmapModel, lv0: np.ndarray, tg: np.ndarray, static: np.ndarray,
                    wr, cu, k: int):
    """Greedy sequencing for a block of municipalities.

    lv0 int[m, E] >= 0, tg int[E] or int[m, E], static float32[m, E] (weighted urgency + peer).
    Returns seq int16[m, k] (-1 = none) and score, readiness, unlock float32[m, k] at the
    moment of choice. The state [num3 | unl] (`_state`) is exact and is updated in place by one
    row of `model.step_table` per step: raising element b by d thirds of a level adds d * W[b, :]
    to num3 and removes W[:, b] from unl. The choice avoids np.where on the full block (slow):
    key = score * (num3 > 0) is >= 0 for candidates and < 0 for elements at target
    (NOT_CANDIDATE), and a row whose best key is not above 0 (every candidate blocked, or none
    left) is decided exactly on its own."""
    m, e = lv0.shape
    cred3 = np.minimum(lv0, FULL).astype(np.int8)
    below = lv0 < tg
    state = _state(model, lv0, tg)
    num3, unl = state[:, :e], state[:, e:]
    st = np.multiply(~below, NOT_CANDIDATE, dtype=F)
    st += static
    den3, table = model.den3, model.step_table
    inv_norm = F(1.0 / model.unlock_norm)
    tg3 = np.minimum(np.broadcast_to(tg, (m, e)), FULL).astype(np.int8).reshape(-1)
    score = np.empty((m, e), dtype=F)
    tmp = np.empty((m, e), dtype=F)
    key = np.empty((m, e), dtype=F)
    base = np.arange(m, dtype=np.intp) * e  # flat index of each row's first element
    # flat views (C-contiguous) for cheap gathers and scatters at (row, best)
    cred3_f, below_f, st_f, score_f, key_f, state_f = (
        a.reshape(-1) for a in (cred3, below, st, score, key, state))
    seq = np.full((m, k), -1, dtype=np.int16)
    out_score = np.zeros((m, k), dtype=F)
    out_r = np.zeros((m, k), dtype=F)
    out_u = np.zeros((m, k), dtype=F)
    for step in range(k):
        _score(num3, unl, st, den3, wr, cu, out=score, tmp=tmp)
        np.multiply(score, num3 > 0, out=key)  # blocked candidates -> 0
        best = key.argmax(axis=1)
        at = base + best
        has = None  # all rows have a candidate
        undecided = np.flatnonzero(key_f[at] <= 0)
        if undecided.size:  # no eligible candidate with a positive score: decide exactly
            sb = below[undecided]
            eligible = sb & (num3[undecided] > 0)
            pick = np.where(eligible.any(axis=1)[:, None], eligible, sb)
            b = np.where(pick, score[undecided], F(-1)).argmax(axis=1)
            best[undecided] = b
            at[undecided] = base[undecided] + b
            has = np.ones(m, dtype=bool)
            has[undecided] = pick[np.arange(undecided.size), b]
            if not has.any():
                break
        seq[:, step] = best
        if has is not None:
            seq[~has, step] = -1
        out_score[:, step] = score_f[at]
        at2 = at + base  # the same cell in the [num3 | unl] rows, which are 2E wide
        out_r[:, step] = state_f[at2] / den3[best]
        out_u[:, step] = state_f[at2 + e] * inv_norm
        # raise the chosen element to its target (rows without a candidate change nothing)
        delta = np.maximum(tg3[at] - cred3_f[at], 0)
        if has is not None:
            delta *= has
        cred3_f[at] += delta
        state += np.take(table, delta.astype(np.intp) * e + best, axis=0)
        below_f[at] = False
        st_f[at] = NOT_CANDIDATE
    return seq, out_score, out_r, out_u


def _prepare_levels(levels: np.ndarray, n: int) -> np.ndarray:
    lv = np.asarray(levels)
    if lv.shape[-1] != n:
        raise ValueError(f"levels have {lv.shape[-1]} elements, the model {n}")
    if lv.size and (lv.min() < MISSING or lv.max() > 4):
        raise ValueError("levels must be -1 (missing) or 0-4")
    return lv


def _targets(targets: np.ndarray | int | None, n: int) -> np.ndarray:
    if targets is None:
        return np.full(n, DEFAULT_TARGET, dtype=np.int8)
    t = np.asarray(targets)
    if t.ndim == 0:
        t = np.full(n, int(t), dtype=np.int8)
    if t.shape[-1] != n or t.min() < 0 or t.max() > 4:
        raise ValueError(f"targets must be {n} levels 0-4")
    return t.astype(np.int8)


def apply_done(levels: np.ndarray, targets: np.ndarray, done: np.ndarray) -> np.ndarray:
    """What-if: the elements at positions `done` raised to their target (never lowered)."""
    lv = np.array(levels, dtype=np.int8, copy=True)
    if len(done):
        lv[..., done] = np.maximum(lv[..., done], np.broadcast_to(targets, lv.shape)[..., done])
    return lv


@dataclass(frozen=True, eq=False)
class Components:
    """Every element's components and score in one state (e.g. for a table of all elements)."""

    element_ids: tuple[str, ...]
    readiness: np.ndarray
    unlock: np.ndarray
    urgency: np.ndarray
    peer: np.ndarray
    score: np.ndarray
    candidate: np.ndarray  # bool: below target
    blocked: np.ndarray  # bool: has enablers, none at any level


def components(model: RoadmapModel, levels: np.ndarray, *, targets=None,
               requirements: LawRequirements | None = None, profile: np.ndarray | int = 0,
               peers: Peers | None = None, weights: Weights = DEFAULT_WEIGHTS,
               horizon_years: float = DEFAULT_HORIZON_YEARS) -> Components:
    """The four components and the score of every element ([E] or [M, E]), no sequencing.
    Scores of non-candidates are computed too; the roadmap ignores them."""
    n = model.size
    lv = _prepare_levels(levels, n)
    tg = _targets(targets, n)
    lv0 = np.maximum(lv, 0)
    below = lv0 < tg
    _, num3 = _initial_state(model, lv0)
    unl = below.astype(F) @ model.weights_t
    urg = urgency(requirements, lv, n, profile, horizon_years)
    peer = np.broadcast_to((peers or Peers.none(n)).share, lv.shape).astype(F)
    wr, cu, wg, wp = _weights32(model, weights)
    score = _score(num3, unl, _static(urg, peer, wg, wp), model.den3, wr, cu)
    return Components(model.element_ids, (num3 / model.den3).astype(F),
                      unl * F(1.0 / model.unlock_norm), urg, peer, score, below,
                      below & (num3 == 0))


def readiness(model: RoadmapModel, levels: np.ndarray) -> np.ndarray:
    """float32[E] (or [M, E]): the readiness component of every element."""
    _, num3 = _initial_state(model, np.maximum(_prepare_levels(levels, model.size), 0))
    return (num3 / model.den3).astype(F)


# ------------------------------------------------------------------ one municipality


@dataclass(frozen=True)
class EnablerState:
    element: str
    weight: float
    level: int | None  # None = unknown
    credit: float  # min(level, 3) / 3
    status: str  # "in_place" (>= 3), "partial" (1-2), "missing" (0 or unknown)
    source: str  # "survey", "done" (what-if) or "roadmap" (raised by an earlier step)


@dataclass(frozen=True)
class LawNeed:
    law: str
    min_level: int
    days: float  # to the deadline from the evaluation date; negative = overdue
    deadline: dt.date | None
    urgency: float  # this requirement's urgency (the component is the largest)
    status: str
    confidence: str

    @property
    def overdue(self) -> bool:
        return self.days <= 0


@dataclass(frozen=True)
class Explanation:
    element: str
    level: int | None  # current level, None = unknown
    target: int
    enablers: tuple[EnablerState, ...]  # strongest first, then framework order
    readiness_credit: float  # sum of weight * credit
    readiness_weight: float  # sum of enabler weights (0: no enablers, readiness 1)
    unlocks: tuple[tuple[str, float], ...]  # dependants still below target, with weights
    unlock_weight: float  # sum of those weights
    unlock_norm: float  # the largest row sum of the matrix
    laws: tuple[LawNeed, ...]  # applicable requirements the level does not meet, driving first
    peers_count: int | None
    peers_known: int | None
    peers_suppressed: bool
    components: dict[str, float]
    weights: dict[str, float]  # normalised
    score: float

    @property
    def in_place(self) -> tuple[EnablerState, ...]:
        return tuple(x for x in self.enablers if x.status == "in_place")

    @property
    def partial(self) -> tuple[EnablerState, ...]:
        return tuple(x for x in self.enablers if x.status == "partial")

    @property
    def missing(self) -> tuple[EnablerState, ...]:
        return tuple(x for x in self.enablers if x.status == "missing")

    @property
    def law(self) -> LawNeed | None:
        """The requirement that sets the urgency (None when urgency is 0)."""
        return self.laws[0] if self.laws and self.laws[0].urgency > 0 else None

    def to_dict(self) -> dict[str, Any]:
        return {
            "element": self.element, "level": self.level, "target": self.target,
            "enablers": [asdict(x) for x in self.enablers],
            "readiness_credit": self.readiness_credit, "readiness_weight": self.readiness_weight,
            "unlocks": [{"element": e, "weight": w} for e, w in self.unlocks],
            "unlock_weight": self.unlock_weight, "unlock_norm": self.unlock_norm,
            "laws": [{"law": x.law, "min_level": x.min_level, "days": x.days,
                      "deadline": x.deadline.isoformat() if x.deadline else None,
                      "overdue": x.overdue, "urgency": x.urgency, "status": x.status,
                      "confidence": x.confidence} for x in self.laws],
            "peers": {"count": self.peers_count, "known": self.peers_known,
                      "share": self.components["peer"], "suppressed": self.peers_suppressed},
            "components": dict(self.components), "weights": dict(self.weights),
            "score": self.score,
        }


@dataclass(frozen=True)
class Recommendation:
    element: str
    index: int  # position in framework order
    rank: int  # 1-based step in the sequence
    phase: int  # 1-based
    score: float
    readiness: float
    unlock: float
    urgency: float
    peer: float
    explanation: Explanation


@dataclass(frozen=True)
class Roadmap:
    element_ids: tuple[str, ...]
    steps: tuple[Recommendation, ...]
    per_phase: int
    weights: Weights
    done: tuple[str, ...] = ()
    targets: tuple[int, ...] = ()
    known: int = 0  # elements with a known level (0: nothing answered, the roadmap is a guess)

    @property
    def ids(self) -> list[str]:
        return [s.element for s in self.steps]

    @property
    def phases(self) -> list[list[Recommendation]]:
        out: list[list[Recommendation]] = []
        for s in self.steps:
            if s.phase > len(out):
                out.append([])
            out[-1].append(s)
        return out

    def to_dict(self) -> dict[str, Any]:
        return {
            "weights": dict(zip(COMPONENTS, self.weights.normalised(), strict=True)),
            "done": list(self.done), "targets": dict(zip(self.element_ids, self.targets, strict=True)),
            "known": self.known,
            "phases": [[{"element": s.element, "rank": s.rank, "score": s.score,
                         "components": s.explanation.components,
                         "explanation": s.explanation.to_dict()} for s in phase]
                       for phase in self.phases],
        }


def _explain(model: RoadmapModel, j: int, now: list[int], start: list[int], survey: list[int],
             tg: list[int], laws: tuple[LawNeed, ...], peers: Peers, comps: dict[str, float],
             wnorm: dict[str, float], score: float) -> Explanation:
    """The explanation of choosing j in the state `now` (levels after done and earlier steps).
    `laws` are j's applicable requirements (all of them; the unmet ones are kept here)."""
    ids = model.element_ids
    enablers = []
    for i, w in model.enabler_lists[j]:
        level = None if now[i] == MISSING else now[i]
        lv = max(now[i], 0)
        status = "in_place" if lv >= FULL else ("partial" if lv > 0 else "missing")
        source = "roadmap" if now[i] != start[i] else ("done" if start[i] != survey[i] else "survey")
        enablers.append(EnablerState(ids[i], w, level, min(lv, FULL) / FULL, status, source))
    deps = [(ids[k], w) for k, w in model.dependant_lists[j] if max(now[k], 0) < tg[k]]
    level_j = max(now[j], 0)
    unmet = tuple(x for x in laws if x.min_level > level_j)
    count = None if peers.count is None else int(peers.count[j])
    known = None if peers.known is None else int(peers.known[j])
    suppressed = bool(peers.suppressed[j]) if peers.suppressed is not None else False
    return Explanation(
        element=ids[j], level=None if survey[j] == MISSING else survey[j], target=tg[j],
        enablers=tuple(enablers),
        readiness_credit=float(sum(x.weight * x.credit for x in enablers)),
        readiness_weight=float(sum(x.weight for x in enablers)),
        unlocks=tuple(deps), unlock_weight=float(sum(w for _, w in deps)),
        unlock_norm=model.unlock_norm, laws=unmet, peers_count=count, peers_known=known,
        peers_suppressed=suppressed, components=comps, weights=wnorm, score=score)


def law_needs(requirements: LawRequirements | None, profile: int = 0,
              horizon_years: float = DEFAULT_HORIZON_YEARS) -> dict[int, tuple[LawNeed, ...]]:
    """Per element position the requirements that apply in a profile, whatever the level: most
    urgent first, then nearest deadline, then framework order."""
    if requirements is None or not len(requirements):
        return {}
    return requirements.memo(("needs", int(profile), float(horizon_years)),
                             lambda: _law_needs(requirements, profile, horizon_years))


def _law_needs(requirements: LawRequirements, profile: int, horizon_years: float):
    out: dict[int, list[LawNeed]] = {}
    days = requirements.days[profile]
    tf = time_factor(days, horizon_years).tolist()
    at = requirements.at
    for r, d in enumerate(days.tolist()):
        if d != d:  # NaN: does not apply
            continue
        out.setdefault(int(requirements.element[r]), []).append(LawNeed(
            requirements.law_ids[r], int(requirements.min_level[r]), d,
            at + dt.timedelta(days=int(d)) if at else None, tf[r], requirements.status[r],
            requirements.confidence[r]))
    return {e: tuple(sorted(needs, key=lambda x: (-x.urgency, x.days))) for e, needs in out.items()}


def roadmap(model: RoadmapModel, levels: np.ndarray, *, targets: np.ndarray | int | None = None,
            requirements: LawRequirements | None = None, profile: int = 0,
            peers: Peers | None = None, weights: Weights = DEFAULT_WEIGHTS, phases: int = 3,
            per_phase: int = 3, horizon_years: float = DEFAULT_HORIZON_YEARS,
            done: Iterable[str] = ()) -> Roadmap:
    """The sequenced, explained roadmap of one municipality (levels int8[E], -1 = unknown)."""
    n = model.size
    if phases < 0 or per_phase < 1:
        raise ValueError("phases must be >= 0 and per_phase >= 1")
    survey = _prepare_levels(levels, n).astype(np.int8).reshape(n)
    tg = _targets(targets, n).reshape(n)
    done = tuple(dict.fromkeys(done))
    start = apply_done(survey, tg, model.indices(done))
    peers = peers or Peers.none(n)
    if peers.share.shape != (n,):
        raise ValueError(f"peers must hold {n} shares for one municipality")
    urg = urgency(requirements, start, n, profile, horizon_years)
    wr, cu, wg, wp = _weights32(model, weights)
    static = _static(urg, peers.share, wg, wp)
    seq, sc, rd, ul = _sequence_block(model, np.maximum(start, 0)[None], tg[None], static[None],
                                      wr, cu, phases * per_phase)
    wnorm = dict(zip(COMPONENTS, weights.normalised(), strict=True))
    steps = []
    survey_l, start_l, tg_l = survey.tolist(), start.tolist(), tg.tolist()
    now = list(start_l)
    urg_l, share_l = urg.tolist(), peers.share.tolist()
    needs = law_needs(requirements, profile, horizon_years)
    for k, (j, s, r, u) in enumerate(zip(seq[0].tolist(), sc[0].tolist(), rd[0].tolist(),
                                         ul[0].tolist(), strict=True)):
        if j < 0:
            break
        comps = {"readiness": r, "unlock": u, "urgency": urg_l[j], "peer": share_l[j]}
        expl = _explain(model, j, now, start_l, survey_l, tg_l,
                        needs.get(j, ()), peers, comps, wnorm, s)
        steps.append(Recommendation(model.element_ids[j], j, k + 1, k // per_phase + 1, s, r, u,
                                    urg_l[j], share_l[j], expl))
        now[j] = max(now[j], tg_l[j])
    return Roadmap(model.element_ids, tuple(steps), per_phase, weights, done, tuple(tg_l),
                   int((survey != MISSING).sum()))


# ------------------------------------------------------------------ passive use


@dataclass(frozen=True)
class PlanIssue:
    element: str
    readiness: float
    missing: tuple[str, ...]  # enablers below level 3, strongest first
    add_first: tuple[str, ...]  # of those, the ones the plan does not include


@dataclass(frozen=True)
class PlanCheck:
    planned: tuple[str, ...]
    lacking: tuple[PlanIssue, ...]  # planned elements with readiness below the threshold
    at_target: tuple[str, ...]  # planned elements already at target
    missed_first_phase: tuple[str, ...]  # first-phase recommendations not in the plan
    missed: tuple[str, ...]  # recommendations of any phase not in the plan
    roadmap: Roadmap


def check_plan(model: RoadmapModel, levels: np.ndarray, plan: Iterable[str], *,
               threshold: float = 0.5, result: Roadmap | None = None, **kwargs) -> PlanCheck:
    """Validate an existing strategy: `plan` is the element ids it develops. Readiness is judged
    on the current levels (with `done` applied); `kwargs` go to `roadmap` (targets, done, ...)."""
    plan = tuple(dict.fromkeys(plan))
    idx = model.indices(plan)
    n = model.size
    tg = _targets(kwargs.get("targets"), n).reshape(n)
    lv = apply_done(_prepare_levels(levels, n).reshape(n), tg, model.indices(kwargs.get("done", ())))
    result = result or roadmap(model, levels, **kwargs)
    ready = readiness(model, lv)
    planned = set(plan)
    lv0 = np.maximum(lv, 0)
    lacking, at_target = [], []
    for e, j in zip(plan, idx, strict=True):
        if lv0[j] >= tg[j]:
            at_target.append(e)
            continue
        if ready[j] < threshold:
            col = model.weights[:, j]
            miss = [model.element_ids[i] for i in sorted(np.flatnonzero(col), key=lambda i: (-col[i], i))
                    if lv0[i] < FULL]
            lacking.append(PlanIssue(e, float(ready[j]), tuple(miss),
                                     tuple(x for x in miss if x not in planned)))
    first = [s.element for s in result.steps if s.phase == 1]
    return PlanCheck(plan, tuple(lacking), tuple(at_target),
                     tuple(x for x in first if x not in planned),
                     tuple(x for x in result.ids if x not in planned), result)


# ------------------------------------------------------------------ words

_TEXT = {
    "en": {
        "head": "{el} (level {lv} → {tg})", "unknown": "unknown",
        "in_place": "In place: {x}.", "partial": "Partly in place: {x}.",
        "missing": "Missing: {x}.", "no_enablers": "Nothing needs to be in place first.",
        "planned": "planned earlier in this roadmap", "done": "marked done",
        "unlocks": "It helps {n} element(s) you still lack: {x}.",
        "law": "{law} requires level {min} by {date}{over}.", "overdue": " (overdue)",
        "in_days": "in {d} days",
        "peers": "{c} of {k} similar municipalities have it at level 3 or higher.",
        "peers_share": "{p}% of similar municipalities have it at level 3 or higher.",
        "peers_few": "Too few similar municipalities answered to compare.",
        "score": "Score {s} = readiness {r} × {wr} + unlock {u} × {wu} + urgency {g} × {wg} "
                 "+ peers {p} × {wp}.",
    },
    "nl": {
        "head": "{el} (niveau {lv} → {tg})", "unknown": "onbekend",
        "in_place": "Aanwezig: {x}.", "partial": "Deels aanwezig: {x}.",
        "missing": "Ontbreekt: {x}.", "no_enablers": "Hiervoor hoeft niets eerst aanwezig te zijn.",
        "planned": "eerder in deze roadmap gepland", "done": "als gedaan gemarkeerd",
        "unlocks": "Het helpt {n} element(en) die nog ontbreken: {x}.",
        "law": "{law} vereist niveau {min} uiterlijk {date}{over}.", "overdue": " (verstreken)",
        "in_days": "over {d} dagen",
        "peers": "{c} van {k} vergelijkbare gemeenten hebben het op niveau 3 of hoger.",
        "peers_share": "{p}% van vergelijkbare gemeenten heeft het op niveau 3 of hoger.",
        "peers_few": "Te weinig vergelijkbare gemeenten hebben geantwoord om te vergelijken.",
        "score": "Score {s} = gereedheid {r} × {wr} + ontsluiting {u} × {wu} + urgentie {g} × {wg} "
                 "+ collega's {p} × {wp}.",
    },
}


def explain_text(expl: Explanation, lang: str = "en", names: Mapping[str, str] | None = None,
                 law_names: Mapping[str, str] | None = None, with_score: bool = True) -> str:
    """One paragraph in English ('en') or Dutch ('nl') from an explanation's numbers."""
    t = _TEXT["nl" if lang == "nl" else "en"]
    names = names or {}
    law_names = law_names or {}

    def name(e: str) -> str:
        return f"{names[e]} ({e})" if e in names else e

    def enabler(x: EnablerState) -> str:
        lv = t["unknown"] if x.level is None else str(x.level)
        extra = {"roadmap": f", {t['planned']}", "done": f", {t['done']}"}.get(x.source, "")
        key = "niveau" if lang == "nl" else "level"
        return f"{name(x.element)} ({key} {lv}{extra})"

    parts = [t["head"].format(el=name(expl.element),
                              lv=t["unknown"] if expl.level is None else expl.level, tg=expl.target)
             + ":"]
    if not expl.enablers:
        parts.append(t["no_enablers"])
    for kind in ("in_place", "partial", "missing"):
        group = getattr(expl, kind)
        if group:
            parts.append(t[kind].format(x=", ".join(enabler(x) for x in group)))
    if expl.unlocks:
        parts.append(t["unlocks"].format(n=len(expl.unlocks),
                                         x=", ".join(name(e) for e, _ in expl.unlocks)))
    law = expl.law
    if law is not None:
        when = law.deadline.isoformat() if law.deadline else t["in_days"].format(d=int(law.days))
        parts.append(t["law"].format(law=law_names.get(law.law, law.law), min=law.min_level,
                                     date=when, over=t["overdue"] if law.overdue else ""))
    if expl.peers_suppressed:
        parts.append(t["peers_few"])
    elif expl.peers_count is not None and expl.peers_known:
        parts.append(t["peers"].format(c=expl.peers_count, k=expl.peers_known))
    elif expl.components["peer"] > 0:
        parts.append(t["peers_share"].format(p=round(100 * expl.components["peer"])))
    if with_score:
        c, w = expl.components, expl.weights
        parts.append(t["score"].format(
            s=f"{expl.score:.2f}", r=f"{c['readiness']:.2f}", u=f"{c['unlock']:.2f}",
            g=f"{c['urgency']:.2f}", p=f"{c['peer']:.2f}", wr=f"{w['readiness']:.2f}",
            wu=f"{w['unlock']:.2f}", wg=f"{w['urgency']:.2f}", wp=f"{w['peer']:.2f}"))
    return " ".join(parts)


# ------------------------------------------------------------------ framework adapters


def model_from_framework(fw) -> RoadmapModel:
    """The enabling matrix of a loaded `pipelines.framework.Framework`."""
    return RoadmapModel(tuple(fw.element_ids), np.asarray(fw.matrix_array(), dtype=F))


def requirements_from_schedule(schedule: RequirementSchedule, at: dt.date, *,
                               statuses: Iterable[str] = ("required",),
                               law_statuses: Iterable[str] = ("in_force", "adopted"),
                               include_non_binding: bool = False) -> LawRequirements:
    """The engine's law requirements from the readiness engine's schedule: one applicability
    profile per column of the schedule's condition table, days counted from `at`.

    A requirement applies in a profile exactly where the readiness engine says it applies, with
    the deadline it uses there (a member-state date where the law has a deadline_ref; no date:
    does not apply). Requirements in law order, then the law file's order. Laws with a status
    outside `law_statuses` ("proposed" by default) and laws not binding on municipalities are
    left out unless asked; requirements with a status outside `statuses` too. With
    "recommended" in `statuses`, a law's `recommended_if_out_of_scope` level is a recommended
    requirement where the law does not apply, due as the readiness engine's ambition counts it
    (the member-state date, else the law's applies_from)."""
    statuses, law_statuses = set(statuses), set(law_statuses)
    c = schedule.compiled
    base = at.toordinal()
    cols: list[tuple[str, int, int, str, str, np.ndarray]] = []
    for r in np.lexsort((c.req_pos, c.req_law)).tolist():  # the file order within each law
        law = c.laws[int(c.req_law[r])]
        if law.status not in law_statuses or not (law.binding_on_municipalities or include_non_binding):
            continue
        req = law.requirements[int(c.req_pos[r])]
        if req.status in statuses:
            cols.append((law.id, int(c.req_elem[r]), req.min, req.status, req.confidence, schedule.due[r]))
        fallback = schedule.fallback_due[r]
        if "recommended" in statuses and c.req_fb_min[r] >= 0 and (fallback < NEVER).any():
            cols.append((law.id, int(c.req_elem[r]), int(c.req_fb_min[r]), "recommended",
                         req.confidence, fallback))
    profiles = schedule.due.shape[1]
    if not cols:
        return LawRequirements.empty(profiles)
    laws, elements, mins, status, conf, due = zip(*cols, strict=True)
    due = np.stack(due, axis=1)  # [profiles, R]
    days = np.where(due >= NEVER, np.nan, due.astype(np.float64) - base)
    return LawRequirements(np.array(elements), np.array(mins), laws, days, status, conf, at)


def requirements_from_framework(fw, at: dt.date,
                                profiles: Sequence[Mapping[str, Any]] | None = None, *,
                                statuses: Iterable[str] = ("required",),
                                law_statuses: Iterable[str] = ("in_force", "adopted"),
                                ref_date_default: dt.date | None = None,
                                include_non_binding: bool = False) -> LawRequirements:
    """The framework's law requirements for evaluation date `at` and hand-set profiles of
    condition values (tests, illustrations; a population uses `requirements_for_municipalities`,
    which takes the member states' flags).

    `profiles`: one mapping of condition values per applicability profile (default: one profile
    with every default); bools or "true"/"false" for `applies_if` conditions, dates (or ISO
    strings) for `deadline_ref` conditions. Unset conditions take their conditions.yaml default,
    and "by_country" means not applicable / no date (`readiness.condition_table`). A
    requirement whose deadline_ref has no date uses `ref_date_default`, or does not apply when
    that is None. The framework's laws only (not the adjacent instruments); the rest as
    `requirements_from_schedule`."""
    inputs = readiness_inputs(fw, laws=fw.laws)
    table = condition_table(inputs, list(profiles) if profiles else [{}], date_default=ref_date_default)
    return requirements_from_schedule(requirement_schedule(inputs, table), at, statuses=statuses,
                                      law_statuses=law_statuses,
                                      include_non_binding=include_non_binding)


@dataclass(frozen=True, eq=False)
class LawProfiles:
    """Law requirements for a population: one applicability profile per group of municipalities
    to which the same requirements apply with the same deadlines, and each one's profile."""

    requirements: LawRequirements
    index: np.ndarray  # int64[M]: each municipality's profile (row of requirements.days)

    def profile(self, row: int) -> int:
        return int(self.index[row])


def requirements_for_municipalities(fw, at: dt.date, countries: Sequence[str] | np.ndarray,
                                    population: Sequence[float] | np.ndarray | None = None, *,
                                    inputs: ReadinessInputs | None = None,
                                    **kwargs) -> LawProfiles:
    """The framework's law requirements at `at` for M municipalities (country codes, population;
    NaN = unknown), resolved as the legislation-readiness engine resolves them: each condition
    from the member state's flags (member_states.yaml: NIS2 local scope, threshold and date, the
    EUDI wallet date, ...) or its conditions.yaml default. Municipalities with the same resolved
    conditions share a profile (about one per country, fewer where countries share the default
    flags), so the engines work per profile, not per municipality. `inputs`: the readiness
    engine's inputs for the framework's laws, when already made; `kwargs` go to
    `requirements_from_schedule` (statuses, ...)."""
    inputs = inputs if inputs is not None else readiness_inputs(fw, laws=fw.laws)
    profiles = condition_profiles(inputs, resolve_population(inputs, countries, population))
    req = requirements_from_schedule(requirement_schedule(inputs, profiles.table), at, **kwargs)
    return LawProfiles(req, profiles.index)
