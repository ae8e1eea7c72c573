"""Maps & regions: the map's geometry per level and country. The browser fetches it once per
level and country as a file (dashboard/geo_files.py: the figure holds its URL); a recolour sends
values only."""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
import pandas as pd

from dashboard import geo, geo_files
from dashboard.components.maps import VIEWS
from dashboard.components.places import nuts_names
from dashboard.context import AppContext
from dashboard.views.maps.data import cached
from pipelines.maturity.regional import fit_view

# Countries whose municipalities have real boundaries in the reference data.
BOUNDARIES = {"NL": geo.NL_MUNICIPALITIES}


@dataclass(frozen=True)
class Geometry:
    kind: str  # "choropleth" or "points"
    area_type: str | None  # "nuts2"/"nuts3" for regional maps, None for municipal maps
    locations: list[str]
    names: list[str]
    rows: np.ndarray | None  # cube rows of municipal locations
    geojson: dict | None
    lon: np.ndarray | None
    lat: np.ndarray | None
    view: dict
    uirevision: str
    no_points: bool = False  # a country without municipal points, shown by NUTS 3
    outline: dict | None = None  # region borders drawn under points
    geojson_url: str | None = None  # where the browser fetches `geojson` (geo_files)
    outline_url: str | None = None  # ... and `outline`


SOURCE = "maps"  # geo_files source: keys "nuts2", "nuts3", "country-NL", "outline-DE"


def file_key(level: str, country: str, outline: bool = False) -> str:
    if outline:
        return f"outline-{country}"
    return level if level in ("nuts2", "nuts3") else f"country-{country}"


def geo_source(ctx: AppContext, key: str) -> dict | None:
    """The GeoJSON a `file_key` names (geo_files source), or None for an unknown key."""
    kind, _, country = key.partition("-")
    if kind in ("nuts2", "nuts3") and not country:
        return geometry(ctx, kind, "").geojson
    if kind not in ("country", "outline") or country not in _country_codes(ctx):
        return None
    geom = geometry(ctx, "country", country)
    return geom.outline if kind == "outline" else geom.geojson


def _country_codes(ctx: AppContext) -> set[str]:
    return cached(("geo-codes", str(ctx.settings.reference_dir)),
                  lambda: set(ctx.municipalities["country"].unique().tolist()))


def geometry(ctx: AppContext, level: str, country: str) -> Geometry:
    """The geometry of a map level (and country), with the URLs of its files."""
    country = country if level == "country" else ""
    key = ("geom", str(ctx.settings.reference_dir), level, country)
    return cached(key, lambda: _with_urls(ctx, _geometry(ctx, level, country), level, country))


def _with_urls(ctx: AppContext, geom: Geometry, level: str, country: str) -> Geometry:
    return replace(
        geom,
        geojson_url=geo_files.url(ctx, SOURCE, file_key(level, country), geom.geojson)
        if geom.geojson is not None else None,
        outline_url=geo_files.url(ctx, SOURCE, file_key(level, country, outline=True),
                                  geom.outline) if geom.outline is not None else None)


def _nuts_geometry(ctx: AppContext, area_type: str, country: str | None) -> Geometry:
    ref = ctx.settings.reference_dir
    m = ctx.municipalities
    used = m.loc[m["country"] == country, area_type] if country else m[area_type]
    level = int(area_type[-1])
    gj = geo.slim(ref, geo.NUTS_LEVEL.format(level=level), frozenset(used.unique()))
    locations = [f["id"] for f in gj["features"]]
    names = nuts_names(ref)
    view = VIEWS["eu"]
    if country:
        coords = np.array([pt for f in gj["features"] for pt in _points_of(f["geometry"])])
        view = fit_view(coords[:, 0], coords[:, 1], width=1000)
    return Geometry("choropleth", area_type, locations,
                    [f"{names.get(i, i)} ({i})" for i in locations], None, gj, None, None, view,
                    f"{area_type}:{country or 'EU'}", no_points=bool(country))


def _points_of(geometry: dict):
    polys = geometry["coordinates"] if geometry["type"] == "MultiPolygon" else [
        geometry["coordinates"]]
    for poly in polys:
        yield from poly[0]


def _geometry(ctx: AppContext, level: str, country: str) -> Geometry:
    # texts of a country's rows are taken with .iloc: .to_numpy() first turned the whole
    # Arrow column (98,584 names at EU) into Python strings, 11 ms per column and country
    if level in ("nuts2", "nuts3"):
        return _nuts_geometry(ctx, level, None)
    m = ctx.municipalities
    in_country = (m["country"] == country).to_numpy()
    if country in BOUNDARIES:
        gj = geo.slim(ctx.settings.reference_dir, BOUNDARIES[country])
        locations = [f["id"] for f in gj["features"]]
        index = pd.Index(m["municipality_id"])
        rows = index.get_indexer([f"{country}_{code}" for code in locations])
        keep = rows >= 0
        gj = {"type": "FeatureCollection",
              "features": [f for f, k in zip(gj["features"], keep, strict=True) if k]}
        locations = [loc for loc, k in zip(locations, keep, strict=True) if k]
        rows = rows[keep]
        coords = np.array([pt for f in gj["features"] for pt in _points_of(f["geometry"])])
        view = fit_view(coords[:, 0], coords[:, 1], width=1000)
        return Geometry("choropleth", None, locations, m["name"].iloc[rows].tolist(),
                        rows, gj, None, None, view, f"country:{country}")
    has_point = in_country & m["lon"].notna().to_numpy() & m["lat"].notna().to_numpy()
    rows = np.flatnonzero(has_point)
    if not len(rows):
        return _nuts_geometry(ctx, "nuts3", country)
    lon = m["lon"].to_numpy()[rows]
    lat = m["lat"].to_numpy()[rows]
    outline = geo.slim(ctx.settings.reference_dir, geo.NUTS_LEVEL.format(level=2),
                       frozenset(m.loc[in_country, "nuts2"].unique()), decimals=3)
    return Geometry("points", None, m["municipality_id"].iloc[rows].tolist(),
                    m["name"].iloc[rows].tolist(), rows, None, lon, lat,
                    fit_view(lon, lat, width=1000), f"country:{country}", outline=outline)


