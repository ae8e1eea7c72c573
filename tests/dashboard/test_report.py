"""The council report: its numbers are the API's and the dashboard's, consent holds, and the
PDF and HTML say the same (text, page count, title, language, tagged structure)."""

from __future__ import annotations

import datetime as dt
import io
import re
import xml.etree.ElementTree as ET

import numpy as np
import pypdf
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dashboard.components.numbers import fmt_num
from dashboard.report import ReportRefused, assemble, render_html, render_pdf
from dashboard.report.content import ranked
from dashboard.report.radar import _runs, svg
from dashboard.views.profile import callbacks as profile_callbacks
from pipelines.maturity.profile import Profile

ENSCHEDE = "NL_GM0153"


def _get(client, path):
    r = client.get(path)
    assert r.status_code == 200, (path, r.status_code, r.data[:300])
    return r.get_json()


def _consenting(ctx, consent: bool) -> str:
    snap = ctx.warehouse.snapshot()
    answered = snap.maturity.answered(len(snap.waves) - 1)
    rows = np.flatnonzero((snap.consent == consent) & answered)
    return str(snap.maturity.municipality_ids[rows[0]])


@pytest.fixture(scope="module")
def open_client(nl_data_dir, api_client):
    return api_client(nl_data_dir, DS4E_VISIBILITY="open")


# ------------------------------------------------------------------ the numbers


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_report_numbers_equal_the_api(nl_open_ctx, open_client, lang):
    report = assemble(nl_open_ctx, ENSCHEDE, lang=lang)
    n = report.numbers
    detail = _get(open_client, f"/api/v1/municipalities/{ENSCHEDE}")
    assert n["wave"] == detail["wave"] == report.wave
    assert n["scores"] == detail["scores"]
    assert n["coverage"] == detail["coverage"]
    roadmap = _get(open_client, f"/api/v1/municipalities/{ENSCHEDE}/roadmap?lang={lang}"
                                f"&wave={report.wave}")
    assert n["first_phase"] == [item["element"] for item in roadmap["phases"][0]]
    assert len(n["first_phase"]) == 3
    assert n["who_can_help"] == roadmap["who_can_help"]
    readiness = _get(open_client, f"/api/v1/municipalities/{ENSCHEDE}/readiness")
    assert n["laws"] == {law["law"]: law["legal"]["status"] for law in readiness["laws"]}
    # the profile's group is the whole area, the municipality included; the roadmap's the others
    assert n["peer_group"]["municipalities"] == roadmap["peer_group"]["municipalities"] + 1


def test_report_block_medians_are_the_radars(nl_open_ctx):
    report = assemble(nl_open_ctx, ENSCHEDE, wave="2026", lang="nl")
    fig, _ = profile_callbacks.update_radar(nl_open_ctx, ENSCHEDE, "2026", "blocks",
                                            "country_size", [], "nl")
    median = next(tr for tr in fig["data"] if tr["name"] == "Vergelijkingsgroep: mediaan")
    blocks = report.numbers["blocks"]
    assert np.allclose([b["peer_median"] for b in blocks], np.round(median["r"][:-1], 3))
    # and the printed table shows those numbers, one decimal, Dutch comma
    table = next(s for s in report.sections if s.id == "profile").table
    assert [row[2] for row in table["rows"]] == [fmt_num(b["peer_median"], "nl", 1)
                                                 for b in blocks]


def test_strongest_and_weakest_follow_the_percentiles(nl_open_ctx):
    report = assemble(nl_open_ctx, ENSCHEDE, wave="2026", lang="en")
    elements = {e["id"]: e for e in report.numbers["elements"]}
    rows = next(s for s in report.sections if s.id == "elements").table["rows"]
    strong = [r[1].split()[0] for r in rows if r[0] == "Strong"]
    weak = [r[1].split()[0] for r in rows if r[0] == "Weak"]
    assert len(strong) == len(weak) == 3
    known = [e for e in elements.values() if e["percentile"] is not None]
    assert min(elements[s]["percentile"] for s in strong) >= \
        max(elements[w]["percentile"] for w in weak)
    assert max(elements[w]["percentile"] for w in weak) <= sorted(
        e["percentile"] for e in known)[2]


# ------------------------------------------------------------------ consent


def test_consent_rule(nl_ctx):
    hidden = _consenting(nl_ctx, False)
    shown = _consenting(nl_ctx, True)
    assert assemble(nl_ctx, shown).name
    with pytest.raises(ReportRefused) as exc:
        assemble(nl_ctx, hidden)
    assert exc.value.status == 403 and hidden in exc.value.text("en")
    with pytest.raises(ReportRefused):
        assemble(nl_ctx, hidden, viewer=shown)  # another municipality's link opens nothing
    assert assemble(nl_ctx, hidden, viewer=hidden).municipality_id == hidden
    with pytest.raises(ReportRefused) as exc:
        assemble(nl_ctx, "NL_GM9999")
    assert exc.value.status == 404
    with pytest.raises(ReportRefused) as exc:
        assemble(nl_ctx, shown, wave="1999")
    assert exc.value.status == 404 and "1999" in exc.value.text("nl")


def test_api_report_consent_and_errors(nl_data_dir, api_client, nl_ctx):
    client = api_client(nl_data_dir)
    hidden, shown = _consenting(nl_ctx, False), _consenting(nl_ctx, True)
    r = client.get(f"/api/v1/municipalities/{shown}/report.pdf?lang=en")
    assert r.status_code == 200 and r.mimetype == "application/pdf"
    assert f'filename="report-{shown}-2026-en.pdf"' in r.headers["Content-Disposition"]
    r = client.get(f"/api/v1/municipalities/{hidden}/report.pdf")
    assert r.status_code == 403 and "did not consent" in r.get_json()["error"]
    r = client.get(f"/api/v1/municipalities/{hidden}/report.html")
    assert r.status_code == 403
    assert client.get("/api/v1/municipalities/XX_1/report.pdf").status_code == 404
    r = client.get(f"/api/v1/municipalities/{shown}/report.pdf?lang=fr")
    assert r.status_code == 400 and r.get_json()["parameter"] == "lang"


def test_api_report_with_own_survey_link(nl_data_dir, api_client, nl_ctx, tmp_path):
    from dashboard.access import GRANT_COOKIE
    from pipelines.survey.waves import SurveyStore

    hidden = _consenting(nl_ctx, False)
    client = api_client(nl_data_dir, DS4E_STATE_DIR=str(tmp_path))
    store = SurveyStore(tmp_path)
    now = dt.datetime.now(dt.UTC)
    store.create_wave("report-wave", closes_at=now + dt.timedelta(days=30),
                      opens_at=now - dt.timedelta(days=1))
    [link] = store.invite("report-wave", [hidden])
    client.set_cookie(GRANT_COOKIE, link.token)
    r = client.get(f"/api/v1/municipalities/{hidden}/report.pdf")
    assert r.status_code == 200
    assert "private" in r.headers["Cache-Control"]  # personal: no shared cache keeps it


# ------------------------------------------------------------------ PDF and HTML


def _pdf_text(data: bytes) -> tuple[pypdf.PdfReader, str]:
    reader = pypdf.PdfReader(io.BytesIO(data))
    return reader, "\n".join(p.extract_text() for p in reader.pages)


def _words(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_pdf_says_what_the_html_says(nl_open_ctx, lang):
    report = assemble(nl_open_ctx, ENSCHEDE, wave="2026", lang=lang)
    reader, text = _pdf_text(render_pdf(report))
    assert 1 <= len(reader.pages) <= 2
    assert reader.metadata.title == report.title
    root = reader.trailer["/Root"]
    assert root["/Lang"] == lang
    assert "/StructTreeRoot" in root and root["/MarkInfo"]["/Marked"]  # tagged PDF
    flat = _words(text)
    assert "Enschede" in flat
    html = render_html(report)
    assert f'<html lang="{lang}">' in html and f"<title>{report.title}</title>" in html
    # every heading, fact and table cell of the report is in both
    expected = [s.heading for s in report.sections] + [v for _, v in report.facts]
    for s in report.sections:
        if s.table:
            expected += [c for row in s.table["rows"] for c in row if c and len(c) < 40]
    for value in expected:
        assert _words(value) in flat, value
        assert value.replace("&", "&amp;").replace("'", "&#x27;") in html, value
    overall = fmt_num(report.numbers["scores"]["overall"], lang, 2)
    assert overall in flat


def test_pdf_of_the_demo_says_so_and_is_the_same_bytes_each_time(nl_open_ctx):
    report = assemble(nl_open_ctx, ENSCHEDE, lang="en")
    pdf = render_pdf(report)
    _, text = _pdf_text(pdf)
    assert "DEMO DATA" in _words(text)
    assert render_pdf(assemble(nl_open_ctx, ENSCHEDE, lang="en")) == pdf  # ETag, caches
    built = nl_open_ctx.warehouse.snapshot().manifest["built_at"]
    creation = pypdf.PdfReader(io.BytesIO(pdf)).metadata.creation_date
    assert creation.date().isoformat() == built[:10]


# ------------------------------------------------------------------ radar and ranking


def _profile(own, q1, med, q3, suppressed):
    k = len(own)
    return Profile(tuple(f"B{i}" for i in range(k)), np.array(own, float), np.array(q1, float),
                   np.array(med, float), np.array(q3, float), np.full(k, 9),
                   np.full(k, np.nan), np.array(suppressed, bool))


def test_radar_svg_draws_band_median_and_gaps():
    names = ["Strategy", "Data", "People", "Services"]
    full = _profile([1, 2, 3, 4], [1, 1, 1, 1], [2, 2, 2, 2], [3, 3, 3, 3], [0, 0, 0, 0])
    doc = ET.fromstring(svg(names, full, "en"))
    ns = "{http://www.w3.org/2000/svg}"
    assert len(doc.findall(f"{ns}path")) == 1  # the band as one ring
    assert len(doc.findall(f"{ns}circle")) == 4
    gaps = _profile([1, np.nan, 3, 4], [1] * 4, [2] * 4, [3] * 4, [0, 1, 0, 0])
    doc = ET.fromstring(svg(names, gaps, "nl"))
    assert not doc.findall(f"{ns}path")  # a withheld block: no ring, a bar per shown block
    assert len([x for x in doc.findall(f"{ns}line") if x.get("stroke-width") == "7"]) == 3
    assert len(doc.findall(f"{ns}circle")) == 3
    texts = "".join(doc.itertext())
    assert "Strategy" in texts and "Gemeente" in texts


@given(st.lists(st.booleans(), min_size=3, max_size=10))
def test_runs_cover_each_known_axis_once(known):
    values = np.array([1.0 if k else np.nan for k in known])
    runs = _runs(values)
    flat = [i for run in runs for i in run]
    if all(known):
        assert runs == [[*range(len(known)), 0]]
    else:
        assert sorted(flat) == [i for i, k in enumerate(known) if k]


@settings(max_examples=200)
@given(st.lists(st.tuples(st.one_of(st.none(), st.integers(0, 4)),
                          st.one_of(st.none(), st.floats(0, 100))), min_size=1, max_size=12))
def test_ranked_is_disjoint_known_and_ordered(cells):
    own = np.array([np.nan if o is None else o for o, _ in cells], float)
    pct = np.array([np.nan if (p is None or o is None) else p for o, p in cells], float)
    prof = Profile(tuple(map(str, range(len(cells)))), own, own, own, own,
                   np.ones(len(cells), int), pct, np.zeros(len(cells), bool))
    strong, weak = ranked(prof)
    assert not set(strong) & set(weak)
    assert len(strong) <= 3 and len(weak) <= 3
    assert all(not np.isnan(own[i]) for i in strong + weak)
    compared = ~np.isnan(pct)
    if compared.any():
        assert all(compared[i] for i in strong + weak)
        if strong and weak:
            assert min(pct[strong]) >= max(pct[weak])


def test_a_wave_without_answers_says_so(nl_open_ctx):
    snap = nl_open_ctx.warehouse.snapshot()
    answered = snap.maturity.answered(snap.waves.index("2026"))
    row = int(np.flatnonzero(~answered & snap.maturity.answered(0))[0])
    mid = str(snap.maturity.municipality_ids[row])
    report = assemble(nl_open_ctx, mid, wave="2026", lang="en")
    sections = {s.id: s for s in report.sections}
    assert "No answers from this municipality in wave 2026 (it answered in: 2025)" in \
        sections["profile"].paragraphs[0]
    assert sections["elements"].table is None
    assert sections["laws"].table is None
    assert "readiness is unknown for every law that applies" in " ".join(
        sections["laws"].paragraphs)
    assert report.numbers["first_phase"] == []
    assert "no answers" in sections["roadmap"].paragraphs[0]
    _, text = _pdf_text(render_pdf(report))
    assert "No roadmap" in text
