"""National indices beside the self-assessment: read from the shipped sources, keyed by country."""

from __future__ import annotations

import math

import pytest

from pipelines.national_indices import INDICES, load_national_indices
from pipelines.reference import REFERENCE_DIR


@pytest.fixture(scope="module")
def indices():
    return load_national_indices(REFERENCE_DIR).set_index("country")


def test_one_row_per_reference_country(indices):
    assert len(indices) == 35 and indices.index.is_unique
    assert list(indices.columns) == ["iso3", *INDICES]


def test_known_values(indices):
    assert indices.loc["NL", "desi_dps"] == pytest.approx(84.1859)
    assert indices.loc["NL", "egov_overall"] == pytest.approx(85.3063)
    assert indices.loc["NL", "oecd_dgi"] == pytest.approx(0.562)
    assert indices.loc["BE", "desi_dps"] == pytest.approx(64.753)
    assert indices.loc["BE", "oecd_dgi"] == pytest.approx(0.539)
    # Greece is EL in Eurostat codes and GRC in ISO3: both joins work
    assert not math.isnan(indices.loc["EL", "desi_dps"])
    assert not math.isnan(indices.loc["EL", "egov_overall"])


def test_missing_coverage_stays_missing(indices):
    assert math.isnan(indices.loc["UK", "desi_dps"])  # DESI 2022 covers the EU27 only
    assert math.isnan(indices.loc["LI", "egov_overall"])
    assert (indices[list(INDICES)].fillna(1) > 0).all().all()
