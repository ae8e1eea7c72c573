"""Maps & regions: the map's values, hover texts, colour bar, caption and notices for one state
(computed on every recolour, so vectorised). Pure: notices are (text, colour) pairs that the
layout turns into alerts."""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

import numpy as np
import pandas as pd

from dashboard.components.maps import status_colours
from dashboard.components.numbers import fmt_int, fmt_num
from dashboard.components.places import country_name, region_name
from dashboard.context import AppContext
from dashboard.i18n import t
from dashboard.store import Snapshot
from dashboard.views.maps.data import (
    MapState,
    min_group,
    region_totals,
    stats_of,
)
from dashboard.views.maps.geometry import Geometry
from dashboard.views.maps.texts import fmt_share, fmt_stat, measure_label, region_word, stat_title
from pipelines.maturity.cube import MISSING
from pipelines.maturity.regional import SCALES, extremes, own_statistic, own_values, status_codes


@dataclass
class MapValues:
    z: np.ndarray
    text: list[str]
    colours: dict
    caption: str
    notices: list  # (text, alert colour)
    frame: object  # () -> the map data as a DataFrame for the CSV (only what may be shown)


def map_values(ctx: AppContext, snap: Snapshot, geom: Geometry, state: MapState,
               lang: str) -> MapValues:
    if geom.area_type:
        return _regional_values(ctx, snap, geom, state, lang)
    return _municipal_values(ctx, snap, geom, state, lang)


def map_frame(ctx: AppContext, snap: Snapshot, geom: Geometry, state: MapState) -> pd.DataFrame:
    """`map_values(...).frame()`, the map's download, without the hover texts, colours and
    captions it does not hold (they were ~half of the EU municipal map's download)."""
    if geom.area_type:
        return _regional_frame(ctx, geom, state, *_regional_parts(ctx, snap, geom, state))
    return _municipal_frame(ctx, geom, state, _municipal_parts(ctx, snap, geom, state))


def _colours(state: MapState, lang: str, *, is_element: bool, hidden_label: str,
             empty_label: str, municipal: bool = False) -> dict:
    scale = SCALES[state.stat]
    if state.stat == "share_ge3" and municipal:
        return status_colours(scale, title=t("maps.legend.reaches3", lang), binary=True,
                              ticks=[(0.25, t("maps.legend.below3", lang)),
                                     (0.75, t("maps.legend.atleast3", lang))],
                              hidden_label=hidden_label, empty_label=empty_label)
    if state.stat == "share_ge3":
        return status_colours(scale, title=t("maps.legend.share", lang),
                              ticks=[(v, f"{v:.0%}") for v in (0, 0.25, 0.5, 0.75, 1.0)],
                              hidden_label=hidden_label, empty_label=empty_label)
    key = "maps.legend.level" if is_element else "maps.legend.score"
    title = t(key + (".own" if municipal else ".median"), lang)
    return status_colours(scale, title=title, ticks=[(v, str(v)) for v in range(5)],
                          hidden_label=hidden_label, empty_label=empty_label)


def _formatted(values, fmt) -> np.ndarray:
    """fmt(v) per value, each distinct value formatted once (a NUTS 3 map has ~1,200 regions
    but few distinct counts and two-decimal statistics): object array in the values' order."""
    uniq, inverse = np.unique(np.asarray(values, dtype=np.float64), return_inverse=True)
    return np.array([fmt(v) for v in uniq], dtype=object)[inverse.reshape(-1)]


def _region_texts(state: MapState, lang: str, n, totals, suppressed, values, q1, med, q3,
                  mg: int) -> list[str]:
    """Hover text per region (templates looked up once, numbers formatted once per distinct
    value: this runs on every recolour and first render, 8 ms at EU's NUTS 3 per region)."""
    of_t, share_t, median_t = (t(k, lang) for k in (
        "maps.hover.of", "maps.hover.share", "maps.hover.median"))
    none = t("maps.hover.none", lang, wave=state.wave)
    hidden = t("maps.hover.suppressed", lang, min_group=mg)
    if not len(n):
        return []
    counts = _formatted(n, lambda v: fmt_int(v, lang))
    total_texts = _formatted(totals, lambda v: fmt_int(v, lang))
    if state.stat == "share_ge3":
        shares = _formatted(values, lambda v: share_t.format(share=fmt_share(v)))
    else:
        two = np.concatenate([q1, med, q3]).astype(np.float64)
        q1s, meds, q3s = np.split(_formatted(two, lambda v: fmt_num(v, lang, 2)), 3)
    text = []
    for i in range(len(n)):
        if n[i] == 0:
            text.append(none)
            continue
        of = of_t.format(n=counts[i], total=total_texts[i])
        if suppressed[i]:
            line = hidden
        elif state.stat == "share_ge3":
            line = shares[i]
        else:
            line = median_t.format(median=meds[i], q1=q1s[i], q3=q3s[i])
        text.append(f"{line}<br>{of}")
    return text


def _regional_parts(ctx, snap, geom: Geometry, state: MapState):
    """(the regions' statistics, n, suppressed, municipalities per region)"""
    sub = stats_of(ctx, snap, state.wave, state.measure, geom.area_type).take(geom.locations)
    n = sub["n"]
    suppressed = sub["suppressed"] & (n > 0)
    region_n = region_totals(ctx, geom.area_type)
    totals = np.array([region_n.get(i, 0) for i in geom.locations], dtype=np.int64)
    return sub, n, suppressed, totals


def _regional_frame(ctx, geom: Geometry, state: MapState, sub, n, suppressed, totals
                    ) -> pd.DataFrame:
    return pd.DataFrame({
        "region": geom.locations, "name": [region_name(ctx, i) for i in geom.locations],
        "level": geom.area_type, "wave": state.wave, "measure": state.measure,
        "municipalities": totals, "n_with_value": n, "suppressed": suppressed,
        "q1": sub["q1"], "median": sub["median"], "q3": sub["q3"],
        "share_ge3": sub["share_ge3"]})


def _regional_values(ctx, snap, geom: Geometry, state: MapState, lang: str) -> MapValues:
    sub, n, suppressed, totals = parts = _regional_parts(ctx, snap, geom, state)
    values = sub[state.stat]
    scale = SCALES[state.stat]
    z = status_codes(values, suppressed, scale)
    mg = min_group(ctx, snap)
    q1, med, q3 = sub["q1"], sub["median"], sub["q3"]
    text = _region_texts(state, lang, n, totals, suppressed, values, q1, med, q3, mg)
    colours = _colours(state, lang, is_element=state.measure in ctx.framework.element_by_id,
                       hidden_label=t("maps.legend.suppressed", lang, min_group=mg),
                       empty_label=t("maps.legend.noanswers", lang))
    shown = ~np.isnan(values)
    word = region_word(geom.area_type, lang)
    extreme = extremes(geom.names, values)
    notes = [t("maps.caption.regional", lang, title=stat_title(ctx, state, lang), regions=word,
               wave=state.wave)]
    if extreme:
        (hi, hv), (lo, lv) = extreme
        notes.append(t("maps.caption.extremes", lang, high=hi, high_value=fmt_stat(hv, state.stat, lang),
                       low=lo, low_value=fmt_stat(lv, state.stat, lang)))
    notes.append(t("maps.caption.counts", lang, shown=int(shown.sum()), total=len(values),
                   suppressed=int(suppressed.sum()), min_group=mg,
                   empty=int((n == 0).sum())))
    notices = []
    if geom.no_points:
        notices.append((t("maps.notice.nopoints", lang, country=country_name(
            ctx, state.country, lang)), "info"))
    if not (n > 0).any():
        notices.append((t("maps.notice.nodata", lang, measure=measure_label(
            ctx, state.measure, lang), wave=state.wave), "warning"))
    elif not shown.any():
        notices.append((t("maps.notice.allsuppressed", lang, regions=word,
                                n=int((n > 0).sum()), min_group=mg), "warning"))

    def frame():
        return _regional_frame(ctx, geom, state, *parts)
    return MapValues(z, text, colours, " ".join(notes), notices, frame)


def visible_rows(ctx: AppContext, snap: Snapshot, rows: np.ndarray) -> np.ndarray:
    """bool per cube row: may this municipality's own results be shown? The vectorised form of
    ctx.visible (open visibility shows all, else the consent flags); a test checks they agree."""
    if ctx.settings.visibility == "open":
        return np.ones(len(rows), dtype=bool)
    return snap.consent[rows].astype(bool)


def _value_texts(own: np.ndarray, is_element: bool, stat: str, lang: str) -> np.ndarray:
    """Hover text per municipality, formatted once per distinct value (vectorised)."""
    rounded = np.where(np.isnan(own), -1.0, np.round(own, 2))
    uniq, inverse = np.unique(rounded, return_inverse=True)
    labels = []
    for v in uniq:
        text = (t("maps.hover.level", lang, level=int(v)) if is_element
                else t("maps.hover.score", lang, score=fmt_num(v, lang, 2)))
        if stat == "share_ge3":
            text += " (≥ 3)" if v >= 3 else " (< 3)"
        labels.append(text)
    return np.array(labels, dtype=object)[inverse.reshape(-1)]


class _Municipal(NamedTuple):
    """What the municipal map and its download share, per municipality of the map."""
    own: np.ndarray  # own value of the measure
    values: np.ndarray  # the statistic of it
    answered: np.ndarray
    visible: np.ndarray  # its results may be shown
    hidden: np.ndarray  # answered, not visible
    shown: np.ndarray  # answered, visible, with a value


def _municipal_parts(ctx, snap, geom: Geometry, state: MapState) -> _Municipal:
    cube = snap.maturity
    w = cube.wave_index(state.wave)
    rows = geom.rows
    own = own_values(cube, w, rows, state.measure)
    values = own_statistic(own, state.stat)
    answered = (cube.levels[w, rows] != MISSING).any(axis=1)
    visible = visible_rows(ctx, snap, rows)
    hidden = answered & ~visible
    shown = answered & visible & ~np.isnan(values)
    return _Municipal(own, values, answered, visible, hidden, shown)


def _municipal_frame(ctx, geom: Geometry, state: MapState, p: _Municipal) -> pd.DataFrame:
    rows, m = geom.rows, ctx.municipalities
    own, shown = p.own, p.shown
    # taken as Arrow strings: converting the whole column to objects first was ~1/4 of the
    # EU map's download
    df = pd.DataFrame({
        "municipality_id": m["municipality_id"].array.take(rows),
        "name": m["name"].array.take(rows), "nuts3": m["nuts3"].array.take(rows),
        "wave": state.wave, "measure": state.measure, "answered": p.answered, "shown": shown,
        "value": np.where(shown, np.round(own, 3), np.nan),
        "level_ge3": np.where(shown, own >= 3, None)})
    df["note"] = np.where(p.hidden, "not public (no consent)", "")
    return df


def _municipal_values(ctx, snap, geom: Geometry, state: MapState, lang: str) -> MapValues:
    own, values, answered, visible, hidden, shown = parts = _municipal_parts(ctx, snap, geom,
                                                                            state)
    rows = geom.rows
    scale = SCALES[state.stat]
    z = status_codes(np.where(visible, values, np.nan), hidden, scale)
    is_element = state.measure in ctx.framework.element_by_id
    text = np.where(shown, _value_texts(np.where(shown, own, np.nan), is_element, state.stat, lang),
                    np.where(hidden, t("maps.legend.notpublic", lang),
                             np.where(answered, t("maps.hover.novalue", lang),
                                      t("maps.legend.noanswers", lang)))).tolist()
    colours = _colours(state, lang, is_element=is_element,
                       hidden_label=t("maps.legend.notpublic", lang),
                       empty_label=t("maps.legend.noanswers", lang), municipal=True)
    cname = country_name(ctx, state.country, lang)
    label = measure_label(ctx, state.measure, lang)
    notes = [t("maps.caption.municipal", lang, measure=label[:1].upper() + label[1:],
               country=cname, wave=state.wave, shown=int(shown.sum()),
               answered=int(answered.sum()), total=len(rows))]
    shown_idx = np.flatnonzero(shown)
    if len(shown_idx):
        if state.stat == "share_ge3":
            notes.append(t("maps.caption.reach3", lang, k=int((own[shown_idx] >= 3).sum()),
                           shown=len(shown_idx)))
        else:
            (hi, hv), (lo, lv) = extremes([geom.names[i] for i in shown_idx], own[shown_idx])
            notes.append(t("maps.caption.extremes", lang, high=hi, high_value=fmt_num(hv, lang, 2),
                           low=lo, low_value=fmt_num(lv, lang, 2)))
    notes.append(t("maps.caption.grey", lang))
    notices = []
    if geom.kind == "points":
        notices.append((t("maps.notice.points", lang, country=cname), "light"))
    if not answered.any():
        notices.append((t("maps.notice.nocountry", lang, country=cname, wave=state.wave),
                              "warning"))
    elif hidden.any():
        notices.append((t("maps.notice.consent", lang, n=int(hidden.sum()),
                                answered=int(answered.sum())), "info"))

    def frame():
        return _municipal_frame(ctx, geom, state, parts)
    return MapValues(z, text, colours, " ".join(notes), notices, frame)


