"""EU legislation readiness: which law requirements apply to a municipality, and is it ready.

Pure numpy and small dataclasses: no Dash, no DuckDB, no files. `readiness_inputs` turns the
framework (laws, conditions, member-state flags) into the engine's static inputs once; then
`resolve_population` resolves every condition for every municipality (with the caller's
overrides), `population_readiness` computes readiness for all municipalities and laws at once,
`what_if` does the same for one composed draft profile, and `municipality_readiness` explains one
municipality requirement by requirement. The single-municipality path is a separate, plain
Python implementation of the same rules; the tests check that both agree.

Applicability (which requirements apply, and why)
-------------------------------------------------
A requirement applies when its `applies_if` condition is true (or it has none) and, when the law
has `population_above`, the municipality has more inhabitants than that (unknown population: it
does not apply). Each condition value has an origin, the first that gives one of:
1. `municipality_override`: the caller's value for this municipality;
2. `country_override`: the caller's value of the condition for the municipality's country;
3. a member-state flag (member_states.yaml, after the caller's per-country flag overrides):
   `member_state` when the country sets the flag, `member_state_default` when it comes from the
   file's default entry, `country_override` when the caller overrode the flag. Conditions derived
   from flags (`DERIVED`):
   - nis2_in_scope  = nis2_local_scope is "all", or "threshold" and population > nis2_threshold
                      ("none", "pending" and "check" are out of scope);
   - nis2_date      = nis2_date (null: no date, so nothing is due);
   - eudi_wallet_date = eudi_wallet_date (default 2026-12-24);
   - einvoicing_deadline = 2019-04-18 if einvoicing_subcentral_postponed is false, else
                      2020-04-18 (true, or unknown);
   - whistleblower_in_scope = not (population < whistleblower_small_municipal_exempt);
   - emfa_in_scope  = not (population < emfa_local_exempt_below) (unknown population: in scope);
4. `default`: the condition's default in conditions.yaml ("true"/"false", or a date).
Municipality attributes (holds an authentic source, uses AI, provides an EAA service, ...) are
conditions with source "municipality": their defaults are documented in conditions.yaml and the
caller overrides them per municipality or per country.

Readiness (E elements, levels int8, -1 = missing / don't know)
---------------------------------------------------------------
For a law, an evaluation date `at` and a horizon (days, >= 0; cutoff = at + horizon; or None,
ALL_DEADLINES: every dated requirement, each against its own deadline), a requirement *counts*
when it applies and its deadline <= cutoff (horizon 0: what is due today; a positive horizon
tests upcoming deadlines too). Deadlines are the law file's date, or the member-state date of
its `deadline_ref` (none: never due, even with ALL_DEADLINES).
- Legal: requirements with status "required" of laws binding on municipalities. Per element the
  minimum is the highest `min` among its counting requirements. The municipality is **ready**
  when every such element has a known level >= its minimum. Otherwise each element below its
  minimum is a *gap* (min - level, with the earliest deadline among the requirements it fails),
  and each element without an answer is *unknown*: not ready, but no gap number.
  Status per law: not_applicable (no requirement of the law applies to the municipality, at
  any date), not_due (requirements apply, but none is due by the cutoff), ready (every counting
  element met), not_ready (at least one known gap), unknown (no known gap, at least one missing
  answer). Only `ready` is ready: a law that does not apply, or asks nothing yet, is neither
  ready nor not ready, and shares of ready municipalities are taken over those where something
  counts (`PopulationReadiness.summary`: "due").
- Ambition: requirements with status "recommended" or "target", every requirement of a law not
  binding on municipalities (Digital Decade), and a law's `recommended_if_out_of_scope`: where
  a requirement of such a law does not apply (NIS2 out of scope), it is recommended at
  min(min, recommended_if_out_of_scope), due from the member-state date when there is one, else
  from the law's `applies_from`. The same rules give a separate ambition status; it never
  changes legal readiness.

Typical use (the Legislation tab and the API build the first three once per set of overrides):

    inputs = readiness_inputs(fw)                                   # static, once
    table = resolve_population(inputs, countries, populations, country_overrides=..., ids=ids,
                               municipality_overrides=...)
    res = population_readiness(inputs, levels, table, at=date, horizon_days=ALL_DEADLINES)
    res.summary("NIS2"); res.by_group("NIS2", nuts2_codes); res.lacking("NIS2")
    what_if(inputs, {"id": "DRAFT", "name": "...", "requirements": [...]}, levels, table, at=date)
    municipality_readiness(inputs, levels[m], country="NL", population=..., at=date)

Other engines take their law requirements from here, so that nothing else interprets
member_states.yaml: `condition_profiles` groups municipalities whose resolved conditions are
equal (about one profile per country), `requirement_schedule` gives each requirement's deadline
per profile where it applies (the roadmap's law urgency, `roadmap.requirements_for_municipalities`),
and `readiness_by_group` counts the population run per group (the policy view's lobby table).

Speed (benchmarks/bench_readiness.py, EU demo cube, 98,584 municipalities x 21 laws, 85
requirements, 2-core VM): resolving every condition about 15 ms, the population run for all laws
about 35 ms, a draft law's what-if (validation included) about 6 ms, one explained municipality
about 1 ms. The population core loops over the ~80 (law, element) slots and does each with a few
vector operations over the municipalities ([condition, municipality] layout, so every row is
contiguous); numpy's reduceat along that axis was 20 times slower.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, fields, is_dataclass, replace
from typing import Any

import numpy as np
import yaml
from pydantic import ValidationError

from pipelines.framework import (
    FLAG_NAMES,
    LAW_PROBLEM_TEXTS,
    Law,
    MemberStates,
    is_legal_duty,
    law_problem_codes,
    law_problems,
)

MISSING = -1
NOT_APPLICABLE, READY, NOT_READY, UNKNOWN, NOT_DUE = 0, 1, 2, 3, 4
STATUS_NAMES = ("not_applicable", "ready", "not_ready", "unknown", "not_due")
N_STATUS = len(STATUS_NAMES)
DUE_STATUSES = (READY, NOT_READY, UNKNOWN)  # where something counts: the base of a ready share
ALL_DEADLINES = None  # horizon: every dated requirement counts, each against its own deadline
ORIGINS = ("default", "member_state", "member_state_default", "country_override",
           "municipality_override")
NEVER = np.iinfo(np.int32).max  # ordinal of a date that never comes (no date)
ALWAYS = 0  # column of the always-true condition


# ------------------------------------------------------------------ values and flags


_TRUE = {"true", "yes", "1", "y"}
_FALSE = {"false", "no", "0", "n"}


def parse_bool(value: Any, what: str) -> bool:
    """A condition value: a bool, or "true"/"false" (yes/no, 1/0). Anything else is an error."""
    if isinstance(value, bool | np.bool_):
        return bool(value)
    if isinstance(value, int | np.integer) and value in (0, 1):
        return bool(value)
    if isinstance(value, str) and value.strip().lower() in _TRUE | _FALSE:
        return value.strip().lower() in _TRUE
    raise ValueError(f"{what}: {value!r} is not true or false")


def parse_date(value: Any, what: str) -> dt.date | None:
    """A date condition value: a date, an ISO string, or None (no date)."""
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value).strip())
    except ValueError:
        raise ValueError(f"{what}: {value!r} is not a date (YYYY-MM-DD) or null") from None


def _ordinal(d: dt.date | None) -> int:
    return NEVER if d is None else d.toordinal()


def _date_of(ordinal: int) -> dt.date | None:
    return None if ordinal >= NEVER else dt.date.fromordinal(int(ordinal))


@dataclass(frozen=True)
class FlagValue:
    """One member-state flag as used: its value, where it came from and how sure it is."""

    name: str
    value: Any
    origin: str  # member_state / member_state_default / country_override
    confidence: str  # verified / check (an override is "override")
    source: str


def merged_flags(states: MemberStates, country: str,
                 override: Mapping[str, Any] | None = None) -> dict[str, FlagValue]:
    """Every flag for `country`: the caller's override, else the country's entry, else the
    default entry. Override values are validated like the file's (same types and choices)."""
    out: dict[str, FlagValue] = {}
    for name in FLAG_NAMES:
        flag, where = states.flag(country, name)
        origin = "member_state" if where == "member_state" else "member_state_default"
        out[name] = FlagValue(name, flag.value, origin, flag.confidence, flag.source)
    for name, value in (override or {}).items():
        if name not in FLAG_NAMES:
            continue  # condition ids are handled by the caller
        model = type(getattr(states.default, name))
        try:
            checked = model(value=value, confidence="check", source="override").value
        except ValidationError as err:
            msg = err.errors()[0]["msg"]
            raise ValueError(f"country override {country}.{name}: {value!r} is not valid ({msg})") from None
        out[name] = FlagValue(name, checked, "country_override", "override", "caller override")
    return out


@dataclass(frozen=True)
class Derivation:
    """A condition computed from member-state flags (and the population)."""

    kind: str  # "bool" or "date"
    flags: tuple[str, ...]  # the first one decides the origin
    compute: Callable[[Mapping[str, Any], np.ndarray], np.ndarray]  # flag values, population[n]
    explain: Callable[[Mapping[str, Any], float], str]
    # the flags that matter for these values (their confidence is the value's); default: all
    uses: Callable[[Mapping[str, Any]], tuple[str, ...]] | None = None

    def used(self, values: Mapping[str, Any]) -> tuple[str, ...]:
        return self.uses(values) if self.uses else self.flags


def _nis2_scope(f: Mapping[str, Any], pop: np.ndarray) -> np.ndarray:
    scope = f["nis2_local_scope"]
    if scope == "all":
        return np.ones(len(pop), dtype=bool)
    if scope == "threshold" and f["nis2_threshold"] is not None:
        with np.errstate(invalid="ignore"):
            return pop > float(f["nis2_threshold"])  # NaN (unknown) -> False
    return np.zeros(len(pop), dtype=bool)


def _nis2_explain(f: Mapping[str, Any], pop: float) -> str:
    scope = f["nis2_local_scope"]
    if scope == "threshold":
        shown = "unknown" if pop != pop else f"{int(pop):,}"
        return (f"nis2_local_scope=threshold: more than {f['nis2_threshold']:,} inhabitants "
                f"(population {shown})")
    if scope == "pending" and f["nis2_threshold"] is not None:
        return f"nis2_local_scope=pending (planned threshold {f['nis2_threshold']:,}): not in scope yet"
    return f"nis2_local_scope={scope}"


def _exempt_below(flag: str) -> Callable[[Mapping[str, Any], np.ndarray], np.ndarray]:
    def compute(f: Mapping[str, Any], pop: np.ndarray) -> np.ndarray:
        if f[flag] is None:
            return np.ones(len(pop), dtype=bool)
        with np.errstate(invalid="ignore"):
            return ~(pop < float(f[flag]))  # NaN (unknown) -> in scope
    return compute


def _exempt_explain(flag: str) -> Callable[[Mapping[str, Any], float], str]:
    def explain(f: Mapping[str, Any], pop: float) -> str:
        if f[flag] is None:
            return f"{flag}=null: no exemption known"
        shown = "unknown" if pop != pop else f"{int(pop):,}"
        return f"{flag}={f[flag]:,}: fewer inhabitants are exempt (population {shown})"
    return explain


def _date_flag(flag: str) -> Callable[[Mapping[str, Any], np.ndarray], np.ndarray]:
    return lambda f, pop: np.full(len(pop), _ordinal(f[flag]), dtype=np.int32)


def _einvoicing(f: Mapping[str, Any], pop: np.ndarray) -> np.ndarray:
    day = dt.date(2019, 4, 18) if f["einvoicing_subcentral_postponed"] is False else dt.date(2020, 4, 18)
    return np.full(len(pop), day.toordinal(), dtype=np.int32)


DERIVED: dict[str, Derivation] = {
    "nis2_in_scope": Derivation(
        "bool", ("nis2_local_scope", "nis2_threshold"), _nis2_scope, _nis2_explain,
        lambda f: ("nis2_local_scope", "nis2_threshold") if f["nis2_local_scope"] == "threshold"
        else ("nis2_local_scope",)),
    "nis2_date": Derivation("date", ("nis2_date",), _date_flag("nis2_date"),
                            lambda f, p: f"nis2_date={f['nis2_date'] or 'null (no national date)'}"),
    "eudi_wallet_date": Derivation("date", ("eudi_wallet_date",), _date_flag("eudi_wallet_date"),
                                   lambda f, p: f"eudi_wallet_date={f['eudi_wallet_date'] or 'null'}"),
    "einvoicing_deadline": Derivation(
        "date", ("einvoicing_subcentral_postponed",), _einvoicing,
        lambda f, p: f"einvoicing_subcentral_postponed={f['einvoicing_subcentral_postponed']} "
                     "(false: 2019-04-18; true or unknown: 2020-04-18)"),
    "whistleblower_in_scope": Derivation("bool", ("whistleblower_small_municipal_exempt",),
                                         _exempt_below("whistleblower_small_municipal_exempt"),
                                         _exempt_explain("whistleblower_small_municipal_exempt")),
    "emfa_in_scope": Derivation("bool", ("emfa_local_exempt_below",),
                                _exempt_below("emfa_local_exempt_below"),
                                _exempt_explain("emfa_local_exempt_below")),
}


# ------------------------------------------------------------------ static inputs


@dataclass(frozen=True)
class CompiledLaws:
    """Law requirements as arrays. Rows are sorted by (law, element, position in the file); a
    *slot* is one (law, element) pair, the unit of gaps and unknowns."""

    laws: tuple[Law, ...]
    law_ids: tuple[str, ...]
    req_law: np.ndarray  # int[R]
    req_pos: np.ndarray  # int[R] position in law.requirements
    req_elem: np.ndarray  # int[R]
    req_min: np.ndarray  # int8[R]
    req_legal: np.ndarray  # bool[R] required, of a binding law
    req_ambition: np.ndarray  # bool[R] recommended / target / non-binding law
    req_cond: np.ndarray  # int[R] row in the bool table (0 = always)
    req_fixed: np.ndarray  # int64[R] deadline ordinal (NEVER where deadline_ref)
    req_ref: np.ndarray  # int[R] row in the date table, -1 = fixed deadline
    req_fb_min: np.ndarray  # int8[R] recommended_if_out_of_scope level, -1 = none
    req_fb_date: np.ndarray  # int64[R] law.applies_from ordinal (fallback date), NEVER = none
    req_pop_above: np.ndarray  # float64[R] law.population_above, NaN = none
    slot_start: np.ndarray  # int[S]
    slot_law: np.ndarray  # int[S]
    slot_elem: np.ndarray  # int[S]
    law_slot_start: np.ndarray  # int[L]

    @property
    def n_laws(self) -> int:
        return len(self.law_ids)


@dataclass(frozen=True)
class ReadinessInputs:
    """Everything static the engine needs, made once from the framework (`readiness_inputs`)."""

    element_ids: tuple[str, ...]
    member_states: MemberStates
    conditions: tuple[str, ...]  # every condition id (conditions.yaml order)
    condition_kind: dict[str, str]  # "bool" / "date"
    condition_source: dict[str, str]  # "municipality" / "member_state"
    condition_default: dict[str, Any]  # bool, or date / None
    bool_conditions: tuple[str, ...]  # rows 1.. of the bool table (row 0 = always true)
    date_conditions: tuple[str, ...]  # rows of the date table
    compiled: CompiledLaws

    @property
    def element_index(self) -> dict[str, int]:
        return {e: i for i, e in enumerate(self.element_ids)}

    @property
    def law_ids(self) -> tuple[str, ...]:
        return self.compiled.law_ids

    def law(self, law_id: str) -> Law:
        return self.compiled.laws[self.compiled.law_ids.index(law_id)]

    def defaults_table(self) -> list[dict[str, Any]]:
        """The documented default of every condition and where a member state decides it."""
        rows = []
        for c in self.conditions:
            d = DERIVED.get(c)
            rows.append({"condition": c, "kind": self.condition_kind[c], "source": self.condition_source[c],
                         "default": self.condition_default[c],
                         "member_state_flags": list(d.flags) if d else []})
        return rows


def readiness_inputs(fw, member_states: MemberStates | None = None,
                     laws: Sequence[Law] | None = None) -> ReadinessInputs:
    """The engine's static inputs from a loaded Framework: its conditions, its member-state
    flags (or `member_states`), and its laws and adjacent instruments (or `laws`)."""
    states = member_states if member_states is not None else fw.member_states
    if states is None:
        raise ValueError("the framework has no member-state flags (member_states.yaml)")
    deadline_refs = {r.deadline_ref for law in fw.all_laws for r in law.requirements if r.deadline_ref}
    kind, source, default = {}, {}, {}
    for c in fw.conditions:
        derived = DERIVED.get(c.id)
        if derived is not None:
            k = derived.kind
        elif c.id in deadline_refs:
            k = "date"
        else:
            k = "bool"
        kind[c.id], source[c.id] = k, c.source
        if k == "date":
            try:
                default[c.id] = parse_date(c.default, f"condition {c.id} default")
            except ValueError:
                default[c.id] = None  # "by_country": decided by the member state, else no date
        else:
            default[c.id] = c.default.strip().lower() in _TRUE  # "by_country" -> False
    ids = tuple(c.id for c in fw.conditions)
    inputs = ReadinessInputs(
        element_ids=tuple(fw.element_ids), member_states=states, conditions=ids,
        condition_kind=kind, condition_source=source, condition_default=default,
        bool_conditions=tuple(c for c in ids if kind[c] == "bool"),
        date_conditions=tuple(c for c in ids if kind[c] == "date"),
        compiled=None,  # type: ignore[arg-type]
    )
    return replace(inputs, compiled=compile_laws(inputs, list(laws) if laws is not None else fw.all_laws))


ENGINE_PROBLEM_TEXTS = {
    "not_a_condition": "{value!r} is a date, not a condition that is true or false",
    "not_a_date_condition": "{value!r} is not a date condition; use one of {dates}",
}


def _engine_problem_codes(inputs: ReadinessInputs, law: Law) -> list[tuple[str, str, dict]]:
    """Rules the engine adds to the law-file rules: conditions of the right kind, as (field
    path, code of ENGINE_PROBLEM_TEXTS, its values)."""
    out = []
    for i, r in enumerate(law.requirements):
        if r.applies_if and inputs.condition_kind.get(r.applies_if) == "date":
            out.append((f"requirements.{i}.applies_if", "not_a_condition", {"value": r.applies_if}))
        if r.deadline_ref and inputs.condition_kind.get(r.deadline_ref) == "bool":
            out.append((f"requirements.{i}.deadline_ref", "not_a_date_condition",
                        {"value": r.deadline_ref, "dates": ", ".join(inputs.date_conditions)}))
    return out


def _engine_problems(inputs: ReadinessInputs, law: Law) -> list[tuple[str, str]]:
    return [(field, ENGINE_PROBLEM_TEXTS[code].format(**values))
            for field, code, values in _engine_problem_codes(inputs, law)]


def compile_laws(inputs: ReadinessInputs, laws: Sequence[Law]) -> CompiledLaws:
    eidx = inputs.element_index
    bidx = {c: i + 1 for i, c in enumerate(inputs.bool_conditions)}
    didx = {c: i for i, c in enumerate(inputs.date_conditions)}
    rows = []
    for li, law in enumerate(laws):
        problems = [(f, p) for _, f, p in law_problems(law, inputs.element_ids, inputs.conditions)]
        problems += _engine_problems(inputs, law)
        if problems:
            raise ValueError(f"law {law.id}: {problems[0][0]}: {problems[0][1]}")
        fb = law.recommended_if_out_of_scope
        for pos, r in enumerate(law.requirements):
            ambition = not is_legal_duty(law, r)
            rows.append((li, eidx[r.element], pos, r.min, not ambition, ambition,
                         bidx[r.applies_if] if r.applies_if else ALWAYS,
                         _ordinal(r.deadline) if r.deadline is not None else NEVER,
                         didx[r.deadline_ref] if r.deadline_ref else -1,
                         min(r.min, fb) if fb is not None else -1,
                         _ordinal(law.applies_from),
                         float(law.population_above) if law.population_above is not None else np.nan))
    rows.sort(key=lambda t: (t[0], t[1], t[2]))
    cols = list(zip(*rows, strict=True))
    req_law = np.array(cols[0], dtype=np.int64)
    req_elem = np.array(cols[1], dtype=np.int64)
    key = req_law * len(eidx) + req_elem
    slot_start = np.flatnonzero(np.r_[True, key[1:] != key[:-1]])
    slot_law = req_law[slot_start]
    law_slot_start = np.searchsorted(slot_law, np.arange(len(laws)))
    return CompiledLaws(
        laws=tuple(laws), law_ids=tuple(law.id for law in laws),
        req_law=req_law, req_pos=np.array(cols[2], dtype=np.int64), req_elem=req_elem,
        req_min=np.array(cols[3], dtype=np.int8), req_legal=np.array(cols[4], dtype=bool),
        req_ambition=np.array(cols[5], dtype=bool), req_cond=np.array(cols[6], dtype=np.int64),
        req_fixed=np.array(cols[7], dtype=np.int64), req_ref=np.array(cols[8], dtype=np.int64),
        req_fb_min=np.array(cols[9], dtype=np.int8), req_fb_date=np.array(cols[10], dtype=np.int64),
        req_pop_above=np.array(cols[11], dtype=np.float64),
        slot_start=slot_start, slot_law=slot_law, slot_elem=req_elem[slot_start],
        law_slot_start=law_slot_start,
    )


# ------------------------------------------------------------------ composed (draft) profiles


class ProfileError(ValueError):
    """A composed law profile is malformed; `field` names the field (e.g. requirements.0.min),
    `problem` says what is wrong in English. For a screen in another language, `code` names
    the problem and `values` its particulars: a code of LAW_PROBLEM_TEXTS or
    ENGINE_PROBLEM_TEXTS, "missing_in_force", or pydantic's error type (e.g.
    "string_pattern_mismatch", "int_parsing", "less_than_equal" with its `le`)."""

    def __init__(self, field: str, problem: str, code: str = "", values: Mapping | None = None):
        self.field, self.problem = field, problem
        self.code, self.values = code, dict(values or {})
        super().__init__(f"law profile: {field}: {problem}" if field else f"law profile: {problem}")


def validate_profile(raw: Any, inputs: ReadinessInputs, *, draft: bool = True) -> Law:
    """Validate a composed law profile (a dict in the shape of a law file) by the law files'
    rules: the Law model (types, ranges, unknown fields rejected), known elements and
    conditions, exactly one of deadline / deadline_ref, plus the engine's rule that applies_if
    is a true/false condition and deadline_ref a date condition. A ProfileError names the field.

    With `draft` (default) a profile may be short, as in the note's Appendix A: `name` may be a
    plain string, and a missing `short` (= id), `celex` ([]), `status` ("proposed"), `summary`
    (= name) and `in_force` (the earliest requirement deadline) are filled in. `draft=False`
    demands a complete law file."""
    if isinstance(raw, Law):
        raw = raw.file_data(exclude_none=True)
    if not isinstance(raw, Mapping):
        raise ProfileError("", f"must be a mapping of fields (a law profile), got {type(raw).__name__}",
                           "not_a_mapping")
    data = dict(raw)
    if draft:
        name = data.get("name")
        if isinstance(name, str):
            data["name"] = {"nl": name, "en": name}
        if isinstance(data.get("id"), str):
            data.setdefault("short", data["id"])
        data.setdefault("celex", [])
        data.setdefault("status", "proposed")
        if isinstance(data.get("name"), Mapping):
            data.setdefault("summary", data["name"])
        if "in_force" not in data and isinstance(data.get("requirements"), list):
            dates = []
            for r in data["requirements"]:
                try:
                    dates.append(parse_date(r.get("deadline"), "deadline"))
                except (AttributeError, ValueError):
                    continue
            if any(d is not None for d in dates):
                data["in_force"] = min(d for d in dates if d is not None)
    try:
        law = Law.model_validate(data)
    except ValidationError as err:
        errors = err.errors()
        # a draft's in_force comes from its requirements: report a requirements problem first
        e = next((x for x in errors if x["loc"] != ("in_force",)), errors[0]) if draft else errors[0]
        loc = ".".join(str(x) for x in e["loc"])
        msg = {"missing": "is missing", "extra_forbidden": "is not a known field"}.get(e["type"], e["msg"])
        code = e["type"]
        if e["type"] == "missing" and loc == "in_force" and draft:
            msg = "is missing (a profile without a fixed deadline needs in_force)"
            code = "missing_in_force"
        values = {k: v for k, v in (e.get("ctx") or {}).items() if isinstance(v, str | int | float)}
        raise ProfileError(loc, msg, code, {**values, "value": _shown(e.get("input"))}) from None
    problems = [(f, LAW_PROBLEM_TEXTS[c].format(**v), c, v)
                for _, f, c, v in law_problem_codes(law, inputs.element_ids, inputs.conditions)]
    problems += [(f, ENGINE_PROBLEM_TEXTS[c].format(**v), c, v)
                 for f, c, v in _engine_problem_codes(inputs, law)]
    if problems:
        raise ProfileError(*problems[0])
    return law


def _shown(value) -> str:
    """A rejected input as a problem may quote it (a scalar; nothing for a list or mapping)."""
    return str(value) if isinstance(value, str | int | float | dt.date) else ""


def law_to_yaml(law: Law) -> str:
    """A law profile as YAML in the shape of the law files (for download)."""
    data = law.file_data(mode="json", exclude_none=True, exclude_defaults=False)
    if not data.get("pending_changes"):
        data.pop("pending_changes", None)
    reqs = []
    for r in law.requirements:
        d = r.model_dump(mode="json", exclude_none=True)
        for k, v in (("status", "required"), ("confidence", "verified")):
            if d.get(k) == v:
                d.pop(k)
        reqs.append(d)
    data["requirements"] = reqs
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=110)


# ------------------------------------------------------------------ overrides


def _check_override_keys(inputs: ReadinessInputs, keys: Iterable[str], where: str, flags: bool) -> None:
    allowed = set(inputs.conditions) | (set(FLAG_NAMES) if flags else set())
    for k in keys:
        if k in FLAG_NAMES and k not in inputs.conditions and not flags:
            raise ValueError(f"{where}: {k!r} is a member-state flag; override it per country, or "
                             f"override the condition it decides for this municipality")
        if k not in allowed:
            what = "a condition id or member-state flag" if flags else "a condition id"
            raise ValueError(f"{where}: unknown override {k!r} (must be {what})")


def _condition_value(inputs: ReadinessInputs, cid: str, value: Any, where: str):
    if inputs.condition_kind[cid] == "date":
        return parse_date(value, f"{where}.{cid}")
    return parse_bool(value, f"{where}.{cid}")


# ------------------------------------------------------------------ one municipality


@dataclass(frozen=True)
class ConditionValue:
    """A resolved condition: its value, where the value came from and why."""

    id: str
    value: Any  # bool, or date / None
    origin: str  # one of ORIGINS
    detail: str  # e.g. "nis2_local_scope=all" or "conditions.yaml default"
    confidence: str  # verified / check / override


def resolve_municipality(inputs: ReadinessInputs, country: str, population: float | None = None, *,
                         overrides: Mapping[str, Any] | None = None,
                         country_overrides: Mapping[str, Mapping[str, Any]] | None = None
                         ) -> dict[str, ConditionValue]:
    """Every condition for one municipality, with its origin (see the module docstring)."""
    overrides = dict(overrides or {})
    cover = dict((country_overrides or {}).get(country, {}) or {})
    _check_override_keys(inputs, overrides, "municipality override", flags=False)
    _check_override_keys(inputs, cover, f"country override {country}", flags=True)
    flags = merged_flags(inputs.member_states, country, cover)
    values = {n: f.value for n, f in flags.items()}
    pop = np.nan if population is None else float(population)
    out: dict[str, ConditionValue] = {}
    for cid in inputs.conditions:
        if cid in overrides:
            out[cid] = ConditionValue(cid, _condition_value(inputs, cid, overrides[cid], "override"),
                                      "municipality_override", "set for this municipality", "override")
        elif cid in cover:
            out[cid] = ConditionValue(cid, _condition_value(inputs, cid, cover[cid], f"{country}"),
                                      "country_override", f"set for {country}", "override")
        elif cid in DERIVED:
            d = DERIVED[cid]
            raw = d.compute(values, np.array([pop]))[0]
            value = bool(raw) if d.kind == "bool" else _date_of(int(raw))
            used = [flags[f] for f in d.used(values)]
            conf = "override" if used[0].origin == "country_override" else (
                "check" if any(f.confidence == "check" for f in used if f.origin != "country_override")
                else "verified")
            detail = f"{country}: {d.explain(values, pop)}"
            out[cid] = ConditionValue(cid, value, used[0].origin, detail, conf)
        else:
            out[cid] = ConditionValue(cid, inputs.condition_default[cid], "default",
                                      "conditions.yaml default", "verified")
    return out


@dataclass(frozen=True)
class RequirementCheck:
    """One requirement of a law for one municipality: did it apply, does it count, is it met."""

    law: str
    position: int  # in the law file's requirement list
    element: str
    min: int  # as it counts (the out-of-scope recommendation uses the lower level)
    status: str  # required / recommended / target
    counts_for: str  # "legal", "ambition" or "none" (does not apply / not due)
    applies_for: str  # what it counts for once due: "legal", "ambition", or "none" (not applicable)
    out_of_scope_recommendation: bool  # recommended_if_out_of_scope in effect
    applies: bool
    condition: ConditionValue | None  # None = unconditional
    population_rule: str | None  # e.g. "population_above 30,000: population 12,345"
    deadline: dt.date | None
    deadline_from: ConditionValue | None  # the member-state date behind deadline_ref
    timing: str  # due (<= at), upcoming (<= at + horizon), later, no_date
    level: int | None  # None = unknown
    met: bool | None  # None = unknown
    gap: int | None  # min - level when known and below
    confidence: str
    source: str | None
    note: str | None
    legal_duty: bool  # a duty the law puts on the municipality itself (status required, binding)
    legal_basis: str | None  # the article the requirement rests on
    needs: dict | None  # {lang: text} what of a bundled element (GOV-03) the law needs

    @property
    def unverified(self) -> bool:
        """The requirement, or the member-state date its deadline comes from, is not confirmed
        by a primary source."""
        return self.confidence == "check" or (
            self.deadline_from is not None and self.deadline_from.confidence == "check")


@dataclass(frozen=True)
class ElementGap:
    """An element below its minimum (gap = min - level) or without an answer (level None)."""

    element: str
    min: int
    level: int | None
    gap: int | None
    deadline: dt.date | None  # earliest deadline among the counting requirements it fails
    confidence: str  # "check" when a requirement behind it, or its national date, is unverified


@dataclass(frozen=True)
class Assessment:
    status: str  # not_applicable / ready / not_ready / unknown / not_due
    ready: bool  # status == "ready": something counts and all of it is met
    gaps: tuple[ElementGap, ...]
    unknown: tuple[ElementGap, ...]
    n_required: int  # elements that count

    @property
    def code(self) -> int:
        return STATUS_NAMES.index(self.status)


@dataclass(frozen=True)
class LawReadiness:
    law: str
    law_status: str  # in_force / adopted / proposed
    binding: bool
    legal: Assessment
    ambition: Assessment
    requirements: tuple[RequirementCheck, ...]

    @property
    def ready(self) -> bool:
        return self.legal.ready

    @property
    def status(self) -> str:
        return self.legal.status


@dataclass(frozen=True)
class MunicipalityReadiness:
    country: str
    population: float | None
    at: dt.date
    horizon_days: int | None  # None: ALL_DEADLINES
    cutoff: dt.date
    conditions: dict[str, ConditionValue]
    laws: tuple[LawReadiness, ...]

    def law(self, law_id: str) -> LawReadiness:
        for x in self.laws:
            if x.law == law_id:
                return x
        raise KeyError(law_id)

    def to_dict(self) -> dict:
        """As JSON: dates ISO, NaN None, tuples lists. Walks the dataclasses itself: asdict
        deep-copies every value on the way (13 of the API answer's 16 ms at EU size, ~3,000
        values per municipality); the answer is the same (tests/unit/test_readiness.py)."""
        return _jsonable(self)


# type -> how _jsonable converts its values: a dataclass's field names (fields() is slow), or
# one of these; kept per type, as ~3,000 values of a dozen types pass per municipality
_DICT, _SEQ, _DATE, _FLOAT, _AS_IS = "dict", "seq", "date", "float", "as is"
_KIND: dict[type, object] = {}


def _kind(tp: type) -> object:
    if is_dataclass(tp):
        return tuple(f.name for f in fields(tp))
    for base, kind in ((dict, _DICT), (list, _SEQ), (tuple, _SEQ), (dt.date, _DATE),
                       (float, _FLOAT)):
        if issubclass(tp, base):
            return kind
    return _AS_IS


def _jsonable(x):
    kind = _KIND.get(type(x))
    if kind is None:
        kind = _KIND.setdefault(type(x), _kind(type(x)))
    if kind is _AS_IS:
        return x
    if kind is _SEQ:
        return [_jsonable(v) for v in x]
    if kind is _DICT:
        return {k: _jsonable(v) for k, v in x.items()}
    if kind is _DATE:
        return x.isoformat()
    if kind is _FLOAT:
        return None if x != x else x
    return {k: _jsonable(getattr(x, k)) for k in kind}


def _check_levels(levels: np.ndarray, n: int) -> np.ndarray:
    arr = np.asarray(levels)
    if arr.shape[-1] != n:
        raise ValueError(f"levels must have {n} elements per municipality, got shape {arr.shape}")
    if arr.size and (arr.min() < MISSING or arr.max() > 4):
        raise ValueError("levels must be -1 (missing) or 0-4")
    return arr.astype(np.int8, copy=False)


def _cutoff(at: dt.date, horizon_days: int | None) -> dt.date:
    if not isinstance(at, dt.date):
        raise ValueError(f"at must be a date, got {at!r}")
    if horizon_days is ALL_DEADLINES:
        return dt.date.max
    if int(horizon_days) < 0:
        raise ValueError(f"horizon_days must be >= 0, got {horizon_days}")
    return at + dt.timedelta(days=int(horizon_days))


def _assess(checks: list[RequirementCheck], kind: str) -> Assessment:
    by_element: dict[str, list[RequirementCheck]] = {}
    for c in checks:
        if c.counts_for == kind:
            by_element.setdefault(c.element, []).append(c)
    applicable = any(c.applies_for == kind for c in checks)
    gaps, unknown = [], []
    for element, cs in by_element.items():
        need = max(c.min for c in cs)
        level = cs[0].level
        conf = "check" if any(c.unverified for c in cs) else "verified"
        if level is None:
            dl = [c.deadline for c in cs if c.deadline is not None]
            unknown.append(ElementGap(element, need, None, None, min(dl) if dl else None, conf))
        elif level < need:
            failing = [c for c in cs if c.min > level]
            dl = [c.deadline for c in failing if c.deadline is not None]
            conf = "check" if any(c.unverified for c in failing) else "verified"
            gaps.append(ElementGap(element, need, level, need - level, min(dl) if dl else None, conf))
    if not by_element:
        status = "not_due" if applicable else "not_applicable"
    elif gaps:
        status = "not_ready"
    elif unknown:
        status = "unknown"
    else:
        status = "ready"
    return Assessment(status, status == "ready", tuple(gaps), tuple(unknown), len(by_element))


def municipality_readiness(inputs: ReadinessInputs, levels: Sequence[int] | np.ndarray, *, country: str,
                           at: dt.date, horizon_days: int | None = 0,
                           population: float | None = None,
                           overrides: Mapping[str, Any] | None = None,
                           country_overrides: Mapping[str, Mapping[str, Any]] | None = None,
                           laws: Sequence[str | Law | Mapping] | None = None) -> MunicipalityReadiness:
    """Readiness of one municipality for every law (or `laws`: ids, Law objects or composed
    profiles), explained requirement by requirement (see the module docstring for the rules).
    `levels` int[E] in framework element order, -1 = missing; `overrides` the municipality's
    condition values; `country_overrides` {country: {flag or condition: value}}."""
    lv = _check_levels(np.asarray(levels).reshape(-1), len(inputs.element_ids))
    cutoff = _cutoff(at, horizon_days)
    cond = resolve_municipality(inputs, country, population, overrides=overrides,
                                country_overrides=country_overrides)
    pop = np.nan if population is None else float(population)
    eidx = inputs.element_index
    results = []
    for law in _laws_for(inputs, laws):
        checks = []
        fb = law.recommended_if_out_of_scope
        for pos, r in enumerate(law.requirements):
            condition = cond[r.applies_if] if r.applies_if else None
            applies = condition.value if condition is not None else True
            pop_rule = None
            if law.population_above is not None:
                above = pop == pop and pop > law.population_above
                shown = "unknown" if pop != pop else f"{int(pop):,}"
                pop_rule = f"population_above {law.population_above:,}: population {shown}"
                applies = applies and above
            if r.deadline is not None:
                deadline, dfrom = r.deadline, None
            else:
                dfrom = cond[r.deadline_ref]
                deadline = dfrom.value
            level = int(lv[eidx[r.element]])
            level_v = None if level == MISSING else level
            status, need, fallback = r.status, r.min, False
            ambition = not is_legal_duty(law, r)
            when = deadline
            if not applies and fb is not None:
                status, need, fallback, ambition = "recommended", min(r.min, fb), True, True
                when = deadline if deadline is not None else law.applies_from
            applies_for = ("ambition" if ambition else "legal") if (applies or fallback) else "none"
            counts = applies_for != "none" and when is not None and when <= cutoff
            timing = ("no_date" if when is None else "due" if when <= at
                      else "upcoming" if when <= cutoff else "later")
            met = None if level_v is None else level_v >= need
            checks.append(RequirementCheck(
                law=law.id, position=pos, element=r.element, min=need, status=status,
                counts_for=applies_for if counts else "none", applies_for=applies_for,
                out_of_scope_recommendation=fallback, applies=applies, condition=condition,
                population_rule=pop_rule, deadline=when, deadline_from=dfrom, timing=timing,
                level=level_v, met=met, gap=None if met is None or met else need - level_v,
                confidence=r.confidence, source=r.source, note=r.note,
                legal_duty=not ambition, legal_basis=r.legal_basis,
                needs=None if r.needs is None else r.needs.model_dump()))
        results.append(LawReadiness(law.id, law.status, law.binding_on_municipalities,
                                    _assess(checks, "legal"), _assess(checks, "ambition"), tuple(checks)))
    horizon = None if horizon_days is ALL_DEADLINES else int(horizon_days)
    return MunicipalityReadiness(country, population, at, horizon, cutoff, cond, tuple(results))


def _laws_for(inputs: ReadinessInputs, laws) -> list[Law]:
    if laws is None:
        return list(inputs.compiled.laws)
    out = []
    for x in laws:
        if isinstance(x, Law):
            out.append(validate_profile(x, inputs, draft=False))
        elif isinstance(x, str):
            out.append(inputs.law(x))
        else:
            out.append(validate_profile(x, inputs))
    return out


# ------------------------------------------------------------------ the population


@dataclass(frozen=True)
class ConditionTable:
    """Every condition resolved for M municipalities ([condition, municipality] layout)."""

    countries: np.ndarray  # str[M]
    population: np.ndarray  # float64[M], NaN = unknown
    bools: np.ndarray  # bool[1 + Kb, M]; row 0 is always true
    dates: np.ndarray  # int32[Kd, M] ordinals, NEVER = no date
    bool_origin: np.ndarray  # int8[Kb, M] index into ORIGINS
    date_origin: np.ndarray  # int8[Kd, M]
    # bool[Kd, M]: the date rests on a member-state fact not confirmed by a primary source
    # (confidence: check in member_states.yaml); None = none does (hand-set tables)
    date_check: np.ndarray | None = None

    @property
    def size(self) -> int:
        return len(self.population)

    def take(self, rows: np.ndarray) -> ConditionTable:
        """The columns of some municipalities (positions or a bool mask), in that order."""
        return ConditionTable(self.countries[rows], self.population[rows], self.bools[:, rows],
                              self.dates[:, rows], self.bool_origin[:, rows], self.date_origin[:, rows],
                              None if self.date_check is None else self.date_check[:, rows])

    def checks(self) -> np.ndarray:
        """bool[Kd, M]: `date_check`, all False when the table has none."""
        if self.date_check is None:
            return np.zeros(self.dates.shape, dtype=bool)
        return self.date_check


def resolve_population(inputs: ReadinessInputs, countries: Sequence[str] | np.ndarray,
                       population: Sequence[float] | np.ndarray | None = None, *,
                       country_overrides: Mapping[str, Mapping[str, Any]] | None = None,
                       municipality_overrides: Mapping[Any, Mapping[str, Any]] | None = None,
                       ids: Sequence[str] | np.ndarray | None = None) -> ConditionTable:
    """Resolve every condition for every municipality once (per set of overrides).

    `countries` str[M] (2-letter), `population` float[M] (NaN / None = unknown);
    `country_overrides` {country: {flag or condition: value}}; `municipality_overrides`
    {row index or municipality id (with `ids`): {condition: value}}."""
    countries = np.asarray(countries).astype(str)
    m = len(countries)
    pop = _population_array(population, m)
    country_overrides = {c: dict(v or {}) for c, v in (country_overrides or {}).items()}
    for c, v in country_overrides.items():
        _check_override_keys(inputs, v, f"country override {c}", flags=True)
    codes, inv = np.unique(countries, return_inverse=True)
    order = np.argsort(inv, kind="stable")
    bounds = np.r_[0, np.cumsum(np.bincount(inv, minlength=len(codes)))]
    groups = {str(c): order[bounds[i]:bounds[i + 1]] for i, c in enumerate(codes)}
    flags = {c: merged_flags(inputs.member_states, c, country_overrides.get(c)) for c in groups}

    o = {name: np.int8(i) for i, name in enumerate(ORIGINS)}
    kb, kd = len(inputs.bool_conditions), len(inputs.date_conditions)
    bools = np.ones((1 + kb, m), dtype=bool)
    dates = np.full((kd, m), NEVER, dtype=np.int32)
    b_origin = np.zeros((kb, m), dtype=np.int8)
    d_origin = np.zeros((kd, m), dtype=np.int8)
    d_check = np.zeros((kd, m), dtype=bool)

    def fill(cid: str, out: np.ndarray, origin: np.ndarray, kind: str, check=None):
        d = DERIVED.get(cid)
        if d is None:
            default = inputs.condition_default[cid]
            out[:] = default if kind == "bool" else _ordinal(default)
            origin[:] = o["default"]
        else:
            for c, rows in groups.items():
                values = {n: f.value for n, f in flags[c].items()}
                out[rows] = d.compute(values, pop[rows])
                origin[rows] = o[flags[c][d.flags[0]].origin]
                if check is not None:  # as resolve_municipality's confidence
                    check[rows] = any(flags[c][f].confidence == "check"
                                      and flags[c][f].origin != "country_override" for f in d.flags)
        for c, cover in country_overrides.items():
            if cid in cover and c in groups:
                v = _condition_value(inputs, cid, cover[cid], c)
                out[groups[c]] = v if kind == "bool" else _ordinal(v)
                origin[groups[c]] = o["country_override"]
                if check is not None:
                    check[groups[c]] = False

    for k, cid in enumerate(inputs.bool_conditions):
        fill(cid, bools[k + 1], b_origin[k], "bool")
    for k, cid in enumerate(inputs.date_conditions):
        fill(cid, dates[k], d_origin[k], "date", d_check[k])

    if municipality_overrides:
        index = {str(x): i for i, x in enumerate(ids)} if ids is not None else None
        brow = {c: k for k, c in enumerate(inputs.bool_conditions)}
        drow = {c: k for k, c in enumerate(inputs.date_conditions)}
        for key, cover in municipality_overrides.items():
            if isinstance(key, int | np.integer) and not isinstance(key, bool):
                row = int(key)
                if not 0 <= row < m:
                    raise ValueError(f"municipality override: row {row} is out of range (0-{m - 1})")
            elif index is not None and str(key) in index:
                row = index[str(key)]
            else:
                raise ValueError(f"municipality override: unknown municipality {key!r}"
                                 + ("" if index is not None else " (pass ids to use municipality ids)"))
            _check_override_keys(inputs, cover, f"municipality override {key}", flags=False)
            for cid, value in cover.items():
                v = _condition_value(inputs, cid, value, f"municipality override {key}")
                if cid in brow:
                    bools[brow[cid] + 1, row] = v
                    b_origin[brow[cid], row] = o["municipality_override"]
                else:
                    dates[drow[cid], row] = _ordinal(v)
                    d_origin[drow[cid], row] = o["municipality_override"]
                    d_check[drow[cid], row] = False
    return ConditionTable(countries, pop, bools, dates, b_origin, d_origin, d_check)


def _population_array(population, m: int) -> np.ndarray:
    if population is None:
        return np.full(m, np.nan)
    if hasattr(population, "to_numpy"):  # pandas, nullable integers included
        pop = population.to_numpy(dtype=np.float64, na_value=np.nan)
    elif isinstance(population, np.ndarray) and population.dtype.kind in "fiu":
        pop = population.astype(np.float64)  # no None in it: skip the per-value loop (12 ms at EU scale)
    else:
        pop = np.array([np.nan if v is None else v for v in population], dtype=np.float64)
    if len(pop) != m:
        raise ValueError(f"population has {len(pop)} values for {m} municipalities")
    return pop


@dataclass(frozen=True)
class PopulationReadiness:
    """Readiness of M municipalities for L laws. Arrays are [M, L] in `law_ids` order.

    status: int8 codes (STATUS_NAMES: 0 not_applicable, 1 ready, 2 not_ready, 3 unknown,
    4 not_due); ready: bool (status ready only); n_required: elements that count;
    n_gap: elements with a known gap; n_unknown: elements that count but have no answer
    (the per-law count of missing elements); gap_total: the sum of the gaps (levels).
    The ambition_* arrays are the same for recommended / target requirements.
    gap_counts / unknown_counts int[L, E]: municipalities with a known gap / an unknown level
    on each element for each law (legal), for the "what causes non-readiness" views."""

    law_ids: tuple[str, ...]
    element_ids: tuple[str, ...]
    at: dt.date
    cutoff: dt.date
    status: np.ndarray
    ready: np.ndarray
    n_required: np.ndarray
    n_gap: np.ndarray
    n_unknown: np.ndarray
    gap_total: np.ndarray
    ambition_status: np.ndarray
    ambition_ready: np.ndarray
    ambition_n_gap: np.ndarray
    ambition_n_unknown: np.ndarray
    gap_counts: np.ndarray
    unknown_counts: np.ndarray

    def column(self, law_id: str) -> int:
        return self.law_ids.index(law_id)

    def summary(self, law_id: str, rows: np.ndarray | None = None) -> dict[str, Any]:
        """Counts per status for one law over `rows` (bool mask or indices; default all), plus
        `applies` (the law applies: every status but not_applicable), `due` (something counts:
        ready, not_ready or unknown) and `share_ready` = ready / due (None when nothing is due)."""
        s = self.status[:, self.column(law_id)]
        if rows is not None:
            s = s[rows]
        return status_summary(np.bincount(s, minlength=N_STATUS))

    def counts(self, law_id: str) -> np.ndarray:
        """int64[N_STATUS]: municipalities per (legal) status code for one law."""
        return np.bincount(self.status[:, self.column(law_id)], minlength=N_STATUS).astype(np.int64)

    def ambition_counts(self, law_id: str) -> np.ndarray:
        """int64[N_STATUS]: municipalities per ambition status code for one law."""
        return np.bincount(self.ambition_status[:, self.column(law_id)],
                           minlength=N_STATUS).astype(np.int64)

    def by_group(self, law_id: str, groups: np.ndarray, n_groups: int | None = None) -> np.ndarray:
        """int[G, N_STATUS]: municipalities per status code for each group code (country, ...)."""
        g = np.asarray(groups, dtype=np.int64)
        n = int(n_groups if n_groups is not None else (g.max() + 1 if len(g) else 0))
        s = self.status[:, self.column(law_id)].astype(np.int64)
        return np.bincount(g * N_STATUS + s, minlength=n * N_STATUS).reshape(n, N_STATUS)

    def lacking(self, law_id: str) -> list[tuple[str, int, int]]:
        """(element, municipalities with a known gap, with an unknown level) for one law, most
        gaps first; elements the law does not ask for are left out."""
        li = self.column(law_id)
        return lacking_rows(self.element_ids, self.gap_counts[li], self.unknown_counts[li])


def lacking_rows(element_ids: Sequence[str], gaps: np.ndarray,
                 unknown: np.ndarray) -> list[tuple[str, int, int]]:
    """(element, gaps, unknowns) of one law's per-element counts, most gaps first (see
    `PopulationReadiness.lacking`)."""
    rows = [(e, int(gaps[i]), int(unknown[i])) for i, e in enumerate(element_ids)
            if gaps[i] or unknown[i]]
    return sorted(rows, key=lambda r: (-r[1], -r[2], r[0]))


def status_summary(counts) -> dict[str, Any]:
    """{status name: count, municipalities, applies, due, share_ready} from counts per status
    code (a row of `by_group`, or a bincount). The one definition of a ready share: ready over
    the municipalities where something of the law counts."""
    c = [int(x) for x in counts]
    out: dict[str, Any] = {"municipalities": sum(c)}
    out.update(dict(zip(STATUS_NAMES, c, strict=True)))
    out["applies"] = out["municipalities"] - c[NOT_APPLICABLE]
    out["due"] = sum(c[k] for k in DUE_STATUSES)
    out["share_ready"] = c[READY] / out["due"] if out["due"] else None
    return out


def _statuses(n_req: np.ndarray, n_gap: np.ndarray, n_unknown: np.ndarray,
              applies: np.ndarray) -> np.ndarray:
    """Status codes by arithmetic (masks assignments cost several times more): nothing applies
    -> 0; applies but nothing counts -> 4; known gap -> 2; else unknown -> 3; else 1."""
    gap = (n_gap > 0).view(np.int8)
    unk = (n_unknown > 0).view(np.int8)
    has = (n_req > 0).view(np.int8)
    app = applies.view(np.int8)
    # 1 + gap + 2 * unknown * (1 - gap): 1 ready, 2 gap, 3 unknown; 4 * applies where none counts
    return has * (np.int8(1) + gap + np.int8(2) * unk * (np.int8(1) - gap)) + \
        (np.int8(1) - has) * app * np.int8(4)


# An activity mask is False (nobody), None (everybody) or bool[M].
def _and(a, b):
    if a is False or b is False:
        return False
    if a is None or a is True:
        return None if b is True or b is None else b
    if b is None or b is True:
        return a
    return a & b


class _Rows:
    """Per-call view of the condition table: masks and dates per requirement row."""

    def __init__(self, c: CompiledLaws, table: ConditionTable, cutoff: int):
        self.c, self.table, self.cutoff = c, table, cutoff
        self.m = table.size
        self._pop: dict[float, np.ndarray] = {}

    def applies(self, r: int):
        c = self.c
        cond = int(c.req_cond[r])
        mask = None if cond == ALWAYS else self.table.bools[cond]
        thr = float(c.req_pop_above[r])
        if thr == thr:
            if thr not in self._pop:
                with np.errstate(invalid="ignore"):
                    self._pop[thr] = self.table.population > thr
            mask = _and(mask, self._pop[thr])
        return mask

    def deadline(self, r: int):
        """The deadline ordinal: a scalar, or int32[M] for a member-state date."""
        ref = int(self.c.req_ref[r])
        return self.table.dates[ref] if ref >= 0 else int(self.c.req_fixed[r])

    def due(self, when):
        """A bool for a scalar deadline, bool[M] for member-state dates."""
        return when <= self.cutoff

    def fallback_deadline(self, r: int, when):
        """When row r's out-of-scope recommendation (recommended_if_out_of_scope) is due, given
        its deadline `when`: the member-state date when there is one, else the law's
        applies_from. A scalar, or int32[M] like `when`."""
        fb_date = int(self.c.req_fb_date[r])
        if isinstance(when, int):
            return fb_date if when >= NEVER else when
        return np.where(when >= NEVER, np.int32(min(fb_date, NEVER)), when)

    def applicable(self, r: int, kind: str):
        """Activity mask (False / None / bool[M]) where row r applies for `kind`, whatever its
        deadline: the law asks something of these municipalities, now or later."""
        c = self.c
        applies = self.applies(r)
        flag = c.req_legal[r] if kind == "legal" else c.req_ambition[r]
        mask = applies if flag else False
        if kind == "ambition" and c.req_fb_min[r] >= 0 and applies is not None:
            fb = True if applies is False else ~applies
            mask = fb if mask is False else None if mask is None else (mask | fb)
        return mask

    def contributions(self, r: int, kind: str) -> list[tuple[object, int]]:
        """(activity mask, minimum) with which row r counts for `kind` (legal / ambition)."""
        c = self.c
        out = []
        applies = self.applies(r)
        when = self.deadline(r)
        flag = c.req_legal[r] if kind == "legal" else c.req_ambition[r]
        if flag:
            active = _and(applies, self.due(when))
            if active is not False:
                out.append((active, int(c.req_min[r])))
        if kind == "ambition" and c.req_fb_min[r] >= 0 and applies is not None:
            active = _and(True if applies is False else ~applies,
                          self.due(self.fallback_deadline(r, when)))
            if active is not False:
                out.append((active, int(c.req_fb_min[r])))
        return out


def _evaluate(compiled: CompiledLaws, levels_t: np.ndarray, table: ConditionTable, cutoff: int,
              n_elements: int, group: np.ndarray | None = None,
              n_groups: int = 0, only: np.ndarray | None = None,
              record: list | None = None) -> dict[str, np.ndarray]:
    """The population core. levels_t int8[E, M]. One pass per (law, element) slot with vector
    operations over the municipalities; the minimum per slot is the highest among its counting
    requirements (per municipality where they differ). With `group` (int[M], codes below
    n_groups) the legal gaps and unknowns of every slot are also counted per group
    (`slot_gap_by_group`, `slot_unknown_by_group` int64[G, S]), from the same masks.

    `only` (bool[E]): pass over the slots of the other elements and return only the gap and
    unknown counts of these elements' slots ([K, M] for the K laws with such a slot, `laws`;
    legal and ambition) and `gap_counts` (`readiness_slots.slot_part`). `record` (a list): receives
    (slot, legal gap bool[M]) for every slot that counts (`readiness_slots.SlotGaps`)."""
    c = compiled
    m = levels_t.shape[1]
    n_laws = c.n_laws
    rows = _Rows(c, table, cutoff)
    missing = levels_t < 0
    below_cache: dict[tuple[int, int], np.ndarray] = {}

    def below_known(e: int, need: int) -> np.ndarray:
        key = (e, need)
        if key not in below_cache:
            below_cache[key] = ~missing[e] & (levels_t[e] < need)
        return below_cache[key]

    slot_end = np.r_[c.slot_start[1:], len(c.req_law)]
    out: dict[str, np.ndarray] = {}
    n_slots = len(c.slot_start)
    if group is not None:
        group = np.asarray(group, dtype=np.intp)
        slot_gap_g = np.zeros((n_slots, n_groups), dtype=np.int64)
        slot_unk_g = np.zeros((n_slots, n_groups), dtype=np.int64)
    # the row of each law in the per-row counts: every law, or (`only`) the laws with a slot
    # on those elements (no zeroed rows for the others)
    if only is None:
        row_of, n_rows = np.arange(n_laws), n_laws
    else:
        used = np.unique(c.slot_law[np.asarray(only)[c.slot_elem]]).astype(np.int64)
        row_of = np.full(n_laws, -1, dtype=np.int64)
        row_of[used] = np.arange(len(used))
        n_rows = len(used)
        out["laws"] = used
    for kind, prefix in (("legal", ""), ("ambition", "ambition_")):
        n_req = np.zeros((n_rows, m), dtype=np.int16)
        n_gap = np.zeros((n_rows, m), dtype=np.int16)
        n_unk = np.zeros((n_rows, m), dtype=np.int16)
        applies = np.zeros((n_rows, m), dtype=bool)
        total = np.zeros((n_rows, m), dtype=np.int16) if kind == "legal" and only is None \
            else None
        gap_counts = np.zeros((n_laws, n_elements), dtype=np.int64)
        unk_counts = np.zeros((n_laws, n_elements), dtype=np.int64)
        for s in range(len(c.slot_start)):
            law, e = int(c.slot_law[s]), int(c.slot_elem[s])
            lr = int(row_of[law])
            if only is not None:
                if not only[e]:
                    continue
            else:
                for r in range(c.slot_start[s], slot_end[s]):
                    mask = rows.applicable(r, kind)
                    if mask is None:
                        applies[lr] = True
                    elif mask is not False:
                        applies[lr] |= mask
            contrib = [x for r in range(c.slot_start[s], slot_end[s]) for x in rows.contributions(r, kind)]
            if not contrib:
                continue
            if len(contrib) == 1 or all(a is None for a, _ in contrib):
                active, need = contrib[0][0] if len(contrib) == 1 else None, max(n for _, n in contrib)
                gap = below_known(e, need)
                unknown = missing[e]
                if active is not None:
                    gap, unknown = gap & active, unknown & active
                    n_req[lr] += active
                else:
                    n_req[lr] += 1
            else:
                need_arr = np.full(m, -1, dtype=np.int8)
                for a, n in contrib:
                    if a is None:
                        np.maximum(need_arr, np.int8(n), out=need_arr)
                    else:
                        np.maximum(need_arr, np.where(a, np.int8(n), np.int8(-1)), out=need_arr)
                active = need_arr >= 0
                need = need_arr
                gap = active & ~missing[e] & (levels_t[e] < need_arr)
                unknown = active & missing[e]
                n_req[lr] += active
            n_gap[lr] += gap
            n_unk[lr] += unknown
            gap_counts[law, e] = np.count_nonzero(gap)
            if record is not None and kind == "legal":
                record.append((s, gap))
            unk_counts[law, e] = np.count_nonzero(unknown)
            if group is not None and kind == "legal":
                slot_gap_g[s] = np.bincount(group[gap], minlength=n_groups)
                slot_unk_g[s] = np.bincount(group[unknown], minlength=n_groups)
            if total is not None:
                total[lr] += (np.int16(need) - levels_t[e]) * gap if np.isscalar(need) else \
                    (need.astype(np.int16) - levels_t[e]) * gap
        if only is not None:  # the counts alone, [K, M] as made
            out[prefix + "n_gap"], out[prefix + "n_unknown"] = n_gap, n_unk
            if kind == "legal":
                out["gap_counts"] = gap_counts
            continue
        out[prefix + "status"] = _statuses(n_req, n_gap, n_unk, applies).T
        out[prefix + "ready"] = ((n_req > 0) & (n_gap == 0) & (n_unk == 0)).T
        out[prefix + "n_gap"] = n_gap.T
        out[prefix + "n_unknown"] = n_unk.T
        if kind == "legal":
            out["n_required"] = n_req.T
            out["gap_total"] = total.T
            out["gap_counts"], out["unknown_counts"] = gap_counts, unk_counts
    if group is not None:
        out["slot_gap_by_group"], out["slot_unknown_by_group"] = slot_gap_g.T, slot_unk_g.T
    return out


def population_readiness(inputs: ReadinessInputs, levels: np.ndarray, table: ConditionTable, *,
                         at: dt.date, horizon_days: int | None = 0,
                         laws: Sequence[str | Law | Mapping] | None = None) -> PopulationReadiness:
    """Readiness of every municipality (levels int8[M, E], rows as in `table`) for every law (or
    `laws`) at `at`, counting deadlines up to at + horizon_days."""
    lv = _check_levels(levels, len(inputs.element_ids))
    if lv.ndim != 2 or lv.shape[0] != table.size:
        raise ValueError(f"levels must be [M, E] with M = {table.size} (the condition table), got {lv.shape}")
    cutoff = _cutoff(at, horizon_days)
    compiled = inputs.compiled if laws is None else compile_laws(inputs, _laws_for(inputs, laws))
    out = _evaluate(compiled, np.ascontiguousarray(lv.T), table, cutoff.toordinal(), len(inputs.element_ids))
    return PopulationReadiness(law_ids=compiled.law_ids, element_ids=inputs.element_ids, at=at,
                               cutoff=cutoff, **out)



# ------------------------------------------------------------------ cutoffs that change nothing
#
# The population core compares a cutoff only with deadlines (`when <= cutoff`): a requirement's
# fixed date, a member-state date from the condition table, a law's applies_from (the fallback of
# recommended_if_out_of_scope). Two cutoffs with as many of those dates at or before them give
# the same readiness, bit for bit. So a caller that serves many evaluation dates can run the
# core once per interval between consecutive dates of a law (`cutoff_points`) and find any
# date's interval by binary search (`cutoff_interval`), instead of one run per date.


def cutoff(at: dt.date, horizon_days: int | None) -> dt.date:
    """The last deadline that counts at `at` with `horizon_days` (ALL_DEADLINES: date.max), as
    `population_readiness` takes it (ValueError on a bad date or a negative horizon)."""
    return _cutoff(at, horizon_days)


def cutoff_points(inputs: ReadinessInputs, table: ConditionTable, law_id: str) -> np.ndarray:
    """int64[K] sorted ordinals: every date a cutoff of law `law_id` is compared with for the
    columns of `table` (NEVER, no date, left out: no cutoff reaches it). The law's readiness is
    the same for all cutoffs in one interval between consecutive points."""
    c = inputs.compiled
    rows = np.flatnonzero(c.req_law == c.law_ids.index(law_id))
    refs = np.unique(c.req_ref[rows])
    refs = refs[refs >= 0]
    parts = [c.req_fixed[rows], c.req_fb_date[rows[c.req_fb_min[rows] >= 0]]]
    parts += [np.unique(table.dates[r]).astype(np.int64) for r in refs]
    values = np.concatenate(parts) if parts else np.zeros(0, dtype=np.int64)
    return np.unique(values[values < NEVER]).astype(np.int64)


def cutoff_interval(points: np.ndarray, cut: dt.date) -> int:
    """The interval of `cut` among `points` (0: before the first; len(points): on or after the
    last): how many points lie on or before it."""
    return int(np.searchsorted(points, cut.toordinal(), side="right"))


def interval_cutoff(points: np.ndarray, k: int) -> dt.date:
    """A cutoff inside interval `k` of `points` (its first day: the point itself; the day before
    the first point for interval 0)."""
    if not len(points):
        return dt.date.max
    return dt.date.fromordinal(int(points[k - 1]) if k > 0 else max(1, int(points[0]) - 1))


# ------------------------------------------------------------------ for other engines
#
# The roadmap engine (law urgency) and the policy view's lobby table take their law requirements
# from here, so that they apply the same requirements, with the same member-state flags and
# dates, as this engine: one interpretation of member_states.yaml and conditions.yaml.


@dataclass(frozen=True)
class ConditionProfiles:
    """Municipalities grouped by everything that decides which requirements apply to them and
    when: their resolved conditions and, per law population threshold, the side they are on.
    Members of one profile get the same requirements with the same deadlines, so an engine can
    work per profile instead of per municipality. Without municipality overrides that is at
    most one profile per country plus one per population band a flag draws (NIS2 in Italy:
    above 100,000 inhabitants); countries without flags of their own share the default one."""

    table: ConditionTable  # one column per profile: the conditions of its first municipality
    index: np.ndarray  # int64[M]: each municipality's profile (a column of `table`)

    @property
    def size(self) -> int:
        return self.table.size


def _bit_words(flags: np.ndarray) -> list[np.ndarray]:
    """bool[K, M] -> int64[M] words of up to 62 flags each (one bit per flag: exact)."""
    words = []
    for start in range(0, flags.shape[0], 62):
        word = np.zeros(flags.shape[1], dtype=np.int64)
        for k, row in enumerate(flags[start:start + 62]):
            word |= row.astype(np.int64) << k
        words.append(word)
    return words


def _column_codes(rows: Sequence[np.ndarray], m: int) -> np.ndarray:
    """int64[m]: a code per column, equal exactly where every row holds equal values (each row's
    values numbered densely and combined in mixed radix; np.unique(axis=0) on the whole table
    is 50 times slower)."""
    code = np.zeros(m, dtype=np.int64)
    span = 1
    for row in rows:
        values, inv = np.unique(row, return_inverse=True)
        if span * len(values) >= 2 ** 62:  # renumber before the product could overflow
            _, code = np.unique(code, return_inverse=True)
            span = int(code.max()) + 1
        code = code * len(values) + inv.reshape(-1)
        span *= len(values)
    return code


def condition_profiles(inputs: ReadinessInputs, table: ConditionTable,
                       laws: Sequence[str | Law | Mapping] | None = None) -> ConditionProfiles:
    """The profiles of the columns of `table` (see ConditionProfiles), numbered in the order of
    their first municipality; `laws` (default: all) bring their population thresholds."""
    m = table.size
    if m == 0:
        return ConditionProfiles(table, np.zeros(0, dtype=np.int64))
    compiled = inputs.compiled if laws is None else compile_laws(inputs, _laws_for(inputs, laws))
    thresholds = sorted({float(x) for x in compiled.req_pop_above if x == x})
    with np.errstate(invalid="ignore"):  # unknown population: below, as in _Rows.applies
        sides = [table.population > t for t in thresholds]
    flags = np.vstack([table.bools[1:], *sides]) if sides else table.bools[1:]
    if table.date_check is not None:  # an unverified date is a different profile
        flags = np.vstack([flags, table.date_check])
    code = _column_codes([*_bit_words(flags), *table.dates], m)
    _, first, inverse = np.unique(code, return_index=True, return_inverse=True)
    order = np.argsort(first, kind="stable")
    rank = np.empty_like(order)
    rank[order] = np.arange(len(order))
    return ConditionProfiles(table.take(first[order]), rank[inverse.reshape(-1)].astype(np.int64))


@dataclass(frozen=True)
class RequirementSchedule:
    """When every requirement row (in `compiled` order) is due for every column of a condition
    table (a municipality, or a profile), by the rules of `population_readiness`: a row counts
    at a cutoff exactly where it applies and `due <= cutoff`."""

    compiled: CompiledLaws
    # int32[R, N]: the deadline where the requirement applies; NEVER where it does not apply or
    # has no date (a member state without a date)
    due: np.ndarray
    # int32[R, N]: where it does not apply but its law recommends it instead
    # (recommended_if_out_of_scope), the date from which that recommendation is due; else NEVER
    fallback_due: np.ndarray
    # bool[R, N]: the requirement, or the member-state date its deadline comes from, is not
    # confirmed by a primary source (confidence: check)
    unverified: np.ndarray | None = None


def requirement_schedule(inputs: ReadinessInputs, table: ConditionTable,
                         laws: Sequence[str | Law | Mapping] | None = None) -> RequirementSchedule:
    """The schedule of every requirement of `laws` (default: all) for the columns of `table`,
    from the same applicability and dates as the population core."""
    compiled = inputs.compiled if laws is None else compile_laws(inputs, _laws_for(inputs, laws))
    rows = _Rows(compiled, table, cutoff=0)  # the cutoff plays no part here
    n_rows = len(compiled.req_law)
    due = np.full((n_rows, table.size), NEVER, dtype=np.int32)
    fallback = np.full((n_rows, table.size), NEVER, dtype=np.int32)
    unverified = np.zeros((n_rows, table.size), dtype=bool)
    checks = table.checks()
    for r in range(n_rows):
        applies, when = rows.applies(r), rows.deadline(r)
        due[r] = when if applies is None else np.where(applies, when, NEVER)
        if compiled.req_fb_min[r] >= 0 and applies is not None:
            fallback[r] = np.where(applies, NEVER, rows.fallback_deadline(r, when))
        law = compiled.laws[int(compiled.req_law[r])]
        unverified[r] = law.requirements[int(compiled.req_pos[r])].confidence == "check"
        if int(compiled.req_ref[r]) >= 0:
            unverified[r] |= checks[int(compiled.req_ref[r])]
    return RequirementSchedule(compiled, due, fallback, unverified)


def condition_table(inputs: ReadinessInputs, profiles: Sequence[Mapping[str, Any]], *,
                    date_default: dt.date | None = None) -> ConditionTable:
    """A condition table of hand-set profiles, one column each (tests, illustrations): every
    condition takes the profile's value, else its conditions.yaml default. Member-state flags
    are not consulted, so a condition a member state decides ("by_country") is false, or has no
    date, unless the profile sets it; a date condition without a date takes `date_default`.
    The population is unknown (laws with population_above do not apply)."""
    m = len(profiles)
    kb, kd = len(inputs.bool_conditions), len(inputs.date_conditions)
    bools = np.ones((1 + kb, m), dtype=bool)
    dates = np.full((kd, m), NEVER, dtype=np.int32)
    b_origin = np.zeros((kb, m), dtype=np.int8)
    d_origin = np.zeros((kd, m), dtype=np.int8)
    set_here = np.int8(ORIGINS.index("municipality_override"))
    for j, values in enumerate(profiles):
        _check_override_keys(inputs, values, f"profile {j}", flags=False)
        for k, cid in enumerate(inputs.bool_conditions):
            if cid in values:
                bools[k + 1, j] = _condition_value(inputs, cid, values[cid], f"profile {j}")
                b_origin[k, j] = set_here
            else:
                bools[k + 1, j] = inputs.condition_default[cid]
        for k, cid in enumerate(inputs.date_conditions):
            if cid in values:
                day = _condition_value(inputs, cid, values[cid], f"profile {j}")
                d_origin[k, j] = set_here
            else:
                day = inputs.condition_default[cid]
            dates[k, j] = _ordinal(day if day is not None else date_default)
    return ConditionTable(np.full(m, "", dtype=str), np.full(m, np.nan), bools, dates,
                          b_origin, d_origin)


@dataclass(frozen=True)
class GroupedReadiness:
    """Legal readiness summed per group (e.g. the policy view's cells, so that any union of
    groups is a sum), counted from the same masks as `population_readiness`."""

    law_ids: tuple[str, ...]
    element_ids: tuple[str, ...]
    at: dt.date
    cutoff: dt.date
    slots: tuple[tuple[str, int], ...]  # [S] (law id, element position), in law order
    n: np.ndarray  # int64[G] municipalities
    status: np.ndarray  # int64[G, L, N_STATUS] municipalities per status code (STATUS_NAMES)
    slot_gap: np.ndarray  # int64[G, S] with a known gap on the slot's element for its law
    slot_unknown: np.ndarray  # int64[G, S] without an answer on it (where the slot counts)


def readiness_by_group(inputs: ReadinessInputs, levels: np.ndarray, table: ConditionTable,
                       group: np.ndarray, n_groups: int | None = None, *, at: dt.date,
                       horizon_days: int | None = 0,
                       laws: Sequence[str | Law | Mapping] | None = None) -> GroupedReadiness:
    """`population_readiness` of the rows of `levels` (and `table`), counted per group code
    `group` int[M] (0..n_groups-1)."""
    lv = _check_levels(levels, len(inputs.element_ids))
    if lv.ndim != 2 or lv.shape[0] != table.size:
        raise ValueError(f"levels must be [M, E] with M = {table.size} (the condition table), got {lv.shape}")
    g = np.asarray(group, dtype=np.int64).reshape(-1)
    if len(g) != table.size:
        raise ValueError(f"group has {len(g)} codes for {table.size} municipalities")
    size = int(n_groups if n_groups is not None else (g.max() + 1 if g.size else 0))
    if g.size and (g.min() < 0 or g.max() >= size):
        raise ValueError(f"group codes must lie in 0..{size - 1}")
    cutoff = _cutoff(at, horizon_days)
    compiled = inputs.compiled if laws is None else compile_laws(inputs, _laws_for(inputs, laws))
    out = _evaluate(compiled, np.ascontiguousarray(lv.T), table, cutoff.toordinal(),
                    len(inputs.element_ids), group=g, n_groups=size)
    n_laws = compiled.n_laws
    cell = (g[:, None] * n_laws + np.arange(n_laws)) * N_STATUS + out["status"]
    status = np.bincount(cell.reshape(-1), minlength=size * n_laws * N_STATUS).reshape(
        size, n_laws, N_STATUS)
    slots = tuple((compiled.law_ids[int(law)], int(e))
                  for law, e in zip(compiled.slot_law, compiled.slot_elem, strict=True))
    return GroupedReadiness(compiled.law_ids, inputs.element_ids, at, cutoff, slots,
                            np.bincount(g, minlength=size).astype(np.int64), status.astype(np.int64),
                            out["slot_gap_by_group"], out["slot_unknown_by_group"])

@dataclass(frozen=True)
class WhatIf:
    """A composed law profile over the population: the validated law and its readiness."""

    law: Law
    result: PopulationReadiness

    @property
    def summary(self) -> dict[str, Any]:
        return self.result.summary(self.law.id)

    def lacking(self) -> list[tuple[str, int, int]]:
        return self.result.lacking(self.law.id)


def what_if(inputs: ReadinessInputs, profile: Mapping | Law, levels: np.ndarray, table: ConditionTable, *,
            at: dt.date, horizon_days: int | None = 0) -> WhatIf:
    """Readiness of every municipality for a composed (draft or edited) law profile. The profile
    is validated first (`validate_profile`; a ProfileError names the bad field)."""
    law = validate_profile(profile, inputs, draft=not isinstance(profile, Law))
    res = population_readiness(inputs, levels, table, at=at, horizon_days=horizon_days, laws=[law])
    return WhatIf(law, res)


__all__ = [
    "ALL_DEADLINES", "DERIVED", "DUE_STATUSES", "MISSING", "NOT_APPLICABLE", "NOT_DUE", "NOT_READY",
    "N_STATUS", "ORIGINS", "READY", "STATUS_NAMES", "UNKNOWN",
    "Assessment", "CompiledLaws", "ConditionProfiles", "ConditionTable", "ConditionValue", "ElementGap",
    "GroupedReadiness", "LawReadiness", "MunicipalityReadiness", "PopulationReadiness", "ProfileError",
    "ReadinessInputs", "RequirementCheck", "RequirementSchedule", "WhatIf", "compile_laws",
    "condition_profiles", "condition_table", "cutoff", "cutoff_interval", "cutoff_points",
    "interval_cutoff", "lacking_rows", "law_to_yaml", "merged_flags", "municipality_readiness",
    "population_readiness", "readiness_by_group", "readiness_inputs", "requirement_schedule",
    "resolve_municipality", "resolve_population", "status_summary", "validate_profile", "what_if",
]
