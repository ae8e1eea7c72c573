"""The API's operations, each declared once: route, parameters, answers and words.

`Api.operation` registers a Flask view and records its declaration; the view validates the
query string against the operation's pydantic model (dashboard/api_params.py) before the
handler runs, and the OpenAPI document (dashboard/openapi.py) is generated from the same
records, so what the document promises and what the code accepts cannot drift. The response
models (dashboard/api_models.py) give the document's schemas; schemathesis checks every answer
against them in the test suite (tests/dashboard/test_api_schemathesis.py).

Why not spectree or flask-openapi3 (both generate OpenAPI from pydantic models): the allowed
waves, countries, regions and laws are those of the published build, which the server swaps
without a restart (a new build is picked up on the next request), so the enumerations must be
filled in per build, both when validating and in the document; those libraries fix a model's
schema when the route is decorated. They also answer a bad parameter with their own error shape
(422 and pydantic's error list), where this API's documented shape is 400 {"error", "parameter",
"value", "allowed"}; and flask-openapi3 wants its own Flask subclass, where Dash creates the
server. What is left is ~150 lines over pydantic, which the framework already uses.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import wraps

from flask import Flask, request
from pydantic import BaseModel

from dashboard import laws
from dashboard.api_core import api_view
from dashboard.api_params import Enums, Query, parse_query
from dashboard.context import AppContext

PATH_PARAM = re.compile(r"\{(\w+)\}")
# the words of the error answers the operations share
BAD_PARAMETER = "A bad parameter; the message names it and the allowed values."
FORBIDDEN = "The municipality did not consent to publish its results by name"
NOT_PUBLISHED_TEXT = "Nothing published yet: {\"error\": \"no survey data published yet\"}"


@dataclass(frozen=True)
class PathParam:
    description: str
    example: str
    enum: str | None = None  # an Enums source (law ids); None: any text (404 when unknown)


@dataclass
class Operation:
    """One method on one path, as documented and as served."""

    method: str  # get, post
    path: str  # OpenAPI form: /api/v1/laws/{law_id}
    operation_id: str
    tag: str
    summary: str
    description: str = ""
    query: type[Query] | None = None
    path_params: dict[str, PathParam] = field(default_factory=dict)
    response: type[BaseModel] | None = None  # the 200 JSON body
    response_description: str = "OK"
    content: dict | None = None  # the 200 content when it is not JSON (a zip)
    errors: dict[int, str] = field(default_factory=dict)  # status -> when
    tables: bool = False  # ?format=csv|xlsx|parquet gives the table as a download
    paged: bool = False  # limit/offset, Link header
    body: type[BaseModel] | None = None  # the JSON request body (POST)
    cached: bool = True  # ETag, Cache-Control and 304 (dashboard/api_http.py)

    @property
    def rule(self) -> str:
        """The Flask rule of the path."""
        return PATH_PARAM.sub(r"<\1>", self.path)


class Api:
    """The registry of operations on one Flask server, and the data-dependent enumerations."""

    def __init__(self, server: Flask, ctx: AppContext):
        self.server, self.ctx = server, ctx
        self.operations: list[Operation] = []
        self._enums: tuple[str | None, Enums] | None = None

    def operation(self, method: str, path: str, **declaration):
        """Decorator: serve `fn` at `path` and record the declaration. The handler gets the
        path parameters as keyword arguments and, with a `query` model, `q` (validated)."""
        op = Operation(method=method, path=path, **declaration)
        unknown = set(PATH_PARAM.findall(path)) ^ set(op.path_params)
        if unknown:
            raise ValueError(f"{path}: path parameters declared and in the path differ: {unknown}")
        self.operations.append(op)

        def register(fn):
            @wraps(fn)
            def view(**path_values):
                if op.query is not None:
                    path_values["q"] = parse_query(op.query, request.args, self.enums())
                return fn(**path_values)
            self.server.add_url_rule(op.rule, endpoint=f"api.{op.operation_id}",
                                     view_func=api_view(view), methods=[method.upper()])
            return fn
        return register

    def methods_for(self, path: str) -> set[str]:
        """The documented methods of a request path (a literal path wins over a pattern, as
        in Flask's routing: /laws/what-if is not the law "what-if")."""
        exact = {op.method.upper() for op in self.operations if op.path == path}
        if exact:
            return exact
        return {op.method.upper() for op in self.operations
                if re.fullmatch(PATH_PARAM.sub("[^/]+", re.escape(op.path).replace(
                    "\\{", "{").replace("\\}", "}")), path)}

    def get(self, path: str, **declaration):
        return self.operation("get", path, **declaration)

    def post(self, path: str, **declaration):
        return self.operation("post", path, **declaration)

    def enums(self) -> Enums:
        """The allowed values of the published build (computed once per build)."""
        snap = self.ctx.warehouse.snapshot()
        build = None if snap is None else snap.build_id
        if self._enums is None or self._enums[0] != build:
            self._enums = (build, build_enums(self.ctx, snap))
        return self._enums[1]


def build_enums(ctx: AppContext, snap) -> Enums:
    fw = ctx.framework
    attrs = ctx.attributes
    countries = sorted({str(c) for c in attrs.country_labels.tolist() if str(c)})
    nuts2 = sorted({str(c) for c in attrs.nuts2_labels.tolist() if str(c)})
    inp = laws.inputs(ctx)
    return Enums(countries=tuple(countries), nuts2=tuple(nuts2),
                 waves=tuple(snap.waves) if snap is not None else (),
                 laws=tuple(inp.law_ids), elements=tuple(fw.element_ids),
                 measures=(*fw.element_ids, *(b.id for b in fw.blocks)),
                 bool_conditions=tuple(inp.bool_conditions),
                 date_conditions=tuple(inp.date_conditions))
