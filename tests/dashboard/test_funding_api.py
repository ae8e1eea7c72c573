"""The funding what-if on the Dutch demo build: API = CLI = engine, the "before" equals the
lobby table and the stored roadmaps, 400s name the field, the what-if rate limit, the words."""

from __future__ import annotations

import io
import json

import numpy as np
import pytest

from dashboard.config import Settings
from dashboard.views.policy import data_funding as df
from dashboard.views.policy import texts_funding as tf
from dashboard.views.policy.data import lobby_of, policy_data
from dashboard.views.policy.selection import Selection
from pipelines.__main__ import main as pipelines_main
from pipelines.maturity import funding as fe

URL = "/api/v1/insight/funding-what-if"
BODY = {"country": "NL", "package": [{"element": "SEC-02", "level": 3},
                                     {"element": "SEC-01", "level": 3}],
        "reach": 100, "rule": "leverage"}


def pkg(ctx, text):
    return fe.parse_package(text, ctx.framework.element_ids)


def cli(data_dir, *args, visibility="consent", monkeypatch=None) -> tuple[int, str]:
    out = io.StringIO()
    monkeypatch.setenv("DS4E_VISIBILITY", visibility)
    monkeypatch.setattr("sys.stdout", out)
    rc = pipelines_main(["--data-dir", str(data_dir), "funding", *args])
    return rc, out.getvalue()


def test_api_cli_and_engine_give_the_same_answer(consent, nl_ctx, nl_data_dir, monkeypatch):
    api = consent.post(URL, json={**BODY, "compare": [{"element": "GOV-02", "level": 3}]})
    assert api.status_code == 200, api.get_json()
    rc, text = cli(nl_data_dir, "--package", "SEC-02:3,SEC-01:3", "--compare", "GOV-02:3",
                   "--reach", "100", "--rule", "leverage", "--country", "NL",
                   monkeypatch=monkeypatch)
    assert rc == 0
    assert json.loads(text) == api.get_json()
    a = df.what_if(nl_ctx, df.Request(Selection("NL"), pkg(nl_ctx, "SEC-02:3,SEC-01:3"),
                                      "leverage", reach=100))
    laws = {(x["law"], x["duty"]): x for x in api.get_json()["packages"][0]["laws"]}
    for li, law in enumerate(a.result.law_ids):
        if a.result.due[li]:
            x = laws[(law, "legal")]
            assert (x["ready_before"], x["ready_after"]) == (int(a.result.ready_before[li]),
                                                           int(a.result.ready_after[li]))
    p = api.get_json()["packages"][0]
    assert p["funded"] == a.result.funded <= 100 and p["explanation"] == tf.sentence(nl_ctx, a, "en")
    # CSV: the same per-law rows
    rc, text = cli(nl_data_dir, "--package", "SEC-02:3,SEC-01:3", "--reach", "100",
                   "--country", "NL", "--format", "csv", monkeypatch=monkeypatch)
    head, *rows = text.strip().splitlines()
    assert head.startswith("package,items,law,name,duty,due,ready_before,ready_after")
    assert len(rows) == len(p["laws"])


def test_the_answer_matches_the_declared_model(consent):
    from dashboard.api_models import FundingWhatIf

    r = consent.post(URL, json={**BODY, "lang": "nl"})
    FundingWhatIf.model_validate_json(r.data)
    body = r.get_json()
    assert body["packages"][0]["explanation"].startswith("Financiering van SEC-02 naar niveau 3")
    assert "funding-what-if" in json.dumps(consent.get("/api/v1/openapi.json").get_json()["paths"])


@pytest.mark.parametrize("change,field", [
    ({"package": [{"element": "SEC-99", "level": 3}]}, "package.0.element"),
    ({"package": [{"element": "SEC-02", "level": 5}]}, "package.0.level"),
    ({"package": [{"element": "SEC-02", "level": "3"}]}, "package.0.level"),
    ({"package": [{"element": "SEC-02", "level": 3}, {"element": "SEC-02", "level": 4}]},
     "package.1.element"),
    ({"package": []}, "package"),
    ({"compare": [{"element": "SEC-02", "level": 0}]}, "compare.0.level"),
    ({"rule": "richest"}, "rule"),
    ({"rule": "readiness"}, "law"),
    ({"rule": "readiness", "law": "NOPE"}, "law"),
    ({"reach": -1}, "reach"),
    ({"reach": None, "budget": None}, "reach"),
    ({"budget": -5}, "budget"),
    ({"country": "XX"}, "country"),
    ({"nuts2": "BE10"}, "nuts2"),
    ({"size_class": "huge"}, "size_class"),
    ({"colour": "red"}, "colour"),
])
def test_bad_bodies_answer_400_naming_the_field(consent, change, field):
    body = {k: v for k, v in {**BODY, **change}.items() if v is not None}
    r = consent.post(URL, json=body)
    assert r.status_code == 400, r.get_json()
    assert r.get_json()["field"] == field, r.get_json()
    assert field in r.get_json()["error"]


def test_not_json_and_nothing_published(consent, empty):
    assert consent.post(URL, data="package=SEC-02:3").status_code == 400
    assert empty.post(URL, json=BODY).status_code == 503


def test_cli_errors_name_the_field(nl_data_dir, monkeypatch, capsys):
    rc, _ = cli(nl_data_dir, "--package", "SEC-02:9", "--reach", "5", monkeypatch=monkeypatch)
    assert rc == 2 and "package.0.level" in capsys.readouterr().err


def test_the_funding_what_if_shares_the_what_if_rate_limit(nl_data_dir):
    from app import create_app

    c = create_app(Settings.from_env({"DS4E_DATA_DIR": str(nl_data_dir),
                                      "DS4E_LIMIT_WHAT_IF": "2/hour"})).server.test_client()
    codes = [c.post(URL, json=BODY).status_code for _ in range(3)]
    assert codes == [200, 200, 429]
    assert c.post("/api/v1/laws/what-if", json={"id": "D", "name": "d", "requirements": [
        {"element": "SEC-01", "min": 2, "deadline": "2026-01-01"}]}).status_code == 429


def test_before_is_the_lobby_tables_and_the_stored_first_phase(nl_open_ctx):
    ctx = nl_open_ctx
    data = policy_data(ctx, ctx.warehouse.snapshot())
    for sel in (Selection("NL"), Selection("NL", None, "20k-50k")):
        a = df.what_if(ctx, df.Request(sel, pkg(ctx, "SEC-02:3"), "below"))
        rows, _ = lobby_of(ctx, data, sel)
        for row in rows:
            li = a.result.law_ids.index(row.law)
            assert int(a.result.ready_before[li]) == row.ready, row.law
            assert int(a.result.due[li]) == row.municipalities, row.law
        lev = data.cells.leverage(data.mask(ctx, sel))
        assert a.first_phase_before.tolist() == lev.first_phase.tolist()
    # the roadmap engine on unfunded levels gives back the stored first phase
    base = df.funding_base(ctx, ctx.warehouse.snapshot())
    rm = data.roadmaps
    seq, _ = fe.first_phase_counts(data.model, base.levels, requirements=base.laws.requirements,
                                   profile=base.laws.index[base.rows], peers=base.peers,
                                   per_phase=rm.per_phase, targets=rm.target)
    assert np.array_equal(seq, base.first_phase)


def test_open_visibility_funds_single_municipalities_up_to_the_reach(nl_open_ctx):
    ctx = nl_open_ctx
    p = pkg(ctx, "SEC-02:4,GOV-02:4")
    for reach in (1, 7, 40):
        a = df.what_if(ctx, df.Request(Selection("NL"), p, "smallest", reach=reach))
        assert a.unit == df.MUNICIPALITY and a.result.funded == reach
        assert len(a.named) == reach and a.unnamed == 0
    a = df.what_if(ctx, df.Request(Selection("NL"), p, "leverage", budget=100_000))
    assert a.result.cost <= 100_000 and a.result.funded == 2  # 2 elements x 25,000 each
    everyone = df.what_if(ctx, df.Request(Selection("NL"), p, "below"))
    assert everyone.result.funded == everyone.needing
    assert (everyone.result.ready_after >= everyone.result.ready_before).all()


def test_the_sentence_says_the_number_and_why(nl_open_ctx):
    ctx = nl_open_ctx
    a = df.what_if(ctx, df.Request(Selection("NL"), pkg(ctx, "SEC-02:3,SEC-01:3"), "below"))
    li = tf.main_law(a)
    assert li is not None
    gained = int(a.result.gained[li])
    for lang, words in (("en", f"makes {gained} more ready"), ("nl", f"maakt er {gained} meer")):
        text = tf.sentence(ctx, a, lang)
        assert words in text and tf.law_name(ctx, a.result.law_ids[li], lang) in text
    b = df.what_if(ctx, df.Request(Selection("NL"), pkg(ctx, "SEC-02:3"), "below"))
    assert str(abs(int(a.result.gained[li]) - int(b.result.gained[li]))) in \
        tf.compare_sentence(ctx, a, b, "en")


def test_the_pipeline_cli_imports_the_web_app_only_for_funding():
    import subprocess
    import sys

    code = ("import sys, pipelines.__main__ as m; m.parser().parse_args(['build']); "
            "print(any(k == 'dashboard' or k.startswith('dashboard.') for k in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
