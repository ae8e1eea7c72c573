"""Many strings as one buffer (a pyarrow large_string array), read one at a time. Pure.

A list of 100k Python strings is 100k objects; a forked gunicorn worker that reads them writes
their reference counts and so copies every page they are on. Packed, the strings are two
buffers (bytes and offsets) that a read never writes to, so the workers keep sharing the
master's copy (benchmarks/bench_memory.py). Reading one string costs about a microsecond, which
a binary search (`bisect` works on this sequence) or a page of results does not notice.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import numpy as np
import pyarrow as pa


class PackedStrings(Sequence):
    """Read-only sequence of str; None is stored as ""."""

    def __init__(self, values: Iterable[str | None] | pa.Array):
        if isinstance(values, pa.ChunkedArray):
            values = values.combine_chunks()
        if not isinstance(values, pa.Array):
            values = pa.array([v if isinstance(v, str) else "" for v in values],
                              type=pa.large_string())
        self.arrow = values.cast(pa.large_string()).fill_null("")

    def __len__(self) -> int:
        return len(self.arrow)

    def __getitem__(self, i):  # type: ignore[override]
        """s[row] -> str; s[slice] -> list; s[int array or bool mask] -> object ndarray (numpy's
        fancy indexing, so code written for an object array of str keeps working)."""
        if isinstance(i, slice):
            return self.arrow[i].to_pylist()
        if isinstance(i, np.ndarray | list):
            idx = np.asarray(i)
            if idx.dtype == bool:
                idx = np.flatnonzero(idx)
            out = np.empty(len(idx), dtype=object)
            out[:] = self.take(idx)
            return out
        return self.arrow[int(i)].as_py()

    def take(self, rows: Iterable[int] | np.ndarray) -> list[str]:
        idx = np.asarray(rows, dtype=np.int64)
        return self.arrow.take(pa.array(idx)).to_pylist() if len(idx) else []
