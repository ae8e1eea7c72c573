"""The profile page's component tree: header, controls and the cards the callbacks fill in
(radar, eGovernment Benchmark, distribution per element, trend, respondent agreement)."""

from __future__ import annotations

import dash_bootstrap_components as dbc
from dash import dcc, html

from dashboard.components.downloads import download_control
from dashboard.components.figures import empty_figure, localised_config
from dashboard.components.municipality_picker import dropdown_labels, picker, search_index
from dashboard.components.report_link import report_link
from dashboard.context import AppContext
from dashboard.i18n import t
from dashboard.store import Snapshot
from dashboard.views.profile.ids import (
    AGREEMENT,
    CONTEXT,
    CONTEXT_CSV,
    CONTEXT_CSV_BUTTON,
    CUSTOM,
    CUSTOM_BOX,
    CUSTOM_COUNT,
    DIST,
    DIST_CAPTION,
    DIST_CSV,
    DIST_CSV_BUTTON,
    PEERS,
    PICKER,
    RADAR,
    RADAR_CAPTION,
    RADAR_CSV,
    RADAR_CSV_BUTTON,
    REPORT,
    STATUS,
    TREND,
    TREND_CAPTION,
    TREND_CSV,
    TREND_CSV_BUTTON,
    VIEW,
    WAVE,
)
from dashboard.views.profile.state import VIEWS, ProfileState, parse_state
from dashboard.views.profile.texts import custom_count_text
from pipelines.maturity.peers import PEER_KINDS
from pipelines.municipality_search import MunicipalityIndex

GRAPH_CONFIG = {"displaylogo": False, "responsive": True,
                "modeBarButtonsToRemove": ["select2d", "lasso2d"]}


def layout(ctx: AppContext, lang: str, query: dict | None = None) -> html.Div:
    snap = ctx.warehouse.snapshot()
    header = [
        html.H1(t("profile.title", lang), className="h2"),
        html.P(html.Strong(t("profile.question", lang)), className="mb-1 question"),
        html.P(t("profile.guide", lang), className="text-body-secondary"),
    ]
    if snap is None:
        return html.Div([*header, dbc.Alert([
            html.H2(t("profile.empty.nothing.title", lang), className="h5"),
            html.P(t("profile.empty.nothing.body", lang), className="mb-0"),
        ], color="info")])
    state, notes = parse_state(ctx, snap, query)
    index = search_index(ctx)
    cube = snap.maturity
    picked = [cube.index_of(state.m)] if state.m else []
    custom_rows = [cube.index_of(c) for c in state.custom]
    return html.Div([
        *header,
        *[dbc.Alert(t(key, lang, **values), color="warning") for key, values in notes],
        controls(state, snap, index, picked, custom_rows, lang),
        html.Div(report_link(REPORT, lang), className="mb-2 report-actions"),
        html.Div(id=STATUS, **{"aria-live": "polite"}),
        dbc.Row([
            dbc.Col(_card(
                t("profile.radar.title", lang), t("profile.radar.question", lang),
                t("profile.radar.guide", lang),
                [_figure(RADAR, RADAR_CAPTION, 520, lang),
                 _download(RADAR_CSV_BUTTON, RADAR_CSV, "radar", lang)]), lg=6, className="mb-3"),
            dbc.Col(_card(
                t("profile.context.title", lang), t("profile.context.question", lang),
                t("profile.context.guide", lang),
                [html.Div(id=CONTEXT), _download(CONTEXT_CSV_BUTTON, CONTEXT_CSV, "context", lang)]),
                lg=6, className="mb-3"),
        ]),
        dbc.Row([
            dbc.Col(_card(
                t("profile.dist.title", lang), t("profile.dist.question", lang),
                t("profile.dist.guide", lang),
                [_figure(DIST, DIST_CAPTION, 900, lang),
                 _download(DIST_CSV_BUTTON, DIST_CSV, "dist", lang)]), lg=7, className="mb-3"),
            dbc.Col([
                _card(t("profile.trend.title", lang), t("profile.trend.question", lang),
                      t("profile.trend.guide", lang),
                      [_figure(TREND, TREND_CAPTION, 440, lang),
                       _download(TREND_CSV_BUTTON, TREND_CSV, "trend", lang)], className="mb-3"),
                _card(t("profile.agree.title", lang), t("profile.agree.question", lang),
                      t("profile.agree.guide", lang), [html.Div(id=AGREEMENT)], className=""),
            ], lg=5, className="mb-3"),
        ]),
        html.P(t("profile.footnote", lang, min_group=ctx.settings.min_group),
               className="small text-body-secondary"),
    ], className="profile-page")


def controls(state: ProfileState, snap: Snapshot, index: MunicipalityIndex, picked: list[int],
             custom_rows: list[int], lang: str) -> dbc.Card:
    peer_options = [{"label": t(f"profile.peers.kind.{k}", lang), "value": k} for k in PEER_KINDS]
    return dbc.Card(dbc.CardBody([
        dbc.Row([
            dbc.Col(picker(PICKER, t("profile.picker.label", lang), state.m, picked, index, lang),
                    md=6, lg=4, className="mb-2"),
            dbc.Col([
                dbc.Label(t("profile.wave", lang), html_for=WAVE),
                dbc.Select(id=WAVE, value=state.wave,
                           options=[{"label": w, "value": w} for w in reversed(snap.waves)]),
            ], xs=6, md=2, className="mb-2"),
            dbc.Col([
                dbc.Label(t("profile.peers.label", lang), html_for=PEERS),
                dbc.Select(id=PEERS, value=state.peers, options=peer_options),
            ], xs=12, sm=6, md=4, lg=4, className="mb-2"),  # its longest option needs a phone's width
            dbc.Col(html.Fieldset([
                html.Legend(t("profile.view.label", lang), className="form-label fs-6 mb-2"),
                dbc.RadioItems(id=VIEW, value=state.view, inline=True, options=[
                    {"label": t(f"profile.view.{v}", lang), "value": v} for v in VIEWS]),
            ]), md=12, lg=2, className="mb-2"),
        ]),
        html.Div([
            html.Div([
                dbc.Label(t("profile.custom.label", lang), html_for=CUSTOM),
                # the dropdown's own count is hidden (assets/20-profile.css): shown here
                html.Span(custom_count_text(state.custom, lang), id=CUSTOM_COUNT,
                          className="small text-body-secondary"),
            ], className="d-flex flex-wrap justify-content-between align-items-baseline "
                         "column-gap-2"),
            dcc.Dropdown(id=CUSTOM, options=index.options(custom_rows), value=list(state.custom),
                         multi=True, search_order="original", closeOnSelect=False,
                         placeholder=t("profile.custom.placeholder", lang), maxHeight=320,
                         labels=dropdown_labels(lang)),
            html.Div(t("profile.custom.help", lang), className="form-text"),
        ], id=CUSTOM_BOX, style=custom_style(state.peers), className="mt-1"),
    ]), className="mb-3 profile-controls")


def custom_style(peers: str | None) -> dict:
    return {} if peers == "custom" else {"display": "none"}


def _card(title: str, question: str, guide: str, body: list, className: str = "h-100"):
    return dbc.Card(dbc.CardBody([
        html.H2(title, className="h5 mb-1"),
        html.P(html.Strong(question), className="mb-1 small"),
        html.P(guide, className="small text-body-secondary"),
        *body,
    ]), className=className)


def _figure(graph_id: str, caption_id: str, height: int, lang: str) -> html.Figure:
    return html.Figure([
        dcc.Loading(dcc.Graph(id=graph_id, config=localised_config(GRAPH_CONFIG, lang),
                              style={"minHeight": height},
                              figure=empty_figure("")),
                    type="circle", delay_show=400),
        html.Figcaption(id=caption_id, className="small text-body-secondary"),
    ], className="mb-2")


def _download(button_id: str, download_id: str, card: str, lang: str):
    return html.Div([
        download_control(button_id, lang, what=t(f"profile.{card}.title", lang)),
        dcc.Download(id=download_id),
    ])
