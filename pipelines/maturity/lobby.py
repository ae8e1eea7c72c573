"""Law readiness for lobbying: per law, how many municipalities are ready, not ready or unknown,
the elements behind the gap and the deadlines, counted per group.

Pure numpy. Every figure is the legislation-readiness engine's (`readiness.readiness_by_group`,
the same masks as `readiness.population_readiness`), so the policy view's lobby table and the
Legislation tab agree on who is ready for which law at the same date and horizon. The policy view
counts once per build per cell (country x NUTS 2 x size class), so any selection is a sum of
cells (`LobbyCounts.select`).

Definitions, for the municipalities counted (the policy view: those that answered), a law, an
evaluation date `at` and a horizon (cutoff = at + horizon):
- the law *applies* to a municipality when any of its legal requirements (status "required", law
  binding on municipalities) counts there: it applies in the municipality's member state with
  that state's flags (NIS2 only where local government is in scope, maybe above a population
  threshold; ...) and is due by the cutoff (a member-state date where the law leaves the date to
  the member state). Otherwise it does not count there: not applicable (nothing of the law
  applies) or not due (something applies, nothing is due by the cutoff), and the municipality
  is neither ready nor not ready for it;
- *not ready*: at least one counting element is known to be below its minimum (a gap);
  *unknown*: no known gap, but a counting element without an answer (unknown is not a gap);
  *ready*: neither;
- the *elements behind the gap*: per element, the municipalities with a known gap on it for the
  law, most first (ties in framework order); apart from them, those without an answer on it;
- the *deadlines*: the earliest and the latest among the law's legal requirements that count
  for a municipality counted (per condition profile present), and the next one on or after `at`
  among those that apply to one, due by the cutoff or later (what comes next for lobbying).
A law that applies to none of the municipalities of a selection is *not evaluated* there
(`not_evaluated`); `first_due_after` tells whether that is only because nothing is due yet.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np

from pipelines.maturity.readiness import (
    DUE_STATUSES,
    NEVER,
    NOT_READY,
    READY,
    UNKNOWN,
    ConditionTable,
    ReadinessInputs,
    condition_profiles,
    readiness_by_group,
    requirement_schedule,
)
from pipelines.maturity.roadmap import MISSING


@dataclass(frozen=True, eq=False)
class LobbyCounts:
    """Counts per group g (G groups) for laws L, (law, element) pairs P and the condition
    profiles Pr of the municipalities counted; `due` holds the deadlines of the laws' legal
    requirement rows per profile, for the deadline columns."""

    law_ids: tuple[str, ...]  # [L]
    pairs: tuple[tuple[str, int], ...]  # [P] (law id, element position), in law order
    at: dt.date
    cutoff: dt.date
    n: np.ndarray  # int64[G] municipalities counted
    status: np.ndarray  # int64[G, L, N_STATUS] municipalities per readiness status code
    pair_gap: np.ndarray  # int64[G, P] with a known gap on the element for the law
    pair_unknown: np.ndarray  # int64[G, P] without an answer on it (where it counts)
    profiles: np.ndarray  # int64[G, Pr] municipalities per condition profile
    due: np.ndarray  # int32[Pr, R] deadline ordinal of each legal requirement row, NEVER = n/a
    due_law: np.ndarray  # int64[R] the law (position in law_ids) of each row

    @property
    def applies(self) -> np.ndarray:
        """int64[G, L]: municipalities for which something of the law counts (is due by the
        cutoff): ready, not ready or unknown."""
        return self.status[..., list(DUE_STATUSES)].sum(axis=-1)

    @property
    def ready(self) -> np.ndarray:
        return self.status[..., READY]

    @property
    def not_ready(self) -> np.ndarray:
        """int64[G, L]: municipalities with a known gap."""
        return self.status[..., NOT_READY]

    @property
    def unknown(self) -> np.ndarray:
        """int64[G, L]: municipalities without a known gap but with a counting element unknown."""
        return self.status[..., UNKNOWN]

    def select(self, groups: np.ndarray | slice | None = None) -> LobbyCounts:
        """The sum over the selected groups (bool mask or positions; None = all), as one group."""
        def s(a):
            return (a if groups is None else a[groups]).sum(axis=0, keepdims=True)
        return LobbyCounts(self.law_ids, self.pairs, self.at, self.cutoff, s(self.n), s(self.status),
                           s(self.pair_gap), s(self.pair_unknown), s(self.profiles), self.due,
                           self.due_law)


@dataclass(frozen=True)
class LawReadiness:
    law: str
    municipalities: int  # to which the law applies
    not_ready: int  # with a known gap
    share_not_ready: float  # 0..1 of municipalities
    requirements: int  # legal requirement rows that count for a municipality counted
    deadline: dt.date | None  # earliest of the requirements that count
    next_deadline: dt.date | None  # earliest on or after the evaluation date (also after the cutoff)
    last_deadline: dt.date | None  # latest of the requirements that count
    gaps: tuple[tuple[int, int, float], ...]  # (element position, municipalities, share)
    unknown: int = 0  # no known gap, an element without an answer
    share_unknown: float = 0.0
    unknowns: tuple[tuple[int, int, float], ...] = ()  # (element, municipalities, share)

    @property
    def ready(self) -> int:
        return self.municipalities - self.not_ready - self.unknown

    @property
    def share_ready(self) -> float:
        """Ready as the readiness engine says it: no gap and nothing unknown."""
        return 1.0 - self.share_not_ready - self.share_unknown


def _group_codes(group: np.ndarray | None, m: int, n_groups: int | None) -> tuple[np.ndarray, int]:
    g = np.zeros(m, dtype=np.int64) if group is None else np.asarray(group, dtype=np.int64)
    size = int(n_groups if n_groups is not None else (g.max() + 1 if g.size else 1))
    return g, size


def lobby_counts(inputs: ReadinessInputs, levels: np.ndarray, table: ConditionTable, *,
                 at: dt.date, horizon_days: int = 0, group: np.ndarray | None = None,
                 n_groups: int | None = None) -> LobbyCounts:
    """Counts for the rows of `levels` int8[M, E] (-1 = unknown) with their resolved conditions
    `table` (`readiness.resolve_population`, same rows): pass only the municipalities to count
    (e.g. those that answered). Every law of `inputs` is counted (`readiness_inputs(fw, laws=...)`
    chooses them); `group`: each row's group code 0..G-1 (None = one group)."""
    g, size = _group_codes(group, table.size, n_groups)
    counted = readiness_by_group(inputs, levels, table, g, size, at=at, horizon_days=horizon_days)
    # deadlines per condition profile: every municipality of a profile has the same ones
    profiles = condition_profiles(inputs, table)
    schedule = requirement_schedule(inputs, profiles.table)
    legal = schedule.compiled.req_legal
    n_prof = profiles.size
    per_profile = np.bincount(g * n_prof + profiles.index, minlength=size * n_prof)
    return LobbyCounts(
        law_ids=counted.law_ids, pairs=counted.slots, at=counted.at, cutoff=counted.cutoff,
        n=counted.n, status=counted.status, pair_gap=counted.slot_gap,
        pair_unknown=counted.slot_unknown, profiles=per_profile.reshape(size, n_prof),
        due=np.ascontiguousarray(schedule.due[legal].T),
        due_law=schedule.compiled.req_law[legal].astype(np.int64))


def _one(counts: LobbyCounts) -> LobbyCounts:
    return counts if counts.n.shape[0] == 1 else counts.select()


def _due_present(c: LobbyCounts, li: int) -> np.ndarray:
    """int32[profiles present, rows of law li]: the deadlines of the law's legal requirements in
    the profiles of the municipalities counted (NEVER where a requirement does not apply)."""
    return c.due[c.profiles[0] > 0][:, c.due_law == li]


def _top(pairs, counts: np.ndarray, law: str, n: int, top: int) -> tuple[tuple[int, int, float], ...]:
    rows = [(e, int(counts[p])) for p, (x, e) in enumerate(pairs) if x == law]
    rows = [r for r in sorted(rows, key=lambda r: (-r[1], r[0])) if r[1] > 0][:top]
    return tuple((e, k, k / n) for e, k in rows)


def lobby_table(counts: LobbyCounts, *, top: int = 3, min_group: int = 1) -> list[LawReadiness]:
    """One row per evaluated law over all groups of `counts` (use `.select` first), least ready
    first (the engine's ready share), then nearest deadline, then law order. Laws that apply to
    fewer than `min_group` municipalities are left out (suppression); `not_evaluated` lists the
    laws that apply to none."""
    c = _one(counts)
    at, cutoff = c.at.toordinal(), c.cutoff.toordinal()
    applies, not_ready, unknown = c.applies[0], c.not_ready[0], c.unknown[0]
    out = []
    for li, law in enumerate(c.law_ids):
        n = int(applies[li])
        if n < max(min_group, 1):
            continue
        due = _due_present(c, li)
        counting = due <= cutoff
        dd = due[counting]
        upcoming = due[(due >= at) & (due < NEVER)]

        def date(v):
            return dt.date.fromordinal(int(v))
        out.append(LawReadiness(
            law, n, int(not_ready[li]), int(not_ready[li]) / n, int(counting.any(axis=0).sum()),
            date(dd.min()) if dd.size else None,
            date(upcoming.min()) if upcoming.size else None,
            date(dd.max()) if dd.size else None,
            _top(c.pairs, c.pair_gap[0], law, n, top),
            int(unknown[li]), int(unknown[li]) / n,
            _top(c.pairs, c.pair_unknown[0], law, n, top)))
    far = dt.date.max

    def key(x: LawReadiness):
        return (x.share_ready, x.next_deadline or x.deadline or far)
    return sorted(out, key=key)


def not_evaluated(counts: LobbyCounts) -> list[str]:
    """Laws that apply to none of the municipalities counted (law order)."""
    c = _one(counts)
    return [law for li, law in enumerate(c.law_ids) if c.applies[0, li] == 0]


def first_due_after(counts: LobbyCounts, law: str) -> dt.date | None:
    """The earliest deadline after the cutoff among the law's legal requirements that apply to a
    municipality counted: why a law that applies is not evaluated yet (None: nothing applies)."""
    c = _one(counts)
    due = _due_present(c, c.law_ids.index(law))
    later = due[(due > c.cutoff.toordinal()) & (due < NEVER)]
    return dt.date.fromordinal(int(later.min())) if later.size else None


def unknown_share(levels: np.ndarray) -> float:
    """Share of unknown levels among the rows."""
    lv = np.asarray(levels)
    return float((lv == MISSING).mean()) if lv.size else 0.0
