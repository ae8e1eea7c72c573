"""The per-build and per-reference caches behind the page router and the page callbacks: each
gives what the uncached path gives, and another build, input or language is another entry."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
from dash._utils import to_json

from dashboard import geo
from dashboard.components import maps
from dashboard.views.legislation import state
from dashboard.views.overview import figures as ov_figures
from dashboard.views.roadmap import data as rd


def _codes_uncached(ctx) -> tuple[set[str], dict[str | None, set[str]]]:
    """What `_check_codes` read per request before the cache: the reference table's columns."""
    ref = ctx.municipalities
    countries = set(ref["country"].astype(str))
    nuts2 = {c: set(ref[ref["country"] == c]["nuts2"].dropna().astype(str)) for c in countries}
    nuts2[None] = set(ref["nuts2"].dropna().astype(str))
    return countries, nuts2


def test_place_codes_equal_the_reference_table(nl_open_ctx):
    codes = state.place_codes(nl_open_ctx)
    countries, nuts2 = _codes_uncached(nl_open_ctx)
    assert set(codes) - {None} == countries
    assert {k: set(v) for k, v in codes.items()} == nuts2
    assert state.place_codes(nl_open_ctx) is codes  # once per reference folder


def test_parse_state_checks_codes_against_the_cache(nl_open_ctx):
    ok = state.parse_state({"country": "nl", "nuts2": "NL21"}, nl_open_ctx)
    assert (ok["country"], ok["nuts2"], ok["notices"]) == ("NL", "NL21", [])
    bad = state.parse_state({"country": "XX", "nuts2": "NL21"}, nl_open_ctx)
    assert bad["country"] is None and bad["nuts2"] == "NL21"  # NL21 exists EU-wide
    wrong = state.parse_state({"country": "NL", "nuts2": "BE10"}, nl_open_ctx)
    assert wrong["nuts2"] is None and wrong["notices"][0][0] == "url.notice.nuts2"


# ------------------------------------------------------------------ overview coverage map


def _plotly_figure(geojson, lang: str) -> dict:
    """The figure as choropleth_map made it before: go.Figure with the geometry in it."""
    import plotly.graph_objects as go

    from dashboard.components import colours as palette
    fig = go.Figure(go.Choroplethmap(
        geojson=geojson, locations=["NL21", "NL22"], z=[0.25, 1.0], text=["a", "b"],
        zmin=0, zmax=1, colorscale=maps.SEQUENTIAL,
        marker={"line": {"width": 0.4, "color": palette.PAPER}, "opacity": 0.95},
        hovertemplate="%{text}<extra></extra>",
        colorbar={"title": {"text": lang, "side": "top"}, "orientation": "h", "x": 0.5,
                  "xanchor": "center", "y": 0, "yanchor": "top", "thickness": 12, "len": 0.6,
                  "tickvals": [0, 1], "ticktext": ["0%", "100%"]}))
    fig.update_layout(map={"style": "white-bg", **maps.VIEWS["eu"]},
                      margin={"l": 0, "r": 0, "t": 0, "b": 64}, height=520,
                      paper_bgcolor=palette.PAPER, uirevision="eu")
    return fig


@pytest.mark.parametrize("by_url", [False, True])
def test_choropleth_dict_is_the_json_plotly_sent(nl_open_ctx, by_url):
    geojson = geo.nuts(nl_open_ctx.settings.reference_dir, 2)
    if by_url:  # what the pages give now (dashboard/geo_files.py): plotly accepts a URL too
        geojson = "/geo/overview/eu.json?v=0123456789abcdef0123"
    new = maps.choropleth_map(geojson, ["NL21", "NL22"], [0.25, 1.0], ["a", "b"], view="eu",
                              zmin=0, zmax=1, colorbar_title="en", tickvals=[0, 1],
                              ticktext=["0%", "100%"])
    assert to_json(new) == to_json(_plotly_figure(geojson, "en"))  # the same bytes
    assert new["data"][0]["geojson"] is geojson  # by reference, not copied


def test_coverage_map_per_build_view_wave_and_language(nl_open_ctx):
    ctx, snap = nl_open_ctx, nl_open_ctx.warehouse.snapshot()
    wave = snap.waves[-1]
    first = ov_figures.coverage_figure(ctx, snap, "eu", wave, "en")
    assert ov_figures.coverage_figure(ctx, snap, "eu", wave, "en") is first
    assert to_json(first) == to_json(ov_figures._coverage_figure(ctx, snap, "eu", wave, "en"))
    dutch = ov_figures.coverage_figure(ctx, snap, "eu", wave, "nl")
    assert dutch is not first and dutch["data"][0]["text"] != first["data"][0]["text"]
    assert ov_figures.coverage_figure(ctx, snap, "nl", wave, "en")["data"][0]["locations"] != (
        first["data"][0]["locations"])
    older = ov_figures.coverage_figure(ctx, snap, "eu", snap.waves[0], "en")
    assert older["data"][0]["z"] == ov_figures.map_values(ctx, snap, "eu", snap.waves[0], "en")[1]
    other_build = dataclasses.replace(snap, build_id="another-build")
    assert ov_figures.coverage_figure(ctx, other_build, "eu", wave, "en") is not first


# ------------------------------------------------------------------ roadmap team coverage


def _team_coverage_by_query(ctx, snap, w, row):
    """The per-request query team_coverage made before the per-build table."""
    from pipelines.maturity.coverage_note import coverage
    mid = str(snap.maturity.municipality_ids[row])
    df = snap.query("roadmap_coverage", municipality=mid, wave=snap.waves[w])
    known = int((rd.wave_levels(ctx, snap, w)[row] != -1).sum())
    n = len(ctx.framework.element_ids)
    if df.empty:
        return coverage(0, None, known, n)
    return coverage(int(df.iloc[0]["n_respondents"]), df.iloc[0]["roles"], known, n)


def test_team_coverage_equals_the_query(nl_ctx):
    snap = nl_ctx.warehouse.snapshot()
    for w in range(len(snap.waves)):
        answered = np.flatnonzero(rd.team_table(snap, w).respondents >= 0)
        silent = np.flatnonzero(rd.team_table(snap, w).respondents < 0)
        assert len(answered) and len(silent)
        for row in [*answered[:12], *silent[:4]]:  # a query per row is slow: a sample
            assert rd.team_coverage(nl_ctx, snap, w, row) == _team_coverage_by_query(
                nl_ctx, snap, w, row)


def test_team_table_per_build_and_wave(nl_ctx):
    snap = nl_ctx.warehouse.snapshot()
    first, last = rd.team_table(snap, 0), rd.team_table(snap, len(snap.waves) - 1)
    assert rd.team_table(snap, 0) is first
    assert first is not last and (first.respondents >= 0).sum() != (last.respondents >= 0).sum()
    other = dataclasses.replace(snap, build_id="another-build")
    assert rd.team_table(other, 0) is not first


# ------------------------------------------------------------------ legislation deadlines


def test_law_deadlines_per_inputs_law_and_country(nl_open_ctx):
    from dashboard import laws
    from dashboard.views.legislation import data_laws
    inp = laws.inputs(nl_open_ctx)
    for law_id in inp.law_ids:
        law = inp.law(law_id)
        for country in (None, "NL", "BE", "DE"):
            first = data_laws.law_deadlines(inp, law, country)
            assert first == list(data_laws._law_deadlines(inp, law, country))
            assert data_laws.law_deadlines(inp, law, country) == first  # the cached entry
    # a draft (another object, even under a real law's id) is its own entry
    law = inp.law(inp.law_ids[0])
    draft = law.model_copy(update={"requirements": law.requirements[:1]})
    assert data_laws.law_deadlines(inp, draft, "NL") == list(
        data_laws._law_deadlines(inp, draft, "NL"))


# ------------------------------------------------------------------ overview coverage queries


def test_overview_queries_per_build_and_wave(nl_open_ctx):
    from dashboard.views.overview import data as ov_data
    snap = nl_open_ctx.warehouse.snapshot()
    for wave in snap.waves:
        for name, fn, params in [("coverage_by_country", ov_data.countries, {}),
                                 ("coverage_nuts2", ov_data.regions, {}),
                                 ("coverage_municipalities", ov_data.municipalities,
                                  {"country": "NL"})]:
            first = fn(snap, wave)
            assert first.equals(snap.query(name, wave=wave, **params))
            first.iloc[0, 0] = None  # a caller changing its frame changes no other answer
            assert fn(snap, wave).equals(snap.query(name, wave=wave, **params))
    assert not ov_data.countries(snap, snap.waves[0]).equals(ov_data.countries(snap, snap.waves[-1]))
    assert ov_data.headline(snap, snap.waves[-1]) != ov_data.headline(snap, snap.waves[0])
    other = dataclasses.replace(snap, build_id="another-build")
    key = (other.build_id, other.visibility, other.min_group, str(other.path),
           "coverage_nuts2", (("wave", snap.waves[-1]),))
    ov_data.regions(other, snap.waves[-1])
    assert key in ov_data._QUERIES._values  # its own entry, not the first build's


# ------------------------------------------------------------------ maps tables and context card


@pytest.mark.parametrize("level,country", [("nuts2", "NL"), ("nuts3", "BE"), ("country", "NL"),
                                           ("country", "FR")])
def test_maps_answers_kept_per_selection_equal_fresh_ones(nl_ctx, nl_open_ctx, level, country):
    """The Maps tables and national-indices card are kept per build, rule and selection
    (views/maps/callbacks._ANSWERS): the same bytes as made afresh, and never shared across
    visibility rules, waves, levels, countries or languages."""
    from dashboard.views.maps import callbacks as mcb
    from dashboard.views.maps.data import resolve_state

    for ctx in (nl_ctx, nl_open_ctx):
        snap = ctx.warehouse.snapshot()
        for wave in snap.waves:
            for lang in ("en", "nl"):
                args = ("ALL", "median", wave, level, country, lang)
                tables = mcb.update_tables(ctx, *args)
                assert mcb.update_tables(ctx, *args) is tables
                state, _ = resolve_state(ctx, snap, *args[:5])
                assert to_json(tables) == to_json(mcb._tables(ctx, snap, state, lang))
                context = mcb.update_context(ctx, wave, level, country, lang)
                assert mcb.update_context(ctx, wave, level, country, lang) is context
                state, _ = resolve_state(ctx, snap, "ALL", "median", wave, level, country)
                assert to_json(context) == to_json(mcb._context(ctx, snap, state, lang))
    snap = nl_ctx.warehouse.snapshot()
    args = ("ALL", "median", snap.waves[-1], level, country)
    assert mcb.update_tables(nl_ctx, *args, "en") is not mcb.update_tables(nl_open_ctx, *args, "en")
    assert mcb.update_tables(nl_ctx, *args, "en") is not mcb.update_tables(nl_ctx, *args, "nl")
    assert mcb.update_tables(nl_ctx, "DAT-02", *args[1:], "en") is not mcb.update_tables(
        nl_ctx, *args, "en")
