"""Law readiness for the lobby view (pipelines.maturity.lobby) against the legislation-readiness
engine on a small fixture of real member states, and the policy cells (pipelines.maturity.policy)
against the engine's leverage."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest

from pipelines.maturity.lobby import (
    first_due_after,
    lobby_counts,
    lobby_table,
    not_evaluated,
)
from pipelines.maturity.peers import Attributes
from pipelines.maturity.policy import policy_cells
from pipelines.maturity.readiness import (
    STATUS_NAMES,
    population_readiness,
    readiness_inputs,
    resolve_population,
)
from pipelines.maturity.roadmap import (
    RoadmapModel,
    model_from_framework,
    requirements_from_framework,
)
from pipelines.maturity.roadmap_population import (
    leverage,
    leverage_by_group,
    population_roadmap,
)

AT = dt.date(2026, 6, 1)
HORIZON = 365
# Eight municipalities each: NIS2 for all (SE from 2026-01-15, NL from 2026-06-30), above
# 100,000 inhabitants (IT, from 2024-10-16), none (DE) and not researched (PL: default flags)
COUNTRIES = np.repeat(["SE", "NL", "IT", "DE", "PL"], 8)
POPULATION = np.tile([250_000.0, 5_000.0, 120_000.0, 40_000.0, 8_000.0, np.nan, 700_000.0, 90_000.0], 5)


@pytest.fixture(scope="module")
def inputs(fw):
    return readiness_inputs(fw, laws=[law for law in fw.laws if law.binding_on_municipalities
                                      and law.status in ("in_force", "adopted")])


@pytest.fixture(scope="module")
def case(fw, inputs):
    """(levels, condition table, group) of the 40 municipalities: random levels with unknowns,
    one municipality at 4 everywhere, one without any answer."""
    rng = np.random.default_rng(4)
    levels = rng.integers(-1, 5, (len(COUNTRIES), len(fw.element_ids))).astype(np.int8)
    good = rng.random(len(COUNTRIES)) < 0.4  # some ready municipalities too
    levels[good] = np.maximum(levels[good], 3)
    levels[0] = 4
    levels[9] = -1
    table = resolve_population(inputs, COUNTRIES, POPULATION)
    group = rng.integers(0, 3, len(COUNTRIES))
    return levels, table, group


def _engine(inputs, levels, table, rows=None, horizon=HORIZON):
    if rows is not None:
        levels, table = levels[rows], table.take(rows)
    return population_readiness(inputs, levels, table, at=AT, horizon_days=horizon)


def test_lobby_figures_are_the_readiness_engines(inputs, case):
    """Per group, for every union of groups, and in the table: applies, ready, not ready and
    unknown per law and the gaps per element are what the readiness engine says."""
    levels, table, group = case
    counts = lobby_counts(inputs, levels, table, at=AT, horizon_days=HORIZON, group=group, n_groups=3)
    assert counts.law_ids == _engine(inputs, levels, table).law_ids
    for chosen in ([0], [1], [2], [0, 2], [0, 1, 2]):
        rows = np.flatnonzero(np.isin(group, chosen))
        res = _engine(inputs, levels, table, rows)
        sel = counts.select(np.isin(np.arange(3), chosen))
        assert sel.n[0] == len(rows)
        for li, law in enumerate(res.law_ids):
            s = res.summary(law)
            assert sel.status[0, li].tolist() == [s[x] for x in STATUS_NAMES], (chosen, law)
            assert sel.applies[0, li] == len(rows) - s["not_applicable"]
        table_rows = {r.law: r for r in lobby_table(sel, top=50)}
        for law in res.law_ids:
            s = res.summary(law)
            if s["not_applicable"] == len(rows):
                assert law in not_evaluated(sel) and law not in table_rows
                continue
            r = table_rows[law]
            applies = len(rows) - s["not_applicable"]
            assert (r.municipalities, r.ready, r.not_ready, r.unknown) == (
                applies, s["ready"], s["not_ready"], s["unknown"]), (chosen, law)
            assert r.share_ready == pytest.approx(s["ready"] / applies)
            lacking = {inputs.element_ids.index(el): (g, u) for el, g, u in res.lacking(law)}
            assert {e: k for e, k, _ in r.gaps} == {e: g for e, (g, _) in lacking.items() if g}
            assert {e: k for e, k, _ in r.unknowns} == {e: u for e, (_, u) in lacking.items() if u}
        shares = [r.share_ready for r in table_rows.values()]
        assert sorted(shares) == [r.share_ready for r in lobby_table(sel, top=50)]


def test_unknown_is_not_a_gap(fw, inputs):
    """GDPR: one municipality below the required level on SEC-01 (a gap), one that does not know
    its level (unknown), one at level 4 (ready)."""
    sec01 = fw.element_ids.index("SEC-01")
    levels = np.full((3, len(fw.element_ids)), 4, np.int8)
    levels[0, sec01], levels[1, sec01] = 1, -1
    table = resolve_population(inputs, ["PL"] * 3, [10_000] * 3)
    (row,) = [r for r in lobby_table(lobby_counts(inputs, levels, table, at=AT), top=5)
              if r.law == "GDPR"]
    assert (row.municipalities, row.not_ready, row.unknown, row.ready) == (3, 1, 1, 1)
    assert row.gaps == ((sec01, 1, pytest.approx(1 / 3)),)
    assert row.unknowns == ((sec01, 1, pytest.approx(1 / 3)),)
    assert row.share_not_ready == pytest.approx(1 / 3) and row.share_ready == pytest.approx(1 / 3)


def test_nis2_applies_per_member_state_with_its_national_date(fw, inputs, case):
    levels, table, _ = case
    with np.errstate(invalid="ignore"):
        expected = {"SE": np.ones(8, bool), "NL": np.ones(8, bool),
                    "IT": POPULATION[:8] > 100_000, "DE": np.zeros(8, bool), "PL": np.zeros(8, bool)}
    dates = {"SE": dt.date(2026, 1, 15), "NL": dt.date(2026, 6, 30), "IT": dt.date(2024, 10, 16)}
    counts = lobby_counts(inputs, levels, table, at=AT, horizon_days=HORIZON,
                          group=np.searchsorted(["DE", "IT", "NL", "PL", "SE"], COUNTRIES), n_groups=5)
    for g, code in enumerate(["DE", "IT", "NL", "PL", "SE"]):
        sel = counts.select([g])
        rows = {r.law: r for r in lobby_table(sel)}
        if code in dates:
            assert rows["NIS2"].municipalities == expected[code].sum()
            assert rows["NIS2"].deadline == rows["NIS2"].last_deadline == dates[code]
        else:
            assert "NIS2" in not_evaluated(sel) and first_due_after(sel, "NIS2") is None
    # without a horizon, the Dutch NIS2 date (2026-06-30) lies after the evaluation date
    nl = np.flatnonzero(COUNTRIES == "NL")
    now = lobby_counts(inputs, levels[nl], table.take(nl), at=AT)
    assert "NIS2" in not_evaluated(now) and first_due_after(now, "NIS2") == dt.date(2026, 6, 30)


def test_deadlines_counted_and_the_next_one(inputs, case):
    """The deadline range is that of the requirements that count (due by the cutoff); the next
    deadline may lie beyond it (eIDAS: notified eIDs since 2018-09-29 count, the wallet date
    2026-12-24 comes next)."""
    levels, table, _ = case
    counts = lobby_counts(inputs, levels, table, at=AT, horizon_days=0)
    eidas = next(r for r in lobby_table(counts) if r.law == "EIDAS")
    assert eidas.deadline == eidas.last_deadline == dt.date(2018, 9, 29)
    assert eidas.next_deadline == dt.date(2026, 12, 24)
    # with a year's horizon the wallet date counts too; it stays the next one after the date
    later = next(r for r in lobby_table(lobby_counts(inputs, levels, table, at=AT,
                                                     horizon_days=HORIZON)) if r.law == "EIDAS")
    assert (later.deadline, later.last_deadline) == (dt.date(2018, 9, 29), dt.date(2026, 12, 24))
    assert later.next_deadline == dt.date(2026, 12, 24)


def test_min_group_suppresses_laws(inputs, case):
    levels, table, _ = case
    counts = lobby_counts(inputs, levels, table, at=AT, horizon_days=HORIZON)
    nis2 = next(r for r in lobby_table(counts) if r.law == "NIS2")
    assert nis2.municipalities < len(COUNTRIES)
    laws = [r.law for r in lobby_table(counts, min_group=nis2.municipalities + 1)]
    assert "NIS2" not in laws and "GDPR" in laws


# ------------------------------------------------------------------ policy cells


@pytest.fixture(scope="module")
def population():
    rng = np.random.default_rng(5)
    e = 6
    w = np.zeros((e, e), np.float32)
    for i, j, v in ((0, 1, 2), (0, 2, 1), (1, 3, 3), (2, 3, 1), (3, 4, 2), (1, 5, 1)):
        w[i, j] = v
    model = RoadmapModel(tuple(f"E{i}" for i in range(e)), w)
    m = 400
    levels = rng.integers(-1, 5, size=(m, e)).astype(np.int8)
    levels[:20] = -1  # never answered
    attrs = Attributes.from_columns(rng.choice(["AA", "BB", "CC"], m),
                                    rng.choice(["R1", "R2", "R3", "R4"], m),
                                    rng.choice(["lt5k", "5k-20k"], m))
    pop = population_roadmap(model, levels)
    return model, levels, attrs, pop, policy_cells(model, levels, attrs, pop)


def test_cells_give_the_engines_leverage_for_any_selection(population):
    model, levels, attrs, pop, cells = population
    for country, nuts2, size in ((None, None, None), (0, None, None), (1, 2, None),
                                 (None, None, 1), (2, 3, 0)):
        mask = np.ones(len(levels), bool)
        for codes, v in ((attrs.country, country), (attrs.nuts2, nuts2),
                         (attrs.size_class, size)):
            if v is not None:
                mask &= codes == v
        got = cells.leverage(cells.mask(country, nuts2, size))
        exp = leverage(model, levels, rows=mask, result=pop)
        assert got.selected == exp.selected
        np.testing.assert_array_equal(got.lacking, exp.lacking)
        np.testing.assert_array_equal(got.leverage, exp.leverage)  # bit for bit
        np.testing.assert_array_equal(got.mean_unlock, exp.mean_unlock)
        np.testing.assert_array_equal(got.first_phase, exp.first_phase)
        np.testing.assert_array_equal(got.first_step, exp.first_step)
        assert [r["element"] for r in got.rows()] == [r["element"] for r in exp.rows()]


def test_cells_by_group_equal_leverage_by_group(population):
    model, levels, attrs, pop, cells = population
    n, lacking, lev, fp = cells.by("nuts2", n_groups=len(attrs.nuts2_labels))
    exp_lacking, exp_lev = leverage_by_group(model, levels, attrs.nuts2,
                                             n_groups=len(attrs.nuts2_labels))
    np.testing.assert_array_equal(lacking, exp_lacking)
    np.testing.assert_array_equal(lev, exp_lev)
    answered = (levels != -1).any(axis=1)
    assert n.tolist() == np.bincount(attrs.nuts2[answered], minlength=4).tolist()
    for g in range(4):
        np.testing.assert_array_equal(
            fp[g], pop.first_phase_counts(attrs.nuts2 == g))


def test_lobby_counts_per_policy_cell_give_the_engine_for_any_selection(fw, inputs):
    """As the policy view counts them: answering municipalities per (country, region, size)
    cell, summed over a selection's cells, equal the readiness engine on its municipalities."""
    model = model_from_framework(fw)
    rng = np.random.default_rng(12)
    m = 300
    countries = rng.choice(["SE", "NL", "IT", "DE"], m)
    attrs = Attributes.from_columns(countries, [f"{c}1{rng.integers(1, 3)}" for c in countries],
                                    rng.choice(["lt5k", "100k-250k"], m))
    population = rng.choice([3_000.0, 150_000.0], m)
    levels = rng.integers(-1, 5, (m, model.size)).astype(np.int8)
    levels[:30] = -1  # never answered: not counted
    cells = policy_cells(model, levels, attrs, population_roadmap(model, levels))
    answered = np.flatnonzero((levels != -1).any(axis=1))
    table = resolve_population(inputs, countries, population)
    counts = lobby_counts(inputs, levels[answered], table.take(answered), at=AT,
                          horizon_days=HORIZON, group=cells.cell_of[answered], n_groups=len(cells.n))
    for country in range(4):
        for size in (None, 0):
            sel = counts.select(cells.mask(country=country, size_class=size))
            mask = attrs.country[answered] == country
            if size is not None:
                mask &= attrs.size_class[answered] == size
            res = _engine(inputs, levels[answered], table.take(answered), np.flatnonzero(mask))
            for li, law in enumerate(res.law_ids):
                s = res.summary(law)
                assert sel.status[0, li].tolist() == [s[x] for x in STATUS_NAMES]


def test_framework_model_runs_through_the_cells(fw):
    model = model_from_framework(fw)
    rng = np.random.default_rng(1)
    levels = rng.integers(-1, 5, size=(50, model.size)).astype(np.int8)
    attrs = Attributes.from_columns(["NL"] * 50, ["NL33"] * 25 + ["NL32"] * 25, ["lt5k"] * 50)
    req = requirements_from_framework(fw, AT)
    pop = population_roadmap(model, levels, requirements=req)
    cells = policy_cells(model, levels, attrs, pop)
    assert cells.leverage().selected == int((levels != -1).any(axis=1).sum())
