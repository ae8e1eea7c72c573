"""The in-app survey in a real browser: a respondent fills in part of the survey, reloads, goes
on block by block, submits; after the build the municipality's own link shows its results on
its profile although it did not consent to being shown by name, and a browser without the link
does not see them."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from playwright.sync_api import Page, expect

# Every click saves a draft; on a loaded 2-core CI machine the queue of saves can take a while.
expect.set_options(timeout=30_000)

WAVE = "2027"  # after the demo's wave, so the profile opens on the survey's wave


def _serious(violations):
    return [v for v in violations if v["impact"] in ("serious", "critical")]


@pytest.fixture(scope="module")
def survey_server(tmp_path_factory, serve):
    from pipelines.build import build
    from pipelines.demo_stage import stage_demo
    from pipelines.staging import DataPaths
    from pipelines.survey.waves import SurveyStore

    data = tmp_path_factory.mktemp("survey-e2e")
    stage_demo(DataPaths(data).ensure(), scope="nl", waves=1, seed=11)
    build(data)
    store = SurveyStore(data)
    store.create_wave(WAVE, closes_at=dt.datetime.now(dt.UTC) + dt.timedelta(days=14),
                      title="Inzicht 2027")
    token = store.invite(WAVE, ["NL_GM0363"], ["cio"])[0].token
    srv, thread = serve(data, visibility="consent")
    yield f"http://127.0.0.1:{srv.server_port}", token, data
    srv.shutdown()
    thread.join(5)


def _answer_visible_block(page: Page, level_index: int) -> int:
    """Choose the option at `level_index` for every element of the block on screen."""
    groups = page.locator(".survey-section:not([hidden]) .survey-levels")
    n = groups.count()
    for i in range(n):
        groups.nth(i).locator("input[type=radio]").nth(level_index).check()
    return n


def test_fill_reload_finish_submit_then_see_own_profile(page: Page, survey_server, browser,
                                                        console_errors, axe, shot):
    base, token, data = survey_server
    page.goto(f"{base}/survey?token={token}")
    expect(page.locator("h1")).to_contain_text("Vragenlijst")
    expect(page.locator(".survey-page")).to_contain_text("Amsterdam")
    # the token leaves the address bar (and history); the cookie carries the link on
    expect(page).to_have_url(f"{base}/survey")
    total = page.locator(".survey-levels").count()
    assert total == 39

    # part of the survey: the first block, level 3 everywhere, plus a confidence and evidence
    first = _answer_visible_block(page, 3)
    page.locator(".survey-section:not([hidden]) .survey-element").first.locator(
        "input[type=radio]").nth(8).check()  # confidence 'Zeker' (after 6 level options)
    evidence = page.locator(".survey-section:not([hidden]) input[type=text]").first
    evidence.fill("Raadsbesluit 12-3-2025")
    evidence.press("Tab")  # debounced input: saved when it loses focus
    expect(page.locator("#survey-progress-text")).to_have_text(f"{first} van 39 elementen beantwoord")
    expect(page.locator("#survey-saved")).to_contain_text("Concept bewaard")
    shot("survey-part")
    assert not _serious(axe()), _serious(axe())

    # reload: the draft comes back from the server
    page.reload()
    expect(page.locator("#survey-progress-text")).to_have_text(f"{first} van 39 elementen beantwoord")
    checked = page.locator(".survey-section:not([hidden]) .survey-levels input:checked")
    expect(checked).to_have_count(first)
    expect(page.locator(".survey-section:not([hidden]) input[type=text]").first).to_have_value(
        "Raadsbesluit 12-3-2025")

    # the rest, block by block with the keyboard-reachable "next" button
    answered = first
    for _ in range(7):
        page.locator("#survey-next").click()
        expect(page.locator(".survey-section:not([hidden]) h2")).to_be_focused()
        answered += _answer_visible_block(page, 3)
    expect(page.locator("#survey-progress-text")).to_have_text("39 van 39 elementen beantwoord")

    # no consent to be shown by name; submit
    page.get_by_label("Nee, alleen anoniem in gemiddelden").check()
    page.locator("#survey-submit").click()
    expect(page.locator("#survey-submit-msg")).to_contain_text("Verstuurd op")
    expect(page.locator("#survey-team")).to_contain_text("1 respondentrol verstuurd")
    shot("survey-submitted")
    assert not console_errors, console_errors

    # the coordinator's ingest + build (what `python -m pipelines build` does)
    from pipelines.build import build
    from pipelines.staging import DataPaths
    from pipelines.survey.pending import ingest_pending

    reports = ingest_pending(DataPaths(data))
    assert len(reports) == 1 and reports[0].ok
    build(data)

    # the link opened in this browser unlocks Amsterdam's own profile
    page.goto(f"{base}/profile?m=NL_GM0363&wave={WAVE}")
    caption = page.locator("#profile-radar-caption")
    expect(caption).to_contain_text(re.compile(rf"Amsterdam in {WAVE}"), timeout=30_000)
    expect(page.locator("#profile-status")).not_to_contain_text("geen toestemming")
    shot("survey-own-profile")

    # another browser without the link: Amsterdam did not consent, so no own values
    other = browser.new_context(viewport={"width": 1280, "height": 900})
    stranger = other.new_page()
    stranger.goto(f"{base}/profile?m=NL_GM0363&wave={WAVE}")
    expect(stranger.locator("#profile-status")).to_contain_text("toestemming", timeout=30_000)
    expect(stranger.locator("#profile-radar-caption")).not_to_contain_text(f"Amsterdam in {WAVE}")
    other.close()

    # a shared computer: forgetting the link locks the survey and the own views again
    page.goto(f"{base}/survey")
    expect(page.locator(".survey-page")).to_contain_text("Amsterdam")
    page.locator("#survey-forget").click()
    expect(page.locator(".survey-intro")).to_be_visible()
    page.goto(f"{base}/profile?m=NL_GM0363&wave={WAVE}")
    expect(page.locator("#profile-status")).to_contain_text("toestemming")
    assert not console_errors, console_errors


def test_wrong_link_and_phone_width(page: Page, survey_server, console_errors, axe, shot):
    base, token, _ = survey_server
    page.goto(f"{base}/survey?token={'x' * 32}")
    expect(page.locator(".survey-refusal")).to_contain_text("Deze link werkt niet")
    expect(page.locator(".survey-page")).to_have_count(0)

    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{base}/survey?token={token}")
    expect(page.locator(".survey-levels").first).to_be_visible()
    width = page.evaluate("() => document.documentElement.scrollWidth")
    assert width <= 390, f"the survey scrolls sideways on a phone ({width} px)"
    # keyboard: tab into the first level group and choose with the arrow keys
    page.locator(".survey-levels input[type=radio]").first.focus()
    page.keyboard.press("ArrowDown")
    expect(page.locator(".survey-levels").first.locator("input:checked")).to_have_count(1)
    shot("survey-phone")
    assert not _serious(axe()), _serious(axe())
    assert not console_errors, console_errors
