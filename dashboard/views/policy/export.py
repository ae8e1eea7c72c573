"""The policy view's downloads: each chart's and table's numbers as a DataFrame (no Dash), each
behind a link to the download route (dashboard/file_links.py)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from dashboard.components.downloads import FORMATS
from dashboard.context import AppContext
from dashboard.file_links import LANG, FileSpec, Param, code, hrefs
from dashboard.i18n import normalise_lang
from dashboard.views.policy.data import (
    PolicyData,
    first_phase_frame,
    heat,
    heat_frame,
    leverage_frame,
    lobby_frame,
    lobby_of,
    policy_data,
    published,
)
from dashboard.views.policy.selection import Selection, read_state

WHICH = ("first-phase", "leverage", "regions", "sizes", "lobby")


def file_name(data: PolicyData, sel: Selection, which: str) -> str:
    return "-".join(x for x in ("ds4e-policy", which, sel.country or "EU", sel.nuts2 or "",
                                sel.size or "", data.roadmaps.wave) if x) + ".csv"


def download_frame(ctx: AppContext, data: PolicyData, sel: Selection, which: str,
                   lang: str) -> pd.DataFrame | None:
    """The rows of one chart or table (`which`, one of WHICH) with the wave as first column;
    None for an unknown `which`. The caller checks that the selection may be shown."""
    rm = data.roadmaps
    if which == "first-phase":
        df = first_phase_frame(ctx, data, sel, lang)
    elif which == "leverage":
        df = leverage_frame(ctx, data, sel, lang)
    elif which in ("regions", "sizes"):
        lf = leverage_frame(ctx, data, sel, lang)
        order = np.array([rm.element_ids.index(e) for e in lf["element_id"]], dtype=np.intp)
        field = "size_class" if which == "sizes" else ("nuts2" if sel.country else "country")
        df = heat_frame(ctx, heat(ctx, data, sel, field, order), rm.element_ids, lang)
    elif which == "lobby":
        df = lobby_frame(ctx, lobby_of(ctx, data, sel)[0], rm.element_ids, lang)
    else:
        return None
    df.insert(0, "wave", rm.wave)
    return df


def table_frame(ctx: AppContext, which: str, country=None, nuts2=None, size=None, measure=None,
                lang=None) -> tuple[pd.DataFrame, str] | None:
    """(table, file name) of one table or chart of the view for these control values; None
    when there is nothing to give (no build, or a selection too small to publish)."""
    lang = normalise_lang(lang)
    data = policy_data(ctx, ctx.warehouse.snapshot())
    if data is None:
        return None
    sel, measure = read_state(ctx, country, nuts2, size, measure)
    if not shown(ctx, data, sel):
        return None  # suppressed: nothing to download
    df = download_frame(ctx, data, sel, which, lang)
    return None if df is None else (df, file_name(data, sel, which))


FILTERS = ("country", "nuts2", "size", "measure")  # as the page's filters hold them


def _spec(which: str) -> FileSpec:
    def frame(ctx: AppContext, **values):
        return table_frame(ctx, which, **values)
    return FileSpec(f"policy-{which}", (*(Param(f, code) for f in FILTERS), LANG), frame)


FILES = {which: _spec(which) for which in WHICH}


def shown(ctx: AppContext, data: PolicyData, sel: Selection) -> bool:
    """Whether the selection's statistics may be published (enough municipalities, and the
    disclosure pattern allows it): the view shows them, and its links give them."""
    n, _ = data.counts(ctx, sel)
    return n >= data.min_group and published(ctx, data, sel)


def links(ctx: AppContext, whiches, country, nuts2, size, measure,
          lang) -> tuple[str | None, ...]:
    """The hrefs of these tables' downloads, table by table, three formats each; none (the
    links shown disabled) where the selection is too small to publish, as the view then shows
    no table: a link there would only lead to a 404."""
    data = policy_data(ctx, ctx.warehouse.snapshot())
    if data is None or not shown(ctx, data, read_state(ctx, country, nuts2, size, measure)[0]):
        return (None,) * (len(whiches) * len(FORMATS))
    values = dict(zip(FILTERS, (country, nuts2, size, measure), strict=True))
    values["lang"] = normalise_lang(lang)
    return tuple(h for w in whiches for h in hrefs(FILES[w].name, values))
