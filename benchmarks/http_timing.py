"""Every JSON endpoint and every Dash callback, timed from outside against the running server.

The calls: every operation of the OpenAPI document that reads (varied ids, countries, levels,
waves, laws, languages; `api_calls`), and every page opened the way a browser does with varied
addresses (municipalities, countries, laws, elements, waves; NL and EN), which fires the router,
the shell and every server callback of the page with the values the rendered page holds
(dashboard/rehearsal.walk, the walk gunicorn's master rehearses). Each call opens its own
connection, like a client without keep-alive, so that the server's workers share the calls.

One client sends the calls one after the other (the walk is recorded as it goes); four clients
are four processes sending the same calls, shuffled, at the same time.
"""

from __future__ import annotations

import datetime as dt
import http.client
import json
import multiprocessing
import random
import time
import urllib.parse
from dataclasses import dataclass

import load_mix
from load_mix import Plan

from dashboard.rehearsal import DOWNLOAD_PREFIX, ROUTER, walk

UPDATE = "/_dash-update-component"
FLOOR_PATH = "/api/v1/does-not-exist"
# Operations a benchmark must not call repeatedly (they write, or they are the zip bundle),
# with the reason; every other operation of the OpenAPI document gets calls (tested).
NOT_TIMED = {
    "createInitiative": "writes to the survey store",
    "joinInitiative": "writes to the survey store",
    "bundle": "the open-data zip (a download, cached per build), not a JSON answer",
}
NOT_JSON = {"councilReport", "councilReportHtml"}  # timed, but outside the JSON goal


@dataclass(frozen=True)
class Call:
    kind: str  # what the figures are grouped by
    group: str  # api, report, download, callback, page, floor
    method: str
    path: str
    body: bytes | None = None
    ok: tuple[int, ...] = (200,)


@dataclass(frozen=True)
class Sample:
    kind: str
    group: str
    ms: float
    status: int
    size: int
    error: str | None


def send(port: int, call: Call) -> Sample:
    return exchange(port, call)[0]


def exchange(port: int, call: Call) -> tuple[Sample, bytes]:
    """Send one call on its own connection: the timed sample and the answer's body."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    headers = {"Content-Type": "application/json"} if call.body is not None else {}
    start = time.perf_counter()
    try:
        conn.request(call.method, call.path, body=call.body, headers=headers)
        resp = conn.getresponse()
        data = resp.read()
        ms = (time.perf_counter() - start) * 1000
        status = resp.status
    except OSError as e:
        return Sample(call.kind, call.group, (time.perf_counter() - start) * 1000, 0, 0,
                      f"{call.method} {call.path}: {e}"), b""
    finally:
        conn.close()
    error = None
    if status not in call.ok:
        text = " ".join(data[:200].decode("utf-8", "replace").split())
        error = f"{call.method} {call.path}: {status} {text}"
    elif call.path == UPDATE and status == 200 and b'"response"' not in data[:200]:
        error = f"{call.method} {call.path}: 200 without a callback response"
    return Sample(call.kind, call.group, ms, status, len(data), error), data


FLOOR = Call("floor: JSON 404", "floor", "GET", FLOOR_PATH, ok=(404,))


def floor_calls(n: int) -> list[Call]:
    return [FLOOR] * n


def with_floor(calls: list[Call], every: int) -> list[Call]:
    """A floor call after every `every` calls: the floor is then measured under the same
    conditions as the calls around it (a busy moment of the machine raises both)."""
    out = []
    for i, c in enumerate(calls):
        out.append(c)
        if (i + 1) % every == 0:
            out.append(FLOOR)
    return out


# ------------------------------------------------------------------ the API


def _q(params: dict) -> str:
    return urllib.parse.urlencode({k: v for k, v in params.items() if v is not None})


def _date(rng: random.Random) -> str:
    return (dt.date(2026, 1, 1) + dt.timedelta(days=rng.randrange(0, 5 * 365))).isoformat()


def _draft(plan: Plan, rng: random.Random) -> bytes:
    reqs = [{"element": e, "min": rng.choice([1, 2, 3]), "deadline": _date(rng)}
            for e in rng.sample(plan.elements, rng.choice([1, 2, 3]))]
    return json.dumps({"id": "BENCH", "name": "Benchmark draft", "requirements": reqs}).encode()


def _funding(plan: Plan, rng: random.Random) -> bytes:
    package = [{"element": e, "level": rng.choice([2, 3, 4])}
               for e in rng.sample(plan.elements, rng.choice([1, 2, 3]))]
    body = {"package": package, "rule": rng.choice(["leverage", "smallest", "below"]),
            "country": rng.choice(plan.countries)}
    if body["rule"] != "below":
        body["reach"] = rng.choice([10, 100, 1000])
    return json.dumps(body).encode()


def api_makers(plan: Plan) -> dict[str, tuple[str, object]]:
    """operationId -> (kind, make(rng) -> Call). Kinds name the variant where its cost differs."""
    W, M, C, L, E = plan.waves, plan.municipalities, plan.countries, plan.laws, plan.elements
    sizes = load_mix.SIZES[1:]

    def get(kind: str, path):
        return lambda rng: Call(kind, "api", "GET", path(rng))

    def weights(rng):
        return ",".join(str(round(w * rng.uniform(0.5, 1.5), 2)) for w in load_mix.DEFAULT_WEIGHTS)

    def aggregates(level: str):
        return lambda r: "/api/v1/aggregates?" + _q({
            "level": level, "country": r.choice(C) if level != "country" else None,
            "wave": r.choice(W), "measure": r.choice(["ALL", *plan.blocks, *E]),
            "lang": r.choice(["nl", "en"])})

    makers = {
        "health": [get("api: GET /health", lambda r: "/api/v1/health")],
        "openapi": [get("api: GET /openapi.json", lambda r: "/api/v1/openapi.json")],
        "framework": [get("api: GET /framework", lambda r: "/api/v1/framework")],
        "listLaws": [get("api: GET /laws", lambda r: "/api/v1/laws")],
        "getLaw": [get("api: GET /laws/{id}", lambda r: f"/api/v1/laws/{r.choice(L)}")],
        "getLawReadiness": [
            get("api: GET /laws/{id}/readiness (all EU)", lambda r: f"/api/v1/laws/{r.choice(L)}/readiness"
                + ("?" + _q({"at": _date(r)}) if r.random() < 0.5 else "")),
            get("api: GET /laws/{id}/readiness (country)", lambda r: f"/api/v1/laws/{r.choice(L)}/readiness?"
                + _q({"country": r.choice(C), "size_class": r.choice([None, *sizes])}))],
        "lawWhatIf": [
            lambda r: Call("api: POST /laws/what-if (all EU)", "api", "POST", "/api/v1/laws/what-if",
                           _draft(plan, r)),
            lambda r: Call("api: POST /laws/what-if (country)", "api", "POST",
                           "/api/v1/laws/what-if?" + _q({"country": r.choice(C)}), _draft(plan, r))],
        "listMunicipalities": [
            get("api: GET /municipalities (country page)", lambda r: "/api/v1/municipalities?"
                + _q({"country": r.choice(C), "limit": 50, "offset": r.randrange(0, 200)})),
            get("api: GET /municipalities?q= (search)", lambda r: "/api/v1/municipalities?"
                + _q({"q": r.choice(plan.names)[:r.choice([3, 4, 6])], "limit": 20}))],
        "getMunicipality": [get("api: GET /municipalities/{id}", lambda r: f"/api/v1/municipalities/"
                                f"{r.choice(M)}" + r.choice(["", f"?wave={r.choice(W)}"]))],
        "getMunicipalityReadiness": [get("api: GET /municipalities/{id}/readiness", lambda r:
                                         f"/api/v1/municipalities/{r.choice(M)}/readiness"
                                         + r.choice(["", f"?at={_date(r)}"]))],
        "getRoadmap": [get("api: GET /municipalities/{id}/roadmap", lambda r:
                           f"/api/v1/municipalities/{r.choice(M)}/roadmap?"
                           + _q({"weights": weights(r), "target": r.choice([2, 3, 4]),
                                 "lang": r.choice(["nl", "en"])}))],
        "listAggregates": [get(f"api: GET /aggregates?level={lv}", aggregates(lv))
                           for lv in ("country", "nuts2", "nuts3", "size_class")],
        "getLeverage": [get("api: GET /insight/leverage", lambda r: "/api/v1/insight/leverage?" + _q({
            "country": r.choice(C), "size_class": r.choice([None, *sizes]),
            "lang": r.choice(["nl", "en"])}))],
        "listInitiatives": [get("api: GET /initiatives", lambda r: "/api/v1/initiatives?"
                                + _q({"element": r.choice(E)}))],
        "fundingWhatIf": [lambda r: Call("api: POST /insight/funding-what-if", "api", "POST",
                                         "/api/v1/insight/funding-what-if", _funding(plan, r))],
        "councilReport": [lambda r: Call("report: GET /municipalities/{id}/report.pdf", "report", "GET",
                                         f"/api/v1/municipalities/{r.choice(M)}/report.pdf?"
                                         + _q({"lang": r.choice(["nl", "en"])}))],
        "councilReportHtml": [lambda r: Call("report: GET /municipalities/{id}/report.html", "report",
                                             "GET", f"/api/v1/municipalities/{r.choice(M)}/report.html?"
                                             + _q({"lang": r.choice(["nl", "en"])}))],
    }
    return makers


def operations(port: int) -> set[str]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    conn.request("GET", "/api/v1/openapi.json")
    doc = json.loads(conn.getresponse().read())
    conn.close()
    return {op["operationId"] for ops in doc["paths"].values() for op in ops.values()}


def api_calls(plan: Plan, ops: set[str], n: int, n_report: int, seed: int) -> list[Call]:
    """`n` varied calls per kind (`n_report` for the PDF/HTML reports, which are not JSON).
    Raises when the document has an operation this module neither times nor excludes."""
    makers = api_makers(plan)
    unknown = ops - set(makers) - set(NOT_TIMED)
    if unknown:
        raise RuntimeError(f"operations without benchmark calls: {sorted(unknown)} "
                           "(add them to benchmarks/http_timing.api_makers or NOT_TIMED)")
    rng = random.Random(seed)
    calls = []
    for op in sorted(ops & set(makers)):
        for make in makers[op]:
            calls += [make(rng) for _ in range(n_report if op in NOT_JSON else n)]
    return calls


# ------------------------------------------------------------------ the pages and callbacks


def addresses(plan: Plan, n: int, seed: int) -> list[tuple[str, str]]:
    """(address, lang): `n` varied addresses of every page that needs no survey link."""
    rng = random.Random(seed)
    W, M, C, E = plan.waves, plan.municipalities, plan.countries, plan.elements
    sizes = load_mix.SIZES[1:]
    pages = {
        "/overview": lambda: {"wave": rng.choice(W), "map": rng.choice(["eu", "nl", None])},
        "/profile": lambda: {"m": rng.choice(M), "wave": rng.choice([None, *W]),
                             "peers": rng.choice(["country_size", "nuts2", "country"]),
                             "view": rng.choice(["blocks", "elements"])},
        "/heatmap": lambda: {"country": rng.choice(C), "size": rng.choice([None, *sizes]),
                             "sort": rng.choice([None, "overall", rng.choice(E)]),
                             "wave": rng.choice(W)},
        "/maps": lambda: {"level": rng.choice(["nuts2", "nuts3", "country"]),
                          "country": rng.choice([None, rng.choice(C)]),
                          "stat": rng.choice(["median", "share_ge3"]),
                          "measure": rng.choice([None, *plan.blocks, *E])},
        "/roadmap": lambda: {"m": rng.choice(M), "target": rng.choice([None, 2, 3, 4])},
        "/policy": lambda: {"country": rng.choice([None, *C]), "size": rng.choice([None, *sizes])},
        "/legislation": lambda: rng.choice([
            {"view": "aggregate", "country": rng.choice([None, *C]), "law": rng.choice(plan.laws),
             "size": rng.choice([None, *sizes])},
            {"view": "municipality", "m": rng.choice(M)}]),
        "/knowledge": lambda: {"element": rng.choice(E)},
    }
    out = []
    for path, make in pages.items():
        for i in range(n):
            query = _q(make())
            out.append((path + ("?" + query if query else ""), ("nl", "en")[i % 2]))
    return out


def kind_of(call_path: str, body: bytes | None, page: str) -> tuple[str, str]:
    """(kind, group) of a request the walk makes on `page`."""
    if body is None:
        if call_path.startswith(DOWNLOAD_PREFIX):  # a page's download link: a file, not JSON
            return f"download: GET {call_path.partition('?')[0]}", "download"
        if call_path.startswith("/_dash"):
            return f"page: GET {call_path}", "page"
        return "page: GET (the HTML)", "page"
    output = json.loads(body)["output"]
    if output == ROUTER:
        return f"callback: render {page}", "callback"
    if output.startswith("url.search@"):
        return f"callback: address sync {page}", "callback"
    first = output.strip(".").split("...")[0]
    return f"callback: {first.split('@')[0]}", "callback"


def shell_calls(plan: Plan, address: str, lang: str) -> list[Call]:
    pathname, _, query = address.partition("?")
    reqs = load_mix._shell(plan, pathname, "?" + query if query else "", lang)[1:]  # router: the walk's
    return [Call(f"callback: shell {r.body['output'].split('.')[0]}", "callback", "POST", UPDATE,
                 json.dumps(r.body).encode(), ok=(200, 204)) for r in reqs]


def walk_pages(port: int, plan: Plan, pages: list[tuple[str, str]], on_progress=None
               ) -> tuple[list[Sample], list[Call]]:
    """Open every address one after the other (one client), timing each request: the samples,
    and the calls made (to send again from four clients)."""
    samples: list[Sample] = []
    calls: list[Call] = []
    page = {"path": ""}

    def record(call: Call) -> tuple[Sample, bytes]:
        sample, data = exchange(port, call)
        samples.append(sample)
        calls.append(call)
        return sample, data

    def send_walk(method: str, path: str, body: bytes | None) -> tuple[int, bytes]:
        if body is None and not path.startswith("/_dash"):
            page["path"] = path.partition("?")[0]
        kind, group = kind_of(path, body, page["path"])
        sample, data = record(Call(kind, group, method, path, body,
                                   ok=(200, 204) if body else (200,)))
        return sample.status, data

    for i, (address, lang) in enumerate(pages):
        walk(send_walk, [address], lang)
        for call in shell_calls(plan, address, lang):
            record(call)
        samples.append(send(port, FLOOR))  # measured beside the pages (not sent again)
        if on_progress:
            on_progress(i + 1, len(pages))
    return samples, calls


# ------------------------------------------------------------------ one and four clients


def one_client(port: int, calls: list[Call]) -> list[Sample]:
    return [send(port, c) for c in calls]


def _client(args: tuple[int, list[Call]]) -> list[Sample]:
    port, calls = args
    return one_client(port, calls)


def clients(port: int, calls: list[Call], n: int, seed: int) -> tuple[list[Sample], float]:
    """The calls, shuffled, from `n` processes at once: samples and the wall time."""
    shuffled = list(calls)
    random.Random(seed).shuffle(shuffled)
    parts = [(port, shuffled[i::n]) for i in range(n)]
    start = time.perf_counter()
    with multiprocessing.get_context("fork").Pool(n) as pool:
        results = pool.map(_client, parts)
    return [s for r in results for s in r], time.perf_counter() - start
