"""The benchmark's arithmetic and its coverage: percentiles, goals, what fails CI, growth, and
that every operation of the API document is timed or excluded with a reason."""

from __future__ import annotations

import math
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "benchmarks"))

import figures
import http_timing as ht
from load_mix import Plan


def sample(kind, ms, group="api", error=None, size=1024):
    return ht.Sample(kind, group, ms, 200 if error is None else 500, size, error)


def kinds_of(rows, floor=2.0):
    return figures.with_ratios(figures.summarise(rows), floor)


def test_summary_keeps_the_first_call_and_counts_errors():
    rows = [sample("a", 50.0)] + [sample("a", float(ms)) for ms in range(1, 100)]
    rows.append(sample("a", 7.0, error="GET /x: 500 boom"))
    s = figures.summarise(rows)["a"]
    assert s["n"] == 101 and s["first_ms"] == 50.0 and s["max_ms"] == 99.0
    assert s["p50_ms"] == 50.0 and 94 <= s["p95_ms"] <= 96
    assert s["n_errors"] == 1 and s["errors"] == ["GET /x: 500 boom"]
    r = figures.with_ratios({"a": s}, 2.0)["a"]
    assert r["p95_x_floor"] == pytest.approx(s["p95_ms"] / 2, abs=0.05)
    assert r["first_x_p95"] == pytest.approx(50.0 / s["p95_ms"], abs=0.01)


def test_goals_name_the_worst_kind_and_each_kind_over_target():
    one = kinds_of([sample("api: fast", 10.0)] * 20 + [sample("api: slow", 40.0)] * 20
                   + [sample("callback: x", 20.0, "callback")] * 20)
    four = kinds_of([sample("api: fast", 60.0)] * 20 + [sample("api: slow", 90.0)] * 20
                    + [sample("callback: x", 70.0, "callback")] * 20)
    g = figures.goals("nl", one, four, {"boots": {"1": 0.6, "2": 0.7}}, None, {})
    api1 = g["JSON endpoints: p95 x floor, 1 client"]
    assert api1["measured"] == 20.0 and api1["worst"] == "api: slow" and not api1["met"]
    assert api1["over"] == ["api: slow"]
    assert g["Dash callbacks: p95 x floor, 1 client"]["met"]  # 10x
    assert g["JSON endpoints: p95 x floor, 4 clients"]["measured"] == 45.0
    assert not g["JSON endpoints: p95 x floor, 4 clients"]["met"]
    assert g["Dash callbacks: p95 x floor, 4 clients"]["met"]  # 35x
    assert g["worker ready after fork (s)"] == {"target": 5.0, "measured": 0.7, "met": True}
    assert g["requests answered as expected (errors)"]["met"]
    assert g["no warm-up paid: first call of a kind / its p95"]["met"]
    assert "build peak RSS (MB)" not in g  # the build goals are the EU demo's


def test_a_first_call_that_pays_a_warm_up_is_named():
    rows = [sample("api: search", 2500.0)] + [sample("api: search", 20.0)] * 30
    rows += [sample("api: other", 5.0)] * 30
    g = figures.goals("nl", kinds_of(rows), kinds_of(rows), {"boots": {}}, None, {})
    first = g["no warm-up paid: first call of a kind / its p95"]
    assert not first["met"] and first["worst"] == "api: search" and first["measured"] > 100


def test_build_goals_apply_to_the_eu_size_only():
    one = kinds_of([sample("api: a", 3.0)])
    build = {"wall_s": 61.0, "peak_rss_mb": 1900}
    g = figures.goals("eu", one, one, {"boots": {}}, build, {})
    assert g["build peak RSS (MB)"]["met"] and not g["build wall time (s)"]["met"]
    assert not g["worker ready after fork (s)"]["met"]  # no worker seen is not a pass
    assert "build wall time (s)" not in figures.goals("eu5", one, one, {"boots": {}}, build, {})


def test_pandas_goal_and_ci_rules():
    one = kinds_of([sample("api: a", 3.0)])
    pandas = {"radar": {"ratio": 12.0}, "heatmap": {"ratio": 0.8},
              "record": {"error": "different answers: level of SEC-01"}}
    g = figures.goals("nl", one, one, {"boots": {"1": 1.0}}, None, pandas)
    assert g["radar: x faster than pandas"]["met"]
    assert not g["heatmap: x faster than pandas"]["met"]
    assert not g["record: x faster than pandas"]["met"]  # no ratio: not met
    fails = figures.ci_failures(one, one, pandas)
    assert any("heatmap" in f and "0.8" in f for f in fails)
    assert any("record" in f and "different answers" in f for f in fails)
    assert not any("radar" in f for f in fails)
    assert figures.ci_failures(one, one, {"radar": {"ratio": 1.0}}) == []
    bad = kinds_of([sample("api: a", 3.0), sample("api: a", 3.0, error="GET /a: 500")])
    assert figures.ci_failures(bad, one, {}) == ["api: a: 1 errors, e.g. GET /a: 500"]


def test_growth_compares_the_kinds_every_size_has():
    def result(p95, wall):
        return {"one_client": {"api: a": {"p95_ms": p95}, f"only {wall}": {"p95_ms": 1}},
                "build": {"wall_s": wall, "peak_rss_mb": wall * 10}, "floor_ms": 1.5}
    g = figures.growth({"nl": result(2.0, 3), "eu": result(9.0, 50), "eu5": result(12.0, 80)})
    assert g["api: a"] == {"nl": 2.0, "eu": 9.0, "eu5": 12.0}
    assert g["build wall_s"] == {"nl": 3, "eu": 50, "eu5": 80}
    assert not any(k.startswith("only") for k in g)


def test_nan_is_never_met():
    assert not figures.goal(5.0, math.nan)["met"]


PLAN = Plan("http://x", ["2024", "2025"], {}, ["NL", "BE"], ["NL_GM0363", "BE_1"], ["Amsterdam", "Gent"],
            ["SEC-01", "SEC-02", "GOV-01"], ["SEC", "GOV"], ["NIS2", "GDPR"])


def test_every_api_operation_is_timed_or_excluded_with_a_reason(tmp_path):
    from app import create_app
    from dashboard.config import Settings

    client = create_app(Settings.from_env({"DS4E_DATA_DIR": str(tmp_path)})).server.test_client()
    doc = client.get("/api/v1/openapi.json").get_json()
    ops = {op["operationId"] for ops in doc["paths"].values() for op in ops.values()}
    calls = ht.api_calls(PLAN, ops, 3, 1, seed=0)  # raises on an operation it does not know
    timed = {c.kind for c in calls}
    assert len(timed) >= len(ops - set(ht.NOT_TIMED))
    assert all(c.path.startswith("/api/v1/") for c in calls)
    with pytest.raises(RuntimeError, match="newOperation"):
        ht.api_calls(PLAN, ops | {"newOperation"}, 3, 1, seed=0)


def test_calls_vary_their_inputs():
    calls = ht.api_calls(PLAN, {"getMunicipality", "lawWhatIf"}, 40, 1, seed=1)
    assert len({c.path for c in calls if "municipalities" in c.path}) > 3
    assert len({c.body for c in calls if c.method == "POST"}) > 20
    pages = ht.addresses(PLAN, 10, seed=2)
    assert {a.split("?")[0] for a, _ in pages} >= {"/overview", "/profile", "/roadmap", "/legislation"}
    assert {lang for _, lang in pages} == {"nl", "en"}
    assert len({a for a, _ in pages if a.startswith("/profile")}) > 5


def test_kinds_name_the_page_for_router_and_address_callbacks():
    assert ht.kind_of("/_dash-update-component", b'{"output": "page-content.children"}',
                      "/maps") == ("callback: render /maps", "callback")
    assert ht.kind_of("/_dash-update-component", b'{"output": "url.search@abc"}',
                      "/maps")[0] == "callback: address sync /maps"
    assert ht.kind_of("/_dash-update-component", b'{"output": "..a.figure...b.children.."}',
                      "/maps")[0] == "callback: a.figure"
    assert ht.kind_of("/profile?m=1", None, "/profile") == ("page: GET (the HTML)", "page")


def test_downloads_are_their_own_kind_outside_the_json_and_callback_goals():
    """A page's download link is a file (timed and reported like the reports), not a JSON
    answer or a callback: its kind names the file, without the selection in the query."""
    kind, group = ht.kind_of("/download/legislation-heat.csv?country=NL&at=2026-07-01", None,
                             "/legislation")
    assert (kind, group) == ("download: GET /download/legislation-heat.csv", "download")
    one = kinds_of([sample("api: fast", 10.0)] * 20 + [sample("callback: x", 20.0, "callback")] * 20
                   + [sample(kind, 900.0, group)] * 20)
    g = figures.goals("eu", one, one, {"boots": {"1": 0.6}}, None, {})
    assert g["JSON endpoints: p95 x floor, 1 client"]["met"]
    assert g["Dash callbacks: p95 x floor, 1 client"]["met"]
    assert kind not in g["Dash callbacks: p95 x floor, 1 client"]["over"]
    table = figures.kinds_table(one, one).splitlines()
    rows = [r.split()[0] for r in table[2:]]
    assert rows.index("download:") == 1  # after the JSON endpoints, before the callbacks


def test_four_clients_send_every_call_once(monkeypatch):
    # the pool forks: the children run the patched client (no server needed)
    monkeypatch.setattr(ht, "one_client", lambda port, calls: [sample(c.path, 1.0) for c in calls])
    calls = [ht.Call(f"k{i % 3}", "api", "GET", f"/api/v1/x{i}") for i in range(41)]
    samples, _ = ht.clients(0, calls, 4, seed=3)
    assert sorted(s.kind for s in samples) == sorted(c.path for c in calls)  # each once


def test_a_childs_peak_is_its_own_not_its_large_parents(tmp_path):
    """The build's peak RSS is measured in a child: started from a parent that has held
    200 MB, a small child must not report the parent's high-water mark (rusage did)."""
    import sys

    import numpy as np

    from benchmarks import sizes

    held = np.ones(200 * 2**20 // 8)  # touched: 200 MB resident in this process
    run = sizes.measured([sys.executable, "-m", "this"], tmp_path / "log.txt")
    assert run.returncode == 0 and "Beautiful is better" in run.tail + (
        tmp_path / "log.txt").read_text()
    assert 1 < run.peak_mb < 100, run.peak_mb
    assert held.sum() > 0
