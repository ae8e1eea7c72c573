"""Component ids of the profile page, shared by layout.py (which places them) and callbacks.py
(which fills them in)."""

from __future__ import annotations

PICKER = "profile-municipality"
WAVE = "profile-wave"
VIEW = "profile-view"
PEERS = "profile-peers"
CUSTOM = "profile-custom"
CUSTOM_BOX = "profile-custom-box"
CUSTOM_COUNT = "profile-custom-count"  # "3 gekozen" beside the hand-picked group's label
STATUS = "profile-status"
RADAR = "profile-radar"
RADAR_CAPTION = "profile-radar-caption"
RADAR_CSV_BUTTON = "profile-radar-csv-button"
RADAR_CSV = "profile-radar-csv"
DIST = "profile-distribution"
DIST_CAPTION = "profile-distribution-caption"
DIST_CSV_BUTTON = "profile-distribution-csv-button"
DIST_CSV = "profile-distribution-csv"
AGREEMENT = "profile-agreement"
TREND = "profile-trend"
TREND_CAPTION = "profile-trend-caption"
TREND_CSV_BUTTON = "profile-trend-csv-button"
TREND_CSV = "profile-trend-csv"
CONTEXT = "profile-context"
CONTEXT_CSV_BUTTON = "profile-context-csv-button"
CONTEXT_CSV = "profile-context-csv"
# (table, download control's CSV button, dcc.Download) of every download of the page
DOWNLOADS = (("radar", RADAR_CSV_BUTTON, RADAR_CSV), ("distribution", DIST_CSV_BUTTON, DIST_CSV),
             ("trend", TREND_CSV_BUTTON, TREND_CSV), ("context", CONTEXT_CSV_BUTTON, CONTEXT_CSV))
REPORT = "profile-report"
