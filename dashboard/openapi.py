"""The OpenAPI 3.1 description of every /api/v1 endpoint, served at /api/v1/openapi.json.

A test checks that every /api/v1 route registered on the Flask server is described here and
that every path described here is registered.
"""

from __future__ import annotations

API_VERSION = "1.0.0"


def _ref(name: str) -> dict:
    return {"$ref": f"#/components/schemas/{name}"}


def _nullable(type_: str, **extra) -> dict:
    return {"type": [type_, "null"], **extra}


def _error(description: str) -> dict:
    return {"description": description,
            "content": {"application/json": {"schema": _ref("Error")}}}


def _json(description: str, schema: dict, csv: bool = False) -> dict:
    content = {"application/json": {"schema": schema}}
    if csv:
        content["text/csv"] = {"schema": {"type": "string"},
                               "example": "municipality_id,name,...\n"}
    return {"description": description, "content": content}


def _param(name: str, description: str, schema: dict, where: str = "query",
           required: bool = False, example=None) -> dict:
    p = {"name": name, "in": where, "required": required, "description": description,
         "schema": schema}
    if example is not None:
        p["example"] = example
    return p


PARAMETERS = {
    "format": _param("format", "Answer format: JSON (default) or CSV with a header row "
                     "(text/csv, as a download).",
                     {"type": "string", "enum": ["json", "csv"], "default": "json"}),
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
        "required": ["total", "offset", "limit", "published", "wave", "items"],
        "properties": {
            "total": {"type": "integer", "description": "number of matches before paging"},
            "offset": {"type": "integer"},
            "limit": _nullable("integer", description="null: all matches from offset"),
            "published": {"type": "boolean", "description": "survey data are published"},
            "wave": _nullable("string", description="the wave the flags refer to (latest)"),
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
    "/api/v1/openapi.json": {"get": {
        "operationId": "openapi", "tags": ["meta"],
        "summary": "This document",
        "responses": {"200": {"description": "OpenAPI 3.1 document",
                              "content": {"application/json": {"schema": {"type": "object"}}}}}}},
}


def openapi_document() -> dict:
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "DS4E toolkit API",
            "version": API_VERSION,
            "description": "Open data of the DS4E digital-maturity self-assessment: the "
                           "framework, municipalities, their consolidated levels (where they "
                           "consented) and area statistics (groups under the minimum size "
                           "suppressed). No key needed. List endpoints also answer CSV with "
                           "?format=csv. Errors are JSON {\"error\": ...}.",
            "license": {"name": "see the project README"},
        },
        "servers": [{"url": "/"}],
        "tags": [{"name": "meta"}, {"name": "framework"}, {"name": "insight"}],
        "paths": PATHS,
        "components": {"schemas": SCHEMAS},
    }
