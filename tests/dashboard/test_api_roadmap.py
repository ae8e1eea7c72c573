"""GET /api/v1/municipalities/{id}/roadmap on the Dutch demo build: the engine's answer for the
same inputs, the consent rule, and 400/403/404/503."""

from __future__ import annotations

import datetime as dt
import json
import re

import numpy as np
import pandas as pd
import pytest
from published import engine_peers

from dashboard.api_roadmap import DIGITS
from dashboard.views.roadmap import data as rd
from pipelines.maturity.kickstart import similarity
from pipelines.maturity.kickstart import who_can_help as help_for
from pipelines.maturity.roadmap import (
    Weights,
    explain_text,
    model_from_framework,
    roadmap,
)
from pipelines.roadmap_build import law_profiles

ENSCHEDE = "NL_GM0153"  # consented, answered in 2025 and 2026
GRONINGEN = "NL_GM0014"  # answered in 2026, did not consent
ALMERE = "NL_GM0034"  # consented, answered in 2025 but not in 2026
URL = "/api/v1/municipalities/{}/roadmap"


def rounded(node):
    """Every float of an answer rounded to DIGITS (the engine's precision, not more). The answer
    rounds where its values are made (`Roadmap.to_dict(DIGITS)`); this walk is the reference."""
    if isinstance(node, float):
        return round(node, DIGITS)
    if isinstance(node, dict):
        return {k: rounded(v) for k, v in node.items()}
    if isinstance(node, (list, tuple)):
        return [rounded(v) for v in node]
    return node


def who_can_help_slow(ctx, snap, w: int, row: int, rm, target: int = rd.DEFAULT_TARGET):
    """rd.who_can_help from every municipality's similarity: the reference its candidates are
    held to."""
    first = [s.index for s in rm.steps if s.phase == 1]
    if not first:
        return []
    attrs = ctx.attributes
    ref = ctx.municipalities
    sim = similarity(attrs.country, attrs.nuts2, attrs.size_class, rd.profiles(snap, w), row,
                     lon=ref["lon"].to_numpy(dtype=np.float64, na_value=np.nan),
                     lat=ref["lat"].to_numpy(dtype=np.float64, na_value=np.nan))
    fp = rd.first_phase(ctx, snap, w)
    return help_for(rd.wave_levels(ctx, snap, w), first, rd.model(ctx).element_ids, row, sim,
                    shown=rd.shown(ctx, snap), answered=rd.answered(snap, w), first_phase=fp.steps,
                    level_target=target)


def _engine(ctx, mid, wave, **kwargs):
    """The engine on inputs assembled here: levels from the cube, peers of the same country and
    size class, law requirements per member state (as the build) at the latest submission
    date of the wave."""
    snap = ctx.warehouse.snapshot()
    cube, fw, attrs = snap.maturity, ctx.framework, ctx.attributes
    row, w = cube.index_of(mid), cube.wave_index(wave)
    cov = pd.read_parquet(snap.path / "coverage.parquet")
    at = pd.to_datetime(cov.loc[cov["wave"] == wave, "last_submitted"], utc=True).max().date()
    population = ctx.municipalities["population"].to_numpy(dtype=float, na_value=float("nan"))
    laws = law_profiles(fw, at, attrs, population)  # member-state flags, as the build
    peers = engine_peers(ctx, wave, row, kwargs.get("targets", 3))
    return roadmap(model_from_framework(fw), cube.levels[w, row], requirements=laws.requirements,
                   profile=laws.profile(row), peers=peers, **kwargs), at


def _json(rm) -> dict:
    """The engine's roadmap as the API writes it (floats to the engine's float32 precision)."""
    return json.loads(json.dumps(rounded(rm.to_dict())))


def _without_extras(body: dict) -> dict:
    """The API's phases without the fields it adds to the engine's to_dict()."""
    return [[{k: v for k, v in s.items() if k not in ("name", "text")} for s in phase]
            for phase in body["phases"]]


def test_default_roadmap_equals_the_engine(consent, nl_ctx):
    r = consent.get(URL.format(ENSCHEDE))
    assert r.status_code == 200
    body = r.get_json()
    rm, at = _engine(nl_ctx, ENSCHEDE, "2026")
    expected = _json(rm)
    assert _without_extras(body) == expected["phases"]
    for key in ("weights", "done", "targets", "known"):
        assert body[key] == expected[key]
    assert body["municipality_id"] == ENSCHEDE and body["name"] == "Enschede"
    assert body["wave"] == "2026" and body["lang"] == "en" and body["has_answers"]
    assert body["evaluation_date"] == at.isoformat()
    assert body["steps"] == 9 and [len(p) for p in body["phases"]] == [3, 3, 3]
    assert body["parameters"] == {"phases": 3, "per_phase": 3, "target": 3, "done": [],
                                  "weights": {"readiness": 0.35, "unlock": 0.25, "urgency": 0.25,
                                              "peer": 0.15}}
    assert body["peer_group"]["kind"] == "country_size"
    assert body["peer_group"]["id"] == "NL:100k-250k"
    names = {e.id: e.name.en for e in nl_ctx.framework.elements}
    laws = {x.id: x.short_name("en") for x in nl_ctx.framework.laws}  # lang=en
    flat = [s for phase in body["phases"] for s in phase]
    for got, step in zip(flat, rm.steps, strict=True):
        assert got["name"] == names[step.element] and got["phase"] == step.phase
        assert got["text"] == explain_text(step.explanation, "en", names, laws)
        assert got["components"] == pytest.approx(
            {"readiness": step.readiness, "unlock": step.unlock, "urgency": step.urgency,
             "peer": step.peer}, abs=1e-6)


def test_parameters_give_the_engines_result_for_the_same_inputs(consent, nl_ctx):
    q = "?phases=2&per_phase=4&weights=1,0,0.5,0&target=4&wave=2025&done=gov-01,DAT-01&lang=nl"
    body = consent.get(URL.format(ENSCHEDE) + q).get_json()
    rm, _ = _engine(nl_ctx, ENSCHEDE, "2025", phases=2, per_phase=4,
                    weights=Weights(1, 0, 0.5, 0), targets=4, done=["GOV-01", "DAT-01"])
    expected = _json(rm)
    assert _without_extras(body) == expected["phases"]
    assert body["weights"] == expected["weights"] and body["done"] == ["GOV-01", "DAT-01"]
    assert set(body["targets"].values()) == {4}
    assert body["wave"] == "2025" and [len(p) for p in body["phases"]] == [4, 4]
    names = {e.id: e.name.nl for e in nl_ctx.framework.elements}
    laws = {x.id: x.short_name("en") for x in nl_ctx.framework.laws}  # lang=en
    first = body["phases"][0][0]
    assert first["text"] == explain_text(rm.steps[0].explanation, "nl", names, laws)
    assert first["name"] == names[first["element"]]
    assert "GOV-01" not in [s["element"] for p in body["phases"] for s in p]


def test_lowercase_id_and_everything_done(consent, nl_ctx):
    done = ",".join(nl_ctx.framework.element_ids)
    body = consent.get(URL.format(ENSCHEDE.lower()) + f"?done={done}").get_json()
    assert body["municipality_id"] == ENSCHEDE
    assert body["phases"] == [] and body["steps"] == 0
    assert body["message"] == "no development step: every element is at or above its target"
    assert body["assess"] == [] and body["gated"] == []


def test_no_answers_in_the_wave(consent):
    body = consent.get(URL.format(ALMERE)).get_json()
    assert body["has_answers"] is False and body["phases"] == [] and "no answers" in body["message"]
    assert consent.get(URL.format(ALMERE) + "?wave=2025").get_json()["steps"] == 9


def test_consent_rule_403_and_open_200(consent, open_, nl_ctx):
    r = consent.get(URL.format(GRONINGEN))
    assert r.status_code == 403
    assert "did not consent" in r.get_json()["error"]
    assert r.get_json()["municipality_id"] == GRONINGEN
    r = open_.get(URL.format(GRONINGEN))
    assert r.status_code == 200
    rm, _ = _engine(nl_ctx, GRONINGEN, "2026")
    assert _without_extras(r.get_json()) == _json(rm)["phases"]


@pytest.mark.parametrize(("query", "parameter"), [
    ("phases=0", "phases"), ("phases=11", "phases"), ("phases=two", "phases"),
    ("per_phase=0", "per_phase"), ("weights=1,2,3", "weights"), ("weights=0,0,0,0", "weights"),
    ("weights=a,b,c,d", "weights"), ("weights=1,-1,0,0", "weights"), ("weights=nan,1,1,1",
                                                                      "weights"),
    ("target=0", "target"), ("target=5", "target"), ("target=3.5", "target"),
    ("wave=1999", "wave"), ("lang=de", "lang"), ("done=XYZ-01", "done"),
])
def test_bad_parameters_are_400(consent, query, parameter):
    r = consent.get(URL.format(ENSCHEDE) + "?" + query)
    assert r.status_code == 400, query
    body = r.get_json()
    assert body["parameter"] == parameter and parameter in body["error"]


def test_unknown_id_is_404_and_nothing_published_is_503(consent, empty):
    for client in (consent, empty):
        r = client.get(URL.format("NL_GM9999"))
        assert r.status_code == 404 and r.get_json()["municipality_id"] == "NL_GM9999"
    r = empty.get(URL.format(ENSCHEDE))
    assert r.status_code == 503 and r.get_json() == {"error": "no survey data published yet"}


def test_documented_in_openapi(consent):
    doc = consent.get("/api/v1/openapi.json").get_json()
    op = doc["paths"]["/api/v1/municipalities/{municipality_id}/roadmap"]["get"]
    assert {p["name"] for p in op["parameters"]} == {
        "municipality_id", "phases", "per_phase", "weights", "target", "wave", "done", "lang"}
    assert {"200", "400", "403", "404", "503"} <= set(op["responses"])
    assert "Roadmap" in doc["components"]["schemas"]
    rules = {re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", r.rule)
             for r in consent.application.url_map.iter_rules() if r.rule.startswith("/api/v1/")}
    assert "/api/v1/municipalities/{municipality_id}/roadmap" in rules
    assert set(doc["paths"]) == rules


def test_evaluation_date_is_the_latest_submission(consent, nl_ctx):
    body = consent.get(URL.format(ENSCHEDE) + "?wave=2025").get_json()
    assert dt.date.fromisoformat(body["evaluation_date"]) == _engine(nl_ctx, ENSCHEDE,
                                                                     "2025")[1]


def test_who_can_help_in_the_api_names_only_consenting_at_a_known_level_of_three(consent, nl_ctx):
    """The API answers who can help with each first-phase element, as the page does: named
    municipalities consented, have a known level >= 3 (and >= the target) on the element, are
    not the municipality itself, and come most similar first; the rest are counted."""
    body = consent.get(URL.format(ENSCHEDE)).get_json()
    snap = nl_ctx.warehouse.snapshot()
    cube, ok = snap.maturity, snap.consent
    me = cube.index_of(ENSCHEDE)
    w = cube.wave_index("2026")
    first = [s["element"] for s in body["phases"][0]]
    assert [h["element"] for h in body["who_can_help"]] == first
    named = 0
    for h in body["who_can_help"]:
        col = cube.levels[w, :, cube.element_ids.index(h["element"])]
        assert h["helpers_total"] == int(((col >= 3) & (np.arange(len(col)) != me)).sum())
        assert h["helpers_not_named"] == int(((col >= 3) & ~ok).sum())
        sims = [m["similarity"] for m in h["helpers"]]
        assert sims == sorted(sims, reverse=True)
        for m in h["helpers"] + h["partners"]:
            row = cube.index_of(m["municipality_id"])
            assert ok[row] and row != me and m["country"] == "NL"
            assert m["level"] == col[row]
            assert m["distance_km"] is None or 0 <= m["distance_km"] < 400
            named += 1
        assert all(m["level"] >= 3 for m in h["helpers"])
        # partners face the same step (their own first phase holds it): known level, below 3
        assert all(0 <= m["level"] < 3 for m in h["partners"])
    assert named
    cov = body["coverage"]
    assert cov["elements"] == 39 and 0 <= cov["known"] <= 39
    assert cov["thin"] == bool(cov["reasons"])
    assert isinstance(body["assess"], list) and isinstance(body["gated"], list)


def test_unknown_levels_become_assess_advice_in_the_api(consent, nl_ctx):
    """A municipality with 'don't know' answers gets them as assess advice with a sentence,
    never as a step."""
    snap = nl_ctx.warehouse.snapshot()
    cube, ok = snap.maturity, snap.consent
    w = cube.wave_index("2026")
    lv = cube.levels[w]
    rows = [r for r in np.flatnonzero(((lv == -1).any(axis=1)) & ((lv >= 0).any(axis=1)) & ok)]
    assert rows, "the demo has consenting municipalities with 'don't know' answers"
    mid = str(cube.municipality_ids[rows[0]])
    body = consent.get(URL.format(mid)).get_json()
    unknown = {cube.element_ids[j] for j in np.flatnonzero(lv[rows[0]] == -1)}
    steps = {s["element"] for p in body["phases"] for s in p}
    assert not steps & unknown
    assessed = [a["element"] for a in body["assess"]]
    assert set(assessed) == unknown
    assert all(a["text"].startswith("Establish where you stand on ") for a in body["assess"])


def test_the_documented_default_weights_are_the_ones_used(consent):
    """The OpenAPI document's default for `weights` is what the API applies without it."""
    doc = consent.get("/api/v1/openapi.json").get_json()
    params = doc["paths"]["/api/v1/municipalities/{municipality_id}/roadmap"]["get"]["parameters"]
    default = next(p for p in params if p["name"] == "weights")["schema"]["default"]
    used = consent.get(URL.format(ENSCHEDE)).get_json()["parameters"]["weights"]
    assert default == [
        used[k] for k in ("readiness", "unlock", "urgency", "peer")]


@pytest.mark.parametrize("visibility", ["consent", "open"])
def test_fast_paths_give_the_old_answer_for_every_municipality(visibility, nl_ctx, nl_open_ctx):
    """Many answering municipalities, every wave, targets 2-4 and what-if marks: who can help
    from the build's candidates equals scoring everyone (`who_can_help_slow`, under either
    visibility), and the roadmap rounded where it is written (`to_dict(DIGITS)`) equals the
    whole answer rounded afterwards (`rounded`), the API's old way. Includes municipalities with
    don't-know answers (assess advice) and with named helpers."""
    from dashboard.api_roadmap import DIGITS

    ctx = nl_ctx if visibility == "consent" else nl_open_ctx
    snap = ctx.warehouse.snapshot()
    cube = snap.maturity
    seen = {"helpers": 0, "assess": 0}
    for w in range(len(snap.waves)):
        answered = cube.answered(w)
        # every other answering municipality of the latest wave, every fourth of the others
        # (the reference holds all of the EU: the slow path scores 98,584 rows per call)
        rows = np.flatnonzero(answered)[::2 if w == len(snap.waves) - 1 else 4]
        for row in rows.tolist():
            target = (2, 3, 4)[row % 3]
            done = (cube.element_ids[row % len(cube.element_ids)],) if row % 5 == 0 else ()
            rm = rd.compute(ctx, snap, row, w, rd.Params(target=target, done=done))
            fast = rd.who_can_help(ctx, snap, w, row, rm, target)
            assert fast == who_can_help_slow(ctx, snap, w, row, rm, target), (w, row)
            seen["helpers"] += any(h.helpers for h in fast)
            assert json.dumps(rm.to_dict(DIGITS)) == json.dumps(rounded(rm.to_dict()))
            seen["assess"] += bool(rm.assess)
    assert all(seen.values()), seen


@pytest.mark.parametrize("visibility", ["consent", "open"])
def test_grouped_candidates_give_the_old_answer_for_every_municipality(visibility, nl_ctx,
                                                                        nl_open_ctx):
    """Who can help from the build's candidates grouped and bounded (`kickstart.shortlist`,
    what the EU build's long lists use; every list grouped here, the Dutch ones being short)
    equals scoring everyone, for every third answering municipality of the latest wave, targets
    3 and 4 (helper levels 3 and 4)."""
    from pipelines.maturity.kickstart import Candidates, who_can_help_indexed

    ctx = nl_ctx if visibility == "consent" else nl_open_ctx
    snap = ctx.warehouse.snapshot()
    w = len(snap.waves) - 1
    levels, answered, shown = rd.wave_levels(ctx, snap, w), rd.answered(snap, w), rd.shown(ctx,
                                                                                          snap)
    named = 0
    for target in (3, 4):
        grouped = Candidates.of(levels, shown=shown, answered=answered,
                                first_phase=rd.first_phase(ctx, snap, w).steps,
                                level_target=target, geo=rd.geo(ctx), short=0)
        assert any(g is not None for g in grouped.helpers_grouped)  # None: an empty list
        for row in np.flatnonzero(answered)[::3].tolist():
            rm = rd.compute(ctx, snap, row, w, rd.Params(target=target))
            first = [s.index for s in rm.steps if s.phase == 1]
            want = who_can_help_slow(ctx, snap, w, row, rm, target)
            got = who_can_help_indexed(levels, first, rd.model(ctx).element_ids, row,
                                       rd.geo(ctx), rd.profiles(snap, w), grouped, shown=shown,
                                       answered=answered) if first else []
            assert got == want, (row, target)
            named += any(h.helpers or h.partners for h in got)
    assert named
