"""The Municipality profile page: callbacks called as functions on the Dutch demo build."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlencode

import duckdb
import numpy as np
import pandas as pd
import plotly.graph_objects as go
import pytest

from dashboard.components import municipality_picker as mp
from dashboard.components.figures import empty_figure
from dashboard.config import Settings
from dashboard.context import AppContext
from dashboard.registry import PAGES
from dashboard.views.profile import callbacks, data, export, figures, ids, panels, state, texts
from dashboard.views.profile import page as profile
from pipelines.build import build
from pipelines.maturity.cube import as_float
from pipelines.maturity.profile import block_profile, element_profile, trend
from pipelines.staging import DataPaths, stage

ENSCHEDE = "NL_GM0153"  # consented, answered in 2025 and 2026, 100k-250k, in the eGov benchmark
GRONINGEN = "NL_GM0014"  # answered in 2026, did not consent
ALMERE = "NL_GM0034"  # consented, answered in 2025 but not in 2026
OPSTERLAND = "NL_GM0086"  # never answered
ROOT = Path(__file__).resolve().parents[2]


def test_fixture_assumptions(nl_ctx):
    """The demo build (seed 7) has the cases the tests below rely on."""
    snap = nl_ctx.warehouse.snapshot()
    cube, consent = snap.maturity, snap.consent
    row = cube.index_of
    assert consent[row(ENSCHEDE)] and cube.answered(1)[row(ENSCHEDE)]
    assert not consent[row(GRONINGEN)] and cube.answered(1)[row(GRONINGEN)]
    assert consent[row(ALMERE)] and cube.answered(0)[row(ALMERE)]
    assert not cube.answered(1)[row(ALMERE)]
    assert not cube.answered(0)[row(OPSTERLAND)] and not cube.answered(1)[row(OPSTERLAND)]


def test_registered_after_overview():
    names = [p.__name__.split(".")[-2] for p in PAGES]  # dashboard.views.<view>.page
    assert names.index("profile") == names.index("overview") + 1
    assert profile.PATH == "/profile" and profile.NAV_KEY == "profile.nav"


# ------------------------------------------------------------------ picker


def test_picker_search(nl_ctx):
    options = mp.search_options(nl_ctx, "enschede", None)
    assert options[0] == {"label": "Enschede (NL, GM0153)", "value": ENSCHEDE,
                          "search": options[0]["search"]}
    assert mp.search_options(nl_ctx, "GM0344", None)[0]["label"] == "Utrecht (NL, GM0344)"
    assert mp.search_options(nl_ctx, "liege", None)[0]["value"] == "BE_62063"
    # the current choice stays first (the dropdown drops a value missing from its options)
    options = mp.search_options(nl_ctx, "gent", ENSCHEDE)
    assert options[0]["value"] == ENSCHEDE and options[1]["value"] == "BE_44021"
    assert len(options) <= mp.SEARCH_LIMIT + 1
    assert mp.search_options(nl_ctx, None, ENSCHEDE) == options[:1]
    assert mp.search_options(nl_ctx, "", None) == []
    # the multi-select keeps every chosen municipality
    chosen = [ENSCHEDE, GRONINGEN]
    assert [o["value"] for o in mp.search_options(nl_ctx, None, chosen)] == chosen


# ------------------------------------------------------------------ radar vs hand-computed


def _peer_ids(ctx, mid):
    """The municipality's whole peer group (itself included: the statistics are the group's)."""
    ref = ctx.municipalities
    me = ref[ref["municipality_id"] == mid].iloc[0]
    same = (ref["country"] == me["country"]) & (ref["size_class"] == me["size_class"])
    return set(ref.loc[same, "municipality_id"])


def _hidden_in_published_group(ctx):
    """A municipality that answered in 2026 without consent, in a country x size group whose
    statistics the disclosure pattern publishes."""
    snap = ctx.warehouse.snapshot()
    ref, cube = ctx.municipalities, snap.maturity
    for r in np.flatnonzero(cube.answered(1) & ~snap.consent):
        group = f"{ref['country'].iat[r]}:{ref['size_class'].iat[r]}"
        if snap.published("2026", "country_size", group):
            return str(cube.municipality_ids[r]), str(ref["name"].iat[r])
    raise AssertionError("the demo build has no such municipality")


def _mart(snap, name):
    return duckdb.sql(f"SELECT * FROM '{snap.path / (name + '.parquet')}'").df()


def test_radar_elements_against_hand_computed_quartiles(nl_open_ctx):
    nl_ctx = nl_open_ctx  # every result public: the group's statistics are shown
    snap = nl_ctx.warehouse.snapshot()
    peers = _peer_ids(nl_ctx, ENSCHEDE)
    levels = _mart(snap, "levels")
    levels = levels[(levels["wave"] == "2026") & levels["municipality_id"].isin(peers)]
    by_element = levels.dropna(subset=["level"]).groupby("element_id")["level"]
    expected = pd.DataFrame({q: by_element.quantile(q / 100) for q in (25, 50, 75)})
    expected = expected.reindex(snap.maturity.element_ids)

    fig, caption = callbacks.update_radar(nl_ctx, ENSCHEDE, "2026", "elements", "country_size",
                                          [], "en")
    go.Figure(fig)  # a valid plotly figure
    traces = {tr.get("name"): tr for tr in fig["data"]}
    n = len(expected)
    band = traces["Peers: middle half (25–75%)"]["r"]
    assert np.allclose(band[:n], expected[75]) and np.allclose(band[n + 2:][::-1], expected[25])
    assert np.allclose(traces["Peers: median"]["r"][:n], expected[50])
    own = traces["Enschede"]["r"][:n]
    cube = snap.maturity
    truth = as_float(cube.levels[1, cube.index_of(ENSCHEDE)])
    assert [None if np.isnan(v) else v for v in truth] == own
    assert "Element levels of Enschede in 2026" in caption

    radar = data.radar_data(nl_ctx, data.select(nl_ctx, ENSCHEDE, "2026", "country_size", []),
                            "elements", "en")
    assert (radar.profile.n == by_element.count().reindex(cube.element_ids).fillna(0)).all()


def test_radar_blocks_against_the_scores_mart(nl_open_ctx):
    nl_ctx = nl_open_ctx
    snap = nl_ctx.warehouse.snapshot()
    scores = _mart(snap, "scores")
    scores = scores[(scores["wave"] == "2026") & (scores["scope"] != "ALL")
                    & scores["municipality_id"].isin(_peer_ids(nl_ctx, ENSCHEDE))]
    by_block = scores.dropna(subset=["score"]).groupby("scope")["score"]
    median = by_block.median().reindex(snap.maturity.blocks)
    fig, caption = callbacks.update_radar(nl_ctx, ENSCHEDE, "2026", "blocks", "country_size", [],
                                          "nl")
    go.Figure(fig)
    med = next(tr for tr in fig["data"] if tr["name"] == "Vergelijkingsgroep: mediaan")
    assert np.allclose(med["r"][:-1], median, atol=1e-6)
    assert "Bouwsteenscores van Enschede in 2026" in caption
    # the cached group statistics give exactly profile.block_profile / element_profile
    for kind, custom in (("nuts2", []), ("country", []), ("custom", [GRONINGEN, ALMERE])):
        sel = data.select(nl_ctx, ENSCHEDE, "2026", kind, custom)
        fast = data.block_profile_fast(sel)
        slow = block_profile(sel.cube, sel.w, sel.target, sel.peers, sel.min_group)
        assert fast.rows() == slow.rows()
        fast, _ = data.element_stats(sel)
        slow = element_profile(sel.cube, sel.w, sel.target, sel.peers, sel.min_group)
        assert fast.rows() == slow.rows()


def test_peer_group_in_words(nl_ctx, tree):
    status = callbacks.update_status(nl_ctx, ENSCHEDE, "2026", "country_size", [], "en")
    text = tree.text(status)
    n = len(_peer_ids(nl_ctx, ENSCHEDE))
    snap = nl_ctx.warehouse.snapshot()
    answered = sum(snap.maturity.answered(1)[snap.maturity.index_of(m)]
                   for m in _peer_ids(nl_ctx, ENSCHEDE))
    assert (f"Netherlands, 100,000–249,999 inhabitants: {n} municipalities (Enschede "
            f"included), {answered} with answers in 2026.") in text
    text = tree.text(callbacks.update_status(nl_ctx, ENSCHEDE, "2026", "nuts2", [], "nl"))
    assert "gemeenten in de regio Overijssel (NL21)" in text
    text = tree.text(callbacks.update_status(nl_ctx, ENSCHEDE, "2026", "country", [], "en"))
    assert "all municipalities in Netherlands: 342 municipalities (Enschede included)" in text


# ------------------------------------------------------------------ suppression, consent


def test_tiny_custom_group_is_suppressed(nl_ctx, tree):
    snap = nl_ctx.warehouse.snapshot()
    cube = snap.maturity
    answered = np.flatnonzero(cube.answered(1) & (nl_ctx.municipalities["country"] == "NL")
                              & snap.consent)
    custom = [str(cube.municipality_ids[r]) for r in answered[:4]
              if cube.municipality_ids[r] != ENSCHEDE][:3]
    fig, caption = callbacks.update_radar(nl_ctx, ENSCHEDE, "2026", "blocks", "custom", custom, "en")
    names = [tr.get("name") for tr in fig["data"]]
    assert names == ["Enschede"]  # no band, no median
    assert "fewer than 5 peers have a value" in caption
    status = tree.text(callbacks.update_status(nl_ctx, ENSCHEDE, "2026", "custom", custom, "en"))
    assert "hand-picked group: 3 municipalities" in status
    assert "Only 3 municipalities in this peer group answered in 2026" in status
    dist, _ = callbacks.update_distribution(nl_ctx, ENSCHEDE, "2026", "custom", custom, "en")
    assert [tr.get("name") for tr in dist["data"]][1:] == ["Enschede"]  # no band, no median
    empty = tree.text(callbacks.update_status(nl_ctx, ENSCHEDE, "2026", "custom", [], "en"))
    assert "The hand-picked group is empty" in empty
    df = export.radar_csv(nl_ctx, ENSCHEDE, "2026", "blocks", "custom", custom, "en")
    assert df["suppressed"].all() and df["peer_median"].isna().all()


def test_consent_hides_a_municipality_that_did_not_consent(nl_ctx, nl_open_ctx, tree):
    mid, name = _hidden_in_published_group(nl_ctx)
    args = (mid, "2026", "country_size", [])
    status = tree.text(callbacks.update_status(nl_ctx, *args, "en"))
    assert f"{name} did not consent to publishing its results by name" in status
    fig, caption = callbacks.update_radar(nl_ctx, mid, "2026", "elements", "country_size",
                                          [], "en")
    assert name not in [tr.get("name") for tr in fig["data"]]
    assert not any(f"{name}:" in h for tr in fig["data"] for h in tr.get("text", []))
    assert "Only the peer group's quartiles and median" in caption
    dist, dist_caption = callbacks.update_distribution(nl_ctx, *args, "en")
    assert name not in [tr.get("name") for tr in dist["data"]]
    assert name not in dist_caption
    trend, _ = callbacks.update_trend(nl_ctx, mid, "country_size", [], "en")
    assert [tr["name"] for tr in trend["data"]] == ["Peers: median overall"]
    agreement = tree.text(callbacks.update_agreement(nl_ctx, mid, "2026", "en"))
    assert "did not consent" in agreement
    for df in (export.radar_csv(nl_ctx, mid, "2026", "elements", "country_size", [], "en"),
               export.distribution_csv(nl_ctx, *args, "en")):
        assert df["own"].isna().all() and df["percentile"].isna().all()
        assert df["peer_median"].notna().any()
    assert export.trend_csv(nl_ctx, mid, "country_size", [], "en")["score"].isna().all()


def test_a_group_the_pattern_withholds_shows_no_statistics(nl_ctx, nl_open_ctx, tree):
    """Groningen's group (100k-250k) is suppressed to protect the small size classes of the
    Netherlands: no band, no median, no counts, and the page says why."""
    snap = nl_ctx.warehouse.snapshot()
    assert not snap.published("2026", "country_size", "NL:100k-250k")
    fig, caption = callbacks.update_radar(nl_ctx, GRONINGEN, "2026", "elements", "country_size",
                                          [], "en")
    assert [tr.get("name") for tr in fig["data"] if tr.get("name")] == []
    assert "not shown" in caption
    status = tree.text(callbacks.update_status(nl_ctx, GRONINGEN, "2026", "country_size", [],
                                               "en"))
    assert "statistics are not shown for 2026: together with other published figures" in status
    df = export.distribution_csv(nl_ctx, GRONINGEN, "2026", "country_size", [], "en")
    assert df[[f"peers_at_level_{k}" for k in range(5)]].isna().all().all()
    assert df["peer_median"].isna().all()

    # DS4E_VISIBILITY=open shows the same municipality's levels (and the group's statistics)
    args = (GRONINGEN, "2026", "country_size", [])
    fig, _ = callbacks.update_radar(nl_open_ctx, GRONINGEN, "2026", "elements",
                                    "country_size", [], "en")
    own = next(tr for tr in fig["data"] if tr.get("name") == "Groningen")
    cube = nl_open_ctx.warehouse.snapshot().maturity
    truth = as_float(cube.levels[1, cube.index_of(GRONINGEN)])
    assert own["r"][:-1] == [None if np.isnan(v) else v for v in truth]
    assert "did not consent" not in tree.text(
        callbacks.update_status(nl_open_ctx, *args, "en"))


# ------------------------------------------------------------------ agreement, trend


def test_disagreement_list(nl_open_ctx, tree):
    snap = nl_open_ctx.warehouse.snapshot()
    levels = _mart(snap, "levels")
    worst = (levels[(levels["wave"] == "2026") & levels["disagree"]]
             .groupby("municipality_id").size().idxmax())
    expected = levels[(levels["municipality_id"] == worst) & (levels["wave"] == "2026")
                      & levels["disagree"]]
    out = callbacks.update_agreement(nl_open_ctx, worst, "2026", "en")
    text = tree.text(out)
    assert f"{len(expected)} elements with a difference of 2 or more levels" in text
    items = [li for li in tree.walk(out) if li.__class__.__name__ == "Li"]
    assert [tree.text(li).split()[0] for li in items] == sorted(
        expected["element_id"], key=snap.maturity.element_ids.index)
    first = expected.sort_values("element_id").iloc[0]
    assert (f"answers from {first.level_min} to {first.level_max} "
            f"({first.n_respondents} respondents)") in text
    quiet = levels[(levels["wave"] == "2026") & levels["level"].notna()]
    calm = set(quiet["municipality_id"]) - set(levels.loc[levels["disagree"]
                                                          & (levels["wave"] == "2026"),
                                                          "municipality_id"])
    calm_id = sorted(calm)[0]
    assert "agree within one level on every element" in tree.text(
        callbacks.update_agreement(nl_open_ctx, calm_id, "2026", "en"))


def test_trend(nl_open_ctx):
    fig, caption = callbacks.update_trend(nl_open_ctx, ENSCHEDE, "country_size", [], "en")
    go.Figure(fig)
    cube = nl_open_ctx.warehouse.snapshot().maturity
    row = np.array([cube.index_of(ENSCHEDE)])
    own = next(tr for tr in fig["data"] if tr["name"] == "Enschede: overall")
    assert own["x"] == ["2025", "2026"]
    assert np.allclose(own["y"], [cube.overall(w, row)[0] for w in range(2)], atol=1e-3)
    assert "Peers: median overall" in [tr["name"] for tr in fig["data"]]
    assert "Overall maturity of Enschede:" in caption and "(2025) →" in caption
    df = export.trend_csv(nl_open_ctx, ENSCHEDE, "country_size", [], "en")
    assert len(df) == 2 * (1 + len(cube.blocks))
    # the cached per-wave scores give exactly profile.trend
    expected = trend(cube, cube.index_of(ENSCHEDE))
    for scope, values in expected.items():
        got = df.loc[df["scope"] == scope, "score"].tolist()
        assert np.allclose([np.nan if v is None else v for v in got],
                           [np.nan if v is None else v for v in values], atol=1e-3,
                           equal_nan=True), scope
    assert df.loc[df["scope"] == "ALL", "peer_median"].notna().all()


# ------------------------------------------------------------------ empty states


def test_no_answer_in_the_chosen_wave(nl_ctx, nl_open_ctx, tree):
    text = tree.text(callbacks.update_status(nl_ctx, ALMERE, "2026", "country_size", [], "en"))
    assert "Almere did not answer in 2026; it answered in 2025." in text
    assert "Almere did not answer in 2026" in tree.text(
        callbacks.update_agreement(nl_ctx, ALMERE, "2026", "en"))
    assert "did not answer" not in tree.text(
        callbacks.update_status(nl_ctx, ALMERE, "2025", "country_size", [], "en"))
    never = tree.text(callbacks.update_status(nl_open_ctx, OPSTERLAND, "2026", "country_size", [],
                                              "en"))
    assert "Opsterland has not answered the survey in any wave yet" in never
    fig, _ = callbacks.update_radar(nl_open_ctx, OPSTERLAND, "2026", "blocks", "country_size", [],
                                    "en")
    assert "Opsterland" not in [tr.get("name") for tr in fig["data"]]


def test_no_municipality_chosen(nl_ctx, tree):
    page = profile.layout(nl_ctx, "en", {})
    assert tree.find(page, id=ids.PICKER)[0].value is None
    assert "Pick a municipality above" in tree.text(
        callbacks.update_status(nl_ctx, None, "2026", "country_size", [], "en"))
    fig, caption = callbacks.update_radar(nl_ctx, None, "2026", "blocks", "country_size", [], "en")
    assert fig["data"] == [] and caption == ""
    assert export.radar_csv(nl_ctx, None, "2026", "blocks", "country_size", [], "en") is None


def test_unknown_ids_and_waves_in_the_url(nl_ctx, tree):
    page = profile.layout(nl_ctx, "en", {"m": "NL_GM9999", "wave": "2019", "peers": "bogus"})
    text = tree.text(page)
    assert "There is no municipality with the id ‘NL_GM9999’" in text
    assert "Wave 2019 has no data; showing 2026. Waves with data: 2025, 2026." in text
    assert tree.find(page, id=ids.WAVE)[0].value == "2026"
    assert tree.find(page, id=ids.PEERS)[0].value == "country_size"


def _answers(rows):
    return pd.DataFrame([{
        "municipality_id": m, "wave": wave, "element_id": "SEC-01", "level": level,
        "respondent_id": f"{m}-r1", "respondent_role": "CIO",
        "submitted_at": pd.Timestamp(f"{wave}-04-01", tz="UTC"), "confidence": "high",
        "evidence": None, "publish_consent": True} for m, wave, level in rows])


def test_nothing_published_and_a_wave_without_data(tmp_path, tree):
    empty = AppContext.load(Settings.from_env({"DS4E_DATA_DIR": str(tmp_path / "empty")}))
    page = profile.layout(empty, "en", {"m": ENSCHEDE})
    assert "No survey data published yet" in tree.text(page)
    assert not tree.find(page, id=ids.RADAR)
    assert "Profiles appear once" in tree.text(
        callbacks.update_status(empty, ENSCHEDE, None, None, None, "en"))

    # wave 2025 only holds don't-knows: published, but nobody has a level
    data = tmp_path / "data"
    rows = [(m, "2025", None) for m in ("NL_GM0153", "NL_GM0014")]
    rows += [(m, "2026", 2) for m in ("NL_GM0153", "NL_GM0014", "NL_GM0363")]
    stage(_answers(rows), sha="a" * 64, name="a.csv", kind="real", fmt="csv",
          paths=DataPaths(data).ensure())
    build(data)
    ctx = AppContext.load(Settings.from_env({"DS4E_DATA_DIR": str(data)}))
    assert ctx.warehouse.snapshot().waves == ["2025", "2026"]
    text = tree.text(callbacks.update_status(ctx, ENSCHEDE, "2025", "country", [], "en"))
    assert "No municipality answered in wave 2025" in text


# ------------------------------------------------------------------ permalink


def test_permalink_round_trip(nl_ctx, tree):
    query = {"m": ENSCHEDE, "wave": "2025", "view": "elements", "peers": "custom",
             "custom": f"{GRONINGEN},{ALMERE}"}
    page = profile.layout(nl_ctx, "en", query)

    def value(component_id):
        return tree.find(page, id=component_id)[0].value

    chosen = state.state_from_controls(value(ids.PICKER), value(ids.WAVE), value(ids.VIEW),
                                       value(ids.PEERS), value(ids.CUSTOM))
    assert chosen.query() == "?" + urlencode(query, safe=",")
    assert chosen.query() == ("?m=NL_GM0153&wave=2025&view=elements&peers=custom"
                              "&custom=NL_GM0014,NL_GM0034")
    picker = tree.find(page, id=ids.PICKER)[0]
    assert [o["label"] for o in picker.options] == ["Enschede (NL, GM0153)"]
    custom = tree.find(page, id=ids.CUSTOM)[0]
    assert [o["value"] for o in custom.options] == [GRONINGEN, ALMERE]
    assert tree.find(page, id=ids.CUSTOM_BOX)[0].style == {}
    # defaults are written out in full, so a link always means the same view
    assert state.state_from_controls(ENSCHEDE, "2026", None, None, None).query() == (
                                                                                     "?m=NL_GM0153&wave=2026&view=blocks&peers=country_size")
    default = profile.layout(nl_ctx, "en", {"m": ENSCHEDE})
    assert tree.find(default, id=ids.CUSTOM_BOX)[0].style == {"display": "none"}


# ------------------------------------------------------------------ figures, CSV, context


def test_distribution_figure_and_csv(nl_open_ctx):
    fig, caption = callbacks.update_distribution(nl_open_ctx, ENSCHEDE, "2026", "country_size", [],
                                                 "en")
    go.Figure(fig)
    names = [tr.get("name") for tr in fig["data"]]
    assert names[1:4] == ["Peers: middle half (25–75%)", "Peers: median", "Enschede"]
    hover = fig["data"][0]["text"]  # one hover text per element row, on the first trace
    assert len(hover) == 39 and hover[0].startswith("<b>STR-01 Digital strategy & roadmap</b>")
    assert "Peers per level: 0:" in hover[0]
    assert "Enschede in 2026: above the peers' middle half on" in caption
    df = export.distribution_csv(nl_open_ctx, ENSCHEDE, "2026", "country_size", [], "en")
    assert len(df) == 39 and df["name"].iloc[0] == "Digital strategy & roadmap"
    counts = df[[f"peers_at_level_{k}" for k in range(5)]].sum(axis=1)
    shown = ~df["suppressed"]
    assert (counts[shown] == df.loc[shown, "peers_with_value"]).all()
    assert df["percentile"].between(0, 100).any()
    blocks = export.radar_csv(nl_open_ctx, ENSCHEDE, "2026", "blocks", "country_size", [], "en")
    assert list(blocks["id"]) == list(nl_open_ctx.warehouse.snapshot().maturity.blocks)
    assert {"own", "peer_q1", "peer_median", "peer_q3", "percentile"} <= set(blocks.columns)


def test_context_shows_the_benchmark_beside_the_self_assessment(nl_ctx, tree):
    out = callbacks.update_context(nl_ctx, ENSCHEDE, "2026", "country_size", [], "en")
    text = tree.text(out)
    assert "eGovernment Benchmark 2023, mystery shopping of the city's websites" in text
    assert "Enschede Municipality, Gemeente Enschede" in text
    raw = pd.read_csv(nl_ctx.settings.reference_dir
                      / "sources/egov_benchmark_2023_service_assessments.csv.gz", dtype=str)
    mine = raw[(raw["government_level"] == "local")
               & raw["service_provider"].isin(["Gemeente Enschede", "Enschede Municipality"])]
    online = mine.filter(regex="^q_a[123]_").apply(pd.to_numeric).to_numpy()
    yes, answered = int(np.nansum(online)), int((~np.isnan(online)).sum())
    assert f"{yes}/{answered}" in text
    assert f"{round(100 * yes / answered)}%" in text
    df = export.context_csv(nl_ctx, ENSCHEDE, "2026", "country_size", [], "en")
    assert list(df["measure"]) == ["online", "transparency", "eid", "edocuments", "prefilled",
                                   "mobile"]
    assert df["own_level"].notna().any()
    # not consenting: the benchmark (public) is shown, the own level is not
    hidden = export.context_csv(nl_ctx, GRONINGEN, "2026", "country_size", [], "en")
    assert hidden["share"].notna().all() and hidden["own_level"].isna().all()
    absent = tree.text(callbacks.update_context(nl_ctx, "NL_GM0037", "2026", "country_size", [],
                                                "en"))
    assert "Stadskanaal is not among the" in absent
    assert callbacks.context_button_style(nl_ctx, "NL_GM0037") == {"display": "none"}
    assert callbacks.context_button_style(nl_ctx, ENSCHEDE) == {}


def test_figures_are_valid_plotly_in_both_languages(nl_open_ctx):
    fw = nl_open_ctx.framework
    median = {"nl": "Vergelijkingsgroep: mediaan", "en": "Peers: median"}
    for lang in ("nl", "en"):
        for view in state.VIEWS:
            fig, caption = callbacks.update_radar(nl_open_ctx, ENSCHEDE, "2025", view, "nuts2", [],
                                                  lang)
            go.Figure(fig)
            names = [tr.get("name") for tr in fig["data"]]
            assert median[lang] in names and "Enschede" in names
            theta = next(tr for tr in fig["data"] if tr.get("name") == "Enschede")["theta"]
            if view == "blocks":  # the axes are the blocks, named in the page's language
                shown = {x.replace("<br>", " ").replace("\xa0", " ") for x in theta}
                assert {b.name.get(lang) for b in fw.blocks} <= shown
            assert "Enschede" in caption
        dist, dist_caption = callbacks.update_distribution(nl_open_ctx, ENSCHEDE, "2025", "nuts2",
                                                           [], lang)
        go.Figure(dist)
        assert "Enschede" in dist_caption
        names = [a["text"].replace("<br>", " ").replace("\xa0", " ")
                 for a in dist["layout"]["annotations"]]
        assert names[0] == f"{fw.elements[0].id} {fw.elements[0].name.get(lang)}"
        trend, _ = callbacks.update_trend(nl_open_ctx, ENSCHEDE, "nuts2", [], lang)
        go.Figure(trend)
        assert {"nl": "Enschede: totaal", "en": "Enschede: overall"}[lang] in \
            [tr.get("name") for tr in trend["data"]]
    go.Figure(empty_figure("x"))


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_layout_labels_every_control(nl_ctx, tree, lang):
    page = profile.layout(nl_ctx, lang, {"m": ENSCHEDE})
    labels = {c.html_for for c in tree.walk(page) if getattr(c, "html_for", None)}
    assert {ids.PICKER, ids.WAVE, ids.PEERS, ids.CUSTOM} <= labels
    captions = [c for c in tree.walk(page) if c.__class__.__name__ == "Figcaption"]
    assert {c.id for c in captions} == {ids.RADAR_CAPTION, ids.DIST_CAPTION,
                                        ids.TREND_CAPTION}
    downloads = [c for c in tree.walk(page) if c.__class__.__name__ == "Download"]
    assert len(downloads) == 4


# ------------------------------------------------------------------ the API gives the same numbers


def test_the_api_answers_with_the_profiles_numbers(nl_open_ctx, open_):
    """/api/v1/municipalities/{id} takes its scores from the profile's data.own_scores, and the
    aggregates mart's statistics of a published group equal the profile's for that group: a
    figure and its API answer cannot disagree."""
    snap = nl_open_ctx.warehouse.snapshot()
    cube = snap.maturity
    body = open_.get(f"/api/v1/municipalities/{ENSCHEDE}?wave=2026").get_json()
    overall, blocks = data.own_scores(snap, cube.index_of(ENSCHEDE), 1)
    assert body["scores"]["overall"] == round(float(overall), 4)
    assert body["scores"]["blocks"] == {b: round(float(s), 4) for b, s in
                                        zip(cube.blocks, blocks, strict=True)}
    radar = export.radar_csv(nl_open_ctx, ENSCHEDE, "2026", "blocks", "country_size", [], "en")
    assert np.allclose(radar["own"], [body["scores"]["blocks"][b] for b in radar["id"]],
                       atol=1e-3)  # the download rounds to 3 decimals
    trend_df = export.trend_csv(nl_open_ctx, ENSCHEDE, "country_size", [], "en")
    mine = trend_df[(trend_df["wave"] == "2026") & (trend_df["scope"] == "ALL")]
    assert mine["score"].iat[0] == pytest.approx(body["scores"]["overall"], abs=1e-3)
    levels = {r["element_id"]: r["level"] for r in body["levels"]}
    dist = export.distribution_csv(nl_open_ctx, ENSCHEDE, "2026", "country_size", [], "en")
    assert [None if pd.isna(v) else int(v) for v in dist["own"]] == \
        [levels[e] for e in dist["id"]]

    ref = nl_open_ctx.municipalities
    row = cube.index_of(ENSCHEDE)
    area = f"{ref['country'].iat[row]}:{ref['size_class'].iat[row]}"
    assert snap.published("2026", "country_size", area)
    agg = open_.get("/api/v1/aggregates?level=size_class&country=NL&wave=2026").get_json()
    agg = {r["measure"]: r for r in agg["items"] if r["area_id"] == area}
    for _, r in dist.iterrows():
        a = agg[r["id"]]
        assert a["n"] == r["peers_with_value"], r["id"]
        for api, ours in (("q1", "peer_q1"), ("median", "peer_median"), ("q3", "peer_q3")):
            assert a[api] == pytest.approx(r[ours]), (r["id"], api)


# ------------------------------------------------------------------ phone widths, names, numbers


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_distribution_names_sit_on_their_own_lines_over_the_full_width(nl_open_ctx, lang):
    """At 390 px the names as y tick labels left the marks a 60 px strip and were cut
    ('gitale strategie & roadmap'): each name now sits whole on its own line(s) above its
    row's marks, which span the chart's full width at any screen width."""
    fw = nl_open_ctx.framework
    fig, _ = callbacks.update_distribution(nl_open_ctx, ENSCHEDE, "2026", "country_size", [],
                                           lang)
    go.Figure(fig)
    layout = fig["layout"]
    assert layout["yaxis"]["visible"] is False  # no tick labels eating the width
    assert layout["margin"]["l"] == layout["margin"]["r"] == 10
    names = layout["annotations"]
    assert [n["text"].replace("<br>", " ").replace("\xa0", " ") for n in names] == [
        f"{e.id} {e.name.get(lang)}" for e in fw.elements]  # whole, in framework order
    assert all(n["xref"] == "paper" and n["x"] == 0 and n["xanchor"] == "left"
               for n in names)
    lines = [line for n in names for line in n["text"].split("<br>")]
    assert max(len(line) for line in lines) <= figures.DIST_LABEL_WIDTH  # fits a phone
    assert any("<br>" in n["text"] for n in names)  # the long ones wrap
    # one y unit is one pixel of the plot, so a name never runs into its marks
    plot = layout["height"] - layout["margin"]["t"] - layout["margin"]["b"]
    assert layout["yaxis"]["range"] == [plot, 0]
    own = next(tr for tr in fig["data"] if tr.get("name") == "Enschede")
    median = next(tr for tr in fig["data"] if tr.get("name") in
                  ("Peers: median", "Vergelijkingsgroep: mediaan"))
    rows = dict(zip(median["y"], range(len(names)), strict=True))
    for y in own["y"]:
        i = rows[y]
        name_bottom = names[i]["y"] + figures.DIST_LABEL_LINE * (
            names[i]["text"].count("<br>") + 1)
        assert name_bottom < y - figures.DIST_MARKS / 2 + figures.DIST_PAD + 1
        if i + 1 < len(names):
            assert y + figures.DIST_MARKS / 2 <= names[i + 1]["y"]
    # the hover text still covers every row (an invisible bar as wide and high as the row)
    hover = fig["data"][0]
    assert hover["type"] == "bar" and len(hover["text"]) == len(names)
    assert layout["hovermode"] == "closest"


def test_benchmark_table_stacks_on_a_phone_instead_of_clipping(nl_ctx, tree):
    """At 390 px the table's third column was cut off in a scroll box without keyboard
    access: no scroll box now; below 576 px each measure stacks over its two shares, each
    named by its column."""
    out = callbacks.update_context(nl_ctx, ENSCHEDE, "2026", "country_size", [], "nl")
    (table,) = [c for c in tree.walk(out) if type(c).__name__ == "Table"]
    assert not getattr(table, "responsive", None) and "profile-benchmark" in table.className
    header = [tree.text(th) for th in tree.walk(table) if type(th).__name__ == "Th"
              and th.scope == "col"]
    assert header == ["Maat (aandeel ja-antwoorden)", "Enschede", "Lokale websites in Nederland"]
    cells = [c for c in tree.walk(table) if type(c).__name__ == "Td"]
    assert len(cells) == 2 * 6
    for k, cell in enumerate(cells):
        label = cell.children[0]
        assert tree.text(label) == header[1 + k % 2]
        assert "d-sm-none" in label.className and label.to_plotly_json()["props"][
            "aria-hidden"] == "true"
    css = (ROOT / "assets" / "20-profile.css").read_text(encoding="utf-8")
    phone = css[css.index("@media (max-width: 575.98px)"):]
    assert ".profile-benchmark tbody tr" in phone and "grid-template-columns: 1fr 1fr" in phone


def test_hand_picked_count_is_beside_the_label_not_inside_the_field(nl_ctx, tree):
    """axe label-content-name-mismatch: the dropdown's accessible name is 'count, names', its
    visible text 'names, count'. The count inside the field is hidden and shown beside the
    label (it stays in the field's name for screen readers)."""
    page = profile.layout(nl_ctx, "nl", {"m": ENSCHEDE, "peers": "custom",
                                         "custom": f"{GRONINGEN},{ALMERE}"})
    assert tree.text(tree.find(page, id=ids.CUSTOM_COUNT)[0]) == "2 gekozen"
    single = profile.layout(nl_ctx, "en", {"m": ENSCHEDE, "peers": "custom",
                                           "custom": GRONINGEN})
    assert tree.text(tree.find(single, id=ids.CUSTOM_COUNT)[0]) == ""
    assert texts.custom_count_text([GRONINGEN, ALMERE, ENSCHEDE], "en") == "3 selected"
    assert texts.custom_count_text(None, "nl") == ""
    css = (ROOT / "assets" / "20-profile.css").read_text(encoding="utf-8")
    rule = "#profile-custom-box .dash-dropdown-value-count {\n  display: none;\n}"
    assert rule in css and ids.CUSTOM_BOX == "profile-custom-box"


@pytest.mark.parametrize(("lang", "png", "separators"),
                         [("nl", "Grafiek downloaden als PNG", ",."),
                          ("en", "Download plot as a PNG", ".,")])
def test_charts_speak_the_page_language(nl_open_ctx, tree, lang, png, separators):
    """The plotly toolbar in the page's language (components/figures.localised_config), and
    the charts' own numbers (the trend's hover) with the page's separators."""
    page = profile.layout(nl_open_ctx, lang, {"m": ENSCHEDE})
    graphs = [c for c in tree.walk(page) if type(c).__name__ == "Graph"]
    assert {g.id for g in graphs} == {ids.RADAR, ids.DIST, ids.TREND}
    for g in graphs:
        assert g.config["locale"] == lang and g.config["displaylogo"] is False
        assert g.config["locales"][lang]["dictionary"]["Download plot as a PNG"] == png
    for fig in (callbacks.update_trend(nl_open_ctx, ENSCHEDE, "country_size", [], lang)[0],
                callbacks.update_radar(nl_open_ctx, ENSCHEDE, "2026", "blocks", "country_size",
                                       [], lang)[0],
                callbacks.update_distribution(nl_open_ctx, ENSCHEDE, "2026", "country_size",
                                              [], lang)[0]):
        assert fig["layout"]["separators"] == separators


def test_numbers_use_the_shared_formatter(nl_ctx, tree):
    """The page's own _num/_level copies are gone: components/numbers.fmt_num/fmt_int, and
    texts.level_text ('3' for a whole level, '2,4' otherwise, '–' when missing) on top."""
    assert texts.level_text(3.0, "nl") == "3" and texts.level_text(np.float32(2.0), "en") == "2"
    assert texts.level_text(2.44, "nl") == "2,4" and texts.level_text(2.46, "en") == "2.5"
    assert texts.level_text(float("nan"), "nl") == "–" and texts.level_text(None, "en") == "–"
    status = tree.text(callbacks.update_status(nl_ctx, ENSCHEDE, "2026", "country_size", [],
                                               "nl"))
    pop = int(nl_ctx.municipalities.set_index("municipality_id").at[ENSCHEDE, "population"])
    assert f"{pop:,}".replace(",", ".") in status
    for module in (callbacks, data, export, figures, texts, panels):
        source = Path(module.__file__).read_text(encoding="utf-8")
        assert "def _num(" not in source and "def _level(" not in source, module.__name__
