"""The OpenAPI 3.1 document of /api/v1, generated from the operations as they are served.

Every operation is declared once (dashboard/api_spec.py: route, query model, response model,
errors); this module turns the declarations into the document: parameters from the query models
(dashboard/api_params.py) with the published build's enumerations filled in, response schemas
from the pydantic models (dashboard/api_models.py), and what every GET answer shares
(dashboard/api_http.py): the 304 answer to a conditional request and the ETag, Cache-Control and
CORS headers of the 200. Nothing here is written by hand per endpoint, so the document cannot
drift from the code; schemathesis checks the code against it (tests/dashboard/
test_api_schemathesis.py).
"""

from __future__ import annotations

import copy

from pydantic.json_schema import models_json_schema

from dashboard.api_models import Error
from dashboard.api_params import ENUM, EXPLODE, Enums

API_VERSION = "1.1.0"
REF = "#/components/schemas/{model}"

TABLE_FORMATS = {  # ?format= -> content type of the download (dashboard/api_formats.py)
    "csv": "text/csv",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "parquet": "application/vnd.apache.parquet",
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


def _ref(model) -> dict:
    return {"$ref": REF.format(model=model.__name__)}


def _error(description: str) -> dict:
    return {"description": description, "content": {"application/json": {"schema": _ref(Error)}}}


def _without_null(schema: dict) -> dict:
    """A query parameter is absent or has a value: drop the `null` branch of an optional."""
    branches = [b for b in schema.get("anyOf", []) if b.get("type") != "null"]
    if not branches or len(branches) == len(schema.get("anyOf", [])):
        return dict(schema)
    out = {k: v for k, v in schema.items() if k != "anyOf"}
    if len(branches) == 1:
        return {**branches[0], **{k: v for k, v in out.items() if k not in branches[0]}}
    return {**out, "anyOf": branches}


def _fill_enum(schema: dict, enums: Enums) -> dict:
    source = schema.pop(ENUM, None)
    extra = schema.pop("x-ds4e-extra", [])
    if source is None:
        return schema
    values = [*enums.allowed(source), *extra]
    target = schema["items"] if schema.get("type") == "array" else schema
    if values:
        target["enum"] = values
    return schema


def query_parameters(model, enums: Enums) -> list[dict]:
    """The OpenAPI parameters of a query model, enumerations filled in from `enums`."""
    doc = model.model_json_schema(ref_template=REF)
    required = set(doc.get("required", []))
    out = []
    for name, prop in doc["properties"].items():
        schema = _fill_enum(_without_null(prop), enums)
        schema.pop("title", None)
        param = {"name": name, "in": "query", "required": name in required}
        param["description"] = schema.pop("description", "")
        examples = schema.pop("examples", None)
        if examples:
            param["example"] = examples[0]
        if schema.get("default", 0) is None:
            schema.pop("default")
        if schema.pop(EXPLODE, True) is False:
            param["style"], param["explode"] = "form", False
        param["schema"] = schema
        out.append(param)
    return out


def path_parameters(op, enums: Enums) -> list[dict]:
    out = []
    for name, p in op.path_params.items():
        schema = {"type": "string", "minLength": 1}
        if p.enum and enums.allowed(p.enum):
            schema = {"type": "string", "enum": list(enums.allowed(p.enum))}
        out.append({"name": name, "in": "path", "required": True, "description": p.description,
                    "schema": schema, "example": p.example})
    return out


def _ok(op) -> dict:
    if op.content is not None:
        return {"description": op.response_description, "content": op.content}
    schema = _ref(op.response) if op.response is not None else {"type": "object"}
    content = {"application/json": {"schema": schema}}
    if op.tables:
        content["text/csv"] = {"schema": {"type": "string"}}
        for fmt in ("xlsx", "parquet"):
            content[TABLE_FORMATS[fmt]] = {"schema": {"type": "string", "format": "binary"}}
    return {"description": op.response_description, "content": content}


def _operation(op, enums: Enums) -> dict:
    out = {"operationId": op.operation_id, "tags": [op.tag], "summary": op.summary}
    if op.description:
        out["description"] = op.description
    params = path_parameters(op, enums)
    if op.query is not None:
        params += query_parameters(op.query, enums)
    if params:
        out["parameters"] = params
    if op.body is not None:
        out["requestBody"] = {"required": True, "content": {"application/json": {
            "schema": _ref(op.body)}}}
    responses = {"200": _ok(op)}
    headers = responses["200"].setdefault("headers", {})
    if op.method == "get":
        headers["Access-Control-Allow-Origin"] = {
            "$ref": "#/components/headers/Access-Control-Allow-Origin"}
    if op.method == "get" and op.cached:
        for name in ("ETag", "Cache-Control"):
            headers[name] = {"$ref": f"#/components/headers/{name}"}
        responses["304"] = {"$ref": "#/components/responses/NotModified"}
    if op.paged:
        headers["Link"] = {"$ref": "#/components/headers/Link"}
    for status, when in sorted(op.errors.items()):
        responses[str(status)] = _error(when)
    out["responses"] = responses
    return out


def schemas(operations, enums: Enums) -> dict:
    """The components' schemas: every model an operation answers with or takes, and Error."""
    answers = {Error} | {op.response for op in operations if op.response is not None}
    bodies = {op.body for op in operations if op.body is not None}
    pairs = [(m, "serialization") for m in sorted(answers, key=lambda m: m.__name__)]
    pairs += [(m, "validation") for m in sorted(bodies, key=lambda m: m.__name__)]
    _, top = models_json_schema(pairs, ref_template=REF)
    return _fill_deep(copy.deepcopy(top.get("$defs", {})), enums)


def _fill_deep(node, enums: Enums):
    """Fill in every dynamic enumeration of a schema tree (a body's element ids, conditions)."""
    if isinstance(node, dict):
        for v in node.values():
            _fill_deep(v, enums)
        if ENUM in node:
            _fill_enum(node, enums)
    elif isinstance(node, list):
        for v in node:
            _fill_deep(v, enums)
    return node


def openapi_document(operations, enums: Enums) -> dict:
    """The document for `operations` (dashboard/api_spec.py) with the build's `enums`."""
    paths: dict[str, dict] = {}
    for op in operations:
        paths.setdefault(op.path, {})[op.method] = _operation(op, enums)
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
                 {"name": "laws"}, {"name": "codev"}],
        "paths": paths,
        "components": {"schemas": schemas(operations, enums), "headers": HEADERS,
                       "responses": {"NotModified": NOT_MODIFIED}},
    }
