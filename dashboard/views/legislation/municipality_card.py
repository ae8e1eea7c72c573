"""The municipality view of the Legislation page: one municipality law by law, with its
conditions and the country's NIS2 scope changeable, the gaps and their deadlines, and what
applied and why."""

from __future__ import annotations

import datetime as dt

import dash_bootstrap_components as dbc
import pandas as pd
from dash import html

from dashboard.components.municipality_picker import picker
from dashboard.context import AppContext
from dashboard.i18n import t
from dashboard.views.legislation import figures
from dashboard.views.legislation.blocks import card, download, figure, table
from dashboard.views.legislation.data_laws import NIS2_CHOICES, element_label, law_shorts, timing
from dashboard.views.legislation.data_municipality import (
    marked,
    municipality_frame,
    municipality_laws,
    shown_row,
)
from dashboard.views.legislation.ids import (
    ANY,
    CONDITIONS,
    MUN_BOX,
    MUN_CSV,
    MUN_CSV_BUTTON,
    MUN_RESULT,
    MUN_SUMMARY,
    MUN_TIME,
    MUN_TIME_CAPTION,
    NIS2,
    PICKER,
)
from dashboard.views.legislation.texts import municipality_summary

CONDITION_COLUMNS = "legislation-conditions"  # laid out in columns by assets/20-legislation.css


def municipality_card(st: dict, picked: list, index, cond_options: list, cond_value: list,
                      lang: str, style: dict) -> html.Div:
    """The card: picker, the country's NIS2 scope, the municipality's conditions, the result
    (filled by the callbacks), its deadlines and download."""
    return html.Div([card(t("legislation.mun.title", lang), t("legislation.mun.question", lang), [
        # picker and NIS2 scope share a row; the long list of conditions gets the card's
        # width below them, in columns on wide screens (assets/20-legislation.css), instead of
        # a narrow column that left an empty area beside the picker as tall as the list
        dbc.Row([
            dbc.Col(picker(PICKER, t("legislation.mun.picker", lang), st["m"], picked, index, lang,
                           placeholder=t("legislation.mun.pick", lang), clearable=True,
                           help_text=False), md=7),
            dbc.Col([dbc.Label(t("legislation.nis2", lang), html_for=NIS2),
                     dbc.Select(id=NIS2, value=st["nis2"] or ANY, options=[
                         {"label": t("legislation.nis2.file", lang), "value": ANY}] + [
                         {"label": t(f"legislation.nis2.{v}", lang), "value": v}
                         for v in NIS2_CHOICES])], md=5),
        ], className="gy-2 mb-3"),
        html.Fieldset([html.Legend(t("legislation.conditions", lang), className="form-label fs-6"),
                       dbc.Checklist(id=CONDITIONS, options=cond_options, value=cond_value,
                                     className=f"small {CONDITION_COLUMNS}")], className="mb-3"),
        html.Div(id=MUN_RESULT, **{"aria-live": "polite"}),
        figure(MUN_TIME, MUN_TIME_CAPTION, lang), download(MUN_CSV_BUTTON, MUN_CSV, "mun", lang)])],
        id=MUN_BOX, style=style)


def municipality(ctx: AppContext, snap, m: str | None, checked, nis2, at: dt.date, horizon,
                 lang: str):
    """(content, timeline figure, caption, csv frame) for one municipality; None frame when
    nothing is shown."""
    row, why = shown_row(ctx, snap, m)
    if why == "pick":
        msg = t("legislation.mun.pick", lang)
        return html.P(msg), figures.empty(msg), "", None
    if why == "unknown":
        msg = t("url.notice.municipality", lang, value=m)
        return dbc.Alert(msg, color="warning"), figures.empty(msg), "", None
    if why == "hidden":
        msg = t("legislation.mun.hidden", lang)
        return dbc.Alert(msg, color="info"), figures.empty(msg), "", None
    ml = municipality_laws(ctx, snap, row, checked, nis2, at, horizon, lang)
    shorts = law_shorts(ctx, lang)
    notes = []
    if not ml.answered:
        notes.append(dbc.Alert(t("legislation.mun.noanswers", lang, wave=ml.wave), color="warning"))
    recs = ml.sorted_records()
    content = html.Div([
        *notes,
        html.P(municipality_summary(ml.name, [r["code"] for r in ml.records], at, horizon, lang),
               id=MUN_SUMMARY),
        table(recs, {"law": t("legislation.col.law", lang),
                     "status": t("legislation.col.status", lang),
                     "gaps": t("legislation.col.gaps", lang),
                     "unknown": t("legislation.status.unknown", lang),
                     "ambition": t("legislation.col.ambition_mun", lang)},
              label=t("legislation.mun.title", lang),
              cell_classes=[[None, f"status-{c}", None, None, None] for c in recs["code"]]),
        html.H3(t("legislation.mun.gaps", lang), className="h6"),
        table(marked(pd.DataFrame(ml.gaps)).assign(
            law=lambda g: g["law"].map(shorts),
            element=lambda g: g["element"].map(lambda e: element_label(ctx, e, lang))),
            {"law": t("legislation.col.law", lang),
             "element": t("legislation.col.element", lang),
             "level": t("legislation.col.level", lang),
             "min": t("legislation.col.min", lang),
             "gap": t("legislation.col.gap", lang),
             "deadline": t("legislation.col.deadline", lang),
             "timing": t("legislation.col.timing", lang)},
            label=t("legislation.mun.gaps", lang))
        if ml.gaps else html.P(t("legislation.mun.nogaps", lang)),
        html.Details([html.Summary(t("legislation.mun.applied", lang)),
                      table(pd.DataFrame(ml.applied), {
                          "law": t("legislation.col.law", lang),
                          "element": t("legislation.col.element", lang),
                          "min": t("legislation.col.min", lang),
                          "kind": t("law.kind", lang),
                          "legal_basis": t("law.legal_basis", lang),
                          "counts_for": t("legislation.col.counts_for", lang),
                          "condition": t("legislation.col.condition", lang),
                          "value": t("legislation.col.value", lang),
                          "origin": t("legislation.col.origin", lang),
                          "why": t("legislation.col.why", lang),
                          "deadline": t("legislation.col.deadline", lang)},
                          label=t("legislation.mun.applied", lang))]),
    ])
    rows = ml.time_rows
    fig = figures.timeline(rows, at, shorts, lang) if rows else \
        figures.empty(t("legislation.mun.nogaps", lang))
    caption = t("legislation.mun.time.caption", lang,
                overdue=sum(timing(d, at) == "overdue" for _, d, _ in rows),
                due=sum(timing(d, at) == "due_12m" for _, d, _ in rows))
    return content, fig, caption, municipality_frame(ml.records, ml.gaps)


