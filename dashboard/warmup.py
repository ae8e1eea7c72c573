"""Filling a server process's caches ahead of the first request: what, and when.

Pages and the API register what to compute (`add(server, fn)`, fn(ctx)); the entry points
decide when it runs:

- `python app.py` (development): `start_background`, a thread, so the first keystroke in a
  picker does not wait for the search index.
- gunicorn (gunicorn.conf.py, `preload_app`): `run` in the master, before it forks the
  workers, then `release`. The reference tables, search indexes and the published build's
  values then exist once, in memory pages every worker shares (copy-on-write), instead of once
  per worker; the build's large arrays are memory-mapped files (dashboard/store.py), shared
  through the page cache. `release` closes the master's DuckDB connection: its threads do not
  cross a fork, so each worker opens its own.

Nothing starts when an app is only created (tests; `app:server` imported by gunicorn's master):
a thread running there during a fork leaves the locks it holds (a cached_property's, DuckDB's)
held in the worker, forever (seen: a preloaded worker's first request hung).
"""

from __future__ import annotations

import contextlib
import ctypes
import gc
import logging
import threading
import time
from collections.abc import Callable

from flask import Flask

from dashboard.context import AppContext

LOG = logging.getLogger(__name__)
KEY = "ds4e.warmups"

WarmUp = Callable[[AppContext], None]


def add(server: Flask, fn: WarmUp) -> None:
    """Register a warm-up of this app (run once per process by `run` or `start_background`)."""
    server.extensions.setdefault(KEY, []).append(fn)


def run(server: Flask) -> float:
    """Every registered warm-up, here and now; seconds taken. A failing one is logged and the
    first request does its work instead."""
    ctx: AppContext = server.config["DS4E_CONTEXT"]
    started = time.perf_counter()
    for fn in server.extensions.get(KEY, []):
        try:
            fn(ctx)
        except Exception:
            LOG.exception("warm-up %s failed", getattr(fn, "__qualname__", fn))
    return time.perf_counter() - started


def start_background(server: Flask) -> threading.Thread:
    thread = threading.Thread(target=run, args=(server,), name="ds4e-warm-up", daemon=True)
    thread.start()
    return thread


def release(server: Flask) -> None:
    """Before a fork: close the DuckDB connection of the published build (the workers open
    their own) and move everything that exists now out of the garbage collector's reach
    (gc.freeze): a collection in a worker would otherwise write to every object's header
    and so copy the pages it shares with the master."""
    ctx: AppContext = server.config["DS4E_CONTEXT"]
    snap = ctx.warehouse.snapshot()
    if snap is not None:
        snap.close()
    gc.collect()
    gc.freeze()
    _trim()


def _trim() -> None:
    """Hand the memory the warm-up used and freed back to the OS (glibc keeps it otherwise):
    every worker's RSS starts from what the master still has mapped."""
    with contextlib.suppress(OSError, AttributeError):  # not glibc: nothing to do
        ctypes.CDLL("libc.so.6").malloc_trim(0)
