"""The "Download report (PDF)" link of the profile and roadmap pages.

A plain link to the report API (GET /api/v1/municipalities/{id}/report.pdf): the browser
downloads it with the page's survey-link cookie, so a municipality sees its own report even
without consent, exactly as the API decides. Hidden while no municipality that may be shown is
chosen (the API would answer 403)."""

from __future__ import annotations

from urllib.parse import quote, urlencode

from dash import html

from dashboard.context import AppContext
from dashboard.i18n import t


def report_link(id_: str, lang: str) -> html.A:
    return html.A(t("report.download", lang), id=id_, hidden=True, download="",
                  className="btn btn-outline-primary btn-sm report-link")


def report_href(ctx: AppContext, m: str | None, wave: str | None, lang: str
                ) -> tuple[str | None, bool, str]:
    """(href, hidden, title) of the link for municipality `m` in `wave`."""
    snap = ctx.warehouse.snapshot()
    if snap is None or not m:
        return None, True, ""
    try:
        row = snap.maturity.index_of(m)
    except KeyError:
        return None, True, ""
    if not ctx.visible(snap, row):
        return None, True, ""
    lang = "en" if lang == "en" else "nl"
    query = {"lang": lang, **({"wave": wave} if wave in snap.waves else {})}
    name = str(ctx.municipalities["name"].iat[row])
    return (f"/api/v1/municipalities/{quote(m)}/report.pdf?{urlencode(query)}", False,
            t("report.download.title", lang, name=name, wave=wave or snap.waves[-1]))
