"""The Roadmap page's table download: one row per recommended element."""

from __future__ import annotations

import pandas as pd

from dashboard.context import AppContext
from dashboard.i18n import normalise_lang
from dashboard.views.roadmap import data as rd
from dashboard.views.roadmap.analysis import analyse
from pipelines.maturity.roadmap import COMPONENTS, explain_text


def roadmap_csv(ctx: AppContext, m, wave, weights, target, done, lang) -> pd.DataFrame | None:
    """One row per recommended element: phase, rank, score, components, weights, explanation."""
    lang = normalise_lang(lang)
    a = analyse(ctx, m, wave, weights, target, done, None)
    if a.rm is None:
        return None
    names = rd.element_names(ctx, lang)
    law = rd.law_names(ctx, lang)
    wn = dict(zip(COMPONENTS, a.rm.weights.normalised(), strict=True))
    rows = []
    for s in a.rm.steps:
        ex = s.explanation
        rows.append({"municipality_id": a.subject.mid, "wave": a.subject.wave,
                     "phase": s.phase, "rank": s.rank, "element": s.element,
                     "element_name": names[s.element], "level": ex.level, "target": ex.target,
                     "score": round(s.score, 4), "readiness": round(s.readiness, 4),
                     "unlock": round(s.unlock, 4), "urgency": round(s.urgency, 4),
                     "peer": round(s.peer, 4),
                     **{f"weight_{c}": round(wn[c], 4) for c in COMPONENTS},
                     "done": ",".join(a.params.done),
                     "explanation": explain_text(ex, lang, names, law)})
    return pd.DataFrame(rows, columns=[
        "municipality_id", "wave", "phase", "rank", "element", "element_name", "level", "target",
        "score", "readiness", "unlock", "urgency", "peer",
        *[f"weight_{c}" for c in COMPONENTS], "done", "explanation"])
