"""The heatmap figure: levels per element × municipality (int8, discrete colours), or medians per
element × region over a status layer (suppressed, no data). Data in, plotly figure out (no Dash).
"""

from __future__ import annotations

import textwrap

import numpy as np
import plotly.graph_objects as go
from _plotly_utils.utils import to_typed_array_spec

from dashboard.components import colours
from dashboard.components.numbers import plotly_separators
from dashboard.components.places import region_name
from dashboard.context import AppContext
from dashboard.i18n import t
from dashboard.store import Snapshot
from dashboard.views.heatmap.data import MUNICIPALITIES, REGIONS, View, reference_arrays
from dashboard.views.heatmap.texts import order_text
from pipelines.maturity.heatmap import NO_DATA, SUPPRESSED, VALUE, block_spans

NAMED_TICKS = 60  # up to this many columns the names are written under the grid
MEDIAN_LABELS = 20  # up to this many region columns each cell shows its median
MEDIAN_CELL_PX = 22  # a cell that holds "2,0" (10 px type) with room either side
MARGIN_L, MARGIN_R = 250, 175  # element labels left, block names right

# Colour-blind-safe sequential YlGnBu, one colour per level; missing is neutral grey (a different
# hue from every level, and explained in the legend), suppressed is a darker grey with a cross.
LEVEL_COLOURS = colours.LEVELS
MISSING_COLOUR = colours.NO_ANSWER
SUPPRESSED_COLOUR = colours.HIDDEN
_BAND = 1 / 6  # z (level + 1) from -0.5 to 5.5: six equal bands for missing and levels 0-4
DISCRETE_SCALE = [[0.0, MISSING_COLOUR], [_BAND, MISSING_COLOUR]] + [
    stop for i, c in enumerate(LEVEL_COLOURS) for stop in ([(i + 1) * _BAND, c], [(i + 2) * _BAND, c])]
DISCRETE_SCALE[-1][0] = 1.0
CONTINUOUS_SCALE = [[i / 4, c] for i, c in enumerate(LEVEL_COLOURS)]
# Region cells without a value: status SUPPRESSED (1) or NO_DATA (2), drawn under the medians.
STATUS_SCALE = [[0.0, SUPPRESSED_COLOUR], [0.5, SUPPRESSED_COLOUR], [0.5, MISSING_COLOUR],
                [1.0, MISSING_COLOUR]]
ROW_PX = 18


def _short(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1].rstrip() + "…"


def min_width(view: View) -> int:
    """The figure's width (px) below which the medians written in the cells would touch: on a
    phone 19 Spanish regions got 15 px each and "3,02,02,0" ran together. Narrower windows
    scroll the figure sideways instead (layout.graph_box_style, 20-heatmap.css); 0: none."""
    if view.grid is None or view.mode != REGIONS or view.grid.n_columns > MEDIAN_LABELS:
        return 0
    return MARGIN_L + MARGIN_R + MEDIAN_CELL_PX * view.grid.n_columns


def figure(ctx: AppContext, snap: Snapshot, view: View, lang: str) -> go.Figure:
    """The heatmap (municipalities: int8 levels, regions: medians over a status layer)."""
    # Built from plain dicts without plotly's per-property validation (3 ms instead of 20 ms);
    # the tests validate the same figure in full (go.Figure(fig.to_dict())).
    return go.Figure(_spec(ctx, snap, view, lang), _validate=False)


def figure_json(ctx: AppContext, snap: Snapshot, view: View, lang: str) -> dict:
    """`figure` as the JSON data Dash sends for it (`figure(...).to_plotly_json()`), without
    the graph object: building it and its deep copy on the way out were ~7 of the page's 15 ms
    at EU size. What plotly does on the way: each trace's and the layout's own keys in
    alphabetical order (a trace's type last; nested values as given), numpy arrays as typed
    arrays (base64; here only a trace's own values are arrays, so plotly's walk of the whole
    figure for them, 3 ms, is not needed). The page sends the same bytes
    (tests/dashboard/test_page_parts.py)."""
    spec = _spec(ctx, snap, view, lang)
    data = [{**{k: to_typed_array_spec(v) if isinstance(v, np.ndarray) else v
                for k, v in sorted(tr.items()) if k != "type"}, "type": tr["type"]}
            for tr in spec["data"]]
    return {"data": data, "layout": dict(sorted(spec["layout"].items()))}


def _spec(ctx: AppContext, snap: Snapshot, view: View, lang: str) -> dict:
    """The figure as plain dicts and numpy arrays."""
    if view.grid is None:
        return {"data": [], "layout": {
            "template": {}, "height": 60, "xaxis": {"visible": False},
            "yaxis": {"visible": False}}}
    grid = view.grid
    cube = snap.maturity
    fw = ctx.framework
    n_rows, n_cols = len(grid.rows), grid.n_columns
    named = n_cols <= NAMED_TICKS
    row_ids = [cube.element_ids[e] for e in grid.rows]
    ticktext = [_short(f"{e} {fw.element_by_id[e].name.get(lang)}", 36) for e in row_ids]
    common = {"hoverinfo": "none", "xgap": 1 if n_cols <= 120 else 0,
              "ygap": 1 if n_cols <= 120 else 0}
    if view.mode == MUNICIPALITIES:
        # Sent as level + 1 (0 = no answer): bytes 0-5 base64-encode without '/', which JSON
        # escapes to 6 characters (-1 = 0xFF would nearly triple the size of a sparse grid).
        traces = [{"type": "heatmap", "z": (grid.z + 1).astype(np.int8), "zmin": -0.5,
                   "zmax": 5.5, "colorscale": DISCRETE_SCALE, "showscale": False, **common}]
    else:
        status = np.where(grid.status == VALUE, np.nan, grid.status).astype(np.float32)
        under = {"type": "heatmap", "z": status, "zmin": SUPPRESSED, "zmax": NO_DATA,
                 "colorscale": STATUS_SCALE, "showscale": False, **common, "hoverinfo": "skip"}
        if n_cols <= NAMED_TICKS:
            under.update(text=np.where(grid.status == SUPPRESSED, "×", "").tolist(),
                         texttemplate="%{text}", textfont={"size": 11, "color": colours.TEXT})
        medians = {"type": "heatmap", "z": grid.median.astype(np.float32), "zmin": 0, "zmax": 4,
                   "colorscale": CONTINUOUS_SCALE, "hoverongaps": True, **common,
                   "colorbar": {"title": {"text": t("heatmap.colorbar.median", lang),
                                          "side": "top"},
                                "orientation": "h", "x": 0, "xanchor": "left", "y": 1.0,
                                "yanchor": "bottom", "len": 1.0, "thickness": 10,
                                "ticklabelposition": "outside top",
                                "tickvals": [0, 1, 2, 3, 4],
                                "ticktext": [f"{i} {fw.scale[i].label.get(lang)}"
                                             for i in range(5)],
                                "tickfont": {"size": 10}}}
        # the median written in the cell only where a cell is wide enough for "2,0": with 40
        # regions (the Netherlands' NUTS 3) the labels touched at 1366 px; hover has them all
        if n_cols <= MEDIAN_LABELS:
            medians.update(texttemplate="%{z:.1f}", textfont={"size": 10})
        traces = [under, medians]
    x_labels = (reference_arrays(ctx)["name"][grid.columns] if view.mode == MUNICIPALITIES
                else [region_name(ctx, r) for r in grid.regions])
    spans = block_spans(cube.element_blocks, grid.rows)
    # Blocks: a white gap between them across the grid, a bracket and the name on the right.
    shapes = [{"type": "line", "xref": "paper", "x0": 0, "x1": 1.0, "y0": start - 0.5,
               "y1": start - 0.5, "line": {"color": colours.PAPER, "width": 5}}
              for _, start, _ in spans[1:]]
    shapes += [{"type": "line", "xref": "paper", "x0": 1.006, "x1": 1.006, "y0": start - 0.35,
                "y1": end - 0.65, "line": {"color": colours.RULE_MUTED, "width": 2}}
               for _, start, end in spans]
    annotations = [{"xref": "paper", "x": 1.012, "xanchor": "left", "y": (start + end - 1) / 2,
                    "yref": "y", "showarrow": False, "align": "left",
                    "text": "<br>".join(textwrap.wrap(fw.block_by_id[b].name.get(lang), 24)),
                    "font": {"size": 11, "color": colours.LABEL}}
                   for b, start, end in spans]
    if view.target_column is not None:
        c = view.target_column
        shapes.append({"type": "rect", "x0": c - 0.5, "x1": c + 0.5, "y0": -0.5,
                       "y1": n_rows - 0.5, "line": {"color": colours.RULE, "width": 2}})
    axis_key = (("heatmap.axis.municipalities.named" if named else "heatmap.axis.municipalities")
                if view.mode == MUNICIPALITIES else f"heatmap.axis.nuts{view.region_level}")
    axis_title = t(axis_key, lang, order=order_text(ctx, view.state, lang))
    return {"data": traces, "layout": {
        "template": {},  # no template (the default adds 6 KB)
        "height": n_rows * ROW_PX + (200 if named else 90) + (40 if view.mode == REGIONS else 0),
        "margin": {"l": MARGIN_L, "r": MARGIN_R, "t": 62 if view.mode == REGIONS else 16,
                   "b": 150 if named else 40, "pad": 2},
        "paper_bgcolor": colours.PAPER, "plot_bgcolor": colours.PAPER,
        "separators": plotly_separators(lang),
        "font": {"family": "system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif", "size": 11,
                 "color": colours.TEXT},
        "xaxis": {"range": [-0.5, n_cols - 0.5], "showgrid": False, "zeroline": False,
                  "ticks": "", "side": "bottom", "fixedrange": True, "automargin": True,
                  "title": {"text": axis_title, "font": {"size": 12}, "standoff": 8},
                  **({"tickmode": "array", "tickvals": list(range(n_cols)), "tickangle": -60,
                      "ticktext": [_short(str(s), 22) for s in x_labels]} if named
                     else {"showticklabels": False})},
        "yaxis": {"range": [n_rows - 0.5, -0.5], "showgrid": False, "zeroline": False,
                  "ticks": "", "fixedrange": True, "tickmode": "array",
                  "tickvals": list(range(n_rows)), "ticktext": ticktext},
        "shapes": shapes, "annotations": annotations,
        "uirevision": "heatmap",
    }}
