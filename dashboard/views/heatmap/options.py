"""The options of the heatmap's controls (pure: lists of {"label", "value"})."""

from __future__ import annotations

import numpy as np

from dashboard.components.places import country_name, region_name
from dashboard.context import AppContext
from dashboard.i18n import t
from dashboard.store import Snapshot
from dashboard.views.heatmap.data import (
    ALL,
    MUNICIPALITIES,
    REGIONS,
    View,
    answered_per_country,
    reference_arrays,
)
from dashboard.views.heatmap.texts import element_label
from pipelines.maturity.heatmap import OVERALL, element_order
from pipelines.reference import SIZE_CLASSES, size_class_label

PEER_OPTIONS = 60  # options offered at once in the peer picker (the rest by typing)


def country_options(ctx: AppContext, snap: Snapshot, lang: str, current: str) -> list[dict]:
    """Countries with answers in any wave (plus the current one), by name."""
    counts = answered_per_country(ctx, snap).sum(axis=0)
    codes = [str(c) for c, n in zip(ctx.attributes.country_labels, counts, strict=True)
             if n > 0 or c == current]
    opts = [{"label": f"{country_name(ctx, c, lang)} ({c})", "value": c} for c in codes]
    return sorted(opts, key=lambda o: o["label"].casefold())


def nuts2_options(ctx: AppContext, country: str, lang: str) -> list[dict]:
    attrs = ctx.attributes
    regions = attrs.nuts2_labels[np.unique(attrs.nuts2[attrs.mask_for("country", country)])]
    return [{"label": t("heatmap.nuts2.all", lang), "value": ALL}] + [
        {"label": f"{region_name(ctx, r)} ({r})", "value": str(r)} for r in regions if r]


def size_options(lang: str) -> list[dict]:
    return [{"label": t("heatmap.size.all", lang), "value": ALL}] + [
        {"label": size_class_label(c.key, lang), "value": c.key} for c in SIZE_CLASSES]


def sort_options(ctx: AppContext, snap: Snapshot, lang: str) -> list[dict]:
    cube = snap.maturity
    return [{"label": t("heatmap.sort.overall", lang), "value": OVERALL}] + [
        {"label": t("heatmap.sort.element", lang, element=element_label(ctx, cube.element_ids[e], lang)),
         "value": cube.element_ids[e]} for e in element_order(cube.element_blocks)]


def peer_options(ctx: AppContext, country: str, search: str | None = None,
                 value: str | None = None) -> list[dict]:
    """Municipalities of a country for the peer picker: the largest ones, or name/code matches
    (those starting with the text first), at most PEER_OPTIONS; the chosen one always included."""
    ref = reference_arrays(ctx)
    rows = np.flatnonzero(ctx.attributes.mask_for("country", country))
    if search and search.strip():
        needle = search.strip().casefold()
        names = np.char.lower(ref["name"][rows].astype(str))
        codes = np.char.lower(ref["code"][rows].astype(str))
        starts = np.char.startswith(names, needle)
        hit = starts | (np.char.find(names, needle) >= 0) | np.char.startswith(codes, needle)
        rows, starts = rows[hit], starts[hit]
        order = np.lexsort((-ref["population"][rows], ~starts))
    else:
        order = np.argsort(-ref["population"][rows], kind="stable")
    rows = rows[order][:PEER_OPTIONS]
    opts = [{"label": str(ref["label"][int(i)]), "value": ref["id"][int(i)]} for i in rows]
    if value and value not in {o["value"] for o in opts}:
        i = ref["row_of"].get(value)
        if i is not None:
            opts.insert(0, {"label": str(ref["label"][i]), "value": value})
    return opts


def wave_options(snap: Snapshot, wave: str, lang: str) -> list[dict]:
    opts = [{"label": w, "value": w} for w in reversed(snap.waves)]
    if wave not in snap.waves:
        opts.append({"label": t("heatmap.wave.nodata", lang, wave=wave), "value": wave})
    return opts


def mode_options(view: View, lang: str) -> list[dict]:
    """What the columns are: past MAX_COLUMNS municipalities the grid shows regions although
    "municipalities" is chosen, and the control then says "Regions (automatic)" (the note under
    the controls says why), not "Municipalities" over a grid of regions."""
    shown = t("heatmap.mode.switched" if view.switched else "heatmap.mode.municipalities", lang)
    return [{"label": shown, "value": MUNICIPALITIES},
            {"label": t("heatmap.mode.regions", lang), "value": REGIONS}]
