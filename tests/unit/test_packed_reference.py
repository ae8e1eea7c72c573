"""RowIndex and PackedStrings: the packed forms of per-municipality data behave like the dict
and the list they replace (pipelines/row_index.py, pipelines/packed_strings.py)."""

from __future__ import annotations

from bisect import bisect_left

import numpy as np
import pyarrow as pa
import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from pipelines.packed_strings import PackedStrings
from pipelines.row_index import RowIndex, shared_ids

# ids as they come (GISCO: "NL_GM0363"), and awkward ones: accents, empty, prefixes of others
ids_st = st.lists(st.text(alphabet=st.sampled_from("AZaz_09éŁ-"), max_size=8), unique=True,
                  max_size=40)


@given(ids_st, st.lists(st.text(alphabet=st.sampled_from("AZaz_09éŁ-\0"), max_size=9),
                        max_size=20))
@example(ids=[""], probes=["\0"])  # found by hypothesis: numpy bytes drop a trailing NUL
@example(ids=["x"], probes=["x\0", "x\0\0"])
def test_row_index_answers_like_a_dict(ids, probes):
    as_dict = {mid: row for row, mid in enumerate(ids)}
    index = RowIndex(ids)
    for key in ids + probes:
        assert index.get(key) == as_dict.get(key), key
        assert (key in index) == (key in as_dict)
    assert index.rows(ids + probes).tolist() == [as_dict.get(k, -1) for k in ids + probes]
    assert len(index) == len(ids)


def test_row_index_refuses_what_is_not_an_id():
    index = RowIndex(["NL_GM0363", "NL_GM0344"])
    assert index.get(None) is None and index.get(363) is None
    assert index.get("NL_GM0363\0") is None  # numpy bytes would drop the NUL
    with pytest.raises(KeyError):
        index["NL_GM9999"]
    assert index["NL_GM0344"] == 1


def test_equal_id_lists_share_one_array_and_one_index():
    a = shared_ids(np.array(["B_1", "A_2"], dtype=object))
    b = shared_ids(["B_1", "A_2"])
    assert a is b and not a.flags.writeable
    assert RowIndex.of(a) is RowIndex.of(["B_1", "A_2"])
    assert shared_ids(["A_2", "B_1"]) is not a  # another order is another list


@given(st.lists(st.one_of(st.none(), st.text(max_size=12)), max_size=30), st.data())
def test_packed_strings_read_like_the_list(values, data):
    packed = PackedStrings(values)
    expected = [v if isinstance(v, str) else "" for v in values]
    assert len(packed) == len(expected)
    assert [packed[i] for i in range(len(packed))] == expected
    assert packed[1:4] == expected[1:4]
    rows = data.draw(st.lists(st.integers(0, max(len(values) - 1, 0)), max_size=10)
                     ) if values else []
    assert packed.take(rows) == [expected[r] for r in rows]
    fancy = packed[np.array(rows, dtype=np.int64)]
    assert fancy.dtype == object and fancy.tolist() == [expected[r] for r in rows]
    mask = np.array([i % 2 == 0 for i in range(len(values))], dtype=bool)
    assert packed[mask].tolist() == [v for v, m in zip(expected, mask, strict=True) if m]


def test_bisect_on_packed_sorted_strings_finds_what_a_list_finds():
    words = sorted(["gent", "gemert", "genk", "ghent", "liège", "lodz", "łódź"])
    packed = PackedStrings(pa.array(words, type=pa.string()))
    for probe in ["ge", "gen", "l", "ł", "zzz", ""]:
        assert bisect_left(packed, probe) == bisect_left(words, probe)
