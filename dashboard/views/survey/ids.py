"""Component ids of the survey form (page-prefixed; shared ids come from dashboard.ids), used by
layout.py and callbacks.py; dashboard/security.py reads TOKEN, SAVED and SUBMIT_MSG through
page.py to rate-limit saves and submissions per link."""

from __future__ import annotations

TOKEN = "survey-token"
BLOCK = "survey-block"
GRANTED = "survey-granted"
FORGET = "survey-forget"
FORGOTTEN = "survey-forgotten"
SINK = "survey-sink"  # output of clientside callbacks that only act on the page
PROGRESS = "survey-progress"
PROGRESS_TEXT = "survey-progress-text"
SAVED = "survey-saved"
PREV = "survey-prev"
NEXT = "survey-next"
CONSENT = "survey-consent"
SUBMIT = "survey-submit"
SUBMIT_MSG = "survey-submit-msg"
TEAM = "survey-team"
TEAM_CONSENT = "survey-team-consent"
TABS = "survey-tabs"
# pattern-matching ids: {"type": LEVEL, "element": <element id>}, {"type": TAB, "block": <i>}
LEVEL, CONF, EVIDENCE = "survey-level", "survey-confidence", "survey-evidence"
TAB, SECTION = "survey-tab", "survey-section"
