"""Shipped boundaries for offline maps (no tile server, no CDN), read once per process."""

from __future__ import annotations

import gzip
import json
from functools import cache
from pathlib import Path

NL_MUNICIPALITIES = "nl_gemeenten_2023.geojson.gz"
NUTS_LEVEL = "nuts2021_20m_4326_levl{level}.geojson.gz"


@cache
def load_geojson(reference_dir: Path, name: str) -> dict:
    with gzip.open(Path(reference_dir) / "sources" / name, "rt", encoding="utf-8") as fh:
        return json.load(fh)


def nl_municipalities(reference_dir: Path) -> dict:
    """CBS 2023 municipal boundaries; feature id = GM code."""
    return load_geojson(reference_dir, NL_MUNICIPALITIES)


def nuts(reference_dir: Path, level: int) -> dict:
    """GISCO NUTS 2021 regions at 1:20M; feature property NUTS_ID."""
    return load_geojson(reference_dir, NUTS_LEVEL.format(level=level))


def _round_coords(coords, decimals: int):
    if coords and isinstance(coords[0], (int, float)):
        return [round(c, decimals) for c in coords]
    return [_round_coords(c, decimals) for c in coords]


@cache
def slim(reference_dir: Path, name: str, keep: frozenset[str] | None = None,
         decimals: int = 4) -> dict:
    """A smaller copy for the browser: only `id` and geometry (coordinates rounded to `decimals`,
    about 10 m at 4), and only the features whose id is in `keep` (all when None)."""
    features = [{"type": "Feature", "id": f["id"],
                 "geometry": {"type": f["geometry"]["type"],
                              "coordinates": _round_coords(f["geometry"]["coordinates"], decimals)}}
                for f in load_geojson(reference_dir, name)["features"]
                if keep is None or f["id"] in keep]
    return {"type": "FeatureCollection", "features": features}
