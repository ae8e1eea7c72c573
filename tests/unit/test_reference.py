"""Tests for the municipality reference data (pipelines/reference.py, data/reference/)."""

from __future__ import annotations

import gzip
import json

import pandas as pd
import pytest

from pipelines import reference as ref

# The five Dutch municipalities created after the LAU 2020 list, and the NUTS 3 region of the
# municipalities they merged (all in one region each).
NL_NEW = {"GM1979": "NL112", "GM1980": "NL328", "GM1982": "NL413", "GM1991": "NL413",
          "GM1992": "NL33C"}


@pytest.fixture(scope="module")
def stored() -> pd.DataFrame:
    return ref.load_municipalities()


@pytest.fixture(scope="module")
def rebuilt() -> pd.DataFrame:
    return ref.build_municipalities(ref.SOURCES_DIR)


@pytest.fixture(scope="module")
def index(stored: pd.DataFrame) -> ref.MunicipalityIndex:
    return ref.build_index(stored)


@pytest.fixture(scope="module")
def lau() -> pd.DataFrame:
    return ref.read_lau(ref.SOURCES_DIR)


def row(table: pd.DataFrame, municipality_id: str) -> pd.Series:
    hits = table[table["municipality_id"] == municipality_id]
    assert len(hits) == 1, municipality_id
    return hits.iloc[0]


# ---- the stored table -------------------------------------------------------------------------


def test_rebuild_from_sources_equals_stored_parquet(stored, rebuilt):
    pd.testing.assert_frame_equal(rebuilt, stored)


def test_columns_and_order(stored):
    assert tuple(stored.columns) == ref.COLUMNS
    assert stored["municipality_id"].is_monotonic_increasing
    assert str(stored["population"].dtype) == "Int64"


def test_country_counts(stored, lau):
    counts = stored["country"].value_counts()
    assert counts["NL"] == 342
    assert counts["BE"] == 565
    assert set(counts.index) == {c.code for c in ref.COUNTRIES}
    others = lau[~lau["country"].isin(["NL", "BE"])]
    assert len(stored) == len(others) + 342 + 565
    assert 98_000 < len(stored) < 99_000


def test_ids_unique_and_match_country(stored):
    assert stored["municipality_id"].is_unique
    assert (stored["municipality_id"].str[:3] == stored["country"] + "_").all()
    assert (stored["municipality_id"] == stored["country"] + "_" + stored["national_code"]).all()


def test_every_municipality_has_country_and_nested_nuts(stored):
    for col in ("country", "nuts1", "nuts2", "nuts3", "name", "size_class", "source"):
        assert not (stored[col].isna() | (stored[col] == "")).any(), col
    # The table uses Eurostat country codes (EL, UK), the same as NUTS, so no exceptions are
    # needed; Mount Athos (ELZZZ, extra-regio) is kept and nests too.
    assert (stored["nuts2"].str[:2] == stored["country"]).all()
    assert (stored["nuts1"] == stored["nuts2"].str[:3]).all()
    assert (stored["nuts3"].str[:4] == stored["nuts2"]).all()
    athos = row(stored, "EL_99010000")
    assert (athos["nuts1"], athos["nuts2"], athos["nuts3"]) == ("ELZ", "ELZZ", "ELZZZ")


def test_every_nuts_code_is_in_nuts_regions(stored):
    nuts = pd.read_csv(ref.REFERENCE_DIR / ref.NUTS_REGIONS_FILE, dtype={"nuts_id": str},
                       keep_default_na=False)
    assert nuts["nuts_id"].is_unique
    for level in (1, 2, 3):
        known = set(nuts.loc[nuts["level"] == level, "nuts_id"])
        assert set(stored[f"nuts{level}"]) <= known, level
    assert not nuts.set_index("nuts_id").loc["ELZZZ", "has_geometry"]
    assert nuts.set_index("nuts_id").loc["NL329", "name"] == "Groot-Amsterdam"


def test_countries_file(stored):
    countries = pd.read_csv(ref.REFERENCE_DIR / ref.COUNTRIES_FILE, keep_default_na=False)
    assert len(countries) == 35 and countries["code"].is_unique
    names = countries.set_index("code")
    assert names.loc["EL", "name_en"] == "Greece" and names.loc["EL", "name_nl"] == "Griekenland"
    assert names.loc["UK", "name_nl"] == "Verenigd Koninkrijk" and names.loc["UK", "iso3"] == "GBR"
    assert int(names["eu_member"].sum()) == 27
    assert set(stored["country"]) == set(countries["code"])


def test_sources_by_country(stored):
    assert set(stored.loc[stored["country"] == "NL", "source"]) == {"cbs_2023"}
    assert set(stored.loc[stored["country"] == "BE", "source"]) == {"statbel_2025"}
    assert set(stored.loc[~stored["country"].isin(["NL", "BE"]), "source"]) == {"eu_lau_2020"}


# ---- Netherlands --------------------------------------------------------------------------------


def test_amsterdam(stored):
    ams = row(stored, "NL_GM0363")
    assert ams["name"] == "Amsterdam"
    assert ams["national_code"] == "GM0363"
    assert 800_000 < ams["population"] < 1_200_000
    assert ams["population_year"] == 2023
    assert ams["size_class"] == "ge250k"
    assert ams["nuts3"] == "NL329"
    assert 4.7 < ams["lon"] < 5.1 and 52.2 < ams["lat"] < 52.5


def test_nl_population_total_is_2023(stored):
    total = stored.loc[stored["country"] == "NL", "population"].sum()
    assert 17_500_000 < total < 18_200_000


def test_nl_merged_municipalities_get_nuts_from_polygon(stored):
    for code, nuts3 in NL_NEW.items():
        r = row(stored, f"NL_{code}")
        assert r["coord_source"] == "polygon_centroid"
        assert r["nuts3"] == nuts3, code
    assert (stored.loc[stored["country"] == "NL", "coord_source"] == "polygon_centroid").sum() == 5


def test_nl_polygon_nuts_agrees_with_former_municipalities(stored, lau):
    """Cross-check the polygon method: vanished 2020 municipalities whose population centre lies
    inside a new municipality must have that municipality's NUTS 3."""
    with gzip.open(ref.SOURCES_DIR / ref.NL_GEOJSON_FILE, "rt", encoding="utf-8") as f:
        shapes = {feat["id"]: feat["geometry"] for feat in json.load(f)["features"]}
    current = set(stored.loc[stored["country"] == "NL", "national_code"])
    vanished = lau[(lau["country"] == "NL") & ~lau["lau_id"].isin(current)]
    checked = 0
    for old in vanished.itertuples():
        for code, nuts3 in NL_NEW.items():
            if ref.point_in_geometry(old.pop_centre_lon, old.pop_centre_lat, shapes[code]):
                assert old.nuts_3 == nuts3, (old.lau_name, code)
                checked += 1
    assert checked == 15  # of the 18 vanished 2020 municipalities, 15 merged into the five


def test_nl_points_lie_in_their_municipality(stored):
    with gzip.open(ref.SOURCES_DIR / ref.NL_GEOJSON_FILE, "rt", encoding="utf-8") as f:
        shapes = {feat["id"]: feat["geometry"] for feat in json.load(f)["features"]}
    nl = stored[stored["country"] == "NL"]
    outside = [r.national_code for r in nl.itertuples()
               if not ref.point_in_geometry(r.lon, r.lat, shapes[r.national_code])]
    assert outside == []


# ---- Belgium ------------------------------------------------------------------------------------


def test_be_population_total_and_regions(stored):
    be = stored[stored["country"] == "BE"]
    assert be["population"].sum() == 11_492_641
    assert set(be["population_year"]) == {2020}
    assert (be["nuts1"].value_counts().to_dict()) == {"BE2": 285, "BE3": 261, "BE1": 19}


def test_be_merger_uses_largest_former_municipality(stored):
    # Beveren (BE236) + Kruibeke (BE236) + Zwijndrecht (BE211, province of Antwerp)
    bkz = row(stored, "BE_46030")
    assert bkz["nuts3"] == "BE236"
    assert bkz["coord_source"] == "former_municipalities"
    antwerpen = row(stored, "BE_11002")  # Antwerpen absorbed Borsbeek in 2025
    assert antwerpen["population"] > 530_000
    assert antwerpen["coord_source"] == "former_municipalities"


def test_be_names_follow_the_local_language(stored):
    assert tuple(row(stored, "BE_11002")[["name", "name_alt"]]) == ("Antwerpen", "Anvers")
    assert tuple(row(stored, "BE_62063")[["name", "name_alt"]]) == ("Liège", "Luik")
    assert tuple(row(stored, "BE_21004")[["name", "name_alt"]]) == ("Brussel", "Bruxelles")
    assert tuple(row(stored, "BE_63067")[["name", "name_alt"]]) == ("Sankt Vith", "Saint-Vith")
    assert tuple(row(stored, "BE_71072")[["name", "name_alt"]]) == ("Hasselt", "")


# ---- size classes -------------------------------------------------------------------------------


@pytest.mark.parametrize(("population", "expected"), [
    (0, "lt5k"), (4_999, "lt5k"), (5_000, "5k-20k"), (19_999, "5k-20k"), (20_000, "20k-50k"),
    (49_999, "20k-50k"), (50_000, "50k-100k"), (99_999, "50k-100k"), (100_000, "100k-250k"),
    (249_999, "100k-250k"), (250_000, "ge250k"), (3_700_000, "ge250k"),
    (None, "unknown"), (float("nan"), "unknown"), (pd.NA, "unknown"),
])
def test_size_class_edges(population, expected):
    assert ref.size_class(population) == expected


def test_size_class_vectorised_matches_scalar():
    pops = pd.Series([0, 4_999, 5_000, 250_000, None, 99_999], dtype="Int64")
    assert ref.size_classes(pops).tolist() == [ref.size_class(p) for p in pops]


def test_size_class_rejects_negative():
    with pytest.raises(ValueError):
        ref.size_class(-1)


def test_size_class_labels():
    assert [c.key for c in ref.SIZE_CLASSES] == list(ref.SIZE_CLASS_KEYS[:-1])
    assert ref.size_class_label("lt5k", "nl") == "< 5.000 inwoners"
    assert ref.size_class_label("lt5k", "en") == "< 5,000 inhabitants"
    assert ref.size_class_label("unknown", "en") == "population unknown"
    with pytest.raises(KeyError):
        ref.size_class_label("huge")


def test_size_class_column_matches_population(stored):
    assert (stored["size_class"] == ref.size_classes(stored["population"])).all()
    assert (stored["size_class"] == "unknown").sum() == stored["population"].isna().sum()


# ---- resolving codes ----------------------------------------------------------------------------


@pytest.mark.parametrize(("code", "country", "expected"), [
    ("GM0363", "NL", "NL_GM0363"),
    ("0363", "NL", "NL_GM0363"),
    (363, "NL", "NL_GM0363"),
    ("nl_gm0363", None, "NL_GM0363"),
    ("  NL_GM0363 ", "nl", "NL_GM0363"),
    ("GM0363", None, "NL_GM0363"),
    ("11002", "BE", "BE_11002"),
    (11002, "be", "BE_11002"),
    ("BE_11002", None, "BE_11002"),
    ("01001000", "DE", "DE_01001000"),
    ("1001000", "DE", "DE_01001000"),  # leading zero lost in a spreadsheet
    ("500011", "CZ", "CZ_500011"),  # the same code exists in CZ and SK
    ("500011", "SK", "SK_500011"),
    ("E06000001", "GB", "UK_E06000001"),  # ISO alias
    ("99010000", "GR", "EL_99010000"),
])
def test_resolve(index, code, country, expected):
    assert ref.resolve_municipality_id(code, country, index) == expected


def test_resolve_with_dataframe(stored):
    assert ref.resolve_municipality_id("GM0363", "NL", stored) == "NL_GM0363"


@pytest.mark.parametrize(("code", "country"), [
    ("GM9999", "NL"), ("9999", "NL"), ("11002", "NL"), ("11002", None), ("500011", None),
    ("NL_GM0363", "BE"), ("123", "XX"), ("", "NL"), ("NL_GM9999", None),
])
def test_resolve_unknown_raises_naming_the_code(index, code, country):
    with pytest.raises(ref.UnknownMunicipality) as err:
        ref.resolve_municipality_id(code, country, index)
    assert repr(code) in str(err.value)
    assert isinstance(err.value, ValueError)
    if country:
        assert country.upper() in str(err.value)


def test_resolve_many(index):
    got = ref.resolve_many(["GM0363", "0363", "nl_gm0014", "11002"], ["NL", "NL", None, "BE"],
                           index)
    assert got.tolist() == ["NL_GM0363", "NL_GM0363", "NL_GM0014", "BE_11002"]
    keyed = pd.Series(["11002", "21004"], index=[10, 20])
    assert ref.resolve_many(keyed, "BE", index).to_dict() == {10: "BE_11002", 20: "BE_21004"}


def test_resolve_many_unknowns(index):
    with pytest.raises(ref.UnknownMunicipality) as err:
        ref.resolve_many(["GM0363", "GM9998", "GM9999"], "NL", index)
    assert "'GM9998'" in str(err.value) and "'GM9999'" in str(err.value)
    assert len(err.value.unknown) == 2
    got = ref.resolve_many(["GM0363", "GM9999"], "NL", index, errors="coerce")
    assert got.iloc[0] == "NL_GM0363" and pd.isna(got.iloc[1])
    with pytest.raises(ValueError):
        ref.resolve_many(["GM0363"], ["NL", "NL"], index)


def test_resolve_many_round_trips_whole_table(stored, index):
    got = ref.resolve_many(stored["national_code"], stored["country"], index)
    assert (got == stored["municipality_id"]).all()


# ---- geometry helpers ---------------------------------------------------------------------------

SQUARE_WITH_HOLE = {"type": "Polygon", "coordinates": [
    [[0, 0], [4, 0], [4, 4], [0, 4], [0, 0]],
    [[1, 1], [1, 2], [2, 2], [2, 1], [1, 1]],
]}


def test_point_in_polygon_respects_holes():
    assert ref.point_in_geometry(3, 3, SQUARE_WITH_HOLE)
    assert not ref.point_in_geometry(1.5, 1.5, SQUARE_WITH_HOLE)
    assert not ref.point_in_geometry(5, 1, SQUARE_WITH_HOLE)
    multi = {"type": "MultiPolygon", "coordinates": [SQUARE_WITH_HOLE["coordinates"],
                                                      [[[10, 10], [11, 10], [11, 11], [10, 10]]]]}
    assert ref.point_in_geometry(10.8, 10.5, multi)


def test_polygon_centroid_subtracts_holes():
    square = {"type": "Polygon", "coordinates": [[[0, 0], [2, 0], [2, 2], [0, 2], [0, 0]]]}
    assert ref.polygon_centroid(square) == pytest.approx((1.0, 1.0))
    lon, lat = ref.polygon_centroid(SQUARE_WITH_HOLE)
    # 16 - 1 area; the hole at (1.5, 1.5) pulls the centroid away: (16*2 - 1.5) / 15
    assert (lon, lat) == pytest.approx((30.5 / 15, 30.5 / 15))


def test_locate_region_falls_back_to_nearest():
    regions = [("A", SQUARE_WITH_HOLE),
               ("B", {"type": "Polygon", "coordinates": [[[10, 0], [12, 0], [12, 2], [10, 0]]]})]
    assert ref.locate_region(3, 3, regions) == "A"
    assert ref.locate_region(4.1, 3, regions) == "A"  # just outside A, far from B
    assert ref.locate_region(9.9, 0.1, regions) == "B"
