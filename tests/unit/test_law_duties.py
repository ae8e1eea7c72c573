"""The legal-duty rules (data/framework/README.md) hold in every law file, and a recommendation
never moves a municipality's legal readiness: only duties count as "not ready"."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pipelines.framework import BUNDLED_ELEMENTS, MAX_DUTY_LEVEL, is_legal_duty
from pipelines.maturity.readiness import (
    ALL_DEADLINES,
    MISSING,
    municipality_readiness,
    population_readiness,
    readiness_inputs,
    resolve_population,
)

AT = dt.date(2026, 12, 6)


@pytest.fixture(scope="module")
def inputs(fw):
    return readiness_inputs(fw)


def _duties(fw):
    return [(law, r) for law in fw.all_laws for r in law.requirements if is_legal_duty(law, r)]


def test_no_legal_duty_above_level_3(fw):
    high = [(law.id, r.element, r.min) for law, r in _duties(fw) if r.min > MAX_DUTY_LEVEL]
    assert high == []


def test_every_legal_duty_names_an_article(fw):
    duties = _duties(fw)
    assert len(duties) > 20  # the real framework has duties; the rule is not vacuous
    missing = [(law.id, r.element) for law, r in duties if not (r.legal_basis or "").strip()]
    assert missing == []
    # an article, not a note reference: "Art." / "Annex" / "Recital" / a national act
    vague = [(law.id, r.legal_basis) for law, r in duties
             if not any(w in r.legal_basis for w in ("Art", "Annex", "§"))]
    assert vague == []


def test_bundled_elements_say_what_each_law_needs(fw):
    on_bundled = [(law, r) for law in fw.all_laws for r in law.requirements
                  if r.element in BUNDLED_ELEMENTS]
    assert on_bundled, "GOV-03 is asked by several laws"
    assert [(law.id, r.element) for law, r in on_bundled if r.needs is None] == []
    # each law's text is its own: two laws saying the same would not explain anything
    texts = [r.needs.en for _, r in on_bundled]
    assert len(set(texts)) == len(texts)


def test_the_third_party_laws_impose_no_duty(fw):
    # Issue 13: the CRA obliges manufacturers, importers and distributors; a municipality that
    # buys products has no CRA duty. The Data Act's duties sit with data holders and providers;
    # a public body is bound only when it makes a Chapter V request (a condition).
    cra = fw.law_by_id["CRA"]
    assert not any(is_legal_duty(cra, r) for r in cra.requirements)
    data_act = fw.law_by_id["DATA_ACT"]
    assert all(r.applies_if for r in data_act.requirements if is_legal_duty(data_act, r))
    dga = fw.law_by_id["DGA"]
    assert all(r.applies_if for r in dga.requirements if is_legal_duty(dga, r))


def test_sdgr_does_not_ask_for_the_wallet(fw):
    # SRV-02 level 3 is EUDI-wallet acceptance; the SDGR needs national and notified foreign
    # eIDs (level 2). The wallet duty is eIDAS's, from the wallet date.
    sdgr = fw.law_by_id["SDGR"]
    assert [r.min for r in sdgr.requirements if r.element == "SRV-02"] == [2]


def test_nis2_board_training_is_reachable_below_level_4(fw):
    # NIS2 Art. 20(2): members of the management body must follow training. It is a duty at
    # level 3 of PPL-03 and STR-02 (NIS2 asks both at 3), so level 3's descriptors say it, and
    # level 4 no longer does (before 1.3.0 board training was only at level 4).
    el = {e.id: e for e in fw.elements}
    assert "executive" in el["PPL-03"].levels[3].en and "training" in el["PPL-03"].levels[3].en
    assert "training" in el["STR-02"].levels[3].en
    assert "train" not in el["STR-02"].levels[4].en
    nis2 = fw.law_by_id["NIS2"]
    assert {r.element: r.min for r in nis2.requirements
            if r.element in ("PPL-03", "STR-02")} == {"PPL-03": 3, "STR-02": 3}


# ------------------------------------------------------------------ recommendations never count


def _law_and_levels():
    return st.tuples(st.integers(min_value=0, max_value=10_000),
                     st.lists(st.integers(min_value=-1, max_value=4), min_size=1, max_size=200))


@settings(max_examples=60, deadline=None)
@given(pick=_law_and_levels(), moved=st.integers(min_value=-1, max_value=4),
       horizon=st.sampled_from([ALL_DEADLINES, 0, 365]))
def test_recommended_elements_do_not_move_legal_status(fw, inputs, pick, moved, horizon):
    """Every mix of levels and don't-knows: setting every element that a law only recommends
    (no duty of that law is on it) to any level, or to don't-know, leaves the municipality's
    legal status for that law unchanged, in the single and the population engine."""
    seed, raw = pick
    n = len(fw.element_ids)
    levels = np.array([raw[i % len(raw)] for i in range(n)], dtype=np.int8)
    law = fw.all_laws[seed % len(fw.all_laws)]
    duty_elements = {r.element for r in law.requirements if is_legal_duty(law, r)}
    only_recommended = {r.element for r in law.requirements} - duty_elements
    other = levels.copy()
    for element in only_recommended:
        other[fw.element_ids.index(element)] = moved
    country = ("NL", "BE", "DE", "FR")[seed % 4]
    before = municipality_readiness(inputs, levels, country=country, at=AT, horizon_days=horizon,
                                    laws=[law.id]).law(law.id)
    after = municipality_readiness(inputs, other, country=country, at=AT, horizon_days=horizon,
                                   laws=[law.id]).law(law.id)
    assert after.legal.status == before.legal.status
    assert {g.element for g in after.legal.gaps} == {g.element for g in before.legal.gaps}
    # the recommendations themselves are never reported as legal gaps
    assert not {g.element for g in (*after.legal.gaps, *after.legal.unknown)} & only_recommended
    table = resolve_population(inputs, np.array([country, country]), np.array([np.nan, np.nan]))
    pop = population_readiness(inputs, np.stack([levels, other]), table, at=AT,
                               horizon_days=horizon)
    col = pop.column(law.id)
    assert pop.status[0, col] == pop.status[1, col]


def test_a_recommendation_below_its_level_is_an_ambition_gap_only(fw, inputs):
    # The opposite direction: a recommended element at 0 shows in the ambition result, and the
    # legal result stays ready when every duty is met.
    law = next(law for law in fw.laws
               if any(not is_legal_duty(law, r) for r in law.requirements)
               and any(is_legal_duty(law, r) and not r.applies_if for r in law.requirements))
    rec = next(r.element for r in law.requirements
               if not is_legal_duty(law, r)
               and r.element not in {d.element for d in law.requirements if is_legal_duty(law, d)})
    levels = np.full(len(fw.element_ids), 4, dtype=np.int8)
    levels[fw.element_ids.index(rec)] = 0
    lr = municipality_readiness(inputs, levels, country="NL", at=AT,
                                horizon_days=ALL_DEADLINES, laws=[law.id]).law(law.id)
    assert lr.legal.status == "ready"
    assert rec in {g.element for g in lr.ambition.gaps} or lr.ambition.status == "not_due"
    levels[fw.element_ids.index(rec)] = MISSING
    lr = municipality_readiness(inputs, levels, country="NL", at=AT,
                                horizon_days=ALL_DEADLINES, laws=[law.id]).law(law.id)
    assert lr.legal.status == "ready"
