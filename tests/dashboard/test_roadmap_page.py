"""The Roadmap tab: callbacks called as functions on the Dutch demo build (seed 7)."""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path
from urllib.parse import parse_qsl

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import pytest
from dash import html
from published import engine_peers

from dashboard.config import Settings
from dashboard.context import AppContext
from dashboard.i18n import t
from dashboard.registry import PAGES
from dashboard.shell import parse_query
from dashboard.views.roadmap import analysis, callbacks, export, ids, state
from dashboard.views.roadmap import data as rd
from dashboard.views.roadmap import page as roadmap
from pipelines.maturity.kickstart import SIMILARITY_WEIGHTS
from pipelines.maturity.roadmap import (
    DEFAULT_WEIGHTS,
    components,
    model_from_framework,
)
from pipelines.maturity.roadmap import roadmap as engine_roadmap
from pipelines.maturity.whatif import done_effects
from pipelines.roadmap_build import law_profiles

ENSCHEDE = "NL_GM0153"  # consented, answered in 2025 and 2026
GRONINGEN = "NL_GM0014"  # answered in 2026, did not consent
ALMERE = "NL_GM0034"  # consented, answered in 2025 but not in 2026
OPSTERLAND = "NL_GM0086"  # never answered
DEFAULT = DEFAULT_WEIGHTS.raw()  # the engine's defaults, as the sliders start


def _update(ctx, m=ENSCHEDE, wave="2026", weights=DEFAULT, target=3, done=None, plan=None,
            focus=None, lang="en"):
    return callbacks.update(ctx, m, wave, weights, target, done, plan, focus, lang)


def _steps(tree, panel) -> list[str]:
    """Element ids of the rendered roadmap, in order."""
    return [c.id.removeprefix("roadmap-step-") for c in tree.walk(panel)
            if isinstance(getattr(c, "id", None), str) and c.id.startswith("roadmap-step-")]


def _evaluation_date(ctx, wave) -> dt.date:
    cov = pd.read_parquet(ctx.warehouse.snapshot().path / "coverage.parquet")
    last = pd.to_datetime(cov.loc[cov["wave"] == wave, "last_submitted"], utc=True).max()
    return last.date()


def _engine(ctx, mid, wave, **kwargs):
    """The engine on inputs assembled here, independently of dashboard/roadmap_data.py."""
    snap = ctx.warehouse.snapshot()
    cube, fw, attrs = snap.maturity, ctx.framework, ctx.attributes
    row, w = cube.index_of(mid), cube.wave_index(wave)
    population = ctx.municipalities["population"].to_numpy(dtype=float, na_value=float("nan"))
    laws = law_profiles(fw, _evaluation_date(ctx, wave), attrs, population)
    peers = engine_peers(ctx, wave, row)
    return engine_roadmap(model_from_framework(fw), cube.levels[w, row],
                          requirements=laws.requirements, profile=laws.profile(row), peers=peers,
                          **kwargs)


def test_fixture_assumptions(nl_ctx):
    snap = nl_ctx.warehouse.snapshot()
    cube, consent = snap.maturity, snap.consent
    row = cube.index_of
    assert consent[row(ENSCHEDE)] and cube.answered(1)[row(ENSCHEDE)]
    assert not consent[row(GRONINGEN)] and cube.answered(1)[row(GRONINGEN)]
    assert consent[row(ALMERE)] and cube.answered(0)[row(ALMERE)]
    assert not cube.answered(1)[row(ALMERE)]
    assert not cube.answered(0)[row(OPSTERLAND)] and not cube.answered(1)[row(OPSTERLAND)]
    assert 0 < consent[cube.answered(1)].sum() < cube.answered(1).sum()  # a consent mix


def test_registered_after_maps():
    names = [p.__name__.split(".")[-2] for p in PAGES]  # dashboard.views.<view>.page
    assert names.index("roadmap") == names.index("maps") + 1
    assert roadmap.PATH == "/roadmap" and roadmap.NAV_KEY == "roadmap.nav"


# ------------------------------------------------------------------ the roadmap itself


def test_roadmap_is_the_engines_for_the_same_inputs(nl_ctx, tree):
    status, steps, *_ = _update(nl_ctx)
    expected = _engine(nl_ctx, ENSCHEDE, "2026")
    assert _steps(tree, steps) == expected.ids and len(expected.ids) == 9
    snap = nl_ctx.warehouse.snapshot()
    got = rd.compute(nl_ctx, snap, snap.maturity.index_of(ENSCHEDE), 1)
    assert got.to_dict() == expected.to_dict()
    # ... and, with the build's settings, the municipality's row of the stored population run
    stored = snap.roadmaps
    assert stored.wave == "2026"
    row = snap.maturity.index_of(ENSCHEDE)
    assert [e for phase in stored.population.ids(row) for e in phase] == expected.ids
    assert np.allclose(stored.population.score[row], [s.score for s in expected.steps])
    text = tree.text(status)
    assert "Enschede (Netherlands, 100,000–249,999 inhabitants), wave 2026." in text
    assert f"deadlines are counted from {_evaluation_date(nl_ctx, '2026').isoformat()}" in text
    # each step: explanation in words, four bars, Kickstart steps and instruments, a link
    html = tree.text(steps)
    first = expected.steps[0]
    el = nl_ctx.framework.element_by_id[first.element]
    assert "Phase 1" in html and "Phase 3" in html
    assert el.name.en in html and el.steps[0].en in html
    assert f"score when chosen {first.score:.2f}" in html
    bars = next(c for c in tree.walk(steps) if getattr(c, "className", "") == "rm-bars")
    assert tree.text(bars).split() == ["Readiness", f"{first.readiness:.2f}", "Unlock",
                                       f"{first.unlock:.2f}", "Urgency", f"{first.urgency:.2f}",
                                       "Peer", "proof", f"{first.peer:.2f}"]
    links = [c.href for c in tree.walk(steps) if getattr(c, "href", None)]
    assert f"/knowledge?element={first.element}" in links
    instruments = [nl_ctx.framework.instrument_by_id[i].name for i in el.kickstart]
    assert all(name in html for name in instruments)


def _first_row(ctx, country, above=None, below=None) -> int:
    ref = ctx.municipalities
    mask = (ref["country"] == country).to_numpy().copy()
    pop = ref["population"].to_numpy(dtype=float, na_value=float("nan"))
    with np.errstate(invalid="ignore"):
        if above is not None:
            mask &= pop > above
        if below is not None:
            mask &= pop < below
    return int(np.flatnonzero(mask)[0])


def test_stored_and_live_roadmaps_agree_across_member_states(nl_ctx):
    """The tab's live roadmap uses the build's member-state law requirements: for municipalities
    of countries with different NIS2 choices it equals the stored population run, urgency
    included, and NIS2 appears only where the member state brought municipalities into scope.
    (Outside the Netherlands nobody answered in this build: the roadmaps of 'everything at 0'.)"""
    snap = nl_ctx.warehouse.snapshot()
    stored = snap.roadmaps
    w = snap.waves.index(stored.wave)
    rows = {"NL": snap.maturity.index_of(ENSCHEDE), "SE": _first_row(nl_ctx, "SE"),
            "IT_big": _first_row(nl_ctx, "IT", above=100_000),
            "IT_small": _first_row(nl_ctx, "IT", below=100_000), "DE": _first_row(nl_ctx, "DE"),
            "BE": _first_row(nl_ctx, "BE")}
    nis2_laws = {}
    for name, row in rows.items():
        live = rd.compute(nl_ctx, snap, row, w)
        assert [e for phase in stored.population.ids(row) for e in phase] == live.ids, name
        n = len(live.steps)
        for comp in ("score", "urgency", "readiness", "unlock", "peer"):
            np.testing.assert_array_equal(getattr(stored.population, comp)[row, :n],
                                          np.array([getattr(s, comp) for s in live.steps],
                                                   dtype=np.float32), err_msg=f"{name} {comp}")
        for s in live.steps:  # the explanation's numbers still give the score
            c, wt = s.explanation.components, s.explanation.weights
            assert sum(c[k] * wt[k] for k in c) == pytest.approx(s.score, abs=1e-6)
            if s.urgency > 0:
                assert s.explanation.law is not None
        # where nobody answered (outside NL here) there are no steps: every element is
        # advice to establish where the municipality stands, with the duties on it
        nis2_laws[name] = any(x.law == "NIS2" for s in live.steps for x in s.explanation.laws) \
            or any(x.law == "NIS2" for a in live.assess for x in a.laws)
        if name != "NL":
            assert live.steps == () and len(live.assess) == len(live.element_ids)
    assert nis2_laws == {"NL": True, "SE": True, "IT_big": True, "IT_small": False, "DE": False,
                         "BE": False}


def test_explanations_in_the_ui_language(nl_ctx, tree):
    _, steps_nl, *_ = _update(nl_ctx, lang="nl")
    _, steps_en, *_ = _update(nl_ctx, lang="en")
    assert "Fase 1" in tree.text(steps_nl) and "Gereedheid" in tree.text(steps_nl)
    expected = _engine(nl_ctx, ENSCHEDE, "2026")
    # the explanation names elements and laws from the framework
    ex = expected.steps[0].explanation
    names = {e.id: e.name.nl for e in nl_ctx.framework.elements}
    if ex.enablers:
        assert f"{names[ex.enablers[0].element]} ({ex.enablers[0].element})" in tree.text(steps_nl)
    law = next((s.explanation.law for s in expected.steps if s.explanation.law), None)
    if law is not None:
        the_law = {x.id: x for x in nl_ctx.framework.all_laws}[law.law]
        basis = f"({law.legal_basis}) " if law.legal_basis else ""
        en, nl = the_law.short_name("en"), the_law.short_name("nl")
        assert f"{en} {basis}requires level {law.min_level}" in tree.text(steps_en)
        assert f"{nl} {basis}vereist niveau {law.min_level}" in tree.text(steps_nl)


def test_weights_change_the_order(nl_ctx, tree):
    orders = {}
    for name, weights in {"default": DEFAULT, "readiness": (1, 0, 0, 0), "peer": (0, 0, 0, 1),
                          "unlock": (0, 1, 0, 0)}.items():
        _, steps, *_ = _update(nl_ctx, weights=weights)
        orders[name] = _steps(tree, steps)
        assert orders[name] == _engine(
            nl_ctx, ENSCHEDE, "2026", weights=rd.Weights(*weights)).ids
    assert len({tuple(o) for o in orders.values()}) >= 3
    # weights need not sum to 1: doubling them all changes nothing
    _, steps, *_ = _update(nl_ctx, weights=tuple(2 * w for w in DEFAULT))
    assert _steps(tree, steps) == orders["default"]


def test_target_change(nl_ctx, tree):
    snap = nl_ctx.warehouse.snapshot()
    levels = rd.wave_levels(nl_ctx, snap, 1)[snap.maturity.index_of(ENSCHEDE)]
    element_ids = nl_ctx.framework.element_ids
    for target in (2, 4):
        _, steps, *_ = _update(nl_ctx, target=target)
        got = _steps(tree, steps)
        assert got == _engine(nl_ctx, ENSCHEDE, "2026", targets=target).ids
        assert all(max(levels[element_ids.index(e)], 0) < target for e in got)
        assert f"→ {target}" in tree.text(steps)
    assert set(_steps(tree, _update(nl_ctx, target=2)[1])) != set(_steps(tree, _update(nl_ctx)[1]))


def test_everything_at_target_and_zero_weights(nl_ctx, tree):
    all_done = nl_ctx.framework.element_ids
    _, steps, _, _, helpers, options, value = _update(nl_ctx, done=all_done)
    assert "No roadmap: every element is at or above its target" in tree.text(steps)
    assert options == [] and value is None
    assert "there is no first phase" in tree.text(helpers)
    _, steps, *_ = _update(nl_ctx, weights=(0, 0, 0, 0))
    assert "Every weight is 0" in tree.text(steps)


# ------------------------------------------------------------------ what-if


def test_whatif_done_element_leaves_and_unlock_sentence(nl_ctx, tree):
    base = _engine(nl_ctx, ENSCHEDE, "2026")
    snap = nl_ctx.warehouse.snapshot()
    model = rd.model(nl_ctx)
    levels = rd.wave_levels(nl_ctx, snap, 1)[snap.maturity.index_of(ENSCHEDE)]
    # the first recommended element that helps something still below target
    pick = next(s.element for s in base.steps if done_effects(model, levels, [s.element])[0].raised)
    _, steps, whatif, *_ = _update(nl_ctx, done=[pick])
    after = _steps(tree, steps)
    assert pick not in after and after == _engine(nl_ctx, ENSCHEDE, "2026", done=[pick]).ids
    effect = done_effects(model, levels, [pick])[0]
    raised = effect.raised[0]
    comps = components(model, levels)
    assert raised.before == pytest.approx(float(comps.readiness[model.index[raised.element]]))
    text = tree.text(whatif)
    assert (f"Marking {pick} done raises the readiness of {raised.element} from "
            f"{raised.before:.2f} to {raised.after:.2f}") in text
    entered = [e for e in after if e not in base.ids]
    if entered:
        assert f"New in the roadmap: {', '.join(entered)}." in text
    # nothing marked: a hint; Dutch sentence with a decimal comma
    assert "Nothing is marked as done." in tree.text(_update(nl_ctx)[2])
    nl = tree.text(_update(nl_ctx, done=[pick], lang="nl")[2])
    before, after = (f"{x:.2f}".replace(".", ",") for x in (raised.before, raised.after))
    assert (f"{pick} als gedaan markeren verhoogt de gereedheid van {raised.element} van "
            f"{before} naar {after}") in nl


def test_whatif_already_at_target(nl_ctx, tree):
    snap = nl_ctx.warehouse.snapshot()
    levels = rd.wave_levels(nl_ctx, snap, 1)[snap.maturity.index_of(ENSCHEDE)]
    at = nl_ctx.framework.element_ids[int(np.flatnonzero(levels >= 3)[0])]
    text = tree.text(_update(nl_ctx, done=[at])[2])
    assert f"{at}" in text and "is already at its target" in text


# ------------------------------------------------------------------ passive use


def test_passive_use_lacking_enablers_and_missed_recommendations(nl_ctx, tree):
    snap = nl_ctx.warehouse.snapshot()
    model = rd.model(nl_ctx)
    levels = rd.wave_levels(nl_ctx, snap, 1)[snap.maturity.index_of(ENSCHEDE)]
    comps = components(model, levels)
    element_ids = model.element_ids
    # a planned element below target whose enablers are mostly missing
    weak = [element_ids[j] for j in np.argsort(comps.readiness, kind="stable")
            if comps.candidate[j] and comps.readiness[j] < 0.5]
    assert weak, "the demo municipality has an element with readiness below 0.5"
    plan = [weak[0]]
    base = _engine(nl_ctx, ENSCHEDE, "2026")
    _, _, _, passive, *_ = _update(nl_ctx, plan=plan)
    text = tree.text(passive)
    j = model.index[weak[0]]
    missing = [model.element_ids[i] for i, _ in model.enabler_lists[j] if max(levels[i], 0) < 3]
    assert f"{weak[0]} (readiness {comps.readiness[j]:.2f}): missing {', '.join(missing)}. " \
           f"Add first: {', '.join(missing)}." in text
    first = [s.element for s in base.steps if s.phase == 1 and s.element not in plan]
    assert f"Recommended for the first phase but not in your plan: {', '.join(first)}." in text
    # planning the whole roadmap: nothing missed; an element at target is named as such
    at = element_ids[int(np.flatnonzero(levels >= 3)[0])]
    text = tree.text(_update(nl_ctx, plan=[*base.ids, at])[3])
    assert "Your plan includes every recommended element." in text
    assert f"Already at the target: {at}." in text
    assert "No elements ticked yet." in tree.text(_update(nl_ctx)[3])


# ------------------------------------------------------------------ who can help


def _help(ctx):
    return analysis.analyse(ctx, ENSCHEDE, "2026", DEFAULT, 3, None, None)


def test_who_can_help_names_only_consenting_under_the_consent_rule(nl_ctx, nl_open_ctx, tree):
    snap = nl_ctx.warehouse.snapshot()
    cube, consent = snap.maturity, snap.consent
    me = cube.index_of(ENSCHEDE)
    closed, opened = _help(nl_ctx), _help(nl_open_ctx)
    first = [s.element for s in closed.rm.steps if s.phase == 1]
    assert [h.element for h in closed.help] == first
    hidden_any = False
    for hc, ho in zip(closed.help, opened.help, strict=True):
        j = cube.element_ids.index(hc.element)
        col = cube.levels[1, :, j]
        for m in hc.helpers:
            assert consent[m.row] and col[m.row] >= 3 and m.row != me
        for m in ho.helpers:
            assert col[m.row] >= 3
        assert len(hc.helpers) <= 5 and len(ho.helpers) <= 5
        assert hc.helpers_total == ho.helpers_total == int(
            ((col >= 3) & (np.arange(len(col)) != me)).sum())
        assert hc.helpers_hidden == int(((col >= 3) & ~consent).sum()) and ho.helpers_hidden == 0
        hidden_any |= hc.helpers_hidden > 0
        sims = [m.similarity for m in ho.helpers]
        assert sims == sorted(sims, reverse=True)
        # partners: their own first phase (the stored population run) holds the element
        fp = snap.roadmaps.population.first_phase
        for m in hc.partners:
            assert consent[m.row] and j in fp[m.row].tolist()
    assert hidden_any
    text = tree.text(_update(nl_ctx)[4])
    assert "are not shown by name: they did not consent to publication" in text
    names = nl_ctx.municipalities["name"]
    for h in closed.help:
        for m in h.helpers:
            assert names.iat[m.row] in text
    # a non-consenting municipality shown under the open rule is not named under consent
    extra = {m.row for h in opened.help for m in h.helpers} - {
        m.row for h in closed.help for m in h.helpers}
    for row in extra:
        if not consent[row]:
            assert names.iat[row] not in text


def test_similarity_score_is_documented(nl_open_ctx):
    a = _help(nl_open_ctx)
    snap = nl_open_ctx.warehouse.snapshot()
    me = snap.maturity.index_of(ENSCHEDE)
    blocks = snap.maturity.block_scores(1)
    attrs = nl_open_ctx.attributes
    for m in a.help[0].helpers:
        both = ~np.isnan(blocks[me]) & ~np.isnan(blocks[m.row])
        close = 1 - np.abs(blocks[me] - blocks[m.row])[both].mean() / 4 if both.any() else 0
        same_country = attrs.country[m.row] == attrs.country[me]
        ref = nl_open_ctx.municipalities
        km = _km(ref["lon"].iat[me], ref["lat"].iat[me], ref["lon"].iat[m.row], ref["lat"].iat[m.row])
        near = max(0.0, 1 - km / 150)
        expect = (SIMILARITY_WEIGHTS["country"] * same_country
                  + SIMILARITY_WEIGHTS["region"] * (same_country
                                                    and attrs.nuts2[m.row] == attrs.nuts2[me])
                  + SIMILARITY_WEIGHTS["near"] * near
                  + SIMILARITY_WEIGHTS["size"] * (attrs.size_class[m.row] == attrs.size_class[me])
                  + SIMILARITY_WEIGHTS["profile"] * close)
        assert m.similarity == pytest.approx(expect, abs=1e-4)
        assert m.distance_km == pytest.approx(km, abs=0.1)


def _km(lon1, lat1, lon2, lat2) -> float:
    """Haversine distance, written out independently of kickstart.distances_km."""
    import math
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    h = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * 6371.0 * math.asin(math.sqrt(h))


# ------------------------------------------------------------------ consent and empty states


def test_consent_rule_hides_the_roadmap_of_a_non_consenting_municipality(nl_ctx, nl_open_ctx,
                                                                         tree):
    status, steps, whatif, passive, _, options, value = _update(
        nl_ctx, m=GRONINGEN, done=["GOV-01"], plan=["SEC-01"])
    assert "did not consent to publishing its results by name" in tree.text(status)
    assert "roadmap is not shown" in tree.text(status)
    assert _steps(tree, steps) == [] and whatif is None and passive is None
    assert options == [] and value is None
    fig, caption = callbacks.update_network(nl_ctx, "GOV-01", GRONINGEN, "2026", 3, [], "en")
    assert fig["data"] == [] and caption == ""
    assert export.roadmap_csv(nl_ctx, GRONINGEN, "2026", DEFAULT, 3, [], "en") is None
    # the open deployment shows it
    assert _steps(tree, _update(nl_open_ctx, m=GRONINGEN)[1]) == _engine(
        nl_open_ctx, GRONINGEN, "2026").ids


def test_empty_states(nl_ctx, tmp_path, tree):
    status = tree.text(_update(nl_ctx, m=ALMERE)[0])
    assert "Almere has no answers in 2026; it answered in 2025." in status
    assert _steps(tree, _update(nl_ctx, m=ALMERE, wave="2025")[1])  # that wave has one
    assert "has not answered the survey yet" in tree.text(_update(nl_ctx, m=OPSTERLAND)[0])
    assert "Pick a municipality above" in tree.text(_update(nl_ctx, m=None)[0])
    empty = AppContext.load(Settings.from_env({"DS4E_DATA_DIR": str(tmp_path / "none")}))
    out = _update(empty)
    assert "No survey data published yet" in tree.text(out[1])
    page = roadmap.layout(empty, "en", {"m": ENSCHEDE})
    assert "No survey data published yet" in tree.text(page)
    assert "What should this municipality build next, and why?" in tree.text(page)


# ------------------------------------------------------------------ permalink, controls


def test_permalink_round_trip(nl_ctx, tree):
    search = state.url_search(nl_ctx, ENSCHEDE, "2025", (0.5, 0.25, 0, 1), 4,
                              ["GOV-02", "gov-02", "DAT-01"], ["SEC-04"])
    assert search == ("?m=NL_GM0153&wave=2025&w=0.5,0.25,0,1&target=4&done=GOV-02,DAT-01"
                      "&plan=SEC-04")
    snap = nl_ctx.warehouse.snapshot()
    parsed, notes = state.parse_state(nl_ctx, snap, parse_query(search))
    assert notes == [] and parsed.query() == search
    assert parsed == state.RoadmapState(ENSCHEDE, "2025", (0.5, 0.25, 0.0, 1.0), 4,
                                        ("GOV-02", "DAT-01"), ("SEC-04",))
    # the controls start from the URL
    page = roadmap.layout(nl_ctx, "en", parse_query(search))
    value = {c.id: getattr(c, "value", None) for c in tree.walk(page)
             if isinstance(getattr(c, "id", None), str)}
    assert value[ids.PICKER] == ENSCHEDE and value[ids.WAVE] == "2025"
    assert [value[ids.WEIGHT[c]] for c in ("readiness", "unlock", "urgency", "peer")] == [
        0.5, 0.25, 0.0, 1.0]
    assert value[ids.TARGET] == 4
    assert value[ids.DONE] == ["GOV-02", "DAT-01"] and value[ids.PLAN] == ["SEC-04"]
    # defaults when the URL has nothing; bad values replaced, each with a notice
    parsed, notes = state.parse_state(nl_ctx, snap, {})
    assert parsed == state.RoadmapState(None, "2026")
    assert dict(parse_qsl(parsed.query()[1:])) == {"wave": "2026", "w": "0.35,0.25,0.25,0.15",
                                                   "target": "3"}
    parsed, notes = state.parse_state(nl_ctx, snap, {
        "m": "NL_GM9999", "wave": "1999", "w": "1,2", "target": "7", "done": "XYZ-01,GOV-01"})
    assert parsed == state.RoadmapState(None, "2026", done=("GOV-01",))
    assert [k for k, _ in notes] == ["roadmap.notice.unknown", "roadmap.notice.wave",
                                     "roadmap.notice.weights", "roadmap.notice.target",
                                     "roadmap.notice.elements"]
    text = tree.text(roadmap.layout(nl_ctx, "en", {"w": "0,0,0,0"}))
    assert "default weights are used" in text


def test_sliders_are_labelled(nl_ctx, tree):
    page = roadmap.layout(nl_ctx, "en", {"m": ENSCHEDE})
    for sid in [*ids.WEIGHT.values(), ids.TARGET]:
        box = [c for c in tree.walk(page) if getattr(c, "data-labelledby", None) == f"{sid}-label"]
        assert len(box) == 1 and box[0].children.id == sid
        label = [c for c in tree.walk(page) if getattr(c, "id", None) == f"{sid}-label"]
        assert len(label) == 1 and tree.text(label[0])


@pytest.mark.parametrize(("lang", "summary"), [("nl", "Hoe de roadmap werkt"),
                                              ("en", "How the roadmap works")])
def test_on_a_phone_the_roadmap_follows_the_picker(nl_ctx, tree, lang, summary):
    """At 390 px the first step began 1.7 screens down: the page's and the steps' guides are
    folded on a phone (shown as they were from 768 px), and the page reads picker, status,
    steps, then the settings, what-if and strategy."""
    page = roadmap.layout(nl_ctx, lang, {"m": ENSCHEDE})
    guide = t("roadmap.guide", lang)
    folded = [c for c in tree.walk(page)
              if getattr(c, "className", None) == "d-md-none rm-guide mb-2"]
    assert len(folded) == 2 and tree.text(folded[0].children[0]) == summary
    assert guide in tree.text(folded[0]) and t("roadmap.steps.guide", lang) in tree.text(folded[1])
    shown = [c.className for c in tree.walk(page) if isinstance(c, html.P) and c.children == guide]
    assert shown == ["text-body-secondary d-none d-md-block", "text-body-secondary mt-1 mb-0"]
    order = [c.id for c in tree.walk(page) if getattr(c, "id", None) in (
        ids.PICKER, ids.STATUS, ids.STEPS, ids.RESET, ids.DONE, ids.PLAN, ids.NETWORK)]
    assert order == [ids.PICKER, ids.STATUS, ids.STEPS, ids.RESET, ids.DONE, ids.PLAN,
                     ids.NETWORK]


def test_element_dropdowns_show_every_chosen_element(nl_ctx, tree):
    """The what-if and strategy dropdowns sit in an rm-multi wrapper (20-roadmap.css lists
    every chosen element instead of one and a count): their visible text is then part of their
    accessible name (WCAG 2.5.3; the browser test runs axe on it)."""
    page = roadmap.layout(nl_ctx, "nl", {"m": ENSCHEDE, "done": "SEC-01,GOV-01",
                                         "plan": "DAT-01,STR-01"})
    for cid in (ids.DONE, ids.PLAN):
        box = [c for c in tree.walk(page) if getattr(c, "className", None) == "rm-multi"
               and getattr(c.children, "id", None) == cid]
        assert len(box) == 1 and box[0].children.multi
    css = (Path(__file__).resolve().parents[2] / "assets" / "20-roadmap.css").read_text()
    assert (".rm-multi .dash-dropdown-value:not(.dash-dropdown-placeholder) { white-space: normal;"
            " overflow: visible; }") in css
    assert ".rm-multi .dash-dropdown-value-count { display: none; }" in css


# ------------------------------------------------------------------ network, CSV


def test_network_view(nl_ctx, tree):
    out = _update(nl_ctx)
    options, focus = out[5], out[6]
    base = _engine(nl_ctx, ENSCHEDE, "2026")
    assert [o["value"] for o in options] == base.ids and focus == base.ids[0]
    # the chosen element is kept while it stays in the roadmap
    assert _update(nl_ctx, focus=base.ids[4])[6] == base.ids[4]
    fig, caption = callbacks.update_network(nl_ctx, focus, ENSCHEDE, "2026", 3, [], "en")
    go.Figure(fig)
    model = rd.model(nl_ctx)
    j = model.index[focus]
    n_left, n_right = len(model.enabler_lists[j]), len(model.dependant_lists[j])
    trace = fig["data"][0]
    assert len(trace["x"]) == n_left + n_right + 1
    assert trace["x"].count(0) == n_left and trace["x"].count(2) == n_right
    assert len(fig["layout"]["shapes"]) == n_left + n_right
    assert caption.startswith(f"{focus} ")
    for i, w in model.enabler_lists[j]:
        assert f"{model.element_ids[i]} (level " in caption and f"weight {int(w)})" in caption
    # a done mark recolours: the element shows its target level
    _, caption2 = callbacks.update_network(nl_ctx, focus, ENSCHEDE, "2026", 3, [focus], "en")
    assert f"{focus} {rd.element_names(nl_ctx, 'en')[focus]} is at level 3." in caption2


@pytest.mark.parametrize(("lang", "dblclick", "separators"), [
    ("nl", "Dubbelklik om uit te zoomen", ",."), ("en", "Double-click to zoom back out", ".,")])
def test_network_and_toolbar_in_the_page_language(nl_ctx, tree, lang, dblclick, separators):
    """plotly's own texts in the page's language (components/figures.localised_config), the
    network drawn with the shared figure style and the language's separators."""
    page = roadmap.layout(nl_ctx, lang, {"m": ENSCHEDE})
    graph = tree.find(page, id=ids.NETWORK)[0]
    assert graph.config["locale"] == lang and graph.config["displayModeBar"] is False
    assert graph.config["locales"][lang]["dictionary"]["Double-click to zoom back out"] == dblclick
    fig, _ = callbacks.update_network(nl_ctx, "GOV-01", ENSCHEDE, "2026", 3, [], lang)
    assert fig["layout"]["separators"] == separators


def test_numbers_as_the_language_writes_them(nl_ctx, tree):
    """Scores, component bars and counts come from components/numbers.py: 0,44 in Dutch, 0.44
    in English; no private copy of the formatter is left in the view's modules."""
    import inspect

    from dashboard.views.roadmap import figures, layout, panels
    nl = tree.text(_update(nl_ctx, lang="nl")[1])
    en = tree.text(_update(nl_ctx, lang="en")[1])
    score = re.search(r"score bij keuze (\d),(\d\d)", nl)
    assert score and f"score when chosen {score[1]}.{score[2]}" in en
    for module in (roadmap, analysis, callbacks, export, figures, ids, layout, panels, state):
        source = inspect.getsource(module)
        for copy in ('replace(".", ",")', 'replace(",", ".")', "def _dec(", "def _int("):
            assert copy not in source, (module.__name__, copy)


def test_csv_download(nl_ctx):
    df = export.roadmap_csv(nl_ctx, ENSCHEDE, "2026", DEFAULT, 3, ["GOV-01"], "en")
    base = _engine(nl_ctx, ENSCHEDE, "2026", done=["GOV-01"])
    assert df["element"].tolist() == base.ids
    assert df["rank"].tolist() == list(range(1, len(base.ids) + 1))
    assert df["phase"].tolist() == [s.phase for s in base.steps]
    assert np.allclose(df["score"], [s.score for s in base.steps], atol=1e-4)
    assert df["explanation"].str.contains("Score ").all()
    assert set(df["done"]) == {"GOV-01"}
    assert export.roadmap_csv(nl_ctx, None, "2026", DEFAULT, 3, [], "en") is None


def test_peers_from_cached_group_counts_equal_the_mask(nl_ctx):
    snap = nl_ctx.warehouse.snapshot()
    for mid in (ENSCHEDE, GRONINGEN, OPSTERLAND):
        row = snap.maturity.index_of(mid)
        for w in (0, 1):
            fast, slow = rd.peers(nl_ctx, snap, w, row), rd.peers_slow(nl_ctx, snap, w, row)
            for f in ("share", "count", "known", "suppressed"):
                assert np.array_equal(getattr(fast, f), getattr(slow, f)), f


def test_law_names_in_the_explanations_follow_the_language(nl_ctx):
    """An English roadmap says "GDPR", a Dutch one "AVG" (framework 1.4.1 short names)."""
    assert rd.law_names(nl_ctx, "en")["GDPR"] == "GDPR"
    assert rd.law_names(nl_ctx, "nl")["GDPR"] == "AVG"
    assert rd.law_names(nl_ctx, "en")["AI_ACT"] == "AI Act"


def test_serialised_nodes_are_what_dash_sends():
    """The panels' pre-serialised parts (the Kickstart references, the score bars) are the JSON
    Dash makes of the same components: the browser gets the same HTML."""
    from dash import html

    from dashboard.views.roadmap import panels

    comps = {"readiness": 0.5, "unlock": 0.25, "urgency": 1.0, "peer": 0.0}
    made = html.Div([html.Span([label, html.B(value)], className=f"rm-bar rm-{c}",
                               style={"--v": v})
                     for c, label, value, v in [
                         ("readiness", "Readiness", "0.50", "50%"),
                         ("unlock", "Unlock", "0.25", "25%"),
                         ("urgency", "Urgency", "1.00", "100%"),
                         ("peer", "Peer proof", "0.00", "0%")]],
                    className="rm-bars", role="group", **{"aria-label": "Parts of the score"})
    assert panels._bars(comps, "en") == panels.serialised(made)
    assert panels.node("Li", ["a", panels.node("B", "b")], className="x") == panels.serialised(
        html.Li(["a", html.B("b")], className="x"))
    # the bytes too: Dash writes props in its own order (children, id, className, ...)
    import dash_bootstrap_components as dbc

    def same(a, b):
        return json.dumps(a) == json.dumps(panels.serialised(b))
    assert same(panels.node("Li", "a", id="i", className="x"), html.Li("a", className="x", id="i"))
    assert same(panels.node("Ol", [], className="x", start=3), html.Ol([], start=3, className="x"))
    assert same(panels.alert("a", "warning", className="x"),
                dbc.Alert("a", className="x", color="warning"))


def test_derived_roadmap_is_kept_per_setting_and_rule(nl_ctx, nl_open_ctx, monkeypatch):
    """The main callback, the "Develop together" card and the downloads ask for the same
    roadmap: the second ask reuses it (the engine is not run again) and answers the same; other
    settings, and the other visibility rule (who can be named differs), are computed anew."""
    from dashboard.lru import Lru

    monkeypatch.setattr(analysis, "_DERIVED", Lru(32))
    runs = []
    compute = rd.compute
    monkeypatch.setattr(rd, "compute", lambda *a, **k: runs.append(a[2]) or compute(*a, **k))
    first = _update(nl_ctx, target=4, lang="nl")
    assert len(runs) == 1
    again = _update(nl_ctx, target=4, lang="nl")
    assert len(runs) == 1
    assert repr(again) == repr(first)
    assert analysis.analyse(nl_ctx, ENSCHEDE, "2026", DEFAULT, 4, None, None).rm is \
        analysis.analyse(nl_ctx, ENSCHEDE, "2026", DEFAULT, 4, None, ["GOV-01"]).rm
    assert len(runs) == 1
    _update(nl_ctx, target=3, lang="nl")
    _update(nl_open_ctx, target=4, lang="nl")
    assert len(runs) == 3
    _update(nl_ctx, target=4, done=["GOV-01"])  # what-if: the roadmap and the one without marks
    assert len(runs) == 5
