"""The coordinator's survey progress page: token checks, numbers, grouping, table, downloads."""

from __future__ import annotations

import datetime as dt
import io
import json

import pandas as pd
import pytest
from plotly.utils import PlotlyJSONEncoder

from dashboard.config import Settings
from dashboard.context import AppContext
from dashboard.i18n import catalog
from dashboard.views.survey_progress import callbacks, data, figures, ids, tables, texts
from dashboard.views.survey_progress import page as page
from pipelines.survey.records import save_draft, submit
from pipelines.survey.sheet import Answer, Sheet

UTC = dt.UTC
CREATED = dt.datetime(2026, 1, 5, tzinfo=UTC)
NOW = dt.datetime(2026, 2, 1, 12, 30, tzinfo=UTC)
ELEMENTS = ["STR-01", "STR-02", "SEC-01"]
NL = ["NL_GM0363", "NL_GM0344", "NL_GM0014", "NL_GM0037"]  # Amsterdam, Utrecht, Groningen, Stadskanaal
NAMES = ["Amsterdam", "Utrecht", "Groningen", "Stadskanaal", "Antwerpen"]


class World:
    """A data folder with three waves: '2026' with invitations and answers, 'fresh' without
    invitations, 'old' whose links expired on 2020-03-01."""

    def __init__(self, tmp):
        self.ctx = AppContext.load(Settings.from_env({"DS4E_DATA_DIR": str(tmp)}))
        store = self.ctx.survey
        far = dt.datetime(2099, 1, 1, tzinfo=UTC)
        _, self.coordinator = store.create_wave("2026", closes_at=far, title="DS4E 2026",
                                                now=CREATED)
        links = store.invite("2026", NL, ["cio", "ciso"], now=CREATED)
        links += store.invite("2026", ["BE_11002"], now=CREATED)
        self.tokens = {(i.municipality_id, i.role): i.token for i in links}
        submit(store, self.access("NL_GM0363", "cio"), Sheet({"STR-01": Answer(3)}), ELEMENTS,
               now=NOW)
        save_draft(store, self.access("NL_GM0344", "cio"), Sheet({"STR-01": Answer(2)}), now=NOW)
        save_draft(store, self.access("NL_GM0014", "cio"), Sheet({}), now=NOW)
        submit(store, self.access("BE_11002", "team"), Sheet({"SEC-01": Answer(1)}), ELEMENTS,
               now=NOW)
        # replace Stadskanaal's cio link: the first one is revoked
        self.revoked = self.tokens[("NL_GM0037", "cio")]
        store.invite("2026", ["NL_GM0037"], ["cio"], now=CREATED)
        _, self.fresh = store.create_wave("fresh", closes_at=far, now=CREATED)
        _, self.old = store.create_wave(
            "old", opens_at=dt.datetime(2020, 1, 1, tzinfo=UTC),
            closes_at=dt.datetime(2020, 2, 1, tzinfo=UTC),
            links_valid_until=dt.datetime(2020, 3, 1, tzinfo=UTC),
            now=dt.datetime(2020, 1, 1, tzinfo=UTC))

    def access(self, mid, role):
        return self.ctx.survey.open_link(self.tokens[(mid, role)], now=NOW)


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    return World(tmp_path_factory.mktemp("survey-progress"))


def _json(component) -> str:
    return json.dumps(component.to_plotly_json(), cls=PlotlyJSONEncoder)


def _kpis(tree, component) -> list[str]:
    return [tree.text(c) for c in tree.find(component, className="kpi-value")]


# ------------------------------------------------------------------ access


def test_coordinator_sees_wave_and_numbers(world, tree):
    out = page.layout(world.ctx, "en", {"token": world.coordinator}, now=NOW)
    text = tree.text(out)
    assert "DS4E 2026" in text and "Wave 2026" in text
    assert "2026-01-05 00:00" in text and "2099-01-01 00:00" in text and "open" in text
    # invited, started, submitted, response rate, respondents submitted / invited
    assert _kpis(tree, out) == ["5", "3", "2", "40%", "2"]
    assert "in 2 countries" in text and "of 9 invited; 3 started" in text
    for name in NAMES:
        assert name in text
    store = tree.find(out, id=ids.TOKEN)
    assert len(store) == 1 and store[0].storage_type == "memory"
    assert store[0].data == world.coordinator


def test_token_is_not_echoed(world):
    out = page.layout(world.ctx, "nl", {"token": world.coordinator, "by": "nuts2"}, now=NOW)
    assert _json(out).count(world.coordinator) == 1  # only the memory store holds it


def test_closed_and_upcoming_wave_state(world, tree):
    wave = world.ctx.survey.wave("2026")
    assert data.wave_state(wave, NOW) == "open"
    assert data.wave_state(wave, dt.datetime(2026, 1, 1, tzinfo=UTC)) == "upcoming"
    assert data.wave_state(wave, dt.datetime(2099, 1, 2, tzinfo=UTC)) == "closed"


@pytest.mark.parametrize(("which", "expect"), [
    ("missing", "has no link code"),
    ("wrong", "not known here"),
    ("malformed", "not known here"),
    ("expired", "stopped working on 2020-03-01"),
    ("respondent", "respondent's link"),
    ("revoked", "replaced by a newer one"),
])
def test_no_data_without_coordinator_token(world, tree, which, expect):
    token = {"missing": None, "wrong": "A" * 32, "malformed": "x'; drop", "expired": world.old,
             "respondent": world.tokens[("NL_GM0363", "cio")], "revoked": world.revoked}[which]
    query = {} if token is None else {"token": token}
    out = page.layout(world.ctx, "en", query, now=NOW)
    text = tree.text(out)
    assert expect in text
    assert "python -m pipelines survey create-wave" in text
    for name in [*NAMES, "DS4E 2026"]:
        assert name not in text
    assert not tree.find(out, id=ids.TOKEN)
    assert not tree.find(out, className="kpi-value")
    if token:
        assert token not in _json(out)


def test_dutch_denial(world, tree):
    out = page.layout(world.ctx, "nl", {"token": world.tokens[("BE_11002", "team")]}, now=NOW)
    assert "link van een respondent" in tree.text(out)


def test_wave_without_invitations_says_how_to_invite(world, tree):
    out = page.layout(world.ctx, "en", {"token": world.fresh}, now=NOW)
    text = tree.text(out)
    assert "Nobody is invited" in text
    assert "python -m pipelines survey invite --wave fresh --country NL --out links.csv" in text
    assert not tree.find(out, className="kpi-value")


def test_callbacks_revalidate_the_token(world, tree):
    for bad in (None, "A" * 32, world.tokens[("NL_GM0363", "cio")], world.old):
        fig, caption, table = callbacks.update_rates(world.ctx, bad, "nuts2", "en", now=NOW)
        assert fig == {} and caption == ""
        assert "coordinator link" in tree.text(table)
        rows = callbacks.update_table(world.ctx, bad, "all", "", "status", 0, None, "en", now=NOW)
        assert not any(n in tree.text(rows[0]) for n in NAMES)
        assert rows[1:] == ("", 0, True, True)
        assert callbacks.download(world.ctx, ids.CSV_NON_RESPONDERS, bad, "country", "en",
                                  now=NOW) is None
        assert data.state_query(world.ctx, bad, "nuts2", "all", "", "status") is None


# ------------------------------------------------------------------ rates


@pytest.mark.parametrize(("by", "labels", "rates"), [
    ("country", ["Belgium (BE)", "Netherlands (NL)"], ["100%", "25%"]),
    ("nuts2", ["Prov. Antwerpen (BE21)", "Groningen (NL11)", "Utrecht (NL31)",
               "Noord-Holland (NL32)"], ["100%", "0%", "0%", "100%"]),
    ("size_class", ["20,000–49,999 inhabitants", "100,000–249,999 inhabitants",
                    "≥ 250,000 inhabitants"], ["0%", "0%", "66.7%"]),
])
def test_grouping(world, tree, by, labels, rates):
    fig, caption, table = callbacks.update_rates(world.ctx, world.coordinator, by, "en", now=NOW)
    rows = [c for c in tree.walk(table) if type(c).__name__ == "Tr"]
    body = [[tree.text(c) for c in r.children] for r in rows[1:]]
    assert [cells[:2] for cells in body] == [[lab, rate] for lab, rate in zip(labels, rates, strict=True)]
    assert sum(int(cells[2]) for cells in body) == 5  # invited
    assert sum(int(cells[4]) for cells in body) == 2  # submitted
    bars = fig.data[1]
    assert list(bars.y) == labels
    assert "40%" in caption and "2 of 5" in caption
    assert fig.layout.template.to_plotly_json() == {}  # slim figure
    df, name = callbacks.download(world.ctx, ids.CSV_RATES, world.coordinator, by, "en", now=NOW)
    assert name == f"survey-2026-response-rates-{by}.csv"
    assert df["invited"].sum() == 5 and df["submitted"].sum() == 2
    assert list(df.columns) == ["grouping", "area_code", "area_name", "invited", "started",
                                "submitted", "response_rate"]


def test_caption_names_highest_and_lowest(world):
    _, caption, _ = callbacks.update_rates(world.ctx, world.coordinator, "country", "nl", now=NOW)
    assert caption == ("Respons per land: 40% in totaal (ingediend: 2 van 5 uitgenodigde "
                       "gemeenten). Hoogste: België (BE) (100%); laagste: Nederland (NL) (25%).")


def test_chart_keeps_the_largest_areas(world):
    status = pd.DataFrame({
        "municipality_id": [f"X_{i}" for i in range(80)],
        "nuts2": [f"R{i % 40:02d}" for i in range(80)],
        "country": "XX", "size_class": "lt5k", "name": "x", "respondents_invited": 1,
        "respondents_started": 0, "respondents_submitted": 0,
        "status": ["submitted" if i % 3 == 0 else "invited" for i in range(80)]})
    status.loc[status.index < 20, "nuts2"] = "R00"  # R00 is by far the largest
    df = data.rates_frame(world.ctx, status, "nuts2", "en")
    fig = figures.rates_figure(df, "nuts2", "en")
    assert len(fig.data[0].y) == data.CHART_MAX and "R00" in fig.data[0].y
    assert "shows the 30 of 40 areas" in texts.rates_caption(df, "nuts2", status, "en")


# ------------------------------------------------------------------ municipality table


def _names(tree, table) -> list[str]:
    rows = [c for c in tree.walk(table) if type(c).__name__ == "Th" and c.scope == "row"]
    return [tree.text(r.children[0]) for r in rows]


def test_table_filter_search_sort(world, tree):
    def names(which, q="", sort="status"):
        table, *_ = callbacks.update_table(world.ctx, world.coordinator, which, q, sort, 0, None, "en",
                                           now=NOW)
        return _names(tree, table)

    assert names("all") == ["Groningen", "Stadskanaal", "Utrecht", "Antwerpen", "Amsterdam"]
    assert names("open") == ["Groningen", "Stadskanaal", "Utrecht"]
    assert names("invited") == ["Groningen", "Stadskanaal"]
    assert names("started") == ["Utrecht"]
    assert names("submitted") == ["Antwerpen", "Amsterdam"]
    assert names("all", sort="name") == sorted(NAMES)
    assert names("all", q="gm0344") == ["Utrecht"]
    assert names("all", q="AMSTER") == ["Amsterdam"]
    assert names("bogus", q="stäDs", sort="bogus") == ["Stadskanaal"]  # accents and case folded
    table, count, *_ = callbacks.update_table(world.ctx, world.coordinator, "all", "nowhere",
                                              "name", 0, None, "en", now=NOW)
    assert "No municipality matches" in tree.text(table) and count == ""


def test_table_row_shows_respondents(world, tree):
    table, count, page_no, prev_off, next_off = callbacks.update_table(
        world.ctx, world.coordinator, "all", "Amsterdam", "status", 0, None, "en", now=NOW)
    row = [c for c in tree.walk(table) if type(c).__name__ == "Tr"][-1]
    cells = [tree.text(c) for c in row.children]
    assert cells == ["Amsterdam  GM0363", "submitted", "2", "1", "1", "ciso", "2026-02-01 12:30",
                     "Noord-Holland (NL32)", "≥ 250,000"]
    assert count == "Row 1 of 1." and (page_no, prev_off, next_off) == (0, True, True)


def test_paging_renders_one_page(world, tree):
    ref = world.ctx.municipalities
    fr = ref[ref["country"] == "FR"].head(250)
    status = pd.DataFrame({
        "municipality_id": fr["municipality_id"], "national_code": fr["national_code"],
        "name": fr["name"], "country": "FR", "nuts2": fr["nuts2"],
        "size_class": fr["size_class"], "respondents_invited": 1, "respondents_started": 0,
        "respondents_submitted": 0, "roles_not_submitted": "team", "last_submitted": "",
        "status": "invited"})
    rows = data.select_rows(status, "all", "", "name")
    table, count, p, prev_off, next_off = tables.municipality_table(world.ctx, rows, 0, "en")
    assert len(_names(tree, table)) == data.PAGE_SIZE
    assert count.startswith(f"Rows 1–{data.PAGE_SIZE} of 250.")
    assert (p, prev_off, next_off) == (0, True, False)
    assert _names(tree, table)[0] == sorted(fr["name"])[0]
    last = -(-250 // data.PAGE_SIZE) - 1
    table, count, p, prev_off, next_off = tables.municipality_table(world.ctx, rows, 99, "en")
    assert p == last and len(_names(tree, table)) == 250 - last * data.PAGE_SIZE
    assert count.startswith(f"Rows {last * data.PAGE_SIZE + 1}–250 of 250.")
    assert (prev_off, next_off) == (False, True)
    assert callbacks.next_page(ids.NEXT, 1) == 2 and callbacks.next_page(ids.PREV, 0) == 0
    assert callbacks.next_page(ids.FILTER, 5) == 0  # a new filter starts at the top


# ------------------------------------------------------------------ downloads and permalink


def test_non_responders_download(world):
    df, name = callbacks.download(world.ctx, ids.CSV_NON_RESPONDERS, world.coordinator, "country",
                                  "en", now=NOW)
    assert name == "survey-2026-non-responders.csv"
    # exactly the invited municipalities without any submission; started first
    assert df["municipality_id"].tolist() == ["NL_GM0344", "NL_GM0014", "NL_GM0037"]
    assert df["roles_not_submitted"].tolist() == ["cio;ciso", "cio;ciso", "cio;ciso"]
    csv = pd.read_csv(io.StringIO(df.to_csv(index=False)), dtype=str, keep_default_na=False)
    assert csv.columns[0] == "municipality_id" and len(csv) == 3
    assert world.coordinator not in df.to_csv(index=False)


def test_all_municipalities_download(world):
    df, name = callbacks.download(world.ctx, ids.CSV_ALL, world.coordinator, None, "en", now=NOW)
    assert name == "survey-2026-municipalities.csv"
    assert df["municipality_id"].tolist() == ["BE_11002", *sorted(NL)]
    assert "_key" not in df.columns
    assert callbacks.download(world.ctx, "nonsense", world.coordinator, None, "en", now=NOW) is None


def test_download_reads_fresh_numbers(world, tmp_path_factory):
    w = World(tmp_path_factory.mktemp("fresh-download"))
    page.layout(w.ctx, "en", {"token": w.coordinator}, now=NOW)  # fills the page cache
    submit(w.ctx.survey, w.access("NL_GM0344", "ciso"), Sheet({"STR-02": Answer(4)}), ELEMENTS,
           now=NOW)
    df, _ = callbacks.download(w.ctx, ids.CSV_NON_RESPONDERS, w.coordinator, None, "en", now=NOW)
    assert df["municipality_id"].tolist() == ["NL_GM0014", "NL_GM0037"]


def test_permalink_keeps_only_the_token_and_the_view(world, tree):
    q = data.state_query(world.ctx, world.coordinator, "nuts2", "open", " Utrecht ", "name")
    assert q == f"?token={world.coordinator}&by=nuts2&status=open&sort=name&q=Utrecht"
    assert data.state_query(world.ctx, world.coordinator, "evil", "all", "", "status") \
        == f"?token={world.coordinator}"
    out = page.layout(world.ctx, "en", {"token": world.coordinator, "by": "size_class",
                                        "status": "invited", "sort": "name", "q": "Gron"},
                      now=NOW)
    values = {c.id: c.value for c in tree.walk(out) if getattr(c, "id", None) in
              (ids.BY, ids.FILTER, ids.SORT, ids.SEARCH)}
    assert values == {ids.BY: "size_class", ids.FILTER: "invited", ids.SORT: "name",
                      ids.SEARCH: "Gron"}
    assert _names(tree, tree.find(out, id=ids.TABLE)[0]) == ["Groningen"]


def test_single_country_defaults_to_regions(tmp_path, tree):
    ctx = AppContext.load(Settings.from_env({"DS4E_DATA_DIR": str(tmp_path)}))
    _, token = ctx.survey.create_wave("nl", closes_at=dt.datetime(2099, 1, 1, tzinfo=UTC),
                                      now=CREATED)
    ctx.survey.invite("nl", NL, now=CREATED)
    out = page.layout(ctx, "en", {"token": token}, now=NOW)
    assert tree.find(out, id=ids.BY)[0].value == "nuts2"
    assert _kpis(tree, out) == ["4", "0", "0", "0%", "0"]
    assert "in 1 country" in tree.text(out)


def test_catalogs_have_the_same_keys():
    nl = {k for k in catalog("nl") if k.startswith("survey_progress.")}
    en = {k for k in catalog("en") if k.startswith("survey_progress.")}
    assert nl == en and "survey_progress.nav" in nl


@pytest.mark.parametrize("lang,words", [
    ("en", ["in 1 country", "(0 of 1 invited municipality submitted)", "Row 1 of 1.",
            "1 invited municipality has not submitted yet. The CSV lists it"]),
    ("nl", ["in 1 land", "(ingediend: 0 van 1 uitgenodigde gemeente)", "Rij 1 van 1.",
            "1 uitgenodigde gemeente heeft nog niet ingediend. De CSV toont haar"])])
def test_a_wave_of_one_municipality_is_counted_in_the_singular(tmp_path, tree, lang, words):
    ctx = AppContext.load(Settings.from_env({"DS4E_DATA_DIR": str(tmp_path)}))
    _, coordinator = ctx.survey.create_wave("one", closes_at=dt.datetime(2099, 1, 1, tzinfo=UTC),
                                            now=CREATED)
    ctx.survey.invite("one", ["NL_GM0363"], now=CREATED)
    text = tree.text(page.layout(ctx, lang, {"token": coordinator}, now=NOW))
    for w in words:
        assert w in text
    assert not any(x in text for x in ("1 countries", "1 invited municipalities", "1 landen",
                                       "1 uitgenodigde gemeenten", "Rows 1–1"))


@pytest.mark.parametrize("lang,text", [
    ("en", "(1 of 5 invited municipalities submitted)"),
    ("nl", "(ingediend: 1 van 5 uitgenodigde gemeenten)")])  # no verb to agree with "1 van 5"
def test_rates_caption_with_one_submission(world, lang, text):
    status = data.load_progress(world.ctx, "2026").status
    one = status[status["municipality_id"] != "BE_11002"]  # Amsterdam's submission only
    one = pd.concat([one, status[status["municipality_id"] == "BE_11002"].assign(
        status="invited")])
    df = data.rates_frame(world.ctx, one, "country", lang)
    assert text in texts.rates_caption(df, "country", one, lang)


@pytest.mark.parametrize("lang,zoom", [("nl", "Zoomen"), ("en", "Zoom")])
def test_rates_chart_speaks_the_page_language(world, tree, lang, zoom):
    out = page.layout(world.ctx, lang, {"token": world.coordinator}, now=NOW)
    config = tree.find(out, id=ids.RATES_GRAPH)[0].config
    assert config["displayModeBar"] is False and config["responsive"] is True
    assert config["locale"] == lang and config["locales"][lang]["dictionary"]["Zoom"] == zoom
