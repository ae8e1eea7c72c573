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

from flask import Flask, Response, request

from dashboard.api_formats import FORMATS, table_response
from dashboard.api_insight import (
    LANGS,
    ApiError,
    api_view,
    bad_parameter,
    json_response,
    param_choice,
)
from dashboard.context import AppContext
from dashboard.policy_data import (
    LEVERAGE_FORMULA,
    SelectionError,
    leverage_frame,
    leverage_of,
    parse_selection,
    policy_data,
    published,
)

NOT_PUBLISHED = "no survey data published yet"
NO_ROADMAPS = ("the published build has no stored roadmaps; rebuild with "
               "`python -m pipelines build --force`")
PARAMETERS = ("country", "nuts2", "size_class", "format", "lang")
FIELDS = ("rank", "element_id", "element", "lacking", "share_lacking", "mean_unlock",
          "leverage", "first_phase", "first_phase_share", "first_step")


def leverage_response(ctx: AppContext, args) -> Response:
    fmt = param_choice(args, "format", FORMATS, "json")
    lang = param_choice(args, "lang", LANGS, "en")
    try:
        sel = parse_selection(ctx, args.get("country"), args.get("nuts2"),
                              args.get("size_class"), strict=True)
    except SelectionError as e:
        raise bad_parameter(e.parameter, e.value, e.allowed or ["see the message"],
                            e.what) from None
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


def register(server: Flask, ctx: AppContext) -> None:
    @server.get("/api/v1/insight/leverage")
    @api_view
    def _leverage():
        return leverage_response(ctx, request.args)
