"""Tables of the API as downloads: `?format=csv|xlsx|parquet` next to the default JSON.

Every list endpoint that answers a table (municipalities, one municipality's levels, aggregates,
leverage) hands the same rows to `table_response`, so the four formats hold the same records:
- CSV: a header row, text quoted where needed, empty for null, true/false; text cells that a
  spreadsheet would run as a formula (starting with = + - @ tab CR) get a leading quote
  (pipelines/csv_safe.py, OWASP's remedy);
- XLSX: one sheet "data" with a frozen header row; text is written as text (shared strings with
  the text number format and Excel's quote prefix), never as a formula, so a name such as
  `=HYPERLINK(...)` stays the characters it is and the file needs no quote added to it; numbers
  are numbers, booleans booleans, null an empty cell;
- Parquet: the typed columns as Arrow writes them (no spreadsheet opens it: nothing to
  neutralise).

The XLSX writer is a small one of its own: openpyxl needs ~20 s for the 98,000-municipality list
(a cell object per value); building the sheet's XML column by column with Arrow takes well under
a second. The bytes depend only on the rows (fixed zip timestamps).
"""

from __future__ import annotations

import io
import re
import zipfile

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pcsv
import pyarrow.parquet as pq
from flask import Response

from dashboard.filenames import safe_filename
from pipelines.csv_safe import safe_frame_fast

FORMATS = ("json", "csv", "xlsx", "parquet")
TABLE_FORMATS = FORMATS[1:]
MIMETYPES = {
    "csv": "text/csv",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "parquet": "application/vnd.apache.parquet",
}


def table_response(df: pd.DataFrame, filename: str, fmt: str) -> Response:
    """`df` as a download in `fmt` (csv, xlsx or parquet); `filename` without its extension
    is fine (the format's extension replaces any given)."""
    writer = {"csv": csv_bytes, "xlsx": xlsx_bytes, "parquet": parquet_bytes}[fmt]
    stem = filename.rsplit(".", 1)[0] if filename.endswith((".csv", ".xlsx", ".parquet")) \
        else filename
    name = safe_filename(f"{stem}.{fmt}", f"ds4e.{fmt}")
    return Response(writer(df), mimetype=MIMETYPES[fmt], headers={
        "Content-Disposition": f'attachment; filename="{name}"'})


# ------------------------------------------------------------------ CSV and Parquet


def csv_bytes(df: pd.DataFrame) -> bytes:
    """A header row, then one row per record; text quoted, empty for null, true/false.
    (Arrow's writer: 98k rows in 50 ms where DataFrame.to_csv takes 700 ms.)"""
    buf = io.BytesIO()
    pcsv.write_csv(pa.Table.from_pandas(safe_frame_fast(df), preserve_index=False), buf,
                   pcsv.WriteOptions(quoting_style="needed"))
    return buf.getvalue()


def _array(col: pa.ChunkedArray) -> pa.Array:
    return col.chunk(0) if col.num_chunks == 1 else pa.concat_arrays(col.chunks)


def _arrow(df: pd.DataFrame) -> pa.Table:
    """The frame as Arrow; an all-null object column (a flag before anything is published)
    becomes a null column, a float column's NaN null."""
    table = pa.Table.from_pandas(df, preserve_index=False)
    cols = []
    for col in table.columns:
        col = _array(col)
        if pa.types.is_floating(col.type):
            col = pc.if_else(pc.is_finite(col), col, pa.scalar(None, col.type))
        cols.append(col)
    return pa.table(cols, names=table.column_names, metadata=table.schema.metadata)


def parquet_bytes(df: pd.DataFrame) -> bytes:
    buf = io.BytesIO()
    pq.write_table(_arrow(df), buf)
    return buf.getvalue()


# ------------------------------------------------------------------ XLSX

_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PKG = "http://schemas.openxmlformats.org/package/2006/relationships"
_CT = "application/vnd.openxmlformats-officedocument.spreadsheetml"
_HEAD = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
_PARTS = {
    "[Content_Types].xml": (
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
        'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>'
        f'<Override PartName="/xl/workbook.xml" ContentType="{_CT}.sheet.main+xml"/>'
        f'<Override PartName="/xl/worksheets/sheet1.xml" ContentType="{_CT}.worksheet+xml"/>'
        f'<Override PartName="/xl/styles.xml" ContentType="{_CT}.styles+xml"/>'
        f'<Override PartName="/xl/sharedStrings.xml" ContentType="{_CT}.sharedStrings+xml"/>'
        '</Types>'),
    "_rels/.rels": (
        f'<Relationships xmlns="{_PKG}"><Relationship Id="rId1" Type="{_REL}/officeDocument" '
        'Target="xl/workbook.xml"/></Relationships>'),
    "xl/workbook.xml": (
        f'<workbook xmlns="{_NS}" xmlns:r="{_REL}"><sheets>'
        '<sheet name="data" sheetId="1" r:id="rId1"/></sheets></workbook>'),
    "xl/_rels/workbook.xml.rels": (
        f'<Relationships xmlns="{_PKG}">'
        f'<Relationship Id="rId1" Type="{_REL}/worksheet" Target="worksheets/sheet1.xml"/>'
        f'<Relationship Id="rId2" Type="{_REL}/styles" Target="styles.xml"/>'
        f'<Relationship Id="rId3" Type="{_REL}/sharedStrings" Target="sharedStrings.xml"/>'
        '</Relationships>'),
    # style 1: text number format (@) with the quote prefix: Excel keeps the cell text even
    # when someone edits it; style 2: the same, bold (the header row)
    "xl/styles.xml": (
        f'<styleSheet xmlns="{_NS}"><fonts count="2"><font><sz val="11"/><name val="Calibri"/>'
        '</font><font><b/><sz val="11"/><name val="Calibri"/></font></fonts>'
        '<fills count="2"><fill><patternFill patternType="none"/></fill><fill><patternFill '
        'patternType="gray125"/></fill></fills><borders count="1"><border><left/><right/><top/>'
        '<bottom/><diagonal/></border></borders><cellStyleXfs count="1"><xf numFmtId="0" '
        'fontId="0" fillId="0" borderId="0"/></cellStyleXfs><cellXfs count="3">'
        '<xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
        '<xf numFmtId="49" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1" '
        'quotePrefix="1"/><xf numFmtId="49" fontId="1" fillId="0" borderId="0" xfId="0" '
        'applyNumberFormat="1" applyFont="1" quotePrefix="1"/></cellXfs><cellStyles count="1">'
        '<cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles></styleSheet>'),
}
_SHEET_OPEN = (
    f'<worksheet xmlns="{_NS}"><sheetViews><sheetView workbookViewId="0"><pane ySplit="1" '
    'topLeftCell="A2" activePane="bottomLeft" state="frozen"/></sheetView></sheetViews>'
    '<sheetData>')
_SHEET_CLOSE = "</sheetData></worksheet>"
# characters XML 1.0 cannot hold (Python's and RE2's spelling)
_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_ILLEGAL_RE2 = r"[\x00-\x08\x0b\x0c\x0e-\x1f\x{FFFE}\x{FFFF}]"


def _column_letter(i: int) -> str:
    out = ""
    i += 1
    while i:
        i, r = divmod(i - 1, 26)
        out = chr(65 + r) + out
    return out


def _escape_one(text: str) -> str:
    """XML text for one string with characters XML cannot hold (Excel's _xHHHH_ escape)."""
    text = re.sub(r"_(x[0-9A-Fa-f]{4}_)", r"_x005F_\1", text)
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    text = text.replace("\r", "&#13;")
    return _ILLEGAL.sub(lambda m: f"_x{ord(m.group()):04X}_", text)


def _xml_text(values: pa.Array) -> pa.Array:
    """Each string as XML element text (null stays null), vectorised."""
    if pc.any(pc.match_substring_regex(values, _ILLEGAL_RE2)).as_py():
        return pa.array([None if v is None else _escape_one(v) for v in values.to_pylist()],
                        type=pa.large_string())
    out = pc.replace_substring_regex(values, r"_(x[0-9A-Fa-f]{4}_)", r"_x005F_\1")
    for old, new in (("&", "&amp;"), ("<", "&lt;"), (">", "&gt;"), ("\r", "&#13;")):
        out = pc.replace_substring(out, old, new)
    return out


_L = pa.large_string()


def _s(text: str) -> pa.Scalar:
    return pa.scalar(text, _L)


class _SharedStrings:
    """The workbook's shared strings: each text column's distinct values once (escaped once,
    not per cell), its cells pointing at them. A download's text repeats (a heatmap's element
    names in every column, a municipality's name on each of its 39 rows): the sheet's XML and
    its strings are about half as long as the sheet with every text inline (0.49-0.58 of it
    for EU heatmap files), and compressing that was a third of the writer's time."""

    def __init__(self) -> None:
        self.parts: list[pa.Array] = []  # escaped distinct values, in index order
        self.size = 0
        self.count = 0  # cells pointing at them

    def indices(self, values: pa.Array) -> pa.Array:
        """large_string[N]: each value's index in the table (null stays null)."""
        enc = pc.dictionary_encode(values)
        self.parts.append(_xml_text(enc.dictionary))
        out = pc.add(pc.cast(enc.indices, pa.int64()), self.size)
        self.size += len(enc.dictionary)
        self.count += len(values) - values.null_count
        return pc.cast(out, _L)

    def xml(self) -> bytes:
        head = (f'{_HEAD}<sst xmlns="{_NS}" count="{self.count}" uniqueCount="{self.size}">'
                ).encode()
        if not self.size:
            return head + b"</sst>"
        items = [pc.binary_join_element_wise(_s('<si><t xml:space="preserve">'), p, _s("</t></si>"),
                                             _s("")) for p in self.parts]
        return head + b"".join(_joined(x) for x in items) + b"</sst>"


def _joined(values: pa.Array) -> bytes:
    """The strings of an array one after the other (nulls left out), from Arrow's own buffer
    instead of a Python str per value."""
    if values.null_count:
        return "".join(v for v in values.to_pylist() if v is not None).encode()
    values = pc.cast(values, _L)
    if not len(values):
        return b""
    offsets = np.frombuffer(values.buffers()[1], dtype=np.int64)
    first, last = offsets[values.offset], offsets[values.offset + len(values)]
    return values.buffers()[2].to_pybytes()[first:last]


def _cells(values: pa.Array, ref: pa.Array, strings: _SharedStrings) -> pa.Array:
    """The <c> element of every value of a column ("" for null: no cell)."""
    t = values.type
    if pa.types.is_null(t):
        return pa.array([""] * len(values), type=_L)
    if pa.types.is_dictionary(t):
        values, t = values.dictionary_decode(), values.type.value_type
    if pa.types.is_boolean(t):
        head, body, tail = '" t="b"><v>', pc.if_else(values, "1", "0"), "</v></c>"
    elif pa.types.is_integer(t) or pa.types.is_floating(t):
        if pa.types.is_floating(t):
            values = pc.if_else(pc.is_finite(values), values, pa.scalar(None, t))
        head, body, tail = '"><v>', pc.cast(values, _L), "</v></c>"
    else:
        text = values if pa.types.is_large_string(t) else pc.cast(values, _L)
        head, body, tail = '" s="1" t="s"><v>', strings.indices(text), "</v></c>"
    body = pc.cast(body, _L)
    joined = pc.binary_join_element_wise(_s('<c r="'), ref, _s(head), body, _s(tail), _s(""))
    return pc.fill_null(joined, "")


def xlsx_bytes(df: pd.DataFrame) -> bytes:
    """`df` as an XLSX workbook of one sheet (see the module docstring)."""
    table = _arrow(df)
    n = table.num_rows
    rows = pc.cast(pa.array(np.arange(2, n + 2, dtype=np.int64)), _L)
    letters = [_column_letter(i) for i in range(table.num_columns)]
    header = "".join(
        f'<c r="{col}1" s="2" t="inlineStr"><is><t xml:space="preserve">'
        f"{_escape_one(str(name))}</t></is></c>"
        for col, name in zip(letters, table.column_names, strict=True))
    parts = [(_HEAD + _SHEET_OPEN + f'<row r="1">{header}</row>').encode()]
    strings = _SharedStrings()
    if n:
        cols = [_cells(_array(table.column(i)),
                       pc.binary_join_element_wise(_s(letters[i]), rows, _s("")), strings)
                for i in range(table.num_columns)]
        parts.append(_joined(pc.binary_join_element_wise(
            _s('<row r="'), rows, _s('">'), *cols, _s("</row>"), _s(""))))
    parts.append(_SHEET_CLOSE.encode())
    buf = io.BytesIO()
    # deflate level 1: made on every download, the sheet's XML compressed 3x faster than at
    # the default level 6 for a file ~18% larger (35,000 rows: 29 vs 84 ms, 0.85 vs 0.72 MB).
    # Given per entry: with a ZipInfo, writestr ignores the ZipFile's compresslevel.
    files = [*((k, (_HEAD + v).encode()) for k, v in _PARTS.items()),
             ("xl/sharedStrings.xml", strings.xml()),
             ("xl/worksheets/sheet1.xml", b"".join(parts))]
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in files:
            info = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            z.writestr(info, data, compresslevel=1)
    return buf.getvalue()
