"""GET /api/v1/insight/leverage on the Dutch demo build: the engine's leverage table for a
selection, as JSON and CSV; 400 on bad parameters; 503 without published roadmaps."""

from __future__ import annotations

import io
import shutil

import numpy as np
import pandas as pd
import pytest
from published import as_older_build

from pipelines.maturity.roadmap import model_from_framework
from pipelines.maturity.roadmap_population import leverage
from pipelines.roadmap_build import ROADMAP_FILE

URL = "/api/v1/insight/leverage"




@pytest.fixture(scope="module")
def client(api_client, nl_data_dir):
    return api_client(nl_data_dir)


def _get(client, url, status=200):
    r = client.get(url)
    assert r.status_code == status, (url, r.status_code, r.get_data(as_text=True)[:400])
    return r


@pytest.fixture(scope="module")
def engine(nl_ctx):
    snap = nl_ctx.warehouse.snapshot()
    rm = snap.roadmaps
    lv = snap.maturity.levels[snap.maturity.wave_index(rm.wave)]
    model = model_from_framework(nl_ctx.framework)
    attrs = nl_ctx.attributes

    def run(**sel):
        mask = np.ones(len(lv), dtype=bool)
        for field, v in sel.items():
            mask &= attrs.mask_for(field, v)
        return leverage(model, lv, rows=mask, result=rm.population)
    return run


@pytest.mark.parametrize("query, sel", [
    ("", {}),
    ("?country=NL", {"country": "NL"}),
    ("?country=nl&nuts2=NL33", {"country": "NL", "nuts2": "NL33"}),
    ("?nuts2=NL41&size_class=20k-50k", {"nuts2": "NL41", "size_class": "20k-50k"}),
])
def test_json_equals_the_engine(client, engine, query, sel):
    body = _get(client, URL + query).get_json()
    exp = engine(**sel)
    assert body["answered"] == exp.selected and not body["suppressed"]
    assert body["wave"] == "2026" and body["min_group"] == 5 and body["total"] == 39
    items = body["items"]
    assert [i["element_id"] for i in items] == [r["element"] for r in exp.rows()]
    for item, row in zip(items, exp.rows(), strict=True):
        assert item["lacking"] == row["lacking"]
        assert item["first_phase"] == row["first_phase"]
        assert item["first_step"] == row["first_step"]
        assert item["leverage"] == pytest.approx(row["leverage"], abs=1e-3)
        if row["mean_unlock"] is None:
            assert item["mean_unlock"] is None
        else:
            assert item["mean_unlock"] == pytest.approx(row["mean_unlock"], abs=1e-4)
    assert [i["rank"] for i in items] == list(range(1, 40))
    assert set(items[0]) == {"rank", "element_id", "element", "lacking", "share_lacking",
                             "mean_unlock", "leverage", "first_phase", "first_phase_share",
                             "first_step"}
    if "nuts2" in sel:
        assert body["country"] == "NL" and body["nuts2"] == sel["nuts2"]


def test_csv_equals_json(client):
    js = _get(client, URL + "?country=NL&lang=nl").get_json()
    r = _get(client, URL + "?country=NL&lang=nl&format=csv")
    assert r.mimetype == "text/csv"
    assert 'filename="ds4e-leverage-NL-2026.csv"' in r.headers["Content-Disposition"]
    df = pd.read_csv(io.StringIO(r.get_data(as_text=True)))
    assert (df["wave"] == 2026).all()
    assert df["element_id"].tolist() == [i["element_id"] for i in js["items"]]
    assert df["element"].tolist() == [i["element"] for i in js["items"]]
    assert df["lacking"].tolist() == [i["lacking"] for i in js["items"]]
    np.testing.assert_allclose(df["leverage"], [i["leverage"] for i in js["items"]])


def test_the_page_link_is_this_endpoint(client, nl_ctx):
    from dashboard.views.policy import callbacks

    out = callbacks.update_view(nl_ctx, "NL", "NL33", "20k-50k", "per", "en")
    href = out[callbacks.OUTPUT_KEYS.index("lev_api")]
    assert href == URL + "?country=NL&nuts2=NL33&size_class=20k-50k&format=csv"
    r = client.get(href)
    assert r.status_code == 200 and r.mimetype == "text/csv"


def test_small_selection_is_suppressed(client):
    body = _get(client, URL + "?nuts2=NL23").get_json()
    assert body["suppressed"] and body["answered"] == 4 and body["items"] == []
    df = pd.read_csv(io.StringIO(_get(client, URL + "?nuts2=NL23&format=csv").get_data(
        as_text=True)))
    assert len(df) == 0 and "leverage" in df.columns


def test_selection_without_answers(client):
    body = _get(client, URL + "?country=BE").get_json()
    assert body["answered"] == 0 and body["suppressed"] and body["municipalities"] > 500


@pytest.mark.parametrize("query, parameter", [
    ("?country=XX", "country"),
    ("?nuts2=ZZ99", "nuts2"),
    ("?size_class=huge", "size_class"),
    ("?format=xml", "format"),
    ("?lang=de", "lang"),
])
def test_bad_parameters_are_400(client, query, parameter):
    body = _get(client, URL + query, 400).get_json()
    assert body["parameter"] == parameter and body["error"]


def test_a_region_outside_the_country_selects_nobody(client):
    """Valid by the document (both are known codes): the selection is empty, not an error."""
    body = _get(client, URL + "?country=BE&nuts2=NL33").get_json()
    assert (body["answered"], body["suppressed"], body["items"]) == (0, True, [])



def test_503_when_nothing_is_published(tmp_path, api_client):
    r = _get(api_client(tmp_path), URL, 503)
    assert r.get_json() == {"error": "no survey data published yet"}


def test_503_when_the_build_has_no_roadmaps(nl_data_dir, tmp_path, api_client):
    data_dir = tmp_path / "old"
    shutil.copytree(nl_data_dir, data_dir)
    for build in (data_dir / "warehouse" / "builds").iterdir():
        as_older_build(build, ROADMAP_FILE)
    r = _get(api_client(data_dir), URL + "?country=NL", 503)
    assert "python -m pipelines build --force" in r.get_json()["error"]


def test_documented_in_openapi(client):
    doc = _get(client, "/api/v1/openapi.json").get_json()
    op = doc["paths"][URL]["get"]
    assert {p["name"] for p in op["parameters"]} == {"country", "nuts2", "size_class", "lang",
                                                     "format"}
    assert {"200", "400", "503"} <= set(op["responses"])
    item = doc["components"]["schemas"]["LeverageItem"]
    body = _get(client, URL + "?country=NL").get_json()
    assert set(item["required"]) == set(body["items"][0])
    assert set(doc["components"]["schemas"]["LeverageTable"]["required"]) <= set(body)
