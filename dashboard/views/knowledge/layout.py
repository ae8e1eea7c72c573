"""The Knowledge page's component tree: search and block filter beside the element list, the
chosen element (or the overview of the blocks) beside them."""

from __future__ import annotations

import dash_bootstrap_components as dbc
from dash import html

from dashboard import ids
from dashboard.context import AppContext
from dashboard.i18n import t
from dashboard.views.knowledge.data import ALL_BLOCKS


def layout(ctx: AppContext, lang: str, query: dict | None = None) -> html.Div:
    fw = ctx.framework
    block_options = [{"label": t("knowledge.block.all", lang), "value": ALL_BLOCKS}] + [
        {"label": f"{b.id} · {b.name.get(lang)}", "value": b.id} for b in fw.blocks]
    return html.Div([
        html.H1(t("knowledge.title", lang), className="h2"),
        html.P(html.Strong(t("knowledge.question", lang)), className="mb-1 question"),
        html.P(t("knowledge.guide", lang), className="text-body-secondary"),
        dbc.Row([
            dbc.Col([
                html.Div([
                    dbc.Label(t("knowledge.search.label", lang), html_for=ids.KNOWLEDGE_SEARCH),
                    dbc.Input(id=ids.KNOWLEDGE_SEARCH, type="search", debounce=0.3,
                              placeholder=t("knowledge.search.placeholder", lang),
                              autoComplete="off"),
                ], role="search", className="mb-2"),
                dbc.Label(t("knowledge.block.label", lang), html_for=ids.KNOWLEDGE_BLOCK),
                dbc.Select(id=ids.KNOWLEDGE_BLOCK, options=block_options, value=ALL_BLOCKS),
                html.P(id=ids.KNOWLEDGE_COUNT, className="small text-body-secondary mt-2 mb-0",
                       **{"aria-live": "polite"}),
                html.Nav(id=ids.KNOWLEDGE_LIST, className="element-nav",
                         **{"aria-label": t("knowledge.results.label", lang)}),
            ], lg=4, className="mb-4"),
            dbc.Col(dbc.Spinner(html.Div(id=ids.KNOWLEDGE_DETAIL), color="primary",
                                delay_show=300), lg=8),
        ]),
    ])
