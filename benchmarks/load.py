"""Load test: concurrent users mixing page loads, Dash callbacks and API requests against gunicorn.

    .venv/bin/python benchmarks/load.py --data-dir /tmp/d/eu              # 20 users, 2 minutes
    .venv/bin/python benchmarks/load.py --data-dir DIR --duration 20 --no-write

Starts gunicorn on a free loopback port on the data folder (DS4E_VISIBILITY=open, the most work;
with gunicorn.conf.py when the repository has one, else `-w 2 --threads 4`), sends every kind of
request twice (a payload the app no longer accepts stops the run here, not after two minutes;
and the workers have opened the build), times each kind alone (--baseline rounds), then runs
locust (benchmarks/locustfile.py; the mix is benchmarks/load_mix.py) and prints p50/p95 per
request kind, throughput, how the CPU was shared, and the errors. The figures are added to
benchmarks/results/load-<date>.txt unless --no-write. Exit status 1 when any request failed.

Locust and gunicorn share the machine's cores, so the figures are pessimistic for the server.
Rate limits: every client comes from 127.0.0.1, so per-client limits see twenty people as one;
the run raises the one the mix reaches (LOAD_ENV below) through its setting, never by changing
the limits; --env NAME=VALUE sets others. An answer 429 counts as an error, named rate limited.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import resource
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections import Counter
from dataclasses import dataclass, field
from importlib.metadata import version
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))

import load_mix  # noqa: E402

RESULTS = HERE / "results"
# Every simulated user comes from 127.0.0.1, so a per-client limit counts twenty people as one.
# Each of them asks for a draft-law what-if about 5 times a minute, far under DS4E_LIMIT_WHAT_IF's
# 60 per client; together they sent ~100 a minute in the 2-minute EU run (memory:// counters
# split that between the workers, just under 60 each; shared counters or a faster machine would
# answer 429). So the load test raises that limit through its setting, and keeps the limiter in
# place (its cost is part of the figures). The mix reaches no other limit (no bundle, no list
# without `limit`, no download, no survey save or submit).
LOAD_ENV = {"DS4E_LIMIT_WHAT_IF": "100000/minute"}
CONF = ROOT / "gunicorn.conf.py"
FALLBACK_FLAGS = ["-w", "2", "--threads", "4"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Server:
    """A gunicorn master serving app:server on loopback."""

    proc: subprocess.Popen
    base: str
    log: Path
    config: str = ""

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)  # graceful: workers finish their requests
            try:
                self.proc.wait(30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(10)

    def log_tail(self, lines: int = 30) -> str:
        return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])


def server_flags(flags: list[str] | None = None) -> list[str]:
    """Workers and threads: the given flags, else gunicorn.conf.py's (gunicorn reads it from the
    working directory) when the repository has one, else the fallback flags."""
    if flags is not None:
        return flags
    return [] if CONF.exists() else FALLBACK_FLAGS


def gunicorn_args(port: int, flags: list[str] | None = None) -> list[str]:
    """gunicorn serving app:server on 127.0.0.1:port."""
    # no control socket: its default path is per user, so a second master on the machine (a
    # test's, or `make run` in another terminal) would take it over
    return [sys.executable, "-m", "gunicorn", "app:server", "-b", f"127.0.0.1:{port}",
            "--no-control-socket", *server_flags(flags)]


def start_gunicorn(data_dir: Path, env: dict[str, str] | None = None, flags: list[str] | None = None,
                   log_dir: Path | None = None, timeout: float = 180) -> Server:
    port = free_port()
    log = Path(log_dir or tempfile.mkdtemp(prefix="ds4e-gunicorn-")) / f"gunicorn-{port}.log"
    full_env = {**os.environ, "DS4E_DATA_DIR": str(data_dir), "DS4E_VISIBILITY": "open",
                **(env or {})}
    args = gunicorn_args(port, flags)
    config = subprocess.run([*args, "--print-config"], cwd=ROOT, env=full_env, capture_output=True,
                            text=True, timeout=60).stdout
    with log.open("wb") as fh:
        proc = subprocess.Popen(args, cwd=ROOT, env=full_env, stdout=fh, stderr=subprocess.STDOUT)
    server = Server(proc, f"http://127.0.0.1:{port}", log, config)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"gunicorn exited with {proc.returncode}:\n{server.log_tail()}")
        try:
            with urllib.request.urlopen(server.base + "/api/v1/health", timeout=5) as r:
                if r.status == 200:
                    return server
        except OSError:
            time.sleep(0.3)
    server.stop()
    raise RuntimeError(f"gunicorn did not answer within {timeout:.0f} s:\n{server.log_tail()}")


def _setting(config: str, name: str) -> str:
    for line in config.splitlines():
        key, _, value = line.partition("=")
        if key.strip() == name:
            return value.strip()
    return "?"


def _worker_class(config: str) -> str:
    kind = _setting(config, "worker_class")
    # gunicorn turns the default sync worker into gthread when threads > 1; --print-config
    # shows the setting before that switch
    return "gthread" if kind == "sync" and _setting(config, "threads") not in ("1", "?") else kind


# ------------------------------------------------------------------ CPU during the run
# The figures depend on what else the machine did: the load generator runs on the same cores,
# and on a shared machine so may other work. The report says how the CPU time was split.

TICK = os.sysconf("SC_CLK_TCK")


def _machine_cpu() -> tuple[float, float]:
    """(busy, total) CPU seconds of the whole machine since boot, all cores."""
    values = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = values[3] + values[4]  # idle + iowait
    return (sum(values) - idle) / TICK, sum(values) / TICK


def _tree_cpu(root: int) -> float:
    """CPU seconds of a process and its children (a gunicorn master and its workers)."""
    total = 0.0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            pid_part, rest = stat.read_text().rsplit(")", 1)
        except OSError:
            continue
        fields = rest.split()
        pid, ppid = int(pid_part.split("(")[0]), int(fields[1])
        if root in (pid, ppid):
            total += (int(fields[11]) + int(fields[12])) / TICK
    return total


@dataclass
class CpuShare:
    busy: float  # share of all cores busy, 0..1
    server: float  # shares of all cores' time
    locust: float

    def text(self) -> str:
        other = max(self.busy - self.server - self.locust, 0.0)
        return (f"CPU during the run: {self.busy:.0%} of {os.cpu_count()} cores busy: gunicorn "
                f"{self.server:.0%}, locust {self.locust:.0%}, other processes {other:.0%}")


# ------------------------------------------------------------------ figures


@dataclass
class Figures:
    kind: str
    requests: int
    errors: int
    p50: float
    p95: float
    max: float
    per_second: float
    alone: float = float("nan")  # p50 with no other request in flight (the baseline pass)


@dataclass
class LoadResult:
    figures: list[Figures]
    total: Figures
    seconds: float
    errors: Counter = field(default_factory=Counter)
    text: str = ""

    @property
    def error_count(self) -> int:
        return self.total.errors


def summarise(samples: list[dict], seconds: float) -> tuple[list[Figures], Figures, Counter]:
    def figures(kind: str, rows: list[dict]) -> Figures:
        ms = np.array([r["ms"] for r in rows]) if rows else np.array([np.nan])
        return Figures(kind, len(rows), sum(r["error"] is not None for r in rows),
                       float(np.percentile(ms, 50)), float(np.percentile(ms, 95)), float(ms.max()),
                       len(rows) / seconds)
    by_kind = [figures(k, [s for s in samples if s["kind"] == k]) for k in load_mix.KINDS]
    others = sorted({s["kind"] for s in samples} - set(load_mix.KINDS))
    by_kind += [figures(k, [s for s in samples if s["kind"] == k]) for k in others]
    errors = Counter(f"{s['kind']}: {s['error']}" for s in samples if s["error"] is not None)
    return by_kind, figures("all requests", samples), errors


def report(result: LoadResult, header: list[str]) -> str:
    lines = [*header, "",
             f"{'request kind':<40} {'requests':>8} {'errors':>6} {'p50 ms':>8} {'p95 ms':>8} "
             f"{'max ms':>8} {'req/s':>7} {'alone p50':>10}"]
    for f in [*result.figures, result.total]:
        if f is result.total:
            lines.append("-" * 102)
        alone = "-" if np.isnan(f.alone) else f"{f.alone:.1f}"
        lines.append(f"{f.kind:<40} {f.requests:>8} {f.errors:>6} {f.p50:>8.1f} {f.p95:>8.1f} "
                     f"{f.max:>8.1f} {f.per_second:>7.1f} {alone:>10}")
    lines.append("(alone p50: the same kinds of request one at a time before the run, none other in "
                 "flight; '-' without --baseline)")
    lines += ["", f"throughput: {result.total.per_second:.1f} requests/s over {result.seconds:.0f} s; "
              f"errors: {result.total.errors}"]
    for message, n in result.errors.most_common(20):
        lines.append(f"  {n} x {message}")
    return "\n".join(lines)


# ------------------------------------------------------------------ the run


def run_locust(base: str, users: int, seconds: int, think: str, seed: int, work: Path,
               server_pid: int) -> tuple[list[dict], float, str, CpuShare]:
    samples_file = work / "samples.jsonl"
    env = {**os.environ, "DS4E_LOAD_SAMPLES": str(samples_file), "DS4E_LOAD_THINK": think,
           "DS4E_LOAD_SEED": str(seed)}
    cmd = [sys.executable, "-m", "locust", "-f", str(HERE / "locustfile.py"), "--headless",
           "-u", str(users), "-r", str(users), "-t", f"{seconds}s", "-H", base, "--only-summary",
           "--stop-timeout", "30", "--exit-code-on-error", "0", "--loglevel", "WARNING"]
    started = time.monotonic()
    machine0, server0 = _machine_cpu(), _tree_cpu(server_pid)
    children0 = resource.getrusage(resource.RUSAGE_CHILDREN)
    done = subprocess.run(cmd, cwd=HERE, env=env, capture_output=True, text=True,
                          timeout=seconds + 180)
    children1 = resource.getrusage(resource.RUSAGE_CHILDREN)
    machine1, server1 = _machine_cpu(), _tree_cpu(server_pid)
    total = machine1[1] - machine0[1]
    locust_cpu = (children1.ru_utime + children1.ru_stime) - (children0.ru_utime + children0.ru_stime)
    cpu = CpuShare((machine1[0] - machine0[0]) / total, (server1 - server0) / total, locust_cpu / total)
    if done.returncode != 0 or not samples_file.exists():
        raise RuntimeError(f"locust failed ({done.returncode}):\n{done.stderr[-3000:]}")
    samples = [json.loads(line) for line in samples_file.read_text().splitlines()]
    if samples:  # from the first request sent to the last answer received
        wall = max(s["start"] + s["ms"] / 1000 for s in samples) - min(s["start"] for s in samples)
    else:
        wall = time.monotonic() - started
    return samples, wall, done.stderr, cpu


def run(data_dir: Path, users: int = 20, seconds: int = 120, think: str = "0.1,0.5", seed: int = 0,
        env: dict[str, str] | None = None, flags: list[str] | None = None, baseline: int = 0,
        say=print) -> LoadResult:
    """Serve `data_dir` with gunicorn, run the load, stop the server. `baseline` rounds of every
    task one at a time first give each kind's time with no other request in flight."""
    data_dir = Path(data_dir)
    env = {**LOAD_ENV, **(env or {})}
    work = Path(tempfile.mkdtemp(prefix="ds4e-load-"))
    server = start_gunicorn(data_dir, env, flags, log_dir=work)
    try:
        say(f"gunicorn at {server.base} (log {server.log}); checking every kind of request")
        plan = load_mix.discover(server.base, seed=seed)
        problems = load_mix.preflight(plan)
        if problems:
            raise RuntimeError("the load mix does not fit the app:\n  " + "\n  ".join(problems[:20]))
        alone = load_mix.one_at_a_time(plan, baseline, seed=seed + 1) if baseline else []
        say(f"{users} users for {seconds} s ...")
        samples, wall, locust_log, cpu = run_locust(server.base, users, seconds, think, seed, work,
                                                    server.proc.pid)
        health = json.loads(urllib.request.urlopen(server.base + "/api/v1/health").read())
    finally:
        server.stop()
    by_kind, total, errors = summarise(samples, wall)
    result = LoadResult(by_kind, total, wall, errors)
    for f in [*by_kind, total]:
        ms = [a["ms"] for a in alone if f is total or a["kind"] == f.kind]
        f.alone = float(np.percentile(ms, 50)) if ms else float("nan")
    build = health["data"]
    used = server_flags(flags)
    source = "gunicorn.conf.py" if not used else "flags " + " ".join(used)
    header = [
        f"DS4E load test, {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC "
        f"({os.cpu_count()} cores, {platform.python_implementation()} {platform.python_version()})",
        f"server: gunicorn {version('gunicorn')} on 127.0.0.1, "
        f"{_setting(server.config, 'workers')} workers x {_setting(server.config, 'threads')} threads "
        f"({_worker_class(server.config)}; {source}), DS4E_VISIBILITY=open"
        + "".join(f", {k}={v}" for k, v in (env or {}).items()),
        f"data: {data_dir} (build {build.get('build_id')}, waves {', '.join(build.get('waves', []))}, "
        f"{len(plan.countries)} countries; {len(plan.municipalities)} sampled municipalities)",
        f"clients: locust {version('locust')}, {users} users started at once, each waiting "
        f"{think.replace(',', '-')} s between tasks, {seconds} s, on the same cores as the server",
        "mix per task picked: page visit 3 (HTML, /_dash-layout, /_dash-dependencies, router and "
        "shell callbacks), heatmap/radar/roadmap/maps callbacks 2 each, legislation callback 1, "
        "six API requests 1 each",
    ]
    header.append(cpu.text())
    if "CPU usage above" in locust_log:
        header.append("note: locust warned that its own CPU use was above 90%")
    result.text = report(result, header)
    return result


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data-dir", type=Path, default=os.environ.get("DS4E_DATA_DIR"),
                    help="a published build (default $DS4E_DATA_DIR), e.g. the EU demo")
    ap.add_argument("--users", type=int, default=20)
    ap.add_argument("--duration", type=int, default=120, help="seconds (default 120)")
    ap.add_argument("--think", default="0.1,0.5", help="seconds between a user's tasks: MIN,MAX")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--env", action="append", default=[], metavar="NAME=VALUE",
                    help="a setting for the server (e.g. a raised rate limit); repeatable")
    ap.add_argument("--gunicorn", help="gunicorn flags instead of gunicorn.conf.py, e.g. '-w 4 --threads 2'")
    ap.add_argument("--baseline", type=int, default=5,
                    help="rounds of every task one at a time before the run (the 'alone' column)")
    ap.add_argument("--no-write", action="store_true", help="print only; no file in benchmarks/results")
    a = ap.parse_args()
    if not a.data_dir:
        ap.error("--data-dir (or DS4E_DATA_DIR) is needed: a folder with a published build")
    env = dict(item.split("=", 1) for item in a.env)
    result = run(a.data_dir, a.users, a.duration, a.think, a.seed, env,
                 a.gunicorn.split() if a.gunicorn else None, a.baseline)
    print(result.text)
    if not a.no_write:
        RESULTS.mkdir(exist_ok=True)
        out = RESULTS / f"load-{dt.date.today():%Y-%m-%d}.txt"
        # a day's runs stay together, oldest first: on a shared machine one run is not the truth
        earlier = out.read_text(encoding="utf-8") + "\n" + "=" * 102 + "\n\n" if out.exists() else ""
        out.write_text(earlier + result.text + "\n", encoding="utf-8")
        print(f"\nwritten to {out.relative_to(ROOT)}")
    return 1 if result.error_count else 0


if __name__ == "__main__":
    sys.exit(main())
