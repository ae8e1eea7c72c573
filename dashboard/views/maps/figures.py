"""Maps & regions: plotly figures as plain dicts (map, size classes, national indices)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from dashboard.components import colours as palette
from dashboard.components.maps import status_choropleth, status_points
from dashboard.components.numbers import fmt_int, plotly_separators
from dashboard.i18n import t
from dashboard.views.maps.data import Columns, MapState, rows_of, take_rows
from dashboard.views.maps.geometry import Geometry
from dashboard.views.maps.map_values import MapValues
from pipelines.national_indices import INDICES


def map_figure(geom: Geometry, values: MapValues) -> dict:
    """The geometry goes by URL (geo_files): the browser fetches each file once."""
    if geom.kind == "points":
        return status_points(geom.lon, geom.lat, values.z, values.text, geom.names,
                             values.colours, view=geom.view, uirevision=geom.uirevision,
                             outline=geom.outline_url)
    return status_choropleth(geom.geojson_url, geom.locations, values.z, values.text, geom.names,
                             values.colours, view=geom.view, uirevision=geom.uirevision)


def _axis(**kw) -> dict:
    return {"showgrid": True, "gridcolor": palette.GRID, "zeroline": False, "automargin": True, **kw}


def sizes_figure(cols: Columns, state: MapState, lang: str) -> dict:
    """Median and middle half (or share at >= 3) per size class; a plain figure dict (building
    a go.Figure costs more than the data here), from the table's numpy columns."""
    shown = take_rows(cols, ~np.isnan(cols[state.stat]))
    labels = [f"{lab} (n={fmt_int(n, lang)})" for lab, n in zip(shown["label"], shown["n"],
                                                               strict=True)]
    if state.stat == "share_ge3":
        trace = {"type": "bar", "orientation": "h", "x": shown["share_ge3"].round(4).tolist(),
                 "y": labels, "marker": {"color": palette.ACCENT},
                 "hovertemplate": "%{y}: %{x:.0%}<extra></extra>"}
        xaxis = _axis(range=[0, 1.02], tickformat=".0%", dtick=0.25,
                      title={"text": t("maps.col.share", lang)})
    else:
        med = shown["median"]
        trace = {"type": "scatter", "mode": "markers", "x": med.round(3).tolist(), "y": labels,
                 "marker": {"size": 10, "color": palette.ACCENT_DARK},
                 "error_x": {"type": "data", "symmetric": False,
                             "array": (shown["q3"] - med).round(3).tolist(),
                             "arrayminus": (med - shown["q1"]).round(3).tolist(),
                             "color": palette.ACCENT_LIGHT, "thickness": 6, "width": 0},
                 "hovertemplate": "%{y}<br>" + t("maps.col.median", lang)
                 + ": %{x:.2f}<extra></extra>"}
        xaxis = _axis(range=[-0.1, 4.1], dtick=1, title={"text": t("maps.sizes.axis", lang)})
    return {"data": [trace], "layout": {
        "template": "none", "height": 70 + 34 * max(rows_of(shown), 1), "showlegend": False,
        "margin": {"l": 10, "r": 24, "t": 10, "b": 45}, "paper_bgcolor": palette.PAPER,
        "plot_bgcolor": palette.PAPER, "xaxis": xaxis,
        "yaxis": {"autorange": "reversed", "automargin": True}}}



# ------------------------------------------------------------------ national indices


CONTEXT_HEIGHT = 300
CONTEXT_MARGIN = {"l": 48, "r": 12, "t": 12, "b": 48}
SELF_RANGE = (0.0, 4.2)
# The narrowest plot area a chart gets (three side by side from 992 px, ~290 px each, less the
# margins); labels are placed for it, so they do not collide on any wider screen either.
CONTEXT_PLOT_WIDTH = 220
LABEL_SIZE = 11  # px
_CHAR_WIDTH = 0.65 * LABEL_SIZE  # an upper-case letter, generously
_LABEL_HEIGHT = 1.2 * LABEL_SIZE
_DOT_RADIUS = 5.0  # the dot, and a little air around it
# plotly's textposition values, in the order they are tried
LABEL_POSITIONS = ("top center", "bottom center", "middle right", "middle left", "top right",
                   "top left", "bottom right", "bottom left")


def _label_box(position: str, x: float, y: float, w: float, h: float) -> tuple[float, ...]:
    """(left, top, right, bottom) of a label at `position` beside the dot at x, y (pixels, y
    down)."""
    vertical, horizontal = position.split()
    r = _DOT_RADIUS
    left = {"center": x - w / 2, "right": x + r, "left": x - r - w}[horizontal]
    top = {"top": y - r - h, "middle": y - h / 2, "bottom": y + r}[vertical]
    return left, top, left + w, top + h


def _overlap(a, b) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def place_labels(x, y, labels: list[str], x_range, y_range, width: float, height: float,
                 first: list[int] | tuple = ()) -> list[str | None]:
    """A plotly textposition per point, or None where the label would overlap another label or
    another dot, or leave the plot: that point is named on hover only. The points in `first` are
    placed first (over another dot if nowhere else), then the rest from the farthest from the
    crowd's middle inwards, so outliers keep their labels and a dense cluster loses some."""
    px = (np.asarray(x, dtype=float) - x_range[0]) / (x_range[1] - x_range[0]) * width
    py = (y_range[1] - np.asarray(y, dtype=float)) / (y_range[1] - y_range[0]) * height
    n = len(px)
    far = np.hypot(px - np.median(px), py - np.median(py)) if n else px
    order = [*first, *(int(i) for i in np.argsort(-far, kind="stable") if int(i) not in first)]
    dots = [(px[i] - _DOT_RADIUS, py[i] - _DOT_RADIUS, px[i] + _DOT_RADIUS, py[i] + _DOT_RADIUS)
            for i in range(n)]
    placed: list[tuple[float, ...]] = []
    out: list[str | None] = [None] * n

    def fits(box, i: int, over_dots: bool) -> bool:
        return (box[0] >= 0 and box[1] >= 0 and box[2] <= width and box[3] <= height
                and not any(_overlap(box, b) for b in placed)
                and (over_dots or not any(_overlap(box, dots[j]) for j in range(n) if j != i)))

    for i in order:
        w, h = len(labels[i]) * _CHAR_WIDTH + 2, _LABEL_HEIGHT
        # a point in `first` is labelled even if only over another dot
        for over_dots in (False, True) if i in first else (False,):
            boxes = ((p, _label_box(p, px[i], py[i], w, h)) for p in LABEL_POSITIONS)
            found = next(((p, box) for p, box in boxes if fits(box, i, over_dots)), None)
            if found:
                out[i] = found[0]
                placed.append(found[1])
                break
    return out


def _padded(values: np.ndarray) -> list[float] | None:
    """An axis range around the values with room for a label at either end."""
    if not len(values):
        return None
    lo, hi = float(values.min()), float(values.max())
    pad = 0.08 * ((hi - lo) or max(abs(hi), 1.0))
    return [lo - pad, hi + pad]


def context_figure(df: pd.DataFrame, index: str, lang: str, focus: str | None = None) -> dict:
    """One index (across) against the self-assessed median (up), a dot per country with both.
    Country codes label the dots where there is room (the country in focus and the outliers
    first); every dot names its country on hover. Sized for a third of a wide card or the full
    width of a phone."""
    sub = df[df["self_assessed_median"].notna() & df[index].notna()]
    x = sub[index].to_numpy(dtype=float)
    y = sub["self_assessed_median"].to_numpy(dtype=float)
    codes = sub["country"].tolist()
    x_range = _padded(x)
    focused = [c == focus for c in codes]
    positions = place_labels(
        x, y, codes, x_range or [0, 1], SELF_RANGE, CONTEXT_PLOT_WIDTH,
        CONTEXT_HEIGHT - CONTEXT_MARGIN["t"] - CONTEXT_MARGIN["b"],
        first=[i for i, f in enumerate(focused) if f])
    trace = {"type": "scatter", "mode": "markers+text", "x": x.round(4).tolist(),
             "y": y.round(3).tolist(), "customdata": sub["name"].tolist(),
             "text": [c if p else "" for c, p in zip(codes, positions, strict=True)],
             "textposition": [p or "top center" for p in positions],
             "textfont": {"size": LABEL_SIZE, "color": palette.LABEL},
             "marker": {"size": [11 if f else 8 for f in focused],
                        "color": [palette.FOCUS if f else palette.ACCENT for f in focused],
                        "line": {"width": [1.5 if f else 0 for f in focused],
                                 "color": palette.RULE}},
             "hovertemplate": "%{customdata}<br>%{x}<br>" + t("maps.context.axis.self", lang)
             + ": %{y:.2f}<extra></extra>"}
    xaxis = _axis(title={"text": t(f"maps.context.axis.{index}", lang), "font": {"size": 12}},
                  **({"range": x_range} if x_range else {"autorange": True}))
    return {"data": [trace], "layout": {
        "template": "none", "height": CONTEXT_HEIGHT, "showlegend": False,
        "margin": CONTEXT_MARGIN, "paper_bgcolor": palette.PAPER, "plot_bgcolor": palette.PAPER,
        "separators": plotly_separators(lang), "xaxis": xaxis,
        "yaxis": _axis(range=list(SELF_RANGE), dtick=1,
                       title={"text": t("maps.context.axis.self", lang)})}}


def context_figures(df: pd.DataFrame, state: MapState, lang: str) -> list[dict]:
    """One chart per index; on a country's map that country is marked and always labelled."""
    focus = state.country if state.level == "country" else None
    return [context_figure(df, k, lang, focus) for k in INDICES]
