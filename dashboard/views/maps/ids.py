"""Component ids of the Maps & regions page ('maps-<thing>'), shared by layout and callbacks."""

from __future__ import annotations

from pipelines.national_indices import INDICES

MEASURE = "maps-measure"
STAT = "maps-stat"
WAVE = "maps-wave"
LEVEL = "maps-level"
COUNTRY = "maps-country"
NOTICE = "maps-notice"
GRAPH = "maps-graph"
CAPTION = "maps-caption"
COVERAGE = "maps-coverage"
COUNTRIES = "maps-countries"
REGIONS = "maps-regions"
SIZES_GRAPH = "maps-sizes-graph"
SIZES_CAPTION = "maps-sizes-caption"
SIZES_TABLE = "maps-sizes-table"
CONTEXT = "maps-context"
# one small chart per national index (pipelines.national_indices.INDICES), side by side or stacked
CONTEXT_GRAPHS = {k: f"maps-context-graph-{k}" for k in INDICES}
CONTEXT_CAPTION = "maps-context-caption"
DOWNLOADS = ("map", "countries", "regions", "sizes", "context")


def download_button_id(kind: str) -> str:
    """The CSV link of a table's download control (XLSX and Parquet add their format)."""
    return f"maps-download-{kind}-btn"
