"""The Legislation page's aggregate view is built from plain rows and arrays
(data_tables.law_rows, lacking_rows, heat_cells): every figure (x, y, text, colours, hover),
table text, caption and the law table's frame equal the frame-based builder it replaced (kept
below as the reference) for many selections, dates, horizons and both languages, under the
consent rule (with its minimum group) and the open rule."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping

import numpy as np
import pandas as pd
import pytest
from dash import html
from plotly.utils import PlotlyJSONEncoder

from dashboard.components import colours
from dashboard.components.figures import figure_dict
from dashboard.components.numbers import fmt_int
from dashboard.components.tables import static_table
from dashboard.i18n import t
from dashboard.laws import inputs
from dashboard.views.legislation import aggregate_card, figures, texts
from dashboard.views.legislation import data as ld
from dashboard.views.legislation import data_tables as dt_
from dashboard.views.legislation.data_laws import (
    law_deadlines,
    law_name,
    law_shorts,
    unverified,
    unverified_countries,
)
from dashboard.views.legislation.ids import AGG_LAW_TABLE
from pipelines.maturity.readiness import ALL_DEADLINES

# ---------------------------------------------------------------- the frame-based builder (reference)
# The aggregate view as it was built before the rows/arrays builder (commit 8b2489f): law table,
# bars, what is lacking and the heatmap from pandas frames. Kept here, verbatim apart from
# names, as the reference the page's builder must equal.


def ref_law_table(ctx, snap, sel, at, horizon, lang) -> pd.DataFrame:
    inp = inputs(ctx)
    sub, res = ld.population(ctx, snap, sel, at, horizon)
    conds = ld.selection_conditions(ctx, snap, sel)
    ok = ld.published(ctx, snap, sel)
    rows = []
    for law_id in res.law_ids:
        law = inp.law(law_id)
        c = ld.public_counts(res.counts(law_id), ctx.settings.min_group, ok)
        a = ld.public_counts(res.ambition_counts(law_id), ctx.settings.min_group, ok)
        dls = law_deadlines(inp, law, sel.country)
        states = unverified_countries(inp, law, conds)
        upcoming = [d for d, _ in dls if d > at]
        rows.append({
            "law": law_id, "name": law_name(law, lang), "law_status": law.status,
            "binding": law.binding_on_municipalities, "municipalities": len(sub.rows),
            **{k: c[k] for k in ld.COUNT_KEYS}, "share_ready": c["share_ready"],
            "suppressed": c["suppressed"],
            "first_deadline": dls[0][0].isoformat() if dls else None,
            "next_deadline": upcoming[0].isoformat() if upcoming else None,
            "unverified": unverified(law) or bool(states), "law_unverified": unverified(law),
            "unverified_countries": states,
            "ambition_due": a["due"], "ambition_share_met": a["share_ready"],
        })
    df = pd.DataFrame(rows, columns=list(dt_.LAW_TABLE_COLUMNS))
    for k in ("municipalities", *ld.COUNT_KEYS, "ambition_due"):
        df[k] = df[k].astype("Int64")
    for k in ("share_ready", "ambition_share_met"):
        df[k] = df[k].astype("Float64")
    return df


def ref_lacking_table(ctx, res, law_ids, due, top=3, lang="en") -> pd.DataFrame:
    fw = ctx.framework
    out = []
    for law_id in law_ids:
        n = due.get(law_id) if isinstance(due, Mapping) else due
        n = None if n is None or pd.isna(n) else int(n)
        for element, gaps, unknown in res.lacking(law_id)[:top]:
            out.append({"law": law_id, "element": element,
                        "element_name": fw.element_by_id[element].name.get(lang),
                        "gap": gaps, "unknown": unknown,
                        "share_gap": gaps / n if n else None})
    return pd.DataFrame(out, columns=["law", "element", "element_name", "gap", "unknown",
                                      "share_gap"])


def ref_heatmap_table(ctx, snap, sel, at, horizon) -> pd.DataFrame:
    _, res = ld.population(ctx, snap, sel, at, horizon)
    names = list(res.regions)
    counts = res.region_sizes
    data, state = {}, {}
    shown = [ld.region_published(ctx, snap, sel, c) for c in names]
    for law_id in res.law_ids:
        g = res.by_region(law_id)
        cells = [ld.public_counts(row, ctx.settings.min_group, ok)
                 for row, ok in zip(g, shown, strict=True)]
        data[law_id] = [np.nan if c["share_ready"] is None else c["share_ready"] for c in cells]
        state[law_id] = [
            "suppressed" if c["suppressed_group"] else "na" if c["applies"] == 0 else
            "not_due" if c["due"] == 0 else "suppressed" if c["suppressed"] else ""
            for c in cells]
    df = pd.DataFrame(data, index=names, dtype=float).T
    df.attrs["counts"] = dict(zip(names, counts.tolist(), strict=True))
    df.attrs["state"] = pd.DataFrame(state, index=names).T
    return df


def ref_bar_counts(df: pd.DataFrame) -> dict[str, list[int]]:
    def n(v) -> int:
        return 0 if pd.isna(v) else int(v)
    out = {k: [] for k in figures.BAR_STATUSES}
    for r in df.to_dict("records"):
        hidden = bool(r["suppressed"])
        for k in ("ready", "not_ready", "unknown"):
            out[k].append(0 if hidden else n(r[k]))
        out["suppressed"].append(n(r["due"]) if hidden else 0)
        out["not_due"].append(n(r["not_due"]))
        out["not_applicable"].append(n(r["not_applicable"]))
    return out


def ref_readiness_bars(df, n, shorts, lang) -> dict:
    labels = [figures.law_label(r, shorts) for r in df.to_dict("records")]
    counts = ref_bar_counts(df)
    return figure_dict([
        {"type": "bar", "orientation": "h", "y": labels, "x": [c / n for c in counts[k]],
         "name": t(f"legislation.status.{k}", lang), "marker": {"color": figures.status_colour(k)},
         "customdata": counts[k], "hovertemplate": "%{y}: %{customdata:,} (%{x:.0%})<extra>"
         + t(f"legislation.status.{k}", lang) + "</extra>"}
        for k in figures.BAR_STATUSES if any(counts[k])],
        28 * len(df) + 110, lang, barmode="stack", xaxis={"tickformat": ".0%", "range": [0, 1]},
        yaxis={"autorange": "reversed", "automargin": True}, margin={"l": 10, "r": 10, "t": 10, "b": 40},
        legend={"orientation": "h", "y": -0.08, "x": 0.5, "xanchor": "center",
                "yanchor": "top", "traceorder": "normal"})


def ref_heatmap(hm, areas, shorts, marks, lang) -> dict:
    z = hm.to_numpy(dtype=float)
    state = hm.attrs["state"].to_numpy()
    text = np.where(np.isnan(z), np.vectorize(lambda s: marks.get(s, "–"))(state),
                    np.char.mod("%.0f%%", np.nan_to_num(z) * 100))
    return figure_dict(
        [{"type": "heatmap", "z": np.round(z, 3).tolist(), "x": areas,
          "y": [shorts.get(x, x) for x in hm.index], "zmin": 0, "zmax": 1,
          "colorscale": colours.READY_SHARE_SCALE,
          "text": text.tolist(), "texttemplate": "%{text}" if z.size < 800 else None,
          "hoverongaps": True,
          "colorbar": {"tickformat": ".0%", "title": {"text": t("legislation.col.share", lang)}},
          "hovertemplate": "%{y} · %{x}: %{text}<extra></extra>"}],
        26 * len(hm.index) + 90, lang, plot_bgcolor=colours.NOT_APPLICABLE, legend=figures.LEGEND,
        yaxis={"autorange": "reversed", "automargin": True},
        margin={"l": 10, "r": 10, "t": 10, "b": 60})


def ref_law_table_card(p, nexts, lang) -> dict:
    df = p["df"].assign(next_deadline=[None if d is None else d.isoformat() for d in nexts])
    if p["msg"] is not None:
        return {"df": df, "table": html.P(p["msg"])}
    n, shorts = p["n"], p["shorts"]
    records = df.to_dict("records")
    shown = df.assign(
        law=[f"{shorts[r['law']]} – {r['name']}" + texts.unverified_note(r, lang) for r in records],
        applies=[t("legislation.applies.of", lang, k=fmt_int(a, lang), n=fmt_int(n, lang))
                 for a in df["applies"]],
        share_ready=[texts.share_text(r, lang) for r in records],
        ambition_share_met=[texts.ambition_text(r, lang) for r in records],
        **{k: df[k].map(lambda x: fmt_int(x, lang))
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
    if not df["not_due"].fillna(0).any():
        del columns["not_due"]
    return {"df": df, "table": static_table(shown, columns, label=t("legislation.agg.title", lang),
                                            table_id=AGG_LAW_TABLE)}


def ref_parts(ctx, snap, sel, at, horizon, lang) -> dict:
    df = ref_law_table(ctx, snap, sel, at, horizon, lang)
    n = int(df["municipalities"].iat[0]) if len(df) else 0
    if n == 0 or n < ctx.settings.min_group or not ld.published(ctx, snap, sel):
        msg = t("legislation.empty.selection", lang) if n == 0 else \
            t("legislation.suppressed", lang, n=fmt_int(n, lang),
              min_group=fmt_int(ctx.settings.min_group, lang)) \
            if n < ctx.settings.min_group else t("legislation.private", lang)
        return {"msg": msg, "bar": figures.empty(msg), "heat": figures.empty(msg), "df": df}
    shorts = law_shorts(ctx, lang)
    bar = ref_readiness_bars(df, n, shorts, lang)
    _, res = ld.population(ctx, snap, sel, at, horizon)
    due = dict(zip(df["law"], df["due"], strict=True))
    hidden = {law for law, sup in zip(df["law"], df["suppressed"], strict=True) if sup}
    lack = ref_lacking_table(ctx, res, [x for x in res.law_ids if x not in hidden], due, lang=lang)
    lacking = static_table(lack.assign(law=lack["law"].map(lambda x: shorts.get(x, x)),
                                       gap=lack["gap"].map(lambda x: fmt_int(x, lang)),
                                       unknown=lack["unknown"].map(lambda x: fmt_int(x, lang)),
                                       share_gap=lack["share_gap"].map(texts.pct)),
                           {"law": t("legislation.col.law", lang),
                            "element": t("legislation.col.element", lang),
                            "element_name": t("legislation.col.element_name", lang),
                            "gap": t("legislation.col.gap_n", lang),
                            "unknown": t("legislation.status.unknown", lang),
                            "share_gap": t("legislation.col.share_gap", lang)},
                           label=t("legislation.lacking.title", lang)) if len(lack) else \
        html.P(t("legislation.lacking.none", lang))
    hm = ref_heatmap_table(ctx, snap, sel, at, horizon)
    if hm.shape[1] == 0:
        msg = t("legislation.empty.selection", lang)
        heat, heat_text = figures.empty(msg), msg
    else:
        heat, heat_text = ref_heatmap(hm, texts.area_names(ctx, sel, hm.columns, lang),
                                      shorts, texts.heat_marks(lang), lang), None
    return {"msg": None, "df": df, "n": n, "shorts": shorts,
            "facts": texts.caption_facts(df, shorts), "bar": bar, "lacking": lacking,
            "heat": heat, "heat_caption": heat_text, "regions": hm.shape[1],
            "hidden": texts.heat_hidden(hm) if hm.shape[1] else 0}


def ref_aggregate(ctx, snap, sel, at, horizon, lang) -> dict:
    _, res = ld.population(ctx, snap, sel, at, horizon)
    inp = inputs(ctx)
    nexts = tuple(aggregate_card.next_deadline(inp, law_id, sel.country, at)
                  for law_id in res.law_ids)
    p = ref_parts(ctx, snap, sel, at, horizon, lang)
    tab = ref_law_table_card(p, nexts, lang)
    time_fig = aggregate_card.timeline(ctx, sel, at, lang)
    if p["msg"] is not None:
        return {"bar": p["bar"], "bar_caption": p["msg"], "table": tab["table"], "lacking": "",
                "heat": p["heat"], "heat_caption": p["msg"], "time": time_fig,
                "time_caption": "", "df": tab["df"]}
    return {"bar": p["bar"],
            "bar_caption": texts.facts_caption(p["facts"], p["n"], at, horizon, lang),
            "table": tab["table"], "lacking": p["lacking"], "heat": p["heat"],
            "heat_caption": p["heat_caption"] or texts.heat_sentence(
                p["regions"], p["hidden"], ctx.settings.min_group, at, horizon, lang),
            "time": time_fig, "time_caption": t("legislation.time.caption", lang,
                                                at=at.isoformat()), "df": tab["df"]}


# ---------------------------------------------------------------- the tests

SELECTIONS = [ld.Selection(), ld.Selection("NL"), ld.Selection("NL", "NL21"),
              ld.Selection("NL", "NL32"), ld.Selection(None, None, "20k-50k"),
              ld.Selection("NL", None, "50k-100k"), ld.Selection("NL", None, "ge250k"),
              ld.Selection("NL", "NL11", "lt5k"), ld.Selection("BE")]
DATES = [dt.date(2024, 1, 1), dt.date(2025, 6, 30), dt.date(2026, 1, 1), dt.date(2026, 10, 17),
         dt.date(2027, 6, 28), dt.date(2028, 12, 31), dt.date(2031, 1, 1)]


def shown(a: dict) -> str:
    """What the page receives: the figures and the components (tables) as JSON."""
    return json.dumps({k: v for k, v in a.items() if k != "df"}, cls=PlotlyJSONEncoder,
                      sort_keys=True)


def forget():
    aggregate_card._PARTS.clear()
    aggregate_card._TABLES.clear()


@pytest.mark.parametrize("which", ["nl_ctx", "nl_open_ctx"])
def test_the_aggregate_view_equals_the_frame_builder(request, which):
    ctx = request.getfixturevalue(which)
    snap = ctx.warehouse.snapshot()
    checked = 0
    for sel in SELECTIONS:
        for i, at in enumerate(DATES):
            for horizon in (ALL_DEADLINES, 0, 365):
                lang = ("en", "nl")[(i + horizon if horizon else i) % 2]
                forget()
                new = aggregate_card.aggregate(ctx, snap, sel, at, horizon, lang)
                old = ref_aggregate(ctx, snap, sel, at, horizon, lang)
                assert shown(new) == shown(old), (which, sel, at, horizon, lang)
                pd.testing.assert_frame_equal(new["df"], old["df"])
                checked += 1
    assert checked == len(SELECTIONS) * len(DATES) * 3


def test_the_heatmap_frame_equals_the_reference(nl_ctx):
    """data_tables.heatmap_table (now from heat_cells) as it was: shares, states and counts."""
    snap = nl_ctx.warehouse.snapshot()
    for sel in SELECTIONS:
        for at in DATES[::2]:
            new = dt_.heatmap_table(nl_ctx, snap, sel, at, 365)
            old = ref_heatmap_table(nl_ctx, snap, sel, at, 365)
            pd.testing.assert_frame_equal(new, old)
            pd.testing.assert_frame_equal(new.attrs["state"], old.attrs["state"])
            assert new.attrs["counts"] == old.attrs["counts"]


def test_the_callback_leaves_out_the_frame(nl_ctx):
    snap = nl_ctx.warehouse.snapshot()
    a = aggregate_card.aggregate(nl_ctx, snap, ld.Selection("NL"), DATES[2], 0, "en", frame=False)
    b = aggregate_card.aggregate(nl_ctx, snap, ld.Selection("NL"), DATES[2], 0, "en")
    assert a["df"] is None and len(b["df"])
    assert shown(a) == shown(b)
