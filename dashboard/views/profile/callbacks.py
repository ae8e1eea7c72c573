"""The profile's callbacks: `register(app, ctx)` wires the controls to the charts, panels and
downloads. Each callback's body is a module-level function (tests call them as functions): it
reads the selection (data.py) and hands it to figures.py, texts.py, panels.py or export.py."""

from __future__ import annotations

import logging

import pandas as pd
from dash import Input, Output, State, callback_context
from dash.exceptions import PreventUpdate

from dashboard import ids, warmup
from dashboard.components.downloads import (
    chosen_format,
    download_inputs,
    group_id,
    table_download,
)
from dashboard.components.figures import empty_figure
from dashboard.components.municipality_picker import search_index, search_options
from dashboard.components.report_link import report_href
from dashboard.context import AppContext
from dashboard.i18n import normalise_lang, t
from dashboard.views.profile.data import (
    distribution_frame,
    per_wave,
    radar_data,
    select,
    trend_data,
)
from dashboard.views.profile.data_agreement import disagreements
from dashboard.views.profile.data_benchmark import egov
from dashboard.views.profile.export import (
    context_csv,
    distribution_csv,
    filename,
    radar_csv,
    trend_csv,
)
from dashboard.views.profile.figures import distribution_figure, radar_figure, trend_figure
from dashboard.views.profile.ids import (
    AGREEMENT,
    CONTEXT,
    CONTEXT_CSV_BUTTON,
    CUSTOM,
    CUSTOM_BOX,
    CUSTOM_COUNT,
    DIST,
    DIST_CAPTION,
    DOWNLOADS,
    PEERS,
    PICKER,
    RADAR,
    RADAR_CAPTION,
    REPORT,
    STATUS,
    TREND,
    TREND_CAPTION,
    VIEW,
    WAVE,
)
from dashboard.views.profile.layout import custom_style
from dashboard.views.profile.panels import (
    agreement_panel,
    benchmark_panel,
    no_selection,
    status_panel,
)
from dashboard.views.profile.state import DEFAULT_VIEW, VIEWS, state_from_controls
from dashboard.views.profile.texts import (
    custom_count_text,
    distribution_caption,
    radar_caption,
    trend_caption,
)

LOG = logging.getLogger(__name__)


# ------------------------------------------------------------------ callback bodies


def update_status(ctx: AppContext, m, wave, peers, custom, lang):
    lang = normalise_lang(lang)
    sel = select(ctx, m, wave, peers, custom)
    if sel is None:
        return no_selection(ctx, m, lang)
    return status_panel(ctx, sel, lang)


def update_radar(ctx: AppContext, m, wave, view, peers, custom, lang):
    lang = normalise_lang(lang)
    sel = select(ctx, m, wave, peers, custom)
    if sel is None:
        return empty_figure(t("profile.empty.pick.short", lang)), ""
    view = view if view in VIEWS else DEFAULT_VIEW
    data = radar_data(ctx, sel, view, lang)
    return radar_figure(data, sel, lang), radar_caption(data, sel, view, lang)


def update_distribution(ctx: AppContext, m, wave, peers, custom, lang):
    lang = normalise_lang(lang)
    sel = select(ctx, m, wave, peers, custom)
    if sel is None:
        return empty_figure(t("profile.empty.pick.short", lang)), ""
    prof, counts = distribution_frame(sel)
    return (distribution_figure(ctx, sel, prof, counts, lang),
            distribution_caption(sel, prof, lang))


def update_trend(ctx: AppContext, m, peers, custom, lang):
    lang = normalise_lang(lang)
    sel = select(ctx, m, None, peers, custom)
    if sel is None:
        return empty_figure(t("profile.empty.pick.short", lang)), ""
    if len(sel.cube.waves) < 2:
        return (empty_figure(t("profile.trend.one", lang, wave=sel.cube.waves[0])),
                t("profile.trend.one", lang, wave=sel.cube.waves[0]))
    td = trend_data(sel)
    return trend_figure(ctx, sel, td, lang), trend_caption(sel, td, lang)


def update_agreement(ctx: AppContext, m, wave, lang):
    lang = normalise_lang(lang)
    sel = select(ctx, m, wave, None, None)
    if sel is None:
        return None
    return agreement_panel(ctx, sel, lang)


def update_context(ctx: AppContext, m, wave, peers, custom, lang):
    lang = normalise_lang(lang)
    sel = select(ctx, m, wave, peers, custom)
    if sel is None:
        return None
    return benchmark_panel(ctx, sel, lang)


def context_button_style(ctx: AppContext, m: str | None) -> dict:
    """The benchmark's download control only where there is something to download."""
    return {} if m and egov(ctx).has(m) else {"display": "none"}


# ------------------------------------------------------------------ downloads


def _send(df: pd.DataFrame | None, name: str, fmt: str = "csv"):
    if df is None:
        raise PreventUpdate
    return table_download(df, name, fmt)


def download(ctx: AppContext, kind: str, m, wave, view, peers, custom, lang,
             fmt: str = "csv") -> dict:
    """One of the page's tables (`kind`: radar, distribution, trend, context) as a dcc.Download
    file in `fmt`; PreventUpdate where there is nothing to download."""
    if kind == "radar":
        return _send(radar_csv(ctx, m, wave, view, peers, custom, lang),
                     filename(view or DEFAULT_VIEW, m, wave), fmt)
    if kind == "distribution":
        return _send(distribution_csv(ctx, m, wave, peers, custom, lang),
                     filename("distribution", m, wave), fmt)
    if kind == "trend":
        return _send(trend_csv(ctx, m, peers, custom, lang), filename("trend", m), fmt)
    if kind == "context":
        return _send(context_csv(ctx, m, wave, peers, custom, lang),
                     filename("egov-benchmark", m), fmt)
    raise PreventUpdate


# ------------------------------------------------------------------ callbacks


def register(app, ctx: AppContext) -> None:
    # The search index and the benchmark mapping are built before the first request (about
    # 1-2 s together), so the first keystroke does not wait for them; dashboard/warmup.py
    # says when (in gunicorn's master, shared by the workers).
    warmup.add(app.server, _warm)

    selection = [Input(PICKER, "value"), Input(WAVE, "value"), Input(PEERS, "value"),
                 Input(CUSTOM, "value")]

    @app.callback(Output(PICKER, "options"), Input(PICKER, "search_value"),
                  State(PICKER, "value"), prevent_initial_call=True)
    def _picker_options(search, value):
        return search_options(ctx, search, value)

    @app.callback(Output(CUSTOM, "options"), Input(CUSTOM, "search_value"),
                  State(CUSTOM, "value"), prevent_initial_call=True)
    def _custom_options(search, value):
        return search_options(ctx, search, value)

    @app.callback(Output(CUSTOM_BOX, "style"), Input(PEERS, "value"))
    def _custom_box(peers):
        return custom_style(peers)

    @app.callback(Output(CUSTOM_COUNT, "children"), Input(CUSTOM, "value"),
                  State(ids.LANG, "value"), prevent_initial_call=True)
    def _custom_count(custom, lang):
        return custom_count_text(custom, normalise_lang(lang))

    @app.callback(Output(ids.URL, "search", allow_duplicate=True), Input(PICKER, "value"),
                  Input(WAVE, "value"), Input(VIEW, "value"), Input(PEERS, "value"),
                  Input(CUSTOM, "value"), prevent_initial_call=True)
    def _url(m, wave, view, peers, custom):
        return state_from_controls(m, wave, view, peers, custom).query()

    @app.callback(Output(REPORT, "href"), Output(REPORT, "hidden"), Output(REPORT, "title"),
                  Input(PICKER, "value"), Input(WAVE, "value"), State(ids.LANG, "value"))
    def _report(m, wave, lang):
        return report_href(ctx, m, wave, lang)

    @app.callback(Output(STATUS, "children"), *selection, State(ids.LANG, "value"))
    def _status(m, wave, peers, custom, lang):
        return update_status(ctx, m, wave, peers, custom, lang)

    @app.callback(Output(RADAR, "figure"), Output(RADAR_CAPTION, "children"),
                  Input(PICKER, "value"), Input(WAVE, "value"), Input(VIEW, "value"),
                  Input(PEERS, "value"), Input(CUSTOM, "value"), State(ids.LANG, "value"))
    def _radar(m, wave, view, peers, custom, lang):
        return update_radar(ctx, m, wave, view, peers, custom, lang)

    @app.callback(Output(DIST, "figure"), Output(DIST_CAPTION, "children"), *selection,
                  State(ids.LANG, "value"))
    def _distribution(m, wave, peers, custom, lang):
        return update_distribution(ctx, m, wave, peers, custom, lang)

    @app.callback(Output(TREND, "figure"), Output(TREND_CAPTION, "children"),
                  Input(PICKER, "value"), Input(PEERS, "value"), Input(CUSTOM, "value"),
                  State(ids.LANG, "value"))
    def _trend(m, peers, custom, lang):
        return update_trend(ctx, m, peers, custom, lang)

    @app.callback(Output(AGREEMENT, "children"), Input(PICKER, "value"), Input(WAVE, "value"),
                  State(ids.LANG, "value"))
    def _agreement(m, wave, lang):
        return update_agreement(ctx, m, wave, lang)

    @app.callback(Output(CONTEXT, "children"), Output(group_id(CONTEXT_CSV_BUTTON), "style"),
                  *selection, State(ids.LANG, "value"))
    def _context(m, wave, peers, custom, lang):
        children = update_context(ctx, m, wave, peers, custom, lang)
        return children, context_button_style(ctx, m)

    state = [State(PICKER, "value"), State(WAVE, "value"), State(PEERS, "value"),
             State(CUSTOM, "value"), State(ids.LANG, "value")]

    for kind, button, target in DOWNLOADS:
        _register_download(app, ctx, kind, button, target, state)


def _register_download(app, ctx: AppContext, kind: str, button: str, target: str,
                       state: list) -> None:
    @app.callback(Output(target, "data"), *download_inputs(button), State(VIEW, "value"), *state,
                  prevent_initial_call=True)
    def _download_file(_csv, _xlsx, _parquet, view, m, wave, peers, custom, lang):
        return download(ctx, kind, m, wave, view, peers, custom, lang,
                        chosen_format(callback_context.triggered_id, button))


def _warm(ctx: AppContext) -> None:
    try:
        search_index(ctx)
        egov(ctx)
        snap = ctx.warehouse.snapshot()
        if snap is not None:
            for w, wave in enumerate(snap.waves):
                for what in ("answered", "blocks", "overall"):
                    per_wave(snap, what, w)
                disagreements(snap, wave)
    except Exception:  # a failed warm-up is redone by the first request, but never hidden
        LOG.exception("warm-up of %s failed", __name__)
