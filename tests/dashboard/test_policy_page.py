"""Policy & funding page (/policy) on the Dutch demo build: first-phase counts, leverage,
bottleneck heatmaps with suppression, law readiness, empty states and permalinks."""

from __future__ import annotations

import datetime as dt
import shutil
from urllib.parse import parse_qsl

import numpy as np
import plotly.graph_objects as go
import pytest
from dash.exceptions import PreventUpdate
from published import as_older_build

from dashboard.config import Settings
from dashboard.context import AppContext
from dashboard.i18n import t
from dashboard.registry import PAGES
from dashboard.shell import parse_query
from dashboard.views.legislation import data as legislation_data
from dashboard.views.maps import page as maps
from dashboard.views.policy import callbacks
from dashboard.views.policy import ids as policy_ids
from dashboard.views.policy import page as policy
from dashboard.views.policy.data import (
    first_phase_frame,
    heat,
    leverage_frame,
    lobby_of,
    policy_data,
)
from dashboard.views.policy.figures import FP_TOP
from dashboard.views.policy.layout import ALL
from dashboard.views.policy.selection import Selection, parse_selection
from pipelines.maturity.roadmap import model_from_framework
from pipelines.maturity.roadmap_population import leverage
from pipelines.roadmap_build import ROADMAP_FILE

OUT = {k: i for i, k in enumerate(callbacks.OUTPUT_KEYS)}


def view(ctx, country=None, nuts2=None, size=None, measure="per", lang="en"):
    return callbacks.update_view(ctx, country, nuts2, size, measure, lang)


@pytest.fixture(scope="module")
def data(nl_open_ctx):
    return policy_data(nl_open_ctx, nl_open_ctx.warehouse.snapshot())


@pytest.fixture(scope="module")
def wave_levels(nl_open_ctx, data):
    cube = nl_open_ctx.warehouse.snapshot().maturity
    return cube.levels[cube.wave_index(data.roadmaps.wave)]


def _mask(ctx, country=None, nuts2=None, size=None):
    attrs = ctx.attributes
    m = np.ones(len(attrs.country), dtype=bool)
    for field, v in (("country", country), ("nuts2", nuts2), ("size_class", size)):
        if v:
            m &= attrs.mask_for(field, v)
    return m


# ------------------------------------------------------------------ registry and layout


def test_registered_after_maps_with_both_languages():
    names = [p.__name__.split(".")[-2] for p in PAGES]  # dashboard.views.<view>.page
    assert names.index("maps") < names.index("policy") < names.index("knowledge")
    assert maps in PAGES
    assert policy.PATH == "/policy" and policy.NAV_KEY == "policy.nav"
    assert t("policy.nav", "nl") == "Beleid & financiering"
    assert t("policy.nav", "en") == "Policy & funding"


def test_layout_shows_question_guide_controls_and_every_section(nl_open_ctx, tree):
    page = policy.layout(nl_open_ctx, "en", {})
    text = tree.text(page)
    assert ("Which capabilities do most municipalities need next, and where would support, "
            "funding or lobbying help most?") in text
    assert "names funded municipalities only where their results are public" in text
    for cid in (policy_ids.COUNTRY, policy_ids.NUTS2, policy_ids.SIZE, policy_ids.MEASURE,
                policy_ids.FP_GRAPH, policy_ids.LEV_TABLE, policy_ids.REGION_GRAPH,
                policy_ids.SIZE_GRAPH, policy_ids.LOBBY, *policy_ids.CSV_BUTTONS):
        assert tree.find(page, id=cid), cid
    labels = {c.html_for for c in tree.walk(page) if type(c).__name__ == "Label"}
    assert {policy_ids.COUNTRY, policy_ids.NUTS2, policy_ids.SIZE, policy_ids.MEASURE} <= labels
    assert "leverage = the number" in text.lower() or "Leverage of an element =" in text
    assert len(tree.find(page, type="heatmap")) == 0  # figures are graph props, not children
    figs = [c for c in tree.walk(page) if type(c).__name__ == "Figcaption"]
    assert len(figs) == 3 and all(tree.text(f) for f in figs)


def test_dutch_layout(nl_open_ctx, tree):
    text = tree.text(policy.layout(nl_open_ctx, "nl", {"country": "NL"}))
    assert "Welke capaciteiten hebben de meeste gemeenten als volgende nodig" in text
    assert "Hefboom" in text and "Lobby" in text


# ------------------------------------------------------------------ numbers


def test_first_phase_counts_equal_the_stored_roadmap(nl_open_ctx, data):
    pop = data.roadmaps.population
    for sel in (Selection(), Selection("NL"), Selection("NL", "NL33"),
                Selection("NL", None, "20k-50k")):
        mask = _mask(nl_open_ctx, sel.country, sel.nuts2, sel.size) & pop.answered
        fp = pop.sequence[mask][:, :data.roadmaps.per_phase]
        expected = np.bincount(fp[fp >= 0].astype(int), minlength=len(pop.element_ids))
        df = first_phase_frame(nl_open_ctx, data, sel)
        got = dict(zip(df["element_id"], df["first_phase"], strict=True))
        assert [got[e] for e in pop.element_ids] == expected.tolist(), sel
        assert df["first_phase"].is_monotonic_decreasing
        np.testing.assert_allclose(df["share"], np.round(df["first_phase"] / mask.sum(), 4))


def test_first_phase_chart_and_caption(nl_open_ctx, data):
    out = view(nl_open_ctx, "NL")
    fig = go.Figure(out[OUT["fp_figure"]])  # validates the figure in full
    bar = fig.data[0]
    df = first_phase_frame(nl_open_ctx, data, Selection("NL"))
    df = df[df["first_phase"] > 0]
    assert len(bar.y) == min(len(df), FP_TOP)
    assert bar.text[0].startswith(f"{df['first_phase'].iloc[0]:,} (")
    assert df["element_id"].iloc[0] in out[OUT["fp_caption"]]


def test_leverage_table_equals_the_engine(nl_open_ctx, data, wave_levels, fw):
    model = model_from_framework(fw)
    pop = data.roadmaps.population
    for sel in (Selection(), Selection("NL", "NL41"), Selection("NL", None, "5k-20k")):
        mask = _mask(nl_open_ctx, sel.country, sel.nuts2, sel.size)
        exp = leverage(model, wave_levels, rows=mask, result=pop).rows()
        df = leverage_frame(nl_open_ctx, data, sel)
        assert df["element_id"].tolist() == [r["element"] for r in exp]
        assert df["lacking"].tolist() == [r["lacking"] for r in exp]
        assert df["first_phase"].tolist() == [r["first_phase"] for r in exp]
        assert df["first_step"].tolist() == [r["first_step"] for r in exp]
        np.testing.assert_allclose(df["leverage"], [r["leverage"] for r in exp], atol=1e-3)
        np.testing.assert_allclose(df["mean_unlock"].astype(float),
                                   [np.nan if r["mean_unlock"] is None else r["mean_unlock"]
                                    for r in exp], atol=1e-4)


def test_leverage_table_rows_in_the_page(nl_open_ctx, data, tree):
    out = view(nl_open_ctx, "NL")
    table = out[OUT["lev_table"]]
    rows = [r for r in tree.walk(table) if type(r).__name__ == "Tr"][1:]
    df = leverage_frame(nl_open_ctx, data, Selection("NL"))
    assert len(rows) == len(df) == 39
    first = tree.text(rows[0])
    assert df["element_id"].iloc[0] in first and f"{df['leverage'].iloc[0]:,.1f}" in first
    assert out[OUT["lev_api"]] == "/api/v1/insight/leverage?country=NL&format=csv"


def test_heatmaps_suppress_small_groups(nl_open_ctx, data):
    order = np.arange(39)
    regions = heat(nl_open_ctx, data, Selection("NL"), "nuts2", order)
    # NL23 has 4 answering municipalities: under min_group 5, not shown
    assert "NL23" not in regions.columns and regions.hidden == 1
    assert (regions.n >= 5).all() and len(regions.columns) == 11
    sizes = heat(nl_open_ctx, data, Selection("NL"), "size_class", order)
    assert "ge250k" not in sizes.columns and "lt5k" not in sizes.columns
    assert sizes.hidden == 2 and (sizes.n >= 5).all()
    # the heatmap cells are the engine's per-group leverage
    model = model_from_framework(nl_open_ctx.framework)
    snap = nl_open_ctx.warehouse.snapshot()
    lv = snap.maturity.levels[snap.maturity.wave_index(data.roadmaps.wave)]
    for c, region in enumerate(regions.columns):
        exp = leverage(model, lv, rows=_mask(nl_open_ctx, "NL", region))
        np.testing.assert_array_equal(regions.lacking[:, c], exp.lacking)
        np.testing.assert_array_equal(regions.leverage[:, c], exp.leverage)


def test_heatmap_figures_and_captions(nl_open_ctx):
    out = view(nl_open_ctx, "NL", "NL33")
    fig = go.Figure(out[OUT["region_figure"]])
    trace = fig.data[0]
    assert trace.type == "heatmap" and len(trace.x) == 11 and len(trace.y) == 39
    assert fig.layout.shapes and "1 group with fewer than" in out[OUT["region_caption"]]
    assert "NUTS 2 regions" in out[OUT["region_caption"]]
    sizes = go.Figure(out[OUT["size_figure"]])
    assert len(sizes.data[0].x) >= 1
    eu = view(nl_open_ctx)
    assert eu[OUT["region_title"]] == "Bottlenecks by country"
    assert "countries" in eu[OUT["region_caption"]]


def test_lobby_share_hand_checked_for_gdpr(nl_open_ctx, data, wave_levels, fw):
    """GDPR has no conditions and its dates have passed: every answering municipality is
    subject to all its required levels; one known below makes it not ready, and without such a
    gap one unknown level makes it unknown (not a gap)."""
    gdpr = next(law for law in fw.laws if law.id == "GDPR")
    idx = {e: i for i, e in enumerate(fw.element_ids)}
    answered = (wave_levels != -1).any(axis=1) & _mask(nl_open_ctx, "NL")
    lv = wave_levels[answered]
    gap = np.zeros(len(lv), dtype=bool)
    unknown = np.zeros(len(lv), dtype=bool)
    for r in gdpr.requirements:
        if r.status == "required" and r.applies_if is None:
            level = lv[:, idx[r.element]]
            gap |= (level != -1) & (level < r.min)
            unknown |= level == -1
    rows, skipped = lobby_of(nl_open_ctx, data, Selection("NL"))
    row = next(r for r in rows if r.law == "GDPR")
    assert row.municipalities == answered.sum()
    assert row.not_ready == gap.sum() and row.unknown == (unknown & ~gap).sum()
    assert row.share_not_ready == pytest.approx(gap.mean())
    # NIS2 applies to every Dutch municipality (member_states.yaml), from 2026-06-30
    nis2 = next(r for r in rows if r.law == "NIS2")
    assert nis2.municipalities == answered.sum() and nis2.deadline == dt.date(2026, 6, 30)
    assert "NIS2" not in skipped and "HVD" in skipped  # HVD: its conditions default to no
    shares = [r.share_ready for r in rows]
    assert shares == sorted(shares)


@pytest.mark.parametrize("country,nuts2,size", [("NL", None, None), ("NL", "NL33", None),
                                                ("NL", None, "20k-50k")])
def test_lobby_agrees_with_the_legislation_tab(nl_open_ctx, data, country, nuts2, size):
    """The numbers the two tabs show agree: the Legislation tab opened on the same selection at
    the build's evaluation date, with every other setting at the tab's default (as a user
    following the lobby table's link gets it), shows the lobby's counts per law."""
    from dashboard.views.legislation import aggregate_card as legislation_aggregate_card
    from dashboard.views.legislation import state as legislation_state

    at = data.roadmaps.evaluation_date
    query = {k: v for k, v in (("country", country), ("nuts2", nuts2), ("size", size),
                               ("at", at.isoformat())) if v}
    st = legislation_state.parse_state(query, nl_open_ctx)
    shown = legislation_aggregate_card.aggregate(
        nl_open_ctx, nl_open_ctx.warehouse.snapshot(),
        legislation_state.selection(st["country"], st["nuts2"], st["size"]), st["at"],
        st["horizon"], "en")["df"].set_index("law")
    rows, skipped = lobby_of(nl_open_ctx, data, Selection(country, nuts2, size))
    assert rows
    for r in rows:
        tab = shown.loc[r.law]
        assert (r.municipalities, r.ready, r.not_ready, r.unknown) == (
            tab["due"], tab["ready"], tab["not_ready"], tab["unknown"]), r.law
    for law in skipped:  # not evaluated in the lobby: nothing due in the tab either
        assert shown.loc[law, "due"] == 0, law
    # and the elements behind the gap are the tab's engine's
    _, res = legislation_data.population(
        nl_open_ctx, nl_open_ctx.warehouse.snapshot(),
        legislation_data.Selection(country, nuts2, size), at, st["horizon"])
    for r in rows:
        gaps = {el: g for el, g, _ in res.lacking(r.law) if g}
        top = sorted(gaps.items(), key=lambda x: (-x[1], res.element_ids.index(x[0])))[:3]
        assert [(data.roadmaps.element_ids[e], k) for e, k, _ in r.gaps] == top, r.law


def test_lobby_section_lists_laws_deadlines_and_not_evaluated(nl_open_ctx, tree):
    out = view(nl_open_ctx, "NL")
    text = tree.text(out[OUT["lobby"]])
    assert "GDPR" in text and "NIS2" in text and "as recorded in the framework" in text
    assert ".yaml" not in text  # a file name is no explanation for a reader
    assert "2018-05-25" in text and "2026-06-30" in text  # GDPR's and the Dutch NIS2 deadline
    assert "an unknown level is not counted as a gap" in text
    assert "Unknown" in text and "Not evaluated" in text and "HVD" in text
    assert "AVG" not in text  # the law's English short name on an English page
    nl = tree.text(view(nl_open_ctx, "NL", lang="nl")[OUT["lobby"]])
    assert "AVG" in nl and "GDPR" not in nl


def test_lobby_uses_the_builds_evaluation_date_and_every_deadline(data):
    at = data.roadmaps.evaluation_date
    assert data.lobby.at == at
    assert data.lobby.cutoff == dt.date.max  # every requirement against its own deadline


# ------------------------------------------------------------------ states and empty states


def test_suppressed_selection_shows_nothing_but_says_why(nl_open_ctx, tree):
    out = view(nl_open_ctx, "NL", "NL23")
    assert out[OUT["show"]] == {"display": "none"}
    msg = tree.text(out[OUT["status"]])
    assert "Only 4 municipalities" in msg and "fewer than 5" in msg
    with pytest.raises(PreventUpdate):
        callbacks.csv_download(nl_open_ctx, "leverage", "NL", "NL23", None, "per", "en")


def test_selection_without_answers_and_without_match(nl_open_ctx, tree):
    out = view(nl_open_ctx, "BE")
    assert out[OUT["show"]] == {"display": "none"}
    assert "answered in wave 2026" in tree.text(out[OUT["status"]])
    out = view(nl_open_ctx, "NL", None, "unknown")
    assert "No municipality matches" in tree.text(out[OUT["status"]])


def test_consent_rule_does_not_change_aggregates(nl_ctx, nl_open_ctx):
    a = callbacks.csv_download(nl_ctx, "leverage", "NL", None, None, "per", "en")[0]
    b = callbacks.csv_download(nl_open_ctx, "leverage", "NL", None, None, "per", "en")[0]
    assert a.equals(b)
    assert "municipality_id" not in a.columns


def test_nothing_published(tmp_path, tree):
    ctx = AppContext.load(Settings.from_env({"DS4E_DATA_DIR": str(tmp_path)}))
    text = tree.text(policy.layout(ctx, "en", {}))
    assert "No survey data published yet" in text
    with pytest.raises(PreventUpdate):
        view(ctx, "NL")


def test_build_without_roadmaps_says_how_to_rebuild(nl_data_dir, tmp_path, tree):
    data_dir = tmp_path / "old"
    shutil.copytree(nl_data_dir, data_dir)
    snap_dir = next(p for p in (data_dir / "warehouse" / "builds").iterdir()
                    if (p / ROADMAP_FILE).exists())
    as_older_build(snap_dir, ROADMAP_FILE)
    ctx = AppContext.load(Settings.from_env({"DS4E_DATA_DIR": str(data_dir)}))
    assert ctx.warehouse.snapshot().roadmaps is None
    text = tree.text(policy.layout(ctx, "en", {}))
    assert "no stored roadmaps" in text and "python -m pipelines build --force" in text


# ------------------------------------------------------------------ permalink and controls


def test_permalink_round_trip(nl_open_ctx, tree):
    search = callbacks.permalink(nl_open_ctx, "NL", "NL33", "20k-50k", "total")
    assert dict(parse_qsl(search.lstrip("?"))) == {"country": "NL", "nuts2": "NL33",
                                                   "size": "20k-50k", "measure": "total"}
    page = policy.layout(nl_open_ctx, "en", parse_query(search))
    values = {cid: tree.find(page, id=cid)[0].value
              for cid in (policy_ids.COUNTRY, policy_ids.NUTS2, policy_ids.SIZE, policy_ids.MEASURE)}
    assert values == {policy_ids.COUNTRY: "NL", policy_ids.NUTS2: "NL33", policy_ids.SIZE: "20k-50k",
                      policy_ids.MEASURE: "total"}
    assert callbacks.permalink(nl_open_ctx, "all", "all", "all", "per") == "?"
    # a region implies its country; unknown values fall back
    assert parse_selection(nl_open_ctx, None, "NL33") == Selection("NL", "NL33", None)
    assert parse_selection(nl_open_ctx, "XX", "ZZ99", "huge") == Selection()
    assert parse_selection(nl_open_ctx, "BE", "NL33") == Selection("BE", None, None)


def test_country_change_refills_regions(nl_open_ctx):
    options, value, disabled = callbacks.change_country(nl_open_ctx, "NL", "en")
    assert value == ALL and not disabled
    assert {o["value"] for o in options} >= {"all", "NL33", "NL41"}
    options, _, disabled = callbacks.change_country(nl_open_ctx, ALL, "en")
    assert disabled and len(options) == 1


def test_every_csv_download(nl_open_ctx):
    for which, rows in (("first-phase", 39), ("leverage", 39), ("regions", 39 * 11),
                        ("sizes", None), ("lobby", None)):
        df, name = callbacks.csv_download(nl_open_ctx, which, "NL", None, None, "per", "en")
        assert name == f"ds4e-policy-{which}-NL-2026.csv"
        assert (df["wave"] == "2026").all() and len(df)
        if rows:
            assert len(df) == rows
    df, _ = callbacks.csv_download(nl_open_ctx, "lobby", "NL", None, None, "per", "en")
    assert {"law", "share_not_ready", "unknown", "share_unknown", "first_deadline",
            "elements_behind_gap", "elements_unknown"} <= set(df)


@pytest.mark.parametrize("query,words", [
    ({"country": "ZZ"}, "No country with the code ‘ZZ’; showing the whole EU instead."),
    ({"country": "NL", "nuts2": "BE21"}, "No region ‘BE21’ in NL"),
    ({"size": "huge"}, "No size class ‘huge’"),
    ({"measure": "nope"}, "‘nope’ is not a valid measure"),
])
def test_bad_url_parameters_are_explained(nl_open_ctx, tree, query, words):
    layout = policy.layout(nl_open_ctx, "en", query)
    notice = tree.text(tree.find(layout, id="policy-notices")[0])
    assert words in notice and "does not exist" in notice
    assert not tree.text(tree.find(policy.layout(nl_open_ctx, "en", {"country": "NL"}),
                                   id="policy-notices")[0])


# ------------------------------------------------------------------ polish (issue 17)


def test_lobby_gap_column_head_may_wrap(nl_open_ctx, tree):
    """The head of the widest lobby column wraps and the column keeps a readable width: a head
    on one line pushed the table past a 1366 px window (tests/e2e/test_policy_browser.py
    measures it in a browser)."""
    from pathlib import Path

    out = callbacks.update_view(nl_open_ctx, "NL", None, None, "per", "nl")
    heads = [c for c in tree.walk(out[OUT["lobby"]]) if type(c).__name__ == "Th"]
    gap = next(h for h in heads if "Elementen achter het tekort" in tree.text(h))
    assert "pol-gaps" in gap.className.split()
    css = (Path(__file__).resolve().parents[2] / "assets" / "20-policy.css").read_text()
    assert ".pol-table th.pol-gaps { white-space: normal; }" in css


@pytest.mark.parametrize("view", ["policy", "survey", "survey_progress"])
def test_numbers_and_place_names_come_from_the_components(view):
    """No view keeps its own copy of the number formatter or the country/region names: every
    module of the view uses dashboard.components.numbers and .places (the same output)."""
    import importlib
    import pkgutil

    from dashboard.components import numbers, places

    shared = {"fmt_num": numbers.fmt_num, "fmt_int": numbers.fmt_int,
              "plotly_separators": numbers.plotly_separators,
              "country_name": places.country_name, "region_name": places.region_name}
    package = importlib.import_module(f"dashboard.views.{view}")
    for info in pkgutil.iter_modules(package.__path__):
        module = vars(importlib.import_module(f"dashboard.views.{view}.{info.name}"))
        assert not {"_num", "_NL", "_names", "_country_names", "_nuts_names"} & module.keys(), \
            info.name
        for name, fn in shared.items():
            assert module.get(name, fn) is fn, f"{view}.{info.name}.{name}"


@pytest.mark.parametrize("lang,lacking,leverage", [("nl", "12.345 (50%)", "1.234,6"),
                                                    ("en", "12,345 (50%)", "1,234.6")])
def test_leverage_table_writes_numbers_as_the_language_does(lang, lacking, leverage, tree):
    import pandas as pd

    from dashboard.views.policy.tables import leverage_table

    df = pd.DataFrame({"rank": [1], "element_id": ["SEC-01"], "element": ["x"],
                       "lacking": [12345], "share_lacking": [0.5], "leverage": [1234.56],
                       "first_phase": [1], "mean_unlock": pd.array([None], dtype="Float64")})
    text = tree.text(leverage_table(df, lang))
    assert lacking in text and leverage in text and "–" in text


def test_tables_are_escaped_markup_on_one_line(nl_open_ctx, tree):
    """The tables are markup in one component: every text escaped (a name cannot add tags), and
    on one line (dcc.Markdown renders nothing of a multi-line HTML block: the lobby table's gap
    cells, one element per line, were blank in the browser; so was a table with a bare <br>),
    the gap cells' line breaks kept."""
    import pandas as pd
    from dash import dcc

    from dashboard.views.policy.tables import leverage_table

    df = pd.DataFrame({"rank": [1], "element_id": ["SEC-01"], "element": ['<b>x</b> & "y"'],
                       "lacking": [1], "share_lacking": [0.5], "leverage": [1.0],
                       "first_phase": [1], "mean_unlock": pd.array([0.5], dtype="Float64")})
    markup = leverage_table(df, "en").children
    assert "<b>" not in markup and "&lt;b&gt;x&lt;/b&gt; &amp; &quot;y&quot;" in markup
    assert 'SEC-01 · <b>x</b> & "y"' in tree.text(leverage_table(df, "en"))
    out = view(nl_open_ctx, "NL")
    tables = [c for key in ("lev_table", "lobby") for c in tree.walk(out[OUT[key]])
              if isinstance(c, dcc.Markdown)]
    assert len(tables) == 2 and all(c.dangerously_allow_html for c in tables)
    assert all("\n" not in c.children and c.children.startswith("<table") for c in tables)
    assert "<br/>" in tables[1].children and "<br>" not in tables[1].children
    gaps = [c for c in tree.walk(out[OUT["lobby"]]) if type(c).__name__ == "Td"
            and "pol-gaps" in c.className.split()]
    assert gaps and any("\n" in tree.text(c) for c in gaps)  # one element per line
    caption = [c for c in tree.walk(out[OUT["lobby"]]) if type(c).__name__ == "Caption"]
    assert tree.text(caption) == t("policy.lobby.table.caption", "en")


def test_rendered_states_are_kept_per_build_settings_and_state(nl_ctx, nl_open_ctx, tree):
    """A state is rendered once (the page's first view, then its controls' callback asks for
    the same state); a caller's change to the dict it gets does not reach the kept one; another
    language, measure, selection or visibility is another state."""
    from dashboard.views.policy import layout

    snap = nl_open_ctx.warehouse.snapshot()
    first = layout.render(nl_open_ctx, Selection("NL"), "per", "en")
    again = layout.render(nl_open_ctx, Selection("NL"), "per", "en")
    assert again is not first and again["lev_table"] is first["lev_table"]  # kept, not redone
    fresh = layout._render(nl_open_ctx, snap, Selection("NL"), "per", "en")
    assert tree.text(fresh["lev_table"]) == tree.text(first["lev_table"])
    assert fresh["region_figure"] == first["region_figure"]
    view(nl_open_ctx, "NL")  # update_view replaces "show" in its copy
    assert layout.render(nl_open_ctx, Selection("NL"), "per", "en")["show"] is True
    for other in (layout.render(nl_open_ctx, Selection("NL"), "per", "nl"),
                  layout.render(nl_open_ctx, Selection("NL"), "total", "en"),
                  layout.render(nl_open_ctx, Selection("NL", None, "lt5k"), "per", "en"),
                  layout.render(nl_ctx, Selection("NL"), "per", "en")):
        assert other["lev_table"] is not first["lev_table"]
    assert tree.text(layout.render(nl_open_ctx, Selection("NL"), "per", "nl")["lev_table"]) != \
        tree.text(first["lev_table"])


# one group, one law, one element, one municipality: said in the singular (issue 17)
SINGULAR = {"en": ("1 size class,", "1 law evaluated", "in 1 first phase (",
                   "1 more element is in", "Only 1 municipality in",
                   "The only municipality in"),
            "nl": ("1 grootteklasse,", "1 wet beoordeeld", "in 1 eerste fase (",
                   "Nog 1 element staat in", "Slechts 1 gemeente in",
                   "De enige gemeente in")}
PLURAL_OF_ONE = ("1 size classes", "1 laws", "1 first phases", "1 more elements", "1 municipalities",
                 "1 grootteklassen", "1 wetten", "1 eerste fasen", "Nog 1 elementen", "1 gemeenten",
                 "Geen van de 1")


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_counts_of_one_are_singular(nl_open_ctx, data, tree, monkeypatch, lang):
    import dataclasses

    import pandas as pd

    from dashboard.views.policy import layout, tables, texts
    from dashboard.views.policy.data import PolicyData

    sel = Selection("NL")
    order = np.arange(len(data.roadmaps.element_ids))
    sizes = heat(nl_open_ctx, data, sel, "size_class", order)
    one = dataclasses.replace(sizes, columns=sizes.columns[:1], n=sizes.n[:1],
                              lacking=sizes.lacking[:, :1], leverage=sizes.leverage[:, :1],
                              hidden=0, highlight=None)
    out = [texts.heat_caption(nl_open_ctx, data, one, "per", sel, lang)]
    rows, _ = lobby_of(nl_open_ctx, data, sel)
    monkeypatch.setattr(tables, "lobby_of", lambda *_: (rows[:1], []))
    out.append(tree.text(tables.lobby_section(nl_open_ctx, data, sel, "NL", lang)))
    ids_ = data.roadmaps.element_ids
    fp = pd.DataFrame({"element_id": list(ids_[:22]), "first_phase": [1] * 21 + [0],
                       "share": [0.2] * 21 + [0.0]})
    out.append(texts.first_phase_caption(nl_open_ctx, fp, 5, "NL", 3, 20, lang))
    snap = nl_open_ctx.warehouse.snapshot()
    for counts in ((1, 3), (0, 1)):  # one answered (under min_group); the only one did not
        monkeypatch.setattr(PolicyData, "counts", lambda *_a, c=counts: c)
        # `_render`: past the cache of rendered states, which keeps the real counts' state
        out.append(tree.text(layout._render(nl_open_ctx, snap, sel, "per", lang)["status"]))
    text = " | ".join(out)
    for words in SINGULAR[lang]:
        assert words in text, words
    assert not [w for w in PLURAL_OF_ONE if w in text], text
    # and more than one stays plural
    assert ("size classes" if lang == "en" else "grootteklassen") in \
        texts.heat_caption(nl_open_ctx, data, sizes, "per", sel, lang)


@pytest.mark.parametrize("lang,png", [("nl", "Grafiek downloaden als PNG"),
                                      ("en", "Download plot as a PNG")])
def test_charts_speak_the_page_language_without_a_toolbar(nl_open_ctx, tree, lang, png):
    page = policy.layout(nl_open_ctx, lang, {"country": "NL"})
    for graph_id in (policy_ids.FP_GRAPH, policy_ids.REGION_GRAPH, policy_ids.SIZE_GRAPH):
        config = tree.find(page, id=graph_id)[0].config
        assert config["displayModeBar"] is False and config["displaylogo"] is False
        assert config["responsive"] is True and config["locale"] == lang
        words = config["locales"][lang]
        assert words["dictionary"]["Download plot as a PNG"] == png
        assert words["format"]["decimal"] == ("," if lang == "nl" else ".")
