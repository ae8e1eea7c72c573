"""The mapping file: which question of a survey-tool export is which element, at which level.

A small YAML file (documented with an example per tool in data/survey_mappings/README.md):

    tool: limesurvey
    wave: "2025"                        # a constant, or {column: RONDE}
    municipality: GEMEENTE              # the column with a GISCO id / GM code / national code
    country: NL                         # optional: a constant, or {column: LAND}
    answers: {A0: 0, A1: 1, ..., DK: dont_know, "Weet niet": dont_know}
    blocks:                             # a block's elements by a column pattern
      SEC: "SEC[SQ{n:03d}]"             # SEC-01 -> SEC[SQ001], SEC-02 -> SEC[SQ002], ...
    questions:
      STR-01: STR01                     # element id -> question column
      SEC-02: {column: "SEC[SQ002]", confidence: ZEKER, answers: {A5: 4}}

Explicit `questions:` win over `blocks:`, and both over headers that start with an element id
("STR-01: Hoe ...", "[STR-01] ...", "STR01 ..."), which `detect_questions` maps when the
export is read (`questions: auto` when the headers are all the mapping needs).

`load_mapping` checks the whole file before any data is read and raises one MappingError
listing every problem as `<file>: <key>: <problem>`.
"""

from __future__ import annotations

import difflib
import re
import string
import zoneinfo
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
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
             "blocks", "questions")
_QUESTION_KEYS = ("column", "occurrence", "answers", "confidence", "evidence")
_FIELD_KEYS = ("column", "value", "answers", "occurrence")
_BLOCK_KEYS = ("column", "answers", "confidence", "evidence")
ALL_BLOCKS = "*"  # blocks: {"*": "{block}[SQ{n:03d}]"}: every block by one pattern
# The placeholders of a block pattern, for an element such as SEC-02 (the 2nd of block SEC):
PATTERN_FIELDS = {"n": "its position in the block, 1, 2, ... ({n:03d} gives 001, 002)",
                  "id": "the element id (SEC-02)", "block": "the block (SEC)",
                  "num": "the element's number as in its id (02)"}
AUTO = "auto"  # questions: auto  -- every question header starts with its element id


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
    source: str = ""  # where the mapping names it when not questions.<id>: "blocks.SEC", ...
    optional: bool = False  # from a block pattern: a column the export lacks is left out

    @property
    def key(self) -> str:
        return self.source or f"questions.{self.element_id}"


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
    answers: dict[str, str] = field(default_factory=dict)  # the shared scale (text_key -> level)


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

    element_ids = list(element_ids)
    known = {element_key(e): e for e in element_ids}
    default_answers = _answers(data.get("answers"), "answers", bad)
    questions: list[Question] = []
    raw_questions = data.get("questions")
    if raw_questions is None:
        if tool not in (None, "wide") and "blocks" not in data:
            bad("questions", "missing key (element id -> question column; or blocks: with a "
                             "column pattern per block; or `questions: auto` when every "
                             "question header starts with its element id)")
    elif isinstance(raw_questions, str) and text_key(raw_questions) == AUTO:
        pass  # the headers say it (detect_questions)
    elif not isinstance(raw_questions, dict) or not raw_questions:
        bad("questions", "must map element ids to question columns, e.g. `STR-01: Q1` (or be "
                         "`auto`)")
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
    explicit = {q.element_id for q in questions}
    taken = {(text_key(q.column), q.occurrence): q for q in questions}
    for q in _blocks(data.get("blocks"), element_ids, default_answers, bad):
        if q.element_id in explicit:
            continue  # questions: wins over a block pattern
        other = taken.get((text_key(q.column), q.occurrence))
        if other is not None:
            bad(q.source, f"column {q.column!r} (for {q.element_id}) is already mapped to "
                          f"{other.element_id} ({other.key})")
            continue
        taken[(text_key(q.column), q.occurrence)] = q
        questions.append(q)
    if problems:
        raise MappingError(problems)
    return Mapping(name=name, tool=tool, timezone=timezone, questions=tuple(questions), path=path,
                   answers=default_answers, **fields)


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


# -------------------------------------------------------------------------------- shorthand


def _blocks(raw: object, element_ids: list[str], default_answers: dict, bad) -> list[Question]:
    """The questions `blocks:` names: one per element of each block, by a column pattern."""
    if raw is None:
        return []
    by_block: dict[str, list[str]] = {}
    for e in sorted(set(element_ids)):  # within a block: STR-01, STR-02, ... (element order)
        by_block.setdefault(e.split("-")[0], []).append(e)
    if not isinstance(raw, dict) or not raw:
        bad("blocks", 'must map blocks to column patterns, e.g. `SEC: "SEC[SQ{n:03d}]"`')
        return []
    out: list[Question] = []
    patterns: dict[str, tuple[str, dict, dict]] = {}  # block -> (key, spec, own answers)
    for raw_block, spec in raw.items():
        block = str(raw_block).strip().upper()
        key = f"blocks.{raw_block}"
        if block != ALL_BLOCKS and block not in by_block:
            close = difflib.get_close_matches(block, list(by_block), n=1)
            hint = f"did you mean {close[0]}? " if close else ""
            bad(key, f"unknown block {raw_block!r} ({hint}blocks: {', '.join(by_block)}, or "
                     f"{ALL_BLOCKS!r} for all)")
            continue
        if isinstance(spec, dict):
            for k in spec:
                if str(k) not in _BLOCK_KEYS:
                    bad(f"{key}.{k}", f"unknown key (known keys: {', '.join(_BLOCK_KEYS)})")
            column, own = spec.get("column"), _answers(spec.get("answers"), f"{key}.answers", bad)
        else:
            column, own, spec = spec, {}, {}
        if not isinstance(column, str) or not column.strip():
            bad(key, 'needs a column pattern, e.g. "SEC[SQ{n:03d}]" or {column: ...}')
            continue
        ok = _check_pattern(column, key, bad)
        for part in ("confidence", "evidence"):
            if isinstance(spec.get(part), str):
                ok = _check_pattern(spec[part], f"{key}.{part}", bad, needs_element=False) and ok
            elif spec.get(part) is not None:
                bad(f"{key}.{part}", "must be a column pattern (text)")
                ok = False
        if ok:
            patterns[block] = (key, {**spec, "column": column}, own)
    every = patterns.pop(ALL_BLOCKS, None)
    for block, elements in by_block.items():
        key, spec, own = patterns.get(block, every or (None, None, None))
        if key is None:
            continue
        for n, element in enumerate(elements, start=1):
            values = {"n": n, "id": element, "block": block, "num": element.split("-", 1)[-1]}
            extra = {part: Field(column=spec[part].format(**values), key=f"{key}.{part}")
                     for part in ("confidence", "evidence") if spec.get(part)}
            out.append(Question(element_id=element, column=spec["column"].format(**values),
                                answers={**default_answers, **own}, source=key,
                                optional=True, **extra))
    return out


def _check_pattern(pattern: str, key: str, bad, needs_element: bool = True) -> bool:
    """A str.format pattern with only PATTERN_FIELDS, that gives a column for every element."""
    try:
        parts = list(string.Formatter().parse(pattern))
    except ValueError as exc:
        bad(key, f"bad pattern {pattern!r} ({exc}; write a literal brace as {{{{ or }}}})")
        return False
    names = [f for _, f, _, _ in parts if f is not None]
    unknown = [f for f in names if f not in PATTERN_FIELDS]
    if unknown:
        bad(key, f"bad pattern {pattern!r}: unknown placeholder {{{unknown[0]}}} (known: "
                 + "; ".join(f"{{{k}}} {v}" for k, v in PATTERN_FIELDS.items()) + ")")
        return False
    if needs_element and not {"n", "id", "num"} & set(names):
        bad(key, f"bad pattern {pattern!r}: it names one column for every element of the "
                 "block; use {n} (position in the block), {num} or {id}")
        return False
    try:
        pattern.format(n=1, id="STR-01", block="STR", num="01")
    except (ValueError, IndexError, KeyError) as exc:
        bad(key, f"bad pattern {pattern!r} ({exc})")
        return False
    return True


# "STR-01: Hoe ...", "STR-01 – ...", "[STR-01] ...", "(STR-01) ...", "STR01 ...", "str_01. ..."
# but not "STR01[comment]" or "STR01_other" (a tool's extra column of that question)
_HEADER_ID = re.compile(r"^[\[(]?\s*([A-Za-z]{3})[\s_.\-]?([0-9]{2})\s*[\])]?(?=$|[\s:.,;\-)\]])")


def header_element(header: str, element_ids: set[str]) -> str | None:
    """The element id a header starts with ("STR-01: Hoe volwassen ..." -> STR-01), or None."""
    text = text_key(header)
    m = _HEADER_ID.match(text) or _HEADER_ID.match(text.rsplit("/", 1)[-1])  # Kobo: grp/str01
    if m is None:
        return None
    element = f"{m.group(1).upper()}-{m.group(2)}"
    return element if element in element_ids else None


def detect_questions(mapping: Mapping, headers: list[str], element_ids: set[str]
                     ) -> tuple[Mapping, list[tuple[str, str]]]:
    """The mapping plus a question for every header that starts with an element id the
    mapping does not name (explicit questions and block patterns win); headers the mapping
    uses for something else are not looked at. Returns (mapping, [(header, problem)]): an
    element found at the start of two headers is a problem naming both."""
    mapped = {q.element_id for q in mapping.questions}
    used = {text_key(f.column) for f in _fields(mapping) if f.column}
    found: dict[str, list[tuple[int, str]]] = {}
    for pos, header in enumerate(headers):
        if text_key(header) in used:
            continue
        element = header_element(header, element_ids)
        if element is not None and element not in mapped:
            found.setdefault(element, []).append((pos, header))
    if not found:
        return mapping, []
    problems: list[tuple[str, str]] = []
    added: list[Question] = []
    keys = [text_key(h) for h in headers]
    for element in (e for e in sorted(element_ids) if e in found):
        hits = found[element]
        if len(hits) > 1:
            listed = " and ".join(repr(h) for _, h in hits[:3])
            problems.append((hits[1][1], f"element {element} is named at the start of "
                                         f"{len(hits)} headers ({listed}); say which one in "
                                         f"the mapping's questions: ({element}: ...)"))
            continue
        pos, header = hits[0]
        same = [i for i, k in enumerate(keys) if k == keys[pos]]
        added.append(Question(element_id=element, column=header,
                              occurrence=same.index(pos) + 1 if len(same) > 1 else None,
                              answers=dict(mapping.answers),
                              source=f"the header starting with {element}"))
    order = {e: i for i, e in enumerate(sorted(element_ids))}
    added.sort(key=lambda q: order[q.element_id])
    return replace(mapping, questions=(*mapping.questions, *added)), problems


def _fields(mapping: Mapping) -> list[Field]:
    """Every Field of the mapping (top level and per question)."""
    out = [getattr(mapping, k) for k in (*_CONSTANT_FIELDS, *_COLUMN_FIELDS)]
    for q in mapping.questions:
        out += [q.confidence, q.evidence, Field(column=q.column)]
    return [f for f in out if f is not None]


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
