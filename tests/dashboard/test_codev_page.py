"""The Roadmap tab's "Develop together" card and the Knowledge page's initiatives, called as
plain functions: the menu per first-phase element (initiatives, masters, same next step, the
match in words), the start form and Join only for the holder of the municipality's own survey
link, the actions' messages, and the consent rule in the page text."""

from __future__ import annotations

import datetime as dt

import pytest
from dash.exceptions import PreventUpdate

from dashboard.components.initiatives import JOIN, ROLE
from dashboard.config import Settings
from dashboard.context import AppContext
from dashboard.i18n import t
from dashboard.views.knowledge import callbacks as knowledge
from dashboard.views.roadmap import callbacks, ids
from dashboard.views.roadmap import data as rd
from dashboard.views.roadmap.data_codev import strengths
from pipelines.maturity.roadmap import DEFAULT_WEIGHTS

ENSCHEDE = "NL_GM0153"  # consented, answered in 2025 and 2026
GRONINGEN = "NL_GM0014"  # answered in 2026, did not consent
DEFAULT = DEFAULT_WEIGHTS.raw()


@pytest.fixture(scope="module")
def world(nl_data_dir, tmp_path_factory):
    state = tmp_path_factory.mktemp("codev-page-state")
    ctx = AppContext.load(Settings.from_env({"DS4E_DATA_DIR": str(nl_data_dir),
                                             "DS4E_STATE_DIR": str(state)}))
    now = dt.datetime.now(dt.UTC)
    ctx.survey.create_wave("codev", opens_at=now - dt.timedelta(days=1),
                           closes_at=now + dt.timedelta(days=30))
    links = {i.municipality_id: i.token for i in ctx.survey.invite("codev", [ENSCHEDE, GRONINGEN])}
    return ctx, links


def card(ctx, viewer, lang="en", m=ENSCHEDE):
    return callbacks.update_codev(ctx, m, "2026", DEFAULT, 3, None, lang, viewer)


def ids_in(tree, node) -> set:
    return {c.id if isinstance(c.id, str) else c.id["type"] for c in tree.walk(node)
            if getattr(c, "id", None)}


def first_elements(tree, node) -> list[str]:
    return [getattr(c, "data-element") for c in tree.walk(node)
            if getattr(c, "data-element", None)]


def test_the_menu_without_a_link(world, tree):
    ctx, _ = world
    body = card(ctx, None)
    text = tree.text(body)
    elements = first_elements(tree, body)
    assert elements, "Enschede has a first phase"
    assert "No initiative for this element yet." in text
    assert "Masters:" in text and "Same next step:" in text
    assert "same country" in text or "same region" in text  # the match in words
    assert t("codev.nolink", "en", name="Enschede") in text
    assert ids.START_BUTTON not in ids_in(tree, body)
    nl = tree.text(card(ctx, None, "nl"))
    assert "Koplopers:" in nl and "vragenlijstlink" in nl


def test_start_join_and_the_consent_rule_in_the_page(world, tree):
    ctx, links = world
    own = card(ctx, ENSCHEDE)
    assert ids.START_BUTTON in ids_in(tree, own)
    element = first_elements(tree, own)[0]
    msg, iid = callbacks.codev_panel.start(ctx, links[ENSCHEDE], element, "Shared SOC",
                                           "A shared security operations centre", "2027-01-01",
                                           "seeks_partners", "en")
    assert iid and t("codev.started", "en") in tree.text(msg)
    # Groningen (no consent) joins through its own link, from its own roadmap's Join button
    msg, joined = callbacks.join_clicked(ctx, links[GRONINGEN], {"type": JOIN, "index": iid},
                                         [1], [{"type": ROLE, "index": iid}], ["co_developer"],
                                         "en")
    assert joined == iid and t("codev.joined", "en") in tree.text(msg)
    for viewer in (None, ENSCHEDE):
        text = tree.text(card(ctx, viewer))
        assert "Shared SOC" in text and "by Enschede" in text
        assert "co-developers: 1, adopters: 0 (1 not named)" in text
        assert "Groningen" not in text and GRONINGEN not in text
    # Groningen starts one for the same element: unnamed to others, "your initiative" to itself
    _, theirs = callbacks.codev_panel.start(ctx, links[GRONINGEN], element, None,
                                            "Our reusable template", "2027-02-01",
                                            "offers_reuse", "en")
    text = tree.text(card(ctx, ENSCHEDE))
    assert "by a municipality that is not named" in text and "Groningen" not in text
    section = knowledge.initiatives_section(ctx, element, "en")
    ktext = tree.text(section)
    assert "Initiatives: 2; co-developers: 1; adopters: 0." in ktext
    assert "Groningen" not in ktext and JOIN not in ids_in(tree, section)
    mine = knowledge.initiatives_section(ctx, element, "en", viewer=GRONINGEN)
    assert "by Groningen" in tree.text(mine)
    # Join buttons: only on the link holder's own roadmap, not on its own or joined initiatives
    joins = [c.id["index"] for c in tree.walk(card(ctx, ENSCHEDE))
             if isinstance(getattr(c, "id", None), dict) and c.id["type"] == JOIN]
    assert joins == [theirs]
    assert not [c for c in tree.walk(card(ctx, None))
                if isinstance(getattr(c, "id", None), dict)]


def test_action_messages(world, tree):
    ctx, links = world
    msg, iid = callbacks.codev_panel.start(ctx, links[ENSCHEDE], "SEC-01", None, "  ",
                                           "2027-01-01", "seeks_partners", "nl")
    assert iid is None and t("codev.error.description", "nl") in tree.text(msg)
    msg, iid = callbacks.codev_panel.start(ctx, None, "SEC-01", None, "x", "2027-01-01",
                                           "seeks_partners", "en")
    assert iid is None and t("codev.error.token", "en") in tree.text(msg)
    msg, iid = callbacks.codev_panel.start(ctx, links[ENSCHEDE], "SEC-01", None, "x", None,
                                           "seeks_partners", "en")
    assert iid is None and t("codev.error.start", "en") in tree.text(msg)
    nope = {"type": JOIN, "index": "I-nope"}
    msg, iid = callbacks.join_clicked(ctx, links[ENSCHEDE], nope, [1], [], [], "en")
    assert iid is None and t("codev.error.role", "en") in tree.text(msg)
    msg, iid = callbacks.join_clicked(ctx, links[ENSCHEDE], nope, [1],
                                      [{"type": ROLE, "index": "I-nope"}], ["adopter"], "en")
    assert iid is None and t("codev.error.initiative", "en") in tree.text(msg)
    for hostile in ({"type": JOIN, "index": {"a": 1}}, {"type": JOIN, "index": [1]}):
        msg, iid = callbacks.join_clicked(ctx, links[ENSCHEDE], hostile, [1], [7, {"index": []}],
                                          ["adopter", "x"], "en")
        assert iid is None
    msg, iid = callbacks.codev_panel.start(ctx, links[ENSCHEDE], {"x": 1}, None, "x",
                                           "2027-01-01", "seeks_partners", "en")
    assert iid is None and t("codev.error.element", "en") in tree.text(msg)
    with pytest.raises(PreventUpdate):  # a re-rendered panel: no button was clicked
        callbacks.join_clicked(ctx, links[ENSCHEDE], {"type": JOIN, "index": "I-nope"},
                               [None], [], [], "en")


def test_complementary_strengths(world):
    ctx, _ = world
    snap = ctx.warehouse.snapshot()
    w = len(snap.waves) - 1
    p = rd.profiles(snap, w)
    rows = [r for r in range(len(p.known)) if p.known[r].all()][:40]
    found = False
    for a in rows:
        for b in rows:
            teach, bring = strengths(snap, w, a, b)
            assert not set(teach) & set(bring)
            diffs = []
            for blk in teach:
                i = snap.maturity.blocks.index(blk)
                diffs.append(p.values[b, i] - p.values[a, i])
            assert all(d >= 1 for d in diffs) and diffs == sorted(diffs, reverse=True)
            found |= bool(teach)
    assert found


def test_the_network_of_an_element_without_enablers(world):
    """Found by the co-development browser test: the network view of a focus element with no
    enablers (or no dependants) raised (a strict zip of no rows with one y position)."""
    ctx, _ = world
    model = rd.model(ctx)
    lonely = [e for j, e in enumerate(model.element_ids)
              if not len(model.enabler_lists[j]) or not len(model.dependant_lists[j])]
    assert lonely
    for element in lonely:
        fig, caption = callbacks.update_network(ctx, element, ENSCHEDE, "2026", 3, None, "en")
        assert fig["data"] and caption
