"""Page parts that are the same on every visit (per build, settings and language), kept in the
JSON form Dash sends for a component ({"type", "namespace", "props"}, children likewise).

A page's layout is built and encoded on every visit: each component object costs its
construction (Dash checks every property) and, when the answer is encoded, a call back into
Python per node. The policy page's funding editors alone are ~150 components (4 of the page's
13 ms at EU size). Kept serialised, such a part is put into the answer as plain data: the
bytes Dash sends are the same (tests/dashboard/test_page_parts.py compares them).

The kept values are shared between requests and threads: never change one (Dash only reads
them to encode the answer).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Hashable
from typing import Any

from plotly.utils import PlotlyJSONEncoder

from dashboard.lru import Lru


def serialised(component) -> Any:
    """A component tree as the JSON data Dash sends for it (as dashboard/views/roadmap/panels.py
    does for its static panels)."""
    return json.loads(json.dumps(component, cls=PlotlyJSONEncoder))


class Parts:
    """Serialised parts per (context, key): `get(ctx, key, make)` builds `make()` once. The
    context is part of the key by identity and kept with the value (so a context made later at
    the same address never gets another's part); the key holds whatever else the part depends
    on (the build, the language)."""

    def __init__(self, size: int = 256):
        self._lru = Lru(size)

    def get(self, ctx, key: Hashable, make: Callable[[], Any]) -> Any:
        # the entry holds its context: while it is kept, no other context gets that id
        return self._lru.get((id(ctx), key), lambda: (ctx, serialised(make())))[1]

    def clear(self) -> None:
        self._lru.clear()
