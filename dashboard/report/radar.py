"""The report's radar as SVG: block scores against the peers' quartile band and median.

Vector, so the PDF stays sharp and the HTML needs no script; drawn for greyscale print: the
municipality a solid black line with dots, the peers' median a dashed dark-grey line, the
middle half of the peers (first to third quartile) a light-grey band. A block without a score
(under half its elements known) gets no dot and breaks the line; a block whose peer statistics
are withheld gets no band or median there.
"""

from __future__ import annotations

import math
from html import escape

import numpy as np

from dashboard.components.colours import PRINT_BAND as BAND
from dashboard.components.colours import PRINT_BAR as BAR
from dashboard.components.colours import PRINT_INK as INK
from dashboard.components.colours import PRINT_MEDIAN as MEDIAN
from dashboard.components.colours import PRINT_RING as RING
from dashboard.components.numbers import fmt_num
from dashboard.i18n import t

WIDTH, HEIGHT = 380, 300  # viewBox units; the page scales it
CX, CY = WIDTH / 2, 140
RADIUS = 84
MAX_LEVEL = 4


def _point(k: int, n: int, value: float) -> tuple[float, float]:
    angle = -math.pi / 2 + 2 * math.pi * k / n  # first block at the top, clockwise
    r = RADIUS * value / MAX_LEVEL
    return CX + r * math.cos(angle), CY + r * math.sin(angle)


def _xy(p: tuple[float, float]) -> str:
    return f"{p[0]:.1f},{p[1]:.1f}"


def _runs(values: np.ndarray) -> list[list[int]]:
    """Closed ring of axis indices split where a value is missing (a full ring: one run that
    returns to its start)."""
    n = len(values)
    known = ~np.isnan(values)
    if known.all():
        return [[*range(n), 0]]
    if not known.any():
        return []
    start = int(np.flatnonzero(~known)[0])
    runs, run = [], []
    for j in range(1, n + 1):
        k = (start + j) % n
        if known[k]:
            run.append(k)
        elif run:
            runs.append(run)
            run = []
    if run:
        runs.append(run)
    return runs


def _label(k: int, n: int, name: str) -> str:
    angle = -math.pi / 2 + 2 * math.pi * k / n
    x = CX + (RADIUS + 10) * math.cos(angle)
    y = CY + (RADIUS + 10) * math.sin(angle)
    anchor = "middle" if abs(math.cos(angle)) < 0.3 else ("start" if math.cos(angle) > 0
                                                           else "end")
    words = name.split(" ")
    lines, line = [], ""
    for word in words:  # about 14 characters a line
        if line and len(line) + 1 + len(word) > 14:
            lines.append(line)
            line = word
        else:
            line = f"{line} {word}".strip()
    lines.append(line)
    dy0 = -(len(lines) - 1) * 12 if math.sin(angle) < -0.3 else (
        0 if math.sin(angle) > 0.3 else -(len(lines) - 1) * 6)
    spans = "".join(f'<tspan x="{x:.1f}" dy="{dy0 if i == 0 else 12:.1f}">{escape(s)}</tspan>'
                    for i, s in enumerate(lines))
    return (f'<text x="{x:.1f}" y="{y + 3:.1f}" text-anchor="{anchor}" font-size="11" '
            f'fill="{INK}">{spans}</text>')


def svg(names: list[str], prof, lang: str) -> str:
    """The radar of `prof` (a block Profile) with the axes named `names`."""
    n = len(names)
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" '
             f'width="{WIDTH}" height="{HEIGHT}" font-family="Libertinus Serif, Georgia, serif">']
    for level in range(1, MAX_LEVEL + 1):  # rings and their values
        ring = " ".join(_xy(_point(k, n, level)) for k in range(n))
        parts.append(f'<polygon points="{ring}" fill="none" stroke="{RING}" stroke-width="0.6"/>')
        x, y = _point(0, n, level)
        parts.append(f'<text x="{x + 2:.1f}" y="{y + 8:.1f}" font-size="7" fill="{MEDIAN}">'
                     f'{level}</text>')
    for k in range(n):
        x, y = _point(k, n, MAX_LEVEL)
        parts.append(f'<line x1="{CX}" y1="{CY}" x2="{x:.1f}" y2="{y:.1f}" '
                     f'stroke="{RING}" stroke-width="0.6"/>')
    shown = ~np.asarray(prof.suppressed, dtype=bool) & ~np.isnan(prof.q1)
    if shown.all():  # the band as one ring: q3 outward, q1 back
        outer = [_point(k, n, prof.q3[k]) for k in range(n)]
        inner = [_point(k, n, prof.q1[k]) for k in range(n)]
        path = ("M" + " L".join(_xy(p) for p in outer) + " Z M"
                + " L".join(_xy(p) for p in reversed(inner)) + " Z")
        parts.append(f'<path d="{path}" fill="{BAND}" fill-rule="evenodd" stroke="none"/>')
    else:  # a radial bar per block where shown
        for k in np.flatnonzero(shown):
            a, b = _point(int(k), n, prof.q1[k]), _point(int(k), n, prof.q3[k])
            parts.append(f'<line x1="{a[0]:.1f}" y1="{a[1]:.1f}" x2="{b[0]:.1f}" y2="{b[1]:.1f}" '
                         f'stroke="{BAR}" stroke-width="7"/>')
    median = np.where(shown, prof.median, np.nan)
    for run in _runs(median):
        pts = " ".join(_xy(_point(k, n, median[k])) for k in run)
        parts.append(f'<polyline points="{pts}" fill="none" stroke="{MEDIAN}" stroke-width="1.2" '
                     f'stroke-dasharray="4 2.5"/>')
    own = np.asarray(prof.own, dtype=float)
    for run in _runs(own):
        pts = " ".join(_xy(_point(k, n, own[k])) for k in run)
        parts.append(f'<polyline points="{pts}" fill="none" stroke="{INK}" stroke-width="1.8"/>')
    for k in np.flatnonzero(~np.isnan(own)):
        x, y = _point(int(k), n, own[k])
        parts.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="2.4" fill="{INK}"/>')
    parts.extend(_label(k, n, name) for k, name in enumerate(names))
    parts.append(_legend(lang))
    parts.append("</svg>")
    return "".join(parts)


def _legend(lang: str) -> str:
    y = HEIGHT - 6
    return (f'<g font-size="10" fill="{INK}">'
            f'<line x1="40" y1="{y - 3}" x2="56" y2="{y - 3}" stroke="{INK}" stroke-width="1.8"/>'
            f'<text x="59" y="{y}">{escape(t("report.radar.own", lang))}</text>'
            f'<line x1="136" y1="{y - 3}" x2="152" y2="{y - 3}" stroke="{MEDIAN}" '
            f'stroke-width="1.2" stroke-dasharray="4 2.5"/>'
            f'<text x="155" y="{y}">{escape(t("report.radar.median", lang))}</text>'
            f'<rect x="232" y="{y - 7}" width="14" height="8" fill="{BAND}"/>'
            f'<text x="249" y="{y}">{escape(t("report.radar.band", lang))}</text></g>')


def alt_text(names: list[str], prof, municipality: str, lang: str) -> str:
    """The radar in words (the image's alternative text)."""
    parts = []
    for k, name in enumerate(names):
        own = fmt_num(prof.own[k], lang, 1)
        if prof.suppressed[k] or np.isnan(prof.median[k]):
            parts.append(f"{name} {own}")
        else:
            parts.append(t("report.radar.alt_block", lang, block=name, own=own,
                           median=fmt_num(prof.median[k], lang, 1)))
    return t("report.radar.alt", lang, name=municipality) + " " + "; ".join(parts) + "."
