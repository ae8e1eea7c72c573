"""API manners (dashboard/api_http.py): ETag/304 tied to the build, Cache-Control, gzip, CORS,
paging links, and the documented error shape for every 4xx."""

from __future__ import annotations

import gzip
import json
import re
import time

import pytest

from dashboard import laws
from dashboard.api_http import Manners, etag_matches

ROUTE_PARAM = re.compile(r"<(?:\w+:)?(\w+)>")
MID = "NL_GM0153"  # Enschede: consented to publication by name


def _get_urls(client) -> list[str]:
    """One URL per GET route under /api/v1 (path parameters filled), but those without a
    build-tied ETag: health and initiatives (live, no-store) and the bundle (its own)."""
    fill = {"municipality_id": MID, "law_id": "NIS2"}
    out = []
    for rule in client.application.url_map.iter_rules():
        if rule.rule.startswith("/api/v1/") and "GET" in rule.methods and rule.rule not in (
                "/api/v1/health", "/api/v1/bundle", "/api/v1/initiatives"):
            out.append(ROUTE_PARAM.sub(lambda m: fill[m.group(1)], rule.rule))
    assert len(out) >= 10
    return out


@pytest.fixture()
def private(api_client, nl_data_dir):
    """An app of its own, for tests that patch it."""
    return api_client(nl_data_dir)


def _manners(client) -> Manners:
    return next(f.__self__ for f in client.application.before_request_funcs[None]
                if isinstance(getattr(f, "__self__", None), Manners))


# ------------------------------------------------------------------ ETag, 304, Cache-Control


def test_every_get_answer_has_an_etag_tied_to_the_build_and_a_304(consent):
    build_id = consent.get("/api/v1/health").get_json()["data"]["build_id"]
    for url in _get_urls(consent):
        r = consent.get(url)
        assert r.status_code == 200, url
        tag = r.headers["ETag"]
        assert re.fullmatch(rf'"{build_id}-[0-9a-f]{{20}}"', tag), (url, tag)
        assert r.headers["Cache-Control"] == "public, max-age=300"
        again = consent.get(url, headers={"If-None-Match": tag})
        assert again.status_code == 304 and again.data == b"", url
        assert again.headers["ETag"] == tag and again.headers["Cache-Control"]
        assert again.headers["Access-Control-Allow-Origin"] == "*"
        stale = consent.get(url, headers={"If-None-Match": '"0000-other"'})
        assert stale.status_code == 200 and stale.data == r.data


def test_initiatives_are_live_and_never_cached(consent):
    """Every join changes the list without a new build: no ETag, no 304, no-store."""
    r = consent.get("/api/v1/initiatives?element=SEC-02")
    assert r.status_code == 200 and "ETag" not in r.headers
    assert r.headers["Cache-Control"] == "no-store"
    again = consent.get("/api/v1/initiatives?element=SEC-02", headers={"If-None-Match": "*"})
    assert again.status_code == 200


def test_etag_follows_the_query_not_its_order(consent):
    a = consent.get("/api/v1/aggregates?level=nuts2&measure=ALL").headers["ETag"]
    b = consent.get("/api/v1/aggregates?measure=ALL&level=nuts2").headers["ETag"]
    c = consent.get("/api/v1/aggregates?level=nuts3&measure=ALL").headers["ETag"]
    assert a == b != c
    # If-None-Match in the forms clients send: a list, a weak tag, *
    for header in (f'"x", {a}', f"W/{a}", "*"):
        r = consent.get("/api/v1/aggregates?measure=ALL&level=nuts2",
                        headers={"If-None-Match": header})
        assert r.status_code == 304, header


def test_etag_depends_on_the_deployment_settings(consent, open_):
    url = f"/api/v1/municipalities/{MID}"
    assert consent.get(url).headers["ETag"] != open_.get(url).headers["ETag"]


def test_a_new_build_changes_every_etag(private):
    url = "/api/v1/aggregates?level=nuts2"
    r = private.get(url)
    tag = r.headers["ETag"]
    manners = _manners(private)
    old = manners.build_id
    manners.build_id = lambda: "b0000000000000000"  # what the next published build looks like
    try:
        fresh = private.get(url, headers={"If-None-Match": tag})
        assert fresh.status_code == 200 and fresh.data == r.data
        assert fresh.headers["ETag"].startswith('"b0000000000000000-')
    finally:
        manners.build_id = old


def test_readiness_without_a_date_changes_its_etag_with_the_day(private, monkeypatch):
    import datetime as dt
    dated, undated = (f"/api/v1/municipalities/{MID}/readiness?at=2026-07-01",
                      "/api/v1/laws/NIS2/readiness")
    tags = {u: private.get(u).headers["ETag"] for u in (dated, undated)}
    monkeypatch.setattr(laws, "today", lambda: dt.date(2031, 1, 1))
    assert private.get(dated, headers={"If-None-Match": tags[dated]}).status_code == 304
    r = private.get(undated, headers={"If-None-Match": tags[undated]})
    assert r.status_code == 200 and r.get_json()["at"] == "2031-01-01"


def test_answers_to_a_survey_link_holder_are_private(private):
    """A survey link's cookie may open its own municipality's results: never cached."""
    url = "/api/v1/aggregates?level=nuts2"
    tag = private.get(url).headers["ETag"]
    private.set_cookie("ds4e_survey", "some-token")
    r = private.get(url, headers={"If-None-Match": tag})
    assert r.status_code == 200 and "ETag" not in r.headers
    assert r.headers["Cache-Control"] == "private, no-store"
    assert private.get("/api/v1/municipalities/NL_GM0014").headers[
        "Cache-Control"] == "private, no-store"
    private.delete_cookie("ds4e_survey")
    assert private.get(url, headers={"If-None-Match": tag}).status_code == 304


def test_health_is_not_cached_and_errors_are_not_stored(consent):
    r = consent.get("/api/v1/health")
    assert "ETag" not in r.headers and r.headers["Cache-Control"] == "no-store"
    for url in ("/api/v1/nothing", "/api/v1/aggregates?level=eu", "/api/v1/laws/NOPE"):
        r = consent.get(url)
        assert r.status_code in (400, 404) and "ETag" not in r.headers
        assert r.headers["Cache-Control"] == "no-store"


def test_head_gets_the_headers_and_no_body(consent):
    r = consent.head("/api/v1/aggregates")
    assert r.status_code == 200 and r.data == b"" and r.headers["ETag"]
    assert consent.head("/api/v1/aggregates",
                        headers={"If-None-Match": r.headers["ETag"]}).status_code == 304


def test_etag_matching():
    assert etag_matches('"abc"', "abc") and etag_matches('W/"abc-gzip"', "abc")
    assert etag_matches('"x", "abc"', "abc") and etag_matches("*", "abc")
    assert not etag_matches('"abcd"', "abc") and not etag_matches(None, "abc")
    assert not etag_matches("", "abc")


# ------------------------------------------------------------------ gzip


def test_large_answers_are_gzipped_for_clients_that_accept_it(consent):
    url = "/api/v1/municipalities?country=NL"
    plain = consent.get(url)
    assert "Content-Encoding" not in plain.headers and len(plain.data) > 1024
    assert "Accept-Encoding" in plain.headers["Vary"]
    z = consent.get(url, headers={"Accept-Encoding": "gzip, deflate, br"})
    assert z.headers["Content-Encoding"] == "gzip" and "Accept-Encoding" in z.headers["Vary"]
    assert gzip.decompress(z.data) == plain.data
    assert len(z.data) < len(plain.data) / 4
    assert z.headers["ETag"] == plain.headers["ETag"][:-1] + '-gzip"'
    # either variant's tag revalidates
    for tag in (z.headers["ETag"], plain.headers["ETag"]):
        r = consent.get(url, headers={"Accept-Encoding": "gzip", "If-None-Match": tag})
        assert r.status_code == 304 and r.data == b""
    # CSV too; not a refusal (q=0), not a small answer, not a file that is compressed already
    csv = consent.get(url + "&format=csv", headers={"Accept-Encoding": "gzip"})
    assert csv.headers["Content-Encoding"] == "gzip" and gzip.decompress(csv.data).startswith(
        b'"municipality_id",')
    assert "Content-Encoding" not in consent.get(url, headers={
        "Accept-Encoding": "gzip;q=0, identity"}).headers
    small = consent.get("/api/v1/laws/NIS2/readiness?at=2026-07-01",
                        headers={"Accept-Encoding": "gzip"})
    assert len(small.data) < 1024 and "Content-Encoding" not in small.headers
    for fmt in ("xlsx", "parquet"):
        r = consent.get(f"{url}&format={fmt}", headers={"Accept-Encoding": "gzip"})
        assert r.status_code == 200 and "Content-Encoding" not in r.headers


def test_gzip_of_the_largest_list(consent):
    """The whole municipality list (~98,600 records): measured, for the README's figures."""
    t = time.perf_counter()
    plain = consent.get("/api/v1/municipalities")
    t_plain = time.perf_counter() - t
    t = time.perf_counter()
    z = consent.get("/api/v1/municipalities", headers={"Accept-Encoding": "gzip"})
    t_gzip = time.perf_counter() - t
    ratio = len(plain.data) / len(z.data)
    print(f"municipality list: {len(plain.data) / 1e6:.1f} MB in {t_plain:.2f} s, gzipped "
          f"{len(z.data) / 1e6:.2f} MB in {t_gzip:.2f} s (ratio {ratio:.1f})")
    assert ratio > 5


# ------------------------------------------------------------------ CORS


def test_cors_on_get_answers_and_their_preflight_not_on_post(consent):
    for url in ("/api/v1/aggregates", "/api/v1/nothing", "/api/v1/aggregates?level=x",
                "/api/v1/municipalities/NL_GM0014", "/api/v1/health", "/api/v1/bundle"):
        r = consent.get(url, headers={"Origin": "https://example.org"})
        assert r.headers["Access-Control-Allow-Origin"] == "*", url  # errors readable too
        assert "ETag" in r.headers["Access-Control-Expose-Headers"]
    pre = consent.options("/api/v1/aggregates", headers={
        "Origin": "https://example.org", "Access-Control-Request-Method": "GET",
        "Access-Control-Request-Headers": "if-none-match"})
    assert pre.headers["Access-Control-Allow-Origin"] == "*"
    assert "GET" in pre.headers["Access-Control-Allow-Methods"]
    assert "If-None-Match" in pre.headers["Access-Control-Allow-Headers"]
    # the what-if is a POST: no CORS, neither on its preflight nor on its answer
    pre = consent.options("/api/v1/laws/what-if", headers={
        "Origin": "https://example.org", "Access-Control-Request-Method": "POST"})
    assert "Access-Control-Allow-Origin" not in pre.headers
    post = consent.post("/api/v1/laws/what-if?at=2026-07-01", json={
        "id": "DRAFT", "name": "Draft", "requirements": [
            {"element": "SEC-01", "min": 2, "deadline": "2026-01-01"}]},
        headers={"Origin": "https://example.org"})
    assert post.status_code == 200 and "Access-Control-Allow-Origin" not in post.headers
    assert post.headers["Cache-Control"] == "no-store"


def test_pages_of_the_dashboard_are_left_alone(consent):
    r = consent.get("/")
    assert r.status_code == 200 and "Access-Control-Allow-Origin" not in r.headers
    assert r.headers.get("Cache-Control") != "public, max-age=300" and "Vary" not in r.headers
    bad = consent.post("/", data="x")
    assert bad.status_code == 405 and not bad.is_json  # Flask's own page outside /api/


# ------------------------------------------------------------------ paging


def test_paged_list_has_next_prev_in_the_body_and_link_header(consent):
    url = "/api/v1/municipalities?country=NL&limit=100"
    full = [i["municipality_id"] for i in consent.get(
        "/api/v1/municipalities?country=NL").get_json()["items"]]
    seen, pages, nxt = [], 0, url
    while nxt:
        r = consent.get(nxt)
        body = r.get_json()
        seen += [i["municipality_id"] for i in body["items"]]
        links = dict((rel, u) for u, rel in re.findall(r'<([^>]+)>; rel="(\w+)"',
                                                       r.headers["Link"]))
        assert links.get("next") == body["next"] and links.get("prev") == body["prev"]
        assert links["first"].endswith("offset=0") and "limit=100" in links["first"]
        assert links["last"].endswith("offset=300")
        assert (body["prev"] is None) == (body["offset"] == 0)
        nxt = body["next"]
        if nxt:
            assert nxt.startswith("http") and "country=NL" in nxt and "limit=100" in nxt
        pages += 1
    assert seen == full and pages == 4
    # prev goes back one page
    body = consent.get("/api/v1/municipalities?country=NL&limit=100&offset=250").get_json()
    assert body["prev"].endswith("offset=150") and body["next"] is None  # 342 in all
    # no paging: no next; offset alone: prev is what comes before it
    whole = consent.get("/api/v1/municipalities?country=NL")
    assert whole.get_json()["next"] is None and "Link" not in whole.headers
    tail = consent.get("/api/v1/municipalities?country=NL&offset=300").get_json()
    assert tail["next"] is None and "limit=300" in tail["prev"] and "offset=0" in tail["prev"]
    zero = consent.get("/api/v1/municipalities?country=NL&limit=0").get_json()
    assert zero["next"] is None  # a page of none never leads anywhere
    # CSV pages carry the links too
    csv = consent.get("/api/v1/municipalities?country=NL&limit=100&format=csv")
    assert 'rel="next"' in csv.headers["Link"] and "format=csv" in csv.headers["Link"]


def test_page_links_keep_other_parameters_and_escape_them(consent):
    base = "/api/v1/municipalities?q=%27s-&country=NL"  # 's-Gravenhage, 's-Hertogenbosch
    every = [i["municipality_id"] for i in consent.get(base).get_json()["items"]]
    assert len(every) >= 2
    body = consent.get(base + "&limit=1").get_json()
    assert "q=%27s-" in body["next"]
    second = consent.get(body["next"].removeprefix("http://localhost")).get_json()
    assert [i["municipality_id"] for i in second["items"]] == every[1:2]


# ------------------------------------------------------------------ the error shape


def _error(r, status: int) -> dict:
    assert r.status_code == status, (r.status_code, r.get_data(as_text=True)[:300])
    assert r.is_json, r.get_data(as_text=True)[:300]
    body = json.loads(r.get_data(as_text=True))
    assert isinstance(body["error"], str) and body["error"]
    return body


def test_every_4xx_is_json_in_the_documented_shape(consent, empty):
    body = _error(consent.get("/api/v1/aggregates?level=eu"), 400)
    assert body["parameter"] == "level" and body["allowed"]
    assert _error(consent.get("/api/v1/municipalities/NL_GM0014"), 403)["municipality_id"]
    assert _error(consent.get("/api/v1/municipalities/XX_0"), 404)["municipality_id"] == "XX_0"
    _error(consent.get("/api/v1/laws/NOPE"), 404)
    for path in ("/api/v1/nothing", "/api/v2/municipalities", "/api/v1/laws/NIS2/x",
                 "/api/v1/", "/api/"):
        assert _error(consent.get(path), 404)["path"] == path
    for method, path in (("post", "/api/v1/municipalities"), ("delete", "/api/v1/laws/NIS2"),
                         ("put", "/api/v1/aggregates"), ("get", "/api/v1/laws/what-if/x"),
                         ("patch", "/api/v1/laws/what-if")):
        r = getattr(consent, method)(path)
        if r.status_code == 404:  # /what-if/x: no such route for any method
            _error(r, 404)
            continue
        body = _error(r, 405)
        assert body["allowed"] and set(body["allowed"]) == set(r.headers["Allow"].split(", "))
        assert method.upper() in body["error"] and r.headers["Cache-Control"] == "no-store"
    _error(consent.post("/api/v1/laws/what-if", data="{", content_type="application/json"), 400)
    assert _error(empty.get("/api/v1/aggregates"), 503) == {
        "error": "no survey data published yet"}


def test_openapi_documents_formats_304_and_the_headers(consent):
    doc = consent.get("/api/v1/openapi.json").get_json()
    text = json.dumps(doc)
    for ref in set(re.findall(r'"\$ref": "#/components/(\w+)/([\w-]+)"', text)):
        assert ref[1] in doc["components"][ref[0]], ref
    formats = [p for item in doc["paths"].values() for p in item.get("get", {}).get(
        "parameters", []) if p["name"] == "format"]
    assert len(formats) >= 4
    assert all(p["schema"]["enum"] == ["json", "csv", "xlsx", "parquet"] for p in formats)
    for path, item in doc["paths"].items():
        if "get" not in item:
            continue
        responses = item["get"]["responses"]
        assert "Access-Control-Allow-Origin" in responses["200"]["headers"], path
        if path not in ("/api/v1/health", "/api/v1/initiatives"):  # live: no-store
            assert "304" in responses and "ETag" in responses["200"]["headers"], path
        if any(p["name"] == "format" for p in item["get"].get("parameters", [])):
            assert {"text/csv", "application/vnd.apache.parquet"} <= set(
                responses["200"]["content"]), path
    listing = doc["paths"]["/api/v1/municipalities"]["get"]["responses"]["200"]
    assert "Link" in listing["headers"]
    assert {"next", "prev"} <= set(doc["components"]["schemas"]["MunicipalityList"]["required"])


def test_allow_lists_exactly_the_documented_methods(consent):
    """/laws/what-if is also matched by the GET rule of /laws/{law_id} and by the JSON 404 of
    unknown paths; its OPTIONS and 405 answers must still say POST (schemathesis ST205)."""
    for method in ("OPTIONS", "GET", "DELETE"):
        r = consent.open("/api/v1/laws/what-if", method=method)
        assert r.status_code in (200, 405)
        assert r.headers["Allow"] == "OPTIONS, POST", method
    r = consent.options("/api/v1/laws/NIS2")
    assert r.headers["Allow"] == "GET, HEAD, OPTIONS"
