"""Benchmark the council report and print the figures (not a test: nothing is asserted).

    .venv/bin/python benchmarks/bench_report.py --data-dir <build> [--country NL] [--lang nl]

Every municipality of the country (DS4E_VISIBILITY=open, so all of them): the time to gather
the content (dashboard/report/content.py), to typeset the PDF (Typst) and to write the HTML,
per report (median, p95, max), the page counts and the PDF sizes. Goal (issue 18): <= 0.5 s per
report in the batch."""

from __future__ import annotations

import argparse
import collections
import io
import os
import statistics
import time


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--data-dir", required=True)
    p.add_argument("--country", default="NL")
    p.add_argument("--lang", default="nl")
    args = p.parse_args()
    os.environ.update(DS4E_DATA_DIR=args.data_dir, DS4E_VISIBILITY="open")
    import pypdf

    from dashboard.config import Settings
    from dashboard.context import AppContext
    from dashboard.report import assemble, render_html, render_pdf

    started = time.perf_counter()
    ctx = AppContext.load(Settings.from_env())
    ref = ctx.municipalities
    ids = ref.loc[ref["country"] == args.country, "municipality_id"].astype(str).tolist()
    assemble(ctx, ids[0], lang=args.lang)  # per-build caches, once per process
    warm = time.perf_counter() - started
    content, pdf_t, html_t, sizes = [], [], [], []
    pages = collections.Counter()
    for mid in ids:
        t0 = time.perf_counter()
        report = assemble(ctx, mid, lang=args.lang)
        t1 = time.perf_counter()
        pdf = render_pdf(report)
        t2 = time.perf_counter()
        render_html(report)
        t3 = time.perf_counter()
        content.append(t1 - t0), pdf_t.append(t2 - t1), html_t.append(t3 - t2)
        sizes.append(len(pdf))
        pages[len(pypdf.PdfReader(io.BytesIO(pdf)).pages)] += 1

    def line(name, xs):
        xs = sorted(xs)
        p95 = xs[int(0.95 * (len(xs) - 1))]
        print(f"{name:<22} median {statistics.median(xs) * 1000:7.1f} ms   p95 "
              f"{p95 * 1000:7.1f} ms   max {xs[-1] * 1000:7.1f} ms")

    print(f"{len(ids)} reports of {args.country} ({args.lang}); first one incl. caches "
          f"{warm:.1f} s")
    line("content", content)
    line("PDF (Typst)", pdf_t)
    line("HTML", html_t)
    total = [a + b for a, b in zip(content, pdf_t, strict=True)]
    line("content + PDF", total)
    print(f"pages: {dict(sorted(pages.items()))}; PDF size median "
          f"{statistics.median(sizes) / 1024:.0f} KB, max {max(sizes) / 1024:.0f} KB; "
          f"batch {sum(total):.1f} s = {sum(total) / len(ids):.3f} s per report (goal <= 0.5 s)")


if __name__ == "__main__":
    main()
