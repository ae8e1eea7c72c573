"""The Knowledge page's callbacks, called as plain functions."""

from __future__ import annotations

import re

from dashboard import shell
from dashboard.views.knowledge import callbacks as knowledge
from dashboard.views.knowledge import data as knowledge_data


def test_list_all_elements(ctx, tree):
    count, groups = knowledge.filter_elements(ctx, None, "", "nl", "")
    assert count == "39 van 39 elementen"
    links = [c for c in tree.walk(groups) if getattr(c, "href", "").startswith("/knowledge?element=")]
    assert len(links) == 39
    assert len(groups) == 8  # one section per block


def test_search_and_block_filter(ctx, tree):
    count, groups = knowledge.filter_elements(ctx, "wallet", "", "en", "")
    assert "for ‘wallet’" in count
    assert "SRV-02" in tree.text(groups)
    count, groups = knowledge.filter_elements(ctx, "", "SEC", "en", "")
    assert count == "4 of 39 elements"
    assert all(c.href.split("=")[1].startswith("SEC-") for c in tree.walk(groups)
               if getattr(c, "href", None))


def test_no_results_says_so(ctx, tree):
    count, body = knowledge.filter_elements(ctx, "xyzzy", "", "en", "")
    assert count.startswith("0 of 39")
    assert "No elements found for ‘xyzzy’" in tree.text(body)


def test_selected_element_is_marked_current(ctx, tree):
    _, groups = knowledge.filter_elements(ctx, "", "", "nl", "?element=dat-02")
    current = [c for c in tree.walk(groups) if getattr(c, "aria-current", None) == "true"]
    assert len(current) == 1 and current[0].children.href.endswith("DAT-02")
    assert "active" in current[0].children.className


def test_detail_shows_all_parts(ctx, fw, tree):
    el = fw.element_by_id["SEC-02"]
    body = knowledge.show_element(ctx, "?element=SEC-02", "en")
    txt = tree.text(body)
    assert el.name.en in txt
    for lvl in range(5):
        assert el.levels[lvl].en in txt
    assert el.evidence.en in txt
    assert all(s.en in txt for s in el.steps)
    for iid in el.kickstart:
        assert fw.instrument_by_id[iid].name in txt
    for cell in fw.enablers_of("SEC-02"):
        assert cell.rationale.en in txt
    assert "NIS2" in txt and "GDPR" in txt.replace("AVG/GDPR", "GDPR")
    links = {c.href for c in tree.walk(body) if getattr(c, "href", None)}
    assert {f"/knowledge?element={c.enabler}" for c in fw.enablers_of("SEC-02")} <= links


def test_detail_in_dutch(ctx, fw, tree):
    body = knowledge.show_element(ctx, "?element=STR-01", "nl")
    txt = tree.text(body)
    assert fw.element_by_id["STR-01"].name.nl in txt
    assert "Implementatiestappen" in txt


def test_unverified_law_facts_are_flagged(ctx, fw, tree):
    el = next(r.element for law in fw.laws for r in law.requirements if r.confidence == "check")
    txt = tree.text(knowledge.show_element(ctx, f"?element={el}", "en"))
    assert "unverified" in txt


def test_unknown_and_missing_element(ctx, tree):
    txt = tree.text(knowledge.show_element(ctx, "?element=ABC-99", "en"))
    assert "ABC-99 does not exist" in txt
    overview = tree.text(knowledge.show_element(ctx, "", "en"))
    assert "8 building blocks, 39 elements" in overview


def test_router_and_navbar(ctx, tree):
    assert "Page not found" in tree.text(shell.route(ctx, "/nowhere", "en"))
    assert "Knowledge" in tree.text(shell.route(ctx, "/knowledge", "en"))
    links = shell.nav_links("/knowledge", "nl")
    labels = [link.children.children for link in links]
    labels = [lab if isinstance(lab, str) else lab[0] for lab in labels]
    assert labels == ["Kennis", "Inzicht", "Handelingsperspectief", "EU-wetgeving", "Vragenlijst"]
    assert [link.children.active for link in links] == [lab == "Kennis" for lab in labels]
    home = shell.nav_links("/", "en")
    assert [link.children.active for link in home] == [False, True, False, False, False]


def _flat(text: str) -> str:
    """The text as a reader sees it (tree.text puts a space between every child)."""
    return re.sub(r"\s+", " ", text).replace(" ,", ",").replace(" )", ")")


def test_member_state_dates_show_the_default_and_who_differs(ctx, fw, tree):
    # NIS2's date is set per member state: no default, the national dates listed by country
    txt = _flat(tree.text(knowledge.show_element(ctx, "?element=SEC-02", "en")))
    assert "national date" not in txt
    assert ("no date known (default; differs per member state: AT 2026-10-01, BE 2024-10-18, "
            "CZ 2025-11-01, DE 2025-12-06, IT 2024-10-16, NL 2026-06-30, SE 2026-01-15)") in txt
    nl = _flat(tree.text(knowledge.show_element(ctx, "?element=SEC-02", "nl")))
    assert "geen datum bekend (standaard; verschilt per lidstaat: AT 2026-10-01, BE 2024-10-18" in nl
    # eIDAS wallet date: a default that no member state on record changes
    srv = _flat(tree.text(knowledge.show_element(ctx, "?element=SRV-02", "en")))
    assert "2026-12-24 (default; no member state on record differs)" in srv
    assert "2026-12-24 (standaard; voor zover bekend wijkt geen lidstaat af)" in _flat(tree.text(
        knowledge.show_element(ctx, "?element=SRV-02", "nl")))
    # without the resolved dates (another caller) the old wording stays
    from dashboard.components.element_views import element_detail
    assert "national date" in tree.text(element_detail(fw, fw.element_by_id["SEC-02"], "en"))


def test_deadline_dates_come_from_the_readiness_resolution(ctx):
    from dashboard import laws
    from pipelines.maturity.readiness import resolve_municipality

    dates = knowledge_data.deadline_dates(ctx, "SEC-02")
    assert set(dates) == {"nis2_date"}
    be = resolve_municipality(laws.inputs(ctx), "BE")["nis2_date"].value
    assert {c.country: c.date for c in dates["nis2_date"].differs}["BE"] == be
    assert knowledge_data.deadline_dates(ctx, "STR-01") == {}  # no member-state date


def _law_row(tree, body, law_short: str) -> str:
    table = next(c for c in tree.walk(body) if "laws-table" in (getattr(c, "className", "") or ""))
    rows = [r for r in tree.walk(table) if type(r).__name__ == "Tr"]
    return next(tree.text(r) for r in rows if law_short in tree.text(r))


def test_each_law_row_says_duty_or_recommendation_with_its_article(ctx, fw, tree):
    """Framework README rules 1 and 3: the Knowledge page tells a legal duty (with its article)
    from a recommendation; on GOV-03 each law says what it needs of the bundled element."""
    body = knowledge.show_element(ctx, "?element=SEC-02", "en")
    nis2 = _law_row(tree, body, "NIS2")
    assert "legal duty" in nis2 and "Legal basis: Art. 21(2)(b), Art. 23(1), Art. 23(4)" in nis2
    gdpr_basis = next(r.legal_basis for r in fw.law_by_id["GDPR"].requirements
                      if r.element == "SEC-02")
    assert f"Legal basis: {gdpr_basis}" in _law_row(tree, body, "GDPR")
    gov03 = knowledge.show_element(ctx, "?element=GOV-03", "en")
    cra = _law_row(tree, gov03, "CRA")
    assert "recommendation" in cra and "legal duty" not in cra
    cra_needs = next(r.needs.en for r in fw.law_by_id["CRA"].requirements if r.element == "GOV-03")
    assert cra_needs in cra
    # the legend explains both words, in Dutch too
    nl = tree.text(knowledge.show_element(ctx, "?element=GOV-03", "nl"))
    assert "wettelijke plicht:" in nl and "aanbeveling:" in nl
    assert "Wettelijke grondslag: Art. 28(1), Art. 28(3)" in nl


def test_prerequisites_are_named_on_both_sides(ctx, fw, tree):
    """A gate in the matrix reads as a prerequisite on the element it gates and on the enabler."""
    gate = next(c for c in fw.matrix if c.enabler == "STR-02" and c.enabled == "SEC-01")
    assert gate.gate == 2
    sec = tree.text(knowledge.show_element(ctx, "?element=SEC-01", "en"))
    assert "prerequisite: at level 2 before this element is developed" in sec
    str02 = tree.text(knowledge.show_element(ctx, "?element=STR-02", "nl"))
    assert "voorwaarde: dit element op niveau 2 voordat dat wordt ontwikkeld" in str02
    plain = tree.text(knowledge.show_element(ctx, "?element=SEC-02", "en"))
    n_gates = sum(1 for c in fw.matrix if c.enabled == "SEC-02" and c.gate)
    assert plain.count("prerequisite: at level") == n_gates


def test_laws_are_named_in_the_page_language(ctx, tree):
    """A law's short name per language (framework 1.4.1): the English page reads eInvoicing and
    GDPR, the Dutch one eFacturatie and AVG; a search finds a law by either name."""
    en = knowledge.show_element(ctx, "?element=SRV-07", "en")
    nl = knowledge.show_element(ctx, "?element=SRV-07", "nl")
    assert _law_row(tree, en, "eInvoicing") and "eFacturatie" not in tree.text(en)
    assert _law_row(tree, nl, "eFacturatie") and "eInvoicing" not in tree.text(nl)
    assert _law_row(tree, knowledge.show_element(ctx, "?element=GOV-04", "en"), "GDPR")
    assert "AVG" not in tree.text(knowledge.show_element(ctx, "?element=GOV-04", "en"))
    assert _law_row(tree, knowledge.show_element(ctx, "?element=GOV-04", "nl"), "AVG")
    for query in ("eInvoicing", "eFacturatie"):
        _, hits = knowledge.filter_elements(ctx, query, "", "en", "")
        assert "SRV-07" in tree.text(hits), query
