"""Survey progress (Voortgang survey): the coordinator's view of a survey wave.

Opened with the wave's coordinator link, `/survey/progress?token=<coordinator token>` (printed
once by `python -m pipelines survey create-wave`). Shows which invited municipalities started
and submitted, the response rate per country / NUTS 2 region / size class, the municipalities
with their respondents, and CSV downloads (non-responders, rates, all municipalities).

Security: the token is resolved server-side with `ctx.survey.open_link` in layout() AND in every
callback (the page only keeps the token itself, in a memory store; never a "this is fine" flag).
A missing, unknown, expired or revoked token, or a respondent's token, gets a message and no
data. The token is never echoed in the page; the only place it is written back is the URL's own
query (the permalink), where it already was.

The numbers come from pipelines.survey.progress (the survey folder, no build needed). They are
read fresh on every page load and kept for STATUS_TTL seconds for the page's controls, so
grouping, filtering and paging stay fast for waves of tens of thousands of municipalities.

Modules: ids (component ids), data (access, numbers, CSV frames, URL state; no Dash), texts
(words), figures (the rates chart), tables, layout, callbacks.
"""

from __future__ import annotations

from dashboard.views.survey_progress.callbacks import register
from dashboard.views.survey_progress.layout import layout

PATH = "/survey/progress"
NAV_KEY = "survey_progress.nav"
IN_NAV = False

__all__ = ["IN_NAV", "NAV_KEY", "PATH", "layout", "register"]
