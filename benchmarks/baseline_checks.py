"""Do the app's answer and the pandas baseline's agree? One check per hot path of
benchmarks/baseline.py; each raises an AssertionError that names what differs, and allows a
difference only where float rounding makes one (the engines compute in float32, pandas in
float64).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

TOL = 1e-5  # float32 against float64 on values in 0..4


def _close(what: str, ours, theirs, tol: float = TOL) -> None:
    a = np.asarray(ours, dtype=float)
    b = np.asarray(theirs, dtype=float)
    if a.shape != b.shape:
        raise AssertionError(f"{what}: shape {a.shape} != {b.shape}")
    if not np.array_equal(np.isnan(a), np.isnan(b)):
        at = np.flatnonzero(np.isnan(a).ravel() != np.isnan(b).ravel())[:5]
        raise AssertionError(f"{what}: missing values differ at {at.tolist()}")
    bad = np.flatnonzero((np.abs(a - b) > tol * np.maximum(1.0, np.abs(b))).ravel())
    if len(bad):
        i = bad[0]
        raise AssertionError(f"{what}: {len(bad)} values differ, first at {i}: "
                             f"{a.ravel()[i]} != {b.ravel()[i]}")


def _equal(what: str, ours, theirs) -> None:
    a, b = np.asarray(ours), np.asarray(theirs)
    if a.shape != b.shape or not np.array_equal(a, b):
        diff = "shape" if a.shape != b.shape else \
            f"{int((a != b).sum())} differ, first at {np.flatnonzero((a != b).ravel())[:3]}"
        raise AssertionError(f"{what}: {diff}")


# ------------------------------------------------------------------ radar


def same_radar(ours: dict, theirs: dict) -> None:
    """Element and block profiles: own values, quartiles, counts, percentiles, suppression."""
    for view in ("elements", "blocks"):
        prof, df = ours[view], theirs[view]
        if list(prof.labels) != list(df.index):
            raise AssertionError(f"radar {view}: labels differ")
        for field in ("own", "q1", "median", "q3", "percentile"):
            _close(f"radar {view} {field}", getattr(prof, field), df[field].to_numpy(float))
        _equal(f"radar {view} n", np.asarray(prof.n, dtype=int), df["n"].to_numpy(int))
        _equal(f"radar {view} suppressed", np.asarray(prof.suppressed, dtype=bool),
               df["suppressed"].to_numpy(bool))


# ------------------------------------------------------------------ heatmap


def same_heatmap(ours: dict, theirs: dict) -> None:
    """Column order (municipalities), row order (elements), every cell, overall maturity."""
    if list(ours["columns"]) != list(theirs["columns"]):
        raise AssertionError(f"heatmap columns differ: {ours['columns'][:5]} ... != "
                             f"{theirs['columns'][:5]} ...")
    if list(ours["rows"]) != list(theirs["rows"]):
        raise AssertionError("heatmap rows (element order) differ")
    _equal("heatmap levels", ours["z"], theirs["z"])
    _close("heatmap overall", ours["overall"], theirs["overall"])


# ------------------------------------------------------------------ aggregates


def same_aggregates(ours: pd.DataFrame, theirs: pd.DataFrame) -> None:
    """The same areas and measures in the same order, counts, suppression and statistics."""
    for key in ("area_type", "area_id", "country", "wave", "measure"):
        a, b = ours[key].astype(str).tolist(), theirs[key].astype(str).tolist()
        if a != b:
            raise AssertionError(f"aggregates {key}: {len(a)} rows != {len(b)} rows, or order "
                                 f"differs")
    _equal("aggregates n", ours["n"].to_numpy(int), theirs["n"].to_numpy(int))
    _equal("aggregates suppressed", ours["suppressed"].to_numpy(bool),
           theirs["suppressed"].to_numpy(bool))
    for field in ("median", "q1", "q3", "mean", "share_ge3"):
        _close(f"aggregates {field}", ours[field].to_numpy(float, na_value=np.nan),
               theirs[field].to_numpy(float, na_value=np.nan), tol=1e-9)


# ------------------------------------------------------------------ one municipality


def same_detail(ours: dict, theirs: dict) -> None:
    """The whole record; scores to their 4 published decimals (the cube's are float32)."""
    o = {k: v for k, v in ours.items() if k != "scores"}
    t = {k: v for k, v in theirs.items() if k != "scores"}
    if o != t:
        keys = [k for k in sorted(set(o) | set(t)) if o.get(k) != t.get(k)]
        raise AssertionError(f"municipality record differs in {keys}")
    a, b = ours["scores"], theirs["scores"]
    pairs = [("overall", a["overall"], b["overall"])]
    if list(a["blocks"]) != list(b["blocks"]):
        raise AssertionError("municipality record: block scores differ in blocks")
    pairs += [(f"block {k}", a["blocks"][k], b["blocks"][k]) for k in a["blocks"]]
    for what, x, y in pairs:
        if (x is None) != (y is None) or (x is not None and abs(x - y) > 1.5e-4):
            raise AssertionError(f"municipality record: {what} score {x} != {y}")


# ------------------------------------------------------------------ roadmap


def same_roadmap(ours, theirs: dict[str, pd.DataFrame], ids: pd.Index) -> None:
    """Every municipality's sequence of steps, and each step's score and components. Where
    pandas' best and second-best scores at a step lie within float32 rounding of each other,
    the engine may have taken the other one, and that municipality's later steps follow from
    it: such a municipality is compared up to that step."""
    _equal("roadmap answered", ours.answered,
           theirs["answered"]["answered"].reindex(ids).to_numpy(bool))
    names = np.asarray(ours.element_ids, dtype=object)
    seq = ours.sequence
    engine = np.where(seq >= 0, names[np.maximum(seq, 0)], None)
    steps = engine.shape[1]
    pandas_seq = theirs["first"].reindex(ids).reindex(columns=range(steps)).to_numpy(object)
    pandas_seq = np.where(pd.isna(pandas_seq), None, pandas_seq)
    frame = {k: theirs[k].reindex(ids).reindex(columns=range(steps)).to_numpy(float)
             for k in ("score", "readiness", "unlock", "urgency", "peer", "runner_up")}
    near_tie = np.abs(frame["score"] - frame["runner_up"]) <= TOL
    differ = engine != pandas_seq
    # up to and including the first step where a near-tie could have gone either way
    tied_before = np.cumsum(near_tie, axis=1) > 0
    unexplained = differ & ~tied_before
    if unexplained.any():
        row, step = (int(x[0]) for x in np.nonzero(unexplained))
        raise AssertionError(f"roadmap differs for {int(unexplained.any(axis=1).sum())} "
                             f"municipalities, e.g. {ids[row]} step {step + 1}: "
                             f"{engine[row, step]} != {pandas_seq[row, step]}")
    same_so_far = np.cumsum(differ, axis=1) == 0
    compared = same_so_far & (seq >= 0)
    for field in ("score", "readiness", "unlock", "urgency", "peer"):
        _close(f"roadmap {field}", getattr(ours, field)[compared], frame[field][compared])


# ------------------------------------------------------------------ readiness


def same_readiness(ours, theirs: pd.DataFrame, ids: pd.Index) -> None:
    """Status, counted elements, gaps, unknowns and the gap sum of every municipality x law."""
    laws = list(ours.law_ids)
    for field in ("status", "n_required", "n_gap", "n_unknown", "gap_total"):
        wide = theirs.pivot(index="municipality_id", columns="law", values=field).reindex(
            index=ids, columns=laws)
        if wide.isna().any().any():
            raise AssertionError(f"readiness {field}: municipalities or laws missing")
        _equal(f"readiness {field}", np.asarray(getattr(ours, field), dtype=int),
               wide.to_numpy(int))
