"""Every colour the dashboard draws with: one meaning per concept, in one place.

Each concept has one colour (or scale) across the product, so that "ready" is the same colour in
the Legislation bars, its heatmap, the Policy lobby table and the timeline, and a maturity level
is the same colour on the profile, the heatmap and the maps. The choices are colour-blind safe:
- maturity levels 0-4: ColorBrewer YlGnBu (sequential, light = low, dark = high; safe for the
  common colour-vision deficiencies and in greyscale);
- readiness statuses: the Okabe-Ito palette (bluish green / vermillion, distinguishable with
  protanopia, deuteranopia and tritanopia), with greys for what is neither ready nor not ready;
- shares "ready" run from the not-ready colour through white to the ready colour, so a darker
  green always means more ready, as in the bars.
A test (tests/unit/test_colours.py) fails when a dashboard module writes a colour of its own.
"""

from __future__ import annotations

# ------------------------------------------------------------------ neutral (text, grids, paper)

TEXT = "#212529"
TEXT_MUTED = "#4a5560"
TEXT_DARK = "#1b1b1b"
LABEL = "#384350"  # annotations and block labels inside a chart
LABEL_DARK = "#0b2e55"
PAPER = "#ffffff"
GRID = "#e9ecef"
GRID_STRONG = "#dde3ea"
BAND = "#f3f5f8"  # alternate row band behind a block of elements
EDGE = "#8a939c"  # network edges
OUTLINE = "#aab2bd"  # region borders drawn under points
RULE = "#000000"  # the selected row or column
RULE_MUTED = "#6c757d"  # block separators
TRANSPARENT = "rgba(0,0,0,0)"  # an invisible hover target

# ------------------------------------------------------------------ maturity levels 0-4

LEVELS = ("#ffffcc", "#a1dab4", "#41b6c4", "#2c7fb8", "#253494")  # YlGnBu, level 0..4
LEVEL_SCALE = [[i / 4, c] for i, c in enumerate(LEVELS)]  # continuous 0..4 (medians, means)
NO_ANSWER = "#d9d9d9"  # no answer / don't know / nobody answered here: grey, never level 0
HIDDEN = "#8f8f8f"  # suppressed (too few) or not public (no consent): a darker grey
OWN = "#08519c"  # the municipality itself against its peers (a strong blue of the level hue)
FOCUS = OWN  # the element in focus in a network
PEER_LINE = TEXT_MUTED  # peer median / quartile band lines
PEER_BAND = "rgba(120, 130, 145, 0.28)"  # peers' quartile band: neutral grey, see-through
MISSING_MARK = "#9aa3ad"  # the municipality's own unanswered element
ACCENT = LEVELS[3]  # a single-series bar or point about maturity (distributions, rankings)
ACCENT_DARK = LEVELS[4]
ACCENT_LIGHT = LEVELS[2]
SERIES = ("#6baed6", "#9e9ac8", "#74c476", "#fd8d3c", "#969696", "#e377c2", "#bcbd22", "#17becf")

# ------------------------------------------------------------------ readiness for a law

READY = "#1a7f5a"  # a dark bluish green (Okabe-Ito hue, darker: apart from grey for deuteranopes)
NOT_READY = "#d55e00"  # Okabe-Ito vermillion
UNKNOWN = "#a0a0a0"  # a required element without an answer: not a gap, not ready either
NOT_DUE = "#56b4e9"  # Okabe-Ito sky blue: the law applies, nothing is due yet
NOT_APPLICABLE = "#e4e4e4"  # the law asks nothing of the municipality
STATUS = {"ready": READY, "not_ready": NOT_READY, "unknown": UNKNOWN, "not_due": NOT_DUE,
          "not_applicable": NOT_APPLICABLE}
# 0 = nobody ready (the not-ready colour), 1 = everybody ready (the ready colour)
READY_SHARE_SCALE = [[0.0, NOT_READY], [0.5, "#f7f7f7"], [1.0, READY]]

# when a deadline falls: passed (dark: history), within 12 months (orange: attention), later
# (Okabe-Ito blue); deliberately not the ready / not-ready colours, which mean something else
TIMING = {"overdue": "#3d3d3d", "due_12m": "#e69f00", "later": "#0072b2"}

# ------------------------------------------------------------------ other measures

# how many municipalities lack an element (Policy bottlenecks): more = darker, a warning hue
LACKING_SCALE = [[0.0, "#fff7ec"], [0.25, "#fdd49e"], [0.5, "#fc8d59"], [0.75, "#d7301f"],
                 [1.0, "#7f0000"]]
# counts and response rates (coverage, survey progress): a plain blue, no maturity meaning
COUNT_SCALE = [[0.0, "#f1f5fa"], [0.25, "#c6dbef"], [0.5, "#6baed6"], [0.75, "#2171b5"],
               [1.0, "#08306b"]]
COUNT = "#1f5fa6"
COUNT_LIGHT = "#b7cfe8"
YES_NO = ("#dde3ea", "#2171b5")  # a binary map: no / yes (answered)
YES_NO_SCALE = [[0.0, YES_NO[0]], [0.5, YES_NO[0]], [0.5, YES_NO[1]], [1.0, YES_NO[1]]]
BINARY = [[0.0, "#fed976"], [0.5, "#fed976"], [0.5, "#225ea8"], [1.0, "#225ea8"]]  # below / at 3+

# ------------------------------------------------------------------ the printed council report

# greys only: a council report is printed and copied in black and white (dashboard/report/)
PRINT_INK = "#000000"  # text and the municipality's own line
PRINT_MEDIAN = "#555555"  # the peers' median (dashed) and the radar's ring numbers
PRINT_RING = "#bbbbbb"  # the radar's rings and spokes
PRINT_BAND = "#d9d9d9"  # the middle half of the peers
PRINT_BAR = "#cfcfcf"  # the middle half of the peers where only some blocks have it
