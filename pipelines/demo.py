"""Realistic demo survey answers for real municipalities (marked as demo wherever they are shown).

Until real survey data exist, `generate_demo` makes the canonical table (`pipelines.canonical`)
for a set of real municipalities: one row per respondent × element × wave. Everything is drawn
from one `numpy.random.Generator(seed)` with vectorised numpy (no Python loop over rows or
municipalities), so the whole EU (98,584 municipalities, 3 waves: ~9.8 M rows)
generates in about 6 s with a peak of ~1.3 GB; the frame is built once, with categorical columns.

The model, step by step (constants in CAPITALS below):

1. **National index** (`national_index`): DESI 2022 "4 Digital public services" (2022 edition,
   EU27) and the eGovernment Benchmark 2023 overall score (indicator 0, biennial average
   2021–2022, EU27 + AL, CH, IS, ME, MK, NO, RS, TR). Each source is min–max normalised to 0..1
   over its own countries (aggregates such as EU/EU27+ left out); a country's index is the mean
   of the sources it has. For the 35 countries of the municipality table: the 27 EU members have
   both; AL, CH, IS, MK, NO, RS have only the eGovernment Benchmark; **LI and UK have neither and
   get the mean of the other 33** (`FALLBACK_COUNTRIES`; the table's `basis` column says which).
2. **Latent maturity in the last wave (2026)**, per municipality *m* and element *e*:
   `BASE + NATIONAL_SCALE·(index[country] − mean index) + SIZE_SCALE·(log10 population − 4)
   + u_m − difficulty_e + ε_me`, with `u_m ~ N(0, MUNICIPALITY_SD)`, `ε_me ~ N(0, ELEMENT_SD)`.
   Population: missing → the median of its country in the given table (else of the table);
   clipped to 50..3.6 M before the log, so 10,000 inhabitants is the size reference. Difficulty
   (`DIFFICULTY`, in levels): foundations that law or long practice pushed (GDPR privacy GOV-04,
   information security SEC-01, accessibility SRV-05, connectivity INF-01, archives GOV-06) are
   easier; new or demanding elements (AI governance GOV-05, data sharing DAT-05, once-only SRV-03,
   analytics DAT-06, EUDI wallet SRV-02, supply-chain security SEC-04) are harder.
3. **Waves**: labels are years ending in 2026 (3 waves → "2024", "2025", "2026"). Earlier waves
   are derived backwards: `latent[w−1] = latent[w] − gain`, gain per municipality × element ×
   wave `~ N(momentum_m · HOT[e], GAIN_SD)` clipped to 0..GAIN_MAX, where momentum_m
   `~ N(GAIN, GAIN_MOMENTUM_SD)` and hot topics (AI governance, NIS2 incident and supply-chain
   security, the EUDI wallet) move faster. So the true level never falls between waves; the
   observed gain is about +0.2–0.3 level per wave (clipping at 0 and 4 and the enabler cap
   absorb part of the latent gain).
4. **Level** = `clip(round(latent), 0, 4)`, then the **enabling matrix** cap: per wave, each
   element is capped at `floor(weighted mean of the levels of its weight ≥ 2 enablers + 1)`,
   twice (so chains settle), except `CAP_EXCEPTION_SHARE` (3%) of municipality × element pairs,
   the same pairs in every wave. The cap is monotone, so levels stay non-decreasing over waves;
   finally no element rises more than 2 levels from one wave to the next.
5. **Participation**: per municipality a stable response propensity; per wave
   `P(respond) = logistic(RESPONSE_BASE + RESPONSE_SIZE·(log10 pop − 4) + v_m
   − RESPONSE_WAVE·(waves before the last))`: larger municipalities and later waves respond
   more; overall 45–70% of municipality × wave pairs respond (tested for nl, be and an EU sample).
6. **Respondents**: 1–3 per municipality (more for larger ones; `respondent_count_probs`), the
   same people (`<municipality_id>-r1`, `-r2`, `-r3`) in every wave the municipality responds;
   roles drawn without repeats (weighted: small municipalities mostly a CIO or strategy
   advisor; CISOs and DPOs more likely in larger ones).
7. **Answers**: each respondent answers every element. Own error per respondent × element,
   kept between waves and redrawn with probability `ERROR_REDRAW`: 0 for most, ±1 for about
   20%, ±2 for about 3% (more error outside the role's field, `ROLE_FIT`); an answer never moves
   more than 2 levels from the same respondent's previous answer to that element. Don't know
   (level NA) with probability `DONT_KNOW[fit] ×` a per-respondent propensity: ~2.5% in the
   role's field, ~7% next to it, ~20% outside it (DPO on INF, CISO on ECO, ...); 5–10% overall.
8. **Confidence** (low/medium/high) follows role fit and is lower for answers that are off;
   don't-knows have no confidence (NA). **Evidence**: a short note ("Raadsbesluit 2025",
   "ISMS-audit 2025", "Toegankelijkheidsverklaring"; English outside NL and Flanders) for a minority of
   answers at level ≥ 3 (more at 4 and in the role's field), else NA.
9. **Submitted at**: one moment per respondent per wave, in March–June (UTC, whole seconds) of
   the wave's year, respondents of one municipality within ~10 days of each other.
10. **Publish consent**: drawn once per municipality (~35%, a little more for larger ones), the
    same on all its rows in every wave.

Same inputs and seed → an identical DataFrame (the input table is sorted by municipality_id
first, so its row order does not matter); another seed → other answers.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from pipelines.canonical import COLUMNS, CONFIDENCE_VALUES, to_arrow
from pipelines.reference import COUNTRIES, SOURCES_DIR

SCOPES = ("nl", "be", "eu")
LAST_WAVE_YEAR = 2026
ROLES = ("CIO", "CISO", "DPO", "strategy advisor", "service desk lead")

DESI_FILE = "desi2022_scores.csv"
EGOV_FILE = "egov_benchmark_2023_scores.csv"
DESI_COLUMN = "4_digital_public_services"
EGOV_COLUMN = "biennial_average_2021_2022"
# Countries of the municipality table in neither source: they get the mean index.
FALLBACK_COUNTRIES = ("LI", "UK")

# --- latent maturity (levels 0..4) ----------------------------------------------------------
BASE = 2.05                # a 10,000-inhabitant municipality of mean index, average element, 2026
NATIONAL_SCALE = 1.4       # index 0 → 1: +1.4 levels
SIZE_SCALE = 0.5           # per tenfold population
MUNICIPALITY_SD = 0.4
ELEMENT_SD = 0.55
POP_CLIP = (50, 3_600_000)
# Positive = harder (levels below the municipality's mean); unlisted elements 0.
DIFFICULTY: dict[str, float] = {
    "STR-01": -0.3, "STR-02": -0.1, "STR-03": 0.1, "STR-04": 0.4,
    "GOV-01": 0.1, "GOV-02": 0.2, "GOV-03": 0.0, "GOV-04": -0.6, "GOV-05": 0.9, "GOV-06": -0.3,
    "INF-01": -0.5, "INF-02": -0.3, "INF-03": 0.3, "INF-04": -0.3, "INF-05": 0.3,
    "DAT-01": 0.2, "DAT-02": 0.3, "DAT-03": 0.1, "DAT-04": -0.2, "DAT-05": 0.7, "DAT-06": 0.6,
    "SRV-01": -0.1, "SRV-02": 0.5, "SRV-03": 0.7, "SRV-04": 0.4, "SRV-05": -0.4, "SRV-06": 0.2,
    "SRV-07": -0.2,
    "SEC-01": -0.5, "SEC-02": 0.3, "SEC-03": 0.0, "SEC-04": 0.5,
    "PPL-01": -0.1, "PPL-02": 0.2, "PPL-03": -0.1, "PPL-04": 0.3,
    "ECO-01": 0.0, "ECO-02": 0.2, "ECO-03": 0.0,
}
# --- waves --------------------------------------------------------------------------------------
GAIN = 0.22                # mean latent gain per wave
GAIN_MOMENTUM_SD = 0.1
GAIN_SD = 0.3
GAIN_MAX = 1.4
HOT: dict[str, float] = {"GOV-05": 1.6, "SEC-02": 1.4, "SEC-04": 1.4, "SRV-02": 1.4, "INF-02": 1.2}
MAX_JUMP = 2
# --- enabling matrix ----------------------------------------------------------------------------
CAP_MIN_WEIGHT = 2
CAP_SLACK = 1
CAP_ITERATIONS = 2
CAP_EXCEPTION_SHARE = 0.03
# --- participation --------------------------------------------------------------------------
RESPONSE_BASE = 0.8
RESPONSE_SIZE = 0.3
RESPONSE_SD = 0.9
RESPONSE_WAVE = 0.25
CONSENT_BASE = 0.37
CONSENT_SIZE = 0.04
# respondents 1/2/3: probabilities for a small (≤ 1,000) and a large (≥ 300,000) municipality
RESPONDENTS_SMALL = (0.65, 0.28, 0.07)
RESPONDENTS_LARGE = (0.10, 0.40, 0.50)
# role weights for a small and a large municipality (order of ROLES)
ROLE_WEIGHT_SMALL = (3.0, 0.5, 0.7, 2.5, 1.0)
ROLE_WEIGHT_LARGE = (3.0, 2.5, 2.0, 2.0, 1.2)
# --- answers --------------------------------------------------------------------------------
# How close each role stands to each building block: 2 own field, 1 next to it, 0 outside.
ROLE_FIT: dict[str, dict[str, int]] = {
    "CIO":               {"STR": 2, "GOV": 2, "INF": 2, "DAT": 2, "SRV": 1, "SEC": 1, "PPL": 2, "ECO": 1},
    "CISO":              {"STR": 0, "GOV": 1, "INF": 2, "DAT": 1, "SRV": 0, "SEC": 2, "PPL": 1, "ECO": 0},
    "DPO":               {"STR": 1, "GOV": 2, "INF": 0, "DAT": 2, "SRV": 0, "SEC": 1, "PPL": 1, "ECO": 0},
    "strategy advisor":  {"STR": 2, "GOV": 1, "INF": 0, "DAT": 1, "SRV": 2, "SEC": 0, "PPL": 2, "ECO": 2},
    "service desk lead": {"STR": 0, "GOV": 0, "INF": 2, "DAT": 1, "SRV": 2, "SEC": 1, "PPL": 1, "ECO": 1},
}
# by fit 0/1/2: P(off by one), P(off by two), P(don't know), P(low), P(medium) confidence
OFF_BY_ONE = (0.26, 0.21, 0.16)
OFF_BY_TWO = (0.05, 0.03, 0.02)
DONT_KNOW = (0.20, 0.07, 0.025)
CONF_LOW = (0.45, 0.20, 0.08)
CONF_MEDIUM = (0.42, 0.50, 0.37)
CONF_DOWN_IF_OFF = 0.4     # an answer that is off drops one confidence notch this often
OPTIMISM = 0.55            # share of errors that are upwards
ERROR_REDRAW = 0.3
DK_PROPENSITY_SHAPE = 2.0  # gamma(shape, 1/shape): mean 1 per respondent
# evidence for answers at level >= 3, by level 3/4, times a role-fit factor 0/1/2
EVIDENCE_P = (0.15, 0.28)
EVIDENCE_FIT = (0.4, 0.9, 1.2)
EVIDENCE_NOTES: dict[str, tuple[tuple[str, str], ...]] = {  # per block: (nl, en) notes
    "STR": (("Raadsbesluit {y}", "Council decision {y}"), ("Digitale agenda {y}", "Digital agenda {y}"),
            ("Collegeprogramma", "Coalition agreement")),
    "GOV": (("Verwerkingsregister", "Record of processing activities"),
            ("DPIA-register {y}", "DPIA register {y}"),
            ("Architectuurplaat {y}", "Architecture blueprint {y}")),
    "INF": (("Cloudbeleid {y}", "Cloud policy {y}"), ("Netwerkaudit {y}", "Network audit {y}"),
            ("API-register", "API catalogue")),
    "DAT": (("Datastrategie {y}", "Data strategy {y}"), ("Datacatalogus", "Data catalogue"),
            ("Kwaliteitsmonitor basisregistraties {y}", "Base registry quality report {y}")),
    "SRV": (("Toegankelijkheidsverklaring", "Accessibility statement"),
            ("Klanttevredenheidsonderzoek {y}", "Customer satisfaction survey {y}"),
            ("Dienstencatalogus", "Service catalogue")),
    "SEC": (("ISMS-audit {y}", "ISMS audit {y}"),
            ("Informatieveiligheidsplan {y}", "Information security plan {y}"),
            ("Pentestrapport {y}", "Penetration test report {y}")),
    "PPL": (("Opleidingsplan {y}", "Training plan {y}"), ("Formatierapport I&A", "IT staffing report"),
            ("Awarenesscampagne {y}", "Awareness campaign {y}")),
    "ECO": (("Samenwerkingsovereenkomst", "Cooperation agreement"),
            ("Participatieverslag {y}", "Participation report {y}"),
            ("Inclusieplan {y}", "Inclusion plan {y}")),
}
GENERIC_NOTES = (("Intern rapport {y}", "Internal report {y}"), ("Beleidsnota {y}", "Policy paper {y}"),
                 ("Jaarverslag {y}", "Annual report {y}"))
DUTCH_NOTE_COUNTRIES = ("NL",)
DUTCH_NOTE_NUTS1 = ("BE2",)  # Flanders
# --- submission window ------------------------------------------------------------------------
WINDOW = ((3, 1), (7, 1))  # from 1 March 00:00 up to (not including) 1 July 00:00 UTC
RESPONDENT_SPREAD_DAYS = 10
DAY = 86_400


class DemoError(ValueError):
    """Bad arguments to the demo generator; the message says which."""


# --------------------------------------------------------------------------------------------
# Scope and national index
# --------------------------------------------------------------------------------------------


def select_municipalities(table: pd.DataFrame, scope: str) -> pd.DataFrame:
    """The municipalities of a scope: "nl" (342), "be" (565) or "eu" (every row)."""
    if scope not in SCOPES:
        raise DemoError(f"unknown scope {scope!r}; choose one of {', '.join(SCOPES)}")
    if scope == "eu":
        return table.reset_index(drop=True)
    return table[table["country"] == scope.upper()].reset_index(drop=True)


def _minmax(s: pd.Series) -> pd.Series:
    lo, hi = s.min(), s.max()
    return (s - lo) / (hi - lo) if hi > lo else s * 0 + 0.5


def national_index_table(sources_dir: Path | str = SOURCES_DIR) -> pd.DataFrame:
    """Per country of the municipality table: both source scores, normalised, and the index.

    Columns: country, desi_dps (DESI 2022 digital public services, 0–100), egov_overall
    (eGovernment Benchmark 2023, 0–100), desi_norm, egov_norm (0..1, min–max over each source's
    countries), index (0..1) and basis ("both", "desi", "egov" or "fallback: mean").
    """
    sources_dir = Path(sources_dir)
    desi = pd.read_csv(sources_dir / DESI_FILE, dtype={"country": str})
    desi = desi[(desi["desi_edition"] == 2022) & (desi["country"].str.len() == 2)
                & (desi["country"] != "EU")]
    desi_s = desi.set_index("country")[DESI_COLUMN].astype(float).dropna()
    egov = pd.read_csv(sources_dir / EGOV_FILE, dtype={"country": str, "indicator_code": str})
    egov = egov[(egov["indicator_code"].str.strip() == "0") & (egov["country"].str.len() == 2)]
    egov_s = egov.set_index("country")[EGOV_COLUMN].astype(float).dropna()
    if desi_s.empty or egov_s.empty:
        raise DemoError(f"no national scores found in {sources_dir}")
    desi_n, egov_n = _minmax(desi_s), _minmax(egov_s)
    codes = [c.code for c in COUNTRIES]
    out = pd.DataFrame({"country": codes})
    out["desi_dps"] = out["country"].map(desi_s)
    out["egov_overall"] = out["country"].map(egov_s)
    out["desi_norm"] = out["country"].map(desi_n)
    out["egov_norm"] = out["country"].map(egov_n)
    out["index"] = out[["desi_norm", "egov_norm"]].mean(axis=1, skipna=True)
    has_d, has_e = out["desi_norm"].notna(), out["egov_norm"].notna()
    out["basis"] = np.select([has_d & has_e, has_d, has_e], ["both", "desi", "egov"],
                             default="fallback: mean")
    out["index"] = out["index"].fillna(out["index"].mean())
    return out.astype({"basis": str})


def national_index(sources_dir: Path | str = SOURCES_DIR) -> dict[str, float]:
    """Country code → national digital-government index in 0..1 (see `national_index_table`)."""
    t = national_index_table(sources_dir)
    return {c: round(float(v), 6) for c, v in zip(t["country"], t["index"], strict=True)}


# --------------------------------------------------------------------------------------------
# Generator
# --------------------------------------------------------------------------------------------


def wave_labels(waves: int) -> list[str]:
    """Wave years ending in 2026: 1 → ["2026"], 3 → ["2024", "2025", "2026"]."""
    if not isinstance(waves, int) or isinstance(waves, bool) or not 1 <= waves <= 10:
        raise DemoError(f"waves must be a whole number 1–10, got {waves!r}")
    return [str(LAST_WAVE_YEAR - waves + 1 + i) for i in range(waves)]


def respondent_count_probs(log_pop: np.ndarray) -> np.ndarray:
    """P(1, 2, 3 respondents) per municipality, from log10 population (M × 3)."""
    t = np.clip((log_pop - 3.0) / 2.5, 0.0, 1.0)[:, None]
    return (1 - t) * np.array(RESPONDENTS_SMALL) + t * np.array(RESPONDENTS_LARGE)


def _logistic(x: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-x))


def _log_population(m: pd.DataFrame) -> np.ndarray:
    pop = pd.to_numeric(m["population"], errors="coerce").astype("Float64")
    if pop.notna().any():
        by_country = pop.groupby(m["country"]).transform("median")
        pop = pop.fillna(by_country).fillna(pop.median())
    else:
        pop = pop.fillna(10_000)
    arr = pop.to_numpy(dtype=np.float64, na_value=10_000)
    return np.log10(np.clip(arr, *POP_CLIP))


def _enabler_weights(framework) -> np.ndarray:
    """E × E float32 in element_ids order: weight of enabler i for element j where >= CAP_MIN_WEIGHT."""
    grid = np.asarray(framework.matrix_array(), dtype=np.float32)
    grid[grid < CAP_MIN_WEIGHT] = 0
    return grid


def _cap(levels: np.ndarray, weights: np.ndarray, col_sum: np.ndarray,
         exempt: np.ndarray) -> np.ndarray:
    """Cap each element at floor(weighted mean of its enablers + CAP_SLACK), CAP_ITERATIONS times."""
    has = col_sum > 0
    out = levels
    for _ in range(CAP_ITERATIONS):
        wmean = (out.astype(np.float32) @ weights)[:, has] / col_sum[has]
        cap = np.floor(wmean + CAP_SLACK + 1e-6).astype(np.int8)
        capped = out.copy()
        sub = capped[:, has]
        capped[:, has] = np.where(exempt[:, has], sub, np.minimum(sub, cap))
        out = capped
    return out


def _evidence_categories(block_ids: list[str], years: list[str]) -> tuple[list[str], np.ndarray]:
    """Unique note strings and a lookup [lang, block, note, wave] → category code."""
    n_notes = 3
    strings = np.empty((2, len(block_ids), n_notes, len(years)), dtype=object)
    for b, block in enumerate(block_ids):
        notes = EVIDENCE_NOTES.get(block, GENERIC_NOTES)
        for j in range(n_notes):
            for lang in (0, 1):
                for w, y in enumerate(years):
                    strings[lang, b, j, w] = notes[j][lang].format(y=y)
    cats, inverse = np.unique(strings.ravel().astype(str), return_inverse=True)
    return cats.tolist(), inverse.reshape(strings.shape).astype(np.int32)


def generate_demo(municipalities: pd.DataFrame, framework, *, waves: int = 3, seed: int = 0,
                  index: Mapping[str, float]) -> pd.DataFrame:
    """Demo answers in the canonical columns for these municipalities; see the module docstring."""
    years = wave_labels(waves)
    if not index:
        raise DemoError("the national index is empty")
    missing = {"municipality_id", "country", "population"} - set(municipalities.columns)
    if missing:
        raise DemoError(f"municipality table lacks column(s) {', '.join(sorted(missing))}")
    m = municipalities.sort_values("municipality_id", kind="stable").reset_index(drop=True)
    if m["municipality_id"].duplicated().any():
        raise DemoError("municipality ids repeat in the table")
    n_m = len(m)
    element_ids = list(framework.element_ids)
    n_e = len(element_ids)
    if n_m == 0:
        return _frame({}, [], element_ids, years, [], 0)
    rng = np.random.default_rng(seed)

    # 1-2. latent maturity in the last wave
    log_pop = _log_population(m)
    size_z = log_pop - 4.0
    mean_index = float(np.mean(list(index.values())))
    nat = m["country"].astype(str).map(lambda c: index.get(c, mean_index)).to_numpy(np.float64)
    mun_effect = (BASE + NATIONAL_SCALE * (nat - mean_index) + SIZE_SCALE * size_z
                  + rng.normal(0, MUNICIPALITY_SD, n_m))
    difficulty = np.array([DIFFICULTY.get(e, 0.0) for e in element_ids], dtype=np.float32)
    latent = (mun_effect.astype(np.float32)[:, None] - difficulty[None, :]
              + rng.normal(0, ELEMENT_SD, (n_m, n_e)).astype(np.float32))

    # 3-4. levels per wave (backwards from the last), enabler cap, at most +2 per wave
    hot = np.array([HOT.get(e, 1.0) for e in element_ids], dtype=np.float32)
    momentum = np.clip(rng.normal(GAIN, GAIN_MOMENTUM_SD, n_m), 0.05, None).astype(np.float32)
    weights = _enabler_weights(framework)
    col_sum = weights.sum(axis=0)
    exempt = rng.random((n_m, n_e), dtype=np.float32) < CAP_EXCEPTION_SHARE
    levels: list[np.ndarray] = [np.empty(0, np.int8)] * waves
    for w in range(waves - 1, -1, -1):
        if w < waves - 1:
            gain = rng.normal(0, GAIN_SD, (n_m, n_e)).astype(np.float32)
            gain += momentum[:, None] * hot[None, :]
            latent = latent - np.clip(gain, 0, GAIN_MAX)
        raw = np.clip(np.rint(latent), 0, 4).astype(np.int8)
        levels[w] = _cap(raw, weights, col_sum, exempt)
    del latent
    for w in range(1, waves):
        levels[w] = np.minimum(levels[w], levels[w - 1] + MAX_JUMP)

    # 5. participation and consent (per municipality)
    propensity = rng.normal(0, RESPONSE_SD, n_m)
    responded = np.empty((waves, n_m), dtype=bool)
    for w in range(waves):
        back = waves - 1 - w
        p = _logistic(RESPONSE_BASE + RESPONSE_SIZE * size_z + propensity - RESPONSE_WAVE * back)
        responded[w] = rng.random(n_m) < p
    p_consent = np.clip(CONSENT_BASE + CONSENT_SIZE * size_z, 0.1, 0.7)
    consent = rng.random(n_m) < p_consent

    # 6. respondents: count, roles without repeats (Gumbel top-k), stable ids
    probs = respondent_count_probs(log_pop)
    n_resp = 1 + (rng.random(n_m)[:, None] > np.cumsum(probs, axis=1)[:, :2]).sum(axis=1)
    t = np.clip((log_pop - 3.0) / 2.5, 0.0, 1.0)[:, None]
    role_w = (1 - t) * np.array(ROLE_WEIGHT_SMALL) + t * np.array(ROLE_WEIGHT_LARGE)
    keys = np.log(role_w) + rng.gumbel(size=(n_m, len(ROLES)))
    role_order = np.argsort(-keys, axis=1, kind="stable")
    slot = np.arange(3)[None, :]
    has_slot = slot < n_resp[:, None]
    r_mun = np.broadcast_to(np.arange(n_m)[:, None], (n_m, 3))[has_slot].astype(np.int32)
    r_slot = np.broadcast_to(slot, (n_m, 3))[has_slot].astype(np.int8)
    r_role = role_order[:, :3][has_slot].astype(np.int8)
    n_r = len(r_mun)
    mids = m["municipality_id"].astype(str).to_numpy(dtype=object)
    respondent_ids = (pd.Series(mids[r_mun], dtype=object) + "-r"
                      + pd.Series(r_slot + 1).astype(str)).tolist()
    dk_propensity = rng.gamma(DK_PROPENSITY_SHAPE, 1 / DK_PROPENSITY_SHAPE, n_r).astype(np.float32)

    # role fit per respondent × element
    blocks = [e.split("-")[0] for e in element_ids]
    block_ids = sorted(set(blocks))
    block_of = np.array([block_ids.index(b) for b in blocks], dtype=np.int16)
    fit_table = np.array([[ROLE_FIT[r].get(b, 1) for b in blocks] for r in ROLES], dtype=np.int8)
    fit = fit_table[r_role]                                        # n_r × E
    p_one = np.array(OFF_BY_ONE, np.float32)[fit]
    p_two = np.array(OFF_BY_TWO, np.float32)[fit]
    p_dk = np.array(DONT_KNOW, np.float32)[fit] * dk_propensity[:, None]
    c_low = np.array(CONF_LOW, np.float32)[fit]
    c_med = c_low + np.array(CONF_MEDIUM, np.float32)[fit]
    ev_fit = np.array(EVIDENCE_FIT, np.float32)[fit]
    del fit

    dutch = m["country"].astype(str).isin(DUTCH_NOTE_COUNTRIES).to_numpy()
    if "nuts1" in m.columns:
        dutch = dutch | m["nuts1"].astype(str).isin(DUTCH_NOTE_NUTS1).to_numpy()
    lang = np.where(dutch, 0, 1).astype(np.int8)
    ev_cats, ev_lookup = _evidence_categories(block_ids, years)

    def draw_error() -> np.ndarray:
        u = rng.random((n_r, n_e), dtype=np.float32)
        size = np.where(u < p_two, 2, np.where(u < p_two + p_one, 1, 0)).astype(np.int8)
        up = rng.random((n_r, n_e), dtype=np.float32) < OPTIMISM
        return np.where(up, size, -size)

    error = draw_error()
    last = np.full((n_r, n_e), -1, dtype=np.int8)   # previous answer, -1 = none yet
    start_days = rng.random(n_m)
    parts: dict[str, list[np.ndarray]] = {k: [] for k in (
        "mun", "wave", "resp", "level", "dk", "role", "ts", "conf", "evidence")}
    for w, year in enumerate(years):
        if w > 0:
            redraw = rng.random((n_r, n_e), dtype=np.float32) < ERROR_REDRAW
            error = np.where(redraw, draw_error(), error)
            start_days = rng.random(n_m)
        answer = np.clip(levels[w][r_mun] + error, 0, 4).astype(np.int8)
        seen = last >= 0
        answer = np.where(seen, np.clip(answer, last - MAX_JUMP, last + MAX_JUMP), answer)
        dk = rng.random((n_r, n_e), dtype=np.float32) < p_dk
        u = rng.random((n_r, n_e), dtype=np.float32)
        conf = np.where(u < c_low, 0, np.where(u < c_med, 1, 2)).astype(np.int8)
        down = (error != 0) & (rng.random((n_r, n_e), dtype=np.float32) < CONF_DOWN_IF_OFF)
        conf = np.where(down, np.maximum(conf - 1, 0), conf).astype(np.int8)
        conf[dk] = -1
        p_ev = np.where(answer >= 4, EVIDENCE_P[1], np.where(answer == 3, EVIDENCE_P[0], 0.0))
        has_ev = (rng.random((n_r, n_e), dtype=np.float32) < p_ev * ev_fit) & ~dk
        note = rng.integers(0, 3, (n_r, n_e), dtype=np.int8)
        evidence = ev_lookup[lang[r_mun][:, None], block_of[None, :], note, w]
        evidence[~has_ev] = -1
        # submission moment: municipality start + respondent offset, inside the window
        lo = int(pd.Timestamp(year=int(year), month=WINDOW[0][0], day=WINDOW[0][1]).timestamp())
        hi = int(pd.Timestamp(year=int(year), month=WINDOW[1][0], day=WINDOW[1][1]).timestamp())
        span = hi - lo - RESPONDENT_SPREAD_DAYS * DAY
        offset = rng.integers(0, RESPONDENT_SPREAD_DAYS * DAY, n_r)
        ts = lo + (start_days[r_mun] * span).astype(np.int64) + offset
        ts = np.minimum(ts, hi - 1)

        take = responded[w][r_mun]                                  # respondents answering
        answered = take[:, None] & ~dk
        last = np.where(answered, answer, last)
        rows = np.flatnonzero(take)
        parts["mun"].append(np.repeat(r_mun[rows], n_e))
        parts["wave"].append(np.full(len(rows) * n_e, w, dtype=np.int8))
        parts["resp"].append(np.repeat(rows.astype(np.int32), n_e))
        parts["level"].append(answer[rows].ravel())
        parts["dk"].append(dk[rows].ravel())
        parts["role"].append(np.repeat(r_role[rows], n_e))
        parts["ts"].append(np.repeat(ts[rows], n_e))
        parts["conf"].append(conf[rows].ravel())
        parts["evidence"].append(evidence[rows].ravel())
    data = {k: np.concatenate(v) for k, v in parts.items()}
    parts.clear()
    data["consent"] = consent[data["mun"]]
    return _frame(data, mids.tolist(), element_ids, years, respondent_ids, n_e, ev_cats)


def _frame(data: dict[str, np.ndarray], mids: list[str], element_ids: list[str],
           years: list[str], respondent_ids: list[str], n_e: int,
           ev_cats: list[str] | None = None) -> pd.DataFrame:
    """The canonical DataFrame from code arrays, built once (categoricals, Int8, UTC seconds)."""
    n = len(data.get("mun", ()))
    empty8 = np.zeros(0, np.int8)

    def cat(codes: np.ndarray, cats: list[str]) -> pd.Categorical:
        return pd.Categorical.from_codes(codes, categories=pd.Index(cats),
                                         validate=False)

    elem = np.tile(np.arange(n_e, dtype=np.int8), n // n_e) if n else empty8
    level = pd.arrays.IntegerArray(data.get("level", empty8), data.get("dk", np.zeros(0, bool)))
    ts = pd.Series(data.get("ts", np.zeros(0, np.int64)).astype("datetime64[s]"))
    return pd.DataFrame({
        "municipality_id": cat(data.get("mun", empty8), mids),
        "wave": cat(data.get("wave", empty8), years),
        "element_id": cat(elem, element_ids),
        "level": level,
        "respondent_id": cat(data.get("resp", empty8), respondent_ids),
        "respondent_role": cat(data.get("role", empty8), list(ROLES)),
        "submitted_at": ts.dt.tz_localize("UTC"),
        "confidence": cat(data.get("conf", empty8), list(CONFIDENCE_VALUES)),
        "evidence": cat(data.get("evidence", empty8), ev_cats or []),
        "publish_consent": data.get("consent", np.zeros(0, bool)),
    }, columns=list(COLUMNS))


# --------------------------------------------------------------------------------------------
# Summary and output
# --------------------------------------------------------------------------------------------


def demo_summary(df: pd.DataFrame) -> dict:
    """Headline figures for the CLI: rows, responding municipalities per wave, respondents,
    don't-know share, consent share (of responding municipalities)."""
    per_wave = (df.groupby("wave", observed=True)["municipality_id"].nunique()
                if len(df) else pd.Series(dtype="int64"))
    consent = df.groupby("municipality_id", observed=True)["publish_consent"].first()
    return {
        "rows": len(df),
        "waves": [str(w) for w in per_wave.index],
        "municipalities": int(df["municipality_id"].nunique()),
        "municipalities_per_wave": {str(k): int(v) for k, v in per_wave.items()},
        "respondents": int(df["respondent_id"].nunique()),
        "dont_know_share": round(float(df["level"].isna().mean()), 4) if len(df) else 0.0,
        "consent_share": round(float(consent.mean()), 4) if len(consent) else 0.0,
    }


def to_staged_table(df: pd.DataFrame) -> pa.Table:
    """The generated frame as an Arrow table with the staged schema."""
    return to_arrow(df)


def write_demo(df: pd.DataFrame, path: Path | str) -> Path:
    """Write the frame as a zstd parquet file with the staged schema; the only file write here."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    pq.write_table(to_staged_table(df), path, compression="zstd")
    return path
