"""The page registry: the router is built from PAGES, the navigation from SECTIONS.

The navigation follows the toolkit's four parts (seed: Kennis, Inzicht, Handelingsperspectief,
EU-wetgeving) plus the survey: the navbar names the parts, and a part with several pages shows
them as a second row under it.
"""

from __future__ import annotations

from dataclasses import dataclass
from types import ModuleType

from dashboard.views.heatmap import page as heatmap
from dashboard.views.knowledge import page as knowledge
from dashboard.views.legislation import page as legislation
from dashboard.views.maps import page as maps
from dashboard.views.overview import page as overview
from dashboard.views.policy import page as policy
from dashboard.views.profile import page as profile
from dashboard.views.roadmap import page as roadmap
from dashboard.views.survey import page as survey
from dashboard.views.survey_progress import page as survey_progress

PAGES = [overview, profile, heatmap, maps, roadmap, policy, legislation, knowledge, survey,
         survey_progress]
HOME = overview  # what "/" shows


@dataclass(frozen=True)
class Section:
    key: str  # i18n: section.<key>
    pages: tuple[ModuleType, ...]  # the first is where the navbar's link goes

    @property
    def label_key(self) -> str:
        return f"section.{self.key}"

    def shown(self) -> tuple[ModuleType, ...]:
        """Pages in the section's own row (a coordinator's progress page is reached by link)."""
        return tuple(p for p in self.pages if getattr(p, "IN_NAV", True))


SECTIONS = (
    Section("knowledge", (knowledge,)),
    Section("insight", (overview, profile, heatmap, maps)),
    Section("roadmap", (roadmap, policy)),
    Section("legislation", (legislation,)),
    Section("survey", (survey, survey_progress)),
)


def section_for(page) -> Section | None:
    return next((s for s in SECTIONS if page in s.pages), None)


def page_for(pathname: str | None):
    path = (pathname or "/").rstrip("/") or "/"
    if path == "/":
        return HOME
    return next((p for p in PAGES if path == p.PATH), None)
