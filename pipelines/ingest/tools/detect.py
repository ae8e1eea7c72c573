"""Which format a file is in, from its header rows (and, for Qualtrics, rows 2-3).

Order: the tools' own signatures first (they are specific), then the canonical long columns,
then the wide table (columns named by element ids). `detect` never raises: a file matching
nothing gives fmt None, and `LOOKED_FOR` says what was looked for.
"""

from __future__ import annotations

from dataclasses import dataclass

from pipelines.ingest.read import RawGrid, normalise_header
from pipelines.ingest.tools import kobo, limesurvey, msforms, qualtrics, wide
from pipelines.ingest.tools.keys import text_key

CANONICAL_MARKERS = frozenset({"element_id", "level"})
LOOKED_FOR = (
    "the canonical columns (municipality_id, wave, element_id, level, ...); "
    "LimeSurvey (submitdate, lastpage or startlanguage columns, or SGQA codes); "
    "Microsoft Forms (ID, Start time, Completion time); "
    "KoboToolbox (_uuid or _submission_time); "
    "Qualtrics (ResponseId or StartDate with an ImportId header row); "
    "wide (columns named by element ids such as STR-01)"
)


@dataclass(frozen=True)
class Detection:
    fmt: str | None  # "canonical", a tool id, or None when nothing matched
    strong: bool  # a tool's own signature or the canonical columns (wide is a weaker guess)


def detect(grid: RawGrid, element_ids: set[str]) -> Detection:
    if not len(grid.rows):
        return Detection(None, False)
    header = [str(v) for v in grid.rows.iloc[0].tolist()]
    keys = [text_key(h) for h in header]
    if qualtrics.looks_like(grid):
        return Detection("qualtrics", True)
    if limesurvey.looks_like(keys):
        return Detection("limesurvey", True)
    if kobo.looks_like(keys):
        return Detection("kobo", True)
    if msforms.looks_like(keys):
        return Detection("msforms", True)
    canonical = {normalise_header(h) for h in header}
    if canonical & CANONICAL_MARKERS:
        return Detection("canonical", True)
    if wide.looks_like(header, element_ids):
        return Detection("wide", False)
    return Detection(None, False)
