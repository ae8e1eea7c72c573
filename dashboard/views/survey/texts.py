"""The survey form's words: moments, progress, the team summary, a role's name, a refusal.
Plain strings, no Dash."""

from __future__ import annotations

import datetime as dt

import pandas as pd

from dashboard.i18n import catalog, t
from dashboard.views.survey import data as sd


def when(value: dt.datetime | None, lang: str) -> str:
    if value is None:
        return ""
    return value.astimezone(dt.UTC).strftime("%d-%m-%Y %H:%M UTC" if lang == "nl"
                                             else "%Y-%m-%d %H:%M UTC")


def until(value: dt.datetime, lang: str) -> str:
    """A closing moment as the last minute it is open: midnight closes read as 23:59 the day
    before, which is what 'open until 31 January' means to people."""
    return when(value - dt.timedelta(minutes=1), lang)


def role_keys(lang: str) -> set[str]:
    return {k for k in catalog(lang) if k.startswith("survey.roles.")}


def role_label(role: str, lang: str) -> str:
    """A respondent role's name ('cio' -> 'CIO / information manager'); an unknown role as is."""
    key = f"survey.roles.{role}"
    return t(key, lang) if key in role_keys(lang) else role


def progress_parts(answered: int, total: int, lang: str) -> tuple[int, str]:
    pct = round(100 * answered / total) if total else 0
    return pct, t("survey.progress", lang, n=answered, total=total)


def consolidated_text(level, lang: str) -> str:
    """The team's level as the build will give it; none when nobody knew (NaN, NA or None)."""
    return t("survey.team.unknown", lang) if pd.isna(level) else str(int(level))


def team_summary(roles: int, disagree: int, lang: str) -> str:
    """How many roles submitted and on how many elements they disagree, singular or plural
    (one role cannot disagree with itself)."""
    if roles == 1:
        return t("survey.team.summary.one", lang)
    return t("survey.team.summary" + (".disagree.one" if disagree == 1 else ""), lang,
             n=roles, d=disagree)


def refused_text(out: sd.Outcome, lang: str) -> str:
    return t(out.key, lang) + (f" ({out.detail})" if out.detail else "")
