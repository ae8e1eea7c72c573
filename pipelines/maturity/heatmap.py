"""Element heatmaps: elements (rows, grouped by block) × municipalities or regions (columns).

Pure numpy: the page turns these grids into a figure, a caption and a CSV.

- `municipality_grid`: the levels of chosen municipalities, int8 with MISSING (-1) kept as
  missing (never turned into 0), columns ordered by overall maturity or by one element, highest
  first, missing last, ties broken by name.
- `region_grid`: per region and element the median level and the share at level 3 or higher
  from the precomputed aggregates, with each cell's status: a value, suppressed (fewer than
  `min_group` municipalities with a level) or no answers at all.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from pipelines.maturity.cube import MISSING, MaturityCube
from pipelines.maturity.peers import Attributes, peer_mask

VALUE, SUPPRESSED, NO_DATA = 0, 1, 2  # region cell status
OVERALL = "overall"  # sort key: overall maturity (else an element id)
ALL = "ALL"  # the aggregates' measure for overall maturity


# ------------------------------------------------------------------ rows and filters


def element_order(element_blocks: Sequence[str]) -> np.ndarray:
    """Row order: elements grouped by block (blocks in order of first appearance), stable."""
    blocks = list(dict.fromkeys(element_blocks))
    rank = np.array([blocks.index(b) for b in element_blocks])
    return np.argsort(rank, kind="stable")


def block_spans(element_blocks: Sequence[str], rows: np.ndarray) -> list[tuple[str, int, int]]:
    """(block, first row, last row + 1) for the blocks in display order."""
    spans: list[tuple[str, int, int]] = []
    for pos, e in enumerate(rows):
        b = element_blocks[e]
        if spans and spans[-1][0] == b:
            spans[-1] = (b, spans[-1][1], pos + 1)
        else:
            spans.append((b, pos, pos + 1))
    return spans


def filter_mask(attrs: Attributes, country: str | None, nuts2: str | None = None,
                size_class: str | None = None, peers_of: int | None = None) -> np.ndarray:
    """bool[M]: municipalities in the filter. A peer group (same country and size class as
    `peers_of`, that municipality included) replaces the country/region/size filters."""
    if peers_of is not None:
        mask = peer_mask(attrs, peers_of, "country_size")
        mask[peers_of] = True
        return mask
    mask = attrs.mask_for("country", country) if country else np.ones(len(attrs.country), bool)
    if nuts2:
        mask &= attrs.mask_for("nuts2", nuts2)
    if size_class:
        mask &= attrs.mask_for("size_class", size_class)
    return mask


# ------------------------------------------------------------------ ordering


def order_columns(keys: np.ndarray, names: Sequence[str], tiebreak: Sequence[str] | None = None
                  ) -> np.ndarray:
    """Positions ordered by `keys` descending (NaN last), ties by name (case-insensitive), then by
    `tiebreak` (e.g. ids, so equal names keep a fixed order)."""
    keys = np.asarray(keys, dtype=np.float64)
    primary = np.where(np.isnan(keys), np.inf, -keys)
    folded = np.char.lower(np.asarray(names, dtype=str)) if len(names) else np.array([], str)
    sort_keys = [folded, primary]
    if tiebreak is not None:
        sort_keys.insert(0, np.asarray(tiebreak, dtype=str))
    return np.lexsort(sort_keys)


# ------------------------------------------------------------------ municipalities


@dataclass(frozen=True)
class MunicipalityGrid:
    rows: np.ndarray  # int[E]: element positions (cube order) in display order
    columns: np.ndarray  # int[N]: cube municipality rows in display order
    z: np.ndarray  # int8[E, N]: level, MISSING (-1) = no answer
    overall: np.ndarray  # float[N]: mean known level (NaN when under half are known)

    @property
    def n_columns(self) -> int:
        return len(self.columns)

    def element_means(self) -> np.ndarray:
        """float[E]: mean known level per row over the columns shown (NaN: no level at all)."""
        known = self.z != MISSING
        n = known.sum(axis=1)
        with np.errstate(invalid="ignore", divide="ignore"):
            return np.where(known, self.z, 0).sum(axis=1) / n


def municipality_grid(cube: MaturityCube, wave: int, columns: np.ndarray, names: Sequence[str],
                      sort: str = OVERALL, rows: np.ndarray | None = None) -> MunicipalityGrid:
    """The levels of `columns` (cube rows; `names` aligned with them) in one wave, ordered."""
    columns = np.asarray(columns, dtype=np.int64)
    rows = element_order(cube.element_blocks) if rows is None else rows
    lv = cube.levels[wave, columns]  # [N, E] int8
    overall = cube.overall(wave, columns)
    if sort in cube.element_ids:
        e = cube.element_ids.index(sort)
        keys = np.where(lv[:, e] == MISSING, np.nan, lv[:, e].astype(np.float64))
    else:
        keys = overall
    order = order_columns(keys, names, cube.municipality_ids[columns])
    z = np.ascontiguousarray(lv[order][:, rows].T)
    return MunicipalityGrid(rows=rows, columns=columns[order], z=z, overall=overall[order])


# ------------------------------------------------------------------ regions


@dataclass(frozen=True)
class RegionGrid:
    rows: np.ndarray  # int[E]: element positions in display order
    regions: np.ndarray  # str[R] region ids in display order
    median: np.ndarray  # float[E, R]: NaN unless status is VALUE
    share_ge3: np.ndarray  # float[E, R]: NaN unless status is VALUE
    n: np.ndarray  # int[E, R]: municipalities with a level
    status: np.ndarray  # int8[E, R]: VALUE, SUPPRESSED or NO_DATA
    overall: np.ndarray  # float[R]: median overall maturity (NaN when suppressed or none)

    @property
    def n_columns(self) -> int:
        return len(self.regions)

    def element_means(self) -> np.ndarray:
        """float[E]: mean of the shown (unsuppressed) regional medians per row."""
        shown = self.status == VALUE
        n = shown.sum(axis=1)
        with np.errstate(invalid="ignore", divide="ignore"):
            return np.where(shown, self.median, 0).sum(axis=1) / n


def region_grid(regions: Sequence[str], names: Sequence[str], element_ids: Sequence[str],
                area_id: Sequence[str], measure: Sequence[str], n: Sequence[int],
                suppressed: Sequence[bool], median: Sequence[float], share_ge3: Sequence[float],
                min_group: int, sort: str = OVERALL, rows: np.ndarray | None = None) -> RegionGrid:
    """Elements × regions from aggregate rows (area_id, measure, n, suppressed, median,
    share_ge3; measure is an element id or ALL). A cell over fewer than `min_group`
    municipalities, or flagged suppressed by the build, is SUPPRESSED; a region without a row
    for an element is NO_DATA. Columns are ordered by overall maturity or one element."""
    regions = np.asarray(regions, dtype=str)
    element_ids = list(element_ids)
    rows = np.arange(len(element_ids)) if rows is None else rows
    r_pos = {r: i for i, r in enumerate(regions)}
    e_pos = {e: i for i, e in enumerate(element_ids)}
    e_pos[ALL] = len(element_ids)  # an extra row for the overall score
    shape = (len(element_ids) + 1, len(regions))
    med = np.full(shape, np.nan)
    share = np.full(shape, np.nan)
    count = np.zeros(shape, dtype=np.int64)
    status = np.full(shape, NO_DATA, dtype=np.int8)
    area_id, measure = np.asarray(area_id, dtype=str), np.asarray(measure, dtype=str)
    ri = np.array([r_pos.get(a, -1) for a in area_id], dtype=np.int64)
    ei = np.array([e_pos.get(m, -1) for m in measure], dtype=np.int64)
    keep = (ri >= 0) & (ei >= 0)
    ri, ei = ri[keep], ei[keep]
    n_arr = np.asarray(n, dtype=np.int64)[keep]
    supp = np.asarray(suppressed, dtype=bool)[keep] | (n_arr < min_group)
    count[ei, ri] = n_arr
    status[ei, ri] = np.where(supp, SUPPRESSED, VALUE)
    med[ei, ri] = np.where(supp, np.nan, np.asarray(median, dtype=np.float64)[keep])
    share[ei, ri] = np.where(supp, np.nan, np.asarray(share_ge3, dtype=np.float64)[keep])
    overall = med[-1]
    keys = med[e_pos[sort]] if sort in e_pos and sort != ALL else overall
    order = order_columns(keys, names, regions)
    return RegionGrid(rows=rows, regions=regions[order], median=med[:-1][rows][:, order],
                      share_ge3=share[:-1][rows][:, order], n=count[:-1][rows][:, order],
                      status=status[:-1][rows][:, order], overall=overall[order])


# ------------------------------------------------------------------ summary


def extremes(means: np.ndarray) -> tuple[int, int] | None:
    """Rows with the highest and the lowest mean (first in display order on ties); None when
    no row has a value."""
    if np.all(np.isnan(means)):
        return None
    return int(np.nanargmax(means)), int(np.nanargmin(means))
