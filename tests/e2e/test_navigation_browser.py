"""Navigation in a real browser: the toolkit's parts in the navbar, the current part's pages
under it, the chosen municipality carried from page to page, a title per page, and the frame
following the language switch (issue 17)."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

# the page then writes the rest of its state after the carried municipality (a permalink)
ON_ROADMAP = re.compile(r"/roadmap\?m=NL_GM0014(&|$)")


def _serious(violations):
    return [v for v in violations if v["impact"] in ("serious", "critical")]


def test_a_municipality_travels_from_profile_to_roadmap_to_legislation(
        page: Page, demo_server, console_errors, axe):
    page.goto(demo_server + "/profile?m=NL_GM0014")
    expect(page.locator("#page-content")).to_contain_text("Groningen", timeout=20_000)
    expect(page).to_have_title("Gemeenteprofiel · DS4E toolkit")
    nav = page.get_by_role("navigation", name="Hoofdnavigatie")
    expect(nav.get_by_role("link")).to_have_text(
        ["Kennis", re.compile("^Inzicht"), "Handelingsperspectief", "EU-wetgeving", "Vragenlijst"])
    sub = page.get_by_role("navigation", name="Pagina's van Inzicht")
    expect(sub.get_by_role("link")).to_have_count(4)
    expect(sub.get_by_role("link", name=re.compile("Gemeenteprofiel"))).to_contain_text(
        "huidige pagina")  # said to a screen reader, not shown
    assert not _serious(axe()), _serious(axe())

    nav.get_by_role("link", name="Handelingsperspectief").click()
    expect(page).to_have_url(ON_ROADMAP)
    expect(page).to_have_title("Roadmap · DS4E toolkit")
    expect(page.locator("#page-content")).to_contain_text("Groningen", timeout=20_000)
    expect(page.get_by_role("navigation", name="Pagina's van Handelingsperspectief")
           .get_by_role("link")).to_have_count(2)

    nav.get_by_role("link", name="EU-wetgeving").click()
    expect(page).to_have_url(re.compile(r"/legislation\?view=municipality&m=NL_GM0014(&|$)"))
    expect(page.locator("#page-content")).to_contain_text("Groningen", timeout=20_000)
    # and back: the legislation page carries it to the profile's part
    nav.get_by_role("link", name="Handelingsperspectief").click()
    expect(page).to_have_url(ON_ROADMAP)
    expect(page.locator("#page-content")).to_contain_text("Groningen", timeout=20_000)
    assert not console_errors, console_errors


def test_the_frame_switches_language(page: Page, demo_server, console_errors):
    page.goto(demo_server + "/policy")
    expect(page).to_have_title("Beleid & financiering · DS4E toolkit")
    page.locator(".lang-switch label", has_text="EN").click()
    expect(page).to_have_title("Policy & funding · DS4E toolkit")
    expect(page.locator("#skip-link")).to_have_text("Skip to content")
    nav = page.get_by_role("navigation", name="Main navigation")
    expect(nav.get_by_role("link")).to_have_text(
        ["Knowledge", "Insight", re.compile("^Roadmap"), "EU legislation", "Survey"])
    assert not console_errors, console_errors
