"""The eGovernment Benchmark 2023 city websites, per municipality: an independent measurement.

The EC's eGovernment Benchmark 2023 had mystery shoppers try public services on government
websites in 2021 and 2022 and answer yes/no questions per service (`data/reference/sources/
egov_benchmark_2023_service_assessments.csv.gz`). Local-government rows name their provider in
free text ("Gemeente Utrecht", "Utrecht Municipality", "Stad Gent", "City of Paris"). This module
maps those names to municipality ids and sums the answers per municipality:

- `provider_place` strips the words around the place name ("Gemeente", "City of", "Stad",
  "Municipality", ", Stadt" ...) and folds accents and case;
- `match_provider` looks the place up among the country's municipality names (official name,
  other-language name, the part before a comma: "Kiel, Landeshauptstadt" -> "kiel") and accepts
  only a single municipality of at least `MIN_POPULATION` inhabitants (the benchmark assessed
  larger cities; this keeps a hospital or agency from matching a village of the same name);
- the curated `data/reference/egov_local_providers.csv` (provider, country, municipality_id)
  comes first: it fixes what the rule gets wrong or cannot know ("Bruges", "Fourons",
  "Hôtel communal de Schaerbeek") and, with an empty municipality_id, says that a provider is not
  a municipality (OCMW/CPAS, hospitals, "19 communes bruxelloises").

`measure_scores` then gives, per municipality and measure, the share of yes answers over its
assessed services. Only local-government rows count.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from pipelines.municipality_search import ALIASES, normalise

SOURCE_FILE = "sources/egov_benchmark_2023_service_assessments.csv.gz"
PROVIDERS_FILE = "egov_local_providers.csv"
MIN_POPULATION = 10_000
# Countries whose LAU units are not the municipal government (data/reference/README.md: PT
# parishes, IE local electoral areas, EL local communities): no automatic match there.
NOT_MUNICIPAL_LAU = frozenset({"PT", "IE", "EL"})

# Words around the place name, folded (see municipality_search.normalise), longest first.
_PREFIXES = sorted([
    "gemeente", "stad", "stadsbestuur", "stadt", "ville de", "ville d", "city of", "citiy of",
    "city", "municipality of", "municipality", "local municipality of", "commune de", "commune d",
    "administration communale de", "administration communale d", "hotel communal de",
    "hotel communal d", "comune di", "ayuntamiento de", "ayuntamiento", "concello de", "concello",
    "ajuntament de", "municipio de", "kaupunki", "mesto", "miasto", "urzad miasta", "gmina",
    "primaria municipiului", "primaria", "municipiul", "minicipiul", "landeshauptstadt",
], key=len, reverse=True)
_SUFFIXES = sorted([
    "municipality", "city council", "city", "council", "kommune", "kommun", "kunta", "kaupunki",
    "stadt", "landeshauptstadt", "hansestadt", "freie und hansestadt", "universitatsstadt",
    "city hall", "town hall", "town", "city government", "municipal office", "city administration",
    "linn",
], key=len, reverse=True)
_PARENS = re.compile(r"\([^)]*\)")
_AROUND = re.compile(r"^(?:(?:{}) )+|(?: (?:{}))+$".format(
    "|".join(map(re.escape, _PREFIXES)), "|".join(map(re.escape, _SUFFIXES))))


def provider_place(provider: str) -> str:
    """The place name inside a provider (or municipality) name, folded: "Gemeente Utrecht",
    "Utrecht Municipality" -> "utrecht"; "Stad Antwerpen (Antwerpen.be)" -> "antwerpen";
    "Oslo kommune" -> "oslo"."""
    return _AROUND.sub("", normalise(_PARENS.sub(" ", str(provider)))).strip()


def name_keys(table: pd.DataFrame, aliases: dict[str, tuple[str, ...]] | None = None,
              min_population: int = MIN_POPULATION) -> dict[tuple[str, str], list[int]]:
    """(country, folded place name) -> rows of `table` (the reference municipalities). Each
    municipality is found by its name, its other-language name, each side of a bilingual
    "A / B" name, the part before a comma ("Köln, Stadt" -> "koln"), and its exonyms
    (municipality_search.ALIASES: "Cologne"), all with the same words stripped as providers.
    Only municipalities of at least `min_population` inhabitants (the ones a provider may match)."""
    aliases = ALIASES if aliases is None else aliases
    out: dict[tuple[str, str], list[int]] = {}
    big = np.flatnonzero(table["population"].fillna(0).to_numpy(dtype=float) >= min_population)
    columns = [table[c].to_numpy(dtype=object)[big]
               for c in ("municipality_id", "country", "name", "name_alt")]
    for row, mid, country, name, alt in zip(big, *columns, strict=True):
        alt = alt if isinstance(alt, str) else ""
        variants = {name, alt, *str(name).split(" / "), re.split(r"[,(]", str(name))[0],
                    *aliases.get(mid, ())}
        for v in variants:
            key = provider_place(v) if v else ""
            if key:
                rows = out.setdefault((country, key), [])
                if row not in rows:
                    rows.append(int(row))
    return out


def match_provider(provider: str, country: str, keys: dict[tuple[str, str], list[int]],
                   population: np.ndarray, min_population: int = MIN_POPULATION) -> int | None:
    """Row of the one municipality that `provider` names, or None when none or several match."""
    place = provider_place(provider)
    if not place or country in NOT_MUNICIPAL_LAU:
        return None
    rows = [r for r in keys.get((country, place), []) if population[r] >= min_population]
    return rows[0] if len(rows) == 1 else None


def provider_key(provider: str) -> str:
    """How the curated table matches a provider: folded, whitespace collapsed (the source has
    "City\\xa0of\\xa0Paris" and trailing blanks)."""
    return normalise(provider)


def load_curated(path: Path) -> dict[tuple[str, str], str | None]:
    """(country, provider_key) -> municipality_id, or None for "not a municipality"."""
    df = pd.read_csv(path, dtype=str, keep_default_na=False)
    return {(r.country, provider_key(r.provider)): (r.municipality_id or None)
            for r in df.itertuples()}


def map_providers(assessments: pd.DataFrame, table: pd.DataFrame,
                  curated: dict[tuple[str, str], str | None]) -> pd.Series:
    """municipality_id per assessment row (None where the provider is not a municipality or
    not recognised). Curated entries first, then `match_provider`."""
    keys = name_keys(table)
    population = table["population"].fillna(0).to_numpy(dtype=float)
    ids = table["municipality_id"].to_numpy()
    cache: dict[tuple[str, str], str | None] = {}
    out = []
    for provider, country in zip(assessments["service_provider"], assessments["country"],
                                 strict=True):
        k = (country, provider_key(provider))
        if k not in cache:
            if k in curated:
                cache[k] = curated[k]
            else:
                row = match_provider(provider, country, keys, population)
                cache[k] = None if row is None else str(ids[row])
        out.append(cache[k])
    return pd.Series(out, index=assessments.index, dtype=object)


# ------------------------------------------------------------------ scores


@dataclass(frozen=True)
class Measure:
    key: str
    questions: tuple[str, ...]  # column prefixes in the source
    related_element: str  # the framework element it is shown beside


MEASURES: tuple[Measure, ...] = (
    Measure("online", ("q_a1_", "q_a2_", "q_a3_"), "SRV-01"),
    Measure("transparency", tuple(f"q_c{i}_" for i in range(1, 10)), "SRV-06"),
    Measure("eid", ("q_f2_", "q_f3_", "q_f4_"), "SRV-02"),
    Measure("edocuments", ("q_f7_1_", "q_f7_2_"), "SRV-07"),
    Measure("prefilled", ("q_f9_",), "SRV-03"),
    Measure("mobile", ("mobile_friendliness",), "SRV-06"),
)


def load_assessments(reference_dir: Path, table: pd.DataFrame | None = None) -> pd.DataFrame:
    """The local-government rows of the service assessments, with yes=1/no=0/NaN per question
    (mobile friendliness 100 -> 1) and a municipality_id column (None where unmapped).
    `table` is the reference table (read from `reference_dir` when not given)."""
    from pipelines.reference import MUNICIPALITIES_FILE, load_municipalities

    raw = pd.read_csv(reference_dir / SOURCE_FILE, dtype=str)
    local = raw[raw["government_level"] == "local"].reset_index(drop=True)
    if table is None:
        table = load_municipalities(reference_dir / MUNICIPALITIES_FILE)
    curated = load_curated(reference_dir / PROVIDERS_FILE)
    local["municipality_id"] = map_providers(local, table, curated)
    answers = local.filter(regex=r"^(q_|mobile_friendliness)").apply(pd.to_numeric)
    answers["mobile_friendliness"] = answers["mobile_friendliness"] / 100
    keep = ["id", "country", "life_event", "service", "year", "service_provider", "url",
            "municipality_id"]
    return pd.concat([local[keep], answers], axis=1)


def _columns(df: pd.DataFrame, measure: Measure) -> list[str]:
    return [c for c in df.columns if any(c.startswith(q) for q in measure.questions)]


def measure_scores(rows: pd.DataFrame) -> pd.DataFrame:
    """One row per measure over the given assessment rows: yes answers, answers, share (NaN
    without answers) and the number of assessed services."""
    out = []
    for m in MEASURES:
        values = rows[_columns(rows, m)].to_numpy(dtype=float)
        answered = int((~np.isnan(values)).sum())
        yes = int(np.nansum(values))
        out.append({"measure": m.key, "yes": yes, "answers": answered,
                    "share": yes / answered if answered else np.nan,
                    "related_element": m.related_element})
    df = pd.DataFrame(out)
    df["services"] = len(rows)
    return df


class EgovLocal:
    """The mapped assessments, with per-municipality and per-country scores on demand."""

    def __init__(self, assessments: pd.DataFrame):
        self.assessments = assessments
        mapped = assessments.dropna(subset=["municipality_id"])
        self._by_municipality = {k: g for k, g in mapped.groupby("municipality_id")}
        self._national: dict[str, pd.DataFrame] = {}
        self._scores: dict[str, pd.DataFrame] = {}
        self._everywhere = measure_scores(assessments)

    @classmethod
    def load(cls, reference_dir: Path, table: pd.DataFrame | None = None) -> EgovLocal:
        return cls(load_assessments(reference_dir, table))

    def municipalities(self) -> list[str]:
        return sorted(self._by_municipality)

    def has(self, municipality_id: str) -> bool:
        return municipality_id in self._by_municipality

    def rows(self, municipality_id: str) -> pd.DataFrame:
        return self._by_municipality.get(municipality_id, self.assessments.iloc[:0])

    def scores(self, municipality_id: str, country: str) -> pd.DataFrame:
        """Per measure: the municipality's share of yes answers and, for context, the share over
        every local website assessed in its country and in all countries."""
        if municipality_id in self._scores:
            return self._scores[municipality_id].copy()
        own = measure_scores(self.rows(municipality_id))
        if country not in self._national:
            self._national[country] = measure_scores(
                self.assessments[self.assessments["country"] == country])
        own["country_share"] = self._national[country]["share"].to_numpy()
        own["all_share"] = self._everywhere["share"].to_numpy()
        self._scores[municipality_id] = own
        return own.copy()

    def providers(self, municipality_id: str) -> list[str]:
        names = self.rows(municipality_id)["service_provider"]
        return sorted({" ".join(str(n).split()) for n in names})  # "City\xa0of\xa0Paris"
