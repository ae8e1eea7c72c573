"""Benchmark the funding what-if on a published build and print p50/p95 (not a test: nothing
is asserted; the target, issue 19, is p95 <= 300 ms for one what-if over all EU municipalities).

    .venv/bin/python benchmarks/bench_funding.py --data-dir /tmp/d-fund-eu [--runs 40]
        [--visibility open|consent] [--country NL]

Each run is one `data_funding.what_if` (what the page, the API and the CLI call) with a varying
package (one to three elements, levels 2-4), rule and reach or budget, over the EU (or
--country). The per-build base (readiness of every answering municipality, peer proof, law
profiles) is made once first and reported apart, as a server makes it once per build. Also
prints the worst case: every municipality below target funded ("below", the whole EU).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from dashboard.config import Settings
from dashboard.context import AppContext
from dashboard.views.policy import data_funding as df
from dashboard.views.policy.selection import Selection
from pipelines.maturity import funding as fe


def pct(values, q):
    return float(np.percentile(np.asarray(values) * 1000, q))


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--data-dir", type=Path, required=True)
    p.add_argument("--runs", type=int, default=40)
    p.add_argument("--visibility", choices=("open", "consent"), default="open")
    p.add_argument("--country", default=None)
    p.add_argument("--seed", type=int, default=1)
    args = p.parse_args(argv)
    ctx = AppContext.load(Settings.from_env({"DS4E_DATA_DIR": str(args.data_dir),
                                             "DS4E_VISIBILITY": args.visibility}))
    started = time.perf_counter()
    base = df.funding_base(ctx, ctx.warehouse.snapshot())
    if base is None:
        print("nothing published, or no stored roadmaps", file=sys.stderr)
        return 1
    print(f"base (once per build): {time.perf_counter() - started:.2f} s, "
          f"{len(base.rows):,} answering municipalities")
    rng = np.random.default_rng(args.seed)
    eids = ctx.framework.element_ids
    laws = [law.id for law in ctx.framework.laws]
    sel = Selection(args.country)
    times, funded, what = [], [], []
    for _ in range(args.runs):
        items = [(str(e), int(rng.integers(2, 5))) for e in rng.choice(eids, rng.integers(1, 4),
                                                                     replace=False)]
        rule = str(rng.choice(["leverage", "readiness", "smallest", "below"]))
        kw = {}
        if rule != "below":
            if rng.random() < 0.5:
                kw["reach"] = int(rng.choice([50, 500, 5_000, 50_000]))
            else:
                kw["budget"] = float(rng.choice([1e6, 1e7, 1e8, 1e9]))
        req = df.Request(sel, fe.make_package(items, eids), rule,
                         law=str(rng.choice(laws)) if rule == "readiness" else None, **kw)
        t0 = time.perf_counter()
        a = df.what_if(ctx, req)
        times.append(time.perf_counter() - t0)
        funded.append(a.result.funded if a.result is not None else 0)
        what.append(f"{req.package.text()} {rule} {kw} -> {funded[-1]:,} funded")
    print(f"{args.runs} what-ifs over {args.country or 'the EU'} ({args.visibility}): "
          f"p50 {pct(times, 50):.1f} ms, p95 {pct(times, 95):.1f} ms, max {max(times) * 1000:.1f}"
          f" ms; funded median {int(statistics.median(funded)):,}, max {max(funded):,}")
    for i in np.argsort(times)[::-1][:3]:
        print(f"  slow: {times[i] * 1000:.0f} ms  {what[i]}")
    worst = []
    for _ in range(5):
        req = df.Request(sel, fe.parse_package("SEC-02:4,GOV-02:4,DAT-01:4", eids), "below")
        t0 = time.perf_counter()
        a = df.what_if(ctx, req)
        worst.append(time.perf_counter() - t0)
    print(f"worst case (all {a.result.funded:,} below target funded): "
          f"p50 {pct(worst, 50):.1f} ms, max {max(worst) * 1000:.1f} ms")
    return 0


if __name__ == "__main__":
    sys.exit(main())
