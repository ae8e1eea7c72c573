"""The survey progress view's chart: response rate and share started per area (data in, figure
out)."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from dashboard.components import colours
from dashboard.components.numbers import fmt_int, plotly_separators
from dashboard.i18n import t
from dashboard.views.survey_progress.data import chart_areas
from dashboard.views.survey_progress.texts import area_label, pct, short

BAR, BAR_LIGHT = colours.COUNT, colours.COUNT_LIGHT
FONT = {"family": "system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif", "size": 12,
        "color": colours.TEXT}


def rates_figure(df: pd.DataFrame, by: str, lang: str) -> go.Figure:
    """Horizontal bars: share started (light) behind the response rate (dark), per area; at most
    CHART_MAX areas (those with the most invited municipalities), in table order."""
    df = chart_areas(df)
    labels = [short(area_label(by, c, n), 34) for c, n in zip(df[by], df["name"], strict=True)]
    started = (100 * df["started"] / df["invited"]).round(2).to_numpy()
    rate = (100 * df["response_rate"]).round(2).to_numpy()
    text = [f"{pct(r, lang)} ({fmt_int(s, lang)}/{fmt_int(i, lang)})"
            for r, s, i in zip(df["response_rate"], df["submitted"], df["invited"], strict=True)]
    n = len(df)
    return go.Figure({"data": [
        {"type": "bar", "orientation": "h", "x": started, "y": labels,
         "name": t("survey_progress.rates.legend.started", lang),
         "marker": {"color": BAR_LIGHT}, "hovertemplate": "%{y}: %{x:.1f}%<extra>"
         + t("survey_progress.rates.legend.started", lang) + "</extra>"},
        {"type": "bar", "orientation": "h", "x": rate, "y": labels, "text": text,
         "textposition": "outside", "cliponaxis": False,
         "name": t("survey_progress.rates.legend.submitted", lang), "marker": {"color": BAR},
         "hovertemplate": "%{y}: %{text}<extra></extra>"},
    ], "layout": {
        "template": {}, "font": FONT, "barmode": "overlay", "bargap": 0.3,
        "height": max(n, 2) * 26 + 90, "separators": plotly_separators(lang),
        "margin": {"l": 10, "r": 100, "t": 30, "b": 40, "pad": 2},
        "paper_bgcolor": colours.PAPER, "plot_bgcolor": colours.PAPER,
        "legend": {"orientation": "h", "x": 0, "y": -0.02, "yanchor": "top",
                   "traceorder": "reversed"},
        "xaxis": {"range": [0, 100], "ticksuffix": "%", "gridcolor": colours.GRID, "zeroline": False,
                  "fixedrange": True, "side": "top"},
        "yaxis": {"autorange": "reversed", "fixedrange": True, "ticks": "", "automargin": True,
                  "type": "category"},
    }}, _validate=False)
