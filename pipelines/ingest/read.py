"""Reading a canonical survey file (CSV or XLSX) into a table of text cells.

Nothing is interpreted here except the file's structure: every cell comes back as a string
('' for an empty cell), so validation sees exactly what the user typed and can quote it back.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import pandas as pd

from pipelines.canonical import COLUMNS, OPTIONAL_COLUMNS

CSV_SUFFIXES = (".csv", ".tsv", ".txt")
XLSX_SUFFIXES = (".xlsx", ".xlsm")
DELIMITERS = (",", ";", "\t")
KNOWN_COLUMNS = frozenset((*COLUMNS, *OPTIONAL_COLUMNS))

_BOM = "\ufeff"
_ZIP_MAGIC = b"PK\x03\x04"
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # legacy .xls (and other Office binaries)
_EXCEL_SEP = re.compile(r"^sep=([,;\t])$", re.IGNORECASE)
_SEPARATORS = re.compile(r"[\s\-]+")


class IngestError(ValueError):
    """A file that cannot be read as a table at all; the message names the file and the reason.

    `row` is the spreadsheet row of the problem when there is one (header = row 1), else None.
    """

    def __init__(self, file: str, reason: str, row: int | None = None):
        self.file, self.reason, self.row = file, reason, row
        where = f"{file} row {row}" if row is not None else file
        super().__init__(f"{where}: {reason}")


@dataclass
class RawTable:
    frame: pd.DataFrame  # every cell a str, '' when empty; columns are normalised header names
    encoding: str  # "utf-8", "utf-8-sig" or "cp1252" for CSV; "xlsx" for a workbook
    delimiter: str | None  # None for XLSX
    fmt: Literal["csv", "xlsx"]


def normalise_header(name: object) -> str:
    """ " Municipality-ID " -> "municipality_id"; a BOM and outer spaces are dropped."""
    text = "" if name is None else str(name)
    text = text.replace(_BOM, "").strip().lower()
    return _SEPARATORS.sub("_", text)


def read_table(path: Path) -> RawTable:
    """Read a canonical CSV/TSV or XLSX file; raise IngestError if it cannot be read at all."""
    path = Path(path)
    name = path.name
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise IngestError(name, f"cannot be read ({exc.strerror or exc})") from exc
    suffix = path.suffix.lower()
    if not data.strip():
        raise IngestError(name, "the file is empty")
    if data.startswith(_OLE_MAGIC):
        raise IngestError(name, "old Excel .xls files are not supported; save it as .xlsx or CSV")
    if data.startswith(_ZIP_MAGIC) or suffix in XLSX_SUFFIXES:
        if not data.startswith(_ZIP_MAGIC):
            raise IngestError(name, f"is not an Excel workbook although it is named {suffix}")
        return _read_xlsx(data, name)
    if suffix not in CSV_SUFFIXES:
        raise IngestError(name, f"unsupported file type {suffix or '(no extension)'!r}; "
                                "expected CSV (.csv, .tsv, .txt) or Excel (.xlsx, .xlsm)")
    return _read_csv(data, name)


# --------------------------------------------------------------------------------------------
# CSV
# --------------------------------------------------------------------------------------------


def _decode(data: bytes, name: str) -> tuple[str, str]:
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise IngestError(name, "is UTF-16 text; save it as UTF-8 CSV")
    if b"\x00" in data:
        raise IngestError(name, "is not a text (CSV) file")
    if data.startswith(b"\xef\xbb\xbf"):
        try:
            return data[3:].decode("utf-8"), "utf-8-sig"
        except UnicodeDecodeError as exc:
            raise IngestError(name, f"starts with a UTF-8 BOM but is not valid UTF-8 "
                                    f"(byte {exc.start + 3})") from exc
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252"), "cp1252"
    except UnicodeDecodeError as exc:
        raise IngestError(name, "the text encoding is neither UTF-8 nor Windows-1252 (cp1252)") \
            from exc


def _header_line(text: str) -> str:
    return re.split(r"\r\n|\r|\n", text, maxsplit=1)[0]


def sniff_delimiter(header_line: str) -> str:
    """The delimiter that splits the header into the most known column names.

    Ties (including a header without any known name) go to the candidate giving most fields,
    then to the order , ; tab.
    """
    def score(delim: str) -> tuple[int, int]:
        fields = next(csv.reader([header_line], delimiter=delim), [])
        return sum(normalise_header(f) in KNOWN_COLUMNS for f in fields), len(fields)

    return max(DELIMITERS, key=score)  # max keeps the first of equal scores


def _read_csv(data: bytes, name: str) -> RawTable:
    text, encoding = _decode(data, name)
    text = text.lstrip(_BOM)
    if not text.strip():
        raise IngestError(name, "the file is empty")
    header = _header_line(text)
    declared = _EXCEL_SEP.match(header)
    if declared:  # Excel's "sep=;" hint line: not shown by Excel, so not a row either
        text = re.sub(r"^(?:\r\n|\r|\n)", "", text[len(header):], count=1)
        header = _header_line(text)
    if not header.strip():
        raise IngestError(name, "no header: the first line is empty", row=1)
    delimiter = declared.group(1) if declared else sniff_delimiter(header)
    try:
        grid = pd.read_csv(io.StringIO(text), sep=delimiter, header=None, dtype=str,
                           keep_default_na=False, na_filter=False, skip_blank_lines=False,
                           engine="c")
    except pd.errors.ParserError as exc:
        raise _ragged_row_error(text, delimiter, name) or \
            IngestError(name, f"is not a readable CSV ({exc})") from exc
    except (pd.errors.EmptyDataError, ValueError) as exc:
        raise IngestError(name, f"is not a readable CSV ({exc})") from exc
    return RawTable(frame=_with_header(grid.fillna(""), name), encoding=encoding,
                    delimiter=delimiter, fmt="csv")


def _ragged_row_error(text: str, delimiter: str, name: str) -> IngestError | None:
    """Find the first record with more cells than the header (the C parser only says 'line')."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    width = None
    for row_no, record in enumerate(reader, start=1):
        if width is None:
            width = len(record)
        elif len(record) > width:
            return IngestError(name, f"the row has {len(record)} cells but the header has {width} "
                                     "(a delimiter inside a value that is not quoted?)", row=row_no)
    return None


# --------------------------------------------------------------------------------------------
# XLSX
# --------------------------------------------------------------------------------------------


def cell_text(value: object) -> str:
    """A spreadsheet cell as the text a user would see: 3.0 -> "3", a date -> ISO 8601."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        if value.is_integer():
            return str(int(value))
        return repr(value)
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, dt.timedelta):
        return str(value)
    return str(value)


def _read_xlsx(data: bytes, name: str) -> RawTable:
    from openpyxl import load_workbook  # imported here: CSV-only runs skip its import cost

    try:
        wb = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError, TypeError) as exc:
        raise IngestError(name, f"is not a readable Excel workbook ({exc})") from exc
    try:
        if not wb.worksheets:
            raise IngestError(name, "the workbook has no sheets")
        rows = [[cell_text(v) for v in row] for row in wb.worksheets[0].iter_rows(values_only=True)]
    finally:
        wb.close()
    if not rows or not any(c.strip() for c in rows[0]):
        if not any(c.strip() for row in rows for c in row):
            raise IngestError(name, "the first sheet is empty")
        raise IngestError(name, "no header: row 1 of the first sheet is empty", row=1)
    header = rows[0]
    while header and not header[-1].strip():
        header = header[:-1]  # formatted but empty cells right of the header
    width = len(header)
    body = [(r + [""] * (width - len(r)))[:width] for r in rows[1:]]  # cells right of it: notes
    grid = pd.DataFrame([header, *body], dtype=str)
    return RawTable(frame=_with_header(grid, name), encoding="xlsx", delimiter=None, fmt="xlsx")


# --------------------------------------------------------------------------------------------
# Shared
# --------------------------------------------------------------------------------------------


def _with_header(grid: pd.DataFrame, name: str) -> pd.DataFrame:
    """First row -> normalised column names; drop blank rows at the end (numbering kept)."""
    if grid.empty:
        raise IngestError(name, "no header")
    names = [normalise_header(v) for v in grid.iloc[0].tolist()]
    if not any(names):
        raise IngestError(name, "no header: the first row is empty", row=1)
    seen: dict[str, int] = {}
    columns = []
    for i, col in enumerate(names, start=1):
        col = col or f"unnamed_{i}"
        if col in seen:
            if col in KNOWN_COLUMNS:
                raise IngestError(name, f"column {col!r} appears more than once "
                                        f"(columns {seen[col]} and {i})", row=1)
            col = f"{col}_{i}"
        seen[col] = i
        columns.append(col)
    body = grid.iloc[1:].reset_index(drop=True)
    body.columns = columns
    body = body.astype(str)
    last = len(body)
    while last and not any(str(v).strip() for v in body.iloc[last - 1].tolist()):
        last -= 1
    return body.iloc[:last].reset_index(drop=True)
