"""Element heatmap (Heatmap elementen): which elements are developed where, and which lag behind.

Elements (rows, grouped by block) × municipalities (columns) for a filter: a country, a NUTS 2
region, a size class, or the peer group of one municipality. Past a readable number of columns
(or on request) the view shows elements × regions instead: the median level per NUTS 2 region
of the country (NUTS 3 within a chosen NUTS 2) from the precomputed aggregates, suppressed where
fewer than `min_group` municipalities have a level.

Consent: a column is one municipality's results, so only municipalities with ctx.visible(...)
appear by name; the caption counts the others, which stay in the regional view and aggregates.
The hover (level descriptor in the current language) is looked up in the browser from a table of
39 × 5 descriptors sent once per page, so the figure carries no per-cell strings.
"""

from __future__ import annotations

import textwrap
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from urllib.parse import urlencode

import dash_bootstrap_components as dbc
import numpy as np
import pandas as pd
import plotly.graph_objects as go
from dash import Input, Output, State, callback_context, dcc, html
from dash.exceptions import PreventUpdate

from dashboard import ids, warmup
from dashboard.components import colours
from dashboard.components.downloads import (
    chosen_format,
    download_control,
    download_inputs,
    group_id,
    table_download,
)
from dashboard.components.url_notices import alerts
from dashboard.context import AppContext
from dashboard.i18n import normalise_lang, t
from dashboard.lru import Lru
from dashboard.store import Snapshot
from pipelines.maturity.cube import MISSING
from pipelines.maturity.heatmap import (
    NO_DATA,
    OVERALL,
    SUPPRESSED,
    VALUE,
    MunicipalityGrid,
    RegionGrid,
    block_spans,
    element_order,
    extremes,
    filter_mask,
    municipality_grid,
    region_grid,
)
from pipelines.packed_strings import PackedStrings
from pipelines.reference import SIZE_CLASSES, size_class_label

PATH = "/heatmap"
NAV_KEY = "heatmap.nav"

# Component ids (page-prefixed; shared ones come from dashboard.ids).
COUNTRY = "heatmap-country"
NUTS2 = "heatmap-nuts2"
SIZE = "heatmap-size"
PEERS = "heatmap-peers"
WAVE = "heatmap-wave"
SORT = "heatmap-sort"
MODE = "heatmap-mode"
NOTES = "heatmap-notes"
GRAPH = "heatmap-graph"
GRAPH_BOX = "heatmap-graph-box"
CAPTION = "heatmap-caption"
LEGEND = "heatmap-legend"
TOOLTIP = "heatmap-tooltip"
TIP_TITLE = "heatmap-tip-title"
TIP_ELEMENT = "heatmap-tip-element"
TIP_VALUE = "heatmap-tip-value"
TIP_DETAIL = "heatmap-tip-detail"
LABELS = "heatmap-labels"  # store: row labels and level descriptors (per page and language)
COLUMNS = "heatmap-columns"  # store: column labels (+ region statistics) of the figure shown
CSV_BUTTON = "heatmap-csv-button"
CSV_DOWNLOAD = "heatmap-csv"

ALL = "all"  # "no restriction" in a select (an empty value renders as a blank select)
MUNICIPALITIES, REGIONS = "municipalities", "regions"
MODES = (MUNICIPALITIES, REGIONS)
MAX_COLUMNS = 400  # more municipalities than this do not fit a readable heatmap: show regions
NAMED_TICKS = 60  # up to this many columns the names are written under the grid
MEDIAN_LABELS = 20  # up to this many region columns each cell shows its median
PEER_OPTIONS = 60  # options offered at once in the peer picker (the rest by typing)

# Colour-blind-safe sequential YlGnBu, one colour per level; missing is neutral grey (a different
# hue from every level, and explained in the legend), suppressed is a darker grey with a cross.
LEVEL_COLOURS = colours.LEVELS
MISSING_COLOUR = colours.NO_ANSWER
SUPPRESSED_COLOUR = colours.HIDDEN
_BAND = 1 / 6  # z (level + 1) from -0.5 to 5.5: six equal bands for missing and levels 0-4
DISCRETE_SCALE = [[0.0, MISSING_COLOUR], [_BAND, MISSING_COLOUR]] + [
    stop for i, c in enumerate(LEVEL_COLOURS) for stop in ([(i + 1) * _BAND, c], [(i + 2) * _BAND, c])]
DISCRETE_SCALE[-1][0] = 1.0
CONTINUOUS_SCALE = [[i / 4, c] for i, c in enumerate(LEVEL_COLOURS)]
# Region cells without a value: status SUPPRESSED (1) or NO_DATA (2), drawn under the medians.
STATUS_SCALE = [[0.0, SUPPRESSED_COLOUR], [0.5, SUPPRESSED_COLOUR], [0.5, MISSING_COLOUR],
                [1.0, MISSING_COLOUR]]
ROW_PX = 18


# ------------------------------------------------------------------ reference lookups


@cache
def _nuts_names(reference_dir: Path) -> dict[str, str]:
    df = pd.read_csv(reference_dir / "nuts_regions.csv", dtype=str, keep_default_na=False)
    return dict(zip(df["nuts_id"], df["name"], strict=True))


@cache
def _country_names(reference_dir: Path) -> dict[str, tuple[str, str]]:
    df = pd.read_csv(reference_dir / "countries.csv", dtype=str, keep_default_na=False)
    return {r.code: (r.name_nl, r.name_en) for r in df.itertuples()}


def country_name(ctx: AppContext, code: str, lang: str) -> str:
    names = _country_names(ctx.settings.reference_dir).get(code)
    return (names[0] if lang == "nl" else names[1]) if names else code


def region_name(ctx: AppContext, nuts_id: str) -> str:
    return _nuts_names(ctx.settings.reference_dir).get(nuts_id, nuts_id)


_CACHE = Lru(256)  # small entries (a region slice is ~40 KB): reference arrays, build values


def _ref(ctx: AppContext) -> dict:
    """numpy columns of the reference table (cube order), converted once per reference folder."""
    def make():
        m = ctx.municipalities
        # packed strings, not object arrays of str: built in gunicorn's master and read by every
        # worker, they stay in shared pages (pipelines/packed_strings.py); fixed-width unicode
        # ("<U92") took 4 bytes per character of the longest label, ~70 MB per process
        names = [str(v) for v in m["name"].to_numpy(dtype=object)]
        codes = [str(v) for v in m["national_code"].to_numpy(dtype=object)]
        arrays = {"name": PackedStrings(names), "code": PackedStrings(codes),
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
    """The aggregates of one wave's regions under a prefix, as arrays. A published build never
    changes, so each (wave, area level, prefix) is read once: the parquet scan is most of the
    cost of a regional view (10-20 ms), the rest is a few ms."""
    def make():
        df = snap.query("heatmap_regions", wave=wave, area_type=area_type, prefix=prefix)
        return {"area_id": df["area_id"].to_numpy(dtype=str),
                "measure": df["measure"].to_numpy(dtype=str),
                "n": df["n"].to_numpy(dtype=np.int64),
                "suppressed": df["suppressed"].to_numpy(dtype=bool),
                "median": df["median"].to_numpy(dtype=float, na_value=np.nan),
                "share_ge3": df["share_ge3"].to_numpy(dtype=float, na_value=np.nan)}
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
        view.empty = t("heatmap.empty.noanswers", lang, n=_num(len(rows), lang), scope=view.scope,
                       wave=state.wave)
        return view
    visible = visible_mask(ctx, snap, answered)
    shown = answered[visible]
    if state.mode == REGIONS:
        view.notes.append(t("heatmap.note.regions", lang))
        return _regions(ctx, snap, state, lang, view)
    if len(shown) > MAX_COLUMNS:
        view.notes.append(t("heatmap.note.switched", lang, n=_num(len(shown), lang),
                            limit=MAX_COLUMNS))
        return _regions(ctx, snap, state, lang, view)
    view.hidden = int((~visible).sum())
    if not len(shown):
        view.empty = t("heatmap.empty.noconsent" + (".one" if view.hidden == 1 else ""), lang,
                       n=_num(view.hidden, lang), wave=state.wave)
        return view
    ref = _ref(ctx)
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
        regions = np.unique(_ref(ctx)["nuts3"][in_area])
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


# ------------------------------------------------------------------ texts


def _num(n: float, lang: str, digits: int = 0) -> str:
    s = f"{n:,.{digits}f}"
    return s.translate(str.maketrans(",.", ".,")) if lang == "nl" else s


def element_label(ctx: AppContext, eid: str, lang: str) -> str:
    return f"{eid} · {ctx.framework.element_by_id[eid].name.get(lang)}"


def _short(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1].rstrip() + "…"


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
                    best_value=_num(means[b], lang, 1),
                    worst=element_label(ctx, cube.element_ids[grid.rows[w]], lang),
                    worst_value=_num(means[w], lang, 1))
    order = order_text(ctx, view.state, lang)
    if view.mode == MUNICIPALITIES:
        parts = [t("heatmap.caption.municipalities", lang, elements=len(grid.rows),
                   columns=_num(grid.n_columns, lang), scope=view.scope, wave=view.state.wave,
                   order=order), summary, t("heatmap.caption.missing", lang)]
        if view.target_column is not None:
            parts.append(t("heatmap.caption.target", lang,
                           name=view.column_labels[view.target_column]))
        parts.append(view.target_note)
        if view.hidden:
            parts.append(t("heatmap.caption.hidden.one", lang) if view.hidden == 1
                         else t("heatmap.caption.hidden", lang, n=_num(view.hidden, lang)))
        return " ".join(p for p in parts if p)
    suppressed = int((grid.status == SUPPRESSED).sum())
    nodata = int((grid.status == NO_DATA).sum())
    parts = [t("heatmap.caption.regions", lang, elements=len(grid.rows),
               columns=_num(grid.n_columns, lang), level=view.region_level, scope=view.scope,
               wave=view.state.wave, order=order), summary]
    if suppressed or nodata:
        parts.append(t("heatmap.caption.regions.gaps", lang, suppressed=suppressed, nodata=nodata,
                       min_group=ctx.settings.min_group))
    return " ".join(p for p in parts if p)


def legend(ctx: AppContext, view: View, lang: str) -> list:
    fw = ctx.framework

    def swatch(colour, text, mark=""):
        return html.Li([html.Span(mark, className="hm-swatch", style={"background": colour},
                                  **{"aria-hidden": "true"}), text])

    if view.grid is None:
        return []
    if view.mode == MUNICIPALITIES:
        items = [swatch(c, f"{i} · {fw.scale[i].label.get(lang)}")
                 for i, c in enumerate(LEVEL_COLOURS)]
        items.append(swatch(MISSING_COLOUR, t("heatmap.legend.missing", lang)))
    else:
        items = [html.Li([html.Span(className="hm-swatch hm-gradient", **{"aria-hidden": "true"}),
                          t("heatmap.legend.median", lang)]),
                 swatch(MISSING_COLOUR, t("heatmap.legend.nodata", lang)),
                 swatch(SUPPRESSED_COLOUR, t("heatmap.legend.suppressed", lang,
                                             min_group=ctx.settings.min_group), "×")]
    return [html.Span(t("heatmap.legend.title", lang), className="me-2 fw-semibold"),
            html.Ul(items, className="hm-legend-list")]


# ------------------------------------------------------------------ the figure


def figure(ctx: AppContext, snap: Snapshot, view: View, lang: str) -> go.Figure:
    """The heatmap (municipalities: int8 levels, regions: medians over a status layer)."""
    if view.grid is None:
        return go.Figure({"data": [], "layout": {
            "template": {}, "height": 60, "xaxis": {"visible": False},
            "yaxis": {"visible": False}}}, _validate=False)
    grid = view.grid
    cube = snap.maturity
    fw = ctx.framework
    n_rows, n_cols = len(grid.rows), grid.n_columns
    named = n_cols <= NAMED_TICKS
    row_ids = [cube.element_ids[e] for e in grid.rows]
    ticktext = [_short(f"{e} {fw.element_by_id[e].name.get(lang)}", 36) for e in row_ids]
    common = {"hoverinfo": "none", "xgap": 1 if n_cols <= 120 else 0,
              "ygap": 1 if n_cols <= 120 else 0}
    if view.mode == MUNICIPALITIES:
        # Sent as level + 1 (0 = no answer): bytes 0-5 base64-encode without '/', which JSON
        # escapes to 6 characters (-1 = 0xFF would nearly triple the size of a sparse grid).
        traces = [{"type": "heatmap", "z": (grid.z + 1).astype(np.int8), "zmin": -0.5,
                   "zmax": 5.5, "colorscale": DISCRETE_SCALE, "showscale": False, **common}]
    else:
        status = np.where(grid.status == VALUE, np.nan, grid.status).astype(np.float32)
        under = {"type": "heatmap", "z": status, "zmin": SUPPRESSED, "zmax": NO_DATA,
                 "colorscale": STATUS_SCALE, "showscale": False, **common, "hoverinfo": "skip"}
        if n_cols <= NAMED_TICKS:
            under.update(text=np.where(grid.status == SUPPRESSED, "×", "").tolist(),
                         texttemplate="%{text}", textfont={"size": 11, "color": colours.TEXT})
        medians = {"type": "heatmap", "z": grid.median.astype(np.float32), "zmin": 0, "zmax": 4,
                   "colorscale": CONTINUOUS_SCALE, "hoverongaps": True, **common,
                   "colorbar": {"title": {"text": t("heatmap.colorbar.median", lang),
                                          "side": "top"},
                                "orientation": "h", "x": 0, "xanchor": "left", "y": 1.0,
                                "yanchor": "bottom", "len": 1.0, "thickness": 10,
                                "ticklabelposition": "outside top",
                                "tickvals": [0, 1, 2, 3, 4],
                                "ticktext": [f"{i} {fw.scale[i].label.get(lang)}"
                                             for i in range(5)],
                                "tickfont": {"size": 10}}}
        # the median written in the cell only where a cell is wide enough for "2,0": with 40
        # regions (the Netherlands' NUTS 3) the labels touched at 1366 px; hover has them all
        if n_cols <= MEDIAN_LABELS:
            medians.update(texttemplate="%{z:.1f}", textfont={"size": 10})
        traces = [under, medians]
    x_labels = (_ref(ctx)["name"][grid.columns] if view.mode == MUNICIPALITIES
                else [region_name(ctx, r) for r in grid.regions])
    spans = block_spans(cube.element_blocks, grid.rows)
    # Blocks: a white gap between them across the grid, a bracket and the name on the right.
    shapes = [{"type": "line", "xref": "paper", "x0": 0, "x1": 1.0, "y0": start - 0.5,
               "y1": start - 0.5, "line": {"color": colours.PAPER, "width": 5}}
              for _, start, _ in spans[1:]]
    shapes += [{"type": "line", "xref": "paper", "x0": 1.006, "x1": 1.006, "y0": start - 0.35,
                "y1": end - 0.65, "line": {"color": colours.RULE_MUTED, "width": 2}}
               for _, start, end in spans]
    annotations = [{"xref": "paper", "x": 1.012, "xanchor": "left", "y": (start + end - 1) / 2,
                    "yref": "y", "showarrow": False, "align": "left",
                    "text": "<br>".join(textwrap.wrap(fw.block_by_id[b].name.get(lang), 24)),
                    "font": {"size": 11, "color": colours.LABEL}}
                   for b, start, end in spans]
    if view.target_column is not None:
        c = view.target_column
        shapes.append({"type": "rect", "x0": c - 0.5, "x1": c + 0.5, "y0": -0.5,
                       "y1": n_rows - 0.5, "line": {"color": colours.RULE, "width": 2}})
    axis_key = (("heatmap.axis.municipalities.named" if named else "heatmap.axis.municipalities")
                if view.mode == MUNICIPALITIES else f"heatmap.axis.nuts{view.region_level}")
    axis_title = t(axis_key, lang, order=order_text(ctx, view.state, lang))
    # Built from plain dicts without plotly's per-property validation (3 ms instead of 20 ms);
    # the tests validate the same figure in full (go.Figure(fig.to_dict())).
    fig = go.Figure({"data": traces, "layout": {
        "template": {},  # no template (the default adds 6 KB)
        "height": n_rows * ROW_PX + (200 if named else 90) + (40 if view.mode == REGIONS else 0),
        "margin": {"l": 250, "r": 175, "t": 62 if view.mode == REGIONS else 16,
                   "b": 150 if named else 40, "pad": 2},
        "paper_bgcolor": colours.PAPER, "plot_bgcolor": colours.PAPER,
        "separators": ",." if lang == "nl" else ".,",
        "font": {"family": "system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif", "size": 11,
                 "color": colours.TEXT},
        "xaxis": {"range": [-0.5, n_cols - 0.5], "showgrid": False, "zeroline": False,
                  "ticks": "", "side": "bottom", "fixedrange": True, "automargin": True,
                  "title": {"text": axis_title, "font": {"size": 12}, "standoff": 8},
                  **({"tickmode": "array", "tickvals": list(range(n_cols)), "tickangle": -60,
                      "ticktext": [_short(str(s), 22) for s in x_labels]} if named
                     else {"showticklabels": False})},
        "yaxis": {"range": [n_rows - 0.5, -0.5], "showgrid": False, "zeroline": False,
                  "ticks": "", "fixedrange": True, "tickmode": "array",
                  "tickvals": list(range(n_rows)), "ticktext": ticktext},
        "shapes": shapes, "annotations": annotations,
        "uirevision": "heatmap",
    }}, _validate=False)
    return fig


def hover_labels(ctx: AppContext, snap: Snapshot, lang: str) -> dict:
    """Row labels and the 5 level descriptors per row, for the browser-side hover (sent once)."""
    fw = ctx.framework
    cube = snap.maturity
    rows = [cube.element_ids[e] for e in element_order(cube.element_blocks)]
    return {
        "el": [element_label(ctx, e, lang) for e in rows],
        "desc": [[fw.element_by_id[e].levels[lv].get(lang) for lv in range(5)] for e in rows],
        "scale": [fw.scale[lv].label.get(lang) for lv in range(5)],
        "dec": "," if lang == "nl" else ".",
        "t": {"level": t("heatmap.tip.level", lang), "missing": t("heatmap.tip.missing", lang),
              "median": t("heatmap.tip.median", lang), "share": t("heatmap.tip.share", lang),
              "suppressed": t("heatmap.tip.suppressed", lang, min_group=ctx.settings.min_group),
              "nodata": t("heatmap.tip.nodata", lang)},
    }


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


# ------------------------------------------------------------------ CSV


def csv_frame(ctx: AppContext, snap: Snapshot, view: View, lang: str) -> pd.DataFrame:
    """The grid shown, long format: one row per column × element, in display order."""
    if view.grid is None:
        return pd.DataFrame()
    g = view.grid
    cube = snap.maturity
    e_ids = np.array([cube.element_ids[e] for e in g.rows])
    e_names = np.array([ctx.framework.element_by_id[e].name.get(lang) for e in e_ids])
    n_rows, n_cols = len(g.rows), g.n_columns
    col = np.repeat(np.arange(n_cols), n_rows)
    row = np.tile(np.arange(n_rows), n_cols)
    out = {"wave": view.state.wave}
    if view.mode == MUNICIPALITIES:
        ref = _ref(ctx)
        out["municipality_id"] = cube.municipality_ids[g.columns][col]
        out["municipality"] = ref["name"][g.columns][col]
    else:
        names = np.array([region_name(ctx, r) for r in g.regions])
        out["region_id"] = g.regions[col]
        out["region"] = names[col]
    out["element_id"] = e_ids[row]
    out["element"] = e_names[row]
    if view.mode == MUNICIPALITIES:
        z = g.z[row, col]
        out["level"] = pd.Series(z, dtype="Int64").mask(z == MISSING)
    else:
        out["municipalities_with_level"] = g.n[row, col]
        out["median"] = g.median[row, col]
        out["share_ge3"] = np.round(g.share_ge3[row, col], 4)
        out["suppressed"] = g.status[row, col] == SUPPRESSED
    return pd.DataFrame(out)


def csv_filename(view: View) -> str:
    s = view.state
    parts = ["ds4e-heatmap", s.country, s.nuts2 or "", s.size or "",
             f"peers-{s.peers_of}" if s.peers_of else "", s.wave, view.mode or ""]
    return "-".join(p for p in parts if p) + ".csv"


# ------------------------------------------------------------------ controls


def country_options(ctx: AppContext, snap: Snapshot, lang: str, current: str) -> list[dict]:
    """Countries with answers in any wave (plus the current one), by name."""
    counts = answered_per_country(ctx, snap).sum(axis=0)
    codes = [str(c) for c, n in zip(ctx.attributes.country_labels, counts, strict=True)
             if n > 0 or c == current]
    opts = [{"label": f"{country_name(ctx, c, lang)} ({c})", "value": c} for c in codes]
    return sorted(opts, key=lambda o: o["label"].casefold())


def nuts2_options(ctx: AppContext, country: str, lang: str) -> list[dict]:
    attrs = ctx.attributes
    regions = attrs.nuts2_labels[np.unique(attrs.nuts2[attrs.mask_for("country", country)])]
    return [{"label": t("heatmap.nuts2.all", lang), "value": ALL}] + [
        {"label": f"{region_name(ctx, r)} ({r})", "value": str(r)} for r in regions if r]


def size_options(lang: str) -> list[dict]:
    return [{"label": t("heatmap.size.all", lang), "value": ALL}] + [
        {"label": size_class_label(c.key, lang), "value": c.key} for c in SIZE_CLASSES]


def sort_options(ctx: AppContext, snap: Snapshot, lang: str) -> list[dict]:
    cube = snap.maturity
    return [{"label": t("heatmap.sort.overall", lang), "value": OVERALL}] + [
        {"label": t("heatmap.sort.element", lang, element=element_label(ctx, cube.element_ids[e], lang)),
         "value": cube.element_ids[e]} for e in element_order(cube.element_blocks)]


def peer_options(ctx: AppContext, country: str, search: str | None = None,
                 value: str | None = None) -> list[dict]:
    """Municipalities of a country for the peer picker: the largest ones, or name/code matches
    (those starting with the text first), at most PEER_OPTIONS; the chosen one always included."""
    ref = _ref(ctx)
    rows = np.flatnonzero(ctx.attributes.mask_for("country", country))
    if search and search.strip():
        needle = search.strip().casefold()
        names = np.char.lower(ref["name"][rows].astype(str))
        codes = np.char.lower(ref["code"][rows].astype(str))
        starts = np.char.startswith(names, needle)
        hit = starts | (np.char.find(names, needle) >= 0) | np.char.startswith(codes, needle)
        rows, starts = rows[hit], starts[hit]
        order = np.lexsort((-ref["population"][rows], ~starts))
    else:
        order = np.argsort(-ref["population"][rows], kind="stable")
    rows = rows[order][:PEER_OPTIONS]
    ids_ = ctx.municipalities["municipality_id"].to_numpy()
    opts = [{"label": str(ref["label"][i]), "value": str(ids_[i])} for i in rows]
    if value and value not in {o["value"] for o in opts}:
        try:
            i = int(np.flatnonzero(ids_ == value)[0])
            opts.insert(0, {"label": str(ref["label"][i]), "value": value})
        except IndexError:
            pass
    return opts


def wave_options(snap: Snapshot, wave: str, lang: str) -> list[dict]:
    opts = [{"label": w, "value": w} for w in reversed(snap.waves)]
    if wave not in snap.waves:
        opts.append({"label": t("heatmap.wave.nodata", lang, wave=wave), "value": wave})
    return opts


def _control(label: str, control, cid: str, **col) -> dbc.Col:
    return dbc.Col([dbc.Label(label, html_for=cid, className="mb-1"), control],
                   className="mb-2", **col)


def empty_page(lang: str) -> dbc.Alert:
    return dbc.Alert([html.H2(t("heatmap.empty.nothing.title", lang), className="h5"),
                      html.P(t("heatmap.empty.nothing.body", lang), className="mb-0")], color="info")


def notes_children(view: View) -> list:
    out = [dbc.Alert(n, color="secondary", className="py-2 mb-2") for n in view.notes]
    if view.empty:
        out.append(dbc.Alert(view.empty, color="info", className="mb-2"))
    return out


# ------------------------------------------------------------------ layout + callbacks


def layout(ctx: AppContext, lang: str, query: dict | None = None) -> html.Div:
    lang = normalise_lang(lang)
    header = [html.H1(t("heatmap.title", lang), className="h2"),
              html.P(html.Strong(t("heatmap.question", lang)), className="mb-1 question"),
              html.P(t("heatmap.guide", lang), className="text-body-secondary")]
    snap = ctx.warehouse.snapshot()
    if snap is None:
        return html.Div([*header, empty_page(lang)])
    q = query or {}
    state = read_state(ctx, snap, **{k: q.get(k) for k in
                                     ("country", "nuts2", "size", "wave", "sort", "mode",
                                      "peers_of")})
    notices = url_notices(ctx, snap, q, state)
    view = compute_view(ctx, snap, state, lang)
    peers_on = state.peers_of is not None
    controls = dbc.Row([
        _control(t("heatmap.country", lang), dbc.Select(
            id=COUNTRY, value=state.country,
            options=country_options(ctx, snap, lang, state.country)), COUNTRY, xs=12, sm=6, lg=3),
        _control(t("heatmap.nuts2", lang), dbc.Select(
            id=NUTS2, value=state.nuts2 or ALL, disabled=peers_on,
            options=nuts2_options(ctx, state.country, lang)), NUTS2, xs=12, sm=6, lg=3),
        _control(t("heatmap.size", lang), dbc.Select(
            id=SIZE, value=state.size or ALL, disabled=peers_on, options=size_options(lang)),
            SIZE, xs=12, sm=6, lg=3),
        _control(t("heatmap.peers", lang), dcc.Dropdown(
            id=PEERS, value=state.peers_of, clearable=True, searchable=True,
            placeholder=t("heatmap.peers.placeholder", lang),
            options=peer_options(ctx, state.country, value=state.peers_of),
            labels={"search": t("heatmap.peers.search", lang),
                    "no_options_found": t("heatmap.peers.none", lang),
                    "clear_search": t("heatmap.peers.clear", lang),
                    "clear_selection": t("heatmap.peers.clear", lang)}),
            PEERS, xs=12, sm=6, lg=3),
        _control(t("heatmap.wave", lang), dbc.Select(
            id=WAVE, value=state.wave, options=wave_options(snap, state.wave, lang)),
            WAVE, xs=6, sm=3, lg=2),
        _control(t("heatmap.mode", lang), dbc.Select(id=MODE, value=state.mode, options=[
            {"label": t("heatmap.mode.municipalities", lang), "value": MUNICIPALITIES},
            {"label": t("heatmap.mode.regions", lang), "value": REGIONS}]), MODE, xs=6, sm=3,
            lg=3),
        _control(t("heatmap.sort", lang), dbc.Select(
            id=SORT, value=state.sort, options=sort_options(ctx, snap, lang)), SORT, xs=12, sm=6,
            lg=4),
        # three buttons and their label need the width the sort select gave up
        dbc.Col(download_control(CSV_BUTTON, lang, disabled=view.grid is None, className="mb-2"),
                xs=12, lg=3, className="d-flex align-items-end justify-content-lg-end"),
    ], className="mb-2 g-2 heatmap-controls")
    return html.Div([
        *header,
        alerts(notices, lang, "heatmap-url-notices"),
        controls,
        html.Div(notes_children(view), id=NOTES, **{"aria-live": "polite"}),
        dbc.Card(dbc.CardBody(html.Figure([
            html.Div([
                dcc.Graph(id=GRAPH, figure=figure(ctx, snap, view, lang), clear_on_unhover=True,
                          config={"displaylogo": False, "displayModeBar": False,
                                  "responsive": True}),
                dcc.Tooltip(id=TOOLTIP, children=html.Div(className="hm-tooltip", children=[
                    html.Strong(id=TIP_TITLE), html.Div(id=TIP_ELEMENT, className="hm-tip-el"),
                    html.Div(id=TIP_VALUE, className="hm-tip-value"),
                    html.Div(id=TIP_DETAIL, className="hm-tip-detail")])),
            ], id=GRAPH_BOX, className="hm-graph-box",
                style={"display": "block" if view.grid is not None else "none"}),
            html.Div(legend(ctx, view, lang), id=LEGEND, className="hm-legend small"),
            html.Figcaption(caption(ctx, snap, view, lang), id=CAPTION,
                            className="small text-body-secondary mt-2"),
        ], className="mb-0")), className="mb-3"),
        dcc.Store(id=LABELS, data=hover_labels(ctx, snap, lang)),
        dcc.Store(id=COLUMNS, data=column_data(view)),
        dcc.Download(id=CSV_DOWNLOAD),
    ])


def update_view(ctx: AppContext, country, nuts2, size, peers_of, wave, sort, mode, lang):
    """The heatmap callback body: figure, caption, legend, notes, hover data, control states."""
    lang = normalise_lang(lang)
    snap = ctx.warehouse.snapshot()
    if snap is None:
        raise PreventUpdate
    state = read_state(ctx, snap, country=country, nuts2=nuts2, size=size, wave=wave, sort=sort,
                       mode=mode, peers_of=peers_of)
    view = compute_view(ctx, snap, state, lang)
    peers_on = state.peers_of is not None
    return (figure(ctx, snap, view, lang), caption(ctx, snap, view, lang), legend(ctx, view, lang),
            notes_children(view), column_data(view),
            {"display": "block" if view.grid is not None else "none"}, view.grid is None,
            peers_on, peers_on)


def permalink(ctx: AppContext, country, nuts2, size, peers_of, wave, sort, mode) -> str:
    """The URL query of the view the controls show (written back to the address bar)."""
    snap = ctx.warehouse.snapshot()
    if snap is None:
        raise PreventUpdate
    state = read_state(ctx, snap, country=country, nuts2=nuts2, size=size, wave=wave, sort=sort,
                       mode=mode, peers_of=peers_of)
    return "?" + urlencode(state.query())


def change_country(ctx: AppContext, country, lang):
    """A new country: its NUTS 2 regions, the filters reset, the peer picker refilled."""
    lang = normalise_lang(lang)
    if not country:
        raise PreventUpdate
    return nuts2_options(ctx, country, lang), ALL, None, peer_options(ctx, country)


def search_peers(ctx: AppContext, search, country, value):
    if not search or not country:
        raise PreventUpdate
    return peer_options(ctx, country, search, value)


def download(ctx: AppContext, country, nuts2, size, peers_of, wave, sort, mode, lang,
             fmt: str = "csv"):
    lang = normalise_lang(lang)
    snap = ctx.warehouse.snapshot()
    if snap is None:
        raise PreventUpdate
    state = read_state(ctx, snap, country=country, nuts2=nuts2, size=size, wave=wave, sort=sort,
                       mode=mode, peers_of=peers_of)
    view = compute_view(ctx, snap, state, lang)
    if view.grid is None:
        raise PreventUpdate
    return table_download(csv_frame(ctx, snap, view, lang), csv_filename(view), fmt)


_FILTERS = (COUNTRY, NUTS2, SIZE, PEERS, WAVE, SORT, MODE)

# Browser-side hover: the descriptor of (row, level) is looked up in the labels store.
_TOOLTIP_JS = """
function(hover, labels, cols) {
    const nu = window.dash_clientside.no_update;
    if (!hover || !hover.points || !hover.points.length || !labels || !cols || !cols.mode) {
        return [false, nu, nu, nu, nu, nu, nu];
    }
    const pt = hover.points[0];
    const c = Math.round(pt.x), r = Math.round(pt.y), tx = labels.t;
    if (!(c in cols.cols) || !(r in labels.el)) { return [false, nu, nu, nu, nu, nu, nu]; }
    let value = '', detail = '';
    if (cols.mode === 'municipalities') {
        const z = (pt.z === null || pt.z === undefined) ? -1 : pt.z - 1;  // sent as level + 1
        if (z < 0) { value = tx.missing; }
        else { value = tx.level + ' ' + z + ' · ' + labels.scale[z]; detail = labels.desc[r][z]; }
    } else {
        const s = cols.status[r][c];
        if (s === 1) { value = tx.suppressed; }
        else if (s === 2) { value = tx.nodata; }
        else {
            const m = cols.median[r][c];
            value = tx.median + ' ' + (m % 1 === 0 ? m.toFixed(1) : String(m)).replace('.', labels.dec);
            detail = tx.share.replace('{share}', cols.share[r][c]).replace('{n}', cols.n[r][c]);
        }
    }
    const dir = c > cols.cols.length / 2 ? 'left' : 'right';
    return [true, pt.bbox || nu, dir, cols.cols[c], labels.el[r], value, detail];
}
"""


def register(app, ctx: AppContext) -> None:
    warmup.add(app.server, _ref)  # before the first request: dashboard/warmup.py

    @app.callback(
        Output(GRAPH, "figure"), Output(CAPTION, "children"), Output(LEGEND, "children"),
        Output(NOTES, "children"), Output(COLUMNS, "data"), Output(GRAPH_BOX, "style"),
        Output(group_id(CSV_BUTTON), "disabled"), Output(NUTS2, "disabled"),
        Output(SIZE, "disabled"),
        *(Input(c, "value") for c in _FILTERS),
        State(ids.LANG, "value"),
        prevent_initial_call=True,  # the layout already holds the first view
    )
    def _view(country, nuts2, size, peers_of, wave, sort, mode, lang):
        return update_view(ctx, country, nuts2, size, peers_of, wave, sort, mode, lang)

    # Separate from the figure: a callback writing the URL (allow_duplicate) also runs when the
    # page is rendered, and this one is cheap.
    @app.callback(
        Output(ids.URL, "search", allow_duplicate=True),
        *(Input(c, "value") for c in _FILTERS),
        prevent_initial_call=True,
    )
    def _permalink(country, nuts2, size, peers_of, wave, sort, mode):
        return permalink(ctx, country, nuts2, size, peers_of, wave, sort, mode)

    @app.callback(
        Output(NUTS2, "options"), Output(NUTS2, "value"), Output(PEERS, "value"),
        Output(PEERS, "options"),
        Input(COUNTRY, "value"), State(ids.LANG, "value"),
        prevent_initial_call=True,
    )
    def _country(country, lang):
        return change_country(ctx, country, lang)

    @app.callback(
        Output(PEERS, "options", allow_duplicate=True),
        Input(PEERS, "search_value"), State(COUNTRY, "value"), State(PEERS, "value"),
        prevent_initial_call=True,
    )
    def _peers(search, country, value):
        return search_peers(ctx, search, country, value)

    @app.callback(
        Output(CSV_DOWNLOAD, "data"),
        *download_inputs(CSV_BUTTON),
        *(State(c, "value") for c in _FILTERS),
        State(ids.LANG, "value"),
        prevent_initial_call=True,
    )
    def _download_file(_csv, _xlsx, _parquet, country, nuts2, size, peers_of, wave, sort, mode, lang):
        return download(ctx, country, nuts2, size, peers_of, wave, sort, mode, lang,
                        chosen_format(callback_context.triggered_id, CSV_BUTTON))

    app.clientside_callback(
        _TOOLTIP_JS,
        Output(TOOLTIP, "show"), Output(TOOLTIP, "bbox"), Output(TOOLTIP, "direction"),
        Output(TIP_TITLE, "children"), Output(TIP_ELEMENT, "children"),
        Output(TIP_VALUE, "children"), Output(TIP_DETAIL, "children"),
        Input(GRAPH, "hoverData"), State(LABELS, "data"), State(COLUMNS, "data"),
    )
