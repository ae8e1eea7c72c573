"""The heatmap's callbacks: `register(app, ctx)`; each body is a module-level function the tests
call without Dash (update_view, permalink, change_country, search_peers, download)."""

from __future__ import annotations

from urllib.parse import urlencode

from dash import Input, Output, State
from dash.exceptions import PreventUpdate

from dashboard import file_links, ids, warmup
from dashboard.components.downloads import href_outputs
from dashboard.context import AppContext
from dashboard.i18n import normalise_lang
from dashboard.views.heatmap import export
from dashboard.views.heatmap.data import ALL, column_data, compute_view, read_state, reference_arrays
from dashboard.views.heatmap.figures import figure
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
from dashboard.views.heatmap.layout import graph_box_style, legend, notes_children
from dashboard.views.heatmap.options import mode_options, nuts2_options, peer_options
from dashboard.views.heatmap.texts import caption


def _controls(ctx: AppContext, country, nuts2, size, peers_of, wave, sort, mode):
    """The published build and the view state the controls describe (no build: no update)."""
    snap = ctx.warehouse.snapshot()
    if snap is None:
        raise PreventUpdate
    return snap, read_state(ctx, snap, country=country, nuts2=nuts2, size=size, wave=wave,
                            sort=sort, mode=mode, peers_of=peers_of)


def update_view(ctx: AppContext, country, nuts2, size, peers_of, wave, sort, mode, lang):
    """The heatmap callback body: figure, caption, legend, notes, hover data, control states
    (the download, the filters the peer group overrides, what the column choice says)."""
    lang = normalise_lang(lang)
    snap, state = _controls(ctx, country, nuts2, size, peers_of, wave, sort, mode)
    view = compute_view(ctx, snap, state, lang)
    peers_on = state.peers_of is not None
    return (figure(ctx, snap, view, lang), caption(ctx, snap, view, lang), legend(ctx, view, lang),
            notes_children(view), column_data(view),
            graph_box_style(view), *export.links(view, lang),
            peers_on, peers_on, mode_options(view, lang))


def permalink(ctx: AppContext, country, nuts2, size, peers_of, wave, sort, mode) -> str:
    """The URL query of the view the controls show (written back to the address bar)."""
    _, state = _controls(ctx, country, nuts2, size, peers_of, wave, sort, mode)
    return "?" + urlencode(state.query())


def change_country(ctx: AppContext, country, lang):
    """A new country: its NUTS 2 regions, the filters reset, the peer picker refilled."""
    lang = normalise_lang(lang)
    if not country:
        raise PreventUpdate
    return nuts2_options(ctx, country, lang), ALL, None, peer_options(ctx, country)


def search_peers(ctx: AppContext, search, country, value):
    if not search or not country:
        raise PreventUpdate
    return peer_options(ctx, country, search, value)


_FILTERS = (COUNTRY, NUTS2, SIZE, PEERS, WAVE, SORT, MODE)

# Browser-side hover: the descriptor of (row, level) is looked up in the labels store.
_TOOLTIP_JS = """
function(hover, labels, cols) {
    const nu = window.dash_clientside.no_update;
    if (!hover || !hover.points || !hover.points.length || !labels || !cols || !cols.mode) {
        return [false, nu, nu, nu, nu, nu, nu];
    }
    const pt = hover.points[0];
    const c = Math.round(pt.x), r = Math.round(pt.y), tx = labels.t;
    if (!(c in cols.cols) || !(r in labels.el)) { return [false, nu, nu, nu, nu, nu, nu]; }
    let value = '', detail = '';
    if (cols.mode === 'municipalities') {
        const z = (pt.z === null || pt.z === undefined) ? -1 : pt.z - 1;  // sent as level + 1
        if (z < 0) { value = tx.missing; }
        else { value = tx.level + ' ' + z + ' · ' + labels.scale[z]; detail = labels.desc[r][z]; }
    } else {
        const s = cols.status[r][c];
        if (s === 1) { value = tx.suppressed; }
        else if (s === 2) { value = tx.nodata; }
        else {
            const m = cols.median[r][c];
            value = tx.median + ' ' + (m % 1 === 0 ? m.toFixed(1) : String(m)).replace('.', labels.dec);
            detail = tx.share.replace('{share}', cols.share[r][c]).replace('{n}', cols.n[r][c]);
        }
    }
    const dir = c > cols.cols.length / 2 ? 'left' : 'right';
    return [true, pt.bbox || nu, dir, cols.cols[c], labels.el[r], value, detail];
}
"""


def register(app, ctx: AppContext) -> None:
    warmup.add(app.server, reference_arrays)  # before the first request: dashboard/warmup.py
    file_links.register(app.server, ctx, export.FILE)  # the download links' route

    @app.callback(
        Output(GRAPH, "figure"), Output(CAPTION, "children"), Output(LEGEND, "children"),
        Output(NOTES, "children"), Output(COLUMNS, "data"), Output(GRAPH_BOX, "style"),
        *href_outputs(CSV_BUTTON), Output(NUTS2, "disabled"),
        Output(SIZE, "disabled"), Output(MODE, "options"),
        *(Input(c, "value") for c in _FILTERS),
        State(ids.LANG, "value"),
        prevent_initial_call=True,  # the layout already holds the first view
    )
    def _view(country, nuts2, size, peers_of, wave, sort, mode, lang):
        return update_view(ctx, country, nuts2, size, peers_of, wave, sort, mode, lang)

    # Separate from the figure: a callback writing the URL (allow_duplicate) also runs when the
    # page is rendered, and this one is cheap.
    @app.callback(
        Output(ids.URL, "search", allow_duplicate=True),
        *(Input(c, "value") for c in _FILTERS),
        prevent_initial_call=True,
    )
    def _permalink(country, nuts2, size, peers_of, wave, sort, mode):
        return permalink(ctx, country, nuts2, size, peers_of, wave, sort, mode)

    @app.callback(
        Output(NUTS2, "options"), Output(NUTS2, "value"), Output(PEERS, "value"),
        Output(PEERS, "options"),
        Input(COUNTRY, "value"), State(ids.LANG, "value"),
        prevent_initial_call=True,
    )
    def _country(country, lang):
        return change_country(ctx, country, lang)

    @app.callback(
        Output(PEERS, "options", allow_duplicate=True),
        Input(PEERS, "search_value"), State(COUNTRY, "value"), State(PEERS, "value"),
        prevent_initial_call=True,
    )
    def _peers(search, country, value):
        return search_peers(ctx, search, country, value)

    app.clientside_callback(
        _TOOLTIP_JS,
        Output(TOOLTIP, "show"), Output(TOOLTIP, "bbox"), Output(TOOLTIP, "direction"),
        Output(TIP_TITLE, "children"), Output(TIP_ELEMENT, "children"),
        Output(TIP_VALUE, "children"), Output(TIP_DETAIL, "children"),
        Input(GRAPH, "hoverData"), State(LABELS, "data"), State(COLUMNS, "data"),
    )
