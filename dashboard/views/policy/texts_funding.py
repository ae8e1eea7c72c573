"""The funding what-if in words (Dutch and English) and as tables: what a package buys, where,
why, and at what cost; two packages compared. Plain strings and DataFrames, no Dash: the page,
the API and the CLI use the same sentences."""

from __future__ import annotations

import numpy as np
import pandas as pd

from dashboard.components.numbers import fmt_int, fmt_num
from dashboard.components.places import country_name, region_name
from dashboard.context import AppContext
from dashboard.i18n import t
from dashboard.views.policy.data_funding import AREA, Answer
from pipelines.reference import size_class_label

LAW_COLUMNS = ["law", "name", "duty", "due", "ready_before", "ready_after", "difference",
               "cost_per_ready"]


def _one(n: int) -> str:
    return ".one" if int(n) == 1 else ""


def law_name(ctx: AppContext, law_id: str, lang: str) -> str:
    law = {x.id: x for x in ctx.framework.all_laws}.get(law_id)
    return law.short_name(lang) if law is not None else law_id


def package_words(ctx: AppContext, ans: Answer, lang: str) -> str:
    """'SEC-02 to level 3 and SEC-01 to level 3'."""
    parts = [t("funding.words.item", lang, element=i.element, level=i.level)
             for i in ans.request.package.items]
    if len(parts) == 1:
        return parts[0]
    return ", ".join(parts[:-1]) + t("funding.words.and", lang) + parts[-1]


def group_label(ctx: AppContext, fld: str, label: str, lang: str) -> str:
    if fld == "size_class":
        return t("funding.words.size", lang, size=size_class_label(label, lang))
    if fld == "nuts2":
        return f"{region_name(ctx, label)} ({label})"
    return country_name(ctx, label, lang)


def money(value: float, lang: str) -> str:
    return "€ " + fmt_int(value, lang)


def main_law(ans: Answer) -> int | None:
    """The law with the most municipalities made ready (legal duties; ties in framework order),
    else the one with the most made ambitious; None when the package changes no readiness."""
    r = ans.result
    for gained in (r.gained, r.ambition_gained):
        if gained.size and gained.max() > 0:
            return int(np.argmax(gained))
    return None


def _mostly(ctx: AppContext, ans: Answer, li: int, lang: str, ambition: bool) -> str:
    """', mostly in size class 20k-50k (140)': the shown group with the largest gain."""
    best = None
    for fld in ("size_class", "nuts2", "country"):
        if fld not in ans.groups:
            continue
        _, gained, gained_amb = ans.result.groups[fld]
        g = gained_amb if ambition else gained
        for label, code in ans.groups[fld]:
            k = int(g[code, li])
            if k > 0 and (best is None or k > best[0]):
                best = (k, fld, label)
        if best is not None:  # size classes first, as a funder reads them
            break
    if best is None:
        return ""
    return t("funding.words.mostly", lang, group=group_label(ctx, best[1], best[2], lang),
             n=fmt_int(best[0], lang))


def _how(ctx: AppContext, ans: Answer, lang: str) -> str:
    req = ans.request
    key = f"funding.words.rule.{req.rule}"
    if ans.unordered and ans.unordered >= ans.result.funded:  # the law asks none of them
        key += ".none"
    return t(key, lang, law=law_name(ctx, req.law, lang) if req.law else "")


def sentence(ctx: AppContext, ans: Answer, lang: str) -> str:
    """The what-if of one package in words (the numbers in the page language)."""
    if ans.status == "empty":
        return t("funding.words.empty", lang)
    if ans.status == "suppressed":
        return t("funding.words.suppressed", lang, min_group=ctx.settings.min_group)
    r = ans.result
    pkg = package_words(ctx, ans, lang)
    how = _how(ctx, ans, lang)
    if r.funded == 0:
        return t("funding.words.nobody", lang, package=pkg, how=how)
    parts = []
    li = main_law(ans)
    funded = fmt_int(r.funded, lang)
    if li is None:
        parts.append(t("funding.words.nochange" + _one(r.funded), lang, package=pkg,
                       funded=funded, how=how))
    else:
        ambition = int(r.gained[li]) == 0
        gained = r.ambition_gained[li] if ambition else r.gained[li]
        before = r.ambition_before[li] if ambition else r.ready_before[li]
        after = r.ambition_after[li] if ambition else r.ready_after[li]
        due = r.ambition_due[li] if ambition else r.due[li]
        closed = [(ans.request.package.items[k].element, int(c))
                  for k, c in enumerate(r.gaps_closed[li]) if c > 0]
        because = t("funding.words.because.closed", lang, elements=t(
            "funding.words.and", lang).join(f"{e} ({fmt_int(c, lang)})" for e, c in closed)) \
            if closed and not ambition else t("funding.words.because.ambition", lang)
        parts.append(t("funding.words.main" + (".ambition" if ambition else "")
                       + _one(r.funded), lang,
                       package=pkg, funded=funded, how=how, gained=fmt_int(gained, lang),
                       law=law_name(ctx, r.law_ids[li], lang), before=fmt_int(before, lang),
                       after=fmt_int(after, lang), due=fmt_int(due, lang),
                       mostly=_mostly(ctx, ans, li, lang, ambition), because=because))
        stay = int(r.funded) - int(gained)
        missing = r.still_missing[li]
        if not ambition and stay > 0 and missing.max() > 0:
            j = int(np.argmax(missing))
            parts.append(t("funding.words.stay" + _one(stay), lang, n=fmt_int(stay, lang),
                           law=law_name(ctx, r.law_ids[li], lang), element=r.element_ids[j],
                           k=fmt_int(int(missing[j]), lang)))
        cpr = r.cost_per_ready()[li]
        if not ambition and np.isfinite(cpr):
            parts.append(t("funding.words.cost", lang, cost=money(r.cost, lang),
                           per=money(cpr, lang)))
    parts.append(_reach_note(ctx, ans, lang))
    return " ".join(p for p in parts if p)


def _reach_note(ctx: AppContext, ans: Answer, lang: str) -> str:
    req, r = ans.request, ans.result
    notes = []
    if ans.unit == AREA:
        notes.append(t("funding.words.areas" + _one(ans.units_chosen), lang,
                       areas=fmt_int(ans.units_chosen, lang)))
        if ans.unfundable:
            notes.append(t("funding.words.unfundable" + _one(ans.unfundable), lang,
                           n=fmt_int(ans.unfundable, lang)))
    if req.reach is not None and r.funded < req.reach and ans.needing > r.funded:
        notes.append(t("funding.words.reach", lang, reach=fmt_int(req.reach, lang),
                       funded=fmt_int(r.funded, lang)))
    if req.budget is not None:
        notes.append(t("funding.words.budget", lang, budget=money(req.budget, lang),
                       cost=money(r.cost, lang)))
    if 0 < ans.unordered < r.funded:  # (all of them: `_how` says so)
        notes.append(t("funding.words.unordered", lang, law=law_name(ctx, req.law, lang),
                       n=fmt_int(ans.unordered, lang)))
    return " ".join(notes)


def compare_sentence(ctx: AppContext, a: Answer, b: Answer, lang: str) -> str:
    """Package A against package B, for A's main law (else B's)."""
    if a.status != "ok" or b.status != "ok":
        return ""
    li = main_law(a)
    li = main_law(b) if li is None else li
    if li is None:
        return t("funding.words.compare.none", lang)
    ga, gb = int(a.result.gained[li]), int(b.result.gained[li])
    key = "more" if ga > gb else "fewer" if ga < gb else "same"
    return t(f"funding.words.compare.{key}", lang, law=law_name(ctx, a.result.law_ids[li], lang),
             a=fmt_int(ga, lang), b=fmt_int(gb, lang), diff=fmt_int(abs(ga - gb), lang),
             cost_a=money(a.result.cost, lang), cost_b=money(b.result.cost, lang))


# ------------------------------------------------------------------ tables


def laws_rows(ctx: AppContext, ans: Answer, lang: str = "en", *, all_laws: bool = False
              ) -> list[dict]:
    """One row (LAW_COLUMNS) per law and duty (legal, ambition) where something counts: due,
    ready before and after, the difference, the cost per municipality made ready; only rows
    that change unless `all_laws`. Most made ready first, legal before ambition on a tie, else
    in framework order. Plain rows: the API's JSON is made from them without a DataFrame."""
    if ans.result is None:
        return []
    r = ans.result
    cpr = r.cost_per_ready()
    rows = []
    for li, law in enumerate(r.law_ids):
        for duty, due, b, a in (("legal", r.due, r.ready_before, r.ready_after),
                                ("ambition", r.ambition_due, r.ambition_before, r.ambition_after)):
            if int(due[li]) == 0 or (not all_laws and int(a[li]) == int(b[li])):
                continue
            c = cpr[li] if duty == "legal" and np.isfinite(cpr[li]) else None
            rows.append({"law": law, "name": law_name(ctx, law, lang), "duty": duty,
                         "due": int(due[li]), "ready_before": int(b[li]),
                         "ready_after": int(a[li]), "difference": int(a[li]) - int(b[li]),
                         "cost_per_ready": None if c is None else round(float(c), 2)})
    # descending and stable, as pandas' sort_values(kind="stable") did: ties keep their order
    return sorted(rows, key=lambda x: (x["difference"], x["duty"]), reverse=True)


def laws_frame(ctx: AppContext, ans: Answer, lang: str = "en", *, all_laws: bool = False
               ) -> pd.DataFrame:
    """`laws_rows` as a table (the page, the CSV)."""
    return pd.DataFrame(laws_rows(ctx, ans, lang, all_laws=all_laws), columns=LAW_COLUMNS)


GROUP_COLUMNS = ["group_type", "group", "name", "municipalities", "law", "duty", "gained"]


def groups_rows(ctx: AppContext, ans: Answer, lang: str = "en") -> list[dict]:
    """Per shown region (country at EU level) and size class: municipalities and those made
    ready per law (legal, ambition), where any (GROUP_COLUMNS)."""
    if ans.result is None:
        return []
    rows = []
    for fld, shown in ans.groups.items():
        n, gained, gained_amb = ans.result.groups[fld]
        for label, code in shown:
            for li, law in enumerate(ans.result.law_ids):
                for duty, g in (("legal", gained), ("ambition", gained_amb)):
                    if int(g[code, li]):
                        rows.append({"group_type": fld, "group": label,
                                     "name": group_label(ctx, fld, label, lang),
                                     "municipalities": int(n[code]), "law": law, "duty": duty,
                                     "gained": int(g[code, li])})
    return rows


ELEMENT_COLUMNS = ["element_id", "element", "at_3_before", "at_3_after", "share_before",
                   "share_after", "first_phase_before", "first_phase_after"]


def elements_rows(ctx: AppContext, ans: Answer, lang: str = "en") -> list[dict]:
    """Per element that changes: at level >= 3 before and after (count and share of the
    selection) and how often it is a first-phase recommendation before and after
    (ELEMENT_COLUMNS)."""
    if ans.result is None:
        return []
    r = ans.result
    names = {e.id: e.name.get(lang) for e in ctx.framework.elements}
    n = max(r.n, 1)
    fb, fa = ans.first_phase_before, ans.first_phase_after
    rows = []
    for j, e in enumerate(r.element_ids):
        if r.mastered_before[j] == r.mastered_after[j] and fb[j] == fa[j]:
            continue
        rows.append({"element_id": e, "element": names.get(e, e),
                     "at_3_before": int(r.mastered_before[j]),
                     "at_3_after": int(r.mastered_after[j]),
                     # numpy's round (as before), as a plain float for JSON
                     "share_before": float(round(r.mastered_before[j] / n, 4)),
                     "share_after": float(round(r.mastered_after[j] / n, 4)),
                     "first_phase_before": int(fb[j]), "first_phase_after": int(fa[j])})
    return rows


def share_words(x: float, lang: str) -> str:
    return fmt_num(100 * x, lang, 0) + "%"
