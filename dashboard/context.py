"""What every page and API route reads: settings plus the loaded framework. Built once per app."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

from dashboard.config import Settings
from dashboard.search import SearchIndex
from dashboard.store import Warehouse
from pipelines.framework import Framework, load_framework


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
        return Warehouse(self.settings.data_dir, self.settings.reference_dir)
