"""`python -m pipelines survey ...`: the coordinator's commands, and `build` picking up the
in-app survey's submissions by itself.

The wave is created through a real subprocess once (the entry point); the other commands run
in-process through pipelines.__main__.main, which is the same code without the start-up cost."""

from __future__ import annotations

import csv
import datetime as dt
import re
import subprocess
import sys
from urllib.parse import parse_qs, urlparse

import pandas as pd
import pytest

from dashboard.config import ROOT
from pipelines.__main__ import main
from pipelines.staging import DataPaths, staged_inputs
from pipelines.survey import SurveyStore, parse_sheet, save_draft, submit
from pipelines.survey.records import record_files

T = dt.datetime(2025, 2, 1, 10, 0, tzinfo=dt.UTC)  # inside the wave created below
WAVE = "2025"


def run(*args):
    env = {"PATH": "/usr/bin:/bin", "PYTHONPATH": str(ROOT)}
    return subprocess.run([sys.executable, "-m", "pipelines", *args], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=300)


def cli(data_dir, *args) -> int:
    return main(["--data-dir", str(data_dir), *args])


def token_of(url: str) -> str:
    return parse_qs(urlparse(url).query)["token"][0]


def read_links(path) -> list[dict]:
    with open(path, encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


@pytest.fixture()
def wave(tmp_path, capsys):
    """A wave that opened on 1 January 2025 and closes at the end of 31 January 2099."""
    rc = cli(tmp_path, "survey", "create-wave", "--wave", WAVE, "--opens", "2025-01-01T00:00:00",
             "--closes", "2099-01-31")
    assert rc == 0
    capsys.readouterr()
    return tmp_path


def invite(data_dir, out, municipalities="GM0363,GM0599", roles="cio,dpo") -> int:
    return cli(data_dir, "survey", "invite", "--wave", WAVE, "--country", "NL", "--municipalities",
               municipalities, "--roles", roles, "--out", str(out))


def answer(fw, data_dir, link_row: dict, answers: dict, now=T, *, draft_only=False, consent=None):
    store = SurveyStore(data_dir)
    access = store.open_link(token_of(link_row["link"]), now=now)
    assert access.ok
    sheet = parse_sheet({"answers": {e: {"level": v} for e, v in answers.items()},
                         "consent": consent}, fw.element_ids)
    if draft_only:
        return save_draft(store, access, sheet, now=now)
    return submit(store, access, sheet, fw.element_ids, now=now)


def test_create_wave_prints_a_coordinator_link(tmp_path):
    result = run("--data-dir", str(tmp_path), "survey", "create-wave", "--wave", WAVE,
                 "--closes", "2099-01-31", "--title", "DS4E 2025",
                 "--base-url", "https://ds4e.example.eu/")
    assert result.returncode == 0, result.stderr
    assert "survey wave 2025 open from" in result.stdout
    assert "to 2099-02-01 00:00 UTC" in result.stdout  # a closing date means the end of that day
    match = re.search(r"coordinator link .*: (https://ds4e\.example\.eu/survey/progress\?token=\S+)",
                      result.stdout)
    assert match, result.stdout
    token = token_of(match.group(1))
    store = SurveyStore(tmp_path)
    access = store.open_link(token, now=dt.datetime(2099, 1, 1, tzinfo=dt.UTC))
    assert access.ok and access.coordinator and access.wave.title == "DS4E 2025"
    assert access.wave.closes_at == dt.datetime(2099, 2, 1, tzinfo=dt.UTC)
    assert token.encode() not in (tmp_path / "survey" / WAVE / "wave.json").read_bytes()

    again = run("--data-dir", str(tmp_path), "survey", "create-wave", "--wave", WAVE,
                "--closes", "2099-01-31")
    assert again.returncode == 2
    assert "survey: wave '2025' exists already" in again.stderr and "token=" not in again.stdout


def test_create_wave_rejects_bad_input(tmp_path, capsys):
    assert cli(tmp_path, "survey", "create-wave", "--wave", "a/b", "--closes", "2099-01-31") == 2
    assert "wave 'a/b': use letters" in capsys.readouterr().err
    assert cli(tmp_path, "survey", "create-wave", "--wave", WAVE, "--opens", "2099-02-01T00:00:00",
               "--closes", "2099-01-31") == 2
    assert "before it opens" in capsys.readouterr().err
    with pytest.raises(SystemExit) as exit_info:
        cli(tmp_path, "survey", "create-wave", "--wave", WAVE, "--closes", "next week")
    assert exit_info.value.code == 2
    assert "'next week' is not a date" in capsys.readouterr().err
    assert SurveyStore(tmp_path).waves() == []


def test_invite_writes_one_working_link_per_municipality_and_role(wave, capsys):
    out = wave / "links" / "links.csv"
    assert invite(wave, out) == 0
    assert "4 links for 2 municipalities (cio, dpo) written to" in capsys.readouterr().out
    rows = read_links(out)
    assert list(rows[0]) == ["municipality_id", "name", "role", "link", "valid_until"]
    assert sorted((r["municipality_id"], r["name"], r["role"]) for r in rows) == [
        ("NL_GM0363", "Amsterdam", "cio"), ("NL_GM0363", "Amsterdam", "dpo"),
        ("NL_GM0599", "Rotterdam", "cio"), ("NL_GM0599", "Rotterdam", "dpo")]
    store = SurveyStore(wave)
    assert {r["valid_until"] for r in rows} == {store.wave(WAVE).links_valid_until.date().isoformat()}
    for r in rows:
        assert r["link"].startswith("http://localhost:8050/survey?token=")
        access = store.open_link(token_of(r["link"]), now=T)
        assert access.ok and not access.coordinator
        assert (access.invitation.municipality_id, access.invitation.role) == (r["municipality_id"],
                                                                              r["role"])
        assert token_of(r["link"]).encode() not in (wave / "survey" / WAVE / "invitations.csv"
                                                    ).read_bytes()


def test_invite_refuses_to_overwrite_links(wave, capsys):
    out = wave / "links.csv"
    out.write_text("earlier links\n")
    assert invite(wave, out) == 2
    err = capsys.readouterr().err
    assert f"survey: {out} exists" in err and "new file" in err
    assert out.read_text() == "earlier links\n"
    assert SurveyStore(wave).invitations(WAVE) == []  # nobody was invited


def test_invite_refuses_an_unknown_municipality(wave, capsys):
    out = wave / "links.csv"
    assert invite(wave, out, municipalities="GM0363,GM9999") == 2
    err = capsys.readouterr().err
    assert "unknown municipality" in err and "GM9999" in err and "GM0363" not in err
    assert not out.exists() and SurveyStore(wave).invitations(WAVE) == []

    assert cli(wave, "survey", "invite", "--wave", WAVE, "--municipalities", "NL_GM0363,XX_123",
               "--out", str(out)) == 2
    err = capsys.readouterr().err
    assert "XX_123" in err and "NL_GM0363" not in err and "national codes need --country" in err
    assert cli(wave, "survey", "invite", "--wave", "2031", "--country", "NL", "--municipalities",
               "GM0363", "--out", str(out)) == 2
    assert "no survey wave '2031'" in capsys.readouterr().err
    assert not out.exists()


def test_status_and_non_responders(wave, fw, capsys):
    links = wave / "links.csv"
    assert invite(wave, links, municipalities="GM0363,GM0599,GM0518") == 0
    by = {(r["municipality_id"], r["role"]): r for r in read_links(links)}
    answer(fw, wave, by[("NL_GM0363", "cio")], {"STR-01": 3})  # Amsterdam submitted
    answer(fw, wave, by[("NL_GM0599", "dpo")], {"STR-01": 1}, draft_only=True)  # Rotterdam started
    capsys.readouterr()

    assert cli(wave, "survey", "status", "--wave", WAVE) == 0
    out = capsys.readouterr().out
    assert ("wave 2025: 3 municipalities invited, 2 started, 1 submitted (1 of 6 respondents)"
            in out)
    assert "NL: 1/3 submitted (33%), 2 started" in out

    nr = wave / "non_responders.csv"
    assert cli(wave, "survey", "non-responders", "--wave", WAVE, "--out", str(nr)) == 0
    assert "2 municipalities have not submitted" in capsys.readouterr().out
    table = pd.read_csv(nr, dtype=str, keep_default_na=False)
    assert table["municipality_id"].tolist() == ["NL_GM0599", "NL_GM0518"]  # started first
    assert table["status"].tolist() == ["started", "invited"]
    assert table["roles_not_submitted"].tolist() == ["cio;dpo", "cio;dpo"]
    assert table["name"].tolist() == ["Rotterdam", "'s-Gravenhage"]

    assert cli(wave, "survey", "non-responders", "--wave", WAVE) == 0  # to stdout
    printed = capsys.readouterr().out
    assert "NL_GM0599" in printed and "NL_GM0518" in printed and "NL_GM0363" not in printed


def test_survey_ingest_stages_pending_records(wave, fw, capsys):
    links = wave / "links.csv"
    assert invite(wave, links) == 0
    rows = read_links(links)
    for i, r in enumerate(rows[:3]):
        answer(fw, wave, r, {"STR-01": i, "SEC-01": "dk"})
    capsys.readouterr()
    assert cli(wave, "survey", "ingest") == 0
    assert "3 new survey submissions staged" in capsys.readouterr().out
    staged = staged_inputs(DataPaths(wave))
    assert sorted(s.name for s in staged) == sorted(p.name for p in record_files(SurveyStore(wave)))
    assert [s.rows for s in staged] == [2, 2, 2]
    assert cli(wave, "survey", "ingest") == 0
    assert "0 new survey submissions staged" in capsys.readouterr().out
    assert len(staged_inputs(DataPaths(wave))) == 3


def test_build_picks_up_pending_records(wave, fw, capsys):
    links = wave / "links.csv"
    assert invite(wave, links) == 0
    by = {(r["municipality_id"], r["role"]): r for r in read_links(links)}
    answer(fw, wave, by[("NL_GM0363", "cio")], {"SEC-01": 1}, consent=True)
    answer(fw, wave, by[("NL_GM0363", "dpo")], {"SEC-01": 4})
    answer(fw, wave, by[("NL_GM0599", "cio")], {"SEC-01": 2})
    answer(fw, wave, by[("NL_GM0599", "cio")], {"SEC-01": 3}, now=T + dt.timedelta(days=1))  # amended
    capsys.readouterr()

    assert cli(wave, "build") == 0
    captured = capsys.readouterr()
    assert "staged 4 new survey submissions" in captured.err
    assert "published build" in captured.out
    current = (wave / "warehouse" / "CURRENT").read_text().strip()
    levels = pd.read_parquet(wave / "warehouse" / "builds" / current / "levels.parquet")
    got = {(r.municipality_id, r.element_id): (r.level, r.n_respondents) for r in levels.itertuples()}
    assert got == {("NL_GM0363", "SEC-01"): (1, 2), ("NL_GM0599", "SEC-01"): (3, 1)}
    cov = pd.read_parquet(wave / "warehouse" / "builds" / current / "coverage.parquet")
    assert dict(zip(cov["municipality_id"], cov["publish_consent"], strict=True)) == {
        "NL_GM0363": True, "NL_GM0599": False}

    assert cli(wave, "build") == 0  # nothing new: no staging, no new build
    captured = capsys.readouterr()
    assert "staged" not in captured.err and "up to date" in captured.out


def test_a_separate_state_folder_is_where_the_survey_lives(tmp_path, fw, capsys, monkeypatch):
    """DS4E_STATE_DIR (or --state-dir): the coordinator's commands and the build use the app's
    writable folder; the data folder gets no survey file."""
    data, state = tmp_path / "data", tmp_path / "state"
    monkeypatch.setenv("DS4E_STATE_DIR", str(state))
    assert cli(data, "survey", "create-wave", "--wave", WAVE, "--opens", "2025-01-01T00:00:00",
               "--closes", "2099-01-31") == 0
    assert invite(data, tmp_path / "links.csv") == 0
    assert (state / "survey" / WAVE / "invitations.csv").exists()
    by = {(r["municipality_id"], r["role"]): r for r in read_links(tmp_path / "links.csv")}
    answer(fw, state, by[("NL_GM0363", "cio")], {"SEC-01": 2})
    answer(fw, state, by[("NL_GM0599", "dpo")], {"SEC-01": 1}, draft_only=True)
    capsys.readouterr()
    assert cli(data, "survey", "status", "--wave", WAVE) == 0
    assert "2 municipalities invited, 2 started, 1 submitted" in capsys.readouterr().out
    assert cli(data, "build") == 0
    assert "staged 1 new survey submissions" in capsys.readouterr().err
    current = (data / "warehouse" / "CURRENT").read_text().strip()
    levels = pd.read_parquet(data / "warehouse" / "builds" / current / "levels.parquet")
    assert levels[["municipality_id", "level"]].values.tolist() == [["NL_GM0363", 2]]
    # the record stays where the app wrote it (the state folder's inbox), staged once
    (record,) = record_files(SurveyStore(state))
    assert [s.name for s in staged_inputs(DataPaths(data))] == [record.name]
    assert not (data / "survey").exists() and not (data / "inbox" / "survey").exists()
    assert not [p for p in (data / "inbox").rglob("*") if p.is_file()]
    # the flag says the same as the variable
    monkeypatch.delenv("DS4E_STATE_DIR")
    assert main(["--data-dir", str(data), "--state-dir", str(state), "survey", "status",
                 "--wave", WAVE]) == 0


def test_revoke_a_role_then_the_rest_of_a_municipality(wave, capsys):
    links = wave / "links.csv"
    assert invite(wave, links) == 0
    by = {(r["municipality_id"], r["role"]): token_of(r["link"]) for r in read_links(links)}
    store = SurveyStore(wave)
    capsys.readouterr()

    assert cli(wave, "survey", "revoke", "--wave", WAVE, "--municipality", "NL_GM0363",
               "--role", "cio") == 0
    assert "revoked 1 link(s) of NL_GM0363 in wave 2025 (cio)" in capsys.readouterr().out
    assert store.open_link(by[("NL_GM0363", "cio")], now=T).status == "revoked"
    assert store.open_link(by[("NL_GM0363", "dpo")], now=T).ok

    assert cli(wave, "survey", "revoke", "--wave", WAVE, "--country", "NL", "--municipality",
               "GM0599") == 0  # a national code, as `invite` takes it
    assert "revoked 2 link(s) of NL_GM0599 in wave 2025 (cio, dpo)" in capsys.readouterr().out
    assert [(k, store.open_link(t, now=T).ok) for k, t in sorted(by.items())] == [
        (("NL_GM0363", "cio"), False), (("NL_GM0363", "dpo"), True),
        (("NL_GM0599", "cio"), False), (("NL_GM0599", "dpo"), False)]


@pytest.mark.parametrize(("args", "message"), [
    (["--municipality", "NL_GM0363", "--role", "ciso"],
     "'NL_GM0363' has no working link with role 'ciso' in wave '2025'; its working links: cio, dpo"),
    (["--municipality", "NL_GM0014"], "municipality 'NL_GM0014' has no link in wave '2025'"),
    (["--municipality", "GM9999", "--country", "NL"], "unknown municipality 'GM9999'"),
    ([], "say whose links to revoke: --municipality"),
    (["--coordinator", "--municipality", "NL_GM0363"], "--coordinator renews the coordinator"),
])
def test_revoke_refuses_with_a_reason(wave, capsys, args, message):
    assert invite(wave, wave / "links.csv") == 0
    before = (wave / "survey" / WAVE / "invitations.csv").read_bytes()
    capsys.readouterr()
    assert cli(wave, "survey", "revoke", "--wave", WAVE, *args) == 2
    assert message in capsys.readouterr().err
    assert (wave / "survey" / WAVE / "invitations.csv").read_bytes() == before


def test_revoke_in_an_unknown_wave(wave, capsys):
    assert cli(wave, "survey", "revoke", "--wave", "2031", "--municipality", "NL_GM0363") == 2
    assert "no survey wave '2031'" in capsys.readouterr().err


def test_revoke_the_coordinator_link(tmp_path, capsys):
    assert cli(tmp_path, "survey", "create-wave", "--wave", WAVE, "--closes", "2099-01-31") == 0
    old = token_of(re.search(r"https?://\S+", capsys.readouterr().out).group(0))
    assert cli(tmp_path, "survey", "revoke", "--wave", WAVE, "--coordinator",
               "--base-url", "https://ds4e.example.eu") == 0
    out = capsys.readouterr().out
    assert "the old coordinator link of wave 2025 no longer works" in out
    new = token_of(re.search(r"https://ds4e\.example\.eu/survey/progress\?token=\S+", out).group(0))
    store = SurveyStore(tmp_path)
    assert store.open_link(old).status == "unknown"
    assert store.open_link(new).coordinator


def _formula_names(monkeypatch):
    """Reference data whose names a spreadsheet would run (a name is text from outside)."""
    from pipelines.survey import cli as survey_cli

    real = survey_cli._reference

    def reference(args):
        table = real(args).copy()
        table.loc[table["municipality_id"] == "NL_GM0363", "name"] = "=HYPERLINK(\"x\")"
        table.loc[table["municipality_id"] == "NL_GM0599", "name"] = "-2+3"
        return table
    monkeypatch.setattr(survey_cli, "_reference", reference)


def test_links_and_non_responder_files_neutralise_formulas(wave, capsys, monkeypatch):
    _formula_names(monkeypatch)
    links = wave / "links.csv"
    assert invite(wave, links) == 0
    names = {r["municipality_id"]: r["name"] for r in read_links(links)}
    assert names == {"NL_GM0363": "'=HYPERLINK(\"x\")", "NL_GM0599": "'-2+3"}
    assert all(token_of(r["link"]) for r in read_links(links))  # links still usable as such

    nr = wave / "non_responders.csv"
    assert cli(wave, "survey", "non-responders", "--wave", WAVE, "--out", str(nr)) == 0
    table = pd.read_csv(nr, dtype=str, keep_default_na=False)
    assert sorted(table["name"]) == ["'-2+3", "'=HYPERLINK(\"x\")"]
    assert table["respondents_invited"].tolist() == ["2", "2"]  # numbers stay numbers
    capsys.readouterr()
    assert cli(wave, "survey", "non-responders", "--wave", WAVE) == 0
    printed = capsys.readouterr().out
    assert "'=HYPERLINK" in printed and ",=HYPERLINK" not in printed
