"""Roadmap API: GET /api/v1/municipalities/{id}/roadmap.

The sequenced roadmap of one municipality, as the Roadmap tab computes it (the same inputs from
dashboard/views/roadmap/data.py): per phase the recommended elements with score, the four score
components, the structured explanation (`Explanation.to_dict()`) and the explanation in words
(`lang`). Parameters: phases, per_phase, weights (four numbers: readiness, unlock, urgency,
peer), target (1-4, every element), wave (default the latest), done (what-if: element ids
counted as reached), lang (en/nl).

Rules as in the Insight API: 400 on a bad parameter (naming it and what is allowed), 404 for an
unknown municipality, 403 when its results may not be shown by name (the roadmap is derived from
its own levels), 503 when nothing is published. A municipality without answers in the wave gets
200 with `has_answers: false`, an empty roadmap and a message (no roadmap is guessed).
"""

from __future__ import annotations

from functools import cached_property

from dashboard.api_core import NO_CONSENT, NOT_PUBLISHED, ApiError, json_answer
from dashboard.api_models import Roadmap
from dashboard.api_params import RoadmapQuery, weights_of
from dashboard.api_spec import BAD_PARAMETER, FORBIDDEN, NOT_PUBLISHED_TEXT, Api, PathParam
from dashboard.context import AppContext
from dashboard.detail_index import detail_index
from dashboard.views.roadmap import data as rd
from pipelines.maturity.coverage_note import Coverage, coverage
from pipelines.maturity.cube import MISSING
from pipelines.maturity.roadmap import COMPONENTS, assess_text, explain_text
from pipelines.row_index import RowIndex

DIGITS = 6  # the engine computes in float32: 0.15 would read 0.15000000596046448


def _r(x):
    return round(x, DIGITS) if isinstance(x, float) else x


def team_coverage(ctx: AppContext, snap, w: int, row: int) -> Coverage:
    """`rd.team_coverage` from the per-build coverage arrays (dashboard/detail_index.py) instead
    of a query per request: who answered for the municipality in wave `w`."""
    known = int((rd.wave_levels(ctx, snap, w)[row] != MISSING).sum())
    n = len(ctx.framework.element_ids)
    rec = detail_index(snap).coverage.record(w, row)
    if rec is None:
        return coverage(0, None, known, n)
    return coverage(rec["n_respondents"], rec["roles"], known, n)


class RoadmapApi:
    def __init__(self, ctx: AppContext):
        self.ctx = ctx

    @property
    def countries(self) -> list[str]:
        """Reference countries by row (a pandas `.iat` per helper cost ~5 ms per answer at EU
        scale; names: `rd.reference_names`)."""
        return rd.reference_column(self.ctx, "country")

    @cached_property
    def row_of(self) -> RowIndex:
        """Reference rows by GISCO id (read on the first request, not at start-up)."""
        return RowIndex.of(self.ctx.municipalities["municipality_id"].to_numpy(dtype=str))

    def lookup(self, municipality_id: str) -> str:
        mid = municipality_id if municipality_id in self.row_of else municipality_id.upper()
        if mid not in self.row_of:
            raise ApiError(404, f"unknown municipality {municipality_id!r}",
                           municipality_id=municipality_id)
        return mid

    def roadmap(self, municipality_id: str, q: RoadmapQuery, viewer: str | None = None) -> dict:
        """`viewer`: the municipality a survey link opens (None: this request's cookie), as
        `AppContext.visible` takes it; the council report passes the CLI's link."""
        ctx = self.ctx
        mid = self.lookup(municipality_id)
        phases, per_phase, target, lang = q.phases, q.per_phase, q.target, q.lang
        weights = weights_of(q)
        done = tuple(q.done or ())
        snap = ctx.warehouse.snapshot()
        if snap is None or not snap.waves:
            raise ApiError(503, NOT_PUBLISHED)
        wave = q.wave or snap.waves[-1]
        try:
            row = snap.maturity.index_of(mid)
        except KeyError:
            raise ApiError(404, f"municipality {mid!r} is not in the published build",
                           municipality_id=mid) from None
        if not ctx.visible(snap, row, viewer):
            raise ApiError(403, NO_CONSENT.format(mid=mid), municipality_id=mid)
        w = snap.waves.index(wave)
        params = rd.Params(weights, target, phases, per_phase, done)
        levels = rd.wave_levels(ctx, snap, w)[row]
        has_answers = bool((levels != MISSING).any())
        out = {
            "municipality_id": mid,
            "name": rd.reference_names(ctx)[row],  # str of the cell, as `.iat` gave it
            "country": self.countries[row],
            "wave": wave,
            "lang": lang,
            "has_answers": has_answers,
            "evaluation_date": rd.evaluation_date(snap, w).isoformat(),
            "peer_group": {"kind": rd.PEER_KIND,
                           "id": ctx.attributes.label(rd.PEER_KIND, row),
                           "municipalities": rd.peer_group_size(ctx, snap, w, row)},
            "parameters": {"phases": phases, "per_phase": per_phase,
                           "weights": {k: _r(v) for k, v in zip(COMPONENTS, weights.raw(),
                                                                  strict=True)},
                           "target": target, "done": list(done)},
        }
        if not has_answers:
            return {**out, "known": 0, "weights": {k: _r(v) for k, v in zip(
                COMPONENTS, weights.normalised(), strict=True)}, "targets": None, "phases": [],
                "steps": 0, "message": f"no answers from this municipality in wave {wave}"}
        rm = rd.compute(ctx, snap, row, w, params)
        body = rm.to_dict(DIGITS)  # rounded as it is written
        names, laws = rd.element_names(ctx, lang), rd.law_names(ctx, lang)
        by_element = {s.element: s for s in rm.steps}
        for phase in body["phases"]:
            for item in phase:
                s = by_element[item["element"]]
                item["name"] = names[s.element]
                item["text"] = explain_text(s.explanation, lang, names, laws)
        for item, a in zip(body["assess"], rm.assess, strict=True):
            item["name"] = names[a.element]
            item["text"] = assess_text(a, lang, names, laws)
        out.update(body)
        out["steps"] = len(rm.steps)
        cov = team_coverage(ctx, snap, w, row)
        out["coverage"] = {"respondents": cov.respondents, "roles": list(cov.roles),
                           "known": cov.known, "elements": cov.elements, "thin": cov.thin,
                           "reasons": list(cov.reasons)}
        out["who_can_help"] = self.helpers(snap, w, row, rm, target)
        if not rm.steps:
            out["message"] = ("no development step: every element is at or above its target"
                              if not rm.assess and not rm.gated else
                              "no development step yet: establish the unknown levels first")
        return out

    def helpers(self, snap, w: int, row: int, rm, target: int) -> list[dict]:
        """Who can help with each first-phase element: named only where they consented (or
        the deployment is open), the others counted."""
        names, countries = rd.reference_names(self.ctx), self.countries
        mids = snap.maturity.municipality_ids

        def match(m) -> dict:
            return {"municipality_id": str(mids[m.row]), "name": names[m.row],
                    "country": countries[m.row], "level": m.level,
                    "similarity": round(m.similarity, 4), "distance_km": m.distance_km,
                    "same_country": m.same_country, "same_region": m.same_region,
                    "same_size_class": m.same_size}
        return [{"element": h.element, "helpers": [match(m) for m in h.helpers],
                 "helpers_total": h.helpers_total, "helpers_not_named": h.helpers_hidden,
                 "partners": [match(m) for m in h.partners],
                 "partners_total": h.partners_total, "partners_not_named": h.partners_hidden}
                for h in rd.who_can_help(self.ctx, snap, w, row, rm, target)]


def register(api: Api, ctx: AppContext) -> None:
    roadmaps = RoadmapApi(ctx)

    @api.get("/api/v1/municipalities/{municipality_id}/roadmap", operation_id="getRoadmap",
             tag="roadmap", path_params={"municipality_id": PathParam(
                 "GISCO id (from /api/v1/municipalities)", "NL_GM0307")},
             summary="One municipality's sequenced roadmap with score components and "
                     "explanations",
             description="The elements below the target level in the order the municipality "
                         "is best equipped to develop them: choose the best-scoring element, "
                         "assume it reached the target, recompute, repeat; cut into phases. "
                         "Score = weighted mean of readiness (weighted share of its enablers in "
                         "place), unlock (what it enables that is still missing), urgency (legal "
                         "duties of laws that apply to it, by deadline and enforcement) and peer "
                         "proof (share of the same country and size class at the target). A "
                         "prerequisite (gate) that is not met holds an element back; an element "
                         "nobody could rate is advice to assess, never a step. Each step has its "
                         "components, the structured explanation and the explanation in words. "
                         "The same as the dashboard's Roadmap tab. Consent rule as for the "
                         "municipality's levels (403). A municipality without answers in the "
                         "wave gets an empty roadmap with has_answers false.",
             query=RoadmapQuery, response=Roadmap, response_description="The roadmap",
             errors={400: BAD_PARAMETER, 403: FORBIDDEN, 404: "Unknown municipality id",
                     503: NOT_PUBLISHED_TEXT})
    def _roadmap(municipality_id, q):
        return json_answer(roadmaps.roadmap(municipality_id, q))
