"""The policy view's components: the controls, the five sections (first phase, leverage, two
heatmaps, lobby) and `render`, everything the page shows for one state (the layout's first view
and every update)."""

from __future__ import annotations

from urllib.parse import urlencode

import dash_bootstrap_components as dbc
import numpy as np
from dash import dcc, html

from dashboard.components.downloads import link_control
from dashboard.components.figures import localised_config
from dashboard.components.numbers import fmt_int
from dashboard.components.places import country_name, region_name
from dashboard.components.serialised import Parts
from dashboard.components.url_notices import alerts
from dashboard.context import AppContext
from dashboard.i18n import normalise_lang, t
from dashboard.lru import Lru
from dashboard.views.policy import funding, ids
from dashboard.views.policy.data import (
    first_phase_columns,
    heat,
    leverage_columns,
    leverage_of,
    policy_data,
    published,
)
from dashboard.views.policy.figures import (
    FP_TOP,
    blank_figure,
    first_phase_figure,
    heat_figure,
)
from dashboard.views.policy.selection import (
    MEASURES,
    PER,
    Selection,
    read_state,
    scope_text,
    selection_notices,
)
from dashboard.views.policy.tables import leverage_table, lobby_section, notice
from dashboard.views.policy.texts import first_phase_caption, heat_caption
from pipelines.reference import SIZE_CLASS_KEYS, size_class_label

ALL = "all"  # the controls' value for no restriction


# ------------------------------------------------------------------ controls


def country_options(ctx: AppContext, lang: str) -> list[dict]:
    snap = ctx.warehouse.snapshot()
    data = policy_data(ctx, snap)
    labels = ctx.attributes.country_labels
    if data is not None:
        n = np.bincount(data.cells.country, weights=data.cells.n, minlength=len(labels))
        codes = [str(c) for c, k in zip(labels, n, strict=True) if k > 0]
    else:
        codes = [str(c) for c in labels]
    opts = sorted(({"label": f"{country_name(ctx, c, lang)} ({c})", "value": c} for c in codes),
                  key=lambda o: o["label"].casefold())
    return [{"label": t("policy.country.all", lang), "value": ALL}, *opts]


def nuts2_options(ctx: AppContext, country: str | None, lang: str) -> list[dict]:
    opts = [{"label": t("policy.nuts2.all", lang), "value": ALL}]
    if not country:
        return opts
    attrs = ctx.attributes
    regions = attrs.nuts2_labels[np.unique(attrs.nuts2[attrs.mask_for("country", country)])]
    return opts + [{"label": f"{region_name(ctx, r)} ({r})", "value": str(r)}
                   for r in regions if r]


def size_options(lang: str) -> list[dict]:
    return [{"label": t("policy.size.all", lang), "value": ALL}] + [
        {"label": size_class_label(k, lang), "value": k} for k in SIZE_CLASS_KEYS]


def _control(label: str, control, cid: str, **col) -> dbc.Col:
    return dbc.Col([dbc.Label(label, html_for=cid, className="mb-1"), control],
                   className="mb-2", **col)


# The page's parts that are the same on every visit of a build in a language (the funding
# editors, the download controls, the country list), built and encoded once
# (dashboard/components/serialised.py). EU size, the router callback in-process (CPU, 200
# varied addresses): p50 11.8 -> 8.3 ms, p95 19.1 -> 10.7 ms; the rest is mostly `_render`.
_PARTS = Parts()


def _build_key(ctx: AppContext) -> tuple:
    snap = ctx.warehouse.snapshot()
    if snap is None:
        return (None,)
    return (str(snap.path), snap.build_id, snap.visibility, int(snap.min_group),
            str(ctx.settings.reference_dir), ctx.settings.min_group)


def controls(ctx: AppContext, sel: Selection, measure: str, lang: str) -> dbc.Row:
    countries = _PARTS.get(ctx, ("countries", _build_key(ctx), lang),
                           lambda: country_options(ctx, lang))
    return dbc.Row([
        _control(t("policy.country", lang), dbc.Select(
            id=ids.COUNTRY, value=sel.country or ALL, options=countries),
            ids.COUNTRY, xs=12, sm=6, lg=4, xl=3),
        _control(t("policy.nuts2", lang), dbc.Select(
            id=ids.NUTS2, value=sel.nuts2 or ALL, disabled=sel.country is None,
            options=nuts2_options(ctx, sel.country, lang)), ids.NUTS2, xs=12, sm=6, lg=4, xl=3),
        _control(t("policy.size", lang), dbc.Select(
            id=ids.SIZE, value=sel.size or ALL, options=size_options(lang)), ids.SIZE, xs=12,
            sm=6, lg=4, xl=2),
        _control(t("policy.measure", lang), dbc.Select(id=ids.MEASURE, value=measure, options=[
            {"label": t(f"policy.heat.measure.{m}", lang), "value": m} for m in MEASURES]),
            ids.MEASURE, xs=12, lg=6, xl=4),  # "Hefboom per antwoordende gemeente" needs the room
    ], className="mb-1 g-2")


# ------------------------------------------------------------------ one state of the view


# Rendered states (~100 KB of components and figures each) per build, disclosure settings,
# selection, measure and language: opening the page renders a state and its controls' callback
# asks for the same state right after; a visitor going back and forth between selections asks
# again. The values are only read (serialised), never changed: `render` hands out a copy of
# the dict, so a caller may replace an entry.
_VIEWS = Lru(32)


def render(ctx: AppContext, sel: Selection, measure: str, lang: str) -> dict:
    """Everything the page shows for a state, keyed by output; computed from the stored
    roadmaps (no query), once per build, settings and state (`_VIEWS`)."""
    snap = ctx.warehouse.snapshot()
    if snap is None:
        return _render(ctx, snap, sel, measure, lang)
    key = (str(snap.path), snap.build_id, snap.visibility, int(snap.min_group),
           str(ctx.settings.reference_dir), ctx.settings.min_group, sel, measure, lang)
    return dict(_VIEWS.get(key, lambda: _render(ctx, snap, sel, measure, lang)))


def _render(ctx: AppContext, snap, sel: Selection, measure: str, lang: str) -> dict:
    data = policy_data(ctx, snap)
    empty = blank_figure()
    out = {"status": [], "show": False, "fp_figure": empty, "fp_caption": "",
           "lev_table": [], "lev_api": "", "region_title": t("policy.heat.regions.title", lang),
           "region_figure": empty, "region_caption": "",
           "size_figure": empty, "size_caption": "", "lobby": []}
    if data is None:
        return out
    rm = data.roadmaps
    scope = scope_text(ctx, sel, lang)
    n, members = data.counts(ctx, sel)
    min_group = data.min_group
    settings = t("policy.status.settings", lang, date=rm.evaluation_date.isoformat(),
                 wave=rm.wave, target=rm.target, phases=rm.phases, per_phase=rm.per_phase)
    if members == 0:
        out["status"] = [notice(t("policy.empty.nomatch", lang, scope=scope))]
        return out
    if n == 0:
        out["status"] = [notice(t("policy.empty.noanswers" + (".one" if members == 1 else ""),
                                  lang, scope=scope, n=fmt_int(members, lang), wave=rm.wave))]
        return out
    if n < min_group:
        out["status"] = [notice(t("policy.empty.suppressed" + (".one" if n == 1 else ""), lang,
                                  scope=scope, n=n, min_group=min_group, wave=rm.wave))]
        return out
    if not published(ctx, data, sel):
        out["status"] = [notice(t("policy.empty.private", lang, scope=scope, wave=rm.wave))]
        return out
    out["show"] = True
    out["status"] = [html.P([html.Strong(t("policy.status.scope", lang) + " "),
                             t("policy.status.counts", lang, scope=scope, n=fmt_int(n, lang),
                               members=fmt_int(members, lang), wave=rm.wave)],
                            className="mb-1"),
                     html.P(settings, className="small text-body-secondary mb-0")]
    lev = leverage_of(ctx, data, sel)
    # first phase
    fp = first_phase_columns(ctx, data, sel, lang, lev)
    out["fp_figure"] = first_phase_figure(ctx, fp, lang)
    out["fp_caption"] = first_phase_caption(ctx, fp, n, scope, rm.per_phase, FP_TOP, lang)
    # leverage
    lf = leverage_columns(ctx, data, sel, lang, lev)
    out["lev_table"] = leverage_table(lf, lang)
    out["lev_api"] = "/api/v1/insight/leverage?" + urlencode(
        {**sel.query("size_class"), "format": "csv"})
    # heatmaps: rows in the leverage order of the selection
    order = np.array([rm.element_ids.index(e) for e in lf["element_id"]], dtype=np.intp)
    field = "nuts2" if sel.country else "country"
    out["region_title"] = t(f"policy.heat.{'regions' if sel.country else 'countries'}.title",
                            lang)
    for key, f in (("region", field), ("size", "size_class")):
        h = heat(ctx, data, sel, f, order)
        out[f"{key}_figure"] = heat_figure(ctx, data, h, measure, lang)
        out[f"{key}_caption"] = heat_caption(ctx, data, h, measure, sel, lang)
    out["lobby"] = lobby_section(ctx, data, sel, scope, lang)
    return out


# ------------------------------------------------------------------ the page


def _section(title, intro, body, buttons, title_id: str | None = None) -> dbc.Card:
    head = html.Div([html.H2(title, className="h5 mb-1", **({"id": title_id} if title_id
                                                             else {})),
                     html.Div(buttons, className="d-flex gap-2 flex-wrap")],
                    className="d-flex justify-content-between align-items-start gap-2 "
                              "flex-wrap")
    return dbc.Card(dbc.CardBody([head, html.P(intro, className="small text-body-secondary "
                                               "mb-2"), body]), className="mb-3")


def _chart(graph_id: str, figure, caption_id: str, caption: str, config: dict) -> html.Figure:
    return html.Figure([html.Div(dcc.Graph(id=graph_id, figure=figure, config=config),
                                 className="chart-scroll"),
                        html.Figcaption(caption, id=caption_id,
                                        className="small text-body-secondary")],
                       className="mb-0")


def _header(ctx: AppContext, lang: str) -> list:
    return [html.H1(t("policy.title", lang), className="h2"),
            html.P(html.Strong(t("policy.question", lang)), className="mb-1 question"),
            html.P(t("policy.guide", lang, min_group=ctx.settings.min_group),
                   className="text-body-secondary")]


def _links(ctx: AppContext, csv_id: str, lang: str, what: str):
    return _PARTS.get(ctx, ("links", csv_id, lang, what), lambda: link_control(csv_id, lang,
                                                                             what=what))


def layout(ctx: AppContext, lang: str, query: dict | None = None) -> html.Div:
    lang = normalise_lang(lang)
    header = _header(ctx, lang)
    snap = ctx.warehouse.snapshot()
    if snap is None:
        return html.Div([*header, dbc.Alert([
            html.H2(t("policy.empty.nothing.title", lang), className="h5"),
            html.P(t("policy.empty.nothing.body", lang), className="mb-0")], color="info")])
    if policy_data(ctx, snap) is None:
        return html.Div([*header, dbc.Alert([
            html.H2(t("policy.empty.noroadmaps.title", lang), className="h5"),
            html.P([t("policy.empty.noroadmaps.body", lang), " ",
                    html.Code("python -m pipelines build --force")], className="mb-0")],
            color="warning")])
    q = query or {}
    sel, measure = read_state(ctx, q.get("country"), q.get("nuts2"), q.get("size"),
                              q.get("measure"))
    notices = selection_notices(ctx, q.get("country"), q.get("nuts2"), q.get("size"))
    if q.get("measure") and q.get("measure") not in MEASURES:
        notices.append(("url.notice.value", {"value": q["measure"], "field": "measure",
                                             "fallback": PER}))
    v = render(ctx, sel, measure, lang)
    # no toolbar (the charts are fixed); plotly's own texts and number format in the page language
    graph_config = localised_config({"displaylogo": False, "displayModeBar": False,
                                     "responsive": True}, lang)
    body = html.Div([
        _section(t("policy.fp.title", lang), t("policy.fp.intro", lang),
                 _chart(ids.FP_GRAPH, v["fp_figure"], ids.FP_CAPTION, v["fp_caption"],
                        graph_config),
                 [_links(ctx, ids.CSV_FP, lang, t("policy.fp.title", lang))]),
        _section(t("policy.lev.title", lang), t("policy.lev.formula", lang),
                 html.Div([html.Div(v["lev_table"], id=ids.LEV_TABLE,
                                    className="pol-scroll table-responsive", tabIndex="0",
                                    role="region",
                                    **{"aria-label": t("policy.lev.table.caption", lang)}),
                           html.P(t("policy.lev.note", lang),
                                  className="small text-body-secondary mt-2 mb-0")]),
                 [_links(ctx, ids.CSV_LEV, lang, t("policy.lev.title", lang)),
                  html.A(t("policy.lev.api", lang), id=ids.LEV_API, href=v["lev_api"],
                         className="btn btn-sm btn-outline-secondary")]),
        _section(v["region_title"], t("policy.heat.intro", lang),
                 _chart(ids.REGION_GRAPH, v["region_figure"], ids.REGION_CAPTION,
                        v["region_caption"], graph_config),
                 [_links(ctx, ids.CSV_REGION, lang, v["region_title"])],
                 title_id=ids.REGION_TITLE),
        _section(t("policy.heat.sizes.title", lang), t("policy.heat.intro", lang),
                 _chart(ids.SIZE_GRAPH, v["size_figure"], ids.SIZE_CAPTION, v["size_caption"],
                        graph_config),
                 [_links(ctx, ids.CSV_SIZE, lang, t("policy.heat.sizes.title", lang))]),
        _section(t("policy.lobby.title", lang), t("policy.lobby.intro", lang),
                 html.Div(v["lobby"], id=ids.LOBBY),
                 [_links(ctx, ids.CSV_LOBBY, lang, t("policy.lobby.title", lang))]),
        _section(t("funding.title", lang), t("funding.intro", lang),
                 _PARTS.get(ctx, ("funding", lang), lambda: funding.section_body(ctx, lang)),
                 [], title_id=f"{ids.FUNDING}-title"),
    ], id=ids.BODY, style={"display": "block" if v["show"] else "none"})
    return html.Div([
        *header, alerts(notices, lang, ids.NOTICES), controls(ctx, sel, measure, lang),
        html.Div(v["status"], id=ids.STATUS, className="mb-3", **{"aria-live": "polite"}),
        body])
