"""The Knowledge view's data (pure: no Dash): which element a URL asks for, the elements a search
finds, and the member-state dates of the laws that require an element."""

from __future__ import annotations

from urllib.parse import parse_qs

from dashboard import codev, laws
from dashboard.context import AppContext
from pipelines.maturity.member_state_dates import MemberStateDates, member_state_dates

ALL_BLOCKS = "all"  # an empty option value renders as a blank select, so "all" is explicit


def selected_element(search: str | None) -> str | None:
    """The element id of a URL query (?element=sec-01 -> SEC-01); None without one."""
    values = parse_qs((search or "").lstrip("?")).get("element")
    return values[0].strip().upper() if values else None


def element_hits(ctx: AppContext, query: str | None, block: str | None) -> list:
    """The elements a search finds in a block (ALL_BLOCKS or none: every block)."""
    block = None if block in (None, "", ALL_BLOCKS) else block
    return ctx.search_index.search(query or "", block)


def deadline_dates(ctx: AppContext, element_id: str) -> dict[str, MemberStateDates]:
    """The member-state dates (`deadline_ref`) of the laws requiring an element: per date
    condition its default date and the member states that differ, as the readiness engine
    resolves them."""
    refs = {r.deadline_ref for _, r in ctx.framework.laws_requiring(element_id) if r.deadline_ref}
    if not refs:
        return {}
    inp = laws.inputs(ctx)
    return {ref: member_state_dates(inp, ref) for ref in sorted(refs)}


def initiatives(ctx: AppContext, element_id: str, viewer: str | None
                ) -> tuple[list[dict], dict[str, int]]:
    """The element's open co-development initiatives as this asker may see them (names by the
    consent rule of dashboard/codev.py) and the counts: initiatives, co-developers, adopters."""
    who = codev.naming(ctx, ctx.warehouse.snapshot(), viewer)
    everything = list(ctx.initiatives.all().values())
    items = [codev.public(i, who) for i in codev.select(everything, who, element=element_id)]
    counts = codev.adoption(everything, who).get(
        element_id, {"initiatives": 0, "co_developer": 0, "adopter": 0})
    return items, counts
