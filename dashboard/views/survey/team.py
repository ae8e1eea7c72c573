"""The 'your team's answers' section of the survey form: each role's submitted levels, the
municipality's consolidated level with disagreements marked, and the team's consent decision."""

from __future__ import annotations

import dash_bootstrap_components as dbc
from dash import html

from dashboard.context import AppContext
from dashboard.i18n import t
from dashboard.views.survey import data as sd
from dashboard.views.survey import ids
from dashboard.views.survey.texts import consolidated_text, team_summary
from pipelines.survey.sheet import DONT_KNOW
from pipelines.survey.team import TABLE_COLUMNS


def team_view(ctx: AppContext, access, lang: str):
    return [*render_team(sd.team(ctx, access), ctx.framework, lang),
            consent_view(sd.consent(ctx, access), lang)]


def consent_view(decision, lang: str) -> html.P:
    """The team's decision on publication by name, with each role's choice."""
    roles = ", ".join(f"{role}: {t('survey.consent.short.' + ('yes' if v else 'no'), lang)}"
                      for role, v in decision.choices.items())
    return html.P(t(f"survey.team.consent.{decision.state}", lang, roles=roles),
                  className="small survey-team-consent", id=ids.TEAM_CONSENT)


def render_team(df, framework, lang: str):
    """The team table (pipelines.survey.team.team_table) as a page section."""
    if df.empty:
        return [html.P(t("survey.team.none", lang), className="small")]
    roles = [c for c in df.columns if c not in TABLE_COLUMNS]
    names = framework.element_by_id

    def cell(v):
        return t("survey.dontknow.short", lang) if v == DONT_KNOW else (v if v != "" else "·")

    head = html.Thead(html.Tr([html.Th(t("survey.team.element", lang), scope="col"),
                               *[html.Th(r, scope="col") for r in roles],
                               html.Th(t("survey.team.level", lang), scope="col")]))
    body = html.Tbody([html.Tr([
        html.Th([html.Span(r["element_id"], className="el-id"), " ",
                 names[r["element_id"]].name.get(lang)], scope="row", className="fw-normal"),
        *[html.Td(cell(r[c])) for c in roles],
        html.Td([consolidated_text(r["level"], lang),
                 html.Span(" " + t("survey.team.disagree", lang), className="badge text-bg-warning")
                 if r["disagree"] else None]),
    ], className="table-warning" if r["disagree"] else None) for _, r in df.iterrows()])
    n_dis = int(df["disagree"].sum())
    return [html.P(team_summary(len(roles), n_dis, lang), className="small"),
            html.Div(dbc.Table([head, body], size="sm", bordered=False, hover=True,
                               className="survey-team-table"), className="table-responsive",
                     tabIndex="0", role="region",
                     **{"aria-label": t("survey.team.title", lang)})]
