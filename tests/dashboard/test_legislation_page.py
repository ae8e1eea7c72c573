"""Legislation tab: aggregate equals the engine, consent, overrides, draft law, YAML, empty
states and permalinks (Dutch demo build)."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest
import yaml

from dashboard import legislation_data as ld
from dashboard.config import Settings
from dashboard.context import AppContext
from dashboard.pages import legislation as page
from pipelines.maturity.readiness import population_readiness, resolve_population, validate_profile

AT = dt.date(2026, 7, 1)
ENSCHEDE = "NL_GM0153"  # consented
GRONINGEN = "NL_GM0014"  # did not consent


@pytest.fixture(autouse=True)
def fixed_today(monkeypatch):
    monkeypatch.setattr(ld, "today", lambda: AT)


def test_aggregate_shares_equal_the_engine(nl_open_ctx):
    ctx = nl_open_ctx
    snap = ctx.warehouse.snapshot()
    df = ld.law_table(ctx, snap, ld.Selection(), AT, 0, "en")
    inp = ld.inputs(ctx)
    cube = snap.maturity
    lv = cube.levels[-1]
    answered = (lv != -1).any(axis=1)
    ref = ctx.municipalities
    table = resolve_population(inp, ref["country"].to_numpy()[answered],
                               ref["population"].to_numpy(dtype=float, na_value=np.nan)[answered])
    res = population_readiness(inp, lv[answered], table, at=AT)
    for r in df.to_dict("records"):
        s = res.summary(r["law"])
        assert r["ready"] == s["ready_total"] and r["not_ready"] == s["not_ready"]
        assert r["share_ready"] == pytest.approx(s["ready_total"] / answered.sum())
    a = page.aggregate(ctx, snap, ld.Selection(), AT, 0, "en")
    assert a["bar"]["data"] and "municipalities that answered" in a["bar_caption"]


def test_unverified_laws_are_marked(nl_open_ctx):
    snap = nl_open_ctx.warehouse.snapshot()
    df = ld.law_table(nl_open_ctx, snap, ld.Selection(), AT, 0, "en")
    assert df["unverified"].any()


def test_small_selection_is_suppressed_and_empty_selection_says_so(nl_open_ctx, tree):
    ctx = nl_open_ctx
    snap = ctx.warehouse.snapshot()
    empty = page.aggregate(ctx, snap, ld.Selection("BE"), AT, 0, "en")
    assert "No municipalities" in empty["bar_caption"]
    small = ld.Selection("NL", None, "ge250k")
    n = len(ld.subset(ctx, snap, small).rows)
    if 0 < n < ctx.settings.min_group:
        assert "fewer than" in page.aggregate(ctx, snap, small, AT, 0, "en")["bar_caption"]


def test_municipality_view_hides_a_non_consenting_municipality(nl_ctx, tree):
    snap = nl_ctx.warehouse.snapshot()
    content, _, _, frame = page.municipality(nl_ctx, snap, GRONINGEN, None, None, AT, 0, "en")
    assert frame is None and "did not consent" in tree.text(content)
    content, _, _, frame = page.municipality(nl_ctx, snap, ENSCHEDE, None, None, AT, 0, "en")
    assert frame is not None and "Enschede" in tree.text(content)


def test_nis2_override_flips_nis2(nl_open_ctx, tree):
    snap = nl_open_ctx.warehouse.snapshot()
    at = dt.date(2027, 1, 1)  # after the Dutch NIS2 date
    _, checked = page.condition_checklist(nl_open_ctx, snap, ENSCHEDE)
    _, _, _, before = page.municipality(nl_open_ctx, snap, ENSCHEDE, checked, None, at, 0, "en")
    _, _, _, after = page.municipality(nl_open_ctx, snap, ENSCHEDE, checked, "none", at, 0, "en")
    assert (before["law"] == "NIS2").any() and not (after["law"] == "NIS2").any()
    # a municipality condition override changes what applies too
    _, _, _, ai = page.municipality(nl_open_ctx, snap, ENSCHEDE, [*checked, "deploys_high_risk_ai"],
                                    None, at, 0, "en")
    assert len(ai) >= len(before)


def _profile(minimum: int) -> dict:
    n = page.SLOTS
    elements = ["SEC-01", "GOV-01"] + [""] * (n - 2)
    mins = [str(minimum), "1"] + ["2"] * (n - 2)
    deadlines = ["2026-01-01", "2026-01-01"] + [""] * (n - 2)
    return page.draft_profile(elements, mins, deadlines, [""] * n, ["required"] * n, None, "DRAFT")


def test_draft_share_changes_with_the_minimum(nl_open_ctx, tree):
    snap = nl_open_ctx.warehouse.snapshot()
    low = page.draft(nl_open_ctx, snap, _profile(1), ld.Selection(), AT, 0, "en")
    high = page.draft(nl_open_ctx, snap, _profile(4), ld.Selection(), AT, 0, "en")
    share = lambda c: tree.find(c, id="legislation-draft-share")[0].children  # noqa: E731
    assert float(share(low[0]).rstrip("%")) > float(share(high[0]).rstrip("%"))
    bad = page.draft(nl_open_ctx, snap, {**_profile(2), "id": "bad id"}, ld.Selection(), AT, 0, "en")
    assert bad[1] is None and "not valid" in tree.text(bad[0])
    empty = page.draft(nl_open_ctx, snap, {"id": "X", "name": "X", "requirements": []},
                       ld.Selection(), AT, 0, "en")
    assert "at least one" in tree.text(empty[0])


def test_yaml_download_parses_and_validates(nl_open_ctx):
    text = page.draft_yaml(nl_open_ctx, _profile(3))
    law = validate_profile(yaml.safe_load(text), ld.inputs(nl_open_ctx), draft=False)
    assert law.requirements[0].min == 3
    # an existing law's profile round-trips through the editor rows
    gdpr = ld.inputs(nl_open_ctx).law("GDPR")
    rows = page.law_rows(gdpr)
    prof = page.draft_profile(*[[r[k] for r in rows] for k in ("element", "min", "deadline",
                                                                 "applies_if", "status")],
                              None, "GDPR2")
    assert len(validate_profile(prof, ld.inputs(nl_open_ctx)).requirements) == len(rows)


def test_empty_state(tmp_path, tree):
    ctx = AppContext.load(Settings.from_env({"DS4E_DATA_DIR": str(tmp_path)}))
    text = tree.text(page.layout(ctx, "en", {}))
    assert "No data published yet" in text
    assert "Nog geen gegevens" in tree.text(page.layout(ctx, "nl", {}))


def test_permalink_round_trip(nl_open_ctx, tree):
    q = page.state_query("municipality", "NL", "NL21", "20k-50k", "2026-05-01", 30, "GDPR",
                         ENSCHEDE, "none", ["uses_ai"])
    from urllib.parse import parse_qsl
    st = page.parse_state(dict(parse_qsl(q[1:])))
    assert st["view"] == "municipality" and st["country"] == "NL" and st["nuts2"] == "NL21"
    assert st["size"] == "20k-50k" and st["at"] == dt.date(2026, 5, 1) and st["horizon"] == 30
    assert st["law"] == "GDPR" and st["m"] == ENSCHEDE and st["nis2"] == "none"
    assert st["on"] == ["uses_ai"]
    layout = page.layout(nl_open_ctx, "en", dict(parse_qsl(q[1:])))
    assert tree.find(layout, id=page.VIEW)[0].value == "municipality"
    assert tree.find(layout, id=page.AT)[0].value == "2026-05-01"
    assert tree.find(layout, id=page.CONDITIONS)[0].value == ["uses_ai"]
    # defaults: today() from the one helper
    assert page.parse_state({})["at"] == AT


def test_every_draft_editor_control_has_a_label(nl_open_ctx, tree):
    """dbc.Select takes no aria-label: each control of the draft-law editor is named by a
    <label for> whose target is the DOM id Dash renders for its (pattern-matching) id."""
    import dash_bootstrap_components as dbc
    from dash._utils import stringify_id

    for lang, names in (("en", ("Requirement 3: Minimum level", "Requirement 12: Kind")),
                        ("nl", ("Eis 3: Minimumniveau", "Eis 12: Soort"))):
        layout = page.layout(nl_open_ctx, lang, {"view": "draft", "law": "NIS2"})
        box = tree.find(layout, id=page.DRAFT_BOX)[0]
        labels = {c.html_for: tree.text(c) for c in tree.walk(box) if getattr(c, "html_for", None)}
        controls = [c for c in tree.walk(box) if isinstance(c, dbc.Select | dbc.Input)]
        assert len(controls) == 3 + 5 * page.SLOTS
        for c in controls:
            assert page.dom_id(c.id) == stringify_id(c.id)  # what the browser sees as the id
            assert labels.get(page.dom_id(c.id)), f"no label for {c.id}"
        assert labels[page.dom_id({"type": page.REQ_MIN, "index": 2})] == names[0]
        assert labels[page.dom_id({"type": page.REQ_STATUS, "index": 11})] == names[1]
        assert len(set(labels.values())) == len(labels)  # every name tells the row apart
    assert page.dom_id(page.LAW) == page.LAW
