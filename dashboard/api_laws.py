"""Laws API: the EU law profiles and readiness for them (the Legislation tab's numbers).

GET /api/v1/laws, /api/v1/laws/{law_id} (work without published data),
GET /api/v1/laws/{law_id}/readiness?country=&nuts2=&size_class=&at=&horizon=,
GET /api/v1/municipalities/{id}/readiness?at=&horizon= (consent rule: 403),
POST /api/v1/laws/what-if (a law profile as JSON in the law-file shape -> the aggregate).
Aggregates count the municipalities that answered the latest wave. A law that does not apply to a
municipality (not_applicable) or asks nothing of it yet (not_due) is neither ready nor not ready:
`share_ready` = ready / due, over the municipalities where something of the law counts. The
default horizon is "all": every requirement counts against its own deadline (`horizon=N` counts
what is due within N days of `at`). Fewer than min_group answering: every count is null
(suppressed); fewer than min_group with something due: ready / not_ready / unknown are null.
400 on a bad parameter, date or profile; 404 unknown ids; 503 when nothing is published.
"""

from __future__ import annotations

from flask import request

from dashboard import laws as law_facts
from dashboard.api_core import NO_CONSENT, NOT_PUBLISHED, ApiError, json_answer
from dashboard.api_models import (
    LawList,
    LawProfile,
    LawReadiness,
    MunicipalityReadiness,
    WhatIfReadiness,
)
from dashboard.api_params import (
    BodyError,
    DraftLaw,
    LawReadinessQuery,
    MunicipalityReadinessQuery,
    parse_body,
)
from dashboard.api_spec import BAD_PARAMETER, FORBIDDEN, NOT_PUBLISHED_TEXT, Api, PathParam
from dashboard.context import AppContext
from dashboard.views.legislation import data as ld
from dashboard.views.legislation import data_laws
from pipelines.framework import is_legal_duty
from pipelines.maturity.readiness import (
    ProfileError,
    municipality_readiness,
    validate_profile,
    what_if,
)


def law_record(law, detail: bool = False) -> dict:
    """A law as the API shows it: the summary, or (`detail`) the law file with each
    requirement's `legal_duty` (framework rule 1) next to its `legal_basis`."""
    d = law.model_dump(mode="json", exclude_none=True)
    duties = [is_legal_duty(law, r) for r in law.requirements]
    short_name = {"nl": law.short_name("nl"), "en": law.short_name("en")}
    out = {"id": law.id, "short": law.short, "short_name": short_name, "name": d["name"],
           "status": law.status,
           "in_force": d["in_force"], "binding_on_municipalities": law.binding_on_municipalities,
           "celex": d["celex"], "requirements": len(law.requirements),
           "legal_duties": sum(duties), "unverified": data_laws.unverified(law)}
    if not detail:
        return out
    for r, duty in zip(d["requirements"], duties, strict=True):
        r["legal_duty"] = duty
    return d | {"short_name": short_name, "legal_duties": out["legal_duties"],
                "unverified": out["unverified"]}


class LawsApi:
    def __init__(self, ctx: AppContext, enums):
        self.ctx, self.enums = ctx, enums  # enums: the build's allowed values (Api.enums)

    def law(self, law_id: str):
        inp = law_facts.inputs(self.ctx)
        lid = law_id.upper()
        if lid not in inp.law_ids:
            raise ApiError(404, f"unknown law {law_id!r}", law_id=law_id,
                           allowed=list(inp.law_ids))
        return inp.law(lid)

    def snapshot(self):
        snap = self.ctx.warehouse.snapshot()
        if snap is None or not snap.waves:
            raise ApiError(503, NOT_PUBLISHED)
        return snap

    @staticmethod
    def when(q) -> tuple:
        """(evaluation date, horizon in days or ALL_DEADLINES) of a validated query."""
        at = q.at or law_facts.today()
        return at, ld.parse_horizon(str(q.horizon))

    @staticmethod
    def selection(q) -> ld.Selection:
        """A region outside the given country selects no municipality (counted: 0)."""
        return ld.Selection(country=q.country, nuts2=q.nuts2, size_class=q.size_class)

    def aggregate(self, sel, snap, sub, res, law_id: str, bound: int | None = None) -> dict:
        shown = ld.published(self.ctx, snap, sel) and ld.threshold_published(self.ctx, snap, sel,
                                                                               bound)
        c = ld.public_counts(res.counts(law_id), self.ctx.settings.min_group, shown)
        a = ld.public_counts(res.ambition_counts(law_id), self.ctx.settings.min_group, shown)
        inp = law_facts.inputs(self.ctx)
        law = inp.law(law_id) if law_id in inp.law_ids else None
        states = [] if law is None else data_laws.unverified_countries(
            inp, law, ld.selection_conditions(self.ctx, snap, sel))
        return {
            "selection": {"country": sel.country, "nuts2": sel.nuts2, "size_class": sel.size_class},
            "wave": ld.base(self.ctx, snap).wave,
            "municipalities_in_selection": sub.n_selected,
            "municipalities_answered": len(sub.rows), "suppressed": c["suppressed"],
            "min_group": self.ctx.settings.min_group,
            **{k: c[k] for k in ld.COUNT_KEYS}, "share_ready": c["share_ready"],
            "ambition": {"due": a["due"], "share_met": a["share_ready"]},
            "unverified_countries": states,
            "lacking": [] if c["suppressed"] else [
                {"element": e, "gap": g, "unknown": u} for e, g, u in res.lacking(law_id)],
        }

    @staticmethod
    def when_fields(at, horizon, cutoff) -> dict:
        return {"at": at.isoformat(), "horizon": ld.horizon_text(horizon),
                "cutoff": None if horizon is None else cutoff.isoformat()}

    def readiness(self, law_id: str, q: LawReadinessQuery) -> dict:
        law = self.law(law_id)
        at, horizon = self.when(q)
        snap = self.snapshot()
        sel = self.selection(q)
        sub, res = ld.population(self.ctx, snap, sel, at, horizon)
        return {"law": law.id, **self.when_fields(at, horizon, res.cutoff),
                **self.aggregate(sel, snap, sub, res, law.id)}

    def what_if(self, q: LawReadinessQuery) -> dict:
        body = request.get_json(silent=True)
        if body is None:
            raise ApiError(400, "the request body must be a JSON law profile (Content-Type: "
                           "application/json)")
        at, horizon = self.when(q)
        inp = law_facts.inputs(self.ctx)
        try:  # the declared body first (the document's schema), then the law-file rules
            draft = parse_body(DraftLaw, request.get_data(), self.enums())
            profile = draft.profile(at)
            bound = ld.snap_threshold(draft.population_above)
            if bound is not None:
                profile["population_above"] = bound - 1
            law = validate_profile(profile, inp)
        except (BodyError, ProfileError) as e:
            raise ApiError(400, str(e), field=e.field) from None
        snap = self.snapshot()
        sel = self.selection(q)
        sub = ld.subset(self.ctx, snap, sel)
        wi = what_if(inp, law, sub.levels, sub.table, at=at, horizon_days=horizon)
        out = {"law": law.id, **self.when_fields(at, horizon, wi.result.cutoff),
               "population_from": bound,
               **self.aggregate(sel, snap, sub, wi.result, law.id, bound)}
        out["by_country"] = self.by_group(snap, sel, wi.result, law.id, bound)
        return out

    def by_group(self, snap, sel, res, law_id, bound: int | None = None) -> list[dict]:
        codes, inv = ld.country_groups(self.ctx, snap, sel)  # the selection's answering rows
        if not len(codes):
            return []
        g = res.by_group(law_id, inv, len(codes))
        per_country = ld.Selection(None, None, sel.size_class)  # regions of the EU: countries
        out = []
        for i, code in enumerate(codes):
            ok = ld.region_published(self.ctx, snap, per_country, str(code)) and \
                ld.threshold_published(self.ctx, snap, per_country, bound, str(code))
            if sel.country or sel.nuts2:  # a country's (or region's) own breakdown is itself
                ok = ld.published(self.ctx, snap, sel) and \
                    ld.threshold_published(self.ctx, snap, sel, bound)
            c = ld.public_counts(g[i], self.ctx.settings.min_group, ok)
            out.append({"country": str(code), "municipalities_answered": c["municipalities"],
                        "suppressed": c["suppressed"], "applies": c["applies"], "due": c["due"],
                        "ready": c["ready"], "share_ready": c["share_ready"]})
        return out

    def municipality(self, municipality_id: str, q: MunicipalityReadinessQuery) -> dict:
        ctx = self.ctx
        at, horizon = self.when(q)
        ref = ctx.municipalities
        mid = municipality_id.strip()
        snap = self.snapshot()
        try:
            row = snap.maturity.index_of(mid)
        except KeyError:
            try:
                mid = mid.upper()
                row = snap.maturity.index_of(mid)
            except KeyError:
                raise ApiError(404, f"unknown municipality {municipality_id!r}",
                               municipality_id=municipality_id) from None
        if not ctx.visible(snap, row):
            raise ApiError(403, NO_CONSENT.format(mid=mid), municipality_id=mid)
        b = ld.base(ctx, snap)
        pop = b.population[row]
        mr = municipality_readiness(law_facts.inputs(ctx), b.levels[row],
                                    country=str(b.countries[row]),
                                    at=at, horizon_days=horizon,
                                    population=None if pop != pop else float(pop))
        out = {"municipality_id": mid, "name": str(ref["name"].iat[row]), "wave": b.wave,
               "has_answers": bool(b.answered[row]), **mr.to_dict()}
        if out.get("population") is not None:  # whole inhabitants, as everywhere else
            out["population"] = int(out["population"])
        out.update(self.when_fields(at, horizon, mr.cutoff))
        out.pop("horizon_days", None)
        return out


LAW_ID = {"law_id": PathParam("Law id (case is ignored)", "NIS2", enum="laws")}
MID = {"municipality_id": PathParam("GISCO id (from /api/v1/municipalities)", "NL_GM0153")}
READINESS_TEXT = (
    "Among the municipalities of the selection that answered the latest wave: to how many the "
    "law applies (`applies`; `not_applicable` the rest), to how many something is due (`due`; "
    "`not_due`: it applies, nothing is due yet), and of those `ready`, `not_ready` and "
    "`unknown`. `share_ready` = ready / due (null when nothing is due): a law that does not "
    "apply is never counted as ready. Fewer than min_group answering: every count is null; fewer "
    "than min_group with something due: ready, not_ready, unknown and share_ready are null "
    "(`suppressed`). Only legal duties count; `ambition` gives the recommendations apart (due, "
    "share met). `unverified_countries`: the countries whose national date or scope behind "
    "these figures is not confirmed by a primary source. A region outside the given country "
    "selects no municipality.")


def register(api: Api, ctx: AppContext) -> None:
    laws = LawsApi(ctx, api.enums)

    @api.get("/api/v1/laws", operation_id="listLaws", tag="laws",
             summary="The EU law profiles (laws and adjacent instruments)",
             description="Id, names, status, in force, CELEX numbers, number of requirements, "
                         "how many of them are legal duties of the municipality (`legal_duties`) "
                         "and whether some facts are unverified (confidence: check). Works "
                         "without published data.",
             response=LawList, response_description="The laws")
    def _laws():
        items = law_facts.inputs(ctx).compiled.laws
        return json_answer({"count": len(items), "items": [law_record(law) for law in items]})

    @api.get("/api/v1/laws/{law_id}", operation_id="getLaw", tag="laws", path_params=LAW_ID,
             summary="One law profile as the law file holds it",
             description="Each requirement with `legal_duty` (true: the law obliges the "
                         "municipality itself, under `applies_if`; false: a recommendation, "
                         "never counted as not ready), its `legal_basis` (article) and, on an "
                         "element that bundles several laws' duties (GOV-03), what this law "
                         "`needs` of it.",
             response=LawProfile, response_description="The law profile",
             errors={404: "Unknown law id"})
    def _law(law_id):
        if law_id.lower() == "what-if":  # not a law: the what-if takes a POST
            raise ApiError(405, "the what-if takes a POST with a law profile as its JSON body",
                           allowed=["POST"])
        return json_answer(law_record(laws.law(law_id), detail=True))

    @api.get("/api/v1/laws/{law_id}/readiness", operation_id="getLawReadiness", tag="laws",
             path_params=LAW_ID, summary="How many municipalities are ready for a law",
             description=READINESS_TEXT, query=LawReadinessQuery, response=LawReadiness,
             response_description="The aggregate",
             errors={400: BAD_PARAMETER, 404: "Unknown law id", 503: NOT_PUBLISHED_TEXT})
    def _law_readiness(law_id, q):
        return json_answer(laws.readiness(law_id, q))

    @api.post("/api/v1/laws/what-if", operation_id="lawWhatIf", tag="laws",
              summary="Readiness of all municipalities for a composed (draft) law profile",
              description="Body: a law profile as JSON in the shape of the law files (id, "
                          "name, requirements: [{element, min, deadline | deadline_ref, "
                          "applies_if?, status?}], optionally population_above). Same query "
                          "parameters as /api/v1/laws/{law_id}/readiness. Answer: the aggregate "
                          "plus per country.",
              query=LawReadinessQuery, body=DraftLaw, response=WhatIfReadiness,
              response_description="The aggregate", cached=False,
              errors={400: "A malformed profile (the message names the field), date or "
                           "parameter", 503: NOT_PUBLISHED_TEXT,
                      429: "Too many what-ifs from this client: wait the Retry-After seconds"})
    def _what_if(q):
        return json_answer(laws.what_if(q))

    @api.get("/api/v1/municipalities/{municipality_id}/readiness",
             operation_id="getMunicipalityReadiness", tag="laws", path_params=MID,
             summary="One municipality's readiness for every law, explained per requirement",
             description="Per law ready / not ready / unknown, the gaps, and which requirements "
                         "applied and why (condition value and origin). Consent rule (403).",
             query=MunicipalityReadinessQuery, response=MunicipalityReadiness,
             response_description="The readiness",
             errors={400: BAD_PARAMETER, 403: FORBIDDEN, 404: "Unknown municipality id",
                     503: NOT_PUBLISHED_TEXT})
    def _municipality_readiness(municipality_id, q):
        return json_answer(laws.municipality(municipality_id, q))
