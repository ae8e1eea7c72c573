"""The draft-law view of the Legislation page (what-if): an editor of up to SLOTS requirements,
starting from an existing law or a new draft, and what the draft would mean for the selection:
how many would be ready, where, and what they lack."""

from __future__ import annotations

import datetime as dt

import dash_bootstrap_components as dbc
from dash import dcc, html
from dash.exceptions import PreventUpdate

from dashboard.components.numbers import fmt_int
from dashboard.components.readiness_text import horizon_phrase
from dashboard.context import AppContext
from dashboard.i18n import t
from dashboard.laws import inputs, law_short
from dashboard.views.legislation.blocks import card, table
from dashboard.views.legislation.data import Selection
from dashboard.views.legislation.data_draft import draft_readiness
from dashboard.views.legislation.data_laws import condition_label, element_label, law_name
from dashboard.views.legislation.ids import (
    ANY,
    DRAFT_BOX,
    DRAFT_HEADLINE,
    DRAFT_ID,
    DRAFT_POP,
    DRAFT_RESULT,
    DRAFT_SHARE,
    DRAFT_SLOTS,
    DRAFT_START,
    DRAFT_YAML,
    DRAFT_YAML_BUTTON,
    LAW,
    REQ_COLUMNS,
    REQ_DEADLINE,
    REQ_ELEMENT,
    REQ_IF,
    REQ_MIN,
    REQ_NARROW,
    dom_id,
)
from dashboard.views.legislation.texts import area_names, draft_problem, pct


def draft_card(ctx: AppContext, base_law: str | None, rows: list[dict], draft_id: str, draft_pop,
               lang: str, style: dict, slots: bool = True) -> html.Div:
    """The editor: the law it starts from, id and population threshold, one row of controls per
    requirement (data_draft.editor_start gives the rows), the result and the YAML download.
    Without `slots` (the page opens on another view) the requirement rows are left out and
    their starting values kept in a store: they are ~250 of the page's ~330 components, and
    `editor_slots` makes them when the draft view is first shown (the layout took ~15-40 ms at
    EU size with them; the page's other views never show them)."""
    inp = inputs(ctx)
    law_options = [{"label": f"{law_short(inp, lid, lang)} – {law_name(inp.law(lid), lang)}",
                    "value": lid} for lid in inp.law_ids]
    return html.Div([card(t("legislation.draft.title", lang), t("legislation.draft.question", lang), [
        dbc.Row([
            dbc.Col([dbc.Label(t("legislation.draft.from", lang), html_for=LAW),
                     dbc.Select(id=LAW, value=base_law or ANY, options=[
                         {"label": t("legislation.draft.new", lang), "value": ANY}, *law_options])],
                    md=5),
            dbc.Col([dbc.Label(t("legislation.draft.id", lang), html_for=DRAFT_ID),
                     dbc.Input(id=DRAFT_ID, value=draft_id, debounce=True)], md=3),
            dbc.Col([dbc.Label(t("legislation.draft.pop", lang), html_for=DRAFT_POP),
                     dbc.Input(id=DRAFT_POP, type="number", min=0, debounce=True,
                               value=draft_pop)], md=4),
        ], className="mb-2"),
        html.P(t("legislation.draft.columns", lang), className="small text-body-secondary"),
        html.Div(slot_rows(ctx, rows, lang) if slots else None, id=DRAFT_SLOTS),
        dcc.Store(id=DRAFT_START, data=None if slots else rows),
        html.Div(id=DRAFT_RESULT, className="mt-3"),
        html.Div([dbc.Button(t("legislation.draft.yaml", lang), id=DRAFT_YAML_BUTTON, size="sm",
                             color="primary", outline=True), dcc.Download(id=DRAFT_YAML)])])],
        id=DRAFT_BOX, style=style)


def slot_rows(ctx: AppContext, rows: list[dict], lang: str) -> list:
    """The column heads and one row of controls per requirement (`rows`: editor_rows')."""
    inp = inputs(ctx)
    el_opts = [{"label": "—", "value": ANY}] + [{"label": element_label(ctx, e, lang), "value": e}
                                               for e in ctx.framework.element_ids]
    cond_opts = [{"label": t("legislation.draft.always", lang), "value": ANY}] + [
        {"label": condition_label(ctx, c, lang), "value": c} for c in inp.bool_conditions]
    lvl_opts = [{"label": str(i), "value": str(i)} for i in range(5)]
    status_opts = [{"label": t(f"law.status.{s}", lang), "value": s}
                   for s in ("required", "recommended", "target")]

    def control(kind, i, r):
        cid = {"type": kind, "index": i}
        # small controls: twelve requirement rows stay compact, and an element's code and name
        # fit a phone's width
        if kind == REQ_ELEMENT:
            return dbc.Select(id=cid, options=el_opts, value=r["element"] or ANY, size="sm")
        if kind == REQ_MIN:
            return dbc.Select(id=cid, options=lvl_opts, value=str(r["min"]), size="sm")
        if kind == REQ_DEADLINE:
            return dbc.Input(id=cid, value=r["deadline"] or "", placeholder="YYYY-MM-DD",
                             debounce=True, size="sm")
        if kind == REQ_IF:
            return dbc.Select(id=cid, options=cond_opts, value=r["applies_if"] or ANY, size="sm")
        return dbc.Select(id=cid, options=status_opts, value=r["status"], size="sm")

    def slot(i, r):
        # dbc.Select takes no aria-label: a <label for> names every control ("Requirement 3:
        # minimum level"); it shows below 1400 px, where a requirement wraps over several lines
        # and the column heads are hidden, and is visually hidden where the heads show
        return dbc.Row([
            dbc.Col([dbc.Label(t("legislation.draft.row", lang, n=i + 1,
                                 field=t(f"legislation.draft.col.{field}", lang)),
                               html_for=dom_id({"type": kind, "index": i}),
                               className="draft-label small mb-0"),
                     control(kind, i, r)], xs=REQ_NARROW[kind][0], md=REQ_NARROW[kind][1],
                    xxl=width)
            for kind, field, width in REQ_COLUMNS], className="g-1 mb-2 draft-slot")

    # html.Div, not dbc.Row: dbc.Row takes no aria-hidden (each control has its own label)
    slot_heads = html.Div([html.Div(t(f"legislation.draft.col.{field}", lang),
                                    className=f"col-xxl-{width}")
                           for _, field, width in REQ_COLUMNS],
                          className="row g-1 mb-1 small fw-semibold d-none d-xxl-flex",
                          **{"aria-hidden": "true"})
    return [slot_heads, *[slot(i, r) for i, r in enumerate(rows)]]


def editor_slots(ctx: AppContext, view, shown, start, lang: str) -> list:
    """The requirement rows when the draft view is shown and they are not there yet (the page
    opened on another view: `draft_card` without slots), from the rows the page opened with
    (`start`); otherwise nothing changes."""
    if view != "draft" or shown or not start:
        raise PreventUpdate
    return slot_rows(ctx, start, lang)


def _share(text: str) -> html.Span:
    return html.Span(text, className="display-6 me-2", id=DRAFT_SHARE)


def draft(ctx: AppContext, snap, profile: dict, sel: Selection, at: dt.date, horizon,
          lang: str):
    """(content, law or None, by-region frame) of a composed profile over the selection; the
    sentence says which date and horizon the share is for."""
    r = draft_readiness(ctx, snap, profile, sel, at, horizon)
    if r.empty:
        return dbc.Alert(t("legislation.draft.empty", lang), color="info"), None, None
    if r.error is not None:
        return dbc.Alert(t("legislation.draft.invalid", lang, problem=draft_problem(r.error, lang)),
                         color="warning"), None, None
    n = r.n
    if r.counts is None:
        msg = t("legislation.empty.selection", lang) if n == 0 else \
            t("legislation.suppressed", lang, n=fmt_int(n, lang),
              min_group=fmt_int(ctx.settings.min_group, lang))
        return dbc.Alert(msg, color="info"), r.law, None
    notes = [] if r.bound is None else [
        html.P(t("legislation.draft.threshold", lang, bound=fmt_int(r.bound, lang)),
               className="small text-body-secondary")]
    c, regions, lack = r.counts, r.regions, r.lack
    counts = horizon_phrase(horizon, at, lang)

    def num(x) -> str:
        return fmt_int(x, lang)

    if c["suppressed_group"]:
        headline = [_share("–"), t("legislation.private", lang)]
    elif c["applies"] == 0:
        headline = [_share("–"), t("legislation.draft.na", lang, n=num(n))]
    elif c["due"] == 0:
        headline = [_share("–"), t("legislation.draft.not_due", lang, applies=num(c["applies"]),
                                   n=num(n), counts=counts)]
    elif c["suppressed"]:
        headline = [_share("–"), t("legislation.draft.few", lang, due=num(c["due"]),
                                   min_group=num(ctx.settings.min_group))]
    else:
        headline = [_share(pct(c["share_ready"])),
                    t("legislation.draft.summary", lang, ready=num(c["ready"]), due=num(c["due"]),
                      not_ready=num(c["not_ready"]), unknown=num(c["unknown"]), counts=counts)]
        if c["not_due"] or c["not_applicable"]:
            headline.append(" " + t("legislation.draft.summary.rest", lang, n=num(n),
                                    not_due=num(c["not_due"]), na=num(c["not_applicable"])))
    content = html.Div([
        html.P(headline, id=DRAFT_HEADLINE, **{"aria-live": "polite"}), *notes,
        dbc.Row([
            dbc.Col([html.H3(t("legislation.draft.where", lang), className="h6"),
                     table(regions.assign(region=area_names(ctx, sel, regions["region"], lang),
                                          municipalities=regions["municipalities"].map(num),
                                          share_ready=regions["share_ready"].map(pct),
                                          applies=regions["applies"].map(num),
                                          ready=regions["ready"].map(num)),
                           {"region": t("legislation.col.region", lang),
                            "municipalities": t("legislation.col.n", lang),
                            "applies": t("legislation.col.applies", lang),
                            "ready": t("legislation.status.ready", lang),
                            "share_ready": t("legislation.col.share", lang)},
                           label=t("legislation.draft.where", lang))], md=6),
            dbc.Col([html.H3(t("legislation.draft.lacking", lang), className="h6"),
                     table(lack.assign(
                         element=lack["element"].map(lambda e: element_label(ctx, e, lang)),
                         gap=lack["gap"].map(num), unknown=lack["unknown"].map(num)),
                           {"element": t("legislation.col.element", lang),
                            "gap": t("legislation.col.gap_n", lang),
                            "unknown": t("legislation.status.unknown", lang)},
                           label=t("legislation.draft.lacking", lang))
                     if len(lack) and not c["suppressed"] else
                     html.P(t("legislation.lacking.none", lang))], md=6),
        ]),
    ])
    return content, r.law, regions
