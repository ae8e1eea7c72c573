"""Offline choropleth maps: plotly MapLibre traces on a white background with shipped GeoJSON.

The geo-projection traces (Choropleth, Scattergeo) fetch a world topojson from a CDN and stay
blank offline, so only Choroplethmap/Scattermap with map style "white-bg" are used. The geometry
is given as the URL of a same-origin file (dashboard/geo_files.py; plotly fetches it once),
so a figure carries values only; recolouring sends only new values (`map_patches.py`).
"""

from __future__ import annotations

import base64
from collections.abc import Sequence

import numpy as np
import plotly.graph_objects as go

from dashboard.components import colours as palette

# Colour-blind-safe sequential blues (light = low), readable on white.
SEQUENTIAL = palette.COUNT_SCALE
NO_DATA = palette.NO_ANSWER

VIEWS = {
    "eu": {"center": {"lat": 52.0, "lon": 12.0}, "zoom": 2.6},
    # 5.7, not 6: the whole country fits a phone's 390 px wide card (at 6 both coasts were cut)
    "nl": {"center": {"lat": 52.2, "lon": 5.3}, "zoom": 5.7},
}

# The legend lies under the map, not beside it: beside it, it covered the east of the
# Netherlands on a phone, and under it the map keeps the card's whole width at every size.
LEGEND_BELOW = {"orientation": "h", "x": 0.5, "xanchor": "center", "y": 0, "yanchor": "top",
                "thickness": 12, "len": 0.6}


def choropleth_map(geojson: dict | str, locations: Sequence[str], z: Sequence[float], text: Sequence[str],
                   *, view: str, zmin: float, zmax: float, colorbar_title: str,
                   colorscale=SEQUENTIAL, tickvals=None, ticktext=None,
                   height: int = 520) -> dict:
    """The figure as the plain dict go.Figure would send. `geojson` is the geometry's URL
    (geo_files) or the GeoJSON itself; plotly validates and deep-copies every property on the
    way in and out, which for a GeoJSON (the NUTS 2 regions, the Dutch municipalities) cost
    ~0.3 s per render: it validates the figure without it and puts it in by reference."""
    fig = go.Figure(go.Choroplethmap(
        geojson={}, locations=list(locations), z=list(z), text=list(text),
        zmin=zmin, zmax=zmax, colorscale=colorscale,
        marker={"line": {"width": 0.4, "color": palette.PAPER}, "opacity": 0.95},
        hovertemplate="%{text}<extra></extra>",
        colorbar={"title": {"text": colorbar_title, "side": "top"}, **LEGEND_BELOW,
                  **({"tickvals": tickvals, "ticktext": ticktext} if tickvals else {})},
    ))
    # Regions without any data are drawn grey underneath, so "no answers" differs from "low".
    fig.update_layout(
        map={"style": "white-bg", **VIEWS[view]},
        margin={"l": 0, "r": 0, "t": 0, "b": 64},  # room for the legend below
        height=height,
        paper_bgcolor=palette.PAPER,
        uirevision=view,  # keep the user's zoom/pan when only the values change
    )
    plain = fig.to_plotly_json()
    plain["data"][0]["geojson"] = geojson
    return plain



def typed_array(values: np.ndarray) -> dict:
    """plotly.js typed-array spec (what plotly.py sends for numpy arrays in a figure)."""
    kinds = {np.dtype(np.float32): "f4", np.dtype(np.float64): "f8", np.dtype(np.int8): "i1",
             np.dtype(np.int16): "i2", np.dtype(np.int32): "i4", np.dtype(np.uint8): "u1"}
    arr = np.ascontiguousarray(values)
    if arr.dtype not in kinds:
        arr = arr.astype(np.float64)
    arr = arr.astype(arr.dtype.newbyteorder("<"), copy=False)
    return {"dtype": kinds[arr.dtype], "bdata": base64.b64encode(arr.tobytes()).decode("ascii")}


# ------------------------------------------------------------------ maturity maps with status bands
# Values that may not be shown (suppressed aggregates, municipalities that did not consent) and
# locations without a value are coded below the value range (pipelines.maturity.regional.Scale),
# so one trace draws them grey and the colour bar explains both greys. Values never leave the server.

# Yellow-green-blue (ColorBrewer YlGnBu, colour-blind safe): low = pale yellow, so the greys stand out.
MATURITY = palette.LEVEL_SCALE
BINARY = palette.BINARY
GREY_HIDDEN = palette.HIDDEN  # suppressed / not public
GREY_EMPTY = palette.NO_ANSWER  # no answers


def status_colours(scale, *, title: str, ticks: Sequence[tuple[float, str]], hidden_label: str,
                   empty_label: str, binary: bool = False) -> dict:
    """zmin, zmax, colorscale and colorbar for values on `scale` plus its two grey bands."""
    p1 = scale.position(scale.vmin - scale.band)
    p2 = scale.position(scale.vmin)
    stops = BINARY if binary else MATURITY
    colorscale = [[0.0, GREY_HIDDEN], [p1, GREY_HIDDEN], [p1, GREY_EMPTY], [p2, GREY_EMPTY]]
    colorscale += [[p2 + pos * (1 - p2), colour] for pos, colour in stops]
    colorscale[-1][0] = 1.0
    tickvals = [scale.hidden, scale.empty, *(v for v, _ in ticks)]
    ticktext = [hidden_label, empty_label, *(label for _, label in ticks)]
    return {"zmin": scale.zmin, "zmax": scale.zmax, "colorscale": colorscale,
            "colorbar": {"title": {"text": title, "side": "top"}, "thickness": 14, "len": 0.8,
                         "tickvals": tickvals, "ticktext": ticktext, "ticks": "",
                         "outlinewidth": 0, "x": 1.0, "xanchor": "left"}}


def _map_layout(view: dict, uirevision: str, height: int) -> dict:
    return {"map": {"style": "white-bg", **view}, "margin": {"l": 0, "r": 0, "t": 0, "b": 0},
            "height": height, "paper_bgcolor": palette.PAPER,
            "uirevision": uirevision,  # keeps zoom/pan while only the values change
            "hoverlabel": {"bgcolor": palette.PAPER, "font": {"color": palette.TEXT_DARK}}}


HOVER = "<b>%{customdata}</b><br>%{text}<extra></extra>"

# The status maps are plain figure dicts: go.Figure validates and copies the whole GeoJSON
# (about 0.5 s for the 1,512 NUTS 3 regions), which would make a change of map level slow.


def status_choropleth(geojson: dict | str, locations: Sequence[str], z: np.ndarray,
                      text: Sequence[str], names: Sequence[str], colours: dict, *, view: dict,
                      uirevision: str, height: int = 560) -> dict:
    """Regions or municipalities with real boundaries (`geojson`: the URL of the file, or the
    GeoJSON); `names` (static) and `text` (the value) make the hover, so a recolour only resends
    `z` and `text`."""
    trace = {"type": "choroplethmap", "geojson": geojson, "locations": list(locations),
             "z": typed_array(np.asarray(z, dtype=np.float32)), "text": list(text),
             "customdata": list(names), "hovertemplate": HOVER,
             "marker": {"line": {"width": 0.4, "color": palette.PAPER}, "opacity": 0.95}, **colours}
    return {"data": [trace], "layout": _map_layout(view, uirevision, height)}


def status_points(lon: np.ndarray, lat: np.ndarray, z: np.ndarray, text: Sequence[str],
                  names: Sequence[str], colours: dict, *, view: dict, uirevision: str,
                  outline: dict | str | None = None, height: int = 560) -> dict:
    """Municipalities without boundaries as points at their population-weighted centres;
    `outline` (the URL of a GeoJSON file, or the GeoJSON) draws region borders underneath for
    orientation."""
    size = 9 if len(lon) < 500 else 6 if len(lon) < 3000 else 4
    trace = {"type": "scattermap", "mode": "markers",
             "lon": typed_array(np.asarray(lon, dtype=np.float32)),
             "lat": typed_array(np.asarray(lat, dtype=np.float32)),
             "text": list(text), "customdata": list(names), "hovertemplate": HOVER,
             "marker": {"size": size, "opacity": 0.9,
                        "color": typed_array(np.asarray(z, dtype=np.float32)),
                        "cmin": colours["zmin"], "cmax": colours["zmax"],
                        "colorscale": colours["colorscale"], "colorbar": colours["colorbar"],
                        "showscale": True}}
    layout = _map_layout(view, uirevision, height)
    if outline:
        layout["map"]["layers"] = [{"sourcetype": "geojson", "source": outline, "type": "line",
                                    "color": palette.OUTLINE, "line": {"width": 0.7},
                                    "below": "traces"}]
    return {"data": [trace], "layout": layout}
