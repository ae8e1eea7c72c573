"""The Maps & regions page: values against the aggregates mart and the source CSVs, suppression,
consent on municipal maps, recolour Patches, empty states, permalinks and CSV downloads.
Callback bodies are called directly against the Dutch demo build (342 municipalities)."""

from __future__ import annotations

import base64
import csv
import json
import re

import dash_bootstrap_components as dbc
import numpy as np
import pandas as pd
import pytest
from dash import Patch, dcc, no_update
from published import published_aggregates

from dashboard import shell
from dashboard.components import places
from dashboard.components.numbers import fmt_int
from dashboard.config import Settings
from dashboard.context import AppContext
from dashboard.registry import PAGES
from dashboard.views.maps import callbacks, data, export, figures, ids, map_values, tables
from dashboard.views.maps import page as maps
from pipelines.maturity.regional import SCALES
from pipelines.reference import REFERENCE_DIR

CONTROLS = ("measure", "stat", "wave", "level", "country")


def state(**values):
    return {"measure": "ALL", "stat": "median", "wave": "2026", "level": "nuts2",
            "country": "NL", **values}


def update(ctx, trigger=ids.LEVEL, lang="en", **values):
    s = state(**values)
    return callbacks.update_map(ctx, *(s[k] for k in CONTROLS), lang, trigger)


def mart(ctx, wave, measure, area_type) -> pd.DataFrame:
    """The published aggregates, computed from the build's files (tests/dashboard/conftest.py)."""
    df = published_aggregates(ctx)
    return df[(df["wave"] == wave) & (df["measure"] == measure)
              & (df["area_type"] == area_type)].set_index("area_id")


def decode(value) -> np.ndarray:
    """A plotly.js typed-array spec (or a list) as a numpy array."""
    if isinstance(value, dict):
        return np.frombuffer(base64.b64decode(value["bdata"]),
                             dtype={"f4": "<f4", "f8": "<f8"}[value["dtype"]]).astype(np.float64)
    return np.asarray(value, dtype=np.float64)


def trace0(fig: dict) -> dict:
    return fig["data"][0]


def z_of(fig: dict) -> np.ndarray:
    trace = trace0(fig)
    return decode(trace["z"] if trace["type"] == "choroplethmap" else trace["marker"]["color"])


def test_registered_page():
    assert maps in PAGES
    assert maps.PATH == "/maps" and maps.NAV_KEY == "maps.nav"


# ------------------------------------------------------------------ regional maps = the mart


@pytest.mark.parametrize("measure,stat", [("ALL", "median"), ("SEC-01", "share_ge3"),
                                          ("GOV", "median")])
def test_nuts2_values_equal_the_aggregates_mart(nl_ctx, measure, stat):
    fig, caption, _ = update(nl_ctx, measure=measure, stat=stat, level="nuts2")
    trace = trace0(fig)
    assert trace["type"] == "choroplethmap" and fig["layout"]["map"]["style"] == "white-bg"
    z = dict(zip(trace["locations"], z_of(fig), strict=True))
    rows = mart(nl_ctx, "2026", measure, "nuts2")
    assert set(rows.index) <= set(z) and len(rows) == 12  # the Dutch provinces
    scale = SCALES[stat]
    for region, r in rows.iterrows():
        if r["suppressed"]:
            assert z[region] == pytest.approx(scale.hidden)
        else:
            assert z[region] == pytest.approx(r[stat], abs=1e-3)
    # regions elsewhere in Europe have no answers: the "no answers" band, not a value
    assert z["BE10"] == pytest.approx(scale.empty)
    assert "NUTS 2 region in wave 2026" in caption


def test_suppressed_regions_are_grey_and_dash_in_tables(nl_ctx, tree):
    fig, caption, _ = update(nl_ctx, level="nuts3")
    rows = mart(nl_ctx, "2026", "ALL", "nuts3")
    suppressed = rows.index[rows["suppressed"]]
    assert len(suppressed) > 0  # 40 COROP regions, several with fewer than 5 answers
    trace = trace0(fig)
    z = dict(zip(trace["locations"], z_of(fig), strict=True))
    text = dict(zip(trace["locations"], trace["text"], strict=True))
    for region in suppressed:
        assert z[region] == pytest.approx(SCALES["median"].hidden)
        assert "not shown: fewer than 5 municipalities, or it would give away" in text[region]
        assert not re.search(r"\d[.,]\d", text[region])  # no statistic in the hover
    assert f"{len(suppressed)} not shown for privacy" in caption
    # the CSV / table frame: suppressed statistics are missing, never a number
    s, _ = data.resolve_state(nl_ctx, nl_ctx.warehouse.snapshot(), **state(level="nuts3"))
    frame = data.regions_frame(nl_ctx, nl_ctx.warehouse.snapshot(), s, "en")
    hidden = frame[frame["suppressed"]]
    assert len(hidden) == len(suppressed) and hidden["median"].isna().all()
    assert hidden["q1"].isna().all() and hidden["share_ge3"].isna().all()
    # the colour bar names both greys
    ticktext = trace["colorbar"]["ticktext"]
    assert "not shown (privacy)" in ticktext and "no answers" in ticktext


def test_app_min_group_stricter_than_the_build(nl_data_dir):
    ctx = AppContext.load(Settings.from_env({"DS4E_DATA_DIR": str(nl_data_dir),
                                             "DS4E_MIN_GROUP": "50"}))
    fig, _caption, _notices = update(ctx, level="nuts2")
    rows = mart(ctx, "2026", "ALL", "nuts2")
    z = dict(zip(trace0(fig)["locations"], z_of(fig), strict=True))
    for region, r in rows.iterrows():
        expected = SCALES["median"].hidden if r["n"] < 50 else r["median"]
        assert z[region] == pytest.approx(expected, abs=1e-3)


# ------------------------------------------------------------------ municipal map and consent


def nl_map(ctx, **values):
    fig, caption, notices = update(ctx, level="country", country="NL", **values)
    snap = ctx.warehouse.snapshot()
    rows = np.array([snap.maturity.index_of(f"NL_{code}") for code in trace0(fig)["locations"]])
    return fig, caption, notices, snap, rows


def test_nl_municipal_values_follow_consent(nl_ctx, tree):
    fig, caption, notices, snap, rows = nl_map(nl_ctx)
    assert trace0(fig)["type"] == "choroplethmap" and len(rows) == 342
    cube = snap.maturity
    w = cube.wave_index("2026")
    overall = cube.overall(w, rows)
    answered = cube.answered(w)[rows]
    z = z_of(fig)
    text = trace0(fig)["text"]
    hidden = SCALES["median"].hidden
    shown = 0
    for i, row in enumerate(rows):
        if answered[i] and not nl_ctx.visible(snap, int(row)):
            assert z[i] == pytest.approx(hidden) and text[i] == "not public"
        elif answered[i] and not np.isnan(overall[i]):
            assert z[i] == pytest.approx(overall[i], abs=1e-3)
            shown += 1
    not_consenting = int((answered & ~snap.consent[rows]).sum())
    assert not_consenting > 0
    assert f"{not_consenting} of the {int(answered.sum())} municipalities with answers are not " \
           "shown by name" in tree.text(notices)
    assert f"{shown} shown of {int(answered.sum())} with answers" in caption


def test_nl_municipal_values_open_visibility(nl_open_ctx, tree):
    fig, _caption, notices, snap, rows = nl_map(nl_open_ctx, measure="SEC-01")
    cube = snap.maturity
    levels = cube.levels[cube.wave_index("2026"), rows, cube.element_ids.index("SEC-01")]
    z = z_of(fig)
    known = levels >= 0
    assert known.sum() > 100
    np.testing.assert_allclose(z[known], levels[known])
    assert not np.isclose(z, SCALES["median"].hidden).any()
    assert "not shown by name" not in tree.text(notices)


def test_visible_rows_is_ctx_visible(nl_ctx, nl_open_ctx):
    for ctx in (nl_ctx, nl_open_ctx):
        snap = ctx.warehouse.snapshot()
        rows = np.flatnonzero(ctx.attributes.mask_for("country", "NL"))
        expected = [ctx.visible(snap, int(i)) for i in rows]
        assert map_values.visible_rows(ctx, snap, rows).tolist() == expected


def test_map_csv_leaves_out_what_is_not_public(nl_ctx):
    df, name = export.download_frame(nl_ctx, "map", *state(level="country").values(), "en")
    assert name == "ds4e-map-NL-ALL-2026.csv" and len(df) == 342
    hidden = df[df["note"] != ""]
    assert len(hidden) > 0 and hidden["value"].isna().all() and not hidden["shown"].any()
    assert df.loc[df["shown"], "value"].notna().all()


def test_share_ge3_on_the_municipal_map_is_binary(nl_open_ctx):
    fig, caption, _, _, _ = nl_map(nl_open_ctx, stat="share_ge3")
    z = z_of(fig)
    values = z[z >= 0]
    assert set(np.unique(values)) <= {0.0, 1.0}
    assert "at level 3 or higher" in caption


# ------------------------------------------------------------------ recolour vs new geometry


def patch_ops(patch: Patch) -> list[dict]:
    return patch.to_plotly_json()["operations"]


@pytest.mark.parametrize("level,country", [("nuts2", "NL"), ("nuts3", "NL"), ("country", "NL"),
                                           ("country", "BE")])
def test_recolour_is_a_patch_without_geometry(nl_open_ctx, level, country):
    full, _, _ = update(nl_open_ctx, level=level, country=country)
    for trigger, change in ((ids.MEASURE, {"measure": "DAT-02"}),
                            (ids.STAT, {"stat": "share_ge3"}), (ids.WAVE, {"wave": "2025"})):
        patch, _caption, _ = update(nl_open_ctx, trigger=trigger, level=level, country=country,
                                   **change)
        assert isinstance(patch, Patch)
        paths = [tuple(op["location"]) for op in patch_ops(patch)]
        assert all(p[:2] == ("data", 0) for p in paths)
        fields = {p[2] for p in paths}
        assert fields.isdisjoint({"geojson", "locations", "lon", "lat", "customdata"})
        assert "text" in fields and ({"z"} <= fields or ("marker", "color") in {
            p[2:4] for p in paths})
        patch_size = len(json.dumps(patch.to_plotly_json()))
        # the full figure names its geometry by URL (geo_files), so it is small too; the patch
        # still leaves out locations, names and layout
        assert patch_size < len(json.dumps(full))


def test_recolour_values_equal_a_fresh_figure(nl_open_ctx):
    patch, _, _ = update(nl_open_ctx, trigger=ids.MEASURE, level="nuts2", measure="SEC-02")
    fig, _, _ = update(nl_open_ctx, trigger=ids.LEVEL, level="nuts2", measure="SEC-02")
    z_op = next(op for op in patch_ops(patch) if op["location"] == ["data", 0, "z"])
    spec = z_op["params"]["value"]
    assert spec["dtype"] == "f4"
    np.testing.assert_allclose(decode(spec), z_of(fig), atol=1e-6)


def test_map_level_change_sends_a_full_figure(nl_ctx):
    fig, _, _ = update(nl_ctx, trigger=ids.LEVEL, level="nuts3")
    assert isinstance(fig, dict) and trace0(fig)["geojson"].startswith("/geo/maps/nuts3.json?v=")
    assert len(trace0(fig)["locations"]) > 1400
    json.dumps(fig)  # plain JSON: no go.Figure validation of the GeoJSON
    fig, _, _ = update(nl_ctx, trigger=ids.COUNTRY, level="country", country="BE")
    assert isinstance(fig, dict) and trace0(fig)["type"] == "scattermap"
    assert len(decode(trace0(fig)["lon"])) == 565 and fig["layout"]["map"]["style"] == "white-bg"
    layer = fig["layout"]["map"]["layers"][0]
    assert layer["type"] == "line"  # region borders for orientation
    assert layer["source"].startswith("/geo/maps/outline-BE.json?v=")  # fetched once, by URL
    # a country change while a NUTS map is shown changes nothing
    assert update(nl_ctx, trigger=ids.COUNTRY, level="nuts2", country="BE") == (
        no_update, no_update, no_update)


def test_country_without_points_falls_back_to_nuts3(nl_ctx, tree):
    fig, _caption, notices = update(nl_ctx, level="country", country="FR")
    assert trace0(fig)["type"] == "choroplethmap"
    assert all(loc.startswith("FR") for loc in trace0(fig)["locations"])
    assert "France has no municipal points" in tree.text(notices)


# ------------------------------------------------------------------ tables


def test_country_and_size_tables_equal_the_mart(nl_ctx, tree):
    snap = nl_ctx.warehouse.snapshot()
    s, _ = data.resolve_state(nl_ctx, snap, **state(level="country", measure="INF"))
    countries = data.countries_frame(nl_ctx, snap, s, "en")
    assert countries["country"].tolist() == ["NL"]
    row = countries.iloc[0]
    expected = mart(nl_ctx, "2026", "INF", "country").loc["NL"]
    assert row["n"] == expected["n"] and row["median"] == pytest.approx(expected["median"])
    assert row["share_ge3"] == pytest.approx(expected["share_ge3"])
    cov = pd.read_parquet(snap.path / "coverage_areas.parquet")
    cov = cov[(cov["wave"] == "2026") & (cov["area_type"] == "country")
              & (cov["area_id"] == "NL")].iloc[0]
    assert (row["responded"], row["municipalities"]) == (cov["responded"], 342)

    sizes = data.sizes_frame(nl_ctx, snap, s, "en")
    cs = mart(nl_ctx, "2026", "INF", "country_size")
    for r in sizes.itertuples():
        m = cs.loc[f"NL:{r.size_class}"]
        assert r.n == m["n"] and r.suppressed == m["suppressed"]
        if not r.suppressed:
            assert r.median == pytest.approx(m["median"]) and r.q1 == pytest.approx(m["q1"])
    coverage, table, _regions, fig, caption, _size_table = callbacks.update_tables(
        nl_ctx, *state(level="country", measure="INF").values(), "en")
    assert "Coverage in Netherlands, wave 2026" in coverage
    assert coverage.endswith("in 1 country with answers.")  # not "1 countries"
    dutch = callbacks.update_tables(nl_ctx, *state(level="country", measure="INF").values(), "nl")
    assert dutch[0].endswith("in 1 land met antwoorden.")
    assert "Netherlands (NL)" in tree.text(table) and "– = not shown" in tree.text(table)
    assert fig["data"][0]["type"] == "scatter" and "Netherlands, wave 2026" in caption


def test_regions_table_lists_lowest_and_highest(nl_ctx, tree):
    *_, regions, _, _, _ = callbacks.update_tables(nl_ctx, *state(level="nuts3").values(), "en")
    text = tree.text(regions)
    shown = (~mart(nl_ctx, "2026", "ALL", "nuts3")["suppressed"]).sum()
    if shown > 2 * tables.REGION_ROWS:
        assert "Lowest 10 regions" in text and "Highest 10 regions" in text
    assert f"{shown} of " in text and "The CSV lists them all" in text


# ------------------------------------------------------------------ context: national indices


def source_values(country: str, iso3: str) -> dict[str, float | None]:
    src = REFERENCE_DIR / "sources"
    with open(src / "desi2022_scores.csv", encoding="utf-8") as fh:
        desi = next((float(r["4_digital_public_services"]) for r in csv.DictReader(fh)
                     if r["desi_edition"] == "2022" and r["country"] == country), None)
    with open(src / "egov_benchmark_2023_scores.csv", encoding="utf-8") as fh:
        egov = next((float(r["biennial_average_2021_2022"]) for r in csv.DictReader(fh)
                     if r["indicator_code"] == "0" and r["country"] == country), None)
    with open(src / "intl_digital_gov_indices.csv", encoding="utf-8") as fh:
        dgi = next((float(r["value"]) for r in csv.DictReader(fh)
                    if r["source"] == "OECD Digital Government Index 2023"
                    and r["variable"] == "composite_index" and r["cc_iso3c"] == iso3), None)
    return {"desi_dps": desi, "egov_overall": egov, "oecd_dgi": dgi}


@pytest.mark.parametrize("country,iso3", [("NL", "NLD"), ("BE", "BEL")])
def test_context_values_equal_the_source_csvs(nl_ctx, country, iso3):
    snap = nl_ctx.warehouse.snapshot()
    s, _ = data.resolve_state(nl_ctx, snap, **state(level="country", country=country))
    df = data.context_frame(nl_ctx, snap, s, "en").set_index("country")
    expected = source_values(country, iso3)
    assert all(v is not None for v in expected.values())
    for key, value in expected.items():
        assert df.loc[country, key] == pytest.approx(value)
    own = mart(nl_ctx, "2026", "ALL", "country")
    if country == "NL":
        assert df.loc["NL", "self_assessed_median"] == pytest.approx(own.loc["NL", "median"])
    else:  # no Belgian answers in the Dutch demo: the indices stand alone
        assert np.isnan(df.loc["BE", "self_assessed_median"]) and df.loc["BE", "n"] == 0


def test_context_view_names_sources_and_marks_demo(nl_ctx, tree):
    body, *figs, caption = callbacks.update_context(nl_ctx, "2026", "country", "NL", "en")
    text = tree.text(body)
    assert "Netherlands, wave 2026: self-assessed median overall maturity" in text
    assert len(figs) == 3 and "Each dot is a country" in caption
    # the dots are the right numbers: NL's published median against NL's value of each index,
    # read here from the source files and the published aggregates
    from pipelines.national_indices import INDICES, load_national_indices

    idx = load_national_indices(nl_ctx.settings.reference_dir).set_index("country")
    median = mart(nl_ctx, "2026", "ALL", "country").loc["NL", "median"]
    for fig, index in zip(figs, INDICES, strict=True):
        (trace,) = fig["data"]
        point = trace["text"].index("NL")
        assert trace["x"][point] == pytest.approx(idx.loc["NL", index], abs=1e-4)
        assert trace["y"][point] == pytest.approx(median, abs=1e-3)
        assert set(trace["text"]) == {"NL"}  # only countries with a published median
    page = maps.layout(nl_ctx, "en", {"level": "country", "country": "NL"})
    page_text = tree.text(page)
    assert "DESI 2022" in page_text and "eGovernment Benchmark 2023" in page_text
    assert "OECD, Digital Government Index 2023" in page_text
    assert "independent measurements" in page_text.lower()
    assert "agreement here is by construction" in page_text  # the demo is built from DESI/eGov


# ------------------------------------------------------------------ empty states


def test_nothing_published(tmp_path, tree):
    ctx = AppContext.load(Settings.from_env({"DS4E_DATA_DIR": str(tmp_path)}))
    page = maps.layout(ctx, "en")
    assert "No survey data published yet" in tree.text(page)
    assert not tree.find(page, id=ids.GRAPH)
    fig, _, notices = update(ctx)
    assert fig is no_update and "No survey data published yet" in tree.text(notices)
    assert callbacks.update_tables(ctx, *state().values(), "en") == (None,) * 6
    assert export.download_frame(ctx, "map", *state().values(), "en") is None


def test_wave_without_data_says_so(nl_ctx, tree):
    page = maps.layout(nl_ctx, "en", {"wave": "2019"})
    text = tree.text(page)
    assert "There are no published data for wave 2019; showing wave 2026" in text
    assert tree.find(page, id=ids.WAVE)[0].value == "2026"


def test_country_without_answers_says_so(nl_ctx, tree):
    fig, _caption, notices = update(nl_ctx, level="country", country="BE")
    assert "No municipality in Belgium answered in wave 2026" in tree.text(notices)
    assert np.isclose(z_of(fig), SCALES["median"].empty).all()


def test_all_regions_suppressed_says_so(nl_data_dir, tree):
    ctx = AppContext.load(Settings.from_env({"DS4E_DATA_DIR": str(nl_data_dir),
                                             "DS4E_MIN_GROUP": "1000"}))
    _, caption, notices = update(ctx, level="nuts3")
    with_answers = len(mart(ctx, "2026", "ALL", "nuts3"))
    assert with_answers > 30
    assert f"Every NUTS 3 region with answers ({with_answers}) has fewer than 1000 " \
        "municipalities" in tree.text(notices)
    assert "0 of" in caption


# ------------------------------------------------------------------ permalink and downloads


def test_permalink_round_trip(nl_ctx, tree):
    query = {"measure": "SEC-02", "stat": "share_ge3", "wave": "2025", "level": "nuts3",
             "country": "BE"}
    page = maps.layout(nl_ctx, "en", query)
    control_ids = {"measure": ids.MEASURE, "stat": ids.STAT, "wave": ids.WAVE, "level": ids.LEVEL,
                   "country": ids.COUNTRY}
    values = {k: tree.find(page, id=cid)[0].value for k, cid in control_ids.items()}
    assert values == query
    search = callbacks.permalink(nl_ctx, *(values[k] for k in CONTROLS))
    assert shell.parse_query(search) == query
    again = maps.layout(nl_ctx, "en", shell.parse_query(search))
    assert {k: tree.find(again, id=cid)[0].value for k, cid in control_ids.items()} == query
    # unknown values fall back to defaults (the one-country demo opens on its municipal map)
    s, notes = data.resolve_state(nl_ctx, nl_ctx.warehouse.snapshot(), "XYZ-99", "mean",
                                  None, "world", "ZZ")
    assert (s.measure, s.stat, s.wave, s.level, s.country) == (
        "ALL", "median", "2026", "country", "NL")
    assert notes[0][0] == "maps.notice.measure"


@pytest.mark.parametrize("kind", ids.DOWNLOADS)
def test_every_table_downloads_as_csv(nl_ctx, kind, tree):
    df, name = export.download_frame(nl_ctx, kind, *state(level="country").values(), "en")
    assert len(df) > 0 and name.startswith(f"ds4e-{kind}-") and name.endswith(".csv")
    page = maps.layout(nl_ctx, "en")
    assert tree.find(page, id=ids.download_button_id(kind))
    # the route behind the links gives the same table (tests/dashboard/test_table_downloads.py)
    assert export.FILES[kind].frame(nl_ctx, **state(level="country"), lang="en")[1] == name


def test_captions_are_text_alternatives(nl_ctx, tree):
    page = maps.layout(nl_ctx, "nl", {"level": "nuts2"})
    caption = tree.find(page, id=ids.CAPTION)[0]
    assert caption.children.startswith("Mediaan totale volwassenheid per NUTS 2-regio")
    assert "Hoogste:" in caption.children and "laagste:" in caption.children


# ------------------------------------------------------------------ shared components


def test_country_and_region_names_come_from_components_places(nl_ctx, tree, monkeypatch):
    """One source of names for every view (dashboard/components/places.py): the country list,
    the coverage line, the tables and the map's regions show places' names."""
    snap = nl_ctx.warehouse.snapshot()
    ref = nl_ctx.settings.reference_dir
    for lang, netherlands in (("nl", "Nederland (NL)"), ("en", "Netherlands (NL)")):
        page = maps.layout(nl_ctx, lang, {"level": "country", "country": "NL"})
        options = tree.find(page, id=ids.COUNTRY)[0].options
        names = places.country_names(ref)[lang]
        assert [o["label"] for o in options] == [
            f"{names[c]} ({c})" for c in sorted(data.country_codes(nl_ctx), key=names.get)]
        assert netherlands in [o["label"] for o in options]
    s, _ = data.resolve_state(nl_ctx, snap, **state(level="nuts3"))
    regions = data.regions_frame(nl_ctx, snap, s, "en")
    assert regions["name"].tolist() == [places.region_name(nl_ctx, i) for i in regions["region"]]
    # and nothing of its own: a different name in places is what the page shows
    real = places.country_names(ref)
    monkeypatch.setattr(places, "country_names",
                        lambda _ref: {**real, "en": {**real["en"], "NL": "Holland"}})
    page = maps.layout(nl_ctx, "en", {"level": "country", "country": "NL"})
    assert "Holland (NL)" in [o["label"] for o in tree.find(page, id=ids.COUNTRY)[0].options]
    assert "Coverage in Holland, wave 2026" in tree.text(tree.find(page, id=ids.COVERAGE)[0])


def test_the_api_names_areas_as_the_map_does(consent, nl_ctx):
    """/api/v1/aggregates and the map's tables read names from the same component."""
    body = consent.get("/api/v1/aggregates?level=nuts2&measure=ALL&lang=nl").get_json()
    snap = nl_ctx.warehouse.snapshot()
    s, _ = data.resolve_state(nl_ctx, snap, **state(level="nuts2"))
    df = data.regions_frame(nl_ctx, snap, s, "nl")
    names = dict(zip(df["region"], df["name"], strict=True))
    assert {i["area_id"]: i["area_name"] for i in body["items"]} == names


@pytest.mark.parametrize("min_group", ["5", "3", "8"])
def test_api_aggregates_equal_the_map(nl_data_dir, api_client, min_group):
    """/api/v1/aggregates and the map's area statistics cannot disagree: the API hides what the
    map hides, also with DS4E_MIN_GROUP below the build's (5), where the build has no statistics
    for groups of 3 or 4 (the API said "not suppressed" with null statistics before)."""
    env = {"DS4E_DATA_DIR": str(nl_data_dir), "DS4E_MIN_GROUP": min_group}
    client = api_client(nl_data_dir, DS4E_MIN_GROUP=min_group)
    ctx = AppContext.load(Settings.from_env(env))
    snap = ctx.warehouse.snapshot()
    for level in ("country", "nuts2", "nuts3"):
        body = client.get(f"/api/v1/aggregates?level={level}&measure=ALL&wave=2026").get_json()
        assert body["min_group"] == data.min_group(ctx, snap) == max(int(min_group), 5)
        stats = data.stats_of(ctx, snap, "2026", "ALL", level)
        assert sorted(i["area_id"] for i in body["items"]) == sorted(stats.ids)
        cols = stats.take([i["area_id"] for i in body["items"]])
        for k, item in enumerate(body["items"]):
            assert (item["n"], item["suppressed"]) == (cols["n"][k], cols["suppressed"][k])
            for stat in ("median", "q1", "q3", "share_ge3"):
                if np.isnan(cols[stat][k]):
                    assert item[stat] is None, (level, item)
                else:
                    assert item[stat] == pytest.approx(cols[stat][k], abs=1e-6)


@pytest.mark.parametrize("lang,png,zoom", [("nl", "Grafiek downloaden als PNG", "Inzoomen"),
                                           ("en", "Download plot as a PNG", "Zoom in")])
def test_chart_toolbars_speak_the_page_language(nl_ctx, tree, lang, png, zoom):
    """Every chart's config carries plotly's texts in the page language
    (components/figures.localised_config); the map keeps its own toolbar settings."""
    page = maps.layout(nl_ctx, lang, {"level": "nuts2"})
    graphs = [c for c in tree.walk(page) if isinstance(c, dcc.Graph)]
    assert {g.id for g in graphs} >= {ids.GRAPH, ids.SIZES_GRAPH}
    for g in graphs:
        assert g.config["locale"] == lang
        words = g.config["locales"][lang]["dictionary"]
        assert words["Download plot as a PNG"] == png and words["Zoom in"] == zoom
    (map_graph,) = [g for g in graphs if g.id == ids.GRAPH]
    assert map_graph.config["scrollZoom"] and not map_graph.config["displaylogo"]
    assert map_graph.config["modeBarButtonsToRemove"] == ["select2d", "lasso2d"]


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_numbers_are_written_as_the_language_writes_them(nl_ctx, lang):
    """The shared formatter (components/numbers.py): a decimal comma in Dutch and a point in
    English in the caption; thousands separated in the coverage line."""
    _, caption, _ = update(nl_ctx, lang=lang, level="nuts2")
    assert set(re.findall(r"\d([.,])\d\d\b", caption)) == {"," if lang == "nl" else "."}
    coverage, *_ = callbacks.update_tables(nl_ctx, *state(level="nuts2").values(), lang)
    n = len(nl_ctx.municipalities)  # every municipality in the reference data, EU-wide
    assert n > 1000 and fmt_int(n, lang) in coverage and str(n) not in coverage


# ------------------------------------------------------------------ national indices: readable labels


def eu_like_context(ctx) -> pd.DataFrame:
    """The context table as an EU-wide build gives it: every country with an index gets a
    self-assessed median that follows DESI, so the dots crowd as they do on the EU demo."""
    idx = data.national_indices(ctx).reset_index()
    rng = np.random.default_rng(17)
    base = idx["desi_dps"].fillna(idx["egov_overall"]).fillna(60).to_numpy()
    return pd.DataFrame({"country": idx["country"], "name": idx["country"],
                         "self_assessed_median": (base / 40 + rng.normal(0, 0.15, len(idx))).round(2),
                         **{k: idx[k] for k in figures.INDICES}})


def label_boxes(fig: dict) -> tuple[list, list]:
    """(label boxes, dot boxes) in pixels of the narrowest chart, from the figure itself."""
    (trace,) = fig["data"]
    x0, x1 = fig["layout"]["xaxis"]["range"]
    y0, y1 = fig["layout"]["yaxis"]["range"]
    height = figures.CONTEXT_HEIGHT - figures.CONTEXT_MARGIN["t"] - figures.CONTEXT_MARGIN["b"]
    px = [(x - x0) / (x1 - x0) * figures.CONTEXT_PLOT_WIDTH for x in trace["x"]]
    py = [(y1 - y) / (y1 - y0) * height for y in trace["y"]]
    r = 4  # an 8 px dot
    dots = [(a - r, b - r, a + r, b + r) for a, b in zip(px, py, strict=True)]
    labels = [figures._label_box(pos, a, b, len(text) * 6.5, 12) if text else None
              for text, pos, a, b in zip(trace["text"], trace["textposition"], px, py,
                                         strict=True)]
    return labels, dots


def overlaps(a, b) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


@pytest.mark.parametrize("index", ["desi_dps", "egov_overall", "oecd_dgi"])
def test_country_labels_do_not_overlap_on_the_narrowest_chart(nl_ctx, index):
    """The DESI/eGov/OECD dots crowd at the top right: a label goes where it collides with no
    other label or dot, else the country is named on hover only."""
    fig = figures.context_figure(eu_like_context(nl_ctx), index, "en")
    labels, dots = label_boxes(fig)
    shown = [(i, b) for i, b in enumerate(labels) if b]
    for k, (i, a) in enumerate(shown):
        assert not any(overlaps(a, b) for _, b in shown[k + 1:]), fig["data"][0]["text"][i]
        assert not any(overlaps(a, d) for j, d in enumerate(dots) if j != i)
    n = len(labels)
    assert n > 20 and n / 2 < len(shown) < n  # most are labelled; the crowd loses a few
    assert all(fig["data"][0]["customdata"])  # and every dot names its country on hover
    assert "%{customdata}" in fig["data"][0]["hovertemplate"]


def test_outliers_and_the_country_in_focus_keep_their_labels(nl_ctx):
    df = eu_like_context(nl_ctx)
    fig = figures.context_figure(df, "desi_dps", "en", focus="NL")
    (trace,) = fig["data"]
    text = dict(zip(trace["customdata"], trace["text"], strict=True))
    lowest = df.loc[df["desi_dps"].idxmin(), "country"]  # far left, alone
    assert text["NL"] == "NL" and text[lowest] == lowest
    nl = trace["customdata"].index("NL")
    assert trace["marker"]["size"][nl] > max(s for i, s in enumerate(trace["marker"]["size"])
                                             if i != nl)


def test_place_labels_drops_what_does_not_fit():
    """Eight dots on one spot: two labels fit (above and below), the rest show on hover; a lone
    dot keeps its label; a dot in `first` is labelled even inside a crowd."""
    x = [0.5] * 8 + [0.0]
    y = [2.0] * 8 + [0.0]
    positions = figures.place_labels(x, y, ["AA"] * 9, (-0.1, 0.6), (-0.5, 4), 220, 240)
    assert positions[-1] is not None
    assert sum(p is not None for p in positions[:8]) == 2
    crowd = [0.5 + 0.01 * i for i in range(8)] + [0.0]  # a few pixels apart: no room beside them
    positions = figures.place_labels(crowd, y, ["AA"] * 9, (-0.1, 0.6), (-0.5, 4), 220, 240,
                                     first=[3])
    assert positions[3] is not None


def test_indices_charts_stack_on_a_phone_and_sit_side_by_side_on_a_laptop(nl_ctx, tree):
    page = maps.layout(nl_ctx, "en")
    cols = [c for c in tree.walk(page) if isinstance(c, dbc.Col)
            and any(getattr(g, "id", None) in ids.CONTEXT_GRAPHS.values() for g in tree.walk(c))]
    assert len(cols) == 3 and all((c.xs, c.lg) == (12, 4) for c in cols)
    for fig in callbacks.update_context(nl_ctx, "2026", "nuts2", "NL", "nl")[1:4]:
        assert fig["layout"]["height"] == figures.CONTEXT_HEIGHT
        assert fig["layout"]["separators"] == ",."  # 83,1 in Dutch


def test_each_visibility_rule_reads_its_own_statistics(nl_ctx, nl_open_ctx):
    """One process (or test run) holding both rules: the open rule's statistics, read first,
    must not be served under the consent rule (the cache key once lacked the rule)."""
    consent_first = {a: data.stats_of(nl_ctx, nl_ctx.warehouse.snapshot(), "2026", "ALL", a)
                     for a in ("nuts2", "nuts3")}
    data._CACHE.clear()
    data._AREA_STATS.clear()
    for a in ("nuts2", "nuts3"):
        data.stats_of(nl_open_ctx, nl_open_ctx.warehouse.snapshot(), "2026", "ALL", a)
        again = data.stats_of(nl_ctx, nl_ctx.warehouse.snapshot(), "2026", "ALL", a)
        assert again.ids == consent_first[a].ids
        for col in ("suppressed", "median"):
            assert np.array_equal(again.columns[col], consent_first[a].columns[col], equal_nan=True), a
