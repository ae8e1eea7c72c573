"""Insight in a real browser: pick a municipality by typing, switch the radar, filter the
heatmap, and follow a permalink to the same view."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

RADAR = "() => document.querySelector('#profile-radar .js-plotly-plot').data"
# z is sent as a base64 int8 array (plotly 7); compare it as serialised
HEAT = "() => JSON.stringify(document.querySelector('#heatmap-graph .js-plotly-plot').data[0].z)"


def _wait_heatmap(page: Page) -> dict:
    page.wait_for_function(
        "() => { const g = document.querySelector('#heatmap-graph .js-plotly-plot');"
        " return g && g.data && g.data.length > 0; }")
    return page.evaluate(HEAT)


def _serious(violations):
    return [v for v in violations if v["impact"] in ("serious", "critical")]


def test_profile_heatmap_permalink(page: Page, demo_server, console_errors, axe, shot):
    page.goto(demo_server + "/profile")
    picker = page.locator("#profile-municipality")
    picker.click()
    search = page.locator("input.dash-dropdown-search").first
    search.fill("Amersfoort")
    page.get_by_role("option", name=re.compile(r"^Amersfoort \(NL")).first.click()
    expect(page).to_have_url(re.compile(r"m=NL_GM0307"))
    page.wait_for_function(
        "() => { const g = document.querySelector('#profile-radar .js-plotly-plot');"
        " return g && g.data && g.data.length >= 2; }")
    blocks = page.evaluate(RADAR)
    assert len(blocks[-1]["r"]) in (8, 9)  # 8 blocks (closed polygon repeats the first)
    shot("profile-amersfoort-blocks")
    assert not _serious(axe()), _serious(axe())

    page.locator("label[for='_dbcprivate_radioitems_profile-view_input_elements']").click()
    expect(page).to_have_url(re.compile(r"view=elements"))
    page.wait_for_function(
        "() => { const d = document.querySelector('#profile-radar .js-plotly-plot').data;"
        " return d[d.length - 1].r.length >= 39; }")
    shot("profile-amersfoort-elements")

    page.get_by_role("link", name="Heatmap elementen").click()
    expect(page.locator("#heatmap-graph .js-plotly-plot")).to_be_visible()
    page.select_option("#heatmap-size", "20k-50k")
    expect(page).to_have_url(re.compile(r"size=20k-50k"))
    page.wait_for_load_state("networkidle")
    grid = _wait_heatmap(page)
    caption = page.locator("#heatmap-caption").inner_text()
    url = page.url
    shot("heatmap-nl-20k-50k")
    assert not _serious(axe()), _serious(axe())

    # a permalink opened fresh reproduces the view
    page.goto(url)
    expect(page.locator("#heatmap-size")).to_have_value("20k-50k")
    expect(page.locator("#heatmap-caption")).to_have_text(caption)
    again = _wait_heatmap(page)
    assert again == grid and len(grid) > 100
    assert not console_errors, console_errors
