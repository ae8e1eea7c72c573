"""Peer statistics without re-sorting the peers on every click: exact, and cacheable per group.

Element levels are whole numbers 0-4, so a peer group's distribution per element is five counts.
Quartiles (linear interpolation, as np.percentile and DuckDB's quantile_cont) and mid-rank
percentiles follow exactly from the cumulative counts, without sorting 35,000 values per element
(the French country group). `element_distribution` gives the same `Profile` as
`profile.element_profile`, plus the counts for a per-level picture.

A municipality's peers are its group (country, region, country x size class) minus itself. The
group's counts, or its sorted block scores, can therefore be computed once and reused for every
member: `profile_from_counts` after subtracting the member's own levels, `profile_from_sorted`
after `without` its own scores. Both give exactly `profile.compare`'s numbers (tested).
"""

from __future__ import annotations

import numpy as np

from pipelines.maturity.cube import MaturityCube, as_float
from pipelines.maturity.profile import Profile

N_LEVELS = 5


def level_counts(levels: np.ndarray) -> np.ndarray:
    """int64[E, 5]: how many rows of int8 `levels[N, E]` have level 0..4 per element (missing
    levels are not counted)."""
    n_elements = levels.shape[1]
    code = levels.astype(np.int32) + 1 + (N_LEVELS + 1) * np.arange(n_elements, dtype=np.int32)
    counts = np.bincount(code.ravel(), minlength=(N_LEVELS + 1) * n_elements)
    return counts.reshape(n_elements, N_LEVELS + 1)[:, 1:].astype(np.int64)


def _value_at(cum: np.ndarray, index: np.ndarray) -> np.ndarray:
    """The level at 0-based position `index[e]` of element e's sorted known values."""
    return (cum <= index[:, None]).sum(axis=1).astype(float)


def quantiles_from_counts(counts: np.ndarray, q: float) -> np.ndarray:
    """float[E]: the q-quantile (0..1) per element, NaN where no level is known."""
    n = counts.sum(axis=1)
    cum = counts.cumsum(axis=1)
    h = (np.maximum(n, 1) - 1) * q
    lo = np.floor(h).astype(np.int64)
    hi = np.minimum(lo + 1, np.maximum(n - 1, 0))
    x_lo, x_hi = _value_at(cum, lo), _value_at(cum, hi)
    out = x_lo + (h - lo) * (x_hi - x_lo)
    out[n == 0] = np.nan
    return out


def percentile_from_counts(own: np.ndarray, counts: np.ndarray) -> np.ndarray:
    """Mid-rank percentile (0-100) of own[e] among the counted peers; NaN for no own value."""
    n = counts.sum(axis=1)
    known = ~np.isnan(own) & (n > 0)
    level = np.where(known, own, 0).astype(np.int64)
    cum = np.concatenate([np.zeros((len(n), 1), dtype=np.int64), counts.cumsum(axis=1)], axis=1)
    rows = np.arange(len(n))
    below = cum[rows, level]
    equal = counts[rows, level]
    with np.errstate(invalid="ignore", divide="ignore"):
        pct = 100.0 * (below + 0.5 * equal) / n
    pct[~known] = np.nan
    return pct


def element_distribution(cube: MaturityCube, wave: int, target: int, peers: np.ndarray,
                         min_group: int = 5) -> tuple[Profile, np.ndarray]:
    """(Profile per element, level counts int64[E, 5]) of municipality `target` against the
    `peers` mask; statistics over fewer than `min_group` peers with a level are suppressed."""
    counts = level_counts(cube.levels[wave][peers])
    own = as_float(cube.levels[wave, target]).astype(float)
    return profile_from_counts(own, counts, cube.element_ids, min_group), counts


def remove_own(counts: np.ndarray, own_levels: np.ndarray) -> np.ndarray:
    """A group's level counts without one member (its int8 levels, -1 = none)."""
    out = counts.copy()
    known = own_levels >= 0
    out[np.flatnonzero(known), own_levels[known].astype(np.int64)] -= 1
    return out


def profile_from_counts(own: np.ndarray, counts: np.ndarray, labels,
                        min_group: int = 5) -> Profile:
    """Profile of own levels float[E] (NaN = none) against the peers' level counts [E, 5]."""
    n = counts.sum(axis=1)
    suppressed = n < min_group
    q1, med, q3 = (np.where(suppressed, np.nan, quantiles_from_counts(counts, q))
                   for q in (0.25, 0.5, 0.75))
    pct = percentile_from_counts(own, counts)
    pct[suppressed] = np.nan
    return Profile(tuple(labels), own, q1, med, q3, n, pct, suppressed)


# ------------------------------------------------------------------ continuous values (scores)


def sorted_columns(values: np.ndarray) -> list[np.ndarray]:
    """The known (non-NaN) values of each column of float[N, K], sorted."""
    return [np.sort(col[~np.isnan(col)]) for col in np.asarray(values, dtype=float).T]


def without(column: np.ndarray, value: float) -> np.ndarray:
    """A sorted column with one occurrence of `value` removed (unchanged for NaN)."""
    if np.isnan(value):
        return column
    i = int(np.searchsorted(column, value))
    if i < len(column) and column[i] == value:
        return np.delete(column, i)
    return column


def _quantile_sorted(column: np.ndarray, q: float) -> float:
    """np.percentile(column, 100 q) for a sorted column (linear interpolation)."""
    n = len(column)
    if n == 0:
        return np.nan
    h = (n - 1) * q
    lo = int(np.floor(h))
    hi = min(lo + 1, n - 1)
    return float(column[lo] + (h - lo) * (column[hi] - column[lo]))


def profile_from_sorted(own: np.ndarray, columns: list[np.ndarray], labels,
                        min_group: int = 5) -> Profile:
    """Profile of own values float[K] against the peers' sorted known values per column."""
    own = np.asarray(own, dtype=float)
    n = np.array([len(c) for c in columns])
    suppressed = n < min_group
    q1, med, q3 = (np.array([np.nan if s else _quantile_sorted(c, q)
                             for c, s in zip(columns, suppressed, strict=True)])
                   for q in (0.25, 0.5, 0.75))
    pct = np.full(len(columns), np.nan)
    for k, (c, value) in enumerate(zip(columns, own, strict=True)):
        if not suppressed[k] and not np.isnan(value) and len(c):
            below = np.searchsorted(c, value, side="left")
            equal = np.searchsorted(c, value, side="right") - below
            pct[k] = 100.0 * (below + 0.5 * equal) / len(c)
    return Profile(tuple(labels), own, q1, med, q3, n, pct, suppressed)

