"""The published build's arrays are memory-mapped read-only, so gunicorn workers share them
(issue 16), and serving still works on top of the mapping and across a fork.

- the level cube and the stored roadmaps are views of a file mapping (np.memmap / mmap), not
  private copies, and cannot be written to (a write raises instead of changing the build);
- new builds store each roadmap array 64-byte aligned, so the mapped arrays are aligned;
- requests (API and a page callback) answer from the mapped arrays;
- creating the app starts no thread and opens no DuckDB connection (gunicorn's preload_app
  creates it in the master; a thread or connection there would not survive the fork), and a
  forked process answers with its own connection.
"""

from __future__ import annotations

import mmap
import os
import threading

import numpy as np
import pytest

from dashboard import rehearsal, warmup
from dashboard.config import Settings
from pipelines.roadmap_build import read_npz_mapped, write_npz

ENSCHEDE = "NL_GM0153"


def mapped(arr: np.ndarray) -> bool:
    """The array's memory belongs to a file mapping (somewhere down its chain of bases)."""
    base = arr
    while base is not None:
        if isinstance(base, (np.memmap, mmap.mmap)):
            return True
        base = base.obj if isinstance(base, memoryview) else getattr(base, "base", None)
    return False


@pytest.fixture(scope="module")
def open_app(nl_data_dir):
    from app import create_app

    settings = Settings.from_env({"DS4E_DATA_DIR": str(nl_data_dir), "DS4E_VISIBILITY": "open",
                                  "DS4E_RATE_LIMITS": "0"})
    return create_app(settings)


def test_the_level_cube_is_mapped_read_only(nl_ctx):
    cube = nl_ctx.warehouse.snapshot().maturity
    assert mapped(cube.levels) and not cube.levels.flags.owndata
    assert not cube.levels.flags.writeable
    with pytest.raises(ValueError, match="read-only"):
        cube.levels[0, 0, 0] = 4
    # views handed to the engines are mapped too (no copy per wave)
    assert mapped(cube.wave_levels(0, cube.element_ids))


def test_the_stored_roadmaps_are_mapped_read_only(nl_ctx):
    pop = nl_ctx.warehouse.snapshot().roadmaps.population
    for name in ("sequence", "score", "readiness", "unlock", "urgency", "peer", "answered"):
        arr = getattr(pop, name)
        assert mapped(arr) and not arr.flags.writeable, name
        assert arr.flags.aligned, name  # written aligned by this build
    with pytest.raises(ValueError, match="read-only"):
        pop.score[0, 0] = 1.0


def test_mapped_npz_equals_what_numpy_reads_and_is_aligned(tmp_path):
    rng = np.random.default_rng(1)
    arrays = {"a": rng.random((101, 7), dtype=np.float32), "b": np.arange(13, dtype=np.int16),
              "f": np.asfortranarray(rng.random((5, 3))), "flags": rng.random(33) > 0.5,
              "names": np.array(["x", "yy"]), "when": np.array("2026-07-01"),
              "n": np.array(3, dtype=np.int16)}
    write_npz(tmp_path / "x.npz", arrays)
    got = read_npz_mapped(tmp_path / "x.npz")
    with np.load(tmp_path / "x.npz") as z:
        assert sorted(z.files) == sorted(got)
        for k in z.files:
            assert got[k].dtype == z[k].dtype and got[k].shape == z[k].shape, k
            assert np.array_equal(got[k], z[k]), k
    for k in ("a", "b", "f", "flags"):
        assert got[k].ctypes.data % 64 == 0 and not got[k].flags.writeable, k


def test_requests_answer_from_the_mapped_build(open_app, nl_data_dir):
    snap = open_app.server.config["DS4E_CONTEXT"].warehouse.snapshot()
    assert mapped(snap.maturity.levels) and mapped(snap.roadmaps.population.score)
    client = open_app.server.test_client()
    detail = client.get(f"/api/v1/municipalities/{ENSCHEDE}")
    assert detail.status_code == 200 and detail.json["levels"]
    roadmap = client.get(f"/api/v1/municipalities/{ENSCHEDE}/roadmap")
    assert roadmap.status_code == 200 and roadmap.json["phases"]
    assert client.get("/api/v1/insight/leverage").status_code == 200  # whole population
    deps = client.get("/_dash-dependencies").get_json()
    spec = next(d for d in deps if d["output"] == "page-content.children")
    values = {"url.pathname": "/roadmap", "url.search": f"?m={ENSCHEDE}", "lang.value": "en"}
    page = client.post("/_dash-update-component", json={
        "output": spec["output"], "outputs": {"id": "page-content", "property": "children"},
        "inputs": [{**i, "value": values[f"{i['id']}.{i['property']}"]} for i in spec["inputs"]],
        "state": [{**s, "value": values[f"{s['id']}.{s['property']}"]} for s in spec["state"]],
        "changedPropIds": ["url.pathname"]})
    assert page.status_code == 200 and ENSCHEDE in page.get_data(as_text=True)


def test_creating_the_app_starts_no_thread_and_opens_no_build(nl_data_dir):
    from app import create_app

    before = set(threading.enumerate())
    app = create_app(Settings.from_env({"DS4E_DATA_DIR": str(nl_data_dir)}))
    # flask-limiter's memory storage starts a one-shot 10 ms expiry timer, over long before a
    # fork (and restarted by the worker's first counted request); nothing else may start
    started = set(threading.enumerate()) - before
    assert all(isinstance(t, threading.Timer) for t in started), started
    ctx = app.server.config["DS4E_CONTEXT"]
    assert "warehouse" not in vars(ctx)  # cached_property: never touched
    assert app.server.extensions[warmup.KEY]  # the pages registered their warm-ups


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs fork")
def test_a_forked_worker_answers_after_the_master_warmed_up(nl_data_dir):
    """gunicorn's preload in small: warm up and release in this process, fork, and the child
    answers with its own DuckDB connection and the shared (mapped) arrays."""
    from app import create_app

    app = create_app(Settings.from_env({"DS4E_DATA_DIR": str(nl_data_dir),
                                        "DS4E_RATE_LIMITS": "0"}))
    warmup.run(app.server)
    assert rehearsal.rehearse(app.server, ["/overview", "/profile"]).failed == []
    warmup.release(app.server)
    snap = app.server.config["DS4E_CONTEXT"].warehouse.snapshot()
    assert snap._con is None  # released: no connection crosses the fork
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # the worker
        os.close(read)
        code = 1
        try:
            r = app.server.test_client().get(f"/api/v1/municipalities/{ENSCHEDE}")
            code = 0 if r.status_code == 200 and r.json["levels"] else 2
            page = rehearsal.rehearse(app.server, ["/roadmap?m=" + ENSCHEDE])
            code = code or (0 if page.steps and not page.failed else 3)
            os.write(write, str(r.status_code).encode())
        finally:
            os._exit(code)
    os.close(write)
    _, status = os.waitpid(pid, 0)
    answer = os.read(read, 100).decode()
    os.close(read)
    assert os.waitstatus_to_exitcode(status) == 0, answer


def _files(folder):
    return {p: (p.stat().st_size, p.stat().st_mtime_ns) for p in sorted(folder.rglob("*"))
            if p.is_file()}


def test_the_master_rehearses_every_page_without_failing_or_writing(nl_data_dir):
    """What gunicorn's master does before forking (gunicorn.conf.py): every page but the
    survey's opened and its callbacks run once; limits stay on for visitors; nothing written."""
    from app import create_app
    from dashboard.registry import PAGES

    app = create_app(Settings.from_env({"DS4E_DATA_DIR": str(nl_data_dir)}))  # limits on
    before = _files(nl_data_dir)
    done = rehearsal.rehearse(app.server)
    assert done.failed == []
    opened = {s.path for s in done.steps if s.method == "GET"}
    pages = {p.PATH for p in PAGES if not p.PATH.startswith("/survey")}
    assert pages <= opened and not any(p.startswith("/survey") for p in opened)
    callbacks = [s for s in done.steps if s.kind == "callback"]
    assert len(callbacks) > 3 * len(pages)  # the router and each page's own callbacks
    assert all(lim.enabled for lim in app.server.extensions["limiter"])
    assert _files(nl_data_dir) == before


def test_gunicorn_config_puts_arrow_on_malloc():
    """mimalloc, Arrow's default, kept ~110 MB the master's warm-up had freed (measured); the
    config switches it before the app (and so pyarrow) is imported."""
    import subprocess
    import sys

    from dashboard.config import ROOT

    code = ("import runpy; runpy.run_path('gunicorn.conf.py'); import pyarrow as pa; "
            "print(pa.default_memory_pool().backend_name)")
    env = {k: v for k, v in os.environ.items() if k != "ARROW_DEFAULT_MEMORY_POOL"}
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True,
                         text=True, check=True)
    assert out.stdout.strip() == "system", out.stderr
