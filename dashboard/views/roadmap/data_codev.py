"""The co-development menu of one municipality's roadmap (seed 004, issue 19): per recommended
first-phase element, the open initiatives it could join, the nearest municipalities that master
the element (level >= 3, named only where allowed) and those whose next step it is too, each
match explained in words: same next step, similar size, same region or country, nearness, and
complementary strengths (building blocks where one is at least a level ahead of the other).
Pure: no Dash. The consent rule of every name is dashboard/codev.py's and kickstart's.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from dashboard import codev
from dashboard.components.numbers import fmt_int
from dashboard.context import AppContext
from dashboard.i18n import t
from dashboard.store import Snapshot
from dashboard.views.roadmap import data as rd
from pipelines.maturity.kickstart import ElementHelp, Match

AHEAD = 1.0  # a block score this much higher is a strength the other lacks
SHOWN_BLOCKS = 2  # strengths named per direction (the largest differences)
MENU_K = 3  # partners per list (the Who can help card beside it lists 5)


@dataclass(frozen=True)
class Partner:
    municipality_id: str
    name: str
    level: int | None
    why: str  # the match in words


@dataclass(frozen=True)
class ElementMenu:
    element: str
    name: str
    initiatives: tuple[dict, ...]  # codev.public, the asker's view; open to join or the asker's
    masters: tuple[Partner, ...]
    masters_total: int
    masters_not_named: int
    next_step: tuple[Partner, ...]
    next_total: int | None
    next_not_named: int | None


def strengths(snap: Snapshot, w: int, row: int, other: int) -> tuple[list[str], list[str]]:
    """Block ids where `other` is at least AHEAD ahead of `row` (it can teach) and where `row`
    is ahead of `other` (it brings), both scores known; largest difference first."""
    p = rd.profiles(snap, w)
    blocks = snap.maturity.blocks
    both = (p.known[row] > 0) & (p.known[other] > 0)
    diff = np.where(both, p.values[other] - p.values[row], 0)
    order = np.argsort(-np.abs(diff), kind="stable")
    return ([blocks[b] for b in order if diff[b] >= AHEAD],
            [blocks[b] for b in order if -diff[b] >= AHEAD])


def explain(ctx: AppContext, snap: Snapshot, w: int, row: int, match: Match, *, next_step: bool,
            lang: str) -> str:
    """Why this partner, in words."""
    why = [t("codev.why.next_step", lang)] if next_step else []
    if match.same_region:
        why.append(t("codev.why.same_region", lang))
    elif match.same_country:
        why.append(t("codev.why.same_country", lang))
    if match.same_size:
        why.append(t("codev.why.same_size", lang))
    if match.distance_km is not None and match.distance_km < 150:
        why.append(t("codev.why.km", lang, km=fmt_int(round(match.distance_km), lang)))
    names = {b.id: b.name.get(lang) for b in ctx.framework.blocks}
    teach, bring = (x[:SHOWN_BLOCKS] for x in strengths(snap, w, row, match.row))
    if teach:
        why.append(t("codev.why.teaches", lang, blocks=", ".join(names[b] for b in teach)))
    if bring:
        why.append(t("codev.why.brings", lang, blocks=", ".join(names[b] for b in bring)))
    return "; ".join(why) if why else t("codev.why.other", lang)


def _partners(ctx, snap, w, row, matches, *, next_step: bool, lang: str) -> tuple[Partner, ...]:
    mids = snap.maturity.municipality_ids
    names = ctx.municipalities["name"]
    return tuple(Partner(str(mids[m.row]), str(names.iat[m.row]), m.level,
                         explain(ctx, snap, w, row, m, next_step=next_step, lang=lang))
                 for m in matches[:MENU_K])


def menu(ctx: AppContext, snap: Snapshot, w: int, row: int, helps: list[ElementHelp] | None,
         who: codev.Naming, lang: str) -> list[ElementMenu]:
    """The menu of each first-phase element (`helps`: rd.who_can_help of the roadmap)."""
    names = rd.element_names(ctx, lang)
    everything = list(ctx.initiatives.all().values())
    out = []
    for h in helps or ():
        inis = [codev.public(i, who) for i in codev.select(everything, who, element=h.element)]
        out.append(ElementMenu(
            h.element, names[h.element], tuple(inis),
            _partners(ctx, snap, w, row, h.helpers, next_step=False, lang=lang),
            h.helpers_total, h.helpers_hidden,
            _partners(ctx, snap, w, row, h.partners, next_step=True, lang=lang),
            h.partners_total, h.partners_hidden))
    return out
