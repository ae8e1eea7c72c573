"""schemathesis against the app, in process: every operation of the generated OpenAPI document,
with requests generated from it (valid ones and ones that break it), and every built-in check:
no server error, status codes, content types and headers as documented, answers that match
their schema, valid requests accepted and invalid ones rejected.

It runs on the Dutch demo build twice: with the consent rule (403 for municipalities that did
not consent) and with DS4E_VISIBILITY=open; and once on a data folder where nothing is
published (503, and an answer still documented).
"""

from __future__ import annotations

import json
import os

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error, positive_data_acceptance
from schemathesis.generation import GenerationMode

from app import create_app
from dashboard.config import Settings

# per operation and generation mode; DS4E_ST_EXAMPLES=250 DS4E_ST_RANDOM=1 for a deeper search
EXAMPLES = int(os.environ.get("DS4E_ST_EXAMPLES", "25"))
# schemathesis' own pytest plugin reads a node attribute pytest 9 removed, so the operations are
# listed here from the document and each is driven with hypothesis directly
OPERATIONS = [("GET", "/api/v1/health"), ("GET", "/api/v1/framework"),
              ("GET", "/api/v1/municipalities"), ("GET", "/api/v1/municipalities/{municipality_id}"),
              ("GET", "/api/v1/aggregates"), ("GET", "/api/v1/insight/leverage"),
              ("GET", "/api/v1/municipalities/{municipality_id}/roadmap"),
              ("GET", "/api/v1/laws"), ("GET", "/api/v1/laws/{law_id}"),
              ("GET", "/api/v1/laws/{law_id}/readiness"), ("POST", "/api/v1/laws/what-if"),
              ("GET", "/api/v1/municipalities/{municipality_id}/readiness"),
              ("GET", "/api/v1/bundle"), ("GET", "/api/v1/openapi.json"),
              ("GET", "/api/v1/municipalities/{municipality_id}/report.pdf"),
              ("GET", "/api/v1/municipalities/{municipality_id}/report.html"),
              ("POST", "/api/v1/insight/funding-what-if"), ("GET", "/api/v1/initiatives"),
              ("POST", "/api/v1/initiatives"), ("POST", "/api/v1/initiatives/{initiative_id}/join")]
MODES = [GenerationMode.POSITIVE, GenerationMode.NEGATIVE]
# rules JSON Schema cannot state: a document-valid request may get this 400 and no other
UNSTATED = {("POST", "/api/v1/insight/funding-what-if"): ("is in the package twice",
                                                        "is not in country")}


def _schema(data_dir, **env):
    # limits off: hundreds of generated requests come from one address (test_security.py
    # proves the limits and their 429, which the document declares for the what-if)
    app = create_app(Settings.from_env({"DS4E_DATA_DIR": str(data_dir), "DS4E_RATE_LIMITS": "0",
                                        **env})).server
    return schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)


@pytest.fixture(scope="module")
def schemas(nl_data_dir, tmp_path_factory):
    return {"consent": _schema(nl_data_dir, DS4E_VISIBILITY="consent"),
            "open": _schema(nl_data_dir, DS4E_VISIBILITY="open"),
            "empty": _schema(tmp_path_factory.mktemp("nothing-published-st"))}


def _run(schema, method: str, path: str, mode: GenerationMode, examples: int,
         published: bool = True) -> None:
    op = schema[path][method]
    spec = schema.raw_schema["paths"][path][method.lower()]
    if mode is GenerationMode.NEGATIVE and not spec.get("parameters") and "requestBody" not in spec:
        pytest.skip("nothing to send that breaks the document: no parameters and no body")

    @given(case=op.as_strategy(generation_mode=mode))
    @settings(max_examples=examples, deadline=None, database=None,
              derandomize=not os.environ.get("DS4E_ST_RANDOM"),
              suppress_health_check=list(HealthCheck))
    def check(case):
        # the test client does not undo gzip: ask for the plain body (gzip has its own tests)
        excluded = [] if published else [not_a_server_error]
        unstated = UNSTATED.get((method, path)) if mode is GenerationMode.POSITIVE else None
        if unstated:
            excluded.append(positive_data_acceptance)
        response = case.call_and_validate(headers={"Accept-Encoding": "identity"},
                                          excluded_checks=excluded)
        if unstated and response.status_code == 400:
            assert any(u in response.json()["error"] for u in unstated), response.json()
        # before anything is published, 503 is the documented answer (its body is checked
        # against the document like any other); no other server error is
        assert published or response.status_code in (200, 304, 400, 403, 404, 405, 503)

    check()


def test_every_operation_is_tested(schemas):
    doc = schemas["consent"].raw_schema
    listed = {(m.upper(), p) for p, item in doc["paths"].items() for m in item}
    assert listed == set(OPERATIONS), json.dumps(sorted(listed ^ set(OPERATIONS)))


def test_the_document_speaks_json_schema(schemas):
    """pydantic writes a constraint it cannot put in the type (a bound after a validator) as
    `ge`/`le`, which JSON Schema ignores: the document would allow what the code refuses."""
    text = json.dumps(schemas["consent"].raw_schema)
    for key in ("ge", "le", "gt", "lt", "x-ds4e-enum", "x-ds4e-explode", "x-ds4e-extra"):
        assert f'"{key}":' not in text, key


@pytest.mark.parametrize("mode", MODES, ids=lambda m: m.value)
@pytest.mark.parametrize("method,path", OPERATIONS, ids=lambda x: x)
@pytest.mark.parametrize("deployment", ["consent", "open"])
def test_the_api_keeps_its_document(schemas, deployment, method, path, mode):
    _run(schemas[deployment], method, path, mode, EXAMPLES)


@pytest.mark.parametrize("mode", MODES, ids=lambda m: m.value)
@pytest.mark.parametrize("method,path", OPERATIONS, ids=lambda x: x)
def test_the_api_keeps_its_document_before_anything_is_published(schemas, method, path, mode):
    _run(schemas["empty"], method, path, mode, 8, published=False)
