"""Open every page the way a browser does, without a browser: the requests, in order.

Used twice:

- by gunicorn's master before it forks (gunicorn.conf.py -> `rehearse`): every page is rendered
  once and each of its server callbacks runs once with the rendered values. What the first
  render of a page loads lazily (plotly's figure validators, Dash's component registry, the
  per-build tables a page computes on first use) then exists once, in memory the workers share,
  instead of once per worker. Measured with benchmarks/bench_memory.py: see README,
  "Serving in production".
- by benchmarks/bench_memory.py and the load test, which send the same requests over HTTP.

The walk: GET `/_dash-layout` and `/_dash-dependencies`, then per page the router callback
(`page-content.children`) with the page's address, then every server callback whose inputs the
rendered layout (or an earlier callback's output) provides, in a few passes because outputs feed
further callbacks. A button input is clicked once, a dropdown's search gets a few letters.
Then every download link the page holds (`/download/...`, dashboard/file_links.py) is fetched
once. Pattern-matching callbacks (the survey's save and submit) are left out, so nothing is
ever written.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass

LOG = logging.getLogger(__name__)

# (method, path, body) -> (status, response body)
Send = Callable[[str, str, bytes | None], tuple[int, bytes]]
ROUTER = "page-content.children"
DOWNLOAD_PREFIX = "/download/"  # dashboard/file_links.PREFIX (not imported: Flask-free here)


@dataclass(frozen=True)
class Step:
    method: str
    path: str
    body: bytes | None = None
    kind: str = "page"  # page, callback, download or api


def components(node, found: dict[str, object]) -> None:
    """Collect 'id.prop' -> value from a Dash component tree (JSON)."""
    if isinstance(node, list):
        for n in node:
            components(n, found)
    elif isinstance(node, dict):
        props = node.get("props") if "type" in node and "namespace" in node else None
        if isinstance(props, dict):
            ident = props.get("id")
            if isinstance(ident, str):
                for k, v in props.items():
                    found[f"{ident}.{k}"] = v
                found.setdefault(f"{ident}.n_clicks", None)
            for v in props.values():
                components(v, found)


def _outputs(spec: dict) -> list[dict]:
    out = spec["output"]
    parts = out.strip(".").split("...") if out.startswith("..") else [out]
    return [{"id": p.rsplit(".", 1)[0], "property": p.rsplit(".", 1)[1].split("@")[0]}
            for p in parts]


def is_pattern(spec: dict) -> bool:
    items = spec["inputs"] + spec.get("state", []) + _outputs(spec)
    return any(str(i["id"]).startswith("{") for i in items)


def payload(spec: dict, values: dict, changed: str) -> bytes:
    outs = _outputs(spec)

    def fill(items):
        return [{"id": i["id"], "property": i["property"],
                 "value": values.get(f"{i['id']}.{i['property']}")} for i in items]
    return json.dumps({"output": spec["output"],
                       "outputs": outs if spec["output"].startswith("..") else outs[0],
                       "inputs": fill(spec["inputs"]), "state": fill(spec.get("state", [])),
                       "changedPropIds": [changed]}).encode()


def walk(send: Send, pages: Iterable[str], lang: str = "en") -> list[Step]:
    """Open each page address ("/profile?m=NL_GM0153") and run its callbacks once, through
    `send`; the requests made, in order (the benchmark replays them)."""
    deps = json.loads(send("GET", "/_dash-dependencies", None)[1])
    server = [d for d in deps if not d.get("clientside_function") and not is_pattern(d)]
    router = next(d for d in server if d["output"] == ROUTER)
    shell: dict[str, object] = {}
    components(json.loads(send("GET", "/_dash-layout", None)[1]), shell)
    steps = [Step("GET", "/_dash-layout"), Step("GET", "/_dash-dependencies")]
    for address in pages:
        send("GET", address, None)  # the index page, as the browser's first request
        steps.append(Step("GET", address))
        path, _, query = address.partition("?")
        values = {**shell, "url.pathname": path, "url.search": "?" + query if query else "",
                  "lang.value": lang}
        fired: set[str] = set()
        todo = [router] + [d for d in server if d is not router]
        page_ids: set[str] = set()
        for _ in range(4):  # outputs feed further callbacks; a few passes reach them all
            progressed = False
            for spec in todo:
                if spec["output"] in fired:
                    continue
                inputs = [f"{i['id']}.{i['property']}" for i in spec["inputs"]]
                if spec is not router and not any(i.split(".")[0] in page_ids for i in inputs):
                    continue
                if not all(i in values for i in inputs):
                    continue
                vals, changed = dict(values), inputs[0]
                clicks = [i for i in inputs if i.endswith(".n_clicks")]
                if clicks:  # a download or button: click the first (the CSV)
                    vals[clicks[0]], changed = 1, clicks[0]
                for i in inputs:
                    if i.endswith(".search_value"):
                        vals[i], changed = "ber", i
                body = payload(spec, vals, changed)
                fired.add(spec["output"])
                progressed = True
                status, data = send("POST", "/_dash-update-component", body)
                steps.append(Step("POST", "/_dash-update-component", body, kind="callback"))
                if status != 200:
                    continue
                for ident, props in json.loads(data).get("response", {}).items():
                    for prop, value in props.items():
                        values[f"{ident}.{prop}"] = value
                        found: dict[str, object] = {}
                        components(value, found)
                        values.update(found)
                        page_ids |= {k.split(".")[0] for k in found}
            if not progressed:
                break
        # the page's download links (dashboard/file_links.py): each followed once, as a click
        # would, so that the files' code and tables are made here too
        for link in sorted({v for k, v in values.items() if k.endswith(".href")
                            and isinstance(v, str) and v.startswith(DOWNLOAD_PREFIX)}):
            send("GET", link, None)
            steps.append(Step("GET", link, kind="download"))
    return steps


def api_steps(ctx, send: Send) -> list[Step]:
    """One call of each API operation a client reads, with ids this build has: the health
    check (its first call read the installed packages' versions: 5-13 ms against a p95 of 5-6
    in the benchmark), the OpenAPI document (made on its first request), lists and search,
    one municipality's record, readiness and roadmap (one whose results may be shown),
    aggregates per level, laws and their readiness, leverage, initiatives, and the two
    what-ifs. Measured before this existed (benchmarks, NL, first call of a kind in a fresh
    server against its p95): the document 147 ms against 10, a roadmap 120 ms against 43."""
    api = "/api/v1"
    steps = [Step("GET", f"{api}/health"), Step("GET", f"{api}/openapi.json"),
             Step("GET", f"{api}/framework"),
             Step("GET", f"{api}/municipalities?limit=20"),
             Step("GET", f"{api}/municipalities?q=ber&limit=20"),
             Step("GET", f"{api}/initiatives"), Step("GET", f"{api}/laws")]
    snap = ctx.warehouse.snapshot()
    if snap is None or not snap.waves:
        return [Step(s.method, s.path, s.body, kind="api") for s in steps]
    status, body = send("GET", f"{api}/laws", None)
    law = json.loads(body)["items"][0]["id"] if status == 200 else None
    cube = snap.maturity
    answered = (cube.levels[-1] >= 0).any(axis=1)
    shown = answered if ctx.settings.visibility == "open" else answered & snap.consent.astype(bool)
    rows = shown.nonzero()[0]
    element = cube.element_ids[0]
    if len(rows):
        mid = str(cube.municipality_ids[rows[0]])
        country = mid[:2]
        steps += [Step("GET", f"{api}/municipalities/{mid}"),
                  Step("GET", f"{api}/municipalities/{mid}/readiness"),
                  Step("GET", f"{api}/municipalities/{mid}/roadmap"),
                  Step("GET", f"{api}/municipalities?country={country}&limit=50"),
                  Step("GET", f"{api}/insight/leverage?country={country}")]
        steps += [Step("GET", f"{api}/aggregates?level={lv}&country={country}")
                  for lv in ("country", "nuts2", "nuts3", "size_class")]
        steps.append(Step("POST", f"{api}/insight/funding-what-if", json.dumps(
            {"country": country, "package": [{"element": element, "level": 3}], "reach": 10,
             "rule": "leverage"}).encode()))
    draft = {"id": "REHEARSAL", "name": "Rehearsal", "requirements": [
        {"element": element, "min": 2, "deadline": "2030-01-01"}]}
    steps.append(Step("POST", f"{api}/laws/what-if", json.dumps(draft).encode()))
    if law:
        steps.append(Step("GET", f"{api}/laws/{law}/readiness"))
    return [Step(s.method, s.path, s.body, kind="api") for s in steps]


@dataclass(frozen=True)
class Rehearsal:
    steps: list[Step]
    seconds: float
    failed: list[str]  # "POST /_dash-update-component 500 (output)" per failed request


def default_addresses(ctx) -> list[str]:
    """Every page but the survey's (it needs a link), then each page's `rehearsal_addresses`."""
    from dashboard.registry import PAGES

    shown = [p for p in PAGES if not p.PATH.startswith("/survey")]
    return [*(p.PATH for p in shown),
            *(a for p in shown for a in getattr(p, "rehearsal_addresses", lambda _ctx: [])(ctx))]


def rehearse(server, pages: Iterable[str] | None = None, api: bool = True) -> Rehearsal:
    """Every page once (default: every page but the survey's, which needs a link, and then the
    addresses a page asks for with `rehearsal_addresses(ctx)`: other waves, map levels) and one
    call of each API operation a client reads (`api_steps`), through the Flask test client of
    this process (gunicorn's master). Rate limits are off meanwhile (one client sends it all); a
    failing request is logged and left for the first visitor to redo."""
    client = server.test_client()
    limiters = list(server.extensions.get("limiter", ()))  # flask-limiter's
    was = [lim.enabled for lim in limiters]
    for lim in limiters:
        lim.enabled = False
    failed: list[str] = []

    def send(method: str, path: str, body: bytes | None) -> tuple[int, bytes]:
        resp = client.open(path, method=method, data=body,
                           headers={"Content-Type": "application/json"} if body else {})
        if resp.status_code >= 400:
            what = json.loads(body).get("output", "") if body else ""
            failed.append(f"{method} {path} {resp.status_code} {what}".rstrip())
        return resp.status_code, resp.get_data()

    started = time.perf_counter()
    try:
        addresses = pages if pages is not None else default_addresses(server.config["DS4E_CONTEXT"])
        # both languages: a page's per-language tables and figures are then made before the fork
        steps = [s for lang in ("en", "nl") for s in walk(send, addresses, lang)]
        if api:
            calls = api_steps(server.config["DS4E_CONTEXT"], send)
            for step in calls:
                send(step.method, step.path, step.body)
            steps += calls
    finally:
        for lim, enabled in zip(limiters, was, strict=True):
            lim.enabled = enabled
    if failed:
        LOG.warning("rehearsal: %d requests failed, first: %s", len(failed), failed[0])
    return Rehearsal(steps, time.perf_counter() - started, failed)
