"""Respondent agreement: the elements where a municipality's respondents differ by two or more
levels (queries/profile_levels.sql), read once per build and wave (pure: no Dash)."""

from __future__ import annotations

import threading

import numpy as np
import pandas as pd

from dashboard.context import AppContext
from dashboard.store import Snapshot
from dashboard.views.profile.data import Selection

_LOCK = threading.Lock()
_DISAGREE: dict[tuple[str, str], tuple[pd.DataFrame, np.ndarray]] = {}


def disagreements(snap: Snapshot, wave: str) -> tuple[pd.DataFrame, np.ndarray]:
    """All disagreements of a wave (queries/profile_levels.sql), sorted by municipality, with
    their ids as a sorted str array to binary-search, read once per build and wave (about
    60 ms at EU scale, then O(log n)). Text columns are Arrow strings and the ids fixed-width:
    no Python object per row, so gunicorn's workers share the master's copy (warmup.py)."""
    key = (snap.build_id, wave)
    hit = _DISAGREE.get(key)
    if hit is None:
        df = snap.query("profile_levels", wave=wave)
        ids = np.char.encode(df["municipality_id"].to_numpy(dtype=str), "utf-8")
        order = np.argsort(ids, kind="stable")
        df = df.iloc[order].reset_index(drop=True).astype(
            {"municipality_id": "string[pyarrow]", "element_id": "string[pyarrow]"})
        hit = (df, ids[order])
        with _LOCK:
            if any(k[0] != snap.build_id for k in _DISAGREE):
                _DISAGREE.clear()
            _DISAGREE[key] = hit
    return hit


def agreement_rows(ctx: AppContext, sel: Selection) -> pd.DataFrame:
    """Elements where this municipality's respondents differ by 2+ levels, framework order."""
    df, ids = disagreements(sel.snap, sel.wave)
    mid = str(sel.cube.municipality_ids[sel.target]).encode("utf-8")
    rows = df.iloc[np.searchsorted(ids, mid, "left"):np.searchsorted(ids, mid, "right")]
    order = {e: i for i, e in enumerate(sel.cube.element_ids)}
    return rows.iloc[np.argsort(rows["element_id"].map(order).to_numpy(), kind="stable")]
