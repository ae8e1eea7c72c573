"""Laws API on the Dutch demo build: each endpoint, 400/403/404/503."""

from __future__ import annotations

import pytest

ENSCHEDE, GRONINGEN = "NL_GM0153", "NL_GM0014"
DRAFT = {"id": "DRAFT", "name": "Draft", "requirements": [
    {"element": "SEC-01", "min": 2, "deadline": "2026-01-01"}]}






def test_laws_list_and_detail_work_without_data(empty):
    r = empty.get("/api/v1/laws")
    assert r.status_code == 200 and r.json["count"] >= 17
    assert any(x["id"] == "NIS2" for x in r.json["items"])
    d = empty.get("/api/v1/laws/nis2")
    assert d.status_code == 200 and d.json["id"] == "NIS2" and d.json["requirements"]
    assert empty.get("/api/v1/laws/NOPE").status_code == 404


def test_readiness(consent):
    r = consent.get("/api/v1/laws/GDPR/readiness?at=2026-07-01&country=NL")
    assert r.status_code == 200
    j = r.json
    assert j["horizon"] == "all" and j["cutoff"] is None  # every deadline by default
    assert j["ready"] + j["not_ready"] + j["unknown"] == j["due"]
    assert j["due"] + j["not_due"] == j["applies"]
    assert j["applies"] + j["not_applicable"] == j["municipalities_answered"]
    assert j["share_ready"] == pytest.approx(j["ready"] / j["due"])
    due_now = consent.get("/api/v1/laws/GDPR/readiness?at=2026-07-01&country=NL&horizon=0").json
    assert due_now["horizon"] == "0" and due_now["cutoff"] == "2026-07-01"


def test_a_law_that_does_not_apply_is_not_ready_and_not_counted_as_ready(consent):
    """INSPIRE asks nothing of Dutch municipalities in the data: it applies to none, and its
    share ready is null, not 100 %."""
    j = consent.get("/api/v1/laws/INSPIRE/readiness?country=NL").json
    assert j["municipalities_answered"] > 0
    assert (j["applies"], j["due"], j["not_applicable"]) == (0, 0, j["municipalities_answered"])
    assert j["share_ready"] is None and j["ready"] is None


@pytest.mark.parametrize("query,parameter", [("at=2026-13-01", "at"), ("at=tomorrow", "at"),
                                             ("country=XX", "country"), ("size_class=big", "size_class"),
                                             ("horizon=-3", "horizon"), ("horizon=soon", "horizon")])
def test_readiness_bad_parameters(consent, query, parameter):
    r = consent.get(f"/api/v1/laws/GDPR/readiness?{query}")
    assert r.status_code == 400 and r.json["parameter"] == parameter


def test_readiness_unknown_law_and_nothing_published(consent, empty):
    assert consent.get("/api/v1/laws/NOPE/readiness").status_code == 404
    assert empty.get("/api/v1/laws/GDPR/readiness").status_code == 503


def test_what_if(consent, empty):
    low = consent.post("/api/v1/laws/what-if?at=2026-07-01", json=DRAFT)
    assert low.status_code == 200 and low.json["by_country"]
    high = consent.post("/api/v1/laws/what-if?at=2026-07-01", json={
        **DRAFT, "requirements": [{**DRAFT["requirements"][0], "min": 4}]})
    assert high.json["share_ready"] < low.json["share_ready"]
    # a draft due in 2030: by default it is tested against its own deadline, not "100 % ready"
    later = {**DRAFT, "requirements": [{**DRAFT["requirements"][0], "min": 4,
                                        "deadline": "2030-01-01"}]}
    every = consent.post("/api/v1/laws/what-if?at=2026-07-01", json=later).json
    assert every["share_ready"] == pytest.approx(high.json["share_ready"])
    now = consent.post("/api/v1/laws/what-if?at=2026-07-01&horizon=0", json=later).json
    assert now["due"] == 0 and now["share_ready"] is None and now["not_due"] == now["applies"]
    assert empty.post("/api/v1/laws/what-if", json=DRAFT).status_code == 503


@pytest.mark.parametrize("body", [
    {"id": "X"},
    {"id": "DRAFT", "name": "x", "requirements": [{"element": "NOPE-1", "min": 2,
                                                   "deadline": "2026-01-01"}]},
    {"id": "DRAFT", "name": "x", "requirements": [{"element": "SEC-01", "min": 7,
                                                   "deadline": "2026-01-01"}]},
    {"id": "DRAFT", "name": "x", "requirements": [{"element": "SEC-01", "min": 2,
                                                   "deadline": "someday"}]},
    [1, 2],
])
def test_what_if_bad_profiles(consent, body):
    r = consent.post("/api/v1/laws/what-if", json=body)
    assert r.status_code == 400 and "law profile" in r.json["error"]


def test_what_if_not_json(consent):
    r = consent.post("/api/v1/laws/what-if", data="x", content_type="text/plain")
    assert r.status_code == 400


def test_municipality_readiness(consent):
    r = consent.get(f"/api/v1/municipalities/{ENSCHEDE}/readiness?at=2026-07-01")
    assert r.status_code == 200 and r.json["laws"] and "conditions" in r.json
    assert consent.get(f"/api/v1/municipalities/{GRONINGEN}/readiness").status_code == 403
    assert consent.get("/api/v1/municipalities/XX_0/readiness").status_code == 404
    assert consent.get(f"/api/v1/municipalities/{ENSCHEDE}/readiness?at=x").status_code == 400


def test_documented(consent):
    paths = consent.get("/api/v1/openapi.json").get_json()["paths"]
    for p in ("/api/v1/laws", "/api/v1/laws/{law_id}", "/api/v1/laws/{law_id}/readiness",
              "/api/v1/laws/what-if", "/api/v1/municipalities/{municipality_id}/readiness"):
        assert p in paths


def test_law_detail_says_duty_and_article(empty, fw):
    """Framework README rules 1 and 3 in the API: every requirement has `legal_duty`, every duty
    its `legal_basis`; a bundled element (GOV-03) says what the law `needs` of it."""
    items = {x["id"]: x for x in empty.get("/api/v1/laws").json["items"]}
    assert items["CRA"]["legal_duties"] == 0 and items["GDPR"]["legal_duties"] == 5
    for law in fw.all_laws:
        d = empty.get(f"/api/v1/laws/{law.id}").json
        assert d["legal_duties"] == sum(r["legal_duty"] for r in d["requirements"])
        for r in d["requirements"]:
            if r["legal_duty"]:
                assert r["legal_basis"].strip(), (law.id, r["element"])
            if r["element"] == "GOV-03":
                assert r["needs"]["en"] and r["needs"]["nl"]
    cra = empty.get("/api/v1/laws/CRA").json
    assert not cra["binding_on_municipalities"]
    assert {r["legal_duty"] for r in cra["requirements"]} == {False}


def test_readiness_names_unverified_national_facts_and_ambition(consent):
    nis2 = consent.get("/api/v1/laws/NIS2/readiness?country=NL").json
    assert nis2["unverified_countries"] == ["NL"]  # NL's NIS2 date: confidence check
    gdpr = consent.get("/api/v1/laws/GDPR/readiness?country=NL").json
    assert gdpr["unverified_countries"] == []
    cra = consent.get("/api/v1/laws/CRA/readiness?country=NL").json
    assert cra["applies"] == 0 and cra["share_ready"] is None
    assert cra["ambition"]["due"] > 0 and 0 <= cra["ambition"]["share_met"] <= 1


def test_municipality_readiness_explains_duties(consent):
    j = consent.get(f"/api/v1/municipalities/{ENSCHEDE}/readiness?at=2026-07-01").json
    gdpr = next(x for x in j["laws"] if x["law"] == "GDPR")
    sec02 = next(c for c in gdpr["requirements"] if c["element"] == "SEC-02")
    assert sec02["legal_duty"] and sec02["legal_basis"].startswith("Art. 33")
    ppl03 = next(c for c in gdpr["requirements"] if c["element"] == "PPL-03")
    assert not ppl03["legal_duty"] and ppl03["counts_for"] != "legal"


def test_laws_give_their_short_name_in_both_languages(empty):
    """`short` stays the Dutch (or only) name; `short_name` has both, so an English client
    need not show "AVG" (framework 1.4.1)."""
    laws = {law["id"]: law for law in empty.get("/api/v1/laws").get_json()["items"]}
    assert laws["GDPR"]["short"] == "AVG"
    assert laws["GDPR"]["short_name"] == {"nl": "AVG", "en": "GDPR"}
    assert laws["NIS2"]["short_name"] == {"nl": "NIS2", "en": "NIS2"}
    detail = empty.get("/api/v1/laws/ai_act").get_json()
    assert detail["short_name"] == {"nl": "AI-verordening", "en": "AI Act"}
