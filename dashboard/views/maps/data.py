"""Maps & regions: the selection (state from URL or controls) and the area statistics behind the
map and the tables. Pure: no Dash.

Area figures come from the precomputed aggregates mart (small indexed queries), with the app's
suppression applied on top of the build's; results are kept per build in a small LRU.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from urllib.parse import urlencode

import numpy as np
import pandas as pd

from dashboard.aggregates_index import aggregates_index
from dashboard.components.places import country_name, nuts_names
from dashboard.context import AppContext
from dashboard.lru import Lru
from dashboard.store import Snapshot
from pipelines.maturity.regional import OVERALL, STATISTICS
from pipelines.national_indices import INDICES, load_national_indices
from pipelines.reference import SIZE_CLASS_KEYS, size_class_label

LEVELS = ("nuts2", "nuts3", "country")


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
    return cached(("codes", str(ctx.settings.reference_dir)),
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

_CACHE = Lru(128)  # query results, names and geometry (35 countries at EU) per build / folder
# area statistics per build, wave and measure (waves x ~45 measures at EU): their own LRU, so
# that browsing measures does not push the geometry and coverage out of _CACHE
_AREA_STATS = Lru(96)


def cached(key, compute):
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
    """All area statistics of one measure and wave, by area type, with the app's suppression
    applied on top of the build's: suppressed rows keep n, their statistics are NaN.

    Picked from the build's aggregates in memory (dashboard/aggregates_index.py, made once per
    build in the warm-up) rather than queried: the query (maps_aggregates.sql, still the
    definition a test holds this to) cost 15-20 ms at EU on every first use of a measure and
    wave, and there are waves x ~45 measures of them, too many to rehearse."""
    def compute():
        index = aggregates_index(snap)
        mg = min_group(ctx, snap)
        out = {}
        for (w, area_type), (start, stop) in index.slices.items():
            if w != wave:
                continue
            # a slice is sorted by area id, then measure: one measure's rows keep the id order
            rows = start + np.flatnonzero(index.measure[start:stop] == measure)
            if not len(rows):
                continue
            n = index.n[rows]
            hidden = index.suppressed[rows] | (n < mg)
            cols = {"n": n, "suppressed": hidden}
            for col in ("q1", "median", "q3", "share_ge3"):
                cols[col] = np.where(hidden, np.nan, index.stats[col][rows])
            out[area_type] = AreaStats(index.area_id[rows].tolist(), cols)
        return out
    # the published view depends on the visibility rule (the disclosure pattern differs): in
    # the key, or a process (or a test run) holding both rules reads one rule's statistics
    return _AREA_STATS.get(
        ("agg", snap.build_id, snap.visibility, wave, measure, ctx.settings.min_group), compute)


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
    return cached(("cov", snap.build_id, wave), compute)


def region_totals(ctx: AppContext, area_type: str) -> dict[str, int]:
    """Municipalities per NUTS region in the reference data."""
    return cached(("totals", str(ctx.settings.reference_dir), area_type),
                  lambda: {str(k): int(v) for k, v in
                           ctx.municipalities[area_type].value_counts().items()})


def national_indices(ctx: AppContext) -> pd.DataFrame:
    return cached(("indices", str(ctx.settings.reference_dir)),
                  lambda: load_national_indices(ctx.settings.reference_dir).set_index("country"))


# ------------------------------------------------------------------ tables (frames = CSV data)
#
# Each table's data is made as numpy columns (`*_columns`: what the page's tables and charts
# read) and, for its download, as a DataFrame of the very same columns (`*_frame`). The page
# skips pandas: building the frames (text columns become Arrow strings) was most of the
# 10-20 ms a first selection's tables cost at EU.

Columns = dict  # column name -> numpy array (or a scalar that every row has, as a frame takes it)


def rows_of(cols: Columns) -> int:
    return len(cols["n"])


def take_rows(cols: Columns, idx) -> Columns:
    """The rows `idx` (positions or a bool mask) of every array column; scalars as they are."""
    return {k: v[idx] if isinstance(v, np.ndarray) else v for k, v in cols.items()}


def _sorted_columns(columns: dict, stats: dict[str, np.ndarray], stat: str) -> Columns:
    """A table's columns: `columns` then the statistics, highest `stat` first (ties: larger n
    first), areas without a shown value last."""
    values = stats[stat]
    order = np.lexsort((-stats["n"], np.where(np.isnan(values), np.inf, -values)))
    data = {k: (np.asarray(v, dtype=object)[order] if isinstance(v, list) else v)
            for k, v in columns.items()}
    data.update({k: v[order] for k, v in stats.items()})
    return data


def countries_columns(ctx, snap, state: MapState, lang: str) -> Columns:
    """Per country with answers: coverage (coverage_areas) and the statistics (aggregates)."""
    cov = coverage(snap, state.wave)["country"]
    codes = sorted(c for c, r in cov.items() if r["responded"] > 0)
    stats = stats_of(ctx, snap, state.wave, state.measure, "country").take(codes)
    return _sorted_columns(
        {"country": codes, "name": [country_name(ctx, c, lang) for c in codes],
         "wave": state.wave, "measure": state.measure,
         "municipalities": [cov[c]["municipalities"] for c in codes],
         "responded": [cov[c]["responded"] for c in codes]}, stats, state.stat)


def countries_frame(ctx, snap, state: MapState, lang: str) -> pd.DataFrame:
    return pd.DataFrame(countries_columns(ctx, snap, state, lang))


def region_scope(state: MapState) -> tuple[str, str | None]:
    """(area type, country filter) of the region table: the map's NUTS level, or a country's
    NUTS 2 regions on the municipal map."""
    if state.level == "country":
        return "nuts2", state.country
    return state.level, None


def regions_columns(ctx, snap, state: MapState, lang: str) -> Columns:
    area_type, country = region_scope(state)
    stats = stats_of(ctx, snap, state.wave, state.measure, area_type)
    codes = [i for i in stats.ids if not country or i.startswith(country)]
    names = nuts_names(ctx.settings.reference_dir)
    totals = region_totals(ctx, area_type)
    return _sorted_columns(
        {"region": codes, "name": [names.get(i, i) for i in codes],
         "country": [i[:2] for i in codes], "wave": state.wave,
         "measure": state.measure, "municipalities": [totals.get(i, 0) for i in codes]},
        stats.take(codes), state.stat)


def regions_frame(ctx, snap, state: MapState, lang: str) -> pd.DataFrame:
    return pd.DataFrame(regions_columns(ctx, snap, state, lang))


def sizes_columns(ctx, snap, state: MapState, lang: str) -> Columns:
    """By population size class: EU-wide on the regional maps, within the country on its map."""
    if state.level == "country":
        stats = stats_of(ctx, snap, state.wave, state.measure, "country_size")
        prefix = f"{state.country}:"
    else:
        stats = stats_of(ctx, snap, state.wave, state.measure, "size_class")
        prefix = ""
    keys = [k for k in SIZE_CLASS_KEYS if prefix + k in stats.pos]
    return {"size_class": np.array(keys, dtype=object),
            "label": np.array([size_class_label(k, lang) for k in keys], dtype=object),
            "scope": state.country if state.level == "country" else "EU",
            "wave": state.wave, "measure": state.measure,
            **stats.take([prefix + k for k in keys])}


def sizes_frame(ctx, snap, state: MapState, lang: str) -> pd.DataFrame:
    cols = sizes_columns(ctx, snap, state, lang)
    # texts as lists, the statistics added after: the dtypes of an empty table stay as before
    df = pd.DataFrame({k: v.tolist() if isinstance(v, np.ndarray) else v
                       for k, v in cols.items() if k not in STAT_COLUMNS})
    for col in STAT_COLUMNS:
        df[col] = cols[col]
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
    df.insert(0, "name", [country_name(ctx, c, lang) for c in df.index])
    df = df.rename_axis("country").reset_index()
    df.insert(2, "wave", state.wave)
    df = df[["country", "name", "wave", "self_assessed_median", "n", "suppressed", *INDICES]]
    return df.sort_values(["self_assessed_median", "name"], ascending=[False, True],
                          na_position="last", ignore_index=True)
