"""Is a municipality's survey coverage thin? Pure logic for the roadmap's warning.

A roadmap rests on the answers behind it. It is flagged *thin* when any of these holds:
- fewer than MIN_RESPONDENTS people answered and none of them holds an IT-leadership role
  (CIO, CISO, CDO, CTO, information-security officer or information manager): nobody who
  oversees the whole field rated it;
- a fifth or more of the elements have no known level ("don't know" or not answered).
`coverage_reasons` says which of these hold, so the page can say why.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

MIN_RESPONDENTS = 3
MAX_UNKNOWN_SHARE = 0.2
LEAD_ROLES = re.compile(r"\b(cio|ciso|cdo|cto|iso|chief|information[_ ]?(security|manager)|"
                        r"informatie[_ ]?(beveiliging|manager)|security[_ ]?officer)\b", re.I)


@dataclass(frozen=True)
class Coverage:
    respondents: int
    roles: tuple[str, ...]
    known: int
    elements: int
    reasons: tuple[str, ...]  # "no_lead", "many_unknown"

    @property
    def thin(self) -> bool:
        return bool(self.reasons)

    @property
    def unknown(self) -> int:
        return self.elements - self.known


def split_roles(roles: str | None) -> tuple[str, ...]:
    """'CIO, DPO' (as the build aggregates them) -> ('CIO', 'DPO'); empty roles dropped."""
    return tuple(r.strip() for r in (roles or "").split(",") if r.strip())


def has_lead(roles: tuple[str, ...]) -> bool:
    return any(LEAD_ROLES.search(r.replace("-", " ")) for r in roles)


def coverage_reasons(respondents: int, roles: tuple[str, ...], known: int, elements: int
                     ) -> tuple[str, ...]:
    out = []
    if respondents < MIN_RESPONDENTS and not has_lead(roles):
        out.append("no_lead")
    if elements and (elements - known) / elements >= MAX_UNKNOWN_SHARE:
        out.append("many_unknown")
    return tuple(out)


def coverage(respondents: int, roles: str | None, known: int, elements: int) -> Coverage:
    r = split_roles(roles)
    return Coverage(int(respondents), r, int(known), int(elements),
                    coverage_reasons(int(respondents), r, int(known), int(elements)))
