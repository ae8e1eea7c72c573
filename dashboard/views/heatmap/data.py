"""The heatmap's selection and statistics, pure (no Dash): the state the URL or the controls ask
for, which municipalities or regions form the columns, per-build caches, the hover's column data.

Consent: a column is one municipality's results, so only municipalities with ctx.visible(...)
appear by name; the others are counted (caption) and stay in the regional view and aggregates.
Past MAX_COLUMNS municipalities (or on request) the columns are the NUTS 2 regions of the
country (NUTS 3 within a chosen NUTS 2), from the precomputed aggregates, suppressed where fewer
than `min_group` municipalities have a level.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from dashboard.aggregates_index import aggregates_index
from dashboard.components.numbers import fmt_int
from dashboard.components.places import country_name, region_name
from dashboard.context import AppContext
from dashboard.i18n import t
from dashboard.lru import Lru
from dashboard.store import Snapshot
from pipelines.maturity.cube import MISSING
from pipelines.maturity.heatmap import (
    OVERALL,
    MunicipalityGrid,
    RegionGrid,
    element_order,
    filter_mask,
    municipality_grid,
    region_grid,
)
from pipelines.packed_strings import PackedStrings
from pipelines.reference import SIZE_CLASSES, size_class_label
from pipelines.row_index import RowIndex

ALL = "all"  # "no restriction" in a select (an empty value renders as a blank select)
MUNICIPALITIES, REGIONS = "municipalities", "regions"
MODES = (MUNICIPALITIES, REGIONS)
_LAST_CHAR = chr(0x10FFFF)  # sorts after every text that starts with a prefix
MAX_COLUMNS = 400  # more municipalities than this do not fit a readable heatmap: show regions


_CACHE = Lru(256)  # small entries (a region slice is ~40 KB): reference arrays, build values


def reference_arrays(ctx: AppContext) -> dict:
    """numpy columns of the reference table (cube order), converted once per reference folder."""
    def make():
        m = ctx.municipalities
        # packed strings, not object arrays of str: built in gunicorn's master and read by every
        # worker, they stay in shared pages (pipelines/packed_strings.py); fixed-width unicode
        # ("<U92") took 4 bytes per character of the longest label, ~70 MB per process
        names = [str(v) for v in m["name"].to_numpy(dtype=object)]
        codes = [str(v) for v in m["national_code"].to_numpy(dtype=object)]
        # ids and their rows: the peer picker's values and the chosen one's row (reading the
        # pyarrow id column as numpy on every page render took ~10 ms at EU size)
        ids = [str(v) for v in m["municipality_id"].to_numpy(dtype=object)]
        arrays = {"id": PackedStrings(ids), "row_of": RowIndex.of(ids),
                  "name": PackedStrings(names), "code": PackedStrings(codes),
                  "nuts3": PackedStrings([str(v) for v in m["nuts3"].to_numpy(dtype=object)]),
                  "population": pd.to_numeric(m["population"]).fillna(0).to_numpy(),
                  "label": PackedStrings([f"{n} ({c})" for n, c in zip(names, codes,
                                                                        strict=True)])}
        return arrays
    return _CACHE.get(("ref", str(ctx.settings.reference_dir)), make)


def _per_build(snap: Snapshot, key: str, make):
    """Values of one published build as this app publishes it: the aggregates depend on the
    visibility and minimum group (the disclosure pattern), so both are part of the key."""
    return _CACHE.get(("build", snap.build_id, snap.visibility, snap.min_group, key), make)


def answered_per_country(ctx: AppContext, snap: Snapshot) -> np.ndarray:
    """int[W, C]: municipalities with answers per wave and country code of ctx.attributes."""
    def make():
        attrs = ctx.attributes
        levels = snap.maturity.levels
        return np.stack([np.bincount(attrs.country[(levels[w] != MISSING).any(axis=1)],
                                     minlength=len(attrs.country_labels))
                         for w in range(levels.shape[0])])
    return _per_build(snap, "answered_per_country", make)


def region_rows(snap: Snapshot, wave: str, area_type: str, prefix: str) -> dict:
    """The aggregates of one wave's regions under a prefix, as arrays: the rows of
    heatmap_regions.sql (the definition a test holds this to), sorted by area id and measure.

    Picked from the build's aggregates in memory (dashboard/aggregates_index.py, made once per
    build in the warm-up): the query scanned the parquet file on every first (wave, area level,
    prefix), 10-20 ms at EU size and the p95 of a heatmap render; here a slice of the sorted
    index is a range, a prefix a sub-range found by binary search, ~0.1 ms. Cached per build
    still, so a repeat costs nothing; the key holds the visibility and minimum group."""
    def make():
        index = aggregates_index(snap)
        start, stop = index.slices.get((wave, area_type), (0, 0))
        ids = index.area_id[start:stop]
        # area ids sort by code point in the index, so those starting with the prefix are one
        # range: from the prefix up to the prefix followed by the last code point
        lo = start + int(np.searchsorted(ids, prefix, "left"))
        hi = start + int(np.searchsorted(ids, prefix + _LAST_CHAR, "left"))
        measure = index.measure[lo:hi]
        # the query's measures: ALL and the elements ('DAT-01'); block scores ('DAT') left out
        rows = lo + np.flatnonzero((measure == "ALL") | (np.char.find(measure, "-") >= 0))
        return {"area_id": index.area_id[rows].astype(str),
                "measure": index.measure[rows].astype(str),
                "n": index.n[rows].astype(np.int64),
                "suppressed": index.suppressed[rows].astype(bool),
                "median": index.stats["median"][rows].astype(float),
                "share_ge3": index.stats["share_ge3"][rows].astype(float)}
    return _per_build(snap, f"regions:{wave}:{area_type}:{prefix}", make)


def visible_mask(ctx: AppContext, snap: Snapshot, rows: np.ndarray) -> np.ndarray:
    """bool per row: ctx.visible(snap, row), vectorised (open visibility or consent)."""
    if ctx.settings.visibility == "open":
        return np.ones(len(rows), dtype=bool)
    return snap.consent[rows]


# ------------------------------------------------------------------ the view's state


@dataclass(frozen=True)
class ViewState:
    country: str
    nuts2: str | None
    size: str | None
    wave: str
    sort: str
    mode: str
    peers_of: str | None

    def query(self) -> dict[str, str]:
        """The URL query for a permalink (filters left out when they do not restrict)."""
        q = {"country": self.country}
        if self.nuts2:
            q["nuts2"] = self.nuts2
        if self.size:
            q["size"] = self.size
        q.update(wave=self.wave, sort=self.sort, mode=self.mode)
        if self.peers_of:
            q["peers_of"] = self.peers_of
        return q


def default_country(ctx: AppContext, snap: Snapshot) -> str:
    """NL when Dutch municipalities answered in the latest wave, else the country with most."""
    counts = answered_per_country(ctx, snap)[-1]
    labels = ctx.attributes.country_labels
    nl = np.flatnonzero(labels == "NL")
    if len(nl) and counts[nl[0]] > 0:
        return "NL"
    return str(labels[int(np.argmax(counts))])


def read_state(ctx: AppContext, snap: Snapshot, *, country=None, nuts2=None, size=None, wave=None,
               sort=None, mode=None, peers_of=None) -> ViewState:
    """Control values or URL parameters -> a valid state (unknown values fall back to defaults;
    an unknown wave is kept, so the page can say that it has no data)."""
    cube = snap.maturity
    attrs = ctx.attributes
    target = _peer_index(snap, peers_of)
    if target is not None:
        country = str(attrs.country_labels[attrs.country[target]])
    elif country not in set(attrs.country_labels.tolist()):
        country = default_country(ctx, snap)
    nuts2 = None if nuts2 in (None, "", ALL) else str(nuts2)
    size = size if size in {c.key for c in SIZE_CLASSES} else None
    wave = str(wave) if wave not in (None, "") else snap.waves[-1]
    sort = str(sort).upper() if sort and str(sort).upper() in cube.element_ids else OVERALL
    mode = mode if mode in MODES else MUNICIPALITIES
    return ViewState(country, nuts2, size, wave, sort, mode,
                     None if target is None else str(cube.municipality_ids[target]))


def url_notices(ctx: AppContext, snap: Snapshot, q: dict, state: ViewState) -> list:
    """What the address asked for that `read_state` replaced (it falls back quietly, as the
    controls need): said on the page, so a typo in a shared link is not taken for data."""
    out = []
    if q.get("peers_of") and state.peers_of is None:
        out.append(("url.notice.municipality", {"value": q["peers_of"]}))
    if q.get("country") and str(q["country"]) != state.country and state.peers_of is None:
        out.append(("url.notice.country", {"value": q["country"], "fallback": state.country}))
    if q.get("nuts2") not in (None, "", ALL) and state.peers_of is None:
        ref = ctx.municipalities
        if q["nuts2"] not in set(ref.loc[ref["country"] == state.country, "nuts2"].dropna()
                                 .astype(str)):
            out.append(("url.notice.nuts2", {"value": q["nuts2"], "country": state.country}))
    if q.get("size") not in (None, "", ALL) and state.size is None:
        out.append(("url.notice.size", {"value": q["size"]}))
    if q.get("sort") and str(q["sort"]).upper() != state.sort:
        out.append(("url.notice.sort", {"value": q["sort"], "fallback": state.sort}))
    if q.get("mode") and q["mode"] != state.mode:
        out.append(("url.notice.value", {"value": q["mode"], "field": "mode",
                                         "fallback": state.mode}))
    return out


def _peer_index(snap: Snapshot, peers_of) -> int | None:
    if not peers_of:
        return None
    try:
        return snap.maturity.index_of(str(peers_of))
    except KeyError:
        return None


# ------------------------------------------------------------------ computing the view


@dataclass
class View:
    state: ViewState
    mode: str | None = None  # MUNICIPALITIES, REGIONS, or None for an empty state
    empty: str | None = None  # the empty state's message
    grid: MunicipalityGrid | RegionGrid | None = None
    scope: str = ""  # the filter in words
    notes: list[str] = field(default_factory=list)
    hidden: int = 0  # municipalities with answers not shown by name (no consent)
    target_column: int | None = None  # the peer-group municipality's column
    target_note: str = ""  # why that municipality has no column
    region_level: int = 2
    switched: bool = False  # municipalities asked for, regions shown (more than MAX_COLUMNS)
    column_labels: list[str] = field(default_factory=list)


def scope_text(ctx: AppContext, snap: Snapshot, state: ViewState, lang: str, n_peers: int = 0) -> str:
    if state.peers_of:
        i = snap.maturity.index_of(state.peers_of)
        m = ctx.municipalities
        return t("heatmap.scope.peers", lang, name=m["name"].iat[i],
                 country=country_name(ctx, state.country, lang),
                 size=size_class_label(m["size_class"].iat[i], lang), n=n_peers)
    parts = [country_name(ctx, state.country, lang)]
    if state.nuts2:
        parts.append(f"{region_name(ctx, state.nuts2)} ({state.nuts2})")
    if state.size:
        parts.append(size_class_label(state.size, lang))
    return ", ".join(parts)


def compute_view(ctx: AppContext, snap: Snapshot, state: ViewState, lang: str) -> View:
    """Everything the figure, caption, notes and CSV need, for one state."""
    cube = snap.maturity
    view = View(state=state)
    target = _peer_index(snap, state.peers_of)
    if state.wave not in snap.waves or not answered_per_country(ctx, snap)[
            cube.wave_index(state.wave)].any():
        view.empty = t("heatmap.empty.wave", lang, wave=state.wave, waves=", ".join(snap.waves))
        view.scope = scope_text(ctx, snap, state, lang)
        return view
    w = cube.wave_index(state.wave)
    mask = filter_mask(ctx.attributes, state.country, state.nuts2, state.size, target)
    rows = np.flatnonzero(mask)
    view.scope = scope_text(ctx, snap, state, lang, n_peers=len(rows))
    if not len(rows):
        view.empty = t("heatmap.empty.nomatch", lang, scope=view.scope)
        return view
    answered = rows[(cube.levels[w, rows] != MISSING).any(axis=1)]
    if not len(answered):
        view.empty = t("heatmap.empty.noanswers", lang, n=fmt_int(len(rows), lang), scope=view.scope,
                       wave=state.wave)
        return view
    visible = visible_mask(ctx, snap, answered)
    shown = answered[visible]
    if state.mode == REGIONS:
        view.notes.append(t("heatmap.note.regions", lang))
        return _regions(ctx, snap, state, lang, view)
    if len(shown) > MAX_COLUMNS:
        view.switched = True
        view.notes.append(t("heatmap.note.switched", lang, n=fmt_int(len(shown), lang),
                            limit=MAX_COLUMNS))
        return _regions(ctx, snap, state, lang, view)
    view.hidden = int((~visible).sum())
    if not len(shown):
        view.empty = t("heatmap.empty.noconsent" + (".one" if view.hidden == 1 else ""), lang,
                       n=fmt_int(view.hidden, lang), wave=state.wave)
        return view
    ref = reference_arrays(ctx)
    view.mode = MUNICIPALITIES
    view.grid = grid = municipality_grid(cube, w, shown, ref["name"][shown], state.sort)
    view.column_labels = ref["label"][grid.columns].tolist()
    if target is not None:
        hit = np.flatnonzero(grid.columns == target)
        view.target_column = int(hit[0]) if len(hit) else None
        if view.target_column is None:
            key = "heatmap.caption.target.hidden" if target in answered else \
                "heatmap.caption.target.noanswers"
            view.target_note = t(key, lang, name=ref["label"][target], wave=state.wave)
    return view


def _regions(ctx: AppContext, snap: Snapshot, state: ViewState, lang: str, view: View) -> View:
    """Elements × NUTS 2 regions of the country, or × NUTS 3 regions of the chosen NUTS 2."""
    attrs = ctx.attributes
    if state.size or state.peers_of:
        view.notes.append(t("heatmap.note.regions.filters", lang))
    by_nuts3 = bool(state.nuts2) and not state.peers_of
    if by_nuts3:
        in_area = attrs.mask_for("nuts2", state.nuts2) & attrs.mask_for("country", state.country)
        regions = np.unique(reference_arrays(ctx)["nuts3"][in_area])
        prefix, area_type = state.nuts2, "nuts3"
    else:
        in_area = attrs.mask_for("country", state.country)
        regions = np.unique(attrs.nuts2_labels[np.unique(attrs.nuts2[in_area])])
        prefix, area_type = state.country, "nuts2"
    regions = regions[regions != ""]
    view.region_level = 3 if by_nuts3 else 2
    if not len(regions):
        view.empty = t("heatmap.empty.nomatch", lang, scope=view.scope)
        return view
    rows = region_rows(snap, state.wave, area_type, prefix)
    names = [region_name(ctx, r) for r in regions]
    cube = snap.maturity
    grid = region_grid(regions, names, cube.element_ids, **rows, min_group=ctx.settings.min_group,
                       sort=state.sort, rows=element_order(cube.element_blocks))
    view.mode = REGIONS
    view.grid = grid
    view.column_labels = [f"{region_name(ctx, r)} ({r})" for r in grid.regions]
    return view


def column_data(view: View) -> dict:
    """What the hover needs per column of the figure shown."""
    if view.grid is None:
        return {"mode": None, "cols": []}
    if view.mode == MUNICIPALITIES:
        return {"mode": MUNICIPALITIES, "cols": view.column_labels}
    g = view.grid
    share = np.where(np.isnan(g.share_ge3), -1, np.round(g.share_ge3 * 100)).astype(int)
    median = np.where(np.isnan(g.median), -1, np.round(g.median, 2))
    return {"mode": REGIONS, "cols": view.column_labels, "status": g.status.tolist(),
            "n": g.n.tolist(), "share": share.tolist(), "median": median.tolist()}
