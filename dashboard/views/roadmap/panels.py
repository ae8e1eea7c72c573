"""The Roadmap page's result panels, filled by its main callback: the status line, the phased
steps with their explanations, score bars and Kickstart references, what-if, passive use (an
existing strategy checked) and who can help. Written as the JSON data Dash sends for components
(`node`, `alert`; why below `_bars`), the same bytes as the component objects."""

from __future__ import annotations

import json

from dash import html
from plotly.utils import PlotlyJSONEncoder

from dashboard.components.numbers import fmt_int, fmt_num
from dashboard.components.places import country_name
from dashboard.context import AppContext
from dashboard.i18n import t
from dashboard.views.roadmap import data as rd
from dashboard.views.roadmap.analysis import Analysis
from pipelines.maturity.coverage_note import Coverage
from pipelines.maturity.cube import MISSING
from pipelines.maturity.roadmap import COMPONENTS, Roadmap, assess_text, explain_parts
from pipelines.maturity.whatif import roadmap_change
from pipelines.reference import size_class_label


def _listing(items: list[str], lang: str) -> str:
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + (" en " if lang == "nl" else " and ") + items[-1]


def status(ctx: AppContext, a: Analysis, lang: str):
    if a.empty == "nothing":
        return alert(t("roadmap.empty.nothing.body", lang), "info")
    if a.subject is None:
        return alert(t("roadmap.empty.pick", lang), "info")
    sub = a.subject
    country = country_name(ctx, rd.reference_column(ctx, "country")[sub.row], lang)
    size = size_class_label(rd.reference_column(ctx, "size_class")[sub.row], lang)
    facts = t("roadmap.status.facts", lang, name=sub.name, country=country, size=size,
              wave=sub.wave)
    if a.empty == "hidden":
        return alert([node("Strong", facts), " ", t("roadmap.empty.hidden", lang,
                                                    name=sub.name)], "warning")
    if a.empty == "noanswer":
        return alert([node("Strong", facts), " ", t(
            "roadmap.empty.noanswer", lang, name=sub.name, wave=sub.wave,
            waves=", ".join(sub.waves_answered))], "warning")
    if a.empty == "never":
        return alert([node("Strong", facts), " ", t("roadmap.empty.never", lang, name=sub.name)],
                     "warning")
    known = int((sub.levels != MISSING).sum())
    n_peers = rd.peer_group_size(ctx, sub.snap, sub.w, sub.row)
    body = node("P", [node("Strong", facts), " ", t(
        "roadmap.status.body", lang, known=known, total=len(sub.levels), peers=fmt_int(n_peers, lang),
        date=rd.evaluation_date(sub.snap, sub.w).isoformat())], className="mb-0")
    cov = a.coverage
    if cov is None or not cov.thin:
        return body
    return [body, alert(coverage_text(cov, lang), "warning", className="mt-2 mb-0 rm-thin")]


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
        return node("P", t(f"roadmap.steps.empty.{a.empty or 'pick'}", lang),
                    className="text-body-secondary mb-0")
    if a.empty == "weights":
        return alert(t("roadmap.empty.weights", lang), "warning", className="mb-0")
    if a.empty == "at_target":
        return alert(t("roadmap.empty.at_target", lang, target=a.params.target), "success",
                     className="mb-0")
    rm = a.rm
    out = []
    if rm.assess:
        out.append(assess_section(ctx, rm, lang))
    if rm.gated:
        out.append(node("P", t("roadmap.gated", lang, items=_listing(
            [f"{e} {rd.element_names(ctx, lang)[e]}" for e in rm.gated], lang)),
            className="small text-body-secondary rm-gated"))
    if not rm.steps:
        out.append(node("P", t("roadmap.steps.only_assess", lang), className="mb-0"))
    names, law_names = rd.element_names(ctx, lang), rd.law_names(ctx, lang)
    for k, phase in enumerate(rm.phases, start=1):
        title = t("roadmap.phase", lang, n=k)
        out.append(node("Section", [
            node("H3", title, className="h6 rm-phase-title"),
            node("Ol", [_step(ctx, s, lang, names, law_names) for s in phase],
                 className="rm-steps list-unstyled", start=phase[0].rank),
        ], className="rm-phase", **{"aria-label": title}))
    return out


ASSESS_SHOWN = 5


def assess_section(ctx: AppContext, rm: Roadmap, lang: str) -> dict:
    """'Establish where you stand first': the elements nobody could rate, most important first
    (a legal duty on them, the elements they gate, what they help build)."""
    names = rd.element_names(ctx, lang)
    items = [node("Li", [node("Span", a.element, className="el-id"), " ",
                         assess_text(a, lang, names, rd.law_names(ctx, lang)).split(": ", 1)[-1]],
                  className="mb-1")
             for a in rm.assess[:ASSESS_SHOWN]]
    more = len(rm.assess) - ASSESS_SHOWN
    title = t("roadmap.assess.title", lang)
    return node("Section", [
        node("H3", title, className="h6 rm-phase-title"),
        node("P", t("roadmap.assess.guide" + (".one" if len(rm.assess) == 1 else ""), lang,
                    n=len(rm.assess)), className="small mb-1"),
        node("Ul", items, className="small rm-assess"),
        *([node("P", t("roadmap.assess.more", lang, n=more, items=", ".join(
            x.element for x in rm.assess[ASSESS_SHOWN:])), className="small text-body-secondary")]
          if more > 0 else []),
    ], className="rm-phase rm-assess-section", **{"aria-label": title})


def _step(ctx: AppContext, s, lang: str, names, law_names) -> dict:
    el = ctx.framework.element_by_id[s.element]
    ex = s.explanation
    level = t("roadmap.level.unknown", lang) if ex.level is None else str(ex.level)
    return node("Li", [
        node("Div", [
            node("Span", str(s.rank), className="rm-rank", title=t("roadmap.rank", lang)),
            node("Span", el.id, className="el-id"), " ",
            node("Strong", el.name.get(lang)), " ",
            node("Span", t("roadmap.level.move", lang, level=level, target=ex.target),
                 className="rm-move"),
            node("Span", t("roadmap.score", lang, score=fmt_num(s.score, lang, 2)),
                 className="rm-score", title=t("roadmap.score.help", lang)),
        ], className="rm-step-head"),
        _bars(ex.components, lang),
        node("Ul", [node("Li", x) for x in explanation_parts(ex, lang, names, law_names)],
             className="rm-why mb-1"),
        kickstart(ctx, el.id, lang),
    ], id=f"roadmap-step-{el.id}", className="rm-step")


def explanation_parts(expl, lang: str, names, law_names) -> list[str]:
    """The engine's explanation as its sentences (enablers in place, partly, missing, what it
    unlocks, the law, the peers), without the head: the step's title says it already."""
    return explain_parts(expl, lang, names, law_names, with_score=False)[1:]


_KICKSTART: dict[tuple[str, str, str], dict] = {}


def kickstart(ctx: AppContext, element: str, lang: str) -> dict:
    """An element's Kickstart references (implementation steps, instruments, a link to the
    Knowledge page), collapsed. Built once per framework, element and language and kept in the
    form Dash sends it (the component tree as plain JSON data, `serialised`): about 20 of the
    ~50 components of each step, encoded again on every change of the page otherwise; the
    browser gets the same HTML."""
    key = (ctx.framework.checksum, element, lang)
    hit = _KICKSTART.get(key)
    if hit is None:
        fw = ctx.framework
        el = fw.element_by_id[element]
        instruments = [fw.instrument_by_id[i] for i in el.kickstart if i in fw.instrument_by_id]
        hit = _KICKSTART[key] = serialised(html.Details([
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
        ], className="rm-kickstart"))
    return hit


def serialised(component) -> dict:
    """A component tree as the JSON data Dash sends for it ({"type", "namespace", "props"},
    children likewise): Dash puts it in an answer as it is, without building or encoding a
    component object per node again."""
    return json.loads(json.dumps(component, cls=PlotlyJSONEncoder))


def _bars(components: dict[str, float], lang: str) -> dict:
    """The four components as labelled bars: one text span each, the bar drawn by CSS from
    --v. Written directly in the form Dash sends (`node`): nine nodes per step on every change,
    no component objects to build and encode."""
    return node("Div", [
        node("Span", [t(f"roadmap.component.{c}", lang),
                      node("B", fmt_num(float(components[c]), lang, 2))],
             className=f"rm-bar rm-{c}",
             style={"--v": f"{100 * min(max(float(components[c]), 0), 1):.0f}%"})
        for c in COMPONENTS], className="rm-bars", role="group",
        **{"aria-label": t("roadmap.components", lang)})


# The panels are written directly in the form Dash sends (`node`, `alert`), not as component
# objects: an answer is ~250 components (the steps, who can help), and building each (Dash
# checks every property) and encoding it again (a call back into Python per node) was ~4 of the
# callback's 9 ms at EU size (in-process CPU, 200 answered municipalities, open rule: callback
# p50 9.5 -> 6.6 ms, p95 13.9 -> 10.3; with Dash's encoding p50 12.3 -> 7.5, p95 17 -> 11.5).
# The bytes sent are the same: Dash writes a component's props in
# the order of its class's property list (children, id, className, href, role, start, style,
# title, then aria-/data- ones as given), so the callers pass them in that order;
# tests/dashboard/test_roadmap_serialised.py compares the JSON with the component-built panels.


def node(kind: str, children, **props) -> dict:
    """html.<kind>(children, **props) as Dash serialises it (`serialised` gives the same when
    the props are given in Dash's order, see above)."""
    return {"props": {"children": children, **props}, "type": kind,
            "namespace": "dash_html_components"}


def alert(children, color: str, **props) -> dict:
    """dbc.Alert(children, color=color, **props) as Dash serialises it."""
    return {"props": {"children": children, "color": color, **props}, "type": "Alert",
            "namespace": "dash_bootstrap_components"}


def whatif_panel(ctx: AppContext, a: Analysis, lang: str):
    if a.rm is None:
        return None
    if not a.params.done:
        return node("P", t("roadmap.whatif.none", lang), className="small text-body-secondary mb-0")
    names = rd.element_names(ctx, lang)
    items = []
    for e in a.effects:
        if e.already:
            items.append(node("Li", t("roadmap.whatif.already", lang, id=e.element,
                                      name=names[e.element])))
        elif not e.raised:
            items.append(node("Li", t("roadmap.whatif.nothing", lang, id=e.element,
                                      name=names[e.element])))
        else:
            raised = [t("roadmap.whatif.raise", lang, id=r.element, before=fmt_num(r.before, lang, 2),
                        after=fmt_num(r.after, lang, 2)) for r in e.raised]
            items.append(node("Li", t("roadmap.whatif.raises", lang, id=e.element,
                                      items=_listing(raised, lang))))
    entered, left = roadmap_change(a.base.ids, a.rm.ids)
    left = [x for x in left if x not in a.params.done]
    out = [node("Ul", items, className="small mb-1 rm-effects")]
    if entered:
        out.append(node("P", t("roadmap.whatif.entered", lang, items=", ".join(entered)),
                        className="small mb-1"))
    if left:
        out.append(node("P", t("roadmap.whatif.left", lang, items=", ".join(left)),
                        className="small mb-1"))
    return out


def passive_panel(ctx: AppContext, a: Analysis, lang: str):
    if a.rm is None:
        return None
    if a.plan is None:
        return node("P", t("roadmap.plan.none", lang), className="small text-body-secondary mb-0")
    p = a.plan
    out = []
    if p.lacking:
        out.append(node("P", node("Strong", t("roadmap.plan.lacking" + (
            ".one" if len(p.lacking) == 1 else ""), lang, n=len(p.lacking))),
                        className="small mb-1"))
        out.append(node("Ul", [node("Li", t(
            "roadmap.plan.lacking.item" if x.add_first else "roadmap.plan.lacking.planned",
            lang, id=x.element, readiness=fmt_num(x.readiness, lang, 2),
            missing=", ".join(x.missing), first=", ".join(x.add_first)))
            for x in p.lacking], className="small mb-2 rm-lacking"))
    else:
        out.append(node("P", t("roadmap.plan.ready", lang), className="small mb-2"))
    if p.at_target:
        out.append(node("P", t("roadmap.plan.at_target", lang, items=", ".join(p.at_target)),
                        className="small mb-2"))
    if p.missed_first_phase:
        out.append(node("P", t("roadmap.plan.missed_first", lang,
                               items=", ".join(p.missed_first_phase)),
                        className="small mb-1 rm-missed"))
    later = [x for x in p.missed if x not in p.missed_first_phase]
    if later:
        out.append(node("P", t("roadmap.plan.missed_later", lang, items=", ".join(later)),
                        className="small mb-1"))
    if not p.missed:
        out.append(node("P", t("roadmap.plan.covers", lang), className="small mb-1"))
    return out


def help_panel(ctx: AppContext, a: Analysis, lang: str):
    if a.rm is None or not a.help:
        return node("P", t("roadmap.help.empty", lang), className="small text-body-secondary mb-0")
    names = rd.reference_names(ctx)
    mids = a.subject.snap.maturity.municipality_ids
    element_names = rd.element_names(ctx, lang)
    out = []
    for h in a.help:
        def item(match, show_level: bool):
            why = [t("roadmap.help.same_country", lang)] if match.same_country else []
            if match.same_region:
                why.append(t("roadmap.help.same_region", lang))
            if match.same_size:
                why.append(t("roadmap.help.same_size", lang))
            if match.distance_km is not None:
                why.append(t("roadmap.help.km", lang, km=fmt_int(round(match.distance_km), lang)))
            detail = t("roadmap.help.match", lang, sim=fmt_num(match.similarity, lang, 2),
                       why=", ".join(why) or t("roadmap.help.other_country", lang))
            if show_level and match.level is not None:
                detail = t("roadmap.help.level", lang, level=match.level) + "; " + detail
            mid = str(mids[match.row])
            return node("Li", [node("A", names[match.row], href=f"/profile?m={mid}"),
                               f" ({mid.split('_', 1)[0]}) · ",
                               node("Span", detail, className="text-body-secondary")])
        block = [node("H3", [node("Span", h.element, className="el-id"), " ",
                             element_names[h.element]], className="h6 mt-2")]
        block.append(node("P", t("roadmap.help.helpers", lang, n=fmt_int(h.helpers_total, lang),
                                 level=max(3, a.params.target)),
                          className="small mb-1"))
        if h.helpers:
            block.append(node("Ol", [item(x, True) for x in h.helpers], className="small mb-1"))
        if h.helpers_hidden:
            block.append(node("P", t("roadmap.help.hidden", lang,
                                     n=fmt_int(h.helpers_hidden, lang)),
                              className="small text-body-secondary mb-1"))
        if h.partners_total is not None:
            block.append(node("P", t("roadmap.help.partners", lang,
                                     n=fmt_int(h.partners_total, lang)), className="small mb-1"))
            if h.partners:
                block.append(node("Ol", [item(x, False) for x in h.partners],
                                  className="small mb-1"))
            if h.partners_hidden:
                block.append(node("P", t("roadmap.help.hidden", lang,
                                         n=fmt_int(h.partners_hidden, lang)),
                                  className="small text-body-secondary mb-1"))
        out.append(node("Section", block, className="rm-help"))
    return out


def focus_options(ctx: AppContext, a: Analysis, current, lang: str) -> tuple[list, str | None]:
    if a.rm is None or not a.rm.steps:
        return [], None
    names = rd.element_names(ctx, lang)
    options = [{"label": f"{s.rank}. {s.element} · {names[s.element]}", "value": s.element}
               for s in a.rm.steps]
    values = [o["value"] for o in options]
    return options, current if current in values else values[0]
