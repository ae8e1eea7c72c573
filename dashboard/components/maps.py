"""Offline choropleth maps: plotly MapLibre traces on a white background with shipped GeoJSON.

The geo-projection traces (Choropleth, Scattergeo) fetch a world topojson from a CDN and stay
blank offline, so only Choroplethmap/Scattermap with map style "white-bg" are used. The geometry
goes to the browser once; recolouring sends only new values (dash.Patch, see `recolour`).
"""

from __future__ import annotations

from collections.abc import Sequence

import plotly.graph_objects as go
from dash import Patch

# Colour-blind-safe sequential blues (light = low), readable on white.
SEQUENTIAL = [[0.0, "#f1f5fa"], [0.25, "#c6dbef"], [0.5, "#6baed6"], [0.75, "#2171b5"],
              [1.0, "#08306b"]]
NO_DATA = "#d9d9d9"

VIEWS = {
    "eu": {"center": {"lat": 52.0, "lon": 12.0}, "zoom": 2.6},
    "nl": {"center": {"lat": 52.2, "lon": 5.3}, "zoom": 6.0},
}


def choropleth_map(geojson: dict, locations: Sequence[str], z: Sequence[float], text: Sequence[str],
                   *, view: str, zmin: float, zmax: float, colorbar_title: str,
                   colorscale=SEQUENTIAL, tickvals=None, ticktext=None,
                   height: int = 520) -> go.Figure:
    fig = go.Figure(go.Choroplethmap(
        geojson=geojson, locations=list(locations), z=list(z), text=list(text),
        zmin=zmin, zmax=zmax, colorscale=colorscale,
        marker={"line": {"width": 0.4, "color": "#ffffff"}, "opacity": 0.95},
        hovertemplate="%{text}<extra></extra>",
        colorbar={"title": {"text": colorbar_title}, "thickness": 12, "len": 0.6,
                  **({"tickvals": tickvals, "ticktext": ticktext} if tickvals else {})},
    ))
    # Regions without any data are drawn grey underneath, so "no answers" differs from "low".
    fig.update_layout(
        map={"style": "white-bg", **VIEWS[view]},
        margin={"l": 0, "r": 0, "t": 0, "b": 0},
        height=height,
        paper_bgcolor="#ffffff",
        uirevision=view,  # keep the user's zoom/pan when only the values change
    )
    return fig


def recolour(z: Sequence[float], text: Sequence[str]) -> Patch:
    """Only the new values for trace 0: the geometry is not sent again."""
    patch = Patch()
    patch["data"][0]["z"] = list(z)
    patch["data"][0]["text"] = list(text)
    return patch
