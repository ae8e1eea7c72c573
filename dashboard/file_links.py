"""Page downloads as plain links: `GET /download/<name>.<fmt>?<the page's selection>`.

Why: a download used to be a Dash callback that built the file and sent it base64 inside the
callback's JSON answer. At EU size that made the Legislation heatmap's CSV a 300 ms callback
(p50) with a multi-megabyte JSON body the browser had to decode in memory, and every such
callback counted against the callback goal. Now the page's controls only set the links' `href`
(cheap: a query string), and the file is built when someone clicks, as an ordinary HTTP
download (the browser's progress, "save link as", no base64).

A view declares each of its downloads as a `FileSpec`: the name in the URL, its parameters (each
checked by its `Param`: a bad one answers 400 naming it, an unknown one too) and the function
that makes the table from the checked values: the same pure function the page used, so the same
disclosure control (DS4E_VISIBILITY, minimum group) applies. `register(server, ctx, spec)` adds
the route; dashboard/security.py counts every `download.*` endpoint against the heavy-answer
rate limit (the funding file against the what-if's), and Talisman's headers apply as on every
answer. Nothing to download for a selection (a suppressed group, no roadmap) answers 404.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from urllib.parse import urlencode

import pandas as pd
from flask import Flask, Response, jsonify, request

from dashboard.components.downloads import FORMATS, table_file
from dashboard.context import AppContext
from dashboard.i18n import LANGS

LOG = logging.getLogger("ds4e.downloads")
PREFIX = "/download/"
ENDPOINT_PREFIX = "download."
UNKNOWN = "download-unknown"  # /download/<anything else>: a JSON 404 (not an endpoint prefix)
MAX_VALUE = 200  # characters of one parameter value: every control's value is far shorter
_CODE = re.compile(r"^[A-Za-z0-9_.:-]{1,64}$")
# the errors a builder raises on values it cannot use (as bad_input.py answers for callbacks)
INPUT_ERRORS = (TypeError, ValueError, KeyError, IndexError, AttributeError)


class BadParameter(ValueError):
    def __init__(self, name: str, message: str):
        super().__init__(f"parameter '{name}': {message}")
        self.name = name


class Unfit(ValueError):
    """Raised by a builder whose values, each fine alone, do not make a file together (the
    funding what-if's own rules); its message is the page's, safe to show."""


@dataclass(frozen=True)
class Param:
    """One query parameter: `parse` turns its text into the builder's value or raises
    ValueError saying why; absent or empty, the builder gets None."""

    name: str
    parse: Callable[[str], object]


@dataclass(frozen=True)
class FileSpec:
    name: str  # the URL's /download/<name>.<fmt>
    params: tuple[Param, ...]
    # (ctx, **checked values) -> (table, file name) or None when there is nothing to download
    frame: Callable[..., tuple[pd.DataFrame, str] | None]
    limit: str = "heavy"  # which rate limit counts it: "heavy" or "what-if"

    @property
    def endpoint(self) -> str:
        return ENDPOINT_PREFIX + self.name


# ------------------------------------------------------------------ parameter kinds


def code(value: str) -> str:
    """A code as the controls hold it (country, region, municipality, wave, element...)."""
    if not _CODE.match(value):
        raise ValueError(f"{value[:40]!r} is not a code (letters, digits, _ . : -)")
    return value


def codes(value: str) -> list[str]:
    """A comma-separated list of codes (a multi-select)."""
    return [code(v) for v in value.split(",") if v]


def choice(*values: str) -> Callable[[str], str]:
    def parse(value: str) -> str:
        if value not in values:
            raise ValueError(f"{value[:40]!r} is not one of {', '.join(values)}")
        return value
    return parse


def checked(check: Callable[[str], object]) -> Callable[[str], str]:
    """The value as sent, once `check` (a view's own parser, raising ValueError) accepts it:
    the builder then reads it exactly as it reads the control's value."""
    def parse(value: str) -> str:
        check(value)
        return value
    return parse


def iso_date(value: str) -> str:
    try:
        dt.date.fromisoformat(value)
    except ValueError:
        raise ValueError(f"{value[:40]!r} is not a date (YYYY-MM-DD)") from None
    return value


def number(low: float, high: float) -> Callable[[str], float]:
    def parse(value: str) -> float:
        try:
            x = float(value)
        except ValueError:
            raise ValueError(f"{value[:40]!r} is not a number") from None
        if not low <= x <= high:
            raise ValueError(f"{value[:40]} is not between {low:g} and {high:g}")
        return int(x) if x.is_integer() else x
    return parse


LANG = Param("lang", choice(*LANGS))


# ------------------------------------------------------------------ links


def _text(value: object) -> str | None:
    if value is None or value == "" or value == []:
        return None
    if isinstance(value, (list, tuple)):
        return ",".join(str(v) for v in value)
    return str(value)


def _query(values: Mapping[str, object]) -> str:
    return urlencode({k: t for k, v in values.items() if (t := _text(v)) is not None})


def _link(name: str, fmt: str, query: str) -> str:
    return f"{PREFIX}{name}.{fmt}" + (f"?{query}" if query else "")


def href(name: str, fmt: str, values: Mapping[str, object]) -> str:
    """The link of one format: the values left out when empty (the builder gets None)."""
    return _link(name, fmt, _query(values))


def hrefs(name: str, values: Mapping[str, object]) -> tuple[str, ...]:
    """The links of every format, in FORMATS order (the control's buttons); the query encoded
    once for all of them (a funding what-if's ~30 package fields: urlencode was 4 % of the
    Policy tab's funding answer)."""
    query = _query(values)
    return tuple(_link(name, fmt, query) for fmt in FORMATS)


# ------------------------------------------------------------------ the route


def parse_args(spec: FileSpec, args: Mapping[str, str]) -> dict[str, object]:
    """The checked values of a request's query; BadParameter names the first bad one."""
    known = {p.name: p for p in spec.params}
    for name in args:
        if name not in known:
            raise BadParameter(name, f"unknown; this download takes {', '.join(known) or 'none'}")
    values: dict[str, object] = {}
    for p in spec.params:
        raw = args.get(p.name, "")
        if len(raw) > MAX_VALUE:
            raise BadParameter(p.name, f"longer than {MAX_VALUE} characters")
        try:
            values[p.name] = p.parse(raw) if raw != "" else None
        except ValueError as e:
            raise BadParameter(p.name, str(e)) from None
    return values


def make_file(ctx: AppContext, spec: FileSpec, fmt: str, values: Mapping[str, object]
              ) -> tuple[bytes, str, str] | None:
    """(bytes, file name, MIME type) of a download, or None when there is nothing to give."""
    made = spec.frame(ctx, **values)
    if made is None:
        return None
    df, filename = made
    return table_file(df, filename, fmt)


def _error(status: int, message: str, **extra) -> Response:
    resp = jsonify({"error": message, **extra})
    resp.status_code = status
    resp.headers["Cache-Control"] = "no-store"
    return resp


def serve(ctx: AppContext, spec: FileSpec, fmt: str) -> Response:
    if fmt not in FORMATS:
        return _error(400, f"format {fmt[:20]!r} is not one of {', '.join(FORMATS)}",
                      parameter="format")
    try:
        values = parse_args(spec, request.args)
    except BadParameter as e:
        return _error(400, str(e), parameter=e.name)
    try:
        made = make_file(ctx, spec, fmt, values)
    except Unfit as e:
        return _error(400, str(e))
    except INPUT_ERRORS as e:  # values each fine alone that the builder cannot combine
        LOG.warning("download %s: %s", spec.name, e, exc_info=e)
        return _error(400, "the parameters do not fit this download "
                           f"({type(e).__name__})")
    if made is None:
        return _error(404, "nothing to download for this selection (no data, or too few "
                           "municipalities to show)")
    data, filename, mime = made
    resp = Response(data, mimetype=mime)
    resp.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    # the answer follows the published build; a new build must not be hidden by a cache
    resp.headers["Cache-Control"] = "no-store"
    return resp


def register(server: Flask, ctx: AppContext, spec: FileSpec) -> None:
    """Add `GET /download/<spec.name>.<fmt>` (once per server; pages register per app)."""
    if spec.endpoint in server.view_functions:
        return
    if UNKNOWN not in server.view_functions:  # else Dash's page route answers with the app
        server.add_url_rule(f"{PREFIX}<path:rest>", endpoint=UNKNOWN, methods=["GET"],
                            view_func=lambda rest: _error(404, "no such download"))
    server.config.setdefault("DS4E_DOWNLOADS", {})[spec.endpoint] = spec  # security.py reads it

    def view(fmt: str) -> Response:
        return serve(ctx, spec, fmt)

    view.__name__ = spec.endpoint
    server.add_url_rule(f"{PREFIX}{spec.name}.<fmt>", endpoint=spec.endpoint, view_func=view,
                        methods=["GET"])
