"""The benchmark's gunicorn hooks (benchmarks/bench_memory.HOOKS): each worker's time from just
before its fork to ready, on the monotonic clock, after the project's own hooks."""

from __future__ import annotations

import sys
import time
from pathlib import Path
from types import SimpleNamespace

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "benchmarks"))

import bench_memory


def test_boot_hooks_time_fork_to_ready_after_the_projects_hooks(tmp_path, monkeypatch):
    log = tmp_path / "boots.log"
    monkeypatch.setenv("BENCH_BOOT_LOG", str(log))
    calls = []
    config = {"pre_fork": lambda server, worker: calls.append("project pre_fork"),
              "post_worker_init": lambda worker: (calls.append("project init"),
                                                  time.sleep(0.05))}
    exec(bench_memory.HOOKS, config)  # appended to the project's config, as the bench does
    worker = SimpleNamespace(pid=4242)
    config["pre_fork"](SimpleNamespace(), worker)
    config["post_worker_init"](worker)
    assert calls == ["project pre_fork", "project init"]
    pid, seconds = log.read_text().split()
    assert pid == "4242"
    assert 0.05 <= float(seconds) < 0.5  # the project's init counted; no boot-time offset


def test_boot_hooks_work_without_project_hooks(tmp_path, monkeypatch):
    log = tmp_path / "boots.log"
    monkeypatch.setenv("BENCH_BOOT_LOG", str(log))
    config: dict = {}
    exec(bench_memory.HOOKS, config)
    worker = SimpleNamespace(pid=7)
    config["pre_fork"](SimpleNamespace(), worker)
    config["post_worker_init"](worker)
    assert log.read_text().startswith("7 0.0")
