"""Maps & regions: the sentences and labels (numbers formatted per language, captions that are
the charts' text alternatives, the coverage line)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from dashboard.components.numbers import fmt_int, fmt_num
from dashboard.components.places import country_name
from dashboard.context import AppContext
from dashboard.i18n import t
from dashboard.store import Snapshot
from dashboard.views.maps.data import (
    Columns,
    MapState,
    answered_countries,
    coverage,
    rows_of,
    take_rows,
)
from pipelines.maturity.regional import OVERALL, extremes
from pipelines.national_indices import INDICES


def fmt_share(value) -> str:
    try:
        v = float(value)
    except (TypeError, ValueError):
        return "–"
    return "–" if v != v else f"{v:.0%}"


def fmt_stat(value, stat: str, lang: str) -> str:
    return fmt_share(value) if stat == "share_ge3" else fmt_num(value, lang, 2)


def measure_label(ctx: AppContext, measure: str, lang: str) -> str:
    fw = ctx.framework
    if measure == OVERALL:
        return t("maps.measure.overall.short", lang)
    if measure in fw.block_by_id:
        return t("maps.measure.block.short", lang, name=fw.block_by_id[measure].name.get(lang))
    el = fw.element_by_id[measure]
    return f"{el.id} {el.name.get(lang)}"


def measure_options(ctx: AppContext, lang: str) -> list[dict]:
    """Grouped: overall maturity, then each building block followed by its elements (indented)."""
    fw = ctx.framework
    options = [{"label": t("maps.measure.overall", lang), "value": OVERALL}]
    for b in fw.blocks:
        options.append({"label": t("maps.measure.block", lang, id=b.id, name=b.name.get(lang)),
                        "value": b.id})
        options += [{"label": f"\u2003{e.id} · {e.name.get(lang)}", "value": e.id}
                    for e in fw.elements_of(b.id)]
    return options


def stat_title(ctx: AppContext, state: MapState, lang: str) -> str:
    return t(f"maps.stat.title.{state.stat}", lang, measure=measure_label(ctx, state.measure, lang))


def region_word(area_type: str, lang: str) -> str:
    return t(f"maps.level.word.{area_type}", lang)


def sizes_caption(ctx: AppContext, cols: Columns, state: MapState, lang: str) -> str:
    scope = "EU" if state.level != "country" else country_name(ctx, state.country, lang)
    shown = take_rows(cols, ~np.isnan(cols[state.stat]))
    if not rows_of(shown):
        return t("maps.sizes.caption.none", lang, scope=scope, wave=state.wave)
    (hi, hv), (lo, lv) = extremes(shown["label"].tolist(), shown[state.stat])
    return t("maps.sizes.caption", lang, scope=scope, wave=state.wave, high=hi,
             high_value=fmt_stat(hv, state.stat, lang), low=lo,
             low_value=fmt_stat(lv, state.stat, lang), suppressed=int(cols["suppressed"].sum()))



def coverage_line(ctx: AppContext, snap: Snapshot, state: MapState, lang: str) -> str:
    cov = coverage(snap, state.wave)
    if state.level == "country":
        row = cov["country"].get(state.country)
        scope = country_name(ctx, state.country, lang)
    else:
        row = cov["eu"].get("EU")
        scope = t("maps.scope.all", lang)
    if not row:
        return ""
    total = row["municipalities"]
    countries = len(answered_countries(snap, state.wave))
    return t("maps.coverage.one" if countries == 1 else "maps.coverage", lang, scope=scope,
             wave=state.wave, responded=fmt_int(row["responded"], lang),
             total=fmt_int(total, lang),
             share=fmt_share(row["responded"] / total if total else 0), countries=countries)



def context_caption(df: pd.DataFrame, state: MapState, lang: str) -> str:
    both = df[df["self_assessed_median"].notna()]
    parts = [t("maps.context.caption", lang, n=len(both), wave=state.wave)]
    for k in INDICES:
        sub = both[both[k].notna()]
        if len(sub) >= 3:
            r = float(np.corrcoef(sub["self_assessed_median"], sub[k])[0, 1])
            parts.append(t("maps.context.caption.r", lang, index=t(f"maps.context.axis.{k}", lang),
                           n=len(sub), r=fmt_num(r, lang, 2)))
    return " ".join(parts)

