"""Knowledge (Kennis): the framework to browse, for anyone who wants to know what an element
means: blocks -> elements -> levels, steps, instruments, matrix links and the laws that require
it (with member-state dates). Search and filter are in callbacks.py, the tree in layout.py."""

from __future__ import annotations

from dashboard.views.knowledge.callbacks import register
from dashboard.views.knowledge.layout import layout

PATH = "/knowledge"
NAV_KEY = "knowledge.nav"

__all__ = ["NAV_KEY", "PATH", "layout", "register"]
