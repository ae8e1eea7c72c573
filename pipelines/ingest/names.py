"""Municipality names as people write them, resolved to the reference table (with a country).

A survey asks "Welke gemeente?" and gets `Gemeente Amsterdam`, `'s-Hertogenbosch`,
`s Hertogenbosch` or `GEMEENTE DEN HAAG`. With a country (a mapping's `country:` or the canonical
file's country column) such a name is accepted wherever a code is:

- case, accents and punctuation do not count (`pipelines.municipality_search.normalise`:
  "'s-Hertogenbosch" and "s hertogenbosch" are one key);
- the official name, the other-language name (Belgium) and the common exonyms of
  `municipality_search.ALIASES` ("Den Haag") are known;
- one administrative prefix or suffix of the country (`AFFIXES` below: "Gemeente", "Stadt",
  "Comune di", "... kommun") is dropped, from what was written and from the reference names;
- a qualifier in the reference name is optional when it is unique: "Flensburg" finds
  "Flensburg, Stadt"; "Bergen" in NL is ambiguous between "Bergen (NH.)" and "Bergen (L.)".

An ambiguous name is an error listing the candidates with their codes; an unknown name gets
the nearest names (difflib). Each country's keys are built once per index (a dict), each
distinct value is looked up once, so 100k rows cost one dict lookup per distinct name.
"""

from __future__ import annotations

import difflib
import re
import weakref
from dataclasses import dataclass
from functools import lru_cache

import pandas as pd

from pipelines.municipality_search import ALIASES, normalise_many
from pipelines.reference import MunicipalityIndex, load_municipalities

# Administrative words around a municipality's name, per country, as `normalise` writes them
# (lower case, no accents, punctuation as one space). Prefixes are dropped from the start of a
# name, suffixes from its end; longest first. A country not listed gets only GENERIC_PREFIXES.
AFFIXES: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    #       prefixes                                                        suffixes
    "NL": (("gemeente", "stad"), ()),
    "BE": (("gemeente", "stad", "ville de", "ville d", "commune de", "commune d", "gemeinde",
            "stadt"), ()),
    "LU": (("commune de", "commune d", "ville de", "ville d", "gemeinde", "stadt"), ()),
    "FR": (("commune de", "commune d", "ville de", "ville d", "mairie de", "mairie d"), ()),
    "DE": (("stadt", "gemeinde", "markt", "hansestadt", "landeshauptstadt", "kreisstadt",
            "grosse kreisstadt", "universitatsstadt"), ("stadt", "gemeinde", "markt")),
    "AT": (("stadt", "stadtgemeinde", "gemeinde", "marktgemeinde", "markt"), ()),
    "CH": (("gemeinde", "stadt", "commune de", "commune d", "ville de", "ville d",
            "comune di"), ()),
    "IT": (("comune di", "comune d", "citta di", "citta d"), ()),
    "ES": (("municipio de", "ayuntamiento de", "ajuntament de", "ajuntament d", "concello de"),
           ()),
    "PT": (("municipio de", "municipio do", "municipio da", "camara municipal de",
            "concelho de"), ()),
    "DK": (("kommune",), ("kommune",)),
    "NO": (("kommune",), ("kommune",)),
    "SE": (("kommun",), ("kommun",)),
    "FI": ((), ("kunta", "kaupunki")),
    "PL": (("gmina miejska", "gmina wiejska", "miasto i gmina", "gmina", "miasto"), ()),
    "CZ": (("statutarni mesto", "obec", "mesto", "mestys"), ()),
    "SK": (("obec", "mesto"), ()),
    "EL": (("dimos", "δημος", "κοινοτητα"), ()),
    "RO": (("comuna", "municipiul", "orasul"), ()),
    "HR": (("grad", "opcina"), ()),
    "SI": (("mestna obcina", "obcina"), ()),
}
GENERIC_PREFIXES = ("municipality of", "city of", "town of")
_GENITIVE_S = frozenset({"DK", "NO", "SE"})  # "Københavns Kommune": the name takes an -s
_QUALIFIER = re.compile(r"\s*(?:\(.*\)|,.*)$")  # "Bergen (NH.)", "Flensburg, Stadt"
_CODE_LIKE = re.compile(r"^(?:[A-Z]{2}_)?[A-Z]{0,2}[0-9][0-9 .]*$", re.IGNORECASE)
MAX_SUGGESTED = 20  # distinct unknown names per call that get nearest-name suggestions


def looks_like_name(value: str) -> bool:
    """True for a value that is not shaped like a code (GM0363, 0363, NL_GM0363, 11002)."""
    text = value.strip()
    return any(c.isalpha() for c in text) and not _CODE_LIKE.match(text)


@lru_cache(maxsize=64)
def _affixes(cc: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """Country `cc`'s prefixes (with the generic ones) and suffixes, longest first, each
    with the space that separates it from the name."""
    prefixes, suffixes = AFFIXES.get(cc, ((), ()))
    return (tuple(p + " " for p in sorted({*prefixes, *GENERIC_PREFIXES}, key=len, reverse=True)),
            tuple(" " + s for s in sorted(suffixes, key=len, reverse=True)))


def _strip(key: str, cc: str) -> str:
    """`key` without one administrative prefix and one suffix of country `cc`."""
    prefixes, suffixes = _affixes(cc)
    for p in prefixes:
        if key.startswith(p) and len(key) > len(p):
            key = key[len(p):]
            break
    for s in suffixes:
        if key.endswith(s) and len(key) > len(s):
            key = key[:-len(s)]
            if cc in _GENITIVE_S and key.endswith("s"):  # "Stockholms kommun"
                key = key[:-1]
            break
    return key


@dataclass
class _Country:
    full: dict[str, tuple[str, ...]]  # whole normalised name -> municipality ids
    loose: dict[str, tuple[str, ...]]  # without affixes and qualifier -> ids
    label: dict[str, str]  # id -> "Bergen (NH.) (GM0373)"
    by_key: dict[str, str]  # a key -> one id it stands for, for nearest-name suggestions


def _add(d: dict[str, tuple[str, ...]], key: str, mid: str) -> None:
    if key and mid not in d.get(key, ()):
        d[key] = (*d.get(key, ()), mid)


def _build(table: pd.DataFrame, cc: str) -> _Country:
    rows = table[table["country"] == cc]
    ids = rows["municipality_id"].astype(str).tolist()
    codes = rows["national_code"].astype(str).tolist()
    names = rows["name"].astype(str).tolist()
    alts = rows["name_alt"].fillna("").astype(str).tolist()
    texts, owners = [], []
    for mid, name, alt in zip(ids, names, alts, strict=True):
        for text in (name, alt, *ALIASES.get(mid, ())):
            if text:
                texts.append(text)
                owners.append(mid)
    keys = normalise_many(texts)
    bare = normalise_many(_QUALIFIER.sub("", t) for t in texts)
    full: dict[str, tuple[str, ...]] = {}
    loose: dict[str, tuple[str, ...]] = {}
    by_key: dict[str, str] = {}
    for key, b, mid in zip(keys, bare, owners, strict=True):
        _add(full, key, mid)
        _add(loose, _strip(b, cc), mid)
        by_key.setdefault(key, mid)
    label = {mid: f"{name} ({code})" for mid, name, code in zip(ids, names, codes, strict=True)}
    return _Country(full, loose, label, by_key)


@lru_cache(maxsize=1)
def _reference() -> pd.DataFrame:
    return load_municipalities()[["municipality_id", "country", "national_code", "name",
                                  "name_alt"]]


class NameIndex:
    """The names of one MunicipalityIndex's municipalities, per country, built on first use.

    The MunicipalityIndex keeps codes only, so the names come from its `table` when it has
    one, else from the committed reference table (restricted to the index's ids).
    """

    def __init__(self, index: MunicipalityIndex):
        self.index = index
        self._countries: dict[str, _Country] = {}

    def country(self, cc: str) -> _Country:
        got = self._countries.get(cc)
        if got is None:
            table = getattr(self.index, "table", None)
            if table is None:
                table = _reference()
                table = table[(table["country"] == cc).to_numpy(dtype=bool)]
                ids = self.index.ids
                table = table[[m in ids for m in table["municipality_id"].tolist()]]
            got = self._countries[cc] = _build(table, cc)
        return got

    def resolve(self, values: list[str], countries: list[str]
                ) -> list[tuple[str | None, str | None]]:
        """For each (name, country): (municipality_id, None) or (None, why not).

        Values that are not name-like, or without a country, give (None, None): the caller
        keeps its own code message for those.
        """
        out: list[tuple[str | None, str | None]] = [(None, None)] * len(values)
        todo = [i for i, (v, cc) in enumerate(zip(values, countries, strict=True))
                if cc and cc in self.index.countries and looks_like_name(v)]
        keys = normalise_many(values[i] for i in todo)
        bares = normalise_many(_QUALIFIER.sub("", values[i]) for i in todo)
        suggested = 0
        for i, key, bare in zip(todo, keys, bares, strict=True):
            cc = countries[i]
            c = self.country(cc)
            found = (c.full.get(key) or c.full.get(_strip(key, cc)) or c.loose.get(key)
                     or c.loose.get(_strip(bare, cc)))
            if found and len(found) == 1:
                out[i] = (found[0], None)
            elif found:
                labels = [c.label[m] for m in found]
                listed = (_or(labels) if len(labels) <= 6
                          else f"{', '.join(labels[:5])} and {len(labels) - 5} more")
                out[i] = (None, f"ambiguous municipality name in country {cc}: {listed};"
                                " give the code or the full name")
            else:
                near = ""
                if suggested < MAX_SUGGESTED:
                    suggested += 1
                    close = difflib.get_close_matches(_strip(key, cc), list(c.by_key), n=3,
                                                      cutoff=0.6)
                    labels = list(dict.fromkeys(c.label[c.by_key[k]] for k in close))
                    near = f"; nearest names: {', '.join(labels)}" if labels else \
                        "; no similar name"
                out[i] = (None, f"unknown municipality in country {cc} (codes and names are "
                                f"accepted{near})")
        return out


def _or(items: list[str]) -> str:
    return items[0] if len(items) == 1 else f"{', '.join(items[:-1])} or {items[-1]}"


_INDEXES: weakref.WeakKeyDictionary[MunicipalityIndex, NameIndex] = \
    weakref.WeakKeyDictionary()


def name_index(index: MunicipalityIndex) -> NameIndex:
    """The NameIndex of `index`, built once and kept as long as the index lives."""
    got = _INDEXES.get(index)
    if got is None:
        got = _INDEXES[index] = NameIndex(index)
    return got
