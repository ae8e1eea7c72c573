"""A council report's content: one municipality, one wave, one language (pure: no Dash).

Every number comes from what the dashboard and the API already compute on the published build,
so the report cannot disagree with the screens:
- header and block scores: `api_insight.municipality_detail` (the API's /municipalities/{id});
- radar against the peer group and strongest/weakest elements: the profile's `select`,
  `block_profile_fast` and `element_stats` (its radar and distribution), default peer group;
- first roadmap phase and who can help: `RoadmapApi.roadmap` (the API's /roadmap, default
  parameters), Kickstart instruments from the framework;
- legislation: the readiness engine with the Legislation page's inputs, on the report's wave.

The result is a `Report`: facts as numbers (for tests and for the API-equality check) and the
text to print, already in the report's language. `render_html` and `render_pdf` only lay it out,
so the HTML and the PDF say the same.

Consent: the caller names who is asking (`viewer`: the municipality a survey link opens); a
municipality that did not consent gets a report only for its own link or under
DS4E_VISIBILITY=open (`ReportRefused`, the API's 403).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import numpy as np

from dashboard.api_insight import municipality_detail
from dashboard.api_params import RoadmapQuery, weights_of
from dashboard.api_roadmap import RoadmapApi
from dashboard.components.numbers import fmt_int, fmt_num
from dashboard.components.places import country_name
from dashboard.context import AppContext
from dashboard.i18n import t
from dashboard.laws import inputs as law_inputs
from dashboard.laws import law_short
from dashboard.laws import today as law_today
from dashboard.report import radar
from dashboard.views.profile import data as profile_data
from dashboard.views.profile.texts import peer_group_text
from dashboard.views.roadmap import data as rd
from pipelines.maturity.cube import MISSING
from pipelines.maturity.peers import DEFAULT_PEERS
from pipelines.maturity.readiness import municipality_readiness
from pipelines.maturity.roadmap import explain_parts
from pipelines.reference import size_class_label

TOP = 3  # strongest and weakest elements, peers that can help


class ReportRefused(Exception):
    """No report: `status` as the API would answer (403 no consent, 404 unknown, 503 nothing
    published) and why, naming the municipality, in either language (`text`; the API and the
    CLI speak English, as their other messages)."""

    def __init__(self, status: int, key: str, **values):
        self.status, self.key, self.values = status, key, values
        super().__init__(self.text("en"))

    def text(self, lang: str) -> str:
        return t(self.key, lang, **self.values)


@dataclass
class Section:
    id: str
    heading: str
    paragraphs: list[str] = field(default_factory=list)
    table: dict | None = None  # {"header": [...], "rows": [[...]], "align": ["l"|"r", ...]}
    items: list[dict] = field(default_factory=list)  # {"title": str, "text": str, "sub": [str]}
    small: bool = False  # printed smaller (how to read, sources)


@dataclass
class Report:
    municipality_id: str
    name: str
    lang: str
    wave: str
    title: str
    subtitle: str
    demo: bool
    banner: str | None
    facts: list[tuple[str, str]]
    radar_svg: str
    radar_alt: str
    sections: list[Section]
    footer: str
    numbers: dict  # the figures behind the text, for tests and the API comparison
    timestamp: int = 0  # the build's time (Unix seconds): the PDF's creation date

    def to_dict(self) -> dict:
        return {"municipality_id": self.municipality_id, "name": self.name, "lang": self.lang,
                "wave": self.wave, "title": self.title, "subtitle": self.subtitle,
                "demo": self.demo, "banner": self.banner,
                "facts": [list(f) for f in self.facts],
                "radar": {"svg": self.radar_svg, "alt": self.radar_alt},
                "sections": [vars(s) for s in self.sections], "footer": self.footer}


# ------------------------------------------------------------------ assembling


def assemble(ctx: AppContext, municipality_id: str, wave: str | None = None, lang: str = "nl",
             viewer: str | None = None) -> Report:
    """The report of one municipality (`wave` None: the latest it answered, as the API)."""
    lang = "en" if lang == "en" else "nl"
    snap = ctx.warehouse.snapshot()
    if snap is None or not snap.waves:
        raise ReportRefused(503, "report.refused.unpublished")
    mid = municipality_id.strip()
    row = profile_data.row_of(snap.maturity, mid)
    if row is None:
        mid = mid.upper()
        row = profile_data.row_of(snap.maturity, mid)
    if row is None:
        raise ReportRefused(404, "report.refused.unknown", id=municipality_id)
    if not ctx.visible(snap, row, viewer):
        raise ReportRefused(403, "report.refused.consent", id=mid)
    if wave is not None and wave not in snap.waves:
        raise ReportRefused(404, "report.refused.wave", wave=wave, waves=", ".join(snap.waves))
    detail = municipality_detail(snap, mid, row, wave)
    wave = detail["wave"]
    w = snap.waves.index(wave)
    ref = ctx.municipalities
    name = str(ref["name"].iat[row])
    fw = ctx.framework

    sel = profile_data.select(ctx, mid, wave, DEFAULT_PEERS, None)
    blocks = profile_data.block_profile_fast(sel)
    elements, _ = profile_data.element_stats(sel)
    plan = _roadmap(ctx, snap, row, w, lang)
    readiness = _readiness(ctx, snap, row, w)

    block_names = [fw.block_by_id[b].name.get(lang) for b in blocks.labels]
    numbers = {
        "wave": wave,
        "scores": detail["scores"],
        "coverage": detail["coverage"],
        "peer_group": {"id": sel.group, "municipalities": int(sel.peers.sum())},
        "blocks": blocks.rows(),
        "elements": elements.rows(),
        "first_phase": [st.element for st in plan.first],
        "who_can_help": plan.help,
        "laws": {lr.law: lr.legal.status for lr in readiness.laws},
    }
    sections = [
        _profile_section(ctx, sel, blocks, block_names, lang, detail),
        _elements_section(ctx, elements, lang, bool(elements.suppressed.all()),
                          detail["has_answers"]),
        _roadmap_section(ctx, plan, lang),
        _laws_section(ctx, readiness, lang, detail["has_answers"]),
        _peers_section(plan.help, lang),
        Section("read", t("report.read.heading", lang),
                [t("report.read.levels", lang, scale=", ".join(
                    f"{s.level} {s.label.get(lang)}" for s in fw.scale)),
                 t("report.read.peers", lang,
                                                       min_group=sel.min_group),
                 t("report.read.roadmap", lang), t("report.read.laws", lang)], small=True),
        Section("sources", t("report.sources.heading", lang),
                [t("report.sources.text", lang, version=fw.version)], small=True),
    ]
    demo = bool(snap.manifest.get("demo"))
    return Report(
        municipality_id=mid, name=name, lang=lang, wave=wave,
        title=t("report.title", lang, name=name),
        subtitle=t("report.subtitle", lang, wave=wave),
        demo=demo, banner=t("report.demo", lang) if demo else None,
        facts=_facts(ctx, snap, row, detail, lang),
        radar_svg=radar.svg(block_names, blocks, lang),
        radar_alt=radar.alt_text(block_names, blocks, name, lang),
        sections=sections,
        footer=t("report.footer", lang, name=name, wave=wave, build=snap.build_id,
                 date=_date(law_today().isoformat(), lang)),
        numbers=numbers,
        timestamp=_built_at(snap.manifest.get("built_at")),
    )


def _built_at(value) -> int:
    try:
        return int(dt.datetime.fromisoformat(str(value)).timestamp())
    except ValueError:
        return 0


def _readiness(ctx: AppContext, snap, row: int, w: int):
    """The Legislation page's engine and inputs on the report's wave (the page shows the latest
    wave; for the latest wave the two are the same call)."""
    ref = ctx.municipalities
    pop = ref["population"].iat[row]
    pop = None if pop != pop or pop is None else float(pop)
    levels = snap.maturity.wave_levels(w, ctx.framework.element_ids)[row]
    return municipality_readiness(law_inputs(ctx), levels, country=str(ref["country"].iat[row]),
                                  at=law_today(), horizon_days=None, population=pop)


# ------------------------------------------------------------------ header


def _date(value, lang: str) -> str:
    """'6 December 2026' / '6 december 2026' (the month names the charts use)."""
    if not value:
        return "–"
    d = dt.date.fromisoformat(str(value)[:10])
    return f"{d.day} {t('graph.months', lang).split(',')[d.month - 1]} {d.year}"


def _facts(ctx: AppContext, snap, row: int, detail: dict, lang: str) -> list[tuple[str, str]]:
    ref = ctx.municipalities
    pop = ref["population"].iat[row]
    cov = detail["coverage"]
    if cov:
        respondents = t("report.fact.respondents_value", lang,
                        n=fmt_int(cov["n_respondents"], lang),
                        roles=cov["roles"] or t("report.fact.no_roles", lang))
        agreement = t("report.fact.agreement_value", lang,
                      agree=fmt_int(cov["n_answered"] - cov["n_disagree"], lang),
                      n=fmt_int(cov["n_answered"], lang), known=fmt_int(cov["n_known"], lang))
        surveyed = _date(cov["last_submitted"], lang)
    else:
        respondents = agreement = surveyed = t("report.fact.no_answers", lang)
    scores = detail["scores"]
    return [
        (t("report.fact.country", lang), country_name(ctx, str(ref["country"].iat[row]), lang)),
        (t("report.fact.population", lang),
         f"{fmt_int(pop, lang)} ({size_class_label(str(ref['size_class'].iat[row]), lang)})"),
        (t("report.fact.wave", lang), detail["wave"]),
        (t("report.fact.surveyed", lang), surveyed),
        (t("report.fact.respondents", lang), respondents),
        (t("report.fact.agreement", lang), agreement),
        (t("report.fact.overall", lang), fmt_num(scores["overall"], lang, 2)),
        (t("report.fact.build", lang), t("report.fact.build_value", lang,
                                         version=ctx.framework.version, build=snap.build_id,
                                         date=_date(snap.manifest.get("built_at"), lang))),
    ]


# ------------------------------------------------------------------ sections


def _profile_section(ctx, sel, blocks, block_names, lang: str, detail: dict) -> Section:
    group = peer_group_text(ctx, sel, lang).rstrip(".")
    rows = []
    for i, name in enumerate(block_names):
        band = "–" if blocks.suppressed[i] else (
            f"{fmt_num(blocks.q1[i], lang, 1)}–{fmt_num(blocks.q3[i], lang, 1)}")
        rows.append([name, fmt_num(blocks.own[i], lang, 1),
                     "–" if blocks.suppressed[i] else fmt_num(blocks.median[i], lang, 1), band])
    paragraphs = [t("report.profile.peers", lang, group=group)]
    if not detail["has_answers"]:
        paragraphs.insert(0, t("report.no_answers", lang, wave=detail["wave"], waves=", ".join(
            detail["waves_answered"]) or "–"))
    if bool(blocks.suppressed.all()):
        paragraphs.append(t("report.profile.withheld", lang, min_group=sel.min_group))
    return Section("profile", t("report.profile.heading", lang), paragraphs, table={
        "header": [t("report.profile.block", lang), t("report.profile.own", lang),
                   t("report.profile.median", lang), t("report.profile.band", lang)],
        "rows": rows, "align": ["l", "r", "r", "r"]})


def ranked(prof, k: int = TOP) -> tuple[list[int], list[int]]:
    """Indices of the k strongest and k weakest elements against the peers: by percentile
    among the peers (ties: own level), only where the own level is known and the peer
    statistics are shown; without peer statistics by own level alone."""
    known = ~np.isnan(prof.own)
    compared = known & ~np.isnan(prof.percentile)
    idx = np.flatnonzero(compared if compared.any() else known)
    if not len(idx):
        return [], []
    key = prof.percentile[idx] if compared.any() else prof.own[idx]
    order = idx[np.lexsort((prof.own[idx], key))]  # ascending: weakest first
    weakest = [int(i) for i in order[:k]]
    strongest = [int(i) for i in order[::-1][:k] if int(i) not in weakest]
    return strongest, weakest


def _elements_section(ctx, prof, lang: str, withheld: bool, has_answers: bool = True
                      ) -> Section:
    fw = ctx.framework
    if not has_answers:
        return Section("elements", t("report.elements.heading", lang),
                       [t("report.fact.no_answers", lang).capitalize() + "."])
    strongest, weakest = ranked(prof)

    def row(i: int, kind: str) -> list[str]:
        eid = prof.labels[i]
        pct = prof.percentile[i]
        position = "–" if np.isnan(pct) else t("report.elements.percentile", lang,
                                                 p=fmt_int(round(float(pct)), lang))
        return [t(f"report.elements.{kind}", lang), f"{eid} {fw.element_by_id[eid].name.get(lang)}",
                fmt_int(prof.own[i], lang),
                "–" if np.isnan(prof.median[i]) else fmt_num(prof.median[i], lang, 1), position]

    paragraphs = [t("report.elements.withheld" if withheld else "report.elements.intro", lang)]
    return Section("elements", t("report.elements.heading", lang), paragraphs, table={
        "header": ["", t("report.elements.element", lang), t("report.profile.own", lang),
                   t("report.profile.median", lang), t("report.elements.position", lang)],
        "rows": [row(i, "strong") for i in strongest] + [row(i, "weak") for i in weakest],
        "align": ["l", "l", "r", "r", "r"]})


@dataclass
class Plan:
    """The roadmap as the API computes it with its default parameters."""

    has_answers: bool
    first: list  # first-phase steps (pipelines.maturity.roadmap.Step)
    steps: int
    thin: bool  # few respondents or many unknown levels
    help: list[dict]  # the API's `who_can_help`


def _roadmap(ctx: AppContext, snap, row: int, w: int, lang: str) -> Plan:
    """The API's /roadmap with its defaults (RoadmapApi.roadmap: same Params, same engine, same
    who-can-help), keeping the engine's steps for their explanations."""
    q = RoadmapQuery.model_construct(lang=lang)
    params = rd.Params(weights_of(q), q.target, q.phases, q.per_phase, ())
    levels = rd.wave_levels(ctx, snap, w)[row]
    if not bool((levels != MISSING).any()):
        return Plan(False, [], 0, True, [])
    rm = rd.compute(ctx, snap, row, w, params)
    first = [s for s in rm.steps if s.phase == 1]
    helpers = RoadmapApi(ctx).helpers(snap, w, row, rm, q.target) if first else []
    return Plan(True, first, len(rm.steps), rd.team_coverage(ctx, snap, w, row).thin, helpers)


def short_explanation(expl, lang: str, laws: dict[str, str]) -> list[str]:
    """The engine's explanation (explain_parts, as the API and the Roadmap tab word it) for
    print: without its head (the item's title says it) and the score arithmetic, elements by
    id, and the enablers in place or partly in place counted instead of listed."""
    parts = explain_parts(expl, lang, {}, laws, with_score=False)
    drop = set()
    if expl.enablers:
        i = 1
        for group in (expl.in_place, expl.partial):
            if group:
                drop.add(i)
                i += 1
    counted = [t("report.roadmap.enablers", lang, n=len(expl.enablers),
                 in_place=len(expl.in_place), partial=len(expl.partial))] if expl.enablers else []
    return counted + [p for i, p in enumerate(parts) if i and i not in drop]


def _roadmap_section(ctx, plan: Plan, lang: str) -> Section:
    fw = ctx.framework
    heading = t("report.roadmap.heading", lang)
    if not plan.first:
        key = "report.roadmap.no_answers" if not plan.has_answers else "report.roadmap.none"
        return Section("roadmap", heading, [t(key, lang)])
    laws = rd.law_names(ctx, lang)
    items = []
    for step in plan.first:
        el = fw.element_by_id[step.element]
        expl = step.explanation
        text = " ".join(short_explanation(expl, lang, laws))
        instruments = [fw.instrument_by_id[i] for i in el.kickstart if i in fw.instrument_by_id]
        sub = []
        if instruments:  # the first three; the Knowledge page lists them all
            more = len(instruments) - 3
            sub.append(t("report.roadmap.instruments", lang, list="; ".join(
                f"{i.name} ({i.owner})" for i in instruments[:3])) + (
                " " + t("report.roadmap.more", lang, n=more) if more > 0 else ""))
        level = "?" if expl.level is None else expl.level
        items.append({"title": t("report.roadmap.item", lang, id=el.id, name=el.name.get(lang),
                                 level=level, target=expl.target),
                      "text": text, "sub": sub})
    paragraphs = [t("report.roadmap.intro", lang, n=len(plan.first), steps=plan.steps)]
    if plan.thin:
        paragraphs.append(t("report.roadmap.thin", lang))
    return Section("roadmap", heading, paragraphs, items=items)


def gap_texts(requirements, lang: str) -> list[str]:
    """The unmet legal duties of one law, one text per element, level needed and deadline
    (several articles behind the same gap share it): "SEC-01 ? → 3, 30 June 2026, Art. 21(1);
    Art. 21(2)(a) †" (? = level unknown; † = a fact behind it is unverified)."""
    groups: dict[tuple, list] = {}
    for r in requirements:
        if r.counts_for == "legal" and r.met is not True:
            groups.setdefault((r.element, r.level, r.min, r.deadline), []).append(r)
    out = []
    for (element, level, need, deadline), reqs in groups.items():
        when = _date(deadline.isoformat(), lang) if deadline else t("report.laws.no_date", lang)
        bases = list(dict.fromkeys(r.legal_basis for r in reqs if r.legal_basis)) or ["–"]
        mark = " †" if any(r.unverified for r in reqs) else ""
        out.append(t("report.laws.gap", lang, element=element,
                     level="?" if level is None else level, min=need, deadline=when,
                     basis="; ".join(bases)) + mark)
    return out


def _laws_section(ctx, readiness, lang: str, has_answers: bool = True) -> Section:
    """One row per law with a legal duty that applies and is not met, unknown or not yet due;
    the laws whose duties are all met share one row; laws that only recommend, one sentence."""
    inp = law_inputs(ctx)
    rows, ready, recommended, unverified = [], [], [], False
    for lr in readiness.laws:
        short = law_short(inp, lr.law, lang)
        if lr.legal.status == "not_applicable":
            if lr.ambition.status != "not_applicable":
                recommended.append(short)
            continue
        if not has_answers:  # every duty unknown: the laws, not each requirement
            ready.append(short)
            continue
        unverified |= any(r.unverified for r in lr.requirements if r.counts_for == "legal")
        if lr.legal.status == "ready":
            ready.append(short)
            continue
        if lr.legal.status == "not_due":
            upcoming = sorted({r.deadline for r in lr.requirements
                               if r.applies_for == "legal" and r.deadline})
            detail = t("report.laws.not_due_detail", lang,
                       date=_date(upcoming[0].isoformat(), lang)) if upcoming else ""
        else:
            detail = " · ".join(gap_texts(lr.requirements, lang))
        rows.append([short, t(f"report.laws.status.{lr.legal.status}", lang), detail])
    paragraphs = [t("report.laws.intro", lang, date=_date(readiness.at.isoformat(), lang))]
    if ready:
        paragraphs.append(t("report.laws.ready" if has_answers else "report.laws.no_answers",
                            lang, laws=", ".join(ready)))
    if not rows and not ready:
        paragraphs.append(t("report.laws.none", lang))
    if recommended:
        paragraphs.append(t("report.laws.recommended", lang, laws=", ".join(recommended)))
    if unverified:
        paragraphs.append(t("report.laws.unverified", lang))
    return Section("laws", t("report.laws.heading", lang), paragraphs, table={
        "header": [t("report.laws.law", lang), t("report.laws.status", lang),
                   t("report.laws.detail", lang)],
        "rows": rows, "align": ["l", "l", "l"]} if rows else None)


def _peers_section(help_: list[dict], lang: str) -> Section:
    heading = t("report.peers.heading", lang)
    seen: dict[str, dict] = {}
    for h in help_:
        for m in h["helpers"]:
            entry = seen.setdefault(m["municipality_id"], {**m, "elements": []})
            entry["elements"].append(f"{h['element']} ({t('report.peers.level', lang, level=m['level'])})")
    best = sorted(seen.values(), key=lambda m: -m["similarity"])[:TOP]
    items = []
    for m in best:
        why = []
        if m["same_region"]:
            why.append(t("report.peers.same_region", lang))
        elif m["same_country"]:
            why.append(t("report.peers.same_country", lang))
        if m["same_size_class"]:
            why.append(t("report.peers.same_size", lang))
        if m["distance_km"] is not None:
            why.append(t("report.peers.km", lang, km=fmt_int(round(m["distance_km"]), lang)))
        items.append({"title": f"{m['name']} ({m['country']})",
                      "text": t("report.peers.masters", lang, elements=", ".join(m["elements"]),
                                why=", ".join(why)), "sub": []})
    paragraphs = []
    if not help_:
        paragraphs.append(t("report.peers.none", lang))
    elif not items:
        paragraphs.append(t("report.peers.none_named", lang))
    hidden = [t("report.peers.hidden_one", lang, n=fmt_int(h["helpers_not_named"], lang),
                element=h["element"]) for h in help_ if h["helpers_not_named"]]
    if hidden:  # per element: one municipality may master several
        paragraphs.append(t("report.peers.hidden", lang, list="; ".join(hidden)))
    shares = [t("report.peers.share", lang, element=h["element"],
                n=fmt_int(h["partners_total"], lang),
                names=", ".join(p["name"] for p in h["partners"][:TOP]) or "–")
              for h in help_ if h.get("partners_total")]
    if shares:
        paragraphs.append(t("report.peers.shares", lang) + " " + "; ".join(shares) + ".")
    return Section("peers", heading, paragraphs, items=items)
