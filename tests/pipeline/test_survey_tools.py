"""Survey-tool imports: LimeSurvey, Microsoft Forms, KoboToolbox, Qualtrics and the wide table.

Fixtures are in tests/fixtures/survey_tools/ (realistic exports for real Dutch municipalities,
a good and a broken one per tool; the .xlsx files come from make_fixtures.py there); the
mappings are the documented examples in data/survey_mappings/. Every test writes to a
DataPaths under tmp_path.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq
import pytest
from openpyxl import load_workbook

from pipelines.canonical import COLUMNS
from pipelines.ingest import MappingError, RowError, ingest_files
from pipelines.ingest.tools import parse_mapping
from pipelines.staging import DataPaths, sha256_file

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "tests" / "fixtures" / "survey_tools"
MAPPINGS = ROOT / "data" / "survey_mappings"
NOW = dt.datetime(2025, 6, 30, 12, 0, tzinfo=dt.UTC)
NA = None  # don't know, in the expected levels below

MAPPING = {"limesurvey": "limesurvey.yaml", "msforms": "msforms.yaml", "kobo": "kobo.yaml",
           "qualtrics": "qualtrics.yaml", "wide": None}
GOOD = {"limesurvey": "limesurvey_good.csv", "msforms": "msforms_good.xlsx",
        "kobo": "kobo_good.csv", "qualtrics": "qualtrics_good.csv", "wide": "wide_good.csv"}
BROKEN = {tool: name.replace("_good", "_broken") for tool, name in GOOD.items()}


@pytest.fixture()
def paths(tmp_path) -> DataPaths:
    return DataPaths(tmp_path / "data")


@pytest.fixture()
def ingest(paths, framework, index):
    def run(*files, mapping="", **kw):
        files = [f if isinstance(f, Path) else FIXTURES / f for f in files]
        kw.setdefault("now", NOW)
        return ingest_files(files, paths, mapping=MAPPINGS / mapping if mapping else None,
                            framework=framework, index=index, progress=False, **kw)
    return run


def staged(paths: DataPaths) -> pd.DataFrame:
    (parquet,) = paths.staging.glob("*.parquet")
    df = pq.read_table(parquet).to_pandas()
    for col in ("municipality_id", "wave", "element_id", "respondent_id", "respondent_role",
                "confidence", "evidence"):
        df[col] = df[col].astype(object).where(df[col].notna(), None)
    return df


def answers(df: pd.DataFrame) -> dict[str, dict[str, int | None]]:
    """respondent -> {element: level (None = don't know)}."""
    out: dict[str, dict[str, int | None]] = {}
    for rec in df.to_dict("records"):
        level = rec["level"]
        out.setdefault(rec["respondent_id"], {})[rec["element_id"]] = \
            None if pd.isna(level) else int(level)
    return out


def per_respondent(df: pd.DataFrame, column: str) -> dict[str, object]:
    """respondent -> the one value of `column` (the same on all the respondent's answers)."""
    out = {}
    for rid, group in df.groupby("respondent_id", sort=False):
        values = {None if pd.isna(v) else v for v in group[column].tolist()}
        assert len(values) == 1, (rid, column, values)
        out[rid] = values.pop()
    return out


def utc(text: str) -> pd.Timestamp:
    return pd.Timestamp(text, tz="UTC")


# --------------------------------------------------------------------------------------------
# Good exports: the expected canonical rows
# --------------------------------------------------------------------------------------------


def test_limesurvey_export(ingest, paths):
    report = ingest(GOOD["limesurvey"], mapping=MAPPING["limesurvey"])
    assert report.ok
    (f,) = report.files
    assert (f.status, f.detected, f.mapping) == ("staged", "LimeSurvey CSV", "limesurvey.yaml")
    assert (f.rows_read, f.rows_staged, f.answers, f.skipped) == (4, 4, 23, {"incomplete": 1})
    df = staged(paths)
    assert answers(df) == {
        # codes; SEC[SQ002] "AX" = don't know; SRV01 has its own options N1-N3 (0, 2, 4)
        "limesurvey:12": {"STR-01": 3, "STR-02": 2, "GOV-04": 3, "SEC-01": 3, "SEC-02": NA,
                          "SRV-01": 4},
        # STR01 given as answer text "Gedefinieerd"
        "limesurvey:13": {"STR-01": 3, "STR-02": 1, "GOV-04": 2, "SEC-01": 4, "SEC-02": 2,
                          "SRV-01": 2},
        # STR02 not answered: no row
        "limesurvey:15": {"STR-01": 2, "GOV-04": 4, "SEC-01": 3, "SEC-02": 3, "SRV-01": 0},
        # English text "Optimised", Dutch "Weet ik niet"
        "limesurvey:17": {"STR-01": 4, "STR-02": NA, "GOV-04": 1, "SEC-01": 2, "SEC-02": 2,
                          "SRV-01": 4},
    }
    assert per_respondent(df, "municipality_id") == {
        "limesurvey:12": "NL_GM0363", "limesurvey:13": "NL_GM0599",
        "limesurvey:15": "NL_GM0344",  # CBS code 0344 + country NL from the mapping
        "limesurvey:17": "NL_GM0363"}
    assert per_respondent(df, "submitted_at") == {  # Amsterdam time -> UTC (CET, then CEST)
        "limesurvey:12": utc("2025-03-14 09:22:05"), "limesurvey:13": utc("2025-03-18 14:47:40"),
        "limesurvey:15": utc("2025-04-02 07:05:12"), "limesurvey:17": utc("2025-04-03 09:30:00")}
    assert per_respondent(df, "respondent_role") == {
        "limesurvey:12": "cio", "limesurvey:13": "informatiemanager", "limesurvey:15": "ciso",
        "limesurvey:17": "adviseur"}
    assert per_respondent(df, "publish_consent") == {
        "limesurvey:12": True, "limesurvey:13": False, "limesurvey:15": None,
        "limesurvey:17": True}
    assert set(df["wave"]) == {"2025"}
    str01 = df[df["element_id"] == "STR-01"].set_index("respondent_id")
    assert str01["confidence"].to_dict() == {"limesurvey:12": "high", "limesurvey:13": "medium",
                                             "limesurvey:15": None, "limesurvey:17": "low"}
    assert str01["evidence"].tolist() == ["Digitale agenda 2025, raadsbesluit 12-2024", None, None,
                                          "Roadmap and KPIs, yearly report"]
    assert df.loc[df["element_id"] != "STR-01", ["confidence", "evidence"]].isna().all().all()


def test_msforms_export(ingest, paths):
    report = ingest(GOOD["msforms"], mapping=MAPPING["msforms"])
    (f,) = report.files
    assert (f.status, f.detected, f.rows_read, f.rows_staged, f.answers) == (
        "staged", "Microsoft Forms XLSX", 4, 4, 15)
    df = staged(paths)
    assert answers(df) == {
        "msforms:1": {"STR-01": 3, "STR-02": 2, "GOV-04": 3, "SEC-01": 4},
        "msforms:2": {"STR-01": 2, "STR-02": 1, "GOV-04": NA, "SEC-01": 3},  # "in ontwikkeling"
        "msforms:3": {"STR-01": 4, "GOV-04": 1, "SEC-01": 3},  # "Geoptimaliseerd " (a space)
        "msforms:4": {"STR-01": 0, "STR-02": 1, "GOV-04": 2, "SEC-01": 2},
    }
    assert per_respondent(df, "municipality_id") == {
        "msforms:1": "NL_GM0363", "msforms:2": "NL_GM0518", "msforms:3": "NL_GM0344",
        "msforms:4": "NL_GM0599"}
    assert per_respondent(df, "submitted_at") == {  # Excel datetimes, local time -> UTC
        "msforms:1": utc("2025-03-10 08:31:47"), "msforms:2": utc("2025-03-11 13:20:10"),
        "msforms:3": utc("2025-03-12 08:02:31"),
        "msforms:4": utc("2025-03-30 01:00:00")}  # 02:30 does not exist that night: 03:00 CEST
    assert per_respondent(df, "confidence") == {  # one confidence question for all elements
        "msforms:1": "high", "msforms:2": "medium", "msforms:3": "low", "msforms:4": None}
    evidence = df.dropna(subset=["evidence"])  # "Toelichting" twice: occurrence 1 and 2
    assert list(zip(evidence["respondent_id"], evidence["element_id"], evidence["evidence"],
                    strict=True)) == [
        ("msforms:1", "STR-01", "Digitale agenda 2025"),
        ("msforms:1", "SEC-01", "ISMS volgens de BIO, jaarlijkse audit"),
        ("msforms:3", "SEC-01", "ISO 27001-gecertificeerd")]
    assert per_respondent(df, "publish_consent") == {
        "msforms:1": True, "msforms:2": False, "msforms:3": True, "msforms:4": True}


def test_kobo_export(ingest, paths):
    report = ingest(GOOD["kobo"], mapping=MAPPING["kobo"])
    (f,) = report.files
    assert (f.status, f.detected, f.rows_read, f.rows_staged, f.answers, f.skipped) == (
        "staged", "KoboToolbox CSV", 3, 3, 14, {"not approved in KoboToolbox": 1})
    df = staged(paths)
    rot, ams, utr = ("kobo:4c6f2b1e-8a6d-4d7e-9a51-0f3e2c9b7a11",
                     "kobo:a1d0c6e8-3f2b-4b9a-8c7d-6e5f4a3b2c1d",
                     "kobo:f7e6d5c4-b3a2-4190-8f7e-6d5c4b3a2910")
    assert answers(df) == {
        rot: {"STR-01": 2, "STR-02": 3, "GOV-04": 2, "SEC-01": 3, "SEC-02": 1},
        ams: {"STR-01": 3, "STR-02": NA, "GOV-04": 3, "SEC-01": 4, "SEC-02": 3},  # a label
        utr: {"STR-01": 3, "STR-02": 2, "SEC-01": 2, "SEC-02": 2},  # "on hold" is kept
    }
    assert per_respondent(df, "municipality_id") == {rot: "NL_GM0599", ams: "NL_GM0363",
                                                     utr: "NL_GM0344"}
    assert per_respondent(df, "submitted_at") == {  # _submission_time is UTC already
        rot: utc("2025-03-12 09:19:43"), ams: utc("2025-03-13 13:42:01"),
        utr: utc("2025-04-01 06:52:25")}
    assert per_respondent(df, "publish_consent") == {rot: True, ams: True, utr: False}
    sec02 = df[df["element_id"] == "SEC-02"].set_index("respondent_id")["evidence"].to_dict()
    assert sec02 == {rot: "Incidentproces beschreven, nog niet geoefend",
                     ams: "CSIRT-afspraken met het IBD", utr: None}


def test_qualtrics_export(ingest, paths):
    report = ingest(GOOD["qualtrics"], mapping=MAPPING["qualtrics"])
    (f,) = report.files
    assert (f.status, f.detected, f.rows_read, f.rows_staged, f.answers, f.skipped) == (
        "staged", "Qualtrics CSV", 3, 3, 11, {"survey preview or test": 1, "incomplete": 1})
    df = staged(paths)
    assert answers(df) == {  # recodes 1-5 = levels 0-4, 6 = don't know; or choice texts
        "qualtrics:R_1a2B3c4D5e6F7g8": {"STR-01": 3, "DAT-01": 2, "SEC-01": 4, "SEC-02": NA},
        "qualtrics:R_3cD4eF5gH6iJ7kL": {"STR-01": 3, "DAT-01": 1, "SEC-01": 3, "SEC-02": 2},
        "qualtrics:R_4dE5fG6hI7jK8lM": {"STR-01": 0, "SEC-01": NA, "SEC-02": 1},
    }
    assert per_respondent(df, "municipality_id") == {
        "qualtrics:R_1a2B3c4D5e6F7g8": "NL_GM0599", "qualtrics:R_3cD4eF5gH6iJ7kL": "NL_GM0363",
        "qualtrics:R_4dE5fG6hI7jK8lM": "NL_GM0344"}  # typed as "gm0344"
    assert per_respondent(df, "submitted_at") == {  # RecordedDate in Europe/Amsterdam (row 3)
        "qualtrics:R_1a2B3c4D5e6F7g8": utc("2025-03-20 10:02:31"),
        "qualtrics:R_3cD4eF5gH6iJ7kL": utc("2025-03-24 13:30:01"),
        "qualtrics:R_4dE5fG6hI7jK8lM": utc("2025-04-07 06:37:15")}
    assert per_respondent(df, "respondent_role") == {  # mapped by its question text
        "qualtrics:R_1a2B3c4D5e6F7g8": "cio", "qualtrics:R_3cD4eF5gH6iJ7kL": "ciso",
        "qualtrics:R_4dE5fG6hI7jK8lM": "informatiemanager"}


def test_wide_table_without_mapping(ingest, paths):
    report = ingest(GOOD["wide"])
    (f,) = report.files
    assert (f.status, f.detected, f.mapping, f.rows_read, f.rows_staged, f.answers) == (
        "staged", "wide CSV", None, 5, 5, 24)
    df = staged(paths)
    assert answers(df) == {
        "ams-cio": {"STR-01": 3, "STR-02": 2, "GOV-04": 3, "SEC-01": 3, "SEC-02": NA},
        "rdam-im": {"STR-01": 2, "GOV-04": 1, "SEC-01": 4, "SEC-02": 2},
        "antw-1": {"STR-01": 1, "STR-02": 1, "GOV-04": NA, "SEC-01": 2, "SEC-02": 0},
        "utr-1": {"STR-01": 3, "STR-02": 2, "GOV-04": 3, "SEC-01": 2, "SEC-02": 3},  # 2025 wins
    }
    utr = df[df["respondent_id"] == "utr-1"]
    assert sorted(set(utr["wave"])) == ["2024", "2025"]  # one respondent, two waves: fine
    assert per_respondent(df[df["respondent_id"] != "utr-1"], "municipality_id") == {
        "ams-cio": "NL_GM0363", "rdam-im": "NL_GM0599", "antw-1": "BE_11002"}
    ams = df[df["respondent_id"] == "ams-cio"]["submitted_at"].iloc[0]
    assert ams == utc("2025-03-14 09:22")  # canonical rules: offsets converted, naive = UTC
    antw = df[df["respondent_id"] == "antw-1"]["submitted_at"].iloc[0]
    assert antw == utc("2025-04-01 09:30")


def test_wide_table_with_its_own_names_and_mapping(ingest, paths):
    report = ingest("wide_nl.csv", mapping="wide.yaml")
    (f,) = report.files
    assert (f.status, f.detected, f.mapping, f.rows_read, f.rows_staged, f.answers, f.skipped) == (
        "staged", "wide CSV", "wide.yaml", 2, 2, 8, {"without answers": 1})
    df = staged(paths)
    assert answers(df) == {
        "ams-1": {"STR-01": 3, "STR-02": 2, "GOV-04": 3, "SEC-01": NA},
        "rdam-1": {"STR-01": 2, "STR-02": 2, "GOV-04": 1, "SEC-01": 4},
    }
    assert per_respondent(df, "submitted_at") == {  # d-m-Y local time (cp1252 file)
        "ams-1": utc("2025-03-14 09:22"), "rdam-1": utc("2025-04-02 14:05")}
    assert per_respondent(df, "municipality_id") == {"ams-1": "NL_GM0363", "rdam-1": "NL_GM0599"}


@pytest.mark.parametrize("tool", ["limesurvey", "msforms", "kobo", "qualtrics"])
def test_personal_columns_never_reach_staging(ingest, paths, tool):
    report = ingest(GOOD[tool], mapping=MAPPING[tool])
    assert report.ok
    table = pq.read_table(next(paths.staging.glob("*.parquet")))
    assert tuple(table.column_names) == COLUMNS
    text = table.to_pandas().astype(str).to_csv()
    for personal in ("@", "192.0.2.", "198.51.100.", "203.0.113.", "tk8fa2q", "Jan de Vries",
                     "intranet.amsterdam.nl", "Jansen", "ee.kobotoolbox.org"):
        assert personal not in text, personal
    ids = table.column("respondent_id").to_pylist()
    assert all(i.startswith(f"{tool}:") for i in ids)


# --------------------------------------------------------------------------------------------
# Broken exports: rejected whole, errors at the export's own rows and headers
# --------------------------------------------------------------------------------------------

MS_STR01 = ("STR-01: Heeft uw gemeente een door de raad vastgestelde digitale strategie met "
            "roadmap?")
MS_MUNICIPALITY = "Wat is de CBS-code van uw gemeente? (bijvoorbeeld GM0363)"

BROKEN_ERRORS = {
    "limesurvey": [
        (3, "STR02", "answer option not in the mapping limesurvey.yaml (STR-02)", "A7"),
        (4, "GEMEENTE", "unknown municipality in country NL", "GM9999"),
        (5, "id", "duplicate response id (first at row 3)", "22"),
        (6, "submitdate", "unparseable date", "3/14/2025 10:22"),
    ],
    "msforms": [
        (3, MS_STR01, "answer option not in the mapping msforms.yaml (STR-01)", "Misschien"),
        (4, MS_MUNICIPALITY, "unknown municipality in country NL (codes and names are "
         "accepted; nearest names: Amsterdam (GM0363), Asten (GM0743), Alblasserdam (GM0482))",
         "Amsterdm"),
        (5, "ID", "duplicate response id (first at row 3)", "2"),
        (6, "Completion time", "unparseable date", "31-02-2025 11:20"),
    ],
    "kobo": [
        (3, "grp_strategie/str01", "answer option not in the mapping kobo.yaml (STR-01)",
         "niveau_5"),
        (4, "_uuid", "duplicate response id (first at row 2)",
         "4c6f2b1e-8a6d-4d7e-9a51-0f3e2c9b7a11"),
        (5, "_submission_time", "date in the future", "2031-03-14T08:05:12"),
        (6, "gemeente", "empty municipality_id", ""),
    ],
    "qualtrics": [  # data start at row 4, under three header rows
        (5, "Q3_1", "answer option not in the mapping qualtrics.yaml (STR-01)", "7"),
        (6, "Q1", "unknown municipality in country NL", "GM0000"),
        (7, "ResponseId", "duplicate response id (first at row 4)", "R_1a2B3c4D5e6F7g8"),
        (8, "RecordedDate", "empty submitted_at", ""),
    ],
    "wide": [
        (3, "SEC-01", "level out of range 0-4", "7"),
        (4, "submitted_at", "unparseable date", "31-02-2025"),
        (5, "STR-01", "duplicate answer (first at row 2)",
         "NL_GM0363, wave 2025, STR-01, respondent ams-cio"),
        (6, "municipality_id", "unknown municipality", "NL_GM9999"),
    ],
}
# (respondents staged under --skip-invalid, answers, rows read)
SKIP_INVALID = {
    "limesurvey": ({"limesurvey:21", "limesurvey:25"}, 11, 6),
    "msforms": ({"msforms:1", "msforms:6"}, 8, 6),
    "kobo": ({"kobo:4c6f2b1e-8a6d-4d7e-9a51-0f3e2c9b7a11",
              "kobo:f7e6d5c4-b3a2-4190-8f7e-6d5c4b3a2910"}, 9, 6),
    "qualtrics": ({"qualtrics:R_1a2B3c4D5e6F7g8", "qualtrics:R_4dE5fG6hI7jK8lM"}, 7, 6),
    "wide": ({"ams-cio", "utr-1"}, 10, 6),
}


@pytest.mark.parametrize("tool", list(BROKEN_ERRORS))
def test_broken_export_is_rejected_whole(tmp_path, ingest, paths, tool):
    name = BROKEN[tool]
    src = tmp_path / name
    shutil.copyfile(FIXTURES / name, src)
    before = src.read_bytes()
    report = ingest(src, mapping=MAPPING[tool])

    assert not report.ok
    (f,) = report.files
    assert f.status == "rejected" and f.rows_staged == 0
    assert f.errors == [RowError(name, *e) for e in BROKEN_ERRORS[tool]]
    assert not paths.staging.exists() or not list(paths.staging.iterdir())
    assert src.read_bytes() == before
    sha = sha256_file(src)
    assert f.kept_path == paths.rejected / f"{sha[:12]}-{name}"
    assert f.kept_path.read_bytes() == before
    errs = pd.read_csv(f.rejects_path, dtype=str, keep_default_na=False)
    assert f.rejects_path.name == f"{sha[:12]}-{name}.errors.csv"
    assert [tuple(r) for r in errs[["row", "column", "reason", "value"]].to_numpy()] == [
        (str(r), c, why, v) for r, c, why, v in BROKEN_ERRORS[tool]]
    summary = report.summary()
    row, column, reason, _ = BROKEN_ERRORS[tool][0]
    assert f"{name} row {row}, column {column}: {reason}" in summary
    assert "Nothing was staged" in summary


@pytest.mark.parametrize("tool", list(SKIP_INVALID))
def test_skip_invalid_stages_the_good_respondents_only(ingest, paths, tool):
    report = ingest(BROKEN[tool], mapping=MAPPING[tool], skip_invalid=True)
    assert report.ok
    (f,) = report.files
    respondents, n_answers, rows_read = SKIP_INVALID[tool]
    assert (f.status, f.rows_read, f.rows_staged, f.answers) == (
        "staged with rejects", rows_read, len(respondents), n_answers)
    df = staged(paths)
    assert set(df["respondent_id"]) == respondents and len(df) == n_answers
    rejects = pd.read_csv(f.rejects_path, dtype=str, keep_default_na=False)
    assert rejects.columns[:3].tolist() == ["file", "row", "reason"]
    assert rejects["row"].tolist() == [str(e[0]) for e in BROKEN_ERRORS[tool]]
    assert rejects["reason"].tolist() == [f"{c}: {why}" for _, c, why, _ in BROKEN_ERRORS[tool]]
    for personal in ("Email", "Name", "token", "ipaddr", "refurl", "IPAddress", "RecipientEmail"):
        assert personal not in rejects.columns
    if tool == "limesurvey":  # the original cells of the rejected rows, under their headers
        assert rejects["id"].tolist() == ["22", "23", "22", "24"]
        assert rejects["STR02"].tolist() == ["A7", "A2", "A2", "A2"]
        assert "192.0.2" not in rejects.to_csv()


def test_only_incomplete_responses_is_nothing_to_stage(tmp_path, ingest):
    lines = (FIXTURES / GOOD["limesurvey"]).read_text(encoding="utf-8-sig").splitlines()
    path = tmp_path / "only_incomplete.csv"
    path.write_text("\n".join([lines[0], lines[3]]) + "\n", encoding="utf-8")
    report = ingest(path, mapping=MAPPING["limesurvey"])
    (f,) = report.files
    assert f.status == "rejected"
    assert f.errors == [RowError(path.name, 0, "", "no responses to stage (1 incomplete skipped)",
                                 "")]


def test_blank_lines_are_skipped_but_keep_the_numbering(tmp_path, ingest):
    lines = (FIXTURES / GOOD["kobo"]).read_text(encoding="utf-8").splitlines()
    bad = lines[2].replace("Gedefinieerd", "niveau_9")
    path = tmp_path / "gaps.csv"
    path.write_text("\n".join([lines[0], lines[1], "", ";;;;", bad, "", ""]) + "\n",
                    encoding="utf-8")
    (f,) = ingest(path, mapping=MAPPING["kobo"]).files
    assert f.detected == "KoboToolbox CSV"  # blank lines do not confuse the delimiter sniffing
    assert [(e.row, e.column, e.value) for e in f.errors] == [(5, "grp_strategie/str01",
                                                               "niveau_9")]


# --------------------------------------------------------------------------------------------
# Header problems: missing, ambiguous and personal columns
# --------------------------------------------------------------------------------------------

# (tool, header in the export, element whose mapped question it is)
MISSING = [("limesurvey", "STR01", "STR-01"), ("msforms", MS_STR01, "STR-01"),
           ("kobo", "grp_privacy/gov04", "GOV-04"), ("qualtrics", "Q4", "SEC-02"),
           ("wide", "Strategie", "STR-01")]
NAMED_AS = {MS_STR01: "STR-01"}  # how the mapping names a column, when not by its header


def _rename_header(src: Path, dest: Path, old: str, new: str) -> Path:
    if src.suffix == ".xlsx":
        wb = load_workbook(src)
        ws = wb.active
        for cell in ws[1]:
            if cell.value == old:
                cell.value = new
        wb.save(dest)
    else:
        raw = src.read_bytes()
        encoding = "cp1252" if src.name == "wide_nl.csv" else "utf-8"
        text = raw.decode(encoding)
        head, rest = text.split("\n", 1)
        assert old in head
        dest.write_bytes((head.replace(old, new, 1) + "\n" + rest).encode(encoding))
    return dest


@pytest.mark.parametrize(("tool", "header", "element"), MISSING, ids=[m[0] for m in MISSING])
def test_missing_mapped_question_column_rejects_the_file(tmp_path, ingest, paths, tool, header,
                                                         element):
    name = "wide_nl.csv" if tool == "wide" else GOOD[tool]
    mapping = "wide.yaml" if tool == "wide" else MAPPING[tool]
    path = _rename_header(FIXTURES / name, tmp_path / name, header, "Opmerkingen")
    report = ingest(path, mapping=mapping, skip_invalid=True)  # no row is usable: still rejected
    assert not report.ok
    (f,) = report.files
    assert f.status == "rejected"
    assert f.errors == [RowError(name, 1, NAMED_AS.get(header, header),
                                 f"missing column (named by questions.{element} in the mapping "
                                 f"{mapping})", "")]


def test_missing_tool_column_is_named(tmp_path, ingest):
    path = _rename_header(FIXTURES / GOOD["kobo"], tmp_path / "kobo.csv", "_uuid", "uuid")
    # still a Kobo export (_submission_time), but without its response id
    (f,) = ingest(path, mapping="kobo.yaml").files
    assert f.errors == [RowError("kobo.csv", 1, "_uuid",
                                 "missing column (the response id of KoboToolbox)", "")]


def _mapping(name: str, framework, **changes) -> object:
    import yaml

    data = yaml.safe_load((MAPPINGS / name).read_text(encoding="utf-8"))
    for key, value in changes.items():
        if value is None:
            data.pop(key, None)
        else:
            data[key] = value
    return parse_mapping(data, name=name, element_ids=framework.element_ids)


def test_ambiguous_repeated_question_text(framework, ingest, paths, index):
    mapping = _mapping("msforms.yaml", framework, questions={
        "STR-01": {"column": MS_STR01, "evidence": "Toelichting"}})
    report = ingest_files([FIXTURES / GOOD["msforms"]], paths, mapping=mapping,
                          framework=framework, index=index, now=NOW, progress=False)
    (f,) = report.files
    assert f.errors == [RowError(
        "msforms_good.xlsx", 1, "Toelichting",
        "ambiguous: 2 columns have this header (column J, column N); add `occurrence: 1` "
        "(or 2, ...) to questions.STR-01.evidence in the mapping msforms.yaml", "")]


def test_mapping_a_personal_column_is_refused(framework, paths, index):
    mapping = _mapping("limesurvey.yaml", framework, respondent_role="ipaddr")
    report = ingest_files([FIXTURES / GOOD["limesurvey"]], paths, mapping=mapping,
                          framework=framework, index=index, now=NOW, progress=False)
    assert report.files[0].errors == [RowError(
        "limesurvey_good.csv", 1, "ipaddr", "is personal data, which is never imported (named by "
        "respondent_role in the mapping limesurvey.yaml)", "")]


def test_unknown_element_column_in_a_wide_table(tmp_path, ingest):
    path = _rename_header(FIXTURES / GOOD["wide"], tmp_path / "w.csv", "SEC-02", "SEC-99")
    (f,) = ingest(path).files
    assert f.status == "rejected"
    assert {(e.column, e.reason) for e in f.errors} == {("SEC-99", "unknown element")}
    assert [e.row for e in f.errors] == [2, 3, 4, 5, 6]


# --------------------------------------------------------------------------------------------
# Detection, formats, mapping choice
# --------------------------------------------------------------------------------------------


def test_tool_export_without_mapping_is_rejected_with_a_hint(ingest, paths):
    report = ingest(GOOD["qualtrics"])
    (f,) = report.files
    assert f.status == "rejected" and f.detected == "Qualtrics CSV"
    assert f.errors == [RowError("qualtrics_good.csv", 0, "", "looks like a Qualtrics CSV export: "
                                 "give a mapping file with --mapping (examples in "
                                 "data/survey_mappings/)", "")]


def test_unknown_layout_is_rejected_naming_what_was_looked_for(ingest):
    (f,) = ingest("unknown_layout.csv", mapping="").files
    assert f.status == "rejected" and f.detected is None
    (e,) = f.errors
    assert (e.file, e.row) == ("unknown_layout.csv", 0)
    assert e.reason.startswith("not a recognised survey file; looked for the canonical columns")
    for what in ("LimeSurvey", "Microsoft Forms", "KoboToolbox", "Qualtrics", "wide", "STR-01"):
        assert what in e.reason


def test_mapping_for_another_tool_is_rejected(ingest):
    report = ingest(GOOD["kobo"], mapping="limesurvey.yaml")
    assert report.files[0].errors[0].reason == (
        "looks like a KoboToolbox CSV export, but the mapping limesurvey.yaml is for "
        "limesurvey; use --format limesurvey to read it that way anyway")


def test_mixed_batch_canonical_and_tool_exports(ingest, paths):
    canonical = ROOT / "tests" / "fixtures" / "ingest" / "good.csv"
    report = ingest(canonical, GOOD["limesurvey"], GOOD["wide"], mapping="limesurvey.yaml")
    assert report.ok
    assert [(f.detected, f.mapping, f.rows_staged) for f in report.files] == [
        ("canonical CSV", None, 8), ("LimeSurvey CSV", "limesurvey.yaml", 4), ("wide CSV", None, 5)]
    formats = sorted(json.loads(p.read_text())["format"] for p in paths.staging.glob("*.json"))
    assert formats == ["csv", "limesurvey", "wide"]


def test_forced_format(ingest):
    (f,) = ingest(GOOD["kobo"], mapping="limesurvey.yaml", fmt="limesurvey").files
    assert f.detected == "LimeSurvey CSV"
    assert (f.errors[0].row, f.errors[0].column, f.errors[0].reason) == (
        1, "id", "missing column (the response id of LimeSurvey)")
    (f,) = ingest(GOOD["limesurvey"], fmt="canonical").files
    assert f.status == "rejected"
    assert [e.reason for e in f.errors][:1] == ["missing column"]


def test_forced_wide_without_element_columns(ingest):
    (f,) = ingest("wide_nl.csv", fmt="wide").files
    needed = "missing column (a wide table without a mapping needs it)"
    assert [(e.row, e.column, e.reason) for e in f.errors] == [
        (1, "respondent_id", needed), (1, "submitted_at", needed), (1, "municipality_id", needed),
        (1, "wave", needed), (1, "", "no column is named by an element id (such as STR-01)")]


def test_tool_format_needs_a_mapping_and_the_right_one(ingest, paths):
    with pytest.raises(MappingError, match="--format kobo needs a mapping file"):
        ingest(GOOD["kobo"], fmt="kobo")
    with pytest.raises(MappingError, match="the mapping is for limesurvey, but the format is kobo"):
        ingest(GOOD["kobo"], fmt="kobo", mapping="limesurvey.yaml")
    assert not paths.root.exists()  # nothing was read or written


def test_qualtrics_utf16_tsv_gives_the_same_rows(tmp_path, ingest, paths, framework, index):
    rows = list(csv.reader(io.StringIO(
        (FIXTURES / GOOD["qualtrics"]).read_text(encoding="utf-8-sig"))))
    buf = io.StringIO()
    csv.writer(buf, delimiter="\t", lineterminator="\r\n").writerows(rows)
    tsv = tmp_path / "export.tsv"
    tsv.write_bytes(buf.getvalue().encode("utf-16"))
    report = ingest(tsv, mapping=MAPPING["qualtrics"])
    assert report.files[0].detected == "Qualtrics TSV"
    got = staged(paths)
    other = DataPaths(tmp_path / "other")
    ingest_files([FIXTURES / GOOD["qualtrics"]], other, mapping=MAPPINGS / "qualtrics.yaml",
                 framework=framework, index=index, now=NOW, progress=False)
    pd.testing.assert_frame_equal(got, staged(other))


def test_qualtrics_time_zone_comes_from_the_import_row(tmp_path, ingest, paths):
    text = (FIXTURES / GOOD["qualtrics"]).read_text(encoding="utf-8-sig")
    path = tmp_path / "ny.csv"
    path.write_text(text.replace('""recordedDate"",""timeZone"":""Europe/Amsterdam""',
                                 '""recordedDate"",""timeZone"":""America/New_York""'),
                    encoding="utf-8")
    ingest(path, mapping=MAPPING["qualtrics"])
    times = per_respondent(staged(paths), "submitted_at")
    assert times["qualtrics:R_1a2B3c4D5e6F7g8"] == utc("2025-03-20 15:02:31")  # EDT, UTC-4


def test_a_tool_export_twice_is_staged_once(ingest, paths):
    first = ingest(GOOD["limesurvey"], mapping=MAPPING["limesurvey"])
    second = ingest(GOOD["limesurvey"], mapping=MAPPING["limesurvey"])
    assert first.files[0].status == "staged"
    f = second.files[0]
    assert (f.status, f.rows_staged, f.answers) == ("already staged", 4, 23)
    assert len(list(paths.staging.glob("*.parquet"))) == 1


def test_summary_line_says_what_was_detected(ingest):
    report = ingest(GOOD["limesurvey"], BROKEN["limesurvey"], mapping=MAPPING["limesurvey"],
                    skip_invalid=True)
    lines = report.summary().splitlines()
    warning = ("  warning: blocks.SEC in the mapping limesurvey.yaml: no column SEC[SQ003], "
               "SEC[SQ004]; SEC-03, SEC-04 not imported")
    assert lines[0] == ("limesurvey_good.csv (LimeSurvey CSV, mapping limesurvey.yaml): staged, "
                        "4 of 4 rows (23 answers); 1 incomplete skipped")
    assert lines[1] == warning  # the example survey asks only two of the four SEC elements
    lines = [line for line in lines if line != warning]
    assert lines[1] == ("limesurvey_broken.csv (LimeSurvey CSV, mapping limesurvey.yaml): staged "
                        "2 of 6 rows (11 answers), 4 rows rejected (4 errors); 1 incomplete "
                        "skipped")


# --------------------------------------------------------------------------------------------
# The command line
# --------------------------------------------------------------------------------------------


def cli(*args, data_dir: Path) -> subprocess.CompletedProcess:
    env = {"PATH": "/usr/bin:/bin", "PYTHONPATH": str(ROOT), "DS4E_DATA_DIR": str(data_dir)}
    return subprocess.run([sys.executable, "-m", "pipelines", "ingest", *args], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=300)


def test_cli_detects_and_stages(tmp_path):
    result = cli("--format", "auto", "--mapping", str(MAPPINGS / "msforms.yaml"),
                 str(FIXTURES / GOOD["msforms"]), str(FIXTURES / BROKEN["msforms"]),
                 "--skip-invalid", data_dir=tmp_path)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == ("msforms_good.xlsx (Microsoft Forms XLSX, mapping msforms.yaml): staged, "
                        "4 of 4 rows (15 answers)")
    assert lines[1].startswith("msforms_broken.xlsx (Microsoft Forms XLSX, mapping msforms.yaml):"
                               " staged 2 of 6 rows (8 answers), 4 rows rejected")
    assert f"msforms_broken.xlsx row 3, column {MS_STR01}: answer option not in the mapping" \
        in result.stdout
    metas = [json.loads(p.read_text()) for p in (tmp_path / "staging").glob("*.json")]
    assert sorted((m["format"], m["rows"]) for m in metas) == [("msforms", 8), ("msforms", 15)]


def test_cli_rejects_and_explains(tmp_path):
    result = cli("--mapping", str(MAPPINGS / "kobo.yaml"), str(FIXTURES / BROKEN["kobo"]),
                 data_dir=tmp_path)
    assert result.returncode == 1
    assert "kobo_broken.csv (KoboToolbox CSV, mapping kobo.yaml): rejected, nothing staged" \
        in result.stdout
    assert "kobo_broken.csv row 5, column _submission_time: date in the future" in result.stdout
    assert "--skip-invalid" in result.stdout


def test_cli_mapping_errors_stop_before_reading(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("tool: kobo\nwave: 2025\nmunicipality: gemeente\nquestions:\n  STR-99: str01\n",
                   encoding="utf-8")
    result = cli("--mapping", str(bad), str(FIXTURES / GOOD["kobo"]), data_dir=tmp_path / "d")
    assert result.returncode == 2
    assert "bad.yaml: questions.STR-99: unknown element id 'STR-99'" in result.stderr
    assert not (tmp_path / "d").exists()
    result = cli("--format", "qualtrics", str(FIXTURES / GOOD["qualtrics"]),
                 data_dir=tmp_path / "d")
    assert result.returncode == 2 and "needs a mapping file" in result.stderr
