"""Which format a file is in: detection from raw headers (pipelines/ingest/tools/detect.py)."""

from __future__ import annotations

from pathlib import Path

import pytest
from openpyxl import Workbook

from pipelines.ingest.read import read_grid, sniff_raw_delimiter
from pipelines.ingest.tools import ADAPTERS, detect
from pipelines.ingest.tools.keys import element_key, text_key

ROOT = Path(__file__).resolve().parents[2]
TOOLS_DIR = ROOT / "tests" / "fixtures" / "survey_tools"
CANONICAL_DIR = ROOT / "tests" / "fixtures" / "ingest"


@pytest.fixture(scope="module")
def element_ids(fw):
    return set(fw.element_ids)


@pytest.mark.parametrize(("name", "fmt"), [
    ("limesurvey_good.csv", "limesurvey"), ("limesurvey_broken.csv", "limesurvey"),
    ("msforms_good.xlsx", "msforms"), ("msforms_broken.xlsx", "msforms"),
    ("kobo_good.csv", "kobo"), ("kobo_broken.csv", "kobo"),
    ("qualtrics_good.csv", "qualtrics"), ("qualtrics_broken.csv", "qualtrics"),
    ("wide_good.csv", "wide"), ("wide_broken.csv", "wide"),
    ("wide_nl.csv", None),  # own column names: only its mapping says it is wide
    ("unknown_layout.csv", None),
])
def test_each_fixture_is_detected(element_ids, name, fmt):
    assert detect(read_grid(TOOLS_DIR / name), element_ids).fmt == fmt


@pytest.mark.parametrize("path", sorted(CANONICAL_DIR.glob("*.*sv")), ids=lambda p: p.name)
def test_canonical_files_are_canonical(element_ids, path):
    # bad_missing_column.csv lacks `level`: still canonical, so it gets the canonical errors
    found = detect(read_grid(path), element_ids)
    assert (found.fmt, found.strong) == ("canonical", True)


def test_raw_grid_keeps_headers_and_counts_header_rows():
    grid = read_grid(TOOLS_DIR / "qualtrics_good.csv")
    assert (grid.encoding, grid.delimiter, grid.fmt) == ("utf-8-sig", ",", "csv")
    assert grid.rows.iloc[0].tolist()[:3] == ["StartDate", "EndDate", "Status"]
    table = ADAPTERS["qualtrics"].table(grid, "q.csv")
    assert table.first_row == 4 and len(table.header_rows) == 3
    assert table.body.shape[0] == 5
    lime = read_grid(TOOLS_DIR / "limesurvey_good.csv")
    assert "SEC[SQ001]" in lime.rows.iloc[0].tolist()  # brackets and case as in the file
    forms = read_grid(TOOLS_DIR / "msforms_good.xlsx")
    assert forms.rows.iloc[0].tolist().count("Toelichting") == 2  # duplicates not renamed
    assert forms.rows.iloc[1, 2] == "2025-03-10T09:31:47"  # an Excel datetime, as ISO text


def test_qualtrics_legacy_two_header_rows(tmp_path, element_ids):
    path = tmp_path / "legacy.csv"
    path.write_text("ResponseId,Finished,RecordedDate,Q1\nResponse ID,Finished,Recorded Date,"
                    "Strategy?\nR_1,1,2025-03-01 10:00:00,4\n", encoding="utf-8")
    grid = read_grid(path)
    assert detect(grid, element_ids).fmt == "qualtrics"
    assert ADAPTERS["qualtrics"].table(grid, "legacy.csv").first_row == 3


def test_limesurvey_sgqa_codes(tmp_path, element_ids):
    path = tmp_path / "old.csv"
    path.write_text("id,482915X3X12,482915X3X13SQ001\n1,A1,A2\n", encoding="utf-8")
    assert detect(read_grid(path), element_ids).fmt == "limesurvey"


def test_kobo_xlsx_and_forms_csv(tmp_path, element_ids):
    wb = Workbook()
    wb.active.append(["start", "end", "grp/str01", "_id", "_uuid", "_submission_time"])
    wb.save(tmp_path / "kobo.xlsx")
    assert detect(read_grid(tmp_path / "kobo.xlsx"), element_ids).fmt == "kobo"
    (tmp_path / "forms.csv").write_text("ID,Start time,Completion time,Email,Name,Vraag 1\n",
                                        encoding="utf-8")
    assert detect(read_grid(tmp_path / "forms.csv"), element_ids).fmt == "msforms"


def test_wide_xlsx_with_spelled_element_ids(tmp_path, element_ids):
    wb = Workbook()
    wb.active.append(["Municipality ID", "Wave", "Respondent ID", "Submitted at", "str_01",
                      "SEC 02"])
    wb.save(tmp_path / "wide.xlsx")
    found = detect(read_grid(tmp_path / "wide.xlsx"), element_ids)
    assert (found.fmt, found.strong) == ("wide", False)


def test_semicolon_sniffed_when_headers_hold_commas():
    text = ("start;Heeft uw gemeente een strategie, met roadmap?;Ja, nee of deels?\n"
            "2025-03-01;niveau_2;ja\n2025-03-02;niveau_3;nee\n")
    assert sniff_raw_delimiter(text) == ";"
    assert sniff_raw_delimiter("a,b,c\n1,2,3\n") == ","
    assert sniff_raw_delimiter("a\tb\n1\t2\n") == "\t"


def test_matching_keys():
    assert text_key("\ufeff  Heeft uw gemeente\u00a0een  Strategie? ") == \
        "heeft uw gemeente een strategie?"
    assert text_key("Don’t know") == text_key("don't KNOW")
    assert element_key(" str_01 ") == element_key("Str 01") == element_key("STR-01") == "STR-01"
    assert element_key("STR01") == "STR01"
