"""The generic wide table: one row per respondent, one column per element.

    municipality_id,country,wave,respondent_id,respondent_role,submitted_at,STR-01,STR-02,...

Element columns are named by element id (`STR-01`, `str_01`, `STR 01`); levels are 0-4 or a
don't-know word as in the canonical file; an empty cell is "not answered" (no row). Without
a mapping file the other columns have their canonical names and the canonical rules hold
(respondent_id as given, times without offset are UTC); a mapping (tool: wide) can rename
any of them and add an answer scale.
"""

from __future__ import annotations

import re

from pipelines.ingest.read import normalise_header
from pipelines.ingest.tools.base import Adapter, ToolTable
from pipelines.ingest.tools.keys import element_key, text_key
from pipelines.ingest.tools.mapping import Field, Mapping, Question

CANONICAL_FIELDS = {"municipality": "municipality_id", "country": "country", "wave": "wave",
                    "respondent_id": "respondent_id", "respondent_role": "respondent_role",
                    "publish_consent": "publish_consent", "submitted_at": "submitted_at",
                    "confidence": "confidence"}
OPTIONAL_FIELDS = ("country", "respondent_role", "publish_consent", "confidence")
# a header shaped like an element id but not one (STR-99) is read as an element, so that the
# validation reports "unknown element" rather than the column being silently left out
_ELEMENT_LIKE = re.compile(r"^[A-Z]{3}-[0-9]{2}$")


class Wide(Adapter):
    tool = "wide"
    label = "wide"
    response_id = ("respondent_id",)
    submitted_at = ("submitted_at",)
    prefix_ids = False  # the respondent_id is the user's own, as in the canonical file
    unique_ids = False  # one respondent may have rows for several waves; duplicates of the
    # same (municipality, wave, element, respondent) are found by the canonical validation

    def alt_keys(self, table: ToolTable) -> list[set[str]]:
        return [{text_key(normalise_header(h)), text_key(element_key(h))} for h in table.headers]

    def mapping_for(self, table: ToolTable, mapping: Mapping | None, element_ids: set[str]
                    ) -> Mapping:
        """The mapping with every field it leaves out taken from the canonical column names."""
        keys = {text_key(normalise_header(h)) for h in table.headers}
        fields = {}
        for key, column in CANONICAL_FIELDS.items():
            given = getattr(mapping, key) if mapping is not None else None
            if given is not None:
                fields[key] = given
            elif key not in OPTIONAL_FIELDS or column in keys:
                fields[key] = Field(column=column, key=key)
        questions = mapping.questions if mapping is not None and mapping.questions else tuple(
            Question(element_id=element_key(h), column=h) for h in table.headers
            if element_key(h) in element_ids or _ELEMENT_LIKE.match(element_key(h)))
        return Mapping(name=mapping.name if mapping is not None else "", tool="wide",
                       timezone=mapping.timezone if mapping is not None else "UTC",
                       questions=questions, path=mapping.path if mapping is not None else None,
                       **fields)


def looks_like(keys: list[str], element_ids: set[str]) -> bool:
    return any(element_key(k) in element_ids for k in keys)
