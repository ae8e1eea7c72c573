"""Locust users for the load test: page loads, Dash callbacks and API requests (benchmarks/load_mix.py).

Normally started by `benchmarks/load.py`, which also starts gunicorn and writes the summary. On
its own, against a server that is already running:

    .venv/bin/locust -f benchmarks/locustfile.py --headless -u 20 -r 20 -t 2m -H http://127.0.0.1:8050

Settings from the environment: DS4E_LOAD_THINK ("0.1,0.5": seconds a user waits between two
tasks, uniform), DS4E_LOAD_SEED, and DS4E_LOAD_SAMPLES (a file that receives every request's
kind, start time, duration and error as JSON lines when the run stops; load.py reads it, so the
percentiles are exact rather than locust's rounded ones).
"""

from __future__ import annotations

import itertools
import json
import os
import random
import sys
import time
from pathlib import Path

from locust import FastHttpUser, between, events, task

sys.path.insert(0, str(Path(__file__).parent))

import load_mix

THINK = tuple(float(x) for x in os.environ.get("DS4E_LOAD_THINK", "0.1,0.5").split(","))
SEED = int(os.environ.get("DS4E_LOAD_SEED", "0"))
# A browser asks for gzip; the API compresses JSON over 1 KB for such clients.
HEADERS = {"Accept-Encoding": "gzip, deflate", "Accept": "application/json, text/html"}

PLAN: load_mix.Plan | None = None
SAMPLES: list[tuple[str, float, float, str | None]] = []
_user_seeds = itertools.count(1)


@events.test_start.add_listener
def _discover(environment, **_kwargs):
    global PLAN
    PLAN = load_mix.discover(environment.host, seed=SEED)
    if PLAN.missing:
        raise RuntimeError("the load mix no longer fits the app: " + "; ".join(PLAN.missing))


@events.request.add_listener
def _record(name, response_time, exception, start_time=None, **_kwargs):
    SAMPLES.append((name, start_time or time.time(), response_time,
                    None if exception is None else str(exception)))


@events.test_stop.add_listener
def _write(**_kwargs):
    target = os.environ.get("DS4E_LOAD_SAMPLES")
    if not target:
        return
    with open(target, "w", encoding="utf-8") as fh:
        for kind, start, ms, error in SAMPLES:
            fh.write(json.dumps({"kind": kind, "start": start, "ms": ms, "error": error}) + "\n")


class Visitor(FastHttpUser):
    """One person: opens pages, changes filters, and (as an API client would) asks the API."""

    wait_time = between(*THINK)
    # the slowest request takes well under a second on an idle server: a minute without an
    # answer means the server hung, which must count as an error rather than stall the user
    network_timeout = 60.0
    connection_timeout = 10.0

    def on_start(self):
        self.rng = random.Random(SEED * 1000 + next(_user_seeds))

    @task
    def one_task(self):
        for req in load_mix.pick(self.rng)(PLAN, self.rng):
            with self.client.request(req.method, req.path, name=req.kind, json=req.body,
                                     headers=HEADERS, catch_response=True) as resp:
                if not resp.status_code:  # no HTTP answer at all (refused, reset, timed out)
                    resp.failure(f"no answer: {resp.error!r}")
                    continue
                why = req.check(resp.status_code, resp.text or "")
                if why:
                    resp.failure(why)
                else:
                    resp.success()
