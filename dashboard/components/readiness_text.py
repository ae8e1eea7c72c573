"""Words shared by the views of law readiness (Legislation and Policy tabs)."""

from __future__ import annotations

import datetime as dt

from dashboard.i18n import t
from pipelines.maturity.readiness import ALL_DEADLINES


def horizon_phrase(horizon: int | None, at: dt.date, lang: str) -> str:
    """What counts, in words: every requirement against its own deadline, or what is due by a
    date (the evaluation date plus the horizon)."""
    if horizon is ALL_DEADLINES:
        return t("legislation.counts.all", lang)
    cutoff = at + dt.timedelta(days=int(horizon))
    return t("legislation.counts.by", lang, cutoff=cutoff.isoformat())
