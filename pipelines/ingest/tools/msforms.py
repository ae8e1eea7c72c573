"""Microsoft Forms responses ("Open in Excel", .xlsx).

Columns ID, Start time, Completion time, Email, Name (personal: dropped), in newer exports
Last modified time, then one column per question headed by the full question text, which may
repeat (map the n-th one with `occurrence: n`). Times are Excel datetimes in local time.
"""

from __future__ import annotations

from pipelines.ingest.tools.base import Adapter
from pipelines.ingest.tools.keys import text_key

SIGNATURE = frozenset(text_key(c) for c in ("ID", "Start time", "Completion time"))
# Dutch-language exports (names as remembered, not checked against a real export)
SIGNATURE_NL = frozenset(text_key(c) for c in ("ID", "Begintijd", "Tijd van voltooien"))


class MSForms(Adapter):
    tool = "msforms"
    label = "Microsoft Forms"
    response_id = ("ID",)
    submitted_at = ("Completion time", "Tijd van voltooien")


def looks_like(keys: list[str]) -> bool:
    return set(keys) >= SIGNATURE or set(keys) >= SIGNATURE_NL
