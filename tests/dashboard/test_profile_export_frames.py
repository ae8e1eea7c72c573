"""The profile's downloads are made as one frame from columns (export._table); the builder it
replaced (a frame from the rows, then a column inserted or set at a time) is kept here as the
reference: the same columns, order, dtypes and values, and the same CSV, for municipalities that
may and may not be shown by name, every peer group, wave, view and language."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from dashboard.views.profile import export
from dashboard.views.profile.data import distribution_frame, radar_data, select
from pipelines.csv_safe import csv_bytes

ENSCHEDE, GRONINGEN, ALMERE = "NL_GM0153", "NL_GM0014", "NL_GM0034"


def _labelled(df, sel, m):
    if not sel.visible:
        df["own"] = None
        df["percentile"] = None
    df.insert(0, "peer_group", sel.kind)
    df.insert(0, "wave", sel.wave)
    df.insert(0, "municipality_id", m)
    return df


def old_radar(ctx, m, wave, view, peers, custom, lang):
    sel = select(ctx, m, wave, peers, custom)
    if sel is None:
        return None
    data = radar_data(ctx, sel, view, lang)
    df = pd.DataFrame(data.profile.rows())
    df.insert(1, "name", data.names)
    return _labelled(df, sel, m)


def old_distribution(ctx, m, wave, peers, custom, lang):
    sel = select(ctx, m, wave, peers, custom)
    if sel is None:
        return None
    prof, counts = distribution_frame(sel)
    df = pd.DataFrame(prof.rows())
    df.insert(1, "name", [ctx.framework.element_by_id[e].name.get(lang) for e in prof.labels])
    for k in range(5):
        df[f"peers_at_level_{k}"] = np.where(prof.suppressed, None, counts[:, k])
    return _labelled(df, sel, m)


@pytest.mark.parametrize("visibility", ["consent", "open"])
def test_downloads_equal_the_frame_by_frame_builder(nl_ctx, nl_open_ctx, visibility):
    ctx = nl_ctx if visibility == "consent" else nl_open_ctx
    seen_hidden = seen_shown = 0
    for m in (ENSCHEDE, GRONINGEN, ALMERE):
        for wave in ("2025", "2026", None):
            for peers, custom in (("country_size", []), ("nuts2", []), ("country", []),
                                  ("custom", [ENSCHEDE, ALMERE, "NL_GM0363"])):
                for lang in ("en", "nl"):
                    pairs = [(export.distribution_csv(ctx, m, wave, peers, custom, lang),
                              old_distribution(ctx, m, wave, peers, custom, lang))]
                    pairs += [(export.radar_csv(ctx, m, wave, view, peers, custom, lang),
                               old_radar(ctx, m, wave, view, peers, custom, lang))
                              for view in ("blocks", "elements")]
                    for new, old in pairs:
                        if old is None:
                            assert new is None
                            continue
                        pd.testing.assert_frame_equal(new, old)
                        assert csv_bytes(new) == csv_bytes(old)
                        hidden = new["own"].isna().all()
                        seen_hidden += hidden
                        seen_shown += not hidden
    assert seen_shown  # both kinds of rows were compared
    if visibility == "consent":
        assert seen_hidden
