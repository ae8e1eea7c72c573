"""The network view: a recommended element between its enablers (left) and dependants (right),
coloured by the municipality's level; data in, plotly figure dict and its caption out (no Dash)."""

from __future__ import annotations

import numpy as np

from dashboard.components import colours as palette
from dashboard.components.colours import LEVELS as LEVEL_COLOURS
from dashboard.components.colours import NO_ANSWER as MISSING_COLOUR
from dashboard.components.figures import empty_figure, figure_dict
from dashboard.context import AppContext
from dashboard.i18n import t
from dashboard.views.roadmap import data as rd
from dashboard.views.roadmap.analysis import Subject
from dashboard.views.roadmap.state import known_elements
from pipelines.maturity.cube import MISSING
from pipelines.maturity.roadmap import DEFAULT_TARGET, apply_done

EDGE = palette.EDGE
FOCUS_RING = palette.FOCUS


def network_figure(ctx: AppContext, sub: Subject | None, element: str | None, target: int,
                   done, lang: str) -> tuple[dict, str]:
    """The element (middle), its enablers (left) and dependants (right), coloured by the
    municipality's level (with the what-if done marks); line width = enabling weight."""
    if sub is None or not element or element not in ctx.framework.element_by_id \
            or not sub.visible:
        return empty_figure(t("roadmap.network.empty", lang), 260), ""
    model = rd.model(ctx)
    tg = int(target) if target in rd.TARGETS else DEFAULT_TARGET
    done_ids = known_elements(ctx, ",".join(done or ()))[0]
    lv = apply_done(sub.levels, np.full(model.size, tg, np.int8), model.indices(done_ids))
    names = rd.element_names(ctx, lang)
    fw = ctx.framework
    j = model.index[element]
    left = list(model.enabler_lists[j])
    right = list(model.dependant_lists[j])
    rationale = {(m.enabler, m.enabled): m.rationale.get(lang) for m in fw.matrix}
    rows = max(len(left), len(right), 1)
    height = max(240, 34 * rows + 70)

    def ys(n):
        return [0.5] if n == 1 else [1 - i / (n - 1) for i in range(n)]  # n = 0: none

    def level_text(i):
        return t("roadmap.level.unknown", lang) if lv[i] == MISSING else str(int(lv[i]))

    def colour(i):
        return MISSING_COLOUR if lv[i] == MISSING else LEVEL_COLOURS[int(lv[i])]

    xs, yv, labels, hover, colours, pos, lines = [], [], [], [], [], [], []
    for (i, wgt), y in zip(left, ys(len(left)), strict=True):
        xs.append(0)
        yv.append(y)
        labels.append(f"{model.element_ids[i]} · {level_text(i)}")
        pos.append("middle left")
        colours.append(colour(i))
        hover.append(f"<b>{model.element_ids[i]} {names[model.element_ids[i]]}</b><br>"
                     + t("roadmap.network.hover", lang, level=level_text(i), weight=int(wgt))
                     + "<br>" + _wrap(rationale.get((model.element_ids[i], element), "")))
        lines.append((0, y, 1, 0.5, wgt))
    for (k, wgt), y in zip(right, ys(len(right)), strict=True):
        xs.append(2)
        yv.append(y)
        labels.append(f"{model.element_ids[k]} · {level_text(k)}")
        pos.append("middle right")
        colours.append(colour(k))
        hover.append(f"<b>{model.element_ids[k]} {names[model.element_ids[k]]}</b><br>"
                     + t("roadmap.network.hover", lang, level=level_text(k), weight=int(wgt))
                     + "<br>" + _wrap(rationale.get((element, model.element_ids[k]), "")))
        lines.append((1, 0.5, 2, y, wgt))
    xs.append(1)
    yv.append(0.5)
    labels.append("")  # the focus label is an annotation with a background (over the lines)
    pos.append("top center")
    colours.append(colour(j))
    hover.append(f"<b>{element} {names[element]}</b><br>"
                 + t("roadmap.network.hover.focus", lang, level=level_text(j)))
    shapes = [{"type": "line", "x0": x0, "y0": y0, "x1": x1, "y1": y1, "layer": "below",
               "line": {"color": EDGE, "width": 1 + 1.2 * (wgt - 1)}}
              for x0, y0, x1, y1, wgt in lines]
    n = len(xs)
    trace = {"type": "scatter", "mode": "markers+text", "x": xs, "y": yv, "text": labels,
             "textposition": pos, "hovertext": hover, "hoverinfo": "text",
             "textfont": {"size": 11},
             "marker": {"size": [16] * (n - 1) + [24], "color": colours,
                        "line": {"color": [palette.TEXT_MUTED] * (n - 1) + [FOCUS_RING],
                                 "width": [1] * (n - 1) + [3]}},
             "showlegend": False, "cliponaxis": False}
    heads = [{"x": 0, "y": 1.0, "yshift": 22, "text": t("roadmap.network.enablers", lang),
              "showarrow": False, "font": {"size": 12, "color": palette.LABEL}},
             {"x": 2, "y": 1.0, "yshift": 22, "text": t("roadmap.network.dependants", lang),
              "showarrow": False, "font": {"size": 12, "color": palette.LABEL}},
             {"x": 1, "y": 0.5, "yshift": 24, "text": f"<b>{element} · {level_text(j)}</b>",
              "showarrow": False, "bgcolor": palette.PAPER, "bordercolor": FOCUS_RING,
              "borderpad": 3, "font": {"size": 12, "color": palette.LABEL_DARK}}]
    fig = figure_dict([trace], height, lang, margin={"l": 10, "r": 10, "t": 34, "b": 10},
                      xaxis={"visible": False, "range": [-0.95, 2.95], "fixedrange": True},
                      yaxis={"visible": False, "range": [-0.12, 1.12], "fixedrange": True},
                      shapes=shapes, annotations=heads)
    return fig, network_caption(element, left, right, model, lv, names, lang)


def _wrap(text: str, width: int = 60) -> str:
    words, lines, line = text.split(), [], ""
    for w in words:
        if line and len(line) + 1 + len(w) > width:
            lines.append(line)
            line = w
        else:
            line = f"{line} {w}".strip()
    return "<br>".join([*lines, line])


def network_caption(element, left, right, model, lv, names, lang) -> str:
    def item(i, w):
        level = t("roadmap.level.unknown", lang) if lv[i] == MISSING else str(int(lv[i]))
        return t("roadmap.network.item", lang, id=model.element_ids[i], level=level, weight=int(w))
    j = model.index[element]
    level = t("roadmap.level.unknown", lang) if lv[j] == MISSING else str(int(lv[j]))
    parts = [t("roadmap.network.caption", lang, id=element, name=names[element], level=level)]
    parts.append(t("roadmap.network.caption.left", lang,
                   items=", ".join(item(i, w) for i, w in left)) if left
                 else t("roadmap.network.caption.noleft", lang))
    parts.append(t("roadmap.network.caption.right", lang,
                   items=", ".join(item(k, w) for k, w in right)) if right
                 else t("roadmap.network.caption.noright", lang))
    return " ".join(parts)
