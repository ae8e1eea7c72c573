"""`python -m pipelines report`: one report, a batch with its count, and clear refusals that
write nothing; the profile's and roadmap's download link."""

from __future__ import annotations

import datetime as dt
import io

import numpy as np
import pypdf
import pytest

from dashboard.components.report_link import report_href
from pipelines.__main__ import main
from pipelines.survey.waves import SurveyStore


def _ids(ctx, consent: bool) -> list[str]:
    snap = ctx.warehouse.snapshot()
    answered = snap.maturity.answered(len(snap.waves) - 1)
    rows = np.flatnonzero((snap.consent == consent) & answered)
    return [str(snap.maturity.municipality_ids[r]) for r in rows]


def test_one_report_pdf_and_html(nl_data_dir, nl_ctx, tmp_path, capsys):
    mid = _ids(nl_ctx, True)[0]
    name = str(nl_ctx.municipalities.set_index("municipality_id").at[mid, "name"])
    out = tmp_path / "r.pdf"
    assert main(["--data-dir", str(nl_data_dir), "report", "--municipality", mid.lower(),
                 "--lang", "en", "--output", str(out)]) == 0
    reader = pypdf.PdfReader(io.BytesIO(out.read_bytes()))
    assert name in reader.pages[0].extract_text()
    assert f"wrote {out}" in capsys.readouterr().out
    html = tmp_path / "r.html"
    assert main(["--data-dir", str(nl_data_dir), "report", "--municipality", mid,
                 "--wave", "2025", "--output", str(html)]) == 0
    text = html.read_text(encoding="utf-8")
    assert '<html lang="nl">' in text and "enquêteronde 2025" in text


def test_refusals_write_nothing(nl_data_dir, nl_ctx, tmp_path, capsys):
    hidden = _ids(nl_ctx, False)[0]
    out = tmp_path / "r.pdf"
    base = ["--data-dir", str(nl_data_dir), "report"]
    assert main([*base, "--municipality", hidden, "--output", str(out)]) == 1
    assert "did not consent" in capsys.readouterr().err and not out.exists()
    assert main([*base, "--municipality", "NL_GM9999", "--output", str(out)]) == 1
    assert "NL_GM9999" in capsys.readouterr().err
    assert main([*base, "--municipality", hidden, "--output", str(tmp_path / "r.docx")]) == 2
    assert "must end in .pdf or .html" in capsys.readouterr().err
    assert main([*base, "--municipality", hidden, "--output", str(tmp_path / "no/r.pdf")]) == 2
    assert main([*base, "--municipality", hidden, "--link", "not-a-token",
                 "--output", str(out)]) == 2
    assert "survey link is not valid" in capsys.readouterr().err
    assert list(tmp_path.iterdir()) == []


def test_own_survey_link_opens_the_report(nl_data_dir, nl_ctx, tmp_path):
    hidden = _ids(nl_ctx, False)[0]
    state = tmp_path / "state"
    store = SurveyStore(state)
    now = dt.datetime.now(dt.UTC)
    store.create_wave("w", closes_at=now + dt.timedelta(days=9), opens_at=now - dt.timedelta(1))
    [link] = store.invite("w", [hidden])
    out = tmp_path / "own.pdf"
    assert main(["--data-dir", str(nl_data_dir), "--state-dir", str(state), "report",
                 "--municipality", hidden, "--link", f"https://x.example/survey?token={link.token}",
                 "--output", str(out)]) == 0
    assert out.stat().st_size > 10_000


def test_batch_writes_one_report_per_municipality_that_may_be_shown(nl_data_dir, nl_ctx,
                                                                   tmp_path, capsys):
    out = tmp_path / "all"
    assert main(["--data-dir", str(nl_data_dir), "report", "--all", "--country", "nl",
                 "--format", "html", "--output", str(out)]) == 0
    shown = set(_ids(nl_ctx, True))
    snap = nl_ctx.warehouse.snapshot()
    nl = set(nl_ctx.municipalities.query("country == 'NL'")["municipality_id"])
    consenting = {m for m, c in zip(snap.maturity.municipality_ids, snap.consent, strict=True)
                  if c and m in nl}
    files = sorted(p.name for p in out.iterdir())
    assert len(files) == len(consenting) >= len(shown)
    assert all(f.startswith("report-NL_") and f.endswith("-nl.html") for f in files)
    said = capsys.readouterr().out
    assert f"wrote {len(files)} reports" in said
    assert f"{len(nl) - len(consenting)} skipped (no consent" in said
    assert main(["--data-dir", str(nl_data_dir), "report", "--all", "--output",
                 str(out)]) == 2  # no country
    assert main(["--data-dir", str(nl_data_dir), "report", "--all", "--country", "NL",
                 "--output", str(tmp_path / "x.pdf")]) == 2  # a file name, not a folder


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_download_link_follows_the_chosen_municipality(nl_ctx, lang):
    shown, hidden = _ids(nl_ctx, True)[0], _ids(nl_ctx, False)[0]
    href, is_hidden, title = report_href(nl_ctx, shown, "2025", lang)
    assert href == f"/api/v1/municipalities/{shown}/report.pdf?lang={lang}&wave=2025"
    assert not is_hidden and "2025" in title
    assert report_href(nl_ctx, hidden, "2026", lang) == (None, True, "")
    assert report_href(nl_ctx, None, None, lang) == (None, True, "")
    assert report_href(nl_ctx, "XX_1", None, lang) == (None, True, "")
    href, _, _ = report_href(nl_ctx, shown, "1999", lang)  # a wave that is not published
    assert href.endswith(f"lang={lang}")
