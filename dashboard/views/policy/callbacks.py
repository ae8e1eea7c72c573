"""The policy view's callbacks: a new selection or measure re-renders the view and the URL, a
new country refills the region picker, the download links follow the filters. The bodies are module
functions (tested without Dash's machinery); `register` only wires them."""

from __future__ import annotations

from urllib.parse import urlencode

from dash import Input, Output, State
from dash.exceptions import PreventUpdate

from dashboard import file_links, warmup
from dashboard import ids as shared_ids
from dashboard.components.downloads import href_outputs
from dashboard.context import AppContext
from dashboard.i18n import normalise_lang
from dashboard.views.policy import data_funding, funding, funding_file, ids
from dashboard.views.policy.export import FILES, links, table_frame
from dashboard.views.policy.layout import ALL, nuts2_options, render
from dashboard.views.policy.selection import parse_selection, read_state, state_query

OUTPUT_KEYS = ("status", "show", "fp_figure", "fp_caption", "lev_table", "lev_api",
               "region_title", "region_figure", "region_caption", "size_figure",
               "size_caption", "lobby")
WHICH = {ids.CSV_FP: "first-phase", ids.CSV_LEV: "leverage", ids.CSV_REGION: "regions",
         ids.CSV_SIZE: "sizes", ids.CSV_LOBBY: "lobby"}


def update_view(ctx: AppContext, country, nuts2, size, measure, lang) -> tuple:
    lang = normalise_lang(lang)
    if ctx.warehouse.snapshot() is None:
        raise PreventUpdate
    sel, measure = read_state(ctx, country, nuts2, size, measure)
    v = render(ctx, sel, measure, lang)
    v["show"] = {"display": "block" if v["show"] else "none"}
    return tuple(v[k] for k in OUTPUT_KEYS)


def permalink(ctx: AppContext, country, nuts2, size, measure) -> str:
    sel, measure = read_state(ctx, country, nuts2, size, measure)
    return "?" + urlencode(state_query(sel, measure))


def change_country(ctx: AppContext, country, lang):
    """A new country: its NUTS 2 regions, the region reset, the region picker off at EU level."""
    lang = normalise_lang(lang)
    sel = parse_selection(ctx, country)
    return nuts2_options(ctx, sel.country, lang), ALL, sel.country is None


def csv_download(ctx: AppContext, which: str, country, nuts2, size, measure, lang):
    """(DataFrame, filename) of one table or chart of the view (what its link downloads)."""
    made = table_frame(ctx, which, country, nuts2, size, measure, lang)
    if made is None:
        raise PreventUpdate
    return made


def _funding_state(ctx: AppContext, country, nuts2, size, values: tuple):
    sel, _ = read_state(ctx, country, nuts2, size, None)
    n = len(ids.FUNDING_FIELDS)
    fields = dict(zip(ids.FUNDING_FIELDS, values[:n], strict=True))
    settings = dict(zip(("rule", "law", "reach", "budget"), values[n:], strict=True))
    return sel, fields, settings


def run_funding(ctx: AppContext, n_clicks, country, nuts2, size, *rest) -> list:
    """The funding what-if of the editors' packages: words, tables, download (`rest`: the
    package fields in ids.FUNDING_FIELDS order, then rule, law, reach, budget, then lang)."""
    if not n_clicks or ctx.warehouse.snapshot() is None:
        raise PreventUpdate
    *values, lang = rest
    lang = normalise_lang(lang)
    sel, fields, settings = _funding_state(ctx, country, nuts2, size, tuple(values))
    answers, error = funding.compute(ctx, sel, fields, settings, lang)
    # the download links of the what-if shown: following one computes it again
    # (dashboard/views/policy/funding_file.py), instead of a callback sending the file
    # none where the what-if has no result to give (a group too small to show): the links
    # are then shown disabled instead of leading to a 404
    ok = not error and answers and answers[0].status == "ok"
    links = funding_file.links(country, nuts2, size, fields, settings, lang) if ok else None
    return funding.result(ctx, answers, error, lang, links)


def register(app, ctx: AppContext) -> None:
    warmup.add(app.server, data_funding.warm)  # before the first request: dashboard/warmup.py

    @app.callback(
        Output(ids.STATUS, "children"), Output(ids.BODY, "style"),
        Output(ids.FP_GRAPH, "figure"), Output(ids.FP_CAPTION, "children"),
        Output(ids.LEV_TABLE, "children"), Output(ids.LEV_API, "href"),
        Output(ids.REGION_TITLE, "children"), Output(ids.REGION_GRAPH, "figure"),
        Output(ids.REGION_CAPTION, "children"), Output(ids.SIZE_GRAPH, "figure"),
        Output(ids.SIZE_CAPTION, "children"), Output(ids.LOBBY, "children"),
        *(Input(c, "value") for c in ids.FILTERS),
        State(shared_ids.LANG, "value"),
        prevent_initial_call=True,  # the layout already holds the first view
    )
    def _view(country, nuts2, size, measure, lang):
        return update_view(ctx, country, nuts2, size, measure, lang)

    @app.callback(
        Output(shared_ids.URL, "search", allow_duplicate=True),
        *(Input(c, "value") for c in ids.FILTERS),
        prevent_initial_call=True,
    )
    def _permalink(country, nuts2, size, measure):
        return permalink(ctx, country, nuts2, size, measure)

    @app.callback(
        Output(ids.NUTS2, "options"), Output(ids.NUTS2, "value"), Output(ids.NUTS2, "disabled"),
        Input(ids.COUNTRY, "value"), State(shared_ids.LANG, "value"),
        prevent_initial_call=True,
    )
    def _country(country, lang):
        return change_country(ctx, country, lang)

    funding_states = (*(State(c, "value") for c in ids.FILTERS[:3]),
                      *(State(c, "value") for c in ids.FUNDING_FIELDS),
                      *(State(c, "value") for c in ids.FUNDING_SETTINGS),
                      State(shared_ids.LANG, "value"))

    @app.callback(Output(ids.FUNDING_RESULT, "children"), Input(ids.FUNDING_RUN, "n_clicks"),
                  *funding_states, prevent_initial_call=True)
    def _funding(n_clicks, *args):
        return run_funding(ctx, n_clicks, *args)

    file_links.register(app.server, ctx, funding_file.FILE)

    for spec in FILES.values():  # the files the links point to: dashboard/file_links.py
        file_links.register(app.server, ctx, spec)

    # The links carry the filters; a file is made when its link is followed.
    @app.callback(*[o for b in ids.CSV_BUTTONS for o in href_outputs(b)],
                  *(Input(c, "value") for c in ids.FILTERS), Input(shared_ids.LANG, "value"))
    def _links(country, nuts2, size, measure, lang):
        return links(ctx, [WHICH[b] for b in ids.CSV_BUTTONS], country, nuts2, size, measure,
                     lang)
