"""Qualtrics response export (CSV, or TSV in UTF-16).

Three header rows: (1) export tags (StartDate, ResponseId, Q1, Q2_3), (2) question texts,
(3) JSON such as {"ImportId":"QID2_3"} (for dates also "timeZone"). Legacy exports have two.
A mapping may name a question by export tag, ImportId or question text. Finished = 0/False
marks an incomplete response; Status "Survey Preview"/"Survey Test"/"Spam" a test: both are
skipped. Data rows start at row 4.
"""

from __future__ import annotations

import json
import zoneinfo

import numpy as np

from pipelines.ingest.read import RawGrid
from pipelines.ingest.tools.base import Adapter, ToolTable
from pipelines.ingest.tools.keys import text_key

IMPORT_ID = '{"importid"'
NOT_FINISHED = frozenset({"0", "false"})
TEST_STATUS = frozenset({"survey preview", "survey test", "spam", "preview spam"})


def _is_import_row(cells: list[str]) -> bool:
    return any(text_key(c).replace(" ", "").startswith(IMPORT_ID) for c in cells)


class Qualtrics(Adapter):
    tool = "qualtrics"
    label = "Qualtrics"
    response_id = ("ResponseId", "ResponseID", "_recordId")
    submitted_at = ("RecordedDate", "EndDate")

    def header_row_count(self, grid: RawGrid) -> int:
        rows = grid.rows
        head = [text_key(v) for v in rows.iloc[0].tolist()] if len(rows) else []
        rid = next((head.index(k) for k in ("responseid", "_recordid") if k in head), None)
        count = 1
        for i in (1, 2):
            if i >= len(rows):
                break
            cells = [str(v) for v in rows.iloc[i].tolist()]
            label_row = rid is not None and text_key(cells[rid]) in ("response id", "responseid")
            if _is_import_row(cells) or label_row:
                count = i + 1
            else:
                break
        return count

    def alt_keys(self, table: ToolTable) -> list[set[str]]:
        out: list[set[str]] = [set() for _ in table.headers]
        for cells in table.header_rows[1:]:
            for pos, cell in enumerate(cells[:len(out)]):
                meta = _import_meta(cell)
                if meta is not None:
                    if meta.get("ImportId"):
                        out[pos].add(text_key(meta["ImportId"]))
                elif cell.strip():
                    out[pos].add(text_key(cell))  # the question text row
        return out

    def date_timezone(self, table: ToolTable, pos: int) -> str | None:
        for cells in table.header_rows[1:]:
            meta = _import_meta(cells[pos]) if pos < len(cells) else None
            zone = (meta or {}).get("timeZone")
            if zone:
                try:
                    zoneinfo.ZoneInfo(zone)
                except (zoneinfo.ZoneInfoNotFoundError, ValueError):
                    return None
                return zone
        return None

    def skipped(self, table: ToolTable) -> list[tuple[str, np.ndarray]]:
        out = []
        status = self.find(table, "Status")
        if status is not None:
            test = table.column(status).map(text_key).isin(TEST_STATUS).to_numpy(dtype=bool)
            out.append(("survey preview or test", test))
        finished = self.find(table, "Finished")
        if finished is not None:
            done = table.column(finished).map(text_key)
            out.append(("incomplete", done.isin(NOT_FINISHED).to_numpy(dtype=bool)))
        return out


def _import_meta(cell: str) -> dict | None:
    text = cell.strip()
    if not text.startswith("{"):
        return None
    try:
        meta = json.loads(text)
    except ValueError:
        return None
    return meta if isinstance(meta, dict) and "ImportId" in meta else None


def looks_like(grid: RawGrid) -> bool:
    rows = grid.rows
    if not len(rows):
        return False
    head = {text_key(v) for v in rows.iloc[0].tolist()}
    if not head & {"responseid", "startdate", "_recordid"}:
        return False
    import_row = any(_is_import_row([str(v) for v in rows.iloc[i].tolist()])
                     for i in (1, 2) if i < len(rows))
    return import_row or {"responseid", "finished"} <= head
