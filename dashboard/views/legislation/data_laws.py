"""Facts about the laws and conditions as the Legislation view and the laws API show them: names,
labels, deadlines, whether a fact is unverified, and the condition overrides of the municipality
view (pure: no Dash)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from dashboard import laws
from dashboard.context import AppContext
from dashboard.lru import Lru
from pipelines.maturity.readiness import ReadinessInputs, resolve_municipality

DUE_WINDOW = 365  # "due in the next 12 months"
NIS2_CHOICES = ("all", "threshold", "none", "pending")


def law_name(law, lang: str) -> str:
    return law.name.get(lang) if hasattr(law.name, "get") else str(law.name)


def law_shorts(ctx: AppContext, lang: str) -> dict[str, str]:
    """Law id -> the short name a page in `lang` shows (AI_ACT -> "AI Act" / "AI-verordening")."""
    inp = laws.inputs(ctx)
    return {lid: laws.law_short(inp, lid, lang) for lid in inp.law_ids}


def condition_label(ctx: AppContext, cid: str, lang: str) -> str:
    """What the page shows for a condition id: its description in conditions.yaml, without the
    final full stop (competent_for_annex_ii_procedure -> "The municipality is competent for
    ..."); the id itself for an unknown condition."""
    for c in ctx.framework.conditions:
        if c.id == cid:
            return c.description.get(lang).rstrip(". ")
    return cid


def element_label(ctx: AppContext, eid: str, lang: str) -> str:
    """An element code with its name, "SEC-01 · Information security policy"."""
    el = ctx.framework.element_by_id.get(eid)
    return f"{eid} · {el.name.get(lang)}" if el is not None else eid


# resolve_municipality per law and country: ~40 of them per aggregate answer cost ~15 ms. The
# inputs (one object per framework, laws.inputs) and the law (one of theirs, or a draft) are
# kept in the entry, so that the ids in its key stay theirs and a draft is never confused.
_DEADLINES = Lru(512)


def law_deadlines(inp: ReadinessInputs, law, country: str | None) -> list[tuple[dt.date, bool]]:
    """(deadline, unverified) of a law's requirements; a member-state date for `country` (the
    default member-state entry at EU level). Sorted, distinct."""
    key = (id(inp), id(law), country)
    kept_inp, kept_law, value = _DEADLINES.get(
        key, lambda: (inp, law, _law_deadlines(inp, law, country)))
    if kept_inp is not inp or kept_law is not law:  # other objects at reused addresses
        value = _law_deadlines(inp, law, country)
    return list(value)


def _law_deadlines(inp: ReadinessInputs, law, country: str | None) -> tuple[tuple[dt.date, bool], ...]:
    cond = resolve_municipality(inp, country or "--")
    out: dict[dt.date, bool] = {}
    for r in law.requirements:
        ref = cond[r.deadline_ref] if r.deadline is None else None
        d = r.deadline if ref is None else ref.value
        if d is not None:
            out[d] = out.get(d, False) or r.confidence == "check" or (
                ref is not None and ref.confidence == "check")
    return tuple(sorted(out.items()))


def deadline_rows(inp: ReadinessInputs, country: str | None) -> list[tuple[str, dt.date, bool]]:
    """(law id, deadline, unverified) of every law's deadlines (law_deadlines), for the timeline."""
    return [(law_id, d, unv) for law_id in inp.law_ids
            for d, unv in law_deadlines(inp, inp.law(law_id), country)]


def timing(d: dt.date | None, at: dt.date) -> str:
    if d is None:
        return "no_date"
    if d <= at:
        return "overdue"
    if d <= at + dt.timedelta(days=DUE_WINDOW):
        return "due_12m"
    return "later"


def unverified(law) -> bool:
    """A fact of the law file itself (law or requirement) is not confirmed by a primary source."""
    return law.confidence == "check" or any(r.confidence == "check" for r in law.requirements)


def country_conditions(inp: ReadinessInputs, countries) -> dict[str, dict]:
    """Every condition resolved per country (no municipality attributes): member-state facts."""
    return {c: resolve_municipality(inp, c) for c in sorted(set(countries))}


def unverified_countries(inp: ReadinessInputs, law, conditions: Mapping[str, Mapping]) -> list[str]:
    """The countries (keys of `conditions`, from `country_conditions`) whose member-state facts
    behind this law's figures are unconfirmed: the national date a deadline comes from
    (`deadline_ref`) or a member-state condition that decides whether a requirement applies
    (NIS2 scope). Framework rule 5: the Legislation tab says which figures rest on such a fact."""
    refs = {r.deadline_ref for r in law.requirements if r.deadline is None and r.deadline_ref}
    refs |= {r.applies_if for r in law.requirements
             if r.applies_if and inp.condition_source.get(r.applies_if) == "member_state"}
    return [c for c, cond in conditions.items()
            if any(cond[x].confidence == "check" for x in refs)]


def condition_overrides(inp: ReadinessInputs, resolved: Mapping[str, Any], checked) -> dict:
    """Municipality-condition overrides from a checklist: only where it differs from the value
    without overrides (so that the origin of the others stays visible)."""
    checked = set(checked or [])
    out = {}
    for c in municipality_conditions(inp):
        want = c in checked
        if bool(resolved[c].value) != want:
            out[c] = want
    return out


def municipality_conditions(inp: ReadinessInputs) -> list[str]:
    return [c for c in inp.bool_conditions if inp.condition_source[c] == "municipality"]


def country_overrides(country: str, nis2: str | None) -> dict:
    if nis2 in NIS2_CHOICES and country:
        return {country: {"nis2_local_scope": nis2}}
    return {}
