"""Benchmark the roadmap engine and print the figures (not a test: nothing is asserted).

    .venv/bin/python benchmarks/bench_roadmap.py             # real EU demo cube if built, else random
    .venv/bin/python benchmarks/bench_roadmap.py --random    # random levels, 98,584 x 39
    .venv/bin/python benchmarks/bench_roadmap.py --data /tmp/eu

Targets (issue 6): one municipality < 5 ms, the whole population (98,584 x 39) < 1 s.
Prints the median (and min-max) of repeated runs: the law requirements per member state (the
readiness engine's resolution of every municipality's conditions, grouped into profiles), one
municipality's explained roadmap, the population run (first phase and sequenced top 9 for
everyone), leave-one-out peer proof by country and size class, leverage + first-phase counts
over all municipalities, and the build's whole roadmap step (`roadmap_build.compute`).
Countries and populations are the reference's (98,584 municipalities, cube order) in both modes.
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
from pipelines.maturity.peers import Attributes
from pipelines.maturity.roadmap import Peers, model_from_framework, requirements_for_municipalities, roadmap
from pipelines.maturity.roadmap_population import group_codes, leverage, peers_by_group, population_roadmap
from pipelines.reference import REFERENCE_DIR
from pipelines.roadmap_build import compute as build_step

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
    """(levels int8[M, E], reference rows in cube order, source label)."""
    import pandas as pd

    ref = pd.read_parquet(REFERENCE_DIR / "municipalities.parquet").set_index("municipality_id").sort_index()
    if not use_random and data is not None and (data / "warehouse" / "CURRENT").exists():
        from dashboard.store import Warehouse

        snap = Warehouse(data, REFERENCE_DIR).snapshot()
        if snap is not None:
            cube = snap.maturity
            return (np.ascontiguousarray(cube.levels[-1]), ref.reindex(cube.municipality_ids),
                    f"EU demo cube {data} (wave {cube.waves[-1]})")
    rng = np.random.default_rng(0)
    m = len(ref)
    latent = rng.normal(size=(m, 1))
    noise = rng.normal(size=(m, n_elements))
    levels = np.clip(np.round(1.8 + latent + 0.8 * noise), 0, 4).astype(np.int8)
    levels[rng.random((m, n_elements)) < 0.1] = -1
    return levels, ref, "random levels (seed 0, 10 % unknown)"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=Path("/tmp/eu"))
    parser.add_argument("--random", action="store_true")
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args()

    fw = load_framework()
    model = model_from_framework(fw)
    at = dt.date.today()
    levels, ref, source = load_levels(args.data, args.random, model.size)
    m = levels.shape[0]
    attrs = Attributes.from_columns(ref["country"], ref["nuts2"], ref["size_class"])
    group = group_codes(attrs)
    countries = attrs.country_labels[attrs.country]  # as the build passes them
    population = ref["population"].to_numpy(dtype=np.float64, na_value=np.nan)
    print(f"data: {source}; {m:,} municipalities x {model.size} elements; "
          f"evaluation date {at}; numpy {np.__version__}")

    laws_stats = timed(lambda: requirements_for_municipalities(fw, at, countries, population), 3)
    laws = laws_stats[4]
    req, profile = laws.requirements, laws.index
    show(f"law requirements per member state ({len(set(countries))} countries -> {req.profiles} profiles)",
         laws_stats)
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
    show("build step: law profiles + peers + population run",
         timed(lambda: build_step(fw, levels, attrs, at, population=population), 3))
    firsts = pop.first_step_counts()
    top = np.argsort(-firsts, kind="stable")[:3]
    print("most frequent first step: " + ", ".join(f"{model.element_ids[j]} ({firsts[j]:,})" for j in top))


if __name__ == "__main__":
    main()
