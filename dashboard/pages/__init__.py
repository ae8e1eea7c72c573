"""The page registry: the navbar and the router are built from PAGES, in this order."""

from __future__ import annotations

from dashboard.pages import (
    heatmap,
    knowledge,
    legislation,
    maps,
    overview,
    policy,
    profile,
    roadmap,
    survey,
    survey_progress,
)

PAGES = [overview, profile, heatmap, maps, roadmap, policy, legislation, knowledge, survey,
         survey_progress]
HOME = overview  # what "/" shows


def page_for(pathname: str | None):
    path = (pathname or "/").rstrip("/") or "/"
    if path == "/":
        return HOME
    return next((p for p in PAGES if path == p.PATH), None)
