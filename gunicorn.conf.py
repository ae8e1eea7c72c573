"""gunicorn's settings for the DS4E toolkit: `make run` serves `gunicorn -c gunicorn.conf.py app:server`.

What can be set comes from dashboard/config.py, like every other setting: DS4E_WORKERS (default
one per CPU core), DS4E_THREADS (default 4), HOST and PORT. The rest is fixed here, each with
the reason. Memory per worker is measured by benchmarks/bench_memory.py (figures in README,
"Serving in production", and benchmarks/results/memory.txt).
"""

from __future__ import annotations

import ctypes
import logging
import os

from gunicorn.glogging import Logger


def _tune_malloc() -> None:
    """glibc's malloc, set before the app is imported (workers inherit it through the fork).

    With threads, glibc gives up to 8 arenas per core, each keeping what was freed in it for
    later: two arenas, and a fixed mmap threshold that serves every larger block (a CSV or
    workbook being built) from its own mapping, handed back to the OS when freed, instead of
    from an arena that keeps it (glibc's own threshold grows with the largest block freed).
    Measured on the EU demo with benchmarks/bench_memory.py's requests in a worker forked from
    a warmed master: 313 MB instead of 368 MB private memory after every page and endpoint ran,
    with a 128 KB threshold; that threshold cost latency (below), so it is 8 MB now."""
    # Arrow's own allocator (mimalloc) keeps what the warm-up freed in reserve, ~110 MB in the
    # master that every worker maps; through malloc it goes back to the OS (measured with
    # benchmarks/bench_memory.py). Read when pyarrow is first imported, so set here.
    os.environ.setdefault("ARROW_DEFAULT_MEMORY_POOL", "system")
    try:
        libc = ctypes.CDLL("libc.so.6")
    except OSError:  # not glibc (macOS, musl): its allocator behaves otherwise
        return
    m_trim_threshold, m_mmap_threshold, m_arena_max = -1, -3, -8  # malloc.h
    libc.mallopt(m_arena_max, 2)
    # 8 MB, not 128 KB: at 128 KB every numpy temporary over a few thousand rows was a fresh
    # mapping, zeroed page by page on each request (a draft-law what-if for all EU: 5.3 ms
    # against 2.4 ms at 8 MB, in-process with the same settings); blocks up to 8 MB now come
    # from the two arenas and are reused, larger ones (a download being built) still go back
    libc.mallopt(m_mmap_threshold, 8 * 1024 * 1024)
    libc.mallopt(m_trim_threshold, 8 * 1024 * 1024)


_tune_malloc()

# after the tuning: the app's imports already allocate under it
from dashboard import rehearsal, warmup  # noqa: E402
from dashboard.config import Settings  # noqa: E402
from dashboard.security import redact_atoms  # noqa: E402

_settings = Settings.from_env()

bind = f"[{_settings.host}]:{_settings.port}" if ":" in _settings.host else (
    f"{_settings.host}:{_settings.port}")
# One process per core serves the CPU-bound parts (numpy, plotly figures, JSON) in parallel;
# the threads overlap waiting (DuckDB, Arrow and numpy release the GIL; clients read slowly).
workers = _settings.workers
threads = _settings.threads
worker_class = "gthread"

# Measured (benchmarks/bench_memory.py, EU demo, every page and endpoint run in every worker):
# with preload and the warm-up in `when_ready` the workers share the imported code, reference
# tables, search indexes and the build's values with the master: ~310 MB private memory (USS)
# per worker instead of ~860, total PSS with 4 workers 1.9 GB instead of 3.5 GB, and a worker
# is ready 0.6 s after its fork instead of 3-13 s. The price: a changed .py file needs a
# restart (HUP re-reads the config and warms the new build, but does not re-import the app).
preload_app = True

# A request runs well under a second; 60 s leaves room for the first build of the open-data
# bundle on a busy machine before a worker counts as hung.
timeout = 60
# On a restart or TERM, requests in flight get this long to finish.
graceful_timeout = 30
# Behind a reverse proxy that keeps connections open (nginx keepalive) a few seconds is enough.
keepalive = 5

# gunicorn's control socket (`gunicornc`) is not used; it would be a file in the home folder,
# which a read-only deployment may not have and two instances on one machine would share.
control_socket_disable = True
# Which proxy to believe about the client's scheme and address is the app's decision
# (DS4E_TRUSTED_PROXIES, dashboard/security.py); gunicorn believing loopback on its own would
# let a local client claim HTTPS.
forwarded_allow_ips = ""

accesslog = "-"
# The request line without secrets: a survey or coordinator link's token is in its query string
# on the first request (dashboard/security.redact drops /survey queries and any token= value).
access_log_format = '%(h)s %(t)s "%(r)s" %(s)s %(b)s %(M)sms "%(f)s" "%(a)s"'


class RedactingLogger(Logger):
    def atoms(self, resp, req, environ, request_time):
        return redact_atoms(super().atoms(resp, req, environ, request_time))


logger_class = RedactingLogger


def _warm(server) -> None:
    app = server.app.wsgi()  # the Flask app, created by preload_app in this (the master) process
    seconds = warmup.run(app)
    log = logging.getLogger("gunicorn.error")
    log.info("caches warmed in %.1f s", seconds)
    if _settings.rehearse:
        done = rehearsal.rehearse(app)
        log.info("every page rehearsed in %.1f s (%d requests, %d failed)", done.seconds,
                 len(done.steps), len(done.failed))
    warmup.release(app)
    host = "localhost" if _settings.host in ("0.0.0.0", "::") else _settings.host
    log.info("DS4E toolkit ready: open http://%s:%s/", f"[{host}]" if ":" in host else host,
             _settings.port)


def when_ready(server) -> None:
    """In the master, before the first fork: fill the caches the workers will share."""
    if server.cfg.preload_app:
        _warm(server)


def on_reload(server) -> None:
    """HUP (e.g. after publishing a build): warm the master again, so the new workers share the
    new build's values (the old workers keep serving until they have finished)."""
    if server.cfg.preload_app:
        _warm(server)


def post_worker_init(worker) -> None:
    """With preload_app: one call of each API operation a client reads, in this worker before
    it accepts a request (~0.1 s at EU). The first request after the fork touches the master's
    objects and pays the copy-on-write of their pages: one municipality's readiness took 11 ms
    on a worker's first call against 3 ms after (NL), 30 against 9 in the EU benchmark. The
    pages' rehearsal stays in the master only (8 s at EU would break the 5 s worker-ready goal).
    Without preload_app each worker warms its own caches, in the background."""
    if not worker.cfg.preload_app:
        warmup.start_background(worker.wsgi)
    elif _settings.rehearse:
        done = rehearsal.rehearse(worker.wsgi, pages=[], api=True)
        logging.getLogger("gunicorn.error").info(
            "worker %s: API rehearsed in %.2f s (%d requests, %d failed)", worker.pid,
            done.seconds, len(done.steps), len(done.failed))
