"""The funding what-if's per-law table behind a link to the download route
(dashboard/file_links.py): the link carries the selection, the packages' fields and the settings
of the what-if shown; following it computes the what-if again (the what-if's rate limit counts
it, dashboard/security.py) and gives the API's CSV rows."""

from __future__ import annotations

import pandas as pd

from dashboard.context import AppContext
from dashboard.file_links import LANG, FileSpec, Param, Unfit, code, hrefs, number
from dashboard.funding.answer import answer_frame
from dashboard.i18n import normalise_lang
from dashboard.views.policy import funding, ids
from dashboard.views.policy.selection import read_state

PREFIX = "policy-funding-"
# a field's parameter: its id without the prefix ("a-element-0", "a-level-0", "a-cost-0", ...)
FIELDS = {f: f.removeprefix(PREFIX) for f in ids.FUNDING_FIELDS}
SETTINGS = ("rule", "law", "reach", "budget")  # ids.FUNDING_SETTINGS, in that order
LIMIT = 1e9  # the API's largest cost (api_params.FundingItem); budgets and reach stay below it


def _param(name: str) -> Param:
    what = name.split("-")[1] if name.count("-") == 2 else name
    if what in ("level", "cost", "reach", "budget"):
        return Param(name, number(0, LIMIT))
    return Param(name, code)  # element, rule, law


def funding_frame(ctx: AppContext, country=None, nuts2=None, size=None, lang=None,
                  **values) -> tuple[pd.DataFrame, str] | None:
    """The per-law table of the packages and its file name; Unfit with the page's words when
    the what-if refuses the values; None without a build or an answer."""
    if ctx.warehouse.snapshot() is None:
        return None
    lang = normalise_lang(lang)
    sel, _ = read_state(ctx, country, nuts2, size, None)
    fields = {f: values.get(p) for f, p in FIELDS.items()}
    settings = {k: values.get(k) for k in SETTINGS}
    answers, error = funding.compute(ctx, sel, fields, settings, lang)
    if error:
        raise Unfit(error)
    if not answers or answers[0].status != "ok":
        return None
    name = "-".join(x for x in ("ds4e-funding", sel.country or "EU", sel.nuts2 or "",
                                sel.size or "", answers[0].wave) if x) + ".csv"
    return answer_frame(ctx, answers, lang), name


FILE = FileSpec("policy-funding",
                (*(Param(k, code) for k in ("country", "nuts2", "size")),
                 *(_param(p) for p in FIELDS.values()), *(_param(k) for k in SETTINGS), LANG),
                funding_frame, limit="what-if")


def links(country, nuts2, size, fields: dict, settings: dict, lang) -> tuple[str, ...]:
    """The hrefs of the three formats of the what-if these values ask for."""
    values = {"country": country, "nuts2": nuts2, "size": size,
              **{p: fields.get(f) for f, p in FIELDS.items()},
              **{k: settings.get(k) for k in SETTINGS}, "lang": normalise_lang(lang)}
    return hrefs(FILE.name, values)
