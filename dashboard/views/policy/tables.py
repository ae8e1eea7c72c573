"""The policy view's tables: leverage per element (with inline bars) and the lobby section (law
readiness, deadlines, elements behind the gap, laws not evaluated); the funding what-if's tables
use the same markup helpers."""

from __future__ import annotations

import html as _html

import dash_bootstrap_components as dbc
import numpy as np
import pandas as pd
from dash import dcc, html

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


# The tables are HTML strings in one dcc.Markdown each (as dashboard/components/tables.py does
# for the Legislation tab): a leverage table of ~50 rows was ~350 Dash components, whose
# construction, serialisation and rendering cost the server ~8 ms and the browser more on every
# change of selection. The markup is the same elements, classes, captions and scopes the
# components gave; every text passes `esc`, only this module writes tags and attributes.


def esc(value) -> str:
    """Text as markup. A line break becomes a character reference: the markup stays one line,
    as dcc.Markdown parses a multi-line HTML block piecemeal (and renders nothing of it)."""
    return _html.escape(str(value), quote=True).replace("\n", "&#10;")


def tag(name: str, inner: str = "", cls: str | None = None, **attrs) -> str:
    """<name class=cls attrs>inner</name>; `inner` is markup (escaped text or tags), every
    attribute value is escaped here."""
    a = (f' class="{esc(cls)}"' if cls else "") + "".join(
        f' {k}="{esc(v)}"' for k, v in attrs.items() if v is not None)
    return f"<{name}{a}>{inner}</{name}>"


BR = "<br/>"  # self-closed: dcc.Markdown renders nothing of a table with a bare <br>


def static(markup: str) -> dcc.Markdown:
    """Markup (from `tag`) as one component."""
    return dcc.Markdown(markup, dangerously_allow_html=True, className="static-table")


def table_markup(caption: str, head: list[str], rows: list[str]) -> str:
    """A pol-table: a visually hidden caption, one header row of `head` (th cells), `rows`."""
    return tag("table", tag("caption", esc(caption), "visually-hidden")
               + tag("thead", tag("tr", "".join(head))) + tag("tbody", "".join(rows)),
               "table table-sm pol-table mb-0")


def th(text: str, cls: str | None = None) -> str:
    return tag("th", esc(text), cls, scope="col")


def bar_cell(value: float, top: float, text: str) -> str:
    """A cell with its value as text over a bar (a background gradient)."""
    width = 0.0 if top <= 0 else max(0.0, min(100.0, 100 * value / top))
    return tag("td", esc(text), "pol-bar-cell",
               style=f"background: linear-gradient(90deg, var(--pol-bar) {width:.1f}%, "
                     f"transparent {width:.1f}%)")


def _list(column) -> list:
    return column.tolist() if hasattr(column, "tolist") else list(column)


def leverage_table(df, lang: str) -> dcc.Markdown:
    """The leverage table (`df`: data.leverage_columns, or the frame)."""
    leverage = _list(df["leverage"])
    top = float(max(leverage)) if leverage else 0.0
    head = [th("#", "text-end"), th(t("policy.lev.col.element", lang)),
            th(t("policy.lev.col.lacking", lang), "text-end"),
            th(t("policy.lev.col.unlock", lang), "text-end"),
            th(t("policy.lev.col.leverage", lang)),
            th(t("policy.lev.col.first", lang), "text-end")]
    # missing: None in the columns, pd.NA in the frame's nullable Float64 column; NaN here
    unlock = pd.Series(df["mean_unlock"], dtype="Float64").to_numpy(dtype=np.float64,
                                                                     na_value=np.nan)
    cols = zip(_list(df["rank"]), _list(df["element_id"]), _list(df["element"]),
               _list(df["lacking"]), _list(df["share_lacking"]), unlock.tolist(), leverage,
               _list(df["first_phase"]), strict=True)
    body = [tag("tr", tag("td", esc(rank), "text-end text-body-secondary")
                + tag("td", esc(f"{eid} · {name}"))
                + tag("td", esc(f"{fmt_int(lacking, lang)} ({pct(share, lang)})"),
                      "text-end text-nowrap")
                + tag("td", "–" if mu != mu else esc(fmt_num(mu, lang, 2)), "text-end")
                + bar_cell(lev, top, fmt_num(lev, lang, 1))
                + tag("td", esc(fmt_int(first, lang)), "text-end"))
            for rank, eid, name, lacking, share, mu, lev, first in cols]
    return static(table_markup(t("policy.lev.table.caption", lang), head, body))


def deadline_text(r, at, lang: str) -> str:
    if r.deadline is None:
        return "–"
    first, last = r.deadline.isoformat(), r.last_deadline.isoformat()
    out = esc(first if first == last else f"{first} – {last}")
    if r.next_deadline is None:
        out += BR + tag("span", esc(t("policy.lobby.passed", lang)),
                        "badge text-bg-danger fw-normal")
    elif r.next_deadline != r.deadline or r.deadline < at:
        out += BR + tag("span", esc(t("policy.lobby.next", lang,
                                      date=r.next_deadline.isoformat())),
                        "small text-body-secondary")
    return out


def lobby_table(ctx: AppContext, data: PolicyData, rows, lang: str) -> dcc.Markdown:
    laws = {law.id: law for law in ctx.framework.laws}
    ids_ = data.roadmaps.element_ids
    at = data.roadmaps.evaluation_date
    head = [th(t("policy.lobby.col.law", lang)),
            th(t("policy.lobby.col.applies", lang), "text-end"),
            th(t("policy.lobby.col.notready", lang)),
            th(t("policy.lobby.col.unknown", lang), "text-end"),
            th(t("policy.lobby.col.deadline", lang)),
            th(t("policy.lobby.col.gap", lang), "pol-gaps")]
    body = []
    for r in rows:
        law = laws.get(r.law)
        # one line per element (the cell keeps line breaks: white-space pre-line)
        gaps = "\n".join(f"{ids_[e]} · "
                         f"{short(ctx.framework.element_by_id[ids_[e]].name.get(lang), 42)}"
                         f" ({pct(s, lang)})" for e, _k, s in r.gaps)
        body.append(tag("tr", "".join((
            tag("td", tag("strong", esc(law.short_name(lang) if law else r.law)) + BR
                + esc(law.name.get(lang) if law else ""), "pol-law"),
            tag("td", esc(fmt_int(r.municipalities, lang)), "text-end"),
            bar_cell(r.share_not_ready, 1.0,
                     f"{pct(r.share_not_ready, lang)} ({fmt_int(r.not_ready, lang)})"),
            tag("td", esc(f"{pct(r.share_unknown, lang)} ({fmt_int(r.unknown, lang)})"),
                "text-end text-nowrap"),
            tag("td", deadline_text(r, at, lang), "text-nowrap small"),
            tag("td", esc(gaps), "pol-gaps small")))))
    return static(table_markup(t("policy.lobby.table.caption", lang), head, body))


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
