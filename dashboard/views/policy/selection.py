"""What the policy view is looking at: a selection (EU, a country, a NUTS 2 region, a size class)
and the heatmap measure, read from the controls, the URL or the API's parameters.

No Dash here: the page, its callbacks and /api/v1/insight/leverage parse selections the same way.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from dashboard.components.places import country_name, region_name
from dashboard.context import AppContext
from pipelines.reference import COUNTRY_ALIASES, SIZE_CLASS_KEYS, size_class_label

# heatmap measures: leverage per answering municipality (default) or in total
PER, TOTAL = "per", "total"
MEASURES = (PER, TOTAL)


@dataclass(frozen=True)
class Selection:
    """EU (all None), a country, a NUTS 2 region (always with its country), a size class."""

    country: str | None = None
    nuts2: str | None = None
    size: str | None = None

    def query(self, size_key: str = "size") -> dict[str, str]:
        """URL parameters (restricting ones only)."""
        q = {}
        if self.country:
            q["country"] = self.country
        if self.nuts2:
            q["nuts2"] = self.nuts2
        if self.size:
            q[size_key] = self.size
        return q


class SelectionError(ValueError):
    def __init__(self, parameter: str, value: str, allowed: list[str], what: str = ""):
        super().__init__(what or f"invalid {parameter} {value!r}")
        self.parameter, self.value, self.allowed, self.what = parameter, value, allowed, what


def _blank(value) -> bool:
    return value is None or str(value).strip() in ("", "all", "ALL", "EU", "eu")


def parse_selection(ctx: AppContext, country=None, nuts2=None, size=None, *,
                    strict: bool = False) -> Selection:
    """Control values or URL/API parameters -> a Selection. Lenient (the page): an unknown value
    is dropped; strict (the API): it raises SelectionError. A region implies its country."""
    attrs = ctx.attributes
    countries = set(attrs.country_labels.tolist())
    cc = None
    if not _blank(country):
        cc = COUNTRY_ALIASES.get(str(country).strip().upper(), str(country).strip().upper())
        if cc not in countries:
            if strict:
                raise SelectionError("country", str(country), sorted(countries))
            cc = None
    region = None
    if not _blank(nuts2):
        region = str(nuts2).strip().upper()
        mask = attrs.mask_for("nuts2", region)
        if not mask.any():
            if strict:
                raise SelectionError("nuts2", str(nuts2), [], "unknown NUTS 2 region "
                                     f"{nuts2!r}: expected a NUTS 2 id such as NL33")
            region = None
        else:
            own = str(attrs.country_labels[attrs.country[np.flatnonzero(mask)[0]]])
            if cc is None:
                cc = own
            elif cc != own:
                if strict:
                    raise SelectionError("nuts2", str(nuts2), [], f"region {region} is not in "
                                         f"country {cc}")
                region = None
    sz = None
    if not _blank(size):
        sz = str(size).strip()
        if sz not in SIZE_CLASS_KEYS:
            if strict:
                raise SelectionError("size_class", str(size), list(SIZE_CLASS_KEYS))
            sz = None
    return Selection(cc, region, sz)


def selection_notices(ctx: AppContext, country=None, nuts2=None, size=None) -> list:
    """What the lenient parse drops, as URL notices (i18n key, values): a page must say that it
    shows something else than the address asked for."""
    out = []
    for field, value, key in (("country", country, "url.notice.country"),
                              ("nuts2", nuts2, "url.notice.nuts2"),
                              ("size", size, "url.notice.size")):
        if _blank(value):
            continue
        args = {"country": country if field in ("country", "nuts2") else None,
                "nuts2": nuts2 if field == "nuts2" else None,
                "size": size if field == "size" else None}
        try:
            parse_selection(ctx, **args, strict=True)
        except SelectionError:
            out.append((key, {"value": str(value), "fallback": "url.fallback.eu",
                              "country": str(country or "EU").upper()}))
    return out


def scope_text(ctx: AppContext, sel: Selection, lang: str) -> str:
    parts = [country_name(ctx, sel.country, lang) if sel.country else
             ("EU, alle landen" if lang == "nl" else "EU, all countries")]
    if sel.nuts2:
        parts.append(f"{region_name(ctx, sel.nuts2)} ({sel.nuts2})")
    if sel.size:
        parts.append(size_class_label(sel.size, lang))
    return ", ".join(parts)


def read_state(ctx: AppContext, country=None, nuts2=None, size=None, measure=None
               ) -> tuple[Selection, str]:
    """Control values or URL parameters -> (selection, heatmap measure); unknown values fall
    back to no restriction / the default measure."""
    sel = parse_selection(ctx, country, nuts2, size)
    return sel, measure if measure in MEASURES else PER


def state_query(sel: Selection, measure: str) -> dict[str, str]:
    q = sel.query()
    if measure != PER:
        q["measure"] = measure
    return q
