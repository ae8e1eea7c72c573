"""KoboToolbox data export (CSV, often `;`-separated, or XLS(X)).

Questions headed by their XML name, with "include groups" as a path `group/question` (a
mapping may name the full path or, when unique, just the question name); values as XML values
or labels. Meta columns: start, end, _id, _uuid (the response id), _submission_time (UTC),
_validation_status, _index. Submissions marked "not approved" in Kobo are skipped.
"""

from __future__ import annotations

import numpy as np

from pipelines.ingest.tools.base import Adapter, ToolTable
from pipelines.ingest.tools.keys import text_key

SIGNATURE = frozenset(text_key(c) for c in ("_uuid", "_submission_time"))
NOT_APPROVED = frozenset(text_key(v) for v in ("validation_status_not_approved", "Not Approved"))


class Kobo(Adapter):
    tool = "kobo"
    label = "KoboToolbox"
    response_id = ("_uuid", "meta/instanceID")
    submitted_at = ("_submission_time",)
    submitted_tz = "UTC"  # Kobo stores _submission_time in UTC, without an offset

    def alt_keys(self, table: ToolTable) -> list[set[str]]:
        return [{text_key(h.rsplit("/", 1)[-1])} if "/" in h else set() for h in table.headers]

    def skipped(self, table: ToolTable) -> list[tuple[str, np.ndarray]]:
        pos = self.find(table, "_validation_status")
        if pos is None:
            return []
        status = table.column(pos).map(text_key)
        return [("not approved in KoboToolbox", status.isin(NOT_APPROVED).to_numpy(dtype=bool))]


def looks_like(keys: list[str]) -> bool:
    return bool(SIGNATURE & set(keys))
