"""The heatmap page's components: controls, notes, the figure with its legend, caption and hover
tooltip, and the stores the browser-side hover reads."""

from __future__ import annotations

import dash_bootstrap_components as dbc
from dash import dcc, html

from dashboard.components.downloads import link_control
from dashboard.components.figures import localised_config
from dashboard.components.serialised import Parts
from dashboard.components.url_notices import alerts
from dashboard.context import AppContext
from dashboard.i18n import normalise_lang, t
from dashboard.views.heatmap import export
from dashboard.views.heatmap.data import (
    ALL,
    MUNICIPALITIES,
    View,
    column_data,
    compute_view,
    read_state,
    url_notices,
)
from dashboard.views.heatmap.figures import (
    LEVEL_COLOURS,
    MISSING_COLOUR,
    SUPPRESSED_COLOUR,
    figure_json,
    min_width,
)
from dashboard.views.heatmap.ids import (
    CAPTION,
    COLUMNS,
    COUNTRY,
    CSV_BUTTON,
    GRAPH,
    GRAPH_BOX,
    LABELS,
    LEGEND,
    MODE,
    NOTES,
    NUTS2,
    PEERS,
    SIZE,
    SORT,
    TIP_DETAIL,
    TIP_ELEMENT,
    TIP_TITLE,
    TIP_VALUE,
    TOOLTIP,
    WAVE,
)
from dashboard.views.heatmap.options import (
    country_options,
    mode_options,
    nuts2_options,
    peer_options,
    size_options,
    sort_options,
    wave_options,
)
from dashboard.views.heatmap.texts import caption, hover_labels

GRAPH_CONFIG = {"displaylogo": False, "displayModeBar": False, "responsive": True}


def legend(ctx: AppContext, view: View, lang: str) -> list:
    fw = ctx.framework

    def swatch(colour, text, mark=""):
        return html.Li([html.Span(mark, className="hm-swatch", style={"background": colour},
                                  **{"aria-hidden": "true"}), text])

    if view.grid is None:
        return []
    if view.mode == MUNICIPALITIES:
        items = [swatch(c, f"{i} · {fw.scale[i].label.get(lang)}")
                 for i, c in enumerate(LEVEL_COLOURS)]
        items.append(swatch(MISSING_COLOUR, t("heatmap.legend.missing", lang)))
    else:
        items = [html.Li([html.Span(className="hm-swatch hm-gradient", **{"aria-hidden": "true"}),
                          t("heatmap.legend.median", lang)]),
                 swatch(MISSING_COLOUR, t("heatmap.legend.nodata", lang)),
                 swatch(SUPPRESSED_COLOUR, t("heatmap.legend.suppressed", lang,
                                             min_group=ctx.settings.min_group), "×")]
    return [html.Span(t("heatmap.legend.title", lang), className="me-2 fw-semibold"),
            html.Ul(items, className="hm-legend-list")]


def graph_box_style(view: View) -> dict:
    """Hidden without a grid; with medians written in the cells, at least figures.min_width
    wide (CSS variable read by 20-heatmap.css) and scrolling sideways where the window is
    narrower."""
    style = {"display": "block" if view.grid is not None else "none"}
    if width := min_width(view):
        style.update({"--hm-min-width": f"{width}px", "overflowX": "auto"})
    return style


def _control(label: str, control, cid: str, **col) -> dbc.Col:
    return dbc.Col([dbc.Label(label, html_for=cid, className="mb-1"), control],
                   className="mb-2", **col)


def empty_page(lang: str) -> dbc.Alert:
    return dbc.Alert([html.H2(t("heatmap.empty.nothing.title", lang), className="h5"),
                      html.P(t("heatmap.empty.nothing.body", lang), className="mb-0")], color="info")


def notes_children(view: View) -> list:
    out = [dbc.Alert(n, color="secondary", className="py-2 mb-2") for n in view.notes]
    if view.empty:
        out.append(dbc.Alert(view.empty, color="info", className="mb-2"))
    return out


# ------------------------------------------------------------------ the page


# The parts that are the same on every visit of a build in a language (the control options,
# the legend, the tooltip, the hover texts), built and encoded once
# (dashboard/components/serialised.py); with the figure in JSON form (figures.figure_json)
# EU size, the router callback in-process (CPU, 200 varied addresses): p50 7.8 -> 4.4 ms, p95
# 16.5 -> 11.8 ms (the p95: first region grids of a selection, compute_view); with the region
# rows from the aggregates in memory (data.region_rows) instead of a parquet query per first
# (wave, level, prefix): p50 1.9 -> 1.8 ms, p95 11.5-12.9 -> 3.9-4.6 ms (200 addresses with a
# country, 30% a wave too, 113 of them first visits; on a loaded machine p95 43 -> 3.2 ms).
_PARTS = Parts()


def _build_key(ctx: AppContext, snap) -> tuple:
    return (str(snap.path), snap.build_id, snap.visibility, int(snap.min_group),
            str(ctx.settings.reference_dir), ctx.settings.min_group)


def _tooltip() -> dcc.Tooltip:
    return dcc.Tooltip(id=TOOLTIP, children=html.Div(className="hm-tooltip", children=[
        html.Strong(id=TIP_TITLE), html.Div(id=TIP_ELEMENT, className="hm-tip-el"),
        html.Div(id=TIP_VALUE, className="hm-tip-value"),
        html.Div(id=TIP_DETAIL, className="hm-tip-detail")]))


def layout(ctx: AppContext, lang: str, query: dict | None = None) -> html.Div:
    lang = normalise_lang(lang)
    header = [html.H1(t("heatmap.title", lang), className="h2"),
              html.P(html.Strong(t("heatmap.question", lang)), className="mb-1 question"),
              html.P(t("heatmap.guide", lang), className="text-body-secondary")]
    snap = ctx.warehouse.snapshot()
    if snap is None:
        return html.Div([*header, empty_page(lang)])
    q = query or {}
    state = read_state(ctx, snap, **{k: q.get(k) for k in
                                     ("country", "nuts2", "size", "wave", "sort", "mode",
                                      "peers_of")})
    notices = url_notices(ctx, snap, q, state)
    view = compute_view(ctx, snap, state, lang)
    peers_on = state.peers_of is not None
    build = _build_key(ctx, snap)

    def part(name, *key, make):
        return _PARTS.get(ctx, (name, build, lang, *key), make)
    controls = dbc.Row([
        _control(t("heatmap.country", lang), dbc.Select(
            id=COUNTRY, value=state.country,
            options=part("countries", state.country,
                         make=lambda: country_options(ctx, snap, lang, state.country))),
            COUNTRY, xs=12, sm=6, lg=3),
        _control(t("heatmap.nuts2", lang), dbc.Select(
            id=NUTS2, value=state.nuts2 or ALL, disabled=peers_on,
            options=part("nuts2", state.country,
                         make=lambda: nuts2_options(ctx, state.country, lang))), NUTS2, xs=12, sm=6, lg=3),
        _control(t("heatmap.size", lang), dbc.Select(
            id=SIZE, value=state.size or ALL, disabled=peers_on,
            options=part("sizes", make=lambda: size_options(lang))),
            SIZE, xs=12, sm=6, lg=3),
        _control(t("heatmap.peers", lang), dcc.Dropdown(
            id=PEERS, value=state.peers_of, clearable=True, searchable=True,
            placeholder=t("heatmap.peers.placeholder", lang),
            options=part("peers", state.country, state.peers_of, make=lambda: peer_options(
                ctx, state.country, value=state.peers_of)),
            labels={"search": t("heatmap.peers.search", lang),
                    "no_options_found": t("heatmap.peers.none", lang),
                    "clear_search": t("heatmap.peers.clear", lang),
                    "clear_selection": t("heatmap.peers.clear", lang)}),
            PEERS, xs=12, sm=6, lg=3),
        _control(t("heatmap.wave", lang), dbc.Select(
            id=WAVE, value=state.wave, options=wave_options(snap, state.wave, lang)),
            WAVE, xs=6, sm=3, lg=2),
        _control(t("heatmap.mode", lang), dbc.Select(
            id=MODE, value=state.mode, options=mode_options(view, lang)), MODE, xs=12, sm=3, lg=3),
        _control(t("heatmap.sort", lang), dbc.Select(
            id=SORT, value=state.sort,
            options=part("sorts", make=lambda: sort_options(ctx, snap, lang))), SORT, xs=12, sm=6,
            lg=4),
        # three buttons and their label need the width the sort select gave up
        dbc.Col(link_control(CSV_BUTTON, lang, hrefs=export.links(view, lang), className="mb-2"),
                xs=12, lg=3, className="d-flex align-items-end justify-content-lg-end"),
    ], className="mb-2 g-2 heatmap-controls")
    return html.Div([
        *header,
        alerts(notices, lang, "heatmap-url-notices"),
        controls,
        html.Div(notes_children(view), id=NOTES, **{"aria-live": "polite"}),
        dbc.Card(dbc.CardBody(html.Figure([
            html.Div([
                dcc.Graph(id=GRAPH, figure=figure_json(ctx, snap, view, lang),
                          clear_on_unhover=True,
                          config=localised_config(GRAPH_CONFIG, lang)),
                part("tooltip", make=_tooltip),
            ], id=GRAPH_BOX, className="hm-graph-box", style=graph_box_style(view)),
            html.Div(part("legend", view.mode, view.grid is None,
                          make=lambda: legend(ctx, view, lang)), id=LEGEND,
                     className="hm-legend small"),
            html.Figcaption(caption(ctx, snap, view, lang), id=CAPTION,
                            className="small text-body-secondary mt-2"),
        ], className="mb-0")), className="mb-3"),
        dcc.Store(id=LABELS, data=part("labels", make=lambda: hover_labels(ctx, snap, lang))),
        dcc.Store(id=COLUMNS, data=column_data(view)),
    ])
