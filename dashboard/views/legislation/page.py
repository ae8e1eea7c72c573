"""EU legislation (EU-wetgeving): how ready are municipalities for each EU digital law?

For ministries, associations and municipal staff: three views over the readiness engine
(pipelines/maturity/readiness.py, inputs from dashboard/laws.py): the aggregate of a selection
(aggregate_card.py), one municipality explained requirement by requirement with condition
overrides (municipality_card.py), and a draft law, what-if (draft_editor.py). Numbers come from
data*.py, charts from figures.py, sentences from texts.py; the URL state is state.py.

The interface the registry, the shell and dashboard/security.py read: PATH, NAV_KEY, layout,
register, and the ids VIEW and DRAFT_RESULT (security.py).
"""

from __future__ import annotations

from dashboard.views.legislation.callbacks import register
from dashboard.views.legislation.ids import DRAFT_RESULT, VIEW
from dashboard.views.legislation.layout import layout

PATH = "/legislation"
NAV_KEY = "legislation.nav"

__all__ = ["DRAFT_RESULT", "NAV_KEY", "PATH", "VIEW", "layout", "register"]
