"""Small Dash building blocks of the Legislation view's cards: a card with its question, a chart
with its caption, a download control and a read-only table."""

from __future__ import annotations

import dash_bootstrap_components as dbc
import pandas as pd
from dash import dcc, html

from dashboard.components.downloads import download_control, link_control
from dashboard.components.figures import localised_config
from dashboard.components.tables import static_table
from dashboard.i18n import t
from dashboard.views.legislation.figures import empty

GRAPH_CONFIG = {"displaylogo": False, "responsive": True}


def graph_config(lang: str) -> dict:
    """The charts' config with plotly's toolbar texts in `lang`."""
    return localised_config(GRAPH_CONFIG, lang)


def card(title: str, question: str, body: list) -> dbc.Card:
    return dbc.Card(dbc.CardBody([html.H2(title, className="h5 mb-1"),
                                  html.P(html.Strong(question), className="mb-2 small"), *body]),
                    className="mb-3")


def figure(graph_id: str, caption_id: str, lang: str) -> html.Figure:
    return html.Figure([dcc.Loading(dcc.Graph(id=graph_id, config=graph_config(lang),
                                              figure=empty("")), type="circle",
                                    delay_show=400),
                        html.Figcaption(id=caption_id, className="small text-body-secondary")],
                       className="mb-2")


def download(button_id: str, download_id: str, card_key: str, lang: str) -> html.Div:
    return html.Div([download_control(button_id, lang,
                                      what=t(f"legislation.{card_key}.title", lang)),
                     dcc.Download(id=download_id)], className="mb-2")


def link_download(button_id: str, card_key: str, lang: str) -> html.Div:
    """A download control of links (the page's callback sets their hrefs)."""
    return html.Div(link_control(button_id, lang, what=t(f"legislation.{card_key}.title", lang)),
                    className="mb-2")


def table(df: pd.DataFrame, columns: dict[str, str], label: str = "", **kw) -> html.Div:
    """A read-only table as one component (components/tables.py: the municipality view's
    tables as html components froze the browser for seconds)."""
    return static_table(df, columns, label=label or None, **kw)
