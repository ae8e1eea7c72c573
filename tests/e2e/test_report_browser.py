"""The council report from the page: the profile's and the roadmap's "Download report (PDF)"
link gives the chosen municipality's PDF in the page's language, with its name and numbers."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pypdf
from playwright.sync_api import Page, expect


def _serious(violations):
    return [v for v in violations if v["impact"] in ("serious", "critical")]


def _pdf_text(path) -> tuple[int, str]:
    reader = pypdf.PdfReader(io.BytesIO(Path(path).read_bytes()))
    return len(reader.pages), re.sub(r"\s+", " ", " ".join(p.extract_text()
                                                             for p in reader.pages))


def test_download_report_from_profile_and_roadmap(page: Page, demo_server, console_errors, axe):
    page.goto(demo_server + "/profile?m=NL_GM0307")
    link = page.get_by_role("link", name="Rapport downloaden (pdf)")
    expect(link).to_be_visible(timeout=30_000)
    expect(link).to_have_attribute("href", re.compile(
        r"/api/v1/municipalities/NL_GM0307/report\.pdf\?lang=nl&wave=2026$"))
    with page.expect_download() as info:
        link.click()
    download = info.value
    assert download.suggested_filename == "report-NL_GM0307-2026-nl.pdf"
    pages, text = _pdf_text(download.path())
    assert 1 <= pages <= 2
    assert "Digitale volwassenheid van Amersfoort" in text and "Raadsrapportage" in text
    # the overall score the API gives is the one printed
    api = page.request.get(demo_server + "/api/v1/municipalities/NL_GM0307?wave=2026").json()
    assert api["scores"]["overall"] is not None
    assert f"Totaalscore (0–4) {api['scores']['overall']:.2f}".replace(".", ",") in text
    assert not _serious(axe()), _serious(axe())

    # the roadmap page in English: the same link, English report
    page.goto(demo_server + "/roadmap?m=NL_GM0307")
    page.locator(".lang-switch label", has_text="EN").click()
    link = page.get_by_role("link", name="Download report (PDF)")
    expect(link).to_be_visible(timeout=30_000)
    with page.expect_download() as info:
        link.click()
    _, text = _pdf_text(info.value.path())
    assert "Digital maturity of Amersfoort" in text and "Next steps" in text
    assert not _serious(axe()), _serious(axe())

    # no municipality chosen: no link
    page.goto(demo_server + "/profile")
    expect(page.locator("#profile-report")).to_be_hidden()
    assert console_errors == []
