"""The Municipality profile on a phone (390 px) with a hand-picked peer group: the distribution
per element uses the full width with whole names, the eGovernment Benchmark table stacks
instead of clipping its third column, and axe finds nothing serious (the hand-picked group's
field once had a name that did not contain its visible text)."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

ENSCHEDE = "NL_GM0153"  # in the eGovernment Benchmark 2023
PICKED = ("NL_GM0014", "NL_GM0034", "NL_GM0344")
DIST = "#profile-distribution .js-plotly-plot"


def _serious(violations):
    return [v for v in violations if v["impact"] in ("serious", "critical")]


def test_profile_on_a_phone_with_hand_picked_peers(page: Page, demo_server, console_errors,
                                                   axe, shot):
    page.set_viewport_size({"width": 390, "height": 900})
    page.goto(f"{demo_server}/profile?m={ENSCHEDE}&peers=custom&custom={','.join(PICKED)}")
    page.wait_for_function(f"() => {{ const g = document.querySelector('{DIST}');"
                           " return g && g.data && g.data.length >= 2; }")
    expect(page.locator("#profile-context table")).to_be_visible()
    page.wait_for_load_state("networkidle")
    shot("profile-phone-hand-picked")
    assert page.evaluate("() => document.documentElement.scrollWidth") <= 390

    # the distribution: marks over the chart's full width, 39 whole names inside the chart
    plot = page.evaluate(f"() => document.querySelector('{DIST}')._fullLayout._size.w")
    assert plot >= 280, plot  # was ~60 px with the names as tick labels
    graph = page.locator(DIST).bounding_box()
    names = page.locator(f"{DIST} .annotation-text")
    assert names.count() == 39
    for box in (names.nth(i).bounding_box() for i in range(39)):
        assert graph["x"] <= box["x"] and box["x"] + box["width"] <= graph["x"] + graph["width"]
    expect(names.first).to_have_text(re.compile(r"^STR-01 Digita"))
    # a row shows its hover text anywhere on it, its name included
    names.first.scroll_into_view_if_needed()
    first = names.first.bounding_box()
    page.mouse.move(first["x"] + 5, first["y"] + first["height"] / 2)
    expect(page.locator(f"{DIST} .hoverlayer")).to_contain_text("STR-01")

    # the benchmark table: every cell within the screen, each share named by its column
    cells = page.locator("#profile-context td")
    assert cells.count() == 12
    for i in range(cells.count()):
        box = cells.nth(i).bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= 390, (i, box)
    expect(cells.nth(1)).to_contain_text("Nederland")  # the third column's name on a phone
    expect(page.locator("#profile-context thead")).to_have_count(1)  # kept for screen readers

    # the hand-picked group's count beside its label, not inside the field
    expect(page.locator("#profile-custom-count")).to_have_text(re.compile(r"^3 "))
    expect(page.locator("#profile-custom-box .dash-dropdown-value-count")).to_be_hidden()
    found = axe()
    assert not [v for v in found if v["id"] in ("label-content-name-mismatch",
                                                "scrollable-region-focusable")], found
    assert not _serious(found), _serious(found)
    assert not console_errors, console_errors
