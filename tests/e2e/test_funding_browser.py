"""The funding what-if in a real browser: a user edits package A, runs it and reads the answer in
words with its number, the same sentence and number the API gives for the same request; the
section passes axe with no serious violation and the page logs no console error."""

from __future__ import annotations

import re

import requests
from playwright.sync_api import Page, expect

from dashboard.views.policy import ids


def _serious(violations):
    return [v for v in violations if v["impact"] in ("serious", "critical")]


def test_edit_run_and_read_the_sentence(page: Page, demo_server, console_errors, axe, shot):
    page.set_viewport_size({"width": 1366, "height": 900})
    page.goto(demo_server + "/policy?country=NL")
    run = page.locator(f"#{ids.FUNDING_RUN}")
    expect(run).to_be_visible(timeout=30_000)
    # edit package A: SEC-02 to level 4 only (the second row emptied), at most 60 municipalities
    page.locator(f"#{ids.funding_field('a', 'level', 0)}").select_option("4")
    page.locator(f"#{ids.funding_field('a', 'element', 1)}").select_option("none")
    page.locator(f"#{ids.FUNDING_REACH}").fill("60")
    run.click()
    words = page.locator(f"#{ids.FUNDING_RESULT}-words-0")
    expect(words).to_contain_text("SEC-02 naar niveau 4", timeout=20_000)
    text = words.inner_text()
    api = requests.post(demo_server + "/api/v1/insight/funding-what-if", timeout=30, json={
        "country": "NL", "lang": "nl", "rule": "leverage", "reach": 60,
        "package": [{"element": "SEC-02", "level": 4, "cost": 25000}],
        "compare": [{"element": "GOV-02", "level": 3, "cost": 25000}]}).json()
    assert text == api["packages"][0]["explanation"]
    m = re.search(r"maakt er (\d+) meer gereed", text)
    if m:  # the number read is the API's difference for the law the sentence names
        gained = max(x["difference"] for x in api["packages"][0]["laws"] if x["duty"] == "legal")
        assert int(m.group(1)) == gained
    else:
        assert re.search(r"in de (\d+) gemeenten", text), text
    expect(page.locator(f"#{ids.FUNDING_RESULT} table")).to_have_count(3)  # A, B, A - B
    page.locator(f"#{ids.FUNDING}").scroll_into_view_if_needed()
    shot("policy-funding")
    assert not _serious(axe()), _serious(axe())
    assert not console_errors, console_errors
