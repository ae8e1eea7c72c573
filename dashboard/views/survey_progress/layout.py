"""The survey progress view's components: the refusal without a coordinator link, the wave's
header and key figures, the rates card and the municipality card with its controls."""

from __future__ import annotations

import datetime as dt

import dash_bootstrap_components as dbc
import pandas as pd
from dash import dcc, html

from dashboard.components.downloads import download_control
from dashboard.components.figures import localised_config
from dashboard.components.numbers import fmt_int
from dashboard.context import AppContext
from dashboard.i18n import normalise_lang, t
from dashboard.views.survey_progress import ids
from dashboard.views.survey_progress.data import (
    BYS,
    FILTERS,
    PAGE_SIZE,
    SEARCH_MAX,
    SORTS,
    coordinator_access,
    load_progress,
    pick,
    rates_frame,
    wave_state,
)
from dashboard.views.survey_progress.figures import rates_figure
from dashboard.views.survey_progress.tables import municipality_table, rates_table
from dashboard.views.survey_progress.texts import date_text, pct, rates_caption, time_text
from pipelines.survey import progress
from pipelines.survey.waves import Wave

INVITE_COMMAND = "python -m pipelines survey invite --wave {wave} --country NL --out links.csv"
CREATE_COMMAND = "python -m pipelines survey create-wave"


def with_command(key: str, lang: str, command: str) -> list:
    """t(key) with its {command} placeholder rendered as <code>."""
    marker = "\x00"
    before, _, after = t(key, lang, command=marker).partition(marker)
    return [before, html.Code(command), after]


def denied(why: str, lang: str, expired_at: dt.datetime | None = None) -> dbc.Alert:
    """What happened, and how to get the right link. Never shows data or the token."""
    if why == "expired":
        what = t("survey_progress.denied.expired", lang,
                 date=date_text(expired_at) if expired_at else "?")
    else:
        what = t(f"survey_progress.denied.{why}", lang)
    return dbc.Alert([
        html.H2(t("survey_progress.denied.title", lang), className="h5"),
        html.P(what),
        html.P(with_command("survey_progress.denied.ask", lang, CREATE_COMMAND), className="mb-0"),
    ], color="warning", className="survey-progress-denied")


def wave_header(wave: Wave, read_at: dt.datetime, lang: str, now: dt.datetime) -> dbc.Card:
    state = wave_state(wave, now)
    colour = {"open": "success", "upcoming": "info", "closed": "secondary"}[state]
    title = wave.title or t("survey_progress.wave.untitled", lang, wave=wave.wave)
    return dbc.Card(dbc.CardBody([
        html.H2([title, " ", dbc.Badge(t(f"survey_progress.wave.{state}", lang), color=colour,
                                       className="align-middle fs-6")],
                className="h4 mb-1"),
        html.P([t("survey_progress.wave.id", lang, wave=wave.wave), " · ",
                t("survey_progress.wave.period", lang, opens=time_text(wave.opens_at),
                  closes=time_text(wave.closes_at), until=date_text(wave.links_valid_until))],
               className="mb-1"),
        html.P(t("survey_progress.asof", lang, time=time_text(read_at)),
               className="small text-body-secondary mb-0"),
    ]), className="mb-3 survey-progress-wave")


def kpis(status: pd.DataFrame, lang: str) -> dbc.Row:
    n = progress.totals(status)
    invited = n["invited"]
    countries = int(status["country"].nunique()) if invited else 0
    cards = [
        (t("survey_progress.kpi.invited", lang), fmt_int(invited, lang),
         t("survey_progress.kpi.invited.sub" + (".one" if countries == 1 else ""), lang,
           countries=countries)),
        (t("survey_progress.kpi.started", lang), fmt_int(n["started"], lang),
         t("survey_progress.kpi.share", lang,
           share=pct(n["started"] / invited if invited else None, lang))),
        (t("survey_progress.kpi.submitted", lang), fmt_int(n["submitted"], lang),
         t("survey_progress.kpi.share", lang,
           share=pct(n["submitted"] / invited if invited else None, lang))),
        (t("survey_progress.kpi.rate", lang), pct(progress.response_rate(n), lang),
         t("survey_progress.kpi.rate.sub", lang)),
        (t("survey_progress.kpi.respondents", lang), fmt_int(n["respondents_submitted"], lang),
         t("survey_progress.kpi.respondents.sub", lang,
           invited=fmt_int(n["respondents_invited"], lang),
           started=fmt_int(n["respondents_started"], lang))),
    ]
    return dbc.Row([dbc.Col(dbc.Card(dbc.CardBody([
        html.Div(label, className="kpi-label"),
        html.Div(value, className="kpi-value"),
        html.Div(sub, className="kpi-sub"),
    ]), className="h-100 kpi"), xs=6, md=4, xl=True, className="mb-3")
        for label, value, sub in cards], className="survey-progress-kpis")


def empty_invitations(wave: Wave, lang: str) -> dbc.Alert:
    return dbc.Alert([
        html.H2(t("survey_progress.empty.title", lang), className="h5"),
        html.P(t("survey_progress.empty.body", lang)),
        html.Pre(INVITE_COMMAND.format(wave=wave.wave), className="mb-2"),
        html.P(t("survey_progress.empty.after", lang), className="mb-0"),
    ], color="info", id="survey-progress-empty")


def rates_view(ctx: AppContext, status: pd.DataFrame, by: str, lang: str):
    """(figure, caption, table) for a grouping."""
    df = rates_frame(ctx, status, by, lang)
    return rates_figure(df, by, lang), rates_caption(df, by, status, lang), rates_table(df, by, lang)


def _header(lang: str) -> list:
    return [
        html.H1(t("survey_progress.title", lang), className="h2"),
        html.P(html.Strong(t("survey_progress.question", lang)), className="mb-1 question"),
        html.P(t("survey_progress.guide", lang), className="text-body-secondary"),
    ]


def layout(ctx: AppContext, lang: str, query: dict | None = None,
           now: dt.datetime | None = None) -> html.Div:
    lang = normalise_lang(lang)
    query = query or {}
    now = now or dt.datetime.now(dt.UTC)
    token = query.get("token")
    access, why = coordinator_access(ctx, token, now)
    if why is not None:
        return html.Div([*_header(lang), denied(why, lang, access.expired_at)],
                        className="survey-progress")
    wave = access.wave
    p = load_progress(ctx, wave.wave)
    status = p.status
    top = [*_header(lang), dcc.Store(id=ids.TOKEN, storage_type="memory", data=token),
           wave_header(wave, p.read_at, lang, now)]
    if status.empty:
        return html.Div([*top, empty_invitations(wave, lang)], className="survey-progress")
    default_by = "country" if status["country"].nunique() > 1 else "nuts2"
    by = pick(query.get("by"), BYS, default_by)
    which = pick(query.get("status"), FILTERS, "all")
    sort = pick(query.get("sort"), SORTS, "status")
    search = (query.get("q") or "")[:SEARCH_MAX]
    figure, caption, rtable = rates_view(ctx, status, by, lang)
    table, count, page, prev_off, next_off = municipality_table(
        ctx, p.rows(which, search, sort), 0, lang)
    n_open = int((status["status"] != "submitted").sum())
    return html.Div([
        *top,
        kpis(status, lang),
        dbc.Card(dbc.CardBody([
            dbc.Row([
                dbc.Col(html.H2(t("survey_progress.rates.title", lang), className="h5 mb-2"),
                        xs=12, md=True),
                dbc.Col([dbc.Label(t("survey_progress.rates.by", lang), html_for=ids.BY,
                                   className="me-2 mb-0 survey-progress-by-label"),
                         dbc.Select(id=ids.BY, value=by, options=[
                             {"label": t(f"survey_progress.by.{b}", lang), "value": b}
                             for b in BYS], className="survey-progress-by")],
                        xs=12, md="auto", className="d-flex align-items-center mb-2"),
            ], className="align-items-center"),
            dbc.Row([
                dbc.Col(html.Figure([
                    # at phone width the chart keeps a legible width and scrolls sideways
                    html.Div(dcc.Graph(id=ids.RATES_GRAPH, figure=figure,
                                       config=localised_config({"displayModeBar": False,
                                                                "responsive": True}, lang),
                                       className="survey-progress-graph"),
                             className="survey-progress-chart", tabIndex="0", role="region",
                             **{"aria-label": t("survey_progress.rates.title", lang)}),
                    html.Figcaption(caption, id=ids.RATES_CAPTION,
                                    className="small text-body-secondary"),
                ], className="mb-0"), lg=6, className="mb-3"),
                dbc.Col([
                    html.Div(rtable, id=ids.RATES_TABLE),
                    download_control(ids.CSV_RATES, lang, label=t("survey_progress.csv.rates", lang),
                                     className="mt-2"),
                ], lg=6, className="mb-3"),
            ]),
        ]), className="mb-3"),
        dbc.Card(dbc.CardBody([
            html.H2(t("survey_progress.table.title", lang), className="h5"),
            dbc.Row([
                dbc.Col([dbc.Label(t("survey_progress.table.filter", lang), html_for=ids.FILTER),
                         dbc.Select(id=ids.FILTER, value=which, options=[
                             {"label": t(f"survey_progress.filter.{f}", lang), "value": f}
                             for f in FILTERS])], xs=12, sm=6, lg=3, className="mb-2"),
                dbc.Col([dbc.Label(t("survey_progress.table.search", lang), html_for=ids.SEARCH),
                         dbc.Input(id=ids.SEARCH, type="search", value=search, debounce=True,
                                   maxLength=SEARCH_MAX, autoComplete="off",
                                   placeholder=t("survey_progress.table.search.placeholder",
                                                 lang))],
                        xs=12, sm=6, lg=3, className="mb-2"),
                dbc.Col([dbc.Label(t("survey_progress.table.sort", lang), html_for=ids.SORT),
                         dbc.Select(id=ids.SORT, value=sort, options=[
                             {"label": t(f"survey_progress.sort.{s}", lang), "value": s}
                             for s in SORTS])], xs=12, sm=6, lg=4, className="mb-2"),
            ], className="mb-1"),
            html.P(count, id=ids.TABLE_COUNT, className="small text-body-secondary mb-2",
                   **{"aria-live": "polite"}),
            dcc.Loading(html.Div(table, id=ids.TABLE), type="dot", delay_show=300),
            dcc.Store(id=ids.PAGE_NO, storage_type="memory", data=page),
            html.Nav(dbc.ButtonGroup([
                dbc.Button(t("survey_progress.table.prev", lang, n=PAGE_SIZE), id=ids.PREV,
                           disabled=prev_off, color="secondary", outline=True, size="sm"),
                dbc.Button(t("survey_progress.table.next", lang, n=PAGE_SIZE), id=ids.NEXT,
                           disabled=next_off, color="secondary", outline=True, size="sm"),
            ]), className="mt-2", **{"aria-label": t("survey_progress.table.pager", lang)}),
            html.Hr(),
            html.Div([
                download_control(ids.CSV_NON_RESPONDERS, lang, color="primary", outline=False,
                                 label=t("survey_progress.csv.non_responders", lang),
                                 className="me-4 mb-2"),
                download_control(ids.CSV_ALL, lang, label=t("survey_progress.csv.all", lang),
                                 className="mb-2"),
            ], className="d-flex flex-wrap"),
            html.P(t("survey_progress.csv.non_responders.help" + (".one" if n_open == 1 else ""),
                     lang, n=fmt_int(n_open, lang)),
                   className="small text-body-secondary mb-0"),
            dcc.Download(id=ids.DOWNLOAD),
        ]), className="mb-3"),
    ], className="survey-progress")
