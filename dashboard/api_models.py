"""The JSON answer of every /api/v1 endpoint, declared once as pydantic models.

The OpenAPI document's schemas are generated from these models, and the tests validate real
answers against them. Every model forbids undeclared fields and is strict (no "3" for 3, no 1
for true), so an answer that drifts from its declaration fails instead of being documented
wrongly. Conventions: a nullable field that is always sent is `T | None` without a default; a
field that is sometimes left out is `T | None = None`. Class docstrings become the schemas'
descriptions, so they are written for API readers.

Longer than ~400 lines on purpose: one file is the API's whole answer schema, read top to bottom
like the OpenAPI document it generates; split by endpoint it would scatter the shared types.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from pydantic import AnyUrl, BaseModel, ConfigDict, Field

# fixed sets of values; tests/dashboard/test_api_models.py checks them against the code's tuples
SizeClass = Literal["lt5k", "5k-20k", "20k-50k", "50k-100k", "100k-250k", "ge250k", "unknown"]
Lang = Literal["en", "nl"]
AreaLevel = Literal["country", "nuts2", "nuts3", "size_class"]
AreaType = Literal["country", "nuts2", "nuts3", "size_class", "country_size"]
Confidence = Literal["verified", "check"]
LawStatus = Literal["in_force", "adopted", "proposed"]
RequirementStatus = Literal["required", "recommended", "target"]
ReadinessStatus = Literal["not_applicable", "ready", "not_ready", "unknown", "not_due"]
ConditionOrigin = Literal["default", "member_state", "member_state_default", "country_override",
                          "municipality_override"]
LevelSource = Literal["survey", "done", "roadmap"]
CountsFor = Literal["legal", "ambition", "none"]

Level04 = Annotated[int, Field(ge=0, le=4)]
Target = Annotated[int, Field(ge=1, le=4)]
Share = Annotated[float, Field(ge=0, le=1)]
Count = Annotated[int, Field(ge=0)]
Horizon = Annotated[str, Field(pattern=r"^(all|[0-9]+)$",
                               description="the horizon as asked: `all` (every requirement "
                               "against its own deadline) or a number of days after `at`")]


class ApiModel(BaseModel):
    # strict and closed: an undeclared field or a value of another JSON type fails validation
    model_config = ConfigDict(extra="forbid", strict=True)


class LocalText(ApiModel):
    """A text in English and Dutch."""

    en: str
    nl: str


# ------------------------------------------------------------------ errors


class Error(ApiModel):
    """The body of every 4xx and 5xx answer."""

    error: str = Field(description="what went wrong, in words")
    parameter: str | None = Field(None, description="the bad parameter (400)")
    value: str | None = Field(None, description="the value given (400)")
    allowed: list[str | int] | None = Field(
        None, description="allowed values (400), the known law ids (404 of a law) or the allowed "
        "methods (405)")
    municipality_id: str | None = Field(None, description="the municipality (403, 404)")
    law_id: str | None = Field(None, description="the unknown law id (404)")
    path: str | None = Field(None, description="the unknown path (404), or the path of a "
                             "request Flask refused (405, malformed body...)")
    field: str | None = Field(None, description="the malformed field of a what-if law profile "
                              "(400), e.g. requirements.0.min; empty when the body is no mapping")


# ------------------------------------------------------------------ meta


class HealthVersions(ApiModel):
    app: str
    framework: str
    framework_checksum: str
    dash: str
    python: str


class HealthFramework(ApiModel):
    """Size of the framework."""

    blocks: Count
    elements: Count
    matrix_cells: Count
    laws: Count = Field(description="the EU laws of the legislation note")
    adjacent_instruments: Count = Field(description="adjacent instruments in the same shape; "
                                        "/api/v1/laws lists both")


class IntegrityProblem(ApiModel):
    """One file of a build that does not match its manifest."""

    file: str = Field(description="path inside the build folder", examples=["levels.parquet"])
    problem: Literal["missing", "checksum mismatch", "unreadable", "wrong build"]
    detail: str = Field(description="what was found, in words")


class HealthIntegrity(ApiModel):
    """The check of the published build (warehouse/CURRENT) that this server process made when
    it opened it: every file's SHA-256 against the build's manifest. A build that fails is not
    served; the newest build that passes is served instead, if there is one."""

    ok: bool
    build_id: str = Field(description="the published build that was checked; when it failed, "
                          "`data.build_id` names the build served instead (if any)")
    checked_at: dt.datetime
    seconds: Annotated[float, Field(ge=0)] = Field(description="how long the check took")
    files: Count = Field(description="files compared with their checksum")
    problems: list[IntegrityProblem] = Field(description="empty when `ok`")


class HealthData(ApiModel):
    """What survey data are published and served; only `published` (and `integrity`, when a
    published build failed its check) when nothing is served."""

    published: bool = Field(description="survey data are served")
    build_id: str | None = None
    built_at: dt.datetime | None = None
    demo: bool | None = None
    waves: list[str] | None = None
    counts: dict[str, Count] | None = Field(None, description="rows per table of the build")
    integrity: HealthIntegrity | None = Field(None, description="left out when nothing is "
                                              "published")


class Health(ApiModel):
    """Status, versions, framework size and what data are published."""

    status: Literal["ok", "degraded", "error"] = Field(
        description="`ok`; `degraded`: the published build failed its integrity check and an "
        "older build is served; `error`: it failed and no build can be served")
    versions: HealthVersions
    framework: HealthFramework
    data: HealthData


class FrameworkScaleLevel(ApiModel):
    level: Level04
    label: LocalText
    meaning: LocalText


class FrameworkBlock(ApiModel):
    id: str = Field(examples=["SEC"])
    name: LocalText
    description: LocalText


class MatrixCell(ApiModel):
    enabler: str
    enabled: str
    weight: Annotated[int, Field(ge=1, le=3)]
    rationale: LocalText
    gate: Annotated[int, Field(ge=1, le=3)] | None = Field(
        description="a prerequisite: the enabler must reach this level (or the target, if "
        "lower) before the roadmap takes the enabled element further")


class FrameworkMatrix(ApiModel):
    description: str
    element_order: list[str]
    cells: list[MatrixCell]


class Framework(ApiModel):
    """The whole framework as its files hold it (see data/framework)."""

    version: str
    released: dt.date
    checksum: str
    name: LocalText
    scale: list[FrameworkScaleLevel]
    blocks: list[FrameworkBlock]
    elements: list[dict[str, Any]] = Field(description="each element with its level texts, "
                                           "evidence, steps, kickstart instruments and crosswalk")
    matrix: FrameworkMatrix
    instruments: list[dict[str, Any]]
    conditions: list[dict[str, Any]]
    laws: list[dict[str, Any]] = Field(description="the law profiles as the law files hold them")
    crosswalk_frameworks: list[dict[str, Any]]


# ------------------------------------------------------------------ municipalities


class Municipality(ApiModel):
    """Reference data of one municipality (public)."""

    municipality_id: str = Field(description="GISCO LAU id, e.g. NL_GM0014",
                                 examples=["NL_GM0014"])
    name: str
    name_alt: str | None = Field(description="name in a second language, if any")
    country: str = Field(description="two-letter code")
    national_code: str = Field(description="national statistical code (CBS, NIS...)")
    nuts1: str
    nuts2: str
    nuts3: str
    population: int | None
    size_class: SizeClass
    lon: float | None = Field(description="population-weighted centre; null when unknown")
    lat: float | None = Field(description="population-weighted centre; null when unknown")


class MunicipalityListItem(Municipality):
    has_answers: bool | None = Field(description="answered in the latest published wave; null "
                                     "when nothing is published")
    consent: bool | None = Field(description="consented to publication of its results by name; "
                                 "null when nothing is published")


class MunicipalityList(ApiModel):
    """Matching municipalities, paged with limit/offset."""

    total: Count = Field(description="number of matches before paging")
    offset: Count
    limit: Count | None = Field(description="null: all matches from offset")
    published: bool = Field(description="survey data are published")
    wave: str | None = Field(description="the wave the flags refer to (latest)")
    next: AnyUrl | None = Field(description="URL of the next page (same parameters, offset + "
                                "limit); null on the last page or without limit. Also in the Link "
                                "header (rel=next).")
    prev: AnyUrl | None = Field(description="URL of the previous page; null at offset 0. Also in "
                                "the Link header (rel=prev).")
    items: list[MunicipalityListItem]


class Level(ApiModel):
    """The consolidated level of one element in one wave, with the respondents' agreement."""

    element_id: str = Field(examples=["SEC-01"])
    block: str = Field(examples=["SEC"])
    wave: str
    level: Level04 | None = Field(description="consolidated level (lower median of the "
                                  "respondents' known levels); null: don't know or not answered")
    status: Literal["known", "dont_know", "missing"]
    n_respondents: Count
    n_known: Count = Field(description="respondents who gave a level")
    spread: Count | None = Field(description="highest - lowest known level")
    disagree: bool | None = Field(description="spread of 2 or more")


class Coverage(ApiModel):
    """Who answered in the wave; null when the municipality did not answer in it."""

    n_respondents: Count
    roles: str | None = Field(description="the respondents' roles, comma-separated")
    n_answered: Count
    n_known: Count
    n_disagree: Count
    last_submitted: dt.datetime | None


class Scores(ApiModel):
    """Mean known level; null when under half the scope is known."""

    overall: float | None
    blocks: dict[str, float | None] = Field(description="per block id")


class MunicipalityDetail(Municipality):
    """Reference data plus the levels per element in one wave and the scores."""

    consent: bool
    wave: str = Field(description="the wave shown: ?wave=, else the latest wave in which the "
                      "municipality answered, else the latest")
    waves_answered: list[str]
    has_answers: bool
    coverage: Coverage | None
    levels: list[Level] = Field(description="one entry per framework element, framework order")
    scores: Scores
    message: str | None = Field(None, description="set when there are no answers in this wave")


# ------------------------------------------------------------------ aggregates and leverage


class Aggregate(ApiModel):
    """Distribution of levels over the municipalities of one area, for one measure."""

    area_type: AreaType
    area_id: str = Field(description="country code, NUTS id, size class key, or country:size "
                         "class (e.g. NL:20k-50k)")
    area_name: str | None
    country: str | None
    wave: str
    measure: str = Field(description="element id, block id or ALL")
    n: Count = Field(description="municipalities with a value")
    suppressed: bool = Field(description="n below the minimum group size: the statistics are "
                             "null")
    median: float | None
    q1: float | None
    q3: float | None
    mean: float | None
    share_ge3: Share | None = Field(description="share of municipalities at level 3 or higher "
                                    "(0-1)")


class AggregateList(ApiModel):
    """Area statistics per area and measure."""

    level: AreaLevel
    area_type: AreaType
    country: str | None
    wave: str
    measures: list[str]
    min_group: Count
    total: Count
    items: list[Aggregate]


class LeverageItem(ApiModel):
    rank: Annotated[int, Field(ge=1)] = Field(description="1 = highest leverage")
    element_id: str = Field(examples=["GOV-03"])
    element: str = Field(description="element name (lang)")
    lacking: Count = Field(description="answering municipalities below the target level (3) on "
                           "the element; an unknown level counts as below")
    share_lacking: Share = Field(description="lacking / answering (0-1)")
    mean_unlock: Share | None = Field(description="mean unlock of the element over the "
                                      "municipalities lacking it (0-1); null when none does")
    leverage: float = Field(ge=0, description="lacking x mean_unlock")
    first_phase: Count = Field(description="municipalities with the element in the first phase "
                               "of their roadmap")
    first_phase_share: Share = Field(description="first_phase / answering")
    first_step: Count = Field(description="municipalities with the element as the first step of "
                              "their roadmap")


class LeverageTable(ApiModel):
    """Leverage per element for a selection: where support or funding does most."""

    country: str | None
    nuts2: str | None
    size_class: SizeClass | None
    wave: str = Field(description="the wave of the stored roadmaps (latest)")
    evaluation_date: dt.date = Field(description="law deadlines were evaluated on this date")
    municipalities: Count = Field(description="in the selection")
    answered: Count = Field(description="answered in the wave: the municipalities counted")
    min_group: Count
    suppressed: bool = Field(description="fewer answering municipalities than min_group: items "
                             "is empty")
    target: Target = Field(description="the target level of the stored roadmaps")
    per_phase: Annotated[int, Field(ge=1)] = Field(description="elements per phase of the stored "
                                                   "roadmaps")
    formula: str
    total: Count
    items: list[LeverageItem] = Field(description="one per element, highest leverage first")


class FundingItem(ApiModel):
    element: str
    level: Target
    cost: float = Field(ge=0, description="EUR per municipality (illustrative unless given)")


class FundingLaw(ApiModel):
    law: str
    name: str = Field(description="short name in the request's language")
    duty: CountsFor = Field(description="legal duties or ambition (recommended, target)")
    due: Count = Field(description="municipalities of the selection for which something of the "
                       "law counts")
    ready_before: Count
    ready_after: Count
    difference: Count
    cost_per_ready: float | None = Field(description="cost / municipalities made ready (legal "
                                         "duties); null when none")


class FundingGroup(ApiModel):
    group_type: Literal["country", "nuts2", "size_class"]
    group: str
    name: str
    municipalities: Count = Field(description="answering municipalities of the group")
    law: str
    duty: CountsFor
    gained: Count = Field(description="municipalities made ready")


class FundingElement(ApiModel):
    element_id: str
    element: str
    at_3_before: Count
    at_3_after: Count
    share_before: Share
    share_after: Share
    first_phase_before: Count
    first_phase_after: Count


class FundedMunicipality(ApiModel):
    municipality_id: str
    name: str


class FundingPackage(ApiModel):
    """What one package buys."""

    name: Literal["A", "B"]
    package: list[FundingItem]
    explanation: str = Field(description="the answer in words (the request's language)")
    needing: Count | None = Field(description="municipalities of the selection that need the "
                                  "package (an element below target or unknown)")
    funded: Count | None
    cost: float | None = Field(description="EUR at the package's costs")
    units: Count | None = Field(description="units that could be funded: municipalities (open "
                                "visibility) or published areas (consent rule)")
    units_chosen: Count | None
    unfundable: Count | None = Field(description="municipalities needing the package in areas "
                                     "that are not published (not funded)")
    areas: list[str] = Field(description="the funded areas (NUTS 2 x size class) under the "
                             "consent rule")
    laws: list[FundingLaw]
    by_group: list[FundingGroup] = Field(description="per published region (country at EU "
                                         "level) and size class")
    elements: list[FundingElement] = Field(description="elements that change")
    named: list[FundedMunicipality] = Field(description="funded municipalities whose results "
                                            "are public (consent, or open visibility)")
    others_funded: Count | None = Field(description="funded municipalities not named")


class FundingDifference(ApiModel):
    law: str
    duty: CountsFor
    a: Count
    b: Count
    difference: int


class FundingComparison(ApiModel):
    explanation: str
    laws: list[FundingDifference]


class FundingWhatIf(ApiModel):
    """A funding what-if: one or two packages and their difference."""

    country: str | None
    nuts2: str | None
    size_class: SizeClass | None
    wave: str
    evaluation_date: dt.date
    min_group: Count
    unit: Literal["area", "municipality"]
    rule: Literal["leverage", "readiness", "smallest", "below"]
    law: str | None
    reach: Count | None
    budget: float | None
    answered: Count
    suppressed: bool = Field(description="the selection is not published: no numbers")
    cost_note: str
    packages: list[FundingPackage]
    comparison: FundingComparison | None


# ------------------------------------------------------------------ roadmap


class Components(ApiModel):
    """Readiness, unlock, urgency and peer proof (0-1)."""

    readiness: Share
    unlock: Share
    urgency: Share
    peer: Share


class RawWeights(ApiModel):
    """The weights as asked (not normalised)."""

    readiness: float = Field(ge=0)
    unlock: float = Field(ge=0)
    urgency: float = Field(ge=0)
    peer: float = Field(ge=0)


class Enabler(ApiModel):
    element: str
    weight: float
    level: Level04 | None = Field(description="null: unknown")
    credit: Share = Field(description="min(level, 3) / 3; 1/2 when unknown")
    status: Literal["in_place", "partial", "missing", "unknown"]
    source: LevelSource = Field(description="survey, done (what-if) or roadmap (raised by an "
                                "earlier step)")


class Gate(ApiModel):
    element: str = Field(description="the prerequisite")
    gate: Target = Field(description="the level it must reach (or its target, if lower)")
    level: Level04 | None = Field(description="its level when the step was chosen; null: unknown")
    source: LevelSource


class Unlock(ApiModel):
    element: str
    weight: float


class LawNeed(ApiModel):
    """A requirement of a law on the element that its level does not meet."""

    law: str
    legal_basis: str | None
    min_level: Level04
    days: float = Field(description="to the deadline from the evaluation date; negative: overdue")
    deadline: dt.date | None
    overdue: bool
    urgency: Share
    status: RequirementStatus
    confidence: Confidence = Field(description="check: the requirement or its national date is "
                                   "unverified")
    enforcement: Annotated[int, Field(ge=1, le=3)]


class Peers(ApiModel):
    count: Count | None = Field(description="peers at `at_least` or higher; null when suppressed")
    known: Count | None = Field(description="peers with a known level")
    at_least: Target = Field(description="the level counted (the target)")
    share: Share
    suppressed: bool


class Explanation(ApiModel):
    """The numbers behind the recommendation: enablers (level, weight, credit, status, source),
    the prerequisites (gates) it waited for, the dependants it unlocks, the legal duties it does
    not meet, the driving one first (law, legal_basis, min level, deadline, urgency, enforcement,
    confidence: check when the requirement or its national date is unverified), peer counts
    (at_least = the target), components, weights, score."""

    element: str
    level: Level04 | None
    target: Target
    enablers: list[Enabler]
    gates: list[Gate]
    readiness_credit: float
    readiness_weight: float
    unlocks: list[Unlock]
    unlock_weight: float
    unlock_norm: float
    laws: list[LawNeed]
    peers: Peers
    components: Components
    weights: Components
    score: Share


class RoadmapStep(ApiModel):
    element: str = Field(examples=["SEC-04"])
    name: str = Field(description="element name (lang)")
    rank: Annotated[int, Field(ge=1)] = Field(description="1-based step in the sequence")
    phase: Annotated[int, Field(ge=1)] = Field(description="1-based phase")
    score: Share = Field(description="weighted mean of the components with the normalised "
                         "weights (0-1), when the step was chosen (after the earlier steps): it "
                         "can rise through the roadmap; the phase gives the order")
    components: Components = Field(description="readiness, unlock, urgency, peer (0-1) at the "
                                   "moment the element was chosen")
    explanation: Explanation
    text: str = Field(description="the explanation in words (lang)")


class AssessItem(ApiModel):
    """An element nobody could rate: advice to establish where the municipality stands."""

    element: str
    name: str = Field(description="element name (lang)")
    target: Target
    laws: list[LawNeed] = Field(description="legal duties on it (urgency as if at level 0)")
    gates: list[str] = Field(description="elements it is a prerequisite of that the roadmap "
                             "would develop")
    unlocks: list[Unlock]
    unlock_weight: float
    text: str = Field(description="the advice in words (lang)")


class PeerGroup(ApiModel):
    """Peer proof compares with the other municipalities of the same country and size class."""

    kind: Literal["country_size"]
    id: str = Field(examples=["NL:20k-50k"])
    municipalities: Count


class RoadmapParameters(ApiModel):
    """The settings as asked (raw weights)."""

    phases: Annotated[int, Field(ge=1)]
    per_phase: Annotated[int, Field(ge=1)]
    weights: RawWeights
    target: Target
    done: list[str]


class TeamCoverage(ApiModel):
    """Who answered: respondents, roles, known levels; `thin` with `reasons`."""

    respondents: Count
    roles: list[str]
    known: Count = Field(description="elements with a known level")
    elements: Count
    thin: bool
    reasons: list[Literal["no_lead", "many_unknown"]]


class HelperMatch(ApiModel):
    municipality_id: str
    name: str
    country: str
    level: Level04 | None = Field(description="its level on the element")
    similarity: Share
    distance_km: float | None
    same_country: bool
    same_region: bool
    same_size_class: bool


class WhoCanHelp(ApiModel):
    """For one first-phase element: similar nearby municipalities at the target or higher
    (helpers) and those with it in their own first phase (partners); named only where they may
    be, the others counted."""

    element: str
    helpers: list[HelperMatch]
    helpers_total: Count
    helpers_not_named: Count
    partners: list[HelperMatch]
    partners_total: Count
    partners_not_named: Count


class Roadmap(ApiModel):
    """One municipality's sequenced roadmap with score components and explanations."""

    municipality_id: str
    name: str
    country: str
    wave: str
    lang: Lang
    has_answers: bool = Field(description="false: no answers in the wave; no roadmap is given")
    evaluation_date: dt.date = Field(description="law deadlines are counted from this date (the "
                                     "latest submission in the wave)")
    peer_group: PeerGroup
    parameters: RoadmapParameters
    known: Count = Field(description="elements with a known level")
    weights: Components = Field(description="normalised weights used")
    targets: dict[str, Target] | None = Field(description="target level per element; null "
                                              "without answers")
    done: list[str] | None = Field(None, description="elements counted as reached (what-if)")
    phases: list[list[RoadmapStep]] = Field(description="phases in order, each a list of steps")
    steps: Count = Field(description="number of recommended elements")
    assess: list[AssessItem] | None = Field(
        None, description="elements nobody could rate (don't know): advice to establish where the "
        "municipality stands, most important first (legal duties on them, the elements they "
        "gate, what they help build); never developed, never counted as level 0")
    gated: list[str] | None = Field(None, description="elements below target held back because a "
                                    "prerequisite (gate) stays unmet")
    coverage: TeamCoverage | None = Field(None, description="who answered: respondents, roles, "
                                          "known levels; `thin` with `reasons` (no_lead, "
                                          "many_unknown)")
    who_can_help: list[WhoCanHelp] | None = Field(
        None, description="per first-phase element the most similar nearby municipalities at a "
        "known level of at least the target (3 or more) that may be named (with distance_km), and "
        "partners that have it in their own first phase; the others counted as *_not_named")
    message: str | None = Field(None, description="set when there is no roadmap (no answers in "
                                "the wave, or every element at target)")


# ------------------------------------------------------------------ laws


class LawSummary(ApiModel):
    """Id, names, status, in force, CELEX numbers, number of requirements, how many are legal
    duties of the municipality and whether some facts are unverified."""

    id: str = Field(examples=["NIS2"])
    short: str = Field(description="the Dutch (or only) short name, as before framework 1.4.1")
    short_name: LocalText = Field(description="the short name per language (AVG / GDPR)")
    name: LocalText
    status: LawStatus
    in_force: dt.date
    binding_on_municipalities: bool
    celex: list[str] = Field(description="CELEX numbers")
    requirements: Count = Field(description="number of requirements")
    legal_duties: Count = Field(description="requirements that are legal duties of the "
                                "municipality itself")
    unverified: bool = Field(description="a fact of the law file is not confirmed by a primary "
                             "source (confidence: check)")


class LawList(ApiModel):
    """The EU law profiles (17 laws and adjacent instruments)."""

    count: Count
    items: list[LawSummary]


class LawRequirement(ApiModel):
    element: str
    min: Level04
    deadline: dt.date | None = None
    deadline_ref: str | None = Field(None, description="the member-state date condition the "
                                     "deadline comes from")
    applies_if: str | None = Field(None, description="the condition under which it applies")
    status: RequirementStatus
    confidence: Confidence
    note: str | None = None
    source: str | None = None
    legal_basis: str | None = Field(None, description="the article the requirement rests on")
    needs: LocalText | None = Field(None, description="what of a bundled element (GOV-03) this "
                                    "law needs")
    legal_duty: bool = Field(description="true: the law obliges the municipality itself (under "
                             "applies_if); false: a recommendation, never counted as not ready")


class LawPendingChange(ApiModel):
    """A change to the law in the legislative pipeline."""

    ref: str
    name: str
    status: Literal["proposed", "adopted"]
    date: dt.date | None = None
    effect: str
    source: str | None = None


class LawEnforcement(ApiModel):
    """How the law is enforced against a municipality that does not comply."""

    level: Annotated[int, Field(ge=1, le=3)] = Field(
        description="3: a supervisory authority can order measures or fine the municipality; 2: a "
        "body monitors without sanctions; 1: no enforcement aimed at the municipality")
    basis: str
    note: LocalText
    confidence: Confidence


class LawProfile(ApiModel):
    """One law profile as the law file holds it (fields the file leaves out are left out), each
    requirement with `legal_duty`."""

    id: str = Field(examples=["NIS2"])
    short: str = Field(description="the Dutch (or only) short name, as before framework 1.4.1")
    short_name: LocalText = Field(description="the short name per language (AVG / GDPR)")
    name: LocalText
    celex: list[str]
    in_force: dt.date
    status: LawStatus
    binding_on_municipalities: bool
    recommended_if_out_of_scope: Level04 | None = None
    summary: LocalText
    requirements: list[LawRequirement]
    applies_from: dt.date | None = None
    confidence: Confidence
    source_note: str | None = None
    population_above: Count | None = None
    pending_changes: list[LawPendingChange]
    enforcement: LawEnforcement | None = None
    legal_duties: Count
    unverified: bool


class Selection(ApiModel):
    country: str | None
    nuts2: str | None
    size_class: SizeClass | None


class Ambition(ApiModel):
    """The recommendations, apart from the legal duties."""

    due: Count | None
    share_met: Share | None


class Lacking(ApiModel):
    element: str
    gap: Count = Field(description="municipalities with a known level below the minimum")
    unknown: Count = Field(description="municipalities with an unknown level")


class LawReadiness(ApiModel):
    """How many municipalities of a selection that answered the latest wave are ready for a law.
    Fewer than min_group answering: every count is null; fewer than min_group with something
    due: ready, not_ready, unknown and share_ready are null (`suppressed`)."""

    law: str
    at: dt.date = Field(description="evaluation date")
    horizon: Horizon
    cutoff: dt.date | None = Field(description="what is due by this date counts; null with "
                                   "horizon all")
    selection: Selection
    wave: str
    municipalities_in_selection: Count
    municipalities_answered: Count
    suppressed: bool
    min_group: Count
    applies: Count | None = Field(description="municipalities the law applies to")
    not_applicable: Count | None
    not_due: Count | None = Field(description="it applies, nothing is due yet")
    due: Count | None = Field(description="something of the law is due")
    ready: Count | None
    not_ready: Count | None
    unknown: Count | None
    share_ready: Share | None = Field(description="ready / due; null when nothing is due: a law "
                                      "that does not apply is never counted as ready")
    ambition: Ambition
    unverified_countries: list[str] = Field(description="countries whose national date or scope "
                                            "behind these figures is not confirmed by a primary "
                                            "source")
    lacking: list[Lacking] = Field(description="elements behind non-readiness, most gaps first; "
                                   "empty when suppressed")


class CountryReadiness(ApiModel):
    country: str
    municipalities_answered: Count
    suppressed: bool
    applies: Count | None
    due: Count | None
    ready: Count | None
    share_ready: Share | None


class WhatIfReadiness(LawReadiness):
    """Readiness of all municipalities for a composed (draft) law profile, plus per country."""

    population_from: Count | None = Field(description="the profile's population threshold moved "
                                          "to the nearest size-class bound: it applies from this "
                                          "many inhabitants; null without a threshold")
    by_country: list[CountryReadiness]


class ConditionValue(ApiModel):
    """A condition resolved for the municipality: its value, where it came from and why."""

    id: str
    value: bool | dt.date | None
    origin: ConditionOrigin
    detail: str
    confidence: Literal["verified", "check", "override"]


class RequirementCheck(ApiModel):
    """One requirement for the municipality: did it apply, does it count, is it met."""

    law: str
    position: Count = Field(description="in the law file's requirement list")
    element: str
    min: Level04 = Field(description="as it counts (an out-of-scope recommendation uses the "
                         "lower level)")
    status: RequirementStatus
    counts_for: CountsFor = Field(description="none: does not apply or not due")
    applies_for: CountsFor = Field(description="what it counts for once due; none: not "
                                   "applicable")
    out_of_scope_recommendation: bool
    applies: bool
    condition: ConditionValue | None = Field(description="null: unconditional")
    population_rule: str | None
    deadline: dt.date | None
    deadline_from: ConditionValue | None = Field(description="the member-state date behind "
                                                 "deadline_ref")
    timing: Literal["due", "upcoming", "later", "no_date"]
    level: Level04 | None = Field(description="null: unknown")
    met: bool | None = Field(description="null: unknown")
    gap: Count | None = Field(description="min - level when known and below")
    confidence: Confidence
    source: str | None
    note: str | None
    legal_duty: bool
    legal_basis: str | None
    needs: LocalText | None


class ElementGap(ApiModel):
    element: str
    min: Level04
    level: Level04 | None
    gap: Count | None
    deadline: dt.date | None = Field(description="earliest deadline among the counting "
                                     "requirements it fails")
    confidence: Confidence


class Assessment(ApiModel):
    status: ReadinessStatus
    ready: bool
    gaps: list[ElementGap]
    unknown: list[ElementGap] = Field(description="elements without a known level")
    n_required: Count = Field(description="elements that count")


class MunicipalityLawReadiness(ApiModel):
    law: str
    law_status: LawStatus
    binding: bool
    legal: Assessment = Field(description="the legal duties")
    ambition: Assessment = Field(description="the recommendations")
    requirements: list[RequirementCheck]


class MunicipalityReadiness(ApiModel):
    """One municipality's readiness for every law, explained per requirement."""

    municipality_id: str
    name: str
    wave: str
    has_answers: bool
    country: str
    population: int | None
    at: dt.date = Field(description="evaluation date")
    horizon: Horizon
    cutoff: dt.date | None = Field(description="what is due by this date counts; null with "
                                   "horizon all")
    conditions: dict[str, ConditionValue] = Field(description="every condition by id")
    laws: list[MunicipalityLawReadiness]


# ------------------------------------------------------------------ co-development initiatives

InitiativeRole = Literal["co_developer", "adopter"]


class InitiativePerson(ApiModel):
    """A municipality that may be named (it consented, the deployment is open, or it is the
    asker's own)."""

    municipality_id: str
    name: str


class InitiativeMembers(ApiModel):
    """The municipalities in one role: named where allowed, the others only counted."""

    named: list[InitiativePerson]
    not_named: Count = Field(description="members that may not be named")
    total: Count


class Initiative(ApiModel):
    """A co-development initiative: one municipality develops an element (or a component) with
    partners, or offers what it built for reuse; others join as co-developer or adopter."""

    id: str
    element: str
    component: str | None
    description: str
    start: dt.date
    kind: Literal["seeks_partners", "offers_reuse"]
    created: dt.date
    owner: InitiativePerson | None = Field(description="the municipality that started it; null "
                                           "when it may not be named")
    co_developers: InitiativeMembers
    adopters: InitiativeMembers
    yours: Literal["owner", "co_developer", "adopter"] | None = Field(
        description="your municipality's part in it (with a survey link), else null")


class InitiativeList(ApiModel):
    """Open co-development initiatives, oldest first."""

    count: Count
    element: str | None
    municipality: str | None
    items: list[Initiative]
