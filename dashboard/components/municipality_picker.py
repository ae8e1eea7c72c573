"""The municipality picker shared by the profile, roadmap and legislation pages: a type-ahead
dropdown over all ~98,600 municipalities whose options are only the best matches of what is
typed (never the whole list), plus the selected ones so the dropdown keeps showing them."""

from __future__ import annotations

import threading

import dash_bootstrap_components as dbc
from dash import dcc, html

from dashboard.context import AppContext
from dashboard.i18n import t
from pipelines.municipality_search import MunicipalityIndex

SEARCH_LIMIT = 20

_LOCK = threading.Lock()
_INDEX: dict[str, MunicipalityIndex] = {}


def search_index(ctx: AppContext) -> MunicipalityIndex:
    """Folded names and codes of all municipalities, built once per reference folder (~1 s)."""
    key = str(ctx.settings.reference_dir)
    index = _INDEX.get(key)
    if index is None:
        with _LOCK:
            index = _INDEX.get(key)
            if index is None:
                index = _INDEX[key] = MunicipalityIndex.from_frame(ctx.municipalities)
    return index


def search_options(ctx: AppContext, search: str | None, value) -> list[dict]:
    """The picker's options for what is typed, the selected municipalities first."""
    index = search_index(ctx)
    selected = [value] if isinstance(value, str) else list(value or [])
    keep = [r for r in (index.row_of(v) for v in selected) if r is not None]
    hits = [int(r) for r in index.search(search, SEARCH_LIMIT) if int(r) not in keep]
    return index.options(keep + hits)


def dropdown_labels(lang: str) -> dict:
    """The dropdown's own texts (Dash's defaults are English only)."""
    return {"search": t("profile.picker.search", lang),
            "no_options_found": t("profile.picker.none", lang),
            "selected_count": t("profile.picker.selected", lang),
            "select_all": t("profile.picker.select_all", lang),
            "deselect_all": t("profile.picker.deselect_all", lang),
            "clear_search": t("profile.picker.clear_search", lang),
            "clear_selection": t("profile.picker.clear", lang)}


def picker(picker_id: str, label: str, value: str | None, picked: list[int], index: MunicipalityIndex,
           lang: str, *, placeholder: str | None = None, clearable: bool = False,
           help_text: bool = True) -> list:
    """Label, dropdown and (optionally) the typing hint, for a dbc.Col."""
    return [
        dbc.Label(label, html_for=picker_id),
        dcc.Dropdown(id=picker_id, options=index.options(picked), value=value,
                     placeholder=placeholder or t("profile.picker.placeholder", lang),
                     search_order="original", clearable=clearable, maxHeight=320,
                     labels=dropdown_labels(lang)),
        html.Div(t("profile.picker.help", lang), className="form-text") if help_text else None,
    ]
