"""HTTP round trips of the interactive callbacks against a running server: p50/p95 per callback.

    .venv/bin/python benchmarks/bench_callbacks.py --data-dir /tmp/eu   # an EU demo build
    .venv/bin/python benchmarks/bench_callbacks.py                      # builds one first (~1.5 min)

Starts `app.py` in a subprocess (threaded werkzeug, DS4E_VISIBILITY=open), warms each callback up,
then times N calls with varying inputs (so nothing is cached) through a keep-alive-free client,
and prints p50/p95 and the response size. The client shares the 2 cores with the server, so the
figures are pessimistic.
"""

from __future__ import annotations

import argparse
import os
import random
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).parent))

from dash_client import DashClient, measure  # noqa: E402


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def ensure_data(data_dir: Path | None) -> Path:
    if data_dir:
        return data_dir
    data = Path(tempfile.mkdtemp(prefix="ds4e-bench-"))
    subprocess.run([sys.executable, "-m", "pipelines", "--data-dir", str(data), "first-run",
                    "--scope", "eu"], cwd=ROOT, check=True)
    return data


def start_server(data: Path) -> tuple[subprocess.Popen, str]:
    port = free_port()
    env = {**os.environ, "DS4E_DATA_DIR": str(data), "PORT": str(port),
           "DS4E_VISIBILITY": "open"}
    proc = subprocess.Popen([sys.executable, "app.py"], cwd=ROOT, env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    for _ in range(120):
        try:
            urllib.request.urlopen(base + "/api/v1/health", timeout=2)
            return proc, base
        except OSError:
            time.sleep(0.5)
    proc.kill()
    raise SystemExit("server did not start")


def scenarios(client: DashClient, ctx_info: dict) -> list[tuple[str, object, callable, str]]:
    """(name, callback, values-generator, changed prop) for each interactive view."""
    rng = random.Random(0)
    waves = ctx_info["waves"]
    ids = ctx_info["sample_ids"]
    out = []

    def add(name, output_id, prop, gen, changed):
        try:
            out.append((name, client.find(output_id, prop), gen, changed))
        except KeyError:
            print(f"  (skipped {name}: no callback writes {output_id}.{prop})")

    add("overview: map recolour (wave)", "overview-map", "figure",
        lambda: {"overview-wave.value": rng.choice(waves), "overview-map-view.value": "eu",
                 "lang.value": "nl"}, "overview-wave.value")
    add("overview: KPIs + table (wave)", "overview-kpis", "children",
        lambda: {"overview-wave.value": rng.choice(waves), "lang.value": "nl"},
        "overview-wave.value")
    add("knowledge: search", "knowledge-list", "children",
        lambda: {"knowledge-search.value": rng.choice(["data", "nis2", "wallet", "cloud"]),
                 "knowledge-block.value": "all", "lang.value": "nl", "url.search": ""},
        "knowledge-search.value")
    for extra in ctx_info.get("extra", []):
        add(extra["name"], extra["output"], extra["prop"],
            (lambda e=extra: {**e["fixed"], **{k: rng.choice(v) for k, v in e["vary"].items()},
                              **({e["municipality_key"]: rng.choice(ids)}
                                 if e.get("municipality_key") else {})}),
            extra["changed"])
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data-dir", type=Path)
    ap.add_argument("--calls", type=int, default=200)
    a = ap.parse_args()
    data = ensure_data(a.data_dir)

    from dashboard.store import Warehouse
    from pipelines.reference import REFERENCE_DIR

    snap = Warehouse(data, REFERENCE_DIR).snapshot()
    cube = snap.maturity
    answered = np.flatnonzero(cube.answered(len(cube.waves) - 1))
    sample = [str(cube.municipality_ids[i]) for i in np.random.default_rng(0).choice(answered, 200)]
    info = {"waves": snap.waves, "sample_ids": sample, "extra": EXTRA}

    proc, base = start_server(data)
    try:
        client = DashClient(base)
        print(f"{'callback':<44} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8} {'KB':>8}")
        for name, cb, gen, changed in scenarios(client, info):
            p50, p95, worst, kb = measure(client, cb, gen, changed, a.calls)
            print(f"{name:<44} {p50:8.1f} {p95:8.1f} {worst:8.1f} {kb:8.1f}", flush=True)
    finally:
        proc.terminate()
        proc.wait(10)


# Callbacks of the Insight pages: filled in as the pages land (ids from their modules).
EXTRA: list[dict] = []

# Maps & regions (/maps): a recolour (measure, statistic or wave) is a Patch with values only.
_MAPS_VARY = {"maps-measure.value": ["ALL", "STR", "GOV", "DAT", "SEC", "STR-01", "INF-02",
                                     "DAT-04", "SRV-05", "SEC-02", "PPL-03", "ECO-01"],
              "maps-stat.value": ["median", "share_ge3"], "maps-wave.value": ["2024", "2025", "2026"]}
for _name, _output, _prop, _level, _country in (
        ("maps: recolour NUTS 2", "maps-graph", "figure", "nuts2", "NL"),
        ("maps: recolour NUTS 3", "maps-graph", "figure", "nuts3", "NL"),
        ("maps: recolour NL municipalities", "maps-graph", "figure", "country", "NL"),
        ("maps: recolour DE points", "maps-graph", "figure", "country", "DE"),
        ("maps: tables NUTS 2", "maps-countries", "children", "nuts2", "NL")):
    EXTRA.append({"name": _name, "output": _output, "prop": _prop, "changed": "maps-measure.value",
                  "fixed": {"maps-level.value": _level, "maps-country.value": _country,
                            "lang.value": "en"}, "vary": _MAPS_VARY})

# Municipality profile (/profile): radar and distribution for random answered municipalities,
# the worst case being a large peer group (same country: all ~35,000 French communes).
for _name, _output, _view, _peers in (
        ("profile: radar blocks (country+size peers)", "profile-radar", "blocks", "country_size"),
        ("profile: radar elements (country peers)", "profile-radar", "elements", "country"),
        ("profile: distribution (country peers)", "profile-distribution", "elements", "country")):
    EXTRA.append({"name": _name, "output": _output, "prop": "figure",
                  "changed": "profile-municipality.value", "municipality_key": "profile-municipality.value",
                  "fixed": {"profile-view.value": _view, "profile-peers.value": _peers,
                            "profile-custom.value": [], "lang.value": "en"},
                  "vary": {"profile-wave.value": ["2025", "2026"]}})

# Element heatmap (/heatmap): filter changes; large countries switch to regions.
EXTRA.append({"name": "heatmap: filter change (country, size, sort)", "output": "heatmap-graph",
              "prop": "figure", "changed": "heatmap-country.value",
              "fixed": {"heatmap-nuts2.value": "all", "heatmap-peers.value": None,
                        "heatmap-mode.value": "municipalities", "lang.value": "en"},
              "vary": {"heatmap-country.value": ["NL", "BE", "FR", "DE", "AT", "DK"],
                       "heatmap-size.value": ["all", "5k-20k", "20k-50k"],
                       "heatmap-wave.value": ["2025", "2026"],
                       "heatmap-sort.value": ["overall", "SEC-01", "DAT-02"]}})

if __name__ == "__main__":
    main()
