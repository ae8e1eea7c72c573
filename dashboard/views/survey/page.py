"""Survey (Vragenlijst): a municipality's team fills in the self-assessment through its link.

The link (`/survey?token=...`) opens one respondent's form for one municipality and wave. The
form goes block by block; every change is saved as a draft on the server (so a reload or
another device continues where the respondent was), and submitting writes an immutable record
that the next ingest/build picks up. The link also unlocks the municipality's own profile,
roadmap and readiness views in this browser (dashboard/access.py).
"""

from __future__ import annotations

import datetime as dt

import dash_bootstrap_components as dbc
import pandas as pd
from dash import ALL, Input, Output, State, callback_context, dcc, html, no_update
from dash.exceptions import PreventUpdate

from dashboard import ids
from dashboard.access import forget, grant, request_token
from dashboard.components.code_text import t_code
from dashboard.context import AppContext
from dashboard.i18n import normalise_lang, t
from dashboard.views.survey import data as sd
from pipelines.survey.demo import demo_links
from pipelines.survey.sheet import DONT_KNOW
from pipelines.survey.team import TABLE_COLUMNS

PATH = "/survey"
NAV_KEY = "survey.nav"

TOKEN = "survey-token"
BLOCK = "survey-block"
GRANTED = "survey-granted"
FORGET = "survey-forget"
FORGOTTEN = "survey-forgotten"
SINK = "survey-sink"  # output of clientside callbacks that only act on the page
PROGRESS = "survey-progress"
PROGRESS_TEXT = "survey-progress-text"
SAVED = "survey-saved"
PREV = "survey-prev"
NEXT = "survey-next"
CONSENT = "survey-consent"
SUBMIT = "survey-submit"
SUBMIT_MSG = "survey-submit-msg"
TEAM = "survey-team"
LEVEL, CONF, EVIDENCE = "survey-level", "survey-confidence", "survey-evidence"
TAB, SECTION = "survey-tab", "survey-section"
CONFIDENCES = ("low", "medium", "high")


# ------------------------------------------------------------------ layout


def _when(value: dt.datetime | None, lang: str) -> str:
    if value is None:
        return ""
    return value.astimezone(dt.UTC).strftime("%d-%m-%Y %H:%M UTC" if lang == "nl"
                                             else "%Y-%m-%d %H:%M UTC")


def _until(value: dt.datetime, lang: str) -> str:
    """A closing moment as the last minute it is open: midnight closes read as 23:59 the day
    before, which is what 'open until 31 January' means to people."""
    return _when(value - dt.timedelta(minutes=1), lang)


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
    roles = _role_keys(lang)
    items = [html.Li(html.A(
        f"{sd.municipality_name(ctx, x['municipality_id'])} · "
        + (t(f"survey.roles.{x['role']}", lang) if f"survey.roles.{x['role']}" in roles
           else x["role"]),
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


def _level_options(ctx: AppContext, el, lang: str) -> list[dict]:
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
            dbc.RadioItems(id={"type": LEVEL, "element": el.id},
                           options=_level_options(ctx, el, lang),
                           value=answer.level if answer else None, className="survey-levels",
                           inputClassName="me-2", labelClassName="survey-level-label")
            if not disabled else _read_only(ctx, el, answer, lang),
        ], className="mb-2"),
        dbc.Row([
            dbc.Col(html.Fieldset([
                html.Legend([t("survey.confidence.legend", lang),
                             html.Span(f" – {el.id}", className="visually-hidden")],
                            className="form-label small mb-1"),
                dbc.RadioItems(id={"type": CONF, "element": el.id}, inline=True,
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
                dbc.Input(id={"type": EVIDENCE, "element": el.id}, type="text",
                          value=answer.evidence if answer else "", maxLength=2000,
                          debounce=True, disabled=disabled, size="sm",
                          placeholder=t("survey.evidence.placeholder", lang)),
            ], className="w-100"), md=7),
        ], className="g-2"),
    ], className="survey-element card card-body mb-3", **{"aria-labelledby": head_id})


def _read_only(ctx: AppContext, el, answer, lang: str) -> html.P:
    if answer is None or answer.level is None:
        return html.P(t("survey.readonly.none", lang), className="mb-0")
    if answer.level == DONT_KNOW:
        return html.P(t("survey.dontknow", lang), className="mb-0")
    return html.P(_level_options(ctx, el, lang)[int(answer.level)]["label"], className="mb-0")


def block_tabs(ctx: AppContext, per: dict, current: int, lang: str) -> list:
    tabs = []
    for i, b in enumerate(ctx.framework.blocks):
        done, total = per[b.id]
        tabs.append(html.Li(html.Button(
            [html.Span(f"{i + 1}. {b.name.get(lang)}", className="survey-tab-name"), " ",
             html.Span(f"{done}/{total}", className="badge rounded-pill "
                       + ("text-bg-success" if done == total else "text-bg-light"))],
            id={"type": TAB, "block": i}, type="button", n_clicks=0,
            className="btn btn-sm " + ("btn-primary" if i == current else "btn-outline-primary"),
            **({"aria-current": "step"} if i == current else {})), className="me-1 mb-1"))
    return tabs


def progress_parts(answered: int, total: int, lang: str) -> tuple[int, str]:
    pct = round(100 * answered / total) if total else 0
    return pct, t("survey.progress", lang, n=answered, total=total)


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
        return refusal(opened.refusal, lang, date=_when(opened.expired_at, lang))
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
    ], id={"type": SECTION, "block": i}, hidden=i != 0, className="survey-section")
        for i, b in enumerate(fw.blocks)]
    status = []
    if not editable:
        key = "survey.closed" if now >= wave.closes_at else "survey.notyet"
        status.append(dbc.Alert(t(key, lang, date=_when(wave.closes_at if now >= wave.closes_at
                                                        else wave.opens_at, lang)),
                                color="secondary"))
    if submitted:
        status.append(dbc.Alert(t("survey.submitted.before", lang, when=_when(submitted, lang),
                                  date=_until(wave.closes_at, lang)), color="success",
                                className="py-2"))
    consent_value = {True: "yes", False: "no"}.get(sheet.consent)
    return html.Div([
        dcc.Store(id=TOKEN, data=token, storage_type="memory"),
        dcc.Store(id=BLOCK, data=0, storage_type="memory"),
        dcc.Store(id=GRANTED, storage_type="memory"),
        dcc.Store(id=FORGOTTEN, storage_type="memory"),
        dcc.Store(id=SINK, storage_type="memory"),
        html.H1([t("survey.title", lang), html.Small(f" · {wave.title or wave.wave}",
                                                     className="text-body-secondary")],
                className="h3"),
        html.P([html.Strong(name), f" ({inv.municipality_id}) · ",
                t("survey.role", lang, role=t(f"survey.roles.{inv.role}", lang)
                  if f"survey.roles.{inv.role}" in _role_keys(lang) else inv.role),
                " · ", t("survey.closes", lang, date=_until(wave.closes_at, lang))],
               className="mb-1"),
        html.Div([own_links(inv.municipality_id, lang),
                  dbc.Button(t("survey.forget", lang), id=FORGET, color="link", size="sm",
                             className="px-1 ms-auto text-body-secondary")],
                 className="d-flex flex-wrap align-items-baseline"),
        *status,
        html.Div([
            html.Div(progress_bar(pct, label), id=PROGRESS),
            html.Div([html.Span(label, id=PROGRESS_TEXT, className="me-2"),
                      html.Span(t("survey.saved.at", lang, when=_when(draft.saved_at, lang))
                                if draft.saved_at else "", id=SAVED,
                                className="text-body-secondary")],
                     className="small mt-1", role="status", **{"aria-live": "polite"}),
        ], className="survey-sticky py-2"),
        html.Nav(html.Ul(block_tabs(ctx, per, 0, lang), id="survey-tabs",
                         className="list-unstyled d-flex flex-wrap mb-2"),
                 **{"aria-label": t("survey.blocks.label", lang)}),
        html.Div(sections),
        html.Div([
            dbc.Button(t("survey.prev", lang), id=PREV, color="secondary", outline=True,
                       className="me-2"),
            dbc.Button(t("survey.next", lang), id=NEXT, color="primary"),
        ], className="d-flex my-3"),
        dbc.Card(dbc.CardBody([
            html.H2(t("survey.finish.title", lang), className="h5"),
            html.Fieldset([
                html.Legend(t("survey.consent.legend", lang), className="form-label fs-6"),
                html.P(t("survey.consent.help", lang), className="small text-body-secondary"),
                dbc.RadioItems(id=CONSENT, value=consent_value, inline=True,
                               options=[{"label": t("survey.consent.yes", lang), "value": "yes"},
                                        {"label": t("survey.consent.no", lang), "value": "no"}])
                if editable else html.P(t(f"survey.consent.{consent_value or 'unset'}", lang)),
            ], className="mb-3"),
            dbc.Button(t("survey.submit", lang), id=SUBMIT, color="success", disabled=not editable),
            dcc.Loading(html.Div(id=SUBMIT_MSG, className="mt-3", role="status",
                                 **{"aria-live": "polite"}), type="dot", delay_show=300),
        ]), className="mb-4"),
        html.H2(t("survey.team.title", lang), className="h5"),
        html.P(t("survey.team.lead", lang), className="small text-body-secondary"),
        html.Div(team_view(ctx, access, lang), id=TEAM),
    ], className="survey-page")


def _role_keys(lang: str) -> set[str]:
    from dashboard.i18n import catalog

    return {k for k in catalog(lang) if k.startswith("survey.roles.")}


def consolidated_text(level, lang: str) -> str:
    """The team's level as the build will give it; none when nobody knew (NaN, NA or None)."""
    return t("survey.team.unknown", lang) if pd.isna(level) else str(int(level))


def team_view(ctx: AppContext, access, lang: str):
    return [*render_team(sd.team(ctx, access), ctx.framework, lang),
            consent_view(sd.consent(ctx, access), lang)]


def consent_view(decision, lang: str) -> html.P:
    """The team's decision on publication by name, with each role's choice."""
    roles = ", ".join(f"{role}: {t('survey.consent.short.' + ('yes' if v else 'no'), lang)}"
                      for role, v in decision.choices.items())
    return html.P(t(f"survey.team.consent.{decision.state}", lang, roles=roles),
                  className="small survey-team-consent", id="survey-team-consent")


def team_summary(roles: int, disagree: int, lang: str) -> str:
    """How many roles submitted and on how many elements they disagree, singular or plural
    (one role cannot disagree with itself)."""
    if roles == 1:
        return t("survey.team.summary.one", lang)
    return t("survey.team.summary" + (".disagree.one" if disagree == 1 else ""), lang,
             n=roles, d=disagree)


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


# ------------------------------------------------------------------ callbacks (thin)


def values_by_element(inputs: list[dict]) -> dict:
    """Dash ALL-pattern inputs ([{'id': {...,'element': E}, 'value': v}, ...]) -> {E: v}."""
    return {i["id"]["element"]: i.get("value") for i in inputs}


def refused_text(out: sd.Outcome, lang: str) -> str:
    return t(out.key, lang) + (f" ({out.detail})" if out.detail else "")


def on_change(ctx: AppContext, token, levels: dict, confs: dict, evidences: dict, consent,
              lang: str, now: dt.datetime | None = None):
    """Save the draft; return (progress bar, progress text, saved text, per-block counts)."""
    lang = normalise_lang(lang)
    data = sd.sheet_from_controls(sd.element_order(ctx), levels, confs, evidences, consent)
    out = sd.save(ctx, token, data, now=now)
    if not out.ok:
        return no_update, no_update, refused_text(out, lang), no_update
    answered, total, per = sd.answered_counts(ctx, out.sheet)
    pct, label = progress_parts(answered, total, lang)
    return (progress_bar(pct, label), label, t("survey.saved.at", lang, when=_when(out.when, lang)),
            per)


def on_submit(ctx: AppContext, token, levels: dict, confs: dict, evidences: dict, consent,
              lang: str, now: dt.datetime | None = None):
    """Submit; return (message, team view)."""
    lang = normalise_lang(lang)
    data = sd.sheet_from_controls(sd.element_order(ctx), levels, confs, evidences, consent)
    out = sd.submit(ctx, token, data, now=now)
    if not out.ok:
        return dbc.Alert(refused_text(out, lang), color="warning"), no_update
    access = ctx.survey.open_link(token, now=now)
    answered, total, _ = sd.answered_counts(ctx, out.sheet)
    body = [html.Strong(t("survey.submitted", lang, when=_when(out.when, lang))), " ",
            t("survey.submitted.next", lang, date=_until(access.wave.closes_at, lang))]
    if answered < total:
        body += [" ", t("survey.submitted.partial", lang, n=total - answered)]
    return (dbc.Alert([html.P(body, className="mb-2"), own_links(access.invitation.municipality_id,
                                                                  lang)], color="success"),
            team_view(ctx, access, lang))


def next_block(current: int | None, trigger, n_blocks: int) -> int:
    """The block to show after a click on prev/next or on a block tab."""
    current = current or 0
    if trigger == PREV:
        return max(current - 1, 0)
    if trigger == NEXT:
        return min(current + 1, n_blocks - 1)
    if isinstance(trigger, dict) and trigger.get("type") == TAB:
        return min(max(int(trigger["block"]), 0), n_blocks - 1)
    return current


def register(app, ctx: AppContext) -> None:
    n_blocks = len(ctx.framework.blocks)
    controls = [Input({"type": LEVEL, "element": ALL}, "value"),
                Input({"type": CONF, "element": ALL}, "value"),
                Input({"type": EVIDENCE, "element": ALL}, "value"),
                Input(CONSENT, "value")]

    @app.callback(Output(PROGRESS, "children"), Output(PROGRESS_TEXT, "children"), Output(SAVED, "children"),
                  Output("survey-tabs", "children", allow_duplicate=True),
                  *controls, State(TOKEN, "data"), State(BLOCK, "data"), State(ids.LANG, "value"),
                  prevent_initial_call=True)
    def _save(_levels, _confs, _evidence, consent, token, block, lang):
        groups = callback_context.inputs_list
        bar, text, saved, per = on_change(
            ctx, token, values_by_element(groups[0]), values_by_element(groups[1]),
            values_by_element(groups[2]), consent, lang)
        tabs = no_update if per is no_update else block_tabs(ctx, per, block or 0,
                                                             normalise_lang(lang))
        return bar, text, saved, tabs

    @app.callback(Output(SUBMIT_MSG, "children"), Output(TEAM, "children"),
                  Input(SUBMIT, "n_clicks"),
                  State({"type": LEVEL, "element": ALL}, "value"),
                  State({"type": CONF, "element": ALL}, "value"),
                  State({"type": EVIDENCE, "element": ALL}, "value"),
                  State(CONSENT, "value"), State(TOKEN, "data"), State(ids.LANG, "value"),
                  prevent_initial_call=True)
    def _submit(_n, _levels, _confs, _evidence, consent, token, lang):
        groups = callback_context.states_list
        return on_submit(ctx, token, values_by_element(groups[0]), values_by_element(groups[1]),
                         values_by_element(groups[2]), consent, lang)

    @app.callback(Output(BLOCK, "data"), Output({"type": SECTION, "block": ALL}, "hidden"),
                  Output("survey-tabs", "children", allow_duplicate=True),
                  Input(PREV, "n_clicks"), Input(NEXT, "n_clicks"),
                  Input({"type": TAB, "block": ALL}, "n_clicks"),
                  State(BLOCK, "data"), State(TOKEN, "data"),
                  State({"type": LEVEL, "element": ALL}, "value"), State(ids.LANG, "value"),
                  prevent_initial_call=True)
    def _block(_p, _n, _tabs, current, token, levels, lang):
        trigger = callback_context.triggered_id
        if isinstance(trigger, dict) and not any(_tabs or []):
            raise PreventUpdate  # the tabs were re-rendered, nobody clicked
        block = next_block(current, trigger, n_blocks)
        levels = values_by_element(callback_context.states_list[2])
        _, _, per = sd.answered_counts(ctx, sd.sheet_of_levels(ctx, levels))
        return block, [i != block for i in range(n_blocks)], block_tabs(ctx, per, block,
                                                                       normalise_lang(lang))

    # Move focus to the new block's heading, so keyboard and screen-reader users land on it.
    app.clientside_callback(
        """function(block) {
            const sections = document.querySelectorAll('.survey-section');
            const h = sections[block] && sections[block].querySelector('h2');
            if (h) { h.setAttribute('tabindex', '-1'); h.focus(); h.scrollIntoView({block: 'start'}); }
            return window.dash_clientside.no_update;
        }""",
        Output(SINK, "data", allow_duplicate=True), Input(BLOCK, "data"),
        prevent_initial_call=True)

    @app.callback(Output(GRANTED, "data"), Input(TOKEN, "data"))
    def _grant(token):
        """A valid link unlocks its municipality's own views in this browser (cookie)."""
        opened = sd.open_survey(ctx, token)
        if opened.ok:
            grant(callback_context.response, opened.access, token)
            return opened.access.invitation.municipality_id
        return None

    # Once the cookie holds the link, drop the token from the address bar and history.
    app.clientside_callback(
        """function(granted) {
            if (granted && window.location.search.indexOf('token=') >= 0) {
                window.history.replaceState(null, '', window.location.pathname);
            }
            return window.dash_clientside.no_update;
        }""",
        Output(SINK, "data", allow_duplicate=True), Input(GRANTED, "data"),
        prevent_initial_call=True)

    @app.callback(Output(FORGOTTEN, "data"), Input(FORGET, "n_clicks"), prevent_initial_call=True)
    def _forget(_n):
        """A shared computer: the link stops opening anything in this browser."""
        forget(callback_context.response)
        return True

    app.clientside_callback(
        """function(done) {
            if (done) { window.location.assign('/survey'); }
            return window.dash_clientside.no_update;
        }""",
        Output(SINK, "data", allow_duplicate=True), Input(FORGOTTEN, "data"),
        prevent_initial_call=True)
