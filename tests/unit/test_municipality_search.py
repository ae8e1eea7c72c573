"""Municipality search: folding, ranking, codes and speed over the 98,584 reference rows."""

from __future__ import annotations

import time

import numpy as np
import pandas as pd
import pytest

from pipelines.municipality_search import ALIASES, MunicipalityIndex, normalise, normalise_many
from pipelines.reference import MUNICIPALITIES_FILE, REFERENCE_DIR, load_municipalities


@pytest.fixture(scope="module")
def table():
    return load_municipalities(REFERENCE_DIR / MUNICIPALITIES_FILE)


@pytest.fixture(scope="module")
def index(table):
    return MunicipalityIndex.from_frame(table)


def labels(index, query, limit=5, **kw):
    return [index.label(r) for r in index.search(query, limit, **kw)]


def test_normalise():
    assert normalise("'s-Gravenhage") == "s gravenhage"
    assert normalise("Liège") == "liege"
    assert normalise("Łódź") == "lodz"
    assert normalise("Køge  Æbelø") == "koge aebelo"
    assert normalise("Straße") == "strasse"
    assert normalise("NL_GM0344") == "nl gm0344"
    assert normalise("Αθήνα") == "αθηνα"  # other scripts keep their letters, lose their accents
    assert normalise(None) == "" and normalise(float("nan")) == ""
    assert normalise_many(["A-b", "", "Čačak"]) == ["a b", "", "cacak"]
    assert normalise_many([]) == []


def test_small_index_ranking():
    ix = MunicipalityIndex(
        ids=["X_1", "X_2", "X_3", "X_4", "Y_5"], countries=["X", "X", "X", "X", "Y"],
        codes=["001", "002", "003", "004", "005"],
        names=["Bergen", "Den Berg", "Heidelberg", "Bergen op Zoom", "Bergen"],
        names_alt=["", "", "", "", "Berghe"], population=[10, 500, 1000, 100, 50])
    # exact names first (larger first), then names starting with it, then word starts,
    # then anywhere in the name
    assert list(ix.ids[ix.search("bergen")]) == ["Y_5", "X_1", "X_4"]
    assert list(ix.ids[ix.search("berg")]) == ["X_4", "Y_5", "X_1", "X_2", "X_3"]
    assert list(ix.ids[ix.search("berg", country="X")]) == ["X_4", "X_1", "X_2", "X_3"]
    assert list(ix.ids[ix.search("berghe")]) == ["Y_5"]  # the other-language name
    assert list(ix.ids[ix.search("003")]) == ["X_3"]
    assert list(ix.ids[ix.search("x_2")]) == ["X_2"]
    assert list(ix.ids[ix.search("zoom bergen")]) == ["X_4"]  # every word, any order
    assert len(ix.search("berg", limit=2)) == 2
    assert len(ix.search("")) == 0 and len(ix.search("   ")) == 0 and len(ix.search(None)) == 0
    assert ix.row_of("X_3") == 2 and ix.row_of("nope") is None
    assert ix.label(4) == "Bergen / Berghe (Y, 005)"
    assert ix.option(0) == {"label": "Bergen (X, 001)", "value": "X_1",
                            "search": "bergen 001 x 1"}


def test_real_names_and_codes(index):
    assert labels(index, "Utrecht", 1) == ["Utrecht (NL, GM0344)"]
    assert labels(index, "utr", 1) == ["Utrecht (NL, GM0344)"]
    assert labels(index, "GM0344", 1) == ["Utrecht (NL, GM0344)"]
    assert labels(index, "nl_gm0344", 1) == ["Utrecht (NL, GM0344)"]
    assert labels(index, "Den Haag", 1) == ["'s-Gravenhage (NL, GM0518)"]
    assert labels(index, "s-gravenhage", 1) == ["'s-Gravenhage (NL, GM0518)"]
    assert labels(index, "liege", 1) == ["Liège / Luik (BE, 62063)"]
    assert labels(index, "Luik", 1) == ["Liège / Luik (BE, 62063)"]
    assert labels(index, "anvers", 1) == ["Antwerpen / Anvers (BE, 11002)"]
    assert labels(index, "Gent", 1) == ["Gent / Gand (BE, 44021)"]
    assert labels(index, "gent be", 1) == ["Gent / Gand (BE, 44021)"]
    assert labels(index, "11002", 1) == ["Antwerpen / Anvers (BE, 11002)"]
    assert labels(index, "Paris", 1) == ["Paris (FR, 75056)"]
    assert labels(index, "münchen", 1)[0].startswith("München, Landeshauptstadt (DE")
    assert labels(index, "munich", 1)[0].startswith("München, Landeshauptstadt (DE")
    assert labels(index, "sint jans", 1) == [
        "Sint-Jans-Molenbeek / Molenbeek-Saint-Jean (BE, 21012)"]
    assert labels(index, "xyzzyq") == []
    assert len(index.search("a", 20)) == 20
    assert len(index.search("ber", None)) > 1000  # all matches when no limit


def test_aliases_point_at_existing_municipalities(table):
    assert set(ALIASES) <= set(table["municipality_id"])


def test_speed(index):
    """< 20 ms per query over 98k names (median of a mix of short, long and missing queries;
    generous for a noisy CI machine: measured 0.2-10 ms)."""
    queries = ["a", "an", "ber", "utrecht", "GM0344", "den haag", "sint jans", "saint", "liege",
               "0344", "xyzzy", "frankfurt am", "s", "gemeente", "la"]
    times = []
    for q in queries * 3:
        start = time.perf_counter()
        index.search(q, 20)
        times.append(time.perf_counter() - start)
    assert np.median(times) < 0.020, f"median {np.median(times) * 1000:.1f} ms"


def test_index_order_is_the_reference_order(table, index):
    assert (index.ids == table["municipality_id"].to_numpy()).all()
    assert pd.Index(index.ids).is_monotonic_increasing
