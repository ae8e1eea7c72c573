"""dashboard/detail_index.py: one municipality's agreement and coverage from per-build arrays,
the same answer as the two queries per request it replaced."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dashboard.api_insight import _int, _none, _round, municipality_detail
from dashboard.detail_index import NO_ROW, Agreement, detail_index, positions, shared_array
from dashboard.views.profile.data import own_scores
from pipelines.maturity.cube import MISSING

# the two per-request queries of before, for every municipality at once (one query per
# municipality and wave made the test take minutes on a busy machine)
COVERAGE_SQL = """
SELECT municipality_id, wave, n_respondents, roles, n_answered, n_known, n_disagree,
       last_submitted
FROM coverage ORDER BY municipality_id, wave"""
LEVELS_SQL = """
SELECT municipality_id, wave, element_id, level, n_respondents, n_known, spread, disagree
FROM levels"""


def _sql(snap, text) -> pd.DataFrame:
    cur = snap._connection().cursor()
    try:
        return cur.sql(text).df()
    finally:
        cur.close()


class Tables:
    def __init__(self, snap):
        self.coverage = _sql(snap, COVERAGE_SQL)
        self.levels = _sql(snap, LEVELS_SQL)
        self.cov_of = self.coverage.groupby("municipality_id").indices
        self.levels_of = self.levels.groupby(["municipality_id", "wave"]).indices


def detail_by_queries(snap, mid: str, m: int, wave: str | None, t: Tables) -> dict:
    """The detail as it was made before the index (two DuckDB queries per request, here their
    rows taken from the whole tables)."""
    cube = snap.maturity
    cov = t.coverage.iloc[t.cov_of.get(mid, [])].drop(columns="municipality_id")
    answered = [w for w in cov["wave"].tolist() if w in cube.waves]
    if wave is None:
        wave = answered[-1] if answered else cube.waves[-1]
    w = cube.wave_index(wave)
    lv = cube.levels[w, m]
    agree = {r["element_id"]: r for r in
             t.levels.iloc[t.levels_of.get((mid, wave), [])].to_dict("records")}
    levels = []
    for e, (eid, block) in enumerate(zip(cube.element_ids, cube.element_blocks, strict=True)):
        r = agree.get(eid)
        known = lv[e] != MISSING
        levels.append({
            "element_id": eid, "block": block, "wave": wave,
            "level": int(lv[e]) if known else None,
            "status": "known" if known else ("dont_know" if r is not None else "missing"),
            "n_respondents": int(r["n_respondents"]) if r else 0,
            "n_known": int(r["n_known"]) if r else 0,
            "spread": _int(r["spread"]) if r else None,
            "disagree": bool(r["disagree"]) if r else None,
        })
    overall, block_scores = own_scores(snap, m, w)
    this = cov[cov["wave"] == wave]
    coverage = None
    if len(this):
        c = this.iloc[0]
        last = _none(c["last_submitted"])
        coverage = {"n_respondents": int(c["n_respondents"]), "roles": _none(c["roles"]),
                    "n_answered": int(c["n_answered"]), "n_known": int(c["n_known"]),
                    "n_disagree": int(c["n_disagree"]),
                    "last_submitted": None if last is None else pd.Timestamp(last).isoformat()}
    out = {"wave": wave, "waves_answered": answered, "has_answers": wave in answered,
           "coverage": coverage, "levels": levels,
           "scores": {"overall": _round(overall),
                      "blocks": {b: _round(s) for b, s in zip(cube.blocks, block_scores,
                                                              strict=True)}}}
    if wave not in answered:
        out["message"] = f"no answers from this municipality in wave {wave}"
    return out


def test_municipalities_and_waves_answer_as_the_queries_did(nl_open_ctx):
    snap = nl_open_ctx.warehouse.snapshot()
    cube = snap.maturity
    tables = Tables(snap)
    checked = dont_know = with_coverage = 0
    # the cube holds every EU municipality; the fixture's answers are Dutch: those, and a
    # sample of the rest (no coverage, no levels)
    ids = cube.municipality_ids.tolist()
    rows = sorted({*(i for i, x in enumerate(ids) if x in tables.cov_of), *range(0, len(ids), 5000)})
    for m, mid in ((m, ids[m]) for m in rows):
        for wave in (None, *cube.waves):
            new = municipality_detail(snap, mid, m, wave)
            assert new == detail_by_queries(snap, mid, m, wave, tables), (mid, wave)
            checked += 1
            dont_know += sum(lv["status"] == "dont_know" for lv in new["levels"])
            with_coverage += new["coverage"] is not None
    # the fixture has every case the arrays encode
    assert checked == len(rows) * (len(cube.waves) + 1)
    assert dont_know and with_coverage and with_coverage < checked


def test_the_index_is_kept_per_build(nl_open_ctx):
    snap = nl_open_ctx.warehouse.snapshot()
    assert detail_index(snap) is detail_index(snap)


def test_shared_array_is_a_read_only_copy():
    values = np.arange(12, dtype=np.int16).reshape(3, 4)
    out = shared_array(values)
    assert out.dtype == values.dtype and (out == values).all()
    with pytest.raises(ValueError):
        out[0, 0] = 5
    assert shared_array(np.zeros(0, dtype=np.int8)).shape == (0,)


def test_positions_of_values_among_labels():
    values = pa.chunked_array([["b", "x", "a"], ["b"]])
    assert positions(values, np.array(["a", "b"])).tolist() == [1, -1, 0, 1]


def test_agreement_row_decodes_a_cell():
    table = np.array([[0, 0, 0, 0], [3, 2, -1, 0], [2, 2, 1, 1]], dtype=np.int64)
    codes = np.array([[[NO_ROW, 1, 2]]], dtype=np.uint8)
    a = Agreement(codes, table)
    assert a.row(0, 0, 0) is None
    assert a.row(0, 0, 1) == (3, 2, None, False)
    assert a.row(0, 0, 2) == (2, 2, 1, True)


def test_roadmap_team_coverage_answers_as_the_query_did(nl_open_ctx):
    from dashboard.api_roadmap import team_coverage
    from dashboard.views.roadmap import data as rd

    snap = nl_open_ctx.warehouse.snapshot()
    for w in range(len(snap.waves)):
        # Dutch rows (the fixture's answers) and a few others: the old path is a query per call
        ids = snap.maturity.municipality_ids
        for row in [*np.flatnonzero(np.char.startswith(ids, "NL_"))[::7], 0, len(ids) - 1]:
            assert team_coverage(nl_open_ctx, snap, w, row) == \
                rd.team_coverage(nl_open_ctx, snap, w, row), (w, row)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 40), st.integers(0, 40), st.integers(-1, 4),
                          st.integers(0, 1)), max_size=60),
       st.integers(0, 1 << 22))
def test_distinct_rows_is_numpys_unique_over_rows(rows, big):
    from dashboard.detail_index import distinct_rows

    arr = np.array(rows, dtype=np.int64).reshape(-1, 4)
    for case in (arr, np.vstack([arr, [[big, 0, -1, 0]]])):  # past the packed range: the slow way
        table, code = distinct_rows(case)
        want_table, want_code = np.unique(case, axis=0, return_inverse=True)
        assert np.array_equal(table, want_table) and np.array_equal(code, want_code.reshape(-1))


def _agreement_equal(a, b) -> bool:
    return np.array_equal(a.codes, b.codes) and np.array_equal(a.table, b.table)


def test_agreement_read_in_batches_is_the_same_as_in_one(nl_open_ctx, monkeypatch):
    from dashboard import detail_index as di

    snap = nl_open_ctx.warehouse.snapshot()
    whole = di.read_agreement(snap, batch_rows=1 << 30)
    assert whole.codes.any()  # the fixture has agreement rows to compare
    assert _agreement_equal(di.read_agreement(snap, batch_rows=997), whole)
    # a batch whose numbers do not pack goes the general way with the packed ones unpacked
    packed, calls = di.pack, []

    def some_do_not_pack(rows):
        calls.append(1)
        return None if len(calls) % 2 == 0 else packed(rows)

    monkeypatch.setattr(di, "pack", some_do_not_pack)
    assert _agreement_equal(di.read_agreement(snap, batch_rows=997), whole)
    assert len(calls) > 2
