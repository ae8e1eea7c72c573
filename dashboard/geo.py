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
