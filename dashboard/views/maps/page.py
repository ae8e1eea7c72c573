"""Maps & regions (Kaarten & regio's): maturity by NUTS region, by country and per municipality,
aggregate tables by country, region and size class, and national indices as context.

Area figures come from the precomputed aggregates mart (small indexed queries); a municipality's
own value comes from the level cube (numpy) and is shown only where ctx.visible() allows. A change
of measure, statistic or wave recolours the map with a Patch (values only); a change of map level
or country sends the new geometry once.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from html import escape
from urllib.parse import urlencode

import dash_bootstrap_components as dbc
import numpy as np
import pandas as pd
from dash import Input, Output, State, callback_context, dcc, html, no_update

from dashboard import geo, ids, warmup
from dashboard.components import colours as palette
from dashboard.components.code_text import t_code
from dashboard.components.downloads import chosen_format, download_control, download_inputs, table_download
from dashboard.components.maps import (
    VIEWS,
    recolour_status,
    status_choropleth,
    status_colours,
    status_points,
)
from dashboard.components.numbers import fmt_int, fmt_num
from dashboard.context import AppContext
from dashboard.i18n import normalise_lang, t
from dashboard.lru import Lru
from dashboard.store import Snapshot
from pipelines.maturity.cube import MISSING
from pipelines.maturity.regional import (
    OVERALL,
    SCALES,
    STATISTICS,
    extremes,
    fit_view,
    own_statistic,
    own_values,
    status_codes,
)
from pipelines.national_indices import INDICES, SOURCES, load_national_indices
from pipelines.reference import NUTS_REGIONS_FILE, SIZE_CLASS_KEYS, size_class_label

PATH = "/maps"
NAV_KEY = "maps.nav"

# Component ids (page-prefixed; shared ids come from dashboard.ids).
MEASURE = "maps-measure"
STAT = "maps-stat"
WAVE = "maps-wave"
LEVEL = "maps-level"
COUNTRY = "maps-country"
NOTICE = "maps-notice"
GRAPH = "maps-graph"
CAPTION = "maps-caption"
COVERAGE = "maps-coverage"
COUNTRIES = "maps-countries"
REGIONS = "maps-regions"
SIZES_GRAPH = "maps-sizes-graph"
SIZES_CAPTION = "maps-sizes-caption"
SIZES_TABLE = "maps-sizes-table"
CONTEXT = "maps-context"
CONTEXT_GRAPH = "maps-context-graph"
CONTEXT_CAPTION = "maps-context-caption"
DOWNLOADS = ("map", "countries", "regions", "sizes", "context")


def download_id(kind: str) -> str:
    return f"maps-download-{kind}"


def download_button_id(kind: str) -> str:
    """The CSV button of a table's download control (XLSX and Parquet add their format)."""
    return f"maps-download-{kind}-btn"


LEVELS = ("nuts2", "nuts3", "country")
# Countries whose municipalities have real boundaries in the reference data.
BOUNDARIES = {"NL": geo.NL_MUNICIPALITIES}
REGION_ROWS = 10  # lowest / highest regions listed; the CSV has them all
GRAPH_CONFIG = {"displaylogo": False, "scrollZoom": True,
                "modeBarButtonsToRemove": ["select2d", "lasso2d"]}


# ------------------------------------------------------------------ state (permalink)


@dataclass(frozen=True)
class MapState:
    measure: str
    stat: str
    wave: str
    level: str
    country: str

    def search(self) -> str:
        return "?" + urlencode({"measure": self.measure, "stat": self.stat, "wave": self.wave,
                                "level": self.level, "country": self.country})


def resolve_state(ctx: AppContext, snap: Snapshot, measure=None, stat=None, wave=None,
                  level=None, country=None) -> tuple[MapState, list[tuple[str, dict]]]:
    """Valid control values from (URL or control) values; unknown ones fall back to defaults.
    Returns the state and notices (i18n key, values) for values that could not be honoured."""
    notes: list[tuple[str, dict]] = []
    fw = ctx.framework
    measure = (measure or OVERALL).strip().upper() if isinstance(measure, str) else OVERALL
    if measure not in (OVERALL, *fw.block_by_id, *fw.element_by_id):
        notes.append(("maps.notice.measure", {"measure": measure}))
        measure = OVERALL
    stat = stat if stat in STATISTICS else "median"
    if wave not in snap.waves:
        if wave:
            notes.append(("maps.notice.wave", {"wave": wave, "latest": snap.waves[-1],
                                               "waves": ", ".join(snap.waves)}))
        wave = snap.waves[-1]
    codes = country_codes(ctx)
    country = country.strip().upper() if isinstance(country, str) else None
    if country not in codes:
        country = default_country(ctx, snap, wave)
    if level not in LEVELS:
        level = default_level(snap, wave)
    return MapState(measure, stat, wave, level, country), notes


def country_codes(ctx: AppContext) -> list[str]:
    return _cached(("codes", str(ctx.settings.reference_dir)),
                   lambda: sorted(ctx.municipalities["country"].unique().tolist()))


def answered_countries(snap: Snapshot, wave: str) -> dict[str, int]:
    """Countries with answers in a wave -> how many municipalities answered."""
    return {c: r["responded"] for c, r in coverage(snap, wave)["country"].items()
            if r["responded"] > 0}


def default_level(snap: Snapshot, wave: str) -> str:
    """Municipalities of the one country when only one country answered, else Europe by NUTS 2."""
    return "country" if len(answered_countries(snap, wave)) == 1 else "nuts2"


def default_country(ctx: AppContext, snap: Snapshot, wave: str) -> str:
    answered = answered_countries(snap, wave)
    if "NL" in answered or not answered:
        return "NL" if "NL" in country_codes(ctx) else country_codes(ctx)[0]
    return max(answered, key=answered.get)


# ------------------------------------------------------------------ small caches and lookups

_CACHE = Lru(64)  # query results, names and geometry per build / reference folder


def _cached(key, compute):
    return _CACHE.get(key, compute)


def min_group(ctx: AppContext, snap: Snapshot) -> int:
    """The stricter of the app setting and the threshold the build applied."""
    return max(ctx.settings.min_group, int(snap.manifest.get("min_group", 0)))


STAT_COLUMNS = ("n", "suppressed", "q1", "median", "q3", "share_ge3")


@dataclass(frozen=True)
class AreaStats:
    """The statistics of one area type (one measure, one wave) as numpy columns."""

    ids: list[str]
    columns: dict[str, np.ndarray]  # STAT_COLUMNS

    @cached_property
    def pos(self) -> dict[str, int]:
        return {a: i for i, a in enumerate(self.ids)}

    def take(self, ids) -> dict[str, np.ndarray]:
        """Columns for `ids` in that order; an area without a row has n 0, no statistics."""
        idx = np.fromiter((self.pos.get(a, -1) for a in ids), dtype=np.int64, count=len(ids))
        ok = idx >= 0
        out = {}
        for col in STAT_COLUMNS:
            src = self.columns[col]
            arr = np.full(len(idx), 0 if col == "n" else False if col == "suppressed" else np.nan,
                          dtype=src.dtype)
            arr[ok] = src[idx[ok]]
            out[col] = arr
        return out


_NO_STATS = AreaStats([], {c: np.zeros(0, dtype=np.int64 if c == "n" else bool
                                          if c == "suppressed" else np.float64)
                           for c in STAT_COLUMNS})


def area_stats(ctx: AppContext, snap: Snapshot, wave: str, measure: str) -> dict[str, AreaStats]:
    """All area statistics of one measure and wave (aggregates mart), by area type, with the
    app's suppression applied on top of the build's: suppressed rows keep n, their statistics
    are NaN. One small query, kept per build, wave and measure."""
    def compute():
        df = snap.query("maps_aggregates", wave=wave, measure=measure)
        n = df["n"].to_numpy(dtype=np.int64)
        hidden = df["suppressed"].to_numpy(dtype=bool) | (n < min_group(ctx, snap))
        cols = {"n": n, "suppressed": hidden}
        for col in ("q1", "median", "q3", "share_ge3"):
            cols[col] = np.where(hidden, np.nan, df[col].to_numpy(dtype=np.float64, na_value=np.nan))
        area_type = df["area_type"].to_numpy(dtype=object)
        area_id = df["area_id"].to_numpy(dtype=object)
        out = {}
        for at in dict.fromkeys(area_type):
            m = area_type == at
            out[at] = AreaStats(area_id[m].tolist(), {c: v[m] for c, v in cols.items()})
        return out
    return _cached(("agg", snap.build_id, wave, measure, ctx.settings.min_group), compute)


def stats_of(ctx, snap, wave: str, measure: str, area_type: str) -> AreaStats:
    return area_stats(ctx, snap, wave, measure).get(area_type, _NO_STATS)


def coverage(snap: Snapshot, wave: str) -> dict[str, dict]:
    """Municipalities and how many answered, per country and EU-wide: {area_type: {id: row}}."""
    def compute():
        df = snap.query("maps_coverage", wave=wave)
        out: dict[str, dict] = {"eu": {}, "country": {}}
        for r in df.itertuples(index=False):
            out[r.area_type][r.area_id] = {"municipalities": int(r.municipalities),
                                           "responded": int(r.responded)}
        return out
    return _cached(("cov", snap.build_id, wave), compute)


def countries(snap: Snapshot) -> pd.DataFrame:
    return _cached(("countries", str(snap.reference_dir)),
                   lambda: snap.query("maps_countries").set_index("code"))


def country_names(snap: Snapshot, lang: str) -> dict[str, str]:
    def compute():
        df = countries(snap)
        return dict(zip(df.index, df["name_nl" if lang == "nl" else "name_en"], strict=True))
    return _cached(("country_names", str(snap.reference_dir), lang), compute)


def country_name(snap: Snapshot, code: str, lang: str) -> str:
    return country_names(snap, lang).get(code, code)


def nuts_names(ctx: AppContext) -> dict[str, str]:
    def compute():
        df = pd.read_csv(ctx.settings.reference_dir / NUTS_REGIONS_FILE, dtype=str,
                         keep_default_na=False)
        return dict(zip(df["nuts_id"], df["name"], strict=True))
    return _cached(("nuts_names", str(ctx.settings.reference_dir)), compute)


def region_totals(ctx: AppContext, area_type: str) -> dict[str, int]:
    """Municipalities per NUTS region in the reference data."""
    return _cached(("totals", str(ctx.settings.reference_dir), area_type),
                   lambda: {str(k): int(v) for k, v in
                            ctx.municipalities[area_type].value_counts().items()})


def national_indices(ctx: AppContext) -> pd.DataFrame:
    return _cached(("indices", str(ctx.settings.reference_dir)),
                   lambda: load_national_indices(ctx.settings.reference_dir).set_index("country"))


# ------------------------------------------------------------------ formatting


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


# ------------------------------------------------------------------ geometry (sent once per level)


@dataclass(frozen=True)
class Geometry:
    kind: str  # "choropleth" or "points"
    area_type: str | None  # "nuts2"/"nuts3" for regional maps, None for municipal maps
    locations: list[str]
    names: list[str]
    rows: np.ndarray | None  # cube rows of municipal locations
    geojson: dict | None
    lon: np.ndarray | None
    lat: np.ndarray | None
    view: dict
    uirevision: str
    no_points: bool = False  # a country without municipal points, shown by NUTS 3
    outline: dict | None = None  # region borders drawn under points


def geometry(ctx: AppContext, level: str, country: str) -> Geometry:
    key = ("geom", str(ctx.settings.reference_dir), level, country if level == "country" else "")
    return _cached(key, lambda: _geometry(ctx, level, country))


def _nuts_geometry(ctx: AppContext, area_type: str, country: str | None) -> Geometry:
    ref = ctx.settings.reference_dir
    m = ctx.municipalities
    used = m.loc[m["country"] == country, area_type] if country else m[area_type]
    level = int(area_type[-1])
    gj = geo.slim(ref, geo.NUTS_LEVEL.format(level=level), frozenset(used.unique()))
    locations = [f["id"] for f in gj["features"]]
    names = nuts_names(ctx)
    view = VIEWS["eu"]
    if country:
        coords = np.array([pt for f in gj["features"] for pt in _points_of(f["geometry"])])
        view = fit_view(coords[:, 0], coords[:, 1], width=1000)
    return Geometry("choropleth", area_type, locations,
                    [f"{names.get(i, i)} ({i})" for i in locations], None, gj, None, None, view,
                    f"{area_type}:{country or 'EU'}", no_points=bool(country))


def _points_of(geometry: dict):
    polys = geometry["coordinates"] if geometry["type"] == "MultiPolygon" else [
        geometry["coordinates"]]
    for poly in polys:
        yield from poly[0]


def _geometry(ctx: AppContext, level: str, country: str) -> Geometry:
    if level in ("nuts2", "nuts3"):
        return _nuts_geometry(ctx, level, None)
    m = ctx.municipalities
    in_country = (m["country"] == country).to_numpy()
    if country in BOUNDARIES:
        gj = geo.slim(ctx.settings.reference_dir, BOUNDARIES[country])
        locations = [f["id"] for f in gj["features"]]
        index = pd.Index(m["municipality_id"])
        rows = index.get_indexer([f"{country}_{code}" for code in locations])
        keep = rows >= 0
        gj = {"type": "FeatureCollection",
              "features": [f for f, k in zip(gj["features"], keep, strict=True) if k]}
        locations = [loc for loc, k in zip(locations, keep, strict=True) if k]
        rows = rows[keep]
        coords = np.array([pt for f in gj["features"] for pt in _points_of(f["geometry"])])
        view = fit_view(coords[:, 0], coords[:, 1], width=1000)
        return Geometry("choropleth", None, locations, m["name"].to_numpy()[rows].tolist(),
                        rows, gj, None, None, view, f"country:{country}")
    has_point = in_country & m["lon"].notna().to_numpy() & m["lat"].notna().to_numpy()
    rows = np.flatnonzero(has_point)
    if not len(rows):
        return _nuts_geometry(ctx, "nuts3", country)
    lon = m["lon"].to_numpy()[rows]
    lat = m["lat"].to_numpy()[rows]
    outline = geo.slim(ctx.settings.reference_dir, geo.NUTS_LEVEL.format(level=2),
                       frozenset(m.loc[in_country, "nuts2"].unique()), decimals=3)
    return Geometry("points", None, m["municipality_id"].to_numpy()[rows].tolist(),
                    m["name"].to_numpy()[rows].tolist(), rows, None, lon, lat,
                    fit_view(lon, lat, width=1000), f"country:{country}", outline=outline)


# ------------------------------------------------------------------ map values (every recolour)


@dataclass
class MapValues:
    z: np.ndarray
    text: list[str]
    colours: dict
    caption: str
    notices: list
    frame: object  # () -> the map data as a DataFrame for the CSV (only what may be shown)


def map_values(ctx: AppContext, snap: Snapshot, geom: Geometry, state: MapState,
               lang: str) -> MapValues:
    if geom.area_type:
        return _regional_values(ctx, snap, geom, state, lang)
    return _municipal_values(ctx, snap, geom, state, lang)


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


def _region_texts(state: MapState, lang: str, n, totals, suppressed, values, q1, med, q3,
                  mg: int) -> list[str]:
    """Hover text per region (templates looked up once: this runs on every recolour)."""
    of_t, share_t, median_t = (t(k, lang) for k in (
        "maps.hover.of", "maps.hover.share", "maps.hover.median"))
    none = t("maps.hover.none", lang, wave=state.wave)
    hidden = t("maps.hover.suppressed", lang, min_group=mg)
    text = []
    for i in range(len(n)):
        if n[i] == 0:
            text.append(none)
            continue
        of = of_t.format(n=fmt_int(n[i], lang), total=fmt_int(totals[i], lang))
        if suppressed[i]:
            line = hidden
        elif state.stat == "share_ge3":
            line = share_t.format(share=fmt_share(values[i]))
        else:
            line = median_t.format(median=fmt_num(med[i], lang, 2), q1=fmt_num(q1[i], lang, 2),
                                   q3=fmt_num(q3[i], lang, 2))
        text.append(f"{line}<br>{of}")
    return text


def _regional_values(ctx, snap, geom: Geometry, state: MapState, lang: str) -> MapValues:
    sub = stats_of(ctx, snap, state.wave, state.measure, geom.area_type).take(geom.locations)
    values = sub[state.stat]
    n = sub["n"]
    suppressed = sub["suppressed"] & (n > 0)
    scale = SCALES[state.stat]
    z = status_codes(values, suppressed, scale)
    region_n = region_totals(ctx, geom.area_type)
    totals = np.array([region_n.get(i, 0) for i in geom.locations], dtype=np.int64)
    mg = min_group(ctx, snap)
    q1, med, q3 = sub["q1"], sub["median"], sub["q3"]
    text = _region_texts(state, lang, n, totals, suppressed, values, q1, med, q3, mg)
    colours = _colours(state, lang, is_element=state.measure in ctx.framework.element_by_id,
                       hidden_label=t("maps.legend.suppressed", lang, min_group=mg),
                       empty_label=t("maps.legend.noanswers", lang))
    shown = ~np.isnan(values)
    word = region_word(geom.area_type, lang)
    extreme = extremes(geom.names, values)
    parts = [t("maps.caption.regional", lang, title=stat_title(ctx, state, lang), regions=word,
               wave=state.wave)]
    if extreme:
        (hi, hv), (lo, lv) = extreme
        parts.append(t("maps.caption.extremes", lang, high=hi, high_value=fmt_stat(hv, state.stat, lang),
                       low=lo, low_value=fmt_stat(lv, state.stat, lang)))
    parts.append(t("maps.caption.counts", lang, shown=int(shown.sum()), total=len(values),
                   suppressed=int(suppressed.sum()), min_group=mg,
                   empty=int((n == 0).sum())))
    notices = []
    if geom.no_points:
        notices.append(_alert(t("maps.notice.nopoints", lang, country=country_name(
            snap, state.country, lang)), "info"))
    if not (n > 0).any():
        notices.append(_alert(t("maps.notice.nodata", lang, measure=measure_label(
            ctx, state.measure, lang), wave=state.wave), "warning"))
    elif not shown.any():
        notices.append(_alert(t("maps.notice.allsuppressed", lang, regions=word,
                                n=int((n > 0).sum()), min_group=mg), "warning"))

    def frame():
        return pd.DataFrame({
            "region": geom.locations, "name": [nuts_names(ctx).get(i, i) for i in geom.locations],
            "level": geom.area_type, "wave": state.wave, "measure": state.measure,
            "municipalities": totals, "n_with_value": n, "suppressed": suppressed,
            "q1": q1, "median": med, "q3": q3,
            "share_ge3": sub["share_ge3"]})
    return MapValues(z, text, colours, " ".join(parts), notices, frame)


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


def _municipal_values(ctx, snap, geom: Geometry, state: MapState, lang: str) -> MapValues:
    cube = snap.maturity
    w = cube.wave_index(state.wave)
    rows = geom.rows
    own = own_values(cube, w, rows, state.measure)
    values = own_statistic(own, state.stat)
    answered = (cube.levels[w, rows] != MISSING).any(axis=1)
    visible = visible_rows(ctx, snap, rows)
    hidden = answered & ~visible
    shown = answered & visible & ~np.isnan(values)
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
    cname = country_name(snap, state.country, lang)
    label = measure_label(ctx, state.measure, lang)
    parts = [t("maps.caption.municipal", lang, measure=label[:1].upper() + label[1:],
               country=cname, wave=state.wave, shown=int(shown.sum()),
               answered=int(answered.sum()), total=len(rows))]
    shown_idx = np.flatnonzero(shown)
    if len(shown_idx):
        if state.stat == "share_ge3":
            parts.append(t("maps.caption.reach3", lang, k=int((own[shown_idx] >= 3).sum()),
                           shown=len(shown_idx)))
        else:
            (hi, hv), (lo, lv) = extremes([geom.names[i] for i in shown_idx], own[shown_idx])
            parts.append(t("maps.caption.extremes", lang, high=hi, high_value=fmt_num(hv, lang, 2),
                           low=lo, low_value=fmt_num(lv, lang, 2)))
    parts.append(t("maps.caption.grey", lang))
    notices = []
    if geom.kind == "points":
        notices.append(_alert(t("maps.notice.points", lang, country=cname), "light"))
    if not answered.any():
        notices.append(_alert(t("maps.notice.nocountry", lang, country=cname, wave=state.wave),
                              "warning"))
    elif hidden.any():
        notices.append(_alert(t("maps.notice.consent", lang, n=int(hidden.sum()),
                                answered=int(answered.sum())), "info"))

    def frame():
        m = ctx.municipalities
        df = pd.DataFrame({
            "municipality_id": m["municipality_id"].to_numpy()[rows],
            "name": m["name"].to_numpy()[rows], "nuts3": m["nuts3"].to_numpy()[rows],
            "wave": state.wave, "measure": state.measure, "answered": answered, "shown": shown,
            "value": np.where(shown, np.round(own, 3), np.nan),
            "level_ge3": np.where(shown, own >= 3, None)})
        df["note"] = np.where(hidden, "not public (no consent)", "")
        return df
    return MapValues(z, text, colours, " ".join(parts), notices, frame)


def _alert(text: str, color: str) -> dbc.Alert:
    return dbc.Alert(text, color=color, className="py-2 mb-2")


def map_figure(geom: Geometry, values: MapValues) -> dict:
    if geom.kind == "points":
        return status_points(geom.lon, geom.lat, values.z, values.text, geom.names,
                             values.colours, view=geom.view, uirevision=geom.uirevision,
                             outline=geom.outline)
    return status_choropleth(geom.geojson, geom.locations, values.z, values.text, geom.names,
                             values.colours, view=geom.view, uirevision=geom.uirevision)


def update_map(ctx: AppContext, measure, stat, wave, level, country, lang, trigger):
    """Recolour (Patch: values only) when measure, statistic or wave changed; the full figure
    when the map level or the country changed. Returns (figure or Patch, caption, notices)."""
    lang = normalise_lang(lang)
    snap = ctx.warehouse.snapshot()
    if snap is None:
        return no_update, "", [_alert(t("maps.empty.title", lang), "info")]
    state, notes = resolve_state(ctx, snap, measure, stat, wave, level, country)
    if trigger == COUNTRY and state.level != "country":
        return no_update, no_update, no_update
    geom = geometry(ctx, state.level, state.country)
    values = map_values(ctx, snap, geom, state, lang)
    notices = [_alert(t(k, lang, **v), "warning") for k, v in notes] + values.notices
    if trigger in (MEASURE, STAT, WAVE):
        kind = "points" if geom.kind == "points" else "choropleth"
        return recolour_status(kind, values.z, values.text, values.colours), values.caption, notices
    return map_figure(geom, values), values.caption, notices


# ------------------------------------------------------------------ tables (frames = CSV data)

def _frame(columns: dict, stats: dict[str, np.ndarray], stat: str) -> pd.DataFrame:
    """A table frame: `columns` then the statistics, highest `stat` first (ties: larger n
    first), areas without a shown value last."""
    values = stats[stat]
    order = np.lexsort((-stats["n"], np.where(np.isnan(values), np.inf, -values)))
    data = {k: (np.asarray(v, dtype=object)[order] if isinstance(v, list) else v)
            for k, v in columns.items()}
    data.update({k: v[order] for k, v in stats.items()})
    return pd.DataFrame(data)


def countries_frame(ctx, snap, state: MapState, lang: str) -> pd.DataFrame:
    """Per country with answers: coverage (coverage_areas) and the statistics (aggregates)."""
    cov = coverage(snap, state.wave)["country"]
    codes = sorted(c for c, r in cov.items() if r["responded"] > 0)
    stats = stats_of(ctx, snap, state.wave, state.measure, "country").take(codes)
    return _frame({"country": codes, "name": [country_name(snap, c, lang) for c in codes],
                   "wave": state.wave, "measure": state.measure,
                   "municipalities": [cov[c]["municipalities"] for c in codes],
                   "responded": [cov[c]["responded"] for c in codes]}, stats, state.stat)


def region_scope(state: MapState) -> tuple[str, str | None]:
    """(area type, country filter) of the region table: the map's NUTS level, or a country's
    NUTS 2 regions on the municipal map."""
    if state.level == "country":
        return "nuts2", state.country
    return state.level, None


def regions_frame(ctx, snap, state: MapState, lang: str) -> pd.DataFrame:
    area_type, country = region_scope(state)
    stats = stats_of(ctx, snap, state.wave, state.measure, area_type)
    codes = [i for i in stats.ids if not country or i.startswith(country)]
    names = nuts_names(ctx)
    totals = region_totals(ctx, area_type)
    return _frame({"region": codes, "name": [names.get(i, i) for i in codes],
                   "country": [i[:2] for i in codes], "wave": state.wave,
                   "measure": state.measure, "municipalities": [totals.get(i, 0) for i in codes]},
                  stats.take(codes), state.stat)


def sizes_frame(ctx, snap, state: MapState, lang: str) -> pd.DataFrame:
    """By population size class: EU-wide on the regional maps, within the country on its map."""
    if state.level == "country":
        stats = stats_of(ctx, snap, state.wave, state.measure, "country_size")
        prefix = f"{state.country}:"
    else:
        stats = stats_of(ctx, snap, state.wave, state.measure, "size_class")
        prefix = ""
    keys = [k for k in SIZE_CLASS_KEYS if prefix + k in stats.pos]
    df = pd.DataFrame({"size_class": keys, "label": [size_class_label(k, lang) for k in keys],
                       "scope": state.country if state.level == "country" else "EU",
                       "wave": state.wave, "measure": state.measure})
    for col, values in stats.take([prefix + k for k in keys]).items():
        df[col] = values
    return df


def context_frame(ctx, snap, state: MapState, lang: str) -> pd.DataFrame:
    """Per country: self-assessed median overall maturity beside three independent indices."""
    idx = national_indices(ctx)
    own = stats_of(ctx, snap, state.wave, OVERALL, "country").take(idx.index.tolist())
    df = idx.copy()
    df["n"] = np.where(own["n"] > 0, own["n"], np.nan)
    df["suppressed"] = own["suppressed"]
    df["median"] = own["median"]
    df = df[df["n"].notna() | df[list(INDICES)].notna().any(axis=1)].copy()
    df["n"] = df["n"].fillna(0).astype(int)
    df["suppressed"] = df["suppressed"].fillna(False).astype(bool)
    df = df.rename(columns={"median": "self_assessed_median"})
    df.insert(0, "name", [country_name(snap, c, lang) for c in df.index])
    df = df.rename_axis("country").reset_index()
    df.insert(2, "wave", state.wave)
    df = df[["country", "name", "wave", "self_assessed_median", "n", "suppressed", *INDICES]]
    return df.sort_values(["self_assessed_median", "name"], ascending=[False, True],
                          na_position="last", ignore_index=True)


# ------------------------------------------------------------------ table and chart components


# Tables are rendered as one escaped HTML string (dcc.Markdown): a Dash component per cell costs
# ~30 µs to build, which made a 60-row update take longer than the statistics behind it.


@dataclass(frozen=True)
class Column:
    label: str
    numeric: bool = False
    help: str | None = None


def html_table(columns: list[Column], rows: list[list[str]], caption: str,
               highlight: set[int] | frozenset = frozenset()) -> dcc.Markdown:
    def th(c: Column) -> str:
        cls = ' class="text-end"' if c.numeric else ""
        title = f' title="{escape(c.help)}"' if c.help else ""
        return f'<th scope="col"{cls}{title}>{escape(c.label)}</th>'

    def tr(i: int, cells: list[str]) -> str:
        cls = ' class="table-active fw-semibold"' if i in highlight else ""
        tds = "".join(
            f'<td class="text-end text-nowrap">{escape(v)}</td>' if c.numeric else
            f"<td>{escape(v)}</td>" for c, v in zip(columns, cells, strict=True))
        return f"<tr{cls}>{tds}</tr>"
    body = "".join(tr(i, cells) for i, cells in enumerate(rows))
    return dcc.Markdown(
        f'<div class="table-responsive"><table class="table table-sm table-striped table-hover '
        f'maps-table"><caption class="visually-hidden">{escape(caption)}</caption>'
        f'<thead><tr>{"".join(th(c) for c in columns)}</tr></thead><tbody>{body}</tbody>'
        f"</table></div>", dangerously_allow_html=True, className="maps-md")


def _stat_columns(lang: str) -> list[Column]:
    return [Column(t("maps.col.n", lang), True, t("maps.col.n.help", lang)),
            Column(t("maps.col.median", lang), True), Column(t("maps.col.iqr", lang), True),
            Column(t("maps.col.share", lang), True)]


def _stat_cells(df: pd.DataFrame, lang: str) -> list[list[str]]:
    return [[fmt_int(n, lang), fmt_num(med, lang, 2),
             "–" if q1 != q1 else f"{fmt_num(q1, lang, 2)}–{fmt_num(q3, lang, 2)}",
             fmt_share(share)]
            for n, med, q1, q3, share in zip(df["n"], df["median"], df["q1"], df["q3"],
                                             df["share_ge3"], strict=True)]


def countries_table(df: pd.DataFrame, state: MapState, lang: str, mg: int):
    if df.empty:
        return html.P(t("maps.table.nocountries", lang, wave=state.wave), className="mb-0")
    columns = [Column(t("maps.col.country", lang)), Column(t("maps.col.coverage", lang), True),
               *_stat_columns(lang)]
    rows = [[f"{name} ({code})", f"{fmt_int(resp, lang)} / {fmt_int(total, lang)}", *cells]
            for name, code, resp, total, cells in zip(
                df["name"], df["country"], df["responded"], df["municipalities"],
                _stat_cells(df, lang), strict=True)]
    highlight = ({i for i, c in enumerate(df["country"]) if c == state.country}
                 if state.level == "country" else set())
    return [html_table(columns, rows, t("maps.countries.title", lang), highlight),
            html.P(t("maps.table.dash", lang, min_group=mg),
                   className="small text-body-secondary mb-0")]


def regions_block(df: pd.DataFrame, state: MapState, lang: str, mg: int):
    area_type, _ = region_scope(state)
    word = region_word(area_type, lang)
    if df.empty:
        return html.P(t("maps.regions.none", lang, regions=word, wave=state.wave), className="mb-0")
    columns = [Column(t("maps.col.region", lang)), *_stat_columns(lang)]

    def table(part: pd.DataFrame, caption: str):
        rows = [[f"{name} ({code})", *cells] for name, code, cells in zip(
            part["name"], part["region"], _stat_cells(part, lang), strict=True)]
        return html_table(columns, rows, caption)
    shown = df[df[state.stat].notna()]
    note = html.P(t("maps.regions.note", lang, regions=word, shown=len(shown), total=len(df),
                    suppressed=int(df["suppressed"].sum()), min_group=mg),
                  className="small text-body-secondary mb-0")
    if len(shown) <= 2 * REGION_ROWS:
        return [table(df, t("maps.regions.title", lang)), note]
    low, high = (t(k, lang, n=REGION_ROWS) for k in ("maps.regions.low", "maps.regions.high"))
    return [dbc.Row([
        dbc.Col([html.H3(low, className="h6"),
                 table(shown.iloc[::-1].head(REGION_ROWS), low)], lg=6),
        dbc.Col([html.H3(high, className="h6"), table(shown.head(REGION_ROWS), high)], lg=6),
    ]), note]


def _axis(**kw) -> dict:
    return {"showgrid": True, "gridcolor": palette.GRID, "zeroline": False, "automargin": True, **kw}


def sizes_figure(df: pd.DataFrame, state: MapState, lang: str) -> dict:
    """Median and middle half (or share at >= 3) per size class; a plain figure dict (building
    a go.Figure costs more than the data here)."""
    shown = df[df[state.stat].notna()]
    labels = [f"{lab} (n={fmt_int(n, lang)})" for lab, n in zip(shown["label"], shown["n"],
                                                               strict=True)]
    if state.stat == "share_ge3":
        trace = {"type": "bar", "orientation": "h", "x": shown["share_ge3"].round(4).tolist(),
                 "y": labels, "marker": {"color": palette.ACCENT},
                 "hovertemplate": "%{y}: %{x:.0%}<extra></extra>"}
        xaxis = _axis(range=[0, 1.02], tickformat=".0%", dtick=0.25,
                      title={"text": t("maps.col.share", lang)})
    else:
        med = shown["median"].to_numpy()
        trace = {"type": "scatter", "mode": "markers", "x": med.round(3).tolist(), "y": labels,
                 "marker": {"size": 10, "color": palette.ACCENT_DARK},
                 "error_x": {"type": "data", "symmetric": False,
                             "array": (shown["q3"].to_numpy() - med).round(3).tolist(),
                             "arrayminus": (med - shown["q1"].to_numpy()).round(3).tolist(),
                             "color": palette.ACCENT_LIGHT, "thickness": 6, "width": 0},
                 "hovertemplate": "%{y}<br>" + t("maps.col.median", lang)
                 + ": %{x:.2f}<extra></extra>"}
        xaxis = _axis(range=[-0.1, 4.1], dtick=1, title={"text": t("maps.sizes.axis", lang)})
    return {"data": [trace], "layout": {
        "template": "none", "height": 70 + 34 * max(len(shown), 1), "showlegend": False,
        "margin": {"l": 10, "r": 24, "t": 10, "b": 45}, "paper_bgcolor": palette.PAPER,
        "plot_bgcolor": palette.PAPER, "xaxis": xaxis,
        "yaxis": {"autorange": "reversed", "automargin": True}}}


def sizes_caption(df: pd.DataFrame, state: MapState, lang: str, snap) -> str:
    scope = ("EU" if state.level != "country" else country_name(snap, state.country, lang))
    shown = df[df[state.stat].notna()]
    if shown.empty:
        return t("maps.sizes.caption.none", lang, scope=scope, wave=state.wave)
    (hi, hv), (lo, lv) = extremes(shown["label"].tolist(), shown[state.stat].to_numpy())
    return t("maps.sizes.caption", lang, scope=scope, wave=state.wave, high=hi,
             high_value=fmt_stat(hv, state.stat, lang), low=lo,
             low_value=fmt_stat(lv, state.stat, lang), suppressed=int(df["suppressed"].sum()))


def sizes_table(df: pd.DataFrame, lang: str):
    if df.empty:
        return None
    rows = [[label, *cells] for label, cells in zip(df["label"], _stat_cells(df, lang),
                                                    strict=True)]
    return html_table([Column(t("maps.col.size", lang)), *_stat_columns(lang)], rows,
                      t("maps.sizes.title", lang))


def coverage_line(snap, state: MapState, lang: str) -> str:
    cov = coverage(snap, state.wave)
    if state.level == "country":
        row = cov["country"].get(state.country)
        scope = country_name(snap, state.country, lang)
    else:
        row = cov["eu"].get("EU")
        scope = t("maps.scope.all", lang)
    if not row:
        return ""
    total = row["municipalities"]
    return t("maps.coverage", lang, scope=scope, wave=state.wave,
             responded=fmt_int(row["responded"], lang), total=fmt_int(total, lang),
             share=fmt_share(row["responded"] / total if total else 0),
             countries=len(answered_countries(snap, state.wave)))


def update_tables(ctx: AppContext, measure, stat, wave, level, country, lang):
    """Coverage line, country table, region tables, size-class chart + caption + table."""
    lang = normalise_lang(lang)
    snap = ctx.warehouse.snapshot()
    if snap is None:
        return (None,) * 6
    state, _ = resolve_state(ctx, snap, measure, stat, wave, level, country)
    mg = min_group(ctx, snap)
    sizes = sizes_frame(ctx, snap, state, lang)
    return (coverage_line(snap, state, lang),
            countries_table(countries_frame(ctx, snap, state, lang), state, lang, mg),
            regions_block(regions_frame(ctx, snap, state, lang), state, lang, mg),
            sizes_figure(sizes, state, lang), sizes_caption(sizes, state, lang, snap),
            sizes_table(sizes, lang))


INDEX_DIGITS = {"desi_dps": 1, "egov_overall": 1, "oecd_dgi": 2}


def context_table(df: pd.DataFrame, state: MapState, lang: str):
    columns = [Column(t("maps.col.country", lang)),
               Column(t("maps.context.col.self", lang, wave=state.wave), True),
               *[Column(t(f"maps.context.col.{k}", lang), True) for k in INDICES]]
    rows = [[f"{r.name} ({r.country})",
             fmt_num(r.self_assessed_median, lang, 2) + (
                 f" (n={fmt_int(r.n, lang)})" if r.n else ""),
             *[fmt_num(getattr(r, k), lang, INDEX_DIGITS[k]) for k in INDICES]]
            for r in df.itertuples()]
    highlight = ({i for i, c in enumerate(df["country"]) if c == state.country}
                 if state.level == "country" else set())
    return html_table(columns, rows, t("maps.context.title", lang), highlight)


def context_figure(df: pd.DataFrame, lang: str) -> dict:
    """Three small dot charts side by side: self-assessed median (up) against each index."""
    data, layout = [], {}
    width = 0.3
    for i, k in enumerate(INDICES):
        sub = df[df["self_assessed_median"].notna() & df[k].notna()]
        suffix = "" if i == 0 else str(i + 1)
        data.append({"type": "scatter", "mode": "markers+text", "xaxis": f"x{suffix}",
                     "yaxis": "y", "x": sub[k].round(4).tolist(),
                     "y": sub["self_assessed_median"].round(3).tolist(),
                     "text": sub["country"].tolist(), "customdata": sub["name"].tolist(),
                     "textposition": "top center", "textfont": {"size": 10},
                     "marker": {"size": 8, "color": palette.ACCENT},
                     "hovertemplate": "%{customdata}<br>%{x}<br>" + t("maps.context.axis.self", lang)
                     + ": %{y:.2f}<extra></extra>"})
        start = i * (width + 0.05)
        layout[f"xaxis{suffix}"] = _axis(domain=[start, start + width], autorange=True,
                                         title={"text": t(f"maps.context.axis.{k}", lang),
                                                "font": {"size": 12}})
    layout["yaxis"] = _axis(range=[0, 4.2], dtick=1,
                            title={"text": t("maps.context.axis.self", lang)})
    layout.update(template="none", height=380, showlegend=False, paper_bgcolor=palette.PAPER,
                  plot_bgcolor=palette.PAPER, margin={"l": 50, "r": 10, "t": 10, "b": 50})
    return {"data": data, "layout": layout}


def context_caption(df: pd.DataFrame, state: MapState, lang: str, snap) -> str:
    both = df[df["self_assessed_median"].notna()]
    parts = [t("maps.context.caption", lang, n=len(both), wave=state.wave)]
    for k in INDICES:
        sub = both[both[k].notna()]
        if len(sub) >= 3:
            r = float(np.corrcoef(sub["self_assessed_median"], sub[k])[0, 1])
            parts.append(t("maps.context.caption.r", lang, index=t(f"maps.context.axis.{k}", lang),
                           n=len(sub), r=fmt_num(r, lang, 2)))
    return " ".join(parts)


def context_focus(df: pd.DataFrame, state: MapState, lang: str):
    """On a country's map: that country's numbers in one sentence."""
    if state.level != "country":
        return None
    row = df[df["country"] == state.country]
    if row.empty:
        return None
    r = row.iloc[0]
    return html.P(t("maps.context.focus", lang, country=r["name"], wave=state.wave,
                    own=fmt_num(r.self_assessed_median, lang, 2),
                    desi=fmt_num(r.desi_dps, lang, 1), egov=fmt_num(r.egov_overall, lang, 1),
                    dgi=fmt_num(r.oecd_dgi, lang, 2)), className="mb-2")


def update_context(ctx: AppContext, wave, level, country, lang):
    lang = normalise_lang(lang)
    snap = ctx.warehouse.snapshot()
    if snap is None:
        return None, None, ""
    state, _ = resolve_state(ctx, snap, OVERALL, "median", wave, level, country)
    df = context_frame(ctx, snap, state, lang)
    body = [context_focus(df, state, lang), context_table(df, state, lang)]
    return body, context_figure(df, lang), context_caption(df, state, lang, snap)


FRAMES = {"countries": countries_frame, "regions": regions_frame, "sizes": sizes_frame,
          "context": context_frame}


def download(ctx: AppContext, kind: str, measure, stat, wave, level, country, lang,
             fmt: str = "csv"):
    """A table or the map's data as a dcc.Download file in `fmt`; no_update without data."""
    result = download_frame(ctx, kind, measure, stat, wave, level, country, lang)
    if result is None:
        return no_update
    df, filename = result
    return table_download(df, filename, fmt)


def download_frame(ctx: AppContext, kind: str, measure, stat, wave, level, country,
                   lang) -> tuple[pd.DataFrame, str] | None:
    """The data behind a table or the map, as shown (suppressed and non-public values empty)."""
    lang = normalise_lang(lang)
    snap = ctx.warehouse.snapshot()
    if snap is None:
        return None
    state, _ = resolve_state(ctx, snap, measure, stat, wave, level, country)
    if kind == "map":
        geom = geometry(ctx, state.level, state.country)
        df = map_values(ctx, snap, geom, state, lang).frame()
    else:
        df = FRAMES[kind](ctx, snap, state, lang)
    scope = state.country if state.level == "country" else state.level
    return df, f"ds4e-{kind}-{scope}-{state.measure}-{state.wave}.csv"


def permalink(ctx: AppContext, measure, stat, wave, level, country) -> str:
    snap = ctx.warehouse.snapshot()
    if snap is None:
        return no_update
    state, _ = resolve_state(ctx, snap, measure, stat, wave, level, country)
    return state.search()


# ------------------------------------------------------------------ layout


def empty_state(lang: str) -> dbc.Alert:
    return dbc.Alert([
        html.H2(t("maps.empty.title", lang), className="h5"),
        html.P(t_code("maps.empty.body", lang)),
        html.Pre("python -m pipelines demo --scope nl\npython -m pipelines build", className="mb-0"),
    ], color="info")


def _download(kind: str, lang: str):
    return html.Div([
        download_control(download_button_id(kind), lang, what=t(f"maps.download.{kind}", lang)),
        dcc.Download(id=download_id(kind)),
    ], className="mt-1")


def _control(label: str, component, cid: str, **col):
    return dbc.Col([dbc.Label(label, html_for=cid, className="small fw-semibold mb-1"), component],
                   className="mb-2", **col)


def layout(ctx: AppContext, lang: str, query: dict | None = None) -> html.Div:
    query = query or {}
    header = [
        html.H1(t("maps.title", lang), className="h2"),
        html.P(html.Strong(t("maps.question", lang)), className="mb-1 question"),
        html.P(t("maps.guide", lang), className="text-body-secondary"),
    ]
    snap = ctx.warehouse.snapshot()
    if snap is None:
        return html.Div([*header, empty_state(lang)])
    state, notes = resolve_state(ctx, snap, query.get("measure"), query.get("stat"),
                                 query.get("wave"), query.get("level"), query.get("country"))
    geom = geometry(ctx, state.level, state.country)
    values = map_values(ctx, snap, geom, state, lang)
    notices = [_alert(t(k, lang, **v), "warning") for k, v in notes] + values.notices
    names = countries(snap)
    name_col = "name_nl" if lang == "nl" else "name_en"
    country_options = [{"label": f"{names[name_col].get(c, c)} ({c})", "value": c}
                       for c in sorted(country_codes(ctx),
                                       key=lambda c: str(names[name_col].get(c, c)))]
    controls = dbc.Row([
        _control(t("maps.measure", lang), dbc.Select(
            id=MEASURE, value=state.measure, options=measure_options(ctx, lang)), MEASURE,
            xs=12, lg=True),
        _control(t("maps.stat", lang), dbc.Select(id=STAT, value=state.stat, options=[
            {"label": t(f"maps.stat.{s}", lang), "value": s} for s in STATISTICS]), STAT,
            xs=6, md="auto"),
        _control(t("maps.wave", lang), dbc.Select(
            id=WAVE, value=state.wave,
            options=[{"label": w, "value": w} for w in reversed(snap.waves)]), WAVE,
            xs=6, md="auto"),
        _control(t("maps.level", lang), dbc.Select(id=LEVEL, value=state.level, options=[
            {"label": t(f"maps.level.{lv}", lang), "value": lv} for lv in LEVELS]), LEVEL,
            xs=6, md="auto"),
        _control(t("maps.country", lang), dbc.Select(
            id=COUNTRY, value=state.country, options=country_options,
            disabled=state.level != "country"), COUNTRY, xs=6, md="auto"),
    ], className="mb-2 maps-controls")
    controls = html.Div(controls, role="group", **{"aria-label": t("maps.controls", lang)})
    card = "mb-3"
    return html.Div([
        *header,
        controls,
        html.Div(notices, id=NOTICE, **{"aria-live": "polite"}),
        html.P(coverage_line(snap, state, lang), id=COVERAGE, className="small mb-2"),
        dbc.Card(dbc.CardBody([
            html.H2(t("maps.map.title", lang), className="h5"),
            html.Figure([
                dcc.Loading(dcc.Graph(id=GRAPH, figure=map_figure(geom, values),
                                      config=GRAPH_CONFIG, className="maps-graph"),
                            type="circle", delay_show=400),
                html.Figcaption(values.caption, id=CAPTION, className="small text-body-secondary"),
            ], className="mb-0"),
            _download("map", lang),
        ]), className=card),
        dbc.Row([
            dbc.Col(dbc.Card(dbc.CardBody([
                html.H2(t("maps.countries.title", lang), className="h5"),
                html.Div(id=COUNTRIES), _download("countries", lang),
            ])), lg=7, className=card),
            dbc.Col(dbc.Card(dbc.CardBody([
                html.H2(t("maps.sizes.title", lang), className="h5"),
                html.Figure([
                    html.Div(dcc.Graph(id=SIZES_GRAPH, config={"displayModeBar": False},
                                       figure={"data": [], "layout": {"height": 60}}),
                             className="chart-scroll"),
                    html.Figcaption(id=SIZES_CAPTION, className="small text-body-secondary"),
                ], className="mb-2"),
                html.Div(id=SIZES_TABLE), _download("sizes", lang),
            ])), lg=5, className=card),
        ]),
        dbc.Card(dbc.CardBody([
            html.H2(t("maps.regions.title", lang), className="h5"),
            html.Div(id=REGIONS), _download("regions", lang),
        ]), className=card),
        dbc.Card(dbc.CardBody([
            html.H2(t("maps.context.title", lang), className="h5"),
            html.P(t("maps.context.question", lang), className="mb-1 fw-semibold"),
            html.P(t("maps.context.guide", lang), className="small text-body-secondary"),
            *([dbc.Alert(t("maps.context.demo", lang), color="warning", className="py-2 small")]
              if snap.demo else []),
            html.Div(id=CONTEXT),
            html.Figure([
                dcc.Graph(id=CONTEXT_GRAPH, config={"displayModeBar": False},
                          figure={"data": [], "layout": {"height": 60}}),
                html.Figcaption(id=CONTEXT_CAPTION, className="small text-body-secondary"),
            ], className="mb-2"),
            html.P([html.Strong(t("maps.context.sources", lang) + " "),
                    "; ".join(SOURCES[k][0] for k in INDICES) + "."],
                   className="small text-body-secondary mb-0"),
            _download("context", lang),
        ]), className=card),
    ])


# ------------------------------------------------------------------ callbacks (thin)

CONTROLS = [Input(MEASURE, "value"), Input(STAT, "value"), Input(WAVE, "value"),
            Input(LEVEL, "value"), Input(COUNTRY, "value")]


def _warm(ctx: AppContext) -> None:
    for level in (2, 3):
        geo.nuts(ctx.settings.reference_dir, level)
    for name in BOUNDARIES.values():
        geo.slim(ctx.settings.reference_dir, name)


def register(app, ctx: AppContext) -> None:
    warmup.add(app.server, _warm)  # before the first request: dashboard/warmup.py

    @app.callback(
        Output(GRAPH, "figure"), Output(CAPTION, "children"), Output(NOTICE, "children"),
        *CONTROLS, State(ids.LANG, "value"), prevent_initial_call=True)
    def _map(measure, stat, wave, level, country, lang):
        return update_map(ctx, measure, stat, wave, level, country, lang,
                          callback_context.triggered_id)

    @app.callback(
        Output(COVERAGE, "children"), Output(COUNTRIES, "children"), Output(REGIONS, "children"),
        Output(SIZES_GRAPH, "figure"), Output(SIZES_CAPTION, "children"),
        Output(SIZES_TABLE, "children"), *CONTROLS, State(ids.LANG, "value"))
    def _tables(measure, stat, wave, level, country, lang):
        return update_tables(ctx, measure, stat, wave, level, country, lang)

    @app.callback(
        Output(CONTEXT, "children"), Output(CONTEXT_GRAPH, "figure"),
        Output(CONTEXT_CAPTION, "children"),
        Input(WAVE, "value"), Input(LEVEL, "value"), Input(COUNTRY, "value"),
        State(ids.LANG, "value"))
    def _context(wave, level, country, lang):
        return update_context(ctx, wave, level, country, lang)

    @app.callback(Output(COUNTRY, "disabled"), Input(LEVEL, "value"), prevent_initial_call=True)
    def _country_enabled(level):
        return level != "country"

    @app.callback(Output(ids.URL, "search", allow_duplicate=True), *CONTROLS,
                  prevent_initial_call=True)
    def _permalink(measure, stat, wave, level, country):
        return permalink(ctx, measure, stat, wave, level, country)

    for kind in DOWNLOADS:
        _register_download(app, ctx, kind)


def _register_download(app, ctx: AppContext, kind: str) -> None:
    button = download_button_id(kind)

    @app.callback(Output(download_id(kind), "data"), *download_inputs(button),
                  State(MEASURE, "value"), State(STAT, "value"), State(WAVE, "value"),
                  State(LEVEL, "value"), State(COUNTRY, "value"), State(ids.LANG, "value"),
                  prevent_initial_call=True)
    def _download_file(_csv, _xlsx, _parquet, measure, stat, wave, level, country, lang):
        return download(ctx, kind, measure, stat, wave, level, country, lang,
                        chosen_format(callback_context.triggered_id, button))
