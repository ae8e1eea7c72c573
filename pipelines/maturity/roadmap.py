"""The roadmap engine: which elements a municipality is best equipped to develop next, and why.

Pure numpy and small dataclasses: no Dash, no DuckDB, no files. The framework is turned into the
engine's static inputs once, by the adapters at the bottom (`model_from_framework`,
`requirements_from_framework`); everything else takes arrays. The whole-population run, peer
shares per group and leverage live in `roadmap_population.py` and share this module's core, so
one municipality's roadmap is, bit for bit, its row of the population run. The README's
"How the roadmap chooses" explains the design with a worked example.

Inputs (E elements in framework order)
--------------------------------------
- levels int8[E]: the current level 0-4, or -1 (MISSING, "don't know").
- targets int8[E]: the level to reach per element (default 3 everywhere; 0 = not pursued).
- the enabling weights W float[E, E] (0-3): W[i, j] > 0 means element i enables element j, and
  the gates G int[E, E] (0-3): G[i, j] > 0 means i is a *prerequisite* of j: j is not
  developed before i is at level G[i, j] (or at its own target, if that is lower; an enabler
  that is not pursued, target 0, gates nothing) (`RoadmapModel`).
- law requirements (`LawRequirements`): per requirement its element, minimum level, law id, the
  deadline as days from the evaluation date (negative = overdue) for G applicability profiles
  (`days[g, r]` NaN where r does not apply), how the law is enforced (`enforcement` 1-3), the
  article (`legal_basis`) and whether the requirement or its national date is unverified.
- peer proof (`Peers`): per element the share of peers with a known level that are at the
  target level or higher, with the counts behind it ("14 of 20 similar municipalities").

Three kinds of element
----------------------
- a *candidate*: its level is known and below its target: the roadmap may develop it;
- an *unknown* (level -1, target > 0): nobody could say where the municipality stands. It is
  never developed and never silently counted as 0: it becomes advice of its own ("establish
  where you stand on ...", `Roadmap.assess`), ordered by the legal duties on it, the elements it
  gates and what it helps build. As an enabler it earns half credit (the middle of "absent" and
  "in place", stated in the explanation); as a dependant it counts half in unlock;
- at target: nothing to do.

Score components (each in 0..1) for a candidate element j
---------------------------------------------------------
- readiness(j) = sum_i W[i,j] * credit_i / sum_i W[i,j], credit = min(level, 3) / 3 for a known
  level, 1/2 for an unknown one. An element without enablers has readiness 1.
- unlock(j) = sum_k W[j,k] * lacking_k / max_i sum_k W[i,k], lacking = min(target_k - level_k,
  3)/3 for a dependant known below its target (1 at level 0, 1/3 a level short: helping an
  element that is nearly there unlocks little), 1/2 for an unknown one (0 when not pursued);
  divided by the largest row sum of the matrix, so it is comparable across elements.
- urgency(j) = max over the applicable requirements r on j with min_r > level_j of
      u_r = time_r x (BASE + (1 - BASE) x (CW x consequence_r + (1 - CW) x gap_r))
  with time_r = 1 when the deadline is today or overdue, 1 - years/horizon within the horizon
  (default 3 years), 0 beyond it; consequence_r = enforcement/3 (3: a supervisor can order and
  fine the municipality, NIS2, GDPR, AI Act; 2: monitored, complaints; 1: nothing aimed at the
  municipality); gap_r = min(min_r - level_j, 3)/3; BASE = 0.4, CW = 0.6. So every overdue or
  imminent duty is urgent (>= 0.4), and among them a supervised duty far below its minimum
  comes first: NIS2 supply-chain security at 0 (u = 1.0) before eIDAS trust services one level
  short (u = 0.72). Only legal duties (status "required" of binding laws) count by default.
- peer(j) = share of the peers with a known level on j that are at level >= target_j (0 when
  fewer than `min_group` peers answered: the small-n suppression of the product).
- score(j) = (w_r readiness + w_u unlock + w_g urgency + w_p peer) / (w_r + w_u + w_g + w_p),
  default weights 0.35, 0.25, 0.25, 0.15 (`Weights`).
Arithmetic is float32 and the same code runs for one municipality and for the population: the
numerators of readiness and unlock (in sixths of a level) are small integers, so they are
exact; equal components give equal scores (so ties are real ties).

Sequencing
----------
Choose the best eligible candidate, assume it raised to its target, recompute readiness, unlock
and gates (urgency and peer proof do not depend on other elements), repeat; K = phases x
per_phase steps (default 3 x 3) cut into phases in order. *Eligible*: no unmet gate and
readiness above 0. A candidate with enablers that are all known and at 0 is *blocked*: it is
chosen only when every ungated candidate is blocked. A gated candidate is never chosen: the
roadmap ends early when only gated candidates remain (their gates are unknown or not pursued;
the assess advice says which). Order: score descending, ties by framework order. Deterministic.
The score of a step is its score *when chosen*, after the earlier steps are assumed done: it
can rise from step to step (earlier steps raise later readiness); the phase, not the score,
orders the roadmap.

Explanations, what-if and passive use
-------------------------------------
Every recommendation carries an `Explanation` (structured: the UI translates it; `explain_text`
writes English or Dutch): its enablers with level, weight and credit (in place, partial,
missing, unknown), the gates it waited for, the dependants it unlocks, the legal requirements
it does not meet with the one that drives the urgency first (law, article, minimum, deadline,
enforcement and whether a fact is unverified), the peer counts and the components, weights and
score. `done` marks elements as reached (raised to target) before anything is computed.
`check_plan` validates an existing strategy.

Adapters (framework -> engine)
------------------------------
Law requirements come from the legislation-readiness engine (`readiness.py`), so that a law
adds urgency exactly where, and with the deadline with which, the Legislation tab counts it
(member-state flags such as NIS2's local scope, threshold and national date, with their
confidence); municipalities with equal conditions share a profile (about one per country).

Speed (benchmarks/bench_roadmap.py, 2-core VM): one explained roadmap about 1 ms; the population
run (98,584 x 39, sequenced top 9) well under 1 s of CPU. The sequencing state is updated by one
row of a precomputed table per step, and the choice uses arithmetic masks instead of np.where.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
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
FULL = 3  # level that earns full enabler credit
DEFAULT_TARGET = 3
DEFAULT_HORIZON_YEARS = 3.0
DAYS_PER_YEAR = 365.25
COMPONENTS = ("readiness", "unlock", "urgency", "peer")
F = np.float32
UNKNOWN_CREDIT6 = 3  # an unknown enabler's credit in sixths of a level: half in place
URGENCY_BASE = 0.4  # every duty that is due counts at least this much
CONSEQUENCE_SHARE = 0.6  # of the rest: consequence (enforcement) vs. the size of the gap
DEFAULT_ENFORCEMENT = 3
UNLOCKS_SHOWN = 4  # dependants named in an explanation's sentence


# ------------------------------------------------------------------ static inputs


@dataclass(frozen=True)
class Weights:
    """Weights of the four components; normalised by their sum, so any non-negative mix works."""

    readiness: float = 0.35
    unlock: float = 0.25
    urgency: float = 0.25
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
    """The enabling matrix in the engine's form: W[i, j] = how much element i enables element j;
    gates[i, j] = the level i must reach before j is developed (0 = not a prerequisite)."""

    element_ids: tuple[str, ...]
    weights: np.ndarray  # float32[E, E], row enables column
    gates: np.ndarray | None = None  # int8[E, E], row gates column; None = no gates

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
        g = np.zeros((e, e), dtype=np.int8) if self.gates is None else \
            np.ascontiguousarray(np.asarray(self.gates, dtype=np.int8))
        if g.shape != (e, e) or g.min(initial=0) < 0 or g.max(initial=0) > FULL:
            raise ValueError(f"gates must be {e}x{e} levels 0-{FULL}")
        if ((g > 0) & (w <= 0)).any():
            raise ValueError("a gate needs an enabling weight on the same cell")
        object.__setattr__(self, "element_ids", tuple(self.element_ids))
        object.__setattr__(self, "weights", w)
        object.__setattr__(self, "gates", g)

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
    def den6(self) -> np.ndarray:
        """Readiness denominator in sixths of a level: 6 * column sum, 1 without enablers."""
        return np.where(self.has_enablers, F(2 * FULL) * self.enabler_weight, F(1)).astype(F)

    @cached_property
    def offset6(self) -> np.ndarray:
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
    def gate_list(self) -> tuple[tuple[int, int, int], ...]:
        """Every gate as (enabler, gated element, level), in matrix order."""
        i, j = np.nonzero(self.gates)
        return tuple((int(a), int(b), int(self.gates[a, b])) for a, b in zip(i, j, strict=True))

    @cached_property
    def gated_by(self) -> tuple[tuple[tuple[int, int], ...], ...]:
        """Per element the gates on it: (enabler, level), framework order."""
        out: list[list[tuple[int, int]]] = [[] for _ in range(self.size)]
        for a, b, g in self.gate_list:
            out[b].append((a, g))
        return tuple(tuple(x) for x in out)

    @cached_property
    def has_gates(self) -> bool:
        return bool(self.gate_list)

    @cached_property
    def step_table(self) -> np.ndarray:
        """float32[49E, 2E]: row (d * 7 + l) * E + b = [d * W[b, :], -l * W[:, b]], the change of
        the sequencing state [num6 | unl6] when element b, known and below target, is raised by
        d sixths of a level and reaches its target: its enablers no longer count the l sixths it
        lacked."""
        e = self.size
        out = np.zeros((49 * e, 2 * e), dtype=F)
        for d in range(7):
            for lack in range(7):
                at = (d * 7 + lack) * e
                out[at:at + e, :e] = F(d) * self.weights
                out[at:at + e, e:] = F(-lack) * self.weights_t
        return out

    @cached_property
    def weights_t(self) -> np.ndarray:
        """Contiguous transpose: row j holds the weights of j's enablers."""
        return np.ascontiguousarray(self.weights.T)


@dataclass(frozen=True, eq=False)
class LawRequirements:
    """Law requirements resolved for an evaluation date, for G applicability profiles.

    `days[g, r]` is the number of days from the evaluation date to requirement r's deadline in
    profile g (negative = overdue), NaN where r does not apply in that profile. `unverified[g, r]`:
    the requirement or the national date it has in that profile is not confirmed by a primary
    source. `enforcement[r]` 1-3 (see the module docstring; default 3), `legal_basis[r]` the
    article.
    """

    element: np.ndarray  # int[R] element positions
    min_level: np.ndarray  # int[R]
    law_ids: tuple[str, ...]  # per requirement
    days: np.ndarray  # float64[G, R]
    status: tuple[str, ...] = ()  # per requirement, default "required"
    confidence: tuple[str, ...] = ()  # per requirement (the law file's), default "verified"
    at: dt.date | None = None  # the evaluation date (to turn days back into a date)
    enforcement: np.ndarray | None = None  # int[R] 1-3
    legal_basis: tuple[str | None, ...] = ()
    unverified: np.ndarray | None = None  # bool[G, R]
    _memo: dict = field(default_factory=dict, repr=False, compare=False)

    def __post_init__(self):
        element = np.asarray(self.element, dtype=np.int64).reshape(-1)
        r = len(element)
        days = np.asarray(self.days, dtype=np.float64)
        if days.ndim == 1:
            days = days.reshape(1, -1)
        if days.shape[1] != r or len(self.law_ids) != r or len(self.min_level) != r:
            raise ValueError("requirement arrays have different lengths")
        enforcement = np.full(r, DEFAULT_ENFORCEMENT, dtype=np.int64) if self.enforcement is None \
            else np.asarray(self.enforcement, dtype=np.int64).reshape(-1)
        if len(enforcement) != r or (r and (enforcement.min() < 1 or enforcement.max() > 3)):
            raise ValueError("enforcement must hold one level 1-3 per requirement")
        confidence = tuple(self.confidence) or ("verified",) * r
        unverified = np.asarray(self.unverified, dtype=bool) if self.unverified is not None \
            else np.broadcast_to(np.array([c == "check" for c in confidence], dtype=bool),
                                 days.shape).copy()
        if unverified.shape != days.shape:
            raise ValueError("unverified must have the shape of days")
        object.__setattr__(self, "element", element)
        object.__setattr__(self, "min_level", np.asarray(self.min_level, dtype=np.int64).reshape(-1))
        object.__setattr__(self, "law_ids", tuple(self.law_ids))
        object.__setattr__(self, "days", days)
        object.__setattr__(self, "status", tuple(self.status) or ("required",) * r)
        object.__setattr__(self, "confidence", confidence)
        object.__setattr__(self, "enforcement", enforcement)
        object.__setattr__(self, "legal_basis", tuple(self.legal_basis) or (None,) * r)
        object.__setattr__(self, "unverified", unverified)

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
    def build(cls, model: RoadmapModel, rows: Sequence[tuple], at: dt.date | None = None
              ) -> LawRequirements:
        """One profile from (law id, element id, min level, days to deadline or None = n/a[,
        enforcement 1-3[, legal basis]]) rows."""
        if not rows:
            return cls.empty()
        laws = [r[0] for r in rows]
        elements = [r[1] for r in rows]
        mins = [r[2] for r in rows]
        days = [r[3] for r in rows]
        enf = [r[4] if len(r) > 4 else DEFAULT_ENFORCEMENT for r in rows]
        basis = tuple(r[5] if len(r) > 5 else None for r in rows)
        return cls(model.indices(elements), np.array(mins), tuple(laws),
                   np.array([[np.nan if d is None else d for d in days]], dtype=np.float64), at=at,
                   enforcement=np.array(enf), legal_basis=basis)


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


def requirement_urgency(time: np.ndarray | float, enforcement: np.ndarray | int,
                        gap: np.ndarray | int) -> np.ndarray:
    """u = time x (BASE + (1 - BASE) x (CW x enforcement/3 + (1 - CW) x min(gap, 3)/3)), float32:
    the urgency of one requirement `gap` levels short of its minimum (see the module docstring)."""
    sev = (CONSEQUENCE_SHARE * np.asarray(enforcement, dtype=np.float64) / 3
           + (1 - CONSEQUENCE_SHARE) * np.minimum(np.asarray(gap, dtype=np.float64), 3) / 3)
    return (np.asarray(time, dtype=np.float64) * (URGENCY_BASE + (1 - URGENCY_BASE) * sev)
            ).astype(F)


def urgency_table(requirements: LawRequirements | None, n_elements: int,
                  horizon_years: float = DEFAULT_HORIZON_YEARS) -> np.ndarray:
    """float32[G, E, 5]: the urgency of element e in profile g at current level l (0-4), i.e.
    the largest urgency of the applicable requirements on e with min > l (0 if none)."""
    if requirements is None:
        return np.zeros((1, n_elements, 5), dtype=F)
    return requirements.memo(("urgency", n_elements, float(horizon_years)),
                             lambda: _urgency_table(requirements, n_elements, horizon_years))


def _urgency_table(requirements: LawRequirements, n_elements: int, horizon_years: float):
    table = np.zeros((requirements.profiles, n_elements, 5), dtype=F)
    tf = time_factor(requirements.days, horizon_years)  # [G, R]
    for r in range(len(requirements)):
        e, need = int(requirements.element[r]), int(requirements.min_level[r])
        for level in range(min(need, 5)):
            u = requirement_urgency(tf[:, r], requirements.enforcement[r], need - level)
            np.maximum(table[:, e, level], u, out=table[:, e, level])
    table.flags.writeable = False
    return table


def urgency(requirements: LawRequirements | None, levels: np.ndarray, n_elements: int,
            profile: np.ndarray | int = 0, horizon_years: float = DEFAULT_HORIZON_YEARS,
            table: np.ndarray | None = None) -> np.ndarray:
    """float32[M, E] (or [E] for one municipality): the urgency component of every element.

    `levels` are current levels (MISSING reads as 0 here: an unknown element is never a
    candidate, and the assess advice reads the urgency a duty would have at level 0); `profile`
    picks each municipality's row of `requirements.days`; `table` is `urgency_table(...)`."""
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
    """Peer proof per element: `share` of peers at `at_least` or higher (0 where suppressed),
    with the counts behind it when known. Arrays are [E] for one municipality or [M, E] for
    many; `at_least` is the level counted per element (the target: peer proof is relative to
    what the municipality aims for)."""

    share: np.ndarray  # float32
    count: np.ndarray | None = None  # peers at >= at_least
    known: np.ndarray | None = None  # peers with a known level
    suppressed: np.ndarray | None = None  # bool: fewer than min_group peers with a level
    at_least: np.ndarray | int = FULL

    def __post_init__(self):
        share = np.asarray(self.share, dtype=F)
        if np.isnan(share).any() or (share < 0).any() or (share > 1).any():
            raise ValueError("peer shares must lie in 0..1")
        object.__setattr__(self, "share", share)

    def level(self, j: int) -> int:
        a = np.asarray(self.at_least)
        return int(a) if a.ndim == 0 else int(a.reshape(-1, a.shape[-1])[0, j])

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

    @staticmethod
    def thresholds(targets, n: int) -> np.ndarray:
        """int8[E] (or [M, E]): the level peers must reach to count: the target, at least 1."""
        return np.maximum(_targets(targets, n), 1).astype(np.int8)

    @classmethod
    def from_levels(cls, peer_levels: np.ndarray, min_group: int = 5, targets=None) -> Peers:
        """From the peers' levels int8[N, E] (the municipality itself excluded), counting those
        at the target (default 3) or higher."""
        lv = np.asarray(peer_levels).reshape(-1, np.shape(peer_levels)[-1])
        at_least = cls.thresholds(targets, lv.shape[1])
        count = (lv >= at_least).sum(axis=0)
        known = (lv != MISSING).sum(axis=0)
        share, suppressed = cls.shares(count, known, min_group)
        return cls(share, count, known, suppressed, at_least)

    @classmethod
    def none(cls, n_elements: int) -> Peers:
        return cls(np.zeros(n_elements, dtype=F))


# ------------------------------------------------------------------ the scoring core


def _score(num6: np.ndarray, unl6: np.ndarray, static: np.ndarray, den6: np.ndarray, wr, cu6,
           out: np.ndarray | None = None, tmp: np.ndarray | None = None) -> np.ndarray:
    """score = (num6 / den6) * w_r + unl6 * (w_u / (6 norm)) + static, float32: the one place
    the score is formed (single runs, population runs and `components` alike). readiness =
    num6 / den6 and unlock = unl6 / (6 norm); static = w_g * urgency + w_p * peer."""
    out = np.divide(num6, den6, out=out)
    out *= wr
    out += np.multiply(unl6, cu6, out=tmp)
    out += static
    # a weighted mean of values in 0..1; float32 rounding can overshoot 1 by an ulp
    return np.minimum(out, 1.0, out=out)


def _static(urg: np.ndarray, peer: np.ndarray, wg, wp) -> np.ndarray:
    s = urg * wg
    s += peer * wp
    return s.astype(F, copy=False)


def _weights32(model: RoadmapModel, weights: Weights):
    """(w_r, w_u / (6 norm), w_g, w_p) as float32 scalars."""
    wr, wu, wg, wp = weights.normalised()
    return F(wr), F(wu / (6 * model.unlock_norm)), F(wg), F(wp)


NOT_CANDIDATE = F(-4)  # added to the score of non-candidates (scores lie in 0..1)


def _credit6(lv: np.ndarray) -> np.ndarray:
    """Enabler credit in sixths of a level: 2 min(level, 3), 3 (half) when unknown."""
    return np.where(lv == MISSING, UNKNOWN_CREDIT6, 2 * np.minimum(np.maximum(lv, 0), FULL))


def _lacking6(lv: np.ndarray, tg: np.ndarray) -> np.ndarray:
    """How much each element still lacks, for its enablers' unlock, in sixths: 2 min(target -
    level, 3) for a known level below target (a dependant at 0 counts fully, one a level short
    a third), 3 (half) for an unknown one that is pursued, 0 otherwise."""
    known_below = (lv != MISSING) & (lv < tg)
    gap = np.minimum(tg.astype(np.int16) - np.maximum(lv, 0), FULL)
    return np.where(known_below, 2 * gap, 0) + 3 * ((lv == MISSING) & (tg > 0))


BLAS_ROWS = 128  # rows per matrix product (see `_state`)


def _state(model: RoadmapModel, lv: np.ndarray, tg: np.ndarray) -> np.ndarray:
    """float32[m, 2E]: [num6 | unl6], the readiness and the unlock numerators in sixths of a
    level (small integers, exact). The products run on BLAS_ROWS rows at
    a time: small products keep OpenBLAS on one thread, whose helper threads otherwise spin and
    cost more than they save on a busy 2-core machine."""
    m, e = lv.shape
    out = np.empty((m, 2 * e), dtype=F)
    cred6 = _credit6(lv).astype(F)
    lack6 = _lacking6(lv, tg).astype(F)
    w, wt = model.weights, model.weights_t
    for a in range(0, m, BLAS_ROWS):
        b = min(a + BLAS_ROWS, m)
        out[a:b, :e] = cred6[a:b] @ w
        out[a:b, e:] = lack6[a:b] @ wt
    out[:, :e] += model.offset6
    return out


def _unmet_gates(model: RoadmapModel, lv: np.ndarray, tg: np.ndarray) -> np.ndarray:
    """int8[m, E]: per element how many of its gates are not met: the enabler is pursued (target
    > 0) and unknown, or below min(gate level, its target)."""
    m, e = lv.shape
    unmet = np.zeros((m, e), dtype=np.int8)
    tgb = np.broadcast_to(tg, (m, e))
    for a, b, g in model.gate_list:
        need = np.minimum(tgb[:, a], g)
        unmet[:, b] += (tgb[:, a] > 0) & ((lv[:, a] == MISSING) | (lv[:, a] < need))
    return unmet


def _sequence_block(model: RoadmapModel, lv: np.ndarray, tg: np.ndarray, static: np.ndarray,
                    wr, cu6, k: int, *, state: np.ndarray | None = None, outputs: bool = True):
    """Greedy sequencing for a block of municipalities.

    lv int8[m, E] (-1 = unknown), tg int[E] or int[m, E], static float32[m, E] (weighted urgency
    + peer). Returns seq int16[m, k] (-1 = none) and score, readiness, unlock float32[m, k] at
    the moment of choice. The state [num6 | unl6] (`_state`) is exact and is updated in place
    by one row of `model.step_table` per step; unmet gates are counted per element and lose the
    gates of the chosen element. The choice avoids np.where on the full block (slow):
    key = score * (num6 > 0) * (no unmet gate) is > 0 only for eligible candidates (others carry
    NOT_CANDIDATE), and a row whose best key is not above 0 is decided exactly on its own.

    `state`: the rows' `_state` when the caller already has it (a float32 [m, 2E] array the
    block may change; the funding what-if updates the stored one by the few raised elements).
    `outputs=False`: only seq (score, readiness and unlock come back as None), for callers
    that report only which elements are chosen."""
    m, e = lv.shape
    tgb = np.ascontiguousarray(np.broadcast_to(tg, (m, e)))
    known = lv != MISSING
    cand = known & (lv < tgb)
    cred6 = np.where(known, 2 * np.minimum(np.maximum(lv, 0), FULL), UNKNOWN_CREDIT6).astype(np.int8)
    state = _state(model, lv, tgb) if state is None else np.ascontiguousarray(state, dtype=F)
    num6, unl6 = state[:, :e], state[:, e:]
    st = np.multiply(~cand, NOT_CANDIDATE, dtype=F)
    st += static
    gated = model.has_gates
    unmet = _unmet_gates(model, lv, tgb) if gated else None
    open_ = (unmet == 0) if gated else None
    den6, table = model.den6, model.step_table
    inv_norm6 = F(1.0 / (6 * model.unlock_norm))
    tg6 = (2 * np.minimum(tgb, FULL)).astype(np.int8).reshape(-1)
    lack6 = (2 * np.minimum(tgb.astype(np.int16) - np.maximum(lv, 0), FULL)).astype(np.int8).reshape(-1)
    score = np.empty((m, e), dtype=F)
    tmp = np.empty((m, e), dtype=F)
    key = np.empty((m, e), dtype=F)
    base = np.arange(m, dtype=np.intp) * e  # flat index of each row's first element
    cred6_f, cand_f, st_f, score_f, key_f, state_f, tg_f = (
        a.reshape(-1) for a in (cred6, cand, st, score, key, state, tgb))
    seq = np.full((m, k), -1, dtype=np.int16)
    out_score = out_r = out_u = None
    if outputs:
        out_score = np.zeros((m, k), dtype=F)
        out_r = np.zeros((m, k), dtype=F)
        out_u = np.zeros((m, k), dtype=F)
    for step in range(k):
        _score(num6, unl6, st, den6, wr, cu6, out=score, tmp=tmp)
        np.multiply(score, num6 > 0, out=key)  # blocked candidates -> 0
        if gated:
            key *= open_
        best = key.argmax(axis=1)
        at = base + best
        has = None  # all rows have a candidate
        undecided = np.flatnonzero(key_f[at] <= 0)
        if undecided.size:  # no eligible candidate with a positive score: decide exactly
            sc = cand[undecided]
            if gated:
                sc = sc & open_[undecided]
            eligible = sc & (num6[undecided] > 0)
            pick = np.where(eligible.any(axis=1)[:, None], eligible, sc)
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
        if outputs:
            out_score[:, step] = score_f[at]
            at2 = at + base  # the same cell in the [num6 | unl6] rows, which are 2E wide
            out_r[:, step] = state_f[at2] / den6[best]
            out_u[:, step] = state_f[at2 + e] * inv_norm6
        # raise the chosen element to its target (rows without a candidate change nothing)
        old6 = cred6_f[at].astype(np.int16)
        delta = np.maximum(tg6[at] - old6, 0)
        if has is not None:
            delta *= has
        if gated:  # the chosen element now meets every gate it holds
            g_rows = model.gates[best]  # int8[m, E]
            need = np.minimum(g_rows, tg_f[at][:, None])
            met = (g_rows > 0) & (old6[:, None] < 2 * need)
            if has is not None:
                met &= has[:, None]
            unmet -= met
            np.equal(unmet, 0, out=open_)
        cred6_f[at] += delta.astype(np.int8)
        drop = np.take(table, (delta.astype(np.intp) * 7 + lack6[at]) * e + best, axis=0)
        if has is not None:
            drop[~has] = 0  # a row without a step removes nothing from unlock
        state += drop
        cand_f[at] &= ~has if has is not None else False
        st_f[at] = np.where(has, NOT_CANDIDATE, st_f[at]) if has is not None else NOT_CANDIDATE
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
    """What-if: the elements at positions `done` raised to their target (never lowered; an
    unknown level becomes the target)."""
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
    candidate: np.ndarray  # bool: level known and below target
    blocked: np.ndarray  # bool: a candidate whose enablers are all known and at 0
    gated: np.ndarray  # bool: a candidate with an unmet gate
    unknown: np.ndarray  # bool: level unknown, target above 0 (assess advice)


def components(model: RoadmapModel, levels: np.ndarray, *, targets=None,
               requirements: LawRequirements | None = None, profile: np.ndarray | int = 0,
               peers: Peers | None = None, weights: Weights = DEFAULT_WEIGHTS,
               horizon_years: float = DEFAULT_HORIZON_YEARS) -> Components:
    """The four components and the score of every element ([E] or [M, E]), no sequencing.
    Scores of non-candidates are computed too; the roadmap ignores them."""
    n = model.size
    lv = _prepare_levels(levels, n)
    one = lv.ndim == 1
    lv2 = lv.reshape(-1, n)
    tg = np.broadcast_to(_targets(targets, n), lv2.shape)
    state = _state(model, lv2, tg)
    num6, unl6 = state[:, :n], state[:, n:]
    urg = urgency(requirements, lv, n, profile, horizon_years).reshape(lv2.shape)
    peer = np.broadcast_to((peers or Peers.none(n)).share, lv.shape).astype(F).reshape(lv2.shape)
    wr, cu6, wg, wp = _weights32(model, weights)
    score = _score(num6, unl6, _static(urg, peer, wg, wp), model.den6, wr, cu6)
    known = lv2 != MISSING
    cand = known & (lv2 < tg)
    unmet = _unmet_gates(model, lv2, tg) > 0
    out = [(num6 / model.den6).astype(F), unl6 * F(1.0 / (6 * model.unlock_norm)), urg, peer,
           score, cand, cand & (num6 == 0), cand & unmet, ~known & (tg > 0)]
    if one:
        out = [x[0] for x in out]
    return Components(model.element_ids, *out)


def readiness(model: RoadmapModel, levels: np.ndarray) -> np.ndarray:
    """float32[E] (or [M, E]): the readiness component of every element (unknown enablers earn
    half credit)."""
    lv = _prepare_levels(levels, model.size)
    num6 = _credit6(lv).astype(F) @ model.weights + model.offset6
    return (num6 / model.den6).astype(F)


# ------------------------------------------------------------------ one municipality


@dataclass(frozen=True)
class EnablerState:
    element: str
    weight: float
    level: int | None  # None = unknown
    credit: float  # min(level, 3) / 3; 1/2 when unknown
    status: str  # "in_place" (>= 3), "partial" (1-2), "missing" (0), "unknown"
    source: str  # "survey", "done" (what-if) or "roadmap" (raised by an earlier step)


@dataclass(frozen=True)
class GateState:
    element: str  # the prerequisite
    gate: int  # the level it must reach (or its target, if lower)
    level: int | None  # its level at the time of choosing (None = unknown)
    source: str  # "survey", "done" or "roadmap" (met by an earlier step)


@dataclass(frozen=True)
class LawNeed:
    law: str
    min_level: int
    days: float  # to the deadline from the evaluation date; negative = overdue
    deadline: dt.date | None
    urgency: float  # this requirement's urgency at the current level (the component is the largest)
    status: str
    confidence: str  # "check" when the requirement or its national date is unverified
    legal_basis: str | None = None
    enforcement: int = DEFAULT_ENFORCEMENT
    time: float = 0.0  # the deadline's time factor (1 = due or overdue)

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
    unlocks: tuple[tuple[str, float], ...]  # dependants still lacking, with weights
    unlock_weight: float  # sum of those weights (an unknown dependant counts half)
    unlock_norm: float  # the largest row sum of the matrix
    laws: tuple[LawNeed, ...]  # applicable requirements the level does not meet, driving first
    peers_count: int | None
    peers_known: int | None
    peers_suppressed: bool
    components: dict[str, float]
    weights: dict[str, float]  # normalised
    score: float
    gates: tuple[GateState, ...] = ()  # prerequisites (met when chosen)
    peers_level: int = FULL  # the level the peer count counts (the target)

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
    def unknown(self) -> tuple[EnablerState, ...]:
        return tuple(x for x in self.enablers if x.status == "unknown")

    @property
    def law(self) -> LawNeed | None:
        """The requirement that sets the urgency (None when urgency is 0)."""
        return self.laws[0] if self.laws and self.laws[0].urgency > 0 else None

    def to_dict(self, digits: int | None = None) -> dict[str, Any]:
        """As JSON reads it; `digits`: every float rounded to that many decimals here, where it
        is written (walking the finished answer again cost the API ~30% of its time)."""
        r = _rounder(digits)
        comps = {k: r(v) for k, v in self.components.items()}
        return {
            "element": self.element, "level": self.level, "target": self.target,
            "enablers": [{"element": x.element, "weight": r(x.weight), "level": x.level,
                          "credit": r(x.credit), "status": x.status, "source": x.source}
                         for x in self.enablers],
            "gates": [{"element": x.element, "gate": x.gate, "level": x.level,
                       "source": x.source} for x in self.gates],
            "readiness_credit": r(self.readiness_credit),
            "readiness_weight": r(self.readiness_weight),
            "unlocks": [{"element": e, "weight": r(w)} for e, w in self.unlocks],
            "unlock_weight": r(self.unlock_weight), "unlock_norm": r(self.unlock_norm),
            "laws": [_law_dict(x, r) for x in self.laws],
            "peers": {"count": self.peers_count, "known": self.peers_known,
                      "at_least": self.peers_level,
                      "share": comps["peer"], "suppressed": self.peers_suppressed},
            "components": comps, "weights": {k: r(v) for k, v in self.weights.items()},
            "score": r(self.score),
        }


def _rounder(digits: int | None):
    """x -> x rounded to `digits` when it is a float (as `round` takes it), else x."""
    if digits is None:
        return _same

    def r(x):
        return round(x, digits) if isinstance(x, float) else x
    return r


def _same(x):
    return x


def _law_dict(x: LawNeed, r=_same) -> dict[str, Any]:
    return {"law": x.law, "legal_basis": x.legal_basis, "min_level": x.min_level,
            "days": r(x.days), "deadline": x.deadline.isoformat() if x.deadline else None,
            "overdue": x.overdue, "urgency": r(x.urgency), "status": x.status,
            "confidence": x.confidence, "enforcement": r(x.enforcement)}


@dataclass(frozen=True)
class Recommendation:
    element: str
    index: int  # position in framework order
    rank: int  # 1-based step in the sequence
    phase: int  # 1-based
    score: float  # when chosen, after the earlier steps
    readiness: float
    unlock: float
    urgency: float
    peer: float
    explanation: Explanation


@dataclass(frozen=True)
class Assess:
    """Advice to establish where the municipality stands on an element nobody could rate."""

    element: str
    index: int
    target: int
    laws: tuple[LawNeed, ...]  # duties that apply to it (urgency as if it were at level 0)
    gates: tuple[str, ...]  # elements it is a prerequisite of that the roadmap would develop
    unlocks: tuple[tuple[str, float], ...]  # dependants still lacking
    unlock_weight: float

    @property
    def urgency(self) -> float:
        return self.laws[0].urgency if self.laws else 0.0

    def to_dict(self, digits: int | None = None) -> dict[str, Any]:
        r = _rounder(digits)
        return {"element": self.element, "target": self.target,
                "laws": [_law_dict(x, r) for x in self.laws], "gates": list(self.gates),
                "unlocks": [{"element": e, "weight": r(w)} for e, w in self.unlocks],
                "unlock_weight": r(self.unlock_weight)}


@dataclass(frozen=True)
class Roadmap:
    element_ids: tuple[str, ...]
    steps: tuple[Recommendation, ...]
    per_phase: int
    weights: Weights
    done: tuple[str, ...] = ()
    targets: tuple[int, ...] = ()
    known: int = 0  # elements with a known level (0: nothing answered, the roadmap is a guess)
    assess: tuple[Assess, ...] = ()  # unknown elements, most important first
    gated: tuple[str, ...] = ()  # candidates left out because a gate stays unmet

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

    def to_dict(self, digits: int | None = None) -> dict[str, Any]:
        """As JSON reads it; `digits`: every float rounded to that many decimals."""
        r = _rounder(digits)
        return {
            "weights": {k: r(v) for k, v in zip(COMPONENTS, self.weights.normalised(),
                                                 strict=True)},
            "done": list(self.done), "targets": dict(zip(self.element_ids, self.targets, strict=True)),
            "known": self.known,
            "assess": [a.to_dict(digits) for a in self.assess],
            "gated": list(self.gated),
            "phases": [[{"element": s.element, "rank": s.rank, "phase": s.phase,
                         "score": r(s.score),
                         "components": {k: r(v) for k, v in s.explanation.components.items()},
                         "explanation": s.explanation.to_dict(digits)} for s in phase]
                       for phase in self.phases],
        }


def _lacking_dependants(model: RoadmapModel, j: int, now: list[int], tg: list[int]):
    """(dependants still lacking with their weights, the unlock weight): each counts its weight
    times what it lacks, min(target - level, 3)/3, or half when its level is unknown."""
    found = []
    for k, w in model.dependant_lists[j]:
        if now[k] == MISSING and tg[k] > 0:
            found.append((model.element_ids[k], w, w / 2))
        elif now[k] != MISSING and now[k] < tg[k]:
            found.append((model.element_ids[k], w, w * min(tg[k] - now[k], FULL) / FULL))
    # the ones helped most first: a sentence names only the first few
    found.sort(key=lambda x: -x[2])
    return tuple((e, w) for e, w, _ in found), sum(x[2] for x in found)


def _source(now: int, start: int, survey: int) -> str:
    return "roadmap" if now != start else ("done" if start != survey else "survey")


def _explain(model: RoadmapModel, j: int, now: list[int], start: list[int], survey: list[int],
             tg: list[int], laws: tuple[LawNeed, ...], peers: Peers, comps: dict[str, float],
             wnorm: dict[str, float], score: float) -> Explanation:
    """The explanation of choosing j in the state `now` (levels after done and earlier steps).
    `laws` are j's applicable requirements with their urgency at j's level, unmet ones only."""
    ids = model.element_ids
    enablers = []
    for i, w in model.enabler_lists[j]:
        if now[i] == MISSING:
            level, credit, status = None, UNKNOWN_CREDIT6 / 6, "unknown"
        else:
            level = now[i]
            credit = min(level, FULL) / FULL
            status = "in_place" if level >= FULL else ("partial" if level > 0 else "missing")
        enablers.append(EnablerState(ids[i], w, level, credit, status,
                                     _source(now[i], start[i], survey[i])))
    gates = tuple(GateState(ids[i], g, None if now[i] == MISSING else now[i],
                            _source(now[i], start[i], survey[i]))
                  for i, g in model.gated_by[j] if tg[i] > 0)
    deps, weight = _lacking_dependants(model, j, now, tg)
    count = None if peers.count is None else int(np.asarray(peers.count).reshape(-1)[j])
    known = None if peers.known is None else int(np.asarray(peers.known).reshape(-1)[j])
    suppressed = bool(np.asarray(peers.suppressed).reshape(-1)[j]) \
        if peers.suppressed is not None else False
    return Explanation(
        element=ids[j], level=None if survey[j] == MISSING else survey[j], target=tg[j],
        enablers=tuple(enablers),
        readiness_credit=float(sum(x.weight * x.credit for x in enablers)),
        readiness_weight=float(sum(x.weight for x in enablers)),
        unlocks=deps, unlock_weight=float(weight),
        unlock_norm=model.unlock_norm, laws=laws, peers_count=count, peers_known=known,
        peers_suppressed=suppressed, components=comps, weights=wnorm, score=score, gates=gates,
        peers_level=peers.level(j))


def law_needs(requirements: LawRequirements | None, profile: int = 0,
              horizon_years: float = DEFAULT_HORIZON_YEARS) -> dict[int, tuple[LawNeed, ...]]:
    """Per element position the requirements that apply in a profile, whatever the level, with
    the urgency they would have at level 0 (`needs_at` gives them at a level)."""
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
        need = int(requirements.min_level[r])
        enf = int(requirements.enforcement[r])
        out.setdefault(int(requirements.element[r]), []).append(LawNeed(
            requirements.law_ids[r], need, d,
            at + dt.timedelta(days=int(d)) if at else None,
            float(requirement_urgency(tf[r], enf, need)) if need > 0 else 0.0,
            requirements.status[r],
            "check" if requirements.unverified[profile, r] else requirements.confidence[r],
            requirements.legal_basis[r], enf, tf[r]))
    return {e: tuple(needs) for e, needs in out.items()}


def needs_at(needs: tuple[LawNeed, ...], level: int) -> tuple[LawNeed, ...]:
    """The requirements a level does not meet, with their urgency at that level, the one that
    drives the urgency first (then the nearest deadline, then law order)."""
    out = []
    for x in needs:
        if x.min_level <= level:
            continue
        u = float(requirement_urgency(x.time, x.enforcement, x.min_level - level))
        out.append(LawNeed(x.law, x.min_level, x.days, x.deadline, u, x.status, x.confidence,
                           x.legal_basis, x.enforcement, x.time))
    return tuple(sorted(out, key=lambda x: (-x.urgency, x.days)))


def _assess(model: RoadmapModel, start: list[int], tg: list[int],
            needs: dict[int, tuple[LawNeed, ...]], comps: Components) -> tuple[Assess, ...]:
    """The unknown elements as advice: those with a legal duty first (most urgent first), then
    those that gate an element the roadmap would develop, then by what they help build."""
    ids = model.element_ids
    out = []
    for j in np.flatnonzero(comps.unknown).tolist():
        gates = tuple(ids[b] for a, b, _ in model.gate_list
                      if a == j and (comps.candidate[b] or comps.unknown[b]))
        deps, weight = _lacking_dependants(model, j, start, tg)
        out.append(Assess(ids[j], j, tg[j], needs_at(needs.get(j, ()), 0), gates, deps, weight))
    return tuple(sorted(out, key=lambda a: (-a.urgency, -len(a.gates), -a.unlock_weight, a.index)))


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
    wr, cu6, wg, wp = _weights32(model, weights)
    static = _static(urg, peers.share, wg, wp)
    seq, sc, rd, ul = _sequence_block(model, start[None], tg[None], static[None], wr, cu6,
                                      phases * per_phase)
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
                        needs_at(needs.get(j, ()), max(now[j], 0)), peers, comps, wnorm, s)
        steps.append(Recommendation(model.element_ids[j], j, k + 1, k // per_phase + 1, s, r, u,
                                    urg_l[j], share_l[j], expl))
        now[j] = max(now[j], tg_l[j])
    comp = components(model, start, targets=tg, requirements=requirements, profile=profile,
                      peers=peers, weights=weights, horizon_years=horizon_years)
    final = _unmet_gates(model, np.array(now, dtype=np.int8)[None], tg[None])[0]
    chosen = set(seq[0][seq[0] >= 0].tolist())
    gated = tuple(model.element_ids[j] for j in np.flatnonzero(comp.candidate & (final > 0))
                  if j not in chosen)
    return Roadmap(model.element_ids, tuple(steps), per_phase, weights, done, tuple(tg_l),
                   int((survey != MISSING).sum()), _assess(model, start_l, tg_l, needs, comp),
                   gated)


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
        "missing": "Missing: {x}.", "unknown_enablers": "Not known (counted as half in place): {x}.",
        "no_enablers": "Nothing needs to be in place first.",
        "planned": "planned earlier in this roadmap", "done": "marked done",
        "gates": "It waited for its prerequisite(s): {x}.",
        "unlocks": "It helps {n} element(s) you still lack: {x}.", "more": "and {n} more",
        "law": "{law} {basis}requires level {min} by {date}{over}{check}; {enf}.",
        "overdue": " (overdue)", "check": ", a date or fact not yet verified",
        "enf": {3: "a supervisor can order measures and fine", 2: "monitored, with complaints or "
                "redress", 1: "no enforcement aimed at the municipality"},
        "in_days": "in {d} days",
        "peers": "{c} of {k} similar municipalities have it at level {lv} or higher.",
        "peers_share": "{p}% of similar municipalities have it at level {lv} or higher.",
        "peers_few": "Too few similar municipalities answered to compare.",
        "score": "Score when chosen {s} = readiness {r} × {wr} + unlock {u} × {wu} + urgency {g} "
                 "× {wg} + peers {p} × {wp}.",
        "assess": "Establish where you stand on {el}",
        "assess_law": "{law} {basis}requires level {min} by {date}{over}{check}",
        "assess_gates": "it decides whether {x} can start",
        "assess_unlocks": "it helps {n} element(s): {x}",
        "assess_none": "nobody could rate it",
    },
    "nl": {
        "head": "{el} (niveau {lv} → {tg})", "unknown": "onbekend",
        "in_place": "Aanwezig: {x}.", "partial": "Deels aanwezig: {x}.",
        "missing": "Ontbreekt: {x}.", "unknown_enablers": "Onbekend (telt half mee): {x}.",
        "no_enablers": "Hiervoor hoeft niets eerst aanwezig te zijn.",
        "planned": "eerder in deze roadmap gepland", "done": "als gedaan gemarkeerd",
        "gates": "Het wachtte op de voorwaarde(n): {x}.",
        "unlocks": "Het helpt {n} element(en) die nog ontbreken: {x}.", "more": "en {n} meer",
        "law": "{law} {basis}vereist niveau {min} uiterlijk {date}{over}{check}; {enf}.",
        "overdue": " (verstreken)", "check": ", een datum of feit dat nog niet is geverifieerd",
        "enf": {3: "een toezichthouder kan maatregelen opleggen en beboeten", 2: "er is toezicht, "
                "met klacht of rechtsmiddel", 1: "geen handhaving gericht op de gemeente"},
        "in_days": "over {d} dagen",
        "peers": "{c} van {k} vergelijkbare gemeenten hebben het op niveau {lv} of hoger.",
        "peers_share": "{p}% van vergelijkbare gemeenten heeft het op niveau {lv} of hoger.",
        "peers_few": "Te weinig vergelijkbare gemeenten hebben geantwoord om te vergelijken.",
        "score": "Score bij de keuze {s} = gereedheid {r} × {wr} + ontsluiting {u} × {wu} + "
                 "urgentie {g} × {wg} + collega's {p} × {wp}.",
        "assess": "Stel vast waar u staat op {el}",
        "assess_law": "{law} {basis}vereist niveau {min} uiterlijk {date}{over}{check}",
        "assess_gates": "het bepaalt of {x} kan beginnen",
        "assess_unlocks": "het helpt {n} element(en): {x}",
        "assess_none": "niemand kon het beoordelen",
    },
}


def _first(t: dict, items: list[str], shown: int = UNLOCKS_SHOWN) -> str:
    """The first few of a list ordered by weight, and how many more: a sentence naming 17
    elements is not read; the structured explanation keeps them all."""
    if len(items) <= shown + 1:
        return ", ".join(items)
    return ", ".join(items[:shown]) + " " + t["more"].format(n=len(items) - shown)


def _law_phrase(t: dict, law: LawNeed, law_names: Mapping[str, str], key: str = "law") -> str:
    when = law.deadline.isoformat() if law.deadline else t["in_days"].format(d=int(law.days))
    basis = f"({law.legal_basis}) " if law.legal_basis else ""
    return t[key].format(law=law_names.get(law.law, law.law), basis=basis, min=law.min_level,
                         date=when, over=t["overdue"] if law.overdue else "",
                         check=t["check"] if law.confidence == "check" else "",
                         enf=t["enf"].get(law.enforcement, ""))


def explain_text(expl: Explanation, lang: str = "en", names: Mapping[str, str] | None = None,
                 law_names: Mapping[str, str] | None = None, with_score: bool = True) -> str:
    """One paragraph in English ('en') or Dutch ('nl') from an explanation's numbers."""
    return " ".join(explain_parts(expl, lang, names, law_names, with_score))


def explain_parts(expl: Explanation, lang: str = "en", names: Mapping[str, str] | None = None,
                  law_names: Mapping[str, str] | None = None, with_score: bool = True
                  ) -> list[str]:
    """The explanation's sentences: the head ("X (level 1 → 3):"), then enablers in place,
    partly, missing, unknown, the gates, what it unlocks, the law, the peers and the score.
    Sentences, not a paragraph split at full stops: "Art. 21" holds one."""
    t = _TEXT["nl" if lang == "nl" else "en"]
    names = names or {}
    law_names = law_names or {}

    def name(e: str) -> str:
        return f"{names[e]} ({e})" if e in names else e

    def enabler(x) -> str:
        lv = t["unknown"] if x.level is None else str(x.level)
        extra = {"roadmap": f", {t['planned']}", "done": f", {t['done']}"}.get(x.source, "")
        key = "niveau" if lang == "nl" else "level"
        return f"{name(x.element)} ({key} {lv}{extra})"

    parts = [t["head"].format(el=name(expl.element),
                              lv=t["unknown"] if expl.level is None else expl.level, tg=expl.target)
             + ":"]
    if not expl.enablers:
        parts.append(t["no_enablers"])
    for kind, key in (("in_place", "in_place"), ("partial", "partial"), ("missing", "missing"),
                      ("unknown", "unknown_enablers")):
        group = getattr(expl, kind)
        if group:
            parts.append(t[key].format(x=", ".join(enabler(x) for x in group)))
    if expl.gates:
        parts.append(t["gates"].format(x=", ".join(enabler(x) for x in expl.gates)))
    if expl.unlocks:
        parts.append(t["unlocks"].format(n=len(expl.unlocks),
                                         x=_first(t, [name(e) for e, _ in expl.unlocks])))
    law = expl.law
    if law is not None:
        parts.append(_law_phrase(t, law, law_names))
    if expl.peers_suppressed:
        parts.append(t["peers_few"])
    elif expl.peers_count is not None and expl.peers_known:
        parts.append(t["peers"].format(c=expl.peers_count, k=expl.peers_known,
                                       lv=expl.peers_level))
    elif expl.components["peer"] > 0:
        parts.append(t["peers_share"].format(p=round(100 * expl.components["peer"]),
                                             lv=expl.peers_level))
    if with_score:
        c, w = expl.components, expl.weights
        parts.append(t["score"].format(
            s=f"{expl.score:.2f}", r=f"{c['readiness']:.2f}", u=f"{c['unlock']:.2f}",
            g=f"{c['urgency']:.2f}", p=f"{c['peer']:.2f}", wr=f"{w['readiness']:.2f}",
            wu=f"{w['unlock']:.2f}", wg=f"{w['urgency']:.2f}", wp=f"{w['peer']:.2f}"))
    return parts


def assess_text(a: Assess, lang: str = "en", names: Mapping[str, str] | None = None,
                law_names: Mapping[str, str] | None = None) -> str:
    """'Establish where you stand on X: GDPR requires level 3 ...; it decides whether Y can
    start; it helps 4 element(s): ...'."""
    t = _TEXT["nl" if lang == "nl" else "en"]
    names = names or {}

    def name(e: str) -> str:
        return f"{names[e]} ({e})" if e in names else e

    reasons = [_law_phrase(t, x, law_names or {}, "assess_law") for x in a.laws[:2]]
    if a.gates:
        reasons.append(t["assess_gates"].format(x=", ".join(name(e) for e in a.gates)))
    if a.unlocks:
        reasons.append(t["assess_unlocks"].format(n=len(a.unlocks),
                                                  x=_first(t, [name(e) for e, _ in a.unlocks])))
    return t["assess"].format(el=name(a.element)) + ": " + ("; ".join(reasons) or
                                                           t["assess_none"]) + "."


# ------------------------------------------------------------------ framework adapters


def model_from_framework(fw) -> RoadmapModel:
    """The enabling matrix of a loaded `pipelines.framework.Framework`."""
    return RoadmapModel(tuple(fw.element_ids), np.asarray(fw.matrix_array(), dtype=F),
                        np.asarray(fw.gate_array(), dtype=np.int8))


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
    unverified_all = schedule.unverified if schedule.unverified is not None else \
        np.zeros(schedule.due.shape, dtype=bool)
    cols: list[tuple] = []
    for r in np.lexsort((c.req_pos, c.req_law)).tolist():  # the file order within each law
        law = c.laws[int(c.req_law[r])]
        if law.status not in law_statuses or not (law.binding_on_municipalities or include_non_binding):
            continue
        req = law.requirements[int(c.req_pos[r])]
        enf = law.enforcement.level if law.enforcement is not None else 1
        if req.status in statuses:
            cols.append((law.id, int(c.req_elem[r]), req.min, req.status, req.confidence,
                         schedule.due[r], enf, req.legal_basis, unverified_all[r]))
        fallback = schedule.fallback_due[r]
        if "recommended" in statuses and c.req_fb_min[r] >= 0 and (fallback < NEVER).any():
            cols.append((law.id, int(c.req_elem[r]), int(c.req_fb_min[r]), "recommended",
                         req.confidence, fallback, enf, req.legal_basis, unverified_all[r]))
    profiles = schedule.due.shape[1]
    if not cols:
        return LawRequirements.empty(profiles)
    laws, elements, mins, status, conf, due, enf, basis, unverified = zip(*cols, strict=True)
    due = np.stack(due, axis=1)  # [profiles, R]
    days = np.where(due >= NEVER, np.nan, due.astype(np.float64) - base)
    return LawRequirements(np.array(elements), np.array(mins), laws, days, status, conf, at,
                           enforcement=np.array(enf), legal_basis=basis,
                           unverified=np.stack(unverified, axis=1))


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
    that is None. Every law, the adjacent instruments included (they bind municipalities too:
    whistleblowing, state advertising); the rest as
    `requirements_from_schedule`."""
    inputs = readiness_inputs(fw, laws=fw.all_laws)
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
    inputs = inputs if inputs is not None else readiness_inputs(fw, laws=fw.all_laws)
    profiles = condition_profiles(inputs, resolve_population(inputs, countries, population))
    req = requirements_from_schedule(requirement_schedule(inputs, profiles.table), at, **kwargs)
    return LawProfiles(req, profiles.index)
