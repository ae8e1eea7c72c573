"""Laws API on the Dutch demo build: each endpoint, 400/403/404/503."""

from __future__ import annotations

import pytest

from dashboard.openapi import openapi_document

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
    assert j["ready"] + j["not_ready"] + j["unknown"] == j["municipalities_answered"]
    assert 0 <= j["share_ready"] <= 1


@pytest.mark.parametrize("query,parameter", [("at=2026-13-01", "at"), ("at=tomorrow", "at"),
                                             ("country=XX", "country"), ("size_class=big", "size_class"),
                                             ("horizon=-3", "horizon")])
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
    paths = openapi_document()["paths"]
    for p in ("/api/v1/laws", "/api/v1/laws/{law_id}", "/api/v1/laws/{law_id}/readiness",
              "/api/v1/laws/what-if", "/api/v1/municipalities/{municipality_id}/readiness"):
        assert p in paths
