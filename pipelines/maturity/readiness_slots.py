"""Readiness after some elements change, without running the population core over every
(law, element) slot again. A municipality's per-law counts are sums over slots: raising only
the package elements of a funding what-if changes only those elements' slots, so the counts
after are the counts before minus those slots' part before plus their part after
(`slot_part` runs the core over those slots alone). The per-element legal gap counts of the
other elements are the stored ones over the same rows: `SlotGaps` keeps each slot's gap flags
per municipality, packed eight to a byte, and counts them for any set of rows.

Equal to `readiness.population_readiness` on the changed levels, bit for bit
(tests/unit/test_readiness_slots.py). Pure numpy, no Dash.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np

from pipelines.maturity.readiness import (
    ConditionTable,
    PopulationReadiness,
    ReadinessInputs,
    _check_levels,
    _cutoff,
    _evaluate,
)


@dataclass(frozen=True, eq=False)
class SlotGaps:
    """Which of M municipalities have a known legal gap in each counting slot.

    law, element int64[S]; bits uint8[S, ceil(M/8)] (np.packbits of the slot's gap flags)."""

    law: np.ndarray
    element: np.ndarray
    bits: np.ndarray
    size: int
    n_laws: int
    n_elements: int

    def counts(self, rows: np.ndarray) -> np.ndarray:
        """int64[L, E]: municipalities of `rows` (positions, each once) with a known gap, per law
        and element (`PopulationReadiness.gap_counts` of those rows)."""
        rows = np.asarray(rows, dtype=np.intp)
        if len(rows) * 16 < self.size:  # few rows: read their bits, not every byte
            shift = (7 - (rows & 7)).astype(np.uint8)
            per_slot = ((self.bits[:, rows >> 3] >> shift) & 1).sum(axis=1, dtype=np.int64)
        else:
            mask = np.zeros(self.size, dtype=bool)
            mask[rows] = True
            packed = np.packbits(mask)
            per_slot = np.bitwise_count(self.bits & packed[None, :]).sum(axis=1, dtype=np.int64)
        out = np.zeros((self.n_laws, self.n_elements), dtype=np.int64)
        out[self.law, self.element] = per_slot
        return out


def readiness_and_gaps(inputs: ReadinessInputs, levels: np.ndarray, table: ConditionTable, *,
                       at: dt.date, horizon_days: int | None = 0
                       ) -> tuple[PopulationReadiness, SlotGaps]:
    """`population_readiness` of every law, and each slot's gap flags from the same run."""
    lv = _check_levels(levels, len(inputs.element_ids))
    if lv.ndim != 2 or lv.shape[0] != table.size:
        raise ValueError(f"levels must be [M, E] with M = {table.size}, got {lv.shape}")
    cutoff = _cutoff(at, horizon_days)
    compiled = inputs.compiled
    record: list = []
    out = _evaluate(compiled, np.ascontiguousarray(lv.T), table, cutoff.toordinal(),
                    len(inputs.element_ids), record=record)
    res = PopulationReadiness(law_ids=compiled.law_ids, element_ids=inputs.element_ids, at=at,
                              cutoff=cutoff, **out)
    slots = np.array([s for s, _ in record], dtype=np.int64)
    m = lv.shape[0]
    bits = np.zeros((len(record), (m + 7) // 8), dtype=np.uint8)
    for k, (_, gap) in enumerate(record):
        bits[k] = np.packbits(gap)
    return res, SlotGaps(compiled.slot_law[slots].astype(np.int64),
                         compiled.slot_elem[slots].astype(np.int64), bits, m, compiled.n_laws,
                         len(inputs.element_ids))


@dataclass(frozen=True, eq=False)
class SlotPart:
    """The part of some elements' slots in each municipality's counts ([K, M] int16 for the K
    laws with such a slot: laws first, as the core makes them) and their legal gap counts per
    law and element (int64[L, E], zero outside those elements)."""

    n_gap: np.ndarray
    n_unknown: np.ndarray
    ambition_n_gap: np.ndarray
    ambition_n_unknown: np.ndarray
    gap_counts: np.ndarray
    laws: np.ndarray  # int64[K]: the laws of the count rows, those with a slot on the elements


def slot_part(inputs: ReadinessInputs, levels: np.ndarray, table: ConditionTable,
              elements: np.ndarray, *, at: dt.date, horizon_days: int | None = 0) -> SlotPart:
    """The core over the slots of `elements` (positions) alone, for the rows of `levels`."""
    lv = _check_levels(levels, len(inputs.element_ids))
    only = np.zeros(len(inputs.element_ids), dtype=bool)
    only[np.asarray(elements, dtype=np.intp)] = True
    out = _evaluate(inputs.compiled, np.ascontiguousarray(lv.T), table,
                    _cutoff(at, horizon_days).toordinal(), len(inputs.element_ids), only=only)
    return SlotPart(out["n_gap"], out["n_unknown"], out["ambition_n_gap"],
                    out["ambition_n_unknown"], out["gap_counts"], out["laws"])


@dataclass(frozen=True, eq=False)
class Changed:
    """Readiness of some rows after their `elements` changed ([F, L] bool), and the legal gap
    counts per law and element of those rows before and after (int64[L, E])."""

    ready: np.ndarray
    ambition_ready: np.ndarray
    gap_counts_before: np.ndarray  # only the changed elements' columns are filled
    gap_counts_after: np.ndarray  # every column
    laws: np.ndarray  # int64[K] the laws whose readiness can differ (the other columns: before)


def after_change(inputs: ReadinessInputs, before: PopulationReadiness, rows: np.ndarray,
                 old: np.ndarray, new: np.ndarray, table: ConditionTable, elements: np.ndarray,
                 gaps: SlotGaps, *, at: dt.date, horizon_days: int | None = 0) -> Changed:
    """Rows `rows` of `before` (and of `gaps`) with levels `old` int8[F, E] (as `before` was
    made from) changed to `new`, which differ from `old` only in `elements` (positions); `table`
    holds those rows' conditions, `at`/`horizon_days` as `before` was made."""
    part_b = slot_part(inputs, old, table, elements, at=at, horizon_days=horizon_days)
    part_a = slot_part(inputs, new, table, elements, at=at, horizon_days=horizon_days)
    laws = part_b.laws  # the same elements: the same laws in both parts

    def ready(was_ready, status, n_gap, n_unknown, pb_gap, pb_unk, pa_gap, pa_unk):
        out = was_ready[rows]  # a copy: the laws without such a slot keep their flag
        # laws first: the stored [M, L] arrays are transposed views of [L, M] rows
        cells = np.ix_(laws, rows)
        st = status.T[cells]
        has = (st >= 1) & (st <= 3)  # something counts: does not depend on levels
        gap = n_gap.T[cells] - pb_gap + pa_gap
        unk = n_unknown.T[cells] - pb_unk + pa_unk
        out[:, laws] = (has & (gap == 0) & (unk == 0)).T
        return out

    legal = ready(before.ready, before.status, before.n_gap, before.n_unknown,
                  part_b.n_gap, part_b.n_unknown, part_a.n_gap, part_a.n_unknown)
    ambition = ready(before.ambition_ready, before.ambition_status, before.ambition_n_gap,
                     before.ambition_n_unknown, part_b.ambition_n_gap,
                     part_b.ambition_n_unknown, part_a.ambition_n_gap, part_a.ambition_n_unknown)
    cols = np.asarray(elements, dtype=np.intp)
    after_counts = gaps.counts(rows)
    after_counts[:, cols] = part_a.gap_counts[:, cols]
    return Changed(legal, ambition, part_b.gap_counts, after_counts, laws)
