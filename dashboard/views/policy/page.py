"""Policy & funding (Beleid & financiering): which capabilities do most municipalities need next,
and where would support, funding or lobbying help most?

For a selection (EU, a country, a NUTS 2 region, a size class) in the latest wave, from the
roadmaps stored with the build (`Snapshot.roadmaps`, one per municipality, computed at build
time with the engine's defaults):
- how often each element is a first-phase recommendation;
- leverage per element (municipalities lacking it x how much it unlocks for them), as a sorted
  table with inline bars, and via /api/v1/insight/leverage;
- bottlenecks: heatmaps of leverage, elements x regions (x countries at EU level) and
  elements x size classes; groups under `min_group` answering municipalities are not shown;
- lobby: per law, the share of municipalities not ready (a known gap) and unknown (no known
  gap, an element without an answer), the elements behind the gap and the deadlines: the
  legislation-readiness engine's figures (`pipelines.maturity.lobby`), as the Legislation tab
  shows them for the build's evaluation date and its default horizon.
Only aggregates: no municipality is named. All numbers come from `dashboard.policy_data`, which
turns the stored roadmaps into cells once per build; a callback sums cells (a few ms at EU
scale).
"""

from __future__ import annotations

import textwrap
from urllib.parse import urlencode

import dash_bootstrap_components as dbc
import numpy as np
import pandas as pd
import plotly.graph_objects as go
from dash import Input, Output, State, callback_context, dcc, html
from dash.exceptions import PreventUpdate

from dashboard import ids
from dashboard.components import colours
from dashboard.components.downloads import clicked, download_control, download_inputs, table_download
from dashboard.components.readiness_text import horizon_phrase
from dashboard.components.url_notices import alerts
from dashboard.context import AppContext
from dashboard.i18n import normalise_lang, t
from dashboard.views.policy.data import (
    LOBBY_HORIZON_DAYS,
    Heat,
    PolicyData,
    Selection,
    country_name,
    first_phase_frame,
    heat,
    heat_frame,
    leverage_frame,
    leverage_of,
    lobby_due_later,
    lobby_frame,
    lobby_of,
    parse_selection,
    policy_data,
    published,
    region_name,
    scope_text,
    selection_notices,
)
from pipelines.reference import SIZE_CLASS_KEYS, size_class_label

PATH = "/policy"
NAV_KEY = "policy.nav"

# Component ids (page-prefixed; shared ids come from dashboard.ids).
COUNTRY = "policy-country"
NUTS2 = "policy-nuts2"
SIZE = "policy-size"
MEASURE = "policy-measure"
STATUS = "policy-status"
BODY = "policy-body"
FP_GRAPH = "policy-fp-graph"
FP_CAPTION = "policy-fp-caption"
LEV_TABLE = "policy-lev-table"
LEV_API = "policy-lev-api"
REGION_TITLE = "policy-region-title"
REGION_GRAPH = "policy-region-graph"
REGION_CAPTION = "policy-region-caption"
SIZE_GRAPH = "policy-size-graph"
SIZE_CAPTION = "policy-size-caption"
LOBBY = "policy-lobby"
DOWNLOAD = "policy-download"
CSV_FP = "policy-csv-first-phase"
CSV_LEV = "policy-csv-leverage"
CSV_REGION = "policy-csv-regions"
CSV_SIZE = "policy-csv-sizes"
CSV_LOBBY = "policy-csv-lobby"
CSV_BUTTONS = (CSV_FP, CSV_LEV, CSV_REGION, CSV_SIZE, CSV_LOBBY)

ALL = "all"
PER, TOTAL = "per", "total"
MEASURES = (PER, TOTAL)
ROW_PX = 18
FP_TOP = 20  # bars in the first-phase chart (all elements are in the CSV)
HEAT_SCALE = colours.LACKING_SCALE
BAR = colours.ACCENT
FONT = {"family": "system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif", "size": 11,
        "color": colours.TEXT}


# ------------------------------------------------------------------ small helpers


_NL = str.maketrans(",.", ".,")


def _num(n: float, lang: str, digits: int = 0) -> str:
    s = f"{n:,.{digits}f}"
    return s.translate(_NL) if lang == "nl" else s


def _pct(x: float, lang: str) -> str:
    """A share as a whole percentage that never rounds to a misleading 0% or 100%."""
    if 0 < x < 0.005:
        return "<1%"
    if 0.995 <= x < 1:
        return ">99%"
    return _num(100 * x, lang) + "%"


def _short(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1].rstrip() + "…"


def element_label(ctx: AppContext, eid: str, lang: str, width: int | None = None) -> str:
    name = ctx.framework.element_by_id[eid].name.get(lang)
    label = f"{eid} · {name}"
    return _short(label, width) if width else label


def read_state(ctx: AppContext, country=None, nuts2=None, size=None, measure=None
               ) -> tuple[Selection, str]:
    """Control values or URL parameters -> (selection, heatmap measure); unknown values fall
    back to no restriction / the default measure."""
    sel = parse_selection(ctx, country, nuts2, size)
    return sel, measure if measure in MEASURES else PER


def state_query(sel: Selection, measure: str) -> dict[str, str]:
    q = sel.query()
    if measure != PER:
        q["measure"] = measure
    return q


# ------------------------------------------------------------------ figures


def _empty_figure() -> go.Figure:
    return go.Figure({"data": [], "layout": {"template": {}, "height": 40,
                                             "xaxis": {"visible": False},
                                             "yaxis": {"visible": False},
                                             "margin": {"l": 0, "r": 0, "t": 0, "b": 0}}},
                     _validate=False)


def first_phase_figure(ctx: AppContext, df, lang: str) -> go.Figure:
    """Horizontal bars, most frequent first: share of answering municipalities, count and share
    written on each bar; the FP_TOP most frequent elements (never-recommended ones left out)."""
    df = df[df["first_phase"] > 0].head(FP_TOP)
    if not len(df):
        return _empty_figure()
    labels = [element_label(ctx, e, lang, 44) for e in df["element_id"]]
    text = [f"{_num(c, lang)} ({_pct(s, lang)})" for c, s in zip(df["first_phase"], df["share"],
                                                                strict=True)]
    n = len(df)
    return go.Figure({"data": [{
        "type": "bar", "orientation": "h", "x": (100 * df["share"].to_numpy()).round(2),
        "y": labels, "text": text, "textposition": "outside", "cliponaxis": False,
        "marker": {"color": BAR}, "hovertemplate": "%{y}<br>%{text}<extra></extra>"}],
        "layout": {
            "template": {}, "height": n * 22 + 70, "font": FONT,
            "separators": ",." if lang == "nl" else ".,",
            "margin": {"l": 300, "r": 90, "t": 10, "b": 45, "pad": 2},
            "paper_bgcolor": colours.PAPER, "plot_bgcolor": colours.PAPER, "bargap": 0.25,
            "xaxis": {"title": {"text": t("policy.fp.axis", lang)}, "ticksuffix": "%",
                      "rangemode": "tozero", "gridcolor": colours.GRID, "zeroline": False,
                      "fixedrange": True},
            "yaxis": {"autorange": "reversed", "fixedrange": True, "ticks": "",
                      "automargin": True},
        }}, _validate=False)


def column_labels(ctx: AppContext, h: Heat, lang: str, wrap: bool = False) -> list[str]:
    if h.field == "size_class":
        labels = [size_class_label(c, lang) for c in h.columns]
        return ["<br>".join(textwrap.wrap(x, 14)) for x in labels] if wrap else labels
    if h.field == "nuts2":
        return [f"{_short(region_name(ctx, c), 24)} ({c})" for c in h.columns]
    return [f"{_short(country_name(ctx, c, lang), 18)} ({c})" for c in h.columns]


def heat_figure(ctx: AppContext, data: PolicyData, h: Heat, measure: str, lang: str
                ) -> go.Figure:
    """Elements x groups, colour = leverage (per answering municipality or total). The hover
    numbers travel as arrays (customdata) and are formatted by plotly in the page language."""
    if not h.columns:
        return _empty_figure()
    ids_ = data.roadmaps.element_ids
    z = (h.per_municipality if measure == PER else h.leverage).astype(np.float32)
    n_rows, n_cols = z.shape
    x = column_labels(ctx, h, lang, wrap=True)
    y = [element_label(ctx, ids_[j], lang, 40) for j in h.rows]
    digits = 2 if measure == PER else 1
    # float32 arrays travel base64-encoded (plotly's typed arrays), half the bytes of float64
    custom = np.stack([h.leverage, h.per_municipality, h.lacking,
                       np.broadcast_to(h.n[None, :], z.shape)], axis=-1).astype(np.float32)
    trace = {"type": "heatmap", "z": z, "x": x, "y": y, "customdata": custom,
             "colorscale": HEAT_SCALE, "zmin": 0, "xgap": 1, "ygap": 1,
             "hovertemplate": t("policy.heat.tip", lang) + "<extra></extra>",
             "colorbar": {"title": {"text": t(f"policy.heat.measure.{measure}.short", lang),
                                    "side": "right"}, "thickness": 10, "len": 0.6,
                          "tickformat": f",.{digits}f"}}
    if n_cols <= 12:
        trace.update(texttemplate="%{z:,." + str(digits) + "f}", textfont={"size": 9})
    shapes = []
    if h.highlight is not None:
        c = h.highlight
        shapes.append({"type": "rect", "x0": c - 0.5, "x1": c + 0.5, "y0": -0.5,
                       "y1": n_rows - 0.5, "line": {"color": colours.RULE, "width": 2}})
    return go.Figure({"data": [trace], "layout": {
        "template": {}, "font": FONT, "separators": ",." if lang == "nl" else ".,",
        "height": n_rows * ROW_PX + (80 if h.field == "size_class" else 170),
        "paper_bgcolor": colours.PAPER, "plot_bgcolor": colours.PAPER,
        "margin": {"l": 280, "r": 20, "t": 10, "b": 60 if h.field == "size_class" else 150,
                   "pad": 2},
        "xaxis": {"type": "category", "tickangle": 0 if h.field == "size_class" else -50,
                  "showgrid": False, "zeroline": False, "fixedrange": True,
                  "automargin": True},
        "yaxis": {"type": "category", "autorange": "reversed", "showgrid": False,
                  "zeroline": False, "fixedrange": True, "ticks": ""},
        "shapes": shapes}}, _validate=False)


# ------------------------------------------------------------------ tables


def _bar_cell(value: float, top: float, text: str) -> html.Td:
    """A cell with its value as text over a bar (a background gradient: one component)."""
    width = 0.0 if top <= 0 else max(0.0, min(100.0, 100 * value / top))
    return html.Td(text, className="pol-bar-cell", style={
        "background": f"linear-gradient(90deg, var(--pol-bar) {width:.1f}%, "
                      f"transparent {width:.1f}%)"})


def leverage_table(df, lang: str) -> html.Table:
    top = float(df["leverage"].max()) if len(df) else 0.0
    head = html.Thead(html.Tr([
        html.Th("#", scope="col", className="text-end"),
        html.Th(t("policy.lev.col.element", lang), scope="col"),
        html.Th(t("policy.lev.col.lacking", lang), scope="col", className="text-end"),
        html.Th(t("policy.lev.col.unlock", lang), scope="col", className="text-end"),
        html.Th(t("policy.lev.col.leverage", lang), scope="col"),
        html.Th(t("policy.lev.col.first", lang), scope="col", className="text-end"),
    ]))
    body = []
    for r in df.itertuples():
        # pd.isna: the column is nullable Float64, whose missing value is pd.NA (bool(NA) raises;
        # a selection where nobody lacks an element crashed the page on `x != x`)
        unlock = "–" if pd.isna(r.mean_unlock) else _num(r.mean_unlock, lang, 2)
        body.append(html.Tr([
            html.Td(str(r.rank), className="text-end text-body-secondary"),
            html.Td(f"{r.element_id} · {r.element}"),
            html.Td(f"{_num(r.lacking, lang)} ({_pct(r.share_lacking, lang)})",
                    className="text-end text-nowrap"),
            html.Td(unlock, className="text-end"),
            _bar_cell(r.leverage, top, _num(r.leverage, lang, 1)),
            html.Td(_num(r.first_phase, lang), className="text-end"),
        ]))
    return html.Table([html.Caption(t("policy.lev.table.caption", lang),
                                    className="visually-hidden"), head, html.Tbody(body)],
                      className="table table-sm pol-table mb-0")


def _deadline_text(r, at, lang: str) -> list:
    if r.deadline is None:
        return ["–"]
    first, last = r.deadline.isoformat(), r.last_deadline.isoformat()
    out = [first if first == last else f"{first} – {last}"]
    if r.next_deadline is None:
        out += [html.Br(), html.Span(t("policy.lobby.passed", lang), className="badge "
                                     "text-bg-danger fw-normal")]
    elif r.next_deadline != r.deadline or r.deadline < at:
        out += [html.Br(), html.Span(t("policy.lobby.next", lang,
                                       date=r.next_deadline.isoformat()),
                                     className="small text-body-secondary")]
    return out


def lobby_table_component(ctx: AppContext, data: PolicyData, rows, lang: str) -> html.Table:
    laws = {law.id: law for law in ctx.framework.laws}
    ids_ = data.roadmaps.element_ids
    at = data.roadmaps.evaluation_date
    head = html.Thead(html.Tr([
        html.Th(t("policy.lobby.col.law", lang), scope="col"),
        html.Th(t("policy.lobby.col.applies", lang), scope="col", className="text-end"),
        html.Th(t("policy.lobby.col.notready", lang), scope="col"),
        html.Th(t("policy.lobby.col.unknown", lang), scope="col", className="text-end"),
        html.Th(t("policy.lobby.col.deadline", lang), scope="col"),
        html.Th(t("policy.lobby.col.gap", lang), scope="col"),
    ]))
    body = []
    for r in rows:
        law = laws.get(r.law)
        gaps = "\n".join(f"{ids_[e]} · "
                         f"{_short(ctx.framework.element_by_id[ids_[e]].name.get(lang), 42)}"
                         f" ({_pct(s, lang)})" for e, _k, s in r.gaps)
        body.append(html.Tr([
            html.Td([html.Strong(law.short if law else r.law), html.Br(),
                     law.name.get(lang) if law else ""], className="pol-law"),
            html.Td(_num(r.municipalities, lang), className="text-end"),
            _bar_cell(r.share_not_ready, 1.0,
                      f"{_pct(r.share_not_ready, lang)} ({_num(r.not_ready, lang)})"),
            html.Td(f"{_pct(r.share_unknown, lang)} ({_num(r.unknown, lang)})",
                    className="text-end text-nowrap"),
            html.Td(_deadline_text(r, at, lang), className="text-nowrap small"),
            html.Td(gaps, className="pol-gaps small"),
        ]))
    return html.Table([html.Caption(t("policy.lobby.table.caption", lang),
                                    className="visually-hidden"), head, html.Tbody(body)],
                      className="table table-sm pol-table mb-0")


def not_evaluated_text(ctx: AppContext, laws: list[str], lang: str,
                       later: dict | None = None) -> list:
    """Why laws are not evaluated: nothing due by the cutoff yet (`later`: law -> its first
    deadline after it), the member states of the selection did not bring municipalities into
    scope (or set no date), or municipal conditions that default to 'no'."""
    fw = ctx.framework
    by_id = {law.id: law for law in fw.laws}
    conditions = {c.id: c for c in fw.conditions}
    later = later or {}
    items = []
    for lid in laws:
        law = by_id.get(lid)
        if law is None:
            continue
        refs = {x for r in law.requirements for x in (r.applies_if, r.deadline_ref) if x}
        member_state = [c for c in refs if c in conditions and conditions[c].source ==
                        "member_state"]
        if lid in later:
            why = t("policy.lobby.notevaluated.later", lang, date=later[lid].isoformat())
        elif member_state:
            why = t("policy.lobby.notevaluated.member_state", lang)
        else:
            why = t("policy.lobby.notevaluated.conditions", lang, conditions="; ".join(
                conditions[c].description.get(lang).rstrip(". ") for c in sorted(refs)
                if c in conditions) + ".")
        items.append(html.Li([html.Strong(law.short), f" ({law.name.get(lang)}): ", why]))
    return items


# ------------------------------------------------------------------ the view


def _empty(message: str, color: str = "info") -> dbc.Alert:
    return dbc.Alert(message, color=color, className="mb-2")


def render(ctx: AppContext, sel: Selection, measure: str, lang: str) -> dict:
    """Everything the page shows for a state, keyed by output; computed from the stored
    roadmaps (no query)."""
    snap = ctx.warehouse.snapshot()
    data = policy_data(ctx, snap)
    empty = _empty_figure()
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
        out["status"] = [_empty(t("policy.empty.nomatch", lang, scope=scope))]
        return out
    if n == 0:
        out["status"] = [_empty(t("policy.empty.noanswers", lang, scope=scope,
                                  n=_num(members, lang), wave=rm.wave))]
        return out
    if n < min_group:
        out["status"] = [_empty(t("policy.empty.suppressed", lang, scope=scope, n=n,
                                  min_group=min_group, wave=rm.wave))]
        return out
    if not published(ctx, data, sel):
        out["status"] = [_empty(t("policy.empty.private", lang, scope=scope, wave=rm.wave))]
        return out
    out["show"] = True
    out["status"] = [html.P([html.Strong(t("policy.status.scope", lang) + " "),
                             t("policy.status.counts", lang, scope=scope, n=_num(n, lang),
                               members=_num(members, lang), wave=rm.wave)], className="mb-1"),
                     html.P(settings, className="small text-body-secondary mb-0")]
    lev = leverage_of(ctx, data, sel)
    # first phase
    fp = first_phase_frame(ctx, data, sel, lang, lev)
    out["fp_figure"] = first_phase_figure(ctx, fp, lang)
    top = fp.iloc[0]
    steps = int(fp["first_phase"].sum())
    out["fp_caption"] = t("policy.fp.caption", lang, n=_num(n, lang), scope=scope,
                          steps=_num(steps, lang), element=element_label(ctx, top.element_id,
                                                                         lang),
                          count=_num(int(top.first_phase), lang), share=_pct(top.share, lang),
                          per_phase=rm.per_phase) if steps else t("policy.fp.none", lang)
    rest = fp[fp["first_phase"] > 0].iloc[FP_TOP:]
    if len(rest):
        out["fp_caption"] += " " + t("policy.fp.rest", lang, n=len(rest), top=FP_TOP,
                                     share=_pct(float(rest["share"].max()), lang))
    # leverage
    lf = leverage_frame(ctx, data, sel, lang, lev)
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
    # lobby
    rows, skipped = lobby_of(ctx, data, sel)
    lobby = [html.P(t("policy.lobby.rule", lang, date=rm.evaluation_date.isoformat(),
                      counts=horizon_phrase(LOBBY_HORIZON_DAYS, rm.evaluation_date, lang)),
                    className="small text-body-secondary")]
    if rows:
        lobby.append(html.Div(lobby_table_component(ctx, data, rows, lang),
                              className="table-responsive", tabIndex="0", role="region",
                              **{"aria-label": t("policy.lobby.table.caption", lang)}))
        worst = rows[0]
        law = {x.id: x for x in ctx.framework.laws}.get(worst.law)
        lobby.append(html.P(t("policy.lobby.caption", lang, laws=len(rows),
                              law=law.short if law else worst.law,
                              share=_pct(worst.share_not_ready, lang),
                              unknown=_pct(worst.share_unknown, lang), scope=scope),
                            className="small text-body-secondary mt-2 mb-0"))
    else:
        lobby.append(_empty(t("policy.lobby.none", lang, min_group=min_group)))
    if skipped:
        lobby.append(html.Div([html.P(t("policy.lobby.notevaluated", lang),
                                      className="mb-1 mt-3 fw-semibold"),
                               html.Ul(not_evaluated_text(ctx, skipped, lang,
                                                          lobby_due_later(ctx, data, sel,
                                                                          skipped)),
                                       className="small mb-0")]))
    out["lobby"] = lobby
    return out


def heat_caption(ctx: AppContext, data: PolicyData, h: Heat, measure: str, sel: Selection,
                 lang: str) -> str:
    kind = {"country": "countries", "nuts2": "regions", "size_class": "sizes"}[h.field]
    parts = []
    if not h.columns:
        parts.append(t(f"policy.heat.{kind}.none", lang, min_group=data.min_group))
    else:
        z = h.per_municipality if measure == PER else h.leverage
        r, c = np.unravel_index(int(np.argmax(z)), z.shape)
        labels = column_labels(ctx, h, lang)
        value = _num(z[r, c], lang, 2 if measure == PER else 1)
        parts.append(t(f"policy.heat.{kind}.caption", lang, columns=len(h.columns),
                       measure=t(f"policy.heat.measure.{measure}", lang),
                       scope=scope_text(ctx, Selection(sel.country, None, sel.size)
                                        if h.field != "size_class"
                                        else Selection(sel.country, sel.nuts2, None), lang),
                       column=labels[c],
                       element=element_label(ctx, data.roadmaps.element_ids[h.rows[r]], lang),
                       value=value))
    if h.hidden:
        parts.append(t("policy.heat.hidden" + (".one" if h.hidden == 1 else ""), lang,
                       n=h.hidden, min_group=data.min_group))
    return " ".join(parts)


# ------------------------------------------------------------------ controls + layout


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


def _section(title, intro, body, buttons, title_id: str | None = None) -> dbc.Card:
    head = html.Div([html.H2(title, className="h5 mb-1", **({"id": title_id} if title_id
                                                             else {})),
                     html.Div(buttons, className="d-flex gap-2 flex-wrap")],
                    className="d-flex justify-content-between align-items-start gap-2 "
                              "flex-wrap")
    return dbc.Card(dbc.CardBody([head, html.P(intro, className="small text-body-secondary "
                                               "mb-2"), body]), className="mb-3")


def layout(ctx: AppContext, lang: str, query: dict | None = None) -> html.Div:
    lang = normalise_lang(lang)
    header = [html.H1(t("policy.title", lang), className="h2"),
              html.P(html.Strong(t("policy.question", lang)), className="mb-1 question"),
              html.P(t("policy.guide", lang, min_group=ctx.settings.min_group),
                     className="text-body-secondary")]
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
    controls = dbc.Row([
        _control(t("policy.country", lang), dbc.Select(
            id=COUNTRY, value=sel.country or ALL, options=country_options(ctx, lang)),
            COUNTRY, xs=12, sm=6, lg=3),
        _control(t("policy.nuts2", lang), dbc.Select(
            id=NUTS2, value=sel.nuts2 or ALL, disabled=sel.country is None,
            options=nuts2_options(ctx, sel.country, lang)), NUTS2, xs=12, sm=6, lg=3),
        _control(t("policy.size", lang), dbc.Select(
            id=SIZE, value=sel.size or ALL, options=size_options(lang)), SIZE, xs=12, sm=6,
            lg=3),
        _control(t("policy.measure", lang), dbc.Select(id=MEASURE, value=measure, options=[
            {"label": t(f"policy.heat.measure.{m}", lang), "value": m} for m in MEASURES]),
            MEASURE, xs=12, sm=6, lg=3),
    ], className="mb-1 g-2")
    graph_config = {"displaylogo": False, "displayModeBar": False, "responsive": True}
    body = html.Div([
        _section(t("policy.fp.title", lang), t("policy.fp.intro", lang),
                 html.Figure([html.Div(dcc.Graph(id=FP_GRAPH, figure=v["fp_figure"],
                                                 config=graph_config), className="chart-scroll"),
                              html.Figcaption(v["fp_caption"], id=FP_CAPTION,
                                              className="small text-body-secondary")],
                             className="mb-0"),
                 [download_control(CSV_FP, lang, what=t("policy.fp.title", lang))]),
        _section(t("policy.lev.title", lang), t("policy.lev.formula", lang),
                 html.Div([html.Div(v["lev_table"], id=LEV_TABLE,
                                    className="pol-scroll table-responsive", tabIndex="0",
                                    role="region",
                                    **{"aria-label": t("policy.lev.table.caption", lang)}),
                           html.P(t("policy.lev.note", lang),
                                  className="small text-body-secondary mt-2 mb-0")]),
                 [download_control(CSV_LEV, lang, what=t("policy.lev.title", lang)),
                  html.A(t("policy.lev.api", lang), id=LEV_API, href=v["lev_api"],
                         className="btn btn-sm btn-outline-secondary")]),
        _section(v["region_title"], t("policy.heat.intro", lang),
                 html.Figure([html.Div(dcc.Graph(id=REGION_GRAPH, figure=v["region_figure"],
                                        config=graph_config), className="chart-scroll"),
                              html.Figcaption(v["region_caption"], id=REGION_CAPTION,
                                              className="small text-body-secondary")],
                             className="mb-0"),
                 [download_control(CSV_REGION, lang, what=v["region_title"])],
                 title_id=REGION_TITLE),
        _section(t("policy.heat.sizes.title", lang), t("policy.heat.intro", lang),
                 html.Figure([html.Div(dcc.Graph(id=SIZE_GRAPH, figure=v["size_figure"],
                                        config=graph_config), className="chart-scroll"),
                              html.Figcaption(v["size_caption"], id=SIZE_CAPTION,
                                              className="small text-body-secondary")],
                             className="mb-0"),
                 [download_control(CSV_SIZE, lang, what=t("policy.heat.sizes.title", lang))]),
        _section(t("policy.lobby.title", lang), t("policy.lobby.intro", lang),
                 html.Div(v["lobby"], id=LOBBY),
                 [download_control(CSV_LOBBY, lang, what=t("policy.lobby.title", lang))]),
    ], id=BODY, style={"display": "block" if v["show"] else "none"})
    return html.Div([
        *header, alerts(notices, lang, "policy-notices"), controls,
        html.Div(v["status"], id=STATUS, className="mb-3", **{"aria-live": "polite"}),
        body, dcc.Download(id=DOWNLOAD)])


# ------------------------------------------------------------------ callback bodies


OUTPUT_KEYS = ("status", "show", "fp_figure", "fp_caption", "lev_table", "lev_api",
               "region_title", "region_figure", "region_caption", "size_figure",
               "size_caption", "lobby")


def update_view(ctx: AppContext, country, nuts2, size, measure, lang) -> tuple:
    lang = normalise_lang(lang)
    if ctx.warehouse.snapshot() is None:
        raise PreventUpdate
    sel, measure = read_state(ctx, country, nuts2, size, measure)
    v = render(ctx, sel, measure, lang)
    v["show"] = {"display": "block" if v["show"] else "none"}
    return tuple(v[k] for k in OUTPUT_KEYS)


def permalink(ctx: AppContext, country, nuts2, size, measure) -> str:
    sel, measure = read_state(ctx, country, nuts2, size, measure)
    return "?" + urlencode(state_query(sel, measure))


def change_country(ctx: AppContext, country, lang):
    """A new country: its NUTS 2 regions, the region reset, the region picker off at EU level."""
    lang = normalise_lang(lang)
    sel = parse_selection(ctx, country)
    return nuts2_options(ctx, sel.country, lang), ALL, sel.country is None


def csv_download(ctx: AppContext, which: str, country, nuts2, size, measure, lang):
    """(DataFrame, filename) of one table or chart of the view."""
    lang = normalise_lang(lang)
    data = policy_data(ctx, ctx.warehouse.snapshot())
    if data is None:
        raise PreventUpdate
    sel, measure = read_state(ctx, country, nuts2, size, measure)
    n, _ = data.counts(ctx, sel)
    if n < data.min_group or not published(ctx, data, sel):
        raise PreventUpdate  # suppressed: nothing to download
    rm = data.roadmaps
    tag = "-".join(x for x in ("ds4e-policy", which, sel.country or "EU", sel.nuts2 or "",
                               sel.size or "", rm.wave) if x) + ".csv"
    if which == "first-phase":
        df = first_phase_frame(ctx, data, sel, lang)
    elif which == "leverage":
        df = leverage_frame(ctx, data, sel, lang)
    elif which in ("regions", "sizes"):
        lf = leverage_frame(ctx, data, sel, lang)
        order = np.array([rm.element_ids.index(e) for e in lf["element_id"]], dtype=np.intp)
        field = "size_class" if which == "sizes" else ("nuts2" if sel.country else "country")
        df = heat_frame(ctx, heat(ctx, data, sel, field, order), rm.element_ids, lang)
    elif which == "lobby":
        df = lobby_frame(ctx, lobby_of(ctx, data, sel)[0], rm.element_ids, lang)
    else:
        raise PreventUpdate
    df.insert(0, "wave", rm.wave)
    return df, tag


_WHICH = {CSV_FP: "first-phase", CSV_LEV: "leverage", CSV_REGION: "regions",
          CSV_SIZE: "sizes", CSV_LOBBY: "lobby"}
_FILTERS = (COUNTRY, NUTS2, SIZE, MEASURE)


def download(ctx: AppContext, trigger, country, nuts2, size, measure, lang) -> dict:
    """The file of the clicked format button (`trigger`: its id) as a dcc.Download file."""
    hit = clicked(trigger, *CSV_BUTTONS)
    if hit is None:
        raise PreventUpdate
    button, fmt = hit
    df, name = csv_download(ctx, _WHICH[button], country, nuts2, size, measure, lang)
    return table_download(df, name, fmt)


def register(app, ctx: AppContext) -> None:
    @app.callback(
        Output(STATUS, "children"), Output(BODY, "style"), Output(FP_GRAPH, "figure"),
        Output(FP_CAPTION, "children"), Output(LEV_TABLE, "children"), Output(LEV_API, "href"),
        Output(REGION_TITLE, "children"), Output(REGION_GRAPH, "figure"),
        Output(REGION_CAPTION, "children"), Output(SIZE_GRAPH, "figure"),
        Output(SIZE_CAPTION, "children"), Output(LOBBY, "children"),
        *(Input(c, "value") for c in _FILTERS),
        State(ids.LANG, "value"),
        prevent_initial_call=True,  # the layout already holds the first view
    )
    def _view(country, nuts2, size, measure, lang):
        return update_view(ctx, country, nuts2, size, measure, lang)

    @app.callback(
        Output(ids.URL, "search", allow_duplicate=True),
        *(Input(c, "value") for c in _FILTERS),
        prevent_initial_call=True,
    )
    def _permalink(country, nuts2, size, measure):
        return permalink(ctx, country, nuts2, size, measure)

    @app.callback(
        Output(NUTS2, "options"), Output(NUTS2, "value"), Output(NUTS2, "disabled"),
        Input(COUNTRY, "value"), State(ids.LANG, "value"),
        prevent_initial_call=True,
    )
    def _country(country, lang):
        return change_country(ctx, country, lang)

    inputs = download_inputs(*CSV_BUTTONS)

    @app.callback(
        Output(DOWNLOAD, "data"),
        *inputs,
        *(State(c, "value") for c in _FILTERS),
        State(ids.LANG, "value"),
        prevent_initial_call=True,
    )
    def _download(*args):
        country, nuts2, size, measure, lang = args[len(inputs):]
        if not any(args[:len(inputs)]):
            raise PreventUpdate
        return download(ctx, callback_context.triggered_id, country, nuts2, size, measure, lang)
