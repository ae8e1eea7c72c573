"""What every page and API route reads: settings plus the loaded framework. Built once per app."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import pandas as pd

from dashboard.access import viewer_municipality
from dashboard.config import Settings
from dashboard.search import SearchIndex
from dashboard.store import Snapshot, Warehouse
from pipelines.framework import Framework, load_framework
from pipelines.maturity.peers import Attributes
from pipelines.reference import MUNICIPALITIES_FILE, load_municipalities
from pipelines.survey.initiatives import InitiativeStore
from pipelines.survey.waves import SurveyStore


@dataclass(frozen=True)
class AppContext:
    settings: Settings
    framework: Framework

    @classmethod
    def load(cls, settings: Settings) -> AppContext:
        return cls(settings=settings, framework=load_framework(settings.framework_dir))

    @cached_property
    def search_index(self) -> SearchIndex:
        return SearchIndex(self.framework)

    @cached_property
    def warehouse(self) -> Warehouse:
        return Warehouse(self.settings.data_dir, self.settings.reference_dir,
                         self.settings.visibility, self.settings.min_group)

    @cached_property
    def survey(self) -> SurveyStore:
        return SurveyStore(self.settings.state_dir)

    @cached_property
    def initiatives(self) -> InitiativeStore:
        """Co-development initiatives in the survey store (dashboard/codev.py shows them)."""
        return InitiativeStore(self.survey, self.framework.element_ids)

    @cached_property
    def municipalities(self) -> pd.DataFrame:
        """The reference table, sorted by municipality_id: the same order as the level cube."""
        return load_municipalities(self.settings.reference_dir / MUNICIPALITIES_FILE)

    @cached_property
    def attributes(self) -> Attributes:
        m = self.municipalities
        return Attributes.from_columns(m["country"], m["nuts2"], m["size_class"])

    def visible(self, snap: Snapshot, index: int, viewer: str | None = None) -> bool:
        """May this municipality's individual results be shown by name? Yes under open
        visibility, when it consented, or to the holder of its own survey link (`viewer`, by
        default read from this request's survey cookie)."""
        if self.settings.visibility == "open" or bool(snap.consent[index]):
            return True
        viewer = viewer if viewer is not None else viewer_municipality(self.survey)
        return viewer is not None and viewer == snap.maturity.municipality_ids[index]
