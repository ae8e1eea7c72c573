"""The OpenAPI 3.1 description of every /api/v1 endpoint, served at /api/v1/openapi.json.

A test checks that every /api/v1 route registered on the Flask server is described here and
that every path described here is registered. `openapi_document` adds what every GET answer
shares (dashboard/api_http.py): the 304 answer to a conditional request and the ETag,
Cache-Control and CORS headers of the 200.
"""

from __future__ import annotations

import copy

from pipelines.maturity.roadmap import DEFAULT_WEIGHTS

# the engine's default, so the document cannot drift from it
DEFAULT_WEIGHTS_TEXT = ",".join(f"{v:g}" for v in DEFAULT_WEIGHTS.raw())

API_VERSION = "1.0.0"


def _ref(name: str) -> dict:
    return {"$ref": f"#/components/schemas/{name}"}


def _nullable(type_: str, **extra) -> dict:
    return {"type": [type_, "null"], **extra}


def _error(description: str) -> dict:
    return {"description": description,
            "content": {"application/json": {"schema": _ref("Error")}}}


TABLE_FORMATS = {  # ?format= -> content type of the download (dashboard/api_formats.py)
    "csv": "text/csv",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "parquet": "application/vnd.apache.parquet",
}


def _json(description: str, schema: dict, csv: bool = False) -> dict:
    """A JSON answer; `csv`: a table that `format` also gives as CSV, XLSX or Parquet."""
    content = {"application/json": {"schema": schema}}
    if csv:
        content["text/csv"] = {"schema": {"type": "string"},
                               "example": "municipality_id,name,...\n"}
        for fmt in ("xlsx", "parquet"):
            content[TABLE_FORMATS[fmt]] = {"schema": {"type": "string", "format": "binary"}}
    return {"description": description, "content": content}


def _param(name: str, description: str, schema: dict, where: str = "query",
           required: bool = False, example=None) -> dict:
    p = {"name": name, "in": where, "required": required, "description": description,
         "schema": schema}
    if example is not None:
        p["example"] = example
    return p


PARAMETERS = {
    "format": _param("format", "Answer format: JSON (default), or the table as a download "
                     "(Content-Disposition names the file): CSV with a header row (text/csv), "
                     "XLSX (one sheet, text cells written as text, never as formulas) or "
                     "Parquet (typed columns). The same rows in every format; in CSV a text "
                     "cell starting with = + - @, tab or CR gets a leading quote. Another value "
                     "gives 400.",
                     {"type": "string", "enum": ["json", *TABLE_FORMATS], "default": "json"}),
    "country": _param("country", "Two-letter country code as in the reference data (EL for "
                      "Greece, UK for the United Kingdom; GR and GB are accepted too). Unknown "
                      "codes give 400.", {"type": "string", "pattern": "^[A-Za-z]{2}$"},
                      example="NL"),
    "wave": _param("wave", "Survey wave (e.g. 2026); a wave that is not published gives 400.",
                   {"type": "string"}, example="2026"),
}

# ------------------------------------------------------------------ schemas

REFERENCE_PROPERTIES = {
    "municipality_id": {"type": "string", "description": "GISCO LAU id, e.g. NL_GM0014",
                        "example": "NL_GM0014"},
    "name": {"type": "string"},
    "name_alt": _nullable("string", description="name in a second language, if any"),
    "country": {"type": "string", "description": "two-letter code"},
    "national_code": {"type": "string", "description": "national statistical code (CBS, NIS...)"},
    "nuts1": {"type": "string"},
    "nuts2": {"type": "string"},
    "nuts3": {"type": "string"},
    "population": _nullable("integer"),
    "size_class": {"type": "string", "enum": ["lt5k", "5k-20k", "20k-50k", "50k-100k",
                                              "100k-250k", "ge250k", "unknown"]},
    "lon": _nullable("number", description="population-weighted centre; null when unknown"),
    "lat": _nullable("number", description="population-weighted centre; null when unknown"),
}
REFERENCE_REQUIRED = list(REFERENCE_PROPERTIES)

SCHEMAS = {
    "Error": {
        "type": "object",
        "required": ["error"],
        "properties": {
            "error": {"type": "string", "description": "what went wrong, in words"},
            "parameter": {"type": "string", "description": "the bad parameter (400)"},
            "value": {"type": "string", "description": "the value given (400)"},
            "allowed": {"type": "array", "description": "allowed values (400)"},
            "municipality_id": {"type": "string", "description": "the municipality (403, 404)"},
            "path": {"type": "string", "description": "the unknown path (404)"},
        },
    },
    "Municipality": {
        "type": "object",
        "description": "Reference data of one municipality (public).",
        "required": REFERENCE_REQUIRED,
        "properties": REFERENCE_PROPERTIES,
    },
    "MunicipalityListItem": {
        "allOf": [_ref("Municipality"), {
            "type": "object",
            "required": ["has_answers", "consent"],
            "properties": {
                "has_answers": _nullable("boolean", description="answered in the latest "
                                         "published wave; null when nothing is published"),
                "consent": _nullable("boolean", description="consented to publication of its "
                                     "results by name; null when nothing is published"),
            }}],
    },
    "MunicipalityList": {
        "type": "object",
        "required": ["total", "offset", "limit", "published", "wave", "next", "prev",
                     "items"],
        "properties": {
            "total": {"type": "integer", "description": "number of matches before paging"},
            "offset": {"type": "integer"},
            "limit": _nullable("integer", description="null: all matches from offset"),
            "published": {"type": "boolean", "description": "survey data are published"},
            "wave": _nullable("string", description="the wave the flags refer to (latest)"),
            "next": _nullable("string", format="uri", description="URL of the next page "
                              "(same parameters, offset + limit); null on the last page or "
                              "without limit. Also in the Link header (rel=next)."),
            "prev": _nullable("string", format="uri", description="URL of the previous page; "
                              "null at offset 0. Also in the Link header (rel=prev)."),
            "items": {"type": "array", "items": _ref("MunicipalityListItem")},
        },
    },
    "Level": {
        "type": "object",
        "required": ["element_id", "block", "wave", "level", "status", "n_respondents",
                     "n_known", "spread", "disagree"],
        "properties": {
            "element_id": {"type": "string", "example": "SEC-01"},
            "block": {"type": "string", "example": "SEC"},
            "wave": {"type": "string"},
            "level": _nullable("integer", minimum=0, maximum=4,
                               description="consolidated level (lower median of the "
                                           "respondents' known levels); null: don't know or "
                                           "not answered"),
            "status": {"type": "string", "enum": ["known", "dont_know", "missing"]},
            "n_respondents": {"type": "integer"},
            "n_known": {"type": "integer", "description": "respondents who gave a level"},
            "spread": _nullable("integer", description="highest - lowest known level"),
            "disagree": _nullable("boolean", description="spread of 2 or more"),
        },
    },
    "Coverage": {
        "type": ["object", "null"],
        "properties": {
            "n_respondents": {"type": "integer"},
            "roles": _nullable("string"),
            "n_answered": {"type": "integer"},
            "n_known": {"type": "integer"},
            "n_disagree": {"type": "integer"},
            "last_submitted": _nullable("string", format="date-time"),
        },
    },
    "MunicipalityDetail": {
        "allOf": [_ref("Municipality"), {
            "type": "object",
            "required": ["consent", "wave", "waves_answered", "has_answers", "coverage",
                         "levels", "scores"],
            "properties": {
                "consent": {"type": "boolean"},
                "wave": {"type": "string", "description": "the wave shown: ?wave=, else the "
                         "latest wave in which the municipality answered, else the latest"},
                "waves_answered": {"type": "array", "items": {"type": "string"}},
                "has_answers": {"type": "boolean"},
                "coverage": _ref("Coverage"),
                "levels": {"type": "array", "items": _ref("Level"),
                           "description": "one entry per framework element, framework order"},
                "scores": {
                    "type": "object",
                    "description": "mean known level; null when under half the scope is known",
                    "properties": {
                        "overall": _nullable("number"),
                        "blocks": {"type": "object",
                                   "additionalProperties": _nullable("number")},
                    },
                },
                "message": {"type": "string", "description": "set when there are no answers "
                            "in this wave"},
            }}],
    },
    "Aggregate": {
        "type": "object",
        "required": ["area_type", "area_id", "area_name", "country", "wave", "measure", "n",
                     "suppressed", "median", "q1", "q3", "mean", "share_ge3"],
        "properties": {
            "area_type": {"type": "string",
                          "enum": ["country", "nuts2", "nuts3", "size_class", "country_size"]},
            "area_id": {"type": "string", "description": "country code, NUTS id, size class "
                        "key, or country:size class (e.g. NL:20k-50k)"},
            "area_name": _nullable("string"),
            "country": _nullable("string"),
            "wave": {"type": "string"},
            "measure": {"type": "string", "description": "element id, block id or ALL"},
            "n": {"type": "integer", "description": "municipalities with a value"},
            "suppressed": {"type": "boolean", "description": "n below the minimum group size: "
                           "the statistics are null"},
            "median": _nullable("number"),
            "q1": _nullable("number"),
            "q3": _nullable("number"),
            "mean": _nullable("number"),
            "share_ge3": _nullable("number", description="share of municipalities at level 3 "
                                   "or higher (0-1)"),
        },
    },
    "AggregateList": {
        "type": "object",
        "required": ["level", "area_type", "country", "wave", "measures", "min_group", "total",
                     "items"],
        "properties": {
            "level": {"type": "string"},
            "area_type": {"type": "string"},
            "country": _nullable("string"),
            "wave": {"type": "string"},
            "measures": {"type": "array", "items": {"type": "string"}},
            "min_group": {"type": "integer"},
            "total": {"type": "integer"},
            "items": {"type": "array", "items": _ref("Aggregate")},
        },
    },
    "LeverageItem": {
        "type": "object",
        "required": ["rank", "element_id", "element", "lacking", "share_lacking", "mean_unlock",
                     "leverage", "first_phase", "first_phase_share", "first_step"],
        "properties": {
            "rank": {"type": "integer", "description": "1 = highest leverage"},
            "element_id": {"type": "string", "example": "GOV-03"},
            "element": {"type": "string", "description": "element name (lang)"},
            "lacking": {"type": "integer", "description": "answering municipalities below the "
                        "target level (3) on the element; an unknown level counts as below"},
            "share_lacking": {"type": "number", "description": "lacking / answering (0-1)"},
            "mean_unlock": _nullable("number", description="mean unlock of the element over "
                                     "the municipalities lacking it (0-1); null when none does"),
            "leverage": {"type": "number", "description": "lacking x mean_unlock"},
            "first_phase": {"type": "integer", "description": "municipalities with the element "
                            "in the first phase of their roadmap"},
            "first_phase_share": {"type": "number", "description": "first_phase / answering"},
            "first_step": {"type": "integer", "description": "municipalities with the element "
                           "as the first step of their roadmap"},
        },
    },
    "LeverageTable": {
        "type": "object",
        "required": ["country", "nuts2", "size_class", "wave", "evaluation_date",
                     "municipalities", "answered", "min_group", "suppressed", "formula",
                     "total", "items"],
        "properties": {
            "country": _nullable("string"),
            "nuts2": _nullable("string"),
            "size_class": _nullable("string"),
            "wave": {"type": "string", "description": "the wave of the stored roadmaps (latest)"},
            "evaluation_date": {"type": "string", "format": "date",
                                "description": "law deadlines were evaluated on this date"},
            "municipalities": {"type": "integer", "description": "in the selection"},
            "answered": {"type": "integer", "description": "answered in the wave: the "
                         "municipalities counted"},
            "min_group": {"type": "integer"},
            "suppressed": {"type": "boolean", "description": "fewer answering municipalities "
                           "than min_group: items is empty"},
            "target": {"type": "integer"},
            "per_phase": {"type": "integer"},
            "formula": {"type": "string"},
            "total": {"type": "integer"},
            "items": {"type": "array", "items": _ref("LeverageItem"),
                      "description": "one per element, highest leverage first"},
        },
    },
    "RoadmapStep": {
        "type": "object",
        "required": ["element", "name", "rank", "phase", "score", "components", "explanation",
                     "text"],
        "properties": {
            "element": {"type": "string", "example": "SEC-04"},
            "name": {"type": "string", "description": "element name (lang)"},
            "rank": {"type": "integer", "description": "1-based step in the sequence"},
            "phase": {"type": "integer", "description": "1-based phase"},
            "score": {"type": "number", "description": "weighted mean of the components with "
                      "the normalised weights (0-1), when the step was chosen (after the "
                      "earlier steps): it can rise through the roadmap; the phase gives the "
                      "order"},
            "components": {"type": "object", "description": "readiness, unlock, urgency, peer "
                           "(0-1) at the moment the element was chosen",
                           "additionalProperties": {"type": "number"}},
            "explanation": {"type": "object", "description": "the numbers behind the "
                            "recommendation: enablers (level, weight, credit, status, source), "
                            "the prerequisites (gates) it waited for, the dependants it "
                            "unlocks, the legal duties it does not meet, the driving one first "
                            "(law, legal_basis, min level, deadline, urgency, enforcement, "
                            "confidence: check when the requirement or its national date is "
                            "unverified), peer counts (at_least = the target), components, "
                            "weights, score"},
            "text": {"type": "string", "description": "the explanation in words (lang)"},
        },
    },
    "Roadmap": {
        "type": "object",
        "required": ["municipality_id", "name", "country", "wave", "lang", "has_answers",
                     "evaluation_date", "peer_group", "parameters", "known", "weights",
                     "phases", "steps"],
        "properties": {
            "municipality_id": {"type": "string"},
            "name": {"type": "string"},
            "country": {"type": "string"},
            "wave": {"type": "string"},
            "lang": {"type": "string", "enum": ["en", "nl"]},
            "has_answers": {"type": "boolean", "description": "false: no answers in the wave; "
                            "no roadmap is given"},
            "evaluation_date": {"type": "string", "format": "date", "description": "law "
                                "deadlines are counted from this date (the latest submission "
                                "in the wave)"},
            "peer_group": {"type": "object", "description": "peer proof compares with the "
                           "other municipalities of the same country and size class",
                           "properties": {"kind": {"type": "string"},
                                          "id": {"type": "string", "example": "NL:20k-50k"},
                                          "municipalities": {"type": "integer"}}},
            "parameters": {"type": "object", "description": "the settings as asked (raw "
                           "weights)"},
            "known": {"type": "integer", "description": "elements with a known level"},
            "weights": {"type": "object", "description": "normalised weights used",
                        "additionalProperties": {"type": "number"}},
            "targets": {"type": ["object", "null"], "description": "target level per element",
                        "additionalProperties": {"type": "integer"}},
            "done": {"type": "array", "items": {"type": "string"}},
            "phases": {"type": "array", "description": "phases in order, each a list of steps",
                       "items": {"type": "array", "items": _ref("RoadmapStep")}},
            "steps": {"type": "integer", "description": "number of recommended elements"},
            "assess": {"type": "array", "description": "elements nobody could rate (don't "
                       "know): advice to establish where the municipality stands, most "
                       "important first (legal duties on them, the elements they gate, what "
                       "they help build); never developed, never counted as level 0",
                       "items": {"type": "object"}},
            "gated": {"type": "array", "items": {"type": "string"}, "description": "elements "
                      "below target held back because a prerequisite (gate) stays unmet"},
            "coverage": {"type": "object", "description": "who answered: respondents, roles, "
                         "known levels; `thin` with `reasons` (no_lead, many_unknown)"},
            "who_can_help": {"type": "array", "items": {"type": "object"}, "description":
                             "per first-phase element the most similar nearby municipalities "
                             "at a known level of at least the target (3 or more) that may be "
                             "named (with distance_km), and partners that have it in their own "
                             "first phase; the others counted as *_not_named"},
            "message": {"type": "string", "description": "set when there is no roadmap "
                        "(no answers in the wave, or every element at target)"},
        },
    },
    "Health": {
        "type": "object",
        "required": ["status", "versions", "framework", "data"],
        "properties": {
            "status": {"type": "string", "enum": ["ok"]},
            "versions": {"type": "object", "additionalProperties": {"type": "string"}},
            "framework": {"type": "object",
                          "additionalProperties": {"type": "integer"}},
            "data": {"type": "object", "required": ["published"],
                     "properties": {"published": {"type": "boolean"},
                                    "build_id": {"type": "string"},
                                    "built_at": {"type": "string"},
                                    "demo": {"type": "boolean"},
                                    "waves": {"type": "array", "items": {"type": "string"}},
                                    "counts": {"type": "object"}}},
        },
    },
    "Framework": {
        "type": "object",
        "description": "The whole framework as its files hold it (see data/framework).",
        "required": ["version", "checksum", "blocks", "elements", "matrix"],
        "properties": {
            "version": {"type": "string"},
            "released": {"type": "string", "format": "date"},
            "checksum": {"type": "string"},
            "name": {"type": "object"},
            "scale": {"type": "array", "items": {"type": "object"}},
            "blocks": {"type": "array", "items": {"type": "object"}},
            "elements": {"type": "array", "items": {"type": "object"}},
            "matrix": {"type": "object"},
            "instruments": {"type": "array", "items": {"type": "object"}},
            "conditions": {"type": "array", "items": {"type": "object"}},
            "laws": {"type": "array", "items": {"type": "object"}},
            "crosswalk_frameworks": {"type": "array", "items": {"type": "object"}},
        },
    },
}

NOT_PUBLISHED = _error("Nothing published yet: {\"error\": \"no survey data published yet\"}")
BAD_PARAMETER = _error("A bad parameter; the message names it and the allowed values.")

HORIZON_PARAM = {
    "name": "horizon", "in": "query", "required": False,
    "description": "Which deadlines count: `all` (default) every requirement against its own "
                   "deadline; a number of days N: what is due by `at` + N (0: due by `at`).",
    "schema": {"anyOf": [{"type": "string", "enum": ["all"]},
                         {"type": "integer", "minimum": 0, "maximum": 3650}],
               "default": "all"}}


PATHS = {
    "/api/v1/health": {"get": {
        "operationId": "health", "tags": ["meta"],
        "summary": "Status, versions, framework size and what data are published",
        "responses": {"200": _json("Status", _ref("Health"))}}},
    "/api/v1/framework": {"get": {
        "operationId": "framework", "tags": ["framework"],
        "summary": "The whole DS4E framework: blocks, elements, levels, matrix, laws",
        "responses": {"200": _json("The framework", _ref("Framework"))}}},
    "/api/v1/municipalities": {"get": {
        "operationId": "listMunicipalities", "tags": ["insight"],
        "summary": "Reference data of matching municipalities (all ~100k unless paged)",
        "description": "Public reference data of every matching municipality, with whether it "
                       "answered in the latest wave and whether it consented to publication by "
                       "name. Without limit/offset all matches are returned. With q, exact "
                       "matches of a field come first, then prefix matches, then the rest, each "
                       "ordered by municipality_id. Works before any survey data are published "
                       "(flags are then null).",
        "parameters": [
            PARAMETERS["country"],
            _param("q", "Search text: accent- and case-insensitive substring of the name, "
                   "alternative name, national code or GISCO id.", {"type": "string"},
                   example="den haag"),
            _param("limit", "Page size (all matches when absent).",
                   {"type": "integer", "minimum": 0}),
            _param("offset", "Matches to skip.", {"type": "integer", "minimum": 0,
                                                  "default": 0}),
            PARAMETERS["format"],
        ],
        "responses": {"200": _json("Matching municipalities", _ref("MunicipalityList"),
                                   csv=True),
                      "400": BAD_PARAMETER}}},
    "/api/v1/municipalities/{municipality_id}": {"get": {
        "operationId": "getMunicipality", "tags": ["insight"],
        "summary": "One municipality: reference data, levels per element and scores",
        "description": "Reference data plus the consolidated level per element in one wave "
                       "(default: the latest wave in which it answered), respondent agreement, "
                       "and block and overall scores. Consent rule: when the municipality did "
                       "not consent to publication by name and the deployment is not "
                       "DS4E_VISIBILITY=open, the answer is 403 (its answers count in the "
                       "aggregates only). `format=csv` gives the levels table.",
        "parameters": [
            _param("municipality_id", "GISCO id (from /api/v1/municipalities)",
                   {"type": "string"}, where="path", required=True, example="NL_GM0014"),
            PARAMETERS["wave"],
            PARAMETERS["format"],
        ],
        "responses": {
            "200": _json("The municipality's levels", _ref("MunicipalityDetail"), csv=True),
            "400": BAD_PARAMETER,
            "403": _error("The municipality did not consent to publish its results by name"),
            "404": _error("Unknown municipality id"),
            "503": NOT_PUBLISHED}}},
    "/api/v1/aggregates": {"get": {
        "operationId": "listAggregates", "tags": ["insight"],
        "summary": "Distribution of levels per area: n, quartiles, mean, share at level 3+",
        "description": "Per area and measure, from the precomputed aggregates. Groups of fewer "
                       "municipalities than the minimum group size (DS4E_MIN_GROUP, default 5) "
                       "are suppressed: n is given, the statistics are null. level=size_class "
                       "with a country gives that country's size classes (area_type "
                       "country_size, area_id like NL:20k-50k).",
        "parameters": [
            _param("level", "Area level", {"type": "string", "enum": ["country", "nuts2",
                                                                      "nuts3", "size_class"],
                                           "default": "country"}),
            PARAMETERS["country"],
            {**PARAMETERS["wave"], "description": "Survey wave; default the latest. A wave "
             "that is not published gives 400."},
            _param("measure", "Element id, block id or ALL (comma-separated for several); "
                   "default every element.", {"type": "string"}, example="SEC-01"),
            _param("lang", "Language of country and size-class names (NUTS names are as "
                   "Eurostat gives them).", {"type": "string", "enum": ["en", "nl"],
                                             "default": "en"}),
            PARAMETERS["format"],
        ],
        "responses": {"200": _json("Area statistics", _ref("AggregateList"), csv=True),
                      "400": BAD_PARAMETER,
                      "503": NOT_PUBLISHED}}},
    "/api/v1/insight/leverage": {"get": {
        "operationId": "getLeverage", "tags": ["insight"],
        "summary": "Leverage per element for a selection: where support or funding does most",
        "description": "From the roadmaps computed for every municipality at build time (latest "
                       "wave, default weights, target level 3). Over the municipalities of the "
                       "selection that answered in that wave, per element: how many are below "
                       "target (lacking), the mean of its unlock for them (the enabling weight "
                       "of its dependants a municipality still lacks, divided by the largest "
                       "such weight of any element), leverage = lacking x mean unlock, and how "
                       "often it is a first-phase recommendation. A selection with fewer "
                       "answering municipalities than DS4E_MIN_GROUP is suppressed (no items). "
                       "503 when nothing is published or the build has no stored roadmaps.",
        "parameters": [
            PARAMETERS["country"],
            _param("nuts2", "NUTS 2 region id (implies its country; with country, it must lie "
                   "in it).", {"type": "string"}, example="NL33"),
            _param("size_class", "Size class key.", {"type": "string", "enum": [
                "lt5k", "5k-20k", "20k-50k", "50k-100k", "100k-250k", "ge250k", "unknown"]}),
            _param("lang", "Language of element names.", {"type": "string",
                                                          "enum": ["en", "nl"],
                                                          "default": "en"}),
            PARAMETERS["format"],
        ],
        "responses": {"200": _json("The leverage table", _ref("LeverageTable"), csv=True),
                      "400": BAD_PARAMETER,
                      "503": _error("Nothing published yet, or the build has no stored "
                                    "roadmaps")}}},
    "/api/v1/municipalities/{municipality_id}/roadmap": {"get": {
        "operationId": "getRoadmap", "tags": ["roadmap"],
        "summary": "One municipality's sequenced roadmap with score components and explanations",
        "description": "The elements below the target level in the order the municipality is "
                       "best equipped to develop them: choose the best-scoring element, assume "
                       "it reached the target, recompute, repeat; cut into phases. Score = "
                       "weighted mean of readiness (weighted share of its enablers in place), "
                       "unlock (what it enables that is still missing), urgency (laws needing "
                       "it by a deadline within 3 years) and peer proof (share of the same "
                       "country and size class at level 3+). Each step has its components, the "
                       "structured explanation and the explanation in words. The same as the "
                       "dashboard's Roadmap tab. Consent rule as for the municipality's levels "
                       "(403). A municipality without answers in the wave gets an empty "
                       "roadmap with has_answers false.",
        "parameters": [
            _param("municipality_id", "GISCO id (from /api/v1/municipalities)",
                   {"type": "string"}, where="path", required=True, example="NL_GM0307"),
            _param("phases", "Number of phases.", {"type": "integer", "minimum": 1,
                                                   "maximum": 10, "default": 3}),
            _param("per_phase", "Elements per phase.", {"type": "integer", "minimum": 1,
                                                        "maximum": 10, "default": 3}),
            _param("weights", "Weights of readiness, unlock, urgency and peer proof: four "
                   "comma-separated numbers >= 0, not all 0 (normalised by their sum).",
                   {"type": "string", "default": DEFAULT_WEIGHTS_TEXT},
                   example=DEFAULT_WEIGHTS_TEXT),
            _param("target", "Target level for every element.",
                   {"type": "integer", "minimum": 1, "maximum": 4, "default": 3}),
            {**PARAMETERS["wave"], "description": "Survey wave; default the latest published. "
             "A wave that is not published gives 400."},
            _param("done", "What-if: comma-separated element ids counted as reached (raised to "
                   "the target) before the roadmap is computed.", {"type": "string"},
                   example="GOV-02,DAT-01"),
            _param("lang", "Language of names and explanation texts.",
                   {"type": "string", "enum": ["en", "nl"], "default": "en"}),
        ],
        "responses": {
            "200": _json("The roadmap", _ref("Roadmap")),
            "400": BAD_PARAMETER,
            "403": _error("The municipality did not consent to publish its results by name"),
            "404": _error("Unknown municipality id"),
            "503": NOT_PUBLISHED}}},
    "/api/v1/laws": {"get": {
        "operationId": "listLaws", "tags": ["laws"],
        "summary": "The EU law profiles (17 laws and adjacent instruments)",
        "description": "Id, names, status, in force, CELEX numbers, number of requirements, "
                       "how many of them are legal duties of the municipality (`legal_duties`) "
                       "and whether some facts are unverified (confidence: check). Works "
                       "without published data.",
        "responses": {"200": _json("The laws", {"type": "object"})}}},
    "/api/v1/laws/{law_id}": {"get": {
        "operationId": "getLaw", "tags": ["laws"],
        "summary": "One law profile as the law file holds it",
        "description": "Each requirement with `legal_duty` (true: the law obliges the "
                       "municipality itself, under `applies_if`; false: a recommendation, never "
                       "counted as not ready), its `legal_basis` (article) and, on an element "
                       "that bundles several laws' duties (GOV-03), what this law `needs` of it.",
        "parameters": [_param("law_id", "Law id, e.g. NIS2", {"type": "string"}, where="path",
                              required=True, example="NIS2")],
        "responses": {"200": _json("The law profile", {"type": "object"}),
                      "404": _error("Unknown law id")}}},
    "/api/v1/laws/{law_id}/readiness": {"get": {
        "operationId": "getLawReadiness", "tags": ["laws"],
        "summary": "How many municipalities are ready for a law",
        "description": "Among the municipalities of the selection that answered the latest "
                       "wave: to how many the law applies (`applies`; `not_applicable` the "
                       "rest), to how many something is due (`due`; `not_due`: it applies, "
                       "nothing is due yet), and of those `ready`, `not_ready` and `unknown`. "
                       "`share_ready` = ready / due (null when nothing is due): a law that does "
                       "not apply is never counted as ready. Fewer than min_group answering: "
                       "every count is null; fewer than min_group with something due: ready, "
                       "not_ready, unknown and share_ready are null (`suppressed`). Only legal "
                       "duties count; `ambition` gives the recommendations apart (due, share "
                       "met). `unverified_countries`: the countries whose national date or "
                       "scope behind these figures is not confirmed by a primary source.",
        "parameters": [
            _param("law_id", "Law id", {"type": "string"}, where="path", required=True,
                   example="GDPR"),
            _param("country", "Two-letter country code", {"type": "string"}, example="NL"),
            _param("nuts2", "NUTS 2 code", {"type": "string"}, example="NL32"),
            _param("size_class", "Size class", {"type": "string"}, example="20k-50k"),
            _param("at", "Evaluation date (default today)", {"type": "string", "format": "date"},
                   example="2026-07-01"),
            HORIZON_PARAM,
        ],
        "responses": {"200": _json("The aggregate", {"type": "object"}),
                      "400": BAD_PARAMETER, "404": _error("Unknown law id"),
                      "503": NOT_PUBLISHED}}},
    "/api/v1/laws/what-if": {"post": {
        "operationId": "lawWhatIf", "tags": ["laws"],
        "summary": "Readiness of all municipalities for a composed (draft) law profile",
        "description": "Body: a law profile as JSON in the shape of the law files (id, name, "
                       "requirements: [{element, min, deadline | deadline_ref, applies_if?, "
                       "status?}], optionally population_above). Same query parameters as "
                       "/api/v1/laws/{law_id}/readiness. Answer: the aggregate plus per country.",
        "parameters": [
            _param("country", "Two-letter country code", {"type": "string"}),
            _param("nuts2", "NUTS 2 code", {"type": "string"}),
            _param("size_class", "Size class", {"type": "string"}),
            _param("at", "Evaluation date (default today)", {"type": "string", "format": "date"}),
            HORIZON_PARAM,
        ],
        "requestBody": {"required": True, "content": {"application/json": {"schema": {
            "type": "object", "required": ["id", "name", "requirements"]}}}},
        "responses": {"200": _json("The aggregate", {"type": "object"}),
                      "400": _error("A malformed profile (the message names the field), date "
                                    "or parameter"),
                      "503": NOT_PUBLISHED}}},
    "/api/v1/municipalities/{municipality_id}/readiness": {"get": {
        "operationId": "getMunicipalityReadiness", "tags": ["laws"],
        "summary": "One municipality's readiness for every law, explained per requirement",
        "description": "Per law ready / not ready / unknown, the gaps, and which requirements "
                       "applied and why (condition value and origin). Consent rule (403).",
        "parameters": [
            _param("municipality_id", "GISCO id", {"type": "string"}, where="path",
                   required=True, example="NL_GM0153"),
            _param("at", "Evaluation date (default today)", {"type": "string", "format": "date"}),
            HORIZON_PARAM,
        ],
        "responses": {"200": _json("The readiness", {"type": "object"}),
                      "400": BAD_PARAMETER,
                      "403": _error("The municipality did not consent to publish its results by name"),
                      "404": _error("Unknown municipality id"),
                      "503": NOT_PUBLISHED}}},
    "/api/v1/bundle": {"get": {
        "operationId": "bundle", "tags": ["meta"],
        "summary": "The open-data bundle of the published build (zip)",
        "description": "Aggregates under the disclosure rule, levels and scores of the "
                       "municipalities that consented, the framework and law profiles, the "
                       "manifest, a data dictionary (data_dictionary.csv) and the licences. The "
                       "same build gives the same bytes; the ETag is their checksum (send "
                       "If-None-Match to get 304). Also: `python -m pipelines export`.",
        "responses": {"200": {"description": "ds4e-<build id>.zip",
                              "content": {"application/zip": {
                                  "schema": {"type": "string", "format": "binary"}}}},
                      "304": {"description": "Not modified (If-None-Match matched the ETag)"},
                      "503": NOT_PUBLISHED}}},
    "/api/v1/openapi.json": {"get": {
        "operationId": "openapi", "tags": ["meta"],
        "summary": "This document",
        "responses": {"200": {"description": "OpenAPI 3.1 document",
                              "content": {"application/json": {"schema": {"type": "object"}}}}}}},
}


HEADERS = {
    "ETag": {"description": "Tag of this answer: the published build id and a hash of the "
             "deployment's settings, the path and the query (today's date too for readiness "
             "without `at`). Send it back in If-None-Match to get 304 while it holds; the "
             "gzipped variant's tag ends in -gzip.", "schema": {"type": "string"}},
    "Cache-Control": {"description": "`public, max-age=300` on GET answers (a new build changes "
                      "every ETag); `no-store` on errors and /api/v1/health; `private, "
                      "no-store` (and no ETag) for a browser holding a survey link.",
                      "schema": {"type": "string"}},
    "Access-Control-Allow-Origin": {"description": "`*`: any web page may read GET answers "
                                    "(CORS); ETag, Link and Content-Disposition are exposed.",
                                    "schema": {"type": "string", "enum": ["*"]}},
    "Link": {"description": "RFC 8288 links of a paged list (limit/offset): rel=next, prev, "
             "first, last.", "schema": {"type": "string"}},
}
NOT_MODIFIED = {"description": "Not modified: If-None-Match holds the answer's ETag (no body).",
                "headers": {"ETag": {"$ref": "#/components/headers/ETag"},
                            "Cache-Control": {"$ref": "#/components/headers/Cache-Control"}}}
PAGED = {"/api/v1/municipalities"}


def _with_http_manners(paths: dict) -> dict:
    """Every GET operation (but health) gets 304 and its 200 the caching and CORS headers."""
    out = copy.deepcopy(paths)
    for path, item in out.items():
        op = item.get("get")
        if op is None:
            continue
        ok = op["responses"]["200"]
        headers = ok.setdefault("headers", {})
        names = ["Access-Control-Allow-Origin"]
        if path != "/api/v1/health":
            names += ["ETag", "Cache-Control"]
            op["responses"].setdefault("304", {"$ref": "#/components/responses/NotModified"})
        if path in PAGED:
            names.append("Link")
        for name in names:
            headers.setdefault(name, {"$ref": f"#/components/headers/{name}"})
    return out


def openapi_document() -> dict:
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "DS4E toolkit API",
            "version": API_VERSION,
            "description": "Open data of the DS4E digital-maturity self-assessment: the "
                           "framework, municipalities, their consolidated levels (where they "
                           "consented) and area statistics (groups under the minimum size "
                           "suppressed). No key needed. List endpoints also answer CSV, XLSX or "
                           "Parquet with ?format=csv|xlsx|parquet. Errors (every 4xx and 5xx) "
                           "are JSON {\"error\": ...}. GET answers carry an ETag tied to the "
                           "published build (If-None-Match gives 304) and Cache-Control, are "
                           "gzipped over 1 KB for a client that accepts gzip, and may be read "
                           "from any origin (CORS *). The municipality list pages with "
                           "limit/offset (next/prev URLs and a Link header).",
            "license": {"name": "see the project README"},
        },
        "servers": [{"url": "/"}],
        "tags": [{"name": "meta"}, {"name": "framework"}, {"name": "insight"}, {"name": "roadmap"},
                 {"name": "laws"}],
        "paths": _with_http_manners(PATHS),
        "components": {"schemas": SCHEMAS, "headers": HEADERS,
                       "responses": {"NotModified": NOT_MODIFIED}},
    }
