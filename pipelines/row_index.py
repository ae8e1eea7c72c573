"""Row of a municipality id among ~100k, without a dict of Python strings. Pure numpy.

A dict `{id: row}` holds one Python string and one int per row, spread over memory pages that a
forked gunicorn worker copies as soon as it looks anything up (reading a Python object writes
its reference count). Here the ids are one fixed-width numpy array, sorted, and a lookup is a
binary search: the pages are only read, so every worker shares the master's copy
(benchmarks/bench_memory.py measures the whole server). The ids are kept as UTF-8 bytes, a
quarter of numpy's 4-byte unicode (byte order of UTF-8 is code point order, so sorting agrees).
"""

from __future__ import annotations

import hashlib
import threading
import weakref
from collections.abc import Iterable

import numpy as np

# One copy per distinct list of ids in a process: the cube, the API directory and the search
# index all hold the ~98,600 reference ids (6 MB as numpy str each).
_ARRAYS: weakref.WeakValueDictionary = weakref.WeakValueDictionary()
_INDEXES: weakref.WeakValueDictionary = weakref.WeakValueDictionary()
_LOCK = threading.Lock()


def _key(arr: np.ndarray) -> bytes:
    return (hashlib.blake2b(arr.tobytes(), digest_size=16).digest()
            + f"{arr.dtype.str}{arr.shape}".encode())


def shared_ids(values: Iterable[str]) -> np.ndarray:
    """`values` as a read-only numpy str array, the same object for equal lists of ids."""
    arr = np.asarray(values.tolist() if isinstance(values, np.ndarray) else list(values),
                     dtype=str)
    key = _key(arr)
    with _LOCK:
        hit = _ARRAYS.get(key)
        if hit is None:
            arr.flags.writeable = False
            _ARRAYS[key] = hit = arr
    return hit


class RowIndex:
    """Rows of ids, in the order given. Unknown ids (and non-strings) have no row."""

    @classmethod
    def of(cls, ids: Iterable[str]) -> RowIndex:
        """The index of these ids, shared with every other holder of the same ids."""
        arr = shared_ids(ids)
        key = _key(arr)
        with _LOCK:
            hit = _INDEXES.get(key)
        if hit is None:
            hit = cls(arr)
            with _LOCK:
                hit = _INDEXES.setdefault(key, hit)
        return hit

    def __init__(self, ids: Iterable[str]):
        arr = _utf8(ids)
        self._order = np.argsort(arr, kind="stable").astype(np.int64)
        self._sorted = arr[self._order]

    def __len__(self) -> int:
        return len(self._sorted)

    def get(self, key: object, default: int | None = None) -> int | None:
        if not isinstance(key, str) or not len(self._sorted):
            return default
        b = key.encode("utf-8", "surrogatepass")
        if b.endswith(b"\0"):  # numpy bytes drop trailing NULs: "x\0" would find "x"
            return default
        i = int(np.searchsorted(self._sorted, b))
        if i < len(self._sorted) and self._sorted[i] == b:
            return int(self._order[i])
        return default

    def __getitem__(self, key: str) -> int:
        row = self.get(key)
        if row is None:
            raise KeyError(key)
        return row

    def __contains__(self, key: object) -> bool:
        return self.get(key) is not None

    def rows(self, keys: Iterable[str]) -> np.ndarray:
        """int64 row per key, -1 where unknown (like pandas.Index.get_indexer)."""
        items = keys.tolist() if isinstance(keys, np.ndarray) else list(keys)
        arr = _utf8(items)
        if not len(arr) or not len(self._sorted):
            return np.full(len(arr), -1, dtype=np.int64)
        i = np.minimum(np.searchsorted(self._sorted, arr), len(self._sorted) - 1)
        # numpy bytes drop trailing NULs, so "x\0" would find "x": such keys have no row
        plain = np.array([not str(k).endswith("\0") for k in items], dtype=bool)
        return np.where((self._sorted[i] == arr) & plain, self._order[i], -1)


def _utf8(values: Iterable[str]) -> np.ndarray:
    items = values.tolist() if isinstance(values, np.ndarray) else list(values)
    return np.array([str(v).encode("utf-8", "surrogatepass") for v in items], dtype=bytes)
