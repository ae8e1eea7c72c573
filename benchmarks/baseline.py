"""Issue 20's pandas baseline: each hot path of the app beside a straightforward pandas
implementation of the same query on the same published build, with a check that both give the
same answer (so a ratio never compares two different things).

`hot_paths(data_dir)` opens the build as the app does (AppContext, Warehouse snapshot) and reads
it into DataFrames once for pandas (benchmarks/baseline_pandas.py, baseline_engines.py); each
HotPath's `ours(i)` and `pandas(i)` answer the i-th of a seeded series of varied inputs
(municipalities, peer groups, countries, regions, waves, horizons) and `same(a, b)` raises an
AssertionError naming what differs. Load times are returned apart from the per-call times.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from benchmarks import baseline_engines as engines
from benchmarks import baseline_pandas as frames
from benchmarks.baseline_checks import (
    same_aggregates,
    same_detail,
    same_heatmap,
    same_radar,
    same_readiness,
    same_roadmap,
)
from dashboard.aggregates_index import aggregates_index
from dashboard.detail_index import detail_index


@dataclass(frozen=True)
class HotPath:
    name: str  # e.g. "radar with peer quartiles"
    ours: Callable[[int], object]  # the i-th varied input -> the app's answer
    pandas: Callable[[int], object]  # the same input, straightforward pandas -> same answer
    same: Callable[[object, object], None]  # raises AssertionError naming what differs
    calls: int  # a sensible number of timed calls at this size


PEER_KINDS = ("country_size", "nuts2", "country")
HORIZONS = (None, 0, 365)  # every deadline (the default), due today, due within a year


def _app(data_dir: Path):
    from dashboard.config import Settings
    from dashboard.context import AppContext

    ctx = AppContext.load(Settings.from_env({"DS4E_DATA_DIR": str(data_dir)}))
    snap = ctx.warehouse.snapshot()
    if snap is None:
        raise ValueError(f"nothing is published in {data_dir}")
    return ctx, snap


def hot_paths(data_dir: Path, seed: int = 0) -> tuple[list[HotPath], dict[str, float]]:
    """The six hot paths on the published build in data_dir; the dict has load times in seconds
    ({"ours load": s, "pandas load": s}), which are not part of the per-call times."""
    started = time.perf_counter()
    ctx, snap = _app(Path(data_dir))
    cube = snap.maturity
    # what the first request of a warm server finds ready (gunicorn's master warms them)
    _ = snap.consent, snap.disclosure, detail_index(snap), aggregates_index(snap)
    ours_load = time.perf_counter() - started
    started = time.perf_counter()
    t = frames.Tables.load(snap.path, ctx.settings.reference_dir / "municipalities.parquet",
                           ctx.framework, visibility=ctx.settings.visibility,
                           min_group=ctx.settings.min_group)
    pandas_load = time.perf_counter() - started
    rng = np.random.default_rng(seed)
    large = cube.levels.shape[1] > 20_000 and (cube.levels[-1] != -1).any(axis=1).sum() > 2_000
    # at EU size a pandas call over millions of rows takes seconds: fewer calls keep the six
    # paths within about three minutes
    calls = 30 if large else 40
    paths = [
        _radar(ctx, snap, t, rng, calls),
        _heatmap(ctx, snap, t, rng, calls),
        _aggregates(ctx, snap, t, rng, 15 if large else 40),
        _detail(ctx, snap, t, rng, calls),
    ]
    engine_paths, engine_load = _engines(ctx, snap, t)
    return [*paths, *engine_paths], {"ours load": ours_load,
                                     "pandas load": pandas_load + engine_load}


def _answering(snap, rng, n: int, consenting: bool = False) -> list[tuple[str, str]]:
    """n (municipality id, wave) pairs of municipalities with levels in that wave, drawn with
    `rng` (with consent to publication by name when asked)."""
    cube = snap.maturity
    out = []
    for w, wave in enumerate(cube.waves):
        ok = (cube.levels[w] != -1).any(axis=1)
        if consenting:
            ok &= snap.consent
        rows = np.flatnonzero(ok)
        if len(rows):
            out += [(str(cube.municipality_ids[r]), wave)
                    for r in rng.choice(rows, size=min(n, len(rows)), replace=False)]
    rng.shuffle(out)
    if not out:
        raise ValueError("no municipality answered in this build")
    return out


def _radar(ctx, snap, t, rng, calls: int) -> HotPath:
    """The profile's radar (element and block view) of a municipality against its country x
    size, NUTS 2 or country peers, as the page's callback computes it (per-group caches
    included: that is the app's path)."""
    from dashboard.views.profile.data import block_profile_fast, element_stats, select

    picks = _answering(snap, rng, 40)

    def arg(i):
        mid, wave = picks[i % len(picks)]
        return mid, wave, PEER_KINDS[i % len(PEER_KINDS)]

    def ours(i):
        mid, wave, kind = arg(i)
        sel = select(ctx, mid, wave, kind, None)
        return {"elements": element_stats(sel)[0], "blocks": block_profile_fast(sel)}

    return HotPath("radar with peer quartiles", ours, lambda i: frames.radar(t, *arg(i)),
                   same_radar, calls=calls)


def _heatmap(ctx, snap, t, rng, calls: int) -> HotPath:
    """The municipality heatmap of one NUTS 2 region in one wave, sorted by overall maturity or
    by an element (regions small enough to show municipalities; the regional grid reads the
    aggregates, which the next hot path covers)."""
    from dashboard.views.heatmap.data import MUNICIPALITIES, ViewState, compute_view

    ref = ctx.municipalities
    cube = snap.maturity
    regions = ref[["country", "nuts2"]].dropna().drop_duplicates().to_numpy().tolist()
    rng.shuffle(regions)
    states = []
    sorts = ["overall", *cube.element_ids[::7]]
    for country, nuts2 in regions:
        for wave in snap.waves:
            state = ViewState(country, nuts2, None, wave, sorts[len(states) % len(sorts)],
                              MUNICIPALITIES, None)
            view = compute_view(ctx, snap, state, "en")
            if view.mode == MUNICIPALITIES and not view.switched:
                states.append(state)
        if len(states) >= 40:
            break
    if not states:
        raise ValueError("no region small enough for the municipality heatmap")

    def ours(i):
        view = compute_view(ctx, snap, states[i % len(states)], "en")
        g = view.grid
        return {"columns": cube.municipality_ids[g.columns].tolist(),
                "rows": [cube.element_ids[r] for r in g.rows], "z": g.z, "overall": g.overall}

    def pandas(i):
        s = states[i % len(states)]
        return frames.heatmap(t, s.country, s.nuts2, s.wave, s.sort)

    return HotPath("heatmap grid", ours, pandas, same_heatmap, calls=calls)


def _aggregates(ctx, snap, t, rng, calls: int) -> HotPath:
    """GET /api/v1/aggregates' answer (dashboard/aggregates_index.py): every NUTS 2, NUTS 3 or
    size class of a country in one wave, for every element, block and overall (area names and
    JSON left out on both sides). The app reads the build's precomputed mart through the
    disclosure view (once per build, then in memory); pandas computes
    the same statistics from the levels and scores and applies the published pattern."""
    from dashboard.views.maps.data import min_group as shown_min_group

    cube = snap.maturity
    attrs = ctx.attributes
    answered = np.bincount(attrs.country[(cube.levels[-1] != -1).any(axis=1)],
                           minlength=len(attrs.country_labels))
    countries = attrs.country_labels[answered > 0].tolist()
    rng.shuffle(countries)
    measures = [*cube.element_ids, "ALL", *cube.blocks]
    queries = [(wave, area_type, country)
               for country in countries for area_type in ("nuts2", "country_size", "nuts3")
               for wave in snap.waves][:60]
    rng.shuffle(queries)
    min_group = shown_min_group(ctx, snap)

    def ours(i):
        wave, area_type, country = queries[i % len(queries)]
        return aggregates_index(snap).frame(wave=wave, area_type=area_type, measures=measures,
                                            country=country, min_group=min_group)

    def pandas(i):
        wave, area_type, country = queries[i % len(queries)]
        return frames.aggregates(t, wave, area_type, measures, country)

    return HotPath("aggregates for a partition", ours, pandas, same_aggregates, calls=calls)


def _detail(ctx, snap, t, rng, calls: int) -> HotPath:
    """GET /api/v1/municipalities/{id}'s record of a consenting municipality (the default wave
    or the one asked for), without the reference fields and JSON."""
    from dashboard.api_insight import municipality_detail

    picks = _answering(snap, rng, 40, consenting=True)
    cube = snap.maturity

    def arg(i):
        mid, wave = picks[i % len(picks)]
        return mid, (None if i % 2 else wave)  # the default wave, or the one asked for

    def ours(i):
        mid, wave = arg(i)
        return municipality_detail(snap, mid, cube.index_of(mid), wave)

    return HotPath("one municipality's record", ours, lambda i: frames.detail(t, *arg(i)),
                   same_detail, calls=calls)


def _engines(ctx, snap, t) -> tuple[list[HotPath], float]:
    """The build's roadmap step (every municipality, one wave, law urgency and peer proof as
    the build sets them) and legal readiness of every municipality for every law (one wave,
    one horizon) as the Legislation tab and the build compute it. The law requirements are
    resolved once for both sides (benchmarks/baseline_engines.py says why); the second value
    is the time the pandas side needs to tabulate them (part of its load)."""
    from dashboard.laws import inputs as readiness_inputs_of
    from pipelines.maturity.readiness import (
        condition_profiles,
        population_readiness,
        resolve_population,
    )
    from pipelines.maturity.roadmap import DEFAULT_HORIZON_YEARS, DEFAULT_WEIGHTS
    from pipelines.roadmap_build import (
        PER_PHASE,
        PHASES,
        compute,
        law_profiles,
        withheld_peer_groups,
    )

    cube = snap.maturity
    fw = ctx.framework
    attrs = ctx.attributes
    ref = ctx.municipalities
    population = pd.to_numeric(ref["population"], errors="coerce").to_numpy(dtype=float)
    stored = snap.roadmaps
    at = stored.evaluation_date if stored is not None else dt.date.today()
    laws = law_profiles(fw, at, attrs, population)
    withheld = {wave: withheld_peer_groups(snap.path, wave, attrs) for wave in cube.waves}
    inputs = readiness_inputs_of(ctx)
    table = resolve_population(inputs, attrs.country_labels[attrs.country], population)
    ids = pd.Index(cube.municipality_ids.astype(str), name="municipality_id")
    waves = list(reversed(cube.waves))  # the latest first: what the build and the tab use

    started = time.perf_counter()
    d = pd.read_parquet(snap.path / "disclosure.parquet").rename(
        columns={"publish_consent": "publish"})
    road_in = engines.roadmap_inputs(laws, t.reference.loc[ids], d, t.element_ids,
                                     DEFAULT_WEIGHTS.normalised(), DEFAULT_HORIZON_YEARS,
                                     ctx.settings.min_group)
    profiles = condition_profiles(inputs, table)
    requirements = engines.requirement_table(inputs, profiles)
    profile = pd.Series(profiles.index, index=ids)
    load = time.perf_counter() - started

    def road_ours(i):
        wave = waves[i % len(waves)]
        levels = np.ascontiguousarray(cube.levels[cube.wave_index(wave)])
        return compute(fw, levels, attrs, at, population=population,
                       min_group=ctx.settings.min_group, laws=laws, withheld=withheld[wave])

    def road_pandas(i):
        wave = waves[i % len(waves)]
        wide = engines.wide_levels(t.levels, wave, ids, t.element_ids)
        return engines.roadmap(road_in, t.matrix, wide, wave, steps=PHASES * PER_PHASE)

    def ready_arg(i):
        return waves[(i // len(HORIZONS)) % len(waves)], HORIZONS[i % len(HORIZONS)]

    def ready_ours(i):
        wave, horizon = ready_arg(i)
        levels = np.ascontiguousarray(cube.levels[cube.wave_index(wave)])
        return population_readiness(inputs, levels, table, at=at, horizon_days=horizon)

    def ready_pandas(i):
        wave, horizon = ready_arg(i)
        cutoff = dt.date.max if horizon is None else at + dt.timedelta(days=horizon)
        lv = t.levels[(t.levels["wave"] == wave) & t.levels["level"].notna()]
        return engines.readiness(requirements, profile,
                                 lv[["municipality_id", "element_id", "level"]],
                                 list(inputs.law_ids), cutoff.toordinal())

    calls = 3  # the cube holds every municipality of the reference, answering or not
    return [HotPath("roadmap for all municipalities", road_ours, road_pandas,
                    lambda a, b: same_roadmap(a, b, ids), calls=calls),
            HotPath("readiness for all x all laws", ready_ours, ready_pandas,
                    lambda a, b: same_readiness(a, b, ids), calls=calls)], load
