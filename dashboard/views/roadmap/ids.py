"""Component ids of the Roadmap page, shared by its layout and callbacks."""

from pipelines.maturity.roadmap import COMPONENTS

PICKER = "roadmap-municipality"
WAVE = "roadmap-wave"
WEIGHT = {c: f"roadmap-weight-{c}" for c in COMPONENTS}
TARGET = "roadmap-target"
RESET = "roadmap-reset"
DONE = "roadmap-done"
PLAN = "roadmap-plan"
STATUS = "roadmap-status"
STEPS = "roadmap-steps"
WHATIF = "roadmap-whatif"
PASSIVE = "roadmap-passive"
HELP = "roadmap-help"
FOCUS = "roadmap-focus"
NETWORK = "roadmap-network"
NETWORK_CAPTION = "roadmap-network-caption"
CSV_BUTTON = "roadmap-csv-button"
CSV = "roadmap-csv"
REPORT = "roadmap-report"
