"""The profile's charts: data in, plotly figure dict out (no Dash).

Figures are plain dicts (components/figures.figure_dict): plotly's graph objects validate every
property on the way in, which cost 10-40 ms per figure here; the tests check that
go.Figure accepts them. Colours: the municipality in the app's blue, peers in neutral greys
(colour-blind safe).
"""

from __future__ import annotations

import numpy as np

from dashboard.components import colours
from dashboard.components.figures import figure_dict
from dashboard.components.numbers import fmt_int
from dashboard.context import AppContext
from dashboard.i18n import t
from dashboard.views.profile.data import RadarData, Selection, TrendData, wrapped
from dashboard.views.profile.texts import level_text
from pipelines.maturity.profile import Profile

OWN = colours.OWN
PEER_BAND = colours.PEER_BAND
PEER_LINE = colours.PEER_LINE
MISSING_GREY = colours.MISSING_MARK


def _js(values) -> list:
    """numpy -> a JSON-safe list (NaN -> None)."""
    return [None if v is None or (isinstance(v, float) and np.isnan(v)) else v
            for v in np.asarray(values, dtype=object).tolist()]


def radar_figure(data: RadarData, sel: Selection, lang: str) -> dict:
    p = data.profile
    theta = data.labels
    close = theta + theta[:1]
    traces = []
    shown = ~p.suppressed
    if shown.any():
        if shown.all():
            # One polygon: around the upper quartiles, back around the lower ones.
            traces.append({"type": "scatterpolar", "mode": "lines", "fill": "toself",
                           "r": _js(np.concatenate([p.q3, p.q3[:1], p.q1[:1], p.q1[::-1]])),
                           "theta": [*close, theta[0], *theta[::-1]],
                           "fillcolor": PEER_BAND, "line": {"width": 0, "color": PEER_BAND},
                           "hoverinfo": "skip", "name": t("profile.legend.band", lang)})
        else:  # some axes suppressed: quartile lines with gaps, no fill across the gaps
            for q, show in ((p.q3, True), (p.q1, False)):
                traces.append({"type": "scatterpolar", "mode": "lines",
                               "r": _js(np.append(q, q[0])), "theta": close,
                               "line": {"color": PEER_LINE, "width": 1, "dash": "dot"},
                               "hoverinfo": "skip", "showlegend": show, "legendgroup": "band",
                               "name": t("profile.legend.band", lang)})
        traces.append({"type": "scatterpolar", "mode": "lines",
                       "r": _js(np.append(p.median, p.median[0])), "theta": close,
                       "line": {"color": PEER_LINE, "width": 2, "dash": "dash"},
                       "hoverinfo": "skip", "name": t("profile.legend.median", lang)})
    hover = [_radar_hover(data, i, sel, lang) for i in range(len(theta))]
    if sel.visible and not np.isnan(p.own).all():
        traces.append({"type": "scatterpolar", "mode": "lines+markers",
                       "r": _js(np.append(p.own, p.own[0])), "theta": close,
                       "line": {"color": OWN, "width": 2.5}, "marker": {"size": 7, "color": OWN},
                       "name": sel.name, "text": hover + hover[:1],
                       "hovertemplate": "%{text}<extra></extra>"})
    else:
        # Invisible points on the median (or the centre) so every axis keeps a hover text.
        traces.append({"type": "scatterpolar", "mode": "markers", "showlegend": False,
                       "r": _js(np.where(np.isnan(p.median), 0, p.median)), "theta": theta,
                       "marker": {"size": 12, "color": colours.TRANSPARENT}, "text": hover,
                       "hovertemplate": "%{text}<extra></extra>"})
    side = 70 if len(theta) > 12 else 105  # room for the angular labels (no automargin)
    return figure_dict(traces, 520, lang, showlegend=True,
                        margin={"l": side, "r": side, "t": 50, "b": 60},
                        legend={"orientation": "h", "y": -0.16, "x": 0.5, "xanchor": "center"},
                        polar={"radialaxis": {"range": [0, 4], "tickvals": [0, 1, 2, 3, 4],
                                              "angle": 90, "tickfont": {"size": 10},
                                              "gridcolor": colours.GRID_STRONG},
                               "angularaxis": {"direction": "clockwise", "rotation": 90,
                                               "gridcolor": colours.GRID_STRONG,
                                               "tickfont": {"size": 9 if len(theta) > 12
                                                            else 11}},
                               "bgcolor": colours.PAPER})


def _radar_hover(data: RadarData, i: int, sel: Selection, lang: str) -> str:
    p = data.profile
    head = f"<b>{data.names[i]}</b>"
    lines = [head]
    if sel.visible:
        lines.append(t("profile.hover.own", lang, name=sel.name, value=level_text(p.own[i], lang)))
    if p.suppressed[i]:
        lines.append(t("profile.hover.suppressed", lang, n=fmt_int(int(p.n[i]), lang)))
    else:
        lines.append(t("profile.hover.peers", lang, median=level_text(p.median[i], lang),
                       q1=level_text(p.q1[i], lang), q3=level_text(p.q3[i], lang),
                       n=fmt_int(int(p.n[i]), lang)))
        if sel.visible and not np.isnan(p.percentile[i]):
            lines.append(t("profile.hover.percentile", lang,
                           pct=fmt_int(p.percentile[i], lang)))
    return "<br>".join(lines)


# The distribution per element is laid out in pixels (y axis unit = 1 px of the fixed-height
# plot): each element's name on its own line(s) above its row, wrapped, never cut, so the marks
# use the chart's full width at a phone's 390 px as at 1920 px.
DIST_LABEL_LINE = 14  # px per line of an element's name (font 11)
DIST_MARKS = 18  # px of a row's marks: band, median, own level
DIST_GAP = 5  # px between rows
DIST_PAD = 3  # px between a name and its marks
DIST_LABEL_WIDTH = 46  # characters per line of "ID name": ~270 px at 11 px, fits a 360 px phone
DIST_TOP, DIST_BOTTOM = 50, 90  # margins: the level axis above, the legend below


def distribution_rows(labels: list[str]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per row (labels wrapped with <br>): the top of its name, the centre of its marks and
    its bottom, in px from the top of the plot."""
    tops, marks, bottoms, y = [], [], [], 0.0
    for label in labels:
        name = (label.count("<br>") + 1) * DIST_LABEL_LINE + DIST_PAD
        tops.append(y)
        marks.append(y + name + DIST_MARKS / 2)
        y += name + DIST_MARKS + DIST_GAP
        bottoms.append(y)
    return np.array(tops), np.array(marks), np.array(bottoms)


def distribution_figure(ctx: AppContext, sel: Selection, prof: Profile, counts: np.ndarray,
                        lang: str) -> dict:
    fw = ctx.framework
    els = [fw.element_by_id[e] for e in prof.labels]
    labels = [wrapped(f"{e.id} {e.name.get(lang)}", DIST_LABEL_WIDTH) for e in els]
    tops, y, bottoms = distribution_rows(labels)
    height = float(bottoms[-1]) if len(bottoms) else 0.0
    n = counts.sum(axis=1)
    shown = ~prof.suppressed
    with np.errstate(invalid="ignore", divide="ignore"):
        shares = counts / n[:, None]
    scale = {s.level: s.label.get(lang) for s in fw.scale}
    hover = []
    for i, e in enumerate(els):
        lines = [f"<b>{e.id} {e.name.get(lang)}</b>"]
        if sel.visible:
            own = prof.own[i]
            lines.append(t("profile.hover.own", lang, name=sel.name, value=level_text(own, lang))
                         + ("" if np.isnan(own) else f" ({scale[int(own)]})"))
        if shown[i]:
            lines.append(t("profile.hover.peers", lang, median=level_text(prof.median[i], lang),
                           q1=level_text(prof.q1[i], lang), q3=level_text(prof.q3[i], lang),
                           n=fmt_int(int(n[i]), lang)))
            lines.append(t("profile.hover.shares", lang) + " " + " · ".join(
                f"{k}: {fmt_int(100 * shares[i, k], lang)}%" for k in range(5)))
            if sel.visible and not np.isnan(prof.percentile[i]):
                lines.append(t("profile.hover.percentile", lang,
                               pct=fmt_int(prof.percentile[i], lang)))
        else:
            lines.append(t("profile.hover.suppressed", lang, n=fmt_int(int(n[i]), lang)))
        hover.append("<br>".join(lines))
    # Alternate shading per building block, so the rows group visibly.
    shapes, start = [], 0
    blocks = [e.block for e in els]
    for k, b in enumerate(dict.fromkeys(blocks)):
        size = blocks.count(b)
        if k % 2 == 0:
            shapes.append({"type": "rect", "xref": "paper", "x0": 0, "x1": 1, "yref": "y",
                           "y0": float(tops[start]) - DIST_GAP / 2,
                           "y1": float(bottoms[start + size - 1]) - DIST_GAP / 2,
                           "fillcolor": colours.BAND, "line": {"width": 0}, "layer": "below"})
        start += size
    names = [{"xref": "paper", "x": 0, "xanchor": "left", "yref": "y", "y": float(top),
              "yanchor": "top", "text": label, "align": "left", "showarrow": False,
              "font": {"size": 11}} for top, label in zip(tops, labels, strict=True)]
    # The hover text rides on one invisible bar per row, as wide and high as the row (anywhere
    # on the row, its name included, shows it), so the 39 texts are sent once, not per trace.
    traces = [{"type": "bar", "orientation": "h", "y": _js((tops + bottoms - DIST_GAP) / 2),
               "x": [5.0] * len(y), "base": -0.7, "width": _js(bottoms - tops - DIST_GAP),
               "marker": {"color": colours.TRANSPARENT, "line": {"width": 0}},
               "showlegend": False, "text": _js(hover), "textposition": "none",
               "hovertemplate": "%{text}<extra></extra>"}]
    skip = {"hoverinfo": "skip"}
    if shown.any():
        # The band q1-q3; a band of width 0 (q1 = q3) is drawn a little wider to stay visible.
        narrow = prof.q3 - prof.q1 < 0.06
        traces.append({"type": "bar", "orientation": "h", "y": _js(y[shown]),
                       "x": _js(np.where(narrow, 0.06, prof.q3 - prof.q1)[shown]),
                       "base": _js(np.where(narrow, prof.q1 - 0.03, prof.q1)[shown]),
                       "marker": {"color": PEER_BAND, "line": {"width": 0}},
                       "width": DIST_MARKS * 0.6, "name": t("profile.legend.band", lang),
                       **skip})
        traces.append({"type": "scatter", "mode": "markers", "y": _js(y[shown]),
                       "x": _js(prof.median[shown]),
                       "marker": {"symbol": "line-ns", "size": 14, "color": PEER_LINE,
                                  "line": {"width": 3, "color": PEER_LINE}},
                       "name": t("profile.legend.median", lang), **skip})
    if sel.visible:
        own = prof.own
        has = ~np.isnan(own)
        if has.any():
            traces.append({"type": "scatter", "mode": "markers", "y": _js(y[has]),
                           "x": _js(own[has]), "name": sel.name,
                           "marker": {"size": 11, "color": OWN,
                                      "line": {"width": 1.5, "color": colours.PAPER}}, **skip})
        if (~has).any():
            traces.append({"type": "scatter", "mode": "markers", "y": _js(y[~has]),
                           "x": [-0.45] * int((~has).sum()),
                           "name": t("profile.legend.nolevel", lang),
                           "marker": {"size": 9, "symbol": "circle-open", "color": MISSING_GREY,
                                      "line": {"width": 2}}, **skip})
    return figure_dict(
        traces, round(height) + DIST_TOP + DIST_BOTTOM, lang, barmode="overlay", shapes=shapes,
        annotations=names, hovermode="closest",
        xaxis={"range": [-0.7, 4.3], "tickvals": [-0.45, 0, 1, 2, 3, 4],
               "ticktext": ["–", "0", "1", "2", "3", "4"], "side": "top",
               "gridcolor": colours.GRID_STRONG, "zeroline": False, "fixedrange": True,
               "title": {"text": t("profile.dist.axis", lang), "font": {"size": 11}}},
        yaxis={"range": [height, 0], "visible": False, "fixedrange": True},
        margin={"l": 10, "r": 10, "t": DIST_TOP, "b": DIST_BOTTOM},
        legend={"orientation": "h", "y": 0, "x": 0.5, "xanchor": "center", "yanchor": "top"})


def trend_figure(ctx: AppContext, sel: Selection, td: TrendData, lang: str) -> dict:
    fw = ctx.framework
    traces = []
    waves = td.waves
    if not np.isnan(td.peer_median).all():
        traces.append({"type": "scatter", "mode": "lines+markers", "x": waves,
                       "y": _js(np.round(td.peer_median, 3)), "marker": {"size": 6},
                       "line": {"color": PEER_LINE, "dash": "dash", "width": 2},
                       "name": t("profile.trend.peer_median", lang),
                       "hovertemplate": "%{x}: %{y:.2f}<extra>"
                       + t("profile.trend.peer_median", lang) + "</extra>"})
    if sel.visible:
        series = colours.SERIES
        for k, b in enumerate(fw.blocks):
            values = td.blocks[:, k]
            if not np.isnan(values).all():
                traces.append({"type": "scatter", "mode": "lines+markers", "x": waves,
                               "y": _js(np.round(values, 3)), "visible": "legendonly",
                               "line": {"width": 1.2, "color": series[k % len(series)]},
                               "marker": {"size": 4}, "name": b.name.get(lang),
                               "hovertemplate": "%{x}: %{y:.2f}<extra>" + b.name.get(lang)
                               + "</extra>"})
        if not np.isnan(td.own).all():
            traces.append({"type": "scatter", "mode": "lines+markers", "x": waves,
                           "y": _js(np.round(td.own, 3)), "line": {"color": OWN, "width": 3},
                           "marker": {"size": 8},
                           "name": t("profile.trend.overall", lang, name=sel.name),
                           "hovertemplate": "%{x}: %{y:.2f}<extra>" + sel.name + "</extra>"})
    return figure_dict(traces, 440, lang, showlegend=True,
                        xaxis={"type": "category", "gridcolor": colours.GRID_STRONG, "automargin": True},
                        yaxis={"range": [0, 4], "tickvals": [0, 1, 2, 3, 4],
                               "gridcolor": colours.GRID_STRONG,
                               "title": {"text": t("profile.trend.axis", lang),
                                         "font": {"size": 11}}},
                        margin={"l": 50, "r": 10, "t": 10, "b": 30},
                        legend={"orientation": "h", "y": -0.12, "x": 0, "yanchor": "top",
                                "font": {"size": 10}})
