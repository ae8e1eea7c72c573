"""Reading a survey file (CSV or XLSX) into a table of text cells.

Nothing is interpreted here except the file's structure: every cell comes back as a string
('' for an empty cell), so validation sees exactly what the user typed and can quote it back.

`read_table` reads a canonical file (normalised header names). `read_grid` reads any file as
a grid of rows with the header rows kept raw, for survey-tool exports whose headers are
question codes or texts (pipelines/ingest/tools/).

Limits. A file is checked against these before it is parsed, and parsing stops at them, so a
hostile or broken file costs bounded memory and time and ends in an IngestError that names the
file (and the row and column where there is one) and the limit:

- MAX_FILE_BYTES, 100 MB: checked with stat() before a byte is read, and the read itself stops
  one byte past the limit (a file that grows meanwhile). Ingesting costs ~20x the file in
  memory (text, parser, string cells, validation), measured on a 2-core machine: a 1M-row
  canonical CSV (56 MB) in ~9 s with a 1.1 GB peak, a 100 MB one (1.78M rows) in ~13 s with
  1.9 GB, 40M cells (MAX_CELLS) in ~7 s with 1.1 GB: within reach of a coordinator's laptop.
- MAX_ROWS, 2,000,000 data rows: a canonical row is at least ~55 bytes, so a real file under
  100 MB has fewer; the limit bites only on degenerate files (millions of blank or one-letter
  lines) that would otherwise cost memory far beyond the file's size. The EU scale (~100k
  municipalities x a few respondents x 39 elements, ~10M answers a wave) arrives as several
  files (per country or region, per survey-tool export), each ingested separately and all
  combined by the build; one 10M-row file would need ~10 GB to validate, so it is refused with
  the advice to split it.
- MAX_COLUMNS, 2,000 and MAX_CELLS, 40,000,000 (rows x columns): survey-tool exports are wide
  (a column per question, comment and timing) but not that wide; a 100 MB file of empty cells
  would otherwise be 100M Python strings.
- MAX_FIELD_CHARS, 100,000 characters in one cell: evidence is free text (a note, a link, a
  quote from a plan), and 100,000 characters is ~15,000 words; longer text belongs in a
  document the note links to. (Python's csv module stops at 131,072.)
- Workbooks (a zip of XML): at most MAX_XLSX_UNPACKED, 500 MB unpacked, no part packed more
  than MAX_XLSX_RATIO (200:1; real sheets pack 5-50:1, a "zip bomb" 1000:1), at most
  MAX_ZIP_PARTS parts and MAX_SHEETS sheets. Only the first sheet is read (all of it, whatever
  size the sheet claims); formulas are never run: a formula cell reads as the value Excel or
  LibreOffice saved with it, and one never calculated (no saved value) is an error, not an
  empty cell. Links to other workbooks are not followed.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import stat
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

MAX_FILE_BYTES = 100_000_000
MAX_ROWS = 2_000_000
MAX_COLUMNS = 2_000
MAX_CELLS = 40_000_000
MAX_FIELD_CHARS = 100_000
MAX_XLSX_UNPACKED = 500_000_000
MAX_XLSX_RATIO = 200
MAX_ZIP_PARTS = 10_000
MAX_SHEETS = 100
_SPLIT_ADVICE = "split it into smaller files (for example one per country or region)"


def _size(n: int) -> str:
    """100_000_000 -> '100 MB'; 1_234_567 -> '1.2 MB'."""
    return f"{n / 1e6:,.0f} MB" if n >= 10e6 else f"{n / 1e6:,.1f} MB"


class IngestError(ValueError):
    """A file that cannot be read as a table at all; the message names the file and the reason.

    `row` is the spreadsheet row of the problem when there is one (header = row 1), else None;
    `column` the column's header (or its number) when the problem is one cell.
    """

    def __init__(self, file: str, reason: str, row: int | None = None,
                 column: str | None = None):
        self.file, self.reason, self.row, self.column = file, reason, row, column
        where = f"{file} row {row}" if row is not None else file
        if column:
            where += f", column {column}"
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
    """The file's bytes, its name and whether it is a workbook or text; IngestError if neither.

    The size is checked before anything is read, and the read stops past MAX_FILE_BYTES."""
    path = Path(path)
    name = path.name
    try:
        st = path.stat()
        if stat.S_ISDIR(st.st_mode):
            raise IngestError(name, "is a folder, not a file")
        if not stat.S_ISREG(st.st_mode):
            raise IngestError(name, "is not a regular file (a device, pipe or socket?)")
        if st.st_size > MAX_FILE_BYTES:
            raise IngestError(name, _too_big(st.st_size))
        with path.open("rb") as fh:
            data = fh.read(MAX_FILE_BYTES + 1)
    except OSError as exc:
        raise IngestError(name, f"cannot be read ({exc.strerror or exc})") from exc
    if len(data) > MAX_FILE_BYTES:  # it grew after stat()
        raise IngestError(name, _too_big(MAX_FILE_BYTES, exact=False))
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


def _too_big(size: int, exact: bool = True) -> str:
    more = "" if exact else "more than "
    return (f"the file is {more}{_size(size)}; the limit is {_size(MAX_FILE_BYTES)}: "
            + _SPLIT_ADVICE)


# --------------------------------------------------------------------------------------------
# CSV
# --------------------------------------------------------------------------------------------


def _decode(data: bytes, name: str) -> tuple[str, str]:
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise IngestError(name, "is UTF-16 text; save it as UTF-8 CSV")
    nul = data.find(b"\x00")
    if nul >= 0:
        raise IngestError(name, _nul_reason(data, nul))
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


def _nul_reason(data: bytes, nul: int) -> str:
    """Why a file with a NUL byte is refused: UTF-16 without a BOM, or not text at all."""
    sample = data[:4096]
    half = max(len(sample) // 2, 1)
    zeros = sorted((sample[0::2].count(0), sample[1::2].count(0)))
    if zeros[1] >= 0.4 * half and zeros[0] <= 0.05 * half:  # NULs at every other byte only
        return ("looks like UTF-16 text without a byte-order mark; save it as UTF-8 CSV "
                "(in Excel: CSV UTF-8)")
    line = data.count(b"\n", 0, nul) + 1
    return (f"is not a text (CSV) file: it holds a NUL byte (line {line}, byte {nul + 1}); "
            "binary data, or a file saved in another format with a .csv name?")


def _header_line(text: str) -> str:
    return re.split(r"\r\n|\r|\n", text, maxsplit=1)[0]


def sniff_delimiter(header_line: str) -> str:
    """The delimiter that splits the header into the most known column names.

    Ties (including a header without any known name) go to the candidate giving most fields,
    then to the order , ; tab.
    """
    def score(delim: str) -> tuple[int, int]:
        fields = _fields(header_line, delim)
        return sum(normalise_header(f) in KNOWN_COLUMNS for f in fields), len(fields)

    return max(DELIMITERS, key=score)  # max keeps the first of equal scores


def _fields(line: str, delimiter: str) -> list[str]:
    """One line split as CSV; [] when the csv module refuses it (a field over its size limit)."""
    try:
        return next(csv.reader([line], delimiter=delimiter), [])
    except csv.Error:
        return []


def _check_width(width: int, name: str) -> None:
    if width > MAX_COLUMNS:
        raise IngestError(name, f"the header has {width:,} columns; the limit is "
                                f"{MAX_COLUMNS:,}", row=1)


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
    grid = _csv_grid(text, delimiter, name, width=len(_fields(header, delimiter)))
    return RawTable(frame=_with_header(grid, name), encoding=encoding,
                    delimiter=delimiter, fmt="csv")


def _csv_grid(text: str, delimiter: str, name: str, width: int) -> pd.DataFrame:
    """Every record of the CSV text as a row of str cells ('' when empty), header included.

    `width` is the first record's number of fields: it bounds the rows read (MAX_CELLS)."""
    _check_width(width, name)
    allowed = min(MAX_ROWS, MAX_CELLS // max(width, 1))
    try:
        grid = pd.read_csv(io.StringIO(text), sep=delimiter, header=None, dtype=str,
                           keep_default_na=False, na_filter=False, skip_blank_lines=False,
                           engine="c", nrows=allowed + 2)  # the header, the rows, one more
    except pd.errors.ParserError as exc:
        raise _ragged_row_error(text, delimiter, name) or \
            IngestError(name, f"is not a readable CSV ({exc})") from exc
    except (pd.errors.EmptyDataError, ValueError) as exc:
        raise IngestError(name, f"is not a readable CSV ({exc})") from exc
    if len(grid) > allowed + 1:
        raise _too_many_rows(name, allowed, width)
    _check_width(grid.shape[1], name)
    grid = grid.fillna("")
    if len(text) > MAX_FIELD_CHARS:
        _check_field_sizes(grid, name)
    return grid


def _too_many_rows(name: str, allowed: int, width: int) -> IngestError:
    if allowed == MAX_ROWS:
        why = f"the limit is {MAX_ROWS:,} rows"
    else:
        why = (f"with {width:,} columns that is the limit of {MAX_CELLS:,} cells "
               f"(rows x columns)")
    return IngestError(name, f"the file has more than {allowed:,} data rows: {why}; "
                             + _SPLIT_ADVICE, row=allowed + 2)


def _too_long(name: str, length: int, row: int, column: str) -> IngestError:
    return IngestError(name, f"the cell holds {length:,} characters; the limit is "
                             f"{MAX_FIELD_CHARS:,} (put long evidence in a document and give "
                             "its title or link)", row=row, column=column)


def _column_label(header: object, position: int) -> str:
    """A column as errors name it: its header, or its number when that is empty or huge."""
    text = normalise_header(header)
    return text if text and len(text) <= 100 else str(position)


def _check_field_sizes(grid: pd.DataFrame, name: str) -> None:
    """IngestError at the first cell (by row, then column) longer than MAX_FIELD_CHARS."""
    first: tuple[int, int, int] | None = None  # (grid row, column position, length)
    for j in range(grid.shape[1]):
        lengths = grid.iloc[:, j].astype(str).str.len().to_numpy()
        over = (lengths > MAX_FIELD_CHARS).nonzero()[0]
        if len(over) and (first is None or over[0] < first[0]):
            first = (int(over[0]), j, int(lengths[over[0]]))
    if first is not None:
        i, j, length = first
        header = grid.iloc[0, j] if i > 0 else ""
        raise _too_long(name, length, i + 1, _column_label(header, j + 1))


def _ragged_row_error(text: str, delimiter: str, name: str) -> IngestError | None:
    """Find the first record with more cells than the header (the C parser only says 'line')."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    width = None
    try:
        for row_no, record in enumerate(reader, start=1):
            if width is None:
                width = len(record)
            elif len(record) > width:
                return IngestError(name, f"the row has {len(record)} cells but the header has "
                                         f"{width} (a delimiter inside a value that is not "
                                         "quoted?)", row=row_no)
    except csv.Error:  # a field over the csv module's size limit: the parser's message will do
        return None
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


def _check_zip(data: bytes, name: str) -> None:
    """Refuse a workbook that would unpack to too much (a zip bomb) before openpyxl opens it.

    zipfile never inflates a part beyond the size its directory declares, so the declared sizes
    bound what reading can cost."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            parts = zf.infolist()
    except Exception as exc:  # hostile bytes: any failure is "not a workbook"
        raise IngestError(name, f"is not a readable Excel workbook ({_brief(exc)})") from exc
    if len(parts) > MAX_ZIP_PARTS:
        raise IngestError(name, f"the workbook has {len(parts):,} parts; the limit is "
                                f"{MAX_ZIP_PARTS:,}")
    unpacked = sum(p.file_size for p in parts)
    if unpacked > MAX_XLSX_UNPACKED:
        raise IngestError(name, f"the workbook unpacks to {_size(unpacked)}; the limit is "
                                f"{_size(MAX_XLSX_UNPACKED)}: " + _SPLIT_ADVICE)
    for p in parts:
        if p.file_size > 1_000_000 and p.file_size > MAX_XLSX_RATIO * max(p.compress_size, 1):
            ratio = p.file_size // max(p.compress_size, 1)
            raise IngestError(name, f"the workbook part {p.filename!r} is packed {ratio:,}:1 "
                                    f"(the limit is {MAX_XLSX_RATIO}:1); this looks like a "
                                    "zip bomb, not a spreadsheet")


def _brief(exc: BaseException) -> str:
    text = str(exc).strip() or type(exc).__name__
    return text if len(text) <= 200 else text[:200] + "..."


def _xlsx_grid(data: bytes, name: str) -> pd.DataFrame:
    """The first sheet's rows as str cells, as wide as the header (row 1) is."""
    from openpyxl import load_workbook  # imported here: CSV-only runs skip its import cost

    _check_zip(data, name)
    try:
        wb = load_workbook(io.BytesIO(data), read_only=True, data_only=True, keep_links=False)
        try:
            grid = _sheet_grid(wb, name)
            _check_formulas(wb.worksheets[0], grid, name)
            return grid
        finally:
            wb.close()
    except IngestError:
        raise
    except Exception as exc:  # openpyxl on hostile XML/zip raises all sorts; none may escape
        raise IngestError(name, f"is not a readable Excel workbook ({_brief(exc)})") from exc


_FORMULA_TAG = re.compile(rb"<(?:[A-Za-z0-9_]+:)?f[\s>/]")


def _check_formulas(ws, grid: pd.DataFrame, name: str) -> None:
    """IngestError at the first formula cell that was never calculated (a workbook written by a
    program, not saved by Excel or LibreOffice): its value is unknown, and reading it as empty
    would turn a level into "don't know". Formulas are never run here; a calculated one reads
    as the value saved with it."""
    with ws._get_source() as src:  # a cheap scan first: most workbooks have no formula at all
        tail = b""
        for chunk in iter(lambda: src.read(1 << 20), b""):
            if _FORMULA_TAG.search(tail + chunk):
                break
            tail = chunk[-16:]
        else:
            return
    from xml.etree.ElementTree import iterparse

    rows, width = len(grid), grid.shape[1]
    row = col = 0
    with ws._get_source() as src:
        for event, el in iterparse(src, events=("start", "end")):
            tag = el.tag.rpartition("}")[2]
            if event == "start":
                if tag == "row":
                    row = int(el.get("r") or row + 1)
                    col = 0
                    if row > rows:
                        return
                elif tag == "c":
                    ref = el.get("r")
                    col = _column_number(ref) if ref else col + 1
                continue
            if tag == "c":
                formula = next((e for e in el if e.tag.rpartition("}")[2] == "f"), None)
                value = next((e for e in el if e.tag.rpartition("}")[2] == "v"), None)
                uncalculated = (formula is not None and el.get("t") not in ("str", "inlineStr")
                                and (value is None or not (value.text or "").strip()))
                if uncalculated and col <= width:
                    label = _column_label(grid.iat[0, col - 1], col) if row > 1 else str(col)
                    raise IngestError(
                        name, f"the cell holds a formula (={_brief(formula.text or '')}) that "
                              "was never calculated, so its value is unknown: open the file in "
                              "Excel or LibreOffice, save it, and import it again (formulas are "
                              "not run here)", row=row, column=label)
            elif tag == "row":
                el.clear()


def _column_number(ref: str) -> int:
    """"AB12" -> 28."""
    n = 0
    for ch in ref:
        if not ch.isalpha():
            break
        n = n * 26 + ord(ch.upper()) - 64
    return n


def _sheet_grid(wb, name: str) -> pd.DataFrame:
    if not wb.worksheets:
        raise IngestError(name, "the workbook has no sheets")
    if len(wb.worksheets) > MAX_SHEETS:
        raise IngestError(name, f"the workbook has {len(wb.worksheets):,} sheets; the limit is "
                                f"{MAX_SHEETS}")
    ws = wb.worksheets[0]
    ws.reset_dimensions()  # the sheet's stated size can be wrong: rows past it would be lost
    first = next(ws.iter_rows(max_row=1, values_only=True), ())
    header = [cell_text(v) for v in first]
    while header and not header[-1].strip():
        header = header[:-1]  # formatted but empty cells right of the header
    if not header:
        for r, row in enumerate(ws.iter_rows(min_row=2, max_row=MAX_ROWS, values_only=True), 2):
            if any(cell_text(v).strip() for v in row):
                raise IngestError(name, "no header: row 1 of the first sheet is empty", row=1)
            if r * max(len(row), 1) > MAX_CELLS:
                break
        raise IngestError(name, "the first sheet is empty")
    width = len(header)
    _check_width(width, name)
    labels = [_column_label(h, j) for j, h in enumerate(header, start=1)]
    for j, cell in enumerate(header):
        if len(cell) > MAX_FIELD_CHARS:
            raise _too_long(name, len(cell), 1, str(j + 1))
    allowed = min(MAX_ROWS, MAX_CELLS // width)
    body = []
    # cells right of the header are notes: not read
    for r, row in enumerate(ws.iter_rows(min_row=2, max_col=width, values_only=True), start=2):
        if r > allowed + 1:
            raise _too_many_rows(name, allowed, width)
        cells = [cell_text(v) for v in row]
        for j, cell in enumerate(cells):
            if len(cell) > MAX_FIELD_CHARS:
                raise _too_long(name, len(cell), r, labels[j])
        body.append(cells + [""] * (width - len(cells)))
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
        if "\x00" in text:
            raise IngestError(name, "is not a text file: it holds a NUL character")
    else:
        text, encoding = _decode(data, name)
    text, _, declared = _csv_text(text, name)
    delimiter = declared or sniff_raw_delimiter(text)
    widths = _record_widths(text, delimiter, 1)
    grid = _csv_grid(text, delimiter, name, width=widths[0] if widths else 1)
    return RawGrid(_trim_blank_end(grid), encoding, delimiter, "csv")


def sniff_raw_delimiter(text: str, sample: int = 20) -> str:
    """The delimiter that splits the first records into equally many fields, the most of them.

    Header names are unknown here (question codes or texts), so consistency decides: a `;` file
    whose question texts hold commas splits into ragged rows on `,`. A delimiter that splits
    nothing scores lowest; blank lines do not count. Ties go to , ; tab.
    """
    def score(delim: str) -> tuple[bool, int, int]:
        records = _record_widths(text, delim, sample)
        width = records[0] if records else 0
        return width > 1, sum(n == width for n in records), width

    return max(DELIMITERS, key=score)


def _record_widths(text: str, delimiter: str, sample: int) -> list[int]:
    """The number of fields of the first `sample` non-blank records (fewer if the csv module
    stops at a field over its size limit: the size check after parsing names that cell)."""
    records: list[int] = []
    try:
        reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
        for n, record in enumerate(reader, start=1):
            if any(cell.strip() for cell in record):
                records.append(len(record))
            if len(records) >= sample or n >= 100 * sample:  # millions of blank lines: stop
                break
    except csv.Error:
        pass
    return records


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
