"""The mapping file of survey-tool imports: the examples load, each mistake is named."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipelines.ingest.tools import MappingError, load_mapping, parse_mapping
from pipelines.ingest.tools.keys import text_key

ROOT = Path(__file__).resolve().parents[2]
MAPPINGS = ROOT / "data" / "survey_mappings"
BASE = "tool: limesurvey\nwave: 2025\nmunicipality: GEMEENTE\n"


@pytest.fixture(scope="module")
def element_ids(fw):
    return fw.element_ids


def load(tmp_path: Path, text: str, element_ids, name: str = "map.yaml"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return load_mapping(path, element_ids)


def problems(tmp_path: Path, text: str, element_ids) -> list[str]:
    with pytest.raises(MappingError) as exc:
        load(tmp_path, text, element_ids)
    return exc.value.problems


@pytest.mark.parametrize("name", ["limesurvey", "msforms", "kobo", "qualtrics", "wide"])
def test_every_example_loads(element_ids, name):
    mapping = load_mapping(MAPPINGS / f"{name}.yaml", element_ids)
    assert (mapping.tool, mapping.name) == (name, f"{name}.yaml")
    assert mapping.questions and all(q.element_id in element_ids for q in mapping.questions)


def test_limesurvey_example_content(element_ids):
    m = load_mapping(MAPPINGS / "limesurvey.yaml", element_ids)
    assert (m.wave.value, m.municipality.column, m.country.value) == ("2025", "GEMEENTE", "NL")
    assert m.timezone == "Europe/Amsterdam"
    # STR02 and GOV04 are found by their headers when the export is read (detect_questions)
    assert [(q.element_id, q.column, q.key) for q in m.questions] == [
        ("STR-01", "STR01", "questions.STR-01"), ("SRV-01", "SRV01", "questions.SRV-01"),
        ("SEC-01", "SEC[SQ001]", "blocks.SEC"), ("SEC-02", "SEC[SQ002]", "blocks.SEC"),
        ("SEC-03", "SEC[SQ003]", "blocks.SEC"), ("SEC-04", "SEC[SQ004]", "blocks.SEC")]
    str01, srv01 = m.questions[0], m.questions[1]
    assert str01.answers[text_key("A3")] == "3" and str01.answers[text_key("AX")] == ""
    assert str01.answers[text_key("gedefinieerd")] == "3"
    assert str01.answers[text_key("Don't know")] == ""
    assert (str01.confidence.column, str01.confidence.answers) == (
        "ZEKER", {"z1": "low", "z2": "medium", "z3": "high"})
    assert str01.evidence.column == "BEWIJS"
    assert srv01.answers[text_key("N2")] == "2" and srv01.answers[text_key("A3")] == "3"
    assert m.respondent_role.translate("a1") == "cio"  # case does not count
    assert m.respondent_role.translate("iets anders") == "iets anders"  # passes through


def test_yaml_booleans_stay_text(tmp_path, element_ids):
    m = load(tmp_path, BASE + "answers: {Ja: 4, Yes: 4, No: 0, on: 1}\nquestions: {STR-01: Q1}\n",
             element_ids)
    assert m.questions[0].answers == {"ja": "4", "yes": "4", "no": "0", "on": "1"}


def test_occurrence_and_constant_fields(tmp_path, element_ids):
    m = load(tmp_path, BASE.replace("municipality: GEMEENTE", "municipality: {value: GM0363}")
             + "questions:\n  str_01: {column: Toelichting, occurrence: 2}\n", element_ids)
    assert (m.municipality.value, m.municipality.column) == ("GM0363", None)
    assert (m.questions[0].element_id, m.questions[0].occurrence) == ("STR-01", 2)
    assert m.questions[0].answers == {}  # no scale: cells read as levels 0-4


@pytest.mark.parametrize(("text", "expected"), [
    (BASE + "questions: {STR-99: Q1}\n",
     "map.yaml: questions.STR-99: unknown element id 'STR-99'; block STR has STR-01, STR-02, "
     "STR-03, STR-04"),
    (BASE + "questions: {SRT-01: Q1}\n",
     "map.yaml: questions.SRT-01: unknown element id 'SRT-01'; did you mean STR-01"),
    (BASE + "questions: {STRATEGY: Q1}\n",
     "map.yaml: questions.STRATEGY: unknown element id 'STRATEGY' (element ids look like STR-01"),
    (BASE + "answers: {A5: 5}\nquestions: {STR-01: Q1}\n",
     "map.yaml: answers.A5: level 5 is not 0, 1, 2, 3, 4 or dont_know (out of range)"),
    (BASE + "questions: {STR-01: {column: Q1, answers: {Hoog: high}}}\n",
     "map.yaml: questions.STR-01.answers.Hoog: level 'high' is not 0, 1, 2, 3, 4 or dont_know"),
    (BASE + "answers: {Weet niet: }\nquestions: {STR-01: Q1}\n",
     "map.yaml: answers.Weet niet: level None is not 0, 1, 2, 3, 4 or dont_know"),
    ("tool: limesurvey\nmunicipality: G\nquestions: {STR-01: Q1}\n",
     "map.yaml: wave: missing key"),
    ("tool: kobo\nwave: 2025\nmunicipality: g\n", "map.yaml: questions: missing key"),
    ("wave: 2025\nmunicipality: g\nquestions: {STR-01: Q1}\n", "map.yaml: tool: missing key"),
    (BASE.replace("limesurvey", "surveymonkey") + "questions: {STR-01: Q1}\n",
     "map.yaml: tool: unknown tool 'surveymonkey'"),
    (BASE + "queston: {STR-01: Q1}\n", "map.yaml: queston: unknown key"),
    (BASE + "timezone: Amsterdam\nquestions: {STR-01: Q1}\n",
     "map.yaml: timezone: unknown time zone 'Amsterdam'"),
    (BASE + "questions: {STR-01: Q1, STR-02: q1}\n",
     "map.yaml: questions.STR-02: column 'q1' is already mapped to STR-01"),
    (BASE + "questions: {STR-01: Q1, str-01: Q2}\n",
     "map.yaml: questions.str-01: element STR-01 is mapped twice"),
    (BASE + "questions: {STR-01: {column: Q1, occurrence: 0}}\n",
     "map.yaml: questions.STR-01.occurrence: must be a whole number from 1"),
    (BASE + "questions: {STR-01: {answers: {A1: 1}}}\n",
     "map.yaml: questions.STR-01: no question column given"),
    (BASE + "respondent_role: {column: ROL, value: cio}\nquestions: {STR-01: Q1}\n",
     "map.yaml: respondent_role: give exactly one of column:"),
    (BASE + "questions: {STR-01: {column: Q1, evidence: {colum: E1}}}\n",
     "map.yaml: questions.STR-01.evidence.colum: unknown key"),
    (BASE + "answers: {A1: 1, a1: 2}\nquestions: {STR-01: Q1}\n",
     "map.yaml: answers.a1: the same option as 'A1' (case and spacing do not count) with another "
     "level"),
    (BASE + "questions:\n  STR-01: Q1\n  STR-01: Q2\n",
     "map.yaml: line 6: key 'STR-01' appears twice in the same block (first on line 5)"),
    (BASE + "questions: {STR-01: Q1\n", "map.yaml: is not valid YAML at line 5"),
    ("- tool: kobo\n", "map.yaml: must be a YAML mapping of keys"),
    ("", "map.yaml: must be a YAML mapping of keys (tool, wave, municipality, answers, questions),"
         " not an empty file"),
])
def test_mapping_mistakes_are_named(tmp_path, element_ids, text, expected):
    found = problems(tmp_path, text, element_ids)
    assert any(p.startswith(expected) for p in found), found


def test_all_problems_are_listed_at_once(tmp_path, element_ids):
    found = problems(tmp_path, "tool: limesurvey\nanswers: {A1: 9}\nquestions: {XYZ-01: Q1}\n",
                     element_ids)
    assert [p.split(":")[1].strip() for p in found] == [
        "wave", "municipality", "answers.A1", "questions.XYZ-01"]
    assert all(p.startswith("map.yaml: ") for p in found)


def test_missing_mapping_file(tmp_path, element_ids):
    with pytest.raises(MappingError, match=r"nope\.yaml: no such mapping file"):
        load_mapping(tmp_path / "nope.yaml", element_ids)


def test_wide_mapping_needs_no_questions(element_ids):
    m = parse_mapping({"tool": "wide", "wave": {"column": "Ronde"}}, name="w.yaml",
                      element_ids=element_ids)
    assert (m.tool, m.questions, m.wave.column, m.municipality) == ("wide", (), "Ronde", None)
