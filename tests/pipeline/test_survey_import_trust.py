"""Imports a survey coordinator can trust (issue 14): real exports map easily.

Municipality names resolve (with a country), answer texts match as people read them, one
problem is one summary line, a whole survey needs a ~15-line mapping (block patterns and
headers that start with an element id), and a wave that does not fit the submission dates is
a warning. Fixtures: tests/fixtures/survey_tools/*_full.* (from make_fixtures.py there) and
the mappings data/survey_mappings/*_full.yaml.
"""

from __future__ import annotations

import csv
import datetime as dt
import importlib.util
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow.parquet as pq
import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from pipelines.ingest import ingest_files
from pipelines.ingest.tools import parse_mapping
from pipelines.ingest.validate import validate_canonical
from pipelines.staging import DataPaths

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "tests" / "fixtures" / "survey_tools"
MAPPINGS = ROOT / "data" / "survey_mappings"
NOW = dt.datetime(2025, 6, 30, 12, 0, tzinfo=dt.UTC)

_spec = importlib.util.spec_from_file_location("make_fixtures", FIXTURES / "make_fixtures.py")
make_fixtures = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(make_fixtures)

FULL_IDS = {"GM0363": "NL_GM0363", "Gemeente Utrecht": "NL_GM0344",
            "'s-Hertogenbosch": "NL_GM0796", "0599": "NL_GM0599",
            "GEMEENTE DEN HAAG": "NL_GM0518"}


@pytest.fixture()
def paths(tmp_path) -> DataPaths:
    return DataPaths(tmp_path / "data")


@pytest.fixture()
def ingest(paths, framework, index):
    def run(*files, mapping=None, **kw):
        kw.setdefault("now", NOW)
        if isinstance(mapping, dict):
            mapping = parse_mapping(mapping, name="map.yaml", element_ids=framework.element_ids)
        return ingest_files([Path(f) for f in files], paths, mapping=mapping,
                            framework=framework, index=index, progress=False, **kw)
    return run


def staged(paths: DataPaths) -> pd.DataFrame:
    return pd.concat([pq.read_table(p).to_pandas() for p in paths.staging.glob("*.parquet")],
                     ignore_index=True)


def mapping_data(name: str) -> dict:
    return yaml.safe_load((MAPPINGS / name).read_text(encoding="utf-8"))


def expected_level(respondent: int, element: int) -> int | None:
    level = make_fixtures.full_level(respondent, element)
    return None if level == 5 else level


def canonical_rest(n: int) -> dict:
    """The canonical columns besides municipality_id and country, for n answers."""
    return {"wave": ["2025"] * n, "element_id": ["STR-01"] * n, "level": ["3"] * n,
            "respondent_id": [f"r{i}" for i in range(n)], "respondent_role": [""] * n,
            "submitted_at": ["2025-03-01"] * n, "confidence": [""] * n, "evidence": [""] * n}


def write_csv(path: Path, header: list[str], rows: list[list[str]]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as fh:
        csv.writer(fh, lineterminator="\n").writerows([header, *rows])
    return path


LIME_HEADER = ["id", "submitdate", "lastpage", "startlanguage", "seed", "startdate",
               "datestamp", "GEMEENTE"]


def lime_row(rid: int, municipality: str = "GM0363", *answers: str,
             when: str = "2025-03-14 10:00:00") -> list[str]:
    return [str(rid), when, "5", "nl", "1", when, when, municipality, *answers]


# --------------------------------------------------------------------------------------------
# A whole survey, a short mapping
# --------------------------------------------------------------------------------------------


def test_fixtures_hold_the_whole_framework(framework):
    assert list(framework.element_ids) == make_fixtures.ELEMENTS
    assert len(make_fixtures.ELEMENTS) == 39


@pytest.mark.parametrize(("export", "mapping", "respondents", "tool"), [
    ("limesurvey_full.csv", "limesurvey_full.yaml", 5, "limesurvey"),
    ("msforms_full.xlsx", "msforms_full.yaml", 4, "msforms"),
])
def test_a_full_survey_imports_with_a_short_mapping(ingest, paths, framework, export, mapping,
                                                    respondents, tool):
    lines = [line for line in (MAPPINGS / mapping).read_text(encoding="utf-8").splitlines()
             if line.strip() and not line.lstrip().startswith("#")]
    assert len(lines) <= 15
    report = ingest(FIXTURES / export, mapping=MAPPINGS / mapping)
    (f,) = report.files
    assert report.ok, report.summary()
    assert (f.status, f.rows_staged, f.answers, f.warnings) == (
        "staged", respondents, 39 * respondents, [])
    df = staged(paths)
    elements = list(framework.element_ids)
    for r in range(1, respondents + 1):
        rid = f"{tool}:{20 + r if tool == 'limesurvey' else r}"
        mine = df[df["respondent_id"] == rid].set_index("element_id")["level"]
        assert sorted(mine.index) == sorted(elements)
        mine = mine.reindex(elements)
        got = [None if pd.isna(v) else int(v) for v in mine.tolist()]
        assert got == [expected_level(r, i) for i in range(39)]
    by_respondent = df.groupby("respondent_id")["municipality_id"].first()
    names = make_fixtures.FULL_MUNICIPALITIES[:respondents]
    assert [by_respondent[f"{tool}:{20 + r if tool == 'limesurvey' else r}"]
            for r in range(1, respondents + 1)] == [FULL_IDS[n] for n in names]


def test_header_detection_names_two_headers_with_one_element(tmp_path, ingest):
    path = write_csv(tmp_path / "ls.csv", [*LIME_HEADER, "STR01", "STR-01 toelichting", "STR02"],
                     [lime_row(1, "GM0363", "A1", "tekst", "A2")])
    base = {"tool": "limesurvey", "wave": "2025", "municipality": "GEMEENTE", "country": "NL",
            "answers": {"A1": 1, "A2": 2}}
    (f,) = ingest(path, mapping={**base, "questions": "auto"}).files
    assert f.status == "rejected"
    assert [(e.row, e.column, e.reason) for e in f.errors] == [
        (1, "STR-01 toelichting", "element STR-01 is named at the start of 2 headers ('STR01' "
                                  "and 'STR-01 toelichting'); say which one in the mapping's "
                                  "questions: (STR-01: ...)")]
    # an explicit question wins; the evidence column it names is not looked at
    mapping = {**base, "questions": {"STR-01": {"column": "STR01",
                                                "evidence": "STR-01 toelichting"}}}
    report = ingest(path, mapping=mapping)
    assert report.ok, report.summary()
    assert report.files[0].answers == 2  # STR-01 explicit, STR-02 from its header


def test_block_pattern_finds_no_column_is_an_error(tmp_path, ingest):
    path = write_csv(tmp_path / "ls.csv", [*LIME_HEADER, "SEC[SQ001]"],
                     [lime_row(1, "GM0363", "A1")])
    mapping = {"tool": "limesurvey", "wave": "2025", "municipality": "GEMEENTE",
               "answers": {"A1": 1}, "blocks": {"SEC": "SEC_{n}", "STR": "STR[{n}]"}}
    (f,) = ingest(path, mapping=mapping).files
    assert f.status == "rejected"
    assert [(e.row, e.column, e.reason) for e in f.errors] == [
        (1, "SEC_1", "missing column (named by blocks.SEC in the mapping map.yaml: no column "
                     "matches its pattern; looked for SEC_1, SEC_2, SEC_3, SEC_4)"),
        (1, "STR[1]", "missing column (named by blocks.STR in the mapping map.yaml: no column "
                      "matches its pattern; looked for STR[1], STR[2], STR[3], STR[4])")]


# --------------------------------------------------------------------------------------------
# Answers as people read them; one problem, one line
# --------------------------------------------------------------------------------------------


def test_one_unknown_option_is_one_summary_line(ingest, paths):
    data = mapping_data("msforms_full.yaml")
    del data["answers"]["3 - Gedefinieerd"]
    report = ingest(FIXTURES / "msforms_full.xlsx", mapping=data)
    (f,) = report.files
    cells = sum(make_fixtures.full_level(r, i) == 3 for r in range(1, 5) for i in range(39))
    assert f.status == "rejected" and len(f.errors) == cells  # the errors CSV: one per cell
    errors_csv = pd.read_csv(f.rejects_path, dtype=str, keep_default_na=False)
    assert len(errors_csv) == cells
    lines = report.summary().splitlines()
    assert lines[1].startswith("msforms_full.xlsx: answer option '3 – GEDEFINIEERD' not in the "
                               f"mapping map.yaml: {cells} cells in ")
    assert lines[1].endswith(", rows 2–5")
    assert len(lines) == 3  # heading, the one problem, the advice
    assert "--skip-invalid" in lines[2]


def test_dash_and_case_variants_of_an_option_match(tmp_path, ingest, paths):
    path = write_csv(tmp_path / "ls.csv", [*LIME_HEADER, "STR01", "STR02", "STR03"],
                     [lime_row(1, "GM0363", "3 – Vastgesteld", "3—vastgesteld ",
                               "3 \u2212  VASTGESTELD")])
    mapping = {"tool": "limesurvey", "wave": "2025", "municipality": "GEMEENTE",
               "answers": {"3 - Vastgesteld": 3, "3-Vastgesteld": 3}, "questions": "auto"}
    report = ingest(path, mapping=mapping)
    assert report.ok, report.summary()
    assert staged(paths)["level"].tolist() == [3, 3, 3]


# --------------------------------------------------------------------------------------------
# Municipality names
# --------------------------------------------------------------------------------------------


def test_names_in_a_tool_export(tmp_path, ingest, paths):
    names = ["Gemeente Amsterdam", "Gemeente 's-Hertogenbosch", "s Hertogenbosch",
             "GEMEENTE DEN HAAG", "Bergen", "Amsterdm", "NL_GM0344"]
    path = write_csv(tmp_path / "ls.csv", [*LIME_HEADER, "STR01"],
                     [lime_row(i, n, "A1") for i, n in enumerate(names, start=1)])
    mapping = {"tool": "limesurvey", "wave": "2025", "municipality": "GEMEENTE", "country": "NL",
               "answers": {"A1": 1}, "questions": "auto"}
    report = ingest(path, mapping=mapping, skip_invalid=True)
    (f,) = report.files
    assert [(e.row, e.reason) for e in f.errors] == [
        (6, "ambiguous municipality name in country NL: Bergen (NH.) (GM0373) or Bergen (L.) "
            "(GM0893); give the code or the full name"),
        (7, "unknown municipality in country NL (codes and names are accepted; nearest names: "
            "Amsterdam (GM0363), Asten (GM0743), Alblasserdam (GM0482))")]
    df = staged(paths).sort_values("respondent_id")
    assert df["municipality_id"].tolist() == ["NL_GM0363", "NL_GM0796", "NL_GM0796",
                                              "NL_GM0518", "NL_GM0344"]


def test_names_in_a_canonical_file_with_a_country(tmp_path, index, framework):
    names = [("Ville de Liège", "BE"), ("Stad Gent", "BE"), ("Stadt Flensburg", "DE"),
             ("Comune di Roma", "IT"), ("Stockholms kommun", "SE"), ("Amsterdam", "")]
    raw = pd.DataFrame({"municipality_id": [n for n, _ in names],
                        "country": [c for _, c in names], **canonical_rest(len(names))})
    clean, errors = validate_canonical(raw, file="c.csv", index=index,
                                       element_ids=set(framework.element_ids), now=NOW)
    assert clean["municipality_id"].tolist() == ["BE_62063", "BE_44021", "DE_01001000",
                                                 "IT_058091", "SE_0180"]
    assert [(e.row, e.reason) for e in errors] == [
        (7, "unknown municipality (a name or a national code needs a country column)")]


@st.composite
def written_name(draw, table: pd.DataFrame):
    """A Dutch municipality's name as a respondent might type it, and its id."""
    row = table.iloc[draw(st.integers(0, len(table) - 1))]
    name = row["name"]
    for old, new in (("-", draw(st.sampled_from(["-", " ", "–", " - "]))),
                     ("'", draw(st.sampled_from(["'", "", "’", " "]))),
                     (" ", draw(st.sampled_from([" ", "  ", " "])))):
        name = name.replace(old, new)
    name = draw(st.sampled_from([name, name.upper(), name.lower(), name.title()]))
    prefix = draw(st.sampled_from(["", "Gemeente ", "GEMEENTE ", "gemeente ", "Stad "]))
    return prefix + name + draw(st.sampled_from(["", " ", "."])), row["municipality_id"]


@pytest.fixture(scope="module")
def nl_unique():
    from pipelines.reference import load_municipalities

    nl = load_municipalities()
    nl = nl[nl["country"] == "NL"]
    return nl[~nl["name"].str.replace(r"\s*\(.*\)$", "", regex=True).duplicated(keep=False)]


def test_any_written_form_of_a_name_resolves(index, nl_unique):
    from pipelines.ingest.names import name_index

    names = name_index(index)

    @given(written_name(nl_unique))
    @settings(max_examples=300, deadline=None)
    def check(pair):
        written, mid = pair
        assert names.resolve([written], ["NL"]) == [(mid, None)]

    check()


def test_resolving_100k_names_is_fast(index, framework):
    """One dict lookup per distinct name: 100k rows with every NL name written three ways."""
    from pipelines.reference import load_municipalities

    nl = load_municipalities()
    nl = nl[nl["country"] == "NL"]
    variants = [v for n in nl["name"].tolist() for v in (n, f"Gemeente {n}", n.upper())]
    n = 100_000
    rng = np.random.default_rng(1)
    picked = np.asarray(variants, dtype=object)[rng.integers(0, len(variants), n)]
    raw = pd.DataFrame({"municipality_id": picked, "country": "NL", **canonical_rest(n)})
    start = time.perf_counter()
    clean, errors = validate_canonical(raw, file="big.csv", index=index,
                                       element_ids=set(framework.element_ids), now=NOW)
    elapsed = time.perf_counter() - start
    assert errors == [] and len(clean) == n
    assert clean["municipality_id"].nunique() == len(nl)
    assert elapsed < 5, elapsed  # about 0.5 s


# --------------------------------------------------------------------------------------------
# The wave warning
# --------------------------------------------------------------------------------------------


def test_wave_that_does_not_fit_the_submissions_warns(ingest):
    data = mapping_data("limesurvey_full.yaml")
    data["wave"] = "2023"
    report = ingest(FIXTURES / "limesurvey_full.csv", mapping=data)
    (f,) = report.files
    assert report.ok and f.status == "staged"  # a warning, not an error
    assert f.warnings == ["wave '2023' does not fit the submission dates: every respondent "
                          "submitted in 2025, not in 2022 or 2023; check the wave (the "
                          "mapping's `wave:` or the file's wave column)"]
    assert report.summary().splitlines()[1] == f"  warning: {f.warnings[0]}"
    data["wave"] = "2026"  # a 2026 survey opened in 2025: fine
    assert ingest(FIXTURES / "limesurvey_full.csv", mapping=data).files[0].warnings == []
