"""EU legislation (EU-wetgeving): how ready are municipalities for each EU digital law?

Three views over the readiness engine (pipelines/maturity/readiness.py, inputs from
dashboard/legislation_data.py): the aggregate of a selection, one municipality explained
requirement by requirement (with condition overrides), and a draft law (what-if).
"""

from __future__ import annotations

import datetime as dt
import json
from urllib.parse import urlencode

import dash_bootstrap_components as dbc
import numpy as np
import pandas as pd
from dash import ALL, Input, Output, State, dcc, html, no_update

from dashboard import ids
from dashboard import legislation_data as ld
from dashboard.components.municipality_picker import picker, search_index, search_options
from dashboard.context import AppContext
from dashboard.i18n import normalise_lang, t
from dashboard.pages import profile as profile_page
from pipelines.maturity.readiness import (
    ProfileError,
    law_to_yaml,
    municipality_readiness,
    resolve_municipality,
    validate_profile,
    what_if,
)
from pipelines.reference import SIZE_CLASS_KEYS, size_class_label

PATH = "/legislation"
NAV_KEY = "legislation.nav"

VIEW = "legislation-view"
COUNTRY = "legislation-country"
NUTS2 = "legislation-nuts2"
SIZE = "legislation-size"
AT = "legislation-at"
HORIZON = "legislation-horizon"
LAW = "legislation-law"
AGG_BOX, MUN_BOX, DRAFT_BOX = "legislation-agg-box", "legislation-mun-box", "legislation-draft-box"
AGG_BAR, AGG_BAR_CAPTION = "legislation-agg-bar", "legislation-agg-bar-caption"
AGG_TABLE, AGG_LACKING = "legislation-agg-table", "legislation-agg-lacking"
AGG_HEAT, AGG_HEAT_CAPTION = "legislation-agg-heat", "legislation-agg-heat-caption"
AGG_TIME, AGG_TIME_CAPTION = "legislation-agg-time", "legislation-agg-time-caption"
AGG_CSV_BUTTON, AGG_CSV = "legislation-agg-csv-button", "legislation-agg-csv"
HEAT_CSV_BUTTON, HEAT_CSV = "legislation-heat-csv-button", "legislation-heat-csv"
PICKER = "legislation-municipality"
CONDITIONS = "legislation-conditions"
NIS2 = "legislation-nis2"
MUN_RESULT = "legislation-mun-result"
MUN_TIME, MUN_TIME_CAPTION = "legislation-mun-time", "legislation-mun-time-caption"
MUN_CSV_BUTTON, MUN_CSV = "legislation-mun-csv-button", "legislation-mun-csv"
DRAFT_FROM = "legislation-draft-from"
DRAFT_POP = "legislation-draft-pop"
DRAFT_ID = "legislation-draft-id"
REQ_ELEMENT, REQ_MIN, REQ_DEADLINE, REQ_IF, REQ_STATUS = (
    "legislation-req-element", "legislation-req-min", "legislation-req-deadline",
    "legislation-req-if", "legislation-req-status")
# the editor's columns: (component type, i18n field, column width)
REQ_COLUMNS = ((REQ_ELEMENT, "element", 3), (REQ_MIN, "min", 2), (REQ_DEADLINE, "deadline", 3),
               (REQ_IF, "if", 2), (REQ_STATUS, "status", 2))
DRAFT_RESULT = "legislation-draft-result"
DRAFT_YAML_BUTTON, DRAFT_YAML = "legislation-draft-yaml-button", "legislation-draft-yaml"

VIEWS = ("aggregate", "municipality", "draft")
ANY = "_"  # "no choice" in a select (dbc.Select keeps "" for its own placeholder)
SLOTS = 12
READY, NOT_READY, UNKNOWN, NA = "#2b8a3e", "#c92a2a", "#9aa3ad", "#a9d4b5"
TIMING_COLOURS = {"overdue": "#c92a2a", "due_12m": "#e8890c", "later": "#4a6fa5"}
GRAPH_CONFIG = {"displaylogo": False, "responsive": True}


# ------------------------------------------------------------------ state (permalinks)


def parse_state(query: dict | None) -> dict:
    q = query or {}
    state = {
        "view": q.get("view") if q.get("view") in VIEWS else "aggregate",
        "country": (q.get("country") or "").upper() or None,
        "nuts2": (q.get("nuts2") or "").upper() or None,
        "size": q.get("size") if q.get("size") in SIZE_CLASS_KEYS else None,
        "law": q.get("law") or None,
        "m": q.get("m") or None,
        "nis2": q.get("nis2") if q.get("nis2") in ld.NIS2_CHOICES else None,
        "on": [c for c in (q.get("on") or "").split(",") if c],
    }
    try:
        state["at"] = ld.parse_at(q.get("at"))
    except ValueError:
        state["at"] = ld.today()
    try:
        state["horizon"] = ld.parse_horizon(q.get("horizon"), 0)
    except ValueError:
        state["horizon"] = 0
    return state


def state_query(view, country, nuts2, size, at, horizon, law, m, nis2, on=None) -> str:
    pairs = {"view": view, "country": country, "nuts2": nuts2, "size": size, "at": at,
             "horizon": horizon, "law": law, "m": m, "nis2": nis2,
             "on": ",".join(sorted(on)) if on is not None else None}
    return "?" + urlencode({k: v for k, v in pairs.items() if v not in (None, "", [], ANY)})


def _at(value) -> dt.date:
    try:
        return ld.parse_at(value)
    except ValueError:
        return ld.today()


def _horizon(value) -> int:
    try:
        return ld.parse_horizon(value, 0)
    except ValueError:
        return 0


def selection(country, nuts2, size) -> ld.Selection:
    return ld.Selection(*[None if v in (None, "", ANY) else v for v in (country, nuts2, size)])


# ------------------------------------------------------------------ small builders


def _fig(data: list, height: int, **layout) -> dict:
    base = {"height": height, "margin": {"l": 10, "r": 10, "t": 10, "b": 30},
            "font": {"family": "system-ui, sans-serif", "size": 12, "color": "#212529"},
            "paper_bgcolor": "#ffffff", "plot_bgcolor": "#ffffff",
            "legend": {"orientation": "h", "y": -0.15, "x": 0.5, "xanchor": "center"}}
    return {"data": data, "layout": {**base, **layout}}


def empty_figure(message: str, height: int = 160) -> dict:
    return _fig([], height, xaxis={"visible": False}, yaxis={"visible": False},
                annotations=[{"text": message, "showarrow": False, "x": 0.5, "y": 0.5,
                              "xref": "paper", "yref": "paper"}])


def _card(title: str, question: str, body: list) -> dbc.Card:
    return dbc.Card(dbc.CardBody([html.H2(title, className="h5 mb-1"),
                                  html.P(html.Strong(question), className="mb-2 small"), *body]),
                    className="mb-3")


def _figure(graph_id: str, caption_id: str) -> html.Figure:
    return html.Figure([dcc.Loading(dcc.Graph(id=graph_id, config=GRAPH_CONFIG,
                                              figure=empty_figure("")), type="circle",
                                    delay_show=400),
                        html.Figcaption(id=caption_id, className="small text-body-secondary")],
                       className="mb-2")


def _csv(button_id: str, download_id: str, lang: str):
    return html.Div([dbc.Button(t("legislation.csv", lang), id=button_id, size="sm",
                                color="secondary", outline=True), dcc.Download(id=download_id)],
                    className="mb-2")


def _table(df: pd.DataFrame, columns: dict[str, str]) -> dbc.Table:
    head = html.Thead(html.Tr([html.Th(v, scope="col") for v in columns.values()]))
    body = html.Tbody([html.Tr([html.Td("" if r[c] is None or r[c] != r[c] else r[c])
                                for c in columns]) for r in df.to_dict("records")])
    return dbc.Table([head, body], size="sm", striped=True, hover=True, responsive=True)


def dom_id(component_id) -> str:
    """The DOM id Dash renders for a component id: a pattern-matching (dict) id becomes JSON with
    sorted keys and no spaces (dash-renderer's stringifyId), e.g.
    '{"index":0,"type":"legislation-req-min"}'; what a <label for=...> must name."""
    if isinstance(component_id, dict):
        return json.dumps(component_id, sort_keys=True, separators=(",", ":"))
    return component_id


def _pct(x) -> str:
    return "–" if x is None or x != x else f"{x:.0%}"


def _law_label(row, lang: str) -> str:
    mark = " ⚠" if row["unverified"] else ""
    return f"{row['law']}{mark}"


# ------------------------------------------------------------------ aggregate view


def aggregate(ctx: AppContext, snap, sel: ld.Selection, at: dt.date, horizon: int, lang: str):
    """Everything the aggregate view shows (pure; the callback only unpacks it)."""
    df = ld.law_table(ctx, snap, sel, at, horizon, lang)
    n = int(df["municipalities"].iat[0]) if len(df) else 0
    if n == 0:
        msg = t("legislation.empty.selection", lang)
        return {"bar": empty_figure(msg), "bar_caption": msg, "table": html.P(msg),
                "lacking": "", "heat": empty_figure(msg), "heat_caption": msg,
                "time": timeline(ctx, sel, at, lang), "time_caption": "", "df": df}
    if n < ctx.settings.min_group:
        msg = t("legislation.suppressed", lang, n=n, min_group=ctx.settings.min_group)
        return {"bar": empty_figure(msg), "bar_caption": msg, "table": html.P(msg),
                "lacking": "", "heat": empty_figure(msg), "heat_caption": msg,
                "time": timeline(ctx, sel, at, lang), "time_caption": "", "df": df}
    labels = [_law_label(r, lang) for r in df.to_dict("records")]
    bar = _fig([
        {"type": "bar", "orientation": "h", "y": labels, "x": (df[k] / n).tolist(),
         "name": t(f"legislation.status.{k}", lang), "marker": {"color": c},
         "customdata": df[k].tolist(), "hovertemplate": "%{y}: %{customdata} (%{x:.0%})"}
        for k, c in (("ready", READY), ("not_ready", NOT_READY), ("unknown", UNKNOWN))],
        28 * len(df) + 80, barmode="stack", xaxis={"tickformat": ".0%", "range": [0, 1]},
        yaxis={"autorange": "reversed"}, margin={"l": 110, "r": 10, "t": 10, "b": 40})
    best = df.sort_values("share_ready", ascending=False).iloc[0]
    worst = df.sort_values("share_ready").iloc[0]
    caption = t("legislation.agg.caption", lang, n=n, best=best["law"],
                best_share=_pct(best["share_ready"]), worst=worst["law"],
                worst_share=_pct(worst["share_ready"]), at=at.isoformat())
    shown = df.assign(
        law=[f"{r['law']} – {r['name']}" + (" (" + t("legislation.unverified", lang) + ")"
                                             if r["unverified"] else "")
             for r in df.to_dict("records")],
        share_ready=df["share_ready"].map(_pct))
    table = _table(shown, {"law": t("legislation.col.law", lang),
                           "ready": t("legislation.status.ready", lang),
                           "not_ready": t("legislation.status.not_ready", lang),
                           "unknown": t("legislation.status.unknown", lang),
                           "share_ready": t("legislation.col.share", lang),
                           "next_deadline": t("legislation.col.next_deadline", lang)})
    _, res = ld.population(ctx, snap, sel, at, horizon)
    lack = ld.lacking_table(ctx, res, res.law_ids, n, lang=lang)
    lacking = _table(lack.assign(share_gap=lack["share_gap"].map(_pct)),
                     {"law": t("legislation.col.law", lang),
                      "element": t("legislation.col.element", lang),
                      "element_name": t("legislation.col.element_name", lang),
                      "gap": t("legislation.col.gap_n", lang),
                      "unknown": t("legislation.status.unknown", lang),
                      "share_gap": t("legislation.col.share_gap", lang)}) if len(lack) else \
        html.P(t("legislation.lacking.none", lang))
    heat, heat_caption = heatmap(ctx, snap, sel, at, horizon, lang)
    return {"bar": bar, "bar_caption": caption, "table": table, "lacking": lacking,
            "heat": heat, "heat_caption": heat_caption, "time": timeline(ctx, sel, at, lang),
            "time_caption": t("legislation.time.caption", lang, at=at.isoformat()), "df": df}


def heatmap(ctx: AppContext, snap, sel: ld.Selection, at, horizon, lang: str):
    hm = ld.heatmap_table(ctx, snap, sel, at, horizon)
    if hm.shape[1] == 0:
        msg = t("legislation.empty.selection", lang)
        return empty_figure(msg), msg
    z = hm.to_numpy(dtype=float)
    hidden = int(np.isnan(z[0]).sum()) if len(z) else 0
    text = np.where(np.isnan(z), "–", np.char.mod("%.0f%%", np.nan_to_num(z) * 100))
    fig = _fig([{"type": "heatmap", "z": np.round(z, 3).tolist(), "x": list(hm.columns),
                 "y": list(hm.index), "zmin": 0, "zmax": 1, "colorscale": "Greens",
                 "text": text.tolist(), "texttemplate": "%{text}" if z.size < 800 else None,
                 "hoverongaps": False, "colorbar": {"tickformat": ".0%"},
                 "hovertemplate": "%{y} · %{x}: %{text}<extra></extra>"}],
               26 * len(hm.index) + 90, plot_bgcolor="#e9ecef",
               yaxis={"autorange": "reversed"}, margin={"l": 110, "r": 10, "t": 10, "b": 60})
    caption = t("legislation.heat.caption", lang, regions=hm.shape[1], hidden=hidden,
                min_group=ctx.settings.min_group)
    return fig, caption


def timeline(ctx: AppContext, sel: ld.Selection, at: dt.date, lang: str, rows=None) -> dict:
    """Deadlines per law on a time axis, coloured overdue / due in 12 months / later."""
    inp = ld.inputs(ctx)
    if rows is None:
        rows = [(law_id, d, unv) for law_id in inp.law_ids
                for d, unv in ld.law_deadlines(inp, inp.law(law_id), sel.country)]
    if not rows:
        return empty_figure(t("legislation.time.none", lang))
    data = []
    for kind, colour in TIMING_COLOURS.items():
        pts = [(lid, d, unv) for lid, d, unv in rows if ld.timing(d, at) == kind]
        if pts:
            data.append({"type": "scatter", "mode": "markers", "name": t(f"legislation.timing.{kind}", lang),
                         "x": [d.isoformat() for _, d, _ in pts], "y": [lid for lid, _, _ in pts],
                         "marker": {"color": colour, "size": 10,
                                    "symbol": ["circle-open" if u else "circle" for *_, u in pts]},
                         "hovertemplate": "%{y}: %{x}<extra></extra>"})
    laws = sorted({r[0] for r in rows})
    return _fig(data, 22 * len(laws) + 100, yaxis={"autorange": "reversed", "type": "category"},
                xaxis={"type": "date"}, margin={"l": 110, "r": 10, "t": 10, "b": 40},
                shapes=[{"type": "line", "x0": at.isoformat(), "x1": at.isoformat(), "y0": 0,
                         "y1": 1, "yref": "paper", "line": {"color": "#212529", "dash": "dot"}}])


# ------------------------------------------------------------------ municipality view


def municipality(ctx: AppContext, snap, m: str | None, checked, nis2, at: dt.date, horizon: int,
                 lang: str):
    """(content, timeline figure, caption, csv frame) for one municipality; None frame when
    nothing is shown."""
    if not m:
        msg = t("legislation.mun.pick", lang)
        return html.P(msg), empty_figure(msg), "", None
    try:
        row = snap.maturity.index_of(m)
    except KeyError:
        msg = t("legislation.mun.unknown", lang, m=m)
        return dbc.Alert(msg, color="warning"), empty_figure(msg), "", None
    if not ctx.visible(snap, row):
        msg = t("legislation.mun.hidden", lang)
        return dbc.Alert(msg, color="info"), empty_figure(msg), "", None
    b = ld.base(ctx, snap)
    inp = ld.inputs(ctx)
    country = str(b.countries[row])
    pop = b.population[row]
    pop = None if pop != pop else float(pop)
    plain = resolve_municipality(inp, country, pop)
    overrides = ld.condition_overrides(inp, plain, checked) if checked is not None else {}
    mr = municipality_readiness(inp, b.levels[row], country=country, at=at, horizon_days=horizon,
                                population=pop, overrides=overrides,
                                country_overrides=ld.country_overrides(country, nis2))
    records, gaps, applied, time_rows = [], [], [], []
    for lr in mr.laws:
        law = inp.law(lr.law)
        records.append({"law": f"{lr.law} – {ld.law_name(law, lang)}",
                        "status": t(f"legislation.status.{lr.status}", lang),
                        "gaps": len(lr.legal.gaps), "unknown": len(lr.legal.unknown)})
        for g in (*lr.legal.gaps, *lr.legal.unknown):
            gaps.append({"law": lr.law, "element": g.element, "level": g.level, "min": g.min,
                         "gap": g.gap, "deadline": g.deadline.isoformat() if g.deadline else None,
                         "timing": t(f"legislation.timing.{ld.timing(g.deadline, at)}", lang),
                         "unverified": g.confidence == "check"})
            if g.deadline:
                time_rows.append((lr.law, g.deadline, g.confidence == "check"))
        for c in lr.requirements:
            cond = c.condition
            applied.append({"law": lr.law, "element": c.element, "min": c.min,
                            "counts_for": c.counts_for, "applies": c.applies,
                            "condition": cond.id if cond else "",
                            "value": "" if cond is None else str(cond.value),
                            "origin": cond.origin if cond else "",
                            "why": (cond.detail if cond else "") + (
                                f"; {c.population_rule}" if c.population_rule else ""),
                            "deadline": c.deadline.isoformat() if c.deadline else "",
                            "unverified": c.confidence == "check"})
    name = str(ctx.municipalities["name"].iat[row])
    notes = []
    if not b.answered[row]:
        notes.append(dbc.Alert(t("legislation.mun.noanswers", lang, wave=b.wave), color="warning"))
    n_ready = sum(lr.ready for lr in mr.laws)
    content = html.Div([
        *notes,
        html.P(t("legislation.mun.summary", lang, name=name, ready=n_ready, laws=len(mr.laws),
                 at=at.isoformat())),
        _table(pd.DataFrame(records), {"law": t("legislation.col.law", lang),
                                       "status": t("legislation.col.status", lang),
                                       "gaps": t("legislation.col.gaps", lang),
                                       "unknown": t("legislation.status.unknown", lang)}),
        html.H3(t("legislation.mun.gaps", lang), className="h6"),
        _table(pd.DataFrame(gaps), {"law": t("legislation.col.law", lang),
                                    "element": t("legislation.col.element", lang),
                                    "level": t("legislation.col.level", lang),
                                    "min": t("legislation.col.min", lang),
                                    "gap": t("legislation.col.gap", lang),
                                    "deadline": t("legislation.col.deadline", lang),
                                    "timing": t("legislation.col.timing", lang)})
        if gaps else html.P(t("legislation.mun.nogaps", lang)),
        html.Details([html.Summary(t("legislation.mun.applied", lang)),
                      _table(pd.DataFrame(applied), {
                          "law": t("legislation.col.law", lang),
                          "element": t("legislation.col.element", lang),
                          "min": t("legislation.col.min", lang),
                          "counts_for": t("legislation.col.counts_for", lang),
                          "condition": t("legislation.col.condition", lang),
                          "value": t("legislation.col.value", lang),
                          "origin": t("legislation.col.origin", lang),
                          "why": t("legislation.col.why", lang),
                          "deadline": t("legislation.col.deadline", lang)})]),
    ])
    fig = timeline(ctx, ld.Selection(country), at, lang, rows=time_rows) if time_rows else \
        empty_figure(t("legislation.mun.nogaps", lang))
    caption = t("legislation.mun.time.caption", lang,
                overdue=sum(ld.timing(d, at) == "overdue" for _, d, _ in time_rows),
                due=sum(ld.timing(d, at) == "due_12m" for _, d, _ in time_rows))
    frame = pd.DataFrame(gaps, columns=["law", "element", "level", "min", "gap", "deadline",
                                        "timing", "unverified"])
    return content, fig, caption, frame


def condition_checklist(ctx: AppContext, snap, m: str | None, on: list[str] | None = None):
    """(options, value) of the municipality-condition checklist: the resolved values, or `on`."""
    inp = ld.inputs(ctx)
    conds = ld.municipality_conditions(inp)
    options = [{"label": c, "value": c} for c in conds]
    if on:
        return options, [c for c in on if c in conds]
    if not m:
        return options, [c for c in conds if inp.condition_default[c]]
    try:
        row = snap.maturity.index_of(m)
    except KeyError:
        return options, []
    b = ld.base(ctx, snap)
    pop = b.population[row]
    plain = resolve_municipality(inp, str(b.countries[row]), None if pop != pop else float(pop))
    return options, [c for c in conds if plain[c].value]


# ------------------------------------------------------------------ draft law (what-if)


def law_rows(law) -> list[dict]:
    return [{"element": r.element, "min": r.min,
             "deadline": r.deadline.isoformat() if r.deadline else r.deadline_ref,
             "applies_if": r.applies_if or "", "status": r.status} for r in law.requirements]


def draft_profile(elements, mins, deadlines, conditions, statuses, pop, law_id="DRAFT") -> dict:
    """The composed profile (law-file shape) from the editor's rows; empty rows are left out."""
    reqs = []
    for e, m, d, c, s in zip(elements, mins, deadlines, conditions, statuses, strict=False):
        if not e or e == ANY:
            continue
        r = {"element": e, "min": int(m) if str(m).isdigit() else m}
        d = (d or "").strip()
        try:
            dt.date.fromisoformat(d)
            r["deadline"] = d
        except ValueError:
            r["deadline_ref" if d else "deadline"] = d or None
        if c and c != ANY:
            r["applies_if"] = c
        if s and s != "required":
            r["status"] = s
        reqs.append(r)
    out = {"id": law_id or "DRAFT", "name": law_id or "DRAFT", "requirements": reqs}
    if pop not in (None, ""):
        out["population_above"] = int(pop) if str(pop).isdigit() else pop
    return out


def draft(ctx: AppContext, snap, profile: dict, sel: ld.Selection, at: dt.date, horizon: int,
          lang: str):
    """(content, law or None, by-region frame) of a composed profile over the selection."""
    inp = ld.inputs(ctx)
    if not profile.get("requirements"):
        return dbc.Alert(t("legislation.draft.empty", lang), color="info"), None, None
    try:
        law = validate_profile(profile, inp)
    except ProfileError as e:
        return dbc.Alert(t("legislation.draft.invalid", lang, problem=str(e)),
                         color="warning"), None, None
    sub = ld.subset(ctx, snap, sel)
    n = len(sub.rows)
    if n < ctx.settings.min_group:
        msg = t("legislation.empty.selection", lang) if n == 0 else \
            t("legislation.suppressed", lang, n=n, min_group=ctx.settings.min_group)
        return dbc.Alert(msg, color="info"), law, None
    wi = what_if(inp, law, sub.levels, sub.table, at=at, horizon_days=horizon)
    s = wi.summary
    b = ld.base(ctx, snap)
    field = b.countries if sel.group_field == "country" else b.nuts2
    codes, inv = np.unique(field[sub.rows], return_inverse=True)
    g = wi.result.by_group(law.id, inv, len(codes))
    counts = g.sum(axis=1)
    ok = counts >= ctx.settings.min_group
    regions = pd.DataFrame({"region": codes.astype(str), "municipalities": counts,
                            "ready": np.where(ok, g[:, 0] + g[:, 1], -1),
                            "share_ready": np.where(ok, (g[:, 0] + g[:, 1]) / np.maximum(counts, 1),
                                                    np.nan)})
    regions["ready"] = regions["ready"].astype(object).where(ok, None)
    lack = pd.DataFrame(wi.lacking(), columns=["element", "gap", "unknown"])
    share = s["ready_total"] / n
    content = html.Div([
        html.P([html.Span(_pct(share), className="display-6 me-2", id="legislation-draft-share"),
                t("legislation.draft.summary", lang, ready=s["ready_total"], n=n,
                  not_ready=s["not_ready"], unknown=s["unknown"], at=at.isoformat())],
               **{"aria-live": "polite"}),
        dbc.Row([
            dbc.Col([html.H3(t("legislation.draft.where", lang), className="h6"),
                     _table(regions.assign(share_ready=regions["share_ready"].map(_pct)),
                            {"region": t("legislation.col.region", lang),
                             "municipalities": t("legislation.col.n", lang),
                             "ready": t("legislation.status.ready", lang),
                             "share_ready": t("legislation.col.share", lang)})], md=6),
            dbc.Col([html.H3(t("legislation.draft.lacking", lang), className="h6"),
                     _table(lack, {"element": t("legislation.col.element", lang),
                                   "gap": t("legislation.col.gap_n", lang),
                                   "unknown": t("legislation.status.unknown", lang)})
                     if len(lack) else html.P(t("legislation.lacking.none", lang))], md=6),
        ]),
    ])
    return content, law, regions


# ------------------------------------------------------------------ layout


def _options_countries(ctx: AppContext, lang: str) -> list[dict]:
    codes = sorted(ctx.municipalities["country"].astype(str).unique())
    return [{"label": t("legislation.eu", lang), "value": ANY}] + [
        {"label": f"{profile_page.country_name(ctx, c, lang)} ({c})", "value": c} for c in codes]


def nuts2_options(ctx: AppContext, country: str | None, lang: str) -> list[dict]:
    opts = [{"label": t("legislation.all_regions", lang), "value": ANY}]
    if not country:
        return opts
    ref = ctx.municipalities
    codes = sorted(ref.loc[ref["country"] == country, "nuts2"].dropna().astype(str).unique())
    names = profile_page._nuts_names(ctx.settings.reference_dir)
    return opts + [{"label": f"{names.get(c, c)} ({c})", "value": c} for c in codes]


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
    st = parse_state(query)
    inp = ld.inputs(ctx)
    index = search_index(ctx)
    picked = [r for r in [index.row_of(st["m"])] if r is not None] if st["m"] else []
    cond_options, cond_value = condition_checklist(ctx, snap, st["m"], st["on"] or None)
    law_options = [{"label": f"{lid} – {ld.law_name(inp.law(lid), lang)}", "value": lid}
                   for lid in inp.law_ids]
    base_law = st["law"] if st["law"] in inp.law_ids else None
    rows = law_rows(inp.law(base_law)) if base_law else [
        {"element": ctx.framework.element_ids[0], "min": 2, "deadline": st["at"].isoformat(),
         "applies_if": "", "status": "required"}]
    rows += [{"element": "", "min": 2, "deadline": "", "applies_if": "", "status": "required"}] * (
        SLOTS - len(rows))
    el_opts = [{"label": "—", "value": ANY}] + [{"label": e, "value": e}
                                               for e in ctx.framework.element_ids]
    cond_opts = [{"label": t("legislation.draft.always", lang), "value": ANY}] + [
        {"label": c, "value": c} for c in inp.bool_conditions]
    lvl_opts = [{"label": str(i), "value": str(i)} for i in range(5)]
    status_opts = [{"label": t(f"law.status.{s}", lang), "value": s}
                   for s in ("required", "recommended", "target")]

    def control(kind, i, r):
        cid = {"type": kind, "index": i}
        if kind == REQ_ELEMENT:
            return dbc.Select(id=cid, options=el_opts, value=r["element"] or ANY)
        if kind == REQ_MIN:
            return dbc.Select(id=cid, options=lvl_opts, value=str(r["min"]))
        if kind == REQ_DEADLINE:
            return dbc.Input(id=cid, value=r["deadline"] or "", placeholder="YYYY-MM-DD",
                             debounce=True)
        if kind == REQ_IF:
            return dbc.Select(id=cid, options=cond_opts, value=r["applies_if"] or ANY)
        return dbc.Select(id=cid, options=status_opts, value=r["status"])

    def slot(i, r):
        # dbc.Select takes no aria-label: a visually hidden <label for> names every control
        # ("Requirement 3: minimum level"); the visible column heads are for sighted users
        return dbc.Row([
            dbc.Col([dbc.Label(t("legislation.draft.row", lang, n=i + 1,
                                 field=t(f"legislation.draft.col.{field}", lang)),
                               html_for=dom_id({"type": kind, "index": i}),
                               className="visually-hidden"),
                     control(kind, i, r)], xs=width)
            for kind, field, width in REQ_COLUMNS], className="g-1 mb-1")

    # html.Div, not dbc.Row: dbc.Row takes no aria-hidden (each control has its own label)
    slot_heads = html.Div([html.Div(t(f"legislation.draft.col.{field}", lang), className=f"col-{width}")
                           for _, field, width in REQ_COLUMNS],
                          className="row g-1 mb-1 small fw-semibold", **{"aria-hidden": "true"})

    def show(v):
        return {} if st["view"] == v else {"display": "none"}

    controls = dbc.Card(dbc.CardBody(dbc.Row([
        dbc.Col(html.Fieldset([html.Legend(t("legislation.view", lang), className="form-label fs-6"),
                               dbc.RadioItems(id=VIEW, value=st["view"], inline=True, options=[
                                   {"label": t(f"legislation.view.{v}", lang), "value": v}
                                   for v in VIEWS])]), lg=12, className="mb-2"),
        dbc.Col([dbc.Label(t("legislation.country", lang), html_for=COUNTRY),
                 dbc.Select(id=COUNTRY, value=st["country"] or ANY,
                            options=_options_countries(ctx, lang))], md=3),
        dbc.Col([dbc.Label(t("legislation.nuts2", lang), html_for=NUTS2),
                 dbc.Select(id=NUTS2, value=st["nuts2"] or ANY,
                            options=nuts2_options(ctx, st["country"], lang))], md=3),
        dbc.Col([dbc.Label(t("legislation.size", lang), html_for=SIZE),
                 dbc.Select(id=SIZE, value=st["size"] or ANY, options=[
                     {"label": t("legislation.all_sizes", lang), "value": ANY}] + [
                     {"label": size_class_label(k, lang), "value": k} for k in SIZE_CLASS_KEYS])], md=2),
        dbc.Col([dbc.Label(t("legislation.at", lang), html_for=AT),
                 dbc.Input(id=AT, type="date", value=st["at"].isoformat(), debounce=True)], md=2),
        dbc.Col([dbc.Label(t("legislation.horizon", lang), html_for=HORIZON),
                 dbc.Input(id=HORIZON, type="number", min=0, max=ld.MAX_HORIZON, step=1,
                           value=st["horizon"], debounce=True)], md=2),
    ])), className="mb-3")

    agg = html.Div([
        _card(t("legislation.agg.title", lang), t("legislation.agg.question", lang), [
            _figure(AGG_BAR, AGG_BAR_CAPTION), html.Div(id=AGG_TABLE),
            _csv(AGG_CSV_BUTTON, AGG_CSV, lang)]),
        _card(t("legislation.lacking.title", lang), t("legislation.lacking.question", lang),
              [html.Div(id=AGG_LACKING)]),
        _card(t("legislation.heat.title", lang), t("legislation.heat.question", lang),
              [_figure(AGG_HEAT, AGG_HEAT_CAPTION), _csv(HEAT_CSV_BUTTON, HEAT_CSV, lang)]),
        _card(t("legislation.time.title", lang), t("legislation.time.question", lang),
              [_figure(AGG_TIME, AGG_TIME_CAPTION)]),
    ], id=AGG_BOX, style=show("aggregate"))
    mun = html.Div([_card(t("legislation.mun.title", lang), t("legislation.mun.question", lang), [
        dbc.Row([
            dbc.Col(picker(PICKER, t("legislation.mun.picker", lang), st["m"], picked, index, lang,
                           placeholder=t("legislation.mun.pick", lang), clearable=True,
                           help_text=False), md=5),
            dbc.Col([dbc.Label(t("legislation.nis2", lang), html_for=NIS2),
                     dbc.Select(id=NIS2, value=st["nis2"] or ANY, options=[
                         {"label": t("legislation.nis2.file", lang), "value": ANY}] + [
                         {"label": t(f"legislation.nis2.{v}", lang), "value": v}
                         for v in ld.NIS2_CHOICES])], md=3),
            dbc.Col(html.Fieldset([html.Legend(t("legislation.conditions", lang),
                                               className="form-label fs-6"),
                                   dbc.Checklist(id=CONDITIONS, options=cond_options,
                                                 value=cond_value, className="small")]), md=4),
        ]),
        html.Div(id=MUN_RESULT, **{"aria-live": "polite"}),
        _figure(MUN_TIME, MUN_TIME_CAPTION), _csv(MUN_CSV_BUTTON, MUN_CSV, lang)])],
        id=MUN_BOX, style=show("municipality"))
    dr = html.Div([_card(t("legislation.draft.title", lang), t("legislation.draft.question", lang), [
        dbc.Row([
            dbc.Col([dbc.Label(t("legislation.draft.from", lang), html_for=LAW),
                     dbc.Select(id=LAW, value=base_law or ANY, options=[
                         {"label": t("legislation.draft.new", lang), "value": ANY}, *law_options])],
                    md=5),
            dbc.Col([dbc.Label(t("legislation.draft.id", lang), html_for=DRAFT_ID),
                     dbc.Input(id=DRAFT_ID, value=base_law or "DRAFT", debounce=True)], md=3),
            dbc.Col([dbc.Label(t("legislation.draft.pop", lang), html_for=DRAFT_POP),
                     dbc.Input(id=DRAFT_POP, type="number", min=0, debounce=True,
                               value=inp.law(base_law).population_above if base_law else None)],
                    md=4),
        ], className="mb-2"),
        html.P(t("legislation.draft.columns", lang), className="small text-body-secondary"),
        html.Div([slot_heads, *[slot(i, r) for i, r in enumerate(rows)]]),
        html.Div(id=DRAFT_RESULT, className="mt-3"),
        html.Div([dbc.Button(t("legislation.draft.yaml", lang), id=DRAFT_YAML_BUTTON, size="sm",
                             color="primary", outline=True), dcc.Download(id=DRAFT_YAML)])])],
        id=DRAFT_BOX, style=show("draft"))
    return html.Div([*header, controls, agg, mun, dr,
                     html.P(t("legislation.footnote", lang, min_group=ctx.settings.min_group),
                            className="small text-body-secondary")], className="legislation-page")


# ------------------------------------------------------------------ callbacks


SEL = [Input(COUNTRY, "value"), Input(NUTS2, "value"), Input(SIZE, "value"), Input(AT, "value"),
       Input(HORIZON, "value")]
SLOT_INPUTS = [Input({"type": k, "index": ALL}, "value")
               for k in (REQ_ELEMENT, REQ_MIN, REQ_DEADLINE, REQ_IF, REQ_STATUS)]


def register(app, ctx: AppContext) -> None:
    @app.callback(Output(ids.URL, "search", allow_duplicate=True),
                  Input(VIEW, "value"), *SEL, Input(LAW, "value"), Input(PICKER, "value"),
                  Input(NIS2, "value"), Input(CONDITIONS, "value"), prevent_initial_call=True)
    def _url(view, country, nuts2, size, at, horizon, law, m, nis2, on):
        return state_query(view, country, nuts2, size, at, horizon, law, m, nis2,
                           on if m else None)

    @app.callback(Output(AGG_BOX, "style"), Output(MUN_BOX, "style"), Output(DRAFT_BOX, "style"),
                  Input(VIEW, "value"))
    def _views(view):
        return [{} if view == v else {"display": "none"} for v in VIEWS]

    @app.callback(Output(NUTS2, "options"), Output(NUTS2, "value"), Input(COUNTRY, "value"),
                  State(NUTS2, "value"), State(ids.LANG, "value"), prevent_initial_call=True)
    def _nuts2(country, nuts2, lang):
        opts = nuts2_options(ctx, country, normalise_lang(lang))
        return opts, nuts2 if nuts2 in {o["value"] for o in opts} else ANY

    @app.callback(Output(AGG_BAR, "figure"), Output(AGG_BAR_CAPTION, "children"),
                  Output(AGG_TABLE, "children"), Output(AGG_LACKING, "children"),
                  Output(AGG_HEAT, "figure"), Output(AGG_HEAT_CAPTION, "children"),
                  Output(AGG_TIME, "figure"), Output(AGG_TIME_CAPTION, "children"),
                  *SEL, State(ids.LANG, "value"))
    def _aggregate(country, nuts2, size, at, horizon, lang):
        snap = ctx.warehouse.snapshot()
        if snap is None:
            return (no_update,) * 8
        a = aggregate(ctx, snap, selection(country, nuts2, size), _at(at), _horizon(horizon),
                      normalise_lang(lang))
        return (a["bar"], a["bar_caption"], a["table"], a["lacking"], a["heat"],
                a["heat_caption"], a["time"], a["time_caption"])

    @app.callback(Output(AGG_CSV, "data"), Input(AGG_CSV_BUTTON, "n_clicks"), *[
        State(i.component_id, i.component_property) for i in SEL], State(ids.LANG, "value"),
        prevent_initial_call=True)
    def _agg_csv(_, country, nuts2, size, at, horizon, lang):
        snap = ctx.warehouse.snapshot()
        df = ld.law_table(ctx, snap, selection(country, nuts2, size), _at(at), _horizon(horizon),
                          normalise_lang(lang))
        return dcc.send_data_frame(df.to_csv, "legislation-readiness.csv", index=False)

    @app.callback(Output(HEAT_CSV, "data"), Input(HEAT_CSV_BUTTON, "n_clicks"), *[
        State(i.component_id, i.component_property) for i in SEL], prevent_initial_call=True)
    def _heat_csv(_, country, nuts2, size, at, horizon):
        snap = ctx.warehouse.snapshot()
        df = ld.heatmap_table(ctx, snap, selection(country, nuts2, size), _at(at), _horizon(horizon))
        return dcc.send_data_frame(df.rename_axis("law").to_csv, "legislation-heatmap.csv")

    @app.callback(Output(PICKER, "options"), Input(PICKER, "search_value"), State(PICKER, "value"),
                  prevent_initial_call=True)
    def _search(search, value):
        return search_options(ctx, search, value)

    @app.callback(Output(CONDITIONS, "value"), Input(PICKER, "value"), prevent_initial_call=True)
    def _conditions(m):
        return condition_checklist(ctx, ctx.warehouse.snapshot(), m)[1]

    @app.callback(Output(MUN_RESULT, "children"), Output(MUN_TIME, "figure"),
                  Output(MUN_TIME_CAPTION, "children"), Input(PICKER, "value"),
                  Input(CONDITIONS, "value"), Input(NIS2, "value"), Input(AT, "value"),
                  Input(HORIZON, "value"), State(ids.LANG, "value"))
    def _municipality(m, checked, nis2, at, horizon, lang):
        snap = ctx.warehouse.snapshot()
        if snap is None:
            return no_update, no_update, no_update
        content, fig, caption, _ = municipality(ctx, snap, m, checked, nis2 or None, _at(at),
                                                _horizon(horizon), normalise_lang(lang))
        return content, fig, caption

    @app.callback(Output(MUN_CSV, "data"), Input(MUN_CSV_BUTTON, "n_clicks"),
                  State(PICKER, "value"), State(CONDITIONS, "value"), State(NIS2, "value"),
                  State(AT, "value"), State(HORIZON, "value"), State(ids.LANG, "value"),
                  prevent_initial_call=True)
    def _mun_csv(_, m, checked, nis2, at, horizon, lang):
        frame = municipality(ctx, ctx.warehouse.snapshot(), m, checked, nis2 or None, _at(at),
                             _horizon(horizon), normalise_lang(lang))[3]
        if frame is None:
            return no_update
        return dcc.send_data_frame(frame.to_csv, f"legislation-{m}.csv", index=False)

    @app.callback(*[Output({"type": k, "index": ALL}, "value")
                    for k in (REQ_ELEMENT, REQ_MIN, REQ_DEADLINE, REQ_IF, REQ_STATUS)],
                  Output(DRAFT_POP, "value"), Output(DRAFT_ID, "value"),
                  Input(LAW, "value"), prevent_initial_call=True)
    def _load_law(law_id):
        inp = ld.inputs(ctx)
        if law_id not in inp.law_ids:
            return no_update
        law = inp.law(law_id)
        rows = law_rows(law)[:SLOTS]
        rows += [{"element": "", "min": 2, "deadline": "", "applies_if": "",
                  "status": "required"}] * (SLOTS - len(rows))
        return ([r["element"] or ANY for r in rows], [str(r["min"]) for r in rows],
                [r["deadline"] or "" for r in rows], [r["applies_if"] or ANY for r in rows],
                [r["status"] for r in rows], law.population_above, law.id)

    @app.callback(Output(DRAFT_RESULT, "children"), *SLOT_INPUTS, Input(DRAFT_POP, "value"),
                  Input(DRAFT_ID, "value"), *SEL, State(ids.LANG, "value"))
    def _draft(elements, mins, deadlines, conds, statuses, pop, law_id, country, nuts2, size, at,
               horizon, lang):
        snap = ctx.warehouse.snapshot()
        if snap is None:
            return no_update
        prof = draft_profile(elements, mins, deadlines, conds, statuses, pop, law_id)
        return draft(ctx, snap, prof, selection(country, nuts2, size), _at(at), _horizon(horizon),
                     normalise_lang(lang))[0]

    @app.callback(Output(DRAFT_YAML, "data"), Input(DRAFT_YAML_BUTTON, "n_clicks"),
                  *[State(i.component_id, i.component_property) for i in SLOT_INPUTS],
                  State(DRAFT_POP, "value"), State(DRAFT_ID, "value"), prevent_initial_call=True)
    def _yaml(_, elements, mins, deadlines, conds, statuses, pop, law_id):
        text = draft_yaml(ctx, draft_profile(elements, mins, deadlines, conds, statuses, pop, law_id))
        if text is None:
            return no_update
        return {"content": text, "filename": f"{law_id or 'DRAFT'}.yaml", "type": "text/yaml"}


def draft_yaml(ctx: AppContext, profile: dict) -> str | None:
    try:
        return law_to_yaml(validate_profile(profile, ld.inputs(ctx)))
    except ProfileError:
        return None
