"""Malformed callback input answers 400, not 500.

Every callback receives values that a browser or a crafted request can set to anything: a
slider's weight as "x", a country as an empty list. Validating each argument of each callback
by hand would duplicate the pages' parsing; instead the shapes of error that bad input raises
(TypeError, ValueError, KeyError, IndexError, AttributeError) are answered as a client error on
Dash's callback route, with the callback's output named and the traceback logged, so a request
cannot make the server report an internal error and a real defect still leaves a trace. The
sweep tests call every callback over every selection as a function, where such errors fail.
"""

from __future__ import annotations

import logging

from flask import Flask, jsonify, request
from werkzeug.exceptions import InternalServerError

LOG = logging.getLogger("ds4e.callbacks")
INPUT_ERRORS = (TypeError, ValueError, KeyError, IndexError, AttributeError)
CALLBACK_ROUTE = "_dash-update-component"


def register(server: Flask) -> None:
    for exc in INPUT_ERRORS:
        server.register_error_handler(exc, _answer)


def _answer(error: Exception):
    if not request.path.rstrip("/").endswith(CALLBACK_ROUTE):
        return InternalServerError(original_exception=error)
    body = request.get_json(silent=True) or {}
    output = str(body.get("output", ""))[:200] if isinstance(body, dict) else ""
    LOG.warning("bad input to callback %s: %s", output, error, exc_info=error)
    return jsonify({"error": "the request's input does not fit this view "
                             f"({type(error).__name__})", "output": output}), 400
