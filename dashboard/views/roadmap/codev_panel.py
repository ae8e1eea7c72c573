"""The Roadmap tab's "Develop together" card (issue 19): per first-phase element the initiatives
(with Join for the holder of the municipality's own survey link), the nearest masters and the
municipalities with the same next step, each match explained; then the form to start an
initiative (only for that link's holder; others read how to get one). Dash components from the
pure menu of data_codev.py; the actions are `start` and `join`, called by thin callbacks."""

from __future__ import annotations

import datetime as dt

import dash_bootstrap_components as dbc
from dash import dcc, html

from dashboard import codev
from dashboard.components.initiatives import initiative_list
from dashboard.components.numbers import fmt_int
from dashboard.context import AppContext
from dashboard.i18n import t
from dashboard.views.roadmap.analysis import Analysis
from dashboard.views.roadmap.data_codev import ElementMenu, Partner, menu
from dashboard.views.roadmap.ids import (
    CODEV_JOINED,
    CODEV_STARTED,
    START_BUTTON,
    START_COMPONENT,
    START_DATE,
    START_DESCRIPTION,
    START_ELEMENT,
    START_KIND,
)
from pipelines.survey.initiatives import KINDS, MAX_DESCRIPTION, InitiativeError


def _partners(title: str, partners: tuple[Partner, ...], hidden: int | None, lang: str) -> list:
    out = [html.P(title, className="small mb-1")]
    if partners:
        out.append(html.Ol([html.Li([
            html.A(p.name, href=f"/profile?m={p.municipality_id}"),
            f" ({p.municipality_id.split('_', 1)[0]})",
            *([" · ", t("codev.level", lang, level=p.level)] if p.level is not None else []),
            " · ", html.Span(p.why, className="text-body-secondary")]) for p in partners],
            className="small mb-1"))
    if hidden:
        out.append(html.P(t("codev.hidden", lang, n=fmt_int(hidden, lang)),
                          className="small text-body-secondary mb-1"))
    return out


def _element(m: ElementMenu, own: bool, lang: str) -> html.Section:
    body: list = [html.H3([html.Span(m.element, className="el-id"), " ", m.name],
                          className="h6 mt-2")]
    body.append(html.P(t("codev.initiatives", lang, n=fmt_int(len(m.initiatives), lang)),
                       className="small mb-1 fw-semibold"))
    if m.initiatives:
        body.append(initiative_list(list(m.initiatives), lang, can_join=own))
    else:
        body.append(html.P(t("codev.none", lang), className="small text-body-secondary mb-1"))
    body += _partners(t("codev.masters", lang, n=fmt_int(m.masters_total, lang)), m.masters,
                      m.masters_not_named, lang)
    if m.next_total is not None:
        body += _partners(t("codev.next", lang, n=fmt_int(m.next_total, lang)), m.next_step,
                          m.next_not_named, lang)
    return html.Section(body, className="codev-element", **{"data-element": m.element})


OPTION_CHARS = 34  # a select shows its chosen option whole from 390 px (as the funding editors)


def _short(text: str) -> str:
    return text if len(text) <= OPTION_CHARS else text[:OPTION_CHARS - 1].rstrip() + "…"


def start_form(menus: list[ElementMenu], lang: str) -> html.Div:
    return html.Div([
        html.H3(t("codev.start.title", lang), className="h6 mt-3"),
        dbc.Label(t("codev.start.element", lang), html_for=START_ELEMENT),
        dbc.Select(id=START_ELEMENT, value=menus[0].element,
                   options=[{"label": _short(f"{m.element} · {m.name}"), "value": m.element}
                            for m in menus]),
        dbc.Label(t("codev.start.component", lang), html_for=START_COMPONENT, className="mt-2"),
        dbc.Input(id=START_COMPONENT, maxLength=120, autoComplete="off"),
        dbc.Label(t("codev.start.description", lang), html_for=START_DESCRIPTION,
                  className="mt-2"),
        dbc.Textarea(id=START_DESCRIPTION, maxLength=MAX_DESCRIPTION, rows=3),
        dbc.Row([
            dbc.Col([dbc.Label(t("codev.start.date", lang), html_for=START_DATE),
                     dbc.Input(id=START_DATE, type="date",
                               value=dt.date.today().replace(day=1).isoformat())], sm=6),
            dbc.Col([dbc.Label(t("codev.start.kind", lang), html_for=START_KIND),
                     dbc.Select(id=START_KIND, value=KINDS[0],
                                options=[{"label": t(f"codev.kind.{k}", lang), "value": k}
                                         for k in KINDS])], sm=6),
        ], className="mt-2 g-2"),
        dbc.Button(t("codev.start.button", lang), id=START_BUTTON, color="primary",
                   className="mt-2"),
    ], className="codev-start")


def panel(ctx: AppContext, a: Analysis, viewer: str | None, lang: str):
    """The card's body for this analysis and this browser's survey link (`viewer`)."""
    if a.rm is None or not a.help:
        return html.P(t("codev.empty", lang), className="small text-body-secondary mb-0")
    sub = a.subject
    who = codev.naming(ctx, sub.snap, viewer)
    menus = menu(ctx, sub.snap, sub.w, sub.row, a.help, who, lang)
    own = viewer is not None and viewer == sub.mid
    out: list = [_element(m, own, lang) for m in menus]
    if own:
        out.append(start_form(menus, lang))
    else:
        out.append(dbc.Alert(t("codev.nolink", lang, name=sub.name), color="light",
                             className="small mt-2 mb-0 codev-nolink"))
    return out


def _message(e: InitiativeError, lang: str) -> dbc.Alert:
    key = f"codev.error.{e.field}"
    return dbc.Alert(t(key, lang), color="warning", className="small mb-0")


def start(ctx: AppContext, token: str | None, element, component, description, start_date,
          kind, lang: str) -> tuple[dbc.Alert, str | None]:
    """Start an initiative with this browser's survey link: (message, the new id or None)."""
    try:
        ini = ctx.initiatives.create(token, element=element, component=component or None,
                                     description=description, start=start_date, kind=kind)
    except InitiativeError as e:
        return _message(e, lang), None
    return dbc.Alert(t("codev.started", lang), color="success", className="small mb-0"), ini.id


def join(ctx: AppContext, token: str | None, initiative_id, role,
         lang: str) -> tuple[dbc.Alert, str | None]:
    """Join with this browser's survey link: (message, the initiative id or None)."""
    try:
        ini = ctx.initiatives.join(token, initiative_id, role)
    except InitiativeError as e:
        return _message(e, lang), None
    return dbc.Alert(t("codev.joined", lang), color="success", className="small mb-0"), ini.id


def stores() -> list:
    return [dcc.Store(id=CODEV_STARTED), dcc.Store(id=CODEV_JOINED)]
