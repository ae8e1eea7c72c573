"""The Legislation page's downloads: the readiness table of a selection and the law × area
heatmap (one row per cell) as links to the download route (dashboard/file_links.py), one
municipality's laws and gaps as a dcc.Download file."""

from __future__ import annotations

import pandas as pd

from dashboard.components.downloads import table_download
from dashboard.context import AppContext
from dashboard.file_links import LANG, FileSpec, Param, checked, code, hrefs, iso_date
from dashboard.i18n import normalise_lang
from dashboard.views.legislation.data import parse_horizon
from dashboard.views.legislation.data_municipality import (
    municipality_frame,
    municipality_laws,
    shown_row,
)
from dashboard.views.legislation.data_tables import heatmap_long, heatmap_table, law_table
from dashboard.views.legislation.state import at_value, horizon_value, selection


def readiness_frame(ctx: AppContext, country, nuts2, size, at, horizon, lang
                    ) -> tuple[pd.DataFrame, str]:
    """The readiness table of a selection (one row per law) and its file name."""
    df = law_table(ctx, ctx.warehouse.snapshot(), selection(country, nuts2, size, ctx),
                   at_value(at), horizon_value(horizon), normalise_lang(lang))
    df["unverified_countries"] = df["unverified_countries"].map(" ".join)
    return df, "legislation-readiness.csv"


def heatmap_frame(ctx: AppContext, country, nuts2, size, at, horizon) -> tuple[pd.DataFrame, str]:
    """The law × area heatmap of a selection, one row per cell, and its file name."""
    df = heatmap_long(heatmap_table(ctx, ctx.warehouse.snapshot(),
                                    selection(country, nuts2, size, ctx), at_value(at),
                                    horizon_value(horizon)))
    return df, "legislation-heatmap.csv"


# The selection's controls, as the links carry them (the builders treat an unknown code as no
# restriction, as for the page's callbacks).
SELECTION = (Param("country", code), Param("nuts2", code), Param("size", code),
             Param("at", iso_date), Param("horizon", checked(parse_horizon)))
AGG_FILE = FileSpec("legislation-agg", (*SELECTION, LANG), readiness_frame)
HEAT_FILE = FileSpec("legislation-heat", SELECTION, heatmap_frame)
FILES = (AGG_FILE, HEAT_FILE)


def links(country, nuts2, size, at, horizon, lang) -> tuple[str, ...]:
    """The hrefs of the readiness table's three formats, then the heatmap's."""
    sel = {"country": country, "nuts2": nuts2, "size": size, "at": at, "horizon": horizon}
    return (*hrefs(AGG_FILE.name, {**sel, "lang": normalise_lang(lang)}),
            *hrefs(HEAT_FILE.name, sel))


def municipality_download(ctx: AppContext, m, checked, nis2, at, horizon, lang,
                          fmt: str = "csv") -> dict | None:
    """One municipality's laws and gaps as a dcc.Download file; None when the page shows none
    (no municipality, an unknown one, or one that did not consent to be shown by name)."""
    snap = ctx.warehouse.snapshot()
    row, _ = shown_row(ctx, snap, m)
    if row is None:
        return None
    ml = municipality_laws(ctx, snap, row, checked, nis2 or None, at_value(at),
                           horizon_value(horizon), normalise_lang(lang))
    return table_download(municipality_frame(ml.records, ml.gaps), f"legislation-{m}.csv", fmt)
