"""Co-development initiatives as every output shows them (API, Roadmap tab, Knowledge page):
the one place that decides who is named. Pure, no Dash.

Consent rule (README, "Privacy model"): an initiative's owner and members are named only where
that municipality's results may be shown by name (it consented, or DS4E_VISIBILITY=open), or to
the holder of that municipality's own survey link (`viewer`); the others are counted ("2 more
municipalities, not named"), and nothing else about them is shown (no country, no region, no
join time). A list by municipality is answered only for a municipality that may be named to
the asker: otherwise the list itself would say what a non-consenting municipality takes part in.
Hidden initiatives appear nowhere, except to a coordinator.
"""

from __future__ import annotations

import threading
import weakref
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

from pipelines.csv_safe import safe_frame
from pipelines.survey.initiatives import ROLES, Initiative

CSV_COLUMNS = ("id", "element", "component", "description", "start", "kind", "created",
               "owner_id", "owner_name", "co_developers", "co_developers_not_named",
               "adopters", "adopters_not_named")


@dataclass(frozen=True)
class Naming:
    """Who may be named to this asker. `consent`: the municipalities whose results are public
    by name (all, under open visibility); `viewer`: the municipality of the asker's own survey
    link; `names`: municipality id -> name (the reference table)."""

    consent: frozenset[str]
    names: Mapping[str, str]
    viewer: str | None = None
    open: bool = False
    coordinator: bool = False

    def named(self, municipality_id: str) -> bool:
        return self.open or municipality_id in self.consent or municipality_id == self.viewer

    def person(self, municipality_id: str) -> dict:
        return {"municipality_id": municipality_id,
                "name": self.names.get(municipality_id, municipality_id)}


def naming(ctx, snap, viewer: str | None, *, coordinator: bool = False) -> Naming:
    """The naming rule of this app and build for this asker (snap None: nothing published, so
    nobody consented). The names and the consent set are made once per reference table and
    build (98,584 names take ~0.4 s to read out of the table)."""
    consent: frozenset[str] = frozenset()
    if snap is not None:
        consent = _cached(("consent", snap.build_id), snap, lambda: frozenset(
            np.asarray(snap.maturity.municipality_ids, dtype=str)[
                np.asarray(snap.consent, dtype=bool)].tolist()))
    ref = ctx.municipalities
    names = _cached(("names",), ref, lambda: dict(zip(
        ref["municipality_id"].astype(str).tolist(), ref["name"].astype(str).tolist(),
        strict=True)))
    return Naming(consent, names, viewer, ctx.settings.visibility == "open", coordinator)


_CACHE: dict = {}
_LOCK = threading.Lock()


def _cached(key: tuple, owner, make):
    """`make()` once per key and owner object (a new build or reference table: a new owner);
    the entries of owners that are gone are dropped."""
    full = (*key, id(owner))
    with _LOCK:
        hit = _CACHE.get(full)
        if hit is not None and hit[0]() is owner:
            return hit[1]
    value = make()
    with _LOCK:
        for k in [k for k, (ref, _) in _CACHE.items() if ref() is None]:
            del _CACHE[k]
        _CACHE[full] = (weakref.ref(owner), value)
    return value


def visible(initiatives: Iterable[Initiative], who: Naming) -> list[Initiative]:
    """Those the asker may see (hidden ones only to a coordinator), oldest first."""
    return sorted((i for i in initiatives if who.coordinator or not i.hidden),
                  key=lambda i: (i.created_at, i.id))


def select(initiatives: Iterable[Initiative], who: Naming, *, element: str | None = None,
           municipality: str | None = None) -> list[Initiative]:
    """Filter by element and by a municipality taking part (owner or member). The caller checks
    `who.named(municipality)` first (see the module docstring)."""
    out = visible(initiatives, who)
    if element is not None:
        out = [i for i in out if i.element == element]
    if municipality is not None:
        out = [i for i in out if i.involves(municipality)]
    return out


def public(ini: Initiative, who: Naming) -> dict:
    """One initiative as this asker may see it: named where allowed, the others counted."""
    members = {}
    for role in ROLES:
        mids = [m for m, r in ini.members.items() if r == role]
        shown = [who.person(m) for m in mids if who.named(m)]
        members[role] = {"named": shown, "not_named": len(mids) - len(shown), "total": len(mids)}
    out = {"id": ini.id, "element": ini.element, "component": ini.component,
           "description": ini.description, "start": ini.start.isoformat(), "kind": ini.kind,
           "created": ini.created_at[:10],
           "owner": who.person(ini.owner) if who.named(ini.owner) else None,
           "co_developers": members["co_developer"], "adopters": members["adopter"],
           "yours": yours(ini, who.viewer)}
    if who.coordinator:
        out["hidden"] = ini.hidden
        out["hidden_reason"] = ini.hidden_reason
    return out


def yours(ini: Initiative, viewer: str | None) -> str | None:
    """The viewer's part in it: 'owner', 'co_developer', 'adopter' or None."""
    if viewer is None:
        return None
    if viewer == ini.owner:
        return "owner"
    return ini.members.get(viewer)


def table(rows: list[dict]) -> pd.DataFrame:
    """The public dicts as a CSV-safe table (names joined with '; ')."""
    def names(part: dict) -> str:
        return "; ".join(f"{p['name']} ({p['municipality_id']})" for p in part["named"])
    records = [{"id": r["id"], "element": r["element"], "component": r["component"] or "",
                "description": r["description"], "start": r["start"], "kind": r["kind"],
                "created": r["created"],
                "owner_id": r["owner"]["municipality_id"] if r["owner"] else "",
                "owner_name": r["owner"]["name"] if r["owner"] else "",
                "co_developers": names(r["co_developers"]),
                "co_developers_not_named": r["co_developers"]["not_named"],
                "adopters": names(r["adopters"]), "adopters_not_named": r["adopters"]["not_named"]}
               for r in rows]
    return safe_frame(pd.DataFrame(records, columns=list(CSV_COLUMNS)))


def adoption(initiatives: Iterable[Initiative], who: Naming) -> dict[str, dict[str, int]]:
    """Per element: open initiatives and how many municipalities take part as co-developer and
    as adopter (counts only; the Knowledge page's summary)."""
    out: dict[str, dict[str, int]] = {}
    for ini in visible(initiatives, who):
        d = out.setdefault(ini.element, {"initiatives": 0, "co_developer": 0, "adopter": 0})
        d["initiatives"] += 1
        for role in ROLES:
            d[role] += ini.count(role)
    return out


def lister(who: Naming) -> Callable[[Initiative], dict]:
    return lambda ini: public(ini, who)
