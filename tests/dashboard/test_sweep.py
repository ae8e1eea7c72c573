"""Every page's main callbacks, called as functions, for every country, NUTS 2 region and size
class (and every region x size class) of the Dutch and Belgian demo builds and a sample of EU
countries, with and without the consent rule: any exception fails. The crashes this would have
caught sat where the demo's usual selections never go (a selection where nobody lacks an
element; a team where everyone said "don't know")."""

from __future__ import annotations

import datetime as dt
import itertools

import numpy as np
import pytest
from dash.exceptions import PreventUpdate

from dashboard.config import Settings
from dashboard.context import AppContext
from dashboard.views.heatmap import callbacks as heatmap_callbacks
from dashboard.views.heatmap import data as heatmap_data
from dashboard.views.legislation import aggregate_card as legislation_aggregate_card
from dashboard.views.legislation import data as ld
from dashboard.views.legislation import data_draft as legislation_data_draft
from dashboard.views.legislation import draft_editor as legislation_draft_editor
from dashboard.views.legislation import ids as legislation_ids
from dashboard.views.legislation import municipality_card as legislation_municipality_card
from dashboard.views.legislation import state as legislation_state
from dashboard.views.maps import callbacks as maps_callbacks
from dashboard.views.maps import data as maps_data
from dashboard.views.maps import ids as maps_ids
from dashboard.views.overview import callbacks as overview_callbacks
from dashboard.views.policy import callbacks as policy_callbacks
from dashboard.views.policy.selection import MEASURES as POLICY_MEASURES
from dashboard.views.profile import callbacks as profile
from dashboard.views.profile import export as profile_export
from dashboard.views.roadmap import callbacks as roadmap_callbacks
from pipelines.maturity.roadmap import DEFAULT_WEIGHTS

EU_SAMPLE = ("CY", "EE", "LU", "MT", "SI")  # small countries: every selection of them is quick
AT = dt.date(2026, 7, 1)


def _build(tmp_path_factory, scope, countries=None, waves=2):
    from pipelines.build import build
    from pipelines.demo_stage import stage_demo
    from pipelines.staging import DataPaths

    data = tmp_path_factory.mktemp(f"sweep-{scope}")
    stage_demo(DataPaths(data).ensure(), scope=scope, waves=waves, seed=13, countries=countries)
    build(data)
    return data


@pytest.fixture(scope="module", params=["nl", "be", "eu-sample"])
def built(request, tmp_path_factory, nl_data_dir):
    if request.param == "nl":
        return nl_data_dir
    if request.param == "be":
        return _build(tmp_path_factory, "be")
    return _build(tmp_path_factory, "eu", EU_SAMPLE)


@pytest.fixture(scope="module", params=["consent", "open"])
def ctx(request, built):
    return AppContext.load(Settings.from_env({"DS4E_DATA_DIR": str(built),
                                              "DS4E_VISIBILITY": request.param}))


def quietly(fn, *args):
    """A callback that may decline to update (PreventUpdate) but must not fail."""
    try:
        return fn(*args)
    except PreventUpdate:
        return None


def _selections(ctx):
    """(country, nuts2, size) of every selection the pages offer for the answering countries."""
    snap = ctx.warehouse.snapshot()
    ref = ctx.municipalities
    answered = snap.maturity.answered(len(snap.waves) - 1)
    countries = sorted(set(ref.loc[answered, "country"]))
    sizes = [None, *sorted(set(ref.loc[answered, "size_class"]))]
    out = [(None, None, s) for s in sizes]
    for c in countries:
        regions = sorted(set(ref.loc[answered & (ref["country"] == c).to_numpy(), "nuts2"]))
        out += [(c, r, s) for r, s in itertools.product([None, *regions], sizes)]
    return out


def _sample_municipalities(ctx, k=12):
    """Answering (consenting and not), not answering, per country."""
    snap = ctx.warehouse.snapshot()
    cube, ref = snap.maturity, ctx.municipalities
    answered = cube.answered(len(snap.waves) - 1)
    rng = np.random.default_rng(5)
    out = []
    for mask in (answered & snap.consent, answered & ~snap.consent, ~answered):
        rows = np.flatnonzero(mask & ref["country"].isin(set(ref.loc[answered, "country"]))
                              .to_numpy())
        out += [str(cube.municipality_ids[r]) for r in rng.choice(rows, min(k, len(rows)),
                                                                  replace=False)]
    return out


def test_policy_and_legislation_for_every_selection(ctx, tree):
    snap = ctx.warehouse.snapshot()
    draft = legislation_data_draft.draft_profile(["SEC-01", "GOV-01"], ["3", "2"],
                                                 ["2026-01-01", "2028-01-01"],
                                                 [legislation_ids.ANY] * 2,
                                                 ["required", "recommended"], "30000")
    for country, nuts2, size in _selections(ctx):
        for measure in POLICY_MEASURES:
            out = policy_callbacks.update_view(ctx, country, nuts2, size, measure, "en")
            assert len(out) == len(policy_callbacks.OUTPUT_KEYS)
        sel = legislation_state.selection(country, nuts2, size)
        for horizon in (ld.ALL_DEADLINES, 0):
            a = legislation_aggregate_card.aggregate(ctx, snap, sel, AT, horizon, "nl")
            assert a["bar_caption"]
            tree.text(a["table"])
        content, _, _ = legislation_draft_editor.draft(ctx, snap, draft, sel, AT,
                                                       ld.ALL_DEADLINES, "en")
        assert tree.text(content)
        for which in ("first-phase", "leverage", "region", "size", "lobby"):
            quietly(policy_callbacks.csv_download, ctx, which, country, nuts2, size, "per", "en")


def test_maps_and_heatmap_for_every_selection(ctx):
    snap = ctx.warehouse.snapshot()
    wave = snap.waves[-1]
    countries = sorted({c for c, _, _ in _selections(ctx) if c})
    for level in maps_data.LEVELS:
        for country in countries:
            for measure in ("ALL", "SEC-01", "GOV"):
                maps_callbacks.update_map(ctx, measure, "median", wave, level, country, "en",
                                          maps_ids.LEVEL)
                maps_callbacks.update_tables(ctx, measure, "share_ge3", wave, level, country, "en")
    for country, nuts2, size in _selections(ctx):
        if country is None:
            continue
        for mode in (heatmap_data.MUNICIPALITIES, heatmap_data.REGIONS):
            quietly(heatmap_callbacks.update_view, ctx, country, nuts2 or heatmap_data.ALL,
                    size or heatmap_data.ALL, None, wave, "SEC-01", mode, "en")
    overview_callbacks.update_tables(ctx, wave, "nl")


def test_profile_roadmap_and_legislation_for_sample_municipalities(ctx, tree):
    snap = ctx.warehouse.snapshot()
    wave = snap.waves[-1]
    for m in _sample_municipalities(ctx):
        for peers in ("country_size", "nuts2", "country", "custom"):
            custom = [m] if peers == "custom" else []
            profile.update_status(ctx, m, wave, peers, custom, "en")
            profile.update_radar(ctx, m, wave, "elements", peers, custom, "nl")
            profile.update_radar(ctx, m, wave, "blocks", peers, custom, "en")
            profile.update_distribution(ctx, m, wave, peers, custom, "en")
            profile.update_trend(ctx, m, peers, custom, "en")
            for csv in (profile_export.distribution_csv(ctx, m, wave, peers, custom, "en"),
                        profile_export.radar_csv(ctx, m, wave, "blocks", peers, custom, "en")):
                assert csv is None or len(csv)
        profile.update_agreement(ctx, m, wave, "en")
        roadmap_callbacks.update(ctx, m, wave, DEFAULT_WEIGHTS.raw(), 3, None, None, None, "en")
        content, _, _, _ = legislation_municipality_card.municipality(
            ctx, snap, m, None, None, AT, ld.ALL_DEADLINES, "en")
        assert tree.text(content)
