"""The answer of funding what-ifs (request.py reads them from the API's JSON body): JSON for
the API and `--format json`, a table for CSV and the page's download. No Flask and no Dash."""

from __future__ import annotations

import numpy as np
import pandas as pd

from dashboard.context import AppContext
from dashboard.views.policy import data_funding as df
from dashboard.views.policy import texts_funding as tf
from pipelines.maturity import funding as fe

NAMES = ("A", "B")
CSV_COLUMNS = ["package", "items", *tf.LAW_COLUMNS]


class NotPublished(RuntimeError):
    """Nothing is published, or the build has no stored roadmaps."""


def answers_of(ctx: AppContext, reqs: list[df.Request]) -> list[df.Answer]:
    out = df.what_ifs(ctx, reqs)  # packages A and B share their selection's work
    if out is None:
        raise NotPublished("no survey data with stored roadmaps published yet")
    return out


def _items(pkg: fe.Package) -> list[dict]:
    return [{"element": i.element, "level": i.level, "cost": i.cost} for i in pkg.items]


def package_json(ctx: AppContext, name: str, a: df.Answer, lang: str) -> dict:
    r = a.result
    ok = a.status == "ok"
    return {
        "name": name, "package": _items(a.request.package),
        "explanation": tf.sentence(ctx, a, lang),
        "needing": a.needing if ok else None,
        "funded": r.funded if ok else None,
        "cost": r.cost if ok else None,
        "units": a.units if ok else None, "units_chosen": a.units_chosen if ok else None,
        "unfundable": a.unfundable if ok else None,
        "areas": list(a.chosen_areas),
        # the tables' plain rows (ints, floats rounded to 2 or 4 decimals, None): the same
        # JSON as their DataFrames' to_json gave, without making a DataFrame per table
        "laws": tf.laws_rows(ctx, a, lang, all_laws=True),
        "by_group": tf.groups_rows(ctx, a, lang),
        "elements": tf.elements_rows(ctx, a, lang),
        "named": [{"municipality_id": i, "name": n} for i, n in a.named],
        "others_funded": a.unnamed if ok else None,
    }


def difference(a: df.Answer, b: df.Answer) -> list[dict]:
    """Per law and duty where either package changes something: made ready by A, by B, A - B."""
    if a.status != "ok" or b.status != "ok":
        return []
    out = []
    ra, rb = a.result, b.result
    for li, law in enumerate(ra.law_ids):
        for duty, ga, gb in (("legal", ra.gained, rb.gained),
                             ("ambition", ra.ambition_gained, rb.ambition_gained)):
            x, y = int(ga[li]), int(gb[li])
            if x or y:
                out.append({"law": law, "duty": duty, "a": x, "b": y, "difference": x - y})
    return out


def answer_json(ctx: AppContext, answers: list[df.Answer], lang: str) -> dict:
    first = answers[0]
    req, sel = first.request, first.request.sel
    out = {"country": sel.country, "nuts2": sel.nuts2, "size_class": sel.size,
           "wave": first.wave, "evaluation_date": first.at.isoformat(),
           "min_group": ctx.settings.min_group, "unit": first.unit, "rule": req.rule,
           "law": req.law, "reach": req.reach, "budget": req.budget, "answered": first.n,
           "suppressed": first.status != "ok", "cost_note": (
               f"costs are illustrative (default {fe.DEFAULT_COST:g} EUR per municipality and "
               "element) unless the package gives its own"),
           "packages": [package_json(ctx, NAMES[k], a, lang) for k, a in enumerate(answers)],
           "comparison": None}
    if len(answers) == 2:
        out["comparison"] = {"explanation": tf.compare_sentence(ctx, answers[0], answers[1],
                                                                lang),
                             "laws": difference(answers[0], answers[1])}
    return out


def answer_frame(ctx: AppContext, answers: list[df.Answer], lang: str) -> pd.DataFrame:
    """The per-law table of every package, one after the other (the CSV)."""
    parts = []
    for k, a in enumerate(answers):
        f = tf.laws_frame(ctx, a, lang, all_laws=True)
        f.insert(0, "items", a.request.package.text())
        f.insert(0, "package", NAMES[k])
        parts.append(f)
    out = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=CSV_COLUMNS)
    out["cost_per_ready"] = out["cost_per_ready"].astype("Float64")
    return out[CSV_COLUMNS].replace({np.nan: None})
