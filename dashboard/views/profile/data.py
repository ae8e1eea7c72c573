"""The profile's numbers: one municipality, one wave, one peer group (pure: no Dash).

`select` turns the page's controls into a `Selection`: the municipality's row in the level cube,
the wave, and the peer group as a mask over all municipalities (pipelines/maturity/peers.py).
A country, region or size group is an area of the disclosure hierarchy: its statistics are the
whole area's (the municipality itself included) and shown only where the published pattern
allows it; a hand-picked group counts only municipalities whose results are public.

From a selection: the element and block profiles against the peers (radar and distribution
per element), and the trend over waves. Speed at EU scale (98,584 municipalities; the worst
peer group is France's ~35,000 communes): everything that does not depend on the chosen
municipality is computed once per published build and kept in this process: block and overall
scores per wave, each group's level counts and sorted block scores (a member's peers are its
group minus itself, pipelines/maturity/distribution.py). A callback then only masks, subtracts
and formats.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, replace

import numpy as np
import pandas as pd

from dashboard.context import AppContext
from dashboard.store import Snapshot
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

_LOCK = threading.Lock()


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
    target = row_of(cube, m)
    if target is None:
        return None
    wave = wave if wave in snap.waves else snap.waves[-1]
    kind = peers if peers in PEER_KINDS else DEFAULT_PEERS
    rows = [r for r in (row_of(cube, c) for c in (custom or ())) if r is not None]
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


def row_of(cube, municipality_id: str) -> int | None:
    """The municipality's row in the level cube (None for an unknown id)."""
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


def own_scores(snap: Snapshot, row: int, w: int) -> tuple[float, np.ndarray]:
    """One municipality's overall score and block scores (float[B], NaN where under half the
    elements are known) in wave w, read from the per-build whole-cube scores: the numbers the
    radar's block view, the trend and the API's /municipalities/{id} `scores` show."""
    return per_wave(snap, "overall", w)[row], per_wave(snap, "blocks", w)[row]


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
    """The waves in which the selected municipality has at least one level."""
    known = (sel.cube.levels[:, sel.target] != -1).any(axis=1)
    return [w for w, k in zip(sel.cube.waves, known, strict=True) if k]


# ------------------------------------------------------------------ radar and distribution


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
    return RadarData(prof, [wrapped(n) for n in names], names)


def wrapped(name: str, width: int = 15) -> str:
    """A label wrapped onto lines of about `width` characters (plotly's <br>), '&' kept with the
    word before it: the radar's block names, the distribution's element names."""
    lines, line = [], ""
    for word in name.replace(" & ", "\u00a0& ").split(" "):
        if line and len(line) + 1 + len(word) > width:
            lines.append(line)
            line = word
        else:
            line = f"{line} {word}".strip()
    return "<br>".join([*lines, line])


def distribution_frame(sel: Selection) -> tuple[Profile, np.ndarray]:
    """The per-element distribution: the element profile and the peers' count per level."""
    return element_stats(sel)


# ------------------------------------------------------------------ trend over the waves


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
            own[w], blocks[w] = own_scores(sel.snap, sel.target, w)
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
