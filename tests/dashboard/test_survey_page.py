"""The survey page: links open their own municipality only, drafts save and reload, submit
writes a record, and a survey link unlocks its municipality's own views (consent or not)."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest
from flask import Flask

from dashboard.access import GRANT_COOKIE, viewer_municipality
from dashboard.views.survey import callbacks as survey_callbacks
from dashboard.views.survey import ids as survey_ids
from dashboard.views.survey import page as survey
from pipelines.survey import records

NOW = dt.datetime.now(dt.UTC)


@pytest.fixture(scope="module")
def ctx(tmp_path_factory):
    """Its own small build (the survey folders it writes stay out of the shared fixtures)."""
    from dashboard.config import Settings
    from dashboard.context import AppContext
    from pipelines.build import build
    from pipelines.demo_stage import stage_demo
    from pipelines.staging import DataPaths

    data = tmp_path_factory.mktemp("survey-page")
    stage_demo(DataPaths(data).ensure(), scope="nl", waves=1, seed=3)
    build(data)
    return AppContext.load(Settings.from_env({"DS4E_DATA_DIR": str(data),
                                              "DS4E_VISIBILITY": "consent"}))


@pytest.fixture(scope="module")
def links(ctx):
    """An open wave with links for Amsterdam (cio, dpo) and Rotterdam (team)."""
    ctx.survey.create_wave("s-open", closes_at=NOW + dt.timedelta(days=30),
                           opens_at=NOW - dt.timedelta(days=1), now=NOW - dt.timedelta(days=1))
    issued = ctx.survey.invite("s-open", ["NL_GM0363"], ["cio", "dpo"])
    issued += ctx.survey.invite("s-open", ["NL_GM0599"])
    return {(i.municipality_id, i.role): i.token for i in issued}


@pytest.fixture(scope="module")
def closed_link(ctx):
    """A wave that closed yesterday; its links still work for another month."""
    start = NOW - dt.timedelta(days=10)
    ctx.survey.create_wave("s-closed", opens_at=start, closes_at=NOW - dt.timedelta(days=1),
                           links_valid_until=NOW + dt.timedelta(days=30), now=start)
    return ctx.survey.invite("s-closed", ["NL_GM0344"], now=start)[0].token


@pytest.fixture(scope="module")
def expired_link(ctx):
    start = NOW - dt.timedelta(days=100)
    ctx.survey.create_wave("s-expired", opens_at=start, closes_at=start + dt.timedelta(days=10),
                           links_valid_until=start + dt.timedelta(days=20), now=start)
    return ctx.survey.invite("s-expired", ["NL_GM0518"], now=start)[0].token


def _empty(ctx):
    return {e: None for e in ctx.framework.element_ids}


def _radio(tree, layout, element):
    hits = tree.find(layout, id={"type": survey_ids.LEVEL, "element": element})
    assert len(hits) == 1
    return hits[0]


# ------------------------------------------------------------------ opening a link


def test_no_token_explains_how_to_get_a_link(ctx, tree):
    page = survey.layout(ctx, "en", {})
    assert "personal link" in tree.text(page)
    assert "Try the survey" not in tree.text(page)  # no demo wave opened (yet)
    assert not tree.find(page, id=survey_ids.TOKEN)


def test_demo_data_offer_the_demo_wave_links(ctx, tree):
    from pipelines.survey.demo import open_demo_wave

    links = open_demo_wave(ctx.settings.data_dir, "d-demo")
    page = survey.layout(ctx, "en", {})
    assert "Try the survey on the demo data" in tree.text(page)
    hrefs = [a.href for a in tree.walk(page) if getattr(a, "href", None)]
    assert all(f"/survey?token={x['token']}" in hrefs for x in links)
    assert "Amsterdam · CIO / information manager" in tree.text(page)
    (warning,) = tree.find(page, className="survey-demo-warning")
    assert warning.color == "danger"
    assert "These are public demo links." in tree.text(warning)
    assert "as soon as real data are published" in tree.text(warning)
    nl = tree.text(tree.find(survey.layout(ctx, "nl", {}), className="survey-demo-warning"))
    assert "openbare demolinks" in nl and "echte gegevens worden gepubliceerd" in nl


def _tiny_answers(municipalities, level=2):
    return pd.DataFrame([{
        "municipality_id": m, "wave": "2026", "element_id": "SEC-01", "level": level,
        "respondent_id": f"{m}-r1", "respondent_role": "CIO",
        "submitted_at": pd.Timestamp("2026-04-01", tz="UTC"), "confidence": "high",
        "evidence": None, "publish_consent": True} for m in municipalities])


def test_demo_links_are_listed_only_on_a_demo_build(tmp_path, tree):
    """A hand-made demo build, then real data on top: the links go, and a links file left
    behind on a real build is not listed either."""
    from dashboard.config import Settings
    from dashboard.context import AppContext
    from pipelines.build import build
    from pipelines.staging import DataPaths, stage
    from pipelines.survey.demo import demo_links_path, open_demo_wave

    paths = DataPaths(tmp_path).ensure()
    stage(_tiny_answers(["NL_GM0363", "NL_GM0344"]), sha="d" * 64, name="demo.csv", kind="demo",
          fmt="csv", paths=paths)
    build(tmp_path)
    own = AppContext.load(Settings.from_env({"DS4E_DATA_DIR": str(tmp_path)}))
    links = open_demo_wave(tmp_path, "2026")

    def listed(c) -> list[str]:
        page = survey.layout(c, "en", {})
        return [a.href for a in tree.walk(page) if "token=" in (getattr(a, "href", None) or "")]

    assert len(listed(own)) == len(links) + 1  # and the coordinator's

    stage(_tiny_answers(["NL_GM0599"], 3), sha="r" * 64, name="real.csv", kind="real",
          fmt="csv", paths=paths)
    build(tmp_path)
    assert not own.warehouse.snapshot().demo
    assert listed(own) == [] and not demo_links_path(tmp_path).exists()
    assert "Try the survey" not in tree.text(survey.layout(own, "en", {}))

    open_demo_wave(tmp_path, "leftover")  # e.g. restored from a backup
    assert demo_links_path(tmp_path).exists()
    assert listed(own) == []


@pytest.mark.parametrize("token", ["x" * 32, "not a token", "short"])
def test_wrong_token_gets_a_message_and_no_data(ctx, links, tree, token):
    page = survey.layout(ctx, "en", {"token": token})
    words = tree.text(page)
    assert "not valid" in words
    assert "Amsterdam" not in words and "Rotterdam" not in words
    assert not tree.find(page, id=survey_ids.TOKEN)


def test_valid_token_opens_its_own_municipality(ctx, links, tree):
    page = survey.layout(ctx, "en", {"token": links[("NL_GM0363", "cio")]})
    words = tree.text(page)
    assert "Amsterdam" in words and "NL_GM0363" in words and "CIO" in words
    assert "Rotterdam" not in words
    # every element of the framework has a level question, a don't-know option among them
    for e in ctx.framework.element_ids:
        values = [o["value"] for o in _radio(tree, page, e).options]
        assert values == [0, 1, 2, 3, 4, "dk"]


def test_another_municipalitys_id_in_the_request_is_refused(ctx, links, tree):
    page = survey.layout(ctx, "en", {"token": links[("NL_GM0363", "cio")], "m": "NL_GM0599"})
    words = tree.text(page)
    assert "another municipality" in words
    assert "Amsterdam" not in words and "Rotterdam" not in words
    assert not tree.find(page, id=survey_ids.TOKEN)


def test_expired_token_says_when_and_shows_nothing(ctx, expired_link, tree):
    page = survey.layout(ctx, "en", {"token": expired_link})
    words = tree.text(page)
    assert "expired" in words
    assert "'s-Gravenhage" not in words
    assert not tree.find(page, id=survey_ids.TOKEN)


def test_replaced_token_is_refused(ctx, tree):
    ctx.survey.create_wave("s-renew", closes_at=NOW + dt.timedelta(days=5))
    old = ctx.survey.invite("s-renew", ["NL_GM0014"])[0].token
    new = ctx.survey.invite("s-renew", ["NL_GM0014"])[0].token
    assert "replaced" in tree.text(survey.layout(ctx, "en", {"token": old}))
    assert "Groningen" in tree.text(survey.layout(ctx, "en", {"token": new}))


# ------------------------------------------------------------------ drafts and submissions


def test_answers_are_saved_as_a_draft_and_survive_a_reload(ctx, links, tree):
    token = links[("NL_GM0363", "dpo")]
    e1, e2 = ctx.framework.element_ids[:2]
    levels = {**_empty(ctx), e1: 3, e2: "dk"}
    confs = {**_empty(ctx), e1: "high"}
    evidence = {**_empty(ctx), e1: "raadsbesluit 2025"}
    _bar, text, saved, per = survey_callbacks.on_change(ctx, token, levels, confs, evidence, "no", "en")
    assert text == f"2 of {len(ctx.framework.element_ids)} elements answered"
    assert "Draft saved" in saved
    block = ctx.framework.element_by_id[e1].block
    assert per[block][0] == 2
    # a reload renders the page from the server-side draft
    page = survey.layout(ctx, "en", {"token": token})
    assert _radio(tree, page, e1).value == 3
    assert _radio(tree, page, e2).value == "dk"
    assert tree.find(page, id={"type": survey_ids.CONF, "element": e1})[0].value == "high"
    assert tree.find(page, id={"type": survey_ids.EVIDENCE, "element": e1})[0].value == \
        "raadsbesluit 2025"
    assert tree.find(page, id=survey_ids.CONSENT)[0].value == "no"
    assert f"2 of {len(ctx.framework.element_ids)}" in tree.text(page)


def test_a_wrong_token_saves_nothing(ctx, links):
    e1 = ctx.framework.element_ids[0]
    before = sorted(ctx.survey.root.glob("*/drafts/*.json"))
    out = survey_callbacks.on_change(ctx, "y" * 32, {**_empty(ctx), e1: 4}, _empty(ctx), _empty(ctx),
                                     None, "en")
    assert "not valid" in out[2]
    assert sorted(ctx.survey.root.glob("*/drafts/*.json")) == before


def test_a_tampered_level_is_refused_and_the_draft_kept(ctx, links):
    token = links[("NL_GM0599", "team")]
    e1 = ctx.framework.element_ids[0]
    survey_callbacks.on_change(ctx, token, {**_empty(ctx), e1: 2}, _empty(ctx), _empty(ctx), None, "en")
    out = survey_callbacks.on_change(ctx, token, {**_empty(ctx), e1: 9}, _empty(ctx), _empty(ctx), None,
                                     "en")
    assert "could not be saved" in out[2] and "out of range" in out[2]
    access = ctx.survey.open_link(token)
    assert records.load_draft(ctx.survey, access, ctx.framework.element_ids).sheet.answers[
        e1].level == 2


def test_submit_writes_a_record_and_shows_the_team(ctx, links, tree):
    e1, e2 = ctx.framework.element_ids[:2]
    cio, dpo = links[("NL_GM0363", "cio")], links[("NL_GM0363", "dpo")]
    msg, team = survey_callbacks.on_submit(ctx, cio, {**_empty(ctx), e1: 1, e2: 2}, _empty(ctx),
                                           _empty(ctx), "yes", "en")
    assert "Submitted on" in tree.text(msg)
    assert f"{len(ctx.framework.element_ids) - 2} elements are still unanswered" in tree.text(msg)
    msg, team = survey_callbacks.on_submit(ctx, dpo, {**_empty(ctx), e1: 4, e2: 2}, _empty(ctx),
                                           _empty(ctx), "yes", "en")
    words = tree.text(team)
    assert "2 respondent roles submitted; they disagree on 1 element." in words
    rows = records.submissions(ctx.survey, "s-open")
    assert set(rows["respondent_role"]) == {"cio", "dpo"}
    assert sorted(rows.loc[rows["element_id"] == e1, "level"]) == ["1", "4"]


def test_dont_know_everywhere_submits_and_the_team_still_opens(ctx, links, tree):
    """The Amsterdam defect: a "don't know" on an element nobody else knew gave a 500 on submit
    and from then on a blank /survey for every link of the municipality."""
    e1, e2, e3 = ctx.framework.element_ids[2:5]
    cio, dpo = links[("NL_GM0363", "cio")], links[("NL_GM0363", "dpo")]
    msg, team = survey_callbacks.on_submit(ctx, cio, {**_empty(ctx), e1: "dk", e2: 3, e3: "dk"},
                                           _empty(ctx), _empty(ctx), "yes", "en")
    assert "Submitted on" in tree.text(msg)
    name = ctx.framework.element_by_id[e1].name.get("en")
    row = next(r for r in tree.walk(team) if type(r).__name__ == "Tr" and name in tree.text(r))
    assert "unknown" in tree.text(row) and "don't know" in tree.text(row)
    # the teammate's link (and a reload of the same link) renders the page and the table
    for token in (dpo, cio):
        page = survey.layout(ctx, "nl", {"token": token})
        words = tree.text(page)
        assert "Antwoorden van uw team" in words
        name = ctx.framework.element_by_id[e1].name.get("nl")
        row = next(r for r in tree.walk(page)
                   if type(r).__name__ == "Tr" and name in tree.text(r))
        assert "onbekend" in tree.text(row) and "weet niet" in tree.text(row)


def test_nothing_answered_cannot_be_submitted(ctx, links, tree):
    token = links[("NL_GM0599", "team")]
    before = len(records.record_files(ctx.survey, "s-open"))
    msg, _ = survey_callbacks.on_submit(ctx, token, _empty(ctx), _empty(ctx), _empty(ctx), None, "en")
    assert "answer at least one element" in tree.text(msg)
    assert len(records.record_files(ctx.survey, "s-open")) == before


def test_closed_wave_is_read_only(ctx, closed_link, tree):
    page = survey.layout(ctx, "en", {"token": closed_link})
    words = tree.text(page)
    assert "Utrecht" in words and "closed" in words
    assert not tree.find(page, id={"type": survey_ids.LEVEL,
                                   "element": ctx.framework.element_ids[0]})
    out = survey_callbacks.on_change(ctx, closed_link, {**_empty(ctx), ctx.framework.element_ids[0]: 1},
                                     _empty(ctx), _empty(ctx), None, "en")
    assert "closed" in out[2]
    msg, _ = survey_callbacks.on_submit(ctx, closed_link, {**_empty(ctx), ctx.framework.element_ids[0]: 1},
                                        _empty(ctx), _empty(ctx), None, "en")
    assert "nothing was submitted" in tree.text(msg)
    assert not records.record_files(ctx.survey, "s-closed")


def test_block_navigation():
    assert survey_callbacks.next_block(0, survey_ids.NEXT, 8) == 1
    assert survey_callbacks.next_block(7, survey_ids.NEXT, 8) == 7
    assert survey_callbacks.next_block(0, survey_ids.PREV, 8) == 0
    assert survey_callbacks.next_block(3, {"type": survey_ids.TAB, "block": 5}, 8) == 5
    assert survey_callbacks.next_block(None, None, 8) == 0


def test_both_languages(ctx, links, tree):
    page = survey.layout(ctx, "nl", {"token": links[("NL_GM0363", "cio")]})
    assert "Welk niveau past bij uw gemeente?" in tree.text(page)
    assert _radio(tree, page, ctx.framework.element_ids[0]).options[-1]["label"] == "Weet niet"


# ------------------------------------------------------------------ own views, consent or not


def _hidden_row(ctx):
    snap = ctx.warehouse.snapshot()
    row = snap.maturity.index_of("NL_GM0363")
    return snap, row


def test_a_survey_link_unlocks_its_own_municipality_only(ctx, links):
    snap, row = _hidden_row(ctx)
    snap.consent[row] = False  # whatever the demo drew, this municipality did not consent
    other = snap.maturity.index_of("NL_GM0599")
    snap.consent[other] = False
    token = links[("NL_GM0363", "cio")]
    assert not ctx.visible(snap, row)
    app = Flask(__name__)
    with app.test_request_context("/", headers={"Cookie": f"{GRANT_COOKIE}={token}"}):
        assert viewer_municipality(ctx.survey) == "NL_GM0363"
        assert ctx.visible(snap, row)
        assert not ctx.visible(snap, other)
    with app.test_request_context("/", headers={"Cookie": f"{GRANT_COOKIE}={'z' * 32}"}):
        assert not ctx.visible(snap, row)


def test_profile_shows_own_results_with_the_link(ctx, links, tree):
    from dashboard.views.profile import callbacks as profile

    snap, row = _hidden_row(ctx)
    snap.consent[row] = False
    hidden = tree.text(profile.update_status(ctx, "NL_GM0363", None, None, None, "en"))
    assert "did not consent" in hidden or "not shown" in hidden
    app = Flask(__name__)
    token = links[("NL_GM0363", "cio")]
    with app.test_request_context("/", headers={"Cookie": f"{GRANT_COOKIE}={token}"}):
        shown = tree.text(profile.update_status(ctx, "NL_GM0363", None, None, None, "en"))
    assert shown != hidden
    assert "did not consent" not in shown


def test_the_cookie_continues_the_survey_without_a_token_in_the_address(ctx, links, tree):
    token = links[("NL_GM0363", "cio")]
    app = Flask(__name__)
    with app.test_request_context("/", headers={"Cookie": f"{GRANT_COOKIE}={token}"}):
        page = survey.layout(ctx, "en", {})
    assert "Amsterdam" in tree.text(page) and tree.find(page, id=survey_ids.TOKEN)[0].data == token
    with app.test_request_context("/", headers={"Cookie": f"{GRANT_COOKIE}={'s' * 32}"}):
        stale = survey.layout(ctx, "en", {})
    assert "personal link" in tree.text(stale) and "not valid" not in tree.text(stale)


def test_forget_expires_the_cookie():
    from werkzeug.wrappers import Response

    from dashboard.access import forget

    response = Response()
    forget(response)
    cookie = response.headers["Set-Cookie"]
    assert cookie.startswith(f"{GRANT_COOKIE}=;") and "Max-Age=0" in cookie


def test_grant_cookie_is_httponly_and_strict(ctx, links):
    from werkzeug.wrappers import Response

    from dashboard.access import grant

    token = links[("NL_GM0363", "cio")]
    response = Response()
    grant(response, ctx.survey.open_link(token), token)
    cookie = response.headers["Set-Cookie"]
    assert cookie.startswith(f"{GRANT_COOKIE}={token}")
    assert "HttpOnly" in cookie and "SameSite=Strict" in cookie
    response = Response()
    grant(response, ctx.survey.open_link("q" * 32), "q" * 32)
    assert "Set-Cookie" not in response.headers


def test_the_team_sees_its_consent_decision(ctx, links, tree):
    """Consent is the team's: a yes and a no is a disagreement, shown as 'no' with each role's
    choice; when the no turns into a yes, the decision is yes."""
    cio, ciso = ctx.survey.invite("s-open", ["NL_GM0153"], ["cio", "ciso"])
    e1 = ctx.framework.element_ids[0]
    survey_callbacks.on_submit(ctx, cio.token, {**_empty(ctx), e1: 3}, _empty(ctx), _empty(ctx), "yes",
                               "en")
    _, team = survey_callbacks.on_submit(ctx, ciso.token, {**_empty(ctx), e1: 2}, _empty(ctx),
                                         _empty(ctx), "no", "en")
    words = tree.text(team)
    assert "Publication by name: no, because your team disagrees (cio: yes, ciso: no)" in words
    _, team = survey_callbacks.on_submit(ctx, ciso.token, {**_empty(ctx), e1: 2}, _empty(ctx),
                                         _empty(ctx), "yes", "en")
    assert "Publication by name: yes. Everyone who answered the consent question said yes " \
           "(cio: yes, ciso: yes)" in tree.text(team)


@pytest.mark.parametrize("lang,words", [
    ("en", "1 element is still unanswered; it is left out until you answer it."),
    ("nl", "1 element is nog niet beantwoord; dat blijft buiten beschouwing tot u het "
           "beantwoordt.")])
def test_one_unanswered_element_is_said_in_the_singular(ctx, links, tree, lang, words):
    token = ctx.survey.invite("s-open", ["NL_GM0855"])[0].token
    levels = {e: 2 for e in ctx.framework.element_ids}
    levels[ctx.framework.element_ids[-1]] = None
    msg, _ = survey_callbacks.on_submit(ctx, token, levels, _empty(ctx), _empty(ctx), "no", lang)
    assert words in tree.text(msg)
