"""Maps & regions: the data behind each table and the map as a download frame, each behind a
link to the download route (dashboard/file_links.py)."""

from __future__ import annotations

import pandas as pd

from dashboard.context import AppContext
from dashboard.file_links import LANG, FileSpec, Param, code, hrefs
from dashboard.i18n import normalise_lang
from dashboard.views.maps.data import (
    context_frame,
    countries_frame,
    regions_frame,
    resolve_state,
    sizes_frame,
)
from dashboard.views.maps.geometry import geometry
from dashboard.views.maps.ids import DOWNLOADS
from dashboard.views.maps.map_values import map_frame

FRAMES = {"countries": countries_frame, "regions": regions_frame, "sizes": sizes_frame,
          "context": context_frame}


def download_frame(ctx: AppContext, kind: str, measure, stat, wave, level, country,
                   lang) -> tuple[pd.DataFrame, str] | None:
    """The data behind a table or the map, as shown (suppressed and non-public values empty)."""
    lang = normalise_lang(lang)
    snap = ctx.warehouse.snapshot()
    if snap is None:
        return None
    state, _ = resolve_state(ctx, snap, measure, stat, wave, level, country)
    if kind == "map":
        geom = geometry(ctx, state.level, state.country)
        df = map_frame(ctx, snap, geom, state)
    else:
        df = FRAMES[kind](ctx, snap, state, lang)
    scope = state.country if state.level == "country" else state.level
    return df, f"ds4e-{kind}-{scope}-{state.measure}-{state.wave}.csv"




CONTROLS = ("measure", "stat", "wave", "level", "country")  # as the page's controls hold them


def _spec(kind: str) -> FileSpec:
    def frame(ctx: AppContext, measure=None, stat=None, wave=None, level=None, country=None,
              lang=None):
        return download_frame(ctx, kind, measure, stat, wave, level, country, lang)
    return FileSpec(f"maps-{kind}", (*(Param(c, code) for c in CONTROLS), LANG), frame)


FILES = {kind: _spec(kind) for kind in DOWNLOADS}


def links(measure, stat, wave, level, country, lang) -> tuple[str, ...]:
    """The hrefs of every download, kind by kind (DOWNLOADS order), three formats each."""
    values = dict(zip(CONTROLS, (measure, stat, wave, level, country), strict=True))
    values["lang"] = normalise_lang(lang)
    return tuple(h for kind in DOWNLOADS for h in hrefs(FILES[kind].name, values))
