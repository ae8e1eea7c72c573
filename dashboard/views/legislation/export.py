"""The Legislation page's downloads: the readiness table of a selection, the law × area heatmap
(one row per cell) and one municipality's laws and gaps, as dcc.Download files."""

from __future__ import annotations

from dashboard.components.downloads import table_download
from dashboard.context import AppContext
from dashboard.i18n import normalise_lang
from dashboard.views.legislation.data_municipality import (
    municipality_frame,
    municipality_laws,
    shown_row,
)
from dashboard.views.legislation.data_tables import heatmap_long, heatmap_table, law_table
from dashboard.views.legislation.state import at_value, horizon_value, selection


def readiness_download(ctx: AppContext, country, nuts2, size, at, horizon, lang,
                       fmt: str = "csv") -> dict:
    """The readiness table of a selection (one row per law) as a dcc.Download file in `fmt`."""
    df = law_table(ctx, ctx.warehouse.snapshot(), selection(country, nuts2, size, ctx),
                   at_value(at), horizon_value(horizon), normalise_lang(lang))
    df["unverified_countries"] = df["unverified_countries"].map(" ".join)
    return table_download(df, "legislation-readiness.csv", fmt)


def heatmap_download(ctx: AppContext, country, nuts2, size, at, horizon, fmt: str = "csv") -> dict:
    """The law × area heatmap of a selection, one row per cell, as a dcc.Download file."""
    df = heatmap_long(heatmap_table(ctx, ctx.warehouse.snapshot(),
                                    selection(country, nuts2, size, ctx), at_value(at),
                                    horizon_value(horizon)))
    return table_download(df, "legislation-heatmap.csv", fmt)


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
