"""The roadmap engine's inputs for one published build: shared by the Roadmap tab and the API,
so both give the same answer for the same municipality, wave and settings.

- model: the framework's enabling matrix (`model_from_framework`), built once per framework;
- evaluation date (law deadlines are counted from it): the date of the latest submission in the
  wave, as the build uses it (pipelines/roadmap_build.py), so a roadmap does not change from one
  day to the next and, for the stored wave, equals the municipality's row of the stored run;
- law requirements: `roadmap_build.law_profiles`, resolved per member state (NIS2 local scope,
  threshold and date, the EUDI wallet date, ...) and population by the legislation-readiness
  engine, one applicability profile per group of municipalities with equal conditions: the same
  requirements as the build, so a stored roadmap and the live one agree;
- peer proof: the other members of the municipality's peer group (same country and size class,
  `pipelines.maturity.peers`), counted once per build and wave per group and the municipality's
  own levels subtracted: the same numbers as `Peers.from_levels` on the group minus itself;
- the population's first-phase steps (the build's settings: default weights, target 3), for
  "who can help": read from the build's stored roadmaps (`Snapshot.roadmaps`, latest wave), or
  for another wave (or a build without them) computed once with the build's own function
  (`roadmap_build.compute`, about 0.4 s at EU scale) and kept in this process.

Everything is keyed by the build id, so a new build is picked up without a restart.
"""

from __future__ import annotations

import datetime as dt
import math
import threading
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from dashboard.context import AppContext
from dashboard.store import Snapshot
from pipelines.maturity.coverage_note import Coverage, coverage
from pipelines.maturity.cube import MISSING
from pipelines.maturity.kickstart import (
    FULL,
    Candidates,
    ElementHelp,
    Geo,
    Profiles,
    who_can_help_indexed,
)
from pipelines.maturity.peers import peer_mask
from pipelines.maturity.roadmap import (
    COMPONENTS,
    DEFAULT_TARGET,
    DEFAULT_WEIGHTS,
    LawProfiles,
    Peers,
    Roadmap,
    RoadmapModel,
    Weights,
    model_from_framework,
    roadmap,
)
from pipelines.maturity.roadmap_population import group_codes
from pipelines.roadmap_build import PEER_GROUP, law_profiles
from pipelines.roadmap_build import compute as build_roadmaps

DEFAULT_PHASES = 3
DEFAULT_PER_PHASE = 3
MAX_PHASES = 10
MAX_PER_PHASE = 10
TARGETS = (1, 2, 3, 4)
PEER_KIND = PEER_GROUP  # "country_size": same country and size class, as the build

_LOCK = threading.RLock()  # re-entrant: a value may be built from other cached values
_CACHE: dict[tuple, object] = {}


def _cached(key: tuple, build):
    """A value per key, built once. Keys are ("build", build id, what, ...) or (what, ...);
    the values of an older build are dropped when one of a new build is made."""
    value = _CACHE.get(key)
    if value is None:
        with _LOCK:
            value = _CACHE.get(key)
            if value is None:
                for k in [k for k in _CACHE if _stale(k, key)]:
                    del _CACHE[k]
                value = _CACHE[key] = build()
    return value


def _stale(old: tuple, new: tuple) -> bool:
    if old[0] == "build" and new[0] == "build":
        return old[1] != new[1]
    return False


# ------------------------------------------------------------------ settings


@dataclass(frozen=True)
class Params:
    """What the user sets: weights, one target level for every element, the size of the
    roadmap and the what-if done marks."""

    weights: Weights = DEFAULT_WEIGHTS
    target: int = DEFAULT_TARGET
    phases: int = DEFAULT_PHASES
    per_phase: int = DEFAULT_PER_PHASE
    done: tuple[str, ...] = ()


def parse_weights(text: str | None) -> Weights:
    """'0.35,0.25,0.25,0.15' (readiness, unlock, urgency, peer) -> Weights; ValueError if not
    four finite numbers >= 0 with a sum above 0."""
    if text is None or not str(text).strip():
        return DEFAULT_WEIGHTS
    parts = [p.strip() for p in str(text).split(",")]
    if len(parts) != len(COMPONENTS):
        raise ValueError(f"expected {len(COMPONENTS)} comma-separated numbers")
    try:
        values = [float(p) for p in parts]
    except ValueError:
        raise ValueError("weights must be numbers") from None
    if not all(math.isfinite(v) and v >= 0 for v in values):
        raise ValueError("weights must be finite numbers >= 0")
    return Weights(*values)  # raises when they sum to 0


def format_weights(w: Weights) -> str:
    """'0.35,0.25,0.25,0.15': the shortest text of each weight."""
    return ",".join(f"{v:g}" for v in w.raw())


# ------------------------------------------------------------------ static inputs


def model(ctx: AppContext) -> RoadmapModel:
    fw = ctx.framework
    return _cached(("model", fw.checksum), lambda: model_from_framework(fw))


def evaluation_date(snap: Snapshot, w: int) -> dt.date:
    """The date of the latest submission in wave `w` (today if the wave has none); for the wave
    of the stored roadmaps, the date they were computed at."""
    stored = snap.roadmaps
    if stored is not None and stored.wave == snap.waves[w]:
        return stored.evaluation_date

    def dates() -> dict[str, dt.date]:
        df = snap.query("roadmap_dates")
        return {str(r.wave): dt.datetime.fromtimestamp(int(r.last_submitted), dt.UTC).date()
                for r in df.itertuples() if r.last_submitted == r.last_submitted}
    return _cached(("build", snap.build_id, "dates"), dates).get(snap.waves[w],
                                                                 dt.date.today())


def population(ctx: AppContext) -> np.ndarray:
    """float64[M] inhabitants per municipality (NaN = unknown), in cube order: member states
    scope some laws by population (NIS2 in Italy above 100,000)."""
    return _cached(("population", str(ctx.settings.reference_dir)),
                   lambda: ctx.municipalities["population"].to_numpy(dtype=np.float64,
                                                                     na_value=np.nan))


def laws(ctx: AppContext, at: dt.date) -> LawProfiles:
    """The framework's required law requirements at `at` per applicability profile, and each
    municipality's profile: the build's `law_profiles`, for the same date."""
    fw = ctx.framework
    return _cached(("laws", fw.checksum, str(ctx.settings.reference_dir), at),
                   lambda: law_profiles(fw, at, ctx.attributes, population(ctx)))


def element_names(ctx: AppContext, lang: str) -> dict[str, str]:
    fw = ctx.framework
    return _cached(("names", fw.checksum, lang),
                   lambda: {e.id: e.name.get(lang) for e in fw.elements})


def law_names(ctx: AppContext, lang: str) -> dict[str, str]:
    """Short law names in `lang` ('NIS2', 'AI Act' / 'AI-verordening') for the explanations."""
    fw = ctx.framework
    return _cached(("laws", fw.checksum, lang),
                   lambda: {law.id: law.short_name(lang) for law in fw.all_laws})


# ------------------------------------------------------------------ levels per wave


def wave_levels(ctx: AppContext, snap: Snapshot, w: int) -> np.ndarray:
    """int8[M, E] levels of a wave in framework element order (a view of the cube when the
    build's element order is the framework's, as it is unless the framework changed since)."""
    cube = snap.maturity
    fw_ids = tuple(ctx.framework.element_ids)
    if cube.element_ids == fw_ids:
        return cube.levels[w]
    return _cached(("build", snap.build_id, "levels", w), lambda: cube.wave_levels(w, fw_ids))


@dataclass(frozen=True)
class _Groups:
    inverse: np.ndarray  # int[M]: group position of each municipality
    size: np.ndarray  # int[G]: members per group
    at_least: np.ndarray  # int32[G, E, 5]: members at level >= l (l = 0..4)
    known: np.ndarray  # int32[G, E]: members with a known level


def _groups(ctx: AppContext, snap: Snapshot, w: int) -> _Groups:
    def build() -> _Groups:
        lv = wave_levels(ctx, snap, w)
        _, inv = np.unique(group_codes(ctx.attributes, PEER_KIND), return_inverse=True)
        g, e = int(inv.max()) + 1, lv.shape[1]
        cell = (inv.astype(np.intp)[:, None] * e + np.arange(e)).reshape(-1)

        def per_group(flags):
            return np.bincount(cell[flags.reshape(-1)], minlength=g * e).reshape(g, e)
        at_least = np.stack([per_group(lv >= lvl) for lvl in range(5)], axis=2).astype(np.int32)
        return _Groups(inv, np.bincount(inv, minlength=g), at_least,
                       per_group(lv != MISSING).astype(np.int32))
    return _cached(("build", snap.build_id, "groups", w), build)


def answered(snap: Snapshot, w: int) -> np.ndarray:
    """bool[M]: at least one known level in wave `w`."""
    return _cached(("build", snap.build_id, "answered", w), lambda: snap.maturity.answered(w))


def profiles(snap: Snapshot, w: int) -> Profiles:
    """Every municipality's building-block scores in wave `w`, for similarity."""
    return _cached(("build", snap.build_id, "profiles", w),
                   lambda: Profiles.from_scores(snap.maturity.block_scores(w)))


def peers(ctx: AppContext, snap: Snapshot, w: int, row: int, target: int = DEFAULT_TARGET
          ) -> Peers:
    """Peer proof for one municipality: its peer group (same country and size class) minus
    itself at the target level or higher, as `Peers.from_levels(levels[peer_mask], targets=
    target)` gives it, from cached group counts."""
    g = _groups(ctx, snap, w)
    own = wave_levels(ctx, snap, w)[row]
    gi = g.inverse[row]
    at_least = Peers.thresholds(target, len(own))
    count = g.at_least[gi][np.arange(len(own)), at_least] - (own >= at_least)
    known = g.known[gi] - (own != MISSING)
    share, suppressed = Peers.shares(count, known, ctx.settings.min_group)
    if not peer_group_published(ctx, snap, w, row):
        share, suppressed = np.zeros_like(share), np.ones_like(suppressed)
    return Peers(share, count, known, suppressed, at_least)


def peer_group_published(ctx: AppContext, snap: Snapshot, w: int, row: int) -> bool:
    """The peer proof counts the rest of the peer group: the group's statistics must be
    publishable under the consent rule (as the build decides for the stored roadmaps), or the
    rest of a small group would give away its members that did not consent."""
    label = ctx.attributes.label(PEER_KIND, row)
    return snap.published(snap.waves[w], PEER_KIND, label, visibility="consent")


def peer_group_size(ctx: AppContext, snap: Snapshot, w: int, row: int) -> int:
    """Members of the municipality's peer group other than itself."""
    g = _groups(ctx, snap, w)
    return int(g.size[g.inverse[row]]) - 1


def peers_slow(ctx: AppContext, snap: Snapshot, w: int, row: int,
               target: int = DEFAULT_TARGET) -> Peers:
    """The same peers from the mask (for tests)."""
    mask = peer_mask(ctx.attributes, row, PEER_KIND)
    out = Peers.from_levels(wave_levels(ctx, snap, w)[mask], ctx.settings.min_group,
                            targets=target)
    if not peer_group_published(ctx, snap, w, row):
        return Peers(np.zeros_like(out.share), out.count, out.known,
                     np.ones_like(out.suppressed), out.at_least)
    return out


# ------------------------------------------------------------------ one municipality


def compute(ctx: AppContext, snap: Snapshot, row: int, w: int, params: Params = Params()
            ) -> Roadmap:
    """The sequenced, explained roadmap of the municipality in cube row `row`, wave `w`."""
    law = laws(ctx, evaluation_date(snap, w))
    return roadmap(model(ctx), wave_levels(ctx, snap, w)[row], targets=params.target,
                   requirements=law.requirements, profile=law.profile(row),
                   peers=peers(ctx, snap, w, row, params.target), weights=params.weights,
                   phases=params.phases, per_phase=params.per_phase, done=params.done)


# ------------------------------------------------------------------ the population


@dataclass(frozen=True)
class FirstPhase:
    steps: np.ndarray  # int16[M, per_phase]: element positions, -1 = none
    answered: np.ndarray  # bool[M]
    stored: bool  # read from the build (True) or computed here


def first_phase(ctx: AppContext, snap: Snapshot, w: int) -> FirstPhase:
    """Every municipality's first-phase steps with the build's settings (default weights,
    target 3, 3 per phase), for "developing it next too"."""
    stored = snap.roadmaps
    if stored is not None and stored.wave == snap.waves[w] \
            and stored.element_ids == model(ctx).element_ids \
            and len(stored.population.answered) == len(snap.maturity.municipality_ids):
        pop = stored.population
        return FirstPhase(pop.first_phase, pop.answered, True)

    def build() -> FirstPhase:
        at = evaluation_date(snap, w)
        pop = build_roadmaps(ctx.framework, wave_levels(ctx, snap, w), ctx.attributes, at,
                             population=population(ctx), min_group=ctx.settings.min_group,
                             laws=laws(ctx, at))
        return FirstPhase(pop.first_phase.copy(), pop.answered, False)
    return _cached(("build", snap.build_id, "first_phase", w), build)


@dataclass(frozen=True)
class TeamTable:
    """Who answered per municipality in one wave, in cube order: numbers and codes, not a
    Python object per municipality (made in gunicorn's master, read by every worker)."""

    respondents: np.ndarray  # int32[M]; -1: no coverage row (nobody answered)
    roles: np.ndarray  # int16[M] into role_texts
    role_texts: tuple[str | None, ...]


def team_table(snap: Snapshot, w: int) -> TeamTable:
    """The coverage mart's respondents and roles of wave `w`, once per build: one query per
    roadmap cost ~20 ms on the EU build."""
    def build() -> TeamTable:
        df = snap.query("roadmap_coverage_wave", wave=snap.waves[w])
        cube = snap.maturity
        respondents = np.full(len(cube.municipality_ids), -1, dtype=np.int32)
        roles = np.zeros(len(cube.municipality_ids), dtype=np.int16)
        texts: dict[str | None, int] = {}
        for mid, n, r in zip(df["municipality_id"], df["n_respondents"], df["roles"],
                             strict=True):
            try:
                row = cube.index_of(mid)
            except KeyError:  # not in the reference table: no roadmap asks for it
                continue
            text = None if pd.isna(r) else str(r)
            respondents[row] = int(n)
            roles[row] = texts.setdefault(text, len(texts))
        return TeamTable(respondents, roles, tuple(texts))
    return _cached(("build", snap.build_id, "team", w), build)


def team_coverage(ctx: AppContext, snap: Snapshot, w: int, row: int) -> Coverage:
    """Who answered for the municipality in wave `w`, and whether that is thin (coverage_note)."""
    table = team_table(snap, w)
    known = int((wave_levels(ctx, snap, w)[row] != MISSING).sum())
    n = len(ctx.framework.element_ids)
    if table.respondents[row] < 0:
        return coverage(0, None, known, n)
    return coverage(int(table.respondents[row]), table.role_texts[table.roles[row]], known, n)


def reference_names(ctx: AppContext) -> list[str]:
    """Municipality names by reference row (a pandas `.iat` per name is ~10 us)."""
    return reference_column(ctx, "name")


def reference_column(ctx: AppContext, column: str) -> list[str]:
    """One reference column as text by row (`str` of each cell, as `.iat` read it): a pandas
    column lookup and `.iat` cost ~0.3 ms per value read in a request at EU scale."""
    return _cached(("reference_column", str(ctx.settings.reference_dir), column),
                   lambda: ctx.municipalities[column].astype(str).tolist())


def shown(ctx: AppContext, snap: Snapshot) -> np.ndarray:
    """bool[M]: who may be named (consent, or everyone in an open deployment)."""
    return np.ones(len(snap.consent), dtype=bool) if ctx.settings.visibility == "open" \
        else snap.consent


def geo(ctx: AppContext) -> Geo:
    """The reference's codes and coordinates for similarity, prepared once."""
    ref = ctx.municipalities
    attrs = ctx.attributes
    return _cached(("geo", str(ctx.settings.reference_dir)), lambda: Geo.of(
        attrs.country, attrs.nuts2, attrs.size_class,
        lon=ref["lon"].to_numpy(dtype=np.float64, na_value=np.nan),
        lat=ref["lat"].to_numpy(dtype=np.float64, na_value=np.nan)))


def candidates(ctx: AppContext, snap: Snapshot, w: int, target: int = DEFAULT_TARGET
               ) -> Candidates:
    """Per element, who can be named as helper or partner in wave `w` (per build, per helper
    level: max(3, target))."""
    need = max(int(target), FULL)
    vis = ctx.settings.visibility

    def build() -> Candidates:
        fp = first_phase(ctx, snap, w)
        return Candidates.of(wave_levels(ctx, snap, w), shown=shown(ctx, snap),
                             answered=answered(snap, w), first_phase=fp.steps,
                             level_target=need, geo=geo(ctx))
    return _cached(("build", snap.build_id, "candidates", w, need, vis), build)


def who_can_help(ctx: AppContext, snap: Snapshot, w: int, row: int, rm: Roadmap,
                 target: int = DEFAULT_TARGET) -> list[ElementHelp]:
    """Helpers and partners for the roadmap's first phase (kickstart.who_can_help): the most
    similar nearby municipalities at a known level of at least the target (3 or more) that may be
    named, and those with the element in their own first phase. Only the build's candidates
    (`candidates`) are scored: the same answer as scoring every municipality (tested)."""
    first = [s.index for s in rm.steps if s.phase == 1]
    if not first:
        return []
    return who_can_help_indexed(wave_levels(ctx, snap, w), first, model(ctx).element_ids, row,
                                geo(ctx), profiles(snap, w), candidates(ctx, snap, w, target),
                                shown=shown(ctx, snap), answered=answered(snap, w))


def indices(ctx: AppContext, ids: Iterable[str]) -> list[int]:
    return model(ctx).indices(ids).tolist()


def warm(ctx: AppContext) -> None:
    """Fill the per-build caches (group counts, first phases) ahead of the first request."""
    snap = ctx.warehouse.snapshot()
    if snap is None:
        return
    model(ctx)
    for w in reversed(range(len(snap.waves))):
        laws(ctx, evaluation_date(snap, w))
        _groups(ctx, snap, w)
        first_phase(ctx, snap, w)
        answered(snap, w)
        profiles(snap, w)
        team_table(snap, w)
        for target in (DEFAULT_TARGET, 4):  # helpers at level 3 (targets 1-3) or 4
            candidates(ctx, snap, w, target)
    geo(ctx)
    for column in ("name", "country", "size_class"):  # read by every answer
        reference_column(ctx, column)
