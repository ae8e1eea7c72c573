"""Benchmark the data path end to end and print the figures (not a test: nothing is asserted).

    .venv/bin/python benchmarks/bench_pipeline.py            # EU scope, 3 waves (~2 minutes)
    .venv/bin/python benchmarks/bench_pipeline.py --scope nl # quick

Prints wall time and peak memory (RSS high-water mark of this process) per step: framework
load, demo generation + staging, build + publish, validation throughput, and the Overview
page's queries against the published build.
"""

from __future__ import annotations

import argparse
import resource
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from pipelines.build import build
from pipelines.demo_stage import stage_demo
from pipelines.framework import load_framework
from pipelines.ingest.validate import validate_canonical
from pipelines.reference import REFERENCE_DIR, build_index
from pipelines.staging import DataPaths


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def timed(label: str, func, *args, **kwargs):
    start = time.perf_counter()
    result = func(*args, **kwargs)
    print(f"{label:<42} {time.perf_counter() - start:8.2f} s   peak RSS {peak_mb():8.0f} MB",
          flush=True)
    return result


def validation_throughput(rows: int) -> None:
    fw = load_framework()
    index = build_index()
    rng = np.random.default_rng(0)
    ids = pd.read_parquet(REFERENCE_DIR / "municipalities.parquet")["municipality_id"].to_numpy()
    raw = pd.DataFrame({
        "municipality_id": rng.choice(ids, rows),
        "wave": "2026",
        "element_id": rng.choice(fw.element_ids, rows),
        "level": rng.choice(["0", "1", "2", "3", "4", ""], rows),
        "respondent_id": [f"r{i}" for i in range(rows)],
        "respondent_role": "CIO",
        "submitted_at": "2026-04-01T10:00:00Z",
        "confidence": "high",
        "evidence": "",
    })
    start = time.perf_counter()
    _, errors = validate_canonical(raw, file="bench.csv", index=index,
                                   element_ids=set(fw.element_ids),
                                   now=pd.Timestamp("2026-11-27", tz="UTC").to_pydatetime())
    secs = time.perf_counter() - start
    print(f"{'validate ' + format(rows, ',') + ' rows':<42} {secs:8.2f} s   "
          f"{rows / secs:,.0f} rows/s ({len(errors)} errors)")


def overview_queries(data_dir: Path) -> None:
    from dashboard.store import Warehouse

    snap = Warehouse(data_dir, REFERENCE_DIR).snapshot()
    wave = snap.waves[-1]
    for name, params in (("coverage_totals", {}), ("coverage_by_country", {"wave": wave}),
                         ("coverage_nuts2", {"wave": wave}),
                         ("coverage_municipalities", {"wave": wave, "country": "NL"})):
        snap.query(name, **params)  # warm
        start = time.perf_counter()
        for _ in range(20):
            snap.query(name, **params)
        ms = (time.perf_counter() - start) / 20 * 1000
        print(f"{'query ' + name:<42} {ms:8.1f} ms per call")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--scope", choices=("nl", "be", "eu"), default="eu")
    ap.add_argument("--waves", type=int, default=3)
    ap.add_argument("--validate-rows", type=int, default=1_000_000)
    a = ap.parse_args()

    timed("load framework", load_framework)
    with tempfile.TemporaryDirectory() as tmp:
        data = Path(tmp)
        paths = DataPaths(data).ensure()
        _, summary = timed(f"demo {a.scope} x {a.waves} waves (generate+stage)", stage_demo, paths,
                           scope=a.scope, waves=a.waves, seed=42)
        print(f"  {summary['rows']:,} answers from {summary['municipalities']:,} municipalities")
        result = timed("build + publish", build, data)
        print("  " + ", ".join(f"{k} {v:,}" for k, v in result.manifest["counts"].items()))
        size = sum(p.stat().st_size for p in result.path.iterdir()) / 1e6
        print(f"  published build: {size:.1f} MB")
        timed("rebuild, nothing changed (idempotent)", build, data)
        overview_queries(data)
    validation_throughput(a.validate_rows)


if __name__ == "__main__":
    main()
