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

from urllib.parse import urlencode

from dashboard.context import AppContext
from dashboard.views.maps.callbacks import register
from dashboard.views.maps.data import LEVELS
from dashboard.views.maps.layout import layout

PATH = "/maps"
NAV_KEY = "maps.nav"


def rehearsal_addresses(ctx: AppContext) -> list[str]:
    """Every map level in every wave (dashboard/rehearsal.py): a level's geometry and files,
    and a wave's coverage and area statistics, are made on first use (measured before: the
    recolour of another level 112 ms against a p95 of 17 at NL), so the master makes them
    before the fork. The country level shows the default country; another country's geometry
    is still made on its first use."""
    snap = ctx.warehouse.snapshot()
    if snap is None:
        return []
    return [f"{PATH}?{urlencode({'level': lv, 'wave': w})}" for lv in LEVELS for w in snap.waves]


__all__ = ["NAV_KEY", "PATH", "layout", "register", "rehearsal_addresses"]
