"""Render page 1 of the council report in Dutch and English to PNG for review.

    .venv/bin/python tools/report_artefacts.py --data-dir DIR [--municipality NL_GM0363]

Writes tests/artefacts/council-report-{nl,en}.png (greyscale, as it prints). They are kept as
reviewed artefacts: look at them after changing the report; no test compares pixels."""

from __future__ import annotations

import argparse
import os
from pathlib import Path

import pypdfium2 as pdfium

ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--data-dir", required=True)
    p.add_argument("--municipality", default="NL_GM0363")
    args = p.parse_args()
    os.environ.update(DS4E_DATA_DIR=args.data_dir, DS4E_VISIBILITY="open")
    from dashboard.config import Settings
    from dashboard.context import AppContext
    from dashboard.report import assemble, render_pdf

    ctx = AppContext.load(Settings.from_env())
    for lang in ("nl", "en"):
        pdf = pdfium.PdfDocument(render_pdf(assemble(ctx, args.municipality, lang=lang)))
        out = ROOT / "tests" / "artefacts" / f"council-report-{lang}.png"
        pdf[0].render(scale=1.4, grayscale=True).to_pil().convert("L").save(out, optimize=True)
        print(f"{out.relative_to(ROOT)}: {len(pdf)} page(s)")


if __name__ == "__main__":
    main()
