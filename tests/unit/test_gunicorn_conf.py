"""gunicorn.conf.py takes workers, threads and the address from the settings, preloads, and
logs requests without survey queries or tokens (issue 16)."""

from __future__ import annotations

import datetime as dt
import runpy
from types import SimpleNamespace

import pytest
from gunicorn.config import Config

from dashboard.config import ROOT, Settings, cpu_cores

CONF = str(ROOT / "gunicorn.conf.py")
SETTINGS = ("DS4E_WORKERS", "DS4E_THREADS", "HOST", "PORT")


def load(monkeypatch, **env) -> dict:
    for name in SETTINGS:
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return runpy.run_path(CONF)


def test_defaults_a_worker_per_core_four_threads_preloaded(monkeypatch):
    conf = load(monkeypatch)
    assert conf["workers"] == cpu_cores() >= 1 and conf["threads"] == 4
    assert conf["bind"] == "127.0.0.1:8050" and conf["worker_class"] == "gthread"
    assert conf["preload_app"] is True and conf["graceful_timeout"] == 30


def test_settings_override(monkeypatch):
    conf = load(monkeypatch, DS4E_WORKERS="3", DS4E_THREADS="8", HOST="0.0.0.0", PORT="9000")
    assert (conf["workers"], conf["threads"], conf["bind"]) == (3, 8, "0.0.0.0:9000")
    assert load(monkeypatch, HOST="::1")["bind"] == "[::1]:8050"


@pytest.mark.parametrize("env", [{"DS4E_WORKERS": "0"}, {"DS4E_WORKERS": "many"},
                                 {"DS4E_THREADS": "-1"}])
def test_bad_counts_are_named(env):
    with pytest.raises(ValueError, match=next(iter(env))):
        Settings.from_env(env)


@pytest.mark.parametrize(("target", "hidden"), [
    ("/survey?token=s3cret", "s3cret"), ("/survey/progress?token=s3cret", "s3cret"),
    ("/survey?m=NL_GM0153", "NL_GM0153"), ("/api/v1/health?token=s3cret", "s3cret")])
def test_the_access_log_drops_tokens(monkeypatch, target, hidden):
    conf = load(monkeypatch)
    logger = conf["logger_class"](Config())
    path, _, query = target.partition("?")
    environ = {"REQUEST_METHOD": "GET", "RAW_URI": target, "PATH_INFO": path,
               "QUERY_STRING": query, "SERVER_PROTOCOL": "HTTP/1.1", "REMOTE_ADDR": "127.0.0.1"}
    resp = SimpleNamespace(status="200 OK", headers=[], sent=10, response_length=10)
    atoms = logger.atoms(resp, SimpleNamespace(headers=[]), environ, dt.timedelta(seconds=0.01))
    line = conf["access_log_format"] % atoms
    assert f'"GET {path}' in line and hidden not in line


@pytest.mark.parametrize(("preload", "rehearse", "expected"), [
    (True, "1", [("rehearse", [], True)]), (True, "0", []), (False, "1", [("background",)])])
def test_each_worker_rehearses_the_api_before_serving(monkeypatch, preload, rehearse, expected):
    """A preloaded worker makes one call of each API read before it accepts requests (the
    first call after the fork paid copy-on-write: 11 against 3 ms); the pages stay the master's."""
    from dashboard import rehearsal, warmup

    calls = []
    monkeypatch.setattr(rehearsal, "rehearse", lambda server, pages=None, api=True: calls.append(
        ("rehearse", pages, api)) or rehearsal.Rehearsal([], 0.1, []))
    monkeypatch.setattr(warmup, "start_background", lambda server: calls.append(("background",)))
    conf = load(monkeypatch, DS4E_REHEARSE=rehearse)
    worker = SimpleNamespace(cfg=SimpleNamespace(preload_app=preload), wsgi=object(), pid=1)
    conf["post_worker_init"](worker)
    assert calls == expected
