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

import numpy as np
from flask import Flask, request

from dashboard import legislation_data as ld
from dashboard.api_insight import (
    NO_CONSENT,
    NOT_PUBLISHED,
    ApiError,
    api_view,
    bad_parameter,
    json_answer,
)
from dashboard.context import AppContext
from pipelines.framework import is_legal_duty
from pipelines.maturity.readiness import (
    N_STATUS,
    ProfileError,
    municipality_readiness,
    validate_profile,
    what_if,
)
from pipelines.reference import SIZE_CLASS_KEYS


def law_record(law, detail: bool = False) -> dict:
    """A law as the API shows it: the summary, or (`detail`) the law file with each
    requirement's `legal_duty` (framework rule 1) next to its `legal_basis`."""
    d = law.model_dump(mode="json", exclude_none=True)
    duties = [is_legal_duty(law, r) for r in law.requirements]
    out = {"id": law.id, "short": law.short, "name": d["name"], "status": law.status,
           "in_force": d["in_force"], "binding_on_municipalities": law.binding_on_municipalities,
           "celex": d["celex"], "requirements": len(law.requirements),
           "legal_duties": sum(duties), "unverified": ld.unverified(law)}
    if not detail:
        return out
    for r, duty in zip(d["requirements"], duties, strict=True):
        r["legal_duty"] = duty
    return d | {"legal_duties": out["legal_duties"], "unverified": out["unverified"]}


class LawsApi:
    def __init__(self, ctx: AppContext):
        self.ctx = ctx

    def law(self, law_id: str):
        inp = ld.inputs(self.ctx)
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

    def when(self, args) -> tuple:
        try:
            at = ld.parse_at(args.get("at"))
        except ValueError as e:
            raise bad_parameter("at", args.get("at"), ["YYYY-MM-DD"], str(e)) from None
        try:
            horizon = ld.parse_horizon(args.get("horizon"))
        except ValueError as e:
            raise bad_parameter("horizon", args.get("horizon"), ["all", "0-3650"], str(e)) from None
        return at, horizon

    def selection(self, args, snap) -> ld.Selection:
        b = ld.base(self.ctx, snap)
        out = {}
        for name, values in (("country", b.countries), ("nuts2", b.nuts2),
                             ("size_class", b.size_class)):
            v = (args.get(name) or "").strip()
            if not v:
                out[name] = None
                continue
            v = v if name == "size_class" else v.upper()
            allowed = SIZE_CLASS_KEYS if name == "size_class" else None
            if (allowed is not None and v not in allowed) or v not in set(values.tolist()):
                raise bad_parameter(name, args.get(name), list(allowed) if allowed else
                                    ["a code of the reference data"],
                                    "" if allowed else f"unknown {name} code")
            out[name] = v
        return ld.Selection(**out)

    def aggregate(self, sel, snap, sub, res, law_id: str, bound: int | None = None) -> dict:
        shown = ld.published(self.ctx, snap, sel) and ld.threshold_published(self.ctx, snap, sel,
                                                                               bound)
        c = ld.public_counts(np.bincount(res.status[:, res.column(law_id)], minlength=N_STATUS),
                             self.ctx.settings.min_group, shown)
        a = ld.public_counts(np.bincount(res.ambition_status[:, res.column(law_id)],
                                         minlength=N_STATUS), self.ctx.settings.min_group, shown)
        inp = ld.inputs(self.ctx)
        law = inp.law(law_id) if law_id in inp.law_ids else None
        states = [] if law is None else ld.unverified_countries(
            inp, law, ld.country_conditions(inp, ld.base(self.ctx, snap).countries[sub.rows]))
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

    def readiness(self, law_id: str, args) -> dict:
        law = self.law(law_id)
        at, horizon = self.when(args)
        snap = self.snapshot()
        sel = self.selection(args, snap)
        sub, res = ld.population(self.ctx, snap, sel, at, horizon)
        return {"law": law.id, **self.when_fields(at, horizon, res.cutoff),
                **self.aggregate(sel, snap, sub, res, law.id)}

    def what_if(self, args) -> dict:
        body = request.get_json(silent=True)
        if body is None:
            raise ApiError(400, "the request body must be a JSON law profile (Content-Type: "
                           "application/json)")
        at, horizon = self.when(args)
        inp = ld.inputs(self.ctx)
        bound = None
        if isinstance(body, dict) and body.get("population_above") not in (None, ""):
            try:
                bound = ld.snap_threshold(body["population_above"])
            except (TypeError, ValueError):
                bound = None  # validate_profile names the bad value
            else:
                body = {**body, "population_above": bound - 1}
        try:
            law = validate_profile(body, inp)
        except ProfileError as e:
            raise ApiError(400, str(e), field=e.field) from None
        snap = self.snapshot()
        sel = self.selection(args, snap)
        sub = ld.subset(self.ctx, snap, sel)
        wi = what_if(inp, law, sub.levels, sub.table, at=at, horizon_days=horizon)
        out = {"law": law.id, **self.when_fields(at, horizon, wi.result.cutoff),
               "population_from": bound,
               **self.aggregate(sel, snap, sub, wi.result, law.id, bound)}
        out["by_country"] = self.by_group(snap, sel, sub, wi.result, law.id, bound)
        return out

    def by_group(self, snap, sel, sub, res, law_id, bound: int | None = None) -> list[dict]:
        b = ld.base(self.ctx, snap)
        codes, inv = np.unique(b.countries[sub.rows], return_inverse=True)
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

    def municipality(self, municipality_id: str, args) -> dict:
        ctx = self.ctx
        at, horizon = self.when(args)
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
        mr = municipality_readiness(ld.inputs(ctx), b.levels[row], country=str(b.countries[row]),
                                    at=at, horizon_days=horizon,
                                    population=None if pop != pop else float(pop))
        out = {"municipality_id": mid, "name": str(ref["name"].iat[row]), "wave": b.wave,
               "has_answers": bool(b.answered[row]), **mr.to_dict()}
        out.update(self.when_fields(at, horizon, mr.cutoff))
        out.pop("horizon_days", None)
        return out


def register(server: Flask, ctx: AppContext) -> None:
    api = LawsApi(ctx)

    @server.get("/api/v1/laws")
    @api_view
    def _laws():
        laws = ld.inputs(ctx).compiled.laws
        return json_answer({"count": len(laws), "items": [law_record(law) for law in laws]})

    @server.get("/api/v1/laws/<law_id>")
    @api_view
    def _law(law_id):
        return json_answer(law_record(api.law(law_id), detail=True))

    @server.get("/api/v1/laws/<law_id>/readiness")
    @api_view
    def _law_readiness(law_id):
        return json_answer(api.readiness(law_id, request.args))

    @server.post("/api/v1/laws/what-if")
    @api_view
    def _what_if():
        return json_answer(api.what_if(request.args))

    @server.get("/api/v1/municipalities/<municipality_id>/readiness")
    @api_view
    def _municipality_readiness(municipality_id):
        return json_answer(api.municipality(municipality_id, request.args))
