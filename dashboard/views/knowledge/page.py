"""Knowledge (Kennis): browse blocks -> elements -> levels, steps, instruments, matrix, laws."""

from __future__ import annotations

from urllib.parse import parse_qs

import dash_bootstrap_components as dbc
from dash import Input, Output, State, html

from dashboard import ids, laws
from dashboard.components.element_views import block_overview, element_detail, element_list
from dashboard.context import AppContext
from dashboard.i18n import normalise_lang, t
from pipelines.maturity.member_state_dates import MemberStateDates, member_state_dates

PATH = "/knowledge"
NAV_KEY = "knowledge.nav"
ALL_BLOCKS = "all"  # an empty option value renders as a blank select, so "all" is explicit


def layout(ctx: AppContext, lang: str, query: dict | None = None) -> html.Div:
    fw = ctx.framework
    block_options = [{"label": t("knowledge.block.all", lang), "value": ALL_BLOCKS}] + [
        {"label": f"{b.id} · {b.name.get(lang)}", "value": b.id} for b in fw.blocks]
    return html.Div([
        html.H1(t("knowledge.title", lang), className="h2"),
        html.P(html.Strong(t("knowledge.question", lang)), className="mb-1 question"),
        html.P(t("knowledge.guide", lang), className="text-body-secondary"),
        dbc.Row([
            dbc.Col([
                html.Div([
                    dbc.Label(t("knowledge.search.label", lang), html_for=ids.KNOWLEDGE_SEARCH),
                    dbc.Input(id=ids.KNOWLEDGE_SEARCH, type="search", debounce=0.3,
                              placeholder=t("knowledge.search.placeholder", lang),
                              autoComplete="off"),
                ], role="search", className="mb-2"),
                dbc.Label(t("knowledge.block.label", lang), html_for=ids.KNOWLEDGE_BLOCK),
                dbc.Select(id=ids.KNOWLEDGE_BLOCK, options=block_options, value=ALL_BLOCKS),
                html.P(id=ids.KNOWLEDGE_COUNT, className="small text-body-secondary mt-2 mb-0",
                       **{"aria-live": "polite"}),
                html.Nav(id=ids.KNOWLEDGE_LIST, className="element-nav",
                         **{"aria-label": t("knowledge.results.label", lang)}),
            ], lg=4, className="mb-4"),
            dbc.Col(dbc.Spinner(html.Div(id=ids.KNOWLEDGE_DETAIL), color="primary",
                                delay_show=300), lg=8),
        ]),
    ])


def selected_element(search: str | None) -> str | None:
    values = parse_qs((search or "").lstrip("?")).get("element")
    return values[0].strip().upper() if values else None


def filter_elements(ctx: AppContext, query: str | None, block: str | None, lang: str | None,
                    search: str | None) -> tuple[str, list]:
    lang = normalise_lang(lang)
    block = None if block in (None, "", ALL_BLOCKS) else block
    hits = ctx.search_index.search(query or "", block)
    total = len(ctx.framework.elements)
    if query and query.strip():
        count = t("knowledge.count.search", lang, shown=len(hits), total=total, query=query.strip())
        if not hits:
            return count, [dbc.Alert(t("knowledge.noresults", lang, query=query.strip()),
                                     color="info", className="mt-2")]
    else:
        count = t("knowledge.count", lang, shown=len(hits), total=total)
    return count, element_list(ctx.framework, hits, lang, selected_element(search))


def show_element(ctx: AppContext, search: str | None, lang: str | None):
    lang = normalise_lang(lang)
    fw = ctx.framework
    chosen = selected_element(search)
    if not chosen:
        return block_overview(fw, lang)
    if chosen not in fw.element_by_id:
        return html.Div([
            dbc.Alert(t("knowledge.unknown", lang, element=chosen, version=fw.version),
                      color="warning"),
            block_overview(fw, lang),
        ])
    return element_detail(fw, fw.element_by_id[chosen], lang, deadline_dates(ctx, chosen))


def deadline_dates(ctx: AppContext, element_id: str) -> dict[str, MemberStateDates]:
    """The member-state dates (`deadline_ref`) of the laws requiring an element: per date
    condition its default date and the member states that differ, as the readiness engine
    resolves them."""
    refs = {r.deadline_ref for _, r in ctx.framework.laws_requiring(element_id) if r.deadline_ref}
    if not refs:
        return {}
    inp = laws.inputs(ctx)
    return {ref: member_state_dates(inp, ref) for ref in sorted(refs)}


def register(app, ctx: AppContext) -> None:
    @app.callback(
        Output(ids.KNOWLEDGE_COUNT, "children"),
        Output(ids.KNOWLEDGE_LIST, "children"),
        Input(ids.KNOWLEDGE_SEARCH, "value"),
        Input(ids.KNOWLEDGE_BLOCK, "value"),
        State(ids.LANG, "value"),
        Input(ids.URL, "search"),
    )
    def _filter(query, block, lang, search):
        return filter_elements(ctx, query, block, lang, search)

    @app.callback(
        Output(ids.KNOWLEDGE_DETAIL, "children"),
        Input(ids.URL, "search"),
        State(ids.LANG, "value"),
    )
    def _detail(search, lang):
        return show_element(ctx, search, lang)
