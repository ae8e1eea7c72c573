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
from dash import ALL, Input, Output, State, callback_context, dcc, html, no_update
from dash.exceptions import PreventUpdate

from dashboard import ids, laws, warmup
from dashboard.components import colours
from dashboard.components.downloads import chosen_format, download_control, download_inputs, table_download
from dashboard.components.figures import localised_config
from dashboard.components.municipality_picker import picker, search_index, search_options
from dashboard.components.numbers import fmt_int, plotly_separators
from dashboard.components.places import country_name, nuts_names
from dashboard.components.readiness_text import horizon_phrase
from dashboard.components.tables import static_table
from dashboard.components.url_notices import alerts
from dashboard.context import AppContext
from dashboard.i18n import normalise_lang, t
from dashboard.views.legislation import data as ld
from pipelines.maturity.readiness import (
    N_STATUS,
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
GRAPH_CONFIG = {"displaylogo": False, "responsive": True}


def graph_config(lang: str) -> dict:
    return localised_config(GRAPH_CONFIG, lang)


# ------------------------------------------------------------------ state (permalinks)


HORIZON_CHOICES = (ld.ALL, "0", "90", "365", "730", "1825")


def parse_state(query: dict | None, ctx: AppContext | None = None) -> dict:
    """The state a URL asks for, with unknown values replaced by defaults; `notices` lists what
    was replaced (as i18n keys with values), so that the page says so instead of showing the
    default's numbers as if they were asked for. Without `ctx` only the format is checked."""
    q = query or {}
    notices: list = []
    view = q.get("view") or "aggregate"
    if view not in VIEWS:
        notices.append(("url.notice.view", {"value": view, "fallback": "aggregate"}))
        view = "aggregate"
    size = q.get("size") or None
    if size is not None and size not in SIZE_CLASS_KEYS:
        notices.append(("url.notice.size", {"value": size}))
        size = None
    state = {
        "view": view,
        "country": (q.get("country") or "").strip().upper() or None,
        "nuts2": (q.get("nuts2") or "").strip().upper() or None,
        "size": size,
        "law": q.get("law") or None,
        "m": (q.get("m") or "").strip() or None,
        "nis2": q.get("nis2") if q.get("nis2") in ld.NIS2_CHOICES else None,
        "on": [c for c in (q.get("on") or "").split(",") if c],
        "draft": q.get("draft") or None,
        "draft_id": q.get("draft_id") or None,
        "draft_pop": q.get("draft_pop") or None,
    }
    try:
        state["at"] = ld.parse_at(q.get("at"))
    except ValueError:
        state["at"] = laws.today()
        notices.append(("url.notice.date", {"value": q.get("at"),
                                            "fallback": state["at"].isoformat()}))
    try:
        state["horizon"] = ld.parse_horizon(q.get("horizon"))
    except ValueError:
        state["horizon"] = ld.DEFAULT_HORIZON
        notices.append(("url.notice.horizon", {"value": q.get("horizon"), "max": ld.MAX_HORIZON,
                                               "fallback": "url.fallback.all_deadlines"}))
    if ctx is not None:
        notices += _check_codes(ctx, state)
    state["notices"] = notices
    return state


def _check_codes(ctx: AppContext, state: dict) -> list:
    """Country, region, municipality and law of the state against the reference data."""
    notices = []
    ref = ctx.municipalities
    countries = set(ref["country"].astype(str))
    if state["country"] and state["country"] not in countries:
        notices.append(("url.notice.country", {"value": state["country"],
                                                 "fallback": "url.fallback.eu"}))
        state["country"] = None
    if state["nuts2"]:
        in_country = ref if not state["country"] else ref[ref["country"] == state["country"]]
        if state["nuts2"] not in set(in_country["nuts2"].dropna().astype(str)):
            notices.append(("url.notice.nuts2", {"value": state["nuts2"],
                                                 "country": state["country"] or "EU"}))
            state["nuts2"] = None
    if state["m"] and search_index(ctx).row_of(state["m"]) is None:
        notices.append(("url.notice.municipality", {"value": state["m"]}))
        state["m"] = None
    if state["law"] and state["law"] not in ld.inputs(ctx).law_ids:
        notices.append(("url.notice.law", {"value": state["law"]}))
        state["law"] = None
    return notices


def state_query(view, country, nuts2, size, at, horizon, law, m, nis2, on=None,
                draft=None) -> str:
    """The URL query of a state; `draft` (the editor's rows, id and population) as
    `draft_text` writes them, so that a draft law can be shared as a link."""
    d = draft or {}
    pairs = {"view": view, "country": country, "nuts2": nuts2, "size": size, "at": at,
             "horizon": horizon, "law": law, "m": m, "nis2": nis2,
             "on": ",".join(sorted(on)) if on is not None else None,
             "draft": d.get("rows"), "draft_id": d.get("id"), "draft_pop": d.get("pop")}
    return "?" + urlencode({k: v for k, v in pairs.items() if v not in (None, "", [], ANY)})


def _at(value) -> dt.date:
    try:
        return ld.parse_at(value)
    except ValueError:
        return laws.today()


def _horizon(value) -> int | None:
    try:
        return ld.parse_horizon(value)
    except ValueError:
        return ld.DEFAULT_HORIZON


def selection(country, nuts2, size, ctx: AppContext | None = None) -> ld.Selection:
    """The selection from control values; with `ctx`, a value that is not a code of the
    reference data (a crafted request) counts as no restriction, so it never reaches a cache."""
    values = [None if not isinstance(v, str) or v in ("", ANY) else v
              for v in (country, nuts2, size)]
    if ctx is not None:
        known = _codes(ctx)
        values = [v if v in codes else None for v, codes in zip(values, known, strict=True)]
    return ld.Selection(*values)


def _codes(ctx: AppContext) -> tuple[frozenset, frozenset, frozenset]:
    """Country, NUTS 2 and size-class codes of the reference data (once per folder)."""
    key = str(ctx.settings.reference_dir)
    hit = _CODES.get(key)
    if hit is None:
        ref = ctx.municipalities
        hit = _CODES[key] = (frozenset(ref["country"].astype(str)),
                             frozenset(ref["nuts2"].astype(str)), frozenset(SIZE_CLASS_KEYS))
    return hit


_CODES: dict[str, tuple[frozenset, frozenset, frozenset]] = {}


# ------------------------------------------------------------------ small builders


def _fig(data: list, height: int, lang: str | None = None, **layout) -> dict:
    """A figure in the page's style; with `lang`, its numbers (hover texts such as
    %{customdata:,}) use that language's separators: 59.543 in Dutch, 59,543 in English."""
    base = {"height": height, "margin": {"l": 10, "r": 10, "t": 10, "b": 30},
            "font": {"family": "system-ui, sans-serif", "size": 12, "color": colours.TEXT},
            "paper_bgcolor": colours.PAPER, "plot_bgcolor": colours.PAPER,
            "legend": {"orientation": "h", "y": -0.15, "x": 0.5, "xanchor": "center"}}
    if lang is not None:
        base["separators"] = plotly_separators(lang)
    return {"data": data, "layout": {**base, **layout}}


def empty_figure(message: str, height: int = 160) -> dict:
    return _fig([], height, xaxis={"visible": False}, yaxis={"visible": False},
                annotations=[{"text": message, "showarrow": False, "x": 0.5, "y": 0.5,
                              "xref": "paper", "yref": "paper"}])


def _card(title: str, question: str, body: list) -> dbc.Card:
    return dbc.Card(dbc.CardBody([html.H2(title, className="h5 mb-1"),
                                  html.P(html.Strong(question), className="mb-2 small"), *body]),
                    className="mb-3")


def _figure(graph_id: str, caption_id: str, lang: str) -> html.Figure:
    return html.Figure([dcc.Loading(dcc.Graph(id=graph_id, config=graph_config(lang),
                                              figure=empty_figure("")), type="circle",
                                    delay_show=400),
                        html.Figcaption(id=caption_id, className="small text-body-secondary")],
                       className="mb-2")


def _download(button_id: str, download_id: str, card: str, lang: str):
    return html.Div([download_control(button_id, lang, what=t(f"legislation.{card}.title", lang)),
                     dcc.Download(id=download_id)], className="mb-2")


def _table(df: pd.DataFrame, columns: dict[str, str], label: str = "", **kw) -> html.Div:
    """A read-only table as one component (components/tables.py: the municipality view's
    tables as html components froze the browser for seconds)."""
    return static_table(df, columns, label=label or None, **kw)


def dom_id(component_id) -> str:
    """The DOM id Dash renders for a component id: a pattern-matching (dict) id becomes JSON with
    sorted keys and no spaces (dash-renderer's stringifyId), e.g.
    '{"index":0,"type":"legislation-req-min"}'; what a <label for=...> must name."""
    if isinstance(component_id, dict):
        return json.dumps(component_id, sort_keys=True, separators=(",", ":"))
    return component_id


def _pct(x) -> str:
    return "–" if x is None or pd.isna(x) else f"{x:.0%}"


def _count(x, lang: str) -> str:
    """A count as `lang` writes it (59.543 / 59,543); "–" for a withheld one."""
    return "–" if x is None or pd.isna(x) else fmt_int(x, lang)


def unverified_note(row, lang: str) -> str:
    """" (unverified)" after a law whose own facts are unconfirmed; otherwise which countries'
    national facts (date, scope) the figures rest on without confirmation (framework rule 5)."""
    states = list(row.get("unverified_countries") or [])
    parts = [t("legislation.unverified", lang)] if row.get("law_unverified") else []
    if len(states) == 1:
        parts.append(t("legislation.unverified.state", lang, country=states[0]))
    elif states:
        parts.append(t("legislation.unverified.states", lang, n=len(states),
                       countries=", ".join(states[:6]) + (" …" if len(states) > 6 else "")))
    return f" ({'; '.join(parts)})" if parts else ""


def _law_label(row, lang: str, shorts: dict[str, str]) -> str:
    """A law on a chart axis: its short name (never the id), ⚠ when a fact is unverified."""
    mark = " ⚠" if row["unverified"] else ""
    return f"{shorts.get(row['law'], row['law'])}{mark}"


def law_shorts(ctx: AppContext) -> dict[str, str]:
    """Law id -> the short name the page shows (AI_ACT -> "AI Act")."""
    inp = ld.inputs(ctx)
    return {lid: ld.law_short(inp, lid) for lid in inp.law_ids}


# ------------------------------------------------------------------ aggregate view


BAR_STATUSES = ("ready", "not_ready", "unknown", "suppressed", "not_due", "not_applicable")


def _bar_counts(df: pd.DataFrame) -> dict[str, list[int]]:
    """Municipalities per law and bar segment; a law whose ready/not-ready split is suppressed
    shows its municipalities with something due as one 'suppressed' segment."""
    def n(v) -> int:  # nullable counts: a withheld one is <NA>, which int() refuses
        return 0 if pd.isna(v) else int(v)
    out = {k: [] for k in BAR_STATUSES}
    for r in df.to_dict("records"):
        hidden = bool(r["suppressed"])
        for k in ("ready", "not_ready", "unknown"):
            out[k].append(0 if hidden else n(r[k]))
        out["suppressed"].append(n(r["due"]) if hidden else 0)
        out["not_due"].append(n(r["not_due"]))
        out["not_applicable"].append(n(r["not_applicable"]))
    return out


def _status_colour(k: str) -> str:
    return colours.HIDDEN if k == "suppressed" else colours.STATUS[k]


def aggregate_caption(df: pd.DataFrame, n: int, at: dt.date, horizon, lang: str,
                      shorts: dict[str, str] | None = None) -> str:
    """The sentence under the bars: the most and least ready law among those with a share
    (something due to enough municipalities), and the laws that apply to none; laws by their
    short names (`shorts`, from `law_shorts`), counts as `lang` writes them."""
    shorts = shorts or {}
    shown = df[df["share_ready"].notna()]
    counts = horizon_phrase(horizon, at, lang)
    parts = []
    if len(shown):
        best = shown.sort_values(["share_ready", "law"], ascending=[False, True]).iloc[0]
        worst = shown.sort_values(["share_ready", "law"], ascending=[True, True]).iloc[0]
        parts.append(t("legislation.agg.caption", lang, n=_count(n, lang), counts=counts,
                       best=shorts.get(best["law"], best["law"]),
                       best_share=_pct(best["share_ready"]), best_due=_count(best["due"], lang),
                       worst=shorts.get(worst["law"], worst["law"]),
                       worst_share=_pct(worst["share_ready"]),
                       worst_due=_count(worst["due"], lang)))
    else:
        parts.append(t("legislation.agg.caption.none", lang, n=_count(n, lang), counts=counts))
    none = [shorts.get(x, x) for x in df.loc[df["applies"] == 0, "law"]]
    if none:
        parts.append(t("legislation.agg.caption.na" + (".one" if len(none) == 1 else ""), lang,
                       k=len(none), laws=", ".join(none)))
    return " ".join(parts)


def share_text(row: dict, lang: str) -> str:
    """The share-ready cell: a percentage, or why there is none (does not apply, nothing due
    yet, too few to show): never an empty cell or '0 %' for a law that asks nothing."""
    if not pd.isna(row["share_ready"]):
        return _pct(row["share_ready"])
    if row["applies"] == 0:
        return t("legislation.heat.na", lang)
    if row["due"] == 0:
        return t("legislation.share.not_due", lang)
    return t("legislation.suppressed.short", lang)


def ambition_text(row: dict, lang: str) -> str:
    """The recommendations cell: the share of municipalities that meet every recommendation of
    the law that counts for them (rights, other parties' duties, good practice), or '–' where
    the law recommends nothing due or the group is too small."""
    if pd.isna(row["ambition_share_met"]):
        return "–"
    return _pct(row["ambition_share_met"])


def ambition_status_text(a, lang: str) -> str:
    """One municipality's recommendations of a law (the ambition assessment): all met, how many
    elements are below the recommended level, unknown, or '–' when nothing is recommended yet."""
    if a.status == "ready":
        return t("legislation.ambition.met", lang)
    if a.status == "not_ready":
        return t("legislation.ambition.open", lang, n=len(a.gaps))
    if a.status == "unknown":
        return t("legislation.status.unknown", lang)
    return "–"


def aggregate(ctx: AppContext, snap, sel: ld.Selection, at: dt.date, horizon, lang: str):
    """Everything the aggregate view shows (pure; the callback only unpacks it)."""
    df = ld.law_table(ctx, snap, sel, at, horizon, lang)
    n = int(df["municipalities"].iat[0]) if len(df) else 0
    if n == 0 or n < ctx.settings.min_group or not ld.published(ctx, snap, sel):
        msg = t("legislation.empty.selection", lang) if n == 0 else \
            t("legislation.suppressed", lang, n=n, min_group=ctx.settings.min_group) \
            if n < ctx.settings.min_group else t("legislation.private", lang)
        return {"bar": empty_figure(msg), "bar_caption": msg, "table": html.P(msg),
                "lacking": "", "heat": empty_figure(msg), "heat_caption": msg,
                "time": timeline(ctx, sel, at, lang), "time_caption": "", "df": df}
    shorts = law_shorts(ctx)
    labels = [_law_label(r, lang, shorts) for r in df.to_dict("records")]
    counts = _bar_counts(df)
    bar = _fig([
        {"type": "bar", "orientation": "h", "y": labels, "x": [c / n for c in counts[k]],
         "name": t(f"legislation.status.{k}", lang), "marker": {"color": _status_colour(k)},
         "customdata": counts[k], "hovertemplate": "%{y}: %{customdata:,} (%{x:.0%})<extra>"
         + t(f"legislation.status.{k}", lang) + "</extra>"}
        for k in BAR_STATUSES if any(counts[k])],
        28 * len(df) + 110, lang, barmode="stack", xaxis={"tickformat": ".0%", "range": [0, 1]},
        yaxis={"autorange": "reversed", "automargin": True}, margin={"l": 10, "r": 10, "t": 10, "b": 40},
        legend={"orientation": "h", "y": -0.08, "x": 0.5, "xanchor": "center",
                "yanchor": "top", "traceorder": "normal"})
    caption = aggregate_caption(df, n, at, horizon, lang, shorts)
    shown = df.assign(
        law=[f"{shorts[r['law']]} – {r['name']}" + unverified_note(r, lang)
             for r in df.to_dict("records")],
        applies=[t("legislation.applies.of", lang, k=_count(a, lang), n=_count(n, lang))
                 for a in df["applies"]],
        share_ready=[share_text(r, lang) for r in df.to_dict("records")],
        ambition_share_met=[ambition_text(r, lang) for r in df.to_dict("records")],
        **{k: df[k].map(lambda x: _count(x, lang))
           for k in ("ready", "not_ready", "unknown", "not_due")})
    columns = {"law": t("legislation.col.law", lang),
               "applies": t("legislation.col.applies", lang),
               "ready": t("legislation.status.ready", lang),
               "not_ready": t("legislation.status.not_ready", lang),
               "unknown": t("legislation.status.unknown", lang),
               "not_due": t("legislation.status.not_due", lang),
               "share_ready": t("legislation.col.share", lang),
               "next_deadline": t("legislation.col.next_deadline", lang),
               "ambition_share_met": t("legislation.col.ambition", lang)}
    if not df["not_due"].fillna(0).any():  # every deadline counts: a column of zeros says nothing
        del columns["not_due"]
    table = _table(shown, columns,
                   label=t("legislation.agg.title", lang), table_id="legislation-agg-law-table")
    _, res = ld.population(ctx, snap, sel, at, horizon)
    due = dict(zip(df["law"], df["due"], strict=True))
    hidden = {law for law, sup in zip(df["law"], df["suppressed"], strict=True) if sup}
    lack = ld.lacking_table(ctx, res, [x for x in res.law_ids if x not in hidden], due,
                            lang=lang)
    lacking = _table(lack.assign(law=lack["law"].map(lambda x: shorts.get(x, x)),
                                 gap=lack["gap"].map(lambda x: _count(x, lang)),
                                 unknown=lack["unknown"].map(lambda x: _count(x, lang)),
                                 share_gap=lack["share_gap"].map(_pct)),
                     {"law": t("legislation.col.law", lang),
                      "element": t("legislation.col.element", lang),
                      "element_name": t("legislation.col.element_name", lang),
                      "gap": t("legislation.col.gap_n", lang),
                      "unknown": t("legislation.status.unknown", lang),
                      "share_gap": t("legislation.col.share_gap", lang)},
                     label=t("legislation.lacking.title", lang)) if len(lack) else \
        html.P(t("legislation.lacking.none", lang))
    heat, heat_caption = heatmap(ctx, snap, sel, at, horizon, lang)
    return {"bar": bar, "bar_caption": caption, "table": table, "lacking": lacking,
            "heat": heat, "heat_caption": heat_caption, "time": timeline(ctx, sel, at, lang),
            "time_caption": t("legislation.time.caption", lang, at=at.isoformat()), "df": df}


HEAT_MARKS = {"na": "legislation.heat.na", "not_due": "legislation.heat.not_due",
              "suppressed": "legislation.heat.suppressed"}


def area_names(ctx: AppContext, sel: ld.Selection, codes, lang: str) -> list[str]:
    """What the page shows for area codes (countries, or NUTS 2 regions within a country): their
    names, as the selection menus show them; "name (code)" where two names are the same."""
    if sel.group_field == "country":
        names = [country_name(ctx, str(c), lang) for c in codes]
    else:
        nuts = nuts_names(ctx.settings.reference_dir)
        names = [nuts.get(str(c), str(c)) for c in codes]
    if len(set(names)) < len(names):
        names = [f"{n} ({c})" if n != c else n for n, c in zip(names, codes, strict=True)]
    return names


def heatmap(ctx: AppContext, snap, sel: ld.Selection, at, horizon, lang: str):
    """Law x area, coloured by the share ready among the municipalities with something due:
    the ready colour for 100 %, the not-ready colour for 0 % (as in the bars); empty cells say
    why in their text: does not apply, nothing due yet, or too few to show."""
    hm = ld.heatmap_table(ctx, snap, sel, at, horizon)
    if hm.shape[1] == 0:
        msg = t("legislation.empty.selection", lang)
        return empty_figure(msg), msg
    z = hm.to_numpy(dtype=float)
    state = hm.attrs["state"].to_numpy()
    marks = {k: t(v, lang) for k, v in HEAT_MARKS.items()}
    text = np.where(np.isnan(z), np.vectorize(lambda s: marks.get(s, "–"))(state),
                    np.char.mod("%.0f%%", np.nan_to_num(z) * 100))
    shorts = law_shorts(ctx)
    fig = _fig([{"type": "heatmap", "z": np.round(z, 3).tolist(),
                 "x": area_names(ctx, sel, hm.columns, lang),
                 "y": [shorts.get(x, x) for x in hm.index], "zmin": 0, "zmax": 1,
                 "colorscale": colours.READY_SHARE_SCALE,
                 "text": text.tolist(), "texttemplate": "%{text}" if z.size < 800 else None,
                 "hoverongaps": True,
                 "colorbar": {"tickformat": ".0%", "title": {"text": t("legislation.col.share", lang)}},
                 "hovertemplate": "%{y} · %{x}: %{text}<extra></extra>"}],
               26 * len(hm.index) + 90, lang, plot_bgcolor=colours.NOT_APPLICABLE,
               yaxis={"autorange": "reversed", "automargin": True},
               margin={"l": 10, "r": 10, "t": 10, "b": 60})
    hidden = int((hm.attrs["state"] == "suppressed").any(axis=0).sum())
    caption = t("legislation.heat.caption", lang, regions=_count(hm.shape[1], lang),
                hidden=_count(hidden, lang),
                min_group=ctx.settings.min_group, na=marks["na"], not_due=marks["not_due"],
                counts=horizon_phrase(horizon, at, lang))
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
    shorts = law_shorts(ctx)
    for kind, colour in colours.TIMING.items():
        pts = [(lid, d, unv) for lid, d, unv in rows if ld.timing(d, at) == kind]
        if pts:
            data.append({"type": "scatter", "mode": "markers", "name": t(f"legislation.timing.{kind}", lang),
                         "x": [d.isoformat() for _, d, _ in pts],
                         "y": [shorts.get(lid, lid) for lid, _, _ in pts],
                         "marker": {"color": colour, "size": 10,
                                    "symbol": ["circle-open" if u else "circle" for *_, u in pts]},
                         "hovertemplate": "%{y}: %{x}<extra></extra>"})
    laws = sorted({r[0] for r in rows})
    return _fig(data, 22 * len(laws) + 100, lang,
                yaxis={"autorange": "reversed", "type": "category", "automargin": True},
                xaxis={"type": "date"}, margin={"l": 10, "r": 10, "t": 10, "b": 40},
                shapes=[{"type": "line", "x0": at.isoformat(), "x1": at.isoformat(), "y0": 0,
                         "y1": 1, "yref": "paper", "line": {"color": colours.TEXT, "dash": "dot"}}])


# ------------------------------------------------------------------ municipality view


MUN_ORDER = ("not_ready", "unknown", "ready", "not_due", "not_applicable")


def municipality_summary(name: str, statuses: list[str], at: dt.date, horizon, lang: str) -> str:
    """One sentence per municipality: ready for k of the laws that ask something of it now,
    with the laws that apply later and those that do not apply counted apart."""
    c = {s: statuses.count(s) for s in MUN_ORDER}
    due = c["ready"] + c["not_ready"] + c["unknown"]
    text = t("legislation.mun.summary" + (".one" if due == 1 else ""), lang, name=name,
             ready=c["ready"], due=due, not_ready=c["not_ready"], unknown=c["unknown"],
             counts=horizon_phrase(horizon, at, lang))
    for k, key in (("not_due", "legislation.mun.summary.not_due"),
                   ("not_applicable", "legislation.mun.summary.na")):
        if c[k]:
            text += " " + t(key + (".one" if c[k] == 1 else ""), lang, k=c[k])
    return text


def municipality(ctx: AppContext, snap, m: str | None, checked, nis2, at: dt.date, horizon,
                 lang: str):
    """(content, timeline figure, caption, csv frame) for one municipality; None frame when
    nothing is shown."""
    if not m:
        msg = t("legislation.mun.pick", lang)
        return html.P(msg), empty_figure(msg), "", None
    try:
        row = snap.maturity.index_of(m)
    except KeyError:
        msg = t("url.notice.municipality", lang, value=m)
        return dbc.Alert(msg, color="warning"), empty_figure(msg), "", None
    if not ctx.visible(snap, row):
        msg = t("legislation.mun.hidden", lang)
        return dbc.Alert(msg, color="info"), empty_figure(msg), "", None
    b = ld.base(ctx, snap)
    inp = ld.inputs(ctx)
    country = str(b.countries[row])
    pop = b.population[row]
    pop = None if pd.isna(pop) else float(pop)
    plain = resolve_municipality(inp, country, pop)
    overrides = ld.condition_overrides(inp, plain, checked) if checked is not None else {}
    mr = municipality_readiness(inp, b.levels[row], country=country, at=at, horizon_days=horizon,
                                population=pop, overrides=overrides,
                                country_overrides=ld.country_overrides(country, nis2))
    records, gaps, applied, time_rows = [], [], [], []
    shorts = law_shorts(ctx)
    for lr in mr.laws:
        law = inp.law(lr.law)
        records.append({"law": f"{shorts[lr.law]} – {ld.law_name(law, lang)}",
                        "law_id": lr.law, "code": lr.status,
                        "status": t(f"legislation.status.{lr.status}", lang),
                        "gaps": len(lr.legal.gaps), "unknown": len(lr.legal.unknown),
                        "ambition": ambition_status_text(lr.ambition, lang)})
        for g in (*lr.legal.gaps, *lr.legal.unknown):
            gaps.append({"law": lr.law, "element": g.element, "level": g.level, "min": g.min,
                         "gap": g.gap, "deadline": g.deadline.isoformat() if g.deadline else None,
                         "timing": t(f"legislation.timing.{ld.timing(g.deadline, at)}", lang),
                         "unverified": g.confidence == "check"})
            if g.deadline:
                time_rows.append((lr.law, g.deadline, g.confidence == "check"))
        for c in lr.requirements:
            cond = c.condition
            applied.append({"law": shorts[lr.law], "element": ld.element_label(ctx, c.element, lang),
                            "min": c.min,
                            "kind": t("law.kind.duty" if c.legal_duty else "law.kind.recommended",
                                      lang),
                            "legal_basis": c.legal_basis or "",
                            "counts_for": t(f"legislation.counts_for.{c.counts_for}", lang),
                            "applies": c.applies,
                            "condition": ld.condition_label(ctx, cond.id, lang) if cond else "",
                            "value": "" if cond is None else condition_value_text(cond.value, lang),
                            "origin": t(f"legislation.origin.{cond.origin}", lang,
                                        country=country) if cond else "",
                            "why": population_text(law.population_above, pop, lang)
                            if c.population_rule else "",
                            "deadline": (c.deadline.isoformat() if c.deadline else "") + (
                                f" ({t('legislation.unverified', lang)})" if c.unverified else ""),
                            "unverified": c.unverified})
    name = str(ctx.municipalities["name"].iat[row])
    notes = []
    if not b.answered[row]:
        notes.append(dbc.Alert(t("legislation.mun.noanswers", lang, wave=b.wave), color="warning"))
    recs = pd.DataFrame(records)
    order = {s: i for i, s in enumerate(MUN_ORDER)}
    recs = recs.iloc[sorted(range(len(recs)), key=lambda i: order[recs["code"].iat[i]])]
    content = html.Div([
        *notes,
        html.P(municipality_summary(name, [r["code"] for r in records], at, horizon, lang),
               id="legislation-mun-summary"),
        _table(recs, {"law": t("legislation.col.law", lang),
                      "status": t("legislation.col.status", lang),
                      "gaps": t("legislation.col.gaps", lang),
                      "unknown": t("legislation.status.unknown", lang),
                      "ambition": t("legislation.col.ambition_mun", lang)},
               label=t("legislation.mun.title", lang),
               cell_classes=[[None, f"status-{c}", None, None, None] for c in recs["code"]]),
        html.H3(t("legislation.mun.gaps", lang), className="h6"),
        _table(_marked(pd.DataFrame(gaps)).assign(
            law=lambda g: g["law"].map(shorts),
            element=lambda g: g["element"].map(lambda e: ld.element_label(ctx, e, lang))),
            {"law": t("legislation.col.law", lang),
             "element": t("legislation.col.element", lang),
             "level": t("legislation.col.level", lang),
             "min": t("legislation.col.min", lang),
             "gap": t("legislation.col.gap", lang),
             "deadline": t("legislation.col.deadline", lang),
             "timing": t("legislation.col.timing", lang)},
            label=t("legislation.mun.gaps", lang))
        if gaps else html.P(t("legislation.mun.nogaps", lang)),
        html.Details([html.Summary(t("legislation.mun.applied", lang)),
                      _table(pd.DataFrame(applied), {
                          "law": t("legislation.col.law", lang),
                          "element": t("legislation.col.element", lang),
                          "min": t("legislation.col.min", lang),
                          "kind": t("law.kind", lang),
                          "legal_basis": t("law.legal_basis", lang),
                          "counts_for": t("legislation.col.counts_for", lang),
                          "condition": t("legislation.col.condition", lang),
                          "value": t("legislation.col.value", lang),
                          "origin": t("legislation.col.origin", lang),
                          "why": t("legislation.col.why", lang),
                          "deadline": t("legislation.col.deadline", lang)},
                          label=t("legislation.mun.applied", lang))]),
    ])
    fig = timeline(ctx, ld.Selection(country), at, lang, rows=time_rows) if time_rows else \
        empty_figure(t("legislation.mun.nogaps", lang))
    caption = t("legislation.mun.time.caption", lang,
                overdue=sum(ld.timing(d, at) == "overdue" for _, d, _ in time_rows),
                due=sum(ld.timing(d, at) == "due_12m" for _, d, _ in time_rows))
    return content, fig, caption, municipality_frame(records, gaps)


def condition_value_text(value, lang: str) -> str:
    """A resolved condition's value as words: yes / no (a date as YYYY-MM-DD, none as '–')."""
    if isinstance(value, bool):
        return t("legislation.value.yes" if value else "legislation.value.no", lang)
    if value is None:
        return "–"
    return value.isoformat() if hasattr(value, "isoformat") else str(value)


def population_text(above, population, lang: str) -> str:
    """Why a law with a population threshold (a draft's) applies or not, numbers as `lang`
    writes them (the engine's own explanation is English with English separators)."""
    shown = t("legislation.population.unknown", lang) if population is None or pd.isna(population) \
        else _count(population, lang)
    return t("legislation.why.population", lang, above=_count(above, lang), population=shown)


def _marked(gaps: pd.DataFrame) -> pd.DataFrame:
    """The gaps as shown: an unverified fact behind a gap (the requirement, or the national date
    its deadline comes from) marks the deadline with ⚠, as the guide explains."""
    if gaps.empty:
        return gaps
    return gaps.assign(deadline=[f"{d or '–'} ⚠" if u else d for d, u in
                                 zip(gaps["deadline"], gaps["unverified"], strict=True)])


MUN_CSV_COLUMNS = ["law", "status", "element", "level", "min", "gap", "deadline", "timing",
                   "unverified"]


def municipality_frame(records: list[dict], gaps: list[dict]) -> pd.DataFrame:
    """The municipality CSV: one row per law and gap element; a law without gaps has one row
    with its status (ready, not applicable, not due) and no element."""
    by_law: dict[str, list[dict]] = {}
    for g in gaps:
        by_law.setdefault(g["law"], []).append(g)
    rows = []
    for r in records:
        law = r["law_id"]
        for g in by_law.get(law, [{}]):
            rows.append({**{k: None for k in MUN_CSV_COLUMNS}, **g, "law": law,
                         "status": r["code"]})
    return pd.DataFrame(rows, columns=MUN_CSV_COLUMNS)


def condition_checklist(ctx: AppContext, snap, m: str | None, on: list[str] | None = None,
                        lang: str = "nl"):
    """(options, value) of the municipality-condition checklist: the resolved values, or `on`.
    Each option shows the condition in words (conditions.yaml); its value stays the id."""
    inp = ld.inputs(ctx)
    conds = ld.municipality_conditions(inp)
    options = [{"label": ld.condition_label(ctx, c, lang), "value": c} for c in conds]
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


EMPTY_ROW = {"element": "", "min": 2, "deadline": "", "applies_if": "", "status": "required"}
ROW_FIELDS = ("element", "min", "deadline", "applies_if", "status")


def draft_text(elements, mins, deadlines, conditions, statuses) -> str | None:
    """The editor's filled rows as one URL value: rows joined by ';', fields by ':'
    (element:min:deadline:condition:kind), e.g. 'SEC-01:3:2027-01-01::required'."""
    rows = []
    for e, m, d, c, s in zip(elements, mins, deadlines, conditions, statuses, strict=False):
        if not e or e == ANY:
            continue
        fields = [e, m, d, c, s]
        rows.append(":".join("" if f in (None, ANY) else str(f).strip() for f in fields))
    return ";".join(rows) or None


def parse_draft_text(text: str | None) -> tuple[list[dict], list[str]]:
    """Rows from `draft_text`, and what could not be read (one problem per bad row)."""
    rows, problems = [], []
    for i, chunk in enumerate((text or "").split(";"), start=1):
        if not chunk.strip():
            continue
        parts = chunk.split(":")
        if len(parts) != len(ROW_FIELDS):
            problems.append(f"row {i}: {len(parts)} fields, expected {len(ROW_FIELDS)}")
            continue
        row = dict(zip(ROW_FIELDS, (p.strip() for p in parts), strict=True))
        row["status"] = row["status"] or "required"
        rows.append(row)
    return rows[:SLOTS], problems


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


def draft(ctx: AppContext, snap, profile: dict, sel: ld.Selection, at: dt.date, horizon,
          lang: str):
    """(content, law or None, by-region frame) of a composed profile over the selection. A draft
    law is about its own deadlines: with the default horizon every requirement counts against its
    own deadline, and the sentence says which date and horizon the share is for."""
    inp = ld.inputs(ctx)
    if not profile.get("requirements"):
        return dbc.Alert(t("legislation.draft.empty", lang), color="info"), None, None
    bound, notes = None, []
    if profile.get("population_above") not in (None, ""):
        try:
            bound = ld.snap_threshold(profile["population_above"])
        except (TypeError, ValueError):
            bound = None  # validate_profile names the bad value
        else:
            profile = {**profile, "population_above": bound - 1}
            notes.append(html.P(t("legislation.draft.threshold", lang, bound=_count(bound, lang)),
                                className="small text-body-secondary"))
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
    shown = ld.published(ctx, snap, sel) and ld.threshold_published(ctx, snap, sel, bound)
    c = ld.public_counts(np.bincount(wi.result.status[:, 0], minlength=N_STATUS),
                         ctx.settings.min_group, shown)
    b = ld.base(ctx, snap)
    field = b.countries if sel.group_field == "country" else b.nuts2
    codes, inv = np.unique(field[sub.rows], return_inverse=True)
    g = wi.result.by_group(law.id, inv, len(codes))
    cells = [ld.public_counts(row, ctx.settings.min_group,
                              ld.region_published(ctx, snap, sel, str(code))
                              and ld.threshold_published(ctx, snap, sel, bound, str(code)))
             for row, code in zip(g, codes, strict=True)]
    regions = pd.DataFrame({
        "region": codes.astype(str), "municipalities": g.sum(axis=1),
        "applies": pd.array([x["applies"] for x in cells], dtype="Int64"),
        "ready": pd.array([x["ready"] for x in cells], dtype="Int64"),
        "share_ready": pd.array([x["share_ready"] for x in cells], dtype="Float64")})
    lack = pd.DataFrame(wi.lacking(), columns=["element", "gap", "unknown"])
    counts = horizon_phrase(horizon, at, lang)

    def num(x) -> str:
        return _count(x, lang)

    if c["suppressed_group"]:
        headline = [html.Span("–", className="display-6 me-2", id="legislation-draft-share"),
                    t("legislation.private", lang)]
    elif c["applies"] == 0:
        headline = [html.Span("–", className="display-6 me-2", id="legislation-draft-share"),
                    t("legislation.draft.na", lang, n=num(n))]
    elif c["due"] == 0:
        headline = [html.Span("–", className="display-6 me-2", id="legislation-draft-share"),
                    t("legislation.draft.not_due", lang, applies=num(c["applies"]), n=num(n),
                      counts=counts)]
    elif c["suppressed"]:
        headline = [html.Span("–", className="display-6 me-2", id="legislation-draft-share"),
                    t("legislation.draft.few", lang, due=num(c["due"]),
                      min_group=ctx.settings.min_group)]
    else:
        headline = [html.Span(_pct(c["share_ready"]), className="display-6 me-2",
                              id="legislation-draft-share"),
                    t("legislation.draft.summary", lang, ready=num(c["ready"]), due=num(c["due"]),
                      not_ready=num(c["not_ready"]), unknown=num(c["unknown"]), counts=counts)]
        if c["not_due"] or c["not_applicable"]:
            headline.append(" " + t("legislation.draft.summary.rest", lang, n=num(n),
                                    not_due=num(c["not_due"]), na=num(c["not_applicable"])))
    content = html.Div([
        html.P(headline, id="legislation-draft-headline", **{"aria-live": "polite"}), *notes,
        dbc.Row([
            dbc.Col([html.H3(t("legislation.draft.where", lang), className="h6"),
                     _table(regions.assign(region=area_names(ctx, sel, regions["region"], lang),
                                           municipalities=regions["municipalities"].map(num),
                                           share_ready=regions["share_ready"].map(_pct),
                                           applies=regions["applies"].map(num),
                                           ready=regions["ready"].map(num)),
                            {"region": t("legislation.col.region", lang),
                             "municipalities": t("legislation.col.n", lang),
                             "applies": t("legislation.col.applies", lang),
                             "ready": t("legislation.status.ready", lang),
                             "share_ready": t("legislation.col.share", lang)},
                            label=t("legislation.draft.where", lang))], md=6),
            dbc.Col([html.H3(t("legislation.draft.lacking", lang), className="h6"),
                     _table(lack.assign(
                         element=lack["element"].map(lambda e: ld.element_label(ctx, e, lang)),
                         gap=lack["gap"].map(num), unknown=lack["unknown"].map(num)),
                            {"element": t("legislation.col.element", lang),
                                   "gap": t("legislation.col.gap_n", lang),
                                   "unknown": t("legislation.status.unknown", lang)},
                            label=t("legislation.draft.lacking", lang))
                     if len(lack) and not c["suppressed"] else
                     html.P(t("legislation.lacking.none", lang))], md=6),
        ]),
    ])
    return content, law, regions


# ------------------------------------------------------------------ layout


def _options_countries(ctx: AppContext, lang: str) -> list[dict]:
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
             t("legislation.horizon.days", lang, days=int(v)) if v != "0" else
             t("legislation.horizon.due", lang), "value": v} for v in values]


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
    inp = ld.inputs(ctx)
    index = search_index(ctx)
    picked = [r for r in [index.row_of(st["m"])] if r is not None] if st["m"] else []
    cond_options, cond_value = condition_checklist(ctx, snap, st["m"], st["on"] or None, lang)
    law_options = [{"label": f"{ld.law_short(inp, lid)} – {ld.law_name(inp.law(lid), lang)}",
                    "value": lid} for lid in inp.law_ids]
    base_law = st["law"]
    notices = st["notices"]
    if st["draft"]:
        rows, problems = parse_draft_text(st["draft"])
        if problems:
            notices.append(("url.notice.draft", {"problem": "; ".join(problems)}))
    elif base_law:
        rows = law_rows(inp.law(base_law))
    else:  # a new draft: one requirement a year from the evaluation date
        rows = [{**EMPTY_ROW, "element": ctx.framework.element_ids[0],
                 "deadline": (st["at"] + dt.timedelta(days=365)).isoformat()}]
    rows = rows[:SLOTS] + [EMPTY_ROW] * (SLOTS - len(rows[:SLOTS]))
    draft_id = st["draft_id"] or base_law or "DRAFT"
    draft_pop = st["draft_pop"] if st["draft"] else (
        inp.law(base_law).population_above if base_law else None)
    el_opts = [{"label": "—", "value": ANY}] + [{"label": ld.element_label(ctx, e, lang), "value": e}
                                               for e in ctx.framework.element_ids]
    cond_opts = [{"label": t("legislation.draft.always", lang), "value": ANY}] + [
        {"label": ld.condition_label(ctx, c, lang), "value": c} for c in inp.bool_conditions]
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
                 dbc.Select(id=HORIZON, value=ld.horizon_text(st["horizon"]),
                            options=horizon_options(st["horizon"], lang))], md=2),
    ])), className="mb-3")

    agg = html.Div([
        _card(t("legislation.agg.title", lang), t("legislation.agg.question", lang), [
            _figure(AGG_BAR, AGG_BAR_CAPTION, lang), html.Div(id=AGG_TABLE),
            _download(AGG_CSV_BUTTON, AGG_CSV, "agg", lang)]),
        _card(t("legislation.lacking.title", lang), t("legislation.lacking.question", lang),
              [html.Div(id=AGG_LACKING)]),
        _card(t("legislation.heat.title", lang), t("legislation.heat.question", lang),
              [_figure(AGG_HEAT, AGG_HEAT_CAPTION, lang),
               _download(HEAT_CSV_BUTTON, HEAT_CSV, "heat", lang)]),
        _card(t("legislation.time.title", lang), t("legislation.time.question", lang),
              [_figure(AGG_TIME, AGG_TIME_CAPTION, lang)]),
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
        _figure(MUN_TIME, MUN_TIME_CAPTION, lang), _download(MUN_CSV_BUTTON, MUN_CSV, "mun", lang)])],
        id=MUN_BOX, style=show("municipality"))
    dr = html.Div([_card(t("legislation.draft.title", lang), t("legislation.draft.question", lang), [
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
        html.Div([slot_heads, *[slot(i, r) for i, r in enumerate(rows)]]),
        html.Div(id=DRAFT_RESULT, className="mt-3"),
        html.Div([dbc.Button(t("legislation.draft.yaml", lang), id=DRAFT_YAML_BUTTON, size="sm",
                             color="primary", outline=True), dcc.Download(id=DRAFT_YAML)])])],
        id=DRAFT_BOX, style=show("draft"))
    return html.Div([*header, alerts(notices, lang, "legislation-notices"), controls, agg, mun, dr,
                     html.P(t("legislation.footnote", lang, min_group=ctx.settings.min_group),
                            className="small text-body-secondary")], className="legislation-page")


# ------------------------------------------------------------------ callbacks


SEL = [Input(COUNTRY, "value"), Input(NUTS2, "value"), Input(SIZE, "value"), Input(AT, "value"),
       Input(HORIZON, "value")]
SLOT_INPUTS = [Input({"type": k, "index": ALL}, "value")
               for k in (REQ_ELEMENT, REQ_MIN, REQ_DEADLINE, REQ_IF, REQ_STATUS)]


def readiness_download(ctx: AppContext, country, nuts2, size, at, horizon, lang,
                       fmt: str = "csv") -> dict:
    """The readiness table of a selection (one row per law) as a dcc.Download file in `fmt`."""
    df = ld.law_table(ctx, ctx.warehouse.snapshot(), selection(country, nuts2, size, ctx), _at(at),
                      _horizon(horizon), normalise_lang(lang))
    df["unverified_countries"] = df["unverified_countries"].map(" ".join)
    return table_download(df, "legislation-readiness.csv", fmt)


def heatmap_download(ctx: AppContext, country, nuts2, size, at, horizon, fmt: str = "csv") -> dict:
    """The law × area heatmap of a selection, one row per cell, as a dcc.Download file."""
    df = ld.heatmap_long(ld.heatmap_table(ctx, ctx.warehouse.snapshot(),
                                          selection(country, nuts2, size, ctx), _at(at),
                                          _horizon(horizon)))
    return table_download(df, "legislation-heatmap.csv", fmt)


def municipality_download(ctx: AppContext, m, checked, nis2, at, horizon, lang, fmt: str = "csv"):
    """One municipality's laws and gaps as a dcc.Download file; no_update without one."""
    frame = municipality(ctx, ctx.warehouse.snapshot(), m, checked, nis2 or None, _at(at),
                         _horizon(horizon), normalise_lang(lang))[3]
    if frame is None:
        return no_update
    return table_download(frame, f"legislation-{m}.csv", fmt)


def skip_hidden(view, mine: str) -> None:
    """A view's callback computes only while that view is shown (the hidden views' charts and
    tables cost the browser render time for nothing); switching views triggers it."""
    if (view if view in VIEWS else "aggregate") != mine:
        raise PreventUpdate


def _warm(ctx: AppContext) -> None:
    snap = ctx.warehouse.snapshot()
    if snap is not None and snap.waves:
        ld.base(ctx, snap)


def register(app, ctx: AppContext) -> None:
    warmup.add(app.server, _warm)  # before the first request: dashboard/warmup.py

    @app.callback(Output(ids.URL, "search", allow_duplicate=True),
                  Input(VIEW, "value"), *SEL, Input(LAW, "value"), Input(PICKER, "value"),
                  Input(NIS2, "value"), Input(CONDITIONS, "value"), *SLOT_INPUTS,
                  Input(DRAFT_POP, "value"), Input(DRAFT_ID, "value"), prevent_initial_call=True)
    def _url(view, country, nuts2, size, at, horizon, law, m, nis2, on, elements, mins,
             deadlines, conds, statuses, pop, law_id):
        draft_state = None
        if view == "draft":
            draft_state = {"rows": draft_text(elements, mins, deadlines, conds, statuses),
                           "id": law_id, "pop": pop}
        return state_query(view, country, nuts2, size, at, horizon, law, m, nis2,
                           on if m else None, draft_state)

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
                  *SEL, Input(VIEW, "value"), State(ids.LANG, "value"))
    def _aggregate(country, nuts2, size, at, horizon, view, lang):
        skip_hidden(view, "aggregate")
        snap = ctx.warehouse.snapshot()
        if snap is None:
            return (no_update,) * 8
        a = aggregate(ctx, snap, selection(country, nuts2, size, ctx), _at(at), _horizon(horizon),
                      normalise_lang(lang))
        return (a["bar"], a["bar_caption"], a["table"], a["lacking"], a["heat"],
                a["heat_caption"], a["time"], a["time_caption"])

    @app.callback(Output(AGG_CSV, "data"), *download_inputs(AGG_CSV_BUTTON), *[
        State(i.component_id, i.component_property) for i in SEL], State(ids.LANG, "value"),
        prevent_initial_call=True)
    def _agg_download(_csv, _xlsx, _parquet, country, nuts2, size, at, horizon, lang):
        return readiness_download(ctx, country, nuts2, size, at, horizon, lang,
                                  chosen_format(callback_context.triggered_id, AGG_CSV_BUTTON))

    @app.callback(Output(HEAT_CSV, "data"), *download_inputs(HEAT_CSV_BUTTON), *[
        State(i.component_id, i.component_property) for i in SEL], prevent_initial_call=True)
    def _heat_download(_csv, _xlsx, _parquet, country, nuts2, size, at, horizon):
        return heatmap_download(ctx, country, nuts2, size, at, horizon,
                                chosen_format(callback_context.triggered_id, HEAT_CSV_BUTTON))

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
                  Input(HORIZON, "value"), Input(VIEW, "value"), State(ids.LANG, "value"))
    def _municipality(m, checked, nis2, at, horizon, view, lang):
        skip_hidden(view, "municipality")
        snap = ctx.warehouse.snapshot()
        if snap is None:
            return no_update, no_update, no_update
        content, fig, caption, _ = municipality(ctx, snap, m, checked, nis2 or None, _at(at),
                                                _horizon(horizon), normalise_lang(lang))
        return content, fig, caption

    @app.callback(Output(MUN_CSV, "data"), *download_inputs(MUN_CSV_BUTTON),
                  State(PICKER, "value"), State(CONDITIONS, "value"), State(NIS2, "value"),
                  State(AT, "value"), State(HORIZON, "value"), State(ids.LANG, "value"),
                  prevent_initial_call=True)
    def _mun_download(_csv, _xlsx, _parquet, m, checked, nis2, at, horizon, lang):
        return municipality_download(ctx, m, checked, nis2, at, horizon, lang,
                                     chosen_format(callback_context.triggered_id, MUN_CSV_BUTTON))

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
                  Input(DRAFT_ID, "value"), *SEL, Input(VIEW, "value"), State(ids.LANG, "value"))
    def _draft(elements, mins, deadlines, conds, statuses, pop, law_id, country, nuts2, size, at,
               horizon, view, lang):
        skip_hidden(view, "draft")
        snap = ctx.warehouse.snapshot()
        if snap is None:
            return no_update
        prof = draft_profile(elements, mins, deadlines, conds, statuses, pop, law_id)
        return draft(ctx, snap, prof, selection(country, nuts2, size, ctx), _at(at), _horizon(horizon),
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
