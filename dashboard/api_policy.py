"""Policy API: GET /api/v1/insight/leverage, the leverage table of a selection.

Per element, over the municipalities of the selection that answered in the latest wave (the
wave of the roadmaps stored with the build): how many are below target on it (`lacking`), its
mean unlock for them, leverage = lacking x mean unlock, and how often it is a first-phase (and
the first) recommendation of their roadmaps; highest leverage first. A selection with fewer than
`min_group` answering municipalities is suppressed (no items). Same numbers as /policy.

400 on a bad parameter (naming it); 503 when nothing is published or the published build has no
stored roadmaps (rebuild with `python -m pipelines build --force`).
"""

from __future__ import annotations

from flask import Response

from dashboard.api_core import ApiError, json_response
from dashboard.api_formats import table_response
from dashboard.api_models import LeverageTable
from dashboard.api_params import LeverageQuery
from dashboard.api_spec import BAD_PARAMETER, Api
from dashboard.context import AppContext
from dashboard.views.policy.data import (
    LEVERAGE_FORMULA,
    leverage_frame,
    leverage_of,
    policy_data,
    published,
)
from dashboard.views.policy.selection import Selection, parse_selection

NOT_PUBLISHED = "no survey data published yet"
NO_ROADMAPS = ("the published build has no stored roadmaps; rebuild with "
               "`python -m pipelines build --force`")
PARAMETERS = ("country", "nuts2", "size_class", "format", "lang")
FIELDS = ("rank", "element_id", "element", "lacking", "share_lacking", "mean_unlock",
          "leverage", "first_phase", "first_phase_share", "first_step")


def leverage_response(ctx: AppContext, q: LeverageQuery) -> Response:
    fmt, lang = q.format, q.lang
    sel = selection(ctx, q)
    snap = ctx.warehouse.snapshot()
    if snap is None or not snap.waves:
        raise ApiError(503, NOT_PUBLISHED)
    data = policy_data(ctx, snap)
    if data is None:
        raise ApiError(503, NO_ROADMAPS)
    rm = data.roadmaps
    lev = leverage_of(ctx, data, sel)
    n, members = lev.selected, data.counts(ctx, sel)[1]
    suppressed = n < data.min_group or not published(ctx, data, sel)
    df = leverage_frame(ctx, data, sel, lang, lev)
    if suppressed:
        df = df.iloc[0:0]
    if fmt != "json":
        out = df.copy()
        out.insert(0, "wave", rm.wave)
        name = "-".join(x for x in ("ds4e-leverage", sel.country or "EU", sel.nuts2 or "",
                                    sel.size or "", rm.wave) if x)
        return table_response(out, name, fmt)
    meta = {"country": sel.country, "nuts2": sel.nuts2, "size_class": sel.size,
            "wave": rm.wave, "evaluation_date": rm.evaluation_date.isoformat(),
            "municipalities": members, "answered": n, "min_group": data.min_group,
            "suppressed": bool(suppressed), "target": rm.target, "per_phase": rm.per_phase,
            "formula": LEVERAGE_FORMULA, "total": len(df)}
    return json_response(meta, df.to_json(orient="records", double_precision=6,
                                          force_ascii=False))


def selection(ctx: AppContext, q) -> Selection:
    """The selection of a validated query. A region implies its country; a region outside the
    given country selects no municipality (the answer says so: 0 municipalities, suppressed)."""
    if q.country and q.nuts2 and parse_selection(ctx, None, q.nuts2).country != q.country:
        return Selection(q.country, q.nuts2, q.size_class)  # no cell lies in both
    return parse_selection(ctx, q.country, q.nuts2, q.size_class, strict=True)


def register(api: Api, ctx: AppContext) -> None:
    @api.get("/api/v1/insight/leverage", operation_id="getLeverage", tag="insight",
             summary="Leverage per element for a selection: where support or funding does most",
             description="From the roadmaps computed for every municipality at build time "
                         "(latest wave, default weights, target level 3). Over the "
                         "municipalities of the selection that answered in that wave, per "
                         "element: how many are below target (lacking), the mean of its unlock "
                         "for them (the enabling weight of its dependants a municipality still "
                         "lacks, divided by the largest such weight of any element), leverage = "
                         "lacking x mean unlock, and how often it is a first-phase "
                         "recommendation. A selection with fewer answering municipalities than "
                         "DS4E_MIN_GROUP, or one the disclosure rule holds back, is suppressed "
                         "(no items). 503 when nothing is published or the build has no stored "
                         "roadmaps.",
             query=LeverageQuery, response=LeverageTable, tables=True,
             response_description="The leverage table",
             errors={400: BAD_PARAMETER,
                     503: "Nothing published yet, or the build has no stored roadmaps"})
    def _leverage(q):
        return leverage_response(ctx, q)
