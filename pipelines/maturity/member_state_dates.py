"""A member-state date across member states: the default date and the member states that differ.

A law requirement with `deadline_ref` (e.g. NIS2's `nis2_date`, eIDAS's `eudi_wallet_date`) has
no single EU date: its date is a date condition that the readiness engine resolves per country
from member_states.yaml (pipelines/maturity/readiness.py, `resolve_municipality` and `DERIVED`).
`member_state_dates` asks that same resolution for the date of a country that member_states.yaml
does not list (the default) and for every country it lists, and keeps the ones that differ, so a
page can say "2026-12-24 (default; differs per member state: BE 2026-06-01)". Pure: no Dash, no
files; it adds no rule of its own.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from pipelines.maturity.readiness import ReadinessInputs, resolve_municipality

# A country code member_states.yaml can never list (codes are two capital letters), so resolving
# it gives what every country not listed gets: the `default` entry's flags.
UNLISTED = ""


@dataclass(frozen=True)
class CountryDate:
    country: str  # 2-letter code as in member_states.yaml
    date: dt.date | None  # None = no date (nothing is due)
    confidence: str  # verified / check


@dataclass(frozen=True)
class MemberStateDates:
    """A date condition: the default date and the listed member states whose date differs."""

    condition: str
    default: dt.date | None  # None = no default date
    default_confidence: str  # verified / check
    differs: tuple[CountryDate, ...]  # by country code

    @property
    def uniform(self) -> bool:
        """True when every member state on record has the default date."""
        return not self.differs


def member_state_dates(inputs: ReadinessInputs, condition: str) -> MemberStateDates:
    """The default date of a date condition (a requirement's `deadline_ref`) and the member
    states whose date differs from it, resolved as the readiness engine resolves them for a
    municipality of that country without overrides. Date conditions do not depend on the
    population, so none is passed. KeyError for an unknown or true/false condition."""
    if inputs.condition_kind.get(condition) != "date":
        raise KeyError(f"{condition!r} is not a date condition")
    base = resolve_municipality(inputs, UNLISTED)[condition]
    differs = []
    for code in sorted(inputs.member_states.countries):
        own = resolve_municipality(inputs, code)[condition]
        if own.value != base.value:
            differs.append(CountryDate(code, own.value, own.confidence))
    return MemberStateDates(condition, base.value, base.confidence, tuple(differs))


__all__ = ["UNLISTED", "CountryDate", "MemberStateDates", "member_state_dates"]
