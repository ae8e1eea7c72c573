"""Builders for the Knowledge page: framework data in, Dash components out. No callbacks here."""

from __future__ import annotations

from collections.abc import Mapping

import dash_bootstrap_components as dbc
from dash import dcc, html

from dashboard.i18n import t
from dashboard.search import Hit
from pipelines.framework import Element, Enabling, Framework, Law, Requirement, is_legal_duty
from pipelines.maturity.member_state_dates import MemberStateDates

LEVEL_CLASSES = {0: "lvl-0", 1: "lvl-1", 2: "lvl-2", 3: "lvl-3", 4: "lvl-4"}


def element_href(element_id: str) -> str:
    return f"/knowledge?element={element_id}"


def element_list(fw: Framework, hits: list[Hit], lang: str, selected: str | None) -> list:
    """Result list grouped by block; each element is a plain link, so keyboard and
    screen-reader users get native behaviour and every element has a permalink."""
    groups: list = []
    for block in fw.blocks:
        rows = [h for h in hits if h.element.block == block.id]
        if not rows:
            continue
        items = []
        for h in rows:
            el = h.element
            current = el.id == selected
            found = ""
            if h.fields and h.fields[0] not in ("id", "name"):
                found = " · " + ", ".join(t(f"search.field.{f}", lang) for f in h.fields[:2])
            items.append(html.Li(
                dcc.Link(
                    [html.Span(el.id, className="el-id"), " ", el.name.get(lang),
                     html.Small(found, className="text-body-secondary") if found else None],
                    href=element_href(el.id),
                    className="list-group-item list-group-item-action"
                    + (" active" if current else ""),
                ),
                # dcc.Link takes no aria props; the list item carries the "current" state
                className="list-unstyled",
                **({"aria-current": "true"} if current else {}),
            ))
        groups.append(html.Section([
            html.H2(f"{block.id} · {block.name.get(lang)}", className="h6 block-heading mt-3"),
            html.Ul(items, className="list-group list-group-flush ps-0"),
        ]))
    return groups


def block_overview(fw: Framework, lang: str) -> html.Div:
    """What a user sees before choosing an element: the scale and the blocks at a glance."""
    scale = html.Ol([
        html.Li([html.Strong(f"{s.level} · {s.label.get(lang)}: "), s.meaning.get(lang)],
                className=f"scale-item {LEVEL_CLASSES[s.level]}", value=str(s.level))
        for s in fw.scale
    ], className="scale-list", start=0)
    cards = [
        dbc.Col(dbc.Card(dbc.CardBody([
            html.H3([html.Span(b.id, className="el-id"), " ", b.name.get(lang)], className="h6"),
            html.P(b.description.get(lang), className="small mb-2"),
            html.Ul([html.Li(dcc.Link(f"{e.id} {e.name.get(lang)}", href=element_href(e.id)))
                     for e in fw.elements_of(b.id)], className="small mb-0 ps-3"),
        ]), className="h-100"), md=6, xl=6, className="mb-3")
        for b in fw.blocks
    ]
    return html.Div([
        html.H2(t("knowledge.overview.title", lang, blocks=len(fw.blocks),
                  elements=len(fw.elements)), className="h4"),
        html.P(t("knowledge.overview.intro", lang)),
        html.H3(t("knowledge.scale.title", lang), className="h5"),
        scale,
        dbc.Row(cards, className="mt-3"),
    ])


def _weight_badge(weight: int, lang: str) -> html.Span:
    return html.Span(["●" * weight + "○" * (3 - weight), " ", t(f"element.weight.{weight}", lang)],
                     className=f"weight weight-{weight}", title=t(f"element.weight.{weight}", lang))


def _links(fw: Framework, cells: list[Enabling], other: str, lang: str) -> html.Ul | html.P:
    if not cells:
        return html.P(t("element.none", lang), className="text-body-secondary")
    rows = []
    for c in cells:
        target = fw.element_by_id[getattr(c, other)]
        rows.append(html.Li([
            dcc.Link(f"{target.id} {target.name.get(lang)}", href=element_href(target.id)),
            " ", _weight_badge(c.weight, lang),
            *([" ", html.Span(t(f"element.gate.{other}", lang, level=c.gate),
                              className="badge text-bg-warning fw-normal text-wrap text-start element-gate")]
              if c.gate else []),
            html.Div(c.rationale.get(lang), className="small text-body-secondary"),
        ], className="mb-2"))
    return html.Ul(rows, className="ps-3")


def _date(d, lang: str) -> str:
    return d.isoformat() if d else t("law.deadline.nodate", lang)


def _deadline(r: Requirement, lang: str, dates: MemberStateDates | None = None) -> list:
    """The law's date; for a member-state date (`deadline_ref`) the default date and the member
    states that differ (`dates`), or just "national date" when they are not given."""
    if r.deadline:
        return [r.deadline.isoformat()]
    if dates is None:
        return [t("law.deadline.national", lang)]
    if dates.differs:
        # each "BE 2024-10-18" on one line: a narrow column would break the date at its hyphens
        before, _, after = t("law.deadline.differs", lang, states="{states}").partition("{states}")
        states: list = []
        for c in dates.differs:
            states += [", "] if states else []
            states.append(html.Span(f"{c.country} {_date(c.date, lang)}", className="text-nowrap"))
        note = [before, *states, after]
    else:
        note = t("law.deadline.same", lang)
    return [_date(dates.default, lang), " ",
            html.Small(note, className="d-block text-body-secondary")]


def _law_rows(fw: Framework, pairs: list[tuple[Law, Requirement]], lang: str,
              dates: Mapping[str, MemberStateDates] | None = None) -> list:
    cond = {c.id: c for c in fw.conditions}
    rows = []
    for law, r in pairs:
        condition = cond[r.applies_if].description.get(lang) if r.applies_if else t(
            "law.condition.always", lang)
        duty = is_legal_duty(law, r)
        kind = t("law.kind.duty" if duty else "law.kind.recommended", lang)
        basis = [html.Div(f"{t('law.legal_basis', lang)}: {r.legal_basis}", className="small")] \
            if r.legal_basis else []
        needs = [html.Div(r.needs.get(lang), className="small text-body-secondary law-needs")] \
            if r.needs is not None else []
        badge = None
        if r.confidence == "check":
            badge = dbc.Badge(t("law.unverified", lang), color="warning", text_color="dark",
                              className="ms-1", title=t("law.unverified.help", lang))
        rows.append(html.Tr([
            html.Td(html.Abbr(law.short_name(lang), title=law.name.get(lang))),
            html.Td(str(r.min), className="text-center"),
            html.Td([*_deadline(r, lang, (dates or {}).get(r.deadline_ref)), badge]),
            html.Td(condition, className="small"),
            html.Td([html.Span(kind, className="fw-semibold" if duty else None,
                               title=t("law.kind.duty.help" if duty else
                                       "law.kind.recommended.help", lang)), *basis, *needs]),
        ]))
    return rows


def _laws(fw: Framework, el: Element, lang: str,
          dates: Mapping[str, MemberStateDates] | None = None):
    # soonest first; member-state dates (NIS2) have no EU date and go last
    pairs = sorted(fw.laws_requiring(el.id),
                   key=lambda p: (p[1].deadline is None, p[1].deadline or "", p[0].id))
    if not pairs:
        return html.P(t("element.laws.none", lang), className="text-body-secondary")
    head = html.Thead(html.Tr([html.Th(t(k, lang), scope="col") for k in
                               ("law.law", "law.min", "law.deadline", "law.condition",
                                "law.kind")]))
    legend = html.P([html.Strong(t("law.kind.duty", lang) + ": "), t("law.kind.duty.help", lang),
                     " ", html.Strong(t("law.kind.recommended", lang) + ": "),
                     t("law.kind.recommended.help", lang)], className="small text-body-secondary")
    return html.Div([dbc.Table([head, html.Tbody(_law_rows(fw, pairs, lang, dates))], size="sm",
                               striped=True, responsive=True, className="laws-table"), legend])


def _crosswalk(fw: Framework, el: Element, lang: str) -> html.Ul:
    items = []
    for xf in fw.crosswalk_frameworks:
        cats = {c.id: c for c in xf.categories}
        ids = fw.crosswalk.get(el.id, {}).get(xf.id, [])
        names = ", ".join(cats[c].name.get(lang) for c in ids) or "–"
        items.append(html.Li([html.Strong(xf.name.get(lang) + ": "), names]))
    return html.Ul(items, className="ps-3")


def _kickstart(fw: Framework, el: Element, lang: str):
    if not el.kickstart:
        return html.P(t("element.kickstart.none", lang), className="text-body-secondary")
    cards = []
    for iid in el.kickstart:
        ins = fw.instrument_by_id[iid]
        cards.append(dbc.ListGroupItem([
            html.Div([html.Strong(ins.name), " ",
                      dbc.Badge(t(f"scope.{ins.scope}", lang), color="secondary",
                                className="ms-1")]),
            html.Div(f"{t('owner', lang)}: {ins.owner}", className="small text-body-secondary"),
            html.Div(ins.helps_with.get(lang), className="small"),
        ]))
    return dbc.ListGroup(cards, flush=True)


def element_detail(fw: Framework, el: Element, lang: str,
                   dates: Mapping[str, MemberStateDates] | None = None) -> html.Article:
    """One element in full. `dates`: per date condition (a requirement's `deadline_ref`) its
    default date and the member states that differ (member_state_dates); without it a
    member-state date shows as "national date"."""
    block = fw.block_by_id[el.block]
    levels = html.Ol([
        html.Li([
            html.Span(f"{lvl} · {fw.scale[lvl].label.get(lang)}", className="lvl-label"),
            html.Span(text.get(lang), className="lvl-text"),
        ], className=f"level-item {LEVEL_CLASSES[lvl]}", value=str(lvl))
        for lvl, text in sorted(el.levels.items())
    ], className="level-list", start=0)
    section = lambda key, body, help_key=None: html.Section([  # noqa: E731
        html.H3(t(key, lang), className="h5 mt-4"),
        html.P(t(help_key, lang), className="small text-body-secondary mb-1") if help_key else None,
        body,
    ])
    return html.Article([
        html.P([t("element.block", lang), ": ", f"{block.id} · {block.name.get(lang)}"],
               className="text-body-secondary small mb-1"),
        html.H2([html.Span(el.id, className="el-id"), " ", el.name.get(lang)], className="h3",
                id="element-title"),
        html.P(el.description.get(lang), className="lead"),
        section("element.levels", levels),
        dbc.Alert([html.Strong(t("element.evidence", lang) + ": "), el.evidence.get(lang)],
                  color="success", className="mt-2 evidence"),
        section("element.steps", html.Ol([html.Li(s.get(lang)) for s in el.steps])),
        section("element.kickstart", _kickstart(fw, el, lang)),
        dbc.Row([
            dbc.Col(section("element.enablers", _links(fw, fw.enablers_of(el.id), "enabler", lang),
                            "element.enablers.help"), md=6),
            dbc.Col(section("element.dependants",
                            _links(fw, fw.dependants_of(el.id), "enabled", lang),
                            "element.dependants.help"), md=6),
        ]),
        section("element.laws", _laws(fw, el, lang, dates)),
        section("element.crosswalk", _crosswalk(fw, el, lang)),
    ], className="element-detail", **{"aria-labelledby": "element-title"})
