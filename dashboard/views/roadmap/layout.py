"""The Roadmap page's components: the municipality picker and wave, the settings (weights, target),
what-if and passive use, the result panels' containers, the network view and who can help."""

from __future__ import annotations

import dash_bootstrap_components as dbc
from dash import dcc, html

from dashboard.components.colours import LEVELS as LEVEL_COLOURS
from dashboard.components.colours import NO_ANSWER as MISSING_COLOUR
from dashboard.components.downloads import link_control
from dashboard.components.figures import empty_figure, localised_config
from dashboard.components.municipality_picker import dropdown_labels, picker, search_index
from dashboard.components.numbers import fmt_num
from dashboard.components.report_link import report_link
from dashboard.context import AppContext
from dashboard.i18n import t
from dashboard.views.roadmap import data as rd
from dashboard.views.roadmap.codev_panel import stores as codev_stores
from dashboard.views.roadmap.ids import (
    CODEV,
    CODEV_JOIN_MSG,
    CODEV_START_MSG,
    CSV_BUTTON,
    DONE,
    FOCUS,
    HELP,
    NETWORK,
    NETWORK_CAPTION,
    PASSIVE,
    PICKER,
    PLAN,
    REPORT,
    RESET,
    STATUS,
    STEPS,
    TARGET,
    WAVE,
    WEIGHT,
    WHATIF,
)
from dashboard.views.roadmap.state import parse_state
from pipelines.maturity.kickstart import SIMILARITY_WEIGHTS
from pipelines.maturity.roadmap import COMPONENTS

WEIGHT_STEP = 0.05
GRAPH_CONFIG = {"displaylogo": False, "responsive": True, "displayModeBar": False}


def layout(ctx: AppContext, lang: str, query: dict | None = None) -> html.Div:
    snap = ctx.warehouse.snapshot()
    header = [
        html.H1(t("roadmap.title", lang), className="h2"),
        html.P(html.Strong(t("roadmap.question", lang)), className="mb-1 question"),
        *phone_collapsed(t("roadmap.guide", lang), t("roadmap.guide.summary", lang),
                         "text-body-secondary"),
    ]
    if snap is None:
        return html.Div([*header, dbc.Alert([
            html.H2(t("roadmap.empty.nothing.title", lang), className="h5"),
            html.P(t("roadmap.empty.nothing.body", lang), className="mb-0"),
        ], color="info")], className="roadmap-page")
    state, notes = parse_state(ctx, snap, query)
    index = search_index(ctx)
    picked = [snap.maturity.index_of(state.m)] if state.m else []
    element_options = [{"label": f"{e.id} · {e.name.get(lang)}", "value": e.id}
                       for e in ctx.framework.elements]
    return html.Div([
        *header,
        *[dbc.Alert(t(key, lang, **values), color="warning") for key, values in notes],
        dbc.Card(dbc.CardBody(dbc.Row([
            dbc.Col(picker(PICKER, t("roadmap.picker.label", lang), state.m, picked, index, lang),
                    md=8, lg=6, className="mb-2"),
            dbc.Col([
                dbc.Label(t("roadmap.wave", lang), html_for=WAVE),
                dbc.Select(id=WAVE, value=state.wave,
                           options=[{"label": w, "value": w} for w in reversed(snap.waves)]),
            ], xs=6, md=4, lg=2, className="mb-2"),
        ])), className="mb-3 roadmap-controls"),
        html.Div(report_link(REPORT, lang), className="mb-2 report-actions"),
        html.Div(id=STATUS, className="mb-2", **{"aria-live": "polite"}),
        dbc.Row([
            dbc.Col([
                _card(t("roadmap.steps.title", lang), t("roadmap.steps.guide", lang), [
                    html.Div(id=STEPS, **{"aria-live": "polite"}),
                    html.Div(link_control(CSV_BUTTON, lang),
                             className="mt-2"),
                ], className="mb-3", guide_summary=t("roadmap.steps.guide.summary", lang)),
            ], lg=8),
            dbc.Col(html.Div([
                _card(t("roadmap.settings.title", lang), t("roadmap.settings.guide", lang),
                      [*[_slider(WEIGHT[c], t(f"roadmap.weight.{c}", lang),
                                 t(f"roadmap.weight.{c}.help", lang), value, lang)
                         for c, value in zip(COMPONENTS, state.weights, strict=True)],
                       _target_slider(state.target, lang),
                       dbc.Button(t("roadmap.settings.reset", lang), id=RESET, size="sm",
                                  color="secondary", outline=True)],
                      className="mb-3"),
                _card(t("roadmap.whatif.title", lang), t("roadmap.whatif.guide", lang), [
                    dbc.Label(t("roadmap.whatif.label", lang), html_for=DONE),
                    _multi_dropdown(DONE, element_options, state.done,
                                    t("roadmap.whatif.placeholder", lang), lang),
                    html.Div(id=WHATIF, className="mt-2", **{"aria-live": "polite"}),
                ], className="mb-3"),
                _card(t("roadmap.plan.title", lang), t("roadmap.plan.guide", lang), [
                    dbc.Label(t("roadmap.plan.label", lang), html_for=PLAN),
                    _multi_dropdown(PLAN, element_options, state.plan,
                                    t("roadmap.plan.placeholder", lang), lang),
                    html.Div(id=PASSIVE, className="mt-2", **{"aria-live": "polite"}),
                ], className="mb-3"),
            ], className="rm-side"), lg=4),
        ]),
        dbc.Row([
            dbc.Col(_card(t("roadmap.network.title", lang), t("roadmap.network.guide", lang), [
                dbc.Label(t("roadmap.network.label", lang), html_for=FOCUS),
                dbc.Select(id=FOCUS, options=[], value=None),
                html.Figure([
                    dcc.Graph(id=NETWORK, config=localised_config(GRAPH_CONFIG, lang),
                              figure=empty_figure("", 260)),
                    html.Figcaption(id=NETWORK_CAPTION, className="small text-body-secondary"),
                ], className="mt-2 mb-1"),
                _legend(ctx, lang),
            ]), lg=6, className="mb-3"),
            dbc.Col(_card(t("roadmap.help.title", lang), t("roadmap.help.guide", lang), [
                html.Div(id=HELP),
                html.P(t("roadmap.help.score", lang, **{k: fmt_num(v, lang, 1) for k, v in
                                                          SIMILARITY_WEIGHTS.items()}),
                       className="small text-body-secondary mt-2 mb-0"),
            ]), lg=6, className="mb-3"),
        ]),
        _card(t("codev.title", lang), t("codev.guide", lang), [
            *codev_stores(),
            html.Div(id=CODEV_JOIN_MSG, **{"aria-live": "polite"}),
            dbc.Spinner(html.Div(id=CODEV), color="primary", delay_show=300),
            html.Div(id=CODEV_START_MSG, className="mt-2", **{"aria-live": "polite"}),
        ], className="mb-3 codev-card"),
        html.P(t("roadmap.footnote", lang, min_group=ctx.settings.min_group),
               className="small text-body-secondary"),
    ], className="roadmap-page")


def phone_collapsed(text: str, summary: str, className: str) -> list:
    """A guide paragraph that a phone (below 768 px) shows folded under `summary`, so that the
    roadmap starts on the first screen after the picker; wider screens show it open. Two copies,
    one hidden at each width (display: none also hides it from screen readers)."""
    return [html.P(text, className=f"{className} d-none d-md-block"),
            html.Details([html.Summary(summary, className="small"),
                          html.P(text, className=f"{className} mt-1 mb-0")],
                         className="d-md-none rm-guide mb-2")]


def _card(title: str, guide: str, body: list, className: str = "h-100",
          guide_summary: str | None = None):
    """A titled card; with `guide_summary`, its guide is folded on a phone (phone_collapsed)."""
    guide_part = (phone_collapsed(guide, guide_summary, "small text-body-secondary")
                  if guide_summary else [html.P(guide, className="small text-body-secondary")])
    return dbc.Card(dbc.CardBody([
        html.H2(title, className="h5 mb-1"),
        *guide_part,
        *body,
    ]), className=className)


def _multi_dropdown(cid: str, options: list[dict], value, placeholder: str, lang: str) -> html.Div:
    """A multi-select of elements that shows every chosen element (rm-multi, 20-roadmap.css):
    Dash 4 clips the list to one line with "2 gekozen" after it, so the visible text ("first
    element" + "2 gekozen") was not part of the button's name ("2 gekozen" + every element),
    which fails WCAG 2.5.3 label in name (axe label-content-name-mismatch)."""
    return html.Div(dcc.Dropdown(id=cid, options=options, value=list(value), multi=True,
                                 closeOnSelect=False, maxHeight=320, placeholder=placeholder,
                                 labels=dropdown_labels(lang)), className="rm-multi")


def _slider(slider_id: str, label: str, help_text: str, value: float, lang: str) -> html.Div:
    """A labelled slider: the JS asset (assets/20-roadmap.js) points the slider handle and its
    number box at the label (Dash's Slider has no aria-label property)."""
    return html.Div([
        html.Div(label, id=f"{slider_id}-label", className="form-label mb-0 fw-semibold"),
        html.Div(help_text, id=f"{slider_id}-help", className="form-text mt-0"),
        html.Div(dcc.Slider(id=slider_id, min=0, max=1, step=WEIGHT_STEP, value=value,
                            marks={0: "0", 0.5: fmt_num(0.5, lang, 1), 1: "1"},
                            updatemode="mouseup"),
                 className="rm-slider", **{"data-labelledby": f"{slider_id}-label",
                                           "data-describedby": f"{slider_id}-help"}),
    ], className="mb-2")


def _target_slider(value: int, lang: str) -> html.Div:
    return html.Div([
        html.Div(t("roadmap.target.label", lang), id=f"{TARGET}-label",
                 className="form-label mb-0 fw-semibold"),
        html.Div(t("roadmap.target.help", lang), id=f"{TARGET}-help", className="form-text mt-0"),
        html.Div(dcc.Slider(id=TARGET, min=1, max=4, step=1, value=value,
                            marks={k: str(k) for k in rd.TARGETS}),
                 className="rm-slider", **{"data-labelledby": f"{TARGET}-label",
                                           "data-describedby": f"{TARGET}-help"}),
    ], className="mb-3")


def _legend(ctx: AppContext, lang: str) -> html.Ul:
    scale = {s.level: s.label.get(lang) for s in ctx.framework.scale}
    items = [html.Li([html.Span(className="rm-swatch", style={"background": c}),
                      f"{k} {scale.get(k, '')}"]) for k, c in enumerate(LEVEL_COLOURS)]
    items.append(html.Li([html.Span(className="rm-swatch", style={"background": MISSING_COLOUR}),
                          t("roadmap.network.unknown", lang)]))
    return html.Ul(items, className="rm-legend small", **{"aria-label":
                                                         t("roadmap.network.legend", lang)})
