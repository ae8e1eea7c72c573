"""Map geometry served as files (dashboard/geo_files.py): the figures name it by URL, the URL
answers the geometry the figure's locations match, cacheable, from any process."""

from __future__ import annotations

import gzip
import json

import pytest

from dashboard import geo, geo_files
from dashboard.views.maps import callbacks as maps_callbacks
from dashboard.views.maps import data as maps_data
from dashboard.views.maps import ids as maps_ids
from dashboard.views.maps.geometry import geometry
from dashboard.views.overview import figures as ov_figures


def update(ctx, trigger=maps_ids.LEVEL, level="nuts2", country="NL"):
    """The Maps page's map callback: (figure, caption, notices)."""
    return maps_callbacks.update_map(ctx, "ALL", "median", None, level, country, "en", trigger)


def trace0(fig: dict) -> dict:
    return fig["data"][0]


def fetch(client, url: str, **headers):
    return client.get(url, headers=headers)


def body(resp) -> dict:
    raw = resp.get_data()
    if resp.headers.get("Content-Encoding") == "gzip":
        raw = gzip.decompress(raw)
    return json.loads(raw)


def ids_of(gj: dict) -> list[str]:
    return [f["id"] for f in gj["features"]]


@pytest.mark.parametrize("view", ["nl", "eu"])
def test_overview_map_names_its_geometry_and_the_file_matches(nl_open_ctx, open_, view):
    ctx, snap = nl_open_ctx, nl_open_ctx.warehouse.snapshot()
    fig = ov_figures.coverage_figure(ctx, snap, view, snap.waves[-1], "en")
    trace = fig["data"][0]
    url = trace["geojson"]
    assert isinstance(url, str) and url.startswith(f"/geo/overview/{view}.json?v=")
    assert len(json.dumps(fig)) < 60_000  # the geometry (~300 KB at EU) is not in the answer
    resp = fetch(open_, url)
    assert resp.status_code == 200 and resp.mimetype == "application/geo+json"
    gj = body(resp)
    assert gj == ov_figures.geometry(ctx, view)
    # plotly matches locations to the features' `id` (featureidkey's default): every location
    # has its shape, as with the GeoJSON in the figure before (but the extra-regio ones, ELZZ,
    # which GISCO draws nowhere)
    assert {loc for loc in set(trace["locations"]) - set(ids_of(gj)) if not loc.endswith("ZZ")} == set()
    full = geo.nl_municipalities(ctx.settings.reference_dir) if view == "nl" else geo.nuts(
        ctx.settings.reference_dir, 2)
    assert ids_of(gj) == ids_of(full)  # the same shapes, only properties dropped and rounded


@pytest.mark.parametrize("level,country", [("nuts2", "NL"), ("nuts3", "NL"), ("country", "NL"),
                                           ("country", "FR")])
def test_maps_choropleth_file_matches_its_locations(nl_ctx, consent, level, country):
    fig, _, _ = update(nl_ctx, trigger=maps_ids.LEVEL, level=level, country=country)
    trace = trace0(fig)
    assert trace["type"] == "choroplethmap"
    gj = body(fetch(consent, trace["geojson"]))
    assert ids_of(gj) == trace["locations"]  # the same order and ids as the GeoJSON before
    assert gj == geometry(nl_ctx, level, country).geojson


def test_maps_points_outline_is_a_file(nl_ctx, consent):
    fig, _, _ = update(nl_ctx, trigger=maps_ids.LEVEL, level="country", country="BE")
    layer = fig["layout"]["map"]["layers"][0]
    assert layer["sourcetype"] == "geojson"
    gj = body(fetch(consent, layer["source"]))
    assert gj == geometry(nl_ctx, "country", "BE").outline and gj["features"]


def test_caching_headers_gzip_and_revalidation(nl_open_ctx, open_):
    ctx, snap = nl_open_ctx, nl_open_ctx.warehouse.snapshot()
    url = ov_figures.coverage_figure(ctx, snap, "eu", snap.waves[-1], "en")["data"][0]["geojson"]
    tag = url.split("?v=")[1]
    plain = fetch(open_, url)
    assert plain.headers["ETag"] == f'"{tag}"'
    assert plain.headers["Cache-Control"] == geo_files.IMMUTABLE  # the URL of these very bytes
    assert "Accept-Encoding" in plain.headers["Vary"]
    zipped = fetch(open_, url, **{"Accept-Encoding": "gzip"})
    assert zipped.headers["Content-Encoding"] == "gzip" and zipped.headers["ETag"] == f'"{tag}-gzip"'
    assert len(zipped.get_data()) < len(plain.get_data()) / 2
    assert body(zipped) == body(plain)
    # a browser's revalidation: 304, no body, for either variant's tag
    for sent in (f'"{tag}"', f'W/"{tag}-gzip"'):
        resp = fetch(open_, url, **{"If-None-Match": sent})
        assert resp.status_code == 304 and not resp.get_data()
    # another (old) version or none: served, but never kept without asking again
    for other in (url.split("?")[0], url.split("?")[0] + "?v=0000"):
        resp = fetch(open_, other)
        assert resp.status_code == 200 and resp.headers["Cache-Control"] == geo_files.REVALIDATE


@pytest.mark.parametrize("path", ["/geo/overview/world.json", "/geo/maps/country-XX.json",
                                  "/geo/maps/outline-XX.json", "/geo/maps/nuts4.json",
                                  "/geo/maps/nuts2-NL.json", "/geo/nope/nuts2.json",
                                  "/geo/maps/a.b.json"])
def test_unknown_geometry_is_404_and_not_kept(open_, path):
    before = len(geo_files._FILES._values)
    assert fetch(open_, path).status_code == 404
    assert len(geo_files._FILES._values) == before


def test_any_process_answers_a_url_another_rendered(nl_open_ctx, open_):
    """gunicorn's workers share no memory after the fork: the worker asked for the file may not
    be the one that rendered the figure. It makes the same file (the same tag) from the key."""
    fig, _, _ = update(nl_open_ctx, trigger=maps_ids.LEVEL, level="nuts3")
    url = trace0(fig)["geojson"]
    geo_files._FILES.clear()
    maps_data._CACHE.clear()
    resp = fetch(open_, url)
    assert resp.status_code == 200 and resp.headers["Cache-Control"] == geo_files.IMMUTABLE
    assert resp.headers["ETag"] == f'"{url.split("?v=")[1]}"'
