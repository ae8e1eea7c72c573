"""Memory of each gunicorn worker after every page and API endpoint has run in it (issue 16).

    .venv/bin/python benchmarks/bench_memory.py                        # EU demo at /tmp/d/eu
    .venv/bin/python benchmarks/bench_memory.py --data-dir DIR --workers 1,2,4
    .venv/bin/python benchmarks/bench_memory.py --app-dir /tmp/old --no-config   # a baseline

For each worker count it starts gunicorn on a loopback port (the project's gunicorn.conf.py,
with `-w N` and the threads given here; `--no-config`: gunicorn's defaults, as `gunicorn
app:server` ran before there was a config), then warms every worker with the same requests:

- every API operation of /api/v1/openapi.json (list endpoints in every format, the draft-law
  what-if, the bundle), for a few municipalities, laws and countries;
- every page as the browser opens it: GET of the page address, the index's scripts and CSS,
  `/_dash-layout`, `/_dash-dependencies`, then the router callback (`page-content.children`)
  and every server callback of the page with the values of the rendered layout, as
  /_dash-update-component POSTs; a callback's outputs feed the next ones, as in the renderer.
  Each download link of the page is then fetched once. Pattern-matching callbacks (the survey's save
  and submit) are left out, so the data folder is never written to.

Requests are pinned to workers: a keep-alive connection stays with the worker that accepted it,
and the worker is found from the server's side of the socket (psutil), so every worker gets
every request `--repeat` times, not a random share. Then it prints per process RSS, USS (memory
only this process holds) and PSS (shared pages divided among their users) from
psutil.memory_full_info(), before and after the warm-up, and how long each worker took from
fork to serving (`post_worker_init`). The master is listed too: with `preload_app` it holds the
imported app that the workers share.
"""

from __future__ import annotations

import argparse
import concurrent.futures as cf
import contextlib
import http.client
import json
import os
import re
import signal
import socket
import subprocess
import sys
import tempfile
import textwrap
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import psutil

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from dashboard.rehearsal import walk

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DATA = Path("/tmp/d/eu")
MB = 1024 * 1024

# Appended to the project's config (or used alone): records when each worker is ready to serve,
# as the time from just before its fork (in the master) to the end of its post_worker_init, on
# the monotonic clock both processes share. psutil's create_time is the boot time, which
# /proc/stat gives in whole seconds, plus the start tick: a fresh process measured 0.78 s old
# at its first line on one machine, and every worker ~0.7 s late.
HOOKS = """
import os as _os, time as _time

keepalive = 120  # the bench holds one connection per worker between requests


_project_pre_fork = globals().get("pre_fork")
_project_post_worker_init = globals().get("post_worker_init")


def pre_fork(server, worker):
    worker.bench_forked = _time.monotonic()  # the worker object goes along with the fork
    if _project_pre_fork is not None:
        _project_pre_fork(server, worker)


def post_worker_init(worker):
    if _project_post_worker_init is not None:
        _project_post_worker_init(worker)
    with open(_os.environ["BENCH_BOOT_LOG"], "a") as fh:
        fh.write(f"{worker.pid} {_time.monotonic() - worker.bench_forked:.3f}\\n")
"""


# ------------------------------------------------------------------ requests


@dataclass(frozen=True)
class Req:
    method: str
    path: str
    body: bytes | None = None
    kind: str = "api"  # api, page, asset, callback, download

    def key(self) -> str:
        return f"{self.method} {self.path} {len(self.body or b'')}"


class Conn:
    """One keep-alive HTTP/1.1 connection to the server (and so to one worker)."""

    def __init__(self, port: int):
        self.port = port
        self.http = http.client.HTTPConnection("127.0.0.1", port, timeout=180)
        self.http.connect()

    @property
    def local_port(self) -> int:
        return self.http.sock.getsockname()[1]

    def send(self, r: Req) -> tuple[int, bytes]:
        headers = {"Content-Type": "application/json"} if r.body is not None else {}
        self.http.request(r.method, r.path, body=r.body, headers=headers)
        resp = self.http.getresponse()
        data = resp.read()
        if resp.will_close:
            raise ConnectionError("the server closed a keep-alive connection")
        return resp.status, data

    def close(self) -> None:
        self.http.close()


def api_requests(conn: Conn) -> list[Req]:
    """Every operation of the OpenAPI document with typical parameters."""
    spec = json.loads(conn.send(Req("GET", "/api/v1/openapi.json"))[1])
    def ids_of(q: str) -> list[str]:
        items = json.loads(conn.send(Req("GET", f"/api/v1/municipalities?q={q}&limit=1"))[1])
        return [i["municipality_id"] for i in items.get("items", [])]
    munis = [m for q in ("enschede", "amsterdam", "paris", "berlin", "gent") for m in ids_of(q)]
    laws = [x["id"] for x in json.loads(conn.send(Req("GET", "/api/v1/laws"))[1])["items"]][:3]
    draft = json.dumps({"id": "DRAFT", "name": "Draft", "requirements": [
        {"element": "SEC-01", "min": 2, "deadline": "2026-01-01"}]}).encode()
    funding = json.dumps({"country": "NL", "package": [{"element": "SEC-01", "level": 3}],
                          "reach": 10, "rule": "leverage"}).encode()
    # what each reading POST is sent; the others (creating or joining an initiative) write to
    # the data folder, which this measure never does
    bodies = {"/api/v1/laws/what-if": draft, "/api/v1/insight/funding-what-if": funding}
    out: list[Req] = []
    for path, ops in spec["paths"].items():
        for method in ops:
            if method == "post" and path not in bodies:
                continue
            paths = [path]
            if "{municipality_id}" in path:
                paths = [path.replace("{municipality_id}", m) for m in munis]
            if "{law_id}" in path:
                paths = [p.replace("{law_id}", law) for p in paths for law in laws]
            queries = [""]
            names = {p["name"] for p in ops[method].get("parameters", []) if p["in"] == "query"}
            if "country" in names:
                queries += ["?country=NL", "?country=FR", "?country=DE"]
            if "level" in names:
                queries += [f"?level={lv}" for lv in ("country", "nuts2", "nuts3", "size_class")]
            if "format" in names:
                base = "?country=NL&" if "country" in names else "?"
                queries += [f"{base}format={f}" for f in ("csv", "xlsx", "parquet")]
            if path == "/api/v1/municipalities":
                queries += ["?q=ber", "?limit=50&offset=100"]
            for p in paths:
                for q in queries:
                    body = bodies[path] if method == "post" else None
                    out.append(Req(method.upper(), p + q, body))
    return out


# ------------------------------------------------------------------ the pages, as a renderer


def page_requests(conn: Conn, pages: list[str]) -> list[Req]:
    """The requests a browser makes to open each page and run its callbacks once: the index's
    scripts and CSS, then dashboard/rehearsal.walk (the walk gunicorn's master rehearses)."""
    index = conn.send(Req("GET", "/"))[1].decode()
    out = [Req("GET", src, kind="asset") for src in sorted(set(re.findall(
        r'(?:src|href)="(/(?:_dash-component-suites|assets)/[^"]+)"', index)))]
    steps = walk(lambda method, path, body: conn.send(Req(method, path, body)), pages)
    return out + [Req(s.method, s.path, s.body, kind=s.kind) for s in steps]


def pages_to_open(conn: Conn) -> list[str]:
    sys.path.insert(0, str(ROOT))
    from dashboard.registry import PAGES

    links = {}
    with contextlib.suppress(OSError, KeyError, ValueError):  # no demo links: no survey pages
        links = json.loads((Path(os.environ["DS4E_DATA_DIR"]) / "survey" / "demo-links.json")
                           .read_text(encoding="utf-8"))
    out = []
    for p in PAGES:
        out.append(p.PATH)
    out += ["/profile?m=NL_GM0153", "/profile?m=FR_75056&peers=country&view=elements",
            "/heatmap?country=NL", "/heatmap?country=FR", "/maps?level=nuts3",
            "/maps?level=country&country=DE", "/maps?level=country&country=NL",
            "/roadmap?m=NL_GM0153", "/roadmap?m=FR_75056", "/policy?country=NL",
            "/legislation?country=NL", "/legislation?view=municipality&m=NL_GM0153",
            "/knowledge?element=SEC-02"]
    if links.get("links"):
        out.append(f"/survey?token={links['links'][0]['token']}")
    if links.get("coordinator_token"):
        out.append(f"/survey/progress?token={links['coordinator_token']}")
    return out


# ------------------------------------------------------------------ the server


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Server:
    proc: subprocess.Popen
    port: int
    boot_log: Path
    started: float
    ready_after: float = 0.0
    log: Path | None = None
    boots: dict[int, float] = field(default_factory=dict)

    @property
    def master(self) -> psutil.Process:
        return psutil.Process(self.proc.pid)

    def workers(self) -> list[psutil.Process]:
        return sorted(self.master.children(), key=lambda p: p.pid)


def start(args, n: int, tmp: Path) -> Server:
    port = free_port()
    boot_log, log = tmp / f"boot-{n}.txt", tmp / f"gunicorn-{n}.log"
    conf = tmp / f"bench-{n}.conf.py"
    project = args.config or Path(args.app_dir) / "gunicorn.conf.py"
    text = ""
    if not args.no_config and project.exists():
        text = f"exec(compile(open({str(project)!r}).read(), {str(project)!r}, 'exec'))\n"
    conf.write_text(text + textwrap.dedent(HOOKS), encoding="utf-8")
    env = {**os.environ, "DS4E_DATA_DIR": str(args.data_dir), "DS4E_VISIBILITY": "open",
           "DS4E_RATE_LIMITS": "0",  # one client sends every request several times
           "BENCH_BOOT_LOG": str(boot_log), "PYTHONPATH": str(args.app_dir)}
    cmd = [sys.executable, "-m", "gunicorn", "-c", str(conf), "--chdir", str(args.app_dir),
           "-w", str(n), "--threads", str(args.threads), "-b", f"127.0.0.1:{port}"]
    if args.preload is not None:
        cmd.append("--preload" if args.preload else "--no-preload")
    cmd.append("app:server")
    started = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=args.app_dir, env=env, stdout=log.open("w"),
                            stderr=subprocess.STDOUT, start_new_session=True)
    srv = Server(proc, port, boot_log, started, log=log)
    deadline = time.time() + 180
    while time.time() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"gunicorn exited: see {log}\n{log.read_text()[-2000:]}")
        booted = boot_log.read_text().splitlines() if boot_log.exists() else []
        if len(booted) >= n:
            try:
                c = Conn(port)
                c.send(Req("GET", "/api/v1/health"))
                c.close()
                srv.ready_after = time.perf_counter() - started
                srv.boots = {int(a): float(b) for a, b in (x.split() for x in booted)}
                return srv
            except OSError:
                pass
        time.sleep(0.2)
    stop(srv)
    raise SystemExit(f"gunicorn did not start in time: see {log}")


def stop(srv: Server) -> None:
    try:
        srv.proc.send_signal(signal.SIGTERM)
        srv.proc.wait(30)
    except subprocess.TimeoutExpired:
        srv.proc.kill()
        srv.proc.wait(10)


def worker_of(srv: Server, conn: Conn) -> int | None:
    """The worker holding this connection: the one with a socket to our local port."""
    for w in srv.workers():
        try:
            for c in w.net_connections(kind="tcp"):
                if c.raddr and c.raddr.port == conn.local_port and c.laddr.port == srv.port:
                    return w.pid
        except psutil.Error:
            continue
    return None


def connections(srv: Server, n: int) -> dict[int, Conn]:
    """One keep-alive connection per worker (connect until every worker has one)."""
    held: dict[int, Conn] = {}
    spare: list[Conn] = []
    for _ in range(400):
        if len(held) == n:
            break
        # several connections at once, so that busy workers are not always the ones to accept
        batch = [Conn(srv.port) for _ in range(n)]
        for c in batch:
            c.send(Req("GET", "/api/v1/health"))
        for c in batch:
            pid = worker_of(srv, c)
            if pid is not None and pid not in held:
                held[pid] = c
            else:
                spare.append(c)
    for c in spare:
        c.close()
    if len(held) < n:
        raise SystemExit(f"reached {len(held)} of {n} workers")
    return held


def memory(p: psutil.Process) -> dict[str, float]:
    m = p.memory_full_info()
    peak = float("nan")  # the highest RSS the process has had (VmHWM)
    for line in Path(f"/proc/{p.pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            peak = int(line.split()[1]) / 1024
    return {"rss": m.rss / MB, "uss": m.uss / MB, "pss": m.pss / MB, "peak": peak}


def warm(conn: Conn, reqs: list[Req], repeat: int) -> tuple[dict[str, int], Counter]:
    """Send every request `repeat` times: (the failing ones with their status, status counts)."""
    failed: dict[str, int] = {}
    counts: Counter = Counter()
    for _ in range(repeat):
        for r in reqs:
            status, _ = conn.send(r)
            counts[status] += 1
            if status >= 400:
                failed[r.key()] = status
    return failed, counts


def run(args, n: int, tmp: Path) -> dict:
    srv = start(args, n, tmp)
    try:
        idle = {w.pid: memory(w) for w in srv.workers()}
        held = connections(srv, n)
        first = next(iter(held.values()))
        reqs = api_requests(first) + page_requests(first, pages_to_open(first))
        t0 = time.perf_counter()
        with cf.ThreadPoolExecutor(n) as pool:
            done = list(pool.map(lambda c: warm(c, reqs, args.repeat), held.values()))
        warm_s = time.perf_counter() - t0
        after = {w.pid: memory(w) for w in srv.workers()}
        master = memory(srv.master)
        for c in held.values():
            c.close()
        bad = {k: v for failed, _ in done for k, v in failed.items()}
        return {"workers": n, "threads": args.threads, "ready_s": srv.ready_after,
                "boots": srv.boots, "idle": idle, "after": after, "master": master,
                "requests": len(reqs), "kinds": {k: sum(r.kind == k for r in reqs)
                                                 for k in ("api", "page", "asset", "callback")},
                "warm_s": warm_s, "errors": bad,
                "statuses": dict(sum((c for _, c in done), Counter()))}
    finally:
        stop(srv)


def report(res: dict, label: str) -> str:
    lines = [f"{label}: {res['workers']} worker(s) x {res['threads']} threads; server ready "
             f"{res['ready_s']:.1f} s after start; {res['requests']} requests per worker "
             f"x repeat ({', '.join(f'{k} {v}' for k, v in res['kinds'].items())}), "
             f"warm-up {res['warm_s']:.0f} s; HTTP statuses {res['statuses']}",
             f"  {'process (MB)':<16} {'boot s':>7} {'RSS idle':>9} {'RSS':>8} {'USS':>8} {'PSS':>8}"
             f" {'RSS peak':>9}"]
    m = res["master"]
    lines.append(f"  {'master':<16} {'':>7} {'':>9} {m['rss']:8.0f} {m['uss']:8.0f} {m['pss']:8.0f}"
                 f" {m['peak']:9.0f}")
    for i, (pid, a) in enumerate(sorted(res["after"].items())):
        idle = res["idle"].get(pid, {}).get("rss", float("nan"))
        boot = res["boots"].get(pid, float("nan"))
        lines.append(f"  {f'worker {i + 1}':<16} {boot:7.2f} {idle:9.0f} {a['rss']:8.0f} "
                     f"{a['uss']:8.0f} {a['pss']:8.0f} {a['peak']:9.0f}")
    total = m["pss"] + sum(a["pss"] for a in res["after"].values())
    lines.append(f"  total PSS (master + workers): {total:.0f} MB")
    if res["errors"]:
        lines.append(f"  HTTP errors: {json.dumps(res['errors'])[:800]}")
    return "\n".join(lines)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data-dir", type=Path, default=Path(os.environ.get("DS4E_DATA_DIR",
                                                                           DEFAULT_DATA)))
    ap.add_argument("--workers", default="1,2,4", help="worker counts, comma-separated")
    ap.add_argument("--threads", type=int, default=4)
    ap.add_argument("--repeat", type=int, default=3, help="times each worker gets each request")
    ap.add_argument("--app-dir", type=Path, default=ROOT, help="the checkout to serve")
    ap.add_argument("--config", type=Path, help="gunicorn config (default: the app's)")
    ap.add_argument("--no-config", action="store_true",
                    help="ignore gunicorn.conf.py (gunicorn's defaults: no preload)")
    ap.add_argument("--preload", action=argparse.BooleanOptionalAction, default=None)
    ap.add_argument("--label", default="this tree")
    ap.add_argument("--out", type=Path, help="append the report to this file")
    a = ap.parse_args()
    if not (a.data_dir / "warehouse" / "CURRENT").exists():
        raise SystemExit(f"{a.data_dir} has no published build: python -m pipelines "
                         "--data-dir DIR first-run --scope eu")
    os.environ["DS4E_DATA_DIR"] = str(a.data_dir)
    with tempfile.TemporaryDirectory(prefix="ds4e-mem-") as tmp:
        for n in (int(x) for x in a.workers.split(",")):
            text = report(run(a, n, Path(tmp)), a.label)
            print(text, flush=True)
            if a.out:
                with a.out.open("a", encoding="utf-8") as fh:
                    fh.write(text + "\n")


if __name__ == "__main__":
    main()
