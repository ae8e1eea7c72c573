"""Crafted requests: malformed callback values answer 400 (never 500), download names cannot
climb folders or split headers, and no CSV the dashboard hands out carries a formula."""

from __future__ import annotations

import io

import pandas as pd
import pytest

from dashboard.components.downloads import csv_download, csv_text, safe_filename


def _deps(client) -> list[dict]:
    return client.get("/_dash-dependencies").get_json()


def _call(client, output_id: str, values: dict, changed: str):
    """POST the callback that writes `output_id`, as the browser does; `values` by 'id.prop'."""
    spec = next(c for c in _deps(client) if output_id in c["output"])

    def ids(items):
        return [{"id": i["id"], "property": i["property"],
                 "value": values.get(f"{i['id']}.{i['property']}")} for i in items]

    out = spec["output"]
    outputs = ([{"id": p.rsplit(".", 1)[0], "property": p.rsplit(".", 1)[1]}
                for p in out.strip(".").split("...")] if out.startswith("..")
               else {"id": out.rsplit(".", 1)[0], "property": out.rsplit(".", 1)[1]})
    payload = {"output": out, "outputs": outputs, "inputs": ids(spec["inputs"]),
               "state": ids(spec.get("state", [])), "changedPropIds": [changed]}
    return client.post("/_dash-update-component", json=payload)


@pytest.mark.parametrize("values,changed", [
    ({"roadmap-municipality.value": "NL_GM0153", "roadmap-wave.value": "2026",
      "roadmap-weight-readiness.value": "x", "roadmap-target.value": 3},
     "roadmap-weight-readiness.value"),
    ({"roadmap-municipality.value": "NL_GM0153", "roadmap-wave.value": "2026",
      "roadmap-weight-readiness.value": {"a": 1}, "roadmap-target.value": "three"},
     "roadmap-target.value"),
])
def test_malformed_roadmap_values_are_a_client_error(open_, values, changed):
    r = _call(open_, "roadmap-steps", values, changed)
    assert r.status_code == 400, r.status_code  # it was a 500 (float("x") in the callback)
    assert "does not fit this view" in r.get_json()["error"]


@pytest.mark.parametrize("country", [[], ["NL", "BE"], {"x": 1}, 7])
def test_malformed_policy_selection_is_a_client_error(open_, country):
    r = _call(open_, "policy-status", {"policy-country.value": country, "lang.value": "en"},
              "policy-country.value")
    assert r.status_code in (200, 204, 400) and r.status_code != 500
    if r.status_code == 400:
        assert "does not fit this view" in r.get_json()["error"]


def test_a_real_defect_elsewhere_still_answers_500(open_):
    """The 400 is for callback input only: an API route's own failure is not hidden."""
    r = open_.get("/api/v1/municipalities/NL_GM0153?wave=%00")
    assert r.status_code in (400, 404)


@pytest.mark.parametrize("name,expected", [
    ("legislation-NL_GM0153.csv", "legislation-NL_GM0153.csv"),
    ("legislation-../../etc/passwd.csv", "legislation-_etc_passwd.csv"),
    ("ds4e-roadmap-x\r\nSet-Cookie: a=b-2026.csv", "ds4e-roadmap-x_Set-Cookie_a_b-2026.csv"),
    ("../..", "ds4e.csv"),
    ("ünïcode naam.csv", "n_code_naam.csv"),
])
def test_download_names_are_safe(name, expected):
    got = safe_filename(name)
    assert got == expected
    assert "/" not in got and "\r" not in got and "\n" not in got and ".." not in got


def test_downloads_neutralise_formulas():
    df = pd.DataFrame({"name": ["=HYPERLINK(\"http://x\",\"y\")", "+cmd|' /C calc'!A0",
                                "@SUM(A1)", "-2+3", "Amsterdam"],
                       "level": [1, -2, 3, 4, 0]})
    back = pd.read_csv(io.StringIO(csv_text(df)))
    assert back["name"].tolist() == ["'=HYPERLINK(\"http://x\",\"y\")", "'+cmd|' /C calc'!A0",
                                     "'@SUM(A1)", "'-2+3", "Amsterdam"]
    assert back["level"].tolist() == [1, -2, 3, 4, 0]  # numbers stay numbers
    sent = csv_download(df, "a/b.csv")
    assert sent["filename"] == "a_b.csv" and "'=HYPERLINK" in sent["content"]


def test_the_api_csv_neutralises_too(open_):
    r = open_.get("/api/v1/municipalities?country=NL&format=csv&limit=5")
    assert r.status_code == 200
    assert 'filename="' in r.headers["Content-Disposition"]
    df = pd.read_csv(io.StringIO(r.data.decode()))
    text_cells = df.select_dtypes(include="object").stack().astype(str)
    assert not text_cells.str.match(r"^[=+@\t\r]").any()
