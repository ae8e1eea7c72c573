"""The pandas baseline of issue 20 (benchmarks/baseline.py): on a Dutch demo build, every hot
path's pandas implementation gives the app's answer for several varied inputs, and the check
fails on an answer altered on purpose (so it cannot pass by accident)."""

from __future__ import annotations

import copy
import dataclasses

import numpy as np
import pandas as pd
import pytest

from benchmarks.baseline import HotPath, hot_paths

NAMES = ("radar with peer quartiles", "heatmap grid", "aggregates for a partition",
         "one municipality's record", "roadmap for all municipalities",
         "readiness for all x all laws")


@pytest.fixture(scope="module")
def paths(tmp_path_factory) -> dict[str, HotPath]:
    from pipelines.build import build
    from pipelines.demo_stage import stage_demo
    from pipelines.staging import DataPaths

    data = tmp_path_factory.mktemp("baseline")
    stage_demo(DataPaths(data).ensure(), scope="nl", waves=2, seed=7)
    build(data)
    found, load = hot_paths(data, seed=3)
    assert set(load) == {"ours load", "pandas load"}
    assert all(v >= 0 for v in load.values())
    return {p.name: p for p in found}


_ANSWERS: dict = {}


def answers(paths, name: str, i: int):
    """(ours, pandas) of input i, computed once per module (the engines take seconds)."""
    key = (name, i)
    if key not in _ANSWERS:
        p = paths[name]
        _ANSWERS[key] = (p.ours(i), p.pandas(i))
    return _ANSWERS[key]


def test_the_six_hot_paths_with_a_sensible_number_of_calls(paths):
    assert tuple(paths) == NAMES
    for p in paths.values():
        assert 1 <= p.calls <= 50


@pytest.mark.parametrize("name", NAMES[:4])
@pytest.mark.parametrize("i", range(6))
def test_pandas_answers_as_the_app_does(paths, name, i):
    ours, theirs = answers(paths, name, i)
    paths[name].same(ours, theirs)


@pytest.mark.parametrize("name,i", [(NAMES[4], 0), (NAMES[4], 1), (NAMES[5], 0),
                                    (NAMES[5], 1), (NAMES[5], 2), (NAMES[5], 3)])
def test_pandas_answers_as_the_engines_do(paths, name, i):
    ours, theirs = answers(paths, name, i)
    paths[name].same(ours, theirs)


def _altered(name: str, ours, theirs):
    """The app's answer with one real value changed."""
    if name == NAMES[0]:
        prof = ours["elements"]
        return {**ours, "elements": dataclasses.replace(prof, n=np.asarray(prof.n) + 1)}
    if name == NAMES[1]:
        z = ours["z"].copy()
        z[0, 0] = 4 if z[0, 0] != 4 else 3
        return {**ours, "z": z}
    if name == NAMES[2]:
        df = ours.copy()
        df.loc[0, "n"] += 1
        return df
    if name == NAMES[3]:
        out = copy.deepcopy(ours)
        out["levels"][0]["n_known"] += 1
        return out
    if name == NAMES[4]:
        # a municipality whose first step is a clear choice (no float near-tie)
        df = pd.DataFrame({"score": theirs["score"][0], "runner_up": theirs["runner_up"][0]})
        clear = np.flatnonzero((ours.sequence[:, 0] >= 0)
                               & ((df["score"] - df["runner_up"]).abs().to_numpy() > 1e-3))
        seq = np.array(ours.sequence, copy=True)
        row = clear[0]
        seq[row, 0] = (seq[row, 0] + 1) % len(ours.element_ids)
        return dataclasses.replace(ours, sequence=seq)
    status = np.array(ours.status, copy=True)
    status[0, 0] = (status[0, 0] + 1) % 5
    return dataclasses.replace(ours, status=status)


@pytest.mark.parametrize("name", NAMES)
def test_an_altered_answer_is_caught(paths, name):
    ours, theirs = answers(paths, name, 0)
    with pytest.raises(AssertionError):
        paths[name].same(_altered(name, ours, theirs), theirs)
