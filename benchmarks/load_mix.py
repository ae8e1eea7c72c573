"""What the load test sends: a mix of page loads, Dash callbacks and API requests, as data.

Shared by the locustfile (which sends the requests under load) and `load.py` (which checks
every kind once before the run and summarises the timings after it). Pure standard library, so
`load.py` and the tests can import it without locust's gevent patching the process.

The callback payloads have the shape Chromium's Dash renderer posts (captured from the running
app on the heatmap, profile, roadmap, maps and legislation pages): `output`, `outputs`, `inputs`,
`state` (left out when the callback has none), `changedPropIds` and `parsedChangedPropsIds`.
They are filled in from the server's own /_dash-dependencies, so an id that moves is followed;
an input this module gives no value for stops the run before it starts (`missing_values`),
rather than sending a payload the app no longer expects.
"""

from __future__ import annotations

import datetime as dt
import json
import random
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field

# Request kinds: the rows of the summary (locust's `name` of each request).
PAGE = "page: GET <path>"
LAYOUT = "page: GET /_dash-layout"
DEPENDENCIES = "page: GET /_dash-dependencies"
ROUTER = "callback: page router"
SHELL = "callback: shell (nav, banner, footer)"
HEATMAP = "callback: heatmap filter"
RADAR = "callback: profile radar"
ROADMAP = "callback: roadmap"
MAPS = "callback: maps recolour"
LEGISLATION = "callback: legislation readiness"
API_LIST = "api: municipalities list"
API_DETAIL = "api: municipality detail"
API_AGGREGATES = "api: aggregates"
API_ROADMAP = "api: roadmap"
API_READINESS = "api: law readiness"
API_WHAT_IF = "api: what-if POST"
KINDS = (PAGE, LAYOUT, DEPENDENCIES, ROUTER, SHELL, HEATMAP, RADAR, ROADMAP, MAPS, LEGISLATION,
         API_LIST, API_DETAIL, API_AGGREGATES, API_ROADMAP, API_READINESS, API_WHAT_IF)

UPDATE = "/_dash-update-component"
SIZES = ("all", "lt5k", "5k-20k", "20k-50k", "50k-100k", "100k-250k", "ge250k")
DEFAULT_WEIGHTS = (0.35, 0.25, 0.25, 0.15)


@dataclass(frozen=True)
class Request:
    kind: str
    method: str
    path: str
    body: dict | None = None
    ok: tuple[int, ...] = (200,)  # a callback that changes nothing answers 204

    def check(self, status: int, text: str) -> str | None:
        """None when the answer is what a browser or API client expects, else why not."""
        if status not in self.ok:
            why = "rate limited" if status == 429 else "unexpected status"
            return f"{why} {status}: {' '.join(text[:160].split())}"
        if self.path == UPDATE and status == 200 and '"response"' not in text[:200]:
            return f"200 without a callback response: {text[:160]}"
        return None


@dataclass
class Plan:
    """What the running server offers, read once before the run."""

    base: str
    waves: list[str]
    callbacks: dict[str, dict]  # first output "id.prop" -> the callback's spec
    countries: list[str]
    municipalities: list[str]  # answered in the latest wave (so roadmaps and radars have data)
    names: list[str]
    elements: list[str]
    blocks: list[str]
    laws: list[str]
    missing: list[str] = field(default_factory=list)

    @property
    def latest(self) -> str:
        return self.waves[-1]


def _get(base: str, path: str) -> dict | list:
    with urllib.request.urlopen(base + path, timeout=60) as r:
        return json.load(r)


def first_output(spec: dict) -> str:
    out = spec["output"]
    first = out.strip(".").split("...")[0] if out.startswith("..") else out
    ident, prop = first.rsplit(".", 1)
    return f"{ident}.{prop.split('@')[0]}"


def _outputs(out: str) -> list[dict] | dict:
    def split(text: str) -> dict:
        ident, prop = text.rsplit(".", 1)
        return {"id": ident, "property": prop}
    if out.startswith(".."):
        return [split(p) for p in out.strip(".").split("...")]
    return split(out)


def discover(base: str, seed: int = 0, per_country: int = 40) -> Plan:
    """Read the server's callbacks, waves, countries, a sample of answered municipalities,
    elements and laws (a few requests, not part of the figures)."""
    base = base.rstrip("/")
    rng = random.Random(seed)
    health = _get(base, "/api/v1/health")
    waves = list(health["data"]["waves"])
    specs = _get(base, "/_dash-dependencies")
    callbacks = {first_output(s): s for s in specs}
    fw = _get(base, "/api/v1/framework")
    elements = [e["id"] for e in fw["elements"]]
    blocks = [b["id"] for b in fw["blocks"]]
    laws = [x["id"] for x in _get(base, "/api/v1/laws")["items"]]
    rows = _get(base, f"/api/v1/aggregates?level=country&wave={waves[-1]}&measure=ALL")["items"]
    countries = sorted({r["area_id"] for r in rows if r["n"]})
    municipalities, names = [], []
    for country in rng.sample(countries, min(8, len(countries))):
        page = _get(base, f"/api/v1/municipalities?country={country}&limit=400")["items"]
        answered = [m for m in page if m["has_answers"]]
        for m in rng.sample(answered, min(per_country, len(answered))):
            municipalities.append(m["municipality_id"])
            names.append(m["name"])
    if not municipalities:
        raise RuntimeError(f"{base}: no municipality answered in {waves[-1]}")
    plan = Plan(base, waves, callbacks, countries, municipalities, names, elements, blocks, laws)
    plan.missing = missing_values(plan)
    return plan


# ------------------------------------------------------------------ callback payloads


def callback(plan: Plan, kind: str, output: str, values: dict, changed: list[str]) -> Request:
    """A POST to /_dash-update-component as the renderer sends it; `values` maps 'id.prop' to
    the value of every input and state of the callback that writes `output` first."""
    spec = plan.callbacks[output]

    def fill(items):
        return [{"id": i["id"], "property": i["property"], "value": values[f"{i['id']}.{i['property']}"]}
                for i in items]
    body = {"output": spec["output"], "outputs": _outputs(spec["output"]),
            "inputs": fill(spec["inputs"]), "changedPropIds": changed,
            "parsedChangedPropsIds": changed}
    if spec.get("state"):
        body["state"] = fill(spec["state"])
    return Request(kind, "POST", UPDATE, body, ok=(200, 204))


def _lang(rng: random.Random) -> str:
    return rng.choice(("nl", "en"))


def _shell(plan: Plan, pathname: str, search: str, lang: str) -> list[Request]:
    url = {"url.pathname": pathname, "url.search": search, "lang.value": lang}
    return [callback(plan, ROUTER, "page-content.children", url, ["url.pathname"]),
            callback(plan, SHELL, "nav-links.children", url, ["url.pathname"]),
            callback(plan, SHELL, "demo-banner.children", url, ["url.pathname"]),
            callback(plan, SHELL, "footer.children", url, [])]


def page_visit(plan: Plan, rng: random.Random) -> list[Request]:
    """Open a page as a browser does (static files aside: a proxy or the browser caches them):
    the HTML, the layout, the callback graph, then the router and the shell's callbacks."""
    m, c, e = rng.choice(plan.municipalities), rng.choice(plan.countries), rng.choice(plan.elements)
    path = rng.choice(["/", "/overview", f"/profile?m={m}&wave={plan.latest}", f"/heatmap?country={c}",
                       f"/maps?measure={e}&level=nuts2", f"/roadmap?m={m}", "/legislation",
                       f"/knowledge?element={e}", f"/policy?country={c}"])
    pathname, _, query = path.partition("?")
    return [Request(PAGE, "GET", path), Request(LAYOUT, "GET", "/_dash-layout"),
            Request(DEPENDENCIES, "GET", "/_dash-dependencies"),
            *_shell(plan, pathname, f"?{query}" if query else "", _lang(rng))]


def heatmap(plan: Plan, rng: random.Random) -> list[Request]:
    return [callback(plan, HEATMAP, "heatmap-graph.figure", {
        "heatmap-country.value": rng.choice(plan.countries), "heatmap-nuts2.value": "all",
        "heatmap-size.value": rng.choice(SIZES), "heatmap-peers.value": None,
        "heatmap-wave.value": rng.choice(plan.waves),
        "heatmap-sort.value": rng.choice(["overall", *rng.sample(plan.elements, 2)]),
        "heatmap-mode.value": "municipalities", "lang.value": _lang(rng)},
        ["heatmap-country.value"])]


def radar(plan: Plan, rng: random.Random) -> list[Request]:
    return [callback(plan, RADAR, "profile-radar.figure", {
        "profile-municipality.value": rng.choice(plan.municipalities),
        "profile-wave.value": plan.latest, "profile-view.value": rng.choice(["blocks", "elements"]),
        "profile-peers.value": rng.choice(["country_size", "country", "nuts2"]),
        "profile-custom.value": [], "lang.value": _lang(rng)}, ["profile-municipality.value"])]


def roadmap(plan: Plan, rng: random.Random) -> list[Request]:
    weights = [round(w * rng.uniform(0.5, 1.5), 2) for w in DEFAULT_WEIGHTS]
    return [callback(plan, ROADMAP, "roadmap-status.children", {
        "roadmap-municipality.value": rng.choice(plan.municipalities),
        "roadmap-wave.value": plan.latest,
        "roadmap-weight-readiness.value": weights[0], "roadmap-weight-unlock.value": weights[1],
        "roadmap-weight-urgency.value": weights[2], "roadmap-weight-peer.value": weights[3],
        "roadmap-target.value": rng.choice([2, 3, 3, 4]),
        "roadmap-done.value": rng.sample(plan.elements, rng.choice([0, 0, 2])),
        "roadmap-plan.value": [], "roadmap-focus.value": None, "lang.value": _lang(rng)},
        ["roadmap-weight-unlock.value"])]


def maps(plan: Plan, rng: random.Random) -> list[Request]:
    return [callback(plan, MAPS, "maps-graph.figure", {
        "maps-measure.value": rng.choice(["ALL", *plan.blocks, *plan.elements]),
        "maps-stat.value": rng.choice(["median", "share_ge3"]),
        "maps-wave.value": rng.choice(plan.waves),
        "maps-level.value": rng.choice(["nuts2", "nuts3", "country"]),
        "maps-country.value": rng.choice(plan.countries), "lang.value": _lang(rng)},
        ["maps-measure.value"])]


def legislation(plan: Plan, rng: random.Random) -> list[Request]:
    at = dt.date(2026, 1, 1) + dt.timedelta(days=rng.randrange(0, 4 * 365))
    return [callback(plan, LEGISLATION, "legislation-agg-bar.figure", {
        "legislation-country.value": rng.choice(plan.countries), "legislation-nuts2.value": None,
        "legislation-size.value": None, "legislation-at.value": at.isoformat(),
        "legislation-horizon.value": rng.choice(["all", "365"]),
        "legislation-view.value": "aggregate", "lang.value": _lang(rng)},
        ["legislation-country.value"])]


def _q(params: dict) -> str:
    return urllib.parse.urlencode(params)


def api_list(plan: Plan, rng: random.Random) -> list[Request]:
    if rng.random() < 0.5:
        return [Request(API_LIST, "GET", "/api/v1/municipalities?" + _q(
            {"country": rng.choice(plan.countries), "limit": 50, "offset": rng.randrange(0, 200)}))]
    return [Request(API_LIST, "GET", "/api/v1/municipalities?" + _q(
        {"q": rng.choice(plan.names)[:4], "limit": 20}))]


def api_detail(plan: Plan, rng: random.Random) -> list[Request]:
    m = rng.choice(plan.municipalities)
    return [Request(API_DETAIL, "GET", f"/api/v1/municipalities/{m}?wave={rng.choice(plan.waves)}")]


def api_aggregates(plan: Plan, rng: random.Random) -> list[Request]:
    return [Request(API_AGGREGATES, "GET", "/api/v1/aggregates?" + _q({
        "level": rng.choice(["country", "nuts2", "nuts3", "size_class"]),
        "country": rng.choice(plan.countries), "wave": rng.choice(plan.waves),
        "measure": rng.choice(["ALL", *plan.blocks, *plan.elements])}))]


def api_roadmap(plan: Plan, rng: random.Random) -> list[Request]:
    weights = ",".join(str(round(w * rng.uniform(0.5, 1.5), 2)) for w in DEFAULT_WEIGHTS)
    m = rng.choice(plan.municipalities)
    return [Request(API_ROADMAP, "GET", f"/api/v1/municipalities/{m}/roadmap?" + _q(
        {"weights": weights, "target": rng.choice([2, 3, 4]), "lang": _lang(rng)}))]


def api_readiness(plan: Plan, rng: random.Random) -> list[Request]:
    law = rng.choice(plan.laws)
    return [Request(API_READINESS, "GET", f"/api/v1/laws/{law}/readiness?" + _q(
        {"country": rng.choice(plan.countries)}))]


def api_what_if(plan: Plan, rng: random.Random) -> list[Request]:
    reqs = [{"element": e, "min": rng.choice([1, 2, 3]),
             "deadline": (dt.date(2026, 1, 1) + dt.timedelta(days=rng.randrange(0, 4 * 365))).isoformat()}
            for e in rng.sample(plan.elements, rng.choice([1, 2, 3]))]
    draft = {"id": "LOADTEST", "name": "Load test draft", "requirements": reqs}
    return [Request(API_WHAT_IF, "POST", "/api/v1/laws/what-if?" + _q(
        {"country": rng.choice(plan.countries)}), draft)]


# (weight, task): a user picks one task at a time. A page visit sends seven requests.
TASKS: tuple[tuple[int, Callable[[Plan, random.Random], list[Request]]], ...] = (
    (3, page_visit),
    (2, heatmap), (2, radar), (2, roadmap), (2, maps), (1, legislation),
    (1, api_list), (1, api_detail), (1, api_aggregates), (1, api_roadmap), (1, api_readiness),
    (1, api_what_if),
)


def pick(rng: random.Random) -> Callable[[Plan, random.Random], list[Request]]:
    return rng.choices([t for _, t in TASKS], weights=[w for w, _ in TASKS])[0]


def missing_values(plan: Plan) -> list[str]:
    """Callback inputs this module sends no value for (the app changed): empty when in step."""
    rng = random.Random(0)
    missing = []
    for _, task in TASKS:
        try:
            task(plan, rng)
        except KeyError as e:
            missing.append(f"{task.__name__}: {e}")
    return missing


# ------------------------------------------------------------------ sending once (no locust)


def send(base: str, req: Request, timeout: float = 60) -> tuple[int, str]:
    data = json.dumps(req.body).encode() if req.body is not None else None
    r = urllib.request.Request(base + req.path, data=data, method=req.method,
                               headers={"Content-Type": "application/json"} if data else {})
    try:
        with urllib.request.urlopen(r, timeout=timeout) as resp:
            return resp.status, resp.read().decode("utf-8", "replace")
    except urllib.error.HTTPError as e:
        return e.code, e.read().decode("utf-8", "replace")


def one_at_a_time(plan: Plan, rounds: int, seed: int = 1) -> list[dict]:
    """Every task `rounds` times, one request at a time, timed: the same samples as under load
    (kind, ms, error) with no other request in flight."""
    rng = random.Random(seed)
    samples = []
    for _ in range(rounds):
        for _, task in TASKS:
            for req in task(plan, rng):
                start = time.perf_counter()
                status, text = send(plan.base, req)
                why = req.check(status, text)
                samples.append({"kind": req.kind, "ms": (time.perf_counter() - start) * 1000,
                                "error": None if why is None else f"{req.method} {req.path}: {why}"})
    return samples


def preflight(plan: Plan, rounds: int = 2) -> list[str]:
    """Every task twice before the clock starts: the payloads still fit the app, and each worker
    has opened the build. Returns what failed."""
    if plan.missing:
        return list(plan.missing)
    return [f"{s['kind']} {s['error']}" for s in one_at_a_time(plan, rounds) if s["error"]]
