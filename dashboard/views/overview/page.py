"""Overview (Overzicht): what the published data cover — who answered, where, in which waves."""

from __future__ import annotations

from urllib.parse import urlencode

import dash_bootstrap_components as dbc
from dash import Input, Output, State, callback_context, dcc, html

from dashboard import geo, ids
from dashboard.components import colours
from dashboard.components.code_text import t_code
from dashboard.components.maps import choropleth_map, recolour
from dashboard.components.numbers import fmt_int
from dashboard.components.url_notices import alerts
from dashboard.context import AppContext
from dashboard.i18n import normalise_lang, t
from dashboard.store import Snapshot

PATH = "/overview"
NAV_KEY = "overview.nav"


# ------------------------------------------------------------------ pure helpers


def pick_wave(snap: Snapshot, wave: str | None) -> str:
    return wave if wave in snap.waves else snap.waves[-1]


def default_map_view(snap: Snapshot, wave: str) -> str:
    """The Dutch municipal map when only Dutch municipalities answered, else Europe by NUTS 2."""
    countries = snap.query("coverage_by_country", wave=wave)
    answered = set(countries.loc[countries["responded"] > 0, "country"])
    return "nl" if answered == {"NL"} else "eu"


def map_values(ctx: AppContext, snap: Snapshot, view: str, wave: str, lang: str):
    """Locations, values and hover texts for the coverage map."""
    if view == "nl":
        df = snap.query("coverage_municipalities", wave=wave, country="NL")
        z = df["responded"].astype(int).tolist()
        text = [
            f"{r.name} ({r.national_code})<br>" + (
                t("overview.map.answered", lang, n=r.respondents) if r.responded
                else t("overview.map.notanswered", lang))
            for r in df.itertuples()]
        return df["national_code"].tolist(), z, text
    df = snap.query("coverage_nuts2", wave=wave)
    names = _nuts_names(ctx)
    text = [f"{names.get(r.nuts2, r.nuts2)} ({r.nuts2})<br>"
            + t("overview.map.share", lang, responded=r.responded, total=r.municipalities,
                share=f"{r.share:.0%}")
            for r in df.itertuples()]
    return df["nuts2"].tolist(), df["share"].fillna(0).tolist(), text


def _nuts_names(ctx: AppContext) -> dict[str, str]:
    gj = geo.nuts(ctx.settings.reference_dir, 2)
    return {f["properties"]["NUTS_ID"]: f["properties"]["NAME_LATN"] for f in gj["features"]}


def coverage_figure(ctx: AppContext, snap: Snapshot, view: str, wave: str, lang: str):
    locations, z, text = map_values(ctx, snap, view, wave, lang)
    if view == "nl":
        return choropleth_map(
            geo.nl_municipalities(ctx.settings.reference_dir), locations, z, text, view="nl",
            zmin=0, zmax=1, colorbar_title="",
            colorscale=colours.YES_NO_SCALE,
            tickvals=[0.25, 0.75],
            ticktext=[t("overview.map.legend.no", lang), t("overview.map.legend.yes", lang)])
    return choropleth_map(
        geo.nuts(ctx.settings.reference_dir, 2), locations, z, text, view="eu", zmin=0, zmax=1,
        colorbar_title=t("overview.map.legend.share", lang), tickvals=[0, 0.25, 0.5, 0.75, 1],
        ticktext=["0%", "25%", "50%", "75%", "100%"])


def map_caption(snap: Snapshot, view: str, wave: str, lang: str) -> str:
    """A text alternative for the map: the same facts in one sentence."""
    if view == "nl":
        df = snap.query("coverage_municipalities", wave=wave, country="NL")
        return t("overview.map.caption.nl", lang, responded=int(df["responded"].sum()),
                 total=len(df), wave=wave)
    df = snap.query("coverage_nuts2", wave=wave)
    covered = df[df["responded"] > 0]
    return t("overview.map.caption.eu", lang, regions=len(covered), total=len(df), wave=wave)


def kpis(snap: Snapshot, wave: str, lang: str) -> dbc.Row:
    totals = snap.query("coverage_totals").set_index("wave")
    row = totals.loc[wave]
    countries = snap.query("coverage_by_country", wave=wave)
    n_countries = int((countries["responded"] > 0).sum())
    m = snap.manifest
    cards = [
        (t("overview.kpi.municipalities", lang), fmt_int(row.responded, lang),
         t("overview.kpi.municipalities.sub" + (".one" if n_countries == 1 else ""), lang,
           countries=n_countries, wave=wave)),
        (t("overview.kpi.respondents", lang), fmt_int(row.respondents, lang),
         t("overview.kpi.respondents.sub", lang, consenting=int(row.consenting))),
        (t("overview.kpi.waves", lang), str(len(snap.waves)), ", ".join(snap.waves)),
        (t("overview.kpi.framework", lang), m["framework"]["version"],
         t("overview.kpi.built", lang, date=m["built_at"][:10])),
    ]
    return dbc.Row([dbc.Col(dbc.Card(dbc.CardBody([
        html.Div(label, className="kpi-label"),
        html.Div(value, className="kpi-value"),
        html.Div(sub, className="kpi-sub"),
    ]), className="h-100 kpi"), xs=6, lg=3, className="mb-3") for label, value, sub in cards])


def country_table(snap: Snapshot, wave: str, lang: str):
    df = snap.query("coverage_by_country", wave=wave)
    answered = df[df["responded"] > 0]
    silent = df[df["responded"] == 0]
    name_col = "name_nl" if lang == "nl" else "name_en"
    head = html.Thead(html.Tr([
        html.Th(t("overview.table.country", lang), scope="col"),
        html.Th(t("overview.table.responded", lang), scope="col", className="text-end"),
        html.Th(t("overview.table.share", lang), scope="col"),
    ]))
    body = html.Tbody([html.Tr([
        html.Td(f"{getattr(r, name_col) or r.country} ({r.country})"),
        html.Td(f"{fmt_int(r.responded, lang)} / {fmt_int(r.municipalities, lang)}",
                className="text-end"),
        html.Td([html.Span(className="share-bar", style={"width": f"{max(r.share, 0.01) * 2.5:.2f}rem"}),
                 html.Span(f" {r.share:.0%}")], className="text-nowrap"),
    ]) for r in answered.itertuples()])
    note = t("overview.table.silent", lang, n=len(silent)) if len(silent) else ""
    # scrolls sideways on a narrow screen: focusable and named, so a keyboard can scroll it too
    # (axe scrollable-region-focusable)
    return [html.Div(dbc.Table([head, body], size="sm", striped=True, hover=True,
                               className="coverage-table mb-0"),
                     className="table-responsive mb-2", tabIndex=0, role="region",
                     **{"aria-label": t("overview.table.label", lang)}),
            html.P(note, className="small text-body-secondary")]




def sources(snap: Snapshot, lang: str) -> html.Ul:
    return html.Ul([html.Li([
        html.Code(i["name"]), f" · {fmt_int(i['rows'], lang)} ", t("overview.sources.rows", lang),
        " · ", dbc.Badge(t(f"overview.kind.{i['kind']}", lang),
                         color="warning" if i["kind"] == "demo" else "success",
                         text_color="dark" if i["kind"] == "demo" else None),
    ]) for i in snap.manifest["inputs"]], className="small")


def empty_state(lang: str) -> dbc.Alert:
    return dbc.Alert([
        html.H2(t("overview.empty.title", lang), className="h5"),
        html.P(t_code("overview.empty.body", lang)),
        html.Pre("python -m pipelines demo --scope nl\npython -m pipelines build",
                 className="mb-0"),
    ], color="info")


# ------------------------------------------------------------------ layout + callbacks


def layout(ctx: AppContext, lang: str, query: dict | None = None) -> html.Div:
    snap = ctx.warehouse.snapshot()
    header = [
        html.H1(t("overview.title", lang), className="h2"),
        html.P(html.Strong(t("overview.question", lang)), className="mb-1 question"),
        html.P(t("overview.guide", lang), className="text-body-secondary"),
    ]
    if snap is None:
        return html.Div([*header, empty_state(lang)])
    query = query or {}
    wave = pick_wave(snap, query.get("wave"))
    view = query.get("map") if query.get("map") in ("eu", "nl") else default_map_view(snap, wave)
    notices = []
    if query.get("wave") and query["wave"] != wave:
        notices.append(("url.notice.wave", {"value": query["wave"], "waves": ", ".join(snap.waves),
                                            "fallback": wave}))
    if query.get("map") and query["map"] != view:
        notices.append(("url.notice.value", {"value": query["map"], "field": "map",
                                             "fallback": view}))
    return html.Div([
        *header,
        alerts(notices, lang, "overview-notices"),
        dbc.Row([
            dbc.Col([dbc.Label(t("overview.wave", lang), html_for=ids.OVERVIEW_WAVE),
                     dbc.Select(id=ids.OVERVIEW_WAVE, value=wave,
                                options=[{"label": w, "value": w} for w in reversed(snap.waves)])],
                    xs=6, md=3),
            dbc.Col([dbc.Label(t("overview.map.view", lang), html_for=ids.OVERVIEW_MAP_VIEW),
                     dbc.Select(id=ids.OVERVIEW_MAP_VIEW, value=view, options=[
                         {"label": t("overview.map.view.eu", lang), "value": "eu"},
                         {"label": t("overview.map.view.nl", lang), "value": "nl"}])],
                    xs=6, md=4),
        ], className="mb-3"),
        html.Div(id=ids.OVERVIEW_KPIS),
        dbc.Row([
            dbc.Col(dbc.Card(dbc.CardBody([
                html.H2(t("overview.map.title", lang), className="h5"),
                html.Figure([
                    dcc.Loading(dcc.Graph(id=ids.OVERVIEW_MAP,
                                          figure=coverage_figure(ctx, snap, view, wave, lang),
                                          config={"displaylogo": False, "scrollZoom": True}),
                                type="circle"),
                    html.Figcaption(map_caption(snap, view, wave, lang), id=ids.OVERVIEW_MAP_CAPTION,
                                    className="small text-body-secondary"),
                ], className="mb-0"),
            ])), lg=7, className="mb-3"),
            dbc.Col(dbc.Card(dbc.CardBody([
                html.H2(t("overview.table.title", lang), className="h5"),
                html.Div(id=ids.OVERVIEW_TABLE),
            ])), lg=5, className="mb-3"),
        ]),
        dbc.Card(dbc.CardBody([
            html.H2(t("overview.sources.title", lang), className="h6"),
            sources(snap, lang),
            html.P(t("overview.sources.note", lang, min_group=snap.manifest["min_group"]),
                   className="small text-body-secondary mb-1"),
            html.A(t("overview.bundle", lang), href="/api/v1/bundle", className="small",
                   id="overview-bundle", **{"data-build": snap.build_id}),
        ]), className="mb-3"),
    ])


def update_tables(ctx: AppContext, wave: str | None, lang: str | None):
    lang = normalise_lang(lang)
    snap = ctx.warehouse.snapshot()
    if snap is None:
        return None, None
    wave = pick_wave(snap, wave)
    return kpis(snap, wave, lang), country_table(snap, wave, lang)


def update_map(ctx: AppContext, wave: str | None, view: str | None, lang: str | None,
               trigger: str | None):
    """A new wave only recolours (Patch); a new map view sends the new geometry once."""
    lang = normalise_lang(lang)
    snap = ctx.warehouse.snapshot()
    if snap is None:
        return None, ""
    wave = pick_wave(snap, wave)
    view = view if view in ("eu", "nl") else "eu"
    caption = map_caption(snap, view, wave, lang)
    if trigger == ids.OVERVIEW_WAVE:
        _, z, text = map_values(ctx, snap, view, wave, lang)
        return recolour(z, text), caption
    return coverage_figure(ctx, snap, view, wave, lang), caption


# The language is State, not Input: a language switch re-renders the whole page (router), and
# an Input here would also fire for the old components and race the new layout.
def state_query(wave: str | None, view: str | None) -> str:
    """The view's state as a URL query, so a link reproduces it."""
    return "?" + urlencode({k: v for k, v in (("wave", wave), ("map", view)) if v})


def register(app, ctx: AppContext) -> None:
    @app.callback(
        Output(ids.URL, "search", allow_duplicate=True),
        Input(ids.OVERVIEW_WAVE, "value"),
        Input(ids.OVERVIEW_MAP_VIEW, "value"),
        prevent_initial_call=True,
    )
    def _permalink(wave, view):
        return state_query(wave, view)

    @app.callback(
        Output(ids.OVERVIEW_KPIS, "children"),
        Output(ids.OVERVIEW_TABLE, "children"),
        Input(ids.OVERVIEW_WAVE, "value"),
        State(ids.LANG, "value"),
    )
    def _tables(wave, lang):
        return update_tables(ctx, wave, lang)

    @app.callback(
        Output(ids.OVERVIEW_MAP, "figure"),
        Output(ids.OVERVIEW_MAP_CAPTION, "children"),
        Input(ids.OVERVIEW_WAVE, "value"),
        Input(ids.OVERVIEW_MAP_VIEW, "value"),
        State(ids.LANG, "value"),
        prevent_initial_call=True,
    )
    def _map(wave, view, lang):
        return update_map(ctx, wave, view, lang, callback_context.triggered_id)
