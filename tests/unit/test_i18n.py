"""Both interface catalogs hold the same keys with the same placeholders."""

from __future__ import annotations

import string

import pytest

from dashboard.i18n import catalog, t


def _fields(text: str) -> set[str]:
    return {f for _, f, _, _ in string.Formatter().parse(text) if f}


def test_catalogs_match():
    nl, en = catalog("nl"), catalog("en")
    assert nl.keys() == en.keys()
    for key in nl:
        assert _fields(nl[key]) == _fields(en[key]), key
        assert nl[key].strip() and en[key].strip(), key


def test_translate_and_fallback():
    assert t("knowledge.count", "en", shown=3, total=39) == "3 of 39 elements"
    assert t("knowledge.count", "xx", shown=3, total=39) == "3 van 39 elementen"
    with pytest.raises(KeyError):
        t("no.such.key", "nl")
