"""`GET /api/v1/aggregates` without a query: the published aggregates per build, in memory.

The answer is one (wave, area type) slice of the build's aggregates, optionally one country's
areas, for the asked measures, with small groups hidden again under the app's minimum group.
As a DuckDB query over the parquet file (dashboard/queries/api_aggregates.sql, still the
definition this module is tested against) it took 24-60 ms at EU scale, 7.6x faster than
pandas where the other hot paths are 30-500x. Here the file is read once per build into
arrays sorted by (wave, area type, area id, measure): a slice is a range, a country's areas a
sub-range found by binary search (NUTS ids start with the country code; a country x size-class
id is 'NL:20k-50k'), and the asked measures are picked and ordered in numpy.

Texts are fixed-width numpy strings in an anonymous shared mapping (as dashboard/detail_index.py
explains): gunicorn's master reads them once and the workers share the pages; no Python object
per row.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import numpy as np
import pandas as pd

from dashboard.detail_index import shared_array
from dashboard.lru import Lru
from dashboard.store import Snapshot

STATS = ("median", "q1", "q3", "mean", "share_ge3")
COLUMNS = ("area_type", "area_id", "country", "wave", "measure", "n", "suppressed", *STATS)
WITH_COUNTRY = ("country", "nuts2", "nuts3", "country_size")
_LAST = chr(0x10FFFF)  # after every text that starts with a prefix


@dataclass(frozen=True)
class AggregatesIndex:
    build_id: str
    slices: dict[tuple[str, str], tuple[int, int]]  # (wave, area type) -> rows [start, stop)
    area_id: np.ndarray  # U, sorted within each slice
    measure: np.ndarray  # U
    n: np.ndarray  # int64
    suppressed: np.ndarray  # bool
    stats: dict[str, np.ndarray]  # float64 each

    def rows(self, wave: str, area_type: str, measures: list[str], country: str | None
             ) -> np.ndarray:
        """Row numbers of the answer, in its order: by area id, then as `measures` lists them."""
        start, stop = self.slices.get((wave, area_type), (0, 0))
        if country is not None and start < stop:
            ids = self.area_id[start:stop]
            if area_type == "country":
                lo, hi = (np.searchsorted(ids, country, side) for side in ("left", "right"))
            else:
                prefix = f"{country}:" if area_type == "country_size" else country
                lo = np.searchsorted(ids, prefix, "left")
                hi = np.searchsorted(ids, prefix + _LAST, "left")
            start, stop = start + int(lo), start + int(hi)
        rows = np.arange(start, stop)
        order = {m: i for i, m in reversed(list(enumerate(measures)))}  # first position wins
        wanted = np.array(list(order), dtype=self.measure.dtype)
        keep = np.isin(self.measure[start:stop], wanted)
        rows = rows[keep]
        if not len(rows):
            return rows
        pos = pd.Index(wanted).get_indexer(self.measure[rows])
        ids = self.area_id[rows]
        area = np.concatenate([[0], np.cumsum(ids[1:] != ids[:-1])])
        return rows[np.lexsort((np.array([order[m] for m in wanted])[pos], area))]

    def frame(self, wave: str, area_type: str, measures: list[str], country: str | None,
              min_group: int) -> pd.DataFrame:
        """What api_aggregates.sql answers, as the same DataFrame."""
        rows = self.rows(wave, area_type, measures, country)
        ids = self.area_id[rows].tolist()
        hide = self.suppressed[rows] | (self.n[rows] < min_group)
        data = {"area_type": [area_type] * len(rows), "area_id": ids,
                "country": [i[:2] for i in ids] if area_type in WITH_COUNTRY else [None] * len(rows),
                "wave": [wave] * len(rows), "measure": self.measure[rows].tolist(),
                "n": self.n[rows], "suppressed": hide}
        for s in STATS:
            data[s] = np.where(hide, np.nan, self.stats[s][rows])
        df = pd.DataFrame(data, columns=list(COLUMNS))
        # as DuckDB hands them over: texts as str, a column of NULLs only (or no rows) as objects
        texts = ("area_type", "area_id", "wave", "measure")
        if not len(df):
            return df.astype({c: object for c in (*texts, "country")})
        for col in (*texts, "country") if area_type in WITH_COUNTRY else texts:
            df[col] = df[col].astype("str")
        return df


def read(snap: Snapshot) -> AggregatesIndex:
    """The build's aggregates as published (the disclosure pattern applied), sorted."""
    df = snap.query("aggregates_published")
    waves, types = df["wave"].to_numpy(str), df["area_type"].to_numpy(str)
    slices: dict[tuple[str, str], tuple[int, int]] = {}
    if len(df):
        change = np.flatnonzero((waves[1:] != waves[:-1]) | (types[1:] != types[:-1])) + 1
        bounds = [0, *change.tolist(), len(df)]
        for a, b in itertools.pairwise(bounds):
            slices[(str(waves[a]), str(types[a]))] = (a, b)
    return AggregatesIndex(
        snap.build_id, slices, shared_array(df["area_id"].to_numpy(str)),
        shared_array(df["measure"].to_numpy(str)), shared_array(df["n"].to_numpy(np.int64)),
        shared_array(df["suppressed"].to_numpy(bool)),
        {s: shared_array(df[s].to_numpy(np.float64, na_value=np.nan)) for s in STATS})


_INDEXES = Lru(2)  # one build serves at a time; a second while it changes


def aggregates_index(snap: Snapshot) -> AggregatesIndex:
    """This build's index, made on first use (in gunicorn's master: the warm-up). Keyed by the
    build, its visibility and minimum group: the disclosure pattern depends on all three."""
    return _INDEXES.get((snap.build_id, snap.visibility, int(snap.min_group)),
                        lambda: read(snap))
