"""One respondent's answers while filling in: checking what the browser sends, counting
progress, and turning a sheet into canonical rows.

A sheet is plain JSON so it can live in a draft file and travel through a Dash callback:

    {"answers": {"STR-01": {"level": 3, "confidence": "high", "evidence": "policy 2025"},
                 "STR-02": {"level": "dk"}},
     "consent": true}

level: 0-4, "dk" (don't know, a real answer) or absent/None (not answered yet).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import pandas as pd

from pipelines.canonical import COLUMNS, CONFIDENCE_VALUES

DONT_KNOW = "dk"
EVIDENCE_MAX = 2000


@dataclass(frozen=True)
class Answer:
    level: int | str | None = None  # 0-4, DONT_KNOW or None
    confidence: str | None = None
    evidence: str = ""

    @property
    def answered(self) -> bool:
        return self.level is not None


@dataclass(frozen=True)
class Sheet:
    answers: dict[str, Answer]
    consent: bool | None = None

    def to_json(self) -> dict:
        out = {}
        for e, a in self.answers.items():
            item = {"level": a.level}
            if a.confidence:
                item["confidence"] = a.confidence
            if a.evidence:
                item["evidence"] = a.evidence
            out[e] = item
        return {"answers": out, "consent": self.consent}

    def answered(self, element_ids: Iterable[str]) -> int:
        return sum(1 for e in element_ids if self.answers.get(e, Answer()).answered)


def _level(value: object) -> int | str | None:
    if value is None or value == "":
        return None
    if isinstance(value, str) and value.lower() == DONT_KNOW:
        return DONT_KNOW
    if isinstance(value, bool):
        raise ValueError("level must be 0-4 or 'dk'")
    try:
        number = int(value)
    except (TypeError, ValueError):
        raise ValueError(f"level must be 0-4 or 'dk', not {value!r}") from None
    if str(number) != str(value).strip() and number != value:
        raise ValueError(f"level must be a whole number, not {value!r}")
    if not 0 <= number <= 4:
        raise ValueError(f"level {number} is out of range 0-4")
    return number


def parse_sheet(data: Mapping | None, element_ids: Iterable[str]) -> Sheet:
    """A sheet from untrusted JSON; raises ValueError naming the element and the problem."""
    known = set(element_ids)
    data = data or {}
    if not isinstance(data, Mapping):
        raise ValueError("a survey sheet must be an object")
    raw = data.get("answers") or {}
    if not isinstance(raw, Mapping):
        raise ValueError("answers must be an object of element id -> answer")
    answers: dict[str, Answer] = {}
    for element, item in raw.items():
        if element not in known:
            raise ValueError(f"{element}: unknown element")
        if item is None:
            continue
        if not isinstance(item, Mapping):
            raise ValueError(f"{element}: an answer must be an object")
        try:
            level = _level(item.get("level"))
        except ValueError as exc:
            raise ValueError(f"{element}: {exc}") from None
        confidence = item.get("confidence") or None
        if confidence is not None and confidence not in CONFIDENCE_VALUES:
            raise ValueError(f"{element}: confidence must be low, medium or high")
        evidence = item.get("evidence") or ""
        if not isinstance(evidence, str):
            raise ValueError(f"{element}: evidence must be text")
        evidence = evidence.strip()
        if len(evidence) > EVIDENCE_MAX:
            raise ValueError(f"{element}: evidence is longer than {EVIDENCE_MAX} characters")
        if level is None and confidence is None and not evidence:
            continue
        answers[element] = Answer(level, confidence, evidence)
    consent = data.get("consent")
    if consent not in (None, True, False):
        raise ValueError("consent must be true, false or empty")
    return Sheet(answers, consent)


def canonical_rows(sheet: Sheet, *, municipality_id: str, wave: str, respondent_id: str,
                   role: str, submitted_at: dt.datetime, element_order: Iterable[str]
                   ) -> pd.DataFrame:
    """The sheet's answered elements as canonical text rows (what a canonical CSV holds).

    Unanswered elements give no row; "don't know" gives a row with level 'dk', which the
    build counts as answered but unknown.
    """
    when = submitted_at.astimezone(dt.UTC).isoformat(timespec="microseconds")
    consent = "" if sheet.consent is None else ("true" if sheet.consent else "false")
    rows = []
    for e in element_order:
        a = sheet.answers.get(e)
        if a is None or not a.answered:
            continue
        rows.append({"municipality_id": municipality_id, "wave": wave, "element_id": e,
                     "level": str(a.level), "respondent_id": respondent_id,
                     "respondent_role": role, "submitted_at": when,
                     "confidence": a.confidence or "", "evidence": a.evidence,
                     "publish_consent": consent})
    return pd.DataFrame(rows, columns=list(COLUMNS), dtype=str)
