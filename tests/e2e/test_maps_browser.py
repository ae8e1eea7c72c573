"""The map pages in a real browser with the geometry served as files (dashboard/geo_files.py):
plotly fetches the URL the figure names, same origin, and draws the shapes."""

from __future__ import annotations

from playwright.sync_api import Page

# The shapes MapLibre has drawn: with the "white-bg" style the only rendered features are the
# trace's (and the outline layer's), so a count > 0 means the fetched geometry was drawn.
DRAWN = """(sel) => {
  const gd = document.querySelector(sel + ' .js-plotly-plot');
  const sub = gd && gd._fullLayout && gd._fullLayout.map && gd._fullLayout.map._subplot;
  return sub && sub.map && sub.map.loaded() ? sub.map.queryRenderedFeatures().length : 0;
}"""


def drawn(page: Page, graph: str, condition: str) -> None:
    """Wait until the shapes MapLibre has drawn in `graph` meet `condition` (e.g. "> 300")."""
    page.wait_for_function(f"() => ({DRAWN})('{graph}') {condition}", timeout=15000)


def _geo_fetched(page: Page, part: str, action):
    with page.expect_response(lambda r: f"/geo/{part}" in r.url) as info:
        action()
    resp = info.value
    assert resp.status == 200 and resp.url.startswith(page.url.split("/", 3)[0] + "//")
    return resp


def test_maps_draw_fetched_geometry(page: Page, demo_server, console_errors, shot):
    # only Dutch municipalities answered: the municipal map of the Netherlands
    resp = _geo_fetched(page, "maps/country-NL.json", lambda: page.goto(demo_server + "/maps"))
    assert "immutable" in resp.headers["cache-control"]
    drawn(page, "#maps-graph", "> 300")
    trace = page.evaluate("() => document.querySelector('#maps-graph .js-plotly-plot').data[0]")
    assert trace["type"] == "choroplethmap" and trace["geojson"].startswith("/geo/maps/")
    assert len(trace["locations"]) == 342
    shot("maps-geo-nl")

    # another level: its own file, drawn
    _geo_fetched(page, "maps/nuts3.json", lambda: page.select_option("#maps-level", "nuts3"))
    page.wait_for_function(
        "() => document.querySelector('#maps-graph .js-plotly-plot').data[0].locations.length > 1000")
    drawn(page, "#maps-graph", "> 0")

    # a country with points only: region borders fetched as a layer
    page.select_option("#maps-level", "country")
    _geo_fetched(page, "maps/outline-BE.json", lambda: page.select_option("#maps-country", "BE"))
    drawn(page, "#maps-graph", "> 0")
    assert not console_errors, console_errors


def test_overview_map_draws_fetched_geometry(page: Page, demo_server, console_errors):
    resp = _geo_fetched(page, "overview/nl.json", lambda: page.goto(demo_server + "/"))
    assert resp.headers.get("content-type", "").startswith("application/geo+json")
    drawn(page, "#overview-map", "> 300")
    _geo_fetched(page, "overview/eu.json",
                 lambda: page.select_option("#overview-map-view", "eu"))
    drawn(page, "#overview-map", "> 0")
    assert not console_errors, console_errors
