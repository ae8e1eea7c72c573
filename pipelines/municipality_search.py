"""Find a municipality among the ~98,600 in the reference table by name or code. Pure: no Dash.

Accents, case and punctuation are ignored ("liege" finds Liège, "s gravenhage" finds
's-Gravenhage), on the official name, the other-language name (Belgium), a few common exonyms
(`ALIASES`: "Den Haag", "Ghent"), the national code (GM0344, 44021) and the GISCO id
(NL_GM0344). Ranking, best first:

0. the whole query equals a name, code or id;
1. a name, code or id starts with it;
2. every query word starts a word of the name ("haag den", "sint jans" finds Sint-Jans-Molenbeek);
3. every query word occurs somewhere in the name or code (3+ characters);

then larger municipalities first. Everything is folded once when the index is built, so a query
is a few binary searches over sorted keys plus, only when those give too few hits, one regex scan
(2–15 ms over 98k names).
"""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Sequence

import numpy as np
import pandas as pd

from pipelines.packed_strings import PackedStrings
from pipelines.row_index import RowIndex, shared_ids

# Letters that NFKD does not split into a base letter plus an accent.
_SPECIAL = {"ł": "l", "ø": "o", "æ": "ae", "œ": "oe", "đ": "d", "ħ": "h", "ı": "i", "þ": "th",
            "ð": "d", "ŀ": "l", "ŧ": "t"}
_SPECIAL_RE = re.compile("[" + "".join(_SPECIAL) + "]")
_PUNCT = re.compile(r"[^\w\n]+|_+")
# Combining marks (accents) left over after NFKD decomposition.
_COMBINING = re.compile("[\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]+")

# Names people use that are in neither the official nor the Belgian alternative name.
ALIASES: dict[str, tuple[str, ...]] = {
    "NL_GM0518": ("Den Haag", "The Hague"),
    "NL_GM0796": ("Den Bosch",),
    "BE_21004": ("Brussels", "Brussels City", "Bruxelles-Ville"),
    "BE_11002": ("Antwerp",),
    "BE_44021": ("Ghent",),
    "DE_09162000": ("Munich",),
    "DE_05315000": ("Cologne",),
    "CZ_554782": ("Prague",),
    "PL_1007141286501": ("Warsaw",),
    "DK_101": ("Copenhagen",),
    "AT_90001": ("Vienna",),
    "IT_058091": ("Rome",),
    "IT_015146": ("Milan",),
    "IT_063049": ("Naples",),
    "IT_001272": ("Turin",),
    "IT_048017": ("Florence",),
    "IT_010025": ("Genoa",),
    "IT_027042": ("Venice",),
    "SE_1480": ("Gothenburg",),
    "DE_03241001": ("Hanover",),
    "DE_09564000": ("Nuremberg",),
    "RO_179132": ("Bucharest",),
}


def normalise(text: object) -> str:
    """Fold case and accents and turn punctuation into single spaces:
    "'s-Gravenhage" -> "s gravenhage", "Łódź" -> "lodz", "Liège" -> "liege"."""
    if text is None or (isinstance(text, float) and np.isnan(text)):
        return ""
    return normalise_many([str(text)])[0]


def normalise_many(texts: Iterable[str]) -> list[str]:
    """`normalise` for many strings at once: one pass over them joined, ~50x faster than a loop."""
    texts = [str(t) for t in texts]
    if not texts:
        return []
    joined = "\n".join(texts)  # names never hold a line break
    folded = unicodedata.normalize("NFKD", joined.casefold())
    folded = _SPECIAL_RE.sub(lambda m: _SPECIAL[m.group()], _COMBINING.sub("", folded))
    return [line.strip() for line in _PUNCT.sub(" ", folded).split("\n")]


def _sorted_index(parts) -> tuple[PackedStrings, np.ndarray]:
    """(sorted non-empty keys, their rows) from [(keys, rows), ...]."""
    keys = [k for part, _ in parts for k in part]
    rows = np.concatenate([np.asarray(r, dtype=np.int64) for _, r in parts])
    order = [i for i in sorted(range(len(keys)), key=keys.__getitem__) if keys[i]]
    return (PackedStrings([keys[i] for i in order]), rows[np.array(order, dtype=np.int64)])


class MunicipalityIndex:
    """Folded names and codes of every municipality, built once; `search` answers a query.

    Everything kept is packed (numpy arrays, PackedStrings, one haystack string), not a Python
    object per municipality: the index is built in gunicorn's master and read by every worker,
    and reads of packed data leave the shared memory pages shared (pipelines/packed_strings.py).
    """

    def __init__(self, ids: Sequence[str], countries: Sequence[str], codes: Sequence[str],
                 names: Sequence[str], names_alt: Sequence[str],
                 population: Sequence[float] | None = None,
                 aliases: dict[str, tuple[str, ...]] | None = None):
        ids_l = [str(i) for i in ids]
        codes_l = [str(c) for c in codes]
        names_l = [str(x) for x in names]
        alts_l = [a if isinstance(a, str) else "" for a in names_alt]
        self.ids = shared_ids(ids_l)
        self.countries = np.asarray([str(c) for c in countries], dtype=str)
        self.codes = PackedStrings(codes_l)
        self.names = PackedStrings(names_l)
        self.names_alt = PackedStrings(alts_l)
        n = len(self.ids)
        aliases = aliases or {}
        row_aliases = [aliases.get(i, ()) for i in ids_l]
        self._rows = RowIndex.of(self.ids)

        pop = np.zeros(n) if population is None else pd.to_numeric(
            pd.Series(population), errors="coerce").fillna(-1).to_numpy(dtype=float)
        order = np.argsort(-pop, kind="stable")  # larger first; ties keep id order
        self._size_rank = np.empty(n, dtype=np.int64)
        self._size_rank[order] = np.arange(n)

        names_n = normalise_many(names_l)
        alts_n = normalise_many(alts_l)
        codes_n = normalise_many(codes_l)
        ids_n = normalise_many(ids_l)
        alias_rows = [row for row, a in enumerate(row_aliases) for _ in a]
        alias_n = normalise_many(a for these in row_aliases for a in these)
        rows = np.arange(n, dtype=np.int64)

        # Whole keys: names, other-language names, aliases, national codes, ids.
        key_parts = [(names_n, rows), (alts_n, rows), (alias_n, np.array(alias_rows, dtype=np.int64)),
                     (codes_n, rows), (ids_n, rows)]
        self._keys, self._key_rows = _sorted_index(key_parts)

        # Words of the names (and the national code and country code, so "gent be" works).
        place_texts = [f"{a} {b}" for a, b in zip(names_n, alts_n, strict=True)]
        for row, alias in zip(alias_rows, alias_n, strict=True):
            place_texts[row] += " " + alias
        word_counts = np.fromiter((len(t.split()) for t in place_texts), dtype=np.int64, count=n)
        words = " ".join(place_texts).split()
        word_parts = [(words, np.repeat(rows, word_counts)), (codes_n, rows),
                      (normalise_many(self.countries.tolist()), rows)]
        self._words, self._word_rows = _sorted_index(word_parts)

        # One string of all rows, one line each, for the substring fallback.
        texts = [f"{p} {c} {i}".replace("  ", " ").strip()
                 for p, c, i in zip(place_texts, codes_n, ids_n, strict=True)]
        self._haystack = "\n".join(texts)
        lengths = np.fromiter((len(t) + 1 for t in texts), dtype=np.int64, count=n)
        # row r's text is _haystack[_starts[r]:_starts[r + 1] - 1]
        self._starts = np.concatenate([[0], np.cumsum(lengths)])

    @classmethod
    def from_frame(cls, table: pd.DataFrame,
                   aliases: dict[str, tuple[str, ...]] | None = None) -> MunicipalityIndex:
        """From the reference table (pipelines.reference.load_municipalities), in its order."""
        return cls(table["municipality_id"], table["country"], table["national_code"],
                   table["name"], table["name_alt"].fillna(""), table["population"],
                   ALIASES if aliases is None else aliases)

    def __len__(self) -> int:
        return len(self.ids)

    def row_of(self, municipality_id: str | None) -> int | None:
        """Row of a municipality id, None when unknown."""
        return self._rows.get(municipality_id)

    # ------------------------------------------------------------------ search

    @staticmethod
    def _prefix_rows(keys: PackedStrings, rows: np.ndarray, prefix: str) -> np.ndarray:
        lo = bisect_left(keys, prefix)
        return rows[lo:bisect_left(keys, prefix + "\U0010ffff", lo)]

    def _text(self, row: int) -> str:
        return self._haystack[int(self._starts[row]):int(self._starts[row + 1]) - 1]

    def _exact_rows(self, key: str) -> np.ndarray:
        lo = bisect_left(self._keys, key)
        return self._key_rows[lo:bisect_right(self._keys, key, lo)]

    def _substring_rows(self, word: str) -> np.ndarray:
        offsets = np.fromiter((m.start() for m in re.finditer(re.escape(word), self._haystack)),
                              dtype=np.int64)
        return np.unique(np.searchsorted(self._starts[:-1], offsets, side="right") - 1)

    def search(self, query: str | None, limit: int | None = 20,
               country: str | None = None) -> np.ndarray:
        """Row numbers of the best matches, best first (all matches when `limit` is None)."""
        q = normalise(query)
        if not q:
            return np.array([], dtype=np.int64)
        words = q.split()
        n = len(self.ids)
        tier = np.full(n, 9, dtype=np.int8)

        def intersect(sets: Iterable[np.ndarray]) -> np.ndarray:
            out = None
            for s in sets:
                out = np.unique(s) if out is None else np.intersect1d(out, s, assume_unique=False)
                if not len(out):
                    break
            return out if out is not None else np.array([], dtype=np.int64)

        word_hits = intersect(self._prefix_rows(self._words, self._word_rows, w) for w in words)
        prefix_hits = self._prefix_rows(self._keys, self._key_rows, q)
        found = len(np.union1d(word_hits, prefix_hits))
        if (limit is None or found < limit) and all(len(w) >= 3 for w in words):
            tier[intersect(self._substring_rows(w) for w in words)] = 3
        tier[word_hits] = 2
        tier[prefix_hits] = 1
        tier[self._exact_rows(q)] = 0
        if country:
            tier[self.countries != country] = 9
        rows = np.flatnonzero(tier < 9)
        rows = rows[np.lexsort((self._size_rank[rows], tier[rows]))]
        return rows if limit is None else rows[:limit]

    # ------------------------------------------------------------------ presentation

    def label(self, row: int) -> str:
        """'Utrecht (NL, GM0344)'; Belgian names with their other-language name:
        'Antwerpen / Anvers (BE, 11002)'."""
        name, alt = self.names[row], self.names_alt[row]
        both = f"{name} / {alt}" if alt else str(name)
        return f"{both} ({self.countries[row]}, {self.codes[row]})"

    def option(self, row: int) -> dict:
        """A dcc.Dropdown option. `search` holds the folded names, so the dropdown's own
        client-side filter (case-insensitive substrings, but not accent-insensitive) keeps
        what the server found: "liege" still shows "Liège"."""
        return {"label": self.label(row), "value": str(self.ids[row]),
                "search": self._text(row)}

    def options(self, rows: Iterable[int]) -> list[dict]:
        return [self.option(int(r)) for r in rows]
