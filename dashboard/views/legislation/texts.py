"""The Legislation view's sentences and cell texts in the page's language (pure: no Dash):
captions, why a share is missing, the municipality summary, condition values, area names."""

from __future__ import annotations

import datetime as dt

import pandas as pd

from dashboard.components.numbers import fmt_int
from dashboard.components.places import country_name, nuts_names
from dashboard.components.readiness_text import horizon_phrase
from dashboard.context import AppContext
from dashboard.i18n import t
from dashboard.views.legislation.data import Selection

MUN_ORDER = ("not_ready", "unknown", "ready", "not_due", "not_applicable")


def pct(x) -> str:
    """A share as a whole percentage; "–" for a withheld one."""
    return "–" if x is None or pd.isna(x) else f"{x:.0%}"


def unverified_note(row, lang: str) -> str:
    """" (unverified)" after a law whose own facts are unconfirmed; otherwise which countries'
    national facts (date, scope) the figures rest on without confirmation (framework rule 5)."""
    states = list(row.get("unverified_countries") or [])
    parts = [t("legislation.unverified", lang)] if row.get("law_unverified") else []
    if len(states) == 1:
        parts.append(t("legislation.unverified.state", lang, country=states[0]))
    elif states:
        parts.append(t("legislation.unverified.states", lang, n=len(states),
                       countries=", ".join(states[:6]) + (" …" if len(states) > 6 else "")))
    return f" ({'; '.join(parts)})" if parts else ""


def aggregate_caption(df: pd.DataFrame, n: int, at: dt.date, horizon, lang: str,
                      shorts: dict[str, str] | None = None) -> str:
    """The sentence under the bars: the most and least ready law among those with a share
    (something due to enough municipalities), and the laws that apply to none; laws by their
    short names (`shorts`, from `data_laws.law_shorts`), counts as `lang` writes them."""
    shorts = shorts or {}
    shown = df[df["share_ready"].notna()]
    counts = horizon_phrase(horizon, at, lang)
    parts = []
    if len(shown):
        best = shown.sort_values(["share_ready", "law"], ascending=[False, True]).iloc[0]
        worst = shown.sort_values(["share_ready", "law"], ascending=[True, True]).iloc[0]
        parts.append(t("legislation.agg.caption", lang, n=fmt_int(n, lang), counts=counts,
                       best=shorts.get(best["law"], best["law"]),
                       best_share=pct(best["share_ready"]), best_due=fmt_int(best["due"], lang),
                       worst=shorts.get(worst["law"], worst["law"]),
                       worst_share=pct(worst["share_ready"]),
                       worst_due=fmt_int(worst["due"], lang)))
    else:
        parts.append(t("legislation.agg.caption.none", lang, n=fmt_int(n, lang), counts=counts))
    none = [shorts.get(x, x) for x in df.loc[df["applies"] == 0, "law"]]
    if none:
        parts.append(t("legislation.agg.caption.na" + (".one" if len(none) == 1 else ""), lang,
                       k=len(none), laws=", ".join(none)))
    return " ".join(parts)


def share_text(row: dict, lang: str) -> str:
    """The share-ready cell: a percentage, or why there is none (does not apply, nothing due
    yet, too few to show): never an empty cell or '0 %' for a law that asks nothing."""
    if not pd.isna(row["share_ready"]):
        return pct(row["share_ready"])
    if row["applies"] == 0:
        return t("legislation.heat.na", lang)
    if row["due"] == 0:
        return t("legislation.share.not_due", lang)
    return t("legislation.suppressed.short", lang)


def ambition_text(row: dict, lang: str) -> str:
    """The recommendations cell: the share of municipalities that meet every recommendation of
    the law that counts for them (rights, other parties' duties, good practice), or '–' where
    the law recommends nothing due or the group is too small."""
    if pd.isna(row["ambition_share_met"]):
        return "–"
    return pct(row["ambition_share_met"])


def ambition_status_text(a, lang: str) -> str:
    """One municipality's recommendations of a law (the ambition assessment): all met, how many
    elements are below the recommended level, unknown, or '–' when nothing is recommended yet."""
    if a.status == "ready":
        return t("legislation.ambition.met", lang)
    if a.status == "not_ready":
        return t("legislation.ambition.open", lang, n=len(a.gaps))
    if a.status == "unknown":
        return t("legislation.status.unknown", lang)
    return "–"


HEAT_MARKS = {"na": "legislation.heat.na", "not_due": "legislation.heat.not_due",
              "suppressed": "legislation.heat.suppressed"}


def heat_marks(lang: str) -> dict[str, str]:
    """What an empty heatmap cell says, per reason (data_tables.heatmap_table's state)."""
    return {k: t(v, lang) for k, v in HEAT_MARKS.items()}


def heat_caption(hm: pd.DataFrame, min_group: int, at: dt.date, horizon, lang: str) -> str:
    """The sentence under the heatmap: how many areas, what an empty cell means, how many
    areas are too small to show."""
    marks = heat_marks(lang)
    hidden = int((hm.attrs["state"] == "suppressed").any(axis=0).sum())
    return t("legislation.heat.caption", lang, regions=fmt_int(hm.shape[1], lang),
             hidden=fmt_int(hidden, lang), min_group=min_group, na=marks["na"],
             not_due=marks["not_due"], counts=horizon_phrase(horizon, at, lang))


def area_names(ctx: AppContext, sel: Selection, codes, lang: str) -> list[str]:
    """What the page shows for area codes (countries, or NUTS 2 regions within a country): their
    names, as the selection menus show them; "name (code)" where two names are the same."""
    if sel.group_field == "country":
        names = [country_name(ctx, str(c), lang) for c in codes]
    else:
        nuts = nuts_names(ctx.settings.reference_dir)
        names = [nuts.get(str(c), str(c)) for c in codes]
    if len(set(names)) < len(names):
        names = [f"{n} ({c})" if n != c else n for n, c in zip(names, codes, strict=True)]
    return names


def municipality_summary(name: str, statuses: list[str], at: dt.date, horizon, lang: str) -> str:
    """One sentence per municipality: ready for k of the laws that ask something of it now,
    with the laws that apply later and those that do not apply counted apart."""
    c = {s: statuses.count(s) for s in MUN_ORDER}
    due = c["ready"] + c["not_ready"] + c["unknown"]
    text = t("legislation.mun.summary" + (".one" if due == 1 else ""), lang, name=name,
             ready=c["ready"], due=due, not_ready=c["not_ready"], unknown=c["unknown"],
             counts=horizon_phrase(horizon, at, lang))
    for k, key in (("not_due", "legislation.mun.summary.not_due"),
                   ("not_applicable", "legislation.mun.summary.na")):
        if c[k]:
            text += " " + t(key + (".one" if c[k] == 1 else ""), lang, k=c[k])
    return text


def condition_value_text(value, lang: str) -> str:
    """A resolved condition's value as words: yes / no (a date as YYYY-MM-DD, none as '–')."""
    if isinstance(value, bool):
        return t("legislation.value.yes" if value else "legislation.value.no", lang)
    if value is None:
        return "–"
    return value.isoformat() if hasattr(value, "isoformat") else str(value)


def population_text(above, population, lang: str) -> str:
    """Why a law with a population threshold (a draft's) applies or not, numbers as `lang`
    writes them (the engine's own explanation is English with English separators)."""
    shown = t("legislation.population.unknown", lang) if population is None or pd.isna(population) \
        else fmt_int(population, lang)
    return t("legislation.why.population", lang, above=fmt_int(above, lang), population=shown)
