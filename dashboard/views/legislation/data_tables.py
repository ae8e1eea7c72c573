"""The Legislation view's tables (pure: no Dash): readiness per law over a selection, the
elements that cause most non-readiness, and the law × area heatmap (with its CSV form). The laws
API answers from the same functions."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from dashboard.context import AppContext
from dashboard.laws import inputs
from dashboard.store import Snapshot
from dashboard.views.legislation.data import (
    COUNT_KEYS,
    Selection,
    SelectionReadiness,
    population,
    public_counts,
    published,
    region_published,
    selection_conditions,
)
from dashboard.views.legislation.data_laws import (
    law_deadlines,
    law_name,
    unverified,
    unverified_countries,
)

LAW_TABLE_COLUMNS = ("law", "name", "law_status", "binding", "municipalities", *COUNT_KEYS,
                     "share_ready", "suppressed", "first_deadline", "next_deadline", "unverified",
                     "law_unverified", "unverified_countries", "ambition_due",
                     "ambition_share_met")


def law_table(ctx: AppContext, snap: Snapshot, sel: Selection, at: dt.date, horizon: int | None,
              lang: str) -> pd.DataFrame:
    """One row per law over the answered municipalities of the selection (`law_rows`) as a
    frame. Counts are nullable integers (a suppressed count is <NA>, never NaN)."""
    return law_frame(law_rows(ctx, snap, sel, at, horizon, lang))


def law_frame(rows: list[dict]) -> pd.DataFrame:
    """`law_rows` as the law table's frame (the API's and the downloads' form)."""
    df = pd.DataFrame(rows, columns=list(LAW_TABLE_COLUMNS))
    for k in ("municipalities", *COUNT_KEYS, "ambition_due"):
        df[k] = df[k].astype("Int64")
    for k in ("share_ready", "ambition_share_met"):
        df[k] = df[k].astype("Float64")
    return df


def law_rows(ctx: AppContext, snap: Snapshot, sel: Selection, at: dt.date, horizon: int | None,
             lang: str) -> list[dict]:
    """One row per law over the answered municipalities of the selection: to how many it
    applies, counts per status and the share ready among those where something counts
    (`public_counts`: None where suppressed), the next deadline and whether facts are
    unverified: the law file's own (`unverified`) or the member-state facts of the selection's
    countries (`unverified_countries`). Only legal duties count for readiness; the
    recommendations (ambition) have their own due count and share met, shown apart. Plain
    dicts (None where withheld): the page's figures and tables read them without a frame
    (a frame and its per-row access cost ~20 ms per new selection at EU size)."""
    inp = inputs(ctx)
    sub, res = population(ctx, snap, sel, at, horizon)
    conds = selection_conditions(ctx, snap, sel)
    ok = published(ctx, snap, sel)
    rows = []
    for law_id in res.law_ids:
        law = inp.law(law_id)
        c = public_counts(res.counts(law_id), ctx.settings.min_group, ok)
        a = public_counts(res.ambition_counts(law_id), ctx.settings.min_group, ok)
        dls = law_deadlines(inp, law, sel.country)
        states = unverified_countries(inp, law, conds)
        upcoming = [d for d, _ in dls if d > at]
        rows.append({
            "law": law_id, "name": law_name(law, lang), "law_status": law.status,
            "binding": law.binding_on_municipalities, "municipalities": len(sub.rows),
            **{k: c[k] for k in COUNT_KEYS}, "share_ready": c["share_ready"],
            "suppressed": c["suppressed"],
            "first_deadline": dls[0][0].isoformat() if dls else None,
            "next_deadline": upcoming[0].isoformat() if upcoming else None,
            "unverified": unverified(law) or bool(states), "law_unverified": unverified(law),
            "unverified_countries": states,
            "ambition_due": a["due"], "ambition_share_met": a["share_ready"],
        })
    return rows


def lacking_rows(ctx: AppContext, res: SelectionReadiness, law_ids,
                 due: int | Mapping[str, Any], top: int = 3, lang: str = "en") -> list[dict]:
    """Per law the elements that cause most non-readiness (known gaps, then unknown levels);
    `share_gap` is over the municipalities with something of the law due (`due`: per law, or
    one number for all)."""
    fw = ctx.framework
    out = []
    for law_id in law_ids:
        n = due.get(law_id) if isinstance(due, Mapping) else due
        n = None if n is None or pd.isna(n) else int(n)
        for element, gaps, unknown in res.lacking(law_id)[:top]:
            out.append({"law": law_id, "element": element,
                        "element_name": fw.element_by_id[element].name.get(lang),
                        "gap": gaps, "unknown": unknown,
                        "share_gap": gaps / n if n else None})
    return out


def heatmap_table(ctx: AppContext, snap: Snapshot, sel: Selection, at: dt.date,
                  horizon: int | None) -> pd.DataFrame:
    """Share ready per law (rows) and region (columns: countries, or NUTS 2 in a country) among
    the municipalities where something of the law counts; NaN where that is suppressed
    (`public_counts`) or where the law asks nothing of the region's municipalities. Why a cell
    is empty is in attrs["state"] (same shape: "na" does not apply, "not_due" nothing due yet,
    "suppressed" too few, "" a share)."""
    h = heat_cells(ctx, snap, sel, at, horizon)
    df = pd.DataFrame(h.share, index=h.laws, columns=h.regions, dtype=float)
    df.attrs["counts"] = dict(zip(h.regions, h.counts, strict=True))
    df.attrs["state"] = pd.DataFrame(h.state, index=h.laws, columns=h.regions)
    return df


@dataclass(frozen=True)
class HeatCells:
    """`heatmap_table` as arrays (law × region): what the page's heatmap is drawn from, without
    a frame (its building and transposing cost ~8 ms per new selection at EU size)."""
    laws: list[str]
    regions: list[str]
    counts: list[int]
    share: np.ndarray  # float, NaN where there is no share
    state: np.ndarray  # str: "na", "not_due", "suppressed" or ""


def heat_cells(ctx: AppContext, snap: Snapshot, sel: Selection, at: dt.date,
               horizon: int | None) -> HeatCells:
    _, res = population(ctx, snap, sel, at, horizon)
    names = list(res.regions)  # countries, or NUTS 2 regions in a country, sorted
    shown = [region_published(ctx, snap, sel, c) for c in names]
    share, state = [], []
    for law_id in res.law_ids:
        g = res.by_region(law_id)
        cells = [public_counts(row, ctx.settings.min_group, ok)
                 for row, ok in zip(g, shown, strict=True)]
        share.append([np.nan if c["share_ready"] is None else c["share_ready"] for c in cells])
        state.append([
            "suppressed" if c["suppressed_group"] else "na" if c["applies"] == 0 else
            "not_due" if c["due"] == 0 else "suppressed" if c["suppressed"] else ""
            for c in cells])
    shape = (len(res.law_ids), len(names))
    return HeatCells(list(res.law_ids), names, res.region_sizes.tolist(),
                     np.array(share, dtype=float).reshape(shape),
                     np.array(state, dtype=object).reshape(shape))


HEAT_NOTES = {"na": "not applicable", "not_due": "nothing due yet",
              "suppressed": "fewer than min_group: not shown", "": ""}


def heatmap_long(hm: pd.DataFrame) -> pd.DataFrame:
    """The heatmap as a CSV-ready long table: one row per law and area with the share ready
    and, where there is none, why (a blank share never stands for 0 % or 100 %)."""
    state = hm.attrs.get("state")
    # from arrays: a frame lookup per cell (.at) was ~1.4 s for the EU's ~800 cells
    values = hm.to_numpy(dtype=float)
    notes = None if state is None else state.to_numpy(dtype=object)
    counts = hm.attrs["counts"]
    rows = [{"law": law, "area": area, "municipalities": counts.get(area),
             "share_ready": None if np.isnan(values[i, j]) else round(float(values[i, j]), 4),
             "note": HEAT_NOTES[notes[i, j]] if notes is not None else ""}
            for i, law in enumerate(hm.index) for j, area in enumerate(hm.columns)]
    return pd.DataFrame(rows, columns=["law", "area", "municipalities", "share_ready", "note"])
