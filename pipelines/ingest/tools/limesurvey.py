"""LimeSurvey response export (CSV or Excel).

Headings as question codes (`STR01`, subquestions `SEC[SQ001]`), SGQA codes of LimeSurvey 2.x
(`123456X12X34SQ001`) or "code. question text"; answers as codes (`A1`) or texts. System
columns: id, submitdate (empty = incomplete response), lastpage, startlanguage, seed,
startdate, datestamp, and token/ipaddr/refurl when the survey records them (personal: dropped).
"""

from __future__ import annotations

import re

import numpy as np

from pipelines.ingest.tools.base import Adapter, ToolTable
from pipelines.ingest.tools.keys import text_key

SYSTEM_COLUMNS = ("id", "submitdate", "lastpage", "startlanguage", "seed", "startdate",
                  "datestamp", "Response ID", "Date submitted", "Last page", "Start language")
SIGNATURE = frozenset(text_key(c) for c in ("submitdate", "lastpage", "startlanguage",
                                            "Date submitted", "Last page", "Start language"))
SGQA = re.compile(r"^\d+X\d+X\d+")
# "STR01. Heeft ...", "STR01: ...", "STR01 - ..." (heading type "question code & text")
_CODE_AND_TEXT = re.compile(r"^([A-Za-z][A-Za-z0-9_]*(?:\[[^\]]*\])?)(?:[.:]\s+|\s+-\s+)\S")


class LimeSurvey(Adapter):
    tool = "limesurvey"
    label = "LimeSurvey"
    response_id = ("id", "Response ID")
    submitted_at = ("submitdate", "Date submitted")

    def alt_keys(self, table: ToolTable) -> list[set[str]]:
        out = []
        for header in table.headers:
            m = _CODE_AND_TEXT.match(header.strip().lstrip("\ufeff"))
            out.append({text_key(m.group(1))} if m else set())
        return out

    def skipped(self, table: ToolTable) -> list[tuple[str, np.ndarray]]:
        pos = self.find(table, *self.submitted_at)
        if pos is None:
            return []
        return [("incomplete", (table.column(pos).str.strip() == "").to_numpy(dtype=bool))]


def looks_like(keys: list[str]) -> bool:
    return bool(SIGNATURE & set(keys)) or any(SGQA.match(k.upper()) for k in keys)
