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
REPORT = "roadmap-report"
CODEV = "roadmap-codev"
CODEV_STARTED = "roadmap-codev-started"  # dcc.Store: bumped after a start (refreshes the panel)
CODEV_JOINED = "roadmap-codev-joined"  # dcc.Store: bumped after a join
CODEV_JOIN_MSG = "roadmap-codev-join-msg"
CODEV_START_MSG = "roadmap-codev-start-msg"
START_ELEMENT = "roadmap-codev-element"
START_COMPONENT = "roadmap-codev-component"
START_DESCRIPTION = "roadmap-codev-description"
START_DATE = "roadmap-codev-date"
START_KIND = "roadmap-codev-kind"
START_BUTTON = "roadmap-codev-start"
