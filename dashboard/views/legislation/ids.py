"""Component ids of the Legislation view and the values its controls share (layout, callbacks and
the URL state read them; dashboard/security.py reads VIEW and DRAFT_RESULT through page.py)."""

from __future__ import annotations

import json

VIEW = "legislation-view"
COUNTRY = "legislation-country"
NUTS2 = "legislation-nuts2"
SIZE = "legislation-size"
AT = "legislation-at"
HORIZON = "legislation-horizon"
LAW = "legislation-law"
AGG_BOX, MUN_BOX, DRAFT_BOX = "legislation-agg-box", "legislation-mun-box", "legislation-draft-box"
AGG_BAR, AGG_BAR_CAPTION = "legislation-agg-bar", "legislation-agg-bar-caption"
AGG_TABLE, AGG_LACKING = "legislation-agg-table", "legislation-agg-lacking"
AGG_LAW_TABLE = "legislation-agg-law-table"
AGG_HEAT, AGG_HEAT_CAPTION = "legislation-agg-heat", "legislation-agg-heat-caption"
AGG_TIME, AGG_TIME_CAPTION = "legislation-agg-time", "legislation-agg-time-caption"
AGG_CSV_BUTTON = "legislation-agg-csv-button"  # the CSV link of the readiness table
HEAT_CSV_BUTTON = "legislation-heat-csv-button"  # the CSV link of the law × area heatmap
PICKER = "legislation-municipality"
CONDITIONS = "legislation-conditions"
NIS2 = "legislation-nis2"
MUN_RESULT = "legislation-mun-result"
MUN_SUMMARY = "legislation-mun-summary"
MUN_TIME, MUN_TIME_CAPTION = "legislation-mun-time", "legislation-mun-time-caption"
MUN_CSV_BUTTON, MUN_CSV = "legislation-mun-csv-button", "legislation-mun-csv"
DRAFT_POP = "legislation-draft-pop"
DRAFT_ID = "legislation-draft-id"
REQ_ELEMENT, REQ_MIN, REQ_DEADLINE, REQ_IF, REQ_STATUS = (
    "legislation-req-element", "legislation-req-min", "legislation-req-deadline",
    "legislation-req-if", "legislation-req-status")
REQ_KINDS = (REQ_ELEMENT, REQ_MIN, REQ_DEADLINE, REQ_IF, REQ_STATUS)
# the editor's columns: (component type, i18n field, column width)
# (kind, field, columns from 1400 px where a requirement is one row under visible column heads;
# columns on a phone, columns from 768 px): narrower, each control has its own visible label
REQ_COLUMNS = ((REQ_ELEMENT, "element", 4), (REQ_MIN, "min", 1), (REQ_DEADLINE, "deadline", 3),
               (REQ_IF, "if", 2), (REQ_STATUS, "status", 2))
REQ_NARROW = {REQ_ELEMENT: (12, 12), REQ_MIN: (6, 2), REQ_DEADLINE: (6, 4), REQ_IF: (6, 3),
              REQ_STATUS: (6, 3)}
DRAFT_RESULT = "legislation-draft-result"
# the requirement rows of the editor (made when the draft view is shown) and the rows they
# start from (kept in the page until then)
DRAFT_SLOTS, DRAFT_START = "legislation-draft-slots", "legislation-draft-start"
DRAFT_HEADLINE, DRAFT_SHARE = "legislation-draft-headline", "legislation-draft-share"
DRAFT_YAML_BUTTON, DRAFT_YAML = "legislation-draft-yaml-button", "legislation-draft-yaml"
NOTICES = "legislation-notices"

VIEWS = ("aggregate", "municipality", "draft")
ANY = "_"  # "no choice" in a select (dbc.Select keeps "" for its own placeholder)
SLOTS = 12  # requirement rows of the draft-law editor


def dom_id(component_id) -> str:
    """The DOM id Dash renders for a component id: a pattern-matching (dict) id becomes JSON with
    sorted keys and no spaces (dash-renderer's stringifyId), e.g.
    '{"index":0,"type":"legislation-req-min"}'; what a <label for=...> must name."""
    if isinstance(component_id, dict):
        return json.dumps(component_id, sort_keys=True, separators=(",", ":"))
    return component_id
