"""Benchmark the EU-legislation readiness engine and print the figures (not a test: nothing is asserted).

    .venv/bin/python benchmarks/bench_readiness.py             # EU demo cube if built, else random
    .venv/bin/python benchmarks/bench_readiness.py --random    # random levels, reference countries
    .venv/bin/python benchmarks/bench_readiness.py --data /tmp/eu

Targets (issue 7): readiness for all laws across all ~100k EU municipalities well under a
second; a draft-law what-if over all municipalities under 300 ms (p95).
Prints the median (min-max, p95) of repeated runs: the adapter (framework -> static inputs),
resolving every condition for every municipality, the population run (all laws), a what-if of
a composed draft law (validation included), the what-if of an existing law's edited profile,
and one municipality's explained readiness.
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
from pipelines.maturity.readiness import (
    municipality_readiness,
    population_readiness,
    readiness_inputs,
    resolve_population,
    what_if,
)
from pipelines.reference import REFERENCE_DIR, load_municipalities

DRAFT = {
    "id": "DRAFT_CYBER_BASICS",
    "name": "Draft: cyber basics for larger municipalities",
    "population_above": 10_000,
    "requirements": [
        {"element": "SEC-01", "min": 3, "deadline": "2027-06-01"},
        {"element": "SEC-02", "min": 2, "deadline": "2027-06-01"},
        {"element": "INF-04", "min": 3, "deadline": "2028-01-01"},
        {"element": "GOV-05", "min": 2, "deadline": "2027-01-01", "applies_if": "uses_ai"},
        {"element": "SEC-03", "min": 3, "deadline_ref": "nis2_date", "applies_if": "nis2_in_scope"},
        {"element": "PPL-03", "min": 3, "deadline": "2028-01-01", "status": "recommended"},
    ],
}


def timed(func, repeat: int):
    """(median, min, max, p95 wall seconds, median CPU seconds) of `repeat` calls after one
    warm-up, and the last result."""
    result = func()
    wall, cpu = [], []
    for _ in range(repeat):
        start, start_cpu = time.perf_counter(), time.process_time()
        result = func()
        wall.append(time.perf_counter() - start)
        cpu.append(time.process_time() - start_cpu)
    p95 = float(np.percentile(wall, 95))
    return statistics.median(wall), min(wall), max(wall), p95, statistics.median(cpu), result


def show(label: str, stats) -> None:
    med, lo, hi, p95, cpu, _ = stats
    print(f"{label:<62} {med * 1000:8.2f} ms   (min {lo * 1000:.2f}, max {hi * 1000:.2f}, "
          f"p95 {p95 * 1000:.2f}; CPU {cpu * 1000:.2f})", flush=True)


def load(data: Path, use_random: bool, n_elements: int):
    """(levels int8[M, E], countries str[M], population float[M], source label)."""
    ref = load_municipalities().set_index("municipality_id")
    if not use_random and (data / "warehouse" / "CURRENT").exists():
        from dashboard.store import Warehouse

        snap = Warehouse(data, REFERENCE_DIR).snapshot()
        if snap is not None:
            cube = snap.maturity
            ref = ref.reindex(cube.municipality_ids)
            return (np.ascontiguousarray(cube.levels[-1]), ref["country"].to_numpy().astype(str),
                    ref["population"].to_numpy(dtype=np.float64, na_value=np.nan),
                    f"EU demo cube {data} (wave {cube.waves[-1]})")
    rng = np.random.default_rng(0)
    m = len(ref)
    latent = rng.normal(size=(m, 1))
    levels = np.clip(np.round(1.8 + latent + 0.8 * rng.normal(size=(m, n_elements))), 0, 4).astype(np.int8)
    levels[rng.random((m, n_elements)) < 0.1] = -1
    return (levels, ref["country"].to_numpy().astype(str),
            ref["population"].to_numpy(dtype=np.float64, na_value=np.nan),
            "random levels (seed 0, 10 % unknown), reference countries and populations")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=Path("/tmp/eu"))
    parser.add_argument("--random", action="store_true")
    parser.add_argument("--repeat", type=int, default=20)
    args = parser.parse_args()

    fw = load_framework()
    at = dt.date(2026, 11, 27)
    levels, countries, population, source = load(args.data, args.random, len(fw.element_ids))
    m = levels.shape[0]
    inputs_stats = timed(lambda: readiness_inputs(fw), 5)
    inputs = inputs_stats[5]
    print(f"data: {source}; {m:,} municipalities x {len(fw.element_ids)} elements; "
          f"{len(inputs.law_ids)} laws ({len(fw.laws)} + {len(fw.adjacent)} adjacent), "
          f"{len(inputs.compiled.req_law)} requirements; evaluation date {at}; numpy {np.__version__}")
    show("adapter: framework + member states -> static inputs", inputs_stats)

    overrides = {"DE": {"nis2_local_scope": "all", "nis2_date": "2026-10-01"}}
    table_stats = timed(lambda: resolve_population(inputs, countries, population,
                                                   country_overrides=overrides), args.repeat)
    table = table_stats[5]
    show(f"resolve every condition for {m:,} municipalities", table_stats)
    pop_stats = timed(lambda: population_readiness(inputs, levels, table, at=at), args.repeat)
    show(f"population readiness: all {len(inputs.law_ids)} laws, {m:,} municipalities", pop_stats)
    horizon_stats = timed(lambda: population_readiness(inputs, levels, table, at=at, horizon_days=365),
                          args.repeat)
    show("population readiness, horizon 365 days", horizon_stats)
    print(f"{'resolve + population run (medians)':<62} {(table_stats[0] + pop_stats[0]) * 1000:8.2f} ms")

    wi_stats = timed(lambda: what_if(inputs, DRAFT, levels, table, at=at, horizon_days=730), args.repeat)
    show("what-if: composed draft law (validate + evaluate)", wi_stats)
    edited = fw.law_by_id["GDPR"].model_dump(mode="json", exclude_none=True)
    edited["id"] = "GDPR_EDIT"
    edited["requirements"][1]["min"] = 4
    show("what-if: an existing law's profile, edited (GDPR)",
         timed(lambda: what_if(inputs, edited, levels, table, at=at), args.repeat))

    rng = np.random.default_rng(1)
    wall = []
    for i in rng.choice(m, 200, replace=False):
        p = None if np.isnan(population[i]) else float(population[i])
        start = time.perf_counter()
        municipality_readiness(inputs, levels[i], country=str(countries[i]), population=p, at=at,
                               country_overrides=overrides)
        wall.append(time.perf_counter() - start)
    print(f"{'one municipality, explained (median of 200)':<62} {statistics.median(wall) * 1000:8.2f} ms")

    res = pop_stats[5]
    print("\nlegal readiness at", at, "(ready incl. nothing applicable / not ready / unknown):")
    for law_id in res.law_ids:
        s = res.summary(law_id)
        shares = (s["ready_total"] / m, s["not_ready"] / m, s["unknown"] / m)
        print(f"  {law_id:<14} " + "  ".join(f"{x:6.1%}" for x in shares))
    w = wi_stats[5]
    s = w.summary
    print(f"draft {w.law.id}: ready {s['ready']:,}, not ready {s['not_ready']:,}, unknown {s['unknown']:,}, "
          f"not applicable {s['not_applicable']:,}; most lacking: "
          + ", ".join(f"{e} ({n:,})" for e, n, _ in w.lacking()[:3]))


if __name__ == "__main__":
    main()
