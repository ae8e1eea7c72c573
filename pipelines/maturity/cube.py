"""The dense level cube and what is derived from it. Pure numpy: no Dash, no DuckDB, no files.

`levels[w, m, e]` is the consolidated level (0-4) of municipality m for element e in wave w, or
MISSING (-1) when there is none (not answered, or nobody knew). Municipalities are in the order
of the reference table (sorted GISCO ids), elements in framework order.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property

import numpy as np

from pipelines.row_index import RowIndex

MISSING = -1


@dataclass(frozen=True)
class MaturityCube:
    levels: np.ndarray  # int8[W, M, E]
    waves: tuple[str, ...]
    municipality_ids: np.ndarray  # str[M]
    element_ids: tuple[str, ...]
    element_blocks: tuple[str, ...]  # block id per element
    _pos: RowIndex = field(default=None, repr=False, compare=False)

    def __post_init__(self):
        w, m, e = self.levels.shape
        if (w, m, e) != (len(self.waves), len(self.municipality_ids), len(self.element_ids)):
            raise ValueError(f"cube shape {self.levels.shape} does not match its labels")
        object.__setattr__(self, "_pos", RowIndex.of(self.municipality_ids))

    # ------------------------------------------------------------------ lookups

    def index_of(self, municipality_id: str) -> int:
        """Row of a municipality; KeyError when it is not in the reference table."""
        return self._pos[municipality_id]

    def wave_index(self, wave: str | None) -> int:
        """Position of a wave; None means the latest."""
        if wave is None:
            return len(self.waves) - 1
        return self.waves.index(wave)

    @cached_property
    def blocks(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(self.element_blocks))

    @cached_property
    def block_matrix(self) -> np.ndarray:
        """float32[E, B]: 1 where the element belongs to the block (float32 like the levels, so
        the product stays on the fast BLAS path)."""
        out = np.zeros((len(self.element_ids), len(self.blocks)), dtype=np.float32)
        for e, b in enumerate(self.element_blocks):
            out[e, self.blocks.index(b)] = 1.0
        return out

    def wave_levels(self, wave: int, element_ids) -> np.ndarray:
        """int8[M, E'] levels of a wave in the order of `element_ids` (a view when that is the
        cube's order; a framework changed since the build gets MISSING for new elements)."""
        element_ids = tuple(element_ids)
        if element_ids == self.element_ids:
            return self.levels[wave]
        pos = {e: i for i, e in enumerate(self.element_ids)}
        out = np.full((self.levels.shape[1], len(element_ids)), MISSING, dtype=np.int8)
        for j, e in enumerate(element_ids):
            if e in pos:
                out[:, j] = self.levels[wave, :, pos[e]]
        return out

    # ------------------------------------------------------------------ derived values

    def answered(self, wave: int) -> np.ndarray:
        """bool[M]: the municipality has at least one known level in this wave."""
        return (self.levels[wave] != MISSING).any(axis=1)

    def block_scores(self, wave: int, rows: np.ndarray | slice = slice(None)) -> np.ndarray:
        """float[M', B]: mean known level per block; NaN when under half the block is known
        (the same rule as the build's scores mart)."""
        lv = self.levels[wave, rows].astype(np.float32)
        known = lv != MISSING
        sums = np.where(known, lv, 0) @ self.block_matrix
        counts = known.astype(np.float32) @ self.block_matrix
        size = self.block_matrix.sum(axis=0)
        with np.errstate(invalid="ignore", divide="ignore"):
            score = sums / counts
        score[counts * 2 < size] = np.nan
        return score

    def overall(self, wave: int, rows: np.ndarray | slice = slice(None)) -> np.ndarray:
        """float[M']: mean known level over all elements; NaN when under half are known."""
        lv = self.levels[wave, rows]
        known = lv != MISSING
        n = known.sum(axis=1)
        with np.errstate(invalid="ignore", divide="ignore"):
            score = np.where(known, lv, 0).sum(axis=1) / n
        score = score.astype(np.float64)
        score[n * 2 < lv.shape[1]] = np.nan
        return score


def as_float(levels: np.ndarray) -> np.ndarray:
    """int8 levels -> float with NaN for MISSING, for nan-aware statistics."""
    out = levels.astype(np.float32)
    out[levels == MISSING] = np.nan
    return out
