"""The survey progress view's callbacks: grouping, filter, search, order and paging re-render
their part, the URL keeps the view, a format button sends a CSV. Every body re-validates the
coordinator token (the page keeps only the token, never a 'this is fine' flag). The bodies are
module functions (tested without Dash's machinery); `register` only wires them."""

from __future__ import annotations

import datetime as dt

import pandas as pd
from dash import Input, Output, State, callback_context
from dash.exceptions import PreventUpdate

from dashboard import ids as shared_ids
from dashboard.components.downloads import clicked, download_inputs, table_download
from dashboard.context import AppContext
from dashboard.i18n import normalise_lang
from dashboard.views.survey_progress import ids
from dashboard.views.survey_progress.data import (
    BYS,
    STATUS_TTL,
    Progress,
    all_csv,
    coordinator_access,
    load_progress,
    non_responders_csv,
    pick,
    rates_csv,
    state_query,
)
from dashboard.views.survey_progress.layout import denied, rates_view
from dashboard.views.survey_progress.tables import municipality_table
from pipelines.survey.waves import Access


def _status_for(ctx: AppContext, token: object, now: dt.datetime | None = None,
                max_age: float = STATUS_TTL) -> tuple[Access, Progress | None, str | None]:
    """Re-validate the token (on every call) and read the wave's numbers only if it is valid."""
    access, why = coordinator_access(ctx, token, now)
    if why is not None:
        return access, None, why
    return access, load_progress(ctx, access.wave.wave, max_age=max_age), None


def update_rates(ctx: AppContext, token: object, by: str | None, lang: str | None,
                 now: dt.datetime | None = None):
    lang = normalise_lang(lang)
    access, p, why = _status_for(ctx, token, now)
    if why is not None:
        return {}, "", denied(why, lang, access.expired_at)
    return rates_view(ctx, p.status, pick(by, BYS, "country"), lang)


def next_page(trigger: str | None, page: int | None) -> int:
    page = int(page or 0)
    if trigger == ids.PREV:
        return max(page - 1, 0)
    if trigger == ids.NEXT:
        return page + 1
    return 0  # a new filter, search or order starts at the first rows


def update_table(ctx: AppContext, token: object, which: str | None, search: str | None,
                 sort: str | None, page: int | None, trigger: str | None, lang: str | None,
                 now: dt.datetime | None = None):
    """(table, count, page, prev disabled, next disabled)."""
    lang = normalise_lang(lang)
    access, p, why = _status_for(ctx, token, now)
    if why is not None:
        return denied(why, lang, access.expired_at), "", 0, True, True
    return municipality_table(ctx, p.rows(which, search, sort),
                              next_page(trigger, page), lang)


def download(ctx: AppContext, which: str | None, token: object, by: str | None, lang: str | None,
             now: dt.datetime | None = None) -> tuple[pd.DataFrame, str] | None:
    """(frame, CSV file name) for a download control (`which`: its CSV button's id), read fresh;
    None without a valid coordinator token."""
    lang = normalise_lang(lang)
    if which not in ids.CSV_BUTTONS:
        return None
    access, p, why = _status_for(ctx, token, now, max_age=0)
    if why is not None:
        return None
    status = p.status
    w = access.wave.wave
    if which == ids.CSV_NON_RESPONDERS:
        return non_responders_csv(status), f"survey-{w}-non-responders.csv"
    if which == ids.CSV_RATES:
        by = pick(by, BYS, "country")
        return rates_csv(ctx, status, by, lang), f"survey-{w}-response-rates-{by}.csv"
    return all_csv(status), f"survey-{w}-municipalities.csv"


def send(ctx: AppContext, trigger: object, token: object, by: str | None, lang: str | None,
         now: dt.datetime | None = None) -> dict:
    """The dcc.Download file of the clicked format button (`trigger`: its id)."""
    hit = clicked(trigger, *ids.CSV_BUTTONS)
    found = download(ctx, hit[0], token, by, lang, now) if hit else None
    if found is None:
        raise PreventUpdate
    df, name = found
    return table_download(df, name, hit[1])


def register(app, ctx: AppContext) -> None:
    @app.callback(
        Output(shared_ids.URL, "search", allow_duplicate=True),
        Input(ids.BY, "value"), Input(ids.FILTER, "value"), Input(ids.SEARCH, "value"),
        Input(ids.SORT, "value"),
        State(ids.TOKEN, "data"),
        prevent_initial_call=True,
    )
    def _permalink(by, which, search, sort, token):
        q = state_query(ctx, token, by, which, search, sort)
        if q is None:
            raise PreventUpdate
        return q

    @app.callback(
        Output(ids.RATES_GRAPH, "figure"), Output(ids.RATES_CAPTION, "children"),
        Output(ids.RATES_TABLE, "children"),
        Input(ids.BY, "value"), State(ids.TOKEN, "data"), State(shared_ids.LANG, "value"),
        prevent_initial_call=True,
    )
    def _rates(by, token, lang):
        return update_rates(ctx, token, by, lang)

    @app.callback(
        Output(ids.TABLE, "children"), Output(ids.TABLE_COUNT, "children"), Output(ids.PAGE_NO, "data"),
        Output(ids.PREV, "disabled"), Output(ids.NEXT, "disabled"),
        Input(ids.FILTER, "value"), Input(ids.SEARCH, "value"), Input(ids.SORT, "value"),
        Input(ids.PREV, "n_clicks"), Input(ids.NEXT, "n_clicks"),
        State(ids.PAGE_NO, "data"), State(ids.TOKEN, "data"), State(shared_ids.LANG, "value"),
        prevent_initial_call=True,
    )
    def _table(which, search, sort, _prev, _next, page, token, lang):
        return update_table(ctx, token, which, search, sort, page, callback_context.triggered_id,
                            lang)

    inputs = download_inputs(*ids.CSV_BUTTONS)

    @app.callback(
        Output(ids.DOWNLOAD, "data"),
        *inputs,
        State(ids.BY, "value"), State(ids.TOKEN, "data"), State(shared_ids.LANG, "value"),
        prevent_initial_call=True,
    )
    def _download(*args):
        clicks, (by, token, lang) = args[:len(inputs)], args[len(inputs):]
        if not any(clicks):
            raise PreventUpdate
        return send(ctx, callback_context.triggered_id, token, by, lang)
