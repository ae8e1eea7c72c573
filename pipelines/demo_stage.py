"""Generate demo answers and stage them like any input, marked as demo."""

from __future__ import annotations

import hashlib
import io
import json
from collections.abc import Callable

import pyarrow.parquet as pq

from pipelines import demo
from pipelines.canonical import to_arrow
from pipelines.framework import load_framework
from pipelines.reference import SOURCES_DIR, load_municipalities
from pipelines.staging import (
    DataPaths,
    StagedInput,
    atomic_write_bytes,
    stage,
    staged_inputs,
    unstage,
)


def stage_demo(paths: DataPaths, *, scope: str, waves: int, seed: int,
               progress: Callable[[str], None] = lambda _m: None,
               countries: tuple[str, ...] | None = None) -> tuple[StagedInput, dict]:
    """Generate, keep the file in the inbox, replace earlier demo stages, stage the new one.
    `countries` keeps only those of the scope (a small EU sample for tests)."""
    fw = load_framework()
    table = demo.select_municipalities(load_municipalities(), scope)
    if countries:
        table = table[table["country"].isin(countries)].reset_index(drop=True)
        scope = f"{scope}-{'-'.join(sorted(countries)).lower()}"
    progress("generating answers")
    df = demo.generate_demo(table, fw, waves=waves, seed=seed,
                            index=demo.national_index(SOURCES_DIR))
    progress("writing inbox file")
    table = to_arrow(df)
    buf = io.BytesIO()
    pq.write_table(table, buf, compression="zstd")
    data = buf.getvalue()
    sha = hashlib.sha256(data).hexdigest()
    name = f"demo-{scope}-w{waves}-s{seed}.parquet"
    atomic_write_bytes(paths.inbox / name, data)
    # Demo data stand in for a survey: a new demo replaces the previous one, real inputs stay.
    for old in staged_inputs(paths):
        if old.kind == "demo" and old.sha256 != sha:
            unstage(old, paths)
    progress("staging")
    staged = stage(table, sha=sha, name=name, kind="demo", fmt="parquet", paths=paths)
    summary = demo.demo_summary(df)
    summary.setdefault("rows", len(df))
    summary["waves"] = sorted(df["wave"].astype(str).unique().tolist())
    summary["municipalities"] = int(df["municipality_id"].nunique())
    (paths.inbox / f"{name}.summary.json").write_text(json.dumps(summary, indent=1, default=str))
    return staged, summary
