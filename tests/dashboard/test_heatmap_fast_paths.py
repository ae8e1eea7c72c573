"""Heatmap: the region grid's rows picked from the build's aggregates in memory
(dashboard/aggregates_index.py) against the query they replace (heatmap_regions.sql), for every
wave, area level and prefix, both visibility rules and a stricter minimum group; and the pages
they make (layout, figure, hover data) byte for byte against pages made from the query."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from dash._utils import to_json

from dashboard.views.heatmap import data, layout
from pipelines.maturity.heatmap import SUPPRESSED

COLUMNS = ("area_id", "measure", "n", "suppressed", "median", "share_ge3")


def sql_region_rows(snap, wave: str, area_type: str, prefix: str) -> dict:
    """The definition: heatmap_regions.sql, as region_rows handed it over before (unsorted)."""
    df = snap.query("heatmap_regions", wave=wave, area_type=area_type, prefix=prefix)
    return {"area_id": df["area_id"].to_numpy(dtype=str),
            "measure": df["measure"].to_numpy(dtype=str),
            "n": df["n"].to_numpy(dtype=np.int64),
            "suppressed": df["suppressed"].to_numpy(dtype=bool),
            "median": df["median"].to_numpy(dtype=float, na_value=np.nan),
            "share_ge3": df["share_ge3"].to_numpy(dtype=float, na_value=np.nan)}


def _sorted(rows: dict) -> dict:
    order = np.lexsort((rows["measure"], rows["area_id"]))
    return {c: rows[c][order] for c in COLUMNS}


def _prefixes(ctx) -> list[tuple[str, str]]:
    """Every (area level, prefix) the page asks for, and a few it does not (a partial code, an
    unknown country, a region of another country's code)."""
    ref = ctx.municipalities
    countries = sorted(set(ref["country"].dropna().astype(str)))
    nuts2 = sorted(set(ref["nuts2"].dropna().astype(str)))
    return ([("nuts2", c) for c in [*countries, "XX", "N", ""]]
            + [("nuts3", r) for r in [*nuts2, "NL3", "ZZ99"]])


def _same(got: dict, want: dict, where) -> None:
    want = _sorted(want)
    assert list(got) == list(COLUMNS), where
    for c in COLUMNS:
        assert got[c].dtype.kind == want[c].dtype.kind, (where, c)
        assert np.array_equal(got[c], want[c], equal_nan=c in ("median", "share_ge3")), (where, c)


@pytest.mark.parametrize("which", ["nl_ctx", "nl_open_ctx"])
def test_region_rows_equal_the_query_for_every_wave_level_and_prefix(which, request):
    ctx = request.getfixturevalue(which)
    snap = ctx.warehouse.snapshot()
    checked = 0
    for wave in [*snap.waves, "1999"]:
        for area_type, prefix in [*_prefixes(ctx), ("country", "NL"), ("eu", "")]:
            got = data.region_rows(snap, wave, area_type, prefix)
            want = sql_region_rows(snap, wave, area_type, prefix)
            _same(got, want, (wave, area_type, prefix))
            checked += len(want["area_id"]) > 0
    assert checked > 20  # most (wave, level, prefix) have rows: not an empty-vs-empty test
    # the query's measure filter matters: block scores are in the index, not in the grid's rows
    rows = data.region_rows(snap, snap.waves[-1], "nuts2", "NL")
    assert "ALL" in set(rows["measure"]) and all(m == "ALL" or "-" in m for m in rows["measure"])


def test_region_rows_follow_a_stricter_minimum_group(nl_data_dir):
    from dashboard.config import Settings
    from dashboard.context import AppContext

    ctx = AppContext.load(Settings.from_env({"DS4E_DATA_DIR": str(nl_data_dir),
                                             "DS4E_MIN_GROUP": "40"}))
    snap = ctx.warehouse.snapshot()
    for area_type, prefix in _prefixes(ctx):
        _same(data.region_rows(snap, snap.waves[-1], area_type, prefix),
              sql_region_rows(snap, snap.waves[-1], area_type, prefix), (area_type, prefix))
    # and the grid hides the small regions under the app's minimum group
    view = data.compute_view(ctx, snap, data.read_state(ctx, snap, country="NL", nuts2="NL31",
                                                        mode="regions"), "en")
    small = view.grid.n < 40
    assert small.any() and (view.grid.status[small] == SUPPRESSED).all()
    assert np.isnan(view.grid.median[small]).all()


def _states(ctx, snap) -> list[dict]:
    """>= 150 region views: every wave, NUTS 2 of the country and NUTS 3 of each province,
    sorts, filters that the regional view notes, an unknown wave."""
    ref = ctx.municipalities
    nuts2 = sorted(set(ref["nuts2"].dropna().astype(str)))
    elements = list(snap.maturity.element_ids)
    out = []
    for wave, region in itertools.product(snap.waves, [None, *nuts2]):
        for sort in ("overall", elements[0], elements[-1]):
            out.append({"country": "NL", "nuts2": region, "wave": wave, "sort": sort,
                        "mode": "regions"})
    out += [{"country": "NL", "size": "lt5k", "mode": "regions"},
            {"country": "NL", "wave": "1999", "mode": "regions"},
            {"country": "NL", "nuts2": "NL31", "size": "20k-50k", "mode": "regions"}]
    return out


@pytest.mark.parametrize("which", ["nl_ctx", "nl_open_ctx"])
def test_the_region_pages_are_the_pages_made_from_the_query(which, request, monkeypatch):
    ctx = request.getfixturevalue(which)
    snap = ctx.warehouse.snapshot()
    states = _states(ctx, snap)
    assert len(states) >= 150

    def pages():
        out = []
        for q, lang in itertools.product(states, ("nl", "en")):
            view = data.compute_view(ctx, snap, data.read_state(ctx, snap, **q), lang)
            out.append(to_json(data.column_data(view)))
        for q, lang in itertools.product(states[::7], ("nl", "en")):
            out.append(to_json(layout.layout(ctx, lang, {k: v for k, v in q.items() if v})))
        return out

    new = pages()
    with monkeypatch.context() as m:
        m.setattr(data, "_CACHE", data.Lru(256))  # nothing kept from the fast path
        m.setattr(data, "region_rows", sql_region_rows)
        old = pages()
    assert new == old
    assert sum('"regions"' in p for p in new) >= 150  # region views, not empty states
