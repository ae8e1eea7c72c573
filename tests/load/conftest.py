"""Fixtures of the load and deployment tests: built data folders and gunicorn on loopback.

The servers are real gunicorn masters on free 127.0.0.1 ports (benchmarks/load.py starts them,
the same way the load test does), so these tests see what a deployment sees: several processes,
each opening the published build on its own.
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import pytest

BENCHMARKS = Path(__file__).resolve().parents[2] / "benchmarks"
sys.path.insert(0, str(BENCHMARKS))


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/load/" in str(item.fspath).replace("\\", "/"):
            item.add_marker(pytest.mark.load)


def built(data: Path, seed: int) -> str:
    """Stage Dutch demo answers (342 municipalities, waves 2025 and 2026) and build; the id."""
    from pipelines.build import build
    from pipelines.demo_stage import stage_demo
    from pipelines.staging import DataPaths

    stage_demo(DataPaths(data).ensure(), scope="nl", waves=2, seed=seed)
    return build(data).build_id


@pytest.fixture(scope="session")
def nl_data_dir(tmp_path_factory):
    """A published build of Dutch demo data (the same as tests/dashboard's fixture)."""
    data = tmp_path_factory.mktemp("warehouse")
    built(data, seed=7)
    return data


@pytest.fixture(scope="module")
def two_builds(tmp_path_factory):
    """A data folder holding two complete builds of different answers, the first published:
    (data folder, first build id, second build id). The second is built from another seed in a
    folder of its own and copied in, as a build made elsewhere and shipped would be."""
    data = tmp_path_factory.mktemp("shared")
    first = built(data, seed=7)
    elsewhere = tmp_path_factory.mktemp("elsewhere")
    second = built(elsewhere, seed=8)
    assert first != second
    shutil.copytree(elsewhere / "warehouse" / "builds" / second, data / "warehouse" / "builds" / second)
    return data, first, second
