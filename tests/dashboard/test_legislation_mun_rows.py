"""The municipality view's tables (laws, gaps, what applied) are written from the rows, not from
frames: the same markup as the frame-based builder they replaced (kept below as the reference)
for many municipalities, dates, horizons, condition and NIS2 choices, in both languages; and
the table cells' fast paths (components/tables.cell_text) say what the general path says."""

from __future__ import annotations

import datetime as dt
import json
import math

import numpy as np
import pandas as pd
import pytest
from plotly.utils import PlotlyJSONEncoder

from dashboard.components.tables import cell_text, static_table
from dashboard.i18n import t
from dashboard.views.legislation import municipality_card
from dashboard.views.legislation.data_laws import element_label, law_shorts
from dashboard.views.legislation.data_municipality import municipality_laws, shown_row
from pipelines.maturity.readiness import ALL_DEADLINES

# ---------------------------------------------------------------- the frame-based tables (reference)


def ref_marked(gaps: pd.DataFrame) -> pd.DataFrame:
    if gaps.empty:
        return gaps
    return gaps.assign(deadline=[f"{d or '–'} ⚠" if u else d for d, u in
                                 zip(gaps["deadline"], gaps["unverified"], strict=True)])


def ref_tables(ctx, ml, lang) -> list:
    """The three tables as the view wrote them from frames (commit 8b2489f)."""
    shorts = law_shorts(ctx, lang)
    recs = ml.sorted_records()
    return [
        static_table(recs, {"law": t("legislation.col.law", lang),
                            "status": t("legislation.col.status", lang),
                            "gaps": t("legislation.col.gaps", lang),
                            "unknown": t("legislation.status.unknown", lang),
                            "ambition": t("legislation.col.ambition_mun", lang)},
                     label=t("legislation.mun.title", lang),
                     cell_classes=[[None, f"status-{c}", None, None, None] for c in recs["code"]]),
        static_table(ref_marked(pd.DataFrame(ml.gaps)).assign(
            law=lambda g: g["law"].map(shorts),
            element=lambda g: g["element"].map(lambda e: element_label(ctx, e, lang))),
            {"law": t("legislation.col.law", lang),
             "element": t("legislation.col.element", lang),
             "level": t("legislation.col.level", lang),
             "min": t("legislation.col.min", lang),
             "gap": t("legislation.col.gap", lang),
             "deadline": t("legislation.col.deadline", lang),
             "timing": t("legislation.col.timing", lang)},
            label=t("legislation.mun.gaps", lang)) if ml.gaps else None,
        static_table(pd.DataFrame(ml.applied), {
            "law": t("legislation.col.law", lang),
            "element": t("legislation.col.element", lang),
            "min": t("legislation.col.min", lang),
            "kind": t("law.kind", lang),
            "legal_basis": t("law.legal_basis", lang),
            "counts_for": t("legislation.col.counts_for", lang),
            "condition": t("legislation.col.condition", lang),
            "value": t("legislation.col.value", lang),
            "origin": t("legislation.col.origin", lang),
            "why": t("legislation.col.why", lang),
            "deadline": t("legislation.col.deadline", lang)},
            label=t("legislation.mun.applied", lang))]


def as_json(x) -> str:
    return json.dumps(x, cls=PlotlyJSONEncoder, sort_keys=True)


def shown_tables(content) -> list:
    """The three tables of the view's content (laws, gaps or None, what applied)."""
    kids = content.children
    tables = [k for k in kids if getattr(k, "className", None) == "table-responsive"]
    gaps = tables[1] if len(tables) == 2 else None
    applied = kids[-1].children[1]
    return [tables[0], gaps, applied]


DATES = [dt.date(2024, 6, 1), dt.date(2025, 1, 18), dt.date(2026, 7, 1), dt.date(2027, 3, 3),
         dt.date(2029, 1, 1)]


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_the_municipality_tables_equal_the_frame_builder(nl_open_ctx, lang):
    ctx = nl_open_ctx
    snap = ctx.warehouse.snapshot()
    ref = ctx.municipalities  # the reference covers the EU; the build holds the Dutch ones
    ids = ref.loc[ref["country"] == "NL", "municipality_id"].astype(str).tolist()
    checked_any = 0
    for k, m in enumerate(ids[::7]):
        row, why = shown_row(ctx, snap, m)
        if why is not None:
            continue
        at = DATES[k % len(DATES)]
        horizon = (ALL_DEADLINES, 0, 365)[k % 3]
        checked = None if k % 4 else ["holds_authentic_source"]
        nis2 = (None, "none", None)[k % 3]
        content, *_ = municipality_card.municipality(ctx, snap, m, checked, nis2, at, horizon,
                                                     lang, frame=False)
        ml = municipality_laws(ctx, snap, row, checked, nis2, at, horizon, lang)
        new, old = shown_tables(content), ref_tables(ctx, ml, lang)
        assert as_json(new) == as_json(old), (m, at, horizon)
        checked_any += old[1] is not None
    assert checked_any > 5  # gaps tables were compared, not only "no gaps"


@pytest.mark.parametrize("values", [
    [2, None, 3], [None, None], [1, 2], [1.5, None], [2, 2.5], [], [None]])
def test_a_number_column_reads_as_a_frame_column(values):
    frame = pd.DataFrame({"v": values}, dtype=None)["v"].tolist() if values else []
    assert [cell_text(v) for v in municipality_card.as_column(values)] == \
        [cell_text(v) for v in frame]


@pytest.mark.parametrize("value", ["a<b", "", 0, 7, -3, True, False, 0.25, 2.0, math.nan, None,
                                   np.int64(4), np.float64(np.nan), np.float64(1.5), pd.NA,
                                   pd.NaT, ["x"], dt.date(2026, 1, 1)])
def test_the_cell_fast_paths_say_what_the_general_path_says(value):
    def general(v):
        if v is None:
            return ""
        try:
            if pd.isna(v):
                return ""
        except (TypeError, ValueError):
            pass
        return str(v)
    assert cell_text(value) == general(value)
