"""A municipality's levels against its peers' distribution: never only an average.

For each element (or block) the result holds the municipality's own value, the peers' quartiles
and median, how many peers have a value, the municipality's percentile among them, and whether
the peer statistics are suppressed (fewer than `min_group` peers with a value).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from pipelines.maturity.cube import MaturityCube, as_float


@dataclass(frozen=True)
class Profile:
    labels: tuple[str, ...]  # element or block ids
    own: np.ndarray  # float[K], NaN = no value
    q1: np.ndarray  # float[K], NaN when suppressed
    median: np.ndarray
    q3: np.ndarray
    n: np.ndarray  # int[K]: peers with a value
    percentile: np.ndarray  # float[K] 0-100, NaN when own is NaN or suppressed
    suppressed: np.ndarray  # bool[K]

    def rows(self) -> list[dict]:
        """One dict per label, JSON- and CSV-friendly (NaN -> None)."""
        def v(x):
            return None if np.isnan(x) else round(float(x), 3)
        return [{"id": lab, "own": v(self.own[i]), "peer_q1": v(self.q1[i]),
                 "peer_median": v(self.median[i]), "peer_q3": v(self.q3[i]),
                 "peers_with_value": int(self.n[i]), "percentile": v(self.percentile[i]),
                 "suppressed": bool(self.suppressed[i])} for i, lab in enumerate(self.labels)]


def percentile_rank(own: np.ndarray, peers: np.ndarray) -> np.ndarray:
    """Mid-rank percentile of `own[k]` among the non-NaN `peers[:, k]` (ties count half)."""
    valid = ~np.isnan(peers)
    n = valid.sum(axis=0)
    below = (valid & (peers < own)).sum(axis=0)
    equal = (valid & (peers == own)).sum(axis=0)
    with np.errstate(invalid="ignore", divide="ignore"):
        pct = 100.0 * (below + 0.5 * equal) / n
    pct[np.isnan(own) | (n == 0)] = np.nan
    return pct


def quartiles(values: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Column-wise 25/50/75th percentiles (linear interpolation, like DuckDB's quantile_cont),
    ignoring NaN. A loop over columns with np.percentile on the valid values is ~10x faster
    than np.nanpercentile on a 35,000-row peer group."""
    out = np.full((3, values.shape[1]), np.nan)
    for k in range(values.shape[1]):
        col = values[:, k]
        col = col[~np.isnan(col)]
        if col.size:
            out[:, k] = np.percentile(col, [25, 50, 75])
    return out[0], out[1], out[2]


def compare(own: np.ndarray, peers: np.ndarray, labels, min_group: int) -> Profile:
    """Own values float[K] against peer values float[N, K] (NaN = no value)."""
    n = (~np.isnan(peers)).sum(axis=0)
    suppressed = n < min_group
    q1, med, q3 = quartiles(peers)
    q1, med, q3 = (np.where(suppressed, np.nan, a) for a in (q1, med, q3))
    pct = percentile_rank(own, peers)
    pct[suppressed] = np.nan
    return Profile(tuple(labels), own.astype(float), q1, med, q3, n, pct, suppressed)


def element_profile(cube: MaturityCube, wave: int, target: int, peers: np.ndarray,
                    min_group: int = 5) -> Profile:
    own = as_float(cube.levels[wave, target])
    peer_values = as_float(cube.levels[wave, np.flatnonzero(peers)])
    return compare(own, peer_values, cube.element_ids, min_group)


def block_profile(cube: MaturityCube, wave: int, target: int, peers: np.ndarray,
                  min_group: int = 5) -> Profile:
    own = cube.block_scores(wave, np.array([target]))[0]
    peer_values = cube.block_scores(wave, np.flatnonzero(peers))
    return compare(own, peer_values, cube.blocks, min_group)


def trend(cube: MaturityCube, target: int) -> dict[str, list[float | None]]:
    """Overall and per-block score of one municipality in every wave (None = no score)."""
    rows = np.array([target])
    out: dict[str, list[float | None]] = {"ALL": []}
    for b in cube.blocks:
        out[b] = []
    for w in range(len(cube.waves)):
        overall = cube.overall(w, rows)[0]
        out["ALL"].append(None if np.isnan(overall) else float(overall))
        for b, score in zip(cube.blocks, cube.block_scores(w, rows)[0], strict=True):
            out[b].append(None if np.isnan(score) else float(score))
    return out
