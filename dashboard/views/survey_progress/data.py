"""The survey progress numbers, without Dash: who the coordinator link lets in, the wave's
status table (one row per invited municipality, read from the survey folder by
pipelines.survey.progress), response rates per area, the municipality list's filter, search and
order, the CSV frames and the view's URL state.

The status table is read fresh on every page load and kept for STATUS_TTL seconds for the page's
controls, so grouping, filtering and paging stay fast for waves of tens of thousands of
municipalities.
"""

from __future__ import annotations

import datetime as dt
import threading
import time
from dataclasses import dataclass, field
from urllib.parse import urlencode

import numpy as np
import pandas as pd

from dashboard.context import AppContext
from pipelines.survey import progress
from pipelines.survey.waves import Access, Wave

BYS = ("country", "nuts2", "size_class")
FILTERS = ("all", "open", "invited", "started", "submitted")
SORTS = ("status", "name", "area", "last")
PAGE_SIZE = 50  # rows of the municipality table rendered at once
CHART_MAX = 30  # bars in the rates chart (the table and CSV list every area)
STATUS_TTL = 300.0  # seconds the page's controls reuse the numbers read at page load
SEARCH_MAX = 100


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


def wave_state(wave: Wave, now: dt.datetime) -> str:
    if wave.is_open(now):
        return "open"
    return "upcoming" if now < wave.opens_at else "closed"


def rates_frame(ctx: AppContext, status: pd.DataFrame, by: str, lang: str) -> pd.DataFrame:
    return progress.named_rates(status, by, lang, ctx.settings.reference_dir)


def chart_areas(df: pd.DataFrame) -> pd.DataFrame:
    """The areas the rates chart shows: at most CHART_MAX, those with the most invited
    municipalities, in table order."""
    if len(df) > CHART_MAX:
        return df.loc[df["invited"].nlargest(CHART_MAX, keep="first").index.sort_values()]
    return df


def rates_csv(ctx: AppContext, status: pd.DataFrame, by: str, lang: str) -> pd.DataFrame:
    df = rates_frame(ctx, status, by, lang).rename(columns={by: "area_code", "name": "area_name"})
    df.insert(0, "grouping", by)
    df["response_rate"] = df["response_rate"].round(4)
    return df


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


def non_responders_csv(status: pd.DataFrame) -> pd.DataFrame:
    cols = ["municipality_id", "national_code", "name", "country", "nuts2", "size_class", "status",
            "respondents_invited", "respondents_started", "respondents_submitted",
            "roles_not_submitted"]
    return progress.non_responders(status)[cols]


def all_csv(status: pd.DataFrame) -> pd.DataFrame:
    return status[progress.STATUS_COLUMNS].sort_values("municipality_id", ignore_index=True)


def pick(value: str | None, allowed: tuple[str, ...], default: str) -> str:
    return value if value in allowed else default


def state_query(ctx: AppContext, token: object, by: str | None, which: str | None,
                search: str | None, sort: str | None) -> str | None:
    """The view as a URL query. The token is kept (the address must keep opening the page) and
    is only written back for a token that still opens this wave's coordinator view."""
    if coordinator_access(ctx, token)[1] is not None:
        return None
    state = [("token", token), ("by", pick(by, BYS, None)),
             ("status", which if which in FILTERS and which != "all" else None),
             ("sort", sort if sort in SORTS and sort != "status" else None),
             ("q", (search or "").strip()[:SEARCH_MAX] or None)]
    return "?" + urlencode([(k, v) for k, v in state if v])
