"""The Overview page on empty data, on real data and on demo data; the store's reload."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go
import pytest
from dash import Patch

from dashboard import shell
from dashboard.config import Settings
from dashboard.context import AppContext
from dashboard.views.overview import callbacks, data, figures, ids
from dashboard.views.overview import layout as overview_layout
from dashboard.views.overview import page as overview
from pipelines.build import build
from pipelines.staging import DataPaths, stage

NL = ["NL_GM0363", "NL_GM0344", "NL_GM0599", "NL_GM0518", "NL_GM0772", "NL_GM0014"]


def answers(municipalities, wave, when, level=2):
    return pd.DataFrame([{
        "municipality_id": m, "wave": wave, "element_id": "SEC-01", "level": level,
        "respondent_id": f"{m}-r1", "respondent_role": "CIO",
        "submitted_at": pd.Timestamp(when, tz="UTC"), "confidence": "high", "evidence": None,
        "publish_consent": i % 2 == 0} for i, m in enumerate(municipalities)])


def make_ctx(tmp_path, *frames, kind="real") -> AppContext:
    paths = DataPaths(tmp_path).ensure()
    for i, df in enumerate(frames):
        stage(df, sha=str(i) * 64, name=f"f{i}.csv", kind=kind, fmt="csv", paths=paths)
    if frames:
        build(tmp_path)
    return AppContext.load(Settings.from_env({"DS4E_DATA_DIR": str(tmp_path)}))


@pytest.fixture()
def real_ctx(tmp_path):
    return make_ctx(tmp_path, answers(NL[:4], "2025", "2025-04-01"),
                    answers([*NL, "BE_11002"], "2026", "2026-04-01"))


def test_empty_state(tmp_path, tree):
    ctx = make_ctx(tmp_path)
    page = overview.layout(ctx, "en")
    assert "No survey data published yet" in tree.text(page)
    assert not tree.find(page, id=ids.MAP)
    assert shell.demo_banner(ctx, "en") is None
    assert callbacks.update_tables(ctx, None, "en") == (None, None)


def test_real_data_layout(real_ctx, tree):
    page = overview.layout(real_ctx, "en")
    graph = tree.find(page, id=ids.MAP)[0]
    figure = go.Figure(graph.figure)  # a plain dict plotly accepts
    trace = figure.data[0]
    assert trace.type == "choroplethmap"
    assert figure.layout.map.style == "white-bg"  # offline: no tiles
    assert len(trace.locations) == len(trace.z) > 300  # every NUTS 2 region with municipalities
    wave = tree.find(page, id=ids.WAVE)[0]
    assert wave.value == "2026" and [o["value"] for o in wave.options] == ["2026", "2025"]
    assert shell.demo_banner(real_ctx, "en") is None


def _cards(tree, kpis) -> dict[str, tuple[str, str]]:
    """KPI label -> (value, sub-line) as the cards show them."""
    out = {}
    for card in tree.walk(kpis):
        if "kpi" not in str(getattr(card, "className", "")).split():
            continue
        parts = {c.className: tree.text(c) for c in tree.walk(card)
                 if getattr(c, "className", None) in ("kpi-label", "kpi-value", "kpi-sub")}
        out[parts["kpi-label"]] = (parts["kpi-value"], parts["kpi-sub"])
    return out


def test_kpis_and_country_table(real_ctx, tree):
    kpis, table = callbacks.update_tables(real_ctx, "2026", "en")
    cards = _cards(tree, kpis)
    value, sub = cards["Municipalities with answers"]
    assert value == "7" and "in 2 countries" in sub  # 6 Dutch and 1 Belgian municipality
    value, sub = cards["Respondents"]
    assert value == "7" and "4" in sub.split()  # four of the seven consented
    assert cards["Waves"] == ("2", "2025, 2026")
    rows = tree.text(table)
    assert rows.index("Netherlands") < rows.index("Belgium")
    kpis_2025, _ = callbacks.update_tables(real_ctx, "2025", "en")
    assert "in 1 country," in tree.text(kpis_2025)


def test_wave_change_only_recolours(real_ctx):
    patch, caption = callbacks.update_map(real_ctx, "2025", "nl", "en", ids.WAVE)
    assert isinstance(patch, Patch)
    assert "4 of 342 municipalities answered in wave 2025" in caption
    fig, caption = callbacks.update_map(real_ctx, "2026", "nl", "en", ids.MAP_VIEW)
    fig = go.Figure(fig)  # a plain dict plotly accepts
    assert sum(fig.data[0].z) == 6 and len(fig.data[0].z) == 342
    assert "6 of 342" in caption


def test_default_map_view(tmp_path):
    ctx = make_ctx(tmp_path, answers(NL, "2026", "2026-04-01"))
    snap = ctx.warehouse.snapshot()
    assert data.default_map_view(snap, "2026") == "nl"


def test_demo_banner_and_reload_without_restart(tmp_path, tree):
    ctx = make_ctx(tmp_path, answers(NL, "2026", "2026-04-01"), kind="demo")
    first = ctx.warehouse.snapshot().build_id
    assert "Demo data." in tree.text(shell.demo_banner(ctx, "en"))
    stage(answers(["NL_GM0150"], "2026", "2026-05-01"), sha="z" * 64, name="more.csv",
          kind="real", fmt="csv", paths=DataPaths(tmp_path))
    build(tmp_path)
    assert ctx.warehouse.snapshot().build_id != first
    _, caption = callbacks.update_map(ctx, "2026", "nl", "en", None)
    assert "7 of 342" in caption


def test_permalink_round_trip(real_ctx, tree):
    query = callbacks.state_query("2025", "nl")
    assert query == "?wave=2025&map=nl"
    page = overview.layout(real_ctx, "en", shell.parse_query(query))
    assert tree.find(page, id=ids.WAVE)[0].value == "2025"
    assert tree.find(page, id=ids.MAP_VIEW)[0].value == "nl"
    # an unknown wave in a link falls back to the latest
    page = overview.layout(real_ctx, "en", {"wave": "1999"})
    assert tree.find(page, id=ids.WAVE)[0].value == "2026"


def test_bad_url_parameters_are_explained(nl_open_ctx, tree):
    page = overview.layout(nl_open_ctx, "en", {"wave": "1999", "map": "moon"})
    words = tree.text(tree.find(page, id=ids.NOTICES)[0])
    assert "No wave ‘1999’" in words and "‘moon’ is not a valid map" in words
    assert not tree.text(tree.find(overview.layout(nl_open_ctx, "en", {}),
                                   id=ids.NOTICES)[0])


def test_the_country_table_scrolls_by_keyboard_and_counts_per_language(nl_ctx, tree):
    """axe scrollable-region-focusable: the table's scroll box takes focus and has a name; its
    counts use the page language's separators (shared formatter)."""
    snap = nl_ctx.warehouse.snapshot()
    countries = data.countries(snap, snap.waves[-1])
    for lang, label in (("nl", "Deelname per land"), ("en", "Participation by country")):
        box = overview_layout.country_table(nl_ctx, countries, lang)[0].to_plotly_json()["props"]
        assert box["tabIndex"] == 0 and box["role"] == "region"
        assert box["aria-label"] == label and "table-responsive" in box["className"]
    big = countries.head(1).assign(responded=12345, municipalities=59543)
    for lang, counts in (("nl", "12.345 / 59.543"), ("en", "12,345 / 59,543")):
        assert counts in tree.text(overview_layout.country_table(nl_ctx, big, lang))


def test_region_names_are_the_shared_ones_and_unchanged(nl_ctx):
    """The map's region names come from components/places.py (nuts_regions.csv); they are the
    names the GeoJSON carries (NAME_LATN), which the page used before, for every region drawn.
    (ELZZ, Greece's extra-regio, has no shape: not drawn; its name was its code before.)"""
    from dashboard import geo
    from dashboard.components import places

    snap = nl_ctx.warehouse.snapshot()
    ref = nl_ctx.settings.reference_dir
    before = {f["properties"]["NUTS_ID"]: f["properties"]["NAME_LATN"]
              for f in geo.nuts(ref, 2)["features"]}
    locations, _, text = figures.map_values(nl_ctx, snap, "eu", "2026", "en")
    assert len(locations) > 300
    for nuts2, hover in zip(locations, text, strict=True):
        assert hover.startswith(f"{places.region_name(nl_ctx, nuts2)} ({nuts2})<br>")
        assert places.region_name(nl_ctx, nuts2) == before.get(nuts2, "Extra-Regio NUTS 2")


@pytest.mark.parametrize("lang,png", [("nl", "Grafiek downloaden als PNG"),
                                      ("en", "Download plot as a PNG")])
def test_map_toolbar_speaks_the_page_language(real_ctx, tree, lang, png):
    """components/figures.localised_config: plotly's toolbar texts in the page language, the
    map's own settings kept."""
    graph = tree.find(overview.layout(real_ctx, lang), id=ids.MAP)[0]
    assert graph.config["locale"] == lang
    assert graph.config["locales"][lang]["dictionary"]["Download plot as a PNG"] == png
    assert graph.config["scrollZoom"] and not graph.config["displaylogo"]
