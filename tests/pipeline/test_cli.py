"""The command line: help everywhere, status, and the demo -> build -> status flow."""

from __future__ import annotations

import subprocess
import sys

import pytest

from dashboard.config import ROOT
from pipelines.__main__ import main, parser

COMMANDS = ["demo", "ingest", "build", "status", "export", "first-run", "reference", "report",
            "survey", "funding"]


def run(*args, env_data_dir=None):
    env = {"PATH": "/usr/bin:/bin", "PYTHONPATH": str(ROOT)}
    if env_data_dir:
        env["DS4E_DATA_DIR"] = str(env_data_dir)
    return subprocess.run([sys.executable, "-m", "pipelines", *args], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=300)


@pytest.mark.parametrize("command", COMMANDS)
def test_every_command_has_help(command, capsys):
    with pytest.raises(SystemExit) as exit_info:
        main([command, "--help"])
    assert exit_info.value.code == 0
    assert "usage: python -m pipelines" in capsys.readouterr().out


def test_data_dir_comes_from_environment(tmp_path):
    result = run("status", env_data_dir=tmp_path)
    assert result.returncode == 0
    assert str(tmp_path) in result.stdout
    assert "nothing yet" in result.stdout


def test_demo_build_status_flow(tmp_path):
    assert run("demo", "--scope", "be", "--waves", "2", env_data_dir=tmp_path).returncode == 0
    built = run("build", env_data_dir=tmp_path)
    assert built.returncode == 0, built.stderr
    assert "DEMO data" in built.stdout
    again = run("build", env_data_dir=tmp_path)
    assert "up to date" in again.stdout
    status = run("status", env_data_dir=tmp_path)
    assert "[DEMO DATA]" in status.stdout and "demo-be-w2-s42.parquet" in status.stdout
    assert (tmp_path / "inbox" / "demo-be-w2-s42.parquet").exists()


def test_first_run_only_once(tmp_path):
    first = run("first-run", "--scope", "be", "--waves", "1", env_data_dir=tmp_path)
    assert first.returncode == 0, first.stderr
    assert "generating demo data" in first.stderr
    # it builds by itself: no advice to build, and it ends with where the app is
    assert "python -m pipelines build" not in first.stdout + first.stderr
    assert first.stderr.strip().splitlines()[-1].endswith("the app starts at "
                                                          "http://127.0.0.1:8050/")
    second = run("first-run", "--scope", "be", env_data_dir=tmp_path)
    assert second.returncode == 0 and "generating" not in second.stderr
    assert "http://127.0.0.1:8050/" in second.stderr


def test_first_run_opens_a_demo_survey_wave_once(tmp_path):
    from pipelines.survey.demo import DEMO_INVITES, demo_links
    from pipelines.survey.waves import SurveyStore

    result = run("first-run", "--scope", "nl", "--waves", "1", env_data_dir=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "demo survey wave 2026 is open" in result.stderr
    demo = demo_links(tmp_path)
    store = SurveyStore(tmp_path)
    assert [w.wave for w in store.waves()] == [demo["wave"]] == ["2026"]  # the demo's last wave
    assert len(demo["links"]) == sum(len(roles) for _, roles in DEMO_INVITES)
    for link in demo["links"]:
        access = store.open_link(link["token"])
        assert access.ok and access.invitation.municipality_id == link["municipality_id"]
    assert store.open_link(demo["coordinator_token"]).coordinator
    assert run("first-run", "--scope", "nl", env_data_dir=tmp_path).returncode == 0
    assert len(store.waves()) == 1


def test_build_without_input_explains(tmp_path):
    result = run("build", env_data_dir=tmp_path)
    assert result.returncode == 1
    assert "nothing is staged" in result.stderr


def test_parser_knows_all_commands():
    sub = next(a for a in parser()._actions if a.dest == "command")
    assert set(sub.choices) == set(COMMANDS)


def test_demo_allows_one_to_five_waves():
    assert parser().parse_args(["demo", "--scope", "eu", "--waves", "5"]).waves == 5
    for bad in ("0", "6"):
        with pytest.raises(SystemExit):
            parser().parse_args(["demo", "--waves", bad])
