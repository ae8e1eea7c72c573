"""In-app survey core without a data folder: secret tokens, checking a sheet, canonical rows and
the lower-median rule the team preview shares with the build."""

from __future__ import annotations

import datetime as dt
import hashlib
import re

import numpy as np
import pandas as pd
import pytest

from pipelines.canonical import COLUMNS
from pipelines.survey.sheet import EVIDENCE_MAX, Answer, Sheet, canonical_rows, parse_sheet
from pipelines.survey.team import lower_median, team_table
from pipelines.survey.tokens import new_token, token_hash, well_formed

WHEN = dt.datetime(2025, 2, 1, 9, 30, tzinfo=dt.UTC)


# ------------------------------------------------------------------ tokens


def test_new_tokens_differ_and_are_well_formed():
    tokens = [new_token() for _ in range(200)]
    assert len(set(tokens)) == 200
    for t in tokens:
        assert re.fullmatch(r"[A-Za-z0-9_-]{32}", t), t  # 24 random bytes, URL-safe
        assert well_formed(t)


def test_token_hash_is_sha256_hex_and_never_the_token():
    t = new_token()
    h = token_hash(t)
    assert re.fullmatch(r"[0-9a-f]{64}", h)
    assert h == hashlib.sha256(t.encode()).hexdigest()
    assert h != t and t not in h
    assert token_hash(t) == h  # stable: a link keeps opening the same invitation
    assert token_hash(new_token()) != h


@pytest.mark.parametrize("bad", [
    "", None, "short", "a" * 15, "a" * 129, "a" * 100_000, "abc def ghi jkl mnop",
    "token/with/slashes/x", "tök" * 10, "a" * 20 + "'; DROP", "a" * 20 + "\n", "a" * 20 + "%2F",
    12345678901234567890, b"a" * 32, ["a" * 32],
])
def test_well_formed_rejects(bad):
    assert well_formed(bad) is False


def test_well_formed_accepts_bounds():
    assert well_formed("a" * 16) and well_formed("A-_9" * 32)  # 16 and 128 characters


# ------------------------------------------------------------------ parse_sheet


@pytest.mark.parametrize(("raw", "level"), [
    (0, 0), (4, 4), (2, 2), ("3", 3), (" 3 ", 3), ("dk", "dk"), ("DK", "dk"), (None, None),
])
def test_parse_sheet_accepts_levels(fw, raw, level):
    sheet = parse_sheet({"answers": {"STR-01": {"level": raw, "confidence": "low"}}},
                        fw.element_ids)
    assert sheet.answers["STR-01"] == Answer(level, "low", "")
    assert sheet.answers["STR-01"].answered is (level is not None)


@pytest.mark.parametrize("raw", [5, -1, "3.5", 3.5, True, False, "three", "03", [3], {"x": 1}])
def test_parse_sheet_rejects_levels_naming_the_element(fw, raw):
    with pytest.raises(ValueError, match=r"^SEC-02: .*level"):
        parse_sheet({"answers": {"STR-01": {"level": 2}, "SEC-02": {"level": raw}}}, fw.element_ids)


def test_parse_sheet_full_answer_and_empty_items(fw):
    sheet = parse_sheet({"answers": {"STR-01": {"level": 3, "confidence": "high",
                                                "evidence": "  policy 2025 \n"},
                                     "STR-02": {"level": "dk"},
                                     "STR-03": None,  # not answered
                                     "STR-04": {"level": None, "confidence": None, "evidence": ""}},
                         "consent": True}, fw.element_ids)
    assert sheet.answers == {"STR-01": Answer(3, "high", "policy 2025"), "STR-02": Answer("dk")}
    assert sheet.consent is True
    assert sheet.answered(fw.element_ids) == 2
    assert parse_sheet(sheet.to_json(), fw.element_ids) == sheet  # a draft round trip
    assert parse_sheet(None, fw.element_ids) == Sheet({}, None)
    assert parse_sheet({}, fw.element_ids) == Sheet({}, None)
    # a comment without a level is kept (a draft may hold evidence before a level)
    assert parse_sheet({"answers": {"DAT-01": {"evidence": "todo"}}},
                       fw.element_ids).answers == {"DAT-01": Answer(None, None, "todo")}


def test_parse_sheet_unknown_element(fw):
    with pytest.raises(ValueError, match=r"^XYZ-99: unknown element"):
        parse_sheet({"answers": {"XYZ-99": {"level": 1}}}, fw.element_ids)


@pytest.mark.parametrize("confidence", ["sure", "HIGH", 3, "very high"])
def test_parse_sheet_bad_confidence(fw, confidence):
    with pytest.raises(ValueError, match=r"^GOV-01: confidence must be low, medium or high"):
        parse_sheet({"answers": {"GOV-01": {"level": 1, "confidence": confidence}}}, fw.element_ids)


def test_parse_sheet_evidence_limits(fw):
    ok = parse_sheet({"answers": {"INF-01": {"level": 1, "evidence": "x" * EVIDENCE_MAX}}},
                     fw.element_ids)
    assert len(ok.answers["INF-01"].evidence) == EVIDENCE_MAX
    with pytest.raises(ValueError, match=rf"^INF-01: evidence is longer than {EVIDENCE_MAX}"):
        parse_sheet({"answers": {"INF-01": {"level": 1, "evidence": "x" * (EVIDENCE_MAX + 1)}}},
                    fw.element_ids)
    with pytest.raises(ValueError, match=r"^INF-02: evidence must be text"):
        parse_sheet({"answers": {"INF-02": {"level": 1, "evidence": ["a"]}}}, fw.element_ids)


@pytest.mark.parametrize("item", [3, "3", ["level", 3], True])
def test_parse_sheet_answer_must_be_an_object(fw, item):
    with pytest.raises(ValueError, match=r"^ECO-03: an answer must be an object"):
        parse_sheet({"answers": {"ECO-03": item}}, fw.element_ids)


@pytest.mark.parametrize("data", [["STR-01"], "answers", 7])
def test_parse_sheet_must_be_an_object(fw, data):
    with pytest.raises(ValueError, match="must be an object"):
        parse_sheet(data, fw.element_ids)


@pytest.mark.parametrize("answers", [["STR-01"], "STR-01=3"])
def test_parse_sheet_answers_must_be_an_object(fw, answers):
    with pytest.raises(ValueError, match=r"^answers must be an object"):
        parse_sheet({"answers": answers}, fw.element_ids)


@pytest.mark.parametrize("consent", ["yes", "true", 2, [True], {"x": 1}])
def test_parse_sheet_bad_consent(fw, consent):
    with pytest.raises(ValueError, match=r"^consent must be true, false or empty"):
        parse_sheet({"answers": {"STR-01": {"level": 1}}, "consent": consent}, fw.element_ids)


@pytest.mark.parametrize("consent", [True, False, None])
def test_parse_sheet_good_consent(fw, consent):
    assert parse_sheet({"consent": consent}, fw.element_ids).consent is consent


# ------------------------------------------------------------------ canonical_rows


def rows_of(sheet: Sheet, fw, **kw) -> pd.DataFrame:
    args = {"municipality_id": "NL_GM0363", "wave": "2025", "respondent_id": "survey:NL_GM0363:cio",
            "role": "cio", "submitted_at": WHEN, "element_order": fw.element_ids} | kw
    return canonical_rows(sheet, **args)


def test_canonical_rows_answered_only_in_framework_order(fw):
    # given in reverse framework order, with an unanswered element and a comment-only one
    sheet = parse_sheet({"answers": {"ECO-03": {"level": 4, "confidence": "medium"},
                                     "SEC-01": {"level": "dk", "evidence": "ask the CISO"},
                                     "DAT-02": {"evidence": "level not chosen yet"},
                                     "PPL-01": None,
                                     "STR-02": {"level": "0"}},
                         "consent": True}, fw.element_ids)
    rows = rows_of(sheet, fw)
    assert list(rows.columns) == list(COLUMNS)
    assert rows["element_id"].tolist() == ["STR-02", "SEC-01", "ECO-03"]
    order = [fw.element_ids.index(e) for e in rows["element_id"]]
    assert order == sorted(order)
    assert rows["level"].tolist() == ["0", "dk", "4"]
    assert rows["confidence"].tolist() == ["", "", "medium"]
    assert rows["evidence"].tolist() == ["", "ask the CISO", ""]
    assert set(rows["municipality_id"]) == {"NL_GM0363"} and set(rows["wave"]) == {"2025"}
    assert set(rows["respondent_id"]) == {"survey:NL_GM0363:cio"}
    assert set(rows["respondent_role"]) == {"cio"}
    assert set(rows["submitted_at"]) == {"2025-02-01T09:30:00.000000+00:00"}
    assert set(rows["publish_consent"]) == {"true"}


@pytest.mark.parametrize(("consent", "text"), [(True, "true"), (False, "false"), (None, "")])
def test_canonical_rows_consent_on_every_row(fw, consent, text):
    sheet = Sheet({"STR-01": Answer(1), "GOV-02": Answer(2), "SRV-07": Answer("dk")}, consent)
    rows = rows_of(sheet, fw)
    assert len(rows) == 3
    assert rows["publish_consent"].tolist() == [text] * 3


def test_canonical_rows_time_in_utc_and_empty_sheet(fw):
    cet = dt.timezone(dt.timedelta(hours=1))
    rows = rows_of(Sheet({"STR-01": Answer(2)}), fw,
                   submitted_at=dt.datetime(2025, 2, 1, 10, 30, 59, 999, tzinfo=cet))
    assert rows["submitted_at"].tolist() == ["2025-02-01T09:30:59.000999+00:00"]
    empty = rows_of(Sheet({"STR-01": Answer(None, "high", "note")}), fw)
    assert empty.empty and list(empty.columns) == list(COLUMNS)


# ------------------------------------------------------------------ lower median / team table


@pytest.mark.parametrize(("levels", "expected"), [
    ([1, 3], 1), ([3, 1], 1), ([1, 2, 3], 2), ([1, 3, 4], 3), ([4, 1, 3], 3), ([1, 2, 3, 4], 2),
    ([2], 2), ([0, 0, 4], 0), ([], None), ([None], None), ([np.nan, None], None),
    ([None, 4, np.nan, 1], 1), ([3, np.nan, 3, 1], 3), ([pd.NA, 2], 2), (np.array([4.0, 2.0]), 2),
])
def test_lower_median(levels, expected):
    assert lower_median(levels) == expected


def test_team_table_latest_answer_and_consolidation(fw):
    def r(role, element, level, when):
        return {"municipality_id": "NL_GM0363", "wave": "2025", "element_id": element,
                "level": level, "respondent_id": f"survey:NL_GM0363:{role}",
                "respondent_role": role, "submitted_at": when, "record": f"{role}/{when}.csv"}
    rows = pd.DataFrame([
        r("cio", "SEC-01", "4", "2025-02-01T10:00:00+00:00"),
        r("cio", "SEC-01", "1", "2025-02-02T10:00:00+00:00"),  # amended: 1 counts
        r("dpo", "SEC-01", "3", "2025-02-01T11:00:00+00:00"),
        r("ciso", "SEC-01", "4", "2025-02-01T12:00:00+00:00"),
        r("cio", "STR-01", "dk", "2025-02-02T10:00:00+00:00"),
        r("dpo", "STR-01", "2", "2025-02-01T11:00:00+00:00"),
        r("ciso", "DAT-01", "dk", "2025-02-01T12:00:00+00:00"),
    ])
    t = team_table(rows, fw.element_ids).set_index("element_id")
    assert t.index.tolist() == ["STR-01", "DAT-01", "SEC-01"]  # framework order
    assert t.loc["SEC-01", ["cio", "ciso", "dpo"]].tolist() == ["1", "4", "3"]
    assert (t.loc["SEC-01", "level"], t.loc["SEC-01", "spread"]) == (3, 3)
    assert bool(t.loc["SEC-01", "disagree"]) is True
    assert t.loc["STR-01", ["cio", "ciso", "dpo"]].tolist() == ["dk", "", "2"]
    assert (t.loc["STR-01", "level"], t.loc["STR-01", "spread"]) == (2, 0)
    assert bool(t.loc["STR-01", "disagree"]) is False
    assert pd.isna(t.loc["DAT-01", "level"]) and pd.isna(t.loc["DAT-01", "spread"])
    assert bool(t.loc["DAT-01", "disagree"]) is False
    assert team_table(rows.iloc[:0], fw.element_ids).empty
