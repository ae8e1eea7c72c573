"""The survey form's components: the intro without a link, a refusal, the demo links, one card
per element (level, confidence, evidence), the block tabs, progress, submit and the team."""

from __future__ import annotations

import datetime as dt

import dash_bootstrap_components as dbc
from dash import dcc, html

from dashboard.access import request_token
from dashboard.components.code_text import t_code
from dashboard.context import AppContext
from dashboard.i18n import normalise_lang, t
from dashboard.views.survey import data as sd
from dashboard.views.survey import ids
from dashboard.views.survey.team import team_view
from dashboard.views.survey.texts import progress_parts, role_label, until, when
from pipelines.survey.demo import demo_links
from pipelines.survey.sheet import DONT_KNOW

CONFIDENCES = ("low", "medium", "high")


def refusal(key: str, lang: str, **values) -> html.Div:
    """A clear message and nothing else: no municipality, no answers."""
    return html.Div([
        html.H1(t("survey.title", lang), className="h3"),
        dbc.Alert([html.H2(t(f"survey.refused.{key}.title", lang), className="h5"),
                   html.P(t(f"survey.refused.{key}", lang, **values), className="mb-0")],
                  color="warning" if key != "coordinator" else "info", className="survey-refusal"),
    ])


def demo_card(ctx: AppContext, lang: str):
    """The demo wave's links, so the survey can be tried without a coordinator
    (pipelines/survey/demo.py). Only while the published build is demo AND the links file is
    there: these links are public, and a build with any real input is not demo (publishing it
    revokes them and removes the file)."""
    snap = ctx.warehouse.snapshot()
    if snap is None or not snap.demo:
        return None
    demo = demo_links(ctx.settings.state_dir)
    if not demo:
        return None
    items = [html.Li(html.A(
        f"{sd.municipality_name(ctx, x['municipality_id'])} · {role_label(x['role'], lang)}",
        href=f"/survey?token={x['token']}")) for x in demo["links"]]
    return dbc.Card(dbc.CardBody([
        html.H2(t("survey.demo.title", lang), className="h5"),
        dbc.Alert([html.Strong(t("survey.demo.warning.title", lang)), " ",
                   t("survey.demo.warning", lang)],
                  color="danger", className="survey-demo-warning"),
        html.P(t_code("survey.demo.body", lang, wave=demo["wave"])),
        html.Ul(items),
        html.P(html.A(t("survey.demo.coordinator", lang),
                      href=f"/survey/progress?token={demo['coordinator_token']}")),
    ]), className="mb-4 border-warning survey-demo")


def intro(ctx: AppContext, lang: str) -> html.Div:
    """/survey without a link: how the survey works and how a coordinator starts a wave."""
    return html.Div([
        html.H1(t("survey.title", lang), className="h3"),
        html.P(t("survey.intro.lead", lang), className="lead"),
        dbc.Alert(t("survey.refused.missing", lang), color="info"),
        demo_card(ctx, lang),
        html.H2(t("survey.intro.how", lang), className="h5 mt-4"),
        html.Ol([html.Li(t(f"survey.intro.step{i}", lang)) for i in range(1, 5)]),
        html.H2(t("survey.intro.coordinator", lang), className="h5 mt-4"),
        html.P(t("survey.intro.coordinator.body", lang)),
        html.Pre(html.Code(
            "python -m pipelines survey create-wave --wave 2026 --closes 2027-01-31\n"
            "python -m pipelines survey invite --wave 2026 --country NL --roles cio,ciso,dpo "
            "--out links.csv\n"
            "python -m pipelines survey status --wave 2026\n"
            "python -m pipelines build"), className="bg-light p-3 rounded small"),
    ], className="survey-intro")


def level_options(ctx: AppContext, el, lang: str) -> list[dict]:
    scale = {s.level: s.label.get(lang) for s in ctx.framework.scale}
    opts = [{"label": f"{lvl} · {scale[lvl]} — {el.levels[lvl].get(lang)}", "value": lvl}
            for lvl in range(5)]
    return [*opts, {"label": t("survey.dontknow", lang), "value": DONT_KNOW}]


def element_card(ctx: AppContext, el, answer, lang: str, disabled: bool) -> html.Article:
    head_id = f"survey-q-{el.id}"
    return html.Article([
        html.H3([html.Span(el.id, className="el-id"), " ", el.name.get(lang)], id=head_id,
                className="h6 mb-1"),
        html.P(el.description.get(lang), className="small text-body-secondary mb-2"),
        html.Fieldset([
            html.Legend([t("survey.level.legend", lang),
                         html.Span(f" – {el.id} {el.name.get(lang)}", className="visually-hidden")],
                        className="form-label fs-6 fw-semibold"),
            dbc.RadioItems(id={"type": ids.LEVEL, "element": el.id},
                           options=level_options(ctx, el, lang),
                           value=answer.level if answer else None, className="survey-levels",
                           inputClassName="me-2", labelClassName="survey-level-label")
            if not disabled else read_only(ctx, el, answer, lang),
        ], className="mb-2"),
        dbc.Row([
            dbc.Col(html.Fieldset([
                html.Legend([t("survey.confidence.legend", lang),
                             html.Span(f" – {el.id}", className="visually-hidden")],
                            className="form-label small mb-1"),
                dbc.RadioItems(id={"type": ids.CONF, "element": el.id}, inline=True,
                               options=[{"label": t(f"survey.confidence.{c}", lang), "value": c}
                                        for c in CONFIDENCES],
                               value=answer.confidence if answer else None,
                               inputClassName="me-1") if not disabled else
                html.P(t(f"survey.confidence.{answer.confidence}", lang) if answer and
                       answer.confidence else "—", className="small mb-0"),
            ]), md=5),
            dbc.Col(html.Label([
                html.Span([t("survey.evidence.label", lang),
                           html.Span(f" – {el.id}", className="visually-hidden")],
                          className="d-block small mb-1"),
                dbc.Input(id={"type": ids.EVIDENCE, "element": el.id}, type="text",
                          value=answer.evidence if answer else "", maxLength=2000,
                          debounce=True, disabled=disabled, size="sm",
                          placeholder=t("survey.evidence.placeholder", lang)),
            ], className="w-100"), md=7),
        ], className="g-2"),
    ], className="survey-element card card-body mb-3", **{"aria-labelledby": head_id})


def read_only(ctx: AppContext, el, answer, lang: str) -> html.P:
    if answer is None or answer.level is None:
        return html.P(t("survey.readonly.none", lang), className="mb-0")
    if answer.level == DONT_KNOW:
        return html.P(t("survey.dontknow", lang), className="mb-0")
    return html.P(level_options(ctx, el, lang)[int(answer.level)]["label"], className="mb-0")


def block_tabs(ctx: AppContext, per: dict, current: int, lang: str) -> list:
    tabs = []
    for i, b in enumerate(ctx.framework.blocks):
        done, total = per[b.id]
        tabs.append(html.Li(html.Button(
            [html.Span(f"{i + 1}. {b.name.get(lang)}", className="survey-tab-name"), " ",
             html.Span(f"{done}/{total}", className="badge rounded-pill "
                       + ("text-bg-success" if done == total else "text-bg-light"))],
            id={"type": ids.TAB, "block": i}, type="button", n_clicks=0,
            className="btn btn-sm " + ("btn-primary" if i == current else "btn-outline-primary"),
            **({"aria-current": "step"} if i == current else {})), className="me-1 mb-1"))
    return tabs


def progress_bar(pct: int, label: str) -> html.Div:
    """Bootstrap's progress markup with an accessible name (dbc.Progress takes no aria-label)."""
    return html.Div(html.Div(f"{pct}%", className="progress-bar", style={"width": f"{pct}%"}),
                    className="progress survey-progress-bar", role="progressbar",
                    **{"aria-label": label, "aria-valuenow": pct, "aria-valuemin": 0,
                       "aria-valuemax": 100})


def own_links(municipality_id: str, lang: str) -> html.Div:
    return html.Div([
        html.Span(t("survey.own.lead", lang) + " ", className="me-1"),
        dbc.Button(t("survey.own.profile", lang), href=f"/profile?m={municipality_id}",
                   color="link", size="sm", className="px-1"),
        dbc.Button(t("survey.own.roadmap", lang), href=f"/roadmap?m={municipality_id}",
                   color="link", size="sm", className="px-1"),
        dbc.Button(t("survey.own.readiness", lang),
                   href=f"/legislation?view=municipality&m={municipality_id}",
                   color="link", size="sm", className="px-1"),
    ], className="survey-own small")


def layout(ctx: AppContext, lang: str, query: dict | None = None) -> html.Div:
    lang = normalise_lang(lang)
    query = query or {}
    # Without a token in the address, the link opened earlier in this browser (its cookie)
    # continues the survey; the address itself is cleaned after opening (no token in history).
    token = query.get("token") or request_token()
    if not token:
        return intro(ctx, lang)
    opened = sd.open_survey(ctx, token, requested=query.get("m"))
    if not opened.ok and not query.get("token"):
        return intro(ctx, lang)  # a stale cookie: explain, do not alarm
    if not opened.ok:
        if opened.refusal == "coordinator":
            return html.Div([refusal("coordinator", lang),
                             dbc.Button(t("survey.refused.coordinator.open", lang),
                                        href=f"/survey/progress?token={token}", color="primary")])
        return refusal(opened.refusal, lang, date=when(opened.expired_at, lang))
    access = opened.access
    inv, wave = access.invitation, access.wave
    now = dt.datetime.now(dt.UTC)
    editable = access.can_edit(now)
    draft = sd.load(ctx, access)
    sheet = draft.sheet
    answered, total, per = sd.answered_counts(ctx, sheet)
    pct, label = progress_parts(answered, total, lang)
    name = sd.municipality_name(ctx, inv.municipality_id)
    fw = ctx.framework
    submitted = sd.records.submitted_at(ctx.survey, access)
    sections = [html.Section([
        html.H2([f"{i + 1}. ", b.name.get(lang)], className="h5 block-heading mt-2"),
        html.P(b.description.get(lang), className="small text-body-secondary"),
        *[element_card(ctx, el, sheet.answers.get(el.id), lang, not editable)
          for el in fw.elements_of(b.id)],
    ], id={"type": ids.SECTION, "block": i}, hidden=i != 0, className="survey-section")
        for i, b in enumerate(fw.blocks)]
    status = []
    if not editable:
        key = "survey.closed" if now >= wave.closes_at else "survey.notyet"
        status.append(dbc.Alert(t(key, lang, date=when(wave.closes_at if now >= wave.closes_at
                                                        else wave.opens_at, lang)),
                                color="secondary"))
    if submitted:
        status.append(dbc.Alert(t("survey.submitted.before", lang, when=when(submitted, lang),
                                  date=until(wave.closes_at, lang)), color="success",
                                className="py-2"))
    consent_value = {True: "yes", False: "no"}.get(sheet.consent)
    return html.Div([
        dcc.Store(id=ids.TOKEN, data=token, storage_type="memory"),
        dcc.Store(id=ids.BLOCK, data=0, storage_type="memory"),
        dcc.Store(id=ids.GRANTED, storage_type="memory"),
        dcc.Store(id=ids.FORGOTTEN, storage_type="memory"),
        dcc.Store(id=ids.SINK, storage_type="memory"),
        html.H1([t("survey.title", lang), html.Small(f" · {wave.title or wave.wave}",
                                                     className="text-body-secondary")],
                className="h3"),
        html.P([html.Strong(name), f" ({inv.municipality_id}) · ",
                t("survey.role", lang, role=role_label(inv.role, lang)),
                " · ", t("survey.closes", lang, date=until(wave.closes_at, lang))],
               className="mb-1"),
        html.Div([own_links(inv.municipality_id, lang),
                  dbc.Button(t("survey.forget", lang), id=ids.FORGET, color="link", size="sm",
                             className="px-1 ms-auto text-body-secondary")],
                 className="d-flex flex-wrap align-items-baseline"),
        *status,
        html.Div([
            html.Div(progress_bar(pct, label), id=ids.PROGRESS),
            html.Div([html.Span(label, id=ids.PROGRESS_TEXT, className="me-2"),
                      html.Span(t("survey.saved.at", lang, when=when(draft.saved_at, lang))
                                if draft.saved_at else "", id=ids.SAVED,
                                className="text-body-secondary")],
                     className="small mt-1", role="status", **{"aria-live": "polite"}),
        ], className="survey-sticky py-2"),
        html.Nav(html.Ul(block_tabs(ctx, per, 0, lang), id=ids.TABS,
                         className="list-unstyled d-flex flex-wrap mb-2"),
                 **{"aria-label": t("survey.blocks.label", lang)}),
        html.Div(sections),
        html.Div([
            dbc.Button(t("survey.prev", lang), id=ids.PREV, color="secondary", outline=True,
                       className="me-2"),
            dbc.Button(t("survey.next", lang), id=ids.NEXT, color="primary"),
        ], className="d-flex my-3"),
        dbc.Card(dbc.CardBody([
            html.H2(t("survey.finish.title", lang), className="h5"),
            html.Fieldset([
                html.Legend(t("survey.consent.legend", lang), className="form-label fs-6"),
                html.P(t("survey.consent.help", lang), className="small text-body-secondary"),
                dbc.RadioItems(id=ids.CONSENT, value=consent_value, inline=True,
                               options=[{"label": t("survey.consent.yes", lang), "value": "yes"},
                                        {"label": t("survey.consent.no", lang), "value": "no"}])
                if editable else html.P(t(f"survey.consent.{consent_value or 'unset'}", lang)),
            ], className="mb-3"),
            dbc.Button(t("survey.submit", lang), id=ids.SUBMIT, color="success", disabled=not editable),
            dcc.Loading(html.Div(id=ids.SUBMIT_MSG, className="mt-3", role="status",
                                 **{"aria-live": "polite"}), type="dot", delay_show=300),
        ]), className="mb-4"),
        html.H2(t("survey.team.title", lang), className="h5"),
        html.P(t("survey.team.lead", lang), className="small text-body-secondary"),
        html.Div(team_view(ctx, access, lang), id=ids.TEAM),
    ], className="survey-page")
