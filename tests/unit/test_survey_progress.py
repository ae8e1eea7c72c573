"""Coordinator progress of a survey wave: statuses, counts, rates and non-responders."""

from __future__ import annotations

import datetime as dt
import json

import pandas as pd
import pytest

from pipelines.reference import REFERENCE_DIR, load_municipalities
from pipelines.survey import progress
from pipelines.survey.records import draft_path, save_draft, submit
from pipelines.survey.sheet import Answer, Sheet
from pipelines.survey.waves import SurveyStore

UTC = dt.UTC
CREATED = dt.datetime(2026, 1, 5, tzinfo=UTC)
NOW = dt.datetime(2026, 2, 1, 12, 30, tzinfo=UTC)
ELEMENTS = ["STR-01", "STR-02", "SEC-01"]
NL = ["NL_GM0363", "NL_GM0344", "NL_GM0014", "NL_GM0037"]  # Amsterdam, Utrecht, Groningen, Stadskanaal


@pytest.fixture(scope="module")
def reference():
    return load_municipalities(REFERENCE_DIR / "municipalities.parquet")


def build_wave(data_dir):
    """Amsterdam: cio submitted, ciso nothing. Utrecht: cio saved a draft. Groningen: cio saved
    an empty draft (not started). Stadskanaal: nothing. Antwerpen (BE, one team link): submitted."""
    store = SurveyStore(data_dir)
    wave, coordinator = store.create_wave("2026", closes_at=dt.datetime(2099, 1, 1, tzinfo=UTC),
                                          title="DS4E 2026", now=CREATED)
    links = store.invite("2026", NL, ["cio", "ciso"], now=CREATED)
    links += store.invite("2026", ["BE_11002"], now=CREATED)
    tokens = {(i.municipality_id, i.role): i.token for i in links}

    def access(mid, role):
        return store.open_link(tokens[(mid, role)], now=NOW)

    submit(store, access("NL_GM0363", "cio"), Sheet({"STR-01": Answer(3)}), ELEMENTS, now=NOW)
    save_draft(store, access("NL_GM0344", "cio"), Sheet({"STR-01": Answer(2), "STR-02": Answer("dk")}),
               now=NOW)
    save_draft(store, access("NL_GM0014", "cio"), Sheet({}), now=NOW)
    submit(store, access("BE_11002", "team"), Sheet({"SEC-01": Answer(1)}), ELEMENTS,
           now=NOW + dt.timedelta(hours=1))
    return store, wave, coordinator, tokens


@pytest.fixture()
def built(tmp_path):
    return build_wave(tmp_path)


@pytest.fixture()
def status(built, reference):
    store, wave, _, _ = built
    return progress.municipality_status(progress.respondents(store, wave.wave), reference)


def test_respondents_one_row_per_link(built):
    store, wave, _, _ = built
    resp = progress.respondents(store, wave.wave).set_index(["municipality_id", "role"])
    assert len(resp) == 9
    assert resp.loc[("NL_GM0363", "cio"), "submissions"] == 1
    assert resp.loc[("NL_GM0363", "cio"), "draft_answers"] == 0  # a submit writes no draft
    assert resp.loc[("NL_GM0363", "cio"), "last_submitted"] == "20260201T123000"
    assert resp.loc[("NL_GM0344", "cio"), "draft_answers"] == 2  # "don't know" is an answer
    assert resp.loc[("NL_GM0344", "cio"), "submissions"] == 0
    assert resp.loc[("NL_GM0014", "cio"), "draft_answers"] == 0
    assert resp.loc[("BE_11002", "team"), "last_submitted"] == "20260201T133000"
    assert resp["submissions"].sum() == 2


def test_municipality_status(status):
    s = status.set_index("municipality_id")
    assert list(status.columns) == progress.STATUS_COLUMNS
    assert s["status"].to_dict() == {
        "BE_11002": "submitted", "NL_GM0014": "invited", "NL_GM0037": "invited",
        "NL_GM0344": "started", "NL_GM0363": "submitted"}
    assert s.loc["NL_GM0363", ["respondents_invited", "respondents_started",
                               "respondents_submitted"]].tolist() == [2, 1, 1]
    assert s.loc["NL_GM0344", ["respondents_invited", "respondents_started",
                               "respondents_submitted"]].tolist() == [2, 1, 0]
    assert s.loc["BE_11002", ["respondents_invited", "respondents_started",
                              "respondents_submitted"]].tolist() == [1, 1, 1]
    assert s["roles_not_submitted"].to_dict() == {
        "BE_11002": "", "NL_GM0014": "cio;ciso", "NL_GM0037": "cio;ciso",
        "NL_GM0344": "cio;ciso", "NL_GM0363": "ciso"}
    assert s.loc["NL_GM0363", "last_submitted"] == "20260201T123000"
    assert s.loc["NL_GM0037", "last_submitted"] == ""
    assert s.loc["NL_GM0363", ["name", "national_code", "country", "nuts2", "size_class"]].tolist() \
        == ["Amsterdam", "GM0363", "NL", "NL32", "ge250k"]
    assert s.loc["BE_11002", "name"] == "Antwerpen"


def test_totals(status):
    assert progress.totals(status) == {
        "invited": 5, "started": 3, "submitted": 2, "respondents_invited": 9,
        "respondents_started": 3, "respondents_submitted": 2}
    assert progress.response_rate(progress.totals(status)) == pytest.approx(0.4)


def _rows(df, by):
    return [tuple(r) for r in df[[by, "invited", "started", "submitted"]].itertuples(index=False)]


def test_rates_by_country_nuts2_size_class(status):
    country = progress.rates(status, "country")
    assert _rows(country, "country") == [("BE", 1, 1, 1), ("NL", 4, 2, 1)]
    assert country["response_rate"].tolist() == [1.0, 0.25]
    nuts2 = progress.rates(status, "nuts2")
    assert _rows(nuts2, "nuts2") == [("BE21", 1, 1, 1), ("NL11", 2, 0, 0), ("NL31", 1, 1, 0),
                                     ("NL32", 1, 1, 1)]
    size = progress.rates(status, "size_class")  # small to large, not alphabetical
    assert _rows(size, "size_class") == [("20k-50k", 1, 0, 0), ("100k-250k", 1, 0, 0),
                                         ("ge250k", 3, 3, 2)]
    assert size["response_rate"].tolist() == pytest.approx([0, 0, 2 / 3])
    with pytest.raises(ValueError, match="by must be one of"):
        progress.rates(status, "nuts3")


def test_named_rates(status):
    en = progress.named_rates(status, "country", "en", REFERENCE_DIR)
    assert en[["country", "name"]].values.tolist() == [["BE", "Belgium"], ["NL", "Netherlands"]]
    nl = progress.named_rates(status, "country", "nl", REFERENCE_DIR)
    assert nl["name"].tolist() == ["België", "Nederland"]
    regions = progress.named_rates(status, "nuts2", "en", REFERENCE_DIR)
    assert regions["name"].tolist() == ["Prov. Antwerpen", "Groningen", "Utrecht", "Noord-Holland"]
    sizes = progress.named_rates(status, "size_class", "nl", REFERENCE_DIR)
    assert sizes["name"].tolist() == ["20.000 tot 50.000 inwoners", "100.000 tot 250.000 inwoners",
                                      "≥ 250.000 inwoners"]
    assert progress.area_names("nuts2", ["ZZ99"], "en", REFERENCE_DIR) == ["ZZ99"]
    assert progress.area_names("country", ["NL"], "xx", REFERENCE_DIR) == ["Nederland"]


def test_non_responders(status):
    nr = progress.non_responders(status)
    # started ones first (closest to done), then the others by country and name
    assert nr["municipality_id"].tolist() == ["NL_GM0344", "NL_GM0014", "NL_GM0037"]
    assert set(nr["status"]) == {"started", "invited"}
    assert "NL_GM0363" not in set(nr["municipality_id"])  # one role submitted is enough


def test_reinvite_replaces_link_keeps_respondent(built, reference):
    store, wave, _, tokens = built
    store.invite(wave.wave, ["NL_GM0344"], ["cio"], now=NOW)
    assert store.open_link(tokens[("NL_GM0344", "cio")], now=NOW).status == "revoked"
    status = progress.municipality_status(progress.respondents(store, wave.wave), reference)
    row = status.set_index("municipality_id").loc["NL_GM0344"]
    assert (row["status"], row["respondents_invited"], row["respondents_started"]) == ("started", 2, 1)


def test_draft_change_is_seen(built, reference):
    store, wave, _, tokens = built
    access = store.open_link(tokens[("NL_GM0014", "ciso")], now=NOW)
    save_draft(store, access, Sheet({"SEC-01": Answer(4)}), now=NOW)
    status = progress.municipality_status(progress.respondents(store, wave.wave), reference)
    assert status.set_index("municipality_id").loc["NL_GM0014", "status"] == "started"
    # an unreadable draft counts as no answers rather than failing the whole view
    path = draft_path(store, access)
    path.write_text("{not json", encoding="utf-8")
    status = progress.municipality_status(progress.respondents(store, wave.wave), reference)
    assert status.set_index("municipality_id").loc["NL_GM0014", "status"] == "invited"
    path.write_text(json.dumps({"answers": {"SEC-01": {"level": 1}}, "saved_at": "x"}),
                    encoding="utf-8")
    status = progress.municipality_status(progress.respondents(store, wave.wave), reference)
    assert status.set_index("municipality_id").loc["NL_GM0014", "status"] == "started"


def test_unknown_municipality_keeps_its_id(tmp_path, reference):
    store = SurveyStore(tmp_path)
    store.create_wave("w1", closes_at=dt.datetime(2099, 1, 1, tzinfo=UTC), now=CREATED)
    store.invite("w1", ["XX_0001"], now=CREATED)
    s = progress.municipality_status(progress.respondents(store, "w1"), reference)
    assert s[["municipality_id", "name", "country", "nuts2", "size_class", "status"]].values.tolist() \
        == [["XX_0001", "XX_0001", "XX", "", "unknown", "invited"]]
    assert _rows(progress.rates(s, "size_class"), "size_class") == [("unknown", 1, 0, 0)]


def test_wave_without_invitations(tmp_path, reference):
    store = SurveyStore(tmp_path)
    store.create_wave("w1", closes_at=dt.datetime(2099, 1, 1, tzinfo=UTC), now=CREATED)
    resp = progress.respondents(store, "w1")
    assert resp.empty and list(resp.columns) == progress.RESPONDENT_COLUMNS
    status = progress.municipality_status(resp, reference)
    assert status.empty and list(status.columns) == progress.STATUS_COLUMNS
    assert progress.totals(status) == {"invited": 0, "started": 0, "submitted": 0,
                                       "respondents_invited": 0, "respondents_started": 0,
                                       "respondents_submitted": 0}
    assert progress.response_rate(progress.totals(status)) is None
    for by in ("country", "nuts2", "size_class"):
        r = progress.rates(status, by)
        assert r.empty and list(r.columns) == [by, *progress.RATE_COLUMNS]
        assert progress.named_rates(status, by, "en", REFERENCE_DIR).empty
    assert progress.non_responders(status).empty


def test_many_links_stay_fast(tmp_path, reference):
    """A wave of 5,000 links with drafts and submissions reads in well under a second."""
    import time

    store = SurveyStore(tmp_path)
    store.create_wave("big", closes_at=dt.datetime(2099, 1, 1, tzinfo=UTC), now=CREATED)
    mids = reference.loc[reference["country"] == "FR", "municipality_id"].head(5000).tolist()
    links = store.invite("big", mids, now=CREATED)
    for link in links[:300]:
        save_draft(store, store.open_link(link.token, now=NOW), Sheet({"STR-01": Answer(1)}), now=NOW)
    for link in links[:100]:
        submit(store, store.open_link(link.token, now=NOW), Sheet({"STR-01": Answer(2)}), ELEMENTS,
               now=NOW)
    progress.respondents(store, "big")  # warm the draft cache, as a second page load would
    start = time.perf_counter()
    status = progress.municipality_status(progress.respondents(store, "big"), reference)
    took = time.perf_counter() - start
    assert progress.totals(status)["invited"] == 5000
    assert progress.totals(status)["started"] == 300
    assert progress.totals(status)["submitted"] == 100
    assert took < 1.0, took


def test_status_frame_types(status):
    assert status["respondents_invited"].dtype == "int64"
    assert pd.api.types.is_string_dtype(status["status"])
