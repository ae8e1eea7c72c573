"""Build step: legal readiness of every municipality for every law, stored with the build.

Computed for the latest wave at the build's evaluation date (the latest submission of that wave,
fixed by the inputs, so rebuilds stay byte-identical), with the framework's member-state flags
and condition defaults, counting every requirement against its own deadline (the Legislation
tab's and the API's default; `horizon` in the file says so). Status codes are the engine's
STATUS_NAMES (stored as `status_names`): a law that does not apply, or asks nothing yet, is
neither ready nor not ready. The Legislation tab recomputes on demand for other dates, horizons and
overrides (about 35 ms for all EU municipalities); this stored run is the published baseline
that exports and other tools can read without running the engine.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np

from pipelines.maturity.readiness import (
    ALL_DEADLINES,
    STATUS_NAMES,
    population_readiness,
    readiness_inputs,
    resolve_population,
)
from pipelines.roadmap_build import evaluation_date, write_npz

READINESS_FILE = "readiness.npz"
STORED = ("status", "n_required", "n_gap", "n_unknown", "gap_total", "ambition_status")


def write_readiness(con, out: Path, fw, waves: list[str], *, at: dt.date | None = None) -> dict:
    """Write readiness.npz (status int8[M, L] etc., law ids, date) into the build folder `out`."""
    wave = waves[-1]
    at = at or evaluation_date(con, wave)
    cube = np.load(out / "levels_cube.npy", mmap_mode="r")
    levels = np.ascontiguousarray(cube[len(waves) - 1])
    ref = con.sql("SELECT country, population FROM reference_population "
                  "ORDER BY municipality_id").to_arrow_table()
    inputs = readiness_inputs(fw)
    table = resolve_population(inputs, ref["country"].to_numpy(zero_copy_only=False),
                               ref["population"].to_numpy(zero_copy_only=False))
    result = population_readiness(inputs, levels, table, at=at, horizon_days=ALL_DEADLINES)
    arrays = {name: getattr(result, name) for name in STORED}
    arrays.update(law_ids=np.array(result.law_ids, dtype=str), wave=np.array(wave, dtype=str),
                  evaluation_date=np.array(at.isoformat(), dtype=str),
                  horizon=np.array("all", dtype=str),
                  status_names=np.array(STATUS_NAMES, dtype=str))
    write_npz(out / READINESS_FILE, arrays)
    return {"wave": wave, "evaluation_date": at.isoformat(), "laws": len(result.law_ids)}
