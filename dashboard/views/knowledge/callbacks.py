"""The Knowledge page's callbacks: the element list of a search and block, and the chosen
element's detail; `register(app, ctx)` wires them, the bodies are tested as functions."""

from __future__ import annotations

import dash_bootstrap_components as dbc
from dash import Input, Output, State, html

from dashboard import ids
from dashboard.access import viewer_municipality
from dashboard.components.element_views import block_overview, element_detail, element_list
from dashboard.components.initiatives import initiative_list
from dashboard.components.numbers import fmt_int
from dashboard.context import AppContext
from dashboard.i18n import normalise_lang, t
from dashboard.views.knowledge.data import (
    deadline_dates,
    element_hits,
    initiatives,
    selected_element,
)


def filter_elements(ctx: AppContext, query: str | None, block: str | None, lang: str | None,
                    search: str | None) -> tuple[str, list]:
    """(count sentence, element list) of a search in a block; the URL's element marked."""
    lang = normalise_lang(lang)
    hits = element_hits(ctx, query, block)
    total = len(ctx.framework.elements)
    if query and query.strip():
        count = t("knowledge.count.search", lang, shown=len(hits), total=total, query=query.strip())
        if not hits:
            return count, [dbc.Alert(t("knowledge.noresults", lang, query=query.strip()),
                                     color="info", className="mt-2")]
    else:
        count = t("knowledge.count", lang, shown=len(hits), total=total)
    return count, element_list(ctx.framework, hits, lang, selected_element(search))


def initiatives_section(ctx: AppContext, element_id: str, lang: str,
                        viewer: str | None = None) -> html.Section:
    """The element's co-development initiatives and how many take part (no Join here: joining is
    on the municipality's own roadmap)."""
    items, counts = initiatives(ctx, element_id, viewer)
    body: list = [html.H2(t("codev.knowledge.title", lang), className="h5 mt-4")]
    if not items:
        body.append(html.P(t("codev.knowledge.none", lang), className="small text-body-secondary"))
    else:
        body.append(html.P(t("codev.knowledge.summary", lang,
                             n=fmt_int(counts["initiatives"], lang),
                             co=fmt_int(counts["co_developer"], lang),
                             ad=fmt_int(counts["adopter"], lang)), className="small mb-1"))
        body.append(initiative_list(items, lang))
    return html.Section(body, className="knowledge-initiatives")


def show_element(ctx: AppContext, search: str | None, lang: str | None):
    """The element the URL asks for, or the overview of the blocks (with a warning for an
    unknown element)."""
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
    return html.Div([
        element_detail(fw, fw.element_by_id[chosen], lang, deadline_dates(ctx, chosen)),
        initiatives_section(ctx, chosen, lang, viewer_municipality(ctx.survey)),
    ])


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
