"""The heatmap's table download: the grid shown, long format (CSV, XLSX or Parquet), behind a
link to the download route (dashboard/file_links.py)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from dashboard.components.places import region_name
from dashboard.context import AppContext
from dashboard.file_links import LANG, FileSpec, Param, code, hrefs
from dashboard.i18n import normalise_lang
from dashboard.store import Snapshot
from dashboard.views.heatmap.data import (
    MUNICIPALITIES,
    View,
    compute_view,
    read_state,
    reference_arrays,
)
from pipelines.maturity.cube import MISSING
from pipelines.maturity.heatmap import SUPPRESSED


def csv_frame(ctx: AppContext, snap: Snapshot, view: View, lang: str) -> pd.DataFrame:
    """The grid shown, long format: one row per column × element, in display order."""
    if view.grid is None:
        return pd.DataFrame()
    g = view.grid
    cube = snap.maturity
    e_ids = np.array([cube.element_ids[e] for e in g.rows])
    e_names = np.array([ctx.framework.element_by_id[e].name.get(lang) for e in e_ids])
    n_rows, n_cols = len(g.rows), g.n_columns
    col = np.repeat(np.arange(n_cols), n_rows)
    row = np.tile(np.arange(n_rows), n_cols)
    out = {"wave": view.state.wave}
    if view.mode == MUNICIPALITIES:
        ref = reference_arrays(ctx)
        out["municipality_id"] = cube.municipality_ids[g.columns][col]
        out["municipality"] = ref["name"][g.columns][col]
    else:
        names = np.array([region_name(ctx, r) for r in g.regions])
        out["region_id"] = g.regions[col]
        out["region"] = names[col]
    out["element_id"] = e_ids[row]
    out["element"] = e_names[row]
    if view.mode == MUNICIPALITIES:
        z = g.z[row, col]
        out["level"] = pd.Series(z, dtype="Int64").mask(z == MISSING)
    else:
        out["municipalities_with_level"] = g.n[row, col]
        out["median"] = g.median[row, col]
        out["share_ge3"] = np.round(g.share_ge3[row, col], 4)
        out["suppressed"] = g.status[row, col] == SUPPRESSED
    return pd.DataFrame(out)


def csv_filename(view: View) -> str:
    s = view.state
    parts = ["ds4e-heatmap", s.country, s.nuts2 or "", s.size or "",
             f"peers-{s.peers_of}" if s.peers_of else "", s.wave, view.mode or ""]
    return "-".join(p for p in parts if p) + ".csv"


def download_frame(ctx: AppContext, country=None, nuts2=None, size=None, peers_of=None, wave=None,
                   sort=None, mode=None, lang=None) -> tuple[pd.DataFrame, str] | None:
    """The grid of the view these values describe, and its file name; None without one. The
    values are the view state's query (`links`), read back as the page reads its address."""
    snap = ctx.warehouse.snapshot()
    if snap is None:
        return None
    lang = normalise_lang(lang)
    state = read_state(ctx, snap, country=country, nuts2=nuts2, size=size, wave=wave, sort=sort,
                       mode=mode, peers_of=peers_of)
    view = compute_view(ctx, snap, state, lang)
    if view.grid is None:
        return None
    return csv_frame(ctx, snap, view, lang), csv_filename(view)


FILE = FileSpec("heatmap", (*(Param(k, code) for k in ("country", "nuts2", "size", "peers_of",
                                                        "wave", "sort", "mode")), LANG),
                download_frame)


def links(view: View, lang: str) -> tuple[str | None, ...]:
    """The hrefs of the three formats of the view shown; none when it has no grid."""
    if view.grid is None:
        return (None, None, None)
    return hrefs(FILE.name, {**view.state.query(), "lang": normalise_lang(lang)})
