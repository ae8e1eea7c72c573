"""Every page works under the Content-Security-Policy (dashboard/security.py): no console error
(Chromium reports a blocked script, style, worker or eval there) and no
`securitypolicyviolation` event, and the page renders its heading."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from dashboard.registry import PAGES

# Collects CSP violations as the page sees them, before any of its own scripts run.
WATCH = """window.__csp = [];
document.addEventListener('securitypolicyviolation',
  e => window.__csp.push(e.violatedDirective + ' ' + (e.blockedURI || 'inline')));"""

QUERY = {"/profile": "?m=NL_GM0363", "/roadmap": "?m=NL_GM0363"}
PATHS = [p.PATH + QUERY.get(p.PATH, "") for p in PAGES]
VIEWS = ["/legislation?view=municipality&m=NL_GM0363", "/legislation?view=draft&law=NIS2"]


def _open(page: Page, url: str) -> dict[str, str]:
    page.add_init_script(WATCH)
    response = page.goto(url)
    assert response is not None and response.ok
    expect(page.locator("h1").first).not_to_be_empty()
    page.wait_for_load_state("networkidle")  # the page's callbacks, lazy bundles, map workers
    return response.headers


def _violations(page: Page) -> list[str]:
    return page.evaluate("() => window.__csp")


def test_the_policy_is_strict(page: Page, demo_server):
    headers = _open(page, demo_server + "/")
    csp = headers["content-security-policy"]
    assert "'unsafe-eval'" not in csp
    script = next(d for d in csp.split(";") if d.strip().startswith("script-src"))
    assert "'unsafe-inline'" not in script and "'sha256-" in script
    assert "frame-ancestors 'none'" in csp


@pytest.mark.parametrize("path", PATHS + VIEWS)
def test_every_page_renders_under_the_policy(page: Page, demo_server, console_errors, path):
    _open(page, demo_server + path)
    assert not _violations(page), _violations(page)
    assert not console_errors, console_errors


def test_survey_links_work_under_the_policy(page: Page, demo_server, console_errors):
    """The demo wave's respondent form and coordinator view (links listed on /survey)."""
    _open(page, demo_server + "/survey")
    respondent = page.locator(".survey-demo a[href^='/survey?token=']").first.get_attribute("href")
    coordinator = page.locator(".survey-demo a[href^='/survey/progress?token=']").get_attribute(
        "href")
    _open(page, demo_server + respondent)
    expect(page.locator(".survey-page")).to_be_visible()
    expect(page).to_have_url(demo_server + "/survey")  # the clientside callback ran (by hash)
    # (no answer is saved here: the demo wave is shared with other tests; test_survey_browser
    # saves and submits, under the same policy)
    _open(page, demo_server + coordinator)
    assert not _violations(page), _violations(page)
    assert not console_errors, console_errors
