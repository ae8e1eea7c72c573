"""Overview: what the published data cover, read from the coverage marts. Pure: no Dash."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from dashboard.lru import Lru
from dashboard.store import Snapshot

MAP_VIEWS = ("eu", "nl")  # Europe by NUTS 2 region, the Dutch municipalities

# The coverage marts' answers per build: a few hundred rows each, asked for by every visit of
# the page (~10 ms of DuckDB per query on the EU build).
_QUERIES = Lru(64)


def _query(snap: Snapshot, name: str, **params) -> pd.DataFrame:
    """snap.query, once per build and parameters; a copy, so a caller may change its frame."""
    key = (snap.build_id, snap.visibility, snap.min_group, str(snap.path), name,
           tuple(sorted(params.items())))
    return _QUERIES.get(key, lambda: snap.query(name, **params)).copy()


def pick_wave(snap: Snapshot, wave: str | None) -> str:
    """The wave asked for when it is published, else the latest."""
    return wave if wave in snap.waves else snap.waves[-1]


def countries(snap: Snapshot, wave: str) -> pd.DataFrame:
    """Per country: municipalities, how many answered (and their share), respondents;
    the countries with most answers first."""
    return _query(snap, "coverage_by_country", wave=wave)


def default_map_view(snap: Snapshot, wave: str) -> str:
    """The Dutch municipal map when only Dutch municipalities answered, else Europe by NUTS 2."""
    df = countries(snap, wave)
    return "nl" if set(df.loc[df["responded"] > 0, "country"]) == {"NL"} else "eu"


def municipalities(snap: Snapshot, wave: str) -> pd.DataFrame:
    """Every Dutch municipality: answered in the wave or not, and by how many respondents."""
    return _query(snap, "coverage_municipalities", wave=wave, country="NL")


def regions(snap: Snapshot, wave: str) -> pd.DataFrame:
    """Per NUTS 2 region: municipalities, how many answered and their share."""
    return _query(snap, "coverage_nuts2", wave=wave)


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
    row = _query(snap, "coverage_totals").set_index("wave").loc[wave]
    answered = int((countries(snap, wave)["responded"] > 0).sum())
    m = snap.manifest
    return Headline(wave, int(row.responded), answered, int(row.respondents), int(row.consenting),
                    tuple(snap.waves), m["framework"]["version"], m["built_at"][:10])
