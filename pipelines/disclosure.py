"""Disclosure control: which statistics of which areas may be published.

One module decides it for everything the product publishes about groups of municipalities: the
aggregates mart (maps, heatmap regions, the aggregates API), the profile's peer statistics, the
Legislation tab and laws API, the Policy tab. Pure numpy/pandas, no Dash.

The privacy model (also in the README)
--------------------------------------
Adversary: anyone who can send any sequence of requests to the API and the dashboard's
callbacks, and who knows all public data: the reference data (who is where, how large), which
municipalities answered and which consented, and every result a municipality consented to
publish by name. What must hold: nothing about the municipalities that did not consent (*hidden*
ones) can be derived except statistics over at least k of them (k = DS4E_MIN_GROUP), whatever
requests are combined; and no statistic is shown for a group of fewer than k municipalities.

Groups are only the areas of one fixed hierarchy, never ad-hoc sets: the EU, countries, NUTS 2,
NUTS 3, size classes (EU-wide), country x size class and NUTS 2 x size class (`AREA_TYPES`).
Every statistic of an area is a function of the area alone (the same whichever member is looked
at): a leave-one-out statistic differs per member, and two members' views differ by a member.

The unit protected is the set of *answering* municipalities of an area; one pattern per wave
holds for every element, block and overall score. (A per-element pattern would protect fewer
answers than it seems: a don't-know is a missing value, so the per-element groups differ.) Where
the hidden members of a derivable set answered "don't know", the set's statistic is over fewer
known values; it is still a statistic of the set, never of a named member.

Primary rule, per area: suppressed when it has fewer than k answering members, or 1..k-1 hidden
ones. The second half matters because consenting members' values are public: a group of 5 with
one hidden member, minus the 4 public values, is the hidden member's value.

Complementary rule. Counts, sums, means and shares are linear, so they subtract: an adversary
can compute any linear combination of published area totals, public members subtracted. The
*atoms* are the NUTS 3 x size-class cells (every area is a union of atoms); per country the
published areas span a space of combinations over the atoms with hidden members. A set of
atoms is *revealed* when its indicator lies in that space and it holds 1..k-1 hidden members.
Checked exactly, with linear algebra (`_violations`): every area of the country, every atom and
every pair of atoms (their sum and their difference), and for every published-or-derivable
parent the rest of its children. Each revealed set gets one more area suppressed: one of the
published areas its derivation uses, the one with the fewest hidden members; and the check runs
again, until nothing is revealed. Areas that span countries (the EU, EU-wide size classes) are
published only where what they add (the EU minus what each country shows) spans two or more
countries and is not revealing.

What this does not cover, and the product therefore does not offer: statistics over sets a user
picks (the profile's hand-picked peer groups count only consenting members) and thresholds a
user chooses (a draft law's population threshold snaps to the size-class bounds). Medians and
quartiles of published areas are published too; they are not linear and can say something about
the order of members, never one member's value. Counts inside a published area ("3 of 212 not
ready") describe the area, not which members. A published group whose hidden members all gave
the same answer shows that answer for all of them, as any statistic of a uniform group does.
Sets of three or more atoms are covered only through areas and parents' rests, not enumerated.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

AREA_TYPES = ("eu", "country", "nuts2", "nuts3", "size_class", "country_size", "nuts2_size")
EU_WIDE = ("eu", "size_class")
# parent type, child type: the children of a parent are a partition of it
PARTITIONS = (("eu", "country"), ("eu", "size_class"), ("country", "nuts2"), ("nuts2", "nuts3"),
              ("country", "country_size"), ("size_class", "country_size"),
              ("nuts2", "nuts2_size"), ("country_size", "nuts2_size"))
MAX_ROUNDS = 200
TOL = 1e-7


def area_of(country: str | None, nuts2: str | None, size_class: str | None) -> tuple[str, str]:
    """The area (type, id) of a selection by country, NUTS 2 region and size class."""
    if nuts2:
        return ("nuts2_size", f"{nuts2}:{size_class}") if size_class else ("nuts2", nuts2)
    if country:
        return ("country_size", f"{country}:{size_class}") if size_class else ("country", country)
    return ("size_class", size_class) if size_class else ("eu", "EU")


def unsafe(n, hidden, k: int) -> np.ndarray:
    """The primary rule for one group: fewer than k members, or 1..k-1 hidden members."""
    n, hidden = np.asarray(n), np.asarray(hidden)
    return (n < k) | ((hidden > 0) & (hidden < k))


def exposed(hidden, k: int) -> np.ndarray:
    """A derivable set reveals too much: 1..k-1 hidden members."""
    hidden = np.asarray(hidden)
    return (hidden > 0) & (hidden < k)


@dataclass(frozen=True)
class Hierarchy:
    """Every area of every type (A areas), the atoms (NUTS 3 x size class, X atoms) they are
    made of, and the parent-child links of each partition."""

    area_type: np.ndarray  # object[A]
    area_id: np.ndarray  # object[A]
    atom_of: np.ndarray  # int[M] each municipality's atom
    atom_area: np.ndarray  # int[T, X]: for each area type t, each atom's area index
    links: tuple[tuple[np.ndarray, np.ndarray], ...]  # per partition: (child idx, parent idx)

    @property
    def size(self) -> int:
        return len(self.area_id)

    @property
    def n_atoms(self) -> int:
        return self.atom_area.shape[1]

    def atoms_of_type(self, area_type: str) -> np.ndarray:
        return self.atom_area[AREA_TYPES.index(area_type)]

    def index(self) -> dict[tuple[str, str], int]:
        return {(t, i): a for a, (t, i) in enumerate(zip(self.area_type, self.area_id,
                                                         strict=True))}

    def counts(self, members: np.ndarray, hidden: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(n, hidden) per atom, int[X]: `members` bool[M] (answered), `hidden` bool[M] (did
        not consent; all False where every result is public)."""
        m = np.asarray(members, dtype=bool)
        h = m & np.asarray(hidden, dtype=bool)
        return (np.bincount(self.atom_of[m], minlength=self.n_atoms).astype(np.int64),
                np.bincount(self.atom_of[h], minlength=self.n_atoms).astype(np.int64))

    def area_sums(self, atom_values: np.ndarray) -> np.ndarray:
        """int[A]: each area's sum over its atoms."""
        out = np.zeros(self.size, dtype=np.int64)
        for t in range(self.atom_area.shape[0]):
            np.add.at(out, self.atom_area[t], np.asarray(atom_values, dtype=np.int64))
        return out


def hierarchy(country, nuts2, nuts3, size_class) -> Hierarchy:
    """The hierarchy of municipalities given their country, NUTS 2, NUTS 3 and size class."""
    c, r2, r3, s = (np.asarray(x, dtype=object).astype(str) for x in (country, nuts2, nuts3,
                                                                        size_class))
    codes, uniq = pd.factorize(pd.MultiIndex.from_arrays([c, r2, r3, s]))
    ac, a2, a3, asz = (uniq.get_level_values(i).to_numpy(dtype=object).astype(str)
                       for i in range(4))
    per_type = {"eu": np.full(len(ac), "EU"), "country": ac, "nuts2": a2, "nuts3": a3,
                "size_class": asz, "country_size": np.char.add(np.char.add(ac, ":"), asz),
                "nuts2_size": np.char.add(np.char.add(a2, ":"), asz)}
    kinds, names, atom_area, start = [], [], [], 0
    for t in AREA_TYPES:
        ids, inv = np.unique(np.asarray(per_type[t], dtype=str), return_inverse=True)
        kinds.append(np.full(len(ids), t, dtype=object))
        names.append(ids.astype(object))
        atom_area.append(inv.reshape(-1) + start)
        start += len(ids)
    atom_area = np.stack(atom_area)
    pos = {t: i for i, t in enumerate(AREA_TYPES)}
    links = []
    for parent, child in PARTITIONS:
        pairs = np.unique(np.stack([atom_area[pos[child]], atom_area[pos[parent]]]), axis=1)
        links.append((pairs[0], pairs[1]))
    return Hierarchy(np.concatenate(kinds), np.concatenate(names), np.asarray(codes, np.int64),
                     atom_area, tuple(links))


# ------------------------------------------------------------------ suppression


def suppress(h: Hierarchy, atom_n: np.ndarray, atom_hidden: np.ndarray, k: int) -> np.ndarray:
    """bool[A]: the areas whose statistics may not be published (see the module docstring)."""
    atom_n, atom_hidden = np.asarray(atom_n), np.asarray(atom_hidden)
    n, hid = h.area_sums(atom_n), h.area_sums(atom_hidden)
    sup = unsafe(n, hid, k)
    system = _System(h, atom_hidden, hid, k)
    if not system.countries:
        return sup
    for _ in range(MAX_ROUNDS):
        for c in system.countries:  # each country on its own first: small, fast systems
            c.settle(sup)
        system.cover_wide(sup)
        if not system.global_fix(sup):
            return sup
    sup[:] = True  # pragma: no cover - should not happen; publish nothing rather than leak
    return sup


class _Country:
    """One country's linear system: its areas' indicator vectors over its hidden atoms."""

    def __init__(self, h: Hierarchy, atoms: np.ndarray, atom_hidden: np.ndarray,
                 hid: np.ndarray, k: int):
        types = [i for i, t in enumerate(AREA_TYPES) if t not in EU_WIDE]
        cells = h.atom_area[types][:, atoms]  # [T, X]
        self.h, self.hid, self.k = h, hid, k
        self.areas = np.unique(cells)
        self.m = np.zeros((len(atoms), len(self.areas)))
        for row in cells:
            self.m[np.arange(len(atoms)), np.searchsorted(self.areas, row)] = 1.0
        self.weight = atom_hidden[atoms].astype(np.int64)  # hidden members per atom
        self.atoms = atoms
        self.col = {a: i for i, a in enumerate(self.areas)}
        self.rests = []  # (parent column, child columns) of every equation inside the country
        for child, parent in h.links:
            sel = np.isin(parent, self.areas) & np.isin(child, self.areas)
            for p in np.unique(parent[sel]):
                self.rests.append((self.col[p], [self.col[c] for c in child[sel][parent[sel] == p]]))

    def basis(self, sup: np.ndarray) -> np.ndarray:
        return _basis(self.m[:, ~sup[self.areas]])

    def settle(self, sup: np.ndarray) -> None:
        """Suppress in place until nothing inside the country is revealed."""
        for _ in range(MAX_ROUNDS):
            leaks = self.violations(self.basis(sup), None)
            if not leaks:
                return
            for v in leaks:
                self.fix(v, sup)

    def violations(self, q: np.ndarray, extra: np.ndarray | None) -> list[np.ndarray]:
        """Revealed atom sets (0/1 or signed vectors over the country's hidden atoms), given the
        basis q of its published areas and `extra` (the part the EU-wide areas add, restricted
        to this country; None inside the country alone)."""
        k = self.k

        def known(vectors):
            return _in_span(q, vectors) if extra is None else _in_span2(q, extra, vectors)
        out: list[np.ndarray] = []
        area_known = known(self.m)
        area_hidden = self.weight @ self.m
        out += [self.m[:, a].copy() for a in np.flatnonzero(area_known & exposed(area_hidden, k))]
        for p, kids in self.rests:
            if area_known[p]:
                rest = [c for c in kids if not area_known[c]]
                if rest:
                    v = self.m[:, rest].sum(axis=1)
                    if exposed(self.weight @ v, k):
                        out.append(v)
        small = np.flatnonzero(self.weight < k)
        if len(small):
            basis = q if extra is None else np.hstack([q, extra])
            out += _small_sets(basis[small], small, self.weight, len(self.atoms), k)
        return out

    def lockable(self, sup: np.ndarray) -> dict[int, bool]:
        """For the country's country and country x size areas: would it stay underivable from
        the rest of the country if it were (or is) suppressed?"""
        pub = ~sup[self.areas]
        cols = np.flatnonzero(pub)
        m = self.m[:, cols]
        out = {}
        if len(cols):
            _, s, vt = np.linalg.svd(m, full_matrices=True)
            rank = int((s > TOL * max(1.0, float(s.max()) if s.size else 1.0)).sum())
            null = vt[rank:]  # dependencies among the published columns
            q = _basis(m)
        else:
            null, q = np.zeros((0, 0)), np.zeros((self.m.shape[0], 0))
        where = {c: i for i, c in enumerate(cols)}
        for i, a in enumerate(self.areas):
            if self.h.area_type[a] not in ("country", "country_size"):
                continue
            if pub[i]:  # derivable from the others iff some dependency involves it
                out[a] = not (null.size and np.abs(null[:, where[i]]).max() > 1e-9)
            else:
                out[a] = not _in_span(q, self.m[:, [i]])[0]
        return out

    def fix(self, v: np.ndarray, sup: np.ndarray) -> bool:
        """Suppress one published area that the derivation of v uses: the one with the fewest
        hidden members (the country itself only as a last resort). False if v no longer
        derives from this country's published areas."""
        pub = np.flatnonzero(~sup[self.areas])
        if not len(pub):
            return False
        coef, *_ = np.linalg.lstsq(self.m[:, pub], v, rcond=None)
        if not np.allclose(self.m[:, pub] @ coef, v, atol=1e-6):
            return False
        used = pub[np.abs(coef) > 1e-6]
        rank = [(self.h.area_type[self.areas[a]] == "country", self.hid[self.areas[a]], a)
                for a in used]
        sup[self.areas[min(rank)[2]]] = True
        return True


class _System:
    """All countries plus the areas that span them (the EU, EU-wide size classes). The EU-wide
    areas couple the countries through a handful of vectors, so the whole span is each
    country's span plus the small span of what the EU-wide areas add beyond them."""

    def __init__(self, h: Hierarchy, atom_hidden: np.ndarray, hid: np.ndarray, k: int):
        self.h, self.hid, self.k = h, hid, k
        country_of_atom = h.atoms_of_type("country")
        self.countries = [_Country(h, np.flatnonzero((country_of_atom == c) & (atom_hidden > 0)),
                                   atom_hidden, hid, k)
                          for c in np.unique(country_of_atom[atom_hidden > 0])]
        self.wide = np.flatnonzero(np.isin(h.area_type, EU_WIDE))
        # each EU-wide area's indicator, per country, over the country's hidden atoms
        self.parts = [np.stack([np.isin(h.atom_area[:, c.atoms], a).any(axis=0).astype(float)
                                for a in self.wide], axis=1) for c in self.countries]

    def cover_wide(self, sup: np.ndarray) -> None:
        """Keep the EU-wide areas publishable where possible: what one adds beyond the
        countries' published parts (the hidden parts it covers) must span two or more countries
        and not be revealing; where it would not, suppress one more country (or country x size)
        area that its country does not give away, the one with the fewest hidden members. The
        exact check (`global_fix`) follows."""
        lockable: dict[int, bool] = {}
        for c in self.countries:
            lockable.update(c.lockable(sup))
        for parent, child in (("eu", "country"), ("size_class", "country_size")):
            ch, pa = self.h.links[PARTITIONS.index((parent, child))]
            for p in np.unique(pa):
                kids = ch[pa == p]
                while not sup[p]:
                    covered = kids[sup[kids] & (self.hid[kids] > 0)
                                   & np.array([lockable.get(x, True) for x in kids])]
                    countries = {str(self.h.area_id[x]).split(":")[0] for x in covered}
                    if not len(covered) or (len(countries) >= 2
                                            and not exposed(self.hid[covered].sum(), self.k)):
                        break
                    cand = [x for x in kids if not sup[x] and self.hid[x] > 0
                            and lockable.get(x, False)]
                    if not cand:
                        break  # global_fix decides: the EU-wide area itself may have to go
                    sup[min(cand, key=lambda x: self.hid[x])] = True

    def global_fix(self, sup: np.ndarray) -> bool:
        """Check the whole system; suppress where the EU-wide areas reveal something. True if
        anything changed."""
        wide_pub = ~sup[self.wide]
        if not wide_pub.any():
            return False
        bases = [c.basis(sup) for c in self.countries]
        # what the published EU-wide areas add beyond the countries' own spans
        resid = [p[:, wide_pub] - q @ (q.T @ p[:, wide_pub]) for p, q in
                 zip(self.parts, bases, strict=True)]
        stacked = np.vstack(resid)
        u, s, vt = np.linalg.svd(stacked, full_matrices=False)
        keep = s > TOL * max(1.0, float(s.max()) if s.size else 1.0)
        r = u[:, keep]
        if not r.shape[1]:
            return False
        # r t = stacked @ to_cells @ t: the EU-wide areas (and weights) behind a combination
        to_cells = vt[keep].T / s[keep]
        published_wide = self.wide[wide_pub]
        offsets = np.cumsum([0] + [len(c.atoms) for c in self.countries])
        changed = False
        for i, (c, q) in enumerate(zip(self.countries, bases, strict=True)):
            extra = r[offsets[i]:offsets[i + 1]]
            if not np.abs(extra).max(initial=0.0) > 1e-9:
                continue
            for v in c.violations(q, extra):
                changed |= self._fix_wide(published_wide, to_cells @ (extra.T @ v), sup)
        # pairs of small atoms in two countries: only the EU-wide part links them
        small = [(i, x) for i, c in enumerate(self.countries)
                 for x in np.flatnonzero(c.weight < self.k)]
        if len(small) >= 2:
            rows = np.array([r[offsets[i] + x] for i, x in small])
            qd = np.array([(bases[i][x] ** 2).sum() for i, x in small])
            d = qd + (rows * rows).sum(axis=1)
            gram = rows @ rows.T
            w = np.array([self.countries[i].weight[x] for i, x in small])
            country = np.array([i for i, _ in small])
            cross = country[:, None] != country[None, :]
            light = (w[:, None] + w[None, :]) < self.k
            upper = np.triu(np.ones(light.shape, dtype=bool), 1)
            for sign in (1.0, -1.0):
                hit = cross & light & upper & (np.abs(d[:, None] + d[None, :] + 2 * sign * gram
                                                      - 2) < 1e-6)
                for a, b in zip(*np.nonzero(hit), strict=True):
                    t = rows[a] + sign * rows[b]
                    changed |= self._fix_wide(published_wide, to_cells @ t, sup)
        return changed

    def _fix_wide(self, published_wide: np.ndarray, weights: np.ndarray,
                  sup: np.ndarray) -> bool:
        """A set revealed only with the EU-wide areas' help: suppress the published EU-wide area
        that its derivation leans on most (the EU total last)."""
        if not np.abs(weights).max(initial=0.0) > 1e-9:
            return False
        order = sorted(range(len(published_wide)),
                       key=lambda i: (self.h.area_type[published_wide[i]] == "eu",
                                      -round(abs(float(weights[i])), 9)))
        for i in order:
            if abs(weights[i]) > 1e-9 and not sup[published_wide[i]]:
                sup[published_wide[i]] = True
                return True
        return False


def _basis(m: np.ndarray) -> np.ndarray:
    if not m.size or not m.any():
        return np.zeros((m.shape[0], 0))
    u, s, _ = np.linalg.svd(m, full_matrices=False)
    return u[:, s > TOL * max(1.0, float(s.max()))]


def _in_span(q: np.ndarray, vectors: np.ndarray) -> np.ndarray:
    """bool per column of `vectors` [X, V]: lies in the span of q's orthonormal columns."""
    if not vectors.size:
        return np.zeros(vectors.shape[1], dtype=bool)
    proj = q.T @ vectors
    return np.abs((proj * proj).sum(axis=0) - (vectors * vectors).sum(axis=0)) < 1e-6


def _in_span2(q: np.ndarray, extra: np.ndarray, vectors: np.ndarray) -> np.ndarray:
    """As _in_span for the span of q's columns plus `extra` (orthogonal to them, not
    normalised here: the rows of a global orthonormal basis restricted to this country)."""
    proj = q.T @ vectors
    ext = extra.T @ vectors
    return np.abs((proj * proj).sum(axis=0) + (ext * ext).sum(axis=0)
                  - (vectors * vectors).sum(axis=0)) < 1e-6


def _small_sets(rows: np.ndarray, small: np.ndarray, weight: np.ndarray, size: int,
                k: int) -> list[np.ndarray]:
    """Single atoms and pairs (sum, difference) among `small` (rows: their projection rows)
    that lie in the span and hold 1..k-1 hidden members."""
    out = []
    d = (rows * rows).sum(axis=1)
    single = d > 1 - 1e-6
    for x in small[single]:
        v = np.zeros(size)
        v[x] = 1.0
        out.append(v)
    rest = np.flatnonzero(~single)
    if len(rest) < 2:
        return out
    gram = rows[rest] @ rows[rest].T
    dr = d[rest]
    w = weight[small[rest]]
    light = (w[:, None] + w[None, :]) < k
    upper = np.triu(np.ones(light.shape, dtype=bool), 1)
    for sign in (1.0, -1.0):
        hit = light & upper & (np.abs(dr[:, None] + dr[None, :] + 2 * sign * gram - 2) < 1e-6)
        for a, b in zip(*np.nonzero(hit), strict=True):
            v = np.zeros(size)
            v[small[rest[a]]], v[small[rest[b]]] = 1.0, sign
            out.append(v)
    return out


# ------------------------------------------------------------------ as a table


def pattern(h: Hierarchy, members: np.ndarray, hidden: np.ndarray, k: int) -> pd.DataFrame:
    """Every area: area_type, area_id, n, hidden, publish (one population, e.g. the
    municipalities that answered a wave; `hidden` all False where every result is public)."""
    atom_n, atom_h = h.counts(members, hidden)
    sup = suppress(h, atom_n, atom_h, k)
    n, hid = h.area_sums(atom_n), h.area_sums(atom_h)
    return pd.DataFrame({"area_type": h.area_type, "area_id": h.area_id, "n": n,
                         "hidden": hid, "publish": ~sup & (n > 0)})
