"""The JSON API and the served HTML shell."""

from __future__ import annotations

import pytest

from app import create_app


@pytest.fixture(scope="module")
def client(tmp_path_factory):
    from dashboard.config import Settings
    settings = Settings.from_env({"DS4E_DATA_DIR": str(tmp_path_factory.mktemp("d"))})
    return create_app(settings).server.test_client()


def test_health(client, fw):
    r = client.get("/api/v1/health")
    assert r.status_code == 200 and r.is_json
    body = r.get_json()
    assert body["status"] == "ok"
    assert body["versions"]["framework"] == fw.version
    assert body["versions"]["framework_checksum"] == fw.checksum
    assert body["framework"]["elements"] == 39


def test_framework_json_is_complete(client, fw):
    body = client.get("/api/v1/framework").get_json()
    assert body["version"] == fw.version
    assert len(body["blocks"]) == 8 and len(body["elements"]) == 39
    sec = next(e for e in body["elements"] if e["id"] == "SEC-01")
    assert set(sec["levels"]) == {"0", "1", "2", "3", "4"}
    assert sec["steps"] and sec["kickstart"] and sec["crosswalk"]
    cells = body["matrix"]["cells"]
    assert len(cells) == len(fw.matrix)
    assert all(c["rationale"]["en"] and c["rationale"]["nl"] for c in cells)
    assert len(body["laws"]) == 17
    assert {r["element"] for law in body["laws"] for r in law["requirements"]} <= set(fw.element_ids)


def test_unknown_api_path_is_json_404(client):
    r = client.get("/api/v1/nothing")
    assert r.status_code == 404 and r.get_json()["error"] == "not found"


def test_page_shell_has_lang_and_local_css(client):
    html = client.get("/").get_data(as_text=True)
    assert '<html lang="nl">' in html
    assert "00-bootstrap.min.css" in html
    assert "cdn" not in html.lower()
