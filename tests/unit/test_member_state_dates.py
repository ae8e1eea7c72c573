"""A member-state date across member states: the default and the member states that differ,
exactly as the readiness engine resolves a municipality's date (member_states.yaml)."""

from __future__ import annotations

import datetime as dt

import pytest

from pipelines.framework import BoolFlag, DateFlag, MemberState, MemberStates
from pipelines.maturity.member_state_dates import CountryDate, member_state_dates
from pipelines.maturity.readiness import readiness_inputs, resolve_municipality


@pytest.fixture(scope="module")
def inputs(fw):
    return readiness_inputs(fw)


def test_nis2_has_no_default_date_and_lists_the_national_dates(inputs):
    d = member_state_dates(inputs, "nis2_date")
    assert d.condition == "nis2_date" and d.default is None and d.default_confidence == "check"
    by = {c.country: c for c in d.differs}
    assert by["BE"] == CountryDate("BE", dt.date(2024, 10, 18), "verified")
    assert by["NL"] == CountryDate("NL", dt.date(2026, 6, 30), "check")
    # FR and FI set the flag, but to null like the default: they do not differ
    assert "FR" not in by and "FI" not in by
    assert [c.country for c in d.differs] == sorted(by)
    assert not d.uniform


def test_a_date_no_member_state_changes_is_uniform(inputs):
    wallet = member_state_dates(inputs, "eudi_wallet_date")
    assert wallet.default == dt.date(2026, 12, 24) and wallet.uniform and wallet.differs == ()
    # derived from einvoicing_subcentral_postponed (unknown: the later date)
    assert member_state_dates(inputs, "einvoicing_deadline").default == dt.date(2020, 4, 18)


def test_agrees_with_the_engine_for_every_country(inputs):
    listed = sorted(inputs.member_states.countries)
    assert "PL" not in listed  # a country member_states.yaml does not list takes the default
    for ref in inputs.date_conditions:
        d = member_state_dates(inputs, ref)
        own = {c.country: c.date for c in d.differs}
        for country in [*listed, "PL"]:
            assert resolve_municipality(inputs, country)[ref].value == own.get(country, d.default), \
                (ref, country)


def test_derived_and_own_dates_of_a_member_state(fw):
    flag = dict(confidence="verified", source="test")
    states = MemberStates(default=fw.member_states.default, countries={
        **fw.member_states.countries,
        "PL": MemberState(code="PL", name="Poland",
                          eudi_wallet_date=DateFlag(value=dt.date(2027, 3, 1), **flag),
                          einvoicing_subcentral_postponed=BoolFlag(value=False, **flag))})
    inputs = readiness_inputs(fw, member_states=states)
    assert member_state_dates(inputs, "eudi_wallet_date").differs == (
        CountryDate("PL", dt.date(2027, 3, 1), "verified"),)
    # einvoicing_deadline is derived: not postponed gives the earlier date
    assert member_state_dates(inputs, "einvoicing_deadline").differs == (
        CountryDate("PL", dt.date(2019, 4, 18), "verified"),)


def test_only_date_conditions(inputs):
    with pytest.raises(KeyError):
        member_state_dates(inputs, "nis2_in_scope")
    with pytest.raises(KeyError):
        member_state_dates(inputs, "no_such_condition")
