"""HTTP manners of the JSON API (every path under /api/): caching, gzip, CORS, JSON errors.

- **ETag and Cache-Control.** A GET answer (200) carries `ETag: "<build id>-<hash>"`: the hash
  covers what decides the answer: the published build, the deployment's settings that change
  answers (app version, framework checksum, DS4E_VISIBILITY, DS4E_MIN_GROUP), the path and the
  query (parameters in any order), and today's date where the answer depends on it (readiness
  without `at`). So the tag is known before the view runs: a request whose `If-None-Match` holds
  it is answered 304 without a body and without computing anything. `Cache-Control: public,
  max-age=300`: a cache may reuse an answer for five minutes and then revalidates (a new build
  changes every tag). `/api/v1/health` is `no-store` (monitors want it live); the bundle sets
  its own ETag (the zip's checksum); errors and POST answers are `no-store`. A request with a
  survey link's cookie may see its own municipality's results (dashboard/access.py): its
  answers get no ETag and `private, no-store`, so no shared cache keeps them and no
  conditional request is answered for them.
- **gzip.** A JSON, CSV or text answer over 1 KB is gzipped when the request accepts gzip; such
  answers say `Vary: Accept-Encoding`, and the gzipped variant's ETag ends in `-gzip` (as
  Apache's does; If-None-Match matches either variant). XLSX, Parquet and zip are compressed
  already.
- **CORS.** `Access-Control-Allow-Origin: *` on every GET/HEAD answer (errors too, so a browser
  client can read them) and on the preflight of a GET route, with ETag, Link and
  Content-Disposition exposed. Nothing for POST (the what-if): a page on another origin cannot
  send it a JSON body.
- **JSON errors.** Flask's own HTTP errors on an API path (405 wrong method, 400 malformed body,
  413, ...) are answered `{"error": ...}` with their status (405 with `allowed` and the `Allow`
  header) instead of Flask's HTML page; the views' own errors already are (ApiError).
"""

from __future__ import annotations

import gzip
import hashlib
from importlib.metadata import PackageNotFoundError, version

from flask import Flask, Response, g, request
from werkzeug.exceptions import HTTPException

from dashboard import laws
from dashboard.access import GRANT_COOKIE
from dashboard.api_core import json_answer
from dashboard.context import AppContext
from dashboard.openapi import API_VERSION

CACHE_CONTROL = "public, max-age=300"
NO_STORE = "no-store"
PERSONAL = "private, no-store"
GZIP_MIN_BYTES = 1024
GZIP_LEVEL = 6
GZIP_SUFFIX = "-gzip"
COMPRESSIBLE = ("application/json", "text/csv", "text/plain")
EXPOSED = "ETag, Link, Content-Disposition"
NOT_CACHED = {"/api/v1/health",  # live status
              "/api/v1/initiatives"}  # changes without a new build (the survey store)
OWN_ETAG = {"/api/v1/bundle"}  # sets its own (the zip's checksum)
CATCH_ALL = {"/api/", "/api/<path:rest>"}  # the JSON 404 of unknown API paths
# answers that depend on today's date unless `at` is given (the default evaluation date)
DATED = {"/api/v1/laws/<law_id>/readiness",
         "/api/v1/municipalities/<municipality_id>/readiness",
         "/api/v1/municipalities/<municipality_id>/report.pdf",
         "/api/v1/municipalities/<municipality_id>/report.html"}


def _app_version() -> str:
    try:
        return version("ds4e-toolkit")
    except PackageNotFoundError:
        return "unknown"


def is_api() -> bool:
    return request.path.startswith("/api/")


def etag_matches(header: str | None, tag: str) -> bool:
    """Whether an If-None-Match header holds `tag` (weak or strong, plain or -gzip)."""
    if not header:
        return False
    for part in header.split(","):
        part = part.strip()
        if part == "*":
            return True
        part = part.removeprefix("W/").strip('"')
        if part.removesuffix(GZIP_SUFFIX) == tag:
            return True
    return False


class Manners:
    def __init__(self, ctx: AppContext, documented=None):
        self.ctx = ctx
        # path -> the documented methods (Api.methods_for): the Allow header of OPTIONS and
        # 405 answers lists exactly those, not every rule that happens to match the path
        self.documented = documented
        s = ctx.settings
        self.fingerprint = "\x1f".join([_app_version(), API_VERSION, ctx.framework.checksum,
                                        s.visibility, str(s.min_group)])

    def build_id(self) -> str:
        snap = self.ctx.warehouse.snapshot()
        return snap.build_id if snap is not None else "unpublished"

    def etag(self) -> str | None:
        """The tag of this GET request's answer, or None when it gets none."""
        rule = request.url_rule
        if rule is None or rule.rule in NOT_CACHED | OWN_ETAG or rule.rule in CATCH_ALL:
            return None
        parts = [self.fingerprint, request.path,
                 *(f"{k}={v}" for k, v in sorted(request.args.items(multi=True)))]
        if rule.rule in DATED and not (request.args.get("at") or "").strip():
            parts.append("today=" + laws.today().isoformat())
        build = self.build_id()
        digest = hashlib.sha256("\x1e".join([build, *parts]).encode()).hexdigest()[:20]
        return f"{build}-{digest}"

    # -------------------------------------------------------------- hooks

    def before(self) -> Response | None:
        if not is_api() or request.method not in ("GET", "HEAD"):
            return None
        if request.cookies.get(GRANT_COOKIE):  # may be personal: see the module docstring
            g.api_personal = True
            return None
        tag = g.api_etag = self.etag()
        if tag is None or not etag_matches(request.headers.get("If-None-Match"), tag):
            return None
        sent = request.headers.get("If-None-Match", "")
        gz = f'"{tag}{GZIP_SUFFIX}"' in sent and request.accept_encodings["gzip"] > 0
        out = Response(status=304)
        out.headers["ETag"] = f'"{tag}{GZIP_SUFFIX if gz else ""}"'
        return out

    def after(self, resp: Response) -> Response:
        if not is_api():
            return resp
        h = resp.headers
        self.cors(resp)
        self.allow(resp)
        tag = g.get("api_etag")
        if g.get("api_personal"):
            h["Cache-Control"] = PERSONAL
        elif resp.status_code == 200 and request.method in ("GET", "HEAD") and tag:
            h.setdefault("ETag", f'"{tag}"')
            h.setdefault("Cache-Control", CACHE_CONTROL)
        elif resp.status_code == 304:
            h.setdefault("Cache-Control", CACHE_CONTROL)
        else:
            h.setdefault("Cache-Control", NO_STORE)
        compressible = resp.status_code == 200 and resp.mimetype in COMPRESSIBLE
        if compressible or (resp.status_code == 304 and tag):
            resp.vary.add("Accept-Encoding")
        self.gzip(resp)
        return resp

    @staticmethod
    def cors(resp: Response) -> None:
        h = resp.headers
        if request.method in ("GET", "HEAD"):
            h["Access-Control-Allow-Origin"] = "*"
            h["Access-Control-Expose-Headers"] = EXPOSED
        elif request.method == "OPTIONS":
            rule = request.url_rule
            if rule is not None and "GET" in (rule.methods or ()):
                h["Access-Control-Allow-Origin"] = "*"
                h["Access-Control-Allow-Methods"] = "GET, HEAD, OPTIONS"
                h["Access-Control-Allow-Headers"] = "If-None-Match, Accept"
                h["Access-Control-Max-Age"] = "86400"

    def allow(self, resp: Response) -> None:
        if self.documented is None or not (request.method == "OPTIONS"
                                           or resp.status_code == 405):
            return
        methods = self.documented(request.path)
        if methods:
            methods = methods | {"OPTIONS"} | ({"HEAD"} if "GET" in methods else set())
            resp.headers["Allow"] = ", ".join(sorted(methods))

    @staticmethod
    def gzip(resp: Response) -> None:
        if (resp.status_code != 200 or resp.direct_passthrough or resp.is_streamed
                or resp.mimetype not in COMPRESSIBLE or "Content-Encoding" in resp.headers
                or request.accept_encodings["gzip"] <= 0):
            return
        data = resp.get_data()
        if len(data) < GZIP_MIN_BYTES:
            return
        resp.set_data(gzip.compress(data, compresslevel=GZIP_LEVEL, mtime=0))
        resp.headers["Content-Encoding"] = "gzip"
        etag = resp.headers.get("ETag")
        if etag and etag.endswith('"') and not etag.endswith(f'{GZIP_SUFFIX}"'):
            resp.headers["ETag"] = etag[:-1] + GZIP_SUFFIX + '"'


def http_error(e: HTTPException, documented=None):
    """Flask's HTTP errors as JSON on API paths; elsewhere unchanged (Dash's pages)."""
    if not is_api() or e.code is None or e.code < 400:
        return e
    body: dict = {"error": f"{e.name.lower()}: {e.description}", "path": request.path}
    valid = getattr(e, "valid_methods", None)
    methods = documented(request.path) if documented is not None and valid else None
    if methods:  # the documented ones (with OPTIONS, and HEAD beside GET), as Allow says
        valid = sorted(methods | {"OPTIONS"} | ({"HEAD"} if "GET" in methods else set()))
    if e.code == 405 and valid:
        body["error"] = (f"method {request.method} is not allowed on {request.path}; "
                         f"allowed: {', '.join(valid)}")
        body["allowed"] = list(valid)
    out = json_answer(body, e.code)
    for key, value in e.get_headers():
        if key.lower() != "content-type":
            out.headers[key] = value
    return out


def register(server: Flask, ctx: AppContext, documented=None) -> None:
    manners = Manners(ctx, documented)
    server.before_request(manners.before)
    server.after_request(manners.after)
    server.register_error_handler(HTTPException,
                                  lambda e: http_error(e, manners.documented))
