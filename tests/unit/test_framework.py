"""The real framework validates, and each kind of broken file fails with a precise message."""

from __future__ import annotations

import csv
import re
from pathlib import Path

import pytest
import yaml

from pipelines.framework import FrameworkError, load_framework


def test_real_framework_shape(fw):
    assert re.fullmatch(r"\d+\.\d+\.\d+", fw.version)
    assert [b.id for b in fw.blocks] == ["STR", "GOV", "INF", "DAT", "SRV", "SEC", "PPL", "ECO"]
    assert len(fw.elements) == 39
    per_block = {b.id: len(fw.elements_of(b.id)) for b in fw.blocks}
    assert per_block == {"STR": 4, "GOV": 6, "INF": 5, "DAT": 6, "SRV": 7, "SEC": 4, "PPL": 4,
                         "ECO": 3}
    assert len(fw.laws) == 17
    assert len(set(fw.element_ids)) == 39


def test_every_element_has_full_content(fw):
    for el in fw.elements:
        assert sorted(el.levels) == [0, 1, 2, 3, 4], el.id
        assert 3 <= len(el.steps) <= 6, el.id
        assert el.kickstart, f"{el.id} has no Kickstart instrument"
        # level descriptors are specific to the element, not the generic scale text
        generic = {s.meaning.en for s in fw.scale}
        assert not generic & {t.en for t in el.levels.values()}, el.id
        assert len({t.en for t in el.levels.values()}) == 5, el.id


def test_matrix_is_considered(fw):
    enablers = {e: len(fw.enablers_of(e)) for e in fw.element_ids}
    assert max(enablers.values()) <= 8
    # a few foundations (strategy, leadership) may have fewer than 2 enablers
    assert sum(1 for n in enablers.values() if n < 2) <= 4, enablers
    assert all(fw.dependants_of(e) for e in fw.element_ids), "an element enables nothing"
    strong = {(m.enabler, m.enabled) for m in fw.matrix if m.weight == 3}
    assert not {(b, a) for a, b in strong} & strong, "weight-3 cycle"
    grid = fw.matrix_array()
    assert sum(v > 0 for row in grid for v in row) == len(fw.matrix)
    assert all(grid[i][i] == 0 for i in range(len(grid)))


def test_laws_reference_the_framework(fw):
    ids = set(fw.element_ids)
    conditions = {c.id for c in fw.conditions}
    for law in fw.laws:
        for r in law.requirements:
            assert r.element in ids
            assert r.applies_if is None or r.applies_if in conditions
    nis2 = next(law for law in fw.laws if law.id == "NIS2")
    assert all(r.deadline_ref == "nis2_date" for r in nis2.requirements)
    assert {r.status for law in fw.laws if law.id == "DDPP" for r in law.requirements} == {"target"}
    assert any(r.confidence == "check" for law in fw.laws for r in law.requirements)


def test_crosswalk_covers_every_element(fw):
    assert {x.id for x in fw.crosswalk_frameworks} == {"vvsg", "zh"}
    for el in fw.elements:
        links = fw.crosswalk[el.id]
        assert any(links.values()), f"{el.id} maps to nothing"


def test_laws_requiring_matches_law_files(fw):
    pairs = fw.laws_requiring("SRV-02")
    assert {law.id for law, _ in pairs} >= {"SDGR", "EIDAS", "DDPP"}


# ------------------------------------------------------------------ broken files


def _edit_yaml(path: Path, change) -> None:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    change(data)
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")


def _fails(root: Path, *parts: str) -> str:
    with pytest.raises(FrameworkError) as info:
        load_framework(root)
    msg = str(info.value)
    for p in parts:
        assert p in msg, f"{p!r} not in {msg!r}"
    return msg


def test_duplicate_element_id(framework_copy):
    def dup(d):
        d["elements"][1]["id"] = d["elements"][0]["id"]
    _edit_yaml(framework_copy / "elements" / "GOV.yaml", dup)
    _fails(framework_copy, "element GOV-01", "more than once")


def test_missing_english_text(framework_copy):
    def drop(d):
        del d["elements"][2]["name"]["en"]
    _edit_yaml(framework_copy / "elements" / "SEC.yaml", drop)
    _fails(framework_copy, "data/framework/elements/SEC.yaml", "element SEC-03", "name.en",
           "missing")


def test_empty_dutch_level_descriptor(framework_copy):
    def blank(d):
        d["elements"][0]["levels"][2]["nl"] = "  "
    _edit_yaml(framework_copy / "elements" / "DAT.yaml", blank)
    _fails(framework_copy, "element DAT-01", "levels.2.nl", "empty")


def test_level_out_of_range(framework_copy):
    def five(d):
        d["elements"][0]["levels"][5] = {"nl": "x", "en": "x"}
    _edit_yaml(framework_copy / "elements" / "INF.yaml", five)
    _fails(framework_copy, "element INF-01", "levels must be exactly 0-4")


def test_too_few_steps(framework_copy):
    def cut(d):
        d["elements"][0]["steps"] = d["elements"][0]["steps"][:2]
    _edit_yaml(framework_copy / "elements" / "PPL.yaml", cut)
    _fails(framework_copy, "element PPL-01", "steps")


def test_unknown_instrument(framework_copy):
    def bad(d):
        d["elements"][0]["kickstart"].append("NO_SUCH_THING")
    _edit_yaml(framework_copy / "elements" / "ECO.yaml", bad)
    _fails(framework_copy, "element ECO-01", "unknown instrument 'NO_SUCH_THING'")


def test_element_in_wrong_block_file(framework_copy):
    def move(d):
        d["elements"][0]["block"] = "GOV"
    _edit_yaml(framework_copy / "elements" / "SRV.yaml", move)
    _fails(framework_copy, "SRV.yaml", "element SRV-01", "file is for block SRV")


def _matrix_rows(root: Path) -> list[dict]:
    with (root / "matrix.csv").open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def _write_matrix(root: Path, rows: list[dict]) -> None:
    with (root / "matrix.csv").open("w", encoding="utf-8", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=list(rows[0]))
        w.writeheader()
        w.writerows(rows)


def test_self_enabling(framework_copy):
    rows = _matrix_rows(framework_copy)
    rows.append({**rows[0], "enabled": rows[0]["enabler"]})
    _write_matrix(framework_copy, rows)
    _fails(framework_copy, "matrix.csv", "cannot enable itself")


def test_matrix_unknown_element_and_bad_weight(framework_copy):
    rows = _matrix_rows(framework_copy)
    _write_matrix(framework_copy, [*rows, {**rows[0], "enabler": "XYZ-99"}])
    _fails(framework_copy, "matrix.csv", "unknown element 'XYZ-99'")
    _write_matrix(framework_copy, [*rows, {**rows[0], "weight": "high"}])
    _fails(framework_copy, "matrix.csv", f"row {len(rows) + 2}", "not a whole number")
    _write_matrix(framework_copy, [*rows, {**rows[0], "weight": "4"}])
    _fails(framework_copy, "matrix.csv", "weight")


def test_matrix_missing_rationale(framework_copy):
    rows = _matrix_rows(framework_copy)
    rows[3]["rationale_en"] = ""
    _write_matrix(framework_copy, rows)
    _fails(framework_copy, "matrix.csv", "row 5", "rationale.en", "empty")


def test_duplicate_matrix_pair(framework_copy):
    rows = _matrix_rows(framework_copy)
    _write_matrix(framework_copy, [*rows, rows[0]])
    _fails(framework_copy, "matrix.csv", "more than once")


def test_law_requirement_level_out_of_range(framework_copy):
    def bad(d):
        d["requirements"][0]["min"] = 5
    _edit_yaml(framework_copy / "laws" / "GDPR.yaml", bad)
    _fails(framework_copy, "laws/GDPR.yaml", "law GDPR", "requirements.0.min")


def test_law_unknown_element_and_condition(framework_copy):
    path = framework_copy / "laws" / "WAD.yaml"
    original = path.read_text(encoding="utf-8")
    _edit_yaml(path, lambda d: d["requirements"][0].update(element="SRV-99"))
    _fails(framework_copy, "law WAD requirement #1", "unknown element 'SRV-99'")
    path.write_text(original, encoding="utf-8")
    _edit_yaml(path, lambda d: d["requirements"][1].update(applies_if="has_a_castle"))
    _fails(framework_copy, "law WAD requirement #2", "unknown condition 'has_a_castle'")


def test_law_id_must_match_file(framework_copy):
    _edit_yaml(framework_copy / "laws" / "CRA.yaml", lambda d: d.update(id="CRA2"))
    _fails(framework_copy, "laws/CRA.yaml", "must match the file name")


def test_invalid_yaml_names_the_line(framework_copy):
    path = framework_copy / "instruments.yaml"
    path.write_text(path.read_text(encoding="utf-8") + "\n  - id: [unclosed\n", encoding="utf-8")
    _fails(framework_copy, "instruments.yaml", "line", "not valid YAML")


def test_missing_file(framework_copy):
    (framework_copy / "crosswalk.yaml").unlink()
    _fails(framework_copy, "crosswalk.yaml", "is missing")


def test_crosswalk_unknown_category(framework_copy):
    def bad(d):
        d["mapping"]["STR-01"]["vvsg"] = ["vvsg-99"]
    _edit_yaml(framework_copy / "crosswalk.yaml", bad)
    _fails(framework_copy, "crosswalk.yaml", "mapping STR-01", "unknown vvsg category 'vvsg-99'")


def test_version_must_be_semantic_and_in_changelog(framework_copy):
    path = framework_copy / "framework.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(re.sub(r"^version: .*$", "version: 1.0", text, flags=re.M), encoding="utf-8")
    _fails(framework_copy, "framework.yaml", "not a semantic version")
    path.write_text(re.sub(r"^version: .*$", "version: 9.9.9", text, flags=re.M), encoding="utf-8")
    _fails(framework_copy, "CHANGELOG.md", "version 9.9.9")


def test_unknown_field_is_reported(framework_copy):
    def extra(d):
        d["instruments"][0]["url"] = "https://example.org"
    _edit_yaml(framework_copy / "instruments.yaml", extra)
    _fails(framework_copy, "instruments.yaml", "url is not a known field")


def test_checksum_changes_with_content(framework_copy, fw):
    assert load_framework(framework_copy).checksum == fw.checksum
    path = framework_copy / "CHANGELOG.md"
    path.write_text(path.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    assert load_framework(framework_copy).checksum != fw.checksum


# ------------------------------------------------------------------ 1.2.0: law data, flags


def test_law_profiles_are_complete(fw):
    assert {law.id for law in fw.adjacent} == {"WHISTLEBLOWER", "CER", "EMFA", "VIDA"}
    assert [law.id for law in fw.all_laws] == [law.id for law in [*fw.laws, *fw.adjacent]]
    assert fw.law_by_id["GDPR"].celex == ["32016R0679"]
    for law in fw.all_laws:
        assert law.source_note and law.source_note.startswith("§"), law.id
        assert law.celex, law.id
        for r in law.requirements:
            assert r.source and "note §" in r.source, (law.id, r.element)
    # the note's §3 / §4 facts as data
    assert fw.law_by_id["AI_ACT"].status == "in_force"
    omnibus = fw.law_by_id["AI_ACT"].pending_changes[0]
    assert (omnibus.ref, omnibus.status) == ("COM(2025) 836", "adopted")
    wallet = next(r for r in fw.law_by_id["EIDAS"].requirements if r.min == 3 and r.element == "SRV-02")
    assert (wallet.deadline_ref, wallet.confidence) == ("eudi_wallet_date", "check")
    assert fw.law_by_id["NIS2"].applies_from.isoformat() == "2024-10-18"
    # 1.3.0 review: the adjacent instruments' law-level facts were checked against the OJ text;
    # ViDA binds a municipality only as VAT taxable person, from 1 Jul 2030 (Art. 5, 6(5))
    assert {law.id for law in fw.adjacent if law.confidence == "check"} == set()
    vida = fw.law_by_id["VIDA"].requirements
    assert [(r.status, r.applies_if, r.deadline.isoformat()) for r in vida] == [
        ("required", "acts_as_vat_taxable_person", "2030-07-01")]
    assert "FREE_FLOW" not in fw.law_by_id


def test_member_states_are_loaded(fw):
    ms = fw.member_states
    assert set(ms.countries) == {"NL", "SE", "FR", "IT", "CZ", "AT", "DE", "BE", "FI"}
    assert ms.value("NL", "nis2_local_scope") == "all"
    assert ms.value("IT", "nis2_local_scope") == "threshold" and ms.value("IT", "nis2_threshold") == 100_000
    assert ms.value("DE", "nis2_local_scope") == "none"
    assert ms.value("FR", "nis2_local_scope") == "pending" and ms.value("FR", "nis2_date") is None
    assert ms.value("SE", "nis2_date").isoformat() == "2026-01-15"
    # countries the note did not research take the default entry
    flag, origin = ms.flag("PL", "nis2_local_scope")
    assert (flag.value, flag.confidence, origin) == ("check", "check", "default")
    assert ms.value("NL", "eudi_wallet_date").isoformat() == "2026-12-24"
    assert ms.flag("NL", "eudi_wallet_date")[1] == "default"
    # every flag has a source; ⚠ facts are check
    for code in [*ms.countries, "XX"]:
        for name, (f, _) in ms.flags(code).items():
            assert f.source, (code, name)
    assert ms.flag("CZ", "nis2_local_scope")[0].confidence == "check"
    assert ms.flag("NL", "nis2_date")[0].confidence == "check"


def test_requirement_unknown_field_is_reported(framework_copy):
    _edit_yaml(framework_copy / "laws" / "GDPR.yaml",
               lambda d: d["requirements"][0].update(sources="note §2.11"))
    _fails(framework_copy, "laws/GDPR.yaml", "law GDPR", "requirements.0.sources is not a known field")


def test_law_new_fields_are_validated(framework_copy):
    path = framework_copy / "laws" / "GDPR.yaml"
    original = path.read_text(encoding="utf-8")
    _edit_yaml(path, lambda d: d.update(celex=["2016/679"]))
    _fails(framework_copy, "law GDPR", "celex.0")
    path.write_text(original, encoding="utf-8")
    _edit_yaml(path, lambda d: d.update(pending_changes=[{"ref": "COM(2025) 837", "name": "Omnibus",
                                                          "status": "rumoured", "effect": "x"}]))
    _fails(framework_copy, "law GDPR", "pending_changes.0.status")
    path.write_text(original, encoding="utf-8")
    _edit_yaml(path, lambda d: d.update(applies_from="soon"))
    _fails(framework_copy, "law GDPR", "applies_from")
    path.write_text(original, encoding="utf-8")
    _edit_yaml(path, lambda d: d.update(confidence="maybe"))
    _fails(framework_copy, "law GDPR", "confidence")
    path.write_text(original, encoding="utf-8")
    _edit_yaml(path, lambda d: d.update(recommended_if_out_of_scope=2))
    _fails(framework_copy, "law GDPR", "recommended_if_out_of_scope needs a requirement with applies_if")


def test_adjacent_law_is_validated_like_a_law(framework_copy):
    path = framework_copy / "laws" / "adjacent" / "CER.yaml"
    original = path.read_text(encoding="utf-8")
    _edit_yaml(path, lambda d: d["requirements"][0].update(applies_if="has_a_castle"))
    _fails(framework_copy, "laws/adjacent/CER.yaml", "law CER requirement #1", "unknown condition")
    path.write_text(original, encoding="utf-8")
    _edit_yaml(path, lambda d: d.update(id="GDPR"))
    _fails(framework_copy, "laws/adjacent/CER.yaml", "must match the file name")
    (framework_copy / "laws" / "adjacent" / "GDPR.yaml").write_text(
        (framework_copy / "laws" / "GDPR.yaml").read_text(encoding="utf-8"), encoding="utf-8")
    path.unlink()
    _fails(framework_copy, "law GDPR", "more than once")


def _edit_states(root: Path, change) -> None:
    _edit_yaml(root / "member_states.yaml", change)


def test_member_state_code_must_be_two_letters(framework_copy):
    _edit_states(framework_copy, lambda d: d["member_states"][0].update(code="NLD"))
    _fails(framework_copy, "member_states.yaml", "member state NLD", "code")


def test_member_state_unknown_flag(framework_copy):
    _edit_states(framework_copy, lambda d: d["member_states"][1].update(
        nis2_scope={"value": "all", "confidence": "verified", "source": "x"}))
    _fails(framework_copy, "member_states.yaml", "member state NL", "nis2_scope is not a known field")


def test_member_state_flag_values_are_checked(framework_copy):
    path = framework_copy / "member_states.yaml"
    original = path.read_text(encoding="utf-8")
    _edit_states(framework_copy, lambda d: d["member_states"][1]["nis2_local_scope"].update(value="most"))
    _fails(framework_copy, "member state NL", "nis2_local_scope.value")
    path.write_text(original, encoding="utf-8")
    _edit_states(framework_copy, lambda d: d["member_states"][1]["nis2_local_scope"].pop("source"))
    _fails(framework_copy, "member state NL", "nis2_local_scope.source", "missing")
    path.write_text(original, encoding="utf-8")
    _edit_states(framework_copy, lambda d: d["member_states"][1]["nis2_date"].update(confidence="sure"))
    _fails(framework_copy, "member state NL", "nis2_date.confidence")
    path.write_text(original, encoding="utf-8")
    _edit_states(framework_copy,
                 lambda d: d["member_states"][1]["nis2_local_scope"].update(value="threshold"))
    _fails(framework_copy, "member state NL", "nis2_threshold is null")


def test_member_states_default_and_duplicates(framework_copy):
    path = framework_copy / "member_states.yaml"
    original = path.read_text(encoding="utf-8")
    _edit_states(framework_copy, lambda d: d["default"].pop("eudi_wallet_date"))
    _fails(framework_copy, "member_states.yaml", "default", "must set every flag", "eudi_wallet_date")
    path.write_text(original, encoding="utf-8")
    _edit_states(framework_copy, lambda d: d["member_states"].append(dict(d["member_states"][0])))
    _fails(framework_copy, "member_states.yaml", "member state SE", "more than once")
    path.write_text(original, encoding="utf-8")
    _edit_states(framework_copy, lambda d: d.update(countries=[]))
    _fails(framework_copy, "member_states.yaml", "countries", "not a known section")
    path.unlink()
    _fails(framework_copy, "member_states.yaml", "is missing")


def _first(d: dict, duty: bool = True, element: str | None = None) -> int:
    """The index of the first requirement that is (or is not) a legal duty, on `element`."""
    for i, r in enumerate(d["requirements"]):
        if (r.get("status", "required") == "required") == duty and element in (None, r["element"]):
            return i
    raise AssertionError("no such requirement in the fixture law")


def test_legal_duty_above_level_3_is_refused(framework_copy):
    # Framework README rule 2: a legal minimum must be reachable at level 3 or below.
    found = {}

    def bad(d):
        found["i"] = i = _first(d)
        d["requirements"][i]["min"] = 4
    _edit_yaml(framework_copy / "laws" / "GDPR.yaml", bad)
    _fails(framework_copy, "law GDPR", f"requirements.{found['i']}.min", "legal duty at level 4")


def test_recommendation_at_level_4_is_allowed(framework_copy, fw):
    # An ambition may ask for level 4; only duties are capped.
    def ok(d):
        i = _first(d)
        d["requirements"][i].update(min=4, status="recommended")
    _edit_yaml(framework_copy / "laws" / "GDPR.yaml", ok)
    loaded = load_framework(framework_copy)
    assert any(r.min == 4 and r.status == "recommended"
               for r in loaded.law_by_id["GDPR"].requirements)


def test_legal_duty_without_article_is_refused(framework_copy):
    # Rule 3: every legal duty names its article; an empty string is no article either.
    path = framework_copy / "laws" / "NIS2.yaml"
    original = path.read_text(encoding="utf-8")
    found = {}

    def drop(d):
        found["i"] = i = _first(d)
        d["requirements"][i].pop("legal_basis", None)
    _edit_yaml(path, drop)
    _fails(framework_copy, "law NIS2", f"requirements.{found['i']}.legal_basis",
           "needs its legal basis")
    path.write_text(original, encoding="utf-8")
    _edit_yaml(path, lambda d: d["requirements"][found["i"]].update(legal_basis="  "))
    _fails(framework_copy, "law NIS2", "needs its legal basis")


def test_a_non_binding_law_needs_no_article(framework_copy, fw):
    # Rule 1: a law that does not bind municipalities has no legal duties, only ambition.
    non_binding = [law for law in fw.all_laws if not law.binding_on_municipalities]
    assert non_binding, "the Digital Decade programme is the non-binding law of the fixture"
    law = non_binding[0]
    sub = "adjacent/" if law in fw.adjacent else ""
    _edit_yaml(framework_copy / "laws" / f"{sub}{law.id}.yaml",
               lambda d: [r.pop("legal_basis", None) for r in d["requirements"]])
    assert load_framework(framework_copy).law_by_id[law.id]


def test_bundled_element_needs_what_the_law_asks(framework_copy):
    # Rule 4: a requirement on GOV-03 says which of the bundled duties this law needs.
    found = {}

    def drop(d):
        found["i"] = i = next(i for i, r in enumerate(d["requirements"])
                              if r["element"] == "GOV-03")
        d["requirements"][i].pop("needs", None)
    _edit_yaml(framework_copy / "laws" / "GDPR.yaml", drop)
    _fails(framework_copy, "law GDPR", f"requirements.{found['i']}.needs", "GOV-03 bundles")
