"""The first run in a real browser: the Overview page on demo data, and on no data."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

TRACE = "() => document.querySelector('#overview-map .js-plotly-plot').data[0]"


def _serious(violations):
    return [v for v in violations if v["impact"] in ("serious", "critical")]


def test_first_run_overview(page: Page, demo_server, console_errors, axe, shot):
    page.goto(demo_server + "/")
    expect(page.locator(".demo-banner")).to_contain_text("Demogegevens")
    expect(page.locator("h1")).to_have_text("Overzicht: wie deed mee?")
    # only Dutch municipalities answered, so the Dutch municipal map is chosen
    expect(page.locator("#overview-map-view")).to_have_value("nl")
    expect(page.locator("#overview-map .js-plotly-plot")).to_be_visible()
    trace = page.evaluate(TRACE)
    assert trace["type"] == "choroplethmap" and len(trace["locations"]) == 342
    caption = page.locator("#overview-map-caption")
    expect(caption).to_contain_text("van de 342 gemeenten hebben in ronde 2026")
    before = sum(page.evaluate(TRACE)["z"])
    shot("overview-demo-nl")
    assert not _serious(axe()), _serious(axe())

    page.select_option("#overview-wave", "2025")
    expect(caption).to_contain_text("ronde 2025")
    after = sum(page.evaluate(TRACE)["z"])
    assert after != before  # recoloured for the other wave
    assert len(page.evaluate(TRACE)["locations"]) == 342  # geometry untouched

    page.select_option("#overview-map-view", "eu")
    expect(caption).to_contain_text("NUTS 2")
    page.wait_for_function(
        "() => document.querySelector('#overview-map .js-plotly-plot').data[0].locations.length > 300")
    expect(page.locator("#overview-table")).to_contain_text("Nederland (NL)")
    shot("overview-demo-eu")
    assert not console_errors, console_errors


def test_overview_without_data(page: Page, live_server, console_errors):
    page.goto(live_server + "/")
    expect(page.get_by_text("Nog geen enquêtegegevens gepubliceerd")).to_be_visible()
    expect(page.locator(".demo-banner")).to_have_count(0)
    page.get_by_role("link", name="Kennis").click()
    expect(page).to_have_url(re.compile("/knowledge$"))
    assert not console_errors, console_errors
