"""Municipality profile (Gemeenteprofiel): where does one municipality stand against its peers?

For a municipality (its staff, management and council) asking "where do we stand against
municipalities like us?", and for coordinators looking at one municipality: a radar per
building block or element with the peer group's middle half and median, the position within
the peer distribution per element, respondent agreement, the trend over waves and, for the
cities assessed in the eGovernment Benchmark 2023, that independent measurement beside the
self-assessment. Consent: a municipality that did not consent is shown
only through its peer group's aggregate picture. Every control starts from the URL and is
written back to it.

Where things are: ids.py (component ids), state.py (the URL), data.py (selection, peer group,
radar, distribution and trend numbers), data_benchmark.py (eGovernment Benchmark),
data_agreement.py (respondent agreement), figures.py (charts), texts.py (captions, the peer
group in words), panels.py (status, agreement list, benchmark table), export.py (downloads),
layout.py, callbacks.py.
"""

from __future__ import annotations

from dashboard.views.profile.callbacks import register
from dashboard.views.profile.layout import layout

PATH = "/profile"
NAV_KEY = "profile.nav"

__all__ = ["NAV_KEY", "PATH", "layout", "register"]
