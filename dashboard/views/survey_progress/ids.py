"""Component ids of the survey progress view (page-prefixed; shared ids come from
dashboard.ids), used by layout.py, tables.py and callbacks.py."""

from __future__ import annotations

TOKEN = "survey-progress-token"
BY = "survey-progress-by"
RATES_GRAPH = "survey-progress-rates-graph"
RATES_CAPTION = "survey-progress-rates-caption"
RATES_TABLE = "survey-progress-rates-table"
FILTER = "survey-progress-filter"
SEARCH = "survey-progress-search"
SORT = "survey-progress-sort"
TABLE = "survey-progress-table"
TABLE_COUNT = "survey-progress-table-count"
PAGE_NO = "survey-progress-page"
PREV = "survey-progress-prev"
NEXT = "survey-progress-next"
DOWNLOAD = "survey-progress-download"
CSV_NON_RESPONDERS = "survey-progress-csv-non-responders"
CSV_RATES = "survey-progress-csv-rates"
CSV_ALL = "survey-progress-csv-all"
CSV_BUTTONS = (CSV_NON_RESPONDERS, CSV_RATES, CSV_ALL)
