"""Test helper: what the app may publish, computed independently of the app's SQL views."""

from __future__ import annotations

import numpy as np
import pandas as pd


def published_aggregates(ctx) -> pd.DataFrame:
    """The aggregates as the app may publish them, computed here in pandas from the build's
    files (not through the app's SQL view): the mart with the disclosure pattern applied. A
    suppressed area keeps its number of answering municipalities and nothing else."""
    snap = ctx.warehouse.snapshot()
    df = pd.read_parquet(snap.path / "aggregates.parquet")
    pattern = pd.read_parquet(snap.path / "disclosure.parquet")
    column = "publish_open" if ctx.settings.visibility == "open" else "publish_consent"
    p = pattern.set_index(["wave", "area_type", "area_id"])
    key = pd.MultiIndex.from_frame(df[["wave", "area_type", "area_id"]])
    publish = p[column].reindex(key, fill_value=False).to_numpy(dtype=bool)
    answered = p["n"].reindex(key, fill_value=0).to_numpy()
    show = publish & (df["n"].to_numpy() >= ctx.settings.min_group)
    df = df.assign(suppressed=~show, n=np.where(show, df["n"], answered))
    for col in ("q1", "median", "q3", "mean", "share_ge3"):
        df[col] = df[col].where(show)
    return df


def engine_peers(ctx, wave: str, row: int, target: int = 3):
    """The peer proof the roadmap uses, assembled from the build's files: the rest of the
    municipality's country x size group at the target level or higher, none where the
    disclosure pattern (consent rule) withholds that group's statistics."""
    from pipelines.maturity.peers import peer_mask
    from pipelines.maturity.roadmap import Peers

    snap = ctx.warehouse.snapshot()
    cube, attrs = snap.maturity, ctx.attributes
    peers = Peers.from_levels(cube.levels[cube.wave_index(wave)][peer_mask(attrs, row)],
                              ctx.settings.min_group, targets=target)
    pattern = pd.read_parquet(snap.path / "disclosure.parquet")
    group = pattern[(pattern["wave"] == wave) & (pattern["area_type"] == "country_size")
                    & (pattern["area_id"] == attrs.label("country_size", row))]
    if not group["publish_consent"].all():
        return Peers(np.zeros_like(peers.share), peers.count, peers.known,
                     np.ones_like(peers.suppressed), peers.at_least)
    return peers


def as_older_build(build_dir, name: str) -> None:
    """Make a build look as one made before `name` existed: the file is gone and its manifest
    lists no checksum for it (a file only deleted is damage: the server refuses the build)."""
    import json
    from pathlib import Path

    build_dir = Path(build_dir)
    (build_dir / name).unlink(missing_ok=True)
    manifest = json.loads((build_dir / "manifest.json").read_text(encoding="utf-8"))
    manifest["files"].pop(name, None)
    (build_dir / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
