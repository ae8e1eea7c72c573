"""Component ids of the policy view (page-prefixed; shared ids come from dashboard.ids), used by
layout.py and callbacks.py."""

from __future__ import annotations

COUNTRY = "policy-country"
NUTS2 = "policy-nuts2"
SIZE = "policy-size"
MEASURE = "policy-measure"
NOTICES = "policy-notices"
STATUS = "policy-status"
BODY = "policy-body"
FP_GRAPH = "policy-fp-graph"
FP_CAPTION = "policy-fp-caption"
LEV_TABLE = "policy-lev-table"
LEV_API = "policy-lev-api"
REGION_TITLE = "policy-region-title"
REGION_GRAPH = "policy-region-graph"
REGION_CAPTION = "policy-region-caption"
SIZE_GRAPH = "policy-size-graph"
SIZE_CAPTION = "policy-size-caption"
LOBBY = "policy-lobby"
DOWNLOAD = "policy-download"
CSV_FP = "policy-csv-first-phase"
CSV_LEV = "policy-csv-leverage"
CSV_REGION = "policy-csv-regions"
CSV_SIZE = "policy-csv-sizes"
CSV_LOBBY = "policy-csv-lobby"
CSV_BUTTONS = (CSV_FP, CSV_LEV, CSV_REGION, CSV_SIZE, CSV_LOBBY)
FILTERS = (COUNTRY, NUTS2, SIZE, MEASURE)  # the controls that choose what the view shows
