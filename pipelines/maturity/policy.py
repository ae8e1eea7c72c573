"""Policy aggregates of the stored roadmaps, per selection, in microseconds: cells.

The policy view asks the same few questions for many selections (EU, a country, a NUTS 2
region, a size class, and their regions or size classes for heatmaps). Every such selection is a
union of *cells*: the municipalities sharing (country, NUTS 2 region, size class). So the
per-municipality work is done once per build (`policy_cells`, ~0.1-0.2 s at EU scale) and every
selection is a sum over at most a few thousand cells.

Per cell, over the municipalities that answered in the roadmaps' wave (the others lack nothing
we know of, as in `roadmap_population`):
- n: answering municipalities (and `members`: all municipalities of the reference),
- lacking[e]: municipalities below target on e,
- unlock[e]: the sum over them of their unlock component, formed exactly as the engine forms
  it (float32 sum_k W[e, k] [level_k < target_k] x (1 / the matrix's largest row sum)) and summed
  in float64. The float32 values are multiples of 2^-29 or coarser and the sums stay far below
  2^24, so every float64 sum is exact and independent of order: leverage(e) of any union of
  cells is bit for bit the engine's `roadmap_population.leverage` (lacking x mean unlock), and
  so is the order of the table (ties included),
- first_phase[e] / first_step[e]: how often e is a first-phase / first recommendation.
`cell_of` gives each municipality's cell, so other per-cell counts (the lobby table's law
readiness, `lobby.lobby_counts`) can be summed over the same selections.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from pipelines.maturity.peers import Attributes
from pipelines.maturity.roadmap import MISSING, RoadmapModel, _targets
from pipelines.maturity.roadmap_population import Leverage, PopulationRoadmap, _unlock_lacking

GROUP_FIELDS = ("country", "nuts2", "size_class")


@dataclass(frozen=True, eq=False)
class PolicyCells:
    element_ids: tuple[str, ...]
    country: np.ndarray  # int64[G] attribute codes (Attributes) of each cell
    nuts2: np.ndarray
    size_class: np.ndarray
    members: np.ndarray  # int64[G] municipalities in the reference
    n: np.ndarray  # int64[G] answering municipalities
    lacking: np.ndarray  # int64[G, E]
    unlock: np.ndarray  # float64[G, E] sums of the engine's float32 unlock (exact)
    first_phase: np.ndarray  # int64[G, E]
    first_step: np.ndarray  # int64[G, E]
    cell_of: np.ndarray  # int64[M]: each municipality's cell

    def mask(self, country: int | None = None, nuts2: int | None = None,
             size_class: int | None = None) -> np.ndarray:
        """bool[G]: the cells of a selection (attribute codes; None = no restriction)."""
        keep = np.ones(len(self.n), dtype=bool)
        for codes, value in ((self.country, country), (self.nuts2, nuts2),
                             (self.size_class, size_class)):
            if value is not None:
                keep &= codes == value
        return keep

    def leverage(self, cells: np.ndarray | None = None) -> Leverage:
        """The engine's leverage table (with first-phase and first-step counts) for a union of
        cells (bool mask; None = all)."""
        def s(a):
            return (a if cells is None else a[cells]).sum(axis=0)
        lacking = s(self.lacking)
        total = s(self.unlock)
        with np.errstate(invalid="ignore", divide="ignore"):
            mean = np.where(lacking > 0, total / np.maximum(lacking, 1), np.nan)
        return Leverage(self.element_ids, int(s(self.n)), lacking, mean, total,
                        s(self.first_phase), s(self.first_step))

    def by(self, field: str, cells: np.ndarray | None = None, n_groups: int | None = None):
        """Per value of `field` ('country', 'nuts2' or 'size_class' code) over a union of cells:
        (n int64[K], lacking int64[K, E], leverage float64[K, E], first_phase int64[K, E]),
        K = n_groups or the largest code + 1."""
        codes = getattr(self, field)
        keep = np.flatnonzero(np.ones(len(self.n), dtype=bool) if cells is None else cells)
        k = int(n_groups if n_groups is not None else (codes.max() + 1 if codes.size else 0))
        e = len(self.element_ids)
        g = codes[keep].astype(np.intp)
        flat = (g[:, None] * e + np.arange(e)).reshape(-1)

        def per(a: np.ndarray) -> np.ndarray:  # bincount: no BLAS threads for tiny products
            return np.bincount(flat, weights=a[keep].reshape(-1).astype(np.float64),
                               minlength=k * e).reshape(k, e)
        return (np.bincount(g, weights=self.n[keep], minlength=k).astype(np.int64),
                np.rint(per(self.lacking)).astype(np.int64),
                per(self.unlock),
                np.rint(per(self.first_phase)).astype(np.int64))


def cell_codes(attrs: Attributes) -> tuple[np.ndarray, np.ndarray]:
    """(cell int64[M], key int64[G]): each municipality's (country, NUTS 2, size class) cell,
    cells ordered by country, region, size class."""
    n2 = max(len(attrs.nuts2_labels), 1)
    sc = max(len(attrs.size_labels), 1)
    key = (attrs.country.astype(np.int64) * n2 + attrs.nuts2) * sc + attrs.size_class
    uniq, cell = np.unique(key, return_inverse=True)
    return cell.astype(np.int64), uniq


def policy_cells(model: RoadmapModel, levels: np.ndarray, attrs: Attributes,
                 population: PopulationRoadmap, *, targets=None) -> PolicyCells:
    """The cells of one wave: `levels` int8[M, E] of that wave (-1 = unknown) and the stored
    population run of the same levels."""
    lv = np.asarray(levels)
    m, e = lv.shape
    if population.sequence.shape[0] != m or tuple(population.element_ids) != model.element_ids:
        raise ValueError("population run and levels do not match")
    cell, key = cell_codes(attrs)
    g = len(key)
    n2 = max(len(attrs.nuts2_labels), 1)
    sc = max(len(attrs.size_labels), 1)
    answered = (lv != MISSING).any(axis=1)
    rows = np.flatnonzero(answered)
    ca = cell[rows]
    sel = lv[rows]
    tg = _targets(targets, e)
    below, unl = _unlock_lacking(model, sel, tg if tg.ndim == 1 else tg[rows])  # as leverage
    flat = (ca[:, None] * e + np.arange(e)).reshape(-1)
    lacking = np.bincount(flat, weights=below.reshape(-1), minlength=g * e)
    unlock = np.bincount(flat, weights=unl.reshape(-1).astype(np.float64), minlength=g * e)

    def counts(seq: np.ndarray) -> np.ndarray:
        cc = np.repeat(ca, seq.shape[1])
        s = seq.reshape(-1).astype(np.int64)
        ok = s >= 0
        return np.bincount(cc[ok] * e + s[ok], minlength=g * e).reshape(g, e)

    seq = population.sequence[rows]
    return PolicyCells(
        element_ids=model.element_ids,
        country=key // (n2 * sc), nuts2=(key // sc) % n2, size_class=key % sc,
        members=np.bincount(cell, minlength=g).astype(np.int64),
        n=np.bincount(ca, minlength=g).astype(np.int64),
        lacking=np.rint(lacking).astype(np.int64).reshape(g, e),
        unlock=unlock.reshape(g, e),
        first_phase=counts(seq[:, :population.per_phase]), first_step=counts(seq[:, :1]),
        cell_of=cell)
