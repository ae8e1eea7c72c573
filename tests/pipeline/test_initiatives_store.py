"""Co-development initiatives in the survey store: create, join, leave, hide with valid, wrong,
replaced and expired links; clear errors naming the field; the append-only history and its fold
(hypothesis: any sequence of events keeps counts >= 0 and every event in the history)."""

from __future__ import annotations

import datetime as dt
import json
import threading

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pipelines.survey import SurveyStore
from pipelines.survey.initiatives import (
    MAX_DESCRIPTION,
    ROLES,
    InitiativeError,
    InitiativeStore,
    LinkRefused,
    UnknownInitiative,
    fold,
)

UTC = dt.UTC
OPENS = dt.datetime(2025, 1, 1, tzinfo=UTC)
CLOSES = dt.datetime(2025, 3, 1, tzinfo=UTC)
T = dt.datetime(2025, 2, 1, 10, 0, tzinfo=UTC)
ELEMENTS = ("SEC-01", "SEC-02", "DAT-01")


@pytest.fixture
def world(tmp_path):
    survey = SurveyStore(tmp_path)
    _, coordinator = survey.create_wave("2025", opens_at=OPENS, closes_at=CLOSES,
                                        now=OPENS - dt.timedelta(days=1))
    links = {i.municipality_id: i.token
             for i in survey.invite("2025", ["NL_A", "NL_B", "NL_C"], now=OPENS)}
    return InitiativeStore(survey, ELEMENTS), links, coordinator


def start(store, token, **kw):
    args = {"element": "SEC-02", "description": "A shared SIEM for small municipalities",
            "start": "2025-04-01", "kind": "seeks_partners", "now": T} | kw
    return store.create(token, **args)


def test_create_join_leave_and_history(world):
    store, links, _ = world
    ini = start(store, links["NL_A"], component="Log collector")
    assert ini.owner == "NL_A" and ini.element == "SEC-02" and ini.component == "Log collector"
    assert ini.start == dt.date(2025, 4, 1) and ini.kind == "seeks_partners"
    ini = store.join(links["NL_B"], ini.id, "co_developer", now=T)
    ini = store.join(links["NL_C"], ini.id, "adopter", now=T)
    assert ini.members == {"NL_B": "co_developer", "NL_C": "adopter"}
    assert (ini.count("co_developer"), ini.count("adopter")) == (1, 1)
    ini = store.leave(links["NL_C"], ini.id, now=T)
    assert ini.members == {"NL_B": "co_developer"}
    assert [e["event"] for e in ini.history] == ["created", "joined", "joined", "left"]
    # append-only: the file holds every event, each line once
    lines = store.path.read_text(encoding="utf-8").splitlines()
    assert [json.loads(x)["event"] for x in lines] == ["created", "joined", "joined", "left"]
    # another store over the same folder (another worker) sees the same state
    again = InitiativeStore(SurveyStore(store.survey.data_dir), ELEMENTS)
    assert again.get(ini.id) == ini


@pytest.mark.parametrize(("kw", "field", "words"), [
    ({"element": "NOPE-9"}, "element", "not an element"),
    ({"description": "   "}, "description", "empty"),
    ({"description": "x" * (MAX_DESCRIPTION + 1)}, "description", "at most 500"),
    ({"description": "bell\x07"}, "description", "control"),
    ({"start": "2025-13-01"}, "start", "not a date"),
    ({"start": "tomorrow"}, "start", "not a date"),
    ({"start": 20250401}, "start", "give a date"),
    ({"start": "1900-01-01"}, "start", "not between"),
    ({"kind": "sells"}, "kind", "seeks_partners"),
    ({"component": "c" * 121}, "component", "at most 120"),
])
def test_bad_input_names_the_field(world, kw, field, words):
    store, links, _ = world
    with pytest.raises(InitiativeError) as err:
        start(store, links["NL_A"], **kw)
    assert err.value.field == field and words in str(err.value)
    assert field in str(err.value)
    assert store.all() == {}


def test_description_of_exactly_500_is_fine(world):
    store, links, _ = world
    assert len(start(store, links["NL_A"], description="y" * 500).description) == 500


def test_join_refusals(world):
    store, links, _ = world
    ini = start(store, links["NL_A"])
    with pytest.raises(InitiativeError, match="own initiative") as err:
        store.join(links["NL_A"], ini.id, "adopter", now=T)
    assert err.value.field == "initiative"
    store.join(links["NL_B"], ini.id, "adopter", now=T)
    with pytest.raises(InitiativeError, match="joined already"):
        store.join(links["NL_B"], ini.id, "co_developer", now=T)
    with pytest.raises(InitiativeError, match="role") as err:
        store.join(links["NL_C"], ini.id, "owner", now=T)
    assert err.value.field == "role"
    with pytest.raises(UnknownInitiative, match="no initiative"):
        store.join(links["NL_C"], "I-000000000000", "adopter", now=T)
    with pytest.raises(InitiativeError, match="not a member"):
        store.leave(links["NL_A"], ini.id, now=T)
    assert store.get(ini.id).members == {"NL_B": "adopter"}


def test_links_wrong_replaced_revoked_expired_and_coordinator(world):
    store, links, coordinator = world
    with pytest.raises(LinkRefused, match="not known"):
        start(store, "x" * 43)
    with pytest.raises(LinkRefused, match="no survey link"):
        start(store, None)
    old = links["NL_A"]
    new = {i.municipality_id: i.token for i in store.survey.invite("2025", ["NL_A"], now=T)}
    with pytest.raises(LinkRefused, match="replaced or revoked"):
        start(store, old)
    ini = start(store, new["NL_A"])
    store.survey.revoke("2025", "NL_B")
    with pytest.raises(LinkRefused, match="replaced or revoked"):
        store.join(links["NL_B"], ini.id, "adopter", now=T)
    late = store.survey.wave("2025").links_valid_until + dt.timedelta(days=1)
    with pytest.raises(LinkRefused, match="expired on"):
        store.join(links["NL_C"], ini.id, "adopter", now=late)
    with pytest.raises(LinkRefused, match="coordinator link does not act"):
        start(store, coordinator)
    assert list(store.all()) == [ini.id] and store.get(ini.id).members == {}


def test_hide_only_with_coordinator_link(world):
    store, links, coordinator = world
    ini = start(store, links["NL_A"])
    with pytest.raises(LinkRefused, match="only a survey coordinator"):
        store.hide(links["NL_A"], ini.id, "spam", now=T)
    with pytest.raises(InitiativeError, match="reason: empty"):
        store.hide(coordinator, ini.id, "", now=T)
    hidden = store.hide(coordinator, ini.id, "advertising, not an initiative", now=T)
    assert hidden.hidden and hidden.hidden_reason == "advertising, not an initiative"
    with pytest.raises(UnknownInitiative):  # hidden: gone for municipalities
        store.get(ini.id)
    with pytest.raises(UnknownInitiative):
        store.join(links["NL_B"], ini.id, "adopter", now=T)
    assert store.get(ini.id, coordinator=True).hidden
    with pytest.raises(InitiativeError, match="hidden already"):
        store.hide(coordinator, ini.id, "again", now=T)
    shown = store.unhide(coordinator, ini.id, now=T)
    assert not shown.hidden and shown.hidden_reason is None
    assert [e["event"] for e in shown.history] == ["created", "hidden", "unhidden"]
    assert shown.history[1]["coordinator_wave"] == "2025"
    renewed = store.survey.renew_coordinator("2025")
    with pytest.raises(LinkRefused, match="coordinator link is not known"):
        store.hide(coordinator, ini.id, "old link", now=T)
    assert store.hide(renewed, ini.id, "new link", now=T).hidden


def test_a_partly_written_line_is_skipped_and_ended(world):
    store, links, _ = world
    ini = start(store, links["NL_A"])
    with store.path.open("ab") as fh:
        fh.write(b'{"event": "joined", "initiative": "')  # a crash mid-append
    assert store.get(ini.id).members == {}
    store.join(links["NL_B"], ini.id, "adopter", now=T)
    assert store.get(ini.id).members == {"NL_B": "adopter"}


def test_concurrent_joins_of_one_municipality_count_once(world):
    store, links, _ = world
    ini = start(store, links["NL_A"])
    outcomes = []

    def go():
        other = InitiativeStore(SurveyStore(store.survey.data_dir), ELEMENTS)
        try:
            other.join(links["NL_B"], ini.id, "adopter", now=T)
            outcomes.append("ok")
        except InitiativeError:
            outcomes.append("refused")

    threads = [threading.Thread(target=go) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes) == ["ok"] + ["refused"] * 7
    assert len(store.get(ini.id).history) == 2


def test_writes_stay_in_the_state_folder(world):
    store, links, _ = world
    start(store, links["NL_A"])
    assert store.path.is_relative_to(store.survey.data_dir)
    assert store.path.parent.name == "initiatives"


# ------------------------------------------------------------------ the fold, as a property

MUNIS = ["A", "B", "C", "D"]
IDS = ["I-1", "I-2"]
event = st.one_of(
    st.builds(lambda i, m: {"event": "created", "initiative": i, "municipality_id": m},
              st.sampled_from(IDS), st.sampled_from(MUNIS)),
    st.builds(lambda i, m, r: {"event": "joined", "initiative": i, "municipality_id": m,
                               "role": r},
              st.sampled_from(IDS), st.sampled_from(MUNIS), st.sampled_from([*ROLES, "bad"])),
    st.builds(lambda i, m: {"event": "left", "initiative": i, "municipality_id": m},
              st.sampled_from(IDS), st.sampled_from(MUNIS)),
    st.builds(lambda i, h: {"event": h, "initiative": i, "reason": "r"},
              st.sampled_from(IDS), st.sampled_from(["hidden", "unhidden"])),
)


def _complete(ev: dict) -> dict:
    if ev["event"] == "created":
        return {**ev, "element": "SEC-01", "description": "d", "start": "2025-01-01",
                "kind": "offers_reuse", "at": "2025-01-01T00:00:00+00:00"}
    return ev


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(event, max_size=40))
def test_fold_keeps_counts_and_history(events):
    events = [_complete(e) for e in events]
    state = fold(events)
    for iid, ini in state.items():
        mine = [e for e in events if e["initiative"] == iid]
        first = next(i for i, e in enumerate(mine) if e["event"] == "created")
        assert list(ini.history) == mine[first:]  # nothing lost, nothing reordered
        for role in ROLES:
            assert ini.count(role) >= 0
        assert ini.owner not in ini.members
        assert set(ini.members.values()) <= set(ROLES)
        # a member is whoever joined (validly) after their last leave
        for m in MUNIS:
            if m == ini.owner:
                continue
            seq = [e for e in mine[first:] if e.get("municipality_id") == m
                   and e["event"] in ("joined", "left")
                   and (e["event"] == "left" or e["role"] in ROLES)]
            expected = None
            for e in seq:
                if e["event"] == "left":
                    expected = None
                elif expected is None:
                    expected = e["role"]
            assert ini.members.get(m) == expected
        hides = [e["event"] for e in mine[first:] if e["event"] in ("hidden", "unhidden")]
        assert ini.hidden == (bool(hides) and hides[-1] == "hidden")
    assert set(state) == {e["initiative"] for e in events if e["event"] == "created"}


def test_the_coordinator_commands(world, monkeypatch, capsys):
    """`survey initiatives` lists hidden ones too; `survey hide-initiative` needs the
    coordinator link (from $DS4E_COORDINATOR_TOKEN, never an argument)."""
    from pipelines.__main__ import main

    store, _, _ = world
    now = dt.datetime.now(UTC)  # the command runs at the clock's time: a wave open today
    _, coordinator = store.survey.create_wave("today", closes_at=now + dt.timedelta(days=9))
    links = {i.municipality_id: i.token for i in store.survey.invite("today", ["NL_A", "NL_B"])}
    ini = start(store, links["NL_A"], description="=HYPERLINK(\"x\")", now=now)
    data = str(store.survey.data_dir)
    monkeypatch.setenv("DS4E_COORDINATOR_TOKEN", links["NL_B"])
    assert main(["--data-dir", data, "survey", "hide-initiative", "--id", ini.id,
                 "--reason", "spam"]) == 2
    assert "only a survey coordinator" in capsys.readouterr().err
    monkeypatch.setenv("DS4E_COORDINATOR_TOKEN",
                       f"http://localhost:8050/survey/progress?token={coordinator}")
    assert main(["--data-dir", data, "survey", "hide-initiative", "--id", ini.id]) == 2
    assert "reason: empty" in capsys.readouterr().err
    assert main(["--data-dir", data, "survey", "hide-initiative", "--id", ini.id,
                 "--reason", "spam"]) == 0
    assert "is hidden" in capsys.readouterr().out
    assert store.get(ini.id, coordinator=True).hidden
    assert main(["--data-dir", data, "survey", "initiatives"]) == 0
    out = capsys.readouterr().out
    assert ini.id in out and "yes,spam" in out and "'=HYPERLINK" in out
    assert main(["--data-dir", data, "survey", "hide-initiative", "--id", ini.id,
                 "--unhide"]) == 0
    assert not store.get(ini.id).hidden


def test_one_municipality_owns_at_most_max_open_shown_initiatives(world):
    from pipelines.survey.initiatives import MAX_OPEN

    store, links, coordinator = world
    made = [start(store, links["NL_C"], description=f"idea {i}") for i in range(MAX_OPEN)]
    with pytest.raises(InitiativeError, match="the most at once") as err:
        start(store, links["NL_C"])
    assert err.value.field == "owner"
    store.hide(coordinator, made[0].id, "ended", now=T)
    assert start(store, links["NL_C"], description="one more").owner == "NL_C"
