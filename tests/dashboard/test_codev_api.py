"""Co-development initiatives through the API: start and join only with a survey link (cookie or
token; wrong, replaced, revoked and coordinator links refused), fields checked, and the consent
rule attacked: a non-consenting municipality's name and id appear in no JSON or CSV answer to
anyone but the holder of its own link, whether listed by element or by municipality; hidden
initiatives appear nowhere."""

from __future__ import annotations

import datetime as dt
import io

import pandas as pd
import pytest

from dashboard import api_models as m
from dashboard.access import GRANT_COOKIE
from pipelines.survey import SurveyStore
from pipelines.survey.initiatives import InitiativeStore

ENSCHEDE = "NL_GM0153"  # consented
GRONINGEN = "NL_GM0014"  # did not consent
ZWOLLE = "NL_GM0193"
API = "/api/v1/initiatives"


@pytest.fixture(scope="module")
def world(nl_data_dir, nl_ctx, api_client, tmp_path_factory):
    state = tmp_path_factory.mktemp("codev-state")
    survey = SurveyStore(state)
    now = dt.datetime.now(dt.UTC)
    _, coordinator = survey.create_wave("codev", opens_at=now - dt.timedelta(days=1),
                                        closes_at=now + dt.timedelta(days=30))
    snap = nl_ctx.warehouse.snapshot()
    consent = dict(zip(snap.maturity.municipality_ids.astype(str), snap.consent, strict=True))
    assert consent[ENSCHEDE] and not consent[GRONINGEN]
    refusing = [mid for mid, ok in consent.items() if not ok and mid.startswith("NL_")
                and mid != GRONINGEN][:1]
    mids = [ENSCHEDE, GRONINGEN, *refusing]
    links = {i.municipality_id: i.token for i in survey.invite("codev", mids)}
    names = dict(zip(nl_ctx.municipalities["municipality_id"], nl_ctx.municipalities["name"],
                     strict=True))
    env = {"DS4E_STATE_DIR": str(state)}
    return {"consent": api_client(nl_data_dir, DS4E_VISIBILITY="consent", **env),
            "open": api_client(nl_data_dir, DS4E_VISIBILITY="open", **env),
            "links": links, "coordinator": coordinator, "survey": survey, "other": refusing[0],
            "names": names, "store": InitiativeStore(survey, nl_ctx.framework.element_ids)}


def cookie(token: str) -> dict:
    return {"cookie": token}


def call(client, method: str, path: str, cookie: str | None = None, **kw):
    """A request carrying the survey cookie of `cookie` (a token), or none."""
    if cookie:
        client.set_cookie(GRANT_COOKIE, cookie)
    try:
        return client.open(path, method=method, **kw)
    finally:
        client.delete_cookie(GRANT_COOKIE)


BODY = {"element": "SEC-02", "description": "A shared SIEM for municipalities in the east",
        "start": "2027-03-01", "kind": "seeks_partners"}


def post(client, path, body, token=None, status=200, model=m.Initiative):
    r = call(client, "POST", path, token, json=body)
    assert r.status_code == status, r.get_json()
    assert r.headers["Cache-Control"] == "no-store"
    return model.model_validate_json(r.data) if status == 200 else m.Error.model_validate_json(
        r.data)


def test_start_and_join_with_survey_links(world):
    c, links = world["consent"], world["links"]
    ini = post(c, API, {**BODY, "component": "Log collector"}, links[ENSCHEDE])
    assert ini.owner.municipality_id == ENSCHEDE and ini.yours == "owner"
    assert ini.component == "Log collector" and ini.start == dt.date(2027, 3, 1)
    joined = post(c, f"{API}/{ini.id}/join", {"role": "adopter", "token": links[GRONINGEN]})
    assert joined.yours == "adopter"  # its own link: named to itself
    assert [p.municipality_id for p in joined.adopters.named] == [GRONINGEN]
    listed = m.InitiativeList.model_validate_json(c.get(f"{API}?element=SEC-02").data)
    mine = next(i for i in listed.items if i.id == ini.id)
    assert mine.adopters.named == [] and mine.adopters.not_named == 1
    err = post(c, f"{API}/{ini.id}/join", {"role": "co_developer"}, links[GRONINGEN], 400)
    assert "joined already" in err.error and err.field == "initiative"
    err = post(c, f"{API}/{ini.id}/join", {"role": "adopter"}, links[ENSCHEDE], 400)
    assert "own initiative" in err.error


@pytest.mark.parametrize("body,field,words", [
    ({**BODY, "element": "NOPE-1"}, "element", "unknown element"),
    ({**BODY, "description": "   "}, "description", "pattern"),
    ({**BODY, "description": "x" * 501}, "description", "500"),
    ({**BODY, "start": "2027-02-30"}, "start", "date"),
    ({**BODY, "kind": "sells"}, "kind", "seeks_partners"),
    ({**BODY, "extra": 1}, "extra", "not a known field"),
    ({k: v for k, v in BODY.items() if k != "description"}, "description", "missing"),
])
def test_bad_fields_are_named(world, body, field, words):
    err = post(world["consent"], API, body, world["links"][ENSCHEDE], 400)
    assert err.field == field and words in err.error, err


def test_links_that_do_not_act_are_403(world):
    c, links, survey = world["consent"], world["links"], world["survey"]
    assert "no survey link" in post(c, API, BODY, None, 403).error
    assert "not known" in post(c, API, {**BODY, "token": "x" * 43}, None, 403).error
    assert "coordinator link" in post(c, API, BODY, world["coordinator"], 403).error
    other = world["other"]
    old = links[other]
    new = {i.municipality_id: i.token for i in survey.invite("codev", [other])}[other]
    assert "replaced or revoked" in post(c, API, BODY, old, 403).error
    ini = post(c, API, BODY, new)
    assert ini.yours == "owner"
    links[other] = new
    assert "no initiative" in post(c, f"{API}/I-000000000000/join", {"role": "adopter"},
                                   links[ENSCHEDE], 404).error


def _everything(client, query: str, headers=None) -> str:
    """Every answer a client can get for this query: JSON and CSV."""
    token = (headers or {}).get("cookie")
    js = call(client, "GET", f"{API}{query}", token)
    csv = call(client, "GET", f"{API}{query}{'&' if '?' in query else '?'}format=csv", token)
    return js.get_data(as_text=True) + csv.get_data(as_text=True)


def test_a_non_consenting_owner_is_never_named(world):
    c, o, links, names = world["consent"], world["open"], world["links"], world["names"]
    ini = post(c, API, {**BODY, "element": "GOV-02", "kind": "offers_reuse",
                        "description": "Our data strategy template, ready to reuse"},
               links[GRONINGEN])
    post(c, f"{API}/{ini.id}/join", {"role": "co_developer"}, links[ENSCHEDE])
    secret = (GRONINGEN, names[GRONINGEN])
    for query in ("", "?element=GOV-02", f"?municipality={ENSCHEDE}",
                  f"?element=GOV-02&municipality={ENSCHEDE}"):
        text = _everything(c, query)
        assert not any(s in text for s in secret), query
        text = _everything(c, query, cookie(links[ENSCHEDE]))  # another municipality's link
        assert not any(s in text for s in secret), query
    listed = m.InitiativeList.model_validate_json(c.get(f"{API}?element=GOV-02").data)
    shown = next(i for i in listed.items if i.id == ini.id)
    assert shown.owner is None and shown.co_developers.named[0].municipality_id == ENSCHEDE
    # by municipality: refused, so the list cannot say what Groningen takes part in
    for client_headers in ({}, cookie(links[ENSCHEDE])):
        r = call(c, "GET", f"{API}?municipality={GRONINGEN}", client_headers.get("cookie"))
        assert r.status_code == 403 and ini.id not in r.get_data(as_text=True)
        r = call(c, "GET", f"{API}?municipality={GRONINGEN.lower()}&format=csv",
                 client_headers.get("cookie"))
        assert r.status_code == 403
    # its own link names it to itself; an open deployment names it to everyone
    own = m.InitiativeList.model_validate_json(
        call(c, "GET", f"{API}?municipality={GRONINGEN}", links[GRONINGEN]).data)
    assert [i.id for i in own.items if i.owner and i.owner.municipality_id == GRONINGEN] \
        == [ini.id]
    assert names[GRONINGEN] in _everything(o, "?element=GOV-02")
    table = pd.read_csv(io.BytesIO(c.get(f"{API}?element=GOV-02&format=csv").data))
    row = table[table["id"] == ini.id].iloc[0]
    assert pd.isna(row["owner_id"]) and ENSCHEDE in row["co_developers"]


def test_hidden_initiatives_appear_nowhere(world):
    c, links, store = world["consent"], world["links"], world["store"]
    ini = post(c, API, {**BODY, "element": "DAT-01", "description": "Buy our product now"},
               links[ENSCHEDE])
    with pytest.raises(Exception, match="only a survey coordinator"):
        store.hide(links[ENSCHEDE], ini.id, "advertising")
    store.hide(world["coordinator"], ini.id, "advertising")
    for client in (c, world["open"]):
        for query in ("", "?element=DAT-01", f"?municipality={ENSCHEDE}"):
            assert ini.id not in _everything(client, query, cookie(links[ENSCHEDE]))
    assert "no initiative" in post(c, f"{API}/{ini.id}/join", {"role": "adopter"},
                                   links[GRONINGEN], 404).error


def test_list_answers_and_errors(world, empty):
    c = world["consent"]
    r = c.get(API)
    assert r.status_code == 200 and r.headers["Cache-Control"] == "no-store"
    assert "ETag" not in r.headers
    listed = m.InitiativeList.model_validate_json(r.data)
    assert listed.count == len(listed.items) >= 1
    assert c.get(f"{API}?element=NOPE").status_code == 400
    assert c.get(f"{API}?municipality=XX_0").status_code == 404
    assert c.get(f"{API}?format=doc").status_code == 400
    for fmt in ("xlsx", "parquet"):
        assert c.get(f"{API}?format={fmt}").status_code == 200
    # nothing published: an empty list (no consent known, so nobody is named)
    assert m.InitiativeList.model_validate_json(empty.get(API).data).count == 0
