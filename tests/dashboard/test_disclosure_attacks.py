"""Consent must hold against arithmetic: the attacks of issue 21, run against the Dutch demo
build in consent mode (DS4E_VISIBILITY=consent), without any survey link or cookie. Each one
recovered a non-consenting municipality's levels before; each must now recover nothing.

Plus an independent differencing search: every area the aggregates API publishes, as linear
equations over the non-consenting municipalities (the consenting ones' values are public), and
linear algebra that tries to isolate any one of them or any pair.
"""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from dashboard import laws
from dashboard.views.legislation import data as ld
from dashboard.views.legislation import data_draft as legislation_data_draft
from dashboard.views.legislation import draft_editor as legislation_draft_editor
from dashboard.views.legislation import ids as legislation_ids
from dashboard.views.profile import data as profile_data
from dashboard.views.profile import export as profile
from pipelines.disclosure import AREA_TYPES, area_of, exposed, hierarchy, suppress, unsafe
from pipelines.reference import load_municipalities

GRONINGEN = "NL_GM0014"  # 238,147 inhabitants in the reference data; did not consent
K = 5


@pytest.fixture(scope="module")
def snap(nl_ctx):
    return nl_ctx.warehouse.snapshot()


def _hidden_answering(ctx, snap, w=1):
    cube = snap.maturity
    return np.flatnonzero(cube.answered(w) & ~snap.consent
                          & (ctx.municipalities["country"] == "NL").to_numpy())


# ------------------------------------------------------------------ attack 1: peer statistics


def test_peer_statistics_are_the_same_for_every_member_of_a_group(nl_ctx, snap):
    """Distribution download for a non-consenting municipality minus the same download for a
    same-group municipality gave the first one's level on every element. Now every member of a
    group (answered or not, consenting or not) gets the same counts."""
    attrs, cube = nl_ctx.attributes, snap.maturity
    tried = 0
    for row in _hidden_answering(nl_ctx, snap)[:40]:
        label = attrs.label("country_size", row)
        members = np.flatnonzero((attrs.country == attrs.country[row])
                                 & (attrs.size_class == attrs.size_class[row]))
        frames = [profile.distribution_csv(nl_ctx, str(cube.municipality_ids[m]), "2026",
                                           "country_size", [], "en")
                  for m in members[:6]]
        cols = [f"peers_at_level_{k}" for k in range(5)] + ["peer_median", "peer_q1",
                                                            "peer_q3", "peers_with_value"]
        cols = [c for c in cols if c in frames[0].columns]
        for f in frames[1:]:
            pd.testing.assert_frame_equal(f[cols], frames[0][cols])
        if not snap.published("2026", "country_size", label):
            assert frames[0][[f"peers_at_level_{k}" for k in range(5)]].isna().all().all()
        tried += 1
    assert tried >= 20


def test_a_hand_picked_group_never_counts_a_municipality_that_did_not_consent(nl_ctx, snap):
    """Groningen plus four consenting municipalities (whose levels are public), minus the four:
    Groningen. A hand-picked group counts only public results, so both groups give the same."""
    cube = snap.maturity
    public = [str(cube.municipality_ids[r]) for r in
              np.flatnonzero(cube.answered(1) & snap.consent
                             & (nl_ctx.municipalities["country"] == "NL").to_numpy())[:6]]
    with_g = profile.distribution_csv(nl_ctx, public[0], "2026", "custom",
                                      [GRONINGEN, *public[1:]], "en")
    without = profile.distribution_csv(nl_ctx, public[0], "2026", "custom", public[1:], "en")
    cols = [f"peers_at_level_{k}" for k in range(5)]
    pd.testing.assert_frame_equal(with_g[cols], without[cols])
    sel = profile_data.select(nl_ctx, public[0], "2026", "custom", [GRONINGEN, *public[1:]])
    assert sel.left_out == 1 and not sel.peers[cube.index_of(GRONINGEN)]


# ------------------------------------------------------------------ attack 2: what-if


def _what_if(client, threshold, minimum=2, element="SEC-01", country="NL"):
    body = {"id": "DRAFT", "name": "x", "population_above": threshold,
            "requirements": [{"element": element, "min": minimum, "deadline": "2026-01-01"}]}
    r = client.post(f"/api/v1/laws/what-if?country={country}", json=body)
    assert r.status_code == 200, r.get_json()
    out = r.get_json()
    out.pop("population_from")
    return out


def test_a_population_threshold_cannot_single_out_a_municipality(consent, nl_ctx):
    """population_above 238146 then 238147 isolated Groningen (6 then 5 ready); stepping the
    minimum per element then gave all its levels. Thresholds snap to the size-class bounds, so
    every threshold between two bounds gives the same answer."""
    for element in ("SEC-01", "GOV-01", "DAT-01"):
        for minimum in (1, 2, 3, 4):
            below = _what_if(consent, 238_146, minimum, element)
            at = _what_if(consent, 238_147, minimum, element)
            assert below == at
    answers = {json.dumps(_what_if(consent, t), sort_keys=True)
               for t in (175_001, 200_000, 238_146, 238_147, 249_999)}
    assert len(answers) == 1
    snapped = consent.post("/api/v1/laws/what-if?country=NL", json={
        "id": "D", "name": "x", "population_above": 238_147, "requirements": [
            {"element": "SEC-01", "min": 2, "deadline": "2026-01-01"}]}).get_json()
    assert snapped["population_from"] == 250_000


def test_the_draft_editor_snaps_too(nl_ctx, snap, tree):
    def share(pop):
        prof = legislation_data_draft.draft_profile(["SEC-01"], ["3"], ["2026-01-01"],
                                                    [legislation_ids.ANY], ["required"], pop)
        content, _, regions = legislation_draft_editor.draft(nl_ctx, snap, prof, ld.Selection("NL"),
                                                             laws.today(), ld.ALL_DEADLINES, "en")
        return tree.text(content), None if regions is None else regions.to_json()
    a, b = share("238146"), share("238147")
    assert a == b and "applies from 250,000 inhabitants" in a[0]


# ------------------------------------------------------------------ attack 3: areas


def _aggregates(client, level, measure="ALL"):
    r = client.get(f"/api/v1/aggregates?level={level}&measure={measure}&wave=2026&country=NL")
    assert r.status_code == 200
    return r.get_json()["items"]


def test_a_suppressed_nuts3_area_does_not_follow_from_its_region(consent, nl_ctx, snap):
    """NL212 (Deventer alone) was suppressed but NL21 and its other NUTS 3 areas were not, so
    n x mean of the region minus the others was Deventer's score. Now the rest of every
    published region holds no non-consenting municipality or at least k of them."""
    ref = nl_ctx.municipalities
    answered = snap.maturity.answered(1)
    hidden = answered & ~snap.consent
    nuts2 = {i["area_id"]: i for i in _aggregates(consent, "nuts2")}
    nuts3 = {i["area_id"]: i for i in _aggregates(consent, "nuts3")}
    checked = 0
    for region, item in nuts2.items():
        if item["suppressed"]:
            continue
        kids = [a for a in nuts3 if a.startswith(region)]
        rest = [a for a in kids if nuts3[a]["suppressed"]]
        h = int((hidden & ref["nuts3"].isin(rest).to_numpy()).sum())
        assert not exposed(h, K), (region, rest, h)
        checked += 1
    assert checked >= 5
    # the Deventer case itself
    assert nuts3["NL212"]["suppressed"] and nuts3["NL212"]["median"] is None


@pytest.mark.parametrize("measure", ["ALL", "SEC-01"])
def test_no_combination_of_published_areas_isolates_anyone(consent, nl_ctx, snap, measure):
    """The differencing search: every area the API publishes (every level), as an equation over
    the non-consenting municipalities with a value; least squares tries to isolate each of them,
    and each pair of them (sum and difference)."""
    ref = nl_ctx.municipalities.reset_index(drop=True)
    cube = snap.maturity
    w = 1
    if measure == "ALL":
        has = ~np.isnan(cube.overall(w))
    else:
        has = cube.levels[w][:, cube.element_ids.index(measure)] != -1
    hidden = np.flatnonzero(has & ~snap.consent & (ref["country"] == "NL").to_numpy())
    ids = {t: a for t, a in zip(AREA_TYPES, (np.full(len(ref), "EU"), ref["country"], ref["nuts2"],
                                             ref["nuts3"], ref["size_class"],
                                             ref["country"] + ":" + ref["size_class"],
                                             ref["nuts2"] + ":" + ref["size_class"]),
                                strict=True)}
    rows = []
    for level, area_type in (("country", "country"), ("nuts2", "nuts2"), ("nuts3", "nuts3"),
                             ("size_class", "country_size")):
        for item in _aggregates(consent, level, measure):
            if not item["suppressed"]:
                rows.append((np.asarray(ids[area_type])[hidden] == item["area_id"]).astype(float))
    m = np.array(rows).T  # [hidden municipalities, published areas]
    u, s, _ = np.linalg.svd(m, full_matrices=False)
    q = u[:, s > 1e-9]
    p = q @ q.T
    d = np.diag(p)
    assert not (d > 1 - 1e-6).any(), "a single non-consenting municipality is derivable"
    pair = (d[:, None] + d[None, :] + 2 * np.abs(p)) > 2 - 1e-6
    np.fill_diagonal(pair, False)
    assert not pair.any(), "a pair of non-consenting municipalities is derivable"


# ------------------------------------------------------------------ the EU scale


@pytest.fixture(scope="module")
def eu_system():
    """All ~98,600 EU municipalities with half of them answering and a third consenting."""
    ref = load_municipalities()
    rng = np.random.default_rng(21)
    answered = rng.random(len(ref)) < 0.5
    hidden = answered & (rng.random(len(ref)) > 1 / 3)
    h = hierarchy(ref["country"], ref["nuts2"], ref["nuts3"], ref["size_class"])
    atom_n, atom_h = h.counts(answered, hidden)
    return h, atom_n, atom_h


def _derivable(h, atom_h, sup) -> tuple[int, int]:
    """The search over every published area of every partition at once (the EU, countries,
    NUTS 2, NUTS 3, size classes, country x size, NUTS 2 x size): (atoms, pairs of atoms) with
    1..k-1 hidden members whose total follows from a linear combination of published totals."""
    atoms = np.flatnonzero(atom_h > 0)
    m = np.zeros((len(atoms), h.size), dtype=np.float32)
    for t in range(h.atom_area.shape[0]):
        m[np.arange(len(atoms)), h.atom_area[t][atoms]] = 1.0
    m = m[:, ~sup]
    small = np.flatnonzero(atom_h[atoms] < K)
    # the span's projection onto the small atoms: P = Q Q^T with Q from the areas' Gram matrix
    gram = m.T.astype(np.float64) @ m
    evals, evecs = np.linalg.eigh(gram)
    keep = evals > 1e-7 * evals.max()
    q_small = (m[small].astype(np.float64) @ evecs[:, keep]) / np.sqrt(evals[keep])
    p = q_small @ q_small.T
    d = np.diag(p)
    light = (atom_h[atoms][small][:, None] + atom_h[atoms][small][None, :]) < K
    pair = light & ((d[:, None] + d[None, :] + 2 * np.abs(p)) > 2 - 1e-6)
    np.fill_diagonal(pair, False)
    return int((d > 1 - 1e-6).sum()), int(pair.sum() // 2)


def test_the_pattern_holds_at_eu_scale(eu_system):
    """The whole EU system together (not country by country, as the module works) has no
    derivable atom or pair of atoms with 1..k-1 hidden members."""
    h, atom_n, atom_h = eu_system
    sup = suppress(h, atom_n, atom_h, K)
    assert _derivable(h, atom_h, sup) == (0, 0)
    # and the pattern still shows most of what matters
    n = h.area_sums(atom_n)
    for t in ("country", "nuts2", "country_size"):
        kind = (h.area_type == t) & (n >= K)
        assert (~sup[kind]).mean() > 0.4, t


def test_the_search_finds_the_leak_of_the_old_rule(eu_system):
    """With the primary rule alone (suppress a group under k), totals minus parts give small
    groups away: the search must find them, or it could not fail."""
    h, atom_n, atom_h = eu_system
    n, hid = h.area_sums(atom_n), h.area_sums(atom_h)
    singles, pairs = _derivable(h, atom_h, unsafe(n, hid, K))
    assert singles > 50 and pairs > 0


# ------------------------------------------------------------------ the selection areas


def test_selections_map_to_areas_of_the_hierarchy():
    assert area_of(None, None, None) == ("eu", "EU")
    assert area_of("NL", None, "20k-50k") == ("country_size", "NL:20k-50k")
    assert area_of("NL", "NL33", "20k-50k") == ("nuts2_size", "NL33:20k-50k")
    assert area_of(None, None, "ge250k") == ("size_class", "ge250k")
