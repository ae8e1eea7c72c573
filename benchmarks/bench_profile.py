"""HTTP round trips of the Municipality profile callbacks: p50/p95 per callback, EU scale.

    .venv/bin/python benchmarks/bench_profile.py --base http://127.0.0.1:8070 --data-dir /tmp/eu

Against a running server (DS4E_VISIBILITY=open, so every municipality's own levels are drawn,
the heavier case). Municipalities are drawn from three groups so that peer groups range from a
handful to the largest: French communes with the whole of France as peers (~35,000, the worst
case), large cities with their country or NUTS 2 region, and random municipalities with the
default peer group. Inputs vary per call, so nothing is answered from a cache.
"""

from __future__ import annotations

import argparse
import random
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).parent))

from dash_client import DashClient, measure  # noqa: E402

QUERIES = ["utr", "Utrecht", "gent", "liege", "GM0344", "den haag", "paris", "saint", "ber",
           "münchen", "sint jans", "a", "75056", "frankfurt", "mar"]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--base", required=True, help="URL of a running app")
    ap.add_argument("--data-dir", type=Path, required=True)
    ap.add_argument("--calls", type=int, default=100)
    ap.add_argument("--worst", action="store_true",
                    help="only French communes against all of France (~35,000 peers)")
    a = ap.parse_args()

    from dashboard.store import Warehouse
    from pipelines.reference import REFERENCE_DIR

    snap = Warehouse(a.data_dir, REFERENCE_DIR).snapshot()
    cube = snap.maturity
    ids = cube.municipality_ids
    rng = np.random.default_rng(0)
    latest = cube.answered(len(cube.waves) - 1)
    french = [str(m) for m in rng.choice(ids[latest & np.char.startswith(ids.astype(str), "FR_")],
                                         40)]
    anywhere = [str(m) for m in rng.choice(ids[latest], 40)]
    pick = random.Random(0)

    def selection():
        group = 0.0 if a.worst else pick.random()
        if group < 0.5:
            return pick.choice(french), "country"
        if group < 0.75:
            return pick.choice(anywhere), pick.choice(["country", "nuts2"])
        return pick.choice(anywhere), "country_size"

    def values(view=None):
        m, peers = selection()
        out = {"profile-municipality.value": m, "profile-wave.value": pick.choice(snap.waves),
               "profile-peers.value": peers, "profile-custom.value": [], "lang.value": "nl"}
        if view:
            out["profile-view.value"] = view
        return out

    client = DashClient(a.base)
    cases = [
        ("radar, blocks", "profile-radar", "figure", lambda: values("blocks")),
        ("radar, elements", "profile-radar", "figure", lambda: values("elements")),
        ("distribution per element", "profile-distribution", "figure", values),
        ("trend", "profile-trend", "figure", values),
        ("status + peer group", "profile-status", "children", values),
        ("agreement (SQL)", "profile-agreement", "children", values),
        ("context (eGov benchmark)", "profile-context", "children", values),
        ("picker search (top 20)", "profile-municipality", "options",
         lambda: {"profile-municipality.search_value": pick.choice(QUERIES),
                  "profile-municipality.value": pick.choice(anywhere)}),
    ]
    print(f"{'callback':<30} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8} {'KB':>8}")
    for name, output, prop, gen in cases:
        cb = client.find(output, prop)
        changed = cb.spec["inputs"][0]["id"] + "." + cb.spec["inputs"][0]["property"]
        p50, p95, worst, kb = measure(client, cb, gen, changed, a.calls)
        print(f"{name:<30} {p50:8.1f} {p95:8.1f} {worst:8.1f} {kb:8.1f}", flush=True)


if __name__ == "__main__":
    main()
