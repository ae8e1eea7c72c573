"""The policy view's charts: first-phase bars and the bottleneck heatmaps (data in, figure out).

Figures are plain dicts (dashboard/components/figures.py says why): go.Figure, even without
validation, copied each figure twice (construction and serialisation), 1-4 ms per figure at EU
size. Numeric arrays travel as plotly's typed arrays (`_typed`: the spec go.Figure.to_dict()
sends), so the page receives the same JSON; the tests validate the figures with go.Figure.
"""

from __future__ import annotations

import base64

import numpy as np

from dashboard.components import colours
from dashboard.components.numbers import fmt_int, plotly_separators
from dashboard.context import AppContext
from dashboard.i18n import t
from dashboard.lru import Lru
from dashboard.views.policy.data import Heat, PolicyData
from dashboard.views.policy.selection import PER
from dashboard.views.policy.texts import column_labels, element_label, pct

ROW_PX = 18
FP_TOP = 20  # bars in the first-phase chart (all elements are in the CSV)
HEAT_SCALE = colours.LACKING_SCALE
BAR = colours.ACCENT
FONT = {"family": "system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif", "size": 11,
        "color": colours.TEXT}


_DTYPES = {"float32": "f4", "float64": "f8"}


def _typed(a: np.ndarray):
    """A float array as plotly.js's typed-array spec (base64 bytes, shape past one dimension):
    what plotly's `to_typed_array_spec` writes, without its generic walk over every list of the
    figure (1-2 ms a figure). An empty array stays an array (a JSON list), as there."""
    a = np.ascontiguousarray(a)
    if a.size == 0:
        return a
    spec = {"dtype": _DTYPES[str(a.dtype)], "bdata": base64.b64encode(a).decode("ascii")}
    if a.ndim > 1:
        spec["shape"] = str(a.shape)[1:-1]
    return spec


_LABELS = Lru(16)  # element labels per reference folder, language and width


def _element_labels(ctx: AppContext, lang: str, width: int) -> dict[str, str]:
    return _LABELS.get((str(ctx.settings.reference_dir), lang, width), lambda: {
        e.id: element_label(ctx, e.id, lang, width) for e in ctx.framework.elements})


def blank_figure() -> dict:
    """A 40 px figure without axes: the place of a chart whose section is hidden or empty (the
    section says why)."""
    return {"data": [], "layout": {"template": {}, "height": 40, "xaxis": {"visible": False},
                                   "yaxis": {"visible": False},
                                   "margin": {"l": 0, "r": 0, "t": 0, "b": 0}}}


def first_phase_figure(ctx: AppContext, fp, lang: str) -> dict:
    """Horizontal bars, most frequent first: share of answering municipalities, count and share
    written on each bar; the FP_TOP most frequent elements (never-recommended ones left out).
    `fp`: first_phase_columns (or the frame)."""
    first = np.asarray(fp["first_phase"])
    keep = np.flatnonzero(first > 0)[:FP_TOP]
    if not len(keep):
        return blank_figure()
    ids = list(fp["element_id"])
    names = _element_labels(ctx, lang, 44)
    labels = [names[ids[i]] for i in keep]
    share = np.asarray(fp["share"], dtype=np.float64)[keep]
    text = [f"{fmt_int(c, lang)} ({pct(s, lang)})" for c, s in zip(first[keep], share,
                                                                   strict=True)]
    n = len(keep)
    return {"data": [{
        "type": "bar", "orientation": "h", "x": _typed((100 * share).round(2)),
        "y": labels, "text": text, "textposition": "outside", "cliponaxis": False,
        "marker": {"color": BAR}, "hovertemplate": "%{y}<br>%{text}<extra></extra>"}],
        "layout": {
            "template": {}, "height": n * 22 + 70, "font": FONT,
            "separators": plotly_separators(lang),
            "margin": {"l": 300, "r": 90, "t": 10, "b": 45, "pad": 2},
            "paper_bgcolor": colours.PAPER, "plot_bgcolor": colours.PAPER, "bargap": 0.25,
            "xaxis": {"title": {"text": t("policy.fp.axis", lang)}, "ticksuffix": "%",
                      "rangemode": "tozero", "gridcolor": colours.GRID, "zeroline": False,
                      "fixedrange": True},
            "yaxis": {"autorange": "reversed", "fixedrange": True, "ticks": "",
                      "automargin": True},
        }}


def heat_figure(ctx: AppContext, data: PolicyData, h: Heat, measure: str, lang: str
                ) -> dict:
    """Elements x groups, colour = leverage (per answering municipality or total). The hover
    numbers travel as arrays (customdata) and are formatted by plotly in the page language."""
    if not h.columns:
        return blank_figure()
    ids_ = data.roadmaps.element_ids
    z = (h.per_municipality if measure == PER else h.leverage).astype(np.float32)
    n_rows, n_cols = z.shape
    x = column_labels(ctx, h, lang, wrap=True)
    names = _element_labels(ctx, lang, 40)
    y = [names[ids_[j]] for j in h.rows]
    digits = 2 if measure == PER else 1
    # float32 arrays travel base64-encoded (plotly's typed arrays), half the bytes of float64
    custom = np.stack([h.leverage, h.per_municipality, h.lacking,
                       np.broadcast_to(h.n[None, :], z.shape)], axis=-1).astype(np.float32)
    trace = {"type": "heatmap", "z": _typed(z), "x": x, "y": y, "customdata": _typed(custom),
             "colorscale": HEAT_SCALE, "zmin": 0, "xgap": 1, "ygap": 1,
             "hovertemplate": t("policy.heat.tip", lang) + "<extra></extra>",
             "colorbar": {"title": {"text": t(f"policy.heat.measure.{measure}.short", lang),
                                    "side": "right"}, "thickness": 10, "len": 0.6,
                          "tickformat": f",.{digits}f"}}
    if n_cols <= 12:
        trace.update(texttemplate="%{z:,." + str(digits) + "f}", textfont={"size": 9})
    shapes = []
    if h.highlight is not None:
        c = h.highlight
        shapes.append({"type": "rect", "x0": c - 0.5, "x1": c + 0.5, "y0": -0.5,
                       "y1": n_rows - 0.5, "line": {"color": colours.RULE, "width": 2}})
    return {"data": [trace], "layout": {
        "template": {}, "font": FONT, "separators": plotly_separators(lang),
        "height": n_rows * ROW_PX + (80 if h.field == "size_class" else 170),
        "paper_bgcolor": colours.PAPER, "plot_bgcolor": colours.PAPER,
        "margin": {"l": 280, "r": 20, "t": 10, "b": 60 if h.field == "size_class" else 150,
                   "pad": 2},
        "xaxis": {"type": "category", "tickangle": 0 if h.field == "size_class" else -50,
                  "showgrid": False, "zeroline": False, "fixedrange": True,
                  "automargin": True},
        "yaxis": {"type": "category", "autorange": "reversed", "showgrid": False,
                  "zeroline": False, "fixedrange": True, "ticks": ""},
        "shapes": shapes}}
