"""Benchmark the roadmap engine and print the figures (not a test: nothing is asserted).

    .venv/bin/python benchmarks/bench_roadmap.py             # real EU demo cube if built, else random
    .venv/bin/python benchmarks/bench_roadmap.py --random    # random levels, 98,584 x 39
    .venv/bin/python benchmarks/bench_roadmap.py --data /tmp/eu

Targets (issue 6): one municipality < 5 ms, the whole population (98,584 x 39) < 1 s.
Prints the median (and min-max) of repeated runs: one municipality's explained roadmap, the
population run (first phase and sequenced top 9 for everyone), leave-one-out peer proof by
country and size class, and leverage + first-phase counts over all municipalities.
"""

from __future__ import annotations

import argparse
import datetime as dt
import statistics
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from pipelines.framework import load_framework
from pipelines.maturity.roadmap import Peers, model_from_framework, requirements_from_framework, roadmap
from pipelines.maturity.roadmap_population import leverage, peers_by_group, population_roadmap

M_EU = 98_584


def timed(func, repeat: int) -> tuple[float, float, float, float, object]:
    """(median, min, max wall seconds, median CPU seconds of this process) of `repeat` calls
    after one warm-up, and the last result. CPU time shows the work when the machine is shared
    (wall time then includes waiting for a core)."""
    result = func()
    wall, cpu = [], []
    for _ in range(repeat):
        start, start_cpu = time.perf_counter(), time.process_time()
        result = func()
        wall.append(time.perf_counter() - start)
        cpu.append(time.process_time() - start_cpu)
    return statistics.median(wall), min(wall), max(wall), statistics.median(cpu), result


def show(label: str, stats) -> None:
    med, lo, hi, cpu, _ = stats
    print(f"{label:<58} {med * 1000:9.2f} ms   (min {lo * 1000:.2f}, max {hi * 1000:.2f}; "
          f"CPU {cpu * 1000:.2f})", flush=True)


def load_levels(data: Path | None, use_random: bool, n_elements: int):
    """(levels int8[M, E], peer-group codes int[M], country codes int[M], source label)."""
    if not use_random and data is not None and (data / "warehouse" / "CURRENT").exists():
        import pandas as pd

        from dashboard.store import Warehouse
        from pipelines.maturity.peers import Attributes
        from pipelines.maturity.roadmap_population import group_codes
        from pipelines.reference import REFERENCE_DIR

        snap = Warehouse(data, REFERENCE_DIR).snapshot()
        if snap is not None:
            cube = snap.maturity
            ref = pd.read_parquet(REFERENCE_DIR / "municipalities.parquet").set_index("municipality_id")
            ref = ref.reindex(cube.municipality_ids)
            attrs = Attributes.from_columns(ref["country"], ref["nuts2"], ref["size_class"])
            return (np.ascontiguousarray(cube.levels[-1]), group_codes(attrs),
                    attrs.country.astype(np.int64), f"EU demo cube {data} (wave {cube.waves[-1]})")
    rng = np.random.default_rng(0)
    latent = rng.normal(size=(M_EU, 1))
    noise = rng.normal(size=(M_EU, n_elements))
    levels = np.clip(np.round(1.8 + latent + 0.8 * noise), 0, 4).astype(np.int8)
    levels[rng.random((M_EU, n_elements)) < 0.1] = -1
    group = rng.integers(0, 150, M_EU)
    return levels, group, group % 35, "random levels (seed 0, 10 % unknown)"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=Path("/tmp/eu"))
    parser.add_argument("--random", action="store_true")
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args()

    fw = load_framework()
    model = model_from_framework(fw)
    at = dt.date.today()
    levels, group, profile, source = load_levels(args.data, args.random, model.size)
    m = levels.shape[0]
    # one applicability profile per country; NIS2 in scope in every other one (illustrative)
    n_countries = int(profile.max()) + 1
    profiles = [{"nis2_in_scope": c % 2 == 0, "nis2_date": "2025-10-18"} for c in range(n_countries)]
    print(f"data: {source}; {m:,} municipalities x {model.size} elements; "
          f"evaluation date {at}; numpy {np.__version__}")

    show(f"adapter: framework -> model + requirements ({n_countries} profiles)",
         timed(lambda: (model_from_framework(fw), requirements_from_framework(fw, at, profiles)), 3))
    req = requirements_from_framework(fw, at, profiles)
    peers_stats = timed(lambda: peers_by_group(levels, group), args.repeat)
    show("peer proof, leave-one-out by group (all municipalities)", peers_stats)
    peers = peers_stats[4]

    rng = np.random.default_rng(1)
    sample = rng.choice(m, 500, replace=False)
    wall, cpu = [], []
    for i in sample:
        p = Peers(peers.share[i], peers.count[i], peers.known[i], peers.suppressed[i])
        roadmap(model, levels[i], requirements=req, profile=int(profile[i]), peers=p)
        start, start_cpu = time.perf_counter(), time.process_time()
        roadmap(model, levels[i], requirements=req, profile=int(profile[i]), peers=p)
        wall.append(time.perf_counter() - start)
        cpu.append(time.process_time() - start_cpu)
    show("one municipality: explained roadmap, 3 x 3 (median of 500)",
         (statistics.median(wall), min(wall), max(wall), statistics.median(cpu), None))

    pop_stats = timed(lambda: population_roadmap(model, levels, requirements=req, profile=profile,
                                                 peers=peers), args.repeat)
    show(f"whole population: sequenced top 9 ({m:,} municipalities)", pop_stats)
    pop = pop_stats[4]
    show("leverage + first-phase counts (all municipalities)",
         timed(lambda: leverage(model, levels, result=pop), args.repeat))
    total = pop_stats[0] + peers_stats[0]
    print(f"{'population run + peer proof (medians)':<58} {total * 1000:9.2f} ms")
    firsts = pop.first_step_counts()
    top = np.argsort(-firsts, kind="stable")[:3]
    print("most frequent first step: " + ", ".join(f"{model.element_ids[j]} ({firsts[j]:,})" for j in top))


if __name__ == "__main__":
    main()
