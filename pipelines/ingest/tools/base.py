"""What every survey-tool adapter shares: the export as a table with raw headers, and the
per-tool facts (response id, date, completeness, personal columns) the converter needs.

An adapter is a small subclass of `Adapter` (limesurvey.py, msforms.py, kobo.py,
qualtrics.py, wide.py); `convert.py` does the rest the same way for all of them.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from pipelines.ingest.read import RawGrid
from pipelines.ingest.tools.keys import text_key
from pipelines.ingest.tools.mapping import Mapping

# Columns that identify a person: never read, never staged, not copied to a rejects file.
PERSONAL_COLUMNS = frozenset(text_key(c) for c in (
    "email", "e-mail", "name", "ipaddr", "token", "refurl",
    "naam", "e-mailadres",  # Dutch-language Microsoft Forms exports
    # Qualtrics
    "IPAddress", "RecipientEmail", "RecipientFirstName", "RecipientLastName",
    "ExternalReference", "LocationLatitude", "LocationLongitude",
    # KoboToolbox
    "_submitted_by", "username", "deviceid", "phonenumber", "simserial", "subscriberid",
    "_geolocation",
))


@dataclass
class ToolTable:
    """A survey-tool export as the user sees it.

    `headers` is the header row that names the columns (row 1); `header_rows` are all header
    rows (Qualtrics has three); `body` holds the data rows with columns 0..n-1 (positions) and
    str cells; body row i is spreadsheet row `first_row + i`.
    """

    name: str
    fmt: str  # "csv" or "xlsx"
    headers: list[str]
    header_rows: list[list[str]]
    body: pd.DataFrame
    first_row: int

    def keys(self) -> list[str]:
        return [text_key(h) for h in self.headers]

    def column(self, pos: int) -> pd.Series:
        return self.body[pos].astype(str)


class Adapter:
    """The defaults are those of a plain one-header-row table; tools override what differs."""

    tool = "wide"
    label = "wide"
    response_id: tuple[str, ...] = ()  # header of the tool's response id (first one present)
    submitted_at: tuple[str, ...] = ()  # header of the submission time
    submitted_tz: str | None = None  # time zone of that column when it has no offset (None: the
    # mapping's timezone)
    prefix_ids = True  # respondent_id = "<tool>:<response id>"
    unique_ids = True  # a repeated response id is an error

    def header_row_count(self, grid: RawGrid) -> int:
        return 1

    def table(self, grid: RawGrid, name: str) -> ToolTable:
        n = max(1, self.header_row_count(grid))
        rows = grid.rows
        header_rows = [[str(v) for v in rows.iloc[i].tolist()] for i in range(min(n, len(rows)))]
        body = rows.iloc[n:].reset_index(drop=True)
        body.columns = range(body.shape[1])
        return ToolTable(name=name, fmt=grid.fmt, headers=header_rows[0] if header_rows else [],
                         header_rows=header_rows, body=body, first_row=n + 1)

    def alt_keys(self, table: ToolTable) -> list[set[str]]:
        """Other keys a mapping may name each column by, tried when no header matches exactly
        (a Kobo question without its group path, a Qualtrics ImportId or question text)."""
        return [set() for _ in table.headers]

    def mapping_for(self, table: ToolTable, mapping: Mapping | None, element_ids: set[str]
                    ) -> Mapping | None:
        """The mapping to convert with (the wide table fills in what a mapping leaves out)."""
        return mapping

    def date_timezone(self, table: ToolTable, pos: int) -> str | None:
        """Time zone of the submission-time column's values without offset (None: mapping's)."""
        return self.submitted_tz

    def skipped(self, table: ToolTable) -> list[tuple[str, np.ndarray]]:
        """(reason, mask over body rows) for rows that are not answers (incomplete, tests)."""
        return []

    @staticmethod
    def find(table: ToolTable, *names: str) -> int | None:
        """Position of the first header among `names` (by text_key), None if none is there."""
        keys = table.keys()
        for name in names:
            key = text_key(name)
            if key in keys:
                return keys.index(key)
        return None
