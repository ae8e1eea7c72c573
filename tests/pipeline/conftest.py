"""Shared fixtures of the pipeline tests: the framework and the municipality index are loaded
once per session, not once per module."""

from __future__ import annotations

import pytest

from pipelines.framework import load_framework
from pipelines.reference import build_index


@pytest.fixture(scope="session")
def framework():
    return load_framework()


@pytest.fixture(scope="session")
def index():
    return build_index()
