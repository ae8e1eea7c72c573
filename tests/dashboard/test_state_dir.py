"""Read-only serving, one writable place: everything the app writes at run time (survey drafts,
submission records; waves and links live there too) goes to DS4E_STATE_DIR, and nothing else is
written: the published build, the reference data and the framework may be read-only.

In-process, every write Python makes is recorded with an audit hook (open for writing, mkdir,
rename/replace, remove, link, chmod, ...) during a whole journey through the app: every page,
the API, a survey link opened, answers saved and submitted, the coordinator's progress page.
Writes by C++ libraries (DuckDB, Arrow) are invisible to the hook; test_serving.py serves from a
folder the kernel keeps read-only, which catches those as well.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import sys
from pathlib import Path

import pytest
from dash_http import find, payload, survey_values

from dashboard import ids
from dashboard.config import ROOT, Settings
from dashboard.registry import PAGES
from dashboard.views.survey import ids as survey_ids
from pipelines.survey.records import record_files
from pipelines.survey.waves import SurveyStore

WAVE = "2026-state"
MID = "NL_GM0363"
_WRITE_FLAGS = os.O_WRONLY | os.O_RDWR | os.O_CREAT | os.O_TRUNC | os.O_APPEND
_recording: list[tuple[str, str]] | None = None


def _path(value) -> str | None:
    if isinstance(value, bytes):
        value = os.fsdecode(value)
    if isinstance(value, (str, os.PathLike)):
        return os.path.abspath(value)
    return None  # a file descriptor: its opening was recorded


def _audit(event: str, args) -> None:
    if _recording is None:
        return
    if event == "open":
        path, mode, flags = args
        writes = any(c in mode for c in "wax+") if isinstance(mode, str) else \
            bool((flags or 0) & _WRITE_FLAGS)
        targets = [path] if writes else []
    elif event in ("os.mkdir", "os.remove", "os.rmdir", "os.truncate", "os.chmod", "os.chown",
                   "os.utime", "shutil.rmtree", "tempfile.mkstemp", "tempfile.mkdtemp"):
        targets = [args[0]]
    elif event in ("os.rename", "os.link", "os.symlink", "shutil.copyfile", "shutil.move"):
        targets = [args[0], args[1]]
    else:
        return
    for t in targets:
        p = _path(t)
        if p is not None:
            _recording.append((event, p))


sys.addaudithook(_audit)  # cannot be removed: it records only while a test switches it on


@pytest.fixture()
def recorder():
    global _recording
    _recording = []
    try:
        yield _recording
    finally:
        _recording = None


def under(path: str, folder: Path) -> bool:
    return Path(path).is_relative_to(folder.resolve())


def test_a_whole_journey_writes_only_to_the_state_folder(nl_data_dir, tmp_path, api_client,
                                                         fw, recorder):
    data, state = tmp_path / "data", tmp_path / "state"
    shutil.copytree(nl_data_dir, data)
    store = SurveyStore(state)
    now = dt.datetime.now(dt.UTC)
    _, coordinator = store.create_wave(WAVE, closes_at=now + dt.timedelta(days=30),
                                       opens_at=now - dt.timedelta(days=1))
    cio, ciso = store.invite(WAVE, [MID], ["cio", "ciso"])
    client = api_client(data, DS4E_STATE_DIR=str(state), DS4E_VISIBILITY="consent")
    settings = Settings.from_env({"DS4E_DATA_DIR": str(data), "DS4E_STATE_DIR": str(state)})
    assert settings.state_dir == state and settings.data_dir == data
    recorder.clear()

    def get(url, status=200):
        r = client.get(url)
        assert r.status_code == status, (url, r.status_code)
        return r

    def call(output_id, values, changed, prop=None):
        spec = find(deps, output_id, prop)
        r = client.post("/_dash-update-component", json=payload(spec, values, changed))
        assert r.status_code in (200, 204), (output_id, r.status_code, r.data[:300])
        return r

    get("/")
    get("/_dash-layout")
    deps = get("/_dash-dependencies").get_json()
    pages = [(p.PATH, "") for p in PAGES] + [("/profile", f"?m={MID}"),
                                             ("/survey", f"?token={cio.token}"),
                                             ("/survey/progress", f"?token={coordinator}")]
    for path, search in pages:
        for lang in ("nl", "en"):
            call(ids.PAGE, {"url.pathname": path, "url.search": search, "lang.value": lang},
                 ["url.pathname"])
    call(ids.DEMO_BANNER, {"url.pathname": "/", "lang.value": "en"}, ["url.pathname"])

    for url in ("/api/v1/health", "/api/v1/framework", "/api/v1/municipalities?country=NL",
                f"/api/v1/municipalities/{MID}", "/api/v1/aggregates?level=country",
                f"/api/v1/municipalities/{MID}/roadmap", "/api/v1/insight/leverage",
                "/api/v1/laws", "/api/v1/laws/NIS2", "/api/v1/laws/NIS2/readiness",
                f"/api/v1/municipalities/{MID}/readiness", "/api/v1/bundle",
                "/api/v1/openapi.json", "/api/v1/municipalities?country=NL&format=xlsx"):
        r = client.get(url)  # 403: a municipality that did not consent (no cookie yet)
        assert r.status_code in (200, 403), (url, r.status_code)
    r = client.post("/api/v1/laws/what-if", json={"id": "DRAFT", "name": "Draft", "requirements": [
        {"element": "SEC-01", "min": 2, "deadline": "2030-01-01"}]})
    assert r.status_code == 200, r.data[:300]

    # the survey: open the link (cookie), save answers twice, submit, another role saves
    values = survey_values(fw.element_ids, {"STR-01": 2, "SEC-01": 3}, cio.token, "yes")
    call(survey_ids.GRANTED, values, [f"{survey_ids.TOKEN}.data"])
    call(survey_ids.SAVED, values, [f"{survey_ids.LEVEL}.value"])
    values = survey_values(fw.element_ids, {"STR-01": 3, "SEC-01": 3}, cio.token, "yes")
    call(survey_ids.SAVED, values, [f"{survey_ids.LEVEL}.value"])
    call(survey_ids.SUBMIT_MSG, values, [f"{survey_ids.SUBMIT}.n_clicks"])
    call(survey_ids.SAVED, survey_values(fw.element_ids, {"GOV-01": 1}, ciso.token),
         [f"{survey_ids.LEVEL}.value"])
    client.set_cookie("ds4e_survey", cio.token)
    get(f"/api/v1/municipalities/{MID}")  # the link's own results, through the cookie
    call(ids.PAGE, {"url.pathname": "/survey/progress", "url.search": f"?token={coordinator}",
                    "lang.value": "en"}, ["url.pathname"])

    written = sorted({p for _, p in recorder})
    # the journey did write: drafts and a record, in the state folder
    assert [p for p in written if "/drafts/" in p]
    (record,) = record_files(store, WAVE)
    assert str(record.resolve()) in written and record.read_text().count("STR-01,3") == 1
    # and nothing anywhere else the app reads from
    for folder in (data, settings.reference_dir, settings.framework_dir, ROOT / "data"):
        outside = [(e, p) for e, p in recorder if under(p, folder) and not under(p, state)]
        assert outside == [], f"writes outside DS4E_STATE_DIR: {outside[:5]}"
    assert not (data / "survey").exists() and not (data / "inbox" / "survey").exists()
