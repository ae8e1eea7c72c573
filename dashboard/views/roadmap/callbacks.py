"""The Roadmap page's callbacks: `register(app, ctx)`; each body is a module-level function the
tests call without Dash (update, update_network, download)."""

from __future__ import annotations

import logging

from dash import ALL, Input, Output, State, callback_context
from dash.exceptions import PreventUpdate

from dashboard import codev, file_links, ids, warmup
from dashboard.access import request_token, viewer_municipality
from dashboard.components.downloads import href_outputs
from dashboard.components.initiatives import JOIN, ROLE
from dashboard.components.municipality_picker import search_index, search_options
from dashboard.components.report_link import report_href
from dashboard.context import AppContext
from dashboard.i18n import LANGS, normalise_lang
from dashboard.views.roadmap import codev_panel, export
from dashboard.views.roadmap import data as rd
from dashboard.views.roadmap.analysis import analyse, subject
from dashboard.views.roadmap.figures import network_figure
from dashboard.views.roadmap.ids import (
    CODEV,
    CODEV_JOIN_MSG,
    CODEV_JOINED,
    CODEV_START_MSG,
    CODEV_STARTED,
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
    START_BUTTON,
    START_COMPONENT,
    START_DATE,
    START_DESCRIPTION,
    START_ELEMENT,
    START_KIND,
    STATUS,
    STEPS,
    TARGET,
    WAVE,
    WEIGHT,
    WHATIF,
)
from dashboard.views.roadmap.panels import (
    focus_options,
    help_panel,
    kickstart,
    passive_panel,
    status,
    steps_panel,
    whatif_panel,
)
from dashboard.views.roadmap.state import url_search
from pipelines.maturity.roadmap import COMPONENTS, DEFAULT_TARGET, DEFAULT_WEIGHTS

LOG = logging.getLogger(__name__)


def update(ctx: AppContext, m, wave, weights, target, done, plan, focus, lang):
    """The main callback: status, roadmap, what-if, passive use, who can help, focus choices."""
    lang = normalise_lang(lang)
    a = analyse(ctx, m, wave, weights, target, done, plan)
    options, value = focus_options(ctx, a, focus, lang)
    return (status(ctx, a, lang), steps_panel(ctx, a, lang), whatif_panel(ctx, a, lang),
            passive_panel(ctx, a, lang), help_panel(ctx, a, lang), options, value)


def update_codev(ctx: AppContext, m, wave, weights, target, done, lang, viewer: str | None):
    """The "Develop together" card; `viewer`: the municipality of this browser's survey link."""
    lang = normalise_lang(lang)
    return codev_panel.panel(ctx, analyse(ctx, m, wave, weights, target, done, None), viewer,
                             lang)


def join_clicked(ctx: AppContext, token: str | None, triggered, clicks, role_ids, roles,
                 lang) -> tuple:
    """A Join button: (message, the joined initiative id); nothing when no button was clicked
    (a re-rendered panel fires the callback with no clicks)."""
    if not isinstance(triggered, dict) or not any(clicks or ()):
        raise PreventUpdate
    roles_by_id = {r["index"]: v for r, v in zip(role_ids or (), roles or (), strict=False)
                   if isinstance(r, dict) and isinstance(r.get("index"), str)}
    index = triggered.get("index")
    index = index if isinstance(index, str) else None
    return codev_panel.join(ctx, token, index, roles_by_id.get(index), normalise_lang(lang))


def update_network(ctx: AppContext, focus, m, wave, target, done, lang):
    lang = normalise_lang(lang)
    return network_figure(ctx, subject(ctx, m, wave), focus, target, done, lang)


# ------------------------------------------------------------------ callbacks


def register(app, ctx: AppContext) -> None:
    warmup.add(app.server, _warm)  # before the first request: dashboard/warmup.py
    file_links.register(app.server, ctx, export.FILE)  # the download links' route
    weights = [Input(WEIGHT[c], "value") for c in COMPONENTS]

    @app.callback(Output(PICKER, "options"), Input(PICKER, "search_value"),
                  State(PICKER, "value"), prevent_initial_call=True)
    def _picker_options(search, value):
        return search_options(ctx, search, value)

    @app.callback(Output(ids.URL, "search", allow_duplicate=True), Input(PICKER, "value"),
                  Input(WAVE, "value"), *weights, Input(TARGET, "value"), Input(DONE, "value"),
                  Input(PLAN, "value"), prevent_initial_call=True)
    def _url(m, wave, wr, wu, wg, wp, target, done, plan):
        return url_search(ctx, m, wave, (wr, wu, wg, wp), target, done, plan)

    @app.callback(Output(STATUS, "children"), Output(STEPS, "children"),
                  Output(WHATIF, "children"), Output(PASSIVE, "children"),
                  Output(HELP, "children"), Output(FOCUS, "options"), Output(FOCUS, "value"),
                  Input(PICKER, "value"), Input(WAVE, "value"), *weights,
                  Input(TARGET, "value"), Input(DONE, "value"), Input(PLAN, "value"),
                  State(FOCUS, "value"), State(ids.LANG, "value"))
    def _update(m, wave, wr, wu, wg, wp, target, done, plan, focus, lang):
        return update(ctx, m, wave, (wr, wu, wg, wp), target, done, plan, focus, lang)

    @app.callback(Output(CODEV, "children"), Input(PICKER, "value"), Input(WAVE, "value"),
                  *weights, Input(TARGET, "value"), Input(DONE, "value"),
                  Input(CODEV_STARTED, "data"), Input(CODEV_JOINED, "data"),
                  State(ids.LANG, "value"))
    def _codev(m, wave, wr, wu, wg, wp, target, done, _started, _joined, lang):
        return update_codev(ctx, m, wave, (wr, wu, wg, wp), target, done, lang,
                            viewer_municipality(ctx.survey))

    @app.callback(Output(CODEV_START_MSG, "children"), Output(CODEV_STARTED, "data"),
                  Input(START_BUTTON, "n_clicks"), State(START_ELEMENT, "value"),
                  State(START_COMPONENT, "value"), State(START_DESCRIPTION, "value"),
                  State(START_DATE, "value"), State(START_KIND, "value"),
                  State(ids.LANG, "value"), prevent_initial_call=True)
    def _start(n, element, component, description, start_date, kind, lang):
        if not n:
            raise PreventUpdate
        return codev_panel.start(ctx, request_token(), element, component, description,
                                 start_date, kind, normalise_lang(lang))

    @app.callback(Output(CODEV_JOIN_MSG, "children"), Output(CODEV_JOINED, "data"),
                  Input({"type": JOIN, "index": ALL}, "n_clicks"),
                  State({"type": ROLE, "index": ALL}, "id"),
                  State({"type": ROLE, "index": ALL}, "value"), State(ids.LANG, "value"),
                  prevent_initial_call=True)
    def _join(clicks, role_ids, roles, lang):
        return join_clicked(ctx, request_token(), callback_context.triggered_id, clicks,
                            role_ids, roles, lang)

    @app.callback(Output(NETWORK, "figure"), Output(NETWORK_CAPTION, "children"),
                  Input(FOCUS, "value"), State(PICKER, "value"), State(WAVE, "value"),
                  State(TARGET, "value"), State(DONE, "value"), State(ids.LANG, "value"))
    def _network(focus, m, wave, target, done, lang):
        return update_network(ctx, focus, m, wave, target, done, lang)

    @app.callback(Output(REPORT, "href"), Output(REPORT, "hidden"), Output(REPORT, "title"),
                  Input(PICKER, "value"), Input(WAVE, "value"), State(ids.LANG, "value"))
    def _report(m, wave, lang):
        return report_href(ctx, m, wave, lang)

    # The links carry the controls' values; the file is made when one is followed. No focus
    # options: no roadmap, nothing to download.
    @app.callback(*href_outputs(CSV_BUTTON), Input(FOCUS, "options"), Input(PICKER, "value"),
                  Input(WAVE, "value"), *weights, Input(TARGET, "value"), Input(DONE, "value"),
                  Input(ids.LANG, "value"))
    def _links(options, m, wave, wr, wu, wg, wp, target, done, lang):
        return export.links(bool(options), m, wave, (wr, wu, wg, wp), target, done, lang)

    @app.callback(*[Output(WEIGHT[c], "value") for c in COMPONENTS], Output(TARGET, "value"),
                  Input(RESET, "n_clicks"), prevent_initial_call=True)
    def _reset(_n):
        return (*DEFAULT_WEIGHTS.raw(), DEFAULT_TARGET)



def _warm(ctx: AppContext) -> None:
    try:
        search_index(ctx)
        rd.warm(ctx)
        codev.naming(ctx, ctx.warehouse.snapshot(), None)  # names and consent, once per build
        # each element's Kickstart block in each language (~1 ms each, 78 at most): an answer
        # built them as its steps first needed them (a roadmap's first answer paid 3-8 ms)
        for element in ctx.framework.element_ids:
            for lang in LANGS:
                kickstart(ctx, element, lang)
    except Exception:  # a failed warm-up is redone by the first request, but never hidden
        LOG.exception("warm-up of %s failed", __name__)
