"""Reading a survey file (CSV or XLSX) into a table of text cells.

Nothing is interpreted here except the file's structure: every cell comes back as a string
('' for an empty cell), so validation sees exactly what the user typed and can quote it back.

`read_table` reads a canonical file (normalised header names). `read_grid` reads any file as
a grid of rows with the header rows kept raw, for survey-tool exports whose headers are
question codes or texts (pipelines/ingest/tools/).
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
    data, name, kind = _load(path)
    return _read_xlsx(data, name) if kind == "xlsx" else _read_csv(data, name)


def _load(path: Path) -> tuple[bytes, str, Literal["csv", "xlsx"]]:
    """The file's bytes, its name and whether it is a workbook or text; IngestError if neither."""
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
        return data, name, "xlsx"
    if suffix not in CSV_SUFFIXES:
        raise IngestError(name, f"unsupported file type {suffix or '(no extension)'!r}; "
                                "expected CSV (.csv, .tsv, .txt) or Excel (.xlsx, .xlsm)")
    return data, name, "csv"


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


def _csv_text(text: str, name: str) -> tuple[str, str, str | None]:
    """Text without BOM and Excel "sep=" line, its header line, and the declared delimiter."""
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
    return text, header, declared.group(1) if declared else None


def _read_csv(data: bytes, name: str) -> RawTable:
    text, encoding = _decode(data, name)
    text, header, declared = _csv_text(text, name)
    delimiter = declared or sniff_delimiter(header)
    grid = _csv_grid(text, delimiter, name)
    return RawTable(frame=_with_header(grid, name), encoding=encoding,
                    delimiter=delimiter, fmt="csv")


def _csv_grid(text: str, delimiter: str, name: str) -> pd.DataFrame:
    """Every record of the CSV text as a row of str cells ('' when empty), header included."""
    try:
        grid = pd.read_csv(io.StringIO(text), sep=delimiter, header=None, dtype=str,
                           keep_default_na=False, na_filter=False, skip_blank_lines=False,
                           engine="c")
    except pd.errors.ParserError as exc:
        raise _ragged_row_error(text, delimiter, name) or \
            IngestError(name, f"is not a readable CSV ({exc})") from exc
    except (pd.errors.EmptyDataError, ValueError) as exc:
        raise IngestError(name, f"is not a readable CSV ({exc})") from exc
    return grid.fillna("")


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
    grid = _xlsx_grid(data, name)
    return RawTable(frame=_with_header(grid, name), encoding="xlsx", delimiter=None, fmt="xlsx")


def _xlsx_grid(data: bytes, name: str) -> pd.DataFrame:
    """The first sheet's rows as str cells, as wide as the header (row 1) is."""
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
    return pd.DataFrame([header, *body], dtype=str)


# --------------------------------------------------------------------------------------------
# Raw grid (survey-tool exports: headers kept as they are)
# --------------------------------------------------------------------------------------------


@dataclass
class RawGrid:
    """Every row of a file, header rows included, as str cells; row i is spreadsheet row i + 1.

    Columns are positions 0..n-1: header cells are data here, kept exactly as in the file
    (duplicates, brackets, full question texts), because a survey tool's header row names its
    questions. Blank rows at the end are dropped.
    """

    rows: pd.DataFrame
    encoding: str  # "utf-8", "utf-8-sig", "cp1252" or "utf-16" for CSV; "xlsx" for a workbook
    delimiter: str | None  # None for XLSX
    fmt: Literal["csv", "xlsx"]


def read_grid(path: Path) -> RawGrid:
    """Read any CSV/TSV (UTF-16 too) or XLSX file as raw rows; IngestError if unreadable."""
    data, name, kind = _load(path)
    if kind == "xlsx":
        return RawGrid(_trim_blank_end(_xlsx_grid(data, name)), "xlsx", None, "xlsx")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:  # Qualtrics TSV and Excel's "Unicode text" are UTF-16
            text, encoding = data.decode("utf-16"), "utf-16"
        except UnicodeDecodeError as exc:
            raise IngestError(name, "starts with a UTF-16 BOM but is not valid UTF-16") from exc
    else:
        text, encoding = _decode(data, name)
    text, _, declared = _csv_text(text, name)
    delimiter = declared or sniff_raw_delimiter(text)
    return RawGrid(_trim_blank_end(_csv_grid(text, delimiter, name)), encoding, delimiter, "csv")


def sniff_raw_delimiter(text: str, sample: int = 20) -> str:
    """The delimiter that splits the first records into equally many fields, the most of them.

    Header names are unknown here (question codes or texts), so consistency decides: a `;` file
    whose question texts hold commas splits into ragged rows on `,`. A delimiter that splits
    nothing scores lowest; blank lines do not count. Ties go to , ; tab.
    """
    def score(delim: str) -> tuple[bool, int, int]:
        records: list[int] = []
        for record in csv.reader(io.StringIO(text, newline=""), delimiter=delim):
            if any(cell.strip() for cell in record):
                records.append(len(record))
            if len(records) >= sample:
                break
        width = records[0] if records else 0
        return width > 1, sum(n == width for n in records), width

    return max(DELIMITERS, key=score)


def _trim_blank_end(grid: pd.DataFrame) -> pd.DataFrame:
    grid = grid.astype(str)
    last = len(grid)
    while last and not any(v.strip() for v in grid.iloc[last - 1].tolist()):
        last -= 1
    return grid.iloc[:last].reset_index(drop=True)


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
