"""National digital-government indices to show beside the self-assessment (independent measurements).

One row per country of the reference list (Eurostat codes: EL, UK), read from the shipped sources
in `data/reference/sources/` (see data/reference/README.md for provenance and licences):

- `desi_dps`: DESI 2022, dimension "4 Digital public services" (2022 edition, 0–100, EU27 only).
- `egov_overall`: eGovernment Benchmark 2023 overall score (indicator 0), biennial average
  2021–2022 (0–100; EU27 and candidate/EFTA countries).
- `oecd_dgi`: OECD Digital Government Index 2023, composite index (0–1; OECD members only),
  keyed by ISO3 and joined through `countries.csv`.

Missing scores stay NaN: a country outside a source's coverage has no value, never 0.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

DESI_FILE = "desi2022_scores.csv"
DESI_EDITION = 2022
DESI_COLUMN = "4_digital_public_services"
EGOV_FILE = "egov_benchmark_2023_scores.csv"
EGOV_INDICATOR = "0"
EGOV_COLUMN = "biennial_average_2021_2022"
INTL_FILE = "intl_digital_gov_indices.csv"
OECD_DGI_SOURCE = "OECD Digital Government Index 2023"
OECD_DGI_VARIABLE = "composite_index"
COUNTRIES_FILE = "countries.csv"

INDICES = ("desi_dps", "egov_overall", "oecd_dgi")
# index -> (credit line, scale maximum)
SOURCES = {
    "desi_dps": ("European Commission, DESI 2022 – digital public services", 100.0),
    "egov_overall": ("European Commission, eGovernment Benchmark 2023 – overall score "
                     "(biennial average 2021–2022)", 100.0),
    "oecd_dgi": ("OECD, Digital Government Index 2023 – composite index", 1.0),
}


def load_national_indices(reference_dir: Path) -> pd.DataFrame:
    """Columns: country (Eurostat code), iso3, desi_dps, egov_overall, oecd_dgi; sorted by country."""
    reference_dir = Path(reference_dir)
    sources = reference_dir / "sources"
    countries = pd.read_csv(reference_dir / COUNTRIES_FILE, dtype=str, keep_default_na=False)

    desi = pd.read_csv(sources / DESI_FILE, dtype={"country": str})
    desi = desi[desi["desi_edition"] == DESI_EDITION]
    desi_s = desi.set_index("country")[DESI_COLUMN].astype(float)

    egov = pd.read_csv(sources / EGOV_FILE, dtype={"country": str, "indicator_code": str})
    egov = egov[egov["indicator_code"].str.strip() == EGOV_INDICATOR]
    egov_s = egov.set_index("country")[EGOV_COLUMN].astype(float)

    intl = pd.read_csv(sources / INTL_FILE, dtype={"cc_iso3c": str})
    dgi = intl[(intl["source"] == OECD_DGI_SOURCE) & (intl["variable"] == OECD_DGI_VARIABLE)]
    dgi_s = dgi.set_index("cc_iso3c")["value"].astype(float)

    out = countries[["code", "iso3"]].rename(columns={"code": "country"}).copy()
    out["desi_dps"] = out["country"].map(desi_s)
    out["egov_overall"] = out["country"].map(egov_s)
    out["oecd_dgi"] = out["iso3"].map(dgi_s)
    return out.sort_values("country", ignore_index=True)
