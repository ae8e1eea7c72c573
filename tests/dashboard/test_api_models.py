"""Every JSON answer of the API validates against its model (dashboard/api_models.py).

Real answers of the Dutch demo build, for every endpoint and many inputs (municipalities in
every situation, both waves, every area level, both languages, roadmap and readiness parameters,
every law, what-if drafts) and every error status that can be triggered. The models are strict
and forbid undeclared fields, so an answer that drifts from its declaration fails here, naming
the field, before schemathesis or a client finds it.
"""

from __future__ import annotations

import inspect
import json
from typing import get_args

import numpy as np
import pytest
from pydantic import BaseModel, ValidationError

from dashboard import api_models as m
from pipelines.maturity.readiness import ORIGINS, STATUS_NAMES
from pipelines.maturity.roadmap import COMPONENTS
from pipelines.reference import SIZE_CLASS_KEYS

ENSCHEDE = "NL_GM0153"  # consented, answered in 2025 and 2026
GRONINGEN = "NL_GM0014"  # answered in 2026, did not consent
ALMERE = "NL_GM0034"  # consented, answered in 2025 but not in 2026
DRAFT = {"id": "DRAFT", "name": "Draft", "requirements": [
    {"element": "SEC-01", "min": 2, "deadline": "2026-01-01"}]}
LATER = {**DRAFT, "requirements": [{"element": "SEC-01", "min": 4, "deadline": "2030-01-01"}]}
NATIONAL = {"id": "DRAFT_NIS", "name": {"en": "Draft", "nl": "Ontwerp"}, "in_force": "2025-01-01",
            "population_above": 30000, "requirements": [
                {"element": "SEC-01", "min": 3, "deadline_ref": "nis2_date",
                 "applies_if": "nis2_in_scope"},
                {"element": "GOV-03", "min": 2, "deadline": "2027-06-30",
                 "status": "recommended"}]}

MODELS = [cls for _, cls in inspect.getmembers(m, inspect.isclass)
          if issubclass(cls, BaseModel) and cls.__module__ == m.__name__]


@pytest.fixture(scope="module")
def who(nl_ctx) -> dict[str, str]:
    """Municipalities of the demo build in each situation, found in the build itself."""
    snap = nl_ctx.warehouse.snapshot()
    cube = snap.maturity
    ids = cube.municipality_ids
    latest = cube.levels[cube.wave_index(snap.waves[-1])]
    dutch = np.char.startswith(ids.astype(str), "NL_")
    never = np.flatnonzero(dutch & ~(cube.levels >= 0).any(axis=(0, 2)) & ~snap.consent)
    unsure = np.flatnonzero((latest == -1).any(axis=1) & (latest >= 0).any(axis=1) & snap.consent)
    abroad = np.flatnonzero(~dutch)
    assert len(never) and len(unsure) and len(abroad), "the demo build has every situation"
    return {"consenting": ENSCHEDE, "refusing": GRONINGEN, "lapsed": ALMERE,
            "never": str(ids[never[0]]), "unsure": str(ids[unsure[0]]),
            "abroad": str(ids[abroad[0]]), "every_element": ",".join(nl_ctx.framework.element_ids)}


def check(client, path: str, status: int, model: type[BaseModel], method: str = "GET",
          **kwargs):
    r = client.open(path, method=method, **kwargs)
    assert r.status_code == status, (method, path, r.status_code, r.data[:500])
    assert r.mimetype == "application/json", (path, r.mimetype)
    try:
        return model.model_validate_json(r.data)
    except ValidationError as e:
        pytest.fail(f"{method} {path} ({status}) does not match {model.__name__}:\n{e}")


def _cases(client: str, status: int, model: type[BaseModel], *paths: str) -> list:
    return [pytest.param(client, p, status, model, id=f"{client}-{status}-{p}") for p in paths]


MUNI = "/api/v1/municipalities/{}"
ROADMAP = "/api/v1/municipalities/{}/roadmap"
READY = "/api/v1/municipalities/{}/readiness"

GET_CASES = [
    *_cases("consent", 200, m.Health, "/api/v1/health"),
    *_cases("open_", 200, m.Health, "/api/v1/health"),
    *_cases("empty", 200, m.Health, "/api/v1/health"),
    *_cases("consent", 200, m.Framework, "/api/v1/framework"),
    *_cases("empty", 200, m.Framework, "/api/v1/framework"),
    # municipalities: all of them (every reference record once), pages, searches
    *_cases("consent", 200, m.MunicipalityList,
            "/api/v1/municipalities", "/api/v1/municipalities?country=NL",
            "/api/v1/municipalities?q=den%20haag&limit=5", "/api/v1/municipalities?q=zzzzqqq",
            "/api/v1/municipalities?limit=10&offset=20", "/api/v1/municipalities?limit=0",
            "/api/v1/municipalities?offset=98580", "/api/v1/municipalities?country=GR&limit=3",
            "/api/v1/municipalities?country=BE&q=bruxelles",
            "/api/v1/municipalities?country=NL&limit=50&offset=300&format=json"),
    *_cases("open_", 200, m.MunicipalityList, "/api/v1/municipalities?country=NL&limit=50"),
    *_cases("empty", 200, m.MunicipalityList, "/api/v1/municipalities?limit=3&offset=3"),
    # one municipality in every situation and wave
    *_cases("consent", 200, m.MunicipalityDetail,
            MUNI.format("{consenting}"), MUNI.format("{consenting}") + "?wave=2025",
            MUNI.format("{consenting}") + "?wave=2026", MUNI.format("nl_gm0153"),
            MUNI.format("{lapsed}"), MUNI.format("{lapsed}") + "?wave=2026",
            MUNI.format("{unsure}")),
    *_cases("open_", 200, m.MunicipalityDetail,
            MUNI.format("{refusing}"), MUNI.format("{refusing}") + "?wave=2025",
            MUNI.format("{never}"), MUNI.format("{abroad}"), MUNI.format("{unsure}")),
    # aggregates: every level, both waves, measures, languages
    *_cases("consent", 200, m.AggregateList,
            "/api/v1/aggregates", "/api/v1/aggregates?level=country&wave=2025",
            "/api/v1/aggregates?level=nuts2&country=NL&measure=ALL",
            "/api/v1/aggregates?level=nuts3&measure=SEC,GOV-01&wave=2026",
            "/api/v1/aggregates?level=size_class", "/api/v1/aggregates?level=size_class&measure=ALL",
            "/api/v1/aggregates?level=size_class&country=NL&lang=nl&measure=ALL,SEC,SEC-01",
            "/api/v1/aggregates?measure=all&lang=nl&country=nl",
            "/api/v1/aggregates?level=nuts3&country=BE"),
    *_cases("open_", 200, m.AggregateList, "/api/v1/aggregates?level=nuts2&wave=2025"),
    # leverage: EU, country, region, size class, suppressed selections, both languages
    *_cases("consent", 200, m.LeverageTable,
            "/api/v1/insight/leverage", "/api/v1/insight/leverage?country=NL",
            "/api/v1/insight/leverage?country=NL&lang=nl", "/api/v1/insight/leverage?nuts2=NL33",
            "/api/v1/insight/leverage?size_class=20k-50k",
            "/api/v1/insight/leverage?country=NL&size_class=ge250k",
            "/api/v1/insight/leverage?nuts2=NL11", "/api/v1/insight/leverage?country=BE"),
    *_cases("open_", 200, m.LeverageTable, "/api/v1/insight/leverage?country=NL&size_class=lt5k"),
    # roadmaps: defaults, every parameter, what-if, without answers, with unknown levels
    *_cases("consent", 200, m.Roadmap,
            ROADMAP.format("{consenting}"), ROADMAP.format("{consenting}") + "?lang=nl",
            ROADMAP.format("{consenting}") + "?phases=1&per_phase=10",
            ROADMAP.format("{consenting}") + "?phases=10&per_phase=1&target=4",
            ROADMAP.format("{consenting}") + "?weights=1,0,0,0&target=1",
            ROADMAP.format("{consenting}") + "?weights=0.1,0.2,0.3,0.4&wave=2025&lang=nl",
            ROADMAP.format("{consenting}") + "?done=GOV-02,DAT-01,sec-01",
            ROADMAP.format("{consenting}") + "?target=2&done=STR-01",
            ROADMAP.format("{consenting}") + "?done={every_element}",
            ROADMAP.format("nl_gm0153") + "?phases=2&per_phase=2&weights=3,1,1,1&target=3"
            "&wave=2026&done=GOV-02&lang=en",
            ROADMAP.format("{lapsed}"), ROADMAP.format("{lapsed}") + "?wave=2025",
            ROADMAP.format("{unsure}"), ROADMAP.format("{unsure}") + "?lang=nl&target=4"),
    *_cases("open_", 200, m.Roadmap,
            ROADMAP.format("{refusing}"), ROADMAP.format("{never}"), ROADMAP.format("{abroad}"),
            ROADMAP.format("{refusing}") + "?wave=2025&lang=nl"),
    # laws
    *_cases("consent", 200, m.LawList, "/api/v1/laws"),
    *_cases("empty", 200, m.LawList, "/api/v1/laws"),
    *_cases("consent", 200, m.LawProfile, "/api/v1/laws/nis2"),
    *_cases("consent", 200, m.LawReadiness,
            "/api/v1/laws/GDPR/readiness", "/api/v1/laws/GDPR/readiness?country=NL",
            "/api/v1/laws/GDPR/readiness?at=2030-01-01&horizon=365",
            "/api/v1/laws/GDPR/readiness?at=2026-07-01&country=NL&horizon=0",
            "/api/v1/laws/NIS2/readiness?nuts2=NL33&horizon=all",
            "/api/v1/laws/NIS2/readiness?country=NL&size_class=20k-50k&at=2025-01-01",
            "/api/v1/laws/gdpr/readiness?size_class=ge250k",
            "/api/v1/laws/GDPR/readiness?country=NL&nuts2=NL11",
            "/api/v1/laws/INSPIRE/readiness?country=NL", "/api/v1/laws/CRA/readiness?country=NL",
            "/api/v1/laws/WHISTLEBLOWER/readiness?at=2030-01-01&horizon=3650",
            "/api/v1/laws/GDPR/readiness?country=BE"),
    *_cases("open_", 200, m.LawReadiness, "/api/v1/laws/NIS2/readiness?at=2030-01-01"),
    *_cases("consent", 200, m.MunicipalityReadiness,
            READY.format("{consenting}"), READY.format("{consenting}") + "?at=2026-07-01",
            READY.format("{consenting}") + "?at=2030-01-01&horizon=365",
            READY.format("{consenting}") + "?horizon=0", READY.format("nl_gm0153"),
            READY.format("{lapsed}") + "?at=2025-06-01&horizon=all"),
    *_cases("open_", 200, m.MunicipalityReadiness,
            READY.format("{refusing}"), READY.format("{never}"), READY.format("{abroad}"),
            READY.format("{unsure}") + "?at=2030-01-01&horizon=30"),
    # 400: a bad parameter
    *_cases("consent", 400, m.Error,
            "/api/v1/municipalities?limit=x", "/api/v1/municipalities?offset=-1",
            "/api/v1/municipalities?country=XX", "/api/v1/municipalities?format=pdf",
            MUNI.format("{consenting}") + "?wave=1999", MUNI.format("{consenting}") + "?format=x",
            "/api/v1/aggregates?level=town", "/api/v1/aggregates?measure=NOPE",
            "/api/v1/aggregates?wave=1999", "/api/v1/aggregates?lang=fr",
            "/api/v1/aggregates?country=XX", "/api/v1/aggregates?format=doc",
            "/api/v1/insight/leverage?nuts2=XX99", "/api/v1/insight/leverage?size_class=big",
            "/api/v1/insight/leverage?lang=fr", "/api/v1/insight/leverage?country=XX",
            ROADMAP.format("{consenting}") + "?phases=0", ROADMAP.format("{consenting}") + "?phases=11",
            ROADMAP.format("{consenting}") + "?per_phase=x",
            ROADMAP.format("{consenting}") + "?weights=a,b",
            ROADMAP.format("{consenting}") + "?weights=0,0,0,0",
            ROADMAP.format("{consenting}") + "?target=5", ROADMAP.format("{consenting}") + "?done=NOPE",
            ROADMAP.format("{consenting}") + "?lang=fr", ROADMAP.format("{consenting}") + "?wave=1999",
            "/api/v1/laws/GDPR/readiness?at=2026-13-01", "/api/v1/laws/GDPR/readiness?at=tomorrow",
            "/api/v1/laws/GDPR/readiness?horizon=-3", "/api/v1/laws/GDPR/readiness?horizon=soon",
            "/api/v1/laws/GDPR/readiness?horizon=4000", "/api/v1/laws/GDPR/readiness?country=XX",
            "/api/v1/laws/GDPR/readiness?size_class=big", "/api/v1/laws/GDPR/readiness?nuts2=XX99",
            READY.format("{consenting}") + "?at=x", READY.format("{consenting}") + "?horizon=x"),
    # 403: the consent rule
    *_cases("consent", 403, m.Error, MUNI.format("{refusing}"), ROADMAP.format("{refusing}"),
            READY.format("{refusing}"), MUNI.format("{abroad}"), READY.format("{never}")),
    # 404: unknown ids and paths
    *_cases("consent", 404, m.Error, MUNI.format("NOPE"), ROADMAP.format("NOPE"),
            READY.format("XX_0"), "/api/v1/laws/NOPE", "/api/v1/laws/NOPE/readiness",
            "/api/v1/nope", "/api/", "/api/v2/municipalities"),
    *_cases("empty", 404, m.Error, "/api/v1/laws/NOPE"),
    # 503: nothing published
    *_cases("empty", 503, m.Error, MUNI.format(ENSCHEDE), "/api/v1/aggregates",
            "/api/v1/insight/leverage", ROADMAP.format(ENSCHEDE), "/api/v1/laws/GDPR/readiness",
            READY.format(ENSCHEDE), "/api/v1/bundle"),
]


@pytest.mark.parametrize("client,path,status,model", GET_CASES)
def test_get_answers_match_their_models(request, who, client, path, status, model):
    check(request.getfixturevalue(client), path.format(**who), status, model)


def test_a_region_outside_the_country_is_an_error_or_an_empty_selection(consent):
    """Either answer is defensible (400, or 0 municipalities and suppressed); its body must
    match the model of its status."""
    path = "/api/v1/insight/leverage?nuts2=BE10&country=NL"
    status = consent.get(path).status_code
    assert status in (200, 400)
    check(consent, path, status, m.LeverageTable if status == 200 else m.Error)


@pytest.mark.parametrize("client,query,body,status,model", [
    ("consent", "?at=2026-07-01", DRAFT, 200, m.WhatIfReadiness),
    ("consent", "?at=2026-07-01&horizon=0", LATER, 200, m.WhatIfReadiness),
    ("consent", "?at=2030-01-01&horizon=365&country=NL", LATER, 200, m.WhatIfReadiness),
    ("consent", "?size_class=20k-50k", DRAFT, 200, m.WhatIfReadiness),
    ("consent", "?nuts2=NL11", DRAFT, 200, m.WhatIfReadiness),
    ("consent", "?country=NL", NATIONAL, 200, m.WhatIfReadiness),
    ("consent", "?at=2026-07-01", {**NATIONAL, "population_above": 120000}, 200, m.WhatIfReadiness),
    ("open_", "", NATIONAL, 200, m.WhatIfReadiness),
    ("consent", "", {"id": "X"}, 400, m.Error),
    ("consent", "", [1, 2], 400, m.Error),
    ("consent", "", {**DRAFT, "requirements": [{"element": "NOPE-1", "min": 2,
                                                 "deadline": "2026-01-01"}]}, 400, m.Error),
    ("consent", "", {**DRAFT, "population_above": "many"}, 400, m.Error),
    ("consent", "?at=x", DRAFT, 400, m.Error),
    ("consent", "?horizon=-1", DRAFT, 400, m.Error),
    ("consent", "?country=XX", DRAFT, 400, m.Error),
    ("empty", "", DRAFT, 503, m.Error),
], ids=lambda v: json.dumps(v)[:60] if isinstance(v, (dict, list)) else str(v))
def test_what_if_answers_match_their_models(request, client, query, body, status, model):
    check(request.getfixturevalue(client), "/api/v1/laws/what-if" + query, status, model,
          method="POST", json=body)


FUNDING = {"country": "NL", "package": [{"element": "SEC-02", "level": 3}], "reach": 50}


@pytest.mark.parametrize("client,body,status,model", [
    ("consent", FUNDING, 200, m.FundingWhatIf),
    ("open_", {**FUNDING, "compare": [{"element": "GOV-02", "level": 4, "cost": 1000}],
               "rule": "readiness", "law": "NIS2"}, 200, m.FundingWhatIf),
    ("consent", {**FUNDING, "nuts2": "NL33", "size_class": "ge250k"}, 200, m.FundingWhatIf),
    ("consent", {**FUNDING, "reach": "many"}, 400, m.Error),
    ("empty", FUNDING, 503, m.Error),
])
def test_funding_answers_match_their_models(request, client, body, status, model):
    check(request.getfixturevalue(client), "/api/v1/insight/funding-what-if", status, model,
          method="POST", json=body)


@pytest.mark.parametrize("client,method,path,body,status,model", [
    ("consent", "GET", "/api/v1/initiatives", None, 200, m.InitiativeList),
    ("consent", "GET", "/api/v1/initiatives?element=SEC-02", None, 200, m.InitiativeList),
    ("consent", "GET", "/api/v1/initiatives?municipality=" + ENSCHEDE, None, 200,
     m.InitiativeList),
    ("open_", "GET", "/api/v1/initiatives?municipality=" + GRONINGEN, None, 200,
     m.InitiativeList),
    ("empty", "GET", "/api/v1/initiatives", None, 200, m.InitiativeList),
    ("consent", "GET", "/api/v1/initiatives?municipality=" + GRONINGEN, None, 403, m.Error),
    ("consent", "GET", "/api/v1/initiatives?municipality=XX_0", None, 404, m.Error),
    ("consent", "GET", "/api/v1/initiatives?element=NOPE", None, 400, m.Error),
    ("consent", "POST", "/api/v1/initiatives", {"element": "SEC-02", "description": "d",
                                                "start": "2027-01-01", "kind": "offers_reuse"},
     403, m.Error),
    ("consent", "POST", "/api/v1/initiatives", {"element": "SEC-02"}, 400, m.Error),
    ("consent", "POST", "/api/v1/initiatives/I-000000000000/join", {"role": "adopter"}, 403,
     m.Error),
    ("consent", "POST", "/api/v1/initiatives/I-000000000000/join", {"role": "boss"}, 400,
     m.Error),
])
def test_initiative_answers_match_their_models(request, client, method, path, body, status,
                                               model):
    """The 200s of starting and joining: tests/dashboard/test_codev_api.py (with links)."""
    check(request.getfixturevalue(client), path, status, model, method=method, json=body)


@pytest.mark.parametrize("data,content_type", [("x", "text/plain"),
                                               ("{bad", "application/json")])
def test_a_body_that_is_no_json_is_an_error(consent, data, content_type):
    check(consent, "/api/v1/laws/what-if", 400, m.Error, method="POST", data=data,
          content_type=content_type)


@pytest.mark.parametrize("method,path", [("POST", "/api/v1/health"), ("PUT", "/api/v1/framework"),
                                         ("DELETE", "/api/v1/laws/what-if"),
                                         ("GET", "/api/v1/laws/what-if"),
                                         ("PATCH", "/api/v1/municipalities")])
def test_a_wrong_method_is_405(consent, method, path):
    err = check(consent, path, 405, m.Error, method=method)
    assert err.allowed


def test_every_law_and_its_readiness(consent, empty):
    laws = check(consent, "/api/v1/laws", 200, m.LawList)
    assert laws.count == len(laws.items) >= 17
    for law in laws.items:
        check(empty, f"/api/v1/laws/{law.id}", 200, m.LawProfile)
        for query in ("?country=NL", "?at=2030-01-01&horizon=365", "?at=2026-07-01&horizon=0"):
            check(consent, f"/api/v1/laws/{law.id}/readiness{query}", 200, m.LawReadiness)


def test_every_api_route_has_a_validated_answer(consent, who):
    """A new endpoint needs a model and a case here (the zip and the document itself aside)."""
    adapter = consent.application.url_map.bind("localhost")
    covered = {adapter.match(path.format(**who).split("?")[0], return_rule=True)[0].rule
               for _, path, status, _ in (p.values for p in GET_CASES) if status == 200}
    covered.add("/api/v1/laws/<law_id>")  # test_every_law_and_its_readiness
    covered.add("/api/v1/laws/what-if")  # test_what_if_answers_match_their_models
    covered.add("/api/v1/insight/funding-what-if")  # test_funding_answers_match_their_models
    covered.update({"/api/v1/initiatives",  # test_initiative_answers_match_their_models
                    "/api/v1/initiatives/<initiative_id>/join"})
    routes = {r.rule for r in consent.application.url_map.iter_rules()
              if r.rule.startswith("/api/v1/")}
    # the zip, the document itself and the council report (PDF/HTML: tests/dashboard/
    # test_report.py checks them against the JSON answers) carry no JSON model
    assert routes - covered == {"/api/v1/bundle", "/api/v1/openapi.json",
                                "/api/v1/municipalities/<municipality_id>/report.pdf",
                                "/api/v1/municipalities/<municipality_id>/report.html"}


@pytest.mark.parametrize("model", MODELS, ids=lambda c: c.__name__)
@pytest.mark.parametrize("mode", ["validation", "serialization"])
def test_generated_schema_is_json_without_nan_and_closed(model, mode):
    text = json.dumps(model.model_json_schema(mode=mode), allow_nan=False)
    assert "NaN" not in text
    schema = json.loads(text)
    assert schema["type"] == "object" and schema["additionalProperties"] is False


def test_fixed_value_sets_are_the_codes():
    """The Literal types are written out for the document; they must stay the code's sets."""
    assert get_args(m.SizeClass) == SIZE_CLASS_KEYS
    assert get_args(m.ReadinessStatus) == STATUS_NAMES
    assert get_args(m.ConditionOrigin) == ORIGINS
    assert tuple(m.Components.model_fields) == tuple(m.RawWeights.model_fields) == COMPONENTS


def test_undeclared_fields_and_wrong_types_fail():
    ok = {"error": "x", "parameter": "limit"}
    m.Error.model_validate_json(json.dumps(ok))
    for bad in ({**ok, "hint": "x"}, {**ok, "parameter": 3}, {"parameter": "limit"}):
        with pytest.raises(ValidationError):
            m.Error.model_validate_json(json.dumps(bad))
