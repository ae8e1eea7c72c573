"""JSON API on the Flask server (/api/v1/...). Open data: no key, plain JSON."""

from __future__ import annotations

import functools
import platform
from importlib.metadata import PackageNotFoundError, version

from flask import Flask

from dashboard import (
    api_bundle,
    api_codev,
    api_funding,
    api_http,
    api_insight,
    api_laws,
    api_models,
    api_policy,
    api_report,
    api_roadmap,
)
from dashboard.api_core import json_answer
from dashboard.api_spec import Api
from dashboard.context import AppContext
from dashboard.openapi import openapi_document
from pipelines.framework import Framework


@functools.cache  # installed packages do not change under a running process: ~0.4 ms each
def _version(pkg: str) -> str:
    try:
        return version(pkg)
    except PackageNotFoundError:
        return "unknown"


def health(ctx: AppContext) -> dict:
    fw = ctx.framework
    data = published(ctx)
    return {
        "status": status(ctx, data["published"]),
        "versions": {
            "app": _version("ds4e-toolkit"),
            "framework": fw.version,
            "framework_checksum": fw.checksum,
            "dash": _version("dash"),
            "python": platform.python_version(),
        },
        "framework": {"blocks": len(fw.blocks), "elements": len(fw.elements),
                      "matrix_cells": len(fw.matrix), "laws": len(fw.laws),
                      "adjacent_instruments": len(fw.adjacent)},
        "data": data,
    }


def status(ctx: AppContext, served: bool) -> str:
    """ok; degraded: the published build failed its check, an older one is served; error: it
    failed and nothing is served."""
    verdict = ctx.warehouse.integrity
    if verdict is None or verdict.ok:
        return "ok"
    return "degraded" if served else "error"


def integrity(ctx: AppContext) -> dict | None:
    v = ctx.warehouse.integrity
    if v is None:
        return None
    return {"ok": v.ok, "build_id": v.build_id,
            "checked_at": v.checked_at.isoformat(timespec="seconds"),
            "seconds": round(v.seconds, 4), "files": v.files,
            "problems": [{"file": p.file, "problem": p.problem, "detail": p.detail}
                         for p in v.problems]}


def published(ctx: AppContext) -> dict:
    snap = ctx.warehouse.snapshot()  # first: it checks a newly published build
    checked = integrity(ctx)
    extra = {"integrity": checked} if checked is not None else {}
    if snap is None:
        return {"published": False, **extra}
    m = snap.manifest
    return {"published": True, "build_id": m["build_id"], "built_at": m["built_at"],
            "demo": m["demo"], "waves": m["waves"], "counts": m["counts"], **extra}


def framework_json(fw: Framework) -> dict:
    """The whole framework, as the files hold it, with element content resolved in place."""
    def dump(models):
        return [m.model_dump(mode="json") for m in models]

    elements = []
    for el in fw.elements:
        d = el.model_dump(mode="json")
        d["levels"] = {str(k): v for k, v in d["levels"].items()}
        d["crosswalk"] = fw.crosswalk.get(el.id, {})
        elements.append(d)
    return {
        "version": fw.version,
        "released": fw.released.isoformat(),
        "checksum": fw.checksum,
        "name": fw.name.model_dump(),
        "scale": dump(fw.scale),
        "blocks": dump(fw.blocks),
        "elements": elements,
        "matrix": {
            "description": "weight w (1-3) from enabler to enabled: having the enabler in place "
                           "makes the enabled element easier to develop",
            "element_order": fw.element_ids,
            "cells": dump(fw.matrix),
        },
        "instruments": dump(fw.instruments),
        "conditions": dump(fw.conditions),
        "laws": dump(fw.laws),
        "crosswalk_frameworks": dump(fw.crosswalk_frameworks),
    }


def register(server: Flask, ctx: AppContext) -> Api:
    payload = framework_json(ctx.framework)  # immutable per process: build once
    api = Api(server, ctx)
    api_http.register(server, ctx, api.methods_for)  # ETag/304, Cache-Control, gzip, CORS, 4xx

    @api.get("/api/v1/health", operation_id="health", tag="meta", cached=False,
             summary="Status, versions, framework size and what data are published",
             response=api_models.Health, response_description="Status")
    def _health():
        return json_answer(health(ctx))

    @api.get("/api/v1/framework", operation_id="framework", tag="framework",
             summary="The whole DS4E framework: blocks, elements, levels, matrix, laws",
             response=api_models.Framework, response_description="The framework")
    def _framework():
        return json_answer(payload)

    api_insight.register(api, ctx)  # municipalities, aggregates
    api_policy.register(api, ctx)  # insight/leverage
    api_funding.register(api, ctx)  # insight/funding-what-if
    api_roadmap.register(api, ctx)  # municipalities/{id}/roadmap
    api_report.register(api, ctx)  # municipalities/{id}/report.pdf|html
    api_laws.register(api, ctx)  # laws, readiness, what-if
    api_bundle.register(api, ctx)  # the open-data bundle (zip)
    api_codev.register(api, ctx)  # initiatives (co-development)
    docs: dict[str, dict] = {}  # per build (its waves are in the document)

    @api.get("/api/v1/openapi.json", operation_id="openapi", tag="meta", summary="This document",
             response_description="OpenAPI 3.1 document, generated from the operations")
    def _openapi():
        enums = api.enums()
        if enums not in docs:
            docs.clear()
            docs[enums] = openapi_document(api.operations, enums)
        return json_answer(docs[enums])

    # Dash serves its page shell for any unknown path; an API client gets a JSON 404 instead.
    @server.get("/api/", defaults={"rest": ""})
    @server.get("/api/<path:rest>")
    def _not_found(rest):
        return json_answer({"error": "not found", "path": f"/api/{rest}"}, 404)

    return api
