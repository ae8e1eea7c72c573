"""What several views and the API share about the laws: the engine's static inputs, the default
horizon, today's date and a law's short name. The Legislation view's own selection and
statistics live in `dashboard/views/legislation/data.py`; this module is the small part the
Knowledge and Policy views and the API need too, so that they need not import another view.
"""

from __future__ import annotations

import datetime as dt
import threading

from dashboard.context import AppContext
from pipelines.maturity.readiness import ALL_DEADLINES, ReadinessInputs, readiness_inputs

DEFAULT_HORIZON = ALL_DEADLINES  # the tab, the policy lobby and the API: one default

_LOCK = threading.Lock()
_INPUTS: dict[str, ReadinessInputs] = {}


def today() -> dt.date:
    """The default evaluation date (one place, so that tests can monkeypatch it)."""
    return dt.date.today()


def inputs(ctx: AppContext) -> ReadinessInputs:
    """The readiness engine's static inputs, once per framework checksum."""
    fw = ctx.framework
    value = _INPUTS.get(fw.checksum)
    if value is None:
        with _LOCK:
            value = _INPUTS.get(fw.checksum)
            if value is None:
                _INPUTS.clear()
                value = _INPUTS[fw.checksum] = readiness_inputs(fw)
    return value


def law_short(inp: ReadinessInputs, law_id: str, lang: str | None = None) -> str:
    """What a page in `lang` shows for a law id (AI_ACT -> "AI Act" / "AI-verordening"): the law
    file's short name in that language; without `lang` the Dutch (or only) one, as `law.short`
    gives it. The id itself for a law the framework lacks."""
    if law_id not in inp.law_ids:
        return law_id
    law = inp.law(law_id)
    return law.short if lang is None else law.short_name(lang)
