"""The policy view's tables as Dash components: leverage per element (with inline bars) and the
lobby section (law readiness, deadlines, elements behind the gap, laws not evaluated)."""

from __future__ import annotations

import dash_bootstrap_components as dbc
import pandas as pd
from dash import html

from dashboard.components.numbers import fmt_int, fmt_num
from dashboard.components.readiness_text import horizon_phrase
from dashboard.context import AppContext
from dashboard.i18n import t
from dashboard.views.policy.data import (
    LOBBY_HORIZON_DAYS,
    PolicyData,
    lobby_due_later,
    lobby_of,
)
from dashboard.views.policy.selection import Selection
from dashboard.views.policy.texts import not_evaluated_reasons, pct, short


def notice(message: str, color: str = "info") -> dbc.Alert:
    """Why a part of the view is empty."""
    return dbc.Alert(message, color=color, className="mb-2")


def bar_cell(value: float, top: float, text: str) -> html.Td:
    """A cell with its value as text over a bar (a background gradient: one component)."""
    width = 0.0 if top <= 0 else max(0.0, min(100.0, 100 * value / top))
    return html.Td(text, className="pol-bar-cell", style={
        "background": f"linear-gradient(90deg, var(--pol-bar) {width:.1f}%, "
                      f"transparent {width:.1f}%)"})


def leverage_table(df, lang: str) -> html.Table:
    top = float(df["leverage"].max()) if len(df) else 0.0
    head = html.Thead(html.Tr([
        html.Th("#", scope="col", className="text-end"),
        html.Th(t("policy.lev.col.element", lang), scope="col"),
        html.Th(t("policy.lev.col.lacking", lang), scope="col", className="text-end"),
        html.Th(t("policy.lev.col.unlock", lang), scope="col", className="text-end"),
        html.Th(t("policy.lev.col.leverage", lang), scope="col"),
        html.Th(t("policy.lev.col.first", lang), scope="col", className="text-end"),
    ]))
    body = []
    for r in df.itertuples():
        # pd.isna: the column is nullable Float64, whose missing value is pd.NA (bool(NA) raises;
        # a selection where nobody lacks an element crashed the page on `x != x`)
        unlock = "–" if pd.isna(r.mean_unlock) else fmt_num(r.mean_unlock, lang, 2)
        body.append(html.Tr([
            html.Td(str(r.rank), className="text-end text-body-secondary"),
            html.Td(f"{r.element_id} · {r.element}"),
            html.Td(f"{fmt_int(r.lacking, lang)} ({pct(r.share_lacking, lang)})",
                    className="text-end text-nowrap"),
            html.Td(unlock, className="text-end"),
            bar_cell(r.leverage, top, fmt_num(r.leverage, lang, 1)),
            html.Td(fmt_int(r.first_phase, lang), className="text-end"),
        ]))
    return html.Table([html.Caption(t("policy.lev.table.caption", lang),
                                    className="visually-hidden"), head, html.Tbody(body)],
                      className="table table-sm pol-table mb-0")


def deadline_text(r, at, lang: str) -> list:
    if r.deadline is None:
        return ["–"]
    first, last = r.deadline.isoformat(), r.last_deadline.isoformat()
    out = [first if first == last else f"{first} – {last}"]
    if r.next_deadline is None:
        out += [html.Br(), html.Span(t("policy.lobby.passed", lang), className="badge "
                                     "text-bg-danger fw-normal")]
    elif r.next_deadline != r.deadline or r.deadline < at:
        out += [html.Br(), html.Span(t("policy.lobby.next", lang,
                                       date=r.next_deadline.isoformat()),
                                     className="small text-body-secondary")]
    return out


def lobby_table(ctx: AppContext, data: PolicyData, rows, lang: str) -> html.Table:
    laws = {law.id: law for law in ctx.framework.laws}
    ids_ = data.roadmaps.element_ids
    at = data.roadmaps.evaluation_date
    head = html.Thead(html.Tr([
        html.Th(t("policy.lobby.col.law", lang), scope="col"),
        html.Th(t("policy.lobby.col.applies", lang), scope="col", className="text-end"),
        html.Th(t("policy.lobby.col.notready", lang), scope="col"),
        html.Th(t("policy.lobby.col.unknown", lang), scope="col", className="text-end"),
        html.Th(t("policy.lobby.col.deadline", lang), scope="col"),
        html.Th(t("policy.lobby.col.gap", lang), scope="col", className="pol-gaps"),
    ]))
    body = []
    for r in rows:
        law = laws.get(r.law)
        gaps = "\n".join(f"{ids_[e]} · "
                         f"{short(ctx.framework.element_by_id[ids_[e]].name.get(lang), 42)}"
                         f" ({pct(s, lang)})" for e, _k, s in r.gaps)
        body.append(html.Tr([
            html.Td([html.Strong(law.short_name(lang) if law else r.law), html.Br(),
                     law.name.get(lang) if law else ""], className="pol-law"),
            html.Td(fmt_int(r.municipalities, lang), className="text-end"),
            bar_cell(r.share_not_ready, 1.0,
                     f"{pct(r.share_not_ready, lang)} ({fmt_int(r.not_ready, lang)})"),
            html.Td(f"{pct(r.share_unknown, lang)} ({fmt_int(r.unknown, lang)})",
                    className="text-end text-nowrap"),
            html.Td(deadline_text(r, at, lang), className="text-nowrap small"),
            html.Td(gaps, className="pol-gaps small"),
        ]))
    return html.Table([html.Caption(t("policy.lobby.table.caption", lang),
                                    className="visually-hidden"), head, html.Tbody(body)],
                      className="table table-sm pol-table mb-0")


def not_evaluated_list(ctx: AppContext, laws: list[str], lang: str,
                       later: dict | None = None) -> list:
    """One list item per law not evaluated, with the reason (texts.not_evaluated_reasons)."""
    return [html.Li([html.Strong(name), f" ({long_name}): ", why])
            for name, long_name, why in not_evaluated_reasons(ctx, laws, lang, later)]


def lobby_section(ctx: AppContext, data: PolicyData, sel: Selection, scope: str,
                  lang: str) -> list:
    """The lobby section's children: the rule, the table (in a focusable scroll box), a caption
    naming the least ready law, and the laws not evaluated with the reason."""
    rm = data.roadmaps
    rows, skipped = lobby_of(ctx, data, sel)
    lobby = [html.P(t("policy.lobby.rule", lang, date=rm.evaluation_date.isoformat(),
                      counts=horizon_phrase(LOBBY_HORIZON_DAYS, rm.evaluation_date, lang)),
                    className="small text-body-secondary")]
    if rows:
        lobby.append(html.Div(lobby_table(ctx, data, rows, lang),
                              className="table-responsive", tabIndex="0", role="region",
                              **{"aria-label": t("policy.lobby.table.caption", lang)}))
        worst = rows[0]
        law = {x.id: x for x in ctx.framework.laws}.get(worst.law)
        lobby.append(html.P(t("policy.lobby.caption" + (".one" if len(rows) == 1 else ""), lang,
                              laws=len(rows),
                              law=law.short_name(lang) if law else worst.law,
                              share=pct(worst.share_not_ready, lang),
                              unknown=pct(worst.share_unknown, lang), scope=scope),
                            className="small text-body-secondary mt-2 mb-0"))
    else:
        lobby.append(notice(t("policy.lobby.none", lang, min_group=data.min_group)))
    if skipped:
        lobby.append(html.Div([html.P(t("policy.lobby.notevaluated", lang),
                                      className="mb-1 mt-3 fw-semibold"),
                               html.Ul(not_evaluated_list(ctx, skipped, lang,
                                                          lobby_due_later(ctx, data, sel,
                                                                          skipped)),
                                       className="small mb-0")]))
    return lobby
