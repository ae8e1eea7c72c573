"""The Roadmap tab in a real browser: open Amersfoort's roadmap, move a weight slider with the
keyboard and see the roadmap change, mark an element as done and see it leave the roadmap."""

from __future__ import annotations

import json
import re

from playwright.sync_api import Browser, Page, expect

STEPS = ("() => Array.from(document.querySelectorAll('#roadmap-steps li.rm-step'))"
         ".map(li => li.id.replace('roadmap-step-', '') + ' ' +"
         " li.querySelector('.rm-score').textContent)")

INSIDE_BUTTON = ("e => { const r = e.getBoundingClientRect(),"
                 " b = e.closest('button').getBoundingClientRect();"
                 " return r.width > 0 && r.right <= b.right + 1 && r.bottom <= b.bottom + 1; }")


def _serious(violations):
    return [v for v in violations if v["impact"] in ("serious", "critical")]


def test_roadmap_weights_and_whatif(page: Page, demo_server, console_errors, axe, shot):
    page.goto(demo_server + "/roadmap?m=NL_GM0307")
    # the first answer may wait for the per-build caches the app warms at start-up
    expect(page.locator("#roadmap-steps li.rm-step")).to_have_count(9, timeout=30_000)
    before = page.evaluate(STEPS)
    assert len(before) == 9
    expect(page.locator("#roadmap-status")).to_contain_text("Amersfoort")
    expect(page.locator("#roadmap-help")).to_contain_text("gemeenten hebben het op niveau 3")
    expect(page.locator("#roadmap-network .js-plotly-plot")).to_be_visible()
    shot("roadmap-amersfoort")
    assert not _serious(axe()), _serious(axe())

    # the peer-proof slider, by keyboard: focus its handle and step it up
    handle = page.locator("#roadmap-weight-peer [role=slider]")
    expect(handle).to_have_attribute("aria-labelledby", "roadmap-weight-peer-label")
    handle.focus()
    for _ in range(12):
        page.keyboard.press("ArrowRight")
    expect(handle).to_have_attribute("aria-valuenow", "0.75")
    expect(page).to_have_url(re.compile(r"w=0\.35,0\.25,0\.25,0\.75"))
    page.wait_for_function(f"() => JSON.stringify(({STEPS})()) !== '{_js(before)}'")
    after = page.evaluate(STEPS)
    assert after != before
    shot("roadmap-amersfoort-peer-weight")

    # what-if: mark the first recommended element as done
    first = after[0].split()[0]
    expect(page.locator(f"#roadmap-step-{first}")).to_have_count(1)
    page.locator("#roadmap-done").click()
    page.locator("input.dash-dropdown-search").first.fill(first)
    page.get_by_role("option", name=re.compile(rf"^{first} ")).first.click()
    page.keyboard.press("Escape")
    expect(page).to_have_url(re.compile(rf"done={first}"))
    expect(page.locator(f"#roadmap-step-{first}")).to_have_count(0)
    expect(page.locator("#roadmap-steps li.rm-step")).to_have_count(9)
    expect(page.locator("#roadmap-whatif")).to_contain_text(f"{first} als gedaan markeren")
    shot("roadmap-amersfoort-done")
    assert not console_errors, console_errors


def _js(value) -> str:
    """JSON as JSON.stringify writes it (no spaces, characters as they are), safe inside a
    single-quoted JS string literal: json.dumps' ", " separators never equalled the browser's,
    so the wait for a changed roadmap returned at once and the test raced the callback."""
    return (json.dumps(value, separators=(",", ":"), ensure_ascii=False)
            .replace("\\", "\\\\").replace("'", "\\'"))


def test_ticked_strategy_and_done_marks_name_their_dropdowns_by_what_they_show(
        page: Page, demo_server, console_errors, axe):
    """With two elements ticked in "your strategy" and two marked done, each dropdown shows
    every chosen element, and its accessible name holds all that visible text (axe
    label-content-name-mismatch, WCAG 2.5.3 label in name): Dash 4 showed the first element
    and "2 gekozen", clipped the rest, and named the button "2 gekozen" + every element."""
    page.goto(demo_server + "/roadmap?m=NL_GM0307&done=SEC-01,GOV-01&plan=DAT-01,STR-01")
    expect(page.locator("#roadmap-steps li.rm-step").first).to_be_visible(timeout=30_000)
    for box, chosen in (("#roadmap-done", ("SEC-01", "GOV-01")),
                        ("#roadmap-plan", ("DAT-01", "STR-01"))):
        items = page.locator(f"{box} .dash-dropdown-value-item")
        expect(items).to_have_count(2)
        for item, element in zip(items.all(), chosen, strict=True):
            expect(item).to_contain_text(element)
            # inside the button's box, not clipped away by it
            assert item.evaluate(INSIDE_BUTTON), f"{element} is clipped in {box}"
        expect(page.locator(f"{box} .dash-dropdown-value-count")).to_be_hidden()
    found = axe()
    assert not [v for v in found if v["id"] == "label-content-name-mismatch"], found
    assert not _serious(found), _serious(found)
    assert not console_errors, console_errors


def test_unknown_answers_read_as_advice_and_steps_cite_their_law(page: Page, demo_server,
                                                                 console_errors, axe, shot):
    """A municipality with "don't know" answers reads "First: establish where you stand" with
    the reasons, its steps never include an unknown element, each step names its score when
    chosen, and a step driven by a law names the law and article (English)."""
    found = None
    lst = page.request.get(demo_server + "/api/v1/municipalities?country=NL&limit=400").json()
    for m in lst["items"]:
        if not m["has_answers"]:
            continue
        body = page.request.get(
            demo_server + f"/api/v1/municipalities/{m['municipality_id']}/roadmap").json()
        if body.get("assess") and body.get("steps"):
            found = body
            break
    assert found, "the demo has a municipality with unknown answers and a roadmap"
    mid = found["municipality_id"]
    page.goto(demo_server + f"/roadmap?m={mid}")
    page.locator("#lang label:has-text('EN')").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    section = page.locator(".rm-assess-section")
    expect(section).to_contain_text("First: establish where you stand", timeout=30_000)
    first = found["assess"][0]
    expect(section.locator("li").first).to_contain_text(first["element"])
    steps = page.locator("#roadmap-steps li.rm-step")
    expect(steps).to_have_count(found["steps"])
    shown = page.evaluate(STEPS)
    assert not {s.split()[0] for s in shown} & {a["element"] for a in found["assess"]}
    assert all("score when chosen" in s for s in shown)
    driven = [s for p in found["phases"] for s in p if s["explanation"]["laws"]]
    if driven:
        law = driven[0]["explanation"]["laws"][0]
        step = page.locator(f"#roadmap-step-{driven[0]['element']}")
        expect(step).to_contain_text(f"requires level {law['min_level']}")
        if law.get("legal_basis"):
            expect(step).to_contain_text(law["legal_basis"])
    shot("roadmap-assess-en")
    assert not _serious(axe()), _serious(axe())
    assert not console_errors, console_errors


def test_on_a_phone_the_roadmap_starts_on_the_first_screen(browser: Browser, demo_server):
    """At 390 x 900 the first step began 1.7 screens down, behind the guide: with the guides
    folded the status is on the first screen and the first step right below it; the settings,
    what-if and strategy follow the steps."""
    context = browser.new_context(viewport={"width": 390, "height": 900})
    page = context.new_page()
    page.goto(demo_server + "/roadmap?m=NL_GM0307")
    expect(page.locator("#roadmap-steps li.rm-step").first).to_be_visible(timeout=30_000)
    expect(page.locator(".rm-guide").first).to_be_visible()
    top = page.evaluate("s => document.querySelector(s).getBoundingClientRect().top + scrollY",
                        "#roadmap-status")
    step = page.evaluate("s => document.querySelector(s).getBoundingClientRect().top + scrollY",
                         "#roadmap-steps li.rm-step")
    reset = page.evaluate("s => document.querySelector(s).getBoundingClientRect().top + scrollY",
                          "#roadmap-reset")
    context.close()
    assert top < 900 and step < 1000 < reset, (top, step, reset)
