"""Maps & regions (Kaarten & regio's): maturity by NUTS region, by country and per municipality,
aggregate tables by country, region and size class, and national indices as context. For anyone
comparing areas: policy makers, researchers, associations of municipalities.

Area figures come from the precomputed aggregates mart (small indexed queries); a municipality's
own value comes from the level cube (numpy) and is shown only where ctx.visible() allows. A change
of measure, statistic or wave recolours the map with a Patch (values only); a change of map level
or country sends the new geometry once.

The view: ids.py (component ids), data.py (state, area statistics, table frames), geometry.py,
map_values.py (values, hover texts, caption per state), texts.py, figures.py, tables.py,
export.py (download frames), layout.py, callbacks.py.
"""

from dashboard.views.maps.callbacks import register
from dashboard.views.maps.layout import layout

PATH = "/maps"
NAV_KEY = "maps.nav"

__all__ = ["NAV_KEY", "PATH", "layout", "register"]
