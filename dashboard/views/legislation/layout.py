"""The Legislation page's component tree: header, the selection controls shared by the three
views, and the aggregate, municipality and draft-law cards (one shown at a time)."""

from __future__ import annotations

import dash_bootstrap_components as dbc
from dash import html

from dashboard.components.municipality_picker import search_index
from dashboard.components.numbers import fmt_int
from dashboard.components.places import country_name, nuts_names
from dashboard.components.url_notices import alerts
from dashboard.context import AppContext
from dashboard.i18n import normalise_lang, t
from dashboard.views.legislation import data as ld
from dashboard.views.legislation.aggregate_card import aggregate_cards
from dashboard.views.legislation.data_draft import editor_start
from dashboard.views.legislation.data_municipality import condition_checklist
from dashboard.views.legislation.draft_editor import draft_card
from dashboard.views.legislation.ids import (
    ANY,
    AT,
    COUNTRY,
    HORIZON,
    NOTICES,
    NUTS2,
    SIZE,
    VIEW,
    VIEWS,
)
from dashboard.views.legislation.municipality_card import municipality_card
from dashboard.views.legislation.state import HORIZON_CHOICES, parse_state
from pipelines.reference import SIZE_CLASS_KEYS, size_class_label


def country_options(ctx: AppContext, lang: str) -> list[dict]:
    codes = sorted(ctx.municipalities["country"].astype(str).unique())
    return [{"label": t("legislation.eu", lang), "value": ANY}] + [
        {"label": f"{country_name(ctx, c, lang)} ({c})", "value": c} for c in codes]


def nuts2_options(ctx: AppContext, country: str | None, lang: str) -> list[dict]:
    opts = [{"label": t("legislation.all_regions", lang), "value": ANY}]
    if not country:
        return opts
    ref = ctx.municipalities
    codes = sorted(ref.loc[ref["country"] == country, "nuts2"].dropna().astype(str).unique())
    names = nuts_names(ctx.settings.reference_dir)
    return opts + [{"label": f"{names.get(c, c)} ({c})", "value": c} for c in codes]


def horizon_options(current, lang: str) -> list[dict]:
    """Every deadline (the default), due by the evaluation date, or within N days of it; a
    horizon from the URL that is not a preset is offered too."""
    values = list(HORIZON_CHOICES)
    text = ld.horizon_text(current)
    if text not in values:
        values.append(text)
    return [{"label": t("legislation.horizon.all", lang) if v == ld.ALL else
             t("legislation.horizon.days", lang, days=fmt_int(int(v), lang)) if v != "0" else
             t("legislation.horizon.due", lang), "value": v} for v in values]


def localised(values: dict, lang: str) -> dict:
    """A notice's values with its numbers as `lang` writes them (3.650 / 3,650)."""
    return {k: fmt_int(v, lang) if isinstance(v, int) and not isinstance(v, bool) else v
            for k, v in values.items()}


def controls(ctx: AppContext, st: dict, lang: str) -> dbc.Card:
    """View, country, region, size class, evaluation date and which deadlines count."""
    return dbc.Card(dbc.CardBody(dbc.Row([
        dbc.Col(html.Fieldset([html.Legend(t("legislation.view", lang), className="form-label fs-6"),
                               dbc.RadioItems(id=VIEW, value=st["view"], inline=True, options=[
                                   {"label": t(f"legislation.view.{v}", lang), "value": v}
                                   for v in VIEWS])]), lg=12, className="mb-2"),
        dbc.Col([dbc.Label(t("legislation.country", lang), html_for=COUNTRY),
                 dbc.Select(id=COUNTRY, value=st["country"] or ANY,
                            options=country_options(ctx, lang))], md=4, xl=True),
        dbc.Col([dbc.Label(t("legislation.nuts2", lang), html_for=NUTS2),
                 dbc.Select(id=NUTS2, value=st["nuts2"] or ANY,
                            options=nuts2_options(ctx, st["country"], lang))], md=4, xl=True),
        dbc.Col([dbc.Label(t("legislation.size", lang), html_for=SIZE),
                 dbc.Select(id=SIZE, value=st["size"] or ANY, options=[
                     {"label": t("legislation.all_sizes", lang), "value": ANY}] + [
                     {"label": size_class_label(k, lang), "value": k} for k in SIZE_CLASS_KEYS])],
                md=4, xl=True),
        dbc.Col([dbc.Label(t("legislation.at", lang), html_for=AT),
                 dbc.Input(id=AT, type="date", value=st["at"].isoformat(), debounce=True)], md=4, xl=True),
        dbc.Col([dbc.Label(t("legislation.horizon", lang), html_for=HORIZON),
                 dbc.Select(id=HORIZON, value=ld.horizon_text(st["horizon"]),
                            options=horizon_options(st["horizon"], lang))], md=4, xl=True),
    ], className="gy-2 align-items-end")), className="mb-3")  # a two-line label keeps its field in line


def layout(ctx: AppContext, lang: str, query: dict | None = None) -> html.Div:
    lang = normalise_lang(lang)
    snap = ctx.warehouse.snapshot()
    header = [html.H1(t("legislation.title", lang), className="h2"),
              html.P(html.Strong(t("legislation.question", lang)), className="mb-1 question"),
              html.P(t("legislation.guide", lang), className="text-body-secondary")]
    if snap is None:
        return html.Div([*header, dbc.Alert([
            html.H2(t("legislation.empty.title", lang), className="h5"),
            html.P(t("legislation.empty.body", lang), className="mb-0")], color="info")])
    st = parse_state(query, ctx)
    index = search_index(ctx)
    picked = [r for r in [index.row_of(st["m"])] if r is not None] if st["m"] else []
    cond_options, cond_value = condition_checklist(ctx, snap, st["m"], st["on"] or None, lang)
    notices = [(key, localised(values, lang)) for key, values in st["notices"]]
    rows, draft_id, draft_pop, problems = editor_start(ctx, st)
    if problems:
        notices.append(("url.notice.draft", {"problem": "; ".join(
            t("legislation.draft.url_row", lang, **p) for p in problems)}))

    def show(v):
        return {} if st["view"] == v else {"display": "none"}

    return html.Div([
        *header, alerts(notices, lang, NOTICES), controls(ctx, st, lang),
        aggregate_cards(lang, show("aggregate")),
        municipality_card(st, picked, index, cond_options, cond_value, lang, show("municipality")),
        draft_card(ctx, st["law"], rows, draft_id, draft_pop, lang, show("draft"),
                   slots=st["view"] == "draft"),
        html.P(t("legislation.footnote", lang, min_group=fmt_int(ctx.settings.min_group, lang)),
               className="small text-body-secondary")], className="legislation-page")
