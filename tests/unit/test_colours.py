"""One colour meaning per concept: every chart takes its colours from
dashboard/components/colours.py, and those colours stay apart for colour-blind readers."""

from __future__ import annotations

import itertools
import re
from pathlib import Path

import numpy as np
import pytest

from dashboard.components import colours

ROOT = Path(__file__).resolve().parents[2]
HEX = re.compile(r"""["']#[0-9a-fA-F]{3,8}["']""")
RGB = re.compile(r"""["']rgba?\(""")
# plotly's named scales: several run dark -> light (the Legislation heatmap once showed 0 % ready
# in dark green with "Greens"), so a chart names its scale from the colour module instead
NAMED_SCALE = re.compile(r"""colorscale["']?\s*[:=]\s*["'][A-Za-z]+["']""")


def _modules():
    return sorted(p for p in (ROOT / "dashboard").rglob("*.py")
                  if p.name != "colours.py")


@pytest.mark.parametrize("path", _modules(), ids=lambda p: str(p.relative_to(ROOT)))
def test_no_module_draws_with_colours_of_its_own(path):
    text = path.read_text(encoding="utf-8")
    found = HEX.findall(text) + RGB.findall(text) + NAMED_SCALE.findall(text)
    assert not found, f"{path.relative_to(ROOT)}: colours {found}; use dashboard/components/colours.py"


def test_the_css_levels_are_the_charts_levels():
    css = (ROOT / "assets" / "10-ds4e.css").read_text(encoding="utf-8")
    got = [re.search(rf"--ds4e-lvl-{i}:\s*(#[0-9a-fA-F]{{6}})", css).group(1).lower()
           for i in range(5)]
    assert got == [c.lower() for c in colours.LEVELS]
    status = {k: re.search(rf"--ds4e-{k}:\s*(#[0-9a-fA-F]{{6}})", css).group(1).lower()
              for k in colours.STATUS}
    assert status == {k: v.lower() for k, v in colours.STATUS.items()}
    heat_css = (ROOT / "assets" / "20-heatmap.css").read_text(encoding="utf-8")
    gradient = re.search(r"\.hm-gradient \{[^}]*linear-gradient\(to right, ([^)]*)\)", heat_css)
    assert [c.strip().lower() for c in gradient.group(1).split(",")] == list(colours.LEVELS)


# ------------------------------------------------------------------ colour science


def _lin(hex_colour: str) -> np.ndarray:
    rgb = np.array([int(hex_colour[i:i + 2], 16) for i in (1, 3, 5)]) / 255
    return np.where(rgb <= 0.04045, rgb / 12.92, ((rgb + 0.055) / 1.055) ** 2.4)


def _lab(lin: np.ndarray) -> np.ndarray:
    xyz = np.array([[0.4124, 0.3576, 0.1805], [0.2126, 0.7152, 0.0722],
                    [0.0193, 0.1192, 0.9505]]) @ np.clip(lin, 0, 1)
    xyz = xyz / np.array([0.95047, 1.0, 1.08883])
    f = np.where(xyz > (6 / 29) ** 3, np.cbrt(xyz), xyz / (3 * (6 / 29) ** 2) + 4 / 29)
    return np.array([116 * f[1] - 16, 500 * (f[0] - f[1]), 200 * (f[1] - f[2])])


# Machado, Oliveira & Fernandes (2009), severity 1.0, on linear RGB
VISION = {
    "normal": np.eye(3),
    "protanopia": np.array([[0.152286, 1.052583, -0.204868], [0.114503, 0.786281, 0.099216],
                            [-0.003882, -0.048116, 1.051998]]),
    "deuteranopia": np.array([[0.367322, 0.860646, -0.227968], [0.280085, 0.672501, 0.047413],
                              [-0.011820, 0.042940, 0.968881]]),
    "tritanopia": np.array([[1.255528, -0.076749, -0.178779], [-0.078411, 0.930809, 0.147602],
                            [0.004733, 0.691367, 0.303900]]),
}


def _seen(hex_colour: str, vision: str) -> np.ndarray:
    return _lab(VISION[vision] @ _lin(hex_colour))


@pytest.mark.parametrize("vision", list(VISION))
def test_readiness_statuses_stay_apart_for_colour_blind_readers(vision):
    for (a, ca), (b, cb) in itertools.combinations(colours.STATUS.items(), 2):
        delta = float(np.linalg.norm(_seen(ca, vision) - _seen(cb, vision)))
        assert delta >= 15, f"{a} and {b} look alike with {vision} (ΔE {delta:.1f})"


@pytest.mark.parametrize("vision", list(VISION))
def test_levels_run_light_to_dark_for_every_reader(vision):
    lightness = [_seen(c, vision)[0] for c in colours.LEVELS]
    assert all(a - b >= 8 for a, b in itertools.pairwise(lightness)), lightness
    # "no answer" is a grey, not a level: no hue, and not the colour of level 0
    no = _seen(colours.NO_ANSWER, "normal")
    assert abs(no[1]) < 2 and abs(no[2]) < 2
    assert np.linalg.norm(no - _seen(colours.LEVELS[0], "normal")) > 10


def test_ready_share_runs_from_not_ready_to_ready():
    assert colours.READY_SHARE_SCALE[0] == [0.0, colours.NOT_READY]
    assert colours.READY_SHARE_SCALE[-1] == [1.0, colours.READY]
    assert colours.LEVEL_SCALE[0][1] == colours.LEVELS[0]
    assert colours.LEVEL_SCALE[-1] == [1.0, colours.LEVELS[4]]


def test_every_chart_that_shows_levels_uses_the_level_colours():
    from dashboard.components import maps
    from dashboard.views.heatmap import figures as heatmap_figures
    from dashboard.views.roadmap import figures as roadmap_figures

    assert heatmap_figures.LEVEL_COLOURS == colours.LEVELS
    assert [c for _, c in heatmap_figures.CONTINUOUS_SCALE] == list(colours.LEVELS)
    assert {c for _, c in heatmap_figures.DISCRETE_SCALE} == {*colours.LEVELS, colours.NO_ANSWER}
    assert maps.MATURITY == colours.LEVEL_SCALE
    assert roadmap_figures.palette is colours
