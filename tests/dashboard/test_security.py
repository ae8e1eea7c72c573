"""Security headers and behaviour (dashboard/security.py): the headers on every kind of answer,
no server banner, no stack trace with debug off, the survey cookie's Secure flag behind a
proxy, rate limits answering 429 with Retry-After, and tokens kept out of the access log."""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import json
import logging
import os
import re
import socket
import subprocess
import sys
import threading
import time
import urllib.request

import pytest
from werkzeug.serving import WSGIRequestHandler, make_server

from dashboard import security
from dashboard.access import GRANT_COOKIE
from dashboard.api_models import Error
from dashboard.config import ROOT, Settings

NOW = dt.datetime.now(dt.UTC)
DRAFT = {"id": "DRAFT_1", "name": "Draft",
         "requirements": [{"element": "SEC-01", "min": 2, "deadline": "2027-01-01"}]}


def _app(data_dir, **env):
    from app import create_app

    return create_app(Settings.from_env({"DS4E_DATA_DIR": str(data_dir), **env}))


@pytest.fixture(scope="module")
def nl_app(nl_data_dir):
    return _app(nl_data_dir)


@pytest.fixture(scope="module")
def client(nl_app):
    return nl_app.server.test_client()


def _survey_app(tmp_path, **env):
    """An app on a data folder of its own with an open wave: (app, respondent tokens)."""
    app = _app(tmp_path, **env)
    store = app.server.config["DS4E_CONTEXT"].survey
    store.create_wave("sec", closes_at=NOW + dt.timedelta(days=30))
    issued = store.invite("sec", ["NL_GM0363", "NL_GM0599"], ["cio"])
    return app, [i.token for i in issued]


def _call(client, output: str, values: dict, changed: str, **kw):
    """POST the callback that writes `output` as the browser does; pattern inputs match
    nothing, the others take `values` by 'id.property'."""
    spec = next(c for c in client.get("/_dash-dependencies").get_json() if output in c["output"])

    def entries(items):
        return [[] if i["id"].startswith("{") else
                {"id": i["id"], "property": i["property"],
                 "value": values.get(f"{i['id']}.{i['property']}")} for i in items]

    out = spec["output"]
    outputs = ([{"id": p.rsplit(".", 1)[0], "property": p.rsplit(".", 1)[1]}
                for p in out.strip(".").split("...")] if out.startswith("..")
               else {"id": out.rsplit(".", 1)[0], "property": out.rsplit(".", 1)[1]})
    return client.post("/_dash-update-component", json={
        "output": out, "outputs": outputs, "inputs": entries(spec["inputs"]),
        "state": entries(spec.get("state", [])), "changedPropIds": [changed]}, **kw)


def _save(client, token, **kw):
    return _call(client, "survey-saved.children",
                 {"survey-token.data": token, "survey-consent.value": "yes", "lang.value": "en",
                  "survey-block.data": 0}, "survey-consent.value", **kw)


def _submit(client, token):
    return _call(client, "survey-submit-msg.children",
                 {"survey-submit.n_clicks": 1, "survey-token.data": token,
                  "survey-consent.value": "yes", "lang.value": "en"}, "survey-submit.n_clicks")


def _grant(client, token, **kw):
    return _call(client, "survey-granted.data", {"survey-token.data": token},
                 "survey-token.data", **kw)


# ------------------------------------------------------------------ headers


def _asset_paths(client) -> list[str]:
    html = client.get("/").get_data(as_text=True)
    return [re.search(r'<script src="(/_dash-component-suites/[^"]+)"', html).group(1),
            "/assets/10-ds4e.css"]


@pytest.mark.parametrize("path", ["/", "/profile?m=NL_GM0363", "/legislation", "/api/v1/health",
                                  "/api/v1/laws", "/api/v1/nowhere", "/_dash-layout", "ASSETS"])
def test_headers_on_pages_api_and_assets(client, nl_app, path):
    for p in _asset_paths(client) if path == "ASSETS" else [path]:
        r = client.get(p)
        assert r.status_code in (200, 404), (p, r.status_code)
        h = r.headers
        csp = h["Content-Security-Policy"]
        directives = dict(d.strip().split(" ", 1) for d in csp.split(";"))
        assert directives["script-src"].split() == ["'self'", *nl_app.csp_hashes()]
        assert "'unsafe-eval'" not in csp and "'unsafe-inline'" not in directives["script-src"]
        assert directives["frame-ancestors"] == "'none'" and directives["object-src"] == "'none'"
        assert h["X-Frame-Options"] == "DENY"
        assert h["X-Content-Type-Options"] == "nosniff"
        assert h["Referrer-Policy"] == "strict-origin"
        assert "Server" not in h and "Strict-Transport-Security" not in h  # plain HTTP


def test_the_policy_hashes_every_inline_script_of_the_page(client):
    html = client.get("/survey").get_data(as_text=True)
    csp = client.get("/survey").headers["Content-Security-Policy"]
    inline = [m.group(2) for m in re.finditer(r"<script([^>]*)>(.*?)</script>", html, re.S)
              if "src=" not in m.group(1) and "application/json" not in m.group(1)]
    assert len(inline) >= 5  # the renderer and the pages' clientside callbacks
    for script in inline:
        digest = base64.b64encode(hashlib.sha256(script.encode()).digest()).decode()
        assert f"'sha256-{digest}'" in csp, script[:80]


def test_hsts_only_over_https(client):
    assert "Strict-Transport-Security" in client.get("/", base_url="https://localhost").headers


@pytest.mark.parametrize(("path", "policy"), [
    ("/survey", "no-referrer"), ("/survey?token=abc", "no-referrer"),
    ("/survey/progress?token=abc", "no-referrer"), ("/survey/", "no-referrer"),
    ("/", "strict-origin"), ("/profile?m=NL_GM0363", "strict-origin"),
    ("/api/v1/health", "strict-origin")])
def test_referrer_policy(client, path, policy):
    assert client.get(path).headers["Referrer-Policy"] == policy


def test_callbacks_send_no_referrer(tmp_path):
    app, tokens = _survey_app(tmp_path)
    r = _save(app.server.test_client(), tokens[0])
    assert r.status_code == 200 and r.headers["Referrer-Policy"] == "no-referrer"


# ------------------------------------------------------------------ server banner


def _serve(app, handler):
    srv = make_server("127.0.0.1", 0, app.server, threaded=True, request_handler=handler)
    thread = threading.Thread(target=srv.serve_forever, daemon=True)
    thread.start()
    return srv, thread


def test_no_server_banner(tmp_path):
    app = _app(tmp_path)
    for handler, banner in ((WSGIRequestHandler, True), (security.RequestHandler, False)):
        srv, thread = _serve(app, handler)
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{srv.server_port}/api/v1/health") as r:
                assert r.status == 200
                assert ("Server" in r.headers) is banner, r.headers.get("Server")
        finally:
            srv.shutdown()
            thread.join(5)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_python_app_py_has_no_banner_and_logs_no_token(tmp_path):
    port = _free_port()
    env = {**os.environ, "PORT": str(port), "DS4E_DATA_DIR": str(tmp_path), "DS4E_DEBUG": "0"}
    proc = subprocess.Popen([sys.executable, str(ROOT / "app.py")], cwd=ROOT, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(
                        f"http://127.0.0.1:{port}/survey?token=SECRET-TOKEN-1&lang=en") as r:
                    assert "Server" not in r.headers
                    break
            except OSError:
                assert proc.poll() is None and time.monotonic() < deadline, "app did not start"
                time.sleep(0.3)
        urllib.request.urlopen(f"http://127.0.0.1:{port}/profile?m=NL_GM0363&token=SECRET-2").read()
    finally:
        proc.terminate()
        log = proc.communicate(timeout=20)[0]
    assert '"GET /survey HTTP/1.1" 200' in log, log
    assert '"GET /profile?m=NL_GM0363 HTTP/1.1" 200' in log, log
    assert "SECRET" not in log


# ------------------------------------------------------------------ errors


@pytest.fixture()
def broken(tmp_path):
    """An app whose page route, API route and one callback fail with an unexpected error."""
    from dash import Input, Output

    app = _app(tmp_path)

    def fail(*_a, **_k):
        raise RuntimeError("secret internals at /srv/ds4e/app.py line 7")

    app.server.add_url_rule("/broken", "broken", fail)
    app.server.add_url_rule("/api/v1/broken-raw", "broken-raw", fail)
    app.callback(Output("broken-out", "children"), Input("broken-in", "value"))(fail)
    return app.server.test_client()


def _no_trace(r):
    body = r.get_data(as_text=True)
    assert "Traceback" not in body and "secret internals" not in body
    assert "RuntimeError" not in body and 'File "' not in body


def test_no_stack_trace_with_debug_off(broken, caplog):
    with caplog.at_level(logging.ERROR, logger="ds4e.security"):
        page = broken.get("/broken?token=abc")
        api = broken.get("/api/v1/broken-raw")
        cb = broken.post("/_dash-update-component", json={
            "output": "broken-out.children", "outputs": {"id": "broken-out", "property": "children"},
            "inputs": [{"id": "broken-in", "property": "value", "value": 1}],
            "changedPropIds": ["broken-in.value"], "state": []})
    for r in (page, api, cb):
        assert r.status_code == 500
        _no_trace(r)
    assert page.mimetype == "text/html" and "Something went wrong" in page.get_data(as_text=True)
    assert api.get_json() == {"error": "internal server error", "path": "/api/v1/broken-raw"}
    Error.model_validate(api.get_json())
    assert cb.get_json() == {"error": "internal server error"}
    # the trace goes to the server's log, without the token
    assert "secret internals" in caplog.text and "abc" not in caplog.text


def test_the_api_and_flask_errors_carry_no_trace(client):
    for r in (client.get("/api/v1/municipalities/NL_GM0153?wave=%00"),
              client.post("/api/v1/laws/what-if", data="{not json",
                          content_type="application/json"),
              client.post("/_dash-update-component", data="{not json",
                          content_type="application/json")):
        assert r.status_code < 600
        _no_trace(r)


# ------------------------------------------------------------------ the survey cookie


@pytest.mark.parametrize(("proxies", "headers", "base", "secure"), [
    ("1", {"X-Forwarded-Proto": "https", "X-Forwarded-For": "203.0.113.9"}, "http://x", True),
    ("0", {"X-Forwarded-Proto": "https"}, "http://x", False),  # nobody to believe
    ("1", {}, "http://x", False),  # the proxy says plain HTTP
    ("0", {}, "https://x", True),  # TLS at the app itself
])
def test_survey_cookie_secure_over_https(tmp_path, proxies, headers, base, secure):
    app, tokens = _survey_app(tmp_path, DS4E_TRUSTED_PROXIES=proxies)
    r = _grant(app.server.test_client(), tokens[0], headers=headers, base_url=base)
    assert r.status_code == 200, r.get_data(as_text=True)[:300]
    cookie = next(c for c in r.headers.getlist("Set-Cookie") if c.startswith(GRANT_COOKIE + "="))
    assert ("; Secure" in cookie) is secure, cookie
    assert "HttpOnly" in cookie and "SameSite=Strict" in cookie


def test_a_client_address_is_believed_only_from_a_trusted_proxy(tmp_path):
    """Behind DS4E_TRUSTED_PROXIES=1 each client has its own budget; without it a forged
    X-Forwarded-For buys nothing."""
    for proxies, second_client_ok in (("1", True), ("0", False)):
        app = _app(tmp_path, DS4E_TRUSTED_PROXIES=proxies, DS4E_LIMIT_WHAT_IF="1/hour")
        c = app.server.test_client()
        first = c.post("/api/v1/laws/what-if", json=DRAFT,
                       headers={"X-Forwarded-For": "203.0.113.1"})
        second = c.post("/api/v1/laws/what-if", json=DRAFT,
                        headers={"X-Forwarded-For": "203.0.113.2"})
        assert first.status_code != 429
        assert (second.status_code != 429) is second_client_ok


# ------------------------------------------------------------------ rate limits


def _assert_429(r, api: bool):
    assert r.status_code == 429
    assert 1 <= int(r.headers["Retry-After"]) <= 3601
    body = r.get_json()
    assert body["error"].startswith("too many requests: ")
    if api:
        Error.model_validate(body)
        assert body["path"] == "/api/v1/laws/what-if"
        assert r.headers["Cache-Control"] == "no-store"


def test_what_if_answers_429_with_retry_after(nl_data_dir):
    c = _app(nl_data_dir, DS4E_LIMIT_WHAT_IF="3/hour").server.test_client()
    answers = [c.post("/api/v1/laws/what-if", json=DRAFT) for _ in range(4)]
    assert [r.status_code for r in answers[:3]] == [200, 200, 200]
    _assert_429(answers[3], api=True)
    assert "3 per 1 hour" in answers[3].get_json()["error"]
    assert c.get("/api/v1/laws").status_code == 200  # the other endpoints are not limited


def test_the_what_if_limit_is_documented(client):
    op = client.get("/api/v1/openapi.json").get_json()["paths"]["/api/v1/laws/what-if"]["post"]
    assert "429" in op["responses"]


def test_heavy_answers_share_one_budget(nl_data_dir):
    c = _app(nl_data_dir, DS4E_LIMIT_HEAVY="2/hour").server.test_client()
    assert c.get("/api/v1/municipalities?limit=5").status_code == 200  # paged: light
    assert c.get("/api/v1/municipalities?limit=5").status_code == 200
    assert c.get("/api/v1/municipalities").status_code == 200  # all of them: heavy (1)
    assert c.get("/api/v1/aggregates?format=csv").status_code == 200  # a download (2)
    r = c.get("/api/v1/bundle")
    assert r.status_code == 429 and int(r.headers["Retry-After"]) >= 1
    assert c.get("/api/v1/health").status_code == 200


def test_survey_save_answers_429_per_link(tmp_path):
    app, (first, second) = _survey_app(tmp_path, DS4E_LIMIT_SURVEY_SAVE="3/hour")
    c = app.server.test_client()
    assert [_save(c, first).status_code for _ in range(3)] == [200, 200, 200]
    r = _save(c, first)
    _assert_429(r, api=False)
    assert "survey saves" in r.get_json()["error"]
    assert _save(c, second).status_code == 200  # another link has its own budget
    # the page's other callbacks are not counted
    assert _grant(c, first).status_code == 200


def test_made_up_tokens_share_the_client_budget(tmp_path):
    app, _ = _survey_app(tmp_path, DS4E_LIMIT_SURVEY_SAVE="2/hour")
    c = app.server.test_client()
    codes = [_save(c, f"made-up-{i}").status_code for i in range(3)]
    assert 429 not in codes[:2] and codes[2] == 429


def test_survey_submit_answers_429_per_link(tmp_path):
    app, (first, _) = _survey_app(tmp_path, DS4E_LIMIT_SURVEY_SUBMIT="2/hour")
    c = app.server.test_client()
    assert [_submit(c, first).status_code for _ in range(2)] == [200, 200]
    _assert_429(_submit(c, first), api=False)
    assert _save(c, first).status_code == 200  # saving has its own budget


def test_limits_can_be_switched_off(nl_data_dir):
    c = _app(nl_data_dir, DS4E_RATE_LIMITS="0", DS4E_LIMIT_WHAT_IF="1/hour").server.test_client()
    assert all(c.post("/api/v1/laws/what-if", json=DRAFT).status_code == 200 for _ in range(3))


def test_a_bad_limit_is_named():
    with pytest.raises(ValueError, match="DS4E_LIMIT_WHAT_IF"):
        Settings.from_env({"DS4E_LIMIT_WHAT_IF": "lots"})
    with pytest.raises(ValueError, match="DS4E_TRUSTED_PROXIES"):
        Settings.from_env({"DS4E_TRUSTED_PROXIES": "-1"})


def _body(outputs, values=(), rows=()):
    """A callback request; `rows`: the values of the draft editor's rows (an ALL input)."""
    slots = [{"id": {"type": "legislation-req-element", "index": n}, "property": "value",
              "value": v} for n, v in enumerate(rows)]
    return {"outputs": [{"id": i, "property": p} for i, p in outputs],
            "inputs": [slots, *({"id": i, "property": p, "value": v} for i, p, v in values)]}


def test_which_callbacks_count():
    save = security.Call.of(_body([("survey-progress", "children"), ("survey-saved", "children"),
                                   ("survey-tabs", "children@1f2e")],
                                  [("survey-token", "data", "tok")]))
    assert save.saves_survey and not save.submits_survey and save.survey_token == "tok"
    draft = security.Call.of(_body([("legislation-draft-result", "children")],
                                   [("legislation-view", "value", "draft")], rows=["GOV-01", None]))
    hidden = security.Call.of(_body([("legislation-draft-result", "children")],
                                    [("legislation-view", "value", "aggregate")], rows=["GOV-01"]))
    assert draft.computes_draft_law and not hidden.computes_draft_law
    # the first switch to the draft view, before the editor's rows are made: nothing computed,
    # so nothing spent of the what-if budget (it was counted twice on that switch)
    unmade = security.Call.of(_body([("legislation-draft-result", "children")],
                                    [("legislation-view", "value", "draft")]))
    assert not unmade.computes_draft_law
    for junk in (None, [], "x", {"outputs": "x", "inputs": 3}, {"outputs": [{"id": {"a": 1}}]}):
        call = security.Call.of(junk)
        assert not (call.saves_survey or call.submits_survey or call.computes_draft_law)


@pytest.mark.parametrize(("endpoint", "args", "heavy"), [
    ("api.bundle", {}, True), ("api.listMunicipalities", {}, True),
    ("api.listMunicipalities", {"limit": "50"}, False),
    ("api.listAggregates", {"format": "XLSX"}, True), ("api.listAggregates", {}, False),
    ("api.health", {}, False)])
def test_heavy_request(endpoint, args, heavy):
    assert security.heavy_request(endpoint, args) is heavy


# ------------------------------------------------------------------ tokens never logged


@pytest.mark.parametrize(("target", "logged"), [
    ("/survey?token=abc", "/survey"),
    ("/survey/progress?token=abc&by=country&q=Ams", "/survey/progress"),
    ("/survey/?m=NL_GM0363", "/survey/"),
    ("/%73urvey?tok%65n=abc", "/%73urvey"),
    ("/SURVEY//progress?x=1", "/SURVEY//progress"),
    ("/profile?m=NL_GM0363&token=abc", "/profile?m=NL_GM0363"),
    ("/profile?TOKEN=abc&m=NL_GM0363", "/profile?m=NL_GM0363"),
    ("/api/v1/laws?access_token=abc&lang=en", "/api/v1/laws?lang=en"),
    ("/x?token", "/x"),
    ("/profile?m=NL_GM0363", "/profile?m=NL_GM0363"),
    ("/surveys?token=abc&a=1", "/surveys?a=1"),
    ("/", "/"), ("", ""),
    ("https://ds4e.example/survey?token=abc#top", "https://ds4e.example/survey#top"),
    ("https://ds4e.example/roadmap?m=X&token=t", "https://ds4e.example/roadmap?m=X"),
])
def test_redact(target, logged):
    assert security.redact(target) == logged


def test_redact_request_line_and_werkzeug_log():
    record = logging.LogRecord("werkzeug", logging.INFO, __file__, 1, '%s - - "%s" %s %s',
                               ("127.0.0.1", "\x1b[1mGET /survey?token=abc HTTP/1.1\x1b[0m",
                                "200", "-"), None)
    assert security.RedactTokens().filter(record)
    assert record.getMessage() == '127.0.0.1 - - "\x1b[1mGET /survey HTTP/1.1\x1b[0m" 200 -'
    assert logging.getLogger("werkzeug").filters  # installed by create_app


def test_redact_gunicorn_atoms():
    atoms = {"r": "GET /survey/progress?token=abc&by=country HTTP/1.1", "U": "/survey/progress",
             "q": "token=abc&by=country", "f": "https://ds4e.example/survey?token=abc",
             "{referer}i": "https://ds4e.example/survey?token=abc", "s": 200, "h": "10.0.0.1",
             "{raw_uri}e": "/survey/progress?token=abc"}
    out = security.redact_atoms(atoms)
    assert out is atoms
    assert out["r"] == "GET /survey/progress HTTP/1.1" and out["q"] == ""
    assert out["f"] == out["{referer}i"] == "https://ds4e.example/survey"
    assert out["{raw_uri}e"] == "/survey/progress" and out["s"] == 200
    other = security.redact_atoms({"r": "GET /api/v1/laws?token=x&lang=en HTTP/1.1",
                                   "U": "/api/v1/laws", "q": "token=x&lang=en"})
    assert other["r"] == "GET /api/v1/laws?lang=en HTTP/1.1" and other["q"] == "lang=en"
    assert "abc" not in json.dumps(out)


def test_the_first_switch_to_the_draft_view_spends_no_what_if(nl_data_dir):
    """Switching to the draft view calls the draft result before the editor's rows are made
    (it computes nothing then); only calls with rows spend the what-if budget."""
    c = _app(nl_data_dir, DS4E_LIMIT_WHAT_IF="1/hour").server.test_client()
    values = {"legislation-view.value": "draft", "lang.value": "en"}
    unmade = [_call(c, "legislation-draft-result.children", values, "legislation-view.value")
              for _ in range(3)]
    assert [r.status_code for r in unmade] == [204, 204, 204]
    spec = next(s for s in c.get("/_dash-dependencies").get_json()
                if "legislation-draft-result.children" in s["output"])
    rows = [[{"id": {**json.loads(i["id"]), "index": 0}, "property": i["property"],
              "value": None}] if i["id"].startswith("{") else
            {"id": i["id"], "property": i["property"], "value": values.get(
                f"{i['id']}.{i['property']}")} for i in spec["inputs"]]
    body = {"output": spec["output"], "outputs": {"id": "legislation-draft-result",
                                                  "property": "children"},
            "inputs": rows, "state": [{"id": "lang", "property": "value", "value": "en"}],
            "changedPropIds": ["legislation-view.value"]}
    assert c.post("/_dash-update-component", json=body).status_code != 429
    assert c.post("/_dash-update-component", json=body).status_code == 429
