"""The profile's tables as downloaded (CSV, XLSX, Parquet): the radar's and the distribution's
numbers, the trend and the benchmark, labelled with who, which wave and which peer group; the
municipality's own values blanked unless it may be shown by name. Pure: no Dash."""

from __future__ import annotations

import numpy as np
import pandas as pd

from dashboard.context import AppContext
from dashboard.i18n import normalise_lang
from dashboard.views.profile.data import (
    Selection,
    distribution_frame,
    radar_data,
    select,
    trend_data,
    trend_frame,
)
from dashboard.views.profile.data_benchmark import context_frame
from dashboard.views.profile.state import DEFAULT_VIEW, VIEWS


def radar_csv(ctx: AppContext, m, wave, view, peers, custom, lang) -> pd.DataFrame | None:
    lang = normalise_lang(lang)
    sel = select(ctx, m, wave, peers, custom)
    if sel is None:
        return None
    view = view if view in VIEWS else DEFAULT_VIEW
    data = radar_data(ctx, sel, view, lang)
    return _table(sel, m, data.profile.rows(), list(data.names), {})


def distribution_csv(ctx: AppContext, m, wave, peers, custom, lang) -> pd.DataFrame | None:
    lang = normalise_lang(lang)
    sel = select(ctx, m, wave, peers, custom)
    if sel is None:
        return None
    prof, counts = distribution_frame(sel)
    return _table(sel, m, prof.rows(),
                  [ctx.framework.element_by_id[e].name.get(lang) for e in prof.labels],
                  {f"peers_at_level_{k}": np.where(prof.suppressed, None, counts[:, k])
                   for k in range(5)})


def _table(sel: Selection, m, rows: list[dict], names: list, extra: dict) -> pd.DataFrame:
    """A profile table as downloaded: who, which wave and peer group, then each row's first
    field, its name and the other fields, then `extra` columns; the municipality's own values
    blanked unless it may be shown by name. Made as one frame from columns: inserting and
    setting columns one by one was most of a download's time (~3 of ~4.5 ms at EU size)."""
    n = len(rows)
    keys = list(rows[0]) if rows else []
    cols: dict = {"municipality_id": [m] * n, "wave": [sel.wave] * n,
                  "peer_group": [sel.kind] * n}
    for i, k in enumerate(keys):
        cols[k] = [r[k] for r in rows]
        if i == 0:
            cols["name"] = names
    cols.update(extra)
    if not sel.visible:
        cols["own"] = [None] * n
        cols["percentile"] = [None] * n
    return pd.DataFrame(cols)


def trend_csv(ctx: AppContext, m, peers, custom, lang) -> pd.DataFrame | None:
    sel = select(ctx, m, None, peers, custom)
    if sel is None:
        return None
    df = trend_frame(sel, trend_data(sel))
    df.insert(0, "peer_group", sel.kind)
    df.insert(0, "municipality_id", m)
    return df


def context_csv(ctx: AppContext, m, wave, peers, custom, lang) -> pd.DataFrame | None:
    lang = normalise_lang(lang)
    sel = select(ctx, m, wave, peers, custom)
    if sel is None:
        return None
    df = context_frame(ctx, sel, lang)
    if df is None:
        return None
    df.insert(0, "municipality_id", m)
    df["source"] = "European Commission, eGovernment Benchmark 2023 (CC BY 4.0)"
    return df


def filename(kind: str, m, wave=None) -> str:
    return f"ds4e-profile-{kind}-{m}" + (f"-{wave}" if wave else "") + ".csv"
