"""`python -m pipelines report`: council reports from the command line (one or a batch).

The CLI answers from the published build exactly as the API does (same `assemble`, same
renderers). Consent as everywhere: a municipality that did not consent gets a report only with
its own survey link (`--link`, the URL or its token) or under DS4E_VISIBILITY=open; a batch
skips those and counts them. Files are written whole or not at all (a temporary file renamed).
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path
from urllib.parse import parse_qs, urlparse

from tqdm import tqdm

from dashboard.access import viewer_municipality
from dashboard.config import Settings
from dashboard.context import AppContext
from dashboard.report import ReportRefused, assemble, render_html, render_pdf, report_filename

FORMATS = {".pdf": "pdf", ".html": "html", ".htm": "html"}


def _say(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


def token_of(link: str) -> str:
    """The token of a survey link given as URL (…/survey?token=X) or as the token itself."""
    query = parse_qs(urlparse(link).query)
    return (query.get("token") or [link])[0].strip()


def write_atomic(path: Path, data: bytes) -> None:
    tmp = path.with_name(f".{path.name}.part")
    tmp.write_bytes(data)
    os.replace(tmp, path)


def render(report, fmt: str) -> bytes:
    return render_pdf(report) if fmt == "pdf" else render_html(report).encode("utf-8")


def context(args) -> AppContext:
    env = {**os.environ, "DS4E_DATA_DIR": str(args.data_dir)}
    if getattr(args, "state_dir", None):
        env["DS4E_STATE_DIR"] = str(args.state_dir)
    return AppContext.load(Settings.from_env(env))


def run(args) -> int:
    ctx = context(args)
    viewer = None
    if args.link:
        viewer = viewer_municipality(ctx.survey, token_of(args.link))
        if viewer is None:
            _say("report: the survey link is not valid (unknown, replaced or expired); "
                 "no report was made")
            return 2
    if args.all:
        return _batch(ctx, args, viewer)
    if not args.municipality:
        _say("report: name a municipality (--municipality NL_GM0363) or use --all --country NL")
        return 2
    out = Path(args.output)
    fmt = FORMATS.get(out.suffix.lower())
    if fmt is None:
        _say(f"report: --output {out}: the file name must end in .pdf or .html")
        return 2
    if not out.parent.is_dir():
        _say(f"report: --output {out}: folder {out.parent} does not exist")
        return 2
    try:
        report = assemble(ctx, args.municipality, args.wave, args.lang, viewer)
    except ReportRefused as exc:
        _say(f"report: {exc.text('en')}")
        return 1
    write_atomic(out, render(report, fmt))
    print(f"wrote {out} ({report.name}, wave {report.wave}, {report.lang}, "
          f"{out.stat().st_size:,} bytes)")
    return 0


def _batch(ctx: AppContext, args, viewer: str | None) -> int:
    if not args.country:
        _say("report: --all needs --country (e.g. --country NL)")
        return 2
    out = Path(args.output)
    if out.suffix:
        _say(f"report: --all writes one file per municipality into a folder; --output {out} "
             "looks like a file name")
        return 2
    snap = ctx.warehouse.snapshot()
    if snap is None:
        _say("report: nothing is published yet (run `python -m pipelines build` first)")
        return 1
    ref = ctx.municipalities
    country = args.country.upper()
    ids = ref.loc[ref["country"] == country, "municipality_id"].astype(str).tolist()
    if not ids:
        _say(f"report: no municipality in country {args.country!r}")
        return 2
    out.mkdir(parents=True, exist_ok=True)
    fmt = args.format
    written = skipped = failed = 0
    started = time.perf_counter()
    bar = tqdm(ids, desc=f"reports {country}", unit="report", file=sys.stderr, disable=None)
    for mid in bar:
        try:
            report = assemble(ctx, mid, args.wave, args.lang, viewer)
        except ReportRefused as exc:
            if exc.status == 403:
                skipped += 1
                continue
            failed += 1
            bar.write(f"  {mid}: {exc.text('en')}", file=sys.stderr)
            continue
        write_atomic(out / report_filename(report, fmt), render(report, fmt))
        written += 1
    bar.close()
    seconds = time.perf_counter() - started
    per = seconds / written if written else 0.0
    print(f"wrote {written:,} reports to {out} in {seconds:.1f} s ({per:.3f} s per report); "
          f"{skipped:,} skipped (no consent to be shown by name)"
          + (f"; {failed:,} failed" if failed else ""))
    return 1 if failed else 0
