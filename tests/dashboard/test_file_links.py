"""The download route behind the pages' download links (dashboard/file_links.py): every file as
CSV, XLSX and Parquet with its name and MIME type, each bad parameter answered 400 naming it,
nothing to download 404, the rate limits and security headers of the app, and the links' query
read back as the page's controls hold it (the same file as the callback used to send)."""

from __future__ import annotations

import datetime as dt
import io
import json

import pandas as pd
import pytest

from dashboard import file_links, laws
from dashboard.components.downloads import FORMATS, table_download, table_file
from dashboard.file_links import BadParameter, FileSpec, Param, code, codes, hrefs, number
from dashboard.rehearsal import DOWNLOAD_PREFIX, rehearse
from dashboard.views.heatmap import export as heatmap_export
from dashboard.views.heatmap.data import compute_view, read_state
from dashboard.views.legislation import export as legislation_export
from dashboard.views.maps import export as maps_export
from dashboard.views.policy import callbacks as policy_callbacks
from dashboard.views.policy import export as policy_export
from dashboard.views.roadmap import export as roadmap_export
from pipelines.maturity.roadmap import DEFAULT_WEIGHTS

MIMETYPES = {"csv": "text/csv",
             "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
             "parquet": "application/vnd.apache.parquet"}
AT = "2026-07-01"
ENSCHEDE = "NL_GM0153"
SELECTION = {"country": "NL", "nuts2": None, "size": None, "at": AT, "horizon": None}
MAPS = {"measure": "ALL", "stat": "median", "wave": "2026", "level": "country", "country": "NL"}
POLICY = {"country": "NL", "nuts2": None, "size": None, "measure": "per"}
HEATMAP = {"country": "NL", "nuts2": "NL31", "size": None, "wave": "2026", "sort": "overall",
           "mode": "municipalities"}


@pytest.fixture(scope="module")
def clients(nl_data_dir, api_client):
    with pytest.MonkeyPatch.context() as mp:  # the legislation page evaluates at "today"
        mp.setattr(laws, "today", lambda: dt.date.fromisoformat(AT))
        yield {v: api_client(nl_data_dir, DS4E_VISIBILITY=v) for v in ("consent", "open")}


def every_link(lang="en") -> dict[str, str]:
    """name -> the CSV link of every download, as the pages' callbacks write them."""
    out = {}
    out["legislation-agg"], _, _, out["legislation-heat"], _, _ = legislation_export.links(
        *SELECTION.values(), lang)
    for kind, spec in maps_export.FILES.items():
        out[spec.name] = maps_export.links(*MAPS.values(), lang)[
            3 * list(maps_export.FILES).index(kind)]
    for which in policy_export.WHICH:
        out[f"policy-{which}"] = hrefs(policy_export.FILES[which].name, {**POLICY, "lang": lang})[0]
    out["roadmap"] = roadmap_export.links(True, ENSCHEDE, "2026", DEFAULT_WEIGHTS.raw(), 3, [],
                                          lang)[0]
    out["heatmap"] = hrefs("heatmap", {**HEATMAP, "lang": lang})[0]
    return out


@pytest.mark.parametrize("name", sorted(every_link()))
def test_every_file_in_every_format(clients, name):
    csv_link = every_link()[name]
    names = set()
    for fmt in FORMATS:
        r = clients["open"].get(csv_link.replace(".csv?", f".{fmt}?", 1))
        assert r.status_code == 200, (fmt, r.get_data(as_text=True)[:300])
        assert r.mimetype == MIMETYPES[fmt]
        disposition = r.headers["Content-Disposition"]
        assert disposition.startswith('attachment; filename="') and disposition.endswith(f'.{fmt}"')
        names.add(disposition.rsplit(".", 1)[0])
        assert r.headers["Cache-Control"] == "no-store"
        assert r.headers["X-Content-Type-Options"] == "nosniff"  # the app's security headers
        assert "frame-ancestors 'none'" in r.headers["Content-Security-Policy"]
        assert len(r.data) > 0
    assert len(names) == 1  # one name, three extensions


@pytest.mark.parametrize("visibility", ["consent", "open"])
def test_the_route_gives_what_the_callbacks_sent(nl_ctx, nl_open_ctx, clients, visibility):
    """The same bytes as the page's builders with the deployment's disclosure rule (what the
    dcc.Download callbacks sent, base64 aside): names only where consent or `open` allows."""
    ctx = nl_ctx if visibility == "consent" else nl_open_ctx
    c = clients[visibility]
    # heatmap, municipalities: the names are the consent rule's
    snap = ctx.warehouse.snapshot()
    view = compute_view(ctx, snap, read_state(ctx, snap, **{**HEATMAP, "peers_of": None}), "en")
    old = table_download(heatmap_export.csv_frame(ctx, snap, view, "en"),
                         heatmap_export.csv_filename(view), "csv")
    r = c.get(every_link()["heatmap"])
    assert r.get_data(as_text=True) == old["content"]
    assert old["filename"] in r.headers["Content-Disposition"]
    # the policy's leverage table: municipalities named by the consent rule
    df, name = policy_callbacks.csv_download(ctx, "leverage", *POLICY.values(), "en")
    r = c.get(every_link()["policy-leverage"])
    assert r.data == table_file(df, name, "csv")[0]
    # maps: the map's values (suppressed and non-public ones empty)
    df, name = maps_export.download_frame(ctx, "map", *MAPS.values(), "en")
    assert c.get(every_link()["maps-map"]).data == table_file(df, name, "csv")[0]


def test_consent_shows_fewer_municipalities_than_open(clients):
    link = every_link()["heatmap"]
    consent = pd.read_csv(io.BytesIO(clients["consent"].get(link).data))
    open_ = pd.read_csv(io.BytesIO(clients["open"].get(link).data))
    shown = set(consent["municipality_id"])
    assert shown and shown < set(open_["municipality_id"])


@pytest.mark.parametrize(("query", "parameter"), [
    ("legislation-heat.csv?at=2026-13-01", "at"),
    ("legislation-heat.csv?horizon=99999", "horizon"),
    ("legislation-heat.csv?country=N%20L", "country"),
    ("legislation-agg.csv?lang=fr", "lang"),
    ("legislation-heat.csv?evil=1", "evil"),
    ("legislation-heat.xls", "format"),
    ("heatmap.csv?wave=" + "9" * 300, "wave"),
    ("roadmap.csv?m=NL_GM0153&target=9", "target"),
    ("roadmap.csv?m=NL_GM0153&wr=x", "wr"),
    ("roadmap.csv?m=NL_GM0153&done=SEC-01,<script>", "done"),
    ("maps-map.parquet?level=<b>", "level"),
    ("policy-lobby.xlsx?measure=a%0Ab", "measure"),
    ("policy-funding.csv?a-cost-0=-5", "a-cost-0"),
])
def test_a_bad_parameter_is_400_naming_it(clients, query, parameter):
    r = clients["open"].get(DOWNLOAD_PREFIX + query)
    assert r.status_code == 400
    body = r.get_json()
    assert body["parameter"] == parameter
    assert f"'{parameter}'" in body["error"] or parameter == "format"
    assert r.headers["Cache-Control"] == "no-store"


def test_nothing_to_download_is_404(clients):
    r = clients["open"].get(DOWNLOAD_PREFIX + "roadmap.csv?wave=2026")  # no municipality
    assert r.status_code == 404 and "nothing to download" in r.get_json()["error"]
    assert clients["open"].get(DOWNLOAD_PREFIX + "no-such-file.csv").status_code == 404


def test_a_what_if_the_funding_rules_refuse_is_400_with_their_words(clients):
    r = clients["open"].get(DOWNLOAD_PREFIX + "policy-funding.csv?a-element-0=NOPE-99&a-level-0=3"
                            "&reach=10")
    assert r.status_code == 400 and "NOPE-99" in r.get_json()["error"]


def test_downloads_spend_the_heavy_budget(nl_data_dir, api_client):
    c = api_client(nl_data_dir, DS4E_RATE_LIMITS="1", DS4E_LIMIT_HEAVY="2/hour")
    link = every_link()["legislation-agg"]
    assert c.get(link).status_code == 200
    assert c.get("/api/v1/aggregates?format=csv").status_code == 200  # one budget with the API
    r = c.get(link)
    assert r.status_code == 429 and int(r.headers["Retry-After"]) >= 1


def test_the_funding_file_spends_the_what_if_budget(nl_data_dir, api_client):
    c = api_client(nl_data_dir, DS4E_RATE_LIMITS="1", DS4E_LIMIT_WHAT_IF="1/hour")
    link = DOWNLOAD_PREFIX + "policy-funding.csv?a-element-0=SEC-01&a-level-0=3&reach=10"
    assert c.get(link).status_code == 200
    assert c.get(link).status_code == 429


# ------------------------------------------------------------------ the module itself


def test_links_leave_empty_values_out_and_join_lists():
    assert file_links.href("x", "csv", {"a": None, "b": "", "c": [], "d": ["E", "F"], "n": 0.5}) \
        == "/download/x.csv?d=E%2CF&n=0.5"
    assert hrefs("x", {}) == tuple(f"/download/x.{f}" for f in FORMATS)
    values = {"a": None, "b": "", "c": [], "d": ["E", "F"], "n": 0.5, "q": "é & =", "z": 0}
    assert hrefs("x", values) == tuple(file_links.href("x", f, values) for f in FORMATS)
    assert hrefs("x", values)[0] == "/download/x.csv?d=E%2CF&n=0.5&q=%C3%A9+%26+%3D&z=0"
    assert DOWNLOAD_PREFIX == file_links.PREFIX  # the walk finds the links by it


def test_parse_args_checks_each_parameter():
    spec = FileSpec("t", (Param("m", code), Param("done", codes), Param("w", number(0, 1))),
                    lambda ctx, **v: None)
    assert file_links.parse_args(spec, {"m": "NL_GM0153", "done": "A,B", "w": "1"}) == {
        "m": "NL_GM0153", "done": ["A", "B"], "w": 1}
    assert file_links.parse_args(spec, {}) == {"m": None, "done": None, "w": None}
    for args, name in (({"w": "2"}, "w"), ({"w": "nan"}, "w"), ({"m": "a b"}, "m"),
                       ({"x": "1"}, "x"), ({"m": "a" * 201}, "m")):
        with pytest.raises(BadParameter) as e:
            file_links.parse_args(spec, args)
        assert e.value.name == name


def test_the_rehearsal_walk_follows_each_download_link_once(clients):
    """gunicorn's master and the benchmark walk a page and then fetch its links (every format),
    so the files' code runs before the fork and the benchmark times each as `download: ...`."""
    server = clients["open"].application
    result = rehearse(server, pages=["/legislation?country=NL"], api=False)
    assert not result.failed
    fetched = [s.path for s in result.steps if s.kind == "download"]
    names = sorted({p.split("?")[0] for p in fetched})
    assert names == [f"/download/legislation-{n}.{f}" for n in ("agg", "heat")
                     for f in sorted(FORMATS)]
    # each walk (one per language) fetches its six links once; the heatmap's have no language
    assert len(fetched) == 2 * 6 and len(set(fetched)) == 6 + 3
    callbacks = [json.loads(s.body)["output"] for s in result.steps if s.kind == "callback"]
    assert not [o for o in callbacks if o.endswith(".data") and "csv" in o and "mun" not in o]


def _policy_selections(ctx):
    from dashboard.views.policy.data import policy_data
    from dashboard.views.policy.selection import read_state

    data = policy_data(ctx, ctx.warehouse.snapshot())
    for size in (None, "lt5k", "5k-20k", "20k-50k", "50k-100k", "100k-250k", "ge250k"):
        sel = read_state(ctx, "NL", None, size, "per")[0]
        yield size, policy_export.shown(ctx, data, sel)


def test_policy_links_only_where_the_view_shows_tables(nl_ctx):
    """A selection too small to publish shows no tables: its links are disabled (no href)
    instead of leading to a 404; a shown one links to the file the route gives."""
    seen = dict(_policy_selections(nl_ctx))
    assert True in seen.values() and False in seen.values(), seen  # the fixture has both
    for size, shown in seen.items():
        got = policy_export.links(nl_ctx, list(policy_export.WHICH), "NL", None, size, "per", "en")
        assert len(got) == 3 * len(policy_export.WHICH)
        if shown:
            assert all(got) and got[0] == hrefs("policy-first-phase", {
                "country": "NL", "nuts2": None, "size": size, "measure": "per", "lang": "en"})[0]
        else:
            assert not any(got), size


def test_policy_links_point_to_files_the_route_gives(nl_ctx, consent):
    c = consent  # the consent rule, as nl_ctx
    for size, _shown in _policy_selections(nl_ctx):
        for link in policy_export.links(nl_ctx, ["leverage"], "NL", None, size, "per", "en"):
            if link:
                assert c.get(link).status_code == 200, link


def test_a_roadmap_file_only_of_a_municipality_that_consented(nl_ctx, clients):
    """Under the consent rule the roadmap link of a municipality that did not consent gives
    nothing (404), as its page shows no roadmap; one that consented gives its rows."""
    import numpy as np

    snap = nl_ctx.warehouse.snapshot()
    cube, wave = snap.maturity, snap.waves[-1]
    answered = (cube.levels[-1] >= 0).any(axis=1)
    consented = snap.consent.astype(bool)
    for rows, status in ((np.flatnonzero(answered & ~consented)[:3], 404),
                         (np.flatnonzero(answered & consented)[:3], 200)):
        assert len(rows)
        for r in rows:
            mid = str(cube.municipality_ids[r])
            got = clients["consent"].get(f"{DOWNLOAD_PREFIX}roadmap.csv?m={mid}&wave={wave}")
            assert got.status_code == status, mid
            if status == 200:
                assert set(pd.read_csv(io.BytesIO(got.data))["municipality_id"]) == {mid}
            else:
                assert mid.encode() not in got.data
