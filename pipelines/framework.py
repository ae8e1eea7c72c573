"""Load and validate the DS4E framework: the one way to read `data/framework/`.

Every file is parsed into pydantic models; cross-file references (blocks, elements,
instruments, conditions, crosswalk categories) are checked after all files are read.
A problem raises `FrameworkError` whose message names the file, the entry and the problem,
so a content editor can fix a YAML file without reading Python.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import re
from collections.abc import Iterable, Mapping
from functools import cached_property
from pathlib import Path
from typing import Annotated, Literal

import yaml
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

DEFAULT_DIR = Path(__file__).resolve().parent.parent / "data" / "framework"
LANGS = ("nl", "en")
LEVELS = (0, 1, 2, 3, 4)
ELEMENT_ID = re.compile(r"^[A-Z]{3}-\d{2}$")
SEMVER = re.compile(r"^\d+\.\d+\.\d+$")


class FrameworkError(ValueError):
    """A framework file is broken; the message says where and why."""

    def __init__(self, file: str, entry: str, problem: str):
        self.file, self.entry, self.problem = file, entry, problem
        super().__init__(f"{file}: {entry}: {problem}")


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Text(Strict):
    """A text in both languages; neither may be empty."""

    nl: str
    en: str

    @field_validator("nl", "en")
    @classmethod
    def _not_blank(cls, v: str) -> str:
        if not v or not v.strip():
            raise ValueError("text is empty")
        return v.strip()

    def get(self, lang: str) -> str:
        return self.en if lang == "en" else self.nl


class ScaleLevel(Strict):
    level: Annotated[int, Field(ge=0, le=4)]
    label: Text
    meaning: Text


class Block(Strict):
    id: Annotated[str, Field(pattern=r"^[A-Z]{3}$")]
    name: Text
    description: Text


class Element(Strict):
    id: Annotated[str, Field(pattern=ELEMENT_ID.pattern)]
    block: str
    name: Text
    description: Text
    levels: dict[int, Text]
    evidence: Text
    steps: Annotated[list[Text], Field(min_length=3, max_length=6)]
    kickstart: list[str] = Field(default_factory=list)

    @field_validator("levels")
    @classmethod
    def _all_levels(cls, v: dict[int, Text]) -> dict[int, Text]:
        if sorted(v) != list(LEVELS):
            raise ValueError(f"levels must be exactly 0-4, got {sorted(v)}")
        return v


class Instrument(Strict):
    id: Annotated[str, Field(pattern=r"^[A-Z0-9_]+$")]
    name: str
    owner: str
    scope: Literal["EU", "NL", "BE", "INT"]
    kind: Literal["programme", "standard", "platform", "guidance", "network", "funding", "service"]
    helps_with: Text


class Condition(Strict):
    id: Annotated[str, Field(pattern=r"^[a-z0-9_]+$")]
    source: Literal["municipality", "member_state"]
    description: Text
    default: str


Confidence = Literal["verified", "check"]
CELEX = re.compile(r"^[0-9][0-9]{4}[A-Z]{1,2}[0-9]{4}$")


class Requirement(Strict):
    element: str
    min: Annotated[int, Field(ge=0, le=4)]
    deadline: dt.date | None = None
    deadline_ref: str | None = None
    applies_if: str | None = None
    status: Literal["required", "recommended", "target"] = "required"
    confidence: Confidence = "verified"
    note: str | None = None
    # where the requirement comes from, e.g. "note §2.10; Art. 5f(1)" (1.2.0)
    source: str | None = None
    # 1.3.0: the article (and paragraph) of the act that puts the duty on the municipality, e.g.
    # "Art. 6(1), Annex II"; required for a legal duty (status required, law binding on
    # municipalities), and for a recommendation the article it rests on where there is one
    legal_basis: str | None = None
    # 1.3.0: what of the element the law needs, where an element bundles duties of several laws
    # (GOV-03: each law's own contract clauses), so a reader sees why the level is asked
    needs: Text | None = None


class PendingChange(Strict):
    """A change to the law in the legislative pipeline (eu-legislation note §4)."""

    ref: Annotated[str, Field(min_length=1)]  # e.g. "COM(2025) 836"
    name: Annotated[str, Field(min_length=1)]
    status: Literal["proposed", "adopted"]
    date: dt.date | None = None  # of the latest step (proposal, adoption)
    effect: Annotated[str, Field(min_length=1)]
    source: str | None = None


class Enforcement(Strict):
    """How a law is enforced against a municipality that does not comply (framework README,
    "Enforcement"): 3 = a supervisory authority supervises the municipality itself and can order
    measures or fine it (the fines may depend on the member state); 2 = a designated body
    monitors or handles complaints and reports, without sanctions on the municipality; 1 = no
    enforcement aimed at the municipality (the member state answers for it)."""

    level: Annotated[int, Field(ge=1, le=3)]
    basis: Annotated[str, Field(min_length=1)]  # the articles, e.g. "Art. 32, 34"
    note: Text
    confidence: Confidence = "verified"


class Law(Strict):
    id: Annotated[str, Field(pattern=r"^[A-Z0-9_]+$")]
    # the short name the pages show: one for both languages (`short: NIS2`), or one per language
    # (1.4.1: `short: {nl: AVG, en: GDPR}`); `short` is then the Dutch one (what code that names
    # a law without a language shows, and the API's `short`), `short_name(lang)` the page's
    short: str
    short_names: Text | None = Field(default=None, exclude=True, repr=False)
    name: Text
    celex: list[Annotated[str, Field(pattern=CELEX.pattern)]]
    in_force: dt.date
    status: Literal["in_force", "adopted", "proposed"]
    binding_on_municipalities: bool = True
    recommended_if_out_of_scope: Annotated[int, Field(ge=0, le=4)] | None = None
    summary: Text
    requirements: Annotated[list[Requirement], Field(min_length=1)]
    # 1.2.0, all optional:
    # date the first obligations apply (for a directive: its transposition deadline)
    applies_from: dt.date | None = None
    # confidence of the law-level facts (in_force, applies_from, status)
    confidence: Confidence = "verified"
    # the section of shared/notes/eu-legislation.md the profile follows, e.g. "§1, §2.3, §3"
    source_note: str | None = None
    # applies only to municipalities with more inhabitants than this (drafts, what-if)
    population_above: Annotated[int, Field(ge=0)] | None = None
    pending_changes: list[PendingChange] = Field(default_factory=list)
    # 1.4.0: what happens to a municipality that does not comply (orders the roadmap's legal
    # urgency); required for a law binding on municipalities
    enforcement: Enforcement | None = None

    @model_validator(mode="before")
    @classmethod
    def _short_per_language(cls, data):
        """`short: {nl, en}` -> the Dutch name in `short`, both in `short_names`."""
        if not isinstance(data, Mapping):
            return data
        if "short_names" in data:
            raise ValueError("short_names is not a field of a law file: write short: {nl: ..., en: ...}")
        short = data.get("short")
        if not isinstance(short, Mapping):
            return data
        try:
            names = Text.model_validate(short)
        except ValidationError as err:
            raise ValueError(f"short: {_describe(err)}") from None
        return {**data, "short": names.nl, "short_names": names}

    def short_name(self, lang: str) -> str:
        """The short name in `lang` (AI Act / AI-verordening)."""
        return self.short if self.short_names is None else self.short_names.get(lang)

    def file_data(self, **dump) -> dict:
        """The law as its file writes it (`model_dump` with `dump`): `short` per language where
        the file gives one per language, so that the data validates back into the same law."""
        data = self.model_dump(**dump)
        if self.short_names is not None:
            data["short"] = self.short_names.model_dump()
        return data


# ------------------------------------------------------------ member-state flags (1.2.0)
# data/framework/member_states.yaml: per member state the discretion flags of the
# eu-legislation note (Appendix B, NIS2 scope from §3), each with its confidence and source.
# A country leaves out what it does not know; it then takes the `default` entry's flag.

Nis2Scope = Literal["all", "threshold", "none", "pending", "check"]
FinesPublic = Literal["yes", "no", "limited"]


class _Flag(Strict):
    confidence: Confidence
    source: Annotated[str, Field(min_length=1)]


class ScopeFlag(_Flag):
    value: Nis2Scope


class CountFlag(_Flag):
    value: Annotated[int, Field(ge=0)] | None


class DateFlag(_Flag):
    value: dt.date | None


class BoolFlag(_Flag):
    value: bool | None


class FinesFlag(_Flag):
    value: FinesPublic | None


class InspireFlag(_Flag):
    value: Literal["coordinated_or_required", "broader"] | None


class ListFlag(_Flag):
    value: list[str] | None


class TextFlag(_Flag):
    value: str | None


class FlagSet(Strict):
    name: Annotated[str, Field(min_length=1)]
    nis2_local_scope: ScopeFlag | None = None
    nis2_threshold: CountFlag | None = None  # inhabitants; more than this = in scope
    nis2_date: DateFlag | None = None  # the national law's effective date for municipalities
    nis2_act: TextFlag | None = None  # the national act and its status
    nis2_fines_public: FinesFlag | None = None
    gdpr_fines_public: FinesFlag | None = None
    ai_fines_public: FinesFlag | None = None
    wad_schools_excluded: BoolFlag | None = None
    inspire_lowest_level_rule: InspireFlag | None = None
    hvd_assigned_datasets: ListFlag | None = None
    sdg_oots_via_intermediary: BoolFlag | None = None
    eudi_wallet_date: DateFlag | None = None
    einvoicing_subcentral_postponed: BoolFlag | None = None
    eaa_micro_exemption: BoolFlag | None = None
    whistleblower_small_municipal_exempt: CountFlag | None = None  # inhabitants; fewer = exempt
    emfa_local_exempt_below: CountFlag | None = None  # inhabitants; fewer = exempt


FLAG_NAMES: tuple[str, ...] = tuple(f for f in FlagSet.model_fields if f != "name")
FlagValue = ScopeFlag | CountFlag | DateFlag | BoolFlag | FinesFlag | InspireFlag | ListFlag | TextFlag


class MemberState(FlagSet):
    code: Annotated[str, Field(pattern=r"^[A-Z]{2}$")]


class MemberStates(Strict):
    """The flags per member state, and the default for every country not listed."""

    default: FlagSet
    countries: dict[str, MemberState]

    def known(self, code: str) -> bool:
        return code in self.countries

    def flag(self, code: str, name: str) -> tuple[FlagValue, str]:
        """(flag, origin) for a country: origin "member_state" when the country sets it,
        "default" when it comes from the default entry (country not listed or flag left out)."""
        if name not in FLAG_NAMES:
            raise KeyError(f"unknown member-state flag {name!r}")
        entry = self.countries.get(code)
        own = getattr(entry, name) if entry is not None else None
        if own is not None:
            return own, "member_state"
        return getattr(self.default, name), "default"

    def value(self, code: str, name: str):
        return self.flag(code, name)[0].value

    def flags(self, code: str) -> dict[str, tuple[FlagValue, str]]:
        return {n: self.flag(code, n) for n in FLAG_NAMES}


class Category(Strict):
    id: str
    name: Text


class ExternalFramework(Strict):
    id: Annotated[str, Field(pattern=r"^[a-z0-9_]+$")]
    name: Text
    source: str
    categories: Annotated[list[Category], Field(min_length=1)]


class Enabling(Strict):
    enabler: str
    enabled: str
    weight: Annotated[int, Field(ge=1, le=3)]
    rationale: Text
    # 1.4.0: a prerequisite, not only a help: the enabler must be at this level (or at its own
    # target, if lower) before the roadmap takes `enabled` further. Only on weight 2-3 cells.
    gate: Annotated[int, Field(ge=1, le=3)] | None = None


class Framework(Strict):
    version: str
    released: dt.date
    name: Text
    scale: list[ScaleLevel]
    blocks: list[Block]
    elements: list[Element]
    instruments: list[Instrument]
    conditions: list[Condition]
    matrix: list[Enabling]
    crosswalk_frameworks: list[ExternalFramework]
    crosswalk: dict[str, dict[str, list[str]]]  # element id -> framework id -> category ids
    laws: list[Law]
    changelog: str
    checksum: str
    # 1.2.0: adjacent instruments (laws/adjacent/*.yaml), kept apart from the 17 laws of the
    # note so that `laws` (and the roadmap, which reads it) stays the note's core list
    adjacent: list[Law] = Field(default_factory=list)
    member_states: MemberStates | None = None

    @cached_property
    def all_laws(self) -> list[Law]:
        """The 17 laws and the adjacent instruments, in that order."""
        return [*self.laws, *self.adjacent]

    @cached_property
    def law_by_id(self) -> dict[str, Law]:
        return {law.id: law for law in self.all_laws}

    @cached_property
    def element_ids(self) -> list[str]:
        return [e.id for e in self.elements]

    @cached_property
    def element_by_id(self) -> dict[str, Element]:
        return {e.id: e for e in self.elements}

    @cached_property
    def block_by_id(self) -> dict[str, Block]:
        return {b.id: b for b in self.blocks}

    @cached_property
    def instrument_by_id(self) -> dict[str, Instrument]:
        return {i.id: i for i in self.instruments}

    def elements_of(self, block_id: str) -> list[Element]:
        return [e for e in self.elements if e.block == block_id]

    def enablers_of(self, element_id: str) -> list[Enabling]:
        """Cells whose column is this element: what helps build it, strongest first."""
        return sorted((m for m in self.matrix if m.enabled == element_id),
                      key=lambda m: (-m.weight, m.enabler))

    def dependants_of(self, element_id: str) -> list[Enabling]:
        """Cells whose row is this element: what it helps build, strongest first."""
        return sorted((m for m in self.matrix if m.enabler == element_id),
                      key=lambda m: (-m.weight, m.enabled))

    def laws_requiring(self, element_id: str) -> list[tuple[Law, Requirement]]:
        return [(law, r) for law in self.laws for r in law.requirements if r.element == element_id]

    def gate_array(self) -> list[list[int]]:
        """Dense E×E gate levels in `element_ids` order (0 = no gate): row gates column."""
        idx = {e: i for i, e in enumerate(self.element_ids)}
        grid = [[0] * len(idx) for _ in idx]
        for m in self.matrix:
            if m.gate:
                grid[idx[m.enabler]][idx[m.enabled]] = m.gate
        return grid

    def matrix_array(self) -> list[list[int]]:
        """Dense E×E weights in `element_ids` order: row enables column."""
        idx = {e: i for i, e in enumerate(self.element_ids)}
        grid = [[0] * len(idx) for _ in idx]
        for m in self.matrix:
            grid[idx[m.enabler]][idx[m.enabled]] = m.weight
        return grid


# ---------------------------------------------------------------- reading files


def _read_yaml(path: Path, root: Path) -> object:
    rel = _rel(path, root)
    if not path.exists():
        raise FrameworkError(rel, "file", "is missing")
    try:
        return yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}" if mark else "file"
        raise FrameworkError(rel, where, f"is not valid YAML ({getattr(exc, 'problem', exc)})") from exc


def _rel(path: Path, root: Path) -> str:
    try:
        return str(path.relative_to(root.parent.parent))
    except ValueError:
        return str(path)


def _describe(err: ValidationError) -> str:
    parts = []
    for e in err.errors():
        loc = ".".join(str(x) for x in e["loc"])
        msg = e["msg"]
        if e["type"] == "missing":
            msg = "is missing"
        elif e["type"] == "extra_forbidden":
            msg = "is not a known field"
        parts.append(f"{loc} {msg}" if loc else msg)
    return "; ".join(parts)


def _entries(data: object, key: str, rel: str) -> list[dict]:
    if not isinstance(data, dict) or not isinstance(data.get(key), list):
        raise FrameworkError(rel, "file", f"must hold a list under '{key}:'")
    return data[key]


def _parse(model: type[BaseModel], raw: object, rel: str, label: str):
    if not isinstance(raw, dict):
        raise FrameworkError(rel, label, "must be a mapping of fields")
    try:
        return model.model_validate(raw)
    except ValidationError as err:
        raise FrameworkError(rel, label, _describe(err)) from err


def _label(raw: object, i: int, kind: str) -> str:
    rid = raw.get("id") if isinstance(raw, dict) else None
    return f"{kind} {rid}" if rid else f"{kind} #{i + 1}"


def _unique(ids: Iterable[str], rel: str, kind: str) -> None:
    seen: set[str] = set()
    for x in ids:
        if x in seen:
            raise FrameworkError(rel, f"{kind} {x}", "id is used more than once")
        seen.add(x)


def _read_matrix(path: Path, root: Path) -> list[Enabling]:
    rel = _rel(path, root)
    if not path.exists():
        raise FrameworkError(rel, "file", "is missing")
    cells = []
    with path.open(encoding="utf-8", newline="") as fh:
        reader = csv.DictReader(fh)
        need = {"enabler", "enabled", "weight", "rationale_nl", "rationale_en"}
        missing = need - set(reader.fieldnames or [])
        if missing:
            raise FrameworkError(rel, "header", f"missing column(s) {', '.join(sorted(missing))}")
        for row_no, row in enumerate(reader, start=2):
            label = f"row {row_no} ({row.get('enabler')} -> {row.get('enabled')})"
            try:
                weight = int(row["weight"])
            except (TypeError, ValueError):
                raise FrameworkError(
                    rel, label, f"weight {row['weight']!r} is not a whole number 1-3") from None
            if weight == 0:
                continue  # a zero cell is the same as no row
            raw = {"enabler": row["enabler"], "enabled": row["enabled"], "weight": weight,
                   "rationale": {"nl": row["rationale_nl"] or "", "en": row["rationale_en"] or ""}}
            gate = (row.get("gate") or "").strip()
            if gate:
                if not gate.isdigit():
                    raise FrameworkError(rel, label, f"gate {gate!r} is not a level 1-3")
                if weight < 2:
                    raise FrameworkError(rel, label, "a gate (prerequisite) needs weight 2 or 3")
                raw["gate"] = int(gate)
            cells.append(_parse(Enabling, raw, rel, label))
    return cells


def _check_gates(matrix: list[Enabling], rel: str) -> None:
    """Gates may not form a cycle: a roadmap could then never start any of its elements."""
    nxt: dict[str, list[str]] = {}
    for m in matrix:
        if m.gate:
            nxt.setdefault(m.enabler, []).append(m.enabled)
    state: dict[str, int] = {}  # 1 = on the current path, 2 = done

    def visit(node: str, path: list[str]) -> None:
        state[node] = 1
        for other in sorted(nxt.get(node, [])):
            if state.get(other) == 1:
                cycle = " -> ".join([*path[path.index(other):], other])
                raise FrameworkError(rel, f"gate {node} -> {other}", f"gates form a cycle: {cycle}")
            if other not in state:
                visit(other, [*path, other])
        state[node] = 2

    for start in sorted(nxt):
        if start not in state:
            visit(start, [start])


def load_framework(root: Path | str | None = None) -> Framework:
    """Read every framework file under `root`, validate it, return the Framework."""
    root = Path(root) if root else DEFAULT_DIR
    head_path = root / "framework.yaml"
    head = _read_yaml(head_path, root)
    rel = _rel(head_path, root)
    if not isinstance(head, dict):
        raise FrameworkError(rel, "file", "must be a mapping")
    version = str(head.get("version", ""))
    if not SEMVER.match(version):
        raise FrameworkError(rel, "version", f"{version!r} is not a semantic version like 1.2.0")
    name = _parse(Text, head.get("name"), rel, "name")
    scale = [_parse(ScaleLevel, s, rel, f"scale level #{i + 1}")
             for i, s in enumerate(_entries(head, "scale", rel))]
    if [s.level for s in scale] != list(LEVELS):
        raise FrameworkError(rel, "scale", "must define levels 0, 1, 2, 3, 4 in order")
    blocks = [_parse(Block, b, rel, _label(b, i, "block"))
              for i, b in enumerate(_entries(head, "blocks", rel))]
    _unique((b.id for b in blocks), rel, "block")
    block_ids = {b.id for b in blocks}

    elements: list[Element] = []
    for block in blocks:
        path = root / "elements" / f"{block.id}.yaml"
        erel = _rel(path, root)
        for i, raw in enumerate(_entries(_read_yaml(path, root), "elements", erel)):
            el = _parse(Element, raw, erel, _label(raw, i, "element"))
            if el.block != block.id:
                raise FrameworkError(erel, f"element {el.id}",
                                     f"block is {el.block!r} but the file is for block {block.id}")
            if not el.id.startswith(block.id + "-"):
                raise FrameworkError(erel, f"element {el.id}", f"id must start with {block.id}-")
            elements.append(el)
    extra = sorted(p.stem for p in (root / "elements").glob("*.yaml") if p.stem not in block_ids)
    if extra:
        raise FrameworkError(_rel(root / "elements", root), f"{extra[0]}.yaml",
                             "has no matching block in framework.yaml")
    _unique((e.id for e in elements), "data/framework/elements", "element")
    element_ids = {e.id for e in elements}

    ipath = root / "instruments.yaml"
    irel = _rel(ipath, root)
    instruments = [_parse(Instrument, r, irel, _label(r, i, "instrument"))
                   for i, r in enumerate(_entries(_read_yaml(ipath, root), "instruments", irel))]
    _unique((i.id for i in instruments), irel, "instrument")
    instrument_ids = {i.id for i in instruments}
    for el in elements:
        for ref in el.kickstart:
            if ref not in instrument_ids:
                raise FrameworkError(f"data/framework/elements/{el.block}.yaml", f"element {el.id}",
                                     f"kickstart refers to unknown instrument {ref!r}")

    cpath = root / "conditions.yaml"
    crel = _rel(cpath, root)
    conditions = [_parse(Condition, r, crel, _label(r, i, "condition"))
                  for i, r in enumerate(_entries(_read_yaml(cpath, root), "conditions", crel))]
    _unique((c.id for c in conditions), crel, "condition")
    condition_ids = {c.id for c in conditions}

    mpath = root / "matrix.csv"
    mrel = _rel(mpath, root)
    matrix = _read_matrix(mpath, root)
    seen_pairs: set[tuple[str, str]] = set()
    for m in matrix:
        label = f"{m.enabler} -> {m.enabled}"
        for ref in (m.enabler, m.enabled):
            if ref not in element_ids:
                raise FrameworkError(mrel, label, f"unknown element {ref!r}")
        if m.enabler == m.enabled:
            raise FrameworkError(mrel, label, "an element cannot enable itself")
        if (m.enabler, m.enabled) in seen_pairs:
            raise FrameworkError(mrel, label, "this pair appears more than once")
        seen_pairs.add((m.enabler, m.enabled))
    _check_gates(matrix, mrel)

    xpath = root / "crosswalk.yaml"
    xrel = _rel(xpath, root)
    xdata = _read_yaml(xpath, root)
    frameworks = [_parse(ExternalFramework, r, xrel, _label(r, i, "framework"))
                  for i, r in enumerate(_entries(xdata, "frameworks", xrel))]
    _unique((f.id for f in frameworks), xrel, "framework")
    categories = {f.id: {c.id for c in f.categories} for f in frameworks}
    mapping = xdata.get("mapping") if isinstance(xdata, dict) else None
    if not isinstance(mapping, dict):
        raise FrameworkError(xrel, "mapping", "must map element ids to framework categories")
    crosswalk: dict[str, dict[str, list[str]]] = {}
    for el_id, links in mapping.items():
        if el_id not in element_ids:
            raise FrameworkError(xrel, f"mapping {el_id}", "unknown element")
        if not isinstance(links, dict):
            raise FrameworkError(xrel, f"mapping {el_id}", "must map framework ids to category lists")
        crosswalk[el_id] = {}
        for fw_id, cats in links.items():
            if fw_id not in categories:
                raise FrameworkError(xrel, f"mapping {el_id}", f"unknown framework {fw_id!r}")
            cats = [cats] if isinstance(cats, str) else list(cats or [])
            for c in cats:
                if c not in categories[fw_id]:
                    raise FrameworkError(xrel, f"mapping {el_id}",
                                         f"unknown {fw_id} category {c!r}")
            crosswalk[el_id][fw_id] = cats
    unmapped = sorted(element_ids - set(crosswalk))
    if unmapped:
        raise FrameworkError(xrel, f"mapping {unmapped[0]}", "element has no crosswalk entry")

    def read_laws(folder: Path) -> list[Law]:
        out: list[Law] = []
        for path in sorted(folder.glob("*.yaml")):
            lrel = _rel(path, root)
            raw = _read_yaml(path, root)
            law = _parse(Law, raw, lrel, _label(raw, 0, "law"))
            if law.id != path.stem:
                raise FrameworkError(lrel, f"law {law.id}", f"id must match the file name ({path.stem})")
            check_law(law, lrel, element_ids, condition_ids)
            out.append(law)
        return out

    laws = read_laws(root / "laws")
    adjacent = read_laws(root / "laws" / "adjacent")
    _unique((law.id for law in [*laws, *adjacent]), "data/framework/laws", "law")

    member_states = read_member_states(root / "member_states.yaml", root)

    changelog_path = root / "CHANGELOG.md"
    if not changelog_path.exists():
        raise FrameworkError(_rel(changelog_path, root), "file", "is missing")
    changelog = changelog_path.read_text(encoding="utf-8")
    if f"## {version}" not in changelog:
        raise FrameworkError(_rel(changelog_path, root), f"version {version}",
                             "has no '## <version>' entry in the changelog")

    return Framework(
        version=version, released=head.get("released"), name=name, scale=scale, blocks=blocks,
        elements=elements, instruments=instruments, conditions=conditions, matrix=matrix,
        crosswalk_frameworks=frameworks, crosswalk=crosswalk, laws=laws, changelog=changelog,
        checksum=_checksum(root), adjacent=adjacent, member_states=member_states,
    )


# the cross-reference problems of a law profile: code -> the English text (with the values);
# a screen in another language says them by the code (the Legislation tab's draft editor)
LAW_PROBLEM_TEXTS = {
    "unknown_element": "unknown element {value!r}",
    "unknown_condition": "unknown condition {value!r}",
    "deadline_one_of": "needs exactly one of deadline or deadline_ref",
    "unknown_deadline_ref": "unknown deadline_ref {value!r}",
    "fallback_needs_condition": "needs a requirement with applies_if (it says what to recommend "
                                "where that is false)",
}


def law_problem_codes(law: Law, element_ids: Iterable[str], condition_ids: Iterable[str]
                      ) -> list[tuple[int | None, str, str, dict]]:
    """The cross-reference rules every law profile obeys (law files and composed drafts):
    (requirement index or None for the law, field path, code of LAW_PROBLEM_TEXTS, its values)
    per broken rule."""
    element_ids, condition_ids = set(element_ids), set(condition_ids)
    out: list[tuple[int | None, str, str, dict]] = []
    for i, r in enumerate(law.requirements):
        at = f"requirements.{i}"
        if r.element not in element_ids:
            out.append((i, f"{at}.element", "unknown_element", {"value": r.element}))
        if r.applies_if and r.applies_if not in condition_ids:
            out.append((i, f"{at}.applies_if", "unknown_condition", {"value": r.applies_if}))
        if (r.deadline is None) == (r.deadline_ref is None):
            out.append((i, f"{at}.deadline", "deadline_one_of", {}))
        if r.deadline_ref and r.deadline_ref not in condition_ids:
            out.append((i, f"{at}.deadline_ref", "unknown_deadline_ref", {"value": r.deadline_ref}))
    if law.recommended_if_out_of_scope is not None and not any(r.applies_if for r in law.requirements):
        out.append((None, "recommended_if_out_of_scope", "fallback_needs_condition", {}))
    return out


def law_problems(law: Law, element_ids: Iterable[str], condition_ids: Iterable[str]
                 ) -> list[tuple[int | None, str, str]]:
    """`law_problem_codes` in words: (requirement index or None, field path, problem)."""
    return [(i, field, LAW_PROBLEM_TEXTS[code].format(**values))
            for i, field, code, values in law_problem_codes(law, element_ids, condition_ids)]


# Elements that bundle the duties of several laws: a requirement on them says what it needs.
BUNDLED_ELEMENTS = frozenset({"GOV-03"})
MAX_DUTY_LEVEL = 3  # a legal minimum must be reachable at level 3 or below (level 4 = optimised)


def is_legal_duty(law: Law, r: Requirement) -> bool:
    """Rule 1 of the framework README: a legal duty is a `required` requirement of a law that
    binds municipalities; everything else (recommended, target, non-binding law) is ambition."""
    return r.status == "required" and law.binding_on_municipalities


def duty_problems(law: Law) -> list[tuple[int | None, str, str]]:
    """The rules of a law file's legal duties (framework README, "Legal duties"): a duty names
    its article, asks no more than level 3, and on a bundled element says what it needs."""
    out: list[tuple[int | None, str, str]] = []
    for i, r in enumerate(law.requirements):
        at = f"requirements.{i}"
        duty = is_legal_duty(law, r)
        if duty and not (r.legal_basis or "").strip():
            out.append((i, f"{at}.legal_basis", "a legal duty needs its legal basis (article)"))
        if duty and r.min > MAX_DUTY_LEVEL:
            out.append((i, f"{at}.min", f"a legal duty at level {r.min}: the minimum must be "
                        f"reachable at level {MAX_DUTY_LEVEL} or below (change the descriptors)"))
        if r.element in BUNDLED_ELEMENTS and r.needs is None:
            out.append((i, f"{at}.needs", f"{r.element} bundles several laws' duties: say what "
                        "this law needs of it"))
    if law.binding_on_municipalities and law.enforcement is None and any(
            is_legal_duty(law, r) for r in law.requirements):
        out.append((None, "enforcement", "is missing: a law with legal duties says how it is "
                    "enforced (level 1-3, basis, note)"))
    return out


def check_law(law: Law, rel: str, element_ids: Iterable[str], condition_ids: Iterable[str]) -> None:
    """Raise FrameworkError on the first broken rule (see `law_problems`, `duty_problems`)."""
    for i, field, problem in [*law_problems(law, element_ids, condition_ids), *duty_problems(law)]:
        if i is None:
            raise FrameworkError(rel, f"law {law.id}", f"{field} {problem}")
        raise FrameworkError(rel, f"law {law.id} requirement #{i + 1} ({law.requirements[i].element})",
                             f"{field}: {problem}")


def read_member_states(path: Path, root: Path) -> MemberStates:
    """member_states.yaml: a `default` entry that sets every flag, and `member_states`, a list
    of countries (2-letter code) that set what the note says about them."""
    rel = _rel(path, root)
    data = _read_yaml(path, root)
    if not isinstance(data, dict):
        raise FrameworkError(rel, "file", "must be a mapping with 'default:' and 'member_states:'")
    unknown = sorted(set(data) - {"default", "member_states"})
    if unknown:
        raise FrameworkError(rel, unknown[0], "is not a known section (use default, member_states)")
    default = _parse(FlagSet, data.get("default"), rel, "default")
    unset = [f for f in FLAG_NAMES if getattr(default, f) is None]
    if unset:
        raise FrameworkError(rel, "default", f"must set every flag; missing {', '.join(unset)}")
    countries = [_parse(MemberState, r, rel, _label_code(r, i))
                 for i, r in enumerate(_entries(data, "member_states", rel))]
    _unique((c.code for c in countries), rel, "member state")
    states = MemberStates(default=default, countries={c.code: c for c in countries})
    for code in [None, *states.countries]:
        label = f"member state {code}" if code else "default"
        scope = states.value(code, "nis2_local_scope") if code else default.nis2_local_scope.value
        threshold = states.value(code, "nis2_threshold") if code else default.nis2_threshold.value
        if scope == "threshold" and threshold is None:
            raise FrameworkError(rel, label, "nis2_local_scope is threshold but nis2_threshold is null")
    return states


def _label_code(raw: object, i: int) -> str:
    code = raw.get("code") if isinstance(raw, dict) else None
    return f"member state {code}" if code else f"member state #{i + 1}"


def _checksum(root: Path) -> str:
    """Content hash of every framework file, so results can say exactly which content they used."""
    h = hashlib.sha256()
    for p in sorted(root.rglob("*")):
        if p.is_file() and p.suffix in {".yaml", ".csv", ".md"}:
            h.update(p.relative_to(root).as_posix().encode())
            h.update(p.read_bytes())
    return h.hexdigest()[:16]
