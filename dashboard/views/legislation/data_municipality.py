"""One municipality law by law (pure: no Dash): its readiness per law with condition and NIS2
overrides, the gaps and their deadlines, what applied and why, the CSV frame, and the
municipality-condition checklist."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pandas as pd

from dashboard.context import AppContext
from dashboard.i18n import t
from dashboard.laws import inputs
from dashboard.views.legislation.data import base
from dashboard.views.legislation.data_laws import (
    condition_label,
    condition_overrides,
    country_overrides,
    element_label,
    law_name,
    law_shorts,
    municipality_conditions,
    timing,
)
from dashboard.views.legislation.texts import (
    MUN_ORDER,
    ambition_status_text,
    condition_value_text,
    population_text,
)
from pipelines.maturity.readiness import municipality_readiness, resolve_municipality

MUN_CSV_COLUMNS = ["law", "status", "element", "level", "min", "gap", "deadline", "timing",
                   "unverified"]


@dataclass(frozen=True)
class MunicipalityLaws:
    """What the municipality view shows of one municipality (`municipality_laws`)."""

    name: str
    answered: bool  # answered the latest wave (`wave`)
    wave: str
    records: list[dict]  # one per law: law (shown), law_id, code, status, gaps, unknown, ambition
    gaps: list[dict]  # one per gap or unknown element of a legal duty
    applied: list[dict]  # one per requirement: what applied and why
    time_rows: list[tuple[str, dt.date, bool]]  # (law, deadline, unverified) of the gaps

    def sorted_rows(self) -> list[dict]:
        """`records` in the table's order (`sorted_records`), as dicts."""
        order = {s: i for i, s in enumerate(MUN_ORDER)}
        return sorted(self.records, key=lambda r: order[r["code"]])

    def sorted_records(self) -> pd.DataFrame:
        """The laws as the table lists them: not ready first, then unknown, ready, not due,
        not applicable."""
        recs = pd.DataFrame(self.records)
        order = {s: i for i, s in enumerate(MUN_ORDER)}
        return recs.iloc[sorted(range(len(recs)), key=lambda i: order[recs["code"].iat[i]])]


def shown_row(ctx: AppContext, snap, m: str | None) -> tuple[int | None, str | None]:
    """(reference row, None) of a municipality the municipality view may show by name, or
    (None, why): "pick" (none chosen), "unknown" (not a municipality id), "hidden" (it did not
    consent to be shown by name: it counts in the aggregates only)."""
    if not m:
        return None, "pick"
    try:
        row = snap.maturity.index_of(m)
    except KeyError:
        return None, "unknown"
    if not ctx.visible(snap, row):
        return None, "hidden"
    return row, None


def municipality_laws(ctx: AppContext, snap, row: int, checked, nis2, at: dt.date, horizon,
                      lang: str) -> MunicipalityLaws:
    """Readiness per law of the municipality in reference row `row`, with the checklist's
    condition values (`checked`; None: as resolved) and the country's NIS2 scope (`nis2`)."""
    b = base(ctx, snap)
    inp = inputs(ctx)
    country = str(b.countries[row])
    pop = b.population[row]
    pop = None if pd.isna(pop) else float(pop)
    plain = resolve_municipality(inp, country, pop)
    overrides = condition_overrides(inp, plain, checked) if checked is not None else {}
    mr = municipality_readiness(inp, b.levels[row], country=country, at=at, horizon_days=horizon,
                                population=pop, overrides=overrides,
                                country_overrides=country_overrides(country, nis2))
    records, gaps, applied, time_rows = [], [], [], []
    shorts = law_shorts(ctx, lang)
    for lr in mr.laws:
        law = inp.law(lr.law)
        records.append({"law": f"{shorts[lr.law]} – {law_name(law, lang)}",
                        "law_id": lr.law, "code": lr.status,
                        "status": t(f"legislation.status.{lr.status}", lang),
                        "gaps": len(lr.legal.gaps), "unknown": len(lr.legal.unknown),
                        "ambition": ambition_status_text(lr.ambition, lang)})
        for g in (*lr.legal.gaps, *lr.legal.unknown):
            gaps.append({"law": lr.law, "element": g.element, "level": g.level, "min": g.min,
                         "gap": g.gap, "deadline": g.deadline.isoformat() if g.deadline else None,
                         "timing": t(f"legislation.timing.{timing(g.deadline, at)}", lang),
                         "unverified": g.confidence == "check"})
            if g.deadline:
                time_rows.append((lr.law, g.deadline, g.confidence == "check"))
        for c in lr.requirements:
            cond = c.condition
            applied.append({"law": shorts[lr.law], "element": element_label(ctx, c.element, lang),
                            "min": c.min,
                            "kind": t("law.kind.duty" if c.legal_duty else "law.kind.recommended",
                                      lang),
                            "legal_basis": c.legal_basis or "",
                            "counts_for": t(f"legislation.counts_for.{c.counts_for}", lang),
                            "applies": c.applies,
                            "condition": condition_label(ctx, cond.id, lang) if cond else "",
                            "value": "" if cond is None else condition_value_text(cond.value, lang),
                            "origin": t(f"legislation.origin.{cond.origin}", lang,
                                        country=country) if cond else "",
                            "why": population_text(law.population_above, pop, lang)
                            if c.population_rule else "",
                            "deadline": (c.deadline.isoformat() if c.deadline else "") + (
                                f" ({t('legislation.unverified', lang)})" if c.unverified else ""),
                            "unverified": c.unverified})
    return MunicipalityLaws(str(ctx.municipalities["name"].iat[row]), bool(b.answered[row]),
                            b.wave, records, gaps, applied, time_rows)


def municipality_frame(records: list[dict], gaps: list[dict]) -> pd.DataFrame:
    """The municipality CSV: one row per law and gap element; a law without gaps has one row
    with its status (ready, not applicable, not due) and no element."""
    by_law: dict[str, list[dict]] = {}
    for g in gaps:
        by_law.setdefault(g["law"], []).append(g)
    rows = []
    for r in records:
        law = r["law_id"]
        for g in by_law.get(law, [{}]):
            rows.append({**{k: None for k in MUN_CSV_COLUMNS}, **g, "law": law,
                         "status": r["code"]})
    return pd.DataFrame(rows, columns=MUN_CSV_COLUMNS)


def condition_checklist(ctx: AppContext, snap, m: str | None, on: list[str] | None = None,
                        lang: str = "nl"):
    """(options, value) of the municipality-condition checklist: the resolved values, or `on`.
    Each option shows the condition in words (conditions.yaml); its value stays the id."""
    inp = inputs(ctx)
    conds = municipality_conditions(inp)
    options = [{"label": condition_label(ctx, c, lang), "value": c} for c in conds]
    if on:
        return options, [c for c in on if c in conds]
    if not m:
        return options, [c for c in conds if inp.condition_default[c]]
    try:
        row = snap.maturity.index_of(m)
    except KeyError:
        return options, []
    b = base(ctx, snap)
    pop = b.population[row]
    plain = resolve_municipality(inp, str(b.countries[row]), None if pop != pop else float(pop))
    return options, [c for c in conds if plain[c].value]
