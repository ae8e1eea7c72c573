"""The Legislation tab in a real browser: a draft law's share changes when a minimum rises; every
view (aggregate, municipality, draft law, also after adding a requirement) passes axe without a
serious or critical violation; the draft-law editor works by keyboard, every control named."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from dashboard.views.legislation import ids as legislation_ids

SHARE = "#legislation-draft-share"
ENSCHEDE = "NL_GM0153"
# the editor's columns as the Dutch visually hidden labels name them ("Eis 3: Minimumniveau")
COLUMNS = ("Element", "Minimumniveau", "Termijn", "Geldt als", "Soort")


def _serious(violations):
    return [v for v in violations if v["impact"] in ("serious", "critical")]


def test_draft_law_share_changes(page: Page, demo_server, console_errors, shot):
    """A higher minimum level can only make fewer municipalities ready: the share the user
    reads falls (waiting for the sentence of each setting, not for a fixed time)."""
    page.goto(demo_server + "/legislation?view=draft&at=2026-07-01")
    share = page.locator(SHARE)
    headline = page.locator("#legislation-draft-headline")
    expect(share).to_be_visible(timeout=20000)
    minimum = page.get_by_label("Eis 1: Minimumniveau", exact=True)

    def share_at(level: str) -> int:
        minimum.select_option(level)
        expect(page).to_have_url(re.compile(rf"draft=[^&]*%3A{level}%3A"), timeout=10_000)
        # settled: Dash marks a component that is being updated with data-dash-is-loading
        page.wait_for_function("() => !document.querySelector('[data-dash-is-loading=\"true\"]')",
                               timeout=10_000)
        expect(headline).to_contain_text(re.compile(r"klaar: \d+ van de \d+"), timeout=10_000)
        text = share.inner_text()
        assert text.endswith("%"), text
        return int(text.rstrip("%"))

    low, high = share_at("1"), share_at("4")
    assert high < low, (low, high)
    shot("legislation-draft")
    assert not console_errors, console_errors


def test_every_view_passes_axe(page: Page, demo_server, console_errors, axe, shot):
    # aggregate
    page.goto(demo_server + "/legislation?at=2026-07-01")
    expect(page.locator("#legislation-agg-table table")).to_be_visible(timeout=30_000)
    expect(page.locator("#legislation-agg-lacking table")).to_be_visible()
    shot("legislation-aggregate")
    assert not _serious(axe()), _serious(axe())

    # municipality: switch with the radio (nobody picked yet), then a permalink to Enschede
    page.get_by_role("radio", name="Gemeente").check()
    expect(page.locator("#legislation-mun-box")).to_be_visible()
    expect(page.locator("#legislation-mun-result")).to_contain_text("Kies een gemeente")
    assert not _serious(axe()), _serious(axe())
    page.goto(demo_server + f"/legislation?view=municipality&m={ENSCHEDE}&at=2026-07-01")
    expect(page.locator("#legislation-mun-result table").first).to_be_visible(timeout=60_000)
    expect(page.locator("#legislation-mun-result")).to_contain_text("Enschede")
    shot("legislation-municipality")
    assert not _serious(axe()), _serious(axe())

    # draft law: as it opens
    page.get_by_role("radio", name="Wetsontwerp (wat-als)").check()
    share = page.locator(SHARE)
    expect(share).to_be_visible(timeout=60_000)
    assert not _serious(axe()), _serious(axe())

    # add a requirement in the second row: without a deadline the draft is not valid (and says so)
    page.get_by_label("Eis 2: Element", exact=True).select_option("SEC-01")
    result = page.locator("#legislation-draft-result")
    expect(result).to_contain_text("Het ontwerp klopt niet", timeout=10_000)
    assert not _serious(axe()), _serious(axe())
    # with its deadline it counts again
    page.get_by_label("Eis 2: Termijn", exact=True).fill("2026-01-01")
    page.keyboard.press("Tab")  # the input is debounced: leaving it sends the value
    expect(result).not_to_contain_text("Het ontwerp klopt niet", timeout=10_000)
    expect(share).to_be_visible()
    shot("legislation-draft-two-requirements")
    assert not _serious(axe()), _serious(axe())
    assert not console_errors, console_errors


def test_draft_editor_by_keyboard(page: Page, demo_server, console_errors):
    page.goto(demo_server + "/legislation?view=draft&at=2026-07-01")
    share = page.locator(SHARE)
    expect(share).to_be_visible(timeout=60_000)

    # every editor control has its own accessible name
    for i in (1, 7, legislation_ids.SLOTS):
        for col in COLUMNS:
            expect(page.get_by_label(f"Eis {i}: {col}", exact=True)).to_have_count(1)

    # Tab goes through the editor in reading order: the three fields, each row left to right,
    # then the download button (a real <button>)
    page.locator("#legislation-law").focus()
    focused = "() => { const e = document.activeElement; return [e.id, e.tagName," \
              " e.labels && e.labels.length ? e.labels[0].textContent : e.textContent]; }"
    seen = [page.evaluate(focused)]
    for _ in range(2 + 5 * legislation_ids.SLOTS):
        page.keyboard.press("Tab")
        seen.append(page.evaluate(focused))
    # then the result's tables (scrollable regions, named, reachable to scroll on a phone)
    region = "() => document.activeElement.getAttribute('role') === 'region' &&" \
             " document.activeElement.getAttribute('aria-label')"
    page.keyboard.press("Tab")
    regions = []
    while page.evaluate(region):
        regions.append(page.evaluate(region))
        page.keyboard.press("Tab")
    assert regions == ["Waar", "Wat ze missen"], regions
    seen.append(page.evaluate(focused))
    expected = [legislation_ids.LAW, legislation_ids.DRAFT_ID, legislation_ids.DRAFT_POP] + [
        legislation_ids.dom_id({"type": kind, "index": i}) for i in range(legislation_ids.SLOTS)
        for kind, _, _ in legislation_ids.REQ_COLUMNS] + [legislation_ids.DRAFT_YAML_BUTTON]
    assert [s[0] for s in seen] == expected
    assert all(name.strip() for _, _, name in seen), [s for s in seen if not s[2].strip()]
    assert [s[2] for s in seen[3:8]] == [f"Eis 1: {c}" for c in COLUMNS]
    assert seen[-1][1] == "BUTTON"

    # the download button works from the keyboard
    with page.expect_download() as download:
        page.keyboard.press("Enter")
    assert download.value.suggested_filename == "DRAFT.yaml"

    # a minimum chosen by typing on the focused select changes the share
    page.wait_for_timeout(1000)
    before = share.inner_text()
    page.get_by_label("Eis 1: Minimumniveau", exact=True).focus()
    page.keyboard.press("4")
    expect(page.get_by_label("Eis 1: Minimumniveau", exact=True)).to_have_value("4")
    expect(share).not_to_have_text(before, timeout=10_000)
    assert not console_errors, console_errors


def test_table_downloads_are_links_the_keyboard_follows(page: Page, demo_server, console_errors):
    """The readiness table's and the heatmap's CSV · XLSX · Parquet are links to the download
    route (no callback, no base64): named by their format, reachable by Tab, followed by Enter
    as an ordinary download whose name and content come from the server."""
    page.goto(demo_server + "/legislation?country=NL&at=2026-07-01")
    heat = page.locator(f"#{legislation_ids.HEAT_CSV_BUTTON}")
    expect(heat).to_have_attribute("href", re.compile(
        r"^/download/legislation-heat\.csv\?country=NL&.*at=2026-07-01"), timeout=20_000)
    expect(heat).to_have_attribute("download", "")
    group = page.locator(f"#{legislation_ids.HEAT_CSV_BUTTON}-group")
    expect(group.get_by_role("link")).to_have_text(["CSV", "XLSX", "Parquet"])
    heat.focus()
    with page.expect_download() as info:
        page.keyboard.press("Enter")
    download = info.value
    assert download.suggested_filename == "legislation-heatmap.csv"
    with open(download.path(), encoding="utf-8") as f:
        header = f.readline()
    assert header.startswith("law") and "," in header, header
    with page.expect_download() as info:
        page.locator(f"#{legislation_ids.AGG_CSV_BUTTON}-xlsx").click()
    assert info.value.suggested_filename == "legislation-readiness.xlsx"
