"""Two gunicorn workers serve a data folder the kernel keeps read-only (the published build, the
reference data and the framework too) and take survey submissions and draft saves at the same
moment; everything they write lands in DS4E_STATE_DIR, nothing is lost.

Root ignores file modes, so as root the server runs without the capabilities that let it do so
(setpriv drops CAP_DAC_OVERRIDE and friends): the modes then hold for it as for anyone else.
The test first proves that such a process cannot write into the read-only folder.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import socket
import stat
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from dash_http import find, payload, survey_values

from dashboard.config import ROOT
from dashboard.views.survey import ids as survey_ids
from pipelines.reference import load_municipalities
from pipelines.survey import SurveyStore, load_draft
from pipelines.survey.records import draft_path, read_record, record_files

pytest.importorskip("gunicorn")
WAVE = "2026-serving"
RESPONDENTS = 16
GUNICORN = Path(sys.executable).parent / "gunicorn"
# root without the capabilities that bypass file modes (see the module docstring)
NO_OVERRIDE = ["setpriv", "--bounding-set=-dac_override,-dac_read_search,-fowner,-linux_immutable",
               "--"]


def read_only(folder: Path) -> None:
    for p in [folder, *folder.rglob("*")]:
        mode = p.stat().st_mode
        p.chmod(stat.S_IMODE(mode) & ~0o222)


def writable(folder: Path) -> None:
    for p in [folder, *folder.rglob("*")]:
        p.chmod(stat.S_IMODE(p.stat().st_mode) | 0o200)


def prefix() -> list[str]:
    if os.getuid() != 0:
        return []
    if shutil.which("setpriv") is None:
        pytest.skip("running as root without setpriv: file modes cannot be enforced")
    return NO_OVERRIDE


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def post(base: str, body: dict) -> tuple[int, bytes]:
    req = urllib.request.Request(base + "/_dash-update-component", data=json.dumps(body).encode(),
                                 headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(req, timeout=60) as r:
            return r.status, r.read()
    except urllib.error.HTTPError as e:
        return e.code, e.read()


def get(base: str, path: str) -> tuple[int, bytes]:
    try:
        with urllib.request.urlopen(base + path, timeout=60) as r:
            return r.status, r.read()
    except urllib.error.HTTPError as e:
        return e.code, e.read()


@pytest.fixture()
def folders(nl_data_dir, tmp_path):
    """Data, reference and framework copies made read-only, and a writable state folder with a
    wave of RESPONDENTS links."""
    data, ref, fwd, state = (tmp_path / n for n in ("data", "reference", "framework", "state"))
    shutil.copytree(nl_data_dir, data)
    shutil.copytree(ROOT / "data" / "reference", ref)
    shutil.copytree(ROOT / "data" / "framework", fwd)
    store = SurveyStore(state)
    now = dt.datetime.now(dt.UTC)
    store.create_wave(WAVE, closes_at=now + dt.timedelta(days=30), opens_at=now - dt.timedelta(days=1))
    nl = load_municipalities(ref / "municipalities.parquet")
    mids = sorted(nl.loc[nl["country"] == "NL", "municipality_id"])[:RESPONDENTS]
    links = store.invite(WAVE, mids)
    for f in (data, ref, fwd):
        read_only(f)
    try:
        yield data, ref, fwd, state, store, links
    finally:
        for f in (data, ref, fwd):
            writable(f)


def test_two_workers_serve_a_read_only_build_and_keep_every_submission(folders, tmp_path, fw):
    data, ref, fwd, state, store, links = folders
    run_as = prefix()
    # the setup holds: this kind of process cannot write where the app must not
    probe = subprocess.run([*run_as, sys.executable, "-c",
                            f"open({str(data / 'warehouse' / 'x')!r}, 'w')"],
                           capture_output=True, text=True)
    assert probe.returncode != 0 and "PermissionError" in probe.stderr, probe.stderr

    port = free_port()
    base = f"http://127.0.0.1:{port}"
    access_log = tmp_path / "access.log"
    conf = tmp_path / "gunicorn.conf.py"
    conf.write_text("# explicit flags only\n")
    env = {**os.environ, "DS4E_DATA_DIR": str(data), "DS4E_STATE_DIR": str(state),
           "DS4E_REFERENCE_DIR": str(ref), "DS4E_FRAMEWORK_DIR": str(fwd),
           "DS4E_VISIBILITY": "open", "DS4E_RATE_LIMITS": "0", "PYTHONDONTWRITEBYTECODE": "1"}
    server = subprocess.Popen(
        [*run_as, str(GUNICORN), "-c", str(conf), "--workers", "2", "--bind", f"127.0.0.1:{port}",
         "--timeout", "120", "--access-logfile", str(access_log),
         "--access-logformat", "%(p)s %(m)s %(U)s %(s)s", "app:server"],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                status, body = get(base, "/api/v1/health")
                break
            except OSError:
                assert server.poll() is None, server.stdout.read()
                assert time.monotonic() < deadline, "gunicorn did not start"
                time.sleep(0.3)
        health = json.loads(body)
        assert status == 200 and health["status"] == "ok", health
        assert health["data"]["published"] and health["data"]["integrity"]["ok"]
        for path in ("/", "/_dash-layout"):
            assert get(base, path)[0] == 200
        status, body = get(base, "/_dash-dependencies")
        deps = json.loads(body)
        for page in ("/", "/maps", "/profile", "/legislation", "/roadmap", "/policy"):
            status, _ = post(base, payload(find(deps, "page-content"), {
                "url.pathname": page, "url.search": "", "lang.value": "en"}, ["url.pathname"]))
            assert status == 200, page

        # every respondent saves a draft and submits at the same moment, from its own thread;
        # the draft of the next respondent is saved in the same instant as this one's submit
        submit_spec, save_spec = find(deps, survey_ids.SUBMIT_MSG), find(deps, survey_ids.SAVED)
        answers = {lk.respondent_id: {"STR-01": i % 5, "SEC-01": (2 * i) % 5}
                   for i, lk in enumerate(links)}
        drafts = {lk.respondent_id: {"GOV-01": i % 5} for i, lk in enumerate(links)}
        barrier = threading.Barrier(2 * len(links))

        def submit_one(lk):
            body = payload(submit_spec, survey_values(fw.element_ids, answers[lk.respondent_id],
                                                      lk.token, "yes"),
                           [f"{survey_ids.SUBMIT}.n_clicks"])
            barrier.wait(timeout=60)
            return post(base, body)

        def save_one(lk):
            body = payload(save_spec, survey_values(fw.element_ids, drafts[lk.respondent_id],
                                                    lk.token), [f"{survey_ids.LEVEL}.value"])
            barrier.wait(timeout=60)
            return post(base, body)

        with ThreadPoolExecutor(2 * len(links)) as pool:
            done = list(pool.map(lambda job: job[0](job[1]),
                                 [(f, lk) for lk in links for f in (submit_one, save_one)]))
        assert [s for s, _ in done] == [200] * len(done), [b[:200] for s, b in done if s != 200]
        assert all(b"success" in body for _, body in done[0::2])  # each submit confirmed
    finally:
        server.terminate()
        out, _ = server.communicate(timeout=60)
    assert "Traceback" not in out and "PermissionError" not in out, out[-3000:]

    # two workers took the survey requests
    pids = {line.split()[0] for line in access_log.read_text().splitlines()
            if " POST /_dash-update-component 200" in line}
    assert len(pids) == 2, pids
    # nothing lost: one record per respondent with exactly its answers, and every draft
    files = record_files(store, WAVE)
    assert len(files) == len(links)
    for p in files:
        rec = read_record(p)
        (rid,) = set(rec["respondent_id"])
        assert dict(zip(rec["element_id"], rec["level"].astype(int), strict=True)) == answers[rid]
    for lk in links:
        access = store.open_link(lk.token)
        saved = json.loads(draft_path(store, access).read_text(encoding="utf-8"))
        assert {e: a["level"] for e, a in saved["answers"].items()} == drafts[lk.respondent_id]
        # the form opens with whichever came last by the clock; both are on disk
        shown = load_draft(store, access, fw.element_ids).sheet.answers
        assert {e: a.level for e, a in shown.items()} in (drafts[lk.respondent_id],
                                                            answers[lk.respondent_id])
    # no temp file left (.lock is the coordinator's, from inviting)
    assert not [p for p in state.rglob("*") if p.name.startswith(".") and p.name != ".lock"]
