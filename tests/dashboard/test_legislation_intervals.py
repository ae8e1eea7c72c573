"""The Legislation view and the laws API serve readiness from counts per deadline interval
(`data.population`): equal to a recompute of every municipality at the date asked (the path
they replaced), for every law, selection, date and horizon, and through the API under the
consent rule and a minimum group."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dashboard.views.legislation import data as ld
from pipelines.maturity.readiness import ALL_DEADLINES, NEVER, population_readiness

SELECTIONS = [ld.Selection(), ld.Selection("NL"), ld.Selection("NL", "NL21"),
              ld.Selection(None, None, "20k-50k"), ld.Selection("NL", None, "50k-100k"),
              ld.Selection("BE")]  # BE: nobody in the Dutch build


def recompute(ctx, snap, sel, at, horizon):
    """The old path: every municipality of the selection at this date (no intervals)."""
    sub = ld.subset(ctx, snap, sel)
    return sub, population_readiness(ld.inputs(ctx), sub.levels, sub.table, at=at,
                                     horizon_days=horizon)


def assert_same(ctx, snap, sel, at, horizon):
    sub, old = recompute(ctx, snap, sel, at, horizon)
    _, new = ld.population(ctx, snap, sel, at, horizon)
    assert new.cutoff == old.cutoff and new.at == at and new.law_ids == old.law_ids
    b = ld.base(ctx, snap)
    field = (b.countries if sel.group_field == "country" else b.nuts2)[sub.rows]
    codes, inv = np.unique(field, return_inverse=True)
    assert new.regions == tuple(str(c) for c in codes)
    assert np.array_equal(new.region_sizes, np.bincount(inv, minlength=len(codes)))
    for law_id in old.law_ids:
        col = old.column(law_id)
        assert np.array_equal(new.counts(law_id), np.bincount(old.status[:, col], minlength=5))
        assert np.array_equal(new.ambition_counts(law_id),
                              np.bincount(old.ambition_status[:, col], minlength=5))
        assert new.lacking(law_id) == old.lacking(law_id), law_id
        assert np.array_equal(new.by_region(law_id), old.by_group(law_id, inv, len(codes)))


def every_date(ctx, snap) -> list[dt.date]:
    """Before the first deadline, on each deadline (law or member state), the day before and
    after, after the last."""
    c = ld.inputs(ctx).compiled
    table = ld.base(ctx, snap).table
    every = np.concatenate([c.req_fixed, c.req_fb_date, np.unique(table.dates)])
    out = {dt.date(2000, 1, 1), dt.date(2045, 1, 1)}
    for p in np.unique(every[every < NEVER]):
        out |= {dt.date.fromordinal(int(p) + d) for d in (-1, 0, 1)}
    return sorted(out)


@pytest.mark.parametrize("sel", SELECTIONS, ids=lambda s: "-".join(str(x) for x in s.key()))
def test_every_deadline_day_equals_the_recompute(nl_open_ctx, sel):
    ctx = nl_open_ctx
    snap = ctx.warehouse.snapshot()
    for at in every_date(ctx, snap):
        for horizon in (ALL_DEADLINES, 0, 30):
            assert_same(ctx, snap, sel, at, horizon)


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(at=st.dates(dt.date(2010, 1, 1), dt.date(2040, 12, 31)),
       horizon=st.one_of(st.none(), st.integers(0, ld.MAX_HORIZON)),
       which=st.integers(0, len(SELECTIONS) - 1))
def test_any_date_equals_the_recompute(nl_ctx, at, horizon, which):
    ctx = nl_ctx
    assert_same(ctx, ctx.warehouse.snapshot(), SELECTIONS[which], at, horizon)


def test_the_warm_up_fills_every_interval_of_the_eu(nl_ctx):
    """Filled one law and interval at a time (at the interval's own cutoff), as the master
    does: the same counts as the recompute."""
    snap = nl_ctx.warehouse.snapshot()
    ld.clear_caches()
    ld.warm_intervals(nl_ctx)
    iv = ld.intervals(nl_ctx, snap, ld.Selection())
    made = dict(iv._counts)
    assert set(made) == {(law_id, k) for law_id, points in iv.points.items()
                         for k in range(len(points) + 1)}
    for at in every_date(nl_ctx, snap)[::3]:
        assert_same(nl_ctx, snap, ld.Selection(), at, ALL_DEADLINES)
        assert_same(nl_ctx, snap, ld.Selection(), at, 0)
    assert iv._counts == made  # nothing was computed again


def test_the_warm_up_fills_each_answering_country(nl_ctx, monkeypatch):
    """A country's first aggregate is made before the fork, not on a visitor's request: after
    the warm-up, every interval of each country with answers is there and its counts equal the
    recompute, and asking for it builds nothing."""
    snap = nl_ctx.warehouse.snapshot()
    ld.clear_caches()
    ld.warm_intervals(nl_ctx)
    countries = ld.warm_countries(ld.base(nl_ctx, snap))
    assert countries == ["NL"]  # the Dutch demo: only NL answered
    iv = ld.intervals(nl_ctx, snap, ld.Selection(country="NL"))
    assert set(iv._counts) == {(law_id, k) for law_id, points in iv.points.items()
                               for k in range(len(points) + 1)}
    assert iv._conditions is not None
    monkeypatch.setattr(ld, "Intervals", None)  # any new selection would fail here
    for at in every_date(nl_ctx, snap)[::7]:
        assert_same(nl_ctx, snap, ld.Selection(country="NL"), at, ALL_DEADLINES)


@pytest.mark.parametrize("min_group", ["5", "40"])
@settings(max_examples=12, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(at=st.dates(dt.date(2015, 1, 1), dt.date(2035, 12, 31)),
       horizon=st.sampled_from(["all", "0", "365"]),
       law=st.sampled_from(["GDPR", "NIS2", "AI_ACT", "WAD", "EAA", "CRA"]),
       country=st.sampled_from([None, "NL"]))
def test_api_answers_as_the_recompute_under_consent(api_client, nl_data_dir, min_group, at,
                                                    horizon, law, country):
    """GET /laws/{id}/readiness with the consent rule and a minimum group: the counts it shows
    (or suppresses) are those of the old recompute."""
    from dashboard.config import Settings
    from dashboard.context import AppContext

    env = {"DS4E_DATA_DIR": str(nl_data_dir), "DS4E_VISIBILITY": "consent",
           "DS4E_MIN_GROUP": min_group}
    client = _clients.setdefault(min_group, api_client(nl_data_dir, **{
        k: v for k, v in env.items() if k != "DS4E_DATA_DIR"}))
    ctx = _contexts.setdefault(min_group, AppContext.load(Settings.from_env(env)))
    q = f"at={at}&horizon={horizon}" + (f"&country={country}" if country else "")
    j = client.get(f"/api/v1/laws/{law}/readiness?{q}").json
    snap = ctx.warehouse.snapshot()
    sel = ld.Selection(country)
    sub, old = recompute(ctx, snap, sel, at, ld.parse_horizon(horizon))
    col = old.column(law)
    c = ld.public_counts(np.bincount(old.status[:, col], minlength=5), int(min_group),
                         ld.published(ctx, snap, sel))
    assert {k: j[k] for k in (*ld.COUNT_KEYS, "share_ready", "suppressed")} == \
        {k: c[k] for k in (*ld.COUNT_KEYS, "share_ready", "suppressed")}
    assert j["municipalities_answered"] == len(sub.rows)
    assert j["cutoff"] == (None if horizon == "all" else old.cutoff.isoformat())
    lacking = [] if c["suppressed"] else [
        {"element": e, "gap": g, "unknown": u} for e, g, u in old.lacking(law)]
    assert j["lacking"] == lacking


_clients: dict = {}
_contexts: dict = {}


def test_the_aggregate_view_kept_per_interval_is_the_one_made_afresh(nl_ctx):
    """The aggregate view's figures and tables are kept per deadline interval and next
    deadlines: for any date they equal those made afresh for it, captions (the date) included."""
    import json

    from plotly.utils import PlotlyJSONEncoder

    from dashboard.views.legislation import aggregate_card

    def shown(a):
        return json.dumps({k: v for k, v in a.items() if k != "df"}, cls=PlotlyJSONEncoder,
                          sort_keys=True)

    def forget():
        aggregate_card._PARTS.clear()
        aggregate_card._TABLES.clear()

    ctx = nl_ctx
    snap = ctx.warehouse.snapshot()
    dates = every_date(ctx, snap)
    for sel, horizon, lang in ((ld.Selection(), ALL_DEADLINES, "en"), (ld.Selection(), 0, "nl"),
                               (ld.Selection("NL", "NL21"), 365, "en")):
        forget()
        kept = [aggregate_card.aggregate(ctx, snap, sel, at, horizon, lang) for at in dates]
        assert len(aggregate_card._PARTS._values) < len(dates)  # some dates shared their parts
        for at, a in zip(dates, kept, strict=True):
            forget()
            fresh = aggregate_card.aggregate(ctx, snap, sel, at, horizon, lang)
            assert shown(a) == shown(fresh), (sel, at, horizon, lang)
            assert a["df"].equals(fresh["df"])
            assert at.isoformat() in a["time_caption"]


@pytest.mark.parametrize("sel", [ld.Selection(), ld.Selection(country="NL"),
                                 ld.Selection(size_class="20k-50k"),
                                 ld.Selection(country="BE")])
def test_country_groups_are_the_selections_rows_by_country(nl_ctx, sel):
    """Kept per build and selection for the what-if's per-country breakdown: the same as
    grouping the selection's answering rows on every request."""
    snap = nl_ctx.warehouse.snapshot()
    codes, inv = ld.country_groups(nl_ctx, snap, sel)
    rows = ld.subset(nl_ctx, snap, sel).rows
    want_codes, want_inv = np.unique(ld.base(nl_ctx, snap).countries[rows], return_inverse=True)
    assert codes.tolist() == want_codes.tolist() and inv.tolist() == want_inv.tolist()
    assert ld.country_groups(nl_ctx, snap, sel)[1] is inv  # kept, not made again


def test_the_eu_and_whole_countries_outlive_many_other_selections(nl_ctx):
    """The warmed selections (the EU, each country, each size class of the EU) are kept for the
    build: visits to more
    regions and size classes than the LRU holds do not push them out (a worker would make the
    EU's rows, levels and groups again on the next what-if). Other selections still age out,
    and a code that is no country of the build is not kept for it."""
    snap = nl_ctx.warehouse.snapshot()
    ld.clear_caches()
    ld.warm_intervals(nl_ctx)
    b = ld.base(nl_ctx, snap)
    warmed = [ld.Selection(), ld.Selection(country="NL"),
              *(ld.Selection(size_class=s) for s in ld.warm_sizes(b))]
    assert len(warmed) > 4  # the demo's size classes are warmed too
    for sel in warmed[2:]:  # every interval made before the fork
        iv = ld.intervals(nl_ctx, snap, sel)
        assert set(iv._counts) == {(law_id, k) for law_id, points in iv.points.items()
                                   for k in range(len(points) + 1)}
    kept = {(name, sel): f(nl_ctx, snap, sel) for sel in warmed for name, f in (
        ("subset", ld.subset), ("intervals", ld.intervals), ("groups", ld.country_groups))}
    regions = sorted(set(b.nuts2.tolist()))
    sizes = sorted(set(b.size_class.tolist()))
    others = [ld.Selection(None, r, s) for r in regions for s in sizes]
    others += [ld.Selection("NL", None, s) for s in sizes]
    assert not any(ld.kept_for_build(nl_ctx, snap, s) for s in others)
    assert len(others) > ld._SUBSETS.size  # enough to cycle the LRU
    first = ld.subset(nl_ctx, snap, others[0])
    for sel in others:
        ld.subset(nl_ctx, snap, sel)
        ld.intervals(nl_ctx, snap, sel)
        ld.country_groups(nl_ctx, snap, sel)
    for (name, sel), value in kept.items():
        f = {"subset": ld.subset, "intervals": ld.intervals, "groups": ld.country_groups}[name]
        assert f(nl_ctx, snap, sel) is value, (name, sel)
    assert ld.subset(nl_ctx, snap, others[0]) is not first  # aged out and made again
    assert "ZZ" not in ld.country_codes(nl_ctx, snap)
    ld.subset(nl_ctx, snap, ld.Selection(country="ZZ"))
    assert (snap.build_id, ("ZZ", None, None)) in ld._SUBSETS._values
