"""Map geometry as cacheable files: `/geo/<source>/<key>.json`.

A map figure names its geometry by URL instead of carrying it (plotly's choroplethmap `geojson`
and a map layer's `source` accept a URL): the geometry was most of the Overview's and the Maps
page's answers (310-400 KB of floats at EU, ~20 ms of JSON encoding per render, and again per
visitor), and the browser now fetches each one once and keeps it.

- **Same origin, no network.** The URL is a path on this server (CSP `connect-src 'self'`);
  nothing comes from a CDN.
- **Naming.** A page registers a *source* (`add_source`): a function (ctx, key) -> GeoJSON or
  None that makes the geometry from the key alone, so any worker answers any URL, also one
  whose figure another worker rendered.
- **Caching.** The encoded file is kept per process (made once, by the master's rehearsal
  before the fork, then shared). Its strong ETag is a hash of its bytes, and the URL carries
  that hash (`?v=`): an answer to the URL of the current bytes may be kept for a year
  (`immutable`); any other (an old `v`, none) must be revalidated (`no-cache`), so a changed
  geometry (new reference data) is never served stale. gzip when the client accepts it (the
  files compress ~3x: NUTS 2 at EU 249 KB -> 75 KB), with its own tag, as the API does
  (dashboard/api_http.py).
"""

from __future__ import annotations

import gzip
import hashlib
import json
import re
from collections.abc import Callable
from dataclasses import dataclass

from flask import Flask, Response, abort, request

from dashboard.context import AppContext
from dashboard.lru import Lru

PREFIX = "/geo"
KEY = "ds4e.geo_sources"
KEY_PATTERN = re.compile(r"[A-Za-z0-9_-]{1,40}")
IMMUTABLE = "public, max-age=31536000, immutable"
REVALIDATE = "no-cache"
GZIP_SUFFIX = "-gzip"

Source = Callable[[AppContext, str], dict | None]


@dataclass(frozen=True)
class GeoFile:
    body: bytes
    gzipped: bytes
    tag: str  # hash of body

    def url(self, source: str, key: str) -> str:
        return f"{PREFIX}/{source}/{key}.json?v={self.tag}"


def encode(geojson: dict) -> GeoFile:
    body = json.dumps(geojson, separators=(",", ":"), ensure_ascii=False).encode()
    return GeoFile(body, gzip.compress(body, 6, mtime=0),
                   hashlib.blake2b(body, digest_size=10).hexdigest())


# Per (reference folder, source, key): the geometry of the maps' levels and countries, the
# Overview's two views; a few MB in all.
_FILES = Lru(96)


def geo_file(ctx: AppContext, source: str, key: str, geojson: dict) -> GeoFile:
    """The encoded `geojson` (made once per process): `geojson` must be what the source
    function returns for `key`."""
    return _FILES.get((str(ctx.settings.reference_dir), source, key), lambda: encode(geojson))


def url(ctx: AppContext, source: str, key: str, geojson: dict) -> str:
    """The relative URL a figure gives plotly for `geojson`, known as `source`/`key`."""
    if not KEY_PATTERN.fullmatch(key):
        raise ValueError(f"geometry key {key!r}")
    return geo_file(ctx, source, key, geojson).url(source, key)


def add_source(server: Flask, name: str, source: Source) -> None:
    server.extensions.setdefault(KEY, {})[name] = source


def _etag_matches(header: str | None, tag: str) -> bool:
    if not header:
        return False
    sent = {part.strip().removeprefix("W/").strip('"') for part in header.split(",")}
    return "*" in sent or tag in sent or tag + GZIP_SUFFIX in sent


def register(server: Flask, ctx: AppContext) -> None:
    @server.get(f"{PREFIX}/<source>/<key>.json")
    def _geo(source: str, key: str) -> Response:
        make = server.extensions.get(KEY, {}).get(source)
        if make is None or not KEY_PATTERN.fullmatch(key):
            abort(404)

        def made() -> GeoFile:
            gj = make(ctx, key)
            if gj is None:
                abort(404)  # raised inside: nothing is kept for an unknown key
            return encode(gj)

        f = _FILES.get((str(ctx.settings.reference_dir), source, key), made)
        headers = {"Vary": "Accept-Encoding",
                   "Cache-Control": IMMUTABLE if request.args.get("v") == f.tag else REVALIDATE}
        gz = request.accept_encodings["gzip"] > 0
        tag = f.tag + (GZIP_SUFFIX if gz else "")
        headers["ETag"] = f'"{tag}"'
        if _etag_matches(request.headers.get("If-None-Match"), f.tag):
            return Response(status=304, headers=headers)
        if gz:
            headers["Content-Encoding"] = "gzip"
        return Response(f.gzipped if gz else f.body, mimetype="application/geo+json",
                        headers=headers)
