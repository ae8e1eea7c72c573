"""Overview: the callbacks. Each body is a module-level function, tested as a function.

The language is State, not Input: a language switch re-renders the whole page (router), and an
Input here would also fire for the old components and race the new layout.
"""

from __future__ import annotations

from urllib.parse import urlencode

from dash import Input, Output, State, callback_context

from dashboard import geo_files
from dashboard.components.map_patches import recolour
from dashboard.context import AppContext
from dashboard.i18n import normalise_lang
from dashboard.ids import LANG, URL
from dashboard.views.overview import data, ids
from dashboard.views.overview.figures import SOURCE, coverage_figure, geometry, map_caption, map_values
from dashboard.views.overview.layout import country_table, kpi_cards


def update_tables(ctx: AppContext, wave: str | None, lang: str | None):
    """The four cards and the country table for a wave."""
    lang = normalise_lang(lang)
    snap = ctx.warehouse.snapshot()
    if snap is None:
        return None, None
    wave = data.pick_wave(snap, wave)
    return (kpi_cards(data.headline(snap, wave), lang),
            country_table(ctx, data.countries(snap, wave), lang))


def update_map(ctx: AppContext, wave: str | None, view: str | None, lang: str | None,
               trigger: str | None):
    """A new wave only recolours (Patch); a new map view sends the new geometry once."""
    lang = normalise_lang(lang)
    snap = ctx.warehouse.snapshot()
    if snap is None:
        return None, ""
    wave = data.pick_wave(snap, wave)
    view = view if view in data.MAP_VIEWS else "eu"
    caption = map_caption(snap, view, wave, lang)
    if trigger == ids.WAVE:
        _, z, text = map_values(ctx, snap, view, wave, lang)
        return recolour(z, text), caption
    return coverage_figure(ctx, snap, view, wave, lang), caption


def state_query(wave: str | None, view: str | None) -> str:
    """The view's state as a URL query, so a link reproduces it."""
    return "?" + urlencode({k: v for k, v in (("wave", wave), ("map", view)) if v})


def register(app, ctx: AppContext) -> None:
    geo_files.add_source(app.server, SOURCE, geometry)  # the map's geometry files

    @app.callback(Output(URL, "search", allow_duplicate=True),
                  Input(ids.WAVE, "value"), Input(ids.MAP_VIEW, "value"),
                  prevent_initial_call=True)
    def _permalink(wave, view):
        return state_query(wave, view)

    @app.callback(Output(ids.KPIS, "children"), Output(ids.TABLE, "children"),
                  Input(ids.WAVE, "value"), State(LANG, "value"))
    def _tables(wave, lang):
        return update_tables(ctx, wave, lang)

    @app.callback(Output(ids.MAP, "figure"), Output(ids.MAP_CAPTION, "children"),
                  Input(ids.WAVE, "value"), Input(ids.MAP_VIEW, "value"), State(LANG, "value"),
                  prevent_initial_call=True)
    def _map(wave, view, lang):
        return update_map(ctx, wave, view, lang, callback_context.triggered_id)
