"""Council report API: GET /api/v1/municipalities/{id}/report.pdf and .../report.html.

The one-page report of dashboard/report/ (the same as `python -m pipelines report` and the
profile's and roadmap's download button). Consent as for the municipality's own levels: 403
unless it consented, the request carries its own survey link (cookie), or DS4E_VISIBILITY=open;
404 unknown municipality or wave; 503 nothing published.
"""

from __future__ import annotations

from flask import Response

from dashboard.api_core import ApiError
from dashboard.api_params import ReportQuery
from dashboard.api_spec import BAD_PARAMETER, FORBIDDEN, NOT_PUBLISHED_TEXT, Api, PathParam
from dashboard.context import AppContext
from dashboard.report import ReportRefused, assemble, render_html, render_pdf, report_filename

MID = {"municipality_id": PathParam("GISCO id (from /api/v1/municipalities)", "NL_GM0363")}
DESCRIPTION = (
    "One A4 page (two for a municipality with many applicable laws) for a council: the "
    "municipality's facts, survey date, respondents and agreement; its block scores against the "
    "peer group's quartile band and median (radar and table); its strongest and weakest elements "
    "against the peers; the roadmap's first phase with explanations and Kickstart instruments; "
    "readiness for each EU law that applies (gaps, deadlines, legal basis, unverified facts "
    "marked); peers that can help (named only where they consented); how to read it and the "
    "sources. The numbers are those of /municipalities/{id}, /roadmap and /readiness for the "
    "same wave. Consent rule as for the municipality's levels (403).")
ERRORS = {400: BAD_PARAMETER, 403: FORBIDDEN, 404: "Unknown municipality or wave",
          503: NOT_PUBLISHED_TEXT}


def _report(ctx: AppContext, municipality_id: str, q: ReportQuery):
    try:
        return assemble(ctx, municipality_id, q.wave, q.lang)
    except ReportRefused as exc:
        raise ApiError(exc.status, exc.text("en"), municipality_id=municipality_id) from None


def register(api: Api, ctx: AppContext) -> None:
    @api.get("/api/v1/municipalities/{municipality_id}/report.pdf",
             operation_id="councilReport", tag="insight", path_params=MID,
             summary="One municipality's council report as PDF (tagged PDF/UA-1)",
             description=DESCRIPTION, query=ReportQuery,
             content={"application/pdf": {"schema": {"type": "string", "format": "binary"}}},
             response_description="report-<id>-<wave>-<lang>.pdf", errors=ERRORS)
    def _pdf(municipality_id, q):
        report = _report(ctx, municipality_id, q)
        return Response(render_pdf(report), mimetype="application/pdf", headers={
            "Content-Disposition": f'attachment; filename="{report_filename(report, "pdf")}"'})

    @api.get("/api/v1/municipalities/{municipality_id}/report.html",
             operation_id="councilReportHtml", tag="insight", path_params=MID,
             summary="The same council report as one self-contained HTML page",
             description=DESCRIPTION, query=ReportQuery,
             content={"text/html": {"schema": {"type": "string"}}},
             response_description="The report page", errors=ERRORS)
    def _html(municipality_id, q):
        report = _report(ctx, municipality_id, q)
        return Response(render_html(report), mimetype="text/html")
