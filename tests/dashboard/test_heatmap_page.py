"""The Element heatmap page: consent, filters, the switch to regions, empty states, permalinks,
CSV. Callback bodies are called directly against the Dutch demo build."""

from __future__ import annotations

import io
import json
from urllib.parse import parse_qs, parse_qsl

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import pytest
from dash._utils import to_json
from dash.exceptions import PreventUpdate

from dashboard import shell
from dashboard.components.downloads import table_file
from dashboard.config import Settings
from dashboard.context import AppContext
from dashboard.registry import PAGES
from dashboard.views.heatmap import callbacks, data, export, figures, ids, layout, options, texts
from dashboard.views.heatmap import page as heatmap
from pipelines.build import build
from pipelines.maturity.cube import MISSING
from pipelines.maturity.heatmap import NO_DATA, SUPPRESSED, VALUE
from pipelines.staging import DataPaths, stage

FILTERS = ("country", "nuts2", "size", "peers_of", "wave", "sort", "mode")
CONTROLS = dict(zip(FILTERS, (ids.COUNTRY, ids.NUTS2, ids.SIZE, ids.PEERS,
                              ids.WAVE, ids.SORT, ids.MODE), strict=True))


def run(ctx, lang="en", **values):
    """The heatmap callback with the controls' values (defaults as on a fresh page)."""
    args = {"country": "NL", "nuts2": "all", "size": "all", "peers_of": None, "wave": "2026",
            "sort": "overall", "mode": "municipalities", **values}
    out = callbacks.update_view(ctx, *(args[k] for k in FILTERS), lang)
    keys = ("figure", "caption", "legend", "notes", "columns", "box_style", "csv_href",
            "xlsx_href", "parquet_href", "nuts2_disabled", "size_disabled", "mode_options")
    result = dict(zip(keys, out, strict=True))
    result["csv_disabled"] = result["csv_href"] is None  # a link without href: nothing to get
    result["search"] = callbacks.permalink(ctx, *(args[k] for k in FILTERS))
    return result


def view_of(ctx, lang="en", **values):
    snap = ctx.warehouse.snapshot()
    return snap, data.compute_view(ctx, snap, data.read_state(ctx, snap, **values), lang)


def answered_nl(ctx, wave="2026"):
    snap = ctx.warehouse.snapshot()
    cube = snap.maturity
    w = cube.wave_index(wave)
    nl = ctx.attributes.mask_for("country", "NL")
    return snap, np.flatnonzero(nl & cube.answered(w))


def test_registered_page():
    assert heatmap in PAGES
    assert heatmap.PATH == "/heatmap" and heatmap.NAV_KEY == "heatmap.nav"


# ------------------------------------------------------------------ consent


def test_consent_hides_municipalities_by_name(nl_ctx, nl_open_ctx, tree):
    snap, answered = answered_nl(nl_ctx)
    consenting = [i for i in answered if nl_ctx.visible(snap, i)]
    assert 0 < len(consenting) < len(answered)
    hidden = len(answered) - len(consenting)

    out = run(nl_ctx)
    cols = out["columns"]["cols"]
    assert len(cols) == len(consenting)
    z = out["figure"].data[0].z
    assert z.dtype == np.int8 and z.shape == (39, len(consenting))
    names = set(nl_ctx.municipalities["name"].iloc[consenting])
    assert {c.rsplit(" (", 1)[0] for c in cols} == names
    assert (f"{hidden} municipalities with answers are not shown by name (no consent); "
            "they are in the regional view and aggregates") in out["caption"]

    _, view = view_of(nl_ctx, country="NL")
    assert all(nl_ctx.visible(snap, i) for i in view.grid.columns)

    open_out = run(nl_open_ctx)
    assert len(open_out["columns"]["cols"]) == len(answered)
    assert "not shown by name" not in open_out["caption"]
    assert f"× {len(answered)} municipalities with answers in 2026 (Netherlands)" in \
        open_out["caption"]


def test_figure_size_and_hover_without_per_cell_strings(nl_open_ctx):
    out = run(nl_open_ctx)
    fig = out["figure"]
    trace = fig.data[0]
    assert trace.hoverinfo == "none" and trace.text is None and trace.customdata is None
    assert len(fig.to_json()) < 40_000
    z = json.loads(fig.to_json())["data"][0]["z"]
    assert z["dtype"] == "i1" and "/" not in z["bdata"]  # JSON escapes '/' to 6 characters
    assert fig.to_dict()["layout"]["template"] == {}  # no template: the default adds 6 KB
    snap = nl_open_ctx.warehouse.snapshot()
    labels = texts.hover_labels(nl_open_ctx, snap, "nl")
    assert len(labels["el"]) == 39 and all(len(d) == 5 for d in labels["desc"])
    fw = nl_open_ctx.framework
    assert labels["desc"][0][3] == fw.element_by_id["STR-01"].levels[3].get("nl")
    assert labels["t"]["missing"].startswith("Geen antwoord")


def test_missing_is_grey_not_zero(nl_open_ctx):
    snap, view = view_of(nl_open_ctx, country="NL")
    assert (view.grid.z == MISSING).any()
    fig = figures.figure(nl_open_ctx, snap, view, "en")
    trace = fig.data[0]
    assert trace.zmin == -0.5 and trace.zmax == 5.5  # sent as level + 1: 0 = no answer
    sent = np.asarray(trace.z)
    assert ((sent == 0) == (view.grid.z == MISSING)).all()
    assert (sent[sent > 0] - 1 == view.grid.z[view.grid.z != MISSING]).all()
    scale = [tuple(s) for s in trace.colorscale]
    assert scale[0][1] == figures.MISSING_COLOUR and scale[2][1] == figures.LEVEL_COLOURS[0]
    assert figures.MISSING_COLOUR not in figures.LEVEL_COLOURS
    legend = " ".join(str(x) for x in layout.legend(nl_open_ctx, view, "en"))
    assert "no answer (not level 0)" in legend


# ------------------------------------------------------------------ filters and order


def test_filter_options(nl_ctx):
    snap = nl_ctx.warehouse.snapshot()
    countries = options.country_options(nl_ctx, snap, "en", "NL")
    assert countries == [{"label": "Netherlands (NL)", "value": "NL"}]
    assert data.default_country(nl_ctx, snap) == "NL"
    regions = options.nuts2_options(nl_ctx, "NL", "en")
    assert regions[0]["value"] == "all" and len(regions) == 13
    assert {"label": "Utrecht (NL31)", "value": "NL31"} in regions
    # a new country: its own regions, the region filter and the peer group reset
    opts, value, peers, peer_opts = callbacks.change_country(nl_ctx, "BE", "en")
    assert value == "all" and peers is None
    assert all(o["value"].startswith("BE") for o in opts[1:]) and len(opts) > 5
    assert all(o["value"].startswith("BE_") for o in peer_opts)
    sizes = [o["value"] for o in options.size_options("nl")]
    assert sizes == ["all", "lt5k", "5k-20k", "20k-50k", "50k-100k", "100k-250k", "ge250k"]
    sorts = options.sort_options(nl_ctx, snap, "en")
    assert sorts[0]["value"] == "overall" and len(sorts) == 40


def test_peer_picker_search(nl_ctx):
    opts = options.peer_options(nl_ctx, "NL", "utrecht")
    assert opts[0] == {"label": "Utrecht (GM0344)", "value": "NL_GM0344"}
    assert any("Utrechtse Heuvelrug" in o["label"] for o in opts)
    assert options.peer_options(nl_ctx, "NL", "GM0363")[0]["value"] == "NL_GM0363"
    biggest = options.peer_options(nl_ctx, "NL")
    assert biggest[0]["value"] == "NL_GM0363" and len(biggest) == options.PEER_OPTIONS
    # the chosen municipality stays among the options
    assert options.peer_options(nl_ctx, "NL", "xyz", "NL_GM0344") == [
        {"label": "Utrecht (GM0344)", "value": "NL_GM0344"}]
    # an unknown chosen id adds nothing; every value is the row's id as a str
    assert options.peer_options(nl_ctx, "NL", "xyz", "NL_GM9999") == []
    ids_ = nl_ctx.municipalities.set_index("municipality_id")["name"]
    assert all(type(o["value"]) is str and o["label"].startswith(str(ids_[o["value"]]))
               for o in biggest)
    with pytest.raises(PreventUpdate):
        callbacks.search_peers(nl_ctx, "", "NL", None)


def test_region_and_size_filters(nl_open_ctx):
    snap = nl_open_ctx.warehouse.snapshot()
    m = nl_open_ctx.municipalities
    _, view = view_of(nl_open_ctx, country="NL", nuts2="NL31", size="20k-50k")
    rows = view.grid.columns
    assert len(rows) > 0
    assert set(m["nuts2"].iloc[rows]) == {"NL31"} and set(m["size_class"].iloc[rows]) == {"20k-50k"}
    assert "Utrecht (NL31)" in view.scope and "20,000–49,999 inhabitants" in view.scope
    assert snap.maturity.answered(1)[rows].all()


def test_peer_group(nl_open_ctx):
    out = run(nl_open_ctx, peers_of="NL_GM0344", nuts2="NL32")  # the peer group wins
    assert out["nuts2_disabled"] and out["size_disabled"]
    snap, view = view_of(nl_open_ctx, peers_of="NL_GM0344", nuts2="NL32")
    m = nl_open_ctx.municipalities
    assert set(m["size_class"].iloc[view.grid.columns]) == {"ge250k"}
    assert "peers of Utrecht: municipalities in Netherlands with ≥ 250,000 inhabitants" in \
        out["caption"]
    assert view.target_column is None  # Utrecht did not answer in this build's 2026
    assert "outlined" not in out["caption"]
    assert "Utrecht (GM0344) itself has no answers in 2026, so it has no column." in out["caption"]

    answered = snap.maturity.answered(1) & (m["size_class"] == "50k-100k").to_numpy()
    target = snap.maturity.municipality_ids[np.flatnonzero(answered)[0]]
    out = run(nl_open_ctx, peers_of=target)
    _, view = view_of(nl_open_ctx, peers_of=target)
    assert view.grid.columns[view.target_column] == snap.maturity.index_of(target)
    label = out["columns"]["cols"][view.target_column]
    assert f"{label} is outlined." in out["caption"]
    rect = [s for s in out["figure"].layout.shapes if s.type == "rect"]
    assert len(rect) == 1 and rect[0].x0 == view.target_column - 0.5


def test_sort_by_overall_and_by_element(nl_open_ctx):
    snap, view = view_of(nl_open_ctx, country="NL")
    cube = snap.maturity
    overall = view.grid.overall
    known = overall[~np.isnan(overall)]
    assert (np.diff(known) <= 0).all()
    assert np.isnan(overall[len(known):]).all()  # no overall score: last

    _, view = view_of(nl_open_ctx, country="NL", sort="sec-01")  # case-insensitive in URLs
    assert view.state.sort == "SEC-01"
    row = list(view.grid.rows).index(cube.element_ids.index("SEC-01"))
    lv = view.grid.z[row].astype(float)
    lv[lv == MISSING] = -9  # missing sorts last
    assert (np.diff(lv) <= 0).all()
    names = nl_open_ctx.municipalities["name"].to_numpy()[view.grid.columns]
    for level in range(5):  # ties by name
        same = [n.casefold() for n, v in zip(names, lv, strict=True) if v == level]
        assert same == sorted(same)
    out = run(nl_open_ctx, sort="SEC-01")
    assert "ordered by SEC-01 · Information security management" in out["caption"]


# ------------------------------------------------------------------ regions


def test_regions_by_choice_nuts2_and_nuts3(nl_ctx):
    out = run(nl_ctx, mode="regions")
    assert out["columns"]["mode"] == "regions"
    assert len(out["columns"]["cols"]) == 12  # the 12 Dutch provinces
    assert "Regional view" in " ".join(str(n) for n in out["notes"])
    assert "× 12 NUTS 2 regions (Netherlands) in 2026" in out["caption"]
    assert "not shown by name" not in out["caption"]  # aggregates: no consent needed
    fig = out["figure"]
    assert [t.type for t in fig.data] == ["heatmap", "heatmap"]
    assert fig.data[0].hoverinfo == "skip"  # the status layer under the medians

    snap, view = view_of(nl_ctx, country="NL", nuts2="NL31", mode="regions")
    assert view.region_level == 3
    assert all(r.startswith("NL31") for r in view.grid.regions)
    # the cells agree with the aggregates mart
    df = snap.query("heatmap_regions", wave="2026", area_type="nuts3", prefix="NL31")
    for r, region in enumerate(view.grid.regions):
        for k, e in enumerate(view.grid.rows):
            eid = snap.maturity.element_ids[e]
            hit = df[(df.area_id == region) & (df.measure == eid)]
            if not len(hit):
                assert view.grid.status[k, r] == NO_DATA
            elif hit.n.iat[0] < nl_ctx.settings.min_group:
                assert view.grid.status[k, r] == SUPPRESSED and np.isnan(view.grid.median[k, r])
            else:
                assert view.grid.median[k, r] == hit["median"].iat[0]


def test_region_cells_show_their_median_only_where_there_is_room(nl_ctx, monkeypatch):
    snap, view = view_of(nl_ctx, country="NL", mode="regions")  # 12 provinces
    assert figures.figure(nl_ctx, snap, view, "nl").data[1].texttemplate == "%{z:.1f}"
    monkeypatch.setattr(figures, "MEDIAN_LABELS", 11)  # as with NL's 40 NUTS 3 regions
    values = figures.figure(nl_ctx, snap, view, "nl").data[1]
    assert values.texttemplate is None and values.z is not None  # hover still has them


def test_written_medians_keep_room_and_scroll_sideways_instead(nl_ctx, monkeypatch):
    """Cells with a median written in them get at least MEDIAN_CELL_PX (on a phone 19 Spanish
    regions had 15 px each and "3,02,02,0" ran together): the graph box asks for that width
    and scrolls sideways where the window is narrower; other views ask for nothing."""
    out = run(nl_ctx, mode="regions")  # the 12 Dutch provinces, medians written
    assert out["figure"].data[1].texttemplate == "%{z:.1f}"
    style = out["box_style"]
    assert style["--hm-min-width"] == f"{250 + 175 + 12 * figures.MEDIAN_CELL_PX}px"
    assert style["overflowX"] == "auto" and style["display"] == "block"
    assert figures.MEDIAN_CELL_PX >= 22  # "2,0" in 10 px type is about 16 px wide
    assert run(nl_ctx)["box_style"] == {"display": "block"}  # municipalities: no minimum
    monkeypatch.setattr(figures, "MEDIAN_LABELS", 11)  # no medians written: no minimum
    assert run(nl_ctx, mode="regions")["box_style"] == {"display": "block"}


def test_suppressed_cells_shown_as_suppressed(nl_data_dir):
    strict = AppContext.load(Settings.from_env({"DS4E_DATA_DIR": str(nl_data_dir),
                                                "DS4E_MIN_GROUP": "15"}))
    snap, view = view_of(strict, country="NL", mode="regions")
    grid = view.grid
    assert (grid.status == SUPPRESSED).any() and (grid.status == VALUE).any()
    small = grid.n < 15
    assert (grid.status[small & (grid.n > 0)] == SUPPRESSED).all()
    assert np.isnan(grid.median[grid.status != VALUE]).all()
    fig = figures.figure(strict, snap, view, "en")
    status_layer, values = fig.data
    assert np.isnan(np.asarray(values.z)[grid.status == SUPPRESSED]).all()
    assert (np.asarray(status_layer.z)[grid.status == SUPPRESSED] == SUPPRESSED).all()
    assert (np.asarray(status_layer.text)[grid.status == SUPPRESSED] == "×").all()
    cols = data.column_data(view)
    r, c = np.argwhere(grid.status == SUPPRESSED)[0]
    assert cols["status"][r][c] == SUPPRESSED and cols["median"][r][c] == -1
    caption = texts.caption(strict, snap, view, "en")
    assert "cells are not shown for privacy (fewer than 15 municipalities, or to protect" in caption
    legend = " ".join(str(x) for x in layout.legend(strict, view, "en"))
    assert "not shown (privacy)" in legend


def test_switch_to_regions_when_too_many_columns(nl_open_ctx, monkeypatch):
    monkeypatch.setattr(data, "MAX_COLUMNS", 50)
    out = run(nl_open_ctx, size="all")
    notes = " ".join(str(n) for n in out["notes"])
    assert "more than the 50 columns a readable heatmap can hold" in notes
    assert out["columns"]["mode"] == "regions"
    out = run(nl_open_ctx, nuts2="NL34")  # Zeeland: few municipalities, stays municipal
    assert out["columns"]["mode"] == "municipalities"
    assert "NUTS" not in out["caption"]
    out = run(nl_open_ctx, size="20k-50k", mode="regions")
    assert "size class and peer group apply to the municipality view only" in \
        " ".join(str(n) for n in out["notes"])


def _chosen_label(options, value):
    return next(o["label"] for o in options if o["value"] == value)


@pytest.mark.parametrize(("lang", "label", "normal"), [
    ("en", "Regions (automatic)", "Municipalities"),
    ("nl", "Regio's (automatisch)", "Gemeenten"),
])
def test_the_column_control_says_regions_after_the_switch(nl_open_ctx, monkeypatch, tree, lang,
                                                           label, normal):
    """Past MAX_COLUMNS the grid shows regions while "municipalities" stays chosen: the control
    names what the columns are, in the callback's answer and in a page opened on that view."""
    monkeypatch.setattr(data, "MAX_COLUMNS", 50)
    out = run(nl_open_ctx, lang=lang, size="all")
    assert out["columns"]["mode"] == "regions"
    assert _chosen_label(out["mode_options"], "municipalities") == label
    page = heatmap.layout(nl_open_ctx, lang, {"country": "NL"})
    select = tree.find(page, id=ids.MODE)[0]
    assert select.value == "municipalities" and _chosen_label(select.options, select.value) == label
    narrow = run(nl_open_ctx, lang=lang, nuts2="NL34")  # stays municipal
    assert _chosen_label(narrow["mode_options"], "municipalities") == normal
    assert [o["value"] for o in narrow["mode_options"]] == ["municipalities", "regions"]


# ------------------------------------------------------------------ empty states


def answers(municipalities, wave, consent):
    return pd.DataFrame([{
        "municipality_id": m, "wave": wave, "element_id": e, "level": 2,
        "respondent_id": f"{m}-r1", "respondent_role": "CIO",
        "submitted_at": pd.Timestamp(f"{wave}-04-01", tz="UTC"), "confidence": "high",
        "evidence": None, "publish_consent": ok}
        for m, ok in zip(municipalities, consent, strict=True)
        for e in ("STR-01", "SEC-01")])


@pytest.fixture(scope="module")
def small_ctx(tmp_path_factory):
    """Amsterdam (consents) and Utrecht (does not) answered in 2026; nobody in 2025."""
    folder = tmp_path_factory.mktemp("small")
    paths = DataPaths(folder).ensure()
    stage(answers(["NL_GM0363", "NL_GM0344"], "2026", [True, False]), sha="a" * 64,
          name="a.csv", kind="real", fmt="csv", paths=paths)
    build(folder)
    return AppContext.load(Settings.from_env({"DS4E_DATA_DIR": str(folder)}))


def test_empty_nothing_published(tmp_path, tree):
    ctx = AppContext.load(Settings.from_env({"DS4E_DATA_DIR": str(tmp_path)}))
    page = heatmap.layout(ctx, "en", {})
    assert "No survey data published yet" in tree.text(page)
    assert not tree.find(page, id=ids.GRAPH)
    with pytest.raises(PreventUpdate):
        run(ctx)


def test_empty_wave_without_data(nl_ctx, tree):
    out = run(nl_ctx, wave="2019")
    assert "There are no answers for wave 2019. Waves with data: 2025, 2026." in tree.text(
        out["notes"])
    assert out["box_style"] == {"display": "none"} and out["csv_disabled"]
    page = heatmap.layout(nl_ctx, "en", {"wave": "2019"})
    wave = tree.find(page, id=ids.WAVE)[0]
    assert wave.value == "2019" and {"label": "2019 (no data)", "value": "2019"} in wave.options


def test_empty_filter_without_municipalities(nl_ctx, tree):
    out = run(nl_ctx, nuts2="BE21")
    assert "No municipality matches this filter (Netherlands, Prov. Antwerpen (BE21))" in \
        tree.text(out["notes"])
    assert out["caption"] == ""


def test_empty_no_answers_and_no_consent(small_ctx, tree):
    out = run(small_ctx, size="5k-20k")
    text = tree.text(out["notes"])
    assert "None of the" in text and "municipalities in this filter" in text
    assert "answered in wave 2026" in text
    out = run(small_ctx, nuts2="NL31")  # only Utrecht answered there, without consent
    assert ("1 municipality in this filter answered in wave 2026, but it did not consent"
            in tree.text(out["notes"]))
    out = run(small_ctx)  # the whole country: Amsterdam by name, Utrecht counted
    assert out["columns"]["cols"] == ["Amsterdam (GM0363)"]
    assert "1 municipality with answers is not shown by name (no consent)" in out["caption"]
    out = run(small_ctx, peers_of="NL_GM0344")  # Utrecht's own column is not shown either
    assert out["columns"]["cols"] == ["Amsterdam (GM0363)"]
    assert "Utrecht (GM0344) itself is not shown by name (no consent)." in out["caption"]


# ------------------------------------------------------------------ permalink and CSV


def controls(page, tree):
    return {k: tree.find(page, id=cid)[0].value for k, cid in CONTROLS.items()}


def test_permalink_round_trip(nl_ctx, tree):
    query = {"country": "NL", "nuts2": "NL31", "size": "20k-50k", "wave": "2025",
             "sort": "SEC-01", "mode": "municipalities"}
    page = heatmap.layout(nl_ctx, "en", query)
    values = controls(page, tree)
    assert values == {**query, "peers_of": None}
    out = run(nl_ctx, **values)
    assert shell.parse_query(out["search"]) == query
    # following the written link gives the same controls and the same figure
    again = heatmap.layout(nl_ctx, "en", shell.parse_query(out["search"]))
    assert controls(again, tree) == values
    fig = tree.find(again, id=ids.GRAPH)[0].figure  # the page holds it as Dash sends it
    assert to_json(fig) == to_json(out["figure"])

    peers = run(nl_ctx, peers_of="NL_GM0344", mode="regions")
    q = parse_qs(peers["search"].lstrip("?"))
    assert q["peers_of"] == ["NL_GM0344"] and q["mode"] == ["regions"]
    page = heatmap.layout(nl_ctx, "en", shell.parse_query(peers["search"]))
    values = controls(page, tree)
    assert values["peers_of"] == "NL_GM0344" and values["mode"] == "regions"
    assert tree.find(page, id=ids.NUTS2)[0].disabled


def test_route_reads_the_url(nl_ctx, tree):
    page = shell.route(nl_ctx, "/heatmap", "nl", "?country=NL&sort=STR-01&mode=regions")
    assert "Heatmap elementen" in tree.text(page)
    assert tree.find(page, id=ids.SORT)[0].value == "STR-01"
    assert tree.find(page, id=ids.MODE)[0].value == "regions"


def test_csv_of_the_municipal_grid(nl_ctx):
    snap, view = view_of(nl_ctx, country="NL", nuts2="NL31")
    df = export.csv_frame(nl_ctx, snap, view, "en")
    assert list(df.columns) == ["wave", "municipality_id", "municipality", "element_id",
                                "element", "level"]
    assert len(df) == 39 * view.grid.n_columns
    assert df["level"].isna().sum() == (view.grid.z == MISSING).sum()
    first = df.iloc[0]
    assert first.municipality_id == snap.maturity.municipality_ids[view.grid.columns[0]]
    assert first.element_id == "STR-01" and first.element == "Digital strategy & roadmap"
    assert set(df["municipality_id"]) == set(snap.maturity.municipality_ids[view.grid.columns])
    assert all(nl_ctx.visible(snap, snap.maturity.index_of(m)) for m in set(df.municipality_id))

    # what the page's CSV link downloads (dashboard/file_links.py)
    out = run(nl_ctx, nuts2="NL31")
    assert out["csv_href"].startswith("/download/heatmap.csv?country=NL&nuts2=NL31&wave=2026")
    query = dict(parse_qsl(out["csv_href"].split("?", 1)[1]))
    sent, name = export.FILE.frame(nl_ctx, **query)
    assert name == "ds4e-heatmap-NL-NL31-2026-municipalities.csv"
    back = pd.read_csv(io.BytesIO(table_file(sent, name, "csv")[0]))
    assert len(back) == len(df) and back["level"].isna().sum() == df["level"].isna().sum()


def test_csv_of_the_region_grid(nl_data_dir):
    strict = AppContext.load(Settings.from_env({"DS4E_DATA_DIR": str(nl_data_dir),
                                                "DS4E_MIN_GROUP": "15"}))
    snap, view = view_of(strict, country="NL", mode="regions")
    df = export.csv_frame(strict, snap, view, "en")
    assert list(df.columns) == ["wave", "region_id", "region", "element_id", "element",
                                "municipalities_with_level", "median", "share_ge3", "suppressed"]
    assert len(df) == 39 * 12
    assert df.loc[df.suppressed, ["median", "share_ge3"]].isna().all().all()
    shown = df[~df.suppressed & (df.municipalities_with_level > 0)]
    assert shown["median"].notna().all() and shown["share_ge3"].between(0, 1).all()


def test_empty_csv_is_not_sent(nl_ctx):
    assert export.download_frame(nl_ctx, "NL", "BE21", "all", None, "2026", "overall",
                                 "municipalities", "en") is None
    assert run(nl_ctx, nuts2="BE21")["csv_href"] is None  # no link to follow


def test_figures_pass_plotly_validation(nl_ctx):
    """The page builds figures without per-property validation (speed); validate them here."""
    cases = [{}, {"nuts2": "NL31"}, {"mode": "regions"}, {"nuts2": "NL31", "mode": "regions"},
             {"peers_of": "NL_GM0363"}, {"nuts2": "BE21"}]
    for lang in ("nl", "en"):
        for values in cases:
            fig = run(nl_ctx, lang=lang, **values)["figure"]
            assert isinstance(fig, go.Figure)
            checked = go.Figure(fig.to_dict())  # raises on any invalid property
            ours, valid = json.loads(fig.to_json()), json.loads(checked.to_json())
            assert ours["layout"].pop("template") == {}  # an empty template, like "none"
            valid["layout"].pop("template")
            assert ours == valid
    assert "Heatmap van 39 elementen" in run(nl_ctx, lang="nl")["caption"]


@pytest.mark.parametrize(("lang", "dblclick", "separators"), [
    ("nl", "Dubbelklik om uit te zoomen", ",."), ("en", "Double-click to zoom back out", ".,")])
def test_figure_and_toolbar_in_the_page_language(nl_ctx, tree, lang, dblclick, separators):
    """plotly's own texts come from the page's language (components/figures.localised_config),
    numbers use its separators (components/numbers), in the figure and the hover."""
    page = heatmap.layout(nl_ctx, lang, {"country": "NL"})
    graph = tree.find(page, id=ids.GRAPH)[0]
    assert graph.config["locale"] == lang and graph.config["displayModeBar"] is False
    assert graph.config["locales"][lang]["dictionary"]["Double-click to zoom back out"] == dblclick
    assert graph.figure["layout"]["separators"] == separators
    assert tree.find(page, id=ids.LABELS)[0].data["dec"] == separators[0]


def test_no_number_formatting_of_its_own():
    """Numbers are written by dashboard/components/numbers.py (fmt_num, fmt_int, separators),
    not by a private copy in one of the view's modules."""
    import inspect

    from dashboard.views.heatmap import page
    for module in (page, callbacks, data, export, figures, ids, layout, options, texts):
        source = inspect.getsource(module)
        for copy in ('maketrans(",.", ".,")', "replace('.', ',')", 'replace(".", ",")',
                     '",." if lang', "def _num("):
            assert copy not in source, (module.__name__, copy)


@pytest.mark.parametrize("query,words", [
    ({"country": "ZZ"}, "No country with the code ‘ZZ’; showing NL instead."),
    ({"country": "NL", "nuts2": "BE21"}, "No region ‘BE21’ in NL"),
    ({"size": "huge"}, "No size class ‘huge’"),
    ({"sort": "NOPE-99"}, "No sort order ‘NOPE-99’"),
    ({"peers_of": "XX_NOPE"}, "There is no municipality with the id ‘XX_NOPE’."),
])
def test_bad_url_parameters_are_explained(nl_open_ctx, tree, query, words):
    page = heatmap.layout(nl_open_ctx, "en", query)
    notice = tree.text(tree.find(page, id="heatmap-url-notices")[0])
    assert words in notice and "does not exist" in notice
    clean = heatmap.layout(nl_open_ctx, "en", {"country": "NL", "sort": "SEC-01"})
    assert not tree.text(tree.find(clean, id="heatmap-url-notices")[0])
