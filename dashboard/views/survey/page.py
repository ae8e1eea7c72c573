"""Survey (Vragenlijst): a municipality's team fills in the self-assessment through its link.

The link (`/survey?token=...`) opens one respondent's form for one municipality and wave. The
form goes block by block; every change is saved as a draft on the server (so a reload or
another device continues where the respondent was), and submitting writes an immutable record
that the next ingest/build picks up. The link also unlocks the municipality's own profile,
roadmap and readiness views in this browser (dashboard/access.py). For a municipality's
respondents (CIO, CISO, DPO, ...); the coordinator follows the wave on /survey/progress.

Modules: ids (component ids), data (open, save, submit, team; no Dash), texts (words), team (the
team's answers), layout (the form), callbacks.
"""

from __future__ import annotations

from dashboard.views.survey.callbacks import register
from dashboard.views.survey.ids import SAVED, SUBMIT_MSG, TOKEN  # read by dashboard/security.py
from dashboard.views.survey.layout import layout

PATH = "/survey"
NAV_KEY = "survey.nav"

__all__ = ["NAV_KEY", "PATH", "SAVED", "SUBMIT_MSG", "TOKEN", "layout", "register"]
