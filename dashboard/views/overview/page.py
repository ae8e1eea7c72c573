"""Overview (Overzicht): what the published data cover — who answered, where, in which waves.
For everyone opening the toolkit: the first page, before any municipality is chosen.

The smallest view, and the one to copy for a new view: ids.py (component ids), data.py (reads
the coverage marts; pure), figures.py (the map and its caption), layout.py (Dash components),
callbacks.py (register(app, ctx) and the callback bodies as plain functions).
"""

from dashboard.views.overview.callbacks import register
from dashboard.views.overview.layout import layout

PATH = "/overview"
NAV_KEY = "overview.nav"

__all__ = ["NAV_KEY", "PATH", "layout", "register"]
