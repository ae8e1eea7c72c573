"""Click through the Knowledge page in headless Chromium, as a user would."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect


def _serious(violations):
    return [v for v in violations if v["impact"] in ("serious", "critical")]


def test_search_open_element_no_errors_no_serious_axe(page: Page, live_server, console_errors,
                                                     axe, shot):
    page.goto(live_server + "/knowledge")
    expect(page.locator("#knowledge-count")).to_have_text("39 van 39 elementen")
    page.get_by_label("Zoek in het raamwerk").fill("wallet")
    expect(page.locator("#knowledge-count")).to_contain_text("voor ‘wallet’")
    page.get_by_role("link", name=re.compile(r"SRV-02")).first.click()
    expect(page.locator("#element-title")).to_contain_text("SRV-02")
    expect(page).to_have_url(re.compile(r"element=SRV-02"))
    expect(page.locator(".level-item")).to_have_count(5)
    # the search survives opening an element
    expect(page.get_by_label("Zoek in het raamwerk")).to_have_value("wallet")
    shot("knowledge-srv-02")
    assert not _serious(axe()), _serious(axe())
    assert not console_errors, console_errors


def test_follow_an_enabler_and_switch_language(page: Page, live_server, console_errors, shot):
    page.goto(live_server + "/knowledge?element=SEC-04")
    expect(page.locator("#element-title")).to_contain_text("SEC-04")
    enabler = page.locator(".element-detail section").filter(has_text="Wordt mogelijk gemaakt door")
    first = enabler.get_by_role("link").first
    target = first.inner_text().split()[0]
    first.click()
    expect(page.locator("#element-title")).to_contain_text(target)
    page.get_by_text("EN", exact=True).click()
    expect(page.locator("h1")).to_have_text("Knowledge: building blocks and elements")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.locator("#element-title")).to_contain_text(target)
    shot("knowledge-en")
    assert not console_errors, console_errors


def test_keyboard_only(page: Page, live_server):
    page.goto(live_server + "/knowledge")
    expect(page.locator("#knowledge-count")).to_have_text("39 van 39 elementen")
    page.keyboard.press("Tab")
    expect(page.locator(".skip-link")).to_be_focused()
    page.get_by_label("Zoek in het raamwerk").focus()
    page.keyboard.type("DAT-02")
    expect(page.locator("#knowledge-count")).to_contain_text("DAT-02")
    page.keyboard.press("Tab")   # block select
    page.keyboard.press("Tab")   # first result link
    expect(page.locator(":focus")).to_contain_text("DAT-02")
    page.keyboard.press("Enter")
    expect(page.locator("#element-title")).to_contain_text("DAT-02")


def test_overview_and_unknown_page(page: Page, live_server, console_errors, axe, shot):
    page.goto(live_server + "/knowledge")
    expect(page.get_by_role("heading", name=re.compile("8 bouwstenen, 39 elementen"))).to_be_visible()
    shot("knowledge-overview")
    assert not _serious(axe()), _serious(axe())
    page.goto(live_server + "/does-not-exist")
    expect(page.get_by_role("heading", name="Pagina niet gevonden")).to_be_visible()
    assert not console_errors, console_errors


def test_member_state_dates(page: Page, live_server, console_errors, axe, shot):
    """A requirement whose date each member state sets shows the default date and the member
    states that differ, not just "national date"."""
    page.goto(live_server + "/knowledge?element=SEC-02")
    laws = page.locator(".laws-table")
    nis2 = laws.locator("tr").filter(has_text="NIS2")
    expect(nis2).to_contain_text("geen datum bekend (standaard; verschilt per lidstaat: "
                                 "AT 2026-10-01, BE 2024-10-18, CZ 2025-11-01")
    expect(laws).not_to_contain_text("nationale datum")
    shot("knowledge-sec-02-dates")
    assert not _serious(axe()), _serious(axe())
    page.goto(live_server + "/knowledge?element=SRV-02")
    expect(page.locator(".laws-table")).to_contain_text(
        "2026-12-24 (standaard; voor zover bekend wijkt geen lidstaat af)")
    page.get_by_text("EN", exact=True).click()
    expect(page.locator(".laws-table")).to_contain_text(
        "2026-12-24 (default; no member state on record differs)")
    assert not console_errors, console_errors
