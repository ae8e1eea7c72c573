"""The Legislation view's state in its URL (permalinks): read a query with unknown values
replaced by defaults (and a notice saying so), write a state back, and turn control values into
a selection the data functions accept."""

from __future__ import annotations

import datetime as dt
from urllib.parse import urlencode

import pandas as pd

from dashboard import laws
from dashboard.components.municipality_picker import search_index
from dashboard.context import AppContext
from dashboard.lru import Lru
from dashboard.views.legislation import data as ld
from dashboard.views.legislation.data_laws import NIS2_CHOICES
from dashboard.views.legislation.ids import ANY, VIEWS
from pipelines.reference import SIZE_CLASS_KEYS

HORIZON_CHOICES = (ld.ALL, "0", "90", "365", "730", "1825")


def parse_state(query: dict | None, ctx: AppContext | None = None) -> dict:
    """The state a URL asks for, with unknown values replaced by defaults; `notices` lists what
    was replaced (as i18n keys with values), so that the page says so instead of showing the
    default's numbers as if they were asked for. Without `ctx` only the format is checked."""
    q = query or {}
    notices: list = []
    view = q.get("view") or "aggregate"
    if view not in VIEWS:
        notices.append(("url.notice.view", {"value": view, "fallback": "aggregate"}))
        view = "aggregate"
    size = q.get("size") or None
    if size is not None and size not in SIZE_CLASS_KEYS:
        notices.append(("url.notice.size", {"value": size}))
        size = None
    state = {
        "view": view,
        "country": (q.get("country") or "").strip().upper() or None,
        "nuts2": (q.get("nuts2") or "").strip().upper() or None,
        "size": size,
        "law": q.get("law") or None,
        "m": (q.get("m") or "").strip() or None,
        "nis2": q.get("nis2") if q.get("nis2") in NIS2_CHOICES else None,
        "on": [c for c in (q.get("on") or "").split(",") if c],
        "draft": q.get("draft") or None,
        "draft_id": q.get("draft_id") or None,
        "draft_pop": q.get("draft_pop") or None,
    }
    try:
        state["at"] = ld.parse_at(q.get("at"))
    except ValueError:
        state["at"] = laws.today()
        notices.append(("url.notice.date", {"value": q.get("at"),
                                            "fallback": state["at"].isoformat()}))
    try:
        state["horizon"] = ld.parse_horizon(q.get("horizon"))
    except ValueError:
        state["horizon"] = ld.DEFAULT_HORIZON
        notices.append(("url.notice.horizon", {"value": q.get("horizon"), "max": ld.MAX_HORIZON,
                                               "fallback": "url.fallback.all_deadlines"}))
    if ctx is not None:
        notices += _check_codes(ctx, state)
    state["notices"] = notices
    return state


_PLACES = Lru(4)  # per reference folder: a few hundred codes


def place_codes(ctx: AppContext) -> dict[str | None, frozenset[str]]:
    """The NUTS 2 codes per country (None: of every country) and the countries (the keys),
    from the reference table once per reference folder: reading its 98,584 rows per page
    visit cost the EU legislation page ~200 ms."""
    def make():
        ref = ctx.municipalities
        pairs = pd.DataFrame({"country": ref["country"].astype(str),
                              "nuts2": ref["nuts2"].astype(object)})
        by_country: dict[str | None, frozenset[str]] = {
            str(c): frozenset(str(v) for v in g["nuts2"].dropna())
            for c, g in pairs.groupby("country", sort=False)}
        by_country[None] = frozenset(str(v) for v in pairs["nuts2"].dropna())
        return by_country
    return _PLACES.get(str(ctx.settings.reference_dir), make)


def _check_codes(ctx: AppContext, state: dict) -> list:
    """Country, region, municipality and law of the state against the reference data."""
    notices = []
    codes = place_codes(ctx)
    if state["country"] and state["country"] not in codes:
        notices.append(("url.notice.country", {"value": state["country"],
                                                 "fallback": "url.fallback.eu"}))
        state["country"] = None
    if state["nuts2"] and state["nuts2"] not in codes[state["country"] or None]:
        notices.append(("url.notice.nuts2", {"value": state["nuts2"],
                                             "country": state["country"] or "EU"}))
        state["nuts2"] = None
    if state["m"] and search_index(ctx).row_of(state["m"]) is None:
        notices.append(("url.notice.municipality", {"value": state["m"]}))
        state["m"] = None
    if state["law"] and state["law"] not in laws.inputs(ctx).law_ids:
        notices.append(("url.notice.law", {"value": state["law"]}))
        state["law"] = None
    return notices


def state_query(view, country, nuts2, size, at, horizon, law, m, nis2, on=None,
                draft=None) -> str:
    """The URL query of a state; `draft` (the editor's rows, id and population) as
    `data_draft.draft_text` writes them, so that a draft law can be shared as a link."""
    d = draft or {}
    pairs = {"view": view, "country": country, "nuts2": nuts2, "size": size, "at": at,
             "horizon": horizon, "law": law, "m": m, "nis2": nis2,
             "on": ",".join(sorted(on)) if on is not None else None,
             "draft": d.get("rows"), "draft_id": d.get("id"), "draft_pop": d.get("pop")}
    return "?" + urlencode({k: v for k, v in pairs.items() if v not in (None, "", [], ANY)})


def at_value(value) -> dt.date:
    """The evaluation date of a control value; today for one that is not a date."""
    try:
        return ld.parse_at(value)
    except ValueError:
        return laws.today()


def horizon_value(value) -> int | None:
    """The horizon of a control value; the default for one that is not a horizon."""
    try:
        return ld.parse_horizon(value)
    except ValueError:
        return ld.DEFAULT_HORIZON


def selection(country, nuts2, size, ctx: AppContext | None = None) -> ld.Selection:
    """The selection from control values; with `ctx`, a value that is not a code of the
    reference data (a crafted request) counts as no restriction, so it never reaches a cache."""
    values = [None if not isinstance(v, str) or v in ("", ANY) else v
              for v in (country, nuts2, size)]
    if ctx is not None:
        known = _codes(ctx)
        values = [v if v in codes else None for v, codes in zip(values, known, strict=True)]
    return ld.Selection(*values)


def _codes(ctx: AppContext) -> tuple[frozenset, frozenset, frozenset]:
    """Country, NUTS 2 and size-class codes of the reference data (once per folder)."""
    key = str(ctx.settings.reference_dir)
    hit = _CODES.get(key)
    if hit is None:
        ref = ctx.municipalities
        hit = _CODES[key] = (frozenset(ref["country"].astype(str)),
                             frozenset(ref["nuts2"].astype(str)), frozenset(SIZE_CLASS_KEYS))
    return hit


_CODES: dict[str, tuple[frozenset, frozenset, frozenset]] = {}
