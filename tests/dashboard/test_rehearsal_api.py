"""gunicorn's master rehearses the API as well as the pages before it forks, so that no first
caller pays what a first call builds (the OpenAPI document, per-build tables): every operation
a client reads gets one call, and each answers 200 under both visibility rules."""

from __future__ import annotations

import pytest

from dashboard import rehearsal, warmup
from dashboard.config import Settings

# writes (initiatives), downloads made per municipality or per build (report, bundle), and
# an answer with nothing to build (one law's profile): not rehearsed
NOT_REHEARSED = {("/api/v1/initiatives", "POST"), ("/api/v1/initiatives/<initiative_id>/join", "POST"),
                 ("/api/v1/bundle", "GET"), ("/api/v1/laws/<law_id>", "GET"),
                 ("/api/v1/municipalities/<municipality_id>/report.pdf", "GET"),
                 ("/api/v1/municipalities/<municipality_id>/report.html", "GET")}


@pytest.mark.parametrize("visibility", ["open", "consent"])
def test_every_read_operation_is_rehearsed_and_answers(nl_data_dir, visibility):
    from app import create_app

    app = create_app(Settings.from_env({"DS4E_DATA_DIR": str(nl_data_dir),
                                        "DS4E_VISIBILITY": visibility}))
    warmup.run(app.server)
    done = rehearsal.rehearse(app.server, pages=[])
    assert done.failed == []
    api = [s for s in done.steps if s.kind == "api"]
    adapter = app.server.url_map.bind("localhost")
    rules = {(adapter.match(s.path.split("?")[0], method=s.method, return_rule=True)[0].rule,
              s.method) for s in api}
    routes = {(r.rule, m) for r in app.server.url_map.iter_rules() if r.rule.startswith("/api/v1/")
              and "<path:" not in r.rule for m in r.methods - {"HEAD", "OPTIONS"}}
    missing = routes - rules - NOT_REHEARSED
    assert missing == set(), f"add these to dashboard/rehearsal.api_steps: {sorted(missing)}"
    assert ("/api/v1/municipalities/<municipality_id>/roadmap", "GET") in rules
    assert ("/api/v1/health", "GET") in rules

