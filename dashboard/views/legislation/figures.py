"""The Legislation view's charts (data in, plotly figure dict out): readiness per law as stacked
bars, the law × area heatmap and the deadlines on a time axis."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from dashboard.components import colours
from dashboard.components.figures import empty_figure, figure_dict
from dashboard.i18n import t
from dashboard.views.legislation.data_laws import timing

EMPTY_HEIGHT = 160
LEGEND = {"orientation": "h", "y": -0.15, "x": 0.5, "xanchor": "center"}
BAR_STATUSES = ("ready", "not_ready", "unknown", "suppressed", "not_due", "not_applicable")


def empty(message: str) -> dict:
    """No chart, one sentence saying why."""
    return empty_figure(message, EMPTY_HEIGHT)


def bar_counts(rows: list[dict]) -> dict[str, list[int]]:
    """Municipalities per law and bar segment (rows of data_tables.law_rows; a withheld count
    is None); a law whose ready/not-ready split is suppressed shows its municipalities with
    something due as one 'suppressed' segment."""
    def n(v) -> int:
        return 0 if v is None else int(v)
    out = {k: [] for k in BAR_STATUSES}
    for r in rows:
        hidden = bool(r["suppressed"])
        for k in ("ready", "not_ready", "unknown"):
            out[k].append(0 if hidden else n(r[k]))
        out["suppressed"].append(n(r["due"]) if hidden else 0)
        out["not_due"].append(n(r["not_due"]))
        out["not_applicable"].append(n(r["not_applicable"]))
    return out


def status_colour(k: str) -> str:
    return colours.HIDDEN if k == "suppressed" else colours.STATUS[k]


def law_label(row, shorts: dict[str, str]) -> str:
    """A law on a chart axis: its short name (never the id), ⚠ when a fact is unverified."""
    mark = " ⚠" if row["unverified"] else ""
    return f"{shorts.get(row['law'], row['law'])}{mark}"


def readiness_bars(rows: list[dict], n: int, shorts: dict[str, str], lang: str) -> dict:
    """One stacked bar per law (data_tables.law_rows): the share of the `n` answering
    municipalities per status; hover texts give the count."""
    labels = [law_label(r, shorts) for r in rows]
    counts = bar_counts(rows)
    return figure_dict([
        {"type": "bar", "orientation": "h", "y": labels, "x": [c / n for c in counts[k]],
         "name": t(f"legislation.status.{k}", lang), "marker": {"color": status_colour(k)},
         "customdata": counts[k], "hovertemplate": "%{y}: %{customdata:,} (%{x:.0%})<extra>"
         + t(f"legislation.status.{k}", lang) + "</extra>"}
        for k in BAR_STATUSES if any(counts[k])],
        28 * len(rows) + 110, lang, barmode="stack", xaxis={"tickformat": ".0%", "range": [0, 1]},
        yaxis={"autorange": "reversed", "automargin": True}, margin={"l": 10, "r": 10, "t": 10, "b": 40},
        legend={"orientation": "h", "y": -0.08, "x": 0.5, "xanchor": "center",
                "yanchor": "top", "traceorder": "normal"})


def heatmap(hm: pd.DataFrame, areas: list[str], shorts: dict[str, str], marks: dict[str, str],
            lang: str) -> dict:
    """Law x area (data_tables.heatmap_table): `heat_figure` of the frame's arrays."""
    return heat_figure(hm.to_numpy(dtype=float), hm.attrs["state"].to_numpy(), list(hm.index),
                       areas, shorts, marks, lang)


def heat_figure(z: np.ndarray, state: np.ndarray, laws: list[str], areas: list[str],
                shorts: dict[str, str], marks: dict[str, str], lang: str) -> dict:
    """Law x area (data_tables.heat_cells: share `z` and why a cell is empty, `state`),
    coloured by the share ready among the municipalities with something due: the ready colour
    for 100 %, the not-ready colour for 0 % (as in the bars); empty cells say why in their text
    (`marks`: does not apply, nothing due yet, or too few to show)."""
    text = np.where(np.isnan(z), np.vectorize(lambda s: marks.get(s, "–"))(state),
                    np.char.mod("%.0f%%", np.nan_to_num(z) * 100))
    return figure_dict(
        [{"type": "heatmap", "z": np.round(z, 3).tolist(), "x": areas,
          "y": [shorts.get(x, x) for x in laws], "zmin": 0, "zmax": 1,
          "colorscale": colours.READY_SHARE_SCALE,
          "text": text.tolist(), "texttemplate": "%{text}" if z.size < 800 else None,
          "hoverongaps": True,
          "colorbar": {"tickformat": ".0%", "title": {"text": t("legislation.col.share", lang)}},
          "hovertemplate": "%{y} · %{x}: %{text}<extra></extra>"}],
        26 * len(laws) + 90, lang, plot_bgcolor=colours.NOT_APPLICABLE, legend=LEGEND,
        yaxis={"autorange": "reversed", "automargin": True},
        margin={"l": 10, "r": 10, "t": 10, "b": 60})


def timeline(rows, at: dt.date, shorts: dict[str, str], lang: str) -> dict:
    """Deadlines per law on a time axis, coloured overdue / due in 12 months / later; `rows` are
    (law id, deadline, unverified) as data_laws.deadline_rows gives them."""
    if not rows:
        return empty(t("legislation.time.none", lang))
    data = []
    for kind, colour in colours.TIMING.items():
        pts = [(lid, d, unv) for lid, d, unv in rows if timing(d, at) == kind]
        if pts:
            data.append({"type": "scatter", "mode": "markers", "name": t(f"legislation.timing.{kind}", lang),
                         "x": [d.isoformat() for _, d, _ in pts],
                         "y": [shorts.get(lid, lid) for lid, _, _ in pts],
                         "marker": {"color": colour, "size": 10,
                                    "symbol": ["circle-open" if u else "circle" for *_, u in pts]},
                         # the date as the page writes its other dates (YYYY-MM-DD)
                         "hovertemplate": "%{y}: %{x|%Y-%m-%d}<extra></extra>"})
    laws = sorted({r[0] for r in rows})
    return figure_dict(data, 22 * len(laws) + 100, lang, legend=LEGEND,
                       yaxis={"autorange": "reversed", "type": "category", "automargin": True},
                       xaxis={"type": "date"}, margin={"l": 10, "r": 10, "t": 10, "b": 40},
                       shapes=[{"type": "line", "x0": at.isoformat(), "x1": at.isoformat(),
                                "y0": 0, "y1": 1, "yref": "paper",
                                "line": {"color": colours.TEXT, "dash": "dot"}}])
