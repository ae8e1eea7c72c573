"""Maps & regions: the tables (countries, regions, size classes, national indices).

Tables are rendered as one escaped HTML string (dcc.Markdown): a Dash component per cell costs
~30 µs to build, which made a 60-row update take longer than the statistics behind it.
"""

from __future__ import annotations

from dataclasses import dataclass
from html import escape

import dash_bootstrap_components as dbc
import numpy as np
import pandas as pd
from dash import dcc, html

from dashboard.components.numbers import fmt_int, fmt_num
from dashboard.i18n import t
from dashboard.views.maps.data import Columns, MapState, region_scope, rows_of, take_rows
from dashboard.views.maps.texts import fmt_share, region_word
from pipelines.national_indices import INDICES

REGION_ROWS = 10  # lowest / highest regions listed; the CSV has them all


@dataclass(frozen=True)
class Column:
    label: str
    numeric: bool = False
    help: str | None = None


def html_table(columns: list[Column], rows: list[list[str]], caption: str,
               highlight: set[int] | frozenset = frozenset()) -> dcc.Markdown:
    def th(c: Column) -> str:
        cls = ' class="text-end"' if c.numeric else ""
        title = f' title="{escape(c.help)}"' if c.help else ""
        return f'<th scope="col"{cls}{title}>{escape(c.label)}</th>'

    def tr(i: int, cells: list[str]) -> str:
        cls = ' class="table-active fw-semibold"' if i in highlight else ""
        tds = "".join(
            f'<td class="text-end text-nowrap">{escape(v)}</td>' if c.numeric else
            f"<td>{escape(v)}</td>" for c, v in zip(columns, cells, strict=True))
        return f"<tr{cls}>{tds}</tr>"
    body = "".join(tr(i, cells) for i, cells in enumerate(rows))
    return dcc.Markdown(
        f'<div class="table-responsive"><table class="table table-sm table-striped table-hover '
        f'maps-table"><caption class="visually-hidden">{escape(caption)}</caption>'
        f'<thead><tr>{"".join(th(c) for c in columns)}</tr></thead><tbody>{body}</tbody>'
        f"</table></div>", dangerously_allow_html=True, className="maps-md")


def _stat_columns(lang: str) -> list[Column]:
    return [Column(t("maps.col.n", lang), True, t("maps.col.n.help", lang)),
            Column(t("maps.col.median", lang), True), Column(t("maps.col.iqr", lang), True),
            Column(t("maps.col.share", lang), True)]


def _stat_cells(cols: Columns, lang: str) -> list[list[str]]:
    return [[fmt_int(n, lang), fmt_num(med, lang, 2),
             "–" if q1 != q1 else f"{fmt_num(q1, lang, 2)}–{fmt_num(q3, lang, 2)}",
             fmt_share(share)]
            for n, med, q1, q3, share in zip(cols["n"], cols["median"], cols["q1"], cols["q3"],
                                             cols["share_ge3"], strict=True)]


def countries_table(cols: Columns, state: MapState, lang: str, mg: int):
    if not rows_of(cols):
        return html.P(t("maps.table.nocountries", lang, wave=state.wave), className="mb-0")
    columns = [Column(t("maps.col.country", lang)), Column(t("maps.col.coverage", lang), True),
               *_stat_columns(lang)]
    rows = [[f"{name} ({code})", f"{fmt_int(resp, lang)} / {fmt_int(total, lang)}", *cells]
            for name, code, resp, total, cells in zip(
                cols["name"], cols["country"], cols["responded"], cols["municipalities"],
                _stat_cells(cols, lang), strict=True)]
    highlight = ({i for i, c in enumerate(cols["country"]) if c == state.country}
                 if state.level == "country" else set())
    return [html_table(columns, rows, t("maps.countries.title", lang), highlight),
            html.P(t("maps.table.dash", lang, min_group=mg),
                   className="small text-body-secondary mb-0")]


def regions_block(cols: Columns, state: MapState, lang: str, mg: int):
    area_type, _ = region_scope(state)
    word = region_word(area_type, lang)
    if not rows_of(cols):
        return html.P(t("maps.regions.none", lang, regions=word, wave=state.wave), className="mb-0")
    columns = [Column(t("maps.col.region", lang)), *_stat_columns(lang)]

    def table(part: Columns, caption: str):
        rows = [[f"{name} ({code})", *cells] for name, code, cells in zip(
            part["name"], part["region"], _stat_cells(part, lang), strict=True)]
        return html_table(columns, rows, caption)
    shown = np.flatnonzero(~np.isnan(cols[state.stat]))  # the columns put these first
    note = html.P(t("maps.regions.note", lang, regions=word, shown=len(shown),
                    total=rows_of(cols), suppressed=int(cols["suppressed"].sum()), min_group=mg),
                  className="small text-body-secondary mb-0")
    if len(shown) <= 2 * REGION_ROWS:
        return [table(cols, t("maps.regions.title", lang)), note]
    low, high = (t(k, lang, n=REGION_ROWS) for k in ("maps.regions.low", "maps.regions.high"))
    return [dbc.Row([
        dbc.Col([html.H3(low, className="h6"),
                 table(take_rows(cols, shown[::-1][:REGION_ROWS]), low)], lg=6),
        dbc.Col([html.H3(high, className="h6"),
                 table(take_rows(cols, shown[:REGION_ROWS]), high)], lg=6),
    ]), note]


def sizes_table(cols: Columns, lang: str):
    if not rows_of(cols):
        return None
    rows = [[label, *cells] for label, cells in zip(cols["label"], _stat_cells(cols, lang),
                                                    strict=True)]
    return html_table([Column(t("maps.col.size", lang)), *_stat_columns(lang)], rows,
                      t("maps.sizes.title", lang))



INDEX_DIGITS = {"desi_dps": 1, "egov_overall": 1, "oecd_dgi": 2}


def context_table(df: pd.DataFrame, state: MapState, lang: str):
    columns = [Column(t("maps.col.country", lang)),
               Column(t("maps.context.col.self", lang, wave=state.wave), True),
               *[Column(t(f"maps.context.col.{k}", lang), True) for k in INDICES]]
    rows = [[f"{r.name} ({r.country})",
             fmt_num(r.self_assessed_median, lang, 2) + (
                 f" (n={fmt_int(r.n, lang)})" if r.n else ""),
             *[fmt_num(getattr(r, k), lang, INDEX_DIGITS[k]) for k in INDICES]]
            for r in df.itertuples()]
    highlight = ({i for i, c in enumerate(df["country"]) if c == state.country}
                 if state.level == "country" else set())
    return html_table(columns, rows, t("maps.context.title", lang), highlight)


def context_focus(df: pd.DataFrame, state: MapState, lang: str):
    """On a country's map: that country's numbers in one sentence."""
    if state.level != "country":
        return None
    row = df[df["country"] == state.country]
    if row.empty:
        return None
    r = row.iloc[0]
    return html.P(t("maps.context.focus", lang, country=r["name"], wave=state.wave,
                    own=fmt_num(r.self_assessed_median, lang, 2),
                    desi=fmt_num(r.desi_dps, lang, 1), egov=fmt_num(r.egov_overall, lang, 1),
                    dgi=fmt_num(r.oecd_dgi, lang, 2)), className="mb-2")


