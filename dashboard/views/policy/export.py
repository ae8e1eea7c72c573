"""The policy view's downloads: each chart's and table's numbers as a DataFrame (no Dash)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from dashboard.context import AppContext
from dashboard.views.policy.data import (
    PolicyData,
    first_phase_frame,
    heat,
    heat_frame,
    leverage_frame,
    lobby_frame,
    lobby_of,
)
from dashboard.views.policy.selection import Selection

WHICH = ("first-phase", "leverage", "regions", "sizes", "lobby")


def file_name(data: PolicyData, sel: Selection, which: str) -> str:
    return "-".join(x for x in ("ds4e-policy", which, sel.country or "EU", sel.nuts2 or "",
                                sel.size or "", data.roadmaps.wave) if x) + ".csv"


def download_frame(ctx: AppContext, data: PolicyData, sel: Selection, which: str,
                   lang: str) -> pd.DataFrame | None:
    """The rows of one chart or table (`which`, one of WHICH) with the wave as first column;
    None for an unknown `which`. The caller checks that the selection may be shown."""
    rm = data.roadmaps
    if which == "first-phase":
        df = first_phase_frame(ctx, data, sel, lang)
    elif which == "leverage":
        df = leverage_frame(ctx, data, sel, lang)
    elif which in ("regions", "sizes"):
        lf = leverage_frame(ctx, data, sel, lang)
        order = np.array([rm.element_ids.index(e) for e in lf["element_id"]], dtype=np.intp)
        field = "size_class" if which == "sizes" else ("nuts2" if sel.country else "country")
        df = heat_frame(ctx, heat(ctx, data, sel, field, order), rm.element_ids, lang)
    elif which == "lobby":
        df = lobby_frame(ctx, lobby_of(ctx, data, sel)[0], rm.element_ids, lang)
    else:
        return None
    df.insert(0, "wave", rm.wave)
    return df
