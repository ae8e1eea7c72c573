"""Full-text search over the framework."""

from __future__ import annotations

import pytest

from dashboard.search import SearchIndex, fold, tokens


@pytest.fixture(scope="module")
def index(fw):
    return SearchIndex(fw)


def test_fold_and_tokens():
    assert fold("Ééngemaakt Ïnfo") == "eengemaakt info"
    assert tokens("  NIS2,  open;data ") == ["nis2", "open", "data"]
    assert tokens("") == []


def test_empty_query_lists_everything_in_framework_order(index, fw):
    assert [h.element.id for h in index.search("")] == fw.element_ids


def test_id_search_puts_that_element_first(index):
    hits = index.search("sec-02")
    assert hits[0].element.id == "SEC-02"
    assert hits[0].fields[0] == "id"


def test_law_search_finds_exactly_the_required_elements(index, fw):
    expected = {r.element for law in fw.laws if law.id == "NIS2" for r in law.requirements}
    found = {h.element.id for h in index.search("NIS2") if "laws" in h.fields}
    assert found == expected


def test_words_are_and_combined(index):
    wallet = {h.element.id for h in index.search("wallet")}
    assert "SRV-02" in wallet
    both = {h.element.id for h in index.search("wallet accessibility")}
    assert both <= wallet
    assert index.search("wallet zzzqqq") == []


def test_dutch_and_english_and_accents(index):
    nl = {h.element.id for h in index.search("toegankelijkheid")}
    en = {h.element.id for h in index.search("accessibility")}
    assert "SRV-05" in nl and "SRV-05" in en
    assert index.search("TOEGANKELIJKHEID")[0].element.id == index.search("toegankelijkheid")[0].element.id


def test_name_hit_ranks_above_level_hit(index, fw):
    hits = index.search("open data")
    assert hits[0].element.id == "DAT-02"
    scores = [h.score for h in hits]
    assert scores == sorted(scores, reverse=True)


def test_block_filter(index):
    hits = index.search("", block="SEC")
    assert [h.element.id for h in hits] == ["SEC-01", "SEC-02", "SEC-03", "SEC-04"]
    assert all(h.element.block == "DAT" for h in index.search("data", block="DAT"))
