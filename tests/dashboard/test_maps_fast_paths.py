"""Maps & regions: the fast paths of a first selection against the definitions they replace.

- area statistics picked from the build's aggregates in memory (dashboard/aggregates_index.py)
  against the query they replace (dashboard/queries/maps_aggregates.sql), both visibility rules;
- hover texts formatted once per distinct value against formatting region by region;
- tables and national indices shared by every country's visit of a NUTS map (and the indices'
  frame by every country's map) against an answer made for that country alone;
- every country's geometry made in the warm-up.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.io.json as pj
import pytest

from dashboard.components.numbers import fmt_int, fmt_num
from dashboard.i18n import t
from dashboard.views.maps import callbacks, data, map_values
from dashboard.views.maps.geometry import geometry
from dashboard.views.maps.texts import fmt_share


def sql_area_stats(ctx, snap, wave: str, measure: str) -> dict[str, data.AreaStats]:
    """The definition: the aggregates mart's rows of one measure and wave, by area type, with
    the app's minimum group applied on top of the build's suppression."""
    df = snap.query("maps_aggregates", wave=wave, measure=measure)
    n = df["n"].to_numpy(dtype=np.int64)
    hidden = df["suppressed"].to_numpy(dtype=bool) | (n < data.min_group(ctx, snap))
    cols = {"n": n, "suppressed": hidden}
    for col in ("q1", "median", "q3", "share_ge3"):
        cols[col] = np.where(hidden, np.nan, df[col].to_numpy(dtype=np.float64, na_value=np.nan))
    area_type = df["area_type"].to_numpy(dtype=object)
    area_id = df["area_id"].to_numpy(dtype=object)
    return {at: data.AreaStats(area_id[area_type == at].tolist(),
                               {c: v[area_type == at] for c, v in cols.items()})
            for at in dict.fromkeys(area_type)}


@pytest.mark.parametrize("which", ["nl_ctx", "nl_open_ctx"])
def test_area_stats_equal_the_query_for_every_measure_and_wave(which, request):
    ctx = request.getfixturevalue(which)
    snap = ctx.warehouse.snapshot()
    measures = ["ALL", *ctx.framework.block_by_id, *ctx.framework.element_ids, "NO-SUCH"]
    checked = 0
    for wave in [*snap.waves, "1999"]:
        for measure in measures:
            got = data.area_stats(ctx, snap, wave, measure)
            want = sql_area_stats(ctx, snap, wave, measure)
            assert got.keys() == want.keys(), (wave, measure)
            for area_type, stats in want.items():
                mine = got[area_type]
                assert mine.ids == stats.ids, (wave, measure, area_type)
                for col, values in stats.columns.items():
                    assert mine.columns[col].dtype == values.dtype
                    assert np.array_equal(mine.columns[col], values, equal_nan=True), (
                        wave, measure, area_type, col)
                checked += 1
    assert checked > 100  # the build has rows for most measures, waves and area types


def test_area_stats_apply_a_stricter_app_minimum_group(nl_data_dir):
    from dashboard.config import Settings
    from dashboard.context import AppContext

    ctx = AppContext.load(Settings.from_env({"DS4E_DATA_DIR": str(nl_data_dir),
                                             "DS4E_MIN_GROUP": "40"}))
    snap = ctx.warehouse.snapshot()
    got = data.area_stats(ctx, snap, snap.waves[-1], "ALL")["nuts3"]
    want = sql_area_stats(ctx, snap, snap.waves[-1], "ALL")["nuts3"]
    assert got.columns["suppressed"].any()  # some NUTS 3 regions have fewer than 40 answers
    assert np.array_equal(got.columns["suppressed"], want.columns["suppressed"])
    assert np.isnan(got.columns["median"][got.columns["suppressed"]]).all()


def one_by_one(state, lang, n, totals, suppressed, values, q1, med, q3, mg) -> list[str]:
    """The hover texts formatted region by region (how map_values made them before)."""
    of_t, share_t, median_t = (t(k, lang) for k in (
        "maps.hover.of", "maps.hover.share", "maps.hover.median"))
    text = []
    for i in range(len(n)):
        if n[i] == 0:
            text.append(t("maps.hover.none", lang, wave=state.wave))
            continue
        of = of_t.format(n=fmt_int(n[i], lang), total=fmt_int(totals[i], lang))
        if suppressed[i]:
            line = t("maps.hover.suppressed", lang, min_group=mg)
        elif state.stat == "share_ge3":
            line = share_t.format(share=fmt_share(values[i]))
        else:
            line = median_t.format(median=fmt_num(med[i], lang, 2), q1=fmt_num(q1[i], lang, 2),
                                   q3=fmt_num(q3[i], lang, 2))
        text.append(f"{line}<br>{of}")
    return text


@pytest.mark.parametrize("stat", ["median", "share_ge3"])
@pytest.mark.parametrize("lang", ["nl", "en"])
def test_region_hover_texts_equal_formatting_one_by_one(stat, lang):
    rng = np.random.default_rng(5)
    k = 500
    n = rng.choice([0, 1, 4, 12, 999, 1000, 25_000], k)
    totals = n + rng.choice([0, 3, 1500, 120_000], k)
    suppressed = (rng.random(k) < 0.2) & (n > 0)
    med = np.where(suppressed | (rng.random(k) < 0.1), np.nan, rng.integers(0, 401, k) / 100)
    q1, q3 = med - rng.integers(0, 50, k) / 100, med + 0.005 + rng.integers(0, 50, k) / 100
    share = np.where(np.isnan(med), np.nan, rng.random(k))
    values = share if stat == "share_ge3" else med
    s = data.MapState("ALL", stat, "2026", "nuts3", "NL")
    args = (s, lang, n, totals, suppressed, values, q1, med, q3, 5)
    assert map_values._region_texts(*args) == one_by_one(*args)
    empty = (s, lang, *(np.zeros(0),) * 7, 5)
    assert map_values._region_texts(*empty) == []


def answer(fn, *args):
    return pj.to_json_plotly(fn(*args))


@pytest.mark.parametrize("level", ["nuts2", "nuts3", "country"])
@pytest.mark.parametrize("lang", ["nl", "en"])
def test_shared_answers_equal_an_answer_made_for_that_country(nl_ctx, level, lang):
    """On a NUTS map the tables and indices do not depend on the country control: one answer
    serves every country; on the country map each country has its own (its row marked), and
    the indices' frame shared between them gives the same charts as one made for it alone."""
    snap = nl_ctx.warehouse.snapshot()
    for country in ("BE", "NL", "DE"):
        served = (answer(callbacks.update_tables, nl_ctx, "STR", "share_ge3", "2026", level,
                         country, lang),
                  answer(callbacks.update_context, nl_ctx, "2026", level, country, lang))
        state, _ = data.resolve_state(nl_ctx, snap, "STR", "share_ge3", "2026", level, country)
        ctx_state, _ = data.resolve_state(nl_ctx, snap, "ALL", "median", "2026", level, country)
        callbacks._ANSWERS.clear()
        fresh = (answer(callbacks._tables, nl_ctx, snap, state, lang),
                 answer(callbacks._context, nl_ctx, snap, ctx_state, lang))
        assert served == fresh, (level, country)
    if level == "country":  # each country's map marks its own row
        assert (answer(callbacks.update_tables, nl_ctx, None, None, "2026", level, "BE", lang)
                != answer(callbacks.update_tables, nl_ctx, None, None, "2026", level, "NL", lang))


def test_warm_up_makes_every_country_geometry(nl_ctx, monkeypatch):
    callbacks._warm(nl_ctx)
    made = []
    monkeypatch.setattr("dashboard.views.maps.geometry._geometry",
                        lambda *a: made.append(a))  # would be called on a miss
    for country in data.country_codes(nl_ctx):
        geometry(nl_ctx, "country", country)
    assert made == []


def old_municipal_frame(ctx, snap, geom, state):
    """The map download as made before `map_frame`: from the page's map values, the
    municipalities' columns converted to objects whole and then indexed."""
    own, _, answered, _, hidden, shown = map_values._municipal_parts(ctx, snap, geom, state)
    m, rows = ctx.municipalities, geom.rows
    df = pd.DataFrame({
        "municipality_id": m["municipality_id"].to_numpy()[rows],
        "name": m["name"].to_numpy()[rows], "nuts3": m["nuts3"].to_numpy()[rows],
        "wave": state.wave, "measure": state.measure, "answered": answered, "shown": shown,
        "value": np.where(shown, np.round(own, 3), np.nan),
        "level_ge3": np.where(shown, own >= 3, None)})
    df["note"] = np.where(hidden, "not public (no consent)", "")
    return df


@pytest.mark.parametrize("which", ["nl_ctx", "nl_open_ctx"])
@pytest.mark.parametrize("level", ["nuts3", "nuts2", "country"])
@pytest.mark.parametrize("stat", ["median", "share_ge3"])
def test_map_download_frame_equals_the_maps_own_frame(which, level, stat, request):
    """The map's download (`map_frame`, without the hover texts and captions) is the frame
    behind the page's map, column for column and type for type; the municipal one also equals
    the frame made the old way (whole columns converted first), in both visibilities."""
    ctx = request.getfixturevalue(which)
    snap = ctx.warehouse.snapshot()
    for measure in ("ALL", "STR", ctx.framework.element_ids[0]):
        state, _ = data.resolve_state(ctx, snap, measure, stat, snap.waves[-1], level, "NL")
        geom = geometry(ctx, state.level, state.country)
        got = map_values.map_frame(ctx, snap, geom, state)
        pd.testing.assert_frame_equal(got, map_values.map_values(ctx, snap, geom, state,
                                                                 "en").frame())
        assert len(got) > 0
        assert (geom.area_type is None) == (level == "country")  # a country: its municipalities
        if not geom.area_type:
            pd.testing.assert_frame_equal(got, old_municipal_frame(ctx, snap, geom, state))
            if which == "nl_ctx":  # consent: someone's value is withheld
                assert (got["note"] != "").any()
