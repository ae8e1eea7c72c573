"""Figure pieces every view shares: the plain-dict figure in the toolkit's style and the empty
state that says why there is nothing to draw."""

from __future__ import annotations

from dashboard.components import colours
from dashboard.components.numbers import plotly_separators


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
