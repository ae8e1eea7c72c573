"""Build step: which areas' statistics may be published, per wave (pipelines/disclosure.py).

Stored with the build as disclosure.parquet: wave, area_type, area_id, n (municipalities that
answered the wave), hidden (of them, those that did not consent), publish_consent (the pattern
when only consenting municipalities' results are public, DS4E_VISIBILITY=consent) and
publish_open (every result public: only the minimum group size). Computed for the build's
min_group; an app with another DS4E_MIN_GROUP recomputes it (dashboard/disclosure.py).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from pipelines.disclosure import Hierarchy, hierarchy, pattern

DISCLOSURE_FILE = "disclosure.parquet"


def patterns(h: Hierarchy, cube: np.ndarray, waves: list[str], consent: np.ndarray,
             min_group: int) -> pd.DataFrame:
    """The long pattern table for every wave of `cube` int8[wave, municipality, element]."""
    frames = []
    for w, wave in enumerate(waves):
        answered = (cube[w] != -1).any(axis=1)
        hidden = answered & ~np.asarray(consent, dtype=bool)
        strict = pattern(h, answered, hidden, min_group)
        open_ = pattern(h, answered, np.zeros_like(hidden), min_group)
        frames.append(strict.rename(columns={"publish": "publish_consent"}).assign(
            wave=wave, publish_open=open_["publish"].to_numpy()))
    cols = ["wave", "area_type", "area_id", "n", "hidden", "publish_consent", "publish_open"]
    return pd.concat(frames, ignore_index=True)[cols] if frames else pd.DataFrame(columns=cols)


def write_disclosure(con, out: Path, waves: list[str], min_group: int) -> dict:
    """Write disclosure.parquet into the build folder `out` (which holds the cube already)."""
    cube = np.load(out / "levels_cube.npy", mmap_mode="r")
    ref = con.sql("SELECT r.municipality_id, r.country, r.nuts2, r.nuts3, r.size_class, "
                  "coalesce(c.publish_consent, false) AS consent FROM reference r LEFT JOIN "
                  "(SELECT municipality_id, bool_or(publish_consent) AS publish_consent "
                  "FROM coverage GROUP BY ALL) c USING (municipality_id) "
                  "ORDER BY r.municipality_id").to_arrow_table().to_pandas()
    h = hierarchy(ref["country"], ref["nuts2"], ref["nuts3"], ref["size_class"])
    df = patterns(h, np.asarray(cube), waves, ref["consent"].to_numpy(dtype=bool), min_group)
    pq.write_table(pa.Table.from_pandas(df, preserve_index=False), out / DISCLOSURE_FILE)
    shown = df[df["n"] > 0]
    return {"areas": len(shown),
            "published_consent": int(shown["publish_consent"].sum()),
            "published_open": int(shown["publish_open"].sum())}
