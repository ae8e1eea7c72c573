"""Survey progress (Voortgang survey): the coordinator's view of a survey wave.

Opened with the wave's coordinator link, `/survey/progress?token=<coordinator token>` (printed
once by `python -m pipelines survey create-wave`). Shows which invited municipalities started
and submitted, the response rate per country / NUTS 2 region / size class, the municipalities
with their respondents, and CSV downloads (non-responders, rates, all municipalities).

Security: the token is resolved server-side with `ctx.survey.open_link` in layout() AND in every
callback (the page only keeps the token itself, in a memory store; never a "this is fine" flag).
A missing, unknown, expired or revoked token, or a respondent's token, gets a message and no
data. The token is never echoed in the page; the only place it is written back is the URL's own
query (the permalink), where it already was.

The numbers come from pipelines.survey.progress (the survey folder, no build needed). They are
read fresh on every page load and kept for STATUS_TTL seconds for the page's controls, so
grouping, filtering and paging stay fast for waves of tens of thousands of municipalities.
"""

from __future__ import annotations

import datetime as dt
import threading
import time
from dataclasses import dataclass, field
from urllib.parse import urlencode

import dash_bootstrap_components as dbc
import numpy as np
import pandas as pd
import plotly.graph_objects as go
from dash import Input, Output, State, callback_context, dcc, html
from dash.exceptions import PreventUpdate

from dashboard import ids
from dashboard.components import colours
from dashboard.components.downloads import clicked, download_control, download_inputs, table_download
from dashboard.context import AppContext
from dashboard.i18n import normalise_lang, t
from pipelines.reference import size_class_label
from pipelines.survey import progress
from pipelines.survey.waves import Access, Wave

PATH = "/survey/progress"
NAV_KEY = "survey_progress.nav"
IN_NAV = False

# Component ids (page-prefixed; shared ids come from dashboard.ids).
TOKEN = "survey-progress-token"
BY = "survey-progress-by"
RATES_GRAPH = "survey-progress-rates-graph"
RATES_CAPTION = "survey-progress-rates-caption"
RATES_TABLE = "survey-progress-rates-table"
FILTER = "survey-progress-filter"
SEARCH = "survey-progress-search"
SORT = "survey-progress-sort"
TABLE = "survey-progress-table"
TABLE_COUNT = "survey-progress-table-count"
PAGE_NO = "survey-progress-page"
PREV = "survey-progress-prev"
NEXT = "survey-progress-next"
DOWNLOAD = "survey-progress-download"
CSV_NON_RESPONDERS = "survey-progress-csv-non-responders"
CSV_RATES = "survey-progress-csv-rates"
CSV_ALL = "survey-progress-csv-all"
CSV_BUTTONS = (CSV_NON_RESPONDERS, CSV_RATES, CSV_ALL)

BYS = ("country", "nuts2", "size_class")
FILTERS = ("all", "open", "invited", "started", "submitted")
SORTS = ("status", "name", "area", "last")
PAGE_SIZE = 50  # rows of the municipality table rendered at once
CHART_MAX = 30  # bars in the rates chart (the table and CSV list every area)
STATUS_TTL = 300.0  # seconds the page's controls reuse the numbers read at page load
SEARCH_MAX = 100
BAR, BAR_LIGHT = colours.COUNT, colours.COUNT_LIGHT
FONT = {"family": "system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif", "size": 12,
        "color": colours.TEXT}
STATUS_COLOURS = {"invited": ("secondary", None), "started": ("warning", "dark"),
                  "submitted": ("success", None)}
INVITE_COMMAND = "python -m pipelines survey invite --wave {wave} --country NL --out links.csv"
CREATE_COMMAND = "python -m pipelines survey create-wave"


# ------------------------------------------------------------------ access


def coordinator_access(ctx: AppContext, token: object, now: dt.datetime | None = None
                       ) -> tuple[Access, str | None]:
    """What the token opens, and None when it opens this page, else why not: missing / unknown /
    expired / revoked / respondent. Called by layout() and by every callback."""
    if token is None or token == "":
        return Access("unknown"), "missing"
    access = ctx.survey.open_link(token, now=now)
    if not access.ok:
        return access, access.status
    if not access.coordinator:
        return access, "respondent"
    return access, None


def _with_code(key: str, lang: str, command: str) -> list:
    """t(key) with its {command} placeholder rendered as <code>."""
    marker = "\x00"
    before, _, after = t(key, lang, command=marker).partition(marker)
    return [before, html.Code(command), after]


def denied(why: str, lang: str, expired_at: dt.datetime | None = None) -> dbc.Alert:
    """What happened, and how to get the right link. Never shows data or the token."""
    if why == "expired":
        what = t("survey_progress.denied.expired", lang,
                 date=_date(expired_at) if expired_at else "?")
    else:
        what = t(f"survey_progress.denied.{why}", lang)
    return dbc.Alert([
        html.H2(t("survey_progress.denied.title", lang), className="h5"),
        html.P(what),
        html.P(_with_code("survey_progress.denied.ask", lang, CREATE_COMMAND), className="mb-0"),
    ], color="warning", className="survey-progress-denied")


# ------------------------------------------------------------------ numbers


@dataclass
class Progress:
    """The wave's status table (one row per invited municipality) and when it was read."""

    status: pd.DataFrame
    read_at: dt.datetime
    orders: dict[str, np.ndarray] = field(default_factory=dict)

    def order(self, sort: str | None) -> np.ndarray:
        sort = sort if sort in SORTS else "status"
        if sort not in self.orders:
            self.orders[sort] = sort_order(self.status, sort)
        return self.orders[sort]

    def rows(self, which: str | None, query: str | None, sort: str | None) -> pd.DataFrame:
        return select_rows(self.status, which, query, sort, self.order(sort))


_CACHE: dict[tuple[str, str], tuple[float, Progress]] = {}
_LOCK = threading.Lock()


def _search_key(values: pd.Series) -> pd.Series:
    """Lower case without accents ('Ambérieu' -> 'amberieu'), in one vectorised pass (pyarrow's
    RE2 knows \\p{Mn}): 35,000 names take ~50 ms."""
    return (values.astype("str").str.normalize("NFKD").str.replace(r"\p{Mn}+", "", regex=True)
            .str.lower())


def load_progress(ctx: AppContext, wave: str, max_age: float = 0.0) -> Progress:
    """The status table of `wave`, read fresh (max_age 0) or reused when younger than max_age."""
    key = (str(ctx.settings.state_dir), wave)
    hit = _CACHE.get(key)
    if hit is not None and max_age > 0 and time.monotonic() - hit[0] < max_age:
        return hit[1]
    status = progress.municipality_status(progress.respondents(ctx.survey, wave),
                                          ctx.municipalities)
    status["_key"] = _search_key(status["name"] + " " + status["national_code"] + " "
                                 + status["municipality_id"])
    p = Progress(status, dt.datetime.now(dt.UTC))
    with _LOCK:
        _CACHE[key] = (time.monotonic(), p)
    return p


_NL = str.maketrans(",.", ".,")


def _num(n: float, lang: str) -> str:
    s = f"{int(n):,}"
    return s.translate(_NL) if lang == "nl" else s


def _pct(x: float | None, lang: str) -> str:
    if x is None or pd.isna(x):
        return "–"
    s = f"{100 * x:.1f}".removesuffix(".0")
    return (s.replace(".", ",") if lang == "nl" else s) + "%"


def _date(value: dt.datetime) -> str:
    return value.astimezone(dt.UTC).strftime("%Y-%m-%d")


def _time(value: dt.datetime) -> str:
    return value.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M")


def _stamp(value: str) -> str:
    """'20260102T101500' -> '2026-01-02 10:15'."""
    if len(value) < 13:
        return ""
    return f"{value[:4]}-{value[4:6]}-{value[6:8]} {value[9:11]}:{value[11:13]}"


def area_label(by: str, code: str, name: str) -> str:
    return name if by == "size_class" or name == code else f"{name} ({code})"


# ------------------------------------------------------------------ wave header and KPIs


def wave_state(wave: Wave, now: dt.datetime) -> str:
    if wave.is_open(now):
        return "open"
    return "upcoming" if now < wave.opens_at else "closed"


def wave_header(wave: Wave, read_at: dt.datetime, lang: str, now: dt.datetime) -> dbc.Card:
    state = wave_state(wave, now)
    colour = {"open": "success", "upcoming": "info", "closed": "secondary"}[state]
    title = wave.title or t("survey_progress.wave.untitled", lang, wave=wave.wave)
    return dbc.Card(dbc.CardBody([
        html.H2([title, " ", dbc.Badge(t(f"survey_progress.wave.{state}", lang), color=colour,
                                       className="align-middle fs-6")],
                className="h4 mb-1"),
        html.P([t("survey_progress.wave.id", lang, wave=wave.wave), " · ",
                t("survey_progress.wave.period", lang, opens=_time(wave.opens_at),
                  closes=_time(wave.closes_at), until=_date(wave.links_valid_until))],
               className="mb-1"),
        html.P(t("survey_progress.asof", lang, time=_time(read_at)),
               className="small text-body-secondary mb-0"),
    ]), className="mb-3 survey-progress-wave")


def kpis(status: pd.DataFrame, lang: str) -> dbc.Row:
    n = progress.totals(status)
    invited = n["invited"]
    countries = int(status["country"].nunique()) if invited else 0
    cards = [
        (t("survey_progress.kpi.invited", lang), _num(invited, lang),
         t("survey_progress.kpi.invited.sub" + (".one" if countries == 1 else ""), lang,
           countries=countries)),
        (t("survey_progress.kpi.started", lang), _num(n["started"], lang),
         t("survey_progress.kpi.share", lang,
           share=_pct(n["started"] / invited if invited else None, lang))),
        (t("survey_progress.kpi.submitted", lang), _num(n["submitted"], lang),
         t("survey_progress.kpi.share", lang,
           share=_pct(n["submitted"] / invited if invited else None, lang))),
        (t("survey_progress.kpi.rate", lang), _pct(progress.response_rate(n), lang),
         t("survey_progress.kpi.rate.sub", lang)),
        (t("survey_progress.kpi.respondents", lang), _num(n["respondents_submitted"], lang),
         t("survey_progress.kpi.respondents.sub", lang,
           invited=_num(n["respondents_invited"], lang),
           started=_num(n["respondents_started"], lang))),
    ]
    return dbc.Row([dbc.Col(dbc.Card(dbc.CardBody([
        html.Div(label, className="kpi-label"),
        html.Div(value, className="kpi-value"),
        html.Div(sub, className="kpi-sub"),
    ]), className="h-100 kpi"), xs=6, md=4, xl=True, className="mb-3")
        for label, value, sub in cards], className="survey-progress-kpis")


def empty_invitations(wave: Wave, lang: str) -> dbc.Alert:
    return dbc.Alert([
        html.H2(t("survey_progress.empty.title", lang), className="h5"),
        html.P(t("survey_progress.empty.body", lang)),
        html.Pre(INVITE_COMMAND.format(wave=wave.wave), className="mb-2"),
        html.P(t("survey_progress.empty.after", lang), className="mb-0"),
    ], color="info", id="survey-progress-empty")


# ------------------------------------------------------------------ rates


def rates_frame(ctx: AppContext, status: pd.DataFrame, by: str, lang: str) -> pd.DataFrame:
    return progress.named_rates(status, by, lang, ctx.settings.reference_dir)


def rates_figure(df: pd.DataFrame, by: str, lang: str) -> go.Figure:
    """Horizontal bars: share started (light) behind the response rate (dark), per area; at most
    CHART_MAX areas (those with the most invited municipalities), in table order."""
    if len(df) > CHART_MAX:
        df = df.loc[df["invited"].nlargest(CHART_MAX, keep="first").index.sort_values()]
    labels = [_short(area_label(by, c, n), 34) for c, n in zip(df[by], df["name"], strict=True)]
    started = (100 * df["started"] / df["invited"]).round(2).to_numpy()
    rate = (100 * df["response_rate"]).round(2).to_numpy()
    text = [f"{_pct(r, lang)} ({_num(s, lang)}/{_num(i, lang)})"
            for r, s, i in zip(df["response_rate"], df["submitted"], df["invited"], strict=True)]
    n = len(df)
    return go.Figure({"data": [
        {"type": "bar", "orientation": "h", "x": started, "y": labels,
         "name": t("survey_progress.rates.legend.started", lang),
         "marker": {"color": BAR_LIGHT}, "hovertemplate": "%{y}: %{x:.1f}%<extra>"
         + t("survey_progress.rates.legend.started", lang) + "</extra>"},
        {"type": "bar", "orientation": "h", "x": rate, "y": labels, "text": text,
         "textposition": "outside", "cliponaxis": False,
         "name": t("survey_progress.rates.legend.submitted", lang), "marker": {"color": BAR},
         "hovertemplate": "%{y}: %{text}<extra></extra>"},
    ], "layout": {
        "template": {}, "font": FONT, "barmode": "overlay", "bargap": 0.3,
        "height": max(n, 2) * 26 + 90, "separators": ",." if lang == "nl" else ".,",
        "margin": {"l": 10, "r": 100, "t": 30, "b": 40, "pad": 2},
        "paper_bgcolor": colours.PAPER, "plot_bgcolor": colours.PAPER,
        "legend": {"orientation": "h", "x": 0, "y": -0.02, "yanchor": "top",
                   "traceorder": "reversed"},
        "xaxis": {"range": [0, 100], "ticksuffix": "%", "gridcolor": colours.GRID, "zeroline": False,
                  "fixedrange": True, "side": "top"},
        "yaxis": {"autorange": "reversed", "fixedrange": True, "ticks": "", "automargin": True,
                  "type": "category"},
    }}, _validate=False)


def _short(text: str, n: int) -> str:
    return text if len(text) <= n else text[: n - 1].rstrip() + "…"


def rates_caption(df: pd.DataFrame, by: str, status: pd.DataFrame, lang: str) -> str:
    n = progress.totals(status)
    parts = [t("survey_progress.rates.caption", lang,
               grouping=t(f"survey_progress.by.{by}.lower", lang),
               rate=_pct(progress.response_rate(n), lang), submitted=_num(n["submitted"], lang),
               invited=_num(n["invited"], lang))]
    if len(df) > 1:
        order = df.sort_values(["response_rate", "invited"], ascending=[False, False],
                               kind="stable")
        best, worst = order.iloc[0], order.iloc[-1]
        parts.append(t("survey_progress.rates.caption.range", lang,
                       best=area_label(by, best[by], best["name"]),
                       best_rate=_pct(best["response_rate"], lang),
                       worst=area_label(by, worst[by], worst["name"]),
                       worst_rate=_pct(worst["response_rate"], lang)))
    if len(df) > CHART_MAX:
        parts.append(t("survey_progress.rates.chart.top", lang, shown=CHART_MAX,
                       total=_num(len(df), lang)))
    return " ".join(parts)


def rates_table(df: pd.DataFrame, by: str, lang: str) -> html.Div:
    head = html.Thead(html.Tr([
        html.Th(t(f"survey_progress.by.{by}", lang), scope="col"),
        *(html.Th(t(f"survey_progress.rates.col.{c}", lang), scope="col", className="text-end")
          for c in ("rate", "invited", "started", "submitted")),
    ]))
    # the rate right after the area: at phone width the counts scroll out of view first
    body = html.Tbody([html.Tr([
        html.Th(area_label(by, r[by], r["name"]), scope="row", className="fw-normal"),
        html.Td(_pct(r["response_rate"], lang), className="text-end fw-semibold"),
        html.Td(_num(r["invited"], lang), className="text-end"),
        html.Td(_num(r["started"], lang), className="text-end"),
        html.Td(_num(r["submitted"], lang), className="text-end"),
    ]) for r in df.to_dict("records")])
    return html.Div(dbc.Table([head, body], size="sm", striped=True, hover=True,
                              className="mb-0 survey-progress-rates-table"),
                    className="survey-progress-scroll", tabIndex="0", role="region",
                    **{"aria-label": t("survey_progress.rates.table.label", lang)})


def rates_view(ctx: AppContext, status: pd.DataFrame, by: str, lang: str):
    """(figure, caption, table) for a grouping."""
    df = rates_frame(ctx, status, by, lang)
    return rates_figure(df, by, lang), rates_caption(df, by, status, lang), rates_table(df, by, lang)


def rates_csv(ctx: AppContext, status: pd.DataFrame, by: str, lang: str) -> pd.DataFrame:
    df = rates_frame(ctx, status, by, lang).rename(columns={by: "area_code", "name": "area_name"})
    df.insert(0, "grouping", by)
    df["response_rate"] = df["response_rate"].round(4)
    return df


# ------------------------------------------------------------------ municipality table


def sort_order(status: pd.DataFrame, sort: str | None) -> np.ndarray:
    """Row positions of `status` in the chosen order (computed once per order, see Progress)."""
    sort = sort if sort in SORTS else "status"
    df = status.reset_index(drop=True)
    if sort == "name":
        keys, asc = ["name", "municipality_id"], [True, True]
    elif sort == "area":
        keys, asc = ["country", "nuts2", "name", "municipality_id"], [True] * 4
    elif sort == "last":
        keys, asc = ["last_submitted", "name", "municipality_id"], [False, True, True]
    else:
        df = df.assign(_o=df["status"].map({"invited": 0, "started": 1, "submitted": 2}))
        keys, asc = ["_o", "country", "name", "municipality_id"], [True] * 4
    return df.sort_values(keys, ascending=asc, kind="stable").index.to_numpy()


def select_rows(status: pd.DataFrame, which: str | None, query: str | None, sort: str | None,
                order: np.ndarray | None = None) -> pd.DataFrame:
    """The municipalities matching the status filter and the search, in the chosen order
    (`order`: sort_order(status, sort), when the caller keeps it)."""
    keep = np.ones(len(status), dtype=bool)
    which = which if which in FILTERS else "all"
    if which == "open":
        keep &= (status["status"] != "submitted").to_numpy()
    elif which != "all":
        keep &= (status["status"] == which).to_numpy()
    q = (query or "").strip()[:SEARCH_MAX]
    if q:
        needle = _search_key(pd.Series([q])).iat[0]
        keys = status["_key"] if "_key" in status else _search_key(status["name"])
        keep &= keys.str.contains(needle, regex=False).to_numpy(dtype=bool)
    order = sort_order(status, sort) if order is None else order
    return status.iloc[order[keep[order]]]


def _status_badge(status: str, lang: str) -> dbc.Badge:
    colour, text_colour = STATUS_COLOURS[status]
    return dbc.Badge(t(f"survey_progress.status.{status}", lang), color=colour,
                     text_color=text_colour, className="fw-normal")


def _region(ctx: AppContext, nuts2: str, lang: str) -> str:
    if not nuts2:
        return ""
    return area_label("nuts2", nuts2, progress.area_names("nuts2", [nuts2], lang,
                                                          ctx.settings.reference_dir)[0])


def municipality_table(ctx: AppContext, rows: pd.DataFrame, page: int, lang: str):
    """(table, count text, page, prev disabled, next disabled) for one page of rows."""
    total = len(rows)
    pages = max(1, -(-total // PAGE_SIZE))
    page = min(max(int(page or 0), 0), pages - 1)
    if total == 0:
        return (html.P(t("survey_progress.table.none", lang), className="text-body-secondary"),
                "", 0, True, True)
    part = rows.iloc[page * PAGE_SIZE:(page + 1) * PAGE_SIZE]
    # name and status first: at phone width the table scrolls sideways and these stay in view
    head = html.Thead([
        html.Tr([
            html.Th(t("survey_progress.table.col.municipality", lang), scope="col", rowSpan=2),
            html.Th(t("survey_progress.table.col.status", lang), scope="col", rowSpan=2),
            html.Th(t("survey_progress.table.col.respondents", lang), scope="colgroup", colSpan=3,
                    className="text-center"),
            html.Th(t("survey_progress.table.col.pending", lang), scope="col", rowSpan=2),
            html.Th(t("survey_progress.table.col.last", lang), scope="col", rowSpan=2),
            html.Th(t("survey_progress.table.col.region", lang), scope="col", rowSpan=2),
            html.Th(t("survey_progress.table.col.size", lang), scope="col", rowSpan=2),
        ]),
        html.Tr([html.Th(t(f"survey_progress.table.col.{c}", lang), scope="col",
                         className="text-end") for c in ("invited", "started", "submitted")]),
    ])
    body = html.Tbody([html.Tr([
        html.Th([r["name"], html.Span(f" {r['national_code'] or r['municipality_id']}",
                                      className="survey-progress-code")],
                scope="row", className="fw-normal"),
        html.Td(_status_badge(r["status"], lang)),
        html.Td(_num(r["respondents_invited"], lang), className="text-end"),
        html.Td(_num(r["respondents_started"], lang), className="text-end"),
        html.Td(_num(r["respondents_submitted"], lang), className="text-end"),
        html.Td(r["roles_not_submitted"].replace(";", ", ")),
        html.Td(_stamp(r["last_submitted"]), className="text-nowrap"),
        html.Td(_region(ctx, r["nuts2"], lang) or r["country"]),
        html.Td(_size(r["size_class"], lang, short=True), className="text-nowrap"),
    ]) for r in part.to_dict("records")])
    table = html.Div(dbc.Table([head, body], size="sm", striped=True, hover=True,
                               className="mb-0 survey-progress-table"),
                     className="table-responsive survey-progress-table-wrap", tabIndex="0",
                     role="region",
                     **{"aria-label": t("survey_progress.table.title", lang)})
    first, last = page * PAGE_SIZE + 1, page * PAGE_SIZE + len(part)
    count = t("survey_progress.table.count", lang, first=_num(first, lang), last=_num(last, lang),
              total=_num(total, lang))
    if pages > 1:
        count += " " + t("survey_progress.table.more", lang)
    return table, count, page, page == 0, page >= pages - 1


def _size(key: str, lang: str, short: bool = False) -> str:
    """A size-class label; short drops the word inhabitants (the column says size class)."""
    try:
        label = size_class_label(key, lang)
    except KeyError:
        return key
    return label.removesuffix(" inwoners").removesuffix(" inhabitants") if short else label


def non_responders_csv(status: pd.DataFrame) -> pd.DataFrame:
    cols = ["municipality_id", "national_code", "name", "country", "nuts2", "size_class", "status",
            "respondents_invited", "respondents_started", "respondents_submitted",
            "roles_not_submitted"]
    return progress.non_responders(status)[cols]


def all_csv(status: pd.DataFrame) -> pd.DataFrame:
    return status[progress.STATUS_COLUMNS].sort_values("municipality_id", ignore_index=True)


# ------------------------------------------------------------------ layout


def _header(lang: str) -> list:
    return [
        html.H1(t("survey_progress.title", lang), className="h2"),
        html.P(html.Strong(t("survey_progress.question", lang)), className="mb-1 question"),
        html.P(t("survey_progress.guide", lang), className="text-body-secondary"),
    ]


def _pick(value: str | None, allowed: tuple[str, ...], default: str) -> str:
    return value if value in allowed else default


def layout(ctx: AppContext, lang: str, query: dict | None = None,
           now: dt.datetime | None = None) -> html.Div:
    lang = normalise_lang(lang)
    query = query or {}
    now = now or dt.datetime.now(dt.UTC)
    token = query.get("token")
    access, why = coordinator_access(ctx, token, now)
    if why is not None:
        return html.Div([*_header(lang), denied(why, lang, access.expired_at)],
                        className="survey-progress")
    wave = access.wave
    p = load_progress(ctx, wave.wave)
    status = p.status
    top = [*_header(lang), dcc.Store(id=TOKEN, storage_type="memory", data=token),
           wave_header(wave, p.read_at, lang, now)]
    if status.empty:
        return html.Div([*top, empty_invitations(wave, lang)], className="survey-progress")
    default_by = "country" if status["country"].nunique() > 1 else "nuts2"
    by = _pick(query.get("by"), BYS, default_by)
    which = _pick(query.get("status"), FILTERS, "all")
    sort = _pick(query.get("sort"), SORTS, "status")
    search = (query.get("q") or "")[:SEARCH_MAX]
    figure, caption, rtable = rates_view(ctx, status, by, lang)
    table, count, page, prev_off, next_off = municipality_table(
        ctx, p.rows(which, search, sort), 0, lang)
    n_open = int((status["status"] != "submitted").sum())
    return html.Div([
        *top,
        kpis(status, lang),
        dbc.Card(dbc.CardBody([
            dbc.Row([
                dbc.Col(html.H2(t("survey_progress.rates.title", lang), className="h5 mb-2"),
                        xs=12, md=True),
                dbc.Col([dbc.Label(t("survey_progress.rates.by", lang), html_for=BY,
                                   className="me-2 mb-0 survey-progress-by-label"),
                         dbc.Select(id=BY, value=by, options=[
                             {"label": t(f"survey_progress.by.{b}", lang), "value": b}
                             for b in BYS], className="survey-progress-by")],
                        xs=12, md="auto", className="d-flex align-items-center mb-2"),
            ], className="align-items-center"),
            dbc.Row([
                dbc.Col(html.Figure([
                    # at phone width the chart keeps a legible width and scrolls sideways
                    html.Div(dcc.Graph(id=RATES_GRAPH, figure=figure,
                                       config={"displayModeBar": False, "responsive": True},
                                       className="survey-progress-graph"),
                             className="survey-progress-chart", tabIndex="0", role="region",
                             **{"aria-label": t("survey_progress.rates.title", lang)}),
                    html.Figcaption(caption, id=RATES_CAPTION,
                                    className="small text-body-secondary"),
                ], className="mb-0"), lg=6, className="mb-3"),
                dbc.Col([
                    html.Div(rtable, id=RATES_TABLE),
                    download_control(CSV_RATES, lang, label=t("survey_progress.csv.rates", lang),
                                     className="mt-2"),
                ], lg=6, className="mb-3"),
            ]),
        ]), className="mb-3"),
        dbc.Card(dbc.CardBody([
            html.H2(t("survey_progress.table.title", lang), className="h5"),
            dbc.Row([
                dbc.Col([dbc.Label(t("survey_progress.table.filter", lang), html_for=FILTER),
                         dbc.Select(id=FILTER, value=which, options=[
                             {"label": t(f"survey_progress.filter.{f}", lang), "value": f}
                             for f in FILTERS])], xs=12, sm=6, lg=3, className="mb-2"),
                dbc.Col([dbc.Label(t("survey_progress.table.search", lang), html_for=SEARCH),
                         dbc.Input(id=SEARCH, type="search", value=search, debounce=True,
                                   maxLength=SEARCH_MAX, autoComplete="off",
                                   placeholder=t("survey_progress.table.search.placeholder",
                                                 lang))],
                        xs=12, sm=6, lg=3, className="mb-2"),
                dbc.Col([dbc.Label(t("survey_progress.table.sort", lang), html_for=SORT),
                         dbc.Select(id=SORT, value=sort, options=[
                             {"label": t(f"survey_progress.sort.{s}", lang), "value": s}
                             for s in SORTS])], xs=12, sm=6, lg=4, className="mb-2"),
            ], className="mb-1"),
            html.P(count, id=TABLE_COUNT, className="small text-body-secondary mb-2",
                   **{"aria-live": "polite"}),
            dcc.Loading(html.Div(table, id=TABLE), type="dot", delay_show=300),
            dcc.Store(id=PAGE_NO, storage_type="memory", data=page),
            html.Nav(dbc.ButtonGroup([
                dbc.Button(t("survey_progress.table.prev", lang, n=PAGE_SIZE), id=PREV,
                           disabled=prev_off, color="secondary", outline=True, size="sm"),
                dbc.Button(t("survey_progress.table.next", lang, n=PAGE_SIZE), id=NEXT,
                           disabled=next_off, color="secondary", outline=True, size="sm"),
            ]), className="mt-2", **{"aria-label": t("survey_progress.table.pager", lang)}),
            html.Hr(),
            html.Div([
                download_control(CSV_NON_RESPONDERS, lang, color="primary", outline=False,
                                 label=t("survey_progress.csv.non_responders", lang),
                                 className="me-4 mb-2"),
                download_control(CSV_ALL, lang, label=t("survey_progress.csv.all", lang),
                                 className="mb-2"),
            ], className="d-flex flex-wrap"),
            html.P(t("survey_progress.csv.non_responders.help", lang, n=_num(n_open, lang)),
                   className="small text-body-secondary mb-0"),
            dcc.Download(id=DOWNLOAD),
        ]), className="mb-3"),
    ], className="survey-progress")


# ------------------------------------------------------------------ callbacks (pure bodies)


def _status_for(ctx: AppContext, token: object, now: dt.datetime | None = None,
                max_age: float = STATUS_TTL) -> tuple[Access, Progress | None, str | None]:
    """Re-validate the token (on every call) and read the wave's numbers only if it is valid."""
    access, why = coordinator_access(ctx, token, now)
    if why is not None:
        return access, None, why
    return access, load_progress(ctx, access.wave.wave, max_age=max_age), None


def update_rates(ctx: AppContext, token: object, by: str | None, lang: str | None,
                 now: dt.datetime | None = None):
    lang = normalise_lang(lang)
    access, p, why = _status_for(ctx, token, now)
    if why is not None:
        return {}, "", denied(why, lang, access.expired_at)
    return rates_view(ctx, p.status, _pick(by, BYS, "country"), lang)


def next_page(trigger: str | None, page: int | None) -> int:
    page = int(page or 0)
    if trigger == PREV:
        return max(page - 1, 0)
    if trigger == NEXT:
        return page + 1
    return 0  # a new filter, search or order starts at the first rows


def update_table(ctx: AppContext, token: object, which: str | None, search: str | None,
                 sort: str | None, page: int | None, trigger: str | None, lang: str | None,
                 now: dt.datetime | None = None):
    """(table, count, page, prev disabled, next disabled)."""
    lang = normalise_lang(lang)
    access, p, why = _status_for(ctx, token, now)
    if why is not None:
        return denied(why, lang, access.expired_at), "", 0, True, True
    return municipality_table(ctx, p.rows(which, search, sort),
                              next_page(trigger, page), lang)


def download(ctx: AppContext, which: str | None, token: object, by: str | None, lang: str | None,
             now: dt.datetime | None = None) -> tuple[pd.DataFrame, str] | None:
    """(frame, CSV file name) for a download control (`which`: its CSV button's id), read fresh;
    None without a valid coordinator token."""
    lang = normalise_lang(lang)
    if which not in CSV_BUTTONS:
        return None
    access, p, why = _status_for(ctx, token, now, max_age=0)
    if why is not None:
        return None
    status = p.status
    w = access.wave.wave
    if which == CSV_NON_RESPONDERS:
        return non_responders_csv(status), f"survey-{w}-non-responders.csv"
    if which == CSV_RATES:
        by = _pick(by, BYS, "country")
        return rates_csv(ctx, status, by, lang), f"survey-{w}-response-rates-{by}.csv"
    return all_csv(status), f"survey-{w}-municipalities.csv"


def send(ctx: AppContext, trigger: object, token: object, by: str | None, lang: str | None,
         now: dt.datetime | None = None) -> dict:
    """The dcc.Download file of the clicked format button (`trigger`: its id)."""
    hit = clicked(trigger, *CSV_BUTTONS)
    found = download(ctx, hit[0], token, by, lang, now) if hit else None
    if found is None:
        raise PreventUpdate
    df, name = found
    return table_download(df, name, hit[1])


def state_query(ctx: AppContext, token: object, by: str | None, which: str | None,
                search: str | None, sort: str | None) -> str | None:
    """The view as a URL query. The token is kept (the address must keep opening the page) and
    is only written back for a token that still opens this wave's coordinator view."""
    if coordinator_access(ctx, token)[1] is not None:
        return None
    state = [("token", token), ("by", _pick(by, BYS, None)),
             ("status", which if which in FILTERS and which != "all" else None),
             ("sort", sort if sort in SORTS and sort != "status" else None),
             ("q", (search or "").strip()[:SEARCH_MAX] or None)]
    return "?" + urlencode([(k, v) for k, v in state if v])


def register(app, ctx: AppContext) -> None:
    @app.callback(
        Output(ids.URL, "search", allow_duplicate=True),
        Input(BY, "value"), Input(FILTER, "value"), Input(SEARCH, "value"), Input(SORT, "value"),
        State(TOKEN, "data"),
        prevent_initial_call=True,
    )
    def _permalink(by, which, search, sort, token):
        q = state_query(ctx, token, by, which, search, sort)
        if q is None:
            raise PreventUpdate
        return q

    @app.callback(
        Output(RATES_GRAPH, "figure"), Output(RATES_CAPTION, "children"),
        Output(RATES_TABLE, "children"),
        Input(BY, "value"), State(TOKEN, "data"), State(ids.LANG, "value"),
        prevent_initial_call=True,
    )
    def _rates(by, token, lang):
        return update_rates(ctx, token, by, lang)

    @app.callback(
        Output(TABLE, "children"), Output(TABLE_COUNT, "children"), Output(PAGE_NO, "data"),
        Output(PREV, "disabled"), Output(NEXT, "disabled"),
        Input(FILTER, "value"), Input(SEARCH, "value"), Input(SORT, "value"),
        Input(PREV, "n_clicks"), Input(NEXT, "n_clicks"),
        State(PAGE_NO, "data"), State(TOKEN, "data"), State(ids.LANG, "value"),
        prevent_initial_call=True,
    )
    def _table(which, search, sort, _prev, _next, page, token, lang):
        return update_table(ctx, token, which, search, sort, page, callback_context.triggered_id,
                            lang)

    inputs = download_inputs(*CSV_BUTTONS)

    @app.callback(
        Output(DOWNLOAD, "data"),
        *inputs,
        State(BY, "value"), State(TOKEN, "data"), State(ids.LANG, "value"),
        prevent_initial_call=True,
    )
    def _download(*args):
        clicks, (by, token, lang) = args[:len(inputs)], args[len(inputs):]
        if not any(clicks):
            raise PreventUpdate
        return send(ctx, callback_context.triggered_id, token, by, lang)
