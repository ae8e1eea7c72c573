"""Municipality profile (Gemeenteprofiel): where does one municipality stand against its peers?

Radar per building block or element with the peer group's middle half and median, the position
within the peer distribution per element, respondent agreement, the trend over waves and, for
the cities assessed in the eGovernment Benchmark 2023, that independent measurement beside the
self-assessment. Consent: a municipality that did not consent is shown only through its peer
group's aggregate picture. Every control starts from the URL and is written back to it.

Speed at EU scale (98,584 municipalities; the worst peer group is France's ~35,000 communes):
the numbers come from the level cube (snap.maturity), and everything that does not depend on the
chosen municipality is computed once per published build and kept in this process: block and
overall scores per wave, each group's level counts and sorted block scores (a member's peers are
its group minus itself, pipelines/maturity/distribution.py), the wave's disagreements (one SQL
read of the levels mart), the search index and the eGovernment Benchmark mapping. A callback then
only masks, subtracts and formats. Figures are plain dicts (see `_figure_dict`).
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass, replace
from urllib.parse import urlencode

import dash_bootstrap_components as dbc
import numpy as np
import pandas as pd
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
from dashboard.components.figures import empty_figure
from dashboard.components.municipality_picker import (
    dropdown_labels,
    picker,
    search_index,
    search_options,
)
from dashboard.components.places import country_name, nuts_names
from dashboard.context import AppContext
from dashboard.i18n import normalise_lang, t
from dashboard.store import Snapshot
from pipelines.egov_local import EgovLocal
from pipelines.maturity.cube import as_float
from pipelines.maturity.distribution import (
    element_distribution,
    level_counts,
    profile_from_counts,
    profile_from_sorted,
    sorted_columns,
)
from pipelines.maturity.peers import DEFAULT_PEERS, PEER_KINDS, peer_mask
from pipelines.maturity.profile import Profile, compare
from pipelines.municipality_search import MunicipalityIndex
from pipelines.reference import size_class_label

LOG = logging.getLogger(__name__)
PATH = "/profile"
NAV_KEY = "profile.nav"

# ------------------------------------------------------------------ component ids

PICKER = "profile-municipality"
WAVE = "profile-wave"
VIEW = "profile-view"
PEERS = "profile-peers"
CUSTOM = "profile-custom"
CUSTOM_BOX = "profile-custom-box"
STATUS = "profile-status"
RADAR = "profile-radar"
RADAR_CAPTION = "profile-radar-caption"
RADAR_CSV_BUTTON = "profile-radar-csv-button"
RADAR_CSV = "profile-radar-csv"
DIST = "profile-distribution"
DIST_CAPTION = "profile-distribution-caption"
DIST_CSV_BUTTON = "profile-distribution-csv-button"
DIST_CSV = "profile-distribution-csv"
AGREEMENT = "profile-agreement"
TREND = "profile-trend"
TREND_CAPTION = "profile-trend-caption"
TREND_CSV_BUTTON = "profile-trend-csv-button"
TREND_CSV = "profile-trend-csv"
CONTEXT = "profile-context"
CONTEXT_CSV_BUTTON = "profile-context-csv-button"
CONTEXT_CSV = "profile-context-csv"
# (table, download control's CSV button, dcc.Download) of every download of the page
DOWNLOADS = (("radar", RADAR_CSV_BUTTON, RADAR_CSV), ("distribution", DIST_CSV_BUTTON, DIST_CSV),
             ("trend", TREND_CSV_BUTTON, TREND_CSV), ("context", CONTEXT_CSV_BUTTON, CONTEXT_CSV))

VIEWS = ("blocks", "elements")
DEFAULT_VIEW = "blocks"

# Colours: the municipality in the app's blue, peers in neutral greys (colour-blind safe).
OWN = colours.OWN
PEER_BAND = colours.PEER_BAND
PEER_LINE = colours.PEER_LINE
MISSING_GREY = colours.MISSING_MARK
GRAPH_CONFIG = {"displaylogo": False, "responsive": True,
                "modeBarButtonsToRemove": ["select2d", "lasso2d"]}

# ------------------------------------------------------------------ cached reference helpers

_LOCK = threading.Lock()
_CACHE: dict[tuple[str, str], object] = {}


def _cached(kind: str, ctx: AppContext, build):
    key = (kind, str(ctx.settings.reference_dir))
    value = _CACHE.get(key)
    if value is None:
        with _LOCK:
            value = _CACHE.get(key)
            if value is None:
                value = _CACHE[key] = build()
    return value


def egov(ctx: AppContext) -> EgovLocal:
    """The eGovernment Benchmark 2023 local assessments, mapped to municipalities once."""
    return _cached("egov", ctx, lambda: EgovLocal.load(ctx.settings.reference_dir,
                                                        ctx.municipalities))


def _num(n, lang: str, digits: int = 0) -> str:
    text = f"{n:,.{digits}f}"
    if lang == "nl":
        text = text.replace(",", "\x00").replace(".", ",").replace("\x00", ".")
    return text


def _level(x: float, lang: str) -> str:
    """A level or score for text: '3' for whole levels, '2.4' (nl '2,4') otherwise, '–' if NaN."""
    if x is None or np.isnan(x):
        return "–"
    return _num(x, lang, 0 if float(x).is_integer() else 1)


# ------------------------------------------------------------------ state (permalink)


@dataclass(frozen=True)
class ProfileState:
    m: str | None
    wave: str
    view: str = DEFAULT_VIEW
    peers: str = DEFAULT_PEERS
    custom: tuple[str, ...] = ()

    def query(self) -> str:
        """'?m=NL_GM0344&wave=2026&view=blocks&peers=country_size' (+ '&custom=ID,ID')."""
        params = {}
        if self.m:
            params["m"] = self.m
        params.update(wave=self.wave, view=self.view, peers=self.peers)
        if self.custom:
            params["custom"] = ",".join(self.custom)
        return "?" + urlencode(params, safe=",")


def parse_state(ctx: AppContext, snap: Snapshot, query: dict | None) -> tuple[ProfileState, list]:
    """The state a URL asks for, with unknown values replaced by defaults, and the notices
    (as text keys with values) that explain what was replaced."""
    query = query or {}
    cube = snap.maturity
    notes = []
    m = (query.get("m") or "").strip() or None
    if m is not None and _row(cube, m) is None:
        notes.append(("profile.notice.unknown", {"id": m}))
        m = None
    wave = query.get("wave")
    if wave and wave not in snap.waves:
        notes.append(("profile.notice.wave", {"wave": wave, "waves": ", ".join(snap.waves),
                                              "latest": snap.waves[-1]}))
    wave = wave if wave in snap.waves else snap.waves[-1]
    view = query.get("view") if query.get("view") in VIEWS else DEFAULT_VIEW
    peers = query.get("peers") if query.get("peers") in PEER_KINDS else DEFAULT_PEERS
    custom = tuple(dict.fromkeys(c.strip() for c in (query.get("custom") or "").split(",")
                                 if _row(cube, c.strip()) is not None))
    return ProfileState(m, wave, view, peers, custom), notes


def state_from_controls(m, wave, view, peers, custom) -> ProfileState:
    return ProfileState(m or None, wave, view if view in VIEWS else DEFAULT_VIEW,
                        peers if peers in PEER_KINDS else DEFAULT_PEERS, tuple(custom or ()))


# ------------------------------------------------------------------ the selection


@dataclass
class Selection:
    """Everything the views need for one municipality, wave and peer group."""

    snap: Snapshot
    target: int
    wave: str
    w: int
    kind: str
    peers: np.ndarray  # bool[M]: the municipalities the peer statistics are over
    visible: bool
    name: str
    min_group: int
    group: str | None = None  # the group the peers come from ('FR', 'NL32'...); None: custom
    left_out: int = 0  # hand-picked municipalities not counted (no consent to be named)

    @property
    def cube(self):
        return self.snap.maturity

    def shown_in(self, w: int) -> bool:
        """May the peer statistics be shown in wave w? A country, region or size group is an
        area of the disclosure hierarchy: only where the published pattern allows it (the same
        statistics for every member, never the group minus one). A hand-picked group counts
        only municipalities whose results are public, so it is always shown (if large enough)."""
        if self.group is None:
            return True
        return self.snap.published(self.cube.waves[w], self.kind, self.group)


def select(ctx: AppContext, m: str | None, wave: str | None, peers: str | None,
           custom) -> Selection | None:
    """None when nothing is published or no (known) municipality is chosen."""
    snap = ctx.warehouse.snapshot()
    if snap is None or not m:
        return None
    cube = snap.maturity
    target = _row(cube, m)
    if target is None:
        return None
    wave = wave if wave in snap.waves else snap.waves[-1]
    kind = peers if peers in PEER_KINDS else DEFAULT_PEERS
    rows = [r for r in (_row(cube, c) for c in (custom or ())) if r is not None]
    mask = peer_mask(ctx.attributes, target, kind, rows)
    group = None if kind == "custom" else ctx.attributes.label(kind, target)
    left_out = 0
    if group is not None:
        # the whole area, the municipality itself included: statistics of the group, the same
        # whichever member is looked at (the group minus one member would give that member away)
        mask[target] = True
    elif ctx.settings.visibility != "open":
        # a hand-picked set is no area of the disclosure hierarchy: only public results count
        public = mask & snap.consent
        left_out = int((mask & ~public).sum())
        mask = public
    return Selection(snap, target, wave, cube.wave_index(wave), kind, mask,
                     ctx.visible(snap, target), _name(ctx, target), ctx.settings.min_group,
                     group, left_out)


def _row(cube, municipality_id: str) -> int | None:
    try:
        return cube.index_of(municipality_id)
    except KeyError:
        return None


def _name(ctx: AppContext, row: int) -> str:
    return str(ctx.municipalities["name"].iat[row])


_PER_WAVE: dict[tuple[str, str, int], np.ndarray] = {}


def per_wave(snap: Snapshot, what: str, w: int) -> np.ndarray:
    """Whole-cube values per wave, computed once per published build: 'answered' (bool[M]),
    'blocks' (float32[M, B] block scores) or 'overall' (float[M]). A peer group's statistics
    are then a masked read instead of 25-70 ms of arithmetic over 35,000 rows each time."""
    key = (snap.build_id, what, w)
    out = _PER_WAVE.get(key)
    if out is None:
        cube = snap.maturity
        compute = {"answered": cube.answered, "blocks": cube.block_scores,
                   "overall": cube.overall}[what]
        out = compute(w)
        with _LOCK:
            if any(k[0] != snap.build_id for k in _PER_WAVE):  # a new build: drop the old one
                _PER_WAVE.clear()
            _PER_WAVE[key] = out
    return out


def answered(sel: Selection) -> np.ndarray:
    """bool[M]: municipalities with at least one level in the selection's wave."""
    return per_wave(sel.snap, "answered", sel.w)


_GROUPS: dict[tuple, object] = {}


def _per_group(sel: Selection, what: str, build):
    """A statistic of the selection's whole group (the area, the municipality itself included),
    cached per build, wave and group: every member of the group reuses it."""
    key = (sel.snap.build_id, sel.w, sel.kind, sel.group, what)
    out = _GROUPS.get(key)
    if out is None:
        out = build(sel.peers)
        with _LOCK:
            if len(_GROUPS) > 512 or any(k[0] != sel.snap.build_id for k in _GROUPS):
                _GROUPS.clear()
            _GROUPS[key] = out
    return out


def withheld(prof: Profile) -> Profile:
    """The profile with every peer statistic withheld (the group is not published)."""
    nan = np.full(len(prof.labels), np.nan)
    return replace(prof, q1=nan, median=nan, q3=nan, n=np.zeros(len(prof.labels), dtype=int),
                   percentile=nan, suppressed=np.ones(len(prof.labels), dtype=bool))


def element_stats(sel: Selection) -> tuple[Profile, np.ndarray]:
    """Element profile and the peers' level counts. For a country, region or size group the
    group's counts are cached, so France's 35,000 communes are counted once per wave, not per
    click. Same numbers as element_distribution."""
    if sel.group is None:
        return element_distribution(sel.cube, sel.w, sel.target, sel.peers, sel.min_group)
    levels = sel.cube.levels[sel.w]
    counts = _per_group(sel, "counts", lambda group: level_counts(levels[group]))
    own = as_float(levels[sel.target]).astype(float)
    prof = profile_from_counts(own, counts, sel.cube.element_ids, sel.min_group)
    if not sel.shown_in(sel.w):
        return withheld(prof), np.zeros_like(counts)
    return prof, counts


def block_profile_fast(sel: Selection) -> Profile:
    """profile.block_profile from cached block scores; for a country, region or size group
    from the group's sorted scores (same numbers, tested)."""
    scores = per_wave(sel.snap, "blocks", sel.w)
    own = scores[sel.target].astype(float)
    if sel.group is None:
        return compare(own, scores[sel.peers].astype(float), sel.cube.blocks, sel.min_group)
    columns = _per_group(sel, "blocks", lambda group: sorted_columns(scores[group]))
    prof = profile_from_sorted(own, columns, sel.cube.blocks, sel.min_group)
    return prof if sel.shown_in(sel.w) else withheld(prof)


def waves_answered(sel: Selection) -> list[str]:
    known = (sel.cube.levels[:, sel.target] != -1).any(axis=1)
    return [w for w, k in zip(sel.cube.waves, known, strict=True) if k]


def peer_group_text(ctx: AppContext, sel: Selection, lang: str) -> str:
    """'Netherlands, 20,000–49,999 inhabitants: 112 municipalities (Utrecht not counted),
    74 with answers in 2026'."""
    ref = ctx.municipalities
    row = sel.target
    country = country_name(ctx, ref["country"].iat[row], lang)
    if sel.kind == "country_size":
        group = t("profile.peers.group.country_size", lang, country=country,
                  size=size_class_label(ref["size_class"].iat[row], lang))
    elif sel.kind == "nuts2":
        code = ref["nuts2"].iat[row]
        group = t("profile.peers.group.nuts2", lang,
                  region=nuts_names(ctx.settings.reference_dir).get(code, code), code=code)
    elif sel.kind == "country":
        group = t("profile.peers.group.country", lang, country=country)
    else:
        group = t("profile.peers.group.custom", lang)
    n = int(sel.peers.sum())
    k = int((sel.peers & answered(sel)).sum())
    return t("profile.peers.size", lang, group=group, n=_num(n, lang), answered=_num(k, lang),
             wave=sel.wave, name=sel.name)


# ------------------------------------------------------------------ layout


def layout(ctx: AppContext, lang: str, query: dict | None = None) -> html.Div:
    snap = ctx.warehouse.snapshot()
    header = [
        html.H1(t("profile.title", lang), className="h2"),
        html.P(html.Strong(t("profile.question", lang)), className="mb-1 question"),
        html.P(t("profile.guide", lang), className="text-body-secondary"),
    ]
    if snap is None:
        return html.Div([*header, dbc.Alert([
            html.H2(t("profile.empty.nothing.title", lang), className="h5"),
            html.P(t("profile.empty.nothing.body", lang), className="mb-0"),
        ], color="info")])
    state, notes = parse_state(ctx, snap, query)
    index = search_index(ctx)
    cube = snap.maturity
    picked = [cube.index_of(state.m)] if state.m else []
    custom_rows = [cube.index_of(c) for c in state.custom]
    return html.Div([
        *header,
        *[dbc.Alert(t(key, lang, **values), color="warning") for key, values in notes],
        controls(state, snap, index, picked, custom_rows, lang),
        html.Div(id=STATUS, **{"aria-live": "polite"}),
        dbc.Row([
            dbc.Col(_card(
                t("profile.radar.title", lang), t("profile.radar.question", lang),
                t("profile.radar.guide", lang),
                [_figure(RADAR, RADAR_CAPTION, height=520),
                 _download(RADAR_CSV_BUTTON, RADAR_CSV, "radar", lang)]), lg=6, className="mb-3"),
            dbc.Col(_card(
                t("profile.context.title", lang), t("profile.context.question", lang),
                t("profile.context.guide", lang),
                [html.Div(id=CONTEXT), _download(CONTEXT_CSV_BUTTON, CONTEXT_CSV, "context", lang)]),
                lg=6, className="mb-3"),
        ]),
        dbc.Row([
            dbc.Col(_card(
                t("profile.dist.title", lang), t("profile.dist.question", lang),
                t("profile.dist.guide", lang),
                [_figure(DIST, DIST_CAPTION, height=900),
                 _download(DIST_CSV_BUTTON, DIST_CSV, "dist", lang)]), lg=7, className="mb-3"),
            dbc.Col([
                _card(t("profile.trend.title", lang), t("profile.trend.question", lang),
                      t("profile.trend.guide", lang),
                      [_figure(TREND, TREND_CAPTION, height=440),
                       _download(TREND_CSV_BUTTON, TREND_CSV, "trend", lang)], className="mb-3"),
                _card(t("profile.agree.title", lang), t("profile.agree.question", lang),
                      t("profile.agree.guide", lang), [html.Div(id=AGREEMENT)], className=""),
            ], lg=5, className="mb-3"),
        ]),
        html.P(t("profile.footnote", lang, min_group=ctx.settings.min_group),
               className="small text-body-secondary"),
    ], className="profile-page")


def controls(state: ProfileState, snap: Snapshot, index: MunicipalityIndex, picked: list[int],
             custom_rows: list[int], lang: str) -> dbc.Card:
    peer_options = [{"label": t(f"profile.peers.kind.{k}", lang), "value": k} for k in PEER_KINDS]
    return dbc.Card(dbc.CardBody([
        dbc.Row([
            dbc.Col(picker(PICKER, t("profile.picker.label", lang), state.m, picked, index, lang),
                    md=6, lg=4, className="mb-2"),
            dbc.Col([
                dbc.Label(t("profile.wave", lang), html_for=WAVE),
                dbc.Select(id=WAVE, value=state.wave,
                           options=[{"label": w, "value": w} for w in reversed(snap.waves)]),
            ], xs=6, md=2, className="mb-2"),
            dbc.Col([
                dbc.Label(t("profile.peers.label", lang), html_for=PEERS),
                dbc.Select(id=PEERS, value=state.peers, options=peer_options),
            ], xs=6, md=4, lg=4, className="mb-2"),
            dbc.Col(html.Fieldset([
                html.Legend(t("profile.view.label", lang), className="form-label fs-6 mb-2"),
                dbc.RadioItems(id=VIEW, value=state.view, inline=True, options=[
                    {"label": t(f"profile.view.{v}", lang), "value": v} for v in VIEWS]),
            ]), md=12, lg=2, className="mb-2"),
        ]),
        html.Div([
            dbc.Label(t("profile.custom.label", lang), html_for=CUSTOM),
            dcc.Dropdown(id=CUSTOM, options=index.options(custom_rows), value=list(state.custom),
                         multi=True, search_order="original", closeOnSelect=False,
                         placeholder=t("profile.custom.placeholder", lang), maxHeight=320,
                         labels=dropdown_labels(lang)),
            html.Div(t("profile.custom.help", lang), className="form-text"),
        ], id=CUSTOM_BOX, style=custom_style(state.peers), className="mt-1"),
    ]), className="mb-3 profile-controls")


def custom_style(peers: str | None) -> dict:
    return {} if peers == "custom" else {"display": "none"}


def _card(title: str, question: str, guide: str, body: list, className: str = "h-100"):
    return dbc.Card(dbc.CardBody([
        html.H2(title, className="h5 mb-1"),
        html.P(html.Strong(question), className="mb-1 small"),
        html.P(guide, className="small text-body-secondary"),
        *body,
    ]), className=className)


def _figure(graph_id: str, caption_id: str, height: int) -> html.Figure:
    return html.Figure([
        dcc.Loading(dcc.Graph(id=graph_id, config=GRAPH_CONFIG, style={"minHeight": height},
                              figure=empty_figure("")),
                    type="circle", delay_show=400),
        html.Figcaption(id=caption_id, className="small text-body-secondary"),
    ], className="mb-2")


def _download(button_id: str, download_id: str, card: str, lang: str):
    return html.Div([
        download_control(button_id, lang, what=t(f"profile.{card}.title", lang)),
        dcc.Download(id=download_id),
    ])


# ------------------------------------------------------------------ figures


def _figure_dict(data: list[dict], height: int, **layout) -> dict:
    """A figure as a plain dict: plotly's graph objects validate every property on the way in,
    which cost 10-40 ms per figure here; these figures are small and checked in the tests
    (go.Figure(fig) accepts them). Slim layout: no template (the default one adds ~6 KB)."""
    base = {"height": height,
            "margin": {"l": 10, "r": 10, "t": 10, "b": 10},
            "font": {"family": "system-ui, -apple-system, 'Segoe UI', sans-serif", "size": 12,
                     "color": colours.TEXT},
            "paper_bgcolor": colours.PAPER, "plot_bgcolor": colours.PAPER, "hovermode": "closest",
            "legend": {"orientation": "h", "y": -0.08, "x": 0.5, "xanchor": "center"}}
    return {"data": data, "layout": {**base, **layout}}


def _js(values) -> list:
    """numpy -> a JSON-safe list (NaN -> None)."""
    return [None if v is None or (isinstance(v, float) and np.isnan(v)) else v
            for v in np.asarray(values, dtype=object).tolist()]


@dataclass
class RadarData:
    profile: Profile
    labels: list[str]  # axis labels
    names: list[str]  # full names for hover and CSV


def radar_data(ctx: AppContext, sel: Selection, view: str, lang: str) -> RadarData:
    fw = ctx.framework
    if view == "elements":
        prof, _ = element_stats(sel)
        names = [fw.element_by_id[e].name.get(lang) for e in prof.labels]
        return RadarData(prof, list(prof.labels), names)
    prof = block_profile_fast(sel)
    names = [fw.block_by_id[b].name.get(lang) for b in prof.labels]
    return RadarData(prof, [_short(n) for n in names], names)


def _short(name: str, width: int = 15) -> str:
    """Axis labels: long block names wrapped onto lines of about `width` characters."""
    lines, line = [], ""
    for word in name.replace(" & ", "\u00a0& ").split(" "):
        if line and len(line) + 1 + len(word) > width:
            lines.append(line)
            line = word
        else:
            line = f"{line} {word}".strip()
    return "<br>".join([*lines, line])


def radar_figure(data: RadarData, sel: Selection, lang: str) -> dict:
    p = data.profile
    theta = data.labels
    close = theta + theta[:1]
    traces = []
    shown = ~p.suppressed
    if shown.any():
        if shown.all():
            # One polygon: around the upper quartiles, back around the lower ones.
            traces.append({"type": "scatterpolar", "mode": "lines", "fill": "toself",
                           "r": _js(np.concatenate([p.q3, p.q3[:1], p.q1[:1], p.q1[::-1]])),
                           "theta": [*close, theta[0], *theta[::-1]],
                           "fillcolor": PEER_BAND, "line": {"width": 0, "color": PEER_BAND},
                           "hoverinfo": "skip", "name": t("profile.legend.band", lang)})
        else:  # some axes suppressed: quartile lines with gaps, no fill across the gaps
            for q, show in ((p.q3, True), (p.q1, False)):
                traces.append({"type": "scatterpolar", "mode": "lines",
                               "r": _js(np.append(q, q[0])), "theta": close,
                               "line": {"color": PEER_LINE, "width": 1, "dash": "dot"},
                               "hoverinfo": "skip", "showlegend": show, "legendgroup": "band",
                               "name": t("profile.legend.band", lang)})
        traces.append({"type": "scatterpolar", "mode": "lines",
                       "r": _js(np.append(p.median, p.median[0])), "theta": close,
                       "line": {"color": PEER_LINE, "width": 2, "dash": "dash"},
                       "hoverinfo": "skip", "name": t("profile.legend.median", lang)})
    hover = [_radar_hover(data, i, sel, lang) for i in range(len(theta))]
    if sel.visible and not np.isnan(p.own).all():
        traces.append({"type": "scatterpolar", "mode": "lines+markers",
                       "r": _js(np.append(p.own, p.own[0])), "theta": close,
                       "line": {"color": OWN, "width": 2.5}, "marker": {"size": 7, "color": OWN},
                       "name": sel.name, "text": hover + hover[:1],
                       "hovertemplate": "%{text}<extra></extra>"})
    else:
        # Invisible points on the median (or the centre) so every axis keeps a hover text.
        traces.append({"type": "scatterpolar", "mode": "markers", "showlegend": False,
                       "r": _js(np.where(np.isnan(p.median), 0, p.median)), "theta": theta,
                       "marker": {"size": 12, "color": colours.TRANSPARENT}, "text": hover,
                       "hovertemplate": "%{text}<extra></extra>"})
    side = 70 if len(theta) > 12 else 105  # room for the angular labels (no automargin)
    return _figure_dict(traces, 520, showlegend=True,
                        margin={"l": side, "r": side, "t": 50, "b": 60},
                        legend={"orientation": "h", "y": -0.16, "x": 0.5, "xanchor": "center"},
                        polar={"radialaxis": {"range": [0, 4], "tickvals": [0, 1, 2, 3, 4],
                                              "angle": 90, "tickfont": {"size": 10},
                                              "gridcolor": colours.GRID_STRONG},
                               "angularaxis": {"direction": "clockwise", "rotation": 90,
                                               "gridcolor": colours.GRID_STRONG,
                                               "tickfont": {"size": 9 if len(theta) > 12
                                                            else 11}},
                               "bgcolor": colours.PAPER})


def _radar_hover(data: RadarData, i: int, sel: Selection, lang: str) -> str:
    p = data.profile
    head = f"<b>{data.names[i]}</b>"
    lines = [head]
    if sel.visible:
        lines.append(t("profile.hover.own", lang, name=sel.name, value=_level(p.own[i], lang)))
    if p.suppressed[i]:
        lines.append(t("profile.hover.suppressed", lang, n=_num(int(p.n[i]), lang)))
    else:
        lines.append(t("profile.hover.peers", lang, median=_level(p.median[i], lang),
                       q1=_level(p.q1[i], lang), q3=_level(p.q3[i], lang),
                       n=_num(int(p.n[i]), lang)))
        if sel.visible and not np.isnan(p.percentile[i]):
            lines.append(t("profile.hover.percentile", lang,
                           pct=_num(p.percentile[i], lang)))
    return "<br>".join(lines)


def radar_caption(data: RadarData, sel: Selection, view: str, lang: str) -> str:
    p = data.profile
    parts = []
    if sel.visible and not np.isnan(p.own).all() and p.suppressed.all():
        values = ", ".join(f"{n} {_level(v, lang)}" for n, v in zip(
            data.names if view == "blocks" else p.labels, p.own, strict=True))
        parts.append(t(f"profile.radar.caption.own_only.{view}", lang, name=sel.name,
                       wave=sel.wave, values=values))
    elif sel.visible and not np.isnan(p.own).all():
        # Blocks by name; elements by id (39 names would drown the sentence).
        names = data.names if view == "blocks" else list(p.labels)
        above = [names[i] for i in range(len(p.own))
                 if not p.suppressed[i] and p.own[i] > p.q3[i]]
        below = [names[i] for i in range(len(p.own))
                 if not p.suppressed[i] and p.own[i] < p.q1[i]]
        parts.append(t(f"profile.radar.caption.{view}", lang, name=sel.name, wave=sel.wave,
                       above=len(above), below=len(below),
                       within=int((~p.suppressed & ~np.isnan(p.own)).sum())
                       - len(above) - len(below)))
        if above:
            parts.append(t("profile.radar.caption.above", lang, items=", ".join(above)))
        if below:
            parts.append(t("profile.radar.caption.below", lang, items=", ".join(below)))
        missing = [lab for lab, v in zip(p.labels, p.own, strict=True) if np.isnan(v)]
        if missing:
            parts.append(t("profile.radar.caption.missing", lang, items=", ".join(missing)))
    elif (~p.suppressed).any():
        parts.append(t("profile.radar.caption.peers_only", lang, wave=sel.wave))
    if p.suppressed.all():
        parts.append(t("profile.radar.caption.suppressed_all", lang, min_group=sel.min_group))
    elif p.suppressed.any():
        parts.append(t("profile.radar.caption.suppressed_some", lang, min_group=sel.min_group,
                       items=", ".join(np.array(p.labels)[p.suppressed])))
    return " ".join(parts)


def distribution_frame(sel: Selection) -> tuple[Profile, np.ndarray]:
    return element_stats(sel)


def distribution_figure(ctx: AppContext, sel: Selection, prof: Profile, counts: np.ndarray,
                        lang: str) -> dict:
    fw = ctx.framework
    els = [fw.element_by_id[e] for e in prof.labels]
    y = np.array([f"{e.id} {_ellipsis(e.name.get(lang), 30)}" for e in els], dtype=object)
    n = counts.sum(axis=1)
    shown = ~prof.suppressed
    with np.errstate(invalid="ignore", divide="ignore"):
        shares = counts / n[:, None]
    scale = {s.level: s.label.get(lang) for s in fw.scale}
    hover = []
    for i, e in enumerate(els):
        lines = [f"<b>{e.id} {e.name.get(lang)}</b>"]
        if sel.visible:
            own = prof.own[i]
            lines.append(t("profile.hover.own", lang, name=sel.name, value=_level(own, lang))
                         + ("" if np.isnan(own) else f" ({scale[int(own)]})"))
        if shown[i]:
            lines.append(t("profile.hover.peers", lang, median=_level(prof.median[i], lang),
                           q1=_level(prof.q1[i], lang), q3=_level(prof.q3[i], lang),
                           n=_num(int(n[i]), lang)))
            lines.append(t("profile.hover.shares", lang) + " " + " · ".join(
                f"{k}: {_num(100 * shares[i, k], lang)}%" for k in range(5)))
            if sel.visible and not np.isnan(prof.percentile[i]):
                lines.append(t("profile.hover.percentile", lang,
                               pct=_num(prof.percentile[i], lang)))
        else:
            lines.append(t("profile.hover.suppressed", lang, n=_num(int(n[i]), lang)))
        hover.append("<br>".join(lines))
    hover = np.array(hover, dtype=object)
    # Alternate shading per building block, so the rows group visibly.
    shapes, start = [], 0
    blocks = [e.block for e in els]
    for k, b in enumerate(dict.fromkeys(blocks)):
        size = blocks.count(b)
        if k % 2 == 0:
            shapes.append({"type": "rect", "xref": "paper", "x0": 0, "x1": 1, "yref": "y",
                           "y0": start - 0.5, "y1": start + size - 0.5, "fillcolor": colours.BAND,
                           "line": {"width": 0}, "layer": "below"})
        start += size
    # The hover text rides on one invisible trace per row ("y unified" hover: anywhere on the
    # row shows it), so the 39 texts are sent once, not once per trace.
    traces = [{"type": "scatter", "mode": "markers", "y": _js(y), "x": [2] * len(y),
               "marker": {"opacity": 0, "size": 1}, "showlegend": False, "text": _js(hover),
               "hovertemplate": "%{text}<extra></extra>"}]
    skip = {"hoverinfo": "skip"}
    if shown.any():
        # The band q1-q3; a band of width 0 (q1 = q3) is drawn a little wider to stay visible.
        narrow = prof.q3 - prof.q1 < 0.06
        traces.append({"type": "bar", "orientation": "h", "y": _js(y[shown]),
                       "x": _js(np.where(narrow, 0.06, prof.q3 - prof.q1)[shown]),
                       "base": _js(np.where(narrow, prof.q1 - 0.03, prof.q1)[shown]),
                       "marker": {"color": PEER_BAND, "line": {"width": 0}}, "width": 0.55,
                       "name": t("profile.legend.band", lang), **skip})
        traces.append({"type": "scatter", "mode": "markers", "y": _js(y[shown]),
                       "x": _js(prof.median[shown]),
                       "marker": {"symbol": "line-ns", "size": 16, "color": PEER_LINE,
                                  "line": {"width": 3, "color": PEER_LINE}},
                       "name": t("profile.legend.median", lang), **skip})
    if sel.visible:
        own = prof.own
        has = ~np.isnan(own)
        if has.any():
            traces.append({"type": "scatter", "mode": "markers", "y": _js(y[has]),
                           "x": _js(own[has]), "name": sel.name,
                           "marker": {"size": 11, "color": OWN,
                                      "line": {"width": 1.5, "color": colours.PAPER}}, **skip})
        if (~has).any():
            traces.append({"type": "scatter", "mode": "markers", "y": _js(y[~has]),
                           "x": [-0.45] * int((~has).sum()),
                           "name": t("profile.legend.nolevel", lang),
                           "marker": {"size": 9, "symbol": "circle-open", "color": MISSING_GREY,
                                      "line": {"width": 2}}, **skip})
    return _figure_dict(
        traces, 24 * len(y) + 110, barmode="overlay", shapes=shapes, hovermode="y unified",
        xaxis={"range": [-0.7, 4.3], "tickvals": [-0.45, 0, 1, 2, 3, 4],
               "ticktext": ["–", "0", "1", "2", "3", "4"], "side": "top", "gridcolor": colours.GRID_STRONG,
               "zeroline": False, "fixedrange": True,
               "title": {"text": t("profile.dist.axis", lang), "font": {"size": 11}}},
        yaxis={"autorange": "reversed", "type": "category", "categoryorder": "array",
               "categoryarray": _js(y), "tickfont": {"size": 11}, "fixedrange": True,
               "automargin": True},
        margin={"l": 10, "r": 10, "t": 50, "b": 10},
        legend={"orientation": "h", "y": -0.01, "x": 0.5, "xanchor": "center", "yanchor": "top"})


def _ellipsis(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1].rstrip() + "…"


def distribution_caption(sel: Selection, prof: Profile, lang: str) -> str:
    shown = ~prof.suppressed
    if not shown.any():
        return t("profile.radar.caption.suppressed_all", lang, min_group=sel.min_group)
    if not sel.visible:
        return t("profile.dist.caption.peers_only", lang, wave=sel.wave, n=int(shown.sum()))
    own = prof.own
    has = shown & ~np.isnan(own)
    above = int((has & (own > prof.q3)).sum())
    below = int((has & (own < prof.q1)).sum())
    text = t("profile.dist.caption", lang, name=sel.name, wave=sel.wave, above=above,
             below=below, within=int(has.sum()) - above - below,
             missing=int(np.isnan(own).sum()))
    if prof.suppressed.any():
        text += " " + t("profile.radar.caption.suppressed_some", lang, min_group=sel.min_group,
                        items=", ".join(np.array(prof.labels)[prof.suppressed]))
    return text


@dataclass
class TrendData:
    waves: list[str]
    own: np.ndarray  # float[W] overall score, NaN = none (or not shown: no consent)
    blocks: np.ndarray  # float[W, B]
    peer_median: np.ndarray  # float[W] median overall score of the peers, NaN when suppressed
    peers_with_score: np.ndarray  # int[W]


def trend_data(sel: Selection) -> TrendData:
    """The municipality's overall and block scores per wave and its peers' median overall
    score, from the per-build cached scores (the same numbers as profile.trend, tested)."""
    waves = list(sel.cube.waves)
    n_waves, n_blocks = len(waves), len(sel.cube.blocks)
    own = np.full(n_waves, np.nan)
    blocks = np.full((n_waves, n_blocks), np.nan)
    peer_median = np.full(n_waves, np.nan)
    counts = np.zeros(n_waves, dtype=int)
    for w in range(n_waves):
        overall = per_wave(sel.snap, "overall", w)
        if sel.visible:
            own[w] = overall[sel.target]
            blocks[w] = per_wave(sel.snap, "blocks", w)[sel.target]
        peers = overall[sel.peers]
        known = peers[~np.isnan(peers)]
        if not sel.shown_in(w):
            continue
        counts[w] = len(known)
        if len(known) >= sel.min_group:
            peer_median[w] = np.median(known)
    return TrendData(waves, own, blocks, peer_median, counts)


def trend_frame(sel: Selection, td: TrendData) -> pd.DataFrame:
    """Long table for the CSV: wave, scope (ALL or a block id), score, and for ALL the peers'
    median overall score and how many peers have one."""
    records = []
    for w, wave in enumerate(td.waves):
        records.append({"wave": wave, "scope": "ALL", "score": _round(td.own[w]),
                        "peer_median": _round(td.peer_median[w]),
                        "peers_with_score": int(td.peers_with_score[w])})
        records.extend({"wave": wave, "scope": b, "score": _round(td.blocks[w, k]),
                        "peer_median": None, "peers_with_score": None}
                       for k, b in enumerate(sel.cube.blocks))
    return pd.DataFrame(records)


def _round(x: float) -> float | None:
    return None if np.isnan(x) else round(float(x), 3)


def trend_figure(ctx: AppContext, sel: Selection, td: TrendData, lang: str) -> dict:
    fw = ctx.framework
    traces = []
    waves = td.waves
    if not np.isnan(td.peer_median).all():
        traces.append({"type": "scatter", "mode": "lines+markers", "x": waves,
                       "y": _js(np.round(td.peer_median, 3)), "marker": {"size": 6},
                       "line": {"color": PEER_LINE, "dash": "dash", "width": 2},
                       "name": t("profile.trend.peer_median", lang),
                       "hovertemplate": "%{x}: %{y:.2f}<extra>"
                       + t("profile.trend.peer_median", lang) + "</extra>"})
    if sel.visible:
        series = colours.SERIES
        for k, b in enumerate(fw.blocks):
            values = td.blocks[:, k]
            if not np.isnan(values).all():
                traces.append({"type": "scatter", "mode": "lines+markers", "x": waves,
                               "y": _js(np.round(values, 3)), "visible": "legendonly",
                               "line": {"width": 1.2, "color": series[k % len(series)]},
                               "marker": {"size": 4}, "name": b.name.get(lang),
                               "hovertemplate": "%{x}: %{y:.2f}<extra>" + b.name.get(lang)
                               + "</extra>"})
        if not np.isnan(td.own).all():
            traces.append({"type": "scatter", "mode": "lines+markers", "x": waves,
                           "y": _js(np.round(td.own, 3)), "line": {"color": OWN, "width": 3},
                           "marker": {"size": 8},
                           "name": t("profile.trend.overall", lang, name=sel.name),
                           "hovertemplate": "%{x}: %{y:.2f}<extra>" + sel.name + "</extra>"})
    return _figure_dict(traces, 440, showlegend=True,
                        xaxis={"type": "category", "gridcolor": colours.GRID_STRONG, "automargin": True},
                        yaxis={"range": [0, 4], "tickvals": [0, 1, 2, 3, 4],
                               "gridcolor": colours.GRID_STRONG,
                               "title": {"text": t("profile.trend.axis", lang),
                                         "font": {"size": 11}}},
                        margin={"l": 50, "r": 10, "t": 10, "b": 30},
                        legend={"orientation": "h", "y": -0.12, "x": 0, "yanchor": "top",
                                "font": {"size": 10}})


def _score_text(value, lang: str) -> str:
    if value is None or np.isnan(value):
        return t("profile.trend.noscore", lang)
    return _num(float(value), lang, 1)


def trend_caption(sel: Selection, td: TrendData, lang: str) -> str:
    parts = []
    if sel.visible and not np.isnan(td.own).all():
        series = " → ".join(f"{_score_text(s, lang)} ({w})"
                            for w, s in zip(td.waves, td.own, strict=True))
        parts.append(t("profile.trend.caption.own", lang, name=sel.name, series=series))
    if not np.isnan(td.peer_median).all():
        series = " → ".join(f"{_score_text(s, lang)} ({w})"
                            for w, s in zip(td.waves, td.peer_median, strict=True))
        parts.append(t("profile.trend.caption.peers", lang, series=series))
    return " ".join(parts) or t("profile.trend.caption.none", lang)


# ------------------------------------------------------------------ callback bodies


def _no_selection(ctx: AppContext, m: str | None, lang: str):
    """The status for a missing or unknown municipality (None when a selection is possible)."""
    snap = ctx.warehouse.snapshot()
    if snap is None:
        return dbc.Alert(t("profile.empty.nothing.body", lang), color="info")
    if not m:
        return dbc.Alert(t("profile.empty.pick", lang), color="info")
    return dbc.Alert(t("profile.notice.unknown", lang, id=m), color="warning")


def update_status(ctx: AppContext, m, wave, peers, custom, lang):
    lang = normalise_lang(lang)
    sel = select(ctx, m, wave, peers, custom)
    if sel is None:
        return _no_selection(ctx, m, lang)
    ref = ctx.municipalities
    row = sel.target
    alt = ref["name_alt"].iat[row]
    pop = ref["population"].iat[row]
    facts = [f"{country_name(ctx, ref['country'].iat[row], lang)}",
             f"{ref['national_code'].iat[row]}",
             f"{nuts_names(ctx.settings.reference_dir).get(ref['nuts2'].iat[row], '')} "
             f"({ref['nuts2'].iat[row]})"]
    if not pd.isna(pop):
        facts.append(t("profile.facts.population", lang, n=_num(int(pop), lang),
                       year=int(ref["population_year"].iat[row])))
    out = [html.H2([sel.name, html.Small(f" / {alt}", className="text-body-secondary")
                    if isinstance(alt, str) and alt else None], className="h4 mb-0"),
           html.P(" · ".join(facts), className="small text-body-secondary mb-1"),
           html.P([html.Strong(t("profile.peers.heading", lang) + " "),
                   peer_group_text(ctx, sel, lang)], className="mb-2")]
    alerts = []
    if not sel.visible:
        alerts.append(("info", t("profile.consent.hidden", lang, name=sel.name)))
    elif sel.wave not in (done := waves_answered(sel)):
        if done:
            alerts.append(("warning", t("profile.empty.noanswer", lang, name=sel.name,
                                        wave=sel.wave, waves=", ".join(done))))
        else:
            alerts.append(("warning", t("profile.empty.never", lang, name=sel.name)))
    if not answered(sel).any():
        alerts.append(("warning", t("profile.empty.wave", lang, wave=sel.wave)))
    k = int((sel.peers & answered(sel)).sum())
    if sel.left_out:
        alerts.append(("info", t("profile.peers.left_out", lang, k=sel.left_out)))
    if sel.kind == "custom" and not sel.peers.any():
        if not sel.left_out:
            alerts.append(("info", t("profile.empty.custom", lang)))
    elif k < sel.min_group:
        alerts.append(("warning", t("profile.empty.small", lang, n=k, wave=sel.wave,
                                    min_group=sel.min_group)))
    elif not sel.shown_in(sel.w):
        alerts.append(("warning", t("profile.peers.withheld", lang, wave=sel.wave)))
    out.extend(dbc.Alert(text, color=color, className="py-2 mb-2") for color, text in alerts)
    return html.Div(out, className="mb-3")


def update_radar(ctx: AppContext, m, wave, view, peers, custom, lang):
    lang = normalise_lang(lang)
    sel = select(ctx, m, wave, peers, custom)
    if sel is None:
        return empty_figure(t("profile.empty.pick.short", lang)), ""
    view = view if view in VIEWS else DEFAULT_VIEW
    data = radar_data(ctx, sel, view, lang)
    return radar_figure(data, sel, lang), radar_caption(data, sel, view, lang)


def update_distribution(ctx: AppContext, m, wave, peers, custom, lang):
    lang = normalise_lang(lang)
    sel = select(ctx, m, wave, peers, custom)
    if sel is None:
        return empty_figure(t("profile.empty.pick.short", lang)), ""
    prof, counts = distribution_frame(sel)
    return (distribution_figure(ctx, sel, prof, counts, lang),
            distribution_caption(sel, prof, lang))


def update_trend(ctx: AppContext, m, peers, custom, lang):
    lang = normalise_lang(lang)
    sel = select(ctx, m, None, peers, custom)
    if sel is None:
        return empty_figure(t("profile.empty.pick.short", lang)), ""
    if len(sel.cube.waves) < 2:
        return (empty_figure(t("profile.trend.one", lang, wave=sel.cube.waves[0])),
                t("profile.trend.one", lang, wave=sel.cube.waves[0]))
    td = trend_data(sel)
    return trend_figure(ctx, sel, td, lang), trend_caption(sel, td, lang)


_DISAGREE: dict[tuple[str, str], tuple[pd.DataFrame, np.ndarray]] = {}


def disagreements(snap: Snapshot, wave: str) -> tuple[pd.DataFrame, np.ndarray]:
    """All disagreements of a wave (queries/profile_levels.sql), sorted by municipality, with
    their ids as a sorted str array to binary-search, read once per build and wave (about
    60 ms at EU scale, then O(log n)). Text columns are Arrow strings and the ids fixed-width:
    no Python object per row, so gunicorn's workers share the master's copy (warmup.py)."""
    key = (snap.build_id, wave)
    hit = _DISAGREE.get(key)
    if hit is None:
        df = snap.query("profile_levels", wave=wave)
        ids = np.char.encode(df["municipality_id"].to_numpy(dtype=str), "utf-8")
        order = np.argsort(ids, kind="stable")
        df = df.iloc[order].reset_index(drop=True).astype(
            {"municipality_id": "string[pyarrow]", "element_id": "string[pyarrow]"})
        hit = (df, ids[order])
        with _LOCK:
            if any(k[0] != snap.build_id for k in _DISAGREE):
                _DISAGREE.clear()
            _DISAGREE[key] = hit
    return hit


def agreement_rows(ctx: AppContext, sel: Selection) -> pd.DataFrame:
    """Elements where this municipality's respondents differ by 2+ levels, framework order."""
    df, ids = disagreements(sel.snap, sel.wave)
    mid = str(sel.cube.municipality_ids[sel.target]).encode("utf-8")
    rows = df.iloc[np.searchsorted(ids, mid, "left"):np.searchsorted(ids, mid, "right")]
    order = {e: i for i, e in enumerate(sel.cube.element_ids)}
    return rows.iloc[np.argsort(rows["element_id"].map(order).to_numpy(), kind="stable")]


def update_agreement(ctx: AppContext, m, wave, lang):
    lang = normalise_lang(lang)
    sel = select(ctx, m, wave, None, None)
    if sel is None:
        return None
    if not sel.visible:
        return html.P(t("profile.agree.hidden", lang, name=sel.name), className="mb-0")
    if sel.wave not in waves_answered(sel):
        return html.P(t("profile.agree.noanswer", lang, name=sel.name, wave=sel.wave),
                      className="mb-0")
    df = agreement_rows(ctx, sel)
    if df.empty:
        return html.P(t("profile.agree.none", lang, name=sel.name, wave=sel.wave),
                      className="mb-0")
    fw = ctx.framework
    items = [html.Li([
        html.Span(r.element_id, className="el-id"), " ",
        html.A(fw.element_by_id[r.element_id].name.get(lang),
               href=f"/knowledge?element={r.element_id}"),
        html.Br(),
        html.Span(t("profile.agree.item", lang, low=int(r.level_min), high=int(r.level_max),
                    n=int(r.n_respondents), level=_level(float(r.level), lang)),
                  className="small text-body-secondary"),
    ], className="mb-2") for r in df.itertuples()]
    count_key = "profile.agree.count.one" if len(df) == 1 else "profile.agree.count"
    return [html.P(t(count_key, lang, n=len(df), name=sel.name, wave=sel.wave),
                   className="mb-2"),
            html.Ul(items, className="list-unstyled mb-0 agree-list")]


def context_frame(ctx: AppContext, sel: Selection, lang: str) -> pd.DataFrame | None:
    """The benchmark's measures for this municipality beside the related self-assessed element
    (None when the municipality was not assessed)."""
    data = egov(ctx)
    mid = str(sel.cube.municipality_ids[sel.target])
    if not data.has(mid):
        return None
    scores = data.scores(mid, str(ctx.municipalities["country"].iat[sel.target]))
    prof, _ = element_stats(sel)
    pos = {e: i for i, e in enumerate(prof.labels)}
    rel = [pos[e] for e in scores["related_element"]]
    scores["own_level"] = prof.own[rel] if sel.visible else np.nan
    scores["peer_median"] = prof.median[rel]
    scores["measure_name"] = [t(f"profile.context.measure.{k}", lang) for k in scores["measure"]]
    return scores


def update_context(ctx: AppContext, m, wave, peers, custom, lang):
    lang = normalise_lang(lang)
    sel = select(ctx, m, wave, peers, custom)
    if sel is None:
        return None
    df = context_frame(ctx, sel, lang)
    if df is None:
        return html.P(t("profile.context.absent", lang, name=sel.name,
                        n=len(egov(ctx).municipalities())), className="small mb-2")
    fw = ctx.framework
    country = country_name(ctx, str(ctx.municipalities["country"].iat[sel.target]), lang)

    def pct(x):
        return "–" if pd.isna(x) else f"{_num(100 * x, lang)}%"

    head = html.Thead(html.Tr([
        html.Th(t("profile.context.col.measure", lang), scope="col"),
        html.Th(sel.name, scope="col", className="text-end"),
        html.Th(t("profile.context.col.country", lang, country=country), scope="col",
                className="text-end"),
    ]))
    rows = []
    for r in df.itertuples():
        el = fw.element_by_id[r.related_element]
        median = "" if pd.isna(r.peer_median) else " " + t(
            "profile.context.self.median", lang, median=_level(r.peer_median, lang))
        own = (t("profile.context.self", lang, level=_level(r.own_level, lang)) if sel.visible
               else t("profile.context.self.hidden", lang))
        self_text = own + median
        rows.append(html.Tr([
            html.Th([r.measure_name, html.Br(),
                     html.Span([t("profile.context.col.self", lang), " ",
                                html.Span(el.id, className="el-id", title=el.name.get(lang)),
                                " ", self_text], className="small text-body-secondary fw-normal")],
                    scope="row", className="fw-normal"),
            html.Td([html.Strong(pct(r.share)), html.Br(),
                     html.Span(f"{r.yes}/{r.answers}", className="small text-body-secondary")],
                    className="text-end text-nowrap"),
            html.Td(pct(r.country_share), className="text-end"),
        ]))
    providers = egov(ctx).providers(str(sel.cube.municipality_ids[sel.target]))
    return [
        dbc.Badge(t("profile.context.badge", lang), color="light", text_color="dark",
                  className="mb-2 context-badge text-wrap text-start"),
        dbc.Table([head, html.Tbody(rows)], size="sm", responsive=True, className="mb-1",
                  striped=True),
        html.P(t("profile.context.note", lang, services=int(df["services"].iat[0]),
                 providers=", ".join(providers)), className="small mb-1"),
        html.P(t("profile.context.source", lang), className="small text-body-secondary mb-2"),
    ]


def context_button_style(ctx: AppContext, m: str | None) -> dict:
    """The benchmark's download control only where there is something to download."""
    return {} if m and egov(ctx).has(m) else {"display": "none"}


# ------------------------------------------------------------------ downloads


def radar_csv(ctx: AppContext, m, wave, view, peers, custom, lang) -> pd.DataFrame | None:
    lang = normalise_lang(lang)
    sel = select(ctx, m, wave, peers, custom)
    if sel is None:
        return None
    view = view if view in VIEWS else DEFAULT_VIEW
    data = radar_data(ctx, sel, view, lang)
    df = pd.DataFrame(data.profile.rows())
    df.insert(1, "name", data.names)
    return _labelled(df, sel, m)


def distribution_csv(ctx: AppContext, m, wave, peers, custom, lang) -> pd.DataFrame | None:
    lang = normalise_lang(lang)
    sel = select(ctx, m, wave, peers, custom)
    if sel is None:
        return None
    prof, counts = distribution_frame(sel)
    df = pd.DataFrame(prof.rows())
    df.insert(1, "name", [ctx.framework.element_by_id[e].name.get(lang) for e in prof.labels])
    for k in range(5):
        df[f"peers_at_level_{k}"] = np.where(prof.suppressed, None, counts[:, k])
    return _labelled(df, sel, m)


def _labelled(df: pd.DataFrame, sel: Selection, m) -> pd.DataFrame:
    """A profile table as downloaded: who, which wave and peer group; the municipality's own
    values blanked unless it may be shown by name."""
    if not sel.visible:
        df["own"] = None
        df["percentile"] = None
    df.insert(0, "peer_group", sel.kind)
    df.insert(0, "wave", sel.wave)
    df.insert(0, "municipality_id", m)
    return df


def trend_csv(ctx: AppContext, m, peers, custom, lang) -> pd.DataFrame | None:
    sel = select(ctx, m, None, peers, custom)
    if sel is None:
        return None
    df = trend_frame(sel, trend_data(sel))
    df.insert(0, "peer_group", sel.kind)
    df.insert(0, "municipality_id", m)
    return df


def context_csv(ctx: AppContext, m, wave, peers, custom, lang) -> pd.DataFrame | None:
    lang = normalise_lang(lang)
    sel = select(ctx, m, wave, peers, custom)
    if sel is None:
        return None
    df = context_frame(ctx, sel, lang)
    if df is None:
        return None
    df.insert(0, "municipality_id", m)
    df["source"] = "European Commission, eGovernment Benchmark 2023 (CC BY 4.0)"
    return df


def _send(df: pd.DataFrame | None, name: str, fmt: str = "csv"):
    if df is None:
        raise PreventUpdate
    return table_download(df, name, fmt)


def download(ctx: AppContext, kind: str, m, wave, view, peers, custom, lang,
             fmt: str = "csv") -> dict:
    """One of the page's tables (`kind`: radar, distribution, trend, context) as a dcc.Download
    file in `fmt`; PreventUpdate where there is nothing to download."""
    if kind == "radar":
        return _send(radar_csv(ctx, m, wave, view, peers, custom, lang),
                     _filename(view or DEFAULT_VIEW, m, wave), fmt)
    if kind == "distribution":
        return _send(distribution_csv(ctx, m, wave, peers, custom, lang),
                     _filename("distribution", m, wave), fmt)
    if kind == "trend":
        return _send(trend_csv(ctx, m, peers, custom, lang), _filename("trend", m), fmt)
    if kind == "context":
        return _send(context_csv(ctx, m, wave, peers, custom, lang),
                     _filename("egov-benchmark", m), fmt)
    raise PreventUpdate


def _filename(kind: str, m, wave=None) -> str:
    return f"ds4e-profile-{kind}-{m}" + (f"-{wave}" if wave else "") + ".csv"


# ------------------------------------------------------------------ callbacks


def register(app, ctx: AppContext) -> None:
    # The search index and the benchmark mapping are built before the first request (about
    # 1-2 s together), so the first keystroke does not wait for them; dashboard/warmup.py
    # says when (in gunicorn's master, shared by the workers).
    warmup.add(app.server, _warm)

    selection = [Input(PICKER, "value"), Input(WAVE, "value"), Input(PEERS, "value"),
                 Input(CUSTOM, "value")]

    @app.callback(Output(PICKER, "options"), Input(PICKER, "search_value"),
                  State(PICKER, "value"), prevent_initial_call=True)
    def _picker_options(search, value):
        return search_options(ctx, search, value)

    @app.callback(Output(CUSTOM, "options"), Input(CUSTOM, "search_value"),
                  State(CUSTOM, "value"), prevent_initial_call=True)
    def _custom_options(search, value):
        return search_options(ctx, search, value)

    @app.callback(Output(CUSTOM_BOX, "style"), Input(PEERS, "value"))
    def _custom_box(peers):
        return custom_style(peers)

    @app.callback(Output(ids.URL, "search", allow_duplicate=True), Input(PICKER, "value"),
                  Input(WAVE, "value"), Input(VIEW, "value"), Input(PEERS, "value"),
                  Input(CUSTOM, "value"), prevent_initial_call=True)
    def _url(m, wave, view, peers, custom):
        return state_from_controls(m, wave, view, peers, custom).query()

    @app.callback(Output(STATUS, "children"), *selection, State(ids.LANG, "value"))
    def _status(m, wave, peers, custom, lang):
        return update_status(ctx, m, wave, peers, custom, lang)

    @app.callback(Output(RADAR, "figure"), Output(RADAR_CAPTION, "children"),
                  Input(PICKER, "value"), Input(WAVE, "value"), Input(VIEW, "value"),
                  Input(PEERS, "value"), Input(CUSTOM, "value"), State(ids.LANG, "value"))
    def _radar(m, wave, view, peers, custom, lang):
        return update_radar(ctx, m, wave, view, peers, custom, lang)

    @app.callback(Output(DIST, "figure"), Output(DIST_CAPTION, "children"), *selection,
                  State(ids.LANG, "value"))
    def _distribution(m, wave, peers, custom, lang):
        return update_distribution(ctx, m, wave, peers, custom, lang)

    @app.callback(Output(TREND, "figure"), Output(TREND_CAPTION, "children"),
                  Input(PICKER, "value"), Input(PEERS, "value"), Input(CUSTOM, "value"),
                  State(ids.LANG, "value"))
    def _trend(m, peers, custom, lang):
        return update_trend(ctx, m, peers, custom, lang)

    @app.callback(Output(AGREEMENT, "children"), Input(PICKER, "value"), Input(WAVE, "value"),
                  State(ids.LANG, "value"))
    def _agreement(m, wave, lang):
        return update_agreement(ctx, m, wave, lang)

    @app.callback(Output(CONTEXT, "children"), Output(group_id(CONTEXT_CSV_BUTTON), "style"),
                  *selection, State(ids.LANG, "value"))
    def _context(m, wave, peers, custom, lang):
        children = update_context(ctx, m, wave, peers, custom, lang)
        return children, context_button_style(ctx, m)

    state = [State(PICKER, "value"), State(WAVE, "value"), State(PEERS, "value"),
             State(CUSTOM, "value"), State(ids.LANG, "value")]

    for kind, button, target in DOWNLOADS:
        _register_download(app, ctx, kind, button, target, state)


def _register_download(app, ctx: AppContext, kind: str, button: str, target: str,
                       state: list) -> None:
    @app.callback(Output(target, "data"), *download_inputs(button), State(VIEW, "value"), *state,
                  prevent_initial_call=True)
    def _download_file(_csv, _xlsx, _parquet, view, m, wave, peers, custom, lang):
        return download(ctx, kind, m, wave, view, peers, custom, lang,
                        chosen_format(callback_context.triggered_id, button))


def _warm(ctx: AppContext) -> None:
    try:
        search_index(ctx)
        egov(ctx)
        snap = ctx.warehouse.snapshot()
        if snap is not None:
            for w, wave in enumerate(snap.waves):
                for what in ("answered", "blocks", "overall"):
                    per_wave(snap, what, w)
                disagreements(snap, wave)
    except Exception:  # a failed warm-up is redone by the first request, but never hidden
        LOG.exception("warm-up of %s failed", __name__)

