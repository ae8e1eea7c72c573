"""Fixtures shared by all test folders."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from dashboard.config import ROOT, Settings
from dashboard.context import AppContext
from pipelines.framework import load_framework

FRAMEWORK_DIR = ROOT / "data" / "framework"


@pytest.fixture(scope="session")
def fw():
    return load_framework(FRAMEWORK_DIR)


@pytest.fixture(scope="session")
def ctx(tmp_path_factory):
    settings = Settings.from_env({"DS4E_DATA_DIR": str(tmp_path_factory.mktemp("data"))})
    return AppContext.load(settings)


@pytest.fixture()
def framework_copy(tmp_path) -> Path:
    """A private copy of the real framework, laid out as data/framework, to break on purpose."""
    dest = tmp_path / "data" / "framework"
    shutil.copytree(FRAMEWORK_DIR, dest)
    return dest
