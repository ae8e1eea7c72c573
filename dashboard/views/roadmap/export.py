"""The Roadmap page's table download: one row per recommended element, behind a link to the
download route (dashboard/file_links.py)."""

from __future__ import annotations

import pandas as pd

from dashboard.context import AppContext
from dashboard.file_links import LANG, FileSpec, Param, code, codes, hrefs, number
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


def download_frame(ctx: AppContext, m=None, wave=None, wr=None, wu=None, wg=None, wp=None,
                   target=None, done=None, lang=None) -> tuple[pd.DataFrame, str] | None:
    """The roadmap table of these control values and its file name; None without a roadmap."""
    df = roadmap_csv(ctx, m, wave, (wr, wu, wg, wp), target, done or [], lang)
    return None if df is None else (df, f"ds4e-roadmap-{m}-{wave}.csv")


# the weights' sliders go from 0 to 1, the target's from 1 to 4 (layout.py)
FILE = FileSpec("roadmap", (Param("m", code), Param("wave", code),
                            *(Param(w, number(0, 1)) for w in ("wr", "wu", "wg", "wp")),
                            Param("target", number(1, 4)), Param("done", codes), LANG),
                download_frame)


def links(has_roadmap, m, wave, weights, target, done, lang) -> tuple[str | None, ...]:
    """The hrefs of the three formats; none while there is no roadmap to download."""
    if not has_roadmap or not m:
        return (None, None, None)
    wr, wu, wg, wp = weights
    return hrefs(FILE.name, {"m": m, "wave": wave, "wr": wr, "wu": wu, "wg": wg, "wp": wp,
                             "target": target, "done": done, "lang": normalise_lang(lang)})
