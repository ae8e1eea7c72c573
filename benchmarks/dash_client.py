"""A minimal Dash client: call a running app's callbacks over HTTP, as the browser does.

Used by the callback benchmark to measure real round trips (HTTP + Dash + our code) without a
browser. It reads /_dash-dependencies, finds a callback by an output it writes, and POSTs the
renderer's payload to /_dash-update-component.
"""

from __future__ import annotations

import json
import time
import urllib.request
from dataclasses import dataclass


@dataclass
class Callback:
    spec: dict

    @property
    def output(self) -> str:
        return self.spec["output"]

    def outputs(self) -> list[dict] | dict:
        out = self.output
        if out.startswith(".."):
            parts = out.strip(".").split("...")
            return [_split(p) for p in parts]
        return _split(out)


def _split(text: str) -> dict:
    ident, prop = text.rsplit(".", 1)
    return {"id": ident.split("@")[0], "property": prop.split("@")[0]}


class DashClient:
    def __init__(self, base: str):
        self.base = base.rstrip("/")
        with urllib.request.urlopen(self.base + "/_dash-dependencies", timeout=30) as r:
            self.callbacks = [Callback(c) for c in json.load(r)]

    def find(self, output_id: str, prop: str | None = None) -> Callback:
        for cb in self.callbacks:
            outs = cb.outputs()
            for o in outs if isinstance(outs, list) else [outs]:
                if o["id"] == output_id and (prop is None or o["property"] == prop):
                    return cb
        raise KeyError(f"no callback writes {output_id}.{prop or '*'}")

    def call(self, cb: Callback, values: dict[str, object], changed: str) -> tuple[float, int]:
        """POST one callback; `values` maps 'id.prop' to a value. Returns (seconds, bytes)."""
        def fill(items):
            return [{"id": i["id"], "property": i["property"],
                     "value": values.get(f"{i['id']}.{i['property']}")} for i in items]
        payload = {"output": cb.output, "outputs": cb.outputs(), "inputs": fill(cb.spec["inputs"]),
                   "state": fill(cb.spec.get("state", [])), "changedPropIds": [changed]}
        data = json.dumps(payload).encode()
        req = urllib.request.Request(self.base + "/_dash-update-component", data=data,
                                     headers={"Content-Type": "application/json"})
        start = time.perf_counter()
        with urllib.request.urlopen(req, timeout=60) as r:
            body = r.read()
            status = r.status
        elapsed = time.perf_counter() - start
        if status not in (200, 204):
            raise RuntimeError(f"{cb.output}: HTTP {status}")
        return elapsed, len(body)


def measure(client: DashClient, cb: Callback, gen, changed: str, calls: int,
            warmup: int = 10) -> tuple[float, float, float, float]:
    """Warm up, then time `calls` calls with fresh inputs from `gen()`:
    (p50 ms, p95 ms, max ms, median response KB)."""
    import numpy as np

    for _ in range(warmup):
        client.call(cb, gen(), changed)
    times, sizes = [], []
    for _ in range(calls):
        secs, size = client.call(cb, gen(), changed)
        times.append(secs * 1000)
        sizes.append(size)
    t = np.array(times)
    return (float(np.percentile(t, 50)), float(np.percentile(t, 95)), float(t.max()),
            float(np.median(sizes)) / 1024)
