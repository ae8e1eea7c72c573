"""The heatmap in words: element labels, the sort order, the caption (the figure's text
alternative) and the hover's texts (looked up in the browser, sent once per page)."""

from __future__ import annotations

from dashboard.components.numbers import fmt_int, fmt_num, plotly_separators
from dashboard.context import AppContext
from dashboard.i18n import t
from dashboard.store import Snapshot
from dashboard.views.heatmap.data import MUNICIPALITIES, REGIONS, View, ViewState
from pipelines.maturity.heatmap import NO_DATA, OVERALL, SUPPRESSED, element_order, extremes


def element_label(ctx: AppContext, eid: str, lang: str) -> str:
    return f"{eid} · {ctx.framework.element_by_id[eid].name.get(lang)}"


def order_text(ctx: AppContext, state: ViewState, lang: str) -> str:
    if state.sort == OVERALL:
        return t("heatmap.order.overall", lang)
    return t("heatmap.order.element", lang, element=element_label(ctx, state.sort, lang))


def caption(ctx: AppContext, snap: Snapshot, view: View, lang: str) -> str:
    """The text alternative of the figure: size, scope, the most and least developed elements."""
    if view.grid is None:
        return ""  # the empty state is said in the notes above
    grid = view.grid
    cube = snap.maturity
    best_worst = extremes(grid.element_means())
    summary = ""
    if best_worst:
        means = grid.element_means()
        b, w = best_worst
        key = "heatmap.caption.extremes" + (".regions" if view.mode == REGIONS else "")
        summary = t(key, lang,
                    best=element_label(ctx, cube.element_ids[grid.rows[b]], lang),
                    best_value=fmt_num(means[b], lang, 1),
                    worst=element_label(ctx, cube.element_ids[grid.rows[w]], lang),
                    worst_value=fmt_num(means[w], lang, 1))
    order = order_text(ctx, view.state, lang)
    if view.mode == MUNICIPALITIES:
        parts = [t("heatmap.caption.municipalities", lang, elements=len(grid.rows),
                   columns=fmt_int(grid.n_columns, lang), scope=view.scope, wave=view.state.wave,
                   order=order), summary, t("heatmap.caption.missing", lang)]
        if view.target_column is not None:
            parts.append(t("heatmap.caption.target", lang,
                           name=view.column_labels[view.target_column]))
        parts.append(view.target_note)
        if view.hidden:
            parts.append(t("heatmap.caption.hidden.one", lang) if view.hidden == 1
                         else t("heatmap.caption.hidden", lang, n=fmt_int(view.hidden, lang)))
        return " ".join(p for p in parts if p)
    suppressed = int((grid.status == SUPPRESSED).sum())
    nodata = int((grid.status == NO_DATA).sum())
    parts = [t("heatmap.caption.regions", lang, elements=len(grid.rows),
               columns=fmt_int(grid.n_columns, lang), level=view.region_level, scope=view.scope,
               wave=view.state.wave, order=order), summary]
    if suppressed or nodata:
        parts.append(t("heatmap.caption.regions.gaps", lang, suppressed=suppressed, nodata=nodata,
                       min_group=ctx.settings.min_group))
    return " ".join(p for p in parts if p)


def hover_labels(ctx: AppContext, snap: Snapshot, lang: str) -> dict:
    """Row labels and the 5 level descriptors per row, for the browser-side hover (sent once)."""
    fw = ctx.framework
    cube = snap.maturity
    rows = [cube.element_ids[e] for e in element_order(cube.element_blocks)]
    return {
        "el": [element_label(ctx, e, lang) for e in rows],
        "desc": [[fw.element_by_id[e].levels[lv].get(lang) for lv in range(5)] for e in rows],
        "scale": [fw.scale[lv].label.get(lang) for lv in range(5)],
        "dec": plotly_separators(lang)[0],  # the decimal mark of the medians in the hover
        "t": {"level": t("heatmap.tip.level", lang), "missing": t("heatmap.tip.missing", lang),
              "median": t("heatmap.tip.median", lang), "share": t("heatmap.tip.share", lang),
              "suppressed": t("heatmap.tip.suppressed", lang, min_group=ctx.settings.min_group),
              "nodata": t("heatmap.tip.nodata", lang)},
    }
