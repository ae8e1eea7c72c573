"""Policy & funding (Beleid & financiering): which capabilities do most municipalities need next,
and where would support, funding or lobbying help most?

For a selection (EU, a country, a NUTS 2 region, a size class) in the latest wave, from the
roadmaps stored with the build (`Snapshot.roadmaps`, one per municipality, computed at build
time with the engine's defaults):
- how often each element is a first-phase recommendation;
- leverage per element (municipalities lacking it x how much it unlocks for them), as a sorted
  table with inline bars, and via /api/v1/insight/leverage;
- bottlenecks: heatmaps of leverage, elements x regions (x countries at EU level) and
  elements x size classes; groups under `min_group` answering municipalities are not shown;
- lobby: per law, the share of municipalities not ready (a known gap) and unknown (no known
  gap, an element without an answer), the elements behind the gap and the deadlines: the
  legislation-readiness engine's figures (`pipelines.maturity.lobby`), as the Legislation tab
  shows them for the build's evaluation date and its default horizon.
- funding what-if: what a package of elements funded to target levels would change
  (data_funding, texts_funding, funding: the section; the API and CLI give the same answer).
Only aggregates; the funding what-if names funded municipalities only where their results are
public. For policy makers and funders looking across municipalities. All numbers come from
data.py, which turns the stored roadmaps into cells once per build; a callback sums cells (a few
ms at EU scale).

Modules: ids (component ids), selection (what is looked at), data (numbers, also behind the
API), texts (sentences), figures (charts), tables (Dash tables, the lobby section), export
(downloads), layout (controls, sections, one rendered state), callbacks; data_funding,
texts_funding and funding for the funding what-if.
"""

from __future__ import annotations

from dashboard.views.policy.callbacks import register
from dashboard.views.policy.layout import layout

PATH = "/policy"
NAV_KEY = "policy.nav"

__all__ = ["NAV_KEY", "PATH", "layout", "register"]
