"""Maps & regions: plotly figures as plain dicts (map, size classes, national indices)."""

from __future__ import annotations

import pandas as pd

from dashboard.components import colours as palette
from dashboard.components.maps import status_choropleth, status_points
from dashboard.components.numbers import fmt_int
from dashboard.i18n import t
from dashboard.views.maps.data import MapState
from dashboard.views.maps.geometry import Geometry
from dashboard.views.maps.map_values import MapValues
from pipelines.national_indices import INDICES


def map_figure(geom: Geometry, values: MapValues) -> dict:
    if geom.kind == "points":
        return status_points(geom.lon, geom.lat, values.z, values.text, geom.names,
                             values.colours, view=geom.view, uirevision=geom.uirevision,
                             outline=geom.outline)
    return status_choropleth(geom.geojson, geom.locations, values.z, values.text, geom.names,
                             values.colours, view=geom.view, uirevision=geom.uirevision)


def _axis(**kw) -> dict:
    return {"showgrid": True, "gridcolor": palette.GRID, "zeroline": False, "automargin": True, **kw}


def sizes_figure(df: pd.DataFrame, state: MapState, lang: str) -> dict:
    """Median and middle half (or share at >= 3) per size class; a plain figure dict (building
    a go.Figure costs more than the data here)."""
    shown = df[df[state.stat].notna()]
    labels = [f"{lab} (n={fmt_int(n, lang)})" for lab, n in zip(shown["label"], shown["n"],
                                                               strict=True)]
    if state.stat == "share_ge3":
        trace = {"type": "bar", "orientation": "h", "x": shown["share_ge3"].round(4).tolist(),
                 "y": labels, "marker": {"color": palette.ACCENT},
                 "hovertemplate": "%{y}: %{x:.0%}<extra></extra>"}
        xaxis = _axis(range=[0, 1.02], tickformat=".0%", dtick=0.25,
                      title={"text": t("maps.col.share", lang)})
    else:
        med = shown["median"].to_numpy()
        trace = {"type": "scatter", "mode": "markers", "x": med.round(3).tolist(), "y": labels,
                 "marker": {"size": 10, "color": palette.ACCENT_DARK},
                 "error_x": {"type": "data", "symmetric": False,
                             "array": (shown["q3"].to_numpy() - med).round(3).tolist(),
                             "arrayminus": (med - shown["q1"].to_numpy()).round(3).tolist(),
                             "color": palette.ACCENT_LIGHT, "thickness": 6, "width": 0},
                 "hovertemplate": "%{y}<br>" + t("maps.col.median", lang)
                 + ": %{x:.2f}<extra></extra>"}
        xaxis = _axis(range=[-0.1, 4.1], dtick=1, title={"text": t("maps.sizes.axis", lang)})
    return {"data": [trace], "layout": {
        "template": "none", "height": 70 + 34 * max(len(shown), 1), "showlegend": False,
        "margin": {"l": 10, "r": 24, "t": 10, "b": 45}, "paper_bgcolor": palette.PAPER,
        "plot_bgcolor": palette.PAPER, "xaxis": xaxis,
        "yaxis": {"autorange": "reversed", "automargin": True}}}



def context_figure(df: pd.DataFrame, lang: str) -> dict:
    """Three small dot charts side by side: self-assessed median (up) against each index."""
    data, layout = [], {}
    width = 0.3
    for i, k in enumerate(INDICES):
        sub = df[df["self_assessed_median"].notna() & df[k].notna()]
        suffix = "" if i == 0 else str(i + 1)
        data.append({"type": "scatter", "mode": "markers+text", "xaxis": f"x{suffix}",
                     "yaxis": "y", "x": sub[k].round(4).tolist(),
                     "y": sub["self_assessed_median"].round(3).tolist(),
                     "text": sub["country"].tolist(), "customdata": sub["name"].tolist(),
                     "textposition": "top center", "textfont": {"size": 10},
                     "marker": {"size": 8, "color": palette.ACCENT},
                     "hovertemplate": "%{customdata}<br>%{x}<br>" + t("maps.context.axis.self", lang)
                     + ": %{y:.2f}<extra></extra>"})
        start = i * (width + 0.05)
        layout[f"xaxis{suffix}"] = _axis(domain=[start, start + width], autorange=True,
                                         title={"text": t(f"maps.context.axis.{k}", lang),
                                                "font": {"size": 12}})
    layout["yaxis"] = _axis(range=[0, 4.2], dtick=1,
                            title={"text": t("maps.context.axis.self", lang)})
    layout.update(template="none", height=380, showlegend=False, paper_bgcolor=palette.PAPER,
                  plot_bgcolor=palette.PAPER, margin={"l": 50, "r": 10, "t": 10, "b": 50})
    return {"data": data, "layout": layout}


