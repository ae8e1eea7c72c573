"""GET /api/v1/bundle: the open-data bundle of the published build (pipelines/export.py).

The zip is made once per build and minimum group size and kept in memory (a few hundred KB to
a few MB); its ETag is its SHA-256, so a client that has it gets 304.
"""

from __future__ import annotations

import hashlib
import threading

from flask import Response, request

from dashboard.api_core import NOT_PUBLISHED, ApiError
from dashboard.api_http import etag_matches
from dashboard.api_spec import NOT_PUBLISHED_TEXT, Api
from dashboard.context import AppContext
from pipelines.export import bundle_bytes, bundle_name


class BundleCache:
    def __init__(self, ctx: AppContext):
        self.ctx = ctx
        self._lock = threading.Lock()
        self._key: tuple | None = None
        self._value: tuple[bytes, str] | None = None

    def get(self) -> tuple[str, bytes, str]:
        snap = self.ctx.warehouse.snapshot()
        if snap is None or not snap.waves:
            raise ApiError(503, NOT_PUBLISHED)
        min_group = max(int(self.ctx.settings.min_group), int(snap.manifest["min_group"]))
        key = (snap.build_id, min_group)
        with self._lock:
            if self._key != key:
                data = bundle_bytes(snap.path, snap.manifest, min_group)
                self._key, self._value = key, (data, hashlib.sha256(data).hexdigest())
            data, digest = self._value
        return snap.build_id, data, digest


def register(api: Api, ctx: AppContext) -> None:
    cache = BundleCache(ctx)

    @api.get("/api/v1/bundle", operation_id="bundle", tag="meta",
             summary="The open-data bundle of the published build (zip)",
             description="Aggregates under the disclosure rule, levels and scores of the "
                         "municipalities that consented, the framework and law profiles, the "
                         "manifest, a data dictionary (data_dictionary.csv) and the licences. "
                         "The same build gives the same bytes; the ETag is their checksum (send "
                         "If-None-Match to get 304). Also: `python -m pipelines export`.",
             response_description="ds4e-<build id>.zip",
             content={"application/zip": {"schema": {"type": "string", "format": "binary"}}},
             errors={503: NOT_PUBLISHED_TEXT})
    def _bundle():
        build_id, data, digest = cache.get()
        etag = f'"{digest[:32]}"'
        if etag_matches(request.headers.get("If-None-Match"), digest[:32]):
            return Response(status=304, headers={"ETag": etag})
        return Response(data, mimetype="application/zip", headers={
            "Content-Disposition": f'attachment; filename="{bundle_name(build_id)}"',
            "ETag": etag, "Cache-Control": "public, max-age=300"})
