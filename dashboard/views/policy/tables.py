"""The policy view's tables: leverage per element (with inline bars) and the lobby section (law
readiness, deadlines, elements behind the gap, laws not evaluated); the funding what-if's tables
use the same markup helpers."""

from __future__ import annotations

import html as _html
from functools import lru_cache

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


# The tables' rows written without `tag`: every new selection writes ~50 leverage rows and ~20
# lobby rows of 6 cells, and tag's keyword arguments and escaping of constant class names were
# most of the ~5 ms the two tables took per first render at EU size. The bytes are tag's (the
# open tags below are what it writes for these classes; tests/dashboard/test_policy_fast_paths.py
# holds the tables equal to the tag-built ones); texts still pass `esc`, and those repeated on
# every selection (element and law names, a gap's line) are escaped once (`_esc_kept`).
_TD_RANK = '<td class="text-end text-body-secondary">'
_TD_END = '<td class="text-end">'
_TD_END_NOWRAP = '<td class="text-end text-nowrap">'


@lru_cache(maxsize=4096)
def _esc_kept(value: str) -> str:
    """`esc` of a text that recurs across selections (names of elements and laws)."""
    return esc(value)


def _bar_td(value: float, top: float, text: str) -> str:
    """`bar_cell` as tag writes it (the style has no character to escape: numbers and ASCII)."""
    width = 0.0 if top <= 0 else max(0.0, min(100.0, 100 * value / top))
    return (f'<td class="pol-bar-cell" style="background: linear-gradient(90deg, var(--pol-bar) '
            f'{width:.1f}%, transparent {width:.1f}%)">{esc(text)}</td>')


def _unlock(column) -> list[float]:
    """The mean unlock as floats, NaN where missing (None in the columns, pd.NA in the frame's
    nullable Float64 column)."""
    if isinstance(column, pd.Series):
        return column.astype("Float64").to_numpy(dtype=np.float64, na_value=np.nan).tolist()
    return [np.nan if v is None or v is pd.NA else float(v) for v in column]


def leverage_table(df, lang: str) -> dcc.Markdown:
    """The leverage table (`df`: data.leverage_columns, or the frame)."""
    leverage = _list(df["leverage"])
    top = float(max(leverage)) if leverage else 0.0
    head = [th("#", "text-end"), th(t("policy.lev.col.element", lang)),
            th(t("policy.lev.col.lacking", lang), "text-end"),
            th(t("policy.lev.col.unlock", lang), "text-end"),
            th(t("policy.lev.col.leverage", lang)),
            th(t("policy.lev.col.first", lang), "text-end")]
    cols = zip(_list(df["rank"]), _list(df["element_id"]), _list(df["element"]),
               _list(df["lacking"]), _list(df["share_lacking"]), _unlock(df["mean_unlock"]),
               leverage, _list(df["first_phase"]), strict=True)
    body = [f"<tr>{_TD_RANK}{esc(rank)}</td><td>{_esc_kept(f'{eid} · {name}')}</td>"
            f"{_TD_END_NOWRAP}{esc(f'{fmt_int(lacking, lang)} ({pct(share, lang)})')}</td>"
            f"{_TD_END}{'–' if mu != mu else esc(fmt_num(mu, lang, 2))}</td>"
            f"{_bar_td(lev, top, fmt_num(lev, lang, 1))}"
            f"{_TD_END}{esc(fmt_int(first, lang))}</td></tr>"
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


def _law_td(law, law_id: str, lang: str) -> str:
    """The law cell: short name in bold over the long name (escaped once per law and language)."""
    return _law_td_kept(law_id, law.short_name(lang) if law else law_id,
                        law.name.get(lang) if law else "")


@lru_cache(maxsize=1024)
def _law_td_kept(law_id: str, short_name: str, name: str) -> str:
    return f'<td class="pol-law"><strong>{esc(short_name)}</strong>{BR}{esc(name)}</td>'


def lobby_table(ctx: AppContext, data: PolicyData, rows, lang: str) -> dcc.Markdown:
    laws = {law.id: law for law in ctx.framework.laws}
    ids_ = data.roadmaps.element_ids
    at = data.roadmaps.evaluation_date
    elements = ctx.framework.element_by_id
    head = [th(t("policy.lobby.col.law", lang)),
            th(t("policy.lobby.col.applies", lang), "text-end"),
            th(t("policy.lobby.col.notready", lang)),
            th(t("policy.lobby.col.unknown", lang), "text-end"),
            th(t("policy.lobby.col.deadline", lang)),
            th(t("policy.lobby.col.gap", lang), "pol-gaps")]
    body = []
    for r in rows:
        # one line per element (the cell keeps line breaks: white-space pre-line); the line
        # break is escaped too (esc), so lines escape one by one
        gaps = "&#10;".join(
            _esc_kept(f"{ids_[e]} · {short(elements[ids_[e]].name.get(lang), 42)}")
            + esc(f" ({pct(s, lang)})") for e, _k, s in r.gaps)
        body.append(
            f"<tr>{_law_td(laws.get(r.law), r.law, lang)}"
            f"{_TD_END}{esc(fmt_int(r.municipalities, lang))}</td>"
            + _bar_td(r.share_not_ready, 1.0,
                      f"{pct(r.share_not_ready, lang)} ({fmt_int(r.not_ready, lang)})")
            + f"{_TD_END_NOWRAP}{esc(f'{pct(r.share_unknown, lang)} ({fmt_int(r.unknown, lang)})')}"
            f'</td><td class="text-nowrap small">{deadline_text(r, at, lang)}</td>'
            f'<td class="pol-gaps small">{gaps}</td></tr>')
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
