"""Two app instances on one data folder behind a round robin (issue 16, deployment).

What docs/deployment.md promises for several machines reading the same published build: two
gunicorn masters on two ports (standing in for two machines) share one data folder; a client that
alternates between them, as a round-robin proxy does, gets the same answers from both (status,
ETag and body), can revalidate at either one what the other answered; and publishing another
build (warehouse/CURRENT switched, as `python -m pipelines build` does) is served by both at the
next request, without a restart; switching back (a rollback) likewise.
"""

from __future__ import annotations

import itertools
import json
import urllib.error
import urllib.request

import load
import pytest

from pipelines.build import current_build_id, publish
from pipelines.staging import DataPaths

MUNICIPALITY = "NL_GM0153"  # Enschede
# A proxy passes the public host name on (nginx: proxy_set_header Host $host), so every instance
# builds the same absolute links (the paging `next`/`prev` of the municipality list).
HOST = "ds4e.example.org"
HEALTH = "/api/v1/health"  # no-store, and it reports per process (when its check ran): compared by field
GETS = [HEALTH, f"/api/v1/municipalities/{MUNICIPALITY}",
        f"/api/v1/municipalities/{MUNICIPALITY}/roadmap", "/api/v1/municipalities?country=NL&limit=5",
        "/api/v1/aggregates?level=nuts2&country=NL&measure=ALL", "/api/v1/laws/NIS2/readiness?country=NL"]


class RoundRobin:
    """Sends each request to the next instance in turn."""

    def __init__(self, bases: list[str]):
        self.bases = bases
        self._next = itertools.cycle(bases)

    def request(self, path: str, body: dict | None = None,
                headers: dict | None = None) -> tuple[str, int, dict, bytes]:
        base = next(self._next)
        req = urllib.request.Request(base + path, method="POST" if body is not None else "GET",
                                     data=None if body is None else json.dumps(body).encode(),
                                     headers={"Host": HOST, "Content-Type": "application/json",
                                              **(headers or {})})
        try:
            with urllib.request.urlopen(req, timeout=60) as r:
                return base, r.status, dict(r.headers), r.read()
        except urllib.error.HTTPError as e:
            return base, e.code, dict(e.headers), e.read()

    def both(self, path: str, body: dict | None = None) -> list[tuple[str, int, dict, bytes]]:
        """The same request once to each instance."""
        return [self.request(path, body) for _ in self.bases]


def served(health: bytes) -> dict:
    """What a health answer says about the build served, without when this process checked it."""
    body = json.loads(health)
    data = {k: v for k, v in body["data"].items() if k != "integrity"}
    check = body["data"].get("integrity") or {}
    return {**data, "status": body["status"], "checked": (check.get("build_id"), check.get("ok"))}


def health_build(answer: tuple[str, int, dict, bytes]) -> str:
    return json.loads(answer[3])["data"]["build_id"]


@pytest.fixture(scope="module")
def instances(two_builds):
    data, _first, _second = two_builds
    servers = []
    try:
        for _ in range(2):  # two workers each: every worker opens the build on its own
            servers.append(load.start_gunicorn(data, flags=["-w", "2", "--threads", "2"]))
        yield RoundRobin([s.base for s in servers])
    finally:
        for s in servers:
            s.stop()


def heatmap_payload(rr: RoundRobin) -> dict:
    """The heatmap callback as the browser posts it (shape from benchmarks/load_mix.py)."""
    import load_mix

    _, _, _, raw = rr.request("/_dash-dependencies")
    plan = load_mix.Plan("", ["2025", "2026"], {load_mix.first_output(s): s for s in json.loads(raw)},
                         ["NL"], [MUNICIPALITY], ["Enschede"], [], [], [])
    return load_mix.callback(plan, load_mix.HEATMAP, "heatmap-graph.figure", {
        "heatmap-country.value": "NL", "heatmap-nuts2.value": "all", "heatmap-size.value": "all",
        "heatmap-peers.value": None, "heatmap-wave.value": "2026", "heatmap-sort.value": "overall",
        "heatmap-mode.value": "municipalities", "lang.value": "en"}, ["heatmap-country.value"]).body


def snapshot(rr: RoundRobin) -> dict[str, bytes | str]:
    """Every GET and the heatmap callback from both instances: they agree; what they said."""
    seen = {}
    for path in GETS:
        (a, sa, ha, ba), (b, sb, hb, bb) = rr.both(path)
        assert a != b  # one answer from each instance
        assert sa == sb == 200, (path, sa, sb)
        assert ha.get("ETag") == hb.get("ETag"), (path, ha.get("ETag"), hb.get("ETag"))
        if path == HEALTH:
            ja, jb = served(ba), served(bb)
            assert ja == jb and ja["status"] == "ok", (ja, jb)
            seen[path] = ja["build_id"]
            continue
        assert ha.get("ETag"), path
        assert ba == bb, path
        seen[path] = ba
    callback = heatmap_payload(rr)
    (_, sa, _, ba), (_, sb, _, bb) = rr.both("/_dash-update-component", callback)
    assert sa == sb == 200 and ba == bb
    seen["heatmap callback"] = ba
    return seen


def test_both_instances_give_the_same_answers(instances, two_builds):
    _data, first, _second = two_builds
    answers = snapshot(instances)
    assert answers[HEALTH] == first
    # a validator one instance gave is honoured by the other: a cache or browser revalidating
    # through the round robin gets 304 whichever answers
    for path in GETS[1:]:
        _, _, headers, _ = instances.request(path)
        _, status, _, body = instances.request(path, headers={"If-None-Match": headers["ETag"]})
        assert status == 304 and body == b"", path


def test_a_published_build_is_served_by_both_without_a_restart(instances, two_builds):
    data, first, second = two_builds
    paths = DataPaths(data)
    assert current_build_id(paths) == first
    before = snapshot(instances)
    try:
        publish(paths, second)  # what a build does last: CURRENT switched atomically
        after = snapshot(instances)
        assert after[HEALTH] == second
        # other answers, not only another id: the second build holds other demo answers
        detail = f"/api/v1/municipalities/{MUNICIPALITY}"
        assert after[detail] != before[detail]
        assert after["heatmap callback"] != before["heatmap callback"]
        # every request from now on, on either instance and any of its workers, sees the new build
        assert {health_build(instances.request(HEALTH)) for _ in range(8)} == {second}

        publish(paths, first)  # a rollback is the same switch back
        assert snapshot(instances) == before
    finally:
        publish(paths, first)
