"""A law's short name per language (framework 1.4.1): `short: {nl, en}` or one name for both;
the pages show the page language's, code without a language gets the Dutch one."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from dashboard import laws
from pipelines.framework import FrameworkError, Law, load_framework
from pipelines.maturity.readiness import law_to_yaml, readiness_inputs, validate_profile


def _edit(path: Path, change) -> None:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    change(data)
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")


def test_every_law_has_a_short_name_in_each_language(fw):
    for law in fw.all_laws:
        assert law.short_name("nl") and law.short_name("en")
        assert law.short == law.short_name("nl")  # the language-free name is the Dutch one
    by_id = {law.id: law for law in fw.all_laws}
    # the names of the laws' own `name` (the act's title on EUR-Lex) and the Dutch texts
    assert (by_id["EINVOICING"].short_name("nl"), by_id["EINVOICING"].short_name("en")) == (
        "eFacturatie", "eInvoicing")
    assert (by_id["GDPR"].short_name("nl"), by_id["GDPR"].short_name("en")) == ("AVG", "GDPR")
    assert (by_id["AI_ACT"].short_name("nl"), by_id["AI_ACT"].short_name("en")) == (
        "AI-verordening", "AI Act")
    # an act without a common short name keeps its official abbreviation in both languages
    assert by_id["NIS2"].short_names is None
    assert by_id["NIS2"].short_name("nl") == by_id["NIS2"].short_name("en") == "NIS2"


def test_a_single_short_name_stays_valid_and_a_half_one_is_refused(framework_copy):
    _edit(framework_copy / "laws" / "GDPR.yaml", lambda d: d.update(short="AVG/GDPR"))
    gdpr = next(law for law in load_framework(framework_copy).laws if law.id == "GDPR")
    assert gdpr.short == gdpr.short_name("en") == gdpr.short_name("nl") == "AVG/GDPR"

    _edit(framework_copy / "laws" / "GDPR.yaml", lambda d: d.update(short={"nl": "AVG"}))
    with pytest.raises(FrameworkError) as info:
        load_framework(framework_copy)
    assert "laws/GDPR.yaml" in str(info.value) and "short: en is missing" in str(info.value)

    _edit(framework_copy / "laws" / "GDPR.yaml",
          lambda d: d.update(short={"nl": "AVG", "en": " "}))
    with pytest.raises(FrameworkError, match="short: en"):
        load_framework(framework_copy)


def test_short_names_is_not_a_second_way_to_write_it(fw):
    data = next(law for law in fw.laws if law.id == "NIS2").model_dump()
    data["short_names"] = {"nl": "A", "en": "B"}
    with pytest.raises(ValueError, match="short_names is not a field"):
        Law.model_validate(data)


def test_both_names_survive_validation_and_the_law_file_download(fw):
    inp = readiness_inputs(fw)
    gdpr = inp.law("GDPR")
    again = validate_profile(gdpr, inp, draft=False)
    assert (again.short_name("nl"), again.short_name("en")) == ("AVG", "GDPR")
    assert yaml.safe_load(law_to_yaml(gdpr))["short"] == {"nl": "AVG", "en": "GDPR"}
    assert "short_names" not in gdpr.model_dump()  # the API's law record keeps `short` a string
    assert gdpr.model_dump()["short"] == "AVG"


def test_the_shared_accessor_names_a_law_in_the_page_language(fw):
    inp = readiness_inputs(fw)
    assert laws.law_short(inp, "EINVOICING", "en") == "eInvoicing"
    assert laws.law_short(inp, "EINVOICING", "nl") == "eFacturatie"
    assert laws.law_short(inp, "EINVOICING") == "eFacturatie"  # the old call: Dutch
    assert laws.law_short(inp, "NOT_A_LAW", "en") == "NOT_A_LAW"
