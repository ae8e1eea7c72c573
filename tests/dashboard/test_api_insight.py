"""The Insight API: municipalities, one municipality's levels, aggregates, OpenAPI.

Answers are checked against the published marts of the Dutch demo build (`nl_data_dir`), with
the consent rule (default) and with DS4E_VISIBILITY=open.
"""

from __future__ import annotations

import io
import json
import re

import numpy as np
import pandas as pd
import pytest
from published import published_aggregates

from dashboard.search import fold


@pytest.fixture(scope="module")
def marts(nl_ctx):
    snap = nl_ctx.warehouse.snapshot()
    out = {name: pd.read_parquet(snap.path / f"{name}.parquet")
           for name in ("levels", "coverage", "scores")}
    out["aggregates"] = published_aggregates(nl_ctx)
    return out


@pytest.fixture(scope="module")
def reference(nl_ctx):
    return nl_ctx.municipalities.reset_index(drop=True)


@pytest.fixture(scope="module")
def consent_by_id(marts):
    cov = marts["coverage"]
    return cov.groupby("municipality_id")["publish_consent"].any().to_dict()


def _pick(marts, consented: bool, waves: int | None = None) -> str:
    """A municipality that answered (in `waves` waves, if given) with that consent."""
    cov = marts["coverage"]
    per = cov.groupby("municipality_id").agg(n=("wave", "size"), c=("publish_consent", "any"))
    per = per[per["c"] == consented]
    if waves is not None:
        per = per[per["n"] == waves]
    return str(per.index[0])


def _get(client, url, status=200):
    r = client.get(url)
    assert r.status_code == status, (url, r.status_code, r.get_data(as_text=True)[:500])
    return r


def _csv(r) -> pd.DataFrame:
    assert r.mimetype == "text/csv"
    assert "attachment" in r.headers["Content-Disposition"]
    return pd.read_csv(io.StringIO(r.get_data(as_text=True)), dtype=str, keep_default_na=False)


# ------------------------------------------------------------------ /api/v1/municipalities


def test_list_without_parameters_is_every_municipality_in_reference_order(open_, reference,
                                                                          marts, consent_by_id):
    body = _get(open_, "/api/v1/municipalities").get_json()
    assert body["total"] == len(reference) and len(body["items"]) == len(reference)
    assert body["offset"] == 0 and body["limit"] is None
    assert body["published"] is True and body["wave"] == "2026"
    items = pd.DataFrame(body["items"])
    assert items["municipality_id"].tolist() == reference["municipality_id"].tolist()
    for col in ("name", "country", "national_code", "nuts1", "nuts2", "nuts3", "size_class"):
        assert items[col].tolist() == reference[col].tolist(), col
    # unknown values are null, never NaN or ""
    assert items["name_alt"].isna().tolist() == (reference["name_alt"] == "").tolist()
    assert items["population"].isna().tolist() == reference["population"].isna().tolist()
    assert items["lon"].isna().tolist() == reference["lon"].isna().tolist()
    known = reference["lat"].notna().to_numpy()
    np.testing.assert_allclose(items["lat"].to_numpy(dtype=float)[known],
                               reference["lat"].to_numpy(dtype=float)[known])
    pop = reference["population"].notna().to_numpy()
    assert (items["population"].to_numpy()[pop] == reference["population"].to_numpy()[pop]).all()
    # flags: answered in the latest wave, consent as the coverage mart holds it
    answered = set(marts["coverage"].query("wave == '2026'")["municipality_id"])
    assert set(items.loc[items["has_answers"], "municipality_id"]) == answered
    consenting = {m for m, c in consent_by_id.items() if c}
    assert set(items.loc[items["consent"], "municipality_id"]) == consenting


def test_list_item_has_exactly_the_documented_fields(consent):
    item = _get(consent, "/api/v1/municipalities?q=NL_GM0014").get_json()["items"][0]
    schema = _get(consent, "/api/v1/openapi.json").get_json()["components"]["schemas"]
    assert set(item) == set(schema["MunicipalityListItem"]["properties"])
    assert item["name"] == "Groningen" and item["country"] == "NL"


@pytest.mark.parametrize("q, expected", [
    ("groningen", "NL_GM0014"),
    ("GRONINGEN", "NL_GM0014"),
    ("gm0014", "NL_GM0014"),          # national code
    ("NL_GM0014", "NL_GM0014"),       # GISCO id
    ("sudwest-fryslan", "NL_GM1900"),  # accents ignored: Súdwest-Fryslân
    ("malines", "BE_12025"),          # alternative name (Mechelen)
    ("  's-gravenhage ", "NL_GM0518"),
])
def test_search_is_accent_and_case_insensitive_over_names_and_codes(consent, q, expected):
    items = _get(consent, f"/api/v1/municipalities?q={q}").get_json()["items"]
    assert expected in [i["municipality_id"] for i in items]


def test_search_finds_exactly_the_substring_matches_exact_first(consent, reference):
    q = "berg"
    body = _get(consent, f"/api/v1/municipalities?q={q}&country=NL").get_json()
    nl = reference[reference["country"] == "NL"]
    expected = {r.municipality_id for r in nl.itertuples()
                if any(q in fold(str(v)) for v in (r.name, r.name_alt, r.national_code,
                                                  r.municipality_id))}
    got = [i["municipality_id"] for i in body["items"]]
    assert body["total"] == len(got) == len(expected) and set(got) == expected
    assert all(i["country"] == "NL" for i in body["items"])
    # an exact name comes before names that only contain the text
    first = _get(consent, "/api/v1/municipalities?q=utrecht&country=NL").get_json()["items"]
    assert first[0]["name"] == "Utrecht" and len(first) > 1


def test_search_trigram_prefilter_gives_the_full_scan_answer(reference):
    """search tests only the rows holding every trigram of q (api_insight.Trigrams): the same
    rows in the same order as testing all of them, for names' pieces of 1-8 characters (with
    accents, spaces, hyphens, apostrophes), codes, ids, texts across fields and none, with and
    without a country mask."""
    import random

    from dashboard.api_insight import MunicipalityDirectory

    d = MunicipalityDirectory(reference)
    full = MunicipalityDirectory.__new__(MunicipalityDirectory)
    full.__dict__.update(d.__dict__)
    full._trigrams = type("NoIndex", (), {"candidates": staticmethod(lambda q: None)})()
    rng = random.Random(11)
    texts = [str(v) for f in ("name", "name_alt", "national_code", "municipality_id")
             for v in reference[f].dropna() if str(v)]
    queries = [t[i:i + n] for t in rng.sample(texts, 300) for n in (rng.randint(1, 8),)
               for i in (rng.randrange(max(1, len(t) - n + 1)),)]
    queries += ["Súdwest", "'s-Gr", "  berg  ", "gm00", "NL_GM", "zzqqxx", "é", "aa", "ß",
                "oo\tnl", "Bergen op", "-"]
    masks = [None, (reference["country"] == "NL").to_numpy(),
             (reference["country"] == "BE").to_numpy()]
    for q in queries:
        for mask in masks:
            assert d.search(q, mask).tolist() == full.search(q, mask).tolist(), q
    assert len(d.search("ber")) > 1  # the comparison is not between two empty answers


def test_search_without_match_is_an_empty_list(consent):
    body = _get(consent, "/api/v1/municipalities?q=zzqqxx").get_json()
    assert body == {"total": 0, "offset": 0, "limit": None, "published": True, "wave": "2026",
                    "next": None, "prev": None, "items": []}


def test_country_filter(consent, reference):
    body = _get(consent, "/api/v1/municipalities?country=nl").get_json()
    assert body["total"] == (reference["country"] == "NL").sum() == 342
    assert {i["country"] for i in body["items"]} == {"NL"}
    # GR is read as EL (the code GISCO uses for Greece)
    gr = _get(consent, "/api/v1/municipalities?country=GR&limit=1").get_json()
    assert gr["total"] == (reference["country"] == "EL").sum() > 0


def test_limit_and_offset_page_through_all_matches(consent):
    full = _get(consent, "/api/v1/municipalities?country=NL").get_json()
    ids = [i["municipality_id"] for i in full["items"]]
    pages = []
    for offset in range(0, 342, 100):
        body = _get(consent, f"/api/v1/municipalities?country=NL&limit=100&offset={offset}"
                    ).get_json()
        assert body["total"] == 342 and body["limit"] == 100 and body["offset"] == offset
        pages += [i["municipality_id"] for i in body["items"]]
    assert pages == ids
    rest = _get(consent, "/api/v1/municipalities?country=NL&offset=300").get_json()
    assert [i["municipality_id"] for i in rest["items"]] == ids[300:] and rest["limit"] is None
    assert _get(consent, "/api/v1/municipalities?country=NL&limit=0").get_json()["items"] == []
    beyond = _get(consent, "/api/v1/municipalities?country=NL&offset=1000").get_json()
    assert beyond["total"] == 342 and beyond["items"] == []


def test_list_as_csv_equals_json(consent):
    js = _get(consent, "/api/v1/municipalities?country=NL&q=gr").get_json()["items"]
    df = _csv(_get(consent, "/api/v1/municipalities?country=NL&q=gr&format=csv"))
    assert list(df.columns) == list(js[0])
    assert df["municipality_id"].tolist() == [i["municipality_id"] for i in js]
    assert df["has_answers"].tolist() == [str(i["has_answers"]).lower() for i in js]
    assert df["population"].tolist() == ["" if i["population"] is None else str(i["population"])
                                         for i in js]
    assert df["name_alt"].tolist() == [i["name_alt"] or "" for i in js]


@pytest.mark.parametrize("query, parameter", [
    ("country=XX", "country"), ("country=NLD", "country"), ("limit=-1", "limit"),
    ("limit=ten", "limit"), ("offset=1.5", "offset"), ("format=xml", "format"),
])
def test_list_bad_parameters_are_400(consent, query, parameter):
    r = _get(consent, f"/api/v1/municipalities?{query}", 400)
    body = r.get_json()
    assert body["parameter"] == parameter and f"'{parameter}'" in body["error"]
    assert body["allowed"]


def test_list_works_before_anything_is_published(empty, reference):
    body = _get(empty, "/api/v1/municipalities?country=NL&limit=3").get_json()
    assert body["total"] == 342 and body["published"] is False and body["wave"] is None
    assert all(i["has_answers"] is None and i["consent"] is None for i in body["items"])


# ------------------------------------------------------------------ /api/v1/municipalities/{id}


def test_detail_levels_equal_the_levels_mart(consent, marts, fw):
    mid = _pick(marts, consented=True, waves=2)
    body = _get(consent, f"/api/v1/municipalities/{mid}").get_json()
    assert body["municipality_id"] == mid and body["consent"] is True
    assert body["wave"] == "2026" and body["waves_answered"] == ["2025", "2026"]
    assert body["has_answers"] is True and "message" not in body
    mart = marts["levels"].query("municipality_id == @mid and wave == '2026'").set_index(
        "element_id")
    assert [lv["element_id"] for lv in body["levels"]] == fw.element_ids
    for lv in body["levels"]:
        assert lv["wave"] == "2026" and lv["block"] == lv["element_id"].split("-")[0]
        if lv["element_id"] not in mart.index:
            assert lv["level"] is None and lv["status"] == "missing"
            assert lv["n_respondents"] == 0
            continue
        row = mart.loc[lv["element_id"]]
        if pd.isna(row["level"]):
            assert lv["level"] is None and lv["status"] == "dont_know"
        else:
            assert lv["level"] == int(row["level"]) and lv["status"] == "known"
        assert lv["n_respondents"] == int(row["n_respondents"])
        assert lv["n_known"] == int(row["n_known"])
        assert lv["disagree"] == bool(row["disagree"])
        assert lv["spread"] == (None if pd.isna(row["spread"]) else int(row["spread"]))
    cov = marts["coverage"].query("municipality_id == @mid and wave == '2026'").iloc[0]
    assert body["coverage"]["n_respondents"] == int(cov["n_respondents"])
    assert body["coverage"]["n_disagree"] == int(cov["n_disagree"])


def test_detail_scores_equal_the_scores_mart(consent, marts):
    mid = _pick(marts, consented=True)
    body = _get(consent, f"/api/v1/municipalities/{mid}").get_json()
    scores = marts["scores"].query("municipality_id == @mid and wave == @body['wave']")
    expected = dict(zip(scores["scope"], scores["score"], strict=True))
    got = {"ALL": body["scores"]["overall"], **body["scores"]["blocks"]}
    assert set(got) == set(expected)
    for scope, value in expected.items():
        if pd.isna(value):
            assert got[scope] is None, scope
        else:
            assert got[scope] == pytest.approx(value, abs=1e-3), scope


def test_detail_default_wave_is_the_latest_answered_and_wave_selects(open_, marts):
    cov = marts["coverage"]
    only_2025 = sorted(set(cov.query("wave == '2025'")["municipality_id"])
                       - set(cov.query("wave == '2026'")["municipality_id"]))[0]
    body = _get(open_, f"/api/v1/municipalities/{only_2025}").get_json()
    assert body["wave"] == "2025" and body["waves_answered"] == ["2025"]
    later = _get(open_, f"/api/v1/municipalities/{only_2025}?wave=2026").get_json()
    assert later["wave"] == "2026" and later["has_answers"] is False
    assert all(lv["level"] is None and lv["status"] == "missing" for lv in later["levels"])
    assert "no answers" in later["message"] and later["coverage"] is None
    assert later["scores"]["overall"] is None


def test_detail_of_a_municipality_that_never_answered(open_):
    body = _get(open_, "/api/v1/municipalities/BE_12025").get_json()
    assert body["name"] == "Mechelen" and body["name_alt"] == "Malines"
    assert body["waves_answered"] == [] and body["has_answers"] is False
    assert body["wave"] == "2026" and "no answers" in body["message"]


def test_consent_rule_403_and_open_200(consent, open_, marts):
    mid = _pick(marts, consented=False)
    r = _get(consent, f"/api/v1/municipalities/{mid}", 403)
    body = r.get_json()
    assert r.is_json and body["municipality_id"] == mid
    assert "did not consent to publish its results by name" in body["error"]
    assert "levels" not in body
    assert _get(consent, f"/api/v1/municipalities/{mid}?format=csv", 403).is_json
    opened = _get(open_, f"/api/v1/municipalities/{mid}").get_json()
    assert opened["consent"] is False and len(opened["levels"]) == 39
    # its reference data stay public in the list
    listed = _get(consent, f"/api/v1/municipalities?q={mid}").get_json()["items"]
    assert listed[0]["municipality_id"] == mid and listed[0]["consent"] is False


def test_detail_unknown_id_is_404(consent, empty):
    for client in (consent, empty):
        r = _get(client, "/api/v1/municipalities/XX_nowhere", 404)
        assert r.is_json and r.get_json()["municipality_id"] == "XX_nowhere"
        assert "unknown municipality" in r.get_json()["error"]


@pytest.mark.parametrize("query, parameter", [("wave=1999", "wave"), ("format=pdf", "format")])
def test_detail_bad_parameters_are_400(consent, marts, query, parameter):
    mid = _pick(marts, consented=True)
    body = _get(consent, f"/api/v1/municipalities/{mid}?{query}", 400).get_json()
    assert body["parameter"] == parameter and body["allowed"]


def test_detail_as_csv_is_the_levels_table(consent, marts):
    mid = _pick(marts, consented=True)
    js = _get(consent, f"/api/v1/municipalities/{mid}?wave=2025").get_json()
    df = _csv(_get(consent, f"/api/v1/municipalities/{mid}?wave=2025&format=csv"))
    assert len(df) == 39 and set(df["municipality_id"]) == {mid} and set(df["wave"]) == {"2025"}
    assert df["disagree"].tolist() == ["" if lv["disagree"] is None else str(lv["disagree"]).lower()
                                       for lv in js["levels"]]
    assert df["level"].tolist() == ["" if lv["level"] is None else str(lv["level"])
                                    for lv in js["levels"]]


def test_data_endpoints_answer_503_before_anything_is_published(empty):
    for url in ("/api/v1/municipalities/NL_GM0014", "/api/v1/aggregates"):
        r = _get(empty, url, 503)
        assert r.get_json() == {"error": "no survey data published yet"}


# ------------------------------------------------------------------ /api/v1/aggregates


def _mart_rows(marts, area_type, wave, measures):
    a = marts["aggregates"]
    return a[(a["area_type"] == area_type) & (a["wave"] == wave) & a["measure"].isin(measures)]


def _assert_equal_to_mart(items, mart):
    got = pd.DataFrame(items).set_index(["area_id", "measure"]).sort_index()
    exp = mart.set_index(["area_id", "measure"]).sort_index()
    assert got.index.equals(exp.index)
    assert got["n"].tolist() == exp["n"].tolist()
    assert got["suppressed"].tolist() == exp["suppressed"].tolist()
    for col in ("median", "q1", "q3", "mean", "share_ge3"):
        np.testing.assert_allclose(got[col].to_numpy(dtype=float), exp[col].to_numpy(dtype=float),
                                   atol=1e-6, equal_nan=True, err_msg=col)
    assert got.loc[got["suppressed"], ["median", "q1", "q3", "mean"]].isna().all().all()


def test_aggregates_default_is_countries_latest_wave_every_element(consent, marts, fw):
    body = _get(consent, "/api/v1/aggregates").get_json()
    assert body["level"] == "country" and body["wave"] == "2026"
    assert body["measures"] == fw.element_ids and body["min_group"] == 5
    assert body["total"] == len(body["items"]) == 39  # NL only, 39 elements
    assert [i["measure"] for i in body["items"]] == fw.element_ids
    assert body["items"][0]["area_name"] == "Netherlands"
    _assert_equal_to_mart(body["items"], _mart_rows(marts, "country", "2026", fw.element_ids))


@pytest.mark.parametrize("level", ["country", "nuts2", "nuts3", "size_class"])
def test_aggregates_per_level_equal_the_mart(consent, marts, fw, level):
    body = _get(consent, f"/api/v1/aggregates?level={level}&wave=2025").get_json()
    assert body["wave"] == "2025" and body["level"] == level
    _assert_equal_to_mart(body["items"], _mart_rows(marts, level, "2025", fw.element_ids))
    if level == "nuts3":
        assert any(i["suppressed"] for i in body["items"])  # small groups are hidden


def test_aggregates_measure_block_all_and_country_filter(consent, marts):
    body = _get(consent, "/api/v1/aggregates?level=nuts2&country=NL&measure=SEC,ALL").get_json()
    assert body["measures"] == ["SEC", "ALL"] and body["country"] == "NL"
    assert {i["measure"] for i in body["items"]} == {"SEC", "ALL"}
    assert all(i["area_id"].startswith("NL") and i["country"] == "NL" for i in body["items"])
    _assert_equal_to_mart(body["items"], _mart_rows(marts, "nuts2", "2026", ["SEC", "ALL"]))
    one = _get(consent, "/api/v1/aggregates?measure=sec-01").get_json()
    assert [i["measure"] for i in one["items"]] == ["SEC-01"]
    none = _get(consent, "/api/v1/aggregates?country=BE").get_json()
    assert none["total"] == 0 and none["items"] == []


def test_aggregates_size_classes_within_a_country(consent, marts):
    body = _get(consent, "/api/v1/aggregates?level=size_class&country=NL&measure=ALL&lang=nl"
                ).get_json()
    assert body["area_type"] == "country_size"
    assert all(re.fullmatch(r"NL:[\w-]+", i["area_id"]) for i in body["items"])
    assert any(i["area_name"].startswith("Nederland: ") for i in body["items"])
    _assert_equal_to_mart(body["items"], _mart_rows(marts, "country_size", "2026", ["ALL"]))


def test_aggregates_apply_a_stricter_min_group(nl_data_dir, marts, api_client):
    ns = sorted(_mart_rows(marts, "nuts2", "2026", ["ALL"])["n"])
    limit = ns[len(ns) // 2]  # stricter than the build's 5: about half the regions fall below
    assert limit > 5
    strict = api_client(nl_data_dir, DS4E_MIN_GROUP=str(limit))
    body = _get(strict, "/api/v1/aggregates?level=nuts2&measure=ALL").get_json()
    assert body["min_group"] == limit
    for i in body["items"]:
        # below the app's limit always suppressed; above it, suppressed only where the
        # disclosure pattern (recomputed for the app's limit) protects someone
        assert i["suppressed"] or i["n"] >= limit
        assert (i["median"] is None) == i["suppressed"] and (i["share_ge3"] is None) == i[
            "suppressed"]
    assert any(i["suppressed"] for i in body["items"])
    assert not all(i["suppressed"] for i in body["items"])


def test_aggregates_as_csv_equal_json(consent):
    js = _get(consent, "/api/v1/aggregates?level=nuts2&measure=ALL").get_json()["items"]
    r = _get(consent, "/api/v1/aggregates?level=nuts2&measure=ALL&format=csv")
    df = _csv(r)
    assert list(df.columns) == list(js[0])
    assert df["area_id"].tolist() == [i["area_id"] for i in js]
    assert df["n"].astype(int).tolist() == [i["n"] for i in js]
    assert "nuts2" in r.headers["Content-Disposition"]


@pytest.mark.parametrize("query, parameter", [
    ("level=municipality", "level"), ("level=eu", "level"), ("wave=2019", "wave"),
    ("measure=XYZ-99", "measure"), ("measure=SEC-01,nope", "measure"), ("country=ZZ", "country"),
    ("format=pdf", "format"), ("lang=fr", "lang"),
])
def test_aggregates_bad_parameters_are_400(consent, query, parameter):
    r = _get(consent, f"/api/v1/aggregates?{query}", 400)
    body = r.get_json()
    assert r.is_json and body["parameter"] == parameter
    assert f"'{parameter}'" in body["error"] and body["allowed"]


# ------------------------------------------------------------------ /api/v1/openapi.json


def _api_rules(client) -> set[str]:
    rules = client.application.url_map.iter_rules()
    return {re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", r.rule) for r in rules
            if r.rule.startswith("/api/v1/")}


def test_openapi_documents_every_registered_endpoint_and_nothing_else(consent):
    doc = _get(consent, "/api/v1/openapi.json").get_json()
    assert doc["openapi"].startswith("3.1")
    assert set(doc["paths"]) == _api_rules(consent)
    assert {"/api/v1/health", "/api/v1/framework", "/api/v1/municipalities",
            "/api/v1/municipalities/{municipality_id}", "/api/v1/aggregates",
            "/api/v1/openapi.json"} <= set(doc["paths"])


def test_openapi_operations_parameters_and_refs_are_complete(consent):
    doc = _get(consent, "/api/v1/openapi.json").get_json()
    text = json.dumps(doc)
    for ref in set(re.findall(r'"\$ref": "#/components/schemas/(\w+)"', text)):
        assert ref in doc["components"]["schemas"], ref
    for path, item in doc["paths"].items():
        for method, op in item.items():  # get, and post for the draft-law what-if
            assert op["summary"] and op["operationId"] and "200" in op["responses"], (path, method)
            names = {p["name"] for p in op.get("parameters", [])}
            for name in re.findall(r"{(\w+)}", path):
                assert name in names
            if names - set(re.findall(r"{(\w+)}", path)) or "requestBody" in op:
                assert "400" in op["responses"], path
    params = {path: {p["name"] for p in item["get"].get("parameters", [])}
              for path, item in doc["paths"].items() if "get" in item}
    assert params["/api/v1/municipalities"] == {"country", "q", "limit", "offset", "format"}
    assert params["/api/v1/aggregates"] == {"level", "country", "wave", "measure", "lang",
                                           "format"}
    detail = doc["paths"]["/api/v1/municipalities/{municipality_id}"]["get"]["responses"]
    assert {"200", "400", "403", "404", "503"} <= set(detail)
    assert "503" in doc["paths"]["/api/v1/aggregates"]["get"]["responses"]


# ------------------------------------------------------------------ pure helpers


def test_json_literals_are_valid_json_for_awkward_text():
    import pyarrow as pa

    from dashboard.api_insight import json_literals
    values = ['a"b', "c\\d", "", None, "Liège", "x/y"]
    lits = json_literals(pa.array(values, type=pa.large_string())).to_pylist()
    assert [json.loads(x) for x in lits] == ['a"b', "c\\d", None, None, "Liège", "x/y"]
    with_tab = json_literals(pa.array(["tab\there", "ok"])).to_pylist()
    assert [json.loads(x) for x in with_tab] == ["tab\there", "ok"]
    nums = json_literals(pa.array([1.5, float("nan"), None])).to_pylist()
    assert nums == ["1.5", "null", "null"]


def test_fold_many_equals_fold(reference):
    from dashboard.api_insight import fold_many
    names = [*reference["name"].tolist()[::50], "Łódź", "Straße", "Ærø", "İstanbul"]
    assert fold_many(names) == [fold(n) for n in names]
