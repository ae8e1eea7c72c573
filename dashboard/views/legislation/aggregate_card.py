"""The aggregate view of the Legislation page: readiness per law over a selection (bars, table,
what is missing most often), law × area and the deadlines, as cards and their contents."""

from __future__ import annotations

import datetime as dt

from dash import html

from dashboard.components.numbers import fmt_int
from dashboard.components.tables import rows_table
from dashboard.context import AppContext
from dashboard.i18n import t
from dashboard.laws import inputs
from dashboard.lru import Lru
from dashboard.views.legislation import data as ld
from dashboard.views.legislation import figures
from dashboard.views.legislation.blocks import card, figure, link_download
from dashboard.views.legislation.data_laws import deadline_rows, law_deadlines, law_shorts
from dashboard.views.legislation.data_tables import (
    heat_cells,
    heatmap_table,
    lacking_rows,
    law_frame,
    law_rows,
)
from dashboard.views.legislation.ids import (
    AGG_BAR,
    AGG_BAR_CAPTION,
    AGG_BOX,
    AGG_CSV_BUTTON,
    AGG_HEAT,
    AGG_HEAT_CAPTION,
    AGG_LACKING,
    AGG_LAW_TABLE,
    AGG_TABLE,
    AGG_TIME,
    AGG_TIME_CAPTION,
    HEAT_CSV_BUTTON,
)
from dashboard.views.legislation.texts import (
    ambition_text,
    area_names,
    facts_caption,
    heat_caption,
    heat_marks,
    heat_sentence,
    hidden_areas,
    pct,
    row_facts,
    share_text,
    unverified_note,
)


def aggregate_cards(lang: str, style: dict) -> html.Div:
    """The four cards of the aggregate view (filled by the callbacks)."""
    return html.Div([
        card(t("legislation.agg.title", lang), t("legislation.agg.question", lang), [
            figure(AGG_BAR, AGG_BAR_CAPTION, lang), html.Div(id=AGG_TABLE),
            link_download(AGG_CSV_BUTTON, "agg", lang)]),
        card(t("legislation.lacking.title", lang), t("legislation.lacking.question", lang),
             [html.Div(id=AGG_LACKING)]),
        card(t("legislation.heat.title", lang), t("legislation.heat.question", lang),
             [figure(AGG_HEAT, AGG_HEAT_CAPTION, lang),
              link_download(HEAT_CSV_BUTTON, "heat", lang)]),
        card(t("legislation.time.title", lang), t("legislation.time.question", lang),
             [figure(AGG_TIME, AGG_TIME_CAPTION, lang)]),
    ], id=AGG_BOX, style=style)


def timeline(ctx: AppContext, sel: ld.Selection, at: dt.date, lang: str) -> dict:
    """Every law's deadlines (member-state dates of the selection's country) on a time axis."""
    return figures.timeline(deadline_rows(inputs(ctx), sel.country), at, law_shorts(ctx, lang),
                            lang)


# What the aggregate view shows depends on the date only through each law's deadline interval
# (its counts: data.population) and each law's next deadline (a column of the law table), apart
# from the sentences, which name the date. So the figures and tables are made once per build,
# disclosure settings, selection, intervals and language (`_PARTS`), the law table once more per
# next deadlines (`_TABLES`; with every deadline counting, the intervals stay while the date
# moves), and only the sentences per call (~50-80 ms at EU size per new date before).
_PARTS = Lru(128)
_TABLES = Lru(256)


def aggregate(ctx: AppContext, snap, sel: ld.Selection, at: dt.date, horizon, lang: str,
              frame: bool = True) -> dict:
    """Everything the aggregate view shows (the callback only unpacks it); with `frame`, the
    law table as a frame too ("df": data_tables.law_table's; the callback does not need it)."""
    _, res = ld.population(ctx, snap, sel, at, horizon)
    inp = inputs(ctx)
    nexts = tuple(next_deadline(inp, law_id, sel.country, at) for law_id in res.law_ids)
    key = (snap.build_id, ctx.settings.visibility, ctx.settings.min_group, sel.key(),
           res.intervals, lang)
    p = _PARTS.get(key, lambda: _parts(ctx, snap, sel, at, horizon, lang))
    tab = _TABLES.get((*key, nexts), lambda: _law_table(p, nexts, lang))
    df = law_frame(tab["rows"]) if frame else None
    time_fig = timeline(ctx, sel, at, lang)
    if p["msg"] is not None:
        return {"bar": p["bar"], "bar_caption": p["msg"], "table": tab["table"], "lacking": "",
                "heat": p["heat"], "heat_caption": p["msg"], "time": time_fig,
                "time_caption": "", "df": df}
    return {"bar": p["bar"],
            "bar_caption": facts_caption(p["facts"], p["n"], at, horizon, lang),
            "table": tab["table"], "lacking": p["lacking"], "heat": p["heat"],
            "heat_caption": p["heat_caption"] or heat_sentence(
                p["regions"], p["hidden"], ctx.settings.min_group, at, horizon, lang),
            "time": time_fig, "time_caption": t("legislation.time.caption", lang,
                                                at=at.isoformat()), "df": df}


def next_deadline(inp, law_id: str, country: str | None, at: dt.date) -> dt.date | None:
    """The law's first deadline after `at` (data_tables.law_table's next_deadline)."""
    return next((d for d, _ in law_deadlines(inp, inp.law(law_id), country) if d > at), None)


# The figures and tables below are made from plain rows and arrays (data_tables.law_rows,
# lacking_rows, heat_cells), not frames: a selection or deadline interval not seen before cost
# ~35-50 ms of pandas per call at EU size, nearly all of it per-row frame access
# (tests/dashboard/test_legislation_rows.py holds them equal to the frame-based builder).
def _law_table(p: dict, nexts: tuple, lang: str) -> dict:
    """The law table (and its rows) of `_parts` with these next deadlines."""
    rows = [{**r, "next_deadline": None if d is None else d.isoformat()}
            for r, d in zip(p["rows"], nexts, strict=True)]
    if p["msg"] is not None:
        return {"rows": rows, "table": html.P(p["msg"])}
    n, shorts = p["n"], p["shorts"]

    def num(x) -> str:
        return fmt_int(x, lang)

    columns = {"law": t("legislation.col.law", lang),
               "applies": t("legislation.col.applies", lang),
               "ready": t("legislation.status.ready", lang),
               "not_ready": t("legislation.status.not_ready", lang),
               "unknown": t("legislation.status.unknown", lang),
               "not_due": t("legislation.status.not_due", lang),
               "share_ready": t("legislation.col.share", lang),
               "next_deadline": t("legislation.col.next_deadline", lang),
               "ambition_share_met": t("legislation.col.ambition", lang)}
    if not any(r["not_due"] for r in rows):  # every deadline counts: a column of zeros says nothing
        del columns["not_due"]
    cells = [{"law": f"{shorts[r['law']]} – {r['name']}" + unverified_note(r, lang),
              "applies": t("legislation.applies.of", lang, k=num(r["applies"]), n=num(n)),
              "ready": num(r["ready"]), "not_ready": num(r["not_ready"]),
              "unknown": num(r["unknown"]), "not_due": num(r["not_due"]),
              "share_ready": share_text(r, lang), "next_deadline": r["next_deadline"],
              "ambition_share_met": ambition_text(r, lang)} for r in rows]
    return {"rows": rows, "table": rows_table([[c[k] for k in columns] for c in cells],
                                              list(columns.values()),
                                              label=t("legislation.agg.title", lang),
                                              table_id=AGG_LAW_TABLE)}


def _parts(ctx: AppContext, snap, sel: ld.Selection, at: dt.date, horizon, lang: str) -> dict:
    """The figures of the aggregate view and its law table's rows (their next deadlines are
    `at`'s: `_law_table` sets them), not the sentences naming the date."""
    rows = law_rows(ctx, snap, sel, at, horizon, lang)
    n = int(rows[0]["municipalities"]) if rows else 0
    if n == 0 or n < ctx.settings.min_group or not ld.published(ctx, snap, sel):
        msg = t("legislation.empty.selection", lang) if n == 0 else \
            t("legislation.suppressed", lang, n=fmt_int(n, lang),
              min_group=fmt_int(ctx.settings.min_group, lang)) \
            if n < ctx.settings.min_group else t("legislation.private", lang)
        return {"msg": msg, "bar": figures.empty(msg), "heat": figures.empty(msg), "rows": rows}
    shorts = law_shorts(ctx, lang)
    bar = figures.readiness_bars(rows, n, shorts, lang)
    _, res = ld.population(ctx, snap, sel, at, horizon)
    due = {r["law"]: r["due"] for r in rows}
    hidden = {r["law"] for r in rows if r["suppressed"]}
    lack = lacking_rows(ctx, res, [x for x in res.law_ids if x not in hidden], due, lang=lang)
    lacking = rows_table(
        [(shorts.get(r["law"], r["law"]), r["element"], r["element_name"],
          fmt_int(r["gap"], lang), fmt_int(r["unknown"], lang), pct(r["share_gap"]))
         for r in lack],
        [t("legislation.col.law", lang), t("legislation.col.element", lang),
         t("legislation.col.element_name", lang), t("legislation.col.gap_n", lang),
         t("legislation.status.unknown", lang), t("legislation.col.share_gap", lang)],
        label=t("legislation.lacking.title", lang)) if lack else \
        html.P(t("legislation.lacking.none", lang))
    h = heat_cells(ctx, snap, sel, at, horizon)
    if not h.regions:
        msg = t("legislation.empty.selection", lang)
        heat, heat_text = figures.empty(msg), msg
    else:
        heat, heat_text = figures.heat_figure(h.share, h.state, h.laws,
                                              area_names(ctx, sel, h.regions, lang), shorts,
                                              heat_marks(lang), lang), None
    return {"msg": None, "rows": rows, "n": n, "shorts": shorts, "facts": row_facts(rows, shorts),
            "bar": bar, "lacking": lacking, "heat": heat, "heat_caption": heat_text,
            "regions": len(h.regions), "hidden": hidden_areas(h.state) if h.regions else 0}


def heatmap(ctx: AppContext, snap, sel: ld.Selection, at, horizon, lang: str):
    """(figure, caption) of law × area over the selection's regions."""
    hm = heatmap_table(ctx, snap, sel, at, horizon)
    if hm.shape[1] == 0:
        msg = t("legislation.empty.selection", lang)
        return figures.empty(msg), msg
    fig = figures.heatmap(hm, area_names(ctx, sel, hm.columns, lang), law_shorts(ctx, lang),
                          heat_marks(lang), lang)
    return fig, heat_caption(hm, ctx.settings.min_group, at, horizon, lang)
