"""Crash safety: a build killed at any moment leaves the published build as it was, and the
next build succeeds; a half-written stage is never read.

`warehouse/CURRENT` names the published build; the build folder's manifest.json lists the
SHA-256 of every file in it, so "intact" is checked byte for byte.
"""

from __future__ import annotations

import json
import os
import random
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest

from dashboard.config import ROOT
from pipelines import build as build_mod
from pipelines.build import BuildError, build, current_build_id
from pipelines.staging import DataPaths, sha256_file, stage, staged_inputs

T1 = pd.Timestamp("2025-04-01 10:00", tz="UTC")
MUNICIPALITIES = ["NL_GM0363", "NL_GM0599", "NL_GM0518", "NL_GM0344", "NL_GM0772", "NL_GM0014"]
KILLS = 10
SEED = 20261206


def answers(fw, level: int, municipalities=MUNICIPALITIES) -> pd.DataFrame:
    return pd.DataFrame([
        {"municipality_id": m, "wave": "2025", "element_id": e, "level": level,
         "respondent_id": f"{m}-r1", "respondent_role": "CIO", "submitted_at": T1,
         "confidence": "high", "evidence": None, "publish_consent": True}
        for m in municipalities for e in fw.element_ids])


def stage_as(df: pd.DataFrame, paths: DataPaths, char: str):
    return stage(df, sha=char * 64, name=f"input-{char}.csv", kind="real", fmt="csv",
                 paths=paths)


def intact(paths: DataPaths) -> str:
    """The published build id, after checking its folder against its manifest."""
    build_id = current_build_id(paths)
    assert build_id, "nothing is published"
    folder = paths.builds / build_id
    assert folder.is_dir(), f"CURRENT names {build_id}, which is missing"
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["build_id"] == build_id
    files = {p.name for p in folder.iterdir() if p.is_file() and p.name != "manifest.json"}
    assert files == set(manifest["files"])
    for name, sha in manifest["files"].items():
        assert sha256_file(folder / name) == sha, f"{build_id}/{name} changed"
    return build_id


def folder_bytes(paths: DataPaths, build_id: str) -> dict[str, str]:
    folder = paths.builds / build_id
    return {p.name: sha256_file(p) for p in sorted(folder.iterdir())}


@pytest.fixture(scope="module")
def template(tmp_path_factory, fw) -> Path:
    paths = DataPaths(tmp_path_factory.mktemp("crash") / "data").ensure()
    stage_as(answers(fw, 2), paths, "a")
    build(paths.root, framework=fw)
    intact(paths)
    return paths.root


@pytest.fixture()
def published(template, tmp_path) -> DataPaths:
    """A data folder with one input staged and its build published (a copy per test)."""
    shutil.copytree(template, tmp_path / "data")
    return DataPaths(tmp_path / "data")


# --------------------------------------------------------------------------------------------
# a build killed at random moments (SIGKILL: no cleanup runs)
# --------------------------------------------------------------------------------------------


def cli_build(paths: DataPaths, *extra: str) -> subprocess.Popen:
    env = {"PATH": "/usr/bin:/bin", "PYTHONPATH": str(ROOT)}
    return subprocess.Popen([sys.executable, "-m", "pipelines", "--data-dir", str(paths.root),
                             "build", *extra], cwd=ROOT, env=env, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)


def toggle(paths: DataPaths, aside: Path, key: str) -> None:
    """Stage or unstage input `key` by moving its marker, so the next build has a new id."""
    marker = paths.staging / f"{key}.json"
    if marker.exists():
        marker.replace(aside / marker.name)
    else:
        (aside / marker.name).replace(marker)


def test_build_killed_at_random_moments(published, tmp_path, fw):
    paths = published
    stage_as(answers(fw, 3, MUNICIPALITIES[:4]), paths, "b")
    aside = tmp_path / "aside"
    aside.mkdir()
    key_b = "b" * 16
    # full builds by the command line, timed: the kills are spread over the faster one (the
    # first pays for cold caches)
    durations = []
    for extra in ((), ("--force",)):
        started = time.perf_counter()
        assert cli_build(paths, *extra).wait(timeout=300) == 0
        durations.append(time.perf_counter() - started)
        intact(paths)
    duration = min(durations)
    rng = random.Random(SEED)
    outcomes = []
    for i in range(KILLS):
        force = i % 3 == 2  # a forced rebuild of the published id: its folder is replaced
        if not force:
            toggle(paths, aside, key_b)
        before = intact(paths)
        before_bytes = folder_bytes(paths, before)
        # stratified over the build's duration, from a quarter in (before that the process
        # is still starting Python) to just past its end
        delay = duration * (0.25 + 0.8 * (i + rng.random()) / KILLS)
        proc = cli_build(paths, *(["--force"] if force else []))
        time.sleep(delay)
        proc.send_signal(signal.SIGKILL)
        rc = proc.wait(timeout=60)
        after = intact(paths)  # whatever is published is whole
        if after == before and not force:
            assert folder_bytes(paths, before) == before_bytes
        mid_build = any(p.name.startswith((".tmp-", ".old-")) for p in paths.builds.iterdir())
        outcomes.append("finished" if rc != -signal.SIGKILL
                        else "killed mid-build" if mid_build else "killed")
        result = build(paths.root, framework=fw)  # the next build succeeds
        assert intact(paths) == result.build_id
    print(f"build ~{duration:.1f} s; kills: {outcomes}")  # shown with pytest -s
    killed = [o for o in outcomes if o.startswith("killed")]
    assert len(killed) >= KILLS // 2 and "killed mid-build" in outcomes, outcomes
    assert not [p for p in paths.builds.iterdir() if p.name.startswith((".tmp-", ".old-"))]


# --------------------------------------------------------------------------------------------
# failures injected at each step of the publish
# --------------------------------------------------------------------------------------------


class Crash(BaseException):
    """Stands in for the process dying (BaseException: no `except Exception` catches it)."""


def test_interrupted_forced_rebuild_keeps_the_published_build(published, fw, monkeypatch):
    paths = published
    before = intact(paths)
    before_bytes = folder_bytes(paths, before)
    real_replace = os.replace

    def crash_on_publish(src, dst, *a, **kw):
        if Path(src).name.startswith(".tmp-"):
            raise Crash()
        return real_replace(src, dst, *a, **kw)

    monkeypatch.setattr(build_mod.os, "replace", crash_on_publish)
    with pytest.raises(Crash):
        build(paths.root, framework=fw, force=True)
    monkeypatch.undo()
    assert intact(paths) == before
    assert folder_bytes(paths, before) == before_bytes
    build(paths.root, framework=fw, force=True)
    assert intact(paths) == before


def test_a_build_killed_mid_swap_is_repaired_by_the_next_build(published, fw):
    """SIGKILL between moving the old folder aside and the new one in: the next build (or any
    reader that goes through `current_build_id`) puts the old folder back first."""
    paths = published
    before = intact(paths)
    (paths.builds / before).replace(paths.builds / f".old-{before}-999999999")
    (paths.builds / f".tmp-{before}-999999998").mkdir()  # a killed build's leftovers
    build(paths.root, framework=fw)
    assert intact(paths) == before
    assert not [p for p in paths.builds.iterdir() if p.name.startswith((".tmp-", ".old-"))]


# --------------------------------------------------------------------------------------------
# staging: what a reader may see of an interrupted stage
# --------------------------------------------------------------------------------------------


def test_interrupted_stage_is_ignored(published, fw):
    paths = published
    staged = staged_inputs(paths)
    good = staged[0].parquet.read_bytes()
    (paths.staging / ".stage-k3j2x.parquet").write_bytes(good[:100])  # writing was cut off
    (paths.staging / f"{'c' * 16}.parquet").write_bytes(good)  # written, marker not yet
    (paths.staging / f".{'d' * 16}.json.x8s7").write_text("{\"sha256\": ")  # marker temp file
    assert staged_inputs(paths) == staged
    result = build(paths.root, framework=fw)
    assert not result.published  # nothing new is staged


def test_damaged_staged_parquet_fails_the_build_not_the_published_data(published, fw):
    """A parquet cut short after its marker was written (a disk fault; stage() itself writes
    the parquet first): the build stops with a BuildError naming it, the published build stays."""
    paths = published
    before = intact(paths)
    new = stage_as(answers(fw, 1, MUNICIPALITIES[:2]), paths, "e")
    new.parquet.write_bytes(new.parquet.read_bytes()[:200])
    with pytest.raises(BuildError, match=new.parquet.name):
        build(paths.root, framework=fw)
    assert intact(paths) == before
    new.parquet.unlink()
    with pytest.raises(BuildError, match="missing"):
        build(paths.root, framework=fw)
    assert intact(paths) == before


def test_atomic_writes_are_readable_like_any_other_file(tmp_path):
    """mkstemp makes 0600 files: a published manifest, CURRENT or an export written that way
    could not be read by a server running as another user (seen: manifest.json 0600)."""
    import os
    import stat

    from pipelines.staging import UMASK, atomic_write_bytes

    target = tmp_path / "manifest.json"
    atomic_write_bytes(target, b"{}")
    assert stat.S_IMODE(os.stat(target).st_mode) == 0o666 & ~UMASK
    assert stat.S_IMODE(os.stat(target).st_mode) & stat.S_IRGRP or UMASK & 0o040
