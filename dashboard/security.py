"""Security headers, rate limits, proxy trust, error answers and a token-free access log.

- **Headers** (flask-talisman, on every answer: pages, callbacks, API, assets): a
  Content-Security-Policy that allows scripts only from this origin or by hash (Dash's inline
  scripts, `app.csp_hashes()`; no 'unsafe-eval': Dash 4's renderer, its components and plotly.js
  run without it, which tests/e2e/test_csp.py proves page by page), `frame-ancestors 'none'` and
  `X-Frame-Options: DENY`, `X-Content-Type-Options: nosniff`, a Permissions-Policy that
  switches off what the app never uses, HSTS on HTTPS answers. Talisman's redirect to HTTPS is
  off: TLS ends at the reverse proxy, which redirects.
- **Referrer-Policy**: `no-referrer` on the survey pages and on callback answers (a survey
  link's token is in the address until the page removes it, and the page's own requests for
  scripts and callbacks would otherwise carry it in `Referer`, into proxy logs); `strict-origin`
  elsewhere (other sites and our own logs see the origin, never a path or query).
- **Behind a proxy** (`DS4E_TRUSTED_PROXIES` = hops): werkzeug's ProxyFix believes that many
  hops of `X-Forwarded-For` and `X-Forwarded-Proto`, so the client address (rate limits) and
  HTTPS (the survey cookie's `Secure`, dashboard/access.py) are the client's. With 0 the
  headers are ignored: a client could send them itself. `X-Forwarded-Host` is never believed
  (the proxy sets `Host`).
- **Rate limits** (flask-limiter), each answering 429 with `Retry-After` (seconds):
  survey save and submit per survey link (the token in the callback's state or the link's
  cookie, stored hashed; the client address when neither is a valid link), the draft-law
  what-if per client address (the API and the Legislation page's draft-law callback share one
  budget), and heavy API answers per client address. Counters live in `DS4E_RATE_LIMIT_STORAGE`;
  in memory they are per worker process.
- **Errors** with DS4E_DEBUG=0: no traceback in any answer. An unexpected exception is logged
  with its traceback and answered `{"error": "internal server error"}` (500) on /api and on
  callbacks, a plain page otherwise; a 429 is `{"error": ...}` on /api and callbacks.
- **Access log**: `redact()` drops the query of /survey paths and every `token` parameter;
  `RedactTokens` applies it to werkzeug's request log (`python app.py`), `redact_atoms` to
  gunicorn's access-log atoms. `RequestHandler` is werkzeug's without the `Server` banner.
"""

from __future__ import annotations

import hashlib
import logging
import math
import re
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from urllib.parse import unquote, unquote_plus

import dash
from flask import Flask, Response, g, request
from flask_limiter import Limiter, RequestLimit
from flask_limiter.errors import RateLimitExceeded
from flask_limiter.util import get_remote_address
from flask_talisman import Talisman
from limits import parse_many
from werkzeug.middleware.proxy_fix import ProxyFix
from werkzeug.serving import WSGIRequestHandler

from dashboard.access import GRANT_COOKIE
from dashboard.api_core import json_answer
from dashboard.context import AppContext
from dashboard.views.legislation import page as legislation
from dashboard.views.policy import ids as policy_ids
from dashboard.views.survey import page as survey

LOG = logging.getLogger("ds4e.security")

SURVEY_PATH = "/survey"  # the survey form and, under it, the coordinator's /survey/progress
CALLBACK_ROUTE = "_dash-update-component"
NO_REFERRER = "no-referrer"
DEFAULT_REFERRER = "strict-origin"

# A callback's outputs and values as "component-id.property" (string ids only).
SURVEY_SAVE = f"{survey.SAVED}.children"
SURVEY_SUBMIT = f"{survey.SUBMIT_MSG}.children"
SURVEY_TOKEN = f"{survey.TOKEN}.data"
DRAFT_RESULT = f"{legislation.DRAFT_RESULT}.children"
LEGISLATION_VIEW = f"{legislation.VIEW}.value"
FUNDING_RESULT = f"{policy_ids.FUNDING_RESULT}.children"  # the Policy tab's funding what-if

WHAT_IF_ENDPOINT = "api.lawWhatIf"
FUNDING_ENDPOINT = "api.fundingWhatIf"  # the funding what-if shares the what-if budget
DOWNLOAD_ENDPOINTS = "download."  # the pages' download links: dashboard/file_links.py
HEAVY_ENDPOINTS = {"api.bundle", "api.councilReport", "api.councilReportHtml"}  # always heavy:
# the whole open-data zip; a typeset report
DOWNLOAD_FORMATS = {"csv", "xlsx", "parquet"}


def content_security_policy(script_hashes: list[str]) -> dict[str, list[str]]:
    return {
        "default-src": ["'self'"],
        "script-src": ["'self'", *script_hashes],
        # 'unsafe-inline' for styles only: Dash 4's component bundles and plotly.js put their
        # CSS into <style> elements at run time (about 15 per page, more when a lazily loaded
        # component first renders), so hashes would have to follow every bundle's CSS and a
        # component first shown on interaction would lose its styling unseen. Inline style
        # cannot run code; scripts stay hash-only.
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:", "blob:"],  # Bootstrap's icons are data: SVGs
        "font-src": ["'self'", "data:"],
        "connect-src": ["'self'"],
        "worker-src": ["'self'", "blob:"],  # the map page's MapLibre starts workers from blob:
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }


PERMISSIONS_POLICY = {"browsing-topics": "()", "camera": "()", "microphone": "()",
                      "geolocation": "()", "payment": "()", "usb": "()"}


# ------------------------------------------------------------------ pure rules


def is_survey_path(path: str) -> bool:
    """/survey, /survey/progress and anything under /survey, however spelled (%-escapes, case,
    doubled or trailing slashes), as the router or a log reader would take it."""
    p = re.sub(r"/{2,}", "/", unquote(path or "")).lower().rstrip("/")
    return p == SURVEY_PATH or p.startswith(SURVEY_PATH + "/")


def referrer_policy(path: str) -> str:
    if is_survey_path(path) or path.rstrip("/").endswith(CALLBACK_ROUTE):
        return NO_REFERRER
    return DEFAULT_REFERRER


_TARGET = re.compile(r"(?P<origin>[A-Za-z][A-Za-z0-9+.-]*://[^/?#]*)?(?P<path>[^?#]*)"
                     r"(?:\?(?P<query>[^#]*))?(?P<fragment>#.*)?", re.S)


def _is_token(param: str) -> bool:
    name = unquote_plus(param.split("=", 1)[0]).strip().lower()
    return name.endswith("token")


def redact(target: str) -> str:
    """A request target or URL as it may be logged: a /survey path (the form, the coordinator's
    progress page) without its query, anywhere else without any `token` parameter (names ending
    in 'token', any case or %-escape). The rest is kept as it came."""
    m = _TARGET.fullmatch(target or "")
    if m is None or m["query"] is None:
        return target
    path = m["path"]
    kept = [] if is_survey_path(path) else [p for p in m["query"].split("&") if not _is_token(p)]
    query = "&".join(kept)
    return (m["origin"] or "") + path + (f"?{query}" if query else "") + (m["fragment"] or "")


_REQUEST_LINE = re.compile(r"(?P<method>[A-Z]+) (?P<target>\S+) (?P<proto>HTTP/\d(?:\.\d)?)")


def redact_request_line(text: str) -> str:
    """Every 'METHOD target HTTP/x' in `text` with its target redacted."""
    return _REQUEST_LINE.sub(lambda m: f"{m['method']} {redact(m['target'])} {m['proto']}", text)


def redact_atoms(atoms):
    """gunicorn's access-log atoms with tokens removed, in place (gunicorn's own mapping is kept:
    it answers '-' for unknown keys). For gunicorn.conf.py:

        class Logger(gunicorn.glogging.Logger):
            def atoms(self, resp, req, environ, request_time):
                return redact_atoms(super().atoms(resp, req, environ, request_time))
        logger_class = Logger
    """
    path = atoms.get("U") or ""
    for key in list(atoms):
        value = atoms[key]
        if not isinstance(value, str):
            continue
        if key == "r":  # the request line
            atoms[key] = redact_request_line(value)
        elif key == "q":  # the query string alone
            atoms[key] = redact(f"{path}?{value}").partition("?")[2]
        elif key in ("f", "{referer}i") or key.lower() in ("{raw_uri}e", "{request_uri}e"):
            atoms[key] = redact(value)
        elif key.lower() == "{query_string}e":
            atoms[key] = redact(f"{path}?{value}").partition("?")[2]
    return atoms


class RedactTokens(logging.Filter):
    """werkzeug's request log ('"GET /survey?token=... HTTP/1.1" 200 -') without the token."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.msg, str):
            record.msg = redact_request_line(record.msg)
        if isinstance(record.args, tuple):
            record.args = tuple(redact_request_line(a) if isinstance(a, str) else a
                                for a in record.args)
        return True


class RequestHandler(WSGIRequestHandler):
    """werkzeug's request handler without the `Server: Werkzeug/x Python/y` banner."""

    def send_header(self, keyword: str, value: str) -> None:
        if keyword.lower() != "server":
            super().send_header(keyword, value)


@dataclass(frozen=True)
class Call:
    """What a Dash callback request names: its outputs and its input and state values, each as
    'component-id.property' (pattern-matching ids are left out: none of the rules needs them)."""

    outputs: frozenset[str]
    values: Mapping[str, object]
    pattern_inputs: int = 0  # inputs with pattern-matching ids (the draft editor's rows)

    @classmethod
    def of(cls, body) -> Call:
        if not isinstance(body, dict):
            return cls(frozenset(), {})
        outputs = frozenset(f"{e['id']}.{str(e.get('property', '')).split('@')[0]}"
                            for e in _entries(body.get("outputs")) if isinstance(e.get("id"), str))
        values = {f"{e['id']}.{e.get('property')}": e.get("value")
                  for key in ("inputs", "state") for e in _entries(body.get(key))
                  if isinstance(e.get("id"), str)}
        patterns = sum(1 for e in _entries(body.get("inputs")) if isinstance(e.get("id"), dict))
        return cls(outputs, values, patterns)

    @property
    def saves_survey(self) -> bool:
        return SURVEY_SAVE in self.outputs

    @property
    def submits_survey(self) -> bool:
        return SURVEY_SUBMIT in self.outputs

    @property
    def computes_draft_law(self) -> bool:
        # the callback runs for every view but computes only on the draft view, and only once
        # the editor's rows are made (the first switch to the draft view sends a call without
        # them, which computes nothing and so spends none of the what-if budget)
        return (DRAFT_RESULT in self.outputs and self.values.get(LEGISLATION_VIEW) == "draft"
                and self.pattern_inputs > 0)

    @property
    def computes_funding(self) -> bool:
        return FUNDING_RESULT in self.outputs

    @property
    def survey_token(self) -> str | None:
        token = self.values.get(SURVEY_TOKEN)
        return token if isinstance(token, str) and token else None


def _entries(items) -> Iterator[dict]:
    """Dash's outputs/inputs/state: an entry, a list of entries, or lists of them (ALL)."""
    if isinstance(items, dict):
        yield items
    elif isinstance(items, list):
        for item in items:
            yield from _entries(item)


def heavy_request(endpoint: str | None, args: Mapping[str, str]) -> bool:
    """An API request whose answer is big to make: the bundle, every municipality at once, a
    table download (the API's, or a page's download link: dashboard/file_links.py)."""
    if endpoint in HEAVY_ENDPOINTS or (endpoint or "").startswith(DOWNLOAD_ENDPOINTS):
        return True
    if endpoint == "api.listMunicipalities" and not args.get("limit"):
        return True
    return (args.get("format") or "").strip().lower() in DOWNLOAD_FORMATS


def retry_after_seconds(reset_at: float, now: float) -> int:
    return max(1, math.ceil(reset_at - now))


# ------------------------------------------------------------------ wiring


def _is_api() -> bool:
    return request.path.startswith("/api/")


def _is_callback() -> bool:
    return request.path.rstrip("/").endswith(CALLBACK_ROUTE)


PLAIN_PAGE = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>{title}</title></head>
<body><h1>{title}</h1><p>{text}</p><p><a href="/">DS4E toolkit</a></p></body></html>
"""


def error_answer(status: int, message: str, text: str = "") -> Response:
    """JSON {"error": ...} on /api and callbacks (as the API's other errors), a plain page else."""
    if _is_api() or _is_callback():
        return json_answer({"error": message, **({"path": request.path} if _is_api() else {})},
                           status)
    return Response(PLAIN_PAGE.format(title=message.capitalize(), text=text), status=status,
                    mimetype="text/html")


class Limits:
    """The rate limits of one app: which requests they count and by what key."""

    def __init__(self, server: Flask, ctx: AppContext):
        s = ctx.settings
        self.ctx = ctx
        self.limiter = Limiter(
            get_remote_address, app=server, storage_uri=s.rate_limit_storage,
            key_prefix="ds4e", strategy="fixed-window",
            headers_enabled=False,  # it would put Retry-After on every 200; ours is on 429 only
            # a shared storage that is down must not take the app with it: count in memory
            in_memory_fallback_enabled=True, swallow_errors=True)

    def call(self) -> Call:
        if "ds4e_call" not in g:
            g.ds4e_call = Call.of(request.get_json(silent=True) if _is_callback() else None)
        return g.ds4e_call

    def link_key(self) -> str:
        """The survey link this request acts for (hashed: the storage never holds a token), or
        the client address when it names no valid link (a made-up token buys no new budget)."""
        token = self.call().survey_token or request.cookies.get(GRANT_COOKIE)
        if token:
            access = self.ctx.survey.open_link(token)
            if access.ok and access.invitation is not None:
                return "link:" + hashlib.sha256(token.encode()).hexdigest()[:32]
        return "ip:" + get_remote_address()

    def wire(self, server: Flask, callback_endpoint: str) -> None:
        s, lim = self.ctx.settings, self.limiter

        def message(what: str, value: str, per: str):
            rate = "; ".join(str(item) for item in parse_many(value))  # "10 per 1 minute"
            return lambda: (f"{what} are limited to {rate} per {per}; try again after the "
                            "seconds in Retry-After")

        save = lim.shared_limit(s.limit_survey_save, scope="survey-save", key_func=self.link_key,
                                exempt_when=lambda: not self.call().saves_survey,
                                error_message=message("survey saves", s.limit_survey_save, "link"))
        submit = lim.shared_limit(
            s.limit_survey_submit, scope="survey-submit", key_func=self.link_key,
            exempt_when=lambda: not self.call().submits_survey,
            error_message=message("survey submissions", s.limit_survey_submit, "link"))
        what_if_msg = message("draft-law what-ifs", s.limit_what_if, "client")
        draft = lim.shared_limit(s.limit_what_if, scope="what-if",
                                 exempt_when=lambda: not (self.call().computes_draft_law
                                                          or self.call().computes_funding),
                                 error_message=what_if_msg)
        what_if = lim.shared_limit(s.limit_what_if, scope="what-if", error_message=what_if_msg)
        heavy = lim.shared_limit(
            s.limit_heavy, scope="heavy",
            exempt_when=lambda: not heavy_request(request.endpoint, request.args),
            error_message=message("heavy API answers (bundle, full lists, downloads)",
                                  s.limit_heavy, "client"))
        _wrap(server, callback_endpoint, save, submit, draft)
        _wrap(server, WHAT_IF_ENDPOINT, what_if)
        _wrap(server, FUNDING_ENDPOINT, what_if)
        for endpoint in [e for e in server.view_functions if e.startswith("api.")]:
            _wrap(server, endpoint, heavy)
        for endpoint, spec in server.config.get("DS4E_DOWNLOADS", {}).items():
            # a page's download link: a table download like the API's (the funding file
            # computes the what-if, so it also spends the what-if budget)
            _wrap(server, endpoint, heavy, *([what_if] if spec.limit == "what-if" else []))

    def retry_after(self, resp: Response) -> Response:
        if resp.status_code == 429:
            breached: RequestLimit | None = self.limiter.current_limit
            if breached is not None:
                resp.headers["Retry-After"] = str(retry_after_seconds(breached.reset_at,
                                                                      time.time()))
        return resp


def _wrap(server: Flask, endpoint: str, *limits) -> None:
    """Put limits around a view that is registered already (Dash's callback route, an API
    operation); flask-limiter finds them by the view's name, which the wrappers keep."""
    view = server.view_functions[endpoint]
    for limit in limits:
        view = limit(view)
    server.view_functions[endpoint] = view


def _too_many(e: RateLimitExceeded) -> Response:
    return error_answer(429, f"too many requests: {e.description}",
                        "Too many requests in a short time. Please wait a moment and try again.")


def _internal(e: Exception) -> Response:
    LOG.error("unhandled error on %s %s", request.method, redact(request.full_path), exc_info=e)
    return error_answer(500, "internal server error",
                        "Something went wrong on our side. Please try again later.")


def install(app: dash.Dash, ctx: AppContext) -> Limits | None:
    """Headers, proxy trust, limits, error answers and log redaction on a built app (call it
    after every callback and API route is registered: the CSP hashes the inline scripts)."""
    s, server = ctx.settings, app.server
    if s.trusted_proxies:
        server.wsgi_app = ProxyFix(server.wsgi_app, x_for=s.trusted_proxies,
                                   x_proto=s.trusted_proxies)

    # Registered before Talisman on purpose: Flask runs after_request hooks last-registered
    # first, so this one runs after Talisman's and its per-path policy wins.
    @server.after_request
    def _referrer(resp: Response) -> Response:
        resp.headers["Referrer-Policy"] = referrer_policy(request.path)
        return resp

    Talisman(server, content_security_policy=content_security_policy(list(app.csp_hashes())),
             force_https=False, frame_options="DENY", referrer_policy=DEFAULT_REFERRER,
             permissions_policy=PERMISSIONS_POLICY, x_content_type_options=True)

    limits = None
    if s.rate_limits:
        limits = Limits(server, ctx)
        limits.wire(server, app.config.routes_pathname_prefix + CALLBACK_ROUTE)
        server.after_request(limits.retry_after)
    server.register_error_handler(RateLimitExceeded, _too_many)
    if not s.debug:  # debug mode keeps Dash's error pop-ups with their traceback
        server.register_error_handler(Exception, _internal)

    werkzeug_log = logging.getLogger("werkzeug")
    if not any(isinstance(f, RedactTokens) for f in werkzeug_log.filters):
        werkzeug_log.addFilter(RedactTokens())
    return limits
