"""Properties of the survey file reader (pipelines/ingest/read.py), tested with hypothesis.

- Any text cells (delimiters, quotes, newlines, unicode) written by Python's csv module with any
  supported delimiter, encoding and line ending read back as exactly the same cells.
- Any bytes, under any supported name, either read or raise IngestError: never anything else.
"""

from __future__ import annotations

import contextlib
import csv
import io
from pathlib import Path

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from openpyxl import Workbook

from pipelines.ingest.read import IngestError, read_grid, read_table

HEADER = ["municipality_id", "wave", "element_id", "level", "respondent_id", "respondent_role",
          "submitted_at", "confidence", "evidence", "publish_consent"]
SETTINGS = settings(max_examples=150, deadline=None, database=None,
                    suppress_health_check=[HealthCheck.too_slow])

# Text a cell can hold: anything but NUL (a file with one is refused as binary), surrogates
# (not encodable) and the BOM character (stripped where a file starts).
CELL = st.text(st.characters(exclude_categories=("Cs",), exclude_characters="\x00\ufeff"),
               max_size=12)
CP1252_CELL = st.text(st.characters(codec="cp1252", exclude_characters="\x00"), max_size=12)
SPECIAL = st.sampled_from([",", ";", "\t", '"', "\n", "\r", "\r\n", " ", "'", "=1+2", "é", "€",
                           "sep=;", "\u2028", "\x85", "NA", "nan", ""])


def cells(alphabet):
    return st.one_of(alphabet, SPECIAL, st.lists(st.one_of(alphabet, SPECIAL), max_size=4)
                     .map("".join))


@pytest.fixture(scope="module")
def folder(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("properties")


def write(path: Path, rows: list[list[str]], *, delimiter: str, encoding: str,
          lineterminator: str, quoting: int) -> Path:
    buf = io.StringIO(newline="")
    csv.writer(buf, delimiter=delimiter, lineterminator=lineterminator,
               quoting=quoting).writerows(rows)
    text = buf.getvalue()
    # The csv module does not quote a lone "\r" when lines end in "\n", and then cannot read
    # its own file back: such files are ambiguous, whatever reads them.
    assume(list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)) == rows)
    path.write_bytes(text.encode(encoding))
    return path


def trimmed(rows: list[list[str]]) -> list[list[str]]:
    """Rows as the reader gives them: blank rows at the end dropped."""
    rows = list(rows)
    while rows and not any(c.strip() for c in rows[-1]):
        rows.pop()
    return rows


FORMAT = st.fixed_dictionaries({
    "delimiter": st.sampled_from([",", ";", "\t"]),
    "lineterminator": st.sampled_from(["\r\n", "\n"]),
    "quoting": st.sampled_from([csv.QUOTE_MINIMAL, csv.QUOTE_ALL]),
})


def body(cell_strategy, width: int):
    return st.lists(st.lists(cells(cell_strategy), min_size=width, max_size=width),
                    min_size=1, max_size=6)


def encodable(rows, encoding: str, fmt: dict) -> bool:
    """cp1252 bytes that are valid UTF-8 read as UTF-8: ambiguous by nature, not tested."""
    if encoding != "cp1252":
        return True
    buf = io.StringIO(newline="")
    csv.writer(buf, **fmt).writerows(rows)
    try:
        data = buf.getvalue().encode("cp1252")
    except UnicodeEncodeError:
        return False
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return True
    return data.isascii()


@SETTINGS
@given(st.sampled_from(["utf-8", "utf-8-sig", "cp1252"]), FORMAT, st.data())
def test_canonical_cells_round_trip(folder, encoding, fmt, data):
    alphabet = CP1252_CELL if encoding == "cp1252" else CELL
    rows = data.draw(body(alphabet, len(HEADER)))
    assume(encodable([HEADER, *rows], encoding, fmt))
    path = write(folder / "canonical.csv", [HEADER, *rows], encoding=encoding, **fmt)
    raw = read_table(path)
    assert raw.delimiter == fmt["delimiter"]
    assert list(raw.frame.columns) == HEADER
    assert raw.frame.values.tolist() == trimmed(rows)


@SETTINGS
@given(st.sampled_from(["utf-8", "utf-8-sig", "cp1252", "utf-16"]), FORMAT,
       st.integers(min_value=2, max_value=6), st.data())
def test_raw_grid_cells_round_trip(folder, encoding, fmt, width, data):
    alphabet = CP1252_CELL if encoding == "cp1252" else CELL
    header = [f"Q{i} ({'abc'[i % 3]})" for i in range(width)]
    rows = data.draw(body(alphabet, width))
    assume(encodable([header, *rows], encoding, fmt))
    path = write(folder / "grid.csv", [header, *rows], encoding=encoding, **fmt)
    grid = read_grid(path)
    assert grid.delimiter == fmt["delimiter"]
    assert grid.rows.values.tolist() == trimmed([header, *rows])


# A workbook cell holds no control characters but tab and newline (XML 1.0); text starting
# with "=" would be written as a formula.
XLSX_CELL = st.text(st.characters(exclude_categories=("Cs", "Cc"), include_characters="\t\n",
                                  exclude_characters="\ufeff\ufffe\uffff"), max_size=12)
XLSX_SPECIAL = st.sampled_from([",", ";", "\t", '"', "\n", " ", "'", "+1", "é", "NA", "",
                                "\u2028", " padded "])


@settings(SETTINGS, max_examples=40)
@given(st.lists(st.lists(st.one_of(XLSX_CELL, XLSX_SPECIAL).filter(lambda c: c[:1] != "="),
                         min_size=len(HEADER), max_size=len(HEADER)),
                min_size=1, max_size=4))
def test_workbook_cells_round_trip(folder, rows):
    wb = Workbook()
    for r in [HEADER, *rows]:
        wb.active.append(r)
    path = folder / "book.xlsx"
    wb.save(path)
    assert read_table(path).frame.values.tolist() == trimmed(rows)


GOOD_CSV = (Path(__file__).resolve().parent.parent / "fixtures" / "ingest" / "good.csv")


def _good_xlsx() -> bytes:
    wb = Workbook()
    wb.active.append(HEADER)
    wb.active.append(["NL_GM0363", "2025", "STR-01", "3", "a", "cio", "2025-03-14", "high", "",
                      "yes"])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


GOOD_XLSX = _good_xlsx()


def only_ingest_errors(path: Path) -> None:
    for reader in (read_table, read_grid):
        with contextlib.suppress(IngestError):
            reader(path)


@SETTINGS
@given(st.binary(max_size=3000), st.sampled_from([".csv", ".tsv", ".txt", ".xlsx", ".xlsm"]))
def test_arbitrary_bytes_raise_only_ingest_error(folder, data, suffix):
    only_ingest_errors(_put(folder / f"any{suffix}", data))


@SETTINGS
@given(st.sampled_from([(GOOD_CSV.read_bytes(), ".csv"), (GOOD_XLSX, ".xlsx")]),
       st.lists(st.tuples(st.integers(min_value=0), st.integers(min_value=0, max_value=255)),
                min_size=1, max_size=8),
       st.integers(min_value=0))
def test_damaged_good_files_raise_only_ingest_error(folder, good, flips, cut):
    """Good files with bytes changed and cut short: zip, XML and CSV parsers on broken input."""
    data, suffix = good
    damaged = bytearray(data)
    for pos, value in flips:
        damaged[pos % len(damaged)] = value
    damaged = bytes(damaged[: max(cut % (len(damaged) + 1), 1)])
    only_ingest_errors(_put(folder / f"damaged{suffix}", damaged))


def _put(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path
