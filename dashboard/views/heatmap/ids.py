"""Component ids of the Element heatmap (page-prefixed; shared ones come from dashboard.ids),
shared by its layout and callbacks."""

COUNTRY = "heatmap-country"
NUTS2 = "heatmap-nuts2"
SIZE = "heatmap-size"
PEERS = "heatmap-peers"
WAVE = "heatmap-wave"
SORT = "heatmap-sort"
MODE = "heatmap-mode"
NOTES = "heatmap-notes"
GRAPH = "heatmap-graph"
GRAPH_BOX = "heatmap-graph-box"
CAPTION = "heatmap-caption"
LEGEND = "heatmap-legend"
TOOLTIP = "heatmap-tooltip"
TIP_TITLE = "heatmap-tip-title"
TIP_ELEMENT = "heatmap-tip-element"
TIP_VALUE = "heatmap-tip-value"
TIP_DETAIL = "heatmap-tip-detail"
LABELS = "heatmap-labels"  # store: row labels and level descriptors (per page and language)
COLUMNS = "heatmap-columns"  # store: column labels (+ region statistics) of the figure shown
CSV_BUTTON = "heatmap-csv-button"
