"""Tests for the demo-data generator (pipelines/demo.py).

Scopes nl and be are generated whole (fast); the EU is tested on a seeded sample of at most
80 municipalities per country, so every country (including IS, which has no populations, and
LI/UK, which have no national index) is in it.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pipelines import demo
from pipelines.canonical import COLUMNS, CONFIDENCE_VALUES, STAGED_SCHEMA, to_arrow
from pipelines.reference import COUNTRIES, load_municipalities

EU_SAMPLE_PER_COUNTRY = 80


@pytest.fixture(scope="module")
def table() -> pd.DataFrame:
    return load_municipalities()


@pytest.fixture(scope="module")
def index() -> dict[str, float]:
    return demo.national_index()


@pytest.fixture(scope="module")
def nl_table(table) -> pd.DataFrame:
    return demo.select_municipalities(table, "nl")


@pytest.fixture(scope="module")
def be_table(table) -> pd.DataFrame:
    return demo.select_municipalities(table, "be")


@pytest.fixture(scope="module")
def eu_table(table) -> pd.DataFrame:
    eu = demo.select_municipalities(table, "eu").sample(frac=1.0, random_state=7)
    return eu[eu.groupby("country").cumcount() < EU_SAMPLE_PER_COUNTRY].reset_index(drop=True)


@pytest.fixture(scope="module")
def nl(nl_table, fw, index) -> pd.DataFrame:
    return demo.generate_demo(nl_table, fw, waves=3, seed=0, index=index)


@pytest.fixture(scope="module")
def be(be_table, fw, index) -> pd.DataFrame:
    return demo.generate_demo(be_table, fw, waves=3, seed=0, index=index)


@pytest.fixture(scope="module")
def eu(eu_table, fw, index) -> pd.DataFrame:
    return demo.generate_demo(eu_table, fw, waves=3, seed=0, index=index)


@pytest.fixture(scope="module")
def frames(nl, be, eu) -> dict[str, pd.DataFrame]:
    return {"nl": nl, "be": be, "eu": eu}


@pytest.fixture(scope="module")
def tables(nl_table, be_table, eu_table) -> dict[str, pd.DataFrame]:
    return {"nl": nl_table, "be": be_table, "eu": eu_table}


SCOPE_NAMES = ("nl", "be", "eu")


def spearman(a, b) -> float:
    """Rank correlation without scipy (average ranks for ties)."""
    ra = pd.Series(np.asarray(a, dtype=float)).rank().to_numpy()
    rb = pd.Series(np.asarray(b, dtype=float)).rank().to_numpy()
    return float(np.corrcoef(ra, rb)[0, 1])


def municipality_means(df: pd.DataFrame) -> pd.Series:
    return df.groupby("municipality_id", observed=True)["level"].mean().astype(float)


# ------------------------------------------------------------------------ scopes and index


def test_select_municipalities(table):
    assert len(demo.select_municipalities(table, "nl")) == 342
    assert len(demo.select_municipalities(table, "be")) == 565
    assert len(demo.select_municipalities(table, "eu")) == len(table)
    assert set(demo.select_municipalities(table, "be")["country"]) == {"BE"}
    with pytest.raises(ValueError, match="unknown scope"):
        demo.select_municipalities(table, "de")


def test_national_index_covers_every_country_with_documented_fallbacks(index):
    t = demo.national_index_table()
    assert set(index) == {c.code for c in COUNTRIES}
    assert all(0.0 <= v <= 1.0 for v in index.values())
    basis = dict(zip(t["country"], t["basis"], strict=True))
    eu27 = {c.code for c in COUNTRIES if c.eu_member}
    assert len(eu27) == 27
    assert {c for c, b in basis.items() if b == "both"} == eu27
    assert {c for c, b in basis.items() if b == "egov"} == {"AL", "CH", "IS", "MK", "NO", "RS"}
    fallback = {c for c, b in basis.items() if b.startswith("fallback")}
    assert fallback == set(demo.FALLBACK_COUNTRIES) == {"LI", "UK"}
    others = [v for c, v in index.items() if c not in fallback]
    for c in fallback:
        assert index[c] == pytest.approx(np.mean(others), abs=1e-5)
    # a country with both sources gets their mean; the real ordering shows through
    nl_row = t.set_index("country").loc["NL"]
    assert nl_row["index"] == pytest.approx((nl_row["desi_norm"] + nl_row["egov_norm"]) / 2)
    assert index["EE"] > index["DE"] > index["RO"]
    assert index["MT"] > 0.9 and index["RO"] < 0.15


def test_wave_labels_end_in_2026():
    assert demo.wave_labels(1) == ["2026"]
    assert demo.wave_labels(2) == ["2025", "2026"]
    assert demo.wave_labels(3) == ["2024", "2025", "2026"]
    assert demo.wave_labels(5) == ["2022", "2023", "2024", "2025", "2026"]
    for bad in (0, -1, 11, 2.0, True):
        with pytest.raises(ValueError):
            demo.wave_labels(bad)


# ------------------------------------------------------------------------ shape and types


def assert_same_frame(a: pd.DataFrame, b: pd.DataFrame) -> None:
    """Exact equality, fast on categoricals (assert_frame_equal compares their values slowly)."""
    assert list(a.columns) == list(b.columns) and len(a) == len(b)
    for col in a.columns:
        assert a[col].dtype == b[col].dtype, col
        if isinstance(a[col].dtype, pd.CategoricalDtype):
            assert a[col].cat.categories.equals(b[col].cat.categories), col
            assert np.array_equal(a[col].cat.codes.to_numpy(), b[col].cat.codes.to_numpy()), col
        else:
            assert a[col].equals(b[col]), col


def test_deterministic_and_seeded(nl_table, fw, index, nl):
    again = demo.generate_demo(nl_table, fw, waves=3, seed=0, index=index)
    assert_same_frame(nl, again)
    pd.testing.assert_frame_equal(nl.head(2000), again.head(2000))
    shuffled = nl_table.sample(frac=1.0, random_state=3)
    assert_same_frame(nl, demo.generate_demo(shuffled, fw, waves=3, seed=0, index=index))
    other = demo.generate_demo(nl_table, fw, waves=3, seed=1, index=index)
    assert len(other) != len(nl) or not other["level"].equals(nl["level"])


def test_columns_and_dtypes(frames):
    for df in frames.values():
        assert list(df.columns) == list(COLUMNS)
        for col in ("municipality_id", "wave", "element_id", "respondent_id", "respondent_role",
                    "confidence", "evidence"):
            assert isinstance(df[col].dtype, pd.CategoricalDtype), col
        assert str(df["level"].dtype) == "Int8"
        assert df["submitted_at"].dtype == pd.DatetimeTZDtype(unit="s", tz="UTC")
        assert df["publish_consent"].dtype == bool
        assert set(df["wave"].cat.categories) == {"2024", "2025", "2026"}
        assert set(df["respondent_role"].dropna()) <= set(demo.ROLES)
        assert set(df["confidence"].dropna()) <= set(CONFIDENCE_VALUES)
        assert df[["municipality_id", "wave", "element_id", "respondent_id", "respondent_role",
                   "submitted_at"]].notna().all().all()


def test_only_real_ids_and_full_answer_sets(frames, tables, fw):
    for scope, df in frames.items():
        assert set(df["municipality_id"].astype(str)) <= set(tables[scope]["municipality_id"])
        assert set(df["element_id"].astype(str)) == set(fw.element_ids)
        # each respondent answers every element once per wave
        per = df.groupby(["respondent_id", "wave"], observed=True)["element_id"]
        assert (per.nunique() == len(fw.element_ids)).all()
        assert (per.size() == len(fw.element_ids)).all()
        assert not df.duplicated(["municipality_id", "wave", "element_id", "respondent_id"]).any()


def test_levels_whole_0_to_4_or_na(frames):
    for df in frames.values():
        lv = df["level"].dropna().astype(int)
        assert lv.between(0, 4).all()
        assert set(lv.unique()) == {0, 1, 2, 3, 4}


def test_fewer_waves(nl_table, fw, index):
    one = demo.generate_demo(nl_table.head(40), fw, waves=1, seed=5, index=index)
    assert set(one["wave"].astype(str)) == {"2026"}
    two = demo.generate_demo(nl_table.head(40), fw, waves=2, seed=5, index=index)
    assert set(two["wave"].astype(str)) <= {"2025", "2026"}
    assert "2026" in set(two["wave"].astype(str))


def test_five_waves_continue_the_years_backwards(nl_table, fw, index):
    five = demo.generate_demo(nl_table.head(40), fw, waves=5, seed=5, index=index)
    waves = five["wave"].astype(str)
    assert set(waves) <= set(demo.wave_labels(5)) and "2026" in set(waves)
    assert (five["submitted_at"].dt.year.astype(str) == waves).all()


def test_empty_table(nl_table, fw, index):
    df = demo.generate_demo(nl_table.head(0), fw, waves=3, seed=0, index=index)
    assert list(df.columns) == list(COLUMNS) and len(df) == 0


# ------------------------------------------------------------------------ respondents


def test_respondents_roles_and_stable_ids(frames):
    for df in frames.values():
        resp = df[["municipality_id", "respondent_id", "respondent_role"]].astype(str)
        resp = resp.drop_duplicates()
        # one role per respondent, in every wave
        assert not resp["respondent_id"].duplicated().any()
        assert (resp.apply(lambda r: r["respondent_id"].startswith(r["municipality_id"] + "-r"),
                           axis=1)).all()
        counts = resp.groupby("municipality_id").size()
        assert counts.between(1, 3).all()
        assert set(counts.unique()) == {1, 2, 3}
        # no repeated role within a municipality
        assert not resp.duplicated(["municipality_id", "respondent_role"]).any()
        # the same respondents in every wave a municipality responds
        sets = (df.groupby(["municipality_id", "wave"], observed=True)["respondent_id"]
                .nunique().groupby(level=0).nunique())
        assert (sets == 1).all()


def test_larger_municipalities_have_more_respondents(be, be_table):
    n = be.groupby("municipality_id", observed=True)["respondent_id"].nunique()
    pop = be_table.set_index("municipality_id").loc[n.index.astype(str), "population"]
    assert spearman(pop, n) > 0.15


# ------------------------------------------------------------------------ don't know, response


def test_dont_know_share_in_documented_range(frames):
    for scope, df in frames.items():
        share = df["level"].isna().mean()
        assert 0.05 <= share <= 0.10, (scope, share)


def test_dont_know_higher_outside_the_role_field(eu):
    block = eu["element_id"].astype(str).str[:3]
    role = eu["respondent_role"].astype(str)
    dk = eu["level"].isna()
    assert dk[(role == "DPO") & (block == "INF")].mean() > 2 * dk[(role == "DPO") & (block == "GOV")].mean()
    assert dk[(role == "CISO") & (block == "ECO")].mean() > 2 * dk[(role == "CISO") & (block == "SEC")].mean()


def test_non_response_share_in_documented_range(frames, tables):
    for scope, df in frames.items():
        n = len(tables[scope])
        per_wave = df.groupby("wave", observed=True)["municipality_id"].nunique()
        response = per_wave.sum() / (3 * n)
        assert 0.45 <= response <= 0.70, (scope, response)
        # more respond in later waves
        assert per_wave["2026"] > per_wave["2024"]
        # some municipalities never answer
        assert df["municipality_id"].nunique() < n


def test_larger_municipalities_respond_more(eu, eu_table):
    answered = eu.groupby("municipality_id", observed=True)["wave"].nunique()
    answered.index = answered.index.astype(str)
    waves = eu_table["municipality_id"].map(answered).fillna(0).astype(float)
    pop = eu_table["population"].astype(float)
    ok = pop.notna()
    assert spearman(pop[ok], waves[ok]) > 0.05
    big = waves[pop >= 20_000].mean()
    small = waves[pop < 5_000].mean()
    assert big > small


# ------------------------------------------------------------------------ consent


def test_consent_stable_per_municipality(frames):
    for scope, df in frames.items():
        per = df.groupby("municipality_id", observed=True)["publish_consent"]
        assert (per.nunique() == 1).all()
        share = per.first().mean()
        assert 0.25 <= share <= 0.45, (scope, share)


# ------------------------------------------------------------------------ maturity model


def test_larger_municipalities_more_mature(nl, be, eu, nl_table, be_table, eu_table):
    # NL and BE municipalities span a narrow size range; the EU sample spans 1 to 1,000,000+
    for df, t, least in ((nl, nl_table, 0.1), (be, be_table, 0.1), (eu, eu_table, 0.4)):
        means = municipality_means(df)
        pop = t.set_index("municipality_id").loc[means.index.astype(str), "population"]
        known = pop.notna().to_numpy()
        assert spearman(pop.astype(float)[known], means[known]) > least


def test_higher_national_index_more_mature(eu, eu_table, index):
    means = municipality_means(eu)
    country = eu_table.set_index("municipality_id").loc[means.index.astype(str), "country"]
    by_country = means.groupby(country.to_numpy()).mean()
    by_country = by_country[by_country.index.map(
        lambda c: (country == c).sum() >= 20)]
    assert len(by_country) >= 25
    rho = spearman(by_country.index.map(index), by_country.to_numpy())
    assert rho > 0.4, rho


def test_element_difficulty_shows(frames):
    df = frames["eu"]
    mean = df.groupby("element_id", observed=True)["level"].mean().astype(float)
    for easy in ("GOV-04", "SEC-01", "SRV-05"):
        for hard in ("GOV-05", "DAT-05", "SRV-03", "DAT-06"):
            assert mean[easy] > mean[hard], (easy, hard)


def _wide_by_respondent(df: pd.DataFrame) -> pd.DataFrame:
    return (df.pivot_table(index=["respondent_id", "element_id"], columns="wave", values="level",
                           observed=True, aggfunc="first", dropna=False)
            .astype(float))


def test_improvement_over_waves_and_no_big_jumps(frames):
    for scope, df in frames.items():
        wide = _wide_by_respondent(df)
        for a, b in (("2024", "2025"), ("2025", "2026")):
            diff = (wide[b] - wide[a]).dropna()
            assert len(diff) > 1000
            assert diff.abs().max() <= 2, (scope, a, b)
            assert 0.15 <= diff.mean() <= 0.35, (scope, a, b, diff.mean())
        # across a wave the respondent skipped (or did not know), the next answer is also
        # within 2 of the last one given
        skipped = wide["2025"].isna()
        diff = (wide.loc[skipped, "2026"] - wide.loc[skipped, "2024"]).dropna()
        assert len(diff) > 100
        assert diff.abs().max() <= 2, scope
        means = df.groupby("wave", observed=True)["level"].mean()
        assert means["2024"] < means["2025"] < means["2026"]


def enabler_violation_share(df: pd.DataFrame, fw, slack: float = 1.5) -> float:
    """Share of answers above (weighted mean of the same respondent's weight>=2 enablers) + slack."""
    weights = np.asarray(fw.matrix_array(), dtype=float)
    weights[weights < 2] = 0
    wide = (df.pivot_table(index=["respondent_id", "wave"], columns="element_id", values="level",
                           observed=True, aggfunc="first", dropna=False)
            .reindex(columns=fw.element_ids).astype(float).to_numpy())
    present = ~np.isnan(wide)
    num = np.nan_to_num(wide) @ weights
    den = present.astype(float) @ weights
    with np.errstate(invalid="ignore", divide="ignore"):
        wmean = num / den
    checked = present & (den > 0)
    return float(((wide > wmean + slack) & checked).sum() / checked.sum())


def test_enabler_cap_holds(frames, fw):
    for scope, df in frames.items():
        share = enabler_violation_share(df, fw)
        assert share < 0.05, (scope, share)
        # ... and the cap is real: without it (slack 0.5) far more would stick out
        assert enabler_violation_share(df, fw, slack=0.0) > share


# ------------------------------------------------------------------------ dates, confidence, evidence


def test_dates_in_the_wave_window(frames):
    limit = pd.Timestamp("2026-07-01", tz="UTC")
    for df in frames.values():
        ts = df["submitted_at"]
        assert (ts.dt.year.astype(str) == df["wave"].astype(str)).all()
        assert ts.dt.month.between(3, 6).all()
        assert (ts < limit).all()
        assert (ts == ts.dt.floor("s")).all()
        # one moment per respondent per wave
        assert (df.groupby(["respondent_id", "wave"], observed=True)["submitted_at"].nunique()
                == 1).all()


def test_confidence_follows_role_fit_and_dont_knows_have_none(eu):
    dk = eu["level"].isna()
    assert eu.loc[dk, "confidence"].isna().all()
    assert eu.loc[~dk, "confidence"].notna().all()
    block = eu["element_id"].astype(str).str[:3]
    role = eu["respondent_role"].astype(str)
    high = eu["confidence"] == "high"
    in_field = high[~dk & (role == "CISO") & (block == "SEC")].mean()
    outside = high[~dk & (role == "CISO") & (block == "ECO")].mean()
    assert in_field > outside + 0.2


def test_evidence_is_a_short_note_for_a_minority_of_high_levels(frames):
    for df in frames.values():
        ev = df["evidence"].astype(object)
        has = ev.notna()
        lv = df["level"]
        assert (lv[has] >= 3).all()
        high = lv.fillna(0) >= 3
        assert 0.05 < has[high].mean() < 0.5
        notes = ev[has].astype(str)
        assert notes.str.len().between(5, 60).all()
        assert not notes.str.contains(r"https?:|www\.|/", regex=True).any()
    nl_notes = set(frames["nl"]["evidence"].dropna().astype(str))
    assert "Toegankelijkheidsverklaring" in nl_notes
    assert any(n.startswith("ISMS-audit 20") for n in nl_notes)


# ------------------------------------------------------------------------ summary and output


def test_demo_summary(nl, nl_table):
    s = demo.demo_summary(nl)
    assert s["rows"] == len(nl)
    assert s["waves"] == ["2024", "2025", "2026"]
    assert sum(s["municipalities_per_wave"].values()) == (
        nl.groupby("wave", observed=True)["municipality_id"].nunique().sum())
    assert s["municipalities"] <= len(nl_table)
    assert s["respondents"] == nl["respondent_id"].nunique()
    assert s["dont_know_share"] == pytest.approx(nl["level"].isna().mean(), abs=1e-4)
    assert 0 < s["consent_share"] < 1


def test_staged_table_matches_canonical_to_arrow(nl, tmp_path):
    small = nl.head(5000)
    fast = demo.to_staged_table(small)
    assert fast.schema == STAGED_SCHEMA
    slow = to_arrow(small)
    for name in STAGED_SCHEMA.names:
        a, b = fast.column(name), slow.column(name)
        if pa.types.is_dictionary(a.type):
            a, b = a.cast(pa.string()), b.cast(pa.string())
        assert a.to_pylist() == b.to_pylist(), name
    path = demo.write_demo(small, tmp_path / "demo.parquet")
    assert path.exists()
    back = pd.read_parquet(path)
    assert len(back) == len(small)


def test_small_output_passes_the_ingest_validator(nl, fw, tmp_path):
    from pipelines.ingest import validate  # an import error must fail, not skip
    from pipelines.reference import build_index

    sample_ids = nl["respondent_id"].drop_duplicates().iloc[:12]
    small = nl[nl["respondent_id"].isin(sample_ids)].reset_index(drop=True)
    path = tmp_path / "demo.csv"
    small.to_csv(path, index=False)
    raw = pd.read_csv(path, dtype=str, keep_default_na=False)
    clean, errors = validate.validate_canonical(
        raw, file=path.name, index=build_index(), element_ids=set(fw.element_ids),
        now=dt.datetime(2026, 7, 1, tzinfo=dt.UTC))
    assert errors == []
    assert len(clean) == len(small)
    assert clean["level"].isna().sum() == small["level"].isna().sum()
    assert (clean["municipality_id"].to_numpy() == small["municipality_id"].astype(str).to_numpy()).all()
    assert (clean["level"].fillna(-1).to_numpy() == small["level"].fillna(-1).to_numpy()).all()
    assert (clean["publish_consent"].to_numpy() == small["publish_consent"].to_numpy()).all()


# ------------------------------------------------------------------------ properties


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(seed=st.integers(0, 2**32 - 1), waves=st.integers(1, 5), n=st.integers(1, 40))
def test_invariants_for_any_seed(fw, index, eu_table, seed, waves, n):
    sub = eu_table.sample(n=n, random_state=seed % 1000)
    df = demo.generate_demo(sub, fw, waves=waves, seed=seed, index=index)
    assert list(df.columns) == list(COLUMNS)
    assert set(df["wave"].astype(str)) <= set(demo.wave_labels(waves))
    assert df["level"].dropna().between(0, 4).all()
    assert set(df["municipality_id"].astype(str)) <= set(sub["municipality_id"])
    assert (df["submitted_at"] < pd.Timestamp("2026-07-01", tz="UTC")).all()
    if len(df):
        assert (df.groupby("municipality_id", observed=True)["publish_consent"].nunique() == 1).all()
