"""dashboard.lru.Lru: keeps the most recently used values, computes each missing one once."""

from __future__ import annotations

from dashboard.lru import Lru


def test_keeps_recent_values_and_evicts_the_oldest():
    calls = []
    lru = Lru(2)

    def value(k):
        return lambda: calls.append(k) or k * 10

    assert lru.get(1, value(1)) == 10
    assert lru.get(2, value(2)) == 20
    assert lru.get(1, value(1)) == 10  # kept: not computed again, and now the most recent
    assert lru.get(3, value(3)) == 30  # evicts 2, the least recently used
    assert lru.get(1, value(1)) == 10
    assert lru.get(2, value(2)) == 20  # recomputed
    assert calls == [1, 2, 3, 2]
    lru.clear()
    assert lru.get(1, value(1)) == 10 and calls[-1] == 1
