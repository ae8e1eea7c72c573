"""A hand-worked municipality whose readiness per law is what a lawyer would say after the 1.3.0
review (data/framework/README.md). Each expected answer carries its reason; if a law file
changes so that an answer changes, the reason says what to re-check.

The municipality: Dutch, 45,000 inhabitants, evaluated on 6 December 2026 with every deadline
counted (the Legislation tab's default). It uses AI (a chatbot) but no high-risk AI, publishes
no AI-generated content, makes no Data Act Chapter V request, offers no protected data for
re-use, holds no high-value or INSPIRE datasets and is no critical entity. It buys computers and
ticketing machines above the EU thresholds (EAA as buyer) and runs paid campaigns in local media
(EMFA Art. 25). Its answers: mostly level 3, with a yearly but voluntary awareness programme and
untrained management (PPL-03 = 2), a breach register but no NIS2 reporting chain (SEC-02 = 2),
model processing agreements (GOV-03 = 2), national and foreign eID but no wallet (SRV-02 = 2), no
publication of its advertising spending (ECO-02 = 1), and "don't know" for the once-only
technical system (SRV-03).
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest

from pipelines.maturity.readiness import (
    ALL_DEADLINES,
    MISSING,
    STATUS_NAMES,
    municipality_readiness,
    population_readiness,
    readiness_inputs,
    resolve_population,
)

AT = dt.date(2026, 12, 6)
POPULATION = 45_000
LEVELS = {"PPL-03": 2, "SEC-02": 2, "GOV-03": 2, "SRV-02": 2, "SRV-06": 2, "SRV-07": 2,
          "GOV-01": 2, "GOV-05": 2, "ECO-02": 1, "SRV-03": MISSING}
FACTS = {"uses_ai": True, "publishes_ai_generated_content": False, "deploys_high_risk_ai": False,
         "makes_exceptional_need_request": False, "offers_protected_data_reuse": False,
         "holds_hvd_dataset": False, "holds_hvd_geospatial": False, "inspire_data_holder": False,
         "municipality_is_critical_entity": False, "designated_critical_entity": False,
         "procures_eaa_products_services": True, "provides_eaa_service": False,
         "places_state_advertising": True, "acts_as_vat_taxable_person": False,
         "holds_dynamic_data": False, "provides_trans_european_service": False,
         "sets_trans_european_requirements": False}

# law -> (status, legal gap elements, unknown elements, why a lawyer says so)
EXPECTED = {
    "NIS2": ("not_ready", {"PPL-03", "SEC-02"}, set(),
             "NL brings every municipality into scope (Cyberbeveiligingswet); the management body "
             "must follow training (Art. 20(2)) and significant incidents must be reported in 24 h "
             "/ 72 h (Art. 23): PPL-03 and SEC-02 are below 3. The national date is unverified."),
    "GDPR": ("ready", set(), set(),
             "A breach procedure with a register meets Art. 33(1), 33(5) and 34 (SEC-02 = 2: no SOC "
             "needed); a model processing agreement meets Art. 28(3) (GOV-03 = 2); DPO, records, "
             "DPIAs (GOV-04 = 3), security (SEC-01 = 3) and retention (GOV-06 = 3) are in place."),
    "CRA": ("not_applicable", set(), set(),
            "The CRA obliges manufacturers, importers and distributors; a buyer has no CRA duty."),
    "DATA_ACT": ("not_applicable", set(), set(),
                 "The municipality's Data Act position is that of customer and user (rights); it "
                 "made no Chapter V request, the only route by which the Act binds a public body."),
    "DGA": ("not_applicable", set(), set(),
            "The DGA binds a public body only where it allows re-use of protected data it holds."),
    "AI_ACT": ("ready", set(), set(),
               "As deployer of a non-high-risk chatbot: no prohibited practice (Art. 5, an AI policy "
               "at GOV-05 = 2) and AI-literacy measures (Art. 4, PPL-03 = 2). No deepfakes published "
               "(Art. 50(4)) and no high-risk AI (Art. 26)."),
    "EAA": ("ready", set(), set(),
            "As contracting authority its ICT tenders carry accessibility requirements (GOV-03 = 2, "
            "Art. 24(1) with Dir. 2014/24/EU Art. 42(1)); it provides no EAA service itself."),
    "EIDAS": ("not_ready", {"SRV-02"}, set(),
              "Notified foreign eIDs are accepted (Art. 6, met at 2), but counted against every "
              "deadline, relying-party acceptance of the EUDI Wallet (Art. 5f(1), due 24 Dec 2026, "
              "an unverified date) needs SRV-02 = 3."),
    "EINVOICING": ("ready", set(), set(),
                   "It receives and processes EN 16931 e-invoices and tenders above the thresholds "
                   "electronically (SRV-07 = 2; Art. 7, Dir. 2014/24/EU Art. 22(1))."),
    "GIA": ("ready", set(), set(),
            "As owner of physical infrastructure and permit authority it meets access requests and "
            "works through the single information point (INF-01 = 3)."),
    "HVD": ("not_applicable", set(), set(), "It holds no high-value dataset."),
    "INSPIRE": ("not_applicable", set(), set(), "It holds no spatial dataset within INSPIRE."),
    "IEA": ("not_applicable", set(), set(),
            "It provides no trans-European service and sets no binding requirements for one."),
    "ODD": ("ready", set(), set(),
            "No exclusive re-use arrangements (GOV-03 = 2, Art. 12); it holds no dynamic data, and "
            "open data by default is for member states to encourage."),
    "SDGR": ("unknown", set(), {"SRV-03"},
             "Everything it answered meets the SDGR (online procedures, eID at 2, online payment, "
             "evidence as provider), but it does not know whether its procedures request evidence "
             "through the once-only technical system (Art. 14(7)): unknown, not ready and not "
             "not-ready."),
    "WAD": ("ready", set(), set(), "All websites and apps audited, statements current (SRV-05 = 3)."),
    "DDPP": ("not_applicable", set(), set(),
             "The Digital Decade targets bind the Union and the member states, not municipalities."),
    "CER": ("not_applicable", set(), set(), "The municipality itself is no critical entity."),
    "EMFA": ("not_ready", {"ECO-02"}, set(),
             "It spends public money on advertising in local media, so it must publish the award "
             "criteria and the yearly spending (Art. 25(1)-(2)); the population exemption covers "
             "only naming business groups. ECO-02 = 1 does not publish."),
    "VIDA": ("not_applicable", set(), set(), "It does not act as a VAT taxable person."),
    "WHISTLEBLOWER": ("ready", set(), set(),
                      "More than 10,000 inhabitants: a confidential internal reporting channel "
                      "(GOV-01 = 2, Art. 8, 9) and GDPR-compliant handling of reports (GOV-04 = 3)."),
}


@pytest.fixture(scope="module")
def inputs(fw):
    return readiness_inputs(fw)


def _levels(fw) -> np.ndarray:
    lv = np.full(len(fw.element_ids), 3, dtype=np.int8)
    for element, level in LEVELS.items():
        lv[fw.element_ids.index(element)] = level
    return lv


def _mine(inputs, fw, horizon=ALL_DEADLINES):
    return municipality_readiness(inputs, _levels(fw), country="NL", population=POPULATION, at=AT,
                                  horizon_days=horizon, overrides=FACTS)


def test_every_law_is_in_the_fixture(fw):
    assert set(EXPECTED) == {law.id for law in fw.all_laws}


@pytest.mark.parametrize("law_id", sorted(EXPECTED))
def test_readiness_is_what_a_lawyer_says(fw, inputs, law_id):
    status, gaps, unknown, why = EXPECTED[law_id]
    lr = _mine(inputs, fw).law(law_id)
    assert (lr.legal.status, {g.element for g in lr.legal.gaps},
            {g.element for g in lr.legal.unknown}) == (status, gaps, unknown), why


def test_every_counting_duty_names_its_article(fw, inputs):
    for lr in _mine(inputs, fw).laws:
        for c in lr.requirements:
            if c.counts_for == "legal":
                assert c.legal_duty and c.legal_basis and "Art" in c.legal_basis, (lr.law, c.element)
            if not c.legal_duty:
                assert c.counts_for != "legal", (lr.law, c.element)


def test_unverified_dates_are_marked_on_the_gaps(fw, inputs):
    mr = _mine(inputs, fw)
    # NIS2: the gaps rest on NL's national date (2026-06-30, confidence check)
    nis2 = mr.law("NIS2")
    assert {g.confidence for g in nis2.legal.gaps} == {"check"}
    assert all(c.unverified and c.deadline_from.confidence == "check"
               for c in nis2.requirements if c.counts_for == "legal")
    # eIDAS: the wallet date is unverified; the 2018 duty is not
    eidas = mr.law("EIDAS")
    assert [g.confidence for g in eidas.legal.gaps] == ["check"]
    old = next(c for c in eidas.requirements if c.element == "SRV-02" and c.min == 2)
    assert not old.unverified
    # GDPR is verified throughout
    assert not any(c.unverified for c in mr.law("GDPR").requirements if c.counts_for == "legal")


def test_due_by_the_evaluation_date_changes_only_the_future_duties(fw, inputs):
    # Horizon 0: the wallet duty (24 Dec 2026) is not yet due, so eIDAS is ready; NIS2's
    # national date has passed, so it stays not ready.
    mr = _mine(inputs, fw, horizon=0)
    assert mr.law("EIDAS").legal.status == "ready"
    assert mr.law("NIS2").legal.status == "not_ready"
    assert mr.law("EMFA").legal.status == "not_ready"


def test_population_engine_agrees(fw, inputs):
    table = resolve_population(inputs, np.array(["NL"]), np.array([float(POPULATION)]),
                               ids=np.array(["NL_X"]), municipality_overrides={"NL_X": FACTS})
    pop = population_readiness(inputs, _levels(fw)[None, :], table, at=AT,
                               horizon_days=ALL_DEADLINES)
    got = {law: STATUS_NAMES[pop.status[0, pop.column(law)]] for law in pop.law_ids}
    assert got == {law: v[0] for law, v in EXPECTED.items()}


def test_the_ambition_view_keeps_the_recommendations(fw, inputs):
    mr = _mine(inputs, fw)
    # CRA: tracking support periods and CE conformity in tenders is good practice (GOV-03 = 3)
    cra = mr.law("CRA")
    assert cra.ambition.status == "not_ready" and {g.element for g in cra.ambition.gaps} == {"GOV-03"}
    # GDPR: staff awareness is recommended, and met at 2
    assert mr.law("GDPR").ambition.status == "ready"
