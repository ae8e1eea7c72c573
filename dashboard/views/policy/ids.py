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
CSV_FP = "policy-csv-first-phase"
CSV_LEV = "policy-csv-leverage"
CSV_REGION = "policy-csv-regions"
CSV_SIZE = "policy-csv-sizes"
CSV_LOBBY = "policy-csv-lobby"
CSV_BUTTONS = (CSV_FP, CSV_LEV, CSV_REGION, CSV_SIZE, CSV_LOBBY)
FILTERS = (COUNTRY, NUTS2, SIZE, MEASURE)  # the controls that choose what the view shows

# the funding what-if section
FUNDING = "policy-funding"
FUNDING_ROWS = 3  # element rows per package editor
FUNDING_PACKAGES = ("a", "b")
FUNDING_RULE = "policy-funding-rule"
FUNDING_LAW = "policy-funding-law"
FUNDING_REACH = "policy-funding-reach"
FUNDING_BUDGET = "policy-funding-budget"
FUNDING_RUN = "policy-funding-run"
FUNDING_RESULT = "policy-funding-result"
FUNDING_CSV = "policy-funding-csv"


def funding_field(package: str, what: str, row: int) -> str:
    """policy-funding-a-element-0: one field of a package editor's row (element, level, cost)."""
    return f"policy-funding-{package}-{what}-{row}"


FUNDING_FIELDS = tuple(funding_field(p, w, r) for p in FUNDING_PACKAGES
                       for r in range(FUNDING_ROWS) for w in ("element", "level", "cost"))
FUNDING_SETTINGS = (FUNDING_RULE, FUNDING_LAW, FUNDING_REACH, FUNDING_BUDGET)
