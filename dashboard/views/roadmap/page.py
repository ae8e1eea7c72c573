"""Roadmap (Handelingsperspectief): what should this municipality build next, and why?

For a municipality's own team (CIO, information manager, security officer) planning its next
steps, and for advisers and peers helping it.

The sequenced roadmap of the engine (pipelines/maturity/roadmap.py) for one municipality and
wave: phases of recommended elements, each with its explanation in words, its four score
components and its Kickstart references (implementation steps and instruments). Sliders set the
component weights and the target level; what-if marks elements as done and says what that
unlocks; passive use checks an existing strategy (check_plan); a small network shows a
recommended element between its enablers and dependants; "who can help" names the most similar
consenting municipalities that already have each first-phase element, and those that have it as
their own next step (pipelines/maturity/kickstart.py).

Consent: the roadmap is derived from the municipality's own levels, so it is shown only where
`ctx.visible` allows; other municipalities are named only where they consented (or the
deployment is open). Every control starts from the URL and is written back to it.

Speed: one roadmap is about 1.3 ms at EU scale; the per-build work (group counts for peer proof,
every municipality's first phase for "who can help", block scores for similarity) is cached in
data.py (shared with the roadmap API) and warmed before the first request (dashboard/warmup.py).

The view's modules: data.py (the engine's inputs per build), state.py (URL and controls),
analysis.py (the roadmap and what derives from it), panels.py (result components), figures.py
(the network), export.py (the table download), layout.py, callbacks.py (register), ids.py.
"""

from dashboard.views.roadmap.callbacks import register
from dashboard.views.roadmap.layout import layout

PATH = "/roadmap"
NAV_KEY = "roadmap.nav"

__all__ = ["NAV_KEY", "PATH", "layout", "register"]
