"""Overview: what the published data cover, read from the coverage marts. Pure: no Dash."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from dashboard.store import Snapshot

MAP_VIEWS = ("eu", "nl")  # Europe by NUTS 2 region, the Dutch municipalities


def pick_wave(snap: Snapshot, wave: str | None) -> str:
    """The wave asked for when it is published, else the latest."""
    return wave if wave in snap.waves else snap.waves[-1]


def countries(snap: Snapshot, wave: str) -> pd.DataFrame:
    """Per country: municipalities, how many answered (and their share), respondents;
    the countries with most answers first."""
    return snap.query("coverage_by_country", wave=wave)


def default_map_view(snap: Snapshot, wave: str) -> str:
    """The Dutch municipal map when only Dutch municipalities answered, else Europe by NUTS 2."""
    df = countries(snap, wave)
    return "nl" if set(df.loc[df["responded"] > 0, "country"]) == {"NL"} else "eu"


def municipalities(snap: Snapshot, wave: str) -> pd.DataFrame:
    """Every Dutch municipality: answered in the wave or not, and by how many respondents."""
    return snap.query("coverage_municipalities", wave=wave, country="NL")


def regions(snap: Snapshot, wave: str) -> pd.DataFrame:
    """Per NUTS 2 region: municipalities, how many answered and their share."""
    return snap.query("coverage_nuts2", wave=wave)


@dataclass(frozen=True)
class Headline:
    """The numbers on the page's four cards."""

    wave: str
    responded: int  # municipalities with answers in the wave
    countries: int  # countries with answers in the wave
    respondents: int
    consenting: int  # respondents whose municipality may be shown by name
    waves: tuple[str, ...]
    framework: str  # framework version of the build
    built: str  # build date, YYYY-MM-DD


def headline(snap: Snapshot, wave: str) -> Headline:
    row = snap.query("coverage_totals").set_index("wave").loc[wave]
    answered = int((countries(snap, wave)["responded"] > 0).sum())
    m = snap.manifest
    return Headline(wave, int(row.responded), answered, int(row.respondents), int(row.consenting),
                    tuple(snap.waves), m["framework"]["version"], m["built_at"][:10])
