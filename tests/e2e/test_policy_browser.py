"""The policy page in a real browser: the lobby table's last column (the elements behind the gap)
was cut off at a 1366 px laptop; it now fits its card there, and on a phone the table scrolls
sideways inside a box that a keyboard can reach and a screen reader names."""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser, expect

HEAD = {"nl": "Elementen achter het tekort", "en": "Elements behind the gap"}
BOX = "#policy-lobby .table-responsive"

MEASURE = """(box) => {
  const b = box.getBoundingClientRect();
  const heads = [...box.querySelectorAll('thead th')].map(th => th.getBoundingClientRect());
  const cells = [...box.querySelectorAll('td.pol-gaps')].map(td => td.getBoundingClientRect());
  return {scroll: box.scrollWidth, client: box.clientWidth, right: b.right,
          heads: heads.map(r => r.right), cells: cells.map(r => r.right),
          page: document.documentElement.scrollWidth};
}"""


def _open(browser: Browser, base: str, lang: str, width: int):
    context = browser.new_context(viewport={"width": width, "height": 900})
    page = context.new_page()
    page.goto(base + "/")
    page.locator(f"#lang label:has-text('{lang.upper()}')").click()
    page.goto(base + "/policy?country=NL")
    box = page.locator(BOX)
    expect(box.locator("thead")).to_contain_text(HEAD[lang], timeout=30_000)
    return context, box


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_lobby_table_fits_a_laptop(browser: Browser, demo_server, lang):
    context, box = _open(browser, demo_server, lang, 1366)
    m = box.evaluate(MEASURE)
    context.close()
    assert m["scroll"] <= m["client"], f"the lobby table scrolls inside its box: {m}"
    assert max(m["heads"] + m["cells"]) <= m["right"] + 1, m  # every head and gap cell in view


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_lobby_table_scrolls_in_a_named_box_on_a_phone(browser: Browser, demo_server, lang):
    context, box = _open(browser, demo_server, lang, 390)
    m = box.evaluate(MEASURE)
    assert m["page"] <= 390, m  # the page itself does not scroll sideways
    assert m["scroll"] > m["client"], m  # the table does, inside its box
    assert box.get_attribute("tabindex") == "0" and box.get_attribute("role") == "region"
    assert box.get_attribute("aria-label")
    context.close()
