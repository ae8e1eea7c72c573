"""Country and region names for the screen, in the page's language (one source for every view).

Read once per reference directory from `data/reference/countries.csv` and `nuts_regions.csv`;
an unknown code is shown as itself, so a missing name never hides a row.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

import pandas as pd

from dashboard.context import AppContext


@cache
def country_names(reference_dir: Path) -> dict[str, dict[str, str]]:
    """{"nl": {code: name}, "en": {code: name}}; empty when the file is missing."""
    try:
        df = pd.read_csv(reference_dir / "countries.csv", dtype=str, keep_default_na=False)
    except FileNotFoundError:
        return {"nl": {}, "en": {}}
    return {"nl": dict(zip(df["code"], df["name_nl"], strict=True)),
            "en": dict(zip(df["code"], df["name_en"], strict=True))}


@cache
def nuts_names(reference_dir: Path) -> dict[str, str]:
    """{NUTS id: name in its own language (NAME_LATN)}; empty when the file is missing."""
    try:
        df = pd.read_csv(reference_dir / "nuts_regions.csv", dtype=str, keep_default_na=False)
    except FileNotFoundError:
        return {}
    return dict(zip(df["nuts_id"], df["name"], strict=True))


def country_name(ctx: AppContext, code: str, lang: str) -> str:
    """"Nederland" / "Netherlands" for NL; the code itself when unknown."""
    return country_names(ctx.settings.reference_dir)["en" if lang == "en" else "nl"].get(code, code)


def region_name(ctx: AppContext, nuts_id: str) -> str:
    return nuts_names(ctx.settings.reference_dir).get(nuts_id, nuts_id)
