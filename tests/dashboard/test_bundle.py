"""The open-data bundle (GET /api/v1/bundle and `python -m pipelines export`) on the Dutch demo
build: the same bytes every time and from both routes, the aggregates the API publishes and
nothing more, levels only of municipalities that consented, and a data dictionary that covers
every column."""

from __future__ import annotations

import io
import zipfile

import numpy as np
import pandas as pd
import pytest

from pipelines.__main__ import main


@pytest.fixture(scope="module")
def bundle(consent):
    r = consent.get("/api/v1/bundle")
    assert r.status_code == 200 and r.mimetype == "application/zip"
    return r


def _zip(data: bytes) -> zipfile.ZipFile:
    return zipfile.ZipFile(io.BytesIO(data))


def _csv(zf: zipfile.ZipFile, name: str) -> pd.DataFrame:
    return pd.read_csv(zf.open(name), dtype={"wave": str, "area_id": str})


def test_the_bundle_is_byte_identical_and_the_cli_writes_the_same(bundle, consent, nl_data_dir,
                                                                  tmp_path, capsys):
    again = consent.get("/api/v1/bundle")
    assert again.data == bundle.data
    assert bundle.headers["Content-Disposition"].endswith('.zip"')
    etag = bundle.headers["ETag"]
    assert consent.get("/api/v1/bundle", headers={"If-None-Match": etag}).status_code == 304
    weak = f'"other", W/{etag}'
    assert consent.get("/api/v1/bundle", headers={"If-None-Match": weak}).status_code == 304
    assert consent.get("/api/v1/bundle", headers={"If-None-Match": '"x"'}).status_code == 200
    out = tmp_path / "b.zip"
    assert main(["--data-dir", str(nl_data_dir), "export", "--output", str(out)]) == 0
    assert out.read_bytes() == bundle.data
    assert "open data of build" in capsys.readouterr().out
    names = set(_zip(bundle.data).namelist())
    assert {"README.md", "aggregates.csv", "levels.csv", "scores.csv", "data_dictionary.csv",
            "manifest.json", "framework/matrix.csv", "framework/laws/NIS2.yaml"} <= names


def test_aggregates_are_what_the_api_publishes(bundle, consent, nl_ctx):
    zf = _zip(bundle.data)
    agg = _csv(zf, "aggregates.csv")
    snap = nl_ctx.warehouse.snapshot()
    wave = snap.waves[-1]
    for level in ("nuts2", "size_class", "country"):
        api = pd.DataFrame(consent.get(f"/api/v1/aggregates?level={level}&wave={wave}")
                           .get_json()["items"])
        area_type = level
        mine = agg[(agg["wave"] == wave) & (agg["area_type"] == area_type)
                   & agg["measure"].isin(api["measure"].unique())]
        merged = api.merge(mine, on=["area_id", "measure"], suffixes=("_api", ""))
        assert len(merged) == len(api) > 0
        assert (merged["n_api"] == merged["n"]).all()
        assert (merged["suppressed_api"] == merged["suppressed"]).all()
        for col in ("median", "mean", "share_ge3"):
            a, b = merged[f"{col}_api"].to_numpy(float), merged[col].to_numpy(float)
            assert np.array_equal(np.isnan(a), np.isnan(b))
            assert np.allclose(a[~np.isnan(a)], b[~np.isnan(b)], atol=1e-6)
    # a suppressed area publishes no statistic
    hidden = agg[agg["suppressed"]]
    assert len(hidden) and hidden[["q1", "median", "q3", "mean", "share_ge3"]].isna().all().all()


def test_levels_only_of_municipalities_that_consented(bundle, nl_ctx):
    zf = _zip(bundle.data)
    levels = _csv(zf, "levels.csv")
    scores = _csv(zf, "scores.csv")
    snap = nl_ctx.warehouse.snapshot()
    ids = snap.maturity.municipality_ids
    consented = set(ids[snap.consent])
    assert len(levels) and set(levels["municipality_id"]) <= consented
    assert set(scores["municipality_id"]) <= consented
    # and all of them: every consenting municipality with an answer is in the bundle
    answered = {m for w in range(len(snap.waves)) for m in ids[snap.maturity.answered(w)]}
    assert set(levels["municipality_id"]) == consented & answered
    # the levels are the published ones
    cube = snap.maturity
    w = cube.wave_index(snap.waves[-1])
    row = levels[levels["wave"] == snap.waves[-1]].iloc[0]
    lv = cube.levels[w, cube.index_of(row["municipality_id"]),
                     cube.element_ids.index(row["element_id"])]
    assert (pd.isna(row["level"]) and lv == -1) or int(row["level"]) == lv


def test_the_dictionary_covers_every_column_and_readme_names_the_rule(bundle):
    zf = _zip(bundle.data)
    dictionary = _csv(zf, "data_dictionary.csv")
    described = set(zip(dictionary["file"], dictionary["column"], strict=True))
    for name in zf.namelist():
        if name.endswith(".csv") and not name.startswith("framework/"):
            for column in _csv(zf, name).columns:
                assert (name, column) in described, (name, column)
    assert dictionary["meaning"].notna().all()
    readme = zf.read("README.md").decode()
    assert "at least 5 municipalities" in readme and "DEMO DATA" in readme
    assert "CC BY 4.0" in readme
