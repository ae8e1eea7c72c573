"""The policy view's sentences and labels: shares, element and column labels, the captions under
the first-phase chart and the heatmaps, why a law is not evaluated. Plain strings, no Dash."""

from __future__ import annotations

import textwrap

import numpy as np

from dashboard.components.numbers import fmt_int, fmt_num
from dashboard.components.places import country_name, region_name
from dashboard.context import AppContext
from dashboard.i18n import t
from dashboard.views.policy.data import Heat, PolicyData
from dashboard.views.policy.selection import PER, Selection, scope_text
from pipelines.reference import size_class_label


def pct(x: float, lang: str) -> str:
    """A share as a whole percentage that never rounds to a misleading 0% or 100%."""
    if 0 < x < 0.005:
        return "<1%"
    if 0.995 <= x < 1:
        return ">99%"
    return fmt_int(100 * x, lang) + "%"


def short(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1].rstrip() + "…"


def element_label(ctx: AppContext, eid: str, lang: str, width: int | None = None) -> str:
    name = ctx.framework.element_by_id[eid].name.get(lang)
    label = f"{eid} · {name}"
    return short(label, width) if width else label


def column_labels(ctx: AppContext, h: Heat, lang: str, wrap: bool = False) -> list[str]:
    if h.field == "size_class":
        labels = [size_class_label(c, lang) for c in h.columns]
        return ["<br>".join(textwrap.wrap(x, 14)) for x in labels] if wrap else labels
    if h.field == "nuts2":
        return [f"{short(region_name(ctx, c), 24)} ({c})" for c in h.columns]
    return [f"{short(country_name(ctx, c, lang), 18)} ({c})" for c in h.columns]


def first_phase_caption(ctx: AppContext, fp, n: int, scope: str, per_phase: int, top_n: int,
                        lang: str) -> str:
    """Under the first-phase chart (`fp`: first_phase_columns or _frame, most frequent first;
    `top_n`: the bars drawn): how many recommendations, the most frequent, and what the chart
    leaves out."""
    first = np.asarray(fp["first_phase"])
    share = np.asarray(fp["share"], dtype=np.float64)
    steps = int(first.sum())
    count = int(first[0])
    text = t("policy.fp.caption" + (".one" if count == 1 else ""), lang, n=fmt_int(n, lang),
             scope=scope, steps=fmt_int(steps, lang),
             element=element_label(ctx, next(iter(fp["element_id"])), lang),
             count=fmt_int(count, lang), share=pct(share[0], lang),
             per_phase=per_phase) if steps else t("policy.fp.none", lang)
    rest = share[first > 0][top_n:]
    if len(rest):
        text += " " + t("policy.fp.rest" + (".one" if len(rest) == 1 else ""), lang,
                        n=len(rest), top=top_n, share=pct(float(rest.max()), lang))
    return text


def heat_caption(ctx: AppContext, data: PolicyData, h: Heat, measure: str, sel: Selection,
                 lang: str) -> str:
    kind = {"country": "countries", "nuts2": "regions", "size_class": "sizes"}[h.field]
    parts = []
    if not h.columns:
        parts.append(t(f"policy.heat.{kind}.none", lang, min_group=data.min_group))
    else:
        z = h.per_municipality if measure == PER else h.leverage
        r, c = np.unravel_index(int(np.argmax(z)), z.shape)
        labels = column_labels(ctx, h, lang)
        value = fmt_num(z[r, c], lang, 2 if measure == PER else 1)
        one = ".one" if len(h.columns) == 1 else ""
        parts.append(t(f"policy.heat.{kind}.caption{one}", lang, columns=len(h.columns),
                       measure=t(f"policy.heat.measure.{measure}", lang),
                       scope=scope_text(ctx, Selection(sel.country, None, sel.size)
                                        if h.field != "size_class"
                                        else Selection(sel.country, sel.nuts2, None), lang),
                       column=labels[c],
                       element=element_label(ctx, data.roadmaps.element_ids[h.rows[r]], lang),
                       value=value))
    if h.hidden:
        parts.append(t("policy.heat.hidden" + (".one" if h.hidden == 1 else ""), lang,
                       n=h.hidden, min_group=data.min_group))
    return " ".join(parts)


def not_evaluated_reasons(ctx: AppContext, laws: list[str], lang: str,
                          later: dict | None = None) -> list[tuple[str, str, str]]:
    """(short name, name, why) per law not evaluated: nothing due by the cutoff yet (`later`:
    law -> its first deadline after it), the member states of the selection did not bring
    municipalities into scope (or set no date), or municipal conditions that default to 'no'."""
    fw = ctx.framework
    by_id = {law.id: law for law in fw.laws}
    conditions = {c.id: c for c in fw.conditions}
    later = later or {}
    out = []
    for lid in laws:
        law = by_id.get(lid)
        if law is None:
            continue
        refs = {x for r in law.requirements for x in (r.applies_if, r.deadline_ref) if x}
        member_state = [c for c in refs if c in conditions and conditions[c].source ==
                        "member_state"]
        if lid in later:
            why = t("policy.lobby.notevaluated.later", lang, date=later[lid].isoformat())
        elif member_state:
            why = t("policy.lobby.notevaluated.member_state", lang)
        else:
            why = t("policy.lobby.notevaluated.conditions", lang, conditions="; ".join(
                conditions[c].description.get(lang).rstrip(". ") for c in sorted(refs)
                if c in conditions) + ".")
        out.append((law.short_name(lang), law.name.get(lang), why))
    return out
