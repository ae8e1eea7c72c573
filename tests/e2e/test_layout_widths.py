"""No page scrolls sideways at a phone's or a laptop's width, in Dutch or English: the navbar
once pushed every page 200 px past a 1440 px window, and a Dutch heading past a 390 px phone.
And every select shows its chosen option whole ("Zelfde land e…" once hid the peer group on a
phone, "Every deadlin" the legislation horizon at 1366 px)."""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser

PAGES = ("/", "/profile?m=NL_GM0014", "/heatmap?country=NL", "/maps", "/roadmap?m=NL_GM0014",
         "/policy?country=NL", "/legislation?country=NL",
         "/legislation?view=municipality&m=NL_GM0014", "/legislation?view=draft",
         "/knowledge?element=SEC-01", "/survey")
# 992: the navbar unfolds; 1200: the tagline appears beside the five parts (Dutch is longest);
# 1600: inside the range where nine tabs once overflowed
CASES = [("nl", 390), ("nl", 992), ("nl", 1200), ("nl", 1440), ("nl", 1600), ("en", 390),
         ("en", 1366)]


@pytest.mark.parametrize(("lang", "width"), CASES, ids=[f"{lang}-{w}" for lang, w in CASES])
def test_no_page_scrolls_sideways(browser: Browser, demo_server, lang, width):
    context = browser.new_context(viewport={"width": width, "height": 900})
    page = context.new_page()
    page.goto(demo_server + "/")
    page.locator(f"#lang label:has-text('{lang.upper()}')").click()
    wide, cut = {}, {}
    for path in PAGES:
        page.goto(demo_server + path)
        page.wait_for_load_state("networkidle")
        page.wait_for_timeout(800)
        scroll = page.evaluate("() => document.documentElement.scrollWidth")
        if scroll > width:
            wide[path] = scroll
        if clipped := page.evaluate(CLIPPED_SELECTS):
            cut[path] = clipped
    context.close()
    assert not wide, f"pages wider than {width} px in {lang}: {wide}"
    assert not cut, f"selects that cut their chosen option at {width} px in {lang}: {cut}"


# The chosen option's text width (the select's own font) against the room inside its padding
# (Bootstrap's form-select keeps 2.25rem on the right for the arrow).
CLIPPED_SELECTS = """() => {
  const ctx = document.createElement('canvas').getContext('2d');
  const out = [];
  for (const s of document.querySelectorAll('select')) {
    if (!s.offsetParent || s.selectedIndex < 0) continue;
    const st = getComputedStyle(s);
    ctx.font = `${st.fontWeight} ${st.fontSize} ${st.fontFamily}`;
    const text = s.options[s.selectedIndex].text;
    const room = s.clientWidth - parseFloat(st.paddingLeft) - parseFloat(st.paddingRight);
    const need = ctx.measureText(text).width;
    if (need > room + 1) out.push(`#${s.id} "${text}": ${Math.round(need)} > ${Math.round(room)} px`);
  }
  return out;
}"""
