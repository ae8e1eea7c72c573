"""Pure parts of trustworthy survey imports (issue 14): answer keys, grouped errors, the wave
warning, municipality name keys and the mapping shorthand (blocks:, questions: auto)."""

from __future__ import annotations

import re

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pipelines.ingest.errors import format_rows, group_errors, wave_warnings, wave_year
from pipelines.ingest.names import _strip, looks_like_name
from pipelines.ingest.tools import MappingError, parse_mapping
from pipelines.ingest.tools.keys import text_key
from pipelines.ingest.tools.mapping import detect_questions, header_element
from pipelines.ingest.validate import RowError

DASHES = ["-", "\u2010", "\u2011", "\u2012", "\u2013", "\u2014", "\u2015", "\u2212", "\uff0d"]
SPACES = [" ", "  ", "\u00a0", "\t", " \u00a0 ", "\u2009", "\u3000"]
BASE = {"tool": "limesurvey", "wave": "2025", "municipality": "GEMEENTE"}


@pytest.fixture(scope="module")
def element_ids(fw):
    return fw.element_ids


# -------------------------------------------------------------------------- answer texts


def _variant(draw, text: str) -> str:
    """`text` with every dash and space replaced by any dash / any space, case changed."""
    out = []
    for ch in text:
        if ch == "-":
            out.append(draw(st.sampled_from(DASHES)))
        elif ch == " ":
            out.append(draw(st.sampled_from(SPACES)))
        else:
            out.append(draw(st.sampled_from([ch.lower(), ch.upper()])))
    pad = draw(st.sampled_from(["", " ", "\ufeff", "\u00a0"]))
    return pad + "".join(out) + draw(st.sampled_from(["", " ", "\t"]))


@st.composite
def option_and_variant(draw):
    words = draw(st.lists(st.text(alphabet="abcdefghijklmnopqrstuvwxyzéëï0123456789", min_size=1,
                                  max_size=8), min_size=1, max_size=4))
    seps = draw(st.lists(st.sampled_from([" ", " - ", "-"]), min_size=len(words) - 1,
                         max_size=len(words) - 1))
    text = words[0] + "".join(s + w for s, w in zip(seps, words[1:], strict=True))
    return text, _variant(draw, text)


@given(option_and_variant())
@settings(max_examples=300, deadline=None)
def test_any_dash_space_or_case_variant_has_the_same_key(pair):
    option, variant = pair
    assert text_key(variant) == text_key(option)


@pytest.mark.parametrize("shown", ["3 – Vastgesteld", "3 — vastgesteld", "3 \u2212 VASTGESTELD",
                                   "3\u00a0-\u00a0Vastgesteld", " 3  ‐ Vastgesteld "])
def test_mapping_option_matches_the_export_text(shown):
    assert text_key(shown) == text_key("3 - Vastgesteld")


def test_quotes_fold_but_words_do_not():
    assert text_key("‘Weet ik niet’") == text_key("'weet ik niet'") == text_key("`Weet ik niet´")
    assert text_key("„Ja“") == text_key('"ja"') == text_key("«Ja»")
    assert text_key("3 - Vastgesteld") != text_key("3 Vastgesteld")  # a dash is not nothing


# -------------------------------------------------------------------------- grouped errors


def err(row: int, column: str, reason: str, value: str = "", file: str = "f.csv") -> RowError:
    return RowError(file, row, column, reason, value)


def test_one_unknown_option_over_many_cells_is_one_line():
    reason = "answer option not in the mapping ls.yaml ({})"
    errors = [err(r, f"SEC[SQ00{q}]", reason.format(f"SEC-0{q}"), "3 – Vastgesteld")
              for r in range(2, 7) for q in range(1, 5)]
    errors += [err(4, "GEMEENTE", "unknown municipality in country NL", "GM9999")]
    assert group_errors(errors) == [
        "f.csv: answer option '3 – Vastgesteld' not in the mapping ls.yaml: 20 cells in 4 "
        "columns (SEC[SQ001], SEC[SQ002], SEC[SQ003] and 1 more), rows 2–6",
        "f.csv row 4, column GEMEENTE: unknown municipality in country NL (value 'GM9999')"]


def test_file_and_header_errors_keep_their_own_lines_first():
    errors = [err(5, "level", "level out of range 0-4", "7"), err(1, "wave", "missing column"),
              err(1, "municipality_id", "missing column"), err(9, "level",
                                                               "level out of range 0-4", "7")]
    assert group_errors(errors) == [
        "f.csv row 1, column wave: missing column",
        "f.csv row 1, column municipality_id: missing column",
        "f.csv: level out of range 0-4 (value '7'): 2 cells in column level, rows 5 and 9"]


def test_duplicates_group_without_their_first_row():
    errors = [err(r, "id", f"duplicate response id (first at row {r - 3})", "22")
              for r in (5, 6, 7)]
    assert group_errors(errors) == [
        "f.csv: duplicate response id (value '22'): 3 cells in column id, rows 5–7"]
    assert group_errors(errors[:1]) == [errors[0].describe()]  # once: as it always was


@pytest.mark.parametrize(("rows", "text"), [
    ([7], "row 7"), ([2, 3], "rows 2, 3"), ([2, 3, 4, 5, 6], "rows 2–6"),
    ([2, 5, 9], "rows 2, 5 and 9"), ([2, 5, 9, 11, 12, 20, 30], "rows 2, 5, 9 and 4 more"),
    ([4, 2, 3, 3], "rows 2–4")])
def test_format_rows(rows, text):
    assert format_rows(rows) == text


@given(st.lists(st.integers(2, 400), min_size=1, max_size=60))
def test_format_rows_accounts_for_every_row(rows):
    text = format_rows(rows)
    shown = 0
    for a, b in re.findall(r"(\d+)(?:–(\d+))?", text.split(" and ")[0]
                           if text.endswith("more") else text):
        shown += int(b) - int(a) + 1 if b else 1
    more = re.search(r"and (\d+) more$", text)
    assert shown + (int(more.group(1)) if more else 0) == len(set(rows))


@given(st.lists(st.tuples(st.integers(2, 50), st.sampled_from(["Q1", "Q2", "Q3"]),
                          st.sampled_from(["x", "y"])), max_size=80))
def test_group_errors_lines_cover_every_error_once(cells):
    errors = [err(r, c, "answer option not in the mapping m.yaml (STR-01)", v)
              for r, c, v in cells]
    lines = group_errors(errors)
    assert len(lines) == len({v for _, _, v in cells})
    counted = sum(int(m.group(1)) if (m := re.search(r": (\d+) cells", line)) else 1
                  for line in lines)
    assert counted == len(errors)


# -------------------------------------------------------------------------- the wave warning


def answers(wave: str, *dates: str) -> pd.DataFrame:
    return pd.DataFrame({"wave": wave, "respondent_id": [f"r{i}" for i in range(len(dates))],
                         "submitted_at": pd.to_datetime(list(dates), utc=True)})


@pytest.mark.parametrize(("wave", "year"), [("2025", 2025), ("voorjaar 2025", 2025),
                                             ("2025-Q1", 2025), ("2024-2025", None),
                                             ("ronde 3", None)])
def test_wave_year(wave, year):
    assert wave_year(wave) == year


def test_wave_warnings():
    assert wave_warnings(answers("2025", "2025-03-01", "2024-12-01")) == []
    assert wave_warnings(answers("2026", "2025-12-01")) == []  # opened the year before
    assert wave_warnings(answers("ronde 3", "2019-01-01")) == []
    assert wave_warnings(None) == [] and wave_warnings(answers("2025")) == []
    (w,) = wave_warnings(answers("2025", "2026-01-10", "2026-02-01"))
    assert w.startswith("wave '2025' does not fit the submission dates: every respondent "
                        "submitted in 2026, not in 2024 or 2025")
    (w,) = wave_warnings(answers("2025", "2025-03-01", "2027-01-01", "2023-05-05"))
    assert "2 of 3 respondents submitted in 2023, 2027" in w


# -------------------------------------------------------------------------- names


@pytest.mark.parametrize(("key", "cc", "bare"), [
    ("gemeente amsterdam", "NL", "amsterdam"), ("stad gent", "BE", "gent"),
    ("ville d anvers", "BE", "anvers"), ("stadt flensburg", "DE", "flensburg"),
    ("comune di roma", "IT", "roma"), ("ayuntamiento de madrid", "ES", "madrid"),
    ("stockholms kommun", "SE", "stockholm"), ("kobenhavns kommune", "DK", "kobenhavn"),
    ("gmina bochnia", "PL", "bochnia"), ("mesto brno", "CZ", "brno"),
    ("gemeente", "NL", "gemeente"),  # nothing left: not stripped
    ("stadskanaal", "NL", "stadskanaal"),  # a prefix is a whole word
    ("city of dublin", "IE", "dublin")])
def test_administrative_affixes(key, cc, bare):
    assert _strip(key, cc) == bare


@pytest.mark.parametrize(("value", "name"), [("Amsterdam", True), ("'s-Hertogenbosch", True),
                                             ("GM0363", False), ("0363", False),
                                             ("NL_GM0363", False), ("11002", False),
                                             ("BE_11002", False), ("", False)])
def test_looks_like_name(value, name):
    assert looks_like_name(value) is name


# -------------------------------------------------------------------------- shorthand


def test_block_patterns(element_ids):
    m = parse_mapping({**BASE, "answers": {"A1": 1},
                       "blocks": {"SEC": "SEC[SQ{n:03d}]", "str": {"column": "{id} vraag",
                                                                   "answers": {"N": 0}}},
                       "questions": {"SEC-02": "Q2"}}, name="m.yaml", element_ids=element_ids)
    got = [(q.element_id, q.column, q.key) for q in m.questions]
    assert got == [("SEC-02", "Q2", "questions.SEC-02"),  # explicit wins
                   ("SEC-01", "SEC[SQ001]", "blocks.SEC"), ("SEC-03", "SEC[SQ003]", "blocks.SEC"),
                   ("SEC-04", "SEC[SQ004]", "blocks.SEC"), ("STR-01", "STR-01 vraag", "blocks.str"),
                   ("STR-02", "STR-02 vraag", "blocks.str"), ("STR-03", "STR-03 vraag", "blocks.str"),
                   ("STR-04", "STR-04 vraag", "blocks.str")]
    assert m.questions[4].answers == {"a1": "1", "n": "0"}


def test_all_blocks_pattern(element_ids):
    m = parse_mapping({**BASE, "blocks": {"*": "{block}[SQ{n:03d}]", "ECO": "E{num}"}},
                      name="m.yaml", element_ids=element_ids)
    columns = {q.element_id: q.column for q in m.questions}
    assert len(columns) == len(element_ids) == 39
    assert (columns["GOV-06"], columns["ECO-03"]) == ("GOV[SQ006]", "E03")


@pytest.mark.parametrize(("blocks", "expected"), [
    ({"SCE": "X{n}"}, "m.yaml: blocks.SCE: unknown block 'SCE' (did you mean SEC? blocks: "),
    ({"SEC": "SEC[SQ{q}]"}, "m.yaml: blocks.SEC: bad pattern 'SEC[SQ{q}]': unknown "
                            "placeholder {q}"),
    ({"SEC": "SEC"}, "m.yaml: blocks.SEC: bad pattern 'SEC': it names one column for every "
                     "element"),
    ({"SEC": "SEC[{n"}, "m.yaml: blocks.SEC: bad pattern 'SEC[{n' ("),
    ({"SEC": "SEC{n:x03}"}, "m.yaml: blocks.SEC: bad pattern 'SEC{n:x03}' ("),
    ({"SEC": {"colum": "S{n}"}}, "m.yaml: blocks.SEC.colum: unknown key"),
    ({"SEC": ["S{n}"]}, "m.yaml: blocks.SEC: needs a column pattern"),
    ("SEC", "m.yaml: blocks: must map blocks to column patterns"),
])
def test_bad_blocks_are_mapping_errors(element_ids, blocks, expected):
    with pytest.raises(MappingError) as exc:
        parse_mapping({**BASE, "blocks": blocks}, name="m.yaml", element_ids=element_ids)
    assert any(p.startswith(expected) for p in exc.value.problems), exc.value.problems


def test_block_column_taken_by_another_question(element_ids):
    with pytest.raises(MappingError) as exc:
        parse_mapping({**BASE, "blocks": {"SEC": "SEC[SQ{n:03d}]"},
                       "questions": {"STR-01": "SEC[SQ002]"}}, name="m.yaml",
                      element_ids=element_ids)
    assert exc.value.problems == ["m.yaml: blocks.SEC: column 'SEC[SQ002]' (for SEC-02) is "
                                  "already mapped to STR-01 (questions.STR-01)"]


def test_questions_auto_and_missing_questions(element_ids):
    m = parse_mapping({**BASE, "questions": "auto"}, name="m.yaml", element_ids=element_ids)
    assert m.questions == ()
    with pytest.raises(MappingError, match="questions: missing key"):
        parse_mapping(dict(BASE), name="m.yaml", element_ids=element_ids)


@pytest.mark.parametrize(("header", "element"), [
    ("STR-01: Hoe volwassen is de strategie?", "STR-01"), ("STR-01 – Hoe", "STR-01"),
    ("[STR-01] Hoe", "STR-01"), ("STR01 Hoe", "STR-01"), ("str_01. hoe", "STR-01"),
    ("(SEC-02) Hoe", "SEC-02"), ("grp_strategie/str01", "STR-01"), ("STR-01", "STR-01"),
    ("STR01[comment]", None), ("STR01_other", None), ("STR-011", None), ("STR-99 Hoe", None),
    ("Strategie", None), ("Hoe staat STR-01 ervoor?", None)])
def test_header_element(header, element, element_ids):
    assert header_element(header, set(element_ids)) == element


def test_detect_questions_skips_columns_the_mapping_uses(element_ids):
    m = parse_mapping({**BASE, "answers": {"A1": 1}, "confidence": "STR-03 zekerheid",
                       "questions": {"STR-01": "Q1"}}, name="m.yaml", element_ids=element_ids)
    headers = ["GEMEENTE", "Q1", "STR-01: dubbel", "STR-02 – Hoe", "STR-03 zekerheid"]
    got, problems = detect_questions(m, headers, set(element_ids))
    assert problems == []
    assert [(q.element_id, q.column, q.answers) for q in got.questions] == [
        ("STR-01", "Q1", {"a1": "1"}), ("STR-02", "STR-02 – Hoe", {"a1": "1"})]
