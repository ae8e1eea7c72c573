"""The blocks the callbacks fill in beside the charts: the status (who, which peer group, why
a picture is empty or partial), the respondent-agreement list and the eGovernment Benchmark
table. Data in (a Selection), Dash components out."""

from __future__ import annotations

import dash_bootstrap_components as dbc
import pandas as pd
from dash import html

from dashboard.components.numbers import fmt_int
from dashboard.components.places import country_name, nuts_names
from dashboard.context import AppContext
from dashboard.i18n import t
from dashboard.views.profile.data import Selection, answered, waves_answered
from dashboard.views.profile.data_agreement import agreement_rows
from dashboard.views.profile.data_benchmark import context_frame, egov
from dashboard.views.profile.texts import level_text, peer_group_text


def no_selection(ctx: AppContext, m: str | None, lang: str):
    """The status for a missing or unknown municipality (None when a selection is possible)."""
    snap = ctx.warehouse.snapshot()
    if snap is None:
        return dbc.Alert(t("profile.empty.nothing.body", lang), color="info")
    if not m:
        return dbc.Alert(t("profile.empty.pick", lang), color="info")
    return dbc.Alert(t("profile.notice.unknown", lang, id=m), color="warning")


def status_panel(ctx: AppContext, sel: Selection, lang: str) -> html.Div:
    """Who is shown (name, country, code, region, population), the peer group in words, and
    the notices that explain an empty or partial picture (consent, no answers, small group)."""
    ref = ctx.municipalities
    row = sel.target
    alt = ref["name_alt"].iat[row]
    pop = ref["population"].iat[row]
    facts = [f"{country_name(ctx, ref['country'].iat[row], lang)}",
             f"{ref['national_code'].iat[row]}",
             f"{nuts_names(ctx.settings.reference_dir).get(ref['nuts2'].iat[row], '')} "
             f"({ref['nuts2'].iat[row]})"]
    if not pd.isna(pop):
        facts.append(t("profile.facts.population", lang, n=fmt_int(int(pop), lang),
                       year=int(ref["population_year"].iat[row])))
    out = [html.H2([sel.name, html.Small(f" / {alt}", className="text-body-secondary")
                    if isinstance(alt, str) and alt else None], className="h4 mb-0"),
           html.P(" · ".join(facts), className="small text-body-secondary mb-1"),
           html.P([html.Strong(t("profile.peers.heading", lang) + " "),
                   peer_group_text(ctx, sel, lang)], className="mb-2")]
    alerts = []
    if not sel.visible:
        alerts.append(("info", t("profile.consent.hidden", lang, name=sel.name)))
    elif sel.wave not in (done := waves_answered(sel)):
        if done:
            alerts.append(("warning", t("profile.empty.noanswer", lang, name=sel.name,
                                        wave=sel.wave, waves=", ".join(done))))
        else:
            alerts.append(("warning", t("profile.empty.never", lang, name=sel.name)))
    if not answered(sel).any():
        alerts.append(("warning", t("profile.empty.wave", lang, wave=sel.wave)))
    k = int((sel.peers & answered(sel)).sum())
    if sel.left_out:
        alerts.append(("info", t("profile.peers.left_out", lang, k=sel.left_out)))
    if sel.kind == "custom" and not sel.peers.any():
        if not sel.left_out:
            alerts.append(("info", t("profile.empty.custom", lang)))
    elif k < sel.min_group:
        alerts.append(("warning", t("profile.empty.small", lang, n=k, wave=sel.wave,
                                    min_group=sel.min_group)))
    elif not sel.shown_in(sel.w):
        alerts.append(("warning", t("profile.peers.withheld", lang, wave=sel.wave)))
    out.extend(dbc.Alert(text, color=color, className="py-2 mb-2") for color, text in alerts)
    return html.Div(out, className="mb-3")


def agreement_panel(ctx: AppContext, sel: Selection, lang: str):
    """The elements where the respondents differ by two or more levels, as a list."""
    if not sel.visible:
        return html.P(t("profile.agree.hidden", lang, name=sel.name), className="mb-0")
    if sel.wave not in waves_answered(sel):
        return html.P(t("profile.agree.noanswer", lang, name=sel.name, wave=sel.wave),
                      className="mb-0")
    df = agreement_rows(ctx, sel)
    if df.empty:
        return html.P(t("profile.agree.none", lang, name=sel.name, wave=sel.wave),
                      className="mb-0")
    fw = ctx.framework
    items = [html.Li([
        html.Span(r.element_id, className="el-id"), " ",
        html.A(fw.element_by_id[r.element_id].name.get(lang),
               href=f"/knowledge?element={r.element_id}"),
        html.Br(),
        html.Span(t("profile.agree.item", lang, low=int(r.level_min), high=int(r.level_max),
                    n=int(r.n_respondents), level=level_text(float(r.level), lang)),
                  className="small text-body-secondary"),
    ], className="mb-2") for r in df.itertuples()]
    count_key = "profile.agree.count.one" if len(df) == 1 else "profile.agree.count"
    return [html.P(t(count_key, lang, n=len(df), name=sel.name, wave=sel.wave),
                   className="mb-2"),
            html.Ul(items, className="list-unstyled mb-0 agree-list")]


def benchmark_panel(ctx: AppContext, sel: Selection, lang: str) -> list | html.P:
    """The benchmark's measures beside the self-assessment as a table, with its source (or a
    sentence saying the municipality was not assessed)."""
    df = context_frame(ctx, sel, lang)
    if df is None:
        return html.P(t("profile.context.absent", lang, name=sel.name,
                        n=len(egov(ctx).municipalities())), className="small mb-2")
    fw = ctx.framework
    country = country_name(ctx, str(ctx.municipalities["country"].iat[sel.target]), lang)

    def pct(x):
        return "–" if pd.isna(x) else f"{fmt_int(100 * x, lang)}%"

    columns = (t("profile.context.col.measure", lang), sel.name,
               t("profile.context.col.country", lang, country=country))

    def phone_label(text: str) -> html.Span:
        """A value's column name over it on a phone, where the header row is not shown
        (assets/20-profile.css); screen readers have the header row."""
        return html.Span(text, className="d-block d-sm-none small text-body-secondary",
                         **{"aria-hidden": "true"})

    head = html.Thead(html.Tr([
        html.Th(columns[0], scope="col"),
        html.Th(columns[1], scope="col", className="text-end"),
        html.Th(columns[2], scope="col", className="text-end"),
    ]))
    rows = []
    for r in df.itertuples():
        el = fw.element_by_id[r.related_element]
        median = "" if pd.isna(r.peer_median) else " " + t(
            "profile.context.self.median", lang, median=level_text(r.peer_median, lang))
        own = (t("profile.context.self", lang, level=level_text(r.own_level, lang)) if sel.visible
               else t("profile.context.self.hidden", lang))
        self_text = own + median
        rows.append(html.Tr([
            html.Th([r.measure_name, html.Br(),
                     html.Span([t("profile.context.col.self", lang), " ",
                                html.Span(el.id, className="el-id", title=el.name.get(lang)),
                                " ", self_text], className="small text-body-secondary fw-normal")],
                    scope="row", className="fw-normal"),
            html.Td([phone_label(columns[1]), html.Strong(pct(r.share)), html.Br(),
                     html.Span(f"{r.yes}/{r.answers}", className="small text-body-secondary")],
                    className="text-end"),
            html.Td([phone_label(columns[2]), pct(r.country_share)], className="text-end"),
        ]))
    providers = egov(ctx).providers(str(sel.cube.municipality_ids[sel.target]))
    return [
        dbc.Badge(t("profile.context.badge", lang), color="light", text_color="dark",
                  className="mb-2 context-badge text-wrap text-start"),
        # no sideways scroll box: on a phone each measure stacks over its two shares
        dbc.Table([head, html.Tbody(rows)], size="sm", className="mb-1 profile-benchmark",
                  striped=True),
        html.P(t("profile.context.note", lang, services=int(df["services"].iat[0]),
                 providers=", ".join(providers)), className="small mb-1"),
        html.P(t("profile.context.source", lang), className="small text-body-secondary mb-2"),
    ]
