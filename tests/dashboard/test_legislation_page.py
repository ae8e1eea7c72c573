"""Legislation tab: aggregate equals the engine, consent, overrides, draft law, YAML, empty
states and permalinks (Dutch demo build)."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest
import yaml

from dashboard import laws
from dashboard.components import colours
from dashboard.config import Settings
from dashboard.context import AppContext
from dashboard.views.legislation import (
    aggregate_card,
    data_draft,
    data_laws,
    data_municipality,
    data_tables,
    draft_editor,
    ids,
    municipality_card,
    page,
    state,
)
from dashboard.views.legislation import data as ld
from pipelines.maturity.readiness import population_readiness, resolve_population, validate_profile

AT = dt.date(2026, 7, 1)
ENSCHEDE = "NL_GM0153"  # consented
GRONINGEN = "NL_GM0014"  # did not consent


@pytest.fixture(autouse=True)
def fixed_today(monkeypatch):
    monkeypatch.setattr(laws, "today", lambda: AT)


@pytest.mark.parametrize("horizon", [0, ld.ALL_DEADLINES])
def test_aggregate_shares_equal_the_engine(nl_open_ctx, horizon):
    ctx = nl_open_ctx
    snap = ctx.warehouse.snapshot()
    df = data_tables.law_table(ctx, snap, ld.Selection(), AT, horizon, "en")
    inp = ld.inputs(ctx)
    cube = snap.maturity
    lv = cube.levels[-1]
    answered = (lv != -1).any(axis=1)
    ref = ctx.municipalities
    table = resolve_population(inp, ref["country"].to_numpy()[answered],
                               ref["population"].to_numpy(dtype=float, na_value=np.nan)[answered])
    res = population_readiness(inp, lv[answered], table, at=AT, horizon_days=horizon)
    for r in df.to_dict("records"):
        s = res.summary(r["law"])
        assert r["applies"] == s["municipalities"] - s["not_applicable"]
        assert r["not_due"] == s["not_due"] and r["due"] == s["due"]
        if s["due"] >= ctx.settings.min_group:
            assert r["ready"] == s["ready"] and r["not_ready"] == s["not_ready"]
            assert r["share_ready"] == pytest.approx(s["ready"] / s["due"])
        else:  # nothing (or too little) due: no share, never "100 % ready"
            assert pd.isna(r["share_ready"]) and pd.isna(r["ready"])
    a = aggregate_card.aggregate(ctx, snap, ld.Selection(), AT, horizon, "en")
    assert a["bar"]["data"] and "municipalities that answered" in a["bar_caption"]


def test_a_law_that_does_not_apply_is_shown_apart_not_as_ready(nl_open_ctx, tree):
    """The ministry analyst's view of the Dutch demo: INSPIRE, HVD, CER, ViDA and the Digital
    Decade apply to no Dutch municipality. They get no share, are named as not applying in the
    sentence, and their bars are the not-applicable colour, never the ready colour."""
    ctx = nl_open_ctx
    snap = ctx.warehouse.snapshot()
    a = aggregate_card.aggregate(ctx, snap, ld.Selection("NL"), AT, ld.ALL_DEADLINES, "en")
    df = a["df"].set_index("law")
    na = sorted(df.index[df["applies"] == 0])
    assert {"INSPIRE", "HVD", "DDPP"} <= set(na)
    n = int(df["municipalities"].iat[0])
    for law in na:
        assert pd.isna(df.loc[law, "share_ready"]) and df.loc[law, "not_applicable"] == n
    caption = a["bar_caption"]
    short = data_laws.law_shorts(ctx, "en")  # the page names laws by their short names, never by id
    assert f"{len(na)} laws put no legal duty on any of them: " \
           f"{', '.join(short[x] for x in df.index if x in na)}" in caption
    best = df["share_ready"].dropna().idxmax()
    assert f"most ready for {short[best]} ({df.loc[best, 'share_ready']:.0%} of the " \
           f"{df.loc[best, 'due']} it asks something of)" in caption
    assert all(short[law] not in caption.split("most ready for")[1].split(")")[0] for law in na)
    bars = {tr["name"]: tr for tr in a["bar"]["data"]}
    assert bars["Ready"]["marker"]["color"] == colours.READY
    assert bars["Not applicable"]["marker"]["color"] == colours.NOT_APPLICABLE
    labels = bars["Ready"]["y"]
    for law in na:
        i = next(k for k, y in enumerate(labels) if y.removesuffix(" ⚠") == short[law])
        assert bars["Ready"]["customdata"][i] == 0
        assert bars["Not applicable"]["customdata"][i] == n
    # the table says to how many it applies
    words = tree.text(a["table"])
    assert "INSPIRE – " in words and f"0 of {n:,}" in words


def test_heatmap_colours_mean_what_the_bars_mean(nl_open_ctx):
    """100 % ready is the ready colour and 0 % the not-ready colour, as in the bars (the
    heatmap once used plotly's reversed 'Greens': dark green was 0-10 % ready)."""
    snap = nl_open_ctx.warehouse.snapshot()
    fig, caption = aggregate_card.heatmap(nl_open_ctx, snap, ld.Selection("NL"), AT, ld.ALL_DEADLINES, "en")
    trace = fig["data"][0]
    assert (trace["zmin"], trace["zmax"]) == (0, 1)
    assert trace["colorscale"][0][1] == colours.NOT_READY
    assert trace["colorscale"][-1][1] == colours.READY
    assert trace["colorbar"]["title"]["text"] == "Share ready"
    inspire = trace["y"].index("INSPIRE")
    assert set(trace["text"][inspire]) <= {"n/a", "–"} and "n/a" in trace["text"][inspire]
    assert "“n/a” = the law does not apply there" in caption


def test_heatmap_csv_says_why_a_cell_is_empty(nl_open_ctx):
    snap = nl_open_ctx.warehouse.snapshot()
    hm = data_tables.heatmap_table(nl_open_ctx, snap, ld.Selection("NL"), AT, ld.ALL_DEADLINES)
    long = data_tables.heatmap_long(hm)
    assert len(long) == hm.shape[0] * hm.shape[1]
    inspire = long[long["law"] == "INSPIRE"]
    assert inspire["share_ready"].isna().all()
    assert set(inspire["note"]) <= {"not applicable", "fewer than min_group: not shown"}
    nis2 = long[(long["law"] == "NIS2") & long["share_ready"].notna()]
    assert len(nis2) and (nis2["note"] == "").all()
    assert (nis2["municipalities"] >= nl_open_ctx.settings.min_group).all()


def old_heatmap_long(hm):
    """data_tables.heatmap_long as it was: a frame lookup per cell (the reference)."""
    state = hm.attrs.get("state")
    rows = [{"law": law, "area": area, "municipalities": hm.attrs["counts"].get(area),
             "share_ready": None if pd.isna(hm.at[law, area]) else round(float(hm.at[law, area]), 4),
             "note": data_tables.HEAT_NOTES[state.at[law, area]] if state is not None else ""}
            for law in hm.index for area in hm.columns]
    return pd.DataFrame(rows, columns=["law", "area", "municipalities", "share_ready", "note"])


@pytest.mark.parametrize("sel", [ld.Selection(), ld.Selection("NL"), ld.Selection("NL", None, "20k-50k")])
def test_heatmap_csv_from_arrays_equals_the_cell_by_cell_table(nl_ctx, sel):
    snap = nl_ctx.warehouse.snapshot()
    hm = data_tables.heatmap_table(nl_ctx, snap, sel, AT, ld.ALL_DEADLINES)
    new, old = data_tables.heatmap_long(hm), old_heatmap_long(hm)
    assert len(new) == hm.shape[0] * hm.shape[1] > 0
    assert new.to_csv(index=False) == old.to_csv(index=False)
    pd.testing.assert_frame_equal(new, old)
    hm.attrs.pop("state")  # a table without its reasons: no notes
    assert data_tables.heatmap_long(hm).equals(old_heatmap_long(hm))


def test_unverified_laws_are_marked(nl_open_ctx, tree):
    """Exactly the laws with a confidence: check fact (the law or one of its requirements) are
    marked '(unverified)' in the table; the laws whose figures rest on an unconfirmed national
    fact of the selection's countries (a date or scope from member_states.yaml, e.g. NL's NIS2
    date) say so with the country (framework README rule 5); both get ⚠ on the bars."""
    snap = nl_open_ctx.warehouse.snapshot()
    fw = nl_open_ctx.framework
    expected = {law.id for law in fw.all_laws if law.confidence == "check"
                or any(r.confidence == "check" for r in law.requirements)}
    assert expected and expected != {law.id for law in fw.all_laws}  # a mix to tell apart
    df = data_tables.law_table(nl_open_ctx, snap, ld.Selection(), AT, 0, "en")
    assert set(df.loc[df["law_unverified"], "law"]) == expected
    national = {r["law"] for r in df.to_dict("records") if r["unverified_countries"]}
    assert "NIS2" in national and "GDPR" not in national  # NL's NIS2 date is not confirmed
    assert set(df.loc[df["unverified"], "law"]) == expected | national
    nis2 = df.set_index("law").loc["NIS2", "unverified_countries"]
    assert nis2 == ["NL"]  # the Dutch demo: one country
    a = aggregate_card.aggregate(nl_open_ctx, snap, ld.Selection("NL"), AT, 0, "en")
    labels = a["bar"]["data"][0]["y"]
    by_short = {v: k for k, v in data_laws.law_shorts(nl_open_ctx, "en").items()}
    assert {by_short[y.removesuffix(" ⚠")] for y in labels if y.endswith("⚠")} == \
        expected | national
    words = tree.text(a["table"])
    shorts = data_laws.law_shorts(nl_open_ctx, "en")
    for law in df.to_dict("records"):
        marked = f"{shorts[law['law']]} – {law['name']} (unverified" in words
        assert marked == (law["law"] in expected), law["law"]
    assert "NIS2 – NIS2 Directive (national fact unverified for NL)" in words
    # the municipality view: a NIS2 gap's deadline is NL's unconfirmed date, marked ⚠
    content, _, _, frame = municipality_card.municipality(nl_open_ctx, snap, ENSCHEDE, None, None,
                                             dt.date(2027, 1, 1), ld.ALL_DEADLINES, "en")
    gaps = frame[(frame["law"] == "NIS2") & frame["element"].notna()]
    assert len(gaps) and gaps["unverified"].all()  # premise: Enschede has NIS2 gaps in the demo
    assert "2026-06-30 ⚠" in tree.text(content)


def test_only_legal_duties_count_and_recommendations_are_shown_apart(nl_open_ctx, tree):
    """The CRA binds manufacturers: it applies to no municipality as a duty, so it has no share
    ready, while its recommendations keep their own 'met' share in the ambition column. In the
    municipality view every requirement says whether it is a legal duty, and on which article."""
    snap = nl_open_ctx.warehouse.snapshot()
    df = data_tables.law_table(nl_open_ctx, snap, ld.Selection("NL"), AT, ld.ALL_DEADLINES, "en")
    cra = df.set_index("law").loc["CRA"]
    assert cra["applies"] == 0 and pd.isna(cra["share_ready"])
    assert cra["ambition_due"] > 0 and 0 <= cra["ambition_share_met"] <= 1
    inp = ld.inputs(nl_open_ctx)
    _, res = ld.population(nl_open_ctx, snap, ld.Selection("NL"), AT, ld.ALL_DEADLINES)
    met = res.ambition_counts("CRA")  # municipalities per ambition status code
    assert cra["ambition_share_met"] == pytest.approx(met[1] / met[[1, 2, 3]].sum())
    a = aggregate_card.aggregate(nl_open_ctx, snap, ld.Selection("NL"), AT, ld.ALL_DEADLINES, "en")
    words = tree.text(a["table"])
    assert "Recommendations met (ambition)" in words and f"{cra['ambition_share_met']:.0%}" in words
    content, _, _, _ = municipality_card.municipality(nl_open_ctx, snap, ENSCHEDE, None, None, AT,
                                         ld.ALL_DEADLINES, "en")
    applied = tree.text(content)
    gdpr_sec02 = next(r for r in inp.law("GDPR").requirements if r.element == "SEC-02")
    assert "legal duty" in applied and "recommendation" in applied
    assert gdpr_sec02.legal_basis in applied
    assert "Recommendations" in applied  # the per-law ambition column


def test_small_selection_is_suppressed_and_empty_selection_says_so(nl_open_ctx, tree):
    ctx = nl_open_ctx
    snap = ctx.warehouse.snapshot()
    empty = aggregate_card.aggregate(ctx, snap, ld.Selection("BE"), AT, 0, "en")
    assert "No municipalities" in empty["bar_caption"]
    # the selections of fewer than min_group answering municipalities: the four largest cities
    small = ld.Selection("NL", None, "ge250k")
    n = len(ld.subset(ctx, snap, small).rows)
    assert 0 < n < ctx.settings.min_group  # the fixture's premise: fails if the seed changes
    caption = aggregate_card.aggregate(ctx, snap, small, AT, 0, "en")["bar_caption"]
    assert caption == f"Only {n} municipalities in this selection: fewer than 5, so not shown."


def test_municipality_view_hides_a_non_consenting_municipality(nl_ctx, tree):
    snap = nl_ctx.warehouse.snapshot()
    content, _, _, frame = municipality_card.municipality(nl_ctx, snap, GRONINGEN, None, None, AT, 0, "en")
    assert frame is None and "did not consent" in tree.text(content)
    content, _, _, frame = municipality_card.municipality(nl_ctx, snap, ENSCHEDE, None, None, AT, 0, "en")
    assert frame is not None and "Enschede" in tree.text(content)


def test_nis2_override_flips_nis2(nl_open_ctx, tree):
    snap = nl_open_ctx.warehouse.snapshot()
    at = dt.date(2027, 1, 1)  # after the Dutch NIS2 date
    _, checked = data_municipality.condition_checklist(nl_open_ctx, snap, ENSCHEDE)
    _, _, _, before = municipality_card.municipality(nl_open_ctx, snap, ENSCHEDE, checked, None, at, 0, "en")
    _, _, _, after = municipality_card.municipality(nl_open_ctx, snap, ENSCHEDE, checked, "none", at, 0, "en")
    assert set(before.loc[before["law"] == "NIS2", "status"]) <= {"ready", "not_ready", "unknown"}
    assert after.loc[after["law"] == "NIS2", "status"].tolist() == ["not_applicable"]
    assert after.loc[after["law"] == "NIS2", "element"].isna().all()
    # a municipality condition override changes what applies too
    _, _, _, ai = municipality_card.municipality(
        nl_open_ctx, snap, ENSCHEDE, [*checked, "deploys_high_risk_ai"], None, at, 0, "en")
    assert len(ai) >= len(before)


def test_municipality_sentence_counts_only_laws_that_ask_something(nl_open_ctx, tree):
    """Groningen: 'ready for k of the laws that ask something of it', with the laws that do not
    apply counted apart (it once read 'ready for 20 of 21 laws' with 5 of them not applying)."""
    snap = nl_open_ctx.warehouse.snapshot()
    content, _, _, frame = municipality_card.municipality(nl_open_ctx, snap, GRONINGEN, None, None, AT,
                                             ld.ALL_DEADLINES, "en")
    per_law = frame.drop_duplicates("law").set_index("law")["status"]
    ready = int((per_law == "ready").sum())
    due = int(per_law.isin(["ready", "not_ready", "unknown"]).sum())
    na = int((per_law == "not_applicable").sum())
    assert na >= 5
    sentence = tree.text(tree.find(content, id="legislation-mun-summary")[0])
    assert sentence.startswith(f"Groningen is ready for {ready} of the {due} laws that ask "
                               "something of it")
    assert f"{na} do not apply to it." in sentence


def _profile(minimum: int) -> dict:
    n = ids.SLOTS
    elements = ["SEC-01", "GOV-01"] + [""] * (n - 2)
    mins = [str(minimum), "1"] + ["2"] * (n - 2)
    deadlines = ["2026-01-01", "2026-01-01"] + [""] * (n - 2)
    return data_draft.draft_profile(elements, mins, deadlines, [""] * n, ["required"] * n, None, "DRAFT")


def test_a_future_draft_is_tested_at_its_own_deadlines_by_default(nl_open_ctx, tree):
    """A requirement due in 2028 was '100 % ready' with the old default (horizon 0 from today).
    By default every requirement counts against its own deadline; 'due by the evaluation date'
    says nothing is due and shows no share."""
    snap = nl_open_ctx.warehouse.snapshot()
    n = ids.SLOTS
    prof = data_draft.draft_profile(["SEC-01"] + [""] * (n - 1), ["4"] + ["2"] * (n - 1),
                              ["2028-01-01"] + [""] * (n - 1), [""] * n, ["required"] * n, None)
    default = draft_editor.draft(nl_open_ctx, snap, prof, ld.Selection(), AT, ld.DEFAULT_HORIZON, "en")
    share = tree.find(default[0], id="legislation-draft-share")[0].children
    assert share != "100%" and share.endswith("%")
    assert "counting every requirement against its own deadline" in tree.text(default[0])
    due_now = draft_editor.draft(nl_open_ctx, snap, prof, ld.Selection(), AT, 0, "en")
    assert tree.find(due_now[0], id="legislation-draft-share")[0].children == "–"
    assert "nothing is due, counting what is due by 2026-07-01" in tree.text(due_now[0])


def test_draft_share_changes_with_the_minimum(nl_open_ctx, tree):
    snap = nl_open_ctx.warehouse.snapshot()
    low = draft_editor.draft(nl_open_ctx, snap, _profile(1), ld.Selection(), AT, 0, "en")
    high = draft_editor.draft(nl_open_ctx, snap, _profile(4), ld.Selection(), AT, 0, "en")
    share = lambda c: tree.find(c, id="legislation-draft-share")[0].children  # noqa: E731
    assert float(share(low[0]).rstrip("%")) > float(share(high[0]).rstrip("%"))
    bad = draft_editor.draft(nl_open_ctx, snap, {**_profile(2), "id": "bad id"}, ld.Selection(), AT, 0, "en")
    assert bad[1] is None and "not valid" in tree.text(bad[0])
    empty = draft_editor.draft(nl_open_ctx, snap, {"id": "X", "name": "X", "requirements": []},
                       ld.Selection(), AT, 0, "en")
    assert "at least one" in tree.text(empty[0])


def test_yaml_download_parses_and_validates(nl_open_ctx):
    text = data_draft.draft_yaml(nl_open_ctx, _profile(3))
    law = validate_profile(yaml.safe_load(text), ld.inputs(nl_open_ctx), draft=False)
    assert law.requirements[0].min == 3
    # an existing law's profile round-trips through the editor rows
    gdpr = ld.inputs(nl_open_ctx).law("GDPR")
    rows = data_draft.law_rows(gdpr)
    prof = data_draft.draft_profile(*[[r[k] for r in rows] for k in ("element", "min", "deadline",
                                                                 "applies_if", "status")],
                              None, "GDPR2")
    assert len(validate_profile(prof, ld.inputs(nl_open_ctx)).requirements) == len(rows)


def test_empty_state(tmp_path, tree):
    ctx = AppContext.load(Settings.from_env({"DS4E_DATA_DIR": str(tmp_path)}))
    text = tree.text(page.layout(ctx, "en", {}))
    assert "No data published yet" in text
    assert "Nog geen gegevens" in tree.text(page.layout(ctx, "nl", {}))


def test_permalink_round_trip(nl_open_ctx, tree):
    q = state.state_query("municipality", "NL", "NL21", "20k-50k", "2026-05-01", 30, "GDPR",
                         ENSCHEDE, "none", ["uses_ai"])
    from urllib.parse import parse_qsl
    st = state.parse_state(dict(parse_qsl(q[1:])), nl_open_ctx)
    assert st["notices"] == []
    assert st["view"] == "municipality" and st["country"] == "NL" and st["nuts2"] == "NL21"
    assert st["size"] == "20k-50k" and st["at"] == dt.date(2026, 5, 1) and st["horizon"] == 30
    assert st["law"] == "GDPR" and st["m"] == ENSCHEDE and st["nis2"] == "none"
    assert st["on"] == ["uses_ai"]
    layout = page.layout(nl_open_ctx, "en", dict(parse_qsl(q[1:])))
    assert tree.find(layout, id=ids.VIEW)[0].value == "municipality"
    assert tree.find(layout, id=ids.AT)[0].value == "2026-05-01"
    assert tree.find(layout, id=ids.CONDITIONS)[0].value == ["uses_ai"]
    # defaults: today() from the one helper, every deadline
    assert state.parse_state({})["at"] == AT
    assert state.parse_state({})["horizon"] is ld.ALL_DEADLINES


def test_a_draft_law_is_shared_by_its_url(nl_open_ctx, tree):
    n = ids.SLOTS
    rows = (["SEC-01", "DAT-01"] + [""] * (n - 2), ["3", "2"] + ["2"] * (n - 2),
            ["2027-06-01", "nis2_date"] + [""] * (n - 2),
            [ids.ANY, "holds_authentic_source"] + [ids.ANY] * (n - 2),
            ["required", "recommended"] + ["required"] * (n - 2))
    text = data_draft.draft_text(*rows)
    assert text == "SEC-01:3:2027-06-01::required;DAT-01:2:nis2_date:holds_authentic_source:recommended"
    q = state.state_query("draft", None, None, None, None, None, None, None, None,
                         draft={"rows": text, "id": "MYLAW", "pop": 20000})
    from urllib.parse import parse_qsl
    layout = page.layout(nl_open_ctx, "en", dict(parse_qsl(q[1:])))
    box = tree.find(layout, id=ids.DRAFT_BOX)[0]
    values = {k: [c.value for c in tree.walk(box) if getattr(c, "id", None) == {"type": k, "index": i}]
              for i, k in [(1, ids.REQ_ELEMENT), (1, ids.REQ_DEADLINE), (1, ids.REQ_IF)]}
    assert values == {ids.REQ_ELEMENT: ["DAT-01"], ids.REQ_DEADLINE: ["nis2_date"],
                      ids.REQ_IF: ["holds_authentic_source"]}
    assert tree.find(layout, id=ids.DRAFT_ID)[0].value == "MYLAW"
    assert tree.find(layout, id=ids.DRAFT_POP)[0].value == "20000"
    bad = page.layout(nl_open_ctx, "en", {"view": "draft", "draft": "SEC-01:3;x"})
    assert "The draft in the address could not be read (row 1: 2 fields, expected 5" in \
        tree.text(bad)


@pytest.mark.parametrize("query,words", [
    ({"country": "ZZ"}, "No country with the code ‘ZZ’; showing the whole EU instead."),
    ({"at": "notadate"}, "‘notadate’ is not a date (YYYY-MM-DD); using 2026-07-01 instead."),
    ({"view": "municipality", "m": "XX_NOPE"}, "There is no municipality with the id ‘XX_NOPE’."),
    ({"country": "NL", "nuts2": "BE21"}, "No region ‘BE21’ in NL"),
    ({"horizon": "soon"}, "‘soon’ is not a horizon"),
    ({"view": "maps"}, "No view ‘maps’"),
    ({"law": "NOPE"}, "No law ‘NOPE’"),
])
def test_bad_url_parameters_are_explained(nl_open_ctx, tree, query, words):
    layout = page.layout(nl_open_ctx, "en", query)
    notice = tree.text(tree.find(layout, id="legislation-notices")[0])
    assert words in notice
    assert "does not exist" in notice
    assert not tree.text(tree.find(page.layout(nl_open_ctx, "en", {}),
                                   id="legislation-notices")[0])


def test_every_draft_editor_control_has_a_label(nl_open_ctx, tree):
    """dbc.Select takes no aria-label: each control of the draft-law editor is named by a
    <label for> whose target is the DOM id Dash renders for its (pattern-matching) id."""
    import dash_bootstrap_components as dbc
    from dash._utils import stringify_id

    for lang, names in (("en", ("Requirement 3: Minimum level", "Requirement 12: Kind")),
                        ("nl", ("Eis 3: Minimumniveau", "Eis 12: Soort"))):
        layout = page.layout(nl_open_ctx, lang, {"view": "draft", "law": "NIS2"})
        box = tree.find(layout, id=ids.DRAFT_BOX)[0]
        labels = {c.html_for: tree.text(c) for c in tree.walk(box) if getattr(c, "html_for", None)}
        controls = [c for c in tree.walk(box) if isinstance(c, dbc.Select | dbc.Input)]
        assert len(controls) == 3 + 5 * ids.SLOTS
        for c in controls:
            assert ids.dom_id(c.id) == stringify_id(c.id)  # what the browser sees as the id
            assert labels.get(ids.dom_id(c.id)), f"no label for {c.id}"
        assert labels[ids.dom_id({"type": ids.REQ_MIN, "index": 2})] == names[0]
        assert labels[ids.dom_id({"type": ids.REQ_STATUS, "index": 11})] == names[1]
        assert len(set(labels.values())) == len(labels)  # every name tells the row apart
    assert ids.dom_id(ids.LAW) == ids.LAW
