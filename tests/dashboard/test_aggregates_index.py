"""The aggregates API's in-memory index answers exactly what its query (api_aggregates.sql)
answers: the same rows, order, values and dtypes, for every wave, area type, country, measure
list (with repeats) and minimum group; and a new build or minimum group gets a new index."""

from __future__ import annotations

import random

import pandas as pd
import pytest

from dashboard import aggregates_index as ai


@pytest.mark.parametrize("visibility", ["open", "consent"])
def test_the_index_equals_the_query(nl_ctx, nl_open_ctx, visibility):
    snap = (nl_open_ctx if visibility == "open" else nl_ctx).warehouse.snapshot()
    index = ai.aggregates_index(snap)
    measures = sorted({m for m in index.measure.tolist()})
    rng = random.Random(7)
    cases = 0
    for wave in [*snap.waves, "1999"]:
        for area_type in ("eu", "country", "nuts2", "nuts3", "size_class", "country_size"):
            for country in (None, "NL", "N", "XX"):
                asked = rng.sample(measures, rng.choice([1, 4, len(measures)]))
                if rng.random() < 0.3:
                    asked = [*asked, asked[0]]  # a repeat: listed once, at its first place
                min_group = rng.choice([5, 5, 12, 40])
                want = snap.query("api_aggregates", wave=wave, area_type=area_type,
                                  measures=asked, country=country, min_group=min_group)
                got = index.frame(wave, area_type, asked, country, min_group)
                pd.testing.assert_frame_equal(got, want)
                assert got.to_json(orient="records") == want.to_json(orient="records")
                cases += len(want) > 0
    assert cases > 20  # most cases have rows: the comparison is not of empty tables


def test_a_stricter_minimum_group_hides_more(nl_ctx):
    snap = nl_ctx.warehouse.snapshot()
    index = ai.aggregates_index(snap)
    args = (snap.waves[-1], "nuts3", ["ALL"], "NL")
    low, high = index.frame(*args, min_group=5), index.frame(*args, min_group=10_000)
    assert high["suppressed"].all() and high["median"].isna().all()
    assert (~low["suppressed"]).any() and (low["n"] == high["n"]).all()


def test_the_index_follows_the_build_its_visibility_and_minimum_group(nl_ctx, monkeypatch):
    snap = nl_ctx.warehouse.snapshot()
    first = ai.aggregates_index(snap)
    assert ai.aggregates_index(snap) is first
    monkeypatch.setattr(snap, "build_id", "another-build")
    assert ai.aggregates_index(snap) is not first
    monkeypatch.undo()
    monkeypatch.setattr(snap, "min_group", snap.min_group + 1)
    assert ai.aggregates_index(snap) is not first
    monkeypatch.undo()
    monkeypatch.setattr(snap, "visibility", "open" if snap.visibility == "consent" else "consent")
    assert ai.aggregates_index(snap) is not first
