"""EU legislation readiness: hand-worked cases, applicability and its origins, the population
run against the single-municipality run, and composed (draft) profiles."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest
import yaml

from pipelines.maturity.readiness import (
    ALL_DEADLINES,
    MISSING,
    NEVER,
    NOT_APPLICABLE,
    NOT_DUE,
    NOT_READY,
    READY,
    STATUS_NAMES,
    UNKNOWN,
    ProfileError,
    condition_profiles,
    law_to_yaml,
    municipality_readiness,
    population_readiness,
    readiness_by_group,
    readiness_inputs,
    requirement_schedule,
    resolve_municipality,
    resolve_population,
    validate_profile,
    what_if,
)

AT = dt.date(2026, 11, 27)
FAR = (dt.date(2031, 1, 1) - AT).days  # a horizon past every deadline in the data


@pytest.fixture(scope="module")
def inputs(fw):
    return readiness_inputs(fw)


@pytest.fixture(scope="module")
def e(fw):
    return {el: i for i, el in enumerate(fw.element_ids)}


def at_level(fw, level: int = 4, **changes) -> np.ndarray:
    lv = np.full(len(fw.element_ids), level, dtype=np.int8)
    for el, v in changes.items():
        lv[fw.element_ids.index(el.replace("_", "-"))] = v
    return lv


def everything_applies(inputs) -> dict:
    """Every true/false condition set true (the widest applicability)."""
    return {c: True for c in inputs.bool_conditions}


# ------------------------------------------------------------------ hand-worked cases


def test_level_4_everywhere_is_ready_for_every_law(fw, inputs):
    assert len(inputs.law_ids) == 21  # the 17 laws and 4 adjacent instruments
    for country, population in (("NL", 50_000), ("DE", 500), ("IT", 250_000), ("PL", None)):
        for overrides, horizon in ((None, 0), (everything_applies(inputs), FAR)):
            r = municipality_readiness(inputs, at_level(fw, 4), country=country, population=population,
                                       at=AT, horizon_days=horizon, overrides=overrides)
            for law in r.laws:
                # nothing is missing; only a law with something due is "ready"
                assert law.legal.status in ("ready", "not_applicable", "not_due"), (country, law.law)
                assert law.ready == (law.legal.status == "ready")
                assert law.legal.gaps == () and law.legal.unknown == ()
                assert law.ambition.status in ("ready", "not_applicable", "not_due")
                assert law.ambition.gaps == () and law.ambition.unknown == ()
    # with every condition true and every deadline counted, every binding law has something to meet
    r = municipality_readiness(inputs, at_level(fw, 4), country="NL", population=50_000, at=AT,
                               horizon_days=FAR, overrides=everything_applies(inputs))
    assert {x.law for x in r.laws if x.legal.status == "ready"} == {
        law.id for law in fw.all_laws
        if law.binding_on_municipalities and any(q.status == "required" for q in law.requirements)}
    # the CRA binds manufacturers, importers and distributors: never a legal duty (1.3.0)
    assert r.law("CRA").legal.status == "not_applicable" and not r.law("CRA").binding


def test_sec01_at_1_is_not_ready_for_gdpr_with_gap_2(fw, inputs):
    r = municipality_readiness(inputs, at_level(fw, 4, SEC_01=1), country="BE", population=20_000, at=AT)
    gdpr = r.law("GDPR")
    assert not gdpr.ready and gdpr.status == "not_ready"
    assert [(g.element, g.min, g.level, g.gap, g.deadline) for g in gdpr.legal.gaps] == [
        ("SEC-01", 3, 1, 2, dt.date(2018, 5, 25))]
    assert gdpr.legal.unknown == () and gdpr.legal.n_required == 5  # PPL-03 is recommended (1.3.0)
    check = next(c for c in gdpr.requirements if c.element == "SEC-01")
    assert (check.counts_for, check.timing, check.met, check.gap) == ("legal", "due", False, 2)
    assert check.condition is None and check.source  # unconditional, with its source note
    # laws that do not ask for SEC-01 stay ready
    assert r.law("WAD").ready and r.law("ODD").ready


def test_nis2_follows_the_country_flag(fw, inputs):
    lv = at_level(fw, 4, SEC_01=1)
    # NL: local government in scope from the national date (2026-06-30 in the data)
    nl = municipality_readiness(inputs, lv, country="NL", population=30_000, at=AT).law("NIS2")
    assert nl.status == "not_ready" and [g.element for g in nl.legal.gaps] == ["SEC-01"]
    scope = nl.requirements[0].condition
    assert (scope.id, scope.value, scope.origin) == ("nis2_in_scope", True, "member_state")
    assert nl.requirements[0].deadline == dt.date(2026, 6, 30)
    assert nl.requirements[0].deadline_from.origin == "member_state"
    # before the national date nothing is due yet; a horizon that reaches it brings it in
    before = dt.date(2026, 6, 1)
    # (it applies, so it is "not due", never "not applicable")
    assert municipality_readiness(inputs, lv, country="NL", at=before).law("NIS2").status == "not_due"
    soon = municipality_readiness(inputs, lv, country="NL", at=before, horizon_days=60).law("NIS2")
    assert soon.status == "not_ready" and {c.timing for c in soon.requirements} == {"upcoming"}
    # DE: not in scope -> legally nothing; recommended at level 2 instead (ambition)
    de = municipality_readiness(inputs, lv, country="DE", population=30_000, at=AT).law("NIS2")
    assert not de.ready and de.status == "not_applicable"
    first = de.requirements[0].condition
    assert first.value is False and first.origin == "member_state"
    assert {c.min for c in de.requirements} == {2}
    assert all(c.out_of_scope_recommendation for c in de.requirements)
    assert de.ambition.status == "not_ready"
    assert [(g.element, g.gap) for g in de.ambition.gaps] == [("SEC-01", 1)]
    # a per-country override flips DE into scope (a flag override, or the condition itself)
    flip = {"DE": {"nis2_local_scope": "all", "nis2_date": "2026-01-01"}}
    de2 = municipality_readiness(inputs, lv, country="DE", at=AT, country_overrides=flip).law("NIS2")
    assert de2.status == "not_ready" and de2.requirements[0].condition.origin == "country_override"
    assert de2.requirements[0].deadline == dt.date(2026, 1, 1)
    de3 = municipality_readiness(inputs, lv, country="DE", at=AT,
                                 country_overrides={"DE": {"nis2_in_scope": True}}).law("NIS2")
    assert de3.status == "not_ready" and de3.requirements[0].deadline == dt.date(2025, 12, 6)
    # and the other way round: NL out of scope by override
    nl_off = municipality_readiness(inputs, lv, country="NL", at=AT,
                                    country_overrides={"NL": {"nis2_local_scope": "none"}}).law("NIS2")
    assert nl_off.status == "not_applicable" and nl_off.ambition.status == "not_ready"


def test_nis2_threshold_and_municipality_override(fw, inputs):
    lv = at_level(fw, 4, SEC_02=0)
    big = municipality_readiness(inputs, lv, country="IT", population=150_000, at=AT).law("NIS2")
    small = municipality_readiness(inputs, lv, country="IT", population=60_000, at=AT).law("NIS2")
    unknown_pop = municipality_readiness(inputs, lv, country="IT", population=None, at=AT).law("NIS2")
    assert big.status == "not_ready" and [g.gap for g in big.legal.gaps] == [3]
    assert "100,000" in big.requirements[0].condition.detail
    assert small.status == unknown_pop.status == "not_applicable"
    assert not small.ready and not small.legal.gaps
    # a regional capital below the threshold (note §3 ⚠): override this municipality
    capital = municipality_readiness(inputs, lv, country="IT", population=60_000, at=AT,
                                     overrides={"nis2_in_scope": True}).law("NIS2")
    assert capital.status == "not_ready"
    assert capital.requirements[0].condition.origin == "municipality_override"
    # FR is pending (planned threshold 30,000, no date): not in scope yet; ambition from the EU date
    fr = municipality_readiness(inputs, lv, country="FR", population=80_000, at=AT).law("NIS2")
    assert fr.status == "not_applicable" and fr.requirements[0].deadline == dt.date(2024, 10, 18)
    # Sweden: every municipality, whatever its size
    assert municipality_readiness(inputs, lv, country="SE", population=2_500, at=AT).law("NIS2").status \
        == "not_ready"


def test_a_deadline_after_the_evaluation_date_does_not_count(fw, inputs):
    # CER: a municipality that is itself a critical entity owes SEC-03:3 from 2027-06-17
    lv = at_level(fw, 4, SEC_03=1)
    crit = {"municipality_is_critical_entity": True}
    cer = municipality_readiness(inputs, lv, country="NL", at=AT, overrides=crit).law("CER")
    assert cer.status == "not_due"  # it applies, nothing is due yet
    sec03 = next(c for c in cer.requirements if c.element == "SEC-03" and c.legal_duty)
    assert (sec03.counts_for, sec03.timing) == ("none", "later")
    # the horizon is explicit: 201 days is one short of the deadline, 202 reach it
    assert (dt.date(2027, 6, 17) - AT).days == 202
    assert municipality_readiness(inputs, lv, country="NL", at=AT, horizon_days=201,
                                  overrides=crit).law("CER").status == "not_due"
    later = municipality_readiness(inputs, lv, country="NL", at=AT, horizon_days=202,
                                   overrides=crit).law("CER")
    assert later.status == "not_ready" and later.legal.gaps[0].deadline == dt.date(2027, 6, 17)
    assert municipality_readiness(inputs, lv, country="NL", at=dt.date(2027, 6, 17),
                                  overrides=crit).law("CER").status == "not_ready"
    # every deadline (the default of the tab): counted against its own date already today
    assert municipality_readiness(inputs, lv, country="NL", at=AT, horizon_days=ALL_DEADLINES,
                                  overrides=crit).law("CER").status == "not_ready"
    # the AI Act's high-risk duties come on 2027-12-02 (Digital Omnibus on AI)
    hr = {"deploys_high_risk_ai": True}
    lv2 = at_level(fw, 4, GOV_06=1)
    assert municipality_readiness(inputs, lv2, country="NL", at=AT, overrides=hr).law("AI_ACT").ready
    assert not municipality_readiness(inputs, lv2, country="NL", at=dt.date(2027, 12, 2),
                                      overrides=hr).law("AI_ACT").ready


def test_recommended_requirements_never_change_legal_readiness(fw, inputs):
    # Data Act: the cloud-switching rules bind the provider; for the municipality INF-02 is a
    # recommendation (2, and 3 from 2027-01-12). Only a Chapter V request binds it (DAT-05).
    lv = at_level(fw, 4, INF_02=2)
    later = dt.date(2027, 6, 1)
    req = {"makes_exceptional_need_request": True}
    da = municipality_readiness(inputs, lv, country="NL", at=later, overrides=req).law("DATA_ACT")
    assert da.ready and da.status == "ready"
    assert da.ambition.status == "not_ready" and [(g.element, g.min, g.gap) for g in da.ambition.gaps] == [
        ("INF-02", 3, 1)]
    plain = municipality_readiness(inputs, at_level(fw, 0), country="NL", at=later).law("DATA_ACT")
    assert plain.status == "not_applicable" and plain.ambition.status == "not_ready"
    # Digital Decade: only targets, never legally required
    low = at_level(fw, 0)
    dd = municipality_readiness(inputs, low, country="NL", at=dt.date(2031, 1, 1)).law("DDPP")
    assert not dd.ready and dd.status == "not_applicable" and dd.ambition.status == "not_ready"
    # CRA: duties of manufacturers; for a municipality only recommendations
    cra = municipality_readiness(inputs, low, country="NL", at=dt.date(2031, 1, 1)).law("CRA")
    assert cra.status == "not_applicable" and cra.ambition.status == "not_ready"
    # population-wide: dropping every recommended / target requirement changes no legal result
    rng = np.random.default_rng(3)
    levels = rng.integers(-1, 5, (400, len(fw.element_ids))).astype(np.int8)
    table = resolve_population(inputs, rng.choice(["NL", "DE", "IT", "SE", "PL"], 400),
                               rng.integers(500, 300_000, 400).astype(float))
    full = population_readiness(inputs, levels, table, at=later, horizon_days=FAR)
    required_only = []
    for law in fw.all_laws:
        reqs = [r for r in law.requirements if r.status == "required"] or law.requirements[:1]
        d = law.model_dump(exclude_none=True)
        d["requirements"] = [r.model_dump(exclude_none=True) for r in reqs]
        if not any(r.status == "required" for r in reqs):
            d["binding_on_municipalities"] = False  # nothing required left: keep it out of legal
        d.pop("recommended_if_out_of_scope", None)
        required_only.append(d)
    cut = population_readiness(inputs, levels, table, at=later, horizon_days=FAR, laws=required_only)
    assert cut.law_ids == full.law_ids
    assert np.array_equal(cut.status, full.status) and np.array_equal(cut.n_gap, full.n_gap)


def test_dont_know_is_unknown_not_a_gap(fw, inputs):
    r = municipality_readiness(inputs, at_level(fw, 4, SEC_01=MISSING), country="NL", at=AT).law("GDPR")
    assert not r.ready and r.status == "unknown"
    assert r.legal.gaps == ()
    assert [(u.element, u.min, u.level, u.gap) for u in r.legal.unknown] == [("SEC-01", 3, None, None)]
    check = next(c for c in r.requirements if c.element == "SEC-01")
    assert check.level is None and check.met is None and check.gap is None
    # a known gap and an unknown together: not ready, both reported
    both = municipality_readiness(inputs, at_level(fw, 4, SEC_01=MISSING, SEC_02=1), country="NL",
                                  at=AT).law("GDPR")
    assert both.status == "not_ready"
    assert [g.element for g in both.legal.gaps] == ["SEC-02"] and [u.element for u in both.legal.unknown] == [
        "SEC-01"]


def test_origins_of_condition_values(inputs):
    nl = resolve_municipality(inputs, "NL", 100_000)
    assert (nl["nis2_in_scope"].origin, nl["nis2_in_scope"].confidence) == ("member_state", "verified")
    assert (nl["nis2_date"].value, nl["nis2_date"].confidence) == (dt.date(2026, 6, 30), "check")
    assert nl["uses_ai"].origin == "default" and nl["uses_ai"].value is True
    assert nl["holds_hvd_dataset"].value is False
    pl = resolve_municipality(inputs, "PL", 100_000)  # not in the note: the default entry
    assert (pl["nis2_in_scope"].value, pl["nis2_in_scope"].origin, pl["nis2_in_scope"].confidence) == (
        False, "member_state_default", "check")
    assert pl["eudi_wallet_date"].value == dt.date(2026, 12, 24)
    over = resolve_municipality(inputs, "PL", 100_000, overrides={"uses_ai": "false"},
                                country_overrides={"PL": {"eudi_wallet_date": "2027-06-01",
                                                          "holds_hvd_dataset": True}})
    assert (over["uses_ai"].value, over["uses_ai"].origin) == (False, "municipality_override")
    assert (over["eudi_wallet_date"].value, over["eudi_wallet_date"].origin) == (
        dt.date(2027, 6, 1), "country_override")
    assert (over["holds_hvd_dataset"].value, over["holds_hvd_dataset"].origin) == (True, "country_override")
    # e-invoicing: 2019 where the member state did not postpone, else (or unknown) 2020
    assert nl["einvoicing_deadline"].value == dt.date(2020, 4, 18)
    early = resolve_municipality(inputs, "NL",
                                 country_overrides={"NL": {"einvoicing_subcentral_postponed": False}})
    assert early["einvoicing_deadline"].value == dt.date(2019, 4, 18)
    # small-municipality exemptions
    wb = {"XX": {"whistleblower_small_municipal_exempt": 10_000}}
    def in_scope(population):
        return resolve_municipality(inputs, "XX", population, country_overrides=wb)["whistleblower_in_scope"]

    assert in_scope(9_999).value is False and in_scope(9_999).origin == "country_override"
    assert in_scope(10_000).value and in_scope(None).value  # unknown population: not exempt


def test_bad_overrides_are_named(inputs):
    with pytest.raises(ValueError, match="unknown override 'has_a_castle'"):
        resolve_municipality(inputs, "NL", overrides={"has_a_castle": True})
    with pytest.raises(ValueError, match="nis2_local_scope"):
        resolve_municipality(inputs, "NL", country_overrides={"NL": {"nis2_local_scope": "sometimes"}})
    with pytest.raises(ValueError, match=r"uses_ai.*not true or false"):
        resolve_municipality(inputs, "NL", overrides={"uses_ai": "perhaps"})
    with pytest.raises(ValueError, match=r"nis2_date.*not a date"):
        resolve_municipality(inputs, "NL", overrides={"nis2_date": "soon"})
    with pytest.raises(ValueError, match="flag"):  # flags are per country, not per municipality
        resolve_municipality(inputs, "NL", overrides={"nis2_local_scope": "all"})
    with pytest.raises(ValueError, match="unknown municipality 'NL_GM9999'"):
        resolve_population(inputs, ["NL"], [1.0], ids=["NL_GM0363"],
                           municipality_overrides={"NL_GM9999": {"uses_ai": True}})
    with pytest.raises(ValueError, match="horizon_days"):
        municipality_readiness(inputs, np.zeros(39), country="NL", at=AT, horizon_days=-1)
    with pytest.raises(ValueError, match="-1 \\(missing\\) or 0-4"):
        municipality_readiness(inputs, np.full(39, 5), country="NL", at=AT)


# ------------------------------------------------------------------ population = single


def _random_population(fw, inputs, m: int, seed: int):
    rng = np.random.default_rng(seed)
    levels = rng.integers(-1, 5, (m, len(fw.element_ids))).astype(np.int8)
    levels[rng.random(m) < 0.2] = 4  # enough ready municipalities to compare
    countries = rng.choice(["NL", "SE", "FR", "IT", "CZ", "AT", "DE", "BE", "FI", "PL", "EL"], m)
    population = rng.lognormal(9, 1.5, m)
    population[rng.random(m) < 0.05] = np.nan
    conds = list(inputs.bool_conditions)
    muni = {}
    for i in rng.choice(m, m // 4, replace=False):
        keys = rng.choice(conds, 3, replace=False)
        muni[int(i)] = {str(k): bool(rng.integers(0, 2)) for k in keys}
        if rng.random() < 0.3:
            day = dt.date(2024, 1, 1) + dt.timedelta(days=int(rng.integers(0, 1500)))
            muni[int(i)]["nis2_date"] = day.isoformat()
    country = {"DE": {"nis2_local_scope": "threshold", "nis2_threshold": 20_000, "nis2_date": "2026-03-01"},
               "FR": {"nis2_local_scope": "threshold", "nis2_date": "2027-01-01"},
               "PL": {"holds_hvd_dataset": True, "eudi_wallet_date": None},
               "SE": {"einvoicing_subcentral_postponed": False, "emfa_local_exempt_below": 100_000}}
    return levels, countries, population, muni, country


@pytest.mark.parametrize("seed,at,horizon", [(1, AT, 0), (2, dt.date(2026, 3, 1), 400),
                                             (3, dt.date(2030, 12, 31), 0),
                                             (6, dt.date(2024, 1, 1), ALL_DEADLINES)])
def test_population_equals_single_municipality(fw, inputs, seed, at, horizon):
    levels, countries, population, muni, country = _random_population(fw, inputs, 600, seed)
    table = resolve_population(inputs, countries, population, country_overrides=country,
                               municipality_overrides=muni)
    pop = population_readiness(inputs, levels, table, at=at, horizon_days=horizon)
    assert pop.status.shape == (600, len(inputs.law_ids))
    assert set(np.unique(pop.status)) <= {NOT_APPLICABLE, READY, NOT_READY, UNKNOWN, NOT_DUE}
    assert (pop.status != NOT_APPLICABLE).any() and (pop.status == READY).any()
    rng = np.random.default_rng(seed + 100)
    for m in rng.choice(600, 120, replace=False):
        p = None if np.isnan(population[m]) else float(population[m])
        one = municipality_readiness(inputs, levels[m], country=str(countries[m]), population=p, at=at,
                                     horizon_days=horizon, overrides=muni.get(int(m)),
                                     country_overrides=country)
        for li, law in enumerate(one.laws):
            assert law.law == pop.law_ids[li]
            got = (STATUS_NAMES[pop.status[m, li]], bool(pop.ready[m, li]), int(pop.n_required[m, li]),
                   int(pop.n_gap[m, li]), int(pop.n_unknown[m, li]), int(pop.gap_total[m, li]))
            want = (law.legal.status, law.ready, law.legal.n_required, len(law.legal.gaps),
                    len(law.legal.unknown), sum(g.gap for g in law.legal.gaps))
            assert got == want, (int(m), law.law)
            amb = (STATUS_NAMES[pop.ambition_status[m, li]], int(pop.ambition_n_gap[m, li]),
                   int(pop.ambition_n_unknown[m, li]))
            assert amb == (law.ambition.status, len(law.ambition.gaps), len(law.ambition.unknown)), (
                int(m), law.law)
    # the per-law element counts add up to the per-municipality gap counts
    assert np.array_equal(pop.gap_counts.sum(axis=1), pop.n_gap.sum(axis=0))
    assert np.array_equal(pop.unknown_counts.sum(axis=1), pop.n_unknown.sum(axis=0))


def test_population_aggregates(fw, inputs):
    levels, countries, population, _, _ = _random_population(fw, inputs, 300, 9)
    table = resolve_population(inputs, countries, population)
    res = population_readiness(inputs, levels, table, at=AT)
    s = res.summary("GDPR")
    assert s["municipalities"] == 300
    assert s["ready"] + s["not_ready"] + s["unknown"] + s["not_applicable"] == 300
    groups = np.unique(countries, return_inverse=True)[1]
    by = res.by_group("GDPR", groups)
    assert by.sum() == 300 and by[:, READY].sum() == s["ready"]
    lacking = res.lacking("GDPR")
    assert {el for el, _, _ in lacking} <= {r.element for r in fw.law_by_id["GDPR"].requirements}
    assert lacking == sorted(lacking, key=lambda r: (-r[1], -r[2], r[0]))


def test_a_law_that_does_not_apply_is_neither_ready_nor_not_ready(fw, inputs):
    """NIS2 for four municipalities: NL at level 4 (ready), NL with SEC-01 at 1 (not ready), DE
    and FR (local government out of scope: not applicable). The ready share is 1 of the 2 it
    applies to, not 3 of 4; before the Dutch date nothing is due ("not due"), and counting every
    deadline brings the Dutch requirements back."""
    levels = np.stack([at_level(fw, 4), at_level(fw, 4, SEC_01=1), at_level(fw, 0),
                       at_level(fw, 0)])
    table = resolve_population(inputs, np.array(["NL", "NL", "DE", "FR"]),
                               np.array([30_000.0, 30_000.0, 30_000.0, 80_000.0]))
    s = population_readiness(inputs, levels, table, at=AT).summary("NIS2")
    assert {k: s[k] for k in ("ready", "not_ready", "unknown", "not_applicable", "not_due",
                              "applies", "due")} == {
        "ready": 1, "not_ready": 1, "unknown": 0, "not_applicable": 2, "not_due": 0,
        "applies": 2, "due": 2}
    assert s["share_ready"] == 0.5
    before = dt.date(2026, 6, 1)  # the Dutch NIS2 date in the data is 2026-06-30
    early = population_readiness(inputs, levels, table, at=before)
    assert early.status[:, early.column("NIS2")].tolist() == [NOT_DUE, NOT_DUE, NOT_APPLICABLE,
                                                                NOT_APPLICABLE]
    assert not early.ready[:, early.column("NIS2")].any()
    assert early.summary("NIS2")["share_ready"] is None  # nothing due: no share, not 100 %
    every = population_readiness(inputs, levels, table, at=before, horizon_days=ALL_DEADLINES)
    assert every.status[:, every.column("NIS2")].tolist() == [READY, NOT_READY, NOT_APPLICABLE,
                                                                NOT_APPLICABLE]
    assert every.cutoff == dt.date.max
    # by group: one row per group, one column per status code
    by = every.by_group("NIS2", np.array([0, 0, 1, 1]))
    assert by.tolist() == [[0, 1, 1, 0, 0], [2, 0, 0, 0, 0]]


# ------------------------------------------------------------------ for other engines


@pytest.mark.parametrize("seed,at,horizon", [(4, AT, 0), (5, dt.date(2026, 3, 1), 400)])
def test_profiles_and_schedule_give_each_municipalitys_counting_requirements(fw, inputs, seed, at,
                                                                              horizon):
    """The roadmap and the lobby table work per condition profile with the schedule: for every
    municipality they must give the requirements the population run counts."""
    levels, countries, population, muni, country = _random_population(fw, inputs, 500, seed)
    table = resolve_population(inputs, countries, population, country_overrides=country,
                               municipality_overrides=muni)
    res = population_readiness(inputs, levels, table, at=at, horizon_days=horizon)
    prof = condition_profiles(inputs, table)
    rep = prof.table
    # members share every resolved condition, and profiles differ from one another
    np.testing.assert_array_equal(table.bools, rep.bools[:, prof.index])
    np.testing.assert_array_equal(table.dates, rep.dates[:, prof.index])
    assert len({(rep.bools[:, k].tobytes(), rep.dates[:, k].tobytes())
                for k in range(prof.size)}) == prof.size
    assert prof.size < 500 and prof.index[0] == 0  # numbered by first municipality
    sched = requirement_schedule(inputs, rep)
    c = sched.compiled
    counts = (sched.due[:, prof.index] <= res.cutoff.toordinal()) & c.req_legal[:, None]  # [R, M]
    for li in range(len(res.law_ids)):
        rows = np.flatnonzero(c.req_law == li)
        elements = c.req_elem[rows]
        n_required = np.zeros(500, dtype=np.int64)
        for el in np.unique(elements):
            n_required += counts[rows[elements == el]].any(axis=0)
        np.testing.assert_array_equal(n_required, res.n_required[:, li], err_msg=res.law_ids[li])


def test_a_laws_population_threshold_splits_profiles(inputs):
    table = resolve_population(inputs, ["PL"] * 4, [5_000, 60_000, np.nan, 50_000])
    assert condition_profiles(inputs, table).index.tolist() == [0, 0, 0, 0]
    draft = {"id": "BIG", "name": "Big towns only", "population_above": 50_000,
             "requirements": [{"element": "SEC-01", "min": 2, "deadline": "2026-01-01"}]}
    prof = condition_profiles(inputs, table, laws=[draft])
    assert prof.index.tolist() == [0, 1, 0, 0]  # unknown population: below, as the engine says
    sched = requirement_schedule(inputs, prof.table, laws=[draft])
    assert sched.due[0].tolist() == [NEVER, dt.date(2026, 1, 1).toordinal()]


def test_italys_nis2_threshold_splits_its_municipalities(inputs):
    table = resolve_population(inputs, ["IT", "IT", "IT", "PL", "EL", "DE"],
                               [150_000, 20_000, 250_000, 1e6, 1e6, 1e6])
    prof = condition_profiles(inputs, table)
    # PL and EL take the default flags alike; DE is out of NIS2 scope too, but its national date
    # (which dates the out-of-scope recommendation) differs
    assert prof.index.tolist() == [0, 1, 0, 2, 2, 3]
    sched = requirement_schedule(inputs, prof.table)
    nis2 = sched.compiled.req_law == sched.compiled.law_ids.index("NIS2")
    assert (sched.due[nis2, 0] == dt.date(2024, 10, 16).toordinal()).all()
    assert (sched.due[nis2, 1:] == NEVER).all()
    # out of scope, NIS2 recommends level 2 from the national date (or its applies_from)
    assert (sched.fallback_due[nis2, 0] == NEVER).all()
    assert (sched.fallback_due[nis2, 1] == dt.date(2024, 10, 16).toordinal()).all()


def test_grouped_readiness_equals_the_population_run_per_group(fw, inputs):
    levels, countries, population, muni, country = _random_population(fw, inputs, 400, 6)
    table = resolve_population(inputs, countries, population, country_overrides=country,
                               municipality_overrides=muni)
    at, horizon = dt.date(2026, 6, 1), 365
    groups = np.unique(countries, return_inverse=True)[1]
    grouped = readiness_by_group(inputs, levels, table, groups, at=at, horizon_days=horizon)
    assert grouped.n.tolist() == np.bincount(groups).tolist()
    for k in range(groups.max() + 1):
        rows = np.flatnonzero(groups == k)
        part = population_readiness(inputs, levels[rows], table.take(rows), at=at, horizon_days=horizon)
        for li, law in enumerate(part.law_ids):
            s = part.summary(law)
            assert grouped.status[k, li].tolist() == [s[n] for n in STATUS_NAMES], (k, law)
        for si, (law, el) in enumerate(grouped.slots):
            li = part.column(law)
            assert grouped.slot_gap[k, si] == part.gap_counts[li, el], (k, law, el)
            assert grouped.slot_unknown[k, si] == part.unknown_counts[li, el], (k, law, el)
    with pytest.raises(ValueError, match="group"):
        readiness_by_group(inputs, levels, table, groups[:-1], at=at)


# ------------------------------------------------------------------ composed profiles


def test_what_if_of_an_existing_law_equals_its_column(fw, inputs):
    levels, countries, population, muni, country = _random_population(fw, inputs, 500, 4)
    table = resolve_population(inputs, countries, population, country_overrides=country,
                               municipality_overrides=muni)
    full = population_readiness(inputs, levels, table, at=AT, horizon_days=365)
    for law_id in ("GDPR", "NIS2", "EIDAS", "AI_ACT"):
        profile = yaml.safe_load(law_to_yaml(fw.law_by_id[law_id]))
        w = what_if(inputs, profile, levels, table, at=AT, horizon_days=365)
        col = full.column(law_id)
        assert np.array_equal(w.result.status[:, 0], full.status[:, col])
        assert np.array_equal(w.result.ambition_status[:, 0], full.ambition_status[:, col])
        assert w.summary == full.summary(law_id)


def test_draft_profile_in_the_appendix_shape(fw, inputs):
    draft = {"id": "DRAFT_CYBER", "name": "Draft: basic cyber hygiene",
             "requirements": [{"element": "SEC-01", "min": 2, "deadline": "2027-06-01"},
                              {"element": "INF-04", "min": 3, "deadline": "2028-01-01",
                               "applies_if": "uses_ai"}]}
    law = validate_profile(draft, inputs)
    assert (law.status, law.short, law.in_force, law.name.en) == (
        "proposed", "DRAFT_CYBER", dt.date(2027, 6, 1), "Draft: basic cyber hygiene")
    again = validate_profile(yaml.safe_load(law_to_yaml(law)), inputs, draft=False)
    assert again == law  # the download is a complete law file
    levels = np.stack([at_level(fw, 2), at_level(fw, 1), at_level(fw, 2, INF_04=MISSING), at_level(fw, 4)])
    table = resolve_population(inputs, ["NL", "NL", "DE", "BE"], [50_000, 5_000, 20_000, 1_000])
    w = what_if(inputs, draft, levels, table, at=dt.date(2028, 1, 1))
    assert STATUS_NAMES[w.result.status[0, 0]] == "not_ready"  # INF-04 at 2 < 3
    assert STATUS_NAMES[w.result.status[1, 0]] == "not_ready"
    assert STATUS_NAMES[w.result.status[2, 0]] == "unknown"
    assert STATUS_NAMES[w.result.status[3, 0]] == "ready"
    assert w.lacking() == [("INF-04", 2, 1), ("SEC-01", 1, 0)]
    # a population threshold: only municipalities with more inhabitants
    w2 = what_if(inputs, {**draft, "population_above": 10_000}, levels, table, at=dt.date(2028, 1, 1))
    assert [STATUS_NAMES[s] for s in w2.result.status[:, 0]] == ["not_ready", "not_applicable", "unknown",
                                                                  "not_applicable"]


@pytest.mark.parametrize("change,field,words", [
    (lambda d: d["requirements"][0].update(min=5), "requirements.0.min", "less than or equal to 4"),
    (lambda d: d["requirements"][0].update(element="SRV-99"), "requirements.0.element", "unknown element"),
    (lambda d: d["requirements"][1].update(applies_if="has_a_castle"), "requirements.1.applies_if",
     "unknown condition"),
    (lambda d: d["requirements"][0].update(deadline="next year"), "requirements.0.deadline", "date"),
    (lambda d: d["requirements"][0].pop("deadline"), "requirements.0.deadline", "exactly one"),
    (lambda d: d["requirements"][0].update(deadline_ref="nis2_date"), "requirements.0.deadline",
     "exactly one"),
    (lambda d: d["requirements"][0].update(deadline_ref="uses_ai", deadline=None),
     "requirements.0.deadline_ref", "not a date condition"),
    (lambda d: d["requirements"][1].update(applies_if="nis2_date"), "requirements.1.applies_if",
     "is a date"),
    (lambda d: d["requirements"][0].update(status="optional"), "requirements.0.status", "required"),
    (lambda d: d["requirements"][0].update(level=3), "requirements.0.level", "not a known field"),
    (lambda d: d.update(requirements=[]), "requirements", "at least 1"),
    (lambda d: d.pop("requirements"), "requirements", "is missing"),
    (lambda d: d.update(id="draft law"), "id", "pattern"),
    (lambda d: d.update(celex=["2024/1689"]), "celex.0", "pattern"),
    (lambda d: d.update(population_above=-1), "population_above", "greater than or equal to 0"),
])
def test_malformed_draft_profile_names_the_field(inputs, change, field, words):
    draft = {"id": "DRAFT", "name": "Draft",
             "requirements": [{"element": "SEC-01", "min": 2, "deadline": "2027-06-01"},
                              {"element": "INF-04", "min": 3, "deadline": "2028-01-01"}]}
    change(draft)
    with pytest.raises(ProfileError) as info:
        validate_profile(draft, inputs)
    assert info.value.field == field
    assert field in str(info.value) and words in str(info.value), str(info.value)


def test_profile_must_be_a_mapping_and_complete_when_strict(inputs):
    with pytest.raises(ProfileError, match="must be a mapping"):
        validate_profile(["SEC-01"], inputs)
    with pytest.raises(ProfileError, match="in_force: is missing"):
        validate_profile({"id": "D", "name": "D", "requirements": [
            {"element": "SEC-01", "min": 2, "deadline_ref": "nis2_date"}]}, inputs)
    with pytest.raises(ProfileError, match="summary: is missing"):
        validate_profile({"id": "D", "name": {"nl": "D", "en": "D"}, "short": "D", "celex": [],
                          "in_force": "2027-01-01", "status": "proposed",
                          "requirements": [{"element": "SEC-01", "min": 2, "deadline": "2027-06-01"}]},
                         inputs, draft=False)
    with pytest.raises(ProfileError, match=r"name: .*valid dictionary"):
        validate_profile({"id": "D", "name": "D", "short": "D", "celex": [], "in_force": "2027-01-01",
                          "status": "proposed", "summary": {"nl": "x", "en": "x"},
                          "requirements": [{"element": "SEC-01", "min": 2, "deadline": "2027-06-01"}]},
                         inputs, draft=False)


def test_explanations_serialise(fw, inputs):
    r = municipality_readiness(inputs, at_level(fw, 3, SEC_01=MISSING), country="IT", population=120_000,
                               at=AT, horizon_days=365)
    d = r.to_dict()
    assert d["at"] == "2026-11-27" and d["cutoff"] == "2027-11-27"
    nis2 = next(x for x in d["laws"] if x["law"] == "NIS2")
    assert nis2["legal"]["status"] == "unknown"
    assert nis2["requirements"][0]["condition"]["origin"] == "member_state"
    yaml.safe_dump(d)  # plain data only


def _asdict_jsonable(x):
    """to_dict as it was before it walked the dataclasses itself: dataclasses.asdict, then dates
    ISO, NaN None, tuples lists (the reference the faster walk must equal)."""
    if isinstance(x, dict):
        return {k: _asdict_jsonable(v) for k, v in x.items()}
    if isinstance(x, list | tuple):
        return [_asdict_jsonable(v) for v in x]
    if isinstance(x, dt.date):
        return x.isoformat()
    if isinstance(x, float) and x != x:
        return None
    return x


def test_to_dict_equals_asdict(fw, inputs):
    """The API's answer (to_dict) is what asdict gave, for varied levels, countries, sizes
    (unknown population: NaN), dates and horizons, down to key order and types."""
    import dataclasses
    import json
    import random

    rng = random.Random(7)
    countries = ["NL", "DE", "FR", "IT", "ES", "BE", "AT", "DK", "PL", "SE"]
    for _ in range(60):
        lv = np.array([rng.choice([MISSING, 0, 1, 2, 3, 4]) for _ in fw.element_ids], dtype=np.int8)
        r = municipality_readiness(
            inputs, lv, country=rng.choice(countries),
            population=rng.choice([None, 800.0, 12_000.0, 120_000.0, 2_000_000.0]),
            at=AT + dt.timedelta(days=rng.randrange(0, 1500)),
            horizon_days=rng.choice([0, 365, ALL_DEADLINES]))
        new, old = r.to_dict(), _asdict_jsonable(dataclasses.asdict(r))
        assert new == old
        assert json.dumps(new) == json.dumps(old)
