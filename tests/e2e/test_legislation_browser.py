"""The Legislation tab in a real browser: a draft law's share changes when a minimum rises."""

from __future__ import annotations

from playwright.sync_api import Page, expect

SHARE = "#legislation-draft-share"


def test_draft_law_share_changes(page: Page, demo_server, console_errors, shot):
    page.goto(demo_server + "/legislation?view=draft&at=2026-07-01")
    share = page.locator(SHARE)
    expect(share).to_be_visible(timeout=20000)
    page.select_option('[id=\'{"index":0,"type":"legislation-req-min"}\']', "1")
    expect(share).not_to_have_text("", timeout=10000)
    page.wait_for_timeout(1500)
    before = share.inner_text()
    page.select_option('[id=\'{"index":0,"type":"legislation-req-min"}\']', "4")
    expect(share).not_to_have_text(before, timeout=10000)
    shot("legislation-draft")
    assert not console_errors, console_errors
