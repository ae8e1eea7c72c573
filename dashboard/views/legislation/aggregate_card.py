"""The aggregate view of the Legislation page: readiness per law over a selection (bars, table,
what is missing most often), law × area and the deadlines, as cards and their contents."""

from __future__ import annotations

import datetime as dt

from dash import html

from dashboard.components.numbers import fmt_int
from dashboard.context import AppContext
from dashboard.i18n import t
from dashboard.laws import inputs
from dashboard.views.legislation import data as ld
from dashboard.views.legislation import figures
from dashboard.views.legislation.blocks import card, figure, link_download, table
from dashboard.views.legislation.data_laws import deadline_rows, law_shorts
from dashboard.views.legislation.data_tables import heatmap_table, lacking_table, law_table
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
    aggregate_caption,
    ambition_text,
    area_names,
    heat_caption,
    heat_marks,
    pct,
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


def aggregate(ctx: AppContext, snap, sel: ld.Selection, at: dt.date, horizon, lang: str) -> dict:
    """Everything the aggregate view shows (the callback only unpacks it)."""
    df = law_table(ctx, snap, sel, at, horizon, lang)
    n = int(df["municipalities"].iat[0]) if len(df) else 0
    if n == 0 or n < ctx.settings.min_group or not ld.published(ctx, snap, sel):
        msg = t("legislation.empty.selection", lang) if n == 0 else \
            t("legislation.suppressed", lang, n=fmt_int(n, lang),
              min_group=fmt_int(ctx.settings.min_group, lang)) \
            if n < ctx.settings.min_group else t("legislation.private", lang)
        return {"bar": figures.empty(msg), "bar_caption": msg, "table": html.P(msg),
                "lacking": "", "heat": figures.empty(msg), "heat_caption": msg,
                "time": timeline(ctx, sel, at, lang), "time_caption": "", "df": df}
    shorts = law_shorts(ctx, lang)
    bar = figures.readiness_bars(df, n, shorts, lang)
    caption = aggregate_caption(df, n, at, horizon, lang, shorts)
    shown = df.assign(
        law=[f"{shorts[r['law']]} – {r['name']}" + unverified_note(r, lang)
             for r in df.to_dict("records")],
        applies=[t("legislation.applies.of", lang, k=fmt_int(a, lang), n=fmt_int(n, lang))
                 for a in df["applies"]],
        share_ready=[share_text(r, lang) for r in df.to_dict("records")],
        ambition_share_met=[ambition_text(r, lang) for r in df.to_dict("records")],
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
    if not df["not_due"].fillna(0).any():  # every deadline counts: a column of zeros says nothing
        del columns["not_due"]
    law_tab = table(shown, columns, label=t("legislation.agg.title", lang),
                    table_id=AGG_LAW_TABLE)
    _, res = ld.population(ctx, snap, sel, at, horizon)
    due = dict(zip(df["law"], df["due"], strict=True))
    hidden = {law for law, sup in zip(df["law"], df["suppressed"], strict=True) if sup}
    lack = lacking_table(ctx, res, [x for x in res.law_ids if x not in hidden], due, lang=lang)
    lacking = table(lack.assign(law=lack["law"].map(lambda x: shorts.get(x, x)),
                                gap=lack["gap"].map(lambda x: fmt_int(x, lang)),
                                unknown=lack["unknown"].map(lambda x: fmt_int(x, lang)),
                                share_gap=lack["share_gap"].map(pct)),
                    {"law": t("legislation.col.law", lang),
                     "element": t("legislation.col.element", lang),
                     "element_name": t("legislation.col.element_name", lang),
                     "gap": t("legislation.col.gap_n", lang),
                     "unknown": t("legislation.status.unknown", lang),
                     "share_gap": t("legislation.col.share_gap", lang)},
                    label=t("legislation.lacking.title", lang)) if len(lack) else \
        html.P(t("legislation.lacking.none", lang))
    heat, heat_text = heatmap(ctx, snap, sel, at, horizon, lang)
    return {"bar": bar, "bar_caption": caption, "table": law_tab, "lacking": lacking,
            "heat": heat, "heat_caption": heat_text, "time": timeline(ctx, sel, at, lang),
            "time_caption": t("legislation.time.caption", lang, at=at.isoformat()), "df": df}


def heatmap(ctx: AppContext, snap, sel: ld.Selection, at, horizon, lang: str):
    """(figure, caption) of law × area over the selection's regions."""
    hm = heatmap_table(ctx, snap, sel, at, horizon)
    if hm.shape[1] == 0:
        msg = t("legislation.empty.selection", lang)
        return figures.empty(msg), msg
    fig = figures.heatmap(hm, area_names(ctx, sel, hm.columns, lang), law_shorts(ctx, lang),
                          heat_marks(lang), lang)
    return fig, heat_caption(hm, ctx.settings.min_group, at, horizon, lang)
