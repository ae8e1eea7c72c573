"""One municipality's agreement and coverage figures without a query: per build, in memory.

`GET /api/v1/municipalities/{id}` (and the council report) show per element how many respondents
answered, how many knew, their spread and whether they disagree, and per wave the coverage row.
Reading them from the build's parquet files took two DuckDB queries per request (20-26 ms at
EU scale, where the rest of the answer takes ~2 ms from the level cube). Here they are read
once per build into arrays shaped like the cube:

- agreement: the levels table has only a few distinct (n_respondents, n_known, spread,
  disagree) combinations (21 on the EU demo), so each cell of [wave, municipality, element]
  holds a small code into a table of them (0: no row): uint8, 11.5 MB for 98,584 x 39 x 3,
  instead of ~7 bytes a cell;
- coverage: one row per (wave, municipality) with answers, as [wave, municipality] arrays.

The arrays live in an anonymous shared mapping: made in gunicorn's master (dashboard/warmup.py),
a worker maps the same pages and counts in its memory only those its requests read, as with the
memory-mapped level cube (README, Serving in production). Nothing here is a Python object per
municipality.
"""

from __future__ import annotations

import mmap
import threading
from dataclasses import dataclass

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from dashboard.store import Snapshot

NO_ROW = 0
NOT_A_TIME = np.iinfo(np.int64).min
_AGREEMENT = ("n_respondents", "n_known", "spread", "disagree")
_COVERAGE = ("n_respondents", "n_answered", "n_known", "n_disagree")


def shared_array(values: np.ndarray) -> np.ndarray:
    """A read-only copy of `values` in an anonymous shared mapping: a forked process gets the
    mapping, not a copy of its pages, and faults in only what it reads."""
    size = max(values.nbytes, 1)
    buf = mmap.mmap(-1, size)  # MAP_SHARED | MAP_ANONYMOUS
    out = np.frombuffer(buf, dtype=values.dtype, count=values.size).reshape(values.shape)
    out[...] = values
    out.flags.writeable = False
    return out


def positions(values: pa.ChunkedArray | pa.Array, labels) -> np.ndarray:
    """Position of each value among `labels` (-1 where it is not one), through the values'
    distinct texts: 6.4 M rows cost one lookup per distinct id."""
    encoded = pc.dictionary_encode(values)
    if isinstance(encoded, pa.ChunkedArray):
        encoded = encoded.combine_chunks()
    distinct = encoded.dictionary.to_numpy(zero_copy_only=False)
    index = labels if isinstance(labels, pd.Index) else pd.Index(np.asarray(labels))
    where = index.get_indexer(distinct.astype(str))
    return where[encoded.indices.to_numpy(zero_copy_only=False)]


@dataclass(frozen=True)
class Agreement:
    """Per cell a code into `table` (int64[K+1, 4]: n_respondents, n_known, spread with -1 for
    none, disagree 0/1; row 0 unused: no row in the levels table)."""

    codes: np.ndarray  # uint8 or uint16 [W, M, E]
    table: np.ndarray

    def row(self, w: int, m: int, e: int) -> tuple[int, int, int | None, bool] | None:
        code = int(self.codes[w, m, e])
        if code == NO_ROW:
            return None
        n, known, spread, disagree = (int(v) for v in self.table[code])
        return n, known, None if spread < 0 else spread, bool(disagree)


@dataclass(frozen=True)
class Coverage:
    """Per [wave, municipality]: has a coverage row, its counts, roles (code into `roles`, -1
    none) and the last submission (ns since the epoch, UTC; NOT_A_TIME none)."""

    present: np.ndarray  # bool[W, M]
    counts: np.ndarray  # int32[W, M, 4] in the order of _COVERAGE
    role_codes: np.ndarray  # int32[W, M]
    roles: tuple[str, ...]
    last_ns: np.ndarray  # int64[W, M]
    tz: str | None

    def record(self, w: int, m: int) -> dict | None:
        if not self.present[w, m]:
            return None
        n, answered, known, disagree = (int(v) for v in self.counts[w, m])
        role = int(self.role_codes[w, m])
        last = int(self.last_ns[w, m])
        when = None
        if last != NOT_A_TIME:
            when = pd.Timestamp(last, tz="UTC")
            when = (when.tz_convert(self.tz) if self.tz else when.tz_localize(None)).isoformat()
        return {"n_respondents": n, "roles": None if role < 0 else self.roles[role],
                "n_answered": answered, "n_known": known, "n_disagree": disagree,
                "last_submitted": when}


@dataclass(frozen=True)
class DetailIndex:
    build_id: str
    agreement: Agreement
    coverage: Coverage


_SHIFT = np.array([0, 0, -1, 0])  # spread -1 (none) -> 0
_BITS = (20, 20, 8, 1)


def pack(rows: np.ndarray) -> np.ndarray | None:
    """The agreement's four small whole numbers (respondents, known, spread + 1 >= 0,
    disagree) of each row packed into one int64; None when one does not fit its bits."""
    shifted = rows - _SHIFT
    if len(rows) and (shifted.min() < 0 or any(shifted[:, i].max() >= 1 << b
                                              for i, b in enumerate(_BITS))):
        return None
    return (shifted[:, 0] << 29) | (shifted[:, 1] << 9) | (shifted[:, 2] << 1) | shifted[:, 3]


def unpack(keys: np.ndarray) -> np.ndarray:
    return np.stack([keys >> 29, (keys >> 9) & (2**20 - 1), ((keys >> 1) & 255) - 1, keys & 1],
                    axis=1)


def distinct_rows(rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """np.unique(rows, axis=0, return_inverse=True) for the agreement's rows, packed into one
    int64 per row first: the same table and codes, 0.5 s instead of 20 s for 6.4 M rows
    (np.unique over rows compares them as structured records)."""
    key = pack(rows)
    if key is None:
        table, code = np.unique(rows, axis=0, return_inverse=True)
        return table, code.reshape(-1)
    return distinct_keys(key)


def distinct_keys(key: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    keys, code = np.unique(key, return_inverse=True)
    return unpack(keys), code.reshape(-1)


def read_agreement(snap: Snapshot, batch_rows: int = 1 << 18) -> Agreement:
    """Read in batches, each kept as one packed int64 per row: the whole levels table with its
    id strings, stacked as int64 rows, took the master's RSS from 0.3 to 1.5 GB at EU scale
    (6.4 M rows) for a result of ~8 MB."""
    cube = snap.maturity
    shape = cube.levels.shape
    cells, parts = [], []  # parts: packed keys, or rows where a batch does not pack
    source = pq.ParquetFile(snap.path / "levels.parquet")
    # made once: their hash tables are built on the first lookup and kept for every batch
    waves, munis, elements = (pd.Index(np.asarray(x)) for x in (
        cube.waves, cube.municipality_ids, cube.element_ids))
    for batch in source.iter_batches(batch_size=batch_rows, columns=[
            "municipality_id", "wave", "element_id", *_AGREEMENT]):
        w = positions(batch["wave"], waves)
        m = positions(batch["municipality_id"], munis)
        e = positions(batch["element_id"], elements)
        keep = (w >= 0) & (m >= 0) & (e >= 0)
        cols = [batch[c].to_numpy(zero_copy_only=False) for c in ("n_respondents", "n_known")]
        spread = pc.fill_null(batch["spread"], -1).to_numpy(zero_copy_only=False)
        disagree = pc.fill_null(batch["disagree"].cast(pa.int8()), 0).to_numpy(
            zero_copy_only=False)
        rows = np.stack([*cols, spread, disagree], axis=1).astype(np.int64)[keep]
        key = pack(rows)
        parts.append(rows if key is None else key)
        cells.append(np.ravel_multi_index((w[keep], m[keep], e[keep]), shape))
    if all(p.ndim == 1 for p in parts):
        table, code = distinct_keys(np.concatenate(parts) if parts else np.zeros(0, np.int64))
    else:  # some number too large to pack: the general (slow) path over all rows
        table, code = distinct_rows(np.concatenate(
            [unpack(p) if p.ndim == 1 else p for p in parts]))
    del parts
    dtype = np.uint8 if len(table) < 255 else np.uint16 if len(table) < 65535 else np.uint32
    codes = np.zeros(shape, dtype=dtype)
    codes.reshape(-1)[np.concatenate(cells) if cells else np.zeros(0, np.int64)] = code + 1
    table = np.vstack([np.zeros((1, 4), dtype=np.int64), table])
    pa.default_memory_pool().release_unused()  # the batches' buffers, back to the system
    return Agreement(shared_array(codes), table)


def read_coverage(snap: Snapshot) -> Coverage:
    cube = snap.maturity
    n_w, n_m = len(cube.waves), len(cube.municipality_ids)
    # through DuckDB, as the per-request query read it: the same time zone and types
    df = snap.query("detail_coverage")
    w = pd.Index(list(cube.waves)).get_indexer(df["wave"])
    m = positions(pa.array(df["municipality_id"].to_numpy(dtype=str)), cube.municipality_ids)
    keep = (w >= 0) & (m >= 0)
    w, m, df = w[keep], m[keep], df[keep]
    present = np.zeros((n_w, n_m), dtype=bool)
    present[w, m] = True
    counts = np.zeros((n_w, n_m, len(_COVERAGE)), dtype=np.int32)
    counts[w, m] = df[list(_COVERAGE)].to_numpy(dtype=np.int64)
    role_codes = np.full((n_w, n_m), -1, dtype=np.int32)
    codes, roles = pd.factorize(df["roles"], use_na_sentinel=True)
    role_codes[w, m] = codes
    last = df["last_submitted"]
    tz = str(last.dt.tz) if isinstance(last.dtype, pd.DatetimeTZDtype) else None
    ns = np.full((n_w, n_m), NOT_A_TIME, dtype=np.int64)
    values = (last.dt.tz_convert("UTC") if tz else last).to_numpy(dtype="datetime64[ns]")
    ns[w, m] = np.where(pd.isna(values), NOT_A_TIME, values.astype(np.int64))
    return Coverage(shared_array(present), shared_array(counts), shared_array(role_codes),
                    tuple(str(r) for r in roles), shared_array(ns), tz)


_LOCK = threading.Lock()
_INDEX: DetailIndex | None = None


def detail_index(snap: Snapshot) -> DetailIndex:
    """This build's index, made on first use (in gunicorn's master: the warm-up) and kept
    until another build is asked for."""
    index = _INDEX
    if index is not None and index.build_id == snap.build_id:
        return index
    with _LOCK:
        index = _INDEX
        if index is None or index.build_id != snap.build_id:
            index = DetailIndex(snap.build_id, read_agreement(snap), read_coverage(snap))
            globals()["_INDEX"] = index
    return index
