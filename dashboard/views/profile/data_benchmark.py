"""The eGovernment Benchmark 2023 beside the self-assessment (pure: no Dash).

For the cities the European Commission's benchmark assessed (mystery shopping of their
websites), its measures per municipality with the related self-assessed element's level and
the peers' median. The benchmark's mapping to municipalities is built once per reference
folder (pipelines/egov_local.py).
"""

from __future__ import annotations

import threading

import numpy as np
import pandas as pd

from dashboard.context import AppContext
from dashboard.i18n import t
from dashboard.views.profile.data import Selection, element_stats
from pipelines.egov_local import EgovLocal

_LOCK = threading.Lock()
_CACHE: dict[tuple[str, str], object] = {}


def _cached(kind: str, ctx: AppContext, build):
    key = (kind, str(ctx.settings.reference_dir))
    value = _CACHE.get(key)
    if value is None:
        with _LOCK:
            value = _CACHE.get(key)
            if value is None:
                value = _CACHE[key] = build()
    return value


def egov(ctx: AppContext) -> EgovLocal:
    """The eGovernment Benchmark 2023 local assessments, mapped to municipalities once."""
    return _cached("egov", ctx, lambda: EgovLocal.load(ctx.settings.reference_dir,
                                                        ctx.municipalities))


def context_frame(ctx: AppContext, sel: Selection, lang: str) -> pd.DataFrame | None:
    """The benchmark's measures for this municipality beside the related self-assessed element
    (None when the municipality was not assessed)."""
    data = egov(ctx)
    mid = str(sel.cube.municipality_ids[sel.target])
    if not data.has(mid):
        return None
    scores = data.scores(mid, str(ctx.municipalities["country"].iat[sel.target]))
    prof, _ = element_stats(sel)
    pos = {e: i for i, e in enumerate(prof.labels)}
    rel = [pos[e] for e in scores["related_element"]]
    scores["own_level"] = prof.own[rel] if sel.visible else np.nan
    scores["peer_median"] = prof.median[rel]
    scores["measure_name"] = [t(f"profile.context.measure.{k}", lang) for k in scores["measure"]]
    return scores
