"""The survey progress view's words: shares, moments, area names and the rates caption. Plain
strings, no Dash."""

from __future__ import annotations

import datetime as dt

import pandas as pd

from dashboard.components.numbers import fmt_int
from dashboard.context import AppContext
from dashboard.i18n import t
from dashboard.views.survey_progress.data import CHART_MAX
from pipelines.reference import size_class_label
from pipelines.survey import progress


def pct(x: float | None, lang: str) -> str:
    if x is None or pd.isna(x):
        return "–"
    s = f"{100 * x:.1f}".removesuffix(".0")
    return (s.replace(".", ",") if lang == "nl" else s) + "%"


def date_text(value: dt.datetime) -> str:
    return value.astimezone(dt.UTC).strftime("%Y-%m-%d")


def time_text(value: dt.datetime) -> str:
    return value.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M")


def stamp_text(value: str) -> str:
    """'20260102T101500' -> '2026-01-02 10:15'."""
    if len(value) < 13:
        return ""
    return f"{value[:4]}-{value[4:6]}-{value[6:8]} {value[9:11]}:{value[11:13]}"


def short(text: str, n: int) -> str:
    return text if len(text) <= n else text[: n - 1].rstrip() + "…"


def area_label(by: str, code: str, name: str) -> str:
    return name if by == "size_class" or name == code else f"{name} ({code})"


def size_text(key: str, lang: str, short: bool = False) -> str:
    """A size-class label; short drops the word inhabitants (the column says size class)."""
    try:
        label = size_class_label(key, lang)
    except KeyError:
        return key
    return label.removesuffix(" inwoners").removesuffix(" inhabitants") if short else label


def region_text(ctx: AppContext, nuts2: str, lang: str) -> str:
    if not nuts2:
        return ""
    return area_label("nuts2", nuts2, progress.area_names("nuts2", [nuts2], lang,
                                                          ctx.settings.reference_dir)[0])


def rates_caption(df: pd.DataFrame, by: str, status: pd.DataFrame, lang: str) -> str:
    n = progress.totals(status)
    parts = [t("survey_progress.rates.caption" + (".one" if n["invited"] == 1 else ""), lang,
               grouping=t(f"survey_progress.by.{by}.lower", lang),
               rate=pct(progress.response_rate(n), lang), submitted=fmt_int(n["submitted"], lang),
               invited=fmt_int(n["invited"], lang))]
    if len(df) > 1:
        order = df.sort_values(["response_rate", "invited"], ascending=[False, False],
                               kind="stable")
        best, worst = order.iloc[0], order.iloc[-1]
        parts.append(t("survey_progress.rates.caption.range", lang,
                       best=area_label(by, best[by], best["name"]),
                       best_rate=pct(best["response_rate"], lang),
                       worst=area_label(by, worst[by], worst["name"]),
                       worst_rate=pct(worst["response_rate"], lang)))
    if len(df) > CHART_MAX:
        parts.append(t("survey_progress.rates.chart.top", lang, shown=CHART_MAX,
                       total=fmt_int(len(df), lang)))
    return " ".join(parts)
