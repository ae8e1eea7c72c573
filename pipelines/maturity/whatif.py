"""What-if for the roadmap: what marking elements as done unlocks. Pure numpy, no Dash.

Marking an element done raises it to its target (`roadmap.apply_done`). Its effect is read from
the readiness component of its dependants that are still below target:

    before = readiness with every *other* done mark applied
    after  = readiness with all done marks applied

so each done element is credited with its own contribution ("Marking GOV-02 done raises the
readiness of SEC-04 from 0.40 to 0.90"). With a single done mark `before` is the survey state.
`roadmap_change` compares two roadmaps: which elements entered and which left.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np

from pipelines.maturity.roadmap import (
    RoadmapModel,
    _prepare_levels,
    _targets,
    apply_done,
    readiness,
)


@dataclass(frozen=True)
class Raised:
    element: str
    before: float
    after: float


@dataclass(frozen=True)
class DoneEffect:
    element: str
    already: bool  # already at or above its target: marking it done changes nothing
    raised: tuple[Raised, ...]  # dependants below target whose readiness rose, largest rise first


def done_effects(model: RoadmapModel, levels: np.ndarray, done: Iterable[str],
                 targets: np.ndarray | int | None = None) -> tuple[DoneEffect, ...]:
    n = model.size
    done = tuple(dict.fromkeys(done))
    idx = model.indices(done)
    lv = _prepare_levels(levels, n).reshape(n).astype(np.int8)
    tg = _targets(targets, n).reshape(n)
    after_lv = apply_done(lv, tg, idx)
    after = readiness(model, after_lv)
    below = np.maximum(after_lv, 0) < tg  # still to develop after every done mark
    out = []
    for d, j in zip(done, idx.tolist(), strict=True):
        others = np.array([i for i in idx.tolist() if i != j], dtype=np.int64)
        before = readiness(model, apply_done(lv, tg, others))
        raised = [Raised(model.element_ids[k], float(before[k]), float(after[k]))
                  for k, _ in model.dependant_lists[j] if below[k] and after[k] > before[k]]
        raised.sort(key=lambda r: -(r.after - r.before))  # stable: ties keep the strongest link
        out.append(DoneEffect(d, bool(max(lv[j], 0) >= tg[j]), tuple(raised)))
    return tuple(out)


def roadmap_change(before: list[str], after: list[str]) -> tuple[list[str], list[str]]:
    """(entered, left): elements in `after` but not in `before`, and the other way round."""
    b, a = set(before), set(after)
    return [e for e in after if e not in b], [e for e in before if e not in a]
