"""eGovernment Benchmark 2023 city websites: provider names -> municipalities, shares of yes."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from pipelines.egov_local import (
    MEASURES,
    PROVIDERS_FILE,
    SOURCE_FILE,
    EgovLocal,
    load_curated,
    map_providers,
    match_provider,
    measure_scores,
    name_keys,
    provider_key,
    provider_place,
)
from pipelines.reference import MUNICIPALITIES_FILE, REFERENCE_DIR, load_municipalities


@pytest.fixture(scope="module")
def table():
    return load_municipalities(REFERENCE_DIR / MUNICIPALITIES_FILE)


@pytest.fixture(scope="module")
def local():
    raw = pd.read_csv(REFERENCE_DIR / SOURCE_FILE, dtype=str)
    return raw[raw["government_level"] == "local"].reset_index(drop=True)


@pytest.fixture(scope="module")
def curated_frame():
    return pd.read_csv(REFERENCE_DIR / PROVIDERS_FILE, dtype=str, keep_default_na=False)


@pytest.mark.parametrize(("provider", "place"), [
    ("Gemeente Utrecht", "utrecht"),
    ("Utrecht Municipality", "utrecht"),
    ("Stad Gent", "gent"),
    ("Stad Antwerpen (Antwerpen.be)", "antwerpen"),
    ("Ville de Liège", "liege"),
    ("City\xa0of\xa0Paris", "paris"),
    ("Stadsbestuur Mechelen", "mechelen"),
    ("Hôtel communal de Schaerbeek", "schaerbeek"),
    ("Administration communale d'Anderlecht", "anderlecht"),
    ("Oslo kommune", "oslo"),
    ("Köln, Stadt", "koln"),
    ("Bergen", "bergen"),
    ("Stad", "stad"),
])
def test_provider_place(provider, place):
    assert provider_place(provider) == place


def test_match_provider_on_a_small_table():
    small = pd.DataFrame({
        "municipality_id": ["NL_GM0344", "BE_44021", "BE_11002", "DE_1", "DE_2", "DE_3", "PT_1"],
        "country": ["NL", "BE", "BE", "DE", "DE", "DE", "PT"],
        "name": ["Utrecht", "Gent", "Antwerpen", "Frankfurt am Main, Stadt",
                 "Frankfurt (Oder), Stadt", "Kleindorf", "Lisboa"],
        "name_alt": ["", "Gand", "Anvers", "", "", "", ""],
        "population": [367_947, 263_927, 540_196, 763_380, 57_015, 300, 500_000]})
    keys = name_keys(small)
    pop = small["population"].to_numpy()
    assert match_provider("Gemeente Utrecht", "NL", keys, pop) == 0
    assert match_provider("Ville de Gand", "BE", keys, pop) == 1
    assert match_provider("Utrecht Municipality", "BE", keys, pop) is None  # other country
    assert match_provider("Frankfurt (Oder)", "DE", keys, pop) == 4
    assert match_provider("Kleindorf", "DE", keys, pop) is None  # too small to be assessed
    assert match_provider("OCMW Gent", "BE", keys, pop) is None
    assert match_provider("Lisboa", "PT", keys, pop) is None  # PT LAU = parishes: never
    assert match_provider("", "NL", keys, pop) is None


def test_curated_table_matches_the_reference(table, curated_frame):
    """Every curated id exists, lies in the provider's country, and no provider repeats."""
    ids = table.set_index("municipality_id")["country"]
    mapped = curated_frame[curated_frame["municipality_id"] != ""]
    assert mapped["municipality_id"].isin(ids.index).all()
    assert (ids.loc[mapped["municipality_id"]].to_numpy() == mapped["country"].to_numpy()).all()
    keys = [(c, provider_key(p)) for p, c in zip(curated_frame["provider"],
                                                  curated_frame["country"], strict=True)]
    assert len(keys) == len(set(keys))
    assert list(curated_frame.columns) == ["provider", "country", "municipality_id"]


def test_every_dutch_and_belgian_local_provider_is_curated(local, curated_frame):
    curated = load_curated(REFERENCE_DIR / PROVIDERS_FILE)
    nl_be = local[local["country"].isin(["NL", "BE"])]
    missing = {(c, p) for p, c in zip(nl_be["service_provider"], nl_be["country"], strict=True)
               if (c, provider_key(p)) not in curated}
    assert not missing
    # the 16 largest Dutch cities, under both spellings
    nl = curated_frame[curated_frame["country"] == "NL"]
    assert nl["municipality_id"].nunique() == 16 and (nl["municipality_id"] != "").all()


def test_rule_and_curation_agree(table, local):
    """Where the automatic rule finds a municipality for a curated NL/BE provider, it is the
    curated one (the table adds what the rule misses; it never contradicts it)."""
    curated = load_curated(REFERENCE_DIR / PROVIDERS_FILE)
    keys = name_keys(table)
    pop = table["population"].fillna(0).to_numpy(dtype=float)
    ids = table["municipality_id"].to_numpy()
    for (country, key), mid in curated.items():
        if country not in ("NL", "BE") or mid is None:
            continue
        provider = local.loc[local["service_provider"].map(provider_key) == key,
                             "service_provider"].iloc[0]
        row = match_provider(provider, country, keys, pop)
        assert row is None or ids[row] == mid, provider


def test_mapping(table, local):
    curated = load_curated(REFERENCE_DIR / PROVIDERS_FILE)
    ids = map_providers(local, table, curated)
    by = dict(zip(local["service_provider"], ids, strict=True))
    assert by["Gemeente Utrecht"] == by["Utrecht Municipality"] == "NL_GM0344"
    assert by["Stad Gent"] == "BE_44021"
    assert by["Ville de Bruxelles"] == by["Brussels"] == "BE_21004"
    assert by["OCMW Gent"] is None and by["UZ Leuven"] is None
    assert by["City of Paris"] == "FR_75056"
    assert by["City of Frankfurt"] == "DE_06412000"  # not Frankfurt (Oder)
    assert ids.notna().mean() > 0.5


def test_measure_scores():
    rows = pd.DataFrame({
        "q_a1_x": [1, 1, np.nan], "q_a2_x": [0, 1, 1], "q_a3_x": [np.nan] * 3,
        **{f"q_c{i}_x": [np.nan] * 3 for i in range(1, 10)},
        "q_f2_x": [1, 0, 0], "q_f3_x": [np.nan] * 3, "q_f4_x": [np.nan] * 3,
        "q_f7_1_x": [np.nan] * 3, "q_f7_2_x": [np.nan] * 3, "q_f9_x": [np.nan] * 3,
        "mobile_friendliness": [1, 1, 0]})
    df = measure_scores(rows).set_index("measure")
    assert list(df.index) == [m.key for m in MEASURES]
    assert (df.loc["online", "yes"], df.loc["online", "answers"]) == (4, 5)
    assert df.loc["online", "share"] == pytest.approx(0.8)
    assert df.loc["eid", "share"] == pytest.approx(1 / 3)
    assert np.isnan(df.loc["transparency", "share"]) and df.loc["transparency", "answers"] == 0
    assert df.loc["mobile", "share"] == pytest.approx(2 / 3)
    assert (df["services"] == 3).all()


def test_scores_per_municipality(table):
    data = EgovLocal.load(REFERENCE_DIR, table)
    assert data.has("NL_GM0344") and not data.has("NL_GM0037")
    assert data.providers("FR_75056") == ["City of Paris"]  # "City\xa0of\xa0Paris" folded
    scores = data.scores("NL_GM0344", "NL").set_index("measure")
    rows = data.rows("NL_GM0344")
    assert scores.loc["online", "services"] == len(rows) == 11
    assert 0 <= scores.loc["online", "share"] <= 1
    assert scores.loc["online", "country_share"] != scores.loc["online", "all_share"]
