"""Strict JSON from every API endpoint: no NaN or Infinity (null instead), ever.

`JSON.parse` in a browser, and strict parsers elsewhere, reject an answer holding `NaN`. The
sweep takes the routes from the Flask app's url_map (a new endpoint is swept without touching
this file), fills their path parameters with real ids of the Dutch demo build (a consenting, a
non-consenting, a never-answering municipality and one that answered 2025 only; every law),
adds query variants (every enumerated value the OpenAPI document gives a query parameter, plus
hand-picked ones), and parses every JSON body with a parser that refuses NaN and Infinity.
"""

from __future__ import annotations

import json
import re
import time

import pandas as pd
import pytest
from flask import Flask

from dashboard.api_core import ApiError, api_view, json_answer, json_response

NEVER_ANSWERED = "BE_12025"  # Mechelen: in the reference data, not in the Dutch demo
ROUTE_PARAM = re.compile(r"<(?:\w+:)?(\w+)>")


def strict_loads(text: str):
    def refuse(token):
        raise ValueError(f"not JSON: {token}")
    return json.loads(text, parse_constant=refuse)


@pytest.fixture(scope="module")
def ids(nl_ctx) -> dict[str, str]:
    snap = nl_ctx.warehouse.snapshot()
    cov = pd.read_parquet(snap.path / "coverage.parquet")
    per = cov.groupby("municipality_id").agg(waves=("wave", lambda w: sorted(set(w))),
                                             consent=("publish_consent", "any"))
    only_2025 = per[per["waves"].map(lambda w: w == ["2025"])]
    return {
        "consenting": str(per.index[per["consent"]][0]),
        "not_consenting": str(per.index[~per["consent"]][0]),
        "answered_2025_only": str(only_2025.index[0]),
        "never_answered": NEVER_ANSWERED,
        "groningen": "NL_GM0014",  # an answered block with no known level: a NaN block score
        "lower_case": "nl_gm0153",
        "unknown": "XX_nowhere",
    }


def _law_ids(client) -> list[str]:
    return [law["id"] for law in client.get("/api/v1/laws").get_json()["items"]]


# hand-picked query variants per route (besides "" and the OpenAPI enumerations)
EXTRA = {
    "/api/v1/municipalities": ["country=NL&limit=25&offset=300", "q=gron", "q=zzqq",
                               "country=NL&offset=340", "limit=0"],
    "/api/v1/municipalities/<municipality_id>": ["wave=2025", "wave=2026"],
    "/api/v1/aggregates": ["level=nuts3&measure=ALL", "level=size_class&country=NL",
                           "level=nuts2&wave=2025&measure=SEC,ALL", "country=BE"],
    "/api/v1/insight/leverage": ["country=NL", "nuts2=NL33", "nuts2=NL41&size_class=20k-50k",
                                 "size_class=ge250k"],
    "/api/v1/municipalities/<municipality_id>/roadmap": [
        "wave=2025", "target=4&phases=5&per_phase=5", "done=GOV-01,SEC-01",
        "weights=0,0,0,1"],
    "/api/v1/municipalities/<municipality_id>/readiness": ["at=2026-07-01", "at=2030-01-01",
                                                           "horizon=0"],
    "/api/v1/laws/<law_id>/readiness": ["at=2026-07-01&country=NL", "horizon=365",
                                        "at=2030-01-01&size_class=ge250k", "nuts2=NL33"],
}
HEAVY = {"/api/v1/municipalities/<municipality_id>/roadmap",
         "/api/v1/municipalities/<municipality_id>/readiness"}


def _enum_variants(doc: dict, path: str) -> list[str]:
    """`name=value` for every enumerated value of every query parameter (JSON answers only)."""
    op = doc["paths"].get(ROUTE_PARAM.sub(r"{\1}", path), {}).get("get", {})
    out = []
    for p in op.get("parameters", []):
        if p["in"] != "query":
            continue
        schema = p["schema"]
        values = schema.get("enum") or [v for s in schema.get("anyOf", [])
                                        for v in s.get("enum", [])]
        out += [f"{p['name']}={v}" for v in values if not (p["name"] == "format" and v != "json")]
    return out


def _urls(client, ids: dict, doc: dict, full: bool) -> list[str]:
    laws = _law_ids(client)
    urls = []
    for rule in client.application.url_map.iter_rules():
        if not rule.rule.startswith("/api/") or "GET" not in rule.methods:
            continue
        names = ROUTE_PARAM.findall(rule.rule)
        if names == ["rest"]:  # the JSON 404 of any unknown API path
            urls += ["/api/v1/nothing", "/api/v2/municipalities", "/api/v1/laws/NIS2/x"]
            continue
        fills = [{}]
        if names == ["municipality_id"]:
            chosen = ids.values() if full else [ids["consenting"], ids["groningen"]]
            fills = [{"municipality_id": m} for m in chosen]
        elif names == ["law_id"]:
            fills = [{"law_id": law} for law in [*laws, "nis2", "NOPE"]]
        elif names:
            pytest.fail(f"no ids for the path parameters of {rule.rule}: add them to the sweep")
        queries = [""]
        if full:
            queries += _enum_variants(doc, rule.rule) + EXTRA.get(rule.rule, [])
        for fill in fills:
            path = ROUTE_PARAM.sub(lambda m, f=fill: f[m.group(1)], rule.rule)
            law_route = names == ["law_id"]
            # every id with the plain query; the variants with two ids (laws: one)
            variant_ids = ({laws[0]} if law_route else
                           {ids["consenting"], ids["not_consenting"], ids["groningen"]}
                           if rule.rule in HEAVY else {ids["consenting"],
                                                       ids["not_consenting"],
                                                       ids["answered_2025_only"],
                                                       ids["groningen"]})
            own = next(iter(fill.values()), None)
            for q in queries:
                if q and own is not None and own not in variant_ids:
                    continue
                urls.append(path + ("?" + q if q else ""))
    return urls


def _sweep(client, urls: list[str]) -> dict[int, int]:
    statuses: dict[int, int] = {}
    for url in urls:
        r = client.get(url)
        statuses[r.status_code] = statuses.get(r.status_code, 0) + 1
        assert r.status_code < 500 or r.status_code == 503, (  # 503: nothing published
            url, r.status_code, r.get_data(as_text=True)[:300])
        if r.mimetype != "application/json":
            # the bundle and the council report
            assert r.status_code == 200 and r.mimetype in ("application/zip", "application/pdf",
                                                            "text/html"), url
            continue
        body = r.get_data(as_text=True)
        try:
            strict_loads(body)
        except ValueError as e:
            i = body.find("NaN") if "NaN" in body else body.find("Infinity")
            pytest.fail(f"{url}: {e} near {body[max(0, i - 120):i + 20]!r}")
    return statuses


def test_every_get_endpoint_answers_strict_json(open_, consent, empty, ids):
    doc = open_.get("/api/v1/openapi.json").get_json()
    t0 = time.perf_counter()
    urls = _urls(open_, ids, doc, full=True)
    statuses = _sweep(open_, urls)
    # the consent rule and the unpublished state: fewer variants, other answers (403, 503)
    mid = ids["not_consenting"]
    urls_consent = [*_urls(consent, ids, doc, full=False), f"/api/v1/municipalities/{mid}",
                    f"/api/v1/municipalities/{mid}/roadmap",
                    f"/api/v1/municipalities/{mid}/readiness"]
    statuses_consent = _sweep(consent, urls_consent)
    urls_empty = _urls(empty, ids, doc, full=False)
    statuses_empty = _sweep(empty, urls_empty)
    elapsed = time.perf_counter() - t0
    print(f"strict-JSON sweep: {len(urls) + len(urls_consent) + len(urls_empty)} requests in "
          f"{elapsed:.1f} s; open {statuses}, consent {statuses_consent}, "
          f"unpublished {statuses_empty}")
    # the sweep reached every kind of answer, not only errors
    assert statuses[200] > 100 and statuses.get(404, 0) >= 3 and statuses.get(400, 0) == 0
    assert statuses_consent.get(403, 0) >= 2 and statuses_empty.get(503, 0) >= 3


def test_every_route_is_swept(open_, ids):
    doc = open_.get("/api/v1/openapi.json").get_json()
    swept = {ROUTE_PARAM.sub("x", u.split("?")[0]) for u in _urls(open_, ids, doc, full=True)}
    for rule in open_.application.url_map.iter_rules():
        if rule.rule.startswith("/api/v1/") and "GET" in rule.methods:
            concrete = ROUTE_PARAM.sub("x", rule.rule)
            assert any(re.fullmatch(re.sub(r"x", "[^/]+", re.escape(concrete)),
                                    u) for u in swept), rule.rule


def test_a_block_without_known_levels_scores_null_not_nan(open_, ids):
    """The case the issue found: `"ECO":NaN` in Groningen's block scores."""
    body = strict_loads(open_.get(f"/api/v1/municipalities/{ids['groningen']}").get_data(
        as_text=True))
    blocks = body["scores"]["blocks"]
    assert None in blocks.values()
    assert all(v is None or isinstance(v, float) for v in blocks.values())


def test_every_answering_municipality_detail_and_readiness_is_strict(open_, nl_ctx):
    """The issue's count: 38 of 684 detail and readiness answers of the Dutch municipalities
    held NaN. Every detail (both waves) and readiness of the municipalities that answered."""
    snap = nl_ctx.warehouse.snapshot()
    cov = pd.read_parquet(snap.path / "coverage.parquet")
    mids = sorted(set(cov["municipality_id"]))
    assert len(mids) > 150
    for mid in mids:
        for url in (f"/api/v1/municipalities/{mid}?wave=2025",
                    f"/api/v1/municipalities/{mid}?wave=2026",
                    f"/api/v1/municipalities/{mid}/readiness?at=2026-07-01"):
            r = open_.get(url)
            assert r.status_code == 200, url
            strict_loads(r.get_data(as_text=True))


def test_what_if_answers_strict_json(open_):
    law = open_.get("/api/v1/laws/NIS2").get_json()
    draft = {"id": "DRAFT", "name": "Draft", "requirements": [
        {"element": r["element"], "min": r["min"], "deadline": "2026-01-01"}
        for r in law["requirements"] if "element" in r and "min" in r][:5]}
    assert draft["requirements"]
    for query in ("at=2026-07-01", "at=2026-07-01&country=NL", "horizon=0&size_class=ge250k"):
        r = open_.post(f"/api/v1/laws/what-if?{query}", json=draft)
        assert r.status_code == 200, r.get_data(as_text=True)[:300]
        strict_loads(r.get_data(as_text=True))


# ------------------------------------------------------------------ the serialisation points


def test_a_future_nan_fails_loudly_instead_of_shipping():
    app = Flask(__name__)

    @app.get("/nan")
    @api_view
    def _nan():
        return json_answer({"score": float("nan")})

    @app.get("/inf")
    @api_view
    def _inf():
        return json_response({"score": float("inf")}, "[]")

    @app.get("/error")
    @api_view
    def _error():
        raise ApiError(400, "bad", value=1.5)

    with app.test_request_context(), pytest.raises(ValueError):
        json_answer({"x": float("nan")})
    client = app.test_client()
    for url in ("/nan", "/inf"):
        r = client.get(url)  # a 500 in the documented shape, the NaN never reaches a client
        assert r.status_code == 500 and strict_loads(r.get_data(as_text=True)) == {
            "error": "internal server error"}
    assert client.get("/error").get_json() == {"error": "bad", "value": 1.5}


def test_none_and_round_turn_every_non_number_into_null():
    import numpy as np

    from dashboard.api_insight import _none, _round
    for v in (float("nan"), np.float32("nan"), np.float64("nan"), np.nan, pd.NA, None):
        assert _none(v) is None and _round(v) is None
    for v in (float("inf"), np.float32("-inf"), np.float64("inf")):
        assert _round(v) is None
    assert _round(np.float32(2.83781)) == 2.8378 and _none(np.int8(3)) == 3


def test_json_literals_write_null_for_every_non_number():
    import pyarrow as pa

    from dashboard.api_insight import json_literals
    values = pa.array([1.5, float("nan"), None, float("inf"), -float("inf"), 1e-7, 1e20])
    lits = json_literals(values).to_pylist()
    assert [strict_loads(x) for x in lits] == [1.5, None, None, None, None, 1e-7, 1e20]
