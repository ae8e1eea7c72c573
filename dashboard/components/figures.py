"""Figure pieces every view shares: the plain-dict figure in the toolkit's style and the empty
state that says why there is nothing to draw."""

from __future__ import annotations

from dashboard.components import colours
from dashboard.components.numbers import plotly_separators
from dashboard.i18n import t


def figure_dict(data: list[dict], height: int, lang: str | None = None, **layout) -> dict:
    """A figure as a plain dict: plotly's graph objects validate every property on the way in,
    which cost 10-40 ms per figure; these figures are small and checked in the tests
    (go.Figure(fig) accepts them). Slim layout: no template (the default one adds ~6 KB).
    With `lang`, hover numbers use that language's separators."""
    base = {"height": height,
            "margin": {"l": 10, "r": 10, "t": 10, "b": 10},
            "font": {"family": "system-ui, -apple-system, 'Segoe UI', sans-serif", "size": 12,
                     "color": colours.TEXT},
            "paper_bgcolor": colours.PAPER, "plot_bgcolor": colours.PAPER, "hovermode": "closest",
            "legend": {"orientation": "h", "y": -0.08, "x": 0.5, "xanchor": "center"}}
    if lang is not None:
        base["separators"] = plotly_separators(lang)
    return {"data": data, "layout": {**base, **layout}}


def empty_figure(message: str, height: int = 200) -> dict:
    """No axes, one muted sentence in the middle: what is missing and why."""
    return figure_dict([], height, xaxis={"visible": False}, yaxis={"visible": False},
                       annotations=[{"text": message, "showarrow": False, "x": 0.5, "y": 0.5,
                                     "xref": "paper", "yref": "paper",
                                     "font": {"size": 14, "color": colours.TEXT_MUTED}}])


# plotly's own texts (the chart toolbar's buttons and messages) -> i18n key: given to each chart
# in its config (`locales`), so a Dutch page has no English toolbar and no script is loaded
PLOTLY_TEXTS = {
    "Download plot as a PNG": "graph.png",
    "Download plot": "graph.download",
    "Zoom": "graph.zoom",
    "Pan": "graph.pan",
    "Box Select": "graph.box",
    "Lasso Select": "graph.lasso",
    "Zoom in": "graph.zoomin",
    "Zoom out": "graph.zoomout",
    "Autoscale": "graph.autoscale",
    "Reset axes": "graph.reset",
    "Double-click to zoom back out": "graph.dblclick",
    "Double-click on legend to isolate one trace": "graph.legend",
    "Sorry, there was a problem downloading your image!": "graph.failed",
}


def localised_config(config: dict, lang: str) -> dict:
    """A dcc.Graph config with plotly's texts, month names and separators in `lang`."""
    fmt = {"months": t("graph.months", lang).split(","),
           "shortMonths": t("graph.short_months", lang).split(","),
           "decimal": plotly_separators(lang)[0], "thousands": plotly_separators(lang)[1]}
    return {**config, "locale": lang, "locales": {lang: {
        "dictionary": {en: t(key, lang) for en, key in PLOTLY_TEXTS.items()}, "format": fmt}}}
