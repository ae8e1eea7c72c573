"""The mapping file: which question of a survey-tool export is which element, at which level.

A small YAML file (documented with an example per tool in data/survey_mappings/README.md):

    tool: limesurvey
    wave: "2025"                        # a constant, or {column: RONDE}
    municipality: GEMEENTE              # the column with a GISCO id / GM code / national code
    country: NL                         # optional: a constant, or {column: LAND}
    answers: {A0: 0, A1: 1, ..., DK: dont_know, "Weet niet": dont_know}
    questions:
      STR-01: STR01                     # element id -> question column
      SEC-02: {column: "SEC[SQ002]", confidence: ZEKER, answers: {A5: 4}}

`load_mapping` checks the whole file before any data is read and raises one MappingError
listing every problem as `<file>: <key>: <problem>`.
"""

from __future__ import annotations

import difflib
import zoneinfo
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from pipelines.canonical import DONT_KNOW
from pipelines.ingest.tools.keys import element_key, text_key

TOOLS = ("limesurvey", "msforms", "kobo", "qualtrics", "wide")
TOOL_ALIASES = {
    "limesurvey": "limesurvey", "lime survey": "limesurvey",
    "msforms": "msforms", "ms forms": "msforms", "microsoft forms": "msforms", "forms": "msforms",
    "kobo": "kobo", "kobotoolbox": "kobo", "kobo toolbox": "kobo",
    "qualtrics": "qualtrics", "wide": "wide",
}
DEFAULT_TIMEZONE = "Europe/Amsterdam"
DONT_KNOW_LEVEL = ""  # how validate_canonical reads "don't know" in the level column
_DONT_KNOW_WORDS = frozenset({"dont_know", "dont know", "don't know", *DONT_KNOW})

# Fields whose bare scalar is a constant value; the others' bare scalar is a column header.
_CONSTANT_FIELDS = ("wave", "country")
_COLUMN_FIELDS = ("municipality", "respondent_id", "respondent_role", "publish_consent",
                  "submitted_at", "confidence")
_TOP_KEYS = ("tool", "description", "timezone", *_CONSTANT_FIELDS, *_COLUMN_FIELDS, "answers",
             "questions")
_QUESTION_KEYS = ("column", "occurrence", "answers", "confidence", "evidence")
_FIELD_KEYS = ("column", "value", "answers", "occurrence")


class MappingError(ValueError):
    """A mapping file that cannot be used; `problems` lists each as '<file>: <key>: <problem>'."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__("\n".join(problems))


@dataclass(frozen=True)
class Field:
    """Where a value comes from: a column of the export or a constant (exactly one is set).

    `answers` translates cell values (matched by text_key) before validation, e.g. a
    LimeSurvey list question whose answer codes A1, A2 stand for GM0363, GM0599; values not in
    it pass through unchanged.
    """

    column: str | None = None
    value: str | None = None
    answers: dict[str, str] = field(default_factory=dict)
    key: str = ""  # the mapping key it came from, for messages ("municipality")
    occurrence: int | None = None  # which of several columns with this header, 1-based

    def translate(self, cell: str) -> str:
        return self.answers.get(text_key(cell), cell) if self.answers else cell


@dataclass(frozen=True)
class Question:
    element_id: str
    column: str
    occurrence: int | None = None  # which of several equal headers (MS Forms), 1-based
    answers: dict[str, str] = field(default_factory=dict)  # text_key -> "0".."4" or ""
    confidence: Field | None = None
    evidence: Field | None = None

    @property
    def key(self) -> str:
        return f"questions.{self.element_id}"


@dataclass(frozen=True)
class Mapping:
    name: str  # the mapping file's name, for messages and the report
    tool: str
    timezone: str = DEFAULT_TIMEZONE
    wave: Field | None = None
    municipality: Field | None = None
    country: Field | None = None
    respondent_id: Field | None = None
    respondent_role: Field | None = None
    publish_consent: Field | None = None
    submitted_at: Field | None = None
    confidence: Field | None = None  # for every question without its own confidence column
    questions: tuple[Question, ...] = ()
    path: Path | None = None


def load_mapping(path: Path | str, element_ids: Iterable[str]) -> Mapping:
    """Read and check a mapping file; raise MappingError naming every problem."""
    path = Path(path)
    name = path.name
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError as exc:
        raise MappingError([f"{name}: no such mapping file ({path})"]) from exc
    except (OSError, UnicodeDecodeError) as exc:
        raise MappingError([f"{name}: cannot be read ({exc})"]) from exc
    try:
        data = yaml.load(text, Loader=_Loader)  # a SafeLoader subclass
    except _DuplicateKey as exc:
        raise MappingError([f"{name}: {exc}"]) from exc
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}" if mark is not None else ""
        raise MappingError([f"{name}: is not valid YAML{where} "
                            f"({getattr(exc, 'problem', None) or exc})"]) from exc
    return parse_mapping(data, name=name, element_ids=element_ids, path=path)


def parse_mapping(data: object, *, name: str, element_ids: Iterable[str],
                  path: Path | None = None) -> Mapping:
    """Check an already loaded mapping (a dict as in the YAML file)."""
    problems: list[str] = []

    def bad(key: str, problem: str) -> None:
        problems.append(f"{name}: {key}: {problem}" if key else f"{name}: {problem}")

    if not isinstance(data, dict):
        raise MappingError([f"{name}: must be a YAML mapping of keys (tool, wave, municipality, "
                            "answers, questions), not "
                            f"{'an empty file' if data is None else type(data).__name__}"])
    for key in data:
        if str(key) not in _TOP_KEYS:
            bad(str(key), f"unknown key (known keys: {', '.join(_TOP_KEYS)})")

    tool = None
    if "tool" not in data:
        bad("tool", f"missing key (one of {', '.join(TOOLS)})")
    else:
        tool = TOOL_ALIASES.get(text_key(data["tool"]))
        if tool is None:
            bad("tool", f"unknown tool {data['tool']!r} (one of {', '.join(TOOLS)})")

    timezone = _scalar(data.get("timezone", DEFAULT_TIMEZONE))
    try:
        zoneinfo.ZoneInfo(timezone)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        bad("timezone", f"unknown time zone {timezone!r} (an IANA name such as Europe/Amsterdam, "
                        "Europe/Brussels or UTC)")

    fields = {k: _field(data, k, bad) for k in (*_CONSTANT_FIELDS, *_COLUMN_FIELDS)}
    if tool not in (None, "wide"):
        for key in ("wave", "municipality"):
            if key not in data:
                bad(key, "missing key" + (" (a constant such as \"2025\", or {column: ...})"
                                          if key == "wave" else
                                          " (the column holding the municipality code)"))

    known = {element_key(e): e for e in element_ids}
    default_answers = _answers(data.get("answers"), "answers", bad)
    questions: list[Question] = []
    raw_questions = data.get("questions")
    if raw_questions is None:
        if tool not in (None, "wide"):
            bad("questions", "missing key (element id -> question column)")
    elif not isinstance(raw_questions, dict) or not raw_questions:
        bad("questions", "must map element ids to question columns, e.g. `STR-01: Q1`")
    else:
        seen_elements: dict[str, str] = {}
        seen_columns: dict[tuple[str, int | None], str] = {}
        for raw_el, spec in raw_questions.items():
            q = _question(raw_el, spec, known, default_answers, bad)
            if q is None:
                continue
            if q.element_id in seen_elements:
                bad(f"questions.{raw_el}", f"element {q.element_id} is mapped twice "
                                           f"(also as {seen_elements[q.element_id]})")
                continue
            col = (text_key(q.column), q.occurrence)
            if col in seen_columns:
                bad(q.key, f"column {q.column!r} is already mapped to {seen_columns[col]}")
                continue
            seen_elements[q.element_id], seen_columns[col] = str(raw_el), q.element_id
            questions.append(q)
    if problems:
        raise MappingError(problems)
    return Mapping(name=name, tool=tool, timezone=timezone, questions=tuple(questions), path=path,
                   **fields)


# -------------------------------------------------------------------------------- parts


def _scalar(value: object) -> str:
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return "" if value is None else str(value).strip()


def _field(data: dict, key: str, bad, *, constant: bool | None = None,
           label: str | None = None) -> Field | None:
    """The field `key` of `data`; `label` is its full key for messages (questions.X.evidence)."""
    if key not in data:
        return None
    constant = key in _CONSTANT_FIELDS if constant is None else constant
    spec = data[key]
    label = label or key
    if isinstance(spec, dict):
        for k in spec:
            if str(k) not in _FIELD_KEYS:
                bad(f"{key}.{k}", f"unknown key (known keys: {', '.join(_FIELD_KEYS)})")
        column, value = spec.get("column"), spec.get("value")
        if (column is None) == (value is None):
            bad(key, "give exactly one of column: (a header of the export) or value: "
                     "(the same for every response)")
            return None
        answers = _translations(spec.get("answers"), f"{key}.answers", bad)
        occurrence = _occurrence(spec.get("occurrence"), f"{key}.occurrence", bad)
        column, value = (None if column is None else _scalar(column),
                         None if value is None else _scalar(value))
        if column == "" or value == "":
            bad(key, "is empty")
            return None
        return Field(column=column, value=value, answers=answers, key=label,
                     occurrence=occurrence)
    if isinstance(spec, list) or _scalar(spec) == "":
        bad(key, "must be a " + ("value such as \"2025\"" if constant else "column header")
                 + " or {column: ...} / {value: ...}")
        return None
    return (Field(value=_scalar(spec), key=label) if constant
            else Field(column=_scalar(spec), key=label))


def _occurrence(raw: object, key: str, bad) -> int | None:
    if raw is None:
        return None
    if isinstance(raw, bool) or not isinstance(raw, int) or raw < 1:
        bad(key, "must be a whole number from 1 (which of several columns with the same header)")
        return None
    return raw


def _translations(raw: object, key: str, bad) -> dict[str, str]:
    if raw is None:
        return {}
    if not isinstance(raw, dict):
        bad(key, "must map cell values to what they stand for, e.g. {A1: GM0363}")
        return {}
    return {text_key(k): _scalar(v) for k, v in raw.items()}


def _level(value: object) -> str | None:
    """'0'..'4', '' (don't know) or None (not a level)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float) and float(value).is_integer() and 0 <= value <= 4:
        return str(int(value))
    text = _scalar(value)
    if text in {"0", "1", "2", "3", "4"}:
        return text
    if text_key(text).replace("’", "'") in _DONT_KNOW_WORDS:
        return "" if text else None
    return None


def _answers(raw: object, key: str, bad) -> dict[str, str]:
    if raw is None:
        return {}
    if not isinstance(raw, dict) or not raw:
        bad(key, "must map answer options (codes or texts) to a level 0-4 or dont_know")
        return {}
    out: dict[str, str] = {}
    firsts: dict[str, object] = {}
    for option, level in raw.items():
        opt_key = text_key(_scalar(option))
        where = f"{key}.{option}"
        if not opt_key:
            bad(key, "an empty answer option (an empty cell means 'not answered')")
            continue
        parsed = _level(level)
        if parsed is None:
            bad(where, f"level {level!r} is not 0, 1, 2, 3, 4 or dont_know"
                       + (" (out of range)" if isinstance(level, int | float)
                          and not isinstance(level, bool) else ""))
            continue
        if opt_key in out and out[opt_key] != parsed:
            bad(where, f"the same option as {firsts[opt_key]!r} (case and spacing do not "
                       "count) with another level")
            continue
        out[opt_key] = parsed
        firsts.setdefault(opt_key, option)
    return out


def _question(raw_el: object, spec: object, known: dict[str, str], default_answers: dict,
              bad) -> Question | None:
    key = f"questions.{raw_el}"
    element = known.get(element_key(raw_el))
    if element is None:
        given = element_key(raw_el)
        block = sorted(e for e in known.values()
                       if "-" in given and e.split("-")[0] == given.split("-")[0])
        close = difflib.get_close_matches(given, sorted(known.values()), n=3)
        hint = (f"; block {block[0][:3]} has {', '.join(block)}" if block
                else f"; did you mean {' or '.join(close)}?" if close
                else " (element ids look like STR-01, see data/framework/elements/)")
        bad(key, f"unknown element id {raw_el!r}{hint}")
        return None
    if isinstance(spec, dict):
        for k in spec:
            if str(k) not in _QUESTION_KEYS:
                bad(f"{key}.{k}", f"unknown key (known keys: {', '.join(_QUESTION_KEYS)})")
        column = _scalar(spec.get("column"))
        occurrence = _occurrence(spec.get("occurrence"), f"{key}.occurrence", bad)
        own = _answers(spec.get("answers"), f"{key}.answers", bad)
        def sub_bad(k: str, problem: str) -> None:
            bad(f"{key}.{k}", problem)

        confidence = _field(spec, "confidence", sub_bad, constant=False,
                            label=f"{key}.confidence")
        evidence = _field(spec, "evidence", sub_bad, constant=False, label=f"{key}.evidence")
    elif isinstance(spec, list) or spec is None:
        column, occurrence, own, confidence, evidence = "", None, {}, None, None
    else:
        column, occurrence, own, confidence, evidence = _scalar(spec), None, {}, None, None
    if not column:
        bad(key, "no question column given (`STR-01: Q1` or `STR-01: {column: Q1}`)")
        return None
    return Question(element_id=element, column=column, occurrence=occurrence,
                    answers={**default_answers, **own}, confidence=confidence, evidence=evidence)


# -------------------------------------------------------------------------------- YAML


class _DuplicateKey(ValueError):
    pass


class _Loader(yaml.SafeLoader):
    """SafeLoader without YAML 1.1 booleans (an answer `Ja`/`Yes`/`No` stays text) that refuses
    a key given twice (PyYAML would silently keep the last)."""


_Loader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:bool"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def _construct_mapping(loader: _Loader, node: yaml.MappingNode, deep: bool = False) -> dict:
    seen: dict[object, int] = {}
    for key_node, _ in node.value:
        key = loader.construct_object(key_node, deep=True)
        try:
            first = seen.get(key)
        except TypeError:
            continue
        line = key_node.start_mark.line + 1
        if first is not None:
            raise _DuplicateKey(f"line {line}: key {key!r} appears twice in the same block "
                                f"(first on line {first})")
        seen[key] = line
    return loader.construct_mapping(node, deep=deep)


_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)
