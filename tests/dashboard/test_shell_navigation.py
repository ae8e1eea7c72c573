"""The frame's navigation (dashboard/shell.py): the toolkit's four parts plus the survey in the
navbar, the current part's pages in a row under it, the chosen municipality carried in the
URL between the pages about one municipality, a title per page, texts in the chosen language."""

from __future__ import annotations

from urllib.parse import parse_qs, urlparse

import pytest

from dashboard import shell
from dashboard.i18n import t
from dashboard.registry import PAGES, SECTIONS, section_for


def _links(nav) -> list[tuple[str, str, bool]]:
    """(label, href, active) of each link in a navbar list or a subnav."""
    items = nav if isinstance(nav, list) else nav.children.children

    def text(node):  # the visible text, without the screen reader's "(current page)"
        return node if isinstance(node, str) else node[0]
    return [(text(i.children.children), i.children.href, bool(i.children.active)) for i in items]


def test_every_page_is_in_exactly_one_part():
    for page in PAGES:
        assert sum(page in s.pages for s in SECTIONS) == 1, page.PATH
    assert [s.key for s in SECTIONS] == ["knowledge", "insight", "roadmap", "legislation",
                                         "survey"]


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_navbar_names_the_parts_and_marks_the_current_one(lang):
    links = _links(shell.nav_links("/policy", lang))
    assert [label for label, _, _ in links] == [t(s.label_key, lang) for s in SECTIONS]
    assert [href for _, href, _ in links] == ["/knowledge", "/overview", "/roadmap",
                                             "/legislation", "/survey"]
    assert [active for _, _, active in links] == [False, False, True, False, False]
    # the coordinator's progress page belongs to the survey part
    assert [a for _, _, a in _links(shell.nav_links("/survey/progress", lang))][-1]


def test_subnav_lists_the_pages_of_a_part_with_more_than_one():
    insight = _links(shell.subnav("/heatmap", "en"))
    assert [label for label, _, _ in insight] == ["Overview", "Municipality profile",
                                                  "Element heatmap", "Maps & regions"]
    assert [active for _, _, active in insight] == [False, False, True, False]
    roadmap = _links(shell.subnav("/roadmap", "nl"))
    assert [label for label, _, _ in roadmap] == ["Roadmap", "Beleid & financiering"]
    nav = shell.subnav("/policy", "nl")
    assert nav.to_plotly_json()["props"]["aria-label"] == "Pagina's van Handelingsperspectief"
    (current,) = [i.children for i in nav.children.children if i.children.active]
    assert current.children[1].children == " (huidige pagina)"
    assert "visually-hidden" in current.children[1].className
    # a part of one page, the survey's coordinator page and an unknown address: no row
    assert shell.subnav("/knowledge", "nl") is None
    assert shell.subnav("/legislation", "en") is None
    assert shell.subnav("/survey/progress", "en") is None
    assert shell.subnav("/nowhere", "en") is None


def _query(href: str) -> dict:
    return {k: v[-1] for k, v in parse_qs(urlparse(href).query).items()}


def test_the_chosen_municipality_comes_along_between_profile_roadmap_and_legislation():
    for here, search in [("/profile", "?m=NL_GM0363&wave=2026&peers=size"),
                         ("/roadmap", "?m=NL_GM0363"),
                         ("/legislation", "?view=municipality&m=NL_GM0363&country=NL")]:
        top = {label: href for label, href, _ in _links(shell.nav_links(here, "en", search))}
        assert _query(top["Roadmap"]) == {"m": "NL_GM0363"}, here
        assert _query(top["EU legislation"]) == {"view": "municipality", "m": "NL_GM0363"}
        assert top["Knowledge"] == "/knowledge" and top["Insight"] == "/overview"
    sub = {label: href for label, href, _ in _links(
        shell.subnav("/roadmap", "en", "?m=NL_GM0363"))}
    assert _query(sub["Roadmap"]) == {"m": "NL_GM0363"}
    assert sub["Policy & funding"] == "/policy"  # not about one municipality
    ins = {label: href for label, href, _ in _links(
        shell.subnav("/profile", "en", "?m=NL_GM0363"))}
    assert _query(ins["Municipality profile"]) == {"m": "NL_GM0363"}
    assert ins["Element heatmap"] == "/heatmap"


@pytest.mark.parametrize("here,search", [
    ("/heatmap", "?m=NL_GM0363"),  # not a page about one municipality: nothing carried
    ("/profile", ""), ("/profile", "?m="), ("/profile", "?m=" + "x" * 80),
    ("/profile", "?m=%0Aevil")])
def test_nothing_is_carried_without_a_plain_municipality(here, search):
    hrefs = [href for _, href, _ in _links(shell.nav_links(here, "en", search))]
    assert hrefs == ["/knowledge", "/overview", "/roadmap", "/legislation", "/survey"]


def test_only_an_id_is_carried():
    for search in ("?m=A%26B%3D1", "?m=NL_GM0363%20", "?m=<script>"):
        (href,) = [h for label, h, _ in _links(shell.nav_links("/profile", "en", search))
                   if label == "Roadmap"]
        assert href == "/roadmap", search


@pytest.mark.parametrize("path,lang,title", [
    ("/profile", "nl", "Gemeenteprofiel · DS4E toolkit"),
    ("/profile", "en", "Municipality profile · DS4E toolkit"),
    ("/", "en", "Overview · DS4E toolkit"),
    ("/nowhere", "nl", t("notfound.title", "nl") + " · DS4E toolkit")])
def test_each_page_has_its_own_title(path, lang, title):
    assert shell.page_title(path, lang) == title


@pytest.mark.parametrize("lang,skip,tag,title", [
    ("en", "Skip to content", "Digital maturity of Europe's municipalities",
     "Municipality profile · DS4E toolkit"),
    ("nl", "Naar de inhoud", "Digitale volwassenheid van Europese gemeenten",
     "Gemeenteprofiel · DS4E toolkit")])
def test_the_frame_follows_the_language_switch(nl_data_dir, lang, skip, tag, title):
    """The callback as the browser calls it: skip link, tagline and title in the chosen language
    (the skip link stayed Dutch in English before)."""
    from dash_http import find, payload

    from app import create_app
    from dashboard import ids
    from dashboard.config import Settings

    app = create_app(Settings.from_env({"DS4E_DATA_DIR": str(nl_data_dir), "DS4E_LANG": "nl",
                                        "DS4E_RATE_LIMITS": "0"}))
    client = app.server.test_client()
    spec = find(client.get("/_dash-dependencies").get_json(), ids.SKIP_LINK)
    body = payload(spec, {"url.pathname": "/profile", "lang.value": lang,
                          "url.search": "?m=NL_GM0363"}, ["lang.value"])
    out = client.post("/_dash-update-component", json=body).get_json()["response"]
    assert out[ids.SKIP_LINK]["children"] == skip
    assert out[ids.BRAND_TAG]["children"] == tag
    assert out[ids.PAGE_TITLE]["data"] == title
    assert out[ids.NAV_MAIN]["aria-label"] == t("nav.label", lang)
    assert "m=NL_GM0363" in str(out[ids.NAV_LINKS]["children"])


def test_section_for_unknown_page_is_none():
    assert section_for(None) is None
