"""The municipality view of the Legislation page: one municipality law by law, with its
conditions and the country's NIS2 scope changeable, the gaps and their deadlines, and what
applied and why."""

from __future__ import annotations

import datetime as dt

import dash_bootstrap_components as dbc
from dash import html

from dashboard.components.municipality_picker import picker
from dashboard.components.tables import rows_table
from dashboard.context import AppContext
from dashboard.i18n import t
from dashboard.views.legislation import figures
from dashboard.views.legislation.blocks import card, download, figure
from dashboard.views.legislation.data_laws import NIS2_CHOICES, element_label, law_shorts, timing
from dashboard.views.legislation.data_municipality import (
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


# the table of what applied: row key -> header (i18n key)
APPLIED_COLUMNS = {"law": "legislation.col.law", "element": "legislation.col.element",
                   "min": "legislation.col.min", "kind": "law.kind",
                   "legal_basis": "law.legal_basis", "counts_for": "legislation.col.counts_for",
                   "condition": "legislation.col.condition", "value": "legislation.col.value",
                   "origin": "legislation.col.origin", "why": "legislation.col.why",
                   "deadline": "legislation.col.deadline"}


# the table of gaps: row key -> header (i18n key)
GAP_COLUMNS = {"law": "legislation.col.law", "element": "legislation.col.element",
               "level": "legislation.col.level", "min": "legislation.col.min",
               "gap": "legislation.col.gap", "deadline": "legislation.col.deadline",
               "timing": "legislation.col.timing"}


def as_column(values: list) -> list:
    """Numbers as a frame column shows them (the table was written from one before): whole
    numbers with a missing one among them become floats (2 -> "2.0"), so the cells read as
    they did."""
    nums = [v for v in values if v is not None]
    if nums and all(type(v) in (int, float) for v in nums) and (
            len(nums) < len(values) or any(type(v) is float for v in nums)):
        return [None if v is None else float(v) for v in values]
    return values


def gap_cells(ctx: AppContext, gaps: list[dict], shorts: dict[str, str], lang: str) -> list:
    """The cells of the gaps table (data_municipality.marked's deadlines with ⚠)."""
    g = [{**r, "law": shorts.get(r["law"]), "element": element_label(ctx, r["element"], lang),
          "deadline": f"{r['deadline'] or '–'} ⚠" if r["unverified"] else r["deadline"]}
         for r in gaps]
    columns = {k: as_column([r[k] for r in g]) if k in ("level", "min", "gap") else
               [r[k] for r in g] for k in GAP_COLUMNS}
    return [list(cells) for cells in zip(*columns.values(), strict=True)]


def municipality(ctx: AppContext, snap, m: str | None, checked, nis2, at: dt.date, horizon,
                 lang: str, frame: bool = True):
    """(content, timeline figure, caption, csv frame) for one municipality; None frame when
    nothing is shown or not asked for (`frame`: the callback does not use it). The law table
    and the table of what applied (~1,000 cells) are written from the rows, not frames: ~10 ms
    a call at EU size (tests/dashboard/test_legislation_mun_rows.py: the same markup)."""
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
    recs = ml.sorted_rows()
    content = html.Div([
        *notes,
        html.P(municipality_summary(ml.name, [r["code"] for r in ml.records], at, horizon, lang),
               id=MUN_SUMMARY),
        rows_table([[r["law"], r["status"], r["gaps"], r["unknown"], r["ambition"]] for r in recs],
                   [t("legislation.col.law", lang), t("legislation.col.status", lang),
                    t("legislation.col.gaps", lang), t("legislation.status.unknown", lang),
                    t("legislation.col.ambition_mun", lang)],
                   label=t("legislation.mun.title", lang),
                   cell_classes=[[None, f"status-{r['code']}", None, None, None] for r in recs]),
        html.H3(t("legislation.mun.gaps", lang), className="h6"),
        rows_table(gap_cells(ctx, ml.gaps, shorts, lang),
                   [t(key, lang) for key in GAP_COLUMNS.values()],
                   label=t("legislation.mun.gaps", lang))
        if ml.gaps else html.P(t("legislation.mun.nogaps", lang)),
        html.Details([html.Summary(t("legislation.mun.applied", lang)),
                      rows_table([[a[k] for k in APPLIED_COLUMNS] for a in ml.applied],
                                 [t(key, lang) for key in APPLIED_COLUMNS.values()],
                                 label=t("legislation.mun.applied", lang))]),
    ])
    rows = ml.time_rows
    fig = figures.timeline(rows, at, shorts, lang) if rows else \
        figures.empty(t("legislation.mun.nogaps", lang))
    caption = t("legislation.mun.time.caption", lang,
                overdue=sum(timing(d, at) == "overdue" for _, d, _ in rows),
                due=sum(timing(d, at) == "due_12m" for _, d, _ in rows))
    return content, fig, caption, municipality_frame(ml.records, ml.gaps) if frame else None


