"""Maps & regions: the callbacks. Each body is a module-level function (tested as a function)
that resolves the state and calls the data, figure and table builders."""

from __future__ import annotations

from dataclasses import replace

from dash import Input, Output, State, callback_context, no_update

from dashboard import file_links, geo, geo_files, ids, warmup
from dashboard.components.downloads import href_outputs
from dashboard.components.map_patches import recolour_status
from dashboard.context import AppContext
from dashboard.i18n import normalise_lang, t
from dashboard.lru import Lru
from dashboard.views.maps import export
from dashboard.views.maps.data import (
    MapState,
    context_frame,
    countries_columns,
    country_codes,
    min_group,
    regions_columns,
    resolve_state,
    sizes_columns,
)
from dashboard.views.maps.figures import context_figures, map_figure, sizes_figure
from dashboard.views.maps.geometry import BOUNDARIES, SOURCE, geo_source, geometry
from dashboard.views.maps.ids import (
    CAPTION,
    CONTEXT,
    CONTEXT_CAPTION,
    CONTEXT_GRAPHS,
    COUNTRIES,
    COUNTRY,
    COVERAGE,
    DOWNLOADS,
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
from dashboard.views.maps.layout import alert, notice_alerts
from dashboard.views.maps.map_values import map_values
from dashboard.views.maps.tables import (
    context_focus,
    context_table,
    countries_table,
    regions_block,
    sizes_table,
)
from dashboard.views.maps.texts import context_caption, coverage_line, sizes_caption
from pipelines.maturity.regional import OVERALL


def update_map(ctx: AppContext, measure, stat, wave, level, country, lang, trigger):
    """Recolour (Patch: values only) when measure, statistic or wave changed; the full figure
    when the map level or the country changed. Returns (figure or Patch, caption, notices)."""
    lang = normalise_lang(lang)
    snap = ctx.warehouse.snapshot()
    if snap is None:
        return no_update, "", [alert(t("maps.empty.title", lang), "info")]
    state, notes = resolve_state(ctx, snap, measure, stat, wave, level, country)
    if trigger == COUNTRY and state.level != "country":
        return no_update, no_update, no_update
    geom = geometry(ctx, state.level, state.country)
    values = map_values(ctx, snap, geom, state, lang)
    notices = notice_alerts(notes, values.notices, lang)
    if trigger in (MEASURE, STAT, WAVE):
        kind = "points" if geom.kind == "points" else "choropleth"
        return recolour_status(kind, values.z, values.text, values.colours), values.caption, notices
    return map_figure(geom, values), values.caption, notices


# The tables and the national-indices card are the same for every visitor of a build and
# selection (no request decides them: the maps show no survey link's own results), and cost
# 10-40 ms of pandas and component building at EU: made once per selection and language.
# Shared between requests, so never changed in place (Dash only serialises them).
_ANSWERS = Lru(128)


def _answer_state(state: MapState) -> MapState:
    """The state an answer is made from and kept under: on the regional maps the tables and the
    national indices do not depend on the country control (only the country map reads it), so
    every country's visit of a NUTS map shares one answer instead of making its own."""
    return state if state.level == "country" else replace(state, country="")


def _answer_key(ctx: AppContext, snap, kind: str, state, lang: str) -> tuple:
    return (kind, snap.build_id, snap.visibility, snap.min_group, ctx.settings.visibility,
            ctx.settings.min_group, str(ctx.settings.reference_dir), state, lang)


def update_tables(ctx: AppContext, measure, stat, wave, level, country, lang):
    """Coverage line, country table, region tables, size-class chart + caption + table."""
    lang = normalise_lang(lang)
    snap = ctx.warehouse.snapshot()
    if snap is None:
        return (None,) * 6
    state, _ = resolve_state(ctx, snap, measure, stat, wave, level, country)
    state = _answer_state(state)
    return _ANSWERS.get(_answer_key(ctx, snap, "tables", state, lang),
                        lambda: _tables(ctx, snap, state, lang))


def _tables(ctx: AppContext, snap, state, lang: str) -> tuple:
    mg = min_group(ctx, snap)
    sizes = sizes_columns(ctx, snap, state, lang)
    return (coverage_line(ctx, snap, state, lang),
            countries_table(countries_columns(ctx, snap, state, lang), state, lang, mg),
            regions_block(regions_columns(ctx, snap, state, lang), state, lang, mg),
            sizes_figure(sizes, state, lang), sizes_caption(ctx, sizes, state, lang),
            sizes_table(sizes, lang))


def update_context(ctx: AppContext, wave, level, country, lang):
    """The national-indices card: the focus sentence and table, a chart per index, the caption."""
    lang = normalise_lang(lang)
    snap = ctx.warehouse.snapshot()
    if snap is None:
        return None, *(None for _ in CONTEXT_GRAPHS), ""
    state, _ = resolve_state(ctx, snap, OVERALL, "median", wave, level, country)
    state = _answer_state(state)
    return _ANSWERS.get(_answer_key(ctx, snap, "context", state, lang),
                        lambda: _context(ctx, snap, state, lang))


def _context(ctx: AppContext, snap, state, lang: str) -> tuple:
    # the frame and the caption depend on the wave and language only (10-15 ms of pandas at
    # EU): made once for every country's map, which only marks its own country
    def frame() -> tuple:
        df = context_frame(ctx, snap, state, lang)
        return df, context_caption(df, state, lang)
    df, caption = _ANSWERS.get(
        _answer_key(ctx, snap, "context-frame", replace(state, level="", country=""), lang), frame)
    body = [context_focus(df, state, lang), context_table(df, state, lang)]
    return body, *context_figures(df, state, lang), caption


def permalink(ctx: AppContext, measure, stat, wave, level, country) -> str:
    snap = ctx.warehouse.snapshot()
    if snap is None:
        return no_update
    state, _ = resolve_state(ctx, snap, measure, stat, wave, level, country)
    return state.search()


CONTROLS = [Input(MEASURE, "value"), Input(STAT, "value"), Input(WAVE, "value"),
            Input(LEVEL, "value"), Input(COUNTRY, "value")]


def _warm(ctx: AppContext) -> None:
    for level in (2, 3):
        geo.nuts(ctx.settings.reference_dir, level)
    for name in BOUNDARIES.values():
        geo.slim(ctx.settings.reference_dir, name)
    # every country's map geometry (the rehearsal opens the default country's only): 15-30 ms
    # each on first use at EU, a miss on the first visit of any other country's map; ~0.5 s
    # and a few MB, shared with the workers, for all 35
    for country in country_codes(ctx):
        geometry(ctx, "country", country)


def register(app, ctx: AppContext) -> None:
    warmup.add(app.server, _warm)  # before the first request: dashboard/warmup.py
    geo_files.add_source(app.server, SOURCE, geo_source)  # the map's geometry files

    @app.callback(
        Output(GRAPH, "figure"), Output(CAPTION, "children"), Output(NOTICE, "children"),
        *CONTROLS, State(ids.LANG, "value"), prevent_initial_call=True)
    def _map(measure, stat, wave, level, country, lang):
        return update_map(ctx, measure, stat, wave, level, country, lang,
                          callback_context.triggered_id)

    @app.callback(
        Output(COVERAGE, "children"), Output(COUNTRIES, "children"), Output(REGIONS, "children"),
        Output(SIZES_GRAPH, "figure"), Output(SIZES_CAPTION, "children"),
        Output(SIZES_TABLE, "children"), *CONTROLS, State(ids.LANG, "value"))
    def _tables(measure, stat, wave, level, country, lang):
        return update_tables(ctx, measure, stat, wave, level, country, lang)

    @app.callback(
        Output(CONTEXT, "children"),
        *(Output(graph, "figure") for graph in CONTEXT_GRAPHS.values()),
        Output(CONTEXT_CAPTION, "children"),
        Input(WAVE, "value"), Input(LEVEL, "value"), Input(COUNTRY, "value"),
        State(ids.LANG, "value"))
    def _context(wave, level, country, lang):
        return update_context(ctx, wave, level, country, lang)

    @app.callback(Output(COUNTRY, "disabled"), Input(LEVEL, "value"), prevent_initial_call=True)
    def _country_enabled(level):
        return level != "country"

    @app.callback(Output(ids.URL, "search", allow_duplicate=True), *CONTROLS,
                  prevent_initial_call=True)
    def _permalink(measure, stat, wave, level, country):
        return permalink(ctx, measure, stat, wave, level, country)

    for spec in export.FILES.values():  # the files the links point to: dashboard/file_links.py
        file_links.register(app.server, ctx, spec)

    # The links carry the controls' values; a file is made when its link is followed.
    @app.callback(*[o for kind in DOWNLOADS for o in href_outputs(download_button_id(kind))],
                  *CONTROLS, Input(ids.LANG, "value"))
    def _links(measure, stat, wave, level, country, lang):
        return export.links(measure, stat, wave, level, country, lang)
