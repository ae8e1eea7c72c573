"""Element heatmap (Heatmap elementen): which elements are developed where, and which lag behind.

Elements (rows, grouped by block) × municipalities (columns) for a filter: a country, a NUTS 2
region, a size class, or the peer group of one municipality. Past a readable number of columns
(or on request) the view shows elements × regions instead: the median level per NUTS 2 region
of the country (NUTS 3 within a chosen NUTS 2) from the precomputed aggregates, suppressed where
fewer than `min_group` municipalities have a level.

Consent: a column is one municipality's results, so only municipalities with ctx.visible(...)
appear by name; the caption counts the others, which stay in the regional view and aggregates.
The hover (level descriptor in the current language) is looked up in the browser from a table of
39 × 5 descriptors sent once per page, so the figure carries no per-cell strings.

The view's modules: data.py (state, selection, statistics), texts.py (caption, hover texts),
figures.py (the plotly figure), options.py (control options), export.py (the table download),
layout.py (components), callbacks.py (register), ids.py (component ids).
"""

from dashboard.views.heatmap.callbacks import register
from dashboard.views.heatmap.layout import layout

PATH = "/heatmap"
NAV_KEY = "heatmap.nav"

__all__ = ["NAV_KEY", "PATH", "layout", "register"]
