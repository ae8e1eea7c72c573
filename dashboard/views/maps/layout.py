"""Maps & regions: the page's components (controls, map card, tables, national indices)."""

from __future__ import annotations

from dataclasses import dataclass

import dash_bootstrap_components as dbc
from dash import dcc, html

from dashboard.components.code_text import t_code
from dashboard.components.downloads import link_control
from dashboard.components.figures import localised_config
from dashboard.components.places import country_name
from dashboard.context import AppContext
from dashboard.i18n import t
from dashboard.lru import Lru
from dashboard.views.maps.data import LEVELS, country_codes, resolve_state
from dashboard.views.maps.figures import map_figure
from dashboard.views.maps.geometry import geometry
from dashboard.views.maps.ids import (
    CAPTION,
    CONTEXT,
    CONTEXT_CAPTION,
    CONTEXT_GRAPHS,
    COUNTRIES,
    COUNTRY,
    COVERAGE,
    GRAPH,
    LEVEL,
    MEASURE,
    NOTICE,
    REGIONS,
    SIZES_CAPTION,
    SIZES_GRAPH,
    SIZES_TABLE,
    STAT,
    WAVE,
    download_button_id,
)
from dashboard.views.maps.map_values import map_values
from dashboard.views.maps.texts import coverage_line, measure_options
from pipelines.maturity.regional import STATISTICS
from pipelines.national_indices import INDICES, SOURCES

GRAPH_CONFIG = {"displaylogo": False, "scrollZoom": True,
                "modeBarButtonsToRemove": ["select2d", "lasso2d"]}
SMALL_CONFIG = {"displayModeBar": False}  # the small charts: no toolbar


def alert(text: str, color: str) -> dbc.Alert:
    return dbc.Alert(text, color=color, className="py-2 mb-2")


def notice_alerts(notes: list[tuple[str, dict]], notices: list[tuple[str, str]],
                  lang: str) -> list[dbc.Alert]:
    """URL values that could not be honoured (i18n key, values), then the map's own notices."""
    return [alert(t(k, lang, **v), "warning") for k, v in notes] + [alert(*n) for n in notices]


def empty_state(lang: str) -> dbc.Alert:
    return dbc.Alert([
        html.H2(t("maps.empty.title", lang), className="h5"),
        html.P(t_code("maps.empty.body", lang)),
        html.Pre("python -m pipelines demo --scope nl\npython -m pipelines build", className="mb-0"),
    ], color="info")


def _download(kind: str, lang: str):
    return html.Div(link_control(download_button_id(kind), lang,
                                 what=t(f"maps.download.{kind}", lang)), className="mt-1")


def _control(label: str, component, cid: str, **col):
    return dbc.Col([dbc.Label(label, html_for=cid, className="small fw-semibold mb-1"), component],
                   className="mb-2", **col)


def layout(ctx: AppContext, lang: str, query: dict | None = None) -> html.Div:
    query = query or {}
    header = [
        html.H1(t("maps.title", lang), className="h2"),
        html.P(html.Strong(t("maps.question", lang)), className="mb-1 question"),
        html.P(t("maps.guide", lang), className="text-body-secondary"),
    ]
    snap = ctx.warehouse.snapshot()
    if snap is None:
        return html.Div([*header, empty_state(lang)])
    state, notes = resolve_state(ctx, snap, query.get("measure"), query.get("stat"),
                                 query.get("wave"), query.get("level"), query.get("country"))
    geom = geometry(ctx, state.level, state.country)
    values = map_values(ctx, snap, geom, state, lang)
    notices = notice_alerts(notes, values.notices, lang)
    country_options = [{"label": f"{country_name(ctx, c, lang)} ({c})", "value": c}
                       for c in sorted(country_codes(ctx), key=lambda c: country_name(ctx, c, lang))]
    controls = dbc.Row([
        _control(t("maps.measure", lang), dbc.Select(
            id=MEASURE, value=state.measure, options=measure_options(ctx, lang)), MEASURE,
            xs=12, xxl=True),  # its own row below 1400 px: the auto-width selects beside it vary
        _control(t("maps.stat", lang), dbc.Select(id=STAT, value=state.stat, options=[
            {"label": t(f"maps.stat.{s}", lang), "value": s} for s in STATISTICS]), STAT,
            xs=12, sm=6, md="auto"),
        _control(t("maps.wave", lang), dbc.Select(
            id=WAVE, value=state.wave,
            options=[{"label": w, "value": w} for w in reversed(snap.waves)]), WAVE,
            xs=6, md="auto"),
        _control(t("maps.level", lang), dbc.Select(id=LEVEL, value=state.level, options=[
            {"label": t(f"maps.level.{lv}", lang), "value": lv} for lv in LEVELS]), LEVEL,
            xs=6, md="auto"),
        _control(t("maps.country", lang), dbc.Select(
            id=COUNTRY, value=state.country, options=country_options,
            disabled=state.level != "country"), COUNTRY, xs=12, sm=6, md="auto"),
    ], className="mb-2 maps-controls")
    controls = html.Div(controls, role="group", **{"aria-label": t("maps.controls", lang)})
    static = _STATIC.get((lang, bool(snap.demo)), lambda: _static_parts(lang, bool(snap.demo)))
    return html.Div([
        *header,
        controls,
        html.Div(notices, id=NOTICE, **{"aria-live": "polite"}),
        html.P(coverage_line(ctx, snap, state, lang), id=COVERAGE, className="small mb-2"),
        dbc.Card(dbc.CardBody([
            html.H2(t("maps.map.title", lang), className="h5"),
            html.Figure([
                dcc.Loading(dcc.Graph(id=GRAPH, figure=map_figure(geom, values),
                                      config=localised_config(GRAPH_CONFIG, lang),
                                      className="maps-graph"),
                            type="circle", delay_show=400),
                html.Figcaption(values.caption, id=CAPTION, className="small text-body-secondary"),
            ], className="mb-0"),
            static.map_download,
        ]), className=CARD),
        *static.cards,
    ])


# The parts of the page no selection changes (the cards the callbacks fill, the download
# controls): ~80 of the page's ~110 components, 3-5 ms to build at every render. Made once per
# language; shared between requests, so never changed in place (Dash only serialises them).
_STATIC = Lru(8)
CARD = "mb-3"


@dataclass(frozen=True)
class _Static:
    map_download: html.Div
    cards: list


def _static_parts(lang: str, demo: bool) -> _Static:
    card = CARD
    return _Static(_download("map", lang), [
        dbc.Row([
            dbc.Col(dbc.Card(dbc.CardBody([
                html.H2(t("maps.countries.title", lang), className="h5"),
                html.Div(id=COUNTRIES), _download("countries", lang),
            ])), lg=7, className=card),
            dbc.Col(dbc.Card(dbc.CardBody([
                html.H2(t("maps.sizes.title", lang), className="h5"),
                html.Figure([
                    html.Div(dcc.Graph(id=SIZES_GRAPH, config=localised_config(SMALL_CONFIG, lang),
                                       figure={"data": [], "layout": {"height": 60}}),
                             className="chart-scroll"),
                    html.Figcaption(id=SIZES_CAPTION, className="small text-body-secondary"),
                ], className="mb-2"),
                html.Div(id=SIZES_TABLE), _download("sizes", lang),
            ])), lg=5, className=card),
        ]),
        dbc.Card(dbc.CardBody([
            html.H2(t("maps.regions.title", lang), className="h5"),
            html.Div(id=REGIONS), _download("regions", lang),
        ]), className=card),
        dbc.Card(dbc.CardBody([
            html.H2(t("maps.context.title", lang), className="h5"),
            html.P(t("maps.context.question", lang), className="mb-1 fw-semibold"),
            html.P(t("maps.context.guide", lang), className="small text-body-secondary"),
            *([dbc.Alert(t("maps.context.demo", lang), color="warning", className="py-2 small")]
              if demo else []),
            html.Div(id=CONTEXT),
            html.Figure([
                # three charts side by side on a wide screen, one under the other on a phone
                dbc.Row([dbc.Col(dcc.Graph(id=graph, config=localised_config(SMALL_CONFIG, lang),
                                           figure={"data": [], "layout": {"height": 60}}),
                                 xs=12, lg=4) for graph in CONTEXT_GRAPHS.values()],
                        className="g-2"),
                html.Figcaption(id=CONTEXT_CAPTION, className="small text-body-secondary"),
            ], className="mb-2"),
            html.P([html.Strong(t("maps.context.sources", lang) + " "),
                    "; ".join(SOURCES[k][0] for k in INDICES) + "."],
                   className="small text-body-secondary mb-0"),
            _download("context", lang),
        ]), className=card)
    ])
