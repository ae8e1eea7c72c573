"""Integrity at load: the server opens a build only when its files match the SHA-256 checksums of
its manifest. A flipped byte or a missing file makes /api/v1/health say which file, the pages
say why the newest figures are not shown, and the previous good build stays served; with no
good build, no survey figures are shown at all (never wrong numbers).

Every test works on its own copy of the Dutch demo build, published twice: the original
(`old`) and a byte-identical copy under another id and a later time (`new`, the published one).
"""

from __future__ import annotations

import datetime as dt
import json
import shutil
from functools import cached_property
from pathlib import Path

import pytest

from dashboard import api_models, shell
from dashboard.config import Settings
from dashboard.context import AppContext
from pipelines.build import current_build_id
from pipelines.integrity import PROBLEMS, verify_build
from pipelines.staging import DataPaths, atomic_write_bytes


def publish_copy(data: Path) -> tuple[str, str]:
    """Publish a copy of the current build under a new id, built an hour later: (old, new)."""
    paths = DataPaths(data)
    old = current_build_id(paths)
    new = "feed" + old[4:]
    shutil.copytree(paths.builds / old, paths.builds / new)
    manifest = json.loads((paths.builds / new / "manifest.json").read_text(encoding="utf-8"))
    built = dt.datetime.fromisoformat(manifest["built_at"]) + dt.timedelta(hours=1)
    manifest.update(build_id=new, built_at=built.isoformat(timespec="seconds"))
    atomic_write_bytes(paths.builds / new / "manifest.json", json.dumps(manifest).encode())
    atomic_write_bytes(paths.current, f"{new}\n".encode())
    return old, new


class Site:
    """A data folder with two builds; the app and a context are made on first use, so a test
    damages the build before any server process opens it (as it happens in production)."""

    def __init__(self, data: Path, api_client):
        self.data, self._api_client = data, api_client
        self.old, self.new = publish_copy(data)
        self.builds = DataPaths(data).builds
        self.settings = Settings.from_env({"DS4E_DATA_DIR": str(data), "DS4E_VISIBILITY": "open"})

    @cached_property
    def ctx(self) -> AppContext:
        return AppContext.load(self.settings)

    @cached_property
    def client(self):
        return self._api_client(self.data, DS4E_VISIBILITY="open")


@pytest.fixture()
def site(nl_data_dir, tmp_path, api_client):
    data = tmp_path / "data"
    shutil.copytree(nl_data_dir, data)
    return Site(data, api_client)


def health(client) -> dict:
    r = client.get("/api/v1/health")
    assert r.status_code == 200
    api_models.Health.model_validate_json(r.data)  # the answer is exactly its documented model
    return r.get_json()


def flip_a_byte(path: Path) -> None:
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0xFF
    path.write_bytes(bytes(data))


def banner_text(ctx, tree, lang="en") -> str:
    return tree.text(shell.demo_banner(ctx, lang))


def test_a_good_build_passes(site, tree):
    body = health(site.client)
    assert body["status"] == "ok"
    checked = body["data"]["integrity"]
    files = [p for p in (site.builds / site.new).iterdir() if p.name != "manifest.json"]
    assert checked["ok"] is True and checked["problems"] == []
    assert checked["build_id"] == body["data"]["build_id"] == site.new
    assert checked["files"] == len(files) >= 10
    assert checked["seconds"] < 5
    assert "integrity" not in banner_text(site.ctx, tree).lower()


@pytest.mark.parametrize("name", ["levels.parquet", "levels_cube.npy"])
def test_a_flipped_byte_is_reported_and_the_previous_build_stays_served(site, tree, name):
    flip_a_byte(site.builds / site.new / name)

    body = health(site.client)
    assert body["status"] == "degraded"
    data = body["data"]
    assert data["published"] is True and data["build_id"] == site.old  # the good one
    checked = data["integrity"]
    assert checked["ok"] is False and checked["build_id"] == site.new
    assert [(p["file"], p["problem"]) for p in checked["problems"]] == [(name, "checksum mismatch")]
    assert "manifest.json says" in checked["problems"][0]["detail"]

    # the numbers come from the previous build, and the API serves them
    assert site.ctx.warehouse.snapshot().build_id == site.old
    r = site.client.get("/api/v1/aggregates?level=country&measure=ALL")
    assert r.status_code == 200 and r.get_json()["items"]
    # every page carries the message, naming the file and the build served instead
    for lang, words in (("en", "previous publication"), ("nl", "vorige publicatie")):
        text = banner_text(site.ctx, tree, lang)
        assert words in text and name in text and site.old in text and site.new in text


def test_a_missing_file_without_a_good_build_shows_no_figures(site, tree):
    (site.builds / site.new / "scores.parquet").unlink()
    shutil.rmtree(site.builds / site.old)  # nothing to fall back on

    body = health(site.client)
    assert body["status"] == "error"
    data = body["data"]
    assert data["published"] is False and "build_id" not in data
    assert [(p["file"], p["problem"]) for p in data["integrity"]["problems"]] == [
        ("scores.parquet", "missing")]
    assert site.ctx.warehouse.snapshot() is None
    # pages: the message, and the empty state instead of figures
    assert "no survey figures are shown" in banner_text(site.ctx, tree)
    assert "worden geen enquêteresultaten getoond" in banner_text(site.ctx, tree, "nl")
    overview = tree.text(shell.route(site.ctx, "/", "en"))
    assert "No survey data published yet" in overview
    assert site.client.get("/api/v1/aggregates?level=country").status_code == 503


def test_a_damaged_manifest_is_reported(site):
    (site.builds / site.new / "manifest.json").write_text("{not json", encoding="utf-8")
    body = health(site.client)
    assert body["status"] == "degraded" and body["data"]["build_id"] == site.old
    (problem,) = body["data"]["integrity"]["problems"]
    assert (problem["file"], problem["problem"]) == ("manifest.json", "unreadable")


def test_a_fresh_worker_falls_back_to_the_same_build(site):
    """A worker started after the damage has no previous snapshot in memory: it picks the
    newest build that passes, as the workers that were already running do."""
    flip_a_byte(site.builds / site.new / "levels.parquet")
    third = site.builds / "0ld0000000000000"  # an older good build: not the one to pick
    shutil.copytree(site.builds / site.old, third)
    manifest = json.loads((third / "manifest.json").read_text(encoding="utf-8"))
    manifest.update(build_id=third.name, built_at="2000-01-01T00:00:00+00:00")
    (third / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    fresh = AppContext.load(site.ctx.settings)
    assert fresh.warehouse.snapshot().build_id == site.old
    assert fresh.warehouse.integrity.build_id == site.new


def test_a_repaired_build_is_picked_up_without_a_restart(site):
    target = site.builds / site.new / "coverage.parquet"
    good = target.read_bytes()
    flip_a_byte(target)
    assert site.ctx.warehouse.snapshot().build_id == site.old
    target.write_bytes(good)
    # not hashed again on every request...
    assert site.ctx.warehouse.snapshot().build_id == site.old
    # ...but after the recheck interval
    site.ctx.warehouse.recheck_seconds = 0
    assert site.ctx.warehouse.snapshot().build_id == site.new
    assert site.ctx.warehouse.integrity.ok


def test_the_check_is_not_repeated_per_request(site, monkeypatch):
    import dashboard.store as store

    calls = []
    real = store.verify_build
    monkeypatch.setattr(store, "verify_build", lambda *a: calls.append(a) or real(*a))
    for _ in range(5):
        site.ctx.warehouse.snapshot()
    assert len(calls) == 1  # once when the build is opened


def test_verify_build_names_every_problem(site):
    folder = site.builds / site.new
    flip_a_byte(folder / "aggregates.parquet")
    (folder / "coverage.parquet").unlink()
    verdict = verify_build(folder)
    assert not verdict.ok and verdict.files >= 10
    assert {(p.file, p.problem) for p in verdict.problems} == {
        ("aggregates.parquet", "checksum mismatch"), ("coverage.parquet", "missing")}
    assert verdict.summary() == ("aggregates.parquet: checksum mismatch; "
                                 "coverage.parquet: missing")
    assert verify_build(site.builds / site.old).ok
    gone = verify_build(site.builds / "nope")
    assert [(p.file, p.problem) for p in gone.problems] == [("manifest.json", "missing")]
    assert "does not exist" in gone.problems[0].detail


def test_the_documented_problems_are_the_codes():
    """The OpenAPI enumeration of `problem` is the checker's own list."""
    from typing import get_args

    assert get_args(api_models.IntegrityProblem.model_fields["problem"].annotation) == PROBLEMS
