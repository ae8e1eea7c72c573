"""The Legislation page's callbacks: `register(app, ctx)` wires them; each body is a module-level
function (tested as a function) that unpacks its inputs and calls the view's builders."""

from __future__ import annotations

from dash import ALL, Input, Output, State, callback_context, no_update
from dash.exceptions import PreventUpdate

from dashboard import file_links, ids, warmup
from dashboard.components.downloads import chosen_format, download_inputs, href_outputs
from dashboard.components.municipality_picker import search_options
from dashboard.context import AppContext
from dashboard.i18n import normalise_lang
from dashboard.views.legislation import data as ld
from dashboard.views.legislation import export
from dashboard.views.legislation.aggregate_card import aggregate
from dashboard.views.legislation.data_draft import draft_profile, draft_text, draft_yaml, law_slots
from dashboard.views.legislation.data_municipality import condition_checklist
from dashboard.views.legislation.draft_editor import draft, editor_slots
from dashboard.views.legislation.export import municipality_download
from dashboard.views.legislation.ids import (
    AGG_BAR,
    AGG_BAR_CAPTION,
    AGG_BOX,
    AGG_CSV_BUTTON,
    AGG_HEAT,
    AGG_HEAT_CAPTION,
    AGG_LACKING,
    AGG_TABLE,
    AGG_TIME,
    AGG_TIME_CAPTION,
    ANY,
    AT,
    CONDITIONS,
    COUNTRY,
    DRAFT_BOX,
    DRAFT_ID,
    DRAFT_POP,
    DRAFT_RESULT,
    DRAFT_SLOTS,
    DRAFT_START,
    DRAFT_YAML,
    DRAFT_YAML_BUTTON,
    HEAT_CSV_BUTTON,
    HORIZON,
    LAW,
    MUN_BOX,
    MUN_CSV,
    MUN_CSV_BUTTON,
    MUN_RESULT,
    MUN_TIME,
    MUN_TIME_CAPTION,
    NIS2,
    NUTS2,
    PICKER,
    REQ_KINDS,
    SIZE,
    VIEW,
    VIEWS,
)
from dashboard.views.legislation.layout import nuts2_options
from dashboard.views.legislation.municipality_card import municipality
from dashboard.views.legislation.state import at_value, horizon_value, selection, state_query

SEL = [Input(COUNTRY, "value"), Input(NUTS2, "value"), Input(SIZE, "value"), Input(AT, "value"),
       Input(HORIZON, "value")]
SLOT_INPUTS = [Input({"type": k, "index": ALL}, "value") for k in REQ_KINDS]


def skip_hidden(view, mine: str) -> None:
    """A view's callback computes only while that view is shown (the hidden views' charts and
    tables cost the browser render time for nothing); switching views triggers it."""
    if (view if view in VIEWS else "aggregate") != mine:
        raise PreventUpdate


def url_search(view, country, nuts2, size, at, horizon, law, m, nis2, on, elements, mins,
               deadlines, conds, statuses, pop, law_id, start=None) -> str:
    """The URL query of the page's controls (the draft's rows only in the draft view, the
    conditions only with a municipality). Before the editor's rows are made (`editor_slots`),
    the draft is the rows they will start from (`start`)."""
    draft_state = None
    if view == "draft":
        if not elements and start:
            elements, mins, deadlines, conds, statuses = (
                [r["element"] or ANY for r in start], [str(r["min"]) for r in start],
                [r["deadline"] or "" for r in start], [r["applies_if"] or ANY for r in start],
                [r["status"] for r in start])
        draft_state = {"rows": draft_text(elements, mins, deadlines, conds, statuses),
                       "id": law_id, "pop": pop}
    return state_query(view, country, nuts2, size, at, horizon, law, m, nis2,
                       on if m else None, draft_state)


def view_styles(view) -> list[dict]:
    """The three views' boxes: the chosen one shown, the others hidden."""
    return [{} if view == v else {"display": "none"} for v in VIEWS]


def nuts2_choice(ctx: AppContext, country, nuts2, lang) -> tuple[list[dict], str]:
    """The region menu of a country, keeping the chosen region when it lies in it."""
    opts = nuts2_options(ctx, country, normalise_lang(lang))
    return opts, nuts2 if nuts2 in {o["value"] for o in opts} else ANY


def aggregate_outputs(ctx: AppContext, country, nuts2, size, at, horizon, view, lang) -> tuple:
    skip_hidden(view, "aggregate")
    snap = ctx.warehouse.snapshot()
    if snap is None:
        return (no_update,) * 8
    a = aggregate(ctx, snap, selection(country, nuts2, size, ctx), at_value(at),
                  horizon_value(horizon), normalise_lang(lang), frame=False)
    return (a["bar"], a["bar_caption"], a["table"], a["lacking"], a["heat"],
            a["heat_caption"], a["time"], a["time_caption"])


def municipality_outputs(ctx: AppContext, m, checked, nis2, at, horizon, view, lang) -> tuple:
    skip_hidden(view, "municipality")
    snap = ctx.warehouse.snapshot()
    if snap is None:
        return no_update, no_update, no_update
    content, fig, caption, _ = municipality(ctx, snap, m, checked, nis2 or None, at_value(at),
                                            horizon_value(horizon), normalise_lang(lang),
                                            frame=False)
    return content, fig, caption


def draft_output(ctx: AppContext, elements, mins, deadlines, conds, statuses, pop, law_id,
                 country, nuts2, size, at, horizon, view, lang):
    skip_hidden(view, "draft")
    if not elements:  # the editor's rows are not made yet: editor_slots makes them, then this runs
        raise PreventUpdate
    snap = ctx.warehouse.snapshot()
    if snap is None:
        return no_update
    prof = draft_profile(elements, mins, deadlines, conds, statuses, pop, law_id)
    return draft(ctx, snap, prof, selection(country, nuts2, size, ctx), at_value(at),
                 horizon_value(horizon), normalise_lang(lang))[0]


def yaml_file(ctx: AppContext, elements, mins, deadlines, conds, statuses, pop, law_id):
    """The draft as a law file to download; no_update when it is not valid."""
    text = draft_yaml(ctx, draft_profile(elements, mins, deadlines, conds, statuses, pop, law_id))
    if text is None:
        return no_update
    return {"content": text, "filename": f"{law_id or 'DRAFT'}.yaml", "type": "text/yaml"}


def _warm(ctx: AppContext) -> None:
    snap = ctx.warehouse.snapshot()
    if snap is not None and snap.waves:
        ld.base(ctx, snap)
        ld.warm_intervals(ctx)  # every deadline interval of the EU: no date pays a recompute


def register(app, ctx: AppContext) -> None:
    warmup.add(app.server, _warm)  # before the first request: dashboard/warmup.py

    @app.callback(Output(ids.URL, "search", allow_duplicate=True),
                  Input(VIEW, "value"), *SEL, Input(LAW, "value"), Input(PICKER, "value"),
                  Input(NIS2, "value"), Input(CONDITIONS, "value"), *SLOT_INPUTS,
                  Input(DRAFT_POP, "value"), Input(DRAFT_ID, "value"), State(DRAFT_START, "data"),
                  prevent_initial_call=True)
    def _url(*values):
        return url_search(*values)

    @app.callback(Output(DRAFT_SLOTS, "children"), Input(VIEW, "value"),
                  State(DRAFT_SLOTS, "children"), State(DRAFT_START, "data"),
                  State(ids.LANG, "value"), prevent_initial_call=True)
    def _slots(view, shown, start, lang):
        return editor_slots(ctx, view, shown, start, normalise_lang(lang))

    @app.callback(Output(AGG_BOX, "style"), Output(MUN_BOX, "style"), Output(DRAFT_BOX, "style"),
                  Input(VIEW, "value"))
    def _views(view):
        return view_styles(view)

    @app.callback(Output(NUTS2, "options"), Output(NUTS2, "value"), Input(COUNTRY, "value"),
                  State(NUTS2, "value"), State(ids.LANG, "value"), prevent_initial_call=True)
    def _nuts2(country, nuts2, lang):
        return nuts2_choice(ctx, country, nuts2, lang)

    @app.callback(Output(AGG_BAR, "figure"), Output(AGG_BAR_CAPTION, "children"),
                  Output(AGG_TABLE, "children"), Output(AGG_LACKING, "children"),
                  Output(AGG_HEAT, "figure"), Output(AGG_HEAT_CAPTION, "children"),
                  Output(AGG_TIME, "figure"), Output(AGG_TIME_CAPTION, "children"),
                  *SEL, Input(VIEW, "value"), State(ids.LANG, "value"))
    def _aggregate(country, nuts2, size, at, horizon, view, lang):
        return aggregate_outputs(ctx, country, nuts2, size, at, horizon, view, lang)

    for spec in export.FILES:  # the files the links below point to: dashboard/file_links.py
        file_links.register(app.server, ctx, spec)

    # The links carry the selection; the file is made when one is followed, not here.
    @app.callback(*href_outputs(AGG_CSV_BUTTON), *href_outputs(HEAT_CSV_BUTTON), *SEL,
                  Input(ids.LANG, "value"))
    def _links(country, nuts2, size, at, horizon, lang):
        return export.links(country, nuts2, size, at, horizon, lang)

    @app.callback(Output(PICKER, "options"), Input(PICKER, "search_value"), State(PICKER, "value"),
                  prevent_initial_call=True)
    def _search(search, value):
        return search_options(ctx, search, value)

    @app.callback(Output(CONDITIONS, "value"), Input(PICKER, "value"), prevent_initial_call=True)
    def _conditions(m):
        return condition_checklist(ctx, ctx.warehouse.snapshot(), m)[1]

    @app.callback(Output(MUN_RESULT, "children"), Output(MUN_TIME, "figure"),
                  Output(MUN_TIME_CAPTION, "children"), Input(PICKER, "value"),
                  Input(CONDITIONS, "value"), Input(NIS2, "value"), Input(AT, "value"),
                  Input(HORIZON, "value"), Input(VIEW, "value"), State(ids.LANG, "value"))
    def _municipality(m, checked, nis2, at, horizon, view, lang):
        return municipality_outputs(ctx, m, checked, nis2, at, horizon, view, lang)

    @app.callback(Output(MUN_CSV, "data"), *download_inputs(MUN_CSV_BUTTON),
                  State(PICKER, "value"), State(CONDITIONS, "value"), State(NIS2, "value"),
                  State(AT, "value"), State(HORIZON, "value"), State(ids.LANG, "value"),
                  prevent_initial_call=True)
    def _mun_download(_csv, _xlsx, _parquet, m, checked, nis2, at, horizon, lang):
        file = municipality_download(ctx, m, checked, nis2, at, horizon, lang,
                                     chosen_format(callback_context.triggered_id, MUN_CSV_BUTTON))
        return no_update if file is None else file

    @app.callback(*[Output({"type": k, "index": ALL}, "value") for k in REQ_KINDS],
                  Output(DRAFT_POP, "value"), Output(DRAFT_ID, "value"),
                  Input(LAW, "value"), prevent_initial_call=True)
    def _load_law(law_id):
        values = law_slots(ctx, law_id)
        return no_update if values is None else values

    @app.callback(Output(DRAFT_RESULT, "children"), *SLOT_INPUTS, Input(DRAFT_POP, "value"),
                  Input(DRAFT_ID, "value"), *SEL, Input(VIEW, "value"), State(ids.LANG, "value"))
    def _draft(elements, mins, deadlines, conds, statuses, pop, law_id, country, nuts2, size, at,
               horizon, view, lang):
        return draft_output(ctx, elements, mins, deadlines, conds, statuses, pop, law_id,
                            country, nuts2, size, at, horizon, view, lang)

    @app.callback(Output(DRAFT_YAML, "data"), Input(DRAFT_YAML_BUTTON, "n_clicks"),
                  *[State(i.component_id, i.component_property) for i in SLOT_INPUTS],
                  State(DRAFT_POP, "value"), State(DRAFT_ID, "value"), prevent_initial_call=True)
    def _yaml(_, elements, mins, deadlines, conds, statuses, pop, law_id):
        return yaml_file(ctx, elements, mins, deadlines, conds, statuses, pop, law_id)
