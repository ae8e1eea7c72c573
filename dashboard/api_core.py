"""What every API view shares: the error answer, strict JSON and the view wrapper.

Errors are JSON {"error": message, ...} with their status; JSON is strict (RFC 8259):
`json_answer` and `json_response` refuse NaN and Infinity, so a value that is not a number must
be turned into null where it is made, and a new one fails the strict-JSON test instead of
reaching a client.
"""

from __future__ import annotations

import json
from functools import wraps

from flask import Response, current_app, request

NOT_PUBLISHED = "no survey data published yet"
NO_CONSENT = ("municipality {mid} did not consent to publish its results by name; its answers "
              "count in the aggregates only (/api/v1/aggregates). Its reference data are public "
              "via /api/v1/municipalities?q={mid}")


class ApiError(Exception):
    """An answer other than 200: JSON {"error": message, **extra} with `status`."""

    def __init__(self, status: int, message: str, **extra):
        super().__init__(message)
        self.status, self.message, self.extra = status, message, extra

    def response(self) -> Response:
        return json_answer({"error": self.message, **self.extra}, self.status)


def bad_parameter(name: str, value: str, allowed, what: str = "") -> ApiError:
    allowed = list(allowed)
    listed = ", ".join(allowed) if isinstance(allowed[0], str) else str(allowed)
    msg = f"invalid value {value!r} for parameter '{name}'"
    return ApiError(400, f"{msg}: {what or 'allowed values are ' + listed}", parameter=name,
                    value=value, allowed=allowed)


def api_view(fn):
    """Turn an ApiError raised anywhere in a view into its JSON answer."""
    @wraps(fn)
    def wrapper(*args, **kwargs):
        try:
            return fn(*args, **kwargs)
        except ApiError as e:
            return e.response()
        except Exception:  # a JSON client should never get Flask's HTML error page
            current_app.logger.exception("API error on %s", request.full_path)
            return json_answer({"error": "internal server error"}, 500)
    return wrapper


def json_answer(obj, status: int = 200) -> Response:
    """`obj` as strict JSON (what `jsonify` writes, but NaN or Infinity raise ValueError)."""
    body = current_app.json.dumps(obj, allow_nan=False)
    return current_app.response_class(body + "\n", status=status, mimetype="application/json")


def json_response(meta: dict, items_json: str | None = None,
                  headers: dict | None = None) -> Response:
    """`meta` as JSON, with a pre-serialised JSON array spliced in as "items" (made by
    `json_literals` or DataFrame.to_json, which write null for NaN)."""
    body = json.dumps(meta, ensure_ascii=False, allow_nan=False)
    if items_json is not None:
        body = body[:-1] + (", " if meta else "") + '"items": ' + items_json + "}"
    return Response(body, mimetype="application/json", headers=headers)
