"""The survey form's callbacks: every change saves the draft, submit writes a record, the
block tabs and prev/next move through the blocks, the link is granted (cookie) or forgotten.
The bodies are module functions (tested without Dash's machinery); `register` only wires them."""

from __future__ import annotations

import datetime as dt

import dash_bootstrap_components as dbc
from dash import ALL, Input, Output, State, callback_context, html, no_update
from dash.exceptions import PreventUpdate

from dashboard import ids as shared_ids
from dashboard.access import forget, grant
from dashboard.context import AppContext
from dashboard.i18n import normalise_lang, t
from dashboard.views.survey import data as sd
from dashboard.views.survey import ids
from dashboard.views.survey.layout import block_tabs, own_links, progress_bar
from dashboard.views.survey.team import team_view
from dashboard.views.survey.texts import progress_parts, refused_text, until, when


def values_by_element(inputs: list[dict]) -> dict:
    """Dash ALL-pattern inputs ([{'id': {...,'element': E}, 'value': v}, ...]) -> {E: v}."""
    return {i["id"]["element"]: i.get("value") for i in inputs}


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
    return (progress_bar(pct, label), label, t("survey.saved.at", lang, when=when(out.when, lang)),
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
    body = [html.Strong(t("survey.submitted", lang, when=when(out.when, lang))), " ",
            t("survey.submitted.next", lang, date=until(access.wave.closes_at, lang))]
    if answered < total:
        left = total - answered
        body += [" ", t("survey.submitted.partial" + (".one" if left == 1 else ""), lang, n=left)]
    return (dbc.Alert([html.P(body, className="mb-2"), own_links(access.invitation.municipality_id,
                                                                  lang)], color="success"),
            team_view(ctx, access, lang))


def next_block(current: int | None, trigger, n_blocks: int) -> int:
    """The block to show after a click on prev/next or on a block tab."""
    current = current or 0
    if trigger == ids.PREV:
        return max(current - 1, 0)
    if trigger == ids.NEXT:
        return min(current + 1, n_blocks - 1)
    if isinstance(trigger, dict) and trigger.get("type") == ids.TAB:
        return min(max(int(trigger["block"]), 0), n_blocks - 1)
    return current


def register(app, ctx: AppContext) -> None:
    n_blocks = len(ctx.framework.blocks)
    controls = [Input({"type": ids.LEVEL, "element": ALL}, "value"),
                Input({"type": ids.CONF, "element": ALL}, "value"),
                Input({"type": ids.EVIDENCE, "element": ALL}, "value"),
                Input(ids.CONSENT, "value")]

    @app.callback(Output(ids.PROGRESS, "children"), Output(ids.PROGRESS_TEXT, "children"),
                  Output(ids.SAVED, "children"),
                  Output(ids.TABS, "children", allow_duplicate=True),
                  *controls, State(ids.TOKEN, "data"), State(ids.BLOCK, "data"),
                  State(shared_ids.LANG, "value"),
                  prevent_initial_call=True)
    def _save(_levels, _confs, _evidence, consent, token, block, lang):
        groups = callback_context.inputs_list
        bar, text, saved, per = on_change(
            ctx, token, values_by_element(groups[0]), values_by_element(groups[1]),
            values_by_element(groups[2]), consent, lang)
        tabs = no_update if per is no_update else block_tabs(ctx, per, block or 0,
                                                             normalise_lang(lang))
        return bar, text, saved, tabs

    @app.callback(Output(ids.SUBMIT_MSG, "children"), Output(ids.TEAM, "children"),
                  Input(ids.SUBMIT, "n_clicks"),
                  State({"type": ids.LEVEL, "element": ALL}, "value"),
                  State({"type": ids.CONF, "element": ALL}, "value"),
                  State({"type": ids.EVIDENCE, "element": ALL}, "value"),
                  State(ids.CONSENT, "value"), State(ids.TOKEN, "data"),
                  State(shared_ids.LANG, "value"),
                  prevent_initial_call=True)
    def _submit(_n, _levels, _confs, _evidence, consent, token, lang):
        groups = callback_context.states_list
        return on_submit(ctx, token, values_by_element(groups[0]), values_by_element(groups[1]),
                         values_by_element(groups[2]), consent, lang)

    @app.callback(Output(ids.BLOCK, "data"),
                  Output({"type": ids.SECTION, "block": ALL}, "hidden"),
                  Output(ids.TABS, "children", allow_duplicate=True),
                  Input(ids.PREV, "n_clicks"), Input(ids.NEXT, "n_clicks"),
                  Input({"type": ids.TAB, "block": ALL}, "n_clicks"),
                  State(ids.BLOCK, "data"), State(ids.TOKEN, "data"),
                  State({"type": ids.LEVEL, "element": ALL}, "value"),
                  State(shared_ids.LANG, "value"),
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
        Output(ids.SINK, "data", allow_duplicate=True), Input(ids.BLOCK, "data"),
        prevent_initial_call=True)

    @app.callback(Output(ids.GRANTED, "data"), Input(ids.TOKEN, "data"))
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
        Output(ids.SINK, "data", allow_duplicate=True), Input(ids.GRANTED, "data"),
        prevent_initial_call=True)

    @app.callback(Output(ids.FORGOTTEN, "data"), Input(ids.FORGET, "n_clicks"),
                  prevent_initial_call=True)
    def _forget(_n):
        """A shared computer: the link stops opening anything in this browser."""
        forget(callback_context.response)
        return True

    app.clientside_callback(
        """function(done) {
            if (done) { window.location.assign('/survey'); }
            return window.dash_clientside.no_update;
        }""",
        Output(ids.SINK, "data", allow_duplicate=True), Input(ids.FORGOTTEN, "data"),
        prevent_initial_call=True)
