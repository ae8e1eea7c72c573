"""Overview: the page's components. Builders take data (data.py) and return Dash components."""

from __future__ import annotations

import dash_bootstrap_components as dbc
import pandas as pd
from dash import dcc, html

from dashboard.components.code_text import t_code
from dashboard.components.figures import localised_config
from dashboard.components.numbers import fmt_int
from dashboard.components.places import country_name
from dashboard.components.url_notices import alerts
from dashboard.context import AppContext
from dashboard.i18n import t
from dashboard.views.overview import data, ids
from dashboard.views.overview.figures import coverage_figure, map_caption

GRAPH_CONFIG = {"displaylogo": False, "scrollZoom": True}


def kpi_cards(h: data.Headline, lang: str) -> dbc.Row:
    cards = [
        (t("overview.kpi.municipalities", lang), fmt_int(h.responded, lang),
         t("overview.kpi.municipalities.sub" + (".one" if h.countries == 1 else ""), lang,
           countries=h.countries, wave=h.wave)),
        (t("overview.kpi.respondents", lang), fmt_int(h.respondents, lang),
         t("overview.kpi.respondents.sub", lang, consenting=h.consenting)),
        (t("overview.kpi.waves", lang), str(len(h.waves)), ", ".join(h.waves)),
        (t("overview.kpi.framework", lang), h.framework, t("overview.kpi.built", lang, date=h.built)),
    ]
    return dbc.Row([dbc.Col(dbc.Card(dbc.CardBody([
        html.Div(label, className="kpi-label"),
        html.Div(value, className="kpi-value"),
        html.Div(sub, className="kpi-sub"),
    ]), className="h-100 kpi"), xs=6, lg=3, className="mb-3") for label, value, sub in cards])


def country_table(ctx: AppContext, df: pd.DataFrame, lang: str) -> list:
    """The countries with answers (data.countries), one row each; the rest counted below."""
    answered = df[df["responded"] > 0]
    silent = len(df) - len(answered)
    head = html.Thead(html.Tr([
        html.Th(t("overview.table.country", lang), scope="col"),
        html.Th(t("overview.table.responded", lang), scope="col", className="text-end"),
        html.Th(t("overview.table.share", lang), scope="col"),
    ]))
    body = html.Tbody([html.Tr([
        html.Td(f"{country_name(ctx, r.country, lang)} ({r.country})"),
        html.Td(f"{fmt_int(r.responded, lang)} / {fmt_int(r.municipalities, lang)}",
                className="text-end"),
        html.Td([html.Span(className="share-bar", style={"width": f"{max(r.share, 0.01) * 2.5:.2f}rem"}),
                 html.Span(f" {r.share:.0%}")], className="text-nowrap"),
    ]) for r in answered.itertuples()])
    # scrolls sideways on a narrow screen: focusable and named, so a keyboard can scroll it too
    # (axe scrollable-region-focusable)
    return [html.Div(dbc.Table([head, body], size="sm", striped=True, hover=True,
                               className="coverage-table mb-0"),
                     className="table-responsive mb-2", tabIndex=0, role="region",
                     **{"aria-label": t("overview.table.label", lang)}),
            html.P(t("overview.table.silent", lang, n=silent) if silent else "",
                   className="small text-body-secondary")]


def sources(inputs: list[dict], lang: str) -> html.Ul:
    """The build's input files (manifest "inputs"): name, rows, demo or real."""
    return html.Ul([html.Li([
        html.Code(i["name"]), f" · {fmt_int(i['rows'], lang)} ", t("overview.sources.rows", lang),
        " · ", dbc.Badge(t(f"overview.kind.{i['kind']}", lang),
                         color="warning" if i["kind"] == "demo" else "success",
                         text_color="dark" if i["kind"] == "demo" else None),
    ]) for i in inputs], className="small")


def empty_state(lang: str) -> dbc.Alert:
    return dbc.Alert([
        html.H2(t("overview.empty.title", lang), className="h5"),
        html.P(t_code("overview.empty.body", lang)),
        html.Pre("python -m pipelines demo --scope nl\npython -m pipelines build",
                 className="mb-0"),
    ], color="info")


def layout(ctx: AppContext, lang: str, query: dict | None = None) -> html.Div:
    snap = ctx.warehouse.snapshot()
    header = [
        html.H1(t("overview.title", lang), className="h2"),
        html.P(html.Strong(t("overview.question", lang)), className="mb-1 question"),
        html.P(t("overview.guide", lang), className="text-body-secondary"),
    ]
    if snap is None:
        return html.Div([*header, empty_state(lang)])
    query = query or {}
    wave = data.pick_wave(snap, query.get("wave"))
    view = query.get("map") if query.get("map") in data.MAP_VIEWS else data.default_map_view(snap, wave)
    notices = []
    if query.get("wave") and query["wave"] != wave:
        notices.append(("url.notice.wave", {"value": query["wave"], "waves": ", ".join(snap.waves),
                                            "fallback": wave}))
    if query.get("map") and query["map"] != view:
        notices.append(("url.notice.value", {"value": query["map"], "field": "map",
                                             "fallback": view}))
    return html.Div([
        *header,
        alerts(notices, lang, ids.NOTICES),
        dbc.Row([
            dbc.Col([dbc.Label(t("overview.wave", lang), html_for=ids.WAVE),
                     dbc.Select(id=ids.WAVE, value=wave,
                                options=[{"label": w, "value": w} for w in reversed(snap.waves)])],
                    xs=6, md=3),
            dbc.Col([dbc.Label(t("overview.map.view", lang), html_for=ids.MAP_VIEW),
                     dbc.Select(id=ids.MAP_VIEW, value=view, options=[
                         {"label": t(f"overview.map.view.{v}", lang), "value": v}
                         for v in data.MAP_VIEWS])],
                    xs=12, sm=6, md=4),  # "Nederland (gemeenten)" needs a phone's width
        ], className="mb-3 gy-2"),
        html.Div(id=ids.KPIS),
        dbc.Row([
            dbc.Col(dbc.Card(dbc.CardBody([
                html.H2(t("overview.map.title", lang), className="h5"),
                html.Figure([
                    dcc.Loading(dcc.Graph(id=ids.MAP,
                                          figure=coverage_figure(ctx, snap, view, wave, lang),
                                          config=localised_config(GRAPH_CONFIG, lang)),
                                type="circle"),
                    html.Figcaption(map_caption(snap, view, wave, lang), id=ids.MAP_CAPTION,
                                    className="small text-body-secondary"),
                ], className="mb-0"),
            ])), lg=7, className="mb-3"),
            dbc.Col(dbc.Card(dbc.CardBody([
                html.H2(t("overview.table.title", lang), className="h5"),
                html.Div(id=ids.TABLE),
            ])), lg=5, className="mb-3"),
        ]),
        dbc.Card(dbc.CardBody([
            html.H2(t("overview.sources.title", lang), className="h6"),
            sources(snap.manifest["inputs"], lang),
            html.P(t("overview.sources.note", lang, min_group=snap.manifest["min_group"]),
                   className="small text-body-secondary mb-1"),
            html.A(t("overview.bundle", lang), href="/api/v1/bundle", className="small",
                   id=ids.BUNDLE, **{"data-build": snap.build_id}),
        ]), className="mb-3"),
    ])
