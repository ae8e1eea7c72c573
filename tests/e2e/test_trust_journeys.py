"""The journeys where a user was once told something false, in a real browser, asserting what
the user reads: a survey with a "don't know" through submit, reload and a teammate's link; the
Legislation overview for laws that do not apply; a draft law with deadlines in the future."""

from __future__ import annotations

import datetime as dt
import re
from urllib.parse import parse_qs, urlparse

import pytest
from playwright.sync_api import Page, expect

from dashboard.views.legislation import state as legislation_state

WAVE = "2027"
DONT_KNOW = 5  # the sixth option of every element: "Weet niet"


def _serious(violations):
    return [v for v in violations if v["impact"] in ("serious", "critical")]


@pytest.fixture(scope="module")
def team_server(tmp_path_factory, serve):
    """Amsterdam's team (CIO and CISO links) in an open wave on a small Dutch build."""
    from pipelines.build import build
    from pipelines.demo_stage import stage_demo
    from pipelines.staging import DataPaths
    from pipelines.survey.waves import SurveyStore

    data = tmp_path_factory.mktemp("team-e2e")
    stage_demo(DataPaths(data).ensure(), scope="nl", waves=1, seed=5)
    build(data)
    store = SurveyStore(data)
    store.create_wave(WAVE, closes_at=dt.datetime.now(dt.UTC) + dt.timedelta(days=14))
    links = {i.role: i.token for i in store.invite(WAVE, ["NL_GM0363"], ["cio", "ciso"])}
    srv, thread = serve(data, visibility="consent")
    yield f"http://127.0.0.1:{srv.server_port}", links
    srv.shutdown()
    thread.join(5)


def test_a_dont_know_answer_submits_and_the_team_keeps_working(page: Page, team_server, browser,
                                                               console_errors, axe, shot):
    base, links = team_server
    page.goto(f"{base}/survey?token={links['cio']}")
    expect(page.locator(".survey-page")).to_contain_text("Amsterdam")
    groups = page.locator(".survey-section:not([hidden]) .survey-levels")
    n = groups.count()
    for i in range(n):  # block 1: level 2 everywhere, but "don't know" on the first element
        groups.nth(i).locator("input[type=radio]").nth(DONT_KNOW if i == 0 else 2).check()
    expect(page.locator("#survey-progress-text")).to_have_text(  # "don't know" is an answer
        f"{n} van 39 elementen beantwoord", timeout=30_000)
    first = page.locator(".survey-section:not([hidden]) .survey-element").first
    name = first.locator("h3").inner_text()
    page.locator("#survey-submit").click()
    expect(page.locator("#survey-submit-msg")).to_contain_text("Verstuurd op", timeout=30_000)
    team = page.locator("#survey-team")
    expect(team).to_contain_text("1 respondentrol verstuurd")
    # what the respondent reads in the row of the "don't know" element: their answer, and that
    # the municipality's level is unknown (not 0, not a crash)
    row = team.locator("tr", has_text=re.sub(r"\s+", " ", name.split("\n")[-1]).strip()[:30])
    expect(row).to_contain_text("weet niet")
    expect(row).to_contain_text("onbekend")
    shot("trust-survey-dont-know-submitted")
    assert not _serious(axe()), _serious(axe())

    # a reload still shows the page and the team
    page.reload()
    expect(page.locator("#survey-team")).to_contain_text("onbekend")

    # the teammate's link in another browser: the page opens (it was blank for every link of
    # the municipality) and shows the CIO's answers
    other = browser.new_context(viewport={"width": 390, "height": 844})
    mate = other.new_page()
    errors = []
    mate.on("pageerror", lambda e: errors.append(str(e)))
    mate.goto(f"{base}/survey?token={links['ciso']}")
    expect(mate.locator(".survey-page")).to_contain_text("Amsterdam")
    expect(mate.locator("#survey-team")).to_contain_text("1 respondentrol verstuurd")
    expect(mate.locator("#survey-team")).to_contain_text("onbekend")
    width = mate.evaluate("() => document.documentElement.scrollWidth")
    assert width <= 390, f"the survey scrolls sideways on a phone ({width} px)"
    other.close()
    assert not errors, errors
    assert not console_errors, console_errors


def test_laws_that_do_not_apply_are_shown_apart(page: Page, demo_server, console_errors, axe,
                                                shot):
    page.goto(demo_server + "/legislation?country=NL&at=2026-07-01")
    caption = page.locator("#legislation-agg-bar-caption")
    expect(caption).to_contain_text("gemeenten die antwoordden", timeout=30_000)
    words = caption.inner_text()
    # the sentence names the laws that put no duty on any of them (the CRA binds manufacturers),
    # and never calls one of them most ready
    # (laws by their short names in the page's language, as everywhere on the page:
    # "Digitaal Decennium", not DDPP)
    na = re.search(r"leggen geen van hen een wettelijke plicht op: ([^.]+)\.", words)
    assert na, words
    laws = [x.strip() for x in na.group(1).split(",")]
    assert {"INSPIRE", "HVD", "Digitaal Decennium", "CRA"} <= set(laws)
    best = re.search(r"de meeste klaar voor (.+?) \((\d+)% van de ([\d.]+) ", words)
    assert best and best.group(1) not in laws and int(best.group(2)) < 100, words
    # the table row of such a law reads "0 van N" and "n.v.t.", never a share
    row = page.locator("#legislation-agg-law-table tr", has_text="INSPIRE –")
    expect(row.locator("td").nth(1)).to_have_text(re.compile(r"^0 van [\d.]+$"))
    expect(row.locator("td").nth(5)).to_have_text("n.v.t.")
    # and the legend has its own entry, apart from ready
    legend = page.locator("#legislation-agg-bar .legend")
    expect(legend).to_contain_text("Niet van toepassing")
    expect(legend).to_contain_text("Klaar")
    shot("trust-legislation-not-applicable")
    assert not _serious(axe()), _serious(axe())
    assert not console_errors, console_errors


def test_a_draft_law_with_future_deadlines(page: Page, demo_server, console_errors, shot):
    page.goto(demo_server + "/legislation?view=draft&at=2026-07-01")
    share = page.locator("#legislation-draft-share")
    expect(share).to_be_visible(timeout=30_000)
    page.get_by_label("Eis 1: Element", exact=True).select_option("SEC-01")
    page.get_by_label("Eis 1: Minimumniveau", exact=True).select_option("4")
    deadline = page.get_by_label("Eis 1: Termijn", exact=True)
    deadline.fill("2028-01-01")
    deadline.press("Tab")
    headline = page.locator("#legislation-draft-headline")
    expect(headline).to_contain_text("met elke verplichting tegen haar eigen deadline")
    # the draft is in the address: a reload (or a colleague) gets the same draft and share;
    # read the share only once the whole draft is there and no callback is in flight (on a
    # busy machine an intermediate share, before the level or deadline applied, was read)
    expect(page).to_have_url(re.compile(r"draft=SEC-01(%3A|:)4(%3A|:)2028-01-01"),
                             timeout=30_000)
    page.wait_for_load_state("networkidle")
    expect(share).not_to_have_text("100%")
    expect(share).to_have_text(re.compile(r"^\d+%$"))
    tested = share.inner_text()
    query = parse_qs(urlparse(page.url).query)
    assert query["draft"][0].startswith("SEC-01:4:2028-01-01")
    page.reload()
    expect(page.get_by_label("Eis 1: Termijn", exact=True)).to_have_value("2028-01-01")
    expect(share).to_have_text(tested, timeout=30_000)
    # "due by the evaluation date": nothing is due in July 2026, so no share at all
    page.get_by_label("Welke deadlines tellen").select_option(legislation_state.HORIZON_CHOICES[1])
    expect(share).to_have_text("–", timeout=10_000)
    expect(headline).to_contain_text("er is niets verplicht")
    shot("trust-draft-future-deadline")
    assert not console_errors, console_errors


def test_changing_municipality_renders_few_components(demo_server, page: Page):
    """The municipality view's tables are single components (they were ~1,450 Dash components
    that froze the browser); counted in the browser's DOM as Dash renders it."""
    page.goto(demo_server + "/legislation?view=municipality&m=NL_GM0153&at=2026-07-01")
    expect(page.locator("#legislation-mun-summary")).to_contain_text("Enschede", timeout=30_000)
    expect(page.locator("#legislation-mun-result td").first).to_be_attached(timeout=30_000)
    cells = page.locator("#legislation-mun-result td").count()
    in_static = page.locator("#legislation-mun-result .static-table td").count()
    assert cells > 40 and in_static == cells
