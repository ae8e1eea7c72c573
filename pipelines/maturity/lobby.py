"""Law readiness for lobbying: per law, how many municipalities are not ready, and why.

Pure numpy on the engine's resolved law requirements (`roadmap.LawRequirements`, e.g. from
`requirements_from_framework`: required requirements of binding laws at an evaluation date, one
applicability profile per country). A small, swappable stand-in until the legislation-readiness
module lands; the policy view only uses `lobby_counts`, `LobbyCounts.select` and `lobby_table`.

Definitions, for a set of municipalities with their current levels (unknown = 0, as in the
roadmap engine: a "don't know" is not evidence of readiness):
- requirement r *applies* to municipality m when `days[profile(m), r]` is not NaN (its
  condition holds and its deadline is known);
- r is *unmet* when it applies and level(m, element_r) < min_r;
- law L *applies* to m when any of its requirements applies; m is *not ready* for L when any
  requirement of L is unmet (readiness against the whole law, whatever the deadline);
- the *elements behind the gap* of L: per element of L, the municipalities with an unmet
  requirement of L on that element; most frequent first (ties in framework order);
- the deadlines of L: the earliest, the next one on or after the evaluation date, and the
  latest, over the requirements that apply in the profiles present.
A law none of whose requirements applies in any profile is *not evaluated* (e.g. NIS2 until its
member-state scope and date are set, or laws whose conditions default to false such as HVD).
Counts are kept per group (e.g. region x size cell), so any union of groups is a sum.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np

from pipelines.maturity.roadmap import MISSING, LawRequirements


@dataclass(frozen=True, eq=False)
class LobbyCounts:
    """Counts per group g (G groups): laws L and (law, element) pairs P in requirement order."""

    law_ids: tuple[str, ...]  # [L]
    pairs: tuple[tuple[str, int], ...]  # [P] (law id, element position)
    n: np.ndarray  # int64[G] municipalities counted
    applies: np.ndarray  # int64[G, L] municipalities to which the law applies
    not_ready: np.ndarray  # int64[G, L]
    pair_unmet: np.ndarray  # int64[G, P]
    profiles: np.ndarray  # int64[G, Pr] municipalities per applicability profile

    def select(self, groups: np.ndarray | slice | None = None) -> LobbyCounts:
        """The sum over the selected groups (bool mask or positions; None = all), as one group."""
        def s(a):
            return (a if groups is None else a[groups]).sum(axis=0, keepdims=True)
        return LobbyCounts(self.law_ids, self.pairs, s(self.n), s(self.applies),
                           s(self.not_ready), s(self.pair_unmet), s(self.profiles))


@dataclass(frozen=True)
class LawReadiness:
    law: str
    municipalities: int  # to which the law applies
    not_ready: int
    share_not_ready: float  # 0..1
    requirements: int  # requirements that apply in the profiles present
    deadline: dt.date | None  # earliest
    next_deadline: dt.date | None  # earliest on or after the evaluation date
    last_deadline: dt.date | None
    gaps: tuple[tuple[int, int, float], ...]  # (element position, municipalities, share)

    @property
    def share_ready(self) -> float:
        return 1.0 - self.share_not_ready


def _group_sum(flags: np.ndarray, group: np.ndarray, n_groups: int) -> np.ndarray:
    """int64[G, X]: per group the rows with each flag (one bincount)."""
    x = flags.shape[1]
    if not x:
        return np.zeros((n_groups, 0), dtype=np.int64)
    cell = (group.astype(np.intp)[:, None] * x + np.arange(x)).reshape(-1)
    return np.bincount(cell[flags.reshape(-1)], minlength=n_groups * x).reshape(n_groups, x)


def lobby_counts(levels: np.ndarray, requirements: LawRequirements,
                 profile: np.ndarray | int = 0, group: np.ndarray | None = None,
                 n_groups: int | None = None) -> LobbyCounts:
    """Counts for the rows of `levels` int8[M, E] (-1 = unknown): pass only the municipalities
    to count (e.g. those that answered). `profile`: each row's row of `requirements.days`;
    `group`: each row's group code 0..G-1 (None = one group)."""
    lv = np.maximum(np.asarray(levels), 0)
    m = lv.shape[0]
    g = np.zeros(m, dtype=np.int64) if group is None else np.asarray(group, dtype=np.int64)
    size = int(n_groups if n_groups is not None else (g.max() + 1 if g.size else 1))
    prof = np.broadcast_to(np.asarray(profile, dtype=np.intp), (m,))
    laws = tuple(dict.fromkeys(requirements.law_ids))
    law_of = np.array([laws.index(x) for x in requirements.law_ids], dtype=np.intp)
    pairs = tuple(dict.fromkeys(zip(requirements.law_ids, requirements.element.tolist(),
                                    strict=True)))
    pair_of = np.array([pairs.index(p) for p in zip(requirements.law_ids,
                                                     requirements.element.tolist(), strict=True)],
                       dtype=np.intp)
    applies_pr = ~np.isnan(requirements.days)  # [Pr, R]
    applies = applies_pr[prof]  # [M, R]
    unmet = (lv[:, requirements.element] < requirements.min_level) & applies
    law_applies = np.zeros((m, len(laws)), dtype=bool)
    law_unmet = np.zeros((m, len(laws)), dtype=bool)
    pair_unmet = np.zeros((m, len(pairs)), dtype=bool)
    for r in range(len(requirements)):
        law_applies[:, law_of[r]] |= applies[:, r]
        law_unmet[:, law_of[r]] |= unmet[:, r]
        pair_unmet[:, pair_of[r]] |= unmet[:, r]
    n_prof = requirements.profiles
    return LobbyCounts(
        laws, pairs, np.bincount(g, minlength=size).astype(np.int64),
        _group_sum(law_applies, g, size), _group_sum(law_unmet, g, size),
        _group_sum(pair_unmet, g, size),
        np.bincount(g * n_prof + prof, minlength=size * n_prof).reshape(size, n_prof))


def lobby_table(counts: LobbyCounts, requirements: LawRequirements, *, top: int = 3,
                min_group: int = 1) -> list[LawReadiness]:
    """One row per evaluated law over all groups of `counts` (use `.select` first), least ready
    first, then nearest deadline, then requirement order. Laws that apply to fewer than
    `min_group` municipalities are left out (suppression); `not_evaluated` lists the others."""
    c = counts if counts.n.shape[0] == 1 else counts.select()
    present = np.flatnonzero(c.profiles[0] > 0)
    days = requirements.days[present] if len(present) else requirements.days[:0]
    at = requirements.at
    out = []
    for li, law in enumerate(c.law_ids):
        n = int(c.applies[0, li])
        if n < max(min_group, 1):
            continue
        cols = [r for r, x in enumerate(requirements.law_ids) if x == law]
        d = days[:, cols]
        applicable = ~np.isnan(d)
        dd = d[applicable]
        not_ready = int(c.not_ready[0, li])
        gaps = [(e, int(c.pair_unmet[0, p])) for p, (x, e) in enumerate(c.pairs) if x == law]
        gaps = [g for g in sorted(gaps, key=lambda g: (-g[1], g[0])) if g[1] > 0][:top]

        def date(v):
            return None if at is None or v is None else at + dt.timedelta(days=int(v))
        upcoming = dd[dd >= 0]
        out.append(LawReadiness(
            law, n, not_ready, not_ready / n, int(applicable.any(axis=0).sum()),
            date(dd.min()) if dd.size else None,
            date(upcoming.min()) if upcoming.size else None,
            date(dd.max()) if dd.size else None,
            tuple((e, k, k / n) for e, k in gaps)))
    far = dt.date.max

    def key(x: LawReadiness):
        return (x.share_ready, x.next_deadline or x.deadline or far)
    return sorted(out, key=key)


def not_evaluated(counts: LobbyCounts, requirements: LawRequirements) -> list[str]:
    """Laws with requirements none of which applies in any profile present in `counts`."""
    c = counts if counts.n.shape[0] == 1 else counts.select()
    present = np.flatnonzero(c.profiles[0] > 0)
    if not len(present):
        present = np.arange(requirements.profiles)
    applicable = ~np.isnan(requirements.days[present])
    out = []
    for law in c.law_ids:
        cols = [r for r, x in enumerate(requirements.law_ids) if x == law]
        if not applicable[:, cols].any():
            out.append(law)
    return out


def unknown_share(levels: np.ndarray) -> float:
    """Share of unknown levels among the rows (how much "unknown = not ready" matters)."""
    lv = np.asarray(levels)
    return float((lv == MISSING).mean()) if lv.size else 0.0
