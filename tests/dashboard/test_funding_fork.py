"""The funding what-if's thread pool survives gunicorn's fork (preload: the master's rehearsal
uses it first). Before the fix the worker's first what-if waited forever."""

from __future__ import annotations

import os

from dashboard.views.policy import data_funding


def test_a_forked_worker_gets_a_pool_that_runs_its_tasks():
    parent = data_funding.pool()
    assert parent.submit(lambda: 1).result(timeout=5) == 1  # the parent's pool has threads now
    pid = os.fork()
    if pid == 0:  # the worker
        try:
            ok = data_funding.pool().submit(lambda: 2).result(timeout=5) == 2
        except BaseException:
            ok = False
        os._exit(0 if ok else 1)
    _, status = os.waitpid(pid, 0)
    assert os.waitstatus_to_exitcode(status) == 0, "the forked process's task never ran"
    assert data_funding.pool() is parent  # the parent keeps its own
