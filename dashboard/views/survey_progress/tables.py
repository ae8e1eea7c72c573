"""The survey progress view's tables as Dash components: response rate per area and one page of
the municipality list."""

from __future__ import annotations

import dash_bootstrap_components as dbc
import pandas as pd
from dash import html

from dashboard.components.numbers import fmt_int
from dashboard.context import AppContext
from dashboard.i18n import t
from dashboard.views.survey_progress.data import PAGE_SIZE
from dashboard.views.survey_progress.texts import (
    area_label,
    pct,
    region_text,
    size_text,
    stamp_text,
)

STATUS_COLOURS = {"invited": ("secondary", None), "started": ("warning", "dark"),
                  "submitted": ("success", None)}


def rates_table(df: pd.DataFrame, by: str, lang: str) -> html.Div:
    head = html.Thead(html.Tr([
        html.Th(t(f"survey_progress.by.{by}", lang), scope="col"),
        *(html.Th(t(f"survey_progress.rates.col.{c}", lang), scope="col", className="text-end")
          for c in ("rate", "invited", "started", "submitted")),
    ]))
    # the rate right after the area: at phone width the counts scroll out of view first
    body = html.Tbody([html.Tr([
        html.Th(area_label(by, r[by], r["name"]), scope="row", className="fw-normal"),
        html.Td(pct(r["response_rate"], lang), className="text-end fw-semibold"),
        html.Td(fmt_int(r["invited"], lang), className="text-end"),
        html.Td(fmt_int(r["started"], lang), className="text-end"),
        html.Td(fmt_int(r["submitted"], lang), className="text-end"),
    ]) for r in df.to_dict("records")])
    return html.Div(dbc.Table([head, body], size="sm", striped=True, hover=True,
                              className="mb-0 survey-progress-rates-table"),
                    className="survey-progress-scroll", tabIndex="0", role="region",
                    **{"aria-label": t("survey_progress.rates.table.label", lang)})


def status_badge(status: str, lang: str) -> dbc.Badge:
    colour, text_colour = STATUS_COLOURS[status]
    return dbc.Badge(t(f"survey_progress.status.{status}", lang), color=colour,
                     text_color=text_colour, className="fw-normal")


def municipality_table(ctx: AppContext, rows: pd.DataFrame, page: int, lang: str):
    """(table, count text, page, prev disabled, next disabled) for one page of rows."""
    total = len(rows)
    pages = max(1, -(-total // PAGE_SIZE))
    page = min(max(int(page or 0), 0), pages - 1)
    if total == 0:
        return (html.P(t("survey_progress.table.none", lang), className="text-body-secondary"),
                "", 0, True, True)
    part = rows.iloc[page * PAGE_SIZE:(page + 1) * PAGE_SIZE]
    # name and status first: at phone width the table scrolls sideways and these stay in view
    head = html.Thead([
        html.Tr([
            html.Th(t("survey_progress.table.col.municipality", lang), scope="col", rowSpan=2),
            html.Th(t("survey_progress.table.col.status", lang), scope="col", rowSpan=2),
            html.Th(t("survey_progress.table.col.respondents", lang), scope="colgroup", colSpan=3,
                    className="text-center"),
            html.Th(t("survey_progress.table.col.pending", lang), scope="col", rowSpan=2),
            html.Th(t("survey_progress.table.col.last", lang), scope="col", rowSpan=2),
            html.Th(t("survey_progress.table.col.region", lang), scope="col", rowSpan=2),
            html.Th(t("survey_progress.table.col.size", lang), scope="col", rowSpan=2),
        ]),
        html.Tr([html.Th(t(f"survey_progress.table.col.{c}", lang), scope="col",
                         className="text-end") for c in ("invited", "started", "submitted")]),
    ])
    body = html.Tbody([html.Tr([
        html.Th([r["name"], html.Span(f" {r['national_code'] or r['municipality_id']}",
                                      className="survey-progress-code")],
                scope="row", className="fw-normal"),
        html.Td(status_badge(r["status"], lang)),
        html.Td(fmt_int(r["respondents_invited"], lang), className="text-end"),
        html.Td(fmt_int(r["respondents_started"], lang), className="text-end"),
        html.Td(fmt_int(r["respondents_submitted"], lang), className="text-end"),
        html.Td(r["roles_not_submitted"].replace(";", ", ")),
        html.Td(stamp_text(r["last_submitted"]), className="text-nowrap"),
        html.Td(region_text(ctx, r["nuts2"], lang) or r["country"]),
        html.Td(size_text(r["size_class"], lang, short=True), className="text-nowrap"),
    ]) for r in part.to_dict("records")])
    table = html.Div(dbc.Table([head, body], size="sm", striped=True, hover=True,
                               className="mb-0 survey-progress-table"),
                     className="table-responsive survey-progress-table-wrap", tabIndex="0",
                     role="region",
                     **{"aria-label": t("survey_progress.table.title", lang)})
    first, last = page * PAGE_SIZE + 1, page * PAGE_SIZE + len(part)
    count = t("survey_progress.table.count" + (".one" if total == 1 else ""), lang,
              first=fmt_int(first, lang), last=fmt_int(last, lang), total=fmt_int(total, lang))
    if pages > 1:
        count += " " + t("survey_progress.table.more", lang)
    return table, count, page, page == 0, page >= pages - 1
