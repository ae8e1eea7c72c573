"""Disclosure control (pipelines/disclosure.py), attacked: whatever combination of published
area totals an adversary computes, with every consenting member's value known, no set of 1..k-1
hidden (non-consenting) municipalities can be isolated."""

from __future__ import annotations

import itertools

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pipelines.disclosure import AREA_TYPES, exposed, hierarchy, pattern, suppress

K = 3
COUNTRIES, NUTS2, NUTS3, SIZES = ("AA", "BB"), 2, 2, ("s1", "s2", "s3")


def population(cells: list[tuple[int, int]]):
    """Municipalities from (members, hidden) per atom, in atom order over the fixture's
    countries x NUTS 2 x NUTS 3 x sizes."""
    rows, hidden = [], []
    grid = itertools.product(COUNTRIES, range(NUTS2), range(NUTS3), SIZES)
    for (c, r2, r3, s), (n, hid) in zip(grid, cells, strict=False):
        for i in range(n):
            rows.append((c, f"{c}{r2}", f"{c}{r2}{r3}", s))
            hidden.append(i < hid)
    cols = list(zip(*rows, strict=True)) if rows else [(), (), (), ()]
    return [np.array(x, dtype=object) for x in cols], np.array(hidden, dtype=bool)


def published_matrix(h, sup, atom_hidden):
    """Published areas' indicators over the hidden atoms: [atoms with hidden > 0, areas]."""
    atoms = np.flatnonzero(atom_hidden > 0)
    m = np.zeros((len(atoms), h.size))
    for t in range(h.atom_area.shape[0]):
        m[np.arange(len(atoms)), h.atom_area[t][atoms]] = 1.0
    return m[:, ~sup], m, atoms


def in_span(basis, v):
    coef, *_ = np.linalg.lstsq(basis, v, rcond=None)
    return np.allclose(basis @ coef, v, atol=1e-7)


def leaks(h, sup, atom_hidden, k, max_atoms=3):
    """Every area and every signed combination of up to `max_atoms` hidden atoms that the
    published totals give away and that holds 1..k-1 hidden members."""
    pub, full, atoms = published_matrix(h, sup, atom_hidden)
    w = atom_hidden[atoms]
    found = []
    if pub.shape[1] == 0:
        return found
    for a in range(h.size):
        v = full[:, a]
        if v.any() and in_span(pub, v) and exposed(w @ v, k):
            found.append(("area", h.area_type[a], h.area_id[a]))
    for size in range(1, max_atoms + 1):
        for combo in itertools.combinations(range(len(atoms)), size):
            if not exposed(w[list(combo)].sum(), k):
                continue
            for signs in itertools.product((1.0, -1.0), repeat=size - 1):
                v = np.zeros(len(atoms))
                v[list(combo)] = (1.0, *signs)
                if in_span(pub, v):
                    found.append(("atoms", combo, signs))
    return found


cell = st.tuples(st.integers(0, 4), st.integers(0, 4)).map(lambda t: (t[0], min(t[0], t[1])))
cells = st.lists(cell, min_size=len(COUNTRIES) * NUTS2 * NUTS3 * len(SIZES),
                 max_size=len(COUNTRIES) * NUTS2 * NUTS3 * len(SIZES))


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(cells)
def test_no_combination_of_published_totals_isolates_hidden_members(data):
    (country, nuts2, nuts3, size), hidden = population(data)
    if not len(country):
        return
    h = hierarchy(country, nuts2, nuts3, size)
    atom_n, atom_h = h.counts(np.ones(len(country), bool), hidden)
    sup = suppress(h, atom_n, atom_h, K)
    assert not leaks(h, sup, atom_h, K)
    # the primary rule holds everywhere
    n, hid = h.area_sums(atom_n), h.area_sums(atom_h)
    assert not (~sup & ((n < K) | exposed(hid, K))).any()


def test_a_small_nuts3_area_is_not_left_to_subtraction():
    """The Deventer case: a NUTS 2 region with a NUTS 3 area of one hidden municipality and two
    larger ones. Published alone, the region minus the other two gives it away; the pattern
    suppresses a second NUTS 3 area, so the region's rest covers at least k hidden members."""
    rows = [("AA", "AA1", "AA11", "s1")] * 1 + [("AA", "AA1", "AA12", "s1")] * 6 + \
        [("AA", "AA1", "AA13", "s1")] * 8
    country, nuts2, nuts3, size = (np.array(x, dtype=object) for x in zip(*rows, strict=True))
    hidden = np.ones(len(rows), dtype=bool)
    h = hierarchy(country, nuts2, nuts3, size)
    df = pattern(h, np.ones(len(rows), bool), hidden, 5).set_index(["area_type", "area_id"])
    assert df.loc[("nuts2", "AA1"), "publish"]
    assert not df.loc[("nuts3", "AA11"), "publish"]
    assert not df.loc[("nuts3", "AA12"), "publish"]  # the smallest other area goes with it
    assert df.loc[("nuts3", "AA13"), "publish"]
    # nothing of AA11 can be derived: the rest of AA1 is AA11 + AA12 (7 hidden members)
    _, atom_h = h.counts(np.ones(len(rows), bool), hidden)
    sup = ~df["publish"].reindex(list(zip(h.area_type, h.area_id, strict=True))).to_numpy()
    assert not leaks(h, sup, atom_h, 5)


def test_consenting_members_do_not_shield_a_lone_hidden_one():
    """A group of 6 with 1 hidden member is not published: the 5 public values subtract."""
    rows = [("AA", "AA1", "AA11", "s1")] * 6
    country, nuts2, nuts3, size = (np.array(x, dtype=object) for x in zip(*rows, strict=True))
    hidden = np.array([True] + [False] * 5)
    h = hierarchy(country, nuts2, nuts3, size)
    df = pattern(h, np.ones(6, bool), hidden, 5)
    assert not df["publish"].any()
    everyone_public = pattern(h, np.ones(6, bool), np.zeros(6, bool), 5)
    assert everyone_public["publish"].all()
    assert set(df["area_type"]) == set(AREA_TYPES)
