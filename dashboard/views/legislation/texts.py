"""The Legislation view's sentences and cell texts in the page's language (pure: no Dash):
captions, why a share is missing, the municipality summary, condition values, area names."""

from __future__ import annotations

import datetime as dt

import pandas as pd

from dashboard.components.numbers import fmt_int, fmt_num
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
    return facts_caption(caption_facts(df, shorts), n, at, horizon, lang)


def caption_facts(df: pd.DataFrame, shorts: dict[str, str] | None = None) -> dict:
    """What the sentence under the bars says of the laws, apart from the date (kept with the
    figures per deadline interval: sorting the table costs more than the sentence): the most and
    least ready law as (short name, share, due), and the laws that apply to none."""
    shorts = shorts or {}
    shown = df[df["share_ready"].notna()]
    out: dict = {"best": None, "worst": None,
                 "none": [shorts.get(x, x) for x in df.loc[df["applies"] == 0, "law"]]}
    if len(shown):
        for name, ascending in (("best", [False, True]), ("worst", [True, True])):
            row = shown.sort_values(["share_ready", "law"], ascending=ascending).iloc[0]
            out[name] = (shorts.get(row["law"], row["law"]), row["share_ready"], row["due"])
    return out


def row_facts(rows: list[dict], shorts: dict[str, str]) -> dict:
    """`caption_facts` of data_tables.law_rows (a withheld share is None), without a frame:
    the most ready law (ties: the first id), the least ready (ties: the first id)."""
    shown = [r for r in rows if r["share_ready"] is not None]
    out: dict = {"best": None, "worst": None,
                 "none": [shorts.get(r["law"], r["law"]) for r in rows if r["applies"] == 0]}
    if shown:
        for name, row in (("best", min(shown, key=lambda r: (-r["share_ready"], r["law"]))),
                          ("worst", min(shown, key=lambda r: (r["share_ready"], r["law"])))):
            out[name] = (shorts.get(row["law"], row["law"]), row["share_ready"], row["due"])
    return out


def facts_caption(facts: dict, n: int, at: dt.date, horizon, lang: str) -> str:
    """The sentence under the bars from `caption_facts`, the date and horizon."""
    counts = horizon_phrase(horizon, at, lang)
    parts = []
    if facts["best"] is not None:
        (best, best_share, best_due), (worst, worst_share, worst_due) = facts["best"], facts["worst"]
        parts.append(t("legislation.agg.caption", lang, n=fmt_int(n, lang), counts=counts,
                       best=best, best_share=pct(best_share), best_due=fmt_int(best_due, lang),
                       worst=worst, worst_share=pct(worst_share),
                       worst_due=fmt_int(worst_due, lang)))
    else:
        parts.append(t("legislation.agg.caption.none", lang, n=fmt_int(n, lang), counts=counts))
    none = facts["none"]
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
    return heat_sentence(hm.shape[1], heat_hidden(hm), min_group, at, horizon, lang)


def heat_hidden(hm: pd.DataFrame) -> int:
    """How many areas of the heatmap have a cell too small to show."""
    return int((hm.attrs["state"] == "suppressed").any(axis=0).sum())


def hidden_areas(state) -> int:
    """`heat_hidden` of data_tables.heat_cells' state array (law × area)."""
    return int((state == "suppressed").any(axis=0).sum()) if state.size else 0


def heat_sentence(regions: int, hidden: int, min_group: int, at: dt.date, horizon,
                  lang: str) -> str:
    """The heatmap's sentence from its number of areas and of areas with a hidden cell."""
    marks = heat_marks(lang)
    return t("legislation.heat.caption", lang, regions=fmt_int(regions, lang),
             hidden=fmt_int(hidden, lang), min_group=fmt_int(min_group, lang), na=marks["na"],
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
    """A resolved condition's value as words: yes / no, a number as `lang` writes it (50.000 /
    50,000), a date as YYYY-MM-DD (as the page's other dates), none as '–'."""
    if isinstance(value, bool):
        return t("legislation.value.yes" if value else "legislation.value.no", lang)
    if value is None:
        return "–"
    if isinstance(value, int | float):
        return fmt_int(value, lang) if float(value).is_integer() else fmt_num(value, lang)
    return value.isoformat() if hasattr(value, "isoformat") else str(value)


def population_text(above, population, lang: str) -> str:
    """Why a law with a population threshold (a draft's) applies or not, numbers as `lang`
    writes them (the engine's own explanation is English with English separators)."""
    shown = t("legislation.population.unknown", lang) if population is None or pd.isna(population) \
        else fmt_int(population, lang)
    return t("legislation.why.population", lang, above=fmt_int(above, lang), population=shown)


# where a draft's problem is, in the editor's words (data_draft: the profile's field paths)
DRAFT_FIELDS = {"id": "legislation.draft.field.id",
                "population_above": "legislation.draft.field.population_above",
                "in_force": "legislation.draft.field.in_force",
                "requirements": "legislation.draft.field.requirements"}
REQUIREMENT_COLUMNS = {"element": "element", "min": "min", "deadline": "deadline",
                       "deadline_ref": "deadline", "applies_if": "if", "status": "status"}
# what is wrong, per ProfileError code (the engine's own words are English)
DRAFT_PROBLEMS = frozenset({
    "unknown_element", "unknown_condition", "deadline_one_of", "unknown_deadline_ref",
    "not_a_condition", "not_a_date_condition", "missing_in_force", "missing", "extra_forbidden",
    "int_parsing", "int_type", "int_from_float", "less_than_equal", "greater_than_equal",
    "date_parsing", "date_from_datetime_parsing", "date_type", "literal_error", "too_short"})


def draft_field(field: str, lang: str) -> str:
    """A profile's field path as the editor names it: "requirements.2.min" -> "Requirement 3:
    Minimum level"; a path the editor has no control for as itself."""
    parts = field.split(".")
    if len(parts) == 3 and parts[0] == "requirements" and parts[1].isdigit() \
            and parts[2] in REQUIREMENT_COLUMNS:
        return t("legislation.draft.row", lang, n=int(parts[1]) + 1,
                 field=t(f"legislation.draft.col.{REQUIREMENT_COLUMNS[parts[2]]}", lang))
    return t(DRAFT_FIELDS[field], lang) if field in DRAFT_FIELDS else field


def draft_problem(err, lang: str) -> str:
    """Why a draft is not valid (a pipelines.maturity.readiness.ProfileError) in `lang`: the
    field as the editor names it and the reason, from the error's code and values."""
    v = err.values
    if err.code == "string_pattern_mismatch" and err.field == "id":
        reason = t("legislation.draft.problem.id_pattern", lang)
    elif err.code in DRAFT_PROBLEMS:
        limits = {k: fmt_int(v[k], lang) for k in ("le", "ge") if k in v}
        reason = t(f"legislation.draft.problem.{err.code}", lang, value=v.get("value", ""),
                   dates=v.get("dates", ""), **limits)
    else:
        reason = t("legislation.draft.problem.other", lang)
    return f"{draft_field(err.field, lang)}: {reason}" if err.field else reason
