"""The request parameters of every API operation, declared once as pydantic models.

The same declaration validates a request (`parse_query`) and describes it in the OpenAPI
document (dashboard/openapi.py), so the two cannot drift. Some allowed values depend on the
published build or the reference data (waves, countries, NUTS 2 regions, laws, elements): a
field names its source (`DynamicEnum`), the validator checks the value against the build's
values (pydantic's validation context, `Enums`) and the document lists the same values.

Being lenient where a person types (case, spaces around a value, GR for EL) is kept; the
document lists the canonical values. An empty value (`country=`) is not "absent": it is
rejected like any value that is not allowed, so a request means what it says.

Longer than ~400 lines on purpose: every operation's parameters in one place, next to the shared
validators they use, as the OpenAPI document lists them.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    TypeAdapter,
    ValidationError,
    ValidationInfo,
    field_validator,
)

from dashboard.api_core import NOT_PUBLISHED, ApiError, bad_parameter
from dashboard.views.roadmap import data as rd
from pipelines.maturity import funding as fe
from pipelines.maturity.roadmap import COMPONENTS, DEFAULT_WEIGHTS
from pipelines.reference import COUNTRY_ALIASES, SIZE_CLASS_KEYS

MAX_HORIZON = 3650
MAX_WEIGHT = 1000.0
EXPLODE = "x-ds4e-explode"  # a list parameter written comma-separated (style form, explode false)
ENUM = "x-ds4e-enum"  # the name of a DynamicEnum source, replaced by its values in the document


@dataclass(frozen=True)
class Enums:
    """The allowed values that depend on the data: the validation context of every query."""

    countries: tuple[str, ...] = ()
    nuts2: tuple[str, ...] = ()
    waves: tuple[str, ...] = ()
    laws: tuple[str, ...] = ()
    elements: tuple[str, ...] = ()
    measures: tuple[str, ...] = ()  # element and block ids
    bool_conditions: tuple[str, ...] = ()  # a requirement's applies_if
    date_conditions: tuple[str, ...] = ()  # a requirement's deadline_ref
    _sets: dict = field(default_factory=dict, compare=False, repr=False)

    def allowed(self, source: str) -> tuple[str, ...]:
        return getattr(self, source)

    def contains(self, source: str, value: str) -> bool:
        s = self._sets.get(source)
        if s is None:
            s = self._sets[source] = frozenset(self.allowed(source))
        return value in s


def _normalise(source: str, value: str) -> str:
    v = value.strip().upper()
    return COUNTRY_ALIASES.get(v, v) if source == "countries" else v


def _one_of(source: str, value: str, info: ValidationInfo, name: str) -> str:
    enums: Enums = info.context["enums"]
    v = _normalise(source, value)
    if not enums.contains(source, v):
        allowed = list(enums.allowed(source))
        if not allowed:  # no wave yet: nothing could be asked of it (the document lists none)
            raise ApiError(503, NOT_PUBLISHED)
        what = ""
        if source == "waves" and allowed:
            what = "published waves are " + ", ".join(allowed)
        if not v:
            what = f"empty value: leave '{name}' out for its default"
        raise bad_parameter(name, value, allowed, what)
    return v


def DynamicEnum(source: str, description: str, example: str | None = None):
    """A text parameter whose allowed values come from the data (`Enums.<source>`)."""
    def check(value: str, info: ValidationInfo) -> str:
        return _one_of(source, value, info, info.field_name)
    extra = {ENUM: source}
    return Annotated[str, AfterValidator(check),
                     Field(description=description, examples=[example] if example else None,
                           json_schema_extra=extra)]


def _split(value: Any) -> Any:
    """'a, b' -> ['a', 'b'] (a list parameter arrives as one comma-separated text)."""
    if isinstance(value, str):
        return [p.strip() for p in value.split(",")]
    return value


def DynamicList(source: str, description: str, extra_values: tuple[str, ...] = (),
                example: str | None = None):
    """Comma-separated values from `Enums.<source>` (and `extra_values`), duplicates dropped."""
    def check(values: list[str], info: ValidationInfo) -> list[str]:
        enums: Enums = info.context["enums"]
        out: list[str] = []
        for v in values:
            u = _normalise(source, v)
            if u not in extra_values and not enums.contains(source, u):
                allowed = [*enums.allowed(source), *extra_values]
                raise bad_parameter(info.field_name, ",".join(values), allowed,
                                    f"{v!r} is not one of the allowed values "
                                    f"({', '.join(allowed)})")
            if u not in out:
                out.append(u)
        return out
    return Annotated[list[str], BeforeValidator(_split), AfterValidator(check),
                     Field(min_length=1, description=description,
                           examples=[example] if example else None,
                           json_schema_extra={ENUM: source, EXPLODE: False,
                                              "x-ds4e-extra": list(extra_values)})]


def _lower(value: Any) -> Any:
    return value.strip().lower() if isinstance(value, str) else value


def _strip(value: Any) -> Any:
    return value.strip() if isinstance(value, str) else value


def Choice(*values: str, description: str):
    """One of fixed values, case and surrounding spaces ignored."""
    return Annotated[Literal[values], BeforeValidator(_lower), Field(description=description)]


Format = Annotated[Literal["json", "csv", "xlsx", "parquet"], BeforeValidator(_lower), Field(
    description="Answer format: JSON (default), or the table as a download (Content-Disposition "
                "names the file): CSV with a header row (text/csv), XLSX (one sheet, text cells "
                "written as text, never as formulas) or Parquet (typed columns). The same rows "
                "in every format; in CSV a text cell starting with = + - @, tab or CR gets a "
                "leading quote.")]
Lang = Annotated[Literal["en", "nl"], BeforeValidator(_lower), Field(description="Language")]
SizeClass = Annotated[Literal[SIZE_CLASS_KEYS], BeforeValidator(_strip), Field(
    description="Size class by population (key)")]
Country = DynamicEnum("countries", "Two-letter country code as in the reference data (EL for "
                      "Greece, UK for the United Kingdom; GR and GB are read as EL and UK; case "
                      "is ignored).", "NL")
Nuts2 = DynamicEnum("nuts2", "NUTS 2 region id (case is ignored).", "NL33")
Wave = DynamicEnum("waves", "Survey wave; default the latest published.", "2026")
Count = Annotated[int, Field(ge=0)]


def _date(value: Any) -> Any:
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value.strip())
        except ValueError:
            raise ValueError("expected a date YYYY-MM-DD") from None
    return value


At = Annotated[dt.date, BeforeValidator(_date), Field(
    description="Evaluation date YYYY-MM-DD (default today).", examples=["2026-07-01"])]


_INT = TypeAdapter(int)


def _horizon(value: Any) -> Any:
    v = _lower(value)
    if v == "all":
        return v
    try:
        days = _INT.validate_python(v)  # 30, '30', '30.0' (a whole number, as JSON Schema says)
    except ValidationError:
        days = None
    if days is None or isinstance(v, bool) or not 0 <= days <= MAX_HORIZON:
        raise ValueError(f"expected 'all' or a number of days from 0 to {MAX_HORIZON}")
    return days


Horizon = Annotated[Literal["all"] | Annotated[int, Field(ge=0, le=MAX_HORIZON)],
                    BeforeValidator(_horizon), Field(
    description="Which deadlines count: `all` (default) every requirement against its own "
                "deadline; a number of days N: what is due by `at` + N (0: due by `at`).")]


def _split_weights(value: Any) -> Any:
    values = _split(value)
    if isinstance(values, list) and len(values) != len(COMPONENTS):
        raise ValueError(f"expected {len(COMPONENTS)} comma-separated numbers (readiness, unlock, "
                         "urgency, peer), e.g. 0.35,0.25,0.25,0.15")
    return values


def _weights(values: list[float]) -> list[float]:
    if not all(math.isfinite(v) for v in values) or sum(values) <= 0:
        raise ValueError("the weights must not all be 0")
    return values


Weights = Annotated[list[Annotated[float, Field(ge=0, le=MAX_WEIGHT)]],
                    BeforeValidator(_split_weights), AfterValidator(_weights), Field(
    min_length=len(COMPONENTS), max_length=len(COMPONENTS),
    description="Weights of readiness, unlock, urgency and peer proof: four comma-separated "
                f"numbers from 0 to {MAX_WEIGHT:g}, not all 0 (normalised by their sum).",
    examples=[",".join(f"{v:g}" for v in DEFAULT_WEIGHTS.raw())],
    json_schema_extra={EXPLODE: False, "not": {"items": {"const": 0}}})]


class Query(BaseModel):
    """A query string: unknown parameters are ignored (a client may add its own)."""

    model_config = ConfigDict(extra="ignore", frozen=True)


# ------------------------------------------------------------------ one model per operation


class MunicipalitiesQuery(Query):
    country: Country | None = None
    q: Annotated[str, Field(description="Search text: accent- and case-insensitive substring of "
                            "the name, alternative name, national code or GISCO id.",
                            examples=["den haag"])] | None = None
    limit: Annotated[Count, Field(description="Page size (all matches when absent).")] | None = None
    offset: Annotated[Count, Field(description="Matches to skip.")] = 0
    format: Format = "json"


class MunicipalityQuery(Query):
    wave: Annotated[Wave, Field(description="Survey wave; default the latest wave in which the "
                                "municipality answered, else the latest published.")] | None = None
    format: Format = "json"


class ReportQuery(Query):
    wave: Annotated[Wave, Field(description="Survey wave; default the latest wave in which the "
                                "municipality answered, else the latest published.")] | None = None
    lang: Annotated[Lang, Field(description="Language of the report.")] = "nl"


class AggregatesQuery(Query):
    level: Choice("country", "nuts2", "nuts3", "size_class",
                  description="Area level; size_class with a country gives that country's size "
                              "classes (area_type country_size).") = "country"
    country: Country | None = None
    wave: Wave | None = None
    measure: DynamicList("measures", "Element ids, block ids or ALL, comma-separated; default "
                         "every element.", extra_values=("ALL",), example="SEC-01") | None = None
    lang: Annotated[Lang, Field(description="Language of country and size-class names (NUTS "
                                "names are as Eurostat gives them).")] = "en"
    format: Format = "json"


class SelectionQuery(Query):
    country: Country | None = None
    nuts2: Annotated[Nuts2, Field(description="NUTS 2 region id; with a country of its own: "
                                  "the municipalities in both (none when it lies elsewhere).")] \
        | None = None
    size_class: SizeClass | None = None


class LeverageQuery(SelectionQuery):
    lang: Annotated[Lang, Field(description="Language of element names.")] = "en"
    format: Format = "json"


class WhenQuery(Query):
    at: At | None = None
    horizon: Horizon = "all"


class LawReadinessQuery(SelectionQuery, WhenQuery):
    pass


class MunicipalityReadinessQuery(WhenQuery):
    pass


class RoadmapQuery(Query):
    phases: Annotated[int, Field(
        ge=1, le=rd.MAX_PHASES, description="Number of phases.")] = rd.DEFAULT_PHASES
    per_phase: Annotated[int, Field(
        ge=1, le=rd.MAX_PER_PHASE, description="Elements per phase.")] = rd.DEFAULT_PER_PHASE
    weights: Weights = list(DEFAULT_WEIGHTS.raw())
    target: Annotated[int, Field(
        ge=min(rd.TARGETS), le=max(rd.TARGETS), description="Target level for every element.")
    ] = rd.DEFAULT_TARGET
    wave: Wave | None = None
    done: DynamicList("elements", "What-if: element ids counted as reached (raised to the "
                      "target) before the roadmap is computed, comma-separated.",
                      example="GOV-02,DAT-01") | None = None
    lang: Annotated[Lang, Field(description="Language of names and explanation texts.")] = "en"


# ------------------------------------------------------------------ parsing


def parse_query(model: type[Query], args, enums: Enums) -> Query:
    """Validate a request's query string (a werkzeug MultiDict: the first value of each name)
    against `model`; a bad value raises ApiError 400 naming the parameter."""
    data = {k: args.get(k) for k in args if k in model.model_fields}
    try:
        return model.model_validate(data, context={"enums": enums})
    except ValidationError as e:
        raise _bad(model, data, e) from None


def _bad(model: type[Query], data: dict, e: ValidationError) -> ApiError:
    err = e.errors(include_url=False)[0]
    name = str(err["loc"][0]) if err["loc"] else "query"
    value = data.get(name)
    schema = model.model_json_schema()["properties"].get(name, {})
    allowed = _allowed(schema)
    msg = err["msg"]
    if value is not None and str(value).strip() == "":
        msg = f"empty value: leave '{name}' out for its default"
    elif msg.startswith("Value error, "):
        msg = msg[len("Value error, "):]
    return bad_parameter(name, "" if value is None else str(value), allowed or [msg], msg)


def _allowed(schema: dict) -> list:
    """What the schema of one field allows, in words or values, for the error message."""
    for branch in [schema, *schema.get("anyOf", [])]:
        if "enum" in branch:
            return list(branch["enum"])
        if "const" in branch:
            return [branch["const"]]
        if branch.get("type") == "integer":
            lo, hi = branch.get("minimum"), branch.get("maximum")
            if lo is not None and hi is not None and hi - lo <= 20:
                return list(range(lo, hi + 1))
            return [f"a whole number >= {lo}" if lo is not None else "a whole number"]
    return []


def weights_of(q: RoadmapQuery):
    """The query's weights as the engine takes them (default: the engine's)."""
    return rd.parse_weights(",".join(repr(float(v)) for v in q.weights))


# ------------------------------------------------------------------ the what-if body


_SINGULAR = {"countries": "country", "nuts2": "NUTS 2 region", "laws": "law",
             "elements": "element", "bool_conditions": "condition",
             "date_conditions": "date condition"}


def _member(source: str):
    """A body field from `Enums.<source>`: a ValueError (pydantic names the field's place)."""
    def check(value: str, info: ValidationInfo) -> str:
        enums: Enums = info.context["enums"]
        if not enums.contains(source, value):
            raise ValueError(f"unknown {_SINGULAR.get(source, source)} {value!r}; "
                             f"allowed: {', '.join(enums.allowed(source))}")
        return value
    return AfterValidator(check)


class Body(BaseModel):
    # strict: JSON types as JSON Schema has them (true is not 1, "2" is not 2)
    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)


def _whole(value: Any) -> Any:
    """JSON Schema's integer: 2 and 2.0, never true or "2" (strict mode refuses 2.0)."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def Whole(low: int, high: int, description: str):
    # the bounds before the validator: then they are the schema's minimum and maximum
    return Annotated[int, Field(ge=low, le=high), BeforeValidator(_whole),
                     Field(description=description)]


# a text with something other than white space in it (the law files' rule for texts)
def _words(value: str) -> str:
    if not value.strip():  # Python's white space (pydantic's regex \S lets \x1c-\x1f through)
        raise ValueError("text is empty")
    return value


# the pattern names what Python's str.strip also takes for white space (\x1c-\x1f, \x85) and
# ECMAScript's \S does not: the document promises what the validator accepts
Words = Annotated[str, Field(pattern=r"[^\s\x1c-\x1f\x85]",
                             description="not empty, not only white space"),
                  AfterValidator(_words)]


class DraftText(Body):
    nl: Words
    en: Words


Name = Words | DraftText
ElementId = Annotated[str, _member("elements"), Field(
    description="Element id", json_schema_extra={ENUM: "elements"})]


class _DraftRequirement(Body):
    element: ElementId
    min: Whole(0, 4, "The minimum level (0-4)")
    applies_if: Annotated[str, _member("bool_conditions"), Field(
        description="Only where this condition holds (a true/false condition)",
        json_schema_extra={ENUM: "bool_conditions"})] | None = None
    status: Literal["required", "recommended", "target"] = "required"
    legal_basis: str | None = None
    note: str | None = None


class DatedRequirement(_DraftRequirement):
    """A requirement due by a fixed date."""

    deadline: dt.date


class ReferredRequirement(_DraftRequirement):
    """A requirement due by a date that differs per member state (a date condition)."""

    deadline_ref: Annotated[str, _member("date_conditions"), Field(
        description="A date condition, e.g. the national transposition date",
        json_schema_extra={ENUM: "date_conditions"})]


class DraftLaw(Body):
    """A composed law profile, in the shape of the law files (short forms allowed): the body of
    POST /api/v1/laws/what-if."""

    id: Annotated[str, Field(pattern=r"^[A-Z0-9_]+$", description="Id in capitals, e.g. DRAFT")]
    name: Annotated[Name, Field(description="A name, or {nl, en}")]
    short: Annotated[str, Field(min_length=1)] | None = None
    summary: DraftText | None = None
    status: Literal["in_force", "adopted", "proposed"] = "proposed"
    in_force: Annotated[dt.date, Field(description="Default: the earliest fixed deadline, "
                                       "else today")] | None = None
    binding_on_municipalities: bool = True
    population_above: Whole(0, 10**9, (
        "Applies only to municipalities with more inhabitants than this; snapped to the nearest "
        "size-class bound, so no threshold singles out a municipality")) | None = None
    requirements: Annotated[list[DatedRequirement | ReferredRequirement],
                            Field(min_length=1, max_length=200)]

    def profile(self, today: dt.date) -> dict:
        """The profile as validate_profile (the law-file rules) takes it."""
        out = self.model_dump(mode="json", exclude_none=True)
        if "in_force" not in out and not any(isinstance(r, DatedRequirement)
                                             for r in self.requirements):
            out["in_force"] = today.isoformat()
        return out


def parse_body(model: type[Body], raw: bytes, enums: Enums, what: str = "law profile") -> Body:
    """Validate a JSON body (bytes: JSON's own types decide); a BodyError names the field's
    place (requirements.0.min); `what` the body is, in its message."""
    try:
        return model.model_validate_json(raw, context={"enums": enums})
    except ValidationError as e:
        errors = e.errors(include_url=False)
        # in a union (a name as text or {nl, en}) the branch that got furthest says most
        err = max(errors, key=lambda x: len(_place(x["loc"])))
        msg = {"missing": "is missing", "extra_forbidden": "is not a known field"}.get(
            err["type"], err["msg"].removeprefix("Value error, "))
        raise BodyError(".".join(_place(err["loc"])), msg, what) from None


def _place(loc) -> list[str]:
    """The field names and list positions of a pydantic error location (no union tags such as
    'DatedRequirement' or 'function-after[...]')."""
    return [str(x) for x in loc if isinstance(x, int)
            or (x.isidentifier() and x[:1].islower() and x not in ("str", "int", "bool"))]


class BodyError(ValueError):
    def __init__(self, field: str, problem: str, what: str = "law profile"):
        self.field, self.problem = field, problem
        super().__init__(f"{what}: {field}: {problem}" if field else f"{what}: {problem}")


# ------------------------------------------------------------------ the funding what-if body


class FundingItem(Body):
    """One element of a funding package: raised to at least `level` where funded."""

    element: ElementId
    level: Whole(1, 4, "Target level (1-4)")
    cost: Annotated[float, Field(ge=0, le=1e9, description="Cost of bringing the element to the "
                                 "target in one municipality (EUR); default "
                                 f"{fe.DEFAULT_COST:g}, illustrative")] | None = None

    @field_validator("cost", mode="before")
    @classmethod
    def _number(cls, value: Any) -> Any:
        return float(value) if isinstance(value, int) and not isinstance(value, bool) else value


Package = Annotated[list[FundingItem], Field(min_length=1, max_length=fe.MAX_ITEMS)]


class FundingBody(Body):
    """A funding what-if: a selection, a package (and optionally a second one to compare), who
    is funded (rule) and how many (reach) or for how much (budget)."""

    # the rules between fields, in the document too (so a client, and schemathesis, knows
    # them): a reach, a budget or the rule 'below'; the rule 'readiness' names its law
    model_config = ConfigDict(**Body.model_config, json_schema_extra={
        "anyOf": [{"required": ["reach"], "properties": {"reach": {"type": "integer"}}},
                  {"required": ["budget"], "properties": {"budget": {"type": "number"}}},
                  {"required": ["rule"], "properties": {"rule": {"const": "below"}}}],
        "if": {"required": ["rule"], "properties": {"rule": {"const": "readiness"}}},
        "then": {"required": ["law"], "properties": {"law": {"type": "string"}}}})

    country: Annotated[str, _member("countries"), Field(
        description="Two-letter country code; absent: the EU",
        json_schema_extra={ENUM: "countries"})] | None = None
    nuts2: Annotated[str, _member("nuts2"), Field(description="NUTS 2 region id",
                                                  json_schema_extra={ENUM: "nuts2"})] | None = None
    size_class: SizeClass | None = None
    package: Package
    compare: Annotated[Package, Field(description="A second package, funded under the same "
                                      "rule and reach; the answer gives both and the "
                                      "difference")] | None = None
    rule: Literal[fe.RULES] = Field("leverage", description=(
        "Who is funded first: leverage (highest mean unlock of the package elements), readiness "
        "(lowest share ready for `law`), smallest (fewest inhabitants), below (every "
        "municipality below target)"))
    law: Annotated[str, _member("laws"), Field(description="The law of the rule `readiness`",
                                               json_schema_extra={ENUM: "laws"})] | None = None
    reach: Whole(0, 10**6, "At most this many municipalities that need the package") | None = None
    budget: Annotated[float, Field(ge=0, le=1e13, description="At most this much (EUR), at the "
                                   "package's costs")] | None = None
    lang: Literal["en", "nl"] = "en"

    @field_validator("budget", mode="before")
    @classmethod
    def _budget_number(cls, value: Any) -> Any:
        return float(value) if isinstance(value, int) and not isinstance(value, bool) else value


# ------------------------------------------------------------------ co-development initiatives

# a text with something to read and no control characters (a line break is fine)
PLAIN = r"^[^\x00-\x08\x0b-\x1f\x7f]*\S[^\x00-\x08\x0b-\x1f\x7f]*$"
Token = Annotated[str, Field(max_length=200, description=(
    "The municipality's survey link token (the `token=` of its link), when the request does not "
    "carry the survey cookie (ds4e_survey) that opening the link sets"))]


class InitiativesQuery(Query):
    element: DynamicEnum("elements", "Only initiatives for this element.", "SEC-02") | None = None
    municipality: Annotated[str, Field(description=(
        "Only initiatives this municipality (GISCO id) started or joined; answered only for a "
        "municipality that may be named (consent, an open deployment, or your own survey link), "
        "else 403."), examples=["NL_GM0153"])] | None = None
    format: Format = "json"


class InitiativeBody(Body):
    """A new co-development initiative, started by the municipality of the survey link."""

    element: ElementId
    component: Annotated[str, Field(max_length=120, pattern=PLAIN, description=(
        "A concrete component under the element (optional)"))] | None = None
    description: Annotated[str, Field(max_length=500, pattern=PLAIN, description=(
        "What is developed or offered, at most 500 characters"))]
    start: Annotated[dt.date, Field(description="When the work starts (YYYY-MM-DD)")]
    kind: Literal["seeks_partners", "offers_reuse"] = Field(description=(
        "seeks_partners: develop it together; offers_reuse: it exists and may be reused"))
    token: Token | None = None


class JoinBody(Body):
    """Joining an initiative, as the municipality of the survey link."""

    role: Literal["co_developer", "adopter"] = Field(description=(
        "co_developer: build it together; adopter: take it when it is ready"))
    token: Token | None = None
