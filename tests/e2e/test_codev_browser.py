"""Co-development in a real browser: a municipality opens its survey link, starts an initiative
from its roadmap's "Samen ontwikkelen" card; another municipality with the same first-phase
element opens its own link (another browser) and joins it as co-developer. A browser without a
link sees no form and no Join button. axe and no console errors on the way."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest
from playwright.sync_api import Browser, Page, expect

expect.set_options(timeout=30_000)
WAVE = "codev"


def _serious(violations):
    return [v for v in violations if v["impact"] in ("serious", "critical")]


@pytest.fixture(scope="module")
def codev_server(tmp_path_factory, serve):
    from dashboard.config import Settings
    from dashboard.context import AppContext
    from dashboard.views.roadmap import data as rd
    from pipelines.build import build
    from pipelines.demo_stage import stage_demo
    from pipelines.staging import DataPaths
    from pipelines.survey.waves import SurveyStore

    data = tmp_path_factory.mktemp("codev-e2e")
    stage_demo(DataPaths(data).ensure(), scope="nl", waves=1, seed=11)
    build(data)
    ctx = AppContext.load(Settings.from_env({"DS4E_DATA_DIR": str(data)}))
    snap = ctx.warehouse.snapshot()
    w = len(snap.waves) - 1
    fp = rd.first_phase(ctx, snap, w).steps
    answered = rd.answered(snap, w)
    ids = snap.maturity.municipality_ids.astype(str)
    rows = [r for r in np.flatnonzero(answered) if ids[r].startswith("NL_")]
    a = rows[0]
    first = [int(j) for j in fp[a] if j >= 0]
    b = next(r for r in rows[1:] if set(first) & {int(j) for j in fp[r] if j >= 0})
    element = rd.model(ctx).element_ids[sorted(set(first) & set(fp[b].tolist()))[0]]
    store = SurveyStore(data)
    store.create_wave(WAVE, closes_at=dt.datetime.now(dt.UTC) + dt.timedelta(days=14))
    links = {i.municipality_id: i.token for i in store.invite(WAVE, [ids[a], ids[b]])}
    srv, thread = serve(data, visibility="consent")
    owner = ("door " + str(ctx.municipalities["name"].iat[a]) if snap.consent[a]
             else "door een gemeente die niet bij naam wordt getoond")
    yield (f"http://127.0.0.1:{srv.server_port}", (ids[a], links[ids[a]]),
           (ids[b], links[ids[b]]), element, owner)
    srv.shutdown()
    thread.join(5)


def _open_link(page: Page, base: str, token: str) -> None:
    page.goto(f"{base}/survey?token={token}")
    expect(page).to_have_url(f"{base}/survey")  # the cookie now carries the link


def test_start_and_join_an_initiative(page: Page, browser: Browser, codev_server,
                                      console_errors, axe, shot):
    base, (a, token_a), (b, token_b), element, owner = codev_server
    _open_link(page, base, token_a)
    page.goto(f"{base}/roadmap?m={a}")
    card = page.locator("#roadmap-codev")
    expect(card.locator(".codev-start")).to_be_visible()
    expect(card.locator(f"[data-element='{element}']")).to_contain_text(
        "Nog geen initiatief voor dit element.")
    page.select_option("#roadmap-codev-element", element)
    page.fill("#roadmap-codev-component", "Gedeelde logverzameling")
    page.fill("#roadmap-codev-description", "Samen een SIEM inrichten voor gemeenten in de regio")
    page.select_option("#roadmap-codev-kind", "seeks_partners")
    page.click("#roadmap-codev-start")
    expect(page.locator("#roadmap-codev-start-msg")).to_contain_text("Gestart")
    item = card.locator(f"[data-element='{element}'] .codev-initiative")
    expect(item).to_have_count(1)
    expect(item).to_contain_text("Gedeelde logverzameling")
    expect(item).to_contain_text("uw initiatief")
    shot("codev-started")
    assert not _serious(axe()), _serious(axe())

    # another municipality, in its own browser, joins from its own roadmap
    other = browser.new_context(locale="nl-NL")
    try:
        page_b = other.new_page()
        errors_b: list[str] = []
        page_b.on("pageerror", lambda e: errors_b.append(str(e)))
        page_b.on("console", lambda m: errors_b.append(m.text) if m.type == "error" else None)
        _open_link(page_b, base, token_b)
        page_b.goto(f"{base}/roadmap?m={b}")
        theirs = page_b.locator(f"#roadmap-codev [data-element='{element}'] .codev-initiative")
        expect(theirs).to_have_count(1)
        theirs.locator("select").select_option("co_developer")
        theirs.get_by_role("button", name="Meedoen").click()
        expect(page_b.locator("#roadmap-codev-join-msg")).to_contain_text("doet mee")
        expect(theirs).to_contain_text("u ontwikkelt mee")
        expect(theirs).to_contain_text("mede-ontwikkelaars: 1, afnemers: 0")
        assert not errors_b, errors_b
    finally:
        other.close()

    # a browser without a link: the Knowledge page lists it (owner named only with consent),
    # and no roadmap offers it a form or a Join button
    anonymous = browser.new_context(locale="nl-NL")
    try:
        page_c = anonymous.new_page()
        page_c.goto(f"{base}/knowledge?element={element}")
        listed = page_c.locator(".knowledge-initiatives .codev-initiative")
        expect(listed).to_have_count(1)
        expect(listed).to_contain_text(owner)
        expect(page_c.locator(".knowledge-initiatives")).to_contain_text(
            "mede-ontwikkelaars: 1; afnemers: 0.")
        expect(listed.get_by_role("button")).to_have_count(0)
        page_c.goto(f"{base}/roadmap?m={b}")
        expect(page_c.locator("#roadmap-status")).to_be_visible()
        expect(page_c.locator("#roadmap-codev")).not_to_be_empty()
        expect(page_c.locator("#roadmap-codev .codev-start")).to_have_count(0)
        expect(page_c.locator("#roadmap-codev button")).to_have_count(0)
    finally:
        anonymous.close()
    page.set_viewport_size({"width": 390, "height": 900})  # a phone: the form fits
    page.reload()
    expect(page.locator(f"#roadmap-codev [data-element='{element}'] .codev-initiative")
           ).to_contain_text("mede-ontwikkelaars: 1")
    expect(page.locator("#roadmap-codev .codev-start")).to_be_visible()
    assert page.evaluate("() => document.documentElement.scrollWidth") <= 390
    assert not console_errors, console_errors
