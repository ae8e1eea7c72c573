"""Roadmap (Handelingsperspectief): what should this municipality build next, and why?

The sequenced roadmap of the engine (pipelines/maturity/roadmap.py) for one municipality and
wave: phases of recommended elements, each with its explanation in words, its four score
components and its Kickstart references (implementation steps and instruments). Sliders set the
component weights and the target level; what-if marks elements as done and says what that
unlocks; passive use checks an existing strategy (check_plan); a small network shows a
recommended element between its enablers and dependants; "who can help" names the most similar
consenting municipalities that already have each first-phase element, and those that have it as
their own next step (pipelines/maturity/kickstart.py).

Consent: the roadmap is derived from the municipality's own levels, so it is shown only where
`ctx.visible` allows; other municipalities are named only where they consented (or the
deployment is open). Every control starts from the URL and is written back to it.

Speed: one roadmap is about 1.3 ms at EU scale; the per-build work (group counts for peer proof,
every municipality's first phase for "who can help", block scores for similarity) is cached in
dashboard/roadmap_data.py and warmed in the background at start-up.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from urllib.parse import urlencode

import dash_bootstrap_components as dbc
import numpy as np
import pandas as pd
from dash import Input, Output, State, callback_context, dcc, html
from dash.exceptions import PreventUpdate

from dashboard import ids, warmup
from dashboard.components import colours as palette
from dashboard.components.colours import LEVELS as LEVEL_COLOURS
from dashboard.components.colours import NO_ANSWER as MISSING_COLOUR
from dashboard.components.downloads import (
    chosen_format,
    download_control,
    download_inputs,
    group_id,
    table_download,
)
from dashboard.components.figures import empty_figure
from dashboard.components.municipality_picker import (
    dropdown_labels,
    picker,
    search_index,
    search_options,
)
from dashboard.components.places import country_name
from dashboard.context import AppContext
from dashboard.i18n import normalise_lang, t
from dashboard.store import Snapshot
from dashboard.views.roadmap import data as rd
from pipelines.maturity.coverage_note import Coverage
from pipelines.maturity.cube import MISSING
from pipelines.maturity.kickstart import SIMILARITY_WEIGHTS, ElementHelp
from pipelines.maturity.roadmap import (
    COMPONENTS,
    DEFAULT_TARGET,
    DEFAULT_WEIGHTS,
    PlanCheck,
    Roadmap,
    Weights,
    apply_done,
    assess_text,
    check_plan,
    explain_parts,
    explain_text,
)
from pipelines.maturity.whatif import DoneEffect, done_effects, roadmap_change
from pipelines.reference import size_class_label

LOG = logging.getLogger(__name__)
PATH = "/roadmap"
NAV_KEY = "roadmap.nav"

# ------------------------------------------------------------------ component ids

PICKER = "roadmap-municipality"
WAVE = "roadmap-wave"
WEIGHT = {c: f"roadmap-weight-{c}" for c in COMPONENTS}
TARGET = "roadmap-target"
RESET = "roadmap-reset"
DONE = "roadmap-done"
PLAN = "roadmap-plan"
STATUS = "roadmap-status"
STEPS = "roadmap-steps"
WHATIF = "roadmap-whatif"
PASSIVE = "roadmap-passive"
HELP = "roadmap-help"
FOCUS = "roadmap-focus"
NETWORK = "roadmap-network"
NETWORK_CAPTION = "roadmap-network-caption"
CSV_BUTTON = "roadmap-csv-button"
CSV = "roadmap-csv"

WEIGHT_STEP = 0.05
GRAPH_CONFIG = {"displaylogo": False, "responsive": True, "displayModeBar": False}
EDGE = palette.EDGE
FOCUS_RING = palette.FOCUS

# ------------------------------------------------------------------ formatting


def _dec(x: float, lang: str, digits: int = 2) -> str:
    text = f"{x:.{digits}f}"
    return text.replace(".", ",") if lang == "nl" else text


def _int(n: int, lang: str) -> str:
    text = f"{n:,d}"
    return text.replace(",", ".") if lang == "nl" else text


def _names(ctx: AppContext, lang: str) -> dict[str, str]:
    return rd.element_names(ctx, lang)


def _el(ctx: AppContext, element: str, lang: str) -> str:
    """'SEC-04 Supply-chain & vulnerability management'."""
    return f"{element} {_names(ctx, lang).get(element, '')}".strip()


def _listing(items: list[str], lang: str) -> str:
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + (" en " if lang == "nl" else " and ") + items[-1]


# ------------------------------------------------------------------ state (permalink)


@dataclass(frozen=True)
class RoadmapState:
    m: str | None
    wave: str
    weights: tuple[float, ...] = DEFAULT_WEIGHTS.raw()  # readiness, unlock, urgency, peer
    target: int = DEFAULT_TARGET
    done: tuple[str, ...] = ()
    plan: tuple[str, ...] = ()

    def query(self) -> str:
        """'?m=NL_GM0307&wave=2026&w=0.35,0.25,0.25,0.15&target=3&done=A,B&plan=C,D'."""
        params = {}
        if self.m:
            params["m"] = self.m
        params.update(wave=self.wave, w=",".join(f"{v:g}" for v in self.weights),
                      target=self.target)
        if self.done:
            params["done"] = ",".join(self.done)
        if self.plan:
            params["plan"] = ",".join(self.plan)
        return "?" + urlencode(params, safe=",")


def _elements(ctx: AppContext, text: str | None) -> tuple[tuple[str, ...], list[str]]:
    """Known element ids from 'A,B' (case-insensitive, no repeats), and the unknown ones."""
    known = set(ctx.framework.element_ids)
    parts = [p.strip().upper() for p in (text or "").split(",") if p.strip()]
    return (tuple(dict.fromkeys(p for p in parts if p in known)),
            [p for p in parts if p not in known])


def parse_state(ctx: AppContext, snap: Snapshot, query: dict | None) -> tuple[RoadmapState, list]:
    """The state a URL asks for, unknown values replaced by defaults, and notices (text keys
    with values) that say what was replaced."""
    query = query or {}
    notes = []
    m = (query.get("m") or "").strip() or None
    if m is not None and _row(snap, m) is None:
        notes.append(("roadmap.notice.unknown", {"id": m}))
        m = None
    wave = query.get("wave")
    if wave and wave not in snap.waves:
        notes.append(("roadmap.notice.wave", {"wave": wave, "latest": snap.waves[-1]}))
    wave = wave if wave in snap.waves else snap.waves[-1]
    try:
        weights = rd.parse_weights(query.get("w"))
    except ValueError:
        notes.append(("roadmap.notice.weights", {"value": query.get("w")}))
        weights = DEFAULT_WEIGHTS
    target = DEFAULT_TARGET
    if query.get("target"):
        if query["target"].strip() in {str(x) for x in rd.TARGETS}:
            target = int(query["target"])
        else:
            notes.append(("roadmap.notice.target", {"value": query["target"]}))
    done, bad_done = _elements(ctx, query.get("done"))
    plan, bad_plan = _elements(ctx, query.get("plan"))
    if bad_done or bad_plan:
        notes.append(("roadmap.notice.elements", {"ids": ", ".join(bad_done + bad_plan)}))
    return RoadmapState(m, wave, weights.raw(), target, done, plan), notes


def _raw_weights(values) -> tuple[float, ...]:
    """The four slider values (a missing one takes its default; negatives count as 0)."""
    return tuple(DEFAULT_WEIGHTS.raw()[i] if v is None else max(float(v), 0.0)
                 for i, v in enumerate(values))


def weights_from_controls(values) -> Weights | None:
    """Weights from the four sliders; None when all are 0 (nothing to rank by)."""
    raw = _raw_weights(values)
    return Weights(*raw) if sum(raw) > 0 else None


def state_from_controls(ctx: AppContext, m, wave, weights, target, done, plan) -> RoadmapState:
    return RoadmapState(m or None, wave, _raw_weights(weights),
                        int(target) if target in rd.TARGETS else DEFAULT_TARGET,
                        _elements(ctx, ",".join(done or ()))[0],
                        _elements(ctx, ",".join(plan or ()))[0])


def url_search(ctx: AppContext, m, wave, weights, target, done, plan) -> str:
    return state_from_controls(ctx, m, wave, weights, target, done, plan).query()


# ------------------------------------------------------------------ the analysis


def _row(snap: Snapshot, mid: str) -> int | None:
    try:
        return snap.maturity.index_of(mid)
    except KeyError:
        return None


@dataclass
class Subject:
    """One municipality in one wave."""

    snap: Snapshot
    row: int
    mid: str
    name: str
    wave: str
    w: int
    visible: bool
    levels: np.ndarray  # int8[E], framework order
    waves_answered: list[str]

    @property
    def answered(self) -> bool:
        return self.wave in self.waves_answered


def subject(ctx: AppContext, m: str | None, wave: str | None) -> Subject | None:
    snap = ctx.warehouse.snapshot()
    if snap is None or not m:
        return None
    row = _row(snap, m)
    if row is None:
        return None
    wave = wave if wave in snap.waves else snap.waves[-1]
    w = snap.waves.index(wave)
    cube = snap.maturity
    answered = [wv for i, wv in enumerate(cube.waves) if (cube.levels[i, row] != MISSING).any()]
    return Subject(snap, row, m, str(ctx.municipalities["name"].iat[row]), wave, w,
                   ctx.visible(snap, row), rd.wave_levels(ctx, snap, w)[row], answered)


@dataclass
class Analysis:
    """Everything the panels show, or why they show nothing (`empty`: a text key)."""

    subject: Subject | None
    params: rd.Params
    empty: str | None = None
    rm: Roadmap | None = None
    base: Roadmap | None = None  # the roadmap without the done marks (what-if)
    effects: tuple[DoneEffect, ...] = ()
    plan: PlanCheck | None = None
    help: list[ElementHelp] | None = None
    coverage: Coverage | None = None


def analyse(ctx: AppContext, m, wave, weights, target, done, plan) -> Analysis:
    """The roadmap and what is derived from it; pure apart from the cached build data."""
    snap = ctx.warehouse.snapshot()
    w = weights_from_controls(weights)
    tg = int(target) if target in rd.TARGETS else DEFAULT_TARGET
    done_ids = _elements(ctx, ",".join(done or ()))[0]
    plan_ids = _elements(ctx, ",".join(plan or ()))[0]
    params = rd.Params(w or DEFAULT_WEIGHTS, tg, done=done_ids)
    if snap is None:
        return Analysis(None, params, "nothing")
    sub = subject(ctx, m, wave)
    if sub is None:
        return Analysis(None, params, "pick")
    if not sub.waves_answered:  # public: the API's list says who answered
        return Analysis(sub, params, "never")
    if not sub.visible:
        return Analysis(sub, params, "hidden")
    if not sub.answered:
        return Analysis(sub, params, "noanswer")
    if w is None:
        return Analysis(sub, params, "weights")
    model = rd.model(ctx)
    rm = rd.compute(ctx, snap, sub.row, sub.w, params)
    base = rd.compute(ctx, snap, sub.row, sub.w, rd.Params(params.weights, tg)) if done_ids \
        else rm
    effects = done_effects(model, sub.levels, done_ids, tg) if done_ids else ()
    check = check_plan(model, sub.levels, plan_ids, result=rm, targets=tg,
                       done=done_ids) if plan_ids else None
    helpers = rd.who_can_help(ctx, snap, sub.w, sub.row, rm, tg) or None
    empty = None if rm.steps or rm.assess or rm.gated else "at_target"
    return Analysis(sub, params, empty, rm, base, effects, check, helpers,
                    rd.team_coverage(ctx, snap, sub.w, sub.row))


# ------------------------------------------------------------------ layout


def layout(ctx: AppContext, lang: str, query: dict | None = None) -> html.Div:
    snap = ctx.warehouse.snapshot()
    header = [
        html.H1(t("roadmap.title", lang), className="h2"),
        html.P(html.Strong(t("roadmap.question", lang)), className="mb-1 question"),
        html.P(t("roadmap.guide", lang), className="text-body-secondary"),
    ]
    if snap is None:
        return html.Div([*header, dbc.Alert([
            html.H2(t("roadmap.empty.nothing.title", lang), className="h5"),
            html.P(t("roadmap.empty.nothing.body", lang), className="mb-0"),
        ], color="info")], className="roadmap-page")
    state, notes = parse_state(ctx, snap, query)
    index = search_index(ctx)
    picked = [snap.maturity.index_of(state.m)] if state.m else []
    element_options = [{"label": f"{e.id} · {e.name.get(lang)}", "value": e.id}
                       for e in ctx.framework.elements]
    return html.Div([
        *header,
        *[dbc.Alert(t(key, lang, **values), color="warning") for key, values in notes],
        dbc.Card(dbc.CardBody(dbc.Row([
            dbc.Col(picker(PICKER, t("roadmap.picker.label", lang), state.m, picked, index, lang),
                    md=8, lg=6, className="mb-2"),
            dbc.Col([
                dbc.Label(t("roadmap.wave", lang), html_for=WAVE),
                dbc.Select(id=WAVE, value=state.wave,
                           options=[{"label": w, "value": w} for w in reversed(snap.waves)]),
            ], xs=6, md=4, lg=2, className="mb-2"),
        ])), className="mb-3 roadmap-controls"),
        html.Div(id=STATUS, className="mb-2", **{"aria-live": "polite"}),
        dbc.Row([
            dbc.Col([
                _card(t("roadmap.steps.title", lang), t("roadmap.steps.guide", lang), [
                    html.Div(id=STEPS, **{"aria-live": "polite"}),
                    html.Div([download_control(CSV_BUTTON, lang), dcc.Download(id=CSV)],
                             className="mt-2"),
                ], className="mb-3"),
            ], lg=8),
            dbc.Col(html.Div([
                _card(t("roadmap.settings.title", lang), t("roadmap.settings.guide", lang),
                      [*[_slider(WEIGHT[c], t(f"roadmap.weight.{c}", lang),
                                 t(f"roadmap.weight.{c}.help", lang), value, lang)
                         for c, value in zip(COMPONENTS, state.weights, strict=True)],
                       _target_slider(state.target, lang),
                       dbc.Button(t("roadmap.settings.reset", lang), id=RESET, size="sm",
                                  color="secondary", outline=True)],
                      className="mb-3"),
                _card(t("roadmap.whatif.title", lang), t("roadmap.whatif.guide", lang), [
                    dbc.Label(t("roadmap.whatif.label", lang), html_for=DONE),
                    dcc.Dropdown(id=DONE, options=element_options, value=list(state.done),
                                 multi=True, closeOnSelect=False, maxHeight=320,
                                 placeholder=t("roadmap.whatif.placeholder", lang),
                                 labels=dropdown_labels(lang)),
                    html.Div(id=WHATIF, className="mt-2", **{"aria-live": "polite"}),
                ], className="mb-3"),
                _card(t("roadmap.plan.title", lang), t("roadmap.plan.guide", lang), [
                    dbc.Label(t("roadmap.plan.label", lang), html_for=PLAN),
                    dcc.Dropdown(id=PLAN, options=element_options, value=list(state.plan),
                                 multi=True, closeOnSelect=False, maxHeight=320,
                                 placeholder=t("roadmap.plan.placeholder", lang),
                                 labels=dropdown_labels(lang)),
                    html.Div(id=PASSIVE, className="mt-2", **{"aria-live": "polite"}),
                ], className="mb-3"),
            ], className="rm-side"), lg=4),
        ]),
        dbc.Row([
            dbc.Col(_card(t("roadmap.network.title", lang), t("roadmap.network.guide", lang), [
                dbc.Label(t("roadmap.network.label", lang), html_for=FOCUS),
                dbc.Select(id=FOCUS, options=[], value=None),
                html.Figure([
                    dcc.Graph(id=NETWORK, config=GRAPH_CONFIG, figure=empty_figure("", 260)),
                    html.Figcaption(id=NETWORK_CAPTION, className="small text-body-secondary"),
                ], className="mt-2 mb-1"),
                _legend(ctx, lang),
            ]), lg=6, className="mb-3"),
            dbc.Col(_card(t("roadmap.help.title", lang), t("roadmap.help.guide", lang), [
                html.Div(id=HELP),
                html.P(t("roadmap.help.score", lang, **{k: _dec(v, lang, 1) for k, v in
                                                          SIMILARITY_WEIGHTS.items()}),
                       className="small text-body-secondary mt-2 mb-0"),
            ]), lg=6, className="mb-3"),
        ]),
        html.P(t("roadmap.footnote", lang, min_group=ctx.settings.min_group),
               className="small text-body-secondary"),
    ], className="roadmap-page")


def _card(title: str, guide: str, body: list, className: str = "h-100"):
    return dbc.Card(dbc.CardBody([
        html.H2(title, className="h5 mb-1"),
        html.P(guide, className="small text-body-secondary"),
        *body,
    ]), className=className)


def _slider(slider_id: str, label: str, help_text: str, value: float, lang: str) -> html.Div:
    """A labelled slider: the JS asset (assets/20-roadmap.js) points the slider handle and its
    number box at the label (Dash's Slider has no aria-label property)."""
    return html.Div([
        html.Div(label, id=f"{slider_id}-label", className="form-label mb-0 fw-semibold"),
        html.Div(help_text, id=f"{slider_id}-help", className="form-text mt-0"),
        html.Div(dcc.Slider(id=slider_id, min=0, max=1, step=WEIGHT_STEP, value=value,
                            marks={0: "0", 0.5: _dec(0.5, lang, 1), 1: "1"},
                            updatemode="mouseup"),
                 className="rm-slider", **{"data-labelledby": f"{slider_id}-label",
                                           "data-describedby": f"{slider_id}-help"}),
    ], className="mb-2")


def _target_slider(value: int, lang: str) -> html.Div:
    return html.Div([
        html.Div(t("roadmap.target.label", lang), id=f"{TARGET}-label",
                 className="form-label mb-0 fw-semibold"),
        html.Div(t("roadmap.target.help", lang), id=f"{TARGET}-help", className="form-text mt-0"),
        html.Div(dcc.Slider(id=TARGET, min=1, max=4, step=1, value=value,
                            marks={k: str(k) for k in rd.TARGETS}),
                 className="rm-slider", **{"data-labelledby": f"{TARGET}-label",
                                           "data-describedby": f"{TARGET}-help"}),
    ], className="mb-3")


def _legend(ctx: AppContext, lang: str) -> html.Ul:
    scale = {s.level: s.label.get(lang) for s in ctx.framework.scale}
    items = [html.Li([html.Span(className="rm-swatch", style={"background": c}),
                      f"{k} {scale.get(k, '')}"]) for k, c in enumerate(LEVEL_COLOURS)]
    items.append(html.Li([html.Span(className="rm-swatch", style={"background": MISSING_COLOUR}),
                          t("roadmap.network.unknown", lang)]))
    return html.Ul(items, className="rm-legend small", **{"aria-label":
                                                         t("roadmap.network.legend", lang)})


# ------------------------------------------------------------------ panels


def status(ctx: AppContext, a: Analysis, lang: str):
    if a.empty == "nothing":
        return dbc.Alert(t("roadmap.empty.nothing.body", lang), color="info")
    if a.subject is None:
        return dbc.Alert(t("roadmap.empty.pick", lang), color="info")
    sub = a.subject
    ref = ctx.municipalities
    country = country_name(ctx, str(ref["country"].iat[sub.row]), lang)
    size = size_class_label(str(ref["size_class"].iat[sub.row]), lang)
    facts = t("roadmap.status.facts", lang, name=sub.name, country=country, size=size,
              wave=sub.wave)
    if a.empty == "hidden":
        return dbc.Alert([html.Strong(facts), " ", t("roadmap.empty.hidden", lang,
                                                     name=sub.name)], color="warning")
    if a.empty == "noanswer":
        return dbc.Alert([html.Strong(facts), " ", t(
            "roadmap.empty.noanswer", lang, name=sub.name, wave=sub.wave,
            waves=", ".join(sub.waves_answered))], color="warning")
    if a.empty == "never":
        return dbc.Alert([html.Strong(facts), " ", t("roadmap.empty.never", lang, name=sub.name)],
                         color="warning")
    known = int((sub.levels != MISSING).sum())
    n_peers = rd.peer_group_size(ctx, sub.snap, sub.w, sub.row)
    body = html.P([html.Strong(facts), " ", t(
        "roadmap.status.body", lang, known=known, total=len(sub.levels), peers=_int(n_peers, lang),
        date=rd.evaluation_date(sub.snap, sub.w).isoformat())], className="mb-0")
    cov = a.coverage
    if cov is None or not cov.thin:
        return body
    return [body, dbc.Alert(coverage_text(cov, lang), color="warning",
                            className="mt-2 mb-0 rm-thin")]


def coverage_text(cov: Coverage, lang: str) -> str:
    """Why this roadmap rests on thin coverage, in one sentence per reason."""
    parts = [t("roadmap.thin.head" + (".one" if cov.respondents == 1 else ""), lang,
               n=cov.respondents,
               roles=", ".join(cov.roles) or t("roadmap.thin.noroles", lang))]
    if "no_lead" in cov.reasons:
        parts.append(t("roadmap.thin.no_lead", lang))
    if "many_unknown" in cov.reasons:
        parts.append(t("roadmap.thin.many_unknown", lang, unknown=cov.unknown, total=cov.elements))
    parts.append(t("roadmap.thin.advice", lang))
    return " ".join(parts)


def steps_panel(ctx: AppContext, a: Analysis, lang: str):
    if a.empty in ("nothing", "hidden", "noanswer", "never") or a.subject is None:
        return html.P(t(f"roadmap.steps.empty.{a.empty or 'pick'}", lang),
                      className="text-body-secondary mb-0")
    if a.empty == "weights":
        return dbc.Alert(t("roadmap.empty.weights", lang), color="warning", className="mb-0")
    if a.empty == "at_target":
        return dbc.Alert(t("roadmap.empty.at_target", lang, target=a.params.target),
                         color="success", className="mb-0")
    rm = a.rm
    out = []
    if rm.assess:
        out.append(assess_section(ctx, rm, lang))
    if rm.gated:
        out.append(html.P(t("roadmap.gated", lang, items=_listing(
            [f"{e} {_names(ctx, lang)[e]}" for e in rm.gated], lang)),
            className="small text-body-secondary rm-gated"))
    if not rm.steps:
        out.append(html.P(t("roadmap.steps.only_assess", lang), className="mb-0"))
    for k, phase in enumerate(rm.phases, start=1):
        out.append(html.Section([
            html.H3(t("roadmap.phase", lang, n=k), className="h6 rm-phase-title"),
            html.Ol([_step(ctx, s, a, lang) for s in phase], start=phase[0].rank,
                    className="rm-steps list-unstyled"),
        ], className="rm-phase", **{"aria-label": t("roadmap.phase", lang, n=k)}))
    return out


ASSESS_SHOWN = 5


def assess_section(ctx: AppContext, rm: Roadmap, lang: str) -> html.Section:
    """'Establish where you stand first': the elements nobody could rate, most important first
    (a legal duty on them, the elements they gate, what they help build)."""
    names = _names(ctx, lang)
    items = [html.Li([html.Span(a.element, className="el-id"), " ",
                      assess_text(a, lang, names, rd.law_names(ctx)).split(": ", 1)[-1]],
                     className="mb-1")
             for a in rm.assess[:ASSESS_SHOWN]]
    more = len(rm.assess) - ASSESS_SHOWN
    return html.Section([
        html.H3(t("roadmap.assess.title", lang), className="h6 rm-phase-title"),
        html.P(t("roadmap.assess.guide" + (".one" if len(rm.assess) == 1 else ""), lang,
                 n=len(rm.assess)), className="small mb-1"),
        html.Ul(items, className="small rm-assess"),
        *([html.P(t("roadmap.assess.more", lang, n=more, items=", ".join(
            x.element for x in rm.assess[ASSESS_SHOWN:])), className="small text-body-secondary")]
          if more > 0 else []),
    ], className="rm-phase rm-assess-section", **{"aria-label": t("roadmap.assess.title", lang)})


def _step(ctx: AppContext, s, a: Analysis, lang: str) -> html.Li:
    fw = ctx.framework
    el = fw.element_by_id[s.element]
    ex = s.explanation
    level = t("roadmap.level.unknown", lang) if ex.level is None else str(ex.level)
    return html.Li([
        html.Div([
            html.Span(str(s.rank), className="rm-rank", title=t("roadmap.rank", lang)),
            html.Span(el.id, className="el-id"), " ",
            html.Strong(el.name.get(lang)), " ",
            html.Span(t("roadmap.level.move", lang, level=level, target=ex.target),
                      className="rm-move"),
            html.Span(t("roadmap.score", lang, score=_dec(s.score, lang)), className="rm-score",
                      title=t("roadmap.score.help", lang)),
        ], className="rm-step-head"),
        _bars(ex.components, lang),
        html.Ul([html.Li(x) for x in explanation_parts(ex, lang, _names(ctx, lang),
                                                          rd.law_names(ctx))],
                className="rm-why mb-1"),
        kickstart(ctx, el.id, lang),
    ], className="rm-step", id=f"roadmap-step-{el.id}")




def explanation_parts(expl, lang: str, names, law_names) -> list[str]:
    """The engine's explanation as its sentences (enablers in place, partly, missing, what it
    unlocks, the law, the peers), without the head: the step's title says it already."""
    return explain_parts(expl, lang, names, law_names, with_score=False)[1:]


_KICKSTART: dict[tuple[str, str, str], html.Details] = {}


def kickstart(ctx: AppContext, element: str, lang: str) -> html.Details:
    """An element's Kickstart references (implementation steps, instruments, a link to the
    Knowledge page), collapsed. Built once per framework, element and language: the same
    component is reused in every answer (nothing changes it)."""
    key = (ctx.framework.checksum, element, lang)
    hit = _KICKSTART.get(key)
    if hit is None:
        fw = ctx.framework
        el = fw.element_by_id[element]
        instruments = [fw.instrument_by_id[i] for i in el.kickstart if i in fw.instrument_by_id]
        hit = _KICKSTART[key] = html.Details([
            html.Summary(t("roadmap.kickstart.summary", lang, steps=len(el.steps),
                           instruments=len(instruments))),
            html.H4(t("roadmap.kickstart.steps", lang), className="h6 mt-2"),
            html.Ol([html.Li(x.get(lang)) for x in el.steps], className="small"),
            *([html.H4(t("roadmap.kickstart.instruments", lang), className="h6"),
               html.Ul([html.Li([html.Strong(i.name), f" ({i.owner}; {i.scope}): ",
                                 i.helps_with.get(lang)]) for i in instruments],
                       className="small")] if instruments else []),
            html.A(t("roadmap.kickstart.more", lang, id=el.id),
                   href=f"/knowledge?element={el.id}", className="small"),
        ], className="rm-kickstart")
    return hit


def _bars(components: dict[str, float], lang: str) -> html.Div:
    """The four components as labelled bars: one text span each, the bar drawn by CSS from
    --v (few components: this renders for every step on every change)."""
    return html.Div([
        html.Span([t(f"roadmap.component.{c}", lang), html.B(_dec(float(components[c]), lang))],
                  className=f"rm-bar rm-{c}",
                  style={"--v": f"{100 * min(max(float(components[c]), 0), 1):.0f}%"})
        for c in COMPONENTS], className="rm-bars", role="group",
        **{"aria-label": t("roadmap.components", lang)})


def whatif_panel(ctx: AppContext, a: Analysis, lang: str):
    if a.rm is None:
        return None
    if not a.params.done:
        return html.P(t("roadmap.whatif.none", lang), className="small text-body-secondary mb-0")
    names = _names(ctx, lang)
    items = []
    for e in a.effects:
        if e.already:
            items.append(html.Li(t("roadmap.whatif.already", lang, id=e.element,
                                   name=names[e.element])))
        elif not e.raised:
            items.append(html.Li(t("roadmap.whatif.nothing", lang, id=e.element,
                                   name=names[e.element])))
        else:
            raised = [t("roadmap.whatif.raise", lang, id=r.element, before=_dec(r.before, lang),
                        after=_dec(r.after, lang)) for r in e.raised]
            items.append(html.Li(t("roadmap.whatif.raises", lang, id=e.element,
                                   items=_listing(raised, lang))))
    entered, left = roadmap_change(a.base.ids, a.rm.ids)
    left = [x for x in left if x not in a.params.done]
    out = [html.Ul(items, className="small mb-1 rm-effects")]
    if entered:
        out.append(html.P(t("roadmap.whatif.entered", lang, items=", ".join(entered)),
                          className="small mb-1"))
    if left:
        out.append(html.P(t("roadmap.whatif.left", lang, items=", ".join(left)),
                          className="small mb-1"))
    return out


def passive_panel(ctx: AppContext, a: Analysis, lang: str):
    if a.rm is None:
        return None
    if a.plan is None:
        return html.P(t("roadmap.plan.none", lang), className="small text-body-secondary mb-0")
    p = a.plan
    out = []
    if p.lacking:
        out.append(html.P(html.Strong(t("roadmap.plan.lacking" + (
            ".one" if len(p.lacking) == 1 else ""), lang, n=len(p.lacking))),
                          className="small mb-1"))
        out.append(html.Ul([html.Li(t(
            "roadmap.plan.lacking.item" if x.add_first else "roadmap.plan.lacking.planned",
            lang, id=x.element, readiness=_dec(x.readiness, lang),
            missing=", ".join(x.missing), first=", ".join(x.add_first)))
            for x in p.lacking], className="small mb-2 rm-lacking"))
    else:
        out.append(html.P(t("roadmap.plan.ready", lang), className="small mb-2"))
    if p.at_target:
        out.append(html.P(t("roadmap.plan.at_target", lang, items=", ".join(p.at_target)),
                          className="small mb-2"))
    if p.missed_first_phase:
        out.append(html.P(t("roadmap.plan.missed_first", lang,
                            items=", ".join(p.missed_first_phase)), className="small mb-1 rm-missed"))
    later = [x for x in p.missed if x not in p.missed_first_phase]
    if later:
        out.append(html.P(t("roadmap.plan.missed_later", lang, items=", ".join(later)),
                          className="small mb-1"))
    if not p.missed:
        out.append(html.P(t("roadmap.plan.covers", lang), className="small mb-1"))
    return out


def help_panel(ctx: AppContext, a: Analysis, lang: str):
    if a.rm is None or not a.help:
        return html.P(t("roadmap.help.empty", lang), className="small text-body-secondary mb-0")
    names = ctx.municipalities["name"]
    mids = a.subject.snap.maturity.municipality_ids
    out = []
    for h in a.help:
        def item(match, show_level: bool):
            why = [t("roadmap.help.same_country", lang)] if match.same_country else []
            if match.same_region:
                why.append(t("roadmap.help.same_region", lang))
            if match.same_size:
                why.append(t("roadmap.help.same_size", lang))
            if match.distance_km is not None:
                why.append(t("roadmap.help.km", lang, km=_int(round(match.distance_km), lang)))
            detail = t("roadmap.help.match", lang, sim=_dec(match.similarity, lang),
                       why=", ".join(why) or t("roadmap.help.other_country", lang))
            if show_level and match.level is not None:
                detail = t("roadmap.help.level", lang, level=match.level) + "; " + detail
            mid = str(mids[match.row])
            return html.Li([html.A(str(names.iat[match.row]), href=f"/profile?m={mid}"),
                            f" ({mid.split('_', 1)[0]}) · ", html.Span(detail,
                                                                    className="text-body-secondary")])
        block = [html.H3([html.Span(h.element, className="el-id"), " ",
                          _names(ctx, lang)[h.element]], className="h6 mt-2")]
        block.append(html.P(t("roadmap.help.helpers", lang, n=_int(h.helpers_total, lang),
                              level=max(3, a.params.target)),
                            className="small mb-1"))
        if h.helpers:
            block.append(html.Ol([item(x, True) for x in h.helpers], className="small mb-1"))
        if h.helpers_hidden:
            block.append(html.P(t("roadmap.help.hidden", lang, n=_int(h.helpers_hidden, lang)),
                                className="small text-body-secondary mb-1"))
        if h.partners_total is not None:
            block.append(html.P(t("roadmap.help.partners", lang,
                                  n=_int(h.partners_total, lang)), className="small mb-1"))
            if h.partners:
                block.append(html.Ol([item(x, False) for x in h.partners],
                                     className="small mb-1"))
            if h.partners_hidden:
                block.append(html.P(t("roadmap.help.hidden", lang,
                                      n=_int(h.partners_hidden, lang)),
                                    className="small text-body-secondary mb-1"))
        out.append(html.Section(block, className="rm-help"))
    return out


def focus_options(ctx: AppContext, a: Analysis, current, lang: str) -> tuple[list, str | None]:
    if a.rm is None or not a.rm.steps:
        return [], None
    names = _names(ctx, lang)
    options = [{"label": f"{s.rank}. {s.element} · {names[s.element]}", "value": s.element}
               for s in a.rm.steps]
    values = [o["value"] for o in options]
    return options, current if current in values else values[0]


# ------------------------------------------------------------------ the network view


def network_figure(ctx: AppContext, sub: Subject | None, element: str | None, target: int,
                   done, lang: str) -> tuple[dict, str]:
    """The element (middle), its enablers (left) and dependants (right), coloured by the
    municipality's level (with the what-if done marks); line width = enabling weight."""
    if sub is None or not element or element not in ctx.framework.element_by_id \
            or not sub.visible:
        return empty_figure(t("roadmap.network.empty", lang), 260), ""
    model = rd.model(ctx)
    tg = int(target) if target in rd.TARGETS else DEFAULT_TARGET
    done_ids = _elements(ctx, ",".join(done or ()))[0]
    lv = apply_done(sub.levels, np.full(model.size, tg, np.int8), model.indices(done_ids))
    names = _names(ctx, lang)
    fw = ctx.framework
    j = model.index[element]
    left = list(model.enabler_lists[j])
    right = list(model.dependant_lists[j])
    rationale = {(m.enabler, m.enabled): m.rationale.get(lang) for m in fw.matrix}
    rows = max(len(left), len(right), 1)
    height = max(240, 34 * rows + 70)

    def ys(n):
        return [0.5] if n <= 1 else [1 - i / (n - 1) for i in range(n)]

    def level_text(i):
        return t("roadmap.level.unknown", lang) if lv[i] == MISSING else str(int(lv[i]))

    def colour(i):
        return MISSING_COLOUR if lv[i] == MISSING else LEVEL_COLOURS[int(lv[i])]

    xs, yv, labels, hover, colours, pos, lines = [], [], [], [], [], [], []
    for (i, wgt), y in zip(left, ys(len(left)), strict=True):
        xs.append(0)
        yv.append(y)
        labels.append(f"{model.element_ids[i]} · {level_text(i)}")
        pos.append("middle left")
        colours.append(colour(i))
        hover.append(f"<b>{model.element_ids[i]} {names[model.element_ids[i]]}</b><br>"
                     + t("roadmap.network.hover", lang, level=level_text(i), weight=int(wgt))
                     + "<br>" + _wrap(rationale.get((model.element_ids[i], element), "")))
        lines.append((0, y, 1, 0.5, wgt))
    for (k, wgt), y in zip(right, ys(len(right)), strict=True):
        xs.append(2)
        yv.append(y)
        labels.append(f"{model.element_ids[k]} · {level_text(k)}")
        pos.append("middle right")
        colours.append(colour(k))
        hover.append(f"<b>{model.element_ids[k]} {names[model.element_ids[k]]}</b><br>"
                     + t("roadmap.network.hover", lang, level=level_text(k), weight=int(wgt))
                     + "<br>" + _wrap(rationale.get((element, model.element_ids[k]), "")))
        lines.append((1, 0.5, 2, y, wgt))
    xs.append(1)
    yv.append(0.5)
    labels.append("")  # the focus label is an annotation with a background (over the lines)
    pos.append("top center")
    colours.append(colour(j))
    hover.append(f"<b>{element} {names[element]}</b><br>"
                 + t("roadmap.network.hover.focus", lang, level=level_text(j)))
    shapes = [{"type": "line", "x0": x0, "y0": y0, "x1": x1, "y1": y1, "layer": "below",
               "line": {"color": EDGE, "width": 1 + 1.2 * (wgt - 1)}}
              for x0, y0, x1, y1, wgt in lines]
    n = len(xs)
    trace = {"type": "scatter", "mode": "markers+text", "x": xs, "y": yv, "text": labels,
             "textposition": pos, "hovertext": hover, "hoverinfo": "text",
             "textfont": {"size": 11},
             "marker": {"size": [16] * (n - 1) + [24], "color": colours,
                        "line": {"color": [palette.TEXT_MUTED] * (n - 1) + [FOCUS_RING],
                                 "width": [1] * (n - 1) + [3]}},
             "showlegend": False, "cliponaxis": False}
    heads = [{"x": 0, "y": 1.0, "yshift": 22, "text": t("roadmap.network.enablers", lang),
              "showarrow": False, "font": {"size": 12, "color": palette.LABEL}},
             {"x": 2, "y": 1.0, "yshift": 22, "text": t("roadmap.network.dependants", lang),
              "showarrow": False, "font": {"size": 12, "color": palette.LABEL}},
             {"x": 1, "y": 0.5, "yshift": 24, "text": f"<b>{element} · {level_text(j)}</b>",
              "showarrow": False, "bgcolor": palette.PAPER, "bordercolor": FOCUS_RING,
              "borderpad": 3, "font": {"size": 12, "color": palette.LABEL_DARK}}]
    fig = {"data": [trace], "layout": {
        "height": height, "margin": {"l": 10, "r": 10, "t": 34, "b": 10},
        "font": {"family": "system-ui, -apple-system, 'Segoe UI', sans-serif", "size": 12,
                 "color": palette.TEXT},
        "paper_bgcolor": palette.PAPER, "plot_bgcolor": palette.PAPER, "hovermode": "closest",
        "xaxis": {"visible": False, "range": [-0.95, 2.95], "fixedrange": True},
        "yaxis": {"visible": False, "range": [-0.12, 1.12], "fixedrange": True},
        "shapes": shapes, "annotations": heads}}
    return fig, network_caption(element, left, right, model, lv, names, lang)


def _wrap(text: str, width: int = 60) -> str:
    words, lines, line = text.split(), [], ""
    for w in words:
        if line and len(line) + 1 + len(w) > width:
            lines.append(line)
            line = w
        else:
            line = f"{line} {w}".strip()
    return "<br>".join([*lines, line])


def network_caption(element, left, right, model, lv, names, lang) -> str:
    def item(i, w):
        level = t("roadmap.level.unknown", lang) if lv[i] == MISSING else str(int(lv[i]))
        return t("roadmap.network.item", lang, id=model.element_ids[i], level=level, weight=int(w))
    j = model.index[element]
    level = t("roadmap.level.unknown", lang) if lv[j] == MISSING else str(int(lv[j]))
    parts = [t("roadmap.network.caption", lang, id=element, name=names[element], level=level)]
    parts.append(t("roadmap.network.caption.left", lang,
                   items=", ".join(item(i, w) for i, w in left)) if left
                 else t("roadmap.network.caption.noleft", lang))
    parts.append(t("roadmap.network.caption.right", lang,
                   items=", ".join(item(k, w) for k, w in right)) if right
                 else t("roadmap.network.caption.noright", lang))
    return " ".join(parts)


# ------------------------------------------------------------------ callback bodies


def update(ctx: AppContext, m, wave, weights, target, done, plan, focus, lang):
    """The main callback: status, roadmap, what-if, passive use, who can help, focus choices."""
    lang = normalise_lang(lang)
    a = analyse(ctx, m, wave, weights, target, done, plan)
    options, value = focus_options(ctx, a, focus, lang)
    return (status(ctx, a, lang), steps_panel(ctx, a, lang), whatif_panel(ctx, a, lang),
            passive_panel(ctx, a, lang), help_panel(ctx, a, lang), options, value)


def update_network(ctx: AppContext, focus, m, wave, target, done, lang):
    lang = normalise_lang(lang)
    return network_figure(ctx, subject(ctx, m, wave), focus, target, done, lang)


def roadmap_csv(ctx: AppContext, m, wave, weights, target, done, lang) -> pd.DataFrame | None:
    """One row per recommended element: phase, rank, score, components, weights, explanation."""
    lang = normalise_lang(lang)
    a = analyse(ctx, m, wave, weights, target, done, None)
    if a.rm is None:
        return None
    names = _names(ctx, lang)
    law = rd.law_names(ctx)
    wn = dict(zip(COMPONENTS, a.rm.weights.normalised(), strict=True))
    rows = []
    for s in a.rm.steps:
        ex = s.explanation
        rows.append({"municipality_id": a.subject.mid, "wave": a.subject.wave,
                     "phase": s.phase, "rank": s.rank, "element": s.element,
                     "element_name": names[s.element], "level": ex.level, "target": ex.target,
                     "score": round(s.score, 4), "readiness": round(s.readiness, 4),
                     "unlock": round(s.unlock, 4), "urgency": round(s.urgency, 4),
                     "peer": round(s.peer, 4),
                     **{f"weight_{c}": round(wn[c], 4) for c in COMPONENTS},
                     "done": ",".join(a.params.done),
                     "explanation": explain_text(ex, lang, names, law)})
    return pd.DataFrame(rows, columns=[
        "municipality_id", "wave", "phase", "rank", "element", "element_name", "level", "target",
        "score", "readiness", "unlock", "urgency", "peer",
        *[f"weight_{c}" for c in COMPONENTS], "done", "explanation"])


def download(ctx: AppContext, m, wave, weights, target, done, lang, fmt: str = "csv") -> dict:
    """The roadmap table as a dcc.Download file in `fmt`."""
    df = roadmap_csv(ctx, m, wave, weights, target, done, lang)
    if df is None:
        raise PreventUpdate
    return table_download(df, f"ds4e-roadmap-{m}-{wave}.csv", fmt)


# ------------------------------------------------------------------ callbacks


def register(app, ctx: AppContext) -> None:
    warmup.add(app.server, _warm)  # before the first request: dashboard/warmup.py
    weights = [Input(WEIGHT[c], "value") for c in COMPONENTS]

    @app.callback(Output(PICKER, "options"), Input(PICKER, "search_value"),
                  State(PICKER, "value"), prevent_initial_call=True)
    def _picker_options(search, value):
        return search_options(ctx, search, value)

    @app.callback(Output(ids.URL, "search", allow_duplicate=True), Input(PICKER, "value"),
                  Input(WAVE, "value"), *weights, Input(TARGET, "value"), Input(DONE, "value"),
                  Input(PLAN, "value"), prevent_initial_call=True)
    def _url(m, wave, wr, wu, wg, wp, target, done, plan):
        return url_search(ctx, m, wave, (wr, wu, wg, wp), target, done, plan)

    @app.callback(Output(STATUS, "children"), Output(STEPS, "children"),
                  Output(WHATIF, "children"), Output(PASSIVE, "children"),
                  Output(HELP, "children"), Output(FOCUS, "options"), Output(FOCUS, "value"),
                  Input(PICKER, "value"), Input(WAVE, "value"), *weights,
                  Input(TARGET, "value"), Input(DONE, "value"), Input(PLAN, "value"),
                  State(FOCUS, "value"), State(ids.LANG, "value"))
    def _update(m, wave, wr, wu, wg, wp, target, done, plan, focus, lang):
        return update(ctx, m, wave, (wr, wu, wg, wp), target, done, plan, focus, lang)

    @app.callback(Output(NETWORK, "figure"), Output(NETWORK_CAPTION, "children"),
                  Input(FOCUS, "value"), State(PICKER, "value"), State(WAVE, "value"),
                  State(TARGET, "value"), State(DONE, "value"), State(ids.LANG, "value"))
    def _network(focus, m, wave, target, done, lang):
        return update_network(ctx, focus, m, wave, target, done, lang)

    @app.callback(Output(group_id(CSV_BUTTON), "disabled"), Input(FOCUS, "options"))
    def _csv_enabled(options):
        return not options  # no roadmap, nothing to download

    @app.callback(*[Output(WEIGHT[c], "value") for c in COMPONENTS], Output(TARGET, "value"),
                  Input(RESET, "n_clicks"), prevent_initial_call=True)
    def _reset(_n):
        return (*DEFAULT_WEIGHTS.raw(), DEFAULT_TARGET)

    @app.callback(Output(CSV, "data"), *download_inputs(CSV_BUTTON), State(PICKER, "value"),
                  State(WAVE, "value"), *[State(WEIGHT[c], "value") for c in COMPONENTS],
                  State(TARGET, "value"), State(DONE, "value"), State(ids.LANG, "value"),
                  prevent_initial_call=True)
    def _download_file(_csv, _xlsx, _parquet, m, wave, wr, wu, wg, wp, target, done, lang):
        return download(ctx, m, wave, (wr, wu, wg, wp), target, done, lang,
                        chosen_format(callback_context.triggered_id, CSV_BUTTON))


def _warm(ctx: AppContext) -> None:
    try:
        search_index(ctx)
        rd.warm(ctx)
    except Exception:  # a failed warm-up is redone by the first request, but never hidden
        LOG.exception("warm-up of %s failed", __name__)
